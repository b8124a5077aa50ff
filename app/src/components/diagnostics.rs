//! A decode error, with where it is.

use cwmpkit_core::cwmp::DecodeError;
use leptos::prelude::*;

#[component]
pub fn DecodeErrorBox(error: DecodeError) -> impl IntoView {
    let where_ = format!("Line {}, column {}", error.position.line, error.position.column);
    let path = (!error.path.is_empty()).then(|| format!(" in {}", error.path));
    view! {
        <div id="decode-error" class="error-box" role="alert">
            <strong class="error-where">{where_}</strong>
            {path}
            ": "
            <span class="error-message">{error.message}</span>
        </div>
    }
}
