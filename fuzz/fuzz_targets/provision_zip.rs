//! Arbitrary bytes as a zip archive under tight budgets; the checks live in
//! `cwmpkit_core::provision::fuzzing::check_zip` so regression tests run the same ones.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = cwmpkit_core::provision::fuzzing::check_zip(data) {
        panic!("{violation}");
    }
});
