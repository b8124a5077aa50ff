//! Every call the genieacs-sim test and the load bench make to the relay's API, in one place:
//! queue a task, list and read devices, ask for a connection request, follow the event stream.
//! Request bodies and the JSON shapes of answers and events are known here only, so a change of
//! the API's format is a change of this module.

use super::{Events, Server, request};
use cwmpkit_core::api::TaskForm;
use cwmpkit_core::model::plan::PlannedValue;
use std::collections::BTreeMap;

/// What the tests ask a device to do, independent of how the API spells it.
#[derive(Debug, Clone)]
pub enum Task {
    GetParameterNames {
        path: String,
        next_level: bool,
    },
    GetParameterValues {
        names: Vec<String>,
    },
    /// `(name, xsd type such as "xsd:string", value)` each.
    SetParameterValues {
        values: Vec<(String, String, String)>,
        parameter_key: String,
    },
    /// A firmware image (`1 Firmware Upgrade Image`) from `url`.
    Download {
        command_key: String,
        url: String,
    },
    /// A configuration backup (`1 Vendor Configuration File`) to `url`.
    Upload {
        url: String,
    },
    Reboot {
        command_key: String,
    },
    FactoryReset,
    GetRPCMethods,
}

/// The body of `POST /api/devices/{id}/rpcs` for `task`: the API's task form.
fn task_body(task: &Task) -> Vec<u8> {
    let form = match task {
        Task::GetParameterNames { path, next_level } => {
            TaskForm::GetParameterNames { parameter_path: path.clone(), next_level: *next_level }
        }
        Task::GetParameterValues { names } => {
            TaskForm::GetParameterValues { parameter_names: names.clone() }
        }
        Task::SetParameterValues { values, parameter_key } => TaskForm::SetParameterValues {
            parameter_list: values
                .iter()
                .map(|(name, xsd_type, value)| PlannedValue {
                    name: name.clone(),
                    value: value.clone(),
                    xsd_type: xsd_type.strip_prefix("xsd:").unwrap_or(xsd_type).to_owned(),
                })
                .collect(),
            parameter_key: parameter_key.clone(),
        },
        Task::Download { command_key, url } => TaskForm::Download {
            command_key: command_key.clone(),
            file_type: "1 Firmware Upgrade Image".to_owned(),
            url: url.clone(),
            username: String::new(),
            password: String::new(),
            file_size: 0,
            target_file_name: String::new(),
            delay_seconds: 0,
        },
        Task::Upload { url } => TaskForm::Upload {
            command_key: String::new(),
            file_type: "1 Vendor Configuration File".to_owned(),
            url: url.clone(),
            username: String::new(),
            password: String::new(),
            delay_seconds: 0,
        },
        Task::Reboot { command_key } => TaskForm::Reboot { command_key: command_key.clone() },
        Task::FactoryReset => TaskForm::FactoryReset,
        Task::GetRPCMethods => TaskForm::GetRPCMethods,
    };
    serde_json::to_vec(&form).unwrap()
}

