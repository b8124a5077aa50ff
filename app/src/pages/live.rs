//! The Live page: the devices that talk to the relay (`cwmpkit serve`), what they say as it
//! happens, and the tasks and connection requests the engineer sends them. It works only when
//! the app is served by the relay, which holds the ACS; the page says so otherwise.
//!
//! Everything the page sends and reads is a type of `cwmpkit_core::api`: it builds task forms
//! (core turns them into CWMP and checks them), reads devices and events typed, and on an event
//! fetches only the device the event names. A plan handed over by the Parameters page
//! ([`hand_over_plan`]) can be queued on the selected device.

use crate::components::genieacs::{self, GenieacsDownloads};
use crate::components::keys::move_in_list;
use crate::components::live_sessions::{MakeLiveSessions, live_sessions_view};
use crate::components::path::PathText;
use crate::components::recordings;
use crate::components::uploads::Uploads;
use crate::links::encode;
use cwmpkit_core::acs::SessionEnd;
use cwmpkit_core::api::{
    ApiError, ConnectionRequestForm, ConnectionRequestOutcome, DeviceDetail, DeviceSummary, Queued,
    RelayInfo, StreamEvent, TaskForm,
};
use cwmpkit_core::cwmp;
use cwmpkit_core::genieacs::{AppliesTo, ExportOptions, from_tasks};
use leptos::prelude::*;
use serde::Serialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// The event log keeps this many lines; older ones scroll away.
const LOG_LIMIT: usize = 300;

/// Events as this page reads them: it does not show envelopes, so it does not read them.
type LiveEvent = StreamEvent<IgnoredAny>;

thread_local! {
    /// The page's event stream, closed when the page goes away.
    static EVENT_SOURCE: RefCell<Option<web_sys::EventSource>> = const { RefCell::new(None) };
}

