//! The streaming pipeline: the same input in any pieces gives the same result as the whole input
//! at once, sessions come out while the input is still being read, and progress counts up.

// The test is the host, not core: it reads corpus files.
#![allow(clippy::disallowed_methods)]

use cwmpkit_core::capture::replicate::replicate;
use cwmpkit_core::capture::{InputKind, Options};
use cwmpkit_core::fuzzing::pipeline as fuzzing;
use cwmpkit_core::pipeline::Pipeline;
use proptest::prelude::*;

#[path = "hostile/inputs.rs"]
mod inputs;

const MAGMA_PCAP: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/pcap/magma/dp_enb_tr069.pcap");
const MAGMA_CLIENT: [u8; 4] = [10, 0, 2, 243];

fn magma() -> Vec<u8> {
    std::fs::read(MAGMA_PCAP).unwrap()
}

fn whole(input: &[u8]) -> String {
    fuzzing::run_in_pieces(input, &[input.len()], &Options::default(), false)
}

#[test]
fn any_cut_of_the_magma_capture_gives_the_same_sessions() {
    let input = magma();
    let expected = whole(&input);
    assert!(expected.contains("\"rpc\":\"GetParameterValuesResponse\""));
    for cuts in [&[1][..], &[7], &[24, 16, 3], &[1460], &[4096, 1], &[65_536], &[88_000, 1]] {
        let got = fuzzing::run_in_pieces(&input, cuts, &Options::default(), false);
        assert!(got == expected, "pieces {cuts:?} changed the result");
        let got = fuzzing::run_in_pieces(&input, cuts, &Options::default(), true);
        assert!(got == expected, "pieces {cuts:?} changed the result");
    }
}

#[test]
fn text_inputs_in_pieces_give_the_same_sessions() {
    let transcript = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/magma-follow-tcp-window-stream1.txt"
    ))
    .unwrap();
    let expected = whole(&transcript);
    assert!(expected.contains("\"rpc\":\"Inform\""), "{expected:.300}");
    for cuts in [&[1][..], &[3], &[1000, 1]] {
        assert_eq!(fuzzing::run_in_pieces(&transcript, cuts, &Options::default(), true), expected);
    }
}

#[test]
fn sessions_come_out_while_the_capture_is_read() {
    let input = replicate(&magma(), MAGMA_CLIENT.into(), 2_000_000).unwrap();
    let mut pipeline = Pipeline::new(&Options::default());
    let mut streamed = Vec::new();
    let mut progress = Vec::new();
    for piece in input.chunks(256 * 1024) {
        pipeline.push(piece);
        assert_eq!(pipeline.input_kind(), Some(InputKind::Pcap));
        streamed.extend(pipeline.take_sessions());
        progress.push((pipeline.progress(), streamed.len()));
    }
    let before_end = streamed.len();
    let finished = pipeline.finish();
    let all: Vec<_> = streamed.into_iter().chain(finished.sessions).collect();
    // 23 copies of the magma flows, 3 sessions of 28 messages each.
    let copies = all.len() / 3;
    assert_eq!(all.len(), copies * 3);
    assert!(copies >= 22, "{copies} copies");
    assert_eq!(all.iter().map(|s| s.messages.len()).sum::<usize>(), copies * 28);
    assert!(before_end >= all.len() - 3, "only {before_end} of {} came out early", all.len());
    let rules = |s: &cwmpkit_core::session::Session| -> Vec<String> {
        s.findings.iter().map(|f| f.code.to_string()).collect()
    };
    for (index, session) in all.iter().enumerate() {
        assert_eq!(session.index as usize, index + 1);
        assert!(session.ended);
        // Every copy is checked as the original is (magma's ACS answers one Inform without ID).
        assert_eq!(rules(session), rules(&all[index % 3]));
        assert_eq!(session.cpe, all[0].cpe);
    }
    assert!(all.windows(2).all(|w| w[0].start <= w[1].start), "in the order they start");
    // Progress counts up with every piece: bytes exactly, sessions and messages as found.
    for pair in progress.windows(2) {
        let ((a, _), (b, taken)) = (pair[0], pair[1]);
        assert!(b.bytes > a.bytes && b.sessions >= a.sessions && b.messages >= a.messages);
        assert!(b.sessions >= taken);
    }
    assert_eq!(progress.last().unwrap().0.bytes, input.len() as u64);
}

/// `connections` CPEs that each open a connection and send an Inform, and none of which the
/// capture sees close: all of them are still open when the input ends.
fn informs_left_open(connections: usize) -> Vec<u8> {
    let mut pcap = inputs::Pcap::new();
    for n in 0..connections {
        let from = inputs::client(n);
        let body = inputs::inform(n);
        let request = format!("POST /acs HTTP/1.1\r\nContent-Length: {}\r\n\r\n{body}", body.len());
        pcap.tcp(from, inputs::ACS, 999, inputs::SYN, b"");
        pcap.tcp(from, inputs::ACS, 1000, inputs::ACK | inputs::PSH, request.as_bytes());
    }
    pcap.bytes
}

#[test]
fn connections_open_at_the_end_are_handed_over_a_batch_at_a_time() {
    let connections = 700;
    let input = informs_left_open(connections);
    let expected = whole(&input);
    for cuts in [&[input.len()][..], &[1460], &[100, 7]] {
        let got = fuzzing::run_in_pieces(&input, cuts, &Options::default(), true);
        assert!(got == expected, "pieces {cuts:?} with jobs changed the result");
    }

    let mut pipeline = Pipeline::new(&Options::default());
    pipeline.hand_out_decoding();
    pipeline.push(&input);
    assert!(pipeline.take_jobs().is_empty(), "no connection is over before the input ends");
    pipeline.end_input();
    let mut batches = Vec::new();
    let mut taken = Vec::new();
    while pipeline.has_more_jobs() {
        let jobs = pipeline.take_jobs();
        batches.push(jobs.len());
        for job in jobs {
            pipeline.complete(job.run());
        }
        taken.extend(pipeline.take_sessions());
    }
    assert!(batches.len() >= 3 && batches.iter().all(|&n| n <= 256), "batches {batches:?}");
    assert_eq!(batches.iter().sum::<usize>(), connections);
    assert!(!taken.is_empty(), "sessions come out while the open connections are handed over");
    let early = taken.len();
    let finished = pipeline.finish();
    let all: Vec<_> = taken.into_iter().chain(finished.sessions).collect();
    assert!(early < all.len());
    assert_eq!(all.len(), connections);
    for (index, session) in all.iter().enumerate() {
        assert_eq!(session.index as usize, index + 1);
        let serial = &session.cpe.as_ref().expect("the Inform names its CPE").serial_number;
        assert_eq!(serial, &format!("SN{index:08}"), "in the order they start");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn random_cuts_give_the_same_sessions(cuts in prop::collection::vec(1usize..5000, 1..6)) {
        let input = magma();
        let expected = whole(&input);
        prop_assert_eq!(fuzzing::run_in_pieces(&input, &cuts, &Options::default(), true), expected);
    }
}
