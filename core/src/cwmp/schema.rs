//! The CWMP message schema, stated once: every structure with its elements in schema order,
//! each element's type, facets and occurrences, and every RPC with its response, the side that
//! sends it and the version that introduced it. The types, their wire names, the decoder, the
//! strict encoder and its facet checks all follow from these tables (`fields.rs` holds the
//! codecs); `core/tests/cwmp_xsd_facets.rs` proves the facets against the BBF XSDs.

use super::facets::{Facet, FileKind, Occurs, Range};
use super::fields::{
    Bool, Fault, List, Nested, Num, Operations, Repeated, Results, Str, Strings, Typed, structures,
};
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

/// The CWMP version, detected from the namespace URI bound in the envelope; later versions
/// compare greater.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
    /// Shares the body it was read from (a copy per message otherwise, and another in the
    /// session's message).
    pub id: Option<Text>,
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

/// Who sends a method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sender {
    Cpe,
    Acs,
    /// GetRPCMethods goes both ways.
    Either,
}

/// What the schema says of one method: its response (or the request it answers), who sends
/// it, and the first version that defines it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Method {
    pub name: &'static str,
    pub sender: Sender,
    /// For a request: the element name of its response.
    pub response: Option<&'static str>,
    /// For a response: the element name of the request it answers.
    pub request: Option<&'static str>,
    pub introduced_in: CwmpVersion,
}

/// The facts of a CWMP method by its element name (`None` for vendor methods and faults).
pub fn method(name: &str) -> Option<&'static Method> {
    METHODS.iter().find(|method| method.name == name)
}

/// Declares the RPCs, each request with its response, who sends the request, and the version
/// that introduced them; a variant without a payload is a method without arguments.
macro_rules! messages {
    ($(
        $(#[$meta:meta])*
        $request:ident $(($request_type:ty))? => $response:ident $(($response_type:ty))?,
            from $sender:ident, since $version:ident;
    )*) => {
        /// One RPC: the child of the SOAP Body.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub enum Message {
            $(
                $(#[$meta])*
                $request $(($request_type))?,
                $response $(($response_type))?,
            )*
            /// A SOAP Fault, usually carrying a `cwmp:Fault`.
            Fault(SoapFault),
            /// A Body with no method element.
            EmptyBody,
            /// A vendor method (`X_<OUI or domain>_<Name>`), kept whole.
            Vendor(RawMessage),
            /// An element that is no CWMP method, kept whole.
            Unknown(RawMessage),
        }

        /// Every method of the schema.
        pub const METHODS: &[Method] = &[
            $(
                Method {
                    name: stringify!($request),
                    sender: Sender::$sender,
                    response: Some(stringify!($response)),
                    request: None,
                    introduced_in: CwmpVersion::$version,
                },
                Method {
                    name: stringify!($response),
                    sender: Sender::$sender.answered_by(),
                    response: None,
                    request: Some(stringify!($request)),
                    introduced_in: CwmpVersion::$version,
                },
            )*
        ];

        impl Message {
            /// The element name of the body's method, as on the wire.
            pub fn name(&self) -> &str {
                match self {
                    Message::Vendor(raw) | Message::Unknown(raw) => &raw.name,
                    _ => self.static_name().unwrap_or_default(),
                }
            }

            /// [`Message::name`] when it is not the message's own text: every name but a vendor
            /// or unknown method's, which lives as long as the program (no copy to keep it).
            pub fn static_name(&self) -> Option<&'static str> {
                match self {
                    $(
                        messages!(@pattern $request $(($request_type))?) => Some(stringify!($request)),
                        messages!(@pattern $response $(($response_type))?) => Some(stringify!($response)),
                    )*
                    Message::Fault(_) => Some("Fault"),
                    Message::EmptyBody => Some("(empty body)"),
                    Message::Vendor(_) | Message::Unknown(_) => None,
                }
            }

            /// The schema's facts about this message (`None` for faults, empty bodies, vendor
            /// and unknown methods).
            pub fn method(&self) -> Option<&'static Method> {
                method(self.name())
            }

            /// The first version whose schema defines the message.
            pub fn introduced_in(&self) -> CwmpVersion {
                match self {
                    $(
                        messages!(@pattern $request $(($request_type))?)
                        | messages!(@pattern $response $(($response_type))?) => CwmpVersion::$version,
                    )*
                    _ => CwmpVersion::V1_0,
                }
            }

            /// Reads the method named `name`; `None` when the schema has no such method.
            pub(super) fn decode_method(
                name: &str,
                reader: &mut super::reader::Reader<'_>,
            ) -> Option<super::reader::Result<Message>> {
                Some(match name {
                    $(
                        stringify!($request) => messages!(@decode reader $request $(($request_type))?),
                        stringify!($response) => messages!(@decode reader $response $(($response_type))?),
                    )*
                    _ => return None,
                })
            }

            /// Writes the method as the Body's child; false for the messages the table does
            /// not describe (faults, empty bodies, vendor and unknown methods).
            pub(super) fn encode_method(&self, w: &mut super::encode::Writer) -> bool {
                match self {
                    $(
                        messages!(@pattern $request $(($request_type))? as payload) =>
                            messages!(@encode w $request payload $(($request_type))?),
                        messages!(@pattern $response $(($response_type))? as payload) =>
                            messages!(@encode w $response payload $(($response_type))?),
                    )*
                    _ => return false,
                }
                true
            }
        }
    };
    (@pattern $name:ident ($ty:ty)) => { Message::$name(_) };
    (@pattern $name:ident) => { Message::$name };
    (@pattern $name:ident ($ty:ty) as $payload:ident) => { Message::$name($payload) };
    (@pattern $name:ident as $payload:ident) => { Message::$name };
    (@decode $reader:ident $name:ident ($ty:ty)) => {
        <$ty as super::fields::Structure>::decode($reader).map(Message::$name)
    };
    (@decode $reader:ident $name:ident) => { super::messages::empty($reader, Message::$name) };
    (@encode $w:ident $name:ident $payload:ident ($ty:ty)) => {
        $w.structure(concat!("cwmp:", stringify!($name)), |w| {
            super::fields::Structure::write_fields($payload, w)
        })
    };
    (@encode $w:ident $name:ident $payload:ident) => { $w.empty(concat!("cwmp:", stringify!($name))) };
}

