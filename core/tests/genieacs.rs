//! The GenieACS export, run as GenieACS runs a provision: Node evaluates the script wrapped as
//! GenieACS wraps it (`"use strict";(function(){…})();`), with a `declare` that holds every call
//! to the documented API (docs/provisions.rst): a path GenieACS's parser takes (names of letters,
//! digits, `_` and `-`, `*`, alias filters), timestamps as numbers per attribute, values as
//! `[value, "xsd:type"]` pairs, instance counts, notifications and access lists. The preset is
//! checked against the NBI's documented preset (docs/api-reference.rst).

// The test is the host: it writes the script to a file and runs Node on it.
#![allow(clippy::disallowed_methods)]

use cwmpkit_core::Timestamp;
use cwmpkit_core::api::TaskForm;
use cwmpkit_core::genieacs::{self, AppliesTo, ExportOptions, GenieacsExport};
use cwmpkit_core::model::plan::{Plan, PlannedAttributes, PlannedRpc, PlannedValue, Unachievable};
use serde_json::{Value, json};

/// What `Date.now()` answers in the test (GenieACS answers the session's time).
const NOW: i64 = 1_700_000_000_000;
/// When the export is made, in milliseconds.
const ISSUED: i64 = 1_764_921_600_000;

/// `declare` as GenieACS's sandbox takes it, checking each argument's documented form.
const SANDBOX: &str = r#"
const calls = [];
const ATTRIBUTES = ["value", "path", "object", "writable", "notification", "accessList"];
function segments(path) {
  const out = [];
  let current = "";
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === "[" && current === "") {
      let j = i + 1, quoted = false;
      for (; j < path.length; j++) {
        if (path[j] === '"' && path[j - 1] !== "\\") quoted = !quoted;
        else if (path[j] === "]" && !quoted) break;
      }
      if (j === path.length) throw new Error("alias filter left open in " + path);
      const filter = path.slice(i + 1, j);
      for (const pair of filter.match(/([A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*):("([^"\\]|\\.)*"|[^,\]]*)/g) || []) {
        const value = pair.slice(pair.indexOf(":") + 1);
        if (value.startsWith('"')) JSON.parse(value);
      }
      current = "[" + filter + "]";
      i = j;
    } else if (c === ".") {
      out.push(current);
      current = "";
    } else {
      current += c;
    }
  }
  out.push(current);
  for (const s of out) {
    if (!(s === "*" || /^[A-Za-z0-9_-]+$/.test(s) || (s.startsWith("[") && s.endsWith("]")))) {
      throw new Error("not a GenieACS path segment: " + JSON.stringify(s) + " in " + path);
    }
  }
  return out;
}
function declare(path, timestamps, values) {
  if (typeof path !== "string") throw new Error("path is not a string");
  const parsed = segments(path);
  if (parsed.length > 16) throw new Error("deeper than GenieACS's MAX_DEPTH: " + path);
  if (timestamps != null) {
    for (const [k, v] of Object.entries(timestamps)) {
      if (!ATTRIBUTES.includes(k) || typeof v !== "number") throw new Error("timestamp " + k + " of " + path);
    }
  }
  if (values != null) {
    for (const [k, v] of Object.entries(values)) {
      if (k === "value") {
        const pair = Array.isArray(v) && v.length === 2 && typeof v[1] === "string" && v[1].startsWith("xsd:");
        // Documented: a [value, type] pair, or a value whose type GenieACS takes from the parameter.
        if (!pair && !["string", "number", "boolean"].includes(typeof v)) throw new Error("value of " + path);
      } else if (k === "path") {
        if (!Number.isInteger(v) || v < 0) throw new Error("path count of " + path);
      } else if (k === "notification") {
        if (!Number.isInteger(v) || v < 0 || v > 6) throw new Error("notification of " + path);
      } else if (k === "accessList") {
        if (!Array.isArray(v) || !v.every((a) => typeof a === "string")) throw new Error("accessList of " + path);
      } else {
        throw new Error("attribute " + k + " of " + path);
      }
    }
  }
  calls.push([path, timestamps, values]);
}
Date.now = () => NOW_MS;
"#;

