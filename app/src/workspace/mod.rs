//! The workspace: what the user opened, kept in this browser (IndexedDB) so
//! that a reload, or tomorrow, finds it as it was. Nothing here leaves the
//! browser.
//!
//! An item is a capture (the bytes as opened), a parameter set (its file, with
//! the edits and the compared set as page state), or a provisioning project
//! (the form as page state, the CSV and template as files). Each item is
//! stored as three records under one id: its [`Entry`] (listed without reading
//! the rest), its files (bytes exactly as opened) and its page state (JSON text
//! the page owns). A write is one transaction: when the browser refuses it (a
//! full quota) nothing of it is stored and nothing stored before is touched.
//!
//! Pages use the [`Workspace`] context (`use_workspace()`): its methods store
//! and read items and keep [`Workspace::entries`] current for every view. The
//! URL of an item is [`crate::links::item`].
//!
//! ```text
//! let workspace = use_workspace();
//! // A capture the user opened: store it, then point the URL at it.
//! let entry = workspace.create(Kind::Capture, &file.name, vec![file], "{}").await?;
//! navigate(&links::item(Kind::Capture, entry.id), Default::default());
//! // Later, e.g. a reload at `/?capture=ID`:
//! let item = workspace.open(id).await?;          // entry, files, state
//! workspace.save_state(id, &state_json).await?;  // edits, selection, form
//! ```

mod idb;

/// A file as the user gave it: what an item's files are.
pub use crate::components::files::PickedFile;
use idb::{DbError, ENTRIES, FILES, STATES, committed, issued, store, transaction, until_done};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::IdbTransactionMode;

/// An item's key: milliseconds since the epoch when it was created, times
/// 1000, plus a random part (below 2^53, so JS numbers hold it exactly).
pub type ItemId = u64;

/// What an item is; each kind belongs to a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Captured or pasted traffic, for the Decode page.
    Capture,
    /// A device's parameters with edits, for the Parameters page.
    ParameterSet,
    /// A provisioning project (form, CSV, template), for the Provision page.
    Project,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Capture => "capture",
            Kind::ParameterSet => "parameter set",
            Kind::Project => "provisioning project",
        }
    }
}

/// What the workspace lists about an item, without reading its contents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: ItemId,
    pub kind: Kind,
    pub name: String,
    /// Bytes stored for it: its files and its page state.
    pub size: u64,
    /// Of which its files.
    pub files_size: u64,
    /// Milliseconds since the epoch, by the browser's clock.
    pub created: u64,
    pub updated: u64,
    /// Its files' names, in order.
    pub files: Vec<String>,
}

/// An item read back whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub entry: Entry,
    pub files: Vec<PickedFile>,
    /// The page state last saved (JSON the page owns).
    pub state: String,
}

/// The browser's figure for this origin's storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Estimate {
    pub usage: u64,
    pub quota: u64,
}

/// Why the workspace could not do something, said for the user.
#[derive(Debug, Clone, PartialEq)]
pub enum StorageError {
    /// The browser's quota refused a write: what did not fit, and its size.
    Quota { what: String, size: u64 },
    /// No IndexedDB (some private windows), or it refused to open.
    Unavailable(String),
    /// The item is gone (deleted here or in another tab).
    NotFound(ItemId),
    /// Anything else the browser reported.
    Failed(String),
}

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StorageError::Quota { what, size } => write!(
                f,
                "{what} ({}) did not fit in this browser's storage. Nothing stored before was \
                 lost; delete something on the Workspace page to make room. Until then it is \
                 open here but not kept.",
                human_size(*size)
            ),
            StorageError::Unavailable(why) => {
                write!(
                    f,
                    "this browser does not let the app keep anything ({why}); what you open is not kept"
                )
            }
            StorageError::NotFound(id) => {
                write!(
                    f,
                    "item {id} is not in the workspace any more (deleted, perhaps in another tab)"
                )
            }
            StorageError::Failed(why) => write!(f, "the browser's storage failed: {why}"),
        }
    }
}

impl StorageError {
    fn of(error: DbError, what: &str, size: u64) -> StorageError {
        if error.is_quota() {
            StorageError::Quota { what: what.to_owned(), size }
        } else if error.name == "NotSupported" || error.name == "InvalidStateError" {
            StorageError::Unavailable(error.message)
        } else {
            StorageError::Failed(format!("{}: {}", error.name, error.message))
        }
    }

