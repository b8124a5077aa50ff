pub mod diagnostics;
pub mod envelope;
pub mod session;
pub mod structure;
