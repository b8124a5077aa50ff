//! The cwmpkit browser app. Components render state and call `cwmpkit_core`;
//! protocol logic lives in core, where native tests cover it.

pub mod components;
pub mod decode;
pub mod links;
mod offline;
pub mod pages;
mod shell;
mod split;
pub mod workspace;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, LazyRoute, path};
use split::split_point;

split_point! { fn page_decode() -> AnyView { view! { <pages::decode::DecodePage /> }.into_any() } }
split_point! { fn page_parameters() -> AnyView { view! { <pages::parameters::ParametersPage /> }.into_any() } }
split_point! { fn page_provision() -> AnyView { view! { <pages::provision::ProvisionPage /> }.into_any() } }
split_point! { fn page_live() -> AnyView { view! { <pages::live::LivePage /> }.into_any() } }
split_point! { fn page_workspace() -> AnyView { view! { <pages::workspace::WorkspacePage /> }.into_any() } }
split_point! { fn page_about() -> AnyView { view! { <pages::about::AboutPage /> }.into_any() } }

/// A route whose page is a split point: the router fetches its chunk before
/// it shows the page.
macro_rules! lazy_route {
    ($route:ident, $page:ident) => {
        struct $route;
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }
            async fn view(_: Self) -> AnyView {
                $page().await
            }
        }
    };
}
lazy_route!(DecodeRoute, page_decode);
lazy_route!(ParametersRoute, page_parameters);
lazy_route!(ProvisionRoute, page_provision);
lazy_route!(LiveRoute, page_live);
lazy_route!(WorkspaceRoute, page_workspace);
lazy_route!(AboutRoute, page_about);

/// The whole app: the shell (top bar, notices, shortcuts) and the current page.
#[component]
pub fn App() -> impl IntoView {
    pages::live::remember_token();
    workspace::provide_workspace();
    shell::install_shortcuts();
    let update = RwSignal::new(None::<String>);
    offline::start(update);
    view! {
        <Router>
            <shell::TopBar />
            <shell::Notices update />
            <div id="content" tabindex="-1">
                <Routes fallback=|| view! { <main><p class="hint">"No such page."</p></main> }>
                    <Route path=path!("/") view={Lazy::<DecodeRoute>::new()} />
                    <Route path=path!("/parameters") view={Lazy::<ParametersRoute>::new()} />
                    <Route path=path!("/provision") view={Lazy::<ProvisionRoute>::new()} />
                    <Route path=path!("/live") view={Lazy::<LiveRoute>::new()} />
                    <Route path=path!("/workspace") view={Lazy::<WorkspaceRoute>::new()} />
                    <Route path=path!("/about") view={Lazy::<AboutRoute>::new()} />
                </Routes>
            </div>
        </Router>
    }
}
