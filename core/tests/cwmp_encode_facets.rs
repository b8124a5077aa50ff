//! The strict encoder refuses values outside the XSD facets of the version it
//! writes, naming the element path and the facet, and writes the same message
//! once the value fits.

use CwmpVersion::{V1_0, V1_1, V1_2};
use cwmpkit_core::XsdType;
use cwmpkit_core::cwmp::*;

fn envelope(message: Message) -> Envelope {
    Envelope { version: V1_0, header: Header::default(), message }
}

/// The refusal of `message` in `version`, which must not encode.
fn refused(message: Message, version: CwmpVersion) -> EncodeError {
    match encode(&envelope(message), version) {
        Ok(xml) => panic!("encoded though invalid:\n{xml}"),
        Err(error) => error,
    }
}

fn accepted(message: Message, version: CwmpVersion) {
    if let Err(error) = encode(&envelope(message), version) {
        panic!("refused though valid: {error}");
    }
}

fn reboot(command_key: &str) -> Message {
    Message::Reboot(Reboot { command_key: command_key.into() })
}

#[test]
fn string_lengths_are_counted_in_characters() {
    let error = refused(reboot(&"k".repeat(33)), V1_0);
    assert_eq!(error.path, "Envelope/Body/Reboot/CommandKey");
    assert_eq!(error.facet, "maxLength 32");
    assert!(error.to_string().contains("has 33 characters"), "{error}");
    // 32 characters of two bytes each still fit.
    accepted(reboot(&"é".repeat(32)), V1_0);

    let spv = |key: &str, name: &str| {
        Message::SetParameterValues(SetParameterValues {
            parameter_list: vec![ParameterValueStruct {
                name: name.into(),
                value: Value::typed(XsdType::String, "x"),
            }],
            parameter_key: key.into(),
        })
    };
    let error = refused(spv(&"p".repeat(33), "A.B"), V1_2);
    assert_eq!(error.path, "Envelope/Body/SetParameterValues/ParameterKey");
    let error = refused(spv("", &"N".repeat(257)), V1_2);
    assert_eq!(
        error.path,
        "Envelope/Body/SetParameterValues/ParameterList/ParameterValueStruct/Name"
    );
    assert_eq!(error.facet, "maxLength 256");
    accepted(spv(&"p".repeat(32), &"N".repeat(256)), V1_2);
}

fn inform(oui: &str, event_code: &str, current_time: &str) -> Message {
    Message::Inform(Inform {
        device_id: DeviceId {
            manufacturer: "ACME".into(),
            oui: oui.into(),
            product_class: "Box".into(),
            serial_number: "1".into(),
        },
        events: vec![EventStruct { event_code: event_code.into(), command_key: String::new() }],
        max_envelopes: 1,
        current_time: current_time.into(),
        retry_count: 0,
        parameter_list: Vec::new(),
    })
}

