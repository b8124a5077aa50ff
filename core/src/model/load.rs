//! One entry point for every format a parameter set arrives in, so the CLI and
//! the app read the same files the same way.

use super::set::ParameterSet;
use super::{from_cwmp, genieacs_dump, json};
use crate::base::{Diagnostic, Severity, Source};
use crate::cwmp;

/// A set read from some input, and what was odd about it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LoadedSet {
    pub set: ParameterSet,
    /// Oddities met while loading, each where it is (a line of a CSV, an element of a message).
    pub diagnostics: Vec<Diagnostic>,
}

/// The formats [`load_any`] tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetFormat {
    /// Our JSON, or a flat `{path: value}` object.
    Json,
    /// SOAP envelopes: Inform, GetParameter…Response, SetParameterValues.
    Soap,
    /// A GenieACS CSV export (either layout).
    GenieAcsCsv,
}

/// Tells the formats apart by the first character that is not blank or a BOM.
pub fn detect_format(bytes: &[u8]) -> SetFormat {
    let text = String::from_utf8_lossy(bytes.get(..bytes.len().min(256)).unwrap_or_default());
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') {
        SetFormat::Json
    } else if trimmed.starts_with('<') {
        SetFormat::Soap
    } else {
        SetFormat::GenieAcsCsv
    }
}

/// Reads a parameter set from JSON, SOAP or GenieACS CSV. `source` names the
/// input in provenance. An error means nothing could be read at all.
pub fn load_any(bytes: &[u8], source: &str) -> Result<LoadedSet, String> {
    match detect_format(bytes) {
        SetFormat::Json => {
            let text = String::from_utf8_lossy(bytes);
            let loaded = json::from_json(&text, source).map_err(|e| e.to_string())?;
            Ok(LoadedSet { set: loaded.set, diagnostics: loaded.diagnostics })
        }
        SetFormat::Soap => {
            let decoded = cwmp::decode(bytes).map_err(|e| e.to_string())?;
            let mut set = ParameterSet::new();
            let mut diagnostics = decoded.diagnostics;
            for envelope in &decoded.envelopes {
                match from_cwmp::from_message(&envelope.message, source) {
                    Some(part) => set.merge(part),
                    None => diagnostics.push(Diagnostic::new(
                        Severity::Info,
                        Source::Model,
                        "no-parameters",
                        format!("{} carries no parameters", envelope.message.name()),
                    )),
                }
            }
            Ok(LoadedSet { set, diagnostics })
        }
        SetFormat::GenieAcsCsv => {
            let text = String::from_utf8_lossy(bytes);
            let loaded = genieacs_dump::load_csv(&text, source).map_err(|e| e.to_string())?;
            Ok(LoadedSet { set: loaded.set, diagnostics: loaded.diagnostics })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_format_is_recognised_and_loaded() {
        let json = br#"{"Device.DeviceInfo.SoftwareVersion": "1.0"}"#;
        assert_eq!(detect_format(json), SetFormat::Json);
        assert_eq!(load_any(json, "a.json").unwrap().set.parameter_count(), 1);

        let csv = b"Parameter,Object,Writable,Value,Value type\n\
                    Device.DeviceInfo.SoftwareVersion,false,false,1.0,xsd:string\n";
        assert_eq!(detect_format(csv), SetFormat::GenieAcsCsv);
        assert_eq!(load_any(csv, "a.csv").unwrap().set.parameter_count(), 1);

        let soap = br#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><soap:Body><cwmp:GetParameterValuesResponse><ParameterList><ParameterValueStruct><Name>Device.A</Name><Value>1</Value></ParameterValueStruct></ParameterList></cwmp:GetParameterValuesResponse></soap:Body></soap:Envelope>"#;
        assert_eq!(detect_format(soap), SetFormat::Soap);
        assert_eq!(load_any(soap, "a.xml").unwrap().set.parameter_count(), 1);

        assert!(load_any(b"<not xml", "b.xml").is_err());
    }
}
