//! CPE authentication on `/acs`: Digest (and Basic only where allowed), a default credential and
//! one per device. The security probe's impersonation finding is a test here: a fake Inform
//! carrying a real device's ID got that device's queued SetParameterValues with its SIP password.

// The test is the host: it reads corpus files and writes credential files.
#![allow(clippy::disallowed_methods)]

mod common;

use common::cpe::Cpe;
use common::{Events, Server, request};
use std::ffi::OsStr;

const DEVICE: &str = "EC43F6-P-2601HN-F1-EC43F69AF408";
const SIP_PASSWORD: &str = "sip-secret-4711";

fn start(name: &str) -> Server {
    let dist = common::fake_dist(name);
    let dir = common::scratch(name);
    let password = dir.join("cpe-password");
    std::fs::write(&password, "fleet-secret\n").unwrap();
    let per_device = dir.join("credentials.csv");
    std::fs::write(
        &per_device,
        format!("device,username,password\n{DEVICE},cpe2601,\"own, secret\"\n"),
    )
    .unwrap();
    common::serve([
        OsStr::new("--dist"),
        dist.as_os_str(),
        OsStr::new("--cpe-username"),
        OsStr::new("fleet"),
        OsStr::new("--cpe-password-file"),
        password.as_os_str(),
        OsStr::new("--cpe-credentials"),
        per_device.as_os_str(),
    ])
}

fn queue_sip_password(server: &Server) -> String {
    let body = format!(
        r#"{{"rpc":"SetParameterValues","parameter_list":[{{"name":"InternetGatewayDevice.Services.VoiceService.1.VoiceProfile.1.Line.1.SIP.AuthPassword","value":"{SIP_PASSWORD}","xsd_type":"string"}}],"parameter_key":"k1"}}"#
    );
    let queued = request(
        &server.app,
        "POST",
        &format!("/api/devices/{DEVICE}/rpcs"),
        &server.bearer(),
        body.as_bytes(),
    );
    assert_eq!(queued.status, 202, "{}", queued.body);
    queued.body
}

fn queue_length(server: &Server) -> usize {
    let device =
        request(&server.app, "GET", &format!("/api/devices/{DEVICE}"), &server.bearer(), b"");
    let device: serde_json::Value = serde_json::from_str(&device.body).unwrap();
    device["queue"].as_array().map_or(0, Vec::len)
}

#[test]
fn a_fake_inform_with_a_real_device_id_gets_401_and_nothing_else() {
    let mut server = start("cpe-auth-impersonation");
    let started = server.next_line().unwrap();
    assert!(
        started.contains("Device authentication: Digest; default user \"fleet\"; 1 device(s)"),
        "{started}"
    );
    let events = Events::subscribe(&server);
    let inform = common::corpus("soap/cwmp_ex/inform-2601.xml");

    // Nobody is admitted without answering the challenge; Basic is not offered over plain HTTP.
    let mut anonymous = Cpe::new(&server.acs);
    let refused = anonymous.post(&inform);
    assert_eq!(refused.status, 401);
    assert!(refused.headers.contains("Digest realm=\"cwmpkit\""), "{}", refused.headers);
    assert!(!refused.headers.contains("Basic"), "{}", refused.headers);

    // The real device, with its own credential, opens a session and ends it.
    let mut device = Cpe::new(&server.acs).with_credential("cpe2601", "own, secret");
    assert_eq!(device.post(&inform).status, 200);
    assert_eq!(device.post(b"").status, 204);
    queue_sip_password(&server);

    // The attacker knows the fleet's default credential, and the device's ID.
    let mut attacker = Cpe::new(&server.acs).with_credential("fleet", "fleet-secret");
    let fake = attacker.post(&inform);
    assert_eq!(fake.status, 401, "{}", fake.body);
    let then = attacker.post(b"");
    assert_ne!(then.status, 200);
    for reply in [&fake, &then] {
        assert!(!reply.body.contains(SIP_PASSWORD) && !reply.body.contains("SetParameterValues"));
    }
    let problem =
        events.until("auth-failed", |e| e["event"] == "problem" && e["code"] == "auth-failed");
    assert_eq!(problem["device"], DEVICE);
    assert!(!problem.to_string().contains("fleet-secret"), "no password in {problem}");
    assert_eq!(queue_length(&server), 1, "the SetParameterValues still waits for its device");

    // The device itself gets it in its next session.
    assert_eq!(device.post(&inform).status, 200);
    let request = device.post(b"");
    assert!(request.body.contains("SetParameterValues") && request.body.contains(SIP_PASSWORD));
}

#[test]
fn the_default_credential_admits_devices_without_their_own() {
    let server = start("cpe-auth-default");
    let other = String::from_utf8(common::corpus("soap/cwmp_ex/inform-2601.xml"))
        .unwrap()
        .replace("EC43F69AF408", "EC43F6000001");
    let mut wrong = Cpe::new(&server.acs).with_credential("fleet", "guess");
    assert_eq!(wrong.post(other.as_bytes()).status, 401);
    let mut fleet = Cpe::new(&server.acs).with_credential("fleet", "fleet-secret");
    let admitted = fleet.post(other.as_bytes());
    assert_eq!(admitted.status, 200, "{}", admitted.body);
    assert!(admitted.body.contains("InformResponse"));
    // Every later POST of the session authenticates too (CPEs answer pre-emptively).
    assert_eq!(fleet.post(b"").status, 204);
    // Basic over plain HTTP is refused, with a reason.
    let mut basic = Cpe::new(&server.acs).with_credential("fleet", "fleet-secret");
    basic.prefers_basic = true;
    let refused = basic.post(other.as_bytes());
    assert_eq!(refused.status, 401);
    assert!(refused.body.contains("Basic"), "{}", refused.body);
}

