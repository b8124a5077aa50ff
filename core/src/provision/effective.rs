//! The configuration one phone ends up with.
//!
//! The phone reads `aastra.cfg`, then `<model>.cfg`, then `<MAC>.cfg`; a later
//! file overrides an earlier one, and the phone's own `local.cfg` overrides them
//! all except for keys a server file locked with `!`. A `^` puts a key back to
//! its default.
//!
//! Self-configuration profiles (`.prf`, from Aastra's XML scripts) are what a
//! provisioning server turns into a phone's `<MAC>.cfg`: `[Core]`, then
//! `[Common]`, then the section of the phone's model (`[Aastra6731i]`, which
//! may borrow another model's section with `template: Aastra6730i` and add keys
//! of its own). A profile therefore ranks after `<model>.cfg` and before a
//! `<MAC>.cfg` given alongside it, and only the sections for the phone apply.

use super::registry::Registry;
use super::syntax::{ConfigFile, Line, LineKind, Prefix};
use super::validate::{FileRole, file_role};
use serde::{Deserialize, Serialize};
use std::borrow::{Borrow, Cow};

/// Where a value was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    pub file: String,
    pub line: u32,
    pub value: String,
    /// The `[Section]` of a `.prf` profile the line is in.
    #[serde(default)]
    pub section: Option<String>,
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

/// The files of one phone, by name (`aastra.cfg`, `6867i.cfg`, a `.prf` profile,
/// `00085D1A2B3C.cfg`, `local.cfg`), in the order the phone applies them.
/// Files of other models and other MACs are left out, and so are profiles with
/// no section for the model; of a profile, only the lines for the model are
/// kept. The order of `files` does not matter.
pub fn for_phone<'a>(
    files: &'a [(String, ConfigFile)],
    model: &str,
    mac: &str,
) -> Vec<(&'a str, Cow<'a, ConfigFile>)> {
    let model_name = model_key(model);
    let mac = super::validate::normalize_mac(mac).unwrap_or_default();
    let mut chosen: Vec<(u8, &str, Cow<'a, ConfigFile>)> = Vec::new();
    for (name, file) in files {
        let rank = match file_role(name) {
            FileRole::Global => 0,
            FileRole::Model(m) if model_key(&m) == model_name => 1,
            FileRole::Profile => match profile_for_model(file, model) {
                Some(selected) => {
                    chosen.push((2, name.as_str(), Cow::Owned(selected)));
                    continue;
                }
                None => continue,
            },
            FileRole::Mac(m) if m == mac => 3,
            FileRole::Local => 4,
            _ => continue,
        };
        chosen.push((rank, name.as_str(), Cow::Borrowed(file)));
    }
    chosen.sort_by_key(|(rank, _, _)| *rank);
    chosen.into_iter().map(|(_, name, file)| (name, file)).collect()
}

/// How a model is compared: `Aastra6731i`, `6731i` and `6731I` are the same phone.
fn model_key(model: &str) -> String {
    let lower = model.trim().to_ascii_lowercase();
    let bare = lower.strip_prefix("aastra").unwrap_or(&lower);
    bare.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The key with which a profile section borrows another model's section.
const TEMPLATE_KEY: &str = "template";

/// What a `.prf` profile gives a phone of `model`, as the provisioning scripts
/// assemble it: the entries of `[Core]`, then `[Common]`, then the model's
/// section; when that section names a `template: Aastra…`, the template's
/// entries come first and the model's own after them (one level, as in the
/// scripts). Lines keep their numbers and sections, so values can be traced
/// back to the profile. `None` when the profile has no section for the model:
/// the scripts refuse to configure such a phone.
pub fn profile_for_model(profile: &ConfigFile, model: &str) -> Option<ConfigFile> {
    let wanted = model_key(model);
    let is_section = |line: &Line, name: &str| {
        line.section.as_deref().is_some_and(|s| model_key(s) == model_key(name))
    };
    let model_section = profile.lines.iter().find_map(|line| match &line.kind {
        LineKind::Section(name) if model_key(name) == wanted => Some(name.to_string()),
        _ => None,
    })?;
    let template = profile
        .lines
        .iter()
        .rev()
        .filter(|line| is_section(line, &model_section))
        .filter_map(Line::entry)
        .find(|entry| entry.normalized_key == TEMPLATE_KEY)
        .map(|entry| entry.value.to_string());
    let mut order = vec!["Core".to_owned(), "Common".to_owned()];
    order.extend(template);
    order.push(model_section);
    let mut lines = Vec::new();
    for section in &order {
        lines.extend(
            profile
                .lines
                .iter()
                .filter(|line| is_section(line, section))
                .filter(|line| line.entry().is_some_and(|e| e.normalized_key != TEMPLATE_KEY))
                .cloned(),
        );
    }
    Some(ConfigFile { encoding: profile.encoding, bom: profile.bom, lines })
}

/// Merges files in the order given (earliest first). Files whose role is
/// `Local` do not override keys locked by an earlier file. Result in key order.
pub fn effective<File: Borrow<ConfigFile>>(
    layers: &[(&str, File)],
    registry: &Registry,
) -> Vec<EffectiveValue> {
    let mut merged: Vec<EffectiveValue> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (name, file) in layers {
        let is_local = file_role(name) == FileRole::Local;
        for (line, entry) in file.borrow().entries() {
            let reset = entry.prefix == Some(Prefix::Reset);
            let value = if reset {
                registry.get(&entry.normalized_key).map(|s| s.default.clone()).unwrap_or_default()
            } else {
                entry.value.to_string()
            };
            let origin = Origin {
                file: (*name).to_owned(),
                line: line.number,
                value: entry.value.to_string(),
                section: line.section.as_deref().map(str::to_owned),
            };
            match index.get(entry.normalized_key.as_str()).and_then(|&i| merged.get_mut(i)) {
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
                    index.insert(entry.normalized_key.to_string(), merged.len());
                    merged.push(EffectiveValue {
                        key: entry.normalized_key.to_string(),
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
