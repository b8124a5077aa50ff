//! What a viewer asks of decoded sessions: which match a filter, the rows it lists, the raw
//! message, the parameters a message names, and exports. The browser's decode worker answers
//! the Decode page with these, so that the page only renders.

use super::{Direction, Session, SessionMessage, conformance};
use crate::base::{Severity, Timestamp};
use crate::cwmp::{Envelope, Message};
use serde::{Deserialize, Serialize};

/// The Decode page's filter. Empty fields match everything; text matches without regard to case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    /// Part of the CPE's identity: manufacturer, OUI, product class, serial number
    /// (`OUI-ProductClass-Serial` too) or address.
    #[serde(default)]
    pub device: String,
    /// Part of an RPC name (`Inform`, `GetParameterValuesResponse`, `Fault`).
    #[serde(default)]
    pub rpc: String,
    /// Part of a parameter path a message names.
    #[serde(default)]
    pub parameter: String,
    /// A fault code a message carries.
    #[serde(default)]
    pub fault: Option<u32>,
    /// Messages with a diagnostic at least this serious.
    #[serde(default)]
    pub severity: Option<Severity>,
}

impl Filter {
    /// Reads the filter's text form (the Decode page's URL): `key:value` words with keys
    /// `device`, `rpc`, `parameter` (or `param`), `fault` and `severity`; a value with spaces in
    /// double quotes; words without a key are part of the device. Lenient: what does not parse
    /// (a fault code that is no number, a severity that is none) is left out.
    pub fn parse(text: &str) -> Filter {
        let mut filter = Filter::default();
        let mut device = Vec::new();
        let mut rest = text.trim_start();
        while !rest.is_empty() {
            let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let (key, value, next) = match rest[..word_end].split_once(':') {
                Some((key, value)) if value.starts_with('"') => {
                    let after_key = key.len() + 2;
                    let close = rest[after_key..].find('"').map_or(rest.len(), |i| after_key + i);
                    (Some(key), &rest[after_key..close], (close + 1).min(rest.len()))
                }
                Some((key, value)) => (Some(key), value, word_end),
                None => (None, &rest[..word_end], word_end),
            };
            match key.map(str::to_ascii_lowercase).as_deref() {
                Some("device") => filter.device = value.to_owned(),
                Some("rpc") => filter.rpc = value.to_owned(),
                Some("parameter" | "param") => filter.parameter = value.to_owned(),
                Some("fault") => filter.fault = value.trim().parse().ok(),
                Some("severity") => {
                    filter.severity = match value.to_ascii_lowercase().as_str() {
                        "info" => Some(Severity::Info),
                        "warning" => Some(Severity::Warning),
                        "error" => Some(Severity::Error),
                        _ => None,
                    }
                }
                _ => device.push(&rest[..word_end]),
            }
            rest = rest[next..].trim_start();
        }
        if filter.device.is_empty() {
            filter.device = device.join(" ");
        }
        filter
    }
}

impl std::fmt::Display for Filter {
    /// The text [`Filter::parse`] reads back.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut words = Vec::new();
        let quoted = |value: &str| {
            if value.contains(char::is_whitespace) {
                format!("\"{}\"", value.replace('"', ""))
            } else {
                value.to_owned()
            }
        };
        for (key, value) in
            [("device", &self.device), ("rpc", &self.rpc), ("parameter", &self.parameter)]
        {
            if !value.trim().is_empty() {
                words.push(format!("{key}:{}", quoted(value.trim())));
            }
        }
        if let Some(fault) = self.fault {
            words.push(format!("fault:{fault}"));
        }
        if let Some(severity) = self.severity {
            words.push(format!("severity:{}", severity.as_str()));
        }
        f.write_str(&words.join(" "))
    }
}

