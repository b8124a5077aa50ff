//! The ACS engine's time, requeues, limits, decode/encode split and persistence, driven with
//! corpus messages: every way a session can end with an RPC in flight puts that RPC back at the
//! front of its device's queue and says why.

// The test is the host, not core: it reads corpus files.
#![allow(clippy::disallowed_methods)]

use cwmpkit_core::Timestamp;
use cwmpkit_core::acs::{
    Acs, AcsConfig, AcsEvent, AcsReply, CpeRequest, Device, PostBody, PreparedRpc, QueueError,
    SessionEnd,
};
use cwmpkit_core::cwmp::{self, GetParameterValues, Message};
use std::time::Duration;

const SOAP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/soap");
const DEVICE: &str = "EC43F6-P-2601HN-F1-EC43F69AF408";
const OTHER: &str = "EC43F6-P-2601HN-F1-SECOND";
const PEER: &str = "192.0.2.7:50000";

fn soap(path: &str) -> Vec<u8> {
    std::fs::read(format!("{SOAP}/{path}")).unwrap()
}

fn inform() -> Vec<u8> {
    soap("cwmp_ex/inform-2601.xml")
}

/// The corpus Inform with another serial number: another device.
fn inform_of_other() -> Vec<u8> {
    String::from_utf8(inform()).unwrap().replace("EC43F69AF408", "SECOND").into_bytes()
}

fn at(second: i128) -> Timestamp {
    Timestamp::from_unix_nanos(1_700_000_000_000_000_000 + second * 1_000_000_000)
}

fn acs_with(config: AcsConfig) -> Acs {
    Acs::with_config(config)
}

/// An ACS whose sessions expire after 30 s.
fn new_acs() -> Acs {
    acs_with(AcsConfig { session_timeout: Duration::from_secs(30), ..AcsConfig::default() })
}

fn post_from(
    acs: &mut Acs,
    peer: &str,
    body: &[u8],
    cookie: Option<&str>,
    second: i128,
) -> AcsReply {
    acs.handle(CpeRequest {
        body,
        session_cookie: cookie,
        peer,
        time: at(second),
        new_session_token: &format!("token-{second}"),
    })
}

fn post(acs: &mut Acs, body: &[u8], cookie: Option<&str>, second: i128) -> AcsReply {
    post_from(acs, PEER, body, cookie, second)
}

fn sent(reply: &AcsReply) -> cwmp::Envelope {
    assert_eq!(reply.status, 200, "{reply:#?}");
    cwmp::decode(reply.body.as_bytes()).unwrap().envelopes.into_iter().next().unwrap()
}

fn gpv() -> Message {
    Message::GetParameterValues(GetParameterValues {
        parameter_names: vec!["InternetGatewayDevice.DeviceInfo.".into()],
    })
}

/// A response the CPE sends, as XML, with the given `cwmp:ID`.
fn response(message: Message, id: &str) -> Vec<u8> {
    let envelope = cwmp::Envelope {
        version: cwmp::CwmpVersion::V1_0,
        header: cwmp::Header { id: Some(id.into()), ..Default::default() },
        message,
    };
    cwmp::encode(&envelope, envelope.version).unwrap().into_bytes()
}

fn requeued(events: &[AcsEvent]) -> Vec<(String, String, SessionEnd)> {
    events
        .iter()
        .filter_map(|e| match e {
            AcsEvent::RpcRequeued { request_id, rpc, reason, .. } => {
                Some((request_id.clone(), rpc.clone(), *reason))
            }
            _ => None,
        })
        .collect()
}

fn ended(events: &[AcsEvent]) -> Vec<(String, SessionEnd)> {
    events
        .iter()
        .filter_map(|e| match e {
            AcsEvent::SessionEnded { device, reason, .. } => Some((device.clone(), *reason)),
            _ => None,
        })
        .collect()
}

