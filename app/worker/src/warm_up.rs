//! The worker's warm-up: a small capture built here, decoded over and over before the user's
//! input comes, so that V8 has compiled the decoder's hot functions with its optimising tier
//! (TurboFan) by then. A fresh worker runs its wasm in baseline code (Liftoff) and optimises a
//! function only once it has run enough; without a warm-up, the first large decode paid for that
//! (BENCHMARKS.md, issue 13).
//!
//! The sample is real traffic of the kind users open, made by core itself: four CWMP exchanges of
//! one session (Inform, an empty POST answered with GetParameterValues, its response answered
//! with SetParameterValues, its response answered with 204) recorded as pcapng by
//! `capture::record`, then copied with other client addresses into a classic pcap by
//! `capture::replicate`, so that every layer of a capture's decode runs: pcap records, Ethernet,
//! IPv4, TCP, HTTP, the codec, sessions and conformance.

use cwmpkit_core::Timestamp;
use cwmpkit_core::capture::Options;
use cwmpkit_core::capture::record::{Exchange, RecorderOptions, capture_of};
use cwmpkit_core::capture::replicate::replicate;
use cwmpkit_core::pipeline::Pipeline;
use std::net::{Ipv4Addr, SocketAddr};

/// How big the sample is: a few milliseconds of decoding per run, so that an input that comes
/// during the warm-up waits for at most one run.
pub const SAMPLE_BYTES: usize = 192 * 1024;
/// Pieces the sample is pushed in, as a file is read in pieces.
const SAMPLE_PIECE: usize = 64 * 1024;
/// The warm-up stops after this many runs of the sample…
pub const MAX_RUNS: u32 = 80;
/// …or after this long, milliseconds from its start…
pub const MAX_MILLIS: f64 = 4000.0;
/// …or once this many runs in a row have not beaten the fastest: V8 has optimised what it will.
pub const RUNS_WITHOUT_GAIN: u32 = 12;

const CPE: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 10);
const ACS: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);

const ENVELOPE_START: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="urn:dslforum-org:cwmp-1-0">
<soap:Header><cwmp:ID soap:mustUnderstand="1">"#;

/// A SOAP envelope with header ID `id` around `body`.
fn envelope(id: &str, body: &str) -> String {
    format!(
        "{ENVELOPE_START}{id}</cwmp:ID></soap:Header>\n<soap:Body>\n{body}\n</soap:Body>\n</soap:Envelope>\n"
    )
}

/// The parameters the sample reads and reports: (name, xsi:type, value).
const PARAMETERS: [(&str, &str, &str); 16] = [
    ("Device.DeviceInfo.Manufacturer", "string", "Example Networks"),
    ("Device.DeviceInfo.ModelName", "string", "EX-4G-1"),
    ("Device.DeviceInfo.SoftwareVersion", "string", "4.3.2-1107"),
    ("Device.DeviceInfo.HardwareVersion", "string", "B2"),
    ("Device.DeviceInfo.UpTime", "unsignedInt", "86412"),
    ("Device.ManagementServer.PeriodicInformEnable", "boolean", "true"),
    ("Device.ManagementServer.PeriodicInformInterval", "unsignedInt", "3600"),
    ("Device.ManagementServer.PeriodicInformTime", "dateTime", "2026-12-01T00:00:00Z"),
    ("Device.ManagementServer.ConnectionRequestURL", "string", "http://192.0.2.10:7547/cr"),
    ("Device.ManagementServer.ParameterKey", "string", "warm-up"),
    ("Device.Services.FAPService.1.CellConfig.LTE.RAN.RF.EARFCNDL", "unsignedInt", "39150"),
    ("Device.Services.FAPService.1.CellConfig.LTE.RAN.RF.PhyCellID", "string", "260"),
    (
        "Device.Services.FAPService.1.CellConfig.LTE.RAN.Common.CellIdentity",
        "unsignedInt",
        "138777000",
    ),
    ("Device.Services.FAPService.1.FAPControl.LTE.AdminState", "boolean", "false"),
    ("Device.Services.FAPService.1.FAPControl.LTE.OpState", "boolean", "false"),
    ("Device.IP.Interface.1.IPv4Address.1.IPAddress", "string", "192.0.2.10"),
];

fn value_structs(parameters: &[(&str, &str, &str)]) -> String {
    parameters
        .iter()
        .map(|(name, kind, value)| {
            format!(
                "<ParameterValueStruct><Name>{name}</Name><Value xsi:type=\"xsd:{kind}\">{value}</Value></ParameterValueStruct>\n"
            )
        })
        .collect()
}

