//! `cwmpkit decode FILE…`: SOAP files, captures, transcripts and logs → CWMP sessions.
//!
//! The input kind is detected from the content (`--kind` overrides). `--json` prints one object
//! whose `sessions` array is a contract scripts rely on (see `core::session`).

use cwmpkit_core::Location;
use cwmpkit_core::capture::{CaptureError, InputKind, Options};
use cwmpkit_core::session::{self, Direction, Report, Session};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

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

pub fn run(args: &DecodeArgs) -> Result<ExitCode, String> {
    let options = Options {
        kind: args.kind.map(InputKind::from),
        reveal_secrets: args.show_passwords,
        ..Options::default()
    };
    let mut results = Vec::new();
    for path in &args.files {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let name = path.display().to_string();
        let result = session::analyze(&bytes, &options);
        if !args.json {
            match &result {
                Ok(report) => print!("{}", render(&name, report)),
                Err(error) => eprintln!("{name}: {error}"),
            }
        }
        results.push((name, result));
    }
    let failed = results.iter().any(|(_, result)| result.is_err());
    if args.json {
        let out = json_output(results)?;
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// The `--json` object: every file's sessions in one `sessions` array (each tagged with its
/// `source` file), the other findings merged alike, and a `files` list with errors.
pub fn json_output(
    results: Vec<(String, Result<Report, CaptureError>)>,
) -> Result<serde_json::Value, String> {
    let mut files = Vec::new();
    let mut merged: Option<Report> = None;
    for (name, result) in results {
        match result {
            Ok(mut report) => {
                for session in &mut report.sessions {
                    session.source = Some(name.clone());
                }
                files.push(serde_json::json!({ "file": name, "input": report.input }));
                merged = Some(match merged.take() {
                    None => report,
                    Some(mut all) => {
                        all.sessions.extend(report.sessions);
                        all.connection_requests.extend(report.connection_requests);
                        all.udp_connection_requests.extend(report.udp_connection_requests);
                        all.tls.extend(report.tls);
                        all.comments.extend(report.comments);
                        all.diagnostics.extend(report.diagnostics);
                        all
                    }
                });
            }
            Err(error) => files.push(serde_json::json!({ "file": name, "error": error })),
        }
    }
    let mut out = match &merged {
        Some(report) => serde_json::to_value(report).map_err(|e| e.to_string())?,
        None => serde_json::json!({ "sessions": [] }),
    };
    if let Some(object) = out.as_object_mut() {
        object.remove("input");
        object.insert("files".into(), serde_json::Value::Array(files));
        // Renumber across files so indexes stay unique in the merged list.
        if let Some(serde_json::Value::Array(sessions)) = object.get_mut("sessions") {
            for (index, session) in sessions.iter_mut().enumerate() {
                session["index"] = serde_json::json!(index + 1);
            }
        }
    }
    Ok(out)
}

/// The readable summary of one file.
pub fn render(name: &str, report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "== {name} ({:?}, {} session(s))", report.input, report.sessions.len());
    for session in &report.sessions {
        render_session(&mut out, session);
    }
    for request in &report.connection_requests {
        let _ = writeln!(
            out,
            "Connection request {} → {} GET {} answered {:?}",
            address(request.acs),
            address(request.cpe),
            request.target,
            request.statuses
        );
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
    for d in &report.diagnostics {
        let at = d.location.byte_offset().map(|o| format!(" at byte {o}")).unwrap_or_default();
        let _ = writeln!(out, "{:?} {}{at}: {}", d.severity, d.code, d.message);
    }
    out
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
        let arrow = match message.direction {
            Direction::CpeToAcs => "CPE → ACS",
            Direction::AcsToCpe => "ACS → CPE",
        };
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");

    fn analyze(path: &str) -> (String, Result<Report, CaptureError>) {
        #[allow(clippy::disallowed_methods)] // reason: the test reads corpus files
        let bytes = std::fs::read(format!("{CORPUS}/{path}")).unwrap();
        (path.to_string(), session::analyze(&bytes, &Options::default()))
    }

    /// The JSON contract scripts rely on: keep these names and shapes stable.
    #[test]
    fn json_contract_for_a_capture_and_a_soap_file() {
        let out = json_output(vec![
            analyze("pcap/magma/dp_enb_tr069.pcap"),
            analyze("soap/freeacs/Inform.xml"),
            ("missing.bin".into(), session::analyze(b"\x00\x01", &Options::default())),
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
}
