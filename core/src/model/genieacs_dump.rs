//! GenieACS device dumps (CSV export of a device's data model).
//!
//! Two layouts are seen in the wild, told apart by the header row:
//! - 12 columns (GenieACS 1.2 UI export): `Parameter, Object, Object timestamp,
//!   Writable, Writable timestamp, Value, Value type, Value timestamp,
//!   Notification, Notification timestamp, Access list, Access list timestamp`
//!   (the corpus calls it "10 columns": ten of them carry data);
//! - 5 columns (genieacs-sim): `Parameter, Object, Writable, Value, Value type`.
//!
//! Columns are found by header name, so reordered or extra columns are fine.
//! GenieACS's own roots (`DeviceID.`, `Tags.`, `Events.`, `Downloads.`,
//! `VirtualParameters.`) are device metadata, not data-model parameters: they
//! go to [`ParameterSet::metadata`]. The reader is lenient: odd rows become
//! [`Diagnostic`]s, and only text without a `Parameter` header fails.

use crate::base::csv::{self, CsvRecord};
use crate::base::{Diagnostic, Location, Severity, Source};
use serde::{Deserialize, Serialize};

use super::path::Path;
use super::set::{Entry, ParameterSet, Provenance, type_local_name};

/// Something odd in a parameter-set input, at its line (of the CSV) or for the input as a whole.
fn load_diagnostic(line: u32, code: &'static str, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(Severity::Warning, Source::Model, code, message).at(Location::line(line))
}

/// A set built from some input, and what was odd about the input.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Loaded {
    pub set: ParameterSet,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum CsvLoadError {
    #[error("not a GenieACS dump: the first row has no `Parameter` column")]
    NoParameterColumn,
}

/// Splits CSV text into records with [`crate::base::csv`]; an unterminated quote ends at the
/// end of input with a diagnostic.
pub fn parse_csv(text: &str, diagnostics: &mut Vec<Diagnostic>) -> Vec<CsvRecord> {
    let read = csv::read(text, b',');
    if let Some(line) = read.unclosed_quote_line {
        diagnostics.push(load_diagnostic(
            line,
            "unclosed-quote",
            "quoted field is not closed before the end of the input",
        ));
    }
    read.records
}

