//! Recordings: with `--data-dir DIR`, every `POST /acs` exchange (the request as received, the
//! response as the relay sent it) is appended to a pcapng file under `DIR/recordings/`, one per
//! UTC day (`acs-2026-12-05.pcapng`), which Wireshark and the app's Decode page open. Core's
//! `capture::record` builds the frames and leaves every secret out (credentials, cookies as
//! pseudonyms, secret parameter values); `GET /api/recordings[/NAME]` lists and downloads them.
//!
//! The request path never waits for the disk: [`record`] (a middleware on `/acs`) copies the
//! exchange into a queue bounded in bytes (`--recording-buffer-bytes`) that one thread of its own
//! drains to the file. An exchange that would pass the bound is not recorded, and a `problem`
//! event says so. A file that has reached `--max-recording-bytes` is closed and the day goes on
//! in the next one (`acs-2026-12-05.2.pcapng`), also said with a `problem` event; a restart
//! starts a new file too, never appending to one it did not write. The folder as a whole stays
//! within `--max-recordings-total-bytes`: before a write would pass it, the oldest closed files
//! are deleted (a `problem` event `limit-recordings-total-bytes` names them); the file being
//! written never is, so the folder can pass the cap by one exchange only when that file alone
//! holds it all. A write that fails (a full disk) is a `recording-failed` event, and recording
//! goes on in a new file. A request whose body was refused (too large, too slow) is not
//! recorded: its own `problem` event tells of it.

use super::connection_request::SentGet;
use super::events::EventBus;
use super::listener::LocalAddr;
use super::state::{Relay, now};
use super::uploads::{refuse_name, send_stored_file};
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cwmpkit_core::Timestamp;
use cwmpkit_core::acs::AcsEvent;
use cwmpkit_core::capture::record::{
    Exchange, Recorder, RecorderOptions, Recording, first_packet_time, last_packet_time,
};
use std::collections::VecDeque;
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::net::SocketAddr;
use std::path::{Path as FsPath, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// The folder under `--data-dir` that holds the recordings.
const FOLDER: &str = "recordings";
/// What the listing reads of a file's start to find its first packet, and of its end for the last.
const HEAD_BYTES: u64 = 64 * 1024;
const TAIL_BYTES: u64 = 4 * 1024;

/// The recorder's side that the handlers hold: the queue to its thread.
pub struct Recordings {
    directory: PathBuf,
    sender: mpsc::UnboundedSender<Job>,
    queued: Arc<AtomicUsize>,
    max_queued: usize,
    /// An exchange was dropped since the queue last emptied: said once, not per exchange.
    overflowing: AtomicBool,
    events: EventBus,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
}

/// How the recorder is set up (`cwmpkit serve`'s flags).
pub struct Settings {
    /// `--data-dir`: the recordings go to its `recordings/` folder.
    pub data_dir: PathBuf,
    /// `--max-recording-bytes`.
    pub max_file_bytes: u64,
    /// `--max-recordings-total-bytes`.
    pub max_total_bytes: u64,
    /// `--recording-buffer-bytes`.
    pub max_queued_bytes: usize,
    /// `--idle-timeout`: a connection idle this long is over, in the recording too.
    pub idle_timeout: Duration,
}

enum Job {
    Exchange(Arc<Exchanged>),
    Stop,
}

/// One `/acs` exchange as the relay saw it, on its way to the disk and to its device's history.
/// For a connection request's GET, the roles turn: `cpe` is the client's address (the relay's
/// end) and `acs` the server's (the CPE's listener), as core's recorder takes them.
#[derive(Debug)]
pub struct Exchanged {
    pub cpe: SocketAddr,
    pub acs: SocketAddr,
    pub request_time: Timestamp,
    pub response_time: Timestamp,
    /// The request as received: start line, headers, blank line, body.
    pub request: Vec<u8>,
    /// The response as sent.
    pub response: Vec<u8>,
}

impl Exchanged {
    pub fn size(&self) -> usize {
        self.request.len() + self.response.len()
    }

    /// As core's recorder takes it.
    pub fn as_exchange(&self) -> Exchange<'_> {
        Exchange {
            cpe: self.cpe,
            acs: self.acs,
            request_time: self.request_time,
            response_time: self.response_time,
            request: &self.request,
            response: &self.response,
        }
    }
}

