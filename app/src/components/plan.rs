//! A plan shown as what an ACS would send: the RPCs as SOAP envelopes in the
//! chosen CWMP version (to copy; the download also carries what cannot be done,
//! as comments, like `cwmpkit params plan`), what cannot be done and why, and,
//! where the Aastra registry knows the parameters, the same values as
//! `aastra.cfg` lines. The plan can be handed to the Live page, to queue on a
//! device the relay knows.

use crate::components::files::download;
use crate::components::genieacs::{self, GenieacsDownloads};
use crate::components::path::PathText;
use crate::links::Page;
use crate::pages::live::{HandedPlan, hand_over_plan};
use cwmpkit_core::api::TaskForm;
use cwmpkit_core::cwmp::CwmpVersion;
use cwmpkit_core::genieacs::{AppliesTo, ExportOptions, from_plan};
use cwmpkit_core::model::plan::{Plan, PlannedRpc, render_envelopes, render_soap};
use cwmpkit_core::provision::Registry;
use cwmpkit_core::provision::mapping::{Parameter, ToConfig, from_parameters};
use leptos::prelude::*;

/// Items of a long list shown at once.
const LIST_LIMIT: usize = 200;

fn version_of(choice: &str) -> CwmpVersion {
    match choice {
        "1.1" => CwmpVersion::V1_1,
        "1.2" => CwmpVersion::V1_2,
        _ => CwmpVersion::V1_0,
    }
}

/// What the plan sends, counted: `2 AddObject · SetParameterValues (37 values) · 40 DeleteObject`.
fn rpc_summary(plan: &Plan) -> String {
    let (mut adds, mut deletes, mut sets, mut values, mut attributes, mut names) =
        (0, 0, 0, 0, 0, 0);
    for rpc in &plan.rpcs {
        match rpc {
            PlannedRpc::AddObject { .. } => adds += 1,
            PlannedRpc::DeleteObject { .. } => deletes += 1,
            PlannedRpc::SetParameterValues { parameter_list, .. } => {
                sets += 1;
                values += parameter_list.len();
            }
            PlannedRpc::SetParameterAttributes { parameter_list } => {
                attributes += 1;
                names += parameter_list.len();
            }
        }
    }
    let times = |n: usize, rpc: &str| if n == 1 { rpc.to_owned() } else { format!("{n} {rpc}") };
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut parts = Vec::new();
    if adds > 0 {
        parts.push(times(adds, "AddObject"));
    }
    if sets > 0 {
        parts.push(format!("{} ({})", times(sets, "SetParameterValues"), plural(values, "value")));
    }
    if deletes > 0 {
        parts.push(times(deletes, "DeleteObject"));
    }
    if attributes > 0 {
        parts.push(format!(
            "{} ({})",
            times(attributes, "SetParameterAttributes"),
            plural(names, "parameter")
        ));
    }
    parts.join(" · ")
}

/// The config lines for the values the plan writes, when the set is an Aastra
/// phone's or the registry knows at least one of the paths.
fn config_lines(plan: &Plan, aastra_model: bool) -> Option<ToConfig> {
    let parameters: Vec<Parameter> = plan.values().map(Parameter::from).collect();
    if parameters.is_empty() {
        return None;
    }
    let config = from_parameters(&parameters, Registry::builtin());
    (aastra_model || config.file.entries().next().is_some()).then_some(config)
}

fn copy_to_clipboard(text: String, status: RwSignal<String>) {
    let Some(window) = web_sys::window() else { return };
    let promise = window.navigator().clipboard().write_text(&text);
    leptos::task::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(promise).await {
            Ok(_) => status.set("copied".into()),
            Err(error) => status.set(format!("cannot copy: {error:?}")),
        }
    });
}

