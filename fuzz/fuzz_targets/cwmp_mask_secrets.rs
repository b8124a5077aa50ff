//! Arbitrary bytes through the secret masker (`cwmp::secrets::mask_secrets`, what recordings
//! and logs write instead of a body); the checks live in `cwmpkit_core::fuzzing::cwmp`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = cwmpkit_core::fuzzing::cwmp::check_mask_secrets(data) {
        panic!("{violation}");
    }
});
