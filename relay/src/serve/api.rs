//! The API the app drives the relay through: the devices the ACS knows, RPCs queued for their
//! next session, and connection requests.

use super::connection_request;
use super::events::RelayEvent;
use super::state::{Credentials, Relay, now};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
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
    let base = relay.acs_url.strip_suffix("/acs").unwrap_or(&relay.acs_url).trim_end_matches('/');
    Json(Info {
        acs_url: &relay.acs_url,
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
    let mut acs = relay.acs();
    match acs.enqueue(&id, message) {
        Ok(request_id) => (StatusCode::ACCEPTED, Json(Queued { id: request_id })).into_response(),
        Err(error @ cwmpkit_core::acs::QueueError::UnknownDevice(_)) => {
            (StatusCode::NOT_FOUND, error.to_string()).into_response()
        }
        Err(error) => (StatusCode::UNPROCESSABLE_ENTITY, error.to_string()).into_response(),
    }
}

/// `POST /api/devices/{id}/connection-request`. Body (optional):
/// `{"username": "…", "password": "…"}`; else the relay's `--cr-username`/`--cr-password`.
pub async fn request_connection(
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
    relay.events.publish_relay(&event, || match &result {
        Ok(outcome) => format!("connection request {id} → {url}: HTTP {}", outcome.status),
        Err(error) => format!("connection request {id} → {url}: {error}"),
    });
    match result {
        Ok(outcome) => Json(outcome).into_response(),
        Err(error) => (StatusCode::BAD_GATEWAY, error).into_response(),
    }
}