/// Set by the `/acs` handler on its response: what the exchange did on the ACS. [`record`] files
/// the exchange under the device they name (its history) and only then publishes them, so that
/// whoever reacts to a `session-ended` by fetching the device's capture (the Live page) finds
/// the session's last exchange in it.
#[derive(Debug, Clone)]
pub struct ExchangeEvents(pub Vec<AcsEvent>);

impl ExchangeEvents {
    fn device(&self) -> Option<&str> {
        self.0.iter().find_map(AcsEvent::device)
    }

    fn publish(self, events: &EventBus) {
        for event in &self.0 {
            events.publish_acs(event);
        }
    }
}

/// Creates `DATA_DIR/recordings/` (and `DATA_DIR`) if missing: done at start, so that a folder
/// that cannot be made stops the relay before it listens.
pub fn create_folder(data_dir: &FsPath) -> Result<PathBuf, String> {
    let directory = data_dir.join(FOLDER);
    super::owner_only::create_dir_all(&directory)
        .map_err(|e| format!("--data-dir: cannot create {}: {e}", directory.display()))?;
    Ok(directory)
}

impl Recordings {
    /// Starts the thread that writes to `DATA_DIR/recordings/`.
    pub fn start(settings: Settings, events: EventBus) -> Result<Arc<Recordings>, String> {
        let directory = create_folder(&settings.data_dir)?;
        let (sender, receiver) = mpsc::unbounded_channel();
        let queued = Arc::new(AtomicUsize::new(0));
        let max_total_bytes = settings.max_total_bytes.max(1);
        let closed = closed_recordings(&directory)?;
        let writer = Writer {
            directory: directory.clone(),
            // A file holding more than the folder may would be one the cap cannot delete.
            max_file_bytes: settings.max_file_bytes.clamp(1, max_total_bytes),
            max_total_bytes,
            closed_bytes: closed.iter().map(|c| c.bytes).sum(),
            newest: closed
                .iter()
                .filter_map(|c| day_and_part(&c.name))
                .max()
                .map(|(day, part)| (day.to_owned(), part)),
            closed,
            recorder: Recorder::new(RecorderOptions {
                idle_close: settings.idle_timeout,
                ..RecorderOptions::default()
            }),
            file: None,
            events: events.clone(),
            queued: Arc::clone(&queued),
            failing: false,
        };
        let thread = std::thread::Builder::new()
            .name("cwmpkit-recorder".into())
            .spawn(move || writer.run(receiver))
            .map_err(|e| format!("cannot start the recorder's thread: {e}"))?;
        Ok(Arc::new(Recordings {
            directory,
            sender,
            queued,
            max_queued: settings.max_queued_bytes,
            overflowing: AtomicBool::new(false),
            events,
            writer: Mutex::new(Some(thread)),
        }))
    }

    /// Where the recordings are.
    pub fn directory(&self) -> &FsPath {
        &self.directory
    }

    fn submit(&self, recorded: Arc<Exchanged>) {
        let size = recorded.size();
        let queued = self.queued.fetch_add(size, Ordering::AcqRel);
        if queued > 0 && queued + size > self.max_queued {
            self.queued.fetch_sub(size, Ordering::AcqRel);
            if !self.overflowing.swap(true, Ordering::AcqRel) {
                self.events.notice(
                    "limit-recording-buffer",
                    &format!(
                        "the recorder is {queued} bytes behind the disk (--recording-buffer-bytes {}): exchanges are not recorded until it catches up",
                        self.max_queued
                    ),
                );
            }
            return;
        }
        if queued == 0 {
            self.overflowing.store(false, Ordering::Release);
        }
        if self.sender.send(Job::Exchange(recorded)).is_err() {
            self.queued.fetch_sub(size, Ordering::AcqRel);
        }
    }

