//! Recordings with the real binary: a CPE's sessions under Digest authentication are recorded
//! as pcapng under `--data-dir`, listed and downloaded through the API, and decode with core's
//! pipeline to the same messages, with no credential, session token or secret value in the file.

// The test is the host: it writes credential files and reads the recordings folder.
#![allow(clippy::disallowed_methods)]

mod common;

use common::api::{self, Task};
use common::cpe::{Cpe, CrChallenge, cr_listener, inform_reporting};
use common::{Events, Server, get_bytes};
use cwmpkit_core::capture::Options;
use cwmpkit_core::pipeline;
use cwmpkit_core::session::Report;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

const DEVICE: &str = "EC43F6-P-2601HN-F1-EC43F69AF408";
const SIP_PASSWORD: &str = "sip-secret-4711";

fn start(name: &str, extra: &[&str]) -> (Server, PathBuf) {
    start_on(name, extra, |_| {})
}

/// As [`start`], with `prepare` given the data directory's `recordings/` folder first.
fn start_on(name: &str, extra: &[&str], prepare: impl FnOnce(&Path)) -> (Server, PathBuf) {
    let dist = common::fake_dist(name);
    let dir = common::scratch(name);
    let password = dir.join("cpe-password");
    std::fs::write(&password, "fleet-secret\n").unwrap();
    let data = dir.join("data");
    std::fs::create_dir_all(data.join("recordings")).unwrap();
    prepare(&data.join("recordings"));
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_cwmpkit"));
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--acs-listen", "127.0.0.1:0", "--dist"])
        .arg(&dist)
        .args(["--cpe-username", "fleet", "--cpe-password-file"])
        .arg(&password)
        .arg("--data-dir")
        .arg(&data)
        .args(extra);
    (common::start(command), data)
}

fn listing(server: &Server) -> Vec<serde_json::Value> {
    let (status, body) = get_bytes(server, "/api/recordings", &server.bearer());
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).unwrap()
}

fn decode(recording: &[u8]) -> Report {
    pipeline::analyze(recording, &Options::default()).unwrap()
}

/// Each session's methods, without the copies a 401 challenged (the first Inform, sent again
/// with credentials, whose challenge the decoder shows as a session of its own).
fn rpcs(report: &Report) -> Vec<Vec<String>> {
    report
        .sessions
        .iter()
        .map(|s| s.messages.iter().filter(|m| !m.challenged).map(|m| m.rpc.to_string()).collect())
        .filter(|rpcs: &Vec<String>| !rpcs.is_empty())
        .collect()
}

