//! A `cwmpkit serve` process for the relay's tests: started on free ports, killed when dropped,
//! and plain HTTP/1.1 over std's TcpStream to talk to it (the tests speak the wire, as CPEs do).

#![allow(dead_code)] // reason: each test binary uses its own part of this module

pub mod api;
pub mod cpe;
pub mod genieacs_sim;

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdout, Command, Stdio};

pub struct Server {
    pub child: Child,
    /// `127.0.0.1:PORT` of the app and its API.
    pub app: String,
    /// `127.0.0.1:PORT` of the ACS listener (`/acs`, `/files/`, `/uploads/`).
    pub acs: String,
    /// The API token, from the sign-in URL the relay printed.
    pub token: String,
    /// The rest of the relay's output, for tests that read its log.
    pub stdout: Option<BufReader<ChildStdout>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// `Authorization: Bearer TOKEN\r\n`, for the API.
    pub fn bearer(&self) -> String {
        format!("Authorization: Bearer {}\r\n", self.token)
    }

    /// The relay's output from now on, line by line, read by a thread.
    pub fn lines(&mut self) -> std::sync::mpsc::Receiver<String> {
        let (sender, lines) = std::sync::mpsc::channel();
        if let Some(mut stdout) = self.stdout.take() {
            std::thread::spawn(move || {
                let mut line = String::new();
                while stdout.read_line(&mut line).unwrap_or(0) > 0 {
                    if sender.send(std::mem::take(&mut line)).is_err() {
                        break;
                    }
                }
            });
        }
        lines
    }

    /// The relay's next line of output.
    pub fn next_line(&mut self) -> Option<String> {
        let mut line = String::new();
        match self.stdout.as_mut()?.read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(line),
        }
    }
}

/// Starts `cwmpkit serve` on free loopback ports with `args` after it, and waits for the three
/// lines it prints once it listens: the app's URL, the sign-in URL, the ACS URL.
pub fn serve<I, S>(args: I) -> Server
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    serve_binary(OsStr::new(env!("CARGO_BIN_EXE_cwmpkit")), args)
}

/// As [`serve`], with another build of `cwmpkit` (the load bench compares two builds).
pub fn serve_binary<I, S>(binary: &OsStr, args: I) -> Server
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = Command::new(binary);
    command.args(["serve", "--listen", "127.0.0.1:0", "--acs-listen", "127.0.0.1:0"]).args(args);
    start(command)
}

pub fn start(mut command: Command) -> Server {
    let mut child = command.stdout(Stdio::piped()).spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut read = || {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        line
    };
    let (serving, sign_in, acs) = (read(), read(), read());
    let address_in = |line: &str| {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix("http://").or_else(|| w.strip_prefix("https://")))
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .split('/')
            .next()
            .unwrap()
            .to_owned()
    };
    let token =
        sign_in.trim().rsplit_once("#token=").map(|(_, t)| t.to_owned()).unwrap_or_default();
    Server { app: address_in(&serving), acs: address_in(&acs), token, child, stdout: Some(stdout) }
}

pub struct Reply {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

/// One request on its own connection; `headers` are whole lines (`Name: value\r\n`).
pub fn request(address: &str, method: &str, path: &str, headers: &str, body: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n{headers}Content-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(body).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    parse(&response)
}

/// A GET on the app's listener, the body as bytes (a recording or a capture is binary);
/// `authorization` is a whole header line, or empty.
pub fn get_bytes(server: &Server, path: &str, authorization: &str) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(&server.app).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n{authorization}\r\n",
        server.app
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").expect("an HTTP head");
    let head = String::from_utf8_lossy(&response[..split]);
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, response[split + 4..].to_vec())
}

pub fn parse(response: &[u8]) -> Reply {
    let response = String::from_utf8_lossy(response).into_owned();
    let (head, body) =
        response.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no HTTP head in {response:?}"));
    Reply {
        status: head.split_whitespace().nth(1).unwrap().parse().unwrap(),
        headers: head.to_owned(),
        body: body.to_owned(),
    }
}

/// The relay's event stream, read on its own connection by a thread.
pub struct Events {
    received: std::sync::mpsc::Receiver<serde_json::Value>,
}

impl Events {
    /// Subscribes; returns once the stream's response head has arrived (so it sees what follows).
    pub fn subscribe(server: &Server) -> Events {
        let mut stream = TcpStream::connect(&server.app).unwrap();
        write!(
            stream,
            "GET /api/events HTTP/1.1\r\nHost: {}\r\n{}Accept: text/event-stream\r\n\r\n",
            server.app,
            server.bearer()
        )
        .unwrap();
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap() > 0 && line != "\r\n" {
            line.clear();
        }
        let (sender, received) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if let Some(data) = line.trim_end().strip_prefix("data:")
                    && let Ok(event) = serde_json::from_str(data.trim())
                    && sender.send(event).is_err()
                {
                    break;
                }
            }
        });
        Events { received }
    }

    /// The next event, waiting up to 30 s (a bound so that a missing event fails, not hangs).
    pub fn next(&self) -> Option<serde_json::Value> {
        self.received.recv_timeout(std::time::Duration::from_secs(30)).ok()
    }

    /// The next event if one has arrived, without waiting.
    pub fn try_next(&self) -> Option<serde_json::Value> {
        self.received.try_recv().ok()
    }

    /// Skips events until one passes `check`, and returns it; panics (failing the test) if the
    /// stream ends or goes quiet first.
    pub fn until(
        &self,
        what: &str,
        check: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let mut seen = Vec::new();
        while let Some(event) = self.next() {
            if check(&event) {
                return event;
            }
            seen.push(event);
        }
        panic!("no event {what}; saw {seen:#?}");
    }
}

/// A corpus file (`../shared/corpus/…` beside the clone).
pub fn corpus(relative: &str) -> Vec<u8> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus").join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A directory of its own under the test target dir, emptied.
pub fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A `--dist` with an index.html, for relays whose app the test does not look at.
pub fn fake_dist(name: &str) -> std::path::PathBuf {
    let dir = scratch(&format!("{name}-dist"));
    std::fs::write(dir.join("index.html"), "<!doctype html><title>cwmpkit test</title>").unwrap();
    dir
}
