//! Architecture invariant: core does no IO. Clippy (core/clippy.toml) forbids
//! clocks, files and sockets in core's own code; this test forbids them in what
//! core depends on, transitively, so no IO arrives through a dependency.
#![cfg(not(target_arch = "wasm32"))]
// The test is the host, not core: it may run cargo and read the environment.
#![allow(clippy::disallowed_methods)]

use std::collections::{BTreeSet, HashMap};
use std::process::Command;

const IO_CRATES: &[&str] = &[
    "tokio",
    "async-std",
    "smol",
    "mio",
    "socket2",
    "hyper",
    "reqwest",
    "ureq",
    "web-sys",
    "js-sys",
    "gloo-net",
    "gloo-timers",
    "wasm-bindgen-futures",
    "getrandom",
    "rand",
    "tempfile",
    "walkdir",
    "notify",
];

#[test]
fn core_depends_on_no_io_crate() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .output()
        .expect("cargo metadata runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");

    let names: HashMap<&str, &str> = metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    let nodes: HashMap<&str, &serde_json::Value> = metadata["resolve"]["nodes"]
        .as_array()
        .expect("resolve")
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n))
        .collect();
    let core_id =
        names.iter().find(|(_, name)| **name == "cwmpkit-core").map(|(id, _)| *id).unwrap();

    // Walk normal (non-dev, non-build) dependencies only.
    let mut seen = BTreeSet::new();
    let mut stack = vec![core_id];
    while let Some(id) = stack.pop() {
        for dep in nodes[id]["deps"].as_array().into_iter().flatten() {
            let normal = dep["dep_kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|kind| kind["kind"].is_null());
            let dep_id = dep["pkg"].as_str().unwrap();
            if normal && seen.insert(names[dep_id]) {
                stack.push(dep_id);
            }
        }
    }
    let offenders: Vec<&&str> = seen.iter().filter(|name| IO_CRATES.contains(name)).collect();
    assert!(offenders.is_empty(), "core must stay sans-IO, but depends on {offenders:?}");
    assert!(seen.contains("quick-xml"), "the walk found core's dependencies: {seen:?}");
}
