//! Checks a parsed file against the key registry and the phones' rules.

use super::diagnostic::{Findings, config_diagnostic};
use super::registry::{KeyType, Registry};
use super::syntax::{ConfigFile, Entry, Line};
use crate::base::DateTime;
use crate::base::{Diagnostic, Severity};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Which of the files a phone reads this one is, judged by its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileRole {
    /// `aastra.cfg` (or `startup.cfg` on newer Mitel firmware): read by every phone.
    Global,
    /// `<model>.cfg`, e.g. `6867i.cfg`.
    Model(String),
    /// `<MAC>.cfg`; the MAC in its canonical form (12 upper-case hex digits).
    Mac(String),
    /// `local.cfg` or `<MAC>_local.cfg`: the phone's own settings.
    Local,
    /// A self-configuration profile (`*.prf`) with `[Common]` and per-model sections.
    Profile,
    /// Anything else (templates, notes).
    Other,
}

/// The 12 hex digits of a MAC address in upper case, from any spelling
/// (`00:08:5d:1a:2b:3c`, `00-08-5D-1A-2B-3C`, `0008.5d1a.2b3c`).
pub fn normalize_mac(text: &str) -> Option<String> {
    let digits: String =
        text.chars().filter(|c| !matches!(c, ':' | '-' | '.' | ' ' | '_')).collect();
    (digits.len() == 12 && digits.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| digits.to_ascii_uppercase())
}

/// The role of a file from its name (without directories).
pub fn file_role(name: &str) -> FileRole {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let lower = base.to_ascii_lowercase();
    if lower.ends_with(".prf") {
        return FileRole::Profile;
    }
    let Some(stem) = lower.strip_suffix(".cfg") else { return FileRole::Other };
    if stem == "aastra" || stem == "startup" {
        return FileRole::Global;
    }
    if stem == "local" || stem.ends_with("_local") {
        return FileRole::Local;
    }
    let original_stem = base.get(..stem.len()).unwrap_or(stem);
    if let Some(mac) = normalize_mac(original_stem) {
        return FileRole::Mac(mac);
    }
    // Model files are named after the model: digits then an optional suffix (6867i, 9143i, 6739i).
    if stem.chars().next().is_some_and(|c| c.is_ascii_digit()) && stem.len() <= 8 {
        return FileRole::Model(stem.to_owned());
    }
    FileRole::Other
}

/// Findings about a file's name: a MAC file must be named exactly as the phone asks.
pub fn check_file_name(name: &str) -> Vec<Diagnostic> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let mut found = Vec::new();
    if let FileRole::Mac(mac) = file_role(base) {
        let canonical = format!("{mac}.cfg");
        if base != canonical {
            found.push(
                config_diagnostic(
                    Severity::Warning,
                    "mac-file-name",
                    0,
                    0,
                    format!("the phone asks for `{canonical}`, not `{base}`"),
                )
                .with_suggestion(canonical),
            );
        }
    }
    found
}

/// Whether a value is a template placeholder that a generator fills later
/// (`{$ntp}`, `$$AA_PROXY_AA$$`, `{{column}}`); such values are not checked.
pub fn has_placeholder(text: &str) -> bool {
    text.contains("{$") || text.contains("$$") || text.contains("{{")
}

/// The line number of a `sip lineN …` key with N above the phones' nine lines.
fn sip_line_beyond_limit(key: &str) -> Option<u32> {
    let rest = key.strip_prefix("sip line")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let number: u32 = digits.parse().ok()?;
    (number > u32::from(super::registry::MAX_LINES) || number == 0).then_some(number)
}

fn file_label(role: &FileRole) -> &'static str {
    match role {
        FileRole::Global => "aastra.cfg",
        FileRole::Model(_) => "<model>.cfg",
        FileRole::Mac(_) => "<MAC>.cfg",
        FileRole::Local | FileRole::Profile | FileRole::Other => "",
    }
}

