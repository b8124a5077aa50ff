//! What every handler of the relay shares: the ACS (core's state machine), the event bus, and
//! the settings the handlers read.

use super::connection_request;
use super::cpe_auth::CpeCredentials;
use super::events::EventBus;
use super::storage::Store;
use cwmpkit_core::Timestamp;
use cwmpkit_core::acs::{
    Acs, AcsEvent, Answer, Device, PostBody, PostContext, PreparedRpc, QueueError,
};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct Relay {
    acs: Arc<Mutex<Acs>>,
    pub events: EventBus,
    pub settings: Arc<Settings>,
    pub store: Store,
    /// The file each device was last asked to upload, to tell who sent an upload.
    pub upload_requests: Arc<super::uploads::UploadRequests>,
    /// What the uploads folder holds, within `--max-uploads-total-bytes`.
    pub upload_space: Arc<super::uploads::UploadSpace>,
}

/// Why an RPC was not queued, or not kept.
#[derive(Debug)]
pub enum EnqueueError {
    Refused(QueueError),
    /// Queued, but the store could not commit it: a restart before the device's next session
    /// would lose it.
    NotStored {
        id: String,
        reason: String,
    },
}

type Committed = tokio::sync::oneshot::Receiver<Result<(), String>>;

/// What the handlers read and never change.
pub struct Settings {
    /// `--uploads`: where uploads are stored, if anywhere.
    pub uploads: Option<PathBuf>,
    /// How connection requests are sent, and their credentials when the API call names none.
    pub connection_requests: connection_request::Settings,
    /// The ACS URL as devices reach it (`--acs-url`, or from `--acs-listen`).
    pub acs_url: String,
    /// Who may post to the ACS (and upload).
    pub cpe_auth: CpeCredentials,
    /// `--max-body-bytes`: a CWMP POST or API body above it is refused.
    pub max_body_bytes: usize,
    /// `--max-upload-bytes`: one upload above it is refused.
    pub max_upload_bytes: usize,
    /// `--max-uploads-total-bytes`: what the uploads folder may hold in all.
    pub max_uploads_total_bytes: u64,
    /// `--max-uploads`: one permit per upload running.
    pub upload_slots: Arc<tokio::sync::Semaphore>,
    /// `--session-timeout`: a CWMP session with no POST for this long ends.
    pub session_timeout: std::time::Duration,
    /// `--data-dir`: the recorder of `/acs` exchanges, if recording.
    pub recordings: Option<Arc<super::recordings::Recordings>>,
    /// Each device's recent exchanges (`--history-bytes` above 0).
    pub history: Option<Arc<super::history::History>>,
}

impl Relay {
    /// The relay around an ACS that holds what the store restored.
    pub fn new(settings: Settings, events: EventBus, acs: Acs, store: Store) -> Relay {
        let upload_space =
            Arc::new(super::uploads::UploadSpace::new(settings.max_uploads_total_bytes));
        Relay {
            acs: Arc::new(Mutex::new(acs)),
            events,
            settings: Arc::new(settings),
            store,
            upload_requests: Arc::default(),
            upload_space,
        }
    }

    /// One CPE POST, decoded by the caller, through the ACS; the caller encodes the answer. The
    /// lock is held for the state change only. An answer that completes an RPC waits until the
    /// result is stored.
    ///
    /// A POST that is not an Inform continues a session: `may_continue` is asked, under the same
    /// lock, whether its sender may speak for that session's device. When it may not, nothing
    /// changes and the error names the device.
    pub async fn exchange(
        &self,
        context: PostContext<'_>,
        body: PostBody,
        may_continue: impl FnOnce(&Device) -> bool,
    ) -> Result<Answer, String> {
        let (answer, committed) = {
            let mut acs = self.acs();
            // An open ACS (no credential) has no sender to check: it looks nothing up.
            if !self.settings.cpe_auth.is_open()
                && body.inform().is_none()
                && let Some(device) = acs.session_device(context.session_cookie, context.peer)
                && !may_continue(device)
            {
                return Err(device.id.clone());
            }
            let answer = acs.handle_decoded(context, body);
            let committed = self.record(&mut acs, &answer.events, false);
            (answer, committed)
        };
        if let Some(committed) = committed
            && let Err(reason) = outcome(committed).await
        {
            self.events.problem(
                None,
                "storage",
                &format!("a CWMP exchange was not stored: {reason}"),
            );
        }
        Ok(answer)
    }

