//! CPE POST bodies into the sans-IO ACS; the checks live in `cwmpkit_core::acs::fuzzing`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = cwmpkit_core::acs::fuzzing::check_session(data) {
        panic!("{violation}");
    }
});
