//! The strict encoder: one canonical form, in the namespace of the requested
//! version, following the element order of the BBF schemas.
//!
//! Canonical means: UTF-8 declaration, prefixes `SOAP-ENV`, `SOAP-ENC`, `xsd`,
//! `xsi`, `cwmp` (the most common in the field, so `faultcode` QNames such as
//! `SOAP-ENV:Client` stay resolvable), two-space indentation, every array with
//! its `SOAP-ENC:arrayType`, every header with the `mustUnderstand` the schema
//! fixes. Text is escaped; characters XML 1.0 cannot carry become U+FFFD.

use super::reader::{SOAP_ENC_NS, SOAP_ENV_NS, XSD_NS, XSI_NS};
use super::*;
use std::fmt::Write as _;

/// Encodes an envelope as canonical CWMP XML in the namespace of `version`.
///
/// The envelope's own `version` is ignored: the caller chooses. Messages or
/// headers that the chosen version does not define are still written (the
/// caller may be testing a peer); [`version_problems`] lists them.
pub fn encode(envelope: &Envelope, version: CwmpVersion) -> String {
    let mut w = Writer { out: String::with_capacity(1024), depth: 0 };
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
    w.out
}

/// What in `envelope` the schema of `version` does not define.
pub fn version_problems(envelope: &Envelope, version: CwmpVersion) -> Vec<String> {
    let mut problems = Vec::new();
    let introduced = introduced_in(&envelope.message);
    if version_rank(version) < version_rank(introduced) {
        problems.push(format!(
            "{} needs {} (namespace {})",
            envelope.message.name(),
            introduced.namespace(),
            introduced.namespace()
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
    }

    fn close(&mut self, name: &str) {
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

    fn number(&mut self, name: &str, value: impl std::fmt::Display) {
        self.indent();
        let _ = writeln!(self.out, "<{name}>{value}</{name}>");
    }

    fn boolean(&mut self, name: &str, value: bool) {
        self.text(name, if value { "true" } else { "false" });
    }

    fn optional(&mut self, name: &str, value: &Option<String>) {
        if let Some(value) = value {
            self.text(name, value);
        }
    }

    /// A SOAP-encoded array: `item_type` is the QName in `arrayType`.
    fn array<T>(
        &mut self,
        name: &str,
        item_type: &str,
        items: &[T],
        mut item: impl FnMut(&mut Self, &T),
    ) {
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

    fn strings(&mut self, name: &str, items: &[String]) {
        self.array(name, "xsd:string", items, |w, s| w.text("string", s));
    }

    fn structure(&mut self, name: &str, fields: impl FnOnce(&mut Self)) {
        self.open(name);
        fields(self);
        self.close(name);
    }
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
    w.array(name, "cwmp:ParameterValueStruct", list, |w, p| {
        w.structure("ParameterValueStruct", |w| {
            w.text("Name", &p.name);
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

fn fault_struct(w: &mut Writer, name: &str, fault: &FaultStruct) {
    w.structure(name, |w| {
        w.number("FaultCode", fault.fault_code);
        w.text("FaultString", &fault.fault_string);
    });
}

fn transfer_response(w: &mut Writer, r: &TransferResponse) {
    w.number("Status", r.status);
    w.text("StartTime", &r.start_time);
    w.text("CompleteTime", &r.complete_time);
}

fn op_result(w: &mut Writer, r: &OpResultStruct, autonomous: bool) {
    w.structure("Results", |w| {
        w.text("UUID", &r.uuid);
        w.text("DeploymentUnitRef", &r.deployment_unit_ref);
        w.text("Version", &r.version);
        w.text("CurrentState", &r.current_state);
        w.boolean("Resolved", r.resolved);
        w.text("ExecutionUnitRefList", &r.execution_unit_ref_list);
        w.text("StartTime", &r.start_time);
        w.text("CompleteTime", &r.complete_time);
        fault_struct(w, "Fault", &r.fault);
        if autonomous {
            w.text("OperationPerformed", r.operation_performed.as_deref().unwrap_or_default());
        }
    });
}

fn operation(w: &mut Writer, op: &Operation) {
    let (kind, fields): (&str, Vec<(&str, Option<&String>)>) = match op {
        Operation::Install { url, uuid, username, password, execution_env_ref } => (
            "InstallOpStruct",
            vec![
                ("URL", Some(url)),
                ("UUID", uuid.as_ref()),
                ("Username", username.as_ref()),
                ("Password", password.as_ref()),
                ("ExecutionEnvRef", execution_env_ref.as_ref()),
            ],
        ),
        Operation::Update { uuid, version, url, username, password } => (
            "UpdateOpStruct",
            vec![
                ("UUID", uuid.as_ref()),
                ("Version", version.as_ref()),
                ("URL", url.as_ref()),
                ("Username", username.as_ref()),
                ("Password", password.as_ref()),
            ],
        ),
        Operation::Uninstall { uuid, version, execution_env_ref } => (
            "UninstallOpStruct",
            vec![
                ("UUID", Some(uuid)),
                ("Version", version.as_ref()),
                ("ExecutionEnvRef", execution_env_ref.as_ref()),
            ],
        ),
    };
    w.open_with("Operations", &format!(" xsi:type=\"cwmp:{kind}\""));
    for (name, value) in fields {
        if let Some(value) = value {
            w.text(name, value);
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
                w.text("Manufacturer", &m.device_id.manufacturer);
                w.text("OUI", &m.device_id.oui);
                w.text("ProductClass", &m.device_id.product_class);
                w.text("SerialNumber", &m.device_id.serial_number);
            });
            w.array("Event", "cwmp:EventStruct", &m.events, |w, e| {
                w.structure("EventStruct", |w| {
                    w.text("EventCode", &e.event_code);
                    w.text("CommandKey", &e.command_key);
                });
            });
            w.number("MaxEnvelopes", m.max_envelopes);
            w.text("CurrentTime", &m.current_time);
            w.number("RetryCount", m.retry_count);
            parameter_values(w, "ParameterList", &m.parameter_list);
        }),
        M::InformResponse(m) => w.structure(q, |w| w.number("MaxEnvelopes", m.max_envelopes)),
        M::TransferComplete(m) => w.structure(q, |w| {
            w.text("CommandKey", &m.command_key);
            fault_struct(w, "FaultStruct", &m.fault_struct);
            w.text("StartTime", &m.start_time);
            w.text("CompleteTime", &m.complete_time);
        }),
        M::AutonomousTransferComplete(m) => w.structure(q, |w| {
            w.text("AnnounceURL", &m.announce_url);
            w.text("TransferURL", &m.transfer_url);
            w.boolean("IsDownload", m.is_download);
            w.text("FileType", &m.file_type);
            w.number("FileSize", m.file_size);
            w.text("TargetFileName", &m.target_file_name);
            fault_struct(w, "FaultStruct", &m.fault_struct);
            w.text("StartTime", &m.start_time);
            w.text("CompleteTime", &m.complete_time);
        }),
        M::RequestDownload(m) => w.structure(q, |w| {
            w.text("FileType", &m.file_type);
            w.array("FileTypeArg", "cwmp:ArgStruct", &m.file_type_arg, |w, a| {
                w.structure("ArgStruct", |w| {
                    w.text("Name", &a.name);
                    w.text("Value", &a.value);
                });
            });
        }),
        M::DUStateChangeComplete(m) => w.structure(q, |w| {
            for result in &m.results {
                op_result(w, result, false);
            }
            w.optional("CommandKey", &m.command_key);
        }),
        M::AutonomousDUStateChangeComplete(m) => w.structure(q, |w| {
            for result in &m.results {
                op_result(w, result, true);
            }
        }),
        M::Kicked(m) => w.structure(q, |w| {
            w.text("Command", &m.command);
            w.text("Referer", &m.referer);
            w.text("Arg", &m.arg);
            w.text("Next", &m.next);
        }),
        M::KickedResponse(m) => w.structure(q, |w| w.text("NextURL", &m.next_url)),
        M::GetRPCMethodsResponse(m) => w.structure(q, |w| w.strings("MethodList", &m.method_list)),
        M::SetParameterValues(m) => w.structure(q, |w| {
            parameter_values(w, "ParameterList", &m.parameter_list);
            w.text("ParameterKey", &m.parameter_key);
        }),
        M::SetParameterValuesResponse(m) => w.structure(q, |w| w.number("Status", m.status)),
        M::GetParameterValues(m) => {
            w.structure(q, |w| w.strings("ParameterNames", &m.parameter_names))
        }
        M::GetParameterValuesResponse(m) => {
            w.structure(q, |w| parameter_values(w, "ParameterList", &m.parameter_list))
        }
        M::GetParameterNames(m) => w.structure(q, |w| {
            w.text("ParameterPath", &m.parameter_path);
            w.boolean("NextLevel", m.next_level);
        }),
        M::GetParameterNamesResponse(m) => w.structure(q, |w| {
            w.array("ParameterList", "cwmp:ParameterInfoStruct", &m.parameter_list, |w, p| {
                w.structure("ParameterInfoStruct", |w| {
                    w.text("Name", &p.name);
                    w.boolean("Writable", p.writable);
                });
            });
        }),
        M::SetParameterAttributes(m) => w.structure(q, |w| {
            w.array(
                "ParameterList",
                "cwmp:SetParameterAttributesStruct",
                &m.parameter_list,
                |w, p| {
                    w.structure("SetParameterAttributesStruct", |w| {
                        w.text("Name", &p.name);
                        w.boolean("NotificationChange", p.notification_change);
                        w.number("Notification", p.notification);
                        w.boolean("AccessListChange", p.access_list_change);
                        w.strings("AccessList", &p.access_list);
                    });
                },
            );
        }),
        M::GetParameterAttributes(m) => {
            w.structure(q, |w| w.strings("ParameterNames", &m.parameter_names))
        }
        M::GetParameterAttributesResponse(m) => w.structure(q, |w| {
            w.array("ParameterList", "cwmp:ParameterAttributeStruct", &m.parameter_list, |w, p| {
                w.structure("ParameterAttributeStruct", |w| {
                    w.text("Name", &p.name);
                    w.number("Notification", p.notification);
                    w.strings("AccessList", &p.access_list);
                });
            });
        }),
        M::AddObject(m) => w.structure(q, |w| {
            w.text("ObjectName", &m.object_name);
            w.text("ParameterKey", &m.parameter_key);
        }),
        M::AddObjectResponse(m) => w.structure(q, |w| {
            w.number("InstanceNumber", m.instance_number);
            w.number("Status", m.status);
        }),
        M::DeleteObject(m) => w.structure(q, |w| {
            w.text("ObjectName", &m.object_name);
            w.text("ParameterKey", &m.parameter_key);
        }),
        M::DeleteObjectResponse(m) => w.structure(q, |w| w.number("Status", m.status)),
        M::Reboot(m) => w.structure(q, |w| w.text("CommandKey", &m.command_key)),
        M::Download(m) => w.structure(q, |w| {
            w.text("CommandKey", &m.command_key);
            w.text("FileType", &m.file_type);
            w.text("URL", &m.url);
            w.text("Username", &m.username);
            w.text("Password", &m.password);
            w.number("FileSize", m.file_size);
            w.text("TargetFileName", &m.target_file_name);
            w.number("DelaySeconds", m.delay_seconds);
            w.text("SuccessURL", &m.success_url);
            w.text("FailureURL", &m.failure_url);
        }),
        M::DownloadResponse(m) | M::UploadResponse(m) => {
            w.structure(q, |w| transfer_response(w, m))
        }
        M::Upload(m) => w.structure(q, |w| {
            w.text("CommandKey", &m.command_key);
            w.text("FileType", &m.file_type);
            w.text("URL", &m.url);
            w.text("Username", &m.username);
            w.text("Password", &m.password);
            w.number("DelaySeconds", m.delay_seconds);
        }),
        M::GetQueuedTransfersResponse(m) => w.structure(q, |w| {
            w.array("TransferList", "cwmp:QueuedTransferStruct", &m.transfer_list, |w, t| {
                w.structure("QueuedTransferStruct", |w| {
                    w.text("CommandKey", &t.command_key);
                    w.number("State", t.state);
                });
            });
        }),
        M::GetAllQueuedTransfersResponse(m) => w.structure(q, |w| {
            w.array("TransferList", "cwmp:AllQueuedTransferStruct", &m.transfer_list, |w, t| {
                w.structure("AllQueuedTransferStruct", |w| {
                    w.text("CommandKey", &t.command_key);
                    w.number("State", t.state);
                    w.boolean("IsDownload", t.is_download);
                    w.text("FileType", &t.file_type);
                    w.number("FileSize", t.file_size);
                    w.text("TargetFileName", &t.target_file_name);
                });
            });
        }),
        M::ScheduleInform(m) => w.structure(q, |w| {
            w.number("DelaySeconds", m.delay_seconds);
            w.text("CommandKey", &m.command_key);
        }),
        M::SetVouchers(m) => w.structure(q, |w| {
            w.array("VoucherList", "SOAP-ENC:base64", &m.voucher_list, |w, v| {
                w.text("base64", v);
            });
        }),
        M::GetOptions(m) => w.structure(q, |w| w.text("OptionName", &m.option_name)),
        M::GetOptionsResponse(m) => w.structure(q, |w| {
            w.array("OptionList", "cwmp:OptionStruct", &m.option_list, |w, o| {
                w.structure("OptionStruct", |w| {
                    w.text("OptionName", &o.option_name);
                    w.number("VoucherSN", o.voucher_sn);
                    w.number("State", o.state);
                    w.number("Mode", o.mode);
                    w.text("StartDate", &o.start_date);
                    w.optional("ExpirationDate", &o.expiration_date);
                    w.number("IsTransferable", o.is_transferable);
                });
            });
        }),
        M::ScheduleDownload(m) => w.structure(q, |w| {
            w.text("CommandKey", &m.command_key);
            w.text("FileType", &m.file_type);
            w.text("URL", &m.url);
            w.text("Username", &m.username);
            w.text("Password", &m.password);
            w.number("FileSize", m.file_size);
            w.text("TargetFileName", &m.target_file_name);
            w.array("TimeWindowList", "cwmp:TimeWindowStruct", &m.time_window_list, |w, t| {
                w.structure("TimeWindowStruct", |w| {
                    w.number("WindowStart", t.window_start);
                    w.number("WindowEnd", t.window_end);
                    w.text("WindowMode", &t.window_mode);
                    w.text("UserMessage", &t.user_message);
                    w.number("MaxRetries", t.max_retries);
                });
            });
        }),
        M::CancelTransfer(m) => w.structure(q, |w| w.text("CommandKey", &m.command_key)),
        M::ChangeDUState(m) => w.structure(q, |w| {
            for op in &m.operations {
                operation(w, op);
            }
            w.optional("CommandKey", &m.command_key);
        }),
        M::Fault(fault) => w.structure("SOAP-ENV:Fault", |w| {
            // faultcode is a QName: keep its local part under our own prefix.
            let local = fault.fault_code.rsplit(':').next().unwrap_or_default();
            w.text("faultcode", &format!("SOAP-ENV:{local}"));
            w.text("faultstring", &fault.fault_string);
            if let Some(detail) = &fault.detail {
                w.structure("detail", |w| {
                    w.structure("cwmp:Fault", |w| {
                        w.number("FaultCode", detail.fault_code);
                        w.text("FaultString", &detail.fault_string);
                        for spvf in &detail.set_parameter_values_faults {
                            w.structure("SetParameterValuesFault", |w| {
                                w.text("ParameterName", &spvf.parameter_name);
                                w.number("FaultCode", spvf.fault_code);
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
