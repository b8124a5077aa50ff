//! The GenieACS CPE simulator, a real third-party TR-069 client (Node, one process per device),
//! as `cargo xtask setup` installs it: copied from `../shared/tools/genieacs-sim` into
//! `target/tools/genieacs-sim` with its npm dependency. Started against the relay's ACS URL,
//! killed when dropped; what it prints is kept for failure messages.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

/// The device ID the simulator's data model gives serial number `serial` (`--serial` offset
/// plus the process's index, six digits).
pub fn device_id(serial: u32) -> String {
    format!("202BC1-BM632w-{serial:06}")
}

/// Where `cargo xtask setup` installs the simulator; panics with what to do when it has not.
pub fn installed() -> PathBuf {
    let relay = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = relay.parent().unwrap_or(relay).join("target/tools/genieacs-sim");
    let dependency = dir.join("node_modules/commander/package.json");
    assert!(
        dir.join("genieacs-sim").is_file() && dependency.is_file(),
        "the GenieACS simulator is not installed in {}: run `cargo xtask setup` (it copies \
         ../shared/tools/genieacs-sim there and runs npm install)",
        dir.display()
    );
    dir
}

/// Simulated devices, one Node process each, under one `genieacs-sim` parent process.
pub struct Simulators {
    parent: Child,
    output: Arc<Mutex<Vec<String>>>,
}

impl Simulators {
    /// `count` devices with serial numbers `first`, `first + 1`, … Informing `acs_url`, all
    /// started at once.
    pub fn start(acs_url: &str, first: u32, count: u32) -> Simulators {
        let dir = installed();
        let mut parent = Command::new("node")
            .current_dir(&dir)
            .arg("genieacs-sim")
            .args(["--acs-url", acs_url, "--wait", "0"])
            .args(["--processes", &count.to_string(), "--serial", &first.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run node (needed by the GenieACS simulator): {e}"));
        let output = Arc::new(Mutex::new(Vec::new()));
        keep_lines(parent.stdout.take().unwrap(), Arc::clone(&output));
        keep_lines(parent.stderr.take().unwrap(), Arc::clone(&output));
        Simulators { parent, output }
    }

    /// Everything the simulators printed so far.
    pub fn output(&self) -> String {
        self.output.lock().unwrap().join("\n")
    }

    /// Lines saying a simulator process died (its parent restarts it 10 s later, which would
    /// hide a failure).
    pub fn deaths(&self) -> Vec<String> {
        self.output.lock().unwrap().iter().filter(|l| l.contains(" died (")).cloned().collect()
    }
}

impl Drop for Simulators {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("genieacs-sim printed:\n{}", self.output());
        }
        // The device processes exit when their parent's IPC channel closes.
        let _ = self.parent.kill();
        let _ = self.parent.wait();
    }
}

fn keep_lines(stream: impl Read + Send + 'static, output: Arc<Mutex<Vec<String>>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            output.lock().unwrap().push(line);
        }
    });
}
