//! One pass of the capture pipeline over a file, on one thread, as the decode worker runs it:
//! for profiling (`valgrind --tool=callgrind`, `heaptrack`). Prints the message count and the
//! time. `pipeline_pass FILE [PIECE_BYTES]` (1 MiB when not given).
// An example reads its own file (and the clock); core itself takes bytes, never paths.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]
use cwmpkit_core::capture::Options;
use cwmpkit_core::pipeline::Pipeline;

fn main() {
    let path = std::env::args().nth(1).expect("usage: pipeline_pass FILE");
    let piece_bytes = std::env::args().nth(2).and_then(|n| n.parse().ok()).unwrap_or(1 << 20);
    let bytes = std::fs::read(&path).expect("readable file");
    let started = std::time::Instant::now();
    let mut pipeline = Pipeline::new(&Options::default());
    let mut sessions = Vec::new();
    for piece in bytes.chunks(piece_bytes) {
        pipeline.push(piece);
        sessions.extend(pipeline.take_sessions());
    }
    sessions.extend(pipeline.finish().sessions);
    let messages: usize = sessions.iter().map(|session| session.messages.len()).sum();
    let took = started.elapsed();
    println!("{} sessions, {messages} messages, {took:.2?}", sessions.len());
}
