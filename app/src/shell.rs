//! What every page shares: the top bar (pages, theme), the notices (storage,
//! updates), and the keyboard shortcuts. It is in the main wasm module, so it
//! stays small; pages are split points (lib.rs).

use crate::links::Page;
use crate::workspace::use_workspace;
use leptos::prelude::*;
use leptos_router::components::A;
use wasm_bindgen::JsCast;

/// Where the theme choice is kept; index.html reads it before the first paint.
const THEME_KEY: &str = "cwmpkit-theme";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn root_element() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.document_element()
}

/// `system`, `light` or `dark`.
fn stored_theme() -> String {
    local_storage()
        .and_then(|s| s.get_item(THEME_KEY).ok().flatten())
        .filter(|t| t == "light" || t == "dark")
        .unwrap_or_else(|| "system".to_owned())
}

/// Applies a theme: `data-theme` on the root element picks the CSS palette;
/// without it the system's preference does (public/style.css).
fn apply_theme(choice: &str) {
    if let Some(root) = root_element() {
        let _ = match choice {
            "light" | "dark" => root.set_attribute("data-theme", choice),
            _ => root.remove_attribute("data-theme"),
        };
    }
    if let Some(storage) = local_storage() {
        let _ = match choice {
            "light" | "dark" => storage.set_item(THEME_KEY, choice),
            _ => storage.remove_item(THEME_KEY),
        };
    }
}

#[component]
pub fn TopBar() -> impl IntoView {
    view! {
        <a class="skip-link" href="#content">"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href="/">"cwmpkit"</a>
            <nav class="pages" aria-label="Pages">
                {Page::ALL
                    .into_iter()
                    .map(|page| {
                        view! { <A href=page.path() exact=page == Page::Decode>{page.title()}</A> }
                    })
                    .collect_view()}
            </nav>
            <ThemeSwitch />
        </header>
    }
}

#[component]
fn ThemeSwitch() -> impl IntoView {
    let theme = RwSignal::new(stored_theme());
    let option = move |value: &'static str, label: &'static str| {
        view! { <option value=value selected=move || theme.get() == value>{label}</option> }
    };
    view! {
        <label class="theme-switch">
            <span>"Theme"</span>
            <select
                id="theme"
                on:change:target=move |ev| {
                    let choice = ev.target().value();
                    apply_theme(&choice);
                    theme.set(choice);
                }
            >
                {option("system", "System")}
                {option("light", "Light")}
                {option("dark", "Dark")}
            </select>
        </label>
    }
}

/// Problems and news that concern the whole app, above the page.
#[component]
pub fn Notices(update: RwSignal<Option<String>>) -> impl IntoView {
    let workspace = use_workspace();
    view! {
        {move || workspace.problem.get().map(|problem| view! {
            <div class="notice error" role="alert" id="storage-problem">
                <span>{problem.to_string()}</span>
                <button class="button secondary" on:click=move |_| workspace.problem.set(None)>"Dismiss"</button>
            </div>
        })}
        {move || update.get().map(|text| view! {
            <div class="notice" role="status" id="update-notice">
                <span>{text}</span>
                <button class="button secondary" on:click=move |_| reload()>"Reload now"</button>
                <button class="button secondary" on:click=move |_| update.set(None)>"Later"</button>
            </div>
        })}
    }
}

fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

/// Whether a key press belongs to what has focus (typing in a field).
fn typing_in(target: Option<web_sys::EventTarget>) -> bool {
    let Some(element) = target.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) else {
        return false;
    };
    matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
        || element.is_content_editable()
}

/// `/` focuses the page's filter: the first visible search field of the page.
pub fn install_shortcuts() {
    // Never removed: the shell lives as long as the page.
    let _ = window_event_listener(leptos::ev::keydown, |ev| {
        if ev.key() != "/"
            || ev.ctrl_key()
            || ev.meta_key()
            || ev.alt_key()
            || typing_in(ev.target())
        {
            return;
        }
        let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
        let Ok(fields) = document.query_selector_all("#content input[type=search]") else { return };
        let visible = (0..fields.length())
            .filter_map(|i| fields.item(i))
            .filter_map(|n| n.dyn_into::<web_sys::HtmlInputElement>().ok())
            .find(|field| field.offset_parent().is_some());
        if let Some(field) = visible {
            ev.prevent_default();
            let _ = field.focus();
            field.select();
        }
    });
}
