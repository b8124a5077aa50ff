//! `cwmpkit serve`: the relay. It serves the built app, and is the ACS the CPEs talk to
//! (`/acs`), with the API the app drives it through (`/api`), the files CPEs download
//! (`/files/`) and the uploads they send (`/uploads/`).
//!
//! - `acs_endpoint`: `POST /acs`, the IO around core's ACS;
//! - `api`: `/api/devices…`, devices, queued RPCs, connection requests;
//! - `connection_request`: the HTTP GET to a CPE's ConnectionRequestURL;
//! - `events`: the event bus, `/api/events` and the terminal's lines;
//! - `files`, `uploads`: what CPEs download and upload;
//! - `state`: what the handlers share.

mod acs_endpoint;
mod api;
mod connection_request;
mod events;
mod files;
mod state;
mod uploads;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use state::{Credentials, Relay};
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use tower_http::services::{ServeDir, ServeFile};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The built app (Trunk's output).
    #[arg(long, default_value = "dist")]
    pub dist: PathBuf,
    /// Firmware and config files the CPEs may download, served under `/files/`.
    #[arg(long)]
    pub files: Option<PathBuf>,
    /// Where uploads from CPEs (`PUT` or `POST /uploads/NAME`: config backups, logs) are stored.
    #[arg(long)]
    pub uploads: Option<PathBuf>,
    /// Username for connection requests to CPEs (their ConnectionRequestUsername).
    #[arg(long, default_value = "")]
    pub cr_username: String,
    /// Password for connection requests to CPEs (their ConnectionRequestPassword).
    #[arg(long, default_value = "")]
    pub cr_password: String,
    /// Do not print ACS events on stdout.
    #[arg(long)]
    pub quiet: bool,
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
    let runtime = tokio::runtime::Runtime::new().map_err(|e| format!("cannot start tokio: {e}"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        println!("cwmpkit serving {} at http://{local}/", args.dist.display());
        // Best effort: whoever started the relay may have stopped reading its output.
        let _ = writeln!(std::io::stdout().lock(), "ACS URL for CPEs: http://{local}/acs");
        let credentials =
            Credentials { username: args.cr_username.clone(), password: args.cr_password.clone() };
        let relay = Relay::new(args.uploads.clone(), credentials, !args.quiet);
        let router = app(&args.dist).merge(routes(relay, args.files.clone()));
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| format!("server failed: {e}"))?;
        Ok(ExitCode::SUCCESS)
    })
}

/// The app: the API's health check under `/api`, the built app everywhere else. Unknown
/// paths fall back to index.html so client-side routes survive a reload.
fn app(dist: &std::path::Path) -> Router {
    let static_files = ServeDir::new(dist).fallback(ServeFile::new(dist.join("index.html")));
    Router::new().route("/api/health", get(|| async { "ok" })).fallback_service(static_files)
}

/// The relay's routes; `files` is served under `/files/` when given.
fn routes(relay: Relay, files: Option<PathBuf>) -> Router {
    let mut router = Router::new()
        .route(
            "/acs",
            post(acs_endpoint::cwmp_post).layer(DefaultBodyLimit::max(acs_endpoint::MAX_CWMP_BODY)),
        )
        .route("/api/devices", get(api::list_devices))
        .route("/api/devices/{id}", get(api::show_device))
        .route("/api/devices/{id}/rpcs", post(api::queue_rpc))
        .route("/api/devices/{id}/connection-request", post(api::request_connection))
        .route("/api/events", get(events::event_stream))
        .route(
            "/uploads/{name}",
            post(uploads::receive_upload)
                .put(uploads::receive_upload)
                .layer(DefaultBodyLimit::max(uploads::MAX_UPLOAD)),
        );
    if let Some(files) = files {
        router = router.nest_service("/files", files::service(files));
    }
    router.with_state(relay)
}
