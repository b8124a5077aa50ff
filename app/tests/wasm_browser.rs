//! The Decode page's components in a real browser: mount them with what the decode worker would
//! send, and look at the DOM. (Decoding itself runs in the worker; the e2e test drives that.)
#![cfg(target_arch = "wasm32")]

use cwmpkit_app::components::diagnostics::DecodeErrorBox;
use cwmpkit_app::components::raw_xml::RawXml;
use cwmpkit_app::components::session::{DetailAction, MessagePane};
use cwmpkit_app::decode::worker::detail_of;
use cwmpkit_core::capture::Options;
use cwmpkit_core::pipeline;
use cwmpkit_core::session::raw;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const INFORM: &str = include_str!("../../../shared/corpus/soap/freeacs/Inform.xml");

fn document() -> web_sys::Document {
    web_sys::window().and_then(|w| w.document()).expect("a browser document")
}

fn container() -> web_sys::HtmlElement {
    let container: web_sys::HtmlElement =
        document().create_element("div").expect("div").dyn_into().expect("an HtmlElement");
    document().body().expect("body").append_child(&container).expect("append");
    container
}

/// Mounts a fresh Decode page in its own container and returns the container
/// once the page shows its input (it first asks the workspace, a task later,
/// whether the URL names a kept capture). (The page itself, in a router for its
/// URL state, not the routed app: the test runner's URL is not `/`.)
async fn mount_app() -> web_sys::HtmlElement {
    let root = container();
    let handle = leptos::mount::mount_to(root.clone(), || {
        view! {
            <leptos_router::components::Router>
                <cwmpkit_app::pages::decode::DecodePage />
            </leptos_router::components::Router>
        }
    });
    handle.forget();
    until_present(&root, "#soap-input").await;
    root
}

fn texts(container: &web_sys::HtmlElement, css: &str) -> Vec<String> {
    let list = container.query_selector_all(css).expect("query");
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|node| node.text_content().unwrap_or_default())
        .collect()
}

async fn next_tick() {
    // Leptos batches DOM updates into a microtask; yield once to let it run.
    let promise = js_sys::Promise::resolve(&wasm_bindgen::JsValue::NULL);
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Yields until `css` matches in `container` (the page asks the workspace first, a few tasks later).
async fn until_present(container: &web_sys::HtmlElement, css: &str) {
    for _ in 0..100 {
        if container.query_selector(css).ok().flatten().is_some() {
            return;
        }
        next_tick().await;
    }
}

#[wasm_bindgen_test]
async fn the_decode_page_asks_for_input_before_it_starts_a_worker() {
    let root = mount_app().await;
    assert_eq!(texts(&root, "#soap-input").len(), 1, "the paste area");
    assert_eq!(texts(&root, "#load-example").len(), 1, "the example button");
    assert!(texts(&root, "#decode-progress").is_empty(), "nothing decodes before input");
    assert_eq!(
        texts(&root, "#decode-result .results.hidden").len(),
        1,
        "panes hidden before a decode"
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn the_message_pane_shows_an_inform_and_its_raw_xml() {
    let report = pipeline::analyze(INFORM.as_bytes(), &Options::default()).expect("decodes");
    let detail = detail_of(&report.sessions[0], 0).expect("the first message");
    let root = container();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <MessagePane detail=detail.clone() on_action=Callback::new(|_: DetailAction| {}) /> }
    });
    next_tick().await;
    assert_eq!(texts(&root, ".rpc-name"), ["Inform"]);
    assert_eq!(texts(&root, "[data-field=oui]").len(), 1);
    assert!(!texts(&root, "#parameters .param-name").is_empty());
    assert!(texts(&root, "#open-parameters").len() == 1, "an Inform carries values");
    let lines = texts(&root, "#raw-xml .xml-line");
    assert!(lines.iter().any(|l| l.contains("Inform")), "{lines:?}");
    drop(handle);
    root.remove();
}

#[wasm_bindgen_test]
async fn raw_xml_folds_an_element() {
    let lines = raw::xml_lines(INFORM);
    let count = lines.len();
    let root = container();
    let handle =
        leptos::mount::mount_to(root.clone(), move || view! { <RawXml lines=lines.clone() /> });
    next_tick().await;
    assert_eq!(texts(&root, ".xml-line").len(), count.min(140));
    let fold: web_sys::HtmlElement = root
        .query_selector(".xml-line .fold")
        .expect("query")
        .expect("a foldable line")
        .dyn_into()
        .expect("a button");
    fold.click();
    next_tick().await;
    assert!(texts(&root, ".xml-line").len() < 3, "the Envelope folded hides the rest");
    drop(handle);
    root.remove();
}

#[wasm_bindgen_test]
async fn a_broken_envelope_shows_where_it_breaks() {
    let broken = "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">\n  <soap:Body>\n</soap:Envelope>";
    let error = cwmpkit_core::cwmp::decode(broken.as_bytes()).expect_err("broken");
    let root = container();
    let handle = leptos::mount::mount_to(
        root.clone(),
        move || view! { <DecodeErrorBox error=error.clone() /> },
    );
    next_tick().await;
    let shown = texts(&root, "#decode-error");
    assert_eq!(shown.len(), 1, "no error box");
    assert!(shown[0].contains("Line 3"), "{shown:?}");
    drop(handle);
    root.remove();
}

#[path = "wasm_browser/file_reader.rs"]
mod file_reader;
#[path = "wasm_browser/workspace.rs"]
mod workspace;
