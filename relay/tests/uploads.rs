//! Uploads and files on the ACS listener: names that cannot traverse, writes that stream to
//! disk and never follow a symlink nor destroy the previous good file, a cap on uploads at once,
//! authentication as on `/acs`; the uploads listed and downloadable through the API, with the
//! uploads index (size, time, user and sending device) kept across a SIGKILL; and `/files`
//! without hidden files or symlinks.

mod common;

use common::api::{self, Task};
use common::cpe::Cpe;
use common::{Events, Server, request};
use cwmpkit_core::api::{UploadEntry, UploadSender};
use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;

fn start(name: &str, extra: &[&str]) -> (Server, PathBuf, PathBuf) {
    let dist = common::fake_dist(name);
    let uploads = common::scratch(&format!("{name}-uploads"));
    let files = common::scratch(&format!("{name}-files"));
    let mut command = Command::new(env!("CARGO_BIN_EXE_cwmpkit"));
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--acs-listen", "127.0.0.1:0", "--dist"])
        .arg(&dist)
        .arg("--uploads")
        .arg(&uploads)
        .arg("--files")
        .arg(&files)
        .args(extra);
    (common::start(command), uploads, files)
}

#[test]
fn traversal_names_are_refused_however_encoded() {
    let (server, uploads, _) = start("uploads-traversal", &[]);
    for name in
        ["..%2Fescape", "%2e%2e", "..%5Cescape", "%2Fetc%2Fpasswd", ".hidden", "a%00b", "C:%5Cx"]
    {
        let refused = request(&server.acs, "PUT", &format!("/uploads/{name}"), "", b"x");
        assert!(matches!(refused.status, 400 | 404), "{name}: {} {}", refused.status, refused.body);
    }
    assert!(!uploads.parent().unwrap().join("escape").exists());
    assert_eq!(std::fs::read_dir(&uploads).unwrap().count(), 0, "nothing was written");
}

#[cfg(unix)]
#[test]
fn a_symlink_is_replaced_not_followed_and_a_failed_upload_keeps_the_good_file() {
    let (server, uploads, _) = start("uploads-symlink", &["--max-upload-bytes", "1024"]);
    let outside = common::scratch("uploads-symlink-outside").join("precious");
    std::fs::write(&outside, "do not touch").unwrap();
    std::os::unix::fs::symlink(&outside, uploads.join("00085D1A2B3C_local.cfg")).unwrap();
    let stored = request(
        &server.acs,
        "PUT",
        "/uploads/00085D1A2B3C_local.cfg",
        "",
        b"sip line1 auth name: 1001\n",
    );
    assert_eq!(stored.status, 201, "{}", stored.body);
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "do not touch");
    let backup = uploads.join("00085D1A2B3C_local.cfg");
    assert!(!std::fs::symlink_metadata(&backup).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), "sip line1 auth name: 1001\n");

    // Too big: refused, and the good backup is still there, with no leftovers.
    let refused = request(&server.acs, "PUT", "/uploads/00085D1A2B3C_local.cfg", "", &[b'x'; 4096]);
    assert_eq!(refused.status, 413, "{}", refused.body);
    assert!(refused.body.contains("--max-upload-bytes"), "{}", refused.body);
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), "sip line1 auth name: 1001\n");
    // A cut-off upload likewise.
    let mut stream = TcpStream::connect(&server.acs).unwrap();
    write!(stream, "PUT /uploads/00085D1A2B3C_local.cfg HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\npartial").unwrap();
    drop(stream);
    let listed = request(&server.app, "GET", "/api/uploads", &server.bearer(), b"");
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), "sip line1 auth name: 1001\n");
    let names: Vec<String> = std::fs::read_dir(&uploads)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".part")) || names.len() <= 2, "{names:?}");
    assert_eq!(listed.status, 200);
}

