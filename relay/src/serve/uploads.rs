//! `PUT` or `POST /uploads/NAME` on the ACS listener: the files CPEs upload for Upload RPCs
//! (an Aastra phone's `<MAC>_local.cfg` backup, its `<MAC>_<TIME>_crash.log`), stored in
//! `--uploads DIR`; and `GET /api/uploads[/NAME]` on the app's listener to list and fetch them.
//!
//! An upload streams to a new temporary file in the same directory (never whole in memory),
//! is fsynced, and only then renamed over the name: a failed or cut-off upload leaves the
//! previous good file as it was, and a symlink planted under the name is replaced, never
//! followed. Names are one plain segment (no traversal, however encoded). At most
//! `--max-uploads` run at once, each within `--max-upload-bytes`, and they authenticate as
//! `/acs` does. A file the uploads index knows as one device's is not replaced by an uploader
//! shown to be another ([`owner_other_than`]): one phone cannot overwrite another's backup.
//!
//! The folder holds at most `--max-uploads-total-bytes` ([`UploadSpace`]): an upload that would
//! pass it is refused with 507, and nothing stored is ever deleted to make room (they are the
//! user's config backups).
//!
//! Each upload stored is added to the uploads index in the store (size, time, peer, user, and
//! the device when it can be told, see [`sender_of`]) before the CPE hears 201; the listing
//! joins the folder with the index, so a file the index does not know is still listed, and the
//! records of files that are gone are removed from the index (at start, [`forget_gone`], and at
//! each listing).

use super::cpe_auth::{Identity, Speaker, refuse};
use super::state::{Relay, now, outcome, random_hex, unix_seconds};
use super::storage::UploadRecord;
use axum::body::Body;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use cwmpkit_core::acs::{AcsEvent, Direction};
use cwmpkit_core::api::{StreamEvent, UploadEntry, UploadReceived, UploadSender};
use cwmpkit_core::cwmp::Message;
use futures_util::StreamExt as _;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Mutex, PoisonError};
use tokio::io::AsyncWriteExt;

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
    let mut identity = None;
    if !settings.cpe_auth.is_open() {
        let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        let target = uri.path_and_query().map_or("/", |p| p.as_str());
        let seconds = unix_seconds();
        match settings.cpe_auth.verify(
            method.as_str(),
            target,
            authorization,
            Speaker::Anyone,
            seconds,
        ) {
            Ok(verified) => identity = Some(verified),
            Err(refusal) => {
                return refuse(&relay, refusal, None, seconds, |reason| {
                    format!("an upload from {peer} was refused: {reason}")
                });
            }
        }
    }
    if let Some(why) = refuse_name(&name) {
        return reply(StatusCode::BAD_REQUEST, format!("{name:?} is not a plain file name: {why}"));
    }
    if let Some(owner) = owner_other_than(&relay, directory, &name, identity.as_ref()).await {
        relay.events.problem(
            Some(&owner),
            "upload-owner",
            &format!(
                "an upload from {peer} over {name} was refused: that file is {owner}'s, and the \
                 uploader did not authenticate as {owner}"
            ),
        );
        return reply(
            StatusCode::FORBIDDEN,
            format!("{name} was uploaded by another device: it is not replaced"),
        );
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
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let space = &relay.upload_space;
    if let Err(full) = space.begin(directory, declared).await {
        return refuse_full(&relay, &name, peer, &full);
    }
    let max = settings.max_upload_bytes;
    match store(directory, &name, body, max, space).await {
        Ok(bytes) => {
            let bytes = u64::try_from(bytes).unwrap_or(u64::MAX);
            let (device, device_from) = sender_of(&relay, &name, identity.as_ref());
            let received = UploadReceived {
                time: now(),
                peer: peer.to_string(),
                username: identity.as_ref().and_then(|i| settings.cpe_auth.username_of(i)),
                device: device.clone(),
                device_from,
            };
            // The file's time as stored, so that the listing can tell it from a file put in its
            // place by hand later.
            let modified = tokio::fs::symlink_metadata(directory.join(&name))
                .await
                .map_or(0, |metadata| modified_seconds(&metadata));
            let record =
                UploadRecord { bytes, modified, kind: kind_of(&name).to_owned(), received };
            // The CPE hears 201 once the index holds it, as the API's queue call answers once
            // its RPC is stored; the file is stored either way, so a failed commit is said, not
            // refused.
            if let Err(reason) = outcome(relay.store.index_upload(name.clone(), record)).await {
                relay.events.problem(
                    device.as_deref(),
                    "storage",
                    &format!("upload {name} is stored but not in the uploads index: {reason}"),
                );
            }
            let event = StreamEvent::Upload {
                time: now(),
                name: name.clone(),
                bytes,
                peer: peer.to_string(),
                device: device.clone(),
            };
            let sender = device.map(|device| format!(" ({device})")).unwrap_or_default();
            relay.events.publish_event(&event, || {
                format!("upload  {name} ({bytes} bytes) from {peer}{sender}")
            });
            StatusCode::CREATED.into_response()
        }
        Err(Failed::Full(full)) => refuse_full(&relay, &name, peer, &full),
        Err(Failed::Other(status, reason)) => {
            relay.events.problem(
                None,
                "upload-failed",
                &format!("upload {name} from {peer}: {reason}"),
            );
            reply(status, format!("{name}: {reason}"))
        }
    }
}

