//! The Decode page in a real headless Chromium, served by a real `cwmpkit serve`.

use cwmpkit_tests::{corpus, finish, screenshot, start_browser, start_relay};
use fantoccini::{Client, Locator};
use std::time::Duration;

type TestResult = Result<(), String>;

async fn text_of(client: &Client, css: &str) -> Result<String, String> {
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .map_err(|e| format!("{css}: {e}"))?
        .text()
        .await
        .map_err(|e| format!("{css}: {e}"))
}

async fn all_texts(client: &Client, css: &str) -> Result<Vec<String>, String> {
    let mut texts = Vec::new();
    for element in client.find_all(Locator::Css(css)).await.map_err(|e| e.to_string())? {
        texts.push(element.text().await.map_err(|e| e.to_string())?);
    }
    Ok(texts)
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

async fn pasted_inform_shows_device_events_and_parameters(
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
    let types = all_texts(client, "#parameters .param-type").await?;
    let values = all_texts(client, "#parameters .param-value").await?;
    assert_eq!(names.len(), 8, "{names:?}");
    assert_eq!(names[0], "InternetGatewayDevice.DeviceSummary");
    assert_eq!(types[0], "string");
    let url_row = names
        .iter()
        .position(|n| n == "InternetGatewayDevice.ManagementServer.ConnectionRequestURL")
        .ok_or("ConnectionRequestURL row missing")?;
    assert_eq!(
        values[url_row],
        "http://[2a02:980:1400::1ff]:30005/78DF621FFD24F339452C341BEFE0E8A8"
    );

    let shot = screenshot(client, "decode-inform").await?;
    println!("screenshot: {}", shot.display());
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

async fn an_opened_pcap_shows_its_sessions(client: &Client, base: &str) -> TestResult {
    client.goto(base).await.map_err(|e| e.to_string())?;
    let pcap = corpus("pcap/magma/dp_enb_tr069.pcap");
    let pcap = pcap.canonicalize().map_err(|e| format!("{}: {e}", pcap.display()))?;
    let file_input = client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#file-input"))
        .await
        .map_err(|e| e.to_string())?;
    file_input.send_keys(&pcap.display().to_string()).await.map_err(|e| e.to_string())?;

    let summary = text_of(client, "#report-summary").await?;
    assert!(summary.contains("pcap"), "{summary}");
    assert!(summary.contains("3 sessions, 28 SOAP messages"), "{summary}");
    let cards = all_texts(client, "#sessions .session-card").await?;
    assert_eq!(cards.len(), 3, "{cards:?}");
    assert!(cards.iter().all(|c| c.contains("Baicells")), "{cards:?}");
    assert!(text_of(client, "#binary-input").await?.contains("dp_enb_tr069.pcap"));

    // The second message of the first session is the ACS's InformResponse.
    let rows = client
        .find_all(Locator::Css("#timeline .timeline-row"))
        .await
        .map_err(|e| e.to_string())?;
    assert!(rows.len() >= 2, "timeline has {} rows", rows.len());
    rows[1].click().await.map_err(|e| e.to_string())?;
    let selected = text_of(client, "#timeline .timeline-row.selected .rpc").await?;
    assert_eq!(selected, "InformResponse");
    assert_eq!(text_of(client, ".rpc-name").await?, "InformResponse");

    let shot = screenshot(client, "decode-pcap").await?;
    println!("screenshot: {}", shot.display());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decode_page_in_chromium() -> TestResult {
    let (_relay, base) = start_relay()?;
    let (_driver, client) = start_browser().await?;
    let outcome = async {
        pasted_inform_shows_device_events_and_parameters(&client, &base).await?;
        invalid_input_shows_line_and_column(&client, &base).await?;
        an_opened_pcap_shows_its_sessions(&client, &base).await
    }
    .await;
    finish(client, "decode", outcome).await
}
