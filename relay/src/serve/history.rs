//! Each device's recent `/acs` exchanges, kept in memory so that the Live page can show its
//! sessions as the Decode page shows a capture's (`GET /api/devices/{id}/sessions`) and download
//! them as one (`GET /api/devices/{id}/capture`). Core builds both from the exchanges
//! (`capture::record::capture_of`, `api::DeviceSessions`), masking every secret on the way.
//!
//! Two byte limits bound it, each a flag: `--device-history-bytes` per device (its oldest
//! exchanges are let go first) and `--history-bytes` in all (the device that has been quiet the
//! longest loses its history first). Letting go is the normal course of a history, not a
//! refusal: the answer says `trimmed`.

use super::recordings::Exchanged;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

/// The limits (`cwmpkit serve`'s flags).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub per_device: usize,
    pub total: usize,
}

struct DeviceHistory {
    name: Arc<str>,
    exchanges: VecDeque<Arc<Exchanged>>,
    bytes: usize,
    trimmed: bool,
    /// When it last grew, in the history's own order (for letting the quietest go first).
    touched: u64,
}

#[derive(Default)]
struct Kept {
    /// By device; the name is shared with `by_quiet`, so that an exchange added allocates no
    /// copy of it.
    devices: HashMap<Arc<str>, DeviceHistory>,
    /// `(touched, device)`, the quietest first.
    by_quiet: BTreeSet<(u64, Arc<str>)>,
    bytes: usize,
    clock: u64,
}

/// The histories of all devices.
pub struct History {
    limits: Limits,
    kept: Mutex<Kept>,
}

/// One device's history, as the API hands it to core.
pub struct Snapshot {
    pub exchanges: Vec<Arc<Exchanged>>,
    pub trimmed: bool,
}

impl History {
    pub fn new(limits: Limits) -> History {
        let limits = Limits { per_device: limits.per_device.min(limits.total), ..limits };
        History { limits, kept: Mutex::new(Kept::default()) }
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds an exchange with `device` at the end of its history.
    pub fn add(&self, device: &str, exchange: Arc<Exchanged>) {
        let size = exchange.size();
        let mut kept = self.kept();
        let kept = &mut *kept;
        if size > self.limits.per_device || size > self.limits.total {
            // Too big to keep at all: the device's history now has a gap.
            if let Some(history) = kept.devices.get_mut(device) {
                history.trimmed = true;
            }
            return;
        }
        kept.clock += 1;
        let clock = kept.clock;
        if !kept.devices.contains_key(device) {
            let name: Arc<str> = device.into();
            let history = DeviceHistory {
                name: Arc::clone(&name),
                exchanges: VecDeque::new(),
                bytes: 0,
                trimmed: false,
                touched: 0,
            };
            kept.devices.insert(name, history);
        }
        let Some(history) = kept.devices.get_mut(device) else { return };
        let name = Arc::clone(&history.name);
        let was_touched = std::mem::replace(&mut history.touched, clock);
        history.exchanges.push_back(exchange);
        history.bytes += size;
        let mut let_go = 0;
        while history.bytes > self.limits.per_device {
            let Some(oldest) = history.exchanges.pop_front() else { break };
            history.bytes -= oldest.size();
            let_go += oldest.size();
            history.trimmed = true;
        }
        kept.bytes = kept.bytes + size - let_go;
        if was_touched != 0 {
            kept.by_quiet.remove(&(was_touched, Arc::clone(&name)));
        }
        kept.by_quiet.insert((clock, name));
        // This device is the newest in `by_quiet`, and within the total on its own (its limit
        // and its exchanges are), so the others go before it.
        while kept.bytes > self.limits.total {
            let Some((_, quietest)) = kept.by_quiet.pop_first() else { break };
            if &*quietest == device {
                kept.by_quiet.insert((clock, quietest));
                break;
            }
            if let Some(history) = kept.devices.remove(&quietest) {
                kept.bytes -= history.bytes;
            }
        }
    }

    /// The device's kept exchanges, oldest first.
    pub fn of(&self, device: &str) -> Snapshot {
        let kept = self.kept();
        match kept.devices.get(device) {
            Some(history) => Snapshot {
                exchanges: history.exchanges.iter().cloned().collect(),
                trimmed: history.trimmed,
            },
            None => Snapshot { exchanges: Vec::new(), trimmed: false },
        }
    }

    /// Bytes kept in all.
    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.kept().bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cwmpkit_core::Timestamp;

    fn exchange(bytes: usize) -> Arc<Exchanged> {
        Arc::new(Exchanged {
            cpe: "192.0.2.1:40000".parse().unwrap(),
            acs: "192.0.2.2:7547".parse().unwrap(),
            request_time: Timestamp::from_unix_nanos(0),
            response_time: Timestamp::from_unix_nanos(0),
            request: vec![b'q'; bytes / 2],
            response: vec![b'r'; bytes - bytes / 2],
        })
    }

    #[test]
    fn a_device_keeps_its_newest_exchanges_within_its_limit() {
        let history = History::new(Limits { per_device: 250, total: 10_000 });
        for _ in 0..5 {
            history.add("a", exchange(100));
        }
        let kept = history.of("a");
        assert_eq!(kept.exchanges.len(), 2);
        assert!(kept.trimmed);
        assert_eq!(history.bytes(), 200);
        assert!(!history.of("b").trimmed && history.of("b").exchanges.is_empty());
    }

    #[test]
    fn the_quietest_device_goes_first_when_the_total_is_reached() {
        let history = History::new(Limits { per_device: 1_000, total: 300 });
        history.add("a", exchange(100));
        history.add("b", exchange(100));
        history.add("a", exchange(100));
        history.add("c", exchange(100));
        assert!(history.of("b").exchanges.is_empty(), "b was the quietest");
        assert_eq!(history.of("a").exchanges.len(), 2);
        assert_eq!(history.of("c").exchanges.len(), 1);
        assert_eq!(history.bytes(), 300);
    }

    #[test]
    fn an_exchange_bigger_than_a_limit_is_not_kept_and_marks_the_gap() {
        let history = History::new(Limits { per_device: 150, total: 10_000 });
        history.add("a", exchange(100));
        history.add("a", exchange(200));
        let kept = history.of("a");
        assert_eq!(kept.exchanges.len(), 1);
        assert!(kept.trimmed);
    }
}
