//! HTTP/1.x framing over reassembled byte runs, recognised by content on any port.
//!
//! Message boundaries come from Content-Length or chunked encoding, but a Content-Length is never
//! trusted on its own: when the declared end does not land on the next message (or the end of the
//! stream), the real end is recovered from where the next start line begins and a
//! `content-length-mismatch` diagnostic says by how much the header was off.

use super::tcp::Run;
use super::{Capture, Connection, Diagnostic, Limits, Options, Source, Stats, TlsConnection};
use crate::base::Location;
use crate::base::Severity;
use crate::base::Timestamp;
use crate::cwmp::secrets::MASK;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::io::Read as _;
use std::net::SocketAddr;

/// The first line of an HTTP message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum StartLine {
    Request { method: HeadText, target: HeadText, version: HeadText },
    Response { version: HeadText, status: u16, reason: HeadText },
}

/// Text of a message's head: the start line's parts and the headers' names and values share one
/// copy of the head (one allocation per message, not one per part).
pub type HeadText = arcstr::Substr;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpHeader {
    pub name: HeadText,
    /// The value as sent, except that secrets are masked unless asked otherwise.
    pub value: HeadText,
}

/// Credentials found in an `Authorization` header. Texts, not `String`s: the scheme and a Digest
/// header's parameters share the message's head, a Basic user name and password the one copy of
/// the decoded `user:password`, and a masked password a literal (a CPE sends credentials on every
/// POST, so each copy saved counts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    /// `Basic`, `Digest`, …
    pub scheme: HeadText,
    pub username: Option<HeadText>,
    /// The password (Basic only), masked as `********` unless secrets are revealed.
    pub password: Option<HeadText>,
    pub realm: Option<HeadText>,
}

/// One HTTP request or response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpMessage {
    pub start_line: StartLine,
    pub headers: Vec<HttpHeader>,
    /// The body after transfer and content decoding.
    #[serde(skip)]
    pub body: Vec<u8>,
    pub body_len: usize,
    /// Content-Length as declared, if any.
    pub content_length: Option<u64>,
    /// Bytes the body really had on the wire (after chunk framing).
    pub wire_body_len: usize,
    /// Arrival of the first byte (packet time); `None` for text inputs without times.
    pub time: Option<Timestamp>,
    /// Arrival of the last byte.
    pub end_time: Option<Timestamp>,
    pub source: Option<SocketAddr>,
    pub destination: Option<SocketAddr>,
    pub credentials: Option<Credentials>,
    pub diagnostics: Vec<Diagnostic>,
    /// Set when the message was rebuilt from a log record rather than seen on the wire (e.g.
    /// `enodebd Inform`, `genieacs incoming HTTP request`): its framing and, for enodebd, its
    /// envelope are reconstructions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebuilt_from: Option<String>,
}

impl HttpMessage {
    pub fn is_request(&self) -> bool {
        matches!(self.start_line, StartLine::Request { .. })
    }

    pub fn status(&self) -> Option<u16> {
        match self.start_line {
            StartLine::Response { status, .. } => Some(status),
            StartLine::Request { .. } => None,
        }
    }

    pub fn method(&self) -> Option<&str> {
        match &self.start_line {
            StartLine::Request { method, .. } => Some(method),
            StartLine::Response { .. } => None,
        }
    }

    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|h| h.name.eq_ignore_ascii_case(name)).map(|h| h.value.as_str())
    }

    /// `name=value` pairs of every `Cookie` header.
    pub fn cookies(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case("cookie"))
            .flat_map(|h| h.value.split(';'))
            .filter_map(|pair| {
                let (name, value) = pair.trim().split_once('=')?;
                Some((name.trim().to_string(), value.trim().to_string()))
            })
            .collect()
    }

    /// `name=value` of every `Set-Cookie` header (attributes dropped).
    pub fn set_cookies(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case("set-cookie"))
            .filter_map(|h| {
                let first = h.value.split(';').next()?;
                let (name, value) = first.trim().split_once('=')?;
                Some((name.trim().to_string(), value.trim().to_string()))
            })
            .collect()
    }

    /// A body holding nothing but whitespace counts as empty (CWMP's "empty POST").
    pub fn has_empty_body(&self) -> bool {
        self.body.iter().all(u8::is_ascii_whitespace)
    }

    /// The start line as it is written on the wire, without its line ending.
    pub fn start_line_text(&self) -> String {
        let mut line = String::new();
        self.write_start_line(&mut line, 0);
        line
    }

    /// Writes the start line into `out`, reserving room for it and `more` bytes after it.
    fn write_start_line(&self, out: &mut String, more: usize) {
        // Two spaces separate the three parts; a status has at most five digits.
        match &self.start_line {
            StartLine::Request { method, target, version } => {
                out.reserve(method.len() + target.len() + version.len() + 2 + more);
                let _ = write!(out, "{method} {target} {version}");
            }
            StartLine::Response { version, status, reason } => {
                out.reserve(version.len() + 5 + reason.len() + 2 + more);
                let _ = write!(out, "{version} {status} {reason}");
            }
        }
    }

    /// The start line and the headers as sent (secrets masked unless revealed), CRLF-ended.
    pub fn head_text(&self) -> String {
        // One allocation: the headers' length is known before anything is written.
        let headers: usize = self.headers.iter().map(|h| h.name.len() + h.value.len() + 4).sum();
        let mut head = String::new();
        self.write_start_line(&mut head, headers + 2);
        head.push_str("\r\n");
        for header in &self.headers {
            head.push_str(&header.name);
            head.push_str(": ");
            head.push_str(&header.value);
            head.push_str("\r\n");
        }
        head
    }

    /// One line for humans: `POST /acs` or `204 No Content`.
    pub fn summary(&self) -> String {
        match &self.start_line {
            StartLine::Request { method, target, .. } => format!("{method} {target}"),
            StartLine::Response { status, reason, .. } => format!("{status} {reason}"),
        }
    }
}

