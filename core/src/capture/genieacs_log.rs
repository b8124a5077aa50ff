//! GenieACS debug logs (`GENIEACS_DEBUG_FILE`, `GENIEACS_DEBUG_FORMAT=yaml|json`) → HTTP exchanges.
//!
//! GenieACS writes one record per HTTP message it handles, either as a YAML document opened by
//! `---` or as one JSON object per line. Every record has `event` and `timestamp`; HTTP records add
//! `remoteAddress`, `deviceId`, `connection` (the time the socket opened, which tells sockets
//! apart), `headers` and `body`:
//! - `incoming HTTP request` (CPE → ACS: `method`, `url`, `localPort`);
//! - `outgoing HTTP response` (ACS → CPE: `statusCode`);
//! - `outgoing HTTP request` (a connection request, ACS → CPE: `method`, `url`, `remotePort`; with
//!   `error` and no `connection` when it failed) and `incoming HTTP response` (the CPE's answer);
//! - `outgoing UDP message` (a TR-111 UDP connection request) and `client error`.
//!
//! The YAML is read by a small reader for the subset GenieACS's own writer produces (block
//! mappings and sequences, plain and JSON-quoted scalars, literal and folded block scalars with
//! indentation and chomping indicators); YAML crates were weighed and none was both well kept and
//! small enough for the browser build. The log names no CPE port, so CPE addresses carry port 0.

use super::{
    Capture, CaptureError, Diagnostic, HttpMessage, InputKind, Options, Source,
    UdpConnectionRequest, http,
};
use crate::base::Severity;
use crate::base::time::parse_rfc3339_utc;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// A value of a record: what JSON and GenieACS's YAML can both hold.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    /// Booleans and numbers are kept as written.
    Scalar(String),
    Map(Vec<(String, Node)>),
    List(Vec<Node>),
}

impl Node {
    fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn text(&self, key: &str) -> Option<&str> {
        match self.get(key)? {
            Node::Scalar(text) => Some(text),
            _ => None,
        }
    }
}

/// True when the text starts like a GenieACS debug log of either format.
pub fn looks_like(input: &[u8]) -> bool {
    let mut lines = input
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace));
    match lines.next() {
        Some(b"---") => {
            // GenieACS writes `event` first; other writers of the same records may not.
            let head: Vec<&[u8]> = lines.take_while(|l| *l != b"---").take(64).collect();
            head.iter().any(|l| l.starts_with(b"event: "))
                && head.iter().any(|l| l.starts_with(b"timestamp: "))
        }
        Some(first) => {
            first.starts_with(b"{")
                && contains(first, b"\"event\":\"")
                && contains(first, b"\"timestamp\":")
        }
        None => false,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A record and the byte offset where it starts.
type Record = (usize, Node);

/// Reads the records of either format.
pub fn records(input: &[u8]) -> (Vec<Record>, Vec<Diagnostic>) {
    let text = String::from_utf8_lossy(input);
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if first.trim_end() == "---" { yaml_records(&text, input) } else { json_records(&text, input) }
}

/// The lines of `text`, the lossy UTF-8 reading of `input`, each with the byte offset where it
/// starts in `input`: a replaced byte is three bytes of text, so offsets are counted in the
/// input's own lines (line breaks are never part of a replaced sequence, so the lines pair up).
fn lines_at<'t>(text: &'t str, input: &[u8]) -> impl Iterator<Item = (usize, &'t str)> {
    let mut offset = 0;
    text.split('\n').zip(input.split(|&b| b == b'\n')).map(move |(line, bytes)| {
        let at = offset;
        offset += bytes.len() + 1;
        (at, line)
    })
}

fn json_records(text: &str, input: &[u8]) -> (Vec<Record>, Vec<Diagnostic>) {
    let mut records = Vec::new();
    let mut diagnostics = Vec::new();
    for (at, line) in lines_at(text, input) {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match serde_json::from_str::<serde_json::Value>(line) {
            Ok(value) => records.push((at, from_json(value, 0))),
            Err(error) => diagnostics.push(
                Diagnostic::new(
                    Severity::Warning,
                    Source::Text,
                    "log-record",
                    format!("not a JSON record: {error}"),
                )
                .at_byte(at),
            ),
        }
    }
    (records, diagnostics)
}

