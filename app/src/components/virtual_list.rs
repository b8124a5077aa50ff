//! The Decode page's virtual lists, the sessions and a session's timeline, through one mechanism:
//! the worker keeps every row; the page asks it for a window of rows around the view, places each
//! row at its position in the whole list (the list's body is as tall as all of them), and asks for
//! another window when the view nears the edge of the one it holds. So the DOM holds one window
//! (the rows in view and some above and below them), however long the list.

use crate::components::keys;
use leptos::prelude::*;

/// How a list is windowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windowing {
    /// Height of a row, in pixels: the row at position `p` is placed `p × row_px` down.
    pub row_px: usize,
    /// Rows asked of the worker at a time: what the DOM holds.
    pub window: usize,
}

/// Rows still held beyond the view when the next window is asked for.
const MARGIN: usize = 5;

impl Windowing {
    /// The first row of the window to ask for when the view starts at row `first`: a third of
    /// the window above the view, the rest from it down.
    pub fn offset(self, first: usize) -> usize {
        first.saturating_sub(self.window / 3)
    }

    /// The row at the top of a view scrolled `scroll_top` pixels down and `height` pixels high,
    /// when the view comes within a few rows of an edge of the window `held` (its first row and
    /// how many rows) beyond which the list has rows (`total` in all): another window is needed.
    pub fn wanted(
        self,
        scroll_top: i32,
        height: i32,
        held: (usize, usize),
        total: usize,
    ) -> Option<usize> {
        let pixels = |value: i32| usize::try_from(value).unwrap_or(0);
        let first = pixels(scroll_top) / self.row_px;
        let in_view = pixels(height).div_ceil(self.row_px);
        let (offset, len) = held;
        let near_top = offset > 0 && first < offset + MARGIN;
        let near_bottom = offset + len < total && first + in_view + MARGIN > offset + len;
        (near_top || near_bottom).then_some(first)
    }

    /// The style of the list's body: as tall as every row of the list, held or not.
    pub fn body_height(self, total: usize) -> String {
        format!("height: {}px", total.saturating_mul(self.row_px))
    }

    /// Scrolls `list` so that the row at `position` is in view, unless it is already.
    pub fn reveal(self, list: &web_sys::HtmlElement, position: usize) {
        let top = i32::try_from(position.saturating_mul(self.row_px)).unwrap_or(i32::MAX);
        let row = i32::try_from(self.row_px).unwrap_or(i32::MAX);
        let (scrolled, height) = (list.scroll_top(), list.client_height());
        if top < scrolled || top.saturating_add(row) > scrolled.saturating_add(height) {
            list.set_scroll_top(top.saturating_sub(height / 2));
        }
    }
}

/// The row `step` rows from `current` among the held rows the arrow keys reach (`(position,
/// item)`, in order), or the first of them when `current` is not among them; `None` past either
/// end.
pub fn step_from<T: PartialEq + Copy>(
    rows: &[(usize, T)],
    current: Option<T>,
    step: isize,
) -> Option<(usize, T)> {
    let at = rows.iter().position(|(_, item)| Some(*item) == current);
    let next = match at {
        Some(at) => at.checked_add_signed(step)?,
        None => 0,
    };
    rows.get(next).copied()
}

/// The scrolling frame of a virtual list. It reports the row at the top of the view when the
/// window held nears its edge (`on_window`), and the arrow keys' steps (`on_step`); `children`
/// is the list's body, [`Windowing::body_height`] tall, with the rows of the window held.
#[component]
pub fn VirtualList(
    id: &'static str,
    windowing: Windowing,
    /// Rows in the whole list.
    #[prop(into)]
    total: Signal<usize>,
    /// The window held: its first row and how many rows.
    #[prop(into)]
    held: Signal<(usize, usize)>,
    on_window: Callback<usize>,
    on_step: Callback<isize>,
    list_ref: NodeRef<leptos::html::Div>,
    children: Children,
) -> impl IntoView {
    // Asked once per row reached, not once per scroll event.
    let asked = StoredValue::new(None::<usize>);
    view! {
        <div
            id=id
            class="virtual-list"
            tabindex="0"
            node_ref=list_ref
            on:scroll=move |ev| {
                let list = event_target::<web_sys::HtmlElement>(&ev);
                let wanted = windowing.wanted(
                    list.scroll_top(),
                    list.client_height(),
                    held.get_untracked(),
                    total.get_untracked(),
                );
                if let Some(first) = wanted.filter(|&first| asked.get_value() != Some(first)) {
                    asked.set_value(Some(first));
                    on_window.run(first);
                }
            }
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if let Some(step) = keys::arrow_step(&ev) {
                    on_step.run(step)
                }
            }
        >
            {children()}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROWS: Windowing = Windowing { row_px: 30, window: 60 };

    #[test]
    fn a_window_starts_a_third_above_the_view() {
        assert_eq!(ROWS.offset(0), 0);
        assert_eq!(ROWS.offset(10), 0);
        assert_eq!(ROWS.offset(500), 480);
    }

    #[test]
    fn another_window_is_wanted_only_near_an_edge_with_rows_beyond_it() {
        // 14 rows in view (420 px), rows 0..60 held of 5,000.
        let held = (0, 60);
        assert_eq!(ROWS.wanted(0, 420, held, 5000), None);
        assert_eq!(ROWS.wanted(30 * 40, 420, held, 5000), None, "rows 40..54 are in the window");
        assert_eq!(ROWS.wanted(30 * 42, 420, held, 5000), Some(42), "5 rows from its end");
        assert_eq!(ROWS.wanted(30 * 4999, 420, held, 5000), Some(4999), "dragged to the end");
        // Rows 4940..5000 held: the end of the list is no edge.
        assert_eq!(ROWS.wanted(30 * 4986, 420, (4940, 60), 5000), None);
        assert_eq!(ROWS.wanted(30 * 4943, 420, (4940, 60), 5000), Some(4943), "near its top");
        // A whole list held wants nothing.
        assert_eq!(ROWS.wanted(30 * 20, 420, (0, 40), 40), None);
        assert_eq!(ROWS.wanted(-5, 420, (0, 40), 4000), None, "overscroll");
    }

    #[test]
    fn the_keys_step_through_the_rows_held() {
        let rows = [(7, 'a'), (9, 'b'), (10, 'c')];
        assert_eq!(step_from(&rows, Some('a'), 1), Some((9, 'b')));
        assert_eq!(step_from(&rows, Some('c'), -2), Some((7, 'a')));
        assert_eq!(step_from(&rows, Some('c'), 1), None, "past the end");
        assert_eq!(step_from(&rows, Some('a'), -1), None, "before the start");
        assert_eq!(step_from(&rows, Some('z'), 1), Some((7, 'a')), "from outside the window");
        assert_eq!(step_from(&rows, None, -1), Some((7, 'a')));
        assert_eq!(step_from::<char>(&[], None, 1), None);
    }
}