const METHODS: [&str; 9] =
    ["GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE"];

/// Whether `bytes` begins with an HTTP/1.x request or status line.
pub fn starts_message(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"HTTP/1.") {
        return true;
    }
    let line_end =
        bytes.iter().take(8192).position(|&b| b == b'\n').unwrap_or(bytes.len().min(8192));
    let line = &bytes[..line_end];
    METHODS.iter().any(|m| {
        line.len() > m.len()
            && line.starts_with(m.as_bytes())
            && line[m.len()] == b' '
            && line.windows(7).any(|w| w == b" HTTP/1")
    })
}

/// The offset of the next HTTP start line at or after `from`. Keep-alive peers often send the
/// next message right after a body with no line break, so this looks for `HTTP/1.` anywhere: a
/// request line (`METHOD target HTTP/1.x`) starts two words before it, a status line
/// (`HTTP/1.x NNN`) there.
fn next_message_start(data: &[u8], from: usize) -> Option<usize> {
    let rest = data.get(from..)?;
    memchr::memmem::find_iter(rest, b"HTTP/1.").find_map(|found| {
        let at = from + found;
        match request_line_start(data, at) {
            Some(start) if start >= from => Some(start),
            _ => is_status_line(&data[at..]).then_some(at),
        }
    })
}

/// `HTTP/1.x NNN`: a status line's start (a request line has its version at its end).
fn is_status_line(bytes: &[u8]) -> bool {
    matches!(bytes, [b'H', b'T', b'T', b'P', b'/', b'1', b'.', minor, b' ', a, b, c, ..]
        if minor.is_ascii_digit() && [a, b, c].iter().all(|d| d.is_ascii_digit()))
}

/// Where the request line whose version begins at `version_at` starts, if it is one.
fn request_line_start(data: &[u8], version_at: usize) -> Option<usize> {
    let space = version_at.checked_sub(1).filter(|&i| data.get(i) == Some(&b' '))?;
    let target_start = data[..space].iter().rposition(|&b| b == b' ' || b == b'\n')? + 1;
    let method_end = target_start.checked_sub(1)?;
    METHODS.iter().find_map(|m| {
        let start = method_end.checked_sub(m.len())?;
        (&data[start..method_end] == m.as_bytes() && starts_message(&data[start..]))
            .then_some(start)
    })
}

/// True when a message may end at `end`: the run ends there (whitespace aside) or a message starts.
fn is_boundary(data: &[u8], end: usize) -> bool {
    let rest = data.get(end..).unwrap_or_default();
    let skipped = rest.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(rest.len());
    skipped == rest.len() || starts_message(&rest[skipped..])
}

fn diagnostic(severity: Severity, code: &'static str, message: String) -> Diagnostic {
    Diagnostic::new(severity, Source::Http, code, message)
}

/// Parses every HTTP message in one direction's runs. Runs after a gap resync on the next start line.
pub fn parse_runs(
    runs: &[Run],
    source: Option<SocketAddr>,
    destination: Option<SocketAddr>,
    options: &Options,
    stats: &mut Stats,
) -> (Vec<HttpMessage>, Vec<Diagnostic>) {
    let mut messages = Vec::new();
    let mut diagnostics = Vec::new();
    for run in runs {
        parse_run(run, source, destination, options, stats, &mut messages, &mut diagnostics);
    }
    (messages, diagnostics)
}

fn parse_run(
    run: &Run,
    source: Option<SocketAddr>,
    destination: Option<SocketAddr>,
    options: &Options,
    stats: &mut Stats,
    messages: &mut Vec<HttpMessage>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let data = &run.data;
    let mut pos = 0usize;
    while pos < data.len() {
        let skipped = data[pos..].iter().position(|b| !b.is_ascii_whitespace());
        let Some(skipped) = skipped else { break };
        pos += skipped;
        if !starts_message(&data[pos..]) {
            match next_message_start(data, pos) {
                Some(next) => {
                    if run.gap_before == 0 || pos > 0 {
                        diagnostics.push(diagnostic(
                            Severity::Warning,
                            "unparsed-bytes",
                            format!("{} bytes that are not HTTP were skipped", next - pos),
                        ));
                    }
                    pos = next;
                }
                None => {
                    // After a capture gap, or a stream that is not HTTP at all: nothing to say
                    // beyond the gap itself unless HTTP was already seen here.
                    if !messages.is_empty() && run.gap_before == 0 {
                        diagnostics.push(diagnostic(
                            Severity::Warning,
                            "unparsed-bytes",
                            format!("{} trailing bytes are not HTTP", data.len() - pos),
                        ));
                    }
                    break;
                }
            }
        }
        match parse_message(data, pos, options, stats) {
            Parsed::Message(mut message, end) => {
                // Point a framing finding at where the message really ends in the input.
                for d in &mut message.diagnostics {
                    if d.code == "content-length-mismatch"
                        && d.location.is_input()
                        && let Some(offset) = run.input_offset(end.saturating_sub(1).max(pos))
                    {
                        d.location = Location::Byte { offset };
                    }
                }
                message.time = run.time_at(pos);
                message.end_time = run.time_at(end.saturating_sub(1).max(pos));
                message.source = source;
                message.destination = destination;
                messages.push(message);
                pos = end.max(pos + 1);
            }
            Parsed::Incomplete => {
                diagnostics.push(diagnostic(
                    Severity::Warning,
                    "truncated-http-message",
                    "an HTTP message's headers are cut off by the end of the data".into(),
                ));
                break;
            }
            Parsed::Invalid(reason) => {
                diagnostics.push(diagnostic(
                    Severity::Warning,
                    "bad-http-message",
                    format!("unreadable HTTP message: {reason}"),
                ));
                match next_message_start(data, pos + 1) {
                    Some(next) => pos = next,
                    None => break,
                }
            }
        }
    }
}

