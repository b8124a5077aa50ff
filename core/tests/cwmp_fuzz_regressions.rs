//! Inputs the fuzzer (fuzz/, target `cwmp_decode`) found, each a named case
//! run through the same check as the fuzz target.
// reason: tests are the host here; they read the shared corpus from disk.
#![allow(clippy::disallowed_methods)]

use cwmpkit_core::cwmp::fuzzing::check_decode;

fn holds(input: &[u8]) {
    if let Err(violation) = check_decode(input) {
        panic!("{violation}");
    }
}

/// The fuzzer's seeds: every real message holds the invariants.
#[test]
fn corpus_seeds_hold() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/soap");
    let mut stack = vec![std::path::PathBuf::from(root)];
    let mut seen = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                holds(&std::fs::read(&path).unwrap());
                seen += 1;
            }
        }
    }
    assert_eq!(seen, 83);
}
