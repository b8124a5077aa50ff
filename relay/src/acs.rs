//! The live side of `cwmpkit serve`: the ACS endpoint CPEs post to, the API that queues RPCs,
//! the event stream the app listens to, and the file server and upload sink CPEs download from
//! and upload to. The CWMP logic is `cwmpkit_core::acs`; this module only does the IO.

use crate::connection_request;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cwmpkit_core::Timestamp;
use cwmpkit_core::acs::{Acs, AcsEvent, CpeRequest};
use cwmpkit_core::cwmp::Message;
use serde::Serialize;
use std::convert::Infallible;
use std::hash::{BuildHasher, Hasher};
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// The cookie that carries the CWMP session, as CPEs return cookies they were given.
const SESSION_COOKIE: &str = "cwmpkit-session";
/// A CWMP body above this is refused; the largest GetParameterValuesResponse seen is ~2 MB.
const MAX_CWMP_BODY: usize = 32 * 1024 * 1024;
/// Config backups and logs a CPE uploads.
const MAX_UPLOAD: usize = 256 * 1024 * 1024;

#[derive(Clone)]
pub struct Relay {
    acs: Arc<Mutex<Acs>>,
    events: broadcast::Sender<String>,
    uploads: Option<PathBuf>,
    /// The credentials for connection requests when the API call names none.
    credentials: Credentials,
    /// Print every event on stdout, one line each, for whoever runs the relay in a terminal.
    echo: bool,
}

/// Something the relay did that is not CWMP: an upload arrived.
#[derive(Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
enum RelayEvent<'a> {
    Upload {
        time: Timestamp,
        name: &'a str,
        bytes: usize,
        peer: String,
    },
    ConnectionRequest {
        time: Timestamp,
        device: &'a str,
        url: &'a str,
        outcome: Option<&'a connection_request::Outcome>,
        error: Option<&'a str>,
    },
}

/// Connection-request credentials (`…ManagementServer.ConnectionRequestUsername`/`Password`).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct Credentials {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
}

impl Relay {
    pub fn new(uploads: Option<PathBuf>, credentials: Credentials, echo: bool) -> Relay {
        let (events, _) = broadcast::channel(1024);
        Relay { acs: Arc::new(Mutex::new(Acs::new())), events, uploads, credentials, echo }
    }

    /// The ACS state. A handler that panicked mid-update cannot leave it worse than a request
    /// refused with 500 would (core's ACS is fuzzed not to panic), so a poisoned lock is recovered.
    fn acs(&self) -> std::sync::MutexGuard<'_, Acs> {
        self.acs.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn publish(&self, json: String, line: impl FnOnce() -> String) {
        if self.echo {
            // A closed stdout (a pipe whose reader left) must not take the relay down.
            let _ = writeln!(std::io::stdout().lock(), "{}", line());
        }
        // No subscriber is no error: the app may simply not be open.
        let _ = self.events.send(json);
    }

    fn publish_acs(&self, event: &AcsEvent) {
        match serde_json::to_string(event) {
            Ok(json) => self.publish(json, || describe(event)),
            Err(error) => eprintln!("cwmpkit: cannot serialize an event: {error}"),
        }
    }
}

/// The relay's routes; `files` is served under `/files/` when given.
pub fn routes(relay: Relay, files: Option<PathBuf>) -> axum::Router {
    let mut router = axum::Router::new()
        .route("/acs", post(cwmp_post).layer(DefaultBodyLimit::max(MAX_CWMP_BODY)))
        .route("/api/devices", get(list_devices))
        .route("/api/devices/{id}", get(show_device))
        .route("/api/devices/{id}/rpcs", post(queue_rpc))
        .route("/api/devices/{id}/connection-request", post(request_connection))
        .route("/api/events", get(event_stream))
        .route(
            "/uploads/{name}",
            post(receive_upload).put(receive_upload).layer(DefaultBodyLimit::max(MAX_UPLOAD)),
        );
    if let Some(files) = files {
        router = router.nest_service("/files", tower_http::services::ServeDir::new(files));
    }
    router.with_state(relay)
}

