//! Who may reach what: the API behind its token, Host and Origin checks (CSRF, DNS rebinding),
//! the API kept on loopback without TLS, TLS on both listeners, and a shutdown that does not
//! wait for an open event stream.

mod common;

use common::{Server, request};
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn dist(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>cwmpkit test</title>").unwrap();
    dir
}

fn start(name: &str, extra: &[&OsStr]) -> Server {
    let dist = dist(name);
    let mut args = vec![OsStr::new("--dist"), dist.as_os_str()];
    args.extend_from_slice(extra);
    common::serve(args)
}

#[test]
fn the_api_needs_the_token_it_printed() {
    let server = start("access-token", &[]);
    assert_eq!(server.token.len(), 64, "a generated token: 32 random bytes in hex");
    let app = &server.app;
    let missing = request(app, "GET", "/api/devices", "", b"");
    assert_eq!(missing.status, 401, "{}", missing.body);
    assert!(missing.headers.contains("Bearer realm=\"cwmpkit\""), "{}", missing.headers);
    assert!(
        missing.body.contains("Authorization: Bearer"),
        "the refusal says what to do: {}",
        missing.body
    );
    let wrong =
        request(app, "GET", "/api/devices", "Authorization: Bearer 0123456789abcdef0123\r\n", b"");
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("wrong API token"), "{}", wrong.body);
    let queued = request(app, "POST", "/api/devices/x/rpcs", "", br#"{"rpc":"FactoryReset"}"#);
    assert_eq!(queued.status, 401, "queuing is refused without the token too");
    assert_eq!(request(app, "GET", "/api/devices", &server.bearer(), b"").status, 200);
    // What needs no token: the app itself, and the health check.
    assert_eq!(request(app, "GET", "/", "", b"").status, 200);
    assert_eq!(request(app, "GET", "/api/health", "", b"").status, 200);
    // The token is not accepted in the query of an ordinary API call…
    let in_query =
        request(app, "GET", &format!("/api/devices?access_token={}", server.token), "", b"");
    assert_eq!(in_query.status, 401);
}

#[test]
fn the_event_stream_takes_the_token_in_its_url() {
    // …but the browser's EventSource cannot set a header, so the stream may carry it.
    let server = start("access-events", &[]);
    let mut stream = TcpStream::connect(&server.app).unwrap();
    write!(
        stream,
        "GET /api/events?access_token={} HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.token, server.app
    )
    .unwrap();
    let mut status = String::new();
    BufReader::new(&stream).read_line(&mut status).unwrap();
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    let wrong = request(&server.app, "GET", "/api/events?access_token=nope", "", b"");
    assert_eq!(wrong.status, 401);
}

