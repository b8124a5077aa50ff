//! What the Decode page asks of sessions: filters, rows, exports, the raw view.

// The test is the host, not core: it reads corpus files.
#![allow(clippy::disallowed_methods)]

use cwmpkit_core::Severity;
use cwmpkit_core::capture::Options;
use cwmpkit_core::pipeline;
use cwmpkit_core::session::query::{self, Filter, SessionRow};
use cwmpkit_core::session::{self, raw};

const MAGMA_PCAP: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/pcap/magma/dp_enb_tr069.pcap");

fn magma() -> session::Report {
    pipeline::analyze(&std::fs::read(MAGMA_PCAP).unwrap(), &Options::default()).unwrap()
}

#[test]
fn filters_pick_sessions_and_messages() {
    let report = magma();
    let count =
        |filter: &Filter| report.sessions.iter().filter(|s| filter.matches_session(s)).count();
    assert_eq!(count(&Filter::default()), 3);
    assert_eq!(count(&Filter { device: "1202000291213vb0009".into(), ..Filter::default() }), 3);
    assert_eq!(count(&Filter { device: "48BF74-FAP".into(), ..Filter::default() }), 3);
    assert_eq!(count(&Filter { device: "no such".into(), ..Filter::default() }), 0);
    let spv = Filter { rpc: "setparametervalues".into(), ..Filter::default() };
    assert_eq!(count(&spv), 1);
    let session = report.sessions.iter().find(|s| spv.matches_session(s)).unwrap();
    let row = SessionRow::of(session, &spv);
    assert_eq!(row.matching, 2, "SetParameterValues and its response");
    assert!(row.device.contains("Baicells") && row.device.contains("1202000291213VB0009"));
    let timeline = query::timeline(session, &spv);
    assert_eq!(timeline.iter().filter(|r| r.matches).count(), 2);
    assert!(timeline.iter().any(|r| r.message.is_none() && r.what.starts_with("POST")));
    // A parameter path some messages name.
    let parameter = Filter { parameter: "FAPService.1.CellConfig".into(), ..Filter::default() };
    let named: usize = report
        .sessions
        .iter()
        .flat_map(|s| &s.messages)
        .filter(|m| parameter.matches_message(m))
        .count();
    assert!(named > 0);
    for message in report.sessions.iter().flat_map(|s| &s.messages) {
        let paths = message.envelope.as_ref().map(query::parameter_paths).unwrap_or_default();
        assert_eq!(
            parameter.matches_message(message),
            paths.iter().any(|p| p.to_lowercase().contains("fapservice.1.cellconfig"))
        );
    }
    // The magma ACS answers one Inform without its ID: a warning.
    let warned = Filter { severity: Some(Severity::Warning), ..Filter::default() };
    assert!(count(&warned) >= 1);
    let errors = Filter { severity: Some(Severity::Error), ..Filter::default() };
    assert_eq!(count(&errors), 0);
    let faulted = Filter { fault: Some(9005), ..Filter::default() };
    assert_eq!(count(&faulted), 0);
}

#[test]
fn a_fault_code_filter_finds_the_fault() {
    let fault = r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><soap:Body><soap:Fault><faultcode>Client</faultcode><faultstring>CWMP fault</faultstring><detail><cwmp:Fault><FaultCode>9005</FaultCode><FaultString>Invalid parameter name</FaultString></cwmp:Fault></detail></soap:Fault></soap:Body></soap:Envelope>"#;
    let report = pipeline::analyze(fault.as_bytes(), &Options::default()).unwrap();
    let filter = Filter { fault: Some(9005), ..Filter::default() };
    assert!(filter.matches_session(&report.sessions[0]));
    assert!(
        !Filter { fault: Some(9002), ..Filter::default() }.matches_session(&report.sessions[0])
    );
}

#[test]
fn a_session_exported_as_xml_reads_back_as_the_same_messages() {
    let report = magma();
    let session = &report.sessions[1];
    let xml = query::session_xml(session);
    let again = pipeline::analyze(xml.as_bytes(), &Options::default()).unwrap();
    let rpcs =
        |s: &session::Session| s.messages.iter().map(|m| m.rpc.to_string()).collect::<Vec<_>>();
    assert_eq!(rpcs(&again.sessions[0]), rpcs(session));
    let message = &session.messages[0];
    assert!(
        query::message_xml(message).contains("<SOAP-ENV:Envelope")
            || query::message_xml(message).contains("Envelope")
    );
    assert!(message.raw.head.as_deref().is_some_and(|h| h.starts_with("POST ")));
    assert_eq!(
        query::export_name(session, Some(0), "xml"),
        "session-2-48BF74-1202000291213VB0009-1-Inform.xml"
    );
}

#[test]
fn the_raw_view_lays_out_a_real_inform() {
    let report = magma();
    let inform = &report.sessions[0].messages[0];
    let lines = raw::xml_lines(&inform.raw.body);
    assert!(lines.len() > 20);
    let envelope = lines.iter().position(|l| l.spans[0].1.ends_with(":Envelope")).unwrap();
    assert_eq!(lines[envelope].depth, 0);
    let closes = lines[envelope].closes_at.unwrap() as usize;
    assert!(lines[closes].spans[0].1.contains("Envelope>"));
    assert!(lines.iter().any(|l| l.spans.iter().any(|(_, s)| s == "1 BOOT" || s == "2 PERIODIC")));
}

#[test]
fn a_filter_reads_back_from_its_text() {
    let filter = Filter {
        device: "Baicells FAP".into(),
        rpc: "Inform".into(),
        parameter: "Device.WiFi.".into(),
        fault: Some(9005),
        severity: Some(Severity::Warning),
    };
    let text = filter.to_string();
    assert_eq!(
        text,
        "device:\"Baicells FAP\" rpc:Inform parameter:Device.WiFi. fault:9005 severity:warning"
    );
    assert_eq!(Filter::parse(&text), filter);
    assert_eq!(
        Filter::parse("00085D  rpc:Fault"),
        Filter { device: "00085D".into(), rpc: "Fault".into(), ..Filter::default() }
    );
    assert_eq!(
        Filter::parse("fault:abc severity:loud param:X"),
        Filter { parameter: "X".into(), ..Filter::default() }
    );
    assert_eq!(Filter::parse(""), Filter::default());
    for odd in ["device:\"unterminated", ":", "\"", "a:b:c", "é:ü"] {
        let _ = Filter::parse(odd).to_string();
    }
}
