//! Who may use the app's listener: every request must name this listener in `Host` (a web page
//! that rebinds its own DNS name to 127.0.0.1 sends its own name: DNS rebinding), a browser
//! request must come from the app's own origin (`Origin`: cross-site requests), and every API
//! call must carry the bearer token (`Authorization: Bearer …`).
//!
//! The event stream and file downloads are opened by the browser itself (`EventSource`, a
//! link), which cannot set headers, so those GETs may carry the token as `?access_token=`
//! (RFC 6750 §2.3) instead. The relay never prints a request's URL.

use super::cpe_auth::equal_in_constant_time;
use super::listener::{LocalAddr, Secure};
use super::state::random_hex;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::IpAddr;
use std::sync::Arc;

/// The API token: 32 bytes of the OS's randomness, hex (64 characters).
pub fn generate_token() -> Result<String, String> {
    random_hex(32).map_err(|e| format!("the API token: {e}"))
}

pub struct ApiAccess {
    pub token: String,
    /// Host names besides this listener's addresses that reach it (`--api-host`), e.g. the
    /// name in its TLS certificate.
    pub extra_hosts: Vec<String>,
}

/// The check, as an axum middleware on the app's listener.
pub async fn guard(State(access): State<Arc<ApiAccess>>, request: Request, next: Next) -> Response {
    let local = request.extensions().get::<LocalAddr>().map(|l| l.0);
    let secure = request.extensions().get::<Secure>().is_some_and(|s| s.0);
    let headers = request.headers();
    let Some(local) = local else {
        return refuse(StatusCode::INTERNAL_SERVER_ERROR, "no listener address on the request");
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let Some(host) = host.filter(|h| access.names_this_listener(h, local, secure)) else {
        return refuse(
            StatusCode::MISDIRECTED_REQUEST,
            "the Host header does not name this relay (use its address, or add the name with --api-host)",
        );
    };
    if let Some(origin) = headers.get(header::ORIGIN) {
        let scheme = if secure { "https" } else { "http" };
        let own = format!("{scheme}://{host}");
        if origin.as_bytes() != own.as_bytes() {
            return refuse(
                StatusCode::FORBIDDEN,
                "cross-origin requests are refused: only the app served by this relay may call it",
            );
        }
    }
    let path = request.uri().path();
    if path.starts_with("/api/") && path != "/api/health" {
        let query_allowed = request.method() == Method::GET && takes_token_in_query(path);
        let presented = bearer(headers)
            .or_else(|| query_allowed.then(|| query_token(request.uri().query())).flatten());
        match presented {
            Some(token) if equal_in_constant_time(token.as_bytes(), access.token.as_bytes()) => {}
            Some(_) => return unauthorized("wrong API token"),
            None => {
                return unauthorized(
                    "the API needs the token the relay printed at start: `Authorization: Bearer TOKEN`",
                );
            }
        }
    }
    next.run(request).await
}

/// The GETs a browser makes without script control over headers.
fn takes_token_in_query(path: &str) -> bool {
    path == "/api/events"
        || path.starts_with("/api/uploads/")
        || path.starts_with("/api/recordings/")
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn query_token(query: Option<&str>) -> Option<&str> {
    query?.split('&').find_map(|pair| pair.strip_prefix("access_token="))
}

impl ApiAccess {
    /// `Host` names this listener: its own address (the one the connection came in on, so a
    /// relay bound to 0.0.0.0 accepts each of the machine's addresses), `localhost` when that
    /// is a loopback address, or a name given with `--api-host`; with this listener's port.
    fn names_this_listener(&self, host: &str, local: std::net::SocketAddr, secure: bool) -> bool {
        let default_port = if secure { 443 } else { 80 };
        let (name, port) = match host.rsplit_once(':') {
            // `[::1]:8080`, `127.0.0.1:8080`, `relay.lan:8080`; not the colons inside `[::1]`.
            Some((name, port)) if !port.contains(']') => match port.parse::<u16>() {
                Ok(port) => (name, port),
                Err(_) => return false,
            },
            _ => (host, default_port),
        };
        if port != local.port() {
            return false;
        }
        let name = name.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = name.parse::<IpAddr>() {
            return canonical(ip) == canonical(local.ip());
        }
        (name.eq_ignore_ascii_case("localhost") && local.ip().is_loopback())
            || self.extra_hosts.iter().any(|extra| extra.eq_ignore_ascii_case(name))
    }
}

/// An IPv4 address seen through an IPv6 socket is the same address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

fn refuse(status: StatusCode, reason: &str) -> Response {
    (status, format!("{reason}\n")).into_response()
}

fn unauthorized(reason: &str) -> Response {
    let mut response = refuse(StatusCode::UNAUTHORIZED, reason);
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"cwmpkit\""));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access() -> ApiAccess {
        ApiAccess { token: "t".into(), extra_hosts: vec!["relay.lan".into()] }
    }

    #[test]
    fn host_must_name_this_listener() {
        let loopback = "127.0.0.1:8080".parse().unwrap();
        let access = access();
        for host in ["127.0.0.1:8080", "localhost:8080", "LOCALHOST:8080", "relay.lan:8080"] {
            assert!(access.names_this_listener(host, loopback, false), "{host}");
        }
        for host in
            ["evil.example:8080", "127.0.0.1:9090", "127.0.0.2:8080", "127.0.0.1", "[::1]:8080", ""]
        {
            assert!(!access.names_this_listener(host, loopback, false), "{host}");
        }
        let v6 = "[::1]:8080".parse().unwrap();
        assert!(access.names_this_listener("[::1]:8080", v6, false));
        assert!(access.names_this_listener("localhost:8080", v6, false));
        let tls = "127.0.0.1:443".parse().unwrap();
        assert!(access.names_this_listener("127.0.0.1", tls, true));
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(equal_in_constant_time(b"abc", b"abc"));
        assert!(!equal_in_constant_time(b"abc", b"abd"));
        assert!(!equal_in_constant_time(b"abc", b"ab"));
        let token = generate_token().unwrap();
        assert_eq!(token.len(), 64);
        assert_ne!(token, generate_token().unwrap());
    }
}
