//! Decoders of the RPC methods (the Body's child element) into typed structs.

use super::decode::{joined, note_cwmp_ns, read_number};
use super::reader::{Element, Ns, Reader, Result};
use super::*;

pub(super) fn decode_message<'i>(
    reader: &mut Reader<'i>,
    method: Element<'i>,
    version: &mut Option<CwmpVersion>,
) -> Result<Message> {
    let name = method.local().to_owned();
    if name.starts_with("X_") {
        note_cwmp_ns_lenient(reader, &method, version);
        let xml = reader.raw(&method)?;
        return Ok(Message::Vendor(RawMessage { name, xml }));
    }
    note_cwmp_ns(reader, &method, version);
    let message = match name.as_str() {
        "Inform" => Message::Inform(inform(reader)?),
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
    Ok(message)
}

/// Vendor methods may live in a vendor namespace; only note a cwmp one.
fn note_cwmp_ns_lenient(
    reader: &mut Reader<'_>,
    method: &Element<'_>,
    version: &mut Option<CwmpVersion>,
) {
    if matches!(method.ns, Ns::Cwmp(_)) {
        note_cwmp_ns(reader, method, version);
    }
}

/// Reports a child element the schema does not have, and skips it.
fn unexpected(reader: &mut Reader<'_>, child: &Element<'_>) -> Result<()> {
    let name = child.local().to_owned();
    let parent = reader.path().rsplit('/').nth(1).unwrap_or_default().to_owned();
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
            "Name" => parameter.name = reader.text()?,
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
    let declared = reader.attribute(element, |ns| matches!(ns, Ns::Xsi | Ns::Xsi1999), "type");
    let xsi_type = match declared {
        Some(qname) => {
            let (ns, local) = reader.resolve_qname_value(qname.trim());
            match ns {
                Ns::Xsd => {}
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
                    format!("the prefix of xsi:type `{}` is not declared", qname.trim()),
                ),
                Ns::Cwmp(_) | Ns::SoapEnc => {}
                _ => reader.diagnose(
                    Severity::Warning,
                    "unknown-type-namespace",
                    element.offset,
                    format!("xsi:type `{}` is not an XML Schema type", qname.trim()),
                ),
            }
            Some(local.to_owned())
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
    let text = reader.text()?;
    Ok(Value { xsi_type, text })
}

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
    let capacity = declared.unwrap_or(0).min(1024);
    let mut items = Vec::with_capacity(capacity);
    let array_path = reader.path().to_owned();
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
    let path = reader.path().to_owned();
    match parsed {
        Some((digits, count)) => {
            if digits.len() > 1 && digits.starts_with('0') {
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

#[allow(dead_code)] // reason: used by the message decoders added next
fn path_of(reader: &Reader<'_>, element: &Element<'_>) -> String {
    joined(reader.path(), element.local())
}
