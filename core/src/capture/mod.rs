//! Captures and logs → HTTP messages on TCP connections.
//!
//! The layers, bottom up:
//! - [`file`]: pcap / pcapng records → link-layer frames with timestamps;
//! - [`link`]: link layer (Ethernet, VLAN, SLL, SLL2, raw IP, BSD loopback) → IP → TCP/UDP, with
//!   IPv4/IPv6 fragment reassembly;
//! - [`tcp`]: TCP reassembly into per-direction byte runs (gaps reported, memory bounded);
//! - [`http`]: HTTP/1.x framing by content, on any port;
//! - [`text`]: pasted SOAP, HTTP transcripts, `curl -v`, follow-stream text, hex dumps, base64;
//! - [`enodebd`] (with [`pyliteral`]) and [`genieacs`]: ACS debug logs → rebuilt HTTP exchanges.
//!
//! Everything is sans-IO: [`decode`] takes bytes and returns a [`Capture`]. Time comes from the
//! packet timestamps only.

pub mod enodebd;
pub mod file;
pub mod fuzzing;
pub mod genieacs;
pub mod http;
pub mod link;
pub mod pyliteral;
pub mod replicate;
pub mod tcp;
pub mod text;

pub use http::{Credentials, HttpHeader, HttpMessage, StartLine};

use crate::base::Timestamp;
use crate::cwmp::Severity;
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

/// Which protocol layer an error or diagnostic comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layer {
    Detect,
    Pcap,
    Pcapng,
    Link,
    Ip,
    Tcp,
    Udp,
    Tls,
    Http,
    Text,
}

/// Input that cannot be read at all (wrong magic, a block that cannot be framed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{layer:?} at byte {offset}: {message}")]
pub struct CaptureError {
    pub layer: Layer,
    /// Byte offset in the input where the problem is.
    pub offset: usize,
    pub message: String,
}

/// An oddity met while decoding a capture; decoding went on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureDiagnostic {
    pub severity: Severity,
    /// Stable kebab-case identifier, e.g. `tcp-gap`, `content-length-mismatch`.
    pub code: String,
    pub message: String,
    pub layer: Layer,
    /// Byte offset in the input file, when the oddity is tied to one place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<usize>,
}

impl CaptureDiagnostic {
    pub fn new(severity: Severity, layer: Layer, code: &str, message: impl Into<String>) -> Self {
        Self { severity, code: code.into(), message: message.into(), layer, offset: None }
    }

    pub fn at(mut self, offset: usize) -> Self {
        self.offset = Some(offset);
        self
    }
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
        }
    }
}

fn default_max_pending_bytes_total() -> usize {
    32 * 1024 * 1024
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
    pub diagnostics: Vec<CaptureDiagnostic>,
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
    pub diagnostics: Vec<CaptureDiagnostic>,
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
    decode_at_depth(input, options, 0)
}

/// Hex dumps and base64 unwrap to another input; the depth stops a dump of a dump of … from looping.
pub(crate) fn decode_at_depth(
    input: &[u8],
    options: &Options,
    depth: u8,
) -> Result<Capture, CaptureError> {
    let kind = match options.kind.or_else(|| detect(input)) {
        Some(kind) => kind,
        None => {
            return Err(CaptureError {
                layer: Layer::Detect,
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
            Ok(link::analyze(kind, frames, options))
        }
        _ => text::decode(kind, input, options, depth),
    }
}

pub(crate) fn ip_port(addr: IpAddr, port: u16) -> SocketAddr {
    SocketAddr::new(addr, port)
}
