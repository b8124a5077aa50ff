//! Properties of the config reader/writer over generated inputs: the same
//! invariants the fuzz target checks (`cwmpkit_core::fuzzing::provision::check_parse`).

use cwmpkit_core::fuzzing::provision as fuzzing;
use cwmpkit_core::provision::parse;
use proptest::prelude::*;

/// Lines that look like config files: entries with prefixes, quotes,
/// comments, odd spacing, sections, CRLF/LF, and Latin-1 bytes.
fn config_like() -> impl Strategy<Value = Vec<u8>> {
    let line = prop_oneof![
        "[!^ ]?[a-zA-Z0-9 ]{1,20}: ?[a-z0-9\"# .:/]{0,20}",
        "#[ -~]{0,20}",
        "\\[[A-Za-z0-9]{1,8}\\]",
        "[ \t]{0,3}",
        "[{}<>$a-z]{1,10}",
    ];
    (
        prop::collection::vec((line, prop::bool::ANY, prop::bool::ANY), 0..12),
        prop::bool::ANY,
        prop::bool::ANY,
    )
        .prop_map(|(lines, drop_last_newline, latin1)| {
            let mut out = Vec::new();
            for (text, crlf, high_byte) in lines {
                out.extend_from_slice(text.as_bytes());
                if latin1 && high_byte {
                    out.push(0xE9);
                }
                out.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
            }
            if drop_last_newline {
                out.pop();
            }
            out
        })
}

proptest! {
    #[test]
    fn config_like_files_keep_every_invariant(bytes in config_like()) {
        prop_assert_eq!(parse(&bytes).file.to_bytes().unwrap(), bytes.clone());
        fuzzing::check_parse(&bytes).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn arbitrary_bytes_keep_every_invariant(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        fuzzing::check_parse(&bytes).map_err(TestCaseError::fail)?;
    }
}

proptest! {
    /// A damaged archive is an error, never a panic or a wrong file.
    #[test]
    fn damaged_zips_fail_cleanly(flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6)) {
        use cwmpkit_core::provision::zip::{ZipLimits, ZipWriter, read_zip};
        let mut writer = ZipWriter::new();
        writer.add("aastra.cfg", b"tr69 server: https://acs\n").unwrap();
        writer.add("00085D000001.cfg", "sip line1 auth name: 1001\n".repeat(20).as_bytes()).unwrap();
        let mut bytes = writer.finish().unwrap();
        let original = read_zip(&bytes, &ZipLimits::default()).unwrap().files;
        for (index, value) in flips {
            let at = index.index(bytes.len());
            bytes[at] = value;
        }
        if let Ok(unzipped) = read_zip(&bytes, &ZipLimits::default()) {
            // Whatever still reads has passed its CRC check; names may differ, contents not.
            for (_, content) in &unzipped.files {
                prop_assert!(original.iter().any(|(_, c)| c == content));
            }
        }
    }
}