    /// Writes what is queued, closes the file (its connections' FINs, fsync) and ends the thread.
    pub fn stop(&self) {
        let _ = self.sender.send(Job::Stop);
        let thread = self.writer.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }
}

/// A recording no longer written, in the folder's total.
struct Closed {
    name: String,
    bytes: u64,
}

/// The recordings already in the folder at start, oldest first (by modification time, then
/// name), as the cap will delete them.
fn closed_recordings(directory: &FsPath) -> Result<VecDeque<Closed>, String> {
    let entries = std::fs::read_dir(directory)
        .map_err(|e| format!("--data-dir: cannot read {}: {e}", directory.display()))?;
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        // symlink_metadata: a link is not followed, and not counted (nor deleted).
        let Ok(metadata) = std::fs::symlink_metadata(entry.path()) else { continue };
        if refuse_name(&name).is_some() || !metadata.is_file() || !name.ends_with(".pcapng") {
            continue;
        }
        let modified = metadata.modified().unwrap_or(std::time::UNIX_EPOCH);
        found.push((modified, name, metadata.len()));
    }
    found.sort();
    Ok(found.into_iter().map(|(_, name, bytes)| Closed { name, bytes }).collect())
}

/// The file being written.
struct OpenFile {
    day: String,
    part: u32,
    name: String,
    file: std::fs::File,
    bytes: u64,
}

/// The recorder's thread: exchanges in, pcapng blocks to the file.
struct Writer {
    directory: PathBuf,
    max_file_bytes: u64,
    max_total_bytes: u64,
    /// The recordings not being written, oldest first, and their bytes in all.
    closed: VecDeque<Closed>,
    closed_bytes: u64,
    /// The day and part of the newest file, written or found at start, deleted or not: the next
    /// file of that day comes after it, so that a name the cap freed is not used again and the
    /// day's files keep the order they were written in.
    newest: Option<(String, u32)>,
    recorder: Recorder,
    file: Option<OpenFile>,
    events: EventBus,
    queued: Arc<AtomicUsize>,
    /// A write failed and was reported; the next success clears it.
    failing: bool,
}

impl Writer {
    fn run(mut self, mut receiver: mpsc::UnboundedReceiver<Job>) {
        // A cap lowered since the last run applies at once, not at the first exchange.
        self.make_room(0);
        while let Some(job) = receiver.blocking_recv() {
            match job {
                Job::Exchange(recorded) => {
                    self.write(&recorded);
                    self.queued.fetch_sub(recorded.size(), Ordering::AcqRel);
                }
                Job::Stop => break,
            }
        }
        self.close(now());
    }

    fn write(&mut self, recorded: &Exchanged) {
        let day = recorded.request_time.to_string().get(..10).unwrap_or("undated").to_owned();
        let full = self.file.as_ref().is_some_and(|f| f.bytes >= self.max_file_bytes);
        if full && let Some(file) = &self.file {
            let message = format!(
                "recordings/{} reached --max-recording-bytes {}: recording goes on in a new file",
                file.name, self.max_file_bytes
            );
            self.events.notice("limit-recording-bytes", &message);
        }
        if full || self.file.as_ref().is_some_and(|f| f.day != day) {
            self.close(recorded.request_time);
        }
        if self.file.is_none() {
            let first_part = match &self.newest {
                Some((newest_day, part)) if *newest_day == day => part + 1,
                _ => 1,
            };
            match open_next(&self.directory, &day, first_part) {
                Ok(file) => {
                    self.newest = Some((day.clone(), file.part));
                    self.file = Some(file);
                }
                Err(error) => return self.failed(&error),
            }
        }
        let exchange = recorded.as_exchange();
        let mut blocks = Vec::with_capacity(recorded.size() + 4096);
        if let Err(error) = self.recorder.record(&exchange, &mut blocks) {
            self.events.notice(
                "recording-skipped",
                &format!("an exchange with {} was not recorded: {error}", recorded.cpe),
            );
            return;
        }
        self.make_room(blocks.len() as u64);
        self.append(&blocks);
    }

