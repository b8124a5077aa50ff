//! The invariant the `pipeline_chunks` fuzz target checks: the same input cut into pieces anywhere
//! gives the same sessions and findings as the whole input at once, whether the pipeline decodes
//! connections itself or hands them out as jobs given back out of order.

use crate::capture::{InputKind, Limits, Options};
use crate::pipeline::{Finished, Pipeline};
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
/// With `jobs`, decoding is handed out and each batch of jobs is given back in reverse order.
pub fn run_in_pieces(input: &[u8], cuts: &[usize], options: &Options, jobs: bool) -> String {
    let mut pipeline = Pipeline::new(options);
    if jobs {
        pipeline.hand_out_decoding();
    }
    let run_jobs = |pipeline: &mut Pipeline| {
        let done: Vec<_> = pipeline.take_jobs().into_iter().map(|job| job.run()).collect();
        for done in done.into_iter().rev() {
            pipeline.complete(done);
        }
    };
    let mut taken = Vec::new();
    let mut at = 0usize;
    let mut turn = 0usize;
    while at < input.len() {
        let len = cuts.get(turn % cuts.len().max(1)).copied().unwrap_or(input.len()).max(1);
        let end = at.saturating_add(len).min(input.len());
        pipeline.push(&input[at..end]);
        run_jobs(&mut pipeline);
        taken.extend(pipeline.take_sessions());
        at = end;
        turn += 1;
    }
    pipeline.end_input();
    run_jobs(&mut pipeline);
    taken.extend(pipeline.take_sessions());
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
        let whole = run_in_pieces(input, &[input.len().max(1)], &options, false);
        let cuts = if cuts.is_empty() { vec![1] } else { cuts.clone() };
        let pieces = run_in_pieces(input, &cuts, &options, true);
        if whole != pieces {
            return Err(format!(
                "cut into {cuts:?} the input gives another result:\nwhole:  {whole}\npieces: {pieces}"
            ));
        }
    }
    Ok(())
}
