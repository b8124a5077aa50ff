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
