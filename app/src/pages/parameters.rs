//! The Parameters page: open a device's parameters (a GenieACS dump, our JSON,
//! or SOAP responses), see each one against its data model, and find what
//! deviates; edit writable values (each edit checked against the model) and
//! turn the edits into RPCs; compare with a second set and plan the RPCs that
//! make the first look like the second. The schemas are fetched from the app's
//! own origin the first time a model is needed, so they do not weigh on the
//! app's start.

use crate::components::files::{FilePicker, PickedFile};
use crate::components::filter_field::FilterField;
use crate::components::keys::move_in_list;
use crate::components::path::PathText;
use crate::components::plan::PlanView;
use crate::links::{self, key};
use crate::split::split_point;
use crate::workspace::{ItemId, Kind, use_workspace};
use cwmpkit_core::model::diff::{Change, diff};
use cwmpkit_core::model::embedded::{self, EmbeddedError};
use cwmpkit_core::model::load::{LoadedSet, load_any};
use cwmpkit_core::model::plan::{Plan, PlanOptions, plan, writability};
use cwmpkit_core::model::schema::{Model, Schema, compiled};
use cwmpkit_core::model::set::{Entry, ParameterSet};
use cwmpkit_core::model::validate::{self, check_edit};
use cwmpkit_core::{Diagnostic, Severity};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
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

/// Fetched models by name (or why a model could not be fetched).
type Models = HashMap<String, Result<Arc<Model>, String>>;
/// Edited values by path.
type Edits = BTreeMap<String, String>;

fn open(file: PickedFile) -> Result<Arc<Device>, String> {
    let loaded = load_any(&file.bytes, &file.name).map_err(|e| format!("{}: {e}", file.name))?;
    let model = embedded::detect_model(loaded.set.paths()).to_owned();
    Ok(Arc::new(Device { name: file.name, loaded, model }))
}

/// Fetches the model `name` into `models`, once.
fn fetch_into(name: String, models: RwSignal<Models>) {
    if models.with_untracked(|m| m.contains_key(&name)) {
        return;
    }
    leptos::task::spawn_local(async move {
        let outcome = fetch_model(&name).await.map(Arc::new);
        models.update(|m| {
            m.insert(name, outcome);
        });
    });
}

/// `current` with the edited values.
fn with_edits(current: &ParameterSet, edits: &Edits) -> ParameterSet {
    let mut desired = current.clone();
    for (path, value) in edits {
        if let Some(entry) = desired.get_mut(path) {
            entry.value = Some(value.clone());
        }
    }
    desired
}

fn severity_class(severity: Option<Severity>) -> &'static str {
    match severity {
        Some(Severity::Error) => "row-error",
        Some(Severity::Warning) => "row-warning",
        _ => "",
    }
}

/// The page's code beyond its first screen: reading a set, fetching and
/// composing its model, and everything shown about it. A split point, so
/// opening the app at this page does not wait for it.
#[derive(Clone, Copy)]
struct Engine {
    open: fn(PickedFile) -> Result<Arc<Device>, String>,
    fetch_model: fn(String, RwSignal<Models>),
    set_view: fn(SetArgs) -> AnyView,
}

split_point! {
    fn parameters_engine() -> Engine {
        Engine {
            open,
            fetch_model: fetch_into,
            set_view: |args| view! { <SetView args /> }.into_any(),
        }
    }
}

/// What the page keeps of a set in the workspace beside its file: the edits
/// and the ParameterKey they go out with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct SavedState {
    #[serde(default)]
    edits: Edits,
    #[serde(default = "default_key")]
    key: String,
}

fn default_key() -> String {
    "cwmpkit".to_owned()
}

impl Default for SavedState {
    fn default() -> Self {
        SavedState { edits: Edits::new(), key: default_key() }
    }
}

/// A set as the page shows it: read, its workspace id (none when it could not
/// be kept), and the state saved with it.
#[derive(Clone)]
struct OpenedSet {
    engine: Engine,
    device: Arc<Device>,
    id: Option<ItemId>,
    saved: SavedState,
}

/// Reads a kept set back (its first file, and its saved state), and fetches its model.
async fn reopen(id: ItemId, models: RwSignal<Models>) -> Result<OpenedSet, String> {
    let engine = parameters_engine().await;
    let item = use_workspace().open(id).await.map_err(|e| e.to_string())?;
    let file = item.files.into_iter().next().ok_or("the kept set has no file")?;
    let device = (engine.open)(file)?;
    (engine.fetch_model)(device.model.clone(), models);
    let saved = serde_json::from_str(&item.state).unwrap_or_default();
    Ok(OpenedSet { engine, device, id: Some(id), saved })
}

