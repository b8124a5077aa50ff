//! HTTP exchanges → CWMP sessions → a timeline with conformance findings.
//!
//! A session is the run of exchanges that starts with the CPE's Inform and ends with the CPE's
//! empty POST answered by an empty response (normally 204). Sessions are tied together by the TCP
//! connection and, when a CPE reconnects, by the cookie the ACS set. Inputs without HTTP (pasted
//! envelopes) become one session, directions inferred from the message types.
//!
//! The JSON shape of [`Report`] is a contract used by scripts: `sessions[]` with `cpe`,
//! `messages[]` (`rpc`, `direction`, `time`, `diagnostics`) and `exchanges[]`.

pub mod conformance;
pub mod peek;

use crate::base::Timestamp;
use crate::base::{Diagnostic, Severity, Source};
use crate::capture::{
    self, Capture, CaptureError, Credentials, HttpMessage, InputKind, Options, TlsConnection,
    UdpConnectionRequest,
};
use crate::cwmp::{self, Envelope, Sender};
use peek::Peek;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

/// Who sent a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    CpeToAcs,
    AcsToCpe,
}

/// The CPE's identity, from its Inform's DeviceId.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cpe {
    pub manufacturer: String,
    pub oui: String,
    pub product_class: String,
    pub serial_number: String,
}

/// One SOAP message of a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionMessage {
    /// Element name of the method, e.g. `Inform`, `GetParameterValuesResponse`, `Fault`.
    pub rpc: String,
    pub direction: Direction,
    pub time: Option<Timestamp>,
    /// Milliseconds since the session started.
    pub offset_ms: Option<f64>,
    pub cwmp_id: Option<String>,
    pub hold_requests: Option<bool>,
    /// Connection id in the capture (absent for bare SOAP).
    pub connection: Option<u32>,
    /// From the HTTP layer, the codec, or a conformance rule (`source` says which).
    pub diagnostics: Vec<Diagnostic>,
    /// The ACS answered the HTTP request carrying this message with a 401 challenge: the CPE
    /// sends it again with credentials, and this copy takes no part in the session.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub challenged: bool,
    /// Credentials of the HTTP request that carried it (passwords masked unless revealed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credentials: Option<Credentials>,
    /// The decoded envelope, when the codec could decode it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub envelope: Option<Envelope>,
    #[serde(skip)]
    pub peek: Peek,
}

/// An HTTP message of a session that carries no SOAP: empty POST, 204, 401, …
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    /// `empty-post`, `session-end`, `auth-challenge`, `request`, `response`.
    pub kind: String,
    pub direction: Direction,
    pub time: Option<Timestamp>,
    /// `POST /acs` or `204 No Content`.
    pub summary: String,
    pub status: Option<u16>,
    pub connection: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credentials: Option<Credentials>,
    /// From the HTTP layer, the codec, or a conformance rule (`source` says which).
    pub diagnostics: Vec<Diagnostic>,
}

/// One CWMP session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub index: u32,
    /// The input it came from (set by hosts that decode several files).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub cpe: Option<Cpe>,
    pub cpe_address: Option<SocketAddr>,
    pub acs_address: Option<SocketAddr>,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    pub duration_ms: Option<f64>,
    /// Event codes of the Inform that opened it.
    pub events: Vec<String>,
    pub connections: Vec<u32>,
    /// True when it ended with an empty POST answered by an empty response.
    pub ended: bool,
    pub messages: Vec<SessionMessage>,
    pub exchanges: Vec<Exchange>,
    /// The conformance checker's findings: `code` is the rule (see [`conformance::rule`]),
    /// `location` the message at fault, when one is.
    pub findings: Vec<Diagnostic>,
    #[serde(skip)]
    cookies: Vec<(String, String)>,
    /// Names of cookies the ACS set that a later CPE request did not send back.
    #[serde(skip)]
    missing_cookies: Vec<String>,
    /// The device an ACS log named, for sessions whose Inform the log does not hold.
    #[serde(skip)]
    device_id: Option<String>,
}

/// An HTTP connection request (ACS → CPE GET) found in the input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HttpConnectionRequest {
    pub acs: Option<SocketAddr>,
    pub cpe: Option<SocketAddr>,
    pub time: Option<Timestamp>,
    pub target: String,
    /// Status codes of the CPE's answers (401 challenge, then 200/204).
    pub statuses: Vec<u16>,
    pub credentials: Option<Credentials>,
}

/// Everything the session layer derives from one input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub input: InputKind,
    pub sessions: Vec<Session>,
    pub connection_requests: Vec<HttpConnectionRequest>,
    pub udp_connection_requests: Vec<UdpConnectionRequest>,
    pub tls: Vec<TlsConnection>,
    pub comments: Vec<capture::Comment>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Decodes any input (capture, transcript, log, SOAP) into sessions.
