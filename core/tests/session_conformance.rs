//! The conformance checker over hand-written HTTP transcripts, one rule broken at a time, and a
//! snapshot of a session that breaks many.

use cwmpkit_core::Severity;
use cwmpkit_core::capture::Options;
use cwmpkit_core::pipeline;
use cwmpkit_core::session::{Report, conformance};

const CWMP_1_0: &str = "urn:dslforum-org:cwmp-1-0";

fn envelope(namespace: &str, id: &str, header_extra: &str, body: &str) -> String {
    format!(
        r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:cwmp="{namespace}"><soap:Header><cwmp:ID soap:mustUnderstand="1">{id}</cwmp:ID>{header_extra}</soap:Header><soap:Body>{body}</soap:Body></soap:Envelope>"#
    )
}

fn inform(id: &str) -> String {
    envelope(
        CWMP_1_0,
        id,
        "",
        r#"<cwmp:Inform><DeviceId><Manufacturer>Acme</Manufacturer><OUI>00AABB</OUI><ProductClass>Box</ProductClass><SerialNumber>SN1</SerialNumber></DeviceId><Event soap-enc:arrayType="cwmp:EventStruct[1]"><EventStruct><EventCode>1 BOOT</EventCode><CommandKey></CommandKey></EventStruct></Event><MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2024-01-01T00:00:00Z</CurrentTime><RetryCount>0</RetryCount><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[0]"></ParameterList></cwmp:Inform>"#,
    )
}

fn inform_response(id: &str, max: &str) -> String {
    envelope(
        CWMP_1_0,
        id,
        "",
        &format!("<cwmp:InformResponse><MaxEnvelopes>{max}</MaxEnvelopes></cwmp:InformResponse>"),
    )
}

