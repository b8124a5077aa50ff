//! The invariant the `pipeline_chunks` fuzz target checks: the same input cut into pieces anywhere
//! gives the same sessions and findings as the whole input at once.

use super::{Finished, Pipeline};
use crate::capture::{InputKind, Limits, Options};
use crate::session::Session;

/// The whole result of one input, as comparable JSON text.
fn outcome(sessions: Vec<Session>, finished: Finished) -> String {
    let all: Vec<Session> = sessions.into_iter().chain(finished.sessions).collect();
    format!(
        "{:?}|{}|{}|{}|{}|{}|{}|{:?}",
        finished.input,
        serde_json::to_string(&all).unwrap_or_default(),
        serde_json::to_string(&finished.connection_requests).unwrap_or_default(),
        serde_json::to_string(&finished.udp_connection_requests).unwrap_or_default(),
        serde_json::to_string(&finished.tls).unwrap_or_default(),
        serde_json::to_string(&finished.comments).unwrap_or_default(),
        serde_json::to_string(&finished.diagnostics).unwrap_or_default(),
        finished.error,
    )
}

/// Runs `input` through a pipeline in the given pieces; `cuts` are piece lengths, used in turn.
pub fn run_in_pieces(input: &[u8], cuts: &[usize], options: &Options) -> String {
    let mut pipeline = Pipeline::new(options);
    let mut taken = Vec::new();
    let mut at = 0usize;
    let mut turn = 0usize;
    while at < input.len() {
        let len = cuts.get(turn % cuts.len().max(1)).copied().unwrap_or(input.len()).max(1);
        let end = at.saturating_add(len).min(input.len());
        pipeline.push(&input[at..end]);
        taken.extend(pipeline.take_sessions());
        let progress = pipeline.progress();
        debug_assert_eq!(progress.bytes, end as u64);
        at = end;
        turn += 1;
    }
    let finished = pipeline.finish();
    outcome(taken, finished)
}

/// Tight limits so that a fuzz input cannot ask for much memory.
pub fn fuzz_options(input_len: usize) -> Options {
    Options {
        kind: None,
        limits: Limits {
            max_decoded_body_bytes: 64 * 1024 + input_len * 16,
            max_pending_bytes_per_direction: 64 * 1024,
            max_pending_bytes_total: 96 * 1024,
            max_fragment_sets: 64,
            ..Limits::default()
        },
        reveal_secrets: false,
    }
}

/// The fuzz target's check: `data` starts with cut lengths (one byte each, up to the first 0),
/// the rest is the input; whole and in pieces must agree. As a pcap too, so that the frame path
/// is fuzzed even when the input's first bytes are not a capture's magic.
pub fn check_pieces(data: &[u8]) -> Result<(), String> {
    let split = data.iter().position(|&b| b == 0).unwrap_or(0).min(16);
    let cuts: Vec<usize> = data[..split].iter().map(|&b| usize::from(b)).collect();
    let input = data.get(split + 1..).unwrap_or_default();
    for kind in [None, Some(InputKind::Pcap), Some(InputKind::Pcapng)] {
        let options = Options { kind, ..fuzz_options(input.len()) };
        let whole = run_in_pieces(input, &[input.len().max(1)], &options);
        let pieces = run_in_pieces(input, if cuts.is_empty() { &[1] } else { &cuts }, &options);
        if whole != pieces {
            return Err(format!(
                "cut into {cuts:?} the input gives another result:\nwhole:  {whole}\npieces: {pieces}"
            ));
        }
    }
    Ok(())
}