#[test]
fn uploads_are_listed_and_downloadable_through_the_api() {
    let (server, _, _) = start("uploads-listed", &[]);
    for (name, body) in [
        ("00085D1A2B3C_local.cfg", "sip line1 auth name: 1001\n"),
        ("00085D1A2B3C_20261204T120000_crash.log", "panic at 0x0\n"),
    ] {
        assert_eq!(
            request(&server.acs, "POST", &format!("/uploads/{name}"), "", body.as_bytes()).status,
            201
        );
    }
    let listed = request(&server.app, "GET", "/api/uploads", &server.bearer(), b"");
    let listed: serde_json::Value = serde_json::from_str(&listed.body).unwrap();
    let kinds: Vec<(String, String)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["name"].as_str().unwrap().to_owned(), u["kind"].as_str().unwrap().to_owned()))
        .collect();
    assert!(
        kinds.contains(&("00085D1A2B3C_local.cfg".into(), "config backup".into())),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("00085D1A2B3C_20261204T120000_crash.log".into(), "crash log".into())),
        "{kinds:?}"
    );
    // A link in the app downloads it with the token in its URL.
    let fetched = request(
        &server.app,
        "GET",
        &format!("/api/uploads/00085D1A2B3C_local.cfg?access_token={}", server.token),
        "",
        b"",
    );
    assert_eq!((fetched.status, fetched.body.as_str()), (200, "sip line1 auth name: 1001\n"));
    assert!(fetched.headers.to_ascii_lowercase().contains("content-disposition: attachment"));
    assert_eq!(request(&server.app, "GET", "/api/uploads", "", b"").status, 401);
    assert_eq!(
        request(&server.acs, "GET", "/api/uploads", "", b"").status,
        404,
        "not on the devices' side"
    );
}

#[test]
fn uploads_authenticate_like_the_acs() {
    let (server, uploads, _) =
        start("uploads-auth", &["--cpe-username", "fleet", "--cpe-password", "fleet-secret"]);
    let events = Events::subscribe(&server);
    assert_eq!(request(&server.acs, "PUT", "/uploads/a.log", "", b"x").status, 401);

    // A wrong password, through the whole Digest exchange: 401, a problem, nothing stored.
    let mut wrong = Cpe::new(&server.acs).with_credential("fleet", "not-the-secret");
    let refused = wrong.upload("wrong.log", b"forged\n");
    assert_eq!(refused.status, 401, "{}", refused.body);
    let problem =
        events.until("auth-failed", |e| e["event"] == "problem" && e["code"] == "auth-failed");
    assert!(!problem.to_string().contains("not-the-secret"), "no password in {problem}");

    // A Digest answer to a nonce the relay never issued.
    let forged = format!(
        "Authorization: Digest username=\"fleet\", realm=\"cwmpkit\", nonce=\"{}\", \
         uri=\"/uploads/forged.log\", qop=auth, nc=00000001, cnonce=\"c\", response=\"{}\"",
        "0".repeat(32),
        "0".repeat(32)
    );
    assert_eq!(request(&server.acs, "PUT", "/uploads/forged.log", &forged, b"x").status, 401);

    // The right password as Basic over plain HTTP: refused (only Digest is safe here).
    let mut basic = Cpe::new(&server.acs).with_credential("fleet", "fleet-secret");
    basic.prefers_basic = true;
    assert_eq!(basic.upload("basic.log", b"x").status, 401);
    assert!(
        basic.last_authorization.starts_with("Authorization: Basic"),
        "{}",
        basic.last_authorization
    );

    let names: Vec<_> = std::fs::read_dir(&uploads)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.is_empty(), "nothing was stored: {names:?}");

    let mut cpe = Cpe::new(&server.acs).with_credential("fleet", "fleet-secret");
    let stored = cpe.upload("a.log", b"boot ok\n");
    assert_eq!(stored.status, 201, "{}", stored.body);
}

