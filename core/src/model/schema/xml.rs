//! Loader for Broadband Forum data-model XML (`cwmp-datamodel-1-*.xsd`).
//!
//! Reads `<dataType>` definitions (with `base` inheritance), `<import>`s of
//! data types from other documents, and each `<model>`'s `<object>`s and
//! `<parameter>`s with their `<syntax>`. Named data types are resolved into
//! each parameter's [`Syntax`], so a loaded [`Schema`] needs nothing else.
//!
//! The loader is lenient: what it does not understand (profiles, components,
//! unknown facets, unresolved references) becomes a [`Diagnostic`], and
//! only XML that cannot be tokenized fails. Elements are matched by local
//! name: BBF documents put only the root in the `dm:` namespace and the XSD
//! defines the children unqualified.

use crate::base::{Diagnostic, Severity, Source};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::{
    Access, ActiveNotify, DefaultValue, Enumeration, ListFacets, ObjectDef, ParameterDef,
    RangeFacet, Schema, SizeFacet, Status, Syntax, XsdType,
};

/// A document that could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{file}, byte {offset}: {message}")]
pub struct SchemaError {
    pub file: String,
    pub offset: u64,
    pub message: String,
}

/// A loaded BBF document: its (resolved) named data types and its models.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Document {
    pub file: String,
    pub spec: String,
    pub data_types: BTreeMap<String, Syntax>,
    pub models: Vec<Schema>,
    /// What the loader skipped or could not resolve, each at its byte in the file.
    pub diagnostics: Vec<Diagnostic>,
}

/// Facets and type as written in one `<syntax>` or `<dataType>`, before the
/// named type they refer to is applied.
#[derive(Debug, Clone, Default)]
struct Pending {
    base: Option<XsdType>,
    type_ref: Option<String>,
    list: Option<ListFacets>,
    sizes: Vec<SizeFacet>,
    ranges: Vec<RangeFacet>,
    enumerations: Vec<Enumeration>,
    patterns: Vec<String>,
    units: Option<String>,
    default: Option<DefaultValue>,
    hidden: bool,
    path_ref: bool,
}

impl Pending {
    /// Applies these facets on top of `inherited` (the referenced type):
    /// facets given here replace the inherited ones of the same kind.
    fn apply_to(&self, mut syntax: Syntax) -> Syntax {
        if let Some(base) = self.base {
            syntax.base = base;
        }
        if let Some(list) = &self.list {
            syntax.list = Some(list.clone());
        }
        if !self.sizes.is_empty() {
            syntax.sizes = self.sizes.clone();
        }
        if !self.ranges.is_empty() {
            syntax.ranges = self.ranges.clone();
        }
        if !self.enumerations.is_empty() {
            syntax.enumerations = self.enumerations.clone();
        }
        if !self.patterns.is_empty() {
            syntax.patterns = self.patterns.clone();
        }
        if self.units.is_some() {
            syntax.units = self.units.clone();
        }
        if self.default.is_some() {
            syntax.default = self.default.clone();
        }
        syntax.hidden |= self.hidden;
        syntax.path_ref |= self.path_ref;
        syntax
    }
}

#[derive(Debug, Clone)]
struct RawDataType {
    base: Option<String>,
    pending: Pending,
}

/// Where an `<import>`ed data type comes from.
#[derive(Debug, Clone)]
struct ImportedType {
    file: String,
    name: String,
    offset: u64,
}

struct Loader<'a> {
    imported: &'a [&'a Document],
    raw_types: BTreeMap<String, RawDataType>,
    imports: BTreeMap<String, ImportedType>,
    resolved: BTreeMap<String, Syntax>,
    diagnostics: Vec<Diagnostic>,
}

