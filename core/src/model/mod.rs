//! Data models and parameter sets.
//!
//! - [`path`]: parameter paths (`Device.WiFi.Radio.1.Enable`, `{i}`, `[alias]`).
//! - [`schema`]: BBF data-model schemas (XML loader, compiled form, lookups).
//! - [`embedded`]: the schemas cwmpkit ships (TR-181, TR-098, TR-104, TR-106, Aastra).
//! - [`set`]: parameter sets (entries with value, type, writability,
//!   notification, access list and provenance); merge.
//! - [`genieacs`], [`json`] and [`from_cwmp`]: sets from GenieACS CSV dumps, our
//!   JSON, and CWMP messages (Inform, GPV/GPN/GPA responses, SPV).
//! - [`validate`]: checking a set against a model.
//! - [`diff`] and [`plan`]: what differs, and the RPCs that reconcile it.
pub mod diff;
pub mod embedded;
pub mod from_cwmp;
pub mod genieacs;
pub mod json;
pub mod path;
pub mod plan;
pub mod schema;
pub mod set;
pub mod validate;
