//! Checks the fuzz targets run (fuzz/fuzz_targets/capture_*.rs); regression tests run the same.
//!
//! Beyond "no panic", each check holds the decoder to its memory promise: what comes out is
//! bounded by what went in (TCP bytes are delivered once, HTTP messages do not overlap).

use crate::base::Timestamp;
use crate::capture::tcp::{Reassembler, Segment};
use crate::capture::{Capture, InputKind, Limits, Options, decode, http};
use crate::session;
use std::net::{IpAddr, SocketAddr};

/// Tight limits so that a fuzz input cannot ask for more than a small multiple of its size.
fn fuzz_options(input_len: usize, kind: Option<InputKind>) -> Options {
    Options {
        kind,
        limits: Limits {
            max_decoded_body_bytes: 64 * 1024 + input_len * 16,
            max_pending_bytes_per_direction: 64 * 1024,
            max_pending_bytes_total: 96 * 1024,
            max_fragment_sets: 64,
            ..Limits::default()
        },
        reveal_secrets: false,
    }
}

fn check_output(capture: &Capture, bound: usize) -> Result<(), String> {
    let wire: usize =
        capture.connections.iter().flat_map(|c| &c.messages).map(|m| m.wire_body_len).sum();
    if wire > bound {
        return Err(format!("HTTP bodies add up to {wire} wire bytes from a {bound}-byte bound"));
    }
    let report = session::from_capture(capture.clone());
    serde_json::to_string(&report).map_err(|e| format!("report does not serialize: {e}"))?;
    Ok(())
}

/// Arbitrary bytes as a pcap, a pcapng and auto-detected input.
pub fn check_capture_file(data: &[u8]) -> Result<(), String> {
    for kind in [None, Some(InputKind::Pcap), Some(InputKind::Pcapng)] {
        match decode(data, &fuzz_options(data.len(), kind)) {
            Ok(capture) => check_output(&capture, data.len() * 2 + 64)?,
            Err(error) if error.offset > data.len() => {
                return Err(format!("error offset {} beyond input {}", error.offset, data.len()));
            }
            Err(_) => {}
        }
    }
    Ok(())
}

/// Arbitrary bytes as every text input kind.
pub fn check_text_input(data: &[u8]) -> Result<(), String> {
    let kinds = [
        None,
        Some(InputKind::Soap),
        Some(InputKind::HttpTranscript),
        Some(InputKind::CurlVerbose),
        Some(InputKind::Log),
        Some(InputKind::EnodebdLog),
        Some(InputKind::GenieacsLog),
        Some(InputKind::HexDump),
        Some(InputKind::Base64),
    ];
    for kind in kinds {
        if let Ok(capture) = decode(data, &fuzz_options(data.len(), kind)) {
            check_output(&capture, data.len() * 2 + 64)?;
        }
    }
    Ok(())
}

/// Arbitrary bytes as a GenieACS debug log (YAML and JSON records): the records' offsets stay
/// in the input, and the decoded capture holds the bodies within a bound of it.
pub fn check_genieacs_log(data: &[u8]) -> Result<(), String> {
    let (_, diagnostics) = crate::capture::genieacs_log::records(data);
    let beyond = |d: &&crate::base::Diagnostic| {
        d.location.byte_offset().is_some_and(|offset| offset > data.len())
    };
    if let Some(diagnostic) = diagnostics.iter().find(beyond) {
        return Err(format!("diagnostic at {} beyond input {}", diagnostic.location, data.len()));
    }
    if let Ok(capture) = decode(data, &fuzz_options(data.len(), Some(InputKind::GenieacsLog))) {
        check_output(&capture, data.len() * 2 + 64)?;
        let bodies: usize =
            capture.connections.iter().flat_map(|c| &c.messages).map(|m| m.body_len).sum();
        if bodies > data.len() * 2 + 64 {
            return Err(format!("{bodies} bytes of bodies from a {}-byte log", data.len()));
        }
    }
    Ok(())
}

