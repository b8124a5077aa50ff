//! A scripted CPE for the relay's tests: it speaks CWMP over HTTP/1.1 to the ACS listener as a
//! device does (a cookie kept per session, a 401 answered with Digest or Basic), with the
//! quirks a test asks for.

use super::{Reply, parse};
use md5::{Digest as _, Md5};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

pub struct Cpe {
    /// `127.0.0.1:PORT` of the ACS listener.
    pub acs: String,
    /// The session cookie the ACS set, sent back until a session ends.
    pub cookie: Option<String>,
    /// `(username, password)` to answer challenges with.
    pub credential: Option<(String, String)>,
    /// Answer with Basic even when Digest is offered (a quirk of some CPEs).
    pub prefers_basic: bool,
    /// Ignore Set-Cookie (CPEs that do; the ACS then follows them by address). Such a CPE
    /// keeps its connection open instead, so that its address stays the same.
    pub ignores_cookies: bool,
    /// A 401 was seen: later requests carry an Authorization header, as CPEs send it
    /// pre-emptively once challenged.
    challenged: bool,
    /// The last Digest challenge.
    challenge: Option<Challenge>,
    nonce_count: u32,
    /// One connection kept for cookie-less CPEs.
    kept: Option<TcpStream>,
    /// The `Authorization` line of the last request (empty when it had none), for a test to
    /// replay.
    pub last_authorization: String,
}

#[derive(Clone)]
struct Challenge {
    realm: String,
    nonce: String,
    qop: bool,
}

impl Cpe {
    pub fn new(acs: &str) -> Cpe {
        Cpe {
            acs: acs.to_owned(),
            cookie: None,
            credential: None,
            prefers_basic: false,
            ignores_cookies: false,
            challenged: false,
            challenge: None,
            nonce_count: 0,
            kept: None,
            last_authorization: String::new(),
        }
    }

    pub fn with_credential(mut self, username: &str, password: &str) -> Cpe {
        self.credential = Some((username.to_owned(), password.to_owned()));
        self
    }

    /// POSTs `body` to `/acs`, answering one 401 with the credential, as a CPE does.
    pub fn post(&mut self, body: &[u8]) -> Reply {
        let first = self.send("/acs", "POST", body);
        if first.status != 401 || self.credential.is_none() {
            return self.after(first);
        }
        self.learn_challenge(&first);
        let second = self.send("/acs", "POST", body);
        self.after(second)
    }

    /// Answers the ACS's request `id` with a CWMP Fault (TR-069 A.3.2.6: a SOAP Fault whose
    /// detail is a `cwmp:Fault`), as a CPE that cannot do what was asked.
    pub fn post_fault(&mut self, id: &str, code: u32, string: &str) -> Reply {
        let fault = format!(
            r#"<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">{id}</cwmp:ID></soap-env:Header><soap-env:Body><soap-env:Fault><faultcode>Client</faultcode><faultstring>CWMP fault</faultstring><detail><cwmp:Fault><FaultCode>{code}</FaultCode><FaultString>{string}</FaultString></cwmp:Fault></detail></soap-env:Fault></soap-env:Body></soap-env:Envelope>"#
        );
        self.post(fault.as_bytes())
    }

    /// PUTs a file to `/uploads/NAME`, answering one 401 likewise.
    pub fn upload(&mut self, name: &str, body: &[u8]) -> Reply {
        let path = format!("/uploads/{name}");
        let first = self.send(&path, "PUT", body);
        if first.status != 401 || self.credential.is_none() {
            return first;
        }
        self.learn_challenge(&first);
        self.send(&path, "PUT", body)
    }

    /// Drops the session state, as a CPE that rebooted.
    pub fn forget_session(&mut self) {
        self.cookie = None;
        self.kept = None;
    }

    fn after(&mut self, reply: Reply) -> Reply {
        if !self.ignores_cookies {
            if let Some(cookie) = set_cookie(&reply) {
                self.cookie = Some(cookie);
            }
            if reply.status == 204 {
                self.cookie = None;
            }
        }
        reply
    }

