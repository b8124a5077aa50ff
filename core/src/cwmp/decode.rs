//! The lenient decoder: SOAP envelopes → typed [`Envelope`]s plus diagnostics.
//!
//! Streaming recursive descent over [`Reader`] steps, straight into the typed
//! structs. Child elements are matched by local name (real CPEs qualify them or
//! not at random); namespaces decide the version and are checked on the SOAP
//! scaffolding and the method element.

use super::messages::decode_message;
use super::reader::{Element, Failure, Ns, Reader, Result, Step, abbreviate};
use super::{CwmpVersion, DecodeError, Decoded, Envelope, Header, Limits, Message};
use crate::base::Severity;
use std::borrow::Cow;

pub(super) fn decode_envelopes(
    input: &[u8],
    limits: &Limits,
) -> std::result::Result<Decoded, DecodeError> {
    if input.len() > limits.max_body_bytes {
        return Err(Failure::bare(
            format!(
                "the body has {} bytes, more than {} (Limits::max_body_bytes)",
                input.len(),
                limits.max_body_bytes
            ),
            limits.max_body_bytes,
        )
        .into_error_at(input));
    }
    let skipped_bom = if input.starts_with(BYTE_ORDER_MARK) { BYTE_ORDER_MARK.len() } else { 0 };
    let (text, charset_note) =
        to_text(input, skipped_bom).map_err(|failure| failure.into_error_at(input))?;
    let transcoded = matches!(text, Cow::Owned(_));
    if u32::try_from(text.len()).is_err() {
        // Decoded names and values index into the body with 32-bit offsets.
        return Err(Failure::bare("the body is larger than 4 GiB", 0).into_error_at(input));
    }
    // One copy of the body that every decoded name and value can share.
    let shared = arcstr::ArcStr::from(&*text);
    let mut reader = Reader::new(&shared, limits, transcoded, skipped_bom);
    if let Some((code, message)) = charset_note {
        reader.diagnose(Severity::Warning, code, 0, message);
    }
    match read_document(&mut reader) {
        Ok(envelopes) => {
            let diagnostics = reader.finish_diagnostics(input);
            Ok(Decoded { envelopes, diagnostics, text: shared.clone() })
        }
        Err(failure) => Err(reader.error_for(failure, input)),
    }
}

/// UTF-8's byte-order mark, which some CPEs put before the body.
const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

