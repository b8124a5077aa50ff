//! Magma enodebd debug logs: the ACS side of CWMP, logged as Python dicts.
//!
//! enodebd logs each message it handles (CPE → ACS, an HTTP request body) and each it sends
//! (ACS → CPE, the response body) as
//! `2022-04-25 15:41:17,549 DEBUG Handling TR069 message: Inform {…python dict…}`;
//! `DummyInput {}` is the empty POST, or the ACS's empty answer that ends a session. Every other
//! line (state transitions, access log) is ignored.
//!
//! Each dict is read leniently ([`super::pyliteral`]) and rebuilt as the canonical SOAP envelope it
//! came from (dict keys are element names, lists repeat their key, `Data` is a value's text with
//! `type` its `xsi:type`, `arrayType` the SOAP-ENC array type), so the codec reads every message kind
//! the usual way. What the log does not keep (the `cwmp:ID` header, value types, array types) is
//! left out, and the codec's remarks about those absences are dropped as artefacts (see
//! [`SYNTHESIS_ARTEFACTS`]). The log's times name no zone: they are kept as local times.

use super::pyliteral::{self, PyNode, PyValue};
use super::{Capture, Diagnostic, InputKind, Options, Source, http};
use crate::base::Severity;
use crate::base::TextIndex;
use crate::base::time::parse_local;

const MARKER: &[u8] = b" TR069 message: ";

/// Codec diagnostics that only say what the log did not record; they are not the device's fault.
pub const SYNTHESIS_ARTEFACTS: [&str; 3] =
    ["missing-xsi-type", "method-newer-than-namespace", "missing-namespace"];

/// The codec diagnostics to drop for this message: [`SYNTHESIS_ARTEFACTS`] for envelopes rebuilt
/// from an enodebd log, none otherwise.
pub fn artefacts_of(message: &http::HttpMessage) -> &'static [&'static str] {
    if message.rebuilt_from.as_deref().is_some_and(|r| r.starts_with(REBUILT_PREFIX)) {
        &SYNTHESIS_ARTEFACTS
    } else {
        &[]
    }
}

const REBUILT_PREFIX: &str = "enodebd ";

