//! `cargo xtask setup`: install what is missing, at pinned versions, from
//! crates.io, npm and Debian only (nothing else is reachable on our machines).

use crate::process::{self, first_line_of};
use std::path::Path;

pub const TRUNK_VERSION: &str = "0.21.14";
pub const BINARYEN_NPM_VERSION: &str = "132";
/// The accessibility checker the end-to-end tests inject into every page.
pub const AXE_CORE_NPM_VERSION: &str = "4.14.1";

pub fn setup() -> Result<(), String> {
    ensure_wasm_target()?;
    ensure_cargo_tool("trunk", TRUNK_VERSION, &["--locked", "trunk", "--version", TRUNK_VERSION])?;
    let bindgen = wasm_bindgen_version()?;
    check_trunk_pins(&bindgen)?;
    // No --locked: wasm-bindgen-cli's own lockfile names a crate version the
    // registry no longer serves.
    ensure_cargo_tool("wasm-bindgen", &bindgen, &["wasm-bindgen-cli", "--version", &bindgen])?;
    ensure_wasm_opt()?;
    ensure_axe_core()?;
    ensure_genieacs_sim()?;
    // Every package of Cargo.lock, for every target: tests that ask cargo about
    // the dependency graph (core/tests/no_io.rs) need all their manifests.
    process::run(process::cargo().args(["fetch", "--quiet"]))?;
    ensure_debian_tools(&[
        ("/usr/bin/chromium", "chromium"),
        ("/usr/bin/chromedriver", "chromium-driver"),
        ("/usr/bin/xmllint", "libxml2-utils"),
        // `ss`, which relay/tests/limits.rs asks for the ACS listener's backlog.
        ("/usr/bin/ss", "iproute2"),
        // `make`, which tikv-jemalloc-sys's build script runs to build the relay's allocator
        // from its bundled C source (with the C compiler Rust links with).
        ("/usr/bin/make", "make"),
    ])?;
    println!("setup: everything is installed");
    Ok(())
}

