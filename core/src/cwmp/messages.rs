//! Decoders of the RPC methods (the Body's child element) into typed structs.

use std::borrow::Cow;

use super::decode::{note_cwmp_ns, read_bool, read_number};
use super::reader::{Element, Ns, Reader, Result};
use super::*;
use crate::base::Severity;

/// Reads a struct whose children are simple fields, matched by local name;
/// unknown children are reported and skipped, missing ones keep their default.
/// `$reader` and `$child` name the closure's parameters for the field readers.
macro_rules! read_struct {
    ($reader:ident, $child:ident, $ty:ident { $($name:literal => $field:ident = $read:expr),* $(,)? }) => {{
        let mut value = $ty::default();
        $reader.children(|$reader, $child| {
            match $child.local() {
                $($name => value.$field = $read,)*
                _ => unexpected($reader, &$child)?,
            }
            Ok(())
        })?;
        value
    }};
}

pub(super) fn decode_message<'i>(
    reader: &mut Reader<'i>,
    method: Element<'i>,
    version: &mut Option<CwmpVersion>,
) -> Result<Message> {
    let name = method.local().to_owned();
    let method_ns = reader.ns(&method);
    if name.starts_with("X_") {
        note_cwmp_ns_lenient(reader, &method, version);
        let xml = reader.raw(&method)?;
        return Ok(Message::Vendor(RawMessage { name, xml }));
    }
    if name == "Fault" {
        // A SOAP Fault is in the envelope namespace; its version is in the detail.
        if method_ns != Ns::SoapEnv {
            let uri = reader.namespace_uri(&method);
            reader.diagnose(
                Severity::Warning,
                "unknown-namespace",
                method.offset,
                format!("Fault is in `{uri}`, not the SOAP envelope namespace"),
            );
        }
        return Ok(Message::Fault(soap_fault(reader, version)?));
    }
    note_cwmp_ns(reader, &method, version);
    let message = match name.as_str() {
        "Inform" => Message::Inform(inform(reader)?),
        "InformResponse" => Message::InformResponse(read_struct!(reader, child, InformResponse {
            "MaxEnvelopes" => max_envelopes = read_number(reader, &child)?,
        })),
        "TransferComplete" => {
            Message::TransferComplete(read_struct!(reader, child, TransferComplete {
                "CommandKey" => command_key = reader.text()?,
                "FaultStruct" => fault_struct = fault_struct(reader)?,
                "StartTime" => start_time = reader.text()?,
                "CompleteTime" => complete_time = reader.text()?,
            }))
        }
        "TransferCompleteResponse" => empty(reader, Message::TransferCompleteResponse)?,
        "AutonomousTransferComplete" => Message::AutonomousTransferComplete(
            read_struct!(reader, child, AutonomousTransferComplete {
                "AnnounceURL" => announce_url = reader.text()?,
                "TransferURL" => transfer_url = reader.text()?,
                "IsDownload" => is_download = read_bool(reader, &child)?,
                "FileType" => file_type = reader.text()?,
                "FileSize" => file_size = read_number(reader, &child)?,
                "TargetFileName" => target_file_name = reader.text()?,
                "FaultStruct" => fault_struct = fault_struct(reader)?,
                "StartTime" => start_time = reader.text()?,
                "CompleteTime" => complete_time = reader.text()?,
            }),
        ),
        "AutonomousTransferCompleteResponse" => {
            empty(reader, Message::AutonomousTransferCompleteResponse)?
        }
        "RequestDownload" => {
            Message::RequestDownload(read_struct!(reader, child, RequestDownload {
                "FileType" => file_type = reader.text()?,
                "FileTypeArg" => file_type_arg = array(reader, &child, "ArgStruct", |reader, _| {
                    Ok(read_struct!(reader, child, ArgStruct {
                        "Name" => name = reader.text()?,
                        "Value" => value = reader.text()?,
                    }))
                })?,
            }))
        }
        "RequestDownloadResponse" => empty(reader, Message::RequestDownloadResponse)?,
        "DUStateChangeComplete" => {
            let mut message = DUStateChangeComplete::default();
            reader.children(|reader, child| {
                match child.local() {
                    "Results" => message.results.extend(op_results(reader, &child)?),
                    "CommandKey" => message.command_key = Some(reader.text()?),
                    _ => unexpected(reader, &child)?,
                }
                Ok(())
            })?;
            Message::DUStateChangeComplete(message)
        }
        "DUStateChangeCompleteResponse" => empty(reader, Message::DUStateChangeCompleteResponse)?,
        "AutonomousDUStateChangeComplete" => {
            let mut message = AutonomousDUStateChangeComplete::default();
            reader.children(|reader, child| {
                match child.local() {
                    "Results" => message.results.extend(op_results(reader, &child)?),
                    _ => unexpected(reader, &child)?,
                }
                Ok(())
            })?;
            Message::AutonomousDUStateChangeComplete(message)
        }
        "AutonomousDUStateChangeCompleteResponse" => {
            empty(reader, Message::AutonomousDUStateChangeCompleteResponse)?
        }
        "Kicked" => Message::Kicked(read_struct!(reader, child, Kicked {
            "Command" => command = reader.text()?,
            "Referer" => referer = reader.text()?,
            "Arg" => arg = reader.text()?,
            "Next" => next = reader.text()?,
        })),
        "KickedResponse" => Message::KickedResponse(read_struct!(reader, child, KickedResponse {
            "NextURL" => next_url = reader.text()?,
        })),
        "GetRPCMethods" => empty(reader, Message::GetRPCMethods)?,
        "GetRPCMethodsResponse" => {
            Message::GetRPCMethodsResponse(read_struct!(reader, child, GetRPCMethodsResponse {
                "MethodList" => method_list = strings(reader, &child)?,
            }))
        }
        "SetParameterValues" => {
            Message::SetParameterValues(read_struct!(reader, child, SetParameterValues {
                "ParameterList" => parameter_list =
                    array(reader, &child, "ParameterValueStruct", parameter_value_struct)?,
                "ParameterKey" => parameter_key = reader.text()?,
            }))
        }
        "SetParameterValuesResponse" => Message::SetParameterValuesResponse(
            read_struct!(reader, child, SetParameterValuesResponse {
                "Status" => status = read_number(reader, &child)?,
            }),
        ),
        "GetParameterValues" => {
            Message::GetParameterValues(read_struct!(reader, child, GetParameterValues {
                "ParameterNames" => parameter_names = strings(reader, &child)?,
            }))
        }
        "GetParameterValuesResponse" => Message::GetParameterValuesResponse(
            read_struct!(reader, child, GetParameterValuesResponse {
                "ParameterList" => parameter_list =
                    array(reader, &child, "ParameterValueStruct", parameter_value_struct)?,
            }),
        ),
        "GetParameterNames" => {
            Message::GetParameterNames(read_struct!(reader, child, GetParameterNames {
                "ParameterPath" => parameter_path = reader.text()?,
                "NextLevel" => next_level = read_bool(reader, &child)?,
            }))
        }
        "GetParameterNamesResponse" => Message::GetParameterNamesResponse(
            read_struct!(reader, child, GetParameterNamesResponse {
                "ParameterList" => parameter_list =
                    array(reader, &child, "ParameterInfoStruct", |reader, _| {
                        Ok(read_struct!(reader, child, ParameterInfoStruct {
                            "Name" => name = reader.text_shared()?,
                            "Writable" => writable = read_bool(reader, &child)?,
                        }))
                    })?,
            }),
        ),
        "SetParameterAttributes" => {
            Message::SetParameterAttributes(read_struct!(reader, child, SetParameterAttributes {
                "ParameterList" => parameter_list =
                    array(reader, &child, "SetParameterAttributesStruct", |reader, _| {
                        Ok(read_struct!(reader, child, SetParameterAttributesStruct {
                            "Name" => name = reader.text_shared()?,
                            "NotificationChange" => notification_change = read_bool(reader, &child)?,
                            "Notification" => notification = read_number(reader, &child)?,
                            "AccessListChange" => access_list_change = read_bool(reader, &child)?,
                            "AccessList" => access_list = strings(reader, &child)?,
                        }))
                    })?,
            }))
        }
        "SetParameterAttributesResponse" => empty(reader, Message::SetParameterAttributesResponse)?,
        "GetParameterAttributes" => {
            Message::GetParameterAttributes(read_struct!(reader, child, GetParameterAttributes {
                "ParameterNames" => parameter_names = strings(reader, &child)?,
            }))
        }
        "GetParameterAttributesResponse" => Message::GetParameterAttributesResponse(read_struct!(
            reader,
            child,
            GetParameterAttributesResponse {
                "ParameterList" => parameter_list =
                    array(reader, &child, "ParameterAttributeStruct", |reader, _| {
                        Ok(read_struct!(reader, child, ParameterAttributeStruct {
                            "Name" => name = reader.text_shared()?,
                            "Notification" => notification = read_number(reader, &child)?,
                            "AccessList" => access_list = strings(reader, &child)?,
                        }))
                    })?,
            }
        )),
        "AddObject" => Message::AddObject(read_struct!(reader, child, AddObject {
            "ObjectName" => object_name = reader.text()?,
            "ParameterKey" => parameter_key = reader.text()?,
        })),
        "AddObjectResponse" => {
            Message::AddObjectResponse(read_struct!(reader, child, AddObjectResponse {
                "InstanceNumber" => instance_number = read_number(reader, &child)?,
                "Status" => status = read_number(reader, &child)?,
            }))
        }
        "DeleteObject" => Message::DeleteObject(read_struct!(reader, child, DeleteObject {
            "ObjectName" => object_name = reader.text()?,
            "ParameterKey" => parameter_key = reader.text()?,
        })),
        "DeleteObjectResponse" => {
            Message::DeleteObjectResponse(read_struct!(reader, child, DeleteObjectResponse {
                "Status" => status = read_number(reader, &child)?,
            }))
        }
        "Reboot" => Message::Reboot(read_struct!(reader, child, Reboot {
            "CommandKey" => command_key = reader.text()?,
        })),
        "RebootResponse" => empty(reader, Message::RebootResponse)?,
        "Download" => Message::Download(read_struct!(reader, child, Download {
            "CommandKey" => command_key = reader.text()?,
            "FileType" => file_type = reader.text()?,
            "URL" => url = reader.text()?,
            "Username" => username = reader.text()?,
            "Password" => password = reader.text()?,
            "FileSize" => file_size = read_number(reader, &child)?,
            "TargetFileName" => target_file_name = reader.text()?,
            "DelaySeconds" => delay_seconds = read_number(reader, &child)?,
            "SuccessURL" => success_url = reader.text()?,
            "FailureURL" => failure_url = reader.text()?,
        })),
        "DownloadResponse" => Message::DownloadResponse(transfer_response(reader)?),
        "Upload" => Message::Upload(read_struct!(reader, child, Upload {
            "CommandKey" => command_key = reader.text()?,
            "FileType" => file_type = reader.text()?,
            "URL" => url = reader.text()?,
            "Username" => username = reader.text()?,
            "Password" => password = reader.text()?,
            "DelaySeconds" => delay_seconds = read_number(reader, &child)?,
        })),
        "UploadResponse" => Message::UploadResponse(transfer_response(reader)?),
        "FactoryReset" => empty(reader, Message::FactoryReset)?,
        "FactoryResetResponse" => empty(reader, Message::FactoryResetResponse)?,
        "GetQueuedTransfers" => empty(reader, Message::GetQueuedTransfers)?,
        "GetQueuedTransfersResponse" => Message::GetQueuedTransfersResponse(
            read_struct!(reader, child, GetQueuedTransfersResponse {
                "TransferList" => transfer_list =
                    array(reader, &child, "QueuedTransferStruct", |reader, _| {
                        Ok(read_struct!(reader, child, QueuedTransferStruct {
                            "CommandKey" => command_key = reader.text()?,
                            "State" => state = read_number(reader, &child)?,
                        }))
                    })?,
            }),
        ),
        "GetAllQueuedTransfers" => empty(reader, Message::GetAllQueuedTransfers)?,
        "GetAllQueuedTransfersResponse" => Message::GetAllQueuedTransfersResponse(read_struct!(
            reader,
            child,
            GetAllQueuedTransfersResponse {
                "TransferList" => transfer_list =
                    array(reader, &child, "AllQueuedTransferStruct", |reader, _| {
                        Ok(read_struct!(reader, child, AllQueuedTransferStruct {
                            "CommandKey" => command_key = reader.text()?,
                            "State" => state = read_number(reader, &child)?,
                            "IsDownload" => is_download = read_bool(reader, &child)?,
                            "FileType" => file_type = reader.text()?,
                            "FileSize" => file_size = read_number(reader, &child)?,
                            "TargetFileName" => target_file_name = reader.text()?,
                        }))
                    })?,
            }
        )),
        "ScheduleInform" => Message::ScheduleInform(read_struct!(reader, child, ScheduleInform {
            "DelaySeconds" => delay_seconds = read_number(reader, &child)?,
            "CommandKey" => command_key = reader.text()?,
        })),
        "ScheduleInformResponse" => empty(reader, Message::ScheduleInformResponse)?,
        "SetVouchers" => Message::SetVouchers(read_struct!(reader, child, SetVouchers {
            "VoucherList" => voucher_list = array(reader, &child, "base64", |reader, _| reader.text())?,
        })),
        "SetVouchersResponse" => empty(reader, Message::SetVouchersResponse)?,
        "GetOptions" => Message::GetOptions(read_struct!(reader, child, GetOptions {
            "OptionName" => option_name = reader.text()?,
        })),
        "GetOptionsResponse" => {
            Message::GetOptionsResponse(read_struct!(reader, child, GetOptionsResponse {
                "OptionList" => option_list = array(reader, &child, "OptionStruct", |reader, _| {
                    Ok(read_struct!(reader, child, OptionStruct {
                        "OptionName" => option_name = reader.text()?,
                        "VoucherSN" => voucher_sn = read_number(reader, &child)?,
                        "State" => state = read_number(reader, &child)?,
                        "Mode" => mode = read_number(reader, &child)?,
                        "StartDate" => start_date = reader.text()?,
                        "ExpirationDate" => expiration_date = Some(reader.text()?),
                        "IsTransferable" => is_transferable = read_number(reader, &child)?,
                    }))
                })?,
            }))
        }
        "ScheduleDownload" => {
            Message::ScheduleDownload(read_struct!(reader, child, ScheduleDownload {
                "CommandKey" => command_key = reader.text()?,
                "FileType" => file_type = reader.text()?,
                "URL" => url = reader.text()?,
                "Username" => username = reader.text()?,
                "Password" => password = reader.text()?,
                "FileSize" => file_size = read_number(reader, &child)?,
                "TargetFileName" => target_file_name = reader.text()?,
                "TimeWindowList" => time_window_list = array(reader, &child, "TimeWindowStruct", |reader, _| {
                    Ok(read_struct!(reader, child, TimeWindowStruct {
                        "WindowStart" => window_start = read_number(reader, &child)?,
                        "WindowEnd" => window_end = read_number(reader, &child)?,
                        "WindowMode" => window_mode = reader.text()?,
                        "UserMessage" => user_message = reader.text()?,
                        "MaxRetries" => max_retries = read_number(reader, &child)?,
                    }))
                })?,
            }))
        }
        "ScheduleDownloadResponse" => empty(reader, Message::ScheduleDownloadResponse)?,
        "CancelTransfer" => Message::CancelTransfer(read_struct!(reader, child, CancelTransfer {
            "CommandKey" => command_key = reader.text()?,
        })),
        "CancelTransferResponse" => empty(reader, Message::CancelTransferResponse)?,
        "ChangeDUState" => {
            let mut message = ChangeDUState::default();
            reader.children(|reader, child| {
                match child.local() {
                    "Operations" => message.operations.extend(operations(reader, &child)?),
                    "CommandKey" => message.command_key = Some(reader.text()?),
                    _ => unexpected(reader, &child)?,
                }
                Ok(())
            })?;
            Message::ChangeDUState(message)
        }
        "ChangeDUStateResponse" => empty(reader, Message::ChangeDUStateResponse)?,
        _ => {
            reader.diagnose(
                Severity::Warning,
                "unknown-method",
                method.offset,
                format!("`{name}` is not a CWMP method; kept as raw XML"),
            );
            let xml = reader.raw(&method)?;
            Message::Unknown(RawMessage { name, xml })
        }
    };
    if let Ns::Cwmp(found) = method_ns {
        let needed = super::encode::introduced_in(&message);
        if version_rank(found) < version_rank(needed) {
            reader.diagnose_at(
                Severity::Warning,
                "method-newer-than-namespace",
                method.offset,
                super::decode::joined(&reader.path(), message.name()),
                format!(
                    "{} first appears in {}, but the namespace is {}",
                    message.name(),
                    needed.namespace(),
                    found.namespace()
                ),
            );
        }
    }
    Ok(message)
}

