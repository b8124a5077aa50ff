//! The Workspace page: everything kept in this browser, to reopen, rename or
//! delete, and how much of the browser's storage it uses.

use crate::components::filter_field::FilterField;
use crate::components::keys::move_in_list;
use crate::links::{self, key};
use crate::workspace::{self, Entry, Estimate, human_size, local_time, use_workspace};
use leptos::prelude::*;

fn estimate_text(estimate: Option<Estimate>, persisted: Option<bool>) -> String {
    let kept = match persisted {
        Some(true) => " The browser keeps it until you delete it.",
        Some(false) => {
            " The browser may clear it when the disk runs short; export what matters (the pages download files)."
        }
        None => "",
    };
    match estimate {
        Some(Estimate { usage, quota }) if quota > 0 => format!(
            "This site uses {} of the {} this browser allows it.{kept}",
            human_size(usage),
            human_size(quota)
        ),
        _ => format!("This browser gives no storage estimate.{kept}"),
    }
}

async fn persisted() -> Option<bool> {
    let promise = web_sys::window()?.navigator().storage().persisted().ok()?;
    wasm_bindgen_futures::JsFuture::from(promise).await.ok()?.as_bool()
}

#[component]
pub fn WorkspacePage() -> impl IntoView {
    let workspace = use_workspace();
    workspace.refresh();
    let (filter, set_filter) = links::filter(key::FILTER);
    let estimate = LocalResource::new(move || {
        // Measured again whenever the list changes.
        workspace.entries.track();
        async move { (workspace::estimate().await, persisted().await) }
    });
    let shown = Memo::new(move |_| {
        let needle = filter.get().unwrap_or_default().to_lowercase();
        workspace.entries.with(|entries| match entries {
            Some(Ok(entries)) => entries
                .iter()
                .filter(|e| needle.is_empty() || e.name.to_lowercase().contains(&needle))
                .cloned()
                .collect(),
            _ => Vec::new(),
        })
    });
    let total = move || {
        workspace.entries.with(|e| e.as_ref().and_then(|e| e.as_ref().ok()).map_or(0, Vec::len))
    };
    let confirming_clear = RwSignal::new(false);
    let clear_all = move |_| {
        confirming_clear.set(false);
        leptos::task::spawn_local(async move {
            let _ = workspace.clear().await;
        });
    };

    view! {
        <main class="workspace">
            <section class="panel">
                <h1>"Workspace"</h1>
                <p class="hint">
                    "What you open on the Decode, Parameters and Provision pages is kept here, in this "
                    "browser only, as it was opened: reopen it, rename it, or delete it. Nothing is sent anywhere."
                </p>
                <p class="meta" id="storage-estimate">
                    {move || estimate.get().map(|(estimate, persisted)| estimate_text(estimate, persisted))}
                </p>
                <div class="input-toolbar">
                    <FilterField id="workspace-filter" label="Filter by name" filter set_filter inline=true />
                    <Show
                        when=move || confirming_clear.get()
                        fallback=move || view! {
                            <button
                                class="button secondary"
                                id="workspace-clear"
                                disabled=move || total() == 0
                                on:click=move |_| confirming_clear.set(true)
                            >
                                "Clear all…"
                            </button>
                        }
                    >
                        <span class="confirm" role="group" aria-label="Confirm clearing the workspace">
                            {move || format!("Delete all {} items? ", total())}
                            <button class="button danger" id="workspace-clear-confirm" on:click=clear_all>"Delete all"</button>
                            <button class="button secondary" on:click=move |_| confirming_clear.set(false)>"Keep them"</button>
                        </span>
                    </Show>
                </div>
                {move || match workspace.entries.get() {
                    None => view! { <p class="hint">"Reading the workspace…"</p> }.into_any(),
                    Some(Err(problem)) => view! { <div class="error-box" role="alert">{problem.to_string()}</div> }.into_any(),
                    Some(Ok(entries)) if entries.is_empty() => view! {
                        <p class="hint" id="workspace-empty">"Nothing kept yet."</p>
                    }.into_any(),
                    Some(Ok(_)) => view! {
                        <ul
                            id="workspace-items"
                            class="item-list"
                            aria-label="Kept items"
                            on:keydown=move |ev| { move_in_list(&ev); }
                        >
                            <For each=move || shown.get() key=|entry| (entry.id, entry.updated) let:entry>
                                <ItemRow entry />
                            </For>
                        </ul>
                        <p class="meta">{move || format!("{} of {} shown", shown.with(Vec::len), total())}</p>
                    }.into_any(),
                }}
            </section>
        </main>
    }
}

#[component]
fn ItemRow(entry: Entry) -> impl IntoView {
    let workspace = use_workspace();
    let id = entry.id;
    let renaming = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let draft = RwSignal::new(entry.name.clone());
    let name = StoredValue::new(entry.name.clone());
    let rename = move || {
        let new_name = draft.get_untracked().trim().to_owned();
        renaming.set(false);
        if new_name.is_empty() || name.with_value(|n| *n == new_name) {
            return;
        }
        leptos::task::spawn_local(async move {
            let _ = workspace.rename(id, &new_name).await;
        });
    };
    let delete = move |_| {
        leptos::task::spawn_local(async move {
            let _ = workspace.delete(id).await;
        });
    };
    let files = if entry.files.len() > 1 {
        format!(" · {}", entry.files.join(", "))
    } else {
        String::new()
    };
    let details = format!(
        "{} · {} · changed {}{files}",
        entry.kind.label(),
        human_size(entry.size),
        local_time(entry.updated)
    );
    let link = links::item(entry.kind, id);
    view! {
        <li class="item" data-id=id.to_string()>
            <Show
                when=move || renaming.get()
                fallback=move || view! {
                    <a class="item-open" data-nav href=link.clone()>{name.get_value()}</a>
                }
            >
                {move || {
                    let field = NodeRef::<leptos::html::Input>::new();
                    field.on_load(|field| {
                        let _ = field.focus();
                        field.select();
                    });
                    view! {
                        <input
                            class="rename-input"
                            aria-label="New name"
                            node_ref=field
                            prop:value=move || draft.get()
                            on:input:target=move |ev| draft.set(ev.target().value())
                            on:keydown=move |ev| match ev.key().as_str() {
                                "Enter" => rename(),
                                "Escape" => renaming.set(false),
                                _ => {}
                            }
                        />
                    }
                }}
                <button class="button" on:click=move |_| rename()>"Save"</button>
            </Show>
            <span class="meta item-details">{details}</span>
            <span class="item-actions">
                <Show
                    when=move || confirming.get()
                    fallback=move || view! {
                        <button class="button secondary item-rename" on:click=move |_| renaming.set(true)>"Rename"</button>
                        <button class="button secondary item-delete" on:click=move |_| confirming.set(true)>"Delete…"</button>
                    }
                >
                    <button class="button danger item-delete-confirm" on:click=delete>"Delete"</button>
                    <button class="button secondary" on:click=move |_| confirming.set(false)>"Keep"</button>
                </Show>
            </span>
        </li>
    }
}
