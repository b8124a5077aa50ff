//! `cwmpkit serve` as a process: it serves the app, its API, and falls back to
//! index.html for client-side routes; and README's flag table lists every flag `serve --help`
//! prints, with the same default.

mod common;

use common::{Server, request};
use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::Command;

fn fake_dist(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>cwmpkit test</title>").unwrap();
    std::fs::write(dir.join("app.js"), "console.log('hi')").unwrap();
    dir
}

fn start(dist: &std::path::Path) -> Server {
    common::serve([OsStr::new("--dist"), dist.as_os_str()])
}

fn get(address: &str, path: &str) -> (u16, String) {
    let reply = request(address, "GET", path, "", b"");
    (reply.status, reply.body)
}

#[test]
fn serves_the_app_its_api_and_falls_back_to_index() {
    let server = start(&fake_dist("dist-serve"));
    let (status, body) = get(&server.app, "/");
    assert_eq!(status, 200);
    assert!(body.contains("cwmpkit test"));
    assert_eq!(get(&server.app, "/app.js"), (200, "console.log('hi')".to_owned()));
    assert_eq!(get(&server.app, "/api/health"), (200, "ok".to_owned()));
    let (status, body) = get(&server.app, "/decode/some/route");
    assert_eq!(status, 200, "client-side routes get index.html");
    assert!(body.contains("cwmpkit test"));
}

#[test]
fn refuses_to_start_without_a_built_app() {
    let empty = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("dist-empty");
    std::fs::create_dir_all(&empty).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_cwmpkit"))
        .args(["serve", "--listen", "127.0.0.1:0", "--acs-listen", "127.0.0.1:0", "--dist"])
        .arg(&empty)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cargo xtask dist"), "{stderr}");
}

/// `12 MiB`, `1 GiB` or a plain number, as README's flag table writes a default.
fn bytes_or_number(text: &str) -> Option<u64> {
    let text = text.trim().trim_matches('`');
    let (number, unit) = text.split_once(' ').unwrap_or((text, ""));
    let number: u64 = number.parse().ok()?;
    match unit {
        "" => Some(number),
        "KiB" => Some(number << 10),
        "MiB" => Some(number << 20),
        "GiB" => Some(number << 30),
        _ => None,
    }
}

#[test]
fn the_readme_lists_every_serve_flag_with_its_default() {
    let help = Command::new(env!("CARGO_BIN_EXE_cwmpkit")).args(["serve", "--help"]).output();
    let help = String::from_utf8(help.unwrap().stdout).unwrap();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let table = readme
        .split_once("**Every flag of `cwmpkit serve`**")
        .and_then(|(_, rest)| rest.split_once("\n\n"))
        .map(|(_, rest)| rest.split("\n\n").next().unwrap_or_default())
        .expect("README has the flag table");
    // Flag → the row's default cell (a row may name several flags).
    let mut documented = std::collections::HashMap::new();
    for row in table.lines().filter(|row| row.starts_with("| `--")) {
        let cells: Vec<&str> = row.split(" | ").collect();
        for word in cells[0].split(['`', ' ', '/', ',']) {
            if word.starts_with("--") {
                documented.insert(word.to_owned(), cells[1].trim().to_owned());
            }
        }
    }
    // Each flag with its help text, which clap puts on the next lines for a long flag.
    let mut flags: Vec<(String, String)> = Vec::new();
    for line in help.lines().map(str::trim_start) {
        if line.starts_with("--") {
            let flag = line.split_whitespace().next().unwrap().to_owned();
            flags.push((flag, line.to_owned()));
        } else if let Some((_, text)) = flags.last_mut() {
            text.push_str(line);
        }
    }
    let mut checked = 0;
    for (flag, text) in &flags {
        if flag == "--help" {
            continue;
        }
        let Some(readme_default) = documented.get(flag) else {
            panic!("README's flag table does not list {flag}")
        };
        let help_default = text
            .rsplit_once("[default: ")
            .and_then(|(_, rest)| rest.split_once(']'))
            .map(|(value, _)| value)
            .unwrap_or_default();
        if help_default == "\"\"" {
            assert_eq!(readme_default, "empty", "{flag}'s default");
        } else if let Ok(number) = help_default.parse::<u64>() {
            assert_eq!(bytes_or_number(readme_default), Some(number), "{flag}'s default");
        } else if !help_default.is_empty() {
            assert!(readme_default.contains(help_default), "{flag}'s default: {readme_default}");
        }
        checked += 1;
    }
    assert!(checked > 30, "only {checked} flags read from --help");
}