/// Reads a file the user picked, and keeps it in the workspace; `Err` when it
/// is not a parameter set. Returns the set, kept or not (a refused write is
/// the shell's notice; the set is shown anyway).
async fn keep(file: PickedFile) -> Result<OpenedSet, String> {
    let engine = parameters_engine().await;
    let device = (engine.open)(file.clone())?;
    let saved = SavedState::default();
    let state = serde_json::to_string(&saved).unwrap_or_default();
    let id = use_workspace()
        .create(Kind::ParameterSet, &file.name.clone(), vec![file], &state)
        .await
        .ok()
        .map(|entry| entry.id);
    Ok(OpenedSet { engine, device, id, saved })
}

/// What the view of an opened set works on.
struct SetArgs {
    opened: OpenedSet,
    models: RwSignal<Models>,
    filter: Memo<Option<String>>,
    set_filter: SignalSetter<Option<String>>,
    path: Memo<Option<String>>,
    set_path: SignalSetter<Option<String>>,
    compared: Signal<Option<Result<Arc<Device>, String>>>,
    compare_with: Callback<PickedFile>,
}

#[component]
pub fn ParametersPage() -> impl IntoView {
    let workspace = use_workspace();
    let (set_id, set_set_id) = links::selection::<ItemId>(key::SET);
    let (compare_id, set_compare_id) = links::selection::<ItemId>(key::COMPARE);
    let (filter, set_filter) = links::filter(key::FILTER);
    let (path, set_path) = links::selection::<String>(key::PATH);
    let models = RwSignal::new(Models::new());
    // The set on screen: the one the URL names, or one just opened that the
    // browser would not keep (it has no URL).
    let unkept = RwSignal::new(None::<Result<OpenedSet, String>>);
    let kept = LocalResource::new(move || {
        let id = set_id.get();
        async move {
            match id {
                Some(id) => Some(reopen(id, models).await),
                None => None,
            }
        }
    });
    let compared = LocalResource::new(move || {
        let id = compare_id.get();
        async move {
            let id = id?;
            let engine = parameters_engine().await;
            let item = match workspace.open(id).await {
                Ok(item) => item,
                Err(problem) => return Some(Err(problem.to_string())),
            };
            let file = item.files.into_iter().next()?;
            Some((engine.open)(file))
        }
    });
    // A compared file that is not a parameter set is not kept: it shows its error.
    let unkept_compare = RwSignal::new(None::<Result<Arc<Device>, String>>);
    let compared = Signal::derive(move || match compare_id.get() {
        Some(_) => compared.get().flatten(),
        None => unkept_compare.get(),
    });
    let shown = Signal::derive(move || match set_id.get() {
        Some(_) => kept.get().flatten(),
        None => unkept.get(),
    });

    let on_files = move |files: Vec<PickedFile>| {
        let Some(file) = files.into_iter().next() else { return };
        leptos::task::spawn_local(async move {
            let outcome = keep(file).await;
            if let Ok(opened) = &outcome {
                (opened.engine.fetch_model)(opened.device.model.clone(), models);
            }
            match outcome {
                Ok(OpenedSet { id: Some(id), .. }) => {
                    unkept.set(None);
                    set_set_id.set(Some(id));
                }
                other => {
                    unkept.set(Some(other));
                    set_set_id.set(None);
                }
            }
        });
    };
    let compare_with = Callback::new(move |file: PickedFile| {
        leptos::task::spawn_local(async move {
            let engine = parameters_engine().await;
            let opened = (engine.open)(file.clone());
            let kept = match &opened {
                Ok(_) => {
                    let state = serde_json::to_string(&SavedState::default()).unwrap_or_default();
                    let name = file.name.clone();
                    workspace.create(Kind::ParameterSet, &name, vec![file], &state).await.ok()
                }
                Err(_) => None,
            };
            match kept {
                Some(entry) => {
                    unkept_compare.set(None);
                    set_compare_id.set(Some(entry.id));
                }
                None => {
                    unkept_compare.set(Some(opened));
                    set_compare_id.set(None);
                }
            }
        });
    });

    view! {
        <main class="parameters">
            <section class="panel">
                <h1>"Parameters"</h1>
                <p class="hint">
                    "Open a device's parameters: a GenieACS CSV dump, cwmpkit JSON, or SOAP "
                    "(Inform, GetParameterValues/Names/AttributesResponse, SetParameterValues). "
                    "Each is checked against its data model (TR-181, TR-098, TR-106 or the Aastra model). "
                    "Edit writable values to get the RPCs that set them, or compare with a second set."
                </p>
                <div class="input-toolbar">
                    <FilePicker id="params-file" label="Open parameters…" accept=".csv,.json,.xml,.txt" on_files />
                </div>
                {move || shown.get().map(|outcome| match outcome {
                    Err(message) => view! { <div class="error-box" id="params-error" role="alert">{message}</div> }.into_any(),
                    Ok(opened) => (opened.engine.set_view)(SetArgs {
                        opened, models, filter, set_filter, path, set_path, compared, compare_with,
                    }),
                })}
            </section>
        </main>
    }
}

