//! The scale-out path: a Parameters-page plan or the Live page's tasks as a GenieACS provision
//! script and a preset that applies it, for a fleet that outgrows one relay.
//!
//! The script uses GenieACS's documented provision API (docs/provisions.rst): `declare(path,
//! timestamps, values)` with the `value`, `path`, `notification` and `accessList` attributes,
//! a value as a `[value, "xsd:type"]` pair, `path` counts to create (alias filters) and delete
//! instances, and the special `Reboot`, `FactoryReset` and `Downloads` parameters. A provision is
//! declarative and GenieACS runs it again until nothing changes, so each request becomes the
//! state it leads to; what has no such state (one more instance, an Upload, a ScheduleInform) is
//! left out and said ([`GenieacsExport::skipped`]). The preset is the JSON body of the NBI's
//! `PUT /presets/<name>` (docs/api-reference.rst): a `provision` configuration and a
//! precondition in the documented JSON form. Nothing secret is written but what the engineer set
//! as a value: transfer credentials stay out (GenieACS serves its own files).

use crate::api::TaskForm;
use crate::base::Timestamp;
use crate::model::plan::{Plan, PlannedRpc, PlannedValue};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// How deep below a partial path a refresh reaches: GenieACS's own `MAX_DEPTH` default, in
/// segments from the root.
const MAX_DEPTH: usize = 16;

/// Why a name is left out.
const UNNAMEABLE: &str = "GenieACS paths take only letters, digits, `_` and `-` in a name";

/// Which devices the preset applies the provision to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppliesTo {
    /// Devices carrying this GenieACS tag (a fleet).
    Tag(String),
    /// One device, by its GenieACS ID (`OUI-ProductClass-Serial`, as cwmpkit names it too).
    Device(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOptions {
    /// The provision's and the preset's name; anything but letters, digits, `-` and `_` (what
    /// the NBI's URLs take) becomes `-`.
    pub name: String,
    pub applies_to: AppliesTo,
    /// When the export is made: Reboot, FactoryReset and Download are declared with this time,
    /// so that each happens once (GenieACS acts when the declared time is later than the last).
    pub issued_at: Timestamp,
}

/// A request, or part of one, the script does not express, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub what: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenieacsExport {
    /// The provision's name, as the preset names it.
    pub name: String,
    /// The provision script (`PUT /provisions/<name>`).
    pub script: String,
    /// The preset, JSON (`PUT /presets/<name>`).
    pub preset: String,
    pub skipped: Vec<Skipped>,
}

/// The export of a Parameters-page plan. New instances are declared by the key values the
/// plan sets in them (`Alias`, else their string values), since GenieACS cannot create a
/// given instance number; values in them are declared through those keys.
pub fn from_plan(plan: &Plan, options: &ExportOptions) -> GenieacsExport {
    let mut script = Script::new(options);
    let new_instances = new_instances(plan, &mut script.skipped);
    let key_names: BTreeSet<String> =
        new_instances.values().flat_map(|keys| keys.names.iter().cloned()).collect();
    for rpc in &plan.rpcs {
        match rpc {
            PlannedRpc::AddObject { object_name, expected_instance, .. } => {
                let instance = format!("{object_name}{expected_instance}.");
                if new_instances.contains_key(&instance) {
                    script.line(&format!(
                        "// AddObject {} (instance {expected_instance} in the plan)",
                        comment_text(object_name)
                    ));
                    script.declare_path(&instance, &new_instances, "{path: now}", "{path: 1}");
                }
            }
            PlannedRpc::SetParameterValues { parameter_list, .. } => {
                let values: Vec<&PlannedValue> =
                    parameter_list.iter().filter(|v| !key_names.contains(&v.name)).collect();
                script.set_values(&values, &new_instances);
            }
            other => script.task(&TaskForm::from_planned(other), &new_instances),
        }
    }
    for unachievable in &plan.unachievable {
        script.skip(&unachievable.path, &format!("not in the plan: {}", unachievable.reason));
    }
    script.finish(options, "a Parameters-page plan")
}

/// The export of tasks queued on the Live page, in order.
pub fn from_tasks(tasks: &[TaskForm], options: &ExportOptions) -> GenieacsExport {
    let mut script = Script::new(options);
    let none = BTreeMap::new();
    for task in tasks {
        script.task(task, &none);
    }
    script.finish(options, "tasks of the Live page")
}

