//! decode(encode(m)) == m for generated messages of every kind and version.

use cwmpkit_core::cwmp::*;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::strategy::Union;

/// Text with markup characters, non-ASCII, tabs, newlines and carriage returns.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 <>&\"'.:/_\\-\r\n\té€𝄞]{0,12}"
}

fn value() -> impl Strategy<Value = Value> {
    let types = prop_oneof![
        Just(None),
        Just(Some("string")),
        Just(Some("int")),
        Just(Some("unsignedInt")),
        Just(Some("long")),
        Just(Some("unsignedLong")),
        Just(Some("boolean")),
        Just(Some("dateTime")),
        Just(Some("base64")),
        Just(Some("hexBinary")),
        Just(Some("decimal")),
    ];
    (types, text()).prop_map(|(t, text)| Value { xsi_type: t.map(str::to_owned), text })
}

fn parameter_values() -> impl Strategy<Value = Vec<ParameterValueStruct>> {
    vec((text(), value()).prop_map(|(name, value)| ParameterValueStruct { name, value }), 0..4)
}

fn fault_struct() -> impl Strategy<Value = FaultStruct> {
    (any::<u32>(), text())
        .prop_map(|(fault_code, fault_string)| FaultStruct { fault_code, fault_string })
}

fn strings() -> impl Strategy<Value = Vec<String>> {
    vec(text(), 0..4)
}

fn op_result(autonomous: bool) -> impl Strategy<Value = OpResultStruct> {
    (
        (text(), text(), text(), text(), any::<bool>()),
        (text(), text(), text(), fault_struct(), text()),
    )
        .prop_map(
            move |((uuid, du, version, state, resolved), (eu, start, complete, fault, op))| {
                OpResultStruct {
                    uuid,
                    deployment_unit_ref: du,
                    version,
                    current_state: state,
                    resolved,
                    execution_unit_ref_list: eu,
                    start_time: start,
                    complete_time: complete,
                    fault,
                    operation_performed: autonomous.then_some(op),
                }
            },
        )
}

fn operation() -> impl Strategy<Value = Operation> {
    let o = || option::of(text());
    prop_oneof![
        (text(), o(), o(), o(), o()).prop_map(
            |(url, uuid, username, password, execution_env_ref)| {
                Operation::Install { url, uuid, username, password, execution_env_ref }
            }
        ),
        (o(), o(), o(), o(), o()).prop_map(|(uuid, version, url, username, password)| {
            Operation::Update { uuid, version, url, username, password }
        }),
        (text(), o(), o()).prop_map(|(uuid, version, execution_env_ref)| Operation::Uninstall {
            uuid,
            version,
            execution_env_ref
        }),
    ]
}

