pub mod diagnostics;
pub mod envelope;