    /// Ends the sessions whose time is up (the relay's timer calls it); returns what that did.
    pub fn expire_sessions(&self, now: cwmpkit_core::Timestamp) -> Vec<AcsEvent> {
        let mut acs = self.acs();
        let events = acs.handle_timeout(now);
        // Nothing waits on this: the requeued RPCs were already stored in their place.
        let _ = self.record(&mut acs, &events, false);
        events
    }

    /// Queues an RPC for a device's next session; returns its `cwmp:ID` once it is stored. The
    /// strict encoder checked it ([`PreparedRpc`]) before the ACS is locked.
    pub async fn enqueue(
        &self,
        device: &str,
        prepared: PreparedRpc,
    ) -> Result<String, EnqueueError> {
        let rpc = prepared.message().name().to_owned();
        let (queued, committed) = {
            let mut acs = self.acs();
            let queued = acs.enqueue_prepared(device, prepared);
            let committed = if queued.is_ok() { self.record(&mut acs, &[], true) } else { None };
            (queued, committed)
        };
        let id = match queued {
            Ok(id) => id,
            Err(full @ QueueError::QueueFull { .. }) => {
                self.events.problem(
                    Some(device),
                    "limit-queued",
                    &format!("{full} (--max-queued)"),
                );
                return Err(EnqueueError::Refused(full));
            }
            Err(refused) => return Err(EnqueueError::Refused(refused)),
        };
        if let Some(committed) = committed
            && let Err(reason) = outcome(committed).await
        {
            self.events.problem(
                Some(device),
                "storage",
                &format!("{id} for {device} is queued but not stored: {reason}"),
            );
            return Err(EnqueueError::NotStored { id, reason });
        }
        self.events.queued(device, &id, &rpc);
        Ok(id)
    }

    /// Hands what the ACS changed to the store while `acs` is still held, so that the writer
    /// gets changes in their order; `events` are the change's (their `rpc-completed` are
    /// results, which are always waited for).
    fn record(&self, acs: &mut Acs, events: &[AcsEvent], wait: bool) -> Option<Committed> {
        let changed = acs.take_changes();
        let devices: Vec<Device> = if self.store.keeps_devices() {
            changed.iter().filter_map(|id| acs.persistent(id)).collect()
        } else {
            Vec::new()
        };
        let results: Vec<AcsEvent> = events
            .iter()
            .filter(|event| matches!(event, AcsEvent::RpcCompleted { .. }))
            .cloned()
            .collect();
        if devices.is_empty() && results.is_empty() {
            return None;
        }
        let wait = wait || !results.is_empty();
        self.store.submit(devices, results, acs.issued_requests(), wait)
    }

    /// The ACS state. A handler that panicked mid-update cannot leave it worse than a request
    /// refused with 500 would (core's ACS is fuzzed not to panic), so a poisoned lock is recovered.
    /// The device whose session a POST continues (by its cookie, else its peer address): its
    /// ID and serial number.
    pub fn session_speaker(
        &self,
        session_cookie: Option<&str>,
        peer: &str,
    ) -> Option<(String, String)> {
        let acs = self.acs();
        let device = acs.session_device(session_cookie, peer)?;
        Some((device.id.clone(), device.device_id.serial_number.clone()))
    }

    pub fn acs(&self) -> std::sync::MutexGuard<'_, Acs> {
        self.acs.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The wall clock, the one time source of the relay (core takes time as an argument).
pub fn now() -> Timestamp {
    let since_epoch =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Timestamp::from_unix_nanos(since_epoch.as_nanos() as i128)
}

/// Seconds since the Unix epoch, for what counts in whole seconds (nonces, TR-111's `ts`).
pub fn unix_seconds() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// `bytes` bytes of the OS's randomness, in hex; the error says why there are none.
pub fn random_hex(bytes: usize) -> Result<String, String> {
    let mut random = vec![0u8; bytes];
    getrandom::fill(&mut random).map_err(|e| format!("no randomness from the OS: {e}"))?;
    Ok(super::cpe_auth::hex(&random))
}

/// What the store's writer said of a commit.
pub(super) async fn outcome(committed: Committed) -> Result<(), String> {
    committed.await.unwrap_or_else(|_| Err("the store's writer has stopped".to_owned()))
}
