//! `cwmpkit params …`: parameter sets on the command line.
//!
//! - `validate FILE [--schema NAME]`: load a GenieACS CSV dump, cwmpkit JSON or
//!   SOAP (Inform, GetParameterValuesResponse, …) and report how it deviates
//!   from its schema.
//! - `diff A B`: what changes from A to B.
//! - `plan A B`: the RPCs that take a device from A to B (SOAP or `--json`).
//!
//! A device that deviates from its schema is information, not an error: the
//! exit code is non-zero only when an input cannot be read.

use cwmpkit_core::cwmp;
use cwmpkit_core::model::load::{LoadedSet, load_any};
use cwmpkit_core::model::plan::PlanOptions;
use cwmpkit_core::model::schema::Model;
use cwmpkit_core::model::schema::xml::load_document;
use cwmpkit_core::model::set::ParameterSet;
use cwmpkit_core::model::{diff, embedded, plan, validate};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ParamsArgs {
    #[command(subcommand)]
    pub command: ParamsCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum ParamsCommand {
    /// Validate a parameter set against its data-model schema.
    Validate {
        file: PathBuf,
        /// tr-181, tr-098, tr-106, aastra or a BBF data-model .xml file;
        /// detected from the paths when omitted.
        #[arg(long)]
        schema: Option<String>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show what changes from set A to set B (instance-aware).
    Diff {
        a: PathBuf,
        b: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// The RPCs that take a device from set A (current) to set B (desired).
    Plan {
        a: PathBuf,
        b: PathBuf,
        /// Check writability and values against this schema (detected from A when omitted).
        #[arg(long)]
        schema: Option<String>,
        /// ParameterKey sent with the plan's RPCs.
        #[arg(long, default_value = "cwmpkit")]
        parameter_key: String,
        /// B is the complete desired state: rows and parameters missing from B
        /// are to be removed. Without it, B lists only what should change.
        #[arg(long)]
        exact: bool,
        /// Print the plan as JSON instead of SOAP envelopes.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(args: &ParamsArgs) -> Result<ExitCode, String> {
    match &args.command {
        ParamsCommand::Validate { file, schema, json } => {
            run_validate(file, schema.as_deref(), *json)
        }
        ParamsCommand::Diff { a, b, json } => run_diff(a, b, *json),
        ParamsCommand::Plan { a, b, schema, parameter_key, exact, json } => {
            run_plan(a, b, schema.as_deref(), parameter_key, *exact, *json)
        }
    }
}

/// Reads a file as a parameter set (CSV, JSON or SOAP, told apart by core).
fn load(path: &Path) -> Result<LoadedSet, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    load_any(&bytes, &name).map_err(|e| format!("{}: {e}", path.display()))
}

/// The model named by `--schema`: an embedded one (`tr-181`, …), a BBF
/// data-model XML file, or the one detected from the set's paths.
fn model_for(set: &ParameterSet, schema: Option<&str>) -> Result<Model, String> {
    if let Some(file) = schema.filter(|s| s.ends_with(".xml")) {
        let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?;
        let document = load_document(&text, file, &[]).map_err(|e| e.to_string())?;
        for diagnostic in &document.diagnostics {
            eprintln!("{file}, {diagnostic}");
        }
        return Ok(Model::from_document(file, document));
    }
    let name = schema.unwrap_or_else(|| embedded::detect_model(set.paths()));
    embedded::model(name)
        .map_err(|e| format!("{e} (known: {}, or a .xml file)", embedded::MODEL_NAMES.join(", ")))
}

fn run_validate(file: &Path, schema: Option<&str>, as_json: bool) -> Result<ExitCode, String> {
    let input = load(file)?;
    let model = model_for(&input.set, schema)?;
    let report = validate::validate(&input.set, &model);
    if as_json {
        let out = serde_json::json!({
            "file": file.display().to_string(),
            "entries": input.set.len(),
            "parameters": input.set.parameter_count(),
            "loadDiagnostics": input.diagnostics,
            "report": report,
        });
        out!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
        return Ok(ExitCode::SUCCESS);
    }
    out!(
        "{}: {} entries loaded ({} parameters); model {}: {} known, {} findings",
        file.display(),
        input.set.len(),
        input.set.parameter_count(),
        report.model,
        report.known,
        report.findings.len()
    );
    for diagnostic in &input.diagnostics {
        out!("  load: {diagnostic}");
    }
    for (kind, count) in report.counts() {
        out!("  {kind:?}: {count}");
    }
    for finding in &report.findings {
        out!("{:?} {} {}: {}", finding.severity, finding.code, finding.location, finding.message);
    }
    Ok(ExitCode::SUCCESS)
}

fn run_diff(a: &Path, b: &Path, as_json: bool) -> Result<ExitCode, String> {
    let (a_set, b_set) = (load(a)?.set, load(b)?.set);
    let changes = diff::diff(&a_set, &b_set);
    if as_json {
        out!("{}", serde_json::to_string_pretty(&changes).map_err(|e| e.to_string())?);
    } else {
        out!("{} → {}: {} changes", a.display(), b.display(), changes.len());
        for change in &changes {
            out!("{change}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn run_plan(
    a: &Path,
    b: &Path,
    schema: Option<&str>,
    key: &str,
    exact: bool,
    as_json: bool,
) -> Result<ExitCode, String> {
    let (current, mut desired) = (load(a)?.set, load(b)?.set);
    if !exact {
        // B overlays A: what B does not mention stays as it is.
        let mut overlay = current.clone();
        overlay.merge(desired);
        desired = overlay;
    }
    let model = model_for(&current, schema)?;
    let options = PlanOptions {
        model: Some(&model),
        parameter_key: key.to_string(),
        ..PlanOptions::default()
    };
    let planned = plan::plan(&current, &desired, &options);
    if as_json {
        out!("{}", serde_json::to_string_pretty(&planned).map_err(|e| e.to_string())?);
    } else {
        super::emit(&plan::render_soap(&planned, cwmp::CwmpVersion::V1_0))?;
    }
    Ok(ExitCode::SUCCESS)
}
