//! Keyboard habits shared by lists: the arrow keys move through a list's
//! items, Home and End to its ends. A list marks its items `data-nav` (each
//! focusable: a link, a button, or an element with a tabindex) and handles
//! `keydown` with [`move_in_list`].

use wasm_bindgen::JsCast;

/// Moves focus between the `[data-nav]` items inside the element handling the
/// event. Returns the newly focused item, if the key moved focus.
pub fn move_in_list(ev: &leptos::ev::KeyboardEvent) -> Option<web_sys::HtmlElement> {
    let step: isize = match ev.key().as_str() {
        "ArrowDown" => 1,
        "ArrowUp" => -1,
        "Home" => isize::MIN,
        "End" => isize::MAX,
        _ => return None,
    };
    if ev.alt_key() || ev.ctrl_key() || ev.meta_key() || ev.shift_key() {
        return None;
    }
    let list = ev.current_target()?.dyn_into::<web_sys::Element>().ok()?;
    let nodes = list.query_selector_all("[data-nav]").ok()?;
    let items: Vec<web_sys::HtmlElement> =
        (0..nodes.length()).filter_map(|i| nodes.item(i)?.dyn_into().ok()).collect();
    let active = web_sys::window()?.document()?.active_element();
    // Keys typed into a field inside an item (a rename, an edit) stay the field's.
    if active.as_ref().is_some_and(|a| {
        matches!(a.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
            && !a.has_attribute("data-nav")
    }) {
        return None;
    }
    let current = active.as_ref().and_then(|active| {
        items.iter().position(|item| item.contains(Some(active.unchecked_ref())))
    });
    let last = items.len().checked_sub(1)?;
    let next = match (step, current) {
        (isize::MIN, _) => 0,
        (isize::MAX, _) => last,
        (_, None) => 0,
        (step, Some(at)) => at.saturating_add_signed(step).min(last),
    };
    ev.prevent_default();
    let item = items.get(next)?.clone();
    let _ = item.focus();
    Some(item)
}

/// For a virtual list, whose items are not all in the DOM: the step the arrow keys ask for (down
/// 1, up −1), with the key's default (scrolling) prevented, or `None` for any other key.
pub fn arrow_step(ev: &leptos::ev::KeyboardEvent) -> Option<isize> {
    let step = match ev.key().as_str() {
        "ArrowDown" => 1,
        "ArrowUp" => -1,
        _ => return None,
    };
    ev.prevent_default();
    Some(step)
}