fn message() -> impl Strategy<Value = Message> {
    use Message as M;
    let unit = [
        M::TransferCompleteResponse,
        M::AutonomousTransferCompleteResponse,
        M::RequestDownloadResponse,
        M::DUStateChangeCompleteResponse,
        M::AutonomousDUStateChangeCompleteResponse,
        M::GetRPCMethods,
        M::SetParameterAttributesResponse,
        M::RebootResponse,
        M::FactoryReset,
        M::FactoryResetResponse,
        M::GetQueuedTransfers,
        M::GetAllQueuedTransfers,
        M::ScheduleInformResponse,
        M::SetVouchersResponse,
        M::ScheduleDownloadResponse,
        M::CancelTransferResponse,
        M::ChangeDUStateResponse,
    ];
    let mut arms: Vec<BoxedStrategy<Message>> = unit.into_iter().map(|m| Just(m).boxed()).collect();
    arms.extend([
        (
            (text(), text(), text(), text()),
            vec(
                (text(), text())
                    .prop_map(|(event_code, command_key)| EventStruct { event_code, command_key }),
                0..3,
            ),
            (any::<u32>(), text(), any::<u32>()),
            parameter_values(),
        )
            .prop_map(
                |(
                    (manufacturer, oui, product_class, serial_number),
                    events,
                    (max, time, retry),
                    params,
                )| {
                    M::Inform(Inform {
                        device_id: DeviceId { manufacturer, oui, product_class, serial_number },
                        events,
                        max_envelopes: max,
                        current_time: time,
                        retry_count: retry,
                        parameter_list: params,
                    })
                },
            )
            .boxed(),
        any::<u32>()
            .prop_map(|max_envelopes| M::InformResponse(InformResponse { max_envelopes }))
            .boxed(),
        (text(), fault_struct(), text(), text())
            .prop_map(|(command_key, fault_struct, start_time, complete_time)| {
                M::TransferComplete(TransferComplete {
                    command_key,
                    fault_struct,
                    start_time,
                    complete_time,
                })
            })
            .boxed(),
        (
            (text(), text(), any::<bool>(), text(), any::<u32>()),
            (text(), fault_struct(), text(), text()),
        )
            .prop_map(|((a, t, d, ft, fs), (tf, f, s, c))| {
                M::AutonomousTransferComplete(AutonomousTransferComplete {
                    announce_url: a,
                    transfer_url: t,
                    is_download: d,
                    file_type: ft,
                    file_size: fs,
                    target_file_name: tf,
                    fault_struct: f,
                    start_time: s,
                    complete_time: c,
                })
            })
            .boxed(),
        (text(), vec((text(), text()).prop_map(|(name, value)| ArgStruct { name, value }), 0..3))
            .prop_map(|(file_type, file_type_arg)| {
                M::RequestDownload(RequestDownload { file_type, file_type_arg })
            })
            .boxed(),
        (vec(op_result(false), 0..3), option::of(text()))
            .prop_map(|(results, command_key)| {
                M::DUStateChangeComplete(DUStateChangeComplete { results, command_key })
            })
            .boxed(),
        vec(op_result(true), 0..3)
            .prop_map(|results| {
                M::AutonomousDUStateChangeComplete(AutonomousDUStateChangeComplete { results })
            })
            .boxed(),
        (text(), text(), text(), text())
            .prop_map(|(command, referer, arg, next)| {
                M::Kicked(Kicked { command, referer, arg, next })
            })
            .boxed(),
        text().prop_map(|next_url| M::KickedResponse(KickedResponse { next_url })).boxed(),
        strings()
            .prop_map(|method_list| M::GetRPCMethodsResponse(GetRPCMethodsResponse { method_list }))
            .boxed(),
        (parameter_values(), text())
            .prop_map(|(parameter_list, parameter_key)| {
                M::SetParameterValues(SetParameterValues { parameter_list, parameter_key })
            })
            .boxed(),
        any::<i32>()
            .prop_map(|status| M::SetParameterValuesResponse(SetParameterValuesResponse { status }))
            .boxed(),
        strings()
            .prop_map(|parameter_names| {
                M::GetParameterValues(GetParameterValues { parameter_names })
            })
            .boxed(),
        parameter_values()
            .prop_map(|parameter_list| {
                M::GetParameterValuesResponse(GetParameterValuesResponse { parameter_list })
            })
            .boxed(),
        (text(), any::<bool>())
            .prop_map(|(parameter_path, next_level)| {
                M::GetParameterNames(GetParameterNames { parameter_path, next_level })
            })
            .boxed(),
        vec(
            (text(), any::<bool>())
                .prop_map(|(name, writable)| ParameterInfoStruct { name, writable }),
            0..4,
        )
        .prop_map(|parameter_list| {
            M::GetParameterNamesResponse(GetParameterNamesResponse { parameter_list })
        })
        .boxed(),
        vec(
            (text(), any::<bool>(), any::<i32>(), any::<bool>(), strings()).prop_map(
                |(name, nc, n, alc, al)| SetParameterAttributesStruct {
                    name,
                    notification_change: nc,
                    notification: n,
                    access_list_change: alc,
                    access_list: al,
                },
            ),
            0..3,
        )
        .prop_map(|parameter_list| {
            M::SetParameterAttributes(SetParameterAttributes { parameter_list })
        })
        .boxed(),
        strings()
            .prop_map(|parameter_names| {
                M::GetParameterAttributes(GetParameterAttributes { parameter_names })
            })
            .boxed(),
        vec(
            (text(), any::<i32>(), strings()).prop_map(|(name, notification, access_list)| {
                ParameterAttributeStruct { name, notification, access_list }
            }),
            0..3,
        )
        .prop_map(|parameter_list| {
            M::GetParameterAttributesResponse(GetParameterAttributesResponse { parameter_list })
        })
        .boxed(),
        (text(), text())
            .prop_map(|(object_name, parameter_key)| {
                M::AddObject(AddObject { object_name, parameter_key })
            })
            .boxed(),
        (any::<u32>(), any::<i32>())
            .prop_map(|(instance_number, status)| {
                M::AddObjectResponse(AddObjectResponse { instance_number, status })
            })
            .boxed(),
        (text(), text())
            .prop_map(|(object_name, parameter_key)| {
                M::DeleteObject(DeleteObject { object_name, parameter_key })
            })
            .boxed(),
        any::<i32>()
            .prop_map(|status| M::DeleteObjectResponse(DeleteObjectResponse { status }))
            .boxed(),
        text().prop_map(|command_key| M::Reboot(Reboot { command_key })).boxed(),
        (
            (text(), text(), text(), text(), text()),
            (any::<u32>(), text(), any::<u32>(), text(), text()),
        )
            .prop_map(|((ck, ft, url, user, pass), (size, target, delay, ok, fail))| {
                M::Download(Download {
                    command_key: ck,
                    file_type: ft,
                    url,
                    username: user,
                    password: pass,
                    file_size: size,
                    target_file_name: target,
                    delay_seconds: delay,
                    success_url: ok,
                    failure_url: fail,
                })
            })
            .boxed(),
        (any::<i32>(), text(), text(), any::<bool>())
            .prop_map(|(status, start_time, complete_time, upload)| {
                let r = TransferResponse { status, start_time, complete_time };
                if upload { M::UploadResponse(r) } else { M::DownloadResponse(r) }
            })
            .boxed(),
        (text(), text(), text(), text(), text(), any::<u32>())
            .prop_map(|(command_key, file_type, url, username, password, delay_seconds)| {
                M::Upload(Upload { command_key, file_type, url, username, password, delay_seconds })
            })
            .boxed(),
        vec(
            (text(), any::<i32>())
                .prop_map(|(command_key, state)| QueuedTransferStruct { command_key, state }),
            0..3,
        )
        .prop_map(|transfer_list| {
            M::GetQueuedTransfersResponse(GetQueuedTransfersResponse { transfer_list })
        })
        .boxed(),
        vec(
            (text(), any::<i32>(), any::<bool>(), text(), any::<u32>(), text()).prop_map(
                |(command_key, state, is_download, file_type, file_size, target_file_name)| {
                    AllQueuedTransferStruct {
                        command_key,
                        state,
                        is_download,
                        file_type,
                        file_size,
                        target_file_name,
                    }
                },
            ),
            0..3,
        )
        .prop_map(|transfer_list| {
            M::GetAllQueuedTransfersResponse(GetAllQueuedTransfersResponse { transfer_list })
        })
        .boxed(),
        (any::<u32>(), text())
            .prop_map(|(delay_seconds, command_key)| {
                M::ScheduleInform(ScheduleInform { delay_seconds, command_key })
            })
            .boxed(),
        strings().prop_map(|voucher_list| M::SetVouchers(SetVouchers { voucher_list })).boxed(),
        text().prop_map(|option_name| M::GetOptions(GetOptions { option_name })).boxed(),
        vec(
            (
                text(),
                any::<u32>(),
                any::<u32>(),
                any::<i32>(),
                text(),
                option::of(text()),
                any::<i32>(),
            )
                .prop_map(
                    |(
                        option_name,
                        voucher_sn,
                        state,
                        mode,
                        start_date,
                        expiration_date,
                        is_transferable,
                    )| OptionStruct {
                        option_name,
                        voucher_sn,
                        state,
                        mode,
                        start_date,
                        expiration_date,
                        is_transferable,
                    },
                ),
            0..3,
        )
        .prop_map(|option_list| M::GetOptionsResponse(GetOptionsResponse { option_list }))
        .boxed(),
        (
            (text(), text(), text(), text(), text()),
            (any::<u32>(), text()),
            vec(
                (any::<u32>(), any::<u32>(), text(), text(), any::<i32>()).prop_map(
                    |(window_start, window_end, window_mode, user_message, max_retries)| {
                        TimeWindowStruct {
                            window_start,
                            window_end,
                            window_mode,
                            user_message,
                            max_retries,
                        }
                    },
                ),
                0..3,
            ),
        )
            .prop_map(|((ck, ft, url, user, pass), (size, target), windows)| {
                M::ScheduleDownload(ScheduleDownload {
                    command_key: ck,
                    file_type: ft,
                    url,
                    username: user,
                    password: pass,
                    file_size: size,
                    target_file_name: target,
                    time_window_list: windows,
                })
            })
            .boxed(),
        text().prop_map(|command_key| M::CancelTransfer(CancelTransfer { command_key })).boxed(),
        (vec(operation(), 0..4), option::of(text()))
            .prop_map(|(operations, command_key)| {
                M::ChangeDUState(ChangeDUState { operations, command_key })
            })
            .boxed(),
        (
            prop_oneof![Just("SOAP-ENV:Client"), Just("SOAP-ENV:Server")],
            text(),
            option::of((
                any::<u32>(),
                text(),
                vec(
                    (text(), any::<u32>(), text()).prop_map(
                        |(parameter_name, fault_code, fault_string)| SetParameterValuesFault {
                            parameter_name,
                            fault_code,
                            fault_string,
                        },
                    ),
                    0..3,
                ),
            )),
        )
            .prop_map(|(code, fault_string, detail)| {
                M::Fault(SoapFault {
                    fault_code: code.to_owned(),
                    fault_string,
                    detail: detail.map(
                        |(fault_code, fault_string, set_parameter_values_faults)| CwmpFault {
                            fault_code,
                            fault_string,
                            set_parameter_values_faults,
                        },
                    ),
                })
            })
            .boxed(),
        Just(M::EmptyBody).boxed(),
        // Vendor methods are kept as self-contained XML (the decoder makes them so).
        "[A-Z][A-Za-z]{0,8}"
            .prop_map(|name| {
                let name = format!("X_00D09E_{name}");
                M::Vendor(RawMessage {
                    xml: format!("<v:{name} xmlns:v=\"urn:example:acme\"><Arg>1</Arg></v:{name}>"),
                    name,
                })
            })
            .boxed(),
    ]);
    Union::new(arms)
}

