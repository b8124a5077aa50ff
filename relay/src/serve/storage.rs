//! What the relay keeps: with `--data-dir`, one redb database (`cwmpkit.redb`) holding every
//! device as core's ACS would find it after a restart (last Inform, events, parameters,
//! ConnectionRequestURL, and its queue with the RPC in flight first), the request IDs handed out,
//! the RPC results per device (the `rpc-completed` events, the newest `--max-results`), and the
//! uploads index (each upload the relay stored: size, time, peer, user, and the device when it
//! can be told). Without it, results and the uploads index are kept in memory, in plain maps (no
//! database, no thread: nothing there outlives the process, so nothing needs a commit).
//!
//! Core says what changed (`Acs::take_changes`); the handler that changed it hands the new state
//! to [`Store::submit`] while it still holds the ACS, so the store sees changes in the order
//! they happened. On disk, one writer thread commits whatever has arrived in one transaction
//! (group commit: one fsync for many changes), then tells the handlers that wait for it (the
//! API's queue call answers only once its RPC is on disk). In memory, the handler applies its
//! change itself, at once, and has nothing to wait for.

use cwmpkit_core::acs::{AcsEvent, Device};
use cwmpkit_core::api::UploadReceived;
use redb::{Database, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use tokio::sync::oneshot;

/// Device ID → the device as JSON (`cwmpkit_core::acs::Device`).
const DEVICES: TableDefinition<&str, &[u8]> = TableDefinition::new("devices");
/// (device ID, sequence) → an `rpc-completed` event as JSON, oldest first.
const RESULTS: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("results");
/// Upload file name → what the relay recorded when it stored it ([`UploadRecord`] as JSON); a
/// new upload under the same name replaces the record, as it replaced the file.
const UPLOADS: TableDefinition<&str, &[u8]> = TableDefinition::new("uploads");
/// Counters: the request IDs handed out, the next result's sequence.
const COUNTERS: TableDefinition<&str, u64> = TableDefinition::new("counters");
const ISSUED_REQUESTS: &str = "issued-requests";
const NEXT_RESULT: &str = "next-result";

/// The database file in `--data-dir`.
pub const FILE_NAME: &str = "cwmpkit.redb";

/// The relay's store, shared by the handlers; cloning shares it.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    /// `--data-dir`: the database and its writer thread.
    Disk { database: Arc<Database>, writer: mpsc::Sender<Batch> },
    /// No `--data-dir`: results and the uploads index in memory. A redb in memory was used
    /// before; its commit per result (four tables opened, B-tree inserts, the trim's range) on
    /// a thread of its own, which the CPE's 204 waited for, cost a tenth of the relay's CPU
    /// under load for state that a plain map holds as well.
    Memory(Arc<Mutex<Memory>>),
}

/// What the relay keeps without `--data-dir`; the same as the database's tables would give
/// through the API.
struct Memory {
    /// Each device's `rpc-completed` events, oldest first, the newest `max_results`.
    results: HashMap<String, VecDeque<AcsEvent>>,
    uploads: HashMap<String, UploadRecord>,
    max_results: usize,
}

impl Memory {
    fn add_results(&mut self, events: Vec<AcsEvent>) {
        for event in events {
            let AcsEvent::RpcCompleted { device, .. } = &event else { continue };
            match self.results.get_mut(device.as_str()) {
                Some(kept) => {
                    kept.push_back(event);
                    while kept.len() > self.max_results {
                        kept.pop_front();
                    }
                }
                None => {
                    // Most devices keep one or a few results: no room for more until needed.
                    let device = device.clone();
                    let mut kept = VecDeque::with_capacity(1);
                    kept.push_back(event);
                    self.results.insert(device, kept);
                }
            }
        }
    }

    fn change_uploads(
        &mut self,
        uploads: Vec<(String, UploadRecord)>,
        gone: Vec<(String, UploadRecord)>,
    ) {
        // In the order the database applies them: a record forgotten, then stored again, stays.
        for (name, record) in uploads {
            self.uploads.insert(name, record);
        }
        for (name, record) in gone {
            if self.uploads.get(&name) == Some(&record) {
                self.uploads.remove(&name);
            }
        }
    }
}

/// What one handler changed, for one commit.
pub struct Batch {
    /// Each as core's ACS gives it (`Acs::persistent`).
    pub devices: Vec<Device>,
    /// `rpc-completed` events.
    pub results: Vec<AcsEvent>,
    /// `Acs::issued_requests` now.
    pub issued_requests: u64,
    /// Uploads stored, by file name.
    pub uploads: Vec<(String, UploadRecord)>,
    /// Records to remove from the uploads index (their file is gone), each only if the index
    /// still holds that same record: an upload stored under the name meanwhile stays.
    pub uploads_gone: Vec<(String, UploadRecord)>,
    done: Option<oneshot::Sender<Result<(), String>>>,
}

