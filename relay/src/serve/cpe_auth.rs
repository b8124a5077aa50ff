//! CPE authentication on the ACS listener (TR-069 §3.4.4; on an Aastra phone `tr69 username`
//! and `tr69 password`): HTTP Digest (RFC 7616: MD5, MD5-sess or SHA-256, with or without
//! `qop=auth`), and Basic where allowed (over TLS, or when `--cpe-basic-over-http` says so).
//!
//! Credentials: a default one for every device, and one per device (`--cpe-credentials`, a
//! CSV file `device,username,password` whose `device` is the device ID `OUI-Class-Serial` or
//! the serial number alone). A device with its own credential is admitted with it only: the
//! default one, or another device's, cannot speak for it (a fake Inform carrying a real
//! device's ID gets 401 and nothing else). With no credential configured at all, the ACS is
//! open, and says so at start.
//!
//! Nonces are signed, not stored: `time-serial` in hex + HMAC-SHA256 of it under a key drawn at
//! start, accepted for [`NONCE_LIFETIME_SECS`]; an older one gets a new challenge with
//! `stale=true`, which clients answer without asking the user again. An answer cannot be
//! replayed: the nonce count (`nc`) of each nonce must grow from one request to the next (a
//! nonce without `qop` has no count and serves once), which [`NonceCounts`] tracks in bounded
//! memory. Time is an argument; the counts are the only state.

use super::state::Relay;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use md5::Md5;
use sha2::Sha256;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

/// How long a nonce may be answered; a CWMP session is far shorter.
pub const NONCE_LIFETIME_SECS: u64 = 300;
const REALM: &str = "cwmpkit";
/// Nonces whose counts are remembered, at most; past it the oldest is forgotten, and answered
/// `stale=true` if it comes back. A CWMP session uses one nonce for well under a second, so
/// even at thousands of sessions a second the forgotten ones are long done. About 2 MB.
pub const MAX_TRACKED_NONCES: usize = 65_536;
/// Independent locks over the counts, so that concurrent sessions seldom wait on each other.
const NONCE_SHARDS: usize = 16;

#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credential({:?}, ********)", self.username)
    }
}

/// Whose credential a request is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speaker<'a> {
    /// The device an Inform names, or whose session a POST continues: its own credential, else
    /// the default. One check, however many devices are listed.
    Device { id: &'a str, serial: &'a str },
    /// A CWMP POST that continues no session: the default credential only. Trying every
    /// device's would let anyone make the relay hash once per listed device per request.
    Unknown,
    /// An upload, whose sender only its credential tells: the default, then every device's.
    Anyone,
}

/// Who may post to the ACS.
#[derive(Debug, Default)]
pub struct CpeCredentials {
    pub default: Option<Credential>,
    /// By device ID or serial number.
    pub per_device: HashMap<String, Credential>,
    /// Basic is offered and accepted (it sends the password itself: TLS or an explicit flag).
    pub basic_allowed: bool,
    /// Signs nonces; drawn at start from the OS's randomness.
    pub nonce_key: [u8; 32],
    /// Which nonces were issued and the counts their answers used.
    pub nonce_counts: NonceCounts,
}

/// The last nonce count accepted for each nonce in use, by the nonce's serial number, in
/// [`NONCE_SHARDS`] shards of at most `MAX_TRACKED_NONCES / NONCE_SHARDS` nonces each.
#[derive(Debug, Default)]
pub struct NonceCounts {
    issued: AtomicU64,
    shards: [Mutex<CountShard>; NONCE_SHARDS],
}

#[derive(Debug, Default)]
struct CountShard {
    last_count: BTreeMap<u64, u32>,
    /// Serials below this (in this shard) were forgotten to stay within the limit: serials
    /// grow, so the oldest go first, and any still unused are as old.
    forgotten_below: u64,
}

/// What the count of an answer says.
#[derive(Debug, PartialEq, Eq)]
enum Count {
    Fresh,
    /// Not above the last accepted for its nonce: the request was seen before.
    Replayed,
    /// The nonce was forgotten (the limit): the client must take a new one.
    Forgotten,
}

impl NonceCounts {
    fn next_serial(&self) -> u64 {
        self.issued.fetch_add(1, Ordering::Relaxed)
    }

    /// Records `count` for the nonce `serial` if it is above the last one accepted.
    fn record(&self, serial: u64, count: u32) -> Count {
        let per_shard = MAX_TRACKED_NONCES / NONCE_SHARDS;
        let shard = &self.shards[(serial % NONCE_SHARDS as u64) as usize];
        let mut shard = shard.lock().unwrap_or_else(PoisonError::into_inner);
        if serial < shard.forgotten_below {
            return Count::Forgotten;
        }
        match shard.last_count.get_mut(&serial) {
            Some(last) if count <= *last => return Count::Replayed,
            Some(last) => *last = count,
            None => {
                shard.last_count.insert(serial, count);
                if shard.last_count.len() > per_shard
                    && let Some((oldest, _)) = shard.last_count.pop_first()
                {
                    shard.forgotten_below = oldest + 1;
                }
            }
        }
        Count::Fresh
    }
}

