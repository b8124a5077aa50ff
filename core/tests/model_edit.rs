//! Editing a real device dump, as the app's Parameters page does: each edited
//! value is checked against the model, the edits become a plan, the plan
//! becomes SOAP, and values the Aastra registry knows become config lines.
#![cfg(not(target_arch = "wasm32"))]
// Tests are the host: they read the corpus from disk.
#![allow(clippy::disallowed_methods)]

use cwmpkit_core::cwmp::CwmpVersion;
use cwmpkit_core::model::plan::{PlanOptions, PlannedRpc, plan, render_soap, writability};
use cwmpkit_core::model::set::{Entry, ParameterSet};
use cwmpkit_core::model::validate::{FindingKind, check_edit};
use cwmpkit_core::model::{embedded, genieacs_dump};
use cwmpkit_core::provision::Registry;
use cwmpkit_core::provision::mapping::{Parameter, from_parameters};

const DUMP: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/corpus/datamodel-dumps/genieacs-sim/data_model_202BC1-BM632w-8KA8WA1151100043.csv"
);
const INTERVAL: &str = "InternetGatewayDevice.ManagementServer.PeriodicInformInterval";

fn dump() -> ParameterSet {
    let text = std::fs::read_to_string(DUMP).unwrap();
    genieacs_dump::load_csv(&text, "dump.csv").unwrap().set
}

fn kinds(set: &ParameterSet, path: &str, value: &str) -> Vec<FindingKind> {
    let model = embedded::model("tr-098").unwrap();
    check_edit(set, path, value, &model)
        .into_iter()
        .filter_map(|f| FindingKind::from_code(&f.code))
        .collect()
}

#[test]
fn an_edit_is_checked_against_the_model() {
    let set = dump();
    assert_eq!(kinds(&set, INTERVAL, "600"), []);
    assert_eq!(kinds(&set, INTERVAL, "ten minutes"), [FindingKind::BadValue]);
    assert_eq!(kinds(&set, INTERVAL, "0"), [FindingKind::OutOfRange]);
    let enable = "InternetGatewayDevice.ManagementServer.PeriodicInformEnable";
    assert_eq!(kinds(&set, enable, "false"), []);
    assert_eq!(kinds(&set, enable, "yes"), [FindingKind::BadValue]);
}

#[test]
fn a_read_only_value_says_why_it_cannot_be_edited() {
    let set = dump();
    let model = embedded::model("tr-098").unwrap();
    let serial = "InternetGatewayDevice.DeviceInfo.SerialNumber";
    assert_eq!(
        writability(serial, set.get(serial), None, Some(&model)),
        Err("read-only on the device".to_owned())
    );
    // What the device does not say, the schema does.
    let mut unknown = set.clone();
    if let Some(entry) = unknown.get_mut(serial) {
        entry.writable = None;
    }
    assert_eq!(
        writability(serial, unknown.get(serial), None, Some(&model)),
        Err(format!("read-only in {}", model.name))
    );
    assert_eq!(writability(INTERVAL, set.get(INTERVAL), None, Some(&model)), Ok(()));
}

#[test]
fn edits_become_a_set_parameter_values_in_soap() {
    let current = dump();
    let model = embedded::model("tr-098").unwrap();
    let mut desired = current.clone();
    desired.get_mut(INTERVAL).unwrap().value = Some("600".into());
    desired.get_mut("InternetGatewayDevice.DeviceInfo.SerialNumber").unwrap().value =
        Some("X".into());
    let options = PlanOptions { model: Some(&model), ..PlanOptions::default() };
    let planned = plan(&current, &desired, &options);
    assert_eq!(planned.rpcs.len(), 1);
    assert!(matches!(&planned.rpcs[0], PlannedRpc::SetParameterValues { .. }));
    let values: Vec<_> = planned.values().map(|v| (v.name.as_str(), v.value.as_str())).collect();
    assert_eq!(values, [(INTERVAL, "600")]);
    assert_eq!(planned.unachievable.len(), 1, "the serial number is read-only");

    let soap = render_soap(&planned, CwmpVersion::V1_0);
    assert!(soap.contains(&format!("<Name>{INTERVAL}</Name>")), "{soap}");
    assert!(soap.contains(">600</Value>"), "{soap}");
    assert!(soap.contains("<!-- cannot: InternetGatewayDevice.DeviceInfo.SerialNumber"));
}

#[test]
fn planned_values_on_the_aastra_model_become_config_lines() {
    let current: ParameterSet = [
        Entry {
            writable: Some(true),
            value_type: Some("string".into()),
            ..Entry::parameter("Device.ManagementServer.URL", "http://old.example/acs")
        },
        Entry { writable: Some(true), ..Entry::parameter("Device.X_Vendor_Unknown", "a") },
    ]
    .into_iter()
    .collect();
    let mut desired = current.clone();
    desired.get_mut("Device.ManagementServer.URL").unwrap().value =
        Some("http://acs.example:7547/cwmp".into());
    desired.get_mut("Device.X_Vendor_Unknown").unwrap().value = Some("b".into());
    let planned = plan(&current, &desired, &PlanOptions::default());
    let parameters: Vec<Parameter> = planned.values().map(Parameter::from).collect();
    let config = from_parameters(&parameters, Registry::builtin());
    assert_eq!(config.file.get("tr69 server"), Some("http://acs.example:7547/cwmp"));
    assert_eq!(config.unmapped.len(), 1);
    assert_eq!(config.unmapped[0].name, "Device.X_Vendor_Unknown");
}
