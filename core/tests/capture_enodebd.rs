//! The magma enodebd debug log: Python-dict messages → rebuilt envelopes → sessions, compared with
//! the capture of the same sessions.

// The test is the host, not core: it reads corpus files.
#![allow(clippy::disallowed_methods)]

use cwmpkit_core::capture::{self, InputKind, Options};
use cwmpkit_core::cwmp::Message;
use cwmpkit_core::pipeline;
use cwmpkit_core::session::{Direction, Report, Session};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");

fn corpus(path: &str) -> Vec<u8> {
    std::fs::read(format!("{CORPUS}/{path}")).unwrap()
}

fn log_bytes() -> Vec<u8> {
    corpus("http-logs/magma/enodebd-baicells-qrtb.log")
}

fn log_report() -> Report {
    pipeline::analyze(&log_bytes(), &Options::default()).unwrap()
}

fn pcap_report() -> Report {
    pipeline::analyze(&corpus("pcap/magma/dp_enb_tr069.pcap"), &Options::default()).unwrap()
}

#[test]
fn the_enodebd_log_is_detected_and_every_message_decodes() {
    let bytes = log_bytes();
    assert_eq!(capture::detect(&bytes), Some(InputKind::EnodebdLog));
    let report = log_report();
    assert_eq!(report.input, InputKind::EnodebdLog);
    assert_eq!(report.sessions.len(), 10);
    let messages: Vec<_> = report.sessions.iter().flat_map(|s| &s.messages).collect();
    // 10 Inform/InformResponse, 31 GPV/GPVResponse, 1 SPV/SPVResponse; DummyInput is no message.
    assert_eq!(messages.len(), 84);
    for message in &messages {
        let envelope = message.envelope.as_ref().unwrap_or_else(|| panic!("{}", message.rpc));
        assert_eq!(envelope.message.name(), message.rpc);
        assert!(message.diagnostics.is_empty(), "{}: {:?}", message.rpc, message.diagnostics);
        // Local wall-clock times: no zone is claimed.
        let time = message.time.unwrap();
        assert!(time.local);
        assert!(
            time.to_string().starts_with("2022-04-25T15:4") && !time.to_string().ends_with('Z')
        );
    }
    for session in &report.sessions {
        let cpe = session.cpe.as_ref().unwrap();
        assert_eq!(
            (cpe.manufacturer.as_str(), cpe.oui.as_str(), cpe.serial_number.as_str()),
            ("Baicells", "48BF74", "1202000291213VB0009")
        );
        assert!(session.ended);
        let kinds: Vec<&str> = session.exchanges.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["empty-post", "session-end"]);
        assert!(session.findings.is_empty(), "{:?}", session.findings);
    }
    assert!(report.diagnostics.iter().any(|d| d.code == "local-time"));
}

#[test]
fn rebuilt_messages_carry_the_logged_values() {
    let report = log_report();
    let second = &report.sessions[1];
    let spv = second.messages.iter().find(|m| m.rpc == "SetParameterValues").unwrap();
    let Some(Message::SetParameterValues(spv)) = spv.envelope.as_ref().map(|e| &e.message) else {
        panic!("not decoded");
    };
    assert_eq!(spv.parameter_list.len(), 1);
    assert_eq!(spv.parameter_list[0].name, "Device.DeviceInfo.SAS.RadioEnable");
    assert_eq!(spv.parameter_list[0].value.xsi_type.as_deref(), Some("boolean"));
    assert_eq!(spv.parameter_list[0].value.text, "1");
    let inform = &second.messages[0];
    let Some(Message::Inform(inform)) = inform.envelope.as_ref().map(|e| &e.message) else {
        panic!("not decoded");
    };
    assert_eq!(inform.current_time, "2022-04-25T09:41:22-06:00");
    assert_eq!(inform.events[0].event_code, "2 PERIODIC");
}

fn rpc_sequence(session: &Session) -> Vec<(String, Direction)> {
    session.messages.iter().map(|m| (m.rpc.to_string(), m.direction)).collect()
}

/// Parameter names asked for and values reported, per message: what both sources must agree on.
fn parameters(session: &Session) -> Vec<Vec<(String, String)>> {
    session
        .messages
        .iter()
        .map(|m| match m.envelope.as_ref().map(|e| &e.message) {
            Some(Message::GetParameterValues(g)) => {
                g.parameter_names.iter().map(|n| (n.to_string(), String::new())).collect()
            }
            Some(Message::GetParameterValuesResponse(r)) => r
                .parameter_list
                .iter()
                .map(|p| (p.name.to_string(), p.value.text.to_string()))
                .collect(),
            _ => Vec::new(),
        })
        .collect()
}

