//! A message's XML as core lays it out (`session::raw`): coloured, each element that spans lines
//! foldable, and only the lines in view in the page (a 1 MB body is tens of thousands of lines).

use cwmpkit_core::session::raw::{Span, XmlLine};
use leptos::prelude::*;
use std::collections::BTreeSet;

/// Height of one line, in pixels.
const LINE_PX: usize = 18;
/// Lines drawn above and below those in view.
const OVERSCAN: usize = 40;
/// Lines in view in the pane's height (60vh on a large screen).
const IN_VIEW: usize = 60;

fn span_class(span: Span) -> &'static str {
    match span {
        Span::Tag => "x-tag",
        Span::Attribute => "x-attr",
        Span::Value => "x-value",
        Span::Text => "x-text",
        Span::Other => "x-other",
    }
}

/// The lines shown when `folded` lines hide what they open.
fn visible_lines(lines: &[XmlLine], folded: &BTreeSet<usize>) -> Vec<usize> {
    let mut out = Vec::with_capacity(lines.len());
    let mut index = 0;
    while index < lines.len() {
        out.push(index);
        index = match lines[index].closes_at {
            Some(close) if folded.contains(&index) => (close as usize).max(index) + 1,
            _ => index + 1,
        };
    }
    out
}

#[component]
pub fn RawXml(lines: Vec<XmlLine>) -> impl IntoView {
    let count = lines.len();
    let lines = StoredValue::new(lines);
    let folded = RwSignal::new(BTreeSet::<usize>::new());
    let first = RwSignal::new(0usize);
    let shown = Memo::new(move |_| folded.with(|f| lines.with_value(|l| visible_lines(l, f))));
    let height = move || shown.with(|s| s.len() * LINE_PX);
    let window = move || {
        let start = first.get().saturating_sub(OVERSCAN);
        shown.with(|s| {
            s.iter()
                .enumerate()
                .skip(start)
                .take(IN_VIEW + 2 * OVERSCAN)
                .map(|(position, &line)| (position, line))
                .collect::<Vec<_>>()
        })
    };
    let toggle = move |line: usize| {
        folded.update(|f| {
            if !f.remove(&line) {
                f.insert(line);
            }
        })
    };
    let render = move |(position, index): (usize, usize)| {
        let line = lines.with_value(|l| l.get(index).cloned());
        line.map(|line| {
            let foldable = line.closes_at.is_some();
            let is_folded = move || folded.with(|f| f.contains(&index));
            let spans = line
                .spans
                .into_iter()
                .map(|(kind, text)| view! { <span class=span_class(kind)>{text}</span> })
                .collect_view();
            view! {
                <div
                    class="xml-line"
                    style=format!("top: {}px; padding-left: {}px", position * LINE_PX, line.depth * 14 + 18)
                    data-line=index
                >
                    {foldable.then(|| view! {
                        <button class="fold" on:click=move |_| toggle(index) aria-label="fold">
                            {move || if is_folded() { "▸" } else { "▾" }}
                        </button>
                    })}
                    {spans}
                    {move || (foldable && is_folded()).then_some(view! { <span class="x-other">" …"</span> })}
                </div>
            }
        })
    };
    view! {
        <div
            id="raw-xml"
            class="raw-xml"
            data-lines=count
            on:scroll=move |ev| {
                let top = event_target::<web_sys::HtmlElement>(&ev).scroll_top();
                first.set(usize::try_from(top).unwrap_or(0) / LINE_PX);
            }
        >
            <div class="raw-xml-body" style=move || format!("height: {}px", height())>
                <For each=window key=|(position, index)| (*position, *index) children=render />
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_hides_what_a_line_opens() {
        let lines = cwmpkit_core::session::raw::xml_lines("<a><b><c>1</c><d>2</d></b><e/></a>");
        assert_eq!(visible_lines(&lines, &BTreeSet::new()).len(), lines.len());
        let b = lines.iter().position(|l| l.spans[0].1 == "<b").unwrap();
        let shown = visible_lines(&lines, &BTreeSet::from([b]));
        assert_eq!(shown.len(), lines.len() - 3, "<c>, <d> and </b> are hidden");
        assert!(visible_lines(&lines, &BTreeSet::from([0])).len() == 1);
    }
}
