//! Data models and parameter sets.
//!
//! - [`path`]: parameter paths (`Device.WiFi.Radio.1.Enable`, `{i}`, `[alias]`).
//! - [`schema`]: BBF data-model schemas (XML loader, compiled form, lookups).
//! - [`embedded`]: the schemas cwmpkit ships (TR-181, TR-098, TR-104, TR-106, Aastra).
pub mod embedded;
pub mod path;
pub mod schema;
