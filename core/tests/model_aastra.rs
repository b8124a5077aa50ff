//! The Aastra phone model at work: a phone's parameters (as an ACS would
//! collect them) validated against it, and a provisioning plan for a new line.

use cwmpkit_core::model::plan::{PlanOptions, PlannedRpc, plan};
use cwmpkit_core::model::validate::FindingKind;
use cwmpkit_core::model::{embedded, json, validate};

/// A 6867i-like phone as our JSON format would hold it: two lines configured,
/// a few deviations a real phone shows (a string where the guide says int, a
/// tenth line profile although the phones have at most nine).
const PHONE: &str = r#"{
  "format": "cwmpkit-parameters/1",
  "parameters": [
    { "path": "Device.DeviceInfo.Manufacturer", "value": "Aastra", "type": "string", "writable": false },
    { "path": "Device.DeviceInfo.ModelName", "value": "6867i", "type": "string", "writable": false },
    { "path": "Device.DeviceInfo.SoftwareVersion", "value": "4.2.0.181", "type": "string", "writable": false },
    { "path": "Device.ManagementServer.PeriodicInformInterval", "value": "600", "type": "unsignedInt", "writable": true },
    { "path": "Device.LAN.MACAddress", "value": "00:08:5D:1A:2B:3C", "type": "string", "writable": false },
    { "path": "Device.Services.VoiceServiceNumberOfEntries", "value": "1", "type": "int", "writable": false },
    { "path": "Device.Services.VoiceService.1.Capabilities.RingGeneration", "value": "1", "type": "boolean", "writable": false },
    { "path": "Device.Services.VoiceService.1.X_Aastra_GlobalVoiceProfile.X_Aastra_DTMFMethod", "value": "1", "type": "int", "writable": true },
    { "path": "Device.Services.VoiceService.1.X_Aastra_GlobalVoiceProfile.X_Aastra_STUNServerPort", "value": "stun", "type": "string", "writable": true },
    { "path": "Device.Services.VoiceService.1.X_Aastra_GlobalVoiceProfile.SIP.X_AastraSIPTransportProtocol", "value": "70000", "type": "int", "writable": true },
    { "path": "Device.Services.VoiceService.1.X_Aastra_GlobalVoiceProfile.Line.1.CallingFeatures.MWIEnable", "value": "yes", "type": "boolean", "writable": true },
    { "path": "Device.Services.VoiceService.1.VoiceProfile.1.SIP.X_Aastra_mode", "value": "0", "type": "int", "writable": true },
    { "path": "Device.Services.VoiceService.1.VoiceProfile.1.Line.1.SIP.AuthUserName", "value": "1001", "type": "string", "writable": true },
    { "path": "Device.Services.VoiceService.1.VoiceProfile.1.Line.1.X_Aastra_ScreenName2", "value": "Reception", "type": "string", "writable": true },
    { "path": "Device.Services.VoiceService.1.VoiceProfile.2.Line.1.SIP.AuthUserName", "value": "1002", "type": "string", "writable": true },
    { "path": "Device.Services.VoiceService.1.VoiceProfile.3.Line.1.SIP.AuthUserName", "value": "", "type": "string", "writable": true },
    { "path": "Device.Services.VoiceService.1.VoiceProfile.4.Line.1.SIP.AuthUserName", "value": "", "type": "string", "writable": true },
    { "path": "Device.Services.VoiceService.1.VoiceProfile.5.Line.1.SIP.AuthUserName", "value": "", "type": "string", "writable": true },
    { "path": "Device.Services.VoiceService.1.VoiceProfile.6.Line.1.SIP.AuthUserName", "value": "", "type": "string", "writable": true },
    { "path": "Device.Services.VoiceService.1.VoiceProfile.7.Line.1.SIP.AuthUserName", "value": "", "type": "string", "writable": true },
    { "path": "Device.Services.VoiceService.1.VoiceProfile.8.Line.1.SIP.AuthUserName", "value": "", "type": "string", "writable": true },
    { "path": "Device.Services.VoiceService.1.VoiceProfile.9.Line.1.SIP.AuthUserName", "value": "", "type": "string", "writable": true },
    { "path": "Device.Services.VoiceService.1.VoiceProfile.10.Line.1.SIP.AuthUserName", "value": "", "type": "string", "writable": true },
    { "path": "Device.Services.VoiceService.1.X_Aastra_Unlisted", "value": "?", "type": "string" }
  ]
}"#;

