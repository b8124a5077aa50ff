//! Decoding off the page's thread: the protocol between the Decode page and its Web Worker, the
//! worker's side, and the page's handle on it.

pub mod client;
pub mod protocol;
pub mod worker;

use crate::components::files::PickedFile;

/// A message the Decode page left for the Parameters page ("Open these parameters"), taken once.
pub fn take_handed_parameters() -> Option<PickedFile> {
    let storage = web_sys::window()?.session_storage().ok()??;
    let json = storage.get_item(protocol::PARAMETERS_HANDOFF).ok()??;
    let _ = storage.remove_item(protocol::PARAMETERS_HANDOFF);
    let value: serde_json::Value = serde_json::from_str(&json).ok()?;
    Some(PickedFile {
        name: value["name"].as_str()?.to_owned(),
        bytes: value["text"].as_str()?.as_bytes().to_vec(),
    })
}
