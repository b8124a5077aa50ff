//! The decode worker: runs in a Web Worker (`src/main.rs`), reads the file in pieces
//! through `cwmpkit_core::pipeline`, tells the page how far it has come, keeps the sessions, and
//! answers the page's questions with `session::query`. The page's thread never decodes. Asked to,
//! it warms up first (`warm_up`), one run of its sample per task, so that a request waits for at
//! most one run and ends the warm-up.

use super::protocol::{Format, MessageDetail, Request, Response, Summary, WarmUp};
use super::reader::{FileReader, Piece};
use super::warm_up;
use cwmpkit_core::capture::{InputKind, Options};
use cwmpkit_core::pipeline::{Pipeline, WORKER_PIECE_BYTES};
use cwmpkit_core::session::query::{self, Filter, SessionRow, TimelineRow};
use cwmpkit_core::session::{Session, raw};
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// Bytes read from the file per pipeline push (and per progress report).
const PIECE: f64 = WORKER_PIECE_BYTES as f64;

#[derive(Default)]
struct State {
    sessions: Vec<Session>,
    timeline: TimelineCache,
}

/// The timeline last asked for: the page asks for it a window at a time as the list scrolls,
/// and building a long session's rows (a filter test per message, a sort) costs more than the
/// window it answers.
#[derive(Default)]
pub struct TimelineCache {
    key: Option<(u32, Filter)>,
    rows: Vec<TimelineRow>,
}

impl TimelineCache {
    /// The rows of session `index` under `filter`, built only when either differs from the
    /// last call; `None` when there is no such session.
    pub fn rows(
        &mut self,
        sessions: &[Session],
        index: u32,
        filter: &Filter,
    ) -> Option<&[TimelineRow]> {
        let session = find(sessions, index)?;
        let cached = self.key.as_ref().is_some_and(|(i, f)| *i == index && f == filter);
        if !cached {
            self.rows = query::timeline(session, filter);
            self.key = Some((index, filter.clone()));
        }
        Some(&self.rows)
    }

    /// Forgets the rows: the sessions they came from are gone.
    pub fn clear(&mut self) {
        *self = Self::default();
    }
}

/// The warm-up: asked for once, it runs until a request comes or it ends by itself.
#[derive(Default)]
struct Warming {
    /// What it did so far; `None` until it is asked for.
    report: Option<WarmUp>,
    /// The sample, while more runs of it are to come.
    sample: Option<Vec<u8>>,
    started: f64,
    runs_without_gain: u32,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
    static WARMING: RefCell<Warming> = RefCell::new(Warming::default());
    /// The file being decoded, if one is.
    static FILE_DECODE: RefCell<Option<FileDecode>> = const { RefCell::new(None) };
}

/// A request from the page, with the file that came with it.
type Received = (Request, Option<web_sys::File>);

fn scope() -> Option<web_sys::DedicatedWorkerGlobalScope> {
    js_sys::global().dyn_into::<web_sys::DedicatedWorkerGlobalScope>().ok()
}

fn post(response: &Response) {
    let Some(scope) = scope() else { return };
    if let Ok(json) = serde_json::to_string(response) {
        let _ = scope.post_message(&JsValue::from_str(&json));
    }
}

fn now() -> f64 {
    scope().and_then(|s| s.performance()).map_or(0.0, |p| p.now())
}

/// Starts listening; the worker's `main`.
pub fn start() {
    let Some(scope) = scope() else { return };
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(|event: web_sys::MessageEvent| {
            let data = event.data();
            let request = js_sys::Reflect::get(&data, &JsValue::from_str("request"))
                .ok()
                .and_then(|r| r.as_string())
                .and_then(|json| serde_json::from_str::<Request>(&json).ok());
            let file = js_sys::Reflect::get(&data, &JsValue::from_str("file"))
                .ok()
                .and_then(|f| f.dyn_into::<web_sys::File>().ok());
            match request {
                Some(request) => receive(request, file),
                None => post(&Response::Failed {
                    message: "the worker got a request it cannot read".into(),
                }),
            }
        });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&Response::Ready);
}

/// Handles a request now, or after the file being decoded.
fn receive(request: Request, file: Option<web_sys::File>) {
    let deferred = FILE_DECODE.with_borrow_mut(|decode| match decode {
        Some(decode) => {
            decode.waiting.push((request, file));
            None
        }
        None => Some((request, file)),
    });
    if let Some((request, file)) = deferred {
        handle(request, file);
    }
}

