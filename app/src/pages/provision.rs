//! The Provision page: write `<MAC>.cfg` files for one phone or thousands, and
//! check the files people already have. Everything happens in the browser, so
//! SIP and ACS secrets never leave it.

use crate::components::files::{FilePicker, PickedFile, download};
use crate::components::filter_field::FilterField;
use crate::components::millis;
use crate::links::{self, key};
use crate::split::split_point;
use crate::workspace::{self, ItemId, Kind, StorageError, use_workspace};
use cwmpkit_core::provision::Registry;
use cwmpkit_core::provision::generate::{
    self, AcsForm, Bulk, FileCheck, GeneratedFile, LineForm, PhoneForm, RowReport, from_form,
    generate_bulk,
};
use cwmpkit_core::{Diagnostic, Location, Severity};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

const MAX_LINES: u8 = 9;

fn severity_class(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "diagnostic info",
        Severity::Warning => "diagnostic warning",
        Severity::Error => "diagnostic error",
    }
}

fn starter_form() -> PhoneForm {
    PhoneForm {
        acs: AcsForm { periodic_inform_enable: Some(true), ..AcsForm::default() },
        lines: vec![LineForm { line: 1, ..LineForm::default() }],
        ..PhoneForm::default()
    }
}

/// Generating and checking files, and the views of what they found: a split
/// point, fetched as the page opens, so that its first screen does not wait
/// for the key registry and the generators.
#[derive(Clone, Copy)]
struct Engine {
    phone_file: fn(&PhoneForm) -> (GeneratedFile, Vec<Diagnostic>),
    bulk: fn(&[u8], Option<&[u8]>) -> BulkRun,
    check: fn(Vec<PickedFile>) -> Result<Vec<FileCheck>, String>,
    diagnostics_view: fn(Vec<Diagnostic>) -> AnyView,
    bulk_view: fn(Arc<BulkRun>) -> AnyView,
}

split_point! {
    fn provision_engine() -> Engine {
        Engine {
            phone_file: |form| from_form(form, Registry::builtin()),
            bulk: run_bulk,
            check: check_files,
            diagnostics_view: |diagnostics| view! { <FileDiagnostics diagnostics /> }.into_any(),
            bulk_view: |run| view! { <BulkTiming run=run.clone() /> <BulkReport run /> }.into_any(),
        }
    }
}

/// The engine, once fetched; the page asks for it as it opens.
fn use_engine() -> RwSignal<Option<Engine>> {
    let engine = RwSignal::new(None);
    leptos::task::spawn_local(async move { engine.set(Some(provision_engine().await)) });
    engine
}

/// CSV (and template) → files → zip, timed with the browser's clock so the
/// page can say how long it took.
fn run_bulk(csv: &[u8], template: Option<&[u8]>) -> BulkRun {
    let started = now_ms();
    let bulk = generate_bulk(csv, template, Registry::builtin()).map_err(|e| e.to_string());
    let zip = match &bulk {
        Ok(bulk) => generate::to_zip(&bulk.files).map_err(|e| e.to_string()),
        Err(message) => Err(message.clone()),
    };
    BulkRun { bulk, zip, millis: now_ms() - started }
}

/// Existing files (or zips of them), each checked against the registry.
fn check_files(files: Vec<PickedFile>) -> Result<Vec<FileCheck>, String> {
    let registry = Registry::builtin();
    let mut results = Vec::new();
    let mut plain = Vec::new();
    for file in files {
        if file.name.to_ascii_lowercase().ends_with(".zip") {
            let found = generate::check_zip(&file.bytes, registry)
                .map_err(|error| format!("{}: {error}", file.name))?;
            results.extend(found);
        } else {
            plain.push((file.name, file.bytes));
        }
    }
    results.extend(generate::check_files(&plain, registry));
    Ok(results)
}

/// What the workspace keeps of a project beside its files: the form, as typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ProjectState {
    form: PhoneForm,
    /// The numeric fields as typed (a slip such as `80a` stays on screen).
    #[serde(default)]
    port: String,
    #[serde(default)]
    interval: String,
    /// Which of the item's files is the CSV, and which the template.
    #[serde(default)]
    csv: Option<usize>,
    #[serde(default)]
    template: Option<usize>,
}

impl Default for ProjectState {
    fn default() -> Self {
        ProjectState {
            form: starter_form(),
            port: String::new(),
            interval: String::new(),
            csv: None,
            template: None,
        }
    }
}