type CharsetNote = Option<(&'static str, String)>;

/// Finds the character set: the XML declaration decides; UTF-8 otherwise. Latin-1
/// (and its superset windows-1252 as far as printable Latin-1 goes) is transcoded. The text
/// starts after `skipped_bom` bytes, which byte offsets in notes still count.
fn to_text(input: &[u8], skipped_bom: usize) -> Result<(Cow<'_, str>, CharsetNote)> {
    let input = &input[skipped_bom..];
    let declared = declared_encoding(input);
    // Compared without a lowercase copy: every body with a declaration passes here.
    let latin1 = declared.as_deref().is_some_and(|name| {
        [
            "iso-8859-1",
            "iso8859-1",
            "latin1",
            "latin-1",
            "l1",
            "iso_8859-1",
            "windows-1252",
            "cp1252",
            "us-ascii",
            "ascii",
        ]
        .iter()
        .any(|latin1| name.eq_ignore_ascii_case(latin1))
    });
    if latin1 {
        let note = input.iter().any(|&b| b >= 0x80).then(|| {
            (
                "latin1-body",
                format!(
                    "the body is declared {} and was decoded as Latin-1; CWMP requires UTF-8",
                    declared.as_deref().unwrap_or_default()
                ),
            )
        });
        let text: String = input.iter().map(|&b| char::from(b)).collect();
        return Ok((Cow::Owned(text), note));
    }
    if let Some(name) = declared.as_deref()
        && !name.eq_ignore_ascii_case("utf-8")
        && !name.eq_ignore_ascii_case("utf8")
    {
        return Err(Failure::bare(format!("unsupported character set `{name}`"), 0));
    }
    match std::str::from_utf8(input) {
        Ok(text) => Ok((Cow::Borrowed(text), None)),
        Err(error) => {
            // Undeclared Latin-1 is common on old CPEs: decode it, but say so.
            let at = skipped_bom + error.valid_up_to();
            let text: String = input.iter().map(|&b| char::from(b)).collect();
            Ok((
                Cow::Owned(text),
                Some((
                    "invalid-utf8",
                    format!("byte {at} is not UTF-8; the body was decoded as Latin-1"),
                )),
            ))
        }
    }
}

/// The `encoding` pseudo-attribute of the XML declaration, if any. The
/// declaration is the first markup of a document (blank lines before it, as
/// some captures have, are tolerated).
fn declared_encoding(input: &[u8]) -> Option<Cow<'_, str>> {
    let start = input.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = input.get(start..input.len().min(start + 256))?;
    if !rest.starts_with(b"<?xml") {
        return None;
    }
    let end = rest.windows(2).position(|w| w == b"?>")?;
    let decl = rest.get(..end)?;
    let at = decl.windows(8).position(|w| w == b"encoding")?;
    let after = decl.get(at + 8..)?;
    let after = after.iter().position(|&b| b == b'=').and_then(|eq| after.get(eq + 1..))?;
    let quote_at = after.iter().position(|&b| b == b'"' || b == b'\'')?;
    let quote = *after.get(quote_at)?;
    let value = after.get(quote_at + 1..)?;
    let close = value.iter().position(|&b| b == quote)?;
    let name = value.get(..close)?;
    Some(String::from_utf8_lossy(name))
}

fn read_document(reader: &mut Reader<'_>) -> Result<Vec<Envelope>> {
    let mut envelopes = Vec::new();
    let mut saw_content = false;
    loop {
        match reader.next()? {
            Step::Open(element) => {
                saw_content = true;
                if element.local() != "Envelope" {
                    let name = element.local().to_owned();
                    return Err(reader.fail(
                        element.offset,
                        format!("`{name}` is not a SOAP Envelope; this is not a CWMP message"),
                    ));
                }
                envelopes.push(read_envelope(reader, element)?);
            }
            Step::Text(text) | Step::Chars(text) => {
                if !text.trim().is_empty() {
                    let at = reader.text_offset(&text);
                    return Err(reader.fail(
                        at,
                        format!("text `{}` outside of any element: not XML", abbreviate(&text)),
                    ));
                }
            }
            Step::Close => {
                // check_end_names rejects unmatched closing tags; kept for safety.
                let at = reader.position();
                return Err(reader.fail(at, "a closing tag without an opening one"));
            }
            Step::Eof => break,
        }
    }
    if !saw_content && !reader.input.trim().is_empty() {
        return Err(reader.fail(reader.input.len(), "no XML element in the body"));
    }
    if envelopes.len() > 1 {
        let count = envelopes.len();
        reader.diagnose(
            Severity::Info,
            "several-envelopes",
            0,
            format!("{count} envelopes in one body (allowed up to MaxEnvelopes)"),
        );
    }
    if envelopes.is_empty() {
        reader.diagnose(
            Severity::Info,
            "empty-body",
            0,
            "an empty body: the peer has no (more) requests",
        );
    }
    Ok(envelopes)
}