#[test]
fn foreign_origins_and_hosts_are_refused() {
    let server = start("access-origin", &[]);
    let (app, auth) = (&server.app, server.bearer());
    let port = app.rsplit_once(':').unwrap().1;
    // A page elsewhere posting to the relay (CSRF): refused even with a token it cannot have.
    let foreign = request(
        app,
        "POST",
        "/api/devices/x/rpcs",
        &format!("{auth}Origin: http://evil.example\r\n"),
        br#"{"rpc":"FactoryReset"}"#,
    );
    assert_eq!(foreign.status, 403, "{}", foreign.body);
    assert!(foreign.body.contains("cross-origin"), "{}", foreign.body);
    let null = request(app, "GET", "/api/devices", &format!("{auth}Origin: null\r\n"), b"");
    assert_eq!(null.status, 403);
    let own = request(app, "GET", "/api/devices", &format!("{auth}Origin: http://{app}\r\n"), b"");
    assert_eq!(own.status, 200, "{}", own.body);

    // DNS rebinding: the attacker's name resolves to 127.0.0.1, and the browser sends it as Host.
    for host in [format!("evil.example:{port}"), "127.0.0.1:1".to_owned(), String::new()] {
        let mut stream = TcpStream::connect(app).unwrap();
        write!(
            stream,
            "GET /api/devices HTTP/1.1\r\nHost: {host}\r\n{auth}Connection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let reply = common::parse(&response);
        assert_eq!(reply.status, 421, "Host {host:?}: {}", reply.body);
        assert!(reply.body.contains("Host"), "{}", reply.body);
    }
    let mut stream = TcpStream::connect(app).unwrap();
    write!(
        stream,
        "GET /api/devices HTTP/1.1\r\nHost: localhost:{port}\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    assert_eq!(common::parse(&response).status, 200, "localhost names a loopback listener");
}

#[test]
fn each_listener_serves_only_its_own_side() {
    let server = start("access-sides", &[]);
    let on_acs = request(&server.acs, "GET", "/api/devices", &server.bearer(), b"");
    assert_eq!(on_acs.status, 404, "the devices' listener has no API");
    let inform = request(&server.acs, "POST", "/acs", "", b"");
    assert_eq!(inform.status, 204, "an empty POST outside a session ends it");
}

#[test]
fn the_api_stays_on_loopback_without_tls() {
    let dist = dist("access-loopback");
    let output = Command::new(env!("CARGO_BIN_EXE_cwmpkit"))
        .args(["serve", "--listen", "0.0.0.0:0", "--acs-listen", "127.0.0.1:0", "--dist"])
        .arg(&dist)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--tls-cert") && stderr.contains("loopback"), "{stderr}");
}

#[test]
fn a_token_from_a_file_is_used_and_not_printed() {
    let dir = dist("access-token-file");
    let file = dir.join("token");
    std::fs::write(&file, "a-token-of-my-own-0123456789\n").unwrap();
    let server = start("access-token-file", &[OsStr::new("--token-file"), file.as_os_str()]);
    assert_eq!(server.token, "<your token>", "the given token is not printed");
    let auth = "Authorization: Bearer a-token-of-my-own-0123456789\r\n";
    assert_eq!(request(&server.app, "GET", "/api/devices", auth, b"").status, 200);
}

/// A certificate for 127.0.0.1 and localhost, written as PEM files.
fn certificate(
    dir: &std::path::Path,
) -> (PathBuf, PathBuf, rustls::pki_types::CertificateDer<'static>) {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.key_pair.serialize_pem()).unwrap();
    (cert, key, certified.cert.der().clone())
}

/// One request over TLS, trusting only `trusted`.
fn tls_request(
    address: &str,
    trusted: &rustls::pki_types::CertificateDer<'static>,
    request: &str,
) -> common::Reply {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(trusted.clone()).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let connection = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    let mut tls = rustls::StreamOwned::new(connection, TcpStream::connect(address).unwrap());
    tls.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    // The relay closes after `Connection: close`; a TLS close without close_notify is fine here.
    let _ = tls.read_to_end(&mut response);
    common::parse(&response)
}

#[test]
fn both_listeners_speak_tls_with_the_users_certificate() {
    let dir = dist("access-tls");
    let (cert, key, der) = certificate(&dir);
    let server = start(
        "access-tls",
        &[
            OsStr::new("--tls-cert"),
            cert.as_os_str(),
            OsStr::new("--tls-key"),
            key.as_os_str(),
            OsStr::new("--acs-tls-cert"),
            cert.as_os_str(),
            OsStr::new("--acs-tls-key"),
            key.as_os_str(),
        ],
    );
    let app = server.app.clone();
    let health = tls_request(
        &app,
        &der,
        &format!(
            "GET /api/devices HTTP/1.1\r\nHost: {app}\r\n{}Connection: close\r\n\r\n",
            server.bearer()
        ),
    );
    assert_eq!(health.status, 200, "{}", health.body);
    let acs = server.acs.clone();
    let empty = tls_request(
        &acs,
        &der,
        &format!(
            "POST /acs HTTP/1.1\r\nHost: {acs}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
    );
    assert_eq!(empty.status, 204);
    // Plain HTTP to a TLS listener gets nothing it could mistake for an answer.
    let mut stream = TcpStream::connect(&app).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let _ = write!(stream, "GET /api/health HTTP/1.1\r\nHost: {app}\r\n\r\n");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    assert!(!String::from_utf8_lossy(&response).contains("ok"));
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_relay_with_an_event_stream_open() {
    let mut server =
        start("access-shutdown", &[OsStr::new("--shutdown-timeout"), OsStr::new("30")]);
    let mut stream = TcpStream::connect(&server.app).unwrap();
    write!(stream, "GET /api/events HTTP/1.1\r\nHost: {}\r\n{}\r\n", server.app, server.bearer())
        .unwrap();
    let mut status = String::new();
    BufReader::new(&stream).read_line(&mut status).unwrap();
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    let interrupted =
        Command::new("kill").args(["-INT", &server.child.id().to_string()]).status().unwrap();
    assert!(interrupted.success());
    // Far below the 30 s deadline: the stream ends at once rather than hold the relay up. The
    // bound is only there so that a relay that never stops fails the test instead of hanging it.
    let started = Instant::now();
    let exit = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > Duration::from_secs(25) {
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let exit = exit.expect("the relay did not stop on SIGINT with an event stream open");
    assert!(exit.success(), "{exit:?}");
    let mut rest = String::new();
    while let Some(line) = server.next_line() {
        rest.push_str(&line);
    }
    assert!(rest.contains("shutting down"), "{rest}");
}
