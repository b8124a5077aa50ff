//! The ACS side of a CWMP session, sans IO: the relay feeds it each HTTP POST a CPE makes and
//! sends back what it returns.
//!
//! It answers an Inform, every CPE request (TransferComplete, RequestDownload, …) and the empty
//! POST; it hands the CPE, one at a time, the RPCs queued for it; and it pairs every response or
//! fault with the request it answers, by `cwmp:ID` and by type. Everything it does is also
//! returned as [`AcsEvent`]s, which the relay streams to the app. Time, the session token and the
//! bytes come in as arguments.
//!
//! Time works as in quinn-proto: [`Acs::poll_timeout`] says when the ACS next needs to be woken
//! (the earliest session expiry) and [`Acs::handle_timeout`] ends the sessions whose time is up.
//! An RPC sent in a session that ends without its answer (expired, replaced by a new Inform, ended
//! by the CPE, answered with a mismatched response) goes back to the front of its device's queue.
//!
//! The host decodes a POST ([`PostBody::decode`]) before it takes whatever guards the ACS, hands
//! it to [`Acs::handle_decoded`], and encodes the [`Answer`] ([`Answer::encode`]) after letting go:
//! the codec, the costly part, needs no state. [`PreparedRpc`] does the same for queuing: the
//! strict encoder checks an RPC in every CWMP version before the queue is touched.
//!
//! Persistence is the host's: [`Acs::take_changes`] names the devices whose state changed,
//! [`Acs::persistent`] gives each as a restart should find it, and [`Acs::restore`] loads them.

use crate::base::Timestamp;
use crate::cwmp::{self, CwmpFault, CwmpVersion, Envelope, Header, Message, SoapFault};
pub use crate::session::Direction;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Duration;

/// What the ACS says of itself in GetRPCMethodsResponse: the CPE → ACS methods it answers.
pub const ACS_METHODS: &[&str] = &[
    "Inform",
    "GetRPCMethods",
    "TransferComplete",
    "AutonomousTransferComplete",
    "RequestDownload",
    "DUStateChangeComplete",
    "AutonomousDUStateChangeComplete",
    "Kicked",
];

/// The parameters whose value tells where to send a connection request.
const CONNECTION_REQUEST_URL: &[&str] = &[
    "Device.ManagementServer.ConnectionRequestURL",
    "InternetGatewayDevice.ManagementServer.ConnectionRequestURL",
];

/// The newest CWMP version, whose schema a queued RPC must fit.
pub(crate) const NEWEST: CwmpVersion = CwmpVersion::V1_2;

/// The ACS's timer and limits, chosen by the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcsConfig {
    /// A session that receives no POST for this long has lost its CPE and ends.
    pub session_timeout: Duration,
    /// Devices kept. An Inform from a new device beyond it is refused and nothing of it is kept,
    /// so that Informs with made-up serial numbers cannot exhaust memory.
    pub max_devices: usize,
    /// RPCs waiting in one device's queue; one more is refused ([`QueueError::QueueFull`]).
    pub max_queued: usize,
}

impl Default for AcsConfig {
    fn default() -> Self {
        AcsConfig { session_timeout: Duration::from_secs(30), max_devices: 10_000, max_queued: 100 }
    }
}

/// One HTTP POST from a CPE.
#[derive(Debug, Clone, Copy)]
pub struct CpeRequest<'a> {
    pub body: &'a [u8],
    /// The session cookie the CPE returned, if any.
    pub session_cookie: Option<&'a str>,
    /// The CPE's address as the host saw it; pairs POSTs of a CPE that returns no cookie.
    pub peer: &'a str,
    pub time: Timestamp,
    /// An unguessable token the host made for a session this request may open.
    pub new_session_token: &'a str,
}

impl<'a> CpeRequest<'a> {
    /// Everything about the POST but its body.
    pub fn context(&self) -> PostContext<'a> {
        PostContext {
            session_cookie: self.session_cookie,
            peer: self.peer,
            time: self.time,
            new_session_token: self.new_session_token,
        }
    }
}

/// Where and when a CPE posted, beside the body [`Acs::handle_decoded`] takes decoded.
#[derive(Debug, Clone, Copy)]
pub struct PostContext<'a> {
    /// The session cookie the CPE returned, if any.
    pub session_cookie: Option<&'a str>,
    /// The CPE's address as the host saw it; pairs POSTs of a CPE that returns no cookie.
    pub peer: &'a str,
    pub time: Timestamp,
    /// An unguessable token the host made for a session this request may open. Only an Inform
    /// opens one ([`PostBody::inform`]): for any other body it is not read, and may be empty.
    pub new_session_token: &'a str,
}

/// A CPE's POST body as the codec read it.
#[derive(Debug)]
pub enum PostBody {
    /// Whitespace only: the CPE has nothing more to send (the empty POST).
    Empty,
    Decoded(cwmp::Decoded),
    Unreadable(cwmp::DecodeError),
}

impl PostBody {
    /// Decodes a POST body; needs no ACS state, so the host runs it before taking the ACS.
    pub fn decode(body: &[u8]) -> PostBody {
        if body.iter().all(u8::is_ascii_whitespace) {
            return PostBody::Empty;
        }
        match cwmp::decode(body) {
            Ok(decoded) => PostBody::Decoded(decoded),
            Err(error) => PostBody::Unreadable(error),
        }
    }

    /// The Inform this body carries, if it is one (device authentication needs its device).
    pub fn inform(&self) -> Option<&cwmp::Inform> {
        match self {
            PostBody::Decoded(decoded) => match &decoded.envelopes.first()?.message {
                Message::Inform(inform) => Some(inform),
                _ => None,
            },
            PostBody::Empty | PostBody::Unreadable(_) => None,
        }
    }
}