impl Loader<'_> {
    fn diagnose(&mut self, code: &'static str, offset: u64, message: String) {
        let offset = usize::try_from(offset).unwrap_or(usize::MAX);
        let diagnostic = Diagnostic::new(Severity::Warning, Source::Schema, code, message);
        self.diagnostics.push(diagnostic.at_byte(offset));
    }

    /// The syntax of a named data type, following `base` chains and imports.
    fn resolve_type(&mut self, name: &str, offset: u64, depth: usize) -> Option<Syntax> {
        if let Some(done) = self.resolved.get(name) {
            return Some(done.clone());
        }
        if depth > 32 {
            self.diagnose(
                "type-chain-too-deep",
                offset,
                format!("data type `{name}`: base chain too deep (a cycle?)"),
            );
            return None;
        }
        let syntax = if let Some(raw) = self.raw_types.get(name).cloned() {
            let inherited = match &raw.base {
                Some(base) => self.resolve_type(base, offset, depth + 1).unwrap_or_default(),
                None => Syntax::default(),
            };
            let mut syntax = raw.pending.apply_to(inherited);
            syntax.data_type = Some(name.to_string());
            syntax
        } else if let Some(import) = self.imports.get(name).cloned() {
            let found = self
                .imported
                .iter()
                .filter(|doc| same_document(&doc.file, &import.file))
                .find_map(|doc| doc.data_types.get(&import.name).cloned());
            match found {
                Some(mut syntax) => {
                    syntax.data_type = Some(name.to_string());
                    syntax
                }
                None => {
                    self.diagnose(
                        "unresolved-import",
                        import.offset,
                        format!(
                            "imported data type `{}` from `{}` is not among the loaded documents",
                            import.name, import.file
                        ),
                    );
                    return None;
                }
            }
        } else {
            self.diagnose("unknown-data-type", offset, format!("unknown data type `{name}`"));
            return None;
        };
        self.resolved.insert(name.to_string(), syntax.clone());
        Some(syntax)
    }

    fn finish_syntax(&mut self, pending: &Pending, offset: u64) -> Syntax {
        let inherited = match &pending.type_ref {
            Some(name) => self.resolve_type(name, offset, 0).unwrap_or_default(),
            None => Syntax::default(),
        };
        pending.apply_to(inherited)
    }
}

/// Compares `tr-106-types.xml` with `tr-106-1-2-0-types.xml`-style names
/// loosely: imports name a file without its corrigendum number.
fn same_document(loaded: &str, wanted: &str) -> bool {
    let stem = |name: &str| name.trim_end_matches(".xml").to_string();
    let loaded = stem(loaded);
    let wanted = stem(wanted);
    loaded == wanted || loaded.starts_with(&wanted) || wanted.starts_with(&loaded)
}

fn attribute(element: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref().as_bytes() == name)
        .and_then(|a| a.normalized_value(XmlVersion::Implicit1_0).ok().map(|v| v.into_owned()))
}

fn flag(element: &BytesStart<'_>, name: &[u8]) -> bool {
    attribute(element, name).is_some_and(|v| v == "true" || v == "1")
}

fn number(element: &BytesStart<'_>, name: &[u8]) -> Option<u64> {
    attribute(element, name).and_then(|v| v.trim().parse().ok())
}

fn access(value: Option<String>) -> Access {
    match value.as_deref() {
        Some("readWrite") => Access::ReadWrite,
        Some("writeOnceReadOnly") => Access::WriteOnceReadOnly,
        _ => Access::ReadOnly,
    }
}

fn status(value: Option<String>) -> Status {
    match value.as_deref() {
        Some("deprecated") => Status::Deprecated,
        Some("obsoleted") => Status::Obsoleted,
        Some("deleted") => Status::Deleted,
        _ => Status::Current,
    }
}

/// What the innermost open definition is, so facets and text land in it.
enum Open {
    DataType { name: String, raw: RawDataType },
    Parameter { def: Box<ParameterDef>, pending: Pending, offset: u64 },
}

