//! The API's typed contract over real HTTP: task forms queued and refused with the field that is
//! wrong, JSON 404s under `/api`, and the security probe's finding that queued passwords were
//! readable through `/api/devices` and `/api/events` (each a regression test).

// The test is the host: it reads corpus files and runs the relay.
#![allow(clippy::disallowed_methods)]

mod common;

use common::cpe::Cpe;
use common::{Events, Server, request};
use cwmpkit_core::api::{
    ApiError, DeviceDetail, DeviceSessions, DeviceSummary, Queued, StreamEvent, TaskForm,
};
use cwmpkit_core::model::plan::PlannedValue;
use std::ffi::OsStr;

const DEVICE: &str = "EC43F6-P-2601HN-F1-EC43F69AF408";
const SIP_PASSWORD: &str = "sip-secret-4711";
const SIP_PASSWORD_PARAMETER: &str =
    "InternetGatewayDevice.Services.VoiceService.1.VoiceProfile.1.Line.1.SIP.AuthPassword";

fn start(name: &str) -> Server {
    let dist = common::fake_dist(name);
    common::serve([OsStr::new("--dist"), dist.as_os_str()])
}

fn post_task(server: &Server, device: &str, body: &[u8]) -> common::Reply {
    request(
        &server.app,
        "POST",
        &format!("/api/devices/{device}/rpcs"),
        &format!("{}Content-Type: application/json\r\n", server.bearer()),
        body,
    )
}

fn refusal(reply: &common::Reply) -> ApiError {
    assert!(
        reply.headers.to_ascii_lowercase().contains("content-type: application/json"),
        "{}",
        reply.headers
    );
    serde_json::from_str(&reply.body).unwrap_or_else(|e| panic!("{e}: {}", reply.body))
}

fn set_parameter_values_response(id: &str) -> String {
    format!(
        r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><soap:Header><cwmp:ID soap:mustUnderstand="1">{id}</cwmp:ID></soap:Header><soap:Body><cwmp:SetParameterValuesResponse><Status>0</Status></cwmp:SetParameterValuesResponse></soap:Body></soap:Envelope>"#
    )
}

#[test]
fn a_queued_sip_password_never_shows_in_the_event_stream_or_the_device_json() {
    let server = start("api-secrets");
    let events = Events::subscribe(&server);
    let mut cpe = Cpe::new(&server.acs);
    assert_eq!(cpe.post(&common::corpus("soap/cwmp_ex/inform-2601.xml")).status, 200);

    let task = TaskForm::SetParameterValues {
        parameter_list: vec![PlannedValue {
            name: SIP_PASSWORD_PARAMETER.to_owned(),
            value: SIP_PASSWORD.to_owned(),
            xsd_type: "string".to_owned(),
        }],
        parameter_key: "sip-1".to_owned(),
    };
    let queued = post_task(&server, DEVICE, serde_json::to_string(&task).unwrap().as_bytes());
    assert_eq!(queued.status, 202, "{}", queued.body);
    let Queued { id } = serde_json::from_str(&queued.body).unwrap();

    // While it waits: the device's JSON lists it by what it touches, not what it writes.
    let shown =
        request(&server.app, "GET", &format!("/api/devices/{DEVICE}"), &server.bearer(), b"");
    assert_eq!(shown.status, 200);
    assert!(!shown.body.contains(SIP_PASSWORD), "{}", shown.body);
    let detail: DeviceDetail = serde_json::from_str(&shown.body).unwrap();
    assert_eq!(detail.queue.len(), 1);
    assert_eq!(
        (detail.queue[0].rpc.as_str(), detail.queue[0].targets.as_slice()),
        ("SetParameterValues", &[SIP_PASSWORD_PARAMETER.to_owned()][..])
    );
    let listed = request(&server.app, "GET", "/api/devices", &server.bearer(), b"");
    let listed: Vec<DeviceSummary> = serde_json::from_str(&listed.body).unwrap();
    assert_eq!((listed[0].id.as_str(), listed[0].queued), (DEVICE, 1));

    // The device itself gets the value, and answers.
    let sent = cpe.post(b"");
    assert!(
        sent.body.contains("SetParameterValues") && sent.body.contains(SIP_PASSWORD),
        "{}",
        sent.body
    );
    assert_eq!(cpe.post(set_parameter_values_response(&id).as_bytes()).status, 204);

    let mut seen = Vec::new();
    while let Some(event) = events.next() {
        seen.push(event.to_string());
        if event["event"] == "session-ended" {
            break;
        }
    }
    assert!(seen.last().is_some_and(|e| e.contains("session-ended")), "{seen:#?}");
    for text in &seen {
        assert!(!text.contains(SIP_PASSWORD), "the password in an event: {text}");
    }
    let sent_event = seen
        .iter()
        .map(|text| serde_json::from_str::<StreamEvent>(text).unwrap())
        .find(|event| matches!(event, StreamEvent::Message { rpc, .. } if rpc == "SetParameterValues"))
        .expect("the SetParameterValues is streamed");
    let StreamEvent::Message { envelope, .. } = sent_event else { unreachable!() };
    assert!(format!("{:?}", envelope.message).contains(cwmpkit_core::cwmp::secrets::MASK));
    assert!(seen.iter().any(|t| t.contains("\"rpc-completed\"") && t.contains(&id)), "{seen:#?}");
    // Queuing it was an event too (every page following the stream sees the queue grow).
    let queued_event = seen
        .iter()
        .map(|text| serde_json::from_str::<StreamEvent>(text).unwrap())
        .find_map(|event| match event {
            StreamEvent::RpcQueued { device, request_id, rpc, .. } => {
                Some((device, request_id, rpc))
            }
            _ => None,
        })
        .expect("the queuing is streamed");
    assert_eq!(queued_event, (DEVICE.to_owned(), id.clone(), "SetParameterValues".to_owned()));

    let after =
        request(&server.app, "GET", &format!("/api/devices/{DEVICE}"), &server.bearer(), b"");
    assert!(!after.body.contains(SIP_PASSWORD), "{}", after.body);
    the_sessions_come_back_decoded_without_the_password(&server, &id);
}

