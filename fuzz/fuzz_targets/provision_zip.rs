//! Arbitrary bytes as a zip archive under tight budgets; the checks live in
//! `cwmpkit_core::fuzzing::provision::check_zip` so regression tests run the same ones.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = cwmpkit_core::fuzzing::provision::check_zip(data) {
        panic!("{violation}");
    }
});
