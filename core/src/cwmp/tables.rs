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

/// CWMP fault codes (TR-069 Amendment 6, tables 64 and 65) and their meanings.
pub const FAULT_CODES: &[(u32, &str)] = &[
    (8000, "method not supported (ACS)"),
    (8001, "request denied (ACS)"),
    (8002, "internal error (ACS)"),
    (8003, "invalid arguments (ACS)"),
    (8004, "resources exceeded (ACS)"),
    (8005, "retry request (ACS)"),
    (8006, "ACS version incompatible"),
    (9000, "method not supported"),
    (9001, "request denied"),
    (9002, "internal error"),
    (9003, "invalid arguments"),
    (9004, "resources exceeded"),
    (9005, "invalid parameter name"),
    (9006, "invalid parameter type"),
    (9007, "invalid parameter value"),
    (9008, "attempt to set a non-writable parameter"),
    (9009, "notification request rejected"),
    (9010, "file transfer failure"),
    (9011, "upload failure"),
    (9012, "file transfer server authentication failure"),
    (9013, "unsupported protocol for file transfer"),
    (9014, "file transfer failure: unable to join multicast group"),
    (9015, "file transfer failure: unable to contact file server"),
    (9016, "file transfer failure: unable to access file"),
    (9017, "file transfer failure: unable to complete download"),
    (9018, "file transfer failure: file corrupted"),
    (9019, "file transfer failure: file authentication failure"),
    (9020, "file transfer failure: unable to complete download within the time windows"),
    (9021, "cancelation of file transfer not permitted in current transfer state"),
    (9022, "invalid UUID format"),
    (9023, "unknown execution environment"),
    (9024, "disabled execution environment"),
    (9025, "deployment unit to execution environment mismatch"),
    (9026, "duplicate deployment unit"),
    (9027, "system resources exceeded"),
    (9028, "unknown deployment unit"),
    (9029, "invalid deployment unit state"),
    (9030, "invalid deployment unit update: downgrade not permitted"),
    (9031, "invalid deployment unit update: version not specified"),
    (9032, "invalid deployment unit update: version already exists"),
];

/// What a fault code means; 0 is success, 8800–8899 and 9800–9899 are vendor ranges.
pub fn fault_meaning(code: u32) -> Option<&'static str> {
    match code {
        0 => Some("success"),
        8800..=8899 => Some("vendor-specific ACS fault"),
        9800..=9899 => Some("vendor-specific CPE fault"),
        _ => FAULT_CODES.iter().find(|(known, _)| *known == code).map(|&(_, meaning)| meaning),
    }
}

/// Whether TransferComplete / AutonomousTransferComplete may carry this code.
pub fn is_transfer_complete_fault(code: u32) -> bool {
    matches!(code, 0 | 9001 | 9002 | 9010..=9012 | 9014..=9020 | 9800..=9899)
}

/// Download and RequestDownload file types.
pub const DOWNLOAD_FILE_TYPES: &[(&str, &str)] = &[
    ("1 Firmware Upgrade Image", "firmware image"),
    ("2 Web Content", "web content for the CPE's web server"),
    ("3 Vendor Configuration File", "vendor configuration file"),
    ("4 Tone File", "tone file (TR-104 voice)"),
    ("5 Ringer File", "ringer file (TR-104 voice)"),
];

/// Upload file types (`3`/`4` carry an instance number).
pub const UPLOAD_FILE_TYPES: &[(&str, &str)] = &[
    ("1 Vendor Configuration File", "vendor configuration file"),
    ("2 Vendor Log File", "vendor log file"),
];

/// What a file type means; download types win over upload types where the
/// number is shared, as `Download` is by far the common case.
pub fn file_type_meaning(file_type: &str) -> Option<&'static str> {
    let file_type = file_type.trim();
    if let Some(&(_, meaning)) = DOWNLOAD_FILE_TYPES
        .iter()
        .chain(UPLOAD_FILE_TYPES)
        .find(|(known, _)| known.eq_ignore_ascii_case(file_type))
    {
        return Some(meaning);
    }
    if let Some(rest) = file_type.strip_prefix("3 Vendor Configuration File ") {
        return rest
            .trim()
            .parse::<u32>()
            .is_ok()
            .then_some("vendor configuration file (instance)");
    }
    if let Some(rest) = file_type.strip_prefix("4 Vendor Log File ") {
        return rest.trim().parse::<u32>().is_ok().then_some("vendor log file (instance)");
    }
    if file_type.strip_prefix("X ").is_some_and(|rest| !rest.trim().is_empty()) {
        return Some("vendor-specific file type");
    }
    None
}

/// What a notification attribute value means.
pub fn notification_meaning(value: i32) -> Option<&'static str> {
    Some(match value {
        0 => "off",
        1 => "passive",
        2 => "active",
        3 => "passive lightweight",
        4 => "passive with passive lightweight",
        5 => "active lightweight",
        6 => "passive with active lightweight",
        _ => return None,
    })
}

/// What a queued transfer `State` means.
pub fn transfer_state_meaning(state: i32) -> Option<&'static str> {
    Some(match state {
        1 => "not yet started",
        2 => "in progress",
        3 => "completed, finishing or cleaning up",
        _ => return None,
    })
}
