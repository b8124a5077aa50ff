//! The strict encoder: one canonical form, in the namespace of the requested
//! version, following the element order of the BBF schemas.
//!
//! Canonical means: UTF-8 declaration, prefixes `SOAP-ENV`, `SOAP-ENC`, `xsd`,
//! `xsi`, `cwmp` (the most common in the field, so `faultcode` QNames such as
//! `SOAP-ENV:Client` stay resolvable), two-space indentation, every array with
//! its `SOAP-ENC:arrayType`, every header with the `mustUnderstand` the schema
//! fixes. Text is escaped; characters XML 1.0 cannot carry become U+FFFD.

use super::facets::{Facet, Occurs, Range, check_count, check_number, check_text};
use super::fields::Structure;
use super::reader::{SOAP_ENC_NS, SOAP_ENV_NS, XSD_NS, XSI_NS, is_xml_char};
use super::schema::{LEN_32, LEN_256, URI_1024, UUID};
use super::*;
use crate::base::XsdType;
use std::fmt::Write as _;

/// A value the schema of the chosen version does not allow: nothing is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{path}: `{value}` {problem} ({facet})")]
pub struct EncodeError {
    /// The element path, e.g. `Envelope/Body/Reboot/CommandKey`.
    pub path: String,
    /// The facet, e.g. `maxLength 32`, `pattern of EventCodeType`.
    pub facet: String,
    /// What is wrong with the value.
    pub problem: String,
    /// The value (abbreviated past 80 characters).
    pub value: String,
}

/// Encodes an envelope as canonical CWMP XML in the namespace of `version`.
///
/// The envelope's own `version` is ignored: the caller chooses. Messages or
/// headers that the chosen version does not define are still written (the
/// caller may be testing a peer); [`version_problems`] lists them.
///
/// Strict: a value outside its element's XSD facets in that version's schema
/// (lengths, patterns, enumerations, fault-code ranges, value types), or a
/// repeated element outside its minOccurs/maxOccurs, is an
/// [`EncodeError`] naming the element path and the facet, never invalid XML.
pub fn encode(envelope: &Envelope, version: CwmpVersion) -> Result<String, EncodeError> {
    let mut w = Writer {
        out: String::with_capacity(1024),
        depth: 0,
        version,
        path: String::from("Envelope"),
        marks: Vec::new(),
        error: None,
    };
    w.out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        w.out,
        "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"{SOAP_ENV_NS}\" xmlns:SOAP-ENC=\"{SOAP_ENC_NS}\" \
         xmlns:xsd=\"{XSD_NS}\" xmlns:xsi=\"{XSI_NS}\" xmlns:cwmp=\"{}\">",
        version.namespace()
    );
    w.depth = 1;
    header(&mut w, &envelope.header);
    w.open("SOAP-ENV:Body");
    message(&mut w, &envelope.message);
    w.close("SOAP-ENV:Body");
    w.out.push_str("</SOAP-ENV:Envelope>\n");
    match w.error {
        Some(error) => Err(error),
        None => Ok(w.out),
    }
}

/// What in `envelope` the schema of `version` does not define.
pub fn version_problems(envelope: &Envelope, version: CwmpVersion) -> Vec<String> {
    let mut problems = Vec::new();
    let introduced = envelope.message.introduced_in();
    if version < introduced {
        let introduced_label = match introduced {
            CwmpVersion::V1_0 => "1.0",
            CwmpVersion::V1_1 => "1.1",
            CwmpVersion::V1_2 => "1.2",
        };
        problems.push(format!(
            "{} needs CWMP {introduced_label} or later (namespace {}); this message is in {}",
            envelope.message.name(),
            introduced.namespace(),
            version.namespace()
        ));
    }
    let header = &envelope.header;
    if version != CwmpVersion::V1_2 {
        for (present, name) in [
            (header.session_timeout.is_some(), "SessionTimeout"),
            (header.supported_cwmp_versions.is_some(), "SupportedCWMPVersions"),
            (header.use_cwmp_version.is_some(), "UseCWMPVersion"),
        ] {
            if present {
                problems.push(format!("header {name} needs CWMP 1.3 or later"));
            }
        }
    }
    if header.no_more_requests.is_some() {
        problems.push("header NoMoreRequests is in no CWMP schema".to_owned());
    }
    if matches!(envelope.message, Message::Vendor(_) | Message::Unknown(_)) {
        problems.push(format!("{} is not defined by any CWMP schema", envelope.message.name()));
    }
    problems
}

