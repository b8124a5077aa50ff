//! The file's bytes, read by a worker of the decode worker's own, so that the browser's reading
//! overlaps the decoding. Read by the decoding thread itself, 50 MB cost it 267–346 ms of waiting
//! with `FileReaderSync`, and still 77–94 ms when it asked for the next piece with
//! `Blob.arrayBuffer()` before decoding the current one: Chromium hands a file's bytes over in
//! small chunks that only the thread that asked can take in, so a busy decoder stalls its own
//! reads. The reader transfers each piece (no copy) and stays at most [`AHEAD`]
//! pieces in front, so a slow decoder does not pile up the file in memory.

use js_sys::{Array, Object, Reflect, Uint8Array};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// Pieces read but not yet acknowledged by the decoder, at most.
pub const AHEAD: u32 = 3;

/// The reader's script. A classic worker of a few lines, made from a Blob so that it needs no
/// file of its own beside the app.
const SCRIPT: &str = r#"
let file = null, piece = 0, ahead = 0, offset = 0, unacknowledged = 0, reading = false;
onmessage = (event) => {
  const message = event.data;
  if (message.file) {
    file = message.file; piece = message.piece; ahead = message.ahead;
    offset = 0; unacknowledged = 0;
  } else if (message.taken) {
    unacknowledged -= 1;
  }
  pump();
};
async function pump() {
  if (reading) return;
  reading = true;
  try {
    while (file && offset < file.size && unacknowledged < ahead) {
      const end = Math.min(offset + piece, file.size);
      const buffer = await file.slice(offset, end).arrayBuffer();
      offset = end;
      unacknowledged += 1;
      postMessage({ buffer }, [buffer]);
    }
    if (file && offset >= file.size) {
      postMessage({ end: true });
      file = null;
    }
  } catch (error) {
    postMessage({ error: String(error) });
    file = null;
  }
  reading = false;
}
"#;

/// What the reader sent.
pub enum Piece {
    Bytes(Uint8Array),
    /// The file's end: no more pieces.
    End,
    Failed(String),
}

/// A running reader of one file; dropping it stops the reader.
pub struct FileReader {
    worker: web_sys::Worker,
    /// The script's `blob:` URL, revoked with the reader.
    script_url: String,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    /// A reader that cannot run (its script refused, e.g. by a Content-Security-Policy without
    /// `worker-src blob:`) says so here, or the decode would wait for it forever.
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl FileReader {
    /// Starts reading `file` in pieces of `piece` bytes; `on_piece` gets each in order.
    pub fn start(
        file: &web_sys::File,
        piece: f64,
        on_piece: impl FnMut(Piece) + 'static,
    ) -> Result<Self, String> {
        Self::start_with_script(SCRIPT, file, piece, on_piece)
    }

    /// [`start`](Self::start) with another script: the tests' way to make the reader fail.
    #[doc(hidden)]
    pub fn start_with_script(
        script: &str,
        file: &web_sys::File,
        piece: f64,
        on_piece: impl FnMut(Piece) + 'static,
    ) -> Result<Self, String> {
        let (worker, script_url) =
            reader_worker(script).map_err(|e| format!("cannot start the file reader: {e:?}"))?;
        let on_piece: Rc<RefCell<dyn FnMut(Piece)>> = Rc::new(RefCell::new(on_piece));
        let on_error = {
            let on_piece = Rc::clone(&on_piece);
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                let why = event
                    .dyn_ref::<web_sys::ErrorEvent>()
                    .map(|e| e.message())
                    .filter(|m| !m.is_empty())
                    .unwrap_or_else(|| "it could not run (a Content-Security-Policy?)".into());
                (on_piece.borrow_mut())(Piece::Failed(format!("the file reader stopped: {why}")));
            })
        };
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        worker.set_onmessageerror(Some(on_error.as_ref().unchecked_ref()));
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
            move |event: web_sys::MessageEvent| {
                let mut on_piece = on_piece.borrow_mut();
                let data = event.data();
                let buffer = Reflect::get(&data, &JsValue::from_str("buffer")).ok();
                let end = Reflect::get(&data, &JsValue::from_str("end")).ok();
                match buffer.and_then(|b| b.dyn_into::<js_sys::ArrayBuffer>().ok()) {
                    Some(buffer) => on_piece(Piece::Bytes(Uint8Array::new(&buffer))),
                    None if end.is_some_and(|end| end.is_truthy()) => on_piece(Piece::End),
                    None => on_piece(Piece::Failed(
                        Reflect::get(&data, &JsValue::from_str("error"))
                            .ok()
                            .and_then(|e| e.as_string())
                            .unwrap_or_else(|| "the file reader sent nothing readable".into()),
                    )),
                }
            },
        );
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let start = Object::new();
        let set = |key: &str, value: &JsValue| Reflect::set(&start, &JsValue::from_str(key), value);
        set("file", file)
            .and_then(|_| set("piece", &JsValue::from_f64(piece)))
            .and_then(|_| set("ahead", &JsValue::from(AHEAD)))
            .and_then(|_| worker.post_message(&start))
            .map_err(|e| format!("cannot hand the file to its reader: {e:?}"))?;
        Ok(Self { worker, script_url, _on_message: on_message, _on_error: on_error })
    }

    /// Lets the reader go on: the decoder is done with one more piece.
    pub fn taken(&self) {
        let taken = Object::new();
        if Reflect::set(&taken, &JsValue::from_str("taken"), &JsValue::TRUE).is_ok() {
            let _ = self.worker.post_message(&taken);
        }
    }
}

impl Drop for FileReader {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.set_onmessageerror(None);
        self.worker.terminate();
        let _ = web_sys::Url::revoke_object_url(&self.script_url);
    }
}

fn reader_worker(script: &str) -> Result<(web_sys::Worker, String), JsValue> {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/javascript");
    let parts = Array::of1(&JsValue::from_str(script));
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    match web_sys::Worker::new(&url) {
        Ok(worker) => Ok((worker, url)),
        Err(error) => {
            let _ = web_sys::Url::revoke_object_url(&url);
            Err(error)
        }
    }
}
