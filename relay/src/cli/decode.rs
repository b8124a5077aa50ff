//! `cwmpkit decode FILE…`: SOAP files, captures, transcripts and logs → CWMP sessions.
//!
//! The input kind is detected from the content (`--kind` overrides). Each file is read in pieces
//! through `cwmpkit_core::pipeline`, and each session is printed as soon as it is final, so a big
//! capture never sits whole in memory, nor does its output. `--json` prints one object whose
//! `sessions` array is a contract scripts rely on (see `core::session`), written by serde as it
//! goes; the tests build the same object in memory and compare.

use super::json::Pretty;
use cwmpkit_core::capture::{CaptureError, InputKind, Options};
use cwmpkit_core::pipeline::{Done, Finished, Job, Pipeline};
use cwmpkit_core::session::{HttpConnectionRequest, Report, Session, conformance};
use cwmpkit_core::{Diagnostic, Location};
use serde::ser::{Error as _, SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, mpsc};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum KindArg {
    Pcap,
    Pcapng,
    Soap,
    Http,
    Curl,
    Log,
    /// A magma enodebd debug log.
    EnodebdLog,
    /// A GenieACS debug log (YAML or JSON records).
    GenieacsLog,
    Hex,
    Base64,
}

impl From<KindArg> for InputKind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Pcap => InputKind::Pcap,
            KindArg::Pcapng => InputKind::Pcapng,
            KindArg::Soap => InputKind::Soap,
            KindArg::Http => InputKind::HttpTranscript,
            KindArg::Curl => InputKind::CurlVerbose,
            KindArg::Log => InputKind::Log,
            KindArg::EnodebdLog => InputKind::EnodebdLog,
            KindArg::GenieacsLog => InputKind::GenieacsLog,
            KindArg::Hex => InputKind::HexDump,
            KindArg::Base64 => InputKind::Base64,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct DecodeArgs {
    /// Files: SOAP envelopes, pcap/pcapng captures, HTTP transcripts, `curl -v` output, logs,
    /// hex dumps or base64 of a capture.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print one JSON object (`sessions`, `connection_requests`, …) instead of the summary.
    #[arg(long)]
    pub json: bool,
    /// Read the files as this kind instead of detecting it.
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// Show passwords found in Authorization headers instead of masking them.
    #[arg(long)]
    pub show_passwords: bool,
}

/// Bytes read from a file per [`Pipeline::push`].
const PIECE: usize = 1 << 20;

