//! `cwmpkit serve` as a process: it serves the app, its API, and falls back to
//! index.html for client-side routes.

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
