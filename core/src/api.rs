//! The relay's HTTP API as types, shared by the relay (`cwmpkit serve`, which answers with them)
//! and the app (which sends and reads them), so that neither reads JSON by string keys.
//!
//! - Requests: [`TaskForm`] (`POST /api/devices/{id}/rpcs`): what an engineer asks of a device,
//!   turned into the CWMP request by [`TaskForm::to_message`], which checks it as strictly as the
//!   encoder will and names the form's field that is wrong; [`ConnectionRequestForm`].
//! - Answers: [`RelayInfo`], [`DeviceSummary`] and [`DeviceDetail`], [`Queued`], [`UploadEntry`]
//!   (with its index record, [`UploadReceived`]), [`ApiError`] (`{error, field}`), and
//!   [`StreamEvent`], one event of `/api/events`.
//!
//! Secrets are write-only: a value queued or reported for a parameter whose name says it is a
//! secret ([`is_secret_parameter`]), and the passwords and URL user info of Download and
//! Upload, are masked ([`MASK`]) in every answer and event built here.

use crate::acs::{AcsEvent, Device, Direction, PreparedRpc, QueueError, SessionEnd};
use crate::base::Timestamp;
use crate::capture::{
    self,
    record::{self, Exchange, RecorderOptions},
};
use crate::cwmp::secrets::{MASK, is_secret_parameter};
use crate::cwmp::{self, CwmpFault, CwmpVersion, Envelope, Header, Message};
use crate::model::plan::{PlannedAttributes, PlannedRpc, PlannedValue};
use crate::pipeline;
use crate::session::Session;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The CWMP version a task is checked against: the newest schema, as the ACS checks what it
/// queues (a session in an older version checks it again when it is sent).
const CHECKED_VERSION: CwmpVersion = crate::acs::NEWEST;

/// A request an engineer queues for a device: the RPCs an ACS sends, each with the fields a
/// form asks for (the rest take CWMP's defaults). Fields are named as in core's CWMP messages.
/// In JSON: `{"rpc": "GetParameterValues", "parameter_names": ["Device.DeviceInfo."]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rpc", deny_unknown_fields)]
pub enum TaskForm {
    /// Which RPCs the CPE supports.
    GetRPCMethods,
    GetParameterNames {
        parameter_path: String,
        #[serde(default)]
        next_level: bool,
    },
    GetParameterValues {
        parameter_names: Vec<String>,
    },
    SetParameterValues {
        parameter_list: Vec<PlannedValue>,
        #[serde(default)]
        parameter_key: String,
    },
    GetParameterAttributes {
        parameter_names: Vec<String>,
    },
    SetParameterAttributes {
        parameter_list: Vec<PlannedAttributes>,
    },
    AddObject {
        object_name: String,
        #[serde(default)]
        parameter_key: String,
    },
    DeleteObject {
        object_name: String,
        #[serde(default)]
        parameter_key: String,
    },
    Reboot {
        #[serde(default)]
        command_key: String,
    },
    FactoryReset,
    ScheduleInform {
        delay_seconds: u32,
        #[serde(default)]
        command_key: String,
    },
    Download {
        #[serde(default)]
        command_key: String,
        file_type: String,
        url: String,
        #[serde(default)]
        username: String,
        #[serde(default)]
        password: String,
        #[serde(default)]
        file_size: u32,
        #[serde(default)]
        target_file_name: String,
        #[serde(default)]
        delay_seconds: u32,
    },
    Upload {
        #[serde(default)]
        command_key: String,
        file_type: String,
        url: String,
        #[serde(default)]
        username: String,
        #[serde(default)]
        password: String,
        #[serde(default)]
        delay_seconds: u32,
    },
}

/// An answer that refuses: what is wrong and, for a task form, which field (`parameter_key`,
/// `parameter_list[2].value`); for a limit that was hit, the flag that sets it and its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The relay's flag whose limit refused the request, e.g. `--max-queued`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u64>,
}

impl ApiError {
    pub fn new(error: impl Into<String>) -> ApiError {
        ApiError { error: error.into(), field: None, limit: None, max: None }
    }

    pub fn in_field(field: impl Into<String>, error: impl Into<String>) -> ApiError {
        ApiError { field: Some(field.into()), ..ApiError::new(error) }
    }

