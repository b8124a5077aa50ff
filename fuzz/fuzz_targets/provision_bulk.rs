//! A CSV of phones and a template (split at the first 0xFF) into bulk generation; checks in
//! `cwmpkit_core::fuzzing::provision::check_bulk`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = cwmpkit_core::fuzzing::provision::check_bulk(data) {
        panic!("{violation}");
    }
});
