//! CWMP codec throughput, with a bare quick-xml `NsReader` event loop over the
//! same bytes as the baseline in each group, so the figure that matters is the
//! ratio (printed at the end), not a noisy absolute.
//!
//! Inputs: a GetParameterValuesResponse built from the largest GenieACS CSV
//! dump in the corpus, a GetParameterNamesResponse of about the same size, and
//! a typical Inform from the corpus.
// Benchmarks are the host: they read the corpus from disk and time themselves.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use cwmpkit_core::cwmp::{self, CwmpVersion, Envelope, Header, Message, ParameterInfoStruct};
use cwmpkit_core::cwmp::{
    GetParameterNamesResponse, GetParameterValuesResponse, ParameterValueStruct, Value,
};
use quick_xml::NsReader;
use quick_xml::events::Event;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");
const LARGEST_DUMP: &str = "datamodel-dumps/anlix-genieacs-sim/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv";
const INFORM: &str = "soap/cwmp_ex/inform-vmg.xml";

/// Splits one CSV line (RFC 4180 quoting; the dump has no multi-line fields).
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    fields.push(field);
    fields
}

struct Inputs {
    gpv: String,
    gpn: String,
    inform: String,
    gpv_envelope: Envelope,
}

fn inputs() -> Inputs {
    let csv = std::fs::read_to_string(format!("{CORPUS}/{LARGEST_DUMP}")).expect("dump");
    let mut values = Vec::new();
    let mut names = Vec::new();
    for line in csv.lines().skip(1) {
        let f = csv_fields(line);
        let (Some(name), Some(object), Some(writable)) = (f.first(), f.get(1), f.get(3)) else {
            continue;
        };
        names
            .push(ParameterInfoStruct { name: name.as_str().into(), writable: writable == "true" });
        if object == "false" {
            let xsi_type =
                f.get(6).filter(|t| !t.is_empty()).map(|t| t.trim_start_matches("xsd:").into());
            let text = f.get(5).map_or("", |t| t.as_str()).into();
            let mut value = Value { xsi_type, text };
            // The encoder is strict: a dump's empty dateTime is CWMP's unknown
            // time, and any other text that does not fit its type is sent as a string.
            if value.parse().is_err() {
                if value.xsi_type.as_deref() == Some("dateTime") && value.text.is_empty() {
                    value.text = "0001-01-01T00:00:00Z".into();
                } else {
                    value.xsi_type = Some("string".into());
                }
            }
            values.push(ParameterValueStruct { name: name.as_str().into(), value });
        }
    }
    let envelope = |message| Envelope {
        version: CwmpVersion::V1_0,
        header: Header { id: Some("1".into()), ..Header::default() },
        message,
    };
    let gpv_envelope = envelope(Message::GetParameterValuesResponse(GetParameterValuesResponse {
        parameter_list: values,
    }));
    let gpv = cwmp::encode(&gpv_envelope, CwmpVersion::V1_0).expect("a valid dump");
    // Repeat the names until the response is as large as the values one.
    let mut list = Vec::new();
    let mut gpn = String::new();
    while gpn.len() < gpv.len() {
        list.extend(names.iter().cloned());
        gpn = cwmp::encode(
            &envelope(Message::GetParameterNamesResponse(GetParameterNamesResponse {
                parameter_list: list.clone(),
            })),
            CwmpVersion::V1_0,
        )
        .expect("valid names");
    }
    let inform = std::fs::read_to_string(format!("{CORPUS}/{INFORM}")).expect("inform");
    Inputs { gpv, gpn, inform, gpv_envelope }
}

/// The baseline: every event of a namespace-resolving reader, and nothing else.
fn ns_reader_loop(text: &str) -> usize {
    let mut reader = NsReader::from_str(text);
    let mut count = 0usize;
    loop {
        match reader.read_resolved_event() {
            Ok((_, Event::Eof)) | Err(_) => break,
            Ok((ns, event)) => {
                black_box((&ns, &event));
                count += 1;
            }
        }
    }
    count
}

fn decode(text: &str) -> usize {
    let decoded = cwmp::decode(text.as_bytes()).expect("decodes");
    black_box(&decoded);
    decoded.envelopes.len()
}

fn bench(c: &mut Criterion, inputs: &Inputs) {
    for (name, text) in
        [("gpv_response", &inputs.gpv), ("gpn_response", &inputs.gpn), ("inform", &inputs.inform)]
    {
        let mut group = c.benchmark_group(format!("cwmp_decode/{name}"));
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function("ns_reader_baseline", |b| b.iter(|| ns_reader_loop(black_box(text))));
        group.bench_function("decode", |b| b.iter(|| decode(black_box(text))));
        group.finish();
    }
    let mut group = c.benchmark_group("cwmp_encode/gpv_response");
    group.throughput(Throughput::Bytes(inputs.gpv.len() as u64));
    group.bench_function("encode", |b| {
        b.iter(|| cwmp::encode(black_box(&inputs.gpv_envelope), CwmpVersion::V1_0))
    });
    group.finish();
}

/// Best-of-N wall times of two workloads, interleaved so that both see the
/// same machine load (the figure printed is their ratio).
fn best_times(mut first: impl FnMut(), mut second: impl FnMut()) -> (Duration, Duration) {
    let (mut best_first, mut best_second) = (Duration::MAX, Duration::MAX);
    for _ in 0..40 {
        let start = Instant::now();
        first();
        best_first = best_first.min(start.elapsed());
        let start = Instant::now();
        second();
        best_second = best_second.min(start.elapsed());
    }
    (best_first, best_second)
}

fn mb_per_s(bytes: usize, time: Duration) -> f64 {
    bytes as f64 / time.as_secs_f64() / 1_000_000.0
}

fn main() {
    let inputs = inputs();
    eprintln!(
        "inputs: GetParameterValuesResponse {} bytes, GetParameterNamesResponse {} bytes, Inform {} bytes",
        inputs.gpv.len(),
        inputs.gpn.len(),
        inputs.inform.len()
    );
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion, &inputs);
    criterion.final_summary();
    // `--profile-time` runs one filtered workload under a profiler: the ratio
    // runs below would mix every input into the profile.
    if std::env::args().any(|arg| arg == "--profile-time") {
        return;
    }

    for (name, text) in
        [("gpv_response", &inputs.gpv), ("gpn_response", &inputs.gpn), ("inform", &inputs.inform)]
    {
        let (baseline, ours) = best_times(
            || {
                black_box(ns_reader_loop(text));
            },
            || {
                black_box(decode(text));
            },
        );
        eprintln!(
            "ratio {name}: decode {:.0} MB/s, NsReader loop {:.0} MB/s, decode at {:.0}% of the baseline",
            mb_per_s(text.len(), ours),
            mb_per_s(text.len(), baseline),
            100.0 * baseline.as_secs_f64() / ours.as_secs_f64()
        );
    }
    let (_, encode) = best_times(
        || {},
        || {
            let _ = black_box(cwmp::encode(&inputs.gpv_envelope, CwmpVersion::V1_0));
        },
    );
    eprintln!("encode gpv_response: {:.0} MB/s", mb_per_s(inputs.gpv.len(), encode));
}