    pub fn limit_reached(error: impl Into<String>, flag: &str, max: u64) -> ApiError {
        ApiError { limit: Some(flag.to_owned()), max: Some(max), ..ApiError::new(error) }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{field}: {}", self.error),
            None => f.write_str(&self.error),
        }
    }
}

impl std::error::Error for ApiError {}

/// Why a request body is not a task: JSON that cannot be read at all (400), or JSON that
/// reads but is no valid task (422).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskRefused {
    Unreadable(ApiError),
    Invalid(ApiError),
}

/// Reads a `POST /api/devices/{id}/rpcs` body and checks it: the task and its CWMP request,
/// ready to queue.
pub fn read_task(body: &[u8]) -> Result<(TaskForm, PreparedRpc), TaskRefused> {
    let task: TaskForm = serde_json::from_slice(body).map_err(|error| {
        let at = format!("line {}, column {}", error.line(), error.column());
        if error.is_data() {
            let text = error.to_string();
            let field = if text.starts_with("unknown variant") {
                Some("rpc")
            } else if text.starts_with("missing field") || text.starts_with("unknown field") {
                backquoted(&text)
            } else {
                None
            };
            TaskRefused::Invalid(ApiError {
                field: field.map(str::to_owned),
                ..ApiError::new(format!("not a task form ({at}): {text}"))
            })
        } else {
            TaskRefused::Unreadable(ApiError::new(format!("not JSON ({at}): {error}")))
        }
    })?;
    let prepared = task.prepare().map_err(TaskRefused::Invalid)?;
    Ok((task, prepared))
}

/// The first `` `name` `` in serde's message (`missing field `url``), the field it is about.
fn backquoted(text: &str) -> Option<&str> {
    let start = text.find('`')? + 1;
    let length = text[start..].find('`')?;
    Some(&text[start..start + length])
}

