//! The schemas cwmpkit ships, compiled at development time and embedded.
//!
//! # Why compiled and embedded
//! The app runs in a browser: parsing ~6 MB of BBF XML (TR-181 alone is 4 MB)
//! on start would cost seconds and ship the XML. Instead `cargo xtask schemas`
//! loads the XML with [`crate::model::schema::xml`], keeps one-sentence
//! descriptions, and writes each model as postcard bytes
//! ([`crate::model::schema::compiled`]) to `core/data/models/*.schema`, which
//! are committed (derived data, with the BBF licence notice beside them).
//! This module embeds them with `include_bytes!` and decodes each one the
//! first time it is asked for, once per process. A native test
//! (`core/tests/model_schemas.rs`) recompiles from the XML and fails when a
//! committed file differs, so the embedded data cannot drift from its source.
//!
//! Alternatives considered: a build.rs (would make every core build parse 6 MB
//! of XML and need `../shared` present, which the wasm/app builds and CI
//! clones must not depend on) and generated Rust tables (large source files,
//! slow to compile, no smaller than postcard).

use std::sync::{Arc, OnceLock};

use super::schema::compiled::{self, CompiledError, DESCRIPTION_CHARS};
use super::schema::xml::{self, Document, SchemaError};
use super::schema::{Model, Schema};

/// Where a schema's XML source lives, relative to the workspace root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceLocation {
    /// `../shared/corpus/bbf-datamodels/` (the BBF files, not in this repo).
    BbfCorpus,
    /// `core/data/models/` (cwmpkit's own model files).
    Repository,
}

impl SourceLocation {
    /// The directory, relative to the workspace root.
    pub fn directory(self) -> &'static str {
        match self {
            SourceLocation::BbfCorpus => "../shared/corpus/bbf-datamodels",
            SourceLocation::Repository => "core/data/models",
        }
    }
}

/// One compiled schema: its name (`<name>.schema` in core/data/models) and source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaSource {
    pub name: &'static str,
    pub file: &'static str,
    pub location: SourceLocation,
    /// Documents whose data types this one may import, loaded first.
    pub imports: &'static [&'static str],
}

/// Everything `cargo xtask schemas` compiles.
pub const SOURCES: &[SchemaSource] = &[
    SchemaSource {
        name: "tr-181-2-17",
        file: "tr-181-2-17-0-cwmp-full.xml",
        location: SourceLocation::BbfCorpus,
        imports: &["tr-106-types.xml"],
    },
    SchemaSource {
        name: "tr-098-1-8",
        file: "tr-098-1-8-0-full.xml",
        location: SourceLocation::BbfCorpus,
        imports: &["tr-106-types.xml"],
    },
    SchemaSource {
        name: "tr-104-1-1",
        file: "tr-104-1-1-0-full.xml",
        location: SourceLocation::BbfCorpus,
        imports: &["tr-106-types.xml"],
    },
    SchemaSource {
        name: "tr-104-2-0",
        file: "tr-104-2-0-2-cwmp-full.xml",
        location: SourceLocation::BbfCorpus,
        imports: &["tr-106-types.xml"],
    },
    SchemaSource {
        name: "tr-106-1-2",
        file: "tr-106-1-2-0-full.xml",
        location: SourceLocation::BbfCorpus,
        imports: &["tr-106-types.xml"],
    },
    SchemaSource {
        name: "aastra-extensions",
        file: "aastra/aastra-extensions.xml",
        location: SourceLocation::Repository,
        imports: &[],
    },
];

/// Why compiling the embedded schemas failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    #[error("cannot read {location:?}/{file}: {message}")]
    Read { location: SourceLocation, file: String, message: String },
    #[error(transparent)]
    Xml(#[from] SchemaError),
    #[error("{file} defines no <model>")]
    NoModel { file: String },
}

/// Compiles one source. `read` is the host's file access (core does no IO):
/// it gets a location and a file name and returns the text.
pub fn compile(
    source: &SchemaSource,
    read: &mut dyn FnMut(SourceLocation, &str) -> Result<String, String>,
) -> Result<Vec<u8>, CompileError> {
    let mut imported: Vec<Document> = Vec::new();
    for import in source.imports {
        let text =
            read(SourceLocation::BbfCorpus, import).map_err(|message| CompileError::Read {
                location: SourceLocation::BbfCorpus,
                file: import.to_string(),
                message,
            })?;
        imported.push(xml::load_document(&text, import, &[])?);
    }
    let text = read(source.location, source.file).map_err(|message| CompileError::Read {
        location: source.location,
        file: source.file.to_string(),
        message,
    })?;
    let imported_refs: Vec<&Document> = imported.iter().collect();
    let document = xml::load_document(&text, source.file, &imported_refs)?;
    let mut schema = document
        .models
        .into_iter()
        .next()
        .ok_or_else(|| CompileError::NoModel { file: source.file.to_string() })?;
    schema.summarize_descriptions(DESCRIPTION_CHARS);
    Ok(compiled::encode(&schema))
}

/// Compiles every [`SOURCES`] entry: `(file name in core/data/models, bytes)`.
pub fn compile_all(
    read: &mut dyn FnMut(SourceLocation, &str) -> Result<String, String>,
) -> Result<Vec<(String, Vec<u8>)>, CompileError> {
    SOURCES
        .iter()
        .map(|source| Ok((format!("{}.schema", source.name), compile(source, read)?)))
        .collect()
}

