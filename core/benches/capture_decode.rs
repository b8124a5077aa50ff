//! Capture decoding throughput against tshark, on the 50 MB capture made of copies of the magma
//! flows (`capture::replicate`: each copy with its own client address and time offset; 15,904
//! CWMP messages).
//!
//! Both sides must count the same CWMP messages. tshark runs once per bench run: it is the
//! baseline, not the thing measured, and takes seconds. Measured in the same run:
//! - what users run, end to end: `cwmpkit decode --json` and `cwmpkit decode` on the file (the
//!   release binary `cargo xtask bench` builds and names in `CWMPKIT_RELEASE_BIN`; best of 3,
//!   with its peak RSS when GNU time is installed);
//! - the layers, in one thread (criterion): the whole pipeline (bytes → sessions) and the
//!   capture layers alone (frames → TCP → HTTP, tshark's job).
//!
//! The issue's goal: `decode --json` ≥ 25× tshark (≥ 200 MB/s), plain `decode` faster still.

// The bench is the host, not core: it reads the corpus, writes the capture and runs tshark.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use cwmpkit_core::capture::Options;
use cwmpkit_core::capture::replicate::replicate;
use cwmpkit_core::pipeline::Pipeline;
use std::hint::black_box;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MAGMA_PCAP: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/pcap/magma/dp_enb_tr069.pcap");
const MAGMA_CLIENT: [u8; 4] = [10, 0, 2, 243];
const TARGET_BYTES: usize = 50_000_000;
const EXPECTED_MESSAGES: usize = 15_904;
const TSHARK: &str = "/usr/bin/tshark";
const GNU_TIME: &str = "/usr/bin/time";

fn build_capture() -> Vec<u8> {
    let original = std::fs::read(MAGMA_PCAP).expect("magma corpus pcap");
    replicate(&original, MAGMA_CLIENT.into(), TARGET_BYTES).expect("the magma pcap replicates")
}

/// The whole pipeline in this thread, fed 1 MiB at a time as the CLI reads: CWMP messages found.
fn pipeline_message_count(capture: &[u8]) -> usize {
    let mut pipeline = Pipeline::new(&Options::default());
    let mut messages = 0;
    for piece in capture.chunks(1 << 20) {
        pipeline.push(piece);
        messages += pipeline.take_sessions().iter().map(|s| s.messages.len()).sum::<usize>();
    }
    let finished = pipeline.finish();
    messages + finished.sessions.iter().map(|s| s.messages.len()).sum::<usize>()
}

/// The capture layers alone (pcap → TCP → HTTP), counting SOAP envelopes: the work tshark does.
fn http_layer_envelope_count(capture: &[u8]) -> usize {
    let decoded = cwmpkit_core::capture::decode(capture, &Options::default()).expect("decodes");
    decoded
        .connections
        .iter()
        .flat_map(|c| &c.messages)
        .map(|m| count_envelopes(&String::from_utf8_lossy(&m.body)))
        .sum()
}

/// Counts closing `</…Envelope>` tags in tshark's `http.file_data` output.
fn count_envelopes(text: &str) -> usize {
    text.match_indices("Envelope>")
        .filter(|(at, _)| {
            let before = &text[..*at];
            before.rfind("</").is_some_and(|open| {
                before[open + 2..].bytes().all(|b| b.is_ascii_alphanumeric() || b"_-:".contains(&b))
            })
        })
        .count()
}

/// Runs the CLI on the file three times; the best wall time, and the peak RSS (KiB) it reported.
fn cli_best(binary: &Path, args: &[&str], path: &Path) -> (Duration, Option<u64>) {
    let mut best = Duration::MAX;
    let mut peak = None;
    for _ in 0..3 {
        let with_time = Path::new(GNU_TIME).exists();
        let mut command = if with_time {
            let mut command = Command::new(GNU_TIME);
            command.args(["-f", "%M"]).arg(binary);
            command
        } else {
            Command::new(binary)
        };
        command.arg("decode").args(args).arg(path).stdout(Stdio::null());
        let started = Instant::now();
        let output = command.stderr(Stdio::piped()).output().expect("cwmpkit runs");
        let elapsed = started.elapsed();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        best = best.min(elapsed);
        if with_time {
            let text = String::from_utf8_lossy(&output.stderr);
            peak = text.lines().last().and_then(|l| l.trim().parse::<u64>().ok()).or(peak);
        }
    }
    (best, peak)
}