// reason: one per message, moved into the message list at once; a box would be an allocation
// per message for nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Parsed {
    Message(HttpMessage, usize),
    Incomplete,
    Invalid(String),
}

/// Header slots tried on the stack before the configured maximum is allocated.
const USUAL_HEADERS: usize = 48;

pub(crate) fn parse_message(
    data: &[u8],
    pos: usize,
    options: &Options,
    stats: &mut Stats,
) -> Parsed {
    let limit = options.limits.max_headers.clamp(1, 1024);
    let mut slots = [httparse::EMPTY_HEADER; USUAL_HEADERS];
    match parse_head(data, pos, options, stats, &mut slots[..limit.min(USUAL_HEADERS)]) {
        Err(httparse::Error::TooManyHeaders) if limit > USUAL_HEADERS => {
            let mut slots = vec![httparse::EMPTY_HEADER; limit];
            parse_head(data, pos, options, stats, &mut slots)
                .unwrap_or_else(|e| Parsed::Invalid(e.to_string()))
        }
        Err(error) => Parsed::Invalid(error.to_string()),
        Ok(parsed) => parsed,
    }
}

fn parse_head<'h>(
    data: &'h [u8],
    pos: usize,
    options: &Options,
    stats: &mut Stats,
    slots: &mut [httparse::Header<'h>],
) -> Result<Parsed, httparse::Error> {
    let bytes = &data[pos..];
    let limits = &options.limits;
    let (start, header_len, headers) = if bytes.starts_with(b"HTTP/") {
        let mut response = httparse::Response::new(slots);
        match response.parse(bytes)? {
            httparse::Status::Complete(len) => (
                RawStartLine::Response {
                    version: response.version.unwrap_or(1),
                    status: response.code.unwrap_or(0),
                    reason: response.reason.unwrap_or_default(),
                },
                len,
                response.headers,
            ),
            httparse::Status::Partial => return Ok(Parsed::Incomplete),
        }
    } else {
        let mut request = httparse::Request::new(slots);
        match request.parse(bytes)? {
            httparse::Status::Complete(len) => (
                RawStartLine::Request {
                    method: request.method.unwrap_or_default(),
                    target: request.path.unwrap_or_default(),
                    version: request.version.unwrap_or(1),
                },
                len,
                request.headers,
            ),
            httparse::Status::Partial => return Ok(Parsed::Incomplete),
        }
    };
    let head = bytes.get(..header_len).unwrap_or_default();
    let shared = match std::str::from_utf8(head) {
        Ok(text) => arcstr::ArcStr::from(text),
        Err(_) => arcstr::ArcStr::new(),
    };
    let piece = |text: &str| slice_of_head(&shared, head, text.as_bytes());
    let start_line = match start {
        RawStartLine::Response { version, status, reason } => {
            StartLine::Response { version: http_version(version), status, reason: piece(reason) }
        }
        RawStartLine::Request { method, target, version } => StartLine::Request {
            method: piece(method),
            target: piece(target),
            version: http_version(version),
        },
    };
    let mut message = HttpMessage {
        start_line,
        headers: Vec::with_capacity(headers.len()),
        body: Vec::new(),
        body_len: 0,
        content_length: None,
        wire_body_len: 0,
        time: None,
        end_time: None,
        source: None,
        destination: None,
        credentials: None,
        diagnostics: Vec::new(),
        rebuilt_from: None,
    };
    for header in headers.iter().filter(|h| !h.name.is_empty()) {
        let name = slice_of_head(&shared, head, header.name.as_bytes());
        let value = slice_of_head(&shared, head, header.value);
        let secret = mask_secret(&name, &value, options.reveal_secrets, &mut message.credentials);
        let value = secret.unwrap_or(value);
        message.headers.push(HttpHeader { name, value });
    }
    let body_start = pos + header_len;
    let (body, end) = frame_body(data, body_start, &mut message, limits);
    message.wire_body_len = end - body_start;
    message.body = decode_content(body, &mut message, limits, stats);
    message.body_len = message.body.len();
    Ok(Parsed::Message(message, end))
}

/// A start line as httparse read it, borrowing the input.
enum RawStartLine<'h> {
    Request { method: &'h str, target: &'h str, version: u8 },
    Response { version: u8, status: u16, reason: &'h str },
}

