//! core in a real browser: the codec runs on wasm32 exactly as natively.
#![cfg(target_arch = "wasm32")]

use cwmpkit_core::cwmp::{self, Message, tables};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

// Embedded at compile time: the browser has no file system to read it from.
const INFORM: &str = include_str!("../../../shared/corpus/soap/freeacs/Inform.xml");

#[wasm_bindgen_test]
fn decodes_a_real_inform_in_the_browser() {
    let decoded = cwmp::decode(INFORM.as_bytes()).expect("the FreeACS Inform decodes");
    assert_eq!(decoded.envelopes.len(), 1);
    let Message::Inform(inform) = &decoded.envelopes[0].message else {
        panic!("expected an Inform, got {}", decoded.envelopes[0].message.name());
    };
    assert_eq!(inform.device_id.product_class, "FakeProductClass");
    let codes: Vec<&str> = inform.events.iter().map(|e| e.event_code.as_str()).collect();
    assert_eq!(codes, ["0 BOOTSTRAP", "1 BOOT", "4 VALUE CHANGE"]);
    for code in codes {
        assert!(tables::event_meaning(code).is_some(), "{code} has no meaning");
    }
    assert!(!inform.parameter_list.is_empty());
}

#[wasm_bindgen_test]
fn reports_where_broken_xml_breaks() {
    let broken = "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">\n  <soap:Body>\n</soap:Envelope>";
    let error = cwmp::decode(broken.as_bytes()).expect_err("mismatched tags are an error");
    assert_eq!(error.position.line, 3, "{error}");
}