/// The security probe's finding: unfinished uploads were held in memory whole. An upload's bytes
/// reach its temporary file as they arrive, while the rest of the body has not come.
#[test]
fn an_unfinished_upload_is_on_disk_not_in_memory() {
    let (server, uploads, _) = start("uploads-streamed", &[]);
    const DECLARED: usize = 4 << 20;
    const SENT: usize = 1 << 20;
    let mut slow = TcpStream::connect(&server.acs).unwrap();
    write!(
        slow,
        "PUT /uploads/backup.cfg HTTP/1.1\r\nHost: x\r\nContent-Length: {DECLARED}\r\n\r\n"
    )
    .unwrap();
    slow.write_all(&vec![b'#'; SENT]).unwrap();
    slow.flush().unwrap();
    // Up to 30 s on a loaded machine; the body stays unfinished all along.
    let mut on_disk = 0u64;
    for _ in 0..600 {
        on_disk = std::fs::read_dir(&uploads)
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
            .map(|e| e.metadata().unwrap().len())
            .sum();
        if on_disk == SENT as u64 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(on_disk, SENT as u64, "the bytes sent so far are in the temporary file");
    assert!(!uploads.join("backup.cfg").exists(), "not stored before its body ends");
    drop(slow);
}

#[test]
fn uploads_at_once_are_capped() {
    let (server, _, _) = start("uploads-cap", &["--max-uploads", "1"]);
    let start_slow_upload = || {
        let mut slow = TcpStream::connect(&server.acs).unwrap();
        write!(
            slow,
            "PUT /uploads/slow.log HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nstarted"
        )
        .unwrap();
        slow.set_nonblocking(true).unwrap();
        slow
    };
    // The slow upload holds the only slot until its body ends; the relay has read its head once a
    // second upload is refused, so try until that happens. If a second one held the slot just
    // when the slow one's head was read, the slow one was refused instead: start it again.
    let mut first = start_slow_upload();
    let mut refused = None;
    // Up to 30 s: a generous bound on a loaded machine, so that a relay that never refuses fails.
    for _ in 0..600 {
        let reply = request(&server.acs, "PUT", "/uploads/second.log", "", b"x");
        if reply.status == 503 {
            refused = Some(reply);
            break;
        }
        let mut answer = [0u8; 64];
        if matches!(std::io::Read::read(&mut first, &mut answer), Ok(n) if n > 0) {
            first = start_slow_upload();
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let refused = refused.expect("a second upload at once was never refused");
    assert!(refused.body.contains("--max-uploads"), "{}", refused.body);
    drop(first);
}

#[cfg(unix)]
#[test]
fn files_serves_no_hidden_file_and_follows_no_symlink() {
    let (server, _, files) = start("files-hidden", &[]);
    std::fs::write(files.join("6867i.st"), "firmware").unwrap();
    std::fs::create_dir_all(files.join("aastra")).unwrap();
    std::fs::write(files.join("aastra").join("aastra.cfg"), "tr69 server: x\n").unwrap();
    std::fs::write(files.join(".env"), "SECRET=1").unwrap();
    std::fs::create_dir_all(files.join(".git")).unwrap();
    std::fs::write(files.join(".git").join("config"), "[core]").unwrap();
    let outside = common::scratch("files-hidden-outside").join("passwd");
    std::fs::write(&outside, "root:x:0:0").unwrap();
    std::os::unix::fs::symlink(&outside, files.join("link.cfg")).unwrap();
    std::os::unix::fs::symlink(outside.parent().unwrap(), files.join("linkdir")).unwrap();
    assert_eq!(request(&server.acs, "GET", "/files/6867i.st", "", b"").body, "firmware");
    assert_eq!(request(&server.acs, "GET", "/files/aastra/aastra.cfg", "", b"").status, 200);
    for path in [
        "/files/.env",
        "/files/.git/config",
        "/files/link.cfg",
        "/files/linkdir/passwd",
        "/files/%2e%2e/x",
        "/files/aastra/..%2F6867i.st",
    ] {
        let reply = request(&server.acs, "GET", path, "", b"");
        assert_eq!(reply.status, 404, "{path}: {}", reply.body);
        assert!(!reply.body.contains("SECRET") && !reply.body.contains("root:"), "{path}");
    }
}

/// A folder on the way swapped for a symlink and back, over and over, while the file under it
/// is fetched: a check of the path before the open could be outrun (the symlink swapped in
/// after the check), so what is sent must come from the file that was checked.
#[cfg(unix)]
#[test]
fn files_never_serves_through_a_folder_swapped_for_a_symlink() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let (server, _, files) = start("files-race", &[]);
    std::fs::create_dir_all(files.join("aastra")).unwrap();
    std::fs::write(files.join("aastra").join("aastra.cfg"), "inside").unwrap();
    let outside = common::scratch("files-race-outside");
    std::fs::write(outside.join("aastra.cfg"), "SECRET outside").unwrap();
    std::os::unix::fs::symlink(&outside, files.join("swap")).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let swapper = {
        let (stop, files) = (Arc::clone(&stop), files.clone());
        std::thread::spawn(move || {
            let (real, link, aside) =
                (files.join("aastra"), files.join("swap"), files.join("aside"));
            while !stop.load(Ordering::Relaxed) {
                // aastra/ becomes the symlink for a moment, then the folder again.
                std::fs::rename(&real, &aside).unwrap();
                std::fs::rename(&link, &real).unwrap();
                std::fs::rename(&real, &link).unwrap();
                std::fs::rename(&aside, &real).unwrap();
            }
        })
    };
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for _ in 0..3000 {
        let reply = request(&server.acs, "GET", "/files/aastra/aastra.cfg", "", b"");
        assert!(!reply.body.contains("SECRET"), "a file outside --files was served");
        *statuses.entry(reply.status).or_default() += 1;
    }
    stop.store(true, Ordering::Relaxed);
    swapper.join().unwrap();
    assert!(statuses.keys().all(|status| matches!(status, 200 | 404)), "{statuses:?}");
    let settled =
        request(&server.acs, "GET", "/files/aastra/aastra.cfg", "Range: bytes=2-\r\n", b"");
    assert_eq!((settled.status, settled.body.as_str()), (206, "side"), "{}", settled.headers);
}

const DEVICE: &str = "EC43F6-P-2601HN-F1-EC43F69AF408";

/// A relay with `--data-dir` and `--uploads`, whose device with serial EC43F69AF408 has its own
/// credential (`phone-1`) beside the fleet's (`fleet`).
fn start_indexed(name: &str, data: &Path, uploads: &Path) -> Server {
    let dist = common::fake_dist(name);
    let credentials = data.with_extension("csv");
    std::fs::write(&credentials, "device,username,password\nEC43F69AF408,phone-1,own-secret\n")
        .unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_cwmpkit"));
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--acs-listen", "127.0.0.1:0", "--dist"])
        .arg(&dist)
        .arg("--uploads")
        .arg(uploads)
        .arg("--data-dir")
        .arg(data)
        .args(["--cpe-username", "fleet", "--cpe-password", "fleet-secret", "--cpe-credentials"])
        .arg(&credentials);
    common::start(command)
}

fn uploads_listed(server: &Server) -> Vec<UploadEntry> {
    let listed = request(&server.app, "GET", "/api/uploads", &server.bearer(), b"");
    assert_eq!(listed.status, 200, "{}", listed.body);
    serde_json::from_str(&listed.body).unwrap_or_else(|e| panic!("{e}: {}", listed.body))
}

fn entry<'a>(listed: &'a [UploadEntry], name: &str) -> &'a UploadEntry {
    listed.iter().find(|e| e.name == name).unwrap_or_else(|| panic!("{name} in {listed:#?}"))
}

