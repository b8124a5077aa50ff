//! `cwmpkit provision`: Aastra/Mitel provisioning files.
//!
//! - `cwmpkit provision --csv phones.csv [--template t.cfg] --out DIR|file.zip` writes one
//!   `<MAC>.cfg` per CSV row and prints a report per row.
//! - `cwmpkit provision check FILE…` validates config files (and the files inside `.zip`s).
//! - `cwmpkit provision effective --mac M [--model 6867i] FILE…` shows what one phone ends up with.
//!
//! All the logic is in `cwmpkit_core::provision`; this module reads and writes files.

use cwmpkit_core::Severity;
use cwmpkit_core::provision::effective::{Origin, effective, for_phone};
use cwmpkit_core::provision::generate::{
    FileChange, FileCheck, KeyChange, check_files, diff_sets, generate_bulk, skipped_check, to_zip,
};
use cwmpkit_core::provision::mapping::to_set_parameter_values;
use cwmpkit_core::provision::zip::{ZipLimits, read_zip};
use cwmpkit_core::provision::{ConfigFile, Registry, parse};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ProvisionArgs {
    #[command(subcommand)]
    pub action: Option<Action>,
    /// CSV with a `mac` column; other columns fill `{{column}}` placeholders or,
    /// when the header is a config key (`sip line1 auth name`), set that key.
    #[arg(long)]
    pub csv: Option<PathBuf>,
    /// Template config file with `{{column}}` placeholders.
    #[arg(long)]
    pub template: Option<PathBuf>,
    /// Output directory, or a file ending in `.zip`.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Validate config files (`.cfg`, `.prf`, or `.zip` archives of them).
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Compare two sets of files: each a `.zip`, a directory of `.cfg` files, or one file.
    Diff { before: PathBuf, after: PathBuf },
    /// The TR-069 parameters (SetParameterValues) a config file sets, and what has none.
    Map { file: PathBuf },
    /// The configuration one phone ends up with: aastra.cfg < <model>.cfg < the model's sections
    /// of any .prf profile < <MAC>.cfg < local.cfg.
    Effective {
        /// The phone's MAC address (any separators).
        #[arg(long)]
        mac: String,
        /// The phone's model, as in its model file name (`6867i`) or profile section (`Aastra6867i`).
        #[arg(long, default_value = "")]
        model: String,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

pub fn run(args: &ProvisionArgs) -> Result<ExitCode, String> {
    match &args.action {
        Some(Action::Check { files, json }) => check(files, *json),
        Some(Action::Effective { mac, model, files }) => show_effective(mac, model, files),
        Some(Action::Diff { before, after }) => show_diff(before, after),
        Some(Action::Map { file }) => show_mapping(file),
        None => generate(args),
    }
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// A file's label (`path` or `archive.zip:member`) and its bytes.
type NamedBytes = (String, Vec<u8>);

/// The named files to look at: plain files as they are, zip archives unpacked. Files an archive
/// could not unpack come back as checks that say why.
fn load(paths: &[PathBuf]) -> Result<(Vec<NamedBytes>, Vec<FileCheck>), String> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for path in paths {
        let bytes = read(path)?;
        if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip")) {
            let unzipped = read_zip(&bytes, &ZipLimits::default())
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let label = |name: &str| format!("{}:{name}", path.display());
            files.extend(unzipped.files.into_iter().map(|(name, data)| (label(&name), data)));
            skipped.extend(
                unzipped
                    .skipped
                    .iter()
                    .map(|file| FileCheck { name: label(&file.name), ..skipped_check(file) }),
            );
        } else {
            files.push((path.display().to_string(), bytes));
        }
    }
    Ok((files, skipped))
}

fn check(paths: &[PathBuf], json: bool) -> Result<ExitCode, String> {
    let (files, skipped) = load(paths)?;
    let named: Vec<(&str, &[u8])> =
        files.iter().map(|(label, bytes)| (member_name(label), bytes.as_slice())).collect();
    let mut checks: Vec<FileCheck> = check_files(&named, Registry::builtin())
        .into_iter()
        .zip(&files)
        .map(|(check, (label, _))| FileCheck { name: label.clone(), ..check })
        .collect();
    checks.extend(skipped);
    if json {
        let text = serde_json::to_string_pretty(&checks).map_err(|e| e.to_string())?;
        out!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
    for check in &checks {
        print_check(check)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The file's own name (what decides its role), from `archive.zip:dir/name.cfg` or a path.
fn member_name(label: &str) -> &str {
    let inner = label.rsplit_once(".zip:").map_or(label, |(_, member)| member);
    inner.rsplit(['/', '\\']).next().unwrap_or(inner)
}

fn print_check(check: &FileCheck) -> Result<(), String> {
    let count = |s: Severity| check.diagnostics.iter().filter(|d| d.severity == s).count();
    out!(
        "{}: {} error(s), {} warning(s), {} note(s)",
        check.name,
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    );
    for diagnostic in &check.diagnostics {
        if diagnostic.severity >= Severity::Warning || diagnostic.suggestion.is_some() {
            out!("  {}: {diagnostic}", diagnostic.severity);
        }
    }
    Ok(())
}

fn show_effective(mac: &str, model: &str, paths: &[PathBuf]) -> Result<ExitCode, String> {
    let mut files: Vec<(String, ConfigFile)> = Vec::new();
    for path in paths {
        files.push((file_name(path), parse(&read(path)?).file));
    }
    let layers = for_phone(&files, model, mac);
    if layers.is_empty() {
        return Err(format!("none of the files is read by the phone {mac} (model `{model}`)"));
    }
    for value in effective(&layers, Registry::builtin()) {
        let mut flags = String::new();
        if value.locked {
            flags.push_str(" [locked]");
        }
        if value.reset {
            flags.push_str(" [reset to default]");
        }
        out!("{}: {}    # {}{flags}", value.key, value.value, place(&value.origin));
        for earlier in &value.overridden {
            out!("    # overrides {} `{}`", place(earlier), earlier.value);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `file:line`, with the `[Section]` of a `.prf` profile.
fn place(origin: &Origin) -> String {
    match &origin.section {
        Some(section) => format!("{}:{} [{section}]", origin.file, origin.line),
        None => format!("{}:{}", origin.file, origin.line),
    }
}

fn generate(args: &ProvisionArgs) -> Result<ExitCode, String> {
    let (Some(csv_path), Some(out)) = (&args.csv, &args.out) else {
        return Err("give --csv and --out (or use `provision check FILE…`)".to_owned());
    };
    let csv = read(csv_path)?;
    let template = args.template.as_deref().map(read).transpose()?;
    let bulk = generate_bulk(&csv, template.as_deref(), Registry::builtin())
        .map_err(|e| format!("{}: {e}", csv_path.display()))?;
    if out.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip")) {
        let zip = to_zip(&bulk.files).map_err(|e| e.to_string())?;
        std::fs::write(out, zip).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    } else {
        std::fs::create_dir_all(out)
            .map_err(|e| format!("cannot create {}: {e}", out.display()))?;
        for file in &bulk.files {
            let path = out.join(&file.name);
            std::fs::write(&path, &file.bytes)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
    }
    if args.json {
        let text = serde_json::to_string_pretty(&bulk.rows).map_err(|e| e.to_string())?;
        out!("{text}");
    } else {
        for note in &bulk.notes {
            out!("note: {note}");
        }
        for row in &bulk.rows {
            let name = row.file_name.as_deref().unwrap_or("(no file)");
            let problems: Vec<_> =
                row.diagnostics.iter().filter(|d| d.severity >= Severity::Warning).collect();
            out!("CSV line {}: {name}: {} problem(s)", row.csv_line, problems.len());
            for diagnostic in problems {
                out!("  {}: {diagnostic}", diagnostic.severity);
            }
        }
        out!("{} file(s) written to {}", bulk.files.len(), out.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// A set of named files from a zip, a directory (its `.cfg` files) or one file.
fn load_set(path: &Path) -> Result<Vec<(String, Vec<u8>)>, String> {
    if path.is_dir() {
        let entries =
            std::fs::read_dir(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let member = entry.path();
            if member.is_file() {
                files.push((file_name(&member), read(&member)?));
            }
        }
        files.sort();
        return Ok(files);
    }
    let bytes = read(path)?;
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip")) {
        let unzipped = read_zip(&bytes, &ZipLimits::default())
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        for file in &unzipped.skipped {
            eprintln!("{}:{}: {}", path.display(), file.name, file.reason);
        }
        return Ok(unzipped.files);
    }
    Ok(vec![(file_name(path), bytes)])
}

fn show_diff(before: &Path, after: &Path) -> Result<ExitCode, String> {
    let changes = diff_sets(&load_set(before)?, &load_set(after)?);
    if changes.is_empty() {
        out!("no differences");
    }
    for change in changes {
        match change {
            FileChange::Added(name) => out!("+ {name}"),
            FileChange::Removed(name) => out!("- {name}"),
            FileChange::Changed { name, changes } => {
                out!("~ {name}");
                for key_change in changes {
                    match key_change {
                        KeyChange::Added { key, value } => out!("    + {key}: {value}"),
                        KeyChange::Removed { key, value } => out!("    - {key}: {value}"),
                        KeyChange::Changed { key, before, after } => {
                            out!("    ~ {key}: {before} → {after}")
                        }
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn show_mapping(path: &Path) -> Result<ExitCode, String> {
    let file = parse(&read(path)?).file;
    let (request, unmapped) = to_set_parameter_values(&file, Registry::builtin(), "cwmpkit");
    for parameter in &request.parameter_list {
        let xsd = parameter.value.xsi_type.as_deref().unwrap_or("string");
        out!("{} = {} ({xsd})", parameter.name, parameter.value.text);
    }
    for item in &unmapped {
        out!("not mapped: line {}: `{}`: {}", item.line, item.name, item.reason);
    }
    Ok(ExitCode::SUCCESS)
}
