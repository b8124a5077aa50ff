//! The app as a daily tool, in a real headless Chromium: what the user opens
//! is kept (a capture, a parameter set with edits, a CSV project) and found
//! again after a reload; URLs reopen selections and Back returns to them; a
//! full quota loses nothing; a new release takes effect on the next reload
//! and says so; with the server gone the app still loads and decodes; every
//! page passes axe-core in both themes and is walked with the keyboard; and
//! every page is photographed in both themes, wide and 400 px narrow.

// The test is the host: it reads corpus files and writes inputs.
#![allow(clippy::disallowed_methods)]

use cwmpkit_tests::{
    Guard, accessibility_violations, click, copy_dir, corpus, cpe_post, devtools, dist_dir,
    element, finish, screenshot, start_browser, start_relay_serving, text_when, workspace_root,
    write_input,
};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::json;
use std::path::{Path, PathBuf};

type TestResult = Result<(), String>;

const INTERVAL: &str = "InternetGatewayDevice.ManagementServer.PeriodicInformInterval";
const DUMP: &str = "datamodel-dumps/genieacs-sim/data_model_202BC1-BM632w-8KA8WA1151100043.csv";
const DUMP_NAME: &str = "data_model_202BC1-BM632w-8KA8WA1151100043.csv";

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

async fn open_file(client: &Client, input: &str, file: &Path) -> TestResult {
    let file = file.canonicalize().map_err(|e| format!("{}: {e}", file.display()))?;
    element(client, input).await?.send_keys(&file.display().to_string()).await.map_err(err)
}

/// Puts text into the Decode page's input the way a paste does.
async fn paste(client: &Client, text: &str) -> TestResult {
    element(client, "#soap-input").await?;
    client
        .execute(
            "const area = document.getElementById('soap-input');
             area.value = arguments[0];
             area.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![json!(text)],
        )
        .await
        .map(|_| ())
        .map_err(err)
}

