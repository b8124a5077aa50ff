//! Decoding of real and hand-made CWMP messages.
// reason: tests are the host here; they read the shared corpus from disk.
#![allow(clippy::disallowed_methods)]

use cwmpkit_core::cwmp::{self, CwmpVersion, Limits, Message, Severity, tables};

fn corpus(relative: &str) -> Vec<u8> {
    let path = format!("{}/../../shared/corpus/soap/{relative}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn only_message(input: &[u8]) -> (cwmp::Envelope, Vec<cwmp::Diagnostic>) {
    let decoded = cwmp::decode(input).expect("decodes");
    assert_eq!(decoded.envelopes.len(), 1, "one envelope");
    (decoded.envelopes.into_iter().next().expect("one"), decoded.diagnostics)
}

#[test]
fn real_inform_decodes_with_device_events_and_parameters() {
    let (envelope, diagnostics) = only_message(&corpus("cwmp_ex/inform-2601.xml"));
    assert_eq!(envelope.version, CwmpVersion::V1_0);
    assert_eq!(envelope.header.id.as_deref(), Some("100"));
    assert_eq!(envelope.message.name(), "Inform");
    let Message::Inform(inform) = envelope.message else { panic!("not an Inform") };
    assert_eq!(inform.device_id.manufacturer, "ZyXEL");
    assert_eq!(inform.device_id.oui, "EC43F6");
    assert_eq!(inform.device_id.product_class, "P-2601HN-F1");
    assert_eq!(inform.device_id.serial_number, "EC43F69AF408");
    assert_eq!(inform.events.len(), 1);
    assert_eq!(inform.events[0].event_code, "2 PERIODIC");
    assert_eq!(inform.max_envelopes, 1);
    assert_eq!(inform.current_time, "2015-01-19T23:08:24");
    assert_eq!(inform.parameter_list.len(), 8);
    assert_eq!(inform.parameter_list[1].name, "InternetGatewayDevice.DeviceInfo.SpecVersion");
    assert_eq!(inform.parameter_list[1].value.xsi_type.as_deref(), Some("string"));
    assert_eq!(inform.parameter_list[1].value.text, "1.0");
    assert!(diagnostics.iter().all(|d| d.severity < Severity::Warning), "{diagnostics:#?}");
}

#[test]
fn every_real_inform_in_the_corpus_decodes() {
    let files = [
        "cwmp_ex/inform-2601.xml",
        "cwmp_ex/inform-cycto.xml",
        "cwmp_ex/inform-vmg.xml",
        "cwmp_ex/inline-test-samples/inform--sample_2601.xml",
        "cwmp_ex/inline-test-samples/inform--sample_cycto_invalid_timestring.xml",
        "cwmp_ex/inline-test-samples/inform--sample_hgw4.xml",
        "cwmp_ex/inline-test-samples/inform--sample_vap.xml",
        "cwmp_ex/inline-test-samples/inform--sample_vmg.xml",
        "freeacs/Inform.xml",
        "rust-cwmp-crate/inform_1.xml",
    ];
    for file in files {
        let (envelope, _) = only_message(&corpus(file));
        let Message::Inform(inform) = envelope.message else { panic!("{file}: not an Inform") };
        assert!(!inform.device_id.oui.is_empty(), "{file}: OUI");
        assert!(!inform.events.is_empty(), "{file}: events");
        assert!(!inform.parameter_list.is_empty(), "{file}: parameters");
    }
}

#[test]
fn version_comes_from_the_namespace_uri_not_the_prefix() {
    let input = br#"<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0" xmlns:x="urn:dslforum-org:cwmp-1-2">
      <e:Header><x:ID e:mustUnderstand="1">7</x:ID></e:Header>
      <e:Body><x:Inform><DeviceId><OUI>001122</OUI></DeviceId></x:Inform></e:Body></e:Envelope>"#;
    let (envelope, _) = only_message(input);
    assert_eq!(envelope.version, CwmpVersion::V1_2);
}

#[test]
fn default_namespace_and_xmlns_reset_inside_device_id() {
    let input = br#"<?xml version="1.0"?>
<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/">
 <Body>
  <Inform xmlns="urn:dslforum-org:cwmp-1-1">
   <DeviceId xmlns=""><Manufacturer>Acme</Manufacturer><OUI>A1B2C3</OUI><ProductClass>Box</ProductClass><SerialNumber>42</SerialNumber></DeviceId>
   <Event><EventStruct><EventCode>1 BOOT</EventCode><CommandKey/></EventStruct></Event>
   <MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2020-01-01T00:00:00Z</CurrentTime><RetryCount>3</RetryCount>
   <ParameterList/>
  </Inform>
 </Body>
</Envelope>"#;
    let (envelope, _) = only_message(input);
    assert_eq!(envelope.version, CwmpVersion::V1_1);
    let Message::Inform(inform) = envelope.message else { panic!("not an Inform") };
    assert_eq!(inform.device_id.manufacturer, "Acme");
    assert_eq!(inform.device_id.serial_number, "42");
    assert_eq!(inform.retry_count, 3);
    assert_eq!(inform.events[0].event_code, "1 BOOT");
}

#[test]
fn bogus_inform_is_an_error_with_line_and_column() {
    let error = cwmp::decode(&corpus("rust-cwmp-crate/bogus_inform_1.xml")).expect_err("bogus");
    assert!(error.position.line > 1, "{error}");
    assert!(error.position.column >= 1, "{error}");
    assert!(!error.path.is_empty(), "{error}");
}

#[test]
fn truncated_input_is_an_error_at_the_end() {
    let full = corpus("cwmp_ex/inform-2601.xml");
    for cut in [full.len() / 3, full.len() / 2, full.len() - 5] {
        let error = cwmp::decode(&full[..cut]).expect_err("truncated");
        assert!(error.position.line > 1, "cut at {cut}: {error}");
    }
}

#[test]
fn garbage_text_is_an_error_with_position() {
    let error = cwmp::decode(b"\n  hello, this is not XML").expect_err("garbage");
    assert_eq!(error.position.line, 2);
    assert_eq!(error.position.column, 3);
    let error = cwmp::decode(b"<html><body>nope</body></html>").expect_err("not SOAP");
    assert_eq!(error.position.column, 1);
}

#[test]
fn empty_body_is_no_envelope() {
    let decoded = cwmp::decode(b"").expect("empty");
    assert!(decoded.envelopes.is_empty());
    let decoded = cwmp::decode(b"  \r\n").expect("blank");
    assert!(decoded.envelopes.is_empty());
}

#[test]
fn limits_are_enforced() {
    let input = corpus("cwmp_ex/inform-2601.xml");
    let tight = Limits { max_depth: 4, ..Limits::default() };
    let error = cwmp::decode_with(&input, &tight).expect_err("too deep");
    assert!(error.message.contains("max_depth"), "{error}");
    let tight = Limits { max_body_bytes: 100, ..Limits::default() };
    assert!(cwmp::decode_with(&input, &tight).is_err());
    let tight = Limits { max_elements: 10, ..Limits::default() };
    assert!(
        cwmp::decode_with(&input, &tight).expect_err("elements").message.contains("max_elements")
    );
    let tight = Limits { max_string_bytes: 10, ..Limits::default() };
    assert!(
        cwmp::decode_with(&input, &tight)
            .expect_err("strings")
            .message
            .contains("max_string_bytes")
    );
    let tight = Limits { max_attributes: 3, ..Limits::default() };
    assert!(
        cwmp::decode_with(&input, &tight).expect_err("attrs").message.contains("max_attributes")
    );
}

#[test]
fn billion_laughs_is_refused() {
    let input = br#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><cwmp:Inform xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><CurrentTime>&lol9;</CurrentTime></cwmp:Inform></soap:Body></soap:Envelope>"#;
    let error = cwmp::decode(input).expect_err("DTD");
    assert!(error.message.contains("DOCTYPE"), "{error}");
    assert_eq!(error.position.line, 2);
}

#[test]
fn event_meanings_cover_standard_method_and_vendor_codes() {
    for (code, _) in tables::EVENT_CODES.iter().chain(tables::METHOD_EVENTS) {
        assert!(tables::event_meaning(code).is_some(), "{code}");
    }
    assert_eq!(tables::event_meaning("2 PERIODIC"), Some("periodic inform"));
    assert!(tables::event_meaning("M Download").is_some());
    assert!(tables::event_meaning("M X_ACME_Frobnicate").is_some());
    assert!(tables::event_meaning("X 00256D FIRMWARE READY").is_some());
    assert_eq!(tables::event_meaning("99 NOTHING"), None);
}
