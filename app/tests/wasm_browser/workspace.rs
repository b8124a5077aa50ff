//! The workspace against the browser's real IndexedDB.

use cwmpkit_app::workspace::{self, Kind, StorageError};
use wasm_bindgen_test::wasm_bindgen_test;

fn file(name: &str, bytes: &[u8]) -> cwmpkit_app::workspace::PickedFile {
    cwmpkit_app::workspace::PickedFile { name: name.to_owned(), bytes: bytes.to_vec() }
}

#[wasm_bindgen_test]
async fn items_are_kept_as_opened_and_changed_in_place() {
    workspace::delete(None).await.expect("clear");
    // Bytes that are not UTF-8 (a Latin-1 capture, a pcap header) come back as they went in.
    let bytes: Vec<u8> = (0..=255u8).chain(*b"\xd4\xc3\xb2\xa1").collect();
    let capture =
        workspace::create(Kind::Capture, "trace.pcap", vec![file("trace.pcap", &bytes)], "{}")
            .await
            .expect("create");
    assert_eq!(capture.size, ("trace.pcap".len() + bytes.len() + 2) as u64);
    let set =
        workspace::create(Kind::ParameterSet, "dump.csv", vec![file("dump.csv", b"a,b\n")], "{}")
            .await
            .expect("create");

    let item = workspace::open(capture.id).await.expect("open");
    assert_eq!(item.files.len(), 1);
    assert_eq!(item.files[0].name, "trace.pcap");
    assert_eq!(item.files[0].bytes, bytes);

    let edits = r#"{"edits":{"Device.X":"1"}}"#;
    let saved = workspace::save_state(set.id, edits).await.expect("save state");
    assert_eq!(saved.size, ("dump.csv".len() + 4 + edits.len()) as u64);
    assert!(saved.updated >= set.updated);
    assert_eq!(workspace::open(set.id).await.expect("open").state, edits);

    let renamed = workspace::rename(set.id, "router before the upgrade").await.expect("rename");
    assert_eq!(renamed.name, "router before the upgrade");
    let listed = workspace::list().await.expect("list");
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].id, set.id, "the most recently changed comes first");
    assert_eq!(listed[0].name, "router before the upgrade");

    workspace::delete(Some(capture.id)).await.expect("delete");
    assert_eq!(workspace::open(capture.id).await, Err(StorageError::NotFound(capture.id)));
    assert_eq!(workspace::list().await.expect("list").len(), 1);
    workspace::delete(None).await.expect("clear");
    assert!(workspace::list().await.expect("list").is_empty());
}

#[wasm_bindgen_test]
async fn the_browser_gives_a_storage_estimate() {
    let estimate = workspace::estimate().await.expect("Chromium estimates storage");
    assert!(estimate.quota > 0, "{estimate:?}");
}