impl TaskForm {
    /// The RPC's name, e.g. `SetParameterValues`.
    pub fn rpc(&self) -> &'static str {
        match self {
            TaskForm::GetRPCMethods => "GetRPCMethods",
            TaskForm::GetParameterNames { .. } => "GetParameterNames",
            TaskForm::GetParameterValues { .. } => "GetParameterValues",
            TaskForm::SetParameterValues { .. } => "SetParameterValues",
            TaskForm::GetParameterAttributes { .. } => "GetParameterAttributes",
            TaskForm::SetParameterAttributes { .. } => "SetParameterAttributes",
            TaskForm::AddObject { .. } => "AddObject",
            TaskForm::DeleteObject { .. } => "DeleteObject",
            TaskForm::Reboot { .. } => "Reboot",
            TaskForm::FactoryReset => "FactoryReset",
            TaskForm::ScheduleInform { .. } => "ScheduleInform",
            TaskForm::Download { .. } => "Download",
            TaskForm::Upload { .. } => "Upload",
        }
    }

    /// The CWMP request, checked: what a form can get wrong that the schema allows (an empty
    /// list of values, an object path where a parameter is set, a value set twice), then the
    /// encoder's facets (lengths, patterns, value types, occurrences). The error names the field.
    pub fn to_message(&self) -> Result<Message, ApiError> {
        self.prepare().map(PreparedRpc::into_message)
    }

    /// As [`to_message`](Self::to_message), ready to queue ([`crate::acs::Acs::enqueue_prepared`]):
    /// the one check of the newest schema serves both.
    pub fn prepare(&self) -> Result<PreparedRpc, ApiError> {
        self.check_form()?;
        PreparedRpc::new(self.build()).map_err(|refused| match refused {
            QueueError::Invalid(refused) => self.name_refusal(&refused),
            other => ApiError::new(other.to_string()),
        })
    }

    /// The task as the RPC it plans: SetParameterValues, SetParameterAttributes, AddObject and
    /// DeleteObject of a Parameters-page plan.
    pub fn from_planned(planned: &PlannedRpc) -> TaskForm {
        match planned {
            PlannedRpc::AddObject { object_name, parameter_key, .. } => TaskForm::AddObject {
                object_name: object_name.clone(),
                parameter_key: parameter_key.clone(),
            },
            PlannedRpc::DeleteObject { object_name, parameter_key } => TaskForm::DeleteObject {
                object_name: object_name.clone(),
                parameter_key: parameter_key.clone(),
            },
            PlannedRpc::SetParameterValues { parameter_list, parameter_key } => {
                TaskForm::SetParameterValues {
                    parameter_list: parameter_list.clone(),
                    parameter_key: parameter_key.clone(),
                }
            }
            PlannedRpc::SetParameterAttributes { parameter_list } => {
                TaskForm::SetParameterAttributes { parameter_list: parameter_list.clone() }
            }
        }
    }

    /// The same task with its secrets masked, to show or to keep where it may be read.
    pub fn masked(&self) -> TaskForm {
        let mut task = self.clone();
        match &mut task {
            TaskForm::SetParameterValues { parameter_list, .. } => {
                for value in parameter_list.iter_mut() {
                    value.value = shown_value(&value.name, &value.value).into_owned();
                }
            }
            TaskForm::Download { url, password, .. } | TaskForm::Upload { url, password, .. } => {
                *url = redact_url(url);
                mask(password);
            }
            _ => {}
        }
        task
    }

    fn build(&self) -> Message {
        match self {
            TaskForm::GetParameterNames { parameter_path, next_level } => {
                Message::GetParameterNames(cwmp::GetParameterNames {
                    parameter_path: parameter_path.clone(),
                    next_level: *next_level,
                })
            }
            TaskForm::GetParameterValues { parameter_names } => {
                Message::GetParameterValues(cwmp::GetParameterValues {
                    parameter_names: parameter_names
                        .iter()
                        .map(|name| cwmp::Text::from(name.as_str()))
                        .collect(),
                })
            }
            TaskForm::GetParameterAttributes { parameter_names } => {
                Message::GetParameterAttributes(cwmp::GetParameterAttributes {
                    parameter_names: parameter_names.clone(),
                })
            }
            TaskForm::SetParameterValues { parameter_list, parameter_key } => {
                PlannedRpc::SetParameterValues {
                    parameter_list: parameter_list.clone(),
                    parameter_key: parameter_key.clone(),
                }
                .to_message()
            }
            TaskForm::SetParameterAttributes { parameter_list } => {
                PlannedRpc::SetParameterAttributes { parameter_list: parameter_list.clone() }
                    .to_message()
            }
            TaskForm::AddObject { object_name, parameter_key } => {
                Message::AddObject(cwmp::AddObject {
                    object_name: object_name.clone(),
                    parameter_key: parameter_key.clone(),
                })
            }
            TaskForm::DeleteObject { object_name, parameter_key } => {
                Message::DeleteObject(cwmp::DeleteObject {
                    object_name: object_name.clone(),
                    parameter_key: parameter_key.clone(),
                })
            }
            TaskForm::Reboot { command_key } => {
                Message::Reboot(cwmp::Reboot { command_key: command_key.clone() })
            }
            TaskForm::FactoryReset => Message::FactoryReset,
            TaskForm::GetRPCMethods => Message::GetRPCMethods,
            TaskForm::ScheduleInform { delay_seconds, command_key } => {
                Message::ScheduleInform(cwmp::ScheduleInform {
                    delay_seconds: *delay_seconds,
                    command_key: command_key.clone(),
                })
            }
            TaskForm::Download {
                command_key,
                file_type,
                url,
                username,
                password,
                file_size,
                target_file_name,
                delay_seconds,
            } => Message::Download(cwmp::Download {
                command_key: command_key.clone(),
                file_type: file_type.clone(),
                url: url.clone(),
                username: username.clone(),
                password: password.clone(),
                file_size: *file_size,
                target_file_name: target_file_name.clone(),
                delay_seconds: *delay_seconds,
                ..cwmp::Download::default()
            }),
            TaskForm::Upload { command_key, file_type, url, username, password, delay_seconds } => {
                Message::Upload(cwmp::Upload {
                    command_key: command_key.clone(),
                    file_type: file_type.clone(),
                    url: url.clone(),
                    username: username.clone(),
                    password: password.clone(),
                    delay_seconds: *delay_seconds,
                })
            }
        }
    }

    /// What the schema allows but no engineer means.
    fn check_form(&self) -> Result<(), ApiError> {
        match self {
            TaskForm::GetParameterValues { parameter_names }
            | TaskForm::GetParameterAttributes { parameter_names } => {
                if parameter_names.is_empty() {
                    return Err(ApiError::in_field(
                        "parameter_names",
                        "name at least one parameter or object path",
                    ));
                }
            }
            TaskForm::SetParameterValues { parameter_list, .. } => {
                if parameter_list.is_empty() {
                    return Err(ApiError::in_field("parameter_list", "set at least one value"));
                }
                let mut seen = BTreeSet::new();
                for (index, value) in parameter_list.iter().enumerate() {
                    let field = format!("parameter_list[{index}].name");
                    if value.name.is_empty() || value.name.ends_with('.') {
                        return Err(ApiError::in_field(
                            field,
                            format!(
                                "`{}` is not a parameter's full name (an object path ends with `.`)",
                                value.name
                            ),
                        ));
                    }
                    if !seen.insert(value.name.as_str()) {
                        return Err(ApiError::in_field(
                            field,
                            format!(
                                "{} is set twice in one request (the CPE would answer fault 9003)",
                                value.name
                            ),
                        ));
                    }
                }
            }
            TaskForm::SetParameterAttributes { parameter_list } => {
                if parameter_list.is_empty() {
                    return Err(ApiError::in_field(
                        "parameter_list",
                        "change the attributes of at least one parameter",
                    ));
                }
                for (index, attributes) in parameter_list.iter().enumerate() {
                    if attributes.name.is_empty() {
                        return Err(ApiError::in_field(
                            format!("parameter_list[{index}].name"),
                            "name the parameter or object path",
                        ));
                    }
                    if !attributes.notification_change && !attributes.access_list_change {
                        return Err(ApiError::in_field(
                            format!("parameter_list[{index}]"),
                            format!(
                                "changes neither the notification nor the access list of {}",
                                attributes.name
                            ),
                        ));
                    }
                }
            }
            TaskForm::DeleteObject { object_name, .. } => {
                let instance = object_name.strip_suffix('.').and_then(|o| o.rsplit('.').next());
                let is_instance = instance.is_some_and(|i| {
                    (!i.is_empty() && i.bytes().all(|b| b.is_ascii_digit()))
                        || (i.starts_with('[') && i.ends_with(']'))
                });
                if !is_instance {
                    return Err(ApiError::in_field(
                        "object_name",
                        format!(
                            "`{object_name}` is not an object instance (a path ending in its number and `.`, e.g. `Device.IP.Interface.2.`)"
                        ),
                    ));
                }
            }
            TaskForm::Download { url, .. } | TaskForm::Upload { url, .. } => {
                if url.trim().is_empty() {
                    return Err(ApiError::in_field("url", "name the URL of the file"));
                }
            }
            TaskForm::GetRPCMethods
            | TaskForm::GetParameterNames { .. }
            | TaskForm::AddObject { .. }
            | TaskForm::Reboot { .. }
            | TaskForm::FactoryReset
            | TaskForm::ScheduleInform { .. } => {}
        }
        Ok(())
    }

    /// The form field an encoder refusal is about. Its path names the element
    /// (`Envelope/Body/Download/URL`); in a list, the item is found by checking each alone.
    fn name_refusal(&self, refused: &cwmp::EncodeError) -> ApiError {
        let error = format!("`{}` {} ({})", refused.value, refused.problem, refused.facet);
        let inside = refused.path.splitn(4, '/').nth(3).unwrap_or_default();
        let mut parts = inside.split('/');
        let first = parts.next().unwrap_or_default();
        let list = match first {
            "ParameterList" | "ParameterNames" => Some(first),
            _ => None,
        };
        let Some(list) = list else {
            return ApiError::in_field(snake_case(first), error);
        };
        let list_field = snake_case(list);
        let item_leaf: Vec<&str> = parts.skip(1).collect();
        let counted =
            refused.facet.starts_with("minOccurs") || refused.facet.starts_with("maxOccurs");
        if counted && item_leaf.is_empty() {
            return ApiError::in_field(list_field, error);
        }
        let index = (0..self.list_len()).find(|&index| {
            let alone = self.only_item(index);
            let envelope = Envelope {
                version: CHECKED_VERSION,
                header: Header::default(),
                message: alone.build(),
            };
            cwmp::encode(&envelope, CHECKED_VERSION).is_err()
        });
        let item = match index {
            Some(index) => format!("{list_field}[{index}]"),
            None => list_field,
        };
        match item_leaf.first() {
            Some(leaf) => ApiError::in_field(format!("{item}.{}", snake_case(leaf)), error),
            None => ApiError::in_field(item, error),
        }
    }

    fn list_len(&self) -> usize {
        match self {
            TaskForm::GetParameterValues { parameter_names }
            | TaskForm::GetParameterAttributes { parameter_names } => parameter_names.len(),
            TaskForm::SetParameterValues { parameter_list, .. } => parameter_list.len(),
            TaskForm::SetParameterAttributes { parameter_list } => parameter_list.len(),
            _ => 0,
        }
    }

    /// The task with only the `index`th item of its list.
    fn only_item(&self, index: usize) -> TaskForm {
        fn one<T: Clone>(items: &[T], index: usize) -> Vec<T> {
            items.get(index).cloned().into_iter().collect()
        }
        match self {
            TaskForm::GetParameterValues { parameter_names } => {
                TaskForm::GetParameterValues { parameter_names: one(parameter_names, index) }
            }
            TaskForm::GetParameterAttributes { parameter_names } => {
                TaskForm::GetParameterAttributes { parameter_names: one(parameter_names, index) }
            }
            TaskForm::SetParameterValues { parameter_list, parameter_key } => {
                TaskForm::SetParameterValues {
                    parameter_list: one(parameter_list, index),
                    parameter_key: parameter_key.clone(),
                }
            }
            TaskForm::SetParameterAttributes { parameter_list } => {
                TaskForm::SetParameterAttributes { parameter_list: one(parameter_list, index) }
            }
            other => other.clone(),
        }
    }
}

