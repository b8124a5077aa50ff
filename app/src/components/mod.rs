pub mod diagnostics;
pub mod envelope;
pub mod structure;