fn handle(request: Request, file: Option<web_sys::File>) {
    if request != Request::WarmUp {
        // The page wants something: no more runs of the sample.
        WARMING.with_borrow_mut(|warming| warming.sample = None);
    }
    match request {
        Request::WarmUp => start_warm_up(),
        Request::OpenFile { name } => match file {
            Some(file) => decode_file(name, file),
            None => post(&Response::Failed { message: "no file came with the request".into() }),
        },
        Request::OpenText { text } => decode_text(text),
        Request::Sessions { filter, offset, limit } => {
            let response = STATE.with_borrow(|state| {
                let mut total = 0usize;
                let mut rows = Vec::new();
                for session in state.sessions.iter().filter(|s| filter.matches_session(s)) {
                    if total >= offset && rows.len() < limit {
                        rows.push(SessionRow::of(session, &filter));
                    }
                    total += 1;
                }
                Response::Sessions { filter, offset, total, rows }
            });
            post(&response);
        }
        Request::Timeline { session, filter, offset, limit, reveal, findings } => {
            let response = STATE.with_borrow_mut(|state| {
                let State { sessions, timeline } = state;
                let found = find(sessions, session);
                let rows = timeline.rows(sessions, session, &filter).unwrap_or_default();
                Response::Timeline {
                    session,
                    row: found.map(|s| SessionRow::of(s, &filter)),
                    total: rows.len(),
                    offset,
                    revealed: reveal.and_then(|m| rows.iter().position(|r| r.message == Some(m))),
                    opening: rows.iter().find_map(|r| r.message.filter(|_| r.matches)),
                    rows: rows.iter().skip(offset).take(limit).cloned().collect(),
                    findings: findings
                        .then(|| found.map(|s| s.findings.clone()).unwrap_or_default()),
                    filter,
                }
            });
            post(&response);
        }
        Request::Message { session, message } => {
            let detail =
                STATE.with_borrow(|state| detail_of(find(&state.sessions, session)?, message));
            match detail {
                Some(detail) => post(&Response::Message {
                    session,
                    message,
                    detail: serde_json::to_string(&detail).unwrap_or_default(),
                }),
                None => post(&Response::Failed {
                    message: format!("no message {message} in session {session}"),
                }),
            }
        }
        Request::Export { session, message, format, for_parameters } => {
            let file = STATE.with_borrow(|state| export(&state.sessions, session, message, format));
            match file {
                Some((name, mime, text)) => {
                    post(&Response::File { name, mime: mime.into(), text, for_parameters })
                }
                None => post(&Response::Failed {
                    message: format!("nothing to export in session {session}"),
                }),
            }
        }
    }
}

fn start_warm_up() {
    if WARMING.with_borrow(|warming| warming.report.is_some()) {
        return;
    }
    let started = now();
    let sample = warm_up::sample();
    WARMING.with_borrow_mut(|warming| {
        warming.report = Some(WarmUp { sample_bytes: sample.len(), ..WarmUp::default() });
        warming.sample = Some(sample);
        warming.started = started;
    });
    next_warm_up_run();
}

/// Runs the sample once more in a task of its own, so that a request that came meanwhile is
/// handled first (and ends the warm-up).
fn next_warm_up_run() {
    let Some(scope) = scope() else { return };
    let run = Closure::once_into_js(warm_up_run);
    let _ = scope.set_timeout_with_callback_and_timeout_and_arguments_0(run.unchecked_ref(), 0);
}

fn warm_up_run() {
    let Some(sample) = WARMING.with_borrow_mut(|warming| warming.sample.take()) else {
        return;
    };
    let began = now();
    let messages = warm_up::decode_sample(&sample);
    let took = now() - began;
    let ended = WARMING.with_borrow_mut(|warming| {
        let report = warming.report.get_or_insert_with(WarmUp::default);
        report.runs += 1;
        report.sample_messages = messages;
        if report.runs == 1 || took < report.best_millis {
            report.best_millis = took;
            warming.runs_without_gain = 0;
        } else {
            warming.runs_without_gain += 1;
        }
        if report.runs == 1 {
            report.first_millis = took;
        }
        report.millis = now() - warming.started;
        report.finished = report.runs >= warm_up::MAX_RUNS
            || report.millis >= warm_up::MAX_MILLIS
            || warming.runs_without_gain >= warm_up::RUNS_WITHOUT_GAIN;
        if report.finished {
            Some(report.clone())
        } else {
            warming.sample = Some(sample);
            None
        }
    });
    match ended {
        Some(warm_up) => post(&Response::WarmedUp { warm_up }),
        None => next_warm_up_run(),
    }
}