fn problem_codes(events: &[AcsEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            AcsEvent::Problem { code, .. } => Some(code.clone()),
            _ => None,
        })
        .collect()
}

fn queue_ids(acs: &Acs, device: &str) -> Vec<String> {
    acs.device(device).unwrap().queue.iter().map(|q| q.id.clone()).collect()
}

#[test]
fn the_timer_is_asked_for_when_a_session_opens_and_moves_with_each_post() {
    let mut acs = new_acs();
    assert_eq!(acs.poll_timeout(), None, "no session, no timer");
    post(&mut acs, &inform(), None, 0);
    assert_eq!(acs.poll_timeout(), Some(at(30)));
    assert!(acs.handle_timeout(at(29)).is_empty(), "nothing is due before the timeout");
    // Another POST in the session: its expiry moves on.
    acs.enqueue(DEVICE, gpv()).unwrap();
    post(&mut acs, b"", Some("token-0"), 10);
    assert_eq!(acs.poll_timeout(), Some(at(40)));
    assert!(acs.handle_timeout(at(30)).is_empty());
    assert!(acs.device(DEVICE).unwrap().in_session);
}

#[test]
fn an_idle_session_expires() {
    let mut acs = new_acs();
    post(&mut acs, &inform(), None, 0);
    let events = acs.handle_timeout(at(30));
    assert_eq!(ended(&events), vec![(DEVICE.to_owned(), SessionEnd::Expired)]);
    assert!(requeued(&events).is_empty(), "nothing was in flight");
    assert!(!acs.device(DEVICE).unwrap().in_session);
    assert_eq!(acs.poll_timeout(), None);
    // The cookie of the expired session opens nothing: an empty POST is outside any session.
    let late = post(&mut acs, b"", Some("token-0"), 31);
    assert_eq!(late.status, 204);
    assert_eq!(problem_codes(&late.events), vec!["empty-outside-session"]);
}

#[test]
fn an_rpc_in_flight_when_its_session_expires_goes_first_next_time() {
    let mut acs = new_acs();
    post(&mut acs, &inform(), None, 0);
    let first = acs.enqueue(DEVICE, gpv()).unwrap();
    let second = acs.enqueue(DEVICE, Message::FactoryReset).unwrap();
    let id = sent(&post(&mut acs, b"", Some("token-0"), 1)).header.id;
    assert_eq!(id.as_deref(), Some(first.as_str()));
    // The CPE vanishes.
    assert_eq!(acs.poll_timeout(), Some(at(31)));
    let events = acs.handle_timeout(at(31));
    assert_eq!(
        requeued(&events),
        vec![(first.clone(), "GetParameterValues".to_owned(), SessionEnd::Expired)]
    );
    assert_eq!(ended(&events), vec![(DEVICE.to_owned(), SessionEnd::Expired)]);
    assert_eq!(queue_ids(&acs, DEVICE), vec![first.clone(), second]);
    // Its next session gets it again, with the same ID.
    post(&mut acs, &inform(), None, 100);
    let again = sent(&post(&mut acs, b"", Some("token-100"), 101));
    assert_eq!(again.header.id.as_deref(), Some(first.as_str()));
    assert!(matches!(again.message, Message::GetParameterValues(_)));
}

#[test]
fn a_post_after_the_timeout_finds_its_session_expired_even_if_the_timer_is_late() {
    let mut acs = new_acs();
    post(&mut acs, &inform(), None, 0);
    let id = acs.enqueue(DEVICE, gpv()).unwrap();
    post(&mut acs, b"", Some("token-0"), 1);
    // The host's timer never fired; the answer comes 40 s later.
    let answer = soap("freeacs/GetParameterValuesResponse.xml");
    let answer = String::from_utf8(answer).unwrap().replace("FREEACS-0", &id);
    let late = post(&mut acs, answer.as_bytes(), Some("token-0"), 41);
    assert_eq!(
        requeued(&late.events),
        vec![(id.clone(), "GetParameterValues".into(), SessionEnd::Expired)]
    );
    assert_eq!(late.status, 500, "outside any session now: a fault");
    assert!(problem_codes(&late.events).contains(&"no-session".to_owned()));
    assert!(!late.events.iter().any(|e| matches!(e, AcsEvent::RpcCompleted { .. })));
    assert_eq!(queue_ids(&acs, DEVICE), vec![id]);
}