/// The XML being written, and the first facet it would break.
pub(super) struct Writer {
    out: String,
    depth: usize,
    version: CwmpVersion,
    /// Local names of the open elements, for errors.
    path: String,
    marks: Vec<usize>,
    /// The first facet violation; writing goes on, the output is dropped.
    error: Option<EncodeError>,
}

impl Writer {
    pub(super) fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    pub(super) fn open(&mut self, name: &str) {
        self.open_with(name, "");
    }

    /// `attributes` is pre-escaped markup such as ` a="b"`.
    pub(super) fn open_with(&mut self, name: &str, attributes: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{name}{attributes}>");
        self.depth += 1;
        self.marks.push(self.path.len());
        self.path.push('/');
        self.path.push_str(local_name(name));
    }

    pub(super) fn close(&mut self, name: &str) {
        if let Some(mark) = self.marks.pop() {
            self.path.truncate(mark);
        }
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        let _ = writeln!(self.out, "</{name}>");
    }

    pub(super) fn empty(&mut self, name: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{name}/>");
    }

    pub(super) fn text_with(&mut self, name: &str, attributes: &str, text: &str) {
        self.indent();
        let _ = write!(self.out, "<{name}{attributes}>");
        escape_into(&mut self.out, text);
        let _ = writeln!(self.out, "</{name}>");
    }

    pub(super) fn text(&mut self, name: &str, text: &str) {
        self.text_with(name, "", text);
    }

    /// Text checked against the facets of its element.
    pub(super) fn text_in(&mut self, name: &str, text: &str, facets: &[Facet]) {
        for &facet in facets {
            if let Some(violation) = check_text(facet, text, self.version) {
                self.refuse(name, &violation.facet, violation.problem, text);
                break;
            }
        }
        self.text(name, text);
    }

    /// An integer checked against its element's range.
    pub(super) fn number_in(&mut self, name: &str, value: impl Into<i64> + Copy, range: Range) {
        let value = value.into();
        if let Some(violation) = check_number(range, value, self.version) {
            self.refuse(name, &violation.facet, violation.problem, &value.to_string());
        }
        self.number(name, value);
    }

    pub(super) fn refuse(&mut self, name: &str, facet: &str, problem: String, value: &str) {
        if self.error.is_some() {
            return;
        }
        let shown: String = value.chars().take(80).collect();
        self.error = Some(EncodeError {
            path: format!("{}/{}", self.path, local_name(name)),
            facet: facet.to_owned(),
            problem,
            value: if shown.len() < value.len() { format!("{shown}…") } else { shown },
        });
    }

    pub(super) fn number(&mut self, name: &str, value: impl std::fmt::Display) {
        self.indent();
        let _ = writeln!(self.out, "<{name}>{value}</{name}>");
    }

    pub(super) fn boolean(&mut self, name: &str, value: bool) {
        self.text(name, if value { "true" } else { "false" });
    }

    /// How many times a repeated element occurs, checked against its schema.
    pub(super) fn count_in(&mut self, name: &str, count: usize, occurs: Occurs) {
        if let Some(violation) = check_count(occurs, count) {
            self.refuse(name, &violation.facet, violation.problem, &count.to_string());
        }
    }

    /// A SOAP-encoded array: `item_type` is the QName in `arrayType`, and
    /// its local name the items' element name.
    pub(super) fn array<T>(
        &mut self,
        name: &str,
        item_type: &str,
        occurs: Occurs,
        items: &[T],
        mut item: impl FnMut(&mut Self, &T),
    ) {
        self.count_in(&format!("{name}/{}", local_name(item_type)), items.len(), occurs);
        let attributes = format!(" SOAP-ENC:arrayType=\"{item_type}[{}]\"", items.len());
        if items.is_empty() {
            self.indent();
            let _ = writeln!(self.out, "<{name}{attributes}/>");
            return;
        }
        self.open_with(name, &attributes);
        for each in items {
            item(self, each);
        }
        self.close(name);
    }

    pub(super) fn structure(&mut self, name: &str, fields: impl FnOnce(&mut Self)) {
        self.open(name);
        fields(self);
        self.close(name);
    }
}

fn local_name(qualified: &str) -> &str {
    qualified.rsplit_once(':').map_or(qualified, |(_, local)| local)
}

