//! Load on the ACS endpoint of the real `cwmpkit serve` binary (`cargo xtask bench -- acs_load`).
//!
//! 1,000 concurrent CPEs from this process (tokio, raw HTTP/1.1 over loopback, each CPE from an
//! address of its own in 127.0.0.0/8) run full sessions: Inform → InformResponse, empty POST →
//! the GetParameterValues the API queued → its response → 204, on one kept-alive connection per
//! session, with and without Digest authentication (with it, each session starts with the 401
//! challenge, as CPEs that open a new connection per session do). Rounds of one session per CPE,
//! after one that makes the devices known:
//!
//! - at once: all 1,000 start together (sessions/s, and the latency of such a burst);
//! - over a second: each starts at its own offset in the second (1,000 sessions/s offered; the
//!   latency a fleet informing at a steady rate sees).
//!
//! The baseline, in the same run, loaded the same way in rounds interleaved with the relay's:
//! this binary started again as a bare axum server (`ACS_LOAD_BASELINE`) that answers the same exchanges with fixed replies and no CWMP
//! logic (an Inform gets an InformResponse, an empty POST a GetParameterValues, anything else
//! 204; with Digest, a request without `Authorization` gets a fixed 401).
//!
//! Then bursts against the listen backlog (128, what the relay had before `--acs-backlog`, and
//! 1,024), the relay's RSS with 10,000 devices known (as it starts by default, and without the
//! devices' history), and 20 GenieACS simulator processes (a real
//! third-party CPE; `cargo xtask setup` installs it): their start-up sessions against the relay
//! and the baseline, and connection-request rounds that each run a queued GetParameterValues.
//!
//! Arguments (after `--`) filter the parts by name: `plain`, `digest`, `backlog`, `rss`,
//! `genieacs_sim`. `ACS_LOAD_RELAY=PATH` loads that `cwmpkit` binary instead of the one built
//! with the bench (a build kept from before a change, run alternately with the new one).
//! `ACS_LOAD_DATA_DIR=1` starts every relay with `--data-dir` (a fresh folder each time): the
//! durable configuration, each acknowledged change on disk before the CPE or the API hears so.

#[path = "../tests/common/mod.rs"]
mod common;

use common::api::{self, EventLog, Task};
use common::cpe::{field, md5_hex};
use common::genieacs_sim::{Simulators, device_id};
use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CPES: usize = 1_000;
/// Rounds of one session per CPE, started at once, and spread over a second.
const BURSTS: usize = 10;
const SPREAD_ROUNDS: usize = 3;
const DEVICES_FOR_RSS: usize = 10_000;
const SIMULATORS: u32 = 20;
const SIMULATOR_ROUNDS: usize = 5;
const BASELINE_ENV: &str = "ACS_LOAD_BASELINE";
/// Another `cwmpkit` binary to load instead of the one built with the bench.
const RELAY_ENV: &str = "ACS_LOAD_RELAY";
/// Set: the relays keep their state on disk (`--data-dir`).
const DATA_DIR_ENV: &str = "ACS_LOAD_DATA_DIR";
const CPE_USER: &str = "fleet";
const CPE_PASSWORD: &str = "fleet-secret";
/// The parameter the queued GetParameterValues asks for.
const ASKED: &str = "InternetGatewayDevice.DeviceInfo.SoftwareVersion";

fn main() {
    if let Ok(mode) = std::env::var(BASELINE_ENV) {
        baseline::serve(&mode);
        return;
    }
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let wanted = |part: &str| {
        filters.is_empty() || filters.iter().any(|f| part.contains(f.as_str()) || f == "acs_load")
    };
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let messages = Arc::new(Messages::load());
    for (part, digest) in [("plain", false), ("digest", true)] {
        if wanted(part) {
            compare(&runtime, &messages, part, digest);
        }
    }
    if wanted("backlog") {
        backlogs(&runtime, &messages);
    }
    if wanted("rss") {
        rss_with_devices(&runtime, &messages);
    }
    if wanted("genieacs_sim") {
        genieacs_simulators();
    }
}