fn ensure_wasm_target() -> Result<(), String> {
    let installed = process::command("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| format!("cannot run rustup: {e}"))?;
    if String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    process::run(process::command("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// Installs `binary` with `cargo install` unless `binary --version` already
/// reports `version`; a different version is replaced.
fn ensure_cargo_tool(binary: &str, version: &str, install_args: &[&str]) -> Result<(), String> {
    let reported = first_line_of(process::command(binary).arg("--version"));
    if let Some(line) = &reported {
        if line.split_whitespace().any(|word| word.trim_start_matches('v') == version) {
            return Ok(());
        }
        println!("setup: {binary} reports `{line}`, want {version}: reinstalling");
    }
    process::run(process::cargo().arg("install").arg("--force").args(install_args))
}

/// The wasm-bindgen version in Cargo.lock; the CLI must be exactly this one.
pub fn wasm_bindgen_version() -> Result<String, String> {
    let lock_path = process::root().join("Cargo.lock");
    let lock = std::fs::read_to_string(&lock_path)
        .map_err(|e| format!("cannot read {}: {e}", lock_path.display()))?;
    lockfile_version(&lock, "wasm-bindgen")
        .ok_or_else(|| "Cargo.lock has no wasm-bindgen package".to_owned())
}

fn lockfile_version(lock: &str, package: &str) -> Option<String> {
    let wanted = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            let version = lines.next()?.trim().strip_prefix("version = \"")?.strip_suffix('"')?;
            return Some(version.to_owned());
        }
    }
    None
}

fn check_trunk_pins(bindgen: &str) -> Result<(), String> {
    let path = process::root().join("Trunk.toml");
    let trunk_toml = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let wanted_bindgen = format!("wasm_bindgen = \"{bindgen}\"");
    let wanted_opt = format!("wasm_opt = \"version_{BINARYEN_NPM_VERSION}\"");
    for wanted in [wanted_bindgen, wanted_opt] {
        if !trunk_toml.lines().any(|l| l.trim() == wanted) {
            return Err(format!(
                "Trunk.toml must pin `{wanted}` under [tools] (Cargo.lock and setup disagree with it); \
                 otherwise Trunk tries to download its own copy"
            ));
        }
    }
    Ok(())
}

/// wasm-opt from npm's binaryen package, local to this checkout.
fn ensure_wasm_opt() -> Result<(), String> {
    let wasm_opt = process::wasm_opt_bin_dir().join("wasm-opt");
    let wanted = format!("version {BINARYEN_NPM_VERSION}");
    if first_line_of(process::command(&wasm_opt).arg("--version"))
        .is_some_and(|line| line.contains(&wanted))
    {
        return Ok(());
    }
    let prefix = process::tools_dir().join("binaryen");
    std::fs::create_dir_all(&prefix)
        .map_err(|e| format!("cannot create {}: {e}", prefix.display()))?;
    process::run(
        process::command("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&prefix)
            .arg(format!("binaryen@{BINARYEN_NPM_VERSION}")),
    )
}

/// axe-core from npm, local to this checkout: tests/src/lib.rs reads
/// `target/tools/axe/node_modules/axe-core/axe.min.js`.
fn ensure_axe_core() -> Result<(), String> {
    let prefix = process::tools_dir().join("axe");
    let manifest = prefix.join("node_modules/axe-core/package.json");
    let wanted = format!("\"version\": \"{AXE_CORE_NPM_VERSION}\"");
    if std::fs::read_to_string(&manifest).is_ok_and(|text| text.contains(&wanted)) {
        return Ok(());
    }
    std::fs::create_dir_all(&prefix)
        .map_err(|e| format!("cannot create {}: {e}", prefix.display()))?;
    process::run(
        process::command("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&prefix)
            .arg(format!("axe-core@{AXE_CORE_NPM_VERSION}")),
    )
}

/// The GenieACS CPE simulator (Node), which relay/tests/genieacs_sim.rs and
/// relay/benches/acs_load.rs run: copied from `../shared/tools/genieacs-sim` beside the clone
/// (never vendored into the repo) into `target/tools/genieacs-sim`, with its one npm
/// dependency installed there. A file that changed in the source is copied again.
pub fn ensure_genieacs_sim() -> Result<(), String> {
    let source = process::root().join("../shared/tools/genieacs-sim");
    let installed = process::genieacs_sim_dir();
    let entries = std::fs::read_dir(&source).map_err(|e| {
        format!(
            "{}: {e}; the GenieACS simulator is kept in ../shared/tools beside the clone",
            source.display()
        )
    })?;
    std::fs::create_dir_all(&installed)
        .map_err(|e| format!("cannot create {}: {e}", installed.display()))?;
    for entry in entries {
        let from = entry.map_err(|e| format!("{}: {e}", source.display()))?.path();
        if !from.is_file() {
            continue;
        }
        let Some(name) = from.file_name() else { continue };
        let to = installed.join(name);
        let bytes =
            std::fs::read(&from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
        if std::fs::read(&to).is_ok_and(|copied| copied == bytes) {
            continue;
        }
        // Written anew rather than copied: the source is read-only, and a copy would keep that
        // mode and refuse the next update.
        let _ = std::fs::remove_file(&to);
        std::fs::write(&to, &bytes).map_err(|e| format!("cannot write {}: {e}", to.display()))?;
    }
    if installed.join("node_modules/commander/package.json").is_file() {
        return Ok(());
    }
    process::run(process::command("npm").current_dir(&installed).args([
        "install",
        "--no-audit",
        "--no-fund",
        "--omit=dev",
    ]))
}

/// Debian packages, installed with apt-get when we are root; otherwise we say
/// exactly what to run.
pub fn ensure_debian_tools(tools: &[(&str, &str)]) -> Result<(), String> {
    let missing: Vec<&str> =
        tools.iter().filter(|(path, _)| !Path::new(path).exists()).map(|&(_, pkg)| pkg).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let is_root = first_line_of(process::command("id").arg("-u")).as_deref() == Some("0");
    if !is_root {
        return Err(format!(
            "missing Debian packages; run: sudo apt-get update && sudo apt-get install -y {}",
            missing.join(" ")
        ));
    }
    process::run(process::command("apt-get").arg("update"))?;
    process::run(
        process::command("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "--no-install-recommends"])
            .args(&missing),
    )
}

#[cfg(test)]
mod tests {
    use super::lockfile_version;

    #[test]
    fn finds_a_package_version_in_a_lockfile() {
        let lock = "[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"9.9.9\"\n\n\
                    [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(lockfile_version(lock, "wasm-bindgen").as_deref(), Some("0.2.130"));
        assert_eq!(lockfile_version(lock, "leptos"), None);
    }
}
