//! One kind of finding for every reader and checker in core: how serious it is, a stable code,
//! a message a user can act on, where it is, and which layer or checker found it.

use super::position::Position;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// How serious a diagnostic is.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing, harmless (an expected variation such as a vendor extension).
    #[default]
    Info,
    /// Deviates from the schema or the specification; a tolerant peer copes.
    Warning,
    /// Data was lost or could not be understood.
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in its input a diagnostic points. Each reader uses the most precise form it knows;
/// none uses a magic number for "the whole input".
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Location {
    /// The input as a whole (its name, its kind, something missing from it).
    #[default]
    Input,
    /// A byte of a binary input, such as a capture file.
    Byte { offset: usize },
    /// A place in a text whose bytes the reader kept.
    Text(Position),
    /// A line of a text read line by line (a config file, a CSV row), with the character
    /// column when the finding concerns part of the line.
    Line {
        line: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        column: Option<u32>,
    },
    /// An XML element, by its path (`Envelope/Body/Inform/Event`), and where it stands.
    Element {
        path: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<Position>,
    },
    /// A parameter or object of a data model (`Device.DeviceInfo.SerialNumber`).
    Parameter { path: String },
    /// A message of a CWMP session, by its index in the session's messages (0-based).
    Message { index: usize },
}

impl Location {
    pub fn line(line: u32) -> Location {
        Location::Line { line, column: None }
    }

    pub fn line_column(line: u32, column: u32) -> Location {
        Location::Line { line, column: Some(column) }
    }

    pub fn element(path: impl Into<String>, at: Position) -> Location {
        Location::Element { path: path.into(), at: Some(at) }
    }

    pub fn parameter(path: impl Into<String>) -> Location {
        Location::Parameter { path: path.into() }
    }

    pub fn is_input(&self) -> bool {
        matches!(self, Location::Input)
    }

    /// The 1-based line, when the location has one.
    pub fn line_number(&self) -> Option<u32> {
        match self {
            Location::Text(position) | Location::Element { at: Some(position), .. } => {
                Some(position.line)
            }
            Location::Line { line, .. } => Some(*line),
            _ => None,
        }
    }

    /// The 1-based character column, when the location has one.
    pub fn column_number(&self) -> Option<u32> {
        match self {
            Location::Text(position) | Location::Element { at: Some(position), .. } => {
                Some(position.column)
            }
            Location::Line { column, .. } => *column,
            _ => None,
        }
    }

    /// The byte offset in the input, when the location has one.
    pub fn byte_offset(&self) -> Option<usize> {
        match self {
            Location::Byte { offset } => Some(*offset),
            Location::Text(position) | Location::Element { at: Some(position), .. } => {
                Some(position.offset)
            }
            _ => None,
        }
    }

    /// The index of the session message, when the location is one.
    pub fn message_index(&self) -> Option<usize> {
        match self {
            Location::Message { index } => Some(*index),
            _ => None,
        }
    }

    /// The element or parameter path, when the location has one.
    pub fn path(&self) -> Option<&str> {
        match self {
            Location::Element { path, .. } | Location::Parameter { path } => Some(path),
            _ => None,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Input => f.write_str("the input"),
            Location::Byte { offset } => write!(f, "byte {offset}"),
            Location::Text(position) => position.fmt(f),
            Location::Line { line, column: None } => write!(f, "line {line}"),
            Location::Line { line, column: Some(column) } => {
                write!(f, "line {line}, column {column}")
            }
            Location::Element { path, at: None } => write!(f, "{path}"),
            Location::Element { path, at: Some(at) } => write!(f, "{path} at {at}"),
            Location::Parameter { path } => f.write_str(path),
            Location::Message { index } => write!(f, "message {}", index.saturating_add(1)),
        }
    }
}

