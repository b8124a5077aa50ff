//! Decoding the Body's child element: the dispatch to the schema's tables (`schema.rs`), and the
//! readers the tables cannot express: parameter values and their `xsi:type`, SOAP-encoded
//! arrays and their declared counts, SOAP faults, and the deployment-unit structures whose
//! real-world forms differ from the schema's.

use std::borrow::Cow;

use super::decode::note_cwmp_ns;
use super::fields::Structure;
use super::reader::{Element, Ns, Reader, Result};
use super::*;
use crate::base::Severity;

pub(super) fn decode_message<'i>(
    reader: &mut Reader<'i>,
    method: Element<'i>,
    version: &mut Option<CwmpVersion>,
) -> Result<Message> {
    // Borrowed: a copy only for the raw messages that keep their name.
    let name = method.local();
    let method_ns = reader.ns(&method);
    if name.starts_with("X_") {
        note_cwmp_ns_lenient(reader, &method, version);
        let xml = reader.raw(&method)?;
        return Ok(Message::Vendor(RawMessage { name: name.to_owned(), xml }));
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
    let Some(message) = Message::decode_method(name, reader) else {
        reader.diagnose(
            Severity::Warning,
            "unknown-method",
            method.offset,
            format!("`{name}` is not a CWMP method; kept as raw XML"),
        );
        let xml = reader.raw(&method)?;
        return Ok(Message::Unknown(RawMessage { name: name.to_owned(), xml }));
    };
    let message = message?;
    if let Ns::Cwmp(found) = method_ns {
        let needed = message.introduced_in();
        if found < needed {
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
pub(super) fn unexpected(reader: &mut Reader<'_>, child: &Element<'_>) -> Result<()> {
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
    // The attribute is read in place: only an odd form, which gets a diagnostic, is copied
    // (every SOAP array of every message passes here).
    let read = reader.attribute_with(
        element,
        |ns| ns == Ns::SoapEnc,
        "arrayType",
        |_, array_type| {
            let open = array_type.rfind('[');
            let close = array_type.rfind(']');
            let digits = match (open, close) {
                (Some(open), Some(close)) if open < close => array_type.get(open + 1..close),
                _ => None,
            };
            match digits.and_then(|d| d.trim().parse::<usize>().ok().map(|n| (d, n))) {
                Some((digits, count)) if digits.len() > 1 && digits.starts_with('0') => {
                    ArrayCount::ZeroPadded(count, digits.to_owned())
                }
                Some((_, count)) => ArrayCount::Count(count),
                None => ArrayCount::Malformed(array_type.to_owned()),
            }
        },
    )?;
    match read {
        ArrayCount::Count(count) => Some(count),
        ArrayCount::ZeroPadded(count, digits) => {
            let path = reader.path();
            reader.diagnose_at(
                Severity::Info,
                "array-type-count-zero-padded",
                element.offset,
                path,
                format!("arrayType count `[{digits}]` is zero-padded"),
            );
            Some(count)
        }
        ArrayCount::Malformed(shown) => {
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

/// What an `arrayType` says, with the text a diagnostic quotes for its odd forms.
enum ArrayCount {
    Count(usize),
    ZeroPadded(usize, String),
    Malformed(String),
}

/// A method without arguments: anything inside is reported.
pub(super) fn empty(reader: &mut Reader<'_>, message: Message) -> Result<Message> {
    reader.children(|reader, child| unexpected(reader, &child))?;
    Ok(message)
}

pub(super) fn fault_struct(reader: &mut Reader<'_>) -> Result<FaultStruct> {
    let mut fault = FaultStruct::default();
    reader.children(|reader, child| {
        // Seen in the field: the fields wrapped once more in a FaultStruct.
        if child.local() == "FaultStruct" {
            reader.diagnose(
                Severity::Info,
                "nested-fault-struct",
                child.offset,
                "FaultCode/FaultString wrapped in an extra FaultStruct",
            );
            fault = fault_struct(reader)?;
        } else if !fault.read_field(reader, &child)? {
            unexpected(reader, &child)?;
        }
        Ok(())
    })?;
    Ok(fault)
}

/// `Results`: the schema repeats `Results` with the fields inside; real stacks
/// also send one `Results` array of `OpResultStruct` items. Both are read.
pub(super) fn op_results<'i>(
    reader: &mut Reader<'i>,
    element: &Element<'i>,
) -> Result<Vec<OpResultStruct>> {
    let mut results = Vec::new();
    let mut direct = OpResultStruct::default();
    let mut has_direct = false;
    let _ = element;
    reader.children(|reader, child| {
        if matches!(child.local(), "OpResultStruct" | "AutonOpResultStruct") {
            let mut item = OpResultStruct::default();
            reader.children(|reader, field| {
                if !item.read_field(reader, &field)? {
                    unexpected(reader, &field)?;
                }
                Ok(())
            })?;
            results.push(item);
        } else if direct.read_field(reader, &child)? {
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
pub(super) fn operations<'i>(
    reader: &mut Reader<'i>,
    element: &Element<'i>,
) -> Result<Vec<Operation>> {
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
                        fault.detail = Some(CwmpFault::decode(reader)?);
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
