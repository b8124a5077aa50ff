//! A real capture of genieacs-sim, which counts Content-Length in characters: the body of its
//! GetParameterValuesResponse with a non-ASCII SSID is 7 bytes longer than it says. The message
//! is read whole, and the finding points at where it really ends in the file.

// The test is the host, not core: it reads a fixture.
#![allow(clippy::disallowed_methods)]

use cwmpkit_core::Source;
use cwmpkit_core::capture::Options;
use cwmpkit_core::cwmp::Message;
use cwmpkit_core::pipeline;
use cwmpkit_core::session;

const CAPTURE: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/genieacs-sim-ssid.pcapng");

#[test]
fn the_simulators_short_content_length_is_recovered_with_its_offset() {
    let file = std::fs::read(CAPTURE).unwrap();
    let report = pipeline::analyze(&file, &Options::default()).unwrap();
    let cwmp: Vec<&session::Session> =
        report.sessions.iter().filter(|s| !s.messages.is_empty()).collect();
    assert_eq!(cwmp.len(), 2);
    let rpcs: Vec<&str> = cwmp[1].messages.iter().map(|m| m.rpc.as_str()).collect();
    assert_eq!(
        rpcs,
        [
            "Inform",
            "InformResponse",
            "SetParameterValues",
            "SetParameterValuesResponse",
            "GetParameterValues",
            "GetParameterValuesResponse"
        ]
    );
    // All of tshark's 8 CWMP bodies, the last one whole where tshark cuts it at 939 bytes.
    assert_eq!(cwmp.iter().map(|s| s.messages.len()).sum::<usize>(), 8);
    let response = &cwmp[1].messages[5];
    let Some(Message::GetParameterValuesResponse(values)) =
        response.envelope.as_ref().map(|e| &e.message)
    else {
        panic!("the response is not decoded: {:?}", response.diagnostics);
    };
    let ssid = values.parameter_list.iter().find(|p| p.name.ends_with(".SSID")).unwrap();
    assert_eq!(&*ssid.value.text, "Café Ünïcødé — 404");
    let mismatch = response
        .diagnostics
        .iter()
        .find(|d| d.code == "content-length-mismatch" && d.source == Source::Http)
        .expect("the HTTP layer says the length is wrong");
    assert!(mismatch.message.contains("says 939 but the body has 946"), "{}", mismatch.message);
    assert!(mismatch.location.byte_offset().is_some(), "{mismatch:?}");
    assert!(cwmp[1].findings.iter().any(|f| f.code == "content-length-mismatch"));
    // The capture-level diagnostic carries the offset of the pcapng block holding the body's end.
    let http = report.sessions.iter().flat_map(|s| &s.messages).flat_map(|m| &m.diagnostics);
    assert!(http.clone().any(|d| d.code == "content-length-mismatch"));
    let capture = cwmpkit_core::capture::decode(&file, &Options::default()).unwrap();
    let diagnostic = capture
        .connections
        .iter()
        .flat_map(|c| &c.messages)
        .flat_map(|m| &m.diagnostics)
        .find(|d| d.code == "content-length-mismatch")
        .unwrap();
    let offset = diagnostic.location.byte_offset().expect("a byte offset");
    // An Enhanced Packet Block (type 6) starts there, and the body's last bytes are in it.
    assert_eq!(file[offset..offset + 4], 6u32.to_le_bytes());
    let block_len = u32::from_le_bytes(file[offset + 4..offset + 8].try_into().unwrap()) as usize;
    let block = &file[offset..offset + block_len];
    assert!(block.windows(19).any(|w| w == b"</soap-env:Envelope"));
}