pub fn run(args: &DecodeArgs) -> Result<ExitCode, String> {
    let options = Options {
        kind: args.kind.map(InputKind::from),
        reveal_secrets: args.show_passwords,
        ..Options::default()
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let failed = if args.json {
        write_json(&mut out, &args.files, &options)?
    } else {
        write_text(&mut out, &args.files, &options)?
    };
    out.flush().map_err(super::cannot_write)?;
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// Jobs out at once at most: the reader waits for the decoders beyond it, so memory stays bounded
/// when reading outruns decoding.
const JOBS_OUT: u64 = 256;

/// Reads `path` in pieces through a pipeline, giving each session to `on_session` as soon as it
/// is final; returns what else the pipeline found. The SOAP bodies of each connection are decoded
/// on other threads (one per core), while this one reads, builds sessions and writes.
pub fn decode_file(
    path: &Path,
    options: &Options,
    mut on_session: impl FnMut(Session) -> Result<(), String>,
) -> Result<Finished, String> {
    let cannot_read = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    let mut file = std::fs::File::open(path).map_err(cannot_read)?;
    let decoders = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    std::thread::scope(|scope| {
        let (job_sender, jobs) = mpsc::channel::<Job>();
        let jobs = Arc::new(Mutex::new(jobs));
        let (done_sender, done) = mpsc::channel::<Done>();
        let mut pipeline = Pipeline::new(options);
        if decoders > 1 {
            pipeline.hand_out_decoding();
            for _ in 0..decoders {
                let jobs = Arc::clone(&jobs);
                let done_sender = done_sender.clone();
                scope.spawn(move || {
                    loop {
                        let job = match jobs.lock() {
                            Ok(jobs) => jobs.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = job else { return };
                        if done_sender.send(job.run()).is_err() {
                            return;
                        }
                    }
                });
            }
        }
        drop(done_sender);
        let mut step = |pipeline: &mut Pipeline, wait_all: bool| -> Result<(), String> {
            for job in pipeline.take_jobs() {
                job_sender.send(job).map_err(|_| "a decoding thread stopped".to_string())?;
            }
            while let Ok(finished) = done.try_recv() {
                pipeline.complete(finished);
            }
            let limit = if wait_all { 0 } else { JOBS_OUT };
            while pipeline.jobs_out() > limit {
                let finished = done.recv().map_err(|_| "a decoding thread stopped".to_string())?;
                pipeline.complete(finished);
            }
            for session in pipeline.take_sessions() {
                on_session(session)?;
            }
            Ok(())
        };
        let mut buffer = vec![0u8; PIECE];
        loop {
            let read = match file.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(cannot_read(error)),
            };
            pipeline.push(&buffer[..read]);
            step(&mut pipeline, false)?;
        }
        pipeline.end_input();
        while pipeline.has_more_jobs() {
            step(&mut pipeline, false)?;
        }
        step(&mut pipeline, true)?;
        drop(job_sender);
        let mut finished = pipeline.finish();
        for session in std::mem::take(&mut finished.sessions) {
            on_session(session)?;
        }
        Ok(finished)
    })
}

/// The readable summary, file by file, each session printed as it comes.
fn write_text(out: &mut impl Write, files: &[PathBuf], options: &Options) -> Result<bool, String> {
    let mut failed = false;
    let mut text = String::new();
    let written = super::cannot_write;
    for path in files {
        let name = path.display().to_string();
        writeln!(out, "== {name}").map_err(written)?;
        let mut count = 0usize;
        let finished = decode_file(path, options, |session| {
            count += 1;
            text.clear();
            render_session(&mut text, &session);
            out.write_all(text.as_bytes()).map_err(written)
        })?;
        let (report, error) = finished.into_parts(Vec::new());
        text.clear();
        render_rest(&mut text, &name, &report, count);
        out.write_all(text.as_bytes()).map_err(written)?;
        if let Some(error) = error {
            out.flush().map_err(written)?;
            eprintln!("{name}: {error}");
            failed = true;
        }
    }
    Ok(failed)
}

/// The `--json` object, written as the files are read: sessions first (as they come), then what
/// is not a session, then the `files` list.
fn write_json(out: &mut impl Write, files: &[PathBuf], options: &Options) -> Result<bool, String> {
    let document = JsonDocument { files, options, rest: RefCell::new(Rest::default()) };
    // serde_json's pretty layout, written by our own serializer (`json.rs`: the output is as
    // large as the capture, and serde_json's escaping was most of the writing thread's time).
    let written = document.serialize(&mut Pretty::new(&mut *out));
    let rest = document.rest.into_inner();
    if let Some(problem) = rest.problem {
        return Err(problem);
    }
    written.map_err(|e| super::cannot_write(e.into()))?;
    writeln!(out).map_err(super::cannot_write)?;
    Ok(rest.failed)
}

/// Everything but the sessions, gathered while the sessions are written.
#[derive(Debug, Default)]
struct Rest {
    report: Option<Report>,
    files: Vec<serde_json::Value>,
    failed: bool,
    /// A file that could not be read: the command fails with it.
    problem: Option<String>,
}

struct JsonDocument<'a> {
    files: &'a [PathBuf],
    options: &'a Options,
    rest: RefCell<Rest>,
}

impl Serialize for JsonDocument<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("sessions", &SessionStream(self))?;
        let rest = self.rest.borrow();
        let empty = Report {
            input: InputKind::Soap,
            sessions: Vec::new(),
            connection_requests: Vec::new(),
            udp_connection_requests: Vec::new(),
            tls: Vec::new(),
            comments: Vec::new(),
            diagnostics: Vec::new(),
        };
        let merged = rest.report.as_ref().unwrap_or(&empty);
        map.serialize_entry("connection_requests", &merged.connection_requests)?;
        map.serialize_entry("udp_connection_requests", &merged.udp_connection_requests)?;
        map.serialize_entry("tls", &merged.tls)?;
        map.serialize_entry("comments", &merged.comments)?;
        map.serialize_entry("diagnostics", &merged.diagnostics)?;
        map.serialize_entry("files", &rest.files)?;
        map.end()
    }
}

