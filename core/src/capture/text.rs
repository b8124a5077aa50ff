//! Text inputs: pasted SOAP, HTTP transcripts, `curl -v`, logs, hex dumps, base64 captures.

use super::file::{Frame, Frames};
use super::time::parse_rfc3339_utc;
use super::{
    Capture, CaptureDiagnostic, CaptureError, InputKind, Layer, Options, SoapDocument, Timestamp,
    http, link,
};
use crate::cwmp::Severity;
use base64::Engine as _;

/// Unwrapping a hex dump or base64 may reveal another wrapper; this many levels are followed.
const MAX_NESTING: u8 = 3;
const LINKTYPE_ETHERNET: u32 = 1;
const LINKTYPE_RAW: u32 = 101;

fn text_lines(input: &[u8]) -> impl Iterator<Item = &str> {
    input
        .split(|&b| b == b'\n')
        .map(|line| std::str::from_utf8(line).unwrap_or("").trim_end_matches('\r'))
}

/// Recognises a text input by its shape.
pub fn detect(input: &[u8]) -> Option<InputKind> {
    let start = input.iter().position(|b| !b.is_ascii_whitespace())?;
    let body = input.get(start..)?.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&input[start..]);
    if looks_like_base64_capture(body) {
        return Some(InputKind::Base64);
    }
    if looks_like_hex_dump(body) {
        return Some(InputKind::HexDump);
    }
    if super::enodebd::looks_like(body) {
        return Some(InputKind::EnodebdLog);
    }
    if super::genieacs::looks_like(body) {
        return Some(InputKind::GenieacsLog);
    }
    let lines: Vec<&str> = text_lines(body).take(400).collect();
    let prefixed = |p: &str| lines.iter().filter(|l| l.starts_with(p)).count();
    if prefixed("> ") > 0 && prefixed("< ") > 0 && prefixed("* ") > 0 {
        return Some(InputKind::CurlVerbose);
    }
    if http::starts_message(body) || lines.iter().any(|l| http::starts_message(l.as_bytes())) {
        return Some(InputKind::HttpTranscript);
    }
    if find_subslice(body, b"Envelope").is_some() {
        return Some(if body.first() == Some(&b'<') { InputKind::Soap } else { InputKind::Log });
    }
    None
}

fn find_subslice(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn looks_like_base64_capture(body: &[u8]) -> bool {
    let head: Vec<u8> =
        body.iter().copied().filter(|b| !b.is_ascii_whitespace()).take(16).collect();
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(&head[..head.len() / 4 * 4])
    else {
        return false;
    };
    super::file::is_pcap(&decoded) || super::file::is_pcapng(&decoded)
}

/// The bytes of one hex-dump line, or `None` when the line is not one.
fn hex_line(line: &str) -> Option<(usize, Vec<u8>)> {
    let trimmed = line.trim_start();
    let offset_end = trimmed.find(|c: char| c == ':' || c.is_whitespace())?;
    let offset_text = trimmed[..offset_end].trim_start_matches("0x");
    if offset_text.len() < 4 || !offset_text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let offset = usize::from_str_radix(offset_text, 16).ok()?;
    let rest = trimmed[offset_end..].trim_start_matches(':');
    let mut bytes = Vec::with_capacity(16);
    for token in rest.split_whitespace() {
        if bytes.len() >= 16 || !(token.len() == 2 || token.len() == 4) {
            break;
        }
        if !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            break;
        }
        for pair in token.as_bytes().chunks(2) {
            let text = std::str::from_utf8(pair).ok()?;
            bytes.push(u8::from_str_radix(text, 16).ok()?);
        }
    }
    (!bytes.is_empty()).then_some((offset, bytes))
}

fn looks_like_hex_dump(body: &[u8]) -> bool {
    let lines: Vec<&str> = text_lines(body).filter(|l| !l.trim().is_empty()).take(50).collect();
    let hex = lines.iter().filter(|l| hex_line(l).is_some()).count();
    hex >= 1 && hex * 2 >= lines.len()
}

/// Decodes a text input of the given kind.
pub fn decode(
    kind: InputKind,
    input: &[u8],
    options: &Options,
    depth: u8,
) -> Result<Capture, CaptureError> {
    match kind {
        InputKind::Base64 => {
            let compact: Vec<u8> =
                input.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
            let bytes =
                base64::engine::general_purpose::STANDARD.decode(&compact).map_err(|e| {
                    CaptureError {
                        layer: Layer::Text,
                        offset: 0,
                        message: format!("not base64: {e}"),
                    }
                })?;
            nested(kind, &bytes, options, depth)
        }
        InputKind::HexDump => decode_hex_dump(input, options, depth),
        InputKind::CurlVerbose => Ok(transcript(kind, &curl_to_transcript(input), options)),
        InputKind::HttpTranscript => Ok(transcript(kind, input, options)),
        InputKind::Soap | InputKind::Log => {
            let mut capture = Capture::empty(kind);
            capture.documents = find_envelopes(input);
            if capture.documents.is_empty() {
                return Err(CaptureError {
                    layer: Layer::Text,
                    offset: 0,
                    message: "no SOAP envelope found".into(),
                });
            }
            Ok(capture)
        }
        InputKind::EnodebdLog => {
            let capture = super::enodebd::decode(input, options);
            if capture.connections.is_empty() {
                return Err(CaptureError {
                    layer: Layer::Text,
                    offset: 0,
                    message: "no `Handling/Sending TR069 message:` line found".into(),
                });
            }
            Ok(capture)
        }
        InputKind::GenieacsLog => super::genieacs::decode(input, options),
        InputKind::Pcap | InputKind::Pcapng => super::decode_at_depth(input, options, depth),
    }
}

