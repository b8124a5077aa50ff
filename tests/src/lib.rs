//! Harness for end-to-end tests: a real `cwmpkit serve` process serving the
//! built app, and a real headless Chromium driven through chromedriver.
//!
//! `cargo xtask test` builds both and sets `CWMPKIT_BIN` and `CWMPKIT_DIST`;
//! run alone, the harness looks in `target/debug/cwmpkit` and `dist/`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub fn workspace_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(Path::to_path_buf).unwrap_or(here)
}

/// A corpus file from `../shared/corpus`, which CI keeps beside the clone.
pub fn corpus(relative: &str) -> PathBuf {
    workspace_root().join("../shared/corpus").join(relative)
}

/// Writes an input a test opens in the browser to `target/e2e-inputs/NAME` and returns its path
/// (a file picker needs a real file).
pub fn write_input(name: &str, bytes: impl AsRef<[u8]>) -> Result<PathBuf, String> {
    let dir = workspace_root().join("target/e2e-inputs");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(name);
    std::fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// Where screenshots go, so a person can look at them after a run.
pub fn screenshot_dir() -> PathBuf {
    let dir = workspace_root().join("target/e2e-screenshots");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// A child process killed when dropped (and a directory it used removed), so a
/// failing test leaves nothing behind.
pub struct Guard(Child, Option<PathBuf>);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        if let Some(dir) = &self.1 {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Starts `cwmpkit serve` on a free loopback port and returns its base URL.
pub fn start_relay() -> Result<(Guard, String), String> {
    start_relay_with_acs().map(|(guard, relay)| (guard, relay.base))
}

/// Where a started relay can be reached.
#[derive(Debug, Clone)]
pub struct RelayUrls {
    /// The app and its API: `http://127.0.0.1:PORT`.
    pub base: String,
    /// The URL that opens the app signed in: `http://127.0.0.1:PORT/#token=…`.
    pub sign_in: String,
    /// The ACS listener, where devices post: `http://127.0.0.1:PORT` (without `/acs`).
    pub acs: String,
}

/// The built app the tests serve: `CWMPKIT_DIST`, or `dist/`.
pub fn dist_dir() -> PathBuf {
    std::env::var_os("CWMPKIT_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("dist"))
}

/// Starts `cwmpkit serve` with both listeners on free loopback ports.
pub fn start_relay_with_acs() -> Result<(Guard, RelayUrls), String> {
    start_relay_serving(&dist_dir())
}

/// Starts `cwmpkit serve` on `dist`, e.g. a copy a test changes to play a new release.
pub fn start_relay_serving(dist: &Path) -> Result<(Guard, RelayUrls), String> {
    start_relay_serving_with(dist, &[])
}

/// Starts `cwmpkit serve` with both listeners on free loopback ports and `flags` besides, e.g.
/// `--data-dir`.
pub fn start_relay_with(flags: &[&std::ffi::OsStr]) -> Result<(Guard, RelayUrls), String> {
    start_relay_serving_with(&dist_dir(), flags)
}

fn start_relay_serving_with(
    dist: &Path,
    flags: &[&std::ffi::OsStr],
) -> Result<(Guard, RelayUrls), String> {
    let bin = std::env::var_os("CWMPKIT_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/debug/cwmpkit"));
    if !bin.is_file() || !dist.join("index.html").is_file() {
        return Err(format!(
            "need the relay binary ({}) and the built app ({}): run `cargo xtask test`",
            bin.display(),
            dist.display()
        ));
    }
    let mut child = Command::new(&bin)
        .args(["serve", "--listen", "127.0.0.1:0", "--acs-listen", "127.0.0.1:0", "--dist"])
        .arg(dist)
        .args(flags)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    let stdout = child.stdout.take().ok_or("relay has no stdout")?;
    let guard = Guard(child, None);
    // Once it listens, the relay prints "cwmpkit serving … at http://ADDR/", "Open the app
    // signed in: http://ADDR/#token=…" and "ACS URL for CPEs: http://ADDR/acs".
    let mut stdout = BufReader::new(stdout);
    let mut url_on_next_line = || -> Result<String, String> {
        let mut line = String::new();
        stdout.read_line(&mut line).map_err(|e| e.to_string())?;
        line.split_whitespace()
            .find(|word| word.starts_with("http://"))
            .map(str::to_owned)
            .ok_or_else(|| format!("relay did not print its URL, said: {line:?}"))
    };
    let base = url_on_next_line()?.trim_end_matches('/').to_owned();
    let sign_in = url_on_next_line()?;
    let acs = url_on_next_line()?.trim_end_matches("/acs").to_owned();
    // The relay's event lines go on; keep reading them so that a full pipe never blocks it.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    Ok((guard, RelayUrls { base, sign_in, acs }))
}

/// Starts chromedriver on a free port and a headless Chromium session on it.
pub async fn start_browser() -> Result<(Guard, fantoccini::Client), String> {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let driver =
        Command::new(std::env::var("CHROMEDRIVER").unwrap_or("/usr/bin/chromedriver".into()))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start chromedriver (install chromium-driver): {e}"))?;
    let profile = workspace_root()
        .join("target")
        .join(format!("chromium-profile-e2e-{}-{port}", std::process::id()));
    let guard = Guard(driver, Some(profile.clone()));
    // The same flags `cargo xtask test` gives the wasm test runner.
    let mut args: Vec<String> =
        include_str!("../chromium-flags.txt").lines().map(|s| s.trim().to_owned()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({ "binary": "/usr/bin/chromium", "args": args }),
    );

    let url = format!("http://127.0.0.1:{port}");
    let mut last_error = String::new();
    // chromedriver takes a moment to listen; retry for up to ~20 s.
    for _ in 0..100 {
        match fantoccini::ClientBuilder::native()
            .capabilities(capabilities.clone())
            .connect(&url)
            .await
        {
            Ok(client) => return Ok((guard, client)),
            Err(e) => last_error = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Err(format!("cannot open a Chromium session through chromedriver: {last_error}"))
}

/// Saves a PNG of the current page under target/e2e-screenshots/.
pub async fn screenshot(client: &fantoccini::Client, name: &str) -> Result<PathBuf, String> {
    let png = client.screenshot().await.map_err(|e| e.to_string())?;
    let path = screenshot_dir().join(format!("{name}.png"));
    std::fs::write(&path, png).map_err(|e| e.to_string())?;
    Ok(path)
}

/// Ends a test's browser session: on failure first a picture of the page as it
/// was (`target/e2e-screenshots/<name>-failure.png`); gives back the outcome.
pub async fn finish(
    client: fantoccini::Client,
    name: &str,
    outcome: Result<(), String>,
) -> Result<(), String> {
    if outcome.is_err()
        && let Ok(shot) = screenshot(&client, &format!("{name}-failure")).await
    {
        eprintln!("failure screenshot: {}", shot.display());
    }
    let _ = client.close().await;
    outcome
}

/// Waits (up to 30 s) until the element `css` exists and its text passes `check`; returns the text.
/// The app renders asynchronously (files are read, schemas fetched, events streamed), so tests wait
/// for what they expect instead of sleeping.
/// How many times the waits below look, 100 ms apart: long enough for a
/// loaded CI machine, so no test depends on how fast the page is.
const POLLS: usize = 300;

pub async fn text_when(
    client: &fantoccini::Client,
    css: &str,
    check: impl Fn(&str) -> bool,
) -> Result<String, String> {
    let mut last = String::new();
    for _ in 0..POLLS {
        // The page re-renders as it goes: an element found a moment ago may be
        // replaced before its text is read (a stale reference), so look again.
        if let Ok(element) = client.find(fantoccini::Locator::Css(css)).await
            && let Ok(text) = element.text().await
        {
            last = text;
            if check(&last) {
                return Ok(last);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("{css} never matched; last text: {last:?}"))
}

/// Waits (up to 30 s) for the element `css` to be on the page.
pub async fn element(
    client: &fantoccini::Client,
    css: &str,
) -> Result<fantoccini::elements::Element, String> {
    client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(fantoccini::Locator::Css(css))
        .await
        .map_err(|e| format!("{css}: {e}"))
}

/// The attribute `name` of the element `css` on the page now (no wait), if it has one.
pub async fn attribute(
    client: &fantoccini::Client,
    css: &str,
    name: &str,
) -> Result<Option<String>, String> {
    let found =
        client.find(fantoccini::Locator::Css(css)).await.map_err(|e| format!("{css}: {e}"))?;
    found.attr(name).await.map_err(|e| format!("{css}: {e}"))
}

/// Clicks `css`, finding it again if the page replaced it between the find
/// and the click (a stale reference).
pub async fn click(client: &fantoccini::Client, css: &str) -> Result<(), String> {
    let mut last = String::new();
    for _ in 0..5 {
        match element(client, css).await?.click().await {
            Ok(()) => return Ok(()),
            Err(e) if e.to_string().contains("stale element") => last = e.to_string(),
            Err(e) => return Err(format!("{css}: {e}")),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("{css}: {last}"))
}

/// Replaces the text of the input that matches `css`, waiting for it to appear.
pub async fn replace_text(
    client: &fantoccini::Client,
    css: &str,
    text: &str,
) -> Result<(), String> {
    let element = element(client, css).await?;
    element.clear().await.map_err(|e| e.to_string())?;
    element.send_keys(text).await.map_err(|e| e.to_string())
}

/// Waits until nothing on the page matches `css`.
pub async fn gone(client: &fantoccini::Client, css: &str) -> Result<(), String> {
    for _ in 0..POLLS {
        if client.find(fantoccini::Locator::Css(css)).await.is_err() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("{css} is still on the page"))
}

/// The violations axe-core finds on the current page against WCAG 2.1 A and AA
/// (`cargo xtask setup` installs axe-core from npm into target/tools/axe), one
/// line each: rule, help, and the first offending elements.
pub async fn accessibility_violations(client: &fantoccini::Client) -> Result<Vec<String>, String> {
    let path = workspace_root().join("target/tools/axe/node_modules/axe-core/axe.min.js");
    let axe = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: {e} (run `cargo xtask setup`)", path.display()))?;
    client.execute(&axe, Vec::new()).await.map_err(|e| format!("injecting axe-core: {e}"))?;
    let script = "const done = arguments[arguments.length - 1];
        axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
          .then(r => done(r.violations.map(v => `${v.id}: ${v.help} (${v.nodes.length}: ${
              v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')})`)))
          .catch(e => done(['axe failed: ' + e]));";
    let found = client
        .execute_async(script, Vec::new())
        .await
        .map_err(|e| format!("running axe-core: {e}"))?;
    Ok(found
        .as_array()
        .map(|list| list.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default())
}

/// A Chrome DevTools Protocol command, through chromedriver's `goog/cdp/execute`.
#[derive(Debug)]
struct Cdp {
    method: String,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/goog/cdp/execute", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({ "cmd": self.method, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Sends a DevTools command to the browser (e.g. `Storage.overrideQuotaForOrigin`).
pub async fn devtools(
    client: &fantoccini::Client,
    method: &str,
    params: serde_json::Value,
) -> Result<serde_json::Value, String> {
    client
        .issue_cmd(Cdp { method: method.to_owned(), params })
        .await
        .map_err(|e| format!("{method}: {e}"))
}

/// Copies a directory tree (a built app a test may change).
pub fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .map_err(|e| format!("{}: {e}", target.display()))?;
        }
    }
    Ok(())
}

/// One request of a simulated CPE to the relay's ACS listener at `base`, on a connection of its
/// own: `METHOD PATH`, extra header lines (each ending in CRLF), the body. Gives (status, head, body).
fn cpe_request(
    base: &str,
    request_line: &str,
    headers: &str,
    body: &[u8],
) -> Result<(u16, String, String), String> {
    let address = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).map_err(|e| e.to_string())?;
    let head = format!(
        "{request_line} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n{headers}Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).map_err(|e| e.to_string())?;
    stream.write_all(body).map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).map_err(|e| e.to_string())?;
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").ok_or("no HTTP head")?;
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or("no status")?;
    Ok((status, head.to_owned(), body.to_owned()))
}

/// One POST of a simulated CPE to the relay's ACS at `base`: (status, Set-Cookie value, body).
pub fn cpe_post(
    base: &str,
    cookie: Option<&str>,
    body: &[u8],
) -> Result<(u16, Option<String>, String), String> {
    let cookie = cookie.map(|c| format!("Cookie: {c}\r\n")).unwrap_or_default();
    let headers = format!("Content-Type: text/xml\r\n{cookie}");
    let (status, head, body) = cpe_request(base, "POST /acs", &headers, body)?;
    let set_cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    Ok((status, set_cookie, body))
}

/// A simulated CPE's upload (`PUT /uploads/NAME`, as a phone sends its config backup) to the
/// relay's ACS listener at `base`: (status, body).
pub fn cpe_upload(base: &str, name: &str, body: &[u8]) -> Result<(u16, String), String> {
    let request_line = format!("PUT /uploads/{name}");
    let headers = "Content-Type: application/octet-stream\r\n";
    let (status, _head, body) = cpe_request(base, &request_line, headers, body)?;
    Ok((status, body))
}
