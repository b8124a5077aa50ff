//! One pass from input bytes to CWMP sessions, fed in pieces.
//!
//! [`Pipeline`] is what the CLI and the browser's decode worker both run: bytes in (any number of
//! [`Pipeline::push`]es, of any size), sessions and findings out. It detects the input's kind from
//! its first bytes. A pcap or pcapng file is read record by record as it arrives: frames go
//! through the link, IP and TCP layers at once; a TCP connection's HTTP messages are framed as
//! soon as the connection is over, each SOAP body is read once by the codec into the session it
//! belongs to, and a session is handed out ([`Pipeline::take_sessions`]), numbered and checked,
//! as soon as it is final. So memory holds the connections and sessions in progress, not the
//! input. Text inputs (pasted envelopes, transcripts, logs, dumps) are read whole when the input
//! ends.
//!
//! The result does not depend on how the input is cut into pieces: the only state carried from
//! one piece to the next is a record cut off at its end, and every decision is taken on whole
//! records (`crate::fuzzing::pipeline` checks this on arbitrary inputs and cuts).
//!
//! Sessions come out in the order they start, provided the capture's packets are in time order
//! (a session is held until no connection still open, and no packet still to come, can start an
//! earlier one). A session that did not end cleanly is final once nothing can continue it: at once
//! when the ACS set no cookie, else [`CONTINUATION_WINDOW_MS`] of capture time after its last
//! message (a CPE that reconnects within a session presents the cookie; later, it is a new
//! session).

use crate::base::Diagnostic;
use crate::base::Timestamp;
use crate::capture::file::{FrameReader, Step};
use crate::capture::http::{self, Carried};
use crate::capture::link::Layers;
use crate::capture::{
    self, Capture, CaptureError, Comment, InputKind, Options, Stats, TlsConnection,
    UdpConnectionRequest, file,
};
use crate::session::{DecodedConnection, HttpConnectionRequest, Report, Session, Sessions};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use crate::session::CONTINUATION_WINDOW_MS;

/// How far a [`Pipeline`] has come.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Input bytes pushed so far.
    pub bytes: u64,
    /// Sessions found so far (handed out or in progress).
    pub sessions: usize,
    /// SOAP messages found so far.
    pub messages: usize,
}

/// Everything a [`Pipeline`] found besides the sessions it handed out.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    /// The input's kind, when it could be told.
    pub input: Option<InputKind>,
    /// The sessions not yet taken with [`Pipeline::take_sessions`].
    pub sessions: Vec<Session>,
    pub connection_requests: Vec<HttpConnectionRequest>,
    pub udp_connection_requests: Vec<UdpConnectionRequest>,
    pub tls: Vec<TlsConnection>,
    pub comments: Vec<Comment>,
    pub diagnostics: Vec<Diagnostic>,
    /// What stopped the reading, if something did; what came before it is kept above.
    pub error: Option<CaptureError>,
    /// What the decode cost where hostile input could make it cost more than its size.
    pub stats: Stats,
}

impl Finished {
    fn empty(input: Option<InputKind>) -> Self {
        Self {
            input,
            sessions: Vec::new(),
            connection_requests: Vec::new(),
            udp_connection_requests: Vec::new(),
            tls: Vec::new(),
            comments: Vec::new(),
            diagnostics: Vec::new(),
            error: None,
            stats: Stats::default(),
        }
    }

    /// The [`Report`] of the input as far as it could be read, with `earlier` (the sessions taken
    /// while it was read) first, and what stopped the reading, if anything did.
    pub fn into_parts(self, mut earlier: Vec<Session>) -> (Report, Option<CaptureError>) {
        earlier.extend(self.sessions);
        let report = Report {
            input: self.input.unwrap_or(InputKind::Soap),
            sessions: earlier,
            connection_requests: self.connection_requests,
            udp_connection_requests: self.udp_connection_requests,
            tls: self.tls,
            comments: self.comments,
            diagnostics: self.diagnostics,
        };
        (report, self.error)
    }

    /// The [`Report`] of the whole input; the error when it could not be read to its end.
    pub fn into_report(self, earlier: Vec<Session>) -> Result<Report, CaptureError> {
        match self.into_parts(earlier) {
            (report, None) => Ok(report),
            (_, Some(error)) => Err(error),
        }
    }
}