#[test]
fn phone_validates_against_the_aastra_model() {
    let loaded = json::from_json(PHONE, "phone.json").unwrap();
    assert!(loaded.diagnostics.is_empty());
    assert_eq!(embedded::detect_model(loaded.set.paths()), "aastra");
    let model = embedded::model("aastra").unwrap();
    let report = validate::validate(&loaded.set, &model);
    let lines: Vec<String> = report
        .findings
        .iter()
        .map(|f| {
            let kind = FindingKind::from_code(&f.code).unwrap();
            format!("{:?} {kind:?} {}: {}", f.severity, f.location, f.message)
        })
        .collect();
    insta::assert_snapshot!("model_aastra_phone", lines.join("\n"));
    assert_eq!(
        report.known,
        loaded.set.len() - 1,
        "all but the unlisted vendor parameter are known"
    );
}

#[test]
fn provisioning_a_line_adds_its_profile_and_sets_credentials() {
    let current = json::from_json(
        r#"{ "Device.Services.VoiceService.1.VoiceProfile.1.Line.1.SIP.AuthUserName": "1001" }"#,
        "current",
    )
    .unwrap()
    .set;
    let mut desired = current.clone();
    desired.merge(
        json::from_json(
            r#"{ "Device.Services.VoiceService.1.VoiceProfile.2.Line.1.SIP.AuthUserName": "1002",
                 "Device.Services.VoiceService.1.VoiceProfile.2.Line.1.SIP.AuthPassword": "secret",
                 "Device.Services.VoiceService.1.VoiceProfile.2.SIP.X_Aastra_mode": "x" }"#,
            "desired",
        )
        .unwrap()
        .set,
    );
    let model = embedded::model("aastra").unwrap();
    let options = PlanOptions {
        model: Some(&model),
        parameter_key: "line2".into(),
        ..PlanOptions::default()
    };
    let planned = plan(&current, &desired, &options);
    let PlannedRpc::AddObject { object_name, expected_instance, .. } = &planned.rpcs[0] else {
        panic!("first RPC is AddObject: {:?}", planned.rpcs)
    };
    assert_eq!(
        (object_name.as_str(), *expected_instance),
        ("Device.Services.VoiceService.1.VoiceProfile.", 2)
    );
    let PlannedRpc::SetParameterValues { parameter_list, parameter_key } = &planned.rpcs[1] else {
        panic!("second RPC is SetParameterValues: {:?}", planned.rpcs)
    };
    assert_eq!(parameter_key, "line2");
    let names: Vec<&str> = parameter_list.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Device.Services.VoiceService.1.VoiceProfile.2.Line.1.SIP.AuthPassword",
            "Device.Services.VoiceService.1.VoiceProfile.2.Line.1.SIP.AuthUserName",
        ]
    );
    assert_eq!(planned.rpcs.len(), 2);
    // Line.1 comes with its profile; X_Aastra_mode is an int.
    assert!(
        planned.notes.iter().any(|n| n.contains("VoiceProfile.2.Line.1. is created by the CPE"))
    );
    assert_eq!(planned.unachievable.len(), 1);
    assert!(planned.unachievable[0].reason.contains("`x` is not a valid int"));
}

#[test]
fn a_tenth_line_profile_is_refused() {
    let mut current = json::from_json("{}", "current").unwrap().set;
    for line in 1..=9 {
        current.merge(
            json::from_json(
                &format!(r#"{{ "Device.Services.VoiceService.1.VoiceProfile.{line}.Line.1.Enable": "Enabled" }}"#),
                "current",
            )
            .unwrap()
            .set,
        );
    }
    let mut desired = current.clone();
    desired.merge(
        json::from_json(
            r#"{ "Device.Services.VoiceService.1.VoiceProfile.10.Line.1.Enable": "Enabled" }"#,
            "desired",
        )
        .unwrap()
        .set,
    );
    let model = embedded::model("aastra").unwrap();
    let planned =
        plan(&current, &desired, &PlanOptions { model: Some(&model), ..PlanOptions::default() });
    assert!(planned.rpcs.is_empty(), "{:?}", planned.rpcs);
    assert_eq!(planned.unachievable[0].path, "Device.Services.VoiceService.1.VoiceProfile.10.");
    assert_eq!(planned.unachievable[0].reason, "the table allows at most 9 rows");
}