fn version_rank(version: CwmpVersion) -> u8 {
    match version {
        CwmpVersion::V1_0 => 0,
        CwmpVersion::V1_1 => 1,
        CwmpVersion::V1_2 => 2,
    }
}

/// Vendor methods may live in a vendor namespace; only note a cwmp one.
fn note_cwmp_ns_lenient(
    reader: &mut Reader<'_>,
    method: &Element<'_>,
    version: &mut Option<CwmpVersion>,
) {
    if matches!(reader.ns(method), Ns::Cwmp(_)) {
        note_cwmp_ns(reader, method, version);
    }
}

/// Reports a child element the schema does not have, and skips it.
fn unexpected(reader: &mut Reader<'_>, child: &Element<'_>) -> Result<()> {
    let name = child.local().to_owned();
    let parent = reader.parent_name().to_owned();
    reader.diagnose(
        Severity::Warning,
        "unexpected-element",
        child.offset,
        format!("`{name}` is not part of `{parent}`; ignored"),
    );
    reader.skip()
}

fn inform(reader: &mut Reader<'_>) -> Result<Inform> {
    let mut inform = Inform::default();
    reader.children(|reader, child| {
        match child.local() {
            "DeviceId" => inform.device_id = device_id(reader)?,
            "Event" => inform.events = array(reader, &child, "EventStruct", event_struct)?,
            "MaxEnvelopes" => inform.max_envelopes = read_number(reader, &child)?,
            "CurrentTime" => inform.current_time = reader.text()?,
            "RetryCount" => inform.retry_count = read_number(reader, &child)?,
            "ParameterList" => {
                inform.parameter_list =
                    array(reader, &child, "ParameterValueStruct", parameter_value_struct)?
            }
            _ => unexpected(reader, &child)?,
        }
        Ok(())
    })?;
    Ok(inform)
}

