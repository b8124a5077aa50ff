pub mod diagnostics;
pub mod envelope;
pub mod files;
pub mod keys;
pub mod millis;
pub mod plan;
pub mod session;
pub mod structure;
