//! HTTP exchanges → CWMP sessions → a timeline with conformance findings.
//!
//! A session is the run of exchanges that starts with the CPE's Inform and ends with the CPE's
//! empty POST answered by an empty response (normally 204). Sessions are tied together by the TCP
//! connection and, when a CPE reconnects, by the cookie the ACS set. Inputs without HTTP (pasted
//! envelopes) become one session, directions inferred from the message types.
//!
//! The JSON shape of [`Report`] is a contract used by scripts: `sessions[]` with `cpe`,
//! `messages[]` (`rpc`, `direction`, `time`, `diagnostics`) and `exchanges[]`.
//!
//! Each SOAP body is read once, by the codec: what sessions and the conformance checker know of a
//! message comes from its typed envelope and the codec's diagnostics. [`Sessions`] builds sessions
//! connection by connection and hands each out, numbered and checked, once it is final (ended, and
//! no session still open or yet to come can start before it), so that a streaming reader
//! ([`crate::pipeline`]) holds only the sessions in progress.

pub mod conformance;
pub mod query;
pub mod raw;

use crate::base::Timestamp;
use crate::base::{Diagnostic, Severity, Source};
use crate::capture::{
    self, Capture, Credentials, HttpMessage, InputKind, TlsConnection, UdpConnectionRequest,
};
use crate::cwmp::{self, Envelope, Sender};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
use std::net::SocketAddr;

/// Who sent a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    CpeToAcs,
    AcsToCpe,
}

impl Direction {
    /// The arrow every view and report writes before a message's name.
    pub fn arrow(self) -> &'static str {
        match self {
            Direction::CpeToAcs => "CPE → ACS",
            Direction::AcsToCpe => "ACS → CPE",
        }
    }
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
    /// Element name of the method, e.g. `Inform`, `GetParameterValuesResponse`, `Fault`: borrowed
    /// from the schema for every method it has (no copy per message), owned for the others.
    pub rpc: Cow<'static, str>,
    pub direction: Direction,
    pub time: Option<Timestamp>,
    /// Milliseconds since the session started.
    pub offset_ms: Option<f64>,
    /// The envelope's `ID`, sharing its body.
    pub cwmp_id: Option<cwmp::Text>,
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
    /// Where the codec stopped, for a body it could not read (its `codec-error` diagnostic says
    /// the same in words): the position is in the body as sent. Kept so that a viewer shows where
    /// a pasted envelope breaks without decoding it again.
    #[serde(skip)]
    pub codec_error: Option<cwmp::DecodeError>,
    /// What the codec said about the body that bears on conformance.
    #[serde(skip)]
    pub(crate) facts: CodecFacts,
    /// The message as it was sent, for a raw view (not in the JSON: the envelope says it all).
    #[serde(skip)]
    pub raw: Raw,
}

/// A message as it was on the wire: the HTTP head and the body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Raw {
    /// The start line and headers, passwords masked unless revealed; `None` without HTTP.
    pub head: Option<String>,
    /// The body as text: the copy the decoded names and values share, so keeping it costs
    /// nothing (a body the codec rejects is kept as read, invalid UTF-8 replaced).
    pub body: arcstr::ArcStr,
}

/// The codec's diagnostics that conformance rules restate, kept with their element paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CodecFacts {
    /// `(array element path, codec message)` of every arrayType whose count is wrong.
    pub(crate) array_mismatches: Vec<(String, String)>,
    /// The codec's words when the method element is in a namespace that is not CWMP's.
    pub(crate) foreign_namespace: Option<String>,
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
    /// The CPE has sent its empty POST ("no more requests"): the ACS's next empty response ends
    /// the session, on whichever connection it comes (a session continued by its cookie spans
    /// several).
    #[serde(skip)]
    cpe_done: bool,
}

/// An HTTP connection request (ACS → CPE GET) found in the input. An ACS that answers the CPE's
/// 401 on a new connection (the relay, GenieACS) sends two GETs for one request: they are one
/// here (see [`CHALLENGE_ANSWER_WINDOW_MS`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HttpConnectionRequest {
    /// The ACS's end of the (first) connection.
    pub acs: Option<SocketAddr>,
    pub cpe: Option<SocketAddr>,
    /// When the first GET was sent.
    pub time: Option<Timestamp>,
    pub target: String,
    /// Status codes of the CPE's answers (401 challenge, then 200/204).
    pub statuses: Vec<u16>,
    /// Those of the last GET that carried any.
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