/// `prefix` names the elements (`{prefix}-soap`, …); `file_stem` the download;
/// `key` is the ParameterKey the plan was made with, edited here.
#[component]
pub fn PlanView(
    plan: Memo<Option<Plan>>,
    prefix: &'static str,
    file_stem: String,
    aastra_model: bool,
    key: RwSignal<String>,
) -> impl IntoView {
    let version = RwSignal::new("1.0".to_owned());
    let status = RwSignal::new(String::new());
    let soap = Memo::new(move |_| {
        plan.with(|p| p.as_ref().map(|p| render_envelopes(p, version_of(&version.get()))))
    });
    let config =
        Memo::new(move |_| plan.with(|p| p.as_ref().and_then(|p| config_lines(p, aastra_model))));
    let file_name = format!("{file_stem}.xml");
    let copy = move |_| {
        if let Some(text) = soap.get() {
            copy_to_clipboard(text, status);
        }
    };
    let save = move |_| {
        let version = version_of(&version.get_untracked());
        let text = plan.with_untracked(|p| p.as_ref().map(|p| render_soap(p, version)));
        if let Some(text) = text {
            match download(&file_name, text.as_bytes(), "application/xml") {
                Ok(()) => status.set(format!("downloaded {file_name}")),
                Err(error) => status.set(format!("cannot download: {error}")),
            }
        }
    };
    let navigate = leptos_router::hooks::use_navigate();
    let live_name = file_stem.clone();
    let to_live = move |_| {
        let tasks: Option<Vec<TaskForm>> = plan.with_untracked(|p| {
            p.as_ref().map(|p| p.rpcs.iter().map(TaskForm::from_planned).collect())
        });
        let Some(tasks) = tasks.filter(|t| !t.is_empty()) else {
            return status.set("nothing to queue".to_owned());
        };
        match hand_over_plan(&HandedPlan { name: live_name.clone(), tasks }) {
            Ok(()) => navigate(Page::Live.path(), Default::default()),
            Err(error) => status.set(format!("cannot hand the plan over: {error}")),
        }
    };
    let genieacs_name = file_stem.clone();
    let genieacs_export = move || {
        plan.with_untracked(|p| match p {
            Some(p) if !p.rpcs.is_empty() => {
                let options = ExportOptions {
                    name: genieacs_name.clone(),
                    // Devices get the plan by a GenieACS tag of its name.
                    applies_to: AppliesTo::Tag(genieacs_name.clone()),
                    issued_at: genieacs::now(),
                };
                Ok(from_plan(p, &options))
            }
            _ => Err("nothing to export".to_owned()),
        })
    };
    let summary = move || {
        plan.with(|p| match p {
            None => String::new(),
            Some(p) if p.rpcs.is_empty() => "Nothing to send.".to_owned(),
            Some(p) => rpc_summary(p),
        })
    };
    let cannot = move || {
        plan.with(|p| {
            let Some(p) = p.as_ref().filter(|p| !p.unachievable.is_empty()) else {
                return ().into_any();
            };
            let more = p.unachievable.len().saturating_sub(LIST_LIMIT);
            view! {
                <h4 class="section-title">{format!("Cannot be done ({})", p.unachievable.len())}</h4>
                <ul class="diagnostics plan-list" id=format!("{prefix}-cannot")>
                    {p.unachievable.iter().take(LIST_LIMIT).map(|u| view! {
                        <li class="diagnostic warning">
                            <span class="param-name"><PathText path=u.path.clone()/></span>" — "{u.reason.clone()}
                        </li>
                    }).collect_view()}
                    {(more > 0).then(|| view! { <li class="meta">{format!("… and {more} more")}</li> })}
                </ul>
                {p.notes.iter().map(|n| view! { <p class="meta">{n.clone()}</p> }).collect_view()}
            }
            .into_any()
        })
    };
    let aastra = move || {
        config.with(|c| {
            let Some(c) = c else { return ().into_any() };
            let text = c.file.to_text();
            view! {
                <h4 class="section-title">"As aastra.cfg lines"</h4>
                <pre class="cfg-preview" id=format!("{prefix}-aastra") tabindex="0" role="region" aria-label="aastra.cfg lines">{text}</pre>
                {(!c.unmapped.is_empty()).then(|| view! {
                    <ul class="diagnostics plan-list" id=format!("{prefix}-unmapped")>
                        {c.unmapped.iter().take(LIST_LIMIT).map(|u| view! {
                            <li class="diagnostic warning">
                                <span class="param-name"><PathText path=u.name.clone()/></span>" — "{u.reason.clone()}
                            </li>
                        }).collect_view()}
                    </ul>
                })}
            }
            .into_any()
        })
    };
    view! {
        <div class="plan" id=format!("{prefix}-plan")>
            <p class="meta" id=format!("{prefix}-rpcs")>{summary}</p>
            <div class="input-toolbar">
                <label class="field inline">
                    <span>"CWMP version"</span>
                    // Bound both ways: a rebuilt page reuses this element, and
                    // what it shows must be the version the SOAP is in.
                    <select
                        id=format!("{prefix}-version")
                        prop:value=move || version.get()
                        on:change:target=move |ev| version.set(ev.target().value())
                    >
                        <option value="1.0" selected=move || version.get() == "1.0">"1.0"</option>
                        <option value="1.1" selected=move || version.get() == "1.1">"1.1"</option>
                        <option value="1.2" selected=move || version.get() == "1.2">"1.2 – 1.4"</option>
                    </select>
                </label>
                <label class="field inline">
                    <span>"ParameterKey"</span>
                    <input
                        id=format!("{prefix}-key")
                        class="key-input"
                        prop:value=move || key.get()
                        on:change:target=move |ev| key.set(ev.target().value())
                    />
                </label>
                <button class="button secondary" id=format!("{prefix}-copy") on:click=copy>"Copy"</button>
                <button class="button secondary" id=format!("{prefix}-download") on:click=save>"Download .xml"</button>
                <button class="button secondary" id=format!("{prefix}-to-live") on:click=to_live>"Queue on a live device"</button>
                <GenieacsDownloads prefix make=genieacs_export />
                <span class="meta">{move || status.get()}</span>
            </div>
            <pre
                class="cfg-preview soap-preview"
                class:hidden=move || soap.with(|s| s.as_deref().is_none_or(str::is_empty))
                id=format!("{prefix}-soap")
                // It scrolls: the keyboard must be able to reach it.
                tabindex="0"
                role="region"
                aria-label="SOAP of the planned RPCs"
            >{move || soap.get().unwrap_or_default()}</pre>
            {cannot}
            {aastra}
        </div>
    }
}
