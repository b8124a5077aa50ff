//! The browser goals, measured where they apply: the 50 MB capture (the magma flows
//! replicated, 15,904 CWMP messages) dropped on the Decode page of the release app in a real
//! headless Chromium. The page's Web Worker decodes it and reports how long that took (reading
//! the file in pieces included); a `PerformanceObserver` on the page records every long task of
//! the page's own thread meanwhile. The native pipeline decodes the same bytes in one thread in
//! the same run, so the throughput is given as a ratio to it.
//!
//! Goals: wasm throughput ≥ 50 % of native; no task of the page's thread longer than 50 ms.
//! Run with `cargo xtask bench -- decode_wasm` (it builds the release app and the relay first).

use cwmpkit_core::capture::Options;
use cwmpkit_core::capture::replicate::replicate;
use cwmpkit_core::pipeline::Pipeline;
use cwmpkit_tests::{corpus, screenshot, start_browser, start_relay, workspace_root};
use fantoccini::{Client, Locator};
use std::process::ExitCode;
use std::time::{Duration, Instant};

const RUNS: usize = 3;
const BYTES: usize = 50_000_000;
const MESSAGES: usize = 15_904;

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

/// The pipeline in this thread, fed 1 MiB at a time as the worker feeds it; best of `RUNS`.
fn native_ms(capture: &[u8]) -> Result<f64, String> {
    let mut best = f64::MAX;
    for _ in 0..RUNS {
        let started = Instant::now();
        let mut pipeline = Pipeline::new(&Options::default());
        let mut messages = 0;
        for piece in capture.chunks(1 << 20) {
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

/// One page load: watch long tasks, open the file, wait for the worker's figure.
async fn one_run(client: &Client, base: &str, path: &str) -> Result<(f64, f64), String> {
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
             return true;",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    client
        .find(Locator::Css("#file-input"))
        .await
        .map_err(|e| e.to_string())?
        .send_keys(path)
        .await
        .map_err(|e| e.to_string())?;
    let done = client
        .wait()
        .at_most(Duration::from_secs(300))
        .for_element(Locator::Css("#decode-done"))
        .await
        .map_err(|e| format!("the decode never finished: {e}"))?;
    let messages = done.attr("data-messages").await.map_err(|e| e.to_string())?;
    if messages.as_deref() != Some(MESSAGES.to_string().as_str()) {
        return Err(format!("the page found {messages:?} messages, expected {MESSAGES}"));
    }
    let millis = done
        .attr("data-millis")
        .await
        .map_err(|e| e.to_string())?
        .and_then(|m| m.parse::<f64>().ok())
        .ok_or("no data-millis")?;
    // Let the page render what came last, then read the longest task it ran.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let longest = client
        .execute("return window.__longest", vec![])
        .await
        .map_err(|e| e.to_string())?
        .as_f64()
        .unwrap_or(f64::NAN);
    Ok((millis, longest))
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
    let (_driver, client) = start_browser().await?;
    let mut runs = Vec::new();
    let mut outcome = Ok(());
    for _ in 0..RUNS {
        match one_run(&client, &base, &path.display().to_string()).await {
            Ok(run) => runs.push(run),
            Err(message) => {
                outcome = Err(message);
                break;
            }
        }
    }
    if let Ok(shot) = screenshot(&client, "decode-wasm-bench").await {
        eprintln!("screenshot: {}", shot.display());
    }
    let _ = client.close().await;
    outcome?;
    let megabytes = capture.len() as f64 / 1e6;
    let best = runs.iter().map(|r| r.0).fold(f64::MAX, f64::min);
    let longest = runs.iter().map(|r| r.1).fold(0.0, f64::max);
    // The observer hears only tasks of 50 ms or more: 0 means none as long.
    let listed: Vec<String> =
        runs.iter().map(|(ms, long)| format!("{ms:.0} ms (longest task {long:.0} ms)")).collect();
    eprintln!("decode_wasm: {megabytes:.1} MB in Chromium's worker, runs: {}", listed.join(", "));
    eprintln!(
        "ratio decode_wasm: wasm best {best:.0} ms = {:.0} MB/s; native one thread {native:.0} ms = \
         {:.0} MB/s in the same run; wasm at {:.0} % of native (goal ≥ 50 % {}); longest task of \
         the page's thread {longest:.0} ms (goal ≤ 50 ms {})",
        megabytes / best * 1000.0,
        megabytes / native * 1000.0,
        native / best * 100.0,
        if native / best >= 0.5 { "met" } else { "NOT met" },
        if longest <= 50.0 { "met" } else { "NOT met" }
    );
    Ok(())
}