fn now() -> Timestamp {
    let since_epoch =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Timestamp::from_unix_nanos(since_epoch.as_nanos() as i128)
}

/// An unguessable session token: std's randomly keyed hasher, twice, over the time.
fn session_token() -> String {
    let mut token = String::with_capacity(32);
    for _ in 0..2 {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_i128(now().unix_nanos);
        token.push_str(&format!("{:016x}", hasher.finish()));
    }
    token
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim_matches('"').to_owned())
}

async fn cwmp_post(
    State(relay): State<Relay>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let cookie = session_cookie(&headers);
    let token = session_token();
    let peer_text = peer.to_string();
    let reply = {
        let mut acs = relay.acs();
        acs.handle(CpeRequest {
            body: &body,
            session_cookie: cookie.as_deref(),
            peer: &peer_text,
            time: now(),
            new_session_token: &token,
        })
    };
    for event in &reply.events {
        relay.publish_acs(event);
    }
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, reply.body).into_response();
    let headers = response.headers_mut();
    if status == StatusCode::OK || status == StatusCode::INTERNAL_SERVER_ERROR {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml; charset=utf-8"));
        headers.insert("SOAPServer", HeaderValue::from_static("cwmpkit"));
    }
    if let Some(token) = reply.set_session_cookie
        && let Ok(value) =
            HeaderValue::from_str(&format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly"))
    {
        headers.insert(header::SET_COOKIE, value);
    }
    response
}

async fn list_devices(State(relay): State<Relay>) -> Response {
    Json(relay.acs().devices().cloned().collect::<Vec<_>>()).into_response()
}

async fn show_device(State(relay): State<Relay>, Path(id): Path<String>) -> Response {
    let acs = relay.acs();
    match acs.device(&id) {
        Some(device) => Json(device.clone()).into_response(),
        None => {
            (StatusCode::NOT_FOUND, format!("no device {id} has informed this ACS")).into_response()
        }
    }
}

#[derive(Serialize)]
struct Queued {
    id: String,
}

/// Body: one message as the core model serializes it, e.g.
/// `{"GetParameterValues":{"parameter_names":["Device.DeviceInfo."]}}`.
async fn queue_rpc(State(relay): State<Relay>, Path(id): Path<String>, body: Bytes) -> Response {
    let message: Message = match serde_json::from_slice(&body) {
        Ok(message) => message,
        Err(error) => {
            return (
                StatusCode::BAD_REQUEST,
                format!(
                    "not a CWMP message in JSON (line {}, column {}): {error}",
                    error.line(),
                    error.column()
                ),
            )
                .into_response();
        }
    };
    let mut acs = relay.acs();
    match acs.enqueue(&id, message) {
        Ok(request_id) => (StatusCode::ACCEPTED, Json(Queued { id: request_id })).into_response(),
        Err(error @ cwmpkit_core::acs::QueueError::UnknownDevice(_)) => {
            (StatusCode::NOT_FOUND, error.to_string()).into_response()
        }
        Err(error) => (StatusCode::UNPROCESSABLE_ENTITY, error.to_string()).into_response(),
    }
}

