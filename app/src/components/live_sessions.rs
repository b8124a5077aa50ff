//! A live device's sessions on the Live page, in the Decode page's views: the relay's capture of
//! the device's recent exchanges (`/api/devices/{id}/capture`, secrets masked) goes through the
//! same decode worker and pipeline as a capture opened on the Decode page, and its sessions,
//! the selected session's timeline and findings, and the selected message are shown with the
//! Decode page's components. It decodes again when `refreshed` changes (a session of the device
//! ended).

use crate::components::recordings::fetch_file;
use crate::components::session::{
    DetailAction, SESSION_ROW_PX, SessionCard, TIMELINE_ROW_PX, TimelineLine, deliver_export,
};
use crate::decode::client::DecodeWorker;
use crate::decode::protocol::{Request, Response};
use crate::pages::decode::{ResultViews, result_views};
use crate::split::split_point;
use crate::workspace::use_workspace;
use cwmpkit_core::Diagnostic;
use cwmpkit_core::session::query::{Filter, SessionRow, TimelineRow};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;

/// Sessions listed: the relay keeps a bounded history per device, so this is all of it in practice.
const SESSION_LIMIT: usize = 200;

/// The session to show after a (re)decode: the one shown before if it is still there, else the
/// most recent.
pub fn session_to_show(rows: &[SessionRow], shown: Option<u32>) -> Option<u32> {
    shown
        .filter(|shown| rows.iter().any(|row| row.index == *shown))
        .or_else(|| rows.iter().map(|row| row.index).max())
}

/// The message to show in a session's timeline: the one shown before if it is still there,
/// else the first message (the Inform that opened it).
pub fn message_to_show(rows: &[TimelineRow], shown: Option<usize>) -> Option<usize> {
    shown
        .filter(|shown| rows.iter().any(|row| row.message == Some(*shown)))
        .or_else(|| rows.iter().find_map(|row| row.message))
}

/// How the device panel makes the view: `(capture_url, name, refreshed)`.
pub type MakeLiveSessions = fn(String, String, Signal<u64>) -> AnyView;