/// What authenticated a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// The default credential.
    Default,
    /// The credential of this device (the key it is listed under).
    Device(String),
    /// No credential is configured: the ACS is open.
    Open,
}

/// Why a request is not admitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No `Authorization`: the normal first step of an exchange, not worth a problem event.
    Challenge,
    /// The nonce is too old; the client retries with a new one.
    Stale,
    /// Anything else, said in words (never with the password).
    Failed(String),
}

/// The 401 that refuses a request on the ACS listener (`/acs`, `/uploads/`): why in its body,
/// and fresh challenges (`stale=true` after a stale nonce). A failure (not the first, expected
/// challenge) is also a problem event, in the words `failed` gives its reason.
pub fn refuse(
    relay: &Relay,
    refusal: Refusal,
    device: Option<&str>,
    now_secs: u64,
    failed: impl FnOnce(&str) -> String,
) -> Response {
    let (body, stale) = match refusal {
        Refusal::Challenge => ("authentication required\n".to_owned(), false),
        Refusal::Stale => ("the nonce is stale: answer the new challenge\n".to_owned(), true),
        Refusal::Failed(reason) => {
            relay.events.problem(device, "auth-failed", &failed(&reason));
            (format!("authentication failed: {reason}\n"), false)
        }
    };
    let mut response = (StatusCode::UNAUTHORIZED, body).into_response();
    for challenge in relay.settings.cpe_auth.challenges(now_secs, stale) {
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            response.headers_mut().append(header::WWW_AUTHENTICATE, value);
        }
    }
    response
}

impl CpeCredentials {
    pub fn is_open(&self) -> bool {
        self.default.is_none() && self.per_device.is_empty()
    }

    /// Whether the credential listed under `key` is also the default or another entry's: then
    /// authenticating with it does not tell which device spoke.
    pub fn is_shared(&self, key: &str) -> bool {
        let Some(own) = self.per_device.get(key) else { return true };
        self.default.as_ref() == Some(own)
            || self.per_device.iter().any(|(other, credential)| other != key && credential == own)
    }

    /// The user name of what authenticated a request (none when the ACS is open).
    pub fn username_of(&self, identity: &Identity) -> Option<String> {
        match identity {
            Identity::Default => self.default.as_ref().map(|c| c.username.clone()),
            Identity::Device(key) => self.per_device.get(key).map(|c| c.username.clone()),
            Identity::Open => None,
        }
    }

