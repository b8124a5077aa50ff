//! Conformance checker: TR-069 session rules over decoded sessions.
//!
//! Each rule has a stable id, a severity, a plain explanation and the TR-069 (Issue 1
//! Amendment 6, CWMP 1.4) clause it comes from: §3.4 use of HTTP, §3.5 use of SOAP (header
//! elements, namespaces), §3.7 session procedures, Annex A the methods (§A.3 baseline, §A.4
//! optional, §A.5 fault codes). The facts behind the explanations are those of
//! `../shared/reference/cwmp.md`. Findings go to the session's `findings`, and also to the `diagnostics`
//! of the message at fault so that a timeline shows them in place.

use super::{Direction, Session, SessionMessage};
use crate::base::{Diagnostic, Location, Severity, Source};
use crate::cwmp::Message;
use std::collections::HashMap;

/// A conformance rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub explanation: &'static str,
    pub clause: &'static str,
}

pub const INFORM_NOT_FIRST: Rule = Rule {
    id: "inform-not-first",
    severity: Severity::Error,
    explanation: "A session must begin with the CPE's Inform; nothing else may come before it.",
    clause: "TR-069 §3.7.1.1 (session initiation)",
};
pub const INFORM_RESPONSE_MISSING: Rule = Rule {
    id: "inform-response-missing",
    severity: Severity::Error,
    explanation: "The ACS must answer an Inform with InformResponse before anything else.",
    clause: "TR-069 §A.3.3.1 (Inform)",
};
pub const MAX_ENVELOPES: Rule = Rule {
    id: "max-envelopes",
    severity: Severity::Warning,
    explanation: "InformResponse's MaxEnvelopes must be 1.",
    clause: "TR-069 §A.3.3.1 (Inform)",
};
pub const ID_NOT_ECHOED: Rule = Rule {
    id: "id-not-echoed",
    severity: Severity::Warning,
    explanation: "A response carries the cwmp:ID header of the request it answers.",
    clause: "TR-069 §3.5 (SOAP header ID)",
};
pub const RESPONSE_MISMATCH: Rule = Rule {
    id: "response-mismatch",
    severity: Severity::Error,
    explanation: "The answer to a method is its …Response (or a Fault).",
    clause: "TR-069 §A.3 and §A.4 (methods and their responses), §A.5 (faults)",
};
pub const SESSION_NOT_ENDED: Rule = Rule {
    id: "session-not-ended",
    severity: Severity::Warning,
    explanation: "A session ends when the CPE sends an empty POST and the ACS answers with an \
                  empty response (204), with no request pending either way.",
    clause: "TR-069 §3.7.1.4 (CPE) and §3.7.2.4 (ACS) session termination, §3.4.1 (empty POST, 204)",
};
pub const HOLD_REQUESTS: Rule = Rule {
    id: "request-while-hold-requests",
    severity: Severity::Error,
    explanation: "While the ACS's last message carried HoldRequests=true, the CPE must not send \
                  requests.",
    clause: "TR-069 §3.5 (SOAP header HoldRequests)",
};
pub const TRANSFER_COMPLETE_ORPHAN: Rule = Rule {
    id: "transfer-complete-without-transfer",
    severity: Severity::Warning,
    explanation: "TransferComplete reports on a Download or Upload with the same CommandKey; none \
                  was seen earlier in this input (it may predate the capture).",
    clause: "TR-069 §A.3.3.2 (TransferComplete)",
};
pub const FAULT_CODE: Rule = Rule {
    id: "fault-code-not-allowed",
    severity: Severity::Error,
    explanation: "CPE faults are 9000–9032 or vendor 9800–9899; ACS faults 8000–8006 or vendor \
                  8800–8899; TransferComplete may carry only 0, 9001, 9002, 9010–9012, 9014–9020.",
    clause: "TR-069 §A.5 (fault codes), §A.3.3.2 (TransferComplete faults)",
};
pub const REPEATED_401: Rule = Rule {
    id: "repeated-401",
    severity: Severity::Warning,
    explanation: "The CPE was challenged more than once in a row: its credentials are probably \
                  wrong.",
    clause: "TR-069 §3.4.4 (authentication)",
};
pub const CONTENT_LENGTH: Rule = Rule {
    id: "content-length-mismatch",
    severity: Severity::Error,
    explanation: "Content-Length must count the body's bytes exactly; peers that trust it cut or \
                  merge messages.",
    clause: "TR-069 §3.4.1 (encoding SOAP over HTTP); RFC 9112 §6.2 (Content-Length)",
};
pub const COOKIE_NOT_RETURNED: Rule = Rule {
    id: "cookie-not-returned",
    severity: Severity::Warning,
    explanation: "The CPE must return the cookies the ACS set, in every later request of the \
                  session.",
    clause: "TR-069 §3.4.2 (transaction sessions, cookies)",
};
pub const ARRAY_TYPE: Rule = Rule {
    id: "array-type-count-mismatch",
    severity: Severity::Warning,
    explanation: "An array's soap-enc:arrayType count must equal its number of items.",
    clause: "TR-069 §A.2.1 (data types, arrays)",
};
pub const UNKNOWN_NAMESPACE: Rule = Rule {
    id: "unknown-namespace",
    severity: Severity::Warning,
    explanation: "CWMP elements live in urn:dslforum-org:cwmp-1-0, -1-1 or -1-2.",
    clause: "TR-069 §3.5 (use of SOAP, namespaces)",
};