/// The recordings downloaded, once the recorder's thread has written what `done` waits for.
/// A bound, not a timing: the recorder writes in the background.
fn recordings_when(server: &Server, done: impl Fn(&[Vec<u8>]) -> bool) -> Vec<Vec<u8>> {
    let mut last = Vec::new();
    for _ in 0..300 {
        last = listing(server)
            .iter()
            .map(|file| {
                let name = file["name"].as_str().unwrap();
                let (status, body) =
                    get_bytes(server, &format!("/api/recordings/{name}"), &server.bearer());
                assert_eq!(status, 200);
                body
            })
            .collect();
        if done(&last) {
            return last;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let decoded: Vec<_> = last.iter().map(|file| rpcs(&decode(file))).collect();
    panic!("the recordings never held what was expected: {decoded:?}");
}

/// The `cwmp:ID` of a message the ACS sent.
fn cwmp_id(body: &str) -> String {
    let start = body.find("<cwmp:ID").unwrap();
    let value = &body[start..];
    let value = &value[value.find('>').unwrap() + 1..];
    value[..value.find('<').unwrap()].to_owned()
}

#[test]
fn sessions_under_digest_are_recorded_without_secrets_and_decode_to_the_same_messages() {
    let (server, data) = start("recordings-session", &[]);
    assert!(listing(&server).is_empty());
    let inform = common::corpus("soap/cwmp_ex/inform-2601.xml");
    let mut device = Cpe::new(&server.acs).with_credential("fleet", "fleet-secret");
    assert_eq!(device.post(&inform).status, 200);
    let token = device.cookie.clone().unwrap();
    let token = token.split_once('=').unwrap().1.to_owned();
    assert_eq!(device.post(b"").status, 204);

    api::queue(
        &server,
        DEVICE,
        &Task::SetParameterValues {
            values: vec![(
                "InternetGatewayDevice.Services.VoiceService.1.VoiceProfile.1.Line.1.SIP.AuthPassword"
                    .to_owned(),
                "xsd:string".to_owned(),
                SIP_PASSWORD.to_owned(),
            )],
            parameter_key: "k1".to_owned(),
        },
    );
    assert_eq!(device.post(&inform).status, 200);
    let spv = device.post(b"");
    assert!(spv.body.contains(SIP_PASSWORD), "the device itself gets it: {}", spv.body);
    let response = String::from_utf8(common::corpus(
        "soap/cwmp_ex/inline-test-samples/set_parameter_values_response--sample.xml",
    ))
    .unwrap()
    .replace(">50<", &format!(">{}<", cwmp_id(&spv.body)));
    assert_eq!(device.post(response.as_bytes()).status, 204);

    let expected = vec![
        vec!["Inform".to_owned(), "InformResponse".to_owned()],
        vec![
            "Inform".to_owned(),
            "InformResponse".to_owned(),
            "SetParameterValues".to_owned(),
            "SetParameterValuesResponse".to_owned(),
        ],
    ];
    let files =
        recordings_when(&server, |files| files.len() == 1 && rpcs(&decode(&files[0])) == expected);
    let recording = &files[0];
    let report = decode(recording);
    for session in &report.sessions {
        let cpe = session.cpe.as_ref().unwrap();
        assert_eq!(cpe.serial_number, "EC43F69AF408");
        assert_eq!(session.acs_address.unwrap().to_string(), server.acs);
    }
    // The first Inform was challenged (401); the later requests answered the challenge.
    let messages: Vec<_> = report.sessions.iter().flat_map(|s| &s.messages).collect();
    assert!(messages[0].challenged && messages[0].rpc == "Inform");
    let answered = messages.iter().find(|m| m.rpc == "Inform" && !m.challenged).unwrap();
    assert_eq!(answered.credentials.as_ref().unwrap().scheme, "Digest");

    let text = String::from_utf8_lossy(recording);
    for secret in [SIP_PASSWORD, "fleet-secret", token.as_str(), "response=", "cnonce", "fleet\""] {
        assert!(!text.contains(secret), "{secret:?} is in the recording");
    }
    assert!(text.contains("authorization: Digest ********"));

    // The listing names the file with its size and its first and last packet's times.
    let listed = listing(&server);
    assert_eq!(listed.len(), 1);
    let name = listed[0]["name"].as_str().unwrap();
    assert!(name.starts_with("acs-") && name.ends_with(".pcapng"), "{name}");
    assert!(listed[0]["bytes"].as_u64().unwrap() >= recording.len() as u64);
    let first = listed[0]["first"].as_str().unwrap();
    let last = listed[0]["last"].as_str().unwrap();
    assert!(first <= last, "{first} {last}");
    assert!(data.join("recordings").join(name).is_file());
    // Downloads open in the browser's hands with the token in the URL, like uploads.
    let (status, by_query) =
        get_bytes(&server, &format!("/api/recordings/{name}?access_token={}", server.token), "");
    assert_eq!(status, 200);
    assert!(by_query.len() >= recording.len());
}

#[test]
fn recordings_are_behind_the_token_and_names_cannot_traverse() {
    let (server, data) = start("recordings-names", &[]);
    std::fs::write(data.join("cwmpkit.redb"), "not for download").unwrap();
    std::fs::write(data.join("recordings").join(".hidden"), "not for download").unwrap();
    let mut device = Cpe::new(&server.acs).with_credential("fleet", "fleet-secret");
    assert_eq!(device.post(&common::corpus("soap/cwmp_ex/inform-2601.xml")).status, 200);
    let files = recordings_when(&server, |files| files.len() == 1 && !files[0].is_empty());
    let name = listing(&server)[0]["name"].as_str().unwrap().to_owned();
    assert!(!files.is_empty());

    assert_eq!(get_bytes(&server, "/api/recordings", "").0, 401);
    assert_eq!(get_bytes(&server, &format!("/api/recordings/{name}"), "").0, 401);
    let wrong = "Authorization: Bearer not-the-token-at-all\r\n";
    assert_eq!(get_bytes(&server, &format!("/api/recordings/{name}"), wrong).0, 401);
    assert_eq!(get_bytes(&server, "/api/recordings?access_token=x", "").0, 401);

    for traversal in [
        "..%2Fcwmpkit.redb",
        "%2e%2e%2Fcwmpkit.redb",
        "..%5Ccwmpkit.redb",
        "%2E%2E",
        "..",
        ".hidden",
        "%2Fetc%2Fpasswd",
        "%2F..%2F..%2Fetc%2Fpasswd",
        "C:%5Cwindows",
        "a%00b",
    ] {
        let (status, body) =
            get_bytes(&server, &format!("/api/recordings/{traversal}"), &server.bearer());
        assert!(matches!(status, 400 | 404), "{traversal}: {status}");
        let body = String::from_utf8_lossy(&body);
        assert!(!body.contains("not for download") && !body.contains("root:"), "{traversal}");
    }
    let listed: Vec<String> =
        listing(&server).iter().map(|f| f["name"].as_str().unwrap().to_owned()).collect();
    assert_eq!(listed, [name]);
}

#[test]
fn a_full_file_goes_on_in_the_next_one_and_says_so() {
    let (server, _) = start("recordings-cap", &["--max-recording-bytes", "1"]);
    let events = Events::subscribe(&server);
    let inform = common::corpus("soap/cwmp_ex/inform-2601.xml");
    let mut device = Cpe::new(&server.acs).with_credential("fleet", "fleet-secret");
    assert_eq!(device.post(&inform).status, 200);
    assert_eq!(device.post(b"").status, 204);
    let problem = events.until("limit-recording-bytes", |e| {
        e["event"] == "problem" && e["code"] == "limit-recording-bytes"
    });
    assert!(problem["message"].as_str().unwrap().contains("--max-recording-bytes 1"), "{problem}");
    // Three exchanges (the challenge, the Inform, the empty POST), one file each; each file is
    // a capture of its own.
    let files = recordings_when(&server, |files| files.len() == 3);
    let mut messages = 0;
    for file in &files {
        let report = decode(file);
        messages += report.sessions.iter().map(|s| s.messages.len()).sum::<usize>();
    }
    assert_eq!(messages, 3, "challenged Inform, Inform, InformResponse");
}

/// The recordings folder's files, by name.
fn files_in(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn past_the_total_cap_the_oldest_recordings_are_deleted_first() {
    // Two recordings of an earlier run fill the folder to 1,000 bytes short of its cap: the
    // first exchange recorded needs more, so the older of the two goes, and only it. Older by
    // its last write, which their names contradict here, so that the test tells the two apart.
    let old = |folder: &Path, name: &str, bytes: usize, year: u64| {
        let file = std::fs::File::create(folder.join(name)).unwrap();
        file.set_len(bytes as u64).unwrap();
        let seconds = (year - 1970) * 365 * 24 * 3600;
        file.set_modified(std::time::UNIX_EPOCH + Duration::from_secs(seconds)).unwrap();
    };
    let (server, data) = start_on(
        "recordings-total",
        &["--max-recordings-total-bytes", "100000", "--max-recording-bytes", "1"],
        |folder| {
            old(folder, "acs-2001-01-01.pcapng", 60_000, 2001);
            old(folder, "acs-2000-01-01.pcapng", 39_000, 2002);
        },
    );
    let events = Events::subscribe(&server);
    let mut device = Cpe::new(&server.acs).with_credential("fleet", "fleet-secret");
    assert_eq!(device.post(&common::corpus("soap/cwmp_ex/inform-2601.xml")).status, 200);
    assert_eq!(device.post(b"").status, 204);
    let problem = events.until("limit-recordings-total-bytes", |e| {
        e["event"] == "problem" && e["code"] == "limit-recordings-total-bytes"
    });
    let message = problem["message"].as_str().unwrap();
    assert!(message.contains("--max-recordings-total-bytes 100000"), "{message}");
    assert!(message.contains("recordings/acs-2001-01-01.pcapng (60000 bytes)"), "{message}");
    assert!(!message.contains("acs-2000-01-01"), "the newer one is kept: {message}");
    // Three exchanges, one file each (--max-recording-bytes 1), all within the cap with the
    // newer old file.
    let files = recordings_when(&server, |files| files.len() == 4);
    assert_eq!(files.iter().map(Vec::len).filter(|&bytes| bytes == 39_000).count(), 1);
    let folder = files_in(&data.join("recordings"));
    assert!(folder.contains(&"acs-2000-01-01.pcapng".to_owned()), "{folder:?}");
    assert!(!folder.contains(&"acs-2001-01-01.pcapng".to_owned()), "{folder:?}");
}

#[test]
fn the_file_being_written_is_never_deleted_and_names_are_not_reused() {
    let (server, data) = start(
        "recordings-total-one",
        &["--max-recordings-total-bytes", "1", "--max-recording-bytes", "1"],
    );
    let events = Events::subscribe(&server);
    let mut device = Cpe::new(&server.acs).with_credential("fleet", "fleet-secret");
    assert_eq!(device.post(&common::corpus("soap/cwmp_ex/inform-2601.xml")).status, 200);
    assert_eq!(device.post(b"").status, 204);
    // The challenge, the Inform and the empty POST each start a file; each new file's first
    // write deletes the one before, closed by then.
    let deleted: Vec<String> = (0..2)
        .map(|_| {
            events.until("limit-recordings-total-bytes", |e| {
                e["event"] == "problem" && e["code"] == "limit-recordings-total-bytes"
            })["message"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(deleted[0].contains(".pcapng (") && !deleted[0].contains(".2.pcapng"), "{deleted:?}");
    assert!(deleted[1].contains(".2.pcapng ("), "{deleted:?}");
    let files = recordings_when(&server, |files| files.len() == 1 && !files[0].is_empty());
    let report = decode(&files[0]);
    assert_eq!(
        report.sessions.iter().map(|s| s.messages.len()).sum::<usize>(),
        0,
        "the empty POST"
    );
    let folder = files_in(&data.join("recordings"));
    let [only] = &folder[..] else { panic!("{folder:?}") };
    assert!(only.ends_with(".3.pcapng"), "a third name, not the first again: {only}");
}

#[test]
fn a_chunked_request_is_recorded_with_its_body_whole() {
    let (server, _) = start("recordings-chunked", &[]);
    let inform = common::corpus("soap/cwmp_ex/inform-2601.xml");
    let mut stream = TcpStream::connect(&server.acs).unwrap();
    write!(
        stream,
        "POST /acs HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n",
        server.acs
    )
    .unwrap();
    for chunk in inform.chunks(700) {
        write!(stream, "{:x}\r\n", chunk.len()).unwrap();
        stream.write_all(chunk).unwrap();
        stream.write_all(b"\r\n").unwrap();
    }
    stream.write_all(b"0\r\n\r\n").unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    assert!(response.starts_with(b"HTTP/1.1 401"), "{}", String::from_utf8_lossy(&response));

    let files = recordings_when(&server, |files| {
        files.len() == 1 && decode(&files[0]).sessions.iter().any(|s| !s.messages.is_empty())
    });
    let report = decode(&files[0]);
    let inform_message = &report.sessions[0].messages[0];
    assert_eq!(inform_message.rpc, "Inform");
    assert!(inform_message.challenged);
    assert!(inform_message.diagnostics.is_empty(), "{:#?}", inform_message.diagnostics);
    assert_eq!(inform_message.raw.body.as_bytes(), &inform[..]);
    let text = String::from_utf8_lossy(&files[0]);
    assert!(!text.to_ascii_lowercase().contains("transfer-encoding"), "framed by its length");
}

#[cfg(unix)]
#[test]
fn at_shutdown_what_is_queued_is_written_and_the_connections_closed() {
    let (mut server, data) = start("recordings-shutdown", &[]);
    // A CPE that keeps its connection open between requests: only the shutdown closes it.
    let mut device = Cpe::new(&server.acs).with_credential("fleet", "fleet-secret");
    device.ignores_cookies = true;
    assert_eq!(device.post(&common::corpus("soap/cwmp_ex/inform-2601.xml")).status, 200);
    assert_eq!(device.post(b"").status, 204);
    drop(device);
    let terminated = std::process::Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
    let exit = server.child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");

    let folder = data.join("recordings");
    let files: Vec<_> = std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().path()).collect();
    let [file] = &files[..] else { panic!("{files:?}") };
    let recording = std::fs::read(file).unwrap();
    let report = decode(&recording);
    assert_eq!(rpcs(&report), [["Inform", "InformResponse"]]);
    // The connection's FINs came last, stamped when the relay stopped, after the last message.
    let last_message =
        report.sessions.iter().flat_map(|s| &s.exchanges).filter_map(|e| e.time).max();
    let last_packet = cwmpkit_core::capture::record::last_packet_time(&recording);
    assert!(last_packet > last_message, "{last_packet:?} {last_message:?}");
    let frames = cwmpkit_core::capture::decode(&recording, &Options::default()).unwrap();
    assert!(frames.diagnostics.is_empty(), "{:#?}", frames.diagnostics);
    assert_eq!(frames.connections.len(), 1, "one kept-alive connection");
}

#[test]
fn a_connection_request_is_recorded_and_decodes_as_one_without_its_secrets() {
    let (server, _) = start(
        "recordings-cr",
        &["--allow-local-cpe", "--cr-username", "acs", "--cr-password", "cr-secret"],
    );
    let (listener, heads) = cr_listener(CrChallenge::Digest("cr-secret"), 2, None);
    let mut device = Cpe::new(&server.acs).with_credential("fleet", "fleet-secret");
    assert_eq!(device.post(&inform_reporting(&format!("http://{listener}/cr"), None)).status, 200);
    assert_eq!(device.post(b"").status, 204);
    let sent = common::request(
        &server.app,
        "POST",
        &format!("/api/devices/{DEVICE}/connection-request"),
        &server.bearer(),
        b"",
    );
    assert_eq!(sent.status, 200, "{}", sent.body);
    let heads = heads.join().unwrap();
    // What the CPE was sent carried the digest's response, which the recording must not.
    let digest_response = heads[1]
        .split("response=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the second GET answered the challenge")
        .to_owned();

    let requests_in = |file: &[u8]| decode(file).connection_requests;
    let files = recordings_when(&server, |files| {
        files.iter().any(|file| requests_in(file).iter().any(|cr| cr.statuses.contains(&200)))
    });
    let recorded: Vec<_> = files.iter().flat_map(|file| requests_in(file)).collect();
    // The challenge and the answer to it, each a GET of its own connection to the CPE's URL (as
    // on the wire), are one connection request.
    let statuses: Vec<Vec<u16>> = recorded.iter().map(|cr| cr.statuses.clone()).collect();
    assert_eq!(statuses, [vec![401, 200]], "{recorded:#?}");
    assert_eq!(recorded[0].target, "/cr");
    assert_eq!(recorded[0].cpe.map(|a| a.to_string()), Some(listener.clone()));
    let credentials = recorded[0].credentials.clone().expect("the answered GET's credentials");
    assert_eq!((credentials.scheme.as_str(), credentials.username), ("Digest", None));
    // The device's sessions still decode as before, beside the connection request.
    assert!(files.iter().any(|file| !rpcs(&decode(file)).is_empty()));
    for file in &files {
        for secret in ["cr-secret", digest_response.as_str(), "username=\"acs\""] {
            assert!(
                !file.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} is in the recording"
            );
        }
    }
}
