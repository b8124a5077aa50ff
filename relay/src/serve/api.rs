//! The API the app drives the relay through: the devices the ACS knows, tasks queued for their
//! next session, and connection requests. Requests and answers are core's API types
//! (`cwmpkit_core::api`); every refusal is an `ApiError` in JSON.

use super::connection_request;
use super::history;
use super::recordings;
use super::state::{EnqueueError, Relay, now};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cwmpkit_core::acs::QueueError;
use cwmpkit_core::api::{
    self, ApiError, ConnectionRequestForm, DeviceDetail, DeviceSessions, DeviceSummary, Queued,
    RelayInfo, StreamEvent, TaskRefused, Via,
};
use cwmpkit_core::capture::record::{RecorderOptions, capture_of};

/// A refusal as the API answers it: `{"error": …, "field": …}`.
pub fn refuse(status: StatusCode, error: ApiError) -> Response {
    (status, Json(error)).into_response()
}

fn no_device(id: &str) -> Response {
    refuse(StatusCode::NOT_FOUND, ApiError::new(format!("no device {id:?} has informed this ACS")))
}

/// `GET /api/info`: where devices reach the relay.
pub async fn info(State(relay): State<Relay>) -> Response {
    let base = relay
        .settings
        .acs_url
        .strip_suffix("/acs")
        .unwrap_or(&relay.settings.acs_url)
        .trim_end_matches('/');
    Json(RelayInfo {
        acs_url: relay.settings.acs_url.clone(),
        files_url: format!("{base}/files/"),
        uploads_url: format!("{base}/uploads/"),
    })
    .into_response()
}

/// `GET /api/devices`
pub async fn list_devices(State(relay): State<Relay>) -> Response {
    Json(relay.acs().devices().map(DeviceSummary::of).collect::<Vec<_>>()).into_response()
}

/// `GET /api/devices/{id}`
pub async fn show_device(State(relay): State<Relay>, Path(id): Path<String>) -> Response {
    let acs = relay.acs();
    match acs.device(&id) {
        Some(device) => Json(DeviceDetail::of(device)).into_response(),
        None => no_device(&id),
    }
}

/// Any other path under `/api`: a JSON 404, not the app's index.html.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    refuse(StatusCode::NOT_FOUND, ApiError::new(format!("no API at {}", uri.path())))
}

/// `POST /api/devices/{id}/rpcs`. Body: a task form, e.g.
/// `{"rpc":"GetParameterValues","parameter_names":["Device.DeviceInfo."]}`; 400 for JSON that
/// cannot be read, 422 with the field for an invalid form.
pub async fn queue_rpc(
    State(relay): State<Relay>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let prepared = match api::read_task(&body) {
        Ok((_, prepared)) => prepared,
        Err(TaskRefused::Unreadable(error)) => return refuse(StatusCode::BAD_REQUEST, error),
        Err(TaskRefused::Invalid(error)) => {
            return refuse(StatusCode::UNPROCESSABLE_ENTITY, error);
        }
    };
    match relay.enqueue(&id, prepared).await {
        Ok(request_id) => (StatusCode::ACCEPTED, Json(Queued { id: request_id })).into_response(),
        Err(EnqueueError::Refused(QueueError::UnknownDevice(_))) => no_device(&id),
        Err(EnqueueError::Refused(error @ QueueError::QueueFull { limit, .. })) => refuse(
            StatusCode::TOO_MANY_REQUESTS,
            ApiError::limit_reached(error.to_string(), "--max-queued", limit as u64),
        ),
        Err(EnqueueError::Refused(error)) => {
            refuse(StatusCode::UNPROCESSABLE_ENTITY, ApiError::new(error.to_string()))
        }
        Err(EnqueueError::NotStored { id, reason }) => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::new(format!(
                "{id} is queued but could not be stored ({reason}): a restart before the device's next session loses it"
            )),
        ),
    }
}

/// The parameters whose value is the UDP address of TR-111 connection requests.
const UDP_CONNECTION_REQUEST_ADDRESS: &[&str] = &[
    "Device.ManagementServer.UDPConnectionRequestAddress",
    "InternetGatewayDevice.ManagementServer.UDPConnectionRequestAddress",
];

