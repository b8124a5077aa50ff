//! Decoding of real and hand-made CWMP messages.
// reason: tests are the host here; they read the shared corpus from disk.
#![allow(clippy::disallowed_methods)]

use cwmpkit_core::cwmp::{self, CwmpVersion, Limits, Message, tables};
use cwmpkit_core::{Diagnostic, Severity};

fn corpus(relative: &str) -> Vec<u8> {
    let path = format!("{}/../../shared/corpus/soap/{relative}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn only_message(input: &[u8]) -> (cwmp::Envelope, Vec<Diagnostic>) {
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

fn envelope(body: &str) -> String {
    format!(
        r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Header><cwmp:ID soap:mustUnderstand="1">1</cwmp:ID></soap:Header><soap:Body>{body}</soap:Body></soap:Envelope>"#
    )
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<&str> {
    diagnostics.iter().map(|d| &*d.code).collect()
}

#[test]
fn sloppy_arrays_and_values_are_read_with_diagnostics() {
    let body = r#"<cwmp:GetParameterValuesResponse><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[03]">
      <ParameterValueStuct><Name>A.B</Name><Value xmlns:old="http://www.w3.org/1999/XMLSchema" xsi:type="old:int">5</Value></ParameterValueStuct>
      <ParameterValueStruct><Name>A.C</Name><Value>untyped</Value></ParameterValueStruct>
    </ParameterList></cwmp:GetParameterValuesResponse>"#;
    let (envelope, diagnostics) = only_message(envelope(body).as_bytes());
    let Message::GetParameterValuesResponse(response) = envelope.message else { panic!() };
    assert_eq!(response.parameter_list.len(), 2);
    assert_eq!(response.parameter_list[0].value.as_i32(), Some(5));
    assert_eq!(response.parameter_list[1].value.xsi_type, None);
    let codes = codes(&diagnostics);
    for expected in [
        "array-type-count-zero-padded",
        "array-type-count-mismatch",
        "misnamed-array-item",
        "xsd-1999-namespace",
        "missing-xsi-type",
    ] {
        assert!(codes.contains(&expected), "{expected} missing from {codes:?}");
    }
    let mismatch = diagnostics.iter().find(|d| d.code == "array-type-count-mismatch").unwrap();
    assert_eq!(
        mismatch.location.path(),
        Some("Envelope/Body/GetParameterValuesResponse/ParameterList")
    );
    assert_eq!(mismatch.location.line_number(), Some(1));
}

#[test]
fn latin1_bodies_are_transcoded_and_flagged() {
    let mut input = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>".to_vec();
    input.extend_from_slice(
        envelope("<cwmp:Reboot><CommandKey>caf\u{e9}</CommandKey></cwmp:Reboot>")
            .replace('\u{e9}', "\u{1}")
            .as_bytes(),
    );
    // Put a real Latin-1 é (0xE9) where the placeholder is.
    let at = input.iter().position(|&b| b == 1).unwrap();
    input[at] = 0xE9;
    let (envelope, diagnostics) = only_message(&input);
    let Message::Reboot(reboot) = envelope.message else { panic!() };
    assert_eq!(reboot.command_key, "café");
    assert!(codes(&diagnostics).contains(&"latin1-body"));
}

#[test]
fn unknown_namespace_legacy_header_and_vendor_method() {
    let input = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:c="urn:dslforum-org:cwmp-1-0" xmlns:v="urn:example:vendor">
      <s:Header><c:NoMoreRequests>1</c:NoMoreRequests><c:HoldRequests s:mustUnderstand="1">0</c:HoldRequests></s:Header>
      <s:Body><v:X_ACME_Frobnicate><Level>3</Level></v:X_ACME_Frobnicate></s:Body></s:Envelope>"#;
    let (envelope, diagnostics) = only_message(input.as_bytes());
    assert_eq!(envelope.header.no_more_requests, Some(true));
    assert_eq!(envelope.header.hold_requests, Some(false));
    assert_eq!(envelope.message.name(), "X_ACME_Frobnicate");
    let Message::Vendor(raw) = &envelope.message else { panic!() };
    // The vendor namespace, declared on the Envelope, moves onto the element.
    assert_eq!(
        raw.xml,
        r#"<v:X_ACME_Frobnicate xmlns:v="urn:example:vendor"><Level>3</Level></v:X_ACME_Frobnicate>"#
    );
    // Re-encoded into our own envelope, it stays namespace-well-formed and the same.
    let again =
        cwmp::decode(cwmp::encode(&envelope, envelope.version).unwrap().as_bytes()).unwrap();
    assert_eq!(again.envelopes[0].message, envelope.message);
    assert!(codes(&diagnostics).contains(&"legacy-no-more-requests"));

    let odd = envelope_in_namespace("urn:example:not-cwmp");
    let (_, diagnostics) = only_message(odd.as_bytes());
    assert!(codes(&diagnostics).contains(&"unknown-namespace"), "{diagnostics:?}");
}

fn envelope_in_namespace(uri: &str) -> String {
    format!(
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:c="{uri}"><s:Body><c:Reboot><CommandKey/></c:Reboot></s:Body></s:Envelope>"#
    )
}

#[test]
fn soap_fault_with_set_parameter_values_faults() {
    let body = r#"<soap:Fault><faultcode>soap:Client</faultcode><faultstring>CWMP fault</faultstring><detail>
      <cwmp:Fault><FaultCode>9003</FaultCode><FaultString>Invalid arguments</FaultString>
        <SetParameterValuesFault><ParameterName>A.B</ParameterName><FaultCode>9007</FaultCode><FaultString>bad</FaultString></SetParameterValuesFault>
        <SetParameterValuesFault><ParameterName>A.C</ParameterName><FaultCode>9008</FaultCode><FaultString/></SetParameterValuesFault>
      </cwmp:Fault></detail></soap:Fault>"#;
    let (envelope, _) = only_message(envelope(body).as_bytes());
    let Message::Fault(fault) = envelope.message else { panic!() };
    let detail = fault.detail.unwrap();
    assert_eq!(detail.fault_code, 9003);
    assert_eq!(detail.set_parameter_values_faults.len(), 2);
    assert_eq!(detail.set_parameter_values_faults[1].fault_code, 9008);
    assert_eq!(tables::fault_meaning(9008), Some("attempt to set a non-writable parameter"));
    assert_eq!(tables::fault_meaning(9850), Some("vendor-specific CPE fault"));
    assert!(tables::file_type_meaning("1 Firmware Upgrade Image").is_some());
    assert!(tables::file_type_meaning("X 00D09E Config").is_some());
    assert!(tables::file_type_meaning("3 Vendor Configuration File 2").is_some());
}

#[test]
fn several_envelopes_and_empty_body_element() {
    let one = envelope("<cwmp:GetRPCMethods/>");
    let two = envelope("");
    let decoded = cwmp::decode(format!("{one}\n{two}").as_bytes()).unwrap();
    assert_eq!(decoded.envelopes.len(), 2);
    assert_eq!(decoded.envelopes[0].message, Message::GetRPCMethods);
    assert_eq!(decoded.envelopes[1].message, Message::EmptyBody);
}

#[test]
fn headers_of_cwmp_1_4() {
    let input = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:c="urn:dslforum-org:cwmp-1-2"><s:Header>
      <c:ID s:mustUnderstand="1">x</c:ID><c:SessionTimeout s:mustUnderstand="0">60</c:SessionTimeout>
      <c:SupportedCWMPVersions s:mustUnderstand="0">1.0,1.4</c:SupportedCWMPVersions><c:UseCWMPVersion s:mustUnderstand="1">1.4</c:UseCWMPVersion>
      </s:Header><s:Body><c:InformResponse><MaxEnvelopes>1</MaxEnvelopes></c:InformResponse></s:Body></s:Envelope>"#;
    let (envelope, diagnostics) = only_message(input.as_bytes());
    assert_eq!(envelope.header.session_timeout, Some(60));
    assert_eq!(envelope.header.supported_cwmp_versions.as_deref(), Some("1.0,1.4"));
    assert_eq!(envelope.header.use_cwmp_version.as_deref(), Some("1.4"));
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
}

fn gpv_response_with(items: &str, declared: usize) -> String {
    envelope(&format!(
        r#"<cwmp:GetParameterValuesResponse><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[{declared}]">{items}</ParameterList></cwmp:GetParameterValuesResponse>"#
    ))
}

#[test]
fn line_ends_are_normalized_but_character_references_are_kept() {
    let items = "<ParameterValueStruct><Name>A.B</Name><Value xsi:type=\"xsd:string\">one\r\ntwo\rthree&#13;four<![CDATA[\r\nfive]]></Value></ParameterValueStruct>";
    let (envelope, diagnostics) = only_message(gpv_response_with(items, 1).as_bytes());
    let Message::GetParameterValuesResponse(response) = envelope.message else { panic!() };
    assert_eq!(response.parameter_list[0].value.text, "one\ntwo\nthree\rfour\nfive");
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
}

#[test]
fn diagnostics_are_capped_and_the_rest_counted_by_code() {
    // 150 items without xsi:type, 30 with a bad number: 180 diagnostics.
    let mut items = String::new();
    for i in 0..150 {
        items.push_str(&format!(
            "<ParameterValueStruct><Name>A.{i}</Name><Value>x</Value></ParameterValueStruct>\n"
        ));
    }
    let body = format!(
        "<cwmp:GetParameterValuesResponse><ParameterList soap-enc:arrayType=\"cwmp:ParameterValueStruct[150]\">{items}</ParameterList></cwmp:GetParameterValuesResponse>"
    );
    let faults: String = (0..30)
        .map(|i| format!("<SetParameterValuesFault><ParameterName>P.{i}</ParameterName><FaultCode>x{i}</FaultCode></SetParameterValuesFault>"))
        .collect();
    let fault = format!(
        r#"<soap:Fault><faultcode>Client</faultcode><faultstring>CWMP fault</faultstring><detail><cwmp:Fault><FaultCode>9003</FaultCode><FaultString>Invalid arguments</FaultString>{faults}</cwmp:Fault></detail></soap:Fault>"#
    );
    let input = format!("{}{}", envelope(&body), envelope(&fault));
    let decoded = cwmp::decode(input.as_bytes()).expect("decodes");
    let diagnostics = &decoded.diagnostics;
    assert_eq!(diagnostics.len(), 101, "100 kept and one that counts the rest");
    let last = diagnostics.last().unwrap();
    assert_eq!(last.code, "diagnostics-dropped");
    assert_eq!(last.severity, Severity::Error, "the worst of what was dropped");
    assert!(last.message.contains("50 × missing-xsi-type"), "{}", last.message);
    assert!(last.message.contains("30 × invalid-number"), "{}", last.message);
    assert!(last.message.contains("81 more"), "{}", last.message);
    // Where the first dropped one was: the 101st Value, on line 101 of the body.
    assert_eq!(last.location.line_number(), Some(101));
    // Nothing is lost from the messages themselves.
    let Message::GetParameterValuesResponse(response) = &decoded.envelopes[0].message else {
        panic!()
    };
    assert_eq!(response.parameter_list.len(), 150);

    let roomy = Limits { max_diagnostics: 1000, ..Limits::default() };
    let all = cwmp::decode_with(input.as_bytes(), &roomy).expect("decodes");
    assert_eq!(all.diagnostics.len(), 181, "every one, plus several-envelopes");
    assert!(all.diagnostics.iter().all(|d| d.code != "diagnostics-dropped"));
    // The first hundred are the same either way.
    assert_eq!(all.diagnostics[..100], diagnostics[..100]);
    let none = Limits { max_diagnostics: 0, ..Limits::default() };
    let counted = cwmp::decode_with(input.as_bytes(), &none).expect("decodes");
    assert_eq!(codes(&counted.diagnostics), ["diagnostics-dropped"]);
    assert!(
        counted.diagnostics[0].message.contains("181 more"),
        "{}",
        counted.diagnostics[0].message
    );
}

#[test]
fn diagnostic_positions_count_lines_and_characters() {
    let items = "\n<ParameterValueStruct><Name>é.A</Name><Value>1</Value></ParameterValueStruct>\n\n  <ParameterValueStruct><Name>B</Name><Value>2</Value></ParameterValueStruct>";
    let (_, diagnostics) = only_message(gpv_response_with(items, 2).as_bytes());
    let lines: Vec<(u32, u32)> = diagnostics
        .iter()
        .filter(|d| d.code == "missing-xsi-type")
        .map(|d| (d.location.line_number().unwrap(), d.location.column_number().unwrap()))
        .collect();
    // `é` is two bytes but one column (bytes would say 40).
    assert_eq!(lines, [(2, 39), (4, 39)]);
}

#[test]
fn a_lying_array_count_reserves_nothing_absurd() {
    let items = "<ParameterValueStruct><Name>A</Name><Value xsi:type=\"xsd:int\">1</Value></ParameterValueStruct>";
    let input = gpv_response_with(items, usize::MAX / 2);
    let (envelope, diagnostics) = only_message(input.as_bytes());
    let Message::GetParameterValuesResponse(response) = envelope.message else { panic!() };
    assert_eq!(response.parameter_list.len(), 1);
    assert!(response.parameter_list.capacity() < input.len(), "bounded by the input");
    assert!(codes(&diagnostics).contains(&"array-type-count-mismatch"));
}

#[test]
fn names_and_values_share_the_body_unless_they_were_rewritten() {
    let body = r#"<cwmp:GetParameterValuesResponse><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[2]">
      <ParameterValueStruct><Name>A.B</Name><Value xsi:type="xsd:string">plain</Value></ParameterValueStruct>
      <ParameterValueStruct><Name>A.C</Name><Value xsi:type="xsd:base64Binary">a&amp;b</Value></ParameterValueStruct>
    </ParameterList></cwmp:GetParameterValuesResponse>"#;
    let input = envelope(body).into_bytes();
    let (envelope, _) = only_message(&input);
    drop(input);
    let Message::GetParameterValuesResponse(response) = envelope.message else { panic!() };
    let [plain, escaped] = &response.parameter_list[..] else { panic!() };
    let body = plain.name.parent();
    assert_eq!((plain.name.as_str(), plain.value.text.as_str()), ("A.B", "plain"));
    for shared in [&plain.value.text, &escaped.name, plain.value.xsi_type.as_ref().unwrap()] {
        assert!(arcstr::ArcStr::ptr_eq(shared.parent(), body), "{shared} copied");
    }
    // An unescaped value is text the body does not contain; base64Binary is renamed.
    assert_eq!(escaped.value.text, "a&b");
    assert!(!arcstr::ArcStr::ptr_eq(escaped.value.text.parent(), body));
    assert_eq!(escaped.value.xsi_type.as_deref(), Some("base64"));
}

#[test]
fn a_type_prefix_is_resolved_in_each_value_scope() {
    // The same `xsi:type="xsd:int"` text means another namespace inside the
    // second struct; the reader's memo of the last type must not leak across.
    let body = r#"<cwmp:GetParameterValuesResponse><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[3]">
      <ParameterValueStruct><Name>A</Name><Value xsi:type="xsd:int">1</Value></ParameterValueStruct>
      <ParameterValueStruct xmlns:xsd="http://www.w3.org/1999/XMLSchema"><Name>B</Name><Value xsi:type="xsd:int">2</Value></ParameterValueStruct>
      <ParameterValueStruct><Name>C</Name><Value xsi:type="xsd:int">3</Value></ParameterValueStruct>
    </ParameterList></cwmp:GetParameterValuesResponse>"#;
    let (envelope, diagnostics) = only_message(envelope(body).as_bytes());
    let Message::GetParameterValuesResponse(response) = envelope.message else { panic!() };
    assert!(response.parameter_list.iter().all(|p| p.value.xsi_type.as_deref() == Some("int")));
    let old: Vec<u32> = diagnostics
        .iter()
        .filter(|d| d.code == "xsd-1999-namespace")
        .map(|d| d.location.line_number().unwrap())
        .collect();
    assert_eq!(old, [3], "{diagnostics:?}");
}

#[test]
fn an_empty_element_declares_its_namespace_for_itself_only() {
    // `<Value …/>` is read as an open and a close the reader makes itself; the prefix it
    // declares must count while it is open and not for the Value after it.
    let body = r#"<cwmp:GetParameterValuesResponse><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[2]">
      <ParameterValueStruct><Name>A</Name><Value xmlns:xsd="http://www.w3.org/1999/XMLSchema" xsi:type="xsd:int"/></ParameterValueStruct>
      <ParameterValueStruct><Name>B</Name><Value xsi:type="xsd:int">2</Value></ParameterValueStruct>
    </ParameterList></cwmp:GetParameterValuesResponse>"#;
    let (envelope, diagnostics) = only_message(envelope(body).as_bytes());
    let Message::GetParameterValuesResponse(response) = envelope.message else { panic!() };
    let names: Vec<&str> = response.parameter_list.iter().map(|p| &*p.name).collect();
    assert_eq!(names, ["A", "B"]);
    assert_eq!(response.parameter_list[0].value.text, "");
    assert!(response.parameter_list.iter().all(|p| p.value.xsi_type.as_deref() == Some("int")));
    let old: Vec<u32> = diagnostics
        .iter()
        .filter(|d| d.code == "xsd-1999-namespace")
        .map(|d| d.location.line_number().unwrap())
        .collect();
    assert_eq!(old, [2], "{diagnostics:?}");
}

#[test]
fn a_raw_method_declares_each_prefix_it_borrows_once() {
    // Unprefixed children with no default namespace, a default namespace declared inside,
    // prefixes from the Envelope used again and again, one declared inside: only the
    // Envelope's prefixes it uses are added to its start tag, each once, in order of use.
    let input = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:v="urn:example:vendor" xmlns:q="urn:example:q" xmlns:unused="urn:example:unused"><s:Body><v:X_ACME_Dump><a/><a>1</a><b xmlns="urn:example:d"><c/></b><q:d/><q:e q:n="1"/><r:f xmlns:r="urn:example:r"><r:g/></r:f><v:h/><a/></v:X_ACME_Dump></s:Body></s:Envelope>"#;
    let (envelope, _) = only_message(input.as_bytes());
    let Message::Vendor(raw) = &envelope.message else { panic!("{:?}", envelope.message) };
    assert_eq!(
        raw.xml,
        r#"<v:X_ACME_Dump xmlns:v="urn:example:vendor" xmlns:q="urn:example:q"><a/><a>1</a><b xmlns="urn:example:d"><c/></b><q:d/><q:e q:n="1"/><r:f xmlns:r="urn:example:r"><r:g/></r:f><v:h/><a/></v:X_ACME_Dump>"#
    );
    let again =
        cwmp::decode(cwmp::encode(&envelope, envelope.version).unwrap().as_bytes()).unwrap();
    assert_eq!(again.envelopes[0].message, envelope.message);
}

#[test]
fn a_rejected_body_comes_back_as_the_codec_read_it() {
    let body = "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">\n<soap:Body><x><a/><a/><a/></x></soap:Body></soap:Envelope>";
    let limits = Limits { max_elements: 4, ..Limits::default() };
    let error = cwmp::decode_with(body.as_bytes(), &limits).expect_err("past max_elements");
    assert!(error.message.contains("Limits::max_elements"), "{error}");
    assert_eq!(error.position.line, 2);
    assert_eq!(&*error.text, body, "the text the codec read, so no one reads the body again");
    // A body refused before it was read as text has none.
    let large = cwmp::decode_with(body.as_bytes(), &Limits { max_body_bytes: 10, ..limits })
        .expect_err("too large");
    assert!(large.text.is_empty());
}

#[test]
fn a_byte_order_mark_does_not_shift_error_offsets() {
    let body = "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">\n<soap:Body><bad></soap:Body>";
    let plain = cwmp::decode(body.as_bytes()).expect_err("mismatched end tag");
    let with_bom = cwmp::decode(format!("\u{feff}{body}").as_bytes()).expect_err("the same");
    assert_eq!(with_bom.position.offset, plain.position.offset + 3, "{with_bom} vs {plain}");
    assert_eq!(with_bom.position.line, plain.position.line, "{with_bom} vs {plain}");
}

#[test]
fn a_byte_order_mark_is_counted_in_the_invalid_utf8_note() {
    let mut body = b"\xEF\xBB\xBF<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Header/><soap:Body><cwmp:GetRPCMethods xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"/></soap:Body></soap:Envelope>".to_vec();
    let broken_at = body.iter().position(|&b| b == b'G').expect("the RPC's name");
    body[broken_at] = 0xE9;
    let decoded = cwmp::decode(&body).expect("Latin-1 is decoded");
    let note = decoded.diagnostics.iter().find(|d| d.code == "invalid-utf8").expect("the note");
    assert!(note.message.contains(&format!("byte {broken_at} ")), "{note:?}");
}

/// The codec hands quick-xml's namespace resolver from one body to the next on a thread: nothing
/// a body declared may still be bound in the next, even when that body broke off mid-element.
#[test]
fn namespaces_declared_in_one_body_are_unbound_in_the_next() {
    const SOAP: &str = "http://schemas.xmlsoap.org/soap/envelope/";
    let declares = format!(
        r#"<soap:Envelope xmlns:soap="{SOAP}" xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><soap:Body><cwmp:GetRPCMethods/></soap:Body></soap:Envelope>"#
    );
    let breaks_off = format!(
        r#"<soap:Envelope xmlns:soap="{SOAP}" xmlns:cwmp="urn:dslforum-org:cwmp-1-2"><soap:Body xmlns:x="urn:x"><cwmp:GetRPCMethods>"#
    );
    let undeclared = format!(
        r#"<soap:Envelope xmlns:soap="{SOAP}"><soap:Body><cwmp:GetRPCMethods/></soap:Body></soap:Envelope>"#
    );
    // On a thread of its own, nothing decoded before it.
    let alone = {
        let undeclared = undeclared.clone();
        std::thread::spawn(move || cwmp::decode(undeclared.as_bytes())).join().unwrap()
    };
    let said = format!("{alone:?}");
    assert!(said.contains("unbound prefix `cwmp`"), "{said}");
    for before in [&declares, &breaks_off, &declares] {
        let _ = cwmp::decode(before.as_bytes());
        assert_eq!(cwmp::decode(undeclared.as_bytes()), alone, "after {before}");
    }
}