/// `ParameterKey` → `parameter_key`, `URL` → `url`: an element's name as a form field.
fn snake_case(element: &str) -> String {
    let chars: Vec<char> = element.chars().collect();
    let mut out = String::with_capacity(element.len() + 4);
    for (index, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && index > 0 {
            let previous = chars[index - 1];
            let next_is_lower = chars.get(index + 1).is_some_and(char::is_ascii_lowercase);
            if previous.is_ascii_lowercase() || (previous.is_ascii_uppercase() && next_is_lower) {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// A parameter's value as answers and events show it: a secret masked, a URL without its
/// user info.
pub fn shown_value<'a>(name: &str, value: &'a str) -> std::borrow::Cow<'a, str> {
    if value.is_empty() {
        return value.into();
    }
    if is_secret_parameter(name) {
        return MASK.into();
    }
    if name.ends_with("URL") && value.contains('@') {
        return redact_url(value).into();
    }
    value.into()
}

fn mask(value: &mut String) {
    if !value.is_empty() {
        MASK.clone_into(value);
    }
}

/// `url` without its user info (`http://user:pass@host/` → `http://host/`).
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://{host}{path}"),
        None => url.to_owned(),
    }
}

/// Masks the secrets a message carries: values of secret parameters (SetParameterValues,
/// GetParameterValuesResponse, Inform) and the credentials of transfers.
pub fn mask_message(message: &mut Message) {
    let values = match message {
        Message::SetParameterValues(request) => Some(&mut request.parameter_list),
        Message::GetParameterValuesResponse(response) => Some(&mut response.parameter_list),
        Message::Inform(inform) => Some(&mut inform.parameter_list),
        _ => None,
    };
    if let Some(values) = values {
        for parameter in values.iter_mut() {
            let shown = shown_value(&parameter.name, &parameter.value.text);
            if shown != parameter.value.text.as_str() {
                parameter.value.text = shown.as_ref().into();
            }
        }
        return;
    }
    match message {
        Message::Download(cwmp::Download { url, password, .. })
        | Message::Upload(cwmp::Upload { url, password, .. })
        | Message::ScheduleDownload(cwmp::ScheduleDownload { url, password, .. }) => {
            *url = redact_url(url);
            mask(password);
        }
        Message::ChangeDUState(change) => {
            for operation in &mut change.operations {
                if let cwmp::Operation::Install { password: Some(password), .. }
                | cwmp::Operation::Update { password: Some(password), .. } = operation
                {
                    mask(password);
                }
            }
        }
        _ => {}
    }
}

