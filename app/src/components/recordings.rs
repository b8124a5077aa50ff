//! The relay's recordings of `/acs` on the Live page: each pcapng file `cwmpkit serve --data-dir`
//! wrote, with a download link and **Open in Decode**, which fetches the file with the API token,
//! keeps it in the workspace as a capture (as a file dropped on the Decode page is kept) and opens
//! it there.

use crate::components::files::PickedFile;
use crate::components::relay_listing::{RelayListing, utc_seconds};
use crate::links;
use crate::pages::live::{authorization, token};
use crate::workspace::{self, Kind, use_workspace};
use cwmpkit_core::capture::record::Recording;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;

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

/// `2026-12-05 07:46:06` of a packet time, if the file has one.
fn when(time: Option<cwmpkit_core::Timestamp>) -> String {
    time.map(|time| utc_seconds(&time)).unwrap_or_default()
}

/// The recordings panel: listed when the page opens and on "Refresh".
#[component]
pub fn Recordings() -> impl IntoView {
    let opening = RwSignal::new(None::<String>);
    let problem = RwSignal::new(None::<String>);
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
    let row = move |recording: Recording| {
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
        .into_any()
    };
    let hint = view! {
        "Every exchange on /acs, as pcapng (secrets left out), when the relay runs with "
        <code>"--data-dir"</code>". They open in Wireshark too."
    };

    view! {
        <RelayListing
            id="recordings"
            title="Recordings"
            hint=hint.into_any()
            url="/api/recordings"
            columns=&["File", "Size", "First packet (UTC)", "Last packet (UTC)", "Actions"]
            empty="No recording: start the relay with --data-dir DIR to record every exchange."
            problem=problem
            row=Callback::new(row)
        />
    }
}