#[test]
fn a_new_inform_replaces_the_session_and_requeues_its_rpc() {
    let mut acs = new_acs();
    post(&mut acs, &inform(), None, 0);
    let id = acs.enqueue(DEVICE, Message::FactoryReset).unwrap();
    post(&mut acs, b"", Some("token-0"), 1);
    // The device rebooted mid-session and informs again, from another port.
    let reply = post_from(&mut acs, "192.0.2.7:50001", &inform(), None, 2);
    assert_eq!(reply.status, 200);
    assert_eq!(
        requeued(&reply.events),
        vec![(id.clone(), "FactoryReset".to_owned(), SessionEnd::Replaced)]
    );
    assert_eq!(ended(&reply.events), vec![(DEVICE.to_owned(), SessionEnd::Replaced)]);
    // The replaced session ends before the new one starts.
    let ended_at = reply.events.iter().position(|e| matches!(e, AcsEvent::SessionEnded { .. }));
    let started_at = reply.events.iter().position(|e| matches!(e, AcsEvent::SessionStarted { .. }));
    assert!(ended_at < started_at, "{:#?}", reply.events);
    assert!(acs.device(DEVICE).unwrap().in_session);
    let again = sent(&post(&mut acs, b"", Some("token-2"), 3));
    assert_eq!(again.header.id.as_deref(), Some(id.as_str()));
    // The old cookie no longer names a session; only one timer is left.
    assert_eq!(acs.poll_timeout(), Some(at(33)));
}

#[test]
fn an_inform_from_the_same_address_replaces_that_addresss_session() {
    let mut acs = new_acs();
    post(&mut acs, &inform(), None, 0);
    let reply = post(&mut acs, &inform_of_other(), None, 1);
    assert_eq!(ended(&reply.events), vec![(DEVICE.to_owned(), SessionEnd::Replaced)]);
    assert!(!acs.device(DEVICE).unwrap().in_session);
    assert!(acs.device(OTHER).unwrap().in_session);
}

#[test]
fn an_empty_post_with_an_rpc_unanswered_ends_the_session_and_requeues_it() {
    let mut acs = new_acs();
    post(&mut acs, &inform(), None, 0);
    let id = acs.enqueue(DEVICE, Message::FactoryReset).unwrap();
    post(&mut acs, b"", Some("token-0"), 1);
    let end = post(&mut acs, b"", Some("token-0"), 2);
    assert_eq!(end.status, 204);
    assert_eq!(problem_codes(&end.events), vec!["unanswered"]);
    assert_eq!(
        requeued(&end.events),
        vec![(id.clone(), "FactoryReset".into(), SessionEnd::Unanswered)]
    );
    assert_eq!(ended(&end.events), vec![(DEVICE.to_owned(), SessionEnd::Unanswered)]);
    assert_eq!(queue_ids(&acs, DEVICE), vec![id]);
}

#[test]
fn a_response_with_another_id_is_refused_requeued_and_ends_the_session() {
    let mut acs = new_acs();
    post(&mut acs, &inform(), None, 0);
    let id = acs.enqueue(DEVICE, Message::FactoryReset).unwrap();
    post(&mut acs, b"", Some("token-0"), 1);
    let reply =
        post(&mut acs, &response(Message::FactoryResetResponse, "forged-7"), Some("token-0"), 2);
    assert_eq!(reply.status, 204);
    assert_eq!(problem_codes(&reply.events), vec!["mismatched-response"]);
    assert!(!reply.events.iter().any(|e| matches!(e, AcsEvent::RpcCompleted { .. })));
    assert_eq!(
        requeued(&reply.events),
        vec![(id.clone(), "FactoryReset".into(), SessionEnd::MismatchedResponse)]
    );
    assert_eq!(ended(&reply.events), vec![(DEVICE.to_owned(), SessionEnd::MismatchedResponse)]);
    assert_eq!(queue_ids(&acs, DEVICE), vec![id]);
    assert_eq!(acs.poll_timeout(), None);
}