/// The parameters, objects or URL an RPC is about (no values), to list a queue without
/// showing what it would write.
pub fn targets_of(message: &Message) -> Vec<String> {
    match message {
        Message::GetParameterValues(request) => {
            request.parameter_names.iter().map(ToString::to_string).collect()
        }
        Message::GetParameterAttributes(request) => request.parameter_names.clone(),
        Message::GetParameterNames(request) => vec![request.parameter_path.clone()],
        Message::SetParameterValues(request) => {
            request.parameter_list.iter().map(|p| p.name.to_string()).collect()
        }
        Message::SetParameterAttributes(request) => {
            request.parameter_list.iter().map(|p| p.name.to_string()).collect()
        }
        Message::AddObject(request) => vec![request.object_name.clone()],
        Message::DeleteObject(request) => vec![request.object_name.clone()],
        Message::Download(request) => vec![redact_url(&request.url)],
        Message::Upload(request) => vec![redact_url(&request.url)],
        Message::ScheduleDownload(request) => vec![redact_url(&request.url)],
        _ => Vec::new(),
    }
}

/// `GET /api/info`: where devices reach the relay (the ACS URL, and the bases of the
/// `/files/` and `/uploads/` URLs of Download and Upload tasks: the devices' listener, not
/// the app's origin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayInfo {
    pub acs_url: String,
    pub files_url: String,
    pub uploads_url: String,
}

