//! The typed CWMP message model. (Interface first; the codec fills it in.)

use serde::{Deserialize, Serialize};

/// The text of a parameter name or value: a string that, once decoded, shares
/// the one copy of the body it came from instead of owning an allocation of
/// its own (a 1 MB GetParameterValuesResponse holds tens of thousands of them).
/// It reads as a `&str` (`Deref`), compares with `str` and `String`, is made
/// from either with `.into()`, and serializes as a plain string.
///
/// Holding any of them keeps that body alive; [`Text::from`] a `String` (or
/// `Text::from(text.as_str())`) makes an independent copy.
pub type Text = arcstr::Substr;

/// The CWMP version, detected from the namespace URI bound in the envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CwmpVersion {
    V1_0,
    V1_1,
    /// `urn:dslforum-org:cwmp-1-2`, also used by 1.3 and 1.4.
    V1_2,
}

impl CwmpVersion {
    /// The namespace URI of this version's envelopes.
    pub fn namespace(self) -> &'static str {
        match self {
            CwmpVersion::V1_0 => "urn:dslforum-org:cwmp-1-0",
            CwmpVersion::V1_1 => "urn:dslforum-org:cwmp-1-1",
            CwmpVersion::V1_2 => "urn:dslforum-org:cwmp-1-2",
        }
    }

    /// The version whose namespace URI this is.
    pub fn from_namespace(uri: &str) -> Option<CwmpVersion> {
        match uri.trim() {
            "urn:dslforum-org:cwmp-1-0" => Some(CwmpVersion::V1_0),
            "urn:dslforum-org:cwmp-1-1" => Some(CwmpVersion::V1_1),
            "urn:dslforum-org:cwmp-1-2" => Some(CwmpVersion::V1_2),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Header {
    pub id: Option<String>,
    pub hold_requests: Option<bool>,
    /// Legacy, in no XSD; kept because old stacks still send it.
    pub no_more_requests: Option<bool>,
    pub session_timeout: Option<u32>,
    pub supported_cwmp_versions: Option<String>,
    pub use_cwmp_version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub version: CwmpVersion,
    pub header: Header,
    pub message: Message,
}

/// One RPC: the child of the SOAP Body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Message {
    // CPE → ACS requests and the ACS's responses.
    Inform(Inform),
    InformResponse(InformResponse),
    TransferComplete(TransferComplete),
    TransferCompleteResponse,
    AutonomousTransferComplete(AutonomousTransferComplete),
    AutonomousTransferCompleteResponse,
    RequestDownload(RequestDownload),
    RequestDownloadResponse,
    DUStateChangeComplete(DUStateChangeComplete),
    DUStateChangeCompleteResponse,
    AutonomousDUStateChangeComplete(AutonomousDUStateChangeComplete),
    AutonomousDUStateChangeCompleteResponse,
    /// Deprecated (CWMP 1.0 web-page kick).
    Kicked(Kicked),
    KickedResponse(KickedResponse),
    // Either direction.
    GetRPCMethods,
    GetRPCMethodsResponse(GetRPCMethodsResponse),
    // ACS → CPE requests and the CPE's responses.
    SetParameterValues(SetParameterValues),
    SetParameterValuesResponse(SetParameterValuesResponse),
    GetParameterValues(GetParameterValues),
    GetParameterValuesResponse(GetParameterValuesResponse),
    GetParameterNames(GetParameterNames),
    GetParameterNamesResponse(GetParameterNamesResponse),
    SetParameterAttributes(SetParameterAttributes),
    SetParameterAttributesResponse,
    GetParameterAttributes(GetParameterAttributes),
    GetParameterAttributesResponse(GetParameterAttributesResponse),
    AddObject(AddObject),
    AddObjectResponse(AddObjectResponse),
    DeleteObject(DeleteObject),
    DeleteObjectResponse(DeleteObjectResponse),
    Reboot(Reboot),
    RebootResponse,
    Download(Download),
    DownloadResponse(TransferResponse),
    Upload(Upload),
    UploadResponse(TransferResponse),
    FactoryReset,
    FactoryResetResponse,
    /// Deprecated since 1.1 in favour of GetAllQueuedTransfers.
    GetQueuedTransfers,
    GetQueuedTransfersResponse(GetQueuedTransfersResponse),
    GetAllQueuedTransfers,
    GetAllQueuedTransfersResponse(GetAllQueuedTransfersResponse),
    ScheduleInform(ScheduleInform),
    ScheduleInformResponse,
    /// Deprecated (option vouchers).
    SetVouchers(SetVouchers),
    SetVouchersResponse,
    /// Deprecated (option vouchers).
    GetOptions(GetOptions),
    GetOptionsResponse(GetOptionsResponse),
    ScheduleDownload(ScheduleDownload),
    ScheduleDownloadResponse,
    CancelTransfer(CancelTransfer),
    CancelTransferResponse,
    ChangeDUState(ChangeDUState),
    ChangeDUStateResponse,
    /// A SOAP Fault, usually carrying a `cwmp:Fault`.
    Fault(SoapFault),
    /// A Body with no method element.
    EmptyBody,
    /// A vendor method (`X_<OUI or domain>_<Name>`), kept whole.
    Vendor(RawMessage),
    /// An element that is no CWMP method, kept whole.
    Unknown(RawMessage),
}

/// A method kept as the XML it arrived as.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RawMessage {
    /// The element's local name.
    pub name: String,
    /// The element's source text, from `<` to the end of its closing tag.
    pub xml: String,
}

