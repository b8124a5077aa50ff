//! One dateTime, judged the same everywhere: every part of core that checks an `xsd:dateTime`
//! (the codec's strict encoder on a typed Value and on a dateTime element, the data-model
//! checker, and `check_edit`, which the app's Parameters page calls for every edit) gives the
//! verdict xmllint gives on the same probes. Config files take a narrower form
//! (`YYYY-MM-DDThh:mm:ss`), which must be a subset of it.
//!
//! One deliberate difference: XML Schema collapses white space around a dateTime (its
//! whiteSpace facet is `collapse`, fixed), and so does core; libxml2 refuses leading spaces
//! (`" 2024-05-01T10:00:00Z"`), though it takes trailing ones. A padded probe must get the
//! verdict xmllint gives its trimmed form.

// The test is the host: it writes probe files for xmllint.
#![allow(clippy::disallowed_methods)]

mod common;

use common::{scratch_directory, xmllint};
use cwmpkit_core::cwmp::{
    CwmpVersion, Envelope, FaultStruct, GetParameterValuesResponse, Header, Message,
    ParameterValueStruct, TransferComplete, Value, encode,
};
use cwmpkit_core::model::schema::{Model, xml::load_document};
use cwmpkit_core::model::set::{Entry, ParameterSet};
use cwmpkit_core::model::validate::{check_edit, validate};
use cwmpkit_core::provision::validate::is_config_datetime;
use cwmpkit_core::{DateTime, XsdType};

const PROBES: &[&str] = &[
    "2024-05-01T10:00:00Z",
    "2024-05-01T10:00:00",
    "2024-05-01T10:00:00.5+02:00",
    "2024-05-01T10:00:00.123456789012-14:00",
    "0001-01-01T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "-0044-03-15T12:00:00Z",
    "12024-01-01T00:00:00Z",
    "02024-01-01T00:00:00Z",
    "999-01-01T00:00:00Z",
    "2024-02-29T00:00:00Z",
    "2023-02-29T00:00:00Z",
    "1900-02-29T00:00:00Z",
    "2000-02-29T00:00:00Z",
    "2024-04-31T00:00:00Z",
    "2024-13-01T00:00:00Z",
    "2024-00-10T00:00:00Z",
    "2024-12-31T24:00:00Z",
    "2024-12-31T24:00:00.0Z",
    "2024-12-31T24:00:01Z",
    "2024-12-31T23:60:00Z",
    "2024-12-31T23:59:60Z",
    "2024-12-31T23:59:59+14:00",
    "2024-12-31T23:59:59+14:01",
    "2024-12-31T23:59:59+99:00",
    "2024-12-31T23:59:59+01:60",
    "2024-12-31T23:59:59+0100",
    "2024-12-31T23:59:59z",
    "2024-12-31T23:59:59.Z",
    "2024-12-31 23:59:59",
    "2024-1-31T23:59:59",
    "2024-12-31T23:59",
    "yesterday",
    "",
    " 2024-05-01T10:00:00Z ",
];

const SCHEMA: &str = r#"<document><model name="Device:2.17">
  <object name="Device." access="readOnly" minEntries="1" maxEntries="1">
    <parameter name="When" access="readWrite"><syntax><dateTime/></syntax></parameter>
  </object>
</model></document>"#;

fn model() -> Model {
    Model::from_document("when", load_document(SCHEMA, "when.xml", &[]).unwrap())
}

fn encodes(message: Message) -> bool {
    let envelope = Envelope { version: CwmpVersion::V1_2, header: Header::default(), message };
    encode(&envelope, CwmpVersion::V1_2).is_ok()
}

/// Each checker's verdict on one probe, named.
fn verdicts(probe: &str, model: &Model) -> Vec<(&'static str, bool)> {
    let typed_value = encodes(Message::GetParameterValuesResponse(GetParameterValuesResponse {
        parameter_list: vec![ParameterValueStruct {
            name: "Device.When".into(),
            value: Value::typed(XsdType::DateTime, probe),
        }],
    }));
    let element = encodes(Message::TransferComplete(TransferComplete {
        command_key: String::new(),
        fault_struct: FaultStruct::default(),
        start_time: probe.to_owned(),
        complete_time: "2024-05-01T10:00:00Z".to_owned(),
    }));
    let mut set = ParameterSet::new();
    set.insert(Entry::parameter("Device.When", probe));
    let model_check = validate(&set, model).findings.is_empty();
    let edit_check = check_edit(&set, "Device.When", probe, model).is_empty();
    vec![
        ("base::DateTime", DateTime::is_valid(probe.trim())),
        ("XsdType::DateTime", XsdType::DateTime.is_valid(probe)),
        ("encoder, typed Value", typed_value),
        ("encoder, dateTime element", element),
        ("model validate", model_check),
        ("check_edit (the app)", edit_check),
    ]
}

#[test]
fn every_checker_gives_xmllints_verdict_on_every_probe() {
    let directory = scratch_directory("date-time");
    let xsd = directory.join("date-time.xsd");
    std::fs::write(
        &xsd,
        r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="v" type="xs:dateTime"/></xs:schema>"#,
    )
    .unwrap();
    let files: Vec<_> = PROBES
        .iter()
        .enumerate()
        .map(|(index, probe)| {
            let file = directory.join(format!("probe-{index}.xml"));
            std::fs::write(&file, format!("<v>{}</v>", probe.trim())).unwrap();
            file
        })
        .collect();
    let xmllint_verdicts = xmllint(&xsd.display().to_string(), &files);
    let model = model();
    let mut disagreements = Vec::new();
    for (probe, file) in PROBES.iter().zip(&files) {
        let valid = xmllint_verdicts[file].is_ok();
        for (checker, verdict) in verdicts(probe, &model) {
            // The element's text is trimmed by XML Schema's whiteSpace collapse; the encoder
            // writes what it is given, so only the bare forms must agree for it.
            let padded = probe.trim() != *probe;
            if verdict != valid && !(padded && checker.starts_with("encoder, dateTime")) {
                disagreements.push(format!("`{probe}`: xmllint {valid}, {checker} {verdict}"));
            }
        }
        if is_config_datetime(probe) {
            assert!(valid, "config form `{probe}` must be a dateTime");
        }
    }
    let _ = std::fs::remove_dir_all(&directory);
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