/// 507 for an upload that would pass `--max-uploads-total-bytes`, and a `problem` event naming
/// the limit.
fn refuse_full(relay: &Relay, name: &str, peer: SocketAddr, full: &Full) -> Response {
    relay.events.problem(
        None,
        "limit-uploads-total-bytes",
        &format!("upload {name} from {peer} was refused: {full}"),
    );
    reply(StatusCode::INSUFFICIENT_STORAGE, format!("{name}: {full}"))
}

/// Why an upload was not stored.
enum Failed {
    /// The folder would pass `--max-uploads-total-bytes`.
    Full(Full),
    /// Anything else: the status to answer with, and why.
    Other(StatusCode, String),
}

/// An upload refused for want of room under `--max-uploads-total-bytes`.
#[derive(Debug)]
pub(super) struct Full {
    /// The folder's files and the uploads running, as counted when it was refused.
    held: u64,
    /// What this upload needed: the rest of its declared length, or its next chunk.
    wanted: u64,
    max: u64,
}

impl std::fmt::Display for Full {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the uploads folder holds {} bytes, and {} more would pass {} (--max-uploads-total-bytes); \
             nothing stored is deleted to make room: remove old uploads by hand",
            self.held, self.wanted, self.max
        )
    }
}

/// `--max-uploads-total-bytes`: what the uploads folder may hold in all, the uploads running
/// counted as they arrive (their temporary files grow beside the files they will replace, so a
/// file being replaced counts twice until the new one is in place). The folder is counted again
/// at each upload's start, so files removed or added by hand are seen; the count and the
/// renames that change it are made under one lock, so that no upload is counted twice or not
/// at all.
pub struct UploadSpace {
    max_total: u64,
    ledger: tokio::sync::Mutex<Ledger>,
}

#[derive(Default)]
struct Ledger {
    /// Bytes of the folder's files (uploads, and what was put there by hand).
    stored: u64,
    /// Bytes written so far by the uploads running now.
    running: u64,
}

impl Ledger {
    fn held(&self) -> u64 {
        self.stored.saturating_add(self.running)
    }
}

impl UploadSpace {
    pub fn new(max_total: u64) -> UploadSpace {
        UploadSpace { max_total, ledger: tokio::sync::Mutex::default() }
    }

    fn full(&self, ledger: &Ledger, wanted: u64) -> Option<Full> {
        (ledger.held().saturating_add(wanted) > self.max_total).then(|| Full {
            held: ledger.held(),
            wanted,
            max: self.max_total,
        })
    }

    /// Counts the folder again; refuses an upload whose declared length would not fit.
    async fn begin(&self, directory: &std::path::Path, declared: Option<u64>) -> Result<(), Full> {
        let mut ledger = self.ledger.lock().await;
        ledger.stored = plain_files(directory).await.iter().map(|(_, m)| m.len()).sum();
        match self.full(&ledger, declared.unwrap_or(0)) {
            Some(full) => Err(full),
            None => Ok(()),
        }
    }

    /// Counts `bytes` more of a running upload, if they fit.
    async fn take(&self, bytes: u64) -> Result<(), Full> {
        let mut ledger = self.ledger.lock().await;
        if let Some(full) = self.full(&ledger, bytes) {
            return Err(full);
        }
        ledger.running += bytes;
        Ok(())
    }

    /// A running upload that ended without being stored: its bytes are gone with its
    /// temporary file.
    async fn release(&self, bytes: u64) {
        let mut ledger = self.ledger.lock().await;
        ledger.running = ledger.running.saturating_sub(bytes);
    }
}

