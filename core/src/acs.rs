//! The ACS side of a CWMP session, sans IO: the relay feeds it each HTTP POST a CPE makes and
//! sends back what it returns.
//!
//! It answers an Inform, every CPE request (TransferComplete, RequestDownload, …) and the empty
//! POST; it hands the CPE, one at a time, the RPCs queued for it; and it pairs every response or
//! fault with the request it answers. Everything it does is also returned as [`AcsEvent`]s, which
//! the relay streams to the app. Time, the session token and the bytes come in as arguments.

use crate::base::Timestamp;
use crate::cwmp::{self, CwmpFault, CwmpVersion, Envelope, Header, Message, SoapFault};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

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

/// What to answer the CPE.
#[derive(Debug, Clone, PartialEq)]
pub struct AcsReply {
    /// 200 with a SOAP body, 204 to end the session, 400 for a body that cannot be read.
    pub status: u16,
    pub body: String,
    /// The session token to set as a cookie, when this reply opens a session.
    pub set_session_cookie: Option<String>,
    pub events: Vec<AcsEvent>,
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
    SessionEnded {
        time: Timestamp,
        device: String,
    },
    /// Something the CPE sent that the ACS could not use; the reply says so too.
    Problem {
        time: Timestamp,
        device: Option<String>,
        message: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    CpeToAcs,
    AcsToCpe,
}

/// An RPC waiting for its device's next session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueuedRpc {
    /// The `cwmp:ID` it will be sent with.
    pub id: String,
    pub message: Message,
}

/// What the ACS knows of a device.
#[derive(Debug, Clone, PartialEq, Serialize)]
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

#[derive(Debug, Clone)]
struct ActiveSession {
    device: String,
    peer: String,
    version: CwmpVersion,
    in_flight: Option<QueuedRpc>,
}

/// The ACS's state: devices, their queues and the sessions open now.
#[derive(Debug, Default)]
pub struct Acs {
    devices: BTreeMap<String, Device>,
    sessions: BTreeMap<String, ActiveSession>,
    next_request: u64,
}

/// Why an RPC cannot be queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueError {
    UnknownDevice(String),
    NotAnAcsRequest(String),
    /// Outside the CWMP schema's facets: the strict encoder would refuse it.
    Invalid(cwmp::EncodeError),
}

impl std::fmt::Display for QueueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QueueError::UnknownDevice(id) => write!(f, "no device {id} has informed this ACS"),
            QueueError::NotAnAcsRequest(rpc) => {
                write!(f, "{rpc} is not a request an ACS sends to a CPE")
            }
            QueueError::Invalid(refused) => write!(f, "not a valid CWMP request: {refused}"),
        }
    }
}

impl std::error::Error for QueueError {}

impl Acs {
    pub fn new() -> Acs {
        Acs::default()
    }

    pub fn devices(&self) -> impl Iterator<Item = &Device> {
        self.devices.values()
    }

    pub fn device(&self, id: &str) -> Option<&Device> {
        self.devices.get(id)
    }

    /// Queues an ACS → CPE request for the device's next session; returns its `cwmp:ID`.
    pub fn enqueue(&mut self, device: &str, message: Message) -> Result<String, QueueError> {
        if !is_acs_request(&message) {
            return Err(QueueError::NotAnAcsRequest(message.name().to_owned()));
        }
        let Some(state) = self.devices.get_mut(device) else {
            return Err(QueueError::UnknownDevice(device.to_owned()));
        };
        // Checked against the newest schema here; the session's own version is
        // checked again when it is sent.
        let probe = Envelope { version: CwmpVersion::V1_2, header: Header::default(), message };
        if let Err(refused) = cwmp::encode(&probe, CwmpVersion::V1_2) {
            return Err(QueueError::Invalid(refused));
        }
        let message = probe.message;
        self.next_request += 1;
        let id = format!("cwmpkit-{}", self.next_request);
        state.queue.push_back(QueuedRpc { id: id.clone(), message });
        Ok(id)
    }

