//! `--data-dir`: a relay killed with SIGKILL and started again on the same directory finds every
//! device, queued RPC and result it had acknowledged, the RPC that was in flight first in line.

// The test is the host: it reads corpus files and runs the relay.
#![allow(clippy::disallowed_methods)]

mod common;

use common::api::{self, Task};
use common::cpe::Cpe;
use common::{Server, request};
use std::path::Path;

const DEVICE: &str = "EC43F6-P-2601HN-F1-EC43F69AF408";

fn start(name: &str, data: &Path) -> Server {
    let dist = common::fake_dist(name);
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_cwmpkit"));
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--acs-listen", "127.0.0.1:0", "--dist"])
        .arg(&dist)
        .arg("--data-dir")
        .arg(data);
    common::start(command)
}

fn queue(server: &Server, task: &Task) -> String {
    api::queue(server, DEVICE, task)
}

fn get(server: &Server, path: &str) -> serde_json::Value {
    let reply = request(&server.app, "GET", path, &server.bearer(), b"");
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    serde_json::from_str(&reply.body).unwrap()
}

fn queue_ids(device: &serde_json::Value) -> Vec<String> {
    device["queue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The storage line the relay prints after the authentication line.
fn storage_line(server: &mut Server) -> String {
    (0..2)
        .filter_map(|_| server.next_line())
        .find(|l| l.starts_with("Storage:"))
        .unwrap_or_default()
}

#[test]
fn a_restart_after_sigkill_loses_nothing_acknowledged() {
    let data = common::scratch("storage-kill");
    let mut server = start("storage-kill", &data);
    assert!(storage_line(&mut server).contains("0 device(s) restored"));
    let mut cpe = Cpe::new(&server.acs);
    assert_eq!(cpe.post(&common::corpus("soap/cwmp_ex/inform-2601.xml")).status, 200);
    let values = queue(
        &server,
        &Task::GetParameterValues { names: vec!["InternetGatewayDevice.DeviceInfo.".to_owned()] },
    );
    let reset = queue(&server, &Task::FactoryReset);

    // The first RPC is answered (a stored result); the second is in flight when the relay dies.
    let sent = cpe.post(b"");
    assert!(sent.body.contains(&values), "{}", sent.body);
    let answer = String::from_utf8(common::corpus("soap/freeacs/GetParameterValuesResponse.xml"))
        .unwrap()
        .replace("FREEACS-0", &values);
    let next = cpe.post(answer.as_bytes());
    assert!(next.body.contains(&reset) && next.body.contains("FactoryReset"), "{}", next.body);
    let before = get(&server, &format!("/api/devices/{DEVICE}"));
    // Acknowledged just before the kill.
    let reboot = queue(&server, &Task::Reboot { command_key: "after-restart".to_owned() });
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    drop(server);

    let mut server = start("storage-kill", &data);
    assert!(storage_line(&mut server).contains("1 device(s) restored"));
    let device = get(&server, &format!("/api/devices/{DEVICE}"));
    assert_eq!(device["in_session"], false);
    assert_eq!(
        queue_ids(&device),
        [reset.clone(), reboot.clone()],
        "the RPC in flight first: {device}"
    );
    for field in ["parameters", "connection_request_url", "last_inform", "last_events", "device_id"]
    {
        assert_eq!(device[field], before[field], "{field}");
    }
    assert!(
        device["parameters"]
            .as_object()
            .unwrap()
            .keys()
            .any(|k| k.starts_with("InternetGatewayDevice.DeviceInfo.")),
        "values from the GetParameterValuesResponse are kept"
    );
    let results = get(&server, &format!("/api/devices/{DEVICE}/results"));
    let results = results.as_array().unwrap();
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(results[0]["request_id"], values.as_str());
    assert_eq!(results[0]["response"], "GetParameterValuesResponse");
    assert_eq!(get(&server, "/api/devices").as_array().unwrap().len(), 1);

    // New IDs do not reuse the old ones, and the device's next session starts where it was.
    let later = queue(&server, &Task::GetRPCMethods);
    assert!(![&values, &reset, &reboot].contains(&&later), "{later}");
    let mut cpe = Cpe::new(&server.acs);
    assert_eq!(cpe.post(&common::corpus("soap/cwmp_ex/inform-2601.xml")).status, 200);
    let resent = cpe.post(b"");
    assert!(
        resent.body.contains(&reset) && resent.body.contains("FactoryReset"),
        "{}",
        resent.body
    );
}

#[test]
fn results_are_capped_per_device_and_unknown_devices_have_none() {
    results_are_capped("storage-cap", true);
}

#[test]
fn without_a_data_dir_results_are_kept_in_memory() {
    results_are_capped("storage-memory", false);
}

fn results_are_capped(name: &str, on_disk: bool) {
    let dist = common::fake_dist(name);
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_cwmpkit"));
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--acs-listen", "127.0.0.1:0", "--dist"])
        .arg(&dist)
        .args(["--max-results", "2"]);
    if on_disk {
        command.arg("--data-dir").arg(common::scratch(name));
    }
    let server = common::start(command);
    let mut cpe = Cpe::new(&server.acs);
    assert_eq!(cpe.post(&common::corpus("soap/cwmp_ex/inform-2601.xml")).status, 200);
    let ids: Vec<String> = (0..3).map(|_| queue(&server, &Task::GetRPCMethods)).collect();
    let mut reply = cpe.post(b"");
    for id in &ids {
        assert!(reply.body.contains(id.as_str()), "{}", reply.body);
        let answer = format!(
            r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><soap:Header><cwmp:ID soap:mustUnderstand="1">{id}</cwmp:ID></soap:Header><soap:Body><cwmp:GetRPCMethodsResponse><MethodList><string>Inform</string></MethodList></cwmp:GetRPCMethodsResponse></soap:Body></soap:Envelope>"#
        );
        reply = cpe.post(answer.as_bytes());
    }
    assert_eq!(reply.status, 204);
    let results = get(&server, &format!("/api/devices/{DEVICE}/results"));
    let kept: Vec<&str> =
        results.as_array().unwrap().iter().map(|r| r["request_id"].as_str().unwrap()).collect();
    assert_eq!(kept, [ids[1].as_str(), ids[2].as_str()], "the newest two, oldest first");
    let unknown = request(&server.app, "GET", "/api/devices/nobody/results", &server.bearer(), b"");
    assert_eq!(unknown.status, 404);
}

/// A record the relay cannot read back (a database written by another version, a damaged
/// record) does not stop the start: the others are restored, and it is reported as a problem
/// (code `storage`) that names the record.
#[test]
fn a_record_that_cannot_be_read_is_reported_and_the_rest_restored() {
    let data = common::scratch("storage-unreadable");
    let server = start("storage-unreadable", &data);
    let mut cpe = Cpe::new(&server.acs);
    assert_eq!(cpe.post(&common::corpus("soap/cwmp_ex/inform-2601.xml")).status, 200);
    assert_eq!(cpe.post(b"").status, 204);
    drop(server);

    {
        let database = redb::Database::create(data.join("cwmpkit.redb")).unwrap();
        let write = database.begin_write().unwrap();
        {
            let devices = redb::TableDefinition::<&str, &[u8]>::new("devices");
            let mut table = write.open_table(devices).unwrap();
            table.insert("000000-Broken-1", b"{\"id\": 7".as_slice()).unwrap();
        }
        write.commit().unwrap();
    }

    let mut server = start("storage-unreadable", &data);
    let lines = server.lines();
    let mut seen = Vec::new();
    let problem = loop {
        let line = lines
            .recv_timeout(std::time::Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("no storage problem among {seen:?}"));
        if line.contains("not restored") {
            break line;
        }
        seen.push(line);
    };
    assert!(problem.starts_with("problem") && problem.contains("000000-Broken-1"), "{problem}");
    assert!(seen.iter().any(|l| l.contains("1 device(s) restored")), "{seen:?}");
    let devices = get(&server, "/api/devices");
    let ids: Vec<_> = devices.as_array().unwrap().iter().map(|d| d["id"].clone()).collect();
    assert_eq!(ids, [DEVICE], "the readable device is restored, the broken one is not");
}