    /// Reads `--cpe-credentials`: a CSV file with a header naming `device`, `username` and
    /// `password` columns.
    pub fn read_file(&mut self, file: &Path) -> Result<(), String> {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("--cpe-credentials {}: {e}", file.display()))?;
        let read =
            cwmpkit_core::base::csv::read(&text, cwmpkit_core::base::csv::guess_separator(&text));
        if let Some(line) = read.unclosed_quote_line {
            return Err(format!(
                "--cpe-credentials {}: line {line}: a quoted field is never closed",
                file.display()
            ));
        }
        let mut records = read.records.into_iter();
        let header = records.next().ok_or_else(|| {
            format!(
                "--cpe-credentials {}: empty; expected a header `device,username,password`",
                file.display()
            )
        })?;
        let column = |name: &str| {
            header.fields.iter().position(|f| f.trim().eq_ignore_ascii_case(name)).ok_or_else(|| {
                format!(
                    "--cpe-credentials {}: line {}: no `{name}` column (expected `device,username,password`)",
                    file.display(),
                    header.line
                )
            })
        };
        let (device, username, password) =
            (column("device")?, column("username")?, column("password")?);
        for record in records {
            let field =
                |index: usize| record.fields.get(index).map(|f| f.trim()).unwrap_or_default();
            let (id, user, pass) = (field(device), field(username), field(password));
            if id.is_empty() || pass.is_empty() {
                return Err(format!(
                    "--cpe-credentials {}: line {}: a device and a password are needed",
                    file.display(),
                    record.line
                ));
            }
            let credential = Credential { username: user.to_owned(), password: pass.to_owned() };
            if self.per_device.insert(id.to_owned(), credential).is_some() {
                return Err(format!(
                    "--cpe-credentials {}: line {}: {id} is listed twice",
                    file.display(),
                    record.line
                ));
            }
        }
        Ok(())
    }

    /// The credential a device must use: its own (by ID, then by serial number; with the key
    /// it is listed under), else the default (no key).
    fn expected_for(&self, device_id: &str, serial: &str) -> Option<(Option<&str>, &Credential)> {
        if let Some((key, own)) = self.per_device.get_key_value(device_id) {
            return Some((Some(key), own));
        }
        if let Some((key, own)) = self.per_device.get_key_value(serial) {
            return Some((Some(key), own));
        }
        self.default.as_ref().map(|d| (None, d))
    }

    /// The credentials that may have made a request from `speaker`, each with the key it is
    /// listed under (none: the default). Iterated, not collected: no allocation per request.
    fn candidates<'s>(
        &'s self,
        speaker: Speaker<'_>,
    ) -> Result<impl Iterator<Item = (Option<&'s str>, &'s Credential)>, Refusal> {
        let first = match speaker {
            Speaker::Device { id, serial } => {
                Some(self.expected_for(id, serial).ok_or_else(|| {
                    Refusal::Failed(format!(
                        "no credential admits {id}: it has none of its own and there is no default"
                    ))
                })?)
            }
            Speaker::Unknown | Speaker::Anyone => self.default.as_ref().map(|d| (None, d)),
        };
        let every_device = matches!(speaker, Speaker::Anyone)
            .then(|| self.per_device.iter().map(|(k, c)| (Some(k.as_str()), c)));
        Ok(first.into_iter().chain(every_device.into_iter().flatten()))
    }

    /// Whether a request authenticated as `identity` may speak for the device `device_id`
    /// (serial number `serial`): it used the credential that device must use. Two entries that
    /// share one credential cannot be told apart, and need not be.
    pub fn speaks_for(&self, identity: &Identity, device_id: &str, serial: &str) -> bool {
        let used = match identity {
            Identity::Open => return true,
            Identity::Default => self.default.as_ref(),
            Identity::Device(key) => self.per_device.get(key),
        };
        let expected = self.expected_for(device_id, serial).map(|(_, credential)| credential);
        used.is_some() && used == expected
    }

    /// Checks one request against the credentials `speaker` allows (see [`Speaker`]). For a
    /// device's own session the caller checks again with [`CpeCredentials::speaks_for`], under
    /// the ACS's lock, that the session is still that device's.
    pub fn verify(
        &self,
        method: &str,
        target: &str,
        authorization: Option<&str>,
        speaker: Speaker<'_>,
        now_secs: u64,
    ) -> Result<Identity, Refusal> {
        if self.is_open() {
            return Ok(Identity::Open);
        }
        let Some(authorization) = authorization else { return Err(Refusal::Challenge) };
        let (scheme, rest) =
            authorization.trim().split_once(' ').unwrap_or((authorization.trim(), ""));
        let candidates = self.candidates(speaker)?;
        let identity_of =
            |key: Option<&str>| key.map_or(Identity::Default, |k| Identity::Device(k.to_owned()));
        if scheme.eq_ignore_ascii_case("basic") {
            if !self.basic_allowed {
                return Err(Refusal::Failed(
                    "Basic authentication over plain HTTP is refused (Digest, or TLS, or --cpe-basic-over-http)".to_owned(),
                ));
            }
            let (user, pass) = decode_basic(rest)
                .ok_or_else(|| Refusal::Failed("a Basic header that does not decode".to_owned()))?;
            return candidates
                .into_iter()
                .find(|(_, c)| {
                    c.username == user
                        && equal_in_constant_time(c.password.as_bytes(), pass.as_bytes())
                })
                .map(|(key, _)| identity_of(key))
                .ok_or_else(|| {
                    Refusal::Failed(format!("wrong username or password for user {user:?}"))
                });
        }
        if !scheme.eq_ignore_ascii_case("digest") {
            return Err(Refusal::Failed(format!("unsupported authentication scheme {scheme:?}")));
        }
        let params = DigestParams::parse(rest);
        let (Some(user), Some(nonce), Some(uri), Some(response)) = (
            params.username.as_deref(),
            params.nonce.as_deref(),
            params.uri.as_deref(),
            params.response.as_deref(),
        ) else {
            return Err(Refusal::Failed(
                "a Digest answer without username, nonce, uri or response".to_owned(),
            ));
        };
        // The answer is for this request's target (absolute form allowed), not one replayed
        // from another.
        let same_target = uri == target
            || uri.split_once("://").and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
                == Some(target);
        if !same_target {
            return Err(Refusal::Failed(format!(
                "a Digest answer for {uri:?}, not for this request"
            )));
        }
        let serial = match self.issued(nonce) {
            None => {
                return Err(Refusal::Failed("a Digest nonce this relay did not issue".to_owned()));
            }
            Some((issued, _)) if now_secs.saturating_sub(issued) > NONCE_LIFETIME_SECS => {
                return Err(Refusal::Stale);
            }
            Some((_, serial)) => serial,
        };
        let algorithm = params.algorithm.as_deref().unwrap_or("MD5");
        let Some(hash) = DigestHash::named(algorithm) else {
            return Err(Refusal::Failed(format!("unsupported Digest algorithm {algorithm:?}")));
        };
        let answer = DigestAnswer {
            realm: params.realm.as_deref().unwrap_or(REALM),
            nonce,
            uri,
            qop: params.qop.as_deref(),
            nc: params.nc.as_deref().unwrap_or_default(),
            cnonce: params.cnonce.as_deref().unwrap_or_default(),
        };
        // Without qop there is no count: such a nonce answers one request.
        let count = match answer.qop {
            None => 1,
            Some(_) => u32::from_str_radix(answer.nc, 16).map_err(|_| {
                Refusal::Failed(format!(
                    "a Digest nonce count {:?} that is not 8 hex digits",
                    answer.nc
                ))
            })?,
        };
        let identity = candidates
            .filter(|(_, c)| c.username == user)
            .find(|(_, c)| {
                let expected = answer.response(hash, method, &c.username, &c.password);
                equal_hex_in_constant_time(expected.as_bytes(), response.as_bytes())
            })
            .map(|(key, _)| identity_of(key))
            .ok_or_else(|| {
                Refusal::Failed(format!("wrong username or password for user {user:?}"))
            })?;
        // Counted only once the answer is proven: a guess cannot use up a client's counts.
        match self.nonce_counts.record(serial, count) {
            Count::Fresh => Ok(identity),
            Count::Forgotten => Err(Refusal::Stale),
            Count::Replayed if answer.qop.is_none() => Err(Refusal::Stale),
            Count::Replayed => Err(Refusal::Failed(format!(
                "Digest nonce count {} was already used with this nonce: a replayed request",
                answer.nc
            ))),
        }
    }

    /// The `WWW-Authenticate` values of a 401: Digest, and Basic where it is allowed.
    pub fn challenges(&self, now_secs: u64, stale: bool) -> Vec<String> {
        let nonce = self.nonce(now_secs);
        let stale = if stale { ", stale=true" } else { "" };
        let mut challenges = vec![format!(
            "Digest realm=\"{REALM}\", qop=\"auth\", algorithm=MD5, nonce=\"{nonce}\"{stale}"
        )];
        if self.basic_allowed {
            challenges.push(format!("Basic realm=\"{REALM}\""));
        }
        challenges
    }

    /// A new nonce: its time and a serial number no other nonce has, signed.
    fn nonce(&self, now_secs: u64) -> String {
        let stamp = format!("{now_secs:x}-{:x}", self.nonce_counts.next_serial());
        let signature = self.sign(&stamp);
        format!("{stamp}.{}", signature.as_ref().map_or("", HexDigest::as_str))
    }

    /// When `nonce` was issued (Unix seconds) and its serial number, if this relay issued it.
    fn issued(&self, nonce: &str) -> Option<(u64, u64)> {
        let (stamp, signature) = nonce.split_once('.')?;
        let expected = self.sign(stamp)?;
        if !equal_in_constant_time(expected.as_str().as_bytes(), signature.as_bytes()) {
            return None;
        }
        let (time, serial) = stamp.split_once('-')?;
        Some((u64::from_str_radix(time, 16).ok()?, u64::from_str_radix(serial, 16).ok()?))
    }

    /// HMAC-SHA256 of `stamp` in hex; `None` only if HMAC refused the key, which it never
    /// does for 32 bytes.
    fn sign(&self, stamp: &str) -> Option<HexDigest> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.nonce_key).ok()?;
        mac.update(stamp.as_bytes());
        Some(HexDigest::of(&mac.finalize().into_bytes()))
    }
}