/// The layer or checker that found a diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// Deciding what kind of input this is.
    Detect,
    Pcap,
    Pcapng,
    Link,
    Ip,
    Tcp,
    Udp,
    Tls,
    Http,
    /// Pasted text, logs and dumps.
    Text,
    /// The CWMP SOAP decoder.
    Codec,
    /// The session conformance checker.
    Conformance,
    /// A BBF data-model document.
    Schema,
    /// A parameter set, checked against its data model.
    Model,
    /// An Aastra/Mitel configuration file.
    Config,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Detect => "detect",
            Source::Pcap => "pcap",
            Source::Pcapng => "pcapng",
            Source::Link => "link",
            Source::Ip => "ip",
            Source::Tcp => "tcp",
            Source::Udp => "udp",
            Source::Tls => "tls",
            Source::Http => "http",
            Source::Text => "text",
            Source::Codec => "codec",
            Source::Conformance => "conformance",
            Source::Schema => "schema",
            Source::Model => "model",
            Source::Config => "config",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something a reader or checker found; reading went on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable, kebab-case identifier such as `tcp-gap` or `unknown-key`, for filters and tests.
    pub code: Cow<'static, str>,
    pub message: String,
    #[serde(default, skip_serializing_if = "Location::is_input")]
    pub location: Location,
    pub source: Source,
    /// The clause of the specification a conformance rule rests on (`TR-069 A.3.1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause: Option<Cow<'static, str>>,
    /// A replacement the user probably meant (a key name, a normalised value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

impl Diagnostic {
    /// A diagnostic about the input as a whole; [`Diagnostic::at`] says where.
    pub fn new(
        severity: Severity,
        source: Source,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            severity,
            code: code.into(),
            message: message.into(),
            location: Location::Input,
            source,
            clause: None,
            suggestion: None,
        }
    }

    pub fn at(mut self, location: Location) -> Diagnostic {
        self.location = location;
        self
    }

    /// At a byte of a binary input.
    pub fn at_byte(self, offset: usize) -> Diagnostic {
        self.at(Location::Byte { offset })
    }

    pub fn with_clause(mut self, clause: impl Into<Cow<'static, str>>) -> Diagnostic {
        self.clause = Some(clause.into());
        self
    }

    pub fn with_suggestion(mut self, suggestion: impl Into<String>) -> Diagnostic {
        self.suggestion = Some(suggestion.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.location.is_input() {
            write!(f, "{}: ", self.location)?;
        }
        f.write_str(&self.message)?;
        if let Some(suggestion) = &self.suggestion {
            write!(f, " (did you mean `{suggestion}`?)")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_serialize_by_kind_and_say_where() {
        let at = Position { offset: 40, line: 3, column: 7 };
        let diagnostic =
            Diagnostic::new(Severity::Warning, Source::Codec, "unknown-element", "odd")
                .at(Location::element("Envelope/Body/Inform", at));
        let json = serde_json::to_value(&diagnostic).unwrap();
        assert_eq!(json["location"]["kind"], "element");
        assert_eq!(json["location"]["path"], "Envelope/Body/Inform");
        assert_eq!(json["location"]["at"]["line"], 3);
        assert_eq!(json["source"], "codec");
        assert_eq!(
            diagnostic.to_string(),
            "Envelope/Body/Inform at line 3, column 7 (byte 40): odd"
        );
        let back: Diagnostic = serde_json::from_value(json).unwrap();
        assert_eq!(back, diagnostic);

        let whole = Diagnostic::new(Severity::Error, Source::Config, "bad-name", "not a MAC");
        let json = serde_json::to_value(&whole).unwrap();
        assert!(json.get("location").is_none(), "the whole input needs no location");
        assert_eq!(whole.to_string(), "not a MAC");
        assert_eq!(Location::line_column(4, 2).to_string(), "line 4, column 2");
        assert_eq!(Location::Byte { offset: 9 }.byte_offset(), Some(9));
        assert_eq!(Location::line(8).line_number(), Some(8));
        assert_eq!(Location::parameter("Device.X").path(), Some("Device.X"));
    }

    #[test]
    fn severities_order_and_print_in_lower_case() {
        assert!(Severity::Info < Severity::Warning && Severity::Warning < Severity::Error);
        assert_eq!(serde_json::to_string(&Severity::Warning).unwrap(), "\"warning\"");
        assert_eq!(Severity::Error.to_string(), "error");
    }
}