    fn learn_challenge(&mut self, reply: &Reply) {
        let header = reply
            .headers
            .lines()
            .filter_map(|l| l.split_once(':'))
            .filter(|(name, _)| name.eq_ignore_ascii_case("www-authenticate"))
            .map(|(_, value)| value.trim())
            .find(|value| value.starts_with("Digest"));
        self.challenge = header.map(|h| Challenge {
            realm: field(h, "realm").unwrap_or_default(),
            nonce: field(h, "nonce").unwrap_or_default(),
            qop: field(h, "qop").is_some(),
        });
        self.nonce_count = 0;
        self.challenged = true;
    }

    fn authorization(&mut self, method: &str, path: &str) -> String {
        let Some((user, password)) = self.credential.clone() else { return String::new() };
        if !self.challenged {
            return String::new();
        }
        let challenge = match (&self.challenge, self.prefers_basic) {
            (Some(challenge), false) => challenge.clone(),
            _ => {
                use base64::Engine as _;
                let encoded =
                    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
                return format!("Authorization: Basic {encoded}\r\n");
            }
        };
        self.nonce_count += 1;
        let nc = format!("{:08x}", self.nonce_count);
        let cnonce = format!("cpe{}", self.nonce_count);
        let ha1 = md5_hex(&format!("{user}:{}:{password}", challenge.realm));
        let ha2 = md5_hex(&format!("{method}:{path}"));
        let (response, qop) = if challenge.qop {
            let r = md5_hex(&format!("{ha1}:{}:{nc}:{cnonce}:auth:{ha2}", challenge.nonce));
            (r, format!(", qop=auth, nc={nc}, cnonce=\"{cnonce}\""))
        } else {
            (md5_hex(&format!("{ha1}:{}:{ha2}", challenge.nonce)), String::new())
        };
        format!(
            "Authorization: Digest username=\"{user}\", realm=\"{}\", nonce=\"{}\", uri=\"{path}\", response=\"{response}\", algorithm=MD5{qop}\r\n",
            challenge.realm, challenge.nonce
        )
    }

    fn send(&mut self, path: &str, method: &str, body: &[u8]) -> Reply {
        let authorization = self.authorization(method, path);
        self.last_authorization.clone_from(&authorization);
        let cookie = match (&self.cookie, self.ignores_cookies) {
            (Some(cookie), false) => format!("Cookie: {cookie}\r\n"),
            _ => String::new(),
        };
        let connection = if self.ignores_cookies { "keep-alive" } else { "close" };
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nUser-Agent: cwmpkit-test-cpe\r\nContent-Type: text/xml; charset=utf-8\r\nConnection: {connection}\r\n{authorization}{cookie}Content-Length: {}\r\n\r\n",
            self.acs,
            body.len()
        );
        if self.ignores_cookies {
            let stream = match self.kept.take() {
                Some(stream) => stream,
                None => connect(&self.acs),
            };
            let mut stream = stream;
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(body).unwrap();
            let reply = read_one_response(&mut stream);
            self.kept = Some(stream);
            return reply;
        }
        let mut stream = connect(&self.acs);
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        parse(&response)
    }
}

fn connect(address: &str) -> TcpStream {
    let stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    stream
}

/// One response on a kept-alive connection: the head, then Content-Length bytes.
fn read_one_response(stream: &mut TcpStream) -> Reply {
    let mut bytes = Vec::new();
    let mut byte = [0u8; 1];
    while !bytes.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).unwrap() == 0 {
            break;
        }
        bytes.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&bytes).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse().unwrap());
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).unwrap();
    bytes.extend_from_slice(&body);
    parse(&bytes)
}

pub fn set_cookie(reply: &Reply) -> Option<String> {
    reply
        .headers
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("set-cookie"))
        .and_then(|(_, value)| value.trim().split(';').next())
        .map(str::to_owned)
}