pub fn analyze(input: &[u8], options: &Options) -> Result<Report, CaptureError> {
    let capture = capture::decode(input, options)?;
    Ok(from_capture(capture))
}

/// Groups a decoded capture into sessions and runs the conformance checker.
pub fn from_capture(capture: Capture) -> Report {
    let mut builder = Builder::default();
    let mut connection_requests = Vec::new();
    let mut diagnostics = capture.diagnostics;
    for connection in capture.connections {
        diagnostics.extend(connection.diagnostics.iter().cloned());
        if is_connection_request(&connection.messages) {
            connection_requests.push(connection_request(&connection));
            continue;
        }
        builder.connection(&connection);
    }
    if !capture.documents.is_empty() {
        builder.documents(&capture.documents);
    }
    let mut sessions = builder.finish();
    conformance::check(&mut sessions);
    Report {
        input: capture.kind,
        sessions,
        connection_requests,
        udp_connection_requests: capture.udp_connection_requests,
        tls: capture.tls,
        comments: capture.comments,
        diagnostics,
    }
}

fn is_connection_request(messages: &[HttpMessage]) -> bool {
    let requests: Vec<&HttpMessage> = messages.iter().filter(|m| m.is_request()).collect();
    !requests.is_empty()
        && requests.iter().all(|m| m.method() == Some("GET") && m.has_empty_body())
        && messages.iter().all(|m| !is_soap(&m.body))
}

fn connection_request(connection: &capture::Connection) -> HttpConnectionRequest {
    let first = connection.messages.iter().find(|m| m.is_request());
    HttpConnectionRequest {
        acs: connection.client,
        cpe: connection.server,
        time: first.and_then(|m| m.time),
        target: match first.map(|m| &m.start_line) {
            Some(capture::StartLine::Request { target, .. }) => target.clone(),
            _ => String::new(),
        },
        statuses: connection.messages.iter().filter_map(HttpMessage::status).collect(),
        credentials: connection.messages.iter().rev().find_map(|m| m.credentials.clone()),
    }
}

fn is_soap(body: &[u8]) -> bool {
    body.windows(8).any(|w| w == b"Envelope")
}

/// Direction of a message seen without HTTP context: from the schema's sender of its method,
/// and for what goes both ways (GetRPCMethods, faults) from the message before it.
pub fn infer_direction(rpc: &str, previous: Option<(&str, Direction)>) -> Direction {
    let flip = |d: Direction| match d {
        Direction::CpeToAcs => Direction::AcsToCpe,
        Direction::AcsToCpe => Direction::CpeToAcs,
    };
    let after_previous = || previous.map_or(Direction::CpeToAcs, |(_, d)| flip(d));
    match cwmp::method(rpc).map(|method| method.sender) {
        Some(Sender::Cpe) => Direction::CpeToAcs,
        Some(Sender::Acs) => Direction::AcsToCpe,
        Some(Sender::Either) => after_previous(),
        None if rpc == "Fault" => after_previous(),
        // A vendor method's response comes from the CPE, like the answers to the ACS's methods.
        None if rpc.ends_with("Response") => Direction::CpeToAcs,
        None => Direction::AcsToCpe,
    }
}

/// A SOAP body read once by the codec, with the facts of each envelope for sessions and
/// conformance: from the typed envelopes when they hold them all, else from a [`peek`] scan
/// (which also reads bodies the codec rejects).
struct DecodedBody {
    envelopes: Vec<Envelope>,
    diagnostics: Vec<Diagnostic>,
    problem: Option<String>,
    peeks: Vec<Peek>,
}

fn decode_body(body: &[u8]) -> DecodedBody {
    match cwmp::decode(body) {
        Ok(decoded) => {
            let peeks = peek::from_envelopes(&decoded.envelopes, &decoded.diagnostics)
                .unwrap_or_else(|| peek::peek(body));
            DecodedBody {
                envelopes: decoded.envelopes,
                diagnostics: decoded.diagnostics,
                problem: None,
                peeks,
            }
        }
        Err(error) => DecodedBody {
            envelopes: Vec::new(),
            diagnostics: Vec::new(),
            problem: Some(error.to_string()),
            peeks: peek::peek(body),
        },
    }
}

