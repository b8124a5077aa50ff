//! Every GenieACS dump in the corpus loads, validates against its matching
//! schema (the mismatch report is snapshot-tested: real devices deviate, and
//! the snapshot records how), and round-trips through our JSON format.
#![cfg(not(target_arch = "wasm32"))]
// Tests are the host: they read the corpus from disk.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeMap;
use std::fmt::Write as _;

use cwmpkit_core::Diagnostic;
use cwmpkit_core::model::validate::FindingKind;
use cwmpkit_core::model::{embedded, genieacs_dump, json, validate};

const DUMPS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/datamodel-dumps");

fn dump_files() -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for directory in ["anlix-genieacs-sim", "genieacs-sim"] {
        for entry in std::fs::read_dir(format!("{DUMPS}/{directory}")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "csv") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// A stable, readable summary: counts per kind and a few examples of each.
fn summarize(name: &str, loaded: &genieacs_dump::Loaded, report: &validate::Report) -> String {
    let mut text = String::new();
    let set = &loaded.set;
    writeln!(
        text,
        "{name}: {} entries ({} parameters), {} metadata, {} load diagnostics; model {}: {} known",
        set.len(),
        set.parameter_count(),
        set.metadata.len(),
        loaded.diagnostics.len(),
        report.model,
        report.known
    )
    .unwrap();
    for diagnostic in loaded.diagnostics.iter().take(3) {
        writeln!(
            text,
            "  load line {}: {}",
            diagnostic.location.line_number().unwrap_or_default(),
            diagnostic.message
        )
        .unwrap();
    }
    let mut examples: BTreeMap<_, Vec<&Diagnostic>> = BTreeMap::new();
    for finding in &report.findings {
        examples.entry(FindingKind::from_code(&finding.code).unwrap()).or_default().push(finding);
    }
    for (kind, findings) in examples {
        writeln!(text, "  {kind:?}: {}", findings.len()).unwrap();
        for finding in findings.iter().take(3) {
            writeln!(text, "    {} — {}", finding.location, finding.message).unwrap();
        }
    }
    text
}

#[test]
fn every_dump_loads_validates_and_round_trips() {
    let files = dump_files();
    assert_eq!(files.len(), 14, "the corpus has 14 dumps");
    let mut summaries = String::new();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&file).unwrap();
        let loaded = genieacs_dump::load_csv(&text, &name).unwrap();
        assert!(
            loaded.set.parameter_count() > 100,
            "{name} loaded only {}",
            loaded.set.parameter_count()
        );

        let model_name = embedded::detect_model(loaded.set.paths());
        let model = embedded::model(model_name).unwrap();
        let report = validate::validate(&loaded.set, &model);
        assert_eq!(report.checked, loaded.set.len());
        summaries.push_str(&summarize(&name, &loaded, &report));

        let round_tripped = json::from_json(&json::to_json(&loaded.set), "unused").unwrap();
        assert_eq!(round_tripped.set, loaded.set, "{name} changed through JSON");
        // Reading the JSON back reports the same bad paths the CSV had, nothing else.
        let bad_paths =
            loaded.diagnostics.iter().filter(|d| d.message.starts_with("bad path")).count();
        assert_eq!(round_tripped.diagnostics.len(), bad_paths, "{name}");
    }
    insta::assert_snapshot!("model_dump_reports", summaries);
}