/// An upload in the index: the file as the relay left it (so that a file changed since, by
/// hand, is not taken for it) and what it knew of the upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadRecord {
    pub bytes: u64,
    /// The file's modification time once stored, seconds since the Unix epoch.
    pub modified: u64,
    /// `config backup`, `crash log` or `file` (`uploads::kind_of`).
    pub kind: String,
    pub received: UploadReceived,
}

/// What a database on disk held at start.
pub struct Restored {
    pub devices: Vec<Device>,
    pub issued_requests: u64,
    /// Records that could not be read, each with why; the rest is restored.
    pub unreadable: Vec<String>,
    pub path: Option<PathBuf>,
}

impl Store {
    /// Opens (or creates) `DIR/cwmpkit.redb`, reads what it holds and starts the writer thread;
    /// without a directory, an empty store in memory for results and the uploads index.
    pub fn open(directory: Option<&Path>, max_results: usize) -> Result<(Store, Restored), String> {
        let Some(directory) = directory else {
            let memory = Memory { results: HashMap::new(), uploads: HashMap::new(), max_results };
            let restored = Restored {
                devices: Vec::new(),
                issued_requests: 0,
                unreadable: Vec::new(),
                path: None,
            };
            return Ok((
                Store { backend: Backend::Memory(Arc::new(Mutex::new(memory))) },
                restored,
            ));
        };
        super::owner_only::create_dir_all(directory)
            .map_err(|e| format!("--data-dir {}: {e}", directory.display()))?;
        let path = directory.join(FILE_NAME);
        // Created owner-only before redb opens it (an older one is made so too).
        super::owner_only::file_options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .and_then(|_| super::owner_only::restrict(&path))
            .map_err(|e| {
                format!("--data-dir {}: cannot create {FILE_NAME}: {e}", directory.display())
            })?;
        let database = Database::create(&path).map_err(|e| {
            format!("--data-dir {}: cannot open {FILE_NAME}: {e}", directory.display())
        })?;
        let database = Arc::new(database);
        let where_ = path.display().to_string();
        create_tables(&database).map_err(|e| format!("{where_}: {e}"))?;
        let mut restored = read_all(&database).map_err(|e| format!("{where_}: {e}"))?;
        restored.path = Some(path);
        let (writer, batches) = mpsc::channel();
        let thread_database = Arc::clone(&database);
        std::thread::Builder::new()
            .name("cwmpkit-store".to_owned())
            .spawn(move || write_batches(&thread_database, &batches, max_results))
            .map_err(|e| format!("cannot start the store's writer: {e}"))?;
        Ok((Store { backend: Backend::Disk { database, writer } }, restored))
    }

    /// Whether device snapshots are worth taking (only a database on disk keeps them).
    pub fn keeps_devices(&self) -> bool {
        matches!(self.backend, Backend::Disk { .. })
    }

    fn memory(memory: &Mutex<Memory>) -> std::sync::MutexGuard<'_, Memory> {
        // Its updates are plain inserts and removes: a panic elsewhere cannot leave it torn.
        memory.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Hands a batch to the writer; call it while holding the ACS, so that batches arrive in
    /// the order of the changes. With `wait`, the receiver says when it is committed. In
    /// memory, the results are stored before this returns, and there is nothing to wait for.
    pub fn submit(
        &self,
        devices: Vec<Device>,
        results: Vec<AcsEvent>,
        issued_requests: u64,
        wait: bool,
    ) -> Option<oneshot::Receiver<Result<(), String>>> {
        let writer = match &self.backend {
            Backend::Disk { writer, .. } => writer,
            Backend::Memory(memory) => {
                Self::memory(memory).add_results(results);
                return None;
            }
        };
        let (done, committed) = if wait {
            let (done, committed) = oneshot::channel();
            (Some(done), Some(committed))
        } else {
            (None, None)
        };
        let batch = Batch {
            devices,
            results,
            issued_requests,
            uploads: Vec::new(),
            uploads_gone: Vec::new(),
            done,
        };
        // Should the writer thread be gone, the batch and its sender are dropped here, and the
        // waiter hears that nothing was committed.
        let _ = writer.send(batch);
        committed
    }

    /// Adds an upload to the index; the receiver says when it is committed.
    pub fn index_upload(
        &self,
        name: String,
        record: UploadRecord,
    ) -> oneshot::Receiver<Result<(), String>> {
        self.change_uploads(vec![(name, record)], Vec::new())
    }

