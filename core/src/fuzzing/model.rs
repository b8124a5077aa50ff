//! The properties the fuzz targets check (`fuzz/fuzz_targets/model_*.rs`),
//! here so that regression tests run exactly the same checks.

use crate::model::path::Path;
use crate::model::schema::{compiled, xml};
use crate::model::{genieacs_dump, json};

/// Paths (one per line, first lines only) and a GenieACS CSV dump from
/// arbitrary bytes: a parsed path prints back to its text; a loaded dump
/// survives our JSON format unchanged. Returns the violated property.
pub fn check_paths_and_csv(data: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(data);
    for line in text.lines().take(8) {
        if let Ok(path) = Path::parse(line) {
            let printed = path.to_string();
            if printed != line {
                return Err(format!("path {line:?} prints back as {printed:?}"));
            }
            let generic = path.generic().to_string();
            if Path::parse(&generic).map(|p| p.generic()) != Ok(path.generic()) {
                return Err(format!("generic form {generic:?} of {line:?} does not parse back"));
            }
        }
    }
    if let Ok(loaded) = genieacs_dump::load_csv(&text, "fuzz") {
        let _ = loaded.set.instances();
        let back = json::from_json(&json::to_json(&loaded.set), "fuzz")
            .map_err(|e| format!("our own JSON does not read back: {e}"))?;
        if back.set != loaded.set {
            return Err("a loaded dump changed through JSON".into());
        }
    }
    Ok(())
}

/// BBF data-model XML from arbitrary bytes: what loads survives the compiled
/// (postcard) form unchanged.
pub fn check_schema_xml(data: &[u8]) -> Result<(), String> {
    let Ok(text) = std::str::from_utf8(data) else { return Ok(()) };
    if let Ok(document) = xml::load_document(text, "fuzz.xml", &[]) {
        for schema in &document.models {
            let back = compiled::decode(&compiled::encode(schema)).map_err(|e| e.to_string())?;
            if &back != schema {
                return Err(format!("model {} changed through the compiled form", schema.name));
            }
        }
    }
    Ok(())
}

/// Arbitrary bytes as a parameter set of any format (`load_any`: GenieACS CSV, our JSON, a SOAP
/// message) and as a compiled schema: never a panic; what loads survives our JSON unchanged.
pub fn check_load_any(data: &[u8]) -> Result<(), String> {
    if let Ok(loaded) = crate::model::load::load_any(data, "fuzz") {
        let back = json::from_json(&json::to_json(&loaded.set), "fuzz")
            .map_err(|e| format!("our own JSON does not read back: {e}"))?;
        if back.set != loaded.set {
            return Err("a loaded set changed through JSON".into());
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = json::from_json(text, "fuzz");
    }
    let _ = compiled::decode(data);
    Ok(())
}
