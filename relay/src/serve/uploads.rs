//! `PUT` or `POST /uploads/NAME` on the ACS listener: the files CPEs upload for Upload RPCs
//! (an Aastra phone's `<MAC>_local.cfg` backup, its `<MAC>_<TIME>_crash.log`), stored in
//! `--uploads DIR`; and `GET /api/uploads[/NAME]` on the app's listener to list and fetch them.
//!
//! An upload streams to a new temporary file in the same directory (never whole in memory),
//! is fsynced, and only then renamed over the name: a failed or cut-off upload leaves the
//! previous good file as it was, and a symlink planted under the name is replaced, never
//! followed. Names are one plain segment (no traversal, however encoded). At most
//! `--max-uploads` run at once, each within `--max-upload-bytes`, and they authenticate as
//! `/acs` does.

use super::cpe_auth::Refusal;
use super::state::{Relay, now, random_hex, unix_seconds};
use axum::body::Body;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cwmpkit_core::api::{StreamEvent, UploadEntry};
use futures_util::StreamExt as _;
use std::net::SocketAddr;
use tokio::io::AsyncWriteExt;
use tower::ServiceExt as _;
use tower_http::services::ServeFile;

/// Why `name` cannot be an upload's (or a recording's) name, if it cannot. Axum has already
/// percent-decoded it, so `..%2F` arrives as `../` and is refused here like any other separator.
pub(super) fn refuse_name(name: &str) -> Option<&'static str> {
    if name.is_empty() || name.len() > 255 {
        return Some("a name of 1 to 255 characters");
    }
    if name.starts_with('.') {
        return Some("no hidden names, no `.` or `..`");
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || "._-+@".contains(c)) {
        return Some("letters, digits and `._-+@` only: no `/`, `\\`, `%` or spaces");
    }
    None
}

fn reply(status: StatusCode, text: String) -> Response {
    (status, format!("{text}\n")).into_response()
}

pub async fn receive_upload(
    State(relay): State<Relay>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    Path(name): Path<String>,
    body: Body,
) -> Response {
    let settings = &relay.settings;
    let Some(directory) = &settings.uploads else {
        return reply(
            StatusCode::NOT_FOUND,
            "uploads are off: start the relay with --uploads DIR".to_owned(),
        );
    };
    if !settings.cpe_auth.is_open() {
        let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        let target = uri.path_and_query().map_or("/", |p| p.as_str());
        let seconds = unix_seconds();
        if let Err(refusal) =
            settings.cpe_auth.verify(method.as_str(), target, authorization, None, seconds)
        {
            if let Refusal::Failed(reason) = &refusal {
                relay.events.problem(
                    None,
                    "auth-failed",
                    &format!("an upload from {peer} was refused: {reason}"),
                );
            }
            let mut response =
                reply(StatusCode::UNAUTHORIZED, "authentication required".to_owned());
            for challenge in settings.cpe_auth.challenges(seconds, refusal == Refusal::Stale) {
                if let Ok(value) = HeaderValue::from_str(&challenge) {
                    response.headers_mut().append(header::WWW_AUTHENTICATE, value);
                }
            }
            return response;
        }
    }
    if let Some(why) = refuse_name(&name) {
        return reply(StatusCode::BAD_REQUEST, format!("{name:?} is not a plain file name: {why}"));
    }
    let Ok(_slot) = settings.upload_slots.clone().try_acquire_owned() else {
        relay.events.notice(
            "limit-uploads",
            &format!("an upload from {peer} was refused: --max-uploads are running already"),
        );
        return reply(
            StatusCode::SERVICE_UNAVAILABLE,
            "too many uploads at once (--max-uploads); try again".to_owned(),
        );
    };
    let max = settings.max_upload_bytes;
    match store(directory, &name, body, max).await {
        Ok(bytes) => {
            let event = StreamEvent::Upload {
                time: now(),
                name: name.clone(),
                bytes: u64::try_from(bytes).unwrap_or(u64::MAX),
                peer: peer.to_string(),
            };
            relay
                .events
                .publish_event(&event, || format!("upload  {name} ({bytes} bytes) from {peer}"));
            StatusCode::CREATED.into_response()
        }
        Err((status, reason)) => {
            relay.events.problem(
                None,
                "upload-failed",
                &format!("upload {name} from {peer}: {reason}"),
            );
            reply(status, format!("{name}: {reason}"))
        }
    }
}

