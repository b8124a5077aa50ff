//! The strict encoder: one canonical form, in the namespace of the requested
//! version, following the element order of the BBF schemas.
//!
//! Canonical means: UTF-8 declaration, prefixes `SOAP-ENV`, `SOAP-ENC`, `xsd`,
//! `xsi`, `cwmp` (the most common in the field, so `faultcode` QNames such as
//! `SOAP-ENV:Client` stay resolvable), two-space indentation, every array with
//! its `SOAP-ENC:arrayType`, every header with the `mustUnderstand` the schema
//! fixes. Text is escaped; characters XML 1.0 cannot carry become U+FFFD.

use super::facets::{Facet, FileKind, Occurs, Range, check_count, check_number, check_text};
use super::reader::{SOAP_ENC_NS, SOAP_ENV_NS, XSD_NS, XSI_NS};
use super::*;
use crate::base::XsdType;
use std::fmt::Write as _;

/// A value the schema of the chosen version does not allow: nothing is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{path}: `{value}` {problem} ({facet})")]
pub struct EncodeError {
    /// The element path, e.g. `Envelope/Body/Reboot/CommandKey`.
    pub path: String,
    /// The facet, e.g. `maxLength 32`, `pattern of EventCodeType`.
    pub facet: String,
    /// What is wrong with the value.
    pub problem: String,
    /// The value (abbreviated past 80 characters).
    pub value: String,
}

const COMMAND_KEY: &[Facet] = &[Facet::MaxLength(32)];
const PARAMETER_KEY: &[Facet] = &[Facet::MaxLength(32)];
const PARAMETER_NAME: &[Facet] = &[Facet::MaxLength(256)];
const OBJECT_NAME: &[Facet] = &[Facet::MaxLength(256), Facet::ObjectName];
const LEN_32: &[Facet] = &[Facet::MaxLength(32)];
const LEN_64: &[Facet] = &[Facet::MaxLength(64)];
const LEN_256: &[Facet] = &[Facet::MaxLength(256)];
const LEN_1024: &[Facet] = &[Facet::MaxLength(1024)];
/// The deployment-unit URLs are `xs:anyURI` (cwmp-1-2.xsd lines 997 and 1097).
const URI_1024: &[Facet] = &[Facet::UriMaxLength(1024)];
const DATE_TIME: &[Facet] = &[Facet::DateTime];
const UUID: &[Facet] = &[Facet::Uuid];
const DEPLOYMENT_UNIT_STATE: &[Facet] = &[Facet::OneOf(&["Installed", "Uninstalled", "Failed"])];
const ACCESS_LIST: &[Facet] = &[Facet::MaxLength(64), Facet::OneOf(&["Subscriber"])];
const ANY_NUMBER: Occurs = Occurs { min: 0, max: None };
const ONE_OR_MORE: Occurs = Occurs { min: 1, max: None };
const UP_TO_16: Occurs = Occurs { min: 0, max: Some(16) };
const EVENTS: Occurs = Occurs { min: 0, max: Some(64) };
const TIME_WINDOWS: Occurs = Occurs { min: 1, max: Some(2) };
const STATUS: Range = Range::OneOf(&[0, 1]);
const TRANSFER_STATE: Range = Range::OneOf(&[1, 2, 3]);

fn file_type(kind: FileKind) -> [Facet; 2] {
    [Facet::MaxLength(64), Facet::FileType(kind)]
}

/// Encodes an envelope as canonical CWMP XML in the namespace of `version`.
///
/// The envelope's own `version` is ignored: the caller chooses. Messages or
/// headers that the chosen version does not define are still written (the
/// caller may be testing a peer); [`version_problems`] lists them.
///
/// Strict: a value outside its element's XSD facets in that version's schema
/// (lengths, patterns, enumerations, fault-code ranges, value types), or a
/// repeated element outside its minOccurs/maxOccurs, is an
/// [`EncodeError`] naming the element path and the facet, never invalid XML.
pub fn encode(envelope: &Envelope, version: CwmpVersion) -> Result<String, EncodeError> {
    let mut w = Writer {
        out: String::with_capacity(1024),
        depth: 0,
        version,
        path: String::from("Envelope"),
        marks: Vec::new(),
        error: None,
    };
    w.out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        w.out,
        "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"{SOAP_ENV_NS}\" xmlns:SOAP-ENC=\"{SOAP_ENC_NS}\" \
         xmlns:xsd=\"{XSD_NS}\" xmlns:xsi=\"{XSI_NS}\" xmlns:cwmp=\"{}\">",
        version.namespace()
    );
    w.depth = 1;
    header(&mut w, &envelope.header);
    w.open("SOAP-ENV:Body");
    message(&mut w, &envelope.message);
    w.close("SOAP-ENV:Body");
    w.out.push_str("</SOAP-ENV:Envelope>\n");
    match w.error {
        Some(error) => Err(error),
        None => Ok(w.out),
    }
}

