//! Connection requests go only where the device said, in the way TR-069 asks: Digest over http
//! or https, Basic only with `--cr-allow-basic`, TR-111 UDP when the device reported a UDP
//! address, never to loopback or link-local without `--allow-local-cpe`, and never with a
//! credential in what the relay prints or streams.

mod common;

use common::cpe::{Cpe, CrChallenge, cr_listener, inform_reporting};
use common::{Events, Server, request};
use std::sync::Arc;
use std::time::Duration;

const DEVICE: &str = "EC43F6-P-2601HN-F1-EC43F69AF408";

fn start(name: &str, extra: &[&str]) -> Server {
    let dist = common::fake_dist(name);
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_cwmpkit"));
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--acs-listen", "127.0.0.1:0", "--dist"])
        .arg(&dist)
        .args(["--cr-username", "acs"])
        .args(extra)
        .env("CWMPKIT_CR_PASSWORD", "cr-secret");
    common::start(command)
}

/// The device informs reporting `url` (and `udp`), and its session ends.
fn inform(server: &Server, url: &str, udp: Option<&str>) {
    let mut cpe = Cpe::new(&server.acs);
    assert_eq!(cpe.post(&inform_reporting(url, udp)).status, 200);
    assert_eq!(cpe.post(b"").status, 204);
}

fn connection_request(server: &Server, body: &str) -> common::Reply {
    request(
        &server.app,
        "POST",
        &format!("/api/devices/{DEVICE}/connection-request"),
        &server.bearer(),
        body.as_bytes(),
    )
}

#[test]
fn a_loopback_url_is_refused_unless_allowed() {
    let server = start("cr-local", &[]);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    inform(&server, &format!("http://{}/cr", listener.local_addr().unwrap()), None);
    let refused = connection_request(&server, "");
    assert_eq!(refused.status, 502, "{}", refused.body);
    assert!(refused.body.contains("--allow-local-cpe"), "{}", refused.body);
    assert!(listener.accept().is_err(), "nothing connected to the loopback CPE");
}

