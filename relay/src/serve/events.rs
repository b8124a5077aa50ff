//! The relay's event stream: every ACS event and every relay action (uploads, connection
//! requests) as one JSON object, broadcast to the app over server-sent events (`/api/events`)
//! and printed one line each on the terminal.

use axum::extract::ConnectInfo;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use cwmpkit_core::acs::AcsEvent;
use cwmpkit_core::api::StreamEvent;
use std::convert::Infallible;
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

use super::state::{Relay, now};
use tokio_util::sync::CancellationToken;

/// Fans every event out to the event streams open now. Each stream has its own queue, bounded
/// in bytes (`--sse-buffer-bytes`): a reader that stops reading is dropped with a notice when
/// its queue would pass the bound, rather than pin memory (events share one copy of their text).
#[derive(Clone)]
pub struct EventBus {
    inner: Arc<Inner>,
}

struct Inner {
    subscribers: Mutex<Vec<Subscriber>>,
    /// Print every event on stdout, one line each, for whoever runs the relay in a terminal.
    echo: bool,
    /// Ends every event stream, so that shutdown need not wait for the app to hang up.
    shutdown: CancellationToken,
    max_queued_bytes: usize,
}

struct Subscriber {
    peer: String,
    sender: mpsc::UnboundedSender<Arc<str>>,
    /// Bytes sent to the queue and not yet taken by the stream.
    queued: Arc<AtomicUsize>,
}

impl EventBus {
    pub fn new(echo: bool, shutdown: CancellationToken, max_queued_bytes: usize) -> EventBus {
        EventBus {
            inner: Arc::new(Inner {
                subscribers: Mutex::new(Vec::new()),
                echo,
                shutdown,
                max_queued_bytes,
            }),
        }
    }

    fn subscribers(&self) -> std::sync::MutexGuard<'_, Vec<Subscriber>> {
        // Each statement leaves the list whole, so a poisoned lock is still usable.
        self.inner.subscribers.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn publish(&self, json: String, line: impl FnOnce() -> String) {
        if self.inner.echo {
            // A closed stdout (a pipe whose reader left) must not take the relay down.
            let _ = writeln!(std::io::stdout().lock(), "{}", escape_controls(&line()));
        }
        let text: Arc<str> = json.into();
        let max = self.inner.max_queued_bytes;
        let mut dropped = Vec::new();
        self.subscribers().retain(|subscriber| {
            if subscriber.sender.is_closed() {
                return false;
            }
            let queued = subscriber.queued.load(Ordering::Acquire);
            // An event larger than the bound still goes to a reader that has taken all before it.
            if queued > 0 && queued + text.len() > max {
                let farewell: StreamEvent = StreamEvent::Dropped {
                    reason: format!(
                        "this stream fell {queued} bytes behind (--sse-buffer-bytes {max}); reconnect"
                    ),
                };
                if let Ok(farewell) = serde_json::to_string(&farewell) {
                    let _ = subscriber.sender.send(farewell.into());
                }
                dropped.push((subscriber.peer.clone(), queued));
                // Dropping the sender ends the stream once the reader takes what is queued.
                return false;
            }
            subscriber.queued.fetch_add(text.len(), Ordering::AcqRel);
            subscriber.sender.send(Arc::clone(&text)).is_ok()
        });
        for (peer, queued) in dropped {
            self.notice(
                "limit-sse-buffer",
                &format!(
                    "an event stream reader at {peer} fell {queued} bytes behind (--sse-buffer-bytes {max}): dropped"
                ),
            );
        }
    }

    fn subscribe(&self, peer: String) -> (mpsc::UnboundedReceiver<Arc<str>>, Arc<AtomicUsize>) {
        let (sender, receiver) = mpsc::unbounded_channel();
        let queued = Arc::new(AtomicUsize::new(0));
        self.subscribers().push(Subscriber { peer, sender, queued: Arc::clone(&queued) });
        (receiver, queued)
    }

    /// Whether an event would reach anyone. With `--quiet` and no app connected, masking and
    /// serializing each event (a copy of a whole envelope for every message) was work for no
    /// one, on every POST.
    fn has_audience(&self) -> bool {
        self.inner.echo || !self.subscribers().is_empty()
    }

    /// An ACS event, its secrets masked before anyone sees it.
    pub fn publish_acs(&self, event: &AcsEvent) {
        if self.has_audience() {
            self.publish_event(&StreamEvent::from_acs(event), || describe(event));
        }
    }

