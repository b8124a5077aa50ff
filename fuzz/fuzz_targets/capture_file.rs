//! Fuzz target: see `cwmpkit_core::fuzzing::capture::check_capture_file`; regression tests run the same check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = cwmpkit_core::fuzzing::capture::check_capture_file(data) {
        panic!("{violation}");
    }
});
