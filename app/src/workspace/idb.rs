//! IndexedDB through web-sys, as futures: open the database, run one
//! transaction, await its requests and its completion.
//!
//! A request's or transaction's events resolve a JS promise; awaiting it
//! resumes in a microtask, while the transaction is still active, so one
//! transaction may read, then write.

use js_sys::Promise;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbObjectStore, IdbRequest, IdbTransaction, IdbTransactionMode};

const DATABASE: &str = "cwmpkit";
/// Bump with a migration in `upgrade` whenever the stores change.
const VERSION: u32 = 1;

/// An entry per item: its metadata as JSON text, keyed by id.
pub const ENTRIES: &str = "entries";
/// An item's files, as opened: `[{name, bytes: Uint8Array}]`, keyed by id.
pub const FILES: &str = "files";
/// An item's page state (JSON the page owns), keyed by id.
pub const STATES: &str = "states";
const STORES: [&str; 3] = [ENTRIES, FILES, STATES];

/// What IndexedDB said went wrong: the DOMException's name and message.
#[derive(Debug, Clone, PartialEq)]
pub struct DbError {
    pub name: String,
    pub message: String,
}

impl DbError {
    pub fn new(name: &str, message: impl Into<String>) -> DbError {
        DbError { name: name.to_owned(), message: message.into() }
    }

    fn of(exception: Option<web_sys::DomException>, fallback: &str) -> DbError {
        match exception {
            Some(e) => DbError { name: e.name(), message: e.message() },
            None => DbError::new("UnknownError", fallback),
        }
    }

    fn of_js(value: &JsValue, fallback: &str) -> DbError {
        DbError::of(value.dyn_ref::<web_sys::DomException>().cloned(), fallback)
    }

    pub fn is_quota(&self) -> bool {
        self.name == "QuotaExceededError"
    }
}

/// Opens (and on first use creates) the workspace database.
pub async fn open() -> Result<IdbDatabase, DbError> {
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or_else(|| DbError::new("NotSupported", "this browser offers no IndexedDB here"))?;
    let request = factory
        .open_with_u32(DATABASE, VERSION)
        .map_err(|e| DbError::of_js(&e, "cannot open the database"))?;
    let upgrade = wasm_bindgen::closure::Closure::<dyn FnMut(JsValue)>::new({
        let request = request.clone();
        move |_event: JsValue| upgrade(&request)
    });
    request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let outcome = until_done(&request).await;
    request.set_onupgradeneeded(None);
    drop(upgrade);
    outcome?.dyn_into::<IdbDatabase>().map_err(|_| DbError::new("UnknownError", "not a database"))
}

/// Creates the stores a fresh (or older) database lacks.
fn upgrade(request: &web_sys::IdbOpenDbRequest) {
    let Ok(result) = request.result() else { return };
    let Ok(db) = result.dyn_into::<IdbDatabase>() else { return };
    let existing = db.object_store_names();
    for store in STORES {
        if !existing.contains(store) {
            // A failure aborts the upgrade; `open` then reports the request's error.
            let _ = db.create_object_store(store);
        }
    }
}

/// A transaction over `stores`.
pub fn transaction(
    db: &IdbDatabase,
    stores: &[&str],
    mode: IdbTransactionMode,
) -> Result<IdbTransaction, DbError> {
    let names = js_sys::Array::new();
    for store in stores {
        names.push(&JsValue::from_str(store));
    }
    db.transaction_with_str_sequence_and_mode(&names, mode)
        .map_err(|e| DbError::of_js(&e, "cannot start a transaction"))
}

pub fn store(tx: &IdbTransaction, name: &str) -> Result<IdbObjectStore, DbError> {
    tx.object_store(name).map_err(|e| DbError::of_js(&e, "no such store"))
}

/// Turns the result of a store call (`get`, `put`, …) into a request or an error.
pub fn issued(request: Result<IdbRequest, JsValue>) -> Result<IdbRequest, DbError> {
    request.map_err(|e| DbError::of_js(&e, "the request was refused"))
}

/// The request's result, once it succeeded.
pub async fn until_done(request: &IdbRequest) -> Result<JsValue, DbError> {
    let promise = Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    let outcome = JsFuture::from(promise).await;
    request.set_onsuccess(None);
    request.set_onerror(None);
    match outcome {
        Ok(_) => request.result().map_err(|e| DbError::of_js(&e, "no result")),
        Err(_) => Err(DbError::of(request.error().ok().flatten(), "the request failed")),
    }
}

/// Waits until the transaction committed; its error (e.g. a full quota) if it aborted.
pub async fn committed(tx: &IdbTransaction) -> Result<(), DbError> {
    // A failed request aborts the transaction, which then carries the error.
    let promise = Promise::new(&mut |resolve, reject| {
        tx.set_oncomplete(Some(&resolve));
        tx.set_onabort(Some(&reject));
    });
    let outcome = JsFuture::from(promise).await;
    tx.set_oncomplete(None);
    tx.set_onabort(None);
    outcome.map(|_| ()).map_err(|_| DbError::of(tx.error(), "the transaction was aborted"))
}