pub const RULES: [Rule; 14] = [
    INFORM_NOT_FIRST,
    INFORM_RESPONSE_MISSING,
    MAX_ENVELOPES,
    ID_NOT_ECHOED,
    RESPONSE_MISMATCH,
    SESSION_NOT_ENDED,
    HOLD_REQUESTS,
    TRANSFER_COMPLETE_ORPHAN,
    FAULT_CODE,
    REPEATED_401,
    CONTENT_LENGTH,
    COOKIE_NOT_RETURNED,
    ARRAY_TYPE,
    UNKNOWN_NAMESPACE,
];

/// The rule a finding's `code` names.
pub fn rule(code: &str) -> Option<Rule> {
    RULES.iter().copied().find(|rule| rule.id == code)
}

fn report(session: &mut Session, rule: Rule, message: String, index: Option<usize>) {
    let finding = Diagnostic::new(rule.severity, Source::Conformance, rule.id, message)
        .with_clause(rule.clause)
        .at(index.map_or(Location::Input, |index| Location::Message { index }));
    if let Some(m) = index.and_then(|i| session.messages.get_mut(i)) {
        m.diagnostics.push(finding.clone());
    }
    session.findings.push(finding);
}

fn is_response(rpc: &str) -> bool {
    rpc.ends_with("Response") || rpc == "Fault"
}

/// Runs every rule over the sessions (in time order; TransferComplete looks across sessions).
pub fn check(sessions: &mut [Session]) {
    // CommandKeys of Download/Upload requests seen so far, per CPE serial number.
    let mut transfers: HashMap<String, Vec<String>> = HashMap::new();
    for session in sessions.iter_mut() {
        check_session(session, &mut transfers);
    }
}

/// The facts the rules read off a message's typed envelope: MaxEnvelopes of an InformResponse,
/// the CommandKey of a transfer, and every fault code it carries.
fn max_envelopes(message: &SessionMessage) -> Option<u32> {
    match message.envelope.as_ref().map(|e| &e.message) {
        Some(Message::InformResponse(response)) => Some(response.max_envelopes),
        _ => None,
    }
}

fn command_key(message: &SessionMessage) -> Option<&str> {
    match message.envelope.as_ref().map(|e| &e.message)? {
        Message::Download(m) => Some(&m.command_key),
        Message::Upload(m) => Some(&m.command_key),
        Message::ScheduleDownload(m) => Some(&m.command_key),
        Message::TransferComplete(m) => Some(&m.command_key),
        _ => None,
    }
}

