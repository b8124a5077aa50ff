//! Link layer → IP (with fragment reassembly) → TCP/UDP, then TCP streams → HTTP.

use super::file::{Frame, Frames};
use super::tcp::{LeftOpen, Reassembler, Segment, Stream};
use super::{
    Capture, Diagnostic, InputKind, Limits, Options, Source, Stats, UdpConnectionRequest, http,
    ip_port,
};
use crate::base::Severity;
use crate::base::Timestamp;
use etherparse::{IpNumber, Ipv6ExtensionSlice, LaxIpSlice, TcpSlice, UdpSlice};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::IpAddr;

const LINKTYPE_NULL: u32 = 0;
const LINKTYPE_ETHERNET: u32 = 1;
const LINKTYPE_RAW_OPENBSD: u32 = 14;
const LINKTYPE_RAW_BSD: u32 = 12;
const LINKTYPE_LOOP: u32 = 108;
const LINKTYPE_RAW: u32 = 101;
const LINKTYPE_LINUX_SLL: u32 = 113;
const LINKTYPE_IPV4: u32 = 228;
const LINKTYPE_IPV6: u32 = 229;
const LINKTYPE_LINUX_SLL2: u32 = 276;

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86dd;
const ETHERTYPE_VLAN: u16 = 0x8100;
const ETHERTYPE_QINQ: u16 = 0x88a8;
const ETHERTYPE_QINQ_OLD: u16 = 0x9100;
/// More stacked VLAN tags than this is not a real frame.
const MAX_VLAN_TAGS: usize = 8;

/// The IP packet inside a frame, or why there is none.
fn ip_packet(link_type: u32, data: &[u8]) -> Result<Option<&[u8]>, String> {
    let short = |what: &str| format!("frame too short for {what} ({} bytes)", data.len());
    match link_type {
        LINKTYPE_ETHERNET => {
            let mut ether_type = u16::from_be_bytes(
                data.get(12..14)
                    .ok_or_else(|| short("Ethernet"))?
                    .try_into()
                    .map_err(|_| short("Ethernet"))?,
            );
            let mut offset = 14usize;
            let mut tags = 0;
            while matches!(ether_type, ETHERTYPE_VLAN | ETHERTYPE_QINQ | ETHERTYPE_QINQ_OLD) {
                tags += 1;
                if tags > MAX_VLAN_TAGS {
                    return Err(format!("more than {MAX_VLAN_TAGS} stacked VLAN tags"));
                }
                let bytes = data.get(offset + 2..offset + 4).ok_or_else(|| short("802.1Q"))?;
                ether_type = u16::from_be_bytes([bytes[0], bytes[1]]);
                offset += 4;
            }
            Ok(by_ether_type(ether_type, data.get(offset..).unwrap_or_default()))
        }
        LINKTYPE_LINUX_SLL => {
            let bytes = data.get(14..16).ok_or_else(|| short("Linux cooked (SLL)"))?;
            Ok(by_ether_type(u16::from_be_bytes([bytes[0], bytes[1]]), &data[16..]))
        }
        LINKTYPE_LINUX_SLL2 => {
            let bytes = data.get(0..2).ok_or_else(|| short("Linux cooked v2 (SLL2)"))?;
            let payload = data.get(20..).ok_or_else(|| short("Linux cooked v2 (SLL2)"))?;
            Ok(by_ether_type(u16::from_be_bytes([bytes[0], bytes[1]]), payload))
        }
        LINKTYPE_RAW | LINKTYPE_RAW_BSD | LINKTYPE_RAW_OPENBSD | LINKTYPE_IPV4 | LINKTYPE_IPV6 => {
            Ok(Some(data))
        }
        LINKTYPE_NULL | LINKTYPE_LOOP => {
            // The address family is in the writer's byte order for NULL and big-endian for LOOP;
            // trying both orders works because the families are small numbers.
            let bytes: [u8; 4] = data
                .get(..4)
                .ok_or_else(|| short("BSD loopback"))?
                .try_into()
                .map_err(|_| short("BSD loopback"))?;
            let family = u32::from_le_bytes(bytes).min(u32::from_be_bytes(bytes));
            match family {
                // AF_INET, and AF_INET6 as numbered by BSD, Darwin, FreeBSD and Linux.
                2 | 24 | 28 | 30 | 10 => Ok(Some(&data[4..])),
                _ => Ok(None),
            }
        }
        other => Err(format!("link type {other} is not supported")),
    }
}