fn from_json(value: serde_json::Value, depth: usize) -> Node {
    use serde_json::Value;
    if depth > 32 {
        return Node::Null;
    }
    match value {
        Value::Null => Node::Null,
        Value::Bool(b) => Node::Scalar(b.to_string()),
        Value::Number(n) => Node::Scalar(n.to_string()),
        Value::String(s) => Node::Scalar(s),
        Value::Array(items) => {
            Node::List(items.into_iter().map(|v| from_json(v, depth + 1)).collect())
        }
        Value::Object(map) => {
            Node::Map(map.into_iter().map(|(k, v)| (k, from_json(v, depth + 1))).collect())
        }
    }
}

/// One line of a YAML document: indentation, content, byte offset in the input.
#[derive(Clone, Copy)]
struct Line<'a> {
    indent: usize,
    text: &'a str,
    raw: &'a str,
    offset: usize,
}

fn yaml_records(text: &str, input: &[u8]) -> (Vec<Record>, Vec<Diagnostic>) {
    let mut documents: Vec<Vec<Line<'_>>> = Vec::new();
    // A final line break ends the last line; it does not open an empty one.
    let text = text.strip_suffix('\n').unwrap_or(text);
    let input = input.strip_suffix(b"\n").unwrap_or(input);
    for (at, raw) in lines_at(text, input) {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw == "---" || raw.starts_with("--- ") {
            documents.push(Vec::new());
            continue;
        }
        let content = raw.trim_start_matches(' ');
        let line = Line { indent: raw.len() - content.len(), text: content, raw, offset: at };
        match documents.last_mut() {
            Some(document) => document.push(line),
            None => documents.push(vec![line]),
        }
    }
    let mut records = Vec::new();
    let mut diagnostics = Vec::new();
    for lines in documents {
        let Some(first) = lines.iter().find(|l| !l.text.is_empty()) else { continue };
        let at = first.offset;
        let mut reader = YamlReader { lines: &lines, pos: 0, problems: Vec::new() };
        let node = reader.block(0, 0);
        for (offset, message) in reader.problems {
            diagnostics.push(
                Diagnostic::new(Severity::Warning, Source::Text, "log-record", message)
                    .at_byte(offset),
            );
        }
        records.push((at, node));
    }
    (records, diagnostics)
}

/// Nesting deeper than this is read as null (hostile input cannot exhaust the stack).
const MAX_YAML_DEPTH: usize = 32;

struct YamlReader<'a, 'b> {
    lines: &'b [Line<'a>],
    pos: usize,
    problems: Vec<(usize, String)>,
}