/// What to answer the CPE, before it is encoded: the host encodes it ([`Answer::encode`]) once
/// it has let go of the ACS.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// 200 with a SOAP envelope, 500 with a SOAP fault, 204 to end the session, 400 for a body
    /// that cannot be read, 503 for a new device beyond [`AcsConfig::max_devices`].
    pub status: u16,
    /// The envelope of a 200 or 500, in the session's CWMP version.
    pub envelope: Option<Envelope>,
    /// The envelope already encoded (a queued RPC, encoded when it was taken from the queue to
    /// learn whether this version's schema allows it), so that it is not encoded twice.
    encoded: Option<String>,
    /// Why, in words, for a refusal that carries no envelope (400, 503).
    pub reason: Option<String>,
    /// The session token to set as a cookie, when this answer opens a session.
    pub set_session_cookie: Option<String>,
    pub events: Vec<AcsEvent>,
    /// When the POST was handled.
    pub time: Timestamp,
}

impl Answer {
    fn empty(status: u16, time: Timestamp, events: Vec<AcsEvent>) -> Answer {
        Answer {
            status,
            envelope: None,
            encoded: None,
            reason: None,
            set_session_cookie: None,
            events,
            time,
        }
    }

    fn refusal(status: u16, reason: String, time: Timestamp, events: Vec<AcsEvent>) -> Answer {
        Answer { reason: Some(reason), ..Answer::empty(status, time, events) }
    }

    /// The bytes to send: the envelope encoded, or the reason as text.
    pub fn encode(self) -> AcsReply {
        let Answer { status, envelope, encoded, reason, set_session_cookie, mut events, time } =
            self;
        let body = match (encoded, envelope) {
            (Some(xml), _) => xml,
            (None, Some(envelope)) => match cwmp::encode(&envelope, envelope.version) {
                Ok(xml) => xml,
                Err(refused) => {
                    // Queued RPCs come encoded, and the ACS's own answers are built within the
                    // schema: this is a bug, said rather than sent.
                    let message =
                        format!("{} could not be encoded: {refused}", envelope.message.name());
                    events.push(AcsEvent::Problem {
                        time,
                        device: None,
                        code: "not-encoded".to_owned(),
                        message: message.clone(),
                    });
                    return AcsReply {
                        status: 500,
                        body: format!("{message}\n"),
                        set_session_cookie,
                        events,
                    };
                }
            },
            (None, None) => reason.map(|reason| format!("{reason}\n")).unwrap_or_default(),
        };
        AcsReply { status, body, set_session_cookie, events }
    }
}

/// What to answer the CPE, encoded.
#[derive(Debug, Clone, PartialEq)]
pub struct AcsReply {
    /// 200 with a SOAP body, 500 with a SOAP fault, 204 to end the session, 400 for a body that
    /// cannot be read, 503 for a new device beyond the limit (the body says why).
    pub status: u16,
    pub body: String,
    /// The session token to set as a cookie, when this reply opens a session.
    pub set_session_cookie: Option<String>,
    pub events: Vec<AcsEvent>,
}

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionEnd {
    /// The CPE posted empty and the ACS had nothing more for it: the normal end.
    Completed,
    /// The CPE posted empty while an RPC waited for its answer.
    Unanswered,
    /// The CPE answered with another request's `cwmp:ID`, or with another type of response.
    MismatchedResponse,
    /// No POST came for the session timeout: the CPE is gone.
    Expired,
    /// The device, or a CPE at the same address, sent a new Inform.
    Replaced,
}

impl SessionEnd {
    /// Why the session ended, in a few words for a log line or a page.
    pub fn explanation(self) -> &'static str {
        match self {
            SessionEnd::Completed => "done",
            SessionEnd::Unanswered => "the CPE ended it with an RPC unanswered",
            SessionEnd::MismatchedResponse => "a response that answers no RPC in flight",
            SessionEnd::Expired => "expired: no POST for --session-timeout",
            SessionEnd::Replaced => "replaced by a new Inform",
        }
    }
}

/// Something that happened on the ACS, for the relay's event stream.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum AcsEvent {
    SessionStarted {
        time: Timestamp,
        device: String,
        peer: String,
        events: Vec<String>,
    },
    /// A message in either direction, as decoded or as sent.
    Message {
        time: Timestamp,
        device: Option<String>,
        direction: Direction,
        rpc: String,
        envelope: Box<Envelope>,
    },
    /// A queued RPC got its answer (a response or a fault).
    RpcCompleted {
        time: Timestamp,
        device: String,
        request_id: String,
        request: String,
        response: String,
        fault: Option<CwmpFault>,
    },
    /// An RPC sent in a session that ended without its answer is back at the front of its
    /// device's queue, for the next session.
    RpcRequeued {
        time: Timestamp,
        device: String,
        request_id: String,
        rpc: String,
        reason: SessionEnd,
    },
    SessionEnded {
        time: Timestamp,
        device: String,
        reason: SessionEnd,
    },
    /// Something the ACS could not use or refused; the reply says so too. `code` is stable
    /// (`unreadable-body`, `mismatched-response`, `limit-devices`, …).
    Problem {
        time: Timestamp,
        device: Option<String>,
        code: String,
        message: String,
    },
}

impl AcsEvent {
    /// The device the event is about, when it names one.
    pub fn device(&self) -> Option<&str> {
        match self {
            AcsEvent::SessionStarted { device, .. }
            | AcsEvent::RpcCompleted { device, .. }
            | AcsEvent::RpcRequeued { device, .. }
            | AcsEvent::SessionEnded { device, .. } => Some(device),
            AcsEvent::Message { device, .. } | AcsEvent::Problem { device, .. } => {
                device.as_deref()
            }
        }
    }
}

