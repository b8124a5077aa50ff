pub mod diagnostics;
pub mod envelope;
pub mod files;
pub mod millis;
pub mod plan;
pub mod raw_xml;
pub mod session;
pub mod structure;