#[test]
fn a_response_of_the_wrong_type_is_not_taken_for_the_answer() {
    // The security probe's case: a RebootResponse "completed" a queued SetParameterValues.
    let mut acs = new_acs();
    post(&mut acs, &inform(), None, 0);
    let id = acs.enqueue(DEVICE, gpv()).unwrap();
    post(&mut acs, b"", Some("token-0"), 1);
    let reply = post(&mut acs, &response(Message::RebootResponse, &id), Some("token-0"), 2);
    assert_eq!(reply.status, 204);
    assert!(!reply.events.iter().any(|e| matches!(e, AcsEvent::RpcCompleted { .. })));
    let message = reply
        .events
        .iter()
        .find_map(|e| match e {
            AcsEvent::Problem { code, message, .. } if code == "mismatched-response" => {
                Some(message)
            }
            _ => None,
        })
        .unwrap();
    assert!(message.contains("GetParameterValuesResponse"), "{message}");
    assert_eq!(requeued(&reply.events).len(), 1);
    assert_eq!(queue_ids(&acs, DEVICE), vec![id]);
}

#[test]
fn the_right_response_completes_the_request_even_without_an_echoed_id() {
    let mut acs = new_acs();
    post(&mut acs, &inform(), None, 0);
    let reset = acs.enqueue(DEVICE, Message::FactoryReset).unwrap();
    post(&mut acs, b"", Some("token-0"), 1);
    // A CPE that does not echo the ID: answered in order.
    let envelope = cwmp::Envelope {
        version: cwmp::CwmpVersion::V1_0,
        header: cwmp::Header::default(),
        message: Message::FactoryResetResponse,
    };
    let answer = cwmp::encode(&envelope, envelope.version).unwrap();
    let reply = post(&mut acs, answer.as_bytes(), Some("token-0"), 2);
    assert!(
        reply
            .events
            .iter()
            .any(|e| matches!(e, AcsEvent::RpcCompleted { request_id, response, .. }
            if *request_id == reset && response == "FactoryResetResponse")),
        "{:#?}",
        reply.events
    );
    assert_eq!(ended(&reply.events), vec![(DEVICE.to_owned(), SessionEnd::Completed)]);
    assert!(acs.device(DEVICE).unwrap().queue.is_empty());
}

#[test]
fn a_new_device_beyond_the_limit_is_refused_and_not_kept() {
    let mut acs = acs_with(AcsConfig { max_devices: 1, ..AcsConfig::default() });
    assert_eq!(post(&mut acs, &inform(), None, 0).status, 200);
    let refused = post_from(&mut acs, "192.0.2.8:1", &inform_of_other(), None, 1);
    assert_eq!(refused.status, 503);
    assert!(refused.body.contains("1 devices"), "{}", refused.body);
    assert!(refused.set_session_cookie.is_none());
    assert_eq!(problem_codes(&refused.events), vec!["limit-devices"]);
    assert!(acs.device(OTHER).is_none());
    assert_eq!(acs.devices().count(), 1);
    // The known device still gets in, and its session was left alone by the refusal.
    assert!(acs.device(DEVICE).unwrap().in_session);
    assert_eq!(post(&mut acs, &inform(), None, 2).status, 200);
}

