//! Text inputs: pasted SOAP, HTTP transcripts, `curl -v`, logs, hex dumps, base64 captures.

use super::file::{Frame, Frames};
use super::{
    Capture, CaptureError, Diagnostic, HttpMessage, InputKind, Options, SoapDocument, Source,
    Stats, http, link,
};
use crate::base::Severity;
use crate::base::Timestamp;
use crate::base::time::parse_rfc3339_utc;
use base64::Engine as _;
use std::net::SocketAddr;

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
    if super::genieacs_log::looks_like(body) {
        return Some(InputKind::GenieacsLog);
    }
    let lines: Vec<&str> = text_lines(body).take(400).collect();
    if follow_stream_header(&lines).is_some() {
        return Some(InputKind::HttpTranscript);
    }
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
    memchr::memmem::find(haystack, needle)
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

/// A line of `od`'s default output: an octal offset, then up to eight 2-byte words in octal, in
/// the byte order of the machine that ran it (taken as little-endian; see [`swap_pairs`]).
fn od_words_line(line: &str) -> Option<(usize, Vec<u8>)> {
    let mut tokens = line.split_whitespace();
    let offset_text = tokens.next()?;
    // `od` prints 7+ octal digits; `od -A x` 6+ hex digits.
    let octal = offset_text.len() >= 7 && offset_text.bytes().all(|b| (b'0'..=b'7').contains(&b));
    let hex = offset_text.len() >= 6 && offset_text.bytes().all(|b| b.is_ascii_hexdigit());
    let offset = usize::from_str_radix(offset_text, if octal { 8 } else { 16 }).ok()?;
    if !octal && !hex {
        return None;
    }
    let mut bytes = Vec::with_capacity(16);
    for token in tokens {
        if token.len() != 6 || bytes.len() >= 16 {
            return None;
        }
        let word = u16::from_str_radix(token, 8).ok()?;
        bytes.extend_from_slice(&word.to_le_bytes());
    }
    Some((offset, bytes))
}

/// What one line of a hex or octal dump says.
enum DumpLine {
    Bytes(usize, Vec<u8>),
    /// `*`: `od` and `hexdump` print it for lines equal to the one before, up to the next offset.
    Repeat,
    /// A lone offset: `od` ends with the input's length (its last word may be padded).
    End(usize),
}

fn dump_line(line: &str, octal: bool) -> Option<DumpLine> {
    let trimmed = line.trim();
    if trimmed == "*" {
        return Some(DumpLine::Repeat);
    }
    if let Some((offset, bytes)) = od_words_line(trimmed) {
        if !bytes.is_empty() {
            return Some(DumpLine::Bytes(offset, bytes));
        }
        // A lone offset: octal after `od`'s octal words, hex otherwise (`od -A x`, `hexdump`).
        let octal_digits = trimmed.bytes().all(|b| (b'0'..=b'7').contains(&b));
        let radix = if octal && octal_digits { 8 } else { 16 };
        return usize::from_str_radix(trimmed, radix).ok().map(DumpLine::End);
    }
    if let Some((offset, bytes)) = hex_line(line) {
        return Some(DumpLine::Bytes(offset, bytes));
    }
    let lone_offset = trimmed.len() >= 6 && trimmed.bytes().all(|b| b.is_ascii_hexdigit());
    lone_offset.then(|| usize::from_str_radix(trimmed, 16).ok().map(DumpLine::End)).flatten()
}

fn looks_like_hex_dump(body: &[u8]) -> bool {
    let lines: Vec<&str> = text_lines(body).filter(|l| !l.trim().is_empty()).take(50).collect();
    let hex = lines
        .iter()
        .filter(|l| hex_line(l).is_some() || od_words_line(l).is_some_and(|(_, b)| !b.is_empty()))
        .count();
    hex >= 1 && hex * 2 >= lines.len()
}

/// Each pair of bytes swapped: `od -x` and `od`'s default print native (little-endian) words.
fn swap_pairs(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for pair in out.chunks_exact_mut(2) {
        pair.swap(0, 1);
    }
    out
}