fn nested(
    kind: InputKind,
    bytes: &[u8],
    options: &Options,
    depth: u8,
) -> Result<Capture, CaptureError> {
    if depth >= MAX_NESTING {
        return Err(CaptureError {
            layer: Layer::Text,
            offset: 0,
            message: "dump inside a dump nested too deep".into(),
        });
    }
    let inner_options = Options { kind: None, ..options.clone() };
    let mut capture = super::decode_at_depth(bytes, &inner_options, depth + 1)?;
    capture.diagnostics.insert(
        0,
        CaptureDiagnostic::new(
            Severity::Info,
            Layer::Text,
            "unwrapped",
            format!("{kind:?} input unwrapped to a {:?} capture", capture.kind),
        ),
    );
    Ok(capture)
}

fn transcript(kind: InputKind, input: &[u8], options: &Options) -> Capture {
    let mut capture = Capture::empty(kind);
    let (messages, diagnostics) = http::parse_transcript(input, options);
    if messages.is_empty() {
        capture.documents = find_envelopes(input);
    } else {
        http::push_connection(&mut capture, None, None, None, None, messages, diagnostics);
    }
    capture
}

/// Rebuilds the HTTP exchange from `curl -v`: `> ` request lines, `< ` response lines, body as is.
fn curl_to_transcript(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    for line in text_lines(input) {
        if let Some(header) = line.strip_prefix("> ").or_else(|| line.strip_prefix("< ")) {
            out.extend_from_slice(header.as_bytes());
            out.extend_from_slice(b"\r\n");
        } else if line == ">" || line == "<" {
            out.extend_from_slice(b"\r\n");
        } else if line.starts_with("* ") || line.starts_with("{ [") || line.starts_with("} [") {
            // curl's own commentary and data markers
        } else {
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
        }
    }
    out
}

/// Every `<…Envelope …>…</…Envelope>` in the text, with a time from its log line when present.
fn find_envelopes(input: &[u8]) -> Vec<SoapDocument> {
    let mut documents = Vec::new();
    let mut pos = 0;
    while let Some(found) = find_subslice(&input[pos..], b"Envelope") {
        let at = pos + found;
        let Some(open) = input[..at].iter().rposition(|&b| b == b'<') else {
            pos = at + 8;
            continue;
        };
        let between = &input[open + 1..at];
        let is_open_tag = between.iter().all(|b| b.is_ascii_alphanumeric() || b"_-.:".contains(b));
        if !is_open_tag {
            pos = at + 8;
            continue;
        }
        let start = input[..open]
            .windows(5)
            .rposition(|w| w == b"<?xml")
            // An XML declaration just before the envelope belongs to it.
            .filter(|&decl| open - decl < 200)
            .unwrap_or(open);
        let close_pattern: Vec<u8> = [b"</".as_slice(), between, b"Envelope"].concat();
        // An envelope that never closes runs to the end: the codec then says what is wrong.
        let end = match find_subslice(&input[at..], &close_pattern) {
            Some(close) => {
                let close_start = at + close;
                input[close_start..]
                    .iter()
                    .position(|&b| b == b'>')
                    .map_or(input.len(), |p| close_start + p + 1)
            }
            None => input.len(),
        };
        let line_start = input[..start].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        let time = leading_time(&input[line_start..start]);
        let raw = &input[start..end];
        // Logs that store bodies as JSON or YAML strings escape quotes and line breaks.
        let body = if find_subslice(raw, b"=\\\"").is_some() {
            unescape_string_literal(raw)
        } else {
            raw.to_vec()
        };
        documents.push(SoapDocument { offset: start, time, body });
        pos = end;
    }
    documents
}

/// Undoes `\"`, `\\`, `\/`, `\n`, `\r`, `\t` escapes.
fn unescape_string_literal(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut bytes = raw.iter().copied();
    while let Some(byte) = bytes.next() {
        if byte != b'\\' {
            out.push(byte);
            continue;
        }
        match bytes.next() {
            Some(b'n') => out.push(b'\n'),
            Some(b'r') => out.push(b'\r'),
            Some(b't') => out.push(b'\t'),
            Some(other) => out.push(other),
            None => out.push(b'\\'),
        }
    }
    out
}

