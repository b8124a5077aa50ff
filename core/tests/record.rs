//! The recorder's pcapng read back by core's own pipeline: real exchanges recorded give the same
//! sessions, messages and device, and no secret reaches the file.

// The test is the host, not core: it reads corpus files.
#![allow(clippy::disallowed_methods)]

use cwmpkit_core::Timestamp;
use cwmpkit_core::capture::record::{Exchange, Recorder, RecorderOptions};
use cwmpkit_core::capture::{self, InputKind, Options};
use cwmpkit_core::cwmp::secrets::mask_secrets;
use cwmpkit_core::pipeline;
use cwmpkit_core::session::{Report, Session};
use std::net::SocketAddr;
use std::time::Duration;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/");

fn corpus(path: &str) -> Vec<u8> {
    std::fs::read(format!("{CORPUS}{path}")).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// What a session is, for comparing two decodes: device, addresses, events, messages in
/// order (method, direction, time, cwmp:ID, challenged), exchanges and whether it ended.
fn shape(session: &Session) -> String {
    let messages: Vec<String> = session
        .messages
        .iter()
        .map(|m| {
            format!(
                "{} {:?} {:?} {:?} challenged={}",
                m.rpc,
                m.direction,
                m.time.map(|t| t.to_string()),
                m.cwmp_id,
                m.challenged
            )
        })
        .collect();
    let exchanges: Vec<String> = session
        .exchanges
        .iter()
        .map(|e| format!("{} {:?} {} {:?}", e.kind, e.direction, e.summary, e.status))
        .collect();
    format!(
        "cpe {:?}\n{:?} → {:?}\nevents {:?}\nended {}\n{}\n{}",
        session.cpe,
        session.cpe_address,
        session.acs_address,
        session.events,
        session.ended,
        messages.join("\n"),
        exchanges.join("\n"),
    )
}

fn decode(bytes: &[u8]) -> Report {
    pipeline::analyze(bytes, &Options::default()).unwrap()
}

#[test]
fn the_magma_capture_recorded_again_decodes_to_the_same_sessions() {
    let original = corpus("pcap/magma/dp_enb_tr069.pcap");
    let revealed = Options { reveal_secrets: true, ..Options::default() };
    let capture = capture::decode(&original, &revealed).unwrap();
    // Every request with its response, across the three keep-alive connections, in time order.
    let mut exchanges = Vec::new();
    for connection in &capture.connections {
        for pair in connection.messages.chunks(2) {
            let [request, response] = pair else { panic!("a request without its response") };
            let wire = |m: &capture::HttpMessage| {
                let mut bytes = m.head_text().into_bytes();
                bytes.extend_from_slice(b"\r\n");
                bytes.extend_from_slice(&m.body);
                bytes
            };
            exchanges.push((
                connection.client.unwrap(),
                connection.server.unwrap(),
                request.time.unwrap(),
                response.time.unwrap(),
                wire(request),
                wire(response),
            ));
        }
    }
    exchanges.sort_by_key(|e| e.2);
    assert_eq!(exchanges.len(), 17);
    let cloud_key = "<Value xsi:type=\"xsd:string\">0U0FCN</Value>";
    assert!(contains(&original, cloud_key));

    let mut recorder = Recorder::new(RecorderOptions {
        idle_close: Duration::from_secs(3600),
        ..Default::default()
    });
    let mut recording = Vec::new();
    for (cpe, acs, request_time, response_time, request, response) in &exchanges {
        let exchange = Exchange {
            cpe: *cpe,
            acs: *acs,
            request_time: *request_time,
            response_time: *response_time,
            request,
            response,
        };
        recorder.record(&exchange, &mut recording).unwrap();
    }
    let end = exchanges.last().unwrap().3;
    recorder.finish_file(end, &mut recording);

    assert_eq!(capture::detect(&recording), Some(InputKind::Pcapng));
    assert!(!contains(&recording, cloud_key));
    // The CPE's Basic credentials, as sent, are not in it.
    let sent_credentials: Vec<&str> = capture
        .connections
        .iter()
        .flat_map(|c| &c.messages)
        .filter_map(|m| m.header("authorization"))
        .collect();
    assert!(!sent_credentials.is_empty());
    for credential in sent_credentials {
        assert!(!contains(&recording, credential), "{credential}");
    }
    let expected = decode(&original);
    let got = decode(&recording);
    assert!(got.diagnostics.is_empty(), "{:#?}", got.diagnostics);
    assert_eq!(got.sessions.len(), expected.sessions.len());
    assert!(!got.sessions.is_empty());
    for (got, expected) in got.sessions.iter().zip(&expected.sessions) {
        assert_eq!(shape(got), shape(expected));
        assert_eq!(got.connections.len(), expected.connections.len());
        // The same bodies, byte for byte, but for the secrets masked (the Inform's
        // X_COM_CloudKey).
        for (a, b) in got.messages.iter().zip(&expected.messages) {
            let masked = mask_secrets(b.raw.body.as_bytes());
            assert_eq!(a.raw.body.as_bytes(), &masked[..], "{}", a.rpc);
        }
    }
    // Frames: each connection's handshake and close, and every segment within one MSS.
    let frames = capture::decode(&recording, &Options::default()).unwrap();
    assert_eq!(frames.connections.len(), 3);
    assert!(frames.diagnostics.is_empty(), "{:#?}", frames.diagnostics);
}

const SIP_PASSWORD: &str = "sip-Secret-4711";
const DIGEST_RESPONSE: &str = "6629fae49393a05397450978507c4ef1";
const SESSION_TOKEN: &str = "3f9c0e5a7b1d24c68e0f";

fn post(body: &[u8], authorization: bool, cookie: bool) -> Vec<u8> {
    let mut head = String::from("POST /acs HTTP/1.1\r\nHost: acs.example:7547\r\n");
    head.push_str("Content-Type: text/xml; charset=utf-8\r\n");
    if authorization {
        head.push_str(&format!(
            "Authorization: Digest username=\"fleet\", realm=\"cwmpkit\", nonce=\"n1\", uri=\"/acs\", response=\"{DIGEST_RESPONSE}\", qop=auth, nc=00000001, cnonce=\"c1\"\r\n"
        ));
    }
    if cookie {
        head.push_str(&format!("Cookie: cwmpkit-session={SESSION_TOKEN}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn reply(status: &str, body: &[u8], set_cookie: bool) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {status}\r\n");
    if status.starts_with("401") {
        head.push_str("WWW-Authenticate: Digest realm=\"cwmpkit\", nonce=\"n1\", qop=\"auth\"\r\n");
    }
    if !body.is_empty() {
        head.push_str("Content-Type: text/xml; charset=utf-8\r\n");
    }
    if set_cookie {
        head.push_str(&format!(
            "Set-Cookie: cwmpkit-session={SESSION_TOKEN}; Path=/; HttpOnly\r\n"
        ));
    }
    if !status.starts_with("204") {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

#[test]
fn a_live_session_keeps_its_device_and_messages_and_loses_its_secrets() {
    let samples = "soap/cwmp_ex/inline-test-samples/";
    let inform = corpus("soap/cwmp_ex/inform-2601.xml");
    let inform_response = corpus(&format!("{samples}inform_response--sample.xml"));
    let set_values =
        String::from_utf8(corpus(&format!("{samples}set_parameter_values--sample.xml")))
            .unwrap()
            .replacen(
                "Device.Test<",
                "Device.Services.VoiceService.1.VoiceProfile.1.Line.1.SIP.AuthPassword<",
                1,
            )
            .replacen(">Foo<", &format!(">{SIP_PASSWORD}<"), 1)
            .into_bytes();
    let set_values_response =
        corpus(&format!("{samples}set_parameter_values_response--sample.xml"));
    let download = corpus(&format!("{samples}download--sample.xml"));
    assert!(contains(&download, "<Password>pass</Password>"));
    let download_response = corpus(&format!("{samples}download_response--sample.xml"));

    let acs: SocketAddr = "192.0.2.1:7547".parse().unwrap();
    let first: SocketAddr = "198.51.100.20:40001".parse().unwrap();
    // The CPE comes back on a new connection with the session's cookie.
    let second: SocketAddr = "198.51.100.20:40002".parse().unwrap();
    let exchanges: Vec<(SocketAddr, Vec<u8>, Vec<u8>)> = vec![
        (
            first,
            post(&inform, false, false),
            reply("401 Unauthorized", b"authentication required\n", false),
        ),
        (first, post(&inform, true, false), reply("200 OK", &inform_response, true)),
        (first, post(b"", true, true), reply("200 OK", &set_values, false)),
        (second, post(&set_values_response, true, true), reply("200 OK", &download, false)),
        (second, post(&download_response, true, true), reply("204 No Content", b"", false)),
    ];
    let mut recorder = Recorder::new(RecorderOptions::default());
    let mut recording = Vec::new();
    let base = 1_764_900_000_000_000_000i128;
    for (index, (cpe, request, response)) in exchanges.iter().enumerate() {
        let at = base + index as i128 * 40_000_000;
        let exchange = Exchange {
            cpe: *cpe,
            acs,
            request_time: Timestamp::from_unix_nanos(at),
            response_time: Timestamp::from_unix_nanos(at + 3_000_000),
            request,
            response,
        };
        recorder.record(&exchange, &mut recording).unwrap();
    }
    recorder.finish_file(Timestamp::from_unix_nanos(base + 1_000_000_000), &mut recording);

    for secret in [SIP_PASSWORD, DIGEST_RESPONSE, SESSION_TOKEN, "<Password>pass<"] {
        assert!(!contains(&recording, secret), "{secret} is in the recording");
    }
    assert!(contains(&recording, "Authorization: Digest ********"));

    let report = decode(&recording);
    assert_eq!(report.sessions.len(), 1, "{:#?}", report.sessions);
    let session = &report.sessions[0];
    let cpe = session.cpe.as_ref().unwrap();
    assert_eq!(
        (cpe.oui.as_str(), cpe.product_class.as_str(), cpe.serial_number.as_str()),
        ("EC43F6", "P-2601HN-F1", "EC43F69AF408")
    );
    assert_eq!(session.cpe_address, Some(first));
    assert_eq!(session.acs_address, Some(acs));
    assert_eq!(session.connections.len(), 2, "the cookie's pseudonym joins both connections");
    let rpcs: Vec<(&str, bool)> =
        session.messages.iter().map(|m| (&*m.rpc, m.challenged)).collect();
    assert_eq!(
        rpcs,
        [
            ("Inform", true),
            ("Inform", false),
            ("InformResponse", false),
            ("SetParameterValues", false),
            ("SetParameterValuesResponse", false),
            ("Download", false),
            ("DownloadResponse", false),
        ]
    );
    // The masked SPV still decodes, its value masked; the other parameter is as sent.
    let spv = &session.messages[3];
    assert!(spv.raw.body.contains(">********</Value>"), "{}", spv.raw.body);
    assert!(spv.raw.body.contains("Device.Test.Whatever"));
    let credentials = session.messages[1].credentials.as_ref().unwrap();
    assert_eq!(credentials.scheme, "Digest");
}

#[test]
fn ipv6_exchanges_and_big_bodies_read_back_exactly() {
    // A GetParameterValuesResponse of a whole data model: many segments per message.
    let response_body = corpus("soap/freeacs/GetParameterValuesResponse.xml");
    let mut body = Vec::new();
    while body.len() < 200_000 {
        body.extend_from_slice(&response_body);
    }
    let request = post(&body, false, false);
    let response = reply("204 No Content", b"", false);
    for (cpe, acs) in [
        ("[2001:db8::7]:50000", "[2001:db8::1]:7547"),
        ("[::ffff:192.0.2.7]:50000", "192.0.2.1:7547"),
    ] {
        let (cpe, acs): (SocketAddr, SocketAddr) = (cpe.parse().unwrap(), acs.parse().unwrap());
        let mut recorder = Recorder::new(RecorderOptions::default());
        let mut recording = Vec::new();
        let exchange = Exchange {
            cpe,
            acs,
            request_time: Timestamp::from_unix_nanos(1_000_000_000),
            response_time: Timestamp::from_unix_nanos(2_000_000_000),
            request: &request,
            response: &response,
        };
        recorder.record(&exchange, &mut recording).unwrap();
        let decoded = capture::decode(&recording, &Options::default()).unwrap();
        assert!(decoded.diagnostics.is_empty(), "{:#?}", decoded.diagnostics);
        let [connection] = &decoded.connections[..] else { panic!("{:#?}", decoded.connections) };
        assert_eq!(connection.client.map(|c| c.port()), Some(50000));
        assert_eq!(connection.messages.len(), 2);
        assert_eq!(connection.messages[0].body, body);
        assert_eq!(connection.messages[1].status(), Some(204));
        // 200 KB in segments of one MSS, each frame within an Ethernet MTU.
        assert!(decoded.frames > 100, "{} frames", decoded.frames);
    }
}

#[test]
fn overlapping_sessions_recorded_as_they_finish_decode_per_device() {
    // Two CPEs in session at once; the relay records each exchange when its response leaves, so
    // the file's packets are not in time order across connections.
    let inform = String::from_utf8(corpus("soap/cwmp_ex/inform-2601.xml")).unwrap();
    let other = inform.replace("EC43F69AF408", "EC43F6000002");
    let inform_response = corpus("soap/cwmp_ex/inline-test-samples/inform_response--sample.xml");
    let acs: SocketAddr = "192.0.2.1:7547".parse().unwrap();
    let one: SocketAddr = "198.51.100.1:40000".parse().unwrap();
    let two: SocketAddr = "198.51.100.2:40000".parse().unwrap();
    let second = 1_000_000_000i128;
    // (cpe, request at, response at, request, response), in the order the responses left.
    let exchanges = [
        (
            two,
            2 * second,
            3 * second,
            post(other.as_bytes(), false, false),
            reply("200 OK", &inform_response, false),
        ),
        (
            one,
            second,
            4 * second,
            post(inform.as_bytes(), false, false),
            reply("200 OK", &inform_response, false),
        ),
        (two, 5 * second, 6 * second, post(b"", false, false), reply("204 No Content", b"", false)),
        (
            one,
            4 * second + 1,
            7 * second,
            post(b"", false, false),
            reply("204 No Content", b"", false),
        ),
    ];
    let mut recorder = Recorder::new(RecorderOptions::default());
    let mut recording = Vec::new();
    for (cpe, request_at, response_at, request, response) in &exchanges {
        let exchange = Exchange {
            cpe: *cpe,
            acs,
            request_time: Timestamp::from_unix_nanos(*request_at),
            response_time: Timestamp::from_unix_nanos(*response_at),
            request,
            response,
        };
        recorder.record(&exchange, &mut recording).unwrap();
    }
    recorder.finish_file(Timestamp::from_unix_nanos(8 * second), &mut recording);
    let report = decode(&recording);
    let mut devices: Vec<(String, Vec<String>, bool)> = report
        .sessions
        .iter()
        .map(|s| {
            let serial = s.cpe.as_ref().map(|c| c.serial_number.clone()).unwrap_or_default();
            (serial, s.messages.iter().map(|m| m.rpc.to_string()).collect(), s.ended)
        })
        .collect();
    devices.sort();
    let rpcs = vec!["Inform".to_owned(), "InformResponse".to_owned()];
    assert_eq!(
        devices,
        [("EC43F6000002".to_owned(), rpcs.clone(), true), ("EC43F69AF408".to_owned(), rpcs, true),]
    );
}

/// A connection request's GET as an ACS sends it, with a Digest answer when `answering`.
fn connection_request_get(target: &str, answering: bool) -> Vec<u8> {
    let mut head = format!("GET {target} HTTP/1.1\r\nHost: 198.51.100.7:7547\r\n");
    if answering {
        head.push_str(&format!(
            "Authorization: Digest username=\"acs\", realm=\"cpe\", nonce=\"n1\", uri=\"{target}\", response=\"{DIGEST_RESPONSE}\"\r\n"
        ));
    }
    head.push_str("Connection: close\r\n\r\n");
    head.into_bytes()
}

#[test]
fn a_challenge_answered_on_a_new_connection_is_one_connection_request() {
    // The relay (like GenieACS) answers a CPE's 401 on a new connection: two GETs, one request.
    // Neither a GET long after the challenge, nor one to another target, nor one without
    // credentials answers it.
    let acs = |port: u16| SocketAddr::from(([192, 0, 2, 1], port));
    let cpe = |host: u8| SocketAddr::from(([198, 51, 100, host], 7547));
    let ms = 1_000_000i128;
    // (ACS end, CPE, sent at, target, with credentials, status)
    let gets = [
        (acs(50001), cpe(7), 1_000, "/cr", false, "401 Unauthorized"),
        (acs(50002), cpe(7), 1_050, "/cr", true, "200 OK"),
        (acs(50003), cpe(8), 2_000, "/cr", false, "401 Unauthorized"),
        (acs(50004), cpe(8), 30_000, "/cr", true, "204 No Content"),
        (acs(50005), cpe(9), 3_000, "/cr", false, "401 Unauthorized"),
        (acs(50006), cpe(9), 3_100, "/other", true, "200 OK"),
        (acs(50007), cpe(10), 4_000, "/cr", false, "401 Unauthorized"),
        (acs(50008), cpe(10), 4_100, "/cr", false, "401 Unauthorized"),
    ];
    let built: Vec<(Vec<u8>, Vec<u8>)> = gets
        .iter()
        .map(|(_, _, _, target, answering, status)| {
            (connection_request_get(target, *answering), reply(status, b"", false))
        })
        .collect();
    let exchanges = gets.iter().zip(&built).map(|((from, to, at, ..), (request, response))| {
        Exchange {
            // The recorder's roles: the client (here the ACS) is `cpe`.
            cpe: *from,
            acs: *to,
            request_time: Timestamp::from_unix_nanos(at * ms),
            response_time: Timestamp::from_unix_nanos(at * ms + 5 * ms),
            request,
            response,
        }
    });
    let (recording, refused) = cwmpkit_core::capture::record::capture_of(
        exchanges,
        RecorderOptions::default(),
        Timestamp::from_unix_nanos(60_000 * ms),
    );
    assert!(refused.is_empty());
    let report = decode(&recording);
    let mut found: Vec<(String, String, Vec<u16>, Option<String>)> = report
        .connection_requests
        .iter()
        .map(|request| {
            (
                request.cpe.unwrap().to_string(),
                request.target.clone(),
                request.statuses.clone(),
                request.credentials.as_ref().map(|c| c.scheme.to_string()),
            )
        })
        .collect();
    found.sort();
    let expected = [
        ("198.51.100.10:7547", "/cr", vec![401], None),
        ("198.51.100.10:7547", "/cr", vec![401], None),
        ("198.51.100.7:7547", "/cr", vec![401, 200], Some("Digest")),
        ("198.51.100.8:7547", "/cr", vec![204], Some("Digest")),
        ("198.51.100.8:7547", "/cr", vec![401], None),
        ("198.51.100.9:7547", "/cr", vec![401], None),
        ("198.51.100.9:7547", "/other", vec![200], Some("Digest")),
    ];
    let expected: Vec<(String, String, Vec<u16>, Option<String>)> = expected
        .into_iter()
        .map(|(cpe, target, statuses, scheme)| {
            (cpe.to_owned(), target.to_owned(), statuses, scheme.map(str::to_owned))
        })
        .collect();
    assert_eq!(found, expected, "{:#?}", report.connection_requests);
    let joined = report.connection_requests.iter().find(|r| r.statuses == [401, 200]).unwrap();
    assert_eq!(joined.time, Some(Timestamp::from_unix_nanos(1_000 * ms)), "the challenge's time");
    assert_eq!(joined.acs, Some(acs(50001)));
}

#[test]
fn idle_connections_and_those_past_the_cap_are_closed_oldest_first() {
    let acs: SocketAddr = "192.0.2.1:7547".parse().unwrap();
    let cpe = |n: u16| -> SocketAddr { format!("198.51.100.{n}:40000").parse().unwrap() };
    let second = 1_000_000_000i128;
    let at = |seconds: i128| Timestamp::from_unix_nanos(seconds * second / 2);
    let request = post(b"", false, false);
    let response = reply("204 No Content", b"", false);
    let mut recorder = Recorder::new(RecorderOptions {
        idle_close: Duration::from_secs(10),
        max_open_connections: 3,
        ..RecorderOptions::default()
    });
    let mut out = Vec::new();
    let mut record = |recorder: &mut Recorder, n: u16, half_seconds: i128| {
        let time = at(half_seconds);
        let exchange = Exchange {
            cpe: cpe(n),
            acs,
            request_time: time,
            response_time: time,
            request: &request,
            response: &response,
        };
        recorder.record(&exchange, &mut out).unwrap();
        recorder.open_connections()
    };
    // Times in half seconds: 1, 2 and 3 open at 0 s, 1 s and 2 s.
    assert_eq!(record(&mut recorder, 1, 0), 1);
    assert_eq!(record(&mut recorder, 2, 2), 2);
    assert_eq!(record(&mut recorder, 3, 4), 3);
    // A fourth at 3 s: past the cap, the longest idle (1) closes at its last activity.
    assert_eq!(record(&mut recorder, 4, 6), 3);
    // 2 is active again at 4 s, so 3 (2 s) and 4 (3 s) are now the oldest.
    assert_eq!(record(&mut recorder, 2, 8), 3);
    // At 13.5 s, 3 and 4 have been idle for more than 10 s and close (at 12 s and 13 s); 2
    // (9.5 s idle) stays open, and 5 opens.
    assert_eq!(record(&mut recorder, 5, 27), 2);
    let end = at(40);
    recorder.finish_file(end, &mut out);
    assert_eq!(recorder.open_connections(), 0);

    let frames = capture::decode(&out, &Options::default()).unwrap();
    assert!(frames.diagnostics.is_empty(), "{:#?}", frames.diagnostics);
    let ends: Vec<(SocketAddr, Option<Timestamp>)> =
        frames.connections.iter().map(|c| (c.client.unwrap(), c.end)).collect();
    let end_of = |n: u16| {
        let ends: Vec<_> = ends.iter().filter(|(client, _)| *client == cpe(n)).collect();
        assert_eq!(ends.len(), 1, "one connection from CPE {n}: {ends:?}");
        ends[0].1
    };
    assert_eq!(end_of(1), Some(at(0)));
    assert_eq!(end_of(3), Some(at(24)));
    assert_eq!(end_of(4), Some(at(26)));
    assert_eq!(end_of(2), Some(end));
    assert_eq!(end_of(5), Some(end));
}
