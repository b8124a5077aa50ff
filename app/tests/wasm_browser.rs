//! The app's components in a real browser: mount, paste, look at the DOM.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().and_then(|w| w.document()).expect("a browser document")
}

/// Mounts a fresh Decode page in its own container and returns the container
/// once the page shows its input (it first asks the workspace, a task later,
/// whether the URL names a kept capture). (The page itself, in a router for its
/// URL state, not the routed app: the test runner's URL is not `/`.)
async fn mount_app() -> web_sys::HtmlElement {
    use leptos::prelude::*;
    let container: web_sys::HtmlElement =
        crate::document().create_element("div").expect("div").dyn_into().expect("an HtmlElement");
    crate::document().body().expect("body").append_child(&container).expect("append");
    let handle = leptos::mount::mount_to(container.clone(), || {
        view! {
            <leptos_router::components::Router>
                <cwmpkit_app::pages::decode::DecodePage />
            </leptos_router::components::Router>
        }
    });
    handle.forget();
    until_present(&container, "#soap-input").await;
    container
}

fn paste(container: &web_sys::HtmlElement, text: &str) {
    let area: web_sys::HtmlTextAreaElement = container
        .query_selector("#soap-input")
        .expect("query")
        .expect("the input area renders")
        .dyn_into()
        .expect("a textarea");
    area.set_value(text);
    let event = web_sys::Event::new("input").expect("event");
    area.dispatch_event(&event).expect("dispatch");
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

/// Yields until `css` matches in `container`: the page loads its decoding code
/// on first input (a split point), a few tasks later.
async fn until_present(container: &web_sys::HtmlElement, css: &str) {
    for _ in 0..100 {
        if container.query_selector(css).ok().flatten().is_some() {
            return;
        }
        next_tick().await;
    }
}

#[wasm_bindgen_test]
async fn the_example_button_renders_a_decoded_inform() {
    let container = mount_app().await;
    let button: web_sys::HtmlElement = container
        .query_selector("#load-example")
        .expect("query")
        .expect("the example button renders")
        .dyn_into()
        .expect("a button");
    button.click();
    until_present(&container, ".rpc-name").await;
    assert_eq!(texts(&container, ".rpc-name"), ["Inform"]);
    assert_eq!(texts(&container, "[data-field=manufacturer]"), ["Aastra"]);
    let events = texts(&container, ".event-meaning");
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(texts(&container, ".param-type.untyped").len() == 1, "ParameterKey has no xsi:type");
    container.remove();
}

#[wasm_bindgen_test]
async fn a_broken_paste_shows_the_error_position() {
    let container = mount_app().await;
    paste(
        &container,
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">\n  <soap:Body>\n</soap:Envelope>",
    );
    until_present(&container, "#decode-error").await;
    let error = texts(&container, "#decode-error");
    assert_eq!(error.len(), 1, "no error box");
    assert!(error[0].contains("Line 3"), "{error:?}");
    container.remove();
}

#[path = "wasm_browser/workspace.rs"]
mod workspace;
