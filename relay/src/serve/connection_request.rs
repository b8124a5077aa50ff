//! TR-069 connection requests: asking a CPE to open a session now.
//!
//! - HTTP (§3.2.2): a GET to the ConnectionRequestURL the device reported, over http or https,
//!   answering its Digest challenge with the connection-request credentials. Basic (which
//!   sends the password as is) only with `--cr-allow-basic`, as GenieACS's
//!   `connectionRequestAllowBasicAuth`. A 200 or 204 means the CPE accepted and will open a
//!   session with an Inform carrying `6 CONNECTION REQUEST`.
//! - UDP (TR-111 part 2, a CPE behind NAT): the signed GET line in a datagram to the
//!   UDPConnectionRequestAddress the device reported, sent 3 times; no answer comes back.
//!
//! The relay only ever connects where the device said (the API cannot name a target), never to
//! a loopback, link-local, unspecified, multicast or broadcast address unless `--allow-local-cpe`
//! allows the first two, and resolves a name once and connects to the address it checked (so
//! the name cannot be rebound in between). Credentials never appear in what it reports: a URL's
//! user info is removed before it is shown.

use super::state::{now, random_hex, unix_seconds};
use axum::http::Uri;
use cwmpkit_core::api::{ConnectionRequestOutcome as Outcome, redact_url as redact};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::rustls;

/// A CPE that does not answer within this is reported as unreachable.
const TIMEOUT: Duration = Duration::from_secs(10);
/// A connection-request response has no body worth keeping; headers fit well within this.
const MAX_RESPONSE: usize = 64 * 1024;
/// TR-111 §2.2.2.3: UDP is unreliable, so the same request goes out several times.
const UDP_REPEATS: usize = 3;
const UDP_SPACING: Duration = Duration::from_millis(300);

/// How the relay sends connection requests (`--cr-…` flags).
#[derive(Clone)]
pub struct Settings {
    pub username: String,
    pub password: String,
    pub allow_basic: bool,
    pub allow_local: bool,
    /// For https ConnectionRequestURLs: roots from `--cr-ca`, or no verification with
    /// `--cr-insecure-tls`.
    pub tls: Arc<rustls::ClientConfig>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("username", &self.username)
            .field("allow_basic", &self.allow_basic)
            .field("allow_local", &self.allow_local)
            .finish_non_exhaustive()
    }
}

struct Response {
    status: u16,
    challenges: Vec<String>,
}

/// One GET of a connection request as it went over the wire, for the recordings: here the relay
/// is the client (`client`, its own end of the connection) and the CPE the server. Core's
/// recorder masks the `Authorization` it carries (its scheme alone is kept).
pub struct SentGet {
    pub client: SocketAddr,
    pub server: SocketAddr,
    pub request_time: cwmpkit_core::Timestamp,
    pub response_time: cwmpkit_core::Timestamp,
    pub request: Vec<u8>,
    /// The response's head, and what of its body arrived with it.
    pub response: Vec<u8>,
}

/// The address to connect to for `host:port`, if connecting there is allowed.
async fn allowed_address(host: &str, port: u16, allow_local: bool) -> Result<SocketAddr, String> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| format!("cannot resolve {host}: {e}"))?
        .collect();
    // Every address the name has must be allowed: otherwise which one is used decides.
    for address in &addresses {
        refuse_unless_allowed(address.ip(), allow_local)?;
    }
    addresses.first().copied().ok_or_else(|| format!("{host} resolves to no address"))
}

fn refuse_unless_allowed(ip: IpAddr, allow_local: bool) -> Result<(), String> {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    };
    let (never, local) = match ip {
        IpAddr::V4(v4) => (
            v4.is_unspecified() || v4.is_multicast() || v4.is_broadcast(),
            v4.is_loopback() || v4.is_link_local(),
        ),
        IpAddr::V6(v6) => (
            v6.is_unspecified() || v6.is_multicast(),
            v6.is_loopback() || v6.is_unicast_link_local(),
        ),
    };
    if never {
        return Err(format!("the device reported {ip}, where no CPE can be: refused"));
    }
    if local && !allow_local {
        return Err(format!(
            "the device reported {ip}, a loopback or link-local address: refused (--allow-local-cpe allows it)"
        ));
    }
    Ok(())
}