    /// Handles one POST of a CPE.
    pub fn handle(&mut self, request: CpeRequest<'_>) -> AcsReply {
        let token = request
            .session_cookie
            .filter(|t| self.sessions.contains_key(*t))
            .or_else(|| {
                self.sessions.iter().find(|(_, s)| s.peer == request.peer).map(|(t, _)| t.as_str())
            })
            .map(str::to_owned);
        let mut events = Vec::new();

        if request.body.iter().all(u8::is_ascii_whitespace) {
            return match token {
                Some(token) => self.next_request_or_end(&token, request.time, events),
                None => {
                    events.push(AcsEvent::Problem {
                        time: request.time,
                        device: None,
                        message: format!(
                            "an empty POST from {} outside any session (a session starts with an Inform)",
                            request.peer
                        ),
                    });
                    reply(204, String::new(), events)
                }
            };
        }

        let decoded = match cwmp::decode(request.body) {
            Ok(decoded) => decoded,
            Err(error) => {
                let device =
                    token.as_ref().and_then(|t| self.sessions.get(t)).map(|s| s.device.clone());
                events.push(AcsEvent::Problem {
                    time: request.time,
                    device,
                    message: format!("unreadable CWMP body: {error}"),
                });
                return reply(400, String::new(), events);
            }
        };
        let Some(envelope) = decoded.envelopes.into_iter().next() else {
            events.push(AcsEvent::Problem {
                time: request.time,
                device: None,
                message: "a body with no SOAP envelope".to_owned(),
            });
            return reply(400, String::new(), events);
        };

        if let Message::Inform(inform) = &envelope.message {
            let token = self.open_session(&request, &envelope, inform, &mut events);
            let answer = Message::InformResponse(cwmp::InformResponse { max_envelopes: 1 });
            let mut reply =
                self.send(&token, envelope.header.id.clone(), answer, request.time, events);
            reply.set_session_cookie = Some(token);
            return reply;
        }

        let Some(token) = token else {
            events.push(AcsEvent::Problem {
                time: request.time,
                device: None,
                message: format!(
                    "{} from {} outside any session (a session starts with an Inform)",
                    envelope.message.name(),
                    request.peer
                ),
            });
            let fault = soap_fault(8003, "no session: send an Inform first");
            return self.reply_without_session(envelope, fault, request.time, events);
        };
        let device = self.sessions.get(&token).map(|s| s.device.clone());
        events.push(AcsEvent::Message {
            time: request.time,
            device: device.clone(),
            direction: Direction::CpeToAcs,
            rpc: envelope.message.name().to_owned(),
            envelope: Box::new(envelope.clone()),
        });

        if let Some(answer) = answer_cpe_request(&envelope.message) {
            return self.send(&token, envelope.header.id.clone(), answer, request.time, events);
        }
        // Anything else answers the request in flight (or is a stray the ACS cannot use).
        let completed = self.complete_in_flight(&token, &envelope, request.time, &mut events);
        if !completed {
            events.push(AcsEvent::Problem {
                time: request.time,
                device,
                message: format!(
                    "{} answers no request the ACS sent (ID {})",
                    envelope.message.name(),
                    envelope.header.id.as_deref().unwrap_or("none")
                ),
            });
        }
        self.next_request_or_end(&token, request.time, events)
    }