/// A project as read from the workspace (or a new one).
#[derive(Debug, Clone, Default)]
struct Project {
    state: ProjectState,
    csv: Option<PickedFile>,
    template: Option<PickedFile>,
}

async fn load_project(id: ItemId) -> Result<Project, StorageError> {
    let item = use_workspace().open(id).await?;
    let state: ProjectState = serde_json::from_str(&item.state).unwrap_or_default();
    let file = |index: Option<usize>| index.and_then(|i| item.files.get(i).cloned());
    Ok(Project { csv: file(state.csv), template: file(state.template), state })
}

#[component]
pub fn ProvisionPage() -> impl IntoView {
    let (named, _) = links::selection::<ItemId>(key::PROJECT);
    let shown = workspace::document(named);
    let engine = use_engine();
    view! {
        <main class="provision">
            <h1 class="visually-hidden">"Provision"</h1>
            {move || {
                let id = shown.get();
                let kept = named.get_untracked() == Some(id);
                view! { <ProjectLoader id kept engine /> }
            }}
            <CheckSection engine />
        </main>
    }
}

/// Reads a kept project once, then shows it; a new project starts from the starter form.
#[component]
fn ProjectLoader(id: ItemId, kept: bool, engine: RwSignal<Option<Engine>>) -> impl IntoView {
    let project = LocalResource::new(move || async move {
        if kept { load_project(id).await } else { Ok(Project::default()) }
    });
    move || {
        project.get().map(|outcome| match outcome {
            Ok(project) => view! { <ProjectView id kept project engine /> }.into_any(),
            Err(problem) => view! {
                <div class="error-box" role="alert" id="project-error">{problem.to_string()}</div>
            }
            .into_any(),
        })
    }
}

/// One project: the form, the bulk CSV and template. Every change is kept in
/// the workspace; the first one creates the project there and names it in the URL.
#[component]
fn ProjectView(
    id: ItemId,
    kept: bool,
    project: Project,
    engine: RwSignal<Option<Engine>>,
) -> impl IntoView {
    let workspace = use_workspace();
    let navigate = use_navigate();
    let Project { state, csv, template } = project;
    let form = RwSignal::new(state.form);
    let port = RwSignal::new(state.port);
    let interval = RwSignal::new(state.interval);
    let csv = RwSignal::new(csv);
    let template = RwSignal::new(template);
    let kept = RwSignal::new(kept);
    let status =
        RwSignal::new(kept.get_untracked().then(|| Ok("kept in the workspace".to_owned())));

    let files_and_state = move || {
        let mut files = Vec::new();
        let mut role = |file: Option<PickedFile>| {
            file.map(|f| {
                files.push(f);
                files.len() - 1
            })
        };
        let state = ProjectState {
            form: form.get_untracked(),
            port: port.get_untracked(),
            interval: interval.get_untracked(),
            csv: role(csv.get_untracked()),
            template: role(template.get_untracked()),
        };
        (files, serde_json::to_string(&state).unwrap_or_default())
    };
    let report = move |outcome: Result<workspace::Entry, StorageError>| {
        status.set(Some(
            outcome
                .map(|e| format!("kept in the workspace as “{}”", e.name))
                .map_err(|e| e.to_string()),
        ));
    };
    // The first change keeps the project, named after its CSV or its day.
    let keep = move || {
        let navigate = navigate.clone();
        let (files, state) = files_and_state();
        let name =
            csv.with_untracked(|c| c.as_ref().map(|c| c.name.clone())).unwrap_or_else(|| {
                format!("provisioning {}", workspace::local_time(js_sys::Date::now() as u64))
            });
        leptos::task::spawn_local(async move {
            let outcome = workspace.create_as(id, Kind::Project, &name, files, &state).await;
            if outcome.is_ok() {
                kept.set(true);
                let options =
                    NavigateOptions { replace: true, scroll: false, ..NavigateOptions::default() };
                navigate(&links::item(Kind::Project, id), options);
            }
            report(outcome);
        });
    };
    Effect::watch(
        move || (form.track(), port.track(), interval.track()),
        {
            let keep = keep.clone();
            move |_, _, _| {
                if kept.get_untracked() {
                    workspace.save_state_soon(id, files_and_state().1, report);
                } else {
                    keep();
                }
            }
        },
        false,
    );
    Effect::watch(
        move || (csv.track(), template.track()),
        move |_, _, _| {
            if kept.get_untracked() {
                let (files, state) = files_and_state();
                leptos::task::spawn_local(async move {
                    // The state names the files' roles: both go together.
                    let outcome = match workspace.save_files(id, files).await {
                        Ok(_) => workspace.save_state(id, &state).await,
                        Err(problem) => Err(problem),
                    };
                    report(outcome);
                });
            } else {
                keep();
            }
        },
        false,
    );
    view! {
        <p class="meta" id="project-status" role="status">
            {move || status.get().map(|s| match s {
                Ok(text) => format!("This project is {text}."),
                Err(problem) => problem,
            })}
        </p>
        <PhoneSection form port interval engine />
        <BulkSection csv template engine />
    }
}

