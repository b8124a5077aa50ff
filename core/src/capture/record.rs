//! HTTP exchanges → a pcapng capture that Wireshark and [`crate::pipeline`] read back: what the
//! relay records of every `/acs` exchange.
//!
//! The writer is sans-IO: the host gives it each exchange (the CPE's and the ACS's socket
//! addresses, when the request arrived and the response left, and both messages' bytes) and
//! writes the blocks it returns. A file starts with a Section Header and one Ethernet Interface
//! Description (nanosecond timestamps), then Enhanced Packet Blocks holding synthetic
//! Ethernet/IPv4 (or IPv6)/TCP frames built with etherparse (checksums included): a handshake
//! when a connection first carries an exchange, each message cut into segments of at most one
//! MSS with consecutive sequence numbers, each acknowledging what the other side sent, and FINs
//! after an exchange that says `Connection: close`, when the connection has been idle for
//! [`RecorderOptions::idle_close`] (the relay closes idle connections after as long), or when
//! the file ends.
//!
//! Nothing secret is written. Each message is framed by the capture's own HTTP reader and written
//! again: `Authorization` and `Proxy-Authorization` keep only their scheme (`Digest ********`),
//! cookie values become pseudonyms (`redacted-7`: the same token always the same pseudonym, so
//! a decoder still follows a session by its cookie), a `Password` header is masked, and the body
//! goes through [`crate::cwmp::secrets::mask_secrets`]. The body is written decoded
//! (de-chunked, decompressed), with a `Content-Length` that counts it.

use super::file::{FrameReader, Step};
use super::http::{self, HttpMessage, Parsed, StartLine};
use super::{Limits, Options, Stats};
use crate::base::Timestamp;
use crate::cwmp::secrets::{MASK, mask_secrets};
use etherparse::PacketBuilder;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// One HTTP exchange on the ACS's listener.
#[derive(Debug, Clone, Copy)]
pub struct Exchange<'a> {
    /// The CPE's address and port (the client).
    pub cpe: SocketAddr,
    /// The ACS's address and port the CPE reached (the server).
    pub acs: SocketAddr,
    /// When the request arrived.
    pub request_time: Timestamp,
    /// When the response left.
    pub response_time: Timestamp,
    /// The request as received: start line, headers, blank line, body.
    pub request: &'a [u8],
    /// The response as sent, likewise.
    pub response: &'a [u8],
}

/// How a [`Recorder`] models connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecorderOptions {
    /// A connection with nothing on it for this long is over: it is closed, and the next
    /// exchange between the same two sockets opens a new one.
    pub idle_close: Duration,
    /// Connections kept open at once; past it the longest idle is closed.
    pub max_open_connections: usize,
    /// Cookie values remembered for their pseudonyms; past it the oldest is forgotten (a session
    /// that old is over).
    pub max_cookie_pseudonyms: usize,
}

impl Default for RecorderOptions {
    fn default() -> Self {
        Self {
            idle_close: Duration::from_secs(30),
            max_open_connections: 4096,
            max_cookie_pseudonyms: 16_384,
        }
    }
}

/// A whole pcapng file of `exchanges`, in order, for a host that keeps a few in memory (the
/// relay's recent exchanges with one device): each recorded as [`Recorder::record`] does, every
/// connection closed at `end`. An exchange the recorder refuses is left out, and its error
/// returned beside the file.
pub fn capture_of<'a>(
    exchanges: impl IntoIterator<Item = Exchange<'a>>,
    options: RecorderOptions,
    end: Timestamp,
) -> (Vec<u8>, Vec<RecordError>) {
    let mut recorder = Recorder::new(options);
    let mut out = Vec::new();
    let mut refused = Vec::new();
    for exchange in exchanges {
        if let Err(error) = recorder.record(&exchange, &mut out) {
            refused.push(error);
        }
    }
    if out.is_empty() {
        write_file_header(&mut out);
    }
    recorder.finish_file(end, &mut out);
    (out, refused)
}

/// A recording as the relay lists it (`GET /api/recordings`), and as the app reads the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recording {
    /// The file's name (`acs-2026-12-05.pcapng`).
    pub name: String,
    pub bytes: u64,
    /// The first and last packet's times; `None` for a file without packets yet.
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
}