/// `POST /api/devices/{id}/connection-request`. Body (optional):
/// `{"username": "…", "password": "…", "via": "http" | "udp"}`; credentials default to the
/// relay's `--cr-username`/`--cr-password`.
pub async fn request_connection(
    State(relay): State<Relay>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let request = if body.iter().all(u8::is_ascii_whitespace) {
        ConnectionRequestForm::default()
    } else {
        match serde_json::from_slice::<ConnectionRequestForm>(&body) {
            Ok(request) => request,
            Err(error) => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    ApiError::new(format!(
                        "not a connection request (`username`, `password`, `via`) in JSON, line {} column {}: {error}",
                        error.line(),
                        error.column()
                    )),
                );
            }
        }
    };
    let mut settings = relay.settings.connection_requests.clone();
    if let Some(username) = request.username {
        settings.username = username;
    }
    if let Some(password) = request.password {
        settings.password = password;
    }
    let (url, udp) = {
        let acs = relay.acs();
        let Some(device) = acs.device(&id) else {
            return no_device(&id);
        };
        let udp = UDP_CONNECTION_REQUEST_ADDRESS
            .iter()
            .find_map(|name| device.parameters.get(*name))
            .filter(|address| !address.trim().is_empty())
            .cloned();
        (device.connection_request_url.clone().filter(|u| !u.trim().is_empty()), udp)
    };
    let via = match (request.via, &url, &udp) {
        (Some(via), _, _) => via,
        (None, Some(_), _) => Via::Http,
        (None, None, Some(_)) => Via::Udp,
        (None, None, None) => {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                ApiError::new(format!(
                    "{id} has reported neither a ConnectionRequestURL nor a UDPConnectionRequestAddress"
                )),
            );
        }
    };
    let mut sent = Vec::new();
    let (target, result) = match (via, url, udp) {
        (Via::Http, Some(url), _) => {
            (api::redact_url(&url), connection_request::send_http(&url, &settings, &mut sent).await)
        }
        (Via::Udp, _, Some(address)) => {
            (format!("udp://{address}"), connection_request::send_udp(&address, &settings).await)
        }
        (Via::Http, None, _) => {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                ApiError::in_field(
                    "via",
                    format!("{id} has not reported its ConnectionRequestURL"),
                ),
            );
        }
        (Via::Udp, _, None) => {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                ApiError::in_field(
                    "via",
                    format!("{id} has not reported its UDPConnectionRequestAddress"),
                ),
            );
        }
    };
    recordings::record_connection_request(&relay, &id, sent);
    let event = StreamEvent::ConnectionRequest {
        time: now(),
        device: id.clone(),
        url: target.clone(),
        outcome: result.as_ref().ok().cloned(),
        error: result.as_ref().err().cloned(),
    };
    relay.events.publish_event(&event, || match &result {
        Ok(outcome) => match outcome.status {
            Some(status) => format!("connection request {id} → {target}: HTTP {status}"),
            None => format!("connection request {id} → {target}: sent"),
        },
        Err(error) => format!("connection request {id} → {target}: {error}"),
    });
    match result {
        Ok(outcome) => Json(outcome).into_response(),
        Err(error) => refuse(StatusCode::BAD_GATEWAY, ApiError::new(error)),
    }
}

/// `GET /api/devices/{id}/results`: the device's stored RPC results (`rpc-completed` events),
/// oldest first, the newest `--max-results` of them.
pub async fn device_results(State(relay): State<Relay>, Path(id): Path<String>) -> Response {
    if relay.acs().device(&id).is_none() {
        return no_device(&id);
    }
    let store = relay.store.clone();
    match tokio::task::spawn_blocking(move || store.results(&id)).await {
        Ok(Ok(json)) => {
            ([(axum::http::header::CONTENT_TYPE, "application/json")], json).into_response()
        }
        Ok(Err(error)) => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::new(format!("the results cannot be read: {error}")),
        ),
        Err(error) => refuse(StatusCode::INTERNAL_SERVER_ERROR, ApiError::new(error.to_string())),
    }
}

/// `GET /api/devices/{id}/sessions`: the device's recent sessions on this relay (core's
/// `DeviceSessions`: each a `session::Session` with its conformance findings, secrets masked).
pub async fn device_sessions(State(relay): State<Relay>, Path(id): Path<String>) -> Response {
    let Some(snapshot) = history_of(&relay, &id) else { return no_device(&id) };
    let end = now();
    let built = tokio::task::spawn_blocking(move || {
        let exchanges = snapshot.exchanges.iter().map(|e| e.as_exchange());
        DeviceSessions::of_exchanges(exchanges, end, snapshot.trimmed)
    })
    .await;
    match built {
        Ok(sessions) => Json(sessions).into_response(),
        Err(error) => refuse(StatusCode::INTERNAL_SERVER_ERROR, ApiError::new(error.to_string())),
    }
}

/// `GET /api/devices/{id}/capture`: the same exchanges as a pcapng file, for the Decode page or
/// Wireshark.
pub async fn device_capture(State(relay): State<Relay>, Path(id): Path<String>) -> Response {
    let Some(snapshot) = history_of(&relay, &id) else { return no_device(&id) };
    let end = now();
    let built = tokio::task::spawn_blocking(move || {
        let exchanges = snapshot.exchanges.iter().map(|e| e.as_exchange());
        capture_of(exchanges, RecorderOptions::default(), end).0
    })
    .await;
    match built {
        Ok(capture) => {
            let name: String = id
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' })
                .collect();
            (
                [
                    (header::CONTENT_TYPE, "application/x-pcapng".to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}.pcapng\""),
                    ),
                ],
                capture,
            )
                .into_response()
        }
        Err(error) => refuse(StatusCode::INTERNAL_SERVER_ERROR, ApiError::new(error.to_string())),
    }
}

/// The device's kept exchanges; `None` when no such device has informed the ACS.
fn history_of(relay: &Relay, id: &str) -> Option<history::Snapshot> {
    relay.acs().device(id)?;
    Some(match &relay.settings.history {
        Some(history) => history.of(id),
        None => history::Snapshot { exchanges: Vec::new(), trimmed: false },
    })
}