    /// Deletes the oldest closed recordings until `incoming` more bytes fit within
    /// `--max-recordings-total-bytes`; the open file is never one of them.
    fn make_room(&mut self, incoming: u64) {
        let open = self.file.as_ref().map_or(0, |file| file.bytes);
        let mut deleted = Vec::new();
        while self.closed_bytes + open + incoming > self.max_total_bytes {
            let Some(oldest) = self.closed.pop_front() else { break };
            self.closed_bytes -= oldest.bytes;
            match std::fs::remove_file(self.directory.join(&oldest.name)) {
                Ok(()) => deleted.push(format!("recordings/{} ({} bytes)", oldest.name, oldest.bytes)),
                // Deleted by hand already: its bytes are gone too.
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => self.events.notice(
                    "recording-failed",
                    &format!(
                        "cannot delete recordings/{} to stay within --max-recordings-total-bytes {}: {error}",
                        oldest.name, self.max_total_bytes
                    ),
                ),
            }
        }
        if !deleted.is_empty() {
            self.events.notice(
                "limit-recordings-total-bytes",
                &format!(
                    "the recordings reached --max-recordings-total-bytes {}: deleted the oldest, {}",
                    self.max_total_bytes,
                    deleted.join(", ")
                ),
            );
        }
    }

    /// Counts a file no longer written among the closed ones, the newest.
    fn retire(&mut self, file: OpenFile) {
        self.closed_bytes += file.bytes;
        self.closed.push_back(Closed { name: file.name, bytes: file.bytes });
    }

    fn append(&mut self, blocks: &[u8]) {
        let Some(file) = &mut self.file else { return };
        match file.file.write_all(blocks) {
            Ok(()) => {
                file.bytes += blocks.len() as u64;
                self.failing = false;
            }
            Err(error) => {
                let message = format!("recordings/{}: {error}", file.name);
                self.failed(&message);
                // A block may be half written: the file ends here, and the next exchange
                // starts a new one (its connections anew) rather than append after the break.
                if let Some(file) = self.file.take() {
                    self.retire(file);
                }
                self.recorder.finish_file(now(), &mut Vec::new());
            }
        }
    }

    fn failed(&mut self, message: &str) {
        if !self.failing {
            self.failing = true;
            self.events.notice("recording-failed", &format!("cannot record: {message}"));
        }
    }

    /// Ends the open file: FINs for its connections, then fsync.
    fn close(&mut self, time: Timestamp) {
        let mut blocks = Vec::new();
        self.recorder.finish_file(time, &mut blocks);
        self.append(&blocks);
        if let Some(file) = self.file.take() {
            let _ = file.file.sync_all();
            self.retire(file);
        }
    }
}

/// The day and part number of a recording's name (`acs-DAY.pcapng` is part 1,
/// `acs-DAY.N.pcapng` part N).
fn day_and_part(name: &str) -> Option<(&str, u32)> {
    let rest = name.strip_prefix("acs-")?.strip_suffix(".pcapng")?;
    let day = rest.get(..10)?;
    match &rest[10..] {
        "" => Some((day, 1)),
        part => Some((day, part.strip_prefix('.')?.parse().ok()?)),
    }
}

/// A new file for `day`: `acs-DAY.pcapng` for part 1, else `acs-DAY.N.pcapng`, the first free
/// from `first_part` on. Created new, so that nothing already there (an earlier run's file, a
/// symlink) is appended to or followed.
fn open_next(directory: &FsPath, day: &str, first_part: u32) -> Result<OpenFile, String> {
    for part in first_part..10_000u32 {
        let name = if part == 1 {
            format!("acs-{day}.pcapng")
        } else {
            format!("acs-{day}.{part}.pcapng")
        };
        let opened = super::owner_only::file_options()
            .write(true)
            .create_new(true)
            .open(directory.join(&name));
        match opened {
            Ok(file) => return Ok(OpenFile { day: day.to_owned(), part, name, file, bytes: 0 }),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(error) => return Err(format!("recordings/{name}: {error}")),
        }
    }
    Err(format!("recordings/: 10,000 files for {day} already"))
}