/// The script run as GenieACS runs it; the `declare` calls it made, as JSON.
fn run(export: &GenieacsExport, name: &str) -> Vec<Value> {
    let program = format!(
        "{}\n\"use strict\";(function(){{\n{}\n}})();\nconsole.log(JSON.stringify(calls));\n",
        SANDBOX.replace("NOW_MS", &NOW.to_string()),
        export.script
    );
    let file = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.js"));
    std::fs::write(&file, program).unwrap();
    let output = std::process::Command::new("node")
        .arg(&file)
        .output()
        .expect("node runs (installed with npm, as `cargo xtask setup` needs it)");
    assert!(
        output.status.success(),
        "GenieACS would refuse the script:\n{}\n{}",
        String::from_utf8_lossy(&output.stderr),
        export.script
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn options(applies_to: AppliesTo) -> ExportOptions {
    ExportOptions {
        name: "phones plan/1".to_owned(),
        applies_to,
        issued_at: Timestamp::from_unix_nanos(i128::from(ISSUED) * 1_000_000),
    }
}

fn value(name: &str, value: &str, xsd_type: &str) -> PlannedValue {
    PlannedValue { name: name.to_owned(), value: value.to_owned(), xsd_type: xsd_type.to_owned() }
}

/// A provisioning code no one would type, to prove the escaping.
const AWKWARD: &str = "say \"hi\"\\ then\nnew line\u{2028}and '</script>'";

#[test]
fn a_plan_becomes_declarations_genieacs_takes() {
    let plan = Plan {
        rpcs: vec![
            PlannedRpc::AddObject {
                object_name: "Device.IP.Interface.".into(),
                parameter_key: "k".into(),
                expected_instance: 3,
            },
            PlannedRpc::SetParameterValues {
                parameter_list: vec![
                    value("Device.IP.Interface.3.Alias", "wan-2", "string"),
                    value("Device.IP.Interface.3.Enable", "true", "boolean"),
                    value("Device.IP.Interface.1.MaxMTUSize", "1492", "unsignedInt"),
                    value("Device.ManagementServer.PeriodicInformInterval", "300", "unsignedInt"),
                    value("Device.DeviceInfo.ProvisioningCode", AWKWARD, "string"),
                    value("Device.X_VENDOR.Odd Name", "x", "string"),
                ],
                parameter_key: "k".into(),
            },
            PlannedRpc::DeleteObject {
                object_name: "Device.IP.Interface.2.".into(),
                parameter_key: "k".into(),
            },
            PlannedRpc::SetParameterAttributes {
                parameter_list: vec![PlannedAttributes {
                    name: "Device.DeviceInfo.SoftwareVersion".into(),
                    notification_change: true,
                    notification: 2,
                    access_list_change: true,
                    access_list: vec!["Subscriber".into()],
                }],
            },
        ],
        unachievable: vec![Unachievable {
            path: "Device.DeviceInfo.SerialNumber".into(),
            reason: "read-only".into(),
        }],
        notes: Vec::new(),
    };
    let export = genieacs::from_plan(&plan, &options(AppliesTo::Tag("phones".into())));
    assert_eq!(export.name, "phones-plan-1", "what the NBI's URL takes");
    let calls = run(&export, "genieacs-plan");
    let alias = r#"Device.IP.Interface.[Alias:"wan-2"]"#;
    assert_eq!(
        calls,
        [
            json!([alias, {"path": NOW}, {"path": 1}]),
            json!([format!("{alias}.Enable"), {"value": NOW}, {"value": ["true", "xsd:boolean"]}]),
            json!(["Device.IP.Interface.1.MaxMTUSize", {"value": NOW}, {"value": ["1492", "xsd:unsignedInt"]}]),
            json!(["Device.ManagementServer.PeriodicInformInterval", {"value": NOW}, {"value": ["300", "xsd:unsignedInt"]}]),
            json!(["Device.DeviceInfo.ProvisioningCode", {"value": NOW}, {"value": [AWKWARD, "xsd:string"]}]),
            json!(["Device.IP.Interface.2", null, {"path": 0}]),
            json!(["Device.DeviceInfo.SoftwareVersion", {"notification": NOW, "accessList": NOW}, {"notification": 2, "accessList": ["Subscriber"]}]),
        ]
    );
    let skipped: Vec<&str> = export.skipped.iter().map(|s| s.what.as_str()).collect();
    assert_eq!(skipped, ["Device.X_VENDOR.Odd Name", "Device.DeviceInfo.SerialNumber"]);
    assert!(
        export.script.contains("// Not expressed: Device.X_VENDOR.Odd Name"),
        "{}",
        export.script
    );

    let preset: Value = serde_json::from_str(&export.preset).unwrap();
    assert_eq!(preset["configurations"], json!([{"type": "provision", "name": "phones-plan-1"}]));
    assert_eq!(preset["weight"], 0);
    assert!(preset["events"].as_object().is_some_and(serde_json::Map::is_empty), "every inform");
    let precondition: Value =
        serde_json::from_str(preset["precondition"].as_str().unwrap()).unwrap();
    assert_eq!(precondition, json!({"_tags": "phones"}));
}

#[test]
fn a_new_instance_without_a_key_is_said_not_guessed() {
    let plan = Plan {
        rpcs: vec![
            PlannedRpc::AddObject {
                object_name: "Device.NAT.PortMapping.".into(),
                parameter_key: String::new(),
                expected_instance: 1,
            },
            PlannedRpc::SetParameterValues {
                parameter_list: vec![value("Device.NAT.PortMapping.1.Enable", "true", "boolean")],
                parameter_key: String::new(),
            },
        ],
        unachievable: Vec::new(),
        notes: Vec::new(),
    };
    let export = genieacs::from_plan(&plan, &options(AppliesTo::Tag("t".into())));
    let calls = run(&export, "genieacs-keyless");
    assert_eq!(
        calls,
        [
            json!(["Device.NAT.PortMapping.1.Enable", {"value": NOW}, {"value": ["true", "xsd:boolean"]}])
        ]
    );
    assert_eq!(export.skipped.len(), 1);
    assert!(export.skipped[0].reason.contains("by count or by key values"), "{:?}", export.skipped);
}

#[test]
fn live_tasks_become_declarations_genieacs_takes() {
    let tasks = vec![
        TaskForm::GetParameterValues {
            parameter_names: vec![
                "Device.DeviceInfo.SoftwareVersion".into(),
                "Device.Time.".into(),
            ],
        },
        TaskForm::GetParameterNames { parameter_path: "Device.IP.".into(), next_level: true },
        TaskForm::GetParameterAttributes {
            parameter_names: vec!["Device.DeviceInfo.SoftwareVersion".into()],
        },
        TaskForm::SetParameterValues {
            parameter_list: vec![value(
                "Device.Services.VoiceService.1.VoiceProfile.1.Line.1.SIP.AuthUserName",
                "1001",
                "string",
            )],
            parameter_key: "k".into(),
        },
        TaskForm::Reboot { command_key: String::new() },
        TaskForm::Download {
            command_key: String::new(),
            file_type: "1 Firmware Upgrade Image".into(),
            url: "http://fw:fw-secret@192.0.2.10:7547/files/6867i.st?v=2".into(),
            username: "fw".into(),
            password: "fw-secret".into(),
            file_size: 0,
            target_file_name: "6867i.st".into(),
            delay_seconds: 0,
        },
        TaskForm::FactoryReset,
        TaskForm::Upload {
            command_key: String::new(),
            file_type: "1 Vendor Configuration File".into(),
            url: "http://192.0.2.10:7547/uploads/a.cfg".into(),
            username: String::new(),
            password: String::new(),
            delay_seconds: 0,
        },
        TaskForm::ScheduleInform { delay_seconds: 30, command_key: String::new() },
        TaskForm::AddObject {
            object_name: "Device.IP.Interface.".into(),
            parameter_key: String::new(),
        },
        TaskForm::DeleteObject {
            object_name: "Device.IP.Interface.4.".into(),
            parameter_key: String::new(),
        },
    ];
    let device = "00085D-6867i-00085D1A2B3C";
    let export = genieacs::from_tasks(&tasks, &options(AppliesTo::Device(device.into())));
    assert!(!export.script.contains("fw-secret"), "{}", export.script);
    let calls = run(&export, "genieacs-live");
    let mut expected = vec![json!(["Device.DeviceInfo.SoftwareVersion", {"value": NOW}, null])];
    // The subtree, as GenieACS's own refresh reaches it: one wildcard more per level.
    let mut path = "Device.Time.*".to_owned();
    while path.split('.').count() <= 16 {
        expected.push(json!([path, {"path": NOW, "value": NOW}, null]));
        path.push_str(".*");
    }
    let firmware = "Downloads.[FileType:1 Firmware Upgrade Image]";
    expected.extend([
        json!(["Device.IP.*", {"path": NOW}, null]),
        json!(["Device.DeviceInfo.SoftwareVersion", {"notification": NOW, "accessList": NOW}, null]),
        json!(["Device.Services.VoiceService.1.VoiceProfile.1.Line.1.SIP.AuthUserName", {"value": NOW}, {"value": ["1001", "xsd:string"]}]),
        json!(["Reboot", null, {"value": ISSUED}]),
        json!([firmware, {"path": 1}, {"path": 1}]),
        json!([format!("{firmware}.FileName"), {"value": 1}, {"value": "6867i.st"}]),
        json!([format!("{firmware}.TargetFileName"), {"value": 1}, {"value": "6867i.st"}]),
        json!([format!("{firmware}.Download"), {"value": 1}, {"value": ISSUED}]),
        json!(["FactoryReset", null, {"value": ISSUED}]),
        json!(["Device.IP.Interface.4", null, {"path": 0}]),
    ]);
    assert_eq!(calls, expected);
    let skipped: Vec<&str> = export.skipped.iter().map(|s| s.what.as_str()).collect();
    assert_eq!(
        skipped,
        [
            "Upload to http://192.0.2.10:7547/uploads/a.cfg",
            "ScheduleInform in 30 s",
            "AddObject Device.IP.Interface."
        ]
    );
    assert!(export.script.contains("PUT /files/6867i.st"), "{}", export.script);
    let preset: Value = serde_json::from_str(&export.preset).unwrap();
    let precondition: Value =
        serde_json::from_str(preset["precondition"].as_str().unwrap()).unwrap();
    assert_eq!(precondition, json!({"DeviceID.ID": device}));
}
