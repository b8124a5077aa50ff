//! Findings about a config file, each at a line and column.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable identifier (`unknown-key`, `expects-number`, …) for filters and tests.
    pub code: String,
    /// 1-based; 0 when the finding concerns the file as a whole (its name).
    pub line: u32,
    /// 1-based character column; 0 with `line` 0.
    pub column: u32,
    pub message: String,
    /// A replacement the user probably meant (a key name, a normalised value).
    pub suggestion: Option<String>,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: &str, line: u32, column: u32, message: String) -> Self {
        Diagnostic { severity, code: code.to_owned(), line, column, message, suggestion: None }
    }

    pub fn with_suggestion(mut self, suggestion: impl Into<String>) -> Self {
        self.suggestion = Some(suggestion.into());
        self
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "line {}: ", self.line)?;
        }
        f.write_str(&self.message)?;
        if let Some(suggestion) = &self.suggestion {
            write!(f, " (did you mean `{suggestion}`?)")?;
        }
        Ok(())
    }
}

/// The findings about one file, at most `cap` of them kept: past it, one `findings-dropped`
/// finding counts the rest by code, so a file of a million bad lines costs a bounded list.
#[derive(Debug)]
pub(crate) struct Findings {
    kept: Vec<Diagnostic>,
    cap: usize,
    dropped: std::collections::BTreeMap<String, usize>,
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
            self.kept.push(Diagnostic::new(
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
