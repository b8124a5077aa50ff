//! Arbitrary bytes into the Aastra config parser, validator and mapper; the
//! checks live in `cwmpkit_core::fuzzing::provision` so regression tests run them too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = cwmpkit_core::fuzzing::provision::check_parse(data) {
        panic!("{violation}");
    }
});
