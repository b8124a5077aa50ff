//! Big captures made from a small one, for benchmarks and load tests: the flows of a pcap copied
//! over and over, each copy with its own client address and later times, so that every copy is
//! its own set of connections and sessions.

use super::file::read_frames;
use super::{CaptureError, Limits, Source};
use std::net::Ipv4Addr;

const LINKTYPE_ETHERNET: u32 = 1;
/// Capture time between the starts of two copies.
const COPY_SPACING_NANOS: i128 = 20_000_000_000;

/// A little-endian microsecond pcap holding copies of `pcap`'s Ethernet/IPv4 frames until it has
/// at least `target_bytes`: in copy `n`, `client` becomes `10.<1 + n / 256>.<n % 256>.<last
/// octet of client>` and times move `20 s × n` later. Frames that are not Ethernet IPv4 are copied
/// as they are.
pub fn replicate(
    pcap: &[u8],
    client: Ipv4Addr,
    target_bytes: usize,
) -> Result<Vec<u8>, CaptureError> {
    let frames = read_frames(pcap, &Limits::default())?.frames;
    if frames.is_empty() {
        return Err(CaptureError {
            layer: Source::Pcap,
            offset: 0,
            message: "no frames to copy".into(),
        });
    }
    let client = client.octets();
    let mut out = Vec::with_capacity(target_bytes.saturating_add(pcap.len()));
    // pcap header: magic, version 2.4, zone, accuracy, snaplen, Ethernet.
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&262_144u32.to_le_bytes());
    out.extend_from_slice(&LINKTYPE_ETHERNET.to_le_bytes());
    let mut copy: u32 = 0;
    while out.len() < target_bytes {
        let [_, _, hi, lo] = (copy + 256).to_be_bytes();
        let address = [10, hi, lo, client[3]];
        for frame in &frames {
            let mut data = frame.data.to_vec();
            let is_ipv4 = frame.link_type == LINKTYPE_ETHERNET
                && data.get(12..14) == Some(&[0x08, 0x00])
                && data.len() >= 34;
            if is_ipv4 {
                let ip = &mut data[14..];
                let header_len = (usize::from(ip[0] & 0x0f) * 4).clamp(20, ip.len());
                for range in [12..16, 16..20] {
                    if ip[range.clone()] == client {
                        ip[range].copy_from_slice(&address);
                    }
                }
                // etherparse computes the checksum, as it does for the recorder's frames.
                if let Ok(header) = etherparse::Ipv4HeaderSlice::from_slice(&ip[..header_len]) {
                    let checksum = header.to_header().calc_header_checksum();
                    ip[10..12].copy_from_slice(&checksum.to_be_bytes());
                }
            }
            let time =
                frame.time.map_or(0, |t| t.unix_nanos) + i128::from(copy) * COPY_SPACING_NANOS;
            let seconds = u32::try_from(time.div_euclid(1_000_000_000)).unwrap_or(0);
            let micros = u32::try_from(time.rem_euclid(1_000_000_000) / 1000).unwrap_or(0);
            let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
            out.extend_from_slice(&seconds.to_le_bytes());
            out.extend_from_slice(&micros.to_le_bytes());
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&data);
        }
        copy += 1;
    }
    Ok(out)
}