impl<'a> YamlReader<'a, '_> {
    fn skip_blank(&mut self) {
        while self.lines.get(self.pos).is_some_and(|l| l.text.is_empty()) {
            self.pos += 1;
        }
    }

    /// The block (mapping or sequence) whose lines are indented at least `min_indent`.
    fn block(&mut self, min_indent: usize, depth: usize) -> Node {
        self.skip_blank();
        let Some(first) = self.lines.get(self.pos).copied() else { return Node::Null };
        if first.indent < min_indent || depth > MAX_YAML_DEPTH {
            return Node::Null;
        }
        let indent = first.indent;
        if first.text == "-" || first.text.starts_with("- ") {
            return self.sequence(indent, depth);
        }
        self.mapping(indent, depth)
    }

    fn sequence(&mut self, indent: usize, depth: usize) -> Node {
        let mut items = Vec::new();
        loop {
            self.skip_blank();
            let Some(line) = self.lines.get(self.pos).copied() else { break };
            if line.indent != indent || !(line.text == "-" || line.text.starts_with("- ")) {
                break;
            }
            let rest = line.text.get(2..).unwrap_or("");
            let item_indent = indent + 2;
            if rest.is_empty() {
                self.pos += 1;
                items.push(self.block(item_indent, depth + 1));
            } else if split_key(rest).is_some() {
                // `- key: value` opens a mapping whose keys sit two columns in.
                let inner = Line {
                    indent: item_indent,
                    text: rest,
                    raw: line.raw,
                    offset: line.offset + item_indent,
                };
                let mut lines = vec![inner];
                let mut end = self.pos + 1;
                while let Some(next) = self.lines.get(end)
                    && (next.text.is_empty() || next.indent >= item_indent)
                {
                    lines.push(*next);
                    end += 1;
                }
                let mut nested = YamlReader { lines: &lines, pos: 0, problems: Vec::new() };
                items.push(nested.mapping(item_indent, depth + 1));
                self.problems.append(&mut nested.problems);
                self.pos = end;
            } else {
                self.pos += 1;
                items.push(self.scalar_value(rest, line, indent));
            }
        }
        Node::List(items)
    }

    fn mapping(&mut self, indent: usize, depth: usize) -> Node {
        let mut entries = Vec::new();
        loop {
            self.skip_blank();
            let Some(line) = self.lines.get(self.pos).copied() else { break };
            if line.indent < indent {
                break;
            }
            if line.indent > indent {
                self.problems.push((line.offset, "unexpected indentation".into()));
                self.pos += 1;
                continue;
            }
            let Some((key, rest)) = split_key(line.text) else {
                self.problems.push((line.offset, format!("expected `key: value`: {}", line.text)));
                self.pos += 1;
                continue;
            };
            self.pos += 1;
            let value = if rest.is_empty() {
                // The value is the block below: more indented, or a sequence at the same column.
                self.skip_blank();
                match self.lines.get(self.pos) {
                    Some(next) if next.indent > indent => self.block(indent + 1, depth + 1),
                    Some(next)
                        if next.indent == indent
                            && (next.text == "-" || next.text.starts_with("- ")) =>
                    {
                        self.sequence(indent, depth + 1)
                    }
                    _ => Node::Null,
                }
            } else {
                self.scalar_value(rest, line, indent)
            };
            entries.push((key, value));
        }
        Node::Map(entries)
    }

    /// A value written after `key: ` or `- `: a block scalar header, a flow-empty collection, a
    /// JSON-quoted string or a plain scalar.
    fn scalar_value(&mut self, rest: &str, line: Line<'a>, indent: usize) -> Node {
        let rest = rest.trim_end();
        if let Some(header) = rest.strip_prefix('|').or_else(|| rest.strip_prefix('>')) {
            let folded = rest.starts_with('>');
            return Node::Scalar(self.block_scalar(header, folded, indent, line.offset));
        }
        match rest {
            "[]" => return Node::List(Vec::new()),
            "{}" => return Node::Map(Vec::new()),
            "null" | "~" => return Node::Null,
            _ => {}
        }
        if rest.starts_with('"') {
            return match serde_json::from_str::<String>(rest) {
                Ok(text) => Node::Scalar(text),
                Err(error) => {
                    self.problems.push((line.offset, format!("bad quoted string: {error}")));
                    Node::Scalar(rest.trim_matches('"').to_string())
                }
            };
        }
        Node::Scalar(rest.to_string())
    }

    /// Lines of a `|` or `>` scalar after its header (`-`/`+` chomping, an indentation digit).
    fn block_scalar(&mut self, header: &str, folded: bool, parent: usize, at: usize) -> String {
        let chomp = if header.contains('-') {
            Chomp::Strip
        } else if header.contains('+') {
            Chomp::Keep
        } else {
            Chomp::Clip
        };
        let explicit = header.chars().find_map(|c| c.to_digit(10)).map(|d| d as usize);
        let start = self.pos;
        let mut end = start;
        while let Some(line) = self.lines.get(end) {
            if !line.text.is_empty() && line.indent <= parent {
                break;
            }
            end += 1;
        }
        self.pos = end;
        let lines = self.lines.get(start..end).unwrap_or_default();
        let content_indent = match explicit {
            Some(digit) => parent + digit,
            None => lines.iter().find(|l| !l.text.is_empty()).map_or(parent + 1, |l| l.indent),
        };
        let contents: Vec<&str> = lines
            .iter()
            .map(|l| {
                if l.raw.len() <= content_indent && l.raw.trim().is_empty() {
                    ""
                } else if l.indent < content_indent {
                    self.problems
                        .push((at, "block scalar line less indented than its block".into()));
                    l.text
                } else {
                    l.raw.get(content_indent..).unwrap_or("")
                }
            })
            .collect();
        let trailing_empty = contents.iter().rev().take_while(|l| l.is_empty()).count();
        let body = &contents[..contents.len() - trailing_empty];
        let mut text = if folded { fold(body) } else { body.join("\n") };
        if !body.is_empty() {
            match chomp {
                Chomp::Strip => {}
                Chomp::Clip => text.push('\n'),
                Chomp::Keep => {
                    text.push('\n');
                    text.push_str(&"\n".repeat(trailing_empty));
                }
            }
        }
        text
    }
}

