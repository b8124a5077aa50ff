//! Decoding off the page's thread: the page's handle on its Web Worker (`client`); the protocol
//! between them and the worker's side are the `cwmpkit-decode-worker` crate (app/worker/).

pub mod client;
pub use cwmpkit_decode_worker::{protocol, reader, worker};