/// The `sessions` array: reading the files happens here, as serde asks for the elements.
struct SessionStream<'a, 'b>(&'b JsonDocument<'a>);

/// What the reading thread tells the writing one.
enum Event {
    Session(Box<Session>),
    File(String, Box<Finished>),
    Problem(String),
}

/// Sessions waiting for the writer at most: the reader waits beyond it.
const SESSIONS_AHEAD: usize = 64;

impl Serialize for SessionStream<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let document = self.0;
        let mut seq = serializer.serialize_seq(None)?;
        // The files are read (and decoded) on another thread while this one writes.
        let (files, options) = (document.files, document.options);
        std::thread::scope(|scope| {
            let (sender, events) = mpsc::sync_channel::<Event>(SESSIONS_AHEAD);
            scope.spawn(move || {
                for path in files {
                    let name = path.display().to_string();
                    let decoded = decode_file(path, options, |session| {
                        sender
                            .send(Event::Session(Box::new(session)))
                            .map_err(|_| "the output stopped".to_string())
                    });
                    let event = match decoded {
                        Ok(finished) => Event::File(name, Box::new(finished)),
                        Err(problem) => Event::Problem(problem),
                    };
                    let stop = matches!(event, Event::Problem(_));
                    if sender.send(event).is_err() || stop {
                        return;
                    }
                }
            });
            let mut index = 0u32;
            let mut source = None;
            for event in events {
                match event {
                    Event::Session(mut session) => {
                        index += 1;
                        session.index = index;
                        let name = source.get_or_insert_with(|| {
                            let read = document.rest.borrow().files.len();
                            files.get(read).map(|p| p.display().to_string()).unwrap_or_default()
                        });
                        session.source = Some(name.clone());
                        seq.serialize_element(&*session)?;
                    }
                    Event::File(name, finished) => {
                        source = None;
                        let (report, error) = finished.into_parts(Vec::new());
                        document.rest.borrow_mut().add(name, report, error);
                    }
                    Event::Problem(problem) => {
                        document.rest.borrow_mut().problem = Some(problem.clone());
                        return Err(S::Error::custom(problem));
                    }
                }
            }
            Ok(())
        })?;
        seq.end()
    }
}

impl Rest {
    fn add(&mut self, name: String, report: Report, error: Option<CaptureError>) {
        self.files.push(file_entry(name, report.input, error.as_ref()));
        self.failed |= error.is_some();
        match &mut self.report {
            None => self.report = Some(report),
            Some(all) => merge(all, report),
        }
    }
}

fn file_entry(name: String, input: InputKind, error: Option<&CaptureError>) -> serde_json::Value {
    match error {
        None => serde_json::json!({ "file": name, "input": input }),
        Some(error) => serde_json::json!({ "file": name, "error": error }),
    }
}

/// Everything but the sessions of `report` joins `all`.
fn merge(all: &mut Report, report: Report) {
    all.connection_requests.extend(report.connection_requests);
    all.udp_connection_requests.extend(report.udp_connection_requests);
    all.tls.extend(report.tls);
    all.comments.extend(report.comments);
    all.diagnostics.extend(report.diagnostics);
}

