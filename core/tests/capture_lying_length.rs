//! A real capture of genieacs-sim, which counts Content-Length in characters: the body of its
//! GetParameterValuesResponse with a non-ASCII SSID is 7 bytes longer than it says. The message
//! is read whole, and the finding points at where it really ends in the file. In that capture
//! nothing follows the short body; replayed with a POST after it on the same connection, the
//! POST is found too.

// The test is the host, not core: it reads a fixture.
#![allow(clippy::disallowed_methods)]

use cwmpkit_core::Source;
use cwmpkit_core::capture::Options;
use cwmpkit_core::cwmp::Message;
use cwmpkit_core::pipeline;
use cwmpkit_core::session;

#[path = "hostile/inputs.rs"]
mod inputs;

const CAPTURE: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/genieacs-sim-ssid.pcapng");

#[test]
fn the_simulators_short_content_length_is_recovered_with_its_offset() {
    let file = std::fs::read(CAPTURE).unwrap();
    let report = pipeline::analyze(&file, &Options::default()).unwrap();
    let cwmp: Vec<&session::Session> =
        report.sessions.iter().filter(|s| !s.messages.is_empty()).collect();
    assert_eq!(cwmp.len(), 2);
    let rpcs: Vec<&str> = cwmp[1].messages.iter().map(|m| &*m.rpc).collect();
    assert_eq!(
        rpcs,
        [
            "Inform",
            "InformResponse",
            "SetParameterValues",
            "SetParameterValuesResponse",
            "GetParameterValues",
            "GetParameterValuesResponse"
        ]
    );
    // All of tshark's 8 CWMP bodies, the last one whole where tshark cuts it at 939 bytes.
    assert_eq!(cwmp.iter().map(|s| s.messages.len()).sum::<usize>(), 8);
    let response = &cwmp[1].messages[5];
    let Some(Message::GetParameterValuesResponse(values)) =
        response.envelope.as_ref().map(|e| &e.message)
    else {
        panic!("the response is not decoded: {:?}", response.diagnostics);
    };
    let ssid = values.parameter_list.iter().find(|p| p.name.ends_with(".SSID")).unwrap();
    assert_eq!(&*ssid.value.text, "Café Ünïcødé — 404");
    let mismatch = response
        .diagnostics
        .iter()
        .find(|d| d.code == "content-length-mismatch" && d.source == Source::Http)
        .expect("the HTTP layer says the length is wrong");
    assert!(mismatch.message.contains("says 939 but the body has 946"), "{}", mismatch.message);
    assert!(mismatch.location.byte_offset().is_some(), "{mismatch:?}");
    assert!(cwmp[1].findings.iter().any(|f| f.code == "content-length-mismatch"));
    // The capture-level diagnostic carries the offset of the pcapng block holding the body's end.
    let http = report.sessions.iter().flat_map(|s| &s.messages).flat_map(|m| &m.diagnostics);
    assert!(http.clone().any(|d| d.code == "content-length-mismatch"));
    let capture = cwmpkit_core::capture::decode(&file, &Options::default()).unwrap();
    let diagnostic = capture
        .connections
        .iter()
        .flat_map(|c| &c.messages)
        .flat_map(|m| &m.diagnostics)
        .find(|d| d.code == "content-length-mismatch")
        .unwrap();
    let offset = diagnostic.location.byte_offset().expect("a byte offset");
    // An Enhanced Packet Block (type 6) starts there, and the body's last bytes are in it.
    assert_eq!(file[offset..offset + 4], 6u32.to_le_bytes());
    let block_len = u32::from_le_bytes(file[offset + 4..offset + 8].try_into().unwrap()) as usize;
    let block = &file[offset..offset + block_len];
    assert!(block.windows(19).any(|w| w == b"</soap-env:Envelope"));
}

/// One message as the wire carried it: the head's lines, a blank line, the body.
fn wire(message: &session::SessionMessage) -> Vec<u8> {
    let head = message.raw.head.as_deref().expect("it came over HTTP");
    let mut bytes = head.lines().collect::<Vec<_>>().join("\r\n").into_bytes();
    bytes.extend_from_slice(b"\r\n\r\n");
    bytes.extend_from_slice(message.raw.body.as_bytes());
    bytes
}