/// An RPC waiting for its device's next session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueuedRpc {
    /// The `cwmp:ID` it will be sent with.
    pub id: String,
    pub message: Message,
}

/// An ACS → CPE request that the strict encoder has checked in the newest CWMP version, ready
/// to queue. The host prepares it before taking the ACS, where [`Acs::enqueue_prepared`] queues
/// it. An older version's schema may still refuse it: a session in that version finds out when
/// it encodes the request, and skips it with a word (`not-sent`).
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedRpc {
    message: Message,
}

impl PreparedRpc {
    /// Refuses what an ACS does not send, and what the newest schema does not allow.
    pub fn new(message: Message) -> Result<PreparedRpc, QueueError> {
        if !is_acs_request(&message) {
            return Err(QueueError::NotAnAcsRequest(message.name().to_owned()));
        }
        let probe = Envelope { version: NEWEST, header: Header::default(), message };
        if let Err(refused) = cwmp::encode(&probe, NEWEST) {
            return Err(QueueError::Invalid(refused));
        }
        Ok(PreparedRpc { message: probe.message })
    }

    pub fn message(&self) -> &Message {
        &self.message
    }

    pub fn into_message(self) -> Message {
        self.message
    }
}

/// What the ACS knows of a device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Device {
    /// `OUI-ProductClass-SerialNumber`, as GenieACS and the decoder name devices.
    pub id: String,
    pub device_id: cwmp::DeviceId,
    pub connection_request_url: Option<String>,
    pub last_inform: Option<Timestamp>,
    pub last_events: Vec<String>,
    /// The last value seen of each parameter, from Informs and GetParameterValuesResponses.
    pub parameters: BTreeMap<String, String>,
    pub queue: VecDeque<QueuedRpc>,
    pub in_session: bool,
}

impl Device {
    /// Keeps the values a message carried as the parameters' last seen. Device state outlives
    /// the message: own copies, not views of its body; a parameter already known keeps its
    /// entry and reuses its text's allocation (a device informs the same ones every session).
    fn remember(&mut self, values: &[cwmp::ParameterValueStruct]) {
        for parameter in values {
            let (name, value) = (parameter.name.as_str(), parameter.value.text.as_str());
            match self.parameters.get_mut(name) {
                Some(kept) => replace_text(kept, value),
                None => {
                    self.parameters.insert(name.to_owned(), value.to_owned());
                }
            }
            if CONNECTION_REQUEST_URL.contains(&name) {
                match &mut self.connection_request_url {
                    Some(kept) => replace_text(kept, value),
                    None => self.connection_request_url = Some(value.to_owned()),
                }
            }
        }
    }
}

/// `kept` made `text`, in the allocation it has when that is enough.
fn replace_text(kept: &mut String, text: &str) {
    if kept != text {
        kept.clear();
        kept.push_str(text);
    }
}

#[derive(Debug, Clone)]
struct ActiveSession {
    device: String,
    peer: String,
    version: CwmpVersion,
    in_flight: Option<QueuedRpc>,
    /// The last POST's time plus the session timeout.
    expires: Timestamp,
}

/// The ACS's state: devices, their queues and the sessions open now, indexed so that no POST
/// looks at more than its own session (abandoned sessions cost nothing until they expire).
#[derive(Debug, Default)]
pub struct Acs {
    config: AcsConfig,
    devices: BTreeMap<String, Device>,
    /// By session token.
    sessions: BTreeMap<String, ActiveSession>,
    session_of_device: BTreeMap<String, String>,
    session_of_peer: BTreeMap<String, String>,
    /// `(expires, token)` of every session, earliest first.
    expiries: BTreeSet<(Timestamp, String)>,
    /// Devices whose state (as [`Acs::persistent`] gives it) changed since the last
    /// [`Acs::take_changes`].
    changed: BTreeSet<String>,
    next_request: u64,
}

/// Why an RPC cannot be queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueError {
    UnknownDevice(String),
    NotAnAcsRequest(String),
    /// Outside the CWMP schema's facets: the strict encoder would refuse it.
    Invalid(cwmp::EncodeError),
    /// The device's queue already holds [`AcsConfig::max_queued`] RPCs.
    QueueFull {
        device: String,
        limit: usize,
    },
}

impl std::fmt::Display for QueueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QueueError::UnknownDevice(id) => write!(f, "no device {id} has informed this ACS"),
            QueueError::NotAnAcsRequest(rpc) => {
                write!(f, "{rpc} is not a request an ACS sends to a CPE")
            }
            QueueError::Invalid(refused) => write!(f, "not a valid CWMP request: {refused}"),
            QueueError::QueueFull { device, limit } => write!(
                f,
                "{device} already has {limit} RPCs queued, the limit: wait for its next session"
            ),
        }
    }
}

impl std::error::Error for QueueError {}

/// How a response stands to the RPC in flight.
enum Pairing {
    Completed,
    NothingInFlight,
    Mismatched(String),
}

impl Acs {
    pub fn new() -> Acs {
        Acs::default()
    }

    pub fn with_config(config: AcsConfig) -> Acs {
        Acs { config, ..Acs::default() }
    }

    pub fn config(&self) -> &AcsConfig {
        &self.config
    }

    pub fn devices(&self) -> impl Iterator<Item = &Device> {
        self.devices.values()
    }

    pub fn device(&self, id: &str) -> Option<&Device> {
        self.devices.get(id)
    }