/// A parameter of a challenge: `name="value"` or `name=value`.
pub fn field(header: &str, name: &str) -> Option<String> {
    header
        .trim_start_matches("Digest")
        .split(',')
        .filter_map(|part| part.trim().split_once('='))
        .find(|(key, _)| key.trim().eq_ignore_ascii_case(name))
        .map(|(_, value)| value.trim().trim_matches('"').to_owned())
}

pub fn md5_hex(text: &str) -> String {
    Md5::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// How a fake connection-request listener challenges.
#[derive(Clone, Copy)]
pub enum CrChallenge {
    /// Digest, accepting only `password` (checked as RFC 7616 computes it).
    Digest(&'static str),
    /// Basic, accepting only `password`.
    Basic(&'static str),
}

/// A CPE's connection-request server on 127.0.0.1: answers `requests` requests (401 without
/// credentials, 200 with the right ones, 401 otherwise) and returns the heads it saw. With
/// `tls`, it speaks https.
pub fn cr_listener(
    challenge: CrChallenge,
    requests: usize,
    tls: Option<std::sync::Arc<rustls::ServerConfig>>,
) -> (String, std::thread::JoinHandle<Vec<String>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let handle = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for _ in 0..requests {
            let (stream, _) = listener.accept().unwrap();
            stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
            let head = match &tls {
                None => answer(stream, challenge),
                Some(config) => {
                    let connection = rustls::ServerConnection::new(config.clone()).unwrap();
                    answer(rustls::StreamOwned::new(connection, stream), challenge)
                }
            };
            seen.push(head);
        }
        seen
    });
    (address, handle)
}

fn answer<S: Read + Write>(mut stream: S, challenge: CrChallenge) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let authorization =
        head.lines().find_map(|l| l.strip_prefix("Authorization: ")).map(str::to_owned);
    let accepted = match (challenge, &authorization) {
        (_, None) => false,
        (CrChallenge::Digest(password), Some(header)) => {
            let get = |name| field(header, name).unwrap_or_default();
            let ha1 = md5_hex(&format!("{}:{}:{password}", get("username"), get("realm")));
            let ha2 = md5_hex(&format!("GET:{}", get("uri")));
            let expected = md5_hex(&format!(
                "{ha1}:{}:{}:{}:auth:{ha2}",
                get("nonce"),
                get("nc"),
                get("cnonce")
            ));
            header.starts_with("Digest") && get("response") == expected
        }
        (CrChallenge::Basic(password), Some(header)) => {
            use base64::Engine as _;
            let decoded = header
                .strip_prefix("Basic ")
                .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            decoded.split_once(':').map(|(_, p)| p) == Some(password)
        }
    };
    let www_authenticate = match challenge {
        CrChallenge::Digest(_) => {
            "WWW-Authenticate: Digest realm=\"IGD Authentication\", nonce=\"5f2a9c\", qop=\"auth\"\r\n"
        }
        CrChallenge::Basic(_) => "WWW-Authenticate: Basic realm=\"IGD\"\r\n",
    };
    let response = if accepted {
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".to_owned()
    } else {
        format!("HTTP/1.1 401 Unauthorized\r\n{www_authenticate}Content-Length: 0\r\n\r\n")
    };
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
    head
}

/// The corpus Inform of the ZyXEL P-2601HN, with its ConnectionRequestURL set to `url` and,
/// when given, a UDPConnectionRequestAddress.
pub fn inform_reporting(url: &str, udp: Option<&str>) -> Vec<u8> {
    let mut inform = String::from_utf8(super::corpus("soap/cwmp_ex/inform-2601.xml"))
        .unwrap()
        .replace("http://2.110.157.83:7676/CWMP/ConnectionRequest", url);
    if let Some(udp) = udp {
        inform = inform.replace(
            "</ParameterList>",
            &format!(
                "<ParameterValueStruct><Name>InternetGatewayDevice.ManagementServer.UDPConnectionRequestAddress</Name><Value xsi:type=\"xsd:string\">{udp}</Value></ParameterValueStruct></ParameterList>"
            ),
        );
    }
    inform.into_bytes()
}