fn by_ether_type(ether_type: u16, payload: &[u8]) -> Option<&[u8]> {
    matches!(ether_type, ETHERTYPE_IPV4 | ETHERTYPE_IPV6).then_some(payload)
}

/// A datagram being put back together from fragments.
#[derive(Debug, Default)]
struct FragmentSet {
    /// The datagram's bytes from offset 0 up to the first hole.
    prefix: Vec<u8>,
    /// Fragments beyond the first hole, by offset (the longest one per offset).
    pieces: BTreeMap<usize, Vec<u8>>,
    total_len: Option<usize>,
    first_seen: u64,
}

impl FragmentSet {
    /// Adds a fragment; every byte is copied into the prefix at most once, so a datagram of many
    /// small fragments costs its size, not its size times its fragment count.
    fn add(&mut self, offset: usize, payload: &[u8]) {
        if offset > self.prefix.len() {
            let kept = self.pieces.entry(offset).or_default();
            if payload.len() > kept.len() {
                *kept = payload.to_vec();
            }
            return;
        }
        self.extend_prefix(offset, payload);
        while let Some(entry) = self.pieces.first_entry() {
            if *entry.key() > self.prefix.len() {
                break;
            }
            let (offset, piece) = entry.remove_entry();
            self.extend_prefix(offset, &piece);
        }
    }

    fn extend_prefix(&mut self, offset: usize, bytes: &[u8]) {
        let skip = self.prefix.len().saturating_sub(offset);
        self.prefix.extend_from_slice(bytes.get(skip..).unwrap_or_default());
    }