    /// Queues an ACS → CPE request for the device's next session; returns its `cwmp:ID`.
    pub fn enqueue(&mut self, device: &str, message: Message) -> Result<String, QueueError> {
        let prepared = PreparedRpc::new(message)?;
        self.enqueue_prepared(device, prepared)
    }

    /// Queues a request the host prepared; returns its `cwmp:ID`.
    pub fn enqueue_prepared(
        &mut self,
        device: &str,
        rpc: PreparedRpc,
    ) -> Result<String, QueueError> {
        let Some(state) = self.devices.get_mut(device) else {
            return Err(QueueError::UnknownDevice(device.to_owned()));
        };
        if state.queue.len() >= self.config.max_queued {
            return Err(QueueError::QueueFull {
                device: device.to_owned(),
                limit: self.config.max_queued,
            });
        }
        self.next_request += 1;
        let id = format!("cwmpkit-{}", self.next_request);
        state.queue.push_back(QueuedRpc { id: id.clone(), message: rpc.message });
        self.changed.insert(device.to_owned());
        Ok(id)
    }

    /// When the ACS next needs [`Acs::handle_timeout`]: the earliest session expiry.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        self.expiries.first().map(|(expires, _)| *expires)
    }

    /// Ends every session whose time is up at `now`; its RPC in flight goes back to the front
    /// of the device's queue.
    pub fn handle_timeout(&mut self, now: Timestamp) -> Vec<AcsEvent> {
        let mut events = Vec::new();
        while let Some((expires, token)) = self.expiries.first().cloned() {
            if expires > now {
                break;
            }
            self.end_session(&token, SessionEnd::Expired, now, &mut events);
        }
        events
    }

    /// The devices whose state changed since the last call (a host that stores them writes
    /// each [`Acs::persistent`]).
    pub fn take_changes(&mut self) -> BTreeSet<String> {
        std::mem::take(&mut self.changed)
    }

    /// The device as a restart should find it: out of session, with the RPC in flight (if
    /// any) back at the front of its queue.
    pub fn persistent(&self, id: &str) -> Option<Device> {
        let mut device = self.devices.get(id)?.clone();
        let in_flight = self
            .session_of_device
            .get(id)
            .and_then(|token| self.sessions.get(token))
            .and_then(|session| session.in_flight.clone());
        if let Some(rpc) = in_flight {
            device.queue.push_front(rpc);
        }
        device.in_session = false;
        Some(device)
    }

    /// How many request IDs the ACS has handed out; a host that stores devices stores it too,
    /// so that IDs stay unique across restarts.
    pub fn issued_requests(&self) -> u64 {
        self.next_request
    }

    /// Loads stored devices (before any session). Each queued RPC is checked again, as when it
    /// was queued; what the schema now refuses is left out, and said in the result.
    pub fn restore(
        &mut self,
        devices: impl IntoIterator<Item = Device>,
        issued_requests: u64,
    ) -> Vec<String> {
        let mut dropped = Vec::new();
        self.next_request = self.next_request.max(issued_requests);
        for mut device in devices {
            let queue = std::mem::take(&mut device.queue);
            for rpc in queue {
                let number = rpc.id.strip_prefix("cwmpkit-").and_then(|n| n.parse::<u64>().ok());
                self.next_request = self.next_request.max(number.unwrap_or(0));
                match PreparedRpc::new(rpc.message) {
                    Ok(prepared) => {
                        device.queue.push_back(QueuedRpc { id: rpc.id, message: prepared.message })
                    }
                    Err(refused) => {
                        dropped.push(format!("{} of {}: {refused}", rpc.id, device.id));
                    }
                }
            }
            device.in_session = false;
            self.devices.insert(device.id.clone(), device);
        }
        dropped
    }

    /// Handles one POST of a CPE: decodes it, handles it, encodes the answer.
    pub fn handle(&mut self, request: CpeRequest<'_>) -> AcsReply {
        let body = PostBody::decode(request.body);
        self.handle_decoded(request.context(), body).encode()
    }

    /// The device whose session a POST with this cookie from this peer would continue (as
    /// [`Acs::handle_decoded`] finds it): the host checks that whoever authenticated the POST
    /// may speak for that device.
    pub fn session_device(&self, session_cookie: Option<&str>, peer: &str) -> Option<&Device> {
        let token = self.session_token_of(session_cookie, peer)?;
        self.sessions.get(token).and_then(|session| self.devices.get(&session.device))
    }

    /// The session a POST belongs to: its cookie's, else (for CPEs that ignore cookies) its
    /// peer address's.
    fn session_token_of<'a>(
        &'a self,
        session_cookie: Option<&'a str>,
        peer: &str,
    ) -> Option<&'a str> {
        session_cookie
            .filter(|token| self.sessions.contains_key(*token))
            .or_else(|| self.session_of_peer.get(peer).map(String::as_str))
    }

    /// Handles one POST of a CPE whose body the host has decoded; the host encodes the answer.
    pub fn handle_decoded(&mut self, post: PostContext<'_>, body: PostBody) -> Answer {
        let time = post.time;
        // A session whose time is up ends before this POST is read, however late the host's
        // timer is: the outcome does not depend on when the host woke.
        let mut events = self.handle_timeout(time);
        let token = self.session_token_of(post.session_cookie, post.peer).map(str::to_owned);
        if let Some(token) = &token {
            self.touch(token, time);
        }
        let device = token.as_ref().and_then(|t| self.sessions.get(t)).map(|s| s.device.clone());
        match body {
            PostBody::Empty => match token {
                Some(token) => self.next_request_or_end(&token, time, events),
                None => {
                    events.push(AcsEvent::Problem {
                        time,
                        device: None,
                        code: "empty-outside-session".to_owned(),
                        message: format!(
                            "an empty POST from {} outside any session (a session starts with an Inform)",
                            post.peer
                        ),
                    });
                    Answer::empty(204, time, events)
                }
            },
            PostBody::Unreadable(error) => {
                let message = format!("unreadable CWMP body: {error}");
                events.push(AcsEvent::Problem {
                    time,
                    device,
                    code: "unreadable-body".to_owned(),
                    message: message.clone(),
                });
                Answer::refusal(400, message, time, events)
            }
            PostBody::Decoded(decoded) => {
                let extra = decoded.envelopes.len().saturating_sub(1);
                let Some(envelope) = decoded.envelopes.into_iter().next() else {
                    let message = "a body with no SOAP envelope".to_owned();
                    events.push(AcsEvent::Problem {
                        time,
                        device,
                        code: "no-envelope".to_owned(),
                        message: message.clone(),
                    });
                    return Answer::refusal(400, message, time, events);
                };
                if extra > 0 {
                    events.push(AcsEvent::Problem {
                        time,
                        device,
                        code: "extra-envelopes".to_owned(),
                        message: format!(
                            "{extra} more envelope(s) after the first in one POST were not handled: \
                             this ACS takes one at a time (MaxEnvelopes 1)"
                        ),
                    });
                }
                self.handle_envelope(post, token, envelope, events)
            }
        }
    }

    fn handle_envelope(
        &mut self,
        post: PostContext<'_>,
        token: Option<String>,
        envelope: Envelope,
        mut events: Vec<AcsEvent>,
    ) -> Answer {
        let time = post.time;
        if let Message::Inform(inform) = &envelope.message {
            let token = match self.open_session(post, envelope.version, inform, &mut events) {
                Ok(token) => token,
                Err(reason) => return Answer::refusal(503, reason, time, events),
            };
            let id = envelope.header.id.clone();
            // The Inform itself goes to the events, moved rather than copied: nothing reads it
            // after its session is open.
            events.push(AcsEvent::Message {
                time,
                device: self.sessions.get(&token).map(|s| s.device.clone()),
                direction: Direction::CpeToAcs,
                rpc: "Inform".to_owned(),
                envelope: Box::new(envelope),
            });
            let response = Message::InformResponse(cwmp::InformResponse { max_envelopes: 1 });
            let mut answer = self.answer(&token, id, response, time, events);
            answer.set_session_cookie = Some(token);
            return answer;
        }

        let Some(token) = token else {
            events.push(AcsEvent::Problem {
                time,
                device: None,
                code: "no-session".to_owned(),
                message: format!(
                    "{} from {} outside any session (a session starts with an Inform)",
                    envelope.message.name(),
                    post.peer
                ),
            });
            let fault = soap_fault(8003, "no session: send an Inform first");
            return answer_without_session(envelope, fault, time, events);
        };
        let device = self.sessions.get(&token).map(|s| s.device.clone());
        let at = events.len();
        let mut answer = self.handle_in_session(&token, &envelope, device.clone(), time, events);
        // The CPE's message is the first event of its handling, as it came first; moved into it
        // once handled rather than copied before.
        answer.events.insert(
            at,
            AcsEvent::Message {
                time,
                device,
                direction: Direction::CpeToAcs,
                rpc: envelope.message.name().to_owned(),
                envelope: Box::new(envelope),
            },
        );
        answer
    }

    /// A CPE's message in its session, but for the Inform: a request of its own, or the
    /// answer to the RPC in flight.
    fn handle_in_session(
        &mut self,
        token: &str,
        envelope: &Envelope,
        device: Option<String>,
        time: Timestamp,
        mut events: Vec<AcsEvent>,
    ) -> Answer {
        if let Some(response) = answer_cpe_request(&envelope.message) {
            return self.answer(token, envelope.header.id.clone(), response, time, events);
        }
        // Anything else answers the request in flight (or is a stray the ACS cannot use).
        match self.pair_with_in_flight(token, envelope, time, &mut events) {
            Pairing::Completed => self.next_request_or_end(token, time, events),
            Pairing::NothingInFlight => {
                events.push(AcsEvent::Problem {
                    time,
                    device,
                    code: "stray-response".to_owned(),
                    message: format!(
                        "{} answers no request the ACS sent (ID {})",
                        envelope.message.name(),
                        envelope.header.id.as_deref().unwrap_or("none")
                    ),
                });
                self.next_request_or_end(token, time, events)
            }
            Pairing::Mismatched(why) => {
                events.push(AcsEvent::Problem {
                    time,
                    device,
                    code: "mismatched-response".to_owned(),
                    message: format!("{why}; the request is queued again and the session ends"),
                });
                self.end_session(token, SessionEnd::MismatchedResponse, time, &mut events);
                Answer::empty(204, time, events)
            }
        }
    }

    /// Opens a session for an Inform (ending the one its device or its address had open) and
    /// returns its token; refuses a new device beyond the limit, keeping nothing of it.
    fn open_session(
        &mut self,
        post: PostContext<'_>,
        version: CwmpVersion,
        inform: &cwmp::Inform,
        events: &mut Vec<AcsEvent>,
    ) -> Result<String, String> {
        let time = post.time;
        let id = device_key(&inform.device_id);
        if !self.devices.contains_key(&id) && self.devices.len() >= self.config.max_devices {
            let reason = format!(
                "{id} is not admitted: this ACS already keeps {} devices, its limit",
                self.config.max_devices
            );
            events.push(AcsEvent::Problem {
                time,
                device: Some(id),
                code: "limit-devices".to_owned(),
                message: reason.clone(),
            });
            return Err(reason);
        }
        let replaced = [
            self.session_of_device.get(&id).cloned(),
            self.session_of_peer.get(post.peer).cloned(),
            self.sessions
                .contains_key(post.new_session_token)
                .then(|| post.new_session_token.to_owned()),
        ];
        for token in replaced.into_iter().flatten() {
            self.end_session(&token, SessionEnd::Replaced, time, events);
        }
        let device = self.devices.entry(id.clone()).or_insert_with(|| Device {
            id: id.clone(),
            device_id: inform.device_id.clone(),
            connection_request_url: None,
            last_inform: None,
            last_events: Vec::new(),
            parameters: BTreeMap::new(),
            queue: VecDeque::new(),
            in_session: false,
        });
        if device.device_id != inform.device_id {
            device.device_id = inform.device_id.clone();
        }
        device.last_inform = Some(time);
        device.last_events = inform.events.iter().map(|e| e.event_code.clone()).collect();
        device.in_session = true;
        device.remember(&inform.parameter_list);
        let last_events = device.last_events.clone();
        self.changed.insert(id.clone());
        let token = post.new_session_token.to_owned();
        let expires = later(time, self.config.session_timeout);
        self.sessions.insert(
            token.clone(),
            ActiveSession {
                device: id.clone(),
                peer: post.peer.to_owned(),
                version,
                in_flight: None,
                expires,
            },
        );
        self.expiries.insert((expires, token.clone()));
        self.session_of_device.insert(id.clone(), token.clone());
        self.session_of_peer.insert(post.peer.to_owned(), token.clone());
        events.push(AcsEvent::SessionStarted {
            time,
            device: id,
            peer: post.peer.to_owned(),
            events: last_events,
        });
        Ok(token)
    }

    /// A POST arrived in the session: its expiry moves on.
    fn touch(&mut self, token: &str, time: Timestamp) {
        let Some(session) = self.sessions.get_mut(token) else { return };
        self.expiries.remove(&(session.expires, token.to_owned()));
        session.expires = later(time, self.config.session_timeout);
        self.expiries.insert((session.expires, token.to_owned()));
    }

    /// Ends a session; its RPC in flight goes back to the front of the device's queue.
    fn end_session(
        &mut self,
        token: &str,
        reason: SessionEnd,
        time: Timestamp,
        events: &mut Vec<AcsEvent>,
    ) {
        let Some(session) = self.sessions.remove(token) else { return };
        self.expiries.remove(&(session.expires, token.to_owned()));
        if self.session_of_device.get(&session.device).is_some_and(|t| t == token) {
            self.session_of_device.remove(&session.device);
        }
        if self.session_of_peer.get(&session.peer).is_some_and(|t| t == token) {
            self.session_of_peer.remove(&session.peer);
        }
        let state = self.devices.get_mut(&session.device);
        if let Some(state) = state {
            if let Some(rpc) = session.in_flight {
                events.push(AcsEvent::RpcRequeued {
                    time,
                    device: session.device.clone(),
                    request_id: rpc.id.clone(),
                    rpc: rpc.message.name().to_owned(),
                    reason,
                });
                state.queue.push_front(rpc);
            }
            state.in_session = false;
        }
        self.changed.insert(session.device.clone());
        events.push(AcsEvent::SessionEnded { time, device: session.device, reason });
    }

    fn pair_with_in_flight(
        &mut self,
        token: &str,
        envelope: &Envelope,
        time: Timestamp,
        events: &mut Vec<AcsEvent>,
    ) -> Pairing {
        let Some(session) = self.sessions.get_mut(token) else { return Pairing::NothingInFlight };
        let Some(in_flight) = &session.in_flight else { return Pairing::NothingInFlight };
        let answered = envelope.message.name();
        // CPEs that do not echo the ID still answer in order; one that echoes another ID does not.
        if let Some(id) = envelope.header.id.as_deref()
            && id != in_flight.id
        {
            return Pairing::Mismatched(format!(
                "{answered} with ID {id} does not answer the request in flight, {} (ID {})",
                in_flight.message.name(),
                in_flight.id
            ));
        }
        if let Some(expected) = expected_response(&in_flight.message)
            && !matches!(envelope.message, Message::Fault(_))
            && expected != answered
        {
            return Pairing::Mismatched(format!(
                "{answered} does not answer {} (ID {}): its answer is {expected} or a fault",
                in_flight.message.name(),
                in_flight.id
            ));
        }
        let Some(in_flight) = session.in_flight.take() else { return Pairing::NothingInFlight };
        let device = session.device.clone();
        let fault = match &envelope.message {
            Message::Fault(SoapFault { detail, .. }) => detail.clone(),
            _ => None,
        };
        if let (Message::GetParameterValuesResponse(response), Some(state)) =
            (&envelope.message, self.devices.get_mut(&device))
        {
            state.remember(&response.parameter_list);
        }
        self.changed.insert(device.clone());
        events.push(AcsEvent::RpcCompleted {
            time,
            device,
            request_id: in_flight.id,
            request: in_flight.message.name().to_owned(),
            response: answered.to_owned(),
            fault,
        });
        Pairing::Completed
    }

    /// After an empty POST or a response: the device's next queued RPC, or 204 to end.
    fn next_request_or_end(
        &mut self,
        token: &str,
        time: Timestamp,
        mut events: Vec<AcsEvent>,
    ) -> Answer {
        let Some(session) = self.sessions.get(token) else {
            return Answer::empty(204, time, events);
        };
        let device = session.device.clone();
        let version = session.version;
        if let Some(in_flight) = &session.in_flight {
            events.push(AcsEvent::Problem {
                time,
                device: Some(device),
                code: "unanswered".to_owned(),
                message: format!(
                    "the CPE ended its requests without answering {} (ID {}); it is queued again \
                     for the next session",
                    in_flight.message.name(),
                    in_flight.id
                ),
            });
            self.end_session(token, SessionEnd::Unanswered, time, &mut events);
            return Answer::empty(204, time, events);
        }
        while let Some(rpc) = self.devices.get_mut(&device).and_then(|d| d.queue.pop_front()) {
            let envelope = Envelope {
                version,
                header: Header { id: Some(rpc.id.as_str().into()), ..Header::default() },
                message: rpc.message.clone(),
            };
            let encoded = match cwmp::encode(&envelope, version) {
                Ok(xml) => xml,
                Err(refused) => {
                    // Not valid in this session's CWMP version: dropped with a word, and the
                    // session goes on with the next queued request rather than carry invalid XML.
                    events.push(AcsEvent::Problem {
                        time,
                        device: Some(device.clone()),
                        code: "not-sent".to_owned(),
                        message: format!("{} {} not sent: {refused}", rpc.message.name(), rpc.id),
                    });
                    self.changed.insert(device.clone());
                    continue;
                }
            };
            if let Some(session) = self.sessions.get_mut(token) {
                session.in_flight = Some(rpc);
            }
            let answer = self.answer_with(token, envelope, time, events);
            return Answer { encoded: Some(encoded), ..answer };
        }
        self.end_session(token, SessionEnd::Completed, time, &mut events);
        Answer::empty(204, time, events)
    }

    /// A 200 carrying `message` in the session's CWMP version.
    fn answer(
        &mut self,
        token: &str,
        id: Option<cwmp::Text>,
        message: Message,
        time: Timestamp,
        events: Vec<AcsEvent>,
    ) -> Answer {
        let version = self.sessions.get(token).map_or(CwmpVersion::V1_0, |s| s.version);
        let envelope = Envelope { version, header: Header { id, ..Header::default() }, message };
        self.answer_with(token, envelope, time, events)
    }

    /// A 200 carrying `envelope`, which is in the session's CWMP version.
    fn answer_with(
        &mut self,
        token: &str,
        envelope: Envelope,
        time: Timestamp,
        mut events: Vec<AcsEvent>,
    ) -> Answer {
        let version = envelope.version;
        let device = self.sessions.get(token).map(|session| session.device.clone());
        // Sent anyway (the engineer may be probing the CPE), but said.
        for problem in cwmp::version_problems(&envelope, version) {
            events.push(AcsEvent::Problem {
                time,
                device: device.clone(),
                code: "version".to_owned(),
                message: problem,
            });
        }
        events.push(AcsEvent::Message {
            time,
            device,
            direction: Direction::AcsToCpe,
            rpc: envelope.message.name().to_owned(),
            envelope: Box::new(envelope.clone()),
        });
        Answer { envelope: Some(envelope), ..Answer::empty(200, time, events) }
    }
}

