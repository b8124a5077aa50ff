//! The Live page: the devices that talk to the relay (`cwmpkit serve`), what they say as it
//! happens, and the RPCs and connection requests the engineer sends them. It works only when the
//! app is served by the relay, which holds the ACS; the page says so otherwise.

use crate::components::keys::move_in_list;
use cwmpkit_core::cwmp::{self, Message};
use leptos::prelude::*;
use serde_json::Value;
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// The event log keeps this many lines; older ones scroll away.
const LOG_LIMIT: usize = 300;

thread_local! {
    /// The page's event stream, closed when the page goes away.
    static EVENT_SOURCE: RefCell<Option<web_sys::EventSource>> = const { RefCell::new(None) };
}

#[derive(Debug, Clone, PartialEq)]
struct LogLine {
    time: String,
    kind: String,
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

/// Where devices reach the relay (`/api/info`): its ACS URL and the base of `/files/` and
/// `/uploads/`, which are on the devices' listener, not this page's origin.
async fn fetch_acs_url() -> Result<String, String> {
    let response = gloo_net::http::Request::get("/api/info")
        .header("Authorization", &authorization())
        .send()
        .await
        .map_err(|e| format!("/api/info: {e}"))?;
    let info = response.json::<Value>().await.map_err(|e| format!("/api/info: {e}"))?;
    Ok(text(&info, "acs_url"))
}

fn origin() -> String {
    web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
}

/// `http://host:7547` of `http://host:7547/acs`.
fn acs_base(acs_url: &str) -> String {
    acs_url.strip_suffix("/acs").unwrap_or(acs_url).to_owned()
}

async fn fetch_devices() -> Result<Vec<Value>, String> {
    let response = gloo_net::http::Request::get("/api/devices")
        .header("Authorization", &authorization())
        .send()
        .await
        .map_err(|e| format!("/api/devices: {e}"))?;
    if response.status() == 401 {
        return Err(SIGN_IN.to_owned());
    }
    if !response.ok() {
        return Err(format!("/api/devices: HTTP {}", response.status()));
    }
    response.json::<Vec<Value>>().await.map_err(|_| {
        "this server has no relay API: start the app with `cwmpkit serve` to reach live devices"
            .to_owned()
    })
}

async fn post_json(url: String, body: String) -> Result<Value, String> {
    let response = gloo_net::http::Request::post(&url)
        .header("Content-Type", "application/json")
        .header("Authorization", &authorization())
        .body(body)
        .map_err(|e| e.to_string())?
        .send()
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    let ok = response.ok();
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if !ok {
        return Err(format!("HTTP {status}: {text}"));
    }
    Ok(serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

fn text(value: &Value, key: &str) -> String {
    value.get(key).and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// One log line from one event of the relay's stream.
fn log_line(event: &Value) -> LogLine {
    let kind = text(event, "event");
    let time = event
        .get("time")
        .and_then(Value::as_str)
        .and_then(|t| t.get(11..23))
        .unwrap_or_default()
        .to_owned();
    let device = text(event, "device");
    let (text, problem) = match kind.as_str() {
        "session-started" => {
            let events: Vec<String> = event
                .get("events")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default();
            (format!("{device} from {} [{}]", text(event, "peer"), events.join(", ")), false)
        }
        "message" => {
            let arrow = if text(event, "direction") == "cpe-to-acs" {
                "CPE → ACS"
            } else {
                "ACS → CPE"
            };
            (format!("{arrow} {} · {device}", text(event, "rpc")), false)
        }
        "rpc-completed" => match event.get("fault").filter(|f| !f.is_null()) {
            Some(fault) => {
                let code = fault.get("fault_code").and_then(Value::as_u64).unwrap_or_default();
                let meaning = u32::try_from(code)
                    .ok()
                    .and_then(cwmp::tables::fault_meaning)
                    .map(|m| format!(" ({m})"))
                    .unwrap_or_default();
                (
                    format!(
                        "{} {}: fault {code}{meaning} {}",
                        text(event, "request"),
                        text(event, "request_id"),
                        text(fault, "fault_string")
                    ),
                    true,
                )
            }
            None => (
                format!(
                    "{} {}: {}",
                    text(event, "request"),
                    text(event, "request_id"),
                    text(event, "response")
                ),
                false,
            ),
        },
        "session-ended" => (format!("{device}: session ended"), false),
        "upload" => (
            format!(
                "{} ({} bytes) from {}",
                text(event, "name"),
                event.get("bytes").and_then(Value::as_u64).unwrap_or_default(),
                text(event, "peer")
            ),
            false,
        ),
        "connection-request" => match event.get("outcome").filter(|o| !o.is_null()) {
            Some(outcome) => (
                format!(
                    "{device} → {}: HTTP {}{}",
                    text(event, "url"),
                    outcome.get("status").and_then(Value::as_u64).unwrap_or_default(),
                    if outcome.get("accepted").and_then(Value::as_bool) == Some(true) {
                        ", accepted"
                    } else {
                        ", refused"
                    }
                ),
                outcome.get("accepted").and_then(Value::as_bool) != Some(true),
            ),
            None => (format!("{device} → {}: {}", text(event, "url"), text(event, "error")), true),
        },
        "problem" => (format!("{device} {}", text(event, "message")), true),
        "lagged" => ("the page fell behind; some events were skipped".to_owned(), true),
        _ => (event.to_string(), false),
    };
    LogLine { time, kind, text, problem }
}

/// The RPC the form describes, as the relay's queue API takes it (core's message model in JSON).
fn rpc_of_form(kind: &str, argument: &str, origin: &str, device: &str) -> Result<Message, String> {
    let argument = argument.trim();
    Ok(match kind {
        "GetParameterValues" => {
            let names: Vec<String> = argument
                .split([',', '\n', ' '])
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned)
                .collect();
            if names.is_empty() {
                return Err("name at least one parameter or object path".to_owned());
            }
            Message::GetParameterValues(cwmp::GetParameterValues { parameter_names: names })
        }
        "GetParameterNames" => Message::GetParameterNames(cwmp::GetParameterNames {
            parameter_path: argument.to_owned(),
            next_level: true,
        }),
        "Reboot" => Message::Reboot(cwmp::Reboot { command_key: "cwmpkit".to_owned() }),
        "FactoryReset" => Message::FactoryReset,
        "Download" => {
            if argument.is_empty() {
                return Err(
                    "name the file to download (a URL, or a name under the relay's /files/)"
                        .to_owned(),
                );
            }
            let url = if argument.contains("://") {
                argument.to_owned()
            } else {
                format!("{origin}/files/{argument}")
            };
            let file_type = if argument.ends_with(".cfg") {
                "3 Vendor Configuration File"
            } else {
                "1 Firmware Upgrade Image"
            };
            Message::Download(cwmp::Download {
                command_key: "cwmpkit".to_owned(),
                file_type: file_type.to_owned(),
                url,
                ..cwmp::Download::default()
            })
        }
        "Upload" => Message::Upload(cwmp::Upload {
            command_key: "cwmpkit".to_owned(),
            file_type: "1 Vendor Configuration File".to_owned(),
            url: format!("{origin}/uploads/{device}-config.cfg"),
            ..cwmp::Upload::default()
        }),
        other => return Err(format!("{other} is not offered here")),
    })
}

/// The JSON the relay's queue API takes. Through `Value`, whose serializer the
/// envelope view already compiles for every message type: `to_string` would
/// compile all of them a second time, for the string serializer (≈ 13 KB of wasm).
fn rpc_body(message: &Message) -> Option<String> {
    serde_json::to_value(message).ok().map(|value| value.to_string())
}

#[component]
pub fn LivePage() -> impl IntoView {
    let relay = RwSignal::new(Relay::Connecting);
    let devices = RwSignal::new(Vec::<Value>::new());
    let selected = RwSignal::new(None::<String>);
    let log = RwSignal::new(Vec::<LogLine>::new());

    let refresh = move || {
        leptos::task::spawn_local(async move {
            match fetch_devices().await {
                Ok(list) => {
                    if selected.get_untracked().is_none() {
                        selected.set(list.first().map(|d| text(d, "id")));
                    }
                    devices.set(list);
                    if relay.get_untracked() != Relay::Connected {
                        relay.set(Relay::Connected);
                    }
                }
                Err(message) => relay.set(Relay::Absent(message)),
            }
        });
    };
    refresh();
    let acs_url = RwSignal::new(String::new());
    provide_context(acs_url);
    leptos::task::spawn_local(async move {
        match fetch_acs_url().await {
            Ok(url) if !url.is_empty() => acs_url.set(url),
            // A relay with one listener serves the ACS on the app's own origin.
            _ => acs_url.set(format!("{}/acs", origin())),
        }
    });

    // EventSource cannot send a header: the stream takes the token in its URL.
    match web_sys::EventSource::new(&format!("/api/events?access_token={}", token())) {
        Ok(source) => {
            let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                move |event: web_sys::MessageEvent| {
                    let Some(data) = event.data().as_string() else { return };
                    let Ok(value) = serde_json::from_str::<Value>(&data) else { return };
                    let line = log_line(&value);
                    if matches!(
                        line.kind.as_str(),
                        "session-started"
                            | "session-ended"
                            | "rpc-completed"
                            | "connection-request"
                    ) {
                        refresh();
                    }
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

    let selected_device = Memo::new(move |_| {
        let id = selected.get()?;
        devices.with(|list| list.iter().find(|d| text(d, "id") == id).cloned())
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
                            "Point your CPEs at " <code>{move || acs_url.get()}</code>
                            " (Aastra: " <code>{move || format!("tr69 server: {}", acs_url.get())}</code> ")."
                        </p>
                    }.into_any(),
                }}
                <DeviceTable devices selected />
            </section>
            {move || selected_device.get().map(|device| view! { <DevicePanel device /> })}
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
            <crate::components::recordings::Recordings />
        </main>
    }
}

#[component]
fn DeviceTable(devices: RwSignal<Vec<Value>>, selected: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <table id="live-devices">
            <thead>
                <tr><th>"Device"</th><th>"Manufacturer"</th><th>"Last Inform"</th><th>"Events"</th><th>"Queued"</th><th>"State"</th></tr>
            </thead>
            <tbody on:keydown=move |ev| { move_in_list(&ev); }>
                {move || {
                    let list = devices.get();
                    if list.is_empty() {
                        return view! { <tr><td colspan="6" class="hint">"No device has informed yet."</td></tr> }.into_any();
                    }
                    list.into_iter().map(|device| {
                        let id = text(&device, "id");
                        let row_id = id.clone();
                        let id_pressed = id.clone();
                        let queued = device.get("queue").and_then(Value::as_array).map_or(0, Vec::len);
                        let events: Vec<String> = device.get("last_events").and_then(Value::as_array)
                            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                            .unwrap_or_default();
                        let in_session = device.get("in_session").and_then(Value::as_bool) == Some(true);
                        view! {
                            <tr class=move || if selected.get().as_deref() == Some(row_id.as_str()) { "selected" } else { "" }
                                on:click={ let id = id.clone(); move |_| selected.set(Some(id.clone())) }>
                                <td class="param-name">
                                    // The keyboard's way to a device: Tab to the list, arrows along it, Enter to open.
                                    <button class="device-open" data-nav=""
                                        aria-pressed=move || if selected.get().as_deref() == Some(id_pressed.as_str()) { "true" } else { "false" }>
                                        {id.clone()}
                                    </button>
                                </td>
                                <td>{device.get("device_id").map(|d| text(d, "manufacturer")).unwrap_or_default()}</td>
                                <td>{text(&device, "last_inform")}</td>
                                <td>{events.join(", ")}</td>
                                <td>{queued}</td>
                                <td>{if in_session { "in session" } else { "idle" }}</td>
                            </tr>
                        }
                    }).collect_view().into_any()
                }}
            </tbody>
        </table>
    }
}

#[component]
fn DevicePanel(device: Value) -> impl IntoView {
    let id = text(&device, "id");
    let root = device
        .get("parameters")
        .and_then(Value::as_object)
        .and_then(|p| p.keys().next().cloned())
        .and_then(|name| name.split('.').next().map(|r| format!("{r}.")))
        .unwrap_or_else(|| "Device.".to_owned());
    let kind = RwSignal::new("GetParameterValues".to_owned());
    let argument = RwSignal::new(format!("{root}DeviceInfo."));
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());

    let acs_url = use_context::<RwSignal<String>>();
    let queue = {
        let id = id.clone();
        move |_| {
            let base = acs_url.map(|url| acs_base(&url.get_untracked())).unwrap_or_default();
            let message = match rpc_of_form(&kind.get(), &argument.get(), &base, &id) {
                Ok(message) => message,
                Err(problem) => return outcome.set(Some(Err(problem))),
            };
            let Some(body) = rpc_body(&message) else { return };
            let url = format!("/api/devices/{id}/rpcs");
            leptos::task::spawn_local(async move {
                let result = post_json(url, body).await.map(|v| {
                    format!(
                        "queued as {}: it goes out in the device's next session",
                        text(&v, "id")
                    )
                });
                outcome.set(Some(result));
            });
        }
    };
    let connect = {
        let id = id.clone();
        move |_| {
            let body =
                serde_json::json!({ "username": username.get(), "password": password.get() })
                    .to_string();
            let url = format!("/api/devices/{id}/connection-request");
            leptos::task::spawn_local(async move {
                let result = post_json(url, body).await.map(|v| {
                    format!(
                        "the CPE answered HTTP {}{}",
                        v.get("status").and_then(Value::as_u64).unwrap_or_default(),
                        if v.get("accepted").and_then(Value::as_bool) == Some(true) {
                            ": it will open a session"
                        } else {
                            ": refused"
                        }
                    )
                });
                outcome.set(Some(result));
            });
        }
    };
    let parameters: Vec<(String, String)> = device
        .get("parameters")
        .and_then(Value::as_object)
        .map(|p| {
            p.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect()
        })
        .unwrap_or_default();
    let connection_request_url = text(&device, "connection_request_url");

    view! {
        <section class="panel" id="live-device">
            <h2>{id.clone()}</h2>
            <div class="form-grid">
                <label class="field">"RPC"
                    <select id="live-rpc" on:change:target=move |ev| kind.set(ev.target().value())>
                        <option value="GetParameterValues" selected=true>"GetParameterValues"</option>
                        <option value="GetParameterNames">"GetParameterNames"</option>
                        <option value="Reboot">"Reboot"</option>
                        <option value="FactoryReset">"FactoryReset"</option>
                        <option value="Download">"Download (firmware or .cfg)"</option>
                        <option value="Upload">"Upload (config backup)"</option>
                    </select>
                </label>
                <label class="field">"Paths, file or URL"
                    <input id="live-argument" type="text" prop:value=move || argument.get()
                        on:input:target=move |ev| argument.set(ev.target().value()) />
                </label>
            </div>
            <div class="input-toolbar">
                <button class="button" id="live-queue" on:click=queue>"Queue for next session"</button>
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
                    disabled=connection_request_url.is_empty()>"Send connection request"</button>
                <span class="meta">{if connection_request_url.is_empty() { "no ConnectionRequestURL reported".to_owned() } else { connection_request_url }}</span>
            </div>
            {move || outcome.get().map(|o| match o {
                Ok(note) => view! { <p class="ok-note" id="live-outcome">{note}</p> }.into_any(),
                Err(problem) => view! { <div class="error-box" id="live-outcome">{problem}</div> }.into_any(),
            })}
            <h3 class="section-title">{format!("Last known values ({})", parameters.len())}</h3>
            <div class="table-wrap" id="live-parameters-box" tabindex="0" role="region" aria-label="Last known values">
                <table id="live-parameters">
                    <tbody>
                        {parameters.into_iter().map(|(name, value)| view! {
                            <tr><td class="param-name">{name}</td><td class="param-value">{value}</td></tr>
                        }).collect_view()}
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
    fn every_offered_rpc_reaches_the_relay_as_itself() {
        let kinds = [
            "GetParameterValues",
            "GetParameterNames",
            "Reboot",
            "FactoryReset",
            "Download",
            "Upload",
        ];
        for kind in kinds {
            let message = rpc_of_form(kind, "Device.DeviceInfo.", "http://127.0.0.1:8080", "cpe-1")
                .unwrap_or_else(|problem| panic!("{kind}: {problem}"));
            let body = rpc_body(&message).unwrap_or_else(|| panic!("{kind} does not serialize"));
            let parsed: Message =
                serde_json::from_str(&body).unwrap_or_else(|e| panic!("{kind}: {e}"));
            assert_eq!(parsed, message, "{kind}");
        }
    }
}