impl Sender {
    /// Who answers a request from this side.
    pub const fn answered_by(self) -> Sender {
        match self {
            Sender::Cpe => Sender::Acs,
            Sender::Acs => Sender::Cpe,
            Sender::Either => Sender::Either,
        }
    }
}

messages! {
    Inform(Inform) => InformResponse(InformResponse), from Cpe, since V1_0;
    TransferComplete(TransferComplete) => TransferCompleteResponse, from Cpe, since V1_0;
    AutonomousTransferComplete(AutonomousTransferComplete) => AutonomousTransferCompleteResponse,
        from Cpe, since V1_1;
    RequestDownload(RequestDownload) => RequestDownloadResponse, from Cpe, since V1_0;
    DUStateChangeComplete(DUStateChangeComplete) => DUStateChangeCompleteResponse,
        from Cpe, since V1_2;
    AutonomousDUStateChangeComplete(AutonomousDUStateChangeComplete)
        => AutonomousDUStateChangeCompleteResponse, from Cpe, since V1_2;
    /// Deprecated (CWMP 1.0 web-page kick).
    Kicked(Kicked) => KickedResponse(KickedResponse), from Cpe, since V1_0;
    GetRPCMethods => GetRPCMethodsResponse(GetRPCMethodsResponse), from Either, since V1_0;
    SetParameterValues(SetParameterValues) => SetParameterValuesResponse(SetParameterValuesResponse),
        from Acs, since V1_0;
    GetParameterValues(GetParameterValues) => GetParameterValuesResponse(GetParameterValuesResponse),
        from Acs, since V1_0;
    GetParameterNames(GetParameterNames) => GetParameterNamesResponse(GetParameterNamesResponse),
        from Acs, since V1_0;
    SetParameterAttributes(SetParameterAttributes) => SetParameterAttributesResponse,
        from Acs, since V1_0;
    GetParameterAttributes(GetParameterAttributes)
        => GetParameterAttributesResponse(GetParameterAttributesResponse), from Acs, since V1_0;
    AddObject(AddObject) => AddObjectResponse(AddObjectResponse), from Acs, since V1_0;
    DeleteObject(DeleteObject) => DeleteObjectResponse(DeleteObjectResponse), from Acs, since V1_0;
    Reboot(Reboot) => RebootResponse, from Acs, since V1_0;
    Download(Download) => DownloadResponse(TransferResponse), from Acs, since V1_0;
    Upload(Upload) => UploadResponse(TransferResponse), from Acs, since V1_0;
    FactoryReset => FactoryResetResponse, from Acs, since V1_0;
    /// Deprecated since 1.1 in favour of GetAllQueuedTransfers.
    GetQueuedTransfers => GetQueuedTransfersResponse(GetQueuedTransfersResponse), from Acs, since V1_0;
    GetAllQueuedTransfers => GetAllQueuedTransfersResponse(GetAllQueuedTransfersResponse),
        from Acs, since V1_1;
    ScheduleInform(ScheduleInform) => ScheduleInformResponse, from Acs, since V1_0;
    /// Deprecated (option vouchers).
    SetVouchers(SetVouchers) => SetVouchersResponse, from Acs, since V1_0;
    /// Deprecated (option vouchers).
    GetOptions(GetOptions) => GetOptionsResponse(GetOptionsResponse), from Acs, since V1_0;
    ScheduleDownload(ScheduleDownload) => ScheduleDownloadResponse, from Acs, since V1_2;
    CancelTransfer(CancelTransfer) => CancelTransferResponse, from Acs, since V1_2;
    ChangeDUState(ChangeDUState) => ChangeDUStateResponse, from Acs, since V1_2;
}