/// A fault (500) to a CPE that posted outside any session, in its own version and with its ID.
fn answer_without_session(
    request: Envelope,
    fault: Message,
    time: Timestamp,
    mut events: Vec<AcsEvent>,
) -> Answer {
    let envelope = Envelope {
        version: request.version,
        header: Header { id: request.header.id, ..Header::default() },
        message: fault,
    };
    events.push(AcsEvent::Message {
        time,
        device: None,
        direction: Direction::AcsToCpe,
        rpc: envelope.message.name().to_owned(),
        envelope: Box::new(envelope.clone()),
    });
    Answer { envelope: Some(envelope), ..Answer::empty(500, time, events) }
}

/// `time` plus `duration`, saturating.
fn later(time: Timestamp, duration: Duration) -> Timestamp {
    let nanos = i128::try_from(duration.as_nanos()).unwrap_or(i128::MAX);
    Timestamp { unix_nanos: time.unix_nanos.saturating_add(nanos), local: time.local }
}

/// The element name of the response that answers `request` (besides a fault): the schema's for
/// its methods, `<name>Response` for a vendor method.
fn expected_response(request: &Message) -> Option<std::borrow::Cow<'static, str>> {
    match request {
        Message::Vendor(raw) => Some(format!("{}Response", raw.name).into()),
        _ => request.method().and_then(|method| method.response).map(Into::into),
    }
}

