//! Config keys ↔ TR-069 parameters.
//!
//! `tr69 …` keys map to `Device.ManagementServer.*`; `sip lineN …` to
//! `Device.Services.VoiceService.1.VoiceProfile.N.…`; the global `sip …` keys
//! to `…X_Aastra_GlobalVoiceProfile.…`. The table lives in the key registry.
//! What has no counterpart is reported with the reason, never dropped.

use super::registry::Registry;
use super::syntax::ConfigFile;
use super::validate::{has_placeholder, is_config_datetime, parse_http_url};
use crate::base::XsdType;
use crate::cwmp::{ParameterValueStruct, SetParameterValues, Value};
use serde::{Deserialize, Serialize};

/// A TR-069 parameter value in plain types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parameter {
    pub path: String,
    pub value: String,
    /// The xsd type name (`string`, `unsignedInt`, `boolean`, `dateTime`, …).
    pub xsd_type: String,
}

/// A value a plan writes, as a parameter to map to config keys.
impl From<&crate::model::plan::PlannedValue> for Parameter {
    fn from(value: &crate::model::plan::PlannedValue) -> Self {
        Parameter {
            path: value.name.clone(),
            value: value.value.clone(),
            xsd_type: value.xsd_type.clone(),
        }
    }
}

/// Something that was not converted, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unmapped {
    /// The key or the parameter path.
    pub name: String,
    pub value: String,
    /// The config line it came from (0 for parameters).
    pub line: u32,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ToParameters {
    pub parameters: Vec<Parameter>,
    pub unmapped: Vec<Unmapped>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ToConfig {
    pub file: ConfigFile,
    pub unmapped: Vec<Unmapped>,
}

/// The parameters a file's entries set. `tr69 server port` has no parameter of
/// its own: it is folded into the URL when the URL names no port.
pub fn to_parameters(file: &ConfigFile, registry: &Registry) -> ToParameters {
    let mut out = ToParameters::default();
    let server_port = file.get("tr69 server port").map(str::to_owned);
    let mut list_items: Vec<ListItem> = Vec::new();
    for (line, entry) in file.entries() {
        let key = entry.normalized_key.as_str();
        let unmapped = |reason: String| Unmapped {
            name: key.to_owned(),
            value: entry.value.to_string(),
            line: line.number,
            reason,
        };
        if has_placeholder(&entry.value) || has_placeholder(key) {
            out.unmapped.push(unmapped("the value is a template placeholder".to_owned()));
            continue;
        }
        if key == "tr69 server port" {
            let reason = match file.get("tr69 server") {
                Some(_) => "folded into Device.ManagementServer.URL",
                None => {
                    "no TR-069 parameter holds the port alone, and there is no `tr69 server` to fold it into"
                }
            };
            out.unmapped.push(unmapped(reason.to_owned()));
            continue;
        }
        let Some(spec) = registry.get(key) else {
            out.unmapped.push(unmapped("not in the key registry".to_owned()));
            continue;
        };
        let Some(path) = &spec.tr069 else {
            let reason = spec
                .no_tr069
                .clone()
                .unwrap_or_else(|| "the phone exposes no TR-069 parameter for this key".to_owned());
            out.unmapped.push(unmapped(reason));
            continue;
        };
        if spec.tr069_list_position.is_some() {
            if entry.value.contains(',') {
                out.unmapped.push(unmapped(format!(
                    "`{path}` is a comma-separated list, so an item cannot contain a comma"
                )));
            } else {
                list_items.push(ListItem {
                    path: path.clone(),
                    key: key.to_owned(),
                    value: entry.value.to_string(),
                    line: line.number,
                });
            }
            continue;
        }
        let xsd = spec.xsd.clone().unwrap_or_else(|| "string".to_owned());
        match config_to_parameter_value(key, &entry.value, &xsd, server_port.as_deref()) {
            Ok(value) => {
                out.parameters.push(Parameter { path: path.clone(), value, xsd_type: xsd })
            }
            Err(reason) => out.unmapped.push(unmapped(reason)),
        }
    }
    join_lists(&list_items, registry, &mut out);
    // A key set twice yields one parameter: the last value, as on the phone.
    let mut seen = std::collections::HashSet::new();
    let mut deduplicated: Vec<Parameter> =
        out.parameters.into_iter().rev().filter(|p| seen.insert(p.path.clone())).collect();
    deduplicated.reverse();
    out.parameters = deduplicated;
    out
}

/// A key whose value is one item of a list parameter (`dns2` in `DNSServers`).
struct ListItem {
    path: String,
    key: String,
    value: String,
    line: u32,
}

/// One parameter per list: the last value of each of its keys, in list order.
/// A key that is not set ends the list; values after it have no place in it.
fn join_lists(items: &[ListItem], registry: &Registry, out: &mut ToParameters) {
    let mut paths: Vec<&str> = Vec::new();
    for item in items {
        if !paths.contains(&item.path.as_str()) {
            paths.push(&item.path);
        }
    }
    for path in paths {
        let mut values = Vec::new();
        let mut missing: Option<&str> = None;
        for spec in registry.list_keys(path) {
            let last = items.iter().rev().find(|i| i.path == path && i.key == spec.key);
            match (last, missing) {
                (Some(item), None) => values.push(item.value.as_str()),
                (Some(item), Some(gap)) => out.unmapped.push(Unmapped {
                    name: item.key.clone(),
                    value: item.value.clone(),
                    line: item.line,
                    reason: format!("`{gap}` is not set, so this value has no place in `{path}`"),
                }),
                (None, _) => missing = missing.or(Some(spec.key.as_str())),
            }
        }
        if !values.is_empty() {
            out.parameters.push(Parameter {
                path: path.to_owned(),
                value: values.join(","),
                xsd_type: "string".to_owned(),
            });
        }
    }
}

fn config_to_parameter_value(
    key: &str,
    value: &str,
    xsd: &str,
    server_port: Option<&str>,
) -> Result<String, String> {
    match xsd {
        "boolean" => match value.to_ascii_lowercase().as_str() {
            "1" | "true" => Ok("true".to_owned()),
            "0" | "false" => Ok("false".to_owned()),
            _ => Err(format!("`{value}` is not a boolean")),
        },
        "unsignedInt" | "int" => value
            .parse::<i64>()
            .map(|n| n.to_string())
            .map_err(|_| format!("`{value}` is not a number")),
        "dateTime" => {
            if is_config_datetime(value) {
                Ok(format!("{value}Z"))
            } else {
                Err(format!("`{value}` is not YYYY-MM-DDThh:mm:ss"))
            }
        }
        _ if key == "tr69 server" => {
            let url = parse_http_url(value)?;
            match (url.port, server_port.and_then(|p| p.parse::<u16>().ok())) {
                (None, Some(port)) => Ok(with_port(value, &url.host, port)),
                _ => Ok(value.to_owned()),
            }
        }
        _ => Ok(value.to_owned()),
    }
}

/// Inserts `:port` after the host of a URL that names none.
fn with_port(url: &str, host: &str, port: u16) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let after_scheme = url.get(scheme_end..).unwrap_or_default();
    let host_end = after_scheme.find(['/', '?', '#']).unwrap_or(after_scheme.len());
    let authority = after_scheme.get(..host_end).unwrap_or_default();
    let host_display = if host.contains(':') { format!("[{host}]") } else { host.to_owned() };
    let userinfo = authority.rsplit_once('@').map(|(u, _)| format!("{u}@")).unwrap_or_default();
    format!(
        "{}{userinfo}{host_display}:{port}{}",
        url.get(..scheme_end).unwrap_or_default(),
        after_scheme.get(host_end..).unwrap_or_default()
    )
}

