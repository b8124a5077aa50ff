//! `POST /acs`: the CWMP endpoint CPEs post to. Each POST goes through core's ACS
//! (`cwmpkit_core::acs`), which holds the protocol; this module carries the bytes, the session
//! cookie and the peer address in, and the reply out.

use super::body::read_limited;
use super::cpe_auth::{Refusal, Speaker, refuse};
use super::recordings::{ExchangeEvents, RequestBody};
use super::state::{Relay, now, random_hex, unix_seconds};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use cwmpkit_core::acs::{Device, PostBody, PostContext, device_key};
use std::net::SocketAddr;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The cookie that carries the CWMP session, as CPEs return cookies they were given.
const SESSION_COOKIE: &str = "cwmpkit-session";

/// An unguessable session token: 16 bytes of the OS's randomness, hex; `None` when the OS
/// has none to give (which Linux never does once booted).
fn session_token() -> Option<String> {
    random_hex(16).ok()
}

fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim_matches('"'))
}

/// Bodies above this are decoded on the blocking pool, so that a big one (a whole parameter
/// tree) does not hold up the other connections of its runtime thread.
const DECODE_INLINE_BYTES: usize = 256 * 1024;

/// A CWMP body decoded, with no lock held; the error says why the decoder did not finish (a
/// panic, which the fuzzed decoder should never have, or a runtime shutting down).
async fn decode(body: Bytes) -> Result<PostBody, String> {
    if body.len() <= DECODE_INLINE_BYTES {
        return Ok(PostBody::decode(&body));
    }
    tokio::task::spawn_blocking(move || PostBody::decode(&body))
        .await
        .map_err(|error| format!("the decoder stopped: {error}"))
}

/// `POST /acs`. The body read whole is handed on with the response ([`RequestBody`]), so that
/// the recorder keeps the exchange without copying the body as it streams in; the request's
/// parts are borrowed, not copied by extractors.
pub async fn cwmp_post(
    State(relay): State<Relay>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let body = match read_limited(body, relay.settings.max_body_bytes).await {
        Ok(body) => body,
        Err(refusal) => {
            relay.events.problem(
                None,
                "body-refused",
                &format!("a CWMP POST from {peer} was refused: {}", refusal.reason),
            );
            return (refusal.status, format!("{}\n", refusal.reason)).into_response();
        }
    };
    let mut response = answer_post(&relay, peer, &parts.uri, &parts.headers, body.clone()).await;
    response.extensions_mut().insert(RequestBody(body));
    response
}