/// Why an exchange was not recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {which} is not an HTTP message: {reason}")]
pub struct RecordError {
    /// `request` or `response`.
    pub which: &'static str,
    pub reason: String,
}

/// The pcapng writer: see the module documentation.
#[derive(Debug)]
pub struct Recorder {
    options: RecorderOptions,
    /// The current file has its Section Header and Interface Description.
    file_started: bool,
    open: HashMap<FlowKey, Flow>,
    /// The open flows by their last activity, oldest first, so that finding the idle ones
    /// costs what it closes, not a scan of every open flow on every exchange (a fleet keeps
    /// thousands open).
    by_last: BTreeSet<(Timestamp, FlowKey)>,
    connections_opened: u32,
    pseudonyms: HashMap<String, u64>,
    pseudonym_order: VecDeque<String>,
    next_pseudonym: u64,
}

/// A connection's CPE and ACS sockets.
type FlowKey = (SocketAddr, SocketAddr);

/// One open synthetic connection: the next sequence number each side sends.
#[derive(Debug, Clone, Copy)]
struct Flow {
    cpe_next: u32,
    acs_next: u32,
    last: Timestamp,
}

const BLOCK_SECTION_HEADER: u32 = 0x0A0D_0D0A;
const BLOCK_INTERFACE: u32 = 1;
const BLOCK_ENHANCED_PACKET: u32 = 6;
const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;
const LINKTYPE_ETHERNET: u16 = 1;
const SNAPLEN: u32 = 262_144;
const OPTION_END: u16 = 0;
const OPTION_SHB_USER_APPLICATION: u16 = 4;
const OPTION_IF_TSRESOL: u16 = 9;
/// `if_tsresol` 9: timestamps count nanoseconds.
const NANOSECONDS: u8 = 9;
const WINDOW: u16 = 65_535;
const TTL: u8 = 64;
/// Ethernet's 1500-byte MTU less the IP and TCP headers.
const MSS_IPV4: usize = 1460;
const MSS_IPV6: usize = 1440;

/// The TCP flags of one synthetic segment.
#[derive(Debug, Clone, Copy, Default)]
struct Flags {
    syn: bool,
    fin: bool,
    psh: bool,
    ack: Option<u32>,
}

impl Recorder {
    pub fn new(options: RecorderOptions) -> Self {
        Self {
            options,
            file_started: false,
            open: HashMap::new(),
            by_last: BTreeSet::new(),
            connections_opened: 0,
            pseudonyms: HashMap::new(),
            pseudonym_order: VecDeque::new(),
            next_pseudonym: 1,
        }
    }

    /// Appends to `out` the blocks of one exchange (preceded by the file's header blocks when
    /// the file is new, and by the FINs of connections idle too long). An exchange whose request
    /// or response is not HTTP writes nothing.
    pub fn record(
        &mut self,
        exchange: &Exchange<'_>,
        out: &mut Vec<u8>,
    ) -> Result<(), RecordError> {
        let (request, request_closes) = self.rewrite(exchange.request, "request")?;
        let (response, response_closes) = self.rewrite(exchange.response, "response")?;
        if !self.file_started {
            write_file_header(out);
            self.file_started = true;
        }
        self.close_idle(exchange.request_time, out);
        let key = (exchange.cpe, exchange.acs);
        let mut flow = match self.take_open(&key) {
            Some(flow) => flow,
            None => {
                if self.open.len() >= self.options.max_open_connections.max(1) {
                    self.close_longest_idle(out);
                }
                self.handshake(exchange.cpe, exchange.acs, exchange.request_time, out)
            }
        };
        let mss = mss(exchange.cpe, exchange.acs);
        for (index, chunk) in request.chunks(mss).enumerate() {
            let last = (index + 1) * mss >= request.len();
            let flags = Flags { psh: last, ack: Some(flow.acs_next), ..Flags::default() };
            segment(
                exchange.cpe,
                exchange.acs,
                flow.cpe_next,
                flags,
                chunk,
                exchange.request_time,
                out,
            );
            flow.cpe_next = flow.cpe_next.wrapping_add(chunk.len() as u32);
        }
        for (index, chunk) in response.chunks(mss).enumerate() {
            let last = (index + 1) * mss >= response.len();
            let flags = Flags { psh: last, ack: Some(flow.cpe_next), ..Flags::default() };
            segment(
                exchange.acs,
                exchange.cpe,
                flow.acs_next,
                flags,
                chunk,
                exchange.response_time,
                out,
            );
            flow.acs_next = flow.acs_next.wrapping_add(chunk.len() as u32);
        }
        flow.last = exchange.response_time.max(exchange.request_time);
        if request_closes || response_closes {
            close(exchange.cpe, exchange.acs, flow, flow.last, out);
        } else {
            self.by_last.insert((flow.last, key));
            self.open.insert(key, flow);
        }
        Ok(())
    }

