//! The Decode page: open or paste CWMP traffic; a Web Worker decodes it (the page's thread never
//! does: it shows progress, and can cancel), then three panes show the sessions, the selected
//! session's timeline and the selected message. The capture (kept in the workspace), the filter
//! and the selections live in the URL (`links`: `?capture=ID&session=2&message=1&filter=rpc:Inform`);
//! the page derives everything else from it and from what the worker answered.

use crate::components::diagnostics::DecodeErrorBox;
use crate::components::files::{PickedFile, files_of_drop, files_of_input};
use crate::components::millis;
use crate::components::session::{
    DetailAction, FindingList, SESSION_LIST, SessionCard, TIMELINE_LIST, TimelineLine,
    deliver_export, message_pane_of_json, severity_class,
};
use crate::components::virtual_list::{VirtualList, step_from};
use crate::decode::client::DecodeWorker;
use crate::decode::protocol::{Request, Response, Summary, WarmUp};
use crate::links::{self, Page, key};
use crate::split::split_point;
use crate::workspace::{self, ItemId, Kind, use_workspace};
use cwmpkit_core::Severity;
use cwmpkit_core::pipeline::Progress;
use cwmpkit_core::session::query::{Filter, SessionRow, TimelineRow};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

/// Files up to this size are kept in the workspace as they are opened; a bigger one is decoded
/// but not kept (its bytes would cross the page's thread twice on the way to IndexedDB).
const KEEP_LIMIT: f64 = 16.0 * 1024.0 * 1024.0;

/// What only a decoded input shows, and the code behind it: the message pane (with the reader of
/// its envelope), the conformance findings and the notes on the capture. A split point fetched when
/// the page starts its worker, so that the page's first screen carries none of it.
/// The Live page shows a live device's sessions with the same views, through this split point.
#[derive(Clone, Copy)]
pub(crate) struct ResultViews {
    pub message: fn(String, Callback<DetailAction>) -> AnyView,
    pub findings: fn(Vec<cwmpkit_core::Diagnostic>) -> AnyView,
    pub notes: fn(&Summary) -> AnyView,
}

split_point! {
    pub(crate) fn result_views() -> ResultViews {
        ResultViews {
            message: |json, on_action| message_pane_of_json(&json, on_action),
            findings: |findings| view! { <FindingList findings /> }.into_any(),
            notes: capture_notes,
        }
    }
}

/// What stopped the reading or the SOAP codec, and the notes on the capture as a whole.
fn capture_notes(summary: &Summary) -> AnyView {
    let notes = summary
        .tls
        .iter()
        .map(|t| view! { <li class="diagnostic info"><span class="diagnostic-code">"TLS"</span>" "{t.clone()}</li> })
        .collect_view();
    let diagnostics = summary
        .diagnostics
        .iter()
        .map(|d| {
            let at = (!d.location.is_input()).then(|| format!(" · {}", d.location));
            view! {
                <li class=format!("diagnostic {}", d.severity)>
                    <span class="diagnostic-code">{d.code.to_string()}</span>" "{d.message.clone()}
                    <span class="diagnostic-where">{at}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        {summary.soap_error.clone().map(|error| view! { <DecodeErrorBox error /> })}
        {summary.error.clone().map(|error| view! {
            <div id="capture-error" class="error-box" role="alert">
                <strong class="error-where">{format!("Byte {}", error.offset)}</strong>
                {format!(" ({:?} layer): ", error.layer)}
                <span class="error-message">{error.message}</span>
            </div>
        })}
        {(!summary.tls.is_empty() || !summary.diagnostics.is_empty()).then(|| view! {
            <details class="capture-notes">
                <summary>{format!("{} note(s) on the capture", summary.tls.len() + summary.diagnostics.len())}</summary>
                <ul class="diagnostics">{notes}{diagnostics}</ul>
            </details>
        })}
    }
    .into_any()
}

/// An input in which not one message was found: its empty panes and filter would only say the
/// same as the error above them.
fn nothing_decoded(summary: &Summary) -> bool {
    summary.sessions == 0 && summary.messages == 0 && summary.connection_requests.is_empty()
}

/// How what the page opens relates to the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keeping {
    /// Read from it: kept already.
    Kept,
    /// Opened or pasted: kept as a new capture.
    New,
    /// Typed: replaces the shown capture's bytes (or starts one).
    Edit,
}

/// Where decoding stands.
#[derive(Debug, Clone, PartialEq)]
enum Status {
    Idle,
    Decoding { name: String, progress: Progress, total: u64 },
    Done(Box<Summary>),
    Cancelled { name: String },
    Failed(String),
}

/// The sessions the worker sent for a filter and a window.
#[derive(Debug, Clone, PartialEq)]
struct SessionPage {
    filter: Filter,
    offset: usize,
    total: usize,
    rows: Vec<SessionRow>,
}

/// The window of a session's timeline the worker sent.
#[derive(Debug, Clone, PartialEq)]
struct Timeline {
    session: u32,
    filter: Filter,
    row: Option<SessionRow>,
    /// Rows in the whole timeline; `rows` are those from `offset` on.
    total: usize,
    offset: usize,
    rows: Vec<TimelineRow>,
    findings: Vec<cwmpkit_core::Diagnostic>,
    /// The message shown when the URL chooses none.
    opening: Option<usize>,
}

fn severity_name(severity: Severity) -> &'static str {
    severity.as_str()
}

