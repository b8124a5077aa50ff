//! The relay's event stream: every ACS event and every relay action (uploads, connection
//! requests) as one JSON object, broadcast to the app over server-sent events (`/api/events`)
//! and printed one line each on the terminal.

use super::connection_request;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use cwmpkit_core::Timestamp;
use cwmpkit_core::acs::AcsEvent;
use serde::Serialize;
use std::convert::Infallible;
use std::io::Write as _;
use tokio::sync::broadcast;

use super::state::{Relay, now};
use tokio_util::sync::CancellationToken;

#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<String>,
    /// Print every event on stdout, one line each, for whoever runs the relay in a terminal.
    echo: bool,
    /// Ends every event stream, so that shutdown need not wait for the app to hang up.
    shutdown: CancellationToken,
}

/// Something the relay did that is not CWMP: an upload arrived, a connection request was sent.
#[derive(Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum RelayEvent<'a> {
    Upload {
        time: Timestamp,
        name: &'a str,
        bytes: usize,
        peer: String,
    },
    ConnectionRequest {
        time: Timestamp,
        device: &'a str,
        url: &'a str,
        outcome: Option<&'a connection_request::Outcome>,
        error: Option<&'a str>,
    },
    /// Something the relay refused or could not do; `code` is stable (`limit-connections`, …).
    Problem {
        time: Timestamp,
        device: Option<&'a str>,
        code: &'a str,
        message: &'a str,
    },
}

impl EventBus {
    pub fn new(echo: bool, shutdown: CancellationToken) -> EventBus {
        let (sender, _) = broadcast::channel(1024);
        EventBus { sender, echo, shutdown }
    }

    fn publish(&self, json: String, line: impl FnOnce() -> String) {
        if self.echo {
            // A closed stdout (a pipe whose reader left) must not take the relay down.
            let _ = writeln!(std::io::stdout().lock(), "{}", escape_controls(&line()));
        }
        // No subscriber is no error: the app may simply not be open.
        let _ = self.sender.send(json);
    }

    pub fn publish_acs(&self, event: &AcsEvent) {
        match serde_json::to_string(event) {
            Ok(json) => self.publish(json, || describe(event)),
            Err(error) => eprintln!("cwmpkit: cannot serialize an event: {error}"),
        }
    }

    /// A problem of the relay's own (a limit hit, a refusal), on the terminal and the stream.
    pub fn notice(&self, code: &str, message: &str) {
        self.problem(None, code, message);
    }

    /// A problem about a device (or about none), on the terminal and the stream.
    pub fn problem(&self, device: Option<&str>, code: &str, message: &str) {
        let event = RelayEvent::Problem { time: now(), device, code, message };
        self.publish_relay(&event, || format!("problem {}: {message}", device.unwrap_or("-")));
    }

    pub fn publish_relay(&self, event: &RelayEvent<'_>, line: impl FnOnce() -> String) {
        match serde_json::to_string(event) {
            Ok(json) => self.publish(json, line),
            Err(error) => eprintln!("cwmpkit: cannot serialize an event: {error}"),
        }
    }
}

/// `GET /api/events`: server-sent events, one JSON object per event, as it happens.
pub async fn event_stream(
    State(relay): State<Relay>,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let receiver = relay.events.sender.subscribe();
    let shutdown = relay.events.shutdown.clone();
    let stream = futures_util::stream::unfold(receiver, move |mut receiver| {
        let shutdown = shutdown.clone();
        async move {
            let received = tokio::select! {
                received = receiver.recv() => received,
                () = shutdown.cancelled() => return None,
            };
            let data = match received {
                Ok(json) => json,
                // A slow reader is told how many events it missed rather than cut off.
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    format!("{{\"event\":\"lagged\",\"missed\":{missed}}}")
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            Some((Ok(Event::default().data(data)), receiver))
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
            let arrow = match direction {
                cwmpkit_core::acs::Direction::CpeToAcs => "CPE → ACS",
                cwmpkit_core::acs::Direction::AcsToCpe => "ACS → CPE",
            };
            format!("  {arrow}  {rpc}  ({})", device.as_deref().unwrap_or("no session"))
        }
        AcsEvent::RpcCompleted { request_id, request, response, fault, .. } => match fault {
            Some(fault) => format!(
                "  {request} {request_id}: fault {} {}",
                fault.fault_code, fault.fault_string
            ),
            None => format!("  {request} {request_id}: {response}"),
        },
        AcsEvent::SessionEnded { device, .. } => format!("end     {device}"),
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
