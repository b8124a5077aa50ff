//! The relay's API types: every task form becomes its CWMP request, a wrong form is refused
//! with the field that is wrong, every type survives JSON, and secrets never leave masked.

use cwmpkit_core::Timestamp;
use cwmpkit_core::acs::{Acs, AcsEvent, CpeRequest, Direction, SessionEnd};
use cwmpkit_core::api::{
    self, ApiError, DeviceDetail, DeviceSummary, StreamEvent, TaskForm, TaskRefused,
};
use cwmpkit_core::cwmp::secrets::MASK;
use cwmpkit_core::cwmp::{self, Message};
use cwmpkit_core::model::plan::{PlannedAttributes, PlannedRpc, PlannedValue};

const SIP_PASSWORD: &str = "sip-secret-4711";
const SIP_PASSWORD_PARAMETER: &str =
    "Device.Services.VoiceService.1.VoiceProfile.1.Line.1.SIP.AuthPassword";

fn value(name: &str, value: &str, xsd_type: &str) -> PlannedValue {
    PlannedValue { name: name.to_owned(), value: value.to_owned(), xsd_type: xsd_type.to_owned() }
}

fn notification(name: &str, notification: u8) -> PlannedAttributes {
    PlannedAttributes {
        name: name.to_owned(),
        notification_change: true,
        notification,
        access_list_change: false,
        access_list: Vec::new(),
    }
}

/// One valid form of every kind, with the request it must become.
fn every_kind() -> Vec<(TaskForm, Message)> {
    vec![
        (
            TaskForm::GetParameterNames { parameter_path: "Device.".into(), next_level: true },
            Message::GetParameterNames(cwmp::GetParameterNames {
                parameter_path: "Device.".into(),
                next_level: true,
            }),
        ),
        (
            TaskForm::GetParameterValues {
                parameter_names: vec!["Device.DeviceInfo.".into(), "Device.Time.Enable".into()],
            },
            Message::GetParameterValues(cwmp::GetParameterValues {
                parameter_names: vec!["Device.DeviceInfo.".into(), "Device.Time.Enable".into()],
            }),
        ),
        (
            TaskForm::SetParameterValues {
                parameter_list: vec![
                    value("Device.ManagementServer.PeriodicInformInterval", "300", "unsignedInt"),
                    value(SIP_PASSWORD_PARAMETER, SIP_PASSWORD, "string"),
                ],
                parameter_key: "cwmpkit-1".into(),
            },
            Message::SetParameterValues(cwmp::SetParameterValues {
                parameter_list: vec![
                    cwmp::ParameterValueStruct {
                        name: "Device.ManagementServer.PeriodicInformInterval".into(),
                        value: cwmp::Value {
                            xsi_type: Some("unsignedInt".into()),
                            text: "300".into(),
                        },
                    },
                    cwmp::ParameterValueStruct {
                        name: SIP_PASSWORD_PARAMETER.into(),
                        value: cwmp::Value {
                            xsi_type: Some("string".into()),
                            text: SIP_PASSWORD.into(),
                        },
                    },
                ],
                parameter_key: "cwmpkit-1".into(),
            }),
        ),
        (
            TaskForm::GetParameterAttributes { parameter_names: vec!["Device.DeviceInfo.".into()] },
            Message::GetParameterAttributes(cwmp::GetParameterAttributes {
                parameter_names: vec!["Device.DeviceInfo.".into()],
            }),
        ),
        (
            TaskForm::SetParameterAttributes {
                parameter_list: vec![notification("Device.DeviceInfo.SoftwareVersion", 2)],
            },
            Message::SetParameterAttributes(cwmp::SetParameterAttributes {
                parameter_list: vec![cwmp::SetParameterAttributesStruct {
                    name: "Device.DeviceInfo.SoftwareVersion".into(),
                    notification_change: true,
                    notification: 2,
                    access_list_change: false,
                    access_list: Vec::new(),
                }],
            }),
        ),
        (
            TaskForm::AddObject {
                object_name: "Device.IP.Interface.".into(),
                parameter_key: "k".into(),
            },
            Message::AddObject(cwmp::AddObject {
                object_name: "Device.IP.Interface.".into(),
                parameter_key: "k".into(),
            }),
        ),
        (
            TaskForm::DeleteObject {
                object_name: "Device.IP.Interface.3.".into(),
                parameter_key: String::new(),
            },
            Message::DeleteObject(cwmp::DeleteObject {
                object_name: "Device.IP.Interface.3.".into(),
                parameter_key: String::new(),
            }),
        ),
        (
            TaskForm::Reboot { command_key: "reboot-1".into() },
            Message::Reboot(cwmp::Reboot { command_key: "reboot-1".into() }),
        ),
        (TaskForm::FactoryReset, Message::FactoryReset),
        (TaskForm::GetRPCMethods, Message::GetRPCMethods),
        (
            TaskForm::ScheduleInform { delay_seconds: 30, command_key: String::new() },
            Message::ScheduleInform(cwmp::ScheduleInform {
                delay_seconds: 30,
                command_key: String::new(),
            }),
        ),
        (
            TaskForm::Download {
                command_key: "fw".into(),
                file_type: "1 Firmware Upgrade Image".into(),
                url: "http://192.0.2.10:7547/files/6867i.st".into(),
                username: "fw".into(),
                password: "fw-secret".into(),
                file_size: 14,
                target_file_name: "6867i.st".into(),
                delay_seconds: 0,
            },
            Message::Download(cwmp::Download {
                command_key: "fw".into(),
                file_type: "1 Firmware Upgrade Image".into(),
                url: "http://192.0.2.10:7547/files/6867i.st".into(),
                username: "fw".into(),
                password: "fw-secret".into(),
                file_size: 14,
                target_file_name: "6867i.st".into(),
                ..cwmp::Download::default()
            }),
        ),
        (
            TaskForm::Upload {
                command_key: String::new(),
                file_type: "1 Vendor Configuration File".into(),
                url: "http://192.0.2.10:7547/uploads/backup.cfg".into(),
                username: String::new(),
                password: String::new(),
                delay_seconds: 5,
            },
            Message::Upload(cwmp::Upload {
                command_key: String::new(),
                file_type: "1 Vendor Configuration File".into(),
                url: "http://192.0.2.10:7547/uploads/backup.cfg".into(),
                username: String::new(),
                password: String::new(),
                delay_seconds: 5,
            }),
        ),
    ]
}