/// One device in `GET /api/devices`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceSummary {
    /// `OUI-ProductClass-SerialNumber`.
    pub id: String,
    pub device_id: cwmp::DeviceId,
    /// Without user info.
    pub connection_request_url: Option<String>,
    pub last_inform: Option<Timestamp>,
    pub last_events: Vec<String>,
    /// RPCs waiting for the device's next session.
    pub queued: usize,
    pub in_session: bool,
}

/// `GET /api/devices/{id}`: a device with its last known values and its queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceDetail {
    #[serde(flatten)]
    pub summary: DeviceSummary,
    /// The last value seen of each parameter; secrets masked.
    pub parameters: BTreeMap<String, String>,
    pub queue: Vec<QueuedTask>,
}

/// An RPC waiting in a device's queue: what it is and what it touches, never the values it
/// writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedTask {
    /// Its `cwmp:ID`.
    pub id: String,
    pub rpc: String,
    pub targets: Vec<String>,
}

impl DeviceSummary {
    pub fn of(device: &Device) -> DeviceSummary {
        DeviceSummary {
            id: device.id.clone(),
            device_id: device.device_id.clone(),
            connection_request_url: device.connection_request_url.as_deref().map(redact_url),
            last_inform: device.last_inform,
            last_events: device.last_events.clone(),
            queued: device.queue.len(),
            in_session: device.in_session,
        }
    }
}

impl DeviceDetail {
    pub fn of(device: &Device) -> DeviceDetail {
        let parameters = device
            .parameters
            .iter()
            .map(|(name, value)| (name.clone(), shown_value(name, value).into_owned()))
            .collect();
        let queue = device
            .queue
            .iter()
            .map(|queued| QueuedTask {
                id: queued.id.clone(),
                rpc: queued.message.name().to_owned(),
                targets: targets_of(&queued.message),
            })
            .collect();
        DeviceDetail { summary: DeviceSummary::of(device), parameters, queue }
    }
}

/// `POST /api/devices/{id}/rpcs` answers 202 with the request's `cwmp:ID`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queued {
    pub id: String,
}

/// `POST /api/devices/{id}/connection-request`: credentials for this one request, and which
/// of the device's own addresses to use. There is no field for a target: the relay connects
/// only where the device said.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionRequestForm {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Default: http when the device reported a ConnectionRequestURL, else udp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<Via>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    /// The ConnectionRequestURL.
    Http,
    /// The UDPConnectionRequestAddress (TR-111).
    Udp,
}

