//! A thin pull layer over quick-xml's `NsReader`: it enforces [`Limits`], keeps
//! the element path, classifies namespaces by URI and collects diagnostics with
//! bare byte offsets (turned into line/column only when a decode finishes).
//!
//! The message decoders in `decode.rs` are recursive-descent functions over
//! [`Step`]s; nothing here builds a tree.

use super::{CwmpVersion, DecodeError, Limits, Text};
use crate::base::position::{Position, characters};
use crate::base::{Diagnostic, Location, Severity, Source};
use arcstr::ArcStr;
use quick_xml::NsReader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{NamespaceResolver, QName, ResolveResult};
use std::borrow::Cow;
use std::cell::Cell;
use std::collections::HashSet;

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
    /// Byte offset of the `<` that opens it.
    pub offset: usize,
    /// The local name, found once: decoders match on it several times.
    local: Cow<'i, str>,
}

impl Element<'_> {
    pub(crate) fn local(&self) -> &str {
        &self.local
    }

    pub(crate) fn has_attributes(&self) -> bool {
        self.start.attributes_raw().bytes().any(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    }
}

pub(crate) enum Step<'i> {
    Open(Element<'i>),
    Close,
    /// Character data as it stands in the document: line ends are not
    /// normalized yet ([`Reader::text`] does it for the text it keeps).
    Text(Cow<'i, str>),
    /// The character a reference stands for, final (`&#13;` stays a CR).
    Chars(Cow<'i, str>),
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

/// What [`Limits::max_diagnostics`] kept out, by code, for the one diagnostic
/// that reports it.
#[derive(Default)]
struct Dropped {
    counts: Vec<(&'static str, usize)>,
    severity: Severity,
    first_offset: Option<usize>,
}

pub(crate) struct Reader<'i> {
    xml: NsReader<&'i [u8]>,
    pub(crate) input: &'i str,
    /// The input again, as the buffer that [`Text`] values share.
    shared: &'i ArcStr,
    limits: Limits,
    /// Local names of the open elements; joined into a path only when a
    /// diagnostic or an error needs one.
    open_names: Vec<Cow<'i, str>>,
    elements: usize,
    diagnostics: Vec<PendingDiagnostic>,
    dropped: Dropped,
    /// Depths of the open elements that declare namespaces, and a count of
    /// the changes of scope they made: what [`XsiTypeCache`] is valid for.
    declaring_depths: Vec<usize>,
    scope_epoch: u32,
    /// The few `xsi:type` attribute texts seen last, at most
    /// [`XSI_TYPE_MEMO`], all of the current scope.
    xsi_type_cache: Vec<XsiTypeCache>,
    /// Set when the text was transcoded from Latin-1: offsets then count
    /// characters of the text, which are exactly the bytes of the original.
    transcoded: bool,
    /// Bytes of a byte-order mark dropped before the text: offsets into the text are that much
    /// earlier than into the input as given.
    skipped_bom: usize,
    /// An empty element (`<a/>`) was just opened: the next step is its close, which the reader
    /// makes itself. quick-xml's own expansion allocates a copy of the name for every one.
    close_pending: bool,
    /// The resolver quick-xml made for this reader, set aside while a grown one from an earlier
    /// body does its work ([`SPARE_RESOLVER`]); given back when the reader is dropped.
    fresh_resolver: Option<NamespaceResolver>,
}

thread_local! {
    /// The namespace resolver of the last body read on this thread, emptied. quick-xml makes a new
    /// one for every reader and grows it declaration by declaration (several allocations per
    /// body, each envelope declaring its five namespaces again); this one has room for them.
    static SPARE_RESOLVER: Cell<Option<NamespaceResolver>> = const { Cell::new(None) };
}

thread_local! {
    /// The name stacks of the last reader on this thread, emptied (see [`SpareStacks`]).
    static SPARE_STACKS: Cell<Option<SpareStacks>> = const { Cell::new(None) };
}

/// A reader's two stacks, empty, for the next reader on the thread: two allocations fewer per
/// body. The names' stack holds names borrowed from a body, so it is kept with the lifetime of
/// no body, which is only possible while it is empty.
struct SpareStacks {
    open_names: Vec<Cow<'static, str>>,
    declaring_depths: Vec<usize>,
    /// Emptied: a type memo shares its body.
    xsi_type_cache: Vec<XsiTypeCache>,
}

/// Stacks deeper than this (a hostile body's) are not kept for the life of the thread.
const SPARE_STACKS_MAX_DEPTH: usize = 64;

/// `names`, emptied, with its room and another lifetime: an empty vector holds no name, and
/// collecting a vector's own iterator into a vector of the same layout reuses its buffer.
fn relabel<'a, 'b>(mut names: Vec<Cow<'a, str>>) -> Vec<Cow<'b, str>> {
    names.clear();
    names.into_iter().map(|_| Cow::Borrowed("")).collect()
}

/// Bodies up to this size hand their resolver on: its buffers hold no more than the body's
/// declarations, so a huge body's are not kept for the life of the thread.
const SPARE_RESOLVER_MAX_BODY: usize = 64 * 1024;

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        if self.open_names.capacity() <= SPARE_STACKS_MAX_DEPTH
            && self.declaring_depths.capacity() <= SPARE_STACKS_MAX_DEPTH
        {
            let mut declaring_depths = std::mem::take(&mut self.declaring_depths);
            declaring_depths.clear();
            let mut xsi_type_cache = std::mem::take(&mut self.xsi_type_cache);
            xsi_type_cache.clear();
            let spare = SpareStacks {
                open_names: relabel(std::mem::take(&mut self.open_names)),
                declaring_depths,
                xsi_type_cache,
            };
            let _ = SPARE_STACKS.try_with(|slot| slot.set(Some(spare)));
        }
        if self.input.len() > SPARE_RESOLVER_MAX_BODY {
            return;
        }
        let resolver = self.xml.resolver_mut();
        let mut grown = match self.fresh_resolver.take() {
            Some(fresh) => std::mem::replace(resolver, fresh),
            None => std::mem::take(resolver),
        };
        // Back to the two built-in bindings, as a fresh one starts.
        grown.set_level(0);
        // During the thread's teardown there is nowhere to keep it.
        let _ = SPARE_RESOLVER.try_with(|spare| spare.set(Some(grown)));
    }
}

/// A `Value`'s `xsi:type`: the local type name, and the namespace class and
/// text of a QName that is not in XML Schema's namespace (for diagnostics).
pub(crate) type DeclaredType = Option<(Text, Option<(Ns, String)>)>;

/// How many `xsi:type` texts the reader remembers: CWMP has a handful of types.
const XSI_TYPE_MEMO: usize = 6;

struct XsiTypeCache {
    epoch: u32,
    /// The element's attributes as written: a slice of the body, not a copy.
    attributes: Text,
    declared: DeclaredType,
}

/// The namespace prefixes met in an element being read raw ([`Reader::raw`]). Sets, so that
/// an element declaring a new prefix on each of its million children costs no more per child
/// than one with a single prefix.
#[derive(Default)]
struct Prefixes {
    /// Each prefix used and bound, with the URI it was bound to where first used, in order.
    used: Vec<(String, String)>,
    noted: HashSet<String>,
    /// Prefixes looked up and found unbound since they were last declared.
    looked_up_unbound: HashSet<String>,
    /// Prefixes declared inside the element (they need no declaration added).
    declared: HashSet<String>,
    /// The prefix looked up last: most elements have their parent's.
    last: Option<String>,
}

impl Prefixes {
    fn already_looked_up(&mut self, prefix: &str) -> bool {
        // Compared byte by byte: a prefix is a few bytes, and `==` on strings calls memcmp,
        // which took 40 % of the time of a body of millions of unprefixed elements in a
        // profile (the empty prefix, compared through glibc's masked vector load).
        if self.last.as_deref().is_some_and(|last| last.bytes().eq(prefix.bytes())) {
            return true;
        }
        let known = self.noted.contains(prefix) || self.looked_up_unbound.contains(prefix);
        if known {
            self.last = Some(prefix.to_owned());
        }
        known
    }

    fn note(&mut self, prefix: &str, resolved: ResolveResult<'_>) {
        // `xml` and `xmlns` are bound by XML itself and must never be declared.
        match resolved {
            ResolveResult::Bound(ns) if prefix != "xml" && prefix != "xmlns" => {
                if self.noted.insert(prefix.to_owned()) {
                    self.used.push((prefix.to_owned(), ns.as_ref().to_owned()));
                }
            }
            ResolveResult::Bound(_) => {
                self.noted.insert(prefix.to_owned());
            }
            ResolveResult::Unbound | ResolveResult::Unknown(_) => {
                self.looked_up_unbound.insert(prefix.to_owned());
            }
        }
        self.last = Some(prefix.to_owned());
    }
}

/// A failure before it gets its line and column.
pub(crate) struct Failure {
    message: String,
    offset: usize,
    path: String,
}

pub(crate) type Result<T> = std::result::Result<T, Failure>;

impl<'i> Reader<'i> {
    pub(crate) fn new(
        shared: &'i ArcStr,
        limits: &Limits,
        transcoded: bool,
        skipped_bom: usize,
    ) -> Self {
        let input = shared.as_str();
        let mut xml = NsReader::from_str(input);
        let config = xml.config_mut();
        // `<a/>` arrives as Empty, which `next` turns into Open + Close itself, so decoders
        // handle one shape.
        config.expand_empty_elements = false;
        config.check_end_names = true;
        config.trim_text(false);
        let mut fresh_resolver = SPARE_RESOLVER.try_with(Cell::take).ok().flatten();
        if let Some(grown) = &mut fresh_resolver {
            std::mem::swap(xml.resolver_mut(), grown);
        }
        // Room for a CWMP message's usual depth, so that a body does not grow them step by step
        // (every body makes a new reader): the last reader's, else new ones.
        let (open_names, declaring_depths, xsi_type_cache) =
            match SPARE_STACKS.try_with(Cell::take).ok().flatten() {
                Some(spare) => {
                    (relabel(spare.open_names), spare.declaring_depths, spare.xsi_type_cache)
                }
                None => (Vec::with_capacity(16), Vec::with_capacity(4), Vec::new()),
            };
        Self {
            xml,
            input,
            shared,
            limits: limits.clone(),
            open_names,
            declaring_depths,
            scope_epoch: 0,
            xsi_type_cache,
            elements: 0,
            diagnostics: Vec::new(),
            dropped: Dropped::default(),
            transcoded,
            skipped_bom,
            close_pending: false,
            fresh_resolver,
        }
    }

    /// Where the first non-blank character of a text step just read is.
    pub(crate) fn text_offset(&self, text: &str) -> usize {
        let leading = text.len() - text.trim_start().len();
        self.position().saturating_sub(text.len()) + leading
    }

    /// Bytes not read yet.
    pub(crate) fn remaining(&self) -> usize {
        self.input.len().saturating_sub(self.position())
    }

    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }

    pub(crate) fn position(&self) -> usize {
        usize::try_from(self.xml.buffer_position()).unwrap_or(usize::MAX)
    }

    pub(crate) fn fail(&self, offset: usize, message: impl Into<String>) -> Failure {
        Failure { message: message.into(), offset, path: self.path() }
    }

    pub(crate) fn diagnose(
        &mut self,
        severity: Severity,
        code: &'static str,
        offset: usize,
        message: impl Into<String>,
    ) {
        if self.over_cap(severity, code, offset) {
            return;
        }
        self.diagnostics.push(PendingDiagnostic {
            severity,
            code,
            message: message.into(),
            offset,
            path: self.path(),
        });
    }

    /// Counts a diagnostic the cap does not let through; `true` if dropped.
    fn over_cap(&mut self, severity: Severity, code: &'static str, offset: usize) -> bool {
        if self.diagnostics.len() < self.limits.max_diagnostics {
            return false;
        }
        let dropped = &mut self.dropped;
        match dropped.counts.iter_mut().find(|(known, _)| *known == code) {
            Some((_, count)) => *count += 1,
            None => dropped.counts.push((code, 1)),
        }
        dropped.severity = dropped.severity.max(severity);
        dropped.first_offset.get_or_insert(offset);
        true
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
        if self.over_cap(severity, code, offset) {
            return;
        }
        self.diagnostics.push(PendingDiagnostic {
            severity,
            code,
            message: message.into(),
            offset,
            path,
        });
    }

    /// The element path of the innermost open element, e.g. `Envelope/Body/Inform`.
    pub(crate) fn path(&self) -> String {
        self.open_names.join("/")
    }

    /// The local name of the parent of the innermost open element.
    pub(crate) fn parent_name(&self) -> &str {
        let depth = self.open_names.len();
        depth.checked_sub(2).and_then(|at| self.open_names.get(at)).map_or("", |name| name)
    }

    pub(crate) fn next(&mut self) -> Result<Step<'i>> {
        if self.close_pending {
            self.close_pending = false;
            self.close();
            return Ok(Step::Close);
        }
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
                    self.close();
                    return Ok(Step::Close);
                }
                Event::Empty(start) => {
                    let element = self.open(start, offset)?;
                    // quick-xml keeps the element's namespace scope until its next event, so
                    // everything resolved while the element is open sees its declarations, as
                    // for a Start; nothing resolves between this close and that event.
                    self.close_pending = true;
                    return Ok(Step::Open(element));
                }
                // Characters XML forbids are checked where text is kept
                // (`append_text`), not here: indentation needs no check.
                Event::Text(text) => {
                    let content = text.into_inner();
                    if content.is_empty() {
                        continue;
                    }
                    return Ok(Step::Text(content));
                }
                Event::CData(data) => return Ok(Step::Text(data.into_inner())),
                Event::GeneralRef(reference) => {
                    if reference.is_char_ref() {
                        match reference.resolve_char_ref() {
                            Ok(Some(c)) if is_xml_char(c) => {
                                return Ok(Step::Chars(Cow::Owned(c.to_string())));
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
                                return Ok(Step::Chars(Cow::Borrowed("\u{FFFD}")));
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
                    // Without a DTD (refused) no other entity can be declared.
                    let Some(predefined) = resolve_predefined_entity(&name) else {
                        return Err(self.fail(
                            offset,
                            format!("undeclared entity `&{name};` (DTDs are not accepted)"),
                        ));
                    };
                    return Ok(Step::Chars(Cow::Borrowed(predefined)));
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

    /// Leaves the innermost open element.
    fn close(&mut self) {
        if self.declaring_depths.last() == Some(&self.open_names.len()) {
            self.declaring_depths.pop();
            self.scope_epoch = self.scope_epoch.wrapping_add(1);
        }
        self.open_names.pop();
    }

    /// Normalizes line ends (`\r\n` and `\r` become `\n`, as XML 1.0 says)
    /// and replaces characters XML 1.0 forbids (control characters,
    /// U+FFFE/U+FFFF), which quick-xml lets through, so that what we decode
    /// can be encoded. One cheap byte scan decides; rewrites only when needed.
    fn clean_text(&mut self, text: Cow<'i, str>, offset: usize) -> Cow<'i, str> {
        // A branch-free fold the compiler vectorizes; tabs and line feeds make
        // it answer yes too, and the exact checks below sort them out.
        let suspicious = text.bytes().fold(false, |seen, b| seen | (b < 0x20) | (b == 0xEF));
        if !suspicious {
            return text;
        }
        let text = if text.contains('\r') {
            Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
        } else {
            text
        };
        self.only_xml_chars(text, offset)
    }

    /// The character check of [`clean_text`](Self::clean_text), also for
    /// characters from references.
    fn only_xml_chars(&mut self, text: Cow<'i, str>, offset: usize) -> Cow<'i, str> {
        if text.chars().all(is_xml_char) {
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
        if self.open_names.len() >= self.limits.max_depth {
            return Err(self.fail(
                offset,
                format!(
                    "elements nested deeper than {} (Limits::max_depth)",
                    self.limits.max_depth
                ),
            ));
        }
        // The namespace is resolved only where a decoder asks ([`Reader::ns`]):
        // children are matched by local name, and most never need it.
        let local_len = local_name_len(start.name().0);
        let local = self.borrowed_local_name(&start, local_len, offset);
        let element = Element { start, offset, local };
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
        self.open_names.push(element.local.clone());
        if element.has_attributes() {
            let resolver = self.xml.resolver();
            if resolver.bindings_of(resolver.level()).next().is_some() {
                self.declaring_depths.push(self.open_names.len());
                self.scope_epoch = self.scope_epoch.wrapping_add(1);
            }
        }
        Ok(element)
    }

    /// The local name of a start tag as a slice of the input, so that it can
    /// outlive the event; a copy only if the event is not where expected.
    fn borrowed_local_name(
        &self,
        start: &BytesStart<'i>,
        local_len: usize,
        offset: usize,
    ) -> Cow<'i, str> {
        let name = start.name().0;
        let prefix_len = name.len().saturating_sub(local_len);
        match self.input.get(offset + 1..offset + 1 + name.len()) {
            Some(qname) if std::ptr::eq(qname.as_ptr(), name.as_ptr()) => {
                match qname.get(prefix_len..) {
                    Some(local) => Cow::Borrowed(local),
                    None => Cow::Owned(start.local_name().into_inner().to_owned()),
                }
            }
            _ => Cow::Owned(start.local_name().into_inner().to_owned()),
        }
    }

    /// What the namespace of an element means. Call it before reading the
    /// element's children: it resolves in the scope the reader is in now.
    pub(crate) fn ns(&self, element: &Element<'i>) -> Ns {
        Ns::from_resolved(&self.xml.resolver().resolve_element(element.start.name()).0)
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

    /// What an element's attributes meant when the same attribute text was
    /// read lately in the same namespace scope (a GetParameterValuesResponse
    /// repeats `xsi:type="xsd:string"` thousands of times; an Inform mixes a
    /// few types).
    pub(crate) fn cached_xsi_type(&self, element: &Element<'i>) -> Option<DeclaredType> {
        let attributes = element.start.attributes_raw();
        self.xsi_type_cache
            .iter()
            .find(|cache| {
                cache.epoch == self.scope_epoch && cache.attributes.as_str() == attributes
            })
            .map(|cache| cache.declared.clone())
    }

    pub(crate) fn cache_xsi_type(&mut self, element: &Element<'i>, declared: &DeclaredType) {
        let epoch = self.scope_epoch;
        self.xsi_type_cache.retain(|cache| cache.epoch == epoch);
        if self.xsi_type_cache.len() >= XSI_TYPE_MEMO {
            self.xsi_type_cache.remove(0);
        } else if self.xsi_type_cache.capacity() == 0 {
            // Its whole room at once rather than growing from four to eight.
            self.xsi_type_cache.reserve_exact(XSI_TYPE_MEMO);
        }
        let attributes = self.share(Cow::Borrowed(element.start.attributes_raw()));
        self.xsi_type_cache.push(XsiTypeCache { epoch, attributes, declared: declared.clone() });
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
        Ok(self.text_cow()?.into_owned())
    }

    /// Like [`text`](Self::text), but lends the text when it is one piece of
    /// the input (numbers and booleans are parsed without a copy).
    pub(crate) fn text_cow(&mut self) -> Result<Cow<'i, str>> {
        // Nearly every value is one text event, or none: keep it as it is, and
        // fall back to appending for the rest (references, CDATA).
        let first = match self.next()? {
            Step::Close => return Ok(Cow::Borrowed("")),
            Step::Text(text) => {
                let at = self.position().saturating_sub(text.len());
                self.clean_text(text, at)
            }
            Step::Chars(text) => text,
            Step::Open(child) => {
                self.skip_inside_text(&child)?;
                let mut out = String::new();
                self.append_text(&mut out)?;
                return Ok(Cow::Owned(out));
            }
            Step::Eof => return Err(self.unexpected_eof()),
        };
        self.check_text_length(first.len())?;
        match self.next()? {
            Step::Close => Ok(first),
            step => {
                let mut out = first.into_owned();
                if !self.append_step(&mut out, step)? {
                    self.append_text(&mut out)?;
                }
                Ok(Cow::Owned(out))
            }
        }
    }

    /// Like [`text`](Self::text), but a value that stands in the input as it
    /// is (no reference, no line end to normalize) shares the input instead
    /// of being copied.
    pub(crate) fn text_shared(&mut self) -> Result<Text> {
        let text = self.text_cow()?;
        Ok(self.share(text))
    }

    /// A [`Text`] of a string read from the input: shared when it is a slice
    /// of the input, copied otherwise.
    pub(crate) fn share(&self, text: Cow<'_, str>) -> Text {
        match text {
            Cow::Borrowed(slice) => {
                self.shared.try_substr_from(slice).unwrap_or_else(|| Text::from(slice))
            }
            Cow::Owned(owned) => Text::from(owned),
        }
    }

    fn check_text_length(&self, length: usize) -> Result<()> {
        if length > self.limits.max_string_bytes {
            let at = self.position();
            return Err(self.fail(
                at,
                format!(
                    "a text longer than {} bytes (Limits::max_string_bytes)",
                    self.limits.max_string_bytes
                ),
            ));
        }
        Ok(())
    }

    fn skip_inside_text(&mut self, child: &Element<'i>) -> Result<()> {
        let name = child.local().to_owned();
        self.diagnose(
            Severity::Warning,
            "unexpected-element",
            child.offset,
            format!("element `{name}` inside a text value is ignored"),
        );
        self.skip()
    }

    pub(crate) fn append_text(&mut self, out: &mut String) -> Result<()> {
        loop {
            let step = self.next()?;
            if self.append_step(out, step)? {
                return Ok(());
            }
        }
    }

    /// Adds one step to a text being read; `true` once the element closes.
    fn append_step(&mut self, out: &mut String, step: Step<'i>) -> Result<bool> {
        match step {
            Step::Text(text) => {
                let at = self.position().saturating_sub(text.len());
                let text = self.clean_text(text, at);
                self.check_text_length(out.len() + text.len())?;
                out.push_str(&text);
            }
            Step::Chars(text) => {
                self.check_text_length(out.len() + text.len())?;
                out.push_str(&text);
            }
            Step::Open(child) => self.skip_inside_text(&child)?,
            Step::Close => return Ok(true),
            Step::Eof => return Err(self.unexpected_eof()),
        }
        Ok(false)
    }

    /// Consumes the rest of the element just opened.
    pub(crate) fn skip(&mut self) -> Result<()> {
        let mut depth = 1usize;
        while depth > 0 {
            match self.next()? {
                Step::Open(_) => depth += 1,
                Step::Close => depth -= 1,
                Step::Text(_) | Step::Chars(_) => {}
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
        let mut prefixes = Prefixes::default();
        self.note_prefixes(element, &mut prefixes);
        let mut depth = 1usize;
        while depth > 0 {
            match self.next()? {
                Step::Open(child) => {
                    self.note_prefixes(&child, &mut prefixes);
                    depth += 1;
                }
                Step::Close => depth -= 1,
                Step::Text(_) | Step::Chars(_) => {}
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
        let Prefixes { used, declared, .. } = prefixes;
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
    /// the ones it declares itself. An element without attributes whose prefix
    /// was looked up before adds nothing, and costs no lookup: the prefix is
    /// either noted with its first URI already or still unbound (a declaration
    /// that binds it has an attribute, and makes it be looked up again).
    fn note_prefixes(&self, element: &Element<'i>, prefixes: &mut Prefixes) {
        let name = element.start.name();
        let prefix = name.prefix().map(|p| p.into_inner()).unwrap_or_default();
        let has_attributes = element.has_attributes();
        if !has_attributes && prefixes.already_looked_up(prefix) {
            return;
        }
        if has_attributes {
            for attribute in element.start.attributes().with_checks(false).flatten() {
                let key = attribute.key.0;
                let declares = if key == "xmlns" { Some("") } else { key.strip_prefix("xmlns:") };
                if let Some(bound) = declares {
                    prefixes.declared.insert(bound.to_owned());
                    prefixes.looked_up_unbound.remove(bound);
                }
            }
        }
        prefixes.note(prefix, self.xml.resolver().resolve_element(name).0);
        if !has_attributes {
            return;
        }
        for attribute in element.start.attributes().with_checks(false).flatten() {
            let key = attribute.key.0;
            if key == "xmlns" || key.starts_with("xmlns:") {
                continue;
            }
            if let Some(prefix) = attribute.key.prefix() {
                let resolved = self.xml.resolver().resolve_attribute(attribute.key).0;
                prefixes.note(prefix.into_inner(), resolved);
            }
        }
    }

    pub(crate) fn unexpected_eof(&self) -> Failure {
        let at = self.input.len();
        let inside = self.open_names.last().map_or("", |name| name);
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
                Step::Text(text) | Step::Chars(text) => {
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

    /// Turns offsets into positions, once, at the end, and says what the cap
    /// ([`Limits::max_diagnostics`]) dropped.
    pub(crate) fn finish_diagnostics(&mut self, original: &[u8]) -> Vec<Diagnostic> {
        if let Some(first) = self.dropped.first_offset {
            let count: usize = self.dropped.counts.iter().map(|(_, n)| n).sum();
            let kinds: Vec<String> =
                self.dropped.counts.iter().map(|(code, n)| format!("{n} × {code}")).collect();
            self.diagnostics.push(PendingDiagnostic {
                severity: self.dropped.severity,
                code: "diagnostics-dropped",
                message: format!(
                    "{count} more diagnostics were not kept (Limits::max_diagnostics is {}): {}",
                    self.limits.max_diagnostics,
                    kinds.join(", ")
                ),
                offset: first,
                path: String::new(),
            });
        }
        let pending = std::mem::take(&mut self.diagnostics);
        let offsets: Vec<usize> = pending.iter().map(|d| self.original_offset(d.offset)).collect();
        let positions = positions(original, &offsets);
        pending
            .into_iter()
            .zip(positions)
            .map(|(d, position)| {
                let location = if d.path.is_empty() {
                    Location::Text(position)
                } else {
                    Location::element(d.path, position)
                };
                Diagnostic::new(d.severity, Source::Codec, d.code, d.message).at(location)
            })
            .collect()
    }

    /// Where an offset into the decoded text is in the input as given.
    fn original_offset(&self, offset: usize) -> usize {
        let offset = if self.transcoded {
            // Each Latin-1 byte became one character.
            self.input.get(..offset).map_or(offset, |prefix| prefix.chars().count())
        } else {
            offset
        };
        offset + self.skipped_bom
    }

    pub(crate) fn error_for(&self, failure: Failure, original: &[u8]) -> DecodeError {
        DecodeError {
            message: failure.message,
            position: position(original, self.original_offset(failure.offset)),
            path: failure.path,
            text: self.shared.clone(),
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
            position: position(original, self.offset),
            path: self.path,
            text: ArcStr::new(),
        }
    }
}

/// The position of one offset, reading the input no further than it: a body the decoder gave
/// up on part way is not read to its end to say where it stopped.
fn position(input: &[u8], offset: usize) -> Position {
    positions(input, &[offset]).pop().unwrap_or_default()
}

/// The positions of a few offsets in one pass over the input up to the last
/// of them (what [`TextIndex`](crate::base::position::TextIndex) gives, without indexing every
/// line).
fn positions(input: &[u8], offsets: &[usize]) -> Vec<Position> {
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_by_key(|&i| offsets.get(i).copied().unwrap_or(0));
    let mut out = vec![Position::default(); offsets.len()];
    let (mut scanned, mut line, mut line_start) = (0usize, 1usize, 0usize);
    for i in order {
        let offset = offsets.get(i).copied().unwrap_or(0).min(input.len());
        if offset > scanned {
            // Counting is a loop the compiler vectorizes; the last line start
            // is then found from the end.
            let span = input.get(scanned..offset).unwrap_or_default();
            line += span.iter().filter(|&&b| b == b'\n').count();
            if let Some(last) = span.iter().rposition(|&b| b == b'\n') {
                line_start = scanned + last + 1;
            }
            scanned = offset;
        }
        let prefix = input.get(line_start..offset).unwrap_or_default();
        let column = characters(prefix);
        if let Some(slot) = out.get_mut(i) {
            *slot = Position {
                offset,
                line: u32::try_from(line).unwrap_or(u32::MAX),
                column: u32::try_from(column + 1).unwrap_or(u32::MAX),
            };
        }
    }
    out
}

/// The length of the local part of a QName (what follows its first `:`); a
/// byte loop, since names are short and the generic `str` search is not.
fn local_name_len(qname: &str) -> usize {
    match qname.bytes().position(|b| b == b':') {
        Some(colon) => qname.len() - colon - 1,
        None => qname.len(),
    }
}

fn bytecount_equals(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'=').count()
}

pub(crate) fn abbreviate(text: &str) -> String {
    let trimmed = text.trim();
    let mut out: String = trimmed.chars().take(40).collect();
    if trimmed.chars().nth(40).is_some() {
        out.push('…');
    }
    out
}

/// The XML 1.0 `Char` production: what a document may hold, read or written.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}
