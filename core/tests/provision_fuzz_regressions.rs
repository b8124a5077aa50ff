//! Seeds and finds of the provisioning fuzz targets (`fuzz/fuzz_targets/provision_*.rs`), run
//! through the same checks (`fuzzing::provision`), so a fixed bug stays fixed.

use cwmpkit_core::fuzzing::provision::{check_bulk, check_parse, check_zip};
use cwmpkit_core::provision::zip::ZipWriter;

#[test]
fn zip_seeds_pass() {
    let mut writer = ZipWriter::new();
    writer.add("aastra.cfg", b"tr69 server: https://acs.example.com/acs\n").unwrap();
    writer.add("00085D1A2B3C.cfg", "sip line1 auth name: 1001\n".repeat(100).as_bytes()).unwrap();
    writer.add("dir/", b"").ok();
    let archive = writer.finish().unwrap();
    check_zip(&archive).unwrap();
    // Cut anywhere, the archive is an error or fewer files, never a panic.
    for end in (0..archive.len()).step_by(7) {
        check_zip(&archive[..end]).unwrap();
    }
}

#[test]
fn bulk_seeds_pass() {
    check_bulk(b"mac,sip line1 auth name,name\n00:08:5d:1a:2b:3c,1001,Ann\n00085D1A2B3D,1002,Bob\n\xFFsip line1 display name: {{name}}\n")
        .unwrap();
    check_bulk(b"mac;tr69 server\n00085d1a2b3c;http://acs:7547/x\n").unwrap();
    check_bulk(b"\"mac\nx").unwrap();
}

#[test]
fn parse_seeds_pass() {
    check_parse(b"[Aastra6867i]\r\n!sip line1 auth name: \"a b\" #c\r\n^dhcp:\n{loop}\n").unwrap();
}