/// What came of a connection request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionRequestOutcome {
    /// The final HTTP status the CPE answered; none for UDP, which is not answered.
    pub status: Option<u16>,
    /// True for 200 and 204: the CPE will call the ACS. For UDP: the datagrams went out.
    pub accepted: bool,
    /// The scheme the CPE challenged with and the relay answered (`Digest`, `Basic`), if any.
    pub authentication: Option<String>,
    /// `http`, `https` or `udp`.
    pub transport: String,
}

/// One stored upload in `GET /api/uploads`: a file found in `--uploads DIR`, with what the relay
/// recorded when it stored it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadEntry {
    pub name: String,
    pub bytes: u64,
    /// Seconds since the Unix epoch of its last write.
    pub modified: u64,
    /// From the Aastra naming: `config backup` (`<MAC>_local.cfg`), `crash log`
    /// (`<MAC>_<TIME>_crash.log`), or `file`.
    pub kind: String,
    /// Its record in the relay's uploads index; `null` for a file the index does not know: put
    /// in the folder by hand, stored before the index existed, or changed since it was stored.
    #[serde(default)]
    pub received: Option<UploadReceived>,
}

/// What the relay recorded of an upload it stored (the uploads index, in `--data-dir`'s
/// database).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadReceived {
    /// When it was stored whole.
    pub time: Timestamp,
    /// The address it came from, as the relay saw it (a NAT's, behind one).
    pub peer: String,
    /// The user it authenticated as; `None` when device authentication is off.
    #[serde(default)]
    pub username: Option<String>,
    /// The device that sent it, when the relay can tell (`device_from` says how).
    #[serde(default)]
    pub device: Option<String>,
    #[serde(default)]
    pub device_from: Option<UploadSender>,
}

/// How the relay knows which device sent an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UploadSender {
    /// It authenticated with the device's own credential (`--cpe-credentials`), which no other
    /// entry shares: proof, as far as the credential is secret.
    OwnCredential,
    /// The relay sent this device, and no other, an Upload RPC whose URL names the file: the
    /// device was asked to send it, but anyone holding a shared credential could have.
    UploadRpc,
}

/// `GET /api/devices/{id}/sessions`: the device's recent sessions on this relay, built from the
/// exchanges the relay kept exactly as a capture's are (the same recorder, which masks every
/// secret, and the same pipeline and conformance checker), so the Live page shows them with the
/// Decode page's views.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceSessions {
    pub sessions: Vec<Session>,
    /// Exchanges kept (each a request and its response).
    pub exchanges: usize,
    /// Older exchanges were let go for the history's byte limits: the first session may start
    /// part-way.
    pub trimmed: bool,
    /// Exchanges that could not be framed again, and why (they are left out).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unrecorded: Vec<String>,
}

impl DeviceSessions {
    /// Decodes `exchanges` (oldest first) as the capture they make, its connections closed at
    /// `end`.
    pub fn of_exchanges<'a>(
        exchanges: impl IntoIterator<Item = Exchange<'a>>,
        end: Timestamp,
        trimmed: bool,
    ) -> DeviceSessions {
        let mut count = 0;
        let exchanges = exchanges.into_iter().inspect(|_| count += 1);
        let (capture, refused) = record::capture_of(exchanges, RecorderOptions::default(), end);
        let (report, error) = pipeline::analyze_parts(&capture, &capture::Options::default());
        let mut unrecorded: Vec<String> =
            refused.iter().map(|e| format!("the {}: {}", e.which, e.reason)).collect();
        if let Some(error) = error {
            unrecorded.push(error.to_string());
        }
        DeviceSessions { sessions: report.sessions, exchanges: count, trimmed, unrecorded }
    }
}

