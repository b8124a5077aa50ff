//! Generating provisioning files: from a form, or in bulk from CSV rows applied
//! to a template; packing them into a zip; reading a set of files back.

use super::diagnostic::config_diagnostic;
use super::registry::Registry;
use super::syntax::{ConfigFile, normalize_key, parse};
use super::validate::{check_file_name, file_role, normalize_mac, validate};
use super::zip::{SkippedFile, ZipLimits, ZipReadError, ZipWriteError, ZipWriter, read_zip};
use crate::base::csv::{self, CsvRecord};
use crate::base::{Diagnostic, Severity};
use serde::{Deserialize, Serialize};

/// ACS settings as a form edits them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AcsForm {
    pub url: String,
    pub port: Option<u16>,
    pub username: String,
    pub password: String,
    pub periodic_inform_enable: Option<bool>,
    pub periodic_inform_interval: Option<u32>,
}

/// One SIP line as a form edits it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LineForm {
    /// 1–9.
    pub line: u8,
    pub auth_name: String,
    pub password: String,
    pub user_name: String,
    pub display_name: String,
    pub screen_name: String,
    pub proxy_ip: String,
    pub proxy_port: Option<u16>,
    pub registrar_ip: String,
    pub registrar_port: Option<u16>,
}

/// A phone's `<MAC>.cfg` as the app's form fills it. Empty fields are left out
/// of the file so the phone keeps what `aastra.cfg` or its defaults say.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PhoneForm {
    pub mac: String,
    pub acs: AcsForm,
    pub lines: Vec<LineForm>,
    pub admin_password: String,
    /// Any other keys, in order.
    pub extra: Vec<(String, String)>,
}

/// One output file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneratedFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The form's file and what validation says about it.
pub fn from_form(form: &PhoneForm, registry: &Registry) -> (GeneratedFile, Vec<Diagnostic>) {
    let mut file = ConfigFile::new();
    let mut diagnostics = Vec::new();
    let mut put = |key: &str, value: &str| {
        if !value.is_empty()
            && let Err(problem) = file.push_entry(None, key, value)
        {
            diagnostics.push(config_diagnostic(
                Severity::Error,
                "unwritable",
                0,
                0,
                problem.to_string(),
            ));
        }
    };
    put("tr69 server", &form.acs.url);
    put("tr69 server port", &form.acs.port.map(|p| p.to_string()).unwrap_or_default());
    put("tr69 username", &form.acs.username);
    put("tr69 password", &form.acs.password);
    put(
        "tr69 periodic inform enable",
        form.acs.periodic_inform_enable.map_or("", |on| if on { "1" } else { "0" }),
    );
    put(
        "tr69 periodic inform interval",
        &form.acs.periodic_inform_interval.map(|s| s.to_string()).unwrap_or_default(),
    );
    for line in &form.lines {
        let n = line.line;
        put(&format!("sip line{n} auth name"), &line.auth_name);
        put(&format!("sip line{n} password"), &line.password);
        put(&format!("sip line{n} user name"), &line.user_name);
        put(&format!("sip line{n} display name"), &line.display_name);
        put(&format!("sip line{n} screen name"), &line.screen_name);
        put(&format!("sip line{n} proxy ip"), &line.proxy_ip);
        put(
            &format!("sip line{n} proxy port"),
            &line.proxy_port.map(|p| p.to_string()).unwrap_or_default(),
        );
        put(&format!("sip line{n} registrar ip"), &line.registrar_ip);
        put(
            &format!("sip line{n} registrar port"),
            &line.registrar_port.map(|p| p.to_string()).unwrap_or_default(),
        );
    }
    put("admin password", &form.admin_password);
    for (key, value) in &form.extra {
        put(key, value);
    }
    let name = match normalize_mac(&form.mac) {
        Some(mac) => format!("{mac}.cfg"),
        None => {
            diagnostics.push(config_diagnostic(
                Severity::Error,
                "bad-mac",
                0,
                0,
                format!("`{}` is not a MAC address (12 hex digits)", form.mac),
            ));
            "MAC.cfg".to_owned()
        }
    };
    diagnostics.extend(validate(&file, &file_role(&name), registry));
    let bytes = file.to_text().into_bytes();
    (GeneratedFile { name, bytes }, diagnostics)
}

/// Why a CSV cannot be read at all (problems with single rows are reported per row).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    #[error("the CSV has no header line")]
    NoHeader,
    #[error("the CSV has no `mac` column; it names each phone's <MAC>.cfg")]
    NoMacColumn,
    #[error("line {line}: a quoted field is not closed")]
    UnclosedQuote { line: u32 },
}

