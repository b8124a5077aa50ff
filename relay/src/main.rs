//! `cwmpkit`: the relay that phones and routers talk to, and the command line.

mod acs;
mod commands;
mod connection_request;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "cwmpkit", version, about = "TR-069 (CWMP) workbench: relay and command line")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web app, and be the ACS that CPEs talk to (`/acs`), with its API and file server.
    Serve(commands::serve::ServeArgs),
    /// Decode CWMP messages from files and print a summary.
    Decode(commands::decode::DecodeArgs),
    /// Parameter sets: validate against a schema, diff, plan RPCs.
    Params(commands::params::ParamsArgs),
    /// Aastra/Mitel provisioning files: generate from CSV, check, effective config.
    Provision(commands::provision::ProvisionArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Serve(args) => commands::serve::run(args),
        Command::Decode(args) => commands::decode::run(&args),
        Command::Params(args) => commands::params::run(&args),
        Command::Provision(args) => commands::provision::run(&args),
    };
    match outcome {
        Ok(code) => code,
        Err(message) => {
            eprintln!("cwmpkit: {message}");
            ExitCode::from(2)
        }
    }
}
