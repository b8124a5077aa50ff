//! Core's modules form layers, and a layer imports only from the layers below it
//! (ARCHITECTURE.md draws them):
//!
//! base → cwmp → capture → session → pipeline → model → provision → acs → api → genieacs → fuzzing
//!
//! The test reads every source file's code (comments skipped) for paths into another top-level
//! module of core (`crate::x`, or `super::x` where that means the crate root) and fails on one
//! that points upward. A module that is not in the list fails too, so a new one is placed on
//! purpose.

// The test is the host: it reads core's sources from disk.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};

const LAYERS: &[&str] = &[
    "base",
    "cwmp",
    "capture",
    "session",
    "pipeline",
    "model",
    "provision",
    "acs",
    "api",
    "genieacs",
    "fuzzing",
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| *layer == module)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a line, without a trailing `//` comment (good enough for `use` lines and paths:
/// string literals holding `//` do not name modules).
fn code_of(line: &str) -> &str {
    let trimmed = line.trim_start();
    if trimmed.starts_with("//") {
        return "";
    }
    line.split("//").next().unwrap_or_default()
}

/// The top-level modules a line of code names, given how many `super::` reach the crate root.
fn named_modules(code: &str, supers_to_root: usize) -> Vec<String> {
    let mut prefixes = vec!["crate::".to_owned()];
    if supers_to_root > 0 {
        prefixes.push("super::".repeat(supers_to_root));
    }
    let mut found = Vec::new();
    for prefix in &prefixes {
        let mut rest = code;
        while let Some(at) = rest.find(prefix.as_str()) {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + prefix.len()..];
            // `super::super::x` also contains `super::x`: only whole prefixes count.
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let names: Vec<String> = if let Some(group) = rest.strip_prefix('{') {
                let inner = group.split('}').next().unwrap_or_default();
                inner
                    .split(',')
                    .map(|item| item.trim().split("::").next().unwrap_or("").to_owned())
                    .collect()
            } else {
                vec![
                    rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .next()
                        .unwrap_or("")
                        .to_owned(),
                ]
            };
            found.extend(names.into_iter().filter(|n| !n.is_empty() && n != "self"));
        }
    }
    found
}

#[test]
fn no_module_imports_from_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut upward = Vec::new();
    let mut unplaced = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let parts: Vec<String> = relative
            .iter()
            .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
            .collect();
        if parts == ["lib"] {
            continue;
        }
        let module = parts[0].clone();
        let Some(own_layer) = layer_of(&module) else {
            unplaced.push(relative.display().to_string());
            continue;
        };
        // core/src/x.rs and core/src/x/mod.rs reach the root with one `super::`,
        // core/src/x/y.rs with two, and so on.
        let depth = parts.len() - usize::from(parts.last().is_some_and(|p| p == "mod"));
        let text = std::fs::read_to_string(file).unwrap();
        for (number, line) in text.lines().enumerate() {
            for named in named_modules(code_of(line), depth) {
                if let Some(layer) = layer_of(&named)
                    && layer > own_layer
                {
                    upward.push(format!(
                        "core/src/{}:{}: {module} imports {named}, a layer above it",
                        relative.display(),
                        number + 1
                    ));
                }
            }
        }
    }
    assert!(unplaced.is_empty(), "modules not in LAYERS (place them): {unplaced:?}");
    assert!(upward.is_empty(), "upward imports:\n{}", upward.join("\n"));
}

#[test]
fn the_checker_sees_each_way_of_naming_a_module() {
    assert_eq!(named_modules("use crate::session::Session;", 1), ["session"]);
    assert_eq!(named_modules("use crate::{base::Timestamp, cwmp};", 1), ["base", "cwmp"]);
    assert_eq!(named_modules("let r = super::capture::decode(x);", 1), ["capture"]);
    assert_eq!(named_modules("use super::super::model::Path;", 2), ["model"]);
    // One `super::` inside core/src/x/y.rs is x itself, not the root.
    assert!(named_modules("use super::reader::Reader;", 2).is_empty());
    assert!(named_modules(code_of("// see crate::acs for more"), 1).is_empty());
}