/// Decodes a whole input in memory: one [`Pipeline::push`] and [`Pipeline::finish`].
pub fn analyze(input: &[u8], options: &Options) -> Result<Report, CaptureError> {
    let (report, error) = analyze_parts(input, options);
    match error {
        Some(error) => Err(error),
        None => Ok(report),
    }
}

/// Like [`analyze`], but an input that cannot be read to its end still gives what came before
/// the problem, with the error beside it.
pub fn analyze_parts(input: &[u8], options: &Options) -> (Report, Option<CaptureError>) {
    let mut pipeline = Pipeline::new(options);
    pipeline.push(input);
    let taken = pipeline.take_sessions();
    pipeline.finish().into_parts(taken)
}

/// The streaming decoder: see the module documentation.
#[derive(Debug)]
pub struct Pipeline {
    options: Options,
    bytes: u64,
    stage: Stage,
    sink: Sink,
    /// The input has ended ([`Pipeline::end_input`]).
    ended: bool,
}

#[derive(Debug)]
enum Stage {
    /// Too few bytes yet to tell a capture file from text.
    Undecided(Vec<u8>),
    Frames(Box<FrameStage>),
    /// The capture has ended: the connections still open then wait here in the order they began,
    /// handed over [`DRAIN_BATCH`] at a time, so that a capture ending with many thousand open
    /// connections never holds them all as streams, framed, or as jobs at once.
    Draining(Box<FrameStage>, capture::tcp::LeftOpen),
    /// Text inputs are decoded whole at the end.
    Text(Vec<u8>),
    /// Decoded; what it found besides sessions waits here for [`Pipeline::finish`].
    Done(Box<Finished>),
}

#[derive(Debug)]
struct FrameStage {
    kind: InputKind,
    reader: FrameReader,
    layers: Layers,
    /// What the link layers found besides connections (TLS, UDP requests, diagnostics).
    found: Capture,
    /// The start of a record cut off by the end of the last piece.
    pending: Vec<u8>,
    /// Offset in the input of the next byte the reader will read.
    offset: usize,
    /// Connections carrying HTTP so far (their ids).
    connections: u32,
    /// Time of the last frame read.
    now: Option<Timestamp>,
    error: Option<CaptureError>,
    /// What decoding cost so far; the inflation budget grows with the input read.
    stats: Stats,
}

/// When the sessions may hand out what is final: the time the input has reached, and the
/// earliest time a session not built yet could start.
type Release = (Option<Timestamp>, Option<Timestamp>);

/// Connections handed over at a time once the input has ended ([`Stage::Draining`]); after each
/// batch, the sessions that are final are handed out.
const DRAIN_BATCH: usize = 256;

/// The size of the pieces the app's decode worker reads a file in and pushes. Any size works;
/// in Chromium 4 MiB pieces decoded about 10 % faster than 1 MiB ones (fewer hand-overs between
/// the worker that reads and the one that decodes), while natively the size makes no difference.
/// The wasm bench feeds the native pipeline the same pieces.
pub const WORKER_PIECE_BYTES: usize = 4 << 20;

/// The costly half of building sessions, handed to the host when it asked for it
/// ([`Pipeline::hand_out_decoding`]): decoding one connection's SOAP bodies. [`Job::run`] needs
/// nothing else, so it may run on any thread; its [`Done`] goes back through
/// [`Pipeline::complete`].
#[derive(Debug)]
pub struct Job {
    sequence: u64,
    connection: Option<capture::Connection>,
    release: Option<Release>,
}

/// A [`Job`] run.
#[derive(Debug)]
pub struct Done {
    sequence: u64,
    decoded: Option<DecodedConnection>,
    release: Option<Release>,
}

impl Job {
    pub fn run(self) -> Done {
        Done {
            sequence: self.sequence,
            decoded: self.connection.map(DecodedConnection::new),
            release: self.release,
        }
    }
}

/// Where connections go once over: into the sessions at once, or out as jobs.
#[derive(Debug, Default)]
struct Sink {
    sessions: Sessions,
    /// Sessions final and numbered, waiting to be taken.
    ready: Vec<Session>,
    /// Set when the host decodes: jobs not taken yet, and those done out of turn.
    jobs: Option<Vec<Job>>,
    issued: u64,
    joined: u64,
    early: BTreeMap<u64, Done>,
}

