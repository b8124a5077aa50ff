//! Fuzz target: see `cwmpkit_core::fuzzing::pipeline::check_pieces` (the first bytes, up to a 0,
//! are piece lengths; the rest is the input); regression tests run the same check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = cwmpkit_core::fuzzing::pipeline::check_pieces(data) {
        panic!("{violation}");
    }
});
