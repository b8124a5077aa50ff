//! Every limit is explicit and says so when hit: body and header sizes, a body that stalls, a
//! slow event-stream reader, slowloris clients with few file descriptors; and what a device
//! sends can neither forge the relay's log lines nor reach the operator's terminal.

// The test is the host: it reads corpus files.
#![allow(clippy::disallowed_methods)]

mod common;

use common::cpe::Cpe;
use common::{Events, Server, request};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

fn start(name: &str, extra: &[&str]) -> Server {
    let dist = common::fake_dist(name);
    let mut command = Command::new(env!("CARGO_BIN_EXE_cwmpkit"));
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--acs-listen", "127.0.0.1:0", "--dist"])
        .arg(&dist)
        .args(extra);
    common::start(command)
}

#[test]
fn an_oversize_body_is_refused_with_its_limit() {
    let server = start("limits-body", &["--max-body-bytes", "4096"]);
    let events = Events::subscribe(&server);
    let refused = request(&server.acs, "POST", "/acs", "", &[b' '; 10_000]);
    assert_eq!(refused.status, 413, "{}", refused.body);
    assert!(refused.body.contains("--max-body-bytes"), "{}", refused.body);
    let problem = events.until("body-refused", |e| e["code"] == "body-refused");
    assert!(problem["message"].as_str().unwrap().contains("4096"), "{problem}");
}

#[test]
fn an_unreadable_body_is_told_why() {
    let server = start("limits-unreadable", &[]);
    let events = Events::subscribe(&server);
    let garbage = request(&server.acs, "POST", "/acs", "", b"<Envelope><oops");
    assert_eq!(garbage.status, 400);
    assert!(garbage.body.trim().len() > 10, "a reason, not an empty 400: {:?}", garbage.body);
    let problem = events.until("problem", |e| e["event"] == "problem");
    assert!(problem["message"].as_str().unwrap().contains("unreadable"), "{problem}");
}

#[test]
fn an_oversize_head_gets_431() {
    let server = start("limits-header", &["--max-header-bytes", "2048"]);
    let big = format!("X-Padding: {}\r\n", "a".repeat(4096));
    assert_eq!(request(&server.acs, "POST", "/acs", &big, b"").status, 431);
    assert_eq!(request(&server.acs, "POST", "/acs", "X-Small: 1\r\n", b"").status, 204);
}

#[test]
fn a_body_that_stalls_is_cut_off() {
    let server = start("limits-stall", &["--body-timeout", "1"]);
    let mut stream = TcpStream::connect(&server.acs).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(stream, "POST /acs HTTP/1.1\r\nHost: {}\r\nContent-Length: 100\r\n\r\n<Env", server.acs)
        .unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let reply = common::parse(&response);
    assert_eq!(reply.status, 408, "{}", reply.body);
    assert!(reply.body.contains("--body-timeout"), "{}", reply.body);
}

#[test]
fn what_a_device_sends_cannot_forge_log_lines_or_reach_the_terminal() {
    let mut server = start("limits-escape", &[]);
    server.next_line(); // the authentication line
    let inform = String::from_utf8(common::corpus("soap/cwmp_ex/inform-2601.xml"))
        .unwrap()
        .replace("EC43F69AF408", "SN1&#10;end     forged-device");
    let mut cpe = Cpe::new(&server.acs);
    assert_eq!(cpe.post(inform.as_bytes()).status, 200);
    assert_eq!(cpe.post(b"").status, 204);
    // Raw escape sequences in a body the decoder rejects end up in its error message.
    let hostile = b"<Envelope>\x1b[2J\x1b]0;owned\x07\x9b31m</oops>";
    assert_eq!(request(&server.acs, "POST", "/acs", "", hostile).status, 400);
    let mut printed = Vec::new();
    while let Some(line) = server.next_line() {
        let done = line.contains("problem");
        printed.push(line);
        if done {
            break;
        }
    }
    let text = printed.concat();
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{text:?}");
    assert!(
        printed.iter().all(|l| !l.starts_with("end     forged")),
        "a newline in a serial number made a line of its own: {printed:#?}"
    );
    assert!(text.contains("SN1\\nend     forged-device"), "{text}");
}

