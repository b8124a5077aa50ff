//! The key registry: what every known key means, kept as data in
//! `core/data/aastra/keys.json` so it can be reviewed and extended without code.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The highest SIP line number a phone model offers (the 6739i and 6867i have 9).
pub const MAX_LINES: u8 = 9;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyType {
    String,
    Integer,
    Boolean,
    /// An http/https URL (the ACS).
    Url,
    /// A URL of a file to download (any scheme, e.g. ftp://user:pass@host/path).
    FileUrl,
    /// `YYYY-MM-DDThh:mm:ss`.
    Datetime,
    /// A host name or an IP address.
    Host,
    /// Digits only (passwords entered on the keypad).
    Numeric,
}

/// One key as described in the data file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySpec {
    pub key: String,
    #[serde(rename = "type")]
    pub key_type: KeyType,
    pub format: String,
    pub default: String,
    #[serde(default)]
    pub min: Option<u64>,
    #[serde(default)]
    pub max: Option<u64>,
    pub description: String,
    /// Where the key may appear: `aastra.cfg`, `<model>.cfg`, `<MAC>.cfg`.
    #[serde(default = "all_files")]
    pub files: Vec<String>,
    /// A password or other secret: never to be shared with every phone.
    #[serde(default)]
    pub secret: bool,
    /// The TR-069 parameter the phone exposes for this key, when known.
    #[serde(default)]
    pub tr069: Option<String>,
    /// Its xsd type in CWMP.
    #[serde(default)]
    pub xsd: Option<String>,
    /// The key's place (1-based) in `tr069` when that parameter is a
    /// comma-separated list several keys share (`dns1`, `dns2` ↔ `DNSServers`).
    #[serde(default)]
    pub tr069_list_position: Option<u8>,
    /// Why the key has no TR-069 parameter, when that is known; mapping reports it.
    #[serde(default)]
    pub no_tr069: Option<String>,
}

fn all_files() -> Vec<String> {
    ["aastra.cfg", "<model>.cfg", "<MAC>.cfg"].iter().map(|s| (*s).to_owned()).collect()
}

/// A SIP setting that exists once globally (`sip proxy ip`) and once per line
/// (`sip line3 proxy ip`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct SipSpec {
    suffix: String,
    #[serde(rename = "type")]
    key_type: KeyType,
    format: String,
    default: String,
    #[serde(default)]
    min: Option<u64>,
    #[serde(default)]
    max: Option<u64>,
    description: String,
    #[serde(default)]
    secret: bool,
    /// The parameter relative to `VoiceProfile.{n}.`.
    #[serde(default)]
    line: Option<String>,
    /// The parameter relative to `X_Aastra_GlobalVoiceProfile.`.
    #[serde(default)]
    global: Option<String>,
    #[serde(default)]
    xsd: Option<String>,
    #[serde(default)]
    no_tr069: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RegistryData {
    keys: Vec<KeySpec>,
    sip: Vec<SipSpec>,
}

const VOICE_SERVICE: &str = "Device.Services.VoiceService.1.";

/// All known keys, expanded (SIP keys for the global profile and lines 1–9).
#[derive(Debug, Default)]
pub struct Registry {
    specs: Vec<KeySpec>,
    by_key: HashMap<String, usize>,
    by_parameter: HashMap<String, usize>,
}

/// The registry's data, as shipped in the repository.
pub const DATA: &str = include_str!("../../data/aastra/keys.json");

impl Registry {
    /// Builds a registry from the JSON data format of `keys.json`.
    pub fn from_json(json: &str) -> Result<Registry, serde_json::Error> {
        let data: RegistryData = serde_json::from_str(json)?;
        let mut specs = data.keys;
        for sip in &data.sip {
            specs.push(expand(
                sip,
                format!("sip {}", sip.suffix),
                sip.global
                    .as_ref()
                    .map(|p| format!("{VOICE_SERVICE}X_Aastra_GlobalVoiceProfile.{p}")),
            ));
            for line in 1..=MAX_LINES {
                specs.push(expand(
                    sip,
                    format!("sip line{line} {}", sip.suffix),
                    sip.line.as_ref().map(|p| format!("{VOICE_SERVICE}VoiceProfile.{line}.{p}")),
                ));
            }
        }
        let by_key = specs.iter().enumerate().map(|(i, spec)| (spec.key.clone(), i)).collect();
        // A list parameter answers with its first key; `list_keys` has them all.
        let mut by_parameter = HashMap::new();
        for (i, spec) in specs.iter().enumerate() {
            if let Some(path) = &spec.tr069 {
                by_parameter.entry(path.clone()).or_insert(i);
            }
        }
        Ok(Registry { specs, by_key, by_parameter })
    }