/// What in `envelope` the schema of `version` does not define.
pub fn version_problems(envelope: &Envelope, version: CwmpVersion) -> Vec<String> {
    let mut problems = Vec::new();
    let introduced = introduced_in(&envelope.message);
    if version_rank(version) < version_rank(introduced) {
        let introduced_label = match introduced {
            CwmpVersion::V1_0 => "1.0",
            CwmpVersion::V1_1 => "1.1",
            CwmpVersion::V1_2 => "1.2",
        };
        problems.push(format!(
            "{} needs CWMP {introduced_label} or later (namespace {}); this message is in {}",
            envelope.message.name(),
            introduced.namespace(),
            version.namespace()
        ));
    }
    let header = &envelope.header;
    if version != CwmpVersion::V1_2 {
        for (present, name) in [
            (header.session_timeout.is_some(), "SessionTimeout"),
            (header.supported_cwmp_versions.is_some(), "SupportedCWMPVersions"),
            (header.use_cwmp_version.is_some(), "UseCWMPVersion"),
        ] {
            if present {
                problems.push(format!("header {name} needs CWMP 1.3 or later"));
            }
        }
    }
    if header.no_more_requests.is_some() {
        problems.push("header NoMoreRequests is in no CWMP schema".to_owned());
    }
    if matches!(envelope.message, Message::Vendor(_) | Message::Unknown(_)) {
        problems.push(format!("{} is not defined by any CWMP schema", envelope.message.name()));
    }
    problems
}

fn version_rank(version: CwmpVersion) -> u8 {
    match version {
        CwmpVersion::V1_0 => 0,
        CwmpVersion::V1_1 => 1,
        CwmpVersion::V1_2 => 2,
    }
}

/// The first version whose schema defines the message.
pub fn introduced_in(message: &Message) -> CwmpVersion {
    use Message::*;
    match message {
        AutonomousTransferComplete(_)
        | AutonomousTransferCompleteResponse
        | GetAllQueuedTransfers
        | GetAllQueuedTransfersResponse(_) => CwmpVersion::V1_1,
        ScheduleDownload(_)
        | ScheduleDownloadResponse
        | CancelTransfer(_)
        | CancelTransferResponse
        | ChangeDUState(_)
        | ChangeDUStateResponse
        | DUStateChangeComplete(_)
        | DUStateChangeCompleteResponse
        | AutonomousDUStateChangeComplete(_)
        | AutonomousDUStateChangeCompleteResponse => CwmpVersion::V1_2,
        _ => CwmpVersion::V1_0,
    }
}

struct Writer {
    out: String,
    depth: usize,
    version: CwmpVersion,
    /// Local names of the open elements, for errors.
    path: String,
    marks: Vec<usize>,
    /// The first facet violation; writing goes on, the output is dropped.
    error: Option<EncodeError>,
}

impl Writer {
    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn open(&mut self, name: &str) {
        self.open_with(name, "");
    }

    /// `attributes` is pre-escaped markup such as ` a="b"`.
    fn open_with(&mut self, name: &str, attributes: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{name}{attributes}>");
        self.depth += 1;
        self.marks.push(self.path.len());
        self.path.push('/');
        self.path.push_str(local_name(name));
    }

    fn close(&mut self, name: &str) {
        if let Some(mark) = self.marks.pop() {
            self.path.truncate(mark);
        }
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        let _ = writeln!(self.out, "</{name}>");
    }

    fn empty(&mut self, name: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{name}/>");
    }