    /// Removes from the uploads index the records of files that are gone (each only if the
    /// index still holds it as given); the receiver says when that is committed.
    pub fn forget_uploads(
        &self,
        gone: Vec<(String, UploadRecord)>,
    ) -> oneshot::Receiver<Result<(), String>> {
        self.change_uploads(Vec::new(), gone)
    }

    fn change_uploads(
        &self,
        uploads: Vec<(String, UploadRecord)>,
        uploads_gone: Vec<(String, UploadRecord)>,
    ) -> oneshot::Receiver<Result<(), String>> {
        let (done, committed) = oneshot::channel();
        match &self.backend {
            Backend::Disk { writer, .. } => {
                let batch = Batch {
                    devices: Vec::new(),
                    results: Vec::new(),
                    issued_requests: 0,
                    uploads,
                    uploads_gone,
                    done: Some(done),
                };
                let _ = writer.send(batch);
            }
            Backend::Memory(memory) => {
                Self::memory(memory).change_uploads(uploads, uploads_gone);
                let _ = done.send(Ok(()));
            }
        }
        committed
    }

    /// The uploads index, by file name. A record that does not read (written by another
    /// version) is left out: its file is then listed as not indexed, never lost.
    pub fn uploads(&self) -> Result<HashMap<String, UploadRecord>, String> {
        let database = match &self.backend {
            Backend::Disk { database, .. } => database,
            Backend::Memory(memory) => return Ok(Self::memory(memory).uploads.clone()),
        };
        let read = database.begin_read().map_err(text)?;
        let table = read.open_table(UPLOADS).map_err(text)?;
        let mut index = HashMap::new();
        for entry in table.iter().map_err(text)? {
            let (name, value) = entry.map_err(text)?;
            if let Ok(record) = serde_json::from_slice::<UploadRecord>(value.value()) {
                index.insert(name.value().to_owned(), record);
            }
        }
        Ok(index)
    }

    /// The uploads index's record of one file, if it has one that reads.
    pub fn upload(&self, name: &str) -> Result<Option<UploadRecord>, String> {
        let database = match &self.backend {
            Backend::Disk { database, .. } => database,
            Backend::Memory(memory) => return Ok(Self::memory(memory).uploads.get(name).cloned()),
        };
        let read = database.begin_read().map_err(text)?;
        let table = read.open_table(UPLOADS).map_err(text)?;
        let value = table.get(name).map_err(text)?;
        Ok(value.and_then(|value| serde_json::from_slice::<UploadRecord>(value.value()).ok()))
    }

    /// A device's stored results as a JSON array, oldest first.
    pub fn results(&self, device: &str) -> Result<String, String> {
        let database = match &self.backend {
            Backend::Disk { database, .. } => database,
            Backend::Memory(memory) => {
                // The same JSON the database holds: each event as `serde_json` writes it.
                let memory = Self::memory(memory);
                let kept = memory.results.get(device).map(|kept| kept.iter().collect::<Vec<_>>());
                return serde_json::to_string(&kept.unwrap_or_default()).map_err(text);
            }
        };
        let read = database.begin_read().map_err(text)?;
        let table = read.open_table(RESULTS).map_err(text)?;
        let mut json = String::from("[");
        for entry in table.range((device, 0)..=(device, u64::MAX)).map_err(text)? {
            let (_, value) = entry.map_err(text)?;
            if json.len() > 1 {
                json.push(',');
            }
            json.push_str(&String::from_utf8_lossy(value.value()));
        }
        json.push(']');
        Ok(json)
    }
}

/// An error of the database or the JSON, as the text the relay reports.
fn text(error: impl std::fmt::Display) -> String {
    error.to_string()
}

fn create_tables(database: &Database) -> Result<(), String> {
    let write = database.begin_write().map_err(text)?;
    write.open_table(DEVICES).map_err(text)?;
    write.open_table(RESULTS).map_err(text)?;
    write.open_table(COUNTERS).map_err(text)?;
    write.open_table(UPLOADS).map_err(text)?;
    write.commit().map_err(text)
}