fn post(body: &str, headers: &str) -> String {
    format!(
        "POST /acs HTTP/1.1\r\nHost: acs\r\n{headers}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

fn ok(body: &str, headers: &str) -> String {
    let status = if body.is_empty() { "204 No Content" } else { "200 OK" };
    format!("HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\n\r\n{body}", body.len())
}

fn rules(report: &Report) -> Vec<String> {
    report.sessions.iter().flat_map(|s| s.findings.iter().map(|f| f.code.to_string())).collect()
}

fn analyze(transcript: &str) -> Report {
    pipeline::analyze(transcript.as_bytes(), &Options::default()).unwrap()
}

#[test]
fn a_clean_session_has_no_findings() {
    let transcript = [
        post(&inform("1"), ""),
        ok(&inform_response("1", "1"), "Set-Cookie: s=abc; Path=/\r\n"),
        post("", "Cookie: s=abc\r\n"),
        ok(&envelope(CWMP_1_0, "a1", "", "<cwmp:GetParameterValues><ParameterNames soap-enc:arrayType=\"xsd:string[1]\"><string>Device.</string></ParameterNames></cwmp:GetParameterValues>"), ""),
        post(&envelope(CWMP_1_0, "a1", "", "<cwmp:GetParameterValuesResponse><ParameterList soap-enc:arrayType=\"cwmp:ParameterValueStruct[0]\"></ParameterList></cwmp:GetParameterValuesResponse>"), "Cookie: s=abc\r\n"),
        ok("", ""),
    ]
    .concat();
    let report = analyze(&transcript);
    assert_eq!(report.sessions.len(), 1);
    assert!(report.sessions[0].ended);
    assert_eq!(rules(&report), Vec::<String>::new());
    assert_eq!(report.sessions[0].cpe.as_ref().unwrap().serial_number, "SN1");
}

/// Sections of TR-069 Issue 1 Amendment 6 that rules may point to.
const SECTIONS: [&str; 13] = [
    "3.4.1", "3.4.2", "3.4.4", "3.5", "3.7.1.1", "3.7.1.4", "3.7.2.4", "A.2.1", "A.3", "A.3.3.1",
    "A.3.3.2", "A.4", "A.5",
];

#[test]
fn every_rule_has_an_id_a_severity_an_explanation_and_a_clause() {
    let source = include_str!("../src/session/conformance.rs");
    let defined = source.matches(": Rule = Rule {").count();
    assert_eq!(conformance::RULES.len(), defined, "every rule is listed in RULES");
    let mut ids: Vec<&str> = conformance::RULES.iter().map(|r| r.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), conformance::RULES.len(), "rule ids are unique");
    for rule in conformance::RULES {
        let kebab =
            rule.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        assert!(kebab && !rule.id.starts_with('-') && !rule.id.ends_with('-'), "{}", rule.id);
        assert!(matches!(rule.severity, Severity::Warning | Severity::Error), "{}", rule.id);
        assert!(
            rule.explanation.len() > 20 && rule.explanation.ends_with('.'),
            "{}: {}",
            rule.id,
            rule.explanation
        );
        assert!(rule.clause.starts_with("TR-069 §"), "{}: {}", rule.id, rule.clause);
        // Every TR-069 § reference names a known section; other documents are named (RFC …).
        for part in rule.clause.split("; ") {
            if part.starts_with("RFC ") {
                continue;
            }
            assert!(part.starts_with("TR-069 §"), "{}: {part}", rule.id);
            for reference in part.split('§').skip(1) {
                let number = reference.split([' ', ',', ')']).next().unwrap_or("");
                assert!(SECTIONS.contains(&number), "{}: unknown section {number}", rule.id);
            }
        }
        assert!(rule.clause.contains('('), "{}: {}", rule.id, rule.clause);
    }
}

#[test]
fn a_session_breaking_many_rules() {
    let transcript = [
        // 401 twice: wrong credentials first.
        post(&inform("1"), "Authorization: Basic dXNlcjp3cm9uZw==\r\n"),
        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"acs\"\r\nContent-Length: 0\r\n\r\n".to_string(),
        post(&inform("1"), "Authorization: Basic dXNlcjp3cm9uZzI=\r\n"),
        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"acs\"\r\nContent-Length: 0\r\n\r\n".to_string(),
        post(&inform("1"), ""),
        // MaxEnvelopes 5, ID not echoed, cookie set.
        ok(&inform_response("2", "5"), "Set-Cookie: s=abc\r\n"),
        // TransferComplete with no Download before it, a fault code it may not carry, no cookie.
        post(&envelope(CWMP_1_0, "3", "", "<cwmp:TransferComplete><CommandKey>k1</CommandKey><FaultStruct><FaultCode>9005</FaultCode><FaultString>x</FaultString></FaultStruct></cwmp:TransferComplete>"), ""),
        // Answered with the wrong response, HoldRequests set.
        ok(&envelope(CWMP_1_0, "3", "<cwmp:HoldRequests soap:mustUnderstand=\"1\">1</cwmp:HoldRequests>", "<cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse>"), ""),
        // A request while HoldRequests is true, in an unknown namespace; an answer whose
        // arrayType counts more items than it has.
        post(&envelope("urn:example:not-cwmp", "4", "", "<cwmp:GetRPCMethods/>"), ""),
        ok(&envelope(CWMP_1_0, "4", "", "<cwmp:GetRPCMethodsResponse><MethodList soap-enc:arrayType=\"xsd:string[3]\"><string>Inform</string></MethodList></cwmp:GetRPCMethodsResponse>"), ""),
        // The capture ends without the empty POST / 204.
    ]
    .concat();
    let report = analyze(&transcript);
    assert_eq!(report.sessions.len(), 1);
    let findings: Vec<String> = report.sessions[0]
        .findings
        .iter()
        .map(|f| {
            format!("{:?} {}: {} [{}]", f.severity, f.code, f.message, f.clause.as_deref().unwrap())
        })
        .collect();
    insta::assert_json_snapshot!("session_conformance_many_rules", findings);
    let mut broken = rules(&report);
    broken.sort();
    broken.dedup();
    for expected in [
        "repeated-401",
        "max-envelopes",
        "id-not-echoed",
        "transfer-complete-without-transfer",
        "fault-code-not-allowed",
        "response-mismatch",
        "request-while-hold-requests",
        "unknown-namespace",
        "array-type-count-mismatch",
        "session-not-ended",
        "cookie-not-returned",
    ] {
        assert!(broken.iter().any(|r| r == expected), "{expected} missing from {broken:?}");
    }
    // Basic passwords never appear unless asked for.
    let json = serde_json::to_string(&report).unwrap();
    assert!(
        !json.contains("dXNlcjp3cm9uZw") && !json.contains(":wrong") && json.contains("********")
    );
}

#[test]
fn inform_not_first_and_transfer_complete_after_a_download_in_an_earlier_session() {
    let download = envelope(
        CWMP_1_0,
        "d1",
        "",
        "<cwmp:Download><CommandKey>fw1</CommandKey><FileType>1 Firmware Upgrade Image</FileType><URL>http://x/fw</URL></cwmp:Download>",
    );
    let first = [
        post(&inform("1"), ""),
        ok(&inform_response("1", "1"), ""),
        post("", ""),
        ok(&download, ""),
        post(
            &envelope(
                CWMP_1_0,
                "d1",
                "",
                "<cwmp:DownloadResponse><Status>1</Status></cwmp:DownloadResponse>",
            ),
            "",
        ),
        ok("", ""),
    ]
    .concat();
    let second = [
        post(&inform("2"), ""),
        ok(&inform_response("2", "1"), ""),
        post(&envelope(CWMP_1_0, "3", "", "<cwmp:TransferComplete><CommandKey>fw1</CommandKey><FaultStruct><FaultCode>0</FaultCode><FaultString></FaultString></FaultStruct></cwmp:TransferComplete>"), ""),
        ok(&envelope(CWMP_1_0, "3", "", "<cwmp:TransferCompleteResponse/>"), ""),
        post("", ""),
        ok("", ""),
    ]
    .concat();
    let report = analyze(&format!("{first}{second}"));
    assert_eq!(report.sessions.len(), 2);
    assert_eq!(rules(&report), Vec::<String>::new());

    let headless = [
        post(&envelope(CWMP_1_0, "9", "", "<cwmp:GetRPCMethods/>"), ""),
        ok(&envelope(CWMP_1_0, "9", "", "<cwmp:GetRPCMethodsResponse><MethodList soap-enc:arrayType=\"xsd:string[0]\"></MethodList></cwmp:GetRPCMethodsResponse>"), ""),
        post("", ""),
        ok("", ""),
    ]
    .concat();
    assert_eq!(rules(&analyze(&headless)), ["inform-not-first"]);
}

#[test]
fn connection_requests_are_listed_apart() {
    let transcript = "GET /cr?x=1 HTTP/1.1\r\nHost: cpe:7547\r\n\r\nHTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"cpe\", nonce=\"n\"\r\nContent-Length: 0\r\n\r\nGET /cr?x=1 HTTP/1.1\r\nHost: cpe:7547\r\nAuthorization: Digest username=\"acs\", realm=\"cpe\", nonce=\"n\", uri=\"/cr?x=1\", response=\"abc\"\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n";
    let report = analyze(transcript);
    assert!(report.sessions.is_empty());
    let request = &report.connection_requests[0];
    assert_eq!(request.statuses, [401, 204]);
    assert_eq!(request.credentials.as_ref().unwrap().username.as_deref(), Some("acs"));
}
