//! Every Aastra file of the shared corpus: written back byte for byte, and the
//! findings of `check` kept as a snapshot.
// Tests read the shared corpus from disk; the library under test never does.
#![allow(clippy::disallowed_methods)]

use cwmpkit_core::Severity;
use cwmpkit_core::provision;
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/aastra");

fn corpus_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "cfg" || e == "prf") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(Path::new(CORPUS), &mut files);
    files
}

#[test]
fn every_corpus_file_writes_back_byte_for_byte() {
    let files = corpus_files();
    assert!(files.len() >= 10, "corpus not found at {CORPUS}");
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let parsed = provision::parse(&bytes);
        assert_eq!(parsed.file.to_bytes().unwrap(), bytes, "{}", path.display());
        cwmpkit_core::fuzzing::provision::check_parse(&bytes).unwrap();
    }
}

#[test]
fn corpus_findings() {
    let mut report = String::new();
    for path in corpus_files() {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.strip_prefix(CORPUS).unwrap().to_string_lossy().replace('\\', "/");
        let (file, diagnostics) = provision::check(&name, &bytes);
        let entries = file.entries().count();
        report.push_str(&format!("== {name}: {} lines, {entries} entries\n", file.lines.len()));
        for d in
            diagnostics.iter().filter(|d| d.severity >= Severity::Warning || d.suggestion.is_some())
        {
            report.push_str(&format!("  {} [{}] {d}\n", d.severity, d.code));
        }
        let infos = diagnostics.iter().filter(|d| d.severity == Severity::Info).count();
        report.push_str(&format!("  ({infos} info findings)\n"));
    }
    insta::assert_snapshot!("provision_corpus_findings", report);
}

#[test]
fn inline_comments_and_prf_sections_in_the_corpus() {
    let bytes =
        std::fs::read(format!("{CORPUS}/provisioner-net/aastra/aap91xxi/aastra.cfg")).unwrap();
    let file = provision::parse(&bytes).file;
    assert_eq!(file.get("live dialpad"), Some("1"));
    assert_eq!(file.get("time server1"), Some("{$ntp}"));
    let bytes = std::fs::read(format!("{CORPUS}/aastra-xml-scripts/demo-user.prf")).unwrap();
    let file = provision::parse(&bytes).file;
    let line = file.lines.iter().find(|l| l.text.starts_with("[Aastra57i]")).unwrap();
    assert_eq!(line.section.as_deref(), Some("Aastra57i"));
    let bytes =
        std::fs::read(format!("{CORPUS}/aastra-xml-scripts/demo-device-nouser.prf")).unwrap();
    let file = provision::parse(&bytes).file;
    assert_eq!(file.get("action uri poll interval"), Some("$$AA_POLLING_INT_AA$$"));
}