/// One opened set: its edits and ParameterKey live here, initialised from the
/// workspace and saved back to it as they change.
#[component]
fn SetView(args: SetArgs) -> impl IntoView {
    let SetArgs { opened, models, filter, set_filter, path, set_path, compared, compare_with } =
        args;
    let edits = RwSignal::new(opened.saved.edits.clone());
    let key = RwSignal::new(opened.saved.key.clone());
    if let Some(id) = opened.id {
        let workspace = use_workspace();
        // Keeps the edits in the workspace: a write to IndexedDB, no signal.
        Effect::watch(
            move || (edits.get(), key.get()),
            move |(edits, key), _, _| {
                let state =
                    serde_json::to_string(&SavedState { edits: edits.clone(), key: key.clone() })
                        .unwrap_or_default();
                leptos::task::spawn_local(async move {
                    let _ = workspace.save_state(id, &state).await;
                });
            },
            false,
        );
    }
    view! {
        <DeviceView device=opened.device models edits filter set_filter path set_path compared compare_with key />
    }
}

#[component]
fn DeviceView(
    device: Arc<Device>,
    models: RwSignal<Models>,
    edits: RwSignal<Edits>,
    filter: Memo<Option<String>>,
    set_filter: SignalSetter<Option<String>>,
    path: Memo<Option<String>>,
    set_path: SignalSetter<Option<String>>,
    compared: Signal<Option<Result<Arc<Device>, String>>>,
    compare_with: Callback<PickedFile>,
    key: RwSignal<String>,
) -> impl IntoView {
    let model_name = device.model.clone();
    let model = {
        let name = model_name.clone();
        Signal::derive(move || models.with(|m| m.get(&name).cloned()))
    };
    let report = {
        let device = device.clone();
        Memo::new(move |_| {
            model.get().map(|m| m.map(|m| validate::validate(&device.loaded.set, &m)))
        })
    };
    let findings_by_path = Memo::new(move |_| {
        report.with(|r| {
            let mut by_path: BTreeMap<String, Vec<(Severity, String)>> = BTreeMap::new();
            if let Some(Ok(report)) = r {
                for f in &report.findings {
                    let path = f.location.path().unwrap_or_default().to_owned();
                    by_path.entry(path).or_default().push((f.severity, f.message.clone()));
                }
            }
            by_path
        })
    });
    let edit_findings = {
        let device = device.clone();
        Memo::new(move |_| {
            let Some(Ok(model)) = model.get() else { return BTreeMap::new() };
            edits.with(|edits| {
                edits
                    .iter()
                    .map(|(path, value)| {
                        (path.clone(), check_edit(&device.loaded.set, path, value, &model))
                    })
                    .collect::<BTreeMap<String, Vec<Diagnostic>>>()
            })
        })
    };
    let edit_plan = {
        let device = device.clone();
        Memo::new(move |_| {
            let model = model.get().and_then(Result::ok);
            edits.with(|edits| {
                if edits.is_empty() {
                    return None;
                }
                let current = &device.loaded.set;
                let options = PlanOptions {
                    model: model.as_deref(),
                    parameter_key: key.get(),
                    ..PlanOptions::default()
                };
                Some(plan(current, &with_edits(current, edits), &options))
            })
        })
    };
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
    let entries: Arc<Vec<Entry>> = Arc::new(device.loaded.set.entries().cloned().collect());
    let total = entries.len();
    let parameters = device.loaded.set.parameter_count();
    let notes = device.loaded.diagnostics.clone();
    let matching = {
        let entries = entries.clone();
        Memo::new(move |_| {
            let needle = filter.get().unwrap_or_default().to_lowercase();
            entries
                .iter()
                .enumerate()
                .filter(|(_, e)| {
                    needle.is_empty()
                        || e.path.to_lowercase().contains(&needle)
                        || e.value.as_deref().is_some_and(|v| v.to_lowercase().contains(&needle))
                })
                .map(|(index, _)| index)
                .collect::<Vec<usize>>()
        })
    };
    let rows = {
        let entries = entries.clone();
        move || {
            let findings = findings_by_path.get();
            let model = model.get().and_then(Result::ok);
            matching.with(|matching| {
                matching
                    .iter()
                    .take(ROW_LIMIT)
                    .filter_map(|index| entries.get(*index))
                    .map(|e| {
                        let notes = findings.get(&e.path).cloned().unwrap_or_default();
                        let access = if e.object {
                            Err("an object has no value".to_owned())
                        } else {
                            writability(&e.path, Some(e), None, model.as_deref())
                        };
                        view! { <ParamRow entry=e.clone() notes access edits edit_findings path set_path /> }
                    })
                    .collect_view()
            })
        }
    };
    let shown = move || {
        let n = matching.with(Vec::len);
        if n > ROW_LIMIT {
            format!(
                "showing {ROW_LIMIT} of {n} matching entries; narrow the filter to see the rest"
            )
        } else {
            format!("{n} matching {}", if n == 1 { "entry" } else { "entries" })
        }
    };
    let stem = device.name.rsplit_once('.').map_or(device.name.as_str(), |(s, _)| s).to_owned();
    let aastra_model = model_name == "aastra";
    view! {
        <p id="params-summary">
            <strong>{device.name.clone()}</strong>
            {format!(" · {parameters} parameters, {total} entries · model {model_name}")}
        </p>
        <p id="params-report" class="meta">{summary}</p>
        <ul class="diagnostics">
            {notes.into_iter().take(20).map(|n| view! { <li class="diagnostic warning">{n.to_string()}</li> }).collect_view()}
        </ul>
        <PendingEdits device=device.clone() edits edit_findings />
        <div class="edit-plan" class:hidden=move || edits.with(BTreeMap::is_empty)>
            <h3 class="section-title">"As RPCs"</h3>
            <PlanView plan=edit_plan prefix="edit" file_stem=format!("{stem}-edits") aastra_model key />
        </div>
        <FilterField id="params-filter" label="Filter by path or value" filter set_filter />
        <p class="meta" id="params-shown">{shown}</p>
        <table id="params-table">
            <thead><tr><th>"Path"</th><th>"Type"</th><th>"Value"</th><th>"Access"</th><th>"Findings"</th></tr></thead>
            <tbody on:keydown=move |ev| { move_in_list(&ev); }>{rows}</tbody>
        </table>
        <CompareSection device model compared compare_with key />
    }
}