/// `OUI-ProductClass-SerialNumber`, the name the decoder and GenieACS give a device.
pub fn device_key(device_id: &cwmp::DeviceId) -> String {
    if device_id.product_class.is_empty() {
        format!("{}-{}", device_id.oui, device_id.serial_number)
    } else {
        format!("{}-{}-{}", device_id.oui, device_id.product_class, device_id.serial_number)
    }
}

/// The ACS's answer to a CPE → ACS request; `None` for anything that is not one.
fn answer_cpe_request(message: &Message) -> Option<Message> {
    Some(match message {
        Message::TransferComplete(_) => Message::TransferCompleteResponse,
        Message::AutonomousTransferComplete(_) => Message::AutonomousTransferCompleteResponse,
        Message::RequestDownload(_) => Message::RequestDownloadResponse,
        Message::DUStateChangeComplete(_) => Message::DUStateChangeCompleteResponse,
        Message::AutonomousDUStateChangeComplete(_) => {
            Message::AutonomousDUStateChangeCompleteResponse
        }
        Message::GetRPCMethods => Message::GetRPCMethodsResponse(cwmp::GetRPCMethodsResponse {
            method_list: ACS_METHODS.iter().map(|m| (*m).to_owned()).collect(),
        }),
        Message::Kicked(_) => soap_fault(8000, "Kicked is not supported by this ACS"),
        Message::Vendor(raw) | Message::Unknown(raw) => {
            soap_fault(8000, &format!("method {} is not supported by this ACS", raw.name))
        }
        _ => return None,
    })
}

