//! Capture decoding throughput against tshark, on a 50 MB capture made of copies of the magma
//! flows (each copy with its own client address and time offset).
//!
//! Both sides must count the same number of CWMP messages; the figure printed is the ratio of
//! tshark's wall time to ours (the issue's goal is ≥ 25×). tshark runs once per bench run: it is the
//! baseline, not the thing measured, and takes seconds.

// The bench is the host, not core: it reads the corpus, writes the capture and runs tshark.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use cwmpkit_core::capture::file::read_frames;
use cwmpkit_core::capture::{Limits, Options};
use cwmpkit_core::session;
use std::hint::black_box;
use std::process::Command;
use std::time::Instant;

const MAGMA_PCAP: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/pcap/magma/dp_enb_tr069.pcap");
const TARGET_BYTES: usize = 50 * 1024 * 1024;
const TSHARK: &str = "/usr/bin/tshark";

fn ipv4_checksum(header: &[u8]) -> u16 {
    let mut sum: u32 = header
        .chunks(2)
        .enumerate()
        .filter(|(index, _)| *index != 5)
        .map(|(_, pair)| u32::from(u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// A little-endian microsecond pcap holding copies of the magma flows until it reaches 50 MB.
fn build_capture() -> Vec<u8> {
    let original = std::fs::read(MAGMA_PCAP).expect("magma corpus pcap");
    let frames = read_frames(&original, &Limits::default()).expect("magma pcap reads").frames;
    let magma_client = [10u8, 0, 2, 243];
    let mut out = Vec::with_capacity(TARGET_BYTES + original.len());
    out.extend_from_slice(&original[..24]);
    let mut copy: u32 = 0;
    while out.len() < TARGET_BYTES {
        // Distinct client address per copy: 10.<hi>.<lo>.243; times shifted by 20 s per copy.
        let client = [10, 1 + (copy >> 8) as u8, copy as u8, 243];
        for frame in &frames {
            let mut data = frame.data.to_vec();
            let ip = &mut data[14..];
            let header_len = usize::from(ip[0] & 0x0f) * 4;
            for range in [12..16, 16..20] {
                if ip[range.clone()] == magma_client {
                    ip[range].copy_from_slice(&client);
                }
            }
            let checksum = ipv4_checksum(&ip[..header_len]);
            ip[10..12].copy_from_slice(&checksum.to_be_bytes());
            let time = frame.time.expect("pcap frames have times").unix_nanos
                + i128::from(copy) * 20_000_000_000;
            out.extend_from_slice(&((time / 1_000_000_000) as u32).to_le_bytes());
            out.extend_from_slice(&((time % 1_000_000_000 / 1000) as u32).to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&data);
        }
        copy += 1;
    }
    out
}

/// The capture layers alone (pcap → TCP → HTTP), counting SOAP bodies: the work tshark does.
fn http_layer_envelope_count(capture: &[u8]) -> usize {
    let decoded = cwmpkit_core::capture::decode(capture, &Options::default()).expect("decodes");
    decoded
        .connections
        .iter()
        .flat_map(|c| &c.messages)
        .map(|m| count_envelopes(&String::from_utf8_lossy(&m.body)))
        .sum()
}

fn our_message_count(capture: &[u8]) -> usize {
    let report = session::analyze(capture, &Options::default()).expect("decodes");
    report.sessions.iter().map(|s| s.messages.len()).sum()
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

fn bench(c: &mut Criterion) {
    let capture = build_capture();
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("capture_bench_50mb.pcap");
    std::fs::write(&path, &capture).expect("write the bench capture");

    let started = Instant::now();
    let ours = our_message_count(&capture);
    let our_single = started.elapsed();
    let started = Instant::now();
    let ours_http = http_layer_envelope_count(&capture);
    let our_http_single = started.elapsed();

    let started = Instant::now();
    let output = Command::new(TSHARK)
        .arg("-r")
        .arg(&path)
        .args(["-Y", "http", "-T", "fields", "-e", "http.file_data"])
        .output()
        .expect("tshark runs (Debian package at /usr/bin/tshark)");
    let tshark_time = started.elapsed();
    let theirs = count_envelopes(&String::from_utf8_lossy(&output.stdout));
    assert_eq!(ours, theirs, "cwmpkit and tshark must count the same CWMP messages");
    assert_eq!(ours_http, theirs, "the HTTP layer alone must find the same messages");

    let mut group = c.benchmark_group("capture");
    group.throughput(Throughput::Bytes(capture.len() as u64));
    group.sample_size(10);
    group.bench_function("decode_50mb_to_sessions", |b| {
        b.iter(|| our_message_count(black_box(&capture)))
    });
    group.bench_function("decode_50mb_to_http", |b| {
        b.iter(|| http_layer_envelope_count(black_box(&capture)))
    });
    group.finish();

    println!(
        "capture bench: {} bytes, {ours} CWMP messages on both sides; tshark {:.3} s; cwmpkit \
         sessions (HTTP + CWMP codec + conformance) {:.3} s = {:.1}× faster; cwmpkit HTTP layer \
         only (tshark's job) {:.3} s = {:.1}× faster (goal ≥ 25×); single runs",
        capture.len(),
        tshark_time.as_secs_f64(),
        our_single.as_secs_f64(),
        tshark_time.as_secs_f64() / our_single.as_secs_f64(),
        our_http_single.as_secs_f64(),
        tshark_time.as_secs_f64() / our_http_single.as_secs_f64()
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
