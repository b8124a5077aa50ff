//! The cwmpkit browser app. Components render state and call `cwmpkit_core`;
//! protocol logic lives in core, where native tests cover it.

mod components;
mod pages;

use leptos::prelude::*;

/// The whole app: a header and the Decode workbench.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <header class="topbar">
            <span class="brand">"cwmpkit"</span>
            <span class="tagline">"TR-069 workbench: everything runs in your browser"</span>
        </header>
        <main>
            <pages::decode::DecodePage />
        </main>
    }
}
