//! GenieACS debug logs (`GENIEACS_DEBUG_FILE`) in both formats, written here the way GenieACS's
//! `lib/debug.ts` and its YAML writer lay records out, around SOAP bodies from the corpus.

// The test is the host, not core: it reads corpus files.
#![allow(clippy::disallowed_methods)]

use cwmpkit_core::capture::{self, InputKind, Options};
use cwmpkit_core::pipeline;
use cwmpkit_core::session::{Direction, Report};
use serde_json::{Value, json};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");

fn corpus(path: &str) -> String {
    std::fs::read_to_string(format!("{CORPUS}/{path}")).unwrap()
}

const CPE: &str = "::ffff:192.0.2.10";
const OPENED: &str = "2024-03-01T10:00:00.000Z";

fn inform_response() -> String {
    r#"<?xml version="1.0" encoding="UTF-8"?>
<soap-env:Envelope xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">1</cwmp:ID></soap-env:Header><soap-env:Body><cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse></soap-env:Body></soap-env:Envelope>"#.into()
}

fn get_parameter_values() -> String {
    r#"<?xml version="1.0" encoding="UTF-8"?>
<soap-env:Envelope xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">2</cwmp:ID></soap-env:Header><soap-env:Body><cwmp:GetParameterValues><ParameterNames soap-enc:arrayType="xsd:string[1]"><string>InternetGatewayDevice.DeviceInfo.</string></ParameterNames></cwmp:GetParameterValues></soap-env:Body></soap-env:Envelope>"#.into()
}

fn at(seconds: u32) -> String {
    format!("2024-03-01T10:00:{seconds:02}.250Z")
}

fn request(seconds: u32, headers: Value, body: &str) -> Value {
    json!({
        "event": "incoming HTTP request", "timestamp": at(seconds), "remoteAddress": CPE,
        "deviceId": "00259E-EG8145V5-48575443A94196A5", "connection": OPENED, "localPort": 7547,
        "method": "POST", "url": "/", "headers": headers, "body": body,
    })
}

fn response(seconds: u32, status: u16, headers: Value, body: &str) -> Value {
    json!({
        "event": "outgoing HTTP response", "timestamp": at(seconds), "remoteAddress": CPE,
        "deviceId": "00259E-EG8145V5-48575443A94196A5", "connection": OPENED, "statusCode": status,
        "headers": headers, "body": body,
    })
}

/// A session (Inform, cookie, empty POST, GPV, 204), a connection request answered by a 401 and
/// then a 200, a failed connection request, a UDP connection request and a client error.
fn records() -> Vec<Value> {
    let inform = corpus("soap/freeacs/Inform.xml");
    let gpv_response = corpus("soap/freeacs/GetParameterValuesResponse.xml");
    let cookie = "session=5f0c2a";
    vec![
        request(
            1,
            json!({"host": "acs.example:7547", "content-type": "text/xml; charset=\"utf-8\"",
                   "content-length": inform.len().to_string(),
                   "authorization": "Basic Y3BlOnNlY3JldA=="}),
            &inform,
        ),
        response(
            1,
            200,
            json!({"content-type": "text/xml; charset=\"utf-8\"", "soapserver": "GenieACS/1.2.13",
                   "content-length": inform_response().len(),
                   "set-cookie": [format!("{cookie}; Path=/"), "other=1"]}),
            &inform_response(),
        ),
        request(2, json!({"content-length": "0", "cookie": format!("{cookie}; other=1")}), ""),
        response(
            2,
            200,
            json!({"content-length": get_parameter_values().len()}),
            &get_parameter_values(),
        ),
        request(
            3,
            // The CPE counts its body short by 3: the log shows the mismatch.
            json!({"content-length": (gpv_response.len() - 3).to_string(), "cookie": cookie}),
            &gpv_response,
        ),
        response(3, 204, json!({"content-length": 0}), ""),
        json!({
            "event": "outgoing HTTP request", "timestamp": at(10), "remoteAddress": "192.0.2.10",
            "deviceId": "00259E-EG8145V5-48575443A94196A5", "connection": "2024-03-01T10:00:10.000Z",
            "remotePort": "7547", "method": "GET", "url": "/cr?x=1", "headers": {}, "body": "",
        }),
        json!({
            "event": "incoming HTTP response", "timestamp": at(10), "remoteAddress": "192.0.2.10",
            "deviceId": "00259E-EG8145V5-48575443A94196A5", "connection": "2024-03-01T10:00:10.000Z",
            "statusCode": 401, "headers": {"www-authenticate": "Digest realm=\"cpe\", nonce=\"n\""},
            "body": "",
        }),
        json!({
            "event": "outgoing HTTP request", "timestamp": at(11), "remoteAddress": "192.0.2.10",
            "deviceId": "00259E-EG8145V5-48575443A94196A5", "connection": "2024-03-01T10:00:10.000Z",
            "remotePort": "7547", "method": "GET", "url": "/cr?x=1",
            "headers": {"authorization": "Digest username=\"acs\", realm=\"cpe\", nonce=\"n\", response=\"r\""},
            "body": "",
        }),
        json!({
            "event": "incoming HTTP response", "timestamp": at(11), "remoteAddress": "192.0.2.10",
            "deviceId": "00259E-EG8145V5-48575443A94196A5", "connection": "2024-03-01T10:00:10.000Z",
            "statusCode": 200, "headers": {}, "body": "",
        }),
        json!({
            "event": "outgoing HTTP request", "timestamp": at(20), "remoteAddress": "192.0.2.99",
            "deviceId": "202BC1-BM632w-000000", "connection": null, "remotePort": "7547",
            "method": "GET", "url": "/", "headers": {}, "error": "connect ECONNREFUSED 192.0.2.99:7547",
        }),
        json!({
            "event": "outgoing UDP message", "timestamp": at(21), "remoteAddress": "192.0.2.10",
            "deviceId": "00259E-EG8145V5-48575443A94196A5", "remotePort": 7547,
            "body": "GET http://192.0.2.10:7547?ts=1709287221&id=1&un=acs&cn=abc&sig=0f HTTP/1.1\r\nHost: 192.0.2.10:7547\r\n\r\n",
        }),
        json!({"event": "client error", "timestamp": at(22), "remoteAddress": "192.0.2.77", "error": "Parse Error: Invalid method encountered"}),
    ]
}