/// True when the text holds enodebd's `Handling/Sending TR069 message:` lines.
pub fn looks_like(input: &[u8]) -> bool {
    input.split(|&b| b == b'\n').take(2000).any(|line| {
        find(line, MARKER).is_some_and(|at| {
            let before = &line[..at];
            before.ends_with(b"Handling") || before.ends_with(b"Sending")
        })
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// One logged message.
struct Logged {
    from_cpe: bool,
    name: String,
    time: Option<crate::base::Timestamp>,
    body: Vec<u8>,
    diagnostics: Vec<Diagnostic>,
}

/// Reads the log into one synthetic connection whose requests are what enodebd handled and whose
/// responses are what it sent.
pub fn decode(input: &[u8], options: &Options) -> Capture {
    let mut capture = Capture::empty(InputKind::EnodebdLog);
    let index = TextIndex::new(input);
    let mut logged = Vec::new();
    let mut target = None;
    let mut line_start = 0;
    for raw_line in input.split(|&b| b == b'\n') {
        let offset = line_start;
        line_start += raw_line.len() + 1;
        let line = raw_line.strip_suffix(b"\r").unwrap_or(raw_line);
        if target.is_none() {
            target = access_log_target(line);
        }
        if let Some(message) = read_line(line, offset, &index) {
            logged.push(message);
        }
    }
    if logged.is_empty() {
        return capture;
    }
    capture.diagnostics.push(Diagnostic::new(
        Severity::Info,
        Source::Text,
        "local-time",
        "enodebd logs wall-clock times without a zone: times are shown as local times",
    ));
    capture.diagnostics.push(Diagnostic::new(
        Severity::Info,
        Source::Text,
        "rebuilt-envelopes",
        "enodebd logs messages as Python dicts: envelopes are rebuilt from them, without the \
         cwmp:ID header, value types and array types the log does not keep",
    ));
    let target = target.unwrap_or_else(|| "/".to_string());
    let mut messages = Vec::with_capacity(logged.len());
    for message in logged {
        let start_line = if message.from_cpe {
            http::StartLine::Request {
                method: "POST".into(),
                target: target.as_str().into(),
                version: "HTTP/1.1".into(),
            }
        } else {
            http::StartLine::Response {
                version: "HTTP/1.1".into(),
                status: 200,
                reason: "OK".into(),
            }
        };
        let mut http_message =
            http::synthetic(start_line, Vec::new(), message.body, message.time, options);
        // Nothing of it was seen on the wire.
        http_message.wire_body_len = 0;
        http_message.rebuilt_from = Some(format!("{REBUILT_PREFIX}{}", message.name));
        http_message.diagnostics = message.diagnostics;
        messages.push(http_message);
    }
    let start = messages.first().and_then(|m| m.time);
    let end = messages.last().and_then(|m| m.time);
    http::push_connection(&mut capture, None, None, start, end, messages, Vec::new());
    capture
}

/// The request target of an access-log line such as `10.0.2.243 - "POST / HTTP/1.1" 200 419`.
fn access_log_target(line: &[u8]) -> Option<String> {
    let at = find(line, b"\"POST ")?;
    let rest = std::str::from_utf8(&line[at + 6..]).ok()?;
    let (target, _) = rest.split_once(' ')?;
    (target.starts_with('/')).then(|| target.to_string())
}

fn read_line(line: &[u8], offset: usize, index: &TextIndex<'_>) -> Option<Logged> {
    let at = find(line, MARKER)?;
    let before = &line[..at];
    let from_cpe = if before.ends_with(b"Handling") {
        true
    } else if before.ends_with(b"Sending") {
        false
    } else {
        return None;
    };
    let time = before.get(..23).and_then(|t| std::str::from_utf8(t).ok()).and_then(parse_local);
    let rest_at = at + MARKER.len();
    let rest = &line[rest_at..];
    let name_len =
        rest.iter().position(|b| !(b.is_ascii_alphanumeric() || *b == b'_')).unwrap_or(rest.len());
    let name = String::from_utf8_lossy(&rest[..name_len]).into_owned();
    let literal_at = rest_at + name_len;
    let (node, problems, _) = pyliteral::parse(&line[literal_at..], offset + literal_at);
    let mut diagnostics: Vec<Diagnostic> = problems
        .into_iter()
        .map(|p| {
            let position = index.position(p.offset);
            Diagnostic::new(
                Severity::Warning,
                Source::Text,
                "log-literal",
                format!("{}: {} in the logged {name}", position, p.message),
            )
            .at_byte(p.offset)
        })
        .collect();
    if time.is_none() {
        diagnostics.push(
            Diagnostic::new(
                Severity::Info,
                Source::Text,
                "log-time",
                format!("{}: the line has no time", index.position(offset)),
            )
            .at_byte(offset),
        );
    }
    let body = if name == "DummyInput" || name.is_empty() {
        Vec::new()
    } else {
        // A list repeats its key per item, so output can outgrow the line; it is capped.
        let budget = ENVELOPE_OVERHEAD + line.len() * 16;
        let (body, complete) = envelope(&name, node.as_ref(), budget);
        if !complete {
            diagnostics.push(
                Diagnostic::new(
                    Severity::Error,
                    Source::Text,
                    "log-literal-too-large",
                    format!(
                        "{}: the logged {name} expands beyond {budget} bytes of XML; the rest is cut",
                        index.position(offset + literal_at)
                    ),
                )
                .at_byte(offset + literal_at),
            );
        }
        body
    };
    Some(Logged { from_cpe, name, time, body, diagnostics })
}

const ENVELOPE_OVERHEAD: usize = 1024;

/// The canonical envelope of a logged message (CWMP 1.0, enodebd's namespace), and whether it fit
/// in `budget` bytes (elements beyond it are left out).
fn envelope(name: &str, node: Option<&PyNode>, budget: usize) -> (Vec<u8>, bool) {
    let mut xml = Xml { text: String::with_capacity(1024), budget, complete: true };
    xml.push_str(
        "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" \
         xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\" \
         xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"><soapenv:Header/><soapenv:Body>",
    );
    if name == "Fault" {
        xml.push_str(
            "<soapenv:Fault><faultcode>Client</faultcode><faultstring>CWMP fault</faultstring>\
             <detail>",
        );
        element(&mut xml, "cwmp:Fault", node);
        xml.push_str("</detail></soapenv:Fault>");
    } else {
        element(&mut xml, &format!("cwmp:{name}"), node);
    }
    xml.push_str("</soapenv:Body></soapenv:Envelope>");
    (xml.text.into_bytes(), xml.complete)
}

/// The XML being written, and what it may still grow by.
struct Xml {
    text: String,
    budget: usize,
    complete: bool,
}

impl Xml {
    fn push_str(&mut self, part: &str) {
        self.text.push_str(part);
    }

    fn over_budget(&mut self) -> bool {
        if self.text.len() > self.budget {
            self.complete = false;
        }
        !self.complete
    }
}

/// Fields of type dateTime, which Python prints with a space where XML Schema has a `T`.
const DATE_TIME_FIELDS: [&str; 3] = ["CurrentTime", "StartTime", "CompleteTime"];

fn element(xml: &mut Xml, name: &str, node: Option<&PyNode>) {
    if xml.over_budget() {
        return;
    }
    let Some(node) = node else {
        xml.push_str(&format!("<{name}/>"));
        return;
    };
    match &node.value {
        PyValue::List(items) => {
            // A list under a key repeats the element.
            for item in items {
                element(xml, name, Some(item));
            }
        }
        PyValue::Dict(entries) => {
            let mut attributes = String::new();
            let mut text = None;
            for (key, value) in entries {
                let PyValue::Str(key) = &key.value else { continue };
                match key.as_str() {
                    "arrayType" => {
                        let value = value.scalar_text().unwrap_or_default();
                        attributes.push_str(&format!(" soapenc:arrayType=\"{}\"", escape(&value)));
                    }
                    "type" => {
                        let value = value.scalar_text().unwrap_or_default();
                        attributes.push_str(&format!(" xsi:type=\"{}\"", escape(&value)));
                    }
                    "Data" => text = value.scalar_text(),
                    _ => {}
                }
            }
            xml.push_str(&format!("<{name}{attributes}>"));
            match text {
                Some(text) => xml.push_str(&escape(&text)),
                None => {
                    for (key, value) in entries {
                        let PyValue::Str(key) = &key.value else { continue };
                        if matches!(key.as_str(), "arrayType" | "type") || !is_xml_name(key) {
                            continue;
                        }
                        element(xml, key, Some(value));
                    }
                }
            }
            xml.push_str(&format!("</{name}>"));
        }
        _ => {
            let mut text = node.scalar_text().unwrap_or_default();
            let local = name.rsplit(':').next().unwrap_or(name);
            if DATE_TIME_FIELDS.contains(&local) && text.as_bytes().get(10) == Some(&b' ') {
                text.replace_range(10..11, "T");
            }
            xml.push_str(&format!("<{name}>{}</{name}>", escape(&text)));
        }
    }
}

fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Characters XML 1.0 cannot hold at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {
                out.push_str("&#xFFFD;");
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_envelopes() {
        let log = b"2022-04-25 15:41:22,773 DEBUG Sending TR069 message: SetParameterValues {'ParameterList': {'ParameterValueStruct': [{'Name': 'A.B', 'Value': {'type': 'xsd:boolean', 'Data': '1'}}], 'arrayType': 'cwmp:ParameterValueStruct[1]'}}";
        let index = TextIndex::new(log);
        let logged = read_line(log, 0, &index).unwrap();
        assert!(!logged.from_cpe);
        assert_eq!(logged.time.unwrap().to_string(), "2022-04-25T15:41:22.773000000");
        let body = String::from_utf8(logged.body).unwrap();
        assert!(body.contains(
            "<cwmp:SetParameterValues><ParameterList soapenc:arrayType=\"cwmp:ParameterValueStruct[1]\">\
             <ParameterValueStruct><Name>A.B</Name><Value xsi:type=\"xsd:boolean\">1</Value>\
             </ParameterValueStruct></ParameterList></cwmp:SetParameterValues>"
        ), "{body}");
    }

    #[test]
    fn python_times_become_xml_times() {
        let log = b"2022-04-25 15:41:22,773 DEBUG Handling TR069 message: Inform {'CurrentTime': '2022-04-25 09:41:17-06:00', 'Other': '2022-04-25 09:41:17'}";
        let logged = read_line(log, 0, &TextIndex::new(log)).unwrap();
        let body = String::from_utf8(logged.body).unwrap();
        assert!(body.contains("<CurrentTime>2022-04-25T09:41:17-06:00</CurrentTime>"), "{body}");
        assert!(body.contains("<Other>2022-04-25 09:41:17</Other>"), "{body}");
    }

    #[test]
    fn literal_problems_say_line_and_column() {
        let log = b"noise\n2022-04-25 15:41:22,773 DEBUG Handling TR069 message: Inform {'a': @}";
        let logged = read_line(&log[6..], 6, &TextIndex::new(log)).unwrap();
        let problem = &logged.diagnostics[0];
        assert!(problem.message.starts_with("line 2, column 68"), "{}", problem.message);
        assert_eq!(problem.location.byte_offset(), Some(73));
    }
}
