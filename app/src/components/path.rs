//! A parameter path that wraps between its segments.

use leptos::prelude::*;

/// `path` with a line-break opportunity after each `.`, so that a long path wraps between
/// segments (`InternetGatewayDevice.` / `DeviceInfo.` / `SoftwareVersion`) instead of inside a
/// name. `<wbr>` adds no text: a path selected and copied from the page is the path.
#[component]
pub fn PathText(#[prop(into)] path: String) -> impl IntoView {
    path.split_inclusive('.')
        .map(|segment| {
            let after_dot = segment.ends_with('.');
            let segment = segment.to_owned();
            view! { {segment}{after_dot.then(|| view! { <wbr/> })} }
        })
        .collect_view()
}
