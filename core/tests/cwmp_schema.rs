//! The encoder's output is valid against the Broadband Forum's own XSDs
//! (xmllint runs offline; `common` says how).
// reason: tests are the host here; they write temporary files and run xmllint.
#![allow(clippy::disallowed_methods)]

mod common;

use common::*;
use cwmpkit_core::cwmp::*;

#[test]
fn samples_cover_every_message_kind() {
    let names: std::collections::BTreeSet<String> =
        samples().iter().map(|m| m.name().to_owned()).collect();
    // Every Message variant except EmptyBody, Vendor and Unknown (no schema for them).
    assert_eq!(names.len(), samples().len());
    assert_eq!(names.len(), 55, "{names:?}");
}

#[test]
fn encoding_of_every_message_is_valid_against_the_bbf_xsds() {
    let directory = scratch_directory("schema");
    for version in [CwmpVersion::V1_0, CwmpVersion::V1_1, CwmpVersion::V1_2] {
        let mut files = Vec::new();
        for message in samples() {
            if message.introduced_in() > version {
                continue;
            }
            let envelope = Envelope { version, header: header_for(version), message };
            assert!(version_problems(&envelope, version).is_empty());
            let xml = encode(&envelope, version).unwrap();
            // Each encoding also decodes back to itself, without findings.
            let decoded = decode(xml.as_bytes()).expect("decodes");
            assert_eq!(decoded.envelopes, vec![envelope.clone()], "{xml}");
            assert!(decoded.diagnostics.is_empty(), "{:?}\n{xml}", decoded.diagnostics);
            let path = directory.join(format!("{:?}-{}.xml", version, envelope.message.name()));
            std::fs::write(&path, xml).expect("write");
            files.push(path);
        }
        for (file, verdict) in xmllint(&xsd_for(version), &files) {
            assert_eq!(verdict, Ok(()), "{version:?}: {}", file.display());
        }
    }
    let _ = std::fs::remove_dir_all(&directory);
}
