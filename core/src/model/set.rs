//! Parameter sets: what a device has (or should have), path by path.
//!
//! An [`Entry`] holds whatever a source told about one object or parameter:
//! value and type, writability, notification, access list. Every field is
//! optional because sources differ (a GetParameterNames response knows
//! writability but not values; an Inform knows values but not writability).
//! Each entry remembers where its facts came from ([`Provenance`]), so a
//! merged view can still say "this value is from the 10:42 Inform".

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::path::Path;

/// Where a fact about an entry came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// The source, e.g. a file name, `Inform`, `GetParameterValuesResponse`.
    pub source: String,
    /// 1-based line in the source, when it has lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

impl Provenance {
    pub fn new(source: impl Into<String>) -> Self {
        Provenance { source: source.into(), line: None }
    }

    pub fn at_line(source: impl Into<String>, line: u32) -> Self {
        Provenance { source: source.into(), line: Some(line) }
    }
}

/// One object or parameter.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// The path as the source wrote it; objects end with `.`.
    pub path: String,
    /// An object (or table) rather than a parameter.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub object: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The type the source declared, as an XSD local name (`unsignedInt`).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub value_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub writable: Option<bool>,
    /// 0 off, 1 passive, 2 active (3–6 in CWMP 1.4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_list: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provenance: Vec<Provenance>,
}

impl Entry {
    pub fn parameter(path: impl Into<String>, value: impl Into<String>) -> Self {
        Entry { path: path.into(), value: Some(value.into()), ..Entry::default() }
    }

    pub fn object(path: impl Into<String>) -> Self {
        let mut path = path.into();
        if !path.ends_with('.') {
            path.push('.');
        }
        Entry { path, object: true, ..Entry::default() }
    }

    /// Takes every fact `later` has, keeping ours where it has none, and
    /// appends its provenance.
    pub fn merge_from(&mut self, later: Entry) {
        self.object |= later.object;
        if later.value.is_some() {
            self.value = later.value;
        }
        if later.value_type.is_some() {
            self.value_type = later.value_type;
        }
        if later.writable.is_some() {
            self.writable = later.writable;
        }
        if later.notification.is_some() {
            self.notification = later.notification;
        }
        if later.access_list.is_some() {
            self.access_list = later.access_list;
        }
        self.provenance.extend(later.provenance);
    }
}

/// Normalizes an XSD type name: `xsd:unsignedInt` → `unsignedInt`.
pub fn type_local_name(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name).trim()
}

/// Orders paths as people read them: instance numbers numerically
/// (`T.2.` before `T.10.`), names alphabetically.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let mut left = a.split('.');
    let mut right = b.split('.');
    loop {
        match (left.next(), right.next()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => {
                let order = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    _ => x.cmp(y),
                };
                if order != std::cmp::Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

/// A set of entries keyed by path.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ParameterSet {
    entries: BTreeMap<String, Entry>,
    /// Facts about the device that are not parameters (GenieACS `DeviceID.*`,
    /// an Inform's DeviceId), by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
}

impl ParameterSet {
    pub fn new() -> Self {
        ParameterSet::default()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Parameters only (not objects).
    pub fn parameter_count(&self) -> usize {
        self.entries.values().filter(|e| !e.object).count()
    }

    pub fn get(&self, path: &str) -> Option<&Entry> {
        self.entries.get(path)
    }

    pub fn get_mut(&mut self, path: &str) -> Option<&mut Entry> {
        self.entries.get_mut(path)
    }

    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// Adds an entry, merging with an existing one at the same path (the new
    /// facts win).
    pub fn insert(&mut self, entry: Entry) {
        match self.entries.get_mut(&entry.path) {
            Some(existing) => existing.merge_from(entry),
            None => {
                self.entries.insert(entry.path.clone(), entry);
            }
        }
    }

    /// Removes an entry and, for an object, everything under it.
    pub fn remove_subtree(&mut self, path: &str) -> usize {
        if path.ends_with('.') {
            let doomed: Vec<String> = self
                .entries
                .range(path.to_string()..)
                .map(|(k, _)| k)
                .take_while(|k| k.starts_with(path))
                .cloned()
                .collect();
            for key in &doomed {
                self.entries.remove(key);
            }
            doomed.len()
        } else {
            usize::from(self.entries.remove(path).is_some())
        }
    }

    /// Merges `later` into this set: per entry and field, later wins;
    /// provenance accumulates.
    pub fn merge(&mut self, later: ParameterSet) {
        for entry in later.entries.into_values() {
            self.insert(entry);
        }
        self.metadata.extend(later.metadata);
    }

    /// The instance objects (`….{number}.`) present, explicitly or implied by
    /// a path below them. Sorted, deduplicated.
    pub fn instances(&self) -> Vec<String> {
        let mut found = std::collections::BTreeSet::new();
        for key in self.entries.keys() {
            let Ok(path) = Path::parse(key) else { continue };
            for (index, segment) in path.segments.iter().enumerate() {
                if segment.is_instance() {
                    let prefix = Path { segments: path.segments[..=index].to_vec(), partial: true };
                    found.insert(prefix.to_string());
                }
            }
        }
        let mut instances: Vec<String> = found.into_iter().collect();
        instances.sort_by(|a, b| natural_cmp(a, b));
        instances
    }
}

impl FromIterator<Entry> for ParameterSet {
    fn from_iter<I: IntoIterator<Item = Entry>>(iter: I) -> Self {
        let mut set = ParameterSet::new();
        for entry in iter {
            set.insert(entry);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_earlier_facts_and_all_provenance() {
        let mut names = ParameterSet::new();
        names.insert(Entry {
            writable: Some(true),
            provenance: vec![Provenance::new("GetParameterNamesResponse")],
            ..Entry::parameter("Device.A", "")
        });
        names.get_mut("Device.A").unwrap().value = None;
        let mut values = ParameterSet::new();
        values.insert(Entry {
            value_type: Some("string".into()),
            provenance: vec![Provenance::new("GetParameterValuesResponse")],
            ..Entry::parameter("Device.A", "x")
        });
        names.merge(values);
        let merged = names.get("Device.A").unwrap();
        assert_eq!(merged.value.as_deref(), Some("x"));
        assert_eq!(merged.writable, Some(true));
        assert_eq!(merged.provenance.len(), 2);
    }

    #[test]
    fn instances_and_subtree_removal() {
        let mut set: ParameterSet = [
            Entry::parameter("Device.X.1.A", "1"),
            Entry::parameter("Device.X.2.Y.3.B", "2"),
            Entry::object("Device.X.2."),
            Entry::parameter("Device.X.20.A", "3"),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            set.instances(),
            ["Device.X.1.", "Device.X.2.", "Device.X.2.Y.3.", "Device.X.20."]
        );
        assert_eq!(set.remove_subtree("Device.X.2."), 2);
        assert_eq!(set.len(), 2);
    }
}