impl Sink {
    fn connection(&mut self, connection: Option<capture::Connection>, release: Option<Release>) {
        match &mut self.jobs {
            Some(jobs) => {
                jobs.push(Job { sequence: self.issued, connection, release });
                self.issued += 1;
            }
            None => self.join(connection.map(DecodedConnection::new), release),
        }
    }

    fn join(&mut self, decoded: Option<DecodedConnection>, release: Option<Release>) {
        if let Some(decoded) = decoded {
            self.sessions.add(decoded);
        }
        if let Some((now, horizon)) = release {
            self.ready.extend(self.sessions.release(now, horizon));
        }
    }

    /// Joins `done` and every job done early that now comes in turn.
    fn complete(&mut self, done: Done) {
        self.early.insert(done.sequence, done);
        while let Some(done) = self.early.remove(&self.joined) {
            self.joined += 1;
            self.join(done.decoded, done.release);
        }
    }
}

impl Pipeline {
    pub fn new(options: &Options) -> Self {
        Self {
            options: options.clone(),
            bytes: 0,
            stage: Stage::Undecided(Vec::new()),
            sink: Sink::default(),
            ended: false,
        }
    }

    /// From now on, connections that are over wait as [`Job`]s ([`Pipeline::take_jobs`]) for
    /// the host to run, on other threads if it likes, and give back ([`Pipeline::complete`]),
    /// instead of being decoded within [`Pipeline::push`]. The result is the same.
    pub fn hand_out_decoding(&mut self) {
        self.sink.jobs.get_or_insert_with(Vec::new);
    }

