//! The configuration one phone ends up with.
//!
//! The phone reads `aastra.cfg`, then `<model>.cfg`, then `<MAC>.cfg`; a later
//! file overrides an earlier one, and the phone's own `local.cfg` overrides them
//! all except for keys a server file locked with `!`. A `^` puts a key back to
//! its default.

use super::registry::Registry;
use super::syntax::{ConfigFile, Prefix};
use super::validate::{FileRole, file_role};
use serde::{Deserialize, Serialize};

/// Where a value was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    pub file: String,
    pub line: u32,
    pub value: String,
}

/// One key's final value and its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EffectiveValue {
    /// Normalised key.
    pub key: String,
    pub value: String,
    /// Where the final value was written.
    pub origin: Origin,
    /// A server file locked it with `!`, so local changes do not apply.
    pub locked: bool,
    /// A `^` reset it: the value is the registry's default (empty if unknown).
    pub reset: bool,
    /// Earlier values this one replaced, oldest first.
    pub overridden: Vec<Origin>,
}

/// The files of one phone, by name (`aastra.cfg`, `6867i.cfg`, `00085D1A2B3C.cfg`, `local.cfg`).
/// Files of other models and other MACs are left out; the order of `files` does not matter.
pub fn for_phone<'a>(
    files: &'a [(String, ConfigFile)],
    model: &str,
    mac: &str,
) -> Vec<(&'a str, &'a ConfigFile)> {
    let model = model.to_ascii_lowercase();
    let mac = super::validate::normalize_mac(mac).unwrap_or_default();
    let rank = |name: &str| match file_role(name) {
        FileRole::Global => Some(0),
        FileRole::Model(m) if m == model => Some(1),
        FileRole::Mac(m) if m == mac => Some(2),
        FileRole::Local => Some(3),
        _ => None,
    };
    let mut chosen: Vec<(u8, &str, &ConfigFile)> = files
        .iter()
        .filter_map(|(name, file)| rank(name).map(|r| (r, name.as_str(), file)))
        .collect();
    chosen.sort_by_key(|&(r, _, _)| r);
    chosen.into_iter().map(|(_, name, file)| (name, file)).collect()
}

/// Merges files in the order given (earliest first). Files whose role is
/// `Local` do not override keys locked by an earlier file. Result in key order.
pub fn effective(layers: &[(&str, &ConfigFile)], registry: &Registry) -> Vec<EffectiveValue> {
    let mut merged: Vec<EffectiveValue> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for &(name, file) in layers {
        let is_local = file_role(name) == FileRole::Local;
        for (line, entry) in file.entries() {
            let reset = entry.prefix == Some(Prefix::Reset);
            let value = if reset {
                registry.get(&entry.normalized_key).map(|s| s.default.clone()).unwrap_or_default()
            } else {
                entry.value.clone()
            };
            let origin =
                Origin { file: name.to_owned(), line: line.number, value: entry.value.clone() };
            match index.get(&entry.normalized_key).and_then(|&i| merged.get_mut(i)) {
                Some(existing) => {
                    if is_local && existing.locked {
                        continue;
                    }
                    let previous = std::mem::replace(&mut existing.origin, origin);
                    existing.overridden.push(previous);
                    existing.value = value;
                    existing.reset = reset;
                    existing.locked = existing.locked || entry.prefix == Some(Prefix::Lock);
                }
                None => {
                    index.insert(entry.normalized_key.clone(), merged.len());
                    merged.push(EffectiveValue {
                        key: entry.normalized_key.clone(),
                        value,
                        origin,
                        locked: entry.prefix == Some(Prefix::Lock),
                        reset,
                        overridden: Vec::new(),
                    });
                }
            }
        }
    }
    merged.sort_by(|a, b| a.key.cmp(&b.key));
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provision::parse;

    #[test]
    fn later_files_win_and_locks_hold_against_local() {
        let files = vec![
            ("local.cfg".to_owned(), parse(b"sip line1 auth name: local\ndhcp: 0\n").file),
            ("00085D1A2B3C.cfg".to_owned(), parse(b"sip line1 auth name: mac\n").file),
            ("aastra.cfg".to_owned(), parse(b"!dhcp: 1\nsip line1 auth name: all\n").file),
            ("6867i.cfg".to_owned(), parse(b"^dhcp:\n").file),
            ("6869i.cfg".to_owned(), parse(b"dhcp: 0\n").file),
        ];
        let layers = for_phone(&files, "6867i", "00:08:5d:1a:2b:3c");
        let names: Vec<&str> = layers.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["aastra.cfg", "6867i.cfg", "00085D1A2B3C.cfg", "local.cfg"]);
        let merged = effective(&layers, Registry::builtin());
        let dhcp = merged.iter().find(|v| v.key == "dhcp").unwrap();
        assert_eq!((dhcp.value.as_str(), dhcp.reset, dhcp.locked), ("1", true, true));
        assert_eq!(dhcp.origin.file, "6867i.cfg");
        let auth = merged.iter().find(|v| v.key == "sip line1 auth name").unwrap();
        assert_eq!((auth.value.as_str(), auth.origin.file.as_str()), ("local", "local.cfg"));
        assert_eq!(auth.overridden.len(), 2);
    }
}