fn header() -> impl Strategy<Value = Header> {
    (
        option::of(text()),
        option::of(any::<bool>()),
        option::of(any::<bool>()),
        option::of(any::<u32>()),
        option::of(text()),
        option::of(text()),
    )
        .prop_map(
            |(id, hold_requests, no_more_requests, session_timeout, supported, use_version)| {
                Header {
                    id,
                    hold_requests,
                    no_more_requests,
                    session_timeout,
                    supported_cwmp_versions: supported,
                    use_cwmp_version: use_version,
                }
            },
        )
}

fn version() -> impl Strategy<Value = CwmpVersion> {
    prop_oneof![Just(CwmpVersion::V1_0), Just(CwmpVersion::V1_1), Just(CwmpVersion::V1_2)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn decode_of_encode_is_identity(message in message(), header in header(), version in version()) {
        let envelope = Envelope { version, header, message };
        let xml = encode(&envelope, version);
        let decoded = decode(xml.as_bytes()).map_err(|e| TestCaseError::fail(format!("{e}\n{xml}")))?;
        prop_assert_eq!(decoded.envelopes, vec![envelope], "{}", xml);
    }
}

/// Found by the property above: an `Operations` with only an `xsi:type` was dropped.
#[test]
fn typed_operations_without_fields_stay_one_operation() {
    let operation =
        Operation::Update { uuid: None, version: None, url: None, username: None, password: None };
    let envelope = Envelope {
        version: CwmpVersion::V1_2,
        header: Header::default(),
        message: Message::ChangeDUState(ChangeDUState {
            operations: vec![operation],
            command_key: None,
        }),
    };
    let xml = encode(&envelope, CwmpVersion::V1_2);
    assert_eq!(decode(xml.as_bytes()).unwrap().envelopes, vec![envelope]);
}
