//! A device's exchanges with the relay, decoded as a capture's (`api::DeviceSessions`): the same
//! sessions, findings and masking as the Decode page, including a session that a CPE carries
//! over several connections by its cookie.

// The test is the host: it reads corpus files.
#![allow(clippy::disallowed_methods)]

use cwmpkit_core::Timestamp;
use cwmpkit_core::api::DeviceSessions;
use cwmpkit_core::capture::record::Exchange;
use cwmpkit_core::cwmp::secrets::MASK;
use std::net::SocketAddr;

const SIP_PASSWORD: &str = "sip-secret-4711";

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");

fn corpus(path: &str) -> Vec<u8> {
    std::fs::read(format!("{CORPUS}/{path}")).unwrap()
}

fn envelope(id: &str, body: &str) -> String {
    format!(
        r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><soap:Header><cwmp:ID soap:mustUnderstand="1">{id}</cwmp:ID></soap:Header><soap:Body>{body}</soap:Body></soap:Envelope>"#
    )
}

fn http(head: &str, body: &[u8]) -> Vec<u8> {
    let mut message = format!("{head}\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
    message.extend_from_slice(body);
    message
}

fn at(second: i64) -> Timestamp {
    Timestamp::from_unix_nanos(1_764_900_000_000_000_000 + i128::from(second) * 1_000_000_000)
}

/// Three exchanges, each on a connection of its own, joined by the session cookie.
fn exchanges() -> Vec<(u16, Vec<u8>, Vec<u8>)> {
    let inform = corpus("soap/cwmp_ex/inform-2601.xml");
    let inform_response =
        envelope("1", "<cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse>");
    let set = envelope(
        "cwmpkit-1",
        &format!(
            r#"<cwmp:SetParameterValues><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[1]" xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/"><ParameterValueStruct><Name>InternetGatewayDevice.Services.VoiceService.1.VoiceProfile.1.Line.1.SIP.AuthPassword</Name><Value xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xsd:string" xmlns:xsd="http://www.w3.org/2001/XMLSchema">{SIP_PASSWORD}</Value></ParameterValueStruct></ParameterList><ParameterKey>sip-1</ParameterKey></cwmp:SetParameterValues>"#
        ),
    );
    let set_response = envelope(
        "cwmpkit-1",
        "<cwmp:SetParameterValuesResponse><Status>0</Status></cwmp:SetParameterValuesResponse>",
    );
    vec![
        (
            40001,
            http("POST /acs HTTP/1.1\r\nHost: acs\r\nContent-Type: text/xml", &inform),
            http(
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nSet-Cookie: cwmpkit-session=abc; Path=/",
                inform_response.as_bytes(),
            ),
        ),
        (
            40002,
            http("POST /acs HTTP/1.1\r\nHost: acs\r\nCookie: cwmpkit-session=abc", b""),
            http("HTTP/1.1 200 OK\r\nContent-Type: text/xml", set.as_bytes()),
        ),
        (
            40003,
            http(
                "POST /acs HTTP/1.1\r\nHost: acs\r\nCookie: cwmpkit-session=abc\r\nContent-Type: text/xml",
                set_response.as_bytes(),
            ),
            http("HTTP/1.1 204 No Content", b""),
        ),
    ]
}

#[test]
fn a_session_over_three_connections_is_one_ended_session_with_its_secret_masked() {
    let acs: SocketAddr = "192.0.2.2:7547".parse().unwrap();
    let kept = exchanges();
    let exchanges = kept.iter().enumerate().map(|(i, (port, request, response))| Exchange {
        cpe: SocketAddr::from(([192, 0, 2, 1], *port)),
        acs,
        request_time: at(i as i64 * 2),
        response_time: at(i as i64 * 2 + 1),
        request,
        response,
    });
    let decoded = DeviceSessions::of_exchanges(exchanges, at(10), false);
    assert_eq!(decoded.exchanges, 3);
    assert!(decoded.unrecorded.is_empty(), "{:?}", decoded.unrecorded);
    assert_eq!(decoded.sessions.len(), 1, "{:#?}", decoded.sessions);
    let session = &decoded.sessions[0];
    let rpcs: Vec<&str> = session.messages.iter().map(|m| &*m.rpc).collect();
    assert_eq!(
        rpcs,
        ["Inform", "InformResponse", "SetParameterValues", "SetParameterValuesResponse"]
    );
    assert_eq!(session.connections.len(), 3);
    assert!(session.ended, "the empty POST, then the ACS's 204 on another connection");
    assert!(
        !session.findings.iter().any(|f| f.code == "session-not-ended"),
        "{:#?}",
        session.findings
    );
    let json = serde_json::to_string(&decoded).unwrap();
    assert!(!json.contains(SIP_PASSWORD), "{json}");
    assert!(json.contains(MASK));
    let back: DeviceSessions = serde_json::from_str(&json).unwrap();
    assert_eq!(back.sessions[0].messages.len(), 4);
}

#[test]
fn no_exchanges_make_no_sessions() {
    let decoded = DeviceSessions::of_exchanges(std::iter::empty(), at(0), true);
    assert_eq!((decoded.exchanges, decoded.sessions.len(), decoded.trimmed), (0, 0, true));
    assert!(decoded.unrecorded.is_empty(), "{:?}", decoded.unrecorded);
}