#[test]
fn the_log_and_the_capture_of_the_same_sessions_agree() {
    let log = log_report();
    let pcap = pcap_report();
    assert_eq!(pcap.sessions.len(), 3);
    // The capture holds the log's first three sessions (its clock runs 30 minutes ahead).
    for (logged, captured) in log.sessions.iter().zip(&pcap.sessions) {
        assert_eq!(rpc_sequence(logged), rpc_sequence(captured));
        assert_eq!(logged.events, captured.events);
        assert_eq!(logged.cpe, captured.cpe);
        let kinds = |s: &Session| s.exchanges.iter().map(|e| e.kind.clone()).collect::<Vec<_>>();
        assert_eq!(kinds(logged), kinds(captured));
        assert_eq!(parameters(logged), parameters(captured));
    }
    // Same pacing: sessions start 5 s apart in both (within 50 ms).
    let gaps = |r: &Report| -> Vec<f64> {
        r.sessions
            .windows(2)
            .map(|w| w[0].start.unwrap().millis_until(w[1].start.unwrap()))
            .collect()
    };
    for (a, b) in gaps(&log).iter().zip(gaps(&pcap)) {
        assert!((a - b).abs() < 50.0, "{a} vs {b}");
    }
}

#[test]
fn enodebd_sessions_snapshot() {
    let timeline: Vec<String> = log_report()
        .sessions
        .iter()
        .flat_map(|s| {
            let header = format!(
                "session {} {} → {} ended={} events={:?}",
                s.index,
                s.start.unwrap(),
                s.end.unwrap(),
                s.ended,
                s.events
            );
            let messages = s
                .messages
                .iter()
                .map(|m| format!("  {} {:?} {}", m.time.unwrap(), m.direction, m.rpc));
            let exchanges = s
                .exchanges
                .iter()
                .map(|e| format!("  {} {:?} {}", e.time.unwrap(), e.direction, e.kind));
            std::iter::once(header).chain(messages).chain(exchanges).collect::<Vec<_>>()
        })
        .collect();
    insta::assert_json_snapshot!("capture_enodebd_sessions", timeline);
}

#[test]
fn a_damaged_line_is_reported_at_its_line_and_column_and_the_rest_decodes() {
    let text = "2022-04-25 15:41:17,549 DEBUG Handling TR069 message: Inform {'DeviceId': {'OUI': '48BF74', 'SerialNumber': 'X1'}, 'Event': {'EventStruct': [{'EventCode': '1 BOOT', 'CommandKey': ''}]}, 'MaxEnvelopes': '1', 'CurrentTime': '2022-04-25 09:41:17-06:00', 'RetryCount': '0', 'ParameterList': {'ParameterValueStruct': []}}\n\
2022-04-25 15:41:17,558 DEBUG Sending TR069 message: InformResponse {'MaxEnvelopes': '1'}\n\
2022-04-25 15:41:17,632 DEBUG Handling TR069 message: DummyInput {}\n\
2022-04-25 15:41:17,634 DEBUG Sending TR069 message: Reboot {'CommandKey': 'k' ?}\n\
2022-04-25 15:41:17,700 DEBUG Handling TR069 message: Fault {'FaultCode': '9002', 'FaultString': 'Internal error'}\n\
2022-04-25 15:41:18,042 DEBUG Sending TR069 message: DummyInput {}\n";
    let report = pipeline::analyze(text.as_bytes(), &Options::default()).unwrap();
    assert_eq!(report.input, InputKind::EnodebdLog);
    let session = &report.sessions[0];
    let rpcs: Vec<&str> = session.messages.iter().map(|m| &*m.rpc).collect();
    assert_eq!(rpcs, ["Inform", "InformResponse", "Reboot", "Fault"]);
    let reboot = &session.messages[2];
    let problem = reboot.diagnostics.iter().find(|d| d.code == "log-literal").unwrap();
    assert!(problem.message.starts_with("line 4, column 80"), "{}", problem.message);
    let fault = &session.messages[3];
    assert_eq!(fault.direction, Direction::CpeToAcs);
    let Some(Message::Fault(fault)) = fault.envelope.as_ref().map(|e| &e.message) else {
        panic!("fault not decoded: {:?}", fault.diagnostics);
    };
    assert_eq!(fault.detail.as_ref().unwrap().fault_code, 9002);
    assert!(session.ended);
}