/// The key values that name a new instance for GenieACS's alias filter.
#[derive(Debug, Clone)]
struct InstanceKeys {
    /// `Name:"value"` pairs, as the alias filter writes them.
    filter: String,
    /// The full parameter names used as keys: GenieACS sets them when it creates the instance.
    names: Vec<String>,
}

/// The plan's new instances (`Device.IP.Interface.3.`) with the keys that name them; an
/// instance the plan sets no usable key in is skipped (said in `skipped`).
fn new_instances(plan: &Plan, skipped: &mut Vec<Skipped>) -> BTreeMap<String, InstanceKeys> {
    let values: Vec<&PlannedValue> = plan.values().collect();
    let mut found = BTreeMap::new();
    for rpc in &plan.rpcs {
        let PlannedRpc::AddObject { object_name, expected_instance, .. } = rpc else { continue };
        let instance = format!("{object_name}{expected_instance}.");
        let leaves: Vec<&PlannedValue> = values
            .iter()
            .copied()
            .filter(|v| v.name.strip_prefix(&instance).is_some_and(|leaf| !leaf.contains('.')))
            .filter(|v| v.xsd_type == "string" && usable_in_alias(&v.value))
            .collect();
        let alias: Vec<&PlannedValue> =
            leaves.iter().copied().filter(|v| v.name.ends_with(".Alias")).collect();
        let keys = if alias.is_empty() { leaves } else { alias };
        if keys.is_empty() {
            skipped.push(Skipped {
                what: format!("AddObject {object_name} (instance {expected_instance})"),
                reason: "GenieACS creates instances by count or by key values, not by number, and \
                         the plan sets no string value in this one to name it by"
                    .to_owned(),
            });
            continue;
        }
        let filter = keys
            .iter()
            .map(|v| format!("{}:{}", &v.name[instance.len()..], js_string(&v.value)))
            .collect::<Vec<_>>()
            .join(",");
        let names = keys.iter().map(|v| v.name.clone()).collect();
        found.insert(instance, InstanceKeys { filter, names });
    }
    found
}

/// GenieACS ends a quoted alias value at the first `"` not after a `\`, so a value with either
/// cannot name an instance.
fn usable_in_alias(value: &str) -> bool {
    !value.contains(['"', '\\']) && !value.chars().any(char::is_control)
}

