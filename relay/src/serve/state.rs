//! What every handler of the relay shares: the ACS (core's state machine), the event bus, and
//! the settings the handlers read.

use super::connection_request;
use super::cpe_auth::CpeCredentials;
use super::events::EventBus;
use cwmpkit_core::Timestamp;
use cwmpkit_core::acs::Acs;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct Relay {
    acs: Arc<Mutex<Acs>>,
    pub events: EventBus,
    pub settings: Arc<Settings>,
}

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
    /// `--max-uploads`: one permit per upload running.
    pub upload_slots: Arc<tokio::sync::Semaphore>,
    /// `--data-dir`: the recorder of `/acs` exchanges, if recording.
    pub recordings: Option<Arc<super::recordings::Recordings>>,
}

impl Relay {
    pub fn new(settings: Settings, events: EventBus) -> Relay {
        Relay { acs: Arc::new(Mutex::new(Acs::new())), events, settings: Arc::new(settings) }
    }

    /// The ACS state. A handler that panicked mid-update cannot leave it worse than a request
    /// refused with 500 would (core's ACS is fuzzed not to panic), so a poisoned lock is recovered.
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
    Ok(random.iter().map(|b| format!("{b:02x}")).collect())
}