/// The compiled files, in [`SOURCES`] order.
static EMBEDDED: [(&str, &[u8]); 6] = [
    ("tr-181-2-17", include_bytes!("../../data/models/tr-181-2-17.schema")),
    ("tr-098-1-8", include_bytes!("../../data/models/tr-098-1-8.schema")),
    ("tr-104-1-1", include_bytes!("../../data/models/tr-104-1-1.schema")),
    ("tr-104-2-0", include_bytes!("../../data/models/tr-104-2-0.schema")),
    ("tr-106-1-2", include_bytes!("../../data/models/tr-106-1-2.schema")),
    ("aastra-extensions", include_bytes!("../../data/models/aastra-extensions.schema")),
];

static DECODED: [OnceLock<Result<Arc<Schema>, CompiledError>>; 6] = [const { OnceLock::new() }; 6];

/// Why an embedded schema is not available.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmbeddedError {
    #[error("no embedded schema or model named `{0}`")]
    Unknown(String),
    #[error("embedded schema `{name}`: {error}")]
    Compiled { name: String, error: CompiledError },
}

/// The embedded schemas' names and sizes in bytes (for reports and benchmarks).
pub fn sizes() -> Vec<(&'static str, usize)> {
    EMBEDDED.iter().map(|(name, bytes)| (*name, bytes.len())).collect()
}

/// An embedded schema by name (`tr-181-2-17`), decoded on first use.
pub fn schema(name: &str) -> Result<Arc<Schema>, EmbeddedError> {
    let index = EMBEDDED
        .iter()
        .position(|(known, _)| *known == name)
        .ok_or_else(|| EmbeddedError::Unknown(name.to_string()))?;
    let (_, bytes) = EMBEDDED[index];
    DECODED[index]
        .get_or_init(|| compiled::decode(bytes).map(Arc::new))
        .clone()
        .map_err(|error| EmbeddedError::Compiled { name: name.to_string(), error })
}

/// The models a parameter set can be checked against, by name.
pub const MODEL_NAMES: &[&str] = &["tr-181", "tr-098", "tr-106", "aastra"];

/// The compiled schemas a model is made of, so a host that fetches them (the
/// browser app, which does not embed them) knows what to ask for.
pub fn schemas_of_model(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "tr-181" => &["tr-181-2-17", "tr-104-2-0"],
        "tr-098" => &["tr-098-1-8", "tr-104-1-1"],
        "tr-106" => &["tr-106-1-2", "tr-104-1-1"],
        "aastra" => &["aastra-extensions", "tr-106-1-2", "tr-104-1-1"],
        _ => return None,
    })
}

/// A ready model: a root schema with its voice service mounted, or Aastra's phone model.
///
/// - `tr-181`: Device:2.17 with VoiceService:2.0 under `Device.Services.`
/// - `tr-098`: InternetGatewayDevice:1.14 with VoiceService:1.1 under `InternetGatewayDevice.Services.`
/// - `tr-106`: Device:1.2 with VoiceService:1.1 under `Device.Services.`
/// - `aastra`: Aastra's extensions over `tr-106` (9 line profiles, `X_Aastra_…`).
pub fn model(name: &str) -> Result<Model, EmbeddedError> {
    model_with(name, &mut schema)
}

/// [`model`] with the schemas supplied by `resolve` (by compiled name, see
/// [`schemas_of_model`]) instead of the embedded bytes.
pub fn model_with(
    name: &str,
    resolve: &mut dyn FnMut(&str) -> Result<Arc<Schema>, EmbeddedError>,
) -> Result<Model, EmbeddedError> {
    Ok(match name {
        "tr-181" => Model::new(name)
            .with_layer("", resolve("tr-181-2-17")?)
            .with_service("Device.Services.", resolve("tr-104-2-0")?),
        "tr-098" => Model::new(name)
            .with_layer("", resolve("tr-098-1-8")?)
            .with_service("InternetGatewayDevice.Services.", resolve("tr-104-1-1")?),
        "tr-106" => Model::new(name)
            .with_layer("", resolve("tr-106-1-2")?)
            .with_service("Device.Services.", resolve("tr-104-1-1")?),
        "aastra" => Model::new(name)
            .with_layer("", resolve("aastra-extensions")?)
            .with_layer("", resolve("tr-106-1-2")?)
            .with_service("Device.Services.", resolve("tr-104-1-1")?),
        other => return Err(EmbeddedError::Unknown(other.to_string())),
    })
}

/// Picks the model for a device from its parameter names: `InternetGatewayDevice.`
/// is TR-098; `Device.` is TR-181 (Device:2) unless it has TR-106-only objects
/// (`Device.LAN.`) and no Device:2 ones, or is an Aastra phone (`X_Aastra_` names).
pub fn detect_model<'a>(names: impl IntoIterator<Item = &'a str>) -> &'static str {
    let (mut igd, mut lan, mut device2, mut aastra) = (false, false, false, false);
    for name in names {
        igd |= name.starts_with("InternetGatewayDevice.");
        lan |= name.starts_with("Device.LAN.");
        aastra |= name.starts_with("Device.") && name.contains(".X_Aastra");
        device2 |=
            ["Device.IP.", "Device.Ethernet.", "Device.WiFi.", "Device.RootDataModelVersion"]
                .iter()
                .any(|prefix| name.starts_with(prefix));
    }
    if igd {
        "tr-098"
    } else if aastra {
        "aastra"
    } else if lan && !device2 {
        "tr-106"
    } else {
        "tr-181"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_of_model_lists_exactly_what_model_uses() {
        for name in MODEL_NAMES {
            let mut asked = Vec::new();
            model_with(name, &mut |schema_name| {
                asked.push(schema_name.to_owned());
                schema(schema_name)
            })
            .unwrap();
            let listed: Vec<String> =
                schemas_of_model(name).unwrap().iter().map(|s| (*s).to_owned()).collect();
            assert_eq!(asked, listed, "{name}");
        }
        assert!(schemas_of_model("tr-999").is_none());
    }
}
