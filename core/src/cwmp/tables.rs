//! Meanings of CWMP event codes, fault codes and file types.

/// The standard Inform event codes (TR-069 Amendment 6, table 7) and their meanings.
pub const EVENT_CODES: &[(&str, &str)] = &[
    ("0 BOOTSTRAP", "first contact with this ACS (factory reset or new ACS URL)"),
    ("1 BOOT", "the CPE booted (power cycle or reboot)"),
    ("2 PERIODIC", "periodic inform"),
    ("3 SCHEDULED", "inform requested by ScheduleInform"),
    ("4 VALUE CHANGE", "a parameter with notification changed value"),
    ("5 KICKED", "session started by a Kicked web page request"),
    ("6 CONNECTION REQUEST", "session requested by the ACS through a connection request"),
    ("7 TRANSFER COMPLETE", "a file transfer finished (TransferComplete follows)"),
    ("8 DIAGNOSTICS COMPLETE", "a diagnostic test requested by the ACS finished"),
    ("9 REQUEST DOWNLOAD", "the CPE wants to call RequestDownload"),
    ("10 AUTONOMOUS TRANSFER COMPLETE", "a transfer the ACS did not request finished"),
    ("11 DU STATE CHANGE COMPLETE", "a ChangeDUState finished (DUStateChangeComplete follows)"),
    (
        "12 AUTONOMOUS DU STATE CHANGE COMPLETE",
        "a deployment-unit change the ACS did not request finished",
    ),
    ("13 WAKEUP", "the CPE woke up from standby (CWMP 1.4)"),
];

/// The method events (`M <method>`) and their meanings.
pub const METHOD_EVENTS: &[(&str, &str)] = &[
    ("M Reboot", "a reboot requested by the ACS (Reboot) took place"),
    ("M ScheduleInform", "the inform ScheduleInform asked for"),
    ("M Download", "a Download requested by the ACS completed"),
    ("M ScheduleDownload", "a ScheduleDownload requested by the ACS completed"),
    ("M Upload", "an Upload requested by the ACS completed"),
    ("M ChangeDUState", "a ChangeDUState requested by the ACS completed"),
];

/// What an Inform event code means, in plain words. Standard codes, method
/// events (`M Download`, vendor `M X_…`) and vendor events (`X <OUI> <event>`)
/// all have one; codes are compared without case and surrounding spaces.
pub fn event_meaning(code: &str) -> Option<&'static str> {
    let code = code.trim();
    let standard = EVENT_CODES
        .iter()
        .chain(METHOD_EVENTS)
        .find(|(known, _)| known.eq_ignore_ascii_case(code))
        .map(|&(_, meaning)| meaning);
    if standard.is_some() {
        return standard;
    }
    if let Some(method) = code.strip_prefix("M ") {
        if method.trim_start().starts_with("X_") {
            return Some("a vendor method requested by the ACS completed");
        }
        return None;
    }
    if code.strip_prefix("X ").is_some_and(|rest| !rest.trim().is_empty()) {
        return Some("vendor-specific event");
    }
    None
}
