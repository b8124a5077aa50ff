//! The browser goals, measured where they apply: the 50 MB capture (the magma flows
//! replicated, 15,904 CWMP messages) dropped on the Decode page of the release app in a real
//! headless Chromium. The page's Web Worker decodes it and reports how long that took (reading
//! the file in pieces included); the page's own clock gives the time from the drop (the file
//! input's `change`) to the done state in the DOM and to the first session row after it, which
//! is what a user waits for; a `PerformanceObserver` records every long task of the page's own
//! thread meanwhile. The native pipeline decodes the same bytes in one thread in the same run, so
//! every figure is also given as a ratio to it (the machine is shared: only ratios from one run
//! compare).
//!
//! The page starts its worker when it opens, and the worker warms V8's tiers up on a small
//! built-in sample. Each page load drops the file either at once (the worker may still be
//! loading or warming up: the drop waits for at most one run of the sample, and the figure
//! counts the worker's start-up) or once the page says the warm-up has ended (a user who opens
//! the page, then picks a file); the loads alternate. A build without the warm-up (main before
//! it) is measured the same way: its "when warm" loads drop after waiting `WARM_WAIT`.
//! `DECODE_WASM_BASELINE_DIST=DIR` serves another build's dist (say main's, copied aside) from a
//! second relay and measures it in the same run, its loads interleaved with this build's.
//!
//! Goals: wasm throughput ≥ 50 % of native; no task of the page's thread longer than 50 ms.
//! Run with `cargo xtask bench -- decode_wasm` (it builds the release app and the relay first).

