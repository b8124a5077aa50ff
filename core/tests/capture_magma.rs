//! The magma capture: a Baicells eNB talking CWMP to Magma's ACS over plain HTTP on port 8443.

// The test is the host, not core: it reads corpus files.
#![allow(clippy::disallowed_methods)]

use cwmpkit_core::capture::{self, InputKind, Options};

const MAGMA_PCAP: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/pcap/magma/dp_enb_tr069.pcap");

#[test]
fn magma_pcap_gives_three_keep_alive_connections() {
    let bytes = std::fs::read(MAGMA_PCAP).unwrap();
    assert_eq!(capture::detect(&bytes), Some(InputKind::Pcap));
    let capture = capture::decode(&bytes, &Options::default()).unwrap();
    assert_eq!(capture.frames, 170);
    assert!(capture.tls.is_empty());
    let per_connection: Vec<usize> = capture.connections.iter().map(|c| c.messages.len()).collect();
    assert_eq!(per_connection, [10, 14, 10]);
    for connection in &capture.connections {
        assert_eq!(connection.server.unwrap().port(), 8443);
        // HTTP/1.1 keep-alive: requests and responses alternate, each answered in turn.
        for (index, message) in connection.messages.iter().enumerate() {
            assert_eq!(message.is_request(), index % 2 == 0, "{}", message.summary());
            assert_eq!(message.content_length, Some(message.body_len as u64));
            assert!(message.time.is_some());
        }
        // Every session ends with the ACS's empty answer to the CPE's last POST.
        let last = connection.messages.last().unwrap();
        assert!(last.has_empty_body() && last.status() == Some(200));
    }
    let soap_bodies = capture
        .connections
        .iter()
        .flat_map(|c| &c.messages)
        .filter(|m| m.body.windows(8).any(|w| w == b"Envelope"))
        .count();
    assert_eq!(soap_bodies, 28);
    // Basic credentials are masked by default.
    let first = &capture.connections[0].messages[0];
    if let Some(credentials) = &first.credentials {
        assert_ne!(credentials.password.as_deref(), Some(""));
        assert!(credentials.password.iter().all(|p| p == "********"));
    }
}
