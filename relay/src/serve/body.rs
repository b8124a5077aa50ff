//! Reading a request body within the relay's limits, and saying which one it broke.

use axum::body::{Body, Bytes};
use axum::http::StatusCode;

/// Why a body was not read: the status to answer and the reason, in words.
#[derive(Debug)]
pub struct BodyRefusal {
    pub status: StatusCode,
    pub reason: String,
}

/// The whole body, if it is at most `max` bytes and never pauses longer than the listener's
/// `--body-timeout` (the listener wraps every body in that timeout).
pub async fn read_limited(body: Body, max: usize) -> Result<Bytes, BodyRefusal> {
    axum::body::to_bytes(body, max).await.map_err(|error| {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
        while let Some(cause) = source {
            if cause.is::<http_body_util::LengthLimitError>() {
                return BodyRefusal {
                    status: StatusCode::PAYLOAD_TOO_LARGE,
                    reason: format!("the body is larger than {max} bytes (--max-body-bytes)"),
                };
            }
            if cause.is::<tower_http::timeout::TimeoutError>() {
                return BodyRefusal {
                    status: StatusCode::REQUEST_TIMEOUT,
                    reason: "the body stopped arriving for longer than --body-timeout".to_owned(),
                };
            }
            source = cause.source();
        }
        BodyRefusal {
            status: StatusCode::BAD_REQUEST,
            reason: format!("the body could not be read: {error}"),
        }
    })
}
