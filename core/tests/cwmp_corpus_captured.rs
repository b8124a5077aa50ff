//! The CWMP messages that the corpus holds inside a capture and inside an ACS debug log, not as
//! bare SOAP files: each one's diagnostics are pinned by a snapshot, and each one survives
//! encode → decode unchanged (the bare SOAP files get the same treatment in `cwmp_corpus.rs`).

// The test is the host, not core: it reads corpus files.
#![allow(clippy::disallowed_methods)]

use cwmpkit_core::capture::Options;
use cwmpkit_core::cwmp;
use cwmpkit_core::pipeline;
use cwmpkit_core::session::Report;
use std::fmt::Write as _;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");

fn report(path: &str) -> Report {
    let bytes = std::fs::read(format!("{CORPUS}/{path}")).expect("corpus file");
    pipeline::analyze(&bytes, &Options::default()).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// One line per message (session, position, direction, RPC), then its diagnostics.
fn diagnostics_listing(report: &Report) -> String {
    let mut listing = String::new();
    for session in &report.sessions {
        for (index, message) in session.messages.iter().enumerate() {
            let _ = writeln!(
                listing,
                "session {} message {index}: {:?} {}",
                session.index, message.direction, message.rpc
            );
            for d in &message.diagnostics {
                let path = d.location.path().map(|p| format!(" ({p})")).unwrap_or_default();
                let _ = writeln!(
                    listing,
                    "  {:?} {} [{}]: {}{path}",
                    d.severity, d.code, d.source, d.message
                );
            }
        }
    }
    listing
}

/// Every typed message re-encodes in its own version and decodes back to the same value.
fn assert_every_message_round_trips(name: &str, report: &Report) -> usize {
    let mut count = 0;
    for session in &report.sessions {
        for message in &session.messages {
            let envelope = message
                .envelope
                .as_ref()
                .unwrap_or_else(|| panic!("{name}: {} has no decoded envelope", message.rpc));
            assert!(
                !matches!(envelope.message, cwmp::Message::Unknown(_)),
                "{name}: {} kept raw",
                message.rpc
            );
            // Values outside the schema's facets are refused, with the element.
            let xml = match cwmp::encode(envelope, envelope.version) {
                Ok(xml) => xml,
                Err(refused) => {
                    assert!(refused.path.starts_with("Envelope/Body/"), "{name}: {refused}");
                    continue;
                }
            };
            let again = cwmp::decode(xml.as_bytes())
                .unwrap_or_else(|e| panic!("{name}: {} re-encoded badly: {e}\n{xml}", message.rpc));
            assert_eq!(again.envelopes, vec![envelope.clone()], "{name}\n{xml}");
            count += 1;
        }
    }
    count
}

#[test]
fn the_pcap_messages_have_stable_diagnostics_and_round_trip() {
    let report = report("pcap/magma/dp_enb_tr069.pcap");
    assert_eq!(assert_every_message_round_trips("dp_enb_tr069.pcap", &report), 28);
    insta::assert_snapshot!("pcap_diagnostics", diagnostics_listing(&report));
}

#[test]
fn the_debug_log_messages_have_stable_diagnostics_and_round_trip() {
    let report = report("http-logs/magma/enodebd-baicells-qrtb.log");
    assert_eq!(assert_every_message_round_trips("enodebd-baicells-qrtb.log", &report), 84);
    insta::assert_snapshot!("debug_log_diagnostics", diagnostics_listing(&report));
}
