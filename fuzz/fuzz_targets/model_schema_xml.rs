//! Arbitrary bytes as BBF data-model XML; the checks live in
//! `cwmpkit_core::fuzzing::model` so regression tests run the same ones.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = cwmpkit_core::fuzzing::model::check_schema_xml(data) {
        panic!("{violation}");
    }
});