/// A SOAP Fault carrying a `cwmp:Fault` with an ACS fault code (8000–8005).
fn soap_fault(code: u32, text: &str) -> Message {
    Message::Fault(SoapFault {
        fault_code: "Client".to_owned(),
        fault_string: "CWMP fault".to_owned(),
        detail: Some(CwmpFault {
            fault_code: code,
            fault_string: text.to_owned(),
            set_parameter_values_faults: Vec::new(),
        }),
    })
}

/// The requests an ACS may queue for a CPE.
fn is_acs_request(message: &Message) -> bool {
    matches!(
        message,
        Message::GetRPCMethods
            | Message::SetParameterValues(_)
            | Message::GetParameterValues(_)
            | Message::GetParameterNames(_)
            | Message::SetParameterAttributes(_)
            | Message::GetParameterAttributes(_)
            | Message::AddObject(_)
            | Message::DeleteObject(_)
            | Message::Reboot(_)
            | Message::Download(_)
            | Message::Upload(_)
            | Message::FactoryReset
            | Message::GetQueuedTransfers
            | Message::GetAllQueuedTransfers
            | Message::ScheduleInform(_)
            | Message::SetVouchers(_)
            | Message::GetOptions(_)
            | Message::ScheduleDownload(_)
            | Message::CancelTransfer(_)
            | Message::ChangeDUState(_)
            | Message::Vendor(_)
    )
}