#[derive(Clone, Copy)]
enum DigestHash {
    Md5,
    Md5Sess,
    Sha256,
    Sha256Sess,
}

impl DigestHash {
    fn named(name: &str) -> Option<DigestHash> {
        Some(match name.to_ascii_uppercase().as_str() {
            "MD5" => DigestHash::Md5,
            "MD5-SESS" => DigestHash::Md5Sess,
            "SHA-256" => DigestHash::Sha256,
            "SHA-256-SESS" => DigestHash::Sha256Sess,
            _ => return None,
        })
    }

    /// The hash of `parts` joined by `:`, in hex: fed to the hasher piece by piece, with no
    /// string built for it (each request hashes three or four of these).
    fn joined(self, parts: &[&str]) -> HexDigest {
        fn run<D: sha2::Digest>(parts: &[&str]) -> HexDigest {
            let mut hasher = D::new();
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    hasher.update(b":");
                }
                hasher.update(part.as_bytes());
            }
            HexDigest::of(&hasher.finalize())
        }
        match self {
            DigestHash::Md5 | DigestHash::Md5Sess => run::<Md5>(parts),
            DigestHash::Sha256 | DigestHash::Sha256Sess => run::<Sha256>(parts),
        }
    }

    fn is_session(self) -> bool {
        matches!(self, DigestHash::Md5Sess | DigestHash::Sha256Sess)
    }
}

struct DigestAnswer<'a> {
    realm: &'a str,
    nonce: &'a str,
    uri: &'a str,
    qop: Option<&'a str>,
    nc: &'a str,
    cnonce: &'a str,
}