/// One entry of the table. A parameter's value can be edited in place when
/// the device and the model allow writing it; otherwise trying says why not.
#[component]
fn ParamRow(
    entry: Entry,
    notes: Vec<(Severity, String)>,
    access: Result<(), String>,
    edits: RwSignal<Edits>,
    edit_findings: Memo<BTreeMap<String, Vec<Diagnostic>>>,
    /// The selected parameter (the URL's `path`).
    #[prop(name = "path")]
    selected_path: Memo<Option<String>>,
    set_path: SignalSetter<Option<String>>,
) -> impl IntoView {
    let class = severity_class(notes.iter().map(|(s, _)| *s).max());
    let text = notes.into_iter().map(|(_, m)| m).collect::<Vec<_>>().join("\n");
    let writable = match entry.writable {
        Some(true) => "W",
        Some(false) => "R",
        None => "",
    };
    let path = StoredValue::new(entry.path.clone());
    let original = StoredValue::new(entry.value.clone().unwrap_or_default());
    let access = StoredValue::new(access);
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    let edited = Memo::new(move |_| path.with_value(|p| edits.with(|e| e.get(p).cloned())));
    let selected =
        Memo::new(move |_| selected_path.with(|s| path.with_value(|p| s.as_deref() == Some(p))));
    let select = move || {
        if !selected.get_untracked() {
            set_path.set(Some(path.get_value()));
        }
    };
    // A link naming this row shows it, wherever it is in the table.
    let row = NodeRef::<leptos::html::Tr>::new();
    row.on_load(move |row| {
        if selected.get_untracked() {
            let options = web_sys::ScrollIntoViewOptions::new();
            options.set_block(web_sys::ScrollLogicalPosition::Center);
            row.scroll_into_view_with_scroll_into_view_options(&options);
        }
    });
    let start = move |_| {
        draft.set(edited.get_untracked().unwrap_or_else(|| original.get_value()));
        editing.set(true);
    };
    let apply = move || {
        let value = draft.get_untracked();
        let path = path.get_value();
        edits.update(|e| {
            if value == original.get_value() {
                e.remove(&path);
            } else {
                e.insert(path, value);
            }
        });
        editing.set(false);
    };
    // The row keeps the focus the editor had, so the keyboard goes on from there.
    let back_to_row = move || {
        if let Some(row) = row.get_untracked() {
            let _ = row.focus();
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Enter" => {
            ev.stop_propagation();
            apply();
            back_to_row();
        }
        "Escape" => {
            ev.stop_propagation();
            editing.set(false);
            back_to_row();
        }
        _ => {}
    };
    let value_cell = move || {
        if editing.get() {
            return match access.get_value() {
                Err(reason) => view! {
                    <span class="edit-refused">{format!("not editable: {reason}")}</span>
                    " "
                    <button class="button secondary edit-cancel" on:click=move |_| editing.set(false)>"OK"</button>
                }
                .into_any(),
                Ok(()) => view! {
                    <input
                        class="edit-input"
                        aria-label=path.with_value(|p| format!("New value of {p}"))
                        node_ref={
                            // The keyboard goes on where the edit begins.
                            let field = NodeRef::<leptos::html::Input>::new();
                            field.on_load(move |field| {
                                // The value first: `prop:value` is set after this runs,
                                // and selecting an empty field selects nothing.
                                field.set_value(&draft.get_untracked());
                                let _ = field.focus();
                                field.select();
                            });
                            field
                        }
                        prop:value=move || draft.get()
                        on:input:target=move |ev| draft.set(ev.target().value())
                        on:keydown=on_key
                    />
                    " "
                    <button class="button edit-apply" on:click=move |_| apply()>"Apply"</button>
                    " "
                    <button class="button secondary edit-cancel" on:click=move |_| editing.set(false)>"Cancel"</button>
                }
                .into_any(),
            };
        }
        match edited.get() {
            Some(new) => view! {
                <del>{original.get_value()}</del>
                " → "
                <ins class="edited-value">{new}</ins>
            }
            .into_any(),
            None => original.get_value().into_any(),
        }
    };
    let edit_notes = move || {
        path.with_value(|p| {
            edit_findings.with(|f| {
                f.get(p).map(|findings| {
                    findings
                        .iter()
                        .map(|f| view! { <span class=format!("edit-finding {}", severity_class(Some(f.severity)))>{format!("edit: {}", f.message)}</span> })
                        .collect_view()
                })
            })
        })
    };
    let can_edit = !entry.object;
    view! {
        <tr
            class=class
            class:edited=move || edited.with(Option::is_some)
            class:selected=selected
            aria-current=move || selected.get().then_some("true")
            data-nav
            tabindex="-1"
            node_ref=row
            on:click=move |_| select()
            on:keydown=move |ev| {
                if ev.key() == "Enter" && !editing.get_untracked() {
                    select();
                }
            }
        >
            <td class="param-name"><PathText path=entry.path.clone()/></td>
            <td class="param-type">{entry.value_type.clone().unwrap_or_default()}</td>
            <td class="param-value">{value_cell}</td>
            <td>
                {writable}
                {can_edit.then(|| view! { " " <button class="link edit-value" title="Edit this value" on:click=start>"edit"</button> })}
            </td>
            <td class="findings">{text}{edit_notes}</td>
        </tr>
    }
}