fn device_id(reader: &mut Reader<'_>) -> Result<DeviceId> {
    let mut id = DeviceId::default();
    reader.children(|reader, child| {
        match child.local() {
            "Manufacturer" => id.manufacturer = reader.text()?,
            "OUI" => id.oui = reader.text()?,
            "ProductClass" => id.product_class = reader.text()?,
            "SerialNumber" => id.serial_number = reader.text()?,
            _ => unexpected(reader, &child)?,
        }
        Ok(())
    })?;
    Ok(id)
}

fn event_struct<'i>(reader: &mut Reader<'i>, _item: &Element<'i>) -> Result<EventStruct> {
    let mut event = EventStruct::default();
    reader.children(|reader, child| {
        match child.local() {
            "EventCode" => event.event_code = reader.text()?,
            "CommandKey" => event.command_key = reader.text()?,
            _ => unexpected(reader, &child)?,
        }
        Ok(())
    })?;
    Ok(event)
}

fn parameter_value_struct<'i>(
    reader: &mut Reader<'i>,
    _item: &Element<'i>,
) -> Result<ParameterValueStruct> {
    let mut parameter = ParameterValueStruct::default();
    reader.children(|reader, child| {
        match child.local() {
            "Name" => parameter.name = reader.text_shared()?,
            "Value" => parameter.value = value(reader, &child)?,
            _ => unexpected(reader, &child)?,
        }
        Ok(())
    })?;
    Ok(parameter)
}

