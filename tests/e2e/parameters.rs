//! The Parameters page in a real headless Chromium: a real device dump is
//! loaded, its model's schemas are fetched from the relay, and it is checked;
//! a value is edited (and checked against the model) and becomes a
//! SetParameterValues; two real dumps are compared and planned.

use cwmpkit_tests::{
    click, corpus, finish, gone, replace_text, screenshot, start_browser, start_relay, text_when,
    workspace_root,
};
use fantoccini::{Client, Locator};
use std::time::Duration;

type TestResult = Result<(), String>;

const INTERVAL: &str = "InternetGatewayDevice.ManagementServer.PeriodicInformInterval";

async fn open_file(client: &Client, input: &str, relative: &str) -> TestResult {
    let file = corpus(relative);
    let file = file.canonicalize().map_err(|e| format!("{}: {e}", file.display()))?;
    client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(input))
        .await
        .map_err(|e| e.to_string())?
        .send_keys(&file.display().to_string())
        .await
        .map_err(|e| e.to_string())
}

async fn scroll_to(client: &Client, css: &str) -> TestResult {
    client
        .execute(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'start'})",
            vec![serde_json::json!(css)],
        )
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

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

/// Continues on the dump the first step loaded.
async fn an_edit_is_checked_and_becomes_soap(client: &Client) -> TestResult {
    // A read-only value says why it cannot be edited.
    replace_text(client, "#params-filter", "DeviceInfo.SerialNumber").await?;
    text_when(client, "#params-table tbody", |t| t.lines().count() == 1).await?;
    click(client, "#params-table .edit-value").await?;
    let refused = text_when(client, "#params-table .edit-refused", |t| !t.is_empty()).await?;
    assert!(refused.contains("read-only on the device"), "{refused}");
    click(client, "#params-table .edit-cancel").await?;

    replace_text(client, "#params-filter", INTERVAL).await?;
    text_when(client, "#params-table tbody", |t| t.lines().count() == 1).await?;
    // A value outside the model's range is flagged inline and cannot be planned.
    click(client, "#params-table .edit-value").await?;
    replace_text(client, "#params-table .edit-input", "0").await?;
    click(client, "#params-table .edit-apply").await?;
    let flagged = text_when(client, "#params-table .edit-finding", |t| !t.is_empty()).await?;
    assert!(flagged.starts_with("edit: "), "{flagged}");
    let cannot = text_when(client, "#edit-cannot", |t| t.contains(INTERVAL)).await?;
    assert!(cannot.contains("the CPE would reject the value"), "{cannot}");
    scroll_to(client, "#params-edits").await?;
    let shot = screenshot(client, "parameters-edit-rejected").await?;
    println!("screenshot: {}", shot.display());

    // A valid value becomes a SetParameterValues.
    click(client, "#params-table .edit-value").await?;
    replace_text(client, "#params-table .edit-input", "600").await?;
    click(client, "#params-table .edit-apply").await?;
    let edits = text_when(client, "#params-edits", |t| t.contains("600")).await?;
    assert!(edits.to_lowercase().contains("pending changes (1)"), "{edits}");
    assert!(edits.contains("no findings"), "{edits}");
    let soap = text_when(client, "#edit-soap", |t| t.contains("SetParameterValues")).await?;
    assert!(soap.contains(&format!("<Name>{INTERVAL}</Name>")), "{soap}");
    assert!(soap.contains(">600</Value>"), "{soap}");
    assert!(soap.contains("urn:dslforum-org:cwmp-1-0"), "1.0 by default: {soap}");
    click(client, "#edit-version option[value='1.2']").await?;
    text_when(client, "#edit-soap", |t| t.contains("urn:dslforum-org:cwmp-1-2")).await?;
    let rpcs = text_when(client, "#edit-rpcs", |t| !t.is_empty()).await?;
    assert_eq!(rpcs, "SetParameterValues (1 value)");
    // The ParameterKey is the user's; it takes effect when the field is left.
    replace_text(client, "#edit-key", "change-42").await?;
    click(client, "#edit-rpcs").await?;
    text_when(client, "#edit-soap", |t| t.contains("<ParameterKey>change-42</ParameterKey>"))
        .await?;
    assert!(client.find(Locator::Css("#edit-cannot")).await.is_err(), "nothing left undoable");

    scroll_to(client, "#params-edits").await?;
    let shot = screenshot(client, "parameters-edit").await?;
    println!("screenshot: {}", shot.display());

    // Undo empties the list and the plan.
    click(client, "#params-edits .edit-undo").await?;
    gone(client, "#params-edits")
        .await
        .map_err(|e| format!("the pending change stayed after Undo: {e}"))
}