/// Streams `body` to a temporary file beside `name` (each chunk counted in `space` before it is
/// written), fsyncs it and renames it into place.
async fn store(
    directory: &std::path::Path,
    name: &str,
    body: Body,
    max: usize,
    space: &UploadSpace,
) -> Result<usize, Failed> {
    let suffix = random_hex(8).map_err(|e| Failed::Other(StatusCode::SERVICE_UNAVAILABLE, e))?;
    // A hidden name: never served, never listed, never an upload's own name.
    let temporary = directory.join(format!(".{name}.{suffix}.part"));
    let internal = |e: std::io::Error| {
        Failed::Other(StatusCode::INTERNAL_SERVER_ERROR, format!("cannot store it: {e}"))
    };
    // create_new: fails rather than follow anything already at that path. Owner-only: a
    // config backup holds the device's passwords.
    let mut file = tokio::fs::OpenOptions::from(super::owner_only::file_options())
        .write(true)
        .create_new(true)
        .open(&temporary)
        .await
        .map_err(internal)?;
    // Bytes counted in `space` so far.
    let mut total = 0usize;
    let written = async {
        let mut stream = body.into_data_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| {
                let timed_out = std::error::Error::source(&e)
                    .is_some_and(|s| s.is::<tower_http::timeout::TimeoutError>());
                if timed_out {
                    Failed::Other(
                        StatusCode::REQUEST_TIMEOUT,
                        "the upload stopped arriving for longer than --body-timeout".to_owned(),
                    )
                } else {
                    Failed::Other(StatusCode::BAD_REQUEST, format!("the upload was cut off: {e}"))
                }
            })?;
            if total + chunk.len() > max {
                return Err(Failed::Other(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("larger than {max} bytes (--max-upload-bytes)"),
                ));
            }
            space.take(chunk.len() as u64).await.map_err(Failed::Full)?;
            total += chunk.len();
            file.write_all(&chunk).await.map_err(internal)?;
        }
        file.sync_all().await.map_err(internal)
    }
    .await;
    drop(file);
    if let Err(refused) = written {
        let _ = tokio::fs::remove_file(&temporary).await;
        space.release(total as u64).await;
        return Err(refused);
    }
    let target = directory.join(name);
    {
        // The rename and the count it changes, together (see `UploadSpace`).
        let mut ledger = space.ledger.lock().await;
        let replaced = match tokio::fs::symlink_metadata(&target).await {
            Ok(metadata) if metadata.is_file() => metadata.len(),
            _ => 0,
        };
        ledger.running = ledger.running.saturating_sub(total as u64);
        // rename replaces whatever is at the name (a symlink included) without following it.
        if let Err(error) = tokio::fs::rename(&temporary, &target).await {
            drop(ledger);
            let _ = tokio::fs::remove_file(&temporary).await;
            return Err(internal(error));
        }
        ledger.stored = ledger.stored.saturating_sub(replaced).saturating_add(total as u64);
    }
    // The rename itself is durable once the directory is synced.
    if let Ok(dir) = tokio::fs::File::open(directory).await {
        let _ = dir.sync_all().await;
    }
    Ok(total)
}

/// The device that sent the upload `name`, and how that is known, when it can be: only from what
/// the relay holds as evidence, never from the name's contents (a MAC in a file name is the
/// sender's say-so), nor from the peer address (behind NAT a whole fleet shares one).
///
/// - Its own credential (`--cpe-credentials`), if no other entry holds the same one: only that
///   device has it. A queued or in-flight Upload RPC is not consulted first, since the
///   credential is proof and the RPC only a request.
/// - Else the one device the relay sent an Upload RPC naming this file ([`UploadRequests`]).
///   Not a queued RPC: a device has not been told of it yet. Not only the RPC in flight either:
///   a CPE usually answers UploadResponse (status 1) first, ends the session and uploads after,
///   when the RPC is neither queued nor in flight. Two devices asked for the same name: no one.
fn sender_of(
    relay: &Relay,
    name: &str,
    identity: Option<&Identity>,
) -> (Option<String>, Option<UploadSender>) {
    if let Some(device) = proven_device(relay, identity) {
        return (Some(device), Some(UploadSender::OwnCredential));
    }
    match relay.upload_requests.take_sole_device(name) {
        Some(device) => (Some(device), Some(UploadSender::UploadRpc)),
        None => (None, None),
    }
}

/// The device an uploader proved to be: one whose own credential, shared by no other entry,
/// authenticated it.
fn proven_device(relay: &Relay, identity: Option<&Identity>) -> Option<String> {
    match identity {
        Some(Identity::Device(key)) if !relay.settings.cpe_auth.is_shared(key) => {
            Some(device_listed_as(relay, key))
        }
        _ => None,
    }
}