/// What the CPEs send: a real Inform (a ZyXEL's, from the corpus) with a serial number of each
/// CPE's own, and a real GetParameterValuesResponse.
struct Messages {
    inform: String,
    response: String,
}

impl Messages {
    fn load() -> Messages {
        let text = |path| String::from_utf8(common::corpus(path)).unwrap();
        Messages {
            inform: text("soap/cwmp_ex/inform-2601.xml"),
            response: text("soap/freeacs/GetParameterValuesResponse.xml"),
        }
    }

    fn inform(&self, serial: &str) -> Vec<u8> {
        self.inform
            .replace(
                "<SerialNumber>EC43F69AF408</SerialNumber>",
                &format!("<SerialNumber>{serial}</SerialNumber>"),
            )
            .into_bytes()
    }

    fn response(&self, id: &str) -> Vec<u8> {
        self.response.replace("FREEACS-0", id).into_bytes()
    }
}

fn serial(index: usize) -> String {
    format!("LOAD{index:08}")
}

/// The ID the relay gives a load CPE (`OUI-ProductClass-Serial` of the corpus Inform).
fn load_device(index: usize) -> String {
    format!("EC43F6-P-2601HN-F1-{}", serial(index))
}

/// CPE `index`'s own source address: 127.0.0.2 upwards, so that no two CPEs share one and
/// their connections do not compete for one range of ports.
fn source_address(index: usize) -> Ipv4Addr {
    let n = u32::try_from(index).unwrap() + 2;
    Ipv4Addr::new(127, (n >> 16) as u8, (n >> 8) as u8, n as u8)
}

/// The relay, or the baseline server, as a process of its own.
struct Target {
    acs: SocketAddr,
    process: Process,
}

enum Process {
    Relay(common::Server),
    /// The baseline and what it prints.
    Baseline(Child, BufReader<ChildStdout>),
}

impl Target {
    /// `cwmpkit serve --quiet` with `extra` flags: the binary built with this bench, or the one
    /// `ACS_LOAD_RELAY` names (another build, to measure two builds under the same load).
    fn relay(extra: &[&str]) -> Target {
        let dist = common::fake_dist("acs-load");
        let data = std::env::var_os(DATA_DIR_ENV).map(|_| common::scratch("acs-load-data"));
        let data_dir = data.iter().flat_map(|dir| [OsStr::new("--data-dir"), dir.as_os_str()]);
        let args = [OsStr::new("--dist"), dist.as_os_str(), OsStr::new("--quiet")];
        let args = args.into_iter().chain(data_dir).chain(extra.iter().map(OsStr::new));
        let server = match std::env::var_os(RELAY_ENV) {
            Some(binary) => common::serve_binary(&binary, args),
            None => common::serve(args),
        };
        Target { acs: server.acs.parse().unwrap(), process: Process::Relay(server) }
    }

    fn baseline(mode: &str) -> Target {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env(BASELINE_ENV, mode)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut output = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        output.read_line(&mut line).unwrap();
        let acs = line.trim().strip_prefix("baseline listening on ").unwrap().parse().unwrap();
        Target { acs, process: Process::Baseline(child, output) }
    }

    fn server(&self) -> &common::Server {
        match &self.process {
            Process::Relay(server) => server,
            Process::Baseline(..) => unreachable!("the baseline has no API"),
        }
    }

    /// Resident and peak resident memory, in MiB.
    fn memory(&self) -> (f64, f64) {
        let pid = match &self.process {
            Process::Relay(server) => server.child.id(),
            Process::Baseline(child, _) => child.id(),
        };
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let kib = |name: &str| -> f64 {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(f64::NAN)
        };
        (kib("VmRSS:") / 1024.0, kib("VmHWM:") / 1024.0)
    }

