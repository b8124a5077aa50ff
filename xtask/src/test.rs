//! `cargo xtask test`: everything CI checks, in the order that fails fastest.

use crate::process::{self, Tally};
use crate::{dist, setup};
use std::path::PathBuf;

/// Chromium flags for a headless run as root on a machine with no network
/// beyond the package registries (background services would hang on it).
/// One list, shared with the e2e harness (tests/src/lib.rs).
const CHROMIUM_FLAGS: &str = include_str!("../../tests/chromium-flags.txt");

pub fn test() -> Result<(), String> {
    setup::setup()?;
    let mut tally = Tally::default();
    let outcome = run_all(&mut tally);
    println!("xtask test: {} passed, {} failed", tally.passed, tally.failed);
    outcome
}

fn run_all(tally: &mut Tally) -> Result<(), String> {
    process::run(process::cargo().args(["fmt", "--all", "--check"]))?;
    process::run(process::cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    process::run(process::cargo().args([
        "clippy",
        "-p",
        "cwmpkit-app",
        "-p",
        "cwmpkit-core",
        "-p",
        "cwmpkit-decode-worker",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        "-D",
        "warnings",
    ]))?;

    process::run_tests(
        process::cargo().args(["test", "--workspace", "--exclude", "cwmpkit-tests"]),
        tally,
    )?;

    let (webdriver_json, profile) = write_webdriver_json()?;
    for package in ["cwmpkit-core", "cwmpkit-app"] {
        let outcome = process::run_tests(
            process::cargo()
                .args(["test", "--target", "wasm32-unknown-unknown", "-p", package])
                .args(["--test", "wasm_browser"])
                .env("CHROMEDRIVER", "/usr/bin/chromedriver")
                .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", &webdriver_json)
                .env("WASM_BINDGEN_TEST_TIMEOUT", "180"),
            tally,
        );
        let _ = std::fs::remove_dir_all(&profile);
        outcome?;
    }

    dist::dist()?;
    process::run(process::cargo().args(["build", "-p", "cwmpkit"]))?;
    process::run_tests(
        process::cargo()
            .args(["test", "-p", "cwmpkit-tests"])
            .env("CWMPKIT_BIN", process::root().join("target/debug/cwmpkit"))
            .env("CWMPKIT_DIST", process::root().join("dist")),
        tally,
    )
}

/// Capabilities for wasm-bindgen-test-runner, with a fresh profile directory
/// (returned so it can be removed afterwards).
fn write_webdriver_json() -> Result<(PathBuf, PathBuf), String> {
    let target = process::root().join("target");
    let profile = target.join(format!("chromium-profile-wasm-{}", std::process::id()));
    std::fs::create_dir_all(&profile)
        .map_err(|e| format!("cannot create {}: {e}", profile.display()))?;
    let mut args: Vec<String> =
        CHROMIUM_FLAGS.lines().map(|a| format!("\"{}\"", a.trim())).collect();
    args.push(format!("\"--user-data-dir={}\"", profile.display()));
    let json = format!(
        "{{\"goog:chromeOptions\": {{\"binary\": \"/usr/bin/chromium\", \"args\": [{}]}}}}\n",
        args.join(", ")
    );
    let path = target.join("webdriver.json");
    std::fs::write(&path, json).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok((path, profile))
}
