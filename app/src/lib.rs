//! The cwmpkit browser app. Components render state and call `cwmpkit_core`;
//! protocol logic lives in core, where native tests cover it.

pub mod components;
pub mod decode;
pub mod pages;

use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

/// The whole app: a top bar with the workbench's pages, and the current page.
#[component]
pub fn App() -> impl IntoView {
    pages::live::remember_token();
    view! {
        <Router>
            <header class="topbar">
                <span class="brand">"cwmpkit"</span>
                <nav class="pages">
                    <A href="/" exact=true>"Decode"</A>
                    <A href="/parameters">"Parameters"</A>
                    <A href="/provision">"Provision"</A>
                    <A href="/live">"Live"</A>
                </nav>
                <span class="tagline">"TR-069 workbench · everything runs in your browser"</span>
            </header>
            <Routes fallback=|| view! { <main><p class="hint">"No such page."</p></main> }>
                <Route path=path!("/") view=pages::decode::DecodePage />
                <Route path=path!("/parameters") view=pages::parameters::ParametersPage />
                <Route path=path!("/provision") view=pages::provision::ProvisionPage />
                <Route path=path!("/live") view=pages::live::LivePage />
            </Routes>
        </Router>
    }
}