/// Groups a decoded capture into sessions and runs the conformance checker.
pub fn from_capture(capture: Capture) -> Report {
    let mut sessions = Sessions::default();
    for connection in capture.connections {
        sessions.connection(connection);
    }
    if !capture.documents.is_empty() {
        sessions.documents(&capture.documents);
    }
    let tail = sessions.finish();
    let mut diagnostics = capture.diagnostics;
    diagnostics.extend(tail.diagnostics);
    Report {
        input: capture.kind,
        sessions: tail.sessions,
        connection_requests: tail.connection_requests,
        udp_connection_requests: capture.udp_connection_requests,
        tls: capture.tls,
        comments: capture.comments,
        diagnostics,
    }
}

/// How long (capture time) after its last message a session that did not end may still be
/// continued by its CPE reconnecting with the ACS's cookie.
pub const CONTINUATION_WINDOW_MS: u32 = 60_000;

/// A connection with each SOAP body read by the codec: the costly, independent half of building
/// sessions, which a host may run on other threads ([`crate::pipeline::Job`]); [`Sessions::add`]
/// does the rest, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedConnection {
    connection: capture::Connection,
    /// The SOAP messages of all its HTTP messages, in order: one list per connection, not one
    /// per HTTP message.
    soap: Vec<SessionMessage>,
    /// Per HTTP message, how many of `soap` are its own (`None` when it carries no SOAP).
    soap_counts: Vec<Option<usize>>,
    connection_request: bool,
}

impl DecodedConnection {
    pub fn new(connection: capture::Connection) -> Self {
        if is_connection_request(&connection.messages) {
            return Self {
                connection,
                soap: Vec::new(),
                soap_counts: Vec::new(),
                connection_request: true,
            };
        }
        let mut soap = Vec::new();
        let soap_counts = connection
            .messages
            .iter()
            .enumerate()
            .map(|(index, message)| {
                let direction =
                    if message.is_request() { Direction::CpeToAcs } else { Direction::AcsToCpe };
                is_soap(&message.body).then(|| {
                    if soap.capacity() == 0 {
                        // Room for one SOAP message per HTTP message left, the usual case, so
                        // that the list does not grow message by message.
                        soap.reserve_exact(connection.messages.len() - index);
                    }
                    soap_messages(
                        &message.body,
                        Some(message.head_text()),
                        |_| direction,
                        message.time,
                        Some(connection.id),
                        &message.diagnostics,
                        capture::enodebd::artefacts_of(message),
                        &mut soap,
                    )
                })
            })
            .collect();
        Self { connection, soap, soap_counts, connection_request: false }
    }
}

/// Sessions built from connections as they come, handed out in the order they start once final.
#[derive(Debug, Default)]
pub struct Sessions {
    builder: Builder,
    /// CommandKeys of the Download/Upload requests seen so far, per CPE serial number: the
    /// conformance checker's memory across sessions.
    transfers: HashMap<String, Vec<String>>,
    released: u32,
    messages: usize,
    connection_requests: Vec<HttpConnectionRequest>,
    diagnostics: Vec<Diagnostic>,
}

/// What [`Sessions::finish`] leaves: the last sessions and what is not a session.
#[derive(Debug, Default)]
pub struct SessionsTail {
    pub sessions: Vec<Session>,
    pub connection_requests: Vec<HttpConnectionRequest>,
    /// The connections' own diagnostics (TCP gaps, unparsed bytes, …), in the order they came.
    pub diagnostics: Vec<Diagnostic>,
}

impl Sessions {
    /// One connection's HTTP messages: into sessions, or listed as a connection request.
    pub fn connection(&mut self, connection: capture::Connection) {
        self.add(DecodedConnection::new(connection));
    }

    /// A connection whose SOAP bodies are decoded already (see [`DecodedConnection::new`]).
    pub fn add(&mut self, mut decoded: DecodedConnection) {
        // Moved, not copied: the sessions read a connection's messages, never its diagnostics.
        self.diagnostics.append(&mut decoded.connection.diagnostics);
        if decoded.connection_request {
            self.connection_requests.push(connection_request(&decoded.connection));
            return;
        }
        self.messages += self.builder.connection(decoded);
    }

    /// SOAP envelopes found without HTTP (pasted text, logs): one session, directions inferred.
    pub fn documents(&mut self, documents: &[capture::SoapDocument]) {
        self.messages += self.builder.documents(documents);
    }