enum Chomp {
    Strip,
    Clip,
    Keep,
}

/// YAML folding: a break between two plain lines becomes a space, empty lines become breaks, and
/// breaks next to more-indented lines stay.
fn fold(lines: &[&str]) -> String {
    #[derive(PartialEq)]
    enum Previous {
        Start,
        Plain,
        MoreIndented,
    }
    let mut out = String::new();
    let mut previous = Previous::Start;
    let mut empty = 0usize;
    for line in lines {
        if line.is_empty() {
            empty += 1;
            continue;
        }
        let more = line.starts_with([' ', '\t']);
        let breaks = match previous {
            Previous::Start => empty,
            Previous::Plain if empty > 0 => empty,
            Previous::Plain if more => 1,
            Previous::Plain => {
                out.push(' ');
                0
            }
            Previous::MoreIndented => empty + 1,
        };
        out.push_str(&"\n".repeat(breaks));
        out.push_str(line);
        previous = if more { Previous::MoreIndented } else { Previous::Plain };
        empty = 0;
    }
    out
}

/// `key: value` or `key:` with a plain or JSON-quoted key.
fn split_key(text: &str) -> Option<(String, &str)> {
    if text.starts_with('"') {
        let mut escaped = false;
        for (index, c) in text.char_indices().skip(1) {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    let key: String = serde_json::from_str(text.get(..=index)?).ok()?;
                    let rest = text.get(index + 1..)?.strip_prefix(':')?;
                    return (rest.is_empty() || rest.starts_with(' '))
                        .then(|| (key, rest.trim_start()));
                }
                _ => escaped = false,
            }
        }
        return None;
    }
    if text.starts_with("- ") || text == "-" {
        return None;
    }
    let (key, rest) = match text.find(": ") {
        Some(at) => (&text[..at], &text[at + 2..]),
        None => (text.strip_suffix(':')?, ""),
    };
    (!key.is_empty() && !key.contains(": ")).then(|| (key.to_string(), rest))
}

