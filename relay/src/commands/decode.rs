//! `cwmpkit decode FILE…`: the same summary the app's Decode page shows.

use cwmpkit_core::cwmp::{self, Envelope, Message, tables};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct DecodeArgs {
    /// Files holding one or more SOAP envelopes.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print JSON instead of the readable summary.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &DecodeArgs) -> Result<ExitCode, String> {
    let mut failed = false;
    let mut json_files = Vec::new();
    for path in &args.files {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let decoded = cwmp::decode(&bytes);
        if args.json {
            json_files.push(serde_json::json!({
                "file": path.display().to_string(),
                "result": match &decoded {
                    Ok(d) => serde_json::json!({ "envelopes": d.envelopes, "diagnostics": d.diagnostics }),
                    Err(e) => serde_json::json!({ "error": e }),
                },
            }));
            failed |= decoded.is_err();
            continue;
        }
        println!("== {}", path.display());
        match decoded {
            Ok(decoded) => {
                for envelope in &decoded.envelopes {
                    print!("{}", summarize(envelope));
                }
                for d in &decoded.diagnostics {
                    println!(
                        "{:?} {} at {}: {} ({})",
                        d.severity, d.code, d.position, d.message, d.path
                    );
                }
            }
            Err(error) => {
                eprintln!("{}: {error}", path.display());
                failed = true;
            }
        }
    }
    if args.json {
        let out = serde_json::json!({ "files": json_files });
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// A readable summary of one envelope.
pub fn summarize(envelope: &Envelope) -> String {
    let mut out = String::new();
    let id = envelope.header.id.as_deref().unwrap_or("-");
    let _ = writeln!(out, "{} (cwmp {:?}, ID {id})", envelope.message.name(), envelope.version);
    match &envelope.message {
        Message::Inform(inform) => {
            let d = &inform.device_id;
            let _ = writeln!(out, "  Manufacturer:  {}", d.manufacturer);
            let _ = writeln!(out, "  OUI:           {}", d.oui);
            let _ = writeln!(out, "  ProductClass:  {}", d.product_class);
            let _ = writeln!(out, "  SerialNumber:  {}", d.serial_number);
            let _ = writeln!(out, "  Events:");
            for event in &inform.events {
                let meaning = tables::event_meaning(&event.event_code).unwrap_or("unknown event");
                let _ = write!(out, "    {:<28} {meaning}", event.event_code);
                if !event.command_key.is_empty() {
                    let _ = write!(out, " (CommandKey {:?})", event.command_key);
                }
                out.push('\n');
            }
            let _ = writeln!(out, "  Parameters ({}):", inform.parameter_list.len());
            for p in &inform.parameter_list {
                let kind = p.value.xsi_type.as_deref().unwrap_or("(untyped)");
                let _ = writeln!(out, "    {}  [{kind}]  {}", p.name, p.value.text);
            }
        }
        #[allow(unreachable_patterns)] // reason: more messages arrive with the codec
        _ => {}
    }
    out
}
