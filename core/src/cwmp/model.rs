//! The typed CWMP message model. (Interface first; the codec fills it in.)

use serde::{Deserialize, Serialize};

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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Message {
    Inform(Inform),
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
        match self {
            Message::Inform(_) => "Inform",
            Message::EmptyBody => "(empty body)",
            Message::Vendor(raw) | Message::Unknown(raw) => &raw.name,
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
    pub xsi_type: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ParameterValueStruct {
    pub name: String,
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
