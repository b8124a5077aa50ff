//! The About page: the version, what the app promises about your data, the
//! keyboard, and the licences of what it is built from (the crates in the
//! wasm, listed at build time from Cargo's metadata, and the BBF data models).

use crate::offline::{self, Readiness};
use leptos::prelude::*;
use serde::Deserialize;

/// One crate compiled into the app, as `cargo xtask dist` lists it in `licenses.json`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Licensed {
    name: String,
    version: String,
    license: String,
    #[serde(default)]
    repository: String,
}

async fn fetch_text(url: &str) -> Result<String, String> {
    let response =
        gloo_net::http::Request::get(url).send().await.map_err(|e| format!("{url}: {e}"))?;
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    response.text().await.map_err(|e| format!("{url}: {e}"))
}

async fn licences() -> Result<Vec<Licensed>, String> {
    let text = fetch_text("/licenses.json").await?;
    serde_json::from_str(&text).map_err(|e| format!("licenses.json: {e}"))
}

fn readiness_text(readiness: Readiness) -> &'static str {
    match readiness {
        Readiness::Ready => {
            "Available offline: this version is kept in this browser and loads without the network."
        }
        Readiness::NotYet => {
            "Not yet available offline: the browser is still keeping this version's files."
        }
        Readiness::Unsupported => {
            "Not available offline: this browser offers no service workers here (they need https, or localhost)."
        }
        Readiness::Development => "A development build: it is not kept for offline use.",
    }
}

#[component]
pub fn AboutPage() -> impl IntoView {
    let build = offline::build_id();
    let readiness = LocalResource::new(offline::readiness);
    let crates = LocalResource::new(licences);
    let bbf = LocalResource::new(|| fetch_text("/models/NOTICE.md"));
    view! {
        <main class="about">
            <section class="panel">
                <h1>"About cwmpkit"</h1>
                <p>
                    "A TR-069 (CWMP) workbench: decode captured traffic, edit parameter sets against the "
                    "Broadband Forum data models, generate provisioning files, and reach live devices "
                    "through the " <code>"cwmpkit serve"</code> " relay."
                </p>
                <dl class="facts">
                    <dt>"Version"</dt>
                    <dd id="about-version">{format!("{} (build {build})", env!("CARGO_PKG_VERSION"))}</dd>
                    <dt>"Offline"</dt>
                    <dd id="about-offline">
                        {move || readiness.get().map(readiness_text).unwrap_or("Checking…")}
                    </dd>
                </dl>
            </section>
            <section class="panel" id="privacy">
                <h2>"Your data"</h2>
                <ul>
                    <li>"Everything you open is decoded, checked and generated here, in your browser. Nothing is uploaded."</li>
                    <li>
                        "What you open is kept in this browser (IndexedDB) so that it is still here after a reload. "
                        "It stays on this computer; the Workspace page lists it, and deletes it."
                    </li>
                    <li>
                        "The app talks only to the server it came from: for its own files, and on the Live page, to "
                        "the relay you run (" <code>"cwmpkit serve"</code> "), which reaches your devices. "
                        "No fonts, scripts or statistics come from anywhere else."
                    </li>
                    <li>"Provisioning secrets (SIP and ACS passwords) never leave the browser, except in the files you download."</li>
                </ul>
            </section>
            <section class="panel" id="keyboard">
                <h2>"Keyboard"</h2>
                <dl class="facts">
                    <dt><kbd>"Tab"</kbd></dt><dd>"moves through everything that can be used; the focused thing is outlined"</dd>
                    <dt><kbd>"/"</kbd></dt><dd>"focuses the page's filter"</dd>
                    <dt><kbd>"↑"</kbd>" "<kbd>"↓"</kbd>" "<kbd>"Home"</kbd>" "<kbd>"End"</kbd></dt><dd>"move through a list"</dd>
                    <dt><kbd>"Enter"</kbd></dt><dd>"opens or applies what has focus"</dd>
                    <dt><kbd>"Esc"</kbd></dt><dd>"cancels an edit"</dd>
                </dl>
            </section>
            <section class="panel" id="licences">
                <h2>"Licences"</h2>
                <p>
                    "cwmpkit is licensed under MIT or Apache-2.0. The browser app is built from these crates "
                    "(listed from Cargo's metadata when the app was built):"
                </p>
                {move || crates.get().map(|outcome| match outcome {
                    Err(problem) => view! { <p class="error-box">{problem}</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap">
                            <table id="licence-table">
                                <thead><tr><th scope="col">"Crate"</th><th scope="col">"Version"</th><th scope="col">"Licence"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|c| {
                                        let name = if c.repository.is_empty() {
                                            view! { <span>{c.name}</span> }.into_any()
                                        } else {
                                            view! { <a href=c.repository rel="noreferrer">{c.name}</a> }.into_any()
                                        };
                                        view! { <tr><td>{name}</td><td>{c.version}</td><td>{c.license}</td></tr> }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                })}
                <h3 class="section-title">"Broadband Forum data models"</h3>
                <p>"The TR-181, TR-098, TR-104 and TR-106 schemas are compiled from the Broadband Forum's data-model XML, under its licence:"</p>
                <pre class="notice-text" id="bbf-notice">
                    {move || bbf.get().map(|text| text.unwrap_or_else(|problem| problem))}
                </pre>
            </section>
        </main>
    }
}
