//! A thin pull layer over quick-xml's `NsReader`: it enforces [`Limits`], keeps
//! the element path, classifies namespaces by URI and collects diagnostics with
//! bare byte offsets (turned into line/column only when a decode finishes).
//!
//! The message decoders in `decode.rs` are recursive-descent functions over
//! [`Step`]s; nothing here builds a tree.

use super::encode::is_xml_char;
use super::{CwmpVersion, DecodeError, Diagnostic, Limits, Severity};
use crate::position::TextIndex;
use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{QName, ResolveResult};
use std::borrow::Cow;

pub(crate) const SOAP_ENV_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub(crate) const SOAP_ENC_NS: &str = "http://schemas.xmlsoap.org/soap/encoding/";
pub(crate) const SOAP12_ENV_NS: &str = "http://www.w3.org/2003/05/soap-envelope";
pub(crate) const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
pub(crate) const XSI_1999_NS: &str = "http://www.w3.org/1999/XMLSchema-instance";
pub(crate) const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";
pub(crate) const XSD_1999_NS: &str = "http://www.w3.org/1999/XMLSchema";

/// What a namespace URI means to CWMP. Only the URI counts, never the prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ns {
    /// No namespace (unqualified, or reset with `xmlns=""`).
    None,
    SoapEnv,
    /// The SOAP 1.2 envelope namespace, which CWMP never uses.
    Soap12Env,
    SoapEnc,
    Cwmp(CwmpVersion),
    /// `urn:dslforum-org:cwmp-1-N` with N beyond the versions we know.
    CwmpFuture,
    Xsi,
    Xsi1999,
    Xsd,
    Xsd1999,
    /// A prefix that no `xmlns:` declaration binds.
    Unbound,
    Other,
}

impl Ns {
    pub(crate) fn classify(uri: &str) -> Ns {
        match uri {
            SOAP_ENV_NS => Ns::SoapEnv,
            SOAP_ENC_NS => Ns::SoapEnc,
            SOAP12_ENV_NS => Ns::Soap12Env,
            XSI_NS => Ns::Xsi,
            XSI_1999_NS => Ns::Xsi1999,
            XSD_NS => Ns::Xsd,
            XSD_1999_NS => Ns::Xsd1999,
            "" => Ns::None,
            _ => match CwmpVersion::from_namespace(uri) {
                Some(version) => Ns::Cwmp(version),
                None if uri.starts_with("urn:dslforum-org:cwmp-") => Ns::CwmpFuture,
                None => Ns::Other,
            },
        }
    }

    fn from_resolved(resolved: &ResolveResult<'_>) -> Ns {
        match resolved {
            ResolveResult::Unbound => Ns::None,
            ResolveResult::Bound(ns) => Ns::classify(ns.as_ref()),
            ResolveResult::Unknown(_) => Ns::Unbound,
        }
    }
}

/// An element that has just been opened.
#[derive(Debug)]
pub(crate) struct Element<'i> {
    pub start: BytesStart<'i>,
    pub ns: Ns,
    /// Byte offset of the `<` that opens it.
    pub offset: usize,
}

impl Element<'_> {
    pub(crate) fn local(&self) -> &str {
        self.start.local_name().into_inner()
    }

    pub(crate) fn has_attributes(&self) -> bool {
        !self.start.attributes_raw().trim().is_empty()
    }
}

pub(crate) enum Step<'i> {
    Open(Element<'i>),
    Close,
    Text(Cow<'i, str>),
    /// Non-markup content that is not character data of interest (comments, PIs).
    Eof,
}

struct PendingDiagnostic {
    severity: Severity,
    code: &'static str,
    message: String,
    offset: usize,
    path: String,
}

pub(crate) struct Reader<'i> {
    xml: NsReader<&'i [u8]>,
    pub(crate) input: &'i str,
    limits: Limits,
    path: String,
    path_marks: Vec<usize>,
    elements: usize,
    diagnostics: Vec<PendingDiagnostic>,
    /// Set when the text was transcoded from Latin-1: offsets then count
    /// characters of the text, which are exactly the bytes of the original.
    transcoded: bool,
}

/// A failure before it gets its line and column.
pub(crate) struct Failure {
    message: String,
    offset: usize,
    path: String,
}

