//! Findings about a config file are [`Diagnostic`]s from [`Source::Config`], each at a line
//! and column of the file, or about the file as a whole (its name, a missing key).

use crate::base::{Diagnostic, Location, Severity, Source};

/// A finding at `line` (1-based) and character `column` (1-based; 0 when it concerns the
/// whole line), or about the whole file when `line` is 0.
pub(crate) fn config_diagnostic(
    severity: Severity,
    code: &'static str,
    line: u32,
    column: u32,
    message: String,
) -> Diagnostic {
    let location = match (line, column) {
        (0, _) => Location::Input,
        (line, 0) => Location::line(line),
        (line, column) => Location::line_column(line, column),
    };
    Diagnostic::new(severity, Source::Config, code, message).at(location)
}

/// Findings in file order; those about the whole file first.
pub(crate) fn sort_by_place(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| {
        (d.location.line_number().unwrap_or(0), d.location.column_number().unwrap_or(0))
    });
}
