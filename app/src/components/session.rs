//! Sessions found in an input: a list, one session's timeline, one message's detail.

use crate::components::envelope::EnvelopeView;
use crate::components::keys::move_in_list;
use crate::components::millis;
use cwmpkit_core::session::conformance;
use cwmpkit_core::session::{Direction, Exchange, Report, Session, SessionMessage};
use cwmpkit_core::{Diagnostic, Location, Severity, Timestamp};
use leptos::prelude::*;

/// Which message the user is looking at: (session index, message index), in the URL.
pub type Selection = crate::links::MessageSelection;

fn severity_class(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "info",
        Severity::Warning => "warning",
        Severity::Error => "error",
    }
}

fn arrow(direction: Direction) -> &'static str {
    match direction {
        Direction::CpeToAcs => "CPE → ACS",
        Direction::AcsToCpe => "ACS → CPE",
    }
}

fn offset_text(offset_ms: Option<f64>) -> String {
    offset_ms.map(|ms| format!("+{} ms", millis::whole(ms))).unwrap_or_default()
}

/// The header of a report: what the input was and what is in it.
#[component]
pub fn ReportSummary(report: Report) -> impl IntoView {
    let messages: usize = report.sessions.iter().map(|s| s.messages.len()).sum();
    let kind = serde_json::to_value(report.input)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let tls = report.tls.into_iter().map(|t| {
        let sni = t.sni.clone().unwrap_or_else(|| "no SNI".into());
        view! {
            <li class="diagnostic info">
                <span class="diagnostic-code">"TLS"</span>
                {format!(" {} ↔ {} ({sni}): encrypted, not decodable", t.client, t.server)}
            </li>
        }
    });
    let capture_notes = report.diagnostics.into_iter().map(|d| {
        let at = d.location.byte_offset().map(|o| format!(" · byte {o}")).unwrap_or_default();
        view! {
            <li class=format!("diagnostic {}", severity_class(d.severity))>
                <span class="diagnostic-code">{d.code}</span>" "{d.message}
                <span class="diagnostic-where">{at}</span>
            </li>
        }
    });
    let requests = report.connection_requests.len() + report.udp_connection_requests.len();
    view! {
        <p id="report-summary" class="report-summary">
            <span class="badge">{kind}</span>
            {format!(
                " {} session{}, {} SOAP message{}{}",
                report.sessions.len(),
                if report.sessions.len() == 1 { "" } else { "s" },
                messages,
                if messages == 1 { "" } else { "s" },
                if requests > 0 { format!(", {requests} connection request(s)") } else { String::new() },
            )}
        </p>
        <ul class="diagnostics">{tls.collect_view()}{capture_notes.collect_view()}</ul>
    }
}

#[component]
pub fn SessionCard(session: Session, index: usize, selection: Selection) -> impl IntoView {
    let cpe = session
        .cpe
        .as_ref()
        .map(|c| format!("{} {} · {}", c.manufacturer, c.product_class, c.serial_number))
        .unwrap_or_else(|| "unknown CPE (no Inform)".into());
    let when = session.start.map(|t| t.to_string()).unwrap_or_default();
    let duration =
        session.duration_ms.map(|ms| format!(" · {} ms", millis::whole(ms))).unwrap_or_default();
    let findings = session.findings.len();
    let events = session.events.join(", ");
    let selected = move || selection.get().0 == index;
    view! {
        <li
            class="session-card"
            class:selected=selected
            aria-current=move || selected().then_some("true")
            data-nav
            tabindex=move || if selected() { "0" } else { "-1" }
            on:click=move |_| selection.set((index, 0))
            on:keydown=move |ev| {
                if ev.key() == "Enter" || ev.key() == " " {
                    ev.prevent_default();
                    selection.set((index, 0));
                }
            }
        >
            <strong class="session-cpe">{cpe}</strong>
            <span class="meta">{format!("{when}{duration}")}</span>
            <span class="meta">{events}</span>
            <span class="meta">
                {format!("{} messages", session.messages.len())}
                {
                    // Pasted envelopes carry no HTTP, so there is no ending to judge.
                    (!session.ended && !session.connections.is_empty())
                        .then_some(" · not ended cleanly")
                }
                {(findings > 0).then(|| format!(" · {findings} finding(s)"))}
            </span>
        </li>
    }
}

/// A line of the timeline: a SOAP message (selectable) or a bare HTTP exchange.
enum TimelineRow {
    Message(usize, Box<SessionMessage>),
    Exchange(Box<Exchange>),
}

impl TimelineRow {
    fn time(&self) -> Option<Timestamp> {
        match self {
            TimelineRow::Message(_, m) => m.time,
            TimelineRow::Exchange(e) => e.time,
        }
    }
}

