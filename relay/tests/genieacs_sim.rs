//! `cwmpkit serve` driven by a real third-party CPE: the GenieACS simulator (genieacs-sim 0.9.0,
//! Node, one process per device; `cargo xtask setup` installs it). Several simulated devices
//! inform the relay; the API queues GetParameterNames, GetParameterValues, SetParameterValues,
//! two Downloads from `/files/`, a Reboot and a FactoryReset, a connection request to the simulator's own
//! listener opens the session that runs them, and the event stream and the API report each
//! answer. Every API call goes through `common::api`.
//!
//! What the simulator does not implement it answers with a CWMP fault (its `methods.js` has no
//! Reboot and no FactoryReset: fault 9000, "Method not supported"), and that fault is what the
//! relay must report.
//! It reports a Download's outcome in a TransferComplete at the start of its next session.

mod common;

use common::api::{self, EventLog, Task};
use common::genieacs_sim::{Simulators, device_id};
use std::ffi::OsStr;

const DEVICES: u32 = 3;
const PROVISIONING_CODE: &str = "InternetGatewayDevice.DeviceInfo.ProvisioningCode";
const PERIODIC_INFORM_INTERVAL: &str =
    "InternetGatewayDevice.ManagementServer.PeriodicInformInterval";
const SERIAL_NUMBER: &str = "InternetGatewayDevice.DeviceInfo.SerialNumber";
const CONNECTION_REQUEST_URL: &str = "InternetGatewayDevice.ManagementServer.ConnectionRequestURL";

fn start_relay() -> common::Server {
    let dist = common::fake_dist("genieacs-sim");
    let files = common::scratch("genieacs-sim-files");
    std::fs::write(files.join("firmware.bin"), vec![0x5a; 64 * 1024]).unwrap();
    common::serve([
        OsStr::new("--dist"),
        dist.as_os_str(),
        OsStr::new("--files"),
        files.as_os_str(),
        // The simulator listens for connection requests on 127.0.0.1.
        OsStr::new("--allow-local-cpe"),
        OsStr::new("--quiet"),
    ])
}

fn text<'a>(value: &'a serde_json::Value, field: &str) -> &'a str {
    value[field].as_str().unwrap_or_else(|| panic!("no text {field} in {value}"))
}

/// The `(name, value)` pairs of a GetParameterValuesResponse as core serializes it.
fn values(response: &serde_json::Value) -> Vec<(String, String)> {
    response["parameter_list"]
        .as_array()
        .unwrap_or_else(|| panic!("no parameter_list in {response}"))
        .iter()
        .map(|p| (text(p, "name").to_owned(), text(&p["value"], "text").to_owned()))
        .collect()
}