/// Findings about a file, each with its line and column, and a suggestion when there is one.
#[component]
fn FileDiagnostics(diagnostics: Vec<Diagnostic>) -> impl IntoView {
    if diagnostics.is_empty() {
        return view! { <p class="ok-note">"No findings."</p> }.into_any();
    }
    view! {
        <ul class="diagnostics provision-diagnostics">
            {diagnostics
                .into_iter()
                .map(|d| {
                    let place = if d.location == Location::Input {
                        "file name".to_owned()
                    } else {
                        d.location.to_string()
                    };
                    view! {
                        <li class=severity_class(d.severity)>
                            <span class="diagnostic-code">{d.code}</span>
                            " "
                            {d.message}
                            <span class="diagnostic-where">{format!(" · {place}")}</span>
                            {d.suggestion.map(|s| view! { <div class="meta">"did you mean: "<code>{s}</code></div> })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn TextField(
    label: &'static str,
    id: String,
    #[prop(optional)] kind: Option<&'static str>,
    #[prop(optional)] placeholder: Option<&'static str>,
    value: Signal<String>,
    on_change: impl Fn(String) + 'static,
) -> impl IntoView {
    view! {
        <label class="field">
            <span>{label}</span>
            <input
                id=id
                type=kind.unwrap_or("text")
                placeholder=placeholder.unwrap_or_default()
                autocomplete="off"
                prop:value=move || value.get()
                on:input:target=move |ev| on_change(ev.target().value())
            />
        </label>
    }
}

fn parse_number<T: std::str::FromStr>(text: &str) -> Option<T> {
    text.trim().parse().ok()
}

/// A numeric field that keeps what the user typed, so a slip such as `80a` stays
/// on screen with a message instead of vanishing; the form gets only numbers.
#[component]
fn NumberField(
    label: &'static str,
    id: &'static str,
    text: RwSignal<String>,
    on_change: impl Fn(String) + 'static,
) -> impl IntoView {
    let invalid = move || text.with(|t| !t.trim().is_empty() && parse_number::<u64>(t).is_none());
    view! {
        <label class="field">
            <span>{label}</span>
            <input
                id=id
                inputmode="numeric"
                autocomplete="off"
                class:invalid=invalid
                prop:value=move || text.get()
                on:input:target=move |ev| {
                    let value = ev.target().value();
                    text.set(value.clone());
                    on_change(value);
                }
            />
            <Show when=invalid>
                <span class="field-error">{move || format!("`{}` is not a number", text.get())}</span>
            </Show>
        </label>
    }
}

#[component]
fn PhoneSection(
    form: RwSignal<PhoneForm>,
    port: RwSignal<String>,
    interval: RwSignal<String>,
    engine: RwSignal<Option<Engine>>,
) -> impl IntoView {
    let generated = Memo::new(move |_| {
        let engine = engine.get()?;
        Some(form.with(|f| (engine.phone_file)(f)))
    });
    let file_name = move || generated.with(|g| g.as_ref().map(|(file, _)| file.name.clone()));

    let field = move |read: fn(&PhoneForm) -> String| Signal::derive(move || form.with(read));
    let lines = move || form.with(|f| f.lines.iter().map(|l| l.line).collect::<Vec<u8>>());

    view! {
        <section class="panel" id="phone-section">
            <h2>"One phone"</h2>
            <p class="hint">"Fill in what the phone needs; empty fields are left out so aastra.cfg and the phone's defaults apply."</p>
            <div class="form-grid">
                <TextField label="MAC address" id="mac".into() placeholder="00:08:5D:1A:2B:3C"
                    value=field(|f| f.mac.clone()) on_change=move |v| form.update(|f| f.mac = v) />
                <TextField label="ACS URL (tr69 server)" id="acs-url".into() placeholder="https://acs.example.net:7547/cwmp"
                    value=field(|f| f.acs.url.clone()) on_change=move |v| form.update(|f| f.acs.url = v) />
                <NumberField label="ACS port (tr69 server port)" id="acs-port" text=port
                    on_change=move |v| form.update(|f| f.acs.port = parse_number(&v)) />
                <TextField label="ACS username" id="acs-username".into()
                    value=field(|f| f.acs.username.clone()) on_change=move |v| form.update(|f| f.acs.username = v) />
                <TextField label="ACS password" id="acs-password".into() kind="password"
                    value=field(|f| f.acs.password.clone()) on_change=move |v| form.update(|f| f.acs.password = v) />
                <NumberField label="Periodic inform interval (s)" id="acs-interval" text=interval
                    on_change=move |v| form.update(|f| f.acs.periodic_inform_interval = parse_number(&v)) />
                <TextField label="Admin password" id="admin-password".into() kind="password"
                    value=field(|f| f.admin_password.clone()) on_change=move |v| form.update(|f| f.admin_password = v) />
            </div>
            <For each=lines key=|n| *n let:n>
                <LineFields form line=n />
            </For>
            <button
                class="button secondary"
                id="add-line"
                disabled=move || form.with(|f| f.lines.len() >= usize::from(MAX_LINES))
                on:click=move |_| form.update(|f| {
                    let next = (1..=MAX_LINES).find(|n| f.lines.iter().all(|l| l.line != *n));
                    if let Some(line) = next {
                        f.lines.push(LineForm { line, ..LineForm::default() });
                    }
                })
            >
                "Add a SIP line"
            </button>
            <div class="generated">
                <div class="generated-head">
                    <strong id="generated-name">{move || file_name().unwrap_or_else(|| "generating…".to_owned())}</strong>
                    <button
                        class="button"
                        id="download-cfg"
                        disabled=move || file_name().is_none()
                        on:click=move |_| generated.with(|generated| {
                            if let Some((file, _)) = generated {
                                let _ = download(&file.name, &file.bytes, "text/plain");
                            }
                        })
                    >
                        "Download"
                    </button>
                </div>
                <pre id="generated-cfg" class="cfg-preview" tabindex="0" role="region" aria-label="The generated file">
                    {move || generated.with(|g| g.as_ref().map(|(file, _)| String::from_utf8_lossy(&file.bytes).into_owned()))}
                </pre>
                {move || {
                    let engine = engine.get()?;
                    // A blank MAC is a form not yet filled in, not a mistake.
                    let mac_blank = form.with(|f| f.mac.trim().is_empty());
                    let diagnostics: Vec<Diagnostic> = generated.with(|g| {
                        g.iter()
                            .flat_map(|(_, d)| d)
                            .filter(|d| !(mac_blank && d.code == "bad-mac"))
                            .cloned()
                            .collect()
                    });
                    Some(view! {
                        <Show when=move || mac_blank>
                            <p class="hint">"Enter the phone's MAC address to name its file."</p>
                        </Show>
                        {(engine.diagnostics_view)(diagnostics)}
                    })
                }}
            </div>
        </section>
    }
}

#[component]
fn LineFields(form: RwSignal<PhoneForm>, line: u8) -> impl IntoView {
    let read = move |get: fn(&LineForm) -> String| {
        Signal::derive(move || {
            form.with(|f| f.lines.iter().find(|l| l.line == line).map(get).unwrap_or_default())
        })
    };
    let write = move |set: fn(&mut LineForm, String)| {
        move |value: String| {
            form.update(|f| {
                if let Some(l) = f.lines.iter_mut().find(|l| l.line == line) {
                    set(l, value);
                }
            })
        }
    };
    let id = move |name: &str| format!("line{line}-{name}");
    view! {
        <fieldset class="line-fields">
            <legend>{format!("SIP line {line}")}</legend>
            <div class="form-grid">
                <TextField label="Auth name" id=id("auth-name") value=read(|l| l.auth_name.clone())
                    on_change=write(|l, v| l.auth_name = v) />
                <TextField label="Password" id=id("password") kind="password" value=read(|l| l.password.clone())
                    on_change=write(|l, v| l.password = v) />
                <TextField label="User name" id=id("user-name") value=read(|l| l.user_name.clone())
                    on_change=write(|l, v| l.user_name = v) />
                <TextField label="Display name" id=id("display-name") value=read(|l| l.display_name.clone())
                    on_change=write(|l, v| l.display_name = v) />
                <TextField label="Proxy" id=id("proxy-ip") value=read(|l| l.proxy_ip.clone())
                    on_change=write(|l, v| l.proxy_ip = v) />
                <TextField label="Registrar" id=id("registrar-ip") value=read(|l| l.registrar_ip.clone())
                    on_change=write(|l, v| l.registrar_ip = v) />
            </div>
        </fieldset>
    }
}

/// Milliseconds from the page's clock, for the figures the page reports.
fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// One bulk generation, its zip, and how long both took in this browser.
struct BulkRun {
    bulk: Result<Bulk, String>,
    zip: Result<Vec<u8>, String>,
    millis: f64,
}

/// Above this many rows the table lists only rows with findings, up to this many.
const MAX_ROWS_SHOWN: usize = 200;

#[component]
fn BulkSection(
    csv: RwSignal<Option<PickedFile>>,
    template: RwSignal<Option<PickedFile>>,
    engine: RwSignal<Option<Engine>>,
) -> impl IntoView {
    // Picking a file is the action that generates: a bulk run is derived
    // from the files the project holds, once the engine is here.
    let run = Memo::new_with_compare(
        move |_| {
            let engine = engine.get()?;
            csv.with(|csv| {
                let csv = csv.as_ref()?;
                template.with(|template| {
                    let template = template.as_ref().map(|t| t.bytes.as_slice());
                    Some(Arc::new((engine.bulk)(&csv.bytes, template)))
                })
            })
        },
        // Every run is news: its timing is this run's.
        |_, _| true,
    );
    let on_csv = move |files: Vec<PickedFile>| {
        csv.set(files.into_iter().next());
    };
    let on_template = move |files: Vec<PickedFile>| {
        template.set(files.into_iter().next());
    };
    let download_zip = move |_| {
        run.with(|run| {
            if let Some(Ok(zip)) = run.as_ref().map(|r| &r.zip) {
                let _ = download("provisioning.zip", zip, "application/zip");
            }
        })
    };
    view! {
        <section class="panel" id="bulk-section">
            <h2>"Many phones"</h2>
            <p class="hint">
                "A CSV with a " <code>"mac"</code> " column, one row per phone. A column named after a key ("
                <code>"sip line1 auth name"</code> ") sets it; any column fills " <code>"{{column}}"</code>
                " in the template."
            </p>
            <div class="input-toolbar">
                <FilePicker id="bulk-csv" label="Choose CSV…" accept=".csv,.txt" on_files=on_csv />
                <span class="origin">{move || csv.with(|c| c.as_ref().map(|c| c.name.clone()).unwrap_or_default())}</span>
                <FilePicker id="bulk-template" label="Choose template…" accept=".cfg,.txt" on_files=on_template />
                <span class="origin">{move || template.with(|t| t.as_ref().map(|t| t.name.clone()).unwrap_or_default())}</span>
            </div>
            {move || run.get().map(|run| match (&run.bulk, engine.get()) {
                (Err(message), _) => view! { <div class="error-box" id="bulk-error">{message.clone()}</div> }.into_any(),
                (Ok(_), Some(engine)) => view! {
                    {(engine.bulk_view)(run)}
                    <button class="button" id="download-zip" on:click=download_zip>"Download zip"</button>
                }.into_any(),
                (Ok(_), None) => ().into_any(),
            })}
        </section>
    }
}

/// How long generating and zipping took here; `data-millis` carries the
/// unrounded figure for the benchmark that reads it.
#[component]
fn BulkTiming(run: Arc<BulkRun>) -> impl IntoView {
    let files = run.bulk.as_ref().map_or(0, |b| b.files.len());
    let zip = match &run.zip {
        Ok(zip) => format!("zip {} KB", zip.len().div_ceil(1000)),
        Err(message) => format!("no zip: {message}"),
    };
    view! {
        <p id="bulk-timing" class="meta" data-millis=millis::to_tenth(run.millis) data-files=files>
            {format!("generated {files} files in {} ms · {zip}", millis::whole(run.millis))}
        </p>
    }
}

/// One row of the bulk table, as shown.
#[derive(Debug, Clone, PartialEq)]
struct RowLine {
    csv_line: u32,
    mac: String,
    file: String,
    findings: String,
    errors: bool,
}

impl RowLine {
    fn of(row: &RowReport) -> RowLine {
        let findings = row
            .diagnostics
            .iter()
            // Without a place, it is the row itself (a bad MAC, no file).
            .map(|d| match (d.location.line_number(), d.location.column_number()) {
                (Some(line), Some(column)) => {
                    format!("{} ({line}:{column}): {}", d.severity, d.message)
                }
                (Some(line), None) => format!("{} ({line}): {}", d.severity, d.message),
                _ => format!("{}: {}", d.severity, d.message),
            })
            .collect::<Vec<_>>()
            .join("\n");
        RowLine {
            csv_line: row.csv_line,
            mac: row.mac.clone().unwrap_or_default(),
            file: row.file_name.clone().unwrap_or_default(),
            findings,
            errors: row.has_errors(),
        }
    }

    fn matches(&self, needle: &str) -> bool {
        [&self.mac, &self.file, &self.findings].iter().any(|t| t.to_lowercase().contains(needle))
    }
}

#[component]
fn BulkReport(run: Arc<BulkRun>) -> impl IntoView {
    let Ok(bulk) = &run.bulk else { return ().into_any() };
    let (filter, set_filter) = links::filter(key::FILTER);
    let with_errors = bulk.rows.iter().filter(|r| r.has_errors()).count();
    let total = bulk.rows.len();
    let lines: Arc<Vec<RowLine>> = Arc::new(bulk.rows.iter().map(RowLine::of).collect());
    let shown = Memo::new({
        let lines = lines.clone();
        move |_| {
            let needle = filter.get().unwrap_or_default().to_lowercase();
            let many = lines.len() > MAX_ROWS_SHOWN;
            lines
                .iter()
                .filter(|line| {
                    if needle.is_empty() {
                        !many || !line.findings.is_empty()
                    } else {
                        line.matches(&needle)
                    }
                })
                .take(MAX_ROWS_SHOWN)
                .cloned()
                .collect::<Vec<RowLine>>()
        }
    });
    let note = move || {
        let shown = shown.with(Vec::len);
        match filter.get() {
            Some(_) => Some(format!("{shown} matching rows shown (at most {MAX_ROWS_SHOWN}).")),
            None if total > MAX_ROWS_SHOWN && shown < total => {
                Some(format!("{total} rows: the table lists the first {shown} with findings."))
            }
            None => None,
        }
    };
    view! {
        <p id="bulk-summary">
            {format!("{} files from {} rows · {} row(s) with errors", bulk.files.len(), total, with_errors)}
        </p>
        <ul class="diagnostics">
            {bulk.notes.iter().map(|n| view! { <li class="diagnostic warning">{n.clone()}</li> }).collect_view()}
        </ul>
        <FilterField id="bulk-filter" label="Filter rows by MAC, file or finding" filter set_filter inline=true />
        {move || note().map(|text| view! { <p class="hint" id="bulk-rows-omitted">{text}</p> })}
        <div class="table-wrap" tabindex="0" role="region" aria-label="The CSV's rows">
            <table id="bulk-rows">
                <thead><tr><th scope="col">"CSV line"</th><th scope="col">"MAC"</th><th scope="col">"File"</th><th scope="col">"Findings"</th></tr></thead>
                <tbody>
                    {move || shown.get().into_iter().map(|line| view! {
                        <tr class=if line.errors { "row-error" } else { "" }>
                            <td>{line.csv_line}</td>
                            <td>{line.mac}</td>
                            <td>{line.file}</td>
                            <td class="findings">{line.findings}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn CheckSection(engine: RwSignal<Option<Engine>>) -> impl IntoView {
    let checks = RwSignal::new(None::<Result<Vec<FileCheck>, String>>);
    let on_files = move |files: Vec<PickedFile>| {
        leptos::task::spawn_local(async move {
            let engine = provision_engine().await;
            checks.set(Some((engine.check)(files)));
        });
    };
    view! {
        <section class="panel" id="check-section">
            <h2>"Check existing files"</h2>
            <p class="hint">"Open aastra.cfg, <MAC>.cfg files or a zip of them: every key is checked against the registry."</p>
            <div class="input-toolbar">
                <FilePicker id="check-files" label="Choose files…" accept=".cfg,.zip,.txt" multiple=true on_files />
            </div>
            {move || checks.get().map(|outcome| match (outcome, engine.get()) {
                (Err(message), _) => view! { <div class="error-box">{message}</div> }.into_any(),
                (Ok(checks), Some(engine)) => checks.into_iter().map(|check| view! {
                    <div class="file-check">
                        <h3 class="file-name">{check.name}</h3>
                        {(engine.diagnostics_view)(check.diagnostics)}
                    </div>
                }).collect_view().into_any(),
                (Ok(_), None) => ().into_any(),
            })}
        </section>
    }
}