/// A method kept as the XML it arrived as.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RawMessage {
    /// The element's local name.
    pub name: String,
    /// The element's source text, from `<` to the end of its closing tag.
    pub xml: String,
}

/// A parameter value as sent: the declared `xsi:type` (if any) and the text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Value {
    /// The local name of `xsi:type`, e.g. `string`, `unsignedInt`; `None` when absent.
    /// XML Schema's `base64Binary` is reported as CWMP's `base64`.
    pub xsi_type: Option<Text>,
    pub text: Text,
}

const COMMAND_KEY: &[Facet] = &[Facet::MaxLength(32)];
const PARAMETER_KEY: &[Facet] = &[Facet::MaxLength(32)];
const PARAMETER_NAME: &[Facet] = &[Facet::MaxLength(256)];
const OBJECT_NAME: &[Facet] = &[Facet::MaxLength(256), Facet::ObjectName];
pub(super) const LEN_32: &[Facet] = &[Facet::MaxLength(32)];
const LEN_64: &[Facet] = &[Facet::MaxLength(64)];
pub(super) const LEN_256: &[Facet] = &[Facet::MaxLength(256)];
const LEN_1024: &[Facet] = &[Facet::MaxLength(1024)];
/// The deployment-unit URLs are `xs:anyURI` (cwmp-1-2.xsd lines 997 and 1097).
pub(super) const URI_1024: &[Facet] = &[Facet::UriMaxLength(1024)];
const DATE_TIME: &[Facet] = &[Facet::DateTime];
pub(super) const UUID: &[Facet] = &[Facet::Uuid];
const EVENT_CODE: &[Facet] = &[Facet::MaxLength(64), Facet::EventCode];
const OUI: &[Facet] = &[Facet::Oui];
const DEPLOYMENT_UNIT_STATE: &[Facet] = &[Facet::OneOf(&["Installed", "Uninstalled", "Failed"])];
const ACCESS_LIST: &[Facet] = &[Facet::MaxLength(64), Facet::OneOf(&["Subscriber"])];
const WINDOW_MODE: &[Facet] = &[Facet::MaxLength(64), Facet::WindowMode];
const DOWNLOAD_FILE_TYPE: &[Facet] = &[Facet::MaxLength(64), Facet::FileType(FileKind::Download)];
const UPLOAD_FILE_TYPE: &[Facet] = &[Facet::MaxLength(64), Facet::FileType(FileKind::Upload)];
const TRANSFER_FILE_TYPE: &[Facet] = &[Facet::MaxLength(64), Facet::FileType(FileKind::Transfer)];
/// DeploymentUnitOperationType (cwmp-1-2.xsd line 956) unites the Install/Update/Uninstall
/// enumeration with any xs:string (vendor operation types): there is nothing to refuse.
const OPERATION_PERFORMED: &[Facet] = &[];
const ANY: &[Facet] = &[];
const ANY_NUMBER: Occurs = Occurs { min: 0, max: None };
const ONE_OR_MORE: Occurs = Occurs { min: 1, max: None };
const UP_TO_16: Occurs = Occurs { min: 0, max: Some(16) };
const EVENTS: Occurs = Occurs { min: 0, max: Some(64) };
const TIME_WINDOWS: Occurs = Occurs { min: 1, max: Some(2) };
const STATUS: Option<Range> = Some(Range::OneOf(&[0, 1]));
const TRANSFER_STATE: Option<Range> = Some(Range::OneOf(&[1, 2, 3]));
const UNBOUNDED: Option<Range> = None;