/// The session's four exchanges, as the CPE sent and the ACS answered them.
fn exchanges() -> Vec<(String, String)> {
    let inform = envelope(
        "1",
        &format!(
            "<cwmp:Inform><DeviceId><Manufacturer>Example Networks</Manufacturer><OUI>0000C0</OUI>\
             <ProductClass>EX-4G-1</ProductClass><SerialNumber>120200002618AGP0003</SerialNumber></DeviceId>\n\
             <Event soapenc:arrayType=\"cwmp:EventStruct[2]\"><EventStruct><EventCode>0 BOOTSTRAP</EventCode>\
             <CommandKey></CommandKey></EventStruct><EventStruct><EventCode>1 BOOT</EventCode><CommandKey></CommandKey>\
             </EventStruct></Event>\n<MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2026-12-01T10:00:00Z</CurrentTime>\
             <RetryCount>0</RetryCount>\n<ParameterList soapenc:arrayType=\"cwmp:ParameterValueStruct[8]\">\n{}</ParameterList>\
             </cwmp:Inform>",
            value_structs(&PARAMETERS[..8])
        ),
    );
    let inform_response =
        envelope("1", "<cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse>");
    let names: String =
        PARAMETERS.iter().map(|(name, _, _)| format!("<string>{name}</string>\n")).collect();
    let get = envelope(
        "2",
        &format!(
            "<cwmp:GetParameterValues><ParameterNames soapenc:arrayType=\"xsd:string[{}]\">\n{names}</ParameterNames>\
             </cwmp:GetParameterValues>",
            PARAMETERS.len()
        ),
    );
    let get_response = envelope(
        "2",
        &format!(
            "<cwmp:GetParameterValuesResponse><ParameterList soapenc:arrayType=\"cwmp:ParameterValueStruct[{}]\">\n{}\
             </ParameterList></cwmp:GetParameterValuesResponse>",
            PARAMETERS.len(),
            value_structs(&PARAMETERS)
        ),
    );
    let set = envelope(
        "3",
        &format!(
            "<cwmp:SetParameterValues><ParameterList soapenc:arrayType=\"cwmp:ParameterValueStruct[3]\">\n{}\
             </ParameterList><ParameterKey>warm-up-2</ParameterKey></cwmp:SetParameterValues>",
            value_structs(&PARAMETERS[13..16])
        ),
    );
    let set_response = envelope(
        "3",
        "<cwmp:SetParameterValuesResponse><Status>0</Status></cwmp:SetParameterValuesResponse>",
    );

    let request = |body: &str, cookie: bool| {
        format!(
            "POST /acs HTTP/1.1\r\nHost: 198.51.100.1:7547\r\nUser-Agent: EX-4G-1 TR-069\r\n\
             Content-Type: text/xml; charset=utf-8\r\nSOAPAction: \"\"\r\n{}Content-Length: {}\r\n\r\n{body}",
            if cookie { "Cookie: session=5b1f0c9e\r\n" } else { "" },
            body.len()
        )
    };
    let response = |body: &str, cookie: bool| {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\n{}Content-Length: {}\r\n\r\n{body}",
            if cookie { "Set-Cookie: session=5b1f0c9e; Path=/\r\n" } else { "" },
            body.len()
        )
    };
    vec![
        (request(&inform, false), response(&inform_response, true)),
        (request("", true), response(&get, false)),
        (request(&get_response, true), response(&set, false)),
        (
            request(&set_response, true),
            "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n".to_owned(),
        ),
    ]
}

/// The sample: a classic pcap of about [`SAMPLE_BYTES`], one session per client address.
pub fn sample() -> Vec<u8> {
    let exchanges = exchanges();
    let cpe = SocketAddr::new(CPE.into(), 40_112);
    let acs = SocketAddr::new(ACS.into(), 7547);
    let at = |step: usize| {
        Timestamp::from_unix_nanos(1_764_583_200_000_000_000 + step as i128 * 40_000_000)
    };
    let recorded = exchanges.iter().enumerate().map(|(step, (request, response))| Exchange {
        cpe,
        acs,
        request_time: at(2 * step),
        response_time: at(2 * step + 1),
        request: request.as_bytes(),
        response: response.as_bytes(),
    });
    let (pcapng, _) = capture_of(recorded, RecorderOptions::default(), at(2 * exchanges.len()));
    replicate(&pcapng, CPE, SAMPLE_BYTES).unwrap_or(pcapng)
}

/// One decode of `sample` as a file's is done (in pieces, sessions taken as they end); the CWMP
/// messages it found.
pub fn decode_sample(sample: &[u8]) -> usize {
    let mut pipeline = Pipeline::new(&Options::default());
    let mut messages = 0;
    for piece in sample.chunks(SAMPLE_PIECE) {
        pipeline.push(piece);
        messages += pipeline.take_sessions().iter().map(|s| s.messages.len()).sum::<usize>();
    }
    messages + pipeline.finish().sessions.iter().map(|s| s.messages.len()).sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cwmpkit_core::Severity;
    use cwmpkit_core::pipeline::analyze;

    #[test]
    fn the_sample_is_a_pcap_of_whole_clean_sessions() {
        let sample = sample();
        assert!((SAMPLE_BYTES..SAMPLE_BYTES * 2).contains(&sample.len()), "{}", sample.len());
        assert_eq!(&sample[..4], &0xa1b2_c3d4u32.to_le_bytes());
        let report = analyze(&sample, &Options::default()).expect("the sample decodes");
        assert!(report.sessions.len() > 10, "{} sessions", report.sessions.len());
        for session in &report.sessions {
            let rpcs: Vec<&str> = session.messages.iter().map(|m| &*m.rpc).collect();
            assert_eq!(
                rpcs,
                [
                    "Inform",
                    "InformResponse",
                    "GetParameterValues",
                    "GetParameterValuesResponse",
                    "SetParameterValues",
                    "SetParameterValuesResponse",
                ],
                "session {}",
                session.index
            );
            let problems: Vec<_> = session
                .messages
                .iter()
                .flat_map(|m| &m.diagnostics)
                .chain(&session.findings)
                .filter(|d| d.severity >= Severity::Warning)
                .collect();
            assert!(problems.is_empty(), "session {}: {problems:?}", session.index);
        }
        let messages: usize = report.sessions.iter().map(|s| s.messages.len()).sum();
        assert_eq!(decode_sample(&sample), messages);
    }
}