/// A `YYYY-MM-DDTHH:MM:SS(.fff)Z`-like time at the start of a log line.
fn leading_time(line: &[u8]) -> Option<Timestamp> {
    let text = std::str::from_utf8(line.get(..line.len().min(40))?).ok()?;
    let text = text.trim_start_matches(['[', ' ']);
    let candidate: String = text.chars().take_while(|c| !c.is_whitespace()).collect();
    let candidate = candidate.trim_end_matches([']', ',', ':']);
    let with_zone =
        if candidate.ends_with('Z') { candidate.to_string() } else { format!("{candidate}Z") };
    parse_rfc3339_utc(&with_zone.replace(',', "."))
}

/// Hex dumps: one packet per offset-0 restart; a lone dump of a capture file is unwrapped.
fn decode_hex_dump(input: &[u8], options: &Options, depth: u8) -> Result<Capture, CaptureError> {
    let mut packets: Vec<(Option<Timestamp>, Vec<u8>)> = Vec::new();
    let mut pending_time = None;
    for line in text_lines(input) {
        match hex_line(line) {
            Some((offset, bytes)) => {
                if offset == 0 || packets.is_empty() {
                    packets.push((pending_time.take(), Vec::new()));
                }
                if let Some((_, packet)) = packets.last_mut() {
                    packet.extend_from_slice(&bytes);
                }
            }
            None => {
                if !line.trim().is_empty() {
                    pending_time = dump_header_time(line);
                }
            }
        }
    }
    if let [(_, bytes)] = packets.as_slice()
        && (super::file::is_pcap(bytes) || super::file::is_pcapng(bytes))
    {
        return nested(InputKind::HexDump, bytes, options, depth);
    }
    if packets.is_empty() {
        return Err(CaptureError {
            layer: Layer::Text,
            offset: 0,
            message: "no hex-dump lines found".into(),
        });
    }
    let frames = packets
        .iter()
        .enumerate()
        .map(|(index, (time, data))| Frame {
            number: index as u64 + 1,
            time: *time,
            link_type: guess_link_type(data),
            data,
            offset: 0,
        })
        .collect();
    Ok(link::analyze(
        InputKind::HexDump,
        Frames { frames, comments: Vec::new(), diagnostics: Vec::new() },
        options,
    ))
}

/// `tcpdump -xx` dumps start at the Ethernet header, `tcpdump -x` at the IP header.
fn guess_link_type(data: &[u8]) -> u32 {
    let ether_type = data.get(12..14).map(|b| u16::from_be_bytes([b[0], b[1]]));
    if matches!(ether_type, Some(0x0800 | 0x86dd | 0x8100 | 0x88a8 | 0x0806)) {
        return LINKTYPE_ETHERNET;
    }
    let ipv4_length = data.get(2..4).map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])));
    let plausible_ipv4 = matches!(data.first(), Some(0x45..=0x4f))
        && ipv4_length.is_some_and(|len| len >= 20 && len >= data.len().min(len));
    let plausible_ipv6 = data.first().is_some_and(|b| b >> 4 == 6);
    if plausible_ipv4 || plausible_ipv6 { LINKTYPE_RAW } else { LINKTYPE_ETHERNET }
}

/// `tcpdump -tttt` starts packet lines with `YYYY-MM-DD HH:MM:SS.ffffff`.
fn dump_header_time(line: &str) -> Option<Timestamp> {
    let mut parts = line.split_whitespace();
    let date = parts.next()?;
    let time = parts.next()?;
    parse_rfc3339_utc(&format!("{date}T{time}Z"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_lines_of_common_tools() {
        assert_eq!(
            hex_line("\t0x0000:  4500 0034 12ab  E..4"),
            Some((0, vec![0x45, 0, 0, 0x34, 0x12, 0xab]))
        );
        assert_eq!(hex_line("00000010: d4c3 b2a1  ...."), Some((16, vec![0xd4, 0xc3, 0xb2, 0xa1])));
        assert_eq!(
            hex_line("0000  00 1a 2b 3c 4d 5e  ..+<M^"),
            Some((0, vec![0, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e]))
        );
        assert_eq!(hex_line("POST /acs HTTP/1.1"), None);
    }

    #[test]
    fn envelopes_are_found_in_logs_with_times() {
        let log = b"2024-01-02T03:04:05.500Z INFO got <soap:Envelope xmlns:soap=\"x\"><soap:Body/></soap:Envelope> done\nnoise\n<Envelope/>";
        let documents = find_envelopes(log);
        assert_eq!(documents.len(), 2);
        assert!(documents[0].body.starts_with(b"<soap:Envelope"));
        assert!(documents[0].body.ends_with(b"</soap:Envelope>"));
        assert_eq!(documents[0].time.unwrap().to_string(), "2024-01-02T03:04:05.500000000Z");
        // An envelope that never closes runs to the end, for the codec to judge.
        assert_eq!(documents[1].body, b"<Envelope/>");
        assert_eq!(documents[1].time, None);
    }

    #[test]
    fn escaped_envelopes_in_json_logs_are_unescaped() {
        let log = br#"{"time":"x","body":"<soap:Envelope xmlns:soap=\"urn:s\">\n<soap:Body/></soap:Envelope>"}"#;
        let documents = find_envelopes(log);
        assert_eq!(
            documents[0].body,
            b"<soap:Envelope xmlns:soap=\"urn:s\">\n<soap:Body/></soap:Envelope>"
        );
    }
}