/// A JavaScript string literal: JSON's, with the two line separators JSON leaves raw escaped.
fn js_string(text: &str) -> String {
    serde_json::to_string(text)
        .unwrap_or_default()
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// Text for a `//` comment: one line, whatever it holds.
fn comment_text(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// The provision's and preset's name: what the NBI's URLs take.
fn safe_name(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' })
        .collect();
    if safe.trim_matches('-').is_empty() { "cwmpkit".to_owned() } else { safe }
}

/// A GenieACS path for a CWMP name (no trailing dot), with new instances replaced by their
/// alias filter; `None` when a segment holds what GenieACS paths do not (they take letters,
/// digits, `_` and `-`).
fn genieacs_path(name: &str, new_instances: &BTreeMap<String, InstanceKeys>) -> Option<String> {
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    if trimmed.is_empty() {
        return Some(String::new());
    }
    let mut out = String::with_capacity(trimmed.len());
    let mut original = String::with_capacity(name.len());
    for segment in trimmed.split('.') {
        if segment.is_empty()
            || !segment.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return None;
        }
        original.push_str(segment);
        original.push('.');
        if !out.is_empty() {
            out.push('.');
        }
        match new_instances.get(&original) {
            Some(keys) => {
                let _ = write!(out, "[{}]", keys.filter);
            }
            None => out.push_str(segment),
        }
    }
    Some(out)
}

struct Script {
    body: String,
    skipped: Vec<Skipped>,
    issued_ms: i128,
    /// Files GenieACS must hold for the Downloads declared (it serves them itself).
    files: BTreeSet<String>,
}

impl Script {
    fn new(options: &ExportOptions) -> Script {
        Script {
            body: String::new(),
            skipped: Vec::new(),
            issued_ms: options.issued_at.unix_nanos.div_euclid(1_000_000),
            files: BTreeSet::new(),
        }
    }

    fn line(&mut self, line: &str) {
        self.body.push_str(line);
        self.body.push('\n');
    }

    fn skip(&mut self, what: &str, reason: &str) {
        self.skipped.push(Skipped { what: what.to_owned(), reason: reason.to_owned() });
    }

    /// `declare(<path of name>, timestamps, values);`, or a skip when GenieACS cannot name it.
    fn declare_path(
        &mut self,
        name: &str,
        new_instances: &BTreeMap<String, InstanceKeys>,
        timestamps: &str,
        values: &str,
    ) {
        match genieacs_path(name, new_instances) {
            Some(path) => {
                self.line(&format!("declare({}, {timestamps}, {values});", js_string(&path)))
            }
            None => self.skip(name, UNNAMEABLE),
        }
    }

    /// Every parameter under `name` (a partial path), as GenieACS's refresh reaches it.
    fn declare_subtree(&mut self, name: &str, timestamps: &str) {
        let Some(path) = genieacs_path(name, &BTreeMap::new()) else {
            return self.skip(name, UNNAMEABLE);
        };
        let start = if path.is_empty() { "*".to_owned() } else { format!("{path}.*") };
        self.line(&format!(
            "for (let path = {}; path.split(\".\").length <= {MAX_DEPTH}; path += \".*\") declare(path, {timestamps}, null);",
            js_string(&start)
        ));
    }

    fn set_values(
        &mut self,
        values: &[&PlannedValue],
        new_instances: &BTreeMap<String, InstanceKeys>,
    ) {
        if values.is_empty() {
            return;
        }
        self.line("// SetParameterValues (GenieACS sets its own ParameterKey)");
        for value in values {
            let pair = format!(
                "[{}, {}]",
                js_string(&value.value),
                js_string(&format!("xsd:{}", value.xsd_type))
            );
            self.declare_path(
                &value.name,
                new_instances,
                "{value: now}",
                &format!("{{value: {pair}}}"),
            );
        }
    }

    fn read(&mut self, rpc: &str, names: &[String], leaf: &str, subtree: &str) {
        self.line(&format!("// {rpc}"));
        for name in names {
            if name.is_empty() || name.ends_with('.') {
                self.declare_subtree(name, subtree);
            } else {
                self.declare_path(name, &BTreeMap::new(), leaf, "null");
            }
        }
    }

    /// A one-shot action: GenieACS acts when the declared time is later than its last one.
    fn once(&mut self, parameter: &str, rpc: &str) {
        self.line(&format!("// {rpc}, once: the export's time, later than any earlier {rpc}"));
        self.line(&format!("declare({}, null, {{value: issued}});", js_string(parameter)));
    }

    fn task(&mut self, task: &TaskForm, new_instances: &BTreeMap<String, InstanceKeys>) {
        match task {
            TaskForm::GetRPCMethods => self.skip(
                "GetRPCMethods",
                "GenieACS asks a device for its RPCs itself; a provision has no state to declare for it",
            ),
            TaskForm::GetParameterValues { parameter_names } => self.read(
                "GetParameterValues",
                parameter_names,
                "{value: now}",
                "{path: now, value: now}",
            ),
            TaskForm::GetParameterAttributes { parameter_names } => self.read(
                "GetParameterAttributes",
                parameter_names,
                "{notification: now, accessList: now}",
                "{path: now, notification: now, accessList: now}",
            ),
            TaskForm::GetParameterNames { parameter_path, next_level } => {
                self.line("// GetParameterNames");
                if *next_level {
                    match genieacs_path(parameter_path, &BTreeMap::new()) {
                        Some(path) => {
                            let children =
                                if path.is_empty() { "*".to_owned() } else { format!("{path}.*") };
                            self.line(&format!(
                                "declare({}, {{path: now}}, null);",
                                js_string(&children)
                            ));
                        }
                        None => self.skip(parameter_path, UNNAMEABLE),
                    }
                } else {
                    self.declare_subtree(parameter_path, "{path: now}");
                }
            }
            TaskForm::SetParameterValues { parameter_list, .. } => {
                let values: Vec<&PlannedValue> = parameter_list.iter().collect();
                self.set_values(&values, new_instances);
            }
            TaskForm::SetParameterAttributes { parameter_list } => {
                self.line("// SetParameterAttributes");
                for attributes in parameter_list {
                    let mut timestamps = Vec::new();
                    let mut values = Vec::new();
                    if attributes.notification_change {
                        timestamps.push("notification: now".to_owned());
                        values.push(format!("notification: {}", attributes.notification));
                    }
                    if attributes.access_list_change {
                        timestamps.push("accessList: now".to_owned());
                        let list: Vec<String> = attributes.access_list.iter().map(|a| js_string(a)).collect();
                        values.push(format!("accessList: [{}]", list.join(", ")));
                    }
                    if values.is_empty() {
                        continue;
                    }
                    self.declare_path(
                        &attributes.name,
                        new_instances,
                        &format!("{{{}}}", timestamps.join(", ")),
                        &format!("{{{}}}", values.join(", ")),
                    );
                }
            }
            TaskForm::AddObject { object_name, .. } => self.skip(
                &format!("AddObject {object_name}"),
                "GenieACS declares how many instances a table has, or which key values they hold; \
                 \"one more\" is no state a provision can declare",
            ),
            TaskForm::DeleteObject { object_name, .. } => {
                self.line(&format!("// DeleteObject {}", comment_text(object_name)));
                self.declare_path(object_name, new_instances, "null", "{path: 0}");
            }
            TaskForm::Reboot { .. } => self.once("Reboot", "Reboot"),
            TaskForm::FactoryReset => self.once("FactoryReset", "FactoryReset"),
            TaskForm::Download { file_type, url, target_file_name, .. } => {
                let file = url
                    .split(['?', '#'])
                    .next()
                    .unwrap_or_default()
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                if file.is_empty() || file_type.contains([',', ']', '"', '\\']) {
                    return self.skip(
                        &format!("Download {}", crate::api::redact_url(url)),
                        "no file name in its URL for GenieACS's file store",
                    );
                }
                let download = format!("Downloads.[FileType:{file_type}]");
                self.line(&format!(
                    "// Download {} (GenieACS serves {file} itself: upload it with PUT /files/{file})",
                    comment_text(&crate::api::redact_url(url))
                ));
                self.line(&format!("declare({}, {{path: 1}}, {{path: 1}});", js_string(&download)));
                self.line(&format!(
                    "declare({}, {{value: 1}}, {{value: {}}});",
                    js_string(&format!("{download}.FileName")),
                    js_string(&file)
                ));
                if !target_file_name.is_empty() {
                    self.line(&format!(
                        "declare({}, {{value: 1}}, {{value: {}}});",
                        js_string(&format!("{download}.TargetFileName")),
                        js_string(target_file_name)
                    ));
                }
                self.line(&format!(
                    "declare({}, {{value: 1}}, {{value: issued}});",
                    js_string(&format!("{download}.Download"))
                ));
                self.files.insert(file);
            }
            TaskForm::Upload { url, .. } => self.skip(
                &format!("Upload to {}", crate::api::redact_url(url)),
                "GenieACS's provision API has no upload",
            ),
            TaskForm::ScheduleInform { delay_seconds, .. } => self.skip(
                &format!("ScheduleInform in {delay_seconds} s"),
                "GenieACS's provision API has no ScheduleInform (its periodic inform parameters can be declared)",
            ),
        }
    }

    fn finish(self, options: &ExportOptions, source: &str) -> GenieacsExport {
        let name = safe_name(&options.name);
        let mut script = String::new();
        let _ =
            writeln!(script, "// GenieACS provision {name:?}, written by cwmpkit from {source}.");
        let _ = writeln!(
            script,
            "// Applied by the preset of the same name; GenieACS runs it until nothing changes."
        );
        for file in &self.files {
            let _ = writeln!(script, "// Needs the file {file} in GenieACS (PUT /files/{file}).");
        }
        for skipped in &self.skipped {
            let _ = writeln!(
                script,
                "// Not expressed: {} — {}",
                comment_text(&skipped.what),
                comment_text(&skipped.reason)
            );
        }
        script.push_str("const now = Date.now();\n");
        let _ = writeln!(script, "const issued = {};", self.issued_ms);
        script.push_str(&self.body);
        let precondition = match &options.applies_to {
            AppliesTo::Tag(tag) => serde_json::json!({ "_tags": tag }),
            AppliesTo::Device(id) => serde_json::json!({ "DeviceID.ID": id }),
        };
        let preset = serde_json::json!({
            "weight": 0,
            "channel": "cwmpkit",
            "events": {},
            "precondition": precondition.to_string(),
            "configurations": [{ "type": "provision", "name": name }],
        });
        let preset = serde_json::to_string_pretty(&preset).unwrap_or_default();
        GenieacsExport { name, script, preset, skipped: self.skipped }
    }
}
