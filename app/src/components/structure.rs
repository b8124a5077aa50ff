//! A generic, readable view of any decoded value, through its serde form.
//! Every CWMP message gets a faithful presentation the day the codec models it;
//! the messages people read most (Inform, parameter lists, faults) also have
//! dedicated views.

use leptos::prelude::*;
use serde_json::Value;

/// The element name engineers know for a field: the schema's (`oui` → `OUI`), or, for the few
/// fields outside its tables (headers, operations), the field in Pascal case. Those are ASCII,
/// so ASCII case mapping suffices and keeps core's Unicode upper-case table (≈ 12 KB) out of
/// the wasm.
pub fn wire_name(field: &str) -> String {
    if let Some(wire) = cwmpkit_core::cwmp::wire_name(field) {
        return wire.to_owned();
    }
    field
        .split('_')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => {
                    std::iter::once(first.to_ascii_uppercase()).chain(chars).collect::<String>()
                }
                None => String::new(),
            }
        })
        .collect()
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => Some("—".to_owned()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        Value::Array(_) | Value::Object(_) => None,
    }
}

/// Columns shared by every row when an array holds flat objects, so it can be a table.
fn table_columns(items: &[Value]) -> Option<Vec<String>> {
    let first = items.first()?.as_object()?;
    let columns: Vec<String> = first.keys().cloned().collect();
    let flat = items.iter().all(|item| {
        item.as_object().is_some_and(|o| {
            o.len() == columns.len()
                && columns.iter().all(|c| o.get(c).is_some_and(|v| scalar_text(v).is_some()))
        })
    });
    flat.then_some(columns)
}

#[component]
pub fn StructureView(value: Value) -> impl IntoView {
    render(value)
}

fn render(value: Value) -> AnyView {
    if let Some(text) = scalar_text(&value) {
        return view! { <span class="scalar">{text}</span> }.into_any();
    }
    match value {
        Value::Array(items) if items.is_empty() => {
            view! { <span class="meta">"(empty)"</span> }.into_any()
        }
        Value::Array(items) => match table_columns(&items) {
            Some(columns) => {
                let head = columns
                    .iter()
                    .map(|c| view! { <th>{wire_name(c)}</th> })
                    .collect_view();
                let rows = items
                    .into_iter()
                    .map(|item| {
                        let cells = columns
                            .iter()
                            .map(|c| {
                                let text = item.get(c).and_then(scalar_text).unwrap_or_default();
                                view! { <td>{text}</td> }
                            })
                            .collect_view();
                        view! { <tr>{cells}</tr> }
                    })
                    .collect_view();
                view! {
                    <table class="structure-table">
                        <thead><tr>{head}</tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }
                .into_any()
            }
            None => view! {
                <ol class="structure-list">
                    {items.into_iter().map(|item| view! { <li>{render(item)}</li> }).collect_view()}
                </ol>
            }
            .into_any(),
        },
        Value::Object(fields) => view! {
            <dl class="structure">
                {fields
                    .into_iter()
                    .map(|(key, value)| view! { <dt>{wire_name(&key)}</dt><dd>{render(value)}</dd> })
                    .collect_view()}
            </dl>
        }
        .into_any(),
        _ => ().into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_are_pascal_case() {
        assert_eq!(wire_name("parameter_list"), "ParameterList");
        assert_eq!(wire_name("command_key"), "CommandKey");
        assert_eq!(wire_name("oui"), "OUI");
        assert_eq!(wire_name("voucher_sn"), "VoucherSN");
        assert_eq!(wire_name("use_cwmp_version"), "UseCwmpVersion");
    }

    #[test]
    fn flat_uniform_objects_become_tables() {
        let rows = serde_json::json!([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]);
        let rows = rows.as_array().unwrap();
        assert_eq!(table_columns(rows), Some(vec!["a".to_owned(), "b".to_owned()]));
        let nested = serde_json::json!([{"a": {"deep": 1}}]);
        assert_eq!(table_columns(nested.as_array().unwrap()), None);
    }
}