    /// SOAP messages put into sessions so far.
    pub fn messages_found(&self) -> usize {
        self.messages
    }

    /// Sessions handed out so far plus those in progress.
    pub fn sessions_found(&self) -> usize {
        self.released as usize + self.builder.sessions.iter().filter(|s| !s.is_empty()).count()
    }

    /// The sessions that are final and start no later than `horizon` (the earliest time at which
    /// a session not built yet could start), in the order they start, numbered and checked.
    /// `now` is the time the input has reached: a session that did not end is final once no
    /// reconnecting CPE can continue it.
    pub fn release(&mut self, now: Option<Timestamp>, horizon: Option<Timestamp>) -> Vec<Session> {
        let is_final = |s: &Session| {
            s.ended
                || s.cookies.is_empty()
                || s.end
                    .zip(now)
                    .is_some_and(|(end, now)| end.millis_until(now) > CONTINUATION_WINDOW_MS as f64)
        };
        if !self.builder.sessions.iter().any(is_final) {
            return Vec::new();
        }
        let open = self.builder.sessions.iter().filter(|s| !is_final(s)).map(|s| s.start).min();
        let limit = open.map_or(horizon, |open| open.min(horizon));
        self.release_where(|s| is_final(s) && s.start <= limit)
    }

    /// Everything still held: the end of the input.
    pub fn finish(mut self) -> SessionsTail {
        let sessions = self.release_where(|_| true);
        SessionsTail {
            sessions,
            connection_requests: join_answered_challenges(self.connection_requests),
            diagnostics: self.diagnostics,
        }
    }

    fn release_where(&mut self, ready: impl Fn(&Session) -> bool) -> Vec<Session> {
        let (mut out, kept): (Vec<Session>, Vec<Session>) =
            std::mem::take(&mut self.builder.sessions).into_iter().partition(|s| ready(s));
        self.builder.sessions = kept;
        out.retain(|s| !s.is_empty());
        // Stable: sessions that start together keep the order they were opened in.
        out.sort_by_key(|s| s.start);
        for session in &mut out {
            self.released += 1;
            session.index = self.released;
            finalize(session);
            conformance::check_session(session, &mut self.transfers);
        }
        out
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
            Some(capture::StartLine::Request { target, .. }) => target.to_string(),
            _ => String::new(),
        },
        statuses: connection.messages.iter().filter_map(HttpMessage::status).collect(),
        credentials: connection.messages.iter().rev().find_map(|m| m.credentials.clone()),
    }
}

/// How soon after a connection request's 401 a GET with credentials to the same CPE and target,
/// from the same ACS host, is taken for the answer to it: a client answers a challenge at once.
pub const CHALLENGE_ANSWER_WINDOW_MS: u32 = 10_000;

/// The connection requests, each challenge (a GET answered with 401) joined with the GET that
/// answers it on a connection of its own (statuses `[401, 200]`), in the order they came;
/// a request that answers no challenge stays as it is.
fn join_answered_challenges(requests: Vec<HttpConnectionRequest>) -> Vec<HttpConnectionRequest> {
    let mut in_time_order: Vec<usize> = (0..requests.len()).collect();
    in_time_order.sort_by_key(|&i| requests[i].time);
    // The request each one is part of: itself, or the first of the challenges it answers.
    let mut part_of: Vec<usize> = (0..requests.len()).collect();
    // Per (ACS host, CPE, target), the request whose last answer was a 401, and when it was sent.
    let mut challenged = HashMap::new();
    for &i in &in_time_order {
        let request = &requests[i];
        let key = (request.acs.map(|acs| acs.ip()), request.cpe, request.target.as_str());
        if request.credentials.is_some()
            && let Some(&(first, sent)) = challenged.get(&key)
            && answered_soon(sent, request.time)
        {
            part_of[i] = first;
        }
        if request.statuses.last() == Some(&401) {
            challenged.insert(key, (part_of[i], request.time));
        } else {
            challenged.remove(&key);
        }
    }
    if part_of.iter().enumerate().all(|(i, &first)| i == first) {
        return requests;
    }
    let mut slots: Vec<Option<HttpConnectionRequest>> = requests.into_iter().map(Some).collect();
    for &i in &in_time_order {
        if part_of[i] == i {
            continue;
        }
        if let Some(answer) = slots[i].take()
            && let Some(Some(first)) = slots.get_mut(part_of[i])
        {
            first.statuses.extend(answer.statuses);
            if answer.credentials.is_some() {
                first.credentials = answer.credentials;
            }
        }
    }
    slots.into_iter().flatten().collect()
}

