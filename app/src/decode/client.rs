//! The page's handle on its decode worker: started when a page needs one (the Decode page when it
//! opens, so the decoder's wasm is fetched then, not at start-up), stopped to cancel, started
//! afresh after.

use super::protocol::{Request, Response};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// Where Trunk puts the worker's loader (index.html, `data-bin="decode-worker"`).
const LOADER: &str = "/decode-worker_loader.js";

/// A message for the worker: the request as JSON, and the file it is about.
struct Outgoing {
    request: String,
    file: Option<web_sys::File>,
}

pub struct DecodeWorker {
    worker: web_sys::Worker,
    /// Requests made before the worker said it is ready (it loads its wasm first).
    waiting: Rc<RefCell<Option<Vec<Outgoing>>>>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

fn post(worker: &web_sys::Worker, outgoing: &Outgoing) {
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"request".into(), &outgoing.request.as_str().into());
    if let Some(file) = &outgoing.file {
        let _ = js_sys::Reflect::set(&message, &"file".into(), file);
    }
    let _ = worker.post_message(&message);
}

impl DecodeWorker {
    /// Starts a worker; every answer goes to `on_response`.
    pub fn start(on_response: impl Fn(Response) + 'static) -> Result<DecodeWorker, String> {
        let options = web_sys::WorkerOptions::new();
        options.set_type(web_sys::WorkerType::Classic);
        let worker = web_sys::Worker::new_with_options(LOADER, &options)
            .map_err(|e| format!("cannot start the decoder: {e:?}"))?;
        let waiting: Rc<RefCell<Option<Vec<Outgoing>>>> = Rc::new(RefCell::new(Some(Vec::new())));
        let on_response = Rc::new(on_response);
        let ready_queue = Rc::clone(&waiting);
        let ready_worker = worker.clone();
        let respond = Rc::clone(&on_response);
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
            move |event: web_sys::MessageEvent| {
                let Some(json) = event.data().as_string() else { return };
                let response =
                    serde_json::from_str::<Response>(&json).unwrap_or_else(|e| Response::Failed {
                        message: format!("the decoder said something unreadable: {e}"),
                    });
                if response == Response::Ready {
                    for outgoing in ready_queue.borrow_mut().take().unwrap_or_default() {
                        post(&ready_worker, &outgoing);
                    }
                }
                respond(response);
            },
        );
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            let message = event
                .dyn_ref::<web_sys::ErrorEvent>()
                .map(|e| e.message())
                .unwrap_or_else(|| "the decoder could not be loaded".into());
            on_response(Response::Failed { message });
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(DecodeWorker { worker, waiting, _on_message: on_message, _on_error: on_error })
    }

    /// Sends a request (with the file it is about, if any); queued until the worker is ready.
    pub fn send(&self, request: &Request, file: Option<web_sys::File>) {
        let Ok(request) = serde_json::to_string(request) else { return };
        let outgoing = Outgoing { request, file };
        match self.waiting.borrow_mut().as_mut() {
            Some(queue) => queue.push(outgoing),
            None => post(&self.worker, &outgoing),
        }
    }

    /// Stops the worker at once, wherever it is (cancel).
    pub fn stop(&self) {
        self.worker.terminate();
    }
}