fn contains(haystack: &str, needle_lower: &str) -> bool {
    needle_lower.is_empty()
        || haystack.len() >= needle_lower.len()
            && haystack.to_ascii_lowercase().contains(needle_lower)
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// Whether any criterion is about messages (rather than the session's device).
    fn about_messages(&self) -> bool {
        !self.rpc.trim().is_empty()
            || !self.parameter.trim().is_empty()
            || self.fault.is_some()
            || self.severity.is_some()
    }

    fn device_matches(&self, session: &Session) -> bool {
        let needle = self.device.trim().to_ascii_lowercase();
        if needle.is_empty() {
            return true;
        }
        let address = session.cpe_address.map(|a| a.to_string()).unwrap_or_default();
        session.cpe.as_ref().is_some_and(|cpe| {
            [&cpe.manufacturer, &cpe.oui, &cpe.product_class, &cpe.serial_number]
                .iter()
                .any(|field| contains(field, &needle))
                || contains(
                    &format!("{}-{}-{}", cpe.oui, cpe.product_class, cpe.serial_number),
                    &needle,
                )
        }) || contains(&address, &needle)
    }

    /// Whether the message meets the message criteria (the device is the session's business).
    pub fn matches_message(&self, message: &SessionMessage) -> bool {
        let rpc = self.rpc.trim().to_ascii_lowercase();
        if !contains(&message.rpc, &rpc) {
            return false;
        }
        let parameter = self.parameter.trim().to_ascii_lowercase();
        if !parameter.is_empty()
            && !message
                .envelope
                .as_ref()
                .is_some_and(|e| parameter_paths(e).iter().any(|p| contains(p, &parameter)))
        {
            return false;
        }
        if let Some(fault) = self.fault
            && !conformance::fault_codes(message).contains(&fault)
        {
            return false;
        }
        if let Some(severity) = self.severity
            && !message.diagnostics.iter().any(|d| d.severity >= severity)
        {
            return false;
        }
        true
    }

    /// A session matches when its device does and, if the filter is about messages, one of its
    /// messages does.
    pub fn matches_session(&self, session: &Session) -> bool {
        self.device_matches(session)
            && (!self.about_messages() || session.messages.iter().any(|m| self.matches_message(m)))
    }
}

