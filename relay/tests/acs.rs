//! `cwmpkit serve` as the ACS: a CPE session over real HTTP with corpus messages, RPCs queued
//! through the API, the event stream, file downloads and uploads.

// The test is the host: it reads corpus files and runs the relay.
#![allow(clippy::disallowed_methods)]

mod common;

use common::cpe::{CrChallenge, cr_listener, inform_reporting};
use common::{Reply, Server, request};
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

const SOAP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/soap");
const DEVICE: &str = "EC43F6-P-2601HN-F1-EC43F69AF408";

fn directory(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn start(name: &str) -> (Server, PathBuf, PathBuf) {
    start_with(name, &[])
}

fn start_with(name: &str, extra: &[&str]) -> (Server, PathBuf, PathBuf) {
    let dist = directory(&format!("{name}-dist"));
    std::fs::write(dist.join("index.html"), "<!doctype html><title>cwmpkit test</title>").unwrap();
    let files = directory(&format!("{name}-files"));
    std::fs::write(files.join("6867i.st"), b"firmware image").unwrap();
    let uploads = directory(&format!("{name}-uploads"));
    let server = common::serve(
        [
            OsStr::new("--dist"),
            dist.as_os_str(),
            OsStr::new("--files"),
            files.as_os_str(),
            OsStr::new("--uploads"),
            uploads.as_os_str(),
        ]
        .into_iter()
        .chain(extra.iter().map(OsStr::new)),
    );
    (server, files, uploads)
}

fn soap(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(SOAP).join(path)).unwrap()
}

fn cookie_of(reply: &Reply) -> String {
    let line = reply
        .headers
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .unwrap_or_else(|| panic!("no Set-Cookie in {}", reply.headers));
    let value = line.split_once(':').unwrap().1.trim();
    format!("Cookie: {}\r\n", value.split(';').next().unwrap())
}

/// Reads the event stream on its own connection until `count` events arrived.
fn collect_events(
    server: &Server,
    count: usize,
) -> std::thread::JoinHandle<Vec<serde_json::Value>> {
    let address = &server.app;
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        stream,
        "GET /api/events HTTP/1.1\r\nHost: {address}\r\n{}Accept: text/event-stream\r\n\r\n",
        server.bearer()
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    // The stream is subscribed once the response head is out.
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap() > 0 && line != "\r\n" {
        line.clear();
    }
    std::thread::spawn(move || {
        let mut events = Vec::new();
        let mut line = String::new();
        while events.len() < count {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            if let Some(data) = line.trim_end().strip_prefix("data:") {
                events.push(serde_json::from_str(data.trim()).unwrap());
            }
        }
        events
    })
}