impl Message {
    /// The element name of the body's method, as on the wire.
    pub fn name(&self) -> &str {
        use Message::*;
        match self {
            Inform(_) => "Inform",
            InformResponse(_) => "InformResponse",
            TransferComplete(_) => "TransferComplete",
            TransferCompleteResponse => "TransferCompleteResponse",
            AutonomousTransferComplete(_) => "AutonomousTransferComplete",
            AutonomousTransferCompleteResponse => "AutonomousTransferCompleteResponse",
            RequestDownload(_) => "RequestDownload",
            RequestDownloadResponse => "RequestDownloadResponse",
            DUStateChangeComplete(_) => "DUStateChangeComplete",
            DUStateChangeCompleteResponse => "DUStateChangeCompleteResponse",
            AutonomousDUStateChangeComplete(_) => "AutonomousDUStateChangeComplete",
            AutonomousDUStateChangeCompleteResponse => "AutonomousDUStateChangeCompleteResponse",
            Kicked(_) => "Kicked",
            KickedResponse(_) => "KickedResponse",
            GetRPCMethods => "GetRPCMethods",
            GetRPCMethodsResponse(_) => "GetRPCMethodsResponse",
            SetParameterValues(_) => "SetParameterValues",
            SetParameterValuesResponse(_) => "SetParameterValuesResponse",
            GetParameterValues(_) => "GetParameterValues",
            GetParameterValuesResponse(_) => "GetParameterValuesResponse",
            GetParameterNames(_) => "GetParameterNames",
            GetParameterNamesResponse(_) => "GetParameterNamesResponse",
            SetParameterAttributes(_) => "SetParameterAttributes",
            SetParameterAttributesResponse => "SetParameterAttributesResponse",
            GetParameterAttributes(_) => "GetParameterAttributes",
            GetParameterAttributesResponse(_) => "GetParameterAttributesResponse",
            AddObject(_) => "AddObject",
            AddObjectResponse(_) => "AddObjectResponse",
            DeleteObject(_) => "DeleteObject",
            DeleteObjectResponse(_) => "DeleteObjectResponse",
            Reboot(_) => "Reboot",
            RebootResponse => "RebootResponse",
            Download(_) => "Download",
            DownloadResponse(_) => "DownloadResponse",
            Upload(_) => "Upload",
            UploadResponse(_) => "UploadResponse",
            FactoryReset => "FactoryReset",
            FactoryResetResponse => "FactoryResetResponse",
            GetQueuedTransfers => "GetQueuedTransfers",
            GetQueuedTransfersResponse(_) => "GetQueuedTransfersResponse",
            GetAllQueuedTransfers => "GetAllQueuedTransfers",
            GetAllQueuedTransfersResponse(_) => "GetAllQueuedTransfersResponse",
            ScheduleInform(_) => "ScheduleInform",
            ScheduleInformResponse => "ScheduleInformResponse",
            SetVouchers(_) => "SetVouchers",
            SetVouchersResponse => "SetVouchersResponse",
            GetOptions(_) => "GetOptions",
            GetOptionsResponse(_) => "GetOptionsResponse",
            ScheduleDownload(_) => "ScheduleDownload",
            ScheduleDownloadResponse => "ScheduleDownloadResponse",
            CancelTransfer(_) => "CancelTransfer",
            CancelTransferResponse => "CancelTransferResponse",
            ChangeDUState(_) => "ChangeDUState",
            ChangeDUStateResponse => "ChangeDUStateResponse",
            Fault(_) => "Fault",
            EmptyBody => "(empty body)",
            Vendor(raw) | Unknown(raw) => &raw.name,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DeviceId {
    pub manufacturer: String,
    pub oui: String,
    pub product_class: String,
    pub serial_number: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EventStruct {
    pub event_code: String,
    pub command_key: String,
}

/// A parameter value as sent: the declared `xsi:type` (if any) and the text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Value {
    /// The local name of `xsi:type`, e.g. `string`, `unsignedInt`; `None` when absent.
    /// XML Schema's `base64Binary` is reported as CWMP's `base64`.
    pub xsi_type: Option<Text>,
    pub text: Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ParameterValueStruct {
    pub name: Text,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Inform {
    pub device_id: DeviceId,
    pub events: Vec<EventStruct>,
    pub max_envelopes: u32,
    pub current_time: String,
    pub retry_count: u32,
    pub parameter_list: Vec<ParameterValueStruct>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InformResponse {
    pub max_envelopes: u32,
}

/// `FaultStruct` of TransferComplete and friends: code 0 means success.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FaultStruct {
    pub fault_code: u32,
    pub fault_string: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TransferComplete {
    pub command_key: String,
    pub fault_struct: FaultStruct,
    pub start_time: String,
    pub complete_time: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AutonomousTransferComplete {
    pub announce_url: String,
    pub transfer_url: String,
    pub is_download: bool,
    pub file_type: String,
    pub file_size: u32,
    pub target_file_name: String,
    pub fault_struct: FaultStruct,
    pub start_time: String,
    pub complete_time: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ArgStruct {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RequestDownload {
    pub file_type: String,
    pub file_type_arg: Vec<ArgStruct>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OpResultStruct {
    pub uuid: String,
    pub deployment_unit_ref: String,
    pub version: String,
    pub current_state: String,
    pub resolved: bool,
    pub execution_unit_ref_list: String,
    pub start_time: String,
    pub complete_time: String,
    pub fault: FaultStruct,
    /// Only in AutonomousDUStateChangeComplete (`Install`, `Update`, `Uninstall`).
    pub operation_performed: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DUStateChangeComplete {
    pub results: Vec<OpResultStruct>,
    pub command_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AutonomousDUStateChangeComplete {
    pub results: Vec<OpResultStruct>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Kicked {
    pub command: String,
    pub referer: String,
    pub arg: String,
    pub next: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KickedResponse {
    pub next_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GetRPCMethodsResponse {
    pub method_list: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SetParameterValues {
    pub parameter_list: Vec<ParameterValueStruct>,
    pub parameter_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SetParameterValuesResponse {
    /// 0: applied; 1: applied, committed later (e.g. after a reboot).
    pub status: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GetParameterValues {
    pub parameter_names: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GetParameterValuesResponse {
    pub parameter_list: Vec<ParameterValueStruct>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GetParameterNames {
    pub parameter_path: String,
    pub next_level: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ParameterInfoStruct {
    pub name: Text,
    pub writable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GetParameterNamesResponse {
    pub parameter_list: Vec<ParameterInfoStruct>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SetParameterAttributesStruct {
    pub name: Text,
    pub notification_change: bool,
    /// 0 off, 1 passive, 2 active; 3–6 lightweight and other (1.4).
    pub notification: i32,
    pub access_list_change: bool,
    pub access_list: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SetParameterAttributes {
    pub parameter_list: Vec<SetParameterAttributesStruct>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GetParameterAttributes {
    pub parameter_names: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ParameterAttributeStruct {
    pub name: Text,
    pub notification: i32,
    pub access_list: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GetParameterAttributesResponse {
    pub parameter_list: Vec<ParameterAttributeStruct>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AddObject {
    pub object_name: String,
    pub parameter_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AddObjectResponse {
    pub instance_number: u32,
    pub status: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DeleteObject {
    pub object_name: String,
    pub parameter_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DeleteObjectResponse {
    pub status: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Reboot {
    pub command_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Download {
    pub command_key: String,
    pub file_type: String,
    pub url: String,
    pub username: String,
    pub password: String,
    pub file_size: u32,
    pub target_file_name: String,
    pub delay_seconds: u32,
    pub success_url: String,
    pub failure_url: String,
}

/// DownloadResponse and UploadResponse.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TransferResponse {
    /// 0: done; 1: will finish later and report with TransferComplete.
    pub status: i32,
    pub start_time: String,
    pub complete_time: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Upload {
    pub command_key: String,
    pub file_type: String,
    pub url: String,
    pub username: String,
    pub password: String,
    pub delay_seconds: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct QueuedTransferStruct {
    pub command_key: String,
    /// 1 not yet started, 2 in progress, 3 completed.
    pub state: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GetQueuedTransfersResponse {
    pub transfer_list: Vec<QueuedTransferStruct>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AllQueuedTransferStruct {
    pub command_key: String,
    pub state: i32,
    pub is_download: bool,
    pub file_type: String,
    pub file_size: u32,
    pub target_file_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GetAllQueuedTransfersResponse {
    pub transfer_list: Vec<AllQueuedTransferStruct>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ScheduleInform {
    pub delay_seconds: u32,
    pub command_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SetVouchers {
    /// The vouchers, base64 text as sent.
    pub voucher_list: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GetOptions {
    pub option_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OptionStruct {
    pub option_name: String,
    pub voucher_sn: u32,
    pub state: u32,
    pub mode: i32,
    pub start_date: String,
    pub expiration_date: Option<String>,
    pub is_transferable: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GetOptionsResponse {
    pub option_list: Vec<OptionStruct>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TimeWindowStruct {
    pub window_start: u32,
    pub window_end: u32,
    pub window_mode: String,
    pub user_message: String,
    pub max_retries: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ScheduleDownload {
    pub command_key: String,
    pub file_type: String,
    pub url: String,
    pub username: String,
    pub password: String,
    pub file_size: u32,
    pub target_file_name: String,
    pub time_window_list: Vec<TimeWindowStruct>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CancelTransfer {
    pub command_key: String,
}

/// One deployment-unit operation of ChangeDUState. Optional fields are `None`
/// when the element was absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Operation {
    Install {
        url: String,
        uuid: Option<String>,
        username: Option<String>,
        password: Option<String>,
        execution_env_ref: Option<String>,
    },
    Update {
        uuid: Option<String>,
        version: Option<String>,
        url: Option<String>,
        username: Option<String>,
        password: Option<String>,
    },
    Uninstall {
        uuid: String,
        version: Option<String>,
        execution_env_ref: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChangeDUState {
    pub operations: Vec<Operation>,
    pub command_key: Option<String>,
}

/// A SOAP 1.1 Fault; `detail` holds the `cwmp:Fault` when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SoapFault {
    /// `faultcode` as sent, e.g. `SOAP-ENV:Client` (its prefix is not interpreted).
    pub fault_code: String,
    pub fault_string: String,
    pub detail: Option<CwmpFault>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CwmpFault {
    pub fault_code: u32,
    pub fault_string: String,
    pub set_parameter_values_faults: Vec<SetParameterValuesFault>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SetParameterValuesFault {
    pub parameter_name: String,
    pub fault_code: u32,
    pub fault_string: String,
}