/// One message of a session in full, as the detail pane shows it.
pub fn detail_of(session: &Session, message: usize) -> Option<MessageDetail> {
    let m = session.messages.get(message)?;
    Some(MessageDetail {
        session: session.index,
        message,
        rpc: m.rpc.to_string(),
        direction: m.direction,
        time: m.time,
        diagnostics: m.diagnostics.clone(),
        envelope: m.envelope.clone(),
        head: m.raw.head.clone(),
        lines: raw::xml_lines(&m.raw.body),
        carries_values: m.envelope.as_ref().is_some_and(query::carries_values),
    })
}

fn find(sessions: &[Session], index: u32) -> Option<&Session> {
    // Sessions are numbered 1, 2, … in the order they are kept.
    sessions.get(usize::try_from(index).ok()?.checked_sub(1)?).filter(|s| s.index == index)
}

fn export(
    sessions: &[Session],
    index: u32,
    message: Option<usize>,
    format: Format,
) -> Option<(String, &'static str, String)> {
    let session = find(sessions, index)?;
    let (extension, mime) = match format {
        Format::Xml => ("xml", "application/xml"),
        Format::Json => ("json", "application/json"),
    };
    let name = query::export_name(session, message, extension);
    let text = match (message, format) {
        (Some(m), Format::Xml) => query::message_xml(session.messages.get(m)?),
        (Some(m), Format::Json) => serde_json::to_string_pretty(session.messages.get(m)?).ok()?,
        (None, Format::Xml) => query::session_xml(session),
        (None, Format::Json) => serde_json::to_string_pretty(session).ok()?,
    };
    Some((name, mime, text))
}

/// Reads the file in pieces through the pipeline, reporting after each piece. Requests that come
/// meanwhile wait for the end, as they did when the reading blocked the worker.
fn decode_file(name: String, file: web_sys::File) {
    let started = now();
    let total = file.size();
    if total <= 0.0 {
        let pipeline = Pipeline::new(&Options::default());
        finish(name, pipeline, Vec::new(), Timing { started, read_wait: 0.0 });
        return;
    }
    let reader = FileReader::start(&file, PIECE, |piece| {
        if let Some(ended) = FILE_DECODE.with_borrow_mut(|decode| decode_piece(decode, piece)) {
            ended.end();
        }
    });
    match reader {
        Ok(reader) => FILE_DECODE.with_borrow_mut(|decode| {
            *decode = Some(FileDecode {
                name,
                total,
                pipeline: Pipeline::new(&Options::default()),
                sessions: Vec::new(),
                piece: Vec::new(),
                reader,
                timing: Timing { started, read_wait: 0.0 },
                waiting_since: now(),
                waiting: Vec::new(),
            });
        }),
        // Nothing can have come meanwhile: the page's requests wait for this task to end.
        Err(message) => Ended::Failed(message, Vec::new()).end(),
    }
}

/// A file being decoded, piece by piece as its reader sends them.
struct FileDecode {
    name: String,
    total: f64,
    pipeline: Pipeline,
    sessions: Vec<Session>,
    /// The piece in the wasm's memory, reused.
    piece: Vec<u8>,
    reader: FileReader,
    timing: Timing,
    /// When the decoder last asked for bytes (started, or finished the piece before).
    waiting_since: f64,
    /// The requests that came meanwhile, to be handled after it.
    waiting: Vec<Received>,
}

/// How a file's decoding ended.
enum Ended {
    Decoded(Box<FileDecode>),
    /// Why, and the requests that waited.
    Failed(String, Vec<Received>),
}

impl Ended {
    /// Reports the end, then handles the requests that waited for it.
    fn end(self) {
        let waiting = match self {
            Ended::Decoded(decode) => {
                let FileDecode { name, pipeline, sessions, timing, waiting, .. } = *decode;
                finish(name, pipeline, sessions, timing);
                waiting
            }
            Ended::Failed(message, waiting) => {
                post(&Response::Failed { message });
                waiting
            }
        };
        for (request, file) in waiting {
            receive(request, file);
        }
    }
}

/// Decodes one piece; says how the decoding ended after the last one (or a failure).
fn decode_piece(decode: &mut Option<FileDecode>, piece: Piece) -> Option<Ended> {
    let current = decode.as_mut()?;
    current.timing.read_wait += now() - current.waiting_since;
    let bytes = match piece {
        Piece::Bytes(bytes) => bytes,
        // Fewer bytes than the file's size said (it changed since it was picked): what came
        // is decoded.
        Piece::End => return decode.take().map(|d| Ended::Decoded(Box::new(d))),
        Piece::Failed(error) => {
            let FileDecode { name, waiting, .. } = decode.take()?;
            return Some(Ended::Failed(format!("cannot read {name}: {error}"), waiting));
        }
    };
    current.piece.resize(bytes.length() as usize, 0);
    bytes.copy_to(&mut current.piece);
    current.pipeline.push(&current.piece);
    current.sessions.extend(current.pipeline.take_sessions());
    let progress = current.pipeline.progress();
    post(&Response::Progress { progress, total: current.total as u64 });
    if progress.bytes as f64 >= current.total {
        return decode.take().map(|d| Ended::Decoded(Box::new(d)));
    }
    current.reader.taken();
    current.waiting_since = now();
    None
}

