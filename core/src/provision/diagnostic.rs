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

/// The findings about one file, at most `cap` of them kept: past it, one `findings-dropped`
/// finding counts the rest by code, so a file of a million bad lines costs a bounded list.
#[derive(Debug)]
pub(crate) struct Findings {
    kept: Vec<Diagnostic>,
    cap: usize,
    dropped: std::collections::BTreeMap<std::borrow::Cow<'static, str>, usize>,
}

impl Findings {
    pub(crate) fn new(cap: usize) -> Self {
        Findings { kept: Vec::new(), cap, dropped: std::collections::BTreeMap::new() }
    }

    pub(crate) fn push(&mut self, diagnostic: Diagnostic) {
        if self.kept.len() < self.cap {
            self.kept.push(diagnostic);
        } else {
            *self.dropped.entry(diagnostic.code).or_default() += 1;
        }
    }

    pub(crate) fn extend(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        for diagnostic in diagnostics {
            self.push(diagnostic);
        }
    }

    pub(crate) fn into_vec(mut self) -> Vec<Diagnostic> {
        if !self.dropped.is_empty() {
            let total: usize = self.dropped.values().sum();
            let by_code: Vec<String> =
                self.dropped.iter().map(|(code, count)| format!("{code} {count}")).collect();
            self.kept.push(config_diagnostic(
                Severity::Warning,
                "findings-dropped",
                0,
                0,
                format!(
                    "{total} more findings were not kept (at most {} per file): {}",
                    self.cap,
                    by_code.join(", ")
                ),
            ));
        }
        self.kept
    }
}