    fn open_session(
        &mut self,
        request: &CpeRequest<'_>,
        envelope: &Envelope,
        inform: &cwmp::Inform,
        events: &mut Vec<AcsEvent>,
    ) -> String {
        let id = device_key(&inform.device_id);
        // A new Inform ends whatever session the device or this peer still had open.
        self.sessions.retain(|_, s| s.device != id && s.peer != request.peer);
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
        device.device_id = inform.device_id.clone();
        device.last_inform = Some(request.time);
        device.last_events = inform.events.iter().map(|e| e.event_code.clone()).collect();
        device.in_session = true;
        for parameter in &inform.parameter_list {
            // Device state outlives the message: own copies, not views of its body.
            device.parameters.insert(parameter.name.to_string(), parameter.value.text.to_string());
            if CONNECTION_REQUEST_URL.contains(&parameter.name.as_str()) {
                device.connection_request_url = Some(parameter.value.text.to_string());
            }
        }
        let token = request.new_session_token.to_owned();
        self.sessions.insert(
            token.clone(),
            ActiveSession {
                device: id.clone(),
                peer: request.peer.to_owned(),
                version: envelope.version,
                in_flight: None,
            },
        );
        events.push(AcsEvent::SessionStarted {
            time: request.time,
            device: id.clone(),
            peer: request.peer.to_owned(),
            events: device.last_events.clone(),
        });
        events.push(AcsEvent::Message {
            time: request.time,
            device: Some(id),
            direction: Direction::CpeToAcs,
            rpc: "Inform".to_owned(),
            envelope: Box::new(envelope.clone()),
        });
        token
    }

    fn complete_in_flight(
        &mut self,
        token: &str,
        envelope: &Envelope,
        time: Timestamp,
        events: &mut Vec<AcsEvent>,
    ) -> bool {
        let Some(session) = self.sessions.get_mut(token) else { return false };
        let Some(in_flight) = session.in_flight.take() else { return false };
        if envelope.header.id.as_deref().is_some_and(|id| id != in_flight.id) {
            // CPEs that do not echo the ID still answer in order; one that echoes another ID does not.
            session.in_flight = Some(in_flight);
            return false;
        }
        let device = session.device.clone();
        let fault = match &envelope.message {
            Message::Fault(SoapFault { detail, .. }) => detail.clone(),
            _ => None,
        };
        if let (Message::GetParameterValuesResponse(response), Some(state)) =
            (&envelope.message, self.devices.get_mut(&device))
        {
            for parameter in &response.parameter_list {
                state
                    .parameters
                    .insert(parameter.name.to_string(), parameter.value.text.to_string());
                if CONNECTION_REQUEST_URL.contains(&parameter.name.as_str()) {
                    state.connection_request_url = Some(parameter.value.text.to_string());
                }
            }
        }
        events.push(AcsEvent::RpcCompleted {
            time,
            device,
            request_id: in_flight.id,
            request: in_flight.message.name().to_owned(),
            response: envelope.message.name().to_owned(),
            fault,
        });
        true
    }

    /// After an empty POST or a response: the device's next queued RPC, or 204 to end.
    fn next_request_or_end(
        &mut self,
        token: &str,
        time: Timestamp,
        mut events: Vec<AcsEvent>,
    ) -> AcsReply {
        let Some(session) = self.sessions.get(token) else {
            return reply(204, String::new(), events);
        };
        let device = session.device.clone();
        let awaiting_answer = session.in_flight.is_some();
        let next = if awaiting_answer {
            None
        } else {
            self.devices.get_mut(&device).and_then(|d| d.queue.pop_front())
        };
        match next {
            Some(rpc) => {
                let id = rpc.id.clone();
                let message = rpc.message.clone();
                if let Some(session) = self.sessions.get_mut(token) {
                    session.in_flight = Some(rpc);
                }
                self.send(token, Some(id), message, time, events)
            }
            None => {
                if awaiting_answer {
                    events.push(AcsEvent::Problem {
                        time,
                        device: Some(device.clone()),
                        message: "the CPE ended its requests without answering the RPC in flight; \
                                  it is queued again for the next session"
                            .to_owned(),
                    });
                    if let Some(rpc) = self.sessions.get_mut(token).and_then(|s| s.in_flight.take())
                        && let Some(state) = self.devices.get_mut(&device)
                    {
                        state.queue.push_front(rpc);
                    }
                }
                self.sessions.remove(token);
                if let Some(state) = self.devices.get_mut(&device) {
                    state.in_session = false;
                }
                events.push(AcsEvent::SessionEnded { time, device });
                reply(204, String::new(), events)
            }
        }
    }