    fn text_with(&mut self, name: &str, attributes: &str, text: &str) {
        self.indent();
        let _ = write!(self.out, "<{name}{attributes}>");
        escape_into(&mut self.out, text);
        let _ = writeln!(self.out, "</{name}>");
    }

    fn text(&mut self, name: &str, text: &str) {
        self.text_with(name, "", text);
    }

    /// Text checked against the facets of its element.
    fn text_in(&mut self, name: &str, text: &str, facets: &[Facet]) {
        for &facet in facets {
            if let Some(violation) = check_text(facet, text, self.version) {
                self.refuse(name, &violation.facet, violation.problem, text);
                break;
            }
        }
        self.text(name, text);
    }

    /// An integer checked against its element's range.
    fn number_in(&mut self, name: &str, value: impl Into<i64> + Copy, range: Range) {
        let value = value.into();
        if let Some(violation) = check_number(range, value, self.version) {
            self.refuse(name, &violation.facet, violation.problem, &value.to_string());
        }
        self.number(name, value);
    }

    fn refuse(&mut self, name: &str, facet: &str, problem: String, value: &str) {
        if self.error.is_some() {
            return;
        }
        let shown: String = value.chars().take(80).collect();
        self.error = Some(EncodeError {
            path: format!("{}/{}", self.path, local_name(name)),
            facet: facet.to_owned(),
            problem,
            value: if shown.len() < value.len() { format!("{shown}…") } else { shown },
        });
    }

    fn number(&mut self, name: &str, value: impl std::fmt::Display) {
        self.indent();
        let _ = writeln!(self.out, "<{name}>{value}</{name}>");
    }

    fn boolean(&mut self, name: &str, value: bool) {
        self.text(name, if value { "true" } else { "false" });
    }

    fn optional_in(&mut self, name: &str, value: &Option<String>, facets: &[Facet]) {
        if let Some(value) = value {
            self.text_in(name, value, facets);
        }
    }

    /// How many times a repeated element occurs, checked against its schema.
    fn count_in(&mut self, name: &str, count: usize, occurs: Occurs) {
        if let Some(violation) = check_count(occurs, count) {
            self.refuse(name, &violation.facet, violation.problem, &count.to_string());
        }
    }

    /// A SOAP-encoded array: `item_type` is the QName in `arrayType`, and
    /// its local name the items' element name.
    fn array<T>(
        &mut self,
        name: &str,
        item_type: &str,
        occurs: Occurs,
        items: &[T],
        mut item: impl FnMut(&mut Self, &T),
    ) {
        self.count_in(&format!("{name}/{}", local_name(item_type)), items.len(), occurs);
        let attributes = format!(" SOAP-ENC:arrayType=\"{item_type}[{}]\"", items.len());
        if items.is_empty() {
            self.indent();
            let _ = writeln!(self.out, "<{name}{attributes}/>");
            return;
        }
        self.open_with(name, &attributes);
        for each in items {
            item(self, each);
        }
        self.close(name);
    }

    fn strings_in(&mut self, name: &str, occurs: Occurs, items: &[String], facets: &[Facet]) {
        self.array(name, "xsd:string", occurs, items, |w, s| w.text_in("string", s, facets));
    }

    fn structure(&mut self, name: &str, fields: impl FnOnce(&mut Self)) {
        self.open(name);
        fields(self);
        self.close(name);
    }
}

fn local_name(qualified: &str) -> &str {
    qualified.rsplit_once(':').map_or(qualified, |(_, local)| local)
}

/// Escapes text and attribute content. `\r` is written as a reference so that
/// end-of-line normalization cannot turn it into `\n`.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#xD;"),
            '\t' | '\n' => out.push(c),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
}

