//! `cargo xtask dist`: the release build of the app, with its gzip sizes.

use crate::process;
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn dist() -> Result<(), String> {
    process::run(
        process::command("trunk")
            .args(["build", "--release"])
            .env("TRUNK_SKIP_VERSION_CHECK", "true")
            .env("NO_COLOR", "true"),
    )?;
    print_sizes(&process::root().join("dist"))
}

fn print_sizes(dist: &Path) -> Result<(), String> {
    let mut files = Vec::new();
    collect_files(dist, &mut files)?;
    files.sort();
    let (mut raw_total, mut gzip_total) = (0usize, 0usize);
    println!("{:<48} {:>10} {:>10}", "dist asset", "bytes", "gzip");
    for file in files {
        let bytes =
            std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let gzipped = gzip_len(&bytes)?;
        raw_total += bytes.len();
        gzip_total += gzipped;
        let name = file.strip_prefix(dist).unwrap_or(&file).display().to_string();
        println!("{name:<48} {:>10} {:>10}", bytes.len(), gzipped);
    }
    println!("{:<48} {:>10} {:>10}", "total", raw_total, gzip_total);
    Ok(())
}

fn collect_files(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

fn gzip_len(bytes: &[u8]) -> Result<usize, String> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).map_err(|e| e.to_string())?;
    encoder.finish().map(|out| out.len()).map_err(|e| e.to_string())
}
