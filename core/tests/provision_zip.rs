//! The archives the zip writer builds open in other people's tools: Python's
//! `zipfile` (which CI has) and Info-ZIP's `unzip -t`, besides our own reader.
//! Every entry shares one compressor (full flush + empty final block per
//! file), so these check that each entry is a complete stream of its own.
// reason: tests are the host here; they write the archive for the tools to read.
#![allow(clippy::disallowed_methods)]

use cwmpkit_core::provision::generate::{GeneratedFile, to_zip};
use cwmpkit_core::provision::zip::{ZipLimits, read_zip};
use std::path::PathBuf;
use std::process::Command;

/// Files like a bulk generation writes, and the cases at the edges: an empty
/// file (stored), incompressible bytes (stored), one larger than the
/// compressor's 32 KiB window, and files that repeat each other (a match into
/// the previous file would break the archive).
fn files() -> Vec<GeneratedFile> {
    let mut files = Vec::new();
    for n in 0..300u32 {
        let text = format!(
            "tr69 server: https://acs.example.net:7547/cwmp\nsip line1 auth name: {}\n\
             sip line1 password: pw{n:05}\nsip line1 display name: \"User {n}\"\n",
            1000 + n
        );
        files.push(GeneratedFile { name: format!("00085D{n:06X}.cfg"), bytes: text.into_bytes() });
    }
    files.push(GeneratedFile { name: "empty.cfg".into(), bytes: Vec::new() });
    let mut noise = Vec::new();
    let mut state = 0x2545_F491_u32;
    for _ in 0..2000 {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        noise.push(state.to_le_bytes()[0]);
    }
    files.push(GeneratedFile { name: "noise.bin".into(), bytes: noise });
    let big: String =
        (0..4000).map(|n| format!("sip line{} vmail: *9{n}\n", 1 + n % 9)).collect::<String>();
    files.push(GeneratedFile { name: "big.cfg".into(), bytes: big.into_bytes() });
    files.push(GeneratedFile { name: "dir/aastra.cfg".into(), bytes: b"dhcp: 1\n".to_vec() });
    files
}

fn written_archive(name: &str) -> (PathBuf, Vec<GeneratedFile>) {
    let files = files();
    let zip = to_zip(&files).unwrap();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join(name);
    std::fs::write(&path, zip).unwrap();
    (path, files)
}

#[test]
fn our_reader_gets_every_file_back() {
    let files = files();
    let zip = to_zip(&files).unwrap();
    let back = read_zip(&zip, &ZipLimits::default()).unwrap().files;
    assert_eq!(back.len(), files.len());
    for ((name, bytes), file) in back.iter().zip(&files) {
        assert_eq!((name, bytes), (&file.name, &file.bytes));
    }
}

#[test]
fn python_zipfile_reads_the_archive() {
    let (path, files) = written_archive("python-check.zip");
    // testzip() inflates every entry and checks its CRC; the sizes and the
    // content of a few entries are compared on top.
    let script = r#"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    bad = z.testzip()
    assert bad is None, f"damaged entry: {bad}"
    names = z.namelist()
    print(len(names))
    print(sum(i.file_size for i in z.infolist()))
    print(z.read("00085D000007.cfg").decode().splitlines()[1])
    print(len(z.read("big.cfg")))
"#;
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
        .expect("python3 is on CI machines");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}{stdout}", String::from_utf8_lossy(&output.stderr));
    let total: usize = files.iter().map(|f| f.bytes.len()).sum();
    let big = files.iter().find(|f| f.name == "big.cfg").unwrap().bytes.len();
    let expected = format!("{}\n{total}\nsip line1 auth name: 1007\n{big}\n", files.len());
    assert_eq!(stdout, expected);
}

#[test]
fn unzip_tests_the_archive() {
    let (path, files) = written_archive("unzip-check.zip");
    let output = Command::new("unzip").arg("-t").arg(&path).output();
    let Ok(output) = output else {
        // Info-ZIP is not part of CI's toolset; Python's check above always runs.
        eprintln!("unzip is not installed; skipped");
        return;
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("No errors detected"), "{stdout}");
    assert_eq!(stdout.matches("  OK").count(), files.len(), "{stdout}");
}
