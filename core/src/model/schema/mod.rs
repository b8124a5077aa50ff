//! Data-model schemas: what objects and parameters a root or service model
//! (TR-181 `Device:2`, TR-098 `InternetGatewayDevice:1`, TR-104 `VoiceService`,
//! TR-106 `Device:1`, vendor extensions) defines, with each parameter's syntax.
//!
//! - [`xml`] loads Broadband Forum data-model XML (cwmp-datamodel 1.x).
//! - [`compiled`] turns a [`Schema`] into compact postcard bytes and back.
//! - [`Model`] stacks schemas (a root model, services mounted under it, vendor
//!   extensions on top) and answers "what is this path?".

pub mod compiled;
pub mod xml;

pub use crate::base::XsdType;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use super::path::{Path, PathError};

/// One data model (`<model>` of a BBF document), flattened: named data types
/// are resolved into each parameter's [`Syntax`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Schema {
    /// The model name with version, e.g. `Device:2.17`.
    pub name: String,
    /// The document's `spec` URN.
    pub spec: String,
    /// The document's file name.
    pub file: String,
    /// A service model (`VoiceService:…`), mounted under a root's `Services.`.
    pub is_service: bool,
    /// Objects sorted by their generic path, so lookups are binary searches.
    pub objects: Vec<ObjectDef>,
}

/// An object (`<object>`): `Device.DeviceInfo.` or a table row `Device.IP.Interface.{i}.`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ObjectDef {
    /// Generic path with `{i}` placeholders and a trailing dot.
    pub path: String,
    /// `ReadWrite` on a table means the ACS may AddObject/DeleteObject.
    pub access: Access,
    pub min_entries: u32,
    /// `None` means unbounded.
    pub max_entries: Option<u32>,
    pub num_entries_parameter: Option<String>,
    /// Each unique key is a list of parameter names.
    pub unique_keys: Vec<Vec<String>>,
    pub version: Option<String>,
    pub status: Status,
    pub description: String,
    /// Sorted by name.
    pub parameters: Vec<ParameterDef>,
}

impl ObjectDef {
    /// A multi-instance object (table row): the path ends in `{i}.`.
    pub fn is_table(&self) -> bool {
        self.path.ends_with(".{i}.")
    }

    pub fn parameter(&self, name: &str) -> Option<&ParameterDef> {
        self.parameters
            .binary_search_by(|p| p.name.as_str().cmp(name))
            .ok()
            .and_then(|i| self.parameters.get(i))
    }
}

/// A parameter (`<parameter>`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ParameterDef {
    pub name: String,
    pub access: Access,
    pub syntax: Syntax,
    pub version: Option<String>,
    pub status: Status,
    pub description: String,
    /// Always in every Inform.
    pub forced_inform: bool,
    pub active_notify: ActiveNotify,
}

/// `access` of an object or parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Access {
    #[default]
    ReadOnly,
    ReadWrite,
    /// Writable once (e.g. an `Alias`), read-only afterwards.
    WriteOnceReadOnly,
}

impl Access {
    pub fn is_writable(self) -> bool {
        !matches!(self, Access::ReadOnly)
    }
}

/// Lifecycle of a definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Status {
    #[default]
    Current,
    Deprecated,
    Obsoleted,
    Deleted,
}

/// `activeNotify`: whether the ACS may turn on active notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ActiveNotify {
    #[default]
    Normal,
    ForceEnabled,
    ForceDefaultEnabled,
    /// The CPE may reject requests to enable active notification (e.g. counters).
    CanDeny,
}

/// A parameter's syntax: base type and facets.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Syntax {
    pub base: XsdType,
    /// The named data type this came from (`IPv4Address`), if any.
    pub data_type: Option<String>,
    /// Present when the value is a comma-separated list of items; the other
    /// facets then apply to each item.
    pub list: Option<ListFacets>,
    /// Allowed lengths (string, base64, hexBinary); any one may match.
    pub sizes: Vec<SizeFacet>,
    /// Allowed numeric ranges; any one may match.
    pub ranges: Vec<RangeFacet>,
    pub enumerations: Vec<Enumeration>,
    /// Regular expressions that must match the whole value; any one may match.
    pub patterns: Vec<String>,
    pub units: Option<String>,
    pub default: Option<DefaultValue>,
    /// The value reads back empty (passwords).
    pub hidden: bool,
    /// The value is a path reference (`<pathRef>`), e.g. to an interface object.
    pub path_ref: bool,
}