/// A SetParameterValues carrying what the file sets, and what could not be carried.
pub fn to_set_parameter_values(
    file: &ConfigFile,
    registry: &Registry,
    parameter_key: &str,
) -> (SetParameterValues, Vec<Unmapped>) {
    let mapped = to_parameters(file, registry);
    let parameter_list = mapped
        .parameters
        .into_iter()
        .map(|p| ParameterValueStruct {
            value: match XsdType::from_name(&p.xsd_type) {
                Some(t) => Value::typed(t, p.value),
                None => Value::typed(XsdType::String, p.value),
            },
            name: p.path.into(),
        })
        .collect();
    (
        SetParameterValues { parameter_list, parameter_key: parameter_key.to_owned() },
        mapped.unmapped,
    )
}

/// Config lines for parameter values (e.g. from a GetParameterValuesResponse).
pub fn from_parameters(parameters: &[Parameter], registry: &Registry) -> ToConfig {
    let mut out = ToConfig::default();
    for parameter in parameters {
        let unmapped = |reason: String| Unmapped {
            name: parameter.path.clone(),
            value: parameter.value.clone(),
            line: 0,
            reason,
        };
        let list = registry.list_keys(&parameter.path);
        if !list.is_empty() {
            // Every key of the list is written, so an item the list no longer
            // has is cleared on the phone too.
            let text = parameter.value.trim();
            let items: Vec<&str> =
                if text.is_empty() { Vec::new() } else { text.split(',').map(str::trim).collect() };
            for (at, spec) in list.iter().enumerate() {
                let item = items.get(at).copied().unwrap_or_default();
                if let Err(problem) = out.file.set(&spec.key, item) {
                    out.unmapped.push(unmapped(problem.to_string()));
                }
            }
            if let Some(rest) = items.get(list.len()..).filter(|rest| !rest.is_empty()) {
                let keys: Vec<&str> = list.iter().map(|s| s.key.as_str()).collect();
                out.unmapped.push(Unmapped {
                    name: parameter.path.clone(),
                    value: rest.join(","),
                    line: 0,
                    reason: format!(
                        "the phone keeps {} entries ({}); these have no key",
                        list.len(),
                        keys.join(", ")
                    ),
                });
            }
            continue;
        }
        let Some(spec) = registry.by_parameter(&parameter.path) else {
            out.unmapped.push(unmapped("no config key is known for this parameter".to_owned()));
            continue;
        };
        let value = match parameter.xsd_type.as_str() {
            "boolean" => match parameter.value.trim().to_ascii_lowercase().as_str() {
                "1" | "true" => "1".to_owned(),
                "0" | "false" => "0".to_owned(),
                _ => {
                    out.unmapped.push(unmapped(format!("`{}` is not a boolean", parameter.value)));
                    continue;
                }
            },
            "dateTime" => {
                let text = parameter.value.trim();
                let local =
                    text.strip_suffix('Z').or_else(|| text.strip_suffix("+00:00")).unwrap_or(text);
                if !is_config_datetime(local) {
                    out.unmapped.push(unmapped(format!(
                        "`{text}` is not a UTC time the phone's YYYY-MM-DDThh:mm:ss can hold"
                    )));
                    continue;
                }
                local.to_owned()
            }
            _ => parameter.value.clone(),
        };
        if let Err(problem) = out.file.set(&spec.key, &value) {
            out.unmapped.push(unmapped(problem.to_string()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provision::parse;

    #[test]
    fn both_directions() {
        let file = parse(
            b"tr69 server: http://acs.example/cwmp\ntr69 server port: 7547\n\
              tr69 periodic inform enable: true\ntr69 periodic inform time: 2024-01-02T03:04:05\n\
              sip line2 auth name: 1002\nsip proxy ip: pbx\nsip line1 vmail: *97\nprgkey1 type: blf\n",
        )
        .file;
        let mapped = to_parameters(&file, Registry::builtin());
        let pairs: Vec<(&str, &str)> =
            mapped.parameters.iter().map(|p| (p.path.as_str(), p.value.as_str())).collect();
        assert_eq!(
            pairs,
            [
                ("Device.ManagementServer.URL", "http://acs.example:7547/cwmp"),
                ("Device.ManagementServer.PeriodicInformEnable", "true"),
                ("Device.ManagementServer.PeriodicInformTime", "2024-01-02T03:04:05Z"),
                ("Device.Services.VoiceService.1.VoiceProfile.2.Line.1.SIP.AuthUserName", "1002"),
                (
                    "Device.Services.VoiceService.1.X_Aastra_GlobalVoiceProfile.SIP.ProxyServer",
                    "pbx"
                ),
            ]
        );
        let unmapped: Vec<&str> = mapped.unmapped.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(unmapped, ["tr69 server port", "sip line1 vmail", "prgkey1 type"]);

        let back = from_parameters(&mapped.parameters, Registry::builtin());
        assert!(back.unmapped.is_empty());
        assert_eq!(
            back.file.to_text(),
            "tr69 server: http://acs.example:7547/cwmp\ntr69 periodic inform enable: 1\n\
             tr69 periodic inform time: 2024-01-02T03:04:05\nsip line2 auth name: 1002\nsip proxy ip: pbx\n"
        );
        let (spv, _) = to_set_parameter_values(&file, Registry::builtin(), "k1");
        assert_eq!(spv.parameter_list[1].value.xsi_type.as_deref(), Some("boolean"));
    }

    #[test]
    fn unknown_parameters_are_reported() {
        let out = from_parameters(
            &[Parameter {
                path: "Device.LAN.MACAddress".into(),
                value: "00:08:5D:1A:2B:3C".into(),
                xsd_type: "string".into(),
            }],
            Registry::builtin(),
        );
        assert_eq!(out.unmapped.len(), 1);
        assert_eq!(out.unmapped[0].reason, "no config key is known for this parameter");
    }
}