/// The value of one query parameter of the page's URL, once it has one.
async fn query_param(client: &Client, key: &str) -> Result<String, String> {
    for _ in 0..300 {
        let url = client.current_url().await.map_err(err)?;
        if let Some((_, value)) = url.query_pairs().find(|(k, _)| k == key) {
            return Ok(value.into_owned());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Err(format!("the URL never named `{key}`"))
}

/// Waits until the URL's `key` is `value`.
async fn param_is(client: &Client, key: &str, value: &str) -> TestResult {
    let mut last = None;
    for _ in 0..300 {
        let url = client.current_url().await.map_err(err)?;
        last = url.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned());
        if last.as_deref() == Some(value) {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Err(format!("the URL's `{key}` stayed {last:?}, not {value}"))
}

/// Waits until at least `n` items are kept, and returns the list's text.
async fn kept_items(client: &Client, n: usize) -> Result<String, String> {
    for _ in 0..300 {
        let items = client.find_all(Locator::Css("#workspace-items li.item")).await.map_err(err)?;
        // The list may re-render between the count and the read: read again then.
        if items.len() >= n
            && let Ok(text) = element(client, "#workspace-items").await?.text().await
        {
            return Ok(text);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Err(format!("the workspace never listed {n} items"))
}

/// Keys pressed on whatever has focus, as a person presses them (WebDriver
/// actions: an element's send_keys would treat a file input's keys as a path).
async fn keys(client: &Client, text: &str) -> TestResult {
    let mut actions = KeyActions::new("keyboard".to_owned());
    for key in text.chars() {
        actions = actions.then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key });
    }
    client.perform_actions(actions).await.map_err(err)
}

async fn nav(client: &Client, path: &str) -> TestResult {
    click(client, &format!("nav.pages a[href='{path}']")).await
}

fn inform() -> Result<String, String> {
    std::fs::read_to_string(corpus("soap/cwmp_ex/inform-vmg.xml"))
        .map_err(|e| format!("corpus: {e}"))
}

fn phones_csv() -> Result<PathBuf, String> {
    write_input(
        "phones.csv",
        "mac,sip line1 auth name,sip line1 password\n\
         00:08:5D:00:00:01,2001,pw1\n\
         00085D000002,2002,pw2\n\
         not-a-mac,2003,pw3\n",
    )
}

/// A parameter set opened and edited, a CSV project and a pasted capture:
/// each kept, each reopened as it was after a reload.
async fn three_items_survive_a_reload(client: &Client, base: &str) -> TestResult {
    client.goto(&format!("{base}/parameters")).await.map_err(err)?;
    open_file(client, "#params-file", &corpus(DUMP)).await?;
    text_when(client, "#params-report", |t| t.contains("known to tr-098")).await?;
    let set = query_param(client, "set").await?;
    let filter = element(client, "#params-filter").await?;
    filter.send_keys(INTERVAL).await.map_err(err)?;
    text_when(client, "#params-table tbody", |t| t.lines().count() == 1).await?;
    click(client, "#params-table .edit-value").await?;
    let field = element(client, "#params-table .edit-input").await?;
    field.clear().await.map_err(err)?;
    field.send_keys(&format!("600{}", Key::Enter)).await.map_err(err)?;
    text_when(client, "#params-edits", |t| t.contains("600")).await?;

    // In-app navigation from here on: the page is not unloaded while it saves.
    nav(client, "/provision").await?;
    element(client, "#mac").await?.send_keys("00:08:5D:1A:2B:3C").await.map_err(err)?;
    text_when(client, "#project-status", |t| t.contains("kept in the workspace")).await?;
    let project = query_param(client, "project").await?;
    open_file(client, "#bulk-csv", &phones_csv()?).await?;
    text_when(client, "#bulk-summary", |t| t.starts_with("2 files from 3 rows")).await?;

    nav(client, "/").await?;
    paste(client, &inform()?).await?;
    text_when(client, ".rpc-name", |t| t == "Inform").await?;
    let capture = query_param(client, "capture").await?;

    nav(client, "/workspace").await?;
    let listed = kept_items(client, 3).await?;
    assert!(listed.contains(DUMP_NAME), "{listed}");
    assert!(listed.contains("provisioning "), "{listed}");
    assert!(listed.contains("pasted "), "{listed}");
    let estimate = text_when(client, "#storage-estimate", |t| !t.is_empty()).await?;
    assert!(estimate.starts_with("This site uses "), "{estimate}");

    client.refresh().await.map_err(err)?;
    let listed = kept_items(client, 3).await?;
    assert!(listed.contains(DUMP_NAME) && listed.contains("provisioning "), "{listed}");

    click(client, &format!("#workspace-items a[href='/parameters?set={set}']")).await?;
    let edits = text_when(client, "#params-edits", |t| t.contains("600")).await?;
    assert!(edits.to_lowercase().contains("pending changes (1)"), "{edits}");
    text_when(client, "#edit-soap", |t| t.contains(">600</Value>")).await?;

    client.back().await.map_err(err)?;
    click(client, &format!("#workspace-items a[href='/provision?project={project}']")).await?;
    text_when(client, "#bulk-summary", |t| t.starts_with("2 files from 3 rows")).await?;
    let mac = element(client, "#mac").await?.prop("value").await.map_err(err)?;
    assert_eq!(mac.as_deref(), Some("00:08:5D:1A:2B:3C"));

    client.back().await.map_err(err)?;
    click(client, &format!("#workspace-items a[href='/?capture={capture}']")).await?;
    text_when(client, ".rpc-name", |t| t == "Inform").await?;
    text_when(client, "#device-id [data-field=manufacturer]", |t| t == "ZyXEL").await?;
    Ok(())
}

/// A capture's selected message is in the URL: a reload keeps it, and Back
/// returns to the message read before.
async fn selections_are_links_and_back_returns_to_them(client: &Client, base: &str) -> TestResult {
    client.goto(base).await.map_err(err)?;
    open_file(client, "#file-input", &corpus("pcap/magma/dp_enb_tr069.pcap")).await?;
    text_when(client, "#report-summary", |t| t.contains("3 sessions")).await?;
    let capture = query_param(client, "capture").await?;
    // The keyboard: to the second session, then its third message.
    element(client, "#sessions .session-card").await?.click().await.map_err(err)?;
    keys(client, &format!("{}{}", Key::Down, Key::Enter)).await?;
    param_is(client, "session", "1").await?;
    text_when(client, "#sessions .session-card.selected", |t| t.contains("12 messages")).await?;
    element(client, "#timeline .timeline-row.selected").await?.click().await.map_err(err)?;
    keys(client, &format!("{}{}{}", Key::Down, Key::Down, Key::Enter)).await?;
    param_is(client, "message", "2").await?;
    let rpc = text_when(client, ".rpc-name", |t| !t.is_empty()).await?;
    let selected =
        text_when(client, "#timeline .timeline-row.selected .rpc", |t| !t.is_empty()).await?;
    assert_eq!(selected, rpc);

    // On to the next message, then Back to this one.
    keys(client, &format!("{}{}", Key::Down, Key::Enter)).await?;
    text_when(client, "#timeline .timeline-row.selected .rpc", |t| t != rpc).await?;
    param_is(client, "message", "3").await?;
    client.back().await.map_err(err)?;
    param_is(client, "message", "2").await?;
    text_when(client, "#timeline .timeline-row.selected .rpc", |t| t == rpc).await?;

    client.goto(&format!("{base}/?capture={capture}&session=1&message=2")).await.map_err(err)?;
    text_when(client, "#timeline .timeline-row.selected .rpc", |t| t == rpc).await?;
    text_when(client, ".rpc-name", |t| t == rpc).await?;
    Ok(())
}

/// 300 KB that do not compress (the browser counts stored bytes after compression).
fn incompressible_file() -> Result<PathBuf, String> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let bytes: Vec<u8> = (0..300_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    write_input("noise.bin", bytes)
}

/// With the quota nearly used up, a file too big to keep says what did not
/// fit, and what was kept before is all still there. Its own browser: the
/// browser remembers how much room it granted a site, so the quota is set
/// before the site first writes to its IndexedDB.
async fn a_full_quota_loses_nothing(client: &Client, base: &str) -> TestResult {
    client.goto(&format!("{base}/about")).await.map_err(err)?;
    text_when(client, "#about-offline", |t| t.starts_with("Available offline")).await?;
    let usage = devtools(client, "Storage.getUsageAndQuota", json!({ "origin": base })).await?;
    let usage = usage["usage"].as_f64().ok_or("no usage figure")?;
    devtools(
        client,
        "Storage.overrideQuotaForOrigin",
        json!({ "origin": base, "quotaSize": usage + 150_000.0 }),
    )
    .await?;
    nav(client, "/").await?;
    paste(client, &inform()?).await?;
    query_param(client, "capture").await?;
    nav(client, "/workspace").await?;
    let before = kept_items(client, 1).await?;

    nav(client, "/").await?;
    open_file(client, "#file-input", &incompressible_file()?).await?;
    let problem = text_when(client, "#storage-problem", |t| t.contains("did not fit")).await?;
    assert!(problem.contains("noise.bin (300 KB) did not fit"), "{problem}");
    assert!(problem.contains("Nothing stored before was lost"), "{problem}");
    // Shown all the same, only not kept: the URL names no capture. Nothing in it decodes, so
    // the page says so instead of "decoded", and shows the error without empty panes.
    text_when(client, "#decode-status", |t| t.contains("noise.bin: 300 KB read, and nothing"))
        .await?;
    text_when(client, "#capture-error", |t| t.contains("not a pcap")).await?;
    let filter = client.find(Locator::Css("#filter-device")).await.map_err(err)?;
    assert!(
        !filter.is_displayed().await.map_err(err)?,
        "empty panes shown for an undecodable file"
    );
    let url = client.current_url().await.map_err(err)?;
    assert!(!url.as_str().contains("capture="), "{url}");
    screenshot(client, "storage-quota").await?;
    nav(client, "/workspace").await?;
    let after = kept_items(client, 1).await?;
    assert_eq!(after, before, "a refused write changes nothing kept");
    devtools(client, "Storage.overrideQuotaForOrigin", json!({ "origin": base })).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_quota_says_what_did_not_fit_and_loses_nothing() -> TestResult {
    let (_relay, urls) = start_relay_serving(&dist_dir())?;
    let (_driver, client) = start_browser().await?;
    let outcome = a_full_quota_loses_nothing(&client, &urls.base).await;
    finish(client, "quota", outcome).await
}

/// The build stamped in index.html and sw.js: a new release is a new build.
fn stamped_build(dist: &Path) -> Result<String, String> {
    let index = std::fs::read_to_string(dist.join("index.html")).map_err(err)?;
    let (_, rest) =
        index.split_once(r#"name="cwmpkit-build" content=""#).ok_or("no build stamp")?;
    Ok(rest.split('"').next().unwrap_or_default().to_owned())
}

/// Plays a release: the same files under a new build, as `cargo xtask dist` would stamp them.
fn release(dist: &Path, from: &str, to: &str) -> TestResult {
    for name in ["index.html", "sw.js"] {
        let path = dist.join(name);
        let text = std::fs::read_to_string(&path).map_err(err)?;
        std::fs::write(&path, text.replace(from, to)).map_err(err)?;
    }
    Ok(())
}

/// Kept for offline use, updated on the next reload (and said so), and with
/// the server gone: the app loads, decodes a pasted Inform, and checks a kept
/// set against its model from the kept schemas.
async fn updates_and_offline(
    client: &Client,
    base: &str,
    served: &Path,
    relay: Guard,
) -> TestResult {
    client.goto(&format!("{base}/about")).await.map_err(err)?;
    text_when(client, "#about-offline", |t| t.starts_with("Available offline")).await?;
    let old = stamped_build(served)?;
    let new = "0123456789abcdef";
    release(served, &old, new)?;

    // The reload still runs the kept version; the new one installs meanwhile.
    client.refresh().await.map_err(err)?;
    let notice = text_when(client, "#update-notice", |t| t.contains("new version")).await?;
    assert!(notice.contains("takes effect when you reload"), "{notice}");
    screenshot(client, "update-ready").await?;
    client.refresh().await.map_err(err)?;
    text_when(client, "#about-version", |t| t.contains(new)).await?;
    text_when(client, "#update-notice", |t| t.contains(&format!("running build {new}"))).await?;
    text_when(client, "#about-offline", |t| t.starts_with("Available offline")).await?;

    nav(client, "/workspace").await?;
    let set = element(client, "#workspace-items a[href^='/parameters?set=']").await?;
    let set_link = set.attr("href").await.map_err(err)?.unwrap_or_default();

    drop(relay);
    client.goto(&format!("{base}/")).await.map_err(err)?;
    paste(client, &inform()?).await?;
    text_when(client, ".rpc-name", |t| t == "Inform").await?;
    text_when(client, "#device-id [data-field=oui]", |t| t == "4C9EFF").await?;
    screenshot(client, "offline-decode").await?;
    client.goto(&format!("{base}{set_link}")).await.map_err(err)?;
    text_when(client, "#params-report", |t| t.contains("known to tr-098")).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workspace_survives_reloads_updates_and_going_offline() -> TestResult {
    // A copy of the app: the test plays a release by changing it.
    let served = workspace_root().join(format!("target/e2e-dist-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&served);
    copy_dir(&dist_dir(), &served)?;
    let (relay, urls) = start_relay_serving(&served)?;
    let base = urls.base.clone();
    let (_driver, client) = start_browser().await?;
    let outcome = async {
        three_items_survive_a_reload(&client, &base).await?;
        selections_are_links_and_back_returns_to_them(&client, &base).await?;
        updates_and_offline(&client, &base, &served, relay).await
    }
    .await;
    let _ = std::fs::remove_dir_all(&served);
    finish(client, "app", outcome).await
}

/// What has focus, and whether it shows it: an outline or a shadow on the
/// element, or for a file input (visually hidden), on its label.
const FOCUS_PROBE: &str = "
    const el = document.activeElement;
    if (!el || el === document.body) return { name: 'body', shown: false };
    const shows = (e) => {
        if (!e) return false;
        const s = getComputedStyle(e);
        return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none';
    };
    const label = el.type === 'file' ? document.querySelector(`label[for='${el.id}']`) : null;
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') +
        ' ' + (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 30);
    return { name, shown: shows(el) || shows(label) };
";

/// Tabs through the page from its start, up to `steps` times or to its end;
/// every stop must show its focus. Returns the names of the stops.
async fn walk_with_tab(client: &Client, page: &str, steps: usize) -> Result<Vec<String>, String> {
    client
        .execute("document.activeElement && document.activeElement.blur()", Vec::new())
        .await
        .map_err(err)?;
    let mut stops = Vec::new();
    for _ in 0..steps {
        keys(client, &Key::Tab.to_string()).await?;
        let probe = client.execute(FOCUS_PROBE, Vec::new()).await.map_err(err)?;
        let name = probe["name"].as_str().unwrap_or_default().to_owned();
        if name == "body" {
            break;
        }
        if probe["shown"].as_bool() != Some(true) {
            return Err(format!(
                "{page}: the focus on `{name}` is not visible (stops so far: {stops:?})"
            ));
        }
        stops.push(name);
    }
    Ok(stops)
}

/// A screenshot of the whole page at `width`, not only what the window shows:
/// the window is made as tall as the page (up to 8,000 px) for the shot.
async fn whole_page(client: &Client, width: u32, name: &str) -> TestResult {
    let (_, window_height) = client.get_window_size().await.map_err(err)?;
    // The browser's own bars, and the page's height.
    let sizes = client
        .execute(
            "return [window.outerHeight - window.innerHeight, document.documentElement.scrollHeight]",
            Vec::new(),
        )
        .await
        .map_err(err)?;
    let chrome = sizes[0].as_u64().unwrap_or(0);
    let page = sizes[1].as_u64().unwrap_or(800);
    let height = u32::try_from((page + chrome).min(8000)).unwrap_or(8000);
    client.set_window_size(width, height).await.map_err(err)?;
    screenshot(client, name).await?;
    client.set_window_size(width, u32::try_from(window_height).unwrap_or(800)).await.map_err(err)
}

async fn set_theme(client: &Client, theme: &str) -> TestResult {
    element(client, "#theme").await?.select_by_value(theme).await.map_err(err)?;
    let applied = client
        .execute("return document.documentElement.dataset.theme || 'system'", Vec::new())
        .await
        .map_err(err)?;
    if applied.as_str() == Some(theme) {
        Ok(())
    } else {
        Err(format!("theme {theme} not applied: {applied}"))
    }
}

/// What sticks out past the window's right edge (nothing may, but what
/// scrolls inside its own box, like a wide table): the innermost such
/// elements, empty when the page fits the window's width.
async fn wider_than_window(client: &Client) -> Result<Vec<String>, String> {
    let found = client
        .execute(
            "if (document.documentElement.scrollWidth <= window.innerWidth + 1) return [];
             const scrolls = (e) => ['auto', 'scroll', 'hidden'].includes(getComputedStyle(e).overflowX);
             const out = [];
             const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                 (typeof e.className === 'string' && e.className ? '.' + e.className.split(' ').join('.') : '');
             // The innermost elements that stick out, not inside a box that scrolls.
             const walk = (e) => {
                 let found = false;
                 for (const child of e.children) {
                     const sticksOut = child.getBoundingClientRect().right > window.innerWidth + 1;
                     const inner = scrolls(child) ? false : walk(child);
                     if (sticksOut && !inner) out.push(name(child));
                     found = found || sticksOut || inner;
                 }
                 return found;
             };
             walk(document.body);
             return out.slice(0, 5);",
            Vec::new(),
        )
        .await
        .map_err(err)?;
    Ok(found
        .as_array()
        .map(|list| list.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default())
}

/// The keyboard alone: `/` to a page's filter, arrows through lists, Enter to open or apply.
async fn keyboard_habits(client: &Client, base: &str) -> TestResult {
    client.goto(&format!("{base}/parameters")).await.map_err(err)?;
    open_file(client, "#params-file", &corpus(DUMP)).await?;
    text_when(client, "#params-report", |t| t.contains("known to")).await?;
    client.execute("document.activeElement.blur()", Vec::new()).await.map_err(err)?;
    keys(client, "/").await?;
    let focused =
        client.execute("return document.activeElement.id", Vec::new()).await.map_err(err)?;
    assert_eq!(focused, json!("params-filter"), "`/` focuses the filter");
    keys(client, INTERVAL).await?;
    text_when(client, "#params-table tbody", |t| t.lines().count() == 1).await?;
    // Tab to the row's edit button, Enter opens the editor with focus in it,
    // Enter applies.
    for _ in 0..10 {
        keys(client, &Key::Tab.to_string()).await?;
        let class = client
            .execute("return document.activeElement.className", Vec::new())
            .await
            .map_err(err)?;
        if class.as_str().is_some_and(|c| c.contains("edit-value")) {
            break;
        }
    }
    keys(client, &Key::Enter.to_string()).await?;
    let editing =
        client.execute("return document.activeElement.className", Vec::new()).await.map_err(err)?;
    assert!(
        editing.as_str().is_some_and(|c| c.contains("edit-input")),
        "focus in the editor: {editing}"
    );
    // The value is selected: typing replaces it.
    keys(client, &format!("{}{}", "7", Key::Enter)).await?;
    let edits =
        text_when(client, "#params-edits", |t| t.to_lowercase().contains("pending changes (1)"))
            .await?;
    assert!(edits.split_whitespace().any(|word| word == "7"), "{edits}");

    client.goto(&format!("{base}/workspace")).await.map_err(err)?;
    kept_items(client, 1).await?;
    client.execute("document.activeElement.blur()", Vec::new()).await.map_err(err)?;
    keys(client, "/").await?;
    let focused =
        client.execute("return document.activeElement.id", Vec::new()).await.map_err(err)?;
    assert_eq!(focused, json!("workspace-filter"));
    keys(client, "data_model").await?;
    keys(client, &Key::Tab.to_string()).await?;
    // Past the Clear button to the list, then the arrow keys walk it.
    while !client
        .execute("return document.activeElement.classList.contains('item-open')", Vec::new())
        .await
        .map_err(err)?
        .as_bool()
        .unwrap_or(false)
    {
        keys(client, &Key::Tab.to_string()).await?;
    }
    keys(client, &Key::End.to_string()).await?;
    keys(client, &Key::Home.to_string()).await?;
    let first = client
        .execute("return document.activeElement.getAttribute('href')", Vec::new())
        .await
        .map_err(err)?;
    keys(client, &Key::Enter.to_string()).await?;
    let href = first.as_str().unwrap_or_default().to_owned();
    for _ in 0..300 {
        let url = client.current_url().await.map_err(err)?;
        if url.as_str().ends_with(&href) {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Err(format!("Enter on a kept item did not open {href}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_by_keyboard_in_both_themes_wide_and_narrow() -> TestResult {
    let (_relay, urls) = start_relay_serving(&dist_dir())?;
    let base = urls.base.clone();
    let (_driver, client) = start_browser().await?;
    let outcome = async {
        keyboard_habits(&client, &base).await?;
        // Something on every page: a capture, a project, the set opened above.
        client.goto(&base).await.map_err(err)?;
        open_file(&client, "#file-input", &corpus("pcap/magma/dp_enb_tr069.pcap")).await?;
        text_when(&client, "#report-summary", |t| t.contains("3 sessions")).await?;
        let capture = query_param(&client, "capture").await?;
        client.goto(&format!("{base}/provision")).await.map_err(err)?;
        open_file(&client, "#bulk-csv", &phones_csv()?).await?;
        let project = query_param(&client, "project").await?;
        text_when(&client, "#bulk-summary", |t| t.starts_with("2 files")).await?;
        client.goto(&format!("{base}/workspace")).await.map_err(err)?;
        let set = element(&client, "#workspace-items a[href^='/parameters?set=']").await?;
        let set = set.attr("href").await.map_err(err)?.unwrap_or_default();
        // Signed in, and a device that has informed and ended its session.
        client.goto(&urls.sign_in).await.map_err(err)?;
        let inform = std::fs::read(corpus("soap/cwmp_ex/inform-2601.xml")).map_err(err)?;
        let (status, cookie, body) = cpe_post(&urls.acs, None, &inform)?;
        assert_eq!(status, 200, "{body}");
        let (status, _, body) = cpe_post(&urls.acs, cookie.as_deref(), b"")?;
        assert_eq!(status, 204, "{body}");

        let pages = [
            ("decode", format!("/?capture={capture}&session=1&message=3"), ".rpc-name"),
            ("parameters", format!("{set}&filter=ManagementServer"), "#params-report"),
            ("provision", format!("/provision?project={project}"), "#bulk-summary"),
            ("live", "/live".to_owned(), "#live-devices .device-open"),
            ("workspace", "/workspace".to_owned(), "#workspace-items"),
            ("about", "/about".to_owned(), "#licence-table"),
        ];
        let mut problems = Vec::new();
        for (name, path, ready) in &pages {
            client.set_window_size(1280, 800).await.map_err(err)?;
            client.goto(&format!("{base}{path}")).await.map_err(err)?;
            element(&client, ready).await?;
            let stops = walk_with_tab(&client, name, 16).await?;
            assert!(stops.iter().any(|s| s.contains("skip-link")), "{name}: {stops:?}");
            // Past the top bar's nine stops, into the page.
            assert!(stops.len() > 9, "{name}: the keyboard never reaches the page: {stops:?}");
            for theme in ["light", "dark"] {
                set_theme(&client, theme).await?;
                let violations = accessibility_violations(&client).await?;
                problems.extend(violations.into_iter().map(|v| format!("{name}, {theme}: {v}")));
                screenshot(&client, &format!("{name}-{theme}")).await?;
                whole_page(&client, 1280, &format!("{name}-{theme}-whole")).await?;
                client.set_window_size(400, 900).await.map_err(err)?;
                let violations = accessibility_violations(&client).await?;
                problems.extend(
                    violations.into_iter().map(|v| format!("{name}, {theme}, 400 px: {v}")),
                );
                let wide = wider_than_window(&client).await?;
                if !wide.is_empty() {
                    problems.push(format!("{name}, {theme}: wider than a 400 px window: {wide:?}"));
                }
                screenshot(&client, &format!("{name}-{theme}-400px")).await?;
                whole_page(&client, 400, &format!("{name}-{theme}-400px-whole")).await?;
                client.set_window_size(1280, 800).await.map_err(err)?;
            }
            set_theme(&client, "system").await?;
        }
        if problems.is_empty() { Ok(()) } else { Err(problems.join("\n")) }
    }
    .await;
    finish(client, "pages", outcome).await
}
