//! The goal for start-up, measured where users meet it: the time from
//! a page's navigation to its first frame with the page on it (≤ 500 ms on
//! loopback), for every page, in a real headless Chromium served by
//! `cwmpkit serve` with the release app.
//!
//! Each page is opened cold (the site's storage, service worker and the HTTP
//! cache cleared first: a first visit) and warm (a return visit, the service
//! worker answering from its cache). A script DevTools adds to every new
//! document notes `performance.now()` when the page's `<main>` is first in the
//! DOM and after the next frame; the browser's first contentful paint (the
//! top bar, before a page's code has arrived) is the layer's figure beside it.
//! The baseline, measured in the same run and the same way, is a static page
//! of the same server with the same style sheet and no script: what the
//! browser and the loopback cost before any of the app's code.
//!
//! Run with `cargo xtask bench -- first_render`, which builds the release app
//! (`cargo xtask dist`) and the relay first.

use cwmpkit_tests::{
    copy_dir, devtools, dist_dir, start_browser, start_relay_serving, workspace_root,
};
use fantoccini::Client;
use serde_json::{Value, json};
use std::process::ExitCode;
use std::time::Duration;

/// Loads of each page in each state; the median is the figure quoted.
const RUNS: usize = 5;
/// The goal for the first render.
const GOAL_MS: f64 = 500.0;

/// The pages, by the path that opens each.
const PAGES: [(&str, &str); 6] = [
    ("Decode", "/"),
    ("Parameters", "/parameters"),
    ("Provision", "/provision"),
    ("Live", "/live"),
    ("Workspace", "/workspace"),
    ("About", "/about"),
];

/// Runs in every new document before its own scripts.
const PROBE: &str = "
    new MutationObserver((_, observer) => {
        if (window.__mainAt !== undefined || !document.querySelector('main')) return;
        window.__mainAt = performance.now();
        observer.disconnect();
        // The frame that shows it: after the next animation frame has been painted.
        requestAnimationFrame(() => setTimeout(() => { window.__shownAt = performance.now(); }, 0));
    }).observe(document, { childList: true, subtree: true });
";

const READ: &str = "
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    return { shown: window.__shownAt ?? null, paint: paint ? paint.startTime : null };
";

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    match measure().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("first_render: {message}");
            ExitCode::FAILURE
        }
    }
}

/// One load's figures: (page shown, first contentful paint), in ms from navigation start.
async fn load(client: &Client, url: &str) -> Result<(f64, f64), String> {
    client.goto(url).await.map_err(|e| e.to_string())?;
    for _ in 0..300 {
        let read = client.execute(READ, Vec::new()).await.map_err(|e| e.to_string())?;
        if let (Some(shown), Some(paint)) = (read["shown"].as_f64(), read["paint"].as_f64()) {
            return Ok((shown, paint));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("{url}: no <main> shown within 15 s"))
}

/// Forgets the site: storage, service worker, and the HTTP cache.
async fn forget(client: &Client, origin: &str) -> Result<(), String> {
    // Away from the site first: a page it controls would keep its service worker.
    client.goto("about:blank").await.map_err(|e| e.to_string())?;
    devtools(
        client,
        "Storage.clearDataForOrigin",
        json!({ "origin": origin, "storageTypes": "all" }),
    )
    .await?;
    devtools(client, "Network.clearBrowserCache", json!({})).await?;
    Ok(())
}

/// Waits until the service worker controls the page (the app registers it on its first visit).
async fn controlled(client: &Client) -> Result<(), String> {
    let script = "const done = arguments[arguments.length - 1];
        navigator.serviceWorker.ready.then(() => done(true), () => done(false));";
    let ready = client.execute_async(script, Vec::new()).await.map_err(|e| e.to_string())?;
    if ready == Value::Bool(true) { Ok(()) } else { Err("no service worker".into()) }
}

fn median(mut runs: Vec<f64>) -> f64 {
    runs.sort_by(f64::total_cmp);
    runs.get(runs.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The static baseline: the app's style sheet and a `<main>`, no script.
fn write_baseline(dist: &std::path::Path) -> Result<(), String> {
    let index = std::fs::read_to_string(dist.join("index.html")).map_err(|e| e.to_string())?;
    let sheet = index
        .lines()
        .find(|l| l.contains("rel=\"stylesheet\""))
        .ok_or("index.html links no style sheet")?;
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>baseline</title>\
         {sheet}</head><body><nav class=\"pages\"><a href=\"/\">Decode</a></nav>\
         <main class=\"about\"><h1>cwmpkit</h1><p>A static page.</p></main></body></html>"
    );
    std::fs::write(dist.join("first-render-baseline.html"), page).map_err(|e| e.to_string())
}

async fn measure() -> Result<(), String> {
    // A copy of the app with the static page beside it.
    let served = workspace_root().join(format!("target/bench-first-render-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&served);
    copy_dir(&dist_dir(), &served)?;
    write_baseline(&served)?;
    let (_relay, urls) = start_relay_serving(&served)?;
    let (_driver, client) = start_browser().await?;
    let outcome = async {
        client.set_window_size(1280, 800).await.map_err(|e| e.to_string())?;
        devtools(&client, "Page.addScriptToEvaluateOnNewDocument", json!({ "source": PROBE }))
            .await?;
        let origin = urls.base.clone();

        let mut baseline = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            forget(&client, &origin).await?;
            baseline.push(load(&client, &format!("{origin}/first-render-baseline.html")).await?.0);
        }
        let baseline = median(baseline);
        eprintln!("first_render: baseline (static page, same style sheet, cold) {baseline:.0} ms");

        let mut worst: f64 = 0.0;
        for (name, path) in PAGES {
            let url = format!("{origin}{path}");
            let (mut cold, mut cold_paint, mut warm, mut warm_paint) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for _ in 0..RUNS {
                forget(&client, &origin).await?;
                let (shown, paint) = load(&client, &url).await?;
                cold.push(shown);
                cold_paint.push(paint);
                controlled(&client).await?;
                let (shown, paint) = load(&client, &url).await?;
                warm.push(shown);
                warm_paint.push(paint);
            }
            let (cold, warm) = (median(cold), median(warm));
            worst = worst.max(cold).max(warm);
            eprintln!(
                "ratio first_render {name}: cold {cold:.0} ms (top bar painted at {:.0} ms), \
                 warm {warm:.0} ms (top bar {:.0} ms); {:.1}× / {:.1}× the static page",
                median(cold_paint),
                median(warm_paint),
                cold / baseline,
                warm / baseline,
            );
        }
        eprintln!(
            "first_render: slowest page median {worst:.0} ms; goal ≤ {GOAL_MS:.0} ms {}",
            if worst <= GOAL_MS { "met" } else { "NOT met" }
        );
        Ok(())
    }
    .await;
    let _ = client.close().await;
    let _ = std::fs::remove_dir_all(&served);
    outcome
}
