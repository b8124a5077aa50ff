//! What the Live page's listings of the relay's files share (Uploads, Recordings): a panel with
//! its heading and hint, **Refresh**, the listing fetched from the API with the token, what it
//! says while asking, on failure and when empty, the table, and a box for what a row's action
//! ran into. The panel's elements are named after the listing's `id`: the section `live-{id}`,
//! the table `{id}`, and `{id}-refresh`, `{id}-problem`, `{id}-error`, `{id}-empty`.

use crate::pages::live::authorization;
use cwmpkit_core::Timestamp;
use leptos::prelude::*;
use serde::de::DeserializeOwned;

/// A listing the API serves as a JSON array, fetched with the token.
async fn fetch_listing<T: DeserializeOwned>(url: &str) -> Result<Vec<T>, String> {
    let response = gloo_net::http::Request::get(url)
        .header("Authorization", &authorization())
        .send()
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    response.json::<Vec<T>>().await.map_err(|e| format!("{url}: {e}"))
}

/// `2026-12-05 07:46:06` of a time (UTC, as the relay's file names' days are).
pub fn utc_seconds(time: &Timestamp) -> String {
    time.to_string().get(..19).unwrap_or_default().replacen('T', " ", 1)
}

/// Where a listing is, without its rows: what the panel shows in place of the table.
#[derive(Clone, PartialEq)]
enum Listed {
    Asking,
    Failed(String),
    Empty,
    Rows,
}

/// A listing of the relay's, fetched from `url` when it opens, on **Refresh**, and whenever
/// `changed` changes.
#[component]
pub fn RelayListing<T>(
    id: &'static str,
    title: &'static str,
    /// Under the heading: what the listing holds.
    hint: AnyView,
    url: &'static str,
    columns: &'static [&'static str],
    /// What an empty listing says.
    empty: &'static str,
    #[prop(optional)] changed: Option<Signal<u64>>,
    /// What an action of a row ran into, shown above the table.
    problem: RwSignal<Option<String>>,
    /// One row of the table, from one entry.
    row: Callback<T, AnyView>,
    /// Below the table.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView
where
    T: DeserializeOwned + Clone + Send + Sync + 'static,
{
    let entries = RwSignal::new(None::<Result<Vec<T>, String>>);
    let refresh = move || {
        leptos::task::spawn_local(async move { entries.set(Some(fetch_listing(url).await)) });
    };
    match changed {
        Some(changed) => {
            Effect::new(move |_| {
                changed.track();
                refresh();
            });
        }
        None => refresh(),
    }
    let listed = Signal::derive(move || {
        entries.with(|entries| match entries {
            None => Listed::Asking,
            Some(Err(error)) => Listed::Failed(error.clone()),
            Some(Ok(list)) if list.is_empty() => Listed::Empty,
            Some(Ok(_)) => Listed::Rows,
        })
    });
    let rows = ViewFn::from(move || {
        let list = entries.get().and_then(Result::ok).unwrap_or_default();
        list.into_iter().map(|entry| row.run(entry)).collect_view()
    });
    let text = ListingText { id, title, columns, empty };
    listing_panel(text, hint, listed, rows, Callback::new(move |()| refresh()), problem, children)
}

/// A listing's words and names.
struct ListingText {
    id: &'static str,
    title: &'static str,
    columns: &'static [&'static str],
    empty: &'static str,
}

/// The panel around the rows; apart from [`RelayListing`] so that its code is not made again
/// for each kind of entry.
fn listing_panel(
    text: ListingText,
    hint: AnyView,
    listed: Signal<Listed>,
    rows: ViewFn,
    refresh: Callback<()>,
    problem: RwSignal<Option<String>>,
    children: Option<Children>,
) -> AnyView {
    let ListingText { id, title, columns, empty } = text;
    view! {
        <section class="panel" id=format!("live-{id}")>
            <h2>{title}</h2>
            <p class="hint">{hint}</p>
            <div class="input-toolbar">
                <button class="button secondary" id=format!("{id}-refresh") on:click=move |_| refresh.run(())>"Refresh"</button>
            </div>
            {move || problem.get().map(|p| view! { <div class="error-box" role="alert" id=format!("{id}-problem")>{p}</div> })}
            {move || match listed.get() {
                Listed::Asking => view! { <p class="hint">"Asking the relay…"</p> }.into_any(),
                Listed::Failed(error) => view! { <div class="error-box" id=format!("{id}-error")>{error}</div> }.into_any(),
                Listed::Empty => view! { <p class="hint" id=format!("{id}-empty")>{empty}</p> }.into_any(),
                Listed::Rows => view! {
                    <div class="table-wrap" tabindex="0" role="region" aria-label=title>
                        <table id=id>
                            <thead><tr>{columns.iter().map(|column| view! { <th>{*column}</th> }).collect_view()}</tr></thead>
                            <tbody>{rows.run()}</tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
            {children.map(|children| children())}
        </section>
    }
    .into_any()
}