/// The XML 1.0 `Char` production.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn header(w: &mut Writer, header: &Header) {
    let any = header.id.is_some()
        || header.hold_requests.is_some()
        || header.no_more_requests.is_some()
        || header.session_timeout.is_some()
        || header.supported_cwmp_versions.is_some()
        || header.use_cwmp_version.is_some();
    if !any {
        return;
    }
    w.open("SOAP-ENV:Header");
    let must = " SOAP-ENV:mustUnderstand=\"1\"";
    if let Some(id) = &header.id {
        w.text_with("cwmp:ID", must, id);
    }
    if let Some(hold) = header.hold_requests {
        w.text_with("cwmp:HoldRequests", must, if hold { "true" } else { "false" });
    }
    if let Some(timeout) = header.session_timeout {
        w.text_with("cwmp:SessionTimeout", " SOAP-ENV:mustUnderstand=\"0\"", &timeout.to_string());
    }
    if let Some(versions) = &header.supported_cwmp_versions {
        w.text_with("cwmp:SupportedCWMPVersions", " SOAP-ENV:mustUnderstand=\"0\"", versions);
    }
    if let Some(version) = &header.use_cwmp_version {
        w.text_with("cwmp:UseCWMPVersion", must, version);
    }
    if let Some(no_more) = header.no_more_requests {
        w.text_with("cwmp:NoMoreRequests", must, if no_more { "1" } else { "0" });
    }
    w.close("SOAP-ENV:Header");
}

fn parameter_values(w: &mut Writer, name: &str, list: &[ParameterValueStruct]) {
    w.array(name, "cwmp:ParameterValueStruct", ANY_NUMBER, list, |w, p| {
        w.structure("ParameterValueStruct", |w| {
            w.text_in("Name", &p.name, PARAMETER_NAME);
            if let Some(problem) = value_problem(&p.value) {
                let facet = format!("xsi:type {}", p.value.xsi_type.as_deref().unwrap_or("string"));
                w.refuse("Value", &facet, problem, &p.value.text);
            }
            match &p.value.xsi_type {
                Some(xsi_type) => {
                    let mut attribute = String::from(" xsi:type=\"xsd:");
                    // CWMP calls it base64; XML Schema's name is base64Binary
                    // (`xsd:base64` would not resolve to a type).
                    let xsi_type = if xsi_type == "base64" { "base64Binary" } else { xsi_type };
                    escape_into(&mut attribute, xsi_type);
                    attribute.push('"');
                    w.text_with("Value", &attribute, &p.value.text);
                }
                None => w.text("Value", &p.value.text),
            }
        });
    });
}

fn fault_struct(w: &mut Writer, name: &str, fault: &FaultStruct, codes: Range) {
    w.structure(name, |w| {
        w.number_in("FaultCode", fault.fault_code, codes);
        match codes {
            Range::TransferFault => w.text_in("FaultString", &fault.fault_string, LEN_256),
            _ => w.text("FaultString", &fault.fault_string),
        }
    });
}

/// Why a parameter value cannot carry its `xsi:type`: an unknown type would
/// not resolve (the encoder writes the `xsd:` prefix itself), and the text must
/// be in the type's lexical space.
fn value_problem(value: &Value) -> Option<String> {
    let name = value.xsi_type.as_deref()?;
    let Some(value_type) = XsdType::from_name(name).filter(|_| !name.contains(':')) else {
        return Some("names no type CWMP values use".to_owned());
    };
    (value_type != XsdType::String && !value_type.is_valid(&value.text))
        .then(|| format!("is not a valid {}", value_type.name()))
}

fn transfer_response(w: &mut Writer, r: &TransferResponse) {
    w.number_in("Status", r.status, STATUS);
    w.text_in("StartTime", &r.start_time, DATE_TIME);
    w.text_in("CompleteTime", &r.complete_time, DATE_TIME);
}

fn op_result(w: &mut Writer, r: &OpResultStruct, autonomous: bool) {
    w.structure("Results", |w| {
        w.text_in("UUID", &r.uuid, UUID);
        w.text("DeploymentUnitRef", &r.deployment_unit_ref);
        w.text_in("Version", &r.version, LEN_32);
        w.text_in("CurrentState", &r.current_state, DEPLOYMENT_UNIT_STATE);
        w.boolean("Resolved", r.resolved);
        w.text("ExecutionUnitRefList", &r.execution_unit_ref_list);
        w.text_in("StartTime", &r.start_time, DATE_TIME);
        w.text_in("CompleteTime", &r.complete_time, DATE_TIME);
        fault_struct(w, "Fault", &r.fault, Range::DeploymentUnitFault);
        if autonomous {
            // DeploymentUnitOperationType (cwmp-1-2.xsd line 956) unites the
            // Install/Update/Uninstall enumeration with any xs:string (vendor
            // operation types): there is nothing to refuse.
            let performed = r.operation_performed.as_deref().unwrap_or_default();
            w.text("OperationPerformed", performed);
        }
    });
}

