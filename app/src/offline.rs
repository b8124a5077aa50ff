//! Offline use. `cargo xtask dist` stamps the build into index.html
//! (`<meta name="cwmpkit-build">`) and writes `sw.js` (from public/sw.js): a
//! service worker that keeps every file of that build (the app, its chunks,
//! the schemas) in a cache named after the build, and serves them first, so
//! the app loads with the network off after its first visit.
//!
//! A new build's worker installs beside the running page and takes over at
//! once; the page says the new version takes effect on the next reload, and
//! after that reload, that it did.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::JsFuture;

/// The build this page runs, as `cargo xtask dist` stamped it; `dev` in other builds.
pub fn build_id() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("meta[name=cwmpkit-build]").ok().flatten())
        .and_then(|m| m.get_attribute("content"))
        .unwrap_or_else(|| "dev".to_owned())
}

/// The cache the service worker keeps a build in (public/sw.js).
pub fn cache_name(build: &str) -> String {
    format!("cwmpkit-{build}")
}

/// What the worker puts in a build's cache once every file is in it.
const COMPLETE_MARKER: &str = "/offline-ready";

/// Where the page remembers the build it ran last, to say when it changed.
const LAST_BUILD_KEY: &str = "cwmpkit-build";

fn service_workers() -> Option<web_sys::ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    // Absent outside secure contexts (plain http to a remote host).
    js_sys::Reflect::has(&navigator, &"serviceWorker".into())
        .ok()?
        .then(|| navigator.service_worker())
}

/// Registers the service worker once the page has loaded (so keeping the
/// files does not compete with the first render), and reports news in `notice`.
pub fn start(notice: RwSignal<Option<String>>) {
    let build = build_id();
    if build == "dev" {
        return;
    }
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let last = storage.get_item(LAST_BUILD_KEY).ok().flatten();
        if last.as_ref().is_some_and(|last| *last != build) {
            notice.set(Some(format!("cwmpkit was updated: you are running build {build}.")));
        }
        let _ = storage.set_item(LAST_BUILD_KEY, &build);
    }
    let Some(container) = service_workers() else { return };
    let controlled_at_start = container.controller().is_some();
    // A new worker took over this page: its files are the new version's.
    let on_change = Closure::<dyn FnMut()>::new(move || {
        if controlled_at_start {
            notice.set(Some(
                "A new version of cwmpkit is ready: it takes effect when you reload this page."
                    .to_owned(),
            ));
        }
    });
    container.set_oncontrollerchange(Some(on_change.as_ref().unchecked_ref()));
    on_change.forget();

    let register = Closure::<dyn FnMut()>::new(move || {
        let container = container.clone();
        leptos::task::spawn_local(async move {
            let Ok(registration) = JsFuture::from(container.register("/sw.js")).await else {
                return;
            };
            let registration: web_sys::ServiceWorkerRegistration = registration.unchecked_into();
            check_for_updates_when_visible(registration);
        });
    });
    let Some(window) = web_sys::window() else { return };
    let loaded = window.document().is_some_and(|d| d.ready_state() == "complete");
    if loaded {
        let _ = window.set_timeout_with_callback(register.as_ref().unchecked_ref());
    } else {
        let _ = window.add_event_listener_with_callback("load", register.as_ref().unchecked_ref());
    }
    register.forget();
}

/// A page kept open all day looks for a new version whenever it comes back
/// into view; the browser itself looks on every navigation.
fn check_for_updates_when_visible(registration: web_sys::ServiceWorkerRegistration) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let on_visible = Closure::<dyn FnMut()>::new({
        let document = document.clone();
        move || {
            if document.visibility_state() == web_sys::VisibilityState::Visible {
                let _ = registration.update();
            }
        }
    });
    let _ = document
        .add_event_listener_with_callback("visibilitychange", on_visible.as_ref().unchecked_ref());
    on_visible.forget();
}

/// How this build stands for offline use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// Not a dist build (`trunk serve`, tests): no service worker.
    Development,
    /// The browser offers no service workers here (not a secure context).
    Unsupported,
    /// Its files are not kept yet (the first visit, moments after load).
    NotYet,
    /// Every file of this build is kept: it loads with the network off.
    Ready,
}

/// Whether this build's files are kept, by the cache the worker fills.
pub async fn readiness() -> Readiness {
    let build = build_id();
    if build == "dev" {
        return Readiness::Development;
    }
    let Some(caches) = web_sys::window().and_then(|w| w.caches().ok()) else {
        return Readiness::Unsupported;
    };
    if service_workers().is_none() {
        return Readiness::Unsupported;
    }
    let name = cache_name(&build);
    // `open` would create the cache; look first.
    if JsFuture::from(caches.has(&name)).await.ok().and_then(|v| v.as_bool()) != Some(true) {
        return Readiness::NotYet;
    }
    let Ok(cache) = JsFuture::from(caches.open(&name)).await else { return Readiness::NotYet };
    let cache: web_sys::Cache = cache.unchecked_into();
    match JsFuture::from(cache.match_with_str(COMPLETE_MARKER)).await {
        Ok(found) if !found.is_undefined() => Readiness::Ready,
        _ => Readiness::NotYet,
    }
}