#[test]
fn the_api_cannot_name_a_target() {
    let server = start("cr-target", &["--allow-local-cpe"]);
    let (cpe, heads) = cr_listener(CrChallenge::Digest("cr-secret"), 2, None);
    inform(&server, &format!("http://{cpe}/cr"), None);
    let decoy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    decoy.set_nonblocking(true).unwrap();
    for body in [
        format!(r#"{{"url":"http://{}/"}}"#, decoy.local_addr().unwrap()),
        format!(r#"{{"username":"acs","host":"{}"}}"#, decoy.local_addr().unwrap()),
    ] {
        let refused = connection_request(&server, &body);
        assert_eq!(refused.status, 400, "{}", refused.body);
        assert!(refused.body.contains("unknown field"), "{}", refused.body);
    }
    assert!(decoy.accept().is_err(), "nothing connected to the URL the body named");
    // The device's own URL, with the relay's credentials (--cr-password from the environment).
    let sent = connection_request(&server, "");
    assert_eq!(sent.status, 200, "{}", sent.body);
    let outcome: serde_json::Value = serde_json::from_str(&sent.body).unwrap();
    assert_eq!(
        (outcome["accepted"].as_bool(), outcome["authentication"].as_str()),
        (Some(true), Some("Digest"))
    );
    let heads = heads.join().unwrap();
    assert!(heads[0].starts_with("GET /cr HTTP/1.1") && heads[1].contains("Authorization: Digest"));
}

#[test]
fn basic_is_answered_only_with_the_flag() {
    let server = start("cr-basic", &["--allow-local-cpe"]);
    let (cpe, heads) = cr_listener(CrChallenge::Basic("cr-secret"), 1, None);
    inform(&server, &format!("http://{cpe}/cr"), None);
    let refused = connection_request(&server, "");
    assert_eq!(refused.status, 502, "{}", refused.body);
    assert!(refused.body.contains("--cr-allow-basic"), "{}", refused.body);
    let heads = heads.join().unwrap();
    assert_eq!(heads.len(), 1, "the password was not sent");

    let server = start("cr-basic-allowed", &["--allow-local-cpe", "--cr-allow-basic"]);
    let (cpe, _) = cr_listener(CrChallenge::Basic("cr-secret"), 2, None);
    inform(&server, &format!("http://{cpe}/cr"), None);
    let sent = connection_request(&server, "");
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(
        sent.body.contains("\"accepted\":true") && sent.body.contains("Basic"),
        "{}",
        sent.body
    );
}

#[test]
fn credentials_in_a_reported_url_never_show() {
    let mut server = start("cr-redact", &["--allow-local-cpe"]);
    let events = Events::subscribe(&server);
    let (cpe, _) = cr_listener(CrChallenge::Digest("cr-secret"), 2, None);
    inform(&server, &format!("http://admin:url-secret@{cpe}/cr"), None);
    let sent = connection_request(&server, r#"{"password":"cr-secret"}"#);
    assert_eq!(sent.status, 200, "{}", sent.body);
    let event = events.until("connection-request", |e| e["event"] == "connection-request");
    assert_eq!(event["url"], format!("http://{cpe}/cr"));
    let mut printed = String::new();
    while !printed.contains("connection request") {
        printed.push_str(&server.next_line().unwrap());
    }
    for text in [event.to_string(), printed, sent.body] {
        assert!(!text.contains("url-secret") && !text.contains("cr-secret"), "{text}");
    }
}

#[test]
fn https_connection_requests_trust_the_given_ca() {
    let dir = common::scratch("cr-https");
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let ca = dir.join("cpe-ca.pem");
    std::fs::write(&ca, certified.cert.pem()).unwrap();
    let key =
        rustls::pki_types::PrivateKeyDer::try_from(certified.key_pair.serialize_der()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![certified.cert.der().clone()], key)
    .unwrap();
    let config = Arc::new(config);

    // Not trusted without --cr-ca: refused, with what to do.
    let server = start("cr-https-untrusted", &["--allow-local-cpe"]);
    let (cpe, _) = cr_listener(CrChallenge::Digest("cr-secret"), 1, Some(config.clone()));
    inform(&server, &format!("https://{cpe}/cr"), None);
    let refused = connection_request(&server, "");
    assert_eq!(refused.status, 502, "{}", refused.body);
    assert!(refused.body.contains("--cr-ca"), "{}", refused.body);

    let server = start("cr-https", &["--allow-local-cpe", "--cr-ca", ca.to_str().unwrap()]);
    let (cpe, heads) = cr_listener(CrChallenge::Digest("cr-secret"), 2, Some(config));
    inform(&server, &format!("https://{cpe}/cr"), None);
    let sent = connection_request(&server, "");
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(
        sent.body.contains("\"transport\":\"https\"") && sent.body.contains("\"accepted\":true"),
        "{}",
        sent.body
    );
    assert_eq!(heads.join().unwrap().len(), 2);
}

#[test]
fn udp_connection_requests_are_signed_and_sent_three_times() {
    use hmac::Mac as _;
    let server = start("cr-udp", &["--allow-local-cpe"]);
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let udp = socket.local_addr().unwrap().to_string();
    inform(&server, "http://192.0.2.10:7547/cr", Some(&udp));
    let sent = connection_request(&server, r#"{"via":"udp"}"#);
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(sent.body.contains("\"transport\":\"udp\""), "{}", sent.body);
    let mut datagrams = Vec::new();
    for _ in 0..3 {
        let mut buffer = [0u8; 2048];
        let (length, _) = socket.recv_from(&mut buffer).unwrap();
        datagrams.push(String::from_utf8_lossy(&buffer[..length]).into_owned());
    }
    assert!(datagrams.iter().all(|d| d == &datagrams[0]), "the same message, repeated");
    let line = datagrams[0].lines().next().unwrap();
    let query = line
        .strip_prefix(&format!("GET http://{udp}?"))
        .and_then(|rest| rest.strip_suffix(" HTTP/1.1"))
        .unwrap_or_else(|| panic!("{line}"));
    let field = |name: &str| {
        query
            .split('&')
            .find_map(|p| p.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} in {query}"))
    };
    assert_eq!(field("un"), "acs");
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(b"cr-secret").unwrap();
    mac.update(format!("{}{}{}{}", field("ts"), field("id"), field("un"), field("cn")).as_bytes());
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02X}")).collect();
    assert_eq!(field("sig"), expected);
    assert!(!datagrams[0].contains("cr-secret"));
}

/// `--cr-password-file` is read (its line, without the newline), and wins over the password in
/// the environment (a service's environment, a file named for this run).
#[test]
fn the_connection_request_password_is_read_from_its_file() {
    let dir = common::scratch("cr-password-file");
    let file = dir.join("cr.pw");
    std::fs::write(&file, "from-the-file\n").unwrap();
    let dist = common::fake_dist("cr-password-file");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_cwmpkit"));
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--acs-listen", "127.0.0.1:0", "--dist"])
        .arg(&dist)
        .args(["--cr-username", "acs", "--allow-local-cpe", "--cr-password-file"])
        .arg(&file)
        .env("CWMPKIT_CR_PASSWORD", "from-the-environment");
    let server = common::start(command);
    let (cpe, heads) = cr_listener(CrChallenge::Digest("from-the-file"), 2, None);
    inform(&server, &format!("http://{cpe}/cr"), None);
    let sent = connection_request(&server, "");
    assert_eq!(sent.status, 200, "{}", sent.body);
    let outcome: serde_json::Value = serde_json::from_str(&sent.body).unwrap();
    assert_eq!(outcome["accepted"], true, "{outcome}");
    assert!(heads.join().unwrap()[1].contains("Authorization: Digest"));
}

/// A UDP connection request (TR-111) to a loopback address the device reported is refused like
/// an http one, unless `--allow-local-cpe`.
#[test]
fn a_udp_connection_request_to_loopback_is_refused_unless_allowed() {
    let server = start("cr-udp-local", &[]);
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_nonblocking(true).unwrap();
    let udp = socket.local_addr().unwrap().to_string();
    inform(&server, "http://192.0.2.10:7547/cr", Some(&udp));
    let refused = connection_request(&server, r#"{"via":"udp"}"#);
    assert_eq!(refused.status, 502, "{}", refused.body);
    assert!(refused.body.contains("--allow-local-cpe"), "{}", refused.body);
    let mut buffer = [0u8; 2048];
    assert!(socket.recv_from(&mut buffer).is_err(), "nothing was sent to the loopback CPE");
}

/// A password flag and its file flag both on the command line: refused at start, naming both.
#[test]
fn a_password_and_its_file_on_one_command_line_are_refused() {
    let dir = common::scratch("cr-password-twice");
    let file = dir.join("pw");
    std::fs::write(&file, "from-the-file\n").unwrap();
    let dist = common::fake_dist("cr-password-twice");
    for (value, file_flag) in [
        ("--cr-password", "--cr-password-file"),
        ("--cpe-password", "--cpe-password-file"),
        ("--token", "--token-file"),
    ] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_cwmpkit"))
            .args(["serve", "--listen", "127.0.0.1:0", "--acs-listen", "127.0.0.1:0", "--dist"])
            .arg(&dist)
            .args([value, "a-long-enough-secret-value", file_flag])
            .arg(&file)
            .output()
            .unwrap();
        assert!(!output.status.success(), "{value} and {file_flag} were both taken");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(&format!("{file_flag} cannot be used with {value}")), "{stderr}");
    }
}
