//! Helpers shared by the CWMP schema tests: where the BBF XSDs are, one valid
//! message of every kind, and xmllint run over many files at once.
//!
//! How xmllint runs offline: the cwmp XSDs import the SOAP envelope and encoding
//! schemas by URL (and cwmp-1-3/1-4 include their predecessors by URL). We have
//! no network, so `tests/schemas/catalog.xml` maps those URLs to two small
//! stand-in schemas written for these tests (`soap-envelope.xsd`,
//! `soap-encoding.xsd`) and to the cwmp XSDs in the shared corpus; xmllint gets
//! the catalog through `XML_CATALOG_FILES` and runs with `--nonet`. The
//! stand-in Body validates its children strictly, so every method is checked
//! against its declaration in the cwmp schema of the version encoded.
// reason: each test crate uses its own part of this module.
#![allow(dead_code)]

use cwmpkit_core::XsdType;
use cwmpkit_core::cwmp::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const SCHEMAS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schemas");
pub const XSDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/bbf-datamodels");

/// The XSD that validates an encoding in `version`.
pub fn xsd_for(version: CwmpVersion) -> String {
    let file = match version {
        CwmpVersion::V1_0 => "cwmp-1-0.xsd",
        CwmpVersion::V1_1 => "cwmp-1-1.xsd",
        // 1.2, 1.3 and 1.4 share the namespace; 1-4 is the superset.
        CwmpVersion::V1_2 => "cwmp-1-4.xsd",
    };
    xsd_path(file)
}

pub fn fault(code: u32) -> FaultStruct {
    FaultStruct {
        fault_code: code,
        fault_string: if code == 0 { String::new() } else { "failed".into() },
    }
}

pub fn op_result(autonomous: bool) -> OpResultStruct {
    OpResultStruct {
        uuid: "6ba7b810-9dad-11d1-80b4-00c04fd430c8".into(),
        deployment_unit_ref: "Device.SoftwareModules.DeploymentUnit.1".into(),
        version: "2.1".into(),
        current_state: "Installed".into(),
        resolved: true,
        execution_unit_ref_list: "Device.SoftwareModules.ExecutionUnit.1".into(),
        start_time: "2024-05-01T10:00:00Z".into(),
        complete_time: "2024-05-01T10:01:00Z".into(),
        fault: fault(0),
        operation_performed: autonomous.then(|| "Install".into()),
    }
}

pub fn pvs(name: &str, value_type: XsdType, text: &str) -> ParameterValueStruct {
    ParameterValueStruct { name: name.into(), value: Value::typed(value_type, text) }
}

