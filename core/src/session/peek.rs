//! A quick, namespace-aware look at SOAP bodies for the facts sessions and conformance need.
//!
//! The codec (`crate::cwmp`) gives the full typed message; this scan only extracts what the
//! session layer reasons about (method name, header ID and HoldRequests, DeviceId, CommandKey,
//! fault codes, arrayType counts, namespaces), and it still works on bodies the codec rejects.

use crate::base::Diagnostic;
use crate::cwmp::{Envelope, Message};
use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

/// What one envelope says, as far as sessions are concerned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Peek {
    /// Local name of the first element in the SOAP Body (`Inform`, `Fault`, …).
    pub rpc: String,
    /// Namespace URI of that element (for `Fault`, of the `cwmp:Fault` detail when present).
    pub rpc_namespace: Option<String>,
    pub id: Option<String>,
    pub hold_requests: Option<bool>,
    pub manufacturer: Option<String>,
    pub oui: Option<String>,
    pub product_class: Option<String>,
    pub serial_number: Option<String>,
    pub event_codes: Vec<String>,
    pub max_envelopes: Option<String>,
    /// The CommandKey that is a direct child of the method element.
    pub command_key: Option<String>,
    pub fault_codes: Vec<String>,
    /// (element, declared count, actual children) for every arrayType that does not match.
    pub array_mismatches: Vec<(String, String, usize)>,
}

/// Codec diagnostics after which the typed envelope may not say all that [`peek`] would find
/// (arrays miscounted, elements skipped or out of place, namespaces wrong): then the body is
/// scanned.
const NEEDS_SCAN: [&str; 12] = [
    "array-type-count-mismatch",
    "array-type-malformed",
    "array-type-count-zero-padded",
    "unknown-namespace",
    "missing-namespace",
    "mixed-versions",
    "unexpected-element",
    "unknown-method",
    "unknown-operation",
    "invalid-number",
    "several-envelopes",
    "extra-body-element",
];

/// Facts straight from the decoded envelopes, sparing a second parse of the body, for the
/// messages whose facts the typed model holds in full. `None` when the body must be scanned:
/// the codec had something to say that bears on the facts, or a message carries facts the
/// session layer reads as written (MaxEnvelopes, fault codes, CommandKeys).
pub fn from_envelopes(envelopes: &[Envelope], diagnostics: &[Diagnostic]) -> Option<Vec<Peek>> {
    if envelopes.is_empty() || diagnostics.iter().any(|d| NEEDS_SCAN.contains(&&*d.code)) {
        return None;
    }
    envelopes
        .iter()
        .map(|envelope| {
            let message = &envelope.message;
            let mut peek = match message {
                Message::Inform(inform) => Peek {
                    manufacturer: Some(inform.device_id.manufacturer.clone()),
                    oui: Some(inform.device_id.oui.clone()),
                    product_class: Some(inform.device_id.product_class.clone()),
                    serial_number: Some(inform.device_id.serial_number.clone()),
                    event_codes: inform.events.iter().map(|e| e.event_code.clone()).collect(),
                    ..Peek::default()
                },
                Message::GetRPCMethods
                | Message::GetRPCMethodsResponse(_)
                | Message::GetParameterValues(_)
                | Message::GetParameterValuesResponse(_)
                | Message::SetParameterValues(_)
                | Message::SetParameterValuesResponse(_)
                | Message::GetParameterNames(_)
                | Message::GetParameterNamesResponse(_)
                | Message::GetParameterAttributes(_)
                | Message::GetParameterAttributesResponse(_)
                | Message::SetParameterAttributes(_)
                | Message::SetParameterAttributesResponse
                | Message::AddObject(_)
                | Message::AddObjectResponse(_)
                | Message::DeleteObject(_)
                | Message::DeleteObjectResponse(_)
                | Message::Reboot(_)
                | Message::RebootResponse => Peek::default(),
                _ => return None,
            };
            peek.rpc = message.name().to_string();
            peek.rpc_namespace = Some(envelope.version.namespace().to_string());
            peek.id.clone_from(&envelope.header.id);
            peek.hold_requests = envelope.header.hold_requests;
            Some(peek)
        })
        .collect()
}

struct Array {
    depth: usize,
    element: String,
    declared: String,
    children: usize,
}