    fn reading(error: DbError) -> StorageError {
        StorageError::of(error, "", 0)
    }
}

/// `1234567` → `1.2 MB`: sizes for people, in decimal units, without float
/// formatting (which would add ≈ 10 KB to the wasm).
pub fn human_size(bytes: u64) -> String {
    if bytes < 1000 {
        return format!("{bytes} bytes");
    }
    let rounded = |scale: u64, by: u64| (bytes.saturating_mul(by) + scale / 2) / scale;
    let mut scale = 1000u64;
    for unit in ["KB", "MB", "GB", "TB"] {
        let tenths = rounded(scale, 10);
        if tenths < 1000 {
            return format!("{}.{} {unit}", tenths / 10, tenths % 10);
        }
        let whole = rounded(scale, 1);
        if whole < 1000 || unit == "TB" {
            return format!("{whole} {unit}");
        }
        scale *= 1000;
    }
    format!("{bytes} bytes")
}

/// What files weigh in storage.
fn files_size(files: &[PickedFile]) -> u64 {
    files.iter().map(|f| (f.name.len() + f.bytes.len()) as u64).sum()
}

/// `2026-12-04 15:03`, in the browser's time zone.
pub fn local_time(ms: u64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    format!(
        "{}-{:02}-{:02} {:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// A fresh item id (see [`ItemId`]).
pub fn new_id() -> ItemId {
    now_ms() * 1000 + (js_sys::Math::random() * 1000.0) as u64
}

fn key(id: ItemId) -> JsValue {
    JsValue::from_f64(id as f64)
}

fn files_to_js(files: &[PickedFile]) -> JsValue {
    let array = js_sys::Array::new();
    for file in files {
        let record = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&record, &"name".into(), &file.name.as_str().into());
        let _ = js_sys::Reflect::set(
            &record,
            &"bytes".into(),
            &js_sys::Uint8Array::from(file.bytes.as_slice()),
        );
        array.push(&record);
    }
    array.into()
}

fn files_from_js(value: &JsValue) -> Vec<PickedFile> {
    let Some(array) = value.dyn_ref::<js_sys::Array>() else { return Vec::new() };
    array
        .iter()
        .map(|record| PickedFile {
            name: js_sys::Reflect::get(&record, &"name".into())
                .ok()
                .and_then(|n| n.as_string())
                .unwrap_or_default(),
            bytes: js_sys::Reflect::get(&record, &"bytes".into())
                .ok()
                .and_then(|b| b.dyn_into::<js_sys::Uint8Array>().ok())
                .map(|b| b.to_vec())
                .unwrap_or_default(),
        })
        .collect()
}

fn entry_to_js(entry: &Entry) -> JsValue {
    JsValue::from_str(&serde_json::to_string(entry).unwrap_or_default())
}

fn entry_from_js(value: &JsValue) -> Option<Entry> {
    serde_json::from_str(&value.as_string()?).ok()
}

async fn database() -> Result<web_sys::IdbDatabase, StorageError> {
    idb::open().await.map_err(|e| StorageError::Unavailable(format!("{}: {}", e.name, e.message)))
}

/// Writes `entry`, and its files and state when given, in one transaction.
async fn write(
    entry: &Entry,
    files: Option<&[PickedFile]>,
    state: Option<&str>,
) -> Result<(), StorageError> {
    let failed = |e: DbError| StorageError::of(e, &entry.name, entry.size);
    let db = database().await?;
    let tx = transaction(&db, &[ENTRIES, FILES, STATES], IdbTransactionMode::Readwrite)
        .map_err(failed)?;
    let id = key(entry.id);
    issued(store(&tx, ENTRIES).map_err(failed)?.put_with_key(&entry_to_js(entry), &id))
        .map_err(failed)?;
    if let Some(files) = files {
        issued(store(&tx, FILES).map_err(failed)?.put_with_key(&files_to_js(files), &id))
            .map_err(failed)?;
    }
    if let Some(state) = state {
        issued(store(&tx, STATES).map_err(failed)?.put_with_key(&JsValue::from_str(state), &id))
            .map_err(failed)?;
    }
    committed(&tx).await.map_err(failed)
}

async fn read_entry(id: ItemId) -> Result<Entry, StorageError> {
    let db = database().await?;
    let tx = transaction(&db, &[ENTRIES], IdbTransactionMode::Readonly)
        .map_err(StorageError::reading)?;
    let request = issued(store(&tx, ENTRIES).map_err(StorageError::reading)?.get(&key(id)))
        .map_err(StorageError::reading)?;
    let value = until_done(&request).await.map_err(StorageError::reading)?;
    entry_from_js(&value).ok_or(StorageError::NotFound(id))
}

/// Stores a new item.
pub async fn create(
    kind: Kind,
    name: &str,
    files: Vec<PickedFile>,
    state: &str,
) -> Result<Entry, StorageError> {
    create_as(new_id(), kind, name, files, state).await
}

/// Stores a new item under an id chosen before (see [`document`]).
pub async fn create_as(
    id: ItemId,
    kind: Kind,
    name: &str,
    files: Vec<PickedFile>,
    state: &str,
) -> Result<Entry, StorageError> {
    let now = now_ms();
    let entry = Entry {
        id,
        kind,
        name: name.to_owned(),
        size: files_size(&files) + state.len() as u64,
        files_size: files_size(&files),
        created: now,
        updated: now,
        files: files.iter().map(|f| f.name.clone()).collect(),
    };
    write(&entry, Some(&files), Some(state)).await?;
    request_persistence();
    Ok(entry)
}

/// Replaces an item's page state (edits, selection, form).
pub async fn save_state(id: ItemId, state: &str) -> Result<Entry, StorageError> {
    let mut entry = read_entry(id).await?;
    entry.size = entry.files_size + state.len() as u64;
    entry.updated = now_ms();
    write(&entry, None, Some(state)).await?;
    Ok(entry)
}

/// Replaces an item's files (a project's new CSV, a set's compared set).
pub async fn save_files(id: ItemId, files: Vec<PickedFile>) -> Result<Entry, StorageError> {
    let mut entry = read_entry(id).await?;
    let state_size = entry.size.saturating_sub(entry.files_size);
    entry.files_size = files_size(&files);
    entry.size = entry.files_size + state_size;
    entry.files = files.iter().map(|f| f.name.clone()).collect();
    entry.updated = now_ms();
    write(&entry, Some(&files), None).await?;
    Ok(entry)
}

/// Reads an item whole: entry, files, state.
pub async fn open(id: ItemId) -> Result<Item, StorageError> {
    let db = database().await?;
    let tx = transaction(&db, &[ENTRIES, FILES, STATES], IdbTransactionMode::Readonly)
        .map_err(StorageError::reading)?;
    let get = |name| {
        issued(store(&tx, name).map_err(StorageError::reading)?.get(&key(id)))
            .map_err(StorageError::reading)
    };
    let (entry, files, state) = (get(ENTRIES)?, get(FILES)?, get(STATES)?);
    let entry = until_done(&entry).await.map_err(StorageError::reading)?;
    let files = until_done(&files).await.map_err(StorageError::reading)?;
    let state = until_done(&state).await.map_err(StorageError::reading)?;
    Ok(Item {
        entry: entry_from_js(&entry).ok_or(StorageError::NotFound(id))?,
        files: files_from_js(&files),
        state: state.as_string().unwrap_or_default(),
    })
}

/// Every item's entry, most recently changed first.
pub async fn list() -> Result<Vec<Entry>, StorageError> {
    let db = database().await?;
    let tx = transaction(&db, &[ENTRIES], IdbTransactionMode::Readonly)
        .map_err(StorageError::reading)?;
    let request = issued(store(&tx, ENTRIES).map_err(StorageError::reading)?.get_all())
        .map_err(StorageError::reading)?;
    let all = until_done(&request).await.map_err(StorageError::reading)?;
    let mut entries: Vec<Entry> = all
        .dyn_ref::<js_sys::Array>()
        .map(|a| a.iter().filter_map(|v| entry_from_js(&v)).collect())
        .unwrap_or_default();
    entries.sort_by(|a, b| b.updated.cmp(&a.updated).then(b.id.cmp(&a.id)));
    Ok(entries)
}

pub async fn rename(id: ItemId, name: &str) -> Result<Entry, StorageError> {
    let mut entry = read_entry(id).await?;
    entry.name = name.to_owned();
    entry.updated = now_ms();
    write(&entry, None, None).await?;
    Ok(entry)
}

/// Deletes one item, or every item with `None`.
pub async fn delete(id: Option<ItemId>) -> Result<(), StorageError> {
    let db = database().await?;
    let tx = transaction(&db, &[ENTRIES, FILES, STATES], IdbTransactionMode::Readwrite)
        .map_err(StorageError::reading)?;
    for name in [ENTRIES, FILES, STATES] {
        let store = store(&tx, name).map_err(StorageError::reading)?;
        let request = match id {
            Some(id) => store.delete(&key(id)),
            None => store.clear(),
        };
        issued(request).map_err(StorageError::reading)?;
    }
    committed(&tx).await.map_err(StorageError::reading)
}

/// The browser's storage estimate for this origin, when it gives one.
pub async fn estimate() -> Option<Estimate> {
    let promise = web_sys::window()?.navigator().storage().estimate().ok()?;
    let value = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    let estimate: web_sys::StorageEstimate = value.unchecked_into();
    Some(Estimate {
        usage: estimate.get_usage().unwrap_or(0.0) as u64,
        quota: estimate.get_quota().unwrap_or(0.0) as u64,
    })
}

/// Asks the browser to keep the workspace under storage pressure (it decides;
/// Chromium grants it to sites people use).
fn request_persistence() {
    if let Some(window) = web_sys::window() {
        // The answer only matters to the Workspace page, which asks `persisted()`.
        let _ = window.navigator().storage().persist();
    }
}

/// How long a page must be quiet before [`Workspace::save_state_soon`] saves.
pub const SAVE_DELAY_MS: i32 = 250;

thread_local! {
    /// Saves waiting for quiet, by item: the browser's timeout handle.
    static PENDING_SAVES: std::cell::RefCell<std::collections::HashMap<ItemId, i32>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Which item a page's document view shows: the one its URL names, or, on
/// the page's bare URL, a new item whose id is chosen now. Keeping the new
/// item under that id and naming it in the URL leaves the memo unchanged, so
/// the view the user is typing in is not rebuilt; leaving a kept item for the
/// bare URL starts a new one.
pub fn document(named: Memo<Option<ItemId>>) -> Memo<ItemId> {
    let kept = StoredValue::new(std::collections::HashSet::new());
    Memo::new(move |shown: Option<&ItemId>| match named.get() {
        Some(id) => {
            kept.update_value(|k| {
                k.insert(id);
            });
            id
        }
        None => match shown {
            Some(&id) if !kept.with_value(|k| k.contains(&id)) => id,
            _ => new_id(),
        },
    })
}

/// The workspace as the app's views see it: every entry, kept current by the
/// methods below, and the last storage problem for the shell to show.
#[derive(Debug, Clone, Copy)]
pub struct Workspace {
    /// Every item, most recently changed first; `None` until first read.
    pub entries: RwSignal<Option<Result<Vec<Entry>, StorageError>>>,
    /// The last write the browser refused, said for the user.
    pub problem: RwSignal<Option<StorageError>>,
}

/// Creates the workspace context (the shell calls it once). The list is read
/// when a view first needs it (`refresh`), not at start.
pub fn provide_workspace() -> Workspace {
    let workspace = Workspace { entries: RwSignal::new(None), problem: RwSignal::new(None) };
    provide_context(workspace);
    workspace
}

/// The workspace context the shell provides.
pub fn use_workspace() -> Workspace {
    use_context::<Workspace>()
        .unwrap_or_else(|| Workspace { entries: RwSignal::new(None), problem: RwSignal::new(None) })
}

impl Workspace {
    /// Reads the list again (after a change, or one in another tab).
    pub fn refresh(self) {
        leptos::task::spawn_local(async move {
            let entries = list().await;
            self.entries.set(Some(entries));
        });
    }

    /// Records the outcome of a change: the list is read again, and a failure
    /// becomes the shown problem.
    fn settle<T>(self, outcome: Result<T, StorageError>) -> Result<T, StorageError> {
        if let Err(problem) = &outcome {
            self.problem.set(Some(problem.clone()));
        }
        self.refresh();
        outcome
    }

    pub async fn create(
        self,
        kind: Kind,
        name: &str,
        files: Vec<PickedFile>,
        state: &str,
    ) -> Result<Entry, StorageError> {
        self.settle(create(kind, name, files, state).await)
    }

    pub async fn create_as(
        self,
        id: ItemId,
        kind: Kind,
        name: &str,
        files: Vec<PickedFile>,
        state: &str,
    ) -> Result<Entry, StorageError> {
        self.settle(create_as(id, kind, name, files, state).await)
    }

    pub async fn save_state(self, id: ItemId, state: &str) -> Result<Entry, StorageError> {
        self.settle(save_state(id, state).await)
    }

    /// Runs `save` once the page has been quiet for [`SAVE_DELAY_MS`]: typing
    /// saves once, not at every key. A later call for the same item replaces
    /// a waiting one.
    pub fn later(self, id: ItemId, save: impl FnOnce() + 'static) {
        let Some(window) = web_sys::window() else { return };
        if let Some(waiting) = PENDING_SAVES.with(|p| p.borrow_mut().remove(&id)) {
            window.clear_timeout_with_handle(waiting);
        }
        let run = wasm_bindgen::closure::Closure::once_into_js(move || {
            PENDING_SAVES.with(|p| p.borrow_mut().remove(&id));
            save();
        });
        if let Ok(handle) = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            run.unchecked_ref(),
            SAVE_DELAY_MS,
        ) {
            PENDING_SAVES.with(|p| p.borrow_mut().insert(id, handle));
        }
    }

    /// Saves `state` once typing pauses ([`Workspace::later`]); `done` hears the outcome.
    pub fn save_state_soon(
        self,
        id: ItemId,
        state: String,
        done: impl FnOnce(Result<Entry, StorageError>) + 'static,
    ) {
        self.later(id, move || {
            leptos::task::spawn_local(async move { done(self.save_state(id, &state).await) });
        });
    }

    pub async fn save_files(
        self,
        id: ItemId,
        files: Vec<PickedFile>,
    ) -> Result<Entry, StorageError> {
        self.settle(save_files(id, files).await)
    }

    pub async fn open(self, id: ItemId) -> Result<Item, StorageError> {
        open(id).await
    }

    pub async fn rename(self, id: ItemId, name: &str) -> Result<Entry, StorageError> {
        self.settle(rename(id, name).await)
    }

    pub async fn delete(self, id: ItemId) -> Result<(), StorageError> {
        self.settle(delete(Some(id)).await)
    }

    pub async fn clear(self) -> Result<(), StorageError> {
        self.settle(delete(None).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(human_size(0), "0 bytes");
        assert_eq!(human_size(999), "999 bytes");
        assert_eq!(human_size(1000), "1.0 KB");
        assert_eq!(human_size(1049), "1.0 KB");
        assert_eq!(human_size(1050), "1.1 KB");
        assert_eq!(human_size(99_949), "99.9 KB");
        assert_eq!(human_size(99_950), "100 KB");
        assert_eq!(human_size(999_499), "999 KB");
        assert_eq!(human_size(999_500), "1.0 MB");
        assert_eq!(human_size(52_428_800), "52.4 MB");
        assert_eq!(human_size(999_950_000), "1.0 GB");
        assert_eq!(human_size(3_000_000_000_000_000), "3000 TB");
    }

    #[test]
    fn an_entry_survives_its_stored_form() {
        let entry = Entry {
            id: 1_764_000_000_000_123,
            kind: Kind::ParameterSet,
            name: "dump.csv".into(),
            size: 1234,
            files_size: 1200,
            created: 1_764_000_000_000,
            updated: 1_764_000_000_500,
            files: vec!["dump.csv".into()],
        };
        let text = serde_json::to_string(&entry).expect("serializes");
        assert!(text.contains("\"kind\":\"parameter-set\""), "{text}");
        assert_eq!(serde_json::from_str::<Entry>(&text).expect("parses"), entry);
    }

    #[test]
    fn a_quota_refusal_says_what_did_not_fit_and_that_nothing_was_lost() {
        let text = StorageError::Quota { what: "big.pcap".into(), size: 12_300_000 }.to_string();
        assert!(text.starts_with("big.pcap (12.3 MB) did not fit"), "{text}");
        assert!(text.contains("Nothing stored before was lost"), "{text}");
    }
}