#[test]
fn the_uploads_index_names_the_device_and_outlives_a_sigkill() {
    let root = common::scratch("uploads-index");
    let (data, uploads) = (root.join("data"), root.join("uploads"));
    std::fs::create_dir_all(&uploads).unwrap();
    let server = start_indexed("uploads-index", &data, &uploads);
    let backup = b"sip line1 auth name: 1001\n";
    let mut phone = Cpe::new(&server.acs).with_credential("phone-1", "own-secret");
    assert_eq!(phone.post(&common::corpus("soap/cwmp_ex/inform-2601.xml")).status, 200);
    assert_eq!(phone.upload("00085D1A2B3C_local.cfg", backup).status, 201);
    let mut fleet = Cpe::new(&server.acs).with_credential("fleet", "fleet-secret");
    assert_eq!(fleet.upload("boot.log", b"boot ok\n").status, 201);
    std::fs::write(uploads.join("by-hand.txt"), "put here by hand").unwrap();

    let listed = uploads_listed(&server);
    let indexed = entry(&listed, "00085D1A2B3C_local.cfg").clone();
    assert_eq!((indexed.bytes, indexed.kind.as_str()), (backup.len() as u64, "config backup"));
    let received = indexed.received.clone().expect("in the index");
    assert_eq!(received.device.as_deref(), Some(DEVICE), "its serial resolved to its ID");
    assert_eq!(received.device_from, Some(UploadSender::OwnCredential));
    assert_eq!(received.username.as_deref(), Some("phone-1"));
    assert!(received.peer.starts_with("127.0.0.1:"), "{}", received.peer);
    // The fleet's credential is everyone's: it names no device.
    let shared = entry(&listed, "boot.log").received.clone().expect("in the index");
    assert_eq!((shared.device, shared.username.as_deref()), (None, Some("fleet")));
    assert_eq!(entry(&listed, "by-hand.txt").received, None, "listed, as not indexed");

    let mut server = server;
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    drop(server);
    let server = start_indexed("uploads-index", &data, &uploads);
    let listed = uploads_listed(&server);
    assert_eq!(entry(&listed, "00085D1A2B3C_local.cfg"), &indexed, "the same after the restart");
    assert_eq!(entry(&listed, "by-hand.txt").received, None);
    assert_eq!(listed.len(), 3, "{listed:#?}");

    // A file changed by hand since it was stored is no longer the upload the index knew.
    std::fs::write(uploads.join("00085D1A2B3C_local.cfg"), "edited by hand, longer now\n").unwrap();
    assert_eq!(entry(&uploads_listed(&server), "00085D1A2B3C_local.cfg").received, None);
}

