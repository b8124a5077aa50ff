//! The registry's TR-069 side and the Aastra data model agree: every parameter a config key maps
//! to is one the model knows, so a SetParameterValues built from config lines validates.

use cwmpkit_core::model::embedded;
use cwmpkit_core::model::set::{Entry, ParameterSet};
use cwmpkit_core::model::validate::{FindingKind, validate};
use cwmpkit_core::provision::mapping::to_parameters;
use cwmpkit_core::provision::{ConfigFile, Registry};

#[test]
fn every_mapped_parameter_is_in_the_aastra_model() {
    let registry = Registry::builtin();
    let model = embedded::model("aastra").unwrap();
    let mut set = ParameterSet::new();
    for spec in registry.specs().iter().filter(|s| s.tr069.is_some()) {
        let mut file = ConfigFile::new();
        file.set(&spec.key, "1").unwrap();
        for parameter in to_parameters(&file, registry).parameters {
            set.insert(Entry::parameter(parameter.path, parameter.value));
        }
    }
    assert!(set.parameter_count() > 100, "{}", set.parameter_count());
    let unknown: Vec<String> = validate(&set, &model)
        .findings
        .into_iter()
        .filter(|f| {
            matches!(
                FindingKind::from_code(&f.code),
                Some(
                    FindingKind::UnknownParameter
                        | FindingKind::UnknownObject
                        | FindingKind::VendorExtension
                        | FindingKind::BadPath
                )
            )
        })
        .map(|f| format!("{}: {}", f.location, f.message))
        .collect();
    assert!(
        unknown.is_empty(),
        "{} unknown to the Aastra model:\n{}",
        unknown.len(),
        unknown.join("\n")
    );
}