/// A `Value`: the `xsi:type` (local part; the prefix must resolve to XML Schema)
/// and the text exactly as sent.
pub(super) fn value<'i>(reader: &mut Reader<'i>, element: &Element<'i>) -> Result<Value> {
    let declared = match reader.cached_xsi_type(element) {
        Some(declared) => declared,
        None => {
            let declared = reader.attribute_with(
                element,
                |ns| matches!(ns, Ns::Xsi | Ns::Xsi1999),
                "type",
                |reader, qname| {
                    let qname = qname.trim();
                    let (ns, local) = reader.resolve_qname_value(qname);
                    // One name for one type: XML Schema's base64Binary is CWMP's base64.
                    let local = if local == "base64Binary" {
                        arcstr::literal_substr!("base64")
                    } else {
                        reader.share(Cow::Borrowed(local))
                    };
                    let odd = (ns != Ns::Xsd).then(|| (ns, qname.to_owned()));
                    (local, odd)
                },
            );
            reader.cache_xsi_type(element, &declared);
            declared
        }
    };
    let xsi_type = match declared {
        Some((local, odd)) => {
            if let Some((ns, qname)) = odd {
                match ns {
                    Ns::Xsd1999 => reader.diagnose(
                        Severity::Info,
                        "xsd-1999-namespace",
                        element.offset,
                        "the type uses the 1999 XML Schema namespace",
                    ),
                    Ns::Unbound => reader.diagnose(
                        Severity::Warning,
                        "unbound-type-prefix",
                        element.offset,
                        format!("the prefix of xsi:type `{qname}` is not declared"),
                    ),
                    Ns::Cwmp(_) | Ns::SoapEnc => {}
                    _ => reader.diagnose(
                        Severity::Warning,
                        "unknown-type-namespace",
                        element.offset,
                        format!("xsi:type `{qname}` is not an XML Schema type"),
                    ),
                }
            }
            Some(local)
        }
        None => {
            reader.diagnose(
                Severity::Info,
                "missing-xsi-type",
                element.offset,
                "a Value without xsi:type (read as string)",
            );
            None
        }
    };
    let text = reader.text_shared()?;
    Ok(Value { xsi_type, text })
}