/// One session's messages and HTTP exchanges, interleaved by time.
#[component]
pub fn SessionTimeline(session: Session, index: usize, selection: Selection) -> impl IntoView {
    let start = session.start;
    let mut rows: Vec<TimelineRow> = session
        .messages
        .into_iter()
        .enumerate()
        .map(|(position, message)| TimelineRow::Message(position, Box::new(message)))
        .chain(session.exchanges.into_iter().map(|e| TimelineRow::Exchange(Box::new(e))))
        .collect();
    // Stable: rows without a time (bare SOAP) keep their order.
    rows.sort_by_key(|row| row.time());
    let rows = rows.into_iter().map(move |row| match row {
        TimelineRow::Message(position, message) => {
            let worst = message.diagnostics.iter().map(|d| d.severity).max();
            let badge = worst.map(|s| {
                view! {
                    <span class=format!("badge {}", severity_class(s))>
                        {message.diagnostics.len()}
                    </span>
                }
            });
            let selected = move || selection.get() == (index, position);
            view! {
                <tr
                    class="timeline-row"
                    class:selected=selected
                    aria-current=move || selected().then_some("true")
                    data-nav
                    tabindex=move || if selected() { "0" } else { "-1" }
                    on:click=move |_| selection.set((index, position))
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" || ev.key() == " " {
                            ev.prevent_default();
                            selection.set((index, position));
                        }
                    }
                >
                    <td class="meta">{offset_text(message.offset_ms)}</td>
                    <td class="direction">{arrow(message.direction)}</td>
                    <td class="rpc">{message.rpc.clone()}</td>
                    <td class="meta">{message.cwmp_id.clone().unwrap_or_default()}</td>
                    <td>{badge}</td>
                </tr>
            }
            .into_any()
        }
        TimelineRow::Exchange(exchange) => {
            let offset = match (start, exchange.time) {
                (Some(s), Some(t)) => Some(s.millis_until(t)),
                _ => None,
            };
            view! {
                <tr class="exchange-row">
                    <td class="meta">{offset_text(offset)}</td>
                    <td class="direction">{arrow(exchange.direction)}</td>
                    <td>{exchange.summary}</td>
                    <td>{exchange.kind}</td>
                    <td></td>
                </tr>
            }
            .into_any()
        }
    });
    view! {
        <table id="timeline" class="timeline">
            <thead>
                <tr><th scope="col">"When"</th><th scope="col">"Direction"</th><th scope="col">"RPC"</th><th scope="col">"cwmp:ID"</th><th scope="col">"Findings"</th></tr>
            </thead>
            <tbody on:keydown=move |ev| { move_in_list(&ev); }>{rows.collect_view()}</tbody>
        </table>
        <FindingList findings=session.findings />
    }
}

#[component]
pub fn FindingList(findings: Vec<Diagnostic>) -> impl IntoView {
    (!findings.is_empty()).then(|| {
        view! {
            <h3 class="section-title">"Conformance"</h3>
            <ul id="findings" class="diagnostics">
                {findings
                    .into_iter()
                    .map(|f| {
                        let explanation = conformance::rule(&f.code).map(|rule| rule.explanation);
                        view! {
                            <li class=format!("diagnostic {}", severity_class(f.severity))>
                                <span class="diagnostic-code">{f.code.to_string()}</span>
                                " "
                                {f.message}
                                <div class="meta">
                                    {explanation}
                                    {f.clause.map(|clause| format!(" ({clause})"))}
                                </div>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
    })
}

#[component]
pub fn MessageDiagnostics(diagnostics: Vec<Diagnostic>) -> impl IntoView {
    (!diagnostics.is_empty()).then(|| {
        view! {
            <ul id="diagnostics" class="diagnostics">
                {diagnostics
                    .into_iter()
                    .map(|d| {
                        view! {
                            <li class=format!("diagnostic {}", severity_class(d.severity))>
                                <span class="diagnostic-code">{d.code}</span>
                                " "
                                {d.message}
                                <span class="diagnostic-where">
                                    {match d.location {
                                        Location::Input | Location::Message { .. } => None,
                                        location => Some(format!(" · {location}")),
                                    }}
                                    {format!(" · {}", d.source)}
                                    {d.clause.map(|c| format!(" · {c}"))}
                                </span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
    })
}

/// The whole report: summary, sessions, the selected session and message.
#[component]
pub fn ReportView(report: Report, selection: Selection) -> impl IntoView {
    let sessions = report.sessions.clone();
    let list = sessions
        .iter()
        .cloned()
        .enumerate()
        .map(|(index, session)| view! { <SessionCard session index selection /> })
        .collect_view();
    let sessions = std::sync::Arc::new(sessions);
    // The timeline is rebuilt when the session changes, not the message, so a
    // row keeps focus while the keyboard moves through it.
    let session_index = Memo::new(move |_| selection.get().0);
    let timeline = {
        let sessions = sessions.clone();
        move || {
            let index = session_index.get();
            let session = sessions.get(index)?.clone();
            Some(view! { <SessionTimeline session index selection /> })
        }
    };
    let detail = move || {
        let (session_index, message_index) = selection.get();
        let message = sessions.get(session_index)?.messages.get(message_index).cloned()?;
        let envelope = message
            .envelope
            .map(|envelope| view! { <EnvelopeView index=message_index envelope /> });
        Some(view! {
            <div class="message-detail">
                <MessageDiagnostics diagnostics=message.diagnostics />
                {envelope}
            </div>
        })
    };
    view! {
        <ReportSummary report />
        <ul id="sessions" class="session-list" aria-label="Sessions" on:keydown=move |ev| { move_in_list(&ev); }>{list}</ul>
        {timeline}
        {detail}
    }
}