async fn answer_post(
    relay: &Relay,
    peer: SocketAddr,
    uri: &Uri,
    headers: &HeaderMap,
    body: Bytes,
) -> Response {
    // Decoded here, before the ACS is locked: the codec needs no state. Only an answer to a
    // challenge is decoded before authentication: the Inform it carries decides which
    // credential must have made it.
    let mut decoded = None;
    let mut identity = None;
    let peer_text = peer.to_string();
    let session_cookie = session_cookie(headers);
    if !relay.settings.cpe_auth.is_open() {
        let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        if authorization.is_some() {
            decoded = Some(decode(body.clone()).await);
        }
        let informing = decoded
            .as_ref()
            .and_then(|decoded| decoded.as_ref().ok())
            .and_then(PostBody::inform)
            .map(|inform| (device_key(&inform.device_id), inform.device_id.serial_number.clone()));
        let informs = informing.is_some();
        // The credential to check is the one of the device that speaks: the Inform's, else the
        // one whose session this POST continues (looked up only when there is an answer).
        let speaking = match informing {
            Some(informing) => Some(informing),
            None if authorization.is_some() => relay.session_speaker(session_cookie, &peer_text),
            None => None,
        };
        let speaker = match &speaking {
            Some((id, serial)) => Speaker::Device { id, serial },
            None => Speaker::Unknown,
        };
        let target = uri.path_and_query().map_or("/acs", |p| p.as_str());
        let verified =
            relay.settings.cpe_auth.verify("POST", target, authorization, speaker, unix_seconds());
        match verified {
            Ok(verified) => identity = Some(verified),
            Err(refusal) => {
                let device = speaking.as_ref().map(|(id, _)| id.as_str());
                let checked_against = match &speaking {
                    Some(_) if informs => String::new(),
                    Some((id, _)) => format!(
                        " (checked against the credential of {id}, whose session this POST \
                         continues)"
                    ),
                    None => " (a POST that is no Inform and continues no session is checked \
                             against the default credential only)"
                        .to_owned(),
                };
                return refuse(relay, refusal, device, unix_seconds(), |reason| {
                    format!("CPE authentication failed from {peer}: {reason}{checked_against}")
                });
            }
        }
    }
    let decoded = match decoded {
        Some(decoded) => decoded,
        None => decode(body).await,
    };
    let decoded = match decoded {
        Ok(decoded) => decoded,
        Err(reason) => {
            relay.events.problem(
                None,
                "decode-failed",
                &format!("a CWMP POST from {peer}: {reason}"),
            );
            return (StatusCode::INTERNAL_SERVER_ERROR, format!("{reason}\n")).into_response();
        }
    };
    // Only an Inform opens a session: the other POSTs need no token (nor a read of the OS's
    // randomness each).
    let token = if decoded.inform().is_some() {
        let Some(token) = session_token() else {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "no randomness from the OS for a session token\n",
            )
                .into_response();
        };
        token
    } else {
        String::new()
    };
    let context =
        PostContext { session_cookie, peer: &peer_text, time: now(), new_session_token: &token };
    // The session's device must be the one the credential speaks for: a credential for one
    // device (or the fleet's) cannot carry on another device's session with its cookie.
    let cpe_auth = &relay.settings.cpe_auth;
    let may_continue = |device: &Device| {
        identity.as_ref().is_none_or(|identity| {
            cpe_auth.speaks_for(identity, &device.id, &device.device_id.serial_number)
        })
    };
    let answer = match relay.exchange(context, decoded, may_continue).await {
        Ok(answer) => answer,
        Err(device) => {
            let user = identity.as_ref().and_then(|i| cpe_auth.username_of(i)).unwrap_or_default();
            let reason = format!(
                "user {user:?} is not the credential of {device}, whose session this POST continues"
            );
            return refuse(
                relay,
                Refusal::Failed(reason),
                Some(device.as_str()),
                unix_seconds(),
                |reason| format!("CPE authentication failed from {peer}: {reason}"),
            );
        }
    };
    // Encoded after the ACS is let go, like the decode above.
    let reply = answer.encode();
    relay.upload_requests.note_sent(&reply.events);
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let soap = status == StatusCode::OK
        || (status == StatusCode::INTERNAL_SERVER_ERROR && reply.body.starts_with('<'));
    let body = if status == StatusCode::SERVICE_UNAVAILABLE {
        // Core refuses with 503 only a new device beyond the limit.
        format!("{} (--max-devices)\n", reply.body.trim_end())
    } else {
        reply.body
    };
    let mut response = (status, body).into_response();
    // Published by the recording middleware, once the exchange is in its device's history.
    response.extensions_mut().insert(ExchangeEvents(reply.events));
    let headers = response.headers_mut();
    if soap {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml; charset=utf-8"));
        headers.insert("SOAPServer", HeaderValue::from_static("cwmpkit"));
    }
    if let Some(token) = reply.set_session_cookie
        && let Ok(value) =
            HeaderValue::from_str(&format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly"))
    {
        headers.insert(header::SET_COOKIE, value);
    }
    response
}

/// The relay's one timer: sleeps until the ACS's next session expiry (`poll_timeout`), then
/// lets the ACS end what is due (`handle_timeout`) and publishes what that did.
pub async fn session_timer(relay: Relay, shutdown: CancellationToken) {
    loop {
        let wake = relay.acs().poll_timeout();
        // With no session open, sleeping one timeout is enough: a session opened meanwhile
        // expires no sooner than that.
        let delay = match wake {
            Some(at) => {
                let nanos = at.unix_nanos.saturating_sub(now().unix_nanos).max(0);
                Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
            }
            None => relay.settings.session_timeout,
        };
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = shutdown.cancelled() => return,
        }
        let events = relay.expire_sessions(now());
        for event in &events {
            relay.events.publish_acs(event);
        }
    }
}