/// The input bytes an array item is assumed to take at least when reserving
/// room from a declared count (a real item has its tags and a child or two);
/// shorter items still decode, into a growing vector. This keeps a lying
/// count from reserving more than about twice the input's size.
const MIN_ITEM_BYTES: usize = 32;

/// Reads a SOAP-encoded array leniently: the declared count is compared with
/// the items found (never trusted), and items with another name are read as
/// the expected struct with a warning (e.g. `ParameterValueStuct`).
pub(super) fn array<'i, T>(
    reader: &mut Reader<'i>,
    element: &Element<'i>,
    item_name: &str,
    mut item: impl FnMut(&mut Reader<'i>, &Element<'i>) -> Result<T>,
) -> Result<Vec<T>> {
    let declared = declared_count(reader, element);
    // The declared count is a hint, never trusted beyond what the rest of the
    // input could hold (no real item is shorter than its two tags).
    let capacity = declared
        .unwrap_or(0)
        .min(reader.remaining() / MIN_ITEM_BYTES)
        .min(reader.limits().max_elements);
    let mut items = Vec::with_capacity(capacity);
    reader.children(|reader, child| {
        if child.local() != item_name {
            let found = child.local().to_owned();
            reader.diagnose(
                Severity::Warning,
                "misnamed-array-item",
                child.offset,
                format!("array item `{found}` read as `{item_name}`"),
            );
        }
        items.push(item(reader, &child)?);
        Ok(())
    })?;
    if let Some(count) = declared
        && count != items.len()
    {
        let found = items.len();
        let array_path = super::decode::joined(&reader.path(), element.local());
        reader.diagnose_at(
            Severity::Warning,
            "array-type-count-mismatch",
            element.offset,
            array_path,
            format!("arrayType declares {count} items but {found} are present"),
        );
    }
    Ok(items)
}