    /// The jobs made since the last call, in order. After [`Pipeline::end_input`], each call
    /// makes the jobs of the next connections left open by the capture, while
    /// [`Pipeline::has_more_jobs`] says there are more.
    pub fn take_jobs(&mut self) -> Vec<Job> {
        if self.sink.jobs.is_some() {
            self.drain(DRAIN_BATCH);
        }
        self.sink.jobs.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Whether connections left open at the end of the input still wait to become jobs.
    pub fn has_more_jobs(&self) -> bool {
        matches!(self.stage, Stage::Draining(..))
    }

    /// Jobs made and not yet given back to [`Pipeline::complete`].
    pub fn jobs_out(&self) -> u64 {
        self.sink.issued - self.sink.joined
    }

    /// A job run: its sessions join (in the order the jobs were made, whatever order they come).
    pub fn complete(&mut self, done: Done) {
        self.sink.complete(done);
    }

    /// Reads the next piece of the input.
    pub fn push(&mut self, piece: &[u8]) {
        if self.ended {
            return;
        }
        self.bytes += piece.len() as u64;
        match &mut self.stage {
            Stage::Undecided(head) => {
                head.extend_from_slice(piece);
                let head = std::mem::take(head);
                match decide(&head, self.options.kind) {
                    Some(kind @ (InputKind::Pcap | InputKind::Pcapng)) => {
                        let mut stage = Box::new(FrameStage::new(kind, &self.options));
                        stage.feed(&head, false, &self.options, &mut self.sink);
                        self.stage = Stage::Frames(stage);
                    }
                    Some(_) => self.stage = Stage::Text(head),
                    None => self.stage = Stage::Undecided(head),
                }
            }
            Stage::Frames(stage) => stage.feed(piece, false, &self.options, &mut self.sink),
            Stage::Text(text) => text.extend_from_slice(piece),
            Stage::Draining(..) | Stage::Done(_) => {}
        }
    }

    /// How far it has come.
    pub fn progress(&self) -> Progress {
        Progress {
            bytes: self.bytes,
            sessions: self.sink.sessions.sessions_found(),
            messages: self.sink.sessions.messages_found(),
        }
    }

    /// The input's kind, once known (a text input's only at the end).
    pub fn input_kind(&self) -> Option<InputKind> {
        match &self.stage {
            Stage::Frames(stage) | Stage::Draining(stage, _) => Some(stage.kind),
            Stage::Done(finished) => finished.input,
            _ => self.options.kind,
        }
    }

    /// The sessions that became final since the last call, numbered from 1 in the order they
    /// start, conformance findings included.
    pub fn take_sessions(&mut self) -> Vec<Session> {
        std::mem::take(&mut self.sink.ready)
    }

    /// The input is over: what was cut off is a truncation, connections still open are over.
    /// When decoding is handed out, the last jobs come out from [`Pipeline::take_jobs`] while
    /// [`Pipeline::has_more_jobs`]; complete them before [`Pipeline::finish`].
    pub fn end_input(&mut self) {
        if self.ended {
            return;
        }
        self.ended = true;
        let mut finished = Finished::empty(self.input_kind());
        match std::mem::replace(&mut self.stage, Stage::Undecided(Vec::new())) {
            Stage::Undecided(text) | Stage::Text(text) => {
                match capture::decode(&text, &self.options) {
                    Ok(capture) => {
                        finished.input = Some(capture.kind);
                        // Text inputs are small: decoded here even when decoding is handed out.
                        for connection in capture.connections {
                            self.sink.join(Some(DecodedConnection::new(connection)), None);
                        }
                        if !capture.documents.is_empty() {
                            self.sink.sessions.documents(&capture.documents);
                        }
                        finished.udp_connection_requests = capture.udp_connection_requests;
                        finished.tls = capture.tls;
                        finished.comments = capture.comments;
                        finished.diagnostics = capture.diagnostics;
                        finished.stats = capture.stats;
                    }
                    Err(error) => finished.error = Some(error),
                }
            }
            Stage::Frames(mut stage) => {
                stage.feed(&[], true, &self.options, &mut self.sink);
                let mut stats = std::mem::take(&mut stage.stats);
                let streams = stage.layers.finish(&mut stage.found, &mut stats);
                stage.stats = stats;
                self.stage = Stage::Draining(stage, streams);
                if self.sink.jobs.is_none() {
                    self.drain(usize::MAX);
                }
                return;
            }
            Stage::Draining(stage, streams) => {
                self.stage = Stage::Draining(stage, streams);
                return;
            }
            Stage::Done(done) => finished = *done,
        }
        self.stage = Stage::Done(Box::new(finished));
    }

    /// Hands over up to `most` of the connections left open at the end of a capture; once none
    /// is left, what the capture's layers found is [`Stage::Done`].
    fn drain(&mut self, most: usize) {
        let Stage::Draining(stage, streams) = &mut self.stage else { return };
        for handed in 1..=most {
            let Some(stream) = streams.next() else { break };
            // Streams come in the order they began, and a session starts no earlier than its
            // connection: none still to be built starts before the next stream.
            let release =
                (handed % DRAIN_BATCH == 0).then(|| (stage.now, streams.next_start().flatten()));
            stage.hand_over(stream, &self.options, &mut self.sink, release);
        }
        if !streams.is_empty() {
            return;
        }
        let Stage::Draining(stage, _) =
            std::mem::replace(&mut self.stage, Stage::Undecided(vec![]))
        else {
            return;
        };
        let FrameStage { kind, reader, found, error, stats, .. } = *stage;
        let mut finished = Finished::empty(Some(kind));
        finished.stats = stats;
        finished.comments = reader.comments;
        finished.diagnostics = reader.diagnostics;
        finished.diagnostics.extend(found.diagnostics);
        finished.udp_connection_requests = found.udp_connection_requests;
        finished.tls = found.tls;
        finished.error = error;
        self.stage = Stage::Done(Box::new(finished));
    }

    /// The end: everything still held. Jobs not taken yet are run here; every job taken must
    /// have been given back to [`Pipeline::complete`].
    pub fn finish(mut self) -> Finished {
        self.end_input();
        loop {
            for job in self.take_jobs() {
                self.sink.complete(job.run());
            }
            if !self.has_more_jobs() {
                break;
            }
        }
        // Jobs lost by the host leave a hole; what was done after it still joins.
        let early = std::mem::take(&mut self.sink.early);
        for done in early.into_values() {
            self.sink.join(done.decoded, done.release);
        }
        let mut finished = match self.stage {
            Stage::Done(finished) => *finished,
            _ => Finished::empty(self.options.kind),
        };
        let tail = self.sink.sessions.finish();
        finished.sessions = std::mem::take(&mut self.sink.ready);
        finished.sessions.extend(tail.sessions);
        finished.connection_requests = tail.connection_requests;
        finished.diagnostics.extend(tail.diagnostics);
        finished
    }
}

/// The input's kind as far as streaming goes: a capture file (read as it comes) or text (read at
/// the end); `None` while fewer than four bytes tell nothing.
fn decide(head: &[u8], forced: Option<InputKind>) -> Option<InputKind> {
    if let Some(kind) = forced {
        return Some(kind);
    }
    if file::is_pcap(head) {
        Some(InputKind::Pcap)
    } else if file::is_pcapng(head) {
        Some(InputKind::Pcapng)
    } else if head.len() >= 4 {
        Some(InputKind::Soap)
    } else {
        None
    }
}

impl FrameStage {
    fn new(kind: InputKind, options: &Options) -> Self {
        Self {
            kind,
            reader: FrameReader::new(&options.limits),
            layers: Layers::new(options),
            found: Capture::empty(kind),
            pending: Vec::new(),
            offset: 0,
            connections: 0,
            now: None,
            error: None,
            stats: Stats::default(),
        }
    }