#[test]
fn a_cpe_session_runs_queued_rpcs_and_streams_every_step() {
    let (server, _, _) = start("acs-session");
    let (acs, app, auth) = (server.acs.clone(), server.app.clone(), server.bearer());
    let events = collect_events(&server, 8);

    let inform = request(
        &acs,
        "POST",
        "/acs",
        "Content-Type: text/xml\r\n",
        &soap("cwmp_ex/inform-2601.xml"),
    );
    assert_eq!(inform.status, 200, "{}", inform.body);
    assert!(inform.body.contains("InformResponse"), "{}", inform.body);
    assert!(inform.body.contains(">100</cwmp:ID>"), "the Inform's ID is echoed: {}", inform.body);
    let cookie = cookie_of(&inform);

    // The app queues a request through the API; it goes out on the empty POST.
    let queued = request(
        &app,
        "POST",
        &format!("/api/devices/{DEVICE}/rpcs"),
        &format!("{auth}Content-Type: application/json\r\n"),
        br#"{"rpc":"GetParameterValues","parameter_names":["InternetGatewayDevice.DeviceInfo."]}"#,
    );
    assert_eq!(queued.status, 202, "{}", queued.body);
    let id = serde_json::from_str::<serde_json::Value>(&queued.body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let empty = request(&acs, "POST", "/acs", &cookie, b"");
    assert_eq!(empty.status, 200);
    assert!(
        empty.body.contains("GetParameterValues") && empty.body.contains(&id),
        "{}",
        empty.body
    );

    let response = String::from_utf8(soap("freeacs/GetParameterValuesResponse.xml"))
        .unwrap()
        .replace("FREEACS-0", &id);
    let end = request(&acs, "POST", "/acs", &cookie, response.as_bytes());
    assert_eq!(end.status, 204);

    let device = request(&app, "GET", &format!("/api/devices/{DEVICE}"), &auth, b"");
    assert_eq!(device.status, 200);
    let device: serde_json::Value = serde_json::from_str(&device.body).unwrap();
    assert_eq!(device["in_session"], false);
    assert!(device["connection_request_url"].as_str().unwrap().starts_with("http://"));

    let kinds: Vec<String> = events
        .join()
        .unwrap()
        .iter()
        .map(|e| format!("{} {}", e["event"].as_str().unwrap(), e["rpc"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        kinds,
        [
            "session-started ",
            "message Inform",
            "message InformResponse",
            "rpc-queued GetParameterValues",
            "message GetParameterValues",
            "message GetParameterValuesResponse",
            "rpc-completed ",
            "session-ended ",
        ]
    );
}

#[test]
fn the_api_says_what_it_cannot_do() {
    let (server, _, _) = start("acs-api");
    let (acs, app, auth) = (server.acs.clone(), server.app.clone(), server.bearer());
    let unknown =
        request(&app, "POST", "/api/devices/nobody/rpcs", &auth, br#"{"rpc":"FactoryReset"}"#);
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    let broken = request(&app, "POST", "/api/devices/nobody/rpcs", &auth, b"{\"rpc\":");
    assert_eq!(broken.status, 400);
    assert!(broken.body.contains("line 1"), "{}", broken.body);
    let garbage = request(&acs, "POST", "/acs", "", b"<Envelope><oops");
    assert_eq!(garbage.status, 400);
    assert_eq!(request(&app, "GET", "/api/devices", &auth, b"").body, "[]");
}

#[test]
fn cpes_download_files_and_upload_backups() {
    let (server, _, uploads) = start("acs-files");
    let acs = server.acs.clone();
    let firmware = request(&acs, "GET", "/files/6867i.st", "", b"");
    assert_eq!((firmware.status, firmware.body.as_str()), (200, "firmware image"));
    assert_eq!(request(&acs, "GET", "/files/missing.st", "", b"").status, 404);

    let stored = request(
        &acs,
        "PUT",
        "/uploads/00085D1A2B3C-backup.cfg",
        "",
        b"sip line1 auth name: 1001\n",
    );
    assert_eq!(stored.status, 201, "{}", stored.body);
    assert_eq!(
        std::fs::read_to_string(uploads.join("00085D1A2B3C-backup.cfg")).unwrap(),
        "sip line1 auth name: 1001\n"
    );
    let posted = request(&acs, "POST", "/uploads/syslog.txt", "", b"boot ok");
    assert_eq!(posted.status, 201);
    assert_eq!(request(&acs, "PUT", "/uploads/..%2Fescape", "", b"x").status, 400);
    assert_eq!(request(&acs, "PUT", "/uploads/.hidden", "", b"x").status, 400);
    assert!(!uploads.join("../escape").exists());
}

#[test]
fn connection_requests_answer_the_cpes_digest_challenge() {
    let (server, _, _) = start_with("acs-connection-request", &["--allow-local-cpe"]);
    let (acs, app, auth) = (server.acs.clone(), server.app.clone(), server.bearer());
    for (password, accepted) in [("secret", true), ("wrong", false)] {
        let (cpe, requests) = cr_listener(CrChallenge::Digest("secret"), 2, None);
        let url = format!("http://{cpe}/CWMP/ConnectionRequest");
        let inform = request(&acs, "POST", "/acs", "", &inform_reporting(&url, None));
        assert_eq!(inform.status, 200);
        let body = format!(r#"{{"username":"acs","password":"{password}"}}"#);
        let reply = request(
            &app,
            "POST",
            &format!("/api/devices/{DEVICE}/connection-request"),
            &auth,
            body.as_bytes(),
        );
        assert_eq!(reply.status, 200, "{}", reply.body);
        let outcome: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(outcome["accepted"], accepted, "{outcome}");
        assert_eq!(outcome["authentication"], "Digest");
        let requests = requests.join().unwrap();
        assert!(requests[0].starts_with("GET /CWMP/ConnectionRequest HTTP/1.1"), "{}", requests[0]);
        assert!(requests[1].contains("Authorization: Digest"), "{}", requests[1]);
        // The session ends, so the next Inform opens a new one.
        request(&acs, "POST", "/acs", &cookie_of(&inform), b"");
    }
    // A CPE that is not there is reported, not waited on forever.
    let gone =
        std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
    request(&acs, "POST", "/acs", "", &inform_reporting(&format!("http://{gone}/"), None));
    let reply =
        request(&app, "POST", &format!("/api/devices/{DEVICE}/connection-request"), &auth, b"");
    assert_eq!(reply.status, 502, "{}", reply.body);
    assert!(reply.body.contains("cannot reach"), "{}", reply.body);
}

/// A CPE that cannot do a queued RPC answers it with a CWMP Fault: the relay pairs the fault
/// with the request, reports it (event and results) as that fault, not as the RPC's response,
/// and does not send the request again.
#[test]
fn a_fault_answering_a_queued_rpc_is_its_result() {
    let (server, _, _) = start("acs-fault");
    let events = common::Events::subscribe(&server);
    let mut cpe = common::cpe::Cpe::new(&server.acs);
    assert_eq!(cpe.post(&soap("cwmp_ex/inform-2601.xml")).status, 200);
    let queued = request(
        &server.app,
        "POST",
        &format!("/api/devices/{DEVICE}/rpcs"),
        &server.bearer(),
        br#"{"rpc":"SetParameterValues","parameter_list":[{"name":"InternetGatewayDevice.X_NoSuch.Value","value":"1","xsd_type":"string"}],"parameter_key":"k"}"#,
    );
    assert_eq!(queued.status, 202, "{}", queued.body);
    let id = serde_json::from_str::<serde_json::Value>(&queued.body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let sent = cpe.post(b"");
    assert!(sent.body.contains("SetParameterValues") && sent.body.contains(&id), "{}", sent.body);

    let after = cpe.post_fault(&id, 9005, "Invalid parameter name");
    assert_eq!(after.status, 204, "nothing else is queued: {}", after.body);
    let completed =
        events.until("rpc-completed", |e| e["event"] == "rpc-completed" && e["request_id"] == id);
    assert_eq!(completed["request"], "SetParameterValues");
    assert_eq!(completed["response"], "Fault", "{completed}");
    assert_eq!(completed["fault"]["fault_code"], 9005, "{completed}");
    assert_eq!(completed["fault"]["fault_string"], "Invalid parameter name");

    let results = request(
        &server.app,
        "GET",
        &format!("/api/devices/{DEVICE}/results"),
        &server.bearer(),
        b"",
    );
    let results: serde_json::Value = serde_json::from_str(&results.body).unwrap();
    let result = results
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["request_id"] == id)
        .unwrap_or_else(|| panic!("no result for {id} in {results}"));
    assert_eq!(
        (&result["response"], &result["fault"]["fault_code"]),
        (&"Fault".into(), &9005.into())
    );
    let device =
        request(&server.app, "GET", &format!("/api/devices/{DEVICE}"), &server.bearer(), b"");
    let device: serde_json::Value = serde_json::from_str(&device.body).unwrap();
    assert_eq!(device["queue"], serde_json::json!([]), "not queued again: {device}");
    // Its next session has nothing to send it.
    assert_eq!(cpe.post(&soap("cwmp_ex/inform-2601.xml")).status, 200);
    assert_eq!(cpe.post(b"").status, 204);
}