/// Sends an HTTP connection request to `url` (the device's own) and reports how it answered;
/// each GET that got an answer is added to `sent`, to be recorded.
pub async fn send_http(
    url: &str,
    settings: &Settings,
    sent: &mut Vec<SentGet>,
) -> Result<Outcome, String> {
    let shown = redact(url);
    let uri: Uri = url.parse().map_err(|e| format!("{shown:?} is not a URL: {e}"))?;
    let (secure, default_port) = match uri.scheme_str() {
        Some("http") => (false, 80),
        Some("https") => (true, 443),
        Some(other) => return Err(format!("{shown}: {other} is not http or https")),
        None => return Err(format!("{shown}: no scheme")),
    };
    let host = uri.host().ok_or_else(|| format!("{shown}: no host"))?.to_owned();
    let port = uri.port_u16().unwrap_or(default_port);
    let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    let authority = match uri.port_u16() {
        Some(port) => format!("{host}:{port}"),
        None => host.clone(),
    };
    let address = allowed_address(&host, port, settings.allow_local).await?;
    let target = Target { address, host: &host, authority: &authority, path: &path, secure };

    let first = target.get(None, settings, sent).await?;
    let transport = if secure { "https" } else { "http" };
    if first.status != 401 {
        return Ok(outcome(Some(first.status), None, transport));
    }
    if first.challenges.is_empty() {
        return Err(format!("{shown}: 401 without a WWW-Authenticate challenge"));
    }
    let challenge = first.challenges.join(", ");
    let mut client = http_auth::PasswordClient::try_from(challenge.as_str())
        .map_err(|e| format!("{shown}: cannot answer the challenge: {e}"))?;
    let scheme = match client {
        http_auth::PasswordClient::Digest(_) => "Digest",
        _ if settings.allow_basic => "Basic",
        _ => {
            return Err(format!(
                "{shown}: the CPE asks for Basic authentication, which sends the password as is; \
                 TR-069 wants Digest (--cr-allow-basic allows Basic)"
            ));
        }
    };
    let authorization = client
        .respond(&http_auth::PasswordParams {
            username: &settings.username,
            password: &settings.password,
            uri: &path,
            method: "GET",
            body: Some(&[]),
        })
        .map_err(|e| format!("{shown}: cannot answer the challenge: {e}"))?;
    let second = target.get(Some(&authorization), settings, sent).await?;
    Ok(outcome(Some(second.status), Some(scheme.to_owned()), transport))
}

fn outcome(
    status: Option<u16>,
    authentication: Option<String>,
    transport: &'static str,
) -> Outcome {
    let accepted = status.is_none_or(|s| s == 200 || s == 204);
    Outcome { status, accepted, authentication, transport: transport.to_owned() }
}

struct Target<'a> {
    address: SocketAddr,
    host: &'a str,
    authority: &'a str,
    path: &'a str,
    secure: bool,
}

impl Target<'_> {
    async fn get(
        &self,
        authorization: Option<&str>,
        settings: &Settings,
        sent: &mut Vec<SentGet>,
    ) -> Result<Response, String> {
        let authority = self.authority;
        let mut request = format!(
            "GET {} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: cwmpkit\r\nConnection: close\r\n",
            self.path
        );
        if let Some(authorization) = authorization {
            request.push_str(&format!("Authorization: {authorization}\r\n"));
        }
        request.push_str("\r\n");
        let exchange = async {
            let stream = TcpStream::connect(self.address)
                .await
                .map_err(|e| format!("cannot reach {authority}: {e}"))?;
            let client = stream.local_addr().map_err(|e| format!("{authority}: {e}"))?;
            let request_time = now();
            let answered = |(response, received)| {
                sent.push(SentGet {
                    client,
                    server: self.address,
                    request_time,
                    response_time: now(),
                    request: request.clone().into_bytes(),
                    response: received,
                });
                response
            };
            if !self.secure {
                return exchange(stream, &request)
                    .await
                    .map(answered)
                    .map_err(|e| format!("{authority}: {e}"));
            }
            let name = rustls::pki_types::ServerName::try_from(
                self.host.trim_matches(['[', ']']).to_owned(),
            )
            .map_err(|e| format!("{authority}: not a TLS server name: {e}"))?;
            let connector = tokio_rustls::TlsConnector::from(Arc::clone(&settings.tls));
            let stream = connector.connect(name, stream).await.map_err(|e| {
                format!(
                    "{authority}: TLS: {e} (a CPE's own certificate needs --cr-ca with its CA, or --cr-insecure-tls)"
                )
            })?;
            exchange(stream, &request).await.map(answered).map_err(|e| format!("{authority}: {e}"))
        };
        tokio::time::timeout(TIMEOUT, exchange)
            .await
            .map_err(|_| format!("{authority} did not answer within {} s", TIMEOUT.as_secs()))?
    }
}

/// Sends `request`, reads the response's head; returns it parsed, and the bytes received.
async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    request: &str,
) -> Result<(Response, Vec<u8>), String> {
    stream.write_all(request.as_bytes()).await.map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let read = match stream.read(&mut chunk).await {
            Ok(read) => read,
            // A CPE that closes without TLS close_notify after its head has still answered.
            Err(_) if bytes.windows(4).any(|w| w == b"\r\n\r\n") => 0,
            Err(e) => return Err(e.to_string()),
        };
        if read == 0 {
            break;
        }
        bytes.extend_from_slice(&chunk[..read]);
        // The head is all we need; CPEs often keep the socket open after it.
        if bytes.windows(4).any(|w| w == b"\r\n\r\n") || bytes.len() >= MAX_RESPONSE {
            break;
        }
    }
    let response = parse(&bytes)?;
    Ok((response, bytes))
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