impl DigestAnswer<'_> {
    /// The response a client knowing `password` computes (RFC 7616 §3.4.1; RFC 2069 without qop).
    fn response(
        &self,
        hash: DigestHash,
        method: &str,
        username: &str,
        password: &str,
    ) -> HexDigest {
        let mut ha1 = hash.joined(&[username, self.realm, password]);
        if hash.is_session() {
            ha1 = hash.joined(&[ha1.as_str(), self.nonce, self.cnonce]);
        }
        let ha2 = hash.joined(&[method, self.uri]);
        match self.qop {
            Some(qop) => {
                hash.joined(&[ha1.as_str(), self.nonce, self.nc, self.cnonce, qop, ha2.as_str()])
            }
            None => hash.joined(&[ha1.as_str(), self.nonce, ha2.as_str()]),
        }
    }
}

/// A digest of up to 32 bytes (SHA-256's) in lower-case hex, kept on the stack.
struct HexDigest {
    text: [u8; 64],
    len: usize,
}

impl HexDigest {
    fn of(bytes: &[u8]) -> HexDigest {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut digest = HexDigest { text: [0; 64], len: 0 };
        for byte in bytes.iter().take(32) {
            digest.text[digest.len] = DIGITS[usize::from(byte >> 4)];
            digest.text[digest.len + 1] = DIGITS[usize::from(byte & 0x0f)];
            digest.len += 2;
        }
        digest
    }

    fn as_str(&self) -> &str {
        // Only ASCII hex digits were written.
        std::str::from_utf8(&self.text[..self.len]).unwrap_or_default()
    }

    fn as_bytes(&self) -> &[u8] {
        &self.text[..self.len]
    }
}

/// The parameters of a Digest `Authorization` the verifier reads (names in any case; others are
/// ignored, and the last of a repeated one counts). Each value borrows from the header, unless
/// it is quoted with escapes to undo: parsing allocates nothing for a usual answer.
#[derive(Debug, Default)]
struct DigestParams<'a> {
    username: Option<Cow<'a, str>>,
    realm: Option<Cow<'a, str>>,
    nonce: Option<Cow<'a, str>>,
    uri: Option<Cow<'a, str>>,
    response: Option<Cow<'a, str>>,
    algorithm: Option<Cow<'a, str>>,
    qop: Option<Cow<'a, str>>,
    nc: Option<Cow<'a, str>>,
    cnonce: Option<Cow<'a, str>>,
}

impl<'a> DigestParams<'a> {
    /// `name=value, name="quoted, value"`.
    fn parse(text: &'a str) -> DigestParams<'a> {
        let mut params = DigestParams::default();
        let mut rest = text.trim_start();
        while let Some((name, value)) = next_param(&mut rest) {
            if let Some(slot) = params.slot(name) {
                *slot = Some(value);
            }
        }
        params
    }

    fn slot(&mut self, name: &str) -> Option<&mut Option<Cow<'a, str>>> {
        let slots = [
            ("username", &mut self.username),
            ("realm", &mut self.realm),
            ("nonce", &mut self.nonce),
            ("uri", &mut self.uri),
            ("response", &mut self.response),
            ("algorithm", &mut self.algorithm),
            ("qop", &mut self.qop),
            ("nc", &mut self.nc),
            ("cnonce", &mut self.cnonce),
        ];
        slots.into_iter().find(|(known, _)| name.eq_ignore_ascii_case(known)).map(|(_, slot)| slot)
    }
}

/// The next `name=value` of `rest` (which it advances past it and its comma), or `None` at the
/// end. The name as written (trimmed); a quoted value unquoted, borrowed when it has no escapes.
fn next_param<'a>(rest: &mut &'a str) -> Option<(&'a str, Cow<'a, str>)> {
    if rest.is_empty() {
        return None;
    }
    let eq = rest.find('=')?;
    let name = rest[..eq].trim().trim_start_matches(',').trim();
    let after = rest[eq + 1..].trim_start();
    let (value, remaining) = if let Some(quoted) = after.strip_prefix('"') {
        match quoted.find(['"', '\\']) {
            // No escape before the closing quote (or no closing quote: the value runs to the end).
            Some(at) if quoted.as_bytes()[at] == b'"' => {
                (Cow::Borrowed(&quoted[..at]), &quoted[at + 1..])
            }
            None => (Cow::Borrowed(quoted), ""),
            Some(_) => {
                let mut out = String::new();
                let mut chars = quoted.char_indices();
                let mut end = quoted.len();
                while let Some((i, c)) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some((_, escaped)) = chars.next() {
                                out.push(escaped);
                            }
                        }
                        '"' => {
                            end = i + 1;
                            break;
                        }
                        c => out.push(c),
                    }
                }
                (Cow::Owned(out), quoted.get(end..).unwrap_or_default())
            }
        }
    } else {
        let end = after.find(',').unwrap_or(after.len());
        (Cow::Borrowed(after[..end].trim()), &after[end..])
    };
    *rest = remaining.trim_start().trim_start_matches(',').trim_start();
    Some((name, value))
}

fn decode_basic(encoded: &str) -> Option<(String, String)> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (user, pass) = text.split_once(':')?;
    Some((user.to_owned(), pass.to_owned()))
}