#[test]
fn a_full_queue_refuses_one_more_rpc() {
    let mut acs = acs_with(AcsConfig { max_queued: 2, ..AcsConfig::default() });
    post(&mut acs, &inform(), None, 0);
    acs.enqueue(DEVICE, gpv()).unwrap();
    acs.enqueue(DEVICE, gpv()).unwrap();
    let refused = acs.enqueue(DEVICE, gpv()).unwrap_err();
    assert_eq!(refused, QueueError::QueueFull { device: DEVICE.to_owned(), limit: 2 });
    assert!(refused.to_string().contains("2 RPCs"), "{refused}");
    assert_eq!(acs.device(DEVICE).unwrap().queue.len(), 2);
}

#[test]
fn decoding_and_encoding_outside_the_acs_give_what_handle_gives() {
    let mut whole = new_acs();
    let mut split = new_acs();
    for acs in [&mut whole, &mut split] {
        post(acs, &inform(), None, 0);
        acs.enqueue(DEVICE, gpv()).unwrap();
    }
    for (body, second) in [(b"".to_vec(), 1), (b"<not xml".to_vec(), 2)] {
        let request = CpeRequest {
            body: &body,
            session_cookie: Some("token-0"),
            peer: PEER,
            time: at(second),
            new_session_token: "unused",
        };
        let expected = whole.handle(request);
        let decoded = PostBody::decode(&body);
        let answer = split.handle_decoded(request.context(), decoded);
        assert_eq!(answer.encode(), expected);
    }
    // An Inform is recognised before the ACS sees it, for device authentication.
    let decoded = PostBody::decode(&inform());
    assert_eq!(decoded.inform().map(|i| i.device_id.serial_number.as_str()), Some("EC43F69AF408"));
    assert!(PostBody::decode(b" \r\n").inform().is_none());
}

#[test]
fn a_second_envelope_in_one_post_is_said_not_dropped_silently() {
    let mut acs = new_acs();
    let text = String::from_utf8(inform()).unwrap();
    let twice = format!(
        "{text}\n{}",
        text.trim_start_matches(|c| c != '<')
            .split_once("?>")
            .map_or(text.as_str(), |(_, rest)| rest)
    );
    let reply = post(&mut acs, twice.as_bytes(), None, 0);
    assert_eq!(reply.status, 200);
    assert!(
        problem_codes(&reply.events).contains(&"extra-envelopes".to_owned()),
        "{:#?}",
        reply.events
    );
}

#[test]
fn an_rpc_is_prepared_outside_and_checked_in_every_version() {
    assert!(matches!(
        PreparedRpc::new(Message::TransferCompleteResponse),
        Err(QueueError::NotAnAcsRequest(_))
    ));
    let too_long = Message::Reboot(cwmp::Reboot { command_key: "k".repeat(33) });
    assert!(matches!(PreparedRpc::new(too_long), Err(QueueError::Invalid(_))));
    let mut acs = new_acs();
    post(&mut acs, &inform(), None, 0);
    let prepared = PreparedRpc::new(gpv()).unwrap();
    let id = acs.enqueue_prepared(DEVICE, prepared).unwrap();
    let sent_id = sent(&post(&mut acs, b"", Some("token-0"), 1)).header.id;
    assert_eq!(sent_id.as_deref(), Some(id.as_str()));
}

