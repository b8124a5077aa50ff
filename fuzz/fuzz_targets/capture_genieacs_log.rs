//! Arbitrary bytes as a GenieACS debug log; checks in
//! `cwmpkit_core::fuzzing::capture::check_genieacs_log`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = cwmpkit_core::fuzzing::capture::check_genieacs_log(data) {
        panic!("{violation}");
    }
});
