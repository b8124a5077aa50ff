//! `cwmpkit`: the relay that phones and routers talk to (`serve`), and the command-line tools
//! that work on files (`cli`).

mod cli;
mod serve;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::process::ExitCode;

/// jemalloc instead of the system's allocator: `decode` allocates on one thread what another
/// frees, where glibc's arenas took a fifth of the CPU (BENCHMARKS.md, issue 13). Its options
/// (how soon freed memory goes back to the OS, which bounds the relay's RSS) are set at build
/// time in `.cargo/config.toml`. Core stays allocator-agnostic (it also runs in the browser).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Debug, Parser)]
#[command(name = "cwmpkit", version, about = "TR-069 (CWMP) workbench: relay and command line")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web app, and be the ACS that CPEs talk to (`/acs`), with its API and file server.
    Serve(Box<serve::ServeArgs>),
    /// Decode CWMP messages from files and print a summary.
    Decode(cli::decode::DecodeArgs),
    /// Parameter sets: validate against a schema, diff, plan RPCs.
    Params(cli::params::ParamsArgs),
    /// Aastra/Mitel provisioning files: generate from CSV, check, effective config.
    Provision(cli::provision::ProvisionArgs),
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    if let Some(("serve", serve)) = matches.subcommand()
        && let Err(message) = serve::secrets_given_once(serve)
    {
        Cli::command().error(clap::error::ErrorKind::ArgumentConflict, message).exit();
    }
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit());
    let outcome = match cli.command {
        Command::Serve(args) => serve::run(*args),
        Command::Decode(args) => cli::decode::run(&args),
        Command::Params(args) => cli::params::run(&args),
        Command::Provision(args) => cli::provision::run(&args),
    };
    match outcome {
        Ok(code) => code,
        Err(message) if message == cli::OUTPUT_CLOSED => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("cwmpkit: {message}");
            ExitCode::from(2)
        }
    }
}