/// Whether the index's record is of the file as it is now, not of one put in its place or
/// changed by hand since.
fn is_record_of(record: &UploadRecord, metadata: &std::fs::Metadata) -> bool {
    record.bytes == metadata.len() && record.modified == modified_seconds(metadata)
}

/// The device a stored upload is known to be from, when this uploader is shown not to be it:
/// a device that authenticated with its own credential may not replace another's file, and a
/// file sent with a device's own credential is replaced only with that credential (the shared
/// one proves nothing). A file the index does not know as it is now (put there or changed by
/// hand), or knows from no device, may be replaced by any uploader the ACS admits.
async fn owner_other_than(
    relay: &Relay,
    directory: &std::path::Path,
    name: &str,
    identity: Option<&Identity>,
) -> Option<String> {
    let metadata = tokio::fs::symlink_metadata(directory.join(name)).await.ok()?;
    let store = relay.store.clone();
    let lookup = name.to_owned();
    let record = tokio::task::spawn_blocking(move || store.upload(&lookup)).await.ok()?.ok()??;
    if !is_record_of(&record, &metadata) {
        return None;
    }
    let owner = record.received.device?;
    let uploader = proven_device(relay, identity);
    let shown_other = match (&uploader, record.received.device_from) {
        (Some(uploader), _) => *uploader != owner,
        (None, Some(UploadSender::OwnCredential)) => true,
        (None, _) => false,
    };
    shown_other.then_some(owner)
}

/// The device ID of a `--cpe-credentials` entry, which names a device by its ID or by its serial
/// number; a serial number no known device (or more than one) has is left as listed.
fn device_listed_as(relay: &Relay, key: &str) -> String {
    let acs = relay.acs();
    if acs.device(key).is_some() {
        return key.to_owned();
    }
    let mut with_serial =
        acs.devices().filter(|device| device.device_id.serial_number.as_str() == key);
    match (with_serial.next(), with_serial.next()) {
        (Some(device), None) => device.id.clone(),
        _ => key.to_owned(),
    }
}

/// The file each device was last sent an Upload RPC for (the last segment of the URL, when its
/// path ends in `/uploads/NAME`, the relay's own upload path). One entry per device, replaced by
/// its next Upload RPC and taken by the upload it announced, so it holds at most
/// `--max-devices` entries. In memory only: a device that uploads after a restart is not named
/// this way (its own credential still names it).
#[derive(Default)]
pub struct UploadRequests {
    by_device: Mutex<HashMap<String, String>>,
}

impl UploadRequests {
    fn by_device(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.by_device.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Notes the Upload RPCs among what the ACS has just sent.
    pub fn note_sent(&self, events: &[AcsEvent]) {
        for event in events {
            if let AcsEvent::Message {
                device: Some(device),
                direction: Direction::AcsToCpe,
                envelope,
                ..
            } = event
                && let Message::Upload(upload) = &envelope.message
                && let Some(name) = upload_file_name(&upload.url)
            {
                self.by_device().insert(device.clone(), name);
            }
        }
    }

    /// The one device asked to upload `name`, if exactly one was; its request is then answered.
    fn take_sole_device(&self, name: &str) -> Option<String> {
        let mut by_device = self.by_device();
        let mut asked = by_device.iter().filter(|(_, asked_for)| *asked_for == name);
        let (device, _) = asked.next()?;
        if asked.next().is_some() {
            return None;
        }
        let device = device.clone();
        by_device.remove(&device);
        Some(device)
    }
}

/// The file an Upload RPC's URL names on this relay: its path's last segment, percent-decoded,
/// after `/uploads/`, if that is a plain name (a broken escape stays a `%`, which is refused).
fn upload_file_name(url: &str) -> Option<String> {
    let uri: Uri = url.parse().ok()?;
    let (before, encoded) = uri.path().rsplit_once('/')?;
    if !before.ends_with("/uploads") {
        return None;
    }
    let name = percent_encoding::percent_decode_str(encoded).decode_utf8().ok()?.into_owned();
    refuse_name(&name).is_none().then_some(name)
}

fn modified_seconds(metadata: &std::fs::Metadata) -> u64 {
    metadata
        .modified()
        .ok()
        .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs())
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

/// The folder's uploads as the listing shows them: plain files under plain names (hidden and
/// temporary ones, and symlinks, are left out), each with its metadata. A folder that cannot be
/// read has none.
async fn plain_files(directory: &std::path::Path) -> Vec<(String, std::fs::Metadata)> {
    let mut files = Vec::new();
    let Ok(mut entries) = tokio::fs::read_dir(directory).await else { return files };
    while let Ok(Some(entry)) = entries.next_entry().await {
        let name = entry.file_name().to_string_lossy().into_owned();
        // symlink_metadata: a link is not followed, and not listed.
        let Ok(metadata) = tokio::fs::symlink_metadata(entry.path()).await else { continue };
        if refuse_name(&name).is_none() && metadata.is_file() {
            files.push((name, metadata));
        }
    }
    files
}

/// Removes from the uploads index the records whose file is no longer in `directory` (deleted
/// by hand, or the relay started on another folder), and says how many went. A record whose
/// file is there but changed is kept: the listing leaves it out, and it comes back should the
/// file be put back as it was.
pub async fn forget_gone(
    store: &super::storage::Store,
    directory: &std::path::Path,
    index: impl IntoIterator<Item = (String, UploadRecord)>,
) -> Result<usize, String> {
    let mut gone = Vec::new();
    for (name, record) in index {
        let path = directory.join(&name);
        if matches!(tokio::fs::symlink_metadata(&path).await, Err(e) if e.kind() == std::io::ErrorKind::NotFound)
        {
            gone.push((name, record));
        }
    }
    let count = gone.len();
    if count > 0 {
        outcome(store.forget_uploads(gone)).await?;
    }
    Ok(count)
}

/// The uploads index, read on the blocking pool.
pub async fn read_index(
    store: &super::storage::Store,
) -> Result<HashMap<String, UploadRecord>, String> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || store.uploads())
        .await
        .unwrap_or_else(|error| Err(error.to_string()))
}