fn read_all(database: &Database) -> Result<Restored, String> {
    let read = database.begin_read().map_err(text)?;
    let mut restored =
        Restored { devices: Vec::new(), issued_requests: 0, unreadable: Vec::new(), path: None };
    for entry in read.open_table(DEVICES).map_err(text)?.iter().map_err(text)? {
        let (id, value) = entry.map_err(text)?;
        match serde_json::from_slice::<Device>(value.value()) {
            Ok(device) => restored.devices.push(device),
            Err(error) => restored.unreadable.push(format!("device {}: {error}", id.value())),
        }
    }
    let counters = read.open_table(COUNTERS).map_err(text)?;
    restored.issued_requests =
        counters.get(ISSUED_REQUESTS).map_err(text)?.map_or(0, |v| v.value());
    Ok(restored)
}

/// The writer thread: waits for a batch, takes every other one waiting, commits them at once.
fn write_batches(database: &Database, batches: &mpsc::Receiver<Batch>, max_results: usize) {
    while let Ok(first) = batches.recv() {
        let mut group = vec![first];
        group.extend(batches.try_iter());
        let outcome = commit(database, &group, max_results);
        if let Err(error) = &outcome {
            eprintln!("cwmpkit: cannot store {} change(s): {error}", group.len());
        }
        for batch in group {
            if let Some(done) = batch.done {
                let _ = done.send(outcome.clone());
            }
        }
    }
}

fn commit(database: &Database, group: &[Batch], max_results: usize) -> Result<(), String> {
    let write = database.begin_write().map_err(text)?;
    {
        // Only the tables this group changes are opened (a session's batch is usually a result
        // or a device, seldom an upload).
        if group.iter().any(|batch| !batch.uploads.is_empty() || !batch.uploads_gone.is_empty()) {
            let mut uploads = write.open_table(UPLOADS).map_err(text)?;
            // In the order the batches came: a record forgotten, then stored again, stays.
            for batch in group {
                for (name, record) in &batch.uploads {
                    let json = serde_json::to_vec(record).map_err(text)?;
                    uploads.insert(name.as_str(), json.as_slice()).map_err(text)?;
                }
                for (name, record) in &batch.uploads_gone {
                    let held = uploads.get(name.as_str()).map_err(text)?.and_then(|value| {
                        serde_json::from_slice::<UploadRecord>(value.value()).ok()
                    });
                    if held.as_ref() == Some(record) {
                        uploads.remove(name.as_str()).map_err(text)?;
                    }
                }
            }
        }
        // A device changed by several batches: its newest state is the one to keep.
        let mut newest: BTreeMap<&str, &Device> = BTreeMap::new();
        for device in group.iter().flat_map(|batch| &batch.devices) {
            newest.insert(&device.id, device);
        }
        if !newest.is_empty() {
            let mut devices = write.open_table(DEVICES).map_err(text)?;
            for (id, device) in newest {
                let json = serde_json::to_vec(device).map_err(text)?;
                devices.insert(id, json.as_slice()).map_err(text)?;
            }
        }
        let mut counters = write.open_table(COUNTERS).map_err(text)?;
        let completed: Vec<(&str, &AcsEvent)> = group
            .iter()
            .flat_map(|batch| &batch.results)
            .filter_map(|event| match event {
                AcsEvent::RpcCompleted { device, .. } => Some((device.as_str(), event)),
                _ => None,
            })
            .collect();
        if !completed.is_empty() {
            let mut results = write.open_table(RESULTS).map_err(text)?;
            let mut next = counters.get(NEXT_RESULT).map_err(text)?.map_or(0, |v| v.value());
            let mut grown: BTreeSet<&str> = BTreeSet::new();
            for (device, event) in completed {
                let json = serde_json::to_vec(event).map_err(text)?;
                results.insert((device, next), json.as_slice()).map_err(text)?;
                next += 1;
                grown.insert(device);
            }
            counters.insert(NEXT_RESULT, next).map_err(text)?;
            for device in &grown {
                // Only the newest `max_results` of a device are kept.
                let kept = results.range((*device, 0)..=(*device, u64::MAX)).map_err(text)?.count();
                let excess = kept.saturating_sub(max_results);
                if excess > 0 {
                    let oldest: Vec<u64> = results
                        .range((*device, 0)..=(*device, u64::MAX))
                        .map_err(text)?
                        .take(excess)
                        .map(|entry| entry.map(|(key, _)| key.value().1))
                        .collect::<Result<_, _>>()
                        .map_err(text)?;
                    for sequence in oldest {
                        results.remove((*device, sequence)).map_err(text)?;
                    }
                }
            }
        }
        let stored = counters.get(ISSUED_REQUESTS).map_err(text)?.map_or(0, |v| v.value());
        let issued = group.iter().map(|batch| batch.issued_requests).max().unwrap_or(0);
        if issued > stored {
            counters.insert(ISSUED_REQUESTS, issued).map_err(text)?;
        }
    }
    write.commit().map_err(text)
}