#[derive(Debug, Clone, PartialEq)]
struct LogLine {
    time: String,
    kind: &'static str,
    text: String,
    problem: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Relay {
    Connecting,
    Connected,
    Absent(String),
}

/// Where this tab keeps the relay's API token.
const TOKEN_KEY: &str = "cwmpkit-token";

/// Keeps the API token of the sign-in URL that `cwmpkit serve` prints (`/#token=…`) in this
/// tab's sessionStorage, and takes it out of the address bar. Called once as the app starts,
/// whatever page the URL opens.
pub fn remember_token() {
    let Some(window) = web_sys::window() else { return };
    let hash = window.location().hash().unwrap_or_default();
    let Some(token) = hash.strip_prefix("#token=") else { return };
    if let Ok(Some(storage)) = window.session_storage() {
        let _ = storage.set_item(TOKEN_KEY, token);
    }
    if let (Ok(history), Ok(path)) = (window.history(), window.location().pathname()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
}

pub(crate) fn token() -> String {
    web_sys::window()
        .and_then(|w| w.session_storage().ok().flatten())
        .and_then(|s| s.get_item(TOKEN_KEY).ok().flatten())
        .unwrap_or_default()
}

pub(crate) fn authorization() -> String {
    format!("Bearer {}", token())
}

/// The relay's answer when the tab has no token, or the wrong one.
const SIGN_IN: &str = "the relay wants its API token: open the sign-in URL `cwmpkit serve` printed";

/// What a page served without the relay gets for `/api/…`: not JSON.
const NO_RELAY: &str =
    "this server has no relay API: start the app with `cwmpkit serve` to reach live devices";

/// Where the Parameters page leaves a plan for this page, in this tab's sessionStorage.
const PLAN_KEY: &str = "cwmpkit-live-plan";

/// A plan handed over from the Parameters page: its name and its requests as task forms.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HandedPlan {
    pub name: String,
    pub tasks: Vec<TaskForm>,
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

/// Keeps `plan` for the Live page of this tab (the Parameters page calls it, then opens Live).
pub fn hand_over_plan(plan: &HandedPlan) -> Result<(), String> {
    let json = serde_json::to_string(plan).map_err(|e| e.to_string())?;
    let storage = session_storage().ok_or("this browser keeps no session storage")?;
    storage.set_item(PLAN_KEY, &json).map_err(|_| "the session storage is full".to_owned())
}

fn handed_plan() -> Option<HandedPlan> {
    let json = session_storage()?.get_item(PLAN_KEY).ok().flatten()?;
    serde_json::from_str(&json).ok()
}

fn discard_handed_plan() {
    if let Some(storage) = session_storage() {
        let _ = storage.remove_item(PLAN_KEY);
    }
}

/// `/api/devices/{id}{tail}`, the id percent-encoded: an id is the device's own text
/// (`x/../other` must not reach another device).
fn device_url(id: &str, tail: &str) -> String {
    format!("/api/devices/{}{tail}", encode(id))
}

/// The refusal in a JSON `ApiError` body, or the status and body as they are.
fn refusal(status: u16, body: &str) -> ApiError {
    if status == 401 {
        return ApiError::new(SIGN_IN);
    }
    serde_json::from_str::<ApiError>(body)
        .unwrap_or_else(|_| ApiError::new(format!("HTTP {status}: {body}")))
}

async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, String> {
    let response = gloo_net::http::Request::get(url)
        .header("Authorization", &authorization())
        .send()
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    if !(200..300).contains(&status) {
        return Err(refusal(status, &body).to_string());
    }
    serde_json::from_str(&body).map_err(|_| NO_RELAY.to_owned())
}

async fn post_json<B: Serialize, T: DeserializeOwned>(url: &str, body: &B) -> Result<T, ApiError> {
    let body = serde_json::to_string(body).map_err(|e| ApiError::new(e.to_string()))?;
    let response = gloo_net::http::Request::post(url)
        .header("Content-Type", "application/json")
        .header("Authorization", &authorization())
        .body(body)
        .map_err(|e| ApiError::new(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::new(format!("{url}: {e}")))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if !(200..300).contains(&status) {
        return Err(refusal(status, &text));
    }
    serde_json::from_str(&text).map_err(|_| ApiError::new(NO_RELAY))
}

fn origin() -> String {
    web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
}

/// `http://host:7547` of `http://host:7547/acs`.
fn acs_base(acs_url: &str) -> String {
    acs_url.strip_suffix("/acs").unwrap_or(acs_url).to_owned()
}

/// `HH:MM:SS.mmm` of an RFC 3339 time.
fn clock(time: &cwmpkit_core::Timestamp) -> String {
    time.to_string().get(11..23).unwrap_or_default().to_owned()
}

/// One log line from one event of the relay's stream.
fn log_line(event: &LiveEvent) -> LogLine {
    let line = |time: &cwmpkit_core::Timestamp, kind, text, problem| LogLine {
        time: clock(time),
        kind,
        text,
        problem,
    };
    match event {
        StreamEvent::SessionStarted { time, device, peer, events } => line(
            time,
            "session-started",
            format!("{device} from {peer} [{}]", events.join(", ")),
            false,
        ),
        StreamEvent::Message { time, device, direction, rpc, .. } => {
            let arrow = direction.arrow();
            let device = device.as_deref().unwrap_or("no session");
            line(time, "message", format!("{arrow} {rpc} · {device}"), false)
        }
        StreamEvent::RpcCompleted { time, request_id, request, response, fault, .. } => match fault
        {
            Some(fault) => {
                let meaning = cwmp::tables::fault_meaning(fault.fault_code)
                    .map(|m| format!(" ({m})"))
                    .unwrap_or_default();
                let text = format!(
                    "{request} {request_id}: fault {}{meaning} {}",
                    fault.fault_code, fault.fault_string
                );
                line(time, "rpc-completed", text, true)
            }
            None => {
                line(time, "rpc-completed", format!("{request} {request_id}: {response}"), false)
            }
        },
        StreamEvent::RpcQueued { time, device, request_id, rpc } => {
            line(time, "rpc-queued", format!("{rpc} {request_id}: queued for {device}"), false)
        }
        StreamEvent::RpcRequeued { time, device, request_id, rpc, reason } => line(
            time,
            "rpc-requeued",
            format!("{rpc} {request_id}: queued again for {device} ({})", reason.explanation()),
            true,
        ),
        StreamEvent::SessionEnded { time, device, reason } => {
            let unusual = *reason != SessionEnd::Completed;
            let text = format!("{device}: session ended ({})", reason.explanation());
            line(time, "session-ended", text, unusual)
        }
        StreamEvent::Problem { time, device, message, .. } => line(
            time,
            "problem",
            format!("{} {message}", device.as_deref().unwrap_or_default()),
            true,
        ),
        StreamEvent::Upload { time, name, bytes, peer, device } => {
            let sender = device.as_deref().map(|device| format!(" ({device})")).unwrap_or_default();
            line(time, "upload", format!("{name} ({bytes} bytes) from {peer}{sender}"), false)
        }
        StreamEvent::ConnectionRequest { time, device, url, outcome, error } => match outcome {
            Some(outcome) => line(
                time,
                "connection-request",
                format!("{device} → {url}: {}", describe_outcome(outcome)),
                !outcome.accepted,
            ),
            None => line(
                time,
                "connection-request",
                format!("{device} → {url}: {}", error.as_deref().unwrap_or_default()),
                true,
            ),
        },
        StreamEvent::Dropped { reason } => {
            LogLine { time: String::new(), kind: "dropped", text: reason.clone(), problem: true }
        }
        StreamEvent::Other => LogLine {
            time: String::new(),
            kind: "other",
            text: "an event this page does not know (a newer relay?)".to_owned(),
            problem: false,
        },
    }
}

fn describe_outcome(outcome: &ConnectionRequestOutcome) -> String {
    let verdict = if outcome.accepted { "accepted" } else { "refused" };
    match outcome.status {
        Some(status) => format!("HTTP {status}, {verdict}"),
        None => format!("{} sent", outcome.transport),
    }
}

/// The task the form describes (the relay checks it and builds the RPC).
fn task_of_form(
    kind: &str,
    argument: &str,
    files_base: &str,
    device: &str,
) -> Result<TaskForm, String> {
    let argument = argument.trim();
    let names = || -> Vec<String> {
        argument
            .split([',', '\n', ' '])
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect()
    };
    Ok(match kind {
        "GetParameterValues" => TaskForm::GetParameterValues { parameter_names: names() },
        "GetParameterNames" => {
            TaskForm::GetParameterNames { parameter_path: argument.to_owned(), next_level: true }
        }
        "GetParameterAttributes" => TaskForm::GetParameterAttributes { parameter_names: names() },
        "AddObject" => TaskForm::AddObject {
            object_name: argument.to_owned(),
            parameter_key: "cwmpkit".to_owned(),
        },
        "DeleteObject" => TaskForm::DeleteObject {
            object_name: argument.to_owned(),
            parameter_key: "cwmpkit".to_owned(),
        },
        "Reboot" => TaskForm::Reboot { command_key: "cwmpkit".to_owned() },
        "FactoryReset" => TaskForm::FactoryReset,
        "GetRPCMethods" => TaskForm::GetRPCMethods,
        "ScheduleInform" => TaskForm::ScheduleInform {
            delay_seconds: argument
                .parse()
                .map_err(|_| format!("`{argument}` is not a number of seconds"))?,
            command_key: "cwmpkit".to_owned(),
        },
        "Download" => {
            let url = if argument.contains("://") || argument.is_empty() {
                argument.to_owned()
            } else {
                format!("{files_base}/files/{argument}")
            };
            let file_type = if argument.ends_with(".cfg") {
                "3 Vendor Configuration File"
            } else {
                "1 Firmware Upgrade Image"
            };
            TaskForm::Download {
                command_key: "cwmpkit".to_owned(),
                file_type: file_type.to_owned(),
                url,
                username: String::new(),
                password: String::new(),
                file_size: 0,
                target_file_name: String::new(),
                delay_seconds: 0,
            }
        }
        "Upload" => TaskForm::Upload {
            command_key: "cwmpkit".to_owned(),
            file_type: "1 Vendor Configuration File".to_owned(),
            url: format!("{files_base}/uploads/{}-config.cfg", encode(device)),
            username: String::new(),
            password: String::new(),
            delay_seconds: 0,
        },
        other => return Err(format!("{other} is not offered here")),
    })
}

/// What the argument field asks for, per task.
fn argument_label(kind: &str) -> &'static str {
    match kind {
        "GetParameterValues" | "GetParameterAttributes" => "Paths (comma or space between)",
        "GetParameterNames" => "Path",
        "AddObject" => "Table (ends with .)",
        "DeleteObject" => "Instance (ends with its number and .)",
        "ScheduleInform" => "Delay (seconds)",
        "Download" => "File under /files/, or a URL",
        "Upload" => "—",
        _ => "—",
    }
}

/// The page's shared state: what the relay said of its devices, and what this page sent.
#[derive(Clone, Copy)]
struct Live {
    devices: RwSignal<Vec<DeviceSummary>>,
    selected: RwSignal<Option<String>>,
    detail: RwSignal<Option<DeviceDetail>>,
    /// The tasks this page queued, in order, with their device, for the GenieACS export.
    sent: RwSignal<Vec<(String, TaskForm)>>,
    /// Counts the selected device's ended sessions: its inline sessions decode again on each.
    sessions_ended: RwSignal<u64>,
    /// Counts `upload` events: the uploads panel lists again on each.
    uploads_received: RwSignal<u64>,
}

impl Live {
    /// Fetches one device and puts it where the page shows it: its row, and its panel when it
    /// is the one selected.
    fn refresh_device(self, id: String) {
        leptos::task::spawn_local(async move {
            let Ok(detail) = get_json::<DeviceDetail>(&device_url(&id, "")).await else { return };
            self.devices.update(|list| match list.iter_mut().find(|d| d.id == id) {
                Some(row) => *row = detail.summary.clone(),
                None => {
                    list.push(detail.summary.clone());
                    list.sort_by(|a, b| a.id.cmp(&b.id));
                }
            });
            // The first device to show up is opened, as the first listed is at start.
            if self.selected.get_untracked().is_none() {
                self.selected.set(Some(id.clone()));
            }
            if self.selected.get_untracked().as_deref() == Some(id.as_str()) {
                self.detail.set(Some(detail));
            }
        });
    }

    fn select(self, id: String) {
        if self.selected.get_untracked().as_deref() != Some(id.as_str()) {
            self.detail.set(None);
        }
        self.selected.set(Some(id.clone()));
        self.refresh_device(id);
    }
}

#[component]
pub fn LivePage() -> impl IntoView {
    let relay = RwSignal::new(Relay::Connecting);
    let live = Live {
        devices: RwSignal::new(Vec::new()),
        selected: RwSignal::new(None),
        detail: RwSignal::new(None),
        sent: RwSignal::new(Vec::new()),
        sessions_ended: RwSignal::new(0),
        uploads_received: RwSignal::new(0),
    };
    let log = RwSignal::new(Vec::<LogLine>::new());

    leptos::task::spawn_local(async move {
        match get_json::<Vec<DeviceSummary>>("/api/devices").await {
            Ok(list) => {
                let first = list.first().map(|d| d.id.clone());
                live.devices.set(list);
                relay.set(Relay::Connected);
                if let Some(first) = first {
                    live.select(first);
                }
            }
            Err(message) => relay.set(Relay::Absent(message)),
        }
    });
    let info = RwSignal::new(None::<RelayInfo>);
    provide_context(info);
    leptos::task::spawn_local(async move {
        // A relay with one listener serves the ACS on the app's own origin.
        let fetched = get_json::<RelayInfo>("/api/info").await.unwrap_or_else(|_| RelayInfo {
            acs_url: format!("{}/acs", origin()),
            files_url: format!("{}/files/", origin()),
            uploads_url: format!("{}/uploads/", origin()),
        });
        info.set(Some(fetched));
    });
    let acs_url = move || info.with(|i| i.as_ref().map(|i| i.acs_url.clone()).unwrap_or_default());

    // EventSource cannot send a header: the stream takes the token in its URL.
    match web_sys::EventSource::new(&format!("/api/events?access_token={}", encode(&token()))) {
        Ok(source) => {
            let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                move |event: web_sys::MessageEvent| {
                    let Some(data) = event.data().as_string() else { return };
                    let Ok(event) = serde_json::from_str::<LiveEvent>(&data) else { return };
                    if event.changes_device()
                        && let Some(device) = event.device()
                    {
                        live.refresh_device(device.to_owned());
                    }
                    match &event {
                        StreamEvent::SessionEnded { device, .. }
                            if live.selected.get_untracked().as_ref() == Some(device) =>
                        {
                            live.sessions_ended.update(|n| *n += 1);
                        }
                        StreamEvent::Upload { .. } => live.uploads_received.update(|n| *n += 1),
                        _ => {}
                    }
                    let line = log_line(&event);
                    log.update(|lines| {
                        lines.push(line);
                        if lines.len() > LOG_LIMIT {
                            lines.remove(0);
                        }
                    });
                },
            );
            source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            // The closure lives as long as the page's stream; the page closes the stream.
            on_message.forget();
            EVENT_SOURCE.with(|s| {
                if let Some(old) = s.borrow_mut().replace(source) {
                    old.close();
                }
            });
        }
        Err(_) => relay.set(Relay::Absent("this browser cannot open an event stream".to_owned())),
    }
    on_cleanup(|| {
        EVENT_SOURCE.with(|s| {
            if let Some(source) = s.borrow_mut().take() {
                source.close();
            }
        });
    });

    // Which device the panel shows: it changes only with the selection, so a refreshed detail
    // updates the panel in place (its form and outcome stay).
    let shown = Memo::new(move |_| {
        let id = live.selected.get()?;
        live.detail
            .with(|d| d.as_ref().filter(|d| d.summary.id == id).map(|d| d.summary.id.clone()))
    });

    view! {
        <main class="live">
            <section class="panel">
                <h2>"Live devices"</h2>
                {move || match relay.get() {
                    Relay::Connecting => view! { <p class="hint">"Connecting to the relay…"</p> }.into_any(),
                    Relay::Absent(message) => view! { <div class="error-box" id="live-absent">{message}</div> }.into_any(),
                    Relay::Connected => view! {
                        <p class="hint" id="live-acs-url">
                            "Point your CPEs at " <code>{acs_url}</code>
                            " (Aastra: " <code>{move || format!("tr69 server: {}", acs_url())}</code> ")."
                        </p>
                    }.into_any(),
                }}
                <DeviceTable live />
            </section>
            {move || shown.get().and_then(|_| live.detail.get_untracked()).map(|device| view! { <DevicePanel device live /> })}
            <section class="panel">
                <h2>"Events"</h2>
                {move || log.with(Vec::is_empty).then(|| view! {
                    <p class="hint" id="live-log-empty">"Nothing has happened since this page opened: events appear here as devices talk to the relay."</p>
                })}
                // Scrolls when narrow: the keyboard must be able to reach it.
                <div class="table-wrap" tabindex="0" role="region" aria-label="Events">
                    <table class="live-log" id="live-log">
                        <tbody>
                            {move || log.get().into_iter().rev().map(|line| view! {
                                <tr class=if line.problem { "row-warning" } else { "" }>
                                    <td class="meta">{line.time}</td>
                                    <td class="meta">{line.kind}</td>
                                    <td>{line.text}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </section>
            <Uploads changed=live.uploads_received.into() />
            <crate::components::recordings::Recordings />
        </main>
    }
}

#[component]
fn DeviceTable(live: Live) -> impl IntoView {
    view! {
        <table id="live-devices">
            <thead>
                <tr><th>"Device"</th><th>"Manufacturer"</th><th>"Last Inform"</th><th>"Events"</th><th>"Queued"</th><th>"State"</th></tr>
            </thead>
            <tbody on:keydown=move |ev| { move_in_list(&ev); }>
                {move || {
                    let list = live.devices.get();
                    if list.is_empty() {
                        return view! { <tr><td colspan="6" class="hint">"No device has informed yet."</td></tr> }.into_any();
                    }
                    list.into_iter().map(|device| {
                        let id = device.id.clone();
                        let row_id = id.clone();
                        let id_pressed = id.clone();
                        let last_inform = device.last_inform.map(|t| t.to_string()).unwrap_or_default();
                        view! {
                            <tr class=move || if live.selected.get().as_deref() == Some(row_id.as_str()) { "selected" } else { "" }
                                on:click={ let id = id.clone(); move |_| live.select(id.clone()) }>
                                <td class="param-name">
                                    // The keyboard's way to a device: Tab to the list, arrows along it, Enter to open.
                                    <button class="device-open" data-nav=""
                                        aria-pressed=move || if live.selected.get().as_deref() == Some(id_pressed.as_str()) { "true" } else { "false" }>
                                        {id.clone()}
                                    </button>
                                </td>
                                <td>{device.device_id.manufacturer.clone()}</td>
                                <td>{last_inform}</td>
                                <td>{device.last_events.join(", ")}</td>
                                <td>{device.queued}</td>
                                <td>{if device.in_session { "in session" } else { "idle" }}</td>
                            </tr>
                        }
                    }).collect_view().into_any()
                }}
            </tbody>
        </table>
    }
}

/// Queues `tasks` on `device` one after the other; says how far it got.
async fn queue_all(device: &str, tasks: &[TaskForm], live: Live) -> Result<String, String> {
    let mut ids = Vec::new();
    for (index, task) in tasks.iter().enumerate() {
        match post_json::<_, Queued>(&device_url(device, "/rpcs"), task).await {
            Ok(queued) => {
                ids.push(queued.id);
                live.sent.update(|sent| sent.push((device.to_owned(), task.clone())));
            }
            Err(refused) => {
                let done = if ids.is_empty() {
                    String::new()
                } else {
                    format!(" (queued before it: {})", ids.join(", "))
                };
                return Err(format!(
                    "{} {} of {}: {refused}{done}",
                    task.rpc(),
                    index + 1,
                    tasks.len()
                ));
            }
        }
    }
    Ok(format!("queued as {}: it goes out in the device's next session", ids.join(", ")))
}

#[component]
fn DevicePanel(device: DeviceDetail, live: Live) -> impl IntoView {
    let id = device.summary.id.clone();
    let root = device
        .parameters
        .keys()
        .next()
        .and_then(|name| name.split('.').next().map(|r| format!("{r}.")))
        .unwrap_or_else(|| "Device.".to_owned());
    let kind = RwSignal::new("GetParameterValues".to_owned());
    let argument = RwSignal::new(format!("{root}DeviceInfo."));
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let plan = RwSignal::new(handed_plan());

    let info = use_context::<RwSignal<Option<RelayInfo>>>();
    let queue = {
        let id = id.clone();
        move |_| {
            let base = info
                .and_then(|i| i.with_untracked(|i| i.as_ref().map(|i| acs_base(&i.acs_url))))
                .unwrap_or_default();
            let task = match task_of_form(&kind.get(), &argument.get(), &base, &id) {
                Ok(task) => task,
                Err(problem) => return outcome.set(Some(Err(problem))),
            };
            // The relay checks it (core's `TaskForm::to_message`) and names the field that is
            // wrong: the page carries no CWMP encoder.
            let id = id.clone();
            leptos::task::spawn_local(async move {
                let result = queue_all(&id, std::slice::from_ref(&task), live).await;
                outcome.set(Some(result));
                live.refresh_device(id);
            });
        }
    };
    let queue_plan = {
        let id = id.clone();
        move |_| {
            let Some(handed) = plan.get_untracked() else { return };
            let id = id.clone();
            leptos::task::spawn_local(async move {
                let result = queue_all(&id, &handed.tasks, live).await;
                if result.is_ok() {
                    discard_handed_plan();
                    plan.set(None);
                }
                outcome.set(Some(result));
                live.refresh_device(id);
            });
        }
    };
    let genieacs_export = {
        let id = id.clone();
        move || {
            let tasks: Vec<TaskForm> = live.sent.with_untracked(|sent| {
                sent.iter()
                    .filter(|(device, _)| *device == id)
                    .map(|(_, task)| task.clone())
                    .collect()
            });
            if tasks.is_empty() {
                return Err(
                    "queue tasks from this page first: they are what is exported".to_owned()
                );
            }
            let options = ExportOptions {
                name: format!("cwmpkit-{id}"),
                applies_to: AppliesTo::Device(id.clone()),
                issued_at: genieacs::now(),
            };
            Ok(from_tasks(&tasks, &options))
        }
    };
    let drop_plan = move |_| {
        discard_handed_plan();
        plan.set(None);
    };
    let connect = {
        let id = id.clone();
        move |_| {
            let form = ConnectionRequestForm {
                username: Some(username.get()),
                password: Some(password.get()),
                via: None,
            };
            let url = device_url(&id, "/connection-request");
            leptos::task::spawn_local(async move {
                let result = post_json::<_, ConnectionRequestOutcome>(&url, &form)
                    .await
                    .map(|outcome| {
                        let then = if outcome.accepted { ": it will open a session" } else { "" };
                        format!("the CPE answered: {}{then}", describe_outcome(&outcome))
                    })
                    .map_err(|refused| refused.to_string());
                outcome.set(Some(result));
            });
        }
    };
    let sessions_view = RwSignal::new(None::<MakeLiveSessions>);
    leptos::task::spawn_local(async move { sessions_view.set(Some(live_sessions_view().await)) });
    let inline_sessions = {
        let (url, name) = (device_url(&id, "/capture"), format!("{id}.pcapng"));
        move || {
            sessions_view
                .get()
                .map(|make| make(url.clone(), name.clone(), live.sessions_ended.into()))
        }
    };
    let sessions_problem = RwSignal::new(None::<String>);
    let sessions_opening = RwSignal::new(false);
    let open_sessions = {
        let id = id.clone();
        let workspace = crate::workspace::use_workspace();
        let navigate = leptos_router::hooks::use_navigate();
        move |_| {
            let id = id.clone();
            let navigate = navigate.clone();
            sessions_problem.set(None);
            sessions_opening.set(true);
            leptos::task::spawn_local(async move {
                let name = format!("{id}.pcapng");
                let opened = match recordings::fetch_file(&device_url(&id, "/capture"), &name).await
                {
                    Ok(bytes) => recordings::open_in_decode(workspace, navigate, name, bytes).await,
                    Err(error) => Err(error),
                };
                sessions_opening.set(false);
                if let Err(error) = opened {
                    sessions_problem.set(Some(error));
                }
            });
        }
    };
    let current = {
        let id = id.clone();
        Memo::new(move |_| {
            live.detail
                .with(|d| d.as_ref().filter(|d| d.summary.id == id).cloned())
                .unwrap_or_else(|| device.clone())
        })
    };
    let connection_request_url = Memo::new(move |_| {
        current.with(|d| d.summary.connection_request_url.clone().unwrap_or_default())
    });

    view! {
        <section class="panel" id="live-device">
            <h2>{id.clone()}</h2>
            {move || plan.get().map(|handed| view! {
                <div class="notice" id="live-plan">
                    <p>{format!(
                        "A plan from the Parameters page, {}: {}.",
                        handed.name,
                        handed.tasks.iter().map(TaskForm::rpc).collect::<Vec<_>>().join(", ")
                    )}</p>
                    <div class="input-toolbar">
                        <button class="button" id="live-queue-plan" on:click=queue_plan.clone()>"Queue the plan for this device"</button>
                        <button class="button secondary" id="live-drop-plan" on:click=drop_plan>"Discard it"</button>
                    </div>
                </div>
            })}
            <div class="form-grid">
                <label class="field">"Task"
                    <select id="live-rpc" on:change:target=move |ev| kind.set(ev.target().value())>
                        <option value="GetParameterValues" selected=true>"GetParameterValues"</option>
                        <option value="GetParameterNames">"GetParameterNames"</option>
                        <option value="GetParameterAttributes">"GetParameterAttributes"</option>
                        <option value="AddObject">"AddObject"</option>
                        <option value="DeleteObject">"DeleteObject"</option>
                        <option value="Reboot">"Reboot"</option>
                        <option value="FactoryReset">"FactoryReset"</option>
                        <option value="GetRPCMethods">"GetRPCMethods"</option>
                        <option value="ScheduleInform">"ScheduleInform"</option>
                        <option value="Download">"Download (firmware or .cfg)"</option>
                        <option value="Upload">"Upload (config backup)"</option>
                    </select>
                </label>
                <label class="field">{move || argument_label(&kind.get())}
                    <input id="live-argument" type="text" prop:value=move || argument.get()
                        on:input:target=move |ev| argument.set(ev.target().value()) />
                </label>
            </div>
            <div class="input-toolbar">
                <button class="button" id="live-queue" on:click=queue>"Queue for next session"</button>
                <GenieacsDownloads prefix="live" make=genieacs_export />
            </div>
            <div class="form-grid">
                <label class="field">"Connection request user"
                    <input id="live-cr-user" type="text" prop:value=move || username.get()
                        on:input:target=move |ev| username.set(ev.target().value()) />
                </label>
                <label class="field">"Password"
                    <input id="live-cr-password" type="password" prop:value=move || password.get()
                        on:input:target=move |ev| password.set(ev.target().value()) />
                </label>
            </div>
            <div class="input-toolbar">
                <button class="button secondary" id="live-connect" on:click=connect
                    disabled=move || connection_request_url.with(String::is_empty)>"Send connection request"</button>
                <span class="meta">{move || {
                    let url = connection_request_url.get();
                    if url.is_empty() { "no ConnectionRequestURL reported".to_owned() } else { url }
                }}</span>
            </div>
            {move || outcome.get().map(|o| match o {
                Ok(note) => view! { <p class="ok-note" id="live-outcome">{note}</p> }.into_any(),
                Err(problem) => view! { <div class="error-box" id="live-outcome">{problem}</div> }.into_any(),
            })}
            {move || current.with(|d| (!d.queue.is_empty()).then(|| view! {
                <h3 class="section-title">{format!("Queued for the next session ({})", d.queue.len())}</h3>
                <ul class="plan-list" id="live-queue-list">
                    {d.queue.iter().map(|task| view! {
                        <li><span class="meta">{task.id.clone()}</span>" "{task.rpc.clone()}" "<span class="param-name">{task.targets.join(", ")}</span></li>
                    }).collect_view()}
                </ul>
            }))}
            <h3 class="section-title">"Sessions on this relay"</h3>
            <p class="hint">
                "This device's recent exchanges with the relay (secrets masked), decoded as a capture: "
                "its sessions, every message and the conformance findings. They decode again when a session ends."
            </p>
            {inline_sessions}
            <div class="input-toolbar">
                <button class="button secondary" id="live-open-sessions" on:click=open_sessions
                    disabled=move || sessions_opening.get()>
                    {move || if sessions_opening.get() { "Opening…" } else { "Open in Decode" }}
                </button>
            </div>
            {move || sessions_problem.get().map(|p| view! { <div class="error-box" role="alert" id="live-sessions-problem">{p}</div> })}
            <h3 class="section-title">{move || format!("Last known values ({})", current.with(|d| d.parameters.len()))}</h3>
            <div class="table-wrap" id="live-parameters-box" tabindex="0" role="region" aria-label="Last known values">
                <table id="live-parameters">
                    <tbody>
                        {move || current.with(|d| d.parameters.iter().map(|(name, value)| view! {
                            <tr><td class="param-name"><PathText path=name.clone()/></td><td class="param-value">{value.clone()}</td></tr>
                        }).collect_view())}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_offered_task_is_a_valid_request() {
        let cases = [
            ("GetParameterValues", "Device.DeviceInfo., Device.Time.Enable"),
            ("GetParameterNames", "Device."),
            ("GetParameterAttributes", "Device.DeviceInfo."),
            ("AddObject", "Device.IP.Interface."),
            ("DeleteObject", "Device.IP.Interface.2."),
            ("Reboot", ""),
            ("FactoryReset", ""),
            ("GetRPCMethods", ""),
            ("ScheduleInform", "30"),
            ("Download", "6867i.st"),
            ("Upload", ""),
        ];
        for (kind, argument) in cases {
            let task = task_of_form(kind, argument, "http://127.0.0.1:7547", "00085D-6867i-x/../y")
                .unwrap_or_else(|problem| panic!("{kind}: {problem}"));
            assert_eq!(task.rpc(), kind);
            task.to_message().unwrap_or_else(|refused| panic!("{kind}: {refused}"));
        }
        assert!(task_of_form("ScheduleInform", "soon", "", "d").is_err());
    }

    #[test]
    fn device_ids_are_one_path_segment() {
        assert_eq!(
            device_url("x/../EC43F6-P-2601HN-F1-1", "/rpcs"),
            "/api/devices/x%2F..%2FEC43F6-P-2601HN-F1-1/rpcs"
        );
        assert_eq!(device_url("a b?c#d", ""), "/api/devices/a%20b%3Fc%23d");
    }
}
