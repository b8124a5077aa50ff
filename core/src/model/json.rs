//! cwmpkit's JSON format for parameter sets.
//!
//! ```json
//! { "format": "cwmpkit-parameters/1",
//!   "metadata": { "DeviceID.OUI": "00085D" },
//!   "parameters": [
//!     { "path": "Device.ManagementServer.PeriodicInformInterval", "value": "600",
//!       "type": "unsignedInt", "writable": true, "notification": 2 } ] }
//! ```
//! Every entry field but `path` is optional, so the same format describes a
//! full dump or a desired state. For hand-written desired states a flat
//! object `{ "Device.X": "value", "Device.Y": 5 }` is accepted too.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::genieacs_dump::Loaded;
use super::path::Path;
use super::set::{Entry, ParameterSet, Provenance};
use crate::base::{Diagnostic, Severity, Source};

pub const FORMAT: &str = "cwmpkit-parameters/1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Document {
    format: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    metadata: BTreeMap<String, String>,
    parameters: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum JsonLoadError {
    #[error("line {line}, column {column}: {message}")]
    Syntax { line: usize, column: usize, message: String },
    #[error(
        "expected `{{\"format\": \"{FORMAT}\", \"parameters\": [...]}}` or a flat object of path: value"
    )]
    Shape,
    #[error("format `{0}` is not {FORMAT}")]
    Format(String),
}

/// Writes a set as pretty JSON (stable order: by path).
pub fn to_json(set: &ParameterSet) -> String {
    let document = Document {
        format: FORMAT.into(),
        metadata: set.metadata.clone(),
        parameters: set.entries().cloned().collect(),
    };
    // Serializing strings, numbers and maps to a String cannot fail.
    serde_json::to_string_pretty(&document).unwrap_or_default()
}

/// Reads the JSON format (or a flat path → value object).
pub fn from_json(text: &str, source: &str) -> Result<Loaded, JsonLoadError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        JsonLoadError::Syntax { line: e.line(), column: e.column(), message: e.to_string() }
    })?;
    let serde_json::Value::Object(object) = value else { return Err(JsonLoadError::Shape) };
    let mut diagnostics = Vec::new();
    if let Some(format) = object.get("format") {
        let format = format.as_str().unwrap_or_default();
        if format != FORMAT {
            return Err(JsonLoadError::Format(format.to_string()));
        }
        let document: Document = serde_json::from_value(serde_json::Value::Object(object))
            .map_err(|e| JsonLoadError::Syntax { line: 0, column: 0, message: e.to_string() })?;
        let mut set = ParameterSet::new();
        set.metadata = document.metadata;
        for (index, mut entry) in document.parameters.into_iter().enumerate() {
            if let Err(error) = Path::parse(&entry.path) {
                diagnostics.push(Diagnostic::new(
                    Severity::Warning,
                    Source::Model,
                    "bad-parameter",
                    format!("parameter {index}: {error}"),
                ));
            }
            if entry.provenance.is_empty() {
                entry.provenance.push(Provenance::new(source));
            }
            set.insert(entry);
        }
        return Ok(Loaded { set, diagnostics });
    }
    let mut set = ParameterSet::new();
    for (path, value) in object {
        if let Err(error) = Path::parse(&path) {
            diagnostics.push(Diagnostic::new(
                Severity::Warning,
                Source::Model,
                "bad-path",
                error.to_string(),
            ));
        }
        let mut entry = if path.ends_with('.') {
            Entry::object(path)
        } else {
            let text = match value {
                serde_json::Value::String(text) => text,
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            Entry::parameter(path, text)
        };
        entry.provenance.push(Provenance::new(source));
        set.insert(entry);
    }
    Ok(Loaded { set, diagnostics })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_flat_form() {
        let mut set = ParameterSet::new();
        set.insert(Entry {
            writable: Some(true),
            notification: Some(2),
            value_type: Some("unsignedInt".into()),
            provenance: vec![Provenance::at_line("dump.csv", 7)],
            ..Entry::parameter("Device.A", "5")
        });
        set.insert(Entry {
            provenance: vec![Provenance::new("gpn")],
            ..Entry::object("Device.B.1")
        });
        set.metadata.insert("DeviceID.OUI".into(), "00085D".into());
        let text = to_json(&set);
        assert_eq!(from_json(&text, "x").unwrap().set, set);

        let flat =
            from_json(r#"{"Device.A": 5, "Device.C": "x", "Device.B.2.": null}"#, "desired.json")
                .unwrap();
        assert_eq!(flat.set.get("Device.A").unwrap().value.as_deref(), Some("5"));
        assert!(flat.set.get("Device.B.2.").unwrap().object);
        assert!(matches!(from_json("[1]", "x"), Err(JsonLoadError::Shape)));
        assert!(matches!(from_json("{\"format\": \"v9\"}", "x"), Err(JsonLoadError::Format(_))));
        assert!(matches!(from_json("{", "x"), Err(JsonLoadError::Syntax { line: 1, .. })));
    }
}
