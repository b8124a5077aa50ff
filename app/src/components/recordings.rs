//! The relay's recordings of `/acs` on the Live page: each pcapng file `cwmpkit serve --data-dir`
//! wrote, with a download link and **Open in Decode**, which fetches the file with the API token,
//! keeps it in the workspace as a capture (as a file dropped on the Decode page is kept) and opens
//! it there.

use crate::components::files::PickedFile;
use crate::links;
use crate::pages::live::{authorization, token};
use crate::workspace::{self, Kind, use_workspace};
use cwmpkit_core::capture::record::Recording;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;

async fn fetch_recordings() -> Result<Vec<Recording>, String> {
    let response = gloo_net::http::Request::get("/api/recordings")
        .header("Authorization", &authorization())
        .send()
        .await
        .map_err(|e| format!("/api/recordings: {e}"))?;
    if !response.ok() {
        return Err(format!("/api/recordings: HTTP {}", response.status()));
    }
    response.json::<Vec<Recording>>().await.map_err(|e| format!("/api/recordings: {e}"))
}

async fn fetch_recording(name: &str) -> Result<Vec<u8>, String> {
    fetch_file(&format!("/api/recordings/{}", links::encode(name)), name).await
}

/// A file the API serves (`url`), fetched with the token; `name` says which in an error.
pub(crate) async fn fetch_file(url: &str, name: &str) -> Result<Vec<u8>, String> {
    let response = gloo_net::http::Request::get(url)
        .header("Authorization", &authorization())
        .send()
        .await
        .map_err(|e| format!("{name}: {e}"))?;
    if !response.ok() {
        let reason = response.text().await.unwrap_or_default();
        return Err(format!("{name}: HTTP {} {}", response.status(), reason.trim()));
    }
    response.binary().await.map_err(|e| format!("{name}: {e}"))
}

/// `2026-12-05 07:46:06` of a packet time (UTC, as the file names' days are).
fn when(time: Option<cwmpkit_core::Timestamp>) -> String {
    time.map(|t| t.to_string().get(..19).unwrap_or_default().replacen('T', " ", 1))
        .unwrap_or_default()
}

/// Keeps `bytes` in the workspace as a capture named `name`, as a file dropped on the Decode
/// page is kept, and opens it there.
pub(crate) async fn open_in_decode(
    workspace: workspace::Workspace,
    navigate: impl Fn(&str, NavigateOptions),
    name: String,
    bytes: Vec<u8>,
) -> Result<(), String> {
    let files = vec![PickedFile { name: name.clone(), bytes }];
    let entry = workspace
        .create(Kind::Capture, &name, files, "{}")
        .await
        .map_err(|e| format!("{name}: {e}"))?;
    navigate(&links::item(Kind::Capture, entry.id), NavigateOptions::default());
    Ok(())
}

/// The recordings panel: listed when the page opens and on "Refresh".
#[component]
pub fn Recordings() -> impl IntoView {
    let listed = RwSignal::new(None::<Result<Vec<Recording>, String>>);
    let opening = RwSignal::new(None::<String>);
    let problem = RwSignal::new(None::<String>);
    let refresh = move || {
        leptos::task::spawn_local(async move { listed.set(Some(fetch_recordings().await)) });
    };
    refresh();
    let workspace = use_workspace();
    let navigate = use_navigate();
    let open = move |name: String| {
        let navigate = navigate.clone();
        problem.set(None);
        opening.set(Some(name.clone()));
        leptos::task::spawn_local(async move {
            let opened = match fetch_recording(&name).await {
                Ok(bytes) => open_in_decode(workspace, navigate, name, bytes).await,
                Err(error) => Err(error),
            };
            opening.set(None);
            if let Err(error) = opened {
                problem.set(Some(error));
            }
        });
    };

    view! {
        <section class="panel" id="live-recordings">
            <h2>"Recordings"</h2>
            <p class="hint">
                "Every exchange on /acs, as pcapng (secrets left out), when the relay runs with "
                <code>"--data-dir"</code>". They open in Wireshark too."
            </p>
            <div class="input-toolbar">
                <button class="button secondary" id="recordings-refresh" on:click=move |_| refresh()>"Refresh"</button>
            </div>
            {move || problem.get().map(|p| view! { <div class="error-box" role="alert" id="recordings-problem">{p}</div> })}
            {move || match listed.get() {
                None => view! { <p class="hint">"Asking the relay…"</p> }.into_any(),
                Some(Err(error)) => view! { <div class="error-box" id="recordings-error">{error}</div> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="hint" id="recordings-empty">"No recording: start the relay with --data-dir DIR to record every exchange."</p>
                }.into_any(),
                Some(Ok(list)) => {
                    let open = open.clone();
                    view! {
                        <div class="table-wrap" tabindex="0" role="region" aria-label="Recordings">
                            <table id="recordings">
                                <thead><tr><th>"File"</th><th>"Size"</th><th>"First packet (UTC)"</th><th>"Last packet (UTC)"</th><th>"Actions"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|recording| {
                                        let name = recording.name.clone();
                                        let href = format!(
                                            "/api/recordings/{}?access_token={}",
                                            links::encode(&name),
                                            links::encode(&token())
                                        );
                                        let open = open.clone();
                                        let busy = {
                                            let name = name.clone();
                                            move || opening.get().as_deref() == Some(name.as_str())
                                        };
                                        let label_busy = busy.clone();
                                        let clicked = name.clone();
                                        view! {
                                            <tr>
                                                <td class="param-name">{name.clone()}</td>
                                                <td>{workspace::human_size(recording.bytes)}</td>
                                                <td class="meta">{when(recording.first)}</td>
                                                <td class="meta">{when(recording.last)}</td>
                                                <td>
                                                    <a class="button secondary small" href=href download=name.clone()>"Download"</a>
                                                    " "
                                                    <button class="button small recording-open" disabled=busy
                                                        on:click=move |_| open(clicked.clone())>
                                                        {move || if label_busy() { "Opening…" } else { "Open in Decode" }}
                                                    </button>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }
            }}
        </section>
    }
}