fn read_envelope<'i>(reader: &mut Reader<'i>, envelope: Element<'i>) -> Result<Envelope> {
    check_soap_ns(reader, &envelope);
    let mut header = Header::default();
    let mut message: Option<Message> = None;
    let mut version: Option<CwmpVersion> = envelope_declared_version(reader, &envelope);
    let mut saw_body = false;
    reader.children(|reader, child| match child.local() {
        "Header" => {
            check_soap_ns(reader, &child);
            read_header(reader, &mut header, &mut version)
        }
        "Body" => {
            check_soap_ns(reader, &child);
            if saw_body {
                reader.diagnose(
                    Severity::Warning,
                    "extra-body",
                    child.offset,
                    "a second Body is ignored",
                );
                return reader.skip();
            }
            saw_body = true;
            message = read_body(reader, &mut version)?;
            Ok(())
        }
        other => {
            let other = other.to_owned();
            reader.diagnose(
                Severity::Warning,
                "unexpected-element",
                child.offset,
                format!("`{other}` in the Envelope is ignored"),
            );
            reader.skip()
        }
    })?;
    if !saw_body {
        reader.diagnose(
            Severity::Error,
            "missing-body",
            envelope.offset,
            "the Envelope has no Body",
        );
    }
    let version = version.unwrap_or_else(|| {
        reader.diagnose(
            Severity::Warning,
            "unknown-version",
            envelope.offset,
            "no CWMP namespace is used; assuming CWMP 1.0",
        );
        CwmpVersion::V1_0
    });
    Ok(Envelope { version, header, message: message.unwrap_or(Message::EmptyBody) })
}

/// The CWMP version bound on the Envelope itself, for envelopes whose body
/// does not use the cwmp namespace (empty bodies, plain SOAP faults).
fn envelope_declared_version(reader: &Reader<'_>, envelope: &Element<'_>) -> Option<CwmpVersion> {
    if !envelope.has_attributes() {
        return None;
    }
    envelope.start.attributes().with_checks(false).flatten().find_map(|attribute| {
        let key = attribute.key.0;
        if key == "xmlns" || key.starts_with("xmlns:") {
            let _ = reader;
            CwmpVersion::from_namespace(attribute.value.as_ref())
        } else {
            None
        }
    })
}

fn check_soap_ns(reader: &mut Reader<'_>, element: &Element<'_>) {
    match reader.ns(element) {
        Ns::SoapEnv => {}
        Ns::Soap12Env => reader.diagnose(
            Severity::Warning,
            "soap12-namespace",
            element.offset,
            "SOAP 1.2 envelope namespace; CWMP uses SOAP 1.1",
        ),
        _ => {
            let uri = reader.namespace_uri(element);
            let name = element.local().to_owned();
            reader.diagnose(
                Severity::Warning,
                "unknown-namespace",
                element.offset,
                format!("`{name}` is in namespace `{uri}`, not the SOAP 1.1 envelope namespace"),
            );
        }
    }
}

/// Notes the version of a cwmp-namespaced element; flags foreign namespaces.
pub(crate) fn note_cwmp_ns(
    reader: &mut Reader<'_>,
    element: &Element<'_>,
    version: &mut Option<CwmpVersion>,
) {
    match reader.ns(element) {
        Ns::Cwmp(found) => {
            if let Some(known) = *version
                && known != found
            {
                reader.diagnose(
                    Severity::Warning,
                    "mixed-versions",
                    element.offset,
                    format!("namespace of {found:?} in an envelope of {known:?}"),
                );
            }
            // The element's own namespace beats a declaration on the Envelope.
            *version = Some(found);
        }
        Ns::CwmpFuture => {
            let uri = reader.namespace_uri(element);
            reader.diagnose(
                Severity::Warning,
                "unknown-namespace",
                element.offset,
                format!("`{uri}` is newer than any known CWMP version; read as 1.2"),
            );
            version.get_or_insert(CwmpVersion::V1_2);
        }
        Ns::None => {
            let name = element.local().to_owned();
            reader.diagnose(
                Severity::Warning,
                "missing-namespace",
                element.offset,
                format!("`{name}` is not in the cwmp namespace"),
            );
        }
        _ => {
            let uri = reader.namespace_uri(element);
            let name = element.local().to_owned();
            reader.diagnose(
                Severity::Warning,
                "unknown-namespace",
                element.offset,
                format!("`{name}` is in the unknown namespace `{uri}`"),
            );
        }
    }
}

