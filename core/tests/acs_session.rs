//! The sans-IO ACS driven through whole sessions with real CPE messages from the corpus.

// The test is the host, not core: it reads corpus files.
#![allow(clippy::disallowed_methods)]

use cwmpkit_core::Timestamp;
use cwmpkit_core::acs::{Acs, AcsEvent, AcsReply, CpeRequest, Direction};
use cwmpkit_core::cwmp::{self, GetParameterValues, Message};

const SOAP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/soap");
const DEVICE: &str = "EC43F6-P-2601HN-F1-EC43F69AF408";

fn soap(path: &str) -> Vec<u8> {
    std::fs::read(format!("{SOAP}/{path}")).unwrap()
}

fn at(second: i128) -> Timestamp {
    Timestamp::from_unix_nanos(1_700_000_000_000_000_000 + second * 1_000_000_000)
}

fn post(acs: &mut Acs, body: &[u8], cookie: Option<&str>, second: i128) -> AcsReply {
    acs.handle(CpeRequest {
        body,
        session_cookie: cookie,
        peer: "192.0.2.7:50000",
        time: at(second),
        new_session_token: &format!("token-{second}"),
    })
}

fn sent(reply: &AcsReply) -> cwmp::Envelope {
    let decoded = cwmp::decode(reply.body.as_bytes()).unwrap();
    assert!(
        decoded.diagnostics.iter().all(|d| d.severity < cwmpkit_core::Severity::Warning),
        "{:#?}",
        decoded.diagnostics
    );
    decoded.envelopes.into_iter().next().unwrap()
}

fn get_parameter_values(names: &[&str]) -> Message {
    Message::GetParameterValues(GetParameterValues {
        parameter_names: names.iter().map(|n| (*n).into()).collect(),
    })
}

/// A corpus response re-addressed to the request the ACS sent (the CPE echoes the ID).
fn answer(path: &str, from_id: &str, to_id: &str) -> Vec<u8> {
    let text = String::from_utf8(soap(path)).unwrap();
    assert!(text.contains(from_id));
    text.replace(from_id, to_id).into_bytes()
}

#[test]
fn an_inform_opens_a_session_and_is_answered_with_its_own_id() {
    let mut acs = Acs::new();
    let reply = post(&mut acs, &soap("cwmp_ex/inform-2601.xml"), None, 0);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.set_session_cookie.as_deref(), Some("token-0"));
    let envelope = sent(&reply);
    assert_eq!(envelope.header.id.as_deref(), Some("100"));
    assert!(matches!(envelope.message, Message::InformResponse(ref r) if r.max_envelopes == 1));

    let device = acs.device(DEVICE).expect("the device is known after its Inform");
    assert!(device.in_session);
    assert!(device.connection_request_url.as_deref().is_some_and(|u| u.starts_with("http://")));
    assert!(!device.parameters.is_empty());
    assert!(
        matches!(&reply.events[0], AcsEvent::SessionStarted { device, .. } if device == DEVICE)
    );

    // Nothing queued: the empty POST ends the session with a 204.
    let end = post(&mut acs, b"", Some("token-0"), 1);
    assert_eq!(end.status, 204);
    assert!(end.body.is_empty());
    assert!(matches!(end.events.last(), Some(AcsEvent::SessionEnded { .. })));
    assert!(!acs.device(DEVICE).unwrap().in_session);
}

#[test]
fn queued_rpcs_go_out_one_at_a_time_and_are_paired_with_their_responses() {
    let mut acs = Acs::new();
    post(&mut acs, &soap("cwmp_ex/inform-2601.xml"), None, 0);
    let first =
        acs.enqueue(DEVICE, get_parameter_values(&["InternetGatewayDevice.DeviceInfo."])).unwrap();
    let second = acs.enqueue(DEVICE, Message::Reboot(cwmp::Reboot::default())).unwrap();
    assert_ne!(first, second);

    let request = post(&mut acs, b"\r\n", Some("token-0"), 1);
    assert_eq!(request.status, 200);
    let envelope = sent(&request);
    assert_eq!(envelope.header.id.as_deref(), Some(first.as_str()));
    assert!(matches!(envelope.message, Message::GetParameterValues(_)));

    let response = answer("freeacs/GetParameterValuesResponse.xml", "FREEACS-0", &first);
    let next = post(&mut acs, &response, Some("token-0"), 2);
    let completed = next
        .events
        .iter()
        .find_map(|e| match e {
            AcsEvent::RpcCompleted { request_id, request, response, fault, .. } => {
                Some((request_id.clone(), request.clone(), response.clone(), fault.clone()))
            }
            _ => None,
        })
        .expect("the response completes the request");
    assert_eq!(
        completed,
        (first, "GetParameterValues".into(), "GetParameterValuesResponse".into(), None)
    );
    // The values the CPE reported are now the device's.
    let reported = match &cwmp::decode(&response).unwrap().envelopes[0].message {
        Message::GetParameterValuesResponse(r) => r.parameter_list.clone(),
        other => panic!("{other:?}"),
    };
    let device = acs.device(DEVICE).unwrap();
    for parameter in &reported {
        assert_eq!(
            device.parameters.get(parameter.name.as_str()).map(String::as_str),
            Some(parameter.value.text.as_str())
        );
    }

    // The second queued RPC goes out in the same HTTP response.
    let reboot = sent(&next);
    assert_eq!(reboot.header.id.as_deref(), Some(second.as_str()));
    assert!(matches!(reboot.message, Message::Reboot(_)));
}

