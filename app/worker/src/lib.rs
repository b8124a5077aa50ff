//! Decoding off the Decode page's thread: what the page and its Web Worker say to each other
//! (`protocol`), and the worker's side (`worker`). The page's side is the app's `decode::client`.

pub mod protocol;
pub mod worker;
