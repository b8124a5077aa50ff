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

// The generators below stay inside the XSD facets of every version, since
// the encoder refuses what does not (tests/cwmp_encode_facets.rs checks that).

fn date_time() -> impl Strategy<Value = String> {
    "20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,3})?(Z|[+-]0[0-9]:[0-5][0-9])?"
}

fn object_name() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_.]{0,12}\\."
}

fn uuid() -> impl Strategy<Value = String> {
    "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
}

/// Event codes every version's pattern accepts.
fn event_code() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("0 BOOTSTRAP".to_owned()),
        Just("2 PERIODIC".to_owned()),
        Just("6 CONNECTION REQUEST".to_owned()),
        Just("M Download".to_owned()),
        "M X_[A-Za-z]{1,8}",
        // 1.2 wants at least one character after the OUI (`.+`); 1.0 took none (`.*`).
        "X [0-9A-F]{6} [A-Za-z][A-Za-z .]{0,9}",
    ]
}

fn file_type(standard: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![proptest::sample::select(standard).prop_map(str::to_owned), "X 00D09E [a-z]{1,8}"]
}

const DOWNLOAD_TYPES: &[&str] = &["1 Firmware Upgrade Image", "3 Vendor Configuration File"];
const UPLOAD_TYPES: &[&str] = &["1 Vendor Configuration File", "2 Vendor Log File"];
const TRANSFER_TYPES: &[&str] = &["1 Firmware Upgrade Image", "4 Vendor Log File"];

fn access_list() -> impl Strategy<Value = Vec<String>> {
    vec(Just("Subscriber".to_owned()), 0..2)
}

fn value() -> impl Strategy<Value = Value> {
    let typed = |t: &'static str, text: BoxedStrategy<String>| {
        text.prop_map(move |text| Value { xsi_type: Some(t.into()), text: text.into() }).boxed()
    };
    prop_oneof![
        text().prop_map(|text| Value { xsi_type: None, text: text.into() }),
        typed("string", text().boxed()),
        typed("int", any::<i32>().prop_map(|n| n.to_string()).boxed()),
        typed("unsignedInt", any::<u32>().prop_map(|n| n.to_string()).boxed()),
        typed("long", any::<i64>().prop_map(|n| n.to_string()).boxed()),
        typed("unsignedLong", any::<u64>().prop_map(|n| n.to_string()).boxed()),
        typed("boolean", "true|false|0|1".boxed()),
        typed("dateTime", date_time().boxed()),
        // Before `==` only A, Q, g or w leave the unused bits zero, as base64Binary requires.
        typed("base64", "([A-Za-z0-9+/]{4}){0,3}([A-Za-z0-9+/][AQgw]==)?".boxed()),
        typed("hexBinary", "([0-9a-fA-F]{2}){0,4}".boxed()),
        typed("decimal", "-?[0-9]{1,5}(\\.[0-9]{1,3})?".boxed()),
    ]
}

fn parameter_values() -> impl Strategy<Value = Vec<ParameterValueStruct>> {
    vec(
        (text(), value())
            .prop_map(|(name, value)| ParameterValueStruct { name: name.into(), value }),
        0..4,
    )
}

/// A TransferComplete FaultStruct: success, or a code every version allows there.
fn fault_struct() -> impl Strategy<Value = FaultStruct> {
    (prop_oneof![Just(0u32), Just(9001), Just(9002), 9010..=9012u32], text())
        .prop_map(|(fault_code, fault_string)| FaultStruct { fault_code, fault_string })
}

/// Method names, parameter names and vouchers: at least one (minOccurs 1).
fn strings() -> impl Strategy<Value = Vec<String>> {
    vec(text(), 1..4)
}

