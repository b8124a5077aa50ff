//! The Live page in a real headless Chromium, against a real relay: a CPE (played by this test
//! with real corpus messages) informs, the engineer queues an RPC on the page, the CPE fetches
//! and answers it, and the page shows every step as it happens; then a plan made on the
//! Parameters page is handed to the Live page, queued on the device, fetched by it, and exported
//! for GenieACS; the relay recorded the sessions, and the page's "Open in Decode" shows the
//! recording on the Decode page.

// The test is the host: it reads corpus files.
#![allow(clippy::disallowed_methods)]

use cwmpkit_tests::{
    RelayUrls, accessibility_violations, click, corpus, cpe_post, cpe_upload, finish, replace_text,
    screenshot, start_browser, start_relay_with, text_when, workspace_root,
};
use fantoccini::{Client, Locator};
use std::ffi::OsStr;

type TestResult = Result<(), String>;

const DEVICE: &str = "EC43F6-P-2601HN-F1-EC43F69AF408";
const INTERVAL: &str = "InternetGatewayDevice.ManagementServer.PeriodicInformInterval";

async fn a_cpe_session_is_driven_from_the_page(client: &Client, relay: &RelayUrls) -> TestResult {
    // Signed in by the URL the relay printed, then on to the Live page.
    client.goto(&relay.sign_in).await.map_err(|e| e.to_string())?;
    text_when(client, ".brand", |t| t.contains("cwmpkit")).await?;
    let url = client.current_url().await.map_err(|e| e.to_string())?;
    assert_eq!(url.fragment(), None, "the token leaves the address bar");
    client.goto(&format!("{}/live", relay.base)).await.map_err(|e| e.to_string())?;
    let base = relay.acs.as_str();
    text_when(client, "#live-acs-url", |t| t.contains(&format!("{base}/acs"))).await?;
    text_when(client, "#live-devices", |t| t.contains("No device")).await?;
    // From here on, what the page fetches: events must not make it fetch every device again.
    client
        .execute(
            "performance.setResourceTimingBufferSize(10000); performance.clearResourceTimings();",
            Vec::new(),
        )
        .await
        .map_err(|e| e.to_string())?;

    let inform =
        std::fs::read(corpus("soap/cwmp_ex/inform-2601.xml")).map_err(|e| e.to_string())?;
    let (status, cookie, body) = cpe_post(base, None, &inform)?;
    assert_eq!(status, 200, "{body}");
    let cookie = cookie.ok_or("no session cookie")?;

    text_when(client, "#live-devices", |t| t.contains(DEVICE)).await?;
    text_when(client, "#live-log", |t| t.contains("CPE → ACS Inform")).await?;
    text_when(client, "#live-device", |t| t.contains("InternetGatewayDevice.")).await?;

    let argument = client.find(Locator::Css("#live-argument")).await.map_err(|e| e.to_string())?;
    argument.clear().await.map_err(|e| e.to_string())?;
    argument.send_keys("InternetGatewayDevice.DeviceInfo.").await.map_err(|e| e.to_string())?;
    client
        .find(Locator::Css("#live-queue"))
        .await
        .map_err(|e| e.to_string())?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    let queued = text_when(client, "#live-outcome", |t| t.contains("queued as")).await?;
    let id = queued.split_whitespace().nth(2).ok_or("no id")?.trim_end_matches(':').to_owned();

    // The CPE's empty POST fetches the queued request; it answers with real values.
    let (status, _, request) = cpe_post(base, Some(&cookie), b"")?;
    assert_eq!(status, 200);
    assert!(request.contains("GetParameterValues") && request.contains(&id), "{request}");
    let response = std::fs::read_to_string(corpus("soap/freeacs/GetParameterValuesResponse.xml"))
        .map_err(|e| e.to_string())?
        .replace("FREEACS-0", &id);
    let (status, _, _) = cpe_post(base, Some(&cookie), response.as_bytes())?;
    assert_eq!(status, 204);

    let log = text_when(client, "#live-log", |t| t.contains("session ended")).await?;
    assert!(log.contains(&format!("GetParameterValues {id}: GetParameterValuesResponse")), "{log}");
    text_when(client, "#live-devices", |t| t.contains("idle")).await?;
    the_page_fetched_only_the_device_events_named(client).await?;

    let shot = screenshot(client, "live").await?;
    println!("screenshot: {}", shot.display());
    the_device_sessions_show_inline(client, &id).await?;
    an_upload_is_listed_and_downloads(client, relay).await?;
    the_device_sessions_open_in_decode(client, &id).await?;
    a_plan_goes_from_the_parameters_page_to_the_device(client, relay).await?;
    the_recording_opens_in_decode(client).await
}