impl Syntax {
    /// The type the value travels as: a list is a comma-separated `xsd:string` on the wire,
    /// whatever its items' type (TR-106 lists); anything else is its base type.
    pub fn wire_type(&self) -> XsdType {
        if self.list.is_some() { XsdType::String } else { self.base }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ListFacets {
    pub min_items: Option<u32>,
    pub max_items: Option<u32>,
    /// Length limits of the whole list string.
    pub sizes: Vec<SizeFacet>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SizeFacet {
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
}

/// Range bounds are kept as written (they may be decimals) and parsed when checked.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RangeFacet {
    pub min_inclusive: Option<String>,
    pub max_inclusive: Option<String>,
    pub step: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Enumeration {
    pub value: String,
    /// Only the CPE may set this value (`access="readOnly"` on the enumeration).
    pub read_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DefaultValue {
    /// `object`, `factory`, `implementation` or `parameter`.
    pub kind: String,
    pub value: String,
}

impl Schema {
    /// Sorts objects and parameters so lookups can binary-search. Loaders call it.
    pub fn sort(&mut self) {
        self.objects.sort_by(|a, b| a.path.cmp(&b.path));
        self.objects.dedup_by(|later, earlier| {
            // A later definition of the same object extends the earlier one.
            if later.path == earlier.path {
                earlier.parameters.append(&mut later.parameters);
                true
            } else {
                false
            }
        });
        for object in &mut self.objects {
            object.parameters.sort_by(|a, b| a.name.cmp(&b.name));
            object.parameters.dedup_by(|later, earlier| later.name == earlier.name);
        }
    }

    /// The object with this generic path (`Device.IP.Interface.{i}.`).
    pub fn object(&self, generic_path: &str) -> Option<&ObjectDef> {
        self.objects
            .binary_search_by(|o| o.path.as_str().cmp(generic_path))
            .ok()
            .and_then(|i| self.objects.get(i))
    }

    pub fn parameter_count(&self) -> usize {
        self.objects.iter().map(|o| o.parameters.len()).sum()
    }

    /// Shortens every description to its first sentence (at most `max_chars`),
    /// which is what the embedded schemas keep: the full TR-181 prose is several
    /// megabytes that a validator does not need.
    pub fn summarize_descriptions(&mut self, max_chars: usize) {
        for object in &mut self.objects {
            object.description = summarize(&object.description, max_chars, None);
            for parameter in &mut object.parameters {
                let syntax = &parameter.syntax;
                let mut summary =
                    summarize(&parameter.description, max_chars, syntax.units.as_deref());
                if summary.is_empty()
                    && let Some(data_type) = &syntax.data_type
                {
                    summary = format!("A value of data type {data_type}.");
                }
                parameter.description = summary;
            }
        }
    }
}

fn summarize(text: &str, max_chars: usize, units: Option<&str>) -> String {
    let plain = plain_text(text, units);
    let flat: String = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    let sentence_end = flat.find(". ").map(|i| i + 1).unwrap_or(flat.len());
    let sentence = &flat[..sentence_end];
    if sentence.chars().count() <= max_chars {
        sentence.to_string()
    } else {
        let mut cut: String = sentence.chars().take(max_chars.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// Replaces BBF description markup with plain words: `{{param|Enable}}` →
/// `Enable`, `{{bibref|TR-069|3.6}}` → `[TR-069]`, `{{empty}}` → `empty`;
/// markup that only expands to generated text (`{{enum}}`, `{{datatype}}`)
/// is dropped, and `'''bold'''` / `''italic''` quotes are removed.
/// `{{units}}` becomes `units` (the parameter's units), when given.
pub fn plain_text(text: &str, units: Option<&str>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let inner = &after[..end];
        let mut parts = inner.split('|');
        let name = parts.next().unwrap_or_default().trim();
        let first = parts.next().map(str::trim).filter(|a| !a.is_empty());
        const DROPPED: &[&str] = &[
            "template",
            "datatype",
            "hidden",
            "secured",
            "numentries",
            "keys",
            "showid",
            "profdesc",
            "deprecated",
            "obsoleted",
            "deleted",
            "issue",
            "inform",
            "mount",
            "command",
            "event",
        ];
        match (name, first) {
            (name, _) if DROPPED.contains(&name) => {}
            ("bibref", Some(reference)) => out.push_str(&format!("[{reference}]")),
            ("empty" | "true" | "false" | "null", _) => out.push_str(name),
            ("list", _) => out.push_str("comma-separated list"),
            ("units", None) => out.push_str(units.unwrap_or("units")),
            (_, Some(argument)) => out.push_str(argument),
            (_, None) => {}
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out.replace("'''", "").replace("''", "")
}

/// A schema placed in a [`Model`]: its paths are found under `mount`.
#[derive(Debug, Clone)]
pub struct Layer {
    /// Prefix the schema's own paths sit under, e.g. `Device.Services.` for a
    /// `VoiceService:` model; empty for a root model or an extension written
    /// with full paths.
    pub mount: String,
    pub schema: Arc<Schema>,
}

/// Several schemas seen as one tree: earlier layers win for object
/// attributes, so a vendor extension listed first can tighten a standard
/// object (e.g. Aastra's 9 voice profiles).
#[derive(Debug, Clone)]
pub struct Model {
    pub name: String,
    pub layers: Vec<Layer>,
}

/// What a path resolves to in a [`Model`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Found<'a> {
    /// A single-instance object or a table row (`….{i}.`).
    Object(&'a ObjectDef),
    /// The container of a table (`Device.IP.Interface.`): its row definition.
    Table(&'a ObjectDef),
    Parameter(&'a ObjectDef, &'a ParameterDef),
}

impl Model {
    pub fn new(name: impl Into<String>) -> Self {
        Model { name: name.into(), layers: Vec::new() }
    }

    /// The models of one loaded BBF document, each at the root, named `name`.
    pub fn from_document(name: impl Into<String>, document: xml::Document) -> Self {
        document
            .models
            .into_iter()
            .fold(Model::new(name), |model, schema| model.with_layer("", Arc::new(schema)))
    }

    /// Adds a schema whose paths sit under `mount`.
    pub fn with_layer(mut self, mount: impl Into<String>, schema: Arc<Schema>) -> Self {
        self.layers.push(Layer { mount: mount.into(), schema });
        self
    }

    /// Mounts a service model (`VoiceService.{i}.`) under `mount`
    /// (`Device.Services.`). The root model does not know the service, so the
    /// service table's `…NumberOfEntries` counter, which lives in the mount
    /// object, is added as a glue layer behind the others.
    pub fn with_service(self, mount: &str, service: Arc<Schema>) -> Self {
        let counters: Vec<ParameterDef> = service
            .objects
            .iter()
            .filter(|o| o.is_table() && o.path.matches(".{i}.").count() == 1)
            .filter_map(|o| o.num_entries_parameter.clone())
            .map(|name| ParameterDef {
                name,
                syntax: Syntax { base: XsdType::UnsignedInt, ..Syntax::default() },
                description: "Number of entries in the mounted service table.".into(),
                ..ParameterDef::default()
            })
            .collect();
        let mut glue = Schema {
            name: format!("{} mount", service.name),
            objects: vec![ObjectDef {
                path: mount.to_string(),
                parameters: counters,
                ..ObjectDef::default()
            }],
            ..Schema::default()
        };
        glue.sort();
        self.with_layer(mount, service).with_layer("", Arc::new(glue))
    }

    /// The object with this generic path, from the first layer that has it.
    pub fn object(&self, generic_path: &str) -> Option<&ObjectDef> {
        self.layers.iter().find_map(|layer| {
            let local = generic_path.strip_prefix(layer.mount.as_str())?;
            layer.schema.object(local)
        })
    }

    /// A parameter by its object's generic path and its name, from any layer.
    pub fn parameter(&self, object_path: &str, name: &str) -> Option<(&ObjectDef, &ParameterDef)> {
        self.layers.iter().find_map(|layer| {
            let local = object_path.strip_prefix(layer.mount.as_str())?;
            let object = layer.schema.object(local)?;
            Some((object, object.parameter(name)?))
        })
    }

    /// Resolves a parsed path (concrete or generic).
    pub fn lookup(&self, path: &Path) -> Option<Found<'_>> {
        let generic = path.generic().to_string();
        self.lookup_generic(&generic, path.partial)
    }

    /// Resolves a path given as text.
    pub fn lookup_str(&self, text: &str) -> Result<Option<Found<'_>>, PathError> {
        let path = Path::parse(text)?;
        Ok(self.lookup(&path))
    }

    /// Resolves a generic path string (`{i}` for instances).
    pub fn lookup_generic(&self, generic: &str, partial: bool) -> Option<Found<'_>> {
        if partial {
            if let Some(object) = self.object(generic) {
                return Some(Found::Object(object));
            }
            let row = format!("{generic}{{i}}.");
            return self.object(&row).map(Found::Table);
        }
        let split = generic.rfind('.')? + 1;
        let (object_path, name) = generic.split_at(split);
        self.parameter(object_path, name)
            .map(|(object, parameter)| Found::Parameter(object, parameter))
    }

    /// The root object names this model serves (`Device.`, `InternetGatewayDevice.`).
    pub fn roots(&self) -> Vec<String> {
        let mut roots: Vec<String> = self
            .layers
            .iter()
            .filter_map(|layer| {
                let first = layer.schema.objects.first()?;
                let name = first.path.split('.').next()?;
                Some(format!("{}{name}.", layer.mount))
            })
            .collect();
        roots.sort();
        roots.dedup();
        roots
    }

    /// Every parameter in every layer, with its generic path (for tests and tools).
    pub fn parameter_count(&self) -> usize {
        self.layers.iter().map(|layer| layer.schema.parameter_count()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_lose_markup() {
        let text = "If {{param|Enable}} is {{true}}, see {{bibref|TR-069|3.6}}. {{enum}} {{template|X}}Values are ''{{enum|Up}}'' or {{empty}}.";
        assert_eq!(
            plain_text(text, None),
            "If Enable is true, see [TR-069].  Values are Up or empty."
        );
        assert_eq!(summarize(text, 160, None), "If Enable is true, see [TR-069].");
        assert_eq!(summarize("A long sentence", 6, None), "A lon…");
        assert_eq!(plain_text("unclosed {{param", None), "unclosed {{param");
        assert_eq!(
            plain_text("Time in {{units}} since boot", Some("seconds")),
            "Time in seconds since boot"
        );
    }
}