    /// Ends the current file: appends the FINs of every open connection (at `time`), and the
    /// next [`Recorder::record`] starts a new file with its own header blocks.
    pub fn finish_file(&mut self, time: Timestamp, out: &mut Vec<u8>) {
        let by_last = std::mem::take(&mut self.by_last);
        let mut open = std::mem::take(&mut self.open);
        if self.file_started {
            for (_, key) in by_last {
                if let Some(flow) = open.remove(&key) {
                    close(key.0, key.1, flow, time.max(flow.last), out);
                }
            }
        }
        self.file_started = false;
    }

    /// Connections open now (each has had its handshake written and no FIN yet).
    pub fn open_connections(&self) -> usize {
        self.open.len()
    }

    /// Removes an open flow, from both indexes.
    fn take_open(&mut self, key: &FlowKey) -> Option<Flow> {
        let flow = self.open.remove(key)?;
        self.by_last.remove(&(flow.last, *key));
        Some(flow)
    }

    fn close_idle(&mut self, now: Timestamp, out: &mut Vec<u8>) {
        let idle = i128::try_from(self.options.idle_close.as_nanos()).unwrap_or(i128::MAX);
        while let Some(&(last, key)) = self.by_last.first() {
            if now.unix_nanos.saturating_sub(last.unix_nanos) <= idle {
                break;
            }
            self.by_last.pop_first();
            if let Some(flow) = self.open.remove(&key) {
                let at = Timestamp::from_unix_nanos(last.unix_nanos.saturating_add(idle));
                close(key.0, key.1, flow, at.min(now), out);
            }
        }
    }

    fn close_longest_idle(&mut self, out: &mut Vec<u8>) {
        if let Some((_, key)) = self.by_last.pop_first()
            && let Some(flow) = self.open.remove(&key)
        {
            close(key.0, key.1, flow, flow.last, out);
        }
    }

    fn handshake(
        &mut self,
        cpe: SocketAddr,
        acs: SocketAddr,
        time: Timestamp,
        out: &mut Vec<u8>,
    ) -> Flow {
        self.connections_opened = self.connections_opened.wrapping_add(1);
        // Distinct, deterministic initial sequence numbers (Knuth's multiplicative hash).
        let cpe_isn = self.connections_opened.wrapping_mul(0x9E37_79B1);
        let acs_isn = cpe_isn.rotate_left(16) ^ 0x5bd1_e995;
        let syn = Flags { syn: true, ..Flags::default() };
        segment(cpe, acs, cpe_isn, syn, &[], time, out);
        let syn_ack = Flags { syn: true, ack: Some(cpe_isn.wrapping_add(1)), ..Flags::default() };
        segment(acs, cpe, acs_isn, syn_ack, &[], time, out);
        let flow = Flow {
            cpe_next: cpe_isn.wrapping_add(1),
            acs_next: acs_isn.wrapping_add(1),
            last: time,
        };
        let ack = Flags { ack: Some(flow.acs_next), ..Flags::default() };
        segment(cpe, acs, flow.cpe_next, ack, &[], time, out);
        flow
    }