/// Streams `body` to a temporary file beside `name`, fsyncs it and renames it into place.
async fn store(
    directory: &std::path::Path,
    name: &str,
    body: Body,
    max: usize,
) -> Result<usize, (StatusCode, String)> {
    let suffix = random_hex(8).map_err(|e| (StatusCode::SERVICE_UNAVAILABLE, e))?;
    // A hidden name: never served, never listed, never an upload's own name.
    let temporary = directory.join(format!(".{name}.{suffix}.part"));
    let internal =
        |e: std::io::Error| (StatusCode::INTERNAL_SERVER_ERROR, format!("cannot store it: {e}"));
    // create_new: fails rather than follow anything already at that path.
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temporary)
        .await
        .map_err(internal)?;
    let written = async {
        let mut stream = body.into_data_stream();
        let mut total = 0usize;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| {
                let timed_out = std::error::Error::source(&e)
                    .is_some_and(|s| s.is::<tower_http::timeout::TimeoutError>());
                if timed_out {
                    (
                        StatusCode::REQUEST_TIMEOUT,
                        "the upload stopped arriving for longer than --body-timeout".to_owned(),
                    )
                } else {
                    (StatusCode::BAD_REQUEST, format!("the upload was cut off: {e}"))
                }
            })?;
            total += chunk.len();
            if total > max {
                return Err((
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("larger than {max} bytes (--max-upload-bytes)"),
                ));
            }
            file.write_all(&chunk).await.map_err(internal)?;
        }
        file.sync_all().await.map_err(internal)?;
        Ok(total)
    }
    .await;
    drop(file);
    match written {
        Ok(total) => {
            // rename replaces whatever is at the name (a symlink included) without following it.
            if let Err(error) = tokio::fs::rename(&temporary, directory.join(name)).await {
                let _ = tokio::fs::remove_file(&temporary).await;
                return Err(internal(error));
            }
            // The rename itself is durable once the directory is synced.
            if let Ok(dir) = tokio::fs::File::open(directory).await {
                let _ = dir.sync_all().await;
            }
            Ok(total)
        }
        Err(refused) => {
            let _ = tokio::fs::remove_file(&temporary).await;
            Err(refused)
        }
    }
}

/// What an upload is, from the Aastra naming.
fn kind_of(name: &str) -> &'static str {
    if name.ends_with("_local.cfg") {
        "config backup"
    } else if name.ends_with("_crash.log") {
        "crash log"
    } else {
        "file"
    }
}

/// `GET /api/uploads`: the stored uploads, newest first (plain files only; hidden and
/// temporary ones, and symlinks, are not listed).
pub async fn list(State(relay): State<Relay>) -> Response {
    let Some(directory) = &relay.settings.uploads else {
        return axum::Json(Vec::<UploadEntry>::new()).into_response();
    };
    let mut listed = Vec::new();
    let mut entries = match tokio::fs::read_dir(directory).await {
        Ok(entries) => entries,
        Err(e) => {
            return reply(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("--uploads {}: {e}", directory.display()),
            );
        }
    };
    while let Ok(Some(entry)) = entries.next_entry().await {
        let name = entry.file_name().to_string_lossy().into_owned();
        // symlink_metadata: a link is not followed, and not listed.
        let Ok(metadata) = tokio::fs::symlink_metadata(entry.path()).await else { continue };
        if refuse_name(&name).is_some() || !metadata.is_file() {
            continue;
        }
        let modified = metadata
            .modified()
            .ok()
            .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs());
        listed.push(UploadEntry {
            kind: kind_of(&name).to_owned(),
            name,
            bytes: metadata.len(),
            modified,
        });
    }
    listed.sort_by(|a, b| b.modified.cmp(&a.modified).then_with(|| a.name.cmp(&b.name)));
    axum::Json(listed).into_response()
}

/// `GET /api/uploads/{name}`: one stored upload, as a download.
pub async fn download(
    State(relay): State<Relay>,
    Path(name): Path<String>,
    request: axum::extract::Request,
) -> Response {
    let Some(directory) = &relay.settings.uploads else {
        return reply(StatusCode::NOT_FOUND, "uploads are off".to_owned());
    };
    send_stored_file(directory, &name, "an upload", request).await
}

/// The plain file `name` of `directory` as a download (`what`, e.g. `an upload`, says what it should be): a name that
/// is not plain, or names anything but a regular file (a symlink), is refused.
pub(super) async fn send_stored_file(
    directory: &std::path::Path,
    name: &str,
    what: &str,
    request: axum::extract::Request,
) -> Response {
    if let Some(why) = refuse_name(name) {
        return reply(
            StatusCode::BAD_REQUEST,
            format!("{name:?} is not the name of {what}: {why}"),
        );
    }
    let path = directory.join(name);
    match tokio::fs::symlink_metadata(&path).await {
        Ok(metadata) if metadata.is_file() => {}
        _ => return reply(StatusCode::NOT_FOUND, format!("no such file: {name}")),
    }
    let mut response = match ServeFile::new(path).oneshot(request).await {
        Ok(response) => response.into_response(),
        Err(e) => {
            return reply(StatusCode::INTERNAL_SERVER_ERROR, format!("cannot read {name}: {e}"));
        }
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::refuse_name;

    #[test]
    fn only_plain_names() {
        for good in ["00085D1A2B3C_local.cfg", "00085D1A2B3C_20261204T1200_crash.log", "a+b@c-d.e"]
        {
            assert_eq!(refuse_name(good), None, "{good}");
        }
        for bad in [
            "",
            ".",
            "..",
            ".hidden",
            "../x",
            "a/b",
            "a\\b",
            "/etc/passwd",
            "C:\\x",
            "a%2Fb",
            "a b",
            "x\0",
        ] {
            assert!(refuse_name(bad).is_some(), "{bad:?}");
        }
        assert!(refuse_name(&"a".repeat(256)).is_some());
    }
}