/// Decodes a GenieACS debug log into connections (one per logged socket).
pub fn decode(input: &[u8], options: &Options) -> Result<Capture, CaptureError> {
    let (records, diagnostics) = records(input);
    let mut capture = Capture::empty(InputKind::GenieacsLog);
    capture.diagnostics = diagnostics;
    // Sockets in order of first appearance: (remote address, connection time) → messages.
    let mut sockets: Vec<(String, String, Vec<HttpMessage>)> = Vec::new();
    let mut devices: Vec<Option<String>> = Vec::new();
    let mut addresses: Vec<(Option<SocketAddr>, Option<SocketAddr>)> = Vec::new();
    let mut any = false;
    for (offset, record) in &records {
        let Some(event) = record.text("event") else {
            capture.diagnostics.push(
                Diagnostic::new(
                    Severity::Warning,
                    Source::Text,
                    "log-record",
                    "a record without `event`",
                )
                .at_byte(*offset),
            );
            continue;
        };
        any = true;
        let time = record.text("timestamp").and_then(parse_rfc3339_utc);
        let remote_ip = record.text("remoteAddress").and_then(parse_ip);
        let remote_port = record.text("remotePort").and_then(|p| p.parse::<u16>().ok());
        let body = record.text("body").unwrap_or("").as_bytes().to_vec();
        let device = record.text("deviceId").filter(|d| !d.is_empty());
        let label = match device {
            Some(device) => format!("genieacs {event}, device {device}"),
            None => format!("genieacs {event}"),
        };
        let (start_line, client, server) = match event {
            "incoming HTTP request" | "outgoing HTTP request" => {
                let method = record.text("method").unwrap_or("POST").into();
                let target = record.text("url").unwrap_or("/").into();
                let start_line =
                    http::StartLine::Request { method, target, version: "HTTP/1.1".into() };
                if event.starts_with("incoming") {
                    // CPE → ACS: the CPE is the remote end; its port is not logged.
                    (start_line, remote_ip.map(|ip| SocketAddr::new(ip, 0)), None)
                } else {
                    (
                        start_line,
                        None,
                        remote_ip.map(|ip| SocketAddr::new(ip, remote_port.unwrap_or(0))),
                    )
                }
            }
            "outgoing HTTP response" | "incoming HTTP response" => {
                let status = record.text("statusCode").and_then(|s| s.parse().ok()).unwrap_or(0);
                let start_line = http::StartLine::Response {
                    version: "HTTP/1.1".into(),
                    status,
                    reason: reason(status).into(),
                };
                if event.starts_with("outgoing") {
                    (start_line, remote_ip.map(|ip| SocketAddr::new(ip, 0)), None)
                } else {
                    (
                        start_line,
                        None,
                        remote_ip.map(|ip| SocketAddr::new(ip, remote_port.unwrap_or(0))),
                    )
                }
            }
            "outgoing UDP message" => {
                let destination = SocketAddr::new(
                    remote_ip.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
                    remote_port.unwrap_or(0),
                );
                let text = String::from_utf8_lossy(&body).into_owned();
                let request_line = text.lines().next().unwrap_or("").to_string();
                let username = request_line
                    .split(['?', '&', ' '])
                    .find_map(|part| part.strip_prefix("un="))
                    .map(str::to_string);
                capture.udp_connection_requests.push(UdpConnectionRequest {
                    // The log names the CPE only; the ACS's own address is not in it.
                    source: SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0),
                    destination,
                    time,
                    request_line,
                    username,
                });
                continue;
            }
            other => {
                let error = record.text("error").unwrap_or("");
                capture.diagnostics.push(
                    Diagnostic::new(
                        Severity::Warning,
                        Source::Text,
                        "log-event",
                        format!(
                            "{other} from {}: {error}",
                            record.text("remoteAddress").unwrap_or("?")
                        ),
                    )
                    .at_byte(*offset),
                );
                continue;
            }
        };
        let headers = headers(record.get("headers"));
        let mut message = http::synthetic(start_line, headers, body, time, options);
        message.rebuilt_from = Some(label);
        if let Some(declared) = message.content_length
            && declared != message.body_len as u64
        {
            message.diagnostics.push(Diagnostic::new(
                Severity::Warning,
                Source::Http,
                "content-length-mismatch",
                format!(
                    "Content-Length says {declared} bytes, the logged body has {}",
                    message.body_len
                ),
            ));
        }
        if let Some(error) = record.text("error") {
            capture.diagnostics.push(
                Diagnostic::new(
                    Severity::Warning,
                    Source::Http,
                    "request-failed",
                    format!(
                        "{} {} to {} failed: {error}",
                        message.method().unwrap_or("request"),
                        record.text("url").unwrap_or("/"),
                        record.text("remoteAddress").unwrap_or("?"),
                    ),
                )
                .at_byte(*offset),
            );
        }
        // A failed connection request has no socket; each stands alone.
        let socket = match record.get("connection") {
            Some(Node::Scalar(opened)) => opened.clone(),
            _ => format!("@{offset}"),
        };
        let remote = record.text("remoteAddress").unwrap_or("").to_string();
        match sockets.iter().position(|(r, s, _)| *r == remote && *s == socket) {
            Some(index) => {
                if let Some((_, _, messages)) = sockets.get_mut(index) {
                    messages.push(message);
                }
                if let Some(known) = devices.get_mut(index) {
                    *known = known.take().or_else(|| device.map(str::to_string));
                }
                if let Some((c, s)) = addresses.get_mut(index) {
                    *c = c.or(client);
                    *s = s.or(server);
                }
            }
            None => {
                sockets.push((remote, socket, vec![message]));
                addresses.push((client, server));
                devices.push(device.map(str::to_string));
            }
        }
    }
    if !any {
        return Err(CaptureError {
            layer: Source::Text,
            offset: 0,
            message: "no GenieACS debug record found".into(),
        });
    }
    for (((_, _, messages), (client, server)), device) in
        sockets.into_iter().zip(addresses).zip(devices)
    {
        let start = messages.iter().find_map(|m| m.time);
        let end = messages.iter().rev().find_map(|m| m.time);
        http::push_connection(&mut capture, client, server, start, end, messages, Vec::new());
        if let Some(connection) = capture.connections.last_mut() {
            connection.device_id = device;
        }
    }
    Ok(capture)
}