    /// Reads the whole records of `piece` (after what was cut off before), straight from `piece`
    /// where possible; keeps the start of a record it cuts off.
    fn feed(&mut self, piece: &[u8], at_end: bool, options: &Options, sink: &mut Sink) {
        let mut used = 0usize;
        // First complete the record cut off last time, copying only as much of `piece` as it
        // takes (doubling, so a large record costs no more than twice its size in copies).
        while !self.pending.is_empty() && self.error.is_none() {
            let held = self.pending.len();
            let step = (piece.len() - used).min(held.max(4096));
            self.pending.extend_from_slice(&piece[used..used + step]);
            used += step;
            let last = at_end && used == piece.len();
            let pending = std::mem::take(&mut self.pending);
            let consumed = self.read(&pending, last, options, sink);
            self.offset += consumed;
            if consumed >= held {
                // The rest of what was copied is `piece`'s own: read it from there.
                used -= pending.len() - consumed;
                break;
            }
            self.pending = pending;
            self.pending.drain(..consumed);
            if used == piece.len() {
                return;
            }
        }
        if self.error.is_some() {
            return;
        }
        let rest = &piece[used..];
        let consumed = self.read(rest, at_end, options, sink);
        self.offset += consumed;
        if self.error.is_none() {
            self.pending.extend_from_slice(&rest[consumed..]);
        }
    }

    /// Reads records from `bytes` (input offset `self.offset`); returns the bytes consumed.
    fn read(&mut self, bytes: &[u8], at_end: bool, options: &Options, sink: &mut Sink) -> usize {
        let mut position = 0usize;
        loop {
            match self.reader.next(&bytes[position..], self.offset + position, at_end) {
                Ok(Step::Frame(frame, len)) => {
                    if frame.time.is_some() {
                        self.now = frame.time;
                    }
                    self.layers.frame(&frame, &mut self.found);
                    position += len;
                    // Decompression may produce what the input read so far allows.
                    self.stats.inflate_budget =
                        options.limits.inflate_budget(self.offset + position) as u64;
                    self.collect(options, sink);
                }
                Ok(Step::Skip(len)) => position += len,
                Ok(Step::NeedMore | Step::End) => return position,
                Err(error) => {
                    self.error = Some(error);
                    return position;
                }
            }
        }
    }

    /// Connections that are over go to the sessions; after the last of them, what is final
    /// may be handed out.
    fn collect(&mut self, options: &Options, sink: &mut Sink) {
        let completed = self.layers.take_completed();
        if completed.is_empty() {
            return;
        }
        // No session still to be built can start before the earliest open connection, nor
        // before the packet just read.
        let horizon = match self.layers.earliest_open_start() {
            Some(open) => open.min(self.now),
            None => self.now,
        };
        let last = completed.len() - 1;
        for (index, stream) in completed.into_iter().enumerate() {
            let release = (index == last).then_some((self.now, horizon));
            self.hand_over(stream, options, sink, release);
        }
    }

    fn hand_over(
        &mut self,
        stream: capture::tcp::Stream,
        options: &Options,
        sink: &mut Sink,
        release: Option<Release>,
    ) {
        match http::connection_of(stream, self.connections + 1, options, &mut self.stats) {
            Carried::Http(connection) => {
                self.connections += 1;
                sink.connection(Some(connection), release);
            }
            Carried::Tls(tls) => {
                self.found.tls.push(tls);
                sink.connection(None, release);
            }
            Carried::Nothing => sink.connection(None, release),
        }
    }
}