/// Top-level keys in the order `lib/debug.ts` builds its records.
const ORDER: [&str; 13] = [
    "event",
    "timestamp",
    "remoteAddress",
    "deviceId",
    "connection",
    "localPort",
    "remotePort",
    "method",
    "url",
    "statusCode",
    "headers",
    "body",
    "error",
];

fn ordered(record: &Value) -> Vec<(&'static str, &Value)> {
    ORDER.iter().filter_map(|k| record.get(*k).map(|v| (*k, v))).collect()
}

fn json_log() -> String {
    records()
        .iter()
        .map(|r| {
            let fields: Vec<String> = ordered(r)
                .iter()
                .map(|(k, v)| format!("{}:{}", serde_json::to_string(k).unwrap(), v))
                .collect();
            format!("{{{}}}\n", fields.join(","))
        })
        .collect()
}

// --- A YAML writer with GenieACS's layout: two-space indents, `key: ` before nested blocks,
// `- ` items, JSON-quoted strings where a plain one would be misread, `|`/`>` blocks with `-`/`+`
// chomping, and folding of lines longer than 80 columns at single spaces.

fn yaml_log() -> String {
    records().iter().map(|r| format!("---\n{}", yaml_document(r))).collect()
}

fn yaml_document(record: &Value) -> String {
    let mut lines = Vec::new();
    for (key, value) in ordered(record) {
        write_value(value, &mut lines, &format!("{key}: "), "  ");
    }
    lines.join("\n") + "\n"
}

fn quoted_if_needed(text: &str) -> String {
    let special =
        text.starts_with(|c: char| c.is_whitespace() || "-?:,[]{}#&$!|>'\"%@`".contains(c));
    if text.trim().is_empty()
        || ["true", "false", "null", "True", "False", "Null", "TRUE", "FALSE", "NULL"]
            .contains(&text)
        || special
        || text.contains(": ")
        || text.contains(" #")
        || text.ends_with(char::is_whitespace)
        || text.parse::<f64>().is_ok()
        || text.chars().any(|c| c.is_control() && c != '\t')
    {
        serde_json::to_string(text).unwrap()
    } else {
        text.to_string()
    }
}

fn fold_line(line: &str) -> Vec<String> {
    if line.len() <= 80 || line.starts_with(' ') {
        return vec![line.to_string()];
    }
    let bytes = line.as_bytes();
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut candidate = None;
    for i in 1..bytes.len().saturating_sub(1) {
        // Only a single space between two non-spaces can be folded.
        if bytes[i] != b' ' || bytes[i - 1] == b' ' || bytes[i + 1] == b' ' {
            continue;
        }
        if i - start > 80
            && let Some(c) = candidate
        {
            pieces.push(line[start..c].to_string());
            start = c + 1;
        }
        candidate = Some(i).filter(|&c| c > start);
    }
    if line.len() - start > 80
        && let Some(c) = candidate
    {
        pieces.push(line[start..c].to_string());
        start = c + 1;
    }
    pieces.push(line[start..].to_string());
    pieces
}