/// Arbitrary bytes as a Python literal and as an enodebd log (each line prefixed so that it is
/// read as a logged message).
pub fn check_enodebd_log(data: &[u8]) -> Result<(), String> {
    let (_, problems, used) = crate::capture::pyliteral::parse(data, 0);
    if used > data.len() {
        return Err(format!("literal reader used {used} bytes of {}", data.len()));
    }
    if let Some(problem) = problems.iter().find(|p| p.offset > data.len()) {
        return Err(format!("problem offset {} beyond input {}", problem.offset, data.len()));
    }
    let mut log = Vec::with_capacity(data.len() + 64);
    for (index, line) in data.split(|&b| b == b'\n').enumerate() {
        let verb = if index % 2 == 0 { "Handling" } else { "Sending" };
        log.extend_from_slice(
            format!("2022-04-25 15:41:17,549 DEBUG {verb} TR069 message: ").as_bytes(),
        );
        log.extend_from_slice(line);
        log.push(b'\n');
    }
    for input in [data, log.as_slice()] {
        if let Ok(capture) = decode(input, &fuzz_options(input.len(), Some(InputKind::EnodebdLog)))
        {
            check_output(&capture, input.len() * 2 + 64)?;
            let rebuilt: usize =
                capture.connections.iter().flat_map(|c| &c.messages).map(|m| m.body_len).sum();
            let messages: usize = capture.connections.iter().map(|c| c.messages.len()).sum();
            // Each envelope is capped at 16× its line plus framing; closing tags at most double it.
            if rebuilt > messages * 4096 + input.len() * 40 {
                return Err(format!(
                    "{rebuilt} bytes of envelopes from a {}-byte log",
                    input.len()
                ));
            }
        }
    }
    Ok(())
}

/// Bytes as a script of TCP segments between two endpoints, reassembled and framed as HTTP.
///
/// Each segment is: flags (bit 0 direction, bit 1 SYN, bit 2 FIN, bit 3 RST), a 16-bit
/// sequence delta from the direction's start, a payload length byte, the payload.
pub fn check_tcp_http(data: &[u8]) -> Result<(), String> {
    let client = SocketAddr::new(IpAddr::from([10, 0, 0, 1]), 40000);
    let server = SocketAddr::new(IpAddr::from([10, 0, 0, 2]), 7547);
    let options = fuzz_options(data.len(), None);
    let mut reassembler = Reassembler::new(&options.limits);
    let mut diagnostics = Vec::new();
    let mut payload_total = 0usize;
    let mut pos = 0usize;
    let mut tick = 0i128;
    while let Some(header) = data.get(pos..pos + 4) {
        let flags = header[0];
        let delta = u32::from(u16::from_be_bytes([header[1], header[2]]));
        let len = usize::from(header[3]);
        let payload = data.get(pos + 4..(pos + 4 + len).min(data.len())).unwrap_or_default();
        pos += 4 + len;
        tick += 1_000;
        let from_client = flags & 1 == 0;
        let (source, destination) = if from_client { (client, server) } else { (server, client) };
        let base: u32 = if from_client { 1_000_000 } else { 4_294_967_000 };
        payload_total += payload.len();
        reassembler.add(
            Segment {
                time: Some(Timestamp::from_unix_nanos(tick)),
                source,
                destination,
                sequence: base.wrapping_add(delta),
                syn: flags & 2 != 0,
                ack: true,
                fin: flags & 4 != 0,
                rst: flags & 8 != 0,
                payload,
                input_offset: Some(pos),
            },
            &mut diagnostics,
        );
        if reassembler.pending_bytes() > options.limits.max_pending_bytes_total {
            return Err(format!("{} bytes pending beyond the cap", reassembler.pending_bytes()));
        }
    }
    let streams = reassembler.finish(&mut diagnostics);
    let delivered: usize = streams
        .iter()
        .flat_map(|s| s.directions.iter())
        .flat_map(|d| d.runs.iter())
        .map(|r| r.data.len())
        .sum();
    if delivered > payload_total {
        return Err(format!("reassembly delivered {delivered} bytes from {payload_total}"));
    }
    let mut capture = Capture::empty(InputKind::Pcap);
    let mut stats = crate::capture::Stats::for_input(&options.limits, data.len());
    http::build_connections(streams, &options, &mut capture, &mut stats);
    check_output(&capture, payload_total)
}