/// The TR-111 UDP connection request message for `address` (`host:port`), signed with the
/// connection-request password: `GET http://host:port?ts=…&id=…&un=…&cn=…&sig=… HTTP/1.1`.
pub fn udp_message(address: &str, settings: &Settings, ts: u64, id: &str, cnonce: &str) -> String {
    let un = &settings.username;
    let text = format!("{ts}{id}{un}{cn}", cn = cnonce);
    let signature = match <Hmac<Sha1> as Mac>::new_from_slice(settings.password.as_bytes()) {
        Ok(mut mac) => {
            mac.update(text.as_bytes());
            mac.finalize().into_bytes().iter().map(|b| format!("{b:02X}")).collect::<String>()
        }
        // HMAC takes keys of any length; an empty signature would only be refused by the CPE.
        Err(_) => String::new(),
    };
    let un = percent_encode(un);
    format!(
        "GET http://{address}?ts={ts}&id={id}&un={un}&cn={cnonce}&sig={signature} HTTP/1.1\r\nHost: {address}\r\n\r\n"
    )
}

/// Sends the UDP connection request to `address` (`host:port`, as the device reported it).
pub async fn send_udp(address: &str, settings: &Settings) -> Result<Outcome, String> {
    let (host, port) = address
        .rsplit_once(':')
        .and_then(|(host, port)| Some((host, port.parse::<u16>().ok()?)))
        .ok_or_else(|| format!("{address:?} is not host:port"))?;
    let target = allowed_address(host, port, settings.allow_local).await?;
    let id = random_hex(8)?;
    let cnonce = random_hex(8)?;
    let ts = unix_seconds();
    let message = udp_message(address, settings, ts, &id, &cnonce);
    let local: SocketAddr = if target.is_ipv4() {
        ([0, 0, 0, 0], 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = tokio::net::UdpSocket::bind(local).await.map_err(|e| format!("UDP: {e}"))?;
    for attempt in 0..UDP_REPEATS {
        if attempt > 0 {
            tokio::time::sleep(UDP_SPACING).await;
        }
        socket
            .send_to(message.as_bytes(), target)
            .await
            .map_err(|e| format!("UDP to {address}: {e}"))?;
    }
    Ok(outcome(None, None, "udp"))
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The client config for https connection requests: `--cr-ca` roots, or none verified.
pub fn tls_config(
    ca: Option<&std::path::Path>,
    insecure: bool,
) -> Result<rustls::ClientConfig, String> {
    use rustls::pki_types::pem::PemObject as _;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?;
    if insecure {
        return Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
            .with_no_client_auth());
    }
    let mut roots = rustls::RootCertStore::empty();
    if let Some(ca) = ca {
        let certificates = rustls::pki_types::CertificateDer::pem_file_iter(ca)
            .and_then(|c| c.collect::<Result<Vec<_>, _>>())
            .map_err(|e| format!("--cr-ca {}: {e}", ca.display()))?;
        for certificate in certificates {
            roots.add(certificate).map_err(|e| format!("--cr-ca {}: {e}", ca.display()))?;
        }
    }
    Ok(builder.with_root_certificates(roots).with_no_client_auth())
}

/// `--cr-insecure-tls`: accepts any certificate, still checking the handshake's signatures.
#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &rustls::pki_types::CertificateDer<'_>,
        _: &[rustls::pki_types::CertificateDer<'_>],
        _: &rustls::pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_and_impossible_addresses_are_refused() {
        for ip in ["127.0.0.1", "169.254.1.1", "::1", "fe80::1", "::ffff:127.0.0.1"] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(refuse_unless_allowed(ip, false).is_err(), "{ip}");
            assert!(refuse_unless_allowed(ip, true).is_ok(), "{ip}");
        }
        for ip in ["0.0.0.0", "224.0.0.1", "255.255.255.255", "::", "ff02::1"] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(refuse_unless_allowed(ip, true).is_err(), "{ip}");
        }
        for ip in ["10.1.2.3", "192.168.1.20", "2001:db8::1"] {
            assert!(refuse_unless_allowed(ip.parse().unwrap(), false).is_ok(), "{ip}");
        }
    }

    #[test]
    fn the_udp_message_is_signed_as_tr111_says() {
        let settings = Settings {
            username: "CPE57689".into(),
            password: "secret".into(),
            allow_basic: false,
            allow_local: false,
            tls: Arc::new(tls_config(None, false).unwrap()),
        };
        let message =
            udp_message("10.1.1.1:8080", &settings, 1120673700, "1234", "XTGRWIPC6D3IPXS3");
        let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(b"secret").unwrap();
        mac.update(b"11206737001234CPE57689XTGRWIPC6D3IPXS3");
        let sig: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02X}")).collect();
        assert_eq!(
            message,
            format!(
                "GET http://10.1.1.1:8080?ts=1120673700&id=1234&un=CPE57689&cn=XTGRWIPC6D3IPXS3&sig={sig} HTTP/1.1\r\nHost: 10.1.1.1:8080\r\n\r\n"
            )
        );
        assert!(!message.contains("secret"));
    }
}
