//! The ACS engine with many sessions open (issue 12's probe: 110,000 fake devices made each
//! Inform scan every session under the relay's one lock; 40,000 abandoned sessions cut Informs/s
//! tenfold). One known device's whole session (Inform, InformResponse, empty POST, 204) while
//! 0, 40,000 and 110,000 other sessions stay open and none expire; decode and encode included.

// The bench is the host, not core: it reads a corpus file.
#![allow(clippy::disallowed_methods)]

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use cwmpkit_core::Timestamp;
use cwmpkit_core::acs::{Acs, AcsConfig, CpeRequest};
use std::hint::black_box;

const INFORM: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/soap/cwmp_ex/inform-2601.xml");
const SERIAL: &str = "EC43F69AF408";

fn at(second: i128) -> Timestamp {
    Timestamp::from_unix_nanos(1_700_000_000_000_000_000 + second * 1_000_000_000)
}

/// An ACS with `open` sessions of as many devices, each from its own address, left open.
fn acs_with_sessions(inform: &str, open: usize) -> Acs {
    let mut acs = Acs::with_config(AcsConfig { max_devices: 200_000, ..AcsConfig::default() });
    for index in 0..open {
        let body = inform.replace(SERIAL, &format!("FAKE{index:08}"));
        let reply = acs.handle(CpeRequest {
            body: body.as_bytes(),
            session_cookie: None,
            peer: &format!("198.51.100.{}:{}", index / 60_000, 1024 + index % 60_000),
            time: at(0),
            new_session_token: &format!("abandoned-{index}"),
        });
        assert_eq!(reply.status, 200);
    }
    acs
}

fn sessions(c: &mut Criterion) {
    let inform = std::fs::read_to_string(INFORM).unwrap();
    let mut group = c.benchmark_group("acs_inform_session");
    group.sample_size(30);
    for open in [0usize, 40_000, 110_000] {
        let mut acs = acs_with_sessions(&inform, open);
        let mut round = 0u64;
        group.bench_function(BenchmarkId::from_parameter(open), |b| {
            b.iter(|| {
                round += 1;
                let token = format!("live-{round}");
                let opened = acs.handle(CpeRequest {
                    body: inform.as_bytes(),
                    session_cookie: None,
                    peer: "192.0.2.7:50000",
                    time: at(1),
                    new_session_token: &token,
                });
                let ended = acs.handle(CpeRequest {
                    body: b"",
                    session_cookie: Some(&token),
                    peer: "192.0.2.7:50000",
                    time: at(1),
                    new_session_token: "unused",
                });
                black_box((opened.status, ended.status))
            });
        });
    }
    group.finish();
}

criterion_group!(benches, sessions);
criterion_main!(benches);