/// The invariants the fuzzer checks, here so regression tests run the same ones.
pub mod fuzzing {
    use super::{Acs, AcsConfig, AcsEvent, CpeRequest, Message};
    use crate::base::Timestamp;
    use crate::cwmp;
    use std::time::Duration;

    /// Plays `data` as a sequence of POST bodies separated by `0xFF` bytes (the first byte of
    /// each chunk picks cookie and peer, and whether the timer fires first), queuing a
    /// GetParameterValues for every known device so that sessions go deep. Sessions expire after
    /// 3 POSTs' time and only 2 devices are kept, so expiry and the device limit are reached.
    /// Checks: nothing panics, every 200 carries XML that decodes to one envelope, a session
    /// cookie is only ever set by the answer to an Inform, the timer is never asked to wake in
    /// the past, and no queued RPC is lost: every one is completed, dropped with a word, or
    /// still queued (in flight counting as queued).
    pub fn check_session(data: &[u8]) -> Result<(), String> {
        let mut acs = Acs::with_config(AcsConfig {
            session_timeout: Duration::from_nanos(3),
            max_devices: 2,
            max_queued: 100,
        });
        let mut cookies: Vec<String> = Vec::new();
        let (mut queued, mut completed, mut dropped) = (0usize, 0usize, 0usize);
        for (index, chunk) in data.split(|&b| b == 0xFF).enumerate().take(64) {
            let (selector, body) = chunk.split_first().map_or((0, chunk), |(s, b)| (*s, b));
            let cookie = match selector % 3 {
                0 => None,
                _ => cookies.get(usize::from(selector) % cookies.len().max(1)).cloned(),
            };
            let peer = if selector & 0x80 == 0 { "192.0.2.1:1" } else { "192.0.2.2:2" };
            let token = format!("t{index}");
            let time = Timestamp::from_unix_nanos(i128::try_from(index).unwrap_or(0));
            let ids: Vec<String> =
                acs.devices().filter(|d| d.queue.is_empty()).map(|d| d.id.clone()).collect();
            for id in ids {
                let request = cwmp::GetParameterValues { parameter_names: vec!["Device.".into()] };
                acs.enqueue(&id, Message::GetParameterValues(request))
                    .map_err(|e| format!("a valid request refused: {e}"))?;
                queued += 1;
            }
            let mut events = Vec::new();
            if selector & 0x40 != 0 {
                events = acs.handle_timeout(time);
                if acs.poll_timeout().is_some_and(|wake| wake <= time) {
                    return Err("the timer asks to be woken for what it just handled".to_owned());
                }
            }
            let reply = acs.handle(CpeRequest {
                body,
                session_cookie: cookie.as_deref(),
                peer,
                time,
                new_session_token: &token,
            });
            if reply.status == 200 {
                let decoded = cwmp::decode(reply.body.as_bytes())
                    .map_err(|e| format!("the ACS sent XML it cannot read: {e}\n{}", reply.body))?;
                if decoded.envelopes.len() != 1 {
                    return Err(format!("a reply with {} envelopes", decoded.envelopes.len()));
                }
                let is_inform_response =
                    matches!(decoded.envelopes[0].message, Message::InformResponse(_));
                if reply.set_session_cookie.is_some() != is_inform_response {
                    return Err("a session cookie set outside an InformResponse".to_owned());
                }
            }
            events.extend(reply.events);
            for event in &events {
                match event {
                    AcsEvent::RpcCompleted { .. } => completed += 1,
                    AcsEvent::Problem { code, .. } if code == "not-sent" => dropped += 1,
                    _ => {}
                }
            }
            let waiting: usize =
                acs.devices().filter_map(|d| acs.persistent(&d.id)).map(|d| d.queue.len()).sum();
            if queued != completed + dropped + waiting {
                return Err(format!(
                    "RPCs lost: {queued} queued, {completed} completed, {dropped} dropped, {waiting} waiting"
                ));
            }
            if let Some(cookie) = reply.set_session_cookie {
                cookies.push(cookie);
            }
        }
        Ok(())
    }
}