/// The device's history on the relay: both sessions, decoded as a capture's, the SIP password
/// masked there and in the capture download.
fn the_sessions_come_back_decoded_without_the_password(server: &Server, id: &str) {
    let reply = request(
        &server.app,
        "GET",
        &format!("/api/devices/{DEVICE}/sessions"),
        &server.bearer(),
        b"",
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(!reply.body.contains(SIP_PASSWORD), "{}", reply.body);
    let history: DeviceSessions = serde_json::from_str(&reply.body).unwrap();
    assert_eq!((history.exchanges, history.trimmed), (3, false), "{:?}", history.unrecorded);
    let rpcs: Vec<Vec<&str>> =
        history.sessions.iter().map(|s| s.messages.iter().map(|m| &*m.rpc).collect()).collect();
    assert_eq!(
        rpcs,
        [vec!["Inform", "InformResponse", "SetParameterValues", "SetParameterValuesResponse"]],
        "one session: the Inform's, kept open by its cookie"
    );
    let session = &history.sessions[0];
    assert!(session.ended, "the empty POST answered with 204 ends it");
    assert_eq!(session.cpe.as_ref().map(|c| c.serial_number.as_str()), Some("EC43F69AF408"));
    let sent = &session.messages[2];
    assert_eq!(sent.cwmp_id.as_deref(), Some(id));
    assert!(
        format!("{:?}", sent.envelope).contains(cwmpkit_core::cwmp::secrets::MASK),
        "{:?}",
        sent.envelope
    );

    let capture = request(
        &server.app,
        "GET",
        &format!("/api/devices/{DEVICE}/capture"),
        &server.bearer(),
        b"",
    );
    assert_eq!(capture.status, 200);
    assert!(
        capture.headers.contains("EC43F6-P-2601HN-F1-EC43F69AF408.pcapng"),
        "{}",
        capture.headers
    );
    assert!(!capture.body.contains(SIP_PASSWORD));
    assert!(capture.body.contains("SetParameterValuesResponse"));

    let unknown =
        request(&server.app, "GET", "/api/devices/nobody/sessions", &server.bearer(), b"");
    assert_eq!(unknown.status, 404);
    assert!(refusal(&unknown).error.contains("nobody"));
}

#[test]
fn task_forms_are_refused_with_the_field_that_is_wrong() {
    let server = start("api-forms");
    let mut cpe = Cpe::new(&server.acs);
    assert_eq!(cpe.post(&common::corpus("soap/cwmp_ex/inform-2601.xml")).status, 200);

    let unreadable = post_task(&server, DEVICE, b"{\"rpc\":\"Reboot\"");
    assert_eq!(unreadable.status, 400, "{}", unreadable.body);
    let error = refusal(&unreadable);
    assert!(error.error.contains("line 1"), "{error:?}");

    let invalid = post_task(
        &server,
        DEVICE,
        br#"{"rpc":"SetParameterValues","parameter_list":[{"name":"InternetGatewayDevice.ManagementServer.PeriodicInformInterval","value":"hourly","xsd_type":"unsignedInt"}]}"#,
    );
    assert_eq!(invalid.status, 422, "{}", invalid.body);
    assert_eq!(refusal(&invalid).field.as_deref(), Some("parameter_list[0].value"));

    // The old body, a raw CWMP message, is no task form; nor is a vendor method.
    for body in [
        &br#"{"GetParameterValues":{"parameter_names":["Device."]}}"#[..],
        br#"{"rpc":"Vendor","xml":"<x/>"}"#,
    ] {
        let reply = post_task(&server, DEVICE, body);
        assert_eq!(reply.status, 422, "{}", reply.body);
        assert!(refusal(&reply).field.is_some(), "{}", reply.body);
    }

    let unknown = post_task(&server, "nobody", br#"{"rpc":"FactoryReset"}"#);
    assert_eq!(unknown.status, 404);
    assert!(refusal(&unknown).error.contains("nobody"));

    let queued = post_task(&server, DEVICE, br#"{"rpc":"Reboot"}"#);
    assert_eq!(queued.status, 202, "{}", queued.body);
    let queued: Queued = serde_json::from_str(&queued.body).unwrap();
    let sent = cpe.post(b"");
    assert!(sent.body.contains("<cwmp:Reboot>") && sent.body.contains(&queued.id), "{}", sent.body);
}

#[test]
fn unknown_api_paths_answer_a_json_404_not_the_app() {
    let server = start("api-404");
    for (method, path) in [
        ("GET", "/api/nothing"),
        ("GET", "/api/devices/x/history"),
        ("POST", "/api/devices/x/reboot"),
        ("GET", "/api/"),
        ("GET", "/api"),
    ] {
        let reply = request(&server.app, method, path, &server.bearer(), b"");
        assert_eq!(reply.status, 404, "{method} {path}: {}", reply.body);
        assert!(!reply.body.contains("<title>"), "{method} {path}: the app's page");
        assert!(refusal(&reply).error.contains("no API"), "{}", reply.body);
    }
    // Without the token, the API says so before anything else.
    assert_eq!(request(&server.app, "GET", "/api/nothing", "", b"").status, 401);
    // Client-side routes still load the app.
    let page = request(&server.app, "GET", "/live", "", b"");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<title>cwmpkit test</title>"));
}
