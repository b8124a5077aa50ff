//! The relay's uploads on the Live page (`--uploads DIR`): config backups (`<MAC>_local.cfg`),
//! crash logs (`<MAC>_<TIME>_crash.log`) and any other file a CPE sent, with who sent them as far
//! as the relay can tell. A file downloads through a fetch with the API token (a link could not
//! carry it in a header); a text file also opens here, as it is.

use crate::components::files::download;
use crate::components::recordings::fetch_file;
use crate::links;
use crate::pages::live::authorization;
use crate::workspace::human_size;
use cwmpkit_core::api::{UploadEntry, UploadReceived, UploadSender};
use leptos::prelude::*;

async fn fetch_uploads() -> Result<Vec<UploadEntry>, String> {
    let response = gloo_net::http::Request::get("/api/uploads")
        .header("Authorization", &authorization())
        .send()
        .await
        .map_err(|e| format!("/api/uploads: {e}"))?;
    if !response.ok() {
        return Err(format!("/api/uploads: HTTP {}", response.status()));
    }
    response.json::<Vec<UploadEntry>>().await.map_err(|e| format!("/api/uploads: {e}"))
}

fn upload_url(name: &str) -> String {
    format!("/api/uploads/{}", links::encode(name))
}

/// Who sent an upload, and how the relay knows.
pub fn sender_text(received: Option<&UploadReceived>) -> String {
    let Some(received) = received else {
        return "not in the uploads index (put there by hand, or changed since)".to_owned();
    };
    let user =
        received.username.as_deref().map(|user| format!(", as user {user}")).unwrap_or_default();
    let device = match (&received.device, received.device_from) {
        (Some(device), Some(UploadSender::OwnCredential)) => {
            format!("{device} (its own credential)")
        }
        (Some(device), Some(UploadSender::UploadRpc)) => {
            format!("{device} (asked by an Upload RPC; a shared credential could send it too)")
        }
        (Some(device), None) => device.clone(),
        (None, _) => "device unknown".to_owned(),
    };
    format!("{device} · from {}{user}", received.peer)
}

/// Whether a stored upload reads as text here: config backups and logs.
pub fn opens_as_text(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [".cfg", ".log", ".txt", ".xml", ".conf"].iter().any(|ext| name.ends_with(ext))
}

/// `2026-12-05 07:46:06` of a time (UTC).
fn when(time: &cwmpkit_core::Timestamp) -> String {
    time.to_string().get(..19).unwrap_or_default().replacen('T', " ", 1)
}

/// The uploads panel: listed when the page opens, on "Refresh", and when `changed` changes (an
/// `upload` event).
#[component]
pub fn Uploads(changed: Signal<u64>) -> impl IntoView {
    let listed = RwSignal::new(None::<Result<Vec<UploadEntry>, String>>);
    let problem = RwSignal::new(None::<String>);
    let opened = RwSignal::new(None::<(String, String)>);
    let refresh = move || {
        leptos::task::spawn_local(async move { listed.set(Some(fetch_uploads().await)) });
    };
    Effect::new(move |_| {
        changed.track();
        refresh();
    });
    let save = move |name: String| {
        problem.set(None);
        leptos::task::spawn_local(async move {
            let saved = match fetch_file(&upload_url(&name), &name).await {
                Ok(bytes) => download(&name, &bytes, "application/octet-stream"),
                Err(error) => Err(error),
            };
            if let Err(error) = saved {
                problem.set(Some(error));
            }
        });
    };
    let view_text = move |name: String| {
        problem.set(None);
        leptos::task::spawn_local(async move {
            match fetch_file(&upload_url(&name), &name).await {
                Ok(bytes) => opened.set(Some((name, String::from_utf8_lossy(&bytes).into_owned()))),
                Err(error) => problem.set(Some(error)),
            }
        });
    };

    view! {
        <section class="panel" id="live-uploads">
            <h2>"Uploads"</h2>
            <p class="hint">
                "Files the CPEs sent to the relay's " <code>"/uploads/"</code>
                " (config backups " <code>"<MAC>_local.cfg"</code> ", crash logs "
                <code>"<MAC>_<TIME>_crash.log"</code> "), when it runs with " <code>"--uploads DIR"</code> "."
            </p>
            <div class="input-toolbar">
                <button class="button secondary" id="uploads-refresh" on:click=move |_| refresh()>"Refresh"</button>
            </div>
            {move || problem.get().map(|p| view! { <div class="error-box" role="alert" id="uploads-problem">{p}</div> })}
            {move || match listed.get() {
                None => view! { <p class="hint">"Asking the relay…"</p> }.into_any(),
                Some(Err(error)) => view! { <div class="error-box" id="uploads-error">{error}</div> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="hint" id="uploads-empty">"No upload yet (or the relay runs without --uploads DIR)."</p>
                }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-wrap" tabindex="0" role="region" aria-label="Uploads">
                        <table id="uploads">
                            <thead><tr><th>"File"</th><th>"Kind"</th><th>"Size"</th><th>"Received (UTC)"</th><th>"Sender"</th><th>"Actions"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|upload| {
                                    let name = upload.name.clone();
                                    let download_name = name.clone();
                                    let text_name = name.clone();
                                    let received = upload.received.as_ref().map(|r| when(&r.time)).unwrap_or_default();
                                    view! {
                                        <tr data-upload=name.clone()>
                                            <td class="param-name">{name.clone()}</td>
                                            <td>{upload.kind.clone()}</td>
                                            <td>{human_size(upload.bytes)}</td>
                                            <td class="meta">{received}</td>
                                            <td>{sender_text(upload.received.as_ref())}</td>
                                            <td>
                                                <button class="button secondary small upload-download"
                                                    on:click=move |_| save(download_name.clone())>"Download"</button>
                                                {opens_as_text(&name).then(|| view! {
                                                    " "
                                                    <button class="button small upload-view"
                                                        on:click=move |_| view_text(text_name.clone())>"View"</button>
                                                })}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
            {move || opened.get().map(|(name, text)| view! {
                <p class="meta" id="upload-text-name">{name}</p>
                <pre id="upload-text" class="http-head" tabindex="0">{text}</pre>
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn received(device: Option<&str>, from: Option<UploadSender>) -> UploadReceived {
        UploadReceived {
            time: cwmpkit_core::base::time::parse_rfc3339_utc("2026-12-05T07:46:06Z")
                .expect("a time"),
            peer: "192.0.2.7:5060".to_owned(),
            username: Some("phones".to_owned()),
            device: device.map(str::to_owned),
            device_from: from,
        }
    }

    #[test]
    fn the_sender_says_how_the_relay_knows_it() {
        let own = received(Some("00085D-6867i-1"), Some(UploadSender::OwnCredential));
        assert_eq!(
            sender_text(Some(&own)),
            "00085D-6867i-1 (its own credential) · from 192.0.2.7:5060, as user phones"
        );
        let asked = sender_text(Some(&received(Some("d"), Some(UploadSender::UploadRpc))));
        assert!(asked.starts_with("d (asked by an Upload RPC"), "{asked}");
        let unknown = sender_text(Some(&received(None, None)));
        assert!(unknown.starts_with("device unknown · from 192.0.2.7:5060"), "{unknown}");
        assert!(sender_text(None).starts_with("not in the uploads index"));
    }

    #[test]
    fn backups_and_logs_open_as_text() {
        assert!(opens_as_text("00085D1A2B3C_local.cfg"));
        assert!(opens_as_text("00085D1A2B3C_20261205T0746_crash.LOG"));
        assert!(!opens_as_text("firmware.st"));
    }
}