fn operation(w: &mut Writer, op: &Operation) {
    type Field<'a> = (&'static str, Option<&'a String>, &'static [Facet]);
    let (kind, fields): (&str, Vec<Field<'_>>) = match op {
        Operation::Install { url, uuid, username, password, execution_env_ref } => (
            "InstallOpStruct",
            vec![
                ("URL", Some(url), URI_1024),
                ("UUID", uuid.as_ref(), UUID),
                ("Username", username.as_ref(), LEN_256),
                ("Password", password.as_ref(), LEN_256),
                ("ExecutionEnvRef", execution_env_ref.as_ref(), LEN_256),
            ],
        ),
        Operation::Update { uuid, version, url, username, password } => (
            "UpdateOpStruct",
            vec![
                ("UUID", uuid.as_ref(), UUID),
                ("Version", version.as_ref(), LEN_32),
                ("URL", url.as_ref(), URI_1024),
                ("Username", username.as_ref(), LEN_256),
                ("Password", password.as_ref(), LEN_256),
            ],
        ),
        Operation::Uninstall { uuid, version, execution_env_ref } => (
            "UninstallOpStruct",
            vec![
                ("UUID", Some(uuid), UUID),
                ("Version", version.as_ref(), LEN_32),
                ("ExecutionEnvRef", execution_env_ref.as_ref(), LEN_256),
            ],
        ),
    };
    w.open_with("Operations", &format!(" xsi:type=\"cwmp:{kind}\""));
    for (name, value, facets) in fields {
        if let Some(value) = value {
            w.text_in(name, value, facets);
        }
    }
    w.close("Operations");
}

