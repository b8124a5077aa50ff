//! Arbitrary bytes into the CWMP decoder; the checks live in
//! `cwmpkit_core::fuzzing::cwmp` so regression tests run the same ones.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = cwmpkit_core::fuzzing::cwmp::check_decode(data) {
        panic!("{violation}");
    }
});