split_point! {
    /// The view and what only it reaches, a chunk fetched when a device panel first opens.
    pub(crate) fn live_sessions_view() -> MakeLiveSessions {
        |capture_url, name, refreshed| view! { <LiveSessions capture_url name refreshed /> }.into_any()
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Status {
    Loading,
    Shown { messages: usize },
    Failed(String),
}

/// `capture_url` is the device's capture on the API; `name` names it as a file.
#[component]
pub fn LiveSessions(capture_url: String, name: String, refreshed: Signal<u64>) -> impl IntoView {
    let status = RwSignal::new(Status::Loading);
    let sessions = RwSignal::new(Vec::<SessionRow>::new());
    let session = RwSignal::new(None::<u32>);
    let timeline = RwSignal::new(None::<(u32, Vec<TimelineRow>, Vec<Diagnostic>)>);
    let message = RwSignal::new(None::<usize>);
    let detail = RwSignal::new(None::<(u32, usize, String)>);
    let worker = StoredValue::new_local(None::<DecodeWorker>);
    // The message pane and the findings are the Decode page's split point: fetched with the
    // worker, not with the Live page.
    let views = RwSignal::new(None::<ResultViews>);
    let navigate = StoredValue::new_local(use_navigate());
    let workspace = use_workspace();

    let ask = move |request: Request| {
        worker.with_value(|w| {
            if let Some(w) = w {
                w.send(&request, None);
            }
        });
    };
    let select_message = move |index: usize| {
        message.set(Some(index));
        if let Some(session) = session.get_untracked() {
            ask(Request::Message { session, message: index });
        }
    };
    let select_session = move |index: u32| {
        if session.get_untracked() != Some(index) {
            message.set(None);
        }
        session.set(Some(index));
        // The whole timeline: the relay keeps a bounded history per device.
        let filter = Filter::default();
        ask(Request::Timeline {
            session: index,
            filter,
            offset: 0,
            limit: usize::MAX,
            reveal: None,
            findings: true,
        });
    };
    let on_response = move |response: Response| match response {
        Response::Ready | Response::Progress { .. } | Response::WarmedUp { .. } => {}
        Response::Done { summary } => {
            status.set(Status::Shown { messages: summary.messages });
            ask(Request::Sessions { filter: Filter::default(), offset: 0, limit: SESSION_LIMIT });
        }
        Response::Sessions { rows, .. } => {
            let chosen = session_to_show(&rows, session.get_untracked());
            sessions.set(rows);
            match chosen {
                Some(index) => select_session(index),
                None => {
                    session.set(None);
                    timeline.set(None);
                }
            }
        }
        Response::Timeline { session: index, rows, findings, .. } => {
            let chosen = message_to_show(&rows, message.get_untracked());
            timeline.set(Some((index, rows, findings.unwrap_or_default())));
            if let Some(chosen) = chosen {
                select_message(chosen);
            }
        }
        Response::Message { session, message, detail: json } => {
            detail.set(Some((session, message, json)));
        }
        Response::File { name, mime, text, for_parameters } => {
            let open_page = move |url: &str| {
                navigate.with_value(|go| go(url, NavigateOptions::default()));
            };
            deliver_export(workspace, open_page, name, mime, text, for_parameters);
        }
        Response::Failed { message } => status.set(Status::Failed(message)),
    };
    let load = move |url: String, name: String| {
        status.set(Status::Loading);
        leptos::task::spawn_local(async move {
            let bytes = match fetch_file(&url, &name).await {
                Ok(bytes) => bytes,
                Err(error) => return status.set(Status::Failed(error)),
            };
            let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
            let file = match web_sys::File::new_with_u8_array_sequence(&parts, &name) {
                Ok(file) => file,
                Err(error) => return status.set(Status::Failed(format!("{error:?}"))),
            };
            if worker.with_value(Option::is_none) {
                if views.get_untracked().is_none() {
                    leptos::task::spawn_local(async move { views.set(Some(result_views().await)) });
                }
                match DecodeWorker::start(on_response) {
                    Ok(started) => worker.set_value(Some(started)),
                    Err(error) => return status.set(Status::Failed(error)),
                }
            }
            worker.with_value(|w| {
                if let Some(w) = w {
                    w.send(&Request::OpenFile { name }, Some(file));
                }
            });
        });
    };
    Effect::new(move |_| {
        refreshed.track();
        load(capture_url.clone(), name.clone());
    });
    on_cleanup(move || {
        let _ = worker.try_with_value(|w| {
            if let Some(w) = w {
                w.stop();
            }
        });
    });

    let on_action = Callback::new(move |action: DetailAction| {
        if let (Some(session), Some(message)) = (session.get_untracked(), message.get_untracked()) {
            ask(action.request(session, message));
        }
    });
    let session_rows =
        move || sessions.get().into_iter().enumerate().collect::<Vec<(usize, SessionRow)>>();
    let shown_timeline = move || {
        timeline.with(|t| t.as_ref().filter(|(s, _, _)| Some(*s) == session.get()).cloned())
    };
    let timeline_rows = move || {
        shown_timeline().map(|(_, rows, _)| rows.into_iter().enumerate().collect::<Vec<_>>())
    };
    let message_view = move || {
        let views = views.get()?;
        detail.with(|d| {
            d.as_ref()
                .filter(|(s, m, _)| Some(*s) == session.get() && Some(*m) == message.get())
                .map(|(_, _, json)| (views.message)(json.clone(), on_action))
        })
    };

    view! {
        <div id="live-sessions-view">
            {move || match status.get() {
                Status::Loading => view! { <p class="hint" id="live-sessions-status">"Decoding its exchanges…"</p> }.into_any(),
                Status::Failed(error) => view! { <div class="error-box" role="alert" id="live-sessions-error">{error}</div> }.into_any(),
                Status::Shown { messages } => view! {
                    <p class="meta" id="live-sessions-status">
                        {format!("{} session(s), {messages} message(s) kept by the relay", sessions.with(Vec::len))}
                    </p>
                }.into_any(),
            }}
            <div class="panes" class:hidden=move || sessions.with(Vec::is_empty)>
                <div class="pane">
                    <div class="pane-head"><strong>"Sessions"</strong></div>
                    <div id="live-sessions" class="virtual-list" tabindex="0">
                        <ul class="virtual-body" style=move || format!("height: {}px", sessions.with(Vec::len) * SESSION_ROW_PX)>
                            <For
                                each=session_rows
                                key=|(position, row)| (*position, row.index, row.messages)
                                children=move |(position, row)| view! {
                                    <SessionCard row position selected=session.into() on_select=Callback::new(select_session) />
                                }
                            />
                        </ul>
                    </div>
                </div>
                <div class="pane">
                    <div class="pane-head"><strong>{move || session.get().map(|s| format!("Session {s}"))}</strong></div>
                    <div id="live-timeline" class="virtual-list" tabindex="0">
                        <div class="virtual-body" style=move || format!("height: {}px", timeline_rows().map_or(0, |r| r.len()) * TIMELINE_ROW_PX)>
                            <For
                                each=move || timeline_rows().unwrap_or_default()
                                key=|(position, row)| (*position, row.message, row.what.clone())
                                children=move |(position, row)| view! {
                                    <TimelineLine row position selected=message.into() on_select=Callback::new(select_message) />
                                }
                            />
                        </div>
                    </div>
                    <div id="live-findings">
                        {move || Some((views.get()?.findings)(shown_timeline()?.2))}
                    </div>
                </div>
                <div id="live-message" class="pane detail">{message_view}</div>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cwmpkit_core::session::Direction;

    fn session_row(index: u32) -> SessionRow {
        SessionRow {
            index,
            device: "d".to_owned(),
            start: None,
            duration_ms: None,
            events: Vec::new(),
            messages: 2,
            matching: 2,
            findings: 0,
            worst: None,
            ended: true,
            http: true,
        }
    }

    fn timeline_row(message: Option<usize>) -> TimelineRow {
        TimelineRow {
            message,
            offset_ms: None,
            direction: Direction::CpeToAcs,
            what: "Inform".to_owned(),
            detail: String::new(),
            diagnostics: 0,
            worst: None,
            matches: true,
        }
    }

    #[test]
    fn a_redecode_keeps_the_session_shown_or_opens_the_latest() {
        let rows = [session_row(1), session_row(2), session_row(3)];
        assert_eq!(session_to_show(&rows, Some(2)), Some(2));
        assert_eq!(session_to_show(&rows, None), Some(3));
        assert_eq!(session_to_show(&rows, Some(9)), Some(3), "a session let go of");
        assert_eq!(session_to_show(&[], Some(2)), None);
    }

    #[test]
    fn a_timeline_opens_on_its_first_message_unless_one_is_shown() {
        let rows = [timeline_row(None), timeline_row(Some(0)), timeline_row(Some(1))];
        assert_eq!(message_to_show(&rows, None), Some(0), "the exchange row is not a message");
        assert_eq!(message_to_show(&rows, Some(1)), Some(1));
        assert_eq!(message_to_show(&rows, Some(7)), Some(0));
        assert_eq!(message_to_show(&[timeline_row(None)], None), None);
    }
}