/// A whole session's events (its start, each message, the RPC's result, its end) made the page
/// fetch the device they name, and never the list of every device: with a fleet, each event
/// would otherwise cost a fetch of all of them.
async fn the_page_fetched_only_the_device_events_named(client: &Client) -> TestResult {
    let paths = client
        .execute(
            "return performance.getEntriesByType('resource')\
               .map(e => new URL(e.name).pathname)\
               .filter(p => p.startsWith('/api/devices'));",
            Vec::new(),
        )
        .await
        .map_err(|e| e.to_string())?;
    let paths: Vec<String> = serde_json::from_value(paths).map_err(|e| e.to_string())?;
    println!("the page's device fetches during the session: {paths:?}");
    let list = paths.iter().filter(|p| p.trim_end_matches('/') == "/api/devices").count();
    assert_eq!(list, 0, "the device list was fetched again: {paths:?}");
    let device = format!("/api/devices/{DEVICE}");
    assert!(paths.iter().any(|p| p == &device), "the event's device was fetched: {paths:?}");
    assert!(
        paths.iter().all(|p| p.starts_with(&device)),
        "only the device the events named: {paths:?}"
    );
    Ok(())
}

/// The device panel decodes the relay's history of the device in the page, with the Decode
/// page's views: it decoded again when the session ended, so the timeline holds the queued RPC's
/// answer; the Inform opens in the message view, with its device and its event.
async fn the_device_sessions_show_inline(client: &Client, id: &str) -> TestResult {
    let sessions = text_when(client, "#live-sessions", |t| t.contains("EC43F69AF408")).await?;
    assert!(sessions.contains("2 PERIODIC"), "the Inform's events: {sessions}");
    let timeline =
        text_when(client, "#live-timeline", |t| t.contains("GetParameterValuesResponse")).await?;
    assert!(timeline.contains("Inform") && timeline.contains(id), "{timeline}");
    let message = text_when(client, "#live-message", |t| t.contains("EC43F69AF408")).await?;
    assert!(message.contains("Inform") && message.contains("2 PERIODIC"), "{message}");
    // Another message of the timeline opens in place.
    click(client, "#live-timeline .timeline-row[data-message=\"3\"]").await?;
    text_when(client, "#live-message", |t| t.contains("GetParameterValuesResponse")).await?;
    let violations = accessibility_violations(client).await?;
    assert!(violations.is_empty(), "the Live page with a device's sessions: {violations:#?}");
    client
        .execute("document.getElementById('live-sessions-view').scrollIntoView()", Vec::new())
        .await
        .map_err(|e| e.to_string())?;
    let shot = screenshot(client, "live-sessions-inline").await?;
    println!("screenshot: {}", shot.display());
    Ok(())
}

/// A phone's config backup reaches `/uploads/`: the `upload` event lists it in the Uploads panel,
/// its download is the bytes sent, and it opens as text.
async fn an_upload_is_listed_and_downloads(client: &Client, relay: &RelayUrls) -> TestResult {
    let name = "EC43F69AF408_local.cfg";
    let backup = "sip line1 auth name: 1001\nsip line1 user name: 1001\ntr69 server: http://acs/\n";
    let (status, body) = cpe_upload(&relay.acs, name, backup.as_bytes())?;
    assert!((200..300).contains(&status), "{status} {body}");
    let listed = text_when(client, "#uploads", |t| t.contains(name)).await?;
    assert!(listed.contains("config backup"), "{listed}");

    // The download is a blob the page made of the fetched bytes: keep it to read it back.
    client
        .execute(
            "window.__downloads = []; const make = URL.createObjectURL; \
             URL.createObjectURL = (blob) => { window.__downloads.push(blob); return make.call(URL, blob); };",
            Vec::new(),
        )
        .await
        .map_err(|e| e.to_string())?;
    click(client, "#uploads .upload-download").await?;
    let downloaded = client
        .execute_async(
            "const done = arguments[0]; const wait = () => window.__downloads.length \
             ? window.__downloads[0].text().then(done) : setTimeout(wait, 50); wait();",
            Vec::new(),
        )
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(downloaded.as_str(), Some(backup), "the download is the bytes uploaded");

    click(client, "#uploads .upload-view").await?;
    let shown = text_when(client, "#upload-text", |t| t.contains("tr69 server")).await?;
    assert_eq!(shown.trim_end(), backup.trim_end());
    client
        .execute("document.getElementById('live-uploads').scrollIntoView()", Vec::new())
        .await
        .map_err(|e| e.to_string())?;
    let shot = screenshot(client, "live-uploads").await?;
    println!("screenshot: {}", shot.display());
    Ok(())
}

/// "Open in Decode": the relay's history of the device, a capture with the session
/// just driven (its queued RPC and the answer), on the Decode page.
async fn the_device_sessions_open_in_decode(client: &Client, id: &str) -> TestResult {
    click(client, "#live-open-sessions").await?;
    text_when(client, "#decode-done", |t| t.contains(&format!("{DEVICE}.pcapng"))).await?;
    text_when(client, "#sessions", |t| t.contains("EC43F69AF408")).await?;
    let timeline =
        text_when(client, "#timeline", |t| t.contains("GetParameterValuesResponse")).await?;
    assert!(timeline.contains("Inform") && timeline.contains(id), "{timeline}");
    let shot = screenshot(client, "live-sessions-in-decode").await?;
    println!("screenshot: {}", shot.display());
    Ok(())
}