use cwmpkit_core::capture::Options;
use cwmpkit_core::capture::replicate::replicate;
use cwmpkit_core::pipeline::{Pipeline, WORKER_PIECE_BYTES};
use cwmpkit_tests::{
    attribute, corpus, screenshot, start_browser, start_relay, start_relay_serving, workspace_root,
};
use fantoccini::{Client, Locator};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Page loads of each kind (dropped at once, dropped when warm).
const RUNS: usize = 3;
const BYTES: usize = 50_000_000;
const MESSAGES: usize = 15_904;
/// How long a "when warm" load waits for the page to say its worker has warmed up.
const WARM_WAIT: Duration = Duration::from_secs(20);

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    match measure().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("decode_wasm: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The pipeline in this thread, fed the pieces the worker feeds it (`WORKER_PIECE_BYTES`); best of `RUNS`.
fn native_ms(capture: &[u8]) -> Result<f64, String> {
    let mut best = f64::MAX;
    for _ in 0..RUNS {
        let started = Instant::now();
        let mut pipeline = Pipeline::new(&Options::default());
        let mut messages = 0;
        for piece in capture.chunks(WORKER_PIECE_BYTES) {
            pipeline.push(piece);
            messages += pipeline.take_sessions().iter().map(|s| s.messages.len()).sum::<usize>();
        }
        let finished = pipeline.finish();
        messages += finished.sessions.iter().map(|s| s.messages.len()).sum::<usize>();
        if messages != MESSAGES {
            return Err(format!("native found {messages} messages, expected {MESSAGES}"));
        }
        best = best.min(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(best)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DropAt {
    AtOnce,
    WhenWarm,
}

/// What one page load measured.
struct Load {
    /// This build, or the baseline's.
    build: &'static str,
    drop: DropAt,
    /// The worker's own decode time, ms.
    worker: f64,
    /// Of it, the time it waited for the file's bytes, ms (absent in older builds).
    read_wait: Option<f64>,
    /// Drop → `#decode-done` in the DOM, and → the first session row after it, ms.
    to_done: f64,
    to_rows: f64,
    /// The page's thread's longest task (0: none of 50 ms or more).
    longest: f64,
    /// The warm-up as it ended (runs, first run ms, best run ms, whole ms), if the page said so
    /// before the drop.
    warmed: Option<(u64, f64, f64, f64)>,
    /// The warm-up as it stood when the file came to the worker: runs, and whether it had ended.
    runs_at_drop: u64,
    finished_at_drop: bool,
}

async fn number(client: &Client, css: &str, name: &str) -> Result<f64, String> {
    attribute(client, css, name)
        .await?
        .and_then(|v| v.parse::<f64>().ok())
        .ok_or_else(|| format!("no number in {css}'s {name}"))
}

/// One page load: watch long tasks and the DOM, drop the file, wait for the rows.
async fn one_run(
    client: &Client,
    (build, base): (&'static str, &str),
    path: &str,
    drop: DropAt,
) -> Result<Load, String> {
    client.goto(base).await.map_err(|e| e.to_string())?;
    client
        .wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Css("#file-input"))
        .await
        .map_err(|e| e.to_string())?;
    client
        .execute(
            "if (!PerformanceObserver.supportedEntryTypes.includes('longtask')) {
               throw new Error('this Chromium reports no long tasks');
             }
             window.__longest = 0;
             new PerformanceObserver((list) => {
               for (const entry of list.getEntries()) {
                 window.__longest = Math.max(window.__longest, entry.duration);
               }
             }).observe({ type: 'longtask', buffered: false });
             window.__dropped = null;
             window.__done = null;
             window.__rows = null;
             // Capture phase: noted before the page's own handler runs.
             document.addEventListener('change', (event) => {
               if (event.target.id === 'file-input' && window.__dropped === null) {
                 window.__dropped = performance.now();
               }
             }, true);
             new MutationObserver(() => {
               if (window.__dropped === null) return;
               if (window.__done === null && document.getElementById('decode-done')) {
                 window.__done = performance.now();
               }
               if (window.__done !== null && window.__rows === null
                   && document.querySelector('#sessions .session-card')) {
                 window.__rows = performance.now();
               }
             }).observe(document.body, { childList: true, subtree: true });
             return true;",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    let mut warmed = None;
    if drop == DropAt::WhenWarm {
        let found =
            client.wait().at_most(WARM_WAIT).for_element(Locator::Css("#decoder-warm")).await;
        if found.is_ok() {
            let css = "#decoder-warm";
            warmed = Some((
                number(client, css, "data-runs").await? as u64,
                number(client, css, "data-first-millis").await?,
                number(client, css, "data-best-millis").await?,
                number(client, css, "data-millis").await?,
            ));
        }
    }
    client
        .find(Locator::Css("#file-input"))
        .await
        .map_err(|e| e.to_string())?
        .send_keys(path)
        .await
        .map_err(|e| e.to_string())?;
    client
        .wait()
        .at_most(Duration::from_secs(300))
        .for_element(Locator::Css("#decode-done"))
        .await
        .map_err(|e| format!("the decode never finished: {e}"))?;
    client
        .wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Css("#sessions .session-card"))
        .await
        .map_err(|e| format!("no session row after the decode: {e}"))?;
    let messages = attribute(client, "#decode-done", "data-messages").await?;
    if messages.as_deref() != Some(MESSAGES.to_string().as_str()) {
        return Err(format!("the page found {messages:?} messages, expected {MESSAGES}"));
    }
    let worker = number(client, "#decode-done", "data-millis").await?;
    let read_wait = attribute(client, "#decode-done", "data-read-wait-millis")
        .await?
        .and_then(|v| v.parse::<f64>().ok());
    // Absent in a build without the warm-up.
    let runs_at_drop = attribute(client, "#decode-done", "data-warm-up-runs")
        .await?
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let finished_at_drop =
        attribute(client, "#decode-done", "data-warm-up-finished").await?.as_deref()
            == Some("true");
    // Let the page render what came last, then read the longest task it ran and its clock.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let clock = client
        .execute(
            "return [window.__longest, window.__done - window.__dropped,
                     window.__rows - window.__dropped]",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    let figure = |i: usize| clock.get(i).and_then(serde_json::Value::as_f64).unwrap_or(f64::NAN);
    Ok(Load {
        build,
        drop,
        worker,
        read_wait,
        to_done: figure(1),
        to_rows: figure(2),
        longest: figure(0),
        warmed,
        runs_at_drop,
        finished_at_drop,
    })
}

fn describe(load: &Load, native: f64) -> String {
    let percent = |ms: f64| native / ms * 100.0;
    let warm_up = match (load.drop, load.warmed) {
        (DropAt::WhenWarm, Some((runs, first, best, whole))) => format!(
            "dropped when warm (warm-up: {runs} runs of the sample in {whole:.0} ms, first \
             {first:.1} ms, best {best:.1} ms)"
        ),
        (DropAt::WhenWarm, None) => {
            format!("dropped after {} s (the page never said it was warm)", WARM_WAIT.as_secs())
        }
        (DropAt::AtOnce, _) => format!(
            "dropped at once (the worker had run the sample {} times, {})",
            load.runs_at_drop,
            if load.finished_at_drop { "warm-up over" } else { "warm-up not over" }
        ),
    };
    let read_wait = load
        .read_wait
        .map(|ms| format!(", of which {ms:.0} ms waiting for the file"))
        .unwrap_or_default();
    format!(
        "{}, {warm_up}: worker {:.0} ms ({:.0} % of native){read_wait}, drop to done {:.0} ms ({:.0} %), drop to \
         first row {:.0} ms ({:.0} %), longest task {:.0} ms",
        load.build,
        load.worker,
        percent(load.worker),
        load.to_done,
        percent(load.to_done),
        load.to_rows,
        percent(load.to_rows),
        load.longest
    )
}

async fn measure() -> Result<(), String> {
    let magma = std::fs::read(corpus("pcap/magma/dp_enb_tr069.pcap")).map_err(|e| e.to_string())?;
    let capture = replicate(&magma, [10, 0, 2, 243].into(), BYTES).map_err(|e| e.to_string())?;
    let native = native_ms(&capture)?;
    let dir = workspace_root().join("target/bench-inputs");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join("magma-50mb.pcap");
    std::fs::write(&path, &capture).map_err(|e| e.to_string())?;

    let (_relay, base) = start_relay()?;
    let baseline = match std::env::var_os("DECODE_WASM_BASELINE_DIST") {
        Some(dist) => Some(start_relay_serving(std::path::Path::new(&dist))?),
        None => None,
    };
    let mut builds = vec![("this build", base)];
    if let Some((_, urls)) = &baseline {
        builds.push(("baseline", urls.base.clone()));
    }
    let (_driver, client) = start_browser().await?;
    let mut loads = Vec::new();
    let mut outcome = Ok(());
    'loads: for drop in [DropAt::AtOnce, DropAt::WhenWarm].repeat(RUNS) {
        for (build, base) in &builds {
            match one_run(&client, (build, base), &path.display().to_string(), drop).await {
                Ok(load) => loads.push(load),
                Err(message) => {
                    outcome = Err(format!("{build}: {message}"));
                    break 'loads;
                }
            }
        }
    }
    if let Ok(shot) = screenshot(&client, "decode-wasm-bench").await {
        eprintln!("screenshot: {}", shot.display());
    }
    let _ = client.close().await;
    outcome?;
    let megabytes = capture.len() as f64 / 1e6;
    eprintln!(
        "decode_wasm: {megabytes:.1} MB; native one thread {native:.0} ms = {:.0} MB/s (best of \
         {RUNS}, this run)",
        megabytes / native * 1000.0
    );
    for (number, load) in loads.iter().enumerate() {
        eprintln!("decode_wasm: load {}, {}", number + 1, describe(load, native));
    }
    for (build, _) in &builds {
        let loads: Vec<&Load> = loads.iter().filter(|l| l.build == *build).collect();
        let best = |drop: Option<DropAt>, figure: fn(&Load) -> f64| {
            loads
                .iter()
                .filter(|l| drop.is_none_or(|d| l.drop == d))
                .map(|l| figure(l))
                .fold(f64::MAX, f64::min)
        };
        let worker = best(None, |l| l.worker);
        let warm_done = best(Some(DropAt::WhenWarm), |l| l.to_done);
        let cold_done = best(Some(DropAt::AtOnce), |l| l.to_done);
        let longest = loads.iter().map(|l| l.longest).fold(0.0, f64::max);
        // The observer hears only tasks of 50 ms or more: 0 means none as long.
        eprintln!(
            "ratio decode_wasm ({build}): native one thread {native:.0} ms; worker best \
             {worker:.0} ms = {:.0} MB/s, at {:.0} % of native (goal ≥ 50 % {}); drop to done \
             best {warm_done:.0} ms when warm ({:.0} % of native), {cold_done:.0} ms dropped at \
             once ({:.0} %); longest task of the page's thread {longest:.0} ms (goal ≤ 50 ms {})",
            megabytes / worker * 1000.0,
            native / worker * 100.0,
            if native / worker >= 0.5 { "met" } else { "NOT met" },
            native / warm_done * 100.0,
            native / cold_done * 100.0,
            if longest <= 50.0 { "met" } else { "NOT met" }
        );
    }
    Ok(())
}
