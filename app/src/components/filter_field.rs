//! The search field of the pages whose filter is one text kept in the URL (`links::filter`).

use leptos::prelude::*;

/// A labelled search field bound to a page's filter: typing sets it, and an emptied field clears
/// it from the URL rather than leaving `filter=` behind.
#[component]
pub fn FilterField(
    id: &'static str,
    label: &'static str,
    filter: Memo<Option<String>>,
    set_filter: SignalSetter<Option<String>>,
    /// Beside other controls on one line, rather than on a line of its own.
    #[prop(optional)]
    inline: bool,
) -> impl IntoView {
    view! {
        <label class="field filter" class:inline=inline>
            <span>{label}</span>
            <input
                id=id
                type="search"
                prop:value=move || filter.get().unwrap_or_default()
                on:input:target=move |ev| {
                    let text = ev.target().value();
                    set_filter.set((!text.is_empty()).then_some(text));
                }
            />
        </label>
    }
}
