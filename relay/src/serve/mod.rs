//! `cwmpkit serve`: the relay. Two listeners:
//!
//! - the app and its API (`--listen`, loopback unless TLS is configured): the built app, `/api`
//!   behind the bearer token, Host and Origin checks (`access`);
//! - the CWMP endpoint for devices (`--acs-listen`): `POST /acs`, and `/files/` and `/uploads/`,
//!   because the devices download and upload there.
//!
//! Modules: `acs_endpoint` (`POST /acs`, the IO around core's ACS), `api` (`/api/devices…`),
//! `access` (token, Host, Origin), `connection_request` (the HTTP GET to a CPE),
//! `events` (the event bus, `/api/events`, the terminal's lines), `files` and `uploads` (what
//! CPEs download and upload), `recordings` (every `/acs` exchange as pcapng under `--data-dir`),
//! `listener` (accept loop, TLS, connection limits), `tls` (loading the certificates), `state`
//! (what the handlers share), `storage` (`--data-dir`'s database).

mod access;
mod acs_endpoint;
mod api;
mod body;
mod connection_request;
mod cpe_auth;
mod events;
mod files;
mod history;
mod listener;
mod owner_only;
mod recordings;
mod state;
mod storage;
mod tls;
mod uploads;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{any, get, post};
use cwmpkit_core::acs::AcsConfig;
use listener::{ConnectionLimits, Listener};
use state::Relay;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tower_http::services::{ServeDir, ServeFile};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Where the app and its API listen. Beyond loopback only with --tls-cert and --tls-key.
    #[arg(long, default_value = "127.0.0.1:8080", help_heading = "Listeners")]
    pub listen: SocketAddr,
    /// Where the CWMP endpoint for devices listens (`/acs`, `/files/`, `/uploads/`). Give a LAN
    /// address (or 0.0.0.0) to let phones reach it.
    #[arg(long, default_value = "127.0.0.1:7547", help_heading = "Listeners")]
    pub acs_listen: SocketAddr,
    /// The ACS URL as devices reach it (shown to you, and the base of the `/files/` and
    /// `/uploads/` URLs the app puts in Download and Upload RPCs). Default: from --acs-listen.
    #[arg(long, help_heading = "Listeners")]
    pub acs_url: Option<String>,
    /// PEM certificate chain for the app's listener (https).
    #[arg(long, requires = "tls_key", help_heading = "Listeners")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, requires = "tls_cert", help_heading = "Listeners")]
    pub tls_key: Option<PathBuf>,
    /// PEM certificate chain for the ACS listener (https for devices).
    #[arg(long, requires = "acs_tls_key", help_heading = "Listeners")]
    pub acs_tls_cert: Option<PathBuf>,
    /// PEM private key for --acs-tls-cert.
    #[arg(long, requires = "acs_tls_cert", help_heading = "Listeners")]
    pub acs_tls_key: Option<PathBuf>,

    /// The API's bearer token. Default: a new random one, printed at start in a URL that opens
    /// the app signed in. Prefer --token-file or the environment: argv shows in `ps`.
    #[arg(long, env = "CWMPKIT_TOKEN", hide_env_values = true, help_heading = "API access")]
    pub token: Option<String>,
    /// A file holding the API token (its first line).
    #[arg(long, help_heading = "API access")]
    pub token_file: Option<PathBuf>,
    /// Another host name the app's listener answers to (e.g. the name in its certificate);
    /// requests naming any other host are refused (DNS rebinding). Repeatable.
    #[arg(long = "api-host", help_heading = "API access")]
    pub api_hosts: Vec<String>,

    /// The built app (Trunk's output).
    #[arg(long, default_value = "dist", help_heading = "Files")]
    pub dist: PathBuf,
    /// Firmware and config files the CPEs may download, served under `/files/`.
    #[arg(long, help_heading = "Files")]
    pub files: Option<PathBuf>,
    /// Where uploads from CPEs (`PUT` or `POST /uploads/NAME`: config backups, logs) are stored.
    #[arg(long, help_heading = "Files")]
    pub uploads: Option<PathBuf>,
    /// Where the relay keeps what outlives it, created if missing: devices, their queued RPCs,
    /// RPC results and the uploads index (which device sent which upload) in an embedded
    /// database (DIR/cwmpkit.redb), so that a restart loses nothing the relay acknowledged;
    /// and every `/acs` exchange recorded as pcapng under DIR/recordings/
    /// (one file per UTC day; secrets left out), listed and downloaded through `/api/recordings`.
    /// Without it, state lives in memory only and nothing is recorded.
    #[arg(long, help_heading = "Storage")]
    pub data_dir: Option<PathBuf>,

    /// Username for connection requests to CPEs (their ConnectionRequestUsername).
    #[arg(long, default_value = "", help_heading = "Connection requests")]
    pub cr_username: String,
    /// Password for connection requests to CPEs (their ConnectionRequestPassword). Prefer
    /// --cr-password-file or the environment: argv shows in `ps`.
    #[arg(
        long,
        env = "CWMPKIT_CR_PASSWORD",
        hide_env_values = true,
        help_heading = "Connection requests"
    )]
    pub cr_password: Option<String>,
    /// A file holding the connection-request password (its first line).
    #[arg(long, help_heading = "Connection requests")]
    pub cr_password_file: Option<PathBuf>,
    /// Answer a CPE that challenges with Basic (the password sent as is). TR-069 wants
    /// Digest; without this flag such a CPE is not sent the password.
    #[arg(long, help_heading = "Connection requests")]
    pub cr_allow_basic: bool,
    /// Send connection requests to loopback and link-local addresses a device reports (a
    /// simulator on this machine). Without it, such a URL is refused.
    #[arg(long, help_heading = "Connection requests")]
    pub allow_local_cpe: bool,
    /// PEM CA certificates to trust for https ConnectionRequestURLs (CPEs' own certificates).
    #[arg(long, help_heading = "Connection requests")]
    pub cr_ca: Option<PathBuf>,
    /// Do not verify the certificate of an https ConnectionRequestURL.
    #[arg(long, conflicts_with = "cr_ca", help_heading = "Connection requests")]
    pub cr_insecure_tls: bool,

    /// The username devices authenticate with (Aastra: `tr69 username`), with --cpe-password.
    #[arg(long, help_heading = "Device authentication")]
    pub cpe_username: Option<String>,
    /// The password devices authenticate with (Aastra: `tr69 password`). Prefer
    /// --cpe-password-file or the environment: argv shows in `ps`.
    #[arg(
        long,
        env = "CWMPKIT_CPE_PASSWORD",
        hide_env_values = true,
        help_heading = "Device authentication"
    )]
    pub cpe_password: Option<String>,
    /// A file holding the devices' default password (its first line).
    #[arg(long, help_heading = "Device authentication")]
    pub cpe_password_file: Option<PathBuf>,
    /// Credentials per device: a CSV file with the columns `device,username,password` (device:
    /// its ID `OUI-ProductClass-Serial`, or its serial number). A listed device is admitted only
    /// with its own credential.
    #[arg(long, help_heading = "Device authentication")]
    pub cpe_credentials: Option<PathBuf>,
    /// Accept Basic authentication from devices over plain HTTP (it sends the password as is;
    /// over TLS it is always accepted). Digest is always accepted.
    #[arg(long, help_heading = "Device authentication")]
    pub cpe_basic_over_http: bool,

    /// Connections open at once, per listener. At the limit the longest-idle connection is
    /// closed to make room; when all are busy, new ones get 503.
    #[arg(long, default_value_t = 1024, help_heading = "Limits")]
    pub max_connections: usize,
    /// Connections to the ACS listener the kernel may hold before the relay accepts them
    /// (listen(2)'s backlog; Linux caps it at net.core.somaxconn). A fleet that connects at
    /// once beyond it has its connections dropped and retried about a second later.
    #[arg(long, default_value_t = 1024, help_heading = "Limits")]
    pub acs_backlog: u32,
    /// Seconds a connection may take to send a request head, including waiting idle between
    /// requests.
    #[arg(long, default_value_t = 30, help_heading = "Limits")]
    pub idle_timeout: u64,
    /// Seconds a request body may pause between two reads.
    #[arg(long, default_value_t = 30, help_heading = "Limits")]
    pub body_timeout: u64,
    /// Bytes of a request head (request line and headers); above it, 431.
    #[arg(long, default_value_t = 16 * 1024, help_heading = "Limits")]
    pub max_header_bytes: usize,
    /// Bytes of a CWMP POST or an API request body; above it, 413.
    #[arg(long, default_value_t = 32 * 1024 * 1024, help_heading = "Limits")]
    pub max_body_bytes: usize,
    /// Bytes of one upload from a CPE; above it, 413.
    #[arg(long, default_value_t = 256 * 1024 * 1024, help_heading = "Limits")]
    pub max_upload_bytes: usize,
    /// Bytes the uploads folder may hold in all (what is there, and the uploads running); an
    /// upload that would pass it gets 507 (and a `problem` event says so). Nothing stored is
    /// deleted to make room: the uploads are the devices' config backups.
    #[arg(long, default_value_t = 1024 * 1024 * 1024, help_heading = "Limits")]
    pub max_uploads_total_bytes: u64,
    /// Uploads from CPEs running at once; more get 503.
    #[arg(long, default_value_t = 4, help_heading = "Limits")]
    pub max_uploads: usize,
    /// Bytes of events queued for one reader of `/api/events`; a reader that falls further
    /// behind is dropped with a notice (it may reconnect).
    #[arg(long, default_value_t = 4 * 1024 * 1024, help_heading = "Limits")]
    pub sse_buffer_bytes: usize,
    /// Seconds a CWMP session may go without a POST from its CPE before it ends; an RPC sent
    /// in it and not answered goes back to the front of the device's queue.
    #[arg(long, default_value_t = AcsConfig::default().session_timeout.as_secs(), help_heading = "Limits")]
    pub session_timeout: u64,
    /// Devices the ACS keeps. An Inform from a new device beyond it gets 503 and nothing of it
    /// is kept, so that Informs with made-up serial numbers cannot exhaust memory.
    #[arg(long, default_value_t = AcsConfig::default().max_devices, help_heading = "Limits")]
    pub max_devices: usize,
    /// RPCs queued per device; one more gets 429.
    #[arg(long, default_value_t = AcsConfig::default().max_queued, help_heading = "Limits")]
    pub max_queued: usize,
    /// Bytes of one recording file: once a file holds this many, the day goes on in a new file
    /// (and a `problem` event says so).
    #[arg(long, default_value_t = 64 * 1024 * 1024, help_heading = "Limits")]
    pub max_recording_bytes: u64,
    /// Bytes of all recordings together (DIR/recordings/): before a write would pass it, the
    /// oldest files are deleted (and a `problem` event names them); the file being written never
    /// is. A file never holds more than this either (it caps --max-recording-bytes).
    #[arg(long, default_value_t = 1024 * 1024 * 1024, help_heading = "Limits")]
    pub max_recordings_total_bytes: u64,
    /// Bytes of exchanges waiting for the recorder to write them; past it, exchanges are not
    /// recorded until it catches up (and a `problem` event says so). Requests never wait for it.
    #[arg(long, default_value_t = 64 * 1024 * 1024, help_heading = "Limits")]
    pub recording_buffer_bytes: usize,
    /// Seconds open connections (event streams included) get to finish at Ctrl-C.
    #[arg(long, default_value_t = 5, help_heading = "Limits")]
    pub shutdown_timeout: u64,

    /// RPC results kept per device (the newest).
    #[arg(long, default_value_t = 100, help_heading = "Limits")]
    pub max_results: usize,
    /// Bytes of recent `/acs` exchanges kept in memory, in all, for the Live page's view of each
    /// device's sessions; past it the device quiet the longest loses its history first. 0 keeps
    /// none.
    #[arg(long, default_value_t = 16 * 1024 * 1024, help_heading = "Limits")]
    pub history_bytes: usize,
    /// Bytes of recent exchanges kept per device; past it its oldest are let go.
    #[arg(long, default_value_t = 2 * 1024 * 1024, help_heading = "Limits")]
    pub device_history_bytes: usize,

    /// Do not print ACS events on stdout.
    #[arg(long)]
    pub quiet: bool,
}

