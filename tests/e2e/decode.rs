//! The Decode page in a real headless Chromium, served by a real `cwmpkit serve`: decoding runs
//! in the page's Web Worker; the page shows three panes, filters, exports, folds raw XML, hands
//! parameters to the Parameters page, and takes the 50 MB capture with progress and cancel. The
//! worker starts and warms up when the page opens; a file dropped meanwhile loses nothing.

use cwmpkit_tests::{
    attribute, click, corpus, finish, gone, screenshot, start_browser, start_relay, text_when,
    write_input,
};
use fantoccini::{Client, Locator, key::Key};
use std::time::{Duration, Instant};

type TestResult = Result<(), String>;

async fn text_of(client: &Client, css: &str) -> Result<String, String> {
    text_when(client, css, |_| true).await
}

async fn all_texts(client: &Client, css: &str) -> Result<Vec<String>, String> {
    let mut texts = Vec::new();
    for element in client.find_all(Locator::Css(css)).await.map_err(|e| e.to_string())? {
        texts.push(element.text().await.map_err(|e| e.to_string())?);
    }
    Ok(texts)
}

async fn script(client: &Client, js: &str) -> Result<serde_json::Value, String> {
    client.execute(js, vec![]).await.map_err(|e| e.to_string())
}

/// Puts text into the input area the way a paste does: value, then an input event.
async fn paste(client: &Client, text: &str) -> TestResult {
    client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#soap-input"))
        .await
        .map_err(|e| format!("the app did not render its input: {e}"))?;
    client
        .execute(
            "const area = document.getElementById('soap-input');
             area.value = arguments[0];
             area.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![serde_json::Value::String(text.to_owned())],
        )
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

async fn open_file(client: &Client, path: &std::path::Path) -> TestResult {
    let path = path.canonicalize().map_err(|e| format!("{}: {e}", path.display()))?;
    client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#file-input"))
        .await
        .map_err(|e| e.to_string())?
        .send_keys(&path.display().to_string())
        .await
        .map_err(|e| e.to_string())
}

async fn url(client: &Client) -> Result<String, String> {
    client.current_url().await.map(|u| u.to_string()).map_err(|e| e.to_string())
}

/// Screenshots of the page as it is, at a laptop's 1280×800 and a phone's 400 px, in the light and
/// the dark theme (the shell's switch), to look at; the window is left at 1280×800 and light.
async fn screenshots_in_both_themes_and_widths(client: &Client, name: &str) -> TestResult {
    for theme in ["dark", "light"] {
        script(
            client,
            &format!(
                "const theme = document.getElementById('theme');
                 theme.value = '{theme}';
                 theme.dispatchEvent(new Event('change', {{ bubbles: true }}));
                 return document.documentElement.getAttribute('data-theme');"
            ),
        )
        .await
        .and_then(|set| {
            if set == theme { Ok(()) } else { Err(format!("theme {theme} not applied: {set}")) }
        })?;
        for (width, height) in [(400, 800), (1280, 800)] {
            client.set_window_size(width, height).await.map_err(|e| e.to_string())?;
            tokio::time::sleep(Duration::from_millis(300)).await;
            let shot = screenshot(client, &format!("{name}-{width}-{theme}")).await?;
            println!("screenshot: {}", shot.display());
        }
    }
    Ok(())
}

async fn pasted_inform_shows_device_events_parameters_and_raw_xml(
    client: &Client,
    base: &str,
) -> TestResult {
    client.goto(base).await.map_err(|e| e.to_string())?;
    let inform = std::fs::read_to_string(corpus("soap/cwmp_ex/inform-vmg.xml"))
        .map_err(|e| format!("corpus: {e}"))?;
    paste(client, &inform).await?;

    assert_eq!(text_of(client, ".rpc-name").await?, "Inform");
    assert_eq!(text_of(client, "#device-id [data-field=manufacturer]").await?, "ZyXEL");
    assert_eq!(text_of(client, "#device-id [data-field=oui]").await?, "4C9EFF");
    assert_eq!(text_of(client, "#device-id [data-field=product-class]").await?, "VMG8924-B10A");
    assert_eq!(text_of(client, "#device-id [data-field=serial-number]").await?, "S140Y24025829");

    let events = all_texts(client, "#events .event").await?;
    assert_eq!(events.len(), 1, "events: {events:?}");
    assert!(events[0].contains("6 CONNECTION REQUEST"), "{events:?}");
    assert!(events[0].contains("connection request"), "meaning missing: {events:?}");

    let names = all_texts(client, "#parameters .param-name").await?;
    let values = all_texts(client, "#parameters .param-value").await?;
    assert_eq!(names.len(), 8, "{names:?}");
    assert_eq!(names[0], "InternetGatewayDevice.DeviceSummary");
    // A path wraps between its segments: one break opportunity after each dot, and no text added.
    let breaks = script(
        client,
        "return [...document.querySelectorAll('#parameters .param-name')]\
           .map(cell => cell.querySelectorAll('wbr').length);",
    )
    .await?;
    let dots: Vec<usize> = names.iter().map(|n| n.matches('.').count()).collect();
    assert_eq!(breaks, serde_json::json!(dots), "{names:?}");
    let url_row = names
        .iter()
        .position(|n| n == "InternetGatewayDevice.ManagementServer.ConnectionRequestURL")
        .ok_or("ConnectionRequestURL row missing")?;
    assert_eq!(
        values[url_row],
        "http://[2a02:980:1400::1ff]:30005/78DF621FFD24F339452C341BEFE0E8A8"
    );

    // The raw XML, coloured and foldable: folding the Envelope leaves one line.
    let raw = text_when(client, "#raw-xml", |t| t.contains("Inform")).await?;
    assert!(raw.contains("S140Y24025829"), "{raw:.200}");
    let lines = all_texts(client, "#raw-xml .xml-line").await?.len();
    assert!(lines > 20, "{lines} lines");
    let envelope_fold = client
        .find_all(Locator::XPath(
            "//div[contains(@class,'xml-line')][contains(., 'Envelope')]/button",
        ))
        .await
        .map_err(|e| e.to_string())?;
    envelope_fold
        .first()
        .ok_or("no fold on the Envelope line")?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    let folded = all_texts(client, "#raw-xml .xml-line").await?.len();
    assert!(folded < lines / 2, "{folded} lines after folding, {lines} before");

    let shot = screenshot(client, "decode-inform").await?;
    println!("screenshot: {}", shot.display());

    // What was pasted is kept in the workspace and named in the URL: the link opens it again.
    let mut link = url(client).await?;
    for _ in 0..100 {
        if link.contains("capture=") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        link = url(client).await?;
    }
    assert!(link.contains("capture="), "{link}");
    client.goto(base).await.map_err(|e| e.to_string())?;
    text_when(client, "#soap-input", |_| true).await?;
    client.goto(&link).await.map_err(|e| e.to_string())?;
    assert_eq!(text_of(client, "#device-id [data-field=serial-number]").await?, "S140Y24025829");
    let kept = script(client, "return document.getElementById('soap-input').value").await?;
    assert!(kept.as_str().is_some_and(|t| t.contains("S140Y24025829")), "{kept:.80}");
    Ok(())
}

async fn invalid_input_shows_line_and_column(client: &Client, base: &str) -> TestResult {
    client.goto(base).await.map_err(|e| e.to_string())?;
    let bogus = std::fs::read_to_string(corpus("soap/rust-cwmp-crate/bogus_inform_1.xml"))
        .map_err(|e| format!("corpus: {e}"))?;
    paste(client, &bogus).await?;
    let error = text_of(client, "#decode-error").await?;
    assert!(error.contains("Line "), "no line in {error:?}");
    assert!(error.contains("column "), "no column in {error:?}");
    let shot = screenshot(client, "decode-error").await?;
    println!("screenshot: {}", shot.display());
    Ok(())
}

async fn a_pcap_in_three_panes_with_filter_keys_urls_and_exports(
    client: &Client,
    base: &str,
) -> TestResult {
    client.goto(base).await.map_err(|e| e.to_string())?;
    open_file(client, &corpus("pcap/magma/dp_enb_tr069.pcap")).await?;

    let summary = text_when(client, "#report-summary", |t| t.contains("SOAP")).await?;
    assert!(summary.contains("pcap"), "{summary}");
    assert!(summary.contains("3 sessions, 28 SOAP messages"), "{summary}");
    assert!(text_of(client, "#decode-done").await?.contains("dp_enb_tr069.pcap"));
    let cards = all_texts(client, "#sessions .session-card").await?;
    assert_eq!(cards.len(), 3, "{cards:?}");
    assert!(cards.iter().all(|c| c.contains("Baicells")), "{cards:?}");

    // The first session is selected; its second message is the ACS's InformResponse.
    text_when(client, "#timeline .timeline-row", |_| true).await?;
    let rows = client
        .find_all(Locator::Css("#timeline .timeline-row"))
        .await
        .map_err(|e| e.to_string())?;
    assert!(rows.len() >= 2, "timeline has {} rows", rows.len());
    rows[1].click().await.map_err(|e| e.to_string())?;
    let selected =
        text_when(client, "#timeline .timeline-row.selected .rpc", |t| t == "InformResponse")
            .await?;
    assert_eq!(selected, "InformResponse");
    text_when(client, ".rpc-name", |t| t == "InformResponse").await?;
    assert!(url(client).await?.contains("message=1"), "{}", url(client).await?);
    assert!(text_of(client, "#http-head").await?.starts_with("HTTP/1.1 200"));

    // Arrow keys move through the timeline; the URL follows.
    script(client, "document.getElementById('timeline').focus(); return true;").await?;
    let timeline = client.find(Locator::Css("#timeline")).await.map_err(|e| e.to_string())?;
    timeline.send_keys(&Key::Down.to_string()).await.map_err(|e| e.to_string())?;
    text_when(client, "#timeline .timeline-row.selected", |t| t.contains("GetParameterValues"))
        .await?;
    assert!(url(client).await?.contains("message=2"), "{}", url(client).await?);

    // `/` goes to the filter; an RPC filter keeps the one session with a SetParameterValues.
    let body = client.find(Locator::Css("body")).await.map_err(|e| e.to_string())?;
    body.send_keys("/").await.map_err(|e| e.to_string())?;
    let focused = script(client, "return document.activeElement.id").await?;
    assert_eq!(focused, "filter-device");
    let rpc = client.find(Locator::Css("#filter-rpc")).await.map_err(|e| e.to_string())?;
    rpc.send_keys("SetParameterValues").await.map_err(|e| e.to_string())?;
    text_when(client, "#session-count", |t| t.contains("· 1")).await?;
    let filter =
        script(client, "return new URLSearchParams(location.search).get('filter')").await?;
    assert_eq!(filter, "rpc:SetParameterValues", "the filter's text in the URL");
    let card = text_when(client, "#sessions .session-card", |t| t.contains("2 of")).await?;
    assert!(card.contains("2 of 12 messages"), "{card}");
    let shot = screenshot(client, "decode-pcap-filtered").await?;
    println!("screenshot: {}", shot.display());

    // Exports hand a file to the browser: catch it where the page clicks its link.
    script(
        client,
        "window.__downloads = [];
         HTMLAnchorElement.prototype.click = function () { window.__downloads.push(this.download); };
         return true;",
    )
    .await?;
    click(client, "#export-message-xml").await?;
    click(client, "#export-session-json").await?;
    let mut downloads = serde_json::Value::Null;
    for _ in 0..100 {
        downloads = script(client, "return window.__downloads").await?;
        if downloads.as_array().is_some_and(|d| d.len() == 2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let names: Vec<String> = downloads
        .as_array()
        .ok_or("no downloads")?
        .iter()
        .filter_map(|d| d.as_str().map(str::to_owned))
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names[0].starts_with("session-2-48BF74-"), "{names:?}");
    assert!(names[0].ends_with("-SetParameterValues.xml"), "{names:?}");
    assert_eq!(names[1], "session-2-48BF74-1202000291213VB0009.json");

    // A deep link opens the same capture (read back from the workspace), filter and selection.
    let link = url(client).await?;
    assert!(link.contains("capture="), "{link}");
    client.goto(base).await.map_err(|e| e.to_string())?;
    text_when(client, "#soap-input", |_| true).await?;
    client.goto(&link).await.map_err(|e| e.to_string())?;
    text_when(client, "#soap-input", |_| true).await?;
    let value = script(client, "return document.getElementById('filter-rpc').value").await?;
    assert_eq!(value, "SetParameterValues");
    text_when(client, "#decode-done", |t| t.contains("dp_enb_tr069.pcap")).await?;
    text_when(client, "#session-count", |t| t.contains("· 1")).await?;
    text_when(client, ".rpc-name", |t| t == "SetParameterValues").await?;
    screenshots_in_both_themes_and_widths(client, "decode-pcap").await?;

    // "Open these parameters": the Parameters page opens the Inform's values.
    client.goto(base).await.map_err(|e| e.to_string())?;
    open_file(client, &corpus("pcap/magma/dp_enb_tr069.pcap")).await?;
    text_when(client, ".rpc-name", |t| t == "Inform").await?;
    click(client, "#open-parameters").await?;
    let summary = text_when(client, "#params-summary", |t| t.contains("parameters")).await?;
    assert!(summary.contains("Inform"), "{summary}");
    Ok(())
}

async fn present_attribute(client: &Client, css: &str, name: &str) -> Result<String, String> {
    attribute(client, css, name).await?.ok_or_else(|| format!("{css}: no {name}"))
}

/// A fresh page, and the magma pcap dropped as soon as its file input is there.
async fn decode_magma_at_once(client: &Client, base: &str) -> TestResult {
    client.goto(base).await.map_err(|e| e.to_string())?;
    open_file(client, &corpus("pcap/magma/dp_enb_tr069.pcap")).await?;
    text_when(client, "#decode-done", |t| t.contains("dp_enb_tr069.pcap")).await?;
    Ok(())
}

/// The worker starts when the page opens and warms up on its built-in sample: a file dropped at
/// once comes while it loads or warms up, ends the warm-up and is decoded in full; with nothing
/// dropped, the warm-up runs to its end, and the next file is decoded by the warmed worker.
async fn the_worker_warms_up_when_the_page_opens_and_a_file_dropped_meanwhile_loses_nothing(
    client: &Client,
    base: &str,
) -> TestResult {
    // Whether the file came before the warm-up's end is the worker's to say (the summary), and
    // depends on how fast this machine runs the warm-up (with V8's code cache warm, it can end
    // before the test drops the file): each drop must be decoded in full either way, and the
    // worker must say which it was.
    let mut during_warm_up = 0;
    for _ in 0..3 {
        decode_magma_at_once(client, base).await?;
        assert_eq!(present_attribute(client, "#decode-done", "data-messages").await?, "28");
        let summary = text_of(client, "#report-summary").await?;
        assert!(summary.contains("3 sessions, 28 SOAP messages"), "{summary}");
        match present_attribute(client, "#decode-done", "data-warm-up-finished").await?.as_str() {
            "false" => during_warm_up += 1,
            "true" => {}
            other => panic!("data-warm-up-finished is {other:?}"),
        }
    }
    println!("files dropped at once that came during the warm-up: {during_warm_up} of 3");

    client.goto(base).await.map_err(|e| e.to_string())?;
    client
        .wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Css("#decoder-warm"))
        .await
        .map_err(|e| format!("the worker never said its warm-up ended: {e}"))?;
    let runs: u32 = present_attribute(client, "#decoder-warm", "data-runs")
        .await?
        .parse()
        .map_err(|e| format!("data-runs: {e}"))?;
    assert!(runs >= 1, "{runs} runs");
    // Each run decoded the sample's sessions (six messages each).
    let sample_messages: usize = present_attribute(client, "#decoder-warm", "data-sample-messages")
        .await?
        .parse()
        .map_err(|e| format!("data-sample-messages: {e}"))?;
    assert!(
        sample_messages >= 60 && sample_messages.is_multiple_of(6),
        "{sample_messages} messages"
    );
    open_file(client, &corpus("pcap/magma/dp_enb_tr069.pcap")).await?;
    text_when(client, "#decode-done", |t| t.contains("dp_enb_tr069.pcap")).await?;
    assert_eq!(present_attribute(client, "#decode-done", "data-messages").await?, "28");
    assert_eq!(present_attribute(client, "#decode-done", "data-warm-up-finished").await?, "true");
    assert_eq!(
        present_attribute(client, "#decode-done", "data-warm-up-runs").await?,
        runs.to_string()
    );
    Ok(())
}

/// Messages in the long session: an Inform and its response, then this many GetParameterValues
/// with their responses.
const LONG_SESSION_PAIRS: usize = 2500;

/// The sample with its `cwmp:ID` replaced by `id`.
fn with_id(envelope: &str, id: &str) -> Result<String, String> {
    let close = envelope.find("</cwmp:ID>").ok_or("no cwmp:ID")?;
    let open = envelope[..close].rfind('>').ok_or("no cwmp:ID start")? + 1;
    Ok(format!("{}{id}{}", &envelope[..open], &envelope[close..]))
}

/// One session of thousands of messages (pasted envelopes, one after the other: one session):
/// the timeline's count says thousands while the page holds one window of its rows; scrolling
/// to the end shows the last message, the arrow keys and a deep link reach rows far down.
async fn a_session_of_thousands_of_messages_keeps_a_window_of_its_timeline(
    client: &Client,
    base: &str,
) -> TestResult {
    let sample = |name: &str| {
        std::fs::read_to_string(corpus(&format!("soap/cwmp_ex/inline-test-samples/{name}")))
            .map_err(|e| format!("corpus {name}: {e}"))
    };
    let mut input = sample("inform--sample_vmg.xml")?;
    input.push('\n');
    input.push_str(&sample("inform_response--sample.xml")?);
    let (get, got) = (
        sample("get_parameter_values--sample.xml")?,
        sample("get_parameter_values_response--sample.xml")?,
    );
    for pair in 0..LONG_SESSION_PAIRS {
        let id = format!("gpv-{pair}");
        input.push('\n');
        input.push_str(&with_id(&get, &id)?);
        input.push('\n');
        input.push_str(&with_id(&got, &id)?);
    }
    let messages = 2 + 2 * LONG_SESSION_PAIRS;
    let path = write_input("long-session.xml", &input)?;

    client.goto(base).await.map_err(|e| e.to_string())?;
    open_file(client, &path).await?;
    let summary = text_when(client, "#report-summary", |t| t.contains("SOAP")).await?;
    assert!(summary.contains(&format!("1 session, {messages} SOAP messages")), "{summary}");
    let count = text_when(client, "#timeline-count", |t| t.contains("messages")).await?;
    assert!(count.contains(&format!("{messages} messages")), "{count}");
    text_when(client, ".rpc-name", |t| t == "Inform").await?;
    let rows_in_page = || async {
        script(client, "return document.querySelectorAll('#timeline .timeline-row').length")
            .await
            .map(|n| n.as_u64().unwrap_or(0))
    };
    let at_start = rows_in_page().await?;
    assert!((14..=60).contains(&at_start), "{at_start} of {messages} rows in the page");
    // Thousands of findings of a few codes: a few of each in full, the rest counted.
    let more = text_when(client, "#findings li.more", |t| t.contains("more")).await?;
    assert!(more.contains("messages"), "{more}");
    let finding_lines =
        script(client, "return document.querySelectorAll('#findings li').length").await?;
    assert!(finding_lines.as_u64().is_some_and(|n| n <= 40), "{finding_lines} finding lines");
    script(client, "document.getElementById('findings').scrollIntoView(); return true;").await?;
    let shot = screenshot(client, "decode-long-session-findings").await?;
    println!("screenshot: {}", shot.display());
    script(
        client,
        "for (let e = document.getElementById('findings'); e; e = e.parentElement) e.scrollTop = 0;
         window.scrollTo(0, 0); return true;",
    )
    .await?;
    let shot = screenshot(client, "decode-long-session-start").await?;
    println!("screenshot: {}", shot.display());

    // The arrow keys move the selection down the rows.
    script(client, "document.getElementById('timeline').focus(); return true;").await?;
    let timeline = client.find(Locator::Css("#timeline")).await.map_err(|e| e.to_string())?;
    for _ in 0..3 {
        timeline.send_keys(&Key::Down.to_string()).await.map_err(|e| e.to_string())?;
    }
    text_when(client, "#timeline .timeline-row.selected", |t| t.contains("gpv-0")).await?;
    text_when(client, ".rpc-name", |t| t == "GetParameterValuesResponse").await?;
    assert!(url(client).await?.contains("message=3"), "{}", url(client).await?);

    // Scrolled to the end, the page holds the last rows and no more.
    script(
        client,
        "const list = document.getElementById('timeline'); list.scrollTop = list.scrollHeight; return true;",
    )
    .await?;
    let last = format!("#timeline .timeline-row[data-message='{}']", messages - 1);
    let last_row = text_when(client, &last, |_| true).await?;
    assert!(last_row.contains("GetParameterValuesResponse"), "{last_row}");
    assert!(last_row.contains(&format!("gpv-{}", LONG_SESSION_PAIRS - 1)), "{last_row}");
    let at_end = rows_in_page().await?;
    assert!((14..=60).contains(&at_end), "{at_end} of {messages} rows in the page at the end");
    assert!(
        client.find(Locator::Css("#timeline .timeline-row[data-message='0']")).await.is_err(),
        "the first row is let go"
    );
    click(client, &last).await?;
    text_when(client, &format!("{last}.selected"), |_| true).await?;
    text_when(client, "#message-pane", |t| t.contains(&format!("gpv-{}", LONG_SESSION_PAIRS - 1)))
        .await?;
    assert!(url(client).await?.contains(&format!("message={}", messages - 1)));
    let timeline = client.find(Locator::Css("#timeline")).await.map_err(|e| e.to_string())?;
    timeline.send_keys(&Key::Up.to_string()).await.map_err(|e| e.to_string())?;
    let selected = text_when(client, "#timeline .timeline-row.selected .rpc", |_| true).await?;
    assert_eq!(selected, "GetParameterValues");
    let shot = screenshot(client, "decode-long-session-end").await?;
    println!("screenshot: {}", shot.display());

    // A link to a message far down opens the timeline there, the message selected.
    let middle = messages / 2 + 1;
    let link = url(client)
        .await?
        .replace(&format!("message={}", messages - 2), &format!("message={middle}"));
    assert!(link.contains(&format!("message={middle}")), "{link}");
    client.goto(base).await.map_err(|e| e.to_string())?;
    text_when(client, "#soap-input", |_| true).await?;
    client.goto(&link).await.map_err(|e| e.to_string())?;
    // Message 0 is the Inform, 1 its response, then pair k is messages 2 + 2k (the request) and
    // 3 + 2k (the response): the link's message is exactly this pair's request.
    let (pair, rpc) =
        ((middle - 2) / 2, ["GetParameterValues", "GetParameterValuesResponse"][middle % 2]);
    let row = format!("#timeline .timeline-row.selected[data-message='{middle}']");
    let selected = text_when(client, &row, |t| t.contains(&format!("gpv-{pair}"))).await?;
    assert!(selected.contains(rpc), "{selected}");
    let selected = text_when(client, "#timeline .timeline-row.selected .rpc", |_| true).await?;
    assert_eq!(selected, rpc, "the selected row is the linked message's");
    text_when(client, ".rpc-name", |t| t == rpc).await?;
    text_when(client, "#message-pane", |t| t.contains(&format!("gpv-{pair}"))).await?;
    assert_eq!(
        script(
            client,
            "return document.querySelectorAll('#timeline .timeline-row.selected').length"
        )
        .await?,
        serde_json::json!(1),
        "one row selected"
    );
    let shown = script(
        client,
        &format!(
            "const list = document.getElementById('timeline').getBoundingClientRect();
             const row = document.querySelector(\"{row}\").getBoundingClientRect();
             return row.top >= list.top && row.bottom <= list.bottom;"
        ),
    )
    .await?;
    assert_eq!(shown, serde_json::Value::Bool(true), "the selected row is in view");
    assert!(rows_in_page().await? <= 60);
    let shot = screenshot(client, "decode-long-session-link").await?;
    println!("screenshot: {}", shot.display());
    let _ = std::fs::remove_file(&path);
    Ok(())
}

/// How many CWMP messages the 50 MB capture holds (`capture::replicate` of the magma pcap).
const BIG_MESSAGES: usize = 15_904;

async fn a_50_mb_capture_shows_progress_cancels_and_decodes(
    client: &Client,
    base: &str,
) -> TestResult {
    let magma = std::fs::read(corpus("pcap/magma/dp_enb_tr069.pcap")).map_err(|e| e.to_string())?;
    let big =
        cwmpkit_core::capture::replicate::replicate(&magma, [10, 0, 2, 243].into(), 50_000_000)
            .map_err(|e| e.to_string())?;
    let path = write_input("magma-50mb.pcap", &big)?;

    client.goto(base).await.map_err(|e| e.to_string())?;
    open_file(client, &path).await?;
    // The bar moves: two different byte counts, before the end.
    let first = text_when(client, "#decode-progress-text", |t| !t.contains(": 0 KB")).await?;
    let second = text_when(client, "#decode-progress-text", |t| t != first).await?;
    assert!(second.contains(" of 50.0 MB"), "{second}");
    let shot = screenshot(client, "decode-50mb-progress").await?;
    println!("screenshot: {}", shot.display());
    click(client, "#decode-cancel").await?;
    text_when(client, "#decode-cancelled", |t| t.contains("cancelled")).await?;
    gone(client, "#decode-progress").await?;
    assert!(client.find(Locator::Css("#decode-done")).await.is_err());

    // Again, to the end.
    let started = Instant::now();
    open_file(client, &path).await?;
    let mut done = None;
    while started.elapsed() < Duration::from_secs(180) {
        if let Ok(element) = client.find(Locator::Css("#decode-done")).await {
            done = element.attr("data-messages").await.map_err(|e| e.to_string())?;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(done.as_deref(), Some(BIG_MESSAGES.to_string().as_str()));
    let summary = text_of(client, "#report-summary").await?;
    assert!(summary.contains("1704 sessions, 15904 SOAP messages"), "{summary}");
    // The list holds only the rows in view, not 1,704 of them.
    let cards = all_texts(client, "#sessions .session-card").await?.len();
    assert!((10..=200).contains(&cards), "{cards} session rows in the page");
    text_when(client, ".rpc-name", |t| t == "Inform").await?;
    let shot = screenshot(client, "decode-50mb-done").await?;
    println!("screenshot: {}", shot.display());
    let _ = std::fs::remove_file(&path);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decode_page_in_chromium() -> TestResult {
    let (_relay, base) = start_relay()?;
    let (_driver, client) = start_browser().await?;
    let outcome = async {
        pasted_inform_shows_device_events_parameters_and_raw_xml(&client, &base).await?;
        invalid_input_shows_line_and_column(&client, &base).await?;
        a_pcap_in_three_panes_with_filter_keys_urls_and_exports(&client, &base).await?;
        the_worker_warms_up_when_the_page_opens_and_a_file_dropped_meanwhile_loses_nothing(
            &client, &base,
        )
        .await?;
        a_session_of_thousands_of_messages_keeps_a_window_of_its_timeline(&client, &base).await?;
        a_50_mb_capture_shows_progress_cancels_and_decodes(&client, &base).await
    }
    .await;
    finish(client, "decode", outcome).await
}