#[test]
fn a_stalled_event_reader_is_dropped_with_a_notice() {
    let mut server = start("limits-sse", &["--sse-buffer-bytes", "65536"]);
    let lines = server.lines();
    // A reader that never reads after the head.
    let mut stalled = TcpStream::connect(&server.app).unwrap();
    write!(
        stalled,
        "GET /api/events HTTP/1.1\r\nHost: {}\r\n{}Connection: close\r\n\r\n",
        server.app,
        server.bearer()
    )
    .unwrap();
    // Big Informs make big events: enough to fill the socket buffers and the 64 KiB queue.
    let parameters: String = (0..4000)
        .map(|i| format!("<ParameterValueStruct><Name>InternetGatewayDevice.X_Test.P{i}</Name><Value xsi:type=\"xsd:string\">{}</Value></ParameterValueStruct>", "v".repeat(100)))
        .collect();
    let inform = String::from_utf8(common::corpus("soap/cwmp_ex/inform-2601.xml"))
        .unwrap()
        .replace("</ParameterList>", &format!("{parameters}</ParameterList>"));
    let mut dropped = None;
    for _ in 0..60 {
        let mut cpe = Cpe::new(&server.acs);
        assert_eq!(cpe.post(inform.as_bytes()).status, 200);
        cpe.post(b"");
        if let Some(line) = lines.try_iter().find(|l| l.contains("event stream reader")) {
            dropped = Some(line);
            break;
        }
    }
    let notice = dropped.expect("the stalled reader was never dropped");
    assert!(notice.contains("--sse-buffer-bytes 65536"), "{notice}");
    // The stalled reader, reading at last, finds the stream ended with the reason.
    stalled.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut rest = Vec::new();
    let _ = stalled.read_to_end(&mut rest);
    let rest = String::from_utf8_lossy(&rest);
    assert!(rest.contains("\"event\":\"dropped\""), "{}", &rest[rest.len().saturating_sub(500)..]);
}

#[cfg(unix)]
#[test]
fn slowloris_clients_cannot_lock_out_a_device_with_few_descriptors() {
    let dist = common::fake_dist("limits-slowloris");
    // 256 descriptors, as in the probe; the cap leaves room for the rest.
    let mut command = Command::new("sh");
    command.arg("-c").arg(format!(
        "ulimit -n 256 && exec {} serve --listen 127.0.0.1:0 --acs-listen 127.0.0.1:0 --dist {} --max-connections 100 --idle-timeout 60",
        env!("CARGO_BIN_EXE_cwmpkit"),
        dist.display()
    ));
    let server = common::start(command);
    // 300 clients that each send half a request head and then nothing.
    let mut slow = Vec::new();
    for _ in 0..300 {
        let Ok(mut stream) = TcpStream::connect(&server.acs) else { continue };
        let _ = stream.write_all(b"POST /acs HTTP/1.1\r\nHost: x\r\nX-Slow: ");
        slow.push(stream);
    }
    // A device that speaks promptly is still served, well within the idle timeout.
    let inform = common::corpus("soap/cwmp_ex/inform-2601.xml");
    for _ in 0..3 {
        let mut cpe = Cpe::new(&server.acs);
        let reply = cpe.post(&inform);
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(cpe.post(b"").status, 204);
    }
    drop(slow);
}

#[test]
fn a_new_device_beyond_max_devices_is_refused_and_not_kept() {
    let server = start("limits-devices", &["--max-devices", "1"]);
    let events = Events::subscribe(&server);
    let inform = common::corpus("soap/cwmp_ex/inform-2601.xml");
    assert_eq!(Cpe::new(&server.acs).post(&inform).status, 200);
    let fake = String::from_utf8(inform.clone()).unwrap().replace("EC43F69AF408", "RANDOM0001");
    let refused = Cpe::new(&server.acs).post(fake.as_bytes());
    assert_eq!(refused.status, 503, "{}", refused.body);
    assert!(refused.body.contains("--max-devices"), "{}", refused.body);
    let problem = events.until("limit-devices", |e| e["code"] == "limit-devices");
    assert!(problem["message"].as_str().unwrap().contains("RANDOM0001"), "{problem}");
    let devices = request(&server.app, "GET", "/api/devices", &server.bearer(), b"");
    let devices: serde_json::Value = serde_json::from_str(&devices.body).unwrap();
    assert_eq!(devices.as_array().unwrap().len(), 1, "{devices}");
    // A device already known still gets in.
    assert_eq!(Cpe::new(&server.acs).post(&inform).status, 200);
}