/// When a decode began, and how long of it was spent waiting for the file's bytes.
struct Timing {
    started: f64,
    read_wait: f64,
}

fn decode_text(text: String) {
    let started = now();
    let mut pipeline = Pipeline::new(&Options::default());
    pipeline.push(text.as_bytes());
    let sessions = pipeline.take_sessions();
    finish("pasted text".into(), pipeline, sessions, Timing { started, read_wait: 0.0 });
}

fn finish(name: String, pipeline: Pipeline, mut sessions: Vec<Session>, timing: Timing) {
    let bytes = pipeline.progress().bytes;
    let finished = pipeline.finish();
    sessions.extend(finished.sessions);
    // SOAP text that does not parse: where the codec stopped, as it said when it read the body.
    let soap_error = (finished.input == Some(InputKind::Soap))
        .then(|| sessions.iter().flat_map(|s| &s.messages).find_map(|m| m.codec_error.clone()))
        .flatten();
    let summary = Summary {
        name,
        input: finished.input,
        bytes,
        sessions: sessions.len(),
        messages: sessions.iter().map(|s| s.messages.len()).sum(),
        connection_requests: finished.connection_requests,
        tls: finished
            .tls
            .iter()
            .map(|t| {
                let sni = t.sni.clone().unwrap_or_else(|| "no SNI".into());
                format!("{} ↔ {} ({sni}): encrypted, not decodable", t.client, t.server)
            })
            .collect(),
        diagnostics: finished.diagnostics,
        error: finished.error,
        soap_error,
        millis: now() - timing.started,
        read_wait_millis: timing.read_wait,
        warm_up: WARMING.with_borrow(|warming| warming.report.clone()),
    };
    STATE.with_borrow_mut(|state| {
        state.sessions = sessions;
        state.timeline.clear();
    });
    post(&Response::Done { summary: Box::new(summary) });
}

#[cfg(test)]
mod tests {
    use super::*;
    use cwmpkit_core::pipeline::analyze;

    fn sample_sessions() -> Vec<Session> {
        let report = analyze(&super::warm_up::sample(), &Options::default()).expect("the sample");
        assert!(!report.sessions.is_empty());
        report.sessions
    }

    #[test]
    fn the_cached_timeline_is_the_timeline_of_the_session_and_filter_asked_for() {
        let sessions = sample_sessions();
        let first = sessions[0].index;
        let all = Filter::default();
        let informs = Filter { rpc: "Inform".into(), ..Filter::default() };
        let mut cache = TimelineCache::default();

        let rows = cache.rows(&sessions, first, &all).expect("session 1").to_vec();
        assert_eq!(rows, query::timeline(&sessions[0], &all));
        // A later window of the same timeline: the same rows.
        assert_eq!(cache.rows(&sessions, first, &all).expect("again"), rows);

        // Another filter is another timeline (the rows' `matches` flags differ).
        let filtered = cache.rows(&sessions, first, &informs).expect("filtered").to_vec();
        assert_eq!(filtered, query::timeline(&sessions[0], &informs));
        assert_ne!(filtered, rows);

        if let Some(second) = sessions.get(1) {
            let rows = cache.rows(&sessions, second.index, &informs).expect("session 2");
            assert_eq!(rows, query::timeline(second, &informs));
        }
        assert!(cache.rows(&sessions, 0, &all).is_none());
        assert!(cache.rows(&sessions, sessions.len() as u32 + 1, &all).is_none());
    }

    #[test]
    fn a_cleared_cache_builds_the_rows_of_new_sessions() {
        let sessions = sample_sessions();
        let index = sessions[0].index;
        let all = Filter::default();
        let mut cache = TimelineCache::default();
        cache.rows(&sessions, index, &all).expect("session 1");

        // New sessions under the same numbers: a new file was decoded.
        let mut other = sessions.clone();
        other[0].messages.truncate(1);
        other[0].exchanges.clear();
        cache.clear();
        assert_eq!(cache.rows(&other, index, &all).expect("new session 1").len(), 1);
    }
}
