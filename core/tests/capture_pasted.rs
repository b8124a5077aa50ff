//! Captures pasted as text: `od` dumps of the corpus pcap, and Wireshark/tshark "Follow TCP
//! stream" text of one of its connections (fixtures made by tshark, see `fixtures/README.md`).

// The test is the host, not core: it reads files and runs coreutils' `od`.
#![allow(clippy::disallowed_methods)]

use cwmpkit_core::capture::{self, InputKind, Options};
use cwmpkit_core::pipeline;
use cwmpkit_core::session::{self, Direction, Report};
use serde_json::Value;
use std::process::Command;

const MAGMA_PCAP: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/pcap/magma/dp_enb_tr069.pcap");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn od(args: &[&str]) -> Vec<u8> {
    let output = Command::new("od").args(args).arg(MAGMA_PCAP).output().expect("od runs");
    assert!(output.status.success());
    output.stdout
}

fn sessions_json(report: &Report) -> Value {
    serde_json::to_value(&report.sessions).unwrap()
}

#[test]
fn od_dumps_of_the_capture_give_the_capture_s_sessions() {
    let direct =
        pipeline::analyze(&std::fs::read(MAGMA_PCAP).unwrap(), &Options::default()).unwrap();
    assert_eq!(direct.sessions.len(), 3);
    for args in [&[][..], &["-A", "x", "-t", "x1z"], &["-x"], &["-A", "x", "-t", "x1"]] {
        let dump = od(args);
        assert_eq!(capture::detect(&dump), Some(InputKind::HexDump), "od {args:?}");
        let report = pipeline::analyze(&dump, &Options::default()).unwrap();
        assert_eq!(sessions_json(&report), sessions_json(&direct), "od {args:?}");
        assert!(report.diagnostics.iter().any(|d| d.code == "unwrapped"));
        // Nothing was left over or cut: the same diagnostics as the file itself, plus `unwrapped`.
        assert_eq!(report.diagnostics.len(), direct.diagnostics.len() + 1, "od {args:?}");
    }
}

fn follow_fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap()
}

/// Stream 1 of the corpus capture: the session with the SetParameterValues.
fn check_stream_1(report: &Report) {
    assert_eq!(report.input, InputKind::HttpTranscript);
    assert_eq!(report.sessions.len(), 1);
    let session = &report.sessions[0];
    let rpcs: Vec<(&str, Direction)> =
        session.messages.iter().map(|m| (&*m.rpc, m.direction)).collect();
    assert_eq!(rpcs.len(), 12);
    assert_eq!(rpcs[0], ("Inform", Direction::CpeToAcs));
    assert_eq!(rpcs[8], ("SetParameterValues", Direction::AcsToCpe));
    assert_eq!(rpcs[9], ("SetParameterValuesResponse", Direction::CpeToAcs));
    for message in &session.messages {
        assert!(message.envelope.is_some(), "{}: {:?}", message.rpc, message.diagnostics);
        assert!(
            message.diagnostics.iter().all(|d| d.source != cwmpkit_core::Source::Http),
            "{}: {:?}",
            message.rpc,
            message.diagnostics
        );
    }
    let kinds: Vec<&str> = session.exchanges.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["empty-post", "session-end"]);
    assert!(session.ended);
}

#[test]
fn tshark_follow_tcp_ascii_output_gives_the_session_with_its_endpoints() {
    let text = follow_fixture("magma-follow-tcp-ascii-stream1.txt");
    assert_eq!(capture::detect(&text), Some(InputKind::HttpTranscript));
    let report = pipeline::analyze(&text, &Options::default()).unwrap();
    check_stream_1(&report);
    let session = &report.sessions[0];
    assert_eq!(session.cpe_address.unwrap().to_string(), "10.0.2.243:49640");
    assert_eq!(session.acs_address.unwrap().to_string(), "192.88.99.142:8443");
    // The same messages as the capture's second session, in the same order.
    let direct =
        pipeline::analyze(&std::fs::read(MAGMA_PCAP).unwrap(), &Options::default()).unwrap();
    let rpcs =
        |s: &session::Session| s.messages.iter().map(|m| m.rpc.to_string()).collect::<Vec<_>>();
    assert_eq!(rpcs(session), rpcs(&direct.sessions[1]));
}

#[test]
fn the_follow_stream_window_text_gives_the_same_session() {
    let text = follow_fixture("magma-follow-tcp-window-stream1.txt");
    assert_eq!(capture::detect(&text), Some(InputKind::HttpTranscript));
    let report = pipeline::analyze(&text, &Options::default()).unwrap();
    check_stream_1(&report);
    let from_tshark = pipeline::analyze(
        &follow_fixture("magma-follow-tcp-ascii-stream1.txt"),
        &Options::default(),
    )
    .unwrap();
    let rpcs =
        |r: &Report| r.sessions[0].messages.iter().map(|m| m.rpc.to_string()).collect::<Vec<_>>();
    assert_eq!(rpcs(&report), rpcs(&from_tshark));
}