/// The node addresses of tshark's `-z follow,tcp|http,ascii,N` output, when that is what this is.
fn follow_stream_header(lines: &[&str]) -> Option<(Option<SocketAddr>, Option<SocketAddr>)> {
    let head = lines.get(..lines.len().min(12))?;
    if !head.iter().any(|l| l.starts_with("Follow: ") && l.ends_with(",ascii")) {
        return None;
    }
    let node = |prefix: &str| -> Option<Option<SocketAddr>> {
        let text = head.iter().find_map(|l| l.strip_prefix(prefix))?;
        Some(parse_node(text.trim()))
    };
    Some((node("Node 0: ")?, node("Node 1: ")?))
}

/// `10.0.0.1:7547`, `[2001:db8::1]:7547` or tshark's bare `2001:db8::1:7547`.
fn parse_node(text: &str) -> Option<SocketAddr> {
    if let Ok(address) = text.parse() {
        return Some(address);
    }
    let (ip, port) = text.rsplit_once(':')?;
    Some(SocketAddr::new(ip.trim_matches(['[', ']']).parse().ok()?, port.parse().ok()?))
}

/// tshark's follow output as what Wireshark's window shows: the chunks of both directions in
/// order, without the byte counts (a tab before a count marks node 1's chunks). Returns the text,
/// the node that sent the first chunk, and the two node addresses.
fn follow_stream_to_transcript(input: &[u8]) -> Option<(Vec<u8>, usize, [Option<SocketAddr>; 2])> {
    let lines: Vec<&str> = text_lines(input).take(12).collect();
    let (node0, node1) = follow_stream_header(&lines)?;
    let mut pos = find_subslice(input, b"Node 1: ")?;
    pos += input[pos..].iter().position(|&b| b == b'\n')? + 1;
    let mut out = Vec::with_capacity(input.len());
    let mut first_sender = None;
    while pos < input.len() {
        let line_end =
            input[pos..].iter().position(|&b| b == b'\n').map_or(input.len(), |p| pos + p);
        let line = std::str::from_utf8(&input[pos..line_end]).unwrap_or("").trim_end_matches('\r');
        if line.starts_with("====") {
            break;
        }
        let sender = usize::from(line.starts_with('\t'));
        let Ok(count) = line.trim().parse::<usize>() else {
            // Not a count line: keep the text as is (a hand-edited paste).
            out.extend_from_slice(&input[pos..(line_end + 1).min(input.len())]);
            pos = line_end + 1;
            continue;
        };
        first_sender.get_or_insert(sender);
        let start = line_end + 1;
        let end = (start + count).min(input.len());
        out.extend_from_slice(input.get(start..end).unwrap_or_default());
        // tshark ends every chunk with a line break of its own.
        pos = if input.get(end) == Some(&b'\n') { end + 1 } else { end };
    }
    Some((out, first_sender.unwrap_or(0), [node0, node1]))
}

