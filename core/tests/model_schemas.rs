//! The embedded schemas: up to date with their XML sources, loadable, and
//! answering lookups (including the Aastra phone model).
#![cfg(not(target_arch = "wasm32"))]
// Tests are the host: they read the corpus and the committed files from disk.
#![allow(clippy::disallowed_methods)]

use cwmpkit_core::XsdType;
use cwmpkit_core::model::embedded::{self, SourceLocation};
use cwmpkit_core::model::schema::xml::load_document;
use cwmpkit_core::model::schema::{Access, Found};

const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn read_source(location: SourceLocation, file: &str) -> Result<String, String> {
    let path = format!("{WORKSPACE}/{}/{file}", location.directory());
    std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))
}

#[test]
fn committed_schemas_match_their_sources() {
    let compiled = embedded::compile_all(&mut read_source).unwrap();
    let mut stale = Vec::new();
    for (name, bytes) in &compiled {
        let committed =
            std::fs::read(format!("{WORKSPACE}/core/data/models/{name}")).unwrap_or_default();
        if committed != *bytes {
            stale.push(name.clone());
        }
    }
    assert!(stale.is_empty(), "stale compiled schemas {stale:?}: run `cargo xtask schemas`");
    let sizes = embedded::sizes();
    assert_eq!(sizes.len(), compiled.len());
    let total: usize = sizes.iter().map(|(_, size)| size).sum();
    // A budget, not a measurement: the app embeds these bytes.
    assert!(total < 2_000_000, "embedded schemas grew to {total} bytes");
}

#[test]
fn bbf_documents_load_with_their_counts() {
    let mut summary = Vec::new();
    for source in embedded::SOURCES {
        let text = read_source(source.location, source.file).unwrap();
        let document = load_document(&text, source.file, &[]).unwrap();
        let schema = &document.models[0];
        summary.push(format!(
            "{} {}: {} objects, {} parameters, {} data types, {} diagnostics",
            source.file,
            schema.name,
            schema.objects.len(),
            schema.parameter_count(),
            document.data_types.len(),
            document.diagnostics.len()
        ));
    }
    insta::assert_snapshot!("model_bbf_documents", summary.join("\n"));
}

#[test]
fn tr181_imports_tr106_types_when_asked() {
    // The -full TR-181 file carries its own copies of the types; an import
    // resolves against a loaded tr-106-types.xml the same way.
    let types_text = read_source(SourceLocation::BbfCorpus, "tr-106-types.xml").unwrap();
    let types = load_document(&types_text, "tr-106-types.xml", &[]).unwrap();
    assert!(types.data_types.contains_key("IPv4Address"));
    let importer = r#"<document spec="urn:test">
      <import file="tr-106-types.xml" spec="urn:broadband-forum-org:tr-106">
        <dataType name="IPv4Address"/>
      </import>
      <model name="T:1"><object name="T."><parameter name="Gateway" access="readWrite">
        <syntax><dataType ref="IPv4Address"/></syntax></parameter></object></model>
    </document>"#;
    let document = load_document(importer, "t.xml", &[&types]).unwrap();
    let gateway = document.models[0].object("T.").unwrap().parameter("Gateway").unwrap();
    assert_eq!(gateway.syntax.sizes[0].max_length, Some(15));
    assert!(!gateway.syntax.patterns.is_empty());
    assert!(document.diagnostics.is_empty(), "{:?}", document.diagnostics);
}

