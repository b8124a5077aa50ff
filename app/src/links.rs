//! Deep links: every page, every selection and every filter has a URL, so a
//! URL reopens what it names from the workspace, and Back returns to the
//! previous selection.
//!
//! | page | path | query |
//! |---|---|---|
//! | Decode | `/` | `capture=ID` (workspace item), `session=N`, `message=N` (0-based, within the session), `filter=TEXT` |
//! | Parameters | `/parameters` | `set=ID`, `compare=ID` (set B), `path=PATH` (the selected parameter), `filter=TEXT`, `changes=added\|removed\|changed`, `diff-filter=TEXT` |
//! | Provision | `/provision` | `project=ID`, `filter=TEXT` (the bulk rows) |
//! | Live | `/live` | `device=ID` (OUI-ProductClass-Serial), `filter=TEXT` (the event log) |
//! | Workspace | `/workspace` | `filter=TEXT` |
//! | About | `/about` | |
//!
//! Selections push a history entry (Back returns to the previous one);
//! filters replace the current entry as the user types. Neither scrolls.
//! [`selection`] and [`filter`] give a page a signal bound to one parameter.

use crate::workspace::{ItemId, Kind};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::query_signal_with_options;
use std::str::FromStr;

/// The query parameters of the scheme above.
pub mod key {
    pub const CAPTURE: &str = "capture";
    pub const SESSION: &str = "session";
    pub const MESSAGE: &str = "message";
    pub const SET: &str = "set";
    pub const COMPARE: &str = "compare";
    pub const PATH: &str = "path";
    pub const CHANGES: &str = "changes";
    pub const DIFF_FILTER: &str = "diff-filter";
    pub const PROJECT: &str = "project";
    pub const DEVICE: &str = "device";
    pub const FILTER: &str = "filter";
}

/// The app's pages, in the order of the navigation bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Decode,
    Parameters,
    Provision,
    Live,
    Workspace,
    About,
}

impl Page {
    pub const ALL: [Page; 6] =
        [Page::Decode, Page::Parameters, Page::Provision, Page::Live, Page::Workspace, Page::About];

    pub fn path(self) -> &'static str {
        match self {
            Page::Decode => "/",
            Page::Parameters => "/parameters",
            Page::Provision => "/provision",
            Page::Live => "/live",
            Page::Workspace => "/workspace",
            Page::About => "/about",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Page::Decode => "Decode",
            Page::Parameters => "Parameters",
            Page::Provision => "Provision",
            Page::Live => "Live",
            Page::Workspace => "Workspace",
            Page::About => "About",
        }
    }
}

impl Kind {
    /// The page that opens an item of this kind, and the parameter naming it.
    pub fn page_and_key(self) -> (Page, &'static str) {
        match self {
            Kind::Capture => (Page::Decode, key::CAPTURE),
            Kind::ParameterSet => (Page::Parameters, key::SET),
            Kind::Project => (Page::Provision, key::PROJECT),
        }
    }
}

/// The URL that reopens a workspace item on its page.
pub fn item(kind: Kind, id: ItemId) -> String {
    let (page, key) = kind.page_and_key();
    to(page, &[(key, id.to_string())])
}

/// A page's URL with query parameters (empty values are left out).
pub fn to(page: Page, query: &[(&str, String)]) -> String {
    let query: Vec<String> = query
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    if query.is_empty() {
        page.path().to_owned()
    } else {
        format!("{}?{}", page.path(), query.join("&"))
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// A selection bound to the URL parameter `key`: setting it pushes a history
/// entry, so Back returns to the previous selection.
pub fn selection<T>(key: &'static str) -> (Memo<Option<T>>, SignalSetter<Option<T>>)
where
    T: FromStr + ToString + PartialEq + Clone + Send + Sync + 'static,
{
    query_signal_with_options(key, NavigateOptions { scroll: false, ..NavigateOptions::default() })
}

/// A filter bound to the URL parameter `key`: typing replaces the current
/// history entry (Back does not step through keystrokes).
pub fn filter(key: &'static str) -> (Memo<Option<String>>, SignalSetter<Option<String>>) {
    query_signal_with_options(
        key,
        NavigateOptions { scroll: false, replace: true, ..NavigateOptions::default() },
    )
}

/// The Decode page's selection: a session, and a message within it, kept in
/// the URL (`session`, `message`; absent means the first). Choosing pushes a
/// history entry, so Back returns to the message read before.
#[derive(Debug, Clone, Copy)]
pub struct MessageSelection {
    session: Memo<Option<usize>>,
    message: Memo<Option<usize>>,
    set_session: SignalSetter<Option<usize>>,
    set_message: SignalSetter<Option<usize>>,
}

impl MessageSelection {
    /// The selection the current URL names (inside the router).
    pub fn from_url() -> MessageSelection {
        let (session, set_session) = selection(key::SESSION);
        let (message, set_message) = selection(key::MESSAGE);
        MessageSelection { session, message, set_session, set_message }
    }

    /// (session, message), both 0-based.
    pub fn get(&self) -> (usize, usize) {
        (self.session.get().unwrap_or(0), self.message.get().unwrap_or(0))
    }

    pub fn set(&self, (session, message): (usize, usize)) {
        if (session, message) != self.get_untracked() {
            self.set_session.set((session != 0).then_some(session));
            self.set_message.set((message != 0).then_some(message));
        }
    }

    fn get_untracked(&self) -> (usize, usize) {
        (self.session.get_untracked().unwrap_or(0), self.message.get_untracked().unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_link_names_its_page_and_id() {
        assert_eq!(item(Kind::Capture, 42), "/?capture=42");
        assert_eq!(item(Kind::ParameterSet, 7), "/parameters?set=7");
        assert_eq!(item(Kind::Project, 9), "/provision?project=9");
    }

    #[test]
    fn query_values_are_encoded_and_empty_ones_left_out() {
        let url = to(
            Page::Parameters,
            &[
                (key::SET, "7".into()),
                (key::FILTER, String::new()),
                (key::PATH, "Device.WiFi.SSID.1.SSID & más".into()),
            ],
        );
        assert_eq!(url, "/parameters?set=7&path=Device.WiFi.SSID.1.SSID%20%26%20m%C3%A1s");
    }
}