/// Decodes a text input of the given kind.
pub fn decode(
    kind: InputKind,
    input: &[u8],
    options: &Options,
    depth: u8,
    stats: &mut Stats,
) -> Result<Capture, CaptureError> {
    match kind {
        InputKind::Base64 => {
            let compact: Vec<u8> =
                input.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
            let bytes =
                base64::engine::general_purpose::STANDARD.decode(&compact).map_err(|e| {
                    CaptureError {
                        layer: Source::Text,
                        offset: 0,
                        message: format!("not base64: {e}"),
                    }
                })?;
            nested(kind, &bytes, options, depth, stats)
        }
        InputKind::HexDump => decode_hex_dump(input, options, depth, stats),
        InputKind::CurlVerbose => Ok(transcript(kind, &curl_to_transcript(input), options, stats)),
        InputKind::HttpTranscript => match follow_stream_to_transcript(input) {
            Some((text, first_sender, nodes)) => {
                let mut capture = transcript(kind, &text, options, stats);
                // The node that sent the first request is the client.
                let first_is_request = capture
                    .connections
                    .first()
                    .and_then(|c| c.messages.first())
                    .map(HttpMessage::is_request);
                let client =
                    if first_is_request == Some(false) { 1 - first_sender } else { first_sender };
                for connection in &mut capture.connections {
                    connection.client = nodes[client];
                    connection.server = nodes[1 - client];
                    for message in &mut connection.messages {
                        let (source, destination) = if message.is_request() {
                            (nodes[client], nodes[1 - client])
                        } else {
                            (nodes[1 - client], nodes[client])
                        };
                        message.source = source;
                        message.destination = destination;
                    }
                }
                Ok(capture)
            }
            None => Ok(transcript(kind, input, options, stats)),
        },
        InputKind::Soap | InputKind::Log => {
            let mut capture = Capture::empty(kind);
            capture.documents = find_envelopes(input, stats);
            if capture.documents.is_empty() {
                return Err(CaptureError {
                    layer: Source::Text,
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
                    layer: Source::Text,
                    offset: 0,
                    message: "no `Handling/Sending TR069 message:` line found".into(),
                });
            }
            Ok(capture)
        }
        InputKind::GenieacsLog => super::genieacs_log::decode(input, options),
        InputKind::Pcap | InputKind::Pcapng => super::decode_at_depth(input, options, depth, stats),
    }
}

fn nested(
    kind: InputKind,
    bytes: &[u8],
    options: &Options,
    depth: u8,
    stats: &mut Stats,
) -> Result<Capture, CaptureError> {
    if depth >= MAX_NESTING {
        return Err(CaptureError {
            layer: Source::Text,
            offset: 0,
            message: "dump inside a dump nested too deep".into(),
        });
    }
    let inner_options = Options { kind: None, ..options.clone() };
    let mut capture = super::decode_at_depth(bytes, &inner_options, depth + 1, stats)?;
    capture.diagnostics.insert(
        0,
        Diagnostic::new(
            Severity::Info,
            Source::Text,
            "unwrapped",
            format!("{kind:?} input unwrapped to a {:?} capture", capture.kind),
        ),
    );
    Ok(capture)
}

