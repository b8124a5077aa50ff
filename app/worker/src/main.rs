//! The decode worker's entry: Trunk builds it as a wasm of its own (index.html, `data-type="worker"`)
//! that the Decode page starts when it opens.

fn main() {
    console_error_panic_hook::set_once();
    cwmpkit_decode_worker::worker::start();
}
