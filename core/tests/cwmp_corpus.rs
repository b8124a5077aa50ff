//! Every real message in the shared corpus: decodes (or fails with a position),
//! its diagnostics are pinned by a snapshot, and it survives encode → decode.
// reason: tests are the host here; they read the shared corpus from disk.
#![allow(clippy::disallowed_methods)]

use cwmpkit_core::cwmp;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/soap");

/// The files that are broken on purpose, and must stay errors.
const INVALID: &[&str] = &["rust-cwmp-crate/bogus_inform_1.xml"];

fn corpus_files() -> Vec<(String, Vec<u8>)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("corpus directory") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "xml") {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(Path::new(CORPUS), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let name =
                path.strip_prefix(CORPUS).expect("inside").to_string_lossy().replace('\\', "/");
            (name.trim_start_matches('/').to_owned(), std::fs::read(&path).expect("readable"))
        })
        .collect()
}

#[test]
fn corpus_has_the_expected_size() {
    assert_eq!(corpus_files().len(), 83);
}

#[test]
fn every_corpus_file_decodes_and_diagnostics_are_stable() {
    let mut report = String::new();
    for (name, bytes) in corpus_files() {
        match cwmp::decode(&bytes) {
            Ok(decoded) => {
                assert!(!INVALID.contains(&name.as_str()), "{name} should not decode");
                let messages: Vec<String> = decoded
                    .envelopes
                    .iter()
                    .map(|e| format!("{} {:?}", e.message.name(), e.version))
                    .collect();
                let _ = writeln!(report, "{name}: {}", messages.join(", "));
                for d in &decoded.diagnostics {
                    let _ = writeln!(
                        report,
                        "  {:?} {} {}:{} {}: {}",
                        d.severity,
                        d.code,
                        d.location.line_number().unwrap_or_default(),
                        d.location.column_number().unwrap_or_default(),
                        d.location.path().unwrap_or_default(),
                        d.message
                    );
                }
            }
            Err(error) => {
                assert!(INVALID.contains(&name.as_str()), "{name}: {error}");
                assert!(error.position.line > 0 && error.position.column > 0);
                let _ = writeln!(report, "{name}: ERROR {error}");
            }
        }
    }
    insta::assert_snapshot!("diagnostics", report);
}

#[test]
fn no_corpus_message_is_left_untyped() {
    for (name, bytes) in corpus_files() {
        let Ok(decoded) = cwmp::decode(&bytes) else { continue };
        for envelope in decoded.envelopes {
            assert!(
                !matches!(envelope.message, cwmp::Message::Unknown(_)),
                "{name}: {} kept raw",
                envelope.message.name()
            );
        }
    }
}

#[test]
fn every_corpus_message_reencodes_to_the_same_value() {
    let mut refusals = Vec::new();
    for (name, bytes) in corpus_files() {
        let Ok(decoded) = cwmp::decode(&bytes) else { continue };
        // What the input carried is kept (legacy headers, a method in an older
        // namespace than it needs), so those findings come back; nothing else may.
        let carried: Vec<String> = decoded.diagnostics.iter().map(|d| d.code.to_string()).collect();
        for envelope in decoded.envelopes {
            // The strict encoder refuses what the lenient decoder let through
            // against the schema's facets; those refusals are pinned below.
            let xml = match cwmp::encode(&envelope, envelope.version) {
                Ok(xml) => xml,
                Err(refused) => {
                    refusals.push(format!("{name}: {refused}"));
                    continue;
                }
            };
            let again =
                cwmp::decode(xml.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}\n{xml}"));
            assert_eq!(again.envelopes, vec![envelope], "{name}\n{xml}");
            // Our own output is clean: the encoder is strict.
            let noisy: Vec<_> = again
                .diagnostics
                .iter()
                .filter(|d| d.severity >= cwmpkit_core::Severity::Warning)
                .filter(|d| !carried.iter().any(|code| *code == d.code))
                .collect();
            assert!(noisy.is_empty(), "{name}: {noisy:#?}\n{xml}");
        }
    }
    insta::assert_snapshot!("corpus_encode_refusals", refusals.join("\n"));
}