#[test]
fn a_full_queue_answers_429_naming_the_limit() {
    let server = start("limits-queued", &["--max-queued", "2"]);
    let events = Events::subscribe(&server);
    assert_eq!(
        Cpe::new(&server.acs).post(&common::corpus("soap/cwmp_ex/inform-2601.xml")).status,
        200
    );
    let path = "/api/devices/EC43F6-P-2601HN-F1-EC43F69AF408/rpcs";
    for _ in 0..2 {
        assert_eq!(
            request(&server.app, "POST", path, &server.bearer(), br#"{"rpc":"FactoryReset"}"#)
                .status,
            202
        );
    }
    let refused =
        request(&server.app, "POST", path, &server.bearer(), br#"{"rpc":"FactoryReset"}"#);
    assert_eq!(refused.status, 429, "{}", refused.body);
    let refusal: serde_json::Value = serde_json::from_str(&refused.body).unwrap();
    assert_eq!(refusal["limit"], "--max-queued", "{refusal}");
    assert_eq!(refusal["max"], 2);
    assert!(refusal["error"].as_str().unwrap().contains("2 RPCs"), "{refusal}");
    let problem = events.until("limit-queued", |e| e["code"] == "limit-queued");
    assert!(problem["message"].as_str().unwrap().contains("--max-queued"), "{problem}");
}

/// The ACS listener's listen(2) backlog is `--acs-backlog` (1024 by default, within the kernel's
/// net.core.somaxconn): `ss` shows a listener's backlog as its Send-Q.
#[test]
fn the_acs_listener_backlog_is_the_flags() {
    let somaxconn: u32 =
        std::fs::read_to_string("/proc/sys/net/core/somaxconn").unwrap().trim().parse().unwrap();
    for (extra, expected) in [(&[][..], 1024.min(somaxconn)), (&["--acs-backlog", "77"][..], 77)] {
        let server = start(&format!("limits-backlog-{expected}"), extra);
        let port = server.acs.rsplit(':').next().unwrap();
        let listed = Command::new("ss")
            .args(["--listening", "--tcp", "--numeric", "--no-header"])
            .arg(format!("sport = :{port}"))
            .output()
            .expect("ss (Debian's iproute2, which cargo xtask setup installs) lists listeners");
        let listed = String::from_utf8_lossy(&listed.stdout);
        let backlog: Vec<&str> =
            listed.lines().filter_map(|l| l.split_whitespace().nth(2)).collect();
        assert_eq!(backlog, [expected.to_string()], "{listed}");
    }
}

/// Whether the relay closed `stream` (end of stream or reset) before the read timeout, after
/// sending at most a response; the bytes it sent, if any.
fn closed_by_the_relay(stream: &mut TcpStream) -> Option<Vec<u8>> {
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut received = Vec::new();
    match stream.read_to_end(&mut received) {
        Ok(_) => Some(received),
        Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => Some(received),
        Err(_) => None,
    }
}

/// `--idle-timeout` bounds how long a connection may take to send a request head: a silent
/// client and one dribbling half a head are both closed (the default, 30 s, would outlast the
/// test's 20 s read).
#[test]
fn idle_connections_are_closed_after_the_idle_timeout() {
    let server = start("limits-idle", &["--idle-timeout", "1"]);
    let mut silent = TcpStream::connect(&server.acs).unwrap();
    let mut dribbling = TcpStream::connect(&server.acs).unwrap();
    dribbling.write_all(b"POST /acs HTTP/1.1\r\nHost: x\r\nX-Slow: ").unwrap();
    for stream in [&mut silent, &mut dribbling] {
        let sent = closed_by_the_relay(stream).expect("the relay closed the idle connection");
        let sent = String::from_utf8_lossy(&sent);
        assert!(sent.is_empty() || sent.starts_with("HTTP/1.1 408"), "{sent}");
    }
    // A prompt client is served as ever.
    assert_eq!(request(&server.acs, "POST", "/acs", "", b"").status, 204);
}

/// `--max-connections`, as the README says: at the limit the longest-idle connection is closed
/// to make room, and when every connection is busy a newcomer gets 503 naming the flag.
#[test]
fn at_max_connections_the_idlest_is_closed_and_all_busy_gets_503() {
    let server = start("limits-connections", &["--max-connections", "1"]);
    // An idle connection is closed for a newcomer, which is served.
    let mut idle = TcpStream::connect(&server.acs).unwrap();
    assert_eq!(request(&server.acs, "POST", "/acs", "", b"").status, 204);
    assert!(closed_by_the_relay(&mut idle).is_some_and(|sent| sent.is_empty()));

    // A connection whose request is being read is busy: it is not closed, the newcomer is.
    let mut busy = TcpStream::connect(&server.acs).unwrap();
    busy.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    busy.write_all(
        b"POST /acs HTTP/1.1\r\nHost: x\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n",
    )
    .unwrap();
    // hyper says `100 Continue` when the handler starts reading the body.
    let mut continued = Vec::new();
    let mut byte = [0u8; 1];
    while !continued.ends_with(b"\r\n\r\n") {
        assert_eq!(busy.read(&mut byte).unwrap(), 1, "the relay closed the busy connection");
        continued.push(byte[0]);
    }
    assert!(continued.starts_with(b"HTTP/1.1 100"), "{}", String::from_utf8_lossy(&continued));
    let refused = request(&server.acs, "POST", "/acs", "", b"");
    assert_eq!(refused.status, 503, "{}", refused.body);
    assert!(refused.body.contains("--max-connections"), "{}", refused.body);
    // The busy request finishes as if nothing happened.
    busy.write_all(b"     ").unwrap();
    let mut rest = Vec::new();
    let _ = busy.read_to_end(&mut rest);
    let finished = String::from_utf8_lossy(&rest);
    assert!(finished.starts_with("HTTP/1.1 "), "{finished}");
}