const METADATA_ROOTS: &[&str] = &[
    "DeviceID.",
    "Tags.",
    "Events.",
    "Downloads.",
    "VirtualParameters.",
    "Reboot",
    "FactoryReset",
];

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// Loads a GenieACS CSV dump (either layout). `source` names it in provenance.
pub fn load_csv(text: &str, source: &str) -> Result<Loaded, CsvLoadError> {
    let mut diagnostics = Vec::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let records = parse_csv(text, &mut diagnostics);
    let Some((header, rows)) = records.split_first() else {
        return Err(CsvLoadError::NoParameterColumn);
    };
    let column =
        |name: &str| header.fields.iter().position(|f| f.trim().eq_ignore_ascii_case(name));
    let parameter_column = column("Parameter").ok_or(CsvLoadError::NoParameterColumn)?;
    let object_column = column("Object");
    let writable_column = column("Writable");
    let value_column = column("Value");
    let type_column = column("Value type");
    let value_time_column = column("Value timestamp");
    let notification_column = column("Notification");
    let access_column = column("Access list");
    let access_time_column = column("Access list timestamp");

    let mut set = ParameterSet::new();
    for row in rows {
        let field =
            |index: Option<usize>| index.and_then(|i| row.fields.get(i)).map(String::as_str);
        if row.fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if row.fields.len() != header.fields.len() {
            diagnostics.push(load_diagnostic(
                row.line,
                "field-count",
                format!("{} fields where the header has {}", row.fields.len(), header.fields.len()),
            ));
        }
        let name = field(Some(parameter_column)).unwrap_or_default().trim();
        if name.is_empty() {
            diagnostics.push(load_diagnostic(
                row.line,
                "missing-parameter-name",
                "row without a parameter name",
            ));
            continue;
        }
        let value = field(value_column).unwrap_or_default();
        if METADATA_ROOTS
            .iter()
            .any(|root| name.starts_with(root) || name == root.trim_end_matches('.'))
        {
            set.metadata.insert(name.to_string(), value.to_string());
            continue;
        }
        let is_object = field(object_column).and_then(parse_bool).unwrap_or(false);
        let mut path = name.to_string();
        if is_object && !path.ends_with('.') {
            path.push('.');
        }
        if let Err(error) = Path::parse(&path) {
            diagnostics.push(load_diagnostic(row.line, "bad-path", format!("bad path: {error}")));
        }
        let value_type =
            field(type_column).map(type_local_name).filter(|t| !t.is_empty()).map(str::to_string);
        // A value counts as known when the dump typed it or timestamped it;
        // GenieACS writes "" for values it never fetched.
        let value_known = !is_object
            && (value_type.is_some()
                || field(value_time_column).is_some_and(|t| !t.is_empty())
                || !value.is_empty());
        let notification = match field(notification_column).map(str::trim) {
            None | Some("") => None,
            Some(text) => match text.parse::<u8>() {
                Ok(level) => Some(level),
                Err(_) => {
                    diagnostics.push(load_diagnostic(
                        row.line,
                        "bad-notification",
                        format!("notification `{text}` is not a number"),
                    ));
                    None
                }
            },
        };
        let access_list = match (field(access_column), field(access_time_column)) {
            (Some(list), _) if !list.trim().is_empty() => Some(
                list.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
            ),
            (_, Some(time)) if !time.trim().is_empty() => Some(Vec::new()),
            _ => None,
        };
        let writable = match field(writable_column).map(str::trim) {
            None | Some("") => None,
            Some(text) => {
                let parsed = parse_bool(text);
                if parsed.is_none() {
                    diagnostics.push(load_diagnostic(
                        row.line,
                        "bad-writable",
                        format!("writable `{text}` is not a boolean"),
                    ));
                }
                parsed
            }
        };
        if set.get(&path).is_some() {
            diagnostics.push(load_diagnostic(
                row.line,
                "duplicate-parameter",
                format!("{path} appears again; the later row wins"),
            ));
        }
        set.insert(Entry {
            path,
            object: is_object,
            value: value_known.then(|| value.to_string()),
            value_type: if is_object { None } else { value_type },
            writable,
            notification,
            access_list,
            provenance: vec![Provenance::at_line(source, row.line)],
        });
    }
    Ok(Loaded { set, diagnostics })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_newlines_and_crlf() {
        let mut diagnostics = Vec::new();
        let records = parse_csv("a,\"b,\"\"c\"\"\",d\r\n\"multi\nline\",x\n", &mut diagnostics);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].fields, ["a", "b,\"c\"", "d"]);
        assert_eq!(records[1].fields, ["multi\nline", "x"]);
        assert_eq!(records[1].line, 2);
        assert!(diagnostics.is_empty());
        let records = parse_csv("a,\"open", &mut diagnostics);
        assert_eq!(records[0].fields, ["a", "open"]);
        assert_eq!(diagnostics.len(), 1);
    }

    #[test]
    fn loads_both_layouts() {
        let five = "Parameter,Object,Writable,Value,Value type\nDeviceID.OUI,false,false,202BC1,xsd:string\nInternetGatewayDevice.LANDevice,true,false,,\nInternetGatewayDevice.DeviceInfo.UpTime,false,false,42,xsd:unsignedInt\n";
        let loaded = load_csv(five, "five.csv").unwrap();
        assert_eq!(loaded.set.metadata.get("DeviceID.OUI").map(String::as_str), Some("202BC1"));
        assert!(loaded.set.get("InternetGatewayDevice.LANDevice.").unwrap().object);
        let uptime = loaded.set.get("InternetGatewayDevice.DeviceInfo.UpTime").unwrap();
        assert_eq!(
            (uptime.value.as_deref(), uptime.value_type.as_deref()),
            (Some("42"), Some("unsignedInt"))
        );
        assert_eq!(uptime.provenance[0].line, Some(4));

        let twelve = "Parameter,Object,Object timestamp,Writable,Writable timestamp,Value,Value type,Value timestamp,Notification,Notification timestamp,Access list,Access list timestamp\nDevice.X,false,t,true,t,\"a,b\",xsd:string,t,2,t,Subscriber,t\nDevice.Y,false,t,false,t,,,,,,,\n";
        let loaded = load_csv(twelve, "twelve.csv").unwrap();
        let x = loaded.set.get("Device.X").unwrap();
        assert_eq!(x.value.as_deref(), Some("a,b"));
        assert_eq!((x.writable, x.notification), (Some(true), Some(2)));
        assert_eq!(x.access_list.as_deref(), Some(&["Subscriber".to_string()][..]));
        assert_eq!(loaded.set.get("Device.Y").unwrap().value, None);
        assert!(load_csv("a,b\n1,2\n", "x").is_err());
    }
}
