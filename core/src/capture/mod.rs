//! Captures and logs → HTTP messages on TCP connections.
//!
//! The layers, bottom up:
//! - [`file`]: pcap / pcapng records → link-layer frames with timestamps;
//! - [`link`]: link layer (Ethernet, VLAN, SLL, SLL2, raw IP, BSD loopback) → IP → TCP/UDP, with
//!   IPv4/IPv6 fragment reassembly;
//! - [`tcp`]: TCP reassembly into per-direction byte runs (gaps reported, memory bounded);
//! - [`http`]: HTTP/1.x framing by content, on any port;
//! - [`text`]: pasted SOAP, HTTP transcripts, `curl -v`, follow-stream text, hex dumps, base64;
//! - [`enodebd`] (with [`pyliteral`]) and [`genieacs`]: ACS debug logs → rebuilt HTTP exchanges;
//! - [`record`]: the other way, HTTP exchanges → a pcapng capture (the relay's recordings).
//!
//! Everything is sans-IO: [`decode`] takes bytes and returns a [`Capture`]. Time comes from the
//! packet timestamps only.

pub mod enodebd;
pub mod file;
pub mod genieacs_log;
pub mod http;
pub mod link;
pub mod pyliteral;
pub mod record;
pub mod replicate;
pub mod tcp;
pub mod text;

pub use http::{Credentials, HeadText, HttpHeader, HttpMessage, StartLine};

use crate::base::{Diagnostic, Source, Timestamp};
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, SocketAddr};

/// The kinds of input [`decode`] understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    Pcap,
    Pcapng,
    /// One or more bare SOAP envelopes.
    Soap,
    /// HTTP messages as text: raw transcripts, Wireshark "Follow TCP/HTTP stream".
    HttpTranscript,
    /// The output of `curl -v`.
    CurlVerbose,
    /// A log that embeds SOAP envelopes somewhere in its text (found by a generic scan).
    Log,
    /// A magma enodebd debug log (`Handling/Sending TR069 message: Name {python dict}`).
    EnodebdLog,
    /// A GenieACS debug log (`GENIEACS_DEBUG_FILE`), YAML or JSON records.
    GenieacsLog,
    /// `tcpdump -xx/-X`, Wireshark hex dump, `xxd`/`od` of a capture file.
    HexDump,
    /// A capture file in base64.
    Base64,
}

/// Input that cannot be read at all (wrong magic, a block that cannot be framed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{layer:?} at byte {offset}: {message}")]
pub struct CaptureError {
    pub layer: Source,
    /// Byte offset in the input where the problem is.
    pub offset: usize,
    pub message: String,
}

/// Caps that protect the decoder from hostile or huge input. Callers may change them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// A record or block claiming more than this is an error (snaplens of 4 GiB exist in the wild).
    pub max_frame_bytes: usize,
    /// Out-of-order bytes held per TCP direction before the hole is declared a gap.
    pub max_pending_bytes_per_direction: usize,
    /// Out-of-order bytes held across all connections at once; beyond it, the direction holding
    /// the most has its holes declared gaps early (`tcp-memory-cap`).
    #[serde(default = "default_max_pending_bytes_total")]
    pub max_pending_bytes_total: usize,
    /// Incomplete IP datagrams kept for fragment reassembly at once.
    pub max_fragment_sets: usize,
    /// A decompressed HTTP body larger than this is cut (and said so).
    pub max_decoded_body_bytes: usize,
    /// HTTP headers per message.
    pub max_headers: usize,
    /// What all decompressed bodies and expanded dump repeats of one input may add up to: this
    /// fixed allowance (2 MiB) plus [`Limits::max_inflation_ratio`] (32) times the input's size,
    /// and never more than [`Limits::max_inflated_bytes_total`] (128 MiB). Past it, bodies are
    /// kept as sent (`inflate-budget-spent`); the rest of the input is still read.
    #[serde(default = "default_inflated_bytes_allowance")]
    pub inflated_bytes_allowance: usize,
    #[serde(default = "default_max_inflation_ratio")]
    pub max_inflation_ratio: usize,
    #[serde(default = "default_max_inflated_bytes_total")]
    pub max_inflated_bytes_total: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_frame_bytes: 256 * 1024,
            max_pending_bytes_per_direction: 4 * 1024 * 1024,
            max_pending_bytes_total: default_max_pending_bytes_total(),
            max_fragment_sets: 1024,
            max_decoded_body_bytes: 64 * 1024 * 1024,
            max_headers: 128,
            inflated_bytes_allowance: default_inflated_bytes_allowance(),
            max_inflation_ratio: default_max_inflation_ratio(),
            max_inflated_bytes_total: default_max_inflated_bytes_total(),
        }
    }
}

