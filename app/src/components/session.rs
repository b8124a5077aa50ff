//! The Decode page's three panes: the sessions and the selected session's timeline (virtual
//! lists, `virtual_list`: only a window of rows around the view is in the page), and the selected
//! message. They render what the decode
//! worker answered; choosing a row changes the URL, which the page turns into requests.

use crate::components::envelope::EnvelopeView;
use crate::components::files::{PickedFile, download};
use crate::components::millis;
use crate::components::raw_xml::RawXml;
use crate::components::virtual_list::Windowing;
use crate::decode::protocol::{Format, MessageDetail, Request};
use crate::links;
use crate::workspace::{Kind, Workspace};
use cwmpkit_core::session::conformance;
use cwmpkit_core::session::query::{SessionRow, TimelineRow};
use cwmpkit_core::{Diagnostic, Severity};
use leptos::prelude::*;

pub fn severity_class(severity: Option<Severity>) -> &'static str {
    match severity {
        Some(Severity::Info) => "info",
        Some(Severity::Warning) => "warning",
        Some(Severity::Error) => "error",
        None => "",
    }
}

pub fn offset_text(offset_ms: Option<f64>) -> String {
    offset_ms.map(|ms| format!("+{} ms", millis::whole(ms))).unwrap_or_default()
}

/// Height of a session row, in pixels (the list places rows by it).
pub const SESSION_ROW_PX: usize = 66;
/// Height of a timeline row, in pixels.
pub const TIMELINE_ROW_PX: usize = 30;
/// The Decode page's session list: about 14 rows in view.
pub const SESSION_LIST: Windowing = Windowing { row_px: SESSION_ROW_PX, window: 120 };
/// The Decode page's timeline: about 14 rows in view; a session may hold thousands.
pub const TIMELINE_LIST: Windowing = Windowing { row_px: TIMELINE_ROW_PX, window: 60 };

/// One row of the session list.
#[component]
pub fn SessionCard(
    row: SessionRow,
    /// Its position in the filtered list (where the list places it).
    position: usize,
    selected: Signal<Option<u32>>,
    on_select: Callback<u32>,
) -> impl IntoView {
    let index = row.index;
    let when = row.start.map(|t| t.to_string()).unwrap_or_default();
    let duration =
        row.duration_ms.map(|ms| format!(" · {} ms", millis::whole(ms))).unwrap_or_default();
    let counts = if row.matching == row.messages {
        format!("{} messages", row.messages)
    } else {
        format!("{} of {} messages", row.matching, row.messages)
    };
    let ending = (!row.ended && row.http).then_some(" · not ended cleanly");
    let findings = (row.findings > 0).then(|| {
        view! {
            <span class=format!("badge {}", severity_class(row.worst))>
                {format!("{} finding(s)", row.findings)}
            </span>
        }
    });
    view! {
        <li
            class="session-card"
            class:selected=move || selected.get() == Some(index)
            aria-current=move || (selected.get() == Some(index)).then_some("true")
            style=format!("top: {}px", position * SESSION_ROW_PX)
            data-session=index
            on:click=move |_| on_select.run(index)
        >
            <strong class="session-cpe">{format!("{index}. {}", row.device)}</strong>
            <span class="meta">{format!("{when}{duration}")}{format!(" · {}", row.events.join(", "))}</span>
            <span class="meta">{counts}{ending}" "{findings}</span>
        </li>
    }
}

/// One row of the timeline: a SOAP message (selectable) or an HTTP exchange.
#[component]
pub fn TimelineLine(
    row: TimelineRow,
    position: usize,
    selected: Signal<Option<usize>>,
    on_select: Callback<usize>,
) -> impl IntoView {
    let top = format!("top: {}px", position * TIMELINE_ROW_PX);
    let badge = (row.diagnostics > 0).then(|| {
        view! { <span class=format!("badge {}", severity_class(row.worst))>{row.diagnostics}</span> }
    });
    match row.message {
        Some(index) => view! {
            <div
                class="timeline-row"
                class:selected=move || selected.get() == Some(index)
                aria-current=move || (selected.get() == Some(index)).then_some("true")
                class:unmatched=!row.matches
                style=top
                data-message=index
                on:click=move |_| on_select.run(index)
            >
                <span class="meta when">{offset_text(row.offset_ms)}</span>
                <span class="direction">{row.direction.arrow()}</span>
                <span class="rpc">{row.what}</span>
                <span class="meta id">{row.detail}</span>
                {badge}
            </div>
        }
        .into_any(),
        None => view! {
            <div class="exchange-row" class:unmatched=!row.matches style=top>
                <span class="meta when">{offset_text(row.offset_ms)}</span>
                <span class="direction">{row.direction.arrow()}</span>
                <span>{row.what}</span>
                <span class="meta id">{row.detail}</span>
                {badge}
            </div>
        }
        .into_any(),
    }
}

