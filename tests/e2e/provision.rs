//! The Provision page in a real headless Chromium: a phone's file from the form,
//! and many phones' files from a CSV.

use cwmpkit_tests::{element, finish, screenshot, start_browser, start_relay, text_when};
use fantoccini::Client;

type TestResult = Result<(), String>;

async fn type_into(client: &Client, css: &str, text: &str) -> TestResult {
    element(client, css).await?.send_keys(text).await.map_err(|e| format!("{css}: {e}"))
}

async fn text_of(client: &Client, css: &str) -> Result<String, String> {
    element(client, css).await?.text().await.map_err(|e| format!("{css}: {e}"))
}

async fn phone_form_writes_a_mac_cfg(client: &Client, base: &str) -> TestResult {
    client.goto(&format!("{base}/provision")).await.map_err(|e| e.to_string())?;
    type_into(client, "#mac", "00-08-5d-1a-2b-3c").await?;
    type_into(client, "#acs-url", "https://acs.example.net:7547/cwmp").await?;
    type_into(client, "#acs-port", "80a").await?;
    type_into(client, "#line1-auth-name", "1001").await?;
    type_into(client, "#line1-password", "s3cret").await?;

    text_when(client, "#generated-name", |t| t == "00085D1A2B3C.cfg").await?;
    let cfg = text_when(client, "#generated-cfg", |t| t.contains("sip line1 password")).await?;
    assert!(cfg.contains("tr69 server: https://acs.example.net:7547/cwmp"), "{cfg}");
    assert!(cfg.contains("sip line1 auth name: 1001"), "{cfg}");
    assert!(!cfg.contains("tr69 server port"), "an invalid port is not written: {cfg}");
    let port_error = text_of(client, "#phone-section .field-error").await?;
    assert!(port_error.contains("`80a` is not a number"), "{port_error}");

    // A port that contradicts the one in the URL is a finding with its line.
    let port = element(client, "#acs-port").await?;
    port.clear().await.map_err(|e| e.to_string())?;
    port.send_keys("8080").await.map_err(|e| e.to_string())?;
    let findings = text_when(client, "#phone-section .provision-diagnostics", |t| {
        t.contains("conflicting-server-port")
    })
    .await?;
    assert!(findings.contains("line "), "findings say where: {findings}");

    let shot = screenshot(client, "provision-phone").await?;
    println!("screenshot: {}", shot.display());
    Ok(())
}

async fn csv_makes_one_file_per_phone(client: &Client, base: &str) -> TestResult {
    client.goto(&format!("{base}/provision")).await.map_err(|e| e.to_string())?;
    let csv = cwmpkit_tests::write_input(
        "phones.csv",
        "mac,sip line1 auth name,sip line1 password,sip line1 proxy port\n\
         00:08:5D:00:00:01,2001,pw1,5060\n\
         00085D000002,2002,pw2,50x60\n\
         not-a-mac,2003,pw3,5060\n",
    )?;
    element(client, "#bulk-csv")
        .await?
        .send_keys(&csv.display().to_string())
        .await
        .map_err(|e| e.to_string())?;
    let summary = text_of(client, "#bulk-summary").await?;
    assert!(summary.starts_with("2 files from 3 rows"), "{summary}");
    // The page says how long generating and zipping took in this browser.
    let timing = text_of(client, "#bulk-timing").await?;
    assert!(timing.starts_with("generated 2 files in "), "{timing}");
    assert!(timing.contains(" ms · zip "), "{timing}");
    let rows = text_of(client, "#bulk-rows").await?;
    assert!(rows.contains("00085D000001.cfg"), "{rows}");
    assert!(rows.contains("50x60"), "the bad port is reported: {rows}");
    client
        .execute("document.getElementById('bulk-section').scrollIntoView()", vec![])
        .await
        .map_err(|e| e.to_string())?;
    let shot = screenshot(client, "provision-bulk").await?;
    println!("screenshot: {}", shot.display());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provision_page_in_chromium() -> TestResult {
    let (_relay, base) = start_relay()?;
    let (_driver, client) = start_browser().await?;
    let outcome = async {
        phone_form_writes_a_mac_cfg(&client, &base).await?;
        csv_makes_one_file_per_phone(&client, &base).await
    }
    .await;
    finish(client, "provision", outcome).await
}