impl Limits {
    /// The bytes decompression may produce for an input of `input_len` bytes, all bodies together.
    pub fn inflate_budget(&self, input_len: usize) -> usize {
        self.max_inflation_ratio
            .saturating_mul(input_len)
            .saturating_add(self.inflated_bytes_allowance)
            .min(self.max_inflated_bytes_total)
    }
}

fn default_max_pending_bytes_total() -> usize {
    32 * 1024 * 1024
}

/// A small paste or capture may hold one large compressed body (a whole TR-181 tree is 1–2 MB).
fn default_inflated_bytes_allowance() -> usize {
    2 * 1024 * 1024
}

/// A whole data-model tree as SOAP shrinks 20–25× under gzip (the corpus dumps: 22× and 24×);
/// a capture of such bodies, with its headers and other messages, a little less. Past this the
/// input is a bomb, not traffic.
fn default_max_inflation_ratio() -> usize {
    32
}

fn default_max_inflated_bytes_total() -> usize {
    128 * 1024 * 1024
}

/// What decoding one input cost in the places where hostile input could make it cost more than
/// its size: the bytes decompression produced, the out-of-order TCP bytes held, and the bytes the
/// text searches looked at behind the point they had reached. Tests assert on these.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// What decompression was allowed to produce for this input ([`Limits::inflate_budget`]).
    pub inflate_budget: u64,
    /// Bytes produced by undoing gzip/deflate content coding and by expanding `*` dump lines.
    pub inflated_bytes: u64,
    /// Compressed bodies kept as sent because the inflation budget was spent.
    pub bodies_left_compressed: u64,
    /// The most out-of-order TCP bytes held at one time, across all connections.
    pub peak_out_of_order_bytes: u64,
    /// Out-of-order TCP bytes whose holes the global cap declared gaps early.
    pub out_of_order_bytes_capped: u64,
    /// Bytes the envelope finder looked at behind the point it had reached (bounded per envelope).
    pub lookbehind_bytes: u64,
}

impl Stats {
    pub(crate) fn for_input(limits: &Limits, input_len: usize) -> Self {
        Stats { inflate_budget: limits.inflate_budget(input_len) as u64, ..Stats::default() }
    }

    /// How many more bytes decompression may produce.
    pub(crate) fn inflate_left(&self) -> usize {
        usize::try_from(self.inflate_budget.saturating_sub(self.inflated_bytes)).unwrap_or(0)
    }
}

/// How to decode: the kind (auto-detected when `None`), limits, and whether to show secrets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Options {
    pub kind: Option<InputKind>,
    pub limits: Limits,
    /// Show passwords found in Authorization headers instead of masking them.
    pub reveal_secrets: bool,
}

/// A TCP (or synthetic, for text inputs) connection and the HTTP messages on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    pub id: u32,
    /// The side that opened the connection or sent the first HTTP request.
    pub client: Option<SocketAddr>,
    pub server: Option<SocketAddr>,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    /// Requests (client → server) and responses (server → client), in the order they began.
    pub messages: Vec<HttpMessage>,
    pub diagnostics: Vec<Diagnostic>,
    /// The device an ACS log names for this connection (GenieACS's `OUI-ProductClass-Serial`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
}

