//! Split points: code that `cargo xtask dist` moves into wasm chunks of its own,
//! fetched the first time they are called (xtask/src/split.rs). The start-up
//! download is the main module (the shell: router, navigation, theme, storage)
//! and the chunks of the page the app opens at; a page's heavy code (decoding,
//! data models, planning) loads when the user first needs it.
//!
//! Only the split build (`--cfg cwmpkit_split`) splits; other builds (tests,
//! `trunk serve`) call the same functions directly.

/// Declares `async fn NAME() -> T`, whose body (and whatever only it reaches)
/// becomes a chunk of its own in the split build. Name pages `page_*`: xtask
/// counts their chunks in the start-up budget. A split point returns views or
/// function pointers; calling those later runs the chunk's code synchronously.
macro_rules! split_point {
    ($(#[$meta:meta])* $vis:vis fn $name:ident() -> $ty:ty $body:block) => {
        $(#[$meta])*
        $vis async fn $name() -> $ty {
            #[cfg_attr(cwmpkit_split, leptos::lazy($name))]
            fn load() -> $ty $body
            #[cfg(cwmpkit_split)]
            return load().await;
            #[cfg(not(cwmpkit_split))]
            return load();
        }
    };
}
pub(crate) use split_point;