fn write_string(text: &str, lines: &mut Vec<String>, prefix1: &str, prefix2: &str) {
    let indent = if prefix2.is_empty() { "  " } else { prefix2 };
    let mut parts: Vec<&str> = text.split('\n').collect();
    if parts.len() == 1 || text.trim().is_empty() {
        lines.push(format!("{prefix1}{}", quoted_if_needed(text)));
        return;
    }
    let mut chomp = "-";
    if parts.last() == Some(&"") {
        parts.pop();
        chomp = if parts.last().is_some_and(|l| !l.is_empty()) { "" } else { "+" };
    }
    let indicator = if parts.iter().find(|l| !l.is_empty()).is_some_and(|l| l.starts_with(' ')) {
        "2"
    } else {
        ""
    };
    let folded: Vec<Vec<String>> = parts.iter().map(|l| fold_line(l)).collect();
    if folded.iter().all(|f| f.len() == 1) {
        lines.push(format!("{prefix1}|{indicator}{chomp}"));
        lines.extend(
            parts.iter().map(|l| if l.is_empty() { String::new() } else { format!("{indent}{l}") }),
        );
        return;
    }
    lines.push(format!("{prefix1}>{indicator}{chomp}"));
    for (index, pieces) in folded.iter().enumerate() {
        if index > 0 {
            let previous = &folded[index - 1][0];
            if !previous.is_empty() && !previous.starts_with(' ') {
                lines.push(String::new());
            }
        }
        lines.extend(pieces.iter().map(|p| format!("{indent}{p}")));
    }
}

fn write_value(value: &Value, lines: &mut Vec<String>, prefix1: &str, prefix2: &str) {
    let key = |k: &str| {
        if k.contains(": ") || k.starts_with('"') {
            serde_json::to_string(k).unwrap()
        } else {
            k.to_string()
        }
    };
    match value {
        Value::Null => lines.push(format!("{prefix1}null")),
        Value::Bool(_) | Value::Number(_) => lines.push(format!("{prefix1}{value}")),
        // Dates are printed bare by GenieACS; the test's ISO strings stand for them.
        Value::String(text) if text.ends_with('Z') && text.starts_with("2024-") => {
            lines.push(format!("{prefix1}{text}"));
        }
        Value::String(text) => write_string(text, lines, prefix1, prefix2),
        Value::Array(items) if items.is_empty() => lines.push(format!("{prefix1}[]")),
        Value::Object(map) if map.is_empty() => lines.push(format!("{prefix1}{{}}")),
        Value::Array(items) => {
            lines.push(prefix1.to_string());
            for item in items {
                write_value(item, lines, &format!("{prefix2}- "), &format!("{prefix2}  "));
            }
        }
        Value::Object(map) => {
            let (first_prefix, child_prefix) = if prefix1.is_empty() {
                (String::new(), format!("{prefix2}  "))
            } else {
                lines.push(prefix1.to_string());
                (prefix2.to_string(), format!("{prefix2}  "))
            };
            for (k, v) in map {
                write_value(v, lines, &format!("{first_prefix}{}: ", key(k)), &child_prefix);
            }
        }
    }
}

fn check_report(report: &Report) {
    assert_eq!(report.input, InputKind::GenieacsLog);
    assert_eq!(report.sessions.len(), 1, "{:#?}", report.sessions);
    let session = &report.sessions[0];
    let rpcs: Vec<(&str, Direction)> =
        session.messages.iter().map(|m| (&*m.rpc, m.direction)).collect();
    assert_eq!(
        rpcs,
        [
            ("Inform", Direction::CpeToAcs),
            ("InformResponse", Direction::AcsToCpe),
            ("GetParameterValues", Direction::AcsToCpe),
            ("GetParameterValuesResponse", Direction::CpeToAcs),
        ]
    );
    for message in &session.messages {
        assert!(message.envelope.is_some(), "{}: {:?}", message.rpc, message.diagnostics);
    }
    let kinds: Vec<&str> = session.exchanges.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["empty-post", "session-end"]);
    assert!(session.ended);
    assert_eq!(session.cpe_address.unwrap().ip().to_string(), "192.0.2.10");
    assert_eq!(session.start.unwrap().to_string(), "2024-03-01T10:00:01.250000000Z");
    // The Basic password is masked, the user kept.
    let credentials = session.messages[0].credentials.as_ref().unwrap();
    assert_eq!(credentials.username.as_deref(), Some("cpe"));
    assert_eq!(credentials.password.as_deref(), Some("********"));
    // The lying Content-Length shows on the message that carried it.
    assert!(session.messages[3].diagnostics.iter().any(|d| d.code == "content-length-mismatch"));
    assert!(session.messages[0].diagnostics.iter().all(|d| d.code != "content-length-mismatch"));
    // The connection request: a 401 challenge, then a 200, with the ACS's Digest user.
    let requests = &report.connection_requests;
    assert_eq!(requests.len(), 2, "{requests:#?}");
    assert_eq!(requests[0].statuses, [401, 200]);
    assert_eq!(requests[0].cpe.unwrap().to_string(), "192.0.2.10:7547");
    assert_eq!(requests[0].credentials.as_ref().unwrap().username.as_deref(), Some("acs"));
    assert!(requests[1].statuses.is_empty());
    assert!(report.diagnostics.iter().any(|d| d.message.contains("ECONNREFUSED")));
    assert!(report.diagnostics.iter().any(|d| d.message.contains("Invalid method")));
    let udp = &report.udp_connection_requests;
    assert_eq!(udp.len(), 1);
    assert_eq!(udp[0].username.as_deref(), Some("acs"));
    assert_eq!(udp[0].destination.to_string(), "192.0.2.10:7547");
}