/// A decoded SOAP body as session messages: codec for the model, peek for the facts.
fn soap_messages(
    decoded: DecodedBody,
    direction_of: impl Fn(&str) -> Direction,
    time: Option<Timestamp>,
    connection: Option<u32>,
    http_diagnostics: &[Diagnostic],
    artefacts: &[&str],
) -> Vec<SessionMessage> {
    let DecodedBody { envelopes, diagnostics: codec_diagnostics, problem: codec_problem, peeks } =
        decoded;
    let count = peeks.len().max(envelopes.len()).max(1);
    let mut out = Vec::with_capacity(count.min(64));
    let mut peeks = peeks.into_iter();
    let mut envelopes = envelopes.into_iter();
    for index in 0..count {
        let peek = peeks.next().unwrap_or_default();
        let envelope = envelopes.next();
        let rpc = envelope
            .as_ref()
            .map(|e| e.message.name().to_string())
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| {
                if peek.rpc.is_empty() { "(unreadable)".into() } else { peek.rpc.clone() }
            });
        let mut diagnostics: Vec<Diagnostic> =
            if index == 0 { http_diagnostics.to_vec() } else { Vec::new() };
        if index == 0 {
            if let Some(problem) = &codec_problem {
                diagnostics.push(Diagnostic::new(
                    Severity::Error,
                    Source::Codec,
                    "codec-error",
                    problem.clone(),
                ));
            }
            // The codec reports per body; its diagnostics go with the first envelope.
            let real = codec_diagnostics.iter().filter(|d| !artefacts.contains(&&*d.code));
            diagnostics.extend(real.cloned());
        }
        out.push(SessionMessage {
            direction: direction_of(&rpc),
            cwmp_id: envelope
                .as_ref()
                .and_then(|e| e.header.id.clone())
                .or_else(|| peek.id.clone()),
            hold_requests: envelope
                .as_ref()
                .and_then(|e| e.header.hold_requests)
                .or(peek.hold_requests),
            rpc,
            time,
            offset_ms: None,
            connection,
            diagnostics,
            challenged: false,
            credentials: None,
            envelope,
            peek,
        });
    }
    out
}

#[derive(Debug, Default)]
struct Builder {
    sessions: Vec<Session>,
    /// Index in `sessions` of the session each open connection feeds.
    current: Option<usize>,
}

impl Builder {
    fn new_session(&mut self, connection: Option<u32>) -> usize {
        let index = self.sessions.len();
        self.sessions.push(Session {
            index: u32::try_from(index + 1).unwrap_or(u32::MAX),
            source: None,
            cpe: None,
            cpe_address: None,
            acs_address: None,
            start: None,
            end: None,
            duration_ms: None,
            events: Vec::new(),
            connections: connection.into_iter().collect(),
            ended: false,
            messages: Vec::new(),
            exchanges: Vec::new(),
            findings: Vec::new(),
            cookies: Vec::new(),
            missing_cookies: Vec::new(),
            device_id: None,
        });
        index
    }

    /// The session a request without an Inform continues: this connection's, or one whose cookie
    /// it presents (CPEs may reconnect within a session).
    fn session_for(&mut self, message: &HttpMessage, connection: u32) -> usize {
        if let Some(current) = self.current
            && let Some(session) = self.sessions.get(current)
            && !session.ended
        {
            return current;
        }
        let presented = message.cookies();
        if !presented.is_empty()
            && let Some(index) = self
                .sessions
                .iter()
                .rposition(|s| !s.ended && s.cookies.iter().any(|c| presented.contains(c)))
        {
            if let Some(session) = self.sessions.get_mut(index)
                && !session.connections.contains(&connection)
            {
                session.connections.push(connection);
            }
            return index;
        }
        self.new_session(Some(connection))
    }