/// Escapes text and attribute content. `\r` is written as a reference so that
/// end-of-line normalization cannot turn it into `\n`.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#xD;"),
            '\t' | '\n' => out.push(c),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
}

fn header(w: &mut Writer, header: &Header) {
    let any = header.id.is_some()
        || header.hold_requests.is_some()
        || header.no_more_requests.is_some()
        || header.session_timeout.is_some()
        || header.supported_cwmp_versions.is_some()
        || header.use_cwmp_version.is_some();
    if !any {
        return;
    }
    w.open("SOAP-ENV:Header");
    let must = " SOAP-ENV:mustUnderstand=\"1\"";
    if let Some(id) = &header.id {
        w.text_with("cwmp:ID", must, id);
    }
    if let Some(hold) = header.hold_requests {
        w.text_with("cwmp:HoldRequests", must, if hold { "true" } else { "false" });
    }
    if let Some(timeout) = header.session_timeout {
        w.text_with("cwmp:SessionTimeout", " SOAP-ENV:mustUnderstand=\"0\"", &timeout.to_string());
    }
    if let Some(versions) = &header.supported_cwmp_versions {
        w.text_with("cwmp:SupportedCWMPVersions", " SOAP-ENV:mustUnderstand=\"0\"", versions);
    }
    if let Some(version) = &header.use_cwmp_version {
        w.text_with("cwmp:UseCWMPVersion", must, version);
    }
    if let Some(no_more) = header.no_more_requests {
        w.text_with("cwmp:NoMoreRequests", must, if no_more { "1" } else { "0" });
    }
    w.close("SOAP-ENV:Header");
}

/// A parameter `Value` with its `xsi:type`, refused when the text is not of that type.
pub(super) fn encode_value(w: &mut Writer, name: &str, value: &Value) {
    if let Some(problem) = value_problem(value) {
        let facet = format!("xsi:type {}", value.xsi_type.as_deref().unwrap_or("string"));
        w.refuse(name, &facet, problem, &value.text);
    }
    match &value.xsi_type {
        Some(xsi_type) => {
            let mut attribute = String::from(" xsi:type=\"xsd:");
            // CWMP calls it base64; XML Schema's name is base64Binary
            // (`xsd:base64` would not resolve to a type).
            let xsi_type = if xsi_type == "base64" { "base64Binary" } else { xsi_type };
            escape_into(&mut attribute, xsi_type);
            attribute.push('"');
            w.text_with(name, &attribute, &value.text);
        }
        None => w.text(name, &value.text),
    }
}

pub(super) fn fault_struct(w: &mut Writer, name: &str, fault: &FaultStruct, codes: Range) {
    w.structure(name, |w| {
        w.number_in("FaultCode", fault.fault_code, codes);
        match codes {
            Range::TransferFault => w.text_in("FaultString", &fault.fault_string, LEN_256),
            _ => w.text("FaultString", &fault.fault_string),
        }
    });
}

/// Why a parameter value cannot carry its `xsi:type`: an unknown type would
/// not resolve (the encoder writes the `xsd:` prefix itself), and the text must
/// be in the type's lexical space.
fn value_problem(value: &Value) -> Option<String> {
    let name = value.xsi_type.as_deref()?;
    let Some(value_type) = XsdType::from_name(name).filter(|_| !name.contains(':')) else {
        return Some("names no type CWMP values use".to_owned());
    };
    (value_type != XsdType::String && !value_type.is_valid(&value.text))
        .then(|| format!("is not a valid {}", value_type.name()))
}

pub(super) fn operation(w: &mut Writer, name: &str, op: &Operation) {
    type Field<'a> = (&'static str, Option<&'a String>, &'static [Facet]);
    let (kind, fields): (&str, Vec<Field<'_>>) = match op {
        Operation::Install { url, uuid, username, password, execution_env_ref } => (
            "InstallOpStruct",
            vec![
                ("URL", Some(url), URI_1024),
                ("UUID", uuid.as_ref(), UUID),
                ("Username", username.as_ref(), LEN_256),
                ("Password", password.as_ref(), LEN_256),
                ("ExecutionEnvRef", execution_env_ref.as_ref(), LEN_256),
            ],
        ),
        Operation::Update { uuid, version, url, username, password } => (
            "UpdateOpStruct",
            vec![
                ("UUID", uuid.as_ref(), UUID),
                ("Version", version.as_ref(), LEN_32),
                ("URL", url.as_ref(), URI_1024),
                ("Username", username.as_ref(), LEN_256),
                ("Password", password.as_ref(), LEN_256),
            ],
        ),
        Operation::Uninstall { uuid, version, execution_env_ref } => (
            "UninstallOpStruct",
            vec![
                ("UUID", Some(uuid), UUID),
                ("Version", version.as_ref(), LEN_32),
                ("ExecutionEnvRef", execution_env_ref.as_ref(), LEN_256),
            ],
        ),
    };
    w.open_with(name, &format!(" xsi:type=\"cwmp:{kind}\""));
    for (name, value, facets) in fields {
        if let Some(value) = value {
            w.text_in(name, value, facets);
        }
    }
    w.close(name);
}