/// A device ID as one path segment.
fn segment(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn json(status_wanted: u16, what: &str, reply: &super::Reply) -> serde_json::Value {
    assert_eq!(reply.status, status_wanted, "{what}: {}", reply.body);
    serde_json::from_str(&reply.body).unwrap_or_else(|e| panic!("{what}: {e} in {}", reply.body))
}

/// Queues `task` for `device`'s next session; returns the `cwmp:ID` it will go out with.
pub fn queue(server: &Server, device: &str, task: &Task) -> String {
    let reply = request(
        &server.app,
        "POST",
        &format!("/api/devices/{}/rpcs", segment(device)),
        &format!("{}Content-Type: application/json\r\n", server.bearer()),
        &task_body(task),
    );
    let queued = json(202, &format!("queueing {task:?} for {device}"), &reply);
    queued["id"].as_str().unwrap_or_else(|| panic!("no id in {queued}")).to_owned()
}

/// `GET /api/info`'s `files_url`: where devices fetch what `--files` holds.
pub fn files_url(server: &Server) -> String {
    let reply = request(&server.app, "GET", "/api/info", &server.bearer(), b"");
    let info = json(200, "reading /api/info", &reply);
    info["files_url"].as_str().unwrap_or_else(|| panic!("no files_url in {info}")).to_owned()
}

/// What the API says of one device.
#[derive(Debug)]
pub struct Device {
    pub connection_request_url: Option<String>,
    /// The last value seen of each parameter (Informs, GetParameterValuesResponses).
    pub parameters: BTreeMap<String, String>,
    /// RPCs still waiting for a session.
    pub queued: usize,
    pub in_session: bool,
}

/// `GET /api/devices`: the IDs of the devices the relay knows.
pub fn device_ids(server: &Server) -> Vec<String> {
    let reply = request(&server.app, "GET", "/api/devices", &server.bearer(), b"");
    let devices = json(200, "listing devices", &reply);
    devices
        .as_array()
        .unwrap_or_else(|| panic!("not a list of devices: {devices}"))
        .iter()
        .map(|d| d["id"].as_str().unwrap_or_else(|| panic!("a device without id: {d}")).to_owned())
        .collect()
}

/// `GET /api/devices/{id}`.
pub fn device(server: &Server, id: &str) -> Device {
    let reply = request(
        &server.app,
        "GET",
        &format!("/api/devices/{}", segment(id)),
        &server.bearer(),
        b"",
    );
    let device = json(200, &format!("reading {id}"), &reply);
    let parameters = device["parameters"]
        .as_object()
        .unwrap_or_else(|| panic!("no parameters in {device}"))
        .iter()
        .map(|(name, value)| (name.clone(), value.as_str().unwrap_or_default().to_owned()))
        .collect();
    Device {
        connection_request_url: device["connection_request_url"].as_str().map(str::to_owned),
        parameters,
        queued: device["queue"].as_array().map_or(0, Vec::len),
        in_session: device["in_session"].as_bool().unwrap_or(false),
    }
}

/// The relay's account of a connection request it sent.
#[derive(Debug)]
pub struct ConnectionRequest {
    /// The status the CPE answered with.
    pub status: Option<u64>,
    /// The CPE took it (200 or 204): it will open a session.
    pub accepted: bool,
}

/// `POST /api/devices/{id}/connection-request` with the relay's own credentials.
pub fn connection_request(server: &Server, id: &str) -> ConnectionRequest {
    let reply = request(
        &server.app,
        "POST",
        &format!("/api/devices/{}/connection-request", segment(id)),
        &server.bearer(),
        b"",
    );
    let outcome = json(200, &format!("connection request to {id}"), &reply);
    ConnectionRequest {
        status: outcome["status"].as_u64(),
        accepted: outcome["accepted"].as_bool().unwrap_or(false),
    }
}

/// A queued RPC's answer, as the event stream reports it.
#[derive(Debug)]
pub struct Completed {
    pub request: String,
    pub response: String,
    /// `(FaultCode, FaultString)` when the CPE answered with a fault.
    pub fault: Option<(u64, String)>,
    /// When the event reached this reader.
    pub arrived: std::time::Instant,
}

/// The event stream, with every event kept: a wait looks through what arrived before it, so
/// tests can wait for events in any order.
pub struct EventLog {
    events: Events,
    /// Every event so far, with when it arrived.
    seen: Vec<(std::time::Instant, serde_json::Value)>,
}

impl EventLog {
    /// Subscribes; whatever happens after this returns is seen.
    pub fn subscribe(server: &Server) -> EventLog {
        EventLog { events: Events::subscribe(server), seen: Vec::new() }
    }

    /// The first event (seen already or still to come) that passes `check`; panics, listing the
    /// events seen, when the stream goes quiet first.
    fn wait(
        &mut self,
        what: &str,
        mut check: impl FnMut(&serde_json::Value) -> bool,
    ) -> (std::time::Instant, serde_json::Value) {
        if let Some(found) = self.seen.iter().find(|(_, e)| check(e)) {
            return found.clone();
        }
        while let Some(event) = self.events.next() {
            self.seen.push((std::time::Instant::now(), event));
            let last = &self.seen[self.seen.len() - 1];
            if check(&last.1) {
                return last.clone();
            }
        }
        let kinds: Vec<String> = self.seen.iter().map(|(_, e)| summary(e)).collect();
        panic!("no event {what}; saw {kinds:#?}");
    }

    /// The event codes of `device`'s first session since the subscription (`0 BOOTSTRAP`, …).
    pub fn session_started(&mut self, device: &str) -> Vec<String> {
        self.session_started_after(device, 0)
    }

    /// The event codes of `device`'s session number `earlier + 1` since the subscription.
    pub fn session_started_after(&mut self, device: &str, earlier: usize) -> Vec<String> {
        let is_start =
            |e: &serde_json::Value| e["event"] == "session-started" && e["device"] == device;
        let mut count = 0;
        let (_, started) =
            self.wait(&format!("session-started #{} for {device}", earlier + 1), |e| {
                is_start(e) && {
                    count += 1;
                    count > earlier
                }
            });
        started["events"]
            .as_array()
            .map(|codes| codes.iter().filter_map(|c| c.as_str()).map(str::to_owned).collect())
            .unwrap_or_default()
    }

    /// Waits until `device` has ended `count` sessions since the subscription.
    pub fn sessions_ended(&mut self, device: &str, count: usize) {
        let mut seen = 0;
        self.wait(&format!("session-ended #{count} for {device}"), |e| {
            e["event"] == "session-ended" && e["device"] == device && {
                seen += 1;
                seen >= count
            }
        });
    }

    /// The answer to the queued RPC `request_id` of `device`.
    pub fn completed(&mut self, device: &str, request_id: &str) -> Completed {
        let (arrived, event) =
            self.wait(&format!("rpc-completed {request_id} for {device}"), |e| {
                e["event"] == "rpc-completed"
                    && e["device"] == device
                    && e["request_id"] == request_id
            });
        let text = |field: &str| event[field].as_str().unwrap_or_default().to_owned();
        let fault = event["fault"].as_object().map(|fault| {
            (
                fault["fault_code"].as_u64().unwrap_or_default(),
                fault["fault_string"].as_str().unwrap_or_default().to_owned(),
            )
        });
        Completed { request: text("request"), response: text("response"), fault, arrived }
    }

    /// The content of the `number`th (from 1) message `rpc` that `device` sent, as core
    /// serializes the message (e.g. a TransferComplete's `command_key` and `fault_struct`).
    pub fn sent_by_cpe(&mut self, device: &str, rpc: &str, number: usize) -> serde_json::Value {
        let mut seen = 0;
        let (_, event) = self.wait(&format!("{rpc} #{number} from {device}"), |e| {
            e["event"] == "message"
                && e["direction"] == "cpe-to-acs"
                && e["device"] == device
                && e["rpc"] == rpc
                && {
                    seen += 1;
                    seen >= number
                }
        });
        event["envelope"]["message"][rpc].clone()
    }

    /// Problems the relay reported so far (their messages), among the events seen.
    pub fn problems(&self) -> Vec<String> {
        self.seen
            .iter()
            .filter(|(_, e)| e["event"] == "problem")
            .map(|(_, e)| e["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

/// One line per event, for failure messages.
fn summary(event: &serde_json::Value) -> String {
    let field = |name: &str| event[name].as_str().unwrap_or_default();
    format!(
        "{} {} {} {} {}",
        field("event"),
        field("device"),
        field("rpc"),
        field("request_id"),
        field("message")
    )
}