/// The `--json` object built in memory from each file's report (partial when the file could not
/// be read to its end, with the error beside it): what the streaming writer must print, for tests.
#[cfg(test)]
fn json_output(
    results: Vec<(String, Report, Option<CaptureError>)>,
) -> Result<serde_json::Value, String> {
    let mut rest = Rest::default();
    let mut sessions: Vec<Session> = Vec::new();
    for (name, mut report, error) in results {
        for session in &mut report.sessions {
            session.source = Some(name.clone());
        }
        sessions.append(&mut report.sessions);
        rest.add(name, report, error);
    }
    for (index, session) in sessions.iter_mut().enumerate() {
        session.index = u32::try_from(index + 1).unwrap_or(u32::MAX);
    }
    let merged = rest.report.unwrap_or_else(|| Report {
        input: InputKind::Soap,
        sessions: Vec::new(),
        connection_requests: Vec::new(),
        udp_connection_requests: Vec::new(),
        tls: Vec::new(),
        comments: Vec::new(),
        diagnostics: Vec::new(),
    });
    Ok(serde_json::json!({
        "sessions": value(&sessions)?,
        "connection_requests": value(&merged.connection_requests)?,
        "udp_connection_requests": value(&merged.udp_connection_requests)?,
        "tls": value(&merged.tls)?,
        "comments": value(&merged.comments)?,
        "diagnostics": value(&merged.diagnostics)?,
        "files": rest.files,
    }))
}

#[cfg(test)]
fn value<T: Serialize>(value: &T) -> Result<serde_json::Value, String> {
    serde_json::to_value(value).map_err(|e| e.to_string())
}

/// The end of one file's summary: what is not a session, and the count.
fn render_rest(out: &mut String, name: &str, report: &Report, sessions: usize) {
    for request in &report.connection_requests {
        render_connection_request(out, request);
    }
    for request in &report.udp_connection_requests {
        let _ = writeln!(
            out,
            "UDP connection request {} → {}: {}",
            request.source, request.destination, request.request_line
        );
    }
    for tls in &report.tls {
        let sni = tls.sni.as_deref().unwrap_or("-");
        let _ = writeln!(out, "TLS {} → {} (SNI {sni}): {}", tls.client, tls.server, tls.note);
    }
    for comment in &report.comments {
        let _ = writeln!(out, "Comment ({}): {}", comment.scope, comment.text);
    }
    render_findings(out, &report.diagnostics);
    let _ = writeln!(out, "-- {name}: {:?}, {sessions} session(s)", report.input);
}

/// Findings of one code shown in full before the rest of that code are counted instead: a
/// capture of 100,000 broken connections has as many `tcp-gap` findings, and a page of identical
/// lines hides the one finding that differs. `--json` keeps every one.
const FINDINGS_SHOWN_PER_CODE: usize = 10;

fn render_findings(out: &mut String, diagnostics: &[Diagnostic]) {
    let mut shown: HashMap<&str, usize> = HashMap::new();
    for d in diagnostics {
        let count = shown.entry(d.code.as_ref()).or_default();
        *count += 1;
        if *count > FINDINGS_SHOWN_PER_CODE {
            continue;
        }
        let at = d.location.byte_offset().map(|o| format!(" at byte {o}")).unwrap_or_default();
        let _ = writeln!(out, "{:?} {}{at}: {}", d.severity, d.code, d.message);
    }
    let mut folded: Vec<(&str, usize)> = shown
        .into_iter()
        .filter(|&(_, count)| count > FINDINGS_SHOWN_PER_CODE)
        .map(|(code, count)| (code, count - FINDINGS_SHOWN_PER_CODE))
        .collect();
    folded.sort_unstable();
    for (code, hidden) in folded {
        let _ = writeln!(
            out,
            "... and {hidden} more {code} finding(s) not shown (--json lists them all)"
        );
    }
}

fn render_connection_request(out: &mut String, request: &HttpConnectionRequest) {
    let _ = writeln!(
        out,
        "Connection request {} → {} GET {} answered {:?}",
        address(request.acs),
        address(request.cpe),
        request.target,
        request.statuses
    );
}

fn address(address: Option<std::net::SocketAddr>) -> String {
    address.map_or_else(|| "-".into(), |a| a.to_string())
}