/// Every envelope in `body`; an unreadable body gives what was read before the problem.
pub fn peek(body: &[u8]) -> Vec<Peek> {
    let mut reader = NsReader::from_reader(body);
    let mut out: Vec<Peek> = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut arrays: Vec<Array> = Vec::new();
    let mut text = String::new();
    // Text is kept only inside the few elements whose values matter here.
    let mut collecting = false;
    // Popped path entries are reused so that element names cost no allocation.
    let mut spare: Vec<String> = Vec::new();
    // The scan reads no further than the codec would (its element and depth limits): a body of
    // millions of elements costs a bounded look, as it does the codec.
    let limits = crate::cwmp::Limits::default();
    let mut elements = 0usize;
    while let Ok((resolved, event)) = reader.read_resolved_event() {
        let namespace = match &resolved {
            ResolveResult::Bound(ns) => Some(ns.as_ref()),
            _ => None,
        };
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                elements += 1;
                if elements > limits.max_elements || path.len() >= limits.max_depth {
                    break;
                }
                let local = start.local_name();
                let name: &str = local.as_ref();
                let is_empty = matches!(event, Event::Empty(_));
                if let Some(array) = arrays.last_mut()
                    && array.depth == path.len()
                {
                    array.children += 1;
                }
                if name == "Envelope" {
                    out.push(Peek::default());
                }
                let parent = path.last().map(String::as_str);
                if let Some(current) = out.last_mut() {
                    if parent == Some("Body") && current.rpc.is_empty() {
                        current.rpc = name.to_string();
                        current.rpc_namespace = namespace.map(str::to_string);
                    }
                    if name == "Fault" && parent == Some("detail") {
                        current.rpc_namespace = namespace.map(str::to_string);
                    }
                }
                for attribute in start.attributes().flatten() {
                    if attribute.key.local_name().as_ref() == "arrayType" {
                        let value = attribute.value.to_string();
                        let declared = value
                            .rsplit_once('[')
                            .map(|(_, count)| count.trim_end_matches(']').to_string())
                            .unwrap_or_default();
                        if is_empty {
                            if declared.trim_start_matches('0').parse::<usize>().unwrap_or(0) != 0
                                && let Some(current) = out.last_mut()
                            {
                                current.array_mismatches.push((name.to_string(), declared, 0));
                            }
                        } else {
                            arrays.push(Array {
                                depth: path.len() + 1,
                                element: name.to_string(),
                                declared,
                                children: 0,
                            });
                        }
                    }
                }
                if !is_empty {
                    collecting = matches!(
                        name,
                        "ID" | "HoldRequests"
                            | "Manufacturer"
                            | "OUI"
                            | "ProductClass"
                            | "SerialNumber"
                            | "EventCode"
                            | "MaxEnvelopes"
                            | "FaultCode"
                            | "CommandKey"
                    );
                    let mut entry = spare.pop().unwrap_or_default();
                    entry.clear();
                    entry.push_str(name);
                    path.push(entry);
                    text.clear();
                }
            }
            Event::Text(ref t) if collecting => text.push_str(&t.xml10_content()),
            Event::CData(ref c) if collecting => text.push_str(&c.xml10_content()),
            Event::End(_) => {
                if arrays.last().is_some_and(|a| a.depth == path.len())
                    && let Some(array) = arrays.pop()
                {
                    let declared_count = array.declared.parse::<usize>().ok();
                    if declared_count != Some(array.children)
                        && let Some(current) = out.last_mut()
                    {
                        current.array_mismatches.push((
                            array.element,
                            array.declared,
                            array.children,
                        ));
                    }
                }
                let name = path.pop().unwrap_or_default();
                if collecting {
                    let parent = path.last().map(String::as_str);
                    let value = text.trim().to_string();
                    if let Some(current) = out.last_mut() {
                        record_text(current, &name, parent, &path, value);
                    }
                }
                collecting = false;
                spare.push(name);
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

fn record_text(
    current: &mut Peek,
    name: &str,
    parent: Option<&str>,
    path: &[String],
    value: String,
) {
    let in_header = path.iter().any(|p| p == "Header");
    match (name, parent) {
        ("ID", Some("Header")) => current.id = Some(value),
        ("HoldRequests", Some("Header")) => {
            current.hold_requests = Some(matches!(value.as_str(), "1" | "true"));
        }
        ("Manufacturer", Some("DeviceId")) => current.manufacturer = Some(value),
        ("OUI", Some("DeviceId")) => current.oui = Some(value),
        ("ProductClass", Some("DeviceId")) => current.product_class = Some(value),
        ("SerialNumber", Some("DeviceId")) => current.serial_number = Some(value),
        ("EventCode", _) => current.event_codes.push(value),
        ("MaxEnvelopes", _) if !in_header => current.max_envelopes = Some(value),
        ("FaultCode", _) => current.fault_codes.push(value),
        ("CommandKey", Some(parent)) if parent == current.rpc => current.command_key = Some(value),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peeks_at_header_body_and_arrays() {
        let body = br#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0" xmlns:enc="http://schemas.xmlsoap.org/soap/encoding/">
<soap:Header><cwmp:ID soap:mustUnderstand="1">42</cwmp:ID></soap:Header>
<soap:Body><cwmp:Inform><DeviceId><OUI>48BF74</OUI><SerialNumber>X1</SerialNumber></DeviceId>
<Event enc:arrayType="cwmp:EventStruct[2]"><EventStruct><EventCode>1 BOOT</EventCode><CommandKey/></EventStruct></Event>
</cwmp:Inform></soap:Body></soap:Envelope>"#;
        let peeks = peek(body);
        assert_eq!(peeks.len(), 1);
        let p = &peeks[0];
        assert_eq!(p.rpc, "Inform");
        assert_eq!(p.rpc_namespace.as_deref(), Some("urn:dslforum-org:cwmp-1-0"));
        assert_eq!(p.id.as_deref(), Some("42"));
        assert_eq!(p.oui.as_deref(), Some("48BF74"));
        assert_eq!(p.event_codes, ["1 BOOT"]);
        assert_eq!(p.array_mismatches, [("Event".to_string(), "2".to_string(), 1)]);
    }
}
