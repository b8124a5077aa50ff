//! `cargo xtask …`: the project's own dev commands, in Rust so they run the same
//! everywhere (matklad's cargo-xtask pattern).
//!
//! - `setup`  installs what is missing (idempotent, seconds when nothing is).
//! - `dist`   builds the release app into dist/ and prints each asset's gzip size.
//! - `run`    dist, then `cwmpkit serve` on 127.0.0.1:8080 (`--listen ADDR`).
//! - `test`   fmt, clippy, native tests, wasm tests in Chromium, end-to-end tests.
//! - `bench`  the criterion benchmarks, the relay's load (`-- acs_load`), and the browser ones
//!   (`-- provision_wasm`, `-- first_render`, `-- decode_wasm`).
//! - `schemas` compiles the data-model schemas core embeds.

mod architecture;
mod dist;
mod offline;
mod process;
mod schemas;
mod setup;
mod split;
mod test;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, rest) = match args.split_first() {
        Some((command, rest)) => (command.as_str(), rest),
        None => ("help", &[][..]),
    };
    let outcome = match command {
        "setup" => setup::setup(),
        "dist" => setup::setup().and_then(|()| dist::dist()),
        "run" => run(rest),
        "test" => test::test(),
        "bench" => bench(rest),
        "schemas" => schemas::schemas(rest),
        "help" | "--help" | "-h" => {
            println!("{}", HELP);
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n\n{HELP}")),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

const HELP: &str = "usage: cargo xtask <command>

  setup               install what is missing (wasm target, trunk, wasm-bindgen-cli,
                      wasm-opt, axe-core, genieacs-sim, chromium + chromedriver, xmllint)
  dist                build the release app into dist/ and print gzip sizes
  run [--listen ADDR] build the app and serve it with `cwmpkit serve` (default 127.0.0.1:8080)
  test                fmt, clippy, native tests, wasm tests in headless Chromium, e2e tests
  bench [ARGS…]       run the benchmarks (ARGS go to `cargo bench`; `-- provision_wasm`,
                      `-- first_render` or `-- decode_wasm` runs a browser one: release app,
                      relay, headless Chromium; `-- acs_load` the relay under 1,000 CPEs and
                      20 genieacs-sim processes)
  schemas [--check]   compile the BBF data-model XML into core/data/models/*.schema";

fn run(args: &[String]) -> Result<(), String> {
    let mut listen = "127.0.0.1:8080".to_owned();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--listen" => {
                listen =
                    iter.next().ok_or("--listen needs an address, e.g. 127.0.0.1:8080")?.clone()
            }
            other => return Err(format!("unknown argument `{other}` for `run`")),
        }
    }
    setup::setup()?;
    dist::dist()?;
    process::run(process::cargo().args(["build", "--release", "-p", "cwmpkit"]))?;
    let binary = process::root().join("target/release/cwmpkit");
    println!("starting cwmpkit serve; open the URL it prints");
    process::run(
        process::command(&binary)
            .args(["serve", "--listen", &listen, "--dist"])
            .arg(process::root().join("dist")),
    )
}

fn bench(args: &[String]) -> Result<(), String> {
    setup::setup()?;
    // Criterion filters by substring; the browser benchmark is not a criterion
    // one, so the same filter decides whether it runs.
    let filters: Vec<&str> =
        args.iter().skip_while(|a| *a != "--").skip(1).map(String::as_str).collect();
    let wanted = |bench: &str| filters.is_empty() || filters.iter().any(|f| bench.contains(f));
    let browser: Vec<&str> = BROWSER_BENCHES.into_iter().filter(|b| wanted(b)).collect();
    let named_only = !filters.is_empty()
        && filters
            .iter()
            .all(|f| BROWSER_BENCHES.iter().chain(&RELAY_BENCHES).any(|b| b.contains(f)));
    if !named_only {
        setup::ensure_debian_tools(&[("/usr/bin/tshark", "tshark")])?;
        // The capture bench times the CLI users run, end to end, beside the layers.
        process::run(process::cargo().args(["build", "--release", "-p", "cwmpkit"]))?;
        process::run(
            process::cargo()
                .args(["bench", "-p", "cwmpkit-core"])
                .args(args)
                .env("CWMPKIT_RELEASE_BIN", process::root().join("target/release/cwmpkit")),
        )?;
    }
    for bench in RELAY_BENCHES.into_iter().filter(|b| wanted(b)) {
        process::run(process::cargo().args(["bench", "-p", "cwmpkit", "--bench", bench]))?;
    }
    if !browser.is_empty() {
        // The release app, as users get it, served by the relay.
        dist::dist()?;
        process::run(process::cargo().args(["build", "-p", "cwmpkit"]))?;
        for bench in browser {
            process::run(
                process::cargo()
                    .args(["bench", "-p", "cwmpkit-tests", "--bench", bench])
                    .env("CWMPKIT_BIN", process::root().join("target/debug/cwmpkit"))
                    .env("CWMPKIT_DIST", process::root().join("dist")),
            )?;
        }
    }
    Ok(())
}

/// The relay's own benchmarks (relay/benches/): 1,000 concurrent CPEs and 20 genieacs-sim
/// processes against the real `cwmpkit serve`, beside a bare axum server (acs_load).
const RELAY_BENCHES: [&str; 1] = ["acs_load"];

/// The benchmarks in headless Chromium (tests/benches/): 10,000 phones CSV → zip
/// (provision_wasm), every page's first render (first_render), and the 50 MB capture decoded in
/// the page's worker (decode_wasm).
const BROWSER_BENCHES: [&str; 3] = ["provision_wasm", "first_render", "decode_wasm"];
