//! Self-configuration profiles (`.prf`) from the corpus in a phone's
//! effective configuration: only the sections for its model apply, a section
//! may borrow another model's with `template:`, and every value says which
//! file, line and section it came from.
// reason: tests are the host here; they read the shared corpus from disk.
#![allow(clippy::disallowed_methods)]

use cwmpkit_core::provision::effective::{EffectiveValue, effective, for_phone, profile_for_model};
use cwmpkit_core::provision::{ConfigFile, FileRole, Registry, file_role, parse};

const PROFILES: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/aastra/aastra-xml-scripts");

fn profile(name: &str) -> ConfigFile {
    let bytes = std::fs::read(format!("{PROFILES}/{name}")).unwrap();
    parse(&bytes).file
}

fn value<'a>(merged: &'a [EffectiveValue], key: &str) -> &'a EffectiveValue {
    merged.iter().find(|v| v.key == key).unwrap_or_else(|| panic!("no `{key}` in the result"))
}

/// (line, section) of each entry a selection keeps, in order.
fn placed(file: &ConfigFile) -> Vec<(u32, String)> {
    file.entries()
        .map(|(line, _)| (line.number, line.section.as_deref().unwrap_or_default().to_owned()))
        .collect()
}

#[test]
fn profiles_are_recognised_by_name() {
    assert_eq!(file_role("aastra-xml-scripts/demo-user.prf"), FileRole::Profile);
    assert_eq!(file_role("DEMO.PRF"), FileRole::Profile);
}

#[test]
fn core_common_then_the_template_then_the_models_own_keys() {
    let nouser = profile("demo-device-nouser.prf");
    // [Aastra6731i] holds only `template:Aastra6730i` (line 130).
    let selected = profile_for_model(&nouser, "6731i").unwrap();
    let sections: Vec<String> = placed(&selected).into_iter().map(|(_, s)| s).collect();
    let mut order = sections.clone();
    order.dedup();
    assert_eq!(order, ["Core", "Common", "Aastra6730i"]);
    assert!(selected.entries().all(|(_, e)| e.normalized_key != "template"));
    assert_eq!(sections.iter().filter(|s| *s == "Core").count(), 18);

    let merged = effective(&[("demo-device-nouser.prf", &selected)], Registry::builtin());
    let auth = value(&merged, "sip line1 auth name");
    assert_eq!(auth.value, "$$AA_SIPAUTHNAME_AA$$");
    assert_eq!((auth.origin.line, auth.origin.section.as_deref()), (17, Some("Core")));
    let key = value(&merged, "prgkey1 type");
    assert_eq!((key.value.as_str(), key.origin.line), ("xml", 124));
    assert_eq!(key.origin.section.as_deref(), Some("Aastra6730i"));
    let title = value(&merged, "xml application title");
    assert_eq!((title.origin.line, title.origin.section.as_deref()), (51, Some("Common")));
}

#[test]
fn a_model_section_overrides_common_and_keeps_the_history() {
    let user = profile("demo-device-user.prf");
    let merged = effective(
        &[("demo-device-user.prf", profile_for_model(&user, "Aastra51i").unwrap())],
        Registry::builtin(),
    );
    let uri = value(&merged, "xml application uri");
    assert!(uri.value.contains("menu_source=menu2"), "{}", uri.value);
    assert_eq!((uri.origin.line, uri.origin.section.as_deref()), (46, Some("Aastra51i")));
    assert_eq!(uri.overridden.len(), 1);
    assert_eq!(uri.overridden[0].line, 25);
    assert_eq!(uri.overridden[0].section.as_deref(), Some("Common"));
    assert!(uri.overridden[0].value.contains("menu_source=menu1"));
}

#[test]
fn models_are_matched_with_or_without_the_brand_and_sections_of_others_stay_out() {
    let user = profile("demo-user.prf");
    let bare = profile_for_model(&user, "57i").unwrap();
    let branded = profile_for_model(&user, "AASTRA57I").unwrap();
    assert_eq!(placed(&bare), placed(&branded));
    let sections: std::collections::BTreeSet<String> =
        placed(&bare).into_iter().map(|(_, s)| s).collect();
    assert_eq!(sections.into_iter().collect::<Vec<_>>(), ["Aastra57i", "Common"]);
    // `[Aastra480i Cordless]` borrows `[Aastra480i]`.
    let cordless = profile_for_model(&user, "480i Cordless").unwrap();
    assert!(placed(&cordless).iter().any(|(_, s)| s == "Aastra480i"));
    // The extra keys of `[Extra]` belong to no model.
    assert!(placed(&cordless).iter().all(|(_, s)| s != "Extra"));
    // A model the profile does not list: the scripts refuse it, and so do we.
    assert!(profile_for_model(&user, "6867i").is_none());
    // user-custom.prf has its sections commented out.
    assert!(profile_for_model(&profile("user-custom.prf"), "57i").is_none());
}

#[test]
fn a_profile_ranks_between_the_model_file_and_the_mac_file() {
    let files = vec![
        ("00085D1A2B3C.cfg".to_owned(), parse(b"sip line1 auth name: 1001\n").file),
        ("demo-device-nouser.prf".to_owned(), profile("demo-device-nouser.prf")),
        ("demo-user.prf".to_owned(), profile("demo-user.prf")),
        ("aastra.cfg".to_owned(), parse(b"sip line1 proxy port: 5070\ntime zone name: X\n").file),
        ("6731i.cfg".to_owned(), parse(b"sip line1 vmail: *97\n").file),
    ];
    let layers = for_phone(&files, "6731i", "00:08:5D:1A:2B:3C");
    let names: Vec<&str> = layers.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        ["aastra.cfg", "6731i.cfg", "demo-device-nouser.prf", "demo-user.prf", "00085D1A2B3C.cfg"]
    );
    let merged = effective(&layers, Registry::builtin());
    let auth = value(&merged, "sip line1 auth name");
    assert_eq!((auth.value.as_str(), auth.origin.file.as_str()), ("1001", "00085D1A2B3C.cfg"));
    let origins: Vec<(&str, u32)> =
        auth.overridden.iter().map(|o| (o.file.as_str(), o.line)).collect();
    assert_eq!(origins, [("demo-device-nouser.prf", 17), ("demo-user.prf", 18)]);
    let port = value(&merged, "sip line1 proxy port");
    assert_eq!((port.value.as_str(), port.origin.file.as_str()), ("5060", "demo-user.prf"));
    assert_eq!(port.overridden[0].file, "aastra.cfg");
    let vmail = value(&merged, "sip line1 vmail");
    assert_eq!((vmail.value.as_str(), vmail.origin.file.as_str()), ("*98", "demo-user.prf"));

    // A phone whose model no profile lists gets the .cfg files only.
    let other = for_phone(&files, "6867i", "00:08:5D:1A:2B:3C");
    let names: Vec<&str> = other.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["aastra.cfg", "00085D1A2B3C.cfg"]);
}
