//! One pass of the capture pipeline over a file, on one thread, as the decode worker runs it:
//! for profiling (`valgrind --tool=callgrind`, `heaptrack`). Prints the message count.
// An example reads its own file; core itself takes bytes, never paths.
#![allow(clippy::disallowed_methods)]
use cwmpkit_core::capture::Options;
use cwmpkit_core::pipeline::Pipeline;

fn main() {
    let path = std::env::args().nth(1).expect("usage: pipeline_pass FILE");
    let bytes = std::fs::read(&path).expect("readable file");
    let mut pipeline = Pipeline::new(&Options::default());
    let mut sessions = Vec::new();
    for piece in bytes.chunks(1 << 20) {
        pipeline.push(piece);
        sessions.extend(pipeline.take_sessions());
    }
    sessions.extend(pipeline.finish().sessions);
    let messages: usize = sessions.iter().map(|session| session.messages.len()).sum();
    println!("{} sessions, {messages} messages", sessions.len());
}