/// A phone's parameters as an ACS would collect them (our JSON format; the
/// corpus has no Aastra parameter set).
const AASTRA_PHONE: &str = r#"{
  "format": "cwmpkit-parameters/1",
  "parameters": [
    { "path": "Device.DeviceInfo.ModelName", "value": "6867i", "type": "string", "writable": false },
    { "path": "Device.ManagementServer.URL", "value": "http://old.example/acs", "type": "string", "writable": true },
    { "path": "Device.Services.VoiceService.1.VoiceProfile.1.Line.1.SIP.AuthUserName", "value": "1001", "type": "string", "writable": true },
    { "path": "Device.Services.VoiceService.1.X_Aastra_GlobalVoiceProfile.X_Aastra_DTMFMethod", "value": "1", "type": "int", "writable": true }
  ]
}"#;

async fn edit_row(client: &Client, path: &str, value: &str) -> TestResult {
    replace_text(client, "#params-filter", path).await?;
    text_when(client, "#params-table tbody", |t| t.lines().count() == 1 && t.contains(path))
        .await?;
    click(client, "#params-table .edit-value").await?;
    replace_text(client, "#params-table .edit-input", value).await?;
    click(client, "#params-table .edit-apply").await?;
    text_when(client, "#params-table tbody", |t| t.contains(&format!("→ {value}"))).await?;
    Ok(())
}

async fn aastra_edits_become_config_lines(client: &Client) -> TestResult {
    let file = workspace_root().join("target/e2e-aastra-phone.json");
    std::fs::write(&file, AASTRA_PHONE).map_err(|e| format!("{}: {e}", file.display()))?;
    client
        .find(Locator::Css("#params-file"))
        .await
        .map_err(|e| e.to_string())?
        .send_keys(&file.display().to_string())
        .await
        .map_err(|e| e.to_string())?;
    let summary = text_when(client, "#params-summary", |t| t.contains("e2e-aastra-phone")).await?;
    assert!(summary.contains("model aastra"), "{summary}");
    text_when(client, "#params-report", |t| t.contains("known to")).await?;

    edit_row(client, "Device.ManagementServer.URL", "http://acs.example:7547/cwmp").await?;
    edit_row(client, "VoiceProfile.1.Line.1.SIP.AuthUserName", "2001").await?;
    edit_row(client, "X_Aastra_DTMFMethod", "2").await?;
    let soap = text_when(client, "#edit-soap", |t| t.contains("X_Aastra_DTMFMethod")).await?;
    // A new set starts again at CWMP 1.0, and the selector says so (the first
    // set was left at 1.2).
    let shown = client
        .find(Locator::Css("#edit-version"))
        .await
        .map_err(|e| e.to_string())?
        .prop("value")
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(shown.as_deref(), Some("1.0"));
    assert!(soap.contains("urn:dslforum-org:cwmp-1-0"), "{soap}");
    assert!(soap.contains("http://acs.example:7547/cwmp"), "{soap}");
    let lines = text_when(client, "#edit-aastra", |t| t.contains("tr69 server")).await?;
    assert!(lines.contains("tr69 server: http://acs.example:7547/cwmp"), "{lines}");
    assert!(lines.contains("sip line1 auth name: 2001"), "{lines}");
    // What has no config key is listed with the registry's reason.
    let unmapped = text_when(client, "#edit-unmapped", |t| !t.is_empty()).await?;
    assert!(unmapped.contains("X_Aastra_DTMFMethod"), "{unmapped}");
    assert!(unmapped.contains("no config key is known"), "{unmapped}");

    scroll_to(client, "#params-edits").await?;
    let shot = screenshot(client, "parameters-aastra").await?;
    println!("screenshot: {}", shot.display());
    Ok(())
}

