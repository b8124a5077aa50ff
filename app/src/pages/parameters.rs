//! The Parameters page: open a device's parameters (a GenieACS dump, our JSON,
//! or SOAP responses), see each one against its data model, and find what
//! deviates. The schemas are fetched from the app's own origin the first time a
//! model is needed, so they do not weigh on the app's start.

use crate::components::files::{FilePicker, PickedFile};
use cwmpkit_core::model::embedded::{self, EmbeddedError};
use cwmpkit_core::model::load::{LoadedSet, load_any};
use cwmpkit_core::model::schema::{Model, Schema, compiled};
use cwmpkit_core::model::validate::{self, Report, Severity};
use leptos::prelude::*;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Rows shown at once; the filter narrows the rest down.
const ROW_LIMIT: usize = 500;

thread_local! {
    /// Schemas already fetched and decoded, by compiled name.
    static SCHEMAS: RefCell<HashMap<String, Arc<Schema>>> = RefCell::new(HashMap::new());
}

async fn fetch_schema(name: &str) -> Result<Arc<Schema>, String> {
    if let Some(schema) = SCHEMAS.with(|s| s.borrow().get(name).cloned()) {
        return Ok(schema);
    }
    let url = format!("/models/{name}.schema");
    let response =
        gloo_net::http::Request::get(&url).send().await.map_err(|e| format!("{url}: {e}"))?;
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let bytes = response.binary().await.map_err(|e| format!("{url}: {e}"))?;
    let schema = Arc::new(compiled::decode(&bytes).map_err(|e| format!("{url}: {e}"))?);
    SCHEMAS.with(|s| s.borrow_mut().insert(name.to_owned(), schema.clone()));
    Ok(schema)
}

/// Fetches what `model_name` needs, then composes it with core's recipe.
async fn fetch_model(model_name: &str) -> Result<Model, String> {
    let needed = embedded::schemas_of_model(model_name)
        .ok_or_else(|| format!("no model named {model_name}"))?;
    let mut fetched = HashMap::new();
    for name in needed {
        fetched.insert((*name).to_owned(), fetch_schema(name).await?);
    }
    embedded::model_with(model_name, &mut |name| {
        fetched.get(name).cloned().ok_or_else(|| EmbeddedError::Unknown(name.to_owned()))
    })
    .map_err(|e| e.to_string())
}

#[derive(Debug, Clone, PartialEq)]
struct Device {
    name: String,
    loaded: LoadedSet,
    model: String,
}

#[component]
pub fn ParametersPage() -> impl IntoView {
    let device = RwSignal::new(None::<Result<Device, String>>);
    let report = RwSignal::new(None::<Result<Report, String>>);
    let filter = RwSignal::new(String::new());

    let on_files = move |files: Vec<PickedFile>| {
        let Some(file) = files.into_iter().next() else { return };
        report.set(None);
        match load_any(&file.bytes, &file.name) {
            Err(error) => device.set(Some(Err(format!("{}: {error}", file.name)))),
            Ok(loaded) => {
                let model = embedded::detect_model(loaded.set.paths()).to_owned();
                let set = loaded.set.clone();
                device.set(Some(Ok(Device { name: file.name, loaded, model: model.clone() })));
                leptos::task::spawn_local(async move {
                    let outcome = fetch_model(&model).await.map(|m| validate::validate(&set, &m));
                    report.set(Some(outcome));
                });
            }
        }
    };

    view! {
        <main class="parameters">
            <section class="panel">
                <h2>"Parameters"</h2>
                <p class="hint">
                    "Open a device's parameters: a GenieACS CSV dump, cwmpkit JSON, or SOAP "
                    "(Inform, GetParameterValues/Names/AttributesResponse, SetParameterValues). "
                    "Each is checked against its data model (TR-181, TR-098, TR-106 or the Aastra model)."
                </p>
                <div class="input-toolbar">
                    <FilePicker id="params-file" label="Open parameters…" accept=".csv,.json,.xml,.txt" on_files />
                </div>
                {move || device.get().map(|outcome| match outcome {
                    Err(message) => view! { <div class="error-box" id="params-error">{message}</div> }.into_any(),
                    Ok(device) => view! { <DeviceView device report filter /> }.into_any(),
                })}
            </section>
        </main>
    }
}

#[component]
fn DeviceView(
    device: Device,
    report: RwSignal<Option<Result<Report, String>>>,
    filter: RwSignal<String>,
) -> impl IntoView {
    let entries: Vec<_> = device.loaded.set.entries().cloned().collect();
    let total = entries.len();
    let parameters = device.loaded.set.parameter_count();
    let notes = device.loaded.notes.clone();
    let findings_by_path = Memo::new(move |_| {
        report.with(|r| {
            let mut by_path: BTreeMap<String, Vec<(Severity, String)>> = BTreeMap::new();
            if let Some(Ok(report)) = r {
                for f in &report.findings {
                    by_path
                        .entry(f.path.clone())
                        .or_default()
                        .push((f.severity, f.message.clone()));
                }
            }
            by_path
        })
    });
    let summary = move || match report.get() {
        None => "checking against the model…".to_owned(),
        Some(Err(error)) => format!("cannot check: {error}"),
        Some(Ok(report)) => {
            let counts = report
                .counts()
                .into_iter()
                .map(|(kind, n)| {
                    format!(
                        "{n} {}",
                        serde_json::to_value(kind)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "{} of {} entries known to {}; {}",
                report.known,
                report.checked,
                report.model,
                if counts.is_empty() { "no findings".to_owned() } else { counts }
            )
        }
    };
    let rows = move || {
        let needle = filter.get().to_lowercase();
        let findings = findings_by_path.get();
        entries
            .iter()
            .filter(|e| {
                needle.is_empty()
                    || e.path.to_lowercase().contains(&needle)
                    || e.value.as_deref().is_some_and(|v| v.to_lowercase().contains(&needle))
            })
            .take(ROW_LIMIT)
            .map(|e| {
                let notes = findings.get(&e.path).cloned().unwrap_or_default();
                let worst = notes.iter().map(|(s, _)| *s).max();
                let class = match worst {
                    Some(Severity::Error) => "row-error",
                    Some(Severity::Warning) => "row-warning",
                    _ => "",
                };
                let text = notes.into_iter().map(|(_, m)| m).collect::<Vec<_>>().join("\n");
                let writable = match e.writable {
                    Some(true) => "W",
                    Some(false) => "R",
                    None => "",
                };
                view! {
                    <tr class=class>
                        <td class="param-name">{e.path.clone()}</td>
                        <td class="param-type">{e.value_type.clone().unwrap_or_default()}</td>
                        <td class="param-value">{e.value.clone().unwrap_or_default()}</td>
                        <td>{writable}</td>
                        <td class="findings">{text}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <p id="params-summary">
            <strong>{device.name}</strong>
            {format!(" · {parameters} parameters, {total} entries · model {}", device.model)}
        </p>
        <p id="params-report" class="meta">{summary}</p>
        <ul class="diagnostics">
            {notes.into_iter().take(20).map(|n| view! { <li class="diagnostic warning">{n}</li> }).collect_view()}
        </ul>
        <label class="field filter">
            <span>"Filter by path or value"</span>
            <input id="params-filter" type="search" prop:value=move || filter.get() on:input:target=move |ev| filter.set(ev.target().value()) />
        </label>
        <table id="params-table">
            <thead><tr><th>"Path"</th><th>"Type"</th><th>"Value"</th><th>"Access"</th><th>"Findings"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