/// Every fault code a message carries (a Fault's, per-parameter ones, a transfer's).
pub(crate) fn fault_codes(message: &SessionMessage) -> Vec<u32> {
    match message.envelope.as_ref().map(|e| &e.message) {
        Some(Message::Fault(fault)) => fault
            .detail
            .iter()
            .flat_map(|d| {
                std::iter::once(d.fault_code)
                    .chain(d.set_parameter_values_faults.iter().map(|f| f.fault_code))
            })
            .collect(),
        Some(Message::TransferComplete(m)) => vec![m.fault_struct.fault_code],
        Some(Message::AutonomousTransferComplete(m)) => vec![m.fault_struct.fault_code],
        Some(Message::DUStateChangeComplete(m)) => {
            m.results.iter().map(|r| r.fault.fault_code).collect()
        }
        Some(Message::AutonomousDUStateChangeComplete(m)) => {
            m.results.iter().map(|r| r.fault.fault_code).collect()
        }
        _ => Vec::new(),
    }
}

/// Runs every rule over one session; `transfers` carries the CommandKeys of the Downloads and
/// Uploads of earlier sessions, per CPE serial number.
pub(crate) fn check_session(session: &mut Session, transfers: &mut HashMap<String, Vec<String>>) {
    let serial = session.cpe.as_ref().map(|c| c.serial_number.clone()).unwrap_or_default();
    let first_cpe =
        session.messages.iter().position(|m| m.direction == Direction::CpeToAcs && !m.challenged);
    if let Some(index) = first_cpe
        && session.messages[index].rpc != "Inform"
    {
        let rpc = session.messages[index].rpc.clone();
        report(session, INFORM_NOT_FIRST, format!("the session opens with {rpc}"), Some(index));
    }
    let mut pending: [Option<usize>; 2] = [None, None];
    let mut hold_requests = false;
    let mut findings = Vec::new();
    for (index, message) in session.messages.iter().enumerate() {
        if message.challenged {
            continue;
        }
        let side = usize::from(message.direction == Direction::AcsToCpe);
        let other = 1 - side;
        let rpc: &str = &message.rpc;
        if is_response(rpc) {
            match pending[other].take() {
                Some(request_index) => {
                    let request = &session.messages[request_index];
                    // `{request}Response`, compared without building it.
                    let answers = rpc.strip_suffix("Response") == Some(&*request.rpc);
                    if !answers && rpc != "Fault" {
                        let rule = if request.rpc == "Inform" {
                            INFORM_RESPONSE_MISSING
                        } else {
                            RESPONSE_MISMATCH
                        };
                        findings.push((
                            rule,
                            format!("{} answered with {rpc}", request.rpc),
                            index,
                        ));
                    }
                    if let Some(id) = &request.cwmp_id
                        && message.cwmp_id.as_ref() != Some(id)
                    {
                        findings.push((
                            ID_NOT_ECHOED,
                            format!(
                                "request ID {id:?}, response ID {:?}",
                                message.cwmp_id.as_deref().unwrap_or("(none)")
                            ),
                            index,
                        ));
                    }
                }
                None => {
                    if rpc != "Fault" {
                        findings.push((
                            RESPONSE_MISMATCH,
                            format!("{rpc} answers no pending request"),
                            index,
                        ));
                    }
                }
            }
        } else {
            if message.direction == Direction::CpeToAcs && hold_requests {
                findings.push((
                    HOLD_REQUESTS,
                    format!("{rpc} sent while HoldRequests is true"),
                    index,
                ));
            }
            if let Some(unanswered) = pending[side].replace(index) {
                let previous = &session.messages[unanswered];
                let rule = if previous.rpc == "Inform" {
                    INFORM_RESPONSE_MISSING
                } else {
                    RESPONSE_MISMATCH
                };
                findings.push((
                    rule,
                    format!("{} never answered before {rpc}", previous.rpc),
                    unanswered,
                ));
            }
        }
        if message.direction == Direction::AcsToCpe {
            hold_requests = message.hold_requests.unwrap_or(false);
        }
        if let Some(max) = max_envelopes(message)
            && max != 1
        {
            findings.push((MAX_ENVELOPES, format!("MaxEnvelopes is {max}"), index));
        }
        for code in fault_codes(message) {
            if !fault_code_allowed(rpc, message.direction, code) {
                findings.push((FAULT_CODE, format!("fault code {code} in {rpc}"), index));
            }
        }
        for (path, said) in &message.facts.array_mismatches {
            findings.push((ARRAY_TYPE, format!("{path}: {said}"), index));
        }
        if let Some(said) = &message.facts.foreign_namespace
            && !rpc.starts_with("X_")
        {
            findings.push((UNKNOWN_NAMESPACE, said.clone(), index));
        }
        if matches!(rpc, "Download" | "Upload" | "ScheduleDownload") {
            let key = command_key(message).unwrap_or_default().to_string();
            transfers.entry(serial.clone()).or_default().push(key);
        }
        if rpc == "TransferComplete" {
            let key = command_key(message).unwrap_or_default();
            let known = transfers.get(&serial).is_some_and(|keys| keys.iter().any(|k| k == key));
            if !known {
                findings.push((
                    TRANSFER_COMPLETE_ORPHAN,
                    format!("no Download/Upload with CommandKey {key:?} before it"),
                    index,
                ));
            }
        }
        if message.diagnostics.iter().any(|d| d.code == "content-length-mismatch") {
            findings.push((CONTENT_LENGTH, format!("{rpc}: Content-Length is wrong"), index));
        }
    }
    // Without HTTP context (pasted envelopes) the input may simply stop before the answer.
    let has_http_context = !session.connections.is_empty();
    for (side, unanswered) in pending.iter().enumerate() {
        if let Some(index) = *unanswered
            && has_http_context
        {
            let rpc = &session.messages[index].rpc;
            if rpc == "Inform" {
                findings.push((INFORM_RESPONSE_MISSING, "Inform never answered".into(), index));
            } else if side == 1 || session.ended {
                findings.push((RESPONSE_MISMATCH, format!("{rpc} never answered"), index));
            }
        }
    }
    for (rule, message, index) in findings {
        report(session, rule, message, Some(index));
    }
    // A correct Basic/Digest flow needs one challenge per session; more means failed retries.
    let challenges = session.exchanges.iter().filter(|e| e.status == Some(401)).count();
    if challenges > 1 {
        report(session, REPEATED_401, format!("{challenges} 401 challenges in one session"), None);
    }
    let exchange_length_problems = session
        .exchanges
        .iter()
        .filter(|e| e.diagnostics.iter().any(|d| d.code == "content-length-mismatch"))
        .count();
    if exchange_length_problems > 0 {
        report(
            session,
            CONTENT_LENGTH,
            format!(
                "{exchange_length_problems} HTTP message(s) without SOAP have a wrong Content-Length"
            ),
            None,
        );
    }
    if !session.connections.is_empty() && !session.ended {
        report(
            session,
            SESSION_NOT_ENDED,
            "no empty POST answered by an empty response".into(),
            None,
        );
    }
    if !session.missing_cookies.is_empty() {
        let names = session.missing_cookies.join(", ");
        report(session, COOKIE_NOT_RETURNED, format!("cookie(s) {names} not sent back"), None);
    }
}

fn fault_code_allowed(rpc: &str, direction: Direction, code: u32) -> bool {
    if rpc == "TransferComplete" || rpc == "AutonomousTransferComplete" {
        return matches!(code, 0 | 9001 | 9002 | 9010..=9012 | 9014..=9020);
    }
    match direction {
        Direction::CpeToAcs => matches!(code, 9000..=9032 | 9800..=9899),
        Direction::AcsToCpe => matches!(code, 8000..=8006 | 8800..=8899),
    }
}