/// The `[N]` of `soap-enc:arrayType="cwmp:Type[N]"`, with diagnostics for the
/// odd forms seen in the field.
fn declared_count(reader: &mut Reader<'_>, element: &Element<'_>) -> Option<usize> {
    let array_type = reader.attribute(element, |ns| ns == Ns::SoapEnc, "arrayType")?;
    let open = array_type.rfind('[');
    let close = array_type.rfind(']');
    let digits = match (open, close) {
        (Some(open), Some(close)) if open < close => array_type.get(open + 1..close),
        _ => None,
    };
    let parsed = digits.and_then(|d| d.trim().parse::<usize>().ok().map(|n| (d.to_owned(), n)));
    match parsed {
        Some((digits, count)) => {
            if digits.len() > 1 && digits.starts_with('0') {
                let path = reader.path();
                reader.diagnose_at(
                    Severity::Info,
                    "array-type-count-zero-padded",
                    element.offset,
                    path,
                    format!("arrayType count `[{digits}]` is zero-padded"),
                );
            }
            Some(count)
        }
        None => {
            let shown = array_type;
            let path = reader.path();
            reader.diagnose_at(
                Severity::Warning,
                "array-type-malformed",
                element.offset,
                path,
                format!("arrayType `{shown}` has no item count"),
            );
            None
        }
    }
}

/// A method without arguments: anything inside is reported.
fn empty(reader: &mut Reader<'_>, message: Message) -> Result<Message> {
    reader.children(|reader, child| unexpected(reader, &child))?;
    Ok(message)
}