/// The simulator's own messages replayed on one keep-alive connection in which a POST follows
/// the GetParameterValuesResponse whose Content-Length counts characters: a reader that trusts
/// that length takes the body's last bytes for the start of the next request and loses the
/// SetParameterValuesResponse. Every message is found, and the finding says where the short
/// body really ends in the capture.
#[test]
fn a_post_after_a_body_counted_in_characters_is_found() {
    let file = std::fs::read(CAPTURE).unwrap();
    let report = pipeline::analyze(&file, &Options::default()).unwrap();
    let session = report.sessions.iter().rfind(|s| s.messages.len() == 6).unwrap();
    let by_rpc = |rpc: &str| session.messages.iter().find(|m| m.rpc == rpc).unwrap();
    let (inform, informed) = (by_rpc("Inform"), by_rpc("InformResponse"));
    let (get, got) = (by_rpc("GetParameterValues"), by_rpc("GetParameterValuesResponse"));
    let (set, was_set) = (by_rpc("SetParameterValues"), by_rpc("SetParameterValuesResponse"));
    let declared: usize = got
        .raw
        .head
        .as_deref()
        .and_then(|h| h.lines().find(|l| l.to_ascii_lowercase().starts_with("content-length:")))
        .and_then(|l| l["content-length:".len()..].trim().parse().ok())
        .expect("the simulator sends a Content-Length");
    let body = got.raw.body.as_bytes();
    assert!(declared < body.len(), "{declared} counts fewer than the body's {} bytes", body.len());

    // CPE: Inform, an empty POST, the short-counted response, then the next POST; the ACS
    // answers each. Each message in a segment of its own, as the peers sent them.
    let cpe = ([10, 0, 0, 7], 40_123);
    let empty_post =
        b"POST / HTTP/1.1\r\nHost: 192.0.2.1:7547\r\nContent-Length: 0\r\n\r\n".to_vec();
    let no_content = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n".to_vec();
    let cpe_sends = [wire(inform), empty_post, wire(got), wire(was_set)];
    let acs_sends = [wire(informed), wire(get), wire(set), no_content];
    let mut pcap = inputs::Pcap::new();
    pcap.tcp(cpe, inputs::ACS, 999, inputs::SYN, b"");
    pcap.tcp(inputs::ACS, cpe, 4999, inputs::SYN | inputs::ACK, b"");
    let (mut cpe_at, mut acs_at) = (1000u32, 5000u32);
    for (request, response) in cpe_sends.iter().zip(&acs_sends) {
        pcap.tcp(cpe, inputs::ACS, cpe_at, inputs::ACK | inputs::PSH, request);
        pcap.tcp(inputs::ACS, cpe, acs_at, inputs::ACK | inputs::PSH, response);
        cpe_at += request.len() as u32;
        acs_at += response.len() as u32;
    }
    let capture = pcap.bytes;

    // Where a reader trusting the length would look for the next request line: inside the body.
    let stream: Vec<u8> = cpe_sends.concat();
    let body_start = cpe_sends[0].len() + cpe_sends[1].len() + (cpe_sends[2].len() - body.len());
    let trusted_end = body_start + declared;
    assert!(!stream[trusted_end..].starts_with(b"POST "), "the lie would be harmless");
    assert!(stream[body_start + body.len()..].starts_with(b"POST "));

    let report = pipeline::analyze(&capture, &Options::default()).unwrap();
    assert_eq!(report.sessions.len(), 1);
    let replayed = &report.sessions[0];
    let rpcs: Vec<&str> = replayed.messages.iter().map(|m| &*m.rpc).collect();
    assert_eq!(
        rpcs,
        [
            "Inform",
            "InformResponse",
            "GetParameterValues",
            "GetParameterValuesResponse",
            "SetParameterValues",
            "SetParameterValuesResponse"
        ]
    );
    assert!(replayed.messages.iter().all(|m| m.envelope.is_some()), "every body decodes");
    assert_eq!(replayed.messages[5].raw.body, was_set.raw.body, "the hidden POST whole");
    let response = &replayed.messages[3];
    assert_eq!(response.raw.body, got.raw.body, "the short-counted body whole");
    let mismatches: Vec<_> = replayed
        .messages
        .iter()
        .flat_map(|m| &m.diagnostics)
        .filter(|d| d.code == "content-length-mismatch" && d.source == Source::Http)
        .collect();
    assert_eq!(mismatches.len(), 1, "only the lying length is reported: {mismatches:?}");
    let mismatch = mismatches[0];
    assert!(response.diagnostics.contains(mismatch));
    let says = format!("says {declared} but the body has {}", body.len());
    assert!(mismatch.message.contains(&says), "{}", mismatch.message);
    let finding = replayed.findings.iter().find(|f| f.code == "content-length-mismatch");
    assert_eq!(finding.and_then(|f| f.location.message_index()), Some(3), "{finding:?}");
    // The offset is that of the pcap record whose segment carries the body's end.
    let offset = mismatch.location.byte_offset().expect("a byte offset");
    let captured = u32::from_le_bytes(capture[offset + 8..offset + 12].try_into().unwrap());
    let record = &capture[offset + 16..offset + 16 + captured as usize];
    assert!(record.ends_with(body), "the record at {offset} does not end with the body");
}