#[test]
fn what_changed_is_named_and_a_restart_finds_it_all_with_the_rpc_in_flight_first() {
    let mut acs = new_acs();
    assert!(acs.take_changes().is_empty());
    post(&mut acs, &inform(), None, 0);
    assert_eq!(acs.take_changes().into_iter().collect::<Vec<_>>(), vec![DEVICE.to_owned()]);
    let first = acs.enqueue(DEVICE, gpv()).unwrap();
    let second = acs.enqueue(DEVICE, Message::FactoryReset).unwrap();
    assert_eq!(acs.take_changes().len(), 1);
    post(&mut acs, b"", Some("token-0"), 1);

    // As stored (through JSON, as a host would): in flight first, out of session.
    let stored = acs.persistent(DEVICE).unwrap();
    assert!(!stored.in_session);
    assert_eq!(
        stored.queue.iter().map(|q| q.id.clone()).collect::<Vec<_>>(),
        vec![first.clone(), second.clone()]
    );
    let json = serde_json::to_string(&stored).unwrap();
    let loaded: Device = serde_json::from_str(&json).unwrap();

    let mut restarted = new_acs();
    let dropped = restarted.restore([loaded], acs.issued_requests());
    assert!(dropped.is_empty(), "{dropped:?}");
    let device = restarted.device(DEVICE).unwrap();
    assert_eq!(device.parameters, acs.device(DEVICE).unwrap().parameters);
    assert_eq!(device.last_inform, Some(at(0)));
    assert!(!device.in_session);
    // New IDs do not reuse old ones.
    let third = restarted.enqueue(DEVICE, gpv()).unwrap();
    assert!(![first.clone(), second].contains(&third), "{third}");
    assert!(restarted.issued_requests() > acs.issued_requests());
    // The device's next session starts with what was in flight.
    post(&mut restarted, &inform(), None, 10);
    let id = sent(&post(&mut restarted, b"", Some("token-10"), 11)).header.id;
    assert_eq!(id.as_deref(), Some(first.as_str()));
}

#[test]
fn a_stored_rpc_the_schema_now_refuses_is_left_out_with_a_word() {
    let mut acs = new_acs();
    post(&mut acs, &inform(), None, 0);
    let mut stored = serde_json::to_value(acs.persistent(DEVICE).unwrap()).unwrap();
    stored["queue"] = serde_json::json!([
        {"id": "cwmpkit-41", "message": {"Reboot": {"command_key": "k".repeat(33)}}},
        {"id": "cwmpkit-42", "message": "FactoryReset"},
    ]);
    let device: Device = serde_json::from_value(stored).unwrap();
    let mut restarted = Acs::new();
    let dropped = restarted.restore([device], 0);
    assert_eq!(dropped.len(), 1);
    assert!(dropped[0].contains("cwmpkit-41") && dropped[0].contains("CommandKey"), "{dropped:?}");
    assert_eq!(queue_ids(&restarted, DEVICE), vec!["cwmpkit-42".to_owned()]);
    assert_eq!(restarted.issued_requests(), 42);
}

#[test]
fn the_fuzz_invariants_hold_through_expiry_and_the_device_limit() {
    // Informs from three devices at two addresses, answers, empty POSTs and timer ticks.
    let mut data = Vec::new();
    for (selector, body) in [
        (0u8, inform()),
        (1, Vec::new()),
        (0x41, Vec::new()),
        (0x80, inform_of_other()),
        (0x81, Vec::new()),
        (0x40, String::from_utf8(inform()).unwrap().replace("EC43F69AF408", "THIRD").into_bytes()),
        (0xC0, Vec::new()),
        (1, response(Message::RebootResponse, "cwmpkit-1")),
        (0, inform()),
        (0x41, Vec::new()),
    ] {
        data.push(selector);
        data.extend_from_slice(&body);
        data.push(0xFF);
    }
    cwmpkit_core::acs::fuzzing::check_session(&data).unwrap();
}