#[test]
fn basic_is_accepted_when_the_flag_allows_it() {
    let dist = common::fake_dist("cpe-auth-basic");
    // A user without a password: refused at start with the reason.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_cwmpkit"))
        .args(["serve", "--listen", "127.0.0.1:0", "--acs-listen", "127.0.0.1:0", "--dist"])
        .arg(&dist)
        .args(["--cpe-username", "fleet"])
        .env_remove("CWMPKIT_CPE_PASSWORD")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--cpe-password"));

    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_cwmpkit"));
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--acs-listen", "127.0.0.1:0", "--dist"])
        .arg(&dist)
        .args(["--cpe-username", "fleet", "--cpe-basic-over-http"])
        .env("CWMPKIT_CPE_PASSWORD", "from-the-environment");
    let server = common::start(command);
    let mut basic = Cpe::new(&server.acs).with_credential("fleet", "from-the-environment");
    basic.prefers_basic = true;
    let inform = common::corpus("soap/cwmp_ex/inform-2601.xml");
    assert_eq!(basic.post(&inform).status, 200);
}

/// The fleet's credential and a device's session cookie (sniffed on plain HTTP) do not make a
/// session: each POST must be made with the credential of the device whose session it continues.
#[test]
fn a_credential_cannot_carry_on_another_devices_session() {
    let server = start("cpe-auth-session-bound");
    let events = Events::subscribe(&server);
    let inform = common::corpus("soap/cwmp_ex/inform-2601.xml");
    let mut device = Cpe::new(&server.acs).with_credential("cpe2601", "own, secret");
    assert_eq!(device.post(&inform).status, 200);
    queue_sip_password(&server);

    let mut attacker = Cpe::new(&server.acs).with_credential("fleet", "fleet-secret");
    attacker.cookie.clone_from(&device.cookie);
    let refused = attacker.post(b"");
    assert_eq!(refused.status, 401, "{}", refused.body);
    assert!(
        !refused.body.contains(SIP_PASSWORD) && !refused.body.contains("SetParameterValues"),
        "{}",
        refused.body
    );
    let problem =
        events.until("auth-failed", |e| e["event"] == "problem" && e["code"] == "auth-failed");
    assert_eq!(problem["device"], DEVICE);
    assert!(problem["message"].as_str().unwrap().contains("session"), "{problem}");
    assert_eq!(queue_length(&server), 1, "the SetParameterValues still waits for its device");

    // The device's own session goes on: it gets its request.
    let request = device.post(b"");
    assert_eq!(request.status, 200, "{}", request.body);
    assert!(request.body.contains("SetParameterValues") && request.body.contains(SIP_PASSWORD));
}

/// A Digest `Authorization` header seen on the wire cannot be sent again: its nonce count was
/// used.
#[test]
fn a_replayed_digest_header_is_refused() {
    let server = start("cpe-auth-replay");
    let events = Events::subscribe(&server);
    let inform = common::corpus("soap/cwmp_ex/inform-2601.xml");
    let mut device = Cpe::new(&server.acs).with_credential("cpe2601", "own, secret");
    assert_eq!(device.post(&inform).status, 200);
    let seen = device.last_authorization.clone();
    assert!(seen.starts_with("Authorization: Digest"), "{seen}");

    let replayed = request(&server.acs, "POST", "/acs", &seen, &inform);
    assert_eq!(replayed.status, 401, "{}", replayed.body);
    assert!(replayed.body.contains("replayed"), "{}", replayed.body);
    assert!(!replayed.body.contains("InformResponse"));
    let problem = events.until("replay", |e| e["event"] == "problem" && e["code"] == "auth-failed");
    assert!(problem["message"].as_str().unwrap().contains("replayed"), "{problem}");

    // The device, counting on, is not disturbed.
    assert_eq!(device.post(b"").status, 204);
}

/// A POST that is no Inform and continues no session is checked against the default credential
/// only: trying every device's would cost a hash per listed device for anyone who asks.
#[test]
fn a_post_outside_any_session_is_checked_against_the_default_only() {
    let server = start("cpe-auth-no-session");
    let events = Events::subscribe(&server);
    let mut stray = Cpe::new(&server.acs).with_credential("cpe2601", "own, secret");
    let refused = stray.post(b"");
    assert_eq!(refused.status, 401, "{}", refused.body);
    let problem =
        events.until("auth-failed", |e| e["event"] == "problem" && e["code"] == "auth-failed");
    let message = problem["message"].as_str().unwrap();
    assert!(message.contains("continues no session"), "{problem}");
    assert!(!message.contains("own, secret"), "{problem}");

    // The fleet's credential is still checked there (the ACS then answers as without a session).
    let mut fleet = Cpe::new(&server.acs).with_credential("fleet", "fleet-secret");
    assert_ne!(fleet.post(b"").status, 401);
    // And the device's own session goes on with its own credential.
    let mut device = Cpe::new(&server.acs).with_credential("cpe2601", "own, secret");
    assert_eq!(device.post(&common::corpus("soap/cwmp_ex/inform-2601.xml")).status, 200);
    assert_eq!(device.post(b"").status, 204);
}
