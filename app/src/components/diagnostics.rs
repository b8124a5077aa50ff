//! Decode errors and diagnostics, each with where it is.

use cwmpkit_core::cwmp::{DecodeError, Diagnostic, Severity};
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

#[component]
pub fn DiagnosticList(diagnostics: Vec<Diagnostic>) -> impl IntoView {
    (!diagnostics.is_empty()).then(|| {
        view! {
            <ul id="diagnostics" class="diagnostics">
                {diagnostics
                    .into_iter()
                    .map(|d| {
                        let class = match d.severity {
                            Severity::Info => "diagnostic info",
                            Severity::Warning => "diagnostic warning",
                            Severity::Error => "diagnostic error",
                        };
                        view! {
                            <li class=class>
                                <span class="diagnostic-code">{d.code}</span>
                                " "
                                {d.message}
                                <span class="diagnostic-where">
                                    {format!(" line {}, column {}", d.position.line, d.position.column)}
                                    {(!d.path.is_empty()).then(|| format!(" · {}", d.path))}
                                </span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
    })
}