/// One event of `GET /api/events` (server-sent events, one JSON object each, tagged by
/// `event`): what the ACS did, and what the relay did or refused. `E` is how the envelope of a
/// `message` event is read: the whole envelope by default, `serde::de::IgnoredAny` for a reader
/// that does not show it (an Inform may be megabytes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum StreamEvent<E = Box<Envelope>> {
    SessionStarted {
        time: Timestamp,
        device: String,
        peer: String,
        events: Vec<String>,
    },
    /// A message in either direction, as decoded or as sent; secrets masked.
    Message {
        time: Timestamp,
        device: Option<String>,
        direction: Direction,
        rpc: String,
        envelope: E,
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
    /// An RPC was queued for a device (through the API, by any client): its next session
    /// fetches it. Its arguments are not in the event (they may hold a password).
    RpcQueued {
        time: Timestamp,
        device: String,
        request_id: String,
        rpc: String,
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
    /// Something refused or impossible; `code` (`limit-connections`, `auth-failed`, …) is
    /// stable where the relay gives one.
    Problem {
        time: Timestamp,
        device: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<String>,
        message: String,
    },
    /// A CPE uploaded a file.
    Upload {
        time: Timestamp,
        name: String,
        bytes: u64,
        peer: String,
        /// The device that sent it, when the relay can tell ([`UploadReceived::device`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        device: Option<String>,
    },
    ConnectionRequest {
        time: Timestamp,
        device: String,
        /// Without user info.
        url: String,
        outcome: Option<ConnectionRequestOutcome>,
        error: Option<String>,
    },
    /// This reader fell too far behind and is dropped; it may reconnect.
    Dropped {
        reason: String,
    },
    /// An event this reader does not know (a newer relay).
    #[serde(other)]
    Other,
}

impl StreamEvent {
    /// The event of an ACS event, its envelope's secrets masked.
    pub fn from_acs(event: &AcsEvent) -> StreamEvent {
        match event {
            AcsEvent::SessionStarted { time, device, peer, events } => {
                StreamEvent::SessionStarted {
                    time: *time,
                    device: device.clone(),
                    peer: peer.clone(),
                    events: events.clone(),
                }
            }
            AcsEvent::Message { time, device, direction, rpc, envelope } => {
                let mut envelope = envelope.clone();
                mask_message(&mut envelope.message);
                StreamEvent::Message {
                    time: *time,
                    device: device.clone(),
                    direction: *direction,
                    rpc: rpc.clone(),
                    envelope,
                }
            }
            AcsEvent::RpcCompleted { time, device, request_id, request, response, fault } => {
                StreamEvent::RpcCompleted {
                    time: *time,
                    device: device.clone(),
                    request_id: request_id.clone(),
                    request: request.clone(),
                    response: response.clone(),
                    fault: fault.clone(),
                }
            }
            AcsEvent::RpcRequeued { time, device, request_id, rpc, reason } => {
                StreamEvent::RpcRequeued {
                    time: *time,
                    device: device.clone(),
                    request_id: request_id.clone(),
                    rpc: rpc.clone(),
                    reason: *reason,
                }
            }
            AcsEvent::SessionEnded { time, device, reason } => {
                StreamEvent::SessionEnded { time: *time, device: device.clone(), reason: *reason }
            }
            AcsEvent::Problem { time, device, code, message } => StreamEvent::Problem {
                time: *time,
                device: device.clone(),
                code: Some(code.clone()),
                message: message.clone(),
            },
        }
    }
}

impl<E> StreamEvent<E> {
    /// The device the event is about, if one.
    pub fn device(&self) -> Option<&str> {
        match self {
            StreamEvent::SessionStarted { device, .. }
            | StreamEvent::RpcCompleted { device, .. }
            | StreamEvent::RpcQueued { device, .. }
            | StreamEvent::RpcRequeued { device, .. }
            | StreamEvent::SessionEnded { device, .. }
            | StreamEvent::ConnectionRequest { device, .. } => Some(device),
            StreamEvent::Message { device, .. }
            | StreamEvent::Problem { device, .. }
            | StreamEvent::Upload { device, .. } => device.as_deref(),
            StreamEvent::Dropped { .. } | StreamEvent::Other => None,
        }
    }

    /// Whether the event changes what `GET /api/devices/{id}` says of its device.
    pub fn changes_device(&self) -> bool {
        matches!(
            self,
            StreamEvent::SessionStarted { .. }
                | StreamEvent::RpcCompleted { .. }
                | StreamEvent::RpcQueued { .. }
                | StreamEvent::RpcRequeued { .. }
                | StreamEvent::SessionEnded { .. }
                | StreamEvent::ConnectionRequest { .. }
        )
    }
}
