//! The CWMP (TR-069) SOAP codec.
//!
//! - [`decode`] is lenient: it accepts what a real ACS would accept and reports
//!   every oddity as a [`Diagnostic`]; it fails only on input that is not XML
//!   or not SOAP, with a [`DecodeError`] that says where.
//! - [`encode`] is strict: canonical, schema-valid XML for a chosen version.
//!
//! Layout: `reader` wraps quick-xml's `NsReader` (limits, element path,
//! namespace classes, diagnostics kept as byte offsets until the end);
//! `decode` reads envelopes and headers; `messages` reads every RPC straight
//! into the typed structs of `model` (no DOM); `encode` writes them back;
//! `value` interprets parameter values by `xsi:type`; `tables` gives codes
//! their meanings. The fuzz target's checks are in `crate::fuzzing::cwmp`.
//! Versions come from namespace URIs only: `cwmp-1-2` covers CWMP 1.2–1.4.

mod decode;
mod encode;
mod facets;
mod fields;
mod messages;
mod reader;
mod schema;
pub mod secrets;
pub mod tables;
mod value;

pub use encode::{EncodeError, encode, version_problems};
pub use schema::*;
pub use value::{TypedValue, ValueError};

use crate::base::Diagnostic;
use crate::base::position::Position;
use serde::{Deserialize, Serialize};

/// Input that cannot be decoded at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{position}: {message}{}", if path.is_empty() { String::new() } else { format!(" (at {path})") })]
pub struct DecodeError {
    pub message: String,
    pub position: Position,
    pub path: String,
    /// The body as text, as the codec had read it (transcoded like [`Decoded::text`]) when it
    /// failed in the XML; empty when it failed before (too large, an unknown character set).
    /// What a viewer shows of a rejected body, so that the body is not read a second time.
    #[serde(skip)]
    pub text: arcstr::ArcStr,
}

/// Caps that protect a decoder of untrusted bytes. Callers may raise or lower them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    pub max_body_bytes: usize,
    pub max_depth: usize,
    pub max_elements: usize,
    pub max_attributes: usize,
    pub max_string_bytes: usize,
    /// Diagnostics kept per decoded body (one HTTP message); past it one final
    /// `diagnostics-dropped` diagnostic counts the rest by code.
    pub max_diagnostics: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 64 * 1024 * 1024,
            max_depth: 64,
            max_elements: 4_000_000,
            max_attributes: 64,
            max_string_bytes: 1024 * 1024,
            max_diagnostics: 100,
        }
    }
}

/// The result of a successful decode: every envelope found, and the oddities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decoded {
    pub envelopes: Vec<Envelope>,
    pub diagnostics: Vec<Diagnostic>,
    /// The body as text, the one copy every decoded name and value shares (transcoded to UTF-8
    /// when it was Latin-1): what a viewer shows as the raw XML, at no extra cost.
    #[serde(skip)]
    pub text: arcstr::ArcStr,
}

/// Decodes one HTTP body holding one or more SOAP envelopes, with default limits.
pub fn decode(input: &[u8]) -> Result<Decoded, DecodeError> {
    decode_with(input, &Limits::default())
}

/// Decodes with caller-chosen limits.
pub fn decode_with(input: &[u8], limits: &Limits) -> Result<Decoded, DecodeError> {
    decode::decode_envelopes(input, limits)
}
