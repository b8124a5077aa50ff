//! Decoding off the Decode page's thread: what the page and its Web Worker say to each other
//! (`protocol`), the worker's side (`worker`), its warm-up (`warm_up`) and the worker that
//! reads the file for it (`reader`). The page's side is the
//! app's `decode::client`.

pub mod protocol;
pub mod reader;
pub mod warm_up;
pub mod worker;
