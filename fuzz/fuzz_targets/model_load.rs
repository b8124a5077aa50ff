//! Arbitrary bytes as a parameter set of any format and as a compiled schema; checks in
//! `cwmpkit_core::fuzzing::model::check_load_any`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = cwmpkit_core::fuzzing::model::check_load_any(data) {
        panic!("{violation}");
    }
});
