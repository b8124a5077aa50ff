//! Parameter sets from the CWMP messages in the SOAP corpus (Informs today;
//! every message [`from_cwmp::from_message`] understands), validated against
//! the model their paths point to. The report is a snapshot: real devices deviate.
#![cfg(not(target_arch = "wasm32"))]
// Tests are the host: they read the corpus from disk.
#![allow(clippy::disallowed_methods)]

use std::fmt::Write as _;

use cwmpkit_core::cwmp;
use cwmpkit_core::model::validate::FindingKind;
use cwmpkit_core::model::{embedded, from_cwmp, validate};

const SOAP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/soap");

fn xml_files(directory: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(directory).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            xml_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "xml") {
            found.push(path);
        }
    }
}

#[test]
fn corpus_messages_become_validated_sets() {
    let mut files = Vec::new();
    xml_files(std::path::Path::new(SOAP), &mut files);
    files.sort();
    let mut summary = String::new();
    let mut sets = 0;
    for file in files {
        let name = file.strip_prefix(SOAP).unwrap().display().to_string();
        let Ok(decoded) = cwmp::decode(&std::fs::read(&file).unwrap()) else { continue };
        for envelope in &decoded.envelopes {
            let Some(set) = from_cwmp::from_message(&envelope.message, &name) else { continue };
            sets += 1;
            let model = embedded::model(embedded::detect_model(set.paths())).unwrap();
            let report = validate::validate(&set, &model);
            writeln!(
                summary,
                "{name} {}: {} entries, {} metadata, model {}, {} known",
                envelope.message.name(),
                set.len(),
                set.metadata.len(),
                report.model,
                report.known
            )
            .unwrap();
            for finding in &report.findings {
                writeln!(
                    summary,
                    "  {:?} {}: {}",
                    FindingKind::from_code(&finding.code).unwrap(),
                    finding.location,
                    finding.message
                )
                .unwrap();
            }
        }
    }
    assert!(sets >= 8, "the corpus has at least 8 Informs with parameters, found {sets}");
    insta::assert_snapshot!("model_corpus_messages", summary);
}