/// `HTTP/1.0` or `HTTP/1.1` without an allocation (httparse reads no other version).
fn http_version(minor: u8) -> HeadText {
    match minor {
        0 => HeadText::full(arcstr::literal!("HTTP/1.0")),
        1 => HeadText::full(arcstr::literal!("HTTP/1.1")),
        other => HeadText::from(format!("HTTP/1.{other}")),
    }
}

/// A piece of the head (the start line's parts, a header's name or value, a slice of `head`) as text sharing `shared`,
/// the head's one copy; a copy of its own, lossy, when the head is not UTF-8.
fn slice_of_head(shared: &arcstr::ArcStr, head: &[u8], piece: &[u8]) -> HeadText {
    let start = piece.as_ptr().addr().wrapping_sub(head.as_ptr().addr());
    match start.checked_add(piece.len()) {
        Some(end) if !shared.is_empty() && end <= shared.len() => shared.substr(start..end),
        _ => HeadText::from(String::from_utf8_lossy(piece).as_ref()),
    }
}

/// Masks passwords in `Authorization` (Basic) and bare `Password` headers; records credentials.
/// The value to keep instead of the one sent, if it changes. `value` shares the head: the
/// scheme and a Digest header's parameters are slices of it.
fn mask_secret(
    name: &str,
    value: &HeadText,
    reveal: bool,
    credentials: &mut Option<Credentials>,
) -> Option<HeadText> {
    if name.eq_ignore_ascii_case("password") {
        return (!reveal).then(masked);
    }
    if !name.eq_ignore_ascii_case("authorization") {
        return None;
    }
    let (scheme, rest) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    // Every piece is taken from `value`; a copy is only the fallback that cannot panic.
    let piece = |text: &str| value.try_substr_from(text).unwrap_or_else(|| HeadText::from(text));
    if scheme.eq_ignore_ascii_case("basic") {
        let (username, password) = match decode_basic(rest.trim()) {
            Some(user_password) => match user_password.find(':') {
                Some(colon) => (
                    Some(user_password.substr(..colon)),
                    Some(if reveal { user_password.substr(colon + 1..) } else { masked() }),
                ),
                None => (None, None),
            },
            None => (None, None),
        };
        *credentials = Some(Credentials { scheme: piece(scheme), username, password, realm: None });
        (!reveal).then(|| masked_basic(scheme))
    } else {
        let parameter = |key: &str| {
            rest.split(',').find_map(|part| {
                let (k, v) = part.trim().split_once('=')?;
                k.trim().eq_ignore_ascii_case(key).then(|| piece(v.trim().trim_matches('"')))
            })
        };
        *credentials = Some(Credentials {
            scheme: piece(scheme),
            username: parameter("username"),
            password: None,
            realm: parameter("realm"),
        });
        None
    }
}

/// `********`, shared.
fn masked() -> HeadText {
    const MASKED: arcstr::ArcStr = arcstr::literal!("********");
    debug_assert_eq!(MASKED.as_str(), MASK);
    HeadText::full(MASKED)
}

/// The `user:password` of a Basic header's base64, as one text (lossy when it is not UTF-8):
/// decoded on the stack, so that the text is the only allocation.
fn decode_basic(encoded: &str) -> Option<HeadText> {
    let engine = &base64::engine::general_purpose::STANDARD;
    let mut room = [0u8; 192];
    let decoded: std::borrow::Cow<'_, [u8]> =
        if base64::decoded_len_estimate(encoded.len()) <= room.len() {
            let len = engine.decode_slice(encoded, &mut room).ok()?;
            std::borrow::Cow::Borrowed(&room[..len])
        } else {
            std::borrow::Cow::Owned(engine.decode(encoded).ok()?)
        };
    Some(HeadText::from(String::from_utf8_lossy(&decoded).as_ref()))
}

/// `Basic ********` as the masked header's value: a shared literal for the usual spelling.
fn masked_basic(scheme: &str) -> HeadText {
    const MASKED_BASIC: arcstr::ArcStr = arcstr::literal!("Basic ********");
    if scheme == "Basic" {
        HeadText::full(MASKED_BASIC)
    } else {
        HeadText::from(format!("{scheme} {MASK}"))
    }
}