fn op_result(autonomous: bool) -> impl Strategy<Value = OpResultStruct> {
    (
        (uuid(), text(), text(), state(), any::<bool>()),
        (text(), date_time(), date_time(), deployment_fault(), performed()),
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

fn state() -> impl Strategy<Value = String> {
    proptest::sample::select(&["Installed", "Uninstalled", "Failed"][..]).prop_map(str::to_owned)
}

fn performed() -> impl Strategy<Value = String> {
    proptest::sample::select(&["Install", "Update", "Uninstall"][..]).prop_map(str::to_owned)
}

fn deployment_fault() -> impl Strategy<Value = FaultStruct> {
    (prop_oneof![Just(0u32), Just(9001), Just(9003), 9033..=9899u32], text())
        .prop_map(|(fault_code, fault_string)| FaultStruct { fault_code, fault_string })
}

fn operation() -> impl Strategy<Value = Operation> {
    let o = || option::of(text());
    let u = || option::of(uuid());
    prop_oneof![
        (text(), u(), o(), o(), o()).prop_map(
            |(url, uuid, username, password, execution_env_ref)| {
                Operation::Install { url, uuid, username, password, execution_env_ref }
            }
        ),
        (u(), o(), o(), o(), o()).prop_map(|(uuid, version, url, username, password)| {
            Operation::Update { uuid, version, url, username, password }
        }),
        (uuid(), o(), o()).prop_map(|(uuid, version, execution_env_ref)| Operation::Uninstall {
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
            (text(), "[0-9A-F]{6}", text(), text()),
            vec(
                (event_code(), text())
                    .prop_map(|(event_code, command_key)| EventStruct { event_code, command_key }),
                0..3,
            ),
            (any::<u32>(), date_time(), any::<u32>()),
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
        (text(), fault_struct(), date_time(), date_time())
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
            (text(), text(), any::<bool>(), file_type(TRANSFER_TYPES), any::<u32>()),
            (text(), fault_struct(), date_time(), date_time()),
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
        (
            file_type(DOWNLOAD_TYPES),
            vec((text(), text()).prop_map(|(name, value)| ArgStruct { name, value }), 0..3),
        )
            .prop_map(|(file_type, file_type_arg)| {
                M::RequestDownload(RequestDownload { file_type, file_type_arg })
            })
            .boxed(),
        (vec(op_result(false), 1..3), option::of(text()))
            .prop_map(|(results, command_key)| {
                M::DUStateChangeComplete(DUStateChangeComplete { results, command_key })
            })
            .boxed(),
        vec(op_result(true), 1..3)
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
        (0..=1)
            .prop_map(|status| M::SetParameterValuesResponse(SetParameterValuesResponse { status }))
            .boxed(),
        strings()
            .prop_map(|names| {
                let parameter_names = names.into_iter().map(Into::into).collect();
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
                .prop_map(|(name, writable)| ParameterInfoStruct { name: name.into(), writable }),
            0..4,
        )
        .prop_map(|parameter_list| {
            M::GetParameterNamesResponse(GetParameterNamesResponse { parameter_list })
        })
        .boxed(),
        vec(
            (text(), any::<bool>(), 0..=2, any::<bool>(), access_list()).prop_map(
                |(name, nc, n, alc, al)| SetParameterAttributesStruct {
                    name: name.into(),
                    notification_change: nc,
                    notification: n,
                    access_list_change: alc,
                    access_list: al,
                },
            ),
            1..3,
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
            (text(), 0..=2, access_list()).prop_map(|(name, notification, access_list)| {
                ParameterAttributeStruct { name: name.into(), notification, access_list }
            }),
            0..3,
        )
        .prop_map(|parameter_list| {
            M::GetParameterAttributesResponse(GetParameterAttributesResponse { parameter_list })
        })
        .boxed(),
        (object_name(), text())
            .prop_map(|(object_name, parameter_key)| {
                M::AddObject(AddObject { object_name, parameter_key })
            })
            .boxed(),
        (1..=u32::MAX, 0..=1)
            .prop_map(|(instance_number, status)| {
                M::AddObjectResponse(AddObjectResponse { instance_number, status })
            })
            .boxed(),
        (object_name(), text())
            .prop_map(|(object_name, parameter_key)| {
                M::DeleteObject(DeleteObject { object_name, parameter_key })
            })
            .boxed(),
        (0..=1).prop_map(|status| M::DeleteObjectResponse(DeleteObjectResponse { status })).boxed(),
        text().prop_map(|command_key| M::Reboot(Reboot { command_key })).boxed(),
        (
            (text(), file_type(DOWNLOAD_TYPES), text(), text(), text()),
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
        (0..=1, date_time(), date_time(), any::<bool>())
            .prop_map(|(status, start_time, complete_time, upload)| {
                let r = TransferResponse { status, start_time, complete_time };
                if upload { M::UploadResponse(r) } else { M::DownloadResponse(r) }
            })
            .boxed(),
        (text(), file_type(UPLOAD_TYPES), text(), text(), text(), any::<u32>())
            .prop_map(|(command_key, file_type, url, username, password, delay_seconds)| {
                M::Upload(Upload { command_key, file_type, url, username, password, delay_seconds })
            })
            .boxed(),
        vec(
            (text(), 1..=3)
                .prop_map(|(command_key, state)| QueuedTransferStruct { command_key, state }),
            0..3,
        )
        .prop_map(|transfer_list| {
            M::GetQueuedTransfersResponse(GetQueuedTransfersResponse { transfer_list })
        })
        .boxed(),
        vec(
            (text(), 1..=3, any::<bool>(), file_type(TRANSFER_TYPES), any::<u32>(), text())
                .prop_map(
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
            (text(), any::<u32>(), 0..=3u32, 0..=2, date_time(), option::of(date_time()), 0..=1)
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
            (text(), file_type(DOWNLOAD_TYPES), text(), text(), text()),
            (any::<u32>(), text()),
            vec(
                (
                    any::<u32>(),
                    any::<u32>(),
                    "1 At Any Time|2 Immediately|X 00D09E [a-z]{1,4}",
                    text(),
                    any::<i32>(),
                )
                    .prop_map(
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
                1..3,
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
        (vec(operation(), 1..4), option::of(text()))
            .prop_map(|(operations, command_key)| {
                M::ChangeDUState(ChangeDUState { operations, command_key })
            })
            .boxed(),
        (
            prop_oneof![Just("SOAP-ENV:Client"), Just("SOAP-ENV:Server")],
            text(),
            option::of((
                prop_oneof![9000..=9013u32, 8000..=8005u32, 9800..=9899u32],
                text(),
                vec(
                    (text(), prop_oneof![9000..=9013u32, 9800..=9899u32], text()).prop_map(
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
                    id: id.map(Into::into),
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
        let xml = encode(&envelope, version)
            .map_err(|e| TestCaseError::fail(format!("a valid message was refused: {e}")))?;
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
    let xml = encode(&envelope, CwmpVersion::V1_2).unwrap();
    assert_eq!(decode(xml.as_bytes()).unwrap().envelopes, vec![envelope]);
}