#[test]
fn an_upload_the_relay_asked_one_device_for_names_that_device() {
    let (server, _, _) = start("uploads-asked", &[]);
    let mut phone = Cpe::new(&server.acs);
    assert_eq!(phone.post(&common::corpus("soap/cwmp_ex/inform-2601.xml")).status, 200);
    let url = format!("http://{}/uploads/{DEVICE}-config.cfg", server.acs);
    api::queue(&server, DEVICE, &Task::Upload { url });
    let sent = phone.post(b"");
    assert!(sent.body.contains("cwmp:Upload>"), "{}", sent.body);
    let name = format!("{DEVICE}-config.cfg");
    assert_eq!(phone.upload(&name, b"config\n").status, 201);
    assert_eq!(phone.upload("not-asked-for.cfg", b"config\n").status, 201);

    let listed = uploads_listed(&server);
    let asked = entry(&listed, &name).received.clone().expect("in the index");
    assert_eq!(asked.device.as_deref(), Some(DEVICE));
    assert_eq!(asked.device_from, Some(UploadSender::UploadRpc));
    assert_eq!(asked.username, None, "device authentication is off");
    let unasked = entry(&listed, "not-asked-for.cfg").received.clone().expect("in the index");
    assert_eq!(unasked.device, None);
    // One request, one upload: the same name again is anyone's.
    assert_eq!(phone.upload(&name, b"config again\n").status, 201);
    assert_eq!(entry(&uploads_listed(&server), &name).received.clone().unwrap().device, None);
}