#[test]
fn ten_thousand_fake_serials_leave_only_max_devices_behind() {
    // The security probe's flood: Informs with made-up serial numbers, each from its own port.
    let mut acs = acs_with(AcsConfig { max_devices: 100, ..AcsConfig::default() });
    let decoded = cwmp::decode(&inform()).unwrap();
    let (mut admitted, mut refused) = (0, 0);
    for index in 0..10_000 {
        let mut fake = decoded.clone();
        if let Message::Inform(inform) = &mut fake.envelopes[0].message {
            inform.device_id.serial_number = format!("FAKE{index:05}");
        }
        let peer = format!("198.51.100.1:{}", 1024 + index);
        let token = format!("fake-{index}");
        let context = cwmpkit_core::acs::PostContext {
            session_cookie: None,
            peer: &peer,
            time: at(0),
            new_session_token: &token,
        };
        match acs.handle_decoded(context, PostBody::Decoded(fake)).status {
            200 => admitted += 1,
            503 => refused += 1,
            other => panic!("status {other}"),
        }
    }
    assert_eq!((admitted, refused), (100, 9_900));
    assert_eq!(acs.devices().count(), 100);
    // Only the admitted devices hold sessions, and they expire like any other.
    assert_eq!(ended(&acs.handle_timeout(at(30))).len(), 100);
    assert_eq!(acs.poll_timeout(), None);
}

#[test]
fn a_malformed_vendor_rpc_is_refused_before_it_is_queued() {
    let mut acs = new_acs();
    post(&mut acs, &inform(), None, 0);
    let vendor = |xml: &str| {
        Message::Vendor(cwmp::RawMessage { name: "X_ACME_Reset".into(), xml: xml.into() })
    };
    // The security probe's case: a queued vendor RPC that would have made the Body malformed.
    let refused = acs.enqueue(DEVICE, vendor("<X_ACME_Reset></SOAP-ENV:Body><evil/>"));
    let Err(QueueError::Invalid(error)) = refused else { panic!("queued: {refused:?}") };
    assert_eq!(error.path, "Envelope/Body/X_ACME_Reset");
    assert!(queue_ids(&acs, DEVICE).is_empty(), "nothing was queued");

    let id = acs.enqueue(DEVICE, vendor("<X_ACME_Reset><Delay>3</Delay></X_ACME_Reset>"));
    assert_eq!(queue_ids(&acs, DEVICE), vec![id.expect("a well-formed vendor RPC is queued")]);
}

/// A queued RPC that the newest schema allows but the session's older one refuses (Notification
/// 3, active-if-changed-by-others, came with cwmp-1-2) is not sent in a cwmp-1-0 session: it is
/// dropped with a `not-sent` problem, and the session goes on with the next request.
#[test]
fn an_rpc_an_older_version_refuses_is_skipped_with_a_word_in_its_sessions() {
    let mut acs = new_acs();
    let opened = post(&mut acs, &inform(), None, 0);
    assert_eq!(sent(&opened).version, cwmp::CwmpVersion::V1_0, "the corpus Inform is cwmp-1-0");
    let attributes = Message::SetParameterAttributes(cwmp::SetParameterAttributes {
        parameter_list: vec![cwmp::SetParameterAttributesStruct {
            name: "InternetGatewayDevice.DeviceInfo.SoftwareVersion".into(),
            notification_change: true,
            notification: 3,
            access_list_change: false,
            access_list: Vec::new(),
        }],
    });
    let skipped = acs.enqueue(DEVICE, attributes).expect("cwmp-1-2 allows Notification 3");
    let next = acs.enqueue(DEVICE, gpv()).unwrap();
    let cookie = opened.set_session_cookie.clone();
    let reply = post(&mut acs, b"", cookie.as_deref(), 1);
    assert_eq!(reply.status, 200);
    let request = sent(&reply);
    assert_eq!(request.header.id.as_deref(), Some(next.as_str()));
    assert!(matches!(request.message, Message::GetParameterValues(_)), "{:?}", request.message);
    let not_sent: Vec<&AcsEvent> = reply
        .events
        .iter()
        .filter(|e| matches!(e, AcsEvent::Problem { code, .. } if code == "not-sent"))
        .collect();
    assert_eq!(not_sent.len(), 1, "{:?}", reply.events);
    let AcsEvent::Problem { message, .. } = not_sent[0] else { unreachable!() };
    assert!(message.contains(&skipped) && message.contains("Notification"), "{message}");
    assert!(!queue_ids(&acs, DEVICE).contains(&skipped), "dropped, not queued again");
}
