//! Sessions from real inputs, and the JSON contract scripts rely on:
//! `sessions[]` → `cpe{oui,product_class,serial_number}`, `messages[]{rpc,direction,time,diagnostics}`,
//! `exchanges[]` for HTTP messages without SOAP.

// The test is the host, not core: it reads corpus files.
#![allow(clippy::disallowed_methods)]

use cwmpkit_core::capture::Options;
use cwmpkit_core::pipeline;
use cwmpkit_core::session::Direction;
use serde_json::Value;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");

fn corpus(path: &str) -> Vec<u8> {
    std::fs::read(format!("{CORPUS}/{path}")).unwrap()
}

fn magma_json() -> Value {
    let report =
        pipeline::analyze(&corpus("pcap/magma/dp_enb_tr069.pcap"), &Options::default()).unwrap();
    serde_json::to_value(&report).unwrap()
}

#[test]
fn magma_capture_gives_three_sessions_of_the_baicells_enb() {
    let json = magma_json();
    let sessions = json["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 3);
    let mut total = 0;
    for session in sessions {
        assert_eq!(session["cpe"]["oui"], "48BF74");
        assert_eq!(session["cpe"]["product_class"], "FAP/pBS31010/CA");
        assert_eq!(session["cpe"]["serial_number"], "1202000291213VB0009");
        let messages = session["messages"].as_array().unwrap();
        total += messages.len();
        assert_eq!(messages[0]["rpc"], "Inform");
        assert_eq!(messages[0]["direction"], "cpe-to-acs");
        assert_eq!(messages[1]["rpc"], "InformResponse");
        assert_eq!(messages[1]["direction"], "acs-to-cpe");
        for message in messages {
            assert!(message["time"].as_str().unwrap().starts_with("2022-04-25T16:11:"));
            assert!(message["diagnostics"].is_array());
            assert!(message["rpc"].as_str().is_some_and(|rpc| !rpc.is_empty()));
        }
        // The empty POST and the ACS's closing empty 200 are exchanges, not messages.
        let kinds: Vec<&str> = session["exchanges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["empty-post", "session-end"]);
        assert_eq!(session["ended"], true);
    }
    assert_eq!(total, 28);
}

#[test]
fn magma_timeline_snapshot() {
    let json = magma_json();
    let timeline: Vec<Value> = json["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            serde_json::json!({
                "cpe_address": s["cpe_address"],
                "acs_address": s["acs_address"],
                "start": s["start"],
                "events": s["events"],
                "messages": s["messages"].as_array().unwrap().iter().map(|m| {
                    format!("{} {} {} id={}", m["time"].as_str().unwrap(), m["direction"].as_str().unwrap(), m["rpc"].as_str().unwrap(), m["cwmp_id"])
                }).collect::<Vec<_>>(),
                "findings": s["findings"].as_array().unwrap().iter().map(|f| format!("{} {}", f["code"].as_str().unwrap(), f["message"].as_str().unwrap())).collect::<Vec<_>>(),
            })
        })
        .collect();
    insta::assert_json_snapshot!("session_magma_timeline", timeline);
}

#[test]
fn a_bare_soap_file_is_one_session_with_inferred_directions() {
    let report =
        pipeline::analyze(&corpus("soap/freeacs/Inform.xml"), &Options::default()).unwrap();
    assert_eq!(report.sessions.len(), 1);
    let session = &report.sessions[0];
    assert_eq!(session.messages[0].rpc, "Inform");
    assert_eq!(session.messages[0].direction, Direction::CpeToAcs);
    assert!(session.cpe.is_some());
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["sessions"][0]["messages"][0]["direction"], "cpe-to-acs");

    let report = pipeline::analyze(
        &corpus("soap/freeacs/GetParameterValuesResponse.xml"),
        &Options::default(),
    )
    .unwrap();
    assert_eq!(report.sessions[0].messages[0].direction, Direction::CpeToAcs);
    let report =
        pipeline::analyze(&corpus("soap/freeacs/GetRPCMethods.xml"), &Options::default()).unwrap();
    assert_eq!(report.sessions[0].messages.len(), 1);
}

#[test]
fn pasted_envelopes_infer_directions_in_turn() {
    let inform = String::from_utf8(corpus("soap/freeacs/Inform.xml")).unwrap();
    let gpv = r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><soap:Header><cwmp:ID>7</cwmp:ID></soap:Header><soap:Body><cwmp:GetParameterValues><ParameterNames><string>Device.</string></ParameterNames></cwmp:GetParameterValues></soap:Body></soap:Envelope>"#;
    let text = format!("{inform}\n\n{gpv}\n");
    let report = pipeline::analyze(text.as_bytes(), &Options::default()).unwrap();
    let rpcs: Vec<(&str, Direction)> =
        report.sessions[0].messages.iter().map(|m| (&*m.rpc, m.direction)).collect();
    assert_eq!(
        rpcs,
        [("Inform", Direction::CpeToAcs), ("GetParameterValues", Direction::AcsToCpe)]
    );
}

#[test]
fn a_broken_envelope_is_still_a_message_with_the_codec_error() {
    let report =
        pipeline::analyze(&corpus("soap/rust-cwmp-crate/bogus_inform_1.xml"), &Options::default())
            .unwrap();
    let message = &report.sessions[0].messages[0];
    assert_eq!(message.rpc, "Inform");
    assert!(
        message
            .diagnostics
            .iter()
            .any(|d| d.code == "codec-error" && d.source == cwmpkit_core::Source::Codec)
    );
    // A lone pasted Inform is not a conformance problem: its answer is simply not in the input.
    assert!(report.sessions[0].findings.is_empty());
}
