//! Data models and parameter sets.
//!
//! - [`path`]: parameter paths (`Device.WiFi.Radio.1.Enable`, `{i}`, `[alias]`);
//!   errors carry the character offset.
//! - [`schema`]: BBF data-model schemas (XML loader, compiled form, [`schema::Model`]
//!   lookups across a root model, mounted services and vendor layers).
//! - [`embedded`]: the schemas cwmpkit ships (TR-181 2.17, TR-098 1.8, TR-104 1.1
//!   and 2.0, TR-106 1.2, Aastra), compiled by `cargo xtask schemas`.
//! - [`set`]: parameter sets (entries with value, type, writability,
//!   notification, access list and provenance); merge.
//! - [`genieacs`], [`json`] and [`from_cwmp`]: sets from GenieACS CSV dumps, our
//!   JSON, and CWMP messages (Inform, GPV/GPN/GPA responses, SPV).
//! - [`load`]: one entry point that tells JSON, SOAP and CSV apart.
//! - [`validate`]: checking a set against a model.
//! - [`diff`] and [`plan`]: what differs, and the RPCs that reconcile it.
//!
//! **Architecture invariant:** the embedded `core/data/models/*.schema` files
//! are exactly what `cargo xtask schemas` produces from their XML sources
//! (`core/tests/model_schemas.rs` recompiles and compares).
//!
//! **Architecture invariant:** loaders of untrusted input (paths, CSV, JSON,
//! BBF XML) never panic; oddities become diagnostics or findings, and only
//! input that cannot be read at all is an error (fuzzed and property-tested).
pub mod diff;
pub mod embedded;
pub mod from_cwmp;
pub mod genieacs_dump;
pub mod json;
pub mod load;
pub mod path;
pub mod plan;
pub mod schema;
pub mod set;
pub mod validate;