#[test]
fn genieacs_simulators_inform_and_answer_every_queued_rpc() {
    // Fails here, saying to run `cargo xtask setup`, when the simulator is not installed.
    common::genieacs_sim::installed();
    let server = start_relay();
    let mut events = EventLog::subscribe(&server);
    let simulators = Simulators::start(&format!("http://{}/acs", server.acs), 0, DEVICES);
    let devices: Vec<String> = (0..DEVICES).map(device_id).collect();

    // Each simulator process informs on its own and ends its session with an empty POST.
    for device in &devices {
        assert_eq!(events.session_started(device), ["2 PERIODIC"], "{device}");
        events.sessions_ended(device, 1);
    }
    let mut known = api::device_ids(&server);
    known.sort();
    assert_eq!(known, devices);
    for device in &devices {
        let seen = api::device(&server, device);
        let url = seen.connection_request_url.unwrap_or_default();
        assert!(url.starts_with("http://127.0.0.1:"), "{device} reported {url:?}");
        assert_eq!(seen.parameters.get(CONNECTION_REQUEST_URL), Some(&url));
        assert!(!seen.in_session);
    }

    // Everything for the first device, queued while it is idle.
    let first = &devices[0];
    let files = api::files_url(&server);
    let gpn = Task::GetParameterNames {
        path: "InternetGatewayDevice.ManagementServer.".to_owned(),
        next_level: true,
    };
    let gpv = Task::GetParameterValues {
        names: vec![PERIODIC_INFORM_INTERVAL.to_owned(), SERIAL_NUMBER.to_owned()],
    };
    let spv = Task::SetParameterValues {
        values: vec![(
            PROVISIONING_CODE.to_owned(),
            "xsd:string".to_owned(),
            "cwmpkit-proof".to_owned(),
        )],
        parameter_key: "proof-1".to_owned(),
    };
    let read_back = Task::GetParameterValues { names: vec![PROVISIONING_CODE.to_owned()] };
    let download =
        Task::Download { command_key: "firmware".to_owned(), url: format!("{files}firmware.bin") };
    let missing =
        Task::Download { command_key: "missing".to_owned(), url: format!("{files}missing.bin") };
    let reboot = Task::Reboot { command_key: "proof-reboot".to_owned() };
    let ids: Vec<String> =
        [&gpn, &gpv, &spv, &read_back, &download, &missing, &reboot, &Task::FactoryReset]
            .into_iter()
            .map(|task| api::queue(&server, first, task))
            .collect();
    assert_eq!(api::device(&server, first).queued, ids.len());

    // The connection request reaches the simulator's listener, which opens a session at once.
    let asked = api::connection_request(&server, first);
    assert!(asked.accepted && asked.status == Some(200), "{asked:?}");
    assert_eq!(events.session_started_after(first, 1), ["6 CONNECTION REQUEST"]);

    let answers: Vec<api::Completed> = ids.iter().map(|id| events.completed(first, id)).collect();
    let pairs: Vec<(&str, &str)> =
        answers.iter().map(|a| (a.request.as_str(), a.response.as_str())).collect();
    assert_eq!(
        pairs[..6],
        [
            ("GetParameterNames", "GetParameterNamesResponse"),
            ("GetParameterValues", "GetParameterValuesResponse"),
            ("SetParameterValues", "SetParameterValuesResponse"),
            ("GetParameterValues", "GetParameterValuesResponse"),
            ("Download", "DownloadResponse"),
            ("Download", "DownloadResponse"),
        ]
    );
    assert!(answers[..6].iter().all(|a| a.fault.is_none()), "{answers:#?}");
    // genieacs-sim has neither Reboot nor FactoryReset (its README says otherwise; its
    // methods.js has no such method): it answers each with a SOAP Fault, which the relay pairs
    // with the request it answers.
    for (answer, request) in answers[6..].iter().zip(["Reboot", "FactoryReset"]) {
        assert_eq!(answer.request, request);
        assert_eq!(answer.fault, Some((9000, "Method not supported".to_owned())), "{answer:?}");
    }

    let names = events.sent_by_cpe(first, "GetParameterNamesResponse", 1);
    let names: Vec<&str> = names["parameter_list"]
        .as_array()
        .unwrap_or_else(|| panic!("no parameter_list in {names}"))
        .iter()
        .map(|p| text(p, "name"))
        .collect();
    assert!(names.contains(&PERIODIC_INFORM_INTERVAL), "{names:?}");
    assert!(
        names.iter().all(|n| n
            .strip_prefix("InternetGatewayDevice.ManagementServer.")
            .is_some_and(|rest| !rest.trim_end_matches('.').contains('.') && !rest.is_empty())),
        "NextLevel asks for the children only: {names:?}"
    );
    assert_eq!(
        values(&events.sent_by_cpe(first, "GetParameterValuesResponse", 1)),
        [
            (PERIODIC_INFORM_INTERVAL.to_owned(), "300".to_owned()),
            (SERIAL_NUMBER.to_owned(), "000000".to_owned())
        ]
    );
    assert_eq!(events.sent_by_cpe(first, "SetParameterValuesResponse", 1)["status"], 0);
    assert_eq!(
        values(&events.sent_by_cpe(first, "GetParameterValuesResponse", 2)),
        [(PROVISIONING_CODE.to_owned(), "cwmpkit-proof".to_owned())],
        "the value set is read back"
    );
    // 1: the transfer is under way; its outcome comes in a TransferComplete.
    assert_eq!(events.sent_by_cpe(first, "DownloadResponse", 1)["status"], 1);
    events.sessions_ended(first, 2);
    let after = api::device(&server, first);
    assert_eq!(after.queued, 0);
    assert_eq!(after.parameters.get(PERIODIC_INFORM_INTERVAL).map(String::as_str), Some("300"));

    // The next session (asked for again: the simulator's periodic interval is 300 s) starts
    // with the two TransferCompletes: the file from /files/ arrived, the missing one got 404.
    let asked = api::connection_request(&server, first);
    assert!(asked.accepted, "{asked:?}");
    assert_eq!(events.session_started_after(first, 2), ["6 CONNECTION REQUEST"]);
    let fetched = events.sent_by_cpe(first, "TransferComplete", 1);
    assert_eq!(text(&fetched, "command_key"), "firmware", "{fetched}");
    assert_eq!(fetched["fault_struct"]["fault_code"], 0, "the firmware was served: {fetched}");
    let refused = events.sent_by_cpe(first, "TransferComplete", 2);
    assert_eq!(text(&refused, "command_key"), "missing", "{refused}");
    assert_eq!(refused["fault_struct"]["fault_code"], 9016, "{refused}");
    assert_eq!(text(&refused["fault_struct"], "fault_string"), "Unexpected response 404");
    events.sessions_ended(first, 3);
    // Its Inform carried the provisioning code set two sessions ago.
    assert_eq!(
        api::device(&server, first).parameters.get(PROVISIONING_CODE).map(String::as_str),
        Some("cwmpkit-proof")
    );

    // Every other simulator is a device of its own: each answers with its own serial number.
    let asked: Vec<(String, String)> = devices[1..]
        .iter()
        .map(|device| {
            let serial = Task::GetParameterValues { names: vec![SERIAL_NUMBER.to_owned()] };
            let id = api::queue(&server, device, &serial);
            assert!(api::connection_request(&server, device).accepted, "{device}");
            (device.clone(), id)
        })
        .collect();
    for (device, id) in &asked {
        let answer = events.completed(device, id);
        assert_eq!(answer.response, "GetParameterValuesResponse", "{device}: {answer:?}");
        let serial = device.rsplit('-').next().unwrap();
        assert_eq!(
            api::device(&server, device).parameters.get(SERIAL_NUMBER).map(String::as_str),
            Some(serial)
        );
    }

    assert!(simulators.deaths().is_empty(), "a simulator process died:\n{}", simulators.output());
    assert_eq!(events.problems(), Vec::<String>::new(), "the relay reported problems");
}