/// Every method enodebd's models can log, in the dict shape its logger prints (written here after
/// the shapes in the corpus log: lists under their item name, `arrayType` beside them).
#[test]
fn every_message_kind_the_log_can_hold_is_rebuilt_and_decoded() {
    let lines = [
        (
            "Handling",
            "Inform",
            "{'DeviceId': {'Manufacturer': 'M', 'OUI': '001122', 'ProductClass': 'P', 'SerialNumber': 'S1'}, 'Event': {'EventStruct': [{'EventCode': '7 TRANSFER COMPLETE', 'CommandKey': ''}, {'EventCode': 'M Download', 'CommandKey': 'fw1'}]}, 'MaxEnvelopes': '1', 'CurrentTime': '2022-04-25 09:41:17-06:00', 'RetryCount': '0', 'ParameterList': {'ParameterValueStruct': []}}",
        ),
        ("Sending", "InformResponse", "{'MaxEnvelopes': '1'}"),
        (
            "Handling",
            "TransferComplete",
            "{'CommandKey': 'fw1', 'FaultStruct': {'FaultCode': '0', 'FaultString': ''}, 'StartTime': '2022-04-25 09:40:00+00:00', 'CompleteTime': '2022-04-25 09:41:00+00:00'}",
        ),
        ("Sending", "TransferCompleteResponse", "{}"),
        ("Handling", "GetRPCMethods", "{}"),
        (
            "Sending",
            "GetRPCMethodsResponse",
            "{'MethodList': {'string': ['Inform', 'TransferComplete'], 'arrayType': 'xsd:string[2]'}}",
        ),
        ("Handling", "DummyInput", "{}"),
        ("Sending", "GetParameterNames", "{'ParameterPath': 'Device.', 'NextLevel': True}"),
        (
            "Handling",
            "GetParameterNamesResponse",
            "{'ParameterList': {'ParameterInfoStruct': [{'Name': 'Device.DeviceInfo.', 'Writable': False}]}}",
        ),
        (
            "Sending",
            "GetParameterAttributes",
            "{'ParameterNames': {'string': ['Device.DeviceInfo.SoftwareVersion']}}",
        ),
        (
            "Handling",
            "GetParameterAttributesResponse",
            "{'ParameterList': {'ParameterAttributeStruct': [{'Name': 'Device.DeviceInfo.SoftwareVersion', 'Notification': 2, 'AccessList': {'string': []}}]}}",
        ),
        (
            "Sending",
            "SetParameterAttributes",
            "{'ParameterList': {'SetParameterAttributesStruct': [{'Name': 'Device.X', 'NotificationChange': True, 'Notification': 2, 'AccessListChange': False, 'AccessList': {'string': []}}]}}",
        ),
        ("Handling", "SetParameterAttributesResponse", "{}"),
        ("Sending", "AddObject", "{'ObjectName': 'Device.IP.Interface.', 'ParameterKey': None}"),
        ("Handling", "AddObjectResponse", "{'InstanceNumber': '3', 'Status': '0'}"),
        ("Sending", "DeleteObject", "{'ObjectName': 'Device.IP.Interface.3.', 'ParameterKey': ''}"),
        ("Handling", "DeleteObjectResponse", "{'Status': '0'}"),
        (
            "Sending",
            "Download",
            "{'CommandKey': 'fw2', 'FileType': '1 Firmware Upgrade Image', 'URL': 'http://files/fw.bin', 'Username': '', 'Password': '', 'FileSize': 1024, 'TargetFileName': '', 'DelaySeconds': 0, 'SuccessURL': '', 'FailureURL': ''}",
        ),
        (
            "Handling",
            "DownloadResponse",
            "{'Status': '1', 'StartTime': '0001-01-01 00:00:00+00:00', 'CompleteTime': '0001-01-01 00:00:00+00:00'}",
        ),
        ("Sending", "Reboot", "{'CommandKey': 'r1'}"),
        ("Handling", "RebootResponse", "{}"),
        ("Sending", "FactoryReset", "{}"),
        ("Handling", "Fault", "{'FaultCode': '9001', 'FaultString': 'Request denied'}"),
        ("Sending", "DummyInput", "{}"),
    ];
    let log: String = lines
        .iter()
        .enumerate()
        .map(|(i, (verb, name, dict))| {
            format!(
                "2022-04-25 15:41:{:02},000 DEBUG {verb} TR069 message: {name} {dict}\n",
                10 + i
            )
        })
        .collect();
    let report = pipeline::analyze(log.as_bytes(), &Options::default()).unwrap();
    assert_eq!(report.input, InputKind::EnodebdLog);
    let session = &report.sessions[0];
    let logged: Vec<&str> =
        lines.iter().map(|(_, name, _)| *name).filter(|n| *n != "DummyInput").collect();
    let rpcs: Vec<&str> = session.messages.iter().map(|m| &*m.rpc).collect();
    assert_eq!(rpcs, logged);
    for message in &session.messages {
        assert!(message.envelope.is_some(), "{}", message.rpc);
        let codec: Vec<_> = message
            .diagnostics
            .iter()
            .filter(|d| d.source == cwmpkit_core::Source::Codec)
            .collect();
        assert!(codec.is_empty(), "{}: {codec:?}", message.rpc);
    }
    assert!(session.ended);
    // The Inform's TransferComplete matches no Download in this input: the checker says so,
    // and nothing else is wrong with the session.
    let rules: Vec<&str> = session.findings.iter().map(|f| &*f.code).collect();
    assert_eq!(rules, ["transfer-complete-without-transfer"], "{:?}", session.findings);
}
