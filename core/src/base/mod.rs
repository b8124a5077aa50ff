//! The bottom layer of core: what every other module shares, and nothing more.
//!
//! - [`diagnostic`]: one [`Severity`], one [`Diagnostic`] with a [`Location`] and the
//!   [`Source`] (layer or checker) that found it;
//! - [`position`]: byte offset → line and character column;
//! - [`time`]: [`Timestamp`] (a point taken from a capture or a log) and the one `xsd:dateTime`
//!   checker ([`DateTime::parse`]);
//! - [`xsd`]: the XML Schema value types CWMP parameters use, with their lexical checks;
//! - [`csv`]: the one CSV reader (GenieACS dumps, provisioning sheets).
//!
//! Nothing here imports from another module of core (`core/tests/layering.rs`).

pub mod csv;
pub mod diagnostic;
pub mod position;
pub mod time;
pub mod xsd;

pub use diagnostic::{Diagnostic, Location, Severity, Source};
pub use position::{Position, TextIndex};
pub use time::{DateTime, Timestamp};
pub use xsd::XsdType;