pub(crate) type Result<T> = std::result::Result<T, Failure>;

impl<'i> Reader<'i> {
    pub(crate) fn new(input: &'i str, limits: &Limits, transcoded: bool) -> Self {
        let mut xml = NsReader::from_str(input);
        let config = xml.config_mut();
        // `<a/>` arrives as Start + End, so decoders handle one shape.
        config.expand_empty_elements = true;
        config.check_end_names = true;
        config.trim_text(false);
        Self {
            xml,
            input,
            limits: limits.clone(),
            path: String::new(),
            path_marks: Vec::new(),
            elements: 0,
            diagnostics: Vec::new(),
            transcoded,
        }
    }

    /// Where the first non-blank character of a text step just read is.
    pub(crate) fn text_offset(&self, text: &str) -> usize {
        let leading = text.len() - text.trim_start().len();
        self.position().saturating_sub(text.len()) + leading
    }

    pub(crate) fn position(&self) -> usize {
        usize::try_from(self.xml.buffer_position()).unwrap_or(usize::MAX)
    }

    pub(crate) fn fail(&self, offset: usize, message: impl Into<String>) -> Failure {
        Failure { message: message.into(), offset, path: self.path.clone() }
    }

    pub(crate) fn diagnose(
        &mut self,
        severity: Severity,
        code: &'static str,
        offset: usize,
        message: impl Into<String>,
    ) {
        self.diagnostics.push(PendingDiagnostic {
            severity,
            code,
            message: message.into(),
            offset,
            path: self.path.clone(),
        });
    }