/// Finds the body's bytes and where the message ends.
fn frame_body<'a>(
    data: &'a [u8],
    body_start: usize,
    message: &mut HttpMessage,
    limits: &Limits,
) -> (std::borrow::Cow<'a, [u8]>, usize) {
    let available = data.len() - body_start;
    let chunked = message
        .header("transfer-encoding")
        .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
    if chunked {
        return match dechunk(data, body_start, limits) {
            Ok((body, end)) => (std::borrow::Cow::Owned(body), end),
            Err(reason) => {
                let end = next_message_start(data, body_start).unwrap_or(data.len());
                message.diagnostics.push(diagnostic(
                    Severity::Warning,
                    "bad-chunked-body",
                    format!("chunked body cannot be read ({reason}); kept as sent"),
                ));
                (std::borrow::Cow::Borrowed(&data[body_start..end]), end)
            }
        };
    }
    let declared = message.header("content-length").map(|v| v.trim().parse::<u64>());
    match declared {
        Some(Ok(length)) => {
            message.content_length = Some(length);
            let counted_end = usize::try_from(length)
                .ok()
                .and_then(|l| body_start.checked_add(l))
                .unwrap_or(usize::MAX);
            let claimed_end = Some(counted_end).filter(|&end| end <= data.len());
            let next = next_message_start(data, body_start);
            // A message that starts inside the counted body, right after the envelope closes:
            // the length counts more than the body (and would hide that message).
            if let Some(start) = next.filter(|&start| start < counted_end)
                && body_looks_complete(&data[body_start..start])
            {
                let content = trim_trailing_whitespace(&data[body_start..start]);
                message.diagnostics.push(diagnostic(
                    Severity::Error,
                    "content-length-mismatch",
                    format!(
                        "Content-Length says {length} but the body has {content} byte(s): its \
                         envelope ends and the next message begins {} byte(s) into the counted \
                         body; the real length is used",
                        start - body_start
                    ),
                ));
                return (std::borrow::Cow::Borrowed(&data[body_start..start]), start);
            }
            if let Some(end) = claimed_end
                && is_boundary(data, end)
            {
                return (std::borrow::Cow::Borrowed(&data[body_start..end]), end);
            }
            let real_end = next.unwrap_or(data.len());
            let looks_complete = body_looks_complete(&data[body_start..real_end]);
            if claimed_end.is_none() && next.is_none() && !looks_complete {
                message.diagnostics.push(diagnostic(
                    Severity::Warning,
                    "truncated-http-body",
                    format!(
                        "Content-Length is {length} but only {available} byte(s) follow before \
                         the data ends"
                    ),
                ));
            } else {
                let content = trim_trailing_whitespace(&data[body_start..real_end]);
                message.diagnostics.push(diagnostic(
                    Severity::Error,
                    "content-length-mismatch",
                    format!(
                        "Content-Length says {length} but the body has {content} byte(s) (the \
                         message ends where the next one begins); the real length is used"
                    ),
                ));
            }
            (std::borrow::Cow::Borrowed(&data[body_start..real_end]), real_end)
        }
        Some(Err(_)) => {
            let end = next_message_start(data, body_start).unwrap_or(data.len());
            message.diagnostics.push(diagnostic(
                Severity::Error,
                "bad-content-length",
                "Content-Length is not a number; the body runs to the next message".into(),
            ));
            (std::borrow::Cow::Borrowed(&data[body_start..end]), end)
        }
        None => {
            let bodiless = match &message.start_line {
                StartLine::Request { .. } => is_boundary(data, body_start),
                StartLine::Response { status, .. } => {
                    *status < 200
                        || *status == 204
                        || *status == 304
                        || is_boundary(data, body_start)
                }
            };
            if bodiless {
                return (std::borrow::Cow::Borrowed(&[][..]), body_start);
            }
            // No length: the body runs to the next message or to the end of the stream.
            let end = next_message_start(data, body_start).unwrap_or(data.len());
            if message.is_request() {
                message.diagnostics.push(diagnostic(
                    Severity::Warning,
                    "missing-content-length",
                    "request with a body but neither Content-Length nor chunked encoding".into(),
                ));
            }
            (std::borrow::Cow::Borrowed(&data[body_start..end]), end)
        }
    }
}

fn trim_trailing_whitespace(bytes: &[u8]) -> usize {
    bytes.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(0, |p| p + 1)
}

/// A SOAP body that ends with a closing `Envelope` tag is complete whatever its header says.
fn body_looks_complete(body: &[u8]) -> bool {
    let end = trim_trailing_whitespace(body);
    let tail = &body[end.saturating_sub(64)..end];
    tail.ends_with(b">") && tail.windows(8).any(|w| w == b"Envelope")
}

fn dechunk(data: &[u8], start: usize, limits: &Limits) -> Result<(Vec<u8>, usize), String> {
    let mut body = Vec::new();
    let mut pos = start;
    loop {
        let line_len = data
            .get(pos..)
            .and_then(|rest| rest.iter().take(1024).position(|&b| b == b'\n'))
            .ok_or("chunk size line cut off")?;
        let line = String::from_utf8_lossy(&data[pos..pos + line_len]);
        let size_text = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("chunk size {size_text:?} is not hexadecimal"))?;
        pos += line_len + 1;
        if size == 0 {
            // Trailers up to an empty line, or the end of the data.
            while let Some(len) = data.get(pos..).and_then(|r| r.iter().position(|&b| b == b'\n')) {
                let blank = data[pos..pos + len].iter().all(|b| *b == b'\r');
                pos += len + 1;
                if blank {
                    break;
                }
            }
            return Ok((body, pos.min(data.len())));
        }
        let end = pos.checked_add(size).filter(|&e| e <= data.len()).ok_or("chunk cut off")?;
        if body.len() + size > limits.max_decoded_body_bytes {
            return Err("chunked body larger than the limit".into());
        }
        body.extend_from_slice(&data[pos..end]);
        pos = end;
        if data.get(pos) == Some(&b'\r') {
            pos += 1;
        }
        if data.get(pos) == Some(&b'\n') {
            pos += 1;
        }
    }
}