/// Every parameter or object path a message names, in order.
pub fn parameter_paths(envelope: &Envelope) -> Vec<&str> {
    match &envelope.message {
        Message::Inform(m) => m.parameter_list.iter().map(|p| &*p.name).collect(),
        Message::GetParameterValues(m) => {
            m.parameter_names.iter().map(crate::cwmp::Text::as_str).collect()
        }
        Message::GetParameterValuesResponse(m) => {
            m.parameter_list.iter().map(|p| &*p.name).collect()
        }
        Message::SetParameterValues(m) => m.parameter_list.iter().map(|p| &*p.name).collect(),
        Message::GetParameterNames(m) => vec![m.parameter_path.as_str()],
        Message::GetParameterNamesResponse(m) => {
            m.parameter_list.iter().map(|p| &*p.name).collect()
        }
        Message::GetParameterAttributes(m) => {
            m.parameter_names.iter().map(String::as_str).collect()
        }
        Message::GetParameterAttributesResponse(m) => {
            m.parameter_list.iter().map(|p| &*p.name).collect()
        }
        Message::SetParameterAttributes(m) => m.parameter_list.iter().map(|p| &*p.name).collect(),
        Message::AddObject(m) => vec![m.object_name.as_str()],
        Message::DeleteObject(m) => vec![m.object_name.as_str()],
        Message::Fault(fault) => fault
            .detail
            .iter()
            .flat_map(|d| d.set_parameter_values_faults.iter().map(|f| f.parameter_name.as_str()))
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether the Parameters page can open the message as a parameter set (it carries values).
pub fn carries_values(envelope: &Envelope) -> bool {
    matches!(
        envelope.message,
        Message::Inform(_)
            | Message::GetParameterValuesResponse(_)
            | Message::SetParameterValues(_)
            | Message::GetParameterNamesResponse(_)
            | Message::GetParameterAttributesResponse(_)
    )
}

/// One line of the session list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRow {
    /// The session's number (1-based, in the order sessions start).
    pub index: u32,
    /// `Manufacturer ProductClass · Serial`, or how the CPE is known otherwise.
    pub device: String,
    pub start: Option<Timestamp>,
    pub duration_ms: Option<f64>,
    pub events: Vec<String>,
    pub messages: usize,
    /// Messages that meet the filter's message criteria (all of them without such criteria).
    pub matching: usize,
    pub findings: usize,
    /// The most serious finding or diagnostic of the session's messages.
    pub worst: Option<Severity>,
    pub ended: bool,
    /// Whether it came over HTTP (pasted envelopes have no ending to judge).
    pub http: bool,
}

/// How a viewer names a session's device.
pub fn device_label(session: &Session) -> String {
    match &session.cpe {
        Some(cpe) if !cpe.serial_number.is_empty() || !cpe.product_class.is_empty() => {
            let maker = [cpe.manufacturer.as_str(), cpe.product_class.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            format!("{maker} · {}", cpe.serial_number)
        }
        _ => match session.cpe_address {
            Some(address) => format!("unknown CPE at {}", address.ip()),
            None => "unknown CPE (no Inform)".into(),
        },
    }
}

impl SessionRow {
    pub fn of(session: &Session, filter: &Filter) -> SessionRow {
        let worst = session
            .findings
            .iter()
            .chain(session.messages.iter().flat_map(|m| &m.diagnostics))
            .map(|d| d.severity)
            .max();
        SessionRow {
            index: session.index,
            device: device_label(session),
            start: session.start,
            duration_ms: session.duration_ms,
            events: session.events.clone(),
            messages: session.messages.len(),
            matching: session.messages.iter().filter(|m| filter.matches_message(m)).count(),
            findings: session.findings.len(),
            worst,
            ended: session.ended,
            http: !session.connections.is_empty(),
        }
    }
}

/// One line of a session's timeline: a SOAP message, or an HTTP exchange without SOAP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineRow {
    /// The message's index in the session (`None` for an exchange).
    pub message: Option<usize>,
    pub offset_ms: Option<f64>,
    pub direction: Direction,
    /// The RPC, or the exchange's `POST /acs` / `204 No Content`.
    pub what: String,
    /// `cwmp:ID`, or the exchange's kind (`empty-post`, `session-end`, …).
    pub detail: String,
    pub diagnostics: usize,
    pub worst: Option<Severity>,
    /// Whether it meets the filter (exchanges meet it when the filter is not about messages).
    pub matches: bool,
}

/// The session's messages and exchanges, interleaved by time (untimed rows keep their order).
pub fn timeline(session: &Session, filter: &Filter) -> Vec<TimelineRow> {
    let about_messages = filter.about_messages();
    let mut rows: Vec<(Option<Timestamp>, TimelineRow)> = session
        .messages
        .iter()
        .enumerate()
        .map(|(index, m)| {
            let row = TimelineRow {
                message: Some(index),
                offset_ms: m.offset_ms,
                direction: m.direction,
                what: m.rpc.to_string(),
                detail: m.cwmp_id.as_deref().unwrap_or_default().to_owned(),
                diagnostics: m.diagnostics.len(),
                worst: m.diagnostics.iter().map(|d| d.severity).max(),
                matches: filter.matches_message(m),
            };
            (m.time, row)
        })
        .chain(session.exchanges.iter().map(|e| {
            let row = TimelineRow {
                message: None,
                offset_ms: session.start.zip(e.time).map(|(s, t)| s.millis_until(t)),
                direction: e.direction,
                what: e.summary.clone(),
                detail: e.kind.clone(),
                diagnostics: e.diagnostics.len(),
                worst: e.diagnostics.iter().map(|d| d.severity).max(),
                matches: !about_messages,
            };
            (e.time, row)
        }))
        .collect();
    rows.sort_by_key(|(time, _)| *time);
    rows.into_iter().map(|(_, row)| row).collect()
}

/// A message's body as XML, as it was sent.
pub fn message_xml(message: &SessionMessage) -> String {
    message.raw.body.to_string()
}

/// A session's messages as one text of envelopes, each after a comment saying what and when (the
/// Decode page reads such a text back as pasted envelopes).
pub fn session_xml(session: &Session) -> String {
    let mut out = String::new();
    let mut previous: Option<&str> = None;
    for (index, message) in session.messages.iter().enumerate() {
        // Envelopes sharing one body (several per HTTP message) are written once.
        if previous == Some(message.raw.body.as_str()) {
            continue;
        }
        previous = Some(message.raw.body.as_str());
        let when = message.time.map(|t| format!(" {t}")).unwrap_or_default();
        out.push_str(&format!(
            "<!-- {}. {} {}{when} -->\n",
            index + 1,
            message.direction.arrow(),
            message.rpc.replace("--", "- -")
        ));
        out.push_str(message.raw.body.trim_end());
        out.push('\n');
    }
    out
}

/// A file name for an export: `session-3-00085D-6867i-SERIAL` and the like.
pub fn export_name(session: &Session, message: Option<usize>, extension: &str) -> String {
    let device =
        session.cpe.as_ref().map(|c| format!("-{}-{}", c.oui, c.serial_number)).unwrap_or_default();
    let clean: String = device
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
        .collect();
    match message {
        Some(index) => {
            let rpc = session.messages.get(index).map(|m| &*m.rpc).unwrap_or("message");
            format!("session-{}{clean}-{}-{rpc}.{extension}", session.index, index + 1)
        }
        None => format!("session-{}{clean}.{extension}", session.index),
    }
}