/// Each secret that has a file flag, as (value flag, file flag) argument IDs.
const SECRETS_WITH_FILES: [(&str, &str); 3] = [
    ("token", "token_file"),
    ("cr_password", "cr_password_file"),
    ("cpe_password", "cpe_password_file"),
];

/// Refuses a secret's value flag and its file flag both on the command line. Not clap's
/// `conflicts_with`: that also counts the environment variable, and a file named on the command
/// line is meant to win over the environment (a service's environment set once, a file per run).
pub fn secrets_given_once(matches: &clap::ArgMatches) -> Result<(), String> {
    let on_command_line =
        |id: &str| matches.value_source(id) == Some(clap::parser::ValueSource::CommandLine);
    for (value, file) in SECRETS_WITH_FILES {
        if on_command_line(value) && on_command_line(file) {
            return Err(format!(
                "--{} cannot be used with --{}",
                file.replace('_', "-"),
                value.replace('_', "-")
            ));
        }
    }
    Ok(())
}

/// A secret given as a flag (or its environment variable) or in a file (its first line); the
/// file wins over the environment variable.
fn secret_from(
    value: Option<&str>,
    file: Option<&Path>,
    flag: &str,
) -> Result<Option<String>, String> {
    if let Some(file) = file {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("{flag}-file {}: {e}", file.display()))?;
        let first = text.lines().next().unwrap_or_default().to_owned();
        if first.is_empty() {
            return Err(format!("{flag}-file {}: its first line is empty", file.display()));
        }
        return Ok(Some(first));
    }
    Ok(value.map(str::to_owned))
}

