//! `cargo xtask schemas`: compiles the data-model schemas that core embeds.
//!
//! Reads the BBF XML from ../shared/corpus/bbf-datamodels and cwmpkit's own
//! model files from core/data/models, and writes `core/data/models/*.schema`
//! (see `cwmpkit_core::model::embedded` for why). `--check` only compares, for CI.

use std::path::Path;

use cwmpkit_core::model::embedded::{self, SourceLocation};

use crate::process;

pub fn schemas(args: &[String]) -> Result<(), String> {
    let check_only = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        other => return Err(format!("unknown arguments {other:?} for `schemas` (only --check)")),
    };
    let root = process::root();
    let mut read = |location: SourceLocation, file: &str| {
        let path = root.join(location.directory()).join(file);
        std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
    };
    let compiled = embedded::compile_all(&mut read).map_err(|e| e.to_string())?;
    let out_dir = root.join("core/data/models");
    let mut stale = Vec::new();
    for (name, bytes) in &compiled {
        let path = out_dir.join(name);
        let current = std::fs::read(&path).ok();
        if current.as_deref() == Some(bytes.as_slice()) {
            println!("{name}: {} bytes, up to date", bytes.len());
            continue;
        }
        if check_only {
            stale.push(name.clone());
            continue;
        }
        write(&path, bytes)?;
        println!("{name}: {} bytes, written", bytes.len());
    }
    if stale.is_empty() {
        Ok(())
    } else {
        Err(format!("stale compiled schemas {stale:?}: run `cargo xtask schemas`"))
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}
