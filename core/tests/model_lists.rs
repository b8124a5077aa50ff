//! List-valued parameters (TR-106 `<list>`): a list travels as a comma-separated `xsd:string`,
//! and its items are checked one by one against the item type and facets.

use cwmpkit_core::model::plan::{PlanOptions, PlannedRpc, plan};
use cwmpkit_core::model::schema::{Model, xml::load_document};
use cwmpkit_core::model::set::{Entry, ParameterSet};
use cwmpkit_core::model::validate::{FindingKind, validate};

const SCHEMA: &str = r#"<document><model name="Device:2.17">
  <object name="Device." access="readOnly" minEntries="1" maxEntries="1">
    <parameter name="KeySizes" access="readWrite">
      <syntax><list/><unsignedInt><range minInclusive="1" maxInclusive="4096"/></unsignedInt></syntax>
    </parameter>
  </object>
</model></document>"#;

fn model() -> Model {
    Model::from_document("lists", load_document(SCHEMA, "lists.xml", &[]).unwrap())
}

fn kinds(value: &str, declared: &str) -> Vec<FindingKind> {
    let mut set = ParameterSet::new();
    let mut entry = Entry::parameter("Device.KeySizes", value);
    entry.value_type = Some(declared.to_owned());
    set.insert(entry);
    validate(&set, &model())
        .findings
        .iter()
        .filter_map(|f| FindingKind::from_code(&f.code))
        .collect()
}

#[test]
fn a_list_is_declared_as_a_string_and_its_items_are_checked() {
    assert_eq!(kinds("128,256,512", "string"), []);
    // Its items' type is not how a list travels (the ZTE H199Z dump in the corpus does this).
    assert_eq!(kinds("25,50,75,100", "unsignedInt"), [FindingKind::DeclaredType]);
    assert_eq!(kinds("128,lots", "string"), [FindingKind::BadValue]);
    assert_eq!(kinds("128,0", "string"), [FindingKind::OutOfRange]);
}

#[test]
fn a_planned_list_value_is_sent_as_a_string() {
    let mut current = ParameterSet::new();
    let mut entry = Entry::parameter("Device.KeySizes", "128");
    entry.value_type = Some("unsignedInt".to_owned());
    entry.writable = Some(true);
    current.insert(entry);
    let mut desired = current.clone();
    if let Some(entry) = desired.get_mut("Device.KeySizes") {
        entry.value = Some("128,256".to_owned());
    }
    let model = model();
    let options = PlanOptions { model: Some(&model), ..PlanOptions::default() };
    let planned = plan(&current, &desired, &options);
    assert!(planned.unachievable.is_empty(), "{:?}", planned.unachievable);
    let values: Vec<(&str, &str)> =
        planned.values().map(|v| (v.value.as_str(), v.xsd_type.as_str())).collect();
    assert_eq!(values, [("128,256", "string")]);
    assert!(matches!(planned.rpcs[0], PlannedRpc::SetParameterValues { .. }));
}