pub fn run(args: ServeArgs) -> Result<ExitCode, String> {
    let index = args.dist.join("index.html");
    if !index.is_file() {
        return Err(format!(
            "{} not found: build the app first with `cargo xtask dist` (or use `cargo xtask run`)",
            index.display()
        ));
    }
    for (flag, directory) in [("--files", &args.files), ("--uploads", &args.uploads)] {
        if let Some(directory) = directory
            && !directory.is_dir()
        {
            return Err(format!("{flag} {}: not a directory", directory.display()));
        }
    }
    if let Some(data_dir) = &args.data_dir {
        recordings::create_folder(data_dir)?;
    }
    let api_tls = tls::acceptor(
        args.tls_cert.as_deref(),
        args.tls_key.as_deref(),
        ("--tls-cert", "--tls-key"),
    )?;
    if api_tls.is_none() && !args.listen.ip().is_loopback() {
        return Err(format!(
            "--listen {}: the app and its API stay on loopback unless they are served over TLS \
             (--tls-cert and --tls-key); to let devices in, use --acs-listen",
            args.listen
        ));
    }
    let acs_tls = tls::acceptor(
        args.acs_tls_cert.as_deref(),
        args.acs_tls_key.as_deref(),
        ("--acs-tls-cert", "--acs-tls-key"),
    )?;
    let given_token = secret_from(args.token.as_deref(), args.token_file.as_deref(), "--token")?;
    let generated = given_token.is_none();
    let token = match given_token {
        Some(token) if token.trim().len() < 16 => {
            return Err("--token: at least 16 characters, so that it cannot be guessed".to_owned());
        }
        Some(token) => token.trim().to_owned(),
        None => access::generate_token()?,
    };
    let cr_password = secret_from(
        args.cr_password.as_deref(),
        args.cr_password_file.as_deref(),
        "--cr-password",
    )?
    .unwrap_or_default();
    let max_connections = connections_within_descriptors(args.max_connections);
    let cpe_auth = cpe_credentials(&args, acs_tls.is_some())?;
    let connection_requests = connection_request::Settings {
        username: args.cr_username.clone(),
        password: cr_password,
        allow_basic: args.cr_allow_basic,
        allow_local: args.allow_local_cpe,
        tls: Arc::new(connection_request::tls_config(args.cr_ca.as_deref(), args.cr_insecure_tls)?),
    };
    let limits = ConnectionLimits {
        max_connections,
        idle_timeout: Duration::from_secs(args.idle_timeout.max(1)),
        body_timeout: Duration::from_secs(args.body_timeout.max(1)),
        max_header_bytes: args.max_header_bytes.max(1024),
    };

    let (store, restored) =
        storage::Store::open(args.data_dir.as_deref(), args.max_results.max(1))?;
    let session_timeout = Duration::from_secs(args.session_timeout.max(1));
    let mut acs = cwmpkit_core::acs::Acs::with_config(AcsConfig {
        session_timeout,
        max_devices: args.max_devices,
        max_queued: args.max_queued,
    });
    let restored_devices = restored.devices.len();
    let mut not_restored = restored.unreadable;
    not_restored.extend(acs.restore(restored.devices, restored.issued_requests));

    let runtime = tokio::runtime::Runtime::new().map_err(|e| format!("cannot start tokio: {e}"))?;
    runtime.block_on(async move {
        let api_tcp = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| format!("--listen {}: cannot listen: {e}", args.listen))?;
        let acs_tcp = listen_with_backlog(args.acs_listen, args.acs_backlog)
            .map_err(|e| format!("--acs-listen {}: cannot listen: {e}", args.acs_listen))?;
        let api_local = api_tcp.local_addr().map_err(|e| e.to_string())?;
        let acs_local = acs_tcp.local_addr().map_err(|e| e.to_string())?;
        let api_scheme = if api_tls.is_some() { "https" } else { "http" };
        let acs_scheme = if acs_tls.is_some() { "https" } else { "http" };
        let acs_url = args.acs_url.clone().unwrap_or_else(|| format!("{acs_scheme}://{acs_local}/acs"));

        // Before the first line, which tells the caller the relay is up.
        let uploads_index = match &args.uploads {
            Some(directory) => Some(forget_gone_uploads(&store, directory).await),
            None => None,
        };

        // Best effort: whoever started the relay may have stopped reading its output.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "cwmpkit serving {} at {api_scheme}://{api_local}/", args.dist.display());
        if generated {
            let _ = writeln!(out, "Open the app signed in: {api_scheme}://{api_local}/#token={token}");
        } else {
            let _ = writeln!(out, "Open the app signed in: {api_scheme}://{api_local}/#token=<your token>");
        }
        let _ = writeln!(out, "ACS URL for CPEs: {acs_url}");
        let _ = writeln!(out, "{}", describe_cpe_auth(&cpe_auth));
        if let Some(path) = &restored.path {
            let _ = writeln!(out, "Storage: {}; {restored_devices} device(s) restored", path.display());
        }
        if let Some(line) = uploads_index {
            let _ = writeln!(out, "{line}");
        }
        if acs_local.ip().is_unspecified() && args.acs_url.is_none() {
            let _ = writeln!(
                out,
                "  (listening on every address: give devices this machine's LAN address, and --acs-url to show it)"
            );
        }
        drop(out);

        let shutdown = CancellationToken::new();
        tokio::spawn(stop_on_signal(shutdown.clone()));
        let events = events::EventBus::new(!args.quiet, shutdown.clone(), args.sse_buffer_bytes);
        let recordings = match &args.data_dir {
            Some(data_dir) => Some(recordings::Recordings::start(
                recordings::Settings {
                    data_dir: data_dir.clone(),
                    max_file_bytes: args.max_recording_bytes,
                    max_total_bytes: args.max_recordings_total_bytes,
                    max_queued_bytes: args.recording_buffer_bytes,
                    idle_timeout: limits.idle_timeout,
                },
                events.clone(),
            )?),
            None => None,
        };
        let settings = state::Settings {
            uploads: args.uploads.clone(),
            connection_requests,
            acs_url,
            cpe_auth,
            max_body_bytes: args.max_body_bytes,
            max_upload_bytes: args.max_upload_bytes,
            max_uploads_total_bytes: args.max_uploads_total_bytes,
            upload_slots: Arc::new(tokio::sync::Semaphore::new(args.max_uploads.max(1))),
            session_timeout,
            recordings: recordings.clone(),
            history: (args.history_bytes > 0).then(|| {
                Arc::new(history::History::new(history::Limits {
                    per_device: args.device_history_bytes,
                    total: args.history_bytes,
                }))
            }),
        };
        for record in &not_restored {
            events.notice("storage", &format!("not restored: {record}"));
        }
        let relay = Relay::new(settings, events, acs, store);
        tokio::spawn(acs_endpoint::session_timer(relay.clone(), shutdown.clone()));
        let access = Arc::new(access::ApiAccess { token, extra_hosts: args.api_hosts.clone() });
        let app_router = app_routes(&args.dist, relay.clone(), args.max_body_bytes)
            .layer(axum::middleware::from_fn_with_state(access, access::guard));
        let acs_router = acs_routes(relay.clone(), args.files.clone());
        let deadline = Duration::from_secs(args.shutdown_timeout);
        let app_listener = Listener { name: "app and API", tcp: api_tcp, tls: api_tls, limits };
        let acs_listener = Listener { name: "ACS", tcp: acs_tcp, tls: acs_tls, limits };
        tokio::join!(
            app_listener.run(app_router, relay.events.clone(), shutdown.clone(), deadline),
            acs_listener.run(acs_router, relay.events.clone(), shutdown.clone(), deadline),
        );
        if let Some(recordings) = recordings {
            // What is queued is written and the file closed before the process ends.
            let _ = tokio::task::spawn_blocking(move || recordings.stop()).await;
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Removes from the uploads index the records of files no longer in `--uploads DIR`; the line
/// that says what it did.
async fn forget_gone_uploads(store: &storage::Store, directory: &Path) -> String {
    let forgotten = match uploads::read_index(store).await {
        Ok(index) => uploads::forget_gone(store, directory, index).await,
        Err(reason) => Err(reason),
    };
    match forgotten {
        Ok(count) => format!(
            "Uploads: {}; {count} record(s) of files no longer there removed from the index",
            directory.display()
        ),
        Err(reason) => format!(
            "Uploads: {}; the index could not be checked against the folder: {reason}",
            directory.display()
        ),
    }
}

/// A listening socket with `backlog` as listen(2)'s: tokio's `TcpListener::bind` listens with
/// 128, and 1,000 devices connecting at once overflowed it (dropped SYNs, retried after a second:
/// p99 session latency above 1 s). Said at start when the kernel caps it lower.
fn listen_with_backlog(
    address: SocketAddr,
    backlog: u32,
) -> std::io::Result<tokio::net::TcpListener> {
    let socket = match address {
        SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
        SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
    };
    // As tokio's bind does: a restarted relay can listen again at once.
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    if let Some(cap) = kernel_backlog_cap()
        && backlog > cap
    {
        eprintln!(
            "cwmpkit: --acs-backlog {backlog} is capped at {cap} by the kernel (net.core.somaxconn)"
        );
    }
    socket.listen(backlog)
}

/// The kernel's ceiling on a listen backlog, where it can be read.
fn kernel_backlog_cap() -> Option<u32> {
    std::fs::read_to_string("/proc/sys/net/core/somaxconn").ok()?.trim().parse().ok()
}

/// Descriptors kept for what is not a connection: files served and uploaded, the database,
/// the runtime's own.
const DESCRIPTORS_RESERVED: u64 = 64;

/// `--max-connections`, raised to the hard limit of open files if the soft one is lower, and
/// lowered (with a word) to what that limit allows for two listeners: a connection the relay
/// accepts it can then always serve, and the cap is what refuses, not `accept` failing.
fn connections_within_descriptors(wanted: usize) -> usize {
    let limit = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
    let affordable =
        usize::try_from(limit.saturating_sub(DESCRIPTORS_RESERVED) / 2).unwrap_or(usize::MAX);
    if wanted > affordable {
        eprintln!(
            "cwmpkit: --max-connections {wanted} lowered to {affordable} per listener: the limit of open files is {limit} (ulimit -n)"
        );
        return affordable.max(1);
    }
    wanted
}

/// The devices' credentials from the flags and `--cpe-credentials`.
fn cpe_credentials(args: &ServeArgs, acs_tls: bool) -> Result<cpe_auth::CpeCredentials, String> {
    let password = secret_from(
        args.cpe_password.as_deref(),
        args.cpe_password_file.as_deref(),
        "--cpe-password",
    )?;
    let default = match (&args.cpe_username, password) {
        (None, None) => None,
        (username, Some(password)) => {
            Some(cpe_auth::Credential { username: username.clone().unwrap_or_default(), password })
        }
        (Some(_), None) => {
            return Err("--cpe-username needs --cpe-password (or --cpe-password-file, or CWMPKIT_CPE_PASSWORD)".to_owned());
        }
    };
    let mut nonce_key = [0u8; 32];
    getrandom::fill(&mut nonce_key).map_err(|e| format!("no randomness from the OS: {e}"))?;
    let mut credentials = cpe_auth::CpeCredentials {
        default,
        per_device: Default::default(),
        basic_allowed: acs_tls || args.cpe_basic_over_http,
        nonce_key,
        nonce_counts: Default::default(),
    };
    if let Some(file) = &args.cpe_credentials {
        credentials.read_file(file)?;
    }
    Ok(credentials)
}

/// The start-up line that says how devices are admitted.
fn describe_cpe_auth(credentials: &cpe_auth::CpeCredentials) -> String {
    if credentials.is_open() {
        return "Device authentication: off. Any device that reaches the ACS is trusted; give \
                --cpe-username/--cpe-password or --cpe-credentials to require it"
            .to_owned();
    }
    let schemes = if credentials.basic_allowed { "Digest or Basic" } else { "Digest" };
    let default = match &credentials.default {
        Some(default) => format!("default user {:?}", default.username),
        None => "no default credential".to_owned(),
    };
    format!(
        "Device authentication: {schemes}; {default}; {} device(s) with their own",
        credentials.per_device.len()
    )
}

/// Ctrl-C (SIGINT) or SIGTERM starts the shutdown.
async fn stop_on_signal(shutdown: CancellationToken) {
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        let terminated = async {
            match terminate.as_mut() {
                Some(signal) => {
                    signal.recv().await;
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = terminated => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
    let _ = writeln!(std::io::stdout().lock(), "cwmpkit: shutting down");
    shutdown.cancel();
}

/// The app's listener: the API under `/api`, the built app everywhere else. Unknown paths fall
/// back to index.html so client-side routes survive a reload, except under `/api`, where an
/// unknown path is a JSON 404 (a client must not read the app's page as an answer).
fn app_routes(dist: &Path, relay: Relay, max_body: usize) -> Router {
    let static_files = ServeDir::new(dist).fallback(ServeFile::new(dist.join("index.html")));
    Router::new()
        .route("/api/health", get(|| async { "ok" }))
        .route("/api/info", get(api::info))
        .route("/api/devices", get(api::list_devices))
        .route("/api/devices/{id}", get(api::show_device))
        .route("/api/devices/{id}/rpcs", post(api::queue_rpc))
        .route("/api/devices/{id}/results", get(api::device_results))
        .route("/api/devices/{id}/connection-request", post(api::request_connection))
        .route("/api/events", get(events::event_stream))
        .route("/api/uploads", get(uploads::list))
        .route("/api/uploads/{name}", get(uploads::download))
        .route("/api/devices/{id}/sessions", get(api::device_sessions))
        .route("/api/devices/{id}/capture", get(api::device_capture))
        .route("/api/recordings", get(recordings::list))
        .route("/api/recordings/{name}", get(recordings::download))
        .route("/api", any(api::not_found))
        .route("/api/", any(api::not_found))
        .route("/api/{*rest}", any(api::not_found))
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(relay)
        .fallback_service(static_files)
}

/// The ACS listener: the CWMP endpoint, and `/files/` (when `files` is given) and `/uploads/`.
fn acs_routes(relay: Relay, files: Option<PathBuf>) -> Router {
    // The handlers read bodies within their own limits, to say which one a body broke.
    let mut router = Router::new()
        .route(
            "/acs",
            post(acs_endpoint::cwmp_post)
                .layer(from_fn_with_state(relay.clone(), recordings::record)),
        )
        .route("/uploads/{name}", post(uploads::receive_upload).put(uploads::receive_upload))
        .layer(DefaultBodyLimit::disable())
        .with_state(relay);
    if let Some(files) = files {
        router = router.merge(
            Router::new().route("/files/{*path}", get(files::serve)).with_state(Arc::new(files)),
        );
    }
    router
}
