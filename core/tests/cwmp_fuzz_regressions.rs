//! Inputs the fuzzer (fuzz/, target `cwmp_decode`) found, each a named case
//! run through the same check as the fuzz target.
// reason: tests are the host here; they read the shared corpus from disk.
#![allow(clippy::disallowed_methods)]

use cwmpkit_core::fuzzing::cwmp::{check_decode, check_mask_secrets};

fn holds(input: &[u8]) {
    if let Err(violation) = check_decode(input) {
        panic!("{violation}");
    }
}

/// The fuzzer's seeds: every real message holds the invariants.
#[test]
fn corpus_seeds_hold() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/soap");
    let mut stack = vec![std::path::PathBuf::from(root)];
    let mut seen = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let input = std::fs::read(&path).unwrap();
                holds(&input);
                if let Err(violation) = check_mask_secrets(&input) {
                    panic!("{}: {violation}", path.display());
                }
                seen += 1;
            }
        }
    }
    assert_eq!(seen, 83);
}

/// A raw control character (U+0005) in the header ID: quick-xml accepts it,
/// XML forbids it, and the encoder cannot write it back. The decoder now
/// replaces it by U+FFFD and says so.
#[test]
fn control_character_in_text_is_replaced_and_flagged() {
    let input = "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\" \
        xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"><SOAP-ENV:Header>\
        <cwmp:ID SOAP-ENV:mustUnderstand=\"1\">API_28ed\u{5}28d7</cwmp:ID></SOAP-ENV:Header>\
        <SOAP-ENV:Body><cwmp:GetQueuedTransfers/></SOAP-ENV:Body></SOAP-ENV:Envelope>";
    holds(input.as_bytes());
    let decoded = cwmpkit_core::cwmp::decode(input.as_bytes()).unwrap();
    assert_eq!(decoded.envelopes[0].header.id.as_deref(), Some("API_28ed\u{FFFD}28d7"));
    assert!(decoded.diagnostics.iter().any(|d| d.code == "invalid-xml-character"));
    // The same through a character reference.
    holds(input.replace('\u{5}', "&#5;").as_bytes());
}

/// An element whose prefix is `xmlns` (the name swallowed a declaration): kept
/// raw, its self-contained copy must not declare `xmlns:xmlns`, which no XML
/// reader accepts. Also exercises the Latin-1 fallback (byte 0xCA) and a NUL.
#[test]
fn element_with_xmlns_prefix_is_not_redeclared() {
    let input: &[u8] = b"<SOAP-ENV:Envelope\n    xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\"\n    \
        xmlns:SOAP-ENC=\"http://schemas.xmlsoap.org/asop/encoding/\"\n    xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"\n    \
        Header>\n    <SOAP-ENV:Body>\n f\x00     <xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"cwmp:DUStateChangEComplete\xcaesponse/>\n    \
        </SOAP-ENV:Body>\n</SOAP-ENV:Envelope>\n";
    holds(input);
}

/// An unknown method whose (malformed) name holds a quote: declaring the
/// Envelope's prefixes right after that name re-paired the tag's quotes, so the
/// re-encoded text no longer parsed. Declarations are now only added after
/// plain names.
#[test]
fn quote_in_a_raw_method_name_keeps_the_text_parseable() {
    let input: &[u8] = b"<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.or)g/soap/en<SOAP-ENV:Body>velo\
        pe/\" xmlns:SOAP-EFC=\"http://sg/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\
        \" xmlns:xsd=\"http://www.w3.org\x02/2001/XMLSchema\" xmlns:cwmp=\"urn:dslforum-org:cwmp-1\
        -0\">\n        <SOAP-ENV:Header>\n                <cwmp:ID SO<ParameterValueStruct>\"1\">1\
        </cwmp:ID>\n        </SOAP-ENV:Header>\n        <SOAP-ENV:Body>\n                <c\xb2wmp\
        :TransferCompleteResponsg/\" xmlns:SOAP\xadENV=\"htmas.xmlsoap.org/soap/envelope/\" xmlns:\
        cwmp=\"urn:dslforum-org:cwmp-1-0\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:x\
        \x8d\x90=\"http:.w3.org/2001/XMLSchema-instance\">\n \xc2<SOAP-ENV:Header>\n    <cwmp:ID S\
        OAP-ENV:mustUnderstand=\"1\">API_6e475b44783c61972\x1df0a91</cwmp:ID>\n  </SOAP-ENV:Header\
        >\n  <SOAP-ENV:Body>\n    <cwmp:GetOptionsResponse>\n      <OptionList SOAP-ENC:arrayTy=\"\
        cwmp:OptionStruct[2]\">\n        <OptionStruct>\n       \x9c  ~<OptionName>FrtDate>\n          <\
        Expi\"\x00tionDatg/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.oe/>\n        </SOAP-ENV:Bod\
        y>\n</SOAP-ENV:Envelope>\n";
    holds(input);
}

/// Secrets written so that a naive reader misses them: references and CDATA in the name, a
/// comment splitting it, the value in CDATA or with references, the value before the name.
#[test]
fn secrets_written_every_way_are_masked() {
    let wrap = |parameters: &str| {
        format!(
            "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\" \
             xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"><SOAP-ENV:Body><cwmp:SetParameterValues>\
             <ParameterList>{parameters}</ParameterList><ParameterKey>k</ParameterKey>\
             </cwmp:SetParameterValues></SOAP-ENV:Body></SOAP-ENV:Envelope>"
        )
    };
    for parameter in [
        "<ParameterValueStruct><Name>A.Pass&#119;ord</Name><Value>one</Value></ParameterValueStruct>",
        "<ParameterValueStruct><Name>A.<![CDATA[Passphrase]]></Name><Value>one</Value></ParameterValueStruct>",
        "<ParameterValueStruct><Name>A.Pre<!-- x -->SharedKey</Name><Value>one</Value></ParameterValueStruct>",
        "<ParameterValueStruct><Name>A.WEPKey</Name><Value><![CDATA[one]]></Value></ParameterValueStruct>",
        "<ParameterValueStruct><Name>A.Secret</Name><Value>o&amp;n&#101;</Value></ParameterValueStruct>",
        "<ParameterValueStruct><Value>one</Value><Name>A.Password</Name></ParameterValueStruct>",
    ] {
        let input = wrap(parameter);
        if let Err(violation) = check_mask_secrets(input.as_bytes()) {
            panic!("{parameter}: {violation}");
        }
    }
}

/// The fuzzer's first find for `cwmp_mask_secrets`: a body starting with a UTF-8 byte-order mark.
/// The XML reader drops the mark and counted offsets from after it, so every mask landed three
/// bytes early: the secret's last bytes were kept, and masking again moved the mask.
#[test]
fn a_byte_order_mark_does_not_shift_the_masks() {
    let body = "\u{feff}<cwmp:Download><Username>u</Username><Password>pass</Password></cwmp:Download>\
                <ParameterValueStruct><Name>A.Password</Name><Value>one</Value></ParameterValueStruct>";
    let masked = cwmpkit_core::cwmp::secrets::mask_secrets(body.as_bytes());
    let masked = String::from_utf8(masked.into_owned()).unwrap();
    assert!(masked.contains("<Password>********</Password>"), "{masked}");
    assert!(masked.contains("<Value>********</Value>"), "{masked}");
    if let Err(violation) = check_mask_secrets(body.as_bytes()) {
        panic!("{violation}");
    }
}