/// Reads RFC 4180 CSV with [`crate::base::csv`]. The separator is `,`, or `;` when the header
/// has more semicolons than commas. Latin-1 bytes are accepted like in config files.
pub fn read_csv(bytes: &[u8]) -> Result<Vec<CsvRecord>, CsvError> {
    let text = super::syntax::parse_text(bytes);
    let read = csv::read(&text, csv::guess_separator(&text));
    match read.unclosed_quote_line {
        Some(line) => Err(CsvError::UnclosedQuote { line }),
        None => Ok(read.records),
    }
}

/// What happened to one CSV row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowReport {
    /// The CSV line the row starts on.
    pub csv_line: u32,
    pub mac: Option<String>,
    /// The file written for the row, if any.
    pub file_name: Option<String>,
    /// Problems with the row itself (line 0) and findings in its file (line = file line).
    pub diagnostics: Vec<Diagnostic>,
}

impl RowReport {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }
}

/// Files generated from a CSV, one per row that had a usable MAC.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Bulk {
    pub files: Vec<GeneratedFile>,
    pub rows: Vec<RowReport>,
    /// Findings about the CSV as a whole (unused columns, template placeholders no column fills).
    pub notes: Vec<String>,
}

/// How a column is used.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Column {
    Mac,
    /// Sets this (normalised) key directly.
    Key(String),
    /// Only fills `{{name}}` placeholders.
    Placeholder,
}

/// Applies each CSV row to `template` (`{{column}}` placeholders, column =
/// header, case-insensitive) and sets keys named by key columns
/// (`sip line1 auth name`). The `mac` column names the output `<MAC>.cfg`.
pub fn generate_bulk(
    csv: &[u8],
    template: Option<&[u8]>,
    registry: &Registry,
) -> Result<Bulk, CsvError> {
    let records = read_csv(csv)?;
    let mut records = records.into_iter();
    let header = records.next().ok_or(CsvError::NoHeader)?;
    let template_text = template.map(super::syntax::parse_text).unwrap_or_default();
    let placeholders = placeholders_in(&template_text);
    let headers: Vec<String> =
        header.fields.iter().map(|h| normalize_key(h.trim_start_matches('\u{feff}'))).collect();
    let columns: Vec<Column> = headers
        .iter()
        .map(|h| {
            if h == "mac" {
                Column::Mac
            } else if registry.get(h).is_some() || (!placeholders.contains(h) && h.contains(' ')) {
                Column::Key(h.clone())
            } else {
                Column::Placeholder
            }
        })
        .collect();
    if !columns.contains(&Column::Mac) {
        return Err(CsvError::NoMacColumn);
    }
    let mut bulk = Bulk::default();
    for placeholder in &placeholders {
        if !headers.contains(placeholder) {
            bulk.notes.push(format!(
                "the template's `{{{{{placeholder}}}}}` has no CSV column; it stays empty"
            ));
        }
    }
    for (header, column) in headers.iter().zip(&columns) {
        if *column == Column::Placeholder && !placeholders.contains(header) {
            bulk.notes
                .push(format!("column `{header}` is neither a known key nor used by the template"));
        }
    }
    let mut seen_macs = std::collections::HashMap::new();
    for record in records {
        let mut report = RowReport {
            csv_line: record.line,
            mac: None,
            file_name: None,
            diagnostics: Vec::new(),
        };
        let row_problem = |code: &'static str, message: String| {
            config_diagnostic(Severity::Error, code, 0, 0, message)
        };
        if record.fields.len() != headers.len() {
            report.diagnostics.push(row_problem(
                "csv-field-count",
                format!(
                    "CSV line {}: {} fields where the header has {}",
                    record.line,
                    record.fields.len(),
                    headers.len()
                ),
            ));
        }
        let cell = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .and_then(|i| record.fields.get(i))
                .map(String::as_str)
        };
        let mac_text = cell("mac").unwrap_or_default();
        let Some(mac) = normalize_mac(mac_text) else {
            report.diagnostics.push(row_problem(
                "bad-mac",
                format!("CSV line {}: `{mac_text}` is not a MAC address (12 hex digits); no file written", record.line),
            ));
            bulk.rows.push(report);
            continue;
        };
        report.mac = Some(mac.clone());
        if let Some(first) = seen_macs.insert(mac.clone(), record.line) {
            report.diagnostics.push(row_problem(
                "duplicate-mac",
                format!(
                    "CSV line {}: {mac} was already used on CSV line {first}; no file written",
                    record.line
                ),
            ));
            bulk.rows.push(report);
            continue;
        }
        let mut multi_line = None;
        let filled = fill_template(&template_text, |name| {
            let value = cell(name).unwrap_or_default();
            if value.contains(['\n', '\r']) {
                multi_line = Some(name.to_owned());
                Some(value.replace(['\r', '\n'], " "))
            } else {
                Some(value.to_owned())
            }
        });
        if let Some(name) = multi_line {
            report.diagnostics.push(row_problem(
                "multi-line-value",
                format!(
                    "CSV line {}: column `{name}` spans lines; the line breaks became spaces",
                    record.line
                ),
            ));
        }
        let mut file = parse(filled.as_bytes()).file;
        for ((column, value), header) in columns.iter().zip(&record.fields).zip(&headers) {
            if let Column::Key(key) = column {
                if value.is_empty() {
                    continue;
                }
                if value.contains(['\n', '\r']) {
                    report.diagnostics.push(row_problem(
                        "multi-line-value",
                        format!(
                            "CSV line {}: column `{header}` spans lines; not written",
                            record.line
                        ),
                    ));
                    continue;
                }
                if let Err(problem) = file.set(key, value) {
                    report.diagnostics.push(row_problem(
                        "unwritable",
                        format!("CSV line {}: {problem}", record.line),
                    ));
                }
            }
        }
        let name = format!("{mac}.cfg");
        report.diagnostics.extend(validate(&file, &file_role(&name), registry));
        report.file_name = Some(name.clone());
        bulk.files.push(GeneratedFile { name, bytes: file.to_text().into_bytes() });
        bulk.rows.push(report);
    }
    Ok(bulk)
}