#[test]
fn patterns_are_those_of_the_version() {
    let now = "2024-05-01T10:00:00Z";
    let error = refused(inform("00a859", "2 PERIODIC", now), V1_2);
    assert_eq!(error.path, "Envelope/Body/Inform/DeviceId/OUI");
    assert!(error.facet.contains("OUI"), "{error}");
    let error = refused(inform("00A859", "2 PERIODIC", "yesterday"), V1_2);
    assert_eq!(error.path, "Envelope/Body/Inform/CurrentTime");
    assert!(error.facet.contains("dateTime"), "{error}");
    // 13 WAKEUP is an event code since 1.1; 1.0 lists its codes one by one.
    let error = refused(inform("00A859", "13 WAKEUP", now), V1_0);
    assert_eq!(error.path, "Envelope/Body/Inform/Event/EventStruct/EventCode");
    assert!(error.facet.contains("EventCodeType"), "{error}");
    accepted(inform("00A859", "13 WAKEUP", now), V1_1);
    accepted(inform("00A859", "X example.com THING", now), V1_2);
    refused(inform("00A859", "X example.com THING", now), V1_1);
    // Found by CI's proptest run: nothing after the OUI is `.*` in 1.0 but not `.+` in 1.2.
    accepted(inform("00A859", "X 00D09E ", now), V1_0);
    refused(inform("00A859", "X 00D09E ", now), V1_2);

    let add = |object_name: &str| {
        Message::AddObject(AddObject { object_name: object_name.into(), parameter_key: "".into() })
    };
    let error = refused(add("Device.Test"), V1_0);
    assert_eq!(error.path, "Envelope/Body/AddObject/ObjectName");
    accepted(add("Device.Test."), V1_0);

    let upload = |file_type: &str| {
        Message::Upload(Upload { file_type: file_type.into(), ..Upload::default() })
    };
    let error = refused(upload("1 Firmware Upgrade Image"), V1_1);
    assert_eq!(error.path, "Envelope/Body/Upload/FileType");
    accepted(upload("2 Vendor Log File"), V1_1);
    accepted(upload("X 00D09E Core Dump"), V1_0);

    let uninstall = |uuid: &str| {
        Message::ChangeDUState(ChangeDUState {
            operations: vec![Operation::Uninstall {
                uuid: uuid.into(),
                version: None,
                execution_env_ref: None,
            }],
            command_key: None,
        })
    };
    let error = refused(uninstall("some-uuid"), V1_2);
    assert_eq!(error.path, "Envelope/Body/ChangeDUState/Operations/UUID");
    accepted(uninstall("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), V1_2);
}

#[test]
fn enumerations_and_ranges() {
    let status = |status| {
        Message::DownloadResponse(TransferResponse {
            status,
            start_time: "2024-05-01T10:00:00Z".into(),
            complete_time: "2024-05-01T10:00:01Z".into(),
        })
    };
    let error = refused(status(2), V1_0);
    assert_eq!(error.path, "Envelope/Body/DownloadResponse/Status");
    assert_eq!(error.facet, "enumeration [0, 1]");
    accepted(status(1), V1_0);

    let created = |instance_number| {
        Message::AddObjectResponse(AddObjectResponse { instance_number, status: 0 })
    };
    assert_eq!(refused(created(0), V1_0).facet, "minInclusive 1");
    accepted(created(1), V1_0);

    let attributes = |notification, access: &str| {
        Message::SetParameterAttributes(SetParameterAttributes {
            parameter_list: vec![SetParameterAttributesStruct {
                name: "A.".into(),
                notification_change: true,
                notification,
                access_list_change: true,
                access_list: vec![access.into()],
            }],
        })
    };
    // Notification 3–6 came with CWMP 1.4 (namespace 1-2).
    let error = refused(attributes(4, "Subscriber"), V1_1);
    assert!(error.path.ends_with("SetParameterAttributesStruct/Notification"), "{error}");
    assert_eq!(error.facet, "enumeration [0, 1, 2]");
    accepted(attributes(4, "Subscriber"), V1_2);
    let error = refused(attributes(2, "Everyone"), V1_2);
    assert!(error.path.ends_with("AccessList/string"), "{error}");
    assert!(error.facet.contains("Subscriber"), "{error}");
}

#[test]
fn fault_codes_are_those_the_element_allows_in_the_version() {
    let fault = |code, spvf_code| {
        Message::Fault(SoapFault {
            fault_code: "SOAP-ENV:Client".into(),
            fault_string: "CWMP fault".into(),
            detail: Some(CwmpFault {
                fault_code: code,
                fault_string: "x".into(),
                set_parameter_values_faults: vec![SetParameterValuesFault {
                    parameter_name: "A.B".into(),
                    fault_code: spvf_code,
                    fault_string: "x".into(),
                }],
            }),
        })
    };
    let error = refused(fault(42, 9007), V1_2);
    assert_eq!(error.path, "Envelope/Body/Fault/detail/Fault/FaultCode");
    assert_eq!(error.facet, "union of the fault codes of cwmp:Fault in V1_2");
    // 9020 is a CPE fault code since 1.1; 1.0 enumerates 9000–9013.
    refused(fault(9020, 9007), V1_0);
    accepted(fault(9020, 9007), V1_1);
    // An ACS fault code cannot be a SetParameterValuesFault in 1.2.
    let error = refused(fault(9003, 8003), V1_2);
    assert!(error.path.ends_with("SetParameterValuesFault/FaultCode"), "{error}");

    let complete = |code| {
        Message::TransferComplete(TransferComplete {
            command_key: "k".into(),
            fault_struct: FaultStruct { fault_code: code, fault_string: "failed".into() },
            start_time: "2024-05-01T10:00:00Z".into(),
            complete_time: "2024-05-01T10:00:01Z".into(),
        })
    };
    let error = refused(complete(9003), V1_2);
    assert_eq!(error.path, "Envelope/Body/TransferComplete/FaultStruct/FaultCode");
    accepted(complete(9010), V1_0);
    accepted(complete(9033), V1_2);
    let error = refused(complete(9033), V1_0);
    // cwmp-1-0.xsd enumerates the transfer fault codes; later versions unite ranges.
    assert_eq!(error.facet, "enumeration [0, 9001, 9002, 9010, 9011, 9012]");
}

#[test]
fn parameter_values_fit_their_declared_type() {
    let gpv = |value: Value| {
        Message::GetParameterValuesResponse(GetParameterValuesResponse {
            parameter_list: vec![ParameterValueStruct { name: "A.B".into(), value }],
        })
    };
    let error = refused(gpv(Value::typed(XsdType::UnsignedInt, "-1")), V1_0);
    assert_eq!(
        error.path,
        "Envelope/Body/GetParameterValuesResponse/ParameterList/ParameterValueStruct/Value"
    );
    assert_eq!(error.facet, "xsi:type unsignedInt");
    // XML Schema's boolean is exactly true/false/1/0, whatever the decoder accepts.
    refused(gpv(Value::typed(XsdType::Boolean, "TRUE")), V1_0);
    accepted(gpv(Value::typed(XsdType::Boolean, " true ")), V1_0);
    let unknown = Value { xsi_type: Some("frobnicate".into()), text: "1".into() };
    assert_eq!(refused(gpv(unknown), V1_0).facet, "xsi:type frobnicate");
    accepted(gpv(Value { xsi_type: None, text: "anything at all".into() }), V1_0);
    // base64Binary wants the unused bits of the last character zero; xmllint agrees.
    refused(gpv(Value::typed(XsdType::Base64, "0+==")), V1_0);
    accepted(gpv(Value::typed(XsdType::Base64, "0A==")), V1_0);
    // dateTime as XML Schema 1.0 has it: the day must be in the month, 24:00:00 ends a day,
    // and a zone is at most ±14:00.
    refused(gpv(Value::typed(XsdType::DateTime, "2023-02-29T00:00:00Z")), V1_0);
    refused(gpv(Value::typed(XsdType::DateTime, "2023-01-01T00:00:00+99:00")), V1_0);
    accepted(gpv(Value::typed(XsdType::DateTime, "2023-12-31T24:00:00Z")), V1_0);
    // A prefixed type name would be written `xsd:xsd:…`.
    refused(gpv(Value { xsi_type: Some("xsd:string".into()), text: "x".into() }), V1_0);
}

fn autonomous_du_change(operation_performed: &str) -> Message {
    Message::AutonomousDUStateChangeComplete(AutonomousDUStateChangeComplete {
        results: vec![OpResultStruct {
            uuid: "6ba7b810-9dad-11d1-80b4-00c04fd430c8".into(),
            current_state: "Installed".into(),
            start_time: "2024-05-01T10:00:00Z".into(),
            complete_time: "2024-05-01T10:01:00Z".into(),
            operation_performed: Some(operation_performed.into()),
            ..OpResultStruct::default()
        }],
    })
}

#[test]
fn vendor_operation_types_are_allowed() {
    // DeploymentUnitOperationType is a union with plain xs:string.
    accepted(autonomous_du_change("Install"), V1_2);
    accepted(autonomous_du_change("X_ACME_Migrate"), V1_2);
}

#[test]
fn repeated_elements_occur_as_often_as_the_schema_allows() {
    let names = |count| {
        Message::GetParameterValues(GetParameterValues {
            parameter_names: vec!["Device.".into(); count],
        })
    };
    let error = refused(names(0), V1_0);
    assert_eq!(error.path, "Envelope/Body/GetParameterValues/ParameterNames/string");
    assert_eq!(error.facet, "minOccurs 1");
    accepted(names(1), V1_0);

    let events = |count| {
        let Message::Inform(mut inform) = inform("00A859", "2 PERIODIC", "2024-05-01T10:00:00Z")
        else {
            unreachable!()
        };
        inform.events = vec![inform.events[0].clone(); count];
        Message::Inform(inform)
    };
    accepted(events(64), V1_2);
    let error = refused(events(65), V1_2);
    assert_eq!(error.path, "Envelope/Body/Inform/Event/EventStruct");
    assert_eq!(error.facet, "maxOccurs 64");
    assert!(error.to_string().contains("`65` occurrences are too many"), "{error}");
}

fn vendor(name: &str, xml: &str) -> Message {
    Message::Vendor(RawMessage { name: name.into(), xml: xml.into() })
}

#[test]
fn a_vendor_rpc_is_written_only_if_it_is_one_well_formed_element() {
    accepted(
        vendor("X_ACME_Reset", "<acme:X_ACME_Reset><Delay>3</Delay></acme:X_ACME_Reset>"),
        V1_2,
    );
    accepted(vendor("X_ACME_Ping", "<X_ACME_Ping/>"), V1_0);
    accepted(vendor("X_ACME_Say", "<X_ACME_Say>&lt;&#233;&amp;&#x41;</X_ACME_Say>"), V1_0);
    for (xml, problem) in [
        ("<X_ACME_Reset><Delay>3</X_ACME_Reset>", "malformed XML"),
        ("<X_ACME_Reset>", "is not closed"),
        ("<X_ACME_Reset/><X_ACME_Reset/>", "a second element"),
        ("<X_ACME_Reset/></SOAP-ENV:Body><evil/>", "malformed XML"),
        ("<X_ACME_Other/>", "not <X_ACME_Reset>"),
        ("text<X_ACME_Reset/>", "text outside"),
        ("<X_ACME_Reset/>&amp;", "text outside"),
        ("<?pi x?><X_ACME_Reset/>", "processing instruction"),
        ("", "no element"),
        ("<X_ACME_Reset a=\"1\" a=\"2\"></X_ACME_Reset>", "malformed XML"),
        ("<X_ACME_Reset>&nbsp;</X_ACME_Reset>", "undeclared entity"),
        ("<X_ACME_Reset>&#0;</X_ACME_Reset>", "invalid character reference"),
    ] {
        let error = refused(vendor("X_ACME_Reset", xml), V1_2);
        assert!(error.problem.contains(problem), "{xml:?}: {error}");
        assert_eq!(error.path, "Envelope/Body/X_ACME_Reset", "{xml:?}");
    }
}