structures! {
    struct DeviceId {
        manufacturer: String = "Manufacturer" => Str(LEN_64),
        oui: String = "OUI" => Str(OUI),
        product_class: String = "ProductClass" => Str(LEN_64),
        serial_number: String = "SerialNumber" => Str(LEN_64),
    }

    struct EventStruct {
        event_code: String = "EventCode" => Str(EVENT_CODE),
        command_key: String = "CommandKey" => Str(COMMAND_KEY),
    }

    struct ParameterValueStruct {
        name: Text = "Name" => Str(PARAMETER_NAME),
        value: Value = "Value" => Typed,
    }

    struct Inform {
        device_id: DeviceId = "DeviceId" => Nested,
        events: Vec<EventStruct> = "Event" => List("EventStruct", "cwmp:EventStruct", EVENTS),
        max_envelopes: u32 = "MaxEnvelopes" => Num(UNBOUNDED),
        current_time: String = "CurrentTime" => Str(DATE_TIME),
        retry_count: u32 = "RetryCount" => Num(UNBOUNDED),
        parameter_list: Vec<ParameterValueStruct> = "ParameterList"
            => List("ParameterValueStruct", "cwmp:ParameterValueStruct", ANY_NUMBER),
    }

    struct InformResponse {
        max_envelopes: u32 = "MaxEnvelopes" => Num(UNBOUNDED),
    }

    /// `FaultStruct` of TransferComplete and friends: code 0 means success. Its codes and the
    /// length of its string depend on where it stands (`fields::Fault`).
    struct FaultStruct {
        fault_code: u32 = "FaultCode" => Num(UNBOUNDED),
        fault_string: String = "FaultString" => Str(ANY),
    }

    struct TransferComplete {
        command_key: String = "CommandKey" => Str(COMMAND_KEY),
        fault_struct: FaultStruct = "FaultStruct" => Fault(Range::TransferFault),
        start_time: String = "StartTime" => Str(DATE_TIME),
        complete_time: String = "CompleteTime" => Str(DATE_TIME),
    }

    struct AutonomousTransferComplete {
        announce_url: String = "AnnounceURL" => Str(LEN_1024),
        transfer_url: String = "TransferURL" => Str(LEN_1024),
        is_download: bool = "IsDownload" => Bool,
        file_type: String = "FileType" => Str(TRANSFER_FILE_TYPE),
        file_size: u32 = "FileSize" => Num(UNBOUNDED),
        target_file_name: String = "TargetFileName" => Str(LEN_256),
        fault_struct: FaultStruct = "FaultStruct" => Fault(Range::TransferFault),
        start_time: String = "StartTime" => Str(DATE_TIME),
        complete_time: String = "CompleteTime" => Str(DATE_TIME),
    }

    struct ArgStruct {
        name: String = "Name" => Str(LEN_64),
        value: String = "Value" => Str(LEN_256),
    }

    struct RequestDownload {
        file_type: String = "FileType" => Str(DOWNLOAD_FILE_TYPE),
        file_type_arg: Vec<ArgStruct> = "FileTypeArg" => List("ArgStruct", "cwmp:ArgStruct", UP_TO_16),
    }

    /// One result of a deployment-unit change.
    struct OpResultStruct {
        uuid: String = "UUID" => Str(UUID),
        deployment_unit_ref: String = "DeploymentUnitRef" => Str(ANY),
        version: String = "Version" => Str(LEN_32),
        current_state: String = "CurrentState" => Str(DEPLOYMENT_UNIT_STATE),
        resolved: bool = "Resolved" => Bool,
        execution_unit_ref_list: String = "ExecutionUnitRefList" => Str(ANY),
        start_time: String = "StartTime" => Str(DATE_TIME),
        complete_time: String = "CompleteTime" => Str(DATE_TIME),
        fault: FaultStruct = "Fault" => Fault(Range::DeploymentUnitFault),
        /// Only in AutonomousDUStateChangeComplete (`Install`, `Update`, `Uninstall`).
        operation_performed: Option<String> = "OperationPerformed" => Str(OPERATION_PERFORMED),
    }

    struct DUStateChangeComplete {
        results: Vec<OpResultStruct> = "Results" => Results { autonomous: false },
        command_key: Option<String> = "CommandKey" => Str(COMMAND_KEY),
    }

    struct AutonomousDUStateChangeComplete {
        results: Vec<OpResultStruct> = "Results" => Results { autonomous: true },
    }

    struct Kicked {
        command: String = "Command" => Str(LEN_32),
        referer: String = "Referer" => Str(LEN_64),
        arg: String = "Arg" => Str(LEN_256),
        next: String = "Next" => Str(LEN_1024),
    }

    struct KickedResponse {
        next_url: String = "NextURL" => Str(LEN_1024),
    }

    struct GetRPCMethodsResponse {
        method_list: Vec<String> = "MethodList" => Strings("string", "xsd:string", ONE_OR_MORE, LEN_64),
    }

    struct SetParameterValues {
        parameter_list: Vec<ParameterValueStruct> = "ParameterList"
            => List("ParameterValueStruct", "cwmp:ParameterValueStruct", ANY_NUMBER),
        parameter_key: String = "ParameterKey" => Str(PARAMETER_KEY),
    }

    struct SetParameterValuesResponse {
        /// 0: applied; 1: applied, committed later (e.g. after a reboot).
        status: i32 = "Status" => Num(STATUS),
    }

    struct GetParameterValues {
        parameter_names: Vec<Text> = "ParameterNames"
            => Strings("string", "xsd:string", ONE_OR_MORE, PARAMETER_NAME),
    }

    struct GetParameterValuesResponse {
        parameter_list: Vec<ParameterValueStruct> = "ParameterList"
            => List("ParameterValueStruct", "cwmp:ParameterValueStruct", ANY_NUMBER),
    }

    struct GetParameterNames {
        parameter_path: String = "ParameterPath" => Str(PARAMETER_NAME),
        next_level: bool = "NextLevel" => Bool,
    }

    struct ParameterInfoStruct {
        name: Text = "Name" => Str(PARAMETER_NAME),
        writable: bool = "Writable" => Bool,
    }

    struct GetParameterNamesResponse {
        parameter_list: Vec<ParameterInfoStruct> = "ParameterList"
            => List("ParameterInfoStruct", "cwmp:ParameterInfoStruct", ANY_NUMBER),
    }

    struct SetParameterAttributesStruct {
        name: Text = "Name" => Str(PARAMETER_NAME),
        notification_change: bool = "NotificationChange" => Bool,
        /// 0 off, 1 passive, 2 active; 3–6 lightweight and other (1.4).
        notification: i32 = "Notification" => Num(Some(Range::Notification)),
        access_list_change: bool = "AccessListChange" => Bool,
        access_list: Vec<String> = "AccessList" => Strings("string", "xsd:string", ANY_NUMBER, ACCESS_LIST),
    }

    struct SetParameterAttributes {
        parameter_list: Vec<SetParameterAttributesStruct> = "ParameterList"
            => List("SetParameterAttributesStruct", "cwmp:SetParameterAttributesStruct", ONE_OR_MORE),
    }

    struct GetParameterAttributes {
        parameter_names: Vec<String> = "ParameterNames"
            => Strings("string", "xsd:string", ONE_OR_MORE, PARAMETER_NAME),
    }

    struct ParameterAttributeStruct {
        name: Text = "Name" => Str(PARAMETER_NAME),
        notification: i32 = "Notification" => Num(Some(Range::Notification)),
        access_list: Vec<String> = "AccessList" => Strings("string", "xsd:string", ANY_NUMBER, ACCESS_LIST),
    }

    struct GetParameterAttributesResponse {
        parameter_list: Vec<ParameterAttributeStruct> = "ParameterList"
            => List("ParameterAttributeStruct", "cwmp:ParameterAttributeStruct", ANY_NUMBER),
    }

    struct AddObject {
        object_name: String = "ObjectName" => Str(OBJECT_NAME),
        parameter_key: String = "ParameterKey" => Str(PARAMETER_KEY),
    }

    struct AddObjectResponse {
        instance_number: u32 = "InstanceNumber" => Num(Some(Range::AtLeast(1))),
        status: i32 = "Status" => Num(STATUS),
    }

    struct DeleteObject {
        object_name: String = "ObjectName" => Str(OBJECT_NAME),
        parameter_key: String = "ParameterKey" => Str(PARAMETER_KEY),
    }

    struct DeleteObjectResponse {
        status: i32 = "Status" => Num(STATUS),
    }

    struct Reboot {
        command_key: String = "CommandKey" => Str(COMMAND_KEY),
    }

    struct Download {
        command_key: String = "CommandKey" => Str(COMMAND_KEY),
        file_type: String = "FileType" => Str(DOWNLOAD_FILE_TYPE),
        url: String = "URL" => Str(LEN_256),
        username: String = "Username" => Str(LEN_256),
        password: String = "Password" => Str(LEN_256),
        file_size: u32 = "FileSize" => Num(UNBOUNDED),
        target_file_name: String = "TargetFileName" => Str(LEN_256),
        delay_seconds: u32 = "DelaySeconds" => Num(UNBOUNDED),
        success_url: String = "SuccessURL" => Str(LEN_256),
        failure_url: String = "FailureURL" => Str(LEN_256),
    }

    /// DownloadResponse and UploadResponse.
    struct TransferResponse {
        /// 0: done; 1: will finish later and report with TransferComplete.
        status: i32 = "Status" => Num(STATUS),
        start_time: String = "StartTime" => Str(DATE_TIME),
        complete_time: String = "CompleteTime" => Str(DATE_TIME),
    }

    struct Upload {
        command_key: String = "CommandKey" => Str(COMMAND_KEY),
        file_type: String = "FileType" => Str(UPLOAD_FILE_TYPE),
        url: String = "URL" => Str(LEN_256),
        username: String = "Username" => Str(LEN_256),
        password: String = "Password" => Str(LEN_256),
        delay_seconds: u32 = "DelaySeconds" => Num(UNBOUNDED),
    }

    struct QueuedTransferStruct {
        command_key: String = "CommandKey" => Str(COMMAND_KEY),
        /// 1 not yet started, 2 in progress, 3 completed.
        state: i32 = "State" => Num(TRANSFER_STATE),
    }

    struct GetQueuedTransfersResponse {
        transfer_list: Vec<QueuedTransferStruct> = "TransferList"
            => List("QueuedTransferStruct", "cwmp:QueuedTransferStruct", UP_TO_16),
    }

    struct AllQueuedTransferStruct {
        command_key: String = "CommandKey" => Str(COMMAND_KEY),
        state: i32 = "State" => Num(TRANSFER_STATE),
        is_download: bool = "IsDownload" => Bool,
        file_type: String = "FileType" => Str(TRANSFER_FILE_TYPE),
        file_size: u32 = "FileSize" => Num(UNBOUNDED),
        target_file_name: String = "TargetFileName" => Str(LEN_256),
    }

    struct GetAllQueuedTransfersResponse {
        transfer_list: Vec<AllQueuedTransferStruct> = "TransferList"
            => List("AllQueuedTransferStruct", "cwmp:AllQueuedTransferStruct", UP_TO_16),
    }

    struct ScheduleInform {
        delay_seconds: u32 = "DelaySeconds" => Num(UNBOUNDED),
        command_key: String = "CommandKey" => Str(COMMAND_KEY),
    }

    struct SetVouchers {
        /// The vouchers, base64 text as sent.
        voucher_list: Vec<String> = "VoucherList" => Strings("base64", "SOAP-ENC:base64", ONE_OR_MORE, ANY),
    }

    struct GetOptions {
        option_name: String = "OptionName" => Str(LEN_64),
    }

    struct OptionStruct {
        option_name: String = "OptionName" => Str(LEN_64),
        voucher_sn: u32 = "VoucherSN" => Num(UNBOUNDED),
        state: u32 = "State" => Num(Some(Range::OneOf(&[0, 1, 2, 3]))),
        mode: i32 = "Mode" => Num(Some(Range::OneOf(&[0, 1, 2]))),
        start_date: String = "StartDate" => Str(DATE_TIME),
        expiration_date: Option<String> = "ExpirationDate" => Str(DATE_TIME),
        is_transferable: i32 = "IsTransferable" => Num(Some(Range::OneOf(&[0, 1]))),
    }

    struct GetOptionsResponse {
        option_list: Vec<OptionStruct> = "OptionList" => List("OptionStruct", "cwmp:OptionStruct", ANY_NUMBER),
    }

    struct TimeWindowStruct {
        window_start: u32 = "WindowStart" => Num(UNBOUNDED),
        window_end: u32 = "WindowEnd" => Num(UNBOUNDED),
        window_mode: String = "WindowMode" => Str(WINDOW_MODE),
        user_message: String = "UserMessage" => Str(LEN_256),
        max_retries: i32 = "MaxRetries" => Num(UNBOUNDED),
    }

    struct ScheduleDownload {
        command_key: String = "CommandKey" => Str(COMMAND_KEY),
        file_type: String = "FileType" => Str(DOWNLOAD_FILE_TYPE),
        url: String = "URL" => Str(LEN_256),
        username: String = "Username" => Str(LEN_256),
        password: String = "Password" => Str(LEN_256),
        file_size: u32 = "FileSize" => Num(UNBOUNDED),
        target_file_name: String = "TargetFileName" => Str(LEN_256),
        time_window_list: Vec<TimeWindowStruct> = "TimeWindowList"
            => List("TimeWindowStruct", "cwmp:TimeWindowStruct", TIME_WINDOWS),
    }

    struct CancelTransfer {
        command_key: String = "CommandKey" => Str(COMMAND_KEY),
    }

    struct ChangeDUState {
        operations: Vec<Operation> = "Operations" => Operations,
        command_key: Option<String> = "CommandKey" => Str(COMMAND_KEY),
    }

    /// The `cwmp:Fault` in a SOAP Fault's detail.
    struct CwmpFault {
        fault_code: u32 = "FaultCode" => Num(Some(Range::Fault)),
        fault_string: String = "FaultString" => Str(ANY),
        set_parameter_values_faults: Vec<SetParameterValuesFault> = "SetParameterValuesFault" => Repeated,
    }

    struct SetParameterValuesFault {
        parameter_name: String = "ParameterName" => Str(ANY),
        fault_code: u32 = "FaultCode" => Num(Some(Range::SetParameterValuesFault)),
        fault_string: String = "FaultString" => Str(ANY),
    }
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

/// A SOAP 1.1 Fault; `detail` holds the `cwmp:Fault` when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SoapFault {
    /// `faultcode` as sent, e.g. `SOAP-ENV:Client` (its prefix is not interpreted).
    pub fault_code: String,
    pub fault_string: String,
    pub detail: Option<CwmpFault>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_has_one_element_name_in_every_structure() {
        for (field, wire) in WIRE_NAMES {
            assert_eq!(wire_name(field), Some(*wire), "`{field}` is written two ways");
        }
        assert_eq!(wire_name("oui"), Some("OUI"));
        assert_eq!(wire_name("url"), Some("URL"));
    }

    #[test]
    fn every_method_is_answered_by_its_response_from_the_other_side() {
        for method in METHODS {
            match (method.response, method.request) {
                (Some(response), None) => {
                    let response = super::method(response).unwrap();
                    assert_eq!(response.request, Some(method.name));
                    assert_eq!(response.sender, method.sender.answered_by());
                    assert_eq!(response.introduced_in, method.introduced_in);
                }
                (None, Some(request)) => assert!(super::method(request).is_some()),
                _ => panic!("{} is neither a request nor a response", method.name),
            }
        }
        assert_eq!(METHODS.len(), 54);
        let inform = Message::Inform(Inform::default());
        assert_eq!(inform.method().map(|m| m.response), Some(Some("InformResponse")));
        assert_eq!(Message::ChangeDUStateResponse.introduced_in(), CwmpVersion::V1_2);
        assert_eq!(Message::EmptyBody.method(), None);
    }
}
