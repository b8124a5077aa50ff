//! Arbitrary bytes as parameter paths and as a GenieACS CSV dump; the checks
//! live in `cwmpkit_core::fuzzing::model` so regression tests run the same ones.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = cwmpkit_core::fuzzing::model::check_paths_and_csv(data) {
        panic!("{violation}");
    }
});