/// Undoes gzip/deflate content coding; anything else is left as sent. What one body may inflate
/// to is capped ([`Limits::max_decoded_body_bytes`]), and so is what all bodies of the input may
/// inflate to together ([`Limits::inflate_budget`]): once that is spent, bodies are kept as sent.
fn decode_content(
    body: std::borrow::Cow<'_, [u8]>,
    message: &mut HttpMessage,
    limits: &Limits,
    stats: &mut Stats,
) -> Vec<u8> {
    let encoding = message.header("content-encoding").map(|e| e.trim().to_ascii_lowercase());
    if !matches!(encoding.as_deref(), Some("gzip" | "x-gzip" | "deflate")) {
        return body.into_owned();
    }
    let left = stats.inflate_left();
    if left == 0 {
        stats.bodies_left_compressed += 1;
        message.diagnostics.push(diagnostic(
            Severity::Warning,
            "inflate-budget-spent",
            format!(
                "the {} bytes of decompressed bodies this input may produce are spent \
                 (Limits::inflate_budget); this body is kept compressed, as sent",
                stats.inflate_budget
            ),
        ));
        return body.into_owned();
    }
    let per_body = limits.max_decoded_body_bytes;
    let cap = u64::try_from(per_body.min(left)).unwrap_or(u64::MAX);
    let mut out = Vec::new();
    let result = match encoding.as_deref() {
        Some("gzip" | "x-gzip") => {
            flate2::read::MultiGzDecoder::new(&body[..]).take(cap).read_to_end(&mut out)
        }
        Some("deflate") => {
            let zlib = flate2::read::ZlibDecoder::new(&body[..]).take(cap).read_to_end(&mut out);
            if zlib.is_err() {
                out.clear();
                flate2::read::DeflateDecoder::new(&body[..]).take(cap).read_to_end(&mut out)
            } else {
                zlib
            }
        }
        _ => return body.into_owned(),
    };
    if let Err(error) = result {
        message.diagnostics.push(diagnostic(
            Severity::Warning,
            "bad-content-encoding",
            format!("body cannot be decompressed ({error}); kept as sent"),
        ));
        return body.into_owned();
    }
    stats.inflated_bytes += out.len() as u64;
    if out.len() as u64 >= cap {
        let (code, why) = if per_body <= left {
            ("body-too-large", "Limits::max_decoded_body_bytes")
        } else {
            ("inflate-budget-spent", "the input's Limits::inflate_budget")
        };
        message.diagnostics.push(diagnostic(
            Severity::Warning,
            code,
            format!("decompressed body cut at {cap} bytes ({why}); the rest is not decoded"),
        ));
    }
    out
}

/// The server name in a TLS ClientHello, if the bytes start with one.
fn client_hello_sni(bytes: &[u8]) -> Option<String> {
    // record header (5) + handshake header (4) + version (2) + random (32)
    if bytes.first() != Some(&0x16) || bytes.get(5) != Some(&1) {
        return None;
    }
    let mut pos = 5 + 4 + 2 + 32;
    let session_id_len = usize::from(*bytes.get(pos)?);
    pos += 1 + session_id_len;
    let suites_len = usize::from(u16::from_be_bytes([*bytes.get(pos)?, *bytes.get(pos + 1)?]));
    pos += 2 + suites_len;
    let compression_len = usize::from(*bytes.get(pos)?);
    pos += 1 + compression_len;
    let extensions_len = usize::from(u16::from_be_bytes([*bytes.get(pos)?, *bytes.get(pos + 1)?]));
    pos += 2;
    let end = (pos + extensions_len).min(bytes.len());
    while pos + 4 <= end {
        let kind = u16::from_be_bytes([bytes[pos], bytes[pos + 1]]);
        let len = usize::from(u16::from_be_bytes([bytes[pos + 2], bytes[pos + 3]]));
        pos += 4;
        if kind == 0 {
            // server_name_list length (2), name type (1), name length (2), name
            let name_len =
                usize::from(u16::from_be_bytes([*bytes.get(pos + 3)?, *bytes.get(pos + 4)?]));
            let name = bytes.get(pos + 5..pos + 5 + name_len)?;
            return Some(String::from_utf8_lossy(name).into_owned());
        }
        pos += len;
    }
    None
}

fn is_tls(bytes: &[u8]) -> bool {
    matches!(bytes, [0x16, 0x03, 0x00..=0x04, ..])
}

/// Turns reassembled streams into HTTP connections (and TLS listings).
pub fn build_connections(
    streams: impl IntoIterator<Item = super::tcp::Stream>,
    options: &Options,
    capture: &mut Capture,
    stats: &mut Stats,
) {
    for stream in streams {
        let id = u32::try_from(capture.connections.len() + 1).unwrap_or(u32::MAX);
        match connection_of(stream, id, options, stats) {
            Carried::Http(connection) => capture.connections.push(connection),
            Carried::Tls(tls) => capture.tls.push(tls),
            Carried::Nothing => {}
        }
    }
}

/// What a TCP connection carried.
#[derive(Debug)]
pub enum Carried {
    Http(Connection),
    Tls(TlsConnection),
    /// Neither HTTP nor TLS.
    Nothing,
}

