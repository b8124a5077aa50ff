//! The compact form of a [`Schema`]: a short header then postcard bytes.
//!
//! Why postcard: it is serde-driven (the same derives as the JSON views), has
//! no schema compiler, works on wasm32 without std IO, and its varint encoding
//! makes the many small numbers and short strings of a data model compact
//! (TR-181 2.17: ~4 MB of XML becomes well under 1 MB). The header carries a
//! format version so that stale bytes fail loudly instead of decoding into
//! nonsense.

use serde::{Deserialize, Serialize};

use super::Schema;

const MAGIC: &[u8; 8] = b"CWMPSCH\0";
/// Bump when [`Schema`] or its parts change shape; `cargo xtask schemas` then
/// rewrites core/data/models/.
pub const FORMAT_VERSION: u16 = 1;

/// How long descriptions may be in compiled schemas (first sentence, cut).
pub const DESCRIPTION_CHARS: usize = 160;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum CompiledError {
    #[error("not a compiled cwmpkit schema (bad magic)")]
    BadMagic,
    #[error(
        "compiled schema format {found}, this build reads {expected}: run `cargo xtask schemas`"
    )]
    WrongVersion { found: u16, expected: u16 },
    #[error("compiled schema is corrupt: {0}")]
    Corrupt(String),
}

/// Encodes a schema (as given: callers summarize descriptions first if wanted).
pub fn encode(schema: &Schema) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(1024);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    // Serializing plain owned data into a Vec cannot fail; if postcard ever
    // reports an error the schema is written without a body, which decode
    // then rejects as corrupt rather than crashing the build tool.
    if let Ok(body) = postcard::to_allocvec(schema) {
        bytes.extend_from_slice(&body);
    }
    bytes
}

/// Decodes bytes written by [`encode`].
pub fn decode(bytes: &[u8]) -> Result<Schema, CompiledError> {
    let rest = bytes.strip_prefix(MAGIC.as_slice()).ok_or(CompiledError::BadMagic)?;
    let (version, body) = rest.split_at_checked(2).ok_or(CompiledError::BadMagic)?;
    let found = u16::from_le_bytes([version[0], version[1]]);
    if found != FORMAT_VERSION {
        return Err(CompiledError::WrongVersion { found, expected: FORMAT_VERSION });
    }
    postcard::from_bytes(body).map_err(|e| CompiledError::Corrupt(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schema::{ObjectDef, ParameterDef};

    #[test]
    fn round_trips_and_rejects_foreign_bytes() {
        let schema = Schema {
            name: "T:1.0".into(),
            objects: vec![ObjectDef {
                path: "T.".into(),
                parameters: vec![ParameterDef { name: "P".into(), ..ParameterDef::default() }],
                ..ObjectDef::default()
            }],
            ..Schema::default()
        };
        let bytes = encode(&schema);
        assert_eq!(decode(&bytes).unwrap(), schema);
        assert_eq!(decode(b"hello"), Err(CompiledError::BadMagic));
        let mut stale = bytes.clone();
        stale[8] = 99;
        assert!(matches!(decode(&stale), Err(CompiledError::WrongVersion { found: 99, .. })));
        assert!(matches!(decode(&bytes[..bytes.len() - 3]), Err(CompiledError::Corrupt(_))));
    }
}
