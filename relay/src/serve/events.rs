//! The relay's event stream: every ACS event and every relay action (uploads, connection
//! requests) as one JSON object, broadcast to the app over server-sent events (`/api/events`)
//! and printed one line each on the terminal.

use super::connection_request;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use cwmpkit_core::acs::AcsEvent;
use cwmpkit_core::capture::Timestamp;
use serde::Serialize;
use std::convert::Infallible;
use std::io::Write as _;
use tokio::sync::broadcast;

use super::state::Relay;

#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<String>,
    /// Print every event on stdout, one line each, for whoever runs the relay in a terminal.
    echo: bool,
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
}

impl EventBus {
    pub fn new(echo: bool) -> EventBus {
        let (sender, _) = broadcast::channel(1024);
        EventBus { sender, echo }
    }

    fn publish(&self, json: String, line: impl FnOnce() -> String) {
        if self.echo {
            // A closed stdout (a pipe whose reader left) must not take the relay down.
            let _ = writeln!(std::io::stdout().lock(), "{}", line());
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
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        let data = match receiver.recv().await {
            Ok(json) => json,
            // A slow reader is told how many events it missed rather than cut off.
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                format!("{{\"event\":\"lagged\",\"missed\":{missed}}}")
            }
            Err(broadcast::error::RecvError::Closed) => return None,
        };
        Some((Ok(Event::default().data(data)), receiver))
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