/// Checks every entry of `file`, read as a file with `role`.
pub fn validate(file: &ConfigFile, role: &FileRole, registry: &Registry) -> Vec<Diagnostic> {
    let mut found = Findings::new(super::syntax::ParseLimits::default().max_findings);
    // (section, key) → (line, value) of the entry seen last.
    let mut seen: HashMap<(Option<&str>, &str), (u32, &str)> = HashMap::new();
    for (line, entry) in file.entries() {
        let key = entry.normalized_key.as_str();
        if let Some((previous_line, previous_value)) =
            seen.insert((line.section.as_deref(), key), (line.number, entry.value.as_str()))
            && previous_value != entry.value
        {
            found.push(config_diagnostic(
                Severity::Warning,
                "duplicate-key",
                line.number,
                entry.key_column,
                format!(
                    "`{key}` is set again (line {previous_line} set `{previous_value}`); `{}` wins",
                    entry.value
                ),
            ));
        }
        if has_placeholder(key) {
            continue;
        }
        let Some(spec) = registry.get(key) else {
            if let Some(number) = sip_line_beyond_limit(key) {
                found.push(config_diagnostic(
                    Severity::Warning,
                    "no-such-line",
                    line.number,
                    entry.key_column,
                    format!("`{key}`: the phones have SIP lines 1–9, not line {number}"),
                ));
                continue;
            }
            let suggestion = registry.suggest(key);
            let (severity, message) = match suggestion {
                Some(_) => (Severity::Warning, format!("unknown key `{key}`")),
                None => (Severity::Info, format!("`{key}` is not in the key registry; kept as is")),
            };
            let diagnostic =
                config_diagnostic(severity, "unknown-key", line.number, entry.key_column, message);
            found.push(match suggestion {
                Some(s) => diagnostic.with_suggestion(s),
                None => diagnostic,
            });
            continue;
        };
        let label = file_label(role);
        if !label.is_empty() && !spec.files.iter().any(|f| f == label) {
            found.push(config_diagnostic(
                Severity::Warning,
                "key-not-allowed-here",
                line.number,
                entry.key_column,
                format!("`{key}` belongs in {}, not in {label}", spec.files.join(" or ")),
            ));
        }
        if spec.secret && *role == FileRole::Global && !entry.value.is_empty() {
            found.push(config_diagnostic(
                Severity::Warning,
                "secret-in-global-file",
                line.number,
                entry.key_column,
                format!(
                    "`{key}` is a secret and every phone reads aastra.cfg; put it in <MAC>.cfg"
                ),
            ));
        }
        if entry.value.is_empty() || has_placeholder(&entry.value) {
            continue;
        }
        check_value(line, entry, spec.key_type, spec.min, spec.max, &mut found);
    }
    check_server_port(file, &mut found);
    found.into_vec()
}

fn value_problem(
    line: &Line,
    entry: &Entry,
    severity: Severity,
    code: &'static str,
    message: String,
) -> Diagnostic {
    config_diagnostic(severity, code, line.number, entry.value_column, message)
}

fn check_value(
    line: &Line,
    entry: &Entry,
    key_type: KeyType,
    min: Option<u64>,
    max: Option<u64>,
    found: &mut Findings,
) {
    let key = entry.normalized_key.as_str();
    let value = entry.value.as_str();
    match key_type {
        KeyType::String => {}
        KeyType::Integer => match value.parse::<u64>() {
            Err(_) => found.push(value_problem(
                line,
                entry,
                Severity::Error,
                "expects-number",
                format!("`{key}` expects a number, got `{value}`"),
            )),
            Ok(number) => {
                let below = min.is_some_and(|m| number < m);
                let above = max.is_some_and(|m| number > m);
                if below || above {
                    found.push(value_problem(
                        line,
                        entry,
                        Severity::Error,
                        "out-of-range",
                        format!(
                            "`{key}` must be between {} and {}, got {number}",
                            min.unwrap_or(0),
                            max.map_or("any".to_owned(), |m| m.to_string())
                        ),
                    ));
                }
            }
        },
        KeyType::Boolean => match value.to_ascii_lowercase().as_str() {
            "0" | "1" => {}
            "true" | "false" => {
                let canonical = if value.eq_ignore_ascii_case("true") { "1" } else { "0" };
                found.push(
                    value_problem(
                        line,
                        entry,
                        Severity::Warning,
                        "non-canonical-boolean",
                        format!("`{key}` is read as a boolean; write `{canonical}` rather than `{value}`"),
                    )
                    .with_suggestion(canonical),
                );
            }
            _ => found.push(value_problem(
                line,
                entry,
                Severity::Error,
                "expects-boolean",
                format!("`{key}` expects 0 or 1, got `{value}`"),
            )),
        },
        KeyType::Url => {
            if let Err(problem) = parse_http_url(value) {
                found.push(value_problem(
                    line,
                    entry,
                    Severity::Error,
                    "bad-url",
                    format!("`{key}` expects an http:// or https:// URL: {problem}"),
                ));
            }
        }
        KeyType::FileUrl => {
            if !value.contains("://") {
                found.push(value_problem(
                    line,
                    entry,
                    Severity::Warning,
                    "bad-file-url",
                    format!(
                        "`{key}` expects a URL such as ftp://host/path/file.pem, got `{value}`"
                    ),
                ));
            }
        }
        KeyType::Datetime => {
            if !is_config_datetime(value) {
                let message =
                    if value.ends_with('Z') && is_config_datetime(value.trim_end_matches('Z')) {
                        format!("`{key}` is UTC already; write it without the `Z`")
                    } else {
                        format!("`{key}` expects YYYY-MM-DDThh:mm:ss, got `{value}`")
                    };
                found.push(value_problem(line, entry, Severity::Error, "bad-datetime", message));
            }
        }
        KeyType::Host => {
            if value.chars().any(char::is_whitespace) || value.contains('/') {
                found.push(value_problem(
                    line,
                    entry,
                    Severity::Error,
                    "bad-host",
                    format!("`{key}` expects a host name or an IP address, got `{value}`"),
                ));
            }
        }
        KeyType::Numeric => {
            if !value.chars().all(|c| c.is_ascii_digit()) {
                found.push(value_problem(
                    line,
                    entry,
                    Severity::Error,
                    "expects-digits",
                    format!("`{key}` can only be entered on the keypad as digits, got `{value}`"),
                ));
            }
        }
    }
}