/// Loads one BBF data-model document. `imported` are documents already
/// loaded that this one may `<import>` data types from (TR-181 imports
/// `tr-106-types.xml`).
pub fn load_document(
    xml: &str,
    file: &str,
    imported: &[&Document],
) -> Result<Document, SchemaError> {
    let mut reader = Reader::from_str(xml);
    let mut loader = Loader {
        imported,
        raw_types: BTreeMap::new(),
        imports: BTreeMap::new(),
        resolved: BTreeMap::new(),
        diagnostics: Vec::new(),
    };
    let mut document = Document { file: file.to_string(), ..Document::default() };
    let mut stack: Vec<Vec<u8>> = Vec::new();
    let mut model: Option<Schema> = None;
    let mut object: Option<ObjectDef> = None;
    let mut open: Option<Open> = None;
    let mut unique_key: Option<Vec<String>> = None;
    let mut import_file: Option<String> = None;
    let mut description = String::new();
    let mut in_description = false;
    let mut in_list = false;

    loop {
        let offset = reader.buffer_position();
        let event = reader.read_event().map_err(|e| SchemaError {
            file: file.to_string(),
            offset: reader.error_position(),
            message: e.to_string(),
        })?;
        match event {
            Event::Start(ref element) | Event::Empty(ref element) => {
                let is_empty = matches!(event, Event::Empty(_));
                let name = element.local_name().as_ref().as_bytes().to_vec();
                let parent = stack.last().map(Vec::as_slice);
                match name.as_slice() {
                    b"document" => {
                        document.spec = attribute(element, b"spec").unwrap_or_default();
                    }
                    b"import" => import_file = attribute(element, b"file"),
                    b"dataType" if parent == Some(b"import") => {
                        if let (Some(from), Some(local)) =
                            (import_file.clone(), attribute(element, b"name"))
                        {
                            let remote =
                                attribute(element, b"ref").unwrap_or_else(|| local.clone());
                            loader
                                .imports
                                .insert(local, ImportedType { file: from, name: remote, offset });
                        }
                    }
                    b"dataType" if parent == Some(b"document") => {
                        let name = attribute(element, b"name").unwrap_or_default();
                        let raw = RawDataType {
                            base: attribute(element, b"base"),
                            pending: Pending::default(),
                        };
                        if is_empty {
                            loader.raw_types.insert(name, raw);
                        } else {
                            open = Some(Open::DataType { name, raw });
                        }
                    }
                    b"dataType" => {
                        // A reference inside <syntax>, possibly with extra facets.
                        if let Some(pending) = open_pending(&mut open) {
                            pending.type_ref =
                                attribute(element, b"ref").or(attribute(element, b"base"));
                        }
                    }
                    b"model" => {
                        model = Some(Schema {
                            name: attribute(element, b"name").unwrap_or_default(),
                            spec: document.spec.clone(),
                            file: file.to_string(),
                            is_service: flag(element, b"isService"),
                            objects: Vec::new(),
                        });
                    }
                    b"object" if model.is_some() && parent == Some(b"model") => {
                        let max_entries = attribute(element, b"maxEntries");
                        object = Some(ObjectDef {
                            path: attribute(element, b"name")
                                .or(attribute(element, b"base"))
                                .unwrap_or_default(),
                            access: access(attribute(element, b"access")),
                            min_entries: number(element, b"minEntries").unwrap_or(1) as u32,
                            max_entries: match max_entries.as_deref() {
                                Some("unbounded") => None,
                                Some(text) => text.trim().parse().ok(),
                                None => Some(1),
                            },
                            num_entries_parameter: attribute(element, b"numEntriesParameter"),
                            version: attribute(element, b"version"),
                            status: status(attribute(element, b"status")),
                            ..ObjectDef::default()
                        });
                    }
                    b"uniqueKey" if object.is_some() => unique_key = Some(Vec::new()),
                    b"parameter" if parent == Some(b"uniqueKey") => {
                        if let (Some(key), Some(reference)) =
                            (&mut unique_key, attribute(element, b"ref"))
                        {
                            key.push(reference);
                        }
                    }
                    b"parameter" if parent == Some(b"object") && object.is_some() => {
                        let def = ParameterDef {
                            name: attribute(element, b"name")
                                .or(attribute(element, b"base"))
                                .unwrap_or_default(),
                            access: access(attribute(element, b"access")),
                            version: attribute(element, b"version"),
                            status: status(attribute(element, b"status")),
                            forced_inform: flag(element, b"forcedInform"),
                            active_notify: match attribute(element, b"activeNotify").as_deref() {
                                Some("forceEnabled") => ActiveNotify::ForceEnabled,
                                Some("forceDefaultEnabled") => ActiveNotify::ForceDefaultEnabled,
                                Some("canDeny") => ActiveNotify::CanDeny,
                                _ => ActiveNotify::Normal,
                            },
                            ..ParameterDef::default()
                        };
                        let pending = Pending::default();
                        if is_empty {
                            let syntax = loader.finish_syntax(&pending, offset);
                            if let Some(object) = &mut object {
                                object.parameters.push(ParameterDef { syntax, ..def });
                            }
                        } else {
                            open = Some(Open::Parameter { def: Box::new(def), pending, offset });
                        }
                    }
                    b"description" => {
                        description.clear();
                        in_description = !is_empty;
                    }
                    b"syntax" => {
                        if let Some(pending) = open_pending(&mut open) {
                            pending.hidden = flag(element, b"hidden") || flag(element, b"secured");
                        }
                    }
                    b"list" => {
                        if let Some(pending) = open_pending(&mut open) {
                            pending.list = Some(ListFacets {
                                min_items: number(element, b"minItems").map(|n| n as u32),
                                max_items: number(element, b"maxItems").map(|n| n as u32),
                                sizes: Vec::new(),
                            });
                            in_list = !is_empty;
                        }
                    }
                    b"string" | b"int" | b"unsignedInt" | b"long" | b"unsignedLong"
                    | b"boolean" | b"dateTime" | b"base64" | b"hexBinary" | b"decimal" => {
                        let base = std::str::from_utf8(&name).ok().and_then(XsdType::from_name);
                        if let Some(pending) = open_pending(&mut open) {
                            pending.base = base;
                        }
                    }
                    b"size" => {
                        let size = SizeFacet {
                            min_length: number(element, b"minLength"),
                            max_length: number(element, b"maxLength"),
                        };
                        if let Some(pending) = open_pending(&mut open) {
                            match (&mut pending.list, in_list) {
                                (Some(list), true) => list.sizes.push(size),
                                _ => pending.sizes.push(size),
                            }
                        }
                    }
                    b"range" => {
                        let range = RangeFacet {
                            min_inclusive: attribute(element, b"minInclusive"),
                            max_inclusive: attribute(element, b"maxInclusive"),
                            step: attribute(element, b"step"),
                        };
                        if let Some(pending) = open_pending(&mut open) {
                            pending.ranges.push(range);
                        }
                    }
                    b"enumeration" => {
                        let value = Enumeration {
                            value: attribute(element, b"value").unwrap_or_default(),
                            read_only: attribute(element, b"access").as_deref() == Some("readOnly"),
                        };
                        if let Some(pending) = open_pending(&mut open) {
                            pending.enumerations.push(value);
                        }
                    }
                    b"pattern" => {
                        let value = attribute(element, b"value").unwrap_or_default();
                        if let Some(pending) = open_pending(&mut open) {
                            pending.patterns.push(value);
                        }
                    }
                    b"units" => {
                        let value = attribute(element, b"value");
                        if let Some(pending) = open_pending(&mut open) {
                            pending.units = value;
                        }
                    }
                    b"pathRef" | b"instanceRef" => {
                        if let Some(pending) = open_pending(&mut open) {
                            pending.path_ref = true;
                        }
                    }
                    b"default" => {
                        let value = DefaultValue {
                            kind: attribute(element, b"type").unwrap_or_default(),
                            value: attribute(element, b"value").unwrap_or_default(),
                        };
                        if let Some(pending) = open_pending(&mut open) {
                            pending.default = Some(value);
                        }
                    }
                    b"component" if parent == Some(b"model") || parent == Some(b"document") => {
                        loader.diagnose(
                            "component-not-expanded",
                            offset,
                            "`<component>` is not expanded (use the -full files)".into(),
                        );
                    }
                    b"profile" if parent == Some(b"model") => {
                        let name = attribute(element, b"name").unwrap_or_default();
                        loader.diagnose(
                            "profile-not-evaluated",
                            offset,
                            format!("profile `{name}` is not evaluated"),
                        );
                    }
                    _ => {}
                }
                if !is_empty {
                    stack.push(name);
                }
            }
            Event::Text(text) if in_description => {
                description.push_str(&text.xml10_content());
            }
            Event::CData(text) if in_description => {
                description.push_str(&text);
            }
            Event::GeneralRef(reference) if in_description => {
                let name = reference.xml10_content();
                let resolved = match name.as_ref() {
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "amp" => Some('&'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    _ => reference.resolve_char_ref().ok().flatten(),
                };
                if let Some(c) = resolved {
                    description.push(c);
                }
            }
            Event::End(_) => {
                let Some(name) = stack.pop() else { continue };
                let parent = stack.last().map(Vec::as_slice);
                match name.as_slice() {
                    b"description" => {
                        in_description = false;
                        let text = dedent(&description);
                        match (&mut open, parent) {
                            (Some(Open::Parameter { def, .. }), Some(b"parameter")) => {
                                def.description = text
                            }
                            (None, Some(b"object")) => {
                                if let Some(object) = &mut object {
                                    object.description = text;
                                }
                            }
                            _ => {}
                        }
                    }
                    b"list" => in_list = false,
                    b"import" => import_file = None,
                    b"uniqueKey" => {
                        if let (Some(object), Some(key)) = (&mut object, unique_key.take()) {
                            object.unique_keys.push(key);
                        }
                    }
                    b"dataType" if parent == Some(b"document") => {
                        if let Some(Open::DataType { name, raw }) = open.take() {
                            loader.raw_types.insert(name, raw);
                        }
                    }
                    b"parameter" if parent == Some(b"object") => {
                        if let Some(Open::Parameter { mut def, pending, offset }) = open.take() {
                            def.syntax = loader.finish_syntax(&pending, offset);
                            if let Some(object) = &mut object {
                                object.parameters.push(*def);
                            }
                        }
                    }
                    b"object" if parent == Some(b"model") => {
                        if let (Some(model), Some(done)) = (&mut model, object.take()) {
                            model.objects.push(done);
                        }
                    }
                    b"model" => {
                        if let Some(mut done) = model.take() {
                            done.sort();
                            document.models.push(done);
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }

    // Resolve every named type, so importers of this document find them.
    let names: Vec<String> = loader.raw_types.keys().cloned().collect();
    for name in names {
        if let Some(syntax) = loader.resolve_type(&name, 0, 0) {
            document.data_types.insert(name, syntax);
        }
    }
    document.diagnostics = loader.diagnostics;
    Ok(document)
}

fn open_pending(open: &mut Option<Open>) -> Option<&mut Pending> {
    match open {
        Some(Open::DataType { raw, .. }) => Some(&mut raw.pending),
        Some(Open::Parameter { pending, .. }) => Some(pending),
        None => None,
    }
}

/// Removes the common indentation BBF descriptions carry from the XML layout.
fn dedent(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let indent = lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    let body: Vec<&str> = lines
        .iter()
        .map(|line| if line.len() >= indent { &line[indent..] } else { line.trim_start() })
        .collect();
    body.join("\n").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<?xml version="1.0"?>
<dm:document xmlns:dm="urn:broadband-forum-org:cwmp:datamodel-1-14" spec="urn:example:test" file="test.xml">
  <import file="types.xml"><dataType name="Remote" ref="Original"/></import>
  <dataType name="Base"><string><size maxLength="45"/></string></dataType>
  <dataType name="Narrow" base="Base"><size maxLength="15"/><pattern value="\d+"/></dataType>
  <model name="Test:1.0">
    <object name="Test." access="readOnly" minEntries="1" maxEntries="1">
      <description>The root &amp; more.</description>
      <parameter name="Count" access="readWrite">
        <description>
          A counter.  Second sentence.
        </description>
        <syntax><unsignedInt><range minInclusive="1" maxInclusive="9"/><units value="seconds"/></unsignedInt><default type="object" value="3"/></syntax>
      </parameter>
      <parameter name="Address" access="readOnly"><syntax><dataType ref="Narrow"/></syntax></parameter>
      <parameter name="Imported" access="readOnly"><syntax><dataType ref="Remote"/></syntax></parameter>
    </object>
    <object name="Test.Row.{i}." access="readWrite" minEntries="0" maxEntries="unbounded" numEntriesParameter="RowNumberOfEntries">
      <uniqueKey><parameter ref="Name"/></uniqueKey>
      <parameter name="Name" access="readWrite"><syntax><list maxItems="4"><size maxLength="64"/></list><string><enumeration value="A"/><enumeration value="B" access="readOnly"/></string></syntax></parameter>
    </object>
  </model>
</dm:document>"#;

    #[test]
    fn loads_objects_parameters_and_resolved_types() {
        let types = Document {
            file: "types.xml".into(),
            data_types: BTreeMap::from([(
                "Original".to_string(),
                Syntax { base: XsdType::HexBinary, ..Syntax::default() },
            )]),
            ..Document::default()
        };
        let document = load_document(SAMPLE, "test.xml", &[&types]).unwrap();
        assert_eq!(document.spec, "urn:example:test");
        let schema = &document.models[0];
        assert_eq!(schema.name, "Test:1.0");
        let root = schema.object("Test.").unwrap();
        assert_eq!(root.description, "The root & more.");
        let count = root.parameter("Count").unwrap();
        assert_eq!(count.access, Access::ReadWrite);
        assert_eq!(count.syntax.base, XsdType::UnsignedInt);
        assert_eq!(count.syntax.ranges[0].max_inclusive.as_deref(), Some("9"));
        assert_eq!(count.syntax.units.as_deref(), Some("seconds"));
        assert_eq!(count.syntax.default.as_ref().unwrap().value, "3");
        assert_eq!(count.description, "A counter.  Second sentence.");
        let address = root.parameter("Address").unwrap();
        assert_eq!(address.syntax.data_type.as_deref(), Some("Narrow"));
        assert_eq!(address.syntax.sizes[0].max_length, Some(15));
        assert_eq!(address.syntax.patterns, vec!["\\d+".to_string()]);
        assert_eq!(root.parameter("Imported").unwrap().syntax.base, XsdType::HexBinary);
        let row = schema.object("Test.Row.{i}.").unwrap();
        assert!(row.is_table());
        assert_eq!(row.max_entries, None);
        assert_eq!(row.unique_keys, vec![vec!["Name".to_string()]]);
        let name = row.parameter("Name").unwrap();
        let list = name.syntax.list.as_ref().unwrap();
        assert_eq!((list.max_items, list.sizes[0].max_length), (Some(4), Some(64)));
        assert!(name.syntax.sizes.is_empty());
        assert!(name.syntax.enumerations[1].read_only);
        assert!(document.diagnostics.is_empty(), "{:?}", document.diagnostics);
    }

    #[test]
    fn unresolved_references_become_diagnostics() {
        let xml = r#"<document><model name="X:1"><object name="X."><parameter name="P"><syntax><dataType ref="Nope"/></syntax></parameter></object></model></document>"#;
        let document = load_document(xml, "x.xml", &[]).unwrap();
        assert_eq!(document.models[0].objects[0].parameters.len(), 1);
        assert!(document.diagnostics[0].message.contains("unknown data type `Nope`"));
    }

    #[test]
    fn broken_xml_is_an_error_with_an_offset() {
        let error = load_document("<document><model></document>", "bad.xml", &[]).unwrap_err();
        assert_eq!(error.file, "bad.xml");
        assert!(error.offset > 0);
    }
}