fn message(w: &mut Writer, message: &Message) {
    use Message as M;
    let name = message.name();
    let qualified = format!("cwmp:{name}");
    let q = qualified.as_str();
    match message {
        M::Inform(m) => w.structure(q, |w| {
            w.structure("DeviceId", |w| {
                w.text_in("Manufacturer", &m.device_id.manufacturer, LEN_64);
                w.text_in("OUI", &m.device_id.oui, &[Facet::Oui]);
                w.text_in("ProductClass", &m.device_id.product_class, LEN_64);
                w.text_in("SerialNumber", &m.device_id.serial_number, LEN_64);
            });
            w.array("Event", "cwmp:EventStruct", EVENTS, &m.events, |w, e| {
                w.structure("EventStruct", |w| {
                    w.text_in(
                        "EventCode",
                        &e.event_code,
                        &[Facet::MaxLength(64), Facet::EventCode],
                    );
                    w.text_in("CommandKey", &e.command_key, COMMAND_KEY);
                });
            });
            w.number("MaxEnvelopes", m.max_envelopes);
            w.text_in("CurrentTime", &m.current_time, DATE_TIME);
            w.number("RetryCount", m.retry_count);
            parameter_values(w, "ParameterList", &m.parameter_list);
        }),
        M::InformResponse(m) => w.structure(q, |w| w.number("MaxEnvelopes", m.max_envelopes)),
        M::TransferComplete(m) => w.structure(q, |w| {
            w.text_in("CommandKey", &m.command_key, COMMAND_KEY);
            fault_struct(w, "FaultStruct", &m.fault_struct, Range::TransferFault);
            w.text_in("StartTime", &m.start_time, DATE_TIME);
            w.text_in("CompleteTime", &m.complete_time, DATE_TIME);
        }),
        M::AutonomousTransferComplete(m) => w.structure(q, |w| {
            w.text_in("AnnounceURL", &m.announce_url, LEN_1024);
            w.text_in("TransferURL", &m.transfer_url, LEN_1024);
            w.boolean("IsDownload", m.is_download);
            w.text_in("FileType", &m.file_type, &file_type(FileKind::Transfer));
            w.number("FileSize", m.file_size);
            w.text_in("TargetFileName", &m.target_file_name, LEN_256);
            fault_struct(w, "FaultStruct", &m.fault_struct, Range::TransferFault);
            w.text_in("StartTime", &m.start_time, DATE_TIME);
            w.text_in("CompleteTime", &m.complete_time, DATE_TIME);
        }),
        M::RequestDownload(m) => w.structure(q, |w| {
            w.text_in("FileType", &m.file_type, &file_type(FileKind::Download));
            w.array("FileTypeArg", "cwmp:ArgStruct", UP_TO_16, &m.file_type_arg, |w, a| {
                w.structure("ArgStruct", |w| {
                    w.text_in("Name", &a.name, LEN_64);
                    w.text_in("Value", &a.value, LEN_256);
                });
            });
        }),
        M::DUStateChangeComplete(m) => w.structure(q, |w| {
            w.count_in("Results", m.results.len(), ONE_OR_MORE);
            for result in &m.results {
                op_result(w, result, false);
            }
            w.optional_in("CommandKey", &m.command_key, COMMAND_KEY);
        }),
        M::AutonomousDUStateChangeComplete(m) => w.structure(q, |w| {
            w.count_in("Results", m.results.len(), ONE_OR_MORE);
            for result in &m.results {
                op_result(w, result, true);
            }
        }),
        M::Kicked(m) => w.structure(q, |w| {
            w.text_in("Command", &m.command, LEN_32);
            w.text_in("Referer", &m.referer, LEN_64);
            w.text_in("Arg", &m.arg, LEN_256);
            w.text_in("Next", &m.next, LEN_1024);
        }),
        M::KickedResponse(m) => w.structure(q, |w| w.text_in("NextURL", &m.next_url, LEN_1024)),
        M::GetRPCMethodsResponse(m) => {
            w.structure(q, |w| w.strings_in("MethodList", ONE_OR_MORE, &m.method_list, LEN_64))
        }
        M::SetParameterValues(m) => w.structure(q, |w| {
            parameter_values(w, "ParameterList", &m.parameter_list);
            w.text_in("ParameterKey", &m.parameter_key, PARAMETER_KEY);
        }),
        M::SetParameterValuesResponse(m) => {
            w.structure(q, |w| w.number_in("Status", m.status, STATUS))
        }
        M::GetParameterValues(m) => w.structure(q, |w| {
            w.strings_in("ParameterNames", ONE_OR_MORE, &m.parameter_names, PARAMETER_NAME)
        }),
        M::GetParameterValuesResponse(m) => {
            w.structure(q, |w| parameter_values(w, "ParameterList", &m.parameter_list))
        }
        M::GetParameterNames(m) => w.structure(q, |w| {
            w.text_in("ParameterPath", &m.parameter_path, PARAMETER_NAME);
            w.boolean("NextLevel", m.next_level);
        }),
        M::GetParameterNamesResponse(m) => w.structure(q, |w| {
            w.array(
                "ParameterList",
                "cwmp:ParameterInfoStruct",
                ANY_NUMBER,
                &m.parameter_list,
                |w, p| {
                    w.structure("ParameterInfoStruct", |w| {
                        w.text_in("Name", &p.name, PARAMETER_NAME);
                        w.boolean("Writable", p.writable);
                    });
                },
            );
        }),
        M::SetParameterAttributes(m) => w.structure(q, |w| {
            w.array(
                "ParameterList",
                "cwmp:SetParameterAttributesStruct",
                ONE_OR_MORE,
                &m.parameter_list,
                |w, p| {
                    w.structure("SetParameterAttributesStruct", |w| {
                        w.text_in("Name", &p.name, PARAMETER_NAME);
                        w.boolean("NotificationChange", p.notification_change);
                        w.number_in("Notification", p.notification, Range::Notification);
                        w.boolean("AccessListChange", p.access_list_change);
                        w.strings_in("AccessList", ANY_NUMBER, &p.access_list, ACCESS_LIST);
                    });
                },
            );
        }),
        M::GetParameterAttributes(m) => w.structure(q, |w| {
            w.strings_in("ParameterNames", ONE_OR_MORE, &m.parameter_names, PARAMETER_NAME)
        }),
        M::GetParameterAttributesResponse(m) => w.structure(q, |w| {
            w.array(
                "ParameterList",
                "cwmp:ParameterAttributeStruct",
                ANY_NUMBER,
                &m.parameter_list,
                |w, p| {
                    w.structure("ParameterAttributeStruct", |w| {
                        w.text_in("Name", &p.name, PARAMETER_NAME);
                        w.number_in("Notification", p.notification, Range::Notification);
                        w.strings_in("AccessList", ANY_NUMBER, &p.access_list, ACCESS_LIST);
                    });
                },
            );
        }),
        M::AddObject(m) => w.structure(q, |w| {
            w.text_in("ObjectName", &m.object_name, OBJECT_NAME);
            w.text_in("ParameterKey", &m.parameter_key, PARAMETER_KEY);
        }),
        M::AddObjectResponse(m) => w.structure(q, |w| {
            w.number_in("InstanceNumber", m.instance_number, Range::AtLeast(1));
            w.number_in("Status", m.status, STATUS);
        }),
        M::DeleteObject(m) => w.structure(q, |w| {
            w.text_in("ObjectName", &m.object_name, OBJECT_NAME);
            w.text_in("ParameterKey", &m.parameter_key, PARAMETER_KEY);
        }),
        M::DeleteObjectResponse(m) => w.structure(q, |w| w.number_in("Status", m.status, STATUS)),
        M::Reboot(m) => w.structure(q, |w| w.text_in("CommandKey", &m.command_key, COMMAND_KEY)),
        M::Download(m) => w.structure(q, |w| {
            w.text_in("CommandKey", &m.command_key, COMMAND_KEY);
            w.text_in("FileType", &m.file_type, &file_type(FileKind::Download));
            w.text_in("URL", &m.url, LEN_256);
            w.text_in("Username", &m.username, LEN_256);
            w.text_in("Password", &m.password, LEN_256);
            w.number("FileSize", m.file_size);
            w.text_in("TargetFileName", &m.target_file_name, LEN_256);
            w.number("DelaySeconds", m.delay_seconds);
            w.text_in("SuccessURL", &m.success_url, LEN_256);
            w.text_in("FailureURL", &m.failure_url, LEN_256);
        }),
        M::DownloadResponse(m) | M::UploadResponse(m) => {
            w.structure(q, |w| transfer_response(w, m))
        }
        M::Upload(m) => w.structure(q, |w| {
            w.text_in("CommandKey", &m.command_key, COMMAND_KEY);
            w.text_in("FileType", &m.file_type, &file_type(FileKind::Upload));
            w.text_in("URL", &m.url, LEN_256);
            w.text_in("Username", &m.username, LEN_256);
            w.text_in("Password", &m.password, LEN_256);
            w.number("DelaySeconds", m.delay_seconds);
        }),
        M::GetQueuedTransfersResponse(m) => w.structure(q, |w| {
            w.array(
                "TransferList",
                "cwmp:QueuedTransferStruct",
                UP_TO_16,
                &m.transfer_list,
                |w, t| {
                    w.structure("QueuedTransferStruct", |w| {
                        w.text_in("CommandKey", &t.command_key, COMMAND_KEY);
                        w.number_in("State", t.state, TRANSFER_STATE);
                    });
                },
            );
        }),
        M::GetAllQueuedTransfersResponse(m) => w.structure(q, |w| {
            w.array(
                "TransferList",
                "cwmp:AllQueuedTransferStruct",
                UP_TO_16,
                &m.transfer_list,
                |w, t| {
                    w.structure("AllQueuedTransferStruct", |w| {
                        w.text_in("CommandKey", &t.command_key, COMMAND_KEY);
                        w.number_in("State", t.state, TRANSFER_STATE);
                        w.boolean("IsDownload", t.is_download);
                        w.text_in("FileType", &t.file_type, &file_type(FileKind::Transfer));
                        w.number("FileSize", t.file_size);
                        w.text_in("TargetFileName", &t.target_file_name, LEN_256);
                    });
                },
            );
        }),
        M::ScheduleInform(m) => w.structure(q, |w| {
            w.number("DelaySeconds", m.delay_seconds);
            w.text_in("CommandKey", &m.command_key, COMMAND_KEY);
        }),
        M::SetVouchers(m) => w.structure(q, |w| {
            w.array("VoucherList", "SOAP-ENC:base64", ONE_OR_MORE, &m.voucher_list, |w, v| {
                w.text("base64", v);
            });
        }),
        M::GetOptions(m) => w.structure(q, |w| w.text_in("OptionName", &m.option_name, LEN_64)),
        M::GetOptionsResponse(m) => w.structure(q, |w| {
            w.array("OptionList", "cwmp:OptionStruct", ANY_NUMBER, &m.option_list, |w, o| {
                w.structure("OptionStruct", |w| {
                    w.text_in("OptionName", &o.option_name, LEN_64);
                    w.number("VoucherSN", o.voucher_sn);
                    w.number_in("State", o.state, Range::OneOf(&[0, 1, 2, 3]));
                    w.number_in("Mode", o.mode, Range::OneOf(&[0, 1, 2]));
                    w.text_in("StartDate", &o.start_date, DATE_TIME);
                    w.optional_in("ExpirationDate", &o.expiration_date, DATE_TIME);
                    w.number_in("IsTransferable", o.is_transferable, Range::OneOf(&[0, 1]));
                });
            });
        }),
        M::ScheduleDownload(m) => w.structure(q, |w| {
            w.text_in("CommandKey", &m.command_key, COMMAND_KEY);
            w.text_in("FileType", &m.file_type, &file_type(FileKind::Download));
            w.text_in("URL", &m.url, LEN_256);
            w.text_in("Username", &m.username, LEN_256);
            w.text_in("Password", &m.password, LEN_256);
            w.number("FileSize", m.file_size);
            w.text_in("TargetFileName", &m.target_file_name, LEN_256);
            w.array(
                "TimeWindowList",
                "cwmp:TimeWindowStruct",
                TIME_WINDOWS,
                &m.time_window_list,
                |w, t| {
                    w.structure("TimeWindowStruct", |w| {
                        w.number("WindowStart", t.window_start);
                        w.number("WindowEnd", t.window_end);
                        w.text_in(
                            "WindowMode",
                            &t.window_mode,
                            &[Facet::MaxLength(64), Facet::WindowMode],
                        );
                        w.text_in("UserMessage", &t.user_message, LEN_256);
                        w.number("MaxRetries", t.max_retries);
                    });
                },
            );
        }),
        M::CancelTransfer(m) => {
            w.structure(q, |w| w.text_in("CommandKey", &m.command_key, COMMAND_KEY))
        }
        M::ChangeDUState(m) => w.structure(q, |w| {
            w.count_in("Operations", m.operations.len(), ONE_OR_MORE);
            for op in &m.operations {
                operation(w, op);
            }
            w.optional_in("CommandKey", &m.command_key, COMMAND_KEY);
        }),
        M::Fault(fault) => w.structure("SOAP-ENV:Fault", |w| {
            // faultcode is a QName: keep its local part under our own prefix.
            let local = fault.fault_code.rsplit(':').next().unwrap_or_default();
            w.text("faultcode", &format!("SOAP-ENV:{local}"));
            w.text("faultstring", &fault.fault_string);
            if let Some(detail) = &fault.detail {
                w.structure("detail", |w| {
                    w.structure("cwmp:Fault", |w| {
                        w.number_in("FaultCode", detail.fault_code, Range::Fault);
                        w.text("FaultString", &detail.fault_string);
                        for spvf in &detail.set_parameter_values_faults {
                            w.structure("SetParameterValuesFault", |w| {
                                w.text("ParameterName", &spvf.parameter_name);
                                let codes = Range::SetParameterValuesFault;
                                w.number_in("FaultCode", spvf.fault_code, codes);
                                w.text("FaultString", &spvf.fault_string);
                            });
                        }
                    });
                });
            }
        }),
        M::EmptyBody => {}
        M::Vendor(raw) | M::Unknown(raw) => {
            // Kept whole: written back as received (it was well-formed when read).
            w.indent();
            w.out.push_str(&raw.xml);
            w.out.push('\n');
        }
        M::TransferCompleteResponse
        | M::AutonomousTransferCompleteResponse
        | M::RequestDownloadResponse
        | M::DUStateChangeCompleteResponse
        | M::AutonomousDUStateChangeCompleteResponse
        | M::GetRPCMethods
        | M::SetParameterAttributesResponse
        | M::RebootResponse
        | M::FactoryReset
        | M::FactoryResetResponse
        | M::GetQueuedTransfers
        | M::GetAllQueuedTransfers
        | M::ScheduleInformResponse
        | M::SetVouchersResponse
        | M::ScheduleDownloadResponse
        | M::CancelTransferResponse
        | M::ChangeDUStateResponse => w.empty(q),
    }
}
