//! Differences between two parameter sets, instance-aware: a table row that
//! exists on one side only is one [`Change::InstanceAdded`] /
//! [`Change::InstanceRemoved`], not a list of unrelated parameters.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use super::set::{ParameterSet, natural_cmp};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "kebab-case")]
pub enum Change {
    /// A table row (`Device.X.3.`) only in the second set.
    InstanceAdded {
        path: String,
    },
    /// A table row only in the first set; the parameters under it are not
    /// listed again.
    InstanceRemoved {
        path: String,
    },
    /// A parameter (or object) only in the second set. Parameters of added
    /// instances are listed, since their values matter.
    Added {
        path: String,
        value: Option<String>,
    },
    Removed {
        path: String,
        value: Option<String>,
    },
    ValueChanged {
        path: String,
        from: Option<String>,
        to: Option<String>,
    },
    NotificationChanged {
        path: String,
        from: Option<u8>,
        to: Option<u8>,
    },
    AccessListChanged {
        path: String,
        from: Option<Vec<String>>,
        to: Option<Vec<String>>,
    },
    WritableChanged {
        path: String,
        from: Option<bool>,
        to: Option<bool>,
    },
}

impl Change {
    pub fn path(&self) -> &str {
        match self {
            Change::InstanceAdded { path }
            | Change::InstanceRemoved { path }
            | Change::Added { path, .. }
            | Change::Removed { path, .. }
            | Change::ValueChanged { path, .. }
            | Change::NotificationChanged { path, .. }
            | Change::AccessListChanged { path, .. }
            | Change::WritableChanged { path, .. } => path,
        }
    }
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = |v: &Option<String>| {
            v.as_deref().map(|v| format!("{v:?}")).unwrap_or_else(|| "(no value)".into())
        };
        match self {
            Change::InstanceAdded { path } => write!(f, "+ instance {path}"),
            Change::InstanceRemoved { path } => write!(f, "- instance {path}"),
            Change::Added { path, value } => write!(f, "+ {path} = {}", shown(value)),
            Change::Removed { path, value } => write!(f, "- {path} = {}", shown(value)),
            Change::ValueChanged { path, from, to } => {
                write!(f, "~ {path}: {} → {}", shown(from), shown(to))
            }
            Change::NotificationChanged { path, from, to } => {
                write!(f, "~ {path}: notification {from:?} → {to:?}")
            }
            Change::AccessListChanged { path, from, to } => {
                write!(f, "~ {path}: access list {from:?} → {to:?}")
            }
            Change::WritableChanged { path, from, to } => {
                write!(f, "~ {path}: writable {from:?} → {to:?}")
            }
        }
    }
}

fn rank(change: &Change) -> u8 {
    match change {
        Change::InstanceRemoved { .. } => 0,
        Change::InstanceAdded { .. } => 1,
        _ => 2,
    }
}

/// Whether `path` lies under one of the instance prefixes.
fn under_any(path: &str, prefixes: &BTreeSet<String>) -> bool {
    prefixes.iter().any(|p| path.starts_with(p.as_str()))
}

/// What changes from `a` to `b`. Attributes a side does not know (`None`)
/// are not compared, so a dump without notifications does not "remove" them.
pub fn diff(a: &ParameterSet, b: &ParameterSet) -> Vec<Change> {
    let instances_a: BTreeSet<String> = a.instances().into_iter().collect();
    let instances_b: BTreeSet<String> = b.instances().into_iter().collect();
    let outermost = |mine: &BTreeSet<String>, theirs: &BTreeSet<String>| -> BTreeSet<String> {
        let only: Vec<&String> = mine.difference(theirs).collect();
        only.iter()
            .filter(|p| !only.iter().any(|q| q.len() < p.len() && p.starts_with(q.as_str())))
            .map(|p| (*p).clone())
            .collect()
    };
    let added_instances = outermost(&instances_b, &instances_a);
    let removed_instances = outermost(&instances_a, &instances_b);

    let mut changes: Vec<Change> = Vec::new();
    changes.extend(
        removed_instances.iter().map(|path| Change::InstanceRemoved { path: path.clone() }),
    );
    changes.extend(added_instances.iter().map(|path| Change::InstanceAdded { path: path.clone() }));
    for entry in a.entries() {
        if b.get(&entry.path).is_none() && !under_any(&entry.path, &removed_instances) {
            changes.push(Change::Removed { path: entry.path.clone(), value: entry.value.clone() });
        }
    }
    for new in b.entries() {
        let path = new.path.clone();
        let Some(old) = a.get(&new.path) else {
            if !added_instances.contains(&new.path) {
                changes.push(Change::Added { path, value: new.value.clone() });
            }
            continue;
        };
        if old.value.is_some() && new.value.is_some() && old.value != new.value {
            changes.push(Change::ValueChanged {
                path: path.clone(),
                from: old.value.clone(),
                to: new.value.clone(),
            });
        } else if old.value.is_none() && new.value.is_some() && !new.object {
            changes.push(Change::ValueChanged {
                path: path.clone(),
                from: None,
                to: new.value.clone(),
            });
        }
        if new.notification.is_some() && old.notification != new.notification {
            changes.push(Change::NotificationChanged {
                path: path.clone(),
                from: old.notification,
                to: new.notification,
            });
        }
        if new.access_list.is_some() && old.access_list != new.access_list {
            changes.push(Change::AccessListChanged {
                path: path.clone(),
                from: old.access_list.clone(),
                to: new.access_list.clone(),
            });
        }
        if old.writable.is_some() && new.writable.is_some() && old.writable != new.writable {
            changes.push(Change::WritableChanged { path, from: old.writable, to: new.writable });
        }
    }
    // Instances first (removed, then added), then by path in reading order.
    changes.sort_by(|x, y| rank(x).cmp(&rank(y)).then_with(|| natural_cmp(x.path(), y.path())));
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::set::Entry;

    #[test]
    fn instance_aware_changes() {
        let a: ParameterSet = [
            Entry::parameter("D.T.1.A", "x"),
            Entry::parameter("D.T.2.A", "y"),
            Entry::parameter("D.T.2.S.1.B", "z"),
            Entry::parameter("D.V", "1"),
            Entry::parameter("D.Gone", "g"),
        ]
        .into_iter()
        .collect();
        let b: ParameterSet = [
            Entry::parameter("D.T.1.A", "x2"),
            Entry::parameter("D.T.3.A", "new"),
            Entry { notification: Some(2), ..Entry::parameter("D.V", "1") },
        ]
        .into_iter()
        .collect();
        let shown: Vec<String> = diff(&a, &b).iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "- instance D.T.2.",
                "+ instance D.T.3.",
                "- D.Gone = \"g\"",
                "~ D.T.1.A: \"x\" → \"x2\"",
                "+ D.T.3.A = \"new\"",
                "~ D.V: notification None → Some(2)",
            ]
        );
    }
}