/// The parts of an ACS URL that matter here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl {
    pub https: bool,
    pub host: String,
    pub port: Option<u16>,
    pub path: String,
}

/// Parses `http(s)://host[:port][/path]`; the error says what is wrong.
pub fn parse_http_url(text: &str) -> Result<HttpUrl, String> {
    let (https, rest) = if let Some(rest) = strip_prefix_ignore_case(text, "https://") {
        (true, rest)
    } else if let Some(rest) = strip_prefix_ignore_case(text, "http://") {
        (false, rest)
    } else {
        return Err(format!("`{text}` does not start with http:// or https://"));
    };
    let (authority, path) = match rest.find(['/', '?', '#']) {
        Some(at) => rest.split_at(at),
        None => (rest, ""),
    };
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    let (host, port) = if let Some(bracketed) = host_port.strip_prefix('[') {
        match bracketed.split_once(']') {
            Some((host, after)) => (host, after.strip_prefix(':')),
            None => return Err(format!("`{text}` has an unclosed `[` in its host")),
        }
    } else {
        match host_port.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    if host.is_empty() {
        return Err(format!("`{text}` has no host"));
    }
    if host.chars().any(|c| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '{' | '}')) {
        return Err(format!("`{text}` has characters that cannot be in a host name"));
    }
    let port = match port {
        None => None,
        Some(port) => Some(
            port.parse::<u16>()
                .ok()
                .filter(|&p| p > 0)
                .ok_or_else(|| format!("`{port}` is not a port number (1–65535)"))?,
        ),
    };
    Ok(HttpUrl { https, host: host.to_owned(), port, path: path.to_owned() })
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| text.get(prefix.len()..).unwrap_or_default())
}

/// `YYYY-MM-DDThh:mm:ss`: an `xsd:dateTime` with a four-digit year and neither a fraction nor
/// a zone, as the phones write it.
pub fn is_config_datetime(text: &str) -> bool {
    text.len() == 19 && DateTime::parse(text).is_ok_and(|time| time.offset_minutes.is_none())
}

/// A port written in `tr69 server` that differs from `tr69 server port`.
fn check_server_port(file: &ConfigFile, found: &mut Findings) {
    let mut url: Option<(&Line, &Entry)> = None;
    let mut port: Option<(&Line, &Entry)> = None;
    for (line, entry) in file.entries() {
        match entry.normalized_key.as_str() {
            "tr69 server" => url = Some((line, entry)),
            "tr69 server port" => port = Some((line, entry)),
            _ => {}
        }
    }
    let (Some((url_line, url_entry)), Some((port_line, port_entry))) = (url, port) else {
        return;
    };
    let Ok(parsed) = parse_http_url(&url_entry.value) else { return };
    let (Some(url_port), Ok(separate)) = (parsed.port, port_entry.value.parse::<u16>()) else {
        return;
    };
    if url_port != separate {
        found.push(config_diagnostic(
            Severity::Warning,
            "conflicting-server-port",
            port_line.number,
            port_entry.value_column,
            format!(
                "`tr69 server port` is {separate} but `tr69 server` (line {}) names port {url_port}",
                url_line.number
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mac_spellings_normalise() {
        assert_eq!(normalize_mac("00:08:5d:1a:2b:3c").as_deref(), Some("00085D1A2B3C"));
        assert_eq!(normalize_mac("0008.5d1a.2b3c").as_deref(), Some("00085D1A2B3C"));
        assert_eq!(normalize_mac("00085D1A2B3"), None);
        assert_eq!(file_role("dir/00-08-5d-1a-2b-3c.cfg"), FileRole::Mac("00085D1A2B3C".into()));
        assert_eq!(file_role("6867i.cfg"), FileRole::Model("6867i".into()));
        assert_eq!(file_role("startup.cfg"), FileRole::Global);
        assert_eq!(
            check_file_name("00085d1a2b3c.cfg")[0].suggestion.as_deref(),
            Some("00085D1A2B3C.cfg")
        );
    }

    #[test]
    fn urls_and_datetimes() {
        assert_eq!(parse_http_url("https://acs:7547/x").unwrap().port, Some(7547));
        assert!(parse_http_url("ftp://acs").is_err());
        assert!(parse_http_url("http://acs:80a").is_err());
        assert!(is_config_datetime("0001-01-01T00:00:00"));
        assert!(!is_config_datetime("2024-13-01T00:00:00"));
    }
}