    fn send(
        &mut self,
        token: &str,
        id: Option<String>,
        message: Message,
        time: Timestamp,
        mut events: Vec<AcsEvent>,
    ) -> AcsReply {
        let (version, device) = match self.sessions.get(token) {
            Some(session) => (session.version, Some(session.device.clone())),
            None => (CwmpVersion::V1_0, None),
        };
        let envelope = Envelope { version, header: Header { id, ..Header::default() }, message };
        let body = match cwmp::encode(&envelope, version) {
            Ok(body) => body,
            Err(refused) => {
                // Not valid in this session's CWMP version: dropped with a word, and the
                // session goes on with the next queued request rather than carry invalid XML.
                if let Some(session) = self.sessions.get_mut(token) {
                    session.in_flight = None;
                }
                events.push(AcsEvent::Problem {
                    time,
                    device,
                    message: format!("{} not sent: {refused}", envelope.message.name()),
                });
                return self.next_request_or_end(token, time, events);
            }
        };
        // Sent anyway (the engineer may be probing the CPE), but said.
        for problem in cwmp::version_problems(&envelope, version) {
            events.push(AcsEvent::Problem { time, device: device.clone(), message: problem });
        }
        events.push(AcsEvent::Message {
            time,
            device,
            direction: Direction::AcsToCpe,
            rpc: envelope.message.name().to_owned(),
            envelope: Box::new(envelope),
        });
        reply(200, body, events)
    }

    fn reply_without_session(
        &mut self,
        request: Envelope,
        fault: Message,
        time: Timestamp,
        mut events: Vec<AcsEvent>,
    ) -> AcsReply {
        let envelope = Envelope {
            version: request.version,
            header: Header { id: request.header.id, ..Header::default() },
            message: fault,
        };
        // The faults this ACS answers with are within every schema's codes.
        let body = cwmp::encode(&envelope, envelope.version).unwrap_or_default();
        events.push(AcsEvent::Message {
            time,
            device: None,
            direction: Direction::AcsToCpe,
            rpc: envelope.message.name().to_owned(),
            envelope: Box::new(envelope),
        });
        AcsReply { status: 500, body, set_session_cookie: None, events }
    }
}

fn reply(status: u16, body: String, events: Vec<AcsEvent>) -> AcsReply {
    AcsReply { status, body, set_session_cookie: None, events }
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
    use super::{Acs, CpeRequest, Message};
    use crate::base::Timestamp;
    use crate::cwmp;

    /// Plays `data` as a sequence of POST bodies separated by `0xFF` bytes (the first byte of
    /// each chunk picks cookie and peer), queuing a GetParameterValues for every known device so
    /// that sessions go deep. Checks: nothing panics, every 200 carries XML that decodes to one
    /// envelope, and a session cookie is only ever set by the answer to an Inform.
    pub fn check_session(data: &[u8]) -> Result<(), String> {
        let mut acs = Acs::new();
        let mut cookies: Vec<String> = Vec::new();
        for (index, chunk) in data.split(|&b| b == 0xFF).enumerate().take(64) {
            let (selector, body) = chunk.split_first().map_or((0, chunk), |(s, b)| (*s, b));
            let cookie = match selector % 3 {
                0 => None,
                _ => cookies.get(usize::from(selector) % cookies.len().max(1)).cloned(),
            };
            let peer = if selector & 0x80 == 0 { "192.0.2.1:1" } else { "192.0.2.2:2" };
            let token = format!("t{index}");
            let ids: Vec<String> =
                acs.devices().filter(|d| d.queue.is_empty()).map(|d| d.id.clone()).collect();
            for id in ids {
                let request = cwmp::GetParameterValues { parameter_names: vec!["Device.".into()] };
                acs.enqueue(&id, Message::GetParameterValues(request))
                    .map_err(|e| format!("a valid request refused: {e}"))?;
            }
            let reply = acs.handle(CpeRequest {
                body,
                session_cookie: cookie.as_deref(),
                peer,
                time: Timestamp::from_unix_nanos(i128::try_from(index).unwrap_or(0)),
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
            if let Some(cookie) = reply.set_session_cookie {
                cookies.push(cookie);
            }
        }
        Ok(())
    }
}
