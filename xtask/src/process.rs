//! Running commands from the workspace root with the project's tools on PATH.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub fn root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().map(Path::to_path_buf).unwrap_or(manifest_dir)
}

/// Where setup puts tools that are not cargo binaries (wasm-opt from npm).
pub fn tools_dir() -> PathBuf {
    root().join("target/tools")
}

/// The GenieACS simulator as `cargo xtask setup` installs it; relay/tests/common/genieacs_sim.rs
/// looks for it at the same place.
pub fn genieacs_sim_dir() -> PathBuf {
    tools_dir().join("genieacs-sim")
}

pub fn wasm_opt_bin_dir() -> PathBuf {
    tools_dir().join("binaryen/node_modules/.bin")
}

fn cargo_bin_dir() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_default();
    home.join("bin")
}

/// PATH with our wasm-opt first, so that a system binaryen (Debian's 108 builds
/// a wasm that fails at runtime) is never the one Trunk finds.
pub fn tool_path() -> std::ffi::OsString {
    let mut dirs = vec![wasm_opt_bin_dir(), cargo_bin_dir()];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).unwrap_or_default()
}

pub fn command(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut command = Command::new(program);
    command.current_dir(root()).env("PATH", tool_path());
    command
}

pub fn cargo() -> Command {
    command(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

pub fn run(command: &mut Command) -> Result<(), String> {
    let shown = describe(command);
    println!("$ {shown}");
    let status = command.status().map_err(|e| format!("cannot start `{shown}`: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("`{shown}` failed ({status})")) }
}

/// The first line a command prints, or None when it cannot run.
pub fn first_line_of(command: &mut Command) -> Option<String> {
    let output = command.stderr(Stdio::null()).output().ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8_lossy(&output.stdout).lines().next().map(|l| l.trim().to_owned())
}

/// Test counts summed over every runner that prints libtest's closing line.
#[derive(Debug, Default)]
pub struct Tally {
    pub passed: u64,
    pub failed: u64,
}

impl Tally {
    fn add_libtest_line(&mut self, line: &str) {
        // "test result: ok. 12 passed; 0 failed; 0 ignored; …"
        let Some(rest) = line.trim().strip_prefix("test result: ") else { return };
        for part in rest.split(';') {
            let words: Vec<&str> = part.split_whitespace().collect();
            let (Some(count), Some(kind)) = (words.iter().rev().nth(1), words.last()) else {
                continue;
            };
            let Ok(count) = count.parse::<u64>() else { continue };
            match *kind {
                "passed" => self.passed += count,
                "failed" => self.failed += count,
                _ => {}
            }
        }
    }
}

/// Runs a test command, echoing its output and adding its counts to `tally`.
pub fn run_tests(command: &mut Command, tally: &mut Tally) -> Result<(), String> {
    let shown = describe(command);
    println!("$ {shown}");
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("{line}");
            tally.add_libtest_line(&line);
        }
    }
    let status = child.wait().map_err(|e| format!("`{shown}`: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("`{shown}` failed ({status})")) }
}

#[cfg(test)]
mod tests {
    use super::Tally;

    #[test]
    fn libtest_closing_lines_are_summed() {
        let mut tally = Tally::default();
        tally.add_libtest_line("test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured");
        tally.add_libtest_line("test result: FAILED. 3 passed; 2 failed; 0 ignored");
        tally.add_libtest_line("running 4 tests");
        assert_eq!((tally.passed, tally.failed), (15, 2));
    }
}