/// Findings shown in full for each code; the rest of a code's findings are counted and their
/// messages listed, so that a session with thousands of identical findings puts a few dozen
/// lines in the page, not thousands.
const FINDINGS_SHOWN_PER_CODE: usize = 5;

/// Messages listed for the findings of a code that are not shown in full.
const MESSAGES_LISTED: usize = 12;

/// The findings of one code, in the order the session raised them.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingGroup {
    /// The first findings of the code, shown in full.
    pub shown: Vec<Diagnostic>,
    /// How many more findings of the code there are.
    pub more: usize,
    /// The message indexes of the first of those (at most [`MESSAGES_LISTED`]).
    pub more_messages: Vec<usize>,
}

/// Groups `findings` by code, the groups in order of each code's first finding.
pub fn group_findings(findings: Vec<Diagnostic>, shown_per_code: usize) -> Vec<FindingGroup> {
    let mut groups: Vec<FindingGroup> = Vec::new();
    for finding in findings {
        let group = match groups.iter().position(|g| g.shown[0].code == finding.code) {
            Some(at) => &mut groups[at],
            None => {
                groups.push(FindingGroup { shown: Vec::new(), more: 0, more_messages: Vec::new() });
                groups.last_mut().expect("just pushed")
            }
        };
        if group.shown.len() < shown_per_code.max(1) {
            group.shown.push(finding);
        } else {
            group.more += 1;
            if let Some(index) = finding.location.message_index()
                && group.more_messages.len() < MESSAGES_LISTED
            {
                group.more_messages.push(index);
            }
        }
    }
    groups
}

#[component]
pub fn FindingList(findings: Vec<Diagnostic>) -> impl IntoView {
    (!findings.is_empty()).then(|| {
        let total = findings.len();
        let title = if total == 1 { "1 finding".to_owned() } else { format!("{total} findings") };
        view! {
            <h3 class="section-title">"Conformance · "{title}</h3>
            <ul id="findings" class="diagnostics">
                {group_findings(findings, FINDINGS_SHOWN_PER_CODE)
                    .into_iter()
                    .map(|group| {
                        let more = (group.more > 0).then(|| more_findings_line(&group));
                        let shown = group.shown.into_iter().map(finding_line).collect_view();
                        view! { {shown}{more} }
                    })
                    .collect_view()}
            </ul>
        }
    })
}

/// A finding in full: its rule's explanation and clause, and the message it is about.
fn finding_line(finding: Diagnostic) -> impl IntoView {
    let explanation = conformance::rule(&finding.code).map(|r| r.explanation).unwrap_or_default();
    let clause = finding.clause.clone().unwrap_or_default();
    let at = finding.location.message_index().map(|i| format!(" · message {}", i + 1));
    view! {
        <li class=format!("diagnostic {}", finding.severity)>
            <span class="diagnostic-code">{finding.code.to_string()}</span>
            " "
            {finding.message}
            <span class="diagnostic-where">{at}</span>
            <div class="meta">{explanation}" ("{clause.to_string()}")"</div>
        </li>
    }
}

/// The findings of a group not shown in full: how many, and the first messages they are in.
fn more_findings_line(group: &FindingGroup) -> impl IntoView + use<> {
    let first = &group.shown[0];
    let mut messages: Vec<String> =
        group.more_messages.iter().map(|i| (i + 1).to_string()).collect();
    if group.more > group.more_messages.len() {
        messages.push("…".to_owned());
    }
    let listed = (!messages.is_empty()).then(|| format!(" · messages {}", messages.join(", ")));
    view! {
        <li class=format!("diagnostic more {}", first.severity)>
            {format!("{} more ", group.more)}
            <span class="diagnostic-code">{first.code.to_string()}</span>
            <span class="diagnostic-where">{listed}</span>
        </li>
    }
}