/// The `{{name}}` placeholders of a template, normalised like headers, in order of first use.
pub fn placeholders_in(template: &str) -> Vec<String> {
    let mut found = Vec::new();
    fill_template(template, |name| {
        let name = normalize_key(name);
        if !found.contains(&name) {
            found.push(name);
        }
        None
    });
    found
}

/// Replaces each `{{name}}` by `value(name)` (normalised); `None` keeps it as written.
fn fill_template(template: &str, mut value: impl FnMut(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(rest.get(..open).unwrap_or_default());
        let after = rest.get(open + 2..).unwrap_or_default();
        match after.find("}}") {
            Some(close) if !after.get(..close).unwrap_or_default().contains('\n') => {
                let name = after.get(..close).unwrap_or_default();
                match value(&normalize_key(name)) {
                    Some(text) => out.push_str(&text),
                    None => {
                        out.push_str("{{");
                        out.push_str(name);
                        out.push_str("}}");
                    }
                }
                rest = after.get(close + 2..).unwrap_or_default();
            }
            _ => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Packs files into a zip archive.
pub fn to_zip(files: &[GeneratedFile]) -> Result<Vec<u8>, ZipWriteError> {
    let mut writer = ZipWriter::new();
    for file in files {
        writer.add(&file.name, &file.bytes)?;
    }
    writer.finish()
}

/// One file read back, with its findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileCheck {
    pub name: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses and validates each file of a set, one at a time (only one parsed file is held).
pub fn check_files<Name: AsRef<str>, Bytes: AsRef<[u8]>>(
    files: &[(Name, Bytes)],
    registry: &Registry,
) -> Vec<FileCheck> {
    files
        .iter()
        .map(|(name, bytes)| {
            let name = name.as_ref();
            let parsed = parse(bytes.as_ref());
            let mut diagnostics = parsed.diagnostics;
            diagnostics.extend(check_file_name(name));
            diagnostics.extend(validate(&parsed.file, &file_role(name), registry));
            super::diagnostic::sort_by_place(&mut diagnostics);
            FileCheck { name: name.to_owned(), diagnostics }
        })
        .collect()
}

/// Reads a zip and checks every file in it; a file the reader skipped is a check with one
/// error saying why.
pub fn check_zip(bytes: &[u8], registry: &Registry) -> Result<Vec<FileCheck>, ZipReadError> {
    let unzipped = read_zip(bytes, &ZipLimits::default())?;
    let mut checks = check_files(&unzipped.files, registry);
    checks.extend(unzipped.skipped.iter().map(skipped_check));
    Ok(checks)
}

/// A file a zip reader skipped, as a check of its own.
pub fn skipped_check(skipped: &SkippedFile) -> FileCheck {
    FileCheck {
        name: skipped.name.clone(),
        diagnostics: vec![config_diagnostic(
            Severity::Error,
            "zip-file-skipped",
            0,
            0,
            format!(
                "not unpacked (its directory record is at byte {}): {}",
                skipped.offset, skipped.reason
            ),
        )],
    }
}

/// How one key differs between two versions of a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyChange {
    Added { key: String, value: String },
    Removed { key: String, value: String },
    Changed { key: String, before: String, after: String },
}

/// Key-level differences (last value of each key wins, as on the phone), in key order.
pub fn diff(before: &ConfigFile, after: &ConfigFile) -> Vec<KeyChange> {
    let last_values = |file: &ConfigFile| {
        file.entries()
            .map(|(_, e)| (e.normalized_key.to_string(), e.value.to_string()))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let (old, new) = (last_values(before), last_values(after));
    let mut changes = Vec::new();
    for (key, value) in &old {
        match new.get(key) {
            None => changes.push(KeyChange::Removed { key: key.clone(), value: value.clone() }),
            Some(now) if now != value => changes.push(KeyChange::Changed {
                key: key.clone(),
                before: value.clone(),
                after: now.clone(),
            }),
            Some(_) => {}
        }
    }
    for (key, value) in &new {
        if !old.contains_key(key) {
            changes.push(KeyChange::Added { key: key.clone(), value: value.clone() });
        }
    }
    changes.sort_by(|a, b| change_key(a).cmp(change_key(b)));
    changes
}

/// How two sets of files differ (e.g. a zip on the server and a new generation):
/// files only in one set, and key changes in files present in both. By file name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileChange {
    Added(String),
    Removed(String),
    Changed { name: String, changes: Vec<KeyChange> },
}

pub fn diff_sets(before: &[(String, Vec<u8>)], after: &[(String, Vec<u8>)]) -> Vec<FileChange> {
    let index = |files: &[(String, Vec<u8>)]| {
        files
            .iter()
            .map(|(n, b)| (n.clone(), b.clone()))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let (old, new) = (index(before), index(after));
    let mut out = Vec::new();
    for (name, bytes) in &old {
        match new.get(name) {
            None => out.push(FileChange::Removed(name.clone())),
            Some(now) if now != bytes => {
                let changes = diff(&parse(bytes).file, &parse(now).file);
                out.push(FileChange::Changed { name: name.clone(), changes });
            }
            Some(_) => {}
        }
    }
    out.extend(new.keys().filter(|n| !old.contains_key(*n)).map(|n| FileChange::Added(n.clone())));
    out
}

fn change_key(change: &KeyChange) -> &str {
    match change {
        KeyChange::Added { key, .. }
        | KeyChange::Removed { key, .. }
        | KeyChange::Changed { key, .. } => key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_semicolons() {
        let records =
            read_csv(b"mac;name\r\n\"00:08:5d:00:00:01\";\"a \"\"b\"\"\nc\"\r\n\r\n").unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[1].fields[1], "a \"b\"\nc");
        assert_eq!(read_csv(b"mac\n\"x"), Err(CsvError::UnclosedQuote { line: 2 }));
    }

    #[test]
    fn template_and_key_columns() {
        let template = b"tr69 server: {{acs}}\nsip line1 auth name: {{ext}}\n";
        let csv = b"mac,ext,acs,sip line1 password,tr69 server port\n\
                    00085d000001,1001,http://acs,s3cret,80a\n\
                    bad,1002,http://acs,,\n00-08-5D-00-00-01,1003,http://acs,,\n";
        let bulk = generate_bulk(csv, Some(template), Registry::builtin()).unwrap();
        assert_eq!(bulk.files.len(), 1);
        assert_eq!(bulk.files[0].name, "00085D000001.cfg");
        assert_eq!(
            String::from_utf8(bulk.files[0].bytes.clone()).unwrap(),
            "tr69 server: http://acs\nsip line1 auth name: 1001\nsip line1 password: s3cret\ntr69 server port: 80a\n"
        );
        let messages: Vec<String> =
            bulk.rows[0].diagnostics.iter().map(ToString::to_string).collect();
        assert_eq!(messages, ["line 4, column 19: `tr69 server port` expects a number, got `80a`"]);
        assert_eq!(bulk.rows[1].diagnostics[0].code, "bad-mac");
        assert_eq!(bulk.rows[2].diagnostics[0].code, "duplicate-mac");
    }

    #[test]
    fn form_output_and_diff() {
        let form = PhoneForm {
            mac: "00:08:5d:1a:2b:3c".into(),
            acs: AcsForm {
                url: "https://acs".into(),
                periodic_inform_enable: Some(true),
                ..AcsForm::default()
            },
            lines: vec![LineForm { line: 2, auth_name: "2002".into(), ..LineForm::default() }],
            admin_password: "12a".into(),
            extra: vec![],
        };
        let (file, diagnostics) = from_form(&form, Registry::builtin());
        assert_eq!(file.name, "00085D1A2B3C.cfg");
        assert_eq!(diagnostics.iter().map(|d| &*d.code).collect::<Vec<_>>(), ["expects-digits"]);
        let before = parse(&file.bytes).file;
        let mut after = before.clone();
        after.set("admin password", "1234").unwrap();
        after.set("dhcp", "1").unwrap();
        assert_eq!(
            diff(&before, &after),
            [
                KeyChange::Changed {
                    key: "admin password".into(),
                    before: "12a".into(),
                    after: "1234".into()
                },
                KeyChange::Added { key: "dhcp".into(), value: "1".into() },
            ]
        );
    }
}