/// Lower-case hex. Written digit by digit: a `format!` per byte was the most visible piece of
/// Digest in a profile of the relay under load (every nonce check and response hashes).
pub(super) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

/// Compares without an early exit, so the time taken says nothing of where a guess went wrong.
pub fn equal_in_constant_time(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// [`equal_in_constant_time`] for lower-case hex `expected` against a client's hex in either
/// case (RFC 7616 does not say which), without a lower-cased copy of it.
fn equal_hex_in_constant_time(expected: &[u8], given: &[u8]) -> bool {
    expected.len() == given.len()
        && expected.iter().zip(given).fold(0u8, |acc, (x, y)| acc | (x ^ y.to_ascii_lowercase()))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials() -> CpeCredentials {
        let mut per_device = HashMap::new();
        per_device.insert(
            "00085D-6867i-00085D1A2B3C".to_owned(),
            Credential { username: "phone1".into(), password: "own-secret".into() },
        );
        CpeCredentials {
            default: Some(Credential { username: "acs".into(), password: "fleet".into() }),
            per_device,
            basic_allowed: false,
            nonce_key: [7; 32],
            nonce_counts: NonceCounts::default(),
        }
    }

    /// What a client answers to a new challenge (as the tests' CPE simulator does).
    fn digest(credentials: &CpeCredentials, user: &str, password: &str, now: u64) -> String {
        answer_to(&credentials.nonce(now), user, password, Some("00000001"))
    }

    /// The answer to `nonce` with the nonce count `nc` (`None`: without qop, RFC 2069).
    fn answer_to(nonce: &str, user: &str, password: &str, nc: Option<&str>) -> String {
        let answer = DigestAnswer {
            realm: REALM,
            nonce,
            uri: "/acs",
            qop: nc.map(|_| "auth"),
            nc: nc.unwrap_or_default(),
            cnonce: "c0ffee",
        };
        let response = answer.response(DigestHash::Md5, "POST", user, password);
        let response = response.as_str();
        let counted = match nc {
            Some(nc) => format!(", qop=auth, nc={nc}, cnonce=\"c0ffee\""),
            None => String::new(),
        };
        format!(
            "Digest username=\"{user}\", realm=\"{REALM}\", nonce=\"{nonce}\", uri=\"/acs\"{counted}, response=\"{response}\""
        )
    }

    #[test]
    fn digest_responses_match_rfc_2617s_example() {
        let answer = DigestAnswer {
            realm: "testrealm@host.com",
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
            uri: "/dir/index.html",
            qop: Some("auth"),
            nc: "00000001",
            cnonce: "0a4f113b",
        };
        assert_eq!(
            answer.response(DigestHash::Md5, "GET", "Mufasa", "Circle Of Life").as_str(),
            "6629fae49393a05397450978507c4ef1"
        );
        assert_eq!(super::hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }

    #[test]
    fn a_device_with_its_own_credential_is_admitted_only_with_it() {
        let c = credentials();
        let phone = Speaker::Device { id: "00085D-6867i-00085D1A2B3C", serial: "00085D1A2B3C" };
        let other = Speaker::Device { id: "00085D-6867i-00085D999999", serial: "00085D999999" };
        // Each answer to a new challenge: one answer serves once.
        let own = || digest(&c, "phone1", "own-secret", 1000);
        let fleet = || digest(&c, "acs", "fleet", 1000);
        assert_eq!(
            c.verify("POST", "/acs", Some(&own()), phone, 1001),
            Ok(Identity::Device("00085D-6867i-00085D1A2B3C".into()))
        );
        assert!(
            matches!(
                c.verify("POST", "/acs", Some(&fleet()), phone, 1001),
                Err(Refusal::Failed(_))
            ),
            "the default cannot speak for it"
        );
        assert_eq!(c.verify("POST", "/acs", Some(&fleet()), other, 1001), Ok(Identity::Default));
        assert!(
            matches!(c.verify("POST", "/acs", Some(&own()), other, 1001), Err(Refusal::Failed(_))),
            "nor one device for another"
        );
        assert_eq!(c.verify("POST", "/acs", None, phone, 1001), Err(Refusal::Challenge));
        assert_eq!(
            c.verify("POST", "/acs", Some(&fleet()), Speaker::Anyone, 1001),
            Ok(Identity::Default)
        );
        let wrong = digest(&c, "acs", "guess", 1000);
        let Err(Refusal::Failed(why)) = c.verify("POST", "/acs", Some(&wrong), other, 1001) else {
            panic!()
        };
        assert!(!why.contains("guess") && !why.contains("fleet"), "no password in {why}");
    }

    #[test]
    fn a_known_speaker_costs_one_check_however_many_devices_are_listed() {
        let mut c = credentials();
        // A fleet that shares a user name, each phone with its own password.
        for n in 0..10_000 {
            c.per_device.insert(
                format!("00085D-6867i-{n:012}"),
                Credential { username: "phone".into(), password: format!("secret-{n}") },
            );
        }
        let count = |speaker| c.candidates(speaker).map(Iterator::count).unwrap_or(0);
        let listed = Speaker::Device { id: "00085D-6867i-000000004711", serial: "000000004711" };
        assert_eq!(count(listed), 1);
        let unlisted = Speaker::Device { id: "00085D-6867i-00085D999999", serial: "00085D999999" };
        assert_eq!(count(unlisted), 1, "the default");
        assert_eq!(count(Speaker::Unknown), 1, "the default");
        assert_eq!(count(Speaker::Anyone), 10_002);
        // A POST that continues no session is checked against the default alone: a device's
        // own credential does not pass there.
        let own = digest(&c, "phone", "secret-4711", 1000);
        assert!(matches!(
            c.verify("POST", "/acs", Some(&own), Speaker::Unknown, 1001),
            Err(Refusal::Failed(_))
        ));
        let own = digest(&c, "phone", "secret-4711", 1000);
        assert_eq!(
            c.verify("POST", "/acs", Some(&own), listed, 1001),
            Ok(Identity::Device("00085D-6867i-000000004711".into()))
        );
        let fleet = digest(&c, "acs", "fleet", 1000);
        assert_eq!(
            c.verify("POST", "/acs", Some(&fleet), Speaker::Unknown, 1001),
            Ok(Identity::Default)
        );
    }

    #[test]
    fn a_session_continues_only_with_its_devices_credential() {
        let c = credentials();
        let (phone, phone_serial) = ("00085D-6867i-00085D1A2B3C", "00085D1A2B3C");
        let (other, other_serial) = ("00085D-6867i-00085D999999", "00085D999999");
        let own = Identity::Device(phone.to_owned());
        assert!(c.speaks_for(&own, phone, phone_serial));
        assert!(!c.speaks_for(&own, other, other_serial), "one device's for another's session");
        assert!(!c.speaks_for(&Identity::Default, phone, phone_serial), "the default for it");
        assert!(c.speaks_for(&Identity::Default, other, other_serial));
        assert!(c.speaks_for(&Identity::Open, phone, phone_serial));
        // Listed by serial number alone, it is the same device.
        let mut by_serial = credentials();
        let listed = by_serial.per_device.remove(phone).unwrap();
        by_serial.per_device.insert(phone_serial.to_owned(), listed);
        assert!(by_serial.speaks_for(&Identity::Device(phone_serial.into()), phone, phone_serial));
        assert!(!by_serial.speaks_for(&Identity::Default, phone, phone_serial));
    }

    #[test]
    fn a_replayed_answer_is_refused_and_counts_must_grow() {
        let c = credentials();
        let nonce = c.nonce(1000);
        let first = answer_to(&nonce, "acs", "fleet", Some("00000001"));
        assert_eq!(
            c.verify("POST", "/acs", Some(&first), Speaker::Anyone, 1001),
            Ok(Identity::Default)
        );
        let Err(Refusal::Failed(why)) =
            c.verify("POST", "/acs", Some(&first), Speaker::Anyone, 1002)
        else {
            panic!("the same header twice was admitted")
        };
        assert!(why.contains("replayed"), "{why}");
        let next = answer_to(&nonce, "acs", "fleet", Some("00000002"));
        assert_eq!(
            c.verify("POST", "/acs", Some(&next), Speaker::Anyone, 1003),
            Ok(Identity::Default)
        );
        let back = answer_to(&nonce, "acs", "fleet", Some("00000001"));
        assert!(matches!(
            c.verify("POST", "/acs", Some(&back), Speaker::Anyone, 1004),
            Err(Refusal::Failed(_))
        ));
        // A wrong answer uses up no count: the client's next one still counts.
        let guess = answer_to(&nonce, "acs", "guess", Some("00000009"));
        assert!(matches!(
            c.verify("POST", "/acs", Some(&guess), Speaker::Anyone, 1005),
            Err(Refusal::Failed(_))
        ));
        let third = answer_to(&nonce, "acs", "fleet", Some("00000003"));
        assert_eq!(
            c.verify("POST", "/acs", Some(&third), Speaker::Anyone, 1006),
            Ok(Identity::Default)
        );
        // Without qop a nonce serves once; again, the client is told to take a new one.
        let plain = answer_to(&c.nonce(1000), "acs", "fleet", None);
        assert_eq!(
            c.verify("POST", "/acs", Some(&plain), Speaker::Anyone, 1001),
            Ok(Identity::Default)
        );
        assert_eq!(
            c.verify("POST", "/acs", Some(&plain), Speaker::Anyone, 1002),
            Err(Refusal::Stale)
        );
    }

    #[test]
    fn nonce_counts_stay_within_their_limit_and_forgotten_nonces_are_stale() {
        let c = credentials();
        let oldest = c.nonce(1000);
        let first = answer_to(&oldest, "acs", "fleet", Some("00000001"));
        assert_eq!(
            c.verify("POST", "/acs", Some(&first), Speaker::Anyone, 1000),
            Ok(Identity::Default)
        );
        for _ in 0..MAX_TRACKED_NONCES {
            let (_, serial) = c.issued(&c.nonce(1000)).unwrap();
            assert_eq!(c.nonce_counts.record(serial, 1), Count::Fresh);
        }
        let tracked: usize =
            c.nonce_counts.shards.iter().map(|shard| shard.lock().unwrap().last_count.len()).sum();
        assert!(tracked <= MAX_TRACKED_NONCES, "{tracked}");
        let later = answer_to(&oldest, "acs", "fleet", Some("00000002"));
        assert_eq!(
            c.verify("POST", "/acs", Some(&later), Speaker::Anyone, 1001),
            Err(Refusal::Stale)
        );
        // A new nonce is counted as before.
        let fresh = digest(&c, "acs", "fleet", 1000);
        assert_eq!(
            c.verify("POST", "/acs", Some(&fresh), Speaker::Anyone, 1001),
            Ok(Identity::Default)
        );
    }

    #[test]
    fn nonces_expire_and_cannot_be_forged() {
        let c = credentials();
        let old = digest(&c, "acs", "fleet", 1000);
        assert_eq!(
            c.verify("POST", "/acs", Some(&old), Speaker::Anyone, 1000 + NONCE_LIFETIME_SECS + 1),
            Err(Refusal::Stale)
        );
        let nonce = nonce_of(&old);
        let forged = old.replace(&nonce, &format!("{:x}-0.{}", 5000, "00".repeat(32)));
        assert!(matches!(
            c.verify("POST", "/acs", Some(&forged), Speaker::Anyone, 5000),
            Err(Refusal::Failed(_))
        ));
        assert!(c.challenges(1000, true)[0].contains("stale=true"));
    }

    #[test]
    fn basic_only_where_allowed() {
        let mut c = credentials();
        let basic = "Basic YWNzOmZsZWV0"; // acs:fleet
        assert!(matches!(
            c.verify("POST", "/acs", Some(basic), Speaker::Anyone, 1),
            Err(Refusal::Failed(_))
        ));
        assert_eq!(c.challenges(1, false).len(), 1);
        c.basic_allowed = true;
        assert_eq!(
            c.verify("POST", "/acs", Some(basic), Speaker::Anyone, 1),
            Ok(Identity::Default)
        );
        assert!(c.challenges(1, false)[1].starts_with("Basic"));
    }

    /// The nonce of a Digest header, as the verifier reads it.
    fn nonce_of(header: &str) -> String {
        DigestParams::parse(header.trim_start_matches("Digest ")).nonce.unwrap().into_owned()
    }

    #[test]
    fn digest_parameters_parse_with_quotes_and_commas() {
        let params = DigestParams::parse(
            r#"username="a\"b", Realm="x, y", nc=00000001 ,QOP=auth, other="z", cnonce="c\\d""#,
        );
        assert_eq!(params.username.as_deref(), Some("a\"b"));
        assert_eq!(params.realm.as_deref(), Some("x, y"));
        assert_eq!(params.nc.as_deref(), Some("00000001"));
        assert_eq!(params.qop.as_deref(), Some("auth"));
        assert_eq!(params.cnonce.as_deref(), Some("c\\d"));
        assert!(matches!(params.realm, Some(Cow::Borrowed(_))), "no escape, no copy");
        assert!(matches!(params.username, Some(Cow::Owned(_))), "escapes undone in a copy");
        let none = DigestParams::parse("garbage");
        assert!(none.username.is_none() && none.nonce.is_none() && none.response.is_none());
        assert_eq!(
            DigestParams::parse("nonce=\"unterminated").nonce.as_deref(),
            Some("unterminated")
        );
        assert_eq!(DigestParams::parse("uri=\"a\\").uri.as_deref(), Some("a"));
        // The last of a repeated parameter counts.
        assert_eq!(DigestParams::parse("nc=1, nc=2").nc.as_deref(), Some("2"));
    }

    #[test]
    fn a_response_in_upper_case_hex_is_accepted_and_a_wrong_one_is_not() {
        let c = credentials();
        let nonce = c.nonce(1000);
        let answer = answer_to(&nonce, "acs", "fleet", Some("00000001"));
        let response = answer.rsplit_once("response=\"").unwrap().1.trim_end_matches('"');
        let upper = answer.replace(response, &response.to_ascii_uppercase());
        assert_eq!(
            c.verify("POST", "/acs", Some(&upper), Speaker::Anyone, 1001),
            Ok(Identity::Default)
        );
        let mut flipped = response.to_owned().into_bytes();
        flipped[0] = if flipped[0] == b'0' { b'1' } else { b'0' };
        let wrong = answer.replace(response, std::str::from_utf8(&flipped).unwrap());
        let Err(Refusal::Failed(why)) =
            c.verify("POST", "/acs", Some(&wrong), Speaker::Anyone, 1002)
        else {
            panic!("a wrong response was admitted")
        };
        assert!(why.contains("wrong username or password"), "{why}");
    }
}