    /// The shipped registry, built once. A unit test proves the data parses, so
    /// the empty fallback only guards against a broken build, never in practice.
    pub fn builtin() -> &'static Registry {
        static BUILTIN: OnceLock<Registry> = OnceLock::new();
        BUILTIN.get_or_init(|| Registry::from_json(DATA).unwrap_or_default())
    }

    /// Looks a key up by its normalised spelling.
    pub fn get(&self, normalized_key: &str) -> Option<&KeySpec> {
        self.by_key.get(normalized_key).and_then(|&i| self.specs.get(i))
    }

    /// The key that maps to a TR-069 parameter path.
    pub fn by_parameter(&self, path: &str) -> Option<&KeySpec> {
        self.by_parameter.get(path).and_then(|&i| self.specs.get(i))
    }

    /// The keys that share a list parameter, in their list order; empty when
    /// the parameter is not a list.
    pub fn list_keys(&self, path: &str) -> Vec<&KeySpec> {
        let mut keys: Vec<&KeySpec> = self
            .specs
            .iter()
            .filter(|s| s.tr069_list_position.is_some() && s.tr069.as_deref() == Some(path))
            .collect();
        keys.sort_by_key(|s| s.tr069_list_position);
        keys
    }

    pub fn specs(&self) -> &[KeySpec] {
        &self.specs
    }

    /// The known key closest to `normalized_key`, if it is close enough to be
    /// a typo (edit distance at most a fifth of the length, and at least 1–2).
    pub fn suggest(&self, normalized_key: &str) -> Option<&str> {
        let wanted: Vec<char> = normalized_key.chars().collect();
        let limit = (wanted.len() / 5).clamp(1, 3);
        let mut row = Vec::with_capacity(wanted.len() + 1);
        self.specs
            .iter()
            .filter(|spec| spec.key.len().abs_diff(normalized_key.len()) <= limit)
            .map(|spec| (edit_distance(&spec.key, &wanted, limit, &mut row), spec.key.as_str()))
            .filter(|&(distance, _)| distance <= limit)
            .min_by_key(|&(distance, _)| distance)
            .map(|(_, key)| key)
    }
}

fn expand(sip: &SipSpec, key: String, tr069: Option<String>) -> KeySpec {
    KeySpec {
        key,
        key_type: sip.key_type,
        format: sip.format.clone(),
        default: sip.default.clone(),
        min: sip.min,
        max: sip.max,
        description: sip.description.clone(),
        files: all_files(),
        secret: sip.secret,
        xsd: tr069.as_ref().and(sip.xsd.clone()),
        tr069_list_position: None,
        no_tr069: sip.no_tr069.clone(),
        tr069,
    }
}

/// Levenshtein distance over characters, with one reusable row; gives up
/// (returning `limit + 1`) as soon as every cell of a row exceeds `limit`, so
/// unrelated keys cost a few rows rather than a full table.
fn edit_distance(a: &str, b: &[char], limit: usize, row: &mut Vec<usize>) -> usize {
    row.clear();
    row.extend(0..=b.len());
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        let mut row_min = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or(0);
            let left = row.get(j).copied().unwrap_or(0);
            let substitution = diagonal + usize::from(ca != *cb);
            let best = substitution.min(above + 1).min(left + 1);
            diagonal = above;
            row_min = row_min.min(best);
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = best;
            }
        }
        if row_min > limit {
            return limit + 1;
        }
    }
    row.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_data_parses_and_expands_sip_keys_for_nine_lines() {
        let registry = Registry::from_json(DATA).unwrap();
        assert!(registry.get("tr69 server").is_some());
        assert!(registry.get("sip line9 auth name").is_some());
        assert!(registry.get("sip auth name").is_some());
        assert!(registry.get("sip line10 auth name").is_none());
        let spec = registry
            .by_parameter("Device.Services.VoiceService.1.VoiceProfile.3.Line.1.SIP.AuthUserName")
            .unwrap();
        assert_eq!(spec.key, "sip line3 auth name");
    }

    #[test]
    fn typos_get_the_nearest_key() {
        let registry = Registry::builtin();
        assert_eq!(registry.suggest("tr69 sever port"), Some("tr69 server port"));
        assert_eq!(registry.suggest("sip line1 auth nam"), Some("sip line1 auth name"));
        assert_eq!(registry.suggest("prgkey1 type"), None);
        let sitting: Vec<char> = "sitting".chars().collect();
        assert_eq!(edit_distance("kitten", &sitting, 5, &mut Vec::new()), 3);
        assert_eq!(edit_distance("kitten", &sitting, 1, &mut Vec::new()), 2);
    }
}
