//! cwmpkit-core: the CWMP workbench's library.
//!
//! Everything here is sans-IO: bytes and time come in as arguments, values come
//! out. The same code runs in the browser (wasm32), the relay and the CLI.
//! `core/clippy.toml` forbids clocks, files and sockets; `tests/no_io.rs` checks
//! the dependency list stays free of IO crates.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod acs;
pub mod api;
pub mod base;
pub mod capture;
pub mod cwmp;
#[cfg(any(fuzzing, feature = "fuzzing"))]
pub mod fuzzing;
pub mod genieacs;
pub mod model;
pub mod pipeline;
pub mod provision;
pub mod session;

pub use base::{
    DateTime, Diagnostic, Location, Position, Severity, Source, TextIndex, Timestamp, XsdType,
};