/// One message of every kind, with values inside the schema's facets.
pub fn samples() -> Vec<Message> {
    use Message as M;
    let parameters = vec![
        pvs("Device.DeviceInfo.SoftwareVersion", XsdType::String, "1.2 <beta> & \"more\""),
        pvs("Device.ManagementServer.PeriodicInformInterval", XsdType::UnsignedInt, "300"),
        pvs("Device.ManagementServer.PeriodicInformEnable", XsdType::Boolean, "true"),
        pvs("Device.Time.CurrentLocalTime", XsdType::DateTime, "2024-05-01T10:00:00Z"),
        pvs("Device.X_ACME.Blob", XsdType::Base64, "aGVsbG8="),
        pvs("Device.X_ACME.Hex", XsdType::HexBinary, "0aff"),
        pvs("Device.X_ACME.Long", XsdType::Long, "-9000000000"),
        pvs("Device.X_ACME.Int", XsdType::Int, "-1"),
        pvs("Device.X_ACME.ULong", XsdType::UnsignedLong, "18446744073709551615"),
    ];
    vec![
        M::Inform(Inform {
            device_id: DeviceId {
                manufacturer: "Acme".into(),
                oui: "00D09E".into(),
                product_class: "Gateway".into(),
                serial_number: "SN123".into(),
            },
            events: vec![
                EventStruct { event_code: "0 BOOTSTRAP".into(), command_key: String::new() },
                EventStruct { event_code: "M Download".into(), command_key: "fw-1".into() },
            ],
            max_envelopes: 1,
            current_time: "2024-05-01T10:00:00+02:00".into(),
            retry_count: 0,
            parameter_list: parameters.clone(),
        }),
        M::InformResponse(InformResponse { max_envelopes: 1 }),
        M::TransferComplete(TransferComplete {
            command_key: "fw-1".into(),
            fault_struct: fault(9010),
            start_time: "2024-05-01T10:00:00Z".into(),
            complete_time: "2024-05-01T10:05:00Z".into(),
        }),
        M::TransferCompleteResponse,
        M::AutonomousTransferComplete(AutonomousTransferComplete {
            announce_url: "http://announce.example/".into(),
            transfer_url: "http://files.example/fw.bin".into(),
            is_download: true,
            file_type: "1 Firmware Upgrade Image".into(),
            file_size: 1024,
            target_file_name: "fw.bin".into(),
            fault_struct: fault(0),
            start_time: "2024-05-01T10:00:00Z".into(),
            complete_time: "2024-05-01T10:05:00Z".into(),
        }),
        M::AutonomousTransferCompleteResponse,
        M::RequestDownload(RequestDownload {
            file_type: "2 Web Content".into(),
            file_type_arg: vec![ArgStruct { name: "Version".into(), value: "2.0".into() }],
        }),
        M::RequestDownloadResponse,
        M::DUStateChangeComplete(DUStateChangeComplete {
            results: vec![op_result(false), op_result(false)],
            command_key: Some("du-1".into()),
        }),
        M::DUStateChangeCompleteResponse,
        M::AutonomousDUStateChangeComplete(AutonomousDUStateChangeComplete {
            results: vec![op_result(true)],
        }),
        M::AutonomousDUStateChangeCompleteResponse,
        M::Kicked(Kicked {
            command: "cmd".into(),
            referer: "http://portal.example/".into(),
            arg: "a".into(),
            next: "http://portal.example/next".into(),
        }),
        M::KickedResponse(KickedResponse { next_url: "http://portal.example/done".into() }),
        M::GetRPCMethods,
        M::GetRPCMethodsResponse(GetRPCMethodsResponse {
            method_list: vec!["GetRPCMethods".into(), "Inform".into()],
        }),
        M::SetParameterValues(SetParameterValues {
            parameter_list: parameters.clone(),
            parameter_key: "key-1".into(),
        }),
        M::SetParameterValuesResponse(SetParameterValuesResponse { status: 1 }),
        M::GetParameterValues(GetParameterValues {
            parameter_names: vec!["Device.DeviceInfo.".into(), "Device.Time.Enable".into()],
        }),
        M::GetParameterValuesResponse(GetParameterValuesResponse { parameter_list: parameters }),
        M::GetParameterNames(GetParameterNames {
            parameter_path: "Device.".into(),
            next_level: true,
        }),
        M::GetParameterNamesResponse(GetParameterNamesResponse {
            parameter_list: vec![
                ParameterInfoStruct { name: "Device.DeviceInfo.".into(), writable: false },
                ParameterInfoStruct { name: "Device.Time.Enable".into(), writable: true },
            ],
        }),
        M::SetParameterAttributes(SetParameterAttributes {
            parameter_list: vec![SetParameterAttributesStruct {
                name: "Device.Time.Enable".into(),
                notification_change: true,
                notification: 2,
                access_list_change: true,
                access_list: vec!["Subscriber".into()],
            }],
        }),
        M::SetParameterAttributesResponse,
        M::GetParameterAttributes(GetParameterAttributes {
            parameter_names: vec!["Device.Time.Enable".into()],
        }),
        M::GetParameterAttributesResponse(GetParameterAttributesResponse {
            parameter_list: vec![ParameterAttributeStruct {
                name: "Device.Time.Enable".into(),
                notification: 1,
                access_list: vec![],
            }],
        }),
        M::AddObject(AddObject {
            object_name: "Device.IP.Interface.".into(),
            parameter_key: "k".into(),
        }),
        M::AddObjectResponse(AddObjectResponse { instance_number: 3, status: 0 }),
        M::DeleteObject(DeleteObject {
            object_name: "Device.IP.Interface.3.".into(),
            parameter_key: String::new(),
        }),
        M::DeleteObjectResponse(DeleteObjectResponse { status: 0 }),
        M::Reboot(Reboot { command_key: "reboot-1".into() }),
        M::RebootResponse,
        M::Download(Download {
            command_key: "fw-1".into(),
            file_type: "1 Firmware Upgrade Image".into(),
            url: "http://files.example/fw.bin".into(),
            username: "u".into(),
            password: "p".into(),
            file_size: 0,
            target_file_name: String::new(),
            delay_seconds: 10,
            success_url: String::new(),
            failure_url: String::new(),
        }),
        M::DownloadResponse(TransferResponse {
            status: 1,
            start_time: "0001-01-01T00:00:00Z".into(),
            complete_time: "0001-01-01T00:00:00Z".into(),
        }),
        M::Upload(Upload {
            command_key: "log-1".into(),
            file_type: "2 Vendor Log File".into(),
            url: "http://files.example/upload".into(),
            username: String::new(),
            password: String::new(),
            delay_seconds: 0,
        }),
        M::UploadResponse(TransferResponse {
            status: 0,
            start_time: "2024-05-01T10:00:00Z".into(),
            complete_time: "2024-05-01T10:00:01Z".into(),
        }),
        M::FactoryReset,
        M::FactoryResetResponse,
        M::GetQueuedTransfers,
        M::GetQueuedTransfersResponse(GetQueuedTransfersResponse {
            transfer_list: vec![QueuedTransferStruct { command_key: "fw-1".into(), state: 2 }],
        }),
        M::GetAllQueuedTransfers,
        M::GetAllQueuedTransfersResponse(GetAllQueuedTransfersResponse {
            transfer_list: vec![AllQueuedTransferStruct {
                command_key: "fw-1".into(),
                state: 1,
                is_download: true,
                file_type: "1 Firmware Upgrade Image".into(),
                file_size: 4096,
                target_file_name: "fw.bin".into(),
            }],
        }),
        M::ScheduleInform(ScheduleInform { delay_seconds: 60, command_key: "si".into() }),
        M::ScheduleInformResponse,
        M::SetVouchers(SetVouchers { voucher_list: vec!["aGVsbG8=".into()] }),
        M::SetVouchersResponse,
        M::GetOptions(GetOptions { option_name: "Option A".into() }),
        M::GetOptionsResponse(GetOptionsResponse {
            option_list: vec![OptionStruct {
                option_name: "Option A".into(),
                voucher_sn: 7,
                state: 1,
                mode: 2,
                start_date: "2024-05-01T10:00:00Z".into(),
                expiration_date: Some("2025-05-01T10:00:00Z".into()),
                is_transferable: 1,
            }],
        }),
        M::ScheduleDownload(ScheduleDownload {
            command_key: "sd".into(),
            file_type: "1 Firmware Upgrade Image".into(),
            url: "http://files.example/fw.bin".into(),
            username: String::new(),
            password: String::new(),
            file_size: 10,
            target_file_name: String::new(),
            time_window_list: vec![TimeWindowStruct {
                window_start: 0,
                window_end: 3600,
                window_mode: "1 At Any Time".into(),
                user_message: String::new(),
                max_retries: -1,
            }],
        }),
        M::ScheduleDownloadResponse,
        M::CancelTransfer(CancelTransfer { command_key: "sd".into() }),
        M::CancelTransferResponse,
        M::ChangeDUState(ChangeDUState {
            operations: vec![
                Operation::Install {
                    url: "http://files.example/du.ipk".into(),
                    uuid: Some("6ba7b810-9dad-11d1-80b4-00c04fd430c8".into()),
                    username: None,
                    password: None,
                    execution_env_ref: Some("Device.SoftwareModules.ExecEnv.1".into()),
                },
                Operation::Update {
                    uuid: Some("6ba7b810-9dad-11d1-80b4-00c04fd430c8".into()),
                    version: Some("2.0".into()),
                    url: None,
                    username: None,
                    password: None,
                },
                Operation::Uninstall {
                    uuid: "6ba7b810-9dad-11d1-80b4-00c04fd430c8".into(),
                    version: None,
                    execution_env_ref: None,
                },
            ],
            command_key: Some("du-1".into()),
        }),
        M::ChangeDUStateResponse,
        M::Fault(SoapFault {
            fault_code: "SOAP-ENV:Client".into(),
            fault_string: "CWMP fault".into(),
            detail: Some(CwmpFault {
                fault_code: 9003,
                fault_string: "Invalid arguments".into(),
                set_parameter_values_faults: vec![SetParameterValuesFault {
                    parameter_name: "Device.Time.Enable".into(),
                    fault_code: 9007,
                    fault_string: "Invalid parameter value".into(),
                }],
            }),
        }),
    ]
}

