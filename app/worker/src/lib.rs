//! Decoding off the Decode page's thread: what the page and its Web Worker say to each other
//! (`protocol`), the worker's side (`worker`) and its warm-up (`warm_up`). The page's side is the
//! app's `decode::client`.

pub mod protocol;
pub mod warm_up;
pub mod worker;