/// A TLS connection: listed, not decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsConnection {
    pub client: SocketAddr,
    pub server: SocketAddr,
    pub start: Option<Timestamp>,
    /// Server name from the ClientHello, when present.
    pub sni: Option<String>,
    pub note: String,
}

/// A UDP datagram that looks like a TR-111 connection request (`GET http://…?ts=…&id=…`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UdpConnectionRequest {
    pub source: SocketAddr,
    pub destination: SocketAddr,
    pub time: Option<Timestamp>,
    /// The request line, e.g. `GET http://10.0.0.1:7547?ts=…&id=…&un=…&cn=…&sig=… HTTP/1.1`.
    pub request_line: String,
    pub username: Option<String>,
}

/// A pcapng comment and where it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// `section`, `interface` or `packet`.
    pub scope: String,
    /// Frame number (1-based) for packet comments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame: Option<u64>,
    pub text: String,
}

/// Everything decoded from one input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Capture {
    pub kind: InputKind,
    pub frames: u64,
    pub connections: Vec<Connection>,
    pub tls: Vec<TlsConnection>,
    pub udp_connection_requests: Vec<UdpConnectionRequest>,
    pub comments: Vec<Comment>,
    /// SOAP envelopes found with no HTTP around them (pasted envelopes, logs).
    pub documents: Vec<SoapDocument>,
    pub diagnostics: Vec<Diagnostic>,
    /// What the decode cost (bytes inflated and held).
    #[serde(default)]
    pub stats: Stats,
}

/// A SOAP envelope found in a text input without HTTP context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SoapDocument {
    /// Byte offset of the envelope in the input.
    pub offset: usize,
    /// A time found on the log line that introduces the envelope, if any.
    pub time: Option<Timestamp>,
    #[serde(skip)]
    pub body: Vec<u8>,
}

impl Capture {
    pub(crate) fn empty(kind: InputKind) -> Self {
        Self {
            kind,
            frames: 0,
            connections: Vec::new(),
            tls: Vec::new(),
            udp_connection_requests: Vec::new(),
            comments: Vec::new(),
            documents: Vec::new(),
            diagnostics: Vec::new(),
            stats: Stats::default(),
        }
    }
}

/// Guesses what `input` is from its first bytes and its text shape.
pub fn detect(input: &[u8]) -> Option<InputKind> {
    if file::is_pcap(input) {
        return Some(InputKind::Pcap);
    }
    if file::is_pcapng(input) {
        return Some(InputKind::Pcapng);
    }
    text::detect(input)
}

/// Decodes any supported input into connections and HTTP messages.
pub fn decode(input: &[u8], options: &Options) -> Result<Capture, CaptureError> {
    let mut stats = Stats::for_input(&options.limits, input.len());
    let mut capture = decode_at_depth(input, options, 0, &mut stats)?;
    capture.stats = stats;
    Ok(capture)
}

/// Hex dumps and base64 unwrap to another input; the depth stops a dump of a dump of … from looping.
pub(crate) fn decode_at_depth(
    input: &[u8],
    options: &Options,
    depth: u8,
    stats: &mut Stats,
) -> Result<Capture, CaptureError> {
    let kind = match options.kind.or_else(|| detect(input)) {
        Some(kind) => kind,
        None => {
            return Err(CaptureError {
                layer: Source::Detect,
                offset: 0,
                message: "not a pcap, pcapng, SOAP envelope, HTTP transcript, hex dump or base64 \
                          capture"
                    .into(),
            });
        }
    };
    match kind {
        InputKind::Pcap | InputKind::Pcapng => {
            let frames = file::read_frames(input, &options.limits)?;
            Ok(link::analyze(kind, frames, options, stats))
        }
        _ => text::decode(kind, input, options, depth, stats),
    }
}

pub(crate) fn ip_port(addr: IpAddr, port: u16) -> SocketAddr {
    SocketAddr::new(addr, port)
}
