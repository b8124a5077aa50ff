//! The recorder's cost per exchange (`capture::record`), what the relay's recording thread pays
//! for every `/acs` exchange: the magma capture's 17 real exchanges (Informs, GetParameterValues
//! with their responses, Basic credentials) recorded over and over, each round on new
//! connections. Beside it, the baseline a recording cannot beat: copying the same bytes.

// The bench is the host, not core: it reads the corpus.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use cwmpkit_core::Timestamp;
use cwmpkit_core::capture::record::{Exchange, Recorder, RecorderOptions};
use cwmpkit_core::capture::{self, HttpMessage, Options};
use std::hint::black_box;
use std::net::SocketAddr;

const MAGMA_PCAP: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/pcap/magma/dp_enb_tr069.pcap");

/// (CPE, ACS, request time, response time, request, response) of every exchange in the capture.
/// Connections a fleet keeps open in the recorder (its default cap is 4,096).
const FLEET_CONNECTIONS: usize = 4_000;

type Recorded = (SocketAddr, SocketAddr, Timestamp, Timestamp, Vec<u8>, Vec<u8>);

fn exchanges() -> Vec<Recorded> {
    let bytes = std::fs::read(MAGMA_PCAP).expect("magma corpus pcap");
    let options = Options { reveal_secrets: true, ..Options::default() };
    let capture = capture::decode(&bytes, &options).expect("the magma pcap decodes");
    let wire = |m: &HttpMessage| {
        let mut bytes = m.head_text().into_bytes();
        bytes.extend_from_slice(b"\r\n");
        bytes.extend_from_slice(&m.body);
        bytes
    };
    let mut exchanges = Vec::new();
    for connection in &capture.connections {
        for pair in connection.messages.chunks_exact(2) {
            exchanges.push((
                connection.client.expect("a client"),
                connection.server.expect("a server"),
                pair[0].time.expect("a time"),
                pair[1].time.expect("a time"),
                wire(&pair[0]),
                wire(&pair[1]),
            ));
        }
    }
    exchanges
}

/// Records every exchange once, each on a connection of its own for this round (the CPE's port
/// moved by `round`).
fn record_round(recorder: &mut Recorder, exchanges: &[Recorded], round: u16, out: &mut Vec<u8>) {
    for (cpe, acs, request_time, response_time, request, response) in exchanges {
        let cpe = SocketAddr::new(cpe.ip(), cpe.port().wrapping_add(round));
        let exchange = Exchange {
            cpe,
            acs: *acs,
            request_time: *request_time,
            response_time: *response_time,
            request,
            response,
        };
        recorder.record(&exchange, out).expect("HTTP");
    }
}

fn bench(c: &mut Criterion) {
    let exchanges = exchanges();
    let bytes: usize = exchanges.iter().map(|e| e.4.len() + e.5.len()).sum();
    let mut group = c.benchmark_group("record");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(20);
    let mut recorder = Recorder::new(RecorderOptions::default());
    let mut round = 0u16;
    group.bench_function(format!("{} exchanges", exchanges.len()), |b| {
        b.iter(|| {
            round = round.wrapping_add(1);
            let mut out = Vec::with_capacity(bytes * 2);
            record_round(&mut recorder, &exchanges, round, &mut out);
            recorder.finish_file(exchanges[0].3, &mut out);
            black_box(out)
        })
    });
    // A fleet's steady state: thousands of connections open (each CPE's last one, until it has
    // been idle for `idle_close`), every exchange on a new one, so each opens a connection and
    // closes the longest idle at the cap. Before the recorder indexed its open connections by
    // their last activity, every exchange scanned all of them twice.
    let mut fleet = Recorder::new(RecorderOptions::default());
    let mut out = Vec::new();
    let (first_cpe, first_acs, start, ..) = &exchanges[0];
    let (answer, empty) = (&exchanges[0].5, &exchanges[0].4);
    for n in 0..FLEET_CONNECTIONS {
        let cpe = SocketAddr::new(
            std::net::Ipv4Addr::from(0x0a00_0000 + u32::try_from(n).expect("few")).into(),
            first_cpe.port(),
        );
        let exchange = Exchange {
            cpe,
            acs: *first_acs,
            request_time: *start,
            response_time: *start,
            request: empty,
            response: answer,
        };
        fleet.record(&exchange, &mut out).expect("HTTP");
    }
    assert_eq!(fleet.open_connections(), FLEET_CONNECTIONS);
    group.bench_function(
        format!("{} exchanges, {FLEET_CONNECTIONS} connections open", exchanges.len()),
        |b| {
            b.iter(|| {
                round = round.wrapping_add(1);
                let mut out = Vec::with_capacity(bytes * 2);
                record_round(&mut fleet, &exchanges, round, &mut out);
                black_box(out)
            })
        },
    );
    group.bench_function("copying the same bytes (baseline)", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(bytes * 2);
            for (_, _, _, _, request, response) in &exchanges {
                out.extend_from_slice(request);
                out.extend_from_slice(response);
            }
            black_box(out)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