    /// Waits until the baseline (in `simulator` mode) has printed `count` session ends.
    fn baseline_sessions_ended(&mut self, count: usize) {
        let Process::Baseline(_, output) = &mut self.process else { unreachable!() };
        let mut line = String::new();
        for _ in 0..count {
            line.clear();
            output.read_line(&mut line).unwrap();
            assert_eq!(line.trim(), "session ended");
        }
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Process::Baseline(child, _) = &mut self.process {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// How one load went.
struct Outcome {
    sessions: usize,
    failed: usize,
    first_failure: Option<String>,
    elapsed: Duration,
    latencies: Vec<Duration>,
    /// The sessions/s of the fastest round added.
    best_per_second: f64,
}

impl Outcome {
    fn empty() -> Outcome {
        Outcome {
            sessions: 0,
            failed: 0,
            first_failure: None,
            elapsed: Duration::ZERO,
            latencies: Vec::new(),
            best_per_second: 0.0,
        }
    }

    /// Adds a later round's figures.
    fn add(&mut self, round: Outcome) {
        self.best_per_second = self.best_per_second.max(round.per_second());
        self.sessions += round.sessions;
        self.failed += round.failed;
        if self.first_failure.is_none() {
            self.first_failure = round.first_failure;
        }
        self.elapsed += round.elapsed;
        self.latencies.extend(round.latencies);
        self.latencies.sort();
    }

    fn per_second(&self) -> f64 {
        self.sessions as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, percent: usize) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let index = (self.latencies.len() * percent / 100).min(self.latencies.len() - 1);
        self.latencies[index].as_secs_f64() * 1000.0
    }

    fn describe(&self) -> String {
        let failures = match &self.first_failure {
            Some(first) => format!(", {} FAILED (first: {first})", self.failed),
            None => String::new(),
        };
        format!(
            "{} sessions in {:.2} s: {:.0} sessions/s, p50 {:.1} ms, p99 {:.1} ms{failures}",
            self.sessions,
            self.elapsed.as_secs_f64(),
            self.per_second(),
            self.percentile(50),
            self.percentile(99)
        )
    }
}

/// When the CPEs of a round start their session.
#[derive(Clone, Copy)]
enum Start {
    /// All at once: a burst of concurrent sessions, as after a power cut or a firmware push.
    AtOnce,
    /// Each at its own offset in one second: a fleet informing at a steady rate.
    SpreadOverASecond,
}

/// One round: CPEs `first..first + cpes` each run one session on `acs`.
#[derive(Clone, Copy)]
struct Load {
    acs: SocketAddr,
    first: usize,
    cpes: usize,
    start: Start,
    /// The target must send a GetParameterValues after the Inform.
    queued: bool,
    digest: bool,
}

fn load(runtime: &tokio::runtime::Runtime, messages: &Arc<Messages>, load: Load) -> Outcome {
    let Load { acs, first, cpes, start: when, queued, digest } = load;
    runtime.block_on(async {
        let start = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for index in first..first + cpes {
            let messages = Arc::clone(messages);
            let offset = match when {
                Start::AtOnce => Duration::ZERO,
                Start::SpreadOverASecond => {
                    Duration::from_secs(1) * u32::try_from(index - first).unwrap()
                        / u32::try_from(cpes).unwrap()
                }
            };
            tasks.spawn(async move {
                tokio::time::sleep_until((start + offset).into()).await;
                session(&messages, acs, index, queued, digest).await
            });
        }
        let mut outcome = Outcome::empty();
        while let Some(result) = tasks.join_next().await {
            match result.unwrap() {
                Ok(latency) => {
                    outcome.sessions += 1;
                    outcome.latencies.push(latency);
                }
                Err(error) => {
                    outcome.failed += 1;
                    outcome.first_failure.get_or_insert(error);
                }
            }
        }
        outcome.elapsed = start.elapsed();
        outcome.latencies.sort();
        outcome
    })
}

/// One CWMP session of CPE `index`, on one connection; its duration from connect to the 204.
async fn session(
    messages: &Messages,
    acs: SocketAddr,
    index: usize,
    queued: bool,
    digest: bool,
) -> Result<Duration, String> {
    let start = Instant::now();
    let socket = tokio::net::TcpSocket::new_v4().map_err(|e| e.to_string())?;
    socket.bind(SocketAddr::new(source_address(index).into(), 0)).map_err(|e| e.to_string())?;
    let stream = socket.connect(acs).await.map_err(|e| format!("connect: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut connection = Connection { stream, buffer: Vec::new(), host: acs.to_string() };
    let inform = messages.inform(&serial(index));
    let mut reply = connection.post("", &inform).await?;
    let mut auth = None;
    if digest {
        if reply.status != 401 {
            return Err(format!("an Inform without credentials got {}", reply.status));
        }
        let challenge = reply
            .headers("www-authenticate")
            .find(|h| h.starts_with("Digest"))
            .ok_or("a 401 without a Digest challenge")?
            .to_owned();
        auth = Some(Digest {
            realm: field(&challenge, "realm").unwrap_or_default(),
            nonce: field(&challenge, "nonce").unwrap_or_default(),
            count: 0,
        });
        let authorization = auth.as_mut().map(Digest::authorization).unwrap_or_default();
        reply = connection.post(&authorization, &inform).await?;
    }
    if reply.status != 200 || !reply.body_contains(b"InformResponse") {
        return Err(format!("the Inform got {}: {}", reply.status, reply.text()));
    }
    let cookie = reply
        .headers("set-cookie")
        .next()
        .and_then(|c| c.split(';').next())
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    let headers = |auth: &mut Option<Digest>| {
        format!("{cookie}{}", auth.as_mut().map(Digest::authorization).unwrap_or_default())
    };
    reply = connection.post(&headers(&mut auth), b"").await?;
    let asked = reply.status == 200 && reply.body_contains(b"GetParameterValues");
    if queued && !asked {
        return Err(format!("the empty POST got {}: {}", reply.status, reply.text()));
    }
    // Unasked for (the baseline while devices become known): answered all the same.
    if asked {
        let text = reply.text();
        let id = text
            .split_once("<cwmp:ID")
            .and_then(|(_, rest)| rest.split_once('>'))
            .and_then(|(_, rest)| rest.split_once('<'))
            .map(|(id, _)| id.to_owned())
            .ok_or_else(|| format!("no cwmp:ID in {text}"))?;
        reply = connection.post(&headers(&mut auth), &messages.response(&id)).await?;
    }
    if reply.status != 204 {
        return Err(format!("the session did not end with 204: {} {}", reply.status, reply.text()));
    }
    Ok(start.elapsed())
}

/// A Digest challenge being answered, `nc` counting up.
struct Digest {
    realm: String,
    nonce: String,
    count: u32,
}

impl Digest {
    fn authorization(&mut self) -> String {
        self.count += 1;
        let nc = format!("{:08x}", self.count);
        let cnonce = format!("c{:x}", self.count);
        let ha1 = md5_hex(&format!("{CPE_USER}:{}:{CPE_PASSWORD}", self.realm));
        let ha2 = md5_hex("POST:/acs");
        let response = md5_hex(&format!("{ha1}:{}:{nc}:{cnonce}:auth:{ha2}", self.nonce));
        format!(
            "Authorization: Digest username=\"{CPE_USER}\", realm=\"{}\", nonce=\"{}\", uri=\"/acs\", response=\"{response}\", algorithm=MD5, qop=auth, nc={nc}, cnonce=\"{cnonce}\"\r\n",
            self.realm, self.nonce
        )
    }
}

/// One kept-alive HTTP/1.1 connection to the ACS.
struct Connection {
    stream: tokio::net::TcpStream,
    buffer: Vec<u8>,
    host: String,
}

struct Reply {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Reply {
    fn headers<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.head
            .lines()
            .filter_map(|l| l.split_once(':'))
            .filter(move |(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    }

    fn body_contains(&self, needle: &[u8]) -> bool {
        self.body.windows(needle.len()).any(|w| w == needle)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Connection {
    async fn post(&mut self, headers: &str, body: &[u8]) -> Result<Reply, String> {
        let mut request = format!(
            "POST /acs HTTP/1.1\r\nHost: {}\r\nContent-Type: text/xml; charset=utf-8\r\n{headers}Content-Length: {}\r\n\r\n",
            self.host,
            body.len()
        )
        .into_bytes();
        request.extend_from_slice(body);
        self.stream.write_all(&request).await.map_err(|e| format!("send: {e}"))?;
        let head_end = loop {
            if let Some(at) = self.buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            self.fill().await?;
        };
        let head = String::from_utf8_lossy(&self.buffer[..head_end]).into_owned();
        let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let mut reply = Reply { status, head, body: Vec::new() };
        if reply.headers("transfer-encoding").next().is_some() {
            return Err("a chunked reply: this client reads Content-Length only".to_owned());
        }
        let length: usize =
            reply.headers("content-length").next().and_then(|v| v.parse().ok()).unwrap_or(0);
        while self.buffer.len() < head_end + length {
            self.fill().await?;
        }
        reply.body = self.buffer[head_end..head_end + length].to_vec();
        self.buffer.drain(..head_end + length);
        Ok(reply)
    }

    async fn fill(&mut self) -> Result<(), String> {
        let mut chunk = [0u8; 16 * 1024];
        match self.stream.read(&mut chunk).await {
            Ok(0) => Err("the server closed the connection".to_owned()),
            Ok(read) => {
                self.buffer.extend_from_slice(&chunk[..read]);
                Ok(())
            }
            Err(error) => Err(format!("receive: {error}")),
        }
    }
}

/// Queues one GetParameterValues for each load device, from 4 threads.
fn queue_gpvs(server: &common::Server, devices: usize) -> Duration {
    let start = Instant::now();
    let task = Task::GetParameterValues { names: vec![ASKED.to_owned()] };
    std::thread::scope(|scope| {
        for thread in 0..4 {
            let task = &task;
            scope.spawn(move || {
                for index in (thread..devices).step_by(4) {
                    api::queue(server, &load_device(index), task);
                }
            });
        }
    });
    start.elapsed()
}

/// Makes the load CPEs' devices known to `target` (the API queues only for those): one session
/// each, all at once, not measured.
fn make_known(
    runtime: &tokio::runtime::Runtime,
    messages: &Arc<Messages>,
    target: &Target,
    digest: bool,
) {
    let spec =
        Load { acs: target.acs, first: 0, cpes: CPES, start: Start::AtOnce, queued: false, digest };
    let warm = load(runtime, messages, spec);
    assert_eq!(warm.failed, 0, "{}", warm.describe());
}

/// `count` rounds of one session per load CPE on each of `targets`, interleaved (round 1 on
/// each target, then round 2, …) so that each sees the same load from the rest of the machine.
/// A GetParameterValues per device is queued through the API before each round on the relay
/// (which sends in one session all that are queued); the queueing is not timed.
fn rounds(
    runtime: &tokio::runtime::Runtime,
    messages: &Arc<Messages>,
    targets: &[&Target],
    digest: bool,
    start: Start,
    count: usize,
) -> Vec<Outcome> {
    let mut totals: Vec<Outcome> = targets.iter().map(|_| Outcome::empty()).collect();
    for _ in 0..count {
        for (target, total) in targets.iter().zip(&mut totals) {
            if let Process::Relay(server) = &target.process {
                queue_gpvs(server, CPES);
            }
            let spec = Load { acs: target.acs, first: 0, cpes: CPES, start, queued: true, digest };
            total.add(load(runtime, messages, spec));
        }
    }
    totals
}

/// The relay against the baseline, in bursts and spread, plain or with Digest.
fn compare(runtime: &tokio::runtime::Runtime, messages: &Arc<Messages>, part: &str, digest: bool) {
    let baseline = Target::baseline(if digest { "digest" } else { "plain" });
    let credentials = ["--cpe-username", CPE_USER, "--cpe-password", CPE_PASSWORD];
    let relay = Target::relay(if digest { &credentials[..] } else { &[] });
    let targets = [&baseline, &relay];
    for target in targets {
        make_known(runtime, messages, target, digest);
    }
    let bursts = rounds(runtime, messages, &targets, digest, Start::AtOnce, BURSTS);
    let spread =
        rounds(runtime, messages, &targets, digest, Start::SpreadOverASecond, SPREAD_ROUNDS);
    for ((target, burst), spread) in targets.iter().zip(&bursts).zip(&spread) {
        let (rss, peak) = target.memory();
        let name = match target.process {
            Process::Relay(_) => "relay",
            Process::Baseline(..) => "baseline",
        };
        println!(
            "acs_load {part} {name}, {CPES} CPEs at once: {} (best round {:.0}/s)",
            burst.describe(),
            burst.best_per_second
        );
        println!("acs_load {part} {name}, {CPES} CPEs over a second: {}", spread.describe());
        println!("acs_load {part} {name}: RSS {rss:.1} MiB, peak {peak:.1} MiB");
    }
    println!(
        "acs_load {part}: relay/baseline sessions/s, {CPES} at once: {:.2} (best rounds {:.2}); p99 over a second: relay {:.1} ms, baseline {:.1} ms",
        bursts[1].per_second() / bursts[0].per_second(),
        bursts[1].best_per_second / bursts[0].best_per_second,
        spread[1].percentile(99),
        spread[0].percentile(99)
    );
}

/// A burst of 1,000 connections against the ACS listener's backlog: tokio's 128, which the
/// relay listened with before `--acs-backlog`, and the default 1,024.
fn backlogs(runtime: &tokio::runtime::Runtime, messages: &Arc<Messages>) {
    for backlog in ["128", "1024"] {
        let relay = Target::relay(&["--acs-backlog", backlog]);
        make_known(runtime, messages, &relay, false);
        let burst = rounds(runtime, messages, &[&relay], false, Start::AtOnce, BURSTS);
        println!("acs_load backlog {backlog}, {CPES} CPEs at once: {}", burst[0].describe());
    }
}

/// The relay's memory with 10,000 devices known (one session each, 1,000 at a time): as it
/// starts by default (each device's recent exchanges kept, within `--history-bytes`), and
/// without that history, as before it existed.
fn rss_with_devices(runtime: &tokio::runtime::Runtime, messages: &Arc<Messages>) {
    for (name, flags) in [("default", &[][..]), ("--history-bytes 0", &["--history-bytes", "0"])] {
        rss_with_devices_of(runtime, messages, name, flags);
    }
}

fn rss_with_devices_of(
    runtime: &tokio::runtime::Runtime,
    messages: &Arc<Messages>,
    name: &str,
    flags: &[&str],
) {
    let relay = Target::relay(flags);
    let (before, _) = relay.memory();
    let mut sessions = 0;
    let mut elapsed = Duration::ZERO;
    for wave in 0..DEVICES_FOR_RSS / CPES {
        let spec = Load {
            acs: relay.acs,
            first: wave * CPES,
            cpes: CPES,
            start: Start::AtOnce,
            queued: false,
            digest: false,
        };
        let outcome = load(runtime, messages, spec);
        assert_eq!(outcome.failed, 0, "{}", outcome.describe());
        sessions += outcome.sessions;
        elapsed += outcome.elapsed;
    }
    let known = api::device_ids(relay.server()).len();
    let (rss, peak) = relay.memory();
    println!(
        "acs_load rss ({name}): {known} devices known after {sessions} Inform sessions ({:.0} sessions/s): relay RSS {rss:.1} MiB (peak {peak:.1}, at start {before:.1})",
        sessions as f64 / elapsed.as_secs_f64()
    );
}

/// 20 GenieACS simulator processes: their first sessions against the baseline and the relay,
/// then rounds of a queued GetParameterValues run by a connection request each.
fn genieacs_simulators() {
    let mut baseline = Target::baseline("simulator");
    let started = Instant::now();
    let simulators = Simulators::start(&format!("http://{}/acs", baseline.acs), 0, SIMULATORS);
    baseline.baseline_sessions_ended(SIMULATORS as usize);
    let baseline_start = started.elapsed();
    drop(simulators);

    // The simulators listen for connection requests on 127.0.0.1.
    let relay = Target::relay(&["--allow-local-cpe"]);
    let server = relay.server();
    let mut events = EventLog::subscribe(server);
    let started = Instant::now();
    let simulators = Simulators::start(&format!("http://{}/acs", relay.acs), 0, SIMULATORS);
    let devices: Vec<String> = (0..SIMULATORS).map(device_id).collect();
    for device in &devices {
        events.sessions_ended(device, 1);
    }
    let relay_start = started.elapsed();
    println!(
        "acs_load genieacs_sim: {SIMULATORS} simulator processes started and through their first session: relay {:.2} s, baseline {:.2} s (relay/baseline {:.2})",
        relay_start.as_secs_f64(),
        baseline_start.as_secs_f64(),
        relay_start.as_secs_f64() / baseline_start.as_secs_f64()
    );

    let task = Task::GetParameterValues { names: vec![ASKED.to_owned()] };
    let mut latencies = Vec::new();
    let started = Instant::now();
    for _ in 0..SIMULATOR_ROUNDS {
        let asked: Vec<(String, String, Instant)> = devices
            .iter()
            .map(|device| {
                let id = api::queue(server, device, &task);
                let sent = Instant::now();
                assert!(api::connection_request(server, device).accepted, "{device}");
                (device.clone(), id, sent)
            })
            .collect();
        for (device, id, sent) in asked {
            let answer = events.completed(&device, &id);
            assert_eq!(answer.response, "GetParameterValuesResponse", "{answer:?}");
            latencies.push(answer.arrived - sent);
        }
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let at = |percent: usize| {
        latencies[(latencies.len() * percent / 100).min(latencies.len() - 1)].as_secs_f64() * 1000.0
    };
    println!(
        "acs_load genieacs_sim: {} connection-request sessions with a queued GetParameterValues in {:.2} s ({:.1} sessions/s); connection request → answer p50 {:.1} ms, p99 {:.1} ms",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        at(50),
        at(99)
    );
    assert!(simulators.deaths().is_empty(), "a simulator died:\n{}", simulators.output());
}

/// The baseline: an axum server with fixed replies, run as a process of its own like the relay.
mod baseline {
    use axum::body::Bytes;
    use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
    use axum::response::{IntoResponse, Response};
    use std::io::Write as _;

    const INFORM_RESPONSE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">100</cwmp:ID></soap-env:Header><soap-env:Body><cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse></soap-env:Body></soap-env:Envelope>"#;
    const GET_PARAMETER_VALUES: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">baseline-1</cwmp:ID></soap-env:Header><soap-env:Body><cwmp:GetParameterValues><ParameterNames soap-enc:arrayType="xsd:string[1]"><string>InternetGatewayDevice.DeviceInfo.SoftwareVersion</string></ParameterNames></cwmp:GetParameterValues></soap-env:Body></soap-env:Envelope>"#;

    #[derive(Clone, Copy)]
    struct Mode {
        challenge: bool,
        /// An empty POST ends the session (the simulators' start-up), and each end is printed.
        simulator: bool,
    }

    pub fn serve(mode: &str) {
        let mode = Mode { challenge: mode == "digest", simulator: mode == "simulator" };
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let socket = tokio::net::TcpSocket::new_v4().unwrap();
            socket.set_reuseaddr(true).unwrap();
            socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
            let listener = socket.listen(1024).unwrap();
            println!("baseline listening on {}", listener.local_addr().unwrap());
            let _ = std::io::stdout().flush();
            let router = axum::Router::new().route(
                "/acs",
                axum::routing::post(move |headers, body| answer(mode, headers, body)),
            );
            axum::serve(listener, router).await.unwrap();
        });
    }

    async fn answer(mode: Mode, headers: HeaderMap, body: Bytes) -> Response {
        if mode.challenge && !headers.contains_key(header::AUTHORIZATION) {
            let mut refused =
                (StatusCode::UNAUTHORIZED, "authentication required\n").into_response();
            refused.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"Digest realm="baseline", nonce="0123456789abcdef", qop="auth", algorithm=MD5"#),
            );
            return refused;
        }
        let xml = [(header::CONTENT_TYPE, "text/xml; charset=utf-8")];
        if body.windows(12).any(|w| w == b"cwmp:Inform>") {
            return (
                StatusCode::OK,
                xml,
                [(header::SET_COOKIE, "baseline=1; Path=/")],
                INFORM_RESPONSE,
            )
                .into_response();
        }
        if body.iter().all(u8::is_ascii_whitespace) && !mode.simulator {
            return (StatusCode::OK, xml, GET_PARAMETER_VALUES).into_response();
        }
        if mode.simulator {
            println!("session ended");
            let _ = std::io::stdout().flush();
        }
        StatusCode::NO_CONTENT.into_response()
    }
}
