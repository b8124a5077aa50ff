//! Aastra/Mitel provisioning files: `aastra.cfg`, `<model>.cfg`, `<MAC>.cfg`.
//!
//! - [`syntax`]: a lossless reader/writer of the `key: value` syntax.
//! - [`registry`]: what every known key means (data in `core/data/aastra/keys.json`).
//! - [`validate`]: types, ranges, URLs, duplicates, secrets, file names.
//! - [`effective`]: the configuration one phone ends up with, and where each value came from.
//! - [`mapping`]: `tr69 …`/`sip …` keys ↔ TR-069 parameters.
//! - [`generate`]: files from a form, from CSV + template, zipped; reading them back.

mod diagnostic;
pub mod effective;
pub mod generate;
pub mod mapping;
pub mod registry;
pub mod syntax;
pub mod validate;
pub mod zip;

pub use registry::Registry;
pub use syntax::{ConfigFile, Parsed, parse};
pub use validate::{FileRole, file_role, normalize_mac};

use crate::base::Diagnostic;

/// Parses a named file and validates it against the built-in registry: the
/// parser's findings, the file name's and the values', in line order.
pub fn check(name: &str, bytes: &[u8]) -> (ConfigFile, Vec<Diagnostic>) {
    let Parsed { file, mut diagnostics } = parse(bytes);
    diagnostics.extend(validate::check_file_name(name));
    diagnostics.extend(validate::validate(&file, &file_role(name), Registry::builtin()));
    diagnostic::sort_by_place(&mut diagnostics);
    (file, diagnostics)
}