/// Set by the `/acs` handler on its response: the request body as it read it, whole (a body it
/// refused, too large or too slow, has none, and its exchange is not recorded).
#[derive(Debug, Clone)]
pub struct RequestBody(pub Bytes);

/// A message's start line and headers as HTTP/1.1 puts them on the wire, without the headers
/// that frame its body (the body is whole by now: [`message`] gives its `content-length`).
fn head(start_line: &str, headers: &HeaderMap) -> Vec<u8> {
    let framing = [header::CONTENT_LENGTH, header::TRANSFER_ENCODING];
    let kept = || headers.iter().filter(|(name, _)| !framing.contains(name));
    let bytes = start_line.len()
        + 2
        + kept().map(|(name, value)| name.as_str().len() + value.len() + 4).sum::<usize>();
    let mut head = Vec::with_capacity(bytes);
    head.extend_from_slice(start_line.as_bytes());
    head.extend_from_slice(b"\r\n");
    for (name, value) in kept() {
        head.extend_from_slice(name.as_str().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head
}

/// The whole message: `head`, the body's `content-length`, the body.
fn message(mut head: Vec<u8>, body: &[u8]) -> Vec<u8> {
    const FRAMING: &[u8] = b"content-length: ";
    let length = body.len().to_string();
    head.reserve_exact(FRAMING.len() + length.len() + 4 + body.len());
    head.extend_from_slice(FRAMING);
    head.extend_from_slice(length.as_bytes());
    head.extend_from_slice(b"\r\n\r\n");
    head.extend_from_slice(body);
    head
}

/// The middleware on `POST /acs`: the exchange goes to the device's history and the recorder
/// once the response is made, and only then are the handler's events (`ExchangeEvents`)
/// published.
pub async fn record(State(relay): State<Relay>, request: Request, next: Next) -> Response {
    let (response, events) = file_exchange(&relay, request, next).await;
    if let Some(events) = events {
        events.publish(&relay.events);
    }
    response
}

/// Runs the handler and files its exchange; returns the response and the events it carried.
async fn file_exchange(
    relay: &Relay,
    request: Request,
    next: Next,
) -> (Response, Option<ExchangeEvents>) {
    if relay.settings.recordings.is_none() && relay.settings.history.is_none() {
        let mut response = next.run(request).await;
        let events = response.extensions_mut().remove::<ExchangeEvents>();
        return (response, events);
    }
    let request_time = now();
    let cpe = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let acs = request.extensions().get::<LocalAddr>().map(|l| l.0);
    let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let request_line = format!("{} {target} {:?}", request.method(), request.version());
    let request_head = head(&request_line, request.headers());
    let response = next.run(request).await;

    let (mut parts, body) = response.into_parts();
    let events = parts.extensions.remove::<ExchangeEvents>();
    // The ACS's answers are whole in memory already: collecting them waits for nothing.
    let Ok(response_body) = axum::body::to_bytes(body, usize::MAX).await else {
        let failed = (StatusCode::INTERNAL_SERVER_ERROR, "the answer could not be read\n");
        return (failed.into_response(), events);
    };
    let response_time = now();
    let request_body = parts.extensions.remove::<RequestBody>();
    if let (Some(cpe), Some(acs), Some(RequestBody(request_body))) = (cpe, acs, request_body) {
        let reason = parts.status.canonical_reason().unwrap_or("");
        let status_line = format!("HTTP/1.1 {} {reason}", parts.status.as_u16());
        let exchanged = Exchanged {
            cpe,
            acs,
            request_time,
            response_time,
            request: message(request_head, &request_body),
            response: message(head(&status_line, &parts.headers), &response_body),
        };
        file(relay, events.as_ref().and_then(ExchangeEvents::device), exchanged);
    }
    (Response::from_parts(parts, Body::from(response_body)), events)
}

/// An exchange into its device's history (when it has one) and the recordings.
fn file(relay: &Relay, device: Option<&str>, exchanged: Exchanged) {
    let exchanged = Arc::new(exchanged);
    if let (Some(history), Some(device)) = (&relay.settings.history, device) {
        history.add(device, Arc::clone(&exchanged));
    }
    if let Some(recordings) = &relay.settings.recordings {
        recordings.submit(exchanged);
    }
}

/// The GETs of a connection request to `device`, into the recordings and the device's history as
/// any exchange is: the relay as the client, the CPE as the server (core's session layer lists
/// such a GET as a connection request, not a session).
pub fn record_connection_request(relay: &Relay, device: &str, sent: Vec<SentGet>) {
    for get in sent {
        let exchanged = Exchanged {
            cpe: get.client,
            acs: get.server,
            request_time: get.request_time,
            response_time: get.response_time,
            request: get.request,
            response: get.response,
        };
        file(relay, Some(device), exchanged);
    }
}

fn read_span(path: &FsPath, bytes: u64) -> (Option<Timestamp>, Option<Timestamp>) {
    let Ok(mut file) = std::fs::File::open(path) else { return (None, None) };
    let mut head = Vec::new();
    if std::io::Read::by_ref(&mut file).take(HEAD_BYTES).read_to_end(&mut head).is_err() {
        return (None, None);
    }
    let mut tail = Vec::new();
    let tail_start = bytes.saturating_sub(TAIL_BYTES);
    if file.seek(SeekFrom::Start(tail_start)).is_err()
        || file.take(bytes - tail_start).read_to_end(&mut tail).is_err()
    {
        return (first_packet_time(&head), None);
    }
    (first_packet_time(&head), last_packet_time(&tail))
}

fn listing(directory: &FsPath) -> Result<Vec<Recording>, String> {
    let entries =
        std::fs::read_dir(directory).map_err(|e| format!("{}: {e}", directory.display()))?;
    let mut listed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        // symlink_metadata: a link is not followed, and not listed.
        let Ok(metadata) = std::fs::symlink_metadata(entry.path()) else { continue };
        if refuse_name(&name).is_some() || !metadata.is_file() || !name.ends_with(".pcapng") {
            continue;
        }
        let (first, last) = read_span(&entry.path(), metadata.len());
        listed.push(Recording { name, bytes: metadata.len(), first, last });
    }
    listed.sort_by(|a, b| b.first.cmp(&a.first).then_with(|| b.name.cmp(&a.name)));
    Ok(listed)
}

/// `GET /api/recordings`: the recordings, newest first (an empty list without `--data-dir`).
pub async fn list(State(relay): State<Relay>) -> Response {
    let Some(recordings) = relay.settings.recordings.clone() else {
        return axum::Json(Vec::<Recording>::new()).into_response();
    };
    let directory = recordings.directory().to_owned();
    match tokio::task::spawn_blocking(move || listing(&directory)).await {
        Ok(Ok(listed)) => axum::Json(listed).into_response(),
        Ok(Err(error)) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{error}\n")).into_response(),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{error}\n")).into_response(),
    }
}

/// `GET /api/recordings/{name}`: one recording, as a download.
pub async fn download(
    State(relay): State<Relay>,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    let Some(recordings) = relay.settings.recordings.clone() else {
        return (
            StatusCode::NOT_FOUND,
            "recordings are off: start the relay with --data-dir DIR\n",
        )
            .into_response();
    };
    send_stored_file(recordings.directory(), &name, "recording", request).await
}

#[cfg(test)]
mod tests {
    use super::day_and_part;

    #[test]
    fn a_recording_name_gives_its_day_and_part() {
        assert_eq!(day_and_part("acs-2026-12-05.pcapng"), Some(("2026-12-05", 1)));
        assert_eq!(day_and_part("acs-2026-12-05.12.pcapng"), Some(("2026-12-05", 12)));
        for other in
            ["acs-2026-12-05.x.pcapng", "acs-2026.pcapng", "acs-2026-12-05.pcap", "x.pcapng"]
        {
            assert_eq!(day_and_part(other), None, "{other}");
        }
    }
}
