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

/// A pasted envelope the codec rejects is read once: the message keeps where the codec stopped
/// (what the Decode page shows as the line and column), the same as the codec says of that body.
#[test]
fn soap_text_the_codec_rejects_keeps_where_it_stopped() {
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/soap/");
    let bogus = std::fs::read(format!("{corpus}rust-cwmp-crate/bogus_inform_1.xml")).unwrap();
    let report = cwmpkit_core::pipeline::analyze(&bogus, &Options::default()).unwrap();
    assert_eq!(report.input, InputKind::Soap);
    let messages: Vec<_> = report.sessions.iter().flat_map(|s| &s.messages).collect();
    assert_eq!(messages.len(), 1);
    let kept = messages[0].codec_error.as_ref().expect("the codec's error is kept");
    let alone = cwmpkit_core::cwmp::decode(messages[0].raw.body.as_bytes()).unwrap_err();
    assert_eq!(
        (kept.position, &kept.message, &kept.path),
        (alone.position, &alone.message, &alone.path)
    );
    assert!(kept.position.line > 1, "{kept:?}");
    let said = messages[0].diagnostics.iter().find(|d| d.code == "codec-error").unwrap();
    assert_eq!(said.message, kept.to_string());

    let inform = std::fs::read(format!("{corpus}rust-cwmp-crate/inform_1.xml")).unwrap();
    let report = cwmpkit_core::pipeline::analyze(&inform, &Options::default()).unwrap();
    assert!(report.sessions[0].messages[0].envelope.is_some());
    assert!(report.sessions[0].messages.iter().all(|m| m.codec_error.is_none()));
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

/// Corpus and fixture inputs of each kind the pipeline streams or reads whole, for the fuzz
/// target's check (`fuzzing::pipeline::check_pieces`) and its pieces.
mod chunk_boundaries {
    use super::*;

    const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/");
    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
    /// The kinds the fuzz target reads every input as: its own, and forced to each capture file.
    const KINDS: [Option<InputKind>; 3] = [None, Some(InputKind::Pcap), Some(InputKind::Pcapng)];
    /// Small inputs are cut at every point; this is how small.
    const SMALL: usize = 3000;

    fn read(path: String) -> Vec<u8> {
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// (name, input, what its whole result must hold): a SOAP envelope, a pcap, a pcapng and
    /// an ACS log, whole.
    fn seeds() -> Vec<(&'static str, Vec<u8>, &'static str)> {
        vec![
            (
                "SOAP envelope",
                read(format!("{CORPUS}soap/freeacs/Inform.xml")),
                "\"rpc\":\"Inform\"",
            ),
            ("pcap", magma(), "\"rpc\":\"GetParameterValuesResponse\""),
            (
                "pcapng",
                read(format!("{FIXTURES}genieacs-sim-ssid.pcapng")),
                "\"rpc\":\"GetParameterValuesResponse\"",
            ),
            (
                "enodebd log",
                read(format!("{CORPUS}http-logs/magma/enodebd-baicells-qrtb.log")),
                "\"rpc\":\"Inform\"",
            ),
        ]
    }

    /// The first `SMALL` bytes or fewer of each seed: a capture cut inside a record, a log cut
    /// at the end of the line that carries its first message.
    fn small_seeds() -> Vec<(&'static str, Vec<u8>)> {
        seeds()
            .into_iter()
            .map(|(name, mut input, _)| {
                if name == "enodebd log" {
                    let message = memchr_line_end(&input, b"Handling TR069 message: Inform");
                    input.truncate(message);
                }
                input.truncate(SMALL);
                (name, input)
            })
            .collect()
    }

    /// The end (after its newline) of the first line holding `needle`.
    fn memchr_line_end(input: &[u8], needle: &[u8]) -> usize {
        let at = input.windows(needle.len()).position(|w| w == needle).expect("the needle");
        input[at..].iter().position(|&b| b == b'\n').map_or(input.len(), |p| at + p + 1)
    }

    /// The whole input's result for each of `KINDS`, under the fuzz target's tight limits.
    fn wholes(input: &[u8]) -> Vec<(Options, String)> {
        KINDS
            .iter()
            .map(|&kind| {
                let options = Options { kind, ..fuzzing::fuzz_options(input.len()) };
                let whole = fuzzing::run_in_pieces(input, &[input.len().max(1)], &options, false);
                (options, whole)
            })
            .collect()
    }

    fn assert_same_in_pieces(
        name: &str,
        input: &[u8],
        wholes: &[(Options, String)],
        cuts: &[usize],
    ) {
        for (options, whole) in wholes {
            let pieces = fuzzing::run_in_pieces(input, cuts, options, true);
            assert!(
                &pieces == whole,
                "the {name} read as {:?} and cut into {cuts:?} gives another result",
                options.kind
            );
        }
    }

    /// The fuzz target's own check, with its input encoding: piece lengths (1 to 255 each, at
    /// most 16), a 0, then the input.
    fn check_as_the_fuzz_target(name: &str, input: &[u8], cuts: &[u8]) {
        assert!(cuts.len() <= 16 && !cuts.contains(&0));
        let mut data = cuts.to_vec();
        data.push(0);
        data.extend_from_slice(input);
        if let Err(violation) = fuzzing::check_pieces(&data) {
            panic!("the {name} cut into {cuts:?}: {violation}");
        }
    }

    /// Numbers that repeat from one run to the next (xorshift64*), for cut patterns.
    struct Seeded(u64);

    impl Seeded {
        fn below(&mut self, bound: usize) -> usize {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as usize % bound.max(1)
        }

        /// 1 to 6 piece lengths, each a few bytes, about a segment, or a large share of `len`.
        fn cuts(&mut self, len: usize) -> Vec<usize> {
            (0..1 + self.below(6))
                .map(|_| {
                    1 + match self.below(3) {
                        0 => self.below(16),
                        1 => self.below(1500),
                        _ => self.below(len / 2),
                    }
                })
                .collect()
        }
    }

    #[test]
    fn the_seeds_decode_to_messages_whole() {
        for (name, input, expected) in seeds() {
            let whole = &wholes(&input)[0].1;
            assert!(whole.contains(expected), "the {name} gives {whole:.300}");
        }
        // The small seeds still hold what they are cut for: a message, or the start of a capture.
        let small = small_seeds();
        assert!(wholes(&small[0].1)[0].1.contains("\"rpc\":\"Inform\""));
        assert!(wholes(&small[3].1)[0].1.contains("\"rpc\":\"Inform\""));
        assert!(wholes(&small[1].1)[0].1.starts_with("Some(Pcap)"));
        assert!(wholes(&small[2].1)[0].1.starts_with("Some(Pcapng)"));
    }

    #[test]
    fn small_inputs_cut_at_every_point_give_the_same_result() {
        for (name, input) in small_seeds() {
            let wholes = wholes(&input);
            for at in 1..input.len() {
                assert_same_in_pieces(name, &input, &wholes, &[at, input.len()]);
            }
        }
    }

    #[test]
    fn small_inputs_in_pieces_of_every_length_pass_the_fuzz_targets_check() {
        for (name, input) in small_seeds() {
            for length in 1..=255u8 {
                check_as_the_fuzz_target(name, &input, &[length]);
            }
        }
    }

    #[test]
    fn whole_inputs_cut_at_seeded_random_points_give_the_same_result() {
        let mut random = Seeded(0x005e_ed13);
        for (name, input, _) in seeds() {
            let wholes = wholes(&input);
            for _ in 0..12 {
                let cuts = random.cuts(input.len());
                assert_same_in_pieces(name, &input, &wholes, &cuts);
            }
            for _ in 0..4 {
                let cuts: Vec<u8> =
                    (0..1 + random.below(16)).map(|_| 1 + random.below(255) as u8).collect();
                check_as_the_fuzz_target(name, &input, &cuts);
            }
        }
    }
}