#[test]
fn every_form_kind_becomes_its_request() {
    let kinds = every_kind();
    assert_eq!(
        kinds.len(),
        13,
        "GetRPCMethods, GPN, GPV, SPV, GPA, SPA, Add, Delete, Reboot, Reset, SI, DL, UL"
    );
    for (form, expected) in kinds {
        let message = form.to_message().unwrap_or_else(|e| panic!("{}: {e}", form.rpc()));
        assert_eq!(message, expected, "{}", form.rpc());
        assert_eq!(message.name(), form.rpc());
    }
}

#[test]
fn every_form_survives_json_and_reads_as_the_relay_reads_it() {
    for (form, expected) in every_kind() {
        let json = serde_json::to_string(&form).unwrap();
        assert!(json.contains(&format!("\"rpc\":\"{}\"", form.rpc())), "{json}");
        let back: TaskForm = serde_json::from_str(&json).unwrap();
        assert_eq!(back, form);
        let (read, prepared) = api::read_task(json.as_bytes()).unwrap();
        assert_eq!((read, prepared.into_message()), (form, expected));
    }
    // Fields a form leaves out take CWMP's defaults.
    let (form, _) = api::read_task(br#"{"rpc":"Reboot"}"#).unwrap();
    assert_eq!(form, TaskForm::Reboot { command_key: String::new() });
    let (_, prepared) = api::read_task(
        br#"{"rpc":"Download","file_type":"3 Vendor Configuration File","url":"http://h/files/a.cfg"}"#,
    )
    .unwrap();
    let message = prepared.into_message();
    assert!(
        matches!(message, Message::Download(d) if d.url == "http://h/files/a.cfg" && d.file_size == 0)
    );
}

fn refused_field(form: TaskForm) -> (String, String) {
    let rpc = form.rpc();
    let ApiError { error, field, .. } =
        form.to_message().expect_err(&format!("{rpc}: an invalid form was accepted"));
    (field.unwrap_or_else(|| panic!("{rpc}: no field in {error}")), error)
}

#[test]
fn an_invalid_form_names_its_field() {
    let cases: Vec<(TaskForm, &str, &str)> = vec![
        (
            TaskForm::GetParameterValues { parameter_names: vec![] },
            "parameter_names",
            "at least one",
        ),
        (
            TaskForm::GetParameterValues {
                parameter_names: vec!["Device.".into(), "x".repeat(300)],
            },
            "parameter_names[1]",
            "maxLength 256",
        ),
        (
            TaskForm::GetParameterNames { parameter_path: "D".repeat(257), next_level: false },
            "parameter_path",
            "maxLength 256",
        ),
        (
            TaskForm::SetParameterValues { parameter_list: vec![], parameter_key: String::new() },
            "parameter_list",
            "at least one",
        ),
        (
            TaskForm::SetParameterValues {
                parameter_list: vec![
                    value("Device.Time.Enable", "true", "boolean"),
                    value("Device.ManagementServer.PeriodicInformInterval", "often", "unsignedInt"),
                ],
                parameter_key: String::new(),
            },
            "parameter_list[1].value",
            "unsignedInt",
        ),
        (
            TaskForm::SetParameterValues {
                parameter_list: vec![value("Device.Time.Enable", "true", "xsd:boolean")],
                parameter_key: String::new(),
            },
            "parameter_list[0].value",
            "xsi:type",
        ),
        (
            TaskForm::SetParameterValues {
                parameter_list: vec![value("Device.Time.", "true", "boolean")],
                parameter_key: String::new(),
            },
            "parameter_list[0].name",
            "full name",
        ),
        (
            TaskForm::SetParameterValues {
                parameter_list: vec![
                    value("Device.Time.Enable", "true", "boolean"),
                    value("Device.Time.Enable", "false", "boolean"),
                ],
                parameter_key: String::new(),
            },
            "parameter_list[1].name",
            "twice",
        ),
        (
            TaskForm::SetParameterValues {
                parameter_list: vec![value("Device.Time.Enable", "true", "boolean")],
                parameter_key: "k".repeat(33),
            },
            "parameter_key",
            "maxLength 32",
        ),
        (
            TaskForm::SetParameterAttributes {
                parameter_list: vec![
                    notification("Device.Time.Enable", 1),
                    notification("Device.Time.Status", 7),
                ],
            },
            "parameter_list[1].notification",
            "",
        ),
        (
            TaskForm::SetParameterAttributes {
                parameter_list: vec![PlannedAttributes {
                    notification_change: false,
                    ..notification("Device.Time.Enable", 1)
                }],
            },
            "parameter_list[0]",
            "neither",
        ),
        (
            TaskForm::SetParameterAttributes {
                parameter_list: vec![PlannedAttributes {
                    access_list_change: true,
                    access_list: vec!["Everyone".into()],
                    ..notification("Device.Time.Enable", 1)
                }],
            },
            "parameter_list[0].access_list",
            "",
        ),
        (
            TaskForm::AddObject {
                object_name: "Device.IP.Interface".into(),
                parameter_key: String::new(),
            },
            "object_name",
            "ObjectName",
        ),
        (
            TaskForm::DeleteObject {
                object_name: "Device.IP.Interface.".into(),
                parameter_key: String::new(),
            },
            "object_name",
            "object instance",
        ),
        (TaskForm::Reboot { command_key: "c".repeat(33) }, "command_key", "maxLength 32"),
        (
            TaskForm::ScheduleInform { delay_seconds: 1, command_key: "c".repeat(40) },
            "command_key",
            "maxLength 32",
        ),
        (
            TaskForm::Download {
                command_key: String::new(),
                file_type: "Holiday Pictures".into(),
                url: "http://h/f".into(),
                username: String::new(),
                password: String::new(),
                file_size: 0,
                target_file_name: String::new(),
                delay_seconds: 0,
            },
            "file_type",
            "file type",
        ),
        (
            TaskForm::Download {
                command_key: String::new(),
                file_type: "1 Firmware Upgrade Image".into(),
                url: " ".into(),
                username: String::new(),
                password: String::new(),
                file_size: 0,
                target_file_name: String::new(),
                delay_seconds: 0,
            },
            "url",
            "URL",
        ),
        (
            TaskForm::Upload {
                command_key: String::new(),
                file_type: "1 Vendor Configuration File".into(),
                url: format!("http://h/{}", "u".repeat(260)),
                username: String::new(),
                password: String::new(),
                delay_seconds: 0,
            },
            "url",
            "maxLength 256",
        ),
    ];
    for (form, field, says) in cases {
        let (refused, error) = refused_field(form);
        assert_eq!(refused, field, "{error}");
        assert!(error.contains(says), "{field}: {error:?} should say {says:?}");
    }
}

#[test]
fn unreadable_json_and_invalid_forms_are_told_apart() {
    for broken in [&b"{\"rpc\":"[..], b"", b"{\"rpc\":\"Reboot\" x"] {
        match api::read_task(broken) {
            Err(TaskRefused::Unreadable(error)) => {
                assert!(error.error.contains("line 1"), "{error:?}");
                assert_eq!(error.field, None);
            }
            other => panic!("{:?}: {other:?}", String::from_utf8_lossy(broken)),
        }
    }
    let invalid = |body: &str| match api::read_task(body.as_bytes()) {
        Err(TaskRefused::Invalid(error)) => error,
        other => panic!("{body}: {other:?}"),
    };
    assert_eq!(invalid(r#"{"rpc":"Vendor"}"#).field.as_deref(), Some("rpc"));
    assert_eq!(
        invalid(r#"{"rpc":"Download","url":"http://h/"}"#).field.as_deref(),
        Some("file_type")
    );
    assert_eq!(
        invalid(r#"{"rpc":"Reboot","command_key":"k","target":"http://elsewhere/"}"#)
            .field
            .as_deref(),
        Some("target")
    );
    assert_eq!(invalid(r#"{"rpc":"ScheduleInform","delay_seconds":"soon"}"#).field, None);
    let error = invalid(r#"{"rpc":"GetParameterValues","parameter_names":[]}"#);
    assert_eq!(error.field.as_deref(), Some("parameter_names"));
    let json = serde_json::to_string(&error).unwrap();
    assert_eq!(serde_json::from_str::<ApiError>(&json).unwrap(), error);
    assert!(json.starts_with("{\"error\":") && json.contains("\"field\":\"parameter_names\""));
}

#[test]
fn a_plan_becomes_tasks() {
    let plan = [
        PlannedRpc::AddObject {
            object_name: "Device.IP.Interface.".into(),
            parameter_key: "p".into(),
            expected_instance: 3,
        },
        PlannedRpc::SetParameterValues {
            parameter_list: vec![value("Device.IP.Interface.3.Enable", "true", "boolean")],
            parameter_key: "p".into(),
        },
        PlannedRpc::DeleteObject {
            object_name: "Device.IP.Interface.2.".into(),
            parameter_key: "p".into(),
        },
        PlannedRpc::SetParameterAttributes {
            parameter_list: vec![notification("Device.IP.Interface.3.Status", 2)],
        },
    ];
    for planned in &plan {
        let task = TaskForm::from_planned(planned);
        assert_eq!(task.to_message().unwrap(), planned.to_message(), "{}", task.rpc());
    }
}

#[test]
fn secrets_are_recognised_by_name() {
    for secret in [
        SIP_PASSWORD_PARAMETER,
        "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.PreSharedKey.1.KeyPassphrase",
        "Device.WiFi.AccessPoint.1.Security.PreSharedKey",
        "Device.WiFi.AccessPoint.1.Security.WEPKey",
        "Device.ManagementServer.ConnectionRequestPassword",
        "Device.X_VENDOR.RadiusSecret",
    ] {
        assert!(cwmp::secrets::is_secret_parameter(secret), "{secret}");
    }
    for open in [
        "Device.ManagementServer.ParameterKey",
        "Device.ManagementServer.ConnectionRequestUsername",
        "Device.DeviceInfo.SerialNumber",
        "Device.Services.VoiceService.1.VoiceProfile.1.Line.1.SIP.AuthUserName",
    ] {
        assert!(!cwmp::secrets::is_secret_parameter(open), "{open}");
    }
    assert_eq!(api::redact_url("http://user:pw@host:80/f?x=1"), "http://host:80/f?x=1");
    assert_eq!(api::redact_url("http://host/a@b"), "http://host/a@b");
    assert_eq!(api::redact_url("http://a@b@host/p@q"), "http://host/p@q");
    assert_eq!(api::redact_url("not a url"), "not a url");
}

#[test]
fn a_masked_task_keeps_no_secret() {
    for (form, _) in every_kind() {
        let masked = serde_json::to_string(&form.masked()).unwrap();
        for secret in [SIP_PASSWORD, "fw-secret"] {
            assert!(!masked.contains(secret), "{masked}");
        }
    }
}

fn inform(serial: &str, password_value: &str) -> String {
    format!(
        r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><soap:Header><cwmp:ID soap:mustUnderstand="1">1</cwmp:ID></soap:Header><soap:Body><cwmp:Inform><DeviceId><Manufacturer>Aastra</Manufacturer><OUI>00085D</OUI><ProductClass>6867i</ProductClass><SerialNumber>{serial}</SerialNumber></DeviceId><Event><EventStruct><EventCode>1 BOOT</EventCode><CommandKey></CommandKey></EventStruct></Event><MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2026-12-05T08:00:00Z</CurrentTime><RetryCount>0</RetryCount><ParameterList><ParameterValueStruct><Name>Device.ManagementServer.ConnectionRequestURL</Name><Value>http://cr:pw@192.0.2.7:7547/cr</Value></ParameterValueStruct><ParameterValueStruct><Name>{SIP_PASSWORD_PARAMETER}</Name><Value>{password_value}</Value></ParameterValueStruct></ParameterList></cwmp:Inform></soap:Body></soap:Envelope>"#
    )
}

/// A device that informed (reporting its SIP password) and has a SetParameterValues with a new
/// one queued; the events of the session that sent it.
fn session_with_a_secret() -> (Acs, Vec<AcsEvent>) {
    let mut acs = Acs::new();
    let time = Timestamp::from_unix_nanos(1_000_000_000);
    let mut events = Vec::new();
    let body = inform("SN1", "reported-secret");
    let reply = acs.handle(CpeRequest {
        body: body.as_bytes(),
        session_cookie: None,
        peer: "192.0.2.7:1",
        time,
        new_session_token: "t1",
    });
    events.extend(reply.events);
    let form = TaskForm::SetParameterValues {
        parameter_list: vec![value(SIP_PASSWORD_PARAMETER, SIP_PASSWORD, "string")],
        parameter_key: "k".into(),
    };
    acs.enqueue("00085D-6867i-SN1", form.to_message().unwrap()).unwrap();
    let reply = acs.handle(CpeRequest {
        body: b"",
        session_cookie: Some("t1"),
        peer: "192.0.2.7:1",
        time,
        new_session_token: "t2",
    });
    assert!(reply.body.contains(SIP_PASSWORD), "the device itself gets the value");
    events.extend(reply.events);
    // Queued again for the next session, so the device JSON has it too.
    acs.enqueue("00085D-6867i-SN1", form.to_message().unwrap()).unwrap();
    (acs, events)
}

#[test]
fn events_and_device_answers_never_carry_a_secret() {
    let (acs, events) = session_with_a_secret();
    let device = acs.device("00085D-6867i-SN1").unwrap();
    assert_eq!(device.queue.len(), 1);
    let detail = DeviceDetail::of(device);
    let summary = DeviceSummary::of(device);
    let mut answers =
        vec![serde_json::to_string(&detail).unwrap(), serde_json::to_string(&summary).unwrap()];
    let mut sent_spv = false;
    for event in &events {
        let stream = StreamEvent::from_acs(event);
        if let StreamEvent::Message { rpc, direction: Direction::AcsToCpe, envelope, .. } = &stream
            && rpc == "SetParameterValues"
        {
            sent_spv = true;
            let Message::SetParameterValues(request) = &envelope.message else { panic!("{rpc}") };
            assert_eq!(request.parameter_list[0].value.text.as_str(), MASK);
        }
        answers.push(serde_json::to_string(&stream).unwrap());
    }
    assert!(sent_spv, "the session sent the SetParameterValues");
    for answer in &answers {
        for secret in [SIP_PASSWORD, "reported-secret", "cr:pw@"] {
            assert!(!answer.contains(secret), "{secret} in {answer}");
        }
    }
    assert_eq!(detail.parameters[SIP_PASSWORD_PARAMETER], MASK);
    assert_eq!(detail.queue[0].rpc, "SetParameterValues");
    assert_eq!(detail.queue[0].targets, [SIP_PASSWORD_PARAMETER]);
    assert_eq!(summary.connection_request_url.as_deref(), Some("http://192.0.2.7:7547/cr"));
    assert_eq!(summary.queued, 1);
}

#[test]
fn answers_and_events_survive_json() {
    let (acs, events) = session_with_a_secret();
    let device = acs.device("00085D-6867i-SN1").unwrap();
    let detail = DeviceDetail::of(device);
    let json = serde_json::to_string(&detail).unwrap();
    assert_eq!(serde_json::from_str::<DeviceDetail>(&json).unwrap(), detail);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["id"], "00085D-6867i-SN1", "the summary's fields are the detail's own");
    let summaries = vec![DeviceSummary::of(device)];
    let json = serde_json::to_string(&summaries).unwrap();
    assert_eq!(serde_json::from_str::<Vec<DeviceSummary>>(&json).unwrap(), summaries);

    for event in &events {
        let stream = StreamEvent::from_acs(event);
        let json = serde_json::to_string(&stream).unwrap();
        assert_eq!(serde_json::from_str::<StreamEvent>(&json).unwrap(), stream, "{json}");
        // A reader that does not show envelopes reads every event without them.
        let light: StreamEvent<serde::de::IgnoredAny> = serde_json::from_str(&json).unwrap();
        assert_eq!(light.device(), stream.device());
    }
    let relay_events = [
        StreamEvent::RpcRequeued {
            time: Timestamp::from_unix_nanos(0),
            device: "d".into(),
            request_id: "cwmpkit-3".into(),
            rpc: "GetParameterValues".into(),
            reason: SessionEnd::Expired,
        },
        StreamEvent::SessionEnded {
            time: Timestamp::from_unix_nanos(0),
            device: "d".into(),
            reason: SessionEnd::MismatchedResponse,
        },
        StreamEvent::Problem {
            time: Timestamp::from_unix_nanos(0),
            device: Some("d".into()),
            code: Some("auth-failed".into()),
            message: "refused".into(),
        },
        StreamEvent::Upload {
            time: Timestamp::from_unix_nanos(0),
            name: "00085D1A2B3C_local.cfg".into(),
            bytes: 12,
            peer: "192.0.2.7:1".into(),
            device: Some("d".into()),
        },
        StreamEvent::ConnectionRequest {
            time: Timestamp::from_unix_nanos(0),
            device: "d".into(),
            url: "http://192.0.2.7/cr".into(),
            outcome: Some(api::ConnectionRequestOutcome {
                status: Some(200),
                accepted: true,
                authentication: Some("Digest".into()),
                transport: "http".into(),
            }),
            error: None,
        },
        StreamEvent::Dropped { reason: "fell behind".into() },
    ];
    for event in relay_events {
        let json = serde_json::to_string(&event).unwrap();
        assert_eq!(serde_json::from_str::<StreamEvent>(&json).unwrap(), event, "{json}");
    }
    // A newer relay's event is read as one this reader does not know, not as an error.
    let newer: StreamEvent =
        serde_json::from_str(r#"{"event":"session-paused","device":"d"}"#).unwrap();
    assert_eq!(newer, StreamEvent::Other);
    let form = api::ConnectionRequestForm {
        username: Some("acs".into()),
        password: None,
        via: Some(api::Via::Udp),
    };
    let json = serde_json::to_string(&form).unwrap();
    assert_eq!(json, r#"{"username":"acs","via":"udp"}"#);
    assert!(
        serde_json::from_str::<api::ConnectionRequestForm>(r#"{"url":"http://elsewhere/"}"#)
            .is_err()
    );
}
