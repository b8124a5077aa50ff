//! The GenieACS downloads the Parameters and Live pages share: the provision script and the
//! preset that applies it, made by core (`cwmpkit_core::genieacs`) when a button is pressed.

use crate::components::files::download;
use cwmpkit_core::Timestamp;
use cwmpkit_core::genieacs::GenieacsExport;
use leptos::prelude::*;

/// Now, for the export's one-shot actions (Reboot, FactoryReset, Download): the browser is the
/// host, core takes the time as an argument.
pub fn now() -> Timestamp {
    Timestamp::from_unix_nanos(i128::from(js_sys::Date::now() as i64) * 1_000_000)
}

/// Two buttons, `{prefix}-genieacs-script` and `{prefix}-genieacs-preset`; `make` builds the
/// export, or says why there is none.
#[component]
pub fn GenieacsDownloads<F>(prefix: &'static str, make: F) -> impl IntoView
where
    F: Fn() -> Result<GenieacsExport, String> + Clone + Send + Sync + 'static,
{
    let status = RwSignal::new(String::new());
    let save = move |preset: bool| {
        let export = match make() {
            Ok(export) => export,
            Err(why) => return status.set(why),
        };
        let (name, text, mime) = if preset {
            (format!("{}-preset.json", export.name), export.preset, "application/json")
        } else {
            (format!("{}.js", export.name), export.script, "text/javascript")
        };
        let left_out = match export.skipped.len() {
            0 => String::new(),
            n => format!(" ({n} not expressed in GenieACS: see the script's first comments)"),
        };
        match download(&name, text.as_bytes(), mime) {
            Ok(()) => status.set(format!("downloaded {name}{left_out}")),
            Err(error) => status.set(format!("cannot download: {error}")),
        }
    };
    let save_preset = save.clone();
    view! {
        <button class="button secondary" id=format!("{prefix}-genieacs-script")
            title="A GenieACS provision script (declare calls) doing the same"
            on:click=move |_| save(false)>"GenieACS provision"</button>
        <button class="button secondary" id=format!("{prefix}-genieacs-preset")
            title="The GenieACS preset (JSON for PUT /presets/NAME) that applies the provision"
            on:click=move |_| save_preset(true)>"GenieACS preset"</button>
        <span class="meta" id=format!("{prefix}-genieacs-status")>{move || status.get()}</span>
    }
}