fn answered_soon(challenge: Option<Timestamp>, answer: Option<Timestamp>) -> bool {
    match (challenge, answer) {
        (Some(challenge), Some(answer)) => {
            challenge.millis_until(answer) <= f64::from(CHALLENGE_ANSWER_WINDOW_MS)
        }
        // An input without times (a transcript) lists them in the order they were sent.
        (None, None) => true,
        _ => false,
    }
}

fn is_soap(body: &[u8]) -> bool {
    memchr::memmem::find(body, b"Envelope").is_some()
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

/// The method a body the codec could not read was about: the element under `Body` on the path
/// where the codec stopped.
fn method_of_failure(error: &cwmp::DecodeError) -> Option<&str> {
    let mut names = error.path.split('/');
    names.find(|name| *name == "Body")?;
    names.next().filter(|name| !name.is_empty())
}

/// One SOAP body, read once by the codec, as session messages added to `out`: one per envelope
/// (one for a body the codec rejects); returns how many. The HTTP diagnostics and the codec's go
/// with the first.
#[allow(clippy::too_many_arguments)] // one call per kind of input; a struct would only rename them
fn soap_messages(
    body: &[u8],
    head: Option<String>,
    direction_of: impl Fn(&str) -> Direction,
    time: Option<Timestamp>,
    connection: Option<u32>,
    http_diagnostics: &[Diagnostic],
    artefacts: &[&str],
    out: &mut Vec<SessionMessage>,
) -> usize {
    let (envelopes, codec_diagnostics, failure, text) = match cwmp::decode(body) {
        Ok(decoded) => (decoded.envelopes, decoded.diagnostics, None, decoded.text),
        // The codec's own text of the body when it read that far: a body it gave up on is
        // not read again (a gzip bomb's is tens of megabytes).
        Err(mut error) if !error.text.is_empty() || body.is_empty() => {
            let text = std::mem::take(&mut error.text);
            (Vec::new(), Vec::new(), Some(error), text)
        }
        Err(error) => {
            let text = arcstr::ArcStr::from(String::from_utf8_lossy(body).as_ref());
            (Vec::new(), Vec::new(), Some(error), text)
        }
    };
    let raw = Raw { head, body: text };
    // Exactly the room needed: most messages have no diagnostic, and then no allocation.
    let mut first = Vec::with_capacity(
        http_diagnostics.len() + codec_diagnostics.len() + usize::from(failure.is_some()),
    );
    first.extend_from_slice(http_diagnostics);
    let mut facts = CodecFacts::default();
    if let Some(error) = &failure {
        first.push(Diagnostic::new(
            Severity::Error,
            Source::Codec,
            "codec-error",
            error.to_string(),
        ));
    }
    // The codec reports per body; its diagnostics go with the first envelope.
    for d in codec_diagnostics.into_iter().filter(|d| !artefacts.contains(&&*d.code)) {
        let path = d.location.path().unwrap_or_default();
        match &*d.code {
            "array-type-count-mismatch" => {
                facts.array_mismatches.push((path.to_string(), d.message.clone()));
            }
            "unknown-namespace" if facts.foreign_namespace.is_none() => {
                let method = envelopes.first().map(|e| e.message.name()).unwrap_or_default();
                if path.rsplit('/').next() == Some(method) {
                    facts.foreign_namespace = Some(d.message.clone());
                }
            }
            _ => {}
        }
        first.push(d);
    }
    let message = |envelope: Option<Envelope>, diagnostics, facts, raw: Raw| {
        let rpc = match &envelope {
            Some(envelope) => match envelope.message.static_name() {
                Some(name) => Cow::Borrowed(name),
                None => Cow::Owned(envelope.message.name().to_owned()),
            },
            None => match failure.as_ref().and_then(method_of_failure) {
                Some(method) => Cow::Owned(method.to_owned()),
                None => Cow::Borrowed("(unreadable)"),
            },
        };
        SessionMessage {
            direction: direction_of(&rpc),
            cwmp_id: envelope.as_ref().and_then(|e| e.header.id.clone()),
            hold_requests: envelope.as_ref().and_then(|e| e.header.hold_requests),
            rpc,
            time,
            offset_ms: None,
            connection,
            diagnostics,
            challenged: false,
            credentials: None,
            codec_error: if envelope.is_none() { failure.clone() } else { None },
            envelope,
            facts,
            raw,
        }
    };
    if envelopes.is_empty() {
        out.push(message(None, first, facts, raw));
        return 1;
    }
    let count = envelopes.len();
    out.reserve(count);
    let mut first = Some((first, facts));
    // The last envelope (usually the only one) takes the raw message; the others get a copy.
    let last = envelopes.len() - 1;
    let mut raw = Some(raw);
    for (i, envelope) in envelopes.into_iter().enumerate() {
        let (diagnostics, facts) = first.take().unwrap_or_default();
        let raw = if i == last { raw.take() } else { raw.clone() };
        out.push(message(Some(envelope), diagnostics, facts, raw.unwrap_or_default()));
    }
    count
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
            cpe_done: false,
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

    /// Adds one connection's messages; returns how many SOAP messages it held.
    fn connection(&mut self, decoded: DecodedConnection) -> usize {
        let DecodedConnection { mut connection, soap, soap_counts, .. } = decoded;
        self.current = None;
        let mut found = 0;
        let mut soap = soap.into_iter().peekable();
        for (message, count) in connection.messages.iter_mut().zip(soap_counts) {
            let request = message.is_request();
            let direction = if request { Direction::CpeToAcs } else { Direction::AcsToCpe };
            let index = if request {
                let opens = count.is_some_and(|count| count > 0)
                    && soap.peek().is_some_and(|m| m.rpc == "Inform");
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
            if let Some(count) = count {
                found += count;
                // The HTTP message is not needed after this: its credentials move to its last
                // SOAP message (usually its only one) instead of being copied.
                let mut credentials = message.credentials.take();
                let last = count.saturating_sub(1);
                let messages = soap.by_ref().take(count);
                session.messages.extend(messages.enumerate().map(|(i, mut m)| {
                    m.credentials =
                        if i == last { credentials.take() } else { credentials.clone() };
                    m
                }));
            } else {
                let kind =
                    if request && message.method() == Some("POST") && message.has_empty_body() {
                        session.cpe_done = true;
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
                        && session.cpe_done
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
                    session.cpe_done = false;
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
        found
    }

    /// Adds envelopes found without HTTP as one session; returns how many messages they held.
    fn documents(&mut self, documents: &[capture::SoapDocument]) -> usize {
        let index = self.new_session(None);
        let Some(session) = self.sessions.get_mut(index) else { return 0 };
        for document in documents {
            let previous = session.messages.last().map(|m| (m.rpc.clone(), m.direction));
            let before = session.messages.len();
            soap_messages(
                &document.body,
                None,
                |rpc| infer_direction(rpc, previous.as_ref().map(|(r, d)| (r.as_ref(), *d))),
                document.time,
                None,
                &[],
                &[],
                &mut session.messages,
            );
            for time in session.messages[before..].iter().filter_map(|m| m.time) {
                session.start = Some(session.start.map_or(time, |s| s.min(time)));
                session.end = Some(session.end.map_or(time, |e| e.max(time)));
            }
        }
        session.messages.len()
    }
}

impl Session {
    /// A session with neither SOAP messages nor HTTP exchanges is not listed.
    fn is_empty(&self) -> bool {
        self.messages.is_empty() && self.exchanges.is_empty()
    }
}

/// What a final session says about itself: its CPE (from its Inform, else the device an ACS log
/// named), its events, its duration and each message's offset from its start.
fn finalize(session: &mut Session) {
    if let Some(inform) = session.messages.iter().find(|m| m.rpc == "Inform") {
        if let Some(cwmp::Message::Inform(i)) = inform.envelope.as_ref().map(|e| &e.message) {
            session.cpe = Some(Cpe {
                manufacturer: i.device_id.manufacturer.clone(),
                oui: i.device_id.oui.clone(),
                product_class: i.device_id.product_class.clone(),
                serial_number: i.device_id.serial_number.clone(),
            });
            session.events = i.events.iter().map(|e| e.event_code.clone()).collect();
        }
    } else if let Some((oui, product_class, serial_number)) =
        session.device_id.as_deref().and_then(capture::genieacs_log::split_device_id)
    {
        session.cpe = Some(Cpe { manufacturer: String::new(), oui, product_class, serial_number });
    }
    if let (Some(start), Some(end)) = (session.start, session.end) {
        session.duration_ms = Some(start.millis_until(end));
    }
    let start = session.start;
    for message in &mut session.messages {
        message.offset_ms = start.zip(message.time).map(|(s, t)| s.millis_until(t));
    }
}