/// An upload sent chunked, with no Content-Length: the relay learns its size only as it arrives.
fn upload_chunked(server: &Server, name: &str, body: &[u8]) -> common::Reply {
    let mut stream = TcpStream::connect(&server.acs).unwrap();
    write!(
        stream,
        "PUT /uploads/{name} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(body).unwrap();
    // The relay may answer and close before the end: a write error then is the refusal's doing.
    let _ = stream.write_all(b"\r\n0\r\n\r\n");
    let mut response = Vec::new();
    let _ = std::io::Read::read_to_end(&mut stream, &mut response);
    common::parse(&response)
}

#[test]
fn the_uploads_folder_is_capped_and_nothing_is_deleted_to_make_room() {
    let (server, uploads, _) = start("uploads-total", &["--max-uploads-total-bytes", "100"]);
    let events = common::Events::subscribe(&server);
    std::fs::write(uploads.join("by-hand.txt"), [b'h'; 40]).unwrap();
    let backup = [b'b'; 50];
    assert_eq!(request(&server.acs, "PUT", "/uploads/a_local.cfg", "", &backup).status, 201);

    // 90 bytes held: 20 more, declared, would pass 100.
    let refused = request(&server.acs, "PUT", "/uploads/b_local.cfg", "", &[b'c'; 20]);
    assert_eq!(refused.status, 507, "{}", refused.body);
    assert!(refused.body.contains("--max-uploads-total-bytes"), "{}", refused.body);
    let problem = events.until("limit-uploads-total-bytes", |e| {
        e["event"] == "problem" && e["code"] == "limit-uploads-total-bytes"
    });
    assert!(problem["message"].as_str().unwrap().contains("b_local.cfg"), "{problem}");
    // Undeclared, refused as it arrives.
    assert_eq!(upload_chunked(&server, "c_local.cfg", &[b'c'; 20]).status, 507);
    events.until("the chunked upload's refusal", |e| {
        e["event"] == "problem"
            && e["code"] == "limit-uploads-total-bytes"
            && e["message"].as_str().unwrap().contains("c_local.cfg")
    });
    // A new copy of a stored file counts beside the old one until it replaces it.
    assert_eq!(request(&server.acs, "PUT", "/uploads/a_local.cfg", "", &[b'n'; 20]).status, 507);
    // Nothing was deleted to make room, and nothing refused was left behind.
    assert_eq!(std::fs::read(uploads.join("a_local.cfg")).unwrap(), backup);
    assert_eq!(std::fs::read(uploads.join("by-hand.txt")).unwrap(), [b'h'; 40]);
    let mut names: Vec<String> = std::fs::read_dir(&uploads)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["a_local.cfg", "by-hand.txt"]);

    // Room made by hand is seen at the next upload.
    std::fs::remove_file(uploads.join("by-hand.txt")).unwrap();
    assert_eq!(upload_chunked(&server, "c_local.cfg", &[b'c'; 20]).status, 201);
    assert_eq!(request(&server.acs, "PUT", "/uploads/a_local.cfg", "", &[b'n'; 20]).status, 201);
    assert_eq!(std::fs::read(uploads.join("a_local.cfg")).unwrap(), [b'n'; 20]);
}

/// Puts `name` back in `uploads` as the index knew it: the same bytes and modification time. The
/// listing then shows the index's record again, unless the record was removed.
fn put_back(uploads: &Path, name: &str, bytes: &[u8], modified: u64) {
    let file = std::fs::File::create(uploads.join(name)).unwrap();
    std::io::Write::write_all(&mut &file, bytes).unwrap();
    file.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(modified)).unwrap();
}

#[test]
fn records_of_uploads_that_are_gone_leave_the_index() {
    let root = common::scratch("uploads-prune");
    let (data, uploads) = (root.join("data"), root.join("uploads"));
    std::fs::create_dir_all(&uploads).unwrap();
    let server = start_indexed("uploads-prune", &data, &uploads);
    let mut fleet = Cpe::new(&server.acs).with_credential("fleet", "fleet-secret");
    for name in ["listed_local.cfg", "restarted_local.cfg", "kept_local.cfg"] {
        assert_eq!(fleet.upload(name, name.as_bytes()).status, 201);
    }
    let listed = uploads_listed(&server);
    let modified = |name: &str| entry(&listed, name).modified;
    assert!(entry(&listed, "listed_local.cfg").received.is_some());

    // The test can fail: a file put back as it was finds its record while the record is there.
    std::fs::remove_file(uploads.join("kept_local.cfg")).unwrap();
    put_back(&uploads, "kept_local.cfg", b"kept_local.cfg", modified("kept_local.cfg"));
    assert!(entry(&uploads_listed(&server), "kept_local.cfg").received.is_some());

    // Gone at a listing: the listing removes its record.
    std::fs::remove_file(uploads.join("listed_local.cfg")).unwrap();
    assert!(uploads_listed(&server).iter().all(|e| e.name != "listed_local.cfg"));
    put_back(&uploads, "listed_local.cfg", b"listed_local.cfg", modified("listed_local.cfg"));
    assert_eq!(entry(&uploads_listed(&server), "listed_local.cfg").received, None);

    // Gone while the relay was down: removed at start, before any listing.
    let mut server = server;
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    drop(server);
    std::fs::remove_file(uploads.join("restarted_local.cfg")).unwrap();
    let server = start_indexed("uploads-prune", &data, &uploads);
    put_back(
        &uploads,
        "restarted_local.cfg",
        b"restarted_local.cfg",
        modified("restarted_local.cfg"),
    );
    let listed_again = uploads_listed(&server);
    assert_eq!(entry(&listed_again, "restarted_local.cfg").received, None);
    assert!(
        entry(&listed_again, "kept_local.cfg").received.is_some(),
        "a file still there keeps it"
    );
}