    /// Like [`diagnose`](Self::diagnose) but records the path of the element
    /// that was just closed or is about to be opened, given explicitly.
    pub(crate) fn diagnose_at(
        &mut self,
        severity: Severity,
        code: &'static str,
        offset: usize,
        path: String,
        message: impl Into<String>,
    ) {
        self.diagnostics.push(PendingDiagnostic {
            severity,
            code,
            message: message.into(),
            offset,
            path,
        });
    }

    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    pub(crate) fn next(&mut self) -> Result<Step<'i>> {
        loop {
            let offset = self.position();
            let event = match self.xml.read_event() {
                Ok(event) => event,
                Err(error) => {
                    let at = usize::try_from(self.xml.error_position()).unwrap_or(offset);
                    return Err(self.fail(at, format!("malformed XML: {error}")));
                }
            };
            match event {
                Event::Start(start) => return self.open(start, offset).map(Step::Open),
                Event::End(_) => {
                    if let Some(mark) = self.path_marks.pop() {
                        self.path.truncate(mark);
                    }
                    return Ok(Step::Close);
                }
                Event::Empty(start) => {
                    // Not produced with expand_empty_elements; handled for safety.
                    return self.open(start, offset).map(Step::Open);
                }
                // Characters XML forbids are checked where text is kept
                // (`append_text`), not here: indentation needs no check.
                Event::Text(text) => {
                    let content = text.xml10_content();
                    if content.is_empty() {
                        continue;
                    }
                    return Ok(Step::Text(content));
                }
                Event::CData(data) => return Ok(Step::Text(data.xml10_content())),
                Event::GeneralRef(reference) => {
                    if reference.is_char_ref() {
                        match reference.resolve_char_ref() {
                            Ok(Some(c)) if is_xml_char(c) => {
                                return Ok(Step::Text(Cow::Owned(c.to_string())));
                            }
                            Ok(Some(_)) => {
                                self.diagnose(
                                    Severity::Error,
                                    "invalid-xml-character",
                                    offset,
                                    format!(
                                        "`&{};` is not a character XML allows; replaced by U+FFFD",
                                        reference.xml10_content()
                                    ),
                                );
                                return Ok(Step::Text(Cow::Borrowed("\u{FFFD}")));
                            }
                            _ => {
                                return Err(self.fail(
                                    offset,
                                    format!(
                                        "invalid character reference `&{};`",
                                        reference.xml10_content()
                                    ),
                                ));
                            }
                        }
                    }
                    let name = reference.xml10_content();
                    let predefined = match name.as_ref() {
                        "lt" => "<",
                        "gt" => ">",
                        "amp" => "&",
                        "apos" => "'",
                        "quot" => "\"",
                        other => {
                            // Without a DTD (refused) no other entity can be declared.
                            return Err(self.fail(
                                offset,
                                format!("undeclared entity `&{other};` (DTDs are not accepted)"),
                            ));
                        }
                    };
                    return Ok(Step::Text(Cow::Borrowed(predefined)));
                }
                Event::DocType(_) => {
                    return Err(self.fail(
                        offset,
                        "a DOCTYPE is not allowed in SOAP (entity declarations are refused)",
                    ));
                }
                Event::Decl(_) | Event::Comment(_) | Event::PI(_) => continue,
                Event::Eof => return Ok(Step::Eof),
            }
        }
    }

    /// Replaces characters XML 1.0 forbids (control characters, U+FFFE/U+FFFF),
    /// which quick-xml lets through, so that what we decode can be encoded.
    /// The byte scan is cheap; the rewrite happens only when needed.
    fn only_xml_chars(&mut self, text: Cow<'i, str>, offset: usize) -> Cow<'i, str> {
        let suspicious =
            text.bytes().any(|b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0xEF);
        if !suspicious || text.chars().all(is_xml_char) {
            return text;
        }
        self.diagnose(
            Severity::Error,
            "invalid-xml-character",
            offset,
            "a character XML does not allow (a control character?) was replaced by U+FFFD",
        );
        Cow::Owned(text.chars().map(|c| if is_xml_char(c) { c } else { '\u{FFFD}' }).collect())
    }

    fn open(&mut self, start: BytesStart<'i>, offset: usize) -> Result<Element<'i>> {
        self.elements += 1;
        if self.elements > self.limits.max_elements {
            return Err(self.fail(
                offset,
                format!("more than {} elements (Limits::max_elements)", self.limits.max_elements),
            ));
        }
        if self.path_marks.len() >= self.limits.max_depth {
            return Err(self.fail(
                offset,
                format!(
                    "elements nested deeper than {} (Limits::max_depth)",
                    self.limits.max_depth
                ),
            ));
        }
        let (resolved, _) = self.xml.resolver().resolve_element(start.name());
        let ns = Ns::from_resolved(&resolved);
        let element = Element { start, ns, offset };
        // Every attribute has an `=`, so counting bytes bounds the count cheaply;
        // only a suspicious element pays for the exact count.
        if element.has_attributes()
            && bytecount_equals(element.start.attributes_raw()) > self.limits.max_attributes
        {
            let count = element.start.attributes().with_checks(false).count();
            if count > self.limits.max_attributes {
                return Err(self.fail(
                    offset,
                    format!(
                        "{count} attributes on one element, more than {} (Limits::max_attributes)",
                        self.limits.max_attributes
                    ),
                ));
            }
        }
        self.path_marks.push(self.path.len());
        if !self.path.is_empty() {
            self.path.push('/');
        }
        self.path.push_str(element.local());
        Ok(element)
    }

    /// Resolves a `prefix:name` QName (as found in attribute values such as
    /// `xsi:type`) in the current scope.
    pub(crate) fn resolve_qname_value<'v>(&self, value: &'v str) -> (Ns, &'v str) {
        let (resolved, local) = self.xml.resolver().resolve_element(QName(value));
        (Ns::from_resolved(&resolved), local.into_inner())
    }

    /// The value of an attribute, by namespace class and local name.
    pub(crate) fn attribute(
        &self,
        element: &Element<'i>,
        wanted: impl Fn(Ns) -> bool,
        local: &str,
    ) -> Option<String> {
        self.attribute_with(element, wanted, local, |_, value| value.to_owned())
    }

    /// Like [`attribute`](Self::attribute), but lends the value to `read`
    /// instead of allocating it (the hot path for `xsi:type`).
    pub(crate) fn attribute_with<R>(
        &self,
        element: &Element<'i>,
        wanted: impl Fn(Ns) -> bool,
        local: &str,
        read: impl FnOnce(&Self, &str) -> R,
    ) -> Option<R> {
        if !element.has_attributes() {
            return None;
        }
        for attribute in element.start.attributes().with_checks(false).flatten() {
            if attribute.key.local_name().as_ref() != local {
                continue;
            }
            let (resolved, _) = self.xml.resolver().resolve_attribute(attribute.key);
            if wanted(Ns::from_resolved(&resolved)) {
                let value = attribute.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok()?;
                return Some(read(self, &value));
            }
        }
        None
    }

    /// The namespace URI an element name resolves to, for messages.
    pub(crate) fn namespace_uri(&self, element: &Element<'i>) -> String {
        match self.xml.resolver().resolve_element(element.start.name()).0 {
            ResolveResult::Bound(ns) => ns.as_ref().to_owned(),
            ResolveResult::Unbound => String::new(),
            ResolveResult::Unknown(prefix) => format!("(unbound prefix `{prefix}`)"),
        }
    }

    /// Reads the character content of the element just opened, up to its end.
    /// Child elements are reported and skipped.
    pub(crate) fn text(&mut self) -> Result<String> {
        let mut out = String::new();
        self.append_text(&mut out)?;
        Ok(out)
    }

    pub(crate) fn append_text(&mut self, out: &mut String) -> Result<()> {
        loop {
            match self.next()? {
                Step::Text(text) => {
                    let at = self.position().saturating_sub(text.len());
                    let text = self.only_xml_chars(text, at);
                    if out.len() + text.len() > self.limits.max_string_bytes {
                        let at = self.position();
                        return Err(self.fail(
                            at,
                            format!(
                                "a text longer than {} bytes (Limits::max_string_bytes)",
                                self.limits.max_string_bytes
                            ),
                        ));
                    }
                    out.push_str(&text);
                }
                Step::Open(child) => {
                    let name = child.local().to_owned();
                    self.diagnose(
                        Severity::Warning,
                        "unexpected-element",
                        child.offset,
                        format!("element `{name}` inside a text value is ignored"),
                    );
                    self.skip()?;
                }
                Step::Close => return Ok(()),
                Step::Eof => return Err(self.unexpected_eof()),
            }
        }
    }

    /// Consumes the rest of the element just opened.
    pub(crate) fn skip(&mut self) -> Result<()> {
        let mut depth = 1usize;
        while depth > 0 {
            match self.next()? {
                Step::Open(_) => depth += 1,
                Step::Close => depth -= 1,
                Step::Text(_) => {}
                Step::Eof => return Err(self.unexpected_eof()),
            }
        }
        Ok(())
    }

    /// Consumes the element just opened and returns its source text, made
    /// self-contained: namespace prefixes it uses but that were declared on an
    /// ancestor (typically the Envelope) are declared on its start tag, so the
    /// text stays namespace-well-formed when written into another envelope.
    pub(crate) fn raw(&mut self, element: &Element<'i>) -> Result<String> {
        let mut used: Vec<(String, String)> = Vec::new();
        let mut declared: Vec<String> = Vec::new();
        self.note_prefixes(element, &mut used, &mut declared);
        let mut depth = 1usize;
        while depth > 0 {
            match self.next()? {
                Step::Open(child) => {
                    self.note_prefixes(&child, &mut used, &mut declared);
                    depth += 1;
                }
                Step::Close => depth -= 1,
                Step::Text(_) => {}
                Step::Eof => return Err(self.unexpected_eof()),
            }
        }
        let end = self.position();
        let source = self.input.get(element.offset..end).unwrap_or_default();
        let name_end = 1 + element.start.name().0.len();
        // Declarations go right after the name, which must then be a plain
        // XML name: a quote in a (malformed) name would change how the rest of
        // the tag pairs its quotes. Never panics: odd input stays as it was.
        let plain_name =
            element.start.name().0.chars().all(|c| {
                c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':') || !c.is_ascii()
            });
        let (head, tail) = match source.split_at_checked(name_end) {
            Some(parts) if plain_name => parts,
            _ => (source, ""),
        };
        let mut out = String::with_capacity(source.len() + 64);
        out.push_str(head);
        for (prefix, uri) in used.iter().filter(|(prefix, _)| !declared.contains(prefix)) {
            out.push_str(if prefix.is_empty() { " xmlns" } else { " xmlns:" });
            out.push_str(prefix);
            out.push_str("=\"");
            for c in uri.chars() {
                match c {
                    '"' => out.push_str("&quot;"),
                    '&' => out.push_str("&amp;"),
                    '<' => out.push_str("&lt;"),
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        out.push_str(tail);
        Ok(out)
    }

    /// Records the namespace prefixes an element uses (with their URIs) and
    /// the ones it declares itself.
    fn note_prefixes(
        &self,
        element: &Element<'i>,
        used: &mut Vec<(String, String)>,
        declared: &mut Vec<String>,
    ) {
        let mut note = |prefix: &str, resolved: ResolveResult<'_>| {
            // `xml` and `xmlns` are bound by XML itself and must never be declared.
            if let ResolveResult::Bound(ns) = resolved
                && prefix != "xml"
                && prefix != "xmlns"
                && !used.iter().any(|(known, _)| known == prefix)
            {
                used.push((prefix.to_owned(), ns.as_ref().to_owned()));
            }
        };
        let name = element.start.name();
        let prefix = name.prefix().map(|p| p.into_inner()).unwrap_or_default();
        note(prefix, self.xml.resolver().resolve_element(name).0);
        if !element.has_attributes() {
            return;
        }
        for attribute in element.start.attributes().with_checks(false).flatten() {
            let key = attribute.key.0;
            if key == "xmlns" {
                declared.push(String::new());
            } else if let Some(prefix) = key.strip_prefix("xmlns:") {
                declared.push(prefix.to_owned());
            } else if let Some(prefix) = attribute.key.prefix() {
                note(prefix.into_inner(), self.xml.resolver().resolve_attribute(attribute.key).0);
            }
        }
    }

    pub(crate) fn unexpected_eof(&self) -> Failure {
        let at = self.input.len();
        let inside = self.path.rsplit('/').next().unwrap_or_default();
        self.fail(at, format!("unexpected end of input inside `{inside}`"))
    }

    /// Calls `each` for every child element of the element just opened; `each`
    /// must consume the child entirely. Stray text is reported.
    pub(crate) fn children(
        &mut self,
        mut each: impl FnMut(&mut Self, Element<'i>) -> Result<()>,
    ) -> Result<()> {
        loop {
            match self.next()? {
                Step::Open(child) => each(self, child)?,
                Step::Close => return Ok(()),
                Step::Text(text) => {
                    // Indentation between elements is the common case: a byte
                    // scan is cheaper than a char-aware trim.
                    if !text.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
                        let at = self.text_offset(&text);
                        self.diagnose(
                            Severity::Warning,
                            "unexpected-text",
                            at,
                            format!("text `{}` between elements is ignored", abbreviate(&text)),
                        );
                    }
                }
                Step::Eof => return Err(self.unexpected_eof()),
            }
        }
    }

    /// Turns offsets into positions, once, at the end.
    pub(crate) fn finish_diagnostics(&mut self, original: &[u8]) -> Vec<Diagnostic> {
        if self.diagnostics.is_empty() {
            return Vec::new();
        }
        let index = TextIndex::new(original);
        let transcoded = self.transcoded;
        let input = self.input;
        std::mem::take(&mut self.diagnostics)
            .into_iter()
            .map(|d| Diagnostic {
                severity: d.severity,
                code: d.code.to_owned(),
                message: d.message,
                position: index.position(original_offset(input, d.offset, transcoded)),
                path: d.path,
            })
            .collect()
    }

    pub(crate) fn error_for(&self, failure: Failure, original: &[u8]) -> DecodeError {
        let index = TextIndex::new(original);
        DecodeError {
            message: failure.message,
            position: index.position(original_offset(self.input, failure.offset, self.transcoded)),
            path: failure.path,
        }
    }
}

impl Failure {
    pub(crate) fn bare(message: impl Into<String>, offset: usize) -> Self {
        Failure { message: message.into(), offset, path: String::new() }
    }

    pub(crate) fn into_error_at(self, original: &[u8]) -> DecodeError {
        DecodeError {
            message: self.message,
            position: TextIndex::new(original).position(self.offset),
            path: self.path,
        }
    }
}

fn bytecount_equals(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'=').count()
}

fn original_offset(text: &str, offset: usize, transcoded: bool) -> usize {
    if transcoded {
        // Each Latin-1 byte became one character.
        text.get(..offset).map_or(offset, |prefix| prefix.chars().count())
    } else {
        offset
    }
}

pub(crate) fn abbreviate(text: &str) -> String {
    let trimmed = text.trim();
    let mut out: String = trimmed.chars().take(40).collect();
    if trimmed.chars().nth(40).is_some() {
        out.push('…');
    }
    out
}