/// Continues with the device the first step left idle.
async fn a_plan_goes_from_the_parameters_page_to_the_device(
    client: &Client,
    relay: &RelayUrls,
) -> TestResult {
    client.goto(&format!("{}/parameters", relay.base)).await.map_err(|e| e.to_string())?;
    let dump = corpus("datamodel-dumps/genieacs-sim/data_model_202BC1-BM632w-8KA8WA1151100043.csv");
    let dump = dump.canonicalize().map_err(|e| format!("{}: {e}", dump.display()))?;
    client
        .wait()
        .at_most(std::time::Duration::from_secs(30))
        .for_element(Locator::Css("#params-file"))
        .await
        .map_err(|e| e.to_string())?
        .send_keys(&dump.display().to_string())
        .await
        .map_err(|e| e.to_string())?;
    text_when(client, "#params-report", |t| t.contains("known to")).await?;
    replace_text(client, "#params-filter", INTERVAL).await?;
    text_when(client, "#params-table tbody", |t| t.lines().count() == 1).await?;
    click(client, "#params-table .edit-value").await?;
    replace_text(client, "#params-table .edit-input", "600").await?;
    click(client, "#params-table .edit-apply").await?;
    text_when(client, "#edit-rpcs", |t| t == "SetParameterValues (1 value)").await?;
    click(client, "#edit-to-live").await?;

    // The Live page opens with the plan and the device.
    let plan = text_when(client, "#live-plan", |t| t.contains("SetParameterValues")).await?;
    assert!(plan.contains("A plan from the Parameters page"), "{plan}");
    text_when(client, "#live-device", |t| t.contains(DEVICE)).await?;
    click(client, "#live-queue-plan").await?;
    let queued = text_when(client, "#live-outcome", |t| t.contains("queued as")).await?;
    let id = queued.split_whitespace().nth(2).ok_or("no id")?.trim_end_matches(':').to_owned();
    text_when(client, "#live-queue-list", |t| t.contains(INTERVAL)).await?;

    let inform =
        std::fs::read(corpus("soap/cwmp_ex/inform-2601.xml")).map_err(|e| e.to_string())?;
    let base = relay.acs.as_str();
    let (status, cookie, _) = cpe_post(base, None, &inform)?;
    assert_eq!(status, 200);
    let cookie = cookie.ok_or("no session cookie")?;
    let (status, _, request) = cpe_post(base, Some(&cookie), b"")?;
    assert_eq!(status, 200);
    assert!(request.contains("SetParameterValues") && request.contains(&id), "{request}");
    assert!(
        request.contains(&format!("<Name>{INTERVAL}</Name>")) && request.contains(">600</Value>"),
        "{request}"
    );

    // What this page queued, for GenieACS.
    click(client, "#live-genieacs-script").await?;
    let saved = text_when(client, "#live-genieacs-status", |t| t.contains("downloaded")).await?;
    assert!(saved.contains(&format!("cwmpkit-{DEVICE}.js")), "{saved}");
    let shot = screenshot(client, "live-plan").await?;
    println!("screenshot: {}", shot.display());
    Ok(())
}

/// The relay recorded the session (`--data-dir`): the Recordings panel lists the day's file, and
/// "Open in Decode" shows its session, with the device and the RPC queued above, on the Decode page.
async fn the_recording_opens_in_decode(client: &Client) -> TestResult {
    click(client, "#recordings-refresh").await?;
    text_when(client, "#recordings", |t| t.contains("acs-") && t.contains(".pcapng")).await?;
    let violations = accessibility_violations(client).await?;
    assert!(violations.is_empty(), "the Live page with its recordings: {violations:#?}");
    client
        .execute("document.getElementById('live-recordings').scrollIntoView()", Vec::new())
        .await
        .map_err(|e| e.to_string())?;
    let shot = screenshot(client, "live-recordings").await?;
    println!("screenshot: {}", shot.display());
    click(client, "#recordings .recording-open").await?;
    text_when(client, "#decode-done", |t| t.contains(".pcapng")).await?;
    text_when(client, "#sessions", |t| t.contains("EC43F69AF408")).await?;
    text_when(client, "#timeline", |t| t.contains("GetParameterValues")).await?;
    let url = client.current_url().await.map_err(|e| e.to_string())?;
    assert!(url.query().is_some_and(|q| q.contains("capture=")), "kept in the workspace: {url}");
    let shot = screenshot(client, "live-recording-in-decode").await?;
    println!("screenshot: {}", shot.display());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_page_in_chromium() -> TestResult {
    let data = workspace_root().join("target/e2e-data/live");
    let _ = std::fs::remove_dir_all(&data);
    let uploads = workspace_root().join("target/e2e-data/live-uploads");
    let _ = std::fs::remove_dir_all(&uploads);
    std::fs::create_dir_all(&uploads).map_err(|e| e.to_string())?;
    let (_relay, relay) = start_relay_with(&[
        OsStr::new("--data-dir"),
        data.as_os_str(),
        OsStr::new("--uploads"),
        uploads.as_os_str(),
    ])?;
    let (_driver, client) = start_browser().await?;
    let outcome = a_cpe_session_is_driven_from_the_page(&client, &relay).await;
    finish(client, "live", outcome).await
}