    fn assembled(&mut self) -> Option<Vec<u8>> {
        let total = self.total_len?;
        (self.prefix.len() >= total).then(|| {
            let mut out = std::mem::take(&mut self.prefix);
            out.truncate(total);
            out
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct FragmentKey {
    source: IpAddr,
    destination: IpAddr,
    identification: u32,
    protocol: u8,
}

/// IPv4/IPv6 reassembly; memory is the fragments themselves, and the number of open sets is capped.
#[derive(Debug, Default)]
struct Defragmenter {
    sets: HashMap<FragmentKey, FragmentSet>,
    /// The open sets by arrival, oldest first: the one to drop when too many are open.
    by_age: BTreeMap<u64, FragmentKey>,
    arrivals: u64,
    /// Incomplete sets dropped to make room, reported once at the end.
    dropped: u64,
}

impl Defragmenter {
    fn add(
        &mut self,
        key: FragmentKey,
        offset: usize,
        more: bool,
        payload: &[u8],
        limits: &Limits,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<Vec<u8>> {
        self.arrivals += 1;
        if !self.sets.contains_key(&key) && self.sets.len() >= limits.max_fragment_sets {
            // Drop the oldest incomplete set: its missing fragments are most likely lost.
            if let Some((_, oldest)) = self.by_age.pop_first() {
                self.sets.remove(&oldest);
                self.dropped += 1;
            }
        }
        if offset.saturating_add(payload.len()) > 65_535 {
            self.remove(&key);
            diagnostics.push(Diagnostic::new(
                Severity::Warning,
                Source::Ip,
                "fragment-too-large",
                "IP fragments add up to more than 65535 bytes; the datagram is dropped",
            ));
            return None;
        }
        let set = self.sets.entry(key.clone()).or_insert_with(|| {
            self.by_age.insert(self.arrivals, key.clone());
            FragmentSet { first_seen: self.arrivals, ..Default::default() }
        });
        if !more {
            set.total_len = Some(offset + payload.len());
        }
        set.add(offset, payload);
        let assembled = set.assembled()?;
        self.remove(&key);
        Some(assembled)
    }

    fn remove(&mut self, key: &FragmentKey) {
        if let Some(set) = self.sets.remove(key) {
            self.by_age.remove(&set.first_seen);
        }
    }

    /// One diagnostic for every set that never got all its fragments in time.
    fn report(&self, limits: &Limits, diagnostics: &mut Vec<Diagnostic>) {
        if self.dropped > 0 {
            diagnostics.push(Diagnostic::new(
                Severity::Warning,
                Source::Ip,
                "fragments-dropped",
                format!(
                    "{} IP datagram(s) never got all their fragments while more than {} were \
                     open (Limits::max_fragment_sets); they were dropped",
                    self.dropped, limits.max_fragment_sets
                ),
            ));
        }
    }
}

/// Runs the link, IP and transport layers over every frame, then TCP and HTTP over the streams.
pub fn analyze(
    kind: InputKind,
    frames: Frames<'_>,
    options: &Options,
    stats: &mut Stats,
) -> Capture {
    let mut capture = Capture::empty(kind);
    capture.comments = frames.comments;
    capture.diagnostics = frames.diagnostics;
    let mut layers = Layers::new(options);
    for frame in &frames.frames {
        layers.frame(frame, &mut capture);
    }
    let streams = layers.finish(&mut capture, stats);
    http::build_connections(streams, options, &mut capture, stats);
    capture
}

/// The link, IP, UDP and TCP layers as frames arrive one at a time. Connections come out of
/// [`Layers::take_completed`] as soon as they are over, and the rest from [`Layers::finish`].
#[derive(Debug)]
pub struct Layers {
    options: Options,
    reassembler: Reassembler,
    defragmenter: Defragmenter,
    reported_link_errors: HashSet<String>,
}

impl Layers {
    pub fn new(options: &Options) -> Self {
        Self {
            options: options.clone(),
            reassembler: Reassembler::new(&options.limits),
            defragmenter: Defragmenter::default(),
            reported_link_errors: HashSet::new(),
        }
    }

    /// One frame: its UDP connection requests and diagnostics go to `capture`, its TCP payload to
    /// the reassembler.
    pub fn frame(&mut self, frame: &Frame<'_>, capture: &mut Capture) {
        capture.frames += 1;
        let ip = match ip_packet(frame.link_type, frame.data) {
            Ok(Some(ip)) => ip,
            Ok(None) => return,
            Err(message) => {
                // One diagnostic per kind of problem, not one per frame.
                if !self.reported_link_errors.contains(&message) {
                    capture.diagnostics.push(
                        Diagnostic::new(Severity::Warning, Source::Link, "link-layer", &*message)
                            .at_byte(frame.offset),
                    );
                    self.reported_link_errors.insert(message);
                }
                return;
            }
        };
        handle_ip(frame, ip, &self.options, &mut self.defragmenter, &mut self.reassembler, capture);
    }

    /// TCP connections that are over, in the order they ended.
    pub fn take_completed(&mut self) -> Vec<Stream> {
        self.reassembler.take_completed()
    }

    /// The earliest start among connections still open (`None` when none is).
    pub fn earliest_open_start(&self) -> Option<Option<Timestamp>> {
        self.reassembler.earliest_open_start()
    }

    /// The end of the input: every connection still open, in the order it began; what the
    /// layers held and dropped goes to `stats` and the diagnostics.
    pub fn finish(&mut self, capture: &mut Capture, stats: &mut Stats) -> LeftOpen {
        self.defragmenter.report(&self.options.limits, &mut capture.diagnostics);
        let reassembler =
            std::mem::replace(&mut self.reassembler, Reassembler::new(&self.options.limits));
        let held = reassembler.stats();
        stats.peak_out_of_order_bytes =
            stats.peak_out_of_order_bytes.max(held.peak_pending_bytes as u64);
        stats.out_of_order_bytes_capped += held.capped_bytes;
        reassembler.finish_in_order(&mut capture.diagnostics)
    }
}

fn handle_ip(
    frame: &Frame<'_>,
    ip: &[u8],
    options: &Options,
    defragmenter: &mut Defragmenter,
    reassembler: &mut Reassembler,
    capture: &mut Capture,
) {
    let Ok((slice, _)) = LaxIpSlice::from_slice(ip) else {
        capture.diagnostics.push(
            Diagnostic::new(
                Severity::Info,
                Source::Ip,
                "bad-ip-header",
                format!("frame {}: not a readable IP header", frame.number),
            )
            .at_byte(frame.offset),
        );
        return;
    };
    let source = slice.source_addr();
    let destination = slice.destination_addr();
    let payload = slice.payload();
    let protocol = payload.ip_number;
    let reassembled;
    let transport: &[u8] = if payload.fragmented {
        let (identification, offset, more) = match &slice {
            LaxIpSlice::Ipv4(v4) => {
                let header = v4.header();
                (
                    u32::from(header.identification()),
                    usize::from(header.fragments_offset().value()) * 8,
                    header.more_fragments(),
                )
            }
            LaxIpSlice::Ipv6(v6) => {
                let fragment = v6.extensions().clone().into_iter().find_map(|ext| match ext {
                    Ipv6ExtensionSlice::Fragment(f) => Some(f),
                    _ => None,
                });
                let Some(fragment) = fragment else { return };
                (
                    fragment.identification(),
                    usize::from(fragment.fragment_offset().value()) * 8,
                    fragment.more_fragments(),
                )
            }
        };
        let key = FragmentKey { source, destination, identification, protocol: protocol.0 };
        match defragmenter.add(
            key,
            offset,
            more,
            payload.payload,
            &options.limits,
            &mut capture.diagnostics,
        ) {
            Some(datagram) => {
                reassembled = datagram;
                &reassembled
            }
            None => return,
        }
    } else {
        payload.payload
    };
    if protocol == IpNumber::TCP {
        let Ok(tcp) = TcpSlice::from_slice(transport) else {
            return;
        };
        reassembler.add(
            Segment {
                time: frame.time,
                source: ip_port(source, tcp.source_port()),
                destination: ip_port(destination, tcp.destination_port()),
                sequence: tcp.sequence_number(),
                syn: tcp.syn(),
                ack: tcp.ack(),
                fin: tcp.fin(),
                rst: tcp.rst(),
                payload: tcp.payload(),
                input_offset: Some(frame.offset),
            },
            &mut capture.diagnostics,
        );
    } else if protocol == IpNumber::UDP {
        let Ok(udp) = UdpSlice::from_slice_lax(transport) else {
            return;
        };
        if let Some(request) = udp_connection_request(
            frame.time,
            ip_port(source, udp.source_port()),
            ip_port(destination, udp.destination_port()),
            udp.payload(),
        ) {
            capture.udp_connection_requests.push(request);
        }
    }
}

/// A TR-111 UDP connection request is one HTTP GET request line with `ts`, `id`, `un`, `cn`, `sig`.
fn udp_connection_request(
    time: Option<Timestamp>,
    source: std::net::SocketAddr,
    destination: std::net::SocketAddr,
    payload: &[u8],
) -> Option<UdpConnectionRequest> {
    let text = std::str::from_utf8(payload.get(..payload.len().min(2048))?).ok()?;
    let line = text.lines().next()?.trim();
    if !line.starts_with("GET ") || !line.contains("id=") || !line.contains("sig=") {
        return None;
    }
    let username =
        line.split(['?', '&', ' ']).find_map(|pair| pair.strip_prefix("un=")).map(str::to_string);
    Some(UdpConnectionRequest {
        source,
        destination,
        time,
        request_line: line.to_string(),
        username,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_layers_reach_the_ip_packet() {
        let ip = [0x45u8, 0, 0, 20];
        let mut ethernet = vec![0u8; 12];
        ethernet.extend_from_slice(&[0x81, 0x00, 0, 1, 0x88, 0xa8, 0, 2, 0x08, 0x00]);
        ethernet.extend_from_slice(&ip);
        assert_eq!(ip_packet(LINKTYPE_ETHERNET, &ethernet), Ok(Some(&ip[..])));

        let mut sll2 = vec![0x08, 0x00];
        sll2.extend_from_slice(&[0; 18]);
        sll2.extend_from_slice(&ip);
        assert_eq!(ip_packet(LINKTYPE_LINUX_SLL2, &sll2), Ok(Some(&ip[..])));

        let mut null_be = vec![0, 0, 0, 2];
        null_be.extend_from_slice(&ip);
        assert_eq!(ip_packet(LINKTYPE_NULL, &null_be), Ok(Some(&ip[..])));
        let mut null_le = vec![30, 0, 0, 0];
        null_le.extend_from_slice(&ip);
        assert_eq!(ip_packet(LINKTYPE_NULL, &null_le), Ok(Some(&ip[..])));

        assert!(ip_packet(LINKTYPE_ETHERNET, &[0; 5]).is_err());
        assert!(ip_packet(9999, &ip).is_err());
    }

    #[test]
    fn fragments_reassemble_in_any_order() {
        let mut defragmenter = Defragmenter::default();
        let limits = Limits::default();
        let mut diagnostics = Vec::new();
        let key = FragmentKey {
            source: IpAddr::from([1, 2, 3, 4]),
            destination: IpAddr::from([5, 6, 7, 8]),
            identification: 7,
            protocol: 17,
        };
        assert_eq!(
            defragmenter.add(key.clone(), 8, false, b"orld", &limits, &mut diagnostics),
            None
        );
        let whole = defragmenter.add(key, 0, true, b"hello, w", &limits, &mut diagnostics);
        assert_eq!(whole.as_deref(), Some(&b"hello, world"[..]));
        assert!(defragmenter.sets.is_empty() && defragmenter.by_age.is_empty());
    }
}