fn parse_severity(text: &str) -> Option<Severity> {
    match text {
        "info" => Some(Severity::Info),
        "warning" => Some(Severity::Warning),
        "error" => Some(Severity::Error),
        _ => None,
    }
}

/// Bytes for people, from integers (no float formatting in the wasm): `12.3 MB`, `88 KB`.
fn megabytes(bytes: u64) -> String {
    if bytes < 1_000_000 {
        return format!("{} KB", bytes.div_ceil(1000));
    }
    format!("{}.{} MB", bytes / 1_000_000, bytes % 1_000_000 / 100_000)
}

/// The page's URL for a capture, a filter and a selection (`links`; sessions 0-based).
fn url_of(
    capture: Option<ItemId>,
    filter: &Filter,
    session: Option<u32>,
    message: Option<usize>,
) -> String {
    links::to(
        Page::Decode,
        &[
            (key::CAPTURE, capture.map(|c| c.to_string()).unwrap_or_default()),
            (key::SESSION, session.map(|s| s.saturating_sub(1).to_string()).unwrap_or_default()),
            (key::MESSAGE, message.map(|m| m.to_string()).unwrap_or_default()),
            (key::FILTER, filter.to_string()),
        ],
    )
}

#[component]
pub fn DecodePage() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let workspace = use_workspace();
    let filter =
        Memo::new(move |_| query.with(|q| Filter::parse(&q.get(key::FILTER).unwrap_or_default())));
    let capture = Memo::new(move |_| query.with(|q| q.get(key::CAPTURE)?.parse::<ItemId>().ok()));
    // Sessions are numbered from 1; the URL counts from 0, like the other pages' selections.
    let chosen_session = Memo::new(move |_| {
        query.with(|q| q.get(key::SESSION)?.parse::<u32>().ok().map(|s| s.saturating_add(1)))
    });
    let chosen_message =
        Memo::new(move |_| query.with(|q| q.get(key::MESSAGE)?.parse::<usize>().ok()));
    // The capture shown: set when it was opened here or read from the workspace.
    let shown = StoredValue::new(None::<ItemId>);

    let status = RwSignal::new(Status::Idle);
    let pasted = RwSignal::new(String::new());
    let generation = RwSignal::new(0u64);
    let sessions = RwSignal::new(None::<SessionPage>);
    let timeline = RwSignal::new(None::<Timeline>);
    // The message shown: (session, message, its detail as the worker's JSON).
    let detail = RwSignal::new(None::<(u32, usize, String)>);
    let views = RwSignal::new(None::<ResultViews>);
    let first_session = RwSignal::new(0usize);
    // The timeline row at the top of the view, and the session it is of (another starts at 0).
    let first_row = RwSignal::new((None::<u32>, 0usize));
    let worker = StoredValue::new_local(None::<DecodeWorker>);
    // The worker's warm-up, once it has ended by itself.
    let warmed = RwSignal::new(None::<WarmUp>);
    let sessions_list = NodeRef::<leptos::html::Div>::new();
    let timeline_list = NodeRef::<leptos::html::Div>::new();

    // Kept in the arena, so that the worker's handlers (and `cancel`, which starts a worker) are Copy.
    let navigator = StoredValue::new_local(navigate.clone());
    let open_page =
        move |url: &str| navigator.with_value(|navigate| navigate(url, NavigateOptions::default()));
    // The worker's answers become the page's state (an event handler, not an effect).
    let on_response = move |response: Response| match response {
        Response::Ready => {}
        Response::WarmedUp { warm_up } => warmed.set(Some(warm_up)),
        Response::Progress { progress, total } => status.update(|s| {
            if let Status::Decoding { progress: p, total: t, .. } = s {
                *p = progress;
                *t = total;
            }
        }),
        Response::Done { summary } => {
            sessions.set(None);
            timeline.set(None);
            first_row.set((None, 0));
            detail.set(None);
            status.set(Status::Done(summary));
            generation.update(|g| *g += 1);
        }
        Response::Sessions { filter, offset, total, rows } => {
            sessions.set(Some(SessionPage { filter, offset, total, rows }));
        }
        Response::Timeline {
            session,
            filter,
            row,
            total,
            offset,
            rows,
            revealed,
            opening,
            findings,
        } => {
            let shown = timeline.with_untracked(|t| t.as_ref().map(|t| t.session));
            let afresh = shown != Some(session);
            let held = offset..offset + rows.len();
            timeline.update(|t| {
                // The findings come with a session's first window; the others keep them.
                let findings = findings
                    .or_else(|| t.take().filter(|t| t.session == session).map(|t| t.findings))
                    .unwrap_or_default();
                *t =
                    Some(Timeline { session, filter, row, total, offset, rows, findings, opening });
            });
            if afresh {
                // A session shown afresh opens at its top, or where the message chosen is.
                if let Some(position) = revealed.filter(|p| !held.contains(p)) {
                    first_row.set((Some(session), position));
                }
                request_animation_frame(move || {
                    if let Some(list) = timeline_list.get_untracked() {
                        match revealed {
                            Some(position) => TIMELINE_LIST.reveal(&list, position),
                            None => list.set_scroll_top(0),
                        }
                    }
                });
            }
        }
        Response::Message { session, message, detail: d } => {
            detail.set(Some((session, message, d)))
        }
        Response::File { name, mime, text, for_parameters } => {
            deliver_export(workspace, open_page, name, mime, text, for_parameters)
        }
        Response::Failed { message } => {
            if matches!(status.get_untracked(), Status::Decoding { .. }) {
                status.set(Status::Failed(message));
            }
        }
    };
    // Starts a worker if there is none, and has it warm up: the worker's wasm is fetched and
    // compiled, and V8 optimises the decoder on a small sample, before a file comes (a file
    // that comes during the warm-up ends it and is decoded at once).
    let start_worker = move || {
        let started = worker.try_update_value(|slot| {
            if slot.is_some() {
                return Ok(());
            }
            if views.get_untracked().is_none() {
                leptos::task::spawn_local(async move { views.set(Some(result_views().await)) });
            }
            let started = DecodeWorker::start(on_response)?;
            started.send(&Request::WarmUp, None);
            warmed.set(None);
            *slot = Some(started);
            Ok(())
        });
        started.unwrap_or(Ok(()))
    };
    let send = move |request: Request, file: Option<web_sys::File>| {
        if let Err(message) = start_worker() {
            status.set(Status::Failed(message));
            return;
        }
        worker.with_value(|slot| {
            if let Some(worker) = slot {
                worker.send(&request, file);
            }
        });
    };
    // Once the page has drawn itself: the worker is not part of the page's start-up download.
    request_idle_callback(move || {
        let _ = start_worker();
    });
    on_cleanup(move || {
        let _ = worker.try_update_value(|slot| {
            if let Some(worker) = slot.take() {
                worker.stop();
            }
        });
    });
    // Effects only ask a worker that is there (they never start one, nor write a signal).
    let ask = move |request: Request| {
        worker.with_value(|slot| {
            if let Some(worker) = slot {
                worker.send(&request, None);
            }
        });
    };
    // Stopping the worker is how a decode is cancelled (a new one starts and warms up for the
    // next input); an idle worker stays for the next input.
    let cancel = move || {
        if let Status::Decoding { name, .. } = status.get_untracked() {
            worker.update_value(|slot| {
                if let Some(worker) = slot.take() {
                    worker.stop();
                }
            });
            status.set(Status::Cancelled { name });
            let _ = start_worker();
        }
    };
    // Selections push a history entry (Back returns to the message read before); filters and
    // the capture's own name replace it.
    let go_to = {
        let navigate = navigate.clone();
        move |filter: &Filter, session: Option<u32>, message: Option<usize>, replace: bool| {
            navigate(
                &url_of(capture.get_untracked(), filter, session, message),
                NavigateOptions { replace, scroll: false, ..NavigateOptions::default() },
            );
        }
    };
    let go = {
        let go_to = go_to.clone();
        move |filter: &Filter, session: Option<u32>, message: Option<usize>| {
            go_to(filter, session, message, false)
        }
    };
    let name_capture = {
        let navigate = navigate.clone();
        move |id: ItemId| {
            navigate(
                &url_of(Some(id), &Filter::default(), None, None),
                NavigateOptions { replace: true, scroll: false, ..NavigateOptions::default() },
            );
        }
    };
    // Keeps what is opened in the workspace as a new capture and names it in the URL; typing
    // (`Keeping::Edit`) replaces the shown capture's bytes once it pauses.
    let keep = move |name: String, bytes: Vec<u8>, keeping: Keeping| {
        let files = vec![PickedFile { name: name.clone(), bytes }];
        match (keeping, shown.get_value()) {
            (Keeping::Kept, _) => {}
            (Keeping::Edit, Some(id)) => workspace.later(id, move || {
                leptos::task::spawn_local(async move {
                    let _ = workspace.save_files(id, files).await;
                });
            }),
            (Keeping::Edit | Keeping::New, _) => {
                // Shown from now on: keys typed before IndexedDB answers edit this capture.
                let id = workspace::new_id();
                shown.set_value(Some(id));
                let name_capture = name_capture.clone();
                leptos::task::spawn_local(async move {
                    let created = workspace.create_as(id, Kind::Capture, &name, files, "{}").await;
                    if created.is_ok() && shown.get_value() == Some(id) {
                        name_capture(id);
                    }
                });
            }
        }
    };
    let navigate_bare = {
        let navigate = navigate.clone();
        move || navigate("/", NavigateOptions { scroll: false, ..NavigateOptions::default() })
    };
    // Decodes a file; `kept` when it came from the workspace (else it is kept now, if not big).
    let decode_file = {
        let keep = keep.clone();
        let navigate_bare = navigate_bare.clone();
        move |file: web_sys::File, kept: bool| {
            pasted.set(String::new());
            cancel();
            let name = file.name();
            let total = file.size() as u64;
            status.set(Status::Decoding {
                name: name.clone(),
                progress: Progress::default(),
                total,
            });
            sessions.set(None);
            timeline.set(None);
            detail.set(None);
            first_session.set(0);
            if !kept && file.size() > KEEP_LIMIT {
                // Not kept: the URL must not name the capture shown before.
                shown.set_value(None);
                navigate_bare();
            } else if !kept {
                let keep = keep.clone();
                let read = file.clone();
                leptos::task::spawn_local(async move {
                    let buffer = wasm_bindgen_futures::JsFuture::from(read.array_buffer()).await;
                    if let Ok(buffer) = buffer {
                        let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
                        keep(read.name(), bytes, Keeping::New);
                    }
                });
            }
            send(Request::OpenFile { name }, Some(file));
        }
    };
    let open_file = {
        let decode_file = decode_file.clone();
        move |file: web_sys::File| decode_file(file, false)
    };
    // Decodes text: typed or pasted (kept as `pasted <time>`), the example, or a kept capture.
    let open_text = {
        let keep = keep.clone();
        move |name: Option<String>, text: String, keeping: Keeping| {
            cancel();
            pasted.set(text.clone());
            sessions.set(None);
            timeline.set(None);
            detail.set(None);
            first_session.set(0);
            if text.trim().is_empty() {
                status.set(Status::Idle);
                return;
            }
            let name = name.unwrap_or_else(|| {
                format!("pasted {}", workspace::local_time(js_sys::Date::now() as u64))
            });
            status.set(Status::Decoding {
                name: name.clone(),
                progress: Progress::default(),
                total: text.len() as u64,
            });
            keep(name, text.clone().into_bytes(), keeping);
            send(Request::OpenText { text }, None);
        }
    };
    // A capture the URL names that is not the one shown: read it from the workspace. Reading
    // is an event (IndexedDB answers later); what it reads is decoded like an opened file. The
    // bare URL (Back past the first capture, say) is a new capture.
    {
        let decode_file = decode_file.clone();
        let open_text = open_text.clone();
        Effect::new(move |_| {
            let Some(id) = capture.get() else {
                if shown.get_value().is_some() {
                    shown.set_value(None);
                    open_text(None, String::new(), Keeping::Kept);
                }
                return;
            };
            if shown.get_value() == Some(id) {
                return;
            }
            shown.set_value(Some(id));
            let decode_file = decode_file.clone();
            let open_text = open_text.clone();
            leptos::task::spawn_local(async move {
                let file = match workspace.open(id).await {
                    Ok(item) => item.files.into_iter().next(),
                    Err(problem) => {
                        status.set(Status::Failed(problem.to_string()));
                        return;
                    }
                };
                let Some(file) = file else { return };
                if std::str::from_utf8(&file.bytes).is_ok() && !file.bytes.contains(&0) {
                    let text = String::from_utf8_lossy(&file.bytes).into_owned();
                    open_text(Some(file.name), text, Keeping::Kept);
                } else {
                    let array = js_sys::Uint8Array::from(file.bytes.as_slice());
                    let parts = js_sys::Array::of1(&array);
                    if let Ok(kept) = web_sys::File::new_with_u8_array_sequence(&parts, &file.name)
                    {
                        decode_file(kept, true);
                    }
                }
            });
        });
    }

    // What to show, derived: the session and message chosen in the URL, else the first.
    let session = Memo::new(move |_| {
        chosen_session
            .get()
            .or_else(|| sessions.with(|p| p.as_ref()?.rows.first().map(|r| r.index)))
    });
    let message = Memo::new(move |_| {
        chosen_message.get().or_else(|| {
            timeline.with(|t| t.as_ref().filter(|t| Some(t.session) == session.get())?.opening)
        })
    });
    // Requests follow the state (effects post to the worker; none writes a signal).
    Effect::new(move |_| {
        let _ = generation.get();
        if matches!(status.get_untracked(), Status::Done(_)) {
            let offset = SESSION_LIST.offset(first_session.get());
            ask(Request::Sessions { filter: filter.get(), offset, limit: SESSION_LIST.window });
        }
    });
    Effect::new(move |_| {
        let _ = generation.get();
        if let Some(session) = session.get() {
            let first = first_row.with(|(of, row)| if *of == Some(session) { *row } else { 0 });
            ask(Request::Timeline {
                session,
                filter: filter.get(),
                offset: TIMELINE_LIST.offset(first),
                limit: TIMELINE_LIST.window,
                // Where the chosen message is, for a session shown afresh (not a reason to ask).
                reveal: message.get_untracked(),
                findings: timeline.with_untracked(|t| t.as_ref().map(|t| t.session))
                    != Some(session),
            });
        }
    });
    Effect::new(move |_| {
        let _ = generation.get();
        if let (Some(session), Some(message)) = (session.get(), message.get()) {
            ask(Request::Message { session, message });
        }
    });

    let on_action = Callback::new(move |action: DetailAction| {
        let (Some(session), Some(message)) = (session.get_untracked(), message.get_untracked())
        else {
            return;
        };
        ask(action.request(session, message));
    });
    let select_session = {
        let go = go.clone();
        Callback::new(move |index: u32| go(&filter.get_untracked(), Some(index), None))
    };
    let select_message = {
        let go = go.clone();
        Callback::new(move |index: usize| {
            go(&filter.get_untracked(), session.get_untracked(), Some(index))
        })
    };
    let set_filter = {
        let go_to = go_to.clone();
        move |change: &dyn Fn(&mut Filter)| {
            let mut next = filter.get_untracked();
            change(&mut next);
            first_session.set(0);
            go_to(&next, None, None, true);
        }
    };

    // Keyboard: `/` goes to the filter (the shell's shortcut: the first search field); arrows
    // move through the list that has the focus.
    // Both lists step through the rows they hold, and keep the row chosen in view (scrolling
    // asks for the next window).
    let move_session = {
        let go = go.clone();
        Callback::new(move |step: isize| {
            let rows: Vec<(usize, u32)> = sessions.with_untracked(|p| {
                p.iter().flat_map(|p| (p.offset..).zip(p.rows.iter().map(|r| r.index))).collect()
            });
            if let Some((position, index)) = step_from(&rows, session.get_untracked(), step) {
                go(&filter.get_untracked(), Some(index), None);
                if let Some(list) = sessions_list.get_untracked() {
                    SESSION_LIST.reveal(&list, position);
                }
            }
        })
    };
    let move_message = {
        let go = go.clone();
        Callback::new(move |step: isize| {
            let rows: Vec<(usize, usize)> = timeline.with_untracked(|t| {
                t.iter()
                    .flat_map(|t| (t.offset..).zip(&t.rows))
                    .filter_map(|(position, r)| Some((position, r.message.filter(|_| r.matches)?)))
                    .collect()
            });
            if let Some((position, next)) = step_from(&rows, message.get_untracked(), step) {
                go(&filter.get_untracked(), session.get_untracked(), Some(next));
                if let Some(list) = timeline_list.get_untracked() {
                    TIMELINE_LIST.reveal(&list, position);
                }
            }
        })
    };

    let on_file = {
        let open_file = open_file.clone();
        move |ev: leptos::ev::Event| {
            if let Some(file) = files_of_input(&ev).and_then(|files| files.get(0)) {
                open_file(file);
            }
            // The same file chosen again (after a cancel, say) must fire `change` again.
            event_target::<web_sys::HtmlInputElement>(&ev).set_value("");
        }
    };
    let on_drop = {
        let open_file = open_file.clone();
        move |ev: leptos::ev::DragEvent| {
            ev.prevent_default();
            if let Some(file) = files_of_drop(&ev).and_then(|files| files.get(0)) {
                open_file(file);
            }
        }
    };
    let example = {
        let open_text = open_text.clone();
        move |_| open_text(Some("example Inform".into()), EXAMPLE_INFORM.to_owned(), Keeping::New)
    };
    // A new capture: the bare page (what was shown stays in the workspace).
    let start_new = {
        let navigate = navigate.clone();
        let open_text = open_text.clone();
        move |_| {
            shown.set_value(None);
            open_text(None, String::new(), Keeping::Kept);
            navigate("/", NavigateOptions { scroll: false, ..NavigateOptions::default() });
        }
    };
    let typed = {
        let open_text = open_text.clone();
        move |ev: leptos::ev::Event| open_text(None, event_target_value(&ev), Keeping::Edit)
    };

    let progress_view = move || {
        match status.get() {
        Status::Decoding { name, progress, total } => {
            let done = if total > 0 { progress.bytes.min(total) } else { 0 };
            view! {
                <div id="decode-status" class="decode-status decoding">
                    <progress id="decode-progress" max=total.to_string() value=done.to_string()></progress>
                    <span id="decode-progress-text" data-bytes=progress.bytes data-sessions=progress.sessions>
                        {format!(
                            "{name}: {} of {} · {} sessions · {} messages",
                            megabytes(progress.bytes),
                            megabytes(total),
                            progress.sessions,
                            progress.messages
                        )}
                    </span>
                    <button id="decode-cancel" class="button secondary small" on:click=move |_| cancel()>
                        "Cancel"
                    </button>
                </div>
            }
            .into_any()
        }
        Status::Done(summary) => view! {
            <div id="decode-status" class="decode-status done">
                <span
                    id="decode-done"
                    data-sessions=summary.sessions
                    data-messages=summary.messages
                    data-millis=millis::to_tenth(summary.millis)
                    data-read-wait-millis=millis::to_tenth(summary.read_wait_millis)
                    data-bytes=summary.bytes
                    data-warm-up-runs=summary.warm_up.as_ref().map_or(0, |w| w.runs)
                    data-warm-up-finished=summary.warm_up.as_ref().is_some_and(|w| w.finished).to_string()
                >
                    {format!(
                        "{}: {} {} in {} ms",
                        summary.name,
                        megabytes(summary.bytes),
                        if nothing_decoded(&summary) { "read, and nothing in it decoded," } else { "decoded" },
                        millis::whole(summary.millis)
                    )}
                </span>
            </div>
        }
        .into_any(),
        Status::Cancelled { name } => view! {
            <div id="decode-status" class="decode-status">
                <span id="decode-cancelled">{format!("{name}: cancelled")}</span>
            </div>
        }
        .into_any(),
        Status::Failed(message) => view! {
            <div id="decode-status" class="decode-status">
                <span class="error-box">{message}</span>
            </div>
        }
        .into_any(),
        Status::Idle => ().into_any(),
    }
    };

    let summary_view = move || {
        let Status::Done(summary) = status.get() else { return None };
        if nothing_decoded(&summary) {
            return Some(
                view! { {move || views.get().map(|views| (views.notes)(&summary))} }.into_any(),
            );
        }
        let kind = summary
            .input
            .and_then(|k| serde_json::to_value(k).ok())
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let requests = summary.connection_requests.len();
        let noted = summary.clone();
        Some(view! {
            {move || views.get().map(|views| (views.notes)(&noted))}
            <p id="report-summary" class="report-summary">
                <span class="badge">{kind}</span>
                {format!(
                    " {} session{}, {} SOAP message{}{}",
                    summary.sessions,
                    if summary.sessions == 1 { "" } else { "s" },
                    summary.messages,
                    if summary.messages == 1 { "" } else { "s" },
                    if requests > 0 { format!(", {requests} connection request(s)") } else { String::new() },
                )}
            </p>
        }.into_any())
    };

    let filter_bar = {
        let field = |id: &'static str,
                     label: &'static str,
                     get: fn(&Filter) -> String,
                     put: fn(&mut Filter, String)| {
            let set_filter = set_filter.clone();
            view! {
                <input
                    id=id
                    type="search"
                    placeholder=label
                    aria-label=label
                    prop:value=move || filter.with(get)
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        set_filter(&|f: &mut Filter| put(f, value.clone()));
                    }
                />
            }
        };
        let set_device = set_filter.clone();
        let set_severity = set_filter.clone();
        view! {
            <div class="filter-bar" role="search">
                <input
                    id="filter-device"
                    type="search"
                    aria-label="device"
                    placeholder="device: serial, OUI, model, address   ( / )"
                    prop:value=move || filter.with(|f| f.device.clone())
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        set_device(&|f: &mut Filter| f.device = value.clone());
                    }
                />
                {field("filter-rpc", "RPC", |f| f.rpc.clone(), |f, v| f.rpc = v)}
                {field("filter-parameter", "parameter path", |f| f.parameter.clone(), |f, v| f.parameter = v)}
                {field("filter-fault", "fault code", |f| f.fault.map(|c| c.to_string()).unwrap_or_default(), |f, v| f.fault = v.trim().parse().ok())}
                <select
                    id="filter-severity"
                    aria-label="severity"
                    prop:value=move || filter.with(|f| f.severity.map(severity_name).unwrap_or(""))
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        set_severity(&|f: &mut Filter| f.severity = parse_severity(&value));
                    }
                >
                    <option value="">"any severity"</option>
                    <option value="info">"info or worse"</option>
                    <option value="warning">"warning or worse"</option>
                    <option value="error">"errors"</option>
                </select>
            </div>
        }
    };

    let session_total = move || sessions.with(|p| p.as_ref().map_or(0, |p| p.total));
    let session_rows = move || {
        sessions.with(|p| {
            p.as_ref()
                .map(|p| {
                    p.rows
                        .iter()
                        .enumerate()
                        .map(|(i, r)| (p.offset + i, r.clone()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let shown_timeline = move |read: &dyn Fn(&Timeline) -> usize| {
        timeline.with(|t| t.as_ref().filter(|t| Some(t.session) == session.get()).map_or(0, read))
    };
    let timeline_total = Signal::derive(move || shown_timeline(&|t| t.total));
    let timeline_held =
        Signal::derive(move || (shown_timeline(&|t| t.offset), shown_timeline(&|t| t.rows.len())));
    let session_held = Signal::derive(move || {
        sessions.with(|p| p.as_ref().map_or((0, 0), |p| (p.offset, p.rows.len())))
    });
    let timeline_rows = move || {
        timeline.with(|t| {
            t.as_ref()
                .filter(|t| Some(t.session) == session.get())
                .map(|t| (t.offset..).zip(t.rows.iter().cloned()).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    };
    let timeline_head = move || {
        timeline.with(|t| {
            let t = t.as_ref().filter(|t| Some(t.session) == session.get())?;
            let row = t.row.as_ref()?;
            Some(view! {
                <div class="pane-head">
                    <strong>{format!("Session {}", row.index)}</strong>
                    <span class="meta">{format!(" · {}", row.device)}</span>
                    <span id="timeline-count" class="meta" data-rows=t.total>
                        {format!(" · {} messages", row.messages)}
                    </span>
                    {(row.findings > 0).then(|| view! {
                        <span class=format!("badge {}", severity_class(row.worst))>
                            {format!("{} finding(s)", row.findings)}
                        </span>
                    })}
                </div>
            })
        })
    };
    let findings = move || {
        timeline.with(|t| {
            t.as_ref()
                .filter(|t| Some(t.session) == session.get())
                .and_then(|t| Some((views.get()?.findings)(t.findings.clone())))
        })
    };
    let selected_session = Signal::derive(move || session.get());
    let selected_message = Signal::derive(move || message.get());
    let message_view = move || {
        let views = views.get()?;
        detail
            .with(|d| {
                d.as_ref()
                    .filter(|(s, m, _)| Some(*s) == session.get() && Some(*m) == message.get())
                    .map(|(_, _, json)| json.clone())
            })
            .map(|json| (views.message)(json, on_action))
    };
    let is_done = move || matches!(status.get(), Status::Done(_));
    let has_results =
        move || status.with(|s| matches!(s, Status::Done(summary) if !nothing_decoded(summary)));

    view! {
        <main class="decode">
            <h1 class="visually-hidden">"Decode"</h1>
            <section
                class="input-panel"
                on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default()
                on:drop=on_drop
            >
                <div class="input-toolbar">
                    <label class="button" for="file-input">"Open file…"</label>
                    <input id="file-input" type="file" accept=".xml,.txt,.log,.soap,.pcap,.pcapng,.cap,.json,.yaml" on:change=on_file />
                    <button id="load-example" class="button secondary" on:click=example>"Load an example"</button>
                    <button
                        id="new-capture"
                        class="button secondary"
                        title="Start a new capture; this one stays in the workspace"
                        on:click=start_new
                    >
                        "New"
                    </button>
                    <span class="hint drop-hint">"…or drop a capture or a log anywhere here. Nothing leaves your browser."</span>
                    // The worker's warm-up, once it has ended: for tests and benches, nothing to read.
                    {move || warmed.get().map(|w| view! {
                        <span
                            id="decoder-warm"
                            hidden
                            data-runs=w.runs
                            data-sample-messages=w.sample_messages
                            data-first-millis=millis::to_tenth(w.first_millis)
                            data-best-millis=millis::to_tenth(w.best_millis)
                            data-millis=millis::to_tenth(w.millis)
                        ></span>
                    })}
                </div>
                {progress_view}
                <textarea
                    id="soap-input"
                    spellcheck="false"
                    wrap="off"
                    rows="5"
                    placeholder="Paste SOAP envelopes, an HTTP transcript or a log…"
                    prop:value=move || pasted.get()
                    on:input=typed
                ></textarea>
            </section>
            <section id="decode-result" class="result-panel">
                {summary_view}
                <p class="hint" class:hidden=is_done>
                    "Sessions, messages and their checks appear here."
                </p>
                <div class="results" class:hidden=move || !has_results()>
                    {filter_bar}
                    <div class="panes">
                        <div class="pane">
                            <div class="pane-head">
                                <strong>"Sessions"</strong>
                                <span id="session-count" class="meta">{move || format!(" · {}", session_total())}</span>
                            </div>
                            <VirtualList
                                id="sessions"
                                windowing=SESSION_LIST
                                total=Signal::derive(session_total)
                                held=session_held
                                on_window=Callback::new(move |row: usize| first_session.set(row))
                                on_step=move_session
                                list_ref=sessions_list
                            >
                                <ul class="virtual-body" style=move || SESSION_LIST.body_height(session_total())>
                                    <For
                                        each=session_rows
                                        key=|(position, row)| (*position, row.index, row.matching)
                                        children=move |(position, row)| view! {
                                            <SessionCard row position selected=selected_session on_select=select_session />
                                        }
                                    />
                                </ul>
                            </VirtualList>
                        </div>
                        <div class="pane">
                            {timeline_head}
                            <VirtualList
                                id="timeline"
                                windowing=TIMELINE_LIST
                                total=timeline_total
                                held=timeline_held
                                on_window=Callback::new(move |row: usize| first_row.set((session.get_untracked(), row)))
                                on_step=move_message
                                list_ref=timeline_list
                            >
                                <div class="virtual-body" style=move || TIMELINE_LIST.body_height(timeline_total.get())>
                                    <For
                                        each=timeline_rows
                                        key=|(position, row)| (*position, row.message, row.matches)
                                        children=move |(position, row)| view! {
                                            <TimelineLine row position selected=selected_message on_select=select_message />
                                        }
                                    />
                                </div>
                            </VirtualList>
                            {findings}
                        </div>
                        <div id="message-pane" class="pane detail">{message_view}</div>
                    </div>
                </div>
            </section>
        </main>
    }
}

/// A hand-written Inform from an Aastra 6867i, for a first look at the app.
const EXAMPLE_INFORM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
  xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"
  xmlns:xsd="http://www.w3.org/2001/XMLSchema"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:cwmp="urn:dslforum-org:cwmp-1-0">
  <soap:Header>
    <cwmp:ID soap:mustUnderstand="1">6867i-0001</cwmp:ID>
  </soap:Header>
  <soap:Body>
    <cwmp:Inform>
      <DeviceId>
        <Manufacturer>Aastra</Manufacturer>
        <OUI>00085D</OUI>
        <ProductClass>6867i</ProductClass>
        <SerialNumber>00085D1A2B3C</SerialNumber>
      </DeviceId>
      <Event soapenc:arrayType="cwmp:EventStruct[2]">
        <EventStruct><EventCode>1 BOOT</EventCode><CommandKey></CommandKey></EventStruct>
        <EventStruct><EventCode>M Reboot</EventCode><CommandKey>maint-42</CommandKey></EventStruct>
      </Event>
      <MaxEnvelopes>1</MaxEnvelopes>
      <CurrentTime>2026-11-24T09:30:00Z</CurrentTime>
      <RetryCount>0</RetryCount>
      <ParameterList soapenc:arrayType="cwmp:ParameterValueStruct[4]">
        <ParameterValueStruct>
          <Name>Device.DeviceInfo.SoftwareVersion</Name>
          <Value xsi:type="xsd:string">5.1.0.2041</Value>
        </ParameterValueStruct>
        <ParameterValueStruct>
          <Name>Device.ManagementServer.ConnectionRequestURL</Name>
          <Value xsi:type="xsd:string">http://192.0.2.10:7547/cr</Value>
        </ParameterValueStruct>
        <ParameterValueStruct>
          <Name>Device.ManagementServer.PeriodicInformInterval</Name>
          <Value xsi:type="xsd:unsignedInt">3600</Value>
        </ParameterValueStruct>
        <ParameterValueStruct>
          <Name>Device.ManagementServer.ParameterKey</Name>
          <Value>initial</Value>
        </ParameterValueStruct>
      </ParameterList>
    </cwmp:Inform>
  </soap:Body>
</soap:Envelope>
"#;