/// What holds SIP passwords and config backups is the relay user's alone: `--data-dir` and its
/// recordings folder 0700, the database, the recordings and the uploads 0600.
#[cfg(unix)]
#[test]
fn the_database_recordings_and_uploads_are_the_owners_alone() {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let root = common::scratch("owner-only");
    let (data, uploads) = (root.join("data"), root.join("uploads"));
    std::fs::create_dir_all(&uploads).unwrap();
    let server = start_indexed("owner-only", &data, &uploads);
    let mut phone = Cpe::new(&server.acs).with_credential("phone-1", "own-secret");
    assert_eq!(phone.post(&common::corpus("soap/cwmp_ex/inform-2601.xml")).status, 200);
    assert_eq!(phone.upload("00085D1A2B3C_local.cfg", b"sip line1 password: x\n").status, 201);
    assert_eq!(phone.post(b"").status, 204);

    let recordings = data.join("recordings");
    assert_eq!(mode(&data), 0o700, "{}", data.display());
    assert_eq!(mode(&recordings), 0o700, "{}", recordings.display());
    assert_eq!(mode(&data.join("cwmpkit.redb")), 0o600);
    assert_eq!(mode(&uploads.join("00085D1A2B3C_local.cfg")), 0o600);
    // The recorder writes on its own thread: its file appears when it has.
    let mut recorded = None;
    for _ in 0..200 {
        recorded = std::fs::read_dir(&recordings).unwrap().flatten().next().map(|e| e.path());
        if recorded.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let recorded = recorded.expect("a recording within 20 s");
    assert_eq!(mode(&recorded), 0o600, "{}", recorded.display());
}

/// The security audit's finding: with its own credential, one phone could overwrite another's
/// config backup. A file the index knows as a device's is replaced only by that device: not by
/// another device's own credential, and, when it came with its owner's own credential, not by
/// the fleet's shared one either.
#[test]
fn one_device_cannot_replace_another_devices_upload() {
    let credentials = common::scratch("uploads-owner-credentials").join("credentials.csv");
    std::fs::write(
        &credentials,
        "device,username,password\nEC43F69AF408,phone-1,own-secret\n000000-Other-2,phone-2,other-secret\n",
    )
    .unwrap();
    let fleet_and_own = [
        "--cpe-username",
        "fleet",
        "--cpe-password",
        "fleet-secret",
        "--cpe-credentials",
        credentials.to_str().unwrap(),
    ];
    let (server, uploads, _) = start("uploads-owner", &fleet_and_own);
    let events = Events::subscribe(&server);
    const BACKUP: &str = "00085D1A2B3C_local.cfg";
    let mut phone = Cpe::new(&server.acs).with_credential("phone-1", "own-secret");
    assert_eq!(phone.post(&common::corpus("soap/cwmp_ex/inform-2601.xml")).status, 200);
    assert_eq!(phone.upload(BACKUP, b"sip line1 auth name: 1001\n").status, 201);

    let mut other = Cpe::new(&server.acs).with_credential("phone-2", "other-secret");
    let refused = other.upload(BACKUP, b"sip line1 auth name: evil\n");
    assert_eq!(refused.status, 403, "{}", refused.body);
    let problem =
        events.until("upload-owner", |e| e["event"] == "problem" && e["code"] == "upload-owner");
    assert_eq!(problem["device"], DEVICE, "{problem}");
    let mut fleet = Cpe::new(&server.acs).with_credential("fleet", "fleet-secret");
    assert_eq!(fleet.upload(BACKUP, b"sip line1 auth name: evil\n").status, 403);
    assert_eq!(
        std::fs::read_to_string(uploads.join(BACKUP)).unwrap(),
        "sip line1 auth name: 1001\n",
        "the owner's backup is as it was"
    );

    // The owner replaces its own; the other device and the fleet store files of their own.
    assert_eq!(phone.upload(BACKUP, b"sip line1 auth name: 1002\n").status, 201);
    assert_eq!(other.upload("000000_local.cfg", b"mine\n").status, 201);
    assert_eq!(fleet.upload("boot.log", b"boot ok\n").status, 201);
    assert_eq!(fleet.upload("boot.log", b"boot ok again\n").status, 201, "no owner: replaceable");
}