/// Every header the version defines.
pub fn header_for(version: CwmpVersion) -> Header {
    Header {
        id: Some("42".into()),
        hold_requests: Some(false),
        no_more_requests: None,
        session_timeout: (version == CwmpVersion::V1_2).then_some(30),
        supported_cwmp_versions: (version == CwmpVersion::V1_2)
            .then(|| "1.0,1.1,1.2,1.3,1.4".into()),
        use_cwmp_version: (version == CwmpVersion::V1_2).then(|| "1.4".into()),
    }
}

/// The path of a cwmp XSD of the shared corpus, e.g. `cwmp-1-2.xsd`.
pub fn xsd_path(file: &str) -> String {
    format!("{XSDS}/{file}")
}

/// A fresh scratch directory for files handed to xmllint.
pub fn scratch_directory(name: &str) -> PathBuf {
    let directory = std::env::temp_dir().join(format!("cwmpkit-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::create_dir_all(&directory).expect("temp dir");
    directory
}

/// What xmllint says of one file: `Ok` when it validates, else its errors.
pub type Verdict = Result<(), Vec<String>>;

/// Validates `files` against the XSD at `xsd` in one xmllint run.
pub fn xmllint(xsd: &str, files: &[PathBuf]) -> BTreeMap<PathBuf, Verdict> {
    let mut verdicts = BTreeMap::new();
    for chunk in files.chunks(500) {
        let output = Command::new("xmllint")
            .env("XML_CATALOG_FILES", format!("{SCHEMAS}/catalog.xml"))
            .args(["--nonet", "--noout", "--schema", xsd])
            .args(chunk)
            .output()
            .expect("xmllint runs (Debian package libxml2-utils)");
        let report = String::from_utf8_lossy(&output.stderr);
        assert!(!report.contains("failed to compile"), "{xsd}:\n{report}");
        for file in chunk {
            verdicts.insert(file.clone(), verdict_of(&report, file));
        }
    }
    verdicts
}

fn verdict_of(report: &str, file: &Path) -> Verdict {
    let name = file.display().to_string();
    let errors: Vec<String> = report
        .lines()
        .filter(|line| line.strip_prefix(name.as_str()).is_some_and(|rest| rest.starts_with(':')))
        .map(str::to_owned)
        .collect();
    if report.lines().any(|line| line == format!("{name} validates")) && errors.is_empty() {
        return Ok(());
    }
    assert!(
        report.lines().any(|line| line == format!("{name} fails to validate")),
        "xmllint gave no verdict on {name}:\n{report}"
    );
    Err(errors)
}