/// One reassembled TCP connection as HTTP messages (numbered `id`), a TLS listing, or nothing.
pub fn connection_of(
    stream: super::tcp::Stream,
    id: u32,
    options: &Options,
    stats: &mut Stats,
) -> Carried {
    let first_bytes = |index: usize| -> &[u8] {
        stream.directions[index].runs.first().map(|r| r.data.as_slice()).unwrap_or_default()
    };
    if is_tls(first_bytes(0)) || is_tls(first_bytes(1)) {
        let client_index = usize::from(first_bytes(0).get(5) != Some(&1));
        let (client, server) = if client_index == 0 {
            (stream.first, stream.second)
        } else {
            (stream.second, stream.first)
        };
        return Carried::Tls(TlsConnection {
            client,
            server,
            start: stream.start,
            sni: client_hello_sni(first_bytes(client_index)),
            note: "TLS: encrypted, not decodable".into(),
        });
    }
    let (a, a_diagnostics) = parse_runs(
        &stream.directions[0].runs,
        Some(stream.first),
        Some(stream.second),
        options,
        stats,
    );
    let (b, b_diagnostics) = parse_runs(
        &stream.directions[1].runs,
        Some(stream.second),
        Some(stream.first),
        options,
        stats,
    );
    if a.is_empty() && b.is_empty() {
        return Carried::Nothing;
    }
    let a_is_client = match (a.first(), b.first()) {
        (Some(m), _) => m.is_request(),
        (None, Some(m)) => !m.is_request(),
        (None, None) => stream.opener != Some(stream.second),
    };
    let (client, server) =
        if a_is_client { (stream.first, stream.second) } else { (stream.second, stream.first) };
    let mut messages = a;
    messages.extend(b);
    // Stable: within one timestamp, requests come before the responses they caused.
    messages.sort_by_key(|m| (m.time, !m.is_request()));
    let mut diagnostics = stream.diagnostics;
    diagnostics.extend(a_diagnostics);
    diagnostics.extend(b_diagnostics);
    // A capture may hold many thousand connections open to its end, each with a message or
    // two: without this, each message list keeps room for four (about 1.7 KB per connection).
    messages.shrink_to_fit();
    diagnostics.shrink_to_fit();
    Carried::Http(Connection {
        id,
        client: Some(client),
        server: Some(server),
        start: stream.start,
        end: stream.end,
        messages,
        diagnostics,
        device_id: None,
    })
}

pub(crate) fn push_connection(
    capture: &mut Capture,
    client: Option<SocketAddr>,
    server: Option<SocketAddr>,
    start: Option<Timestamp>,
    end: Option<Timestamp>,
    messages: Vec<HttpMessage>,
    diagnostics: Vec<Diagnostic>,
) {
    let id = u32::try_from(capture.connections.len() + 1).unwrap_or(u32::MAX);
    capture.connections.push(Connection {
        id,
        client,
        server,
        start,
        end,
        messages,
        diagnostics,
        device_id: None,
    });
}

/// An HTTP message rebuilt from a log record: headers are masked and credentials read as for
/// messages seen on the wire; the body is taken as already decoded.
pub(crate) fn synthetic(
    start_line: StartLine,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    time: Option<Timestamp>,
    options: &Options,
) -> HttpMessage {
    let mut message = HttpMessage {
        start_line,
        headers: Vec::with_capacity(headers.len()),
        body_len: body.len(),
        wire_body_len: body.len(),
        body,
        content_length: None,
        time,
        end_time: time,
        source: None,
        destination: None,
        credentials: None,
        diagnostics: Vec::new(),
        rebuilt_from: None,
    };
    for (name, value) in headers {
        let value = HeadText::from(value);
        let value = mask_secret(&name, &value, options.reveal_secrets, &mut message.credentials)
            .unwrap_or(value);
        if name.eq_ignore_ascii_case("content-length") {
            message.content_length = value.trim().parse().ok();
        }
        message.headers.push(HttpHeader { name: name.into(), value });
    }
    message
}