    /// The message as it will be written: framed by the capture's HTTP reader, secrets masked;
    /// and whether it says `Connection: close` (the connection ends after this exchange).
    fn rewrite(&mut self, raw: &[u8], which: &'static str) -> Result<(Vec<u8>, bool), RecordError> {
        let options = Options { limits: Limits::default(), ..Options::default() };
        let mut stats = Stats::for_input(&options.limits, raw.len());
        let message = match http::parse_message(raw, 0, &options, &mut stats) {
            Parsed::Message(message, _) => message,
            Parsed::Incomplete => {
                return Err(RecordError { which, reason: "its head is cut off".into() });
            }
            Parsed::Invalid(reason) => return Err(RecordError { which, reason }),
        };
        let coding = message
            .header("content-encoding")
            .map(|c| c.trim().to_ascii_lowercase())
            .filter(|c| !c.is_empty() && c != "identity");
        let undecoded = coding.as_ref().is_some_and(|coding| {
            !matches!(coding.as_str(), "gzip" | "x-gzip" | "deflate")
                || message.diagnostics.iter().any(|d| {
                    matches!(
                        d.code.as_ref(),
                        "bad-content-encoding" | "inflate-budget-spent" | "body-too-large"
                    )
                })
        });
        let closes = message
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case("connection"))
            .flat_map(|h| h.value.split(','))
            .any(|token| token.trim().eq_ignore_ascii_case("close"));
        let mut written = message.start_line_text();
        written.push_str("\r\n");
        for header in &message.headers {
            let name = header.name.to_ascii_lowercase();
            let value = match name.as_str() {
                "content-length" | "transfer-encoding" | "content-encoding" => continue,
                "authorization" | "proxy-authorization" => {
                    let scheme = header.value.split_whitespace().next().unwrap_or_default();
                    format!("{scheme} {MASK}")
                }
                "cookie" => self.pseudonymous_cookies(&header.value),
                "set-cookie" => self.pseudonymous_set_cookie(&header.value),
                _ => header.value.to_string(),
            };
            push_header(&mut written, &header.name, &value);
        }
        let body = if undecoded {
            let note = format!(
                "the body ({} bytes in content coding {}) is left out: its secrets could not be \
                 masked",
                message.wire_body_len,
                coding.unwrap_or_default()
            );
            push_header(&mut written, "X-Cwmpkit-Recorder", &note);
            Vec::new()
        } else {
            mask_secrets(&message.body).into_owned()
        };
        if !body.is_empty() || carries_length(&message) {
            push_header(&mut written, "Content-Length", &body.len().to_string());
        }
        written.push_str("\r\n");
        let mut bytes = written.into_bytes();
        bytes.extend_from_slice(&body);
        Ok((bytes, closes))
    }

    fn pseudonym(&mut self, value: &str) -> String {
        if let Some(number) = self.pseudonyms.get(value) {
            return format!("redacted-{number}");
        }
        let number = self.next_pseudonym;
        self.next_pseudonym += 1;
        if self.pseudonym_order.len() >= self.options.max_cookie_pseudonyms.max(1)
            && let Some(oldest) = self.pseudonym_order.pop_front()
        {
            self.pseudonyms.remove(&oldest);
        }
        self.pseudonyms.insert(value.to_owned(), number);
        self.pseudonym_order.push_back(value.to_owned());
        format!("redacted-{number}")
    }

    /// `a=1; b=2` → `a=redacted-1; b=redacted-2`.
    fn pseudonymous_cookies(&mut self, header: &str) -> String {
        header
            .split(';')
            .map(|pair| match pair.trim().split_once('=') {
                Some((name, value)) => format!("{}={}", name.trim(), self.pseudonym(value.trim())),
                None => pair.trim().to_owned(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// `s=token; Path=/; HttpOnly` → `s=redacted-1; Path=/; HttpOnly`.
    fn pseudonymous_set_cookie(&mut self, header: &str) -> String {
        let (pair, attributes) = header.split_once(';').unwrap_or((header, ""));
        let pair = match pair.trim().split_once('=') {
            Some((name, value)) => format!("{}={}", name.trim(), self.pseudonym(value.trim())),
            None => pair.trim().to_owned(),
        };
        if attributes.is_empty() { pair } else { format!("{pair};{attributes}") }
    }
}

fn push_header(head: &mut String, name: &str, value: &str) {
    head.push_str(name);
    head.push_str(": ");
    head.push_str(value);
    head.push_str("\r\n");
}

/// Whether the message says how long its body is even when it is empty (not a 1xx, 204 or 304).
fn carries_length(message: &HttpMessage) -> bool {
    match message.start_line {
        StartLine::Request { .. } => true,
        StartLine::Response { status, .. } => !(status < 200 || status == 204 || status == 304),
    }
}

/// FIN from the CPE, FIN from the ACS, the CPE's last ACK.
fn close(cpe: SocketAddr, acs: SocketAddr, flow: Flow, time: Timestamp, out: &mut Vec<u8>) {
    let fin = Flags { fin: true, ack: Some(flow.acs_next), ..Flags::default() };
    segment(cpe, acs, flow.cpe_next, fin, &[], time, out);
    let cpe_after_fin = flow.cpe_next.wrapping_add(1);
    let fin_ack = Flags { fin: true, ack: Some(cpe_after_fin), ..Flags::default() };
    segment(acs, cpe, flow.acs_next, fin_ack, &[], time, out);
    let ack = Flags { ack: Some(flow.acs_next.wrapping_add(1)), ..Flags::default() };
    segment(cpe, acs, cpe_after_fin, ack, &[], time, out);
}

/// Both ends in one IP version: IPv4 when both are (an IPv4 peer seen through an IPv6 socket
/// counts as IPv4), else IPv6 with any IPv4 address mapped.
fn ip_pair(from: SocketAddr, to: SocketAddr) -> (IpAddr, IpAddr) {
    match (from.ip().to_canonical(), to.ip().to_canonical()) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (IpAddr::V4(a), IpAddr::V4(b)),
        (a, b) => (IpAddr::V6(as_v6(a)), IpAddr::V6(as_v6(b))),
    }
}

fn as_v6(ip: IpAddr) -> Ipv6Addr {
    match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped(),
        IpAddr::V6(v6) => v6,
    }
}

fn mss(cpe: SocketAddr, acs: SocketAddr) -> usize {
    match ip_pair(cpe, acs).0 {
        IpAddr::V4(_) => MSS_IPV4,
        IpAddr::V6(_) => MSS_IPV6,
    }
}

/// A locally administered MAC address made from the end of the IP address, so that each host
/// keeps one.
fn mac(ip: IpAddr) -> [u8; 6] {
    let octets = match ip {
        IpAddr::V4(v4) => v4.octets(),
        IpAddr::V6(v6) => {
            let o = v6.octets();
            [o[12], o[13], o[14], o[15]]
        }
    };
    [0x02, 0x00, octets[0], octets[1], octets[2], octets[3]]
}

/// One TCP segment in an Ethernet frame, as an Enhanced Packet Block.
fn segment(
    from: SocketAddr,
    to: SocketAddr,
    sequence: u32,
    flags: Flags,
    payload: &[u8],
    time: Timestamp,
    out: &mut Vec<u8>,
) {
    let (source, destination) = ip_pair(from, to);
    let link = PacketBuilder::ethernet2(mac(source), mac(destination));
    let ip = match (source, destination) {
        (IpAddr::V4(s), IpAddr::V4(d)) => link.ipv4(s.octets(), d.octets(), TTL),
        _ => link.ipv6(as_v6(source).octets(), as_v6(destination).octets(), TTL),
    };
    let mut tcp = ip.tcp(from.port(), to.port(), sequence, WINDOW);
    if flags.syn {
        tcp = tcp.syn();
    }
    if flags.fin {
        tcp = tcp.fin();
    }
    if flags.psh {
        tcp = tcp.psh();
    }
    if let Some(ack) = flags.ack {
        tcp = tcp.ack(ack);
    }
    let mut frame = Vec::with_capacity(tcp.size(payload.len()));
    // The payload is at most one MSS, which every length field holds: this cannot fail.
    if tcp.write(&mut frame, payload).is_ok() {
        enhanced_packet(time, &frame, out);
    }
}

fn push_u16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn push_u32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

/// `bytes`, then zeros up to a multiple of 4.
fn push_padded(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(bytes);
    out.resize(out.len() + (4 - bytes.len() % 4) % 4, 0);
}

fn push_option(out: &mut Vec<u8>, code: u16, value: &[u8]) {
    push_u16(out, code);
    push_u16(out, u16::try_from(value.len()).unwrap_or(u16::MAX));
    push_padded(out, value);
}

/// A block: type, total length, `body`, total length again.
fn push_block(out: &mut Vec<u8>, block_type: u32, body: &[u8]) {
    let length = u32::try_from(12 + body.len()).unwrap_or(u32::MAX);
    push_u32(out, block_type);
    push_u32(out, length);
    out.extend_from_slice(body);
    push_u32(out, length);
}

fn write_file_header(out: &mut Vec<u8>) {
    let mut section = Vec::new();
    push_u32(&mut section, BYTE_ORDER_MAGIC);
    push_u16(&mut section, 1);
    push_u16(&mut section, 0);
    // Section length unknown: the file grows as exchanges come.
    section.extend_from_slice(&(-1i64).to_le_bytes());
    push_option(&mut section, OPTION_SHB_USER_APPLICATION, b"cwmpkit");
    push_option(&mut section, OPTION_END, &[]);
    push_block(out, BLOCK_SECTION_HEADER, &section);

    let mut interface = Vec::new();
    push_u16(&mut interface, LINKTYPE_ETHERNET);
    push_u16(&mut interface, 0);
    push_u32(&mut interface, SNAPLEN);
    push_option(&mut interface, OPTION_IF_TSRESOL, &[NANOSECONDS]);
    push_option(&mut interface, OPTION_END, &[]);
    push_block(out, BLOCK_INTERFACE, &interface);
}

fn enhanced_packet(time: Timestamp, frame: &[u8], out: &mut Vec<u8>) {
    let nanos = u64::try_from(time.unix_nanos.max(0)).unwrap_or(u64::MAX);
    let length = u32::try_from(frame.len()).unwrap_or(u32::MAX);
    let mut body = Vec::with_capacity(20 + frame.len() + 3);
    push_u32(&mut body, 0);
    push_u32(&mut body, (nanos >> 32) as u32);
    push_u32(&mut body, nanos as u32);
    push_u32(&mut body, length);
    push_u32(&mut body, length);
    push_padded(&mut body, frame);
    push_block(out, BLOCK_ENHANCED_PACKET, &body);
}

/// The time of the first packet in `head`, the start of a pcap or pcapng file.
pub fn first_packet_time(head: &[u8]) -> Option<Timestamp> {
    let mut reader = FrameReader::new(&Limits::default());
    let mut offset = 0;
    loop {
        match reader.next(head.get(offset..)?, offset, false).ok()? {
            Step::Frame(frame, _) => return frame.time,
            Step::Skip(length) => offset += length,
            Step::NeedMore | Step::End => return None,
        }
    }
}

/// The time of the last packet of a file this recorder wrote, from `tail`, its last bytes (a few
/// KiB: the last block is one segment); `None` when the file does not end with a whole packet.
pub fn last_packet_time(tail: &[u8]) -> Option<Timestamp> {
    let word = |at: usize| -> Option<u32> {
        Some(u32::from_le_bytes(tail.get(at..at.checked_add(4)?)?.try_into().ok()?))
    };
    let length = usize::try_from(word(tail.len().checked_sub(4)?)?).ok()?;
    let start = tail.len().checked_sub(length)?;
    if length < 32 || word(start)? != BLOCK_ENHANCED_PACKET || word(start + 4)? as usize != length {
        return None;
    }
    let nanos = (u64::from(word(start + 12)?) << 32) | u64::from(word(start + 16)?);
    Some(Timestamp::from_unix_nanos(i128::from(nanos)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange<'a>(request: &'a [u8], response: &'a [u8], second: i128) -> Exchange<'a> {
        Exchange {
            cpe: "192.0.2.7:50000".parse().unwrap(),
            acs: "192.0.2.1:7547".parse().unwrap(),
            request_time: Timestamp::from_unix_nanos(second * 1_000_000_000),
            response_time: Timestamp::from_unix_nanos(second * 1_000_000_000 + 5_000_000),
            request,
            response,
        }
    }

    #[test]
    fn headers_keep_no_secret_and_cookies_keep_their_pairing() {
        let mut recorder = Recorder::new(RecorderOptions::default());
        let request = b"POST /acs HTTP/1.1\r\nHost: acs\r\nAuthorization: Digest username=\"fleet\", response=\"0123abcd\"\r\nCookie: s=tok1; other=tok2\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbody\r\n0\r\n\r\n";
        let response =
            b"HTTP/1.1 200 OK\r\nSet-Cookie: s=tok1; Path=/; HttpOnly\r\nContent-Length: 0\r\n\r\n";
        let rewritten = String::from_utf8(recorder.rewrite(request, "request").unwrap().0).unwrap();
        assert_eq!(
            rewritten,
            "POST /acs HTTP/1.1\r\nHost: acs\r\nAuthorization: Digest ********\r\nCookie: s=redacted-1; other=redacted-2\r\nContent-Length: 4\r\n\r\nbody"
        );
        let rewritten =
            String::from_utf8(recorder.rewrite(response, "response").unwrap().0).unwrap();
        assert_eq!(
            rewritten,
            "HTTP/1.1 200 OK\r\nSet-Cookie: s=redacted-1; Path=/; HttpOnly\r\nContent-Length: 0\r\n\r\n"
        );
        let (no_content, _) =
            recorder.rewrite(b"HTTP/1.1 204 No Content\r\n\r\n", "response").unwrap();
        assert_eq!(no_content, b"HTTP/1.1 204 No Content\r\n\r\n");
        assert!(recorder.rewrite(b"\x16\x03\x01 not http", "request").is_err());
    }

    #[test]
    fn a_body_that_cannot_be_read_is_left_out() {
        let mut recorder = Recorder::new(RecorderOptions::default());
        let request = b"POST /acs HTTP/1.1\r\nContent-Encoding: br\r\nContent-Length: 3\r\n\r\nabc";
        let rewritten = String::from_utf8(recorder.rewrite(request, "request").unwrap().0).unwrap();
        assert!(rewritten.ends_with("masked\r\nContent-Length: 0\r\n\r\n"), "{rewritten}");
    }

    #[test]
    fn idle_connections_close_and_the_span_reads_back() {
        let mut recorder = Recorder::new(RecorderOptions {
            idle_close: Duration::from_secs(10),
            ..Default::default()
        });
        let request = b"POST /acs HTTP/1.1\r\nContent-Length: 0\r\n\r\n";
        let response = b"HTTP/1.1 204 No Content\r\n\r\n";
        let mut out = Vec::new();
        recorder.record(&exchange(request, response, 100), &mut out).unwrap();
        recorder.record(&exchange(request, response, 105), &mut out).unwrap();
        assert_eq!(recorder.open_connections(), 1);
        let before_idle = out.len();
        recorder.record(&exchange(request, response, 200), &mut out).unwrap();
        assert_eq!(recorder.open_connections(), 1);
        recorder.finish_file(Timestamp::from_unix_nanos(300_000_000_000), &mut out);
        assert_eq!(recorder.open_connections(), 0);
        assert!(out.len() > before_idle);
        assert_eq!(first_packet_time(&out), Some(Timestamp::from_unix_nanos(100_000_000_000)));
        assert_eq!(last_packet_time(&out), Some(Timestamp::from_unix_nanos(300_000_000_000)));
        assert_eq!(last_packet_time(&out[..out.len() - 1]), None);
    }

    #[test]
    fn connection_close_closes_the_connection_after_the_exchange() {
        let mut recorder = Recorder::new(RecorderOptions::default());
        let request =
            b"POST /acs HTTP/1.1\r\nConnection: keep-alive, Close\r\nContent-Length: 0\r\n\r\n";
        let response = b"HTTP/1.1 204 No Content\r\n\r\n";
        let mut out = Vec::new();
        recorder.record(&exchange(request, response, 100), &mut out).unwrap();
        assert_eq!(recorder.open_connections(), 0);
        let time = Timestamp::from_unix_nanos(100_005_000_000);
        assert_eq!(last_packet_time(&out), Some(time));
    }
}