#[component]
pub fn MessageDiagnostics(diagnostics: Vec<Diagnostic>) -> impl IntoView {
    (!diagnostics.is_empty()).then(|| {
        view! {
            <ul id="diagnostics" class="diagnostics">
                {diagnostics
                    .into_iter()
                    .map(|d| {
                        let at = (!d.location.is_input()).then(|| format!(" · {}", d.location));
                        view! {
                            <li class=format!("diagnostic {}", d.severity)>
                                <span class="diagnostic-code">{d.code.to_string()}</span>
                                " "
                                {d.message}
                                <span class="diagnostic-where">
                                    {format!(" · {}", d.source)}
                                    {at}
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

/// What the detail pane can ask the page for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetailAction {
    ExportMessageXml,
    ExportMessageJson,
    ExportSessionXml,
    ExportSessionJson,
    OpenParameters,
}

impl DetailAction {
    /// The worker's request for this action on `message` of `session`.
    pub fn request(self, session: u32, message: usize) -> Request {
        let (message, format, for_parameters) = match self {
            DetailAction::ExportMessageXml => (Some(message), Format::Xml, false),
            DetailAction::ExportMessageJson => (Some(message), Format::Json, false),
            DetailAction::ExportSessionXml => (None, Format::Xml, false),
            DetailAction::ExportSessionJson => (None, Format::Json, false),
            DetailAction::OpenParameters => (Some(message), Format::Xml, true),
        };
        Request::Export { session, message, format, for_parameters }
    }
}

/// What the worker exported: a download, or (`for_parameters`) a parameter set of the
/// workspace that `open_page` opens on the Parameters page.
pub fn deliver_export(
    workspace: Workspace,
    open_page: impl Fn(&str) + 'static,
    name: String,
    mime: String,
    text: String,
    for_parameters: bool,
) {
    if for_parameters {
        let files = vec![PickedFile { name: name.clone(), bytes: text.into_bytes() }];
        leptos::task::spawn_local(async move {
            if let Ok(entry) = workspace.create(Kind::ParameterSet, &name, files, "{}").await {
                open_page(&links::item(Kind::ParameterSet, entry.id));
            }
        });
    } else {
        let _ = download(&name, text.as_bytes(), &mime);
    }
}

/// The message pane of the worker's answer (`MessageDetail` as JSON).
pub fn message_pane_of_json(json: &str, on_action: Callback<DetailAction>) -> AnyView {
    match serde_json::from_str::<MessageDetail>(json) {
        Ok(detail) => view! { <MessagePane detail on_action /> }.into_any(),
        Err(error) => view! {
            <div class="error-box" role="alert">{format!("the decoder's answer is unreadable: {error}")}</div>
        }
        .into_any(),
    }
}

/// The selected message: its checks, its structure, its raw XML with the HTTP head.
#[component]
pub fn MessagePane(detail: MessageDetail, on_action: Callback<DetailAction>) -> impl IntoView {
    let MessageDetail { message, rpc, diagnostics, envelope, head, lines, carries_values, .. } =
        detail;
    let structure = match envelope {
        Some(envelope) => view! { <EnvelopeView index=message envelope /> }.into_any(),
        None => view! {
            <article class="envelope">
                <h2 class="rpc-name">{rpc}</h2>
                <p class="envelope-meta">"The codec could not read this body; its raw XML is below."</p>
            </article>
        }
        .into_any(),
    };
    let button = move |id: &'static str, label: &'static str, action: DetailAction| {
        view! {
            <button id=id class="button secondary small" on:click=move |_| on_action.run(action)>
                {label}
            </button>
        }
    };
    view! {
        <div class="message-detail">
            <div class="detail-actions">
                {button("export-message-xml", "Message XML", DetailAction::ExportMessageXml)}
                {button("export-message-json", "Message JSON", DetailAction::ExportMessageJson)}
                {button("export-session-xml", "Session XML", DetailAction::ExportSessionXml)}
                {button("export-session-json", "Session JSON", DetailAction::ExportSessionJson)}
                {carries_values.then(|| {
                    button("open-parameters", "Open these parameters", DetailAction::OpenParameters)
                })}
            </div>
            <MessageDiagnostics diagnostics />
            {structure}
            <details id="raw-message" class="raw-message" open=true>
                <summary>"Raw message"</summary>
                {head.map(|head| view! { <pre id="http-head" class="http-head">{head}</pre> })}
                <RawXml lines />
            </details>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cwmpkit_core::{Location, Source};

    fn finding(code: &'static str, message: usize) -> Diagnostic {
        Diagnostic::new(
            Severity::Warning,
            Source::Conformance,
            code,
            format!("{code} at {message}"),
        )
        .at(Location::Message { index: message })
    }

    #[test]
    fn findings_are_grouped_by_code_in_order_of_first_appearance() {
        let findings = vec![finding("b", 0), finding("a", 1), finding("b", 2), finding("a", 3)];
        let groups = group_findings(findings.clone(), 5);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].shown, vec![findings[0].clone(), findings[2].clone()]);
        assert_eq!(groups[1].shown, vec![findings[1].clone(), findings[3].clone()]);
        assert!(groups.iter().all(|g| g.more == 0 && g.more_messages.is_empty()));
    }

    #[test]
    fn thousands_of_one_code_show_a_few_and_count_the_rest() {
        let findings: Vec<Diagnostic> = (0..2501).map(|k| finding("same", 3 + 2 * k)).collect();
        let groups = group_findings(findings, 5);
        assert_eq!(groups.len(), 1);
        let group = &groups[0];
        assert_eq!(group.shown.len(), 5);
        assert_eq!(group.shown[4].location.message_index(), Some(11));
        assert_eq!(group.more, 2496, "nothing lost from the count");
        assert_eq!(group.more_messages.len(), MESSAGES_LISTED);
        assert_eq!(group.more_messages[0], 13, "the first not shown comes next");
    }

    #[test]
    fn at_least_one_finding_of_each_code_is_shown() {
        let groups = group_findings(vec![finding("x", 0), finding("x", 1)], 0);
        assert_eq!(groups[0].shown.len(), 1);
        assert_eq!(groups[0].more, 1);
        assert_eq!(groups[0].more_messages, vec![1]);
    }
}
