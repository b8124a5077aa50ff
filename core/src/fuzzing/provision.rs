//! The invariants the fuzzer checks, kept here so the fuzz target stays thin
//! and regression tests run the same checks.

use crate::provision::registry::Registry;
use crate::provision::syntax::parse;

/// For any bytes: parsing never panics, writes back byte for byte, validation
/// and mapping never panic, and a key set through the writer reads back.
pub fn check_parse(data: &[u8]) -> Result<(), String> {
    let parsed = parse(data);
    let written =
        parsed.file.to_bytes().map_err(|e| format!("an unchanged file failed to write: {e}"))?;
    if written != data {
        return Err(format!("not lossless: {data:?} wrote back as {written:?}"));
    }
    // Cut short by the line budget, the unread rest still writes back as read.
    let cut = crate::provision::syntax::parse_with(
        data,
        &crate::provision::syntax::ParseLimits { max_lines: 3, max_findings: 2 },
    );
    if cut.file.to_bytes().ok().as_deref() != Some(data) {
        return Err(format!("not lossless past the line budget: {data:?}"));
    }
    let registry = Registry::builtin();
    let _ = crate::provision::check("00085D1A2B3C.cfg", data);
    let _ = crate::provision::check("aastra.cfg", data);
    let mapped = crate::provision::mapping::to_parameters(&parsed.file, registry);
    let back = crate::provision::mapping::from_parameters(&mapped.parameters, registry);
    for parameter in &mapped.parameters {
        if registry.by_parameter(&parameter.path).is_none() {
            return Err(format!("mapped to an unknown parameter {}", parameter.path));
        }
    }
    let _ = back.file.to_bytes();

    // As a `.prf` profile, for each model its sections name: the selection
    // holds only the file's own lines, where they were, and merges.
    let models: Vec<String> = parsed
        .file
        .lines
        .iter()
        .filter_map(|line| match &line.kind {
            crate::provision::syntax::LineKind::Section(name) => Some(name.to_string()),
            _ => None,
        })
        .take(4)
        .collect();
    for model in &models {
        let Some(selected) = crate::provision::effective::profile_for_model(&parsed.file, model)
        else {
            return Err(format!("the profile has a section `{model}` but no selection for it"));
        };
        for line in &selected.lines {
            let index = usize::try_from(line.number).unwrap_or(usize::MAX).wrapping_sub(1);
            if parsed.file.lines.get(index) != Some(line) {
                return Err(format!("profile line {} is not the file's", line.number));
            }
        }
        let _ = crate::provision::effective::effective(&[("profile.prf", &selected)], registry);
    }

    // Any single-line value set through the writer reads back exactly, or is
    // refused; the value is taken from the input so the fuzzer explores it.
    let value =
        crate::provision::syntax::parse_text(data).lines().next().unwrap_or_default().to_owned();
    let mut edited = parsed.file.clone();
    if edited.set("tr69 server", &value).is_err() {
        return Ok(());
    }
    let Ok(bytes) = edited.to_bytes() else { return Ok(()) };
    let again = parse(&bytes).file;
    if again.get("tr69 server") != Some(value.as_str()) {
        return Err(format!(
            "`tr69 server` set to {value:?} reads back as {:?} from {:?}",
            again.get("tr69 server"),
            String::from_utf8_lossy(&bytes)
        ));
    }
    Ok(())
}

/// Arbitrary bytes as a zip archive, under tight limits: never a panic; what is unpacked stays
/// within the budget and every file that comes back passed its CRC; each file then checks.
pub fn check_zip(data: &[u8]) -> Result<(), String> {
    use crate::provision::zip::{ZipLimits, read_zip};
    let limits = ZipLimits {
        max_files: 256,
        max_total_bytes: 1 << 20,
        inflated_bytes_allowance: 64 * 1024,
        max_inflation_ratio: 16,
    };
    let Ok(unzipped) = read_zip(data, &limits) else { return Ok(()) };
    let unpacked: usize = unzipped.files.iter().map(|(_, bytes)| bytes.len()).sum();
    if unpacked != unzipped.unpacked_bytes || unpacked > unzipped.budget {
        return Err(format!(
            "unpacked {unpacked} bytes (reported {}) of a {}-byte budget",
            unzipped.unpacked_bytes, unzipped.budget
        ));
    }
    if unzipped.files.len() + unzipped.skipped.len() > limits.max_files {
        return Err("more files than the archive may list".into());
    }
    for (_, bytes) in unzipped.files.iter().take(4) {
        check_parse(bytes)?;
    }
    let _ = crate::provision::generate::check_files(&unzipped.files, Registry::builtin());
    Ok(())
}

/// Arbitrary bytes as a CSV of phones and a template (split at the first `0xFF`): never a
/// panic, and every generated file reads back as written.
pub fn check_bulk(data: &[u8]) -> Result<(), String> {
    let (csv, template) = match data.iter().position(|&b| b == 0xFF) {
        Some(at) => (&data[..at], Some(&data[at + 1..])),
        None => (data, None),
    };
    let Ok(bulk) = crate::provision::generate::generate_bulk(csv, template, Registry::builtin())
    else {
        return Ok(());
    };
    for file in bulk.files.iter().take(8) {
        let parsed = parse(&file.bytes);
        if parsed.file.to_bytes().ok().as_deref() != Some(file.bytes.as_slice()) {
            return Err(format!("generated `{}` does not read back as written", file.name));
        }
    }
    if let Ok(zip) = crate::provision::generate::to_zip(&bulk.files) {
        let back =
            crate::provision::zip::read_zip(&zip, &crate::provision::zip::ZipLimits::default())
                .map_err(|e| format!("our own zip does not read back: {e}"))?;
        if back.files.len() != bulk.files.len() {
            return Err(format!("{} of {} files read back", back.files.len(), bulk.files.len()));
        }
    }
    Ok(())
}
