//! The command-line tools as a shell user pipes them: `cwmpkit … | head` closes the pipe early,
//! and the tool must end quietly with success, not panic (`println!` does on a closed stdout).

use std::io::Read as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");

/// Runs `cwmpkit args…`, reads the first bytes of its output and closes the pipe, as `head -c`
/// does; returns the exit status and stderr. Each command here prints well over a pipe's 64 KiB
/// buffer, so it is still writing when the pipe closes.
fn run_closing_early(args: &[&str]) -> (std::process::ExitStatus, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cwmpkit"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cwmpkit starts");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut first = [0u8; 64];
    stdout.read_exact(&mut first).expect("the command prints something");
    drop(stdout);
    let output = child.wait_with_output().expect("cwmpkit ends");
    (output.status, String::from_utf8_lossy(&output.stderr).into_owned())
}

fn assert_quiet_success(args: &[&str]) {
    let (status, stderr) = run_closing_early(args);
    assert!(!stderr.contains("panicked"), "`cwmpkit {}` panicked: {stderr}", args.join(" "));
    assert!(status.success(), "`cwmpkit {}` ended with {status}: {stderr}", args.join(" "));
    assert!(stderr.is_empty(), "`cwmpkit {}` complained: {stderr}", args.join(" "));
}

fn big_config() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-output-big.cfg");
    let lines: String = (0..4000)
        .map(|i| format!("sip line{} screen name: Reception desk {i}\n", i % 9 + 1))
        .collect();
    std::fs::write(&path, lines).unwrap();
    path
}

#[test]
fn decode_ends_quietly_when_its_reader_goes_away() {
    let pcap = format!("{CORPUS}/pcap/magma/dp_enb_tr069.pcap");
    assert_quiet_success(&["decode", &pcap]);
    assert_quiet_success(&["decode", "--json", &pcap]);
}

#[test]
fn params_ends_quietly_when_its_reader_goes_away() {
    let dump = format!(
        "{CORPUS}/datamodel-dumps/genieacs-sim/data_model_202BC1-BM632w-8KA8WA1151100043.csv"
    );
    assert_quiet_success(&["params", "validate", &dump]);
}

#[test]
fn provision_ends_quietly_when_its_reader_goes_away() {
    let config = big_config();
    let config = config.to_str().unwrap();
    assert_quiet_success(&["provision", "check", config]);
    assert_quiet_success(&["provision", "map", config]);
}