#[test]
fn a_json_debug_log_gives_the_session_and_the_connection_requests() {
    let log = json_log();
    assert_eq!(capture::detect(log.as_bytes()), Some(InputKind::GenieacsLog));
    check_report(&pipeline::analyze(log.as_bytes(), &Options::default()).unwrap());
}

#[test]
fn a_yaml_debug_log_gives_the_same_report_as_the_json_one() {
    let log = yaml_log();
    // The writer above must have exercised what GenieACS writes: folded and literal blocks.
    assert!(log.contains("body: >-\n") && log.contains("\"::ffff:192.0.2.10\""), "{log}");
    assert!(log.contains("  set-cookie: \n    - "), "{log}");
    assert_eq!(capture::detect(log.as_bytes()), Some(InputKind::GenieacsLog));
    let yaml = pipeline::analyze(log.as_bytes(), &Options::default()).unwrap();
    check_report(&yaml);
    let json = pipeline::analyze(json_log().as_bytes(), &Options::default()).unwrap();
    // Byte for byte the same bodies, hence the same sessions (only byte offsets differ).
    let (yaml, json) = (serde_json::to_value(&yaml).unwrap(), serde_json::to_value(&json).unwrap());
    for part in ["sessions", "connection_requests", "udp_connection_requests"] {
        assert_eq!(yaml[part], json[part], "{part}");
    }
}

#[test]
fn yaml_bodies_come_back_byte_for_byte() {
    let inform = corpus("soap/freeacs/Inform.xml");
    for body in [inform.as_str(), inform.trim_end(), " leading\nline\n\n", "a\n\n\n", "x: y"] {
        let record = json!({"event": "incoming HTTP request", "timestamp": at(1), "remoteAddress": "10.0.0.1",
            "connection": OPENED, "method": "POST", "url": "/", "headers": {}, "body": body});
        let log = format!("---\n{}", yaml_document(&record));
        let capture = capture::decode(
            log.as_bytes(),
            &Options { kind: Some(InputKind::GenieacsLog), ..Options::default() },
        )
        .unwrap();
        let message = &capture.connections[0].messages[0];
        assert_eq!(String::from_utf8_lossy(&message.body), body, "{log}");
    }
}

#[test]
fn a_log_that_starts_after_the_inform_names_the_cpe_from_its_device_id() {
    // The log was switched on mid-session: the empty POST, a GetParameterValues, its answer, 204.
    let records: Vec<Value> = records().into_iter().skip(2).take(4).collect();
    let log: String = records
        .iter()
        .map(|r| {
            let fields: Vec<String> = ordered(r)
                .iter()
                .map(|(k, v)| format!("{}:{}", serde_json::to_string(k).unwrap(), v))
                .collect();
            format!("{{{}}}\n", fields.join(","))
        })
        .collect();
    let report = pipeline::analyze(log.as_bytes(), &Options::default()).unwrap();
    assert_eq!(report.sessions.len(), 1);
    let cpe = report.sessions[0].cpe.as_ref().unwrap();
    assert_eq!(
        (cpe.oui.as_str(), cpe.product_class.as_str(), cpe.serial_number.as_str()),
        ("00259E", "EG8145V5", "48575443A94196A5")
    );
    // The contract: `cpe` is filled, and so is each message's `rpc`.
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["sessions"][0]["cpe"]["serial_number"], "48575443A94196A5");
    assert_eq!(json["sessions"][0]["messages"][0]["rpc"], "GetParameterValues");
}