fn read_header(
    reader: &mut Reader<'_>,
    header: &mut Header,
    version: &mut Option<CwmpVersion>,
) -> Result<()> {
    reader.children(|reader, child| {
        let name = child.local();
        let known = matches!(
            name,
            "ID" | "HoldRequests"
                | "NoMoreRequests"
                | "SessionTimeout"
                | "SupportedCWMPVersions"
                | "UseCWMPVersion"
        );
        if !known {
            let name = name.to_owned();
            let must = reader.attribute(&child, |ns| ns == Ns::SoapEnv, "mustUnderstand");
            let severity = if must.as_deref().map(str::trim) == Some("1") {
                Severity::Error
            } else {
                Severity::Info
            };
            reader.diagnose(severity, "unknown-header", child.offset, format!("header `{name}` is not CWMP"));
            return reader.skip();
        }
        note_cwmp_ns(reader, &child, version);
        match child.local() {
            "ID" => header.id = Some(reader.text_shared()?),
            "HoldRequests" => header.hold_requests = Some(read_bool(reader, &child)?),
            "NoMoreRequests" => {
                reader.diagnose(
                    Severity::Warning,
                    "legacy-no-more-requests",
                    child.offset,
                    "NoMoreRequests is in no CWMP schema (removed in 1.1); an empty POST says the same",
                );
                header.no_more_requests = Some(read_bool(reader, &child)?);
            }
            "SessionTimeout" => header.session_timeout = Some(read_number(reader, &child)?),
            "SupportedCWMPVersions" => header.supported_cwmp_versions = Some(reader.text()?),
            _ => header.use_cwmp_version = Some(reader.text()?),
        }
        Ok(())
    })
}

fn read_body(
    reader: &mut Reader<'_>,
    version: &mut Option<CwmpVersion>,
) -> Result<Option<Message>> {
    let mut message = None;
    reader.children(|reader, child| {
        if message.is_some() {
            let name = child.local().to_owned();
            reader.diagnose(
                Severity::Error,
                "extra-body-element",
                child.offset,
                format!("a second method `{name}` in one Body is ignored"),
            );
            return reader.skip();
        }
        message = Some(decode_message(reader, child, version)?);
        Ok(())
    })?;
    Ok(message)
}

/// Reads a boolean leniently: `1`/`0`/`true`/`false` with any case and spaces.
pub(crate) fn read_bool(reader: &mut Reader<'_>, element: &Element<'_>) -> Result<bool> {
    let text = reader.text_cow()?;
    match parse_bool(&text) {
        Some(value) => Ok(value),
        None => {
            reader.diagnose_at(
                Severity::Error,
                "invalid-boolean",
                element.offset,
                joined(&reader.path(), element.local()),
                format!("`{}` is not a boolean; read as false", abbreviate(&text)),
            );
            Ok(false)
        }
    }
}

pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    match text.trim() {
        "1" => Some(true),
        "0" => Some(false),
        t if t.eq_ignore_ascii_case("true") => Some(true),
        t if t.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// Reads a number leniently: surrounding spaces are fine; junk becomes the
/// default with an error diagnostic.
pub(crate) fn read_number<T>(reader: &mut Reader<'_>, element: &Element<'_>) -> Result<T>
where
    T: std::str::FromStr + Default,
{
    let text = reader.text_cow()?;
    match text.trim().parse::<T>() {
        Ok(value) => Ok(value),
        Err(_) => {
            reader.diagnose_at(
                Severity::Error,
                "invalid-number",
                element.offset,
                joined(&reader.path(), element.local()),
                format!(
                    "`{}` is not a valid {}; read as 0",
                    abbreviate(&text),
                    short_type_name::<T>()
                ),
            );
            Ok(T::default())
        }
    }
}

fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    match full {
        "u32" => "unsignedInt",
        "i32" => "int",
        "u64" => "unsignedLong",
        "i64" => "long",
        _ => "number",
    }
}

/// The path of a just-closed child, for diagnostics raised after reading it.
pub(crate) fn joined(parent: &str, local: &str) -> String {
    if parent.is_empty() { local.to_owned() } else { format!("{parent}/{local}") }
}