fn render_session(out: &mut String, session: &Session) {
    let cpe = session.cpe.as_ref().map_or_else(
        || "unknown CPE".to_string(),
        |c| format!("{}-{}-{} ({})", c.oui, c.product_class, c.serial_number, c.manufacturer),
    );
    let _ = writeln!(out, "Session {}: {cpe}", session.index);
    let _ = writeln!(
        out,
        "  {} → {}  start {}  duration {}  events [{}]{}",
        address(session.cpe_address),
        address(session.acs_address),
        session.start.map_or_else(
            || "-".into(),
            // A log that names no zone gives wall-clock times; say so rather than imply UTC.
            |t| if t.local { format!("{t} (local, zone unknown)") } else { t.to_string() }
        ),
        session.duration_ms.map_or_else(|| "-".into(), |d| format!("{d:.1} ms")),
        session.events.join(", "),
        if session.ended || session.connections.is_empty() { "" } else { "  (not ended)" }
    );
    for message in &session.messages {
        let arrow = message.direction.arrow();
        let offset = message.offset_ms.map_or_else(|| "".into(), |o| format!("+{o:.1} ms"));
        let id = message.cwmp_id.as_deref().unwrap_or("-");
        let _ = writeln!(out, "  {offset:>12}  {arrow}  {}  (ID {id})", message.rpc);
        for d in &message.diagnostics {
            let at = match &d.location {
                Location::Input | Location::Message { .. } => String::new(),
                location => format!(" ({location})"),
            };
            let _ = writeln!(out, "      {:?} {}: {}{at}", d.severity, d.code, d.message);
        }
    }
    for exchange in &session.exchanges {
        let _ = writeln!(out, "  HTTP {}: {}", exchange.kind, exchange.summary);
    }
    for finding in &session.findings {
        let _ = writeln!(
            out,
            "  {:?} {}: {} [{}]",
            finding.severity,
            finding.code,
            finding.message,
            finding.clause.as_deref().unwrap_or_default()
        );
        if let Some(rule) = conformance::rule(&finding.code) {
            let _ = writeln!(out, "      {}", rule.explanation);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cwmpkit_core::pipeline;

    const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");

    fn in_memory(name: &str, bytes: &[u8]) -> (String, Report, Option<CaptureError>) {
        let (report, error) = pipeline::analyze_parts(bytes, &Options::default());
        (name.to_string(), report, error)
    }

    fn corpus(path: &str) -> Vec<u8> {
        std::fs::read(format!("{CORPUS}/{path}")).unwrap()
    }

    /// The JSON contract scripts rely on: keep these names and shapes stable.
    #[test]
    fn json_contract_for_a_capture_and_a_soap_file() {
        let out = json_output(vec![
            in_memory("pcap/magma/dp_enb_tr069.pcap", &corpus("pcap/magma/dp_enb_tr069.pcap")),
            in_memory("soap/freeacs/Inform.xml", &corpus("soap/freeacs/Inform.xml")),
            in_memory("missing.bin", b"\x00\x01"),
        ])
        .unwrap();
        let sessions = out["sessions"].as_array().unwrap();
        assert_eq!(sessions.len(), 4);
        for (index, session) in sessions.iter().enumerate() {
            assert_eq!(session["index"], index + 1);
            for key in ["oui", "product_class", "serial_number"] {
                assert!(session["cpe"][key].is_string(), "{key}");
            }
            for message in session["messages"].as_array().unwrap() {
                assert!(message["rpc"].is_string());
                let direction = message["direction"].as_str().unwrap();
                assert!(direction == "cpe-to-acs" || direction == "acs-to-cpe");
                assert!(message["time"].is_string() || message["time"].is_null());
                assert!(message["diagnostics"].is_array());
            }
            assert!(session["exchanges"].is_array());
        }
        assert_eq!(sessions[0]["cpe"]["oui"], "48BF74");
        assert_eq!(sessions[0]["source"], "pcap/magma/dp_enb_tr069.pcap");
        assert_eq!(sessions[0]["messages"][0]["rpc"], "Inform");
        assert_eq!(sessions[0]["exchanges"][0]["kind"], "empty-post");
        assert_eq!(sessions[3]["messages"][0]["direction"], "cpe-to-acs");
        assert!(sessions[3]["messages"][0]["time"].is_null());
        let files = out["files"].as_array().unwrap();
        assert_eq!(files[0]["input"], "pcap");
        assert_eq!(files[1]["input"], "soap");
        assert!(files[2]["error"].is_object());
    }

    /// A pcap whose `n`th record claims more bytes than a frame may have: read up to there.
    fn broken_after(pcap: &[u8], n: usize) -> Vec<u8> {
        let mut out = pcap.to_vec();
        let mut offset = 24;
        for _ in 0..n {
            let caplen = u32::from_le_bytes(out[offset + 8..offset + 12].try_into().unwrap());
            offset += 16 + caplen as usize;
        }
        out[offset + 8..offset + 12].copy_from_slice(&u32::MAX.to_le_bytes());
        out
    }

    #[test]
    fn the_streamed_json_is_the_in_memory_json() {
        let magma = corpus("pcap/magma/dp_enb_tr069.pcap");
        let big = cwmpkit_core::capture::replicate::replicate(
            &magma,
            [10, 0, 2, 243].into(),
            3 * PIECE + 12_345,
        )
        .unwrap();
        let inputs: Vec<(&str, Vec<u8>)> = vec![
            ("magma.pcap", magma.clone()),
            ("big.pcap", big),
            ("inform.xml", corpus("soap/freeacs/Inform.xml")),
            ("broken.pcap", broken_after(&magma, 120)),
            ("tiny.bin", b"\x00\x01".to_vec()),
            ("enodebd.log", corpus("http-logs/magma/enodebd-baicells-qrtb.log")),
        ];
        let dir = std::env::temp_dir().join(format!("cwmpkit-decode-json-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut paths = Vec::new();
        for (name, bytes) in &inputs {
            let path = dir.join(name);
            std::fs::write(&path, bytes).unwrap();
            paths.push(path);
        }
        let mut streamed = Vec::new();
        let failed = write_json(&mut streamed, &paths, &Options::default()).unwrap();
        let expected = json_output(
            inputs
                .iter()
                .zip(&paths)
                .map(|((_, bytes), path)| in_memory(&path.display().to_string(), bytes))
                .collect(),
        )
        .unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let streamed: serde_json::Value = serde_json::from_slice(&streamed).unwrap();
        assert!(failed, "two inputs cannot be read to their end");
        let sessions = expected["sessions"].as_array().unwrap();
        // magma 3, big 36 copies × 3, inform 1, broken: the sessions before record 120, the log's.
        assert!(sessions.len() > 115, "{}", sessions.len());
        let broken = paths[3].display().to_string();
        assert!(sessions.iter().any(|s| s["source"] == broken.as_str()));
        assert!(expected["files"][3]["error"]["message"].as_str().unwrap().contains("claims"));
        assert!(streamed == expected, "the streamed document differs from the in-memory one");
    }

    #[test]
    fn text_output_counts_the_findings_of_a_code_past_the_first_ten() {
        use cwmpkit_core::{Severity, Source};
        let gap = |n: usize| {
            Diagnostic::new(Severity::Warning, Source::Tcp, "tcp-gap", format!("gap {n}"))
                .at_byte(n)
        };
        let mut diagnostics: Vec<Diagnostic> = (0..25).map(gap).collect();
        diagnostics.insert(
            12,
            Diagnostic::new(Severity::Error, Source::Pcap, "pcap-truncated", "the odd one"),
        );
        let mut out = String::new();
        render_findings(&mut out, &diagnostics);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.iter().filter(|l| l.starts_with("Warning tcp-gap")).count(), 10);
        assert!(lines.contains(&"Warning tcp-gap at byte 9: gap 9"), "{out}");
        assert!(lines.iter().any(|l| l.contains("the odd one")), "{out}");
        assert_eq!(
            lines.last(),
            Some(&"... and 15 more tcp-gap finding(s) not shown (--json lists them all)")
        );
    }
}