/// `GET /api/uploads`: the stored uploads, newest first ([`plain_files`]), each with its record
/// in the uploads index if the index has one for the file as it is now. The folder says what
/// is there: a file the index does not know is listed without a record, and a record whose
/// file is gone is not listed, and is removed from the index.
pub async fn list(State(relay): State<Relay>) -> Response {
    let Some(directory) = &relay.settings.uploads else {
        return axum::Json(Vec::<UploadEntry>::new()).into_response();
    };
    let mut index = read_index(&relay.store).await.unwrap_or_else(|reason| {
        relay.events.notice(
            "storage",
            &format!("the uploads index cannot be read, uploads are listed without it: {reason}"),
        );
        HashMap::new()
    });
    if let Err(e) = tokio::fs::metadata(directory).await {
        return reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("--uploads {}: {e}", directory.display()),
        );
    }
    let mut listed = Vec::new();
    for (name, metadata) in plain_files(directory).await {
        let modified = modified_seconds(&metadata);
        let received = index
            .remove(&name)
            .filter(|record| is_record_of(record, &metadata))
            .map(|record| record.received);
        listed.push(UploadEntry {
            kind: kind_of(&name).to_owned(),
            name,
            bytes: metadata.len(),
            modified,
            received,
        });
    }
    // What is left of the index names no plain file listed; those gone are forgotten.
    if let Err(reason) = forget_gone(&relay.store, directory, index).await {
        relay.events.notice(
            "storage",
            &format!(
                "records of uploads that are gone could not be removed from the index: {reason}"
            ),
        );
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
    // Opened, then checked through the handle: no symlink swapped in between is followed.
    let opening = {
        let (directory, name) = (directory.to_path_buf(), name.to_owned());
        tokio::task::spawn_blocking(move || super::files::open_inside(&directory, &[name]))
    };
    let Ok(Some((file, metadata))) = opening.await else {
        return reply(StatusCode::NOT_FOUND, format!("no such file: {name}"));
    };
    let range = request.headers().get(header::RANGE).and_then(|v| v.to_str().ok());
    let mut response =
        super::files::file_response(file, metadata.len(), range, std::path::Path::new(name)).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::{refuse_name, upload_file_name};

    #[test]
    fn an_upload_url_names_a_file_only_under_uploads() {
        for (url, name) in [
            ("http://192.0.2.5:7547/uploads/dev-config.cfg", Some("dev-config.cfg")),
            ("https://acs.example/cwmp/uploads/a%2Db.cfg?x=1", Some("a-b.cfg")),
            ("/uploads/00085D1A2B3C_local.cfg", Some("00085D1A2B3C_local.cfg")),
            ("http://192.0.2.5:7547/files/dev-config.cfg", None),
            ("http://192.0.2.5:7547/myuploads/x.cfg", None),
            ("http://192.0.2.5:7547/uploads/..%2Fx", None),
            ("http://192.0.2.5:7547/uploads/%zz", None),
            ("http://192.0.2.5:7547/uploads/%+1", None),
            ("http://192.0.2.5:7547/uploads/", None),
            ("ftp://host", None),
        ] {
            assert_eq!(upload_file_name(url).as_deref(), name, "{url}");
        }
    }

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