#[test]
fn a_fault_completes_the_request_with_the_fault() {
    let mut acs = Acs::new();
    post(&mut acs, &soap("cwmp_ex/inform-2601.xml"), None, 0);
    let id = acs.enqueue(DEVICE, get_parameter_values(&["Bogus."])).unwrap();
    post(&mut acs, b"", Some("token-0"), 1);
    let fault = cwmp::Envelope {
        version: cwmp::CwmpVersion::V1_0,
        header: cwmp::Header { id: Some(id.as_str().into()), ..Default::default() },
        message: Message::Fault(cwmp::SoapFault {
            fault_code: "Client".into(),
            fault_string: "CWMP fault".into(),
            detail: Some(cwmp::CwmpFault {
                fault_code: 9005,
                fault_string: "Invalid parameter name".into(),
                set_parameter_values_faults: Vec::new(),
            }),
        }),
    };
    let xml = cwmp::encode(&fault, fault.version).unwrap();
    let end = post(&mut acs, xml.as_bytes(), Some("token-0"), 2);
    assert_eq!(end.status, 204);
    assert!(end.events.iter().any(|e| matches!(e,
        AcsEvent::RpcCompleted { request_id, fault: Some(f), .. } if *request_id == id && f.fault_code == 9005)));
}

#[test]
fn cpe_requests_get_their_responses_with_the_cpes_id() {
    let mut acs = Acs::new();
    post(&mut acs, &soap("cwmp_ex/inform-2601.xml"), None, 0);
    let reply = post(&mut acs, &soap("freeacs/GetRPCMethods.xml"), Some("token-0"), 1);
    let envelope = sent(&reply);
    let request_id =
        cwmp::decode(&soap("freeacs/GetRPCMethods.xml")).unwrap().envelopes[0].header.id.clone();
    assert_eq!(envelope.header.id, request_id);
    match envelope.message {
        Message::GetRPCMethodsResponse(r) => assert!(r.method_list.iter().any(|m| m == "Inform")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_cpe_that_returns_no_cookie_is_followed_by_its_address() {
    let mut acs = Acs::new();
    post(&mut acs, &soap("cwmp_ex/inform-2601.xml"), None, 0);
    acs.enqueue(DEVICE, Message::FactoryReset).unwrap();
    let reply = post(&mut acs, b"", None, 1);
    assert!(matches!(sent(&reply).message, Message::FactoryReset));
}

#[test]
fn a_session_that_ends_without_an_answer_keeps_the_request_for_next_time() {
    let mut acs = Acs::new();
    post(&mut acs, &soap("cwmp_ex/inform-2601.xml"), None, 0);
    let id = acs.enqueue(DEVICE, Message::FactoryReset).unwrap();
    post(&mut acs, b"", Some("token-0"), 1);
    let end = post(&mut acs, b"", Some("token-0"), 2);
    assert_eq!(end.status, 204);
    assert!(end.events.iter().any(|e| matches!(e, AcsEvent::Problem { .. })));
    assert_eq!(acs.device(DEVICE).unwrap().queue.front().map(|q| q.id.clone()), Some(id));
}

#[test]
fn what_the_acs_cannot_use_is_refused_and_said() {
    let mut acs = Acs::new();
    // An empty POST outside any session.
    let reply = post(&mut acs, b"", None, 0);
    assert_eq!(reply.status, 204);
    assert!(matches!(reply.events[0], AcsEvent::Problem { .. }));
    // A body that is no XML: 400, and the problem says where.
    let reply = post(&mut acs, b"<soap:Envelope><oops", None, 1);
    assert_eq!(reply.status, 400);
    match &reply.events[0] {
        AcsEvent::Problem { message, .. } => assert!(message.contains("line 1"), "{message}"),
        other => panic!("{other:?}"),
    }
    // A response with no session: a SOAP fault, with the CPE's ID.
    let reply = post(&mut acs, &soap("freeacs/SetParameterValuesResponse.xml"), None, 2);
    assert_eq!(reply.status, 500);
    assert!(matches!(sent(&reply).message, Message::Fault(_)));
    // Only ACS requests, and only for known devices, can be queued.
    assert!(acs.enqueue(DEVICE, Message::FactoryReset).is_err());
    post(&mut acs, &soap("cwmp_ex/inform-2601.xml"), None, 3);
    assert!(acs.enqueue(DEVICE, Message::TransferCompleteResponse).is_err());
}

#[test]
fn every_event_serializes_for_the_stream() {
    let mut acs = Acs::new();
    let reply = post(&mut acs, &soap("cwmp_ex/inform-2601.xml"), None, 0);
    for event in &reply.events {
        let json = serde_json::to_value(event).unwrap();
        assert!(json["event"].is_string(), "{json}");
    }
    assert!(reply.events.iter().any(|e| matches!(e,
        AcsEvent::Message { direction: Direction::AcsToCpe, rpc, .. } if rpc == "InformResponse")));
}

#[test]
fn a_request_newer_than_the_sessions_cwmp_version_is_sent_with_a_warning() {
    // The corpus device speaks CWMP 1.0; GetAllQueuedTransfers came with 1.1.
    let mut acs = Acs::new();
    post(&mut acs, &soap("cwmp_ex/inform-2601.xml"), None, 0);
    acs.enqueue(DEVICE, Message::GetAllQueuedTransfers).unwrap();
    let reply = post(&mut acs, b"", Some("token-0"), 1);
    // The decoder flags the same thing on the wire.
    let decoded = cwmp::decode(reply.body.as_bytes()).unwrap();
    assert!(matches!(decoded.envelopes[0].message, Message::GetAllQueuedTransfers));
    assert!(decoded.diagnostics.iter().any(|d| d.severity == cwmpkit_core::Severity::Warning));
    assert!(reply.events.iter().any(|e| matches!(e,
        AcsEvent::Problem { message, .. } if message.contains("GetAllQueuedTransfers"))));
}

#[test]
fn an_rpc_outside_the_schema_is_refused_when_queued() {
    let mut acs = Acs::new();
    post(&mut acs, &soap("cwmp_ex/inform-2601.xml"), None, 0);
    // CommandKey is a string(32).
    let reboot = Message::Reboot(cwmp::Reboot { command_key: "k".repeat(33) });
    let refused = acs.enqueue(DEVICE, reboot).unwrap_err();
    assert!(refused.to_string().contains("CommandKey"), "{refused}");
    assert!(acs.device(DEVICE).unwrap().queue.is_empty());
}

/// The fuzz check over whole corpus sessions, and what the fuzzer's seeds look like.
#[test]
fn the_fuzz_invariants_hold_for_corpus_sessions() {
    let mut data = Vec::new();
    for (selector, body) in [
        (0u8, soap("cwmp_ex/inform-2601.xml")),
        (1, Vec::new()),
        (1, answer("freeacs/GetParameterValuesResponse.xml", "FREEACS-0", "cwmpkit-1")),
        (0x80, soap("freeacs/Inform.xml")),
        (0x81, soap("freeacs/GetRPCMethods.xml")),
        (2, b"<not xml".to_vec()),
        (0, Vec::new()),
    ] {
        data.push(selector);
        data.extend_from_slice(&body);
        data.push(0xFF);
    }
    cwmpkit_core::acs::fuzzing::check_session(&data).unwrap();
    cwmpkit_core::acs::fuzzing::check_session(&[]).unwrap();
    cwmpkit_core::acs::fuzzing::check_session(&[0xFF; 200]).unwrap();
}

#[test]
fn the_version_warning_names_both_versions() {
    let mut acs = Acs::new();
    post(&mut acs, &soap("cwmp_ex/inform-2601.xml"), None, 0);
    acs.enqueue(DEVICE, Message::GetAllQueuedTransfers).unwrap();
    let reply = post(&mut acs, b"", Some("token-0"), 1);
    let warning = reply
        .events
        .iter()
        .find_map(|e| match e {
            AcsEvent::Problem { message, .. } => Some(message.clone()),
            _ => None,
        })
        .unwrap();
    assert!(warning.contains("CWMP 1.1 or later") && warning.contains("cwmp-1-0"), "{warning}");
}

#[test]
fn the_device_a_post_would_continue_is_found_by_cookie_then_by_address() {
    let mut acs = Acs::new();
    assert!(acs.session_device(Some("token-0"), "192.0.2.7:50000").is_none(), "no session yet");
    post(&mut acs, &soap("cwmp_ex/inform-2601.xml"), None, 0);
    let by_cookie = acs.session_device(Some("token-0"), "198.51.100.1:1");
    assert_eq!(by_cookie.map(|device| device.id.as_str()), Some(DEVICE));
    let by_address = acs.session_device(None, "192.0.2.7:50000");
    assert_eq!(
        by_address.map(|device| device.device_id.serial_number.as_str()),
        Some("EC43F69AF408")
    );
    assert!(acs.session_device(Some("guessed"), "198.51.100.1:1").is_none());
    assert_eq!(post(&mut acs, b"", Some("token-0"), 1).status, 204);
    assert!(acs.session_device(Some("token-0"), "192.0.2.7:50000").is_none(), "the session ended");
}
