//! Generation end to end: CSV + a corpus template → files → zip → read back,
//! validated and compared; validation messages as a user reads them.
// reason: tests are the host here; they read the shared corpus from disk.
#![allow(clippy::disallowed_methods)]

use cwmpkit_core::provision::generate::{KeyChange, check_zip, diff, generate_bulk, to_zip};
use cwmpkit_core::provision::{Registry, check, parse};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/aastra");

#[test]
fn bulk_to_zip_and_back() {
    let template =
        b"tr69 server: {{acs}}\nsip line1 auth name: {{ext}}\nsip line1 password: {{secret}}\n";
    let csv = b"MAC,Ext,Secret,acs,admin password\r\n\
                00:08:5D:00:00:01,1001,a,https://acs:7547,1234\r\n\
                00085d000002,1002,b,http://acs,12x4\r\n";
    let bulk = generate_bulk(csv, Some(template), Registry::builtin()).unwrap();
    assert_eq!(bulk.files.len(), 2);
    let zip = to_zip(&bulk.files).unwrap();
    let checks = check_zip(&zip, Registry::builtin()).unwrap();
    let names: Vec<&str> = checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["00085D000001.cfg", "00085D000002.cfg"]);
    assert!(
        checks[0]
            .diagnostics
            .iter()
            .all(|d| d.code == "unknown-key" || d.severity < cwmpkit_core::Severity::Warning)
    );
    let messages: Vec<String> = checks[1].diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "line 4, column 17: `admin password` can only be entered on the keypad as digits, got `12x4`"
        ]
    );

    let first = parse(&bulk.files[0].bytes).file;
    let second = parse(&bulk.files[1].bytes).file;
    assert_eq!(
        diff(&first, &second),
        [
            KeyChange::Changed {
                key: "admin password".into(),
                before: "1234".into(),
                after: "12x4".into()
            },
            KeyChange::Changed {
                key: "sip line1 auth name".into(),
                before: "1001".into(),
                after: "1002".into()
            },
            KeyChange::Changed {
                key: "sip line1 password".into(),
                before: "a".into(),
                after: "b".into()
            },
            KeyChange::Changed {
                key: "tr69 server".into(),
                before: "https://acs:7547".into(),
                after: "http://acs".into()
            },
        ]
    );
}

#[test]
fn corpus_template_keeps_its_provisioner_placeholders() {
    // The provisioner.net template has `{$…}` placeholders of its own; a CSV
    // fills only `{{…}}` ones and key columns, everything else is kept.
    let template =
        std::fs::read(format!("{CORPUS}/provisioner-net/aastra/aap9xxx6xxx/MAC.cfg")).unwrap();
    let csv = b"mac,sip line1 auth name,tr69 server\n00085D0000AA,2001,https://acs.example\n";
    let bulk = generate_bulk(csv, Some(&template), Registry::builtin()).unwrap();
    let text = String::from_utf8(bulk.files[0].bytes.clone()).unwrap();
    assert!(text.starts_with(std::str::from_utf8(&template).unwrap()));
    assert!(text.ends_with("\nsip line1 auth name: 2001\ntr69 server: https://acs.example\n"));
}

#[test]
fn messages_a_user_can_act_on() {
    let input = b"# ACS\r\ntr69 server: http://acs.example:8080/cwmp\r\ntr69 server port: 80a\r\n\
tr69 server port: 9090\r\ntr69 periodic inform time: 2024-02-30T25:00:00\r\n\
tr69 periodic inform enable: yes\r\nTR69  Password: s3cret\r\nsip line1 auth nam: 1\r\n\
sip line10 auth name: 1\r\nsip line1 proxy port: 70000\r\nip: 10.0.0.2\r\n";
    let (_, diagnostics) = check("aastra.cfg", input);
    let messages: Vec<String> =
        diagnostics.iter().map(|d| format!("{}: {d}", d.severity)).collect();
    insta::assert_snapshot!("provision_messages", messages.join("\n"));
}

#[test]
fn mac_file_names_are_checked() {
    let (_, diagnostics) = check("00-08-5d-1a-2b-3c.cfg", b"dhcp: 1\n");
    assert_eq!(diagnostics[0].suggestion.as_deref(), Some("00085D1A2B3C.cfg"));
}
