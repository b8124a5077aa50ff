//! The invariants the fuzz targets check, one module per layer, kept in core so each target
//! (`fuzz/fuzz_targets/`) stays a thin shell and the regression tests in `core/tests/` run the
//! same checks. It sits above every other module (a check may drive several layers), and it is
//! built only for the fuzzer (`cfg(fuzzing)`, which cargo-fuzz sets) and for core's own tests
//! (the `fuzzing` feature, which core's dev-dependency on itself turns on), never into the app
//! or the relay.

pub mod capture;
pub mod cwmp;
pub mod model;
pub mod pipeline;
pub mod provision;
