//! Plans: the RPCs that take a device from its current parameter set to a
//! desired one, and the reverse question (what would a given
//! SetParameterValues change).
//!
//! Order of a plan: AddObject for new instances (parents before children),
//! SetParameterValues (grouped, with a ParameterKey), DeleteObject for
//! instances that must go (outermost only: deleting a row deletes what is
//! under it), SetParameterAttributes for notification and access-list changes.
//! What cannot be done (read-only parameters, tables the ACS may not grow,
//! parameters that would have to disappear, values the schema rejects) is
//! reported in [`Plan::unachievable`] instead of being sent to fail.
//!
//! The RPCs are plain types here; [`PlannedRpc::to_message`] turns them into
//! codec messages, which `cwmp::encode` writes.

use crate::base::XsdType;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use crate::cwmp;

use super::diff::{Change, diff};
use super::path::{Path, Segment};
use super::schema::{Access, ActiveNotify, Found, Model};
use super::set::{Entry, ParameterSet, Provenance};
use super::validate::{PatternCache, check_value};

/// One value in a SetParameterValues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedValue {
    pub name: String,
    pub value: String,
    /// XSD local name for `xsi:type` (`unsignedInt`).
    pub xsd_type: String,
}

/// One entry of a SetParameterAttributes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedAttributes {
    pub name: String,
    pub notification_change: bool,
    pub notification: u8,
    pub access_list_change: bool,
    pub access_list: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rpc")]
pub enum PlannedRpc {
    AddObject {
        /// The table, with a trailing dot: `Device.IP.Interface.`.
        object_name: String,
        parameter_key: String,
        /// The instance number the desired set uses. The CPE chooses the real
        /// number; a caller must renumber later RPCs if it differs.
        expected_instance: u32,
    },
    DeleteObject {
        /// The row, with a trailing dot: `Device.IP.Interface.3.`.
        object_name: String,
        parameter_key: String,
    },
    SetParameterValues {
        parameter_list: Vec<PlannedValue>,
        parameter_key: String,
    },
    SetParameterAttributes {
        parameter_list: Vec<PlannedAttributes>,
    },
}

impl PlannedRpc {
    /// The codec message for this RPC.
    pub fn to_message(&self) -> cwmp::Message {
        match self {
            PlannedRpc::AddObject { object_name, parameter_key, .. } => {
                cwmp::Message::AddObject(cwmp::AddObject {
                    object_name: object_name.clone(),
                    parameter_key: parameter_key.clone(),
                })
            }
            PlannedRpc::DeleteObject { object_name, parameter_key } => {
                cwmp::Message::DeleteObject(cwmp::DeleteObject {
                    object_name: object_name.clone(),
                    parameter_key: parameter_key.clone(),
                })
            }
            PlannedRpc::SetParameterValues { parameter_list, parameter_key } => {
                cwmp::Message::SetParameterValues(cwmp::SetParameterValues {
                    parameter_list: parameter_list
                        .iter()
                        .map(|v| cwmp::ParameterValueStruct {
                            name: v.name.as_str().into(),
                            value: cwmp::Value {
                                xsi_type: Some(v.xsd_type.as_str().into()),
                                text: v.value.as_str().into(),
                            },
                        })
                        .collect(),
                    parameter_key: parameter_key.clone(),
                })
            }
            PlannedRpc::SetParameterAttributes { parameter_list } => {
                cwmp::Message::SetParameterAttributes(cwmp::SetParameterAttributes {
                    parameter_list: parameter_list
                        .iter()
                        .map(|a| cwmp::SetParameterAttributesStruct {
                            name: a.name.as_str().into(),
                            notification_change: a.notification_change,
                            notification: a.notification.into(),
                            access_list_change: a.access_list_change,
                            access_list: a.access_list.clone(),
                        })
                        .collect(),
                })
            }
        }
    }
}

/// The values of a SetParameterValues request, for
/// [`set_parameter_values_effect`]; a missing `xsi:type` counts as `string`.
pub fn planned_values(request: &cwmp::SetParameterValues) -> Vec<PlannedValue> {
    request
        .parameter_list
        .iter()
        .map(|p| PlannedValue {
            name: p.name.to_string(),
            value: p.value.text.to_string(),
            xsd_type: p.value.xsi_type.as_deref().unwrap_or("string").to_owned(),
        })
        .collect()
}