/// GenieACS's device id, `OUI-ProductClass-SerialNumber` (or `OUI-SerialNumber`), each part with
/// everything but letters, digits and `_` percent-encoded: (OUI, ProductClass, SerialNumber).
pub fn split_device_id(id: &str) -> Option<(String, String, String)> {
    let parts: Vec<String> = id.split('-').map(percent_decode).collect();
    match parts.as_slice() {
        [oui, serial] => Some((oui.clone(), String::new(), serial.clone())),
        [oui, product_class, serial] => Some((oui.clone(), product_class.clone(), serial.clone())),
        _ => None,
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        let hex = bytes.get(index + 1..index + 3).and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(decoded) if byte == b'%' => {
                out.push(decoded);
                index += 3;
            }
            _ => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_ip(text: &str) -> Option<IpAddr> {
    let ip: IpAddr = text.trim().parse().ok()?;
    // Node reports IPv4 peers of a dual-stack socket as `::ffff:a.b.c.d`.
    Some(match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    })
}

/// Header pairs; a list value (Node's `set-cookie`) is one header per item.
fn headers(node: Option<&Node>) -> Vec<(String, String)> {
    let Some(Node::Map(entries)) = node else { return Vec::new() };
    let mut out = Vec::with_capacity(entries.len());
    for (name, value) in entries {
        match value {
            Node::Scalar(text) => out.push((name.clone(), text.clone())),
            Node::List(items) => out.extend(items.iter().filter_map(|item| match item {
                Node::Scalar(text) => Some((name.clone(), text.clone())),
                _ => None,
            })),
            Node::Null | Node::Map(_) => {}
        }
    }
    out
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Node {
        let (records, problems) = yaml_records(text, text.as_bytes());
        assert!(problems.is_empty(), "{problems:?}");
        records.into_iter().next().unwrap().1
    }

    #[test]
    fn device_ids_split_and_decode() {
        let split = |id| split_device_id(id).unwrap();
        assert_eq!(
            split("00E04C-W5%2D2100G-D8365F659C6E"),
            ("00E04C".into(), "W5-2100G".into(), "D8365F659C6E".into())
        );
        assert_eq!(split("202BC1-SN%20X"), ("202BC1".into(), String::new(), "SN X".into()));
        assert_eq!(split_device_id("a-b-c-d"), None);
    }

    #[test]
    fn literal_block_scalars_with_chomping() {
        let node =
            yaml("---\na: |-\n  one\n\n    two\nb: |\n  x\nc: |+\n  y\n\nd: |2-\n    lead\n  e\n");
        assert_eq!(node.text("a"), Some("one\n\n  two"));
        assert_eq!(node.text("b"), Some("x\n"));
        assert_eq!(node.text("c"), Some("y\n\n"));
        assert_eq!(node.text("d"), Some("  lead\ne"));
    }

    #[test]
    fn folded_block_scalars() {
        let node = yaml("---\na: >-\n  aaa\n  bbb\n\n  \n  ccc\n   more\n  ddd\n");
        assert_eq!(node.text("a"), Some("aaa bbb\n\nccc\n more\nddd"));
    }

    #[test]
    fn nested_maps_lists_and_quoted_scalars() {
        let node = yaml(
            "---\nevent: outgoing HTTP response\nremoteAddress: \"::ffff:10.0.0.7\"\nheaders: \n  set-cookie: \n    - session=1\n    - b=2\n  \"x: y\": \"a\\tb\"\n  content-length: 0\nempty: \"\"\nlist: []\n",
        );
        assert_eq!(node.text("remoteAddress"), Some("::ffff:10.0.0.7"));
        let headers = headers(node.get("headers"));
        assert_eq!(
            headers,
            [
                ("set-cookie".to_string(), "session=1".to_string()),
                ("set-cookie".to_string(), "b=2".to_string()),
                ("x: y".to_string(), "a\tb".to_string()),
                ("content-length".to_string(), "0".to_string()),
            ]
        );
        assert_eq!(node.text("empty"), Some(""));
        assert_eq!(node.get("list"), Some(&Node::List(Vec::new())));
    }
}