#[test]
fn embedded_models_answer_lookups() {
    let tr181 = embedded::model("tr-181").unwrap();
    let Some(Found::Parameter(object, parameter)) =
        tr181.lookup_str("Device.IP.Interface.3.IPv4Address.[lan].IPAddress").unwrap()
    else {
        panic!("IPAddress not found")
    };
    assert_eq!(object.path, "Device.IP.Interface.{i}.IPv4Address.{i}.");
    assert_eq!(parameter.syntax.data_type.as_deref(), Some("IPv4Address"));
    assert_eq!(parameter.access, Access::ReadWrite);
    assert!(matches!(tr181.lookup_str("Device.IP.Interface.").unwrap(), Some(Found::Table(_))));
    assert!(matches!(
        tr181.lookup_str("Device.Services.VoiceService.1.Capabilities.MaxProfileCount").unwrap(),
        Some(Found::Parameter(..)) | None
    ));
    assert!(matches!(
        tr181.lookup_str("Device.Services.VoiceServiceNumberOfEntries").unwrap(),
        Some(Found::Parameter(..))
    ));
    assert_eq!(tr181.lookup_str("Device.Nope").unwrap(), None);

    let tr098 = embedded::model("tr-098").unwrap();
    assert!(matches!(
        tr098.lookup_str("InternetGatewayDevice.Services.VoiceService.1.VoiceProfile.1.Line.1.SIP.AuthUserName").unwrap(),
        Some(Found::Parameter(..))
    ));
}

#[test]
fn aastra_model_layers_vendor_parameters_over_tr104() {
    let aastra = embedded::model("aastra").unwrap();
    let lookup = |path: &str| match aastra.lookup_str(path).unwrap() {
        Some(Found::Parameter(object, parameter)) => (object.clone(), parameter.clone()),
        other => panic!("{path}: {other:?}"),
    };
    let (_, stun) = lookup(
        "Device.Services.VoiceService.1.X_Aastra_GlobalVoiceProfile.X_Aastra_STUNServerPort",
    );
    assert_eq!((stun.syntax.base, stun.access), (XsdType::Int, Access::ReadWrite));
    let (_, transport) = lookup(
        "Device.Services.VoiceService.1.X_Aastra_GlobalVoiceProfile.SIP.X_AastraSIPTransportProtocol",
    );
    assert_eq!(transport.syntax.ranges[0].max_inclusive.as_deref(), Some("65535"));
    let (_, mwi) = lookup(
        "Device.Services.VoiceService.1.X_Aastra_GlobalVoiceProfile.Line.1.CallingFeatures.MWIEnable",
    );
    assert_eq!(mwi.syntax.base, XsdType::Boolean);
    lookup("Device.Services.VoiceService.1.VoiceProfile.4.SIP.X_Aastra_mode");
    lookup("Device.Services.VoiceService.1.VoiceProfile.4.SIP.X_Aastra_centralizedConference");
    lookup("Device.Services.VoiceService.1.VoiceProfile.9.Line.1.X_Aastra_ScreenName2");
    // Standard TR-104 parameters under the same objects still resolve.
    let (_, auth) = lookup("Device.Services.VoiceService.1.VoiceProfile.2.Line.1.SIP.AuthUserName");
    assert_eq!(auth.access, Access::ReadWrite);
    lookup("Device.Services.VoiceService.1.Capabilities.RingGeneration");
    lookup("Device.DeviceInfo.ModelName");
    // Aastra's own access wins over TR-106's.
    let (_, mac) = lookup("Device.LAN.MACAddress");
    assert_eq!(mac.access, Access::ReadOnly);
    let (_, count) = lookup("Device.Services.VoiceServiceNumberOfEntries");
    assert_eq!(count.syntax.base, XsdType::Int);
    let profiles = aastra.object("Device.Services.VoiceService.{i}.VoiceProfile.{i}.").unwrap();
    assert_eq!((profiles.max_entries, profiles.access), (Some(9), Access::ReadWrite));
    let lines =
        aastra.object("Device.Services.VoiceService.{i}.VoiceProfile.{i}.Line.{i}.").unwrap();
    assert_eq!(lines.max_entries, Some(1));
}

#[test]
fn model_detection_from_names() {
    assert_eq!(embedded::detect_model(["InternetGatewayDevice.DeviceInfo.SerialNumber"]), "tr-098");
    assert_eq!(embedded::detect_model(["Device.IP.Interface.1.Enable"]), "tr-181");
    assert_eq!(embedded::detect_model(["Device.LAN.IPAddress"]), "tr-106");
    assert_eq!(
        embedded::detect_model([
            "Device.Services.VoiceService.1.X_Aastra_GlobalVoiceProfile.X_Aastra_DTMFMethod"
        ]),
        "aastra"
    );
}