fn fault_struct(reader: &mut Reader<'_>) -> Result<FaultStruct> {
    let mut fault = FaultStruct::default();
    reader.children(|reader, child| {
        match child.local() {
            "FaultCode" => fault.fault_code = read_number(reader, &child)?,
            "FaultString" => fault.fault_string = reader.text()?,
            // Seen in the field: the fields wrapped once more in a FaultStruct.
            "FaultStruct" => {
                reader.diagnose(
                    Severity::Info,
                    "nested-fault-struct",
                    child.offset,
                    "FaultCode/FaultString wrapped in an extra FaultStruct",
                );
                fault = fault_struct(reader)?;
            }
            _ => unexpected(reader, &child)?,
        }
        Ok(())
    })?;
    Ok(fault)
}

fn transfer_response(reader: &mut Reader<'_>) -> Result<TransferResponse> {
    Ok(read_struct!(reader, child, TransferResponse {
        "Status" => status = read_number(reader, &child)?,
        "StartTime" => start_time = reader.text()?,
        "CompleteTime" => complete_time = reader.text()?,
    }))
}

/// An array of `xsd:string` items (their element name does not matter).
fn strings<'i>(reader: &mut Reader<'i>, element: &Element<'i>) -> Result<Vec<String>> {
    array(reader, element, "string", |reader, _| reader.text())
}

fn op_result_field(
    reader: &mut Reader<'_>,
    result: &mut OpResultStruct,
    child: &Element<'_>,
) -> Result<bool> {
    match child.local() {
        "UUID" => result.uuid = reader.text()?,
        "DeploymentUnitRef" => result.deployment_unit_ref = reader.text()?,
        "Version" => result.version = reader.text()?,
        "CurrentState" => result.current_state = reader.text()?,
        "Resolved" => result.resolved = read_bool(reader, child)?,
        "ExecutionUnitRefList" => result.execution_unit_ref_list = reader.text()?,
        "StartTime" => result.start_time = reader.text()?,
        "CompleteTime" => result.complete_time = reader.text()?,
        "Fault" => result.fault = fault_struct(reader)?,
        "OperationPerformed" => result.operation_performed = Some(reader.text()?),
        _ => return Ok(false),
    }
    Ok(true)
}

/// `Results`: the schema repeats `Results` with the fields inside; real stacks
/// also send one `Results` array of `OpResultStruct` items. Both are read.
fn op_results<'i>(reader: &mut Reader<'i>, element: &Element<'i>) -> Result<Vec<OpResultStruct>> {
    let mut results = Vec::new();
    let mut direct = OpResultStruct::default();
    let mut has_direct = false;
    let _ = element;
    reader.children(|reader, child| {
        if matches!(child.local(), "OpResultStruct" | "AutonOpResultStruct") {
            let mut item = OpResultStruct::default();
            reader.children(|reader, field| {
                if !op_result_field(reader, &mut item, &field)? {
                    unexpected(reader, &field)?;
                }
                Ok(())
            })?;
            results.push(item);
        } else if op_result_field(reader, &mut direct, &child)? {
            has_direct = true;
        } else {
            unexpected(reader, &child)?;
        }
        Ok(())
    })?;
    if has_direct {
        results.insert(0, direct);
    }
    Ok(results)
}

#[derive(Default)]
struct OperationFields {
    url: Option<String>,
    uuid: Option<String>,
    username: Option<String>,
    password: Option<String>,
    execution_env_ref: Option<String>,
    version: Option<String>,
    seen: bool,
}

impl OperationFields {
    fn read(&mut self, reader: &mut Reader<'_>, child: &Element<'_>) -> Result<()> {
        let slot = match child.local() {
            "URL" => &mut self.url,
            "UUID" => &mut self.uuid,
            "Username" => &mut self.username,
            "Password" => &mut self.password,
            "ExecutionEnvRef" => &mut self.execution_env_ref,
            "Version" => &mut self.version,
            _ => return unexpected(reader, child),
        };
        *slot = Some(reader.text()?);
        self.seen = true;
        Ok(())
    }