/// A desired change that the plan does not attempt, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unachievable {
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Plan {
    pub rpcs: Vec<PlannedRpc>,
    pub unachievable: Vec<Unachievable>,
    /// Things worth knowing that do not block the plan.
    pub notes: Vec<String>,
}

impl Plan {
    /// Every value the plan's SetParameterValues write, in order.
    pub fn values(&self) -> impl Iterator<Item = &PlannedValue> {
        self.rpcs.iter().flat_map(|rpc| match rpc {
            PlannedRpc::SetParameterValues { parameter_list, .. } => parameter_list.as_slice(),
            _ => &[],
        })
    }
}

#[derive(Debug, Clone)]
pub struct PlanOptions<'a> {
    /// When given, writability, table access and values are checked against it.
    pub model: Option<&'a Model>,
    pub parameter_key: String,
    /// At most this many parameters per SetParameterValues (CPEs have limits).
    pub max_values_per_rpc: usize,
}

impl Default for PlanOptions<'_> {
    fn default() -> Self {
        PlanOptions { model: None, parameter_key: "cwmpkit".into(), max_values_per_rpc: 64 }
    }
}

/// Whether the device or the schema says `path` may be written; `Err` says why
/// not, in words a user can act on (an editor shows it on a read-only value).
pub fn writability(
    path: &str,
    current: Option<&Entry>,
    desired: Option<&Entry>,
    model: Option<&Model>,
) -> Result<(), String> {
    if let Some(false) = current.and_then(|e| e.writable).or(desired.and_then(|e| e.writable)) {
        return Err("read-only on the device".into());
    }
    if let Some(model) = model
        && let Ok(parsed) = Path::parse(path)
    {
        match model.lookup(&parsed) {
            Some(Found::Parameter(_, parameter)) if parameter.access == Access::ReadOnly => {
                return Err(format!("read-only in {}", model.name));
            }
            Some(Found::Object(object)) | Some(Found::Table(object))
                if object.is_table() && object.access == Access::ReadOnly =>
            {
                return Err(format!(
                    "the ACS may not add or delete rows of this table in {}",
                    model.name
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The table path and instance number of a row path (`D.T.3.` → `D.T.`, 3).
fn split_row(row: &str) -> Option<(String, u32)> {
    let path = Path::parse(row).ok()?;
    let number = match path.segments.last()? {
        Segment::Instance(number) => *number,
        _ => return None,
    };
    Some((path.parent()?.to_string(), number))
}

/// The RPCs from `current` to `desired`.
pub fn plan(current: &ParameterSet, desired: &ParameterSet, options: &PlanOptions<'_>) -> Plan {
    let mut result = Plan::default();
    let model = options.model;
    let key = options.parameter_key.clone();
    let changes = diff(current, desired);

    // Rows to add: every instance of `desired` missing from `current`, parents first.
    let have: BTreeSet<String> = current.instances().into_iter().collect();
    let mut blocked_rows: Vec<String> = Vec::new();
    let mut added_rows: Vec<String> = Vec::new();
    for row in desired.instances() {
        if have.contains(&row) || blocked_rows.iter().any(|b| row.starts_with(b.as_str())) {
            continue;
        }
        let Some((table, number)) = split_row(&row) else {
            result.unachievable.push(Unachievable {
                path: row.clone(),
                reason: "alias-addressed rows cannot be created by number; AddObject needs a table"
                    .into(),
            });
            blocked_rows.push(row);
            continue;
        };
        let definition = model.and_then(|m| {
            let generic = Path::parse(&row).ok()?.generic().to_string();
            m.object(&generic)
        });
        if let Some(definition) = definition {
            // A table that must have rows (`minEntries` ≥ 1, like each Aastra
            // profile's Line.1) gets them from the CPE together with its parent.
            let parent_row =
                Path::parse(&table).ok().and_then(|t| t.parent()).map(|p| p.to_string());
            let parent_added = parent_row.is_some_and(|p| added_rows.contains(&p));
            if parent_added && number <= definition.min_entries {
                result.notes.push(format!("{row} is created by the CPE with its parent"));
                added_rows.push(row);
                continue;
            }
            if let Some(max) = definition.max_entries {
                let existing =
                    have.iter().filter(|r| split_row(r).is_some_and(|(t, _)| t == table)).count();
                let planned = added_rows
                    .iter()
                    .filter(|r| split_row(r).is_some_and(|(t, _)| t == table))
                    .count();
                if existing + planned >= max as usize {
                    result.unachievable.push(Unachievable {
                        path: row.clone(),
                        reason: format!("the table allows at most {max} rows"),
                    });
                    blocked_rows.push(row);
                    continue;
                }
            }
        }
        match writability(&table, current.get(&table), desired.get(&table), model) {
            Ok(()) => {
                result.rpcs.push(PlannedRpc::AddObject {
                    object_name: table,
                    parameter_key: key.clone(),
                    expected_instance: number,
                });
                added_rows.push(row);
            }
            Err(reason) => {
                result.unachievable.push(Unachievable { path: row.clone(), reason });
                blocked_rows.push(row);
            }
        }
    }
    if result.rpcs.iter().any(|rpc| matches!(rpc, PlannedRpc::AddObject { .. })) {
        result.notes.push(
            "AddObject lets the CPE choose instance numbers; renumber the later RPCs if it returns others".into(),
        );
    }

    // Values.
    let mut values = Vec::new();
    let mut attributes = Vec::new();
    let mut deletes = Vec::new();
    let mut patterns = PatternCache::default();
    for change in &changes {
        match change {
            Change::InstanceRemoved { path } => {
                match writability(path, current.get(path), None, model) {
                    Ok(()) => deletes.push(PlannedRpc::DeleteObject {
                        object_name: path.clone(),
                        parameter_key: key.clone(),
                    }),
                    Err(reason) => {
                        result.unachievable.push(Unachievable { path: path.clone(), reason })
                    }
                }
            }
            Change::Removed { path, .. } => result.unachievable.push(Unachievable {
                path: path.clone(),
                reason: "only objects can be deleted; a parameter cannot be removed".into(),
            }),
            Change::Added { path, value: Some(value) }
            | Change::ValueChanged { path, to: Some(value), .. } => {
                let Some(entry) = desired.get(path) else { continue };
                if entry.object || blocked_rows.iter().any(|b| path.starts_with(b.as_str())) {
                    continue;
                }
                if let Err(reason) = writability(path, current.get(path), Some(entry), model) {
                    result.unachievable.push(Unachievable { path: path.clone(), reason });
                    continue;
                }
                let mut xsd_type = entry
                    .value_type
                    .clone()
                    .or_else(|| current.get(path).and_then(|e| e.value_type.clone()));
                if let Some(model) = model
                    && let Ok(Some(Found::Parameter(_, parameter))) = model.lookup_str(path)
                {
                    let problems = check_value(value, &parameter.syntax, &mut patterns);
                    if let Some(first) = problems.first() {
                        result.unachievable.push(Unachievable {
                            path: path.clone(),
                            reason: format!("the CPE would reject the value: {}", first.message),
                        });
                        continue;
                    }
                    // The device's declared type, unless the value cannot travel as it (a list
                    // declared as its items' type): then the type the schema sends it as.
                    let declared_fits = xsd_type
                        .as_deref()
                        .and_then(XsdType::from_name)
                        .is_some_and(|declared| declared.is_valid(value));
                    if !declared_fits {
                        xsd_type = Some(parameter.syntax.wire_type().name().to_string());
                    }
                }
                values.push(PlannedValue {
                    name: path.clone(),
                    value: value.clone(),
                    xsd_type: xsd_type.unwrap_or_else(|| "string".into()),
                });
            }
            Change::NotificationChanged { path, to: Some(level), .. } => {
                if let Some(model) = model
                    && let Ok(Some(Found::Parameter(_, parameter))) = model.lookup_str(path)
                {
                    match parameter.active_notify {
                        ActiveNotify::ForceEnabled if *level != 2 => {
                            result.unachievable.push(Unachievable {
                                path: path.clone(),
                                reason: "active notification is forced on for this parameter"
                                    .into(),
                            });
                            continue;
                        }
                        ActiveNotify::CanDeny if *level == 2 => result.notes.push(format!(
                            "{path}: the CPE may deny active notification (fault 9009)"
                        )),
                        _ => {}
                    }
                }
                upsert_attributes(&mut attributes, path, |a| {
                    a.notification_change = true;
                    a.notification = *level;
                });
            }
            Change::AccessListChanged { path, to: Some(list), .. } => {
                upsert_attributes(&mut attributes, path, |a| {
                    a.access_list_change = true;
                    a.access_list = list.clone();
                });
            }
            _ => {}
        }
    }
    // New parameters (in new rows, or newly appearing) carry their desired
    // attributes too: a fresh parameter's notification is the CPE's default.
    for change in &changes {
        let Change::Added { path, .. } = change else { continue };
        let Some(entry) = desired.get(path) else { continue };
        if entry.object || blocked_rows.iter().any(|b| path.starts_with(b.as_str())) {
            continue;
        }
        if let Some(level) = entry.notification {
            upsert_attributes(&mut attributes, path, |a| {
                a.notification_change = true;
                a.notification = level;
            });
        }
        if let Some(list) = &entry.access_list {
            upsert_attributes(&mut attributes, path, |a| {
                a.access_list_change = true;
                a.access_list = list.clone();
            });
        }
    }
    for chunk in values.chunks(options.max_values_per_rpc.max(1)) {
        result.rpcs.push(PlannedRpc::SetParameterValues {
            parameter_list: chunk.to_vec(),
            parameter_key: key.clone(),
        });
    }
    result.rpcs.extend(deletes);
    if !attributes.is_empty() {
        result.rpcs.push(PlannedRpc::SetParameterAttributes { parameter_list: attributes });
    }
    result
}

fn upsert_attributes(
    list: &mut Vec<PlannedAttributes>,
    path: &str,
    update: impl FnOnce(&mut PlannedAttributes),
) {
    let index = match list.iter().position(|a| a.name == path) {
        Some(index) => index,
        None => {
            list.push(PlannedAttributes {
                name: path.to_string(),
                notification_change: false,
                notification: 0,
                access_list_change: false,
                access_list: Vec::new(),
            });
            list.len() - 1
        }
    };
    if let Some(attributes) = list.get_mut(index) {
        update(attributes);
    }
}

/// XML comments cannot contain `--`.
fn comment(text: &str) -> String {
    text.replace("--", "- -")
}

/// The plan as SOAP: [`render_envelopes`], preceded by what cannot be done
/// and the notes as XML comments.
pub fn render_soap(planned: &Plan, version: cwmp::CwmpVersion) -> String {
    let mut out = String::new();
    for item in &planned.unachievable {
        out.push_str(&format!(
            "<!-- cannot: {} — {} -->\n",
            comment(&item.path),
            comment(&item.reason)
        ));
    }
    for note in &planned.notes {
        out.push_str(&format!("<!-- note: {} -->\n", comment(note)));
    }
    out.push_str(&render_envelopes(planned, version));
    out
}

/// One canonical envelope per RPC in the namespace of `version` (1.0 is what
/// every CPE understands), written by the codec's strict encoder. An RPC the
/// encoder refuses (a value outside the XSD's facets) stands as a comment
/// saying why.
pub fn render_envelopes(planned: &Plan, version: cwmp::CwmpVersion) -> String {
    let mut out = String::new();
    for (index, rpc) in planned.rpcs.iter().enumerate() {
        let envelope = cwmp::Envelope {
            version,
            header: cwmp::Header {
                id: Some(format!("cwmpkit-{}", index + 1).into()),
                ..cwmp::Header::default()
            },
            message: rpc.to_message(),
        };
        match cwmp::encode(&envelope, version) {
            Ok(xml) => out.push_str(&xml),
            Err(refused) => {
                out.push_str(&format!("<!-- not encoded: {} -->\n", comment(&refused.to_string())))
            }
        }
    }
    out
}

/// Simulates a well-behaved CPE: applies the RPCs to a copy of `current`
/// (AddObject creates the expected instance number).
pub fn apply(rpcs: &[PlannedRpc], current: &ParameterSet) -> ParameterSet {
    let mut set = current.clone();
    for rpc in rpcs {
        match rpc {
            PlannedRpc::AddObject { object_name, expected_instance, .. } => {
                let mut entry = Entry::object(format!("{object_name}{expected_instance}."));
                entry.provenance.push(Provenance::new("AddObject"));
                set.insert(entry);
            }
            PlannedRpc::DeleteObject { object_name, .. } => {
                set.remove_subtree(object_name);
            }
            PlannedRpc::SetParameterValues { parameter_list, .. } => {
                for value in parameter_list {
                    set.insert(Entry {
                        value_type: Some(value.xsd_type.clone()),
                        provenance: vec![Provenance::new("SetParameterValues")],
                        ..Entry::parameter(value.name.clone(), value.value.clone())
                    });
                }
            }
            PlannedRpc::SetParameterAttributes { parameter_list } => {
                for attributes in parameter_list {
                    let mut entry = Entry { path: attributes.name.clone(), ..Entry::default() };
                    if attributes.notification_change {
                        entry.notification = Some(attributes.notification);
                    }
                    if attributes.access_list_change {
                        entry.access_list = Some(attributes.access_list.clone());
                    }
                    entry.provenance.push(Provenance::new("SetParameterAttributes"));
                    set.insert(entry);
                }
            }
        }
    }
    set
}

/// What a SetParameterValues would change on a device in state `current`,
/// and which of its values the device would refuse.
pub fn set_parameter_values_effect(
    current: &ParameterSet,
    values: &[PlannedValue],
    model: Option<&Model>,
) -> (Vec<Change>, Vec<Unachievable>) {
    let mut refused = Vec::new();
    let mut after = current.clone();
    let mut patterns = PatternCache::default();
    for value in values {
        let existing = current.get(&value.name);
        if let Err(reason) = writability(&value.name, existing, None, model) {
            refused.push(Unachievable { path: value.name.clone(), reason });
            continue;
        }
        if let Some(model) = model {
            match model.lookup_str(&value.name) {
                Ok(Some(Found::Parameter(_, parameter))) => {
                    if let Some(first) =
                        check_value(&value.value, &parameter.syntax, &mut patterns).first()
                    {
                        refused.push(Unachievable {
                            path: value.name.clone(),
                            reason: first.message.clone(),
                        });
                        continue;
                    }
                }
                Ok(_) if existing.is_none() => {
                    refused.push(Unachievable {
                        path: value.name.clone(),
                        reason: format!(
                            "no such parameter on the device or in {} (fault 9005)",
                            model.name
                        ),
                    });
                    continue;
                }
                Err(error) => {
                    refused
                        .push(Unachievable { path: value.name.clone(), reason: error.to_string() });
                    continue;
                }
                Ok(_) => {}
            }
        }
        after.insert(Entry {
            value_type: Some(value.xsd_type.clone()),
            ..Entry::parameter(value.name.clone(), value.value.clone())
        });
    }
    (diff(current, &after), refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, value: &str, writable: bool) -> Entry {
        Entry { writable: Some(writable), ..Entry::parameter(path, value) }
    }

    #[test]
    fn plans_adds_sets_deletes_and_attributes() {
        let current: ParameterSet = [
            entry("D.T.1.W", "a", true),
            entry("D.T.2.W", "b", true),
            entry("D.RO", "x", false),
            entry("D.N", "n", true),
        ]
        .into_iter()
        .collect();
        let desired: ParameterSet = [
            entry("D.T.1.W", "a2", true),
            entry("D.T.3.W", "c", true),
            entry("D.RO", "y", false),
            Entry { notification: Some(2), ..entry("D.N", "n", true) },
        ]
        .into_iter()
        .collect();
        let plan = plan(&current, &desired, &PlanOptions::default());
        let kinds: Vec<&str> = plan
            .rpcs
            .iter()
            .map(|rpc| match rpc {
                PlannedRpc::AddObject { .. } => "add",
                PlannedRpc::SetParameterValues { .. } => "spv",
                PlannedRpc::DeleteObject { .. } => "delete",
                PlannedRpc::SetParameterAttributes { .. } => "spa",
            })
            .collect();
        assert_eq!(kinds, ["add", "spv", "delete", "spa"]);
        assert_eq!(
            plan.unachievable,
            [Unachievable { path: "D.RO".into(), reason: "read-only on the device".into() }]
        );
        let after = apply(&plan.rpcs, &current);
        assert_eq!(after.get("D.T.3.W").unwrap().value.as_deref(), Some("c"));
        assert!(after.get("D.T.2.W").is_none());
        assert_eq!(after.get("D.N").unwrap().notification, Some(2));

        let (changes, refused) = set_parameter_values_effect(
            &current,
            &[
                PlannedValue { name: "D.N".into(), value: "m".into(), xsd_type: "string".into() },
                PlannedValue { name: "D.RO".into(), value: "z".into(), xsd_type: "string".into() },
            ],
            None,
        );
        assert_eq!(changes.len(), 1);
        assert_eq!(refused.len(), 1);

        // Every planned RPC becomes a codec message that encodes and decodes back.
        for rpc in &plan.rpcs {
            let envelope = cwmp::Envelope {
                version: cwmp::CwmpVersion::V1_0,
                header: cwmp::Header::default(),
                message: rpc.to_message(),
            };
            let xml = cwmp::encode(&envelope, cwmp::CwmpVersion::V1_0).unwrap();
            let decoded = cwmp::decode(xml.as_bytes()).unwrap();
            assert_eq!(decoded.envelopes[0].message, envelope.message);
        }
        let cwmp::Message::SetParameterValues(request) = plan.rpcs[1].to_message() else {
            panic!()
        };
        assert_eq!(planned_values(&request)[0].name, "D.T.1.W");
    }

    #[test]
    fn soap_rendering_escapes_counts_and_follows_the_version() {
        let planned = Plan {
            rpcs: vec![
                PlannedRpc::AddObject {
                    object_name: "Device.X.".into(),
                    parameter_key: "k&1".into(),
                    expected_instance: 2,
                },
                PlannedRpc::SetParameterValues {
                    parameter_list: vec![PlannedValue {
                        name: "Device.X.2.Name".into(),
                        value: "<a & b>".into(),
                        xsd_type: "string".into(),
                    }],
                    parameter_key: "k".into(),
                },
                PlannedRpc::SetParameterAttributes {
                    parameter_list: vec![PlannedAttributes {
                        name: "Device.X.2.Name".into(),
                        notification_change: true,
                        notification: 2,
                        access_list_change: false,
                        access_list: Vec::new(),
                    }],
                },
            ],
            unachievable: vec![Unachievable {
                path: "Device.RO".into(),
                reason: "read-only -- really".into(),
            }],
            notes: vec!["a note".into()],
        };
        for version in [cwmp::CwmpVersion::V1_0, cwmp::CwmpVersion::V1_2] {
            let soap = render_soap(&planned, version);
            assert!(soap.starts_with("<!-- cannot: Device.RO — read-only - - really -->"));
            assert!(soap.contains("<!-- note: a note -->"));
            assert_eq!(soap.matches("<SOAP-ENV:Envelope ").count(), 3);
            assert!(soap.contains(version.namespace()), "{soap}");
            // Each envelope decodes back to the planned RPC.
            for (rpc, xml) in planned.rpcs.iter().zip(soap.split("<?xml").skip(1)) {
                let decoded = cwmp::decode(format!("<?xml{xml}").as_bytes()).unwrap();
                assert_eq!(decoded.envelopes[0].version, version);
                assert_eq!(decoded.envelopes[0].message, rpc.to_message());
            }
            assert!(soap.contains("k&amp;1"));
            assert!(soap.contains("&lt;a &amp; b&gt;"));
            let envelopes = render_envelopes(&planned, version);
            assert!(envelopes.starts_with("<?xml"));
            assert!(soap.ends_with(&envelopes));
        }
    }

    #[test]
    fn writability_says_why_not() {
        let read_only = entry("D.RO", "x", false);
        assert_eq!(
            writability("D.RO", Some(&read_only), None, None),
            Err("read-only on the device".into())
        );
        let writable = entry("D.W", "x", true);
        assert_eq!(writability("D.W", Some(&writable), None, None), Ok(()));
    }
}