/// Parses text that holds HTTP messages of both directions, one after the other.
pub fn parse_transcript(
    data: &[u8],
    options: &Options,
    stats: &mut Stats,
) -> (Vec<HttpMessage>, Vec<Diagnostic>) {
    let run = Run { gap_before: 0, data: data.to_vec(), arrivals: vec![(0, None, None)] };
    parse_runs(std::slice::from_ref(&run), None, None, options, stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Vec<HttpMessage>, Vec<Diagnostic>) {
        parse_transcript(
            text.as_bytes(),
            &Options::default(),
            &mut Stats::for_input(&Limits::default(), text.len()),
        )
    }

    #[test]
    fn basic_credentials_are_masked_with_the_one_mask() {
        for scheme in ["Basic", "basic"] {
            let (messages, _) = parse(&format!(
                "POST /acs HTTP/1.1\r\nAuthorization: {scheme} dXNlcjpzZWM6cmV0\r\nContent-Length: 0\r\n\r\n"
            ));
            let message = &messages[0];
            assert_eq!(message.header("authorization"), Some(format!("{scheme} {MASK}").as_str()));
            let credentials = message.credentials.as_ref().expect("credentials");
            assert_eq!(credentials.username.as_deref(), Some("user"));
            assert_eq!(credentials.password.as_deref(), Some(MASK));
        }
        let revealed = parse_transcript(
            b"POST /acs HTTP/1.1\r\nAuthorization: Basic dXNlcjpzZWM6cmV0\r\n\r\n",
            &Options { reveal_secrets: true, ..Options::default() },
            &mut Stats::for_input(&Limits::default(), 0),
        )
        .0;
        let credentials = revealed[0].credentials.as_ref().expect("credentials");
        assert_eq!(credentials.username.as_deref(), Some("user"));
        assert_eq!(credentials.password.as_deref(), Some("sec:ret"));
    }

    #[test]
    fn keep_alive_messages_split_on_content_length() {
        let (messages, diagnostics) = parse(
            "POST /acs HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokPOST /acs HTTP/1.1\r\nContent-Length: 0\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let summaries: Vec<_> = messages.iter().map(HttpMessage::summary).collect();
        assert_eq!(summaries, ["POST /acs", "200 OK", "POST /acs", "204 No Content"]);
        assert_eq!(messages[0].body, b"hello");
        assert!(messages[2].has_empty_body());
    }

    #[test]
    fn a_lying_content_length_is_recovered() {
        let (messages, _) = parse(
            "POST /acs HTTP/1.1\nContent-Length: 3\n\n<Envelope>é</Envelope>\nHTTP/1.1 204 No Content\n\n",
        );
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].body, "<Envelope>é</Envelope>\n".as_bytes());
        assert_eq!(messages[0].diagnostics[0].code, "content-length-mismatch");
    }

    /// genieacs-sim counts Content-Length in characters: with non-ASCII text the count is short,
    /// and a reader that trusts it takes the body's tail for the start of the next message and
    /// loses that message (a `POST /` glued to the tail).
    #[test]
    fn a_short_content_length_does_not_hide_the_next_post() {
        let body = "<soap-env:Envelope><Value>Caf\u{e9} \u{dc}n\u{ef}c\u{f8}d\u{e9}</Value></soap-env:Envelope>";
        let characters = body.chars().count();
        let text = format!(
            "POST / HTTP/1.1\r\nContent-Length: {characters}\r\n\r\n{body}POST / HTTP/1.1\r\n\
             Content-Length: 0\r\n\r\n"
        );
        let (messages, _) = parse(&text);
        let summaries: Vec<_> = messages.iter().map(HttpMessage::summary).collect();
        assert_eq!(summaries, ["POST /", "POST /"]);
        assert_eq!(messages[0].body, body.as_bytes());
        let mismatch = &messages[0].diagnostics[0];
        assert_eq!(mismatch.code, "content-length-mismatch");
        let expected = format!("says {characters} but the body has {}", body.len());
        assert!(mismatch.message.contains(&expected), "{}", mismatch.message);
        assert!(messages[1].diagnostics.is_empty() && messages[1].has_empty_body());
    }

    /// A length that counts more than the body: the next request line, or the envelope's end,
    /// inside the counted bytes ends the body there.
    #[test]
    fn a_long_content_length_does_not_swallow_the_next_post() {
        let body = "<Envelope><x/></Envelope>\r\n";
        let next = "POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n";
        let length = body.len() + next.len();
        let text = format!("POST / HTTP/1.1\r\nContent-Length: {length}\r\n\r\n{body}{next}");
        let (messages, _) = parse(&text);
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert_eq!(messages[0].body, body.as_bytes());
        assert!(messages[0].diagnostics[0].message.contains("into the counted body"));
        assert!(messages[1].has_empty_body());
        // A body that is not a finished envelope is taken at its word.
        let json = "{\"note\": \"POST / HTTP/1.1 is a request line\"}";
        let text = format!("POST /api HTTP/1.1\r\nContent-Length: {}\r\n\r\n{json}", json.len());
        let (messages, diagnostics) = parse(&text);
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].body, json.as_bytes());
        assert!(messages[0].diagnostics.is_empty() && diagnostics.is_empty());
    }

    #[test]
    fn chunked_and_gzip_bodies_are_decoded() {
        use std::io::Write as _;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"<soap/>").unwrap();
        let compressed = gz.finish().unwrap();
        let mut data = format!(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n{:x}\r\n",
            compressed.len()
        )
        .into_bytes();
        data.extend_from_slice(&compressed);
        data.extend_from_slice(b"\r\n0\r\n\r\n");
        let mut stats = Stats::for_input(&Limits::default(), data.len());
        let (messages, diagnostics) = parse_transcript(&data, &Options::default(), &mut stats);
        assert_eq!(stats.inflated_bytes, 7);
        assert!(diagnostics.is_empty());
        assert_eq!(messages[0].body, b"<soap/>");
    }

    #[test]
    fn basic_passwords_are_masked_unless_revealed() {
        let text = "GET / HTTP/1.1\r\nAuthorization: Basic dXNlcjpzZWNyZXQ=\r\n\r\n";
        let (messages, _) = parse(text);
        assert_eq!(messages[0].header("authorization"), Some("Basic ********"));
        let credentials = messages[0].credentials.clone().unwrap();
        assert_eq!(credentials.username.as_deref(), Some("user"));
        assert_eq!(credentials.password.as_deref(), Some("********"));
        let options = Options { reveal_secrets: true, ..Options::default() };
        let (messages, _) = parse_transcript(text.as_bytes(), &options, &mut Stats::default());
        assert_eq!(messages[0].credentials.clone().unwrap().password.as_deref(), Some("secret"));
    }

    #[test]
    fn client_hello_gives_the_server_name() {
        let name = b"acs.example.com";
        let mut hello = vec![0x16, 0x03, 0x01, 0, 0, 1, 0, 0, 0, 0x03, 0x03];
        hello.extend_from_slice(&[0; 32]);
        hello.extend_from_slice(&[0, 0, 2, 0x13, 0x01, 1, 0]);
        let ext_len = 2 + 1 + 2 + name.len();
        let total = 4 + ext_len;
        hello.extend_from_slice(&(total as u16).to_be_bytes());
        hello.extend_from_slice(&[0, 0]);
        hello.extend_from_slice(&(ext_len as u16).to_be_bytes());
        hello.extend_from_slice(&((ext_len - 2) as u16).to_be_bytes());
        hello.push(0);
        hello.extend_from_slice(&(name.len() as u16).to_be_bytes());
        hello.extend_from_slice(name);
        assert_eq!(client_hello_sni(&hello).as_deref(), Some("acs.example.com"));
    }
}