    fn connection(&mut self, connection: &capture::Connection) {
        self.current = None;
        // Set once the CPE has sent its empty POST ("no more requests"); the ACS's next empty
        // response then ends the session.
        let mut cpe_done = false;
        for message in &connection.messages {
            let request = message.is_request();
            let direction = if request { Direction::CpeToAcs } else { Direction::AcsToCpe };
            let soap = is_soap(&message.body);
            let mut decoded = soap.then(|| decode_body(&message.body));
            let index = if request {
                let opens = decoded
                    .as_ref()
                    .and_then(|d| d.peeks.first())
                    .is_some_and(|p| p.rpc == "Inform");
                let index = if opens {
                    // An Inform retried after a 401 stays in the session it tried to open.
                    let keep = self.current.filter(|&i| {
                        self.sessions
                            .get(i)
                            .is_some_and(|s| !s.ended && s.messages.iter().all(|m| m.challenged))
                    });
                    keep.unwrap_or_else(|| self.new_session(Some(connection.id)))
                } else {
                    self.session_for(message, connection.id)
                };
                self.current = Some(index);
                index
            } else {
                match self.current {
                    Some(index) => index,
                    None => {
                        let index = self.new_session(Some(connection.id));
                        self.current = Some(index);
                        index
                    }
                }
            };
            let Some(session) = self.sessions.get_mut(index) else { continue };
            if let Some(time) = message.time {
                session.start = Some(session.start.map_or(time, |s| s.min(time)));
                session.end = Some(session.end.map_or(time, |e| e.max(time)));
            }
            session.cpe_address = session.cpe_address.or(connection.client);
            if session.device_id.is_none() {
                session.device_id.clone_from(&connection.device_id);
            }
            session.acs_address = session.acs_address.or(connection.server);
            if request {
                let presented = message.cookies();
                for (name, _) in &session.cookies {
                    if !presented.iter().any(|(n, _)| n == name)
                        && !session.missing_cookies.contains(name)
                    {
                        session.missing_cookies.push(name.clone());
                    }
                }
            }
            session.cookies.extend(message.set_cookies());
            if let Some(decoded) = decoded.take() {
                let messages = soap_messages(
                    decoded,
                    |_| direction,
                    message.time,
                    Some(connection.id),
                    &message.diagnostics,
                    capture::enodebd::artefacts_of(message),
                );
                session.messages.extend(messages.into_iter().map(|mut m| {
                    m.credentials.clone_from(&message.credentials);
                    m
                }));
            } else {
                let kind =
                    if request && message.method() == Some("POST") && message.has_empty_body() {
                        cpe_done = true;
                        "empty-post"
                    } else if !request && message.status() == Some(401) {
                        if let Some(last) = session
                            .messages
                            .iter_mut()
                            .rev()
                            .find(|m| m.direction == Direction::CpeToAcs)
                            .filter(|m| m.time <= message.time)
                        {
                            last.challenged = true;
                        }
                        "auth-challenge"
                    } else if !request
                        && cpe_done
                        && matches!(message.status(), Some(200 | 204))
                        && message.has_empty_body()
                    {
                        session.ended = true;
                        "session-end"
                    } else if request {
                        "request"
                    } else {
                        "response"
                    };
                if kind == "session-end" {
                    cpe_done = false;
                }
                session.exchanges.push(Exchange {
                    kind: kind.into(),
                    direction,
                    time: message.time,
                    summary: message.summary(),
                    status: message.status(),
                    connection: Some(connection.id),
                    credentials: message.credentials.clone(),
                    diagnostics: message.diagnostics.clone(),
                });
            }
        }
    }

    fn documents(&mut self, documents: &[capture::SoapDocument]) {
        let index = self.new_session(None);
        let Some(session) = self.sessions.get_mut(index) else { return };
        for document in documents {
            let previous = session.messages.last().map(|m| (m.rpc.clone(), m.direction));
            let messages = soap_messages(
                decode_body(&document.body),
                |rpc| infer_direction(rpc, previous.as_ref().map(|(r, d)| (r.as_str(), *d))),
                document.time,
                None,
                &[],
                &[],
            );
            for message in messages {
                if let Some(time) = message.time {
                    session.start = Some(session.start.map_or(time, |s| s.min(time)));
                    session.end = Some(session.end.map_or(time, |e| e.max(time)));
                }
                session.messages.push(message);
            }
        }
    }

    fn finish(mut self) -> Vec<Session> {
        self.sessions.retain(|s| !s.messages.is_empty() || !s.exchanges.is_empty());
        self.sessions.sort_by_key(|s| s.start);
        for (index, session) in self.sessions.iter_mut().enumerate() {
            session.index = u32::try_from(index + 1).unwrap_or(u32::MAX);
            if let Some(inform) = session.messages.iter().find(|m| m.rpc == "Inform") {
                let from_codec = inform.envelope.as_ref().and_then(|e| match &e.message {
                    cwmp::Message::Inform(i) => Some(Cpe {
                        manufacturer: i.device_id.manufacturer.clone(),
                        oui: i.device_id.oui.clone(),
                        product_class: i.device_id.product_class.clone(),
                        serial_number: i.device_id.serial_number.clone(),
                    }),
                    _ => None,
                });
                let p = &inform.peek;
                session.cpe = from_codec.or_else(|| {
                    Some(Cpe {
                        manufacturer: p.manufacturer.clone().unwrap_or_default(),
                        oui: p.oui.clone().unwrap_or_default(),
                        product_class: p.product_class.clone().unwrap_or_default(),
                        serial_number: p.serial_number.clone().unwrap_or_default(),
                    })
                });
                session.events.clone_from(&p.event_codes);
            } else if let Some((oui, product_class, serial_number)) =
                session.device_id.as_deref().and_then(capture::genieacs::split_device_id)
            {
                session.cpe =
                    Some(Cpe { manufacturer: String::new(), oui, product_class, serial_number });
            }
            if let (Some(start), Some(end)) = (session.start, session.end) {
                session.duration_ms = Some(start.millis_until(end));
            }
            let start = session.start;
            for message in &mut session.messages {
                message.offset_ms = start.zip(message.time).map(|(s, t)| s.millis_until(t));
            }
        }
        self.sessions
    }
}
