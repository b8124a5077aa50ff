//! The decode worker's file reader in a real browser: a worker of its own reads a `File` and
//! hands the pieces over, in order, at most a few ahead.

use cwmpkit_app::decode::reader::{FileReader, Piece};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

/// What a reader sent until it ended or failed.
#[derive(Debug, Default)]
struct Received {
    bytes: Vec<u8>,
    pieces: usize,
    ended: bool,
    failure: Option<String>,
}

fn file_of(bytes: &[u8]) -> web_sys::File {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    web_sys::File::new_with_u8_array_sequence(&parts, "capture.pcap").expect("a File")
}

/// Reads `file` with `script` (the reader's own when `None`), acknowledging each piece, until
/// the reader says it ended or failed.
async fn read_all(file: &web_sys::File, piece: f64, script: Option<&str>) -> Received {
    let received = Rc::new(RefCell::new(Received::default()));
    let reader: Rc<RefCell<Option<FileReader>>> = Rc::new(RefCell::new(None));
    let done = js_sys::Promise::new(&mut |resolve, _reject| {
        let received = Rc::clone(&received);
        let reader_of_pieces = Rc::clone(&reader);
        let on_piece = move |piece: Piece| {
            let mut received = received.borrow_mut();
            match piece {
                Piece::Bytes(bytes) => {
                    received.bytes.extend(bytes.to_vec());
                    received.pieces += 1;
                    if let Some(reader) = reader_of_pieces.borrow().as_ref() {
                        reader.taken();
                    }
                    return;
                }
                Piece::End => received.ended = true,
                Piece::Failed(why) => received.failure = Some(why),
            }
            let _ = resolve.call0(&JsValue::NULL);
        };
        let started = match script {
            Some(script) => FileReader::start_with_script(script, file, piece, on_piece),
            None => FileReader::start(file, piece, on_piece),
        };
        *reader.borrow_mut() = Some(started.expect("the reader starts"));
    });
    wasm_bindgen_futures::JsFuture::from(done).await.expect("the reader ends");
    reader.borrow_mut().take();
    Rc::try_unwrap(received).map(RefCell::into_inner).unwrap_or_default()
}

#[wasm_bindgen_test]
async fn the_reader_hands_over_every_byte_in_order_then_says_it_ended() {
    // More pieces than the reader may read ahead, the last one short.
    let bytes: Vec<u8> = (0..10 * 1024 + 7).map(|i| (i * 31 % 251) as u8).collect();
    let received = read_all(&file_of(&bytes), 1024.0, None).await;
    assert_eq!(received.failure, None);
    assert!(received.ended);
    assert_eq!(received.pieces, 11);
    assert!(received.bytes == bytes, "the pieces put together are not the file");
}

#[wasm_bindgen_test]
async fn an_empty_file_ends_without_a_piece() {
    let received = read_all(&file_of(&[]), 1024.0, None).await;
    assert!(received.ended);
    assert_eq!(received.pieces, 0);
}

#[wasm_bindgen_test]
async fn a_reader_that_cannot_run_is_a_failure_not_a_wait() {
    let received =
        read_all(&file_of(b"bytes"), 1024.0, Some("throw new Error('refused by policy');")).await;
    assert!(!received.ended);
    let failure = received.failure.expect("a failure");
    assert!(failure.contains("the file reader stopped"), "{failure}");
}