fn message(w: &mut Writer, message: &Message) {
    if message.encode_method(w) {
        return;
    }
    match message {
        Message::Fault(fault) => w.structure("SOAP-ENV:Fault", |w| {
            // faultcode is a QName: keep its local part under our own prefix.
            let local = fault.fault_code.rsplit(':').next().unwrap_or_default();
            w.text("faultcode", &format!("SOAP-ENV:{local}"));
            w.text("faultstring", &fault.fault_string);
            if let Some(detail) = &fault.detail {
                w.structure("detail", |w| w.structure("cwmp:Fault", |w| detail.write_fields(w)));
            }
        }),
        Message::Vendor(raw) | Message::Unknown(raw) => {
            // Kept whole: written back as received. A decoded one was well-formed when read; one
            // a host built is checked here, so that what is queued is never malformed XML.
            if let Err(problem) = one_element(&raw.xml, &raw.name) {
                w.refuse(&raw.name, "well-formed XML element", problem, &raw.xml);
                return;
            }
            w.indent();
            w.out.push_str(&raw.xml);
            w.out.push('\n');
        }
        // The table's methods are written above; an empty Body has nothing to write.
        _ => {}
    }
}

/// Whether `xml` is one well-formed element named `name` (its local name: the prefix is bound
/// by the envelope it came in), with nothing but white space around it, no DOCTYPE and no
/// processing instruction (which would end up inside the Body).
fn one_element(xml: &str, name: &str) -> Result<(), String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.check_comments = true;
    let mut depth = 0usize;
    let mut roots = 0usize;
    loop {
        let at = reader.buffer_position();
        let event = reader.read_event().map_err(|e| format!("malformed XML at byte {at}: {e}"))?;
        if let Event::Start(start) | Event::Empty(start) = &event {
            // Attributes are read lazily: only reading them finds duplicates and bad quoting.
            if let Some(Err(e)) = start.attributes().find(Result::is_err) {
                return Err(format!("malformed XML at byte {at}: {e}"));
            }
        }
        match event {
            Event::Start(ref start) | Event::Empty(ref start) if depth == 0 => {
                roots += 1;
                if roots > 1 {
                    return Err(format!("a second element at byte {at}: one element is sent"));
                }
                let local = start.local_name();
                if local.as_ref() != name {
                    return Err(format!("the element is <{}>, not <{name}>", start.name().0));
                }
                if matches!(event, Event::Start(_)) {
                    depth = 1;
                }
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Text(ref text) if depth == 0 && !text.as_ref().trim_ascii().is_empty() => {
                return Err(format!("text outside the element at byte {at}"));
            }
            Event::CData(_) | Event::GeneralRef(_) if depth == 0 => {
                return Err(format!("text outside the element at byte {at}"));
            }
            // Without a DTD only character references and the five predefined entities are
            // declared; anything else would make the envelope malformed.
            Event::GeneralRef(reference) => {
                let declared = if reference.is_char_ref() {
                    matches!(reference.resolve_char_ref(), Ok(Some(c)) if super::reader::is_xml_char(c))
                } else {
                    quick_xml::escape::resolve_predefined_entity(&reference.xml10_content())
                        .is_some()
                };
                if !declared {
                    return Err(format!(
                        "an undeclared entity or invalid character reference at byte {at}"
                    ));
                }
            }
            Event::DocType(_) | Event::Decl(_) | Event::PI(_) => {
                return Err(format!(
                    "a DOCTYPE, XML declaration or processing instruction at byte {at}"
                ));
            }
            Event::Eof if depth > 0 => return Err(format!("<{name}> is not closed")),
            Event::Eof if roots == 0 => return Err("no element".into()),
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}