/// Body (optional): `{"username": "…", "password": "…"}`; else the relay's `--cr-username`/`--cr-password`.
async fn request_connection(
    State(relay): State<Relay>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let credentials = if body.iter().all(u8::is_ascii_whitespace) {
        relay.credentials.clone()
    } else {
        match serde_json::from_slice::<Credentials>(&body) {
            Ok(credentials) => credentials,
            Err(error) => {
                return (StatusCode::BAD_REQUEST, format!("not credentials in JSON: {error}"))
                    .into_response();
            }
        }
    };
    let url = {
        let acs = relay.acs();
        match acs.device(&id) {
            None => {
                return (StatusCode::NOT_FOUND, format!("no device {id} has informed this ACS"))
                    .into_response();
            }
            Some(device) => match &device.connection_request_url {
                Some(url) => url.clone(),
                None => {
                    return (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        format!("{id} has not reported its ConnectionRequestURL"),
                    )
                        .into_response();
                }
            },
        }
    };
    let result = connection_request::send(&url, &credentials.username, &credentials.password).await;
    let (outcome, error) = match &result {
        Ok(outcome) => (Some(outcome), None),
        Err(error) => (None, Some(error.as_str())),
    };
    let event =
        RelayEvent::ConnectionRequest { time: now(), device: &id, url: &url, outcome, error };
    if let Ok(json) = serde_json::to_string(&event) {
        relay.publish(json, || match &result {
            Ok(outcome) => format!("connection request {id} → {url}: HTTP {}", outcome.status),
            Err(error) => format!("connection request {id} → {url}: {error}"),
        });
    }
    match result {
        Ok(outcome) => Json(outcome).into_response(),
        Err(error) => (StatusCode::BAD_GATEWAY, error).into_response(),
    }
}

/// Server-sent events: one JSON object per event, as it happens.
async fn event_stream(
    State(relay): State<Relay>,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let receiver = relay.events.subscribe();
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        let data = match receiver.recv().await {
            Ok(json) => json,
            // A slow reader is told how many events it missed rather than cut off.
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                format!("{{\"event\":\"lagged\",\"missed\":{missed}}}")
            }
            Err(broadcast::error::RecvError::Closed) => return None,
        };
        Some((Ok(Event::default().data(data)), receiver))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// A file name a CPE may upload to: one path segment, no hidden files.
fn upload_name_is_safe(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name.len() <= 255
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "._-+@".contains(c))
}

async fn receive_upload(
    State(relay): State<Relay>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    let Some(directory) = &relay.uploads else {
        return (StatusCode::NOT_FOUND, "uploads are off: start the relay with --uploads DIR")
            .into_response();
    };
    if !upload_name_is_safe(&name) {
        return (StatusCode::BAD_REQUEST, format!("{name:?} is not a plain file name"))
            .into_response();
    }
    if let Err(error) = tokio::fs::write(directory.join(&name), &body).await {
        return (StatusCode::INTERNAL_SERVER_ERROR, format!("cannot store {name}: {error}"))
            .into_response();
    }
    let event =
        RelayEvent::Upload { time: now(), name: &name, bytes: body.len(), peer: peer.to_string() };
    if let Ok(json) = serde_json::to_string(&event) {
        relay.publish(json, || format!("upload  {name} ({} bytes) from {peer}", body.len()));
    }
    StatusCode::CREATED.into_response()
}

/// One line per event for the terminal.
fn describe(event: &AcsEvent) -> String {
    match event {
        AcsEvent::SessionStarted { device, peer, events, .. } => {
            format!("session {device} from {peer} [{}]", events.join(", "))
        }
        AcsEvent::Message { device, direction, rpc, .. } => {
            let arrow = match direction {
                cwmpkit_core::acs::Direction::CpeToAcs => "CPE → ACS",
                cwmpkit_core::acs::Direction::AcsToCpe => "ACS → CPE",
            };
            format!("  {arrow}  {rpc}  ({})", device.as_deref().unwrap_or("no session"))
        }
        AcsEvent::RpcCompleted { request_id, request, response, fault, .. } => match fault {
            Some(fault) => format!(
                "  {request} {request_id}: fault {} {}",
                fault.fault_code, fault.fault_string
            ),
            None => format!("  {request} {request_id}: {response}"),
        },
        AcsEvent::SessionEnded { device, .. } => format!("end     {device}"),
        AcsEvent::Problem { device, message, .. } => {
            format!("problem {}: {message}", device.as_deref().unwrap_or("-"))
        }
    }
}
