//! 10,000 phones from CSV to a zip, natively. Baselines in the same run turn
//! the figures into ratios: tokenizing the CSV alone, and zipping the
//! already-generated files alone.
// Benchmarks are the host: they time themselves.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use cwmpkit_core::provision::Registry;
use cwmpkit_core::provision::generate::{GeneratedFile, generate_bulk, read_csv, to_zip};

#[path = "inputs/provision.rs"]
mod inputs;
use inputs::{PHONES, TEMPLATE, phones_csv};

fn csv_to_zip(csv: &str, registry: &Registry) -> Vec<u8> {
    let bulk =
        generate_bulk(csv.as_bytes(), Some(TEMPLATE.as_bytes()), registry).expect("generates");
    to_zip(&bulk.files).expect("zips")
}

fn bench(c: &mut Criterion, csv: &str, generated: &[GeneratedFile]) {
    let registry = Registry::builtin();
    let mut group = c.benchmark_group("provision_10k_phones");
    group.sample_size(10);
    group.throughput(Throughput::Elements(u64::from(PHONES)));
    group.bench_function("csv_tokenize (baseline)", |b| {
        b.iter(|| read_csv(black_box(csv.as_bytes())).expect("reads"))
    });
    group.bench_function("zip_only", |b| b.iter(|| to_zip(black_box(generated)).expect("zips")));
    group.bench_function("generate_and_validate", |b| {
        b.iter(|| {
            generate_bulk(black_box(csv.as_bytes()), Some(TEMPLATE.as_bytes()), registry)
                .expect("generates")
        })
    });
    group.bench_function("csv_to_zip", |b| b.iter(|| csv_to_zip(black_box(csv), registry)));
    group.finish();
}

/// Best-of-N wall times of the baseline and the workloads, interleaved so
/// that all see the same machine load (the figures printed are ratios).
fn best_times(runs: u32, workloads: &mut [&mut dyn FnMut()]) -> Vec<Duration> {
    let mut best = vec![Duration::MAX; workloads.len()];
    for _ in 0..runs {
        for (workload, best) in workloads.iter_mut().zip(&mut best) {
            let start = Instant::now();
            workload();
            *best = (*best).min(start.elapsed());
        }
    }
    best
}

fn main() {
    let csv = phones_csv(PHONES);
    let registry = Registry::builtin();
    let generated =
        generate_bulk(csv.as_bytes(), Some(TEMPLATE.as_bytes()), registry).expect("generates");
    assert_eq!(generated.files.len(), PHONES as usize);
    let zip = to_zip(&generated.files).expect("zips");
    let raw: usize = generated.files.iter().map(|f| f.bytes.len()).sum();
    eprintln!(
        "inputs: {PHONES} phones, CSV {} bytes; files {raw} bytes; zip {} bytes",
        csv.len(),
        zip.len()
    );

    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion, &csv, &generated.files);
    criterion.final_summary();

    let times = best_times(
        10,
        &mut [
            &mut || {
                black_box(read_csv(csv.as_bytes()).expect("reads"));
            },
            &mut || {
                black_box(to_zip(&generated.files).expect("zips"));
            },
            &mut || {
                black_box(
                    generate_bulk(csv.as_bytes(), Some(TEMPLATE.as_bytes()), registry)
                        .expect("generates"),
                );
            },
            &mut || {
                black_box(csv_to_zip(&csv, registry));
            },
        ],
    );
    let [tokenize, zip_only, generate, end_to_end] = times[..] else { return };
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let ratio = |d: Duration| d.as_secs_f64() / tokenize.as_secs_f64();
    eprintln!(
        "ratio provision_10k_phones (best of 10, interleaved): CSV tokenize {:.1} ms (1×); \
         zip only {:.1} ms ({:.1}×); generate + validate {:.1} ms ({:.1}×); \
         CSV → zip {:.1} ms ({:.1}×, {:.0} phones/s)",
        ms(tokenize),
        ms(zip_only),
        ratio(zip_only),
        ms(generate),
        ratio(generate),
        ms(end_to_end),
        ratio(end_to_end),
        f64::from(PHONES) / end_to_end.as_secs_f64()
    );
}