fn transcript(kind: InputKind, input: &[u8], options: &Options, stats: &mut Stats) -> Capture {
    let mut capture = Capture::empty(kind);
    let (messages, diagnostics) = http::parse_transcript(input, options, stats);
    if messages.is_empty() {
        capture.documents = find_envelopes(input, stats);
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

/// The longest namespace prefix an envelope's open tag is looked for with (`<soapenv:Envelope`).
const MAX_PREFIX: usize = 64;
/// An XML declaration this close before an envelope belongs to it.
const DECLARATION_REACH: usize = 200;

/// Every `<…Envelope …>…</…Envelope>` in the text, with a time from its log line when present.
///
/// Linear in the input: every look behind a found `Envelope` is bounded (a prefix, a declaration)
/// or stops where the previous look stopped (the line start), so no byte is looked at more than a
/// bounded number of times however many envelopes there are.
fn find_envelopes(input: &[u8], stats: &mut Stats) -> Vec<SoapDocument> {
    let mut documents = Vec::new();
    let mut pos = 0;
    // The start of the line holding `line_known_at`: line starts are found scanning forward.
    let mut line_known_at = 0;
    let mut line_start = 0;
    let envelope = memchr::memmem::Finder::new(b"Envelope");
    while let Some(found) = envelope.find(&input[pos..]) {
        let at = pos + found;
        let floor = pos.max(at.saturating_sub(MAX_PREFIX + 1));
        stats.lookbehind_bytes += (at - floor) as u64;
        let Some(open) = memchr::memrchr(b'<', &input[floor..at]).map(|p| floor + p) else {
            pos = at + 8;
            continue;
        };
        let between = &input[open + 1..at];
        let is_open_tag = between.iter().all(|b| b.is_ascii_alphanumeric() || b"_-.:".contains(b));
        if !is_open_tag {
            pos = at + 8;
            continue;
        }
        let declaration_floor = pos.max(open.saturating_sub(DECLARATION_REACH - 1));
        stats.lookbehind_bytes += (open - declaration_floor) as u64;
        let start = memchr::memmem::rfind(&input[declaration_floor..open], b"<?xml")
            .map_or(open, |p| declaration_floor + p);
        let close_pattern: Vec<u8> = [b"</".as_slice(), between, b"Envelope"].concat();
        // An envelope that never closes runs to the end: the codec then says what is wrong.
        let end = match find_subslice(&input[at..], &close_pattern) {
            Some(close) => {
                let close_start = at + close;
                memchr::memchr(b'>', &input[close_start..])
                    .map_or(input.len(), |p| close_start + p + 1)
            }
            None => input.len(),
        };
        if let Some(newline) = memchr::memrchr(b'\n', &input[line_known_at..start]) {
            line_start = line_known_at + newline + 1;
        }
        line_known_at = start;
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
fn decode_hex_dump(
    input: &[u8],
    options: &Options,
    depth: u8,
    stats: &mut Stats,
) -> Result<Capture, CaptureError> {
    let cap = options.limits.max_decoded_body_bytes.min(stats.inflate_left());
    let (packets, expanded) = dump_packets(input, cap);
    stats.inflated_bytes += expanded as u64;
    let mut capture = unwrap_dump(packets, options, depth, stats)?;
    if expanded > 0 && expanded >= cap {
        capture.diagnostics.push(Diagnostic::new(
            Severity::Warning,
            Source::Text,
            "dump-repeats-cut",
            format!(
                "`*` lines repeat more bytes than the {cap} left to expand (Limits::\
                 max_decoded_body_bytes, Limits::inflate_budget); the repeats stop there"
            ),
        ));
    }
    Ok(capture)
}

/// A lone dump of a capture file is that file; anything else is packets.
fn unwrap_dump(
    packets: Vec<DumpPacket>,
    options: &Options,
    depth: u8,
    stats: &mut Stats,
) -> Result<Capture, CaptureError> {
    if let [(_, bytes)] = packets.as_slice() {
        if super::file::is_pcap(bytes) || super::file::is_pcapng(bytes) {
            return nested(InputKind::HexDump, bytes, options, depth, stats);
        }
        let swapped = swap_pairs(bytes);
        if super::file::is_pcap(&swapped) || super::file::is_pcapng(&swapped) {
            return nested(InputKind::HexDump, &swapped, options, depth, stats);
        }
    }
    decode_packets(packets, options, stats)
}

/// One packet of a dump: the time its header line gave, and its bytes.
type DumpPacket = (Option<Timestamp>, Vec<u8>);

/// The packets of a dump: a new one at each offset-0 line, `*` lines expanded (at most `cap`
/// bytes in all), the padding of `od`'s last word cut by its closing length line. Returns the
/// packets and how many bytes the `*` lines added.
fn dump_packets(input: &[u8], cap: usize) -> (Vec<DumpPacket>, usize) {
    let mut packets: Vec<DumpPacket> = Vec::new();
    let mut pending_time = None;
    let mut radix = None;
    let mut od_octal_words = false;
    let mut repeat = false;
    let mut last_line: Vec<u8> = Vec::new();
    let mut expanded = 0usize;
    for line in text_lines(input) {
        // `od` counts offsets in octal, the others in hex: the second line's offset, which must
        // equal the first line's length, tells which.
        if radix.is_none()
            && let Some((_, packet)) = packets.last()
            && !packet.is_empty()
        {
            let token = line.split_whitespace().next().unwrap_or("").trim_start_matches("0x");
            let token = token.trim_end_matches(':');
            let as_radix = |r| usize::from_str_radix(token, r).ok();
            if as_radix(16) == Some(packet.len()) {
                radix = Some(16);
            } else if as_radix(8) == Some(packet.len()) {
                radix = Some(8);
            }
        }
        let first_token = line.split_whitespace().next().unwrap_or("");
        od_octal_words |= first_token.len() >= 7
            && first_token.bytes().all(|b| (b'0'..=b'7').contains(&b))
            && od_words_line(line).is_some_and(|(_, b)| !b.is_empty());
        let octal = radix == Some(8) || (radix.is_none() && od_octal_words);
        match dump_line(line, octal) {
            Some(DumpLine::Bytes(offset, bytes)) => {
                if offset == 0 || packets.is_empty() {
                    packets.push((pending_time.take(), Vec::new()));
                }
                if let Some((_, packet)) = packets.last_mut() {
                    if std::mem::take(&mut repeat) {
                        expanded +=
                            fill_repeats(packet, &last_line, offset, cap.saturating_sub(expanded));
                    }
                    packet.extend_from_slice(&bytes);
                }
                last_line = bytes;
            }
            Some(DumpLine::Repeat) => repeat = true,
            Some(DumpLine::End(length)) => {
                if let Some((_, packet)) = packets.last_mut() {
                    if std::mem::take(&mut repeat) {
                        expanded +=
                            fill_repeats(packet, &last_line, length, cap.saturating_sub(expanded));
                    }
                    // The last word of an odd-length input is padded.
                    if length < packet.len() && packet.len() - length < 16 {
                        packet.truncate(length);
                    }
                }
            }
            None => {
                if !line.trim().is_empty() {
                    pending_time = dump_header_time(line);
                }
            }
        }
    }
    (packets, expanded)
}

fn decode_packets(
    packets: Vec<DumpPacket>,
    options: &Options,
    stats: &mut Stats,
) -> Result<Capture, CaptureError> {
    if packets.is_empty() {
        return Err(CaptureError {
            layer: Source::Text,
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
        stats,
    ))
}

/// Repeats `line` until `packet` reaches `offset` (at most `budget` bytes); returns bytes added.
fn fill_repeats(packet: &mut Vec<u8>, line: &[u8], offset: usize, budget: usize) -> usize {
    if line.is_empty() || offset <= packet.len() {
        return 0;
    }
    let wanted = (offset - packet.len()).min(budget);
    let before = packet.len();
    while packet.len() < before + wanted {
        let take = line.len().min(before + wanted - packet.len());
        packet.extend_from_slice(&line[..take]);
    }
    wanted
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
    fn od_words_repeats_and_padding() {
        // `od` of 64 zero bytes and "abc" (coreutils on x86-64).
        let od = "0000000 000000 000000 000000 000000 000000 000000 000000 000000\n*\n\
                  0000100 061141 000143\n0000103\n";
        let (packets, _) = dump_packets(od.as_bytes(), 1 << 20);
        let mut expected = vec![0u8; 64];
        expected.extend_from_slice(b"abc");
        assert_eq!(packets, [(None, expected.clone())]);
        // `od -A x -t x1z` of the same file.
        let od_hex = "000000 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  >................<\n*\n\
                      000040 61 62 63                                         >abc<\n000043\n";
        assert_eq!(dump_packets(od_hex.as_bytes(), 1 << 20).0, [(None, expected)]);
        // A `*` cannot expand beyond the cap.
        let hostile =
            "0000000 000000 000000 000000 000000 000000 000000 000000 000000\n*\n7777777777\n";
        let (packets, expanded) = dump_packets(hostile.as_bytes(), 1000);
        assert_eq!((packets[0].1.len(), expanded), (1016, 1000));
    }

    #[test]
    fn envelopes_are_found_in_logs_with_times() {
        let log = b"2024-01-02T03:04:05.500Z INFO got <soap:Envelope xmlns:soap=\"x\"><soap:Body/></soap:Envelope> done\nnoise\n<Envelope/>";
        let documents = find_envelopes(log, &mut Stats::default());
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
        let documents = find_envelopes(log, &mut Stats::default());
        assert_eq!(
            documents[0].body,
            b"<soap:Envelope xmlns:soap=\"urn:s\">\n<soap:Body/></soap:Envelope>"
        );
    }
}
