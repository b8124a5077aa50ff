//! TR-069 connection requests (§3.2.2): an HTTP GET to the CPE's ConnectionRequestURL, answering
//! its Digest (or Basic) challenge with the connection-request credentials. A 200 or 204 means the
//! CPE accepted and will open a session with an Inform carrying `6 CONNECTION REQUEST`.

use axum::http::Uri;
use serde::Serialize;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A CPE that does not answer within this is reported as unreachable.
const TIMEOUT: Duration = Duration::from_secs(10);
/// A connection-request response has no body worth keeping; headers fit well within this.
const MAX_RESPONSE: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// The final HTTP status the CPE answered.
    pub status: u16,
    /// True for 200 and 204: the CPE will call the ACS.
    pub accepted: bool,
    /// The scheme the CPE challenged with and we answered (`Digest`, `Basic`), if any.
    pub authentication: Option<String>,
}

struct Response {
    status: u16,
    challenges: Vec<String>,
}

/// Sends a connection request to `url` and reports how the CPE answered.
pub async fn send(url: &str, username: &str, password: &str) -> Result<Outcome, String> {
    let uri: Uri = url.parse().map_err(|e| format!("{url:?} is not a URL: {e}"))?;
    match uri.scheme_str() {
        Some("http") => {}
        Some(other) => {
            return Err(format!("{url}: {other} connection requests are not supported, only http"));
        }
        None => return Err(format!("{url}: no scheme")),
    }
    let host = uri.host().ok_or_else(|| format!("{url}: no host"))?;
    let port = uri.port_u16().unwrap_or(80);
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let authority = uri.authority().map_or(host, |a| a.as_str());

    let first = get(host, port, authority, path, None).await?;
    if first.status != 401 {
        return Ok(outcome(first.status, None));
    }
    if first.challenges.is_empty() {
        return Err(format!("{url}: 401 without a WWW-Authenticate challenge"));
    }
    let challenge = first.challenges.join(", ");
    let mut client = http_auth::PasswordClient::try_from(challenge.as_str())
        .map_err(|e| format!("{url}: cannot answer the challenge {challenge:?}: {e}"))?;
    let scheme = match client {
        http_auth::PasswordClient::Digest(_) => "Digest",
        _ => "Basic",
    };
    let authorization = client
        .respond(&http_auth::PasswordParams {
            username,
            password,
            uri: path,
            method: "GET",
            body: Some(&[]),
        })
        .map_err(|e| format!("{url}: cannot answer the challenge: {e}"))?;
    let second = get(host, port, authority, path, Some(&authorization)).await?;
    Ok(outcome(second.status, Some(scheme.to_owned())))
}

fn outcome(status: u16, authentication: Option<String>) -> Outcome {
    Outcome { status, accepted: status == 200 || status == 204, authentication }
}

async fn get(
    host: &str,
    port: u16,
    authority: &str,
    path: &str,
    authorization: Option<&str>,
) -> Result<Response, String> {
    let exchange = async {
        let mut stream = TcpStream::connect((host.trim_matches(['[', ']']), port))
            .await
            .map_err(|e| format!("cannot reach {authority}: {e}"))?;
        let mut request = format!(
            "GET {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: cwmpkit\r\nConnection: close\r\n"
        );
        if let Some(authorization) = authorization {
            request.push_str(&format!("Authorization: {authorization}\r\n"));
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes()).await.map_err(|e| format!("{authority}: {e}"))?;
        let mut bytes = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let read = stream.read(&mut chunk).await.map_err(|e| format!("{authority}: {e}"))?;
            if read == 0 {
                break;
            }
            bytes.extend_from_slice(&chunk[..read]);
            // The head is all we need; CPEs often keep the socket open after it.
            if bytes.windows(4).any(|w| w == b"\r\n\r\n") || bytes.len() >= MAX_RESPONSE {
                break;
            }
        }
        parse(&bytes).map_err(|e| format!("{authority}: {e}"))
    };
    tokio::time::timeout(TIMEOUT, exchange)
        .await
        .map_err(|_| format!("{authority} did not answer within {} s", TIMEOUT.as_secs()))?
}

fn parse(bytes: &[u8]) -> Result<Response, String> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(bytes) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => {
            return Err(format!("the response ended after {} bytes, inside its head", bytes.len()));
        }
        Err(error) => return Err(format!("not an HTTP response: {error}")),
    }
    let status = response.code.ok_or("no status code")?;
    let challenges = response
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("www-authenticate"))
        .filter_map(|h| std::str::from_utf8(h.value).ok())
        .map(str::to_owned)
        .collect();
    Ok(Response { status, challenges })
}