/// The edits not yet sent, each with what the model says about it.
#[component]
fn PendingEdits(
    device: Arc<Device>,
    edits: RwSignal<Edits>,
    edit_findings: Memo<BTreeMap<String, Vec<Diagnostic>>>,
) -> impl IntoView {
    move || {
        edits.with(|pending| {
            if pending.is_empty() {
                return ().into_any();
            }
            let findings = edit_findings.get();
            let rows = pending
                .iter()
                .map(|(path, value)| {
                    let before = device
                        .loaded
                        .set
                        .get(path)
                        .and_then(|e| e.value.clone())
                        .unwrap_or_default();
                    let (class, text) = match findings.get(path) {
                        // The model is not fetched yet.
                        None => ("", String::new()),
                        Some(notes) if notes.is_empty() => ("", "no findings".to_owned()),
                        Some(notes) => (
                            severity_class(notes.iter().map(|f| f.severity).max()),
                            notes.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join("\n"),
                        ),
                    };
                    let undo = {
                        let path = path.clone();
                        move |_| edits.update(|e| {
                            e.remove(&path);
                        })
                    };
                    view! {
                        <tr class=class>
                            <td class="param-name"><PathText path=path.clone()/></td>
                            <td class="param-value"><del>{before}</del></td>
                            <td class="param-value"><ins>{value.clone()}</ins></td>
                            <td class="findings">{text}</td>
                            <td><button class="button secondary edit-undo" on:click=undo>"Undo"</button></td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <section class="pending" id="params-edits">
                    <div class="generated-head">
                        <h3 class="section-title">{format!("Pending changes ({})", pending.len())}</h3>
                        <button class="button secondary" id="params-edits-clear" on:click=move |_| edits.set(Edits::new())>"Clear all"</button>
                    </div>
                    <table>
                        <thead><tr><th>"Path"</th><th>"Now"</th><th>"Edited"</th><th>"Model says"</th><th></th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </section>
            }
            .into_any()
        })
    }
}

/// Which group of the diff a change belongs to, and how it reads in a row.
fn describe(change: &Change) -> (&'static str, &'static str, String, String) {
    let shown = |v: &Option<String>| v.clone().unwrap_or_default();
    match change {
        Change::InstanceAdded { .. } => ("added", "+ instance", String::new(), String::new()),
        Change::InstanceRemoved { .. } => ("removed", "− instance", String::new(), String::new()),
        Change::Added { value, .. } => ("added", "+", String::new(), shown(value)),
        Change::Removed { value, .. } => ("removed", "−", shown(value), String::new()),
        Change::ValueChanged { from, to, .. } => ("changed", "value", shown(from), shown(to)),
        Change::NotificationChanged { from, to, .. } => (
            "changed",
            "notification",
            from.map(|n| n.to_string()).unwrap_or_default(),
            to.map(|n| n.to_string()).unwrap_or_default(),
        ),
        Change::AccessListChanged { from, to, .. } => (
            "changed",
            "access list",
            from.as_ref().map(|l| l.join(",")).unwrap_or_default(),
            to.as_ref().map(|l| l.join(",")).unwrap_or_default(),
        ),
        Change::WritableChanged { from, to, .. } => (
            "changed",
            "writable",
            from.map(|w| w.to_string()).unwrap_or_default(),
            to.map(|w| w.to_string()).unwrap_or_default(),
        ),
    }
}

#[component]
fn CompareSection(
    device: Arc<Device>,
    model: Signal<Option<Result<Arc<Model>, String>>>,
    compared: Signal<Option<Result<Arc<Device>, String>>>,
    compare_with: Callback<PickedFile>,
    key: RwSignal<String>,
) -> impl IntoView {
    let on_files = move |files: Vec<PickedFile>| {
        if let Some(file) = files.into_iter().next() {
            compare_with.run(file);
        }
    };
    view! {
        <section class="compare" id="params-compare">
            <h3 class="section-title">"Compare"</h3>
            <div class="input-toolbar">
                <FilePicker id="params-compare-file" label="Compare with…" accept=".csv,.json,.xml,.txt" on_files />
                <span class="meta">"A second set (B) of any source: what changes from this one (A) to it, and the RPCs that make A look like B."</span>
            </div>
            {move || compared.get().map(|outcome| match outcome {
                Err(message) => view! { <div class="error-box" id="diff-error">{message}</div> }.into_any(),
                Ok(b) => view! { <DiffView a=device.clone() b model key /> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn DiffView(
    a: Arc<Device>,
    b: Arc<Device>,
    model: Signal<Option<Result<Arc<Model>, String>>>,
    key: RwSignal<String>,
) -> impl IntoView {
    let changes: Arc<Vec<Change>> = Arc::new(diff(&a.loaded.set, &b.loaded.set));
    let count = |group: &str| changes.iter().filter(|c| describe(c).0 == group).count();
    let summary = format!(
        "{} → {}: {} changes · {} added, {} removed, {} changed",
        a.name,
        b.name,
        changes.len(),
        count("added"),
        count("removed"),
        count("changed")
    );
    let (group, set_group) = links::filter(key::CHANGES);
    let group = Signal::derive(move || group.get().unwrap_or_else(|| "all".to_owned()));
    let (needle, set_needle) = links::filter(key::DIFF_FILTER);
    let needle = Signal::derive(move || needle.get().unwrap_or_default());
    let exact = RwSignal::new(true);
    let rows = {
        let changes = changes.clone();
        move || {
            let group = group.get();
            let needle = needle.get().to_lowercase();
            let matching: Vec<&Change> = changes
                .iter()
                .filter(|c| {
                    let (g, _, from, to) = describe(c);
                    (group == "all" || g == group)
                        && (needle.is_empty()
                            || c.path().to_lowercase().contains(&needle)
                            || from.to_lowercase().contains(&needle)
                            || to.to_lowercase().contains(&needle))
                })
                .collect();
            let rows = matching
                .iter()
                .take(ROW_LIMIT)
                .map(|c| {
                    let (g, label, from, to) = describe(c);
                    view! {
                        <tr class=format!("diff-{g}")>
                            <td>{label}</td>
                            <td class="param-name"><PathText path=c.path().to_owned()/></td>
                            <td class="param-value">{from}</td>
                            <td class="param-value">{to}</td>
                        </tr>
                    }
                })
                .collect_view();
            let (shown, matching) = (matching.len().min(ROW_LIMIT), matching.len());
            let note = if matching > shown {
                format!("showing {shown} of {matching}; narrow the filter to see the rest")
            } else {
                format!("{matching} shown")
            };
            view! {
                <p class="meta" id="diff-shown">{note}</p>
                <table id="diff-table">
                    <thead><tr><th>"Change"</th><th>"Path"</th><th>"A"</th><th>"B"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }
        }
    };
    let diff_plan = {
        let (a, b) = (a.clone(), b.clone());
        Memo::new(move |_| {
            let model = model.get().and_then(Result::ok);
            let options = PlanOptions {
                model: model.as_deref(),
                parameter_key: key.get(),
                ..PlanOptions::default()
            };
            let current = &a.loaded.set;
            let desired = if exact.get() {
                b.loaded.set.clone()
            } else {
                // B overlays A: what B does not mention stays as it is.
                let mut overlay = current.clone();
                overlay.merge(b.loaded.set.clone());
                overlay
            };
            Some::<Plan>(plan(current, &desired, &options))
        })
    };
    let stem = |name: &str| name.rsplit_once('.').map_or(name, |(s, _)| s).to_owned();
    let file_stem = format!("{}-to-{}", stem(&a.name), stem(&b.name));
    view! {
        <p id="diff-summary"><strong>{summary}</strong></p>
        <div class="input-toolbar">
            <label class="field inline">
                <span>"Show"</span>
                <select
                    id="diff-group"
                    prop:value=move || group.get()
                    on:change:target=move |ev| {
                        let choice = ev.target().value();
                        set_group.set((choice != "all").then_some(choice));
                    }
                >
                    <option value="all" selected=move || group.get() == "all">"all changes"</option>
                    <option value="added" selected=move || group.get() == "added">"added"</option>
                    <option value="removed" selected=move || group.get() == "removed">"removed"</option>
                    <option value="changed" selected=move || group.get() == "changed">"changed"</option>
                </select>
            </label>
            <label class="field inline filter">
                <span>"Filter by path or value"</span>
                <input
                    id="diff-filter"
                    type="search"
                    prop:value=move || needle.get()
                    on:input:target=move |ev| {
                        let text = ev.target().value();
                        set_needle.set((!text.is_empty()).then_some(text));
                    }
                />
            </label>
        </div>
        {rows}
        <h3 class="section-title">"Make A look like B"</h3>
        <label class="meta">
            <input type="checkbox" id="diff-exact" prop:checked=move || exact.get() on:change:target=move |ev| exact.set(ev.target().checked()) />
            " B is complete: delete the rows B does not have (otherwise B only adds and changes)"
        </label>
        <PlanView plan=diff_plan prefix="diff" file_stem aastra_model=a.model == "aastra" key />
    }
}
