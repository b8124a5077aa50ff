//! `PUT` or `POST /uploads/NAME`: the files CPEs upload (config backups, logs) for Upload RPCs,
//! stored in `--uploads DIR`.

use super::events::RelayEvent;
use super::state::{Relay, now};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;

/// A file name a CPE may upload to: one path segment, no hidden files.
fn upload_name_is_safe(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name.len() <= 255
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "._-+@".contains(c))
}

pub async fn receive_upload(
    State(relay): State<Relay>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    let Some(directory) = &relay.settings.uploads else {
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
    relay
        .events
        .publish_relay(&event, || format!("upload  {name} ({} bytes) from {peer}", body.len()));
    StatusCode::CREATED.into_response()
}
