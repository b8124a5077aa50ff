//! The Parameters page in a real headless Chromium: a real device dump is
//! loaded, its model's schemas are fetched from the relay, and it is checked.

use cwmpkit_tests::{corpus, screenshot, start_browser, start_relay, text_when};
use fantoccini::{Client, Locator};
use std::time::Duration;

type TestResult = Result<(), String>;

async fn a_genieacs_dump_is_checked_against_its_model(client: &Client, base: &str) -> TestResult {
    client.goto(&format!("{base}/parameters")).await.map_err(|e| e.to_string())?;
    let dump = corpus("datamodel-dumps/genieacs-sim/data_model_202BC1-BM632w-8KA8WA1151100043.csv");
    let dump = dump.canonicalize().map_err(|e| format!("{}: {e}", dump.display()))?;
    client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#params-file"))
        .await
        .map_err(|e| e.to_string())?
        .send_keys(&dump.display().to_string())
        .await
        .map_err(|e| e.to_string())?;

    let summary = text_when(client, "#params-summary", |t| t.contains("parameters")).await?;
    assert!(summary.contains("model tr-098"), "an InternetGatewayDevice dump is TR-098: {summary}");
    // The schemas come over HTTP from the relay, then the set is validated.
    let report = text_when(client, "#params-report", |t| t.contains("known to")).await?;
    assert!(report.contains("known to tr-098"), "{report}");

    let filter = client.find(Locator::Css("#params-filter")).await.map_err(|e| e.to_string())?;
    filter.send_keys("ManagementServer.URL").await.map_err(|e| e.to_string())?;
    let table = text_when(client, "#params-table tbody", |t| t.lines().count() <= 3).await?;
    assert!(table.contains("InternetGatewayDevice.ManagementServer.URL"), "{table}");

    let shot = screenshot(client, "parameters").await?;
    println!("screenshot: {}", shot.display());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parameters_page_in_chromium() -> TestResult {
    let (_relay, base) = start_relay()?;
    let (_driver, client) = start_browser().await?;
    let outcome = a_genieacs_dump_is_checked_against_its_model(&client, &base).await;
    if outcome.is_err()
        && let Ok(shot) = screenshot(&client, "parameters-failure").await
    {
        eprintln!("failure screenshot: {}", shot.display());
    }
    let _ = client.close().await;
    outcome
}