    fn into_operation(self, kind: &str, reader: &mut Reader<'_>, offset: usize) -> Operation {
        let kind = kind.trim_end_matches("OpStruct");
        let ignored = |reader: &mut Reader<'_>, field: &str, present: bool| {
            if present {
                reader.diagnose(
                    Severity::Warning,
                    "unexpected-element",
                    offset,
                    format!("`{field}` is not part of a {kind} operation; ignored"),
                );
            }
        };
        match kind {
            "Update" => {
                ignored(reader, "ExecutionEnvRef", self.execution_env_ref.is_some());
                Operation::Update {
                    uuid: self.uuid,
                    version: self.version,
                    url: self.url,
                    username: self.username,
                    password: self.password,
                }
            }
            "Uninstall" => {
                ignored(reader, "URL", self.url.is_some());
                ignored(reader, "Username", self.username.is_some());
                ignored(reader, "Password", self.password.is_some());
                Operation::Uninstall {
                    uuid: self.uuid.unwrap_or_default(),
                    version: self.version,
                    execution_env_ref: self.execution_env_ref,
                }
            }
            _ => {
                if kind != "Install" {
                    reader.diagnose(
                        Severity::Warning,
                        "unknown-operation",
                        offset,
                        format!("operation type `{kind}` is unknown; read as Install"),
                    );
                }
                ignored(reader, "Version", self.version.is_some());
                Operation::Install {
                    url: self.url.unwrap_or_default(),
                    uuid: self.uuid,
                    username: self.username,
                    password: self.password,
                    execution_env_ref: self.execution_env_ref,
                }
            }
        }
    }
}

/// `Operations`: per the schema, each `Operations` element is one operation whose
/// kind is its `xsi:type`; real stacks also nest `InstallOpStruct`… elements.
fn operations<'i>(reader: &mut Reader<'i>, element: &Element<'i>) -> Result<Vec<Operation>> {
    let declared =
        reader.attribute(element, |ns| matches!(ns, Ns::Xsi | Ns::Xsi1999), "type").map(|qname| {
            match qname.rsplit_once(':') {
                Some((_, local)) => local.to_owned(),
                None => qname,
            }
        });
    let mut operations = Vec::new();
    let mut direct = OperationFields::default();
    reader.children(|reader, child| {
        let name = child.local();
        if name.ends_with("OpStruct") {
            let kind = name.to_owned();
            let mut fields = OperationFields::default();
            reader.children(|reader, field| fields.read(reader, &field))?;
            operations.push(fields.into_operation(&kind, reader, child.offset));
            Ok(())
        } else {
            direct.read(reader, &child)
        }
    })?;
    // A typed `Operations` is one operation even when all its fields are absent.
    if direct.seen || (declared.is_some() && operations.is_empty()) {
        let kind = match declared {
            Some(kind) => kind,
            None => {
                reader.diagnose(
                    Severity::Warning,
                    "missing-xsi-type",
                    element.offset,
                    "Operations without xsi:type; read as an InstallOpStruct",
                );
                "InstallOpStruct".to_owned()
            }
        };
        operations.insert(0, direct.into_operation(&kind, reader, element.offset));
    }
    Ok(operations)
}

fn soap_fault(reader: &mut Reader<'_>, version: &mut Option<CwmpVersion>) -> Result<SoapFault> {
    let mut fault = SoapFault::default();
    reader.children(|reader, child| {
        match child.local() {
            "faultcode" => fault.fault_code = reader.text()?,
            "faultstring" => fault.fault_string = reader.text()?,
            "faultactor" => reader.skip()?,
            "detail" => {
                reader.children(|reader, inner| {
                    if inner.local() == "Fault" {
                        note_cwmp_ns(reader, &inner, version);
                        fault.detail = Some(cwmp_fault(reader)?);
                        Ok(())
                    } else {
                        unexpected(reader, &inner)
                    }
                })?;
            }
            _ => unexpected(reader, &child)?,
        }
        Ok(())
    })?;
    Ok(fault)
}

fn cwmp_fault(reader: &mut Reader<'_>) -> Result<CwmpFault> {
    let mut fault = CwmpFault::default();
    reader.children(|reader, child| {
        match child.local() {
            "FaultCode" => fault.fault_code = read_number(reader, &child)?,
            "FaultString" => fault.fault_string = reader.text()?,
            "SetParameterValuesFault" => fault.set_parameter_values_faults.push(
                read_struct!(reader, child, SetParameterValuesFault {
                    "ParameterName" => parameter_name = reader.text()?,
                    "FaultCode" => fault_code = read_number(reader, &child)?,
                    "FaultString" => fault_string = reader.text()?,
                }),
            ),
            _ => unexpected(reader, &child)?,
        }
        Ok(())
    })?;
    Ok(fault)
}