async fn two_dumps_are_compared_and_planned(client: &Client) -> TestResult {
    let dumps = "datamodel-dumps/anlix-genieacs-sim";
    let a = format!("{dumps}/device-00259E-EG8145V5-48575443A94196A5-2023-03-28T154335106Z.csv");
    open_file(client, "#params-file", &a).await?;
    text_when(client, "#params-summary", |t| t.contains("00259E")).await?;
    open_file(client, "#params-compare-file", &format!("{dumps}/device-eg8145v5-has-voip.csv"))
        .await?;
    let summary = text_when(client, "#diff-summary", |t| t.contains("changes")).await?;
    assert!(summary.contains("1000 changes"), "{summary}");
    // Instance-aware: a row missing from B is one change, not each parameter of it.
    let table = text_when(client, "#diff-table tbody", |t| !t.is_empty()).await?;
    assert!(table.contains("− instance"), "{table}");
    let shown = text_when(client, "#diff-shown", |t| !t.is_empty()).await?;
    assert!(shown.contains("showing 500 of 1000"), "{shown}");

    click(client, "#diff-group option[value='changed']").await?;
    let changed = text_when(client, "#diff-table tbody", |t| !t.contains("instance")).await?;
    assert!(changed.lines().all(|l| !l.starts_with('+') && !l.starts_with('−')), "{changed}");
    replace_text(client, "#diff-filter", "WLANConfiguration.1.Channel").await?;
    text_when(client, "#diff-table tbody", |t| t.lines().count() == 1).await?;

    // The same RPCs as `cwmpkit params plan --exact` gives for these dumps.
    let rpcs = text_when(client, "#diff-rpcs", |t| !t.is_empty()).await?;
    assert_eq!(rpcs, "2 AddObject · SetParameterValues (37 values) · 40 DeleteObject");
    let soap = text_when(client, "#diff-soap", |t| t.contains("DeleteObject")).await?;
    assert!(soap.contains("AddObject") && soap.contains("SetParameterValues"), "{soap}");
    // What the plan cannot do is listed, as `cwmpkit params plan --exact` lists it.
    let plan =
        text_when(client, "#diff-plan", |t| t.to_lowercase().contains("cannot be done")).await?;
    assert!(plan.to_lowercase().contains("cannot be done (921)"), "{plan}");
    let cannot = text_when(client, "#diff-cannot", |t| !t.is_empty()).await?;
    assert!(cannot.contains("only objects can be deleted"), "{cannot}");

    scroll_to(client, "#params-compare").await?;
    let shot = screenshot(client, "parameters-diff").await?;
    println!("screenshot: {}", shot.display());
    scroll_to(client, "#diff-plan").await?;
    let shot = screenshot(client, "parameters-diff-plan").await?;
    println!("screenshot: {}", shot.display());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parameters_page_in_chromium() -> TestResult {
    let (_relay, base) = start_relay()?;
    let (_driver, client) = start_browser().await?;
    let mut outcome = a_genieacs_dump_is_checked_against_its_model(&client, &base).await;
    if outcome.is_ok() {
        outcome = an_edit_is_checked_and_becomes_soap(&client).await;
    }
    if outcome.is_ok() {
        outcome = aastra_edits_become_config_lines(&client).await;
    }
    if outcome.is_ok() {
        outcome = two_dumps_are_compared_and_planned(&client).await;
    }
    finish(client, "parameters", outcome).await
}
