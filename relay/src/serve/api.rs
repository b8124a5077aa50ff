//! The API the app drives the relay through: the devices the ACS knows, RPCs queued for their
//! next session, and connection requests.

use super::connection_request;
use super::events::RelayEvent;
use super::state::{EnqueueError, Relay, now};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cwmpkit_core::acs::QueueError;
use cwmpkit_core::cwmp::Message;
use serde::Serialize;

/// `GET /api/info`: where devices reach the relay, for the app to show and to build the
/// `/files/` and `/uploads/` URLs of Download and Upload RPCs (they are on the ACS listener,
/// not the app's origin).
#[derive(Serialize)]
struct Info<'a> {
    acs_url: &'a str,
    files_url: String,
    uploads_url: String,
}

pub async fn info(State(relay): State<Relay>) -> Response {
    let base = relay
        .settings
        .acs_url
        .strip_suffix("/acs")
        .unwrap_or(&relay.settings.acs_url)
        .trim_end_matches('/');
    Json(Info {
        acs_url: &relay.settings.acs_url,
        files_url: format!("{base}/files/"),
        uploads_url: format!("{base}/uploads/"),
    })
    .into_response()
}

/// `GET /api/devices`
pub async fn list_devices(State(relay): State<Relay>) -> Response {
    Json(relay.acs().devices().cloned().collect::<Vec<_>>()).into_response()
}

/// `GET /api/devices/{id}`
pub async fn show_device(State(relay): State<Relay>, Path(id): Path<String>) -> Response {
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

/// `POST /api/devices/{id}/rpcs`. Body: one message as the core model serializes it, e.g.
/// `{"GetParameterValues":{"parameter_names":["Device.DeviceInfo."]}}`.
pub async fn queue_rpc(
    State(relay): State<Relay>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
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
    match relay.enqueue(&id, message).await {
        Ok(request_id) => (StatusCode::ACCEPTED, Json(Queued { id: request_id })).into_response(),
        Err(EnqueueError::Refused(error @ QueueError::UnknownDevice(_))) => {
            (StatusCode::NOT_FOUND, error.to_string()).into_response()
        }
        Err(EnqueueError::Refused(error @ QueueError::QueueFull { limit, .. })) => {
            let refusal =
                serde_json::json!({"error": error.to_string(), "limit": "--max-queued", "max": limit});
            (StatusCode::TOO_MANY_REQUESTS, Json(refusal)).into_response()
        }
        Err(EnqueueError::Refused(error)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, error.to_string()).into_response()
        }
        Err(EnqueueError::NotStored { id, reason }) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("{id} is queued but could not be stored ({reason}): a restart before the device's next session loses it"),
        )
            .into_response(),
    }
}

/// The parameters whose value is the UDP address of TR-111 connection requests.
const UDP_CONNECTION_REQUEST_ADDRESS: &[&str] = &[
    "Device.ManagementServer.UDPConnectionRequestAddress",
    "InternetGatewayDevice.ManagementServer.UDPConnectionRequestAddress",
];

/// The body of a connection request: credentials for this one request, and which of the
/// device's own addresses to use. There is no field for a target: the relay connects only
/// where the device said.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConnectionRequestBody {
    username: Option<String>,
    password: Option<String>,
    /// `http` (the ConnectionRequestURL) or `udp` (the UDPConnectionRequestAddress); default:
    /// http when the device reported a URL, else udp.
    via: Option<Via>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
enum Via {
    Http,
    Udp,
}

/// `POST /api/devices/{id}/connection-request`. Body (optional):
/// `{"username": "…", "password": "…", "via": "http" | "udp"}`; credentials default to the
/// relay's `--cr-username`/`--cr-password`.
pub async fn request_connection(
    State(relay): State<Relay>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let request = if body.iter().all(u8::is_ascii_whitespace) {
        ConnectionRequestBody::default()
    } else {
        match serde_json::from_slice::<ConnectionRequestBody>(&body) {
            Ok(request) => request,
            Err(error) => {
                return (
                    StatusCode::BAD_REQUEST,
                    format!(
                        "not a connection request (`username`, `password`, `via`) in JSON, line {} column {}: {error}",
                        error.line(),
                        error.column()
                    ),
                )
                    .into_response();
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
            return (StatusCode::NOT_FOUND, format!("no device {id:?} has informed this ACS"))
                .into_response();
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
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{id} has reported neither a ConnectionRequestURL nor a UDPConnectionRequestAddress"),
            )
                .into_response();
        }
    };
    let (target, result) = match (via, url, udp) {
        (Via::Http, Some(url), _) => {
            (connection_request::redact(&url), connection_request::send_http(&url, &settings).await)
        }
        (Via::Udp, _, Some(address)) => {
            (format!("udp://{address}"), connection_request::send_udp(&address, &settings).await)
        }
        (Via::Http, None, _) => {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{id} has not reported its ConnectionRequestURL"),
            )
                .into_response();
        }
        (Via::Udp, _, None) => {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{id} has not reported its UDPConnectionRequestAddress"),
            )
                .into_response();
        }
    };
    let (outcome, error) = match &result {
        Ok(outcome) => (Some(outcome), None),
        Err(error) => (None, Some(error.as_str())),
    };
    let event =
        RelayEvent::ConnectionRequest { time: now(), device: &id, url: &target, outcome, error };
    relay.events.publish_relay(&event, || match &result {
        Ok(outcome) => match outcome.status {
            Some(status) => format!("connection request {id} → {target}: HTTP {status}"),
            None => format!("connection request {id} → {target}: sent"),
        },
        Err(error) => format!("connection request {id} → {target}: {error}"),
    });
    match result {
        Ok(outcome) => Json(outcome).into_response(),
        Err(error) => (StatusCode::BAD_GATEWAY, error).into_response(),
    }
}

/// `GET /api/devices/{id}/results`: the device's stored RPC results (`rpc-completed` events),
/// oldest first, the newest `--max-results` of them.
pub async fn device_results(State(relay): State<Relay>, Path(id): Path<String>) -> Response {
    if relay.acs().device(&id).is_none() {
        return (StatusCode::NOT_FOUND, format!("no device {id:?} has informed this ACS"))
            .into_response();
    }
    let store = relay.store.clone();
    match tokio::task::spawn_blocking(move || store.results(&id)).await {
        Ok(Ok(json)) => {
            ([(axum::http::header::CONTENT_TYPE, "application/json")], json).into_response()
        }
        Ok(Err(error)) => {
            (StatusCode::INTERNAL_SERVER_ERROR, format!("the results cannot be read: {error}"))
                .into_response()
        }
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    }
}
