//! Data-model benchmarks: decoding the embedded schemas (with parsing the BBF
//! XML as the baseline they replace), loading and validating the largest
//! corpus dump (with bare CSV tokenizing as the baseline), and schema lookups.
// Benchmarks are the host: they read the corpus from disk.
#![allow(clippy::disallowed_methods)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use cwmpkit_core::model::schema::{compiled, xml};
use cwmpkit_core::model::{embedded, genieacs_dump, path::Path, validate};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");
const LARGEST_DUMP: &str = "datamodel-dumps/anlix-genieacs-sim/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv";
const TR181_XML: &str = "bbf-datamodels/tr-181-2-17-0-cwmp-full.xml";
const TR181_COMPILED: &[u8] = include_bytes!("../data/models/tr-181-2-17.schema");

fn read(relative: &str) -> String {
    std::fs::read_to_string(format!("{CORPUS}/{relative}")).expect("corpus file")
}

fn schemas(c: &mut Criterion) {
    let total: usize = embedded::sizes().iter().map(|(_, size)| size).sum();
    for (name, size) in embedded::sizes() {
        eprintln!("embedded schema {name}: {size} bytes");
    }
    eprintln!("embedded schemas total: {total} bytes");

    let xml_text = read(TR181_XML);
    let mut group = c.benchmark_group("tr181_schema");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(xml_text.len() as u64));
    group.bench_function("parse_bbf_xml (baseline)", |b| {
        b.iter(|| xml::load_document(black_box(&xml_text), "tr-181.xml", &[]).expect("loads"))
    });
    group.throughput(Throughput::Bytes(TR181_COMPILED.len() as u64));
    group.bench_function("decode_compiled", |b| {
        b.iter(|| compiled::decode(black_box(TR181_COMPILED)).expect("decodes"))
    });
    group.finish();
}

fn dump(c: &mut Criterion) {
    let text = read(LARGEST_DUMP);
    let model = embedded::model("tr-181").expect("model");
    let mut group = c.benchmark_group("largest_dump");
    group.sample_size(20);
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("csv_tokenize (baseline)", |b| {
        b.iter(|| genieacs_dump::parse_csv(black_box(&text), &mut Vec::new()))
    });
    group.bench_function("load", |b| {
        b.iter(|| genieacs_dump::load_csv(black_box(&text), "dump").expect("loads"))
    });
    group.bench_function("load_and_validate", |b| {
        b.iter(|| {
            let loaded = genieacs_dump::load_csv(black_box(&text), "dump").expect("loads");
            validate::validate(&loaded.set, &model)
        })
    });
    group.finish();
}

fn lookups(c: &mut Criterion) {
    let text = read(LARGEST_DUMP);
    let loaded = genieacs_dump::load_csv(&text, "dump").expect("loads");
    let model = embedded::model("tr-181").expect("model");
    let paths: Vec<Path> = loaded.set.paths().filter_map(|p| Path::parse(p).ok()).collect();
    let texts: Vec<&str> = loaded.set.paths().collect();
    let mut group = c.benchmark_group("schema_lookup");
    group.throughput(Throughput::Elements(paths.len() as u64));
    group.bench_function("parsed_paths", |b| {
        b.iter(|| paths.iter().filter(|p| model.lookup(black_box(p)).is_some()).count())
    });
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.bench_function("path_text_parse_and_lookup", |b| {
        b.iter(|| {
            texts.iter().filter(|t| matches!(model.lookup_str(black_box(t)), Ok(Some(_)))).count()
        })
    });
    group.finish();
}

criterion_group!(benches, schemas, dump, lookups);
criterion_main!(benches);