fn megabytes_per_second(bytes: usize, time: Duration) -> f64 {
    bytes as f64 / 1e6 / time.as_secs_f64()
}

fn bench(c: &mut Criterion) {
    let capture = build_capture();
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("capture_bench_50mb.pcap");
    std::fs::write(&path, &capture).expect("write the bench capture");

    let ours = pipeline_message_count(&capture);
    assert_eq!(ours, EXPECTED_MESSAGES, "the bench capture holds 15,904 CWMP messages");
    let ours_http = http_layer_envelope_count(&capture);

    let started = Instant::now();
    let output = Command::new(TSHARK)
        .arg("-r")
        .arg(&path)
        .args(["-Y", "http", "-T", "fields", "-e", "http.file_data"])
        .output()
        .expect("tshark runs (Debian package at /usr/bin/tshark)");
    let tshark = started.elapsed();
    let theirs = count_envelopes(&String::from_utf8_lossy(&output.stdout));
    assert_eq!(ours, theirs, "cwmpkit and tshark must count the same CWMP messages");
    assert_eq!(ours_http, theirs, "the HTTP layer alone must find the same messages");

    let cli = std::env::var_os("CWMPKIT_RELEASE_BIN").map(std::path::PathBuf::from);
    let cli_runs = cli
        .as_deref()
        .filter(|b| b.is_file())
        .map(|binary| (cli_best(binary, &["--json"], &path), cli_best(binary, &[], &path)));

    let mut group = c.benchmark_group("capture");
    group.throughput(Throughput::Bytes(capture.len() as u64));
    group.sample_size(10);
    group.bench_function("pipeline_50mb_to_sessions_one_thread", |b| {
        b.iter(|| pipeline_message_count(black_box(&capture)))
    });
    group.bench_function("capture_layers_50mb_to_http", |b| {
        b.iter(|| http_layer_envelope_count(black_box(&capture)))
    });
    group.finish();
    // The layers once more outside criterion, for the ratio lines below.
    let started = Instant::now();
    black_box(pipeline_message_count(&capture));
    let pipeline_once = started.elapsed();
    let started = Instant::now();
    black_box(http_layer_envelope_count(&capture));
    let http_once = started.elapsed();

    let bytes = capture.len();
    let line = |what: &str, time: Duration| {
        println!(
            "capture bench: {what}: {:.3} s, {:.0} MB/s, {:.1}× tshark",
            time.as_secs_f64(),
            megabytes_per_second(bytes, time),
            tshark.as_secs_f64() / time.as_secs_f64()
        );
    };
    println!(
        "capture bench: {bytes} bytes, {ours} CWMP messages on both sides; tshark {:.3} s \
         (goal: decode --json ≥ 25× tshark, ≥ 200 MB/s)",
        tshark.as_secs_f64()
    );
    match cli_runs {
        Some(((json, json_peak), (plain, plain_peak))) => {
            let rss = |peak: Option<u64>| {
                peak.map_or_else(String::new, |kib| format!(", peak RSS {} MB", kib / 1024))
            };
            line(&format!("cwmpkit decode --json (best of 3{})", rss(json_peak)), json);
            line(&format!("cwmpkit decode (best of 3{})", rss(plain_peak)), plain);
        }
        None => println!(
            "capture bench: CWMPKIT_RELEASE_BIN not set: no end-to-end CLI figures (run `cargo \
             xtask bench`)"
        ),
    }
    line("layer: whole pipeline, one thread, no output", pipeline_once);
    line("layer: capture layers only (tshark's job), one thread", http_once);
}

criterion_group!(benches, bench);
criterion_main!(benches);