    /// An RPC queued for a device: every page following the stream (not only the one that
    /// queued it) shows it in the device's queue.
    pub fn queued(&self, device: &str, request_id: &str, rpc: &str) {
        let event = StreamEvent::RpcQueued {
            time: now(),
            device: device.to_owned(),
            request_id: request_id.to_owned(),
            rpc: rpc.to_owned(),
        };
        self.publish_event(&event, || format!("queued  {rpc} {request_id} for {device}"));
    }

    /// A problem of the relay's own (a limit hit, a refusal), on the terminal and the stream.
    pub fn notice(&self, code: &str, message: &str) {
        self.problem(None, code, message);
    }

    /// A problem about a device (or about none), on the terminal and the stream.
    pub fn problem(&self, device: Option<&str>, code: &str, message: &str) {
        let event = StreamEvent::Problem {
            time: now(),
            device: device.map(str::to_owned),
            code: Some(code.to_owned()),
            message: message.to_owned(),
        };
        self.publish_event(&event, || format!("problem {}: {message}", device.unwrap_or("-")));
    }

    pub fn publish_event(&self, event: &StreamEvent, line: impl FnOnce() -> String) {
        if !self.has_audience() {
            return;
        }
        match serde_json::to_string(event) {
            Ok(json) => self.publish(json, line),
            Err(error) => eprintln!("cwmpkit: cannot serialize an event: {error}"),
        }
    }
}

/// `GET /api/events`: server-sent events, one JSON object per event, as it happens.
pub async fn event_stream(
    State(relay): State<Relay>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let (receiver, queued) = relay.events.subscribe(peer.to_string());
    let shutdown = relay.events.inner.shutdown.clone();
    let stream = futures_util::stream::unfold(receiver, move |mut receiver| {
        let shutdown = shutdown.clone();
        let queued = Arc::clone(&queued);
        async move {
            let text = tokio::select! {
                text = receiver.recv() => text?,
                () = shutdown.cancelled() => return None,
            };
            queued.fetch_sub(text.len().min(queued.load(Ordering::Acquire)), Ordering::AcqRel);
            Some((Ok(Event::default().data(&*text)), receiver))
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// One line per ACS event for the terminal.
fn describe(event: &AcsEvent) -> String {
    match event {
        AcsEvent::SessionStarted { device, peer, events, .. } => {
            format!("session {device} from {peer} [{}]", events.join(", "))
        }
        AcsEvent::Message { device, direction, rpc, .. } => {
            let arrow = direction.arrow();
            format!("  {arrow}  {rpc}  ({})", device.as_deref().unwrap_or("no session"))
        }
        AcsEvent::RpcCompleted { request_id, request, response, fault, .. } => match fault {
            Some(fault) => format!(
                "  {request} {request_id}: fault {} {}",
                fault.fault_code, fault.fault_string
            ),
            None => format!("  {request} {request_id}: {response}"),
        },
        AcsEvent::RpcRequeued { device, request_id, rpc, reason, .. } => {
            format!("  {rpc} {request_id}: queued again for {device} ({})", reason.explanation())
        }
        AcsEvent::SessionEnded { device, reason, .. } => {
            format!("end     {device} ({})", reason.explanation())
        }
        AcsEvent::Problem { device, message, .. } => {
            format!("problem {}: {message}", device.as_deref().unwrap_or("-"))
        }
    }
}

/// `text` with every control character written as an escape (`\n`, `\u{1b}`), so that what a
/// device or a client sent (a serial number with a newline, an ANSI escape sequence) can neither
/// forge a line of the relay's output nor reach the operator's terminal as a command.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unsafe_for_terminal) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_for_terminal(c) {
            escaped.extend(c.escape_default());
        } else {
            escaped.push(c);
        }
    }
    std::borrow::Cow::Owned(escaped)
}

/// C0 and C1 controls, DEL, and the bidirectional overrides that reorder what a line shows.
fn is_unsafe_for_terminal(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::escape_controls;

    #[test]
    fn control_characters_cannot_forge_lines_or_reach_the_terminal() {
        assert_eq!(escape_controls("plain → text"), "plain → text");
        assert_eq!(escape_controls("SN1\nend     forged"), "SN1\\nend     forged");
        assert_eq!(escape_controls("\u{1b}[2J\u{9b}31m"), "\\u{1b}[2J\\u{9b}31m");
        assert_eq!(escape_controls("a\u{202e}b"), "a\\u{202e}b");
    }
}
