//! Hostile inputs against benign twins of the same size, in the same run (issue 16): each case of
//! `tests/hostile.rs`, at the size of the rows, decoded the way the CLI decodes it. The
//! goal is no case more than 3× slower than its twin. `cargo xtask bench -- hostile` prints
//! criterion's figures, then one `ratio` line per case (best of 5, interleaved).

// The bench is the host, not core: it measures wall time.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

#[path = "../tests/hostile/inputs.rs"]
mod inputs;

use criterion::{Criterion, criterion_group, criterion_main};
use cwmpkit_core::capture::Options;
use cwmpkit_core::pipeline;
use cwmpkit_core::provision::Registry;
use cwmpkit_core::provision::generate::{check_files, skipped_check};
use cwmpkit_core::provision::zip::{ZipLimits, read_zip};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// `cwmpkit decode`: capture, sessions, conformance.
fn decode(input: &[u8]) -> usize {
    pipeline::analyze(input, &Options::default()).map_or(0, |report| report.sessions.len())
}

/// `cwmpkit provision check` of a zip: unpack, parse and validate every file.
fn check_zip(input: &[u8]) -> usize {
    let Ok(unzipped) = read_zip(input, &ZipLimits::default()) else { return 0 };
    let mut checks = check_files(&unzipped.files, Registry::builtin());
    checks.extend(unzipped.skipped.iter().map(skipped_check));
    checks.iter().map(|c| c.diagnostics.len()).sum()
}

/// `cwmpkit provision check` of one file.
fn check_file(input: &[u8]) -> usize {
    cwmpkit_core::provision::check("00085D1A2B3C.cfg", input).1.len()
}

struct Case {
    name: &'static str,
    hostile: Vec<u8>,
    benign: Vec<u8>,
    run: fn(&[u8]) -> usize,
}

fn cases() -> Vec<Case> {
    let envelopes = 6_800_000;
    let gzip = inputs::gzip_bomb_transcript(20, 64 << 20);
    let gzip_len = gzip.len();
    let zip = inputs::zip_bomb(250 << 20);
    let zip_len = zip.len();
    let mut config = Vec::new();
    let mut phone = 0;
    let lines = inputs::many_lines(400_000);
    while config.len() < lines.len() {
        config.extend_from_slice(inputs::phone_config(phone).as_bytes());
        phone += 1;
    }
    let overlapping = inputs::pcap_overlapping(20_000, 1000);
    let overlapping_len = overlapping.len();
    let deep = inputs::deep_envelope(1_000_000);
    let mut flat = inputs::gpv_response(1, 1);
    while flat.len() < deep.len() {
        flat = inputs::gpv_response(1, flat.len() / 150 + 1000);
    }
    vec![
        Case {
            name: "envelopes_without_declarations",
            hostile: inputs::soap_envelopes(envelopes, false),
            benign: inputs::soap_envelopes(envelopes, true),
            run: decode,
        },
        Case {
            name: "gzip_bodies",
            hostile: gzip,
            benign: inputs::gzip_benign_transcript(gzip_len),
            run: decode,
        },
        Case {
            name: "zip_of_one_huge_cfg",
            hostile: zip,
            benign: inputs::zip_benign(zip_len),
            run: check_zip,
        },
        Case {
            name: "tcp_out_of_order_100k_connections",
            hostile: inputs::pcap_connections(100_000, 400, true),
            benign: inputs::pcap_connections(100_000, 400, false),
            run: decode,
        },
        Case {
            name: "tcp_overlapping_segments",
            hostile: overlapping,
            // A connection of the twin is a handshake and one 1000-byte segment: 1140 bytes.
            benign: inputs::pcap_connections(overlapping_len / 1140, 1000, false),
            run: decode,
        },
        Case { name: "config_lines", hostile: lines, benign: config, run: check_file },
        Case { name: "deep_nesting", hostile: deep, benign: flat.into_bytes(), run: decode },
    ]
}

fn bench(c: &mut Criterion) {
    // `cargo xtask bench -- NAME` runs every bench binary with the filter: making these inputs
    // (a 250 MiB config among them) is only worth it when this bench is asked for.
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    if !filters.is_empty()
        && !filters.iter().any(|f| f.contains("hostile") || "hostile".contains(f.as_str()))
    {
        return;
    }
    let cases = cases();
    let mut group = c.benchmark_group("hostile");
    group.sample_size(10).measurement_time(Duration::from_secs(5));
    for case in &cases {
        group.bench_function(format!("{}/hostile", case.name), |b| {
            b.iter(|| (case.run)(black_box(&case.hostile)))
        });
        group.bench_function(format!("{}/benign", case.name), |b| {
            b.iter(|| (case.run)(black_box(&case.benign)))
        });
    }
    group.finish();
    if std::env::args().any(|a| a == "--profile-time") {
        return;
    }
    // A filter naming a case (`hostile/gzip_bodies`) times only that case's ratio too.
    let asked = |case: &Case| {
        !filters.iter().any(|f| cases.iter().any(|c| f.contains(c.name)))
            || filters.iter().any(|f| f.contains(case.name))
    };
    for case in cases.iter().filter(|case| asked(case)) {
        let time = |input: &[u8]| {
            let start = Instant::now();
            black_box((case.run)(black_box(input)));
            start.elapsed()
        };
        let (mut hostile, mut benign) = (Duration::MAX, Duration::MAX);
        for _ in 0..5 {
            hostile = hostile.min(time(&case.hostile));
            benign = benign.min(time(&case.benign));
        }
        println!(
            "ratio {}: hostile {} bytes {:.1} ms, benign {} bytes {:.1} ms, hostile/benign {:.2}",
            case.name,
            case.hostile.len(),
            hostile.as_secs_f64() * 1e3,
            case.benign.len(),
            benign.as_secs_f64() * 1e3,
            hostile.as_secs_f64() / benign.as_secs_f64()
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
