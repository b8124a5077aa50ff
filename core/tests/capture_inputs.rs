//! Every input format and link layer yields the same 28 CWMP messages as the original magma pcap:
//! the tests rewrap its frames (pcapng in both byte orders, other link layers, IPv6, fragments,
//! shuffled and duplicated segments, hex dumps, base64) and decode the result.

// The test is the host, not core: it reads corpus files.
#![allow(clippy::disallowed_methods)]

use base64::Engine as _;
use cwmpkit_core::Source;
use cwmpkit_core::capture::file::{Frame, read_frames};
use cwmpkit_core::capture::{self, InputKind, Limits, Options};
use cwmpkit_core::pipeline;

const MAGMA_PCAP: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/pcap/magma/dp_enb_tr069.pcap");

fn magma() -> Vec<u8> {
    std::fs::read(MAGMA_PCAP).unwrap()
}

/// (unix nanos, link-layer bytes) of every magma frame; magma is Ethernet.
fn magma_frames() -> Vec<(i128, Vec<u8>)> {
    let bytes = magma();
    let frames = read_frames(&bytes, &Limits::default()).unwrap();
    frames
        .frames
        .iter()
        .map(|f: &Frame<'_>| (f.time.unwrap().unix_nanos, f.data.to_vec()))
        .collect()
}

fn cwmp_message_count(input: &[u8]) -> usize {
    let report = pipeline::analyze(input, &Options::default()).unwrap();
    report.sessions.iter().map(|s| s.messages.len()).sum()
}

fn pcap(link_type: u32, frames: &[(i128, Vec<u8>)], big_endian: bool, nanos: bool) -> Vec<u8> {
    let u32b = |v: u32| if big_endian { v.to_be_bytes() } else { v.to_le_bytes() };
    let u16b = |v: u16| if big_endian { v.to_be_bytes() } else { v.to_le_bytes() };
    let mut out = Vec::new();
    out.extend_from_slice(&u32b(if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 }));
    out.extend_from_slice(&u16b(2));
    out.extend_from_slice(&u16b(4));
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&u32b(262_144));
    out.extend_from_slice(&u32b(link_type));
    for (time, data) in frames {
        let seconds = (time / 1_000_000_000) as u32;
        let fraction = (time % 1_000_000_000) as u32;
        out.extend_from_slice(&u32b(seconds));
        out.extend_from_slice(&u32b(if nanos { fraction } else { fraction / 1000 }));
        out.extend_from_slice(&u32b(data.len() as u32));
        out.extend_from_slice(&u32b(data.len() as u32));
        out.extend_from_slice(data);
    }
    out
}

struct PcapngWriter {
    out: Vec<u8>,
    big_endian: bool,
}

impl PcapngWriter {
    fn u32b(&self, v: u32) -> [u8; 4] {
        if self.big_endian { v.to_be_bytes() } else { v.to_le_bytes() }
    }
    fn u16b(&self, v: u16) -> [u8; 2] {
        if self.big_endian { v.to_be_bytes() } else { v.to_le_bytes() }
    }
    fn block(&mut self, block_type: u32, body: &[u8]) {
        let mut padded = body.to_vec();
        while !padded.len().is_multiple_of(4) {
            padded.push(0);
        }
        let len = 12 + padded.len() as u32;
        let (t, l) = (self.u32b(block_type), self.u32b(len));
        self.out.extend_from_slice(&t);
        self.out.extend_from_slice(&l);
        self.out.extend_from_slice(&padded);
        self.out.extend_from_slice(&l);
    }
    fn option(&self, code: u16, value: &[u8]) -> Vec<u8> {
        let mut o = Vec::new();
        o.extend_from_slice(&self.u16b(code));
        o.extend_from_slice(&self.u16b(value.len() as u16));
        o.extend_from_slice(value);
        while !o.len().is_multiple_of(4) {
            o.push(0);
        }
        o
    }
    fn section(&mut self, comment: &str) {
        let mut body = Vec::new();
        body.extend_from_slice(&self.u32b(0x1a2b_3c4d));
        body.extend_from_slice(&self.u16b(1));
        body.extend_from_slice(&self.u16b(0));
        body.extend_from_slice(&[0xff; 8]);
        body.extend_from_slice(&self.option(1, comment.as_bytes()));
        body.extend_from_slice(&[0; 4]);
        self.block(0x0a0d_0d0a, &body);
    }
    fn interface(&mut self, link_type: u16, tsresol: Option<u8>) {
        let mut body = Vec::new();
        body.extend_from_slice(&self.u16b(link_type));
        body.extend_from_slice(&[0, 0]);
        body.extend_from_slice(&self.u32b(0));
        if let Some(resolution) = tsresol {
            body.extend_from_slice(&self.option(9, &[resolution]));
            body.extend_from_slice(&[0; 4]);
        }
        self.block(1, &body);
    }
    fn enhanced(&mut self, interface: u32, units: u64, data: &[u8], comment: Option<&str>) {
        let mut body = Vec::new();
        body.extend_from_slice(&self.u32b(interface));
        body.extend_from_slice(&self.u32b((units >> 32) as u32));
        body.extend_from_slice(&self.u32b(units as u32));
        body.extend_from_slice(&self.u32b(data.len() as u32));
        body.extend_from_slice(&self.u32b(data.len() as u32));
        body.extend_from_slice(data);
        while !body.len().is_multiple_of(4) {
            body.push(0);
        }
        if let Some(comment) = comment {
            body.extend_from_slice(&self.option(1, comment.as_bytes()));
            body.extend_from_slice(&[0; 4]);
        }
        self.block(6, &body);
    }
    fn legacy_packet(&mut self, interface: u16, units: u64, data: &[u8]) {
        let mut body = Vec::new();
        body.extend_from_slice(&self.u16b(interface));
        body.extend_from_slice(&self.u16b(0));
        body.extend_from_slice(&self.u32b((units >> 32) as u32));
        body.extend_from_slice(&self.u32b(units as u32));
        body.extend_from_slice(&self.u32b(data.len() as u32));
        body.extend_from_slice(&self.u32b(data.len() as u32));
        body.extend_from_slice(data);
        self.block(2, &body);
    }
    fn simple(&mut self, data: &[u8]) {
        let mut body = Vec::new();
        body.extend_from_slice(&self.u32b(data.len() as u32));
        body.extend_from_slice(data);
        self.block(3, &body);
    }
}

#[test]
fn pcap_in_both_byte_orders_and_resolutions() {
    let frames = magma_frames();
    for (big_endian, nanos) in [(false, false), (true, false), (false, true), (true, true)] {
        let file = pcap(1, &frames, big_endian, nanos);
        assert_eq!(capture::detect(&file), Some(InputKind::Pcap));
        assert_eq!(cwmp_message_count(&file), 28, "big_endian={big_endian} nanos={nanos}");
        let report = pipeline::analyze(&file, &Options::default()).unwrap();
        let first = report.sessions[0].messages[0].time.unwrap().to_string();
        assert!(first.starts_with("2022-04-25T16:11:42.630372"), "{first}");
    }
}

#[test]
fn pcapng_sections_interfaces_block_kinds_and_comments() {
    let frames = magma_frames();
    for big_endian in [false, true] {
        let mut w = PcapngWriter { out: Vec::new(), big_endian };
        let half = frames.len() / 2;
        w.section("first section");
        w.interface(1, None); // microseconds
        w.interface(1, Some(9)); // nanoseconds
        for (index, (time, data)) in frames[..half].iter().enumerate() {
            let comment = (index == 0).then_some("first packet");
            if index % 3 == 0 {
                w.enhanced(1, *time as u64, data, comment);
            } else if index % 3 == 1 {
                w.legacy_packet(0, (*time / 1000) as u64, data);
            } else {
                w.enhanced(0, (*time / 1000) as u64, data, comment);
            }
        }
        // A second section restarts interface numbering.
        w.section("second section");
        w.interface(1, None);
        for (time, data) in &frames[half..] {
            w.enhanced(0, (*time / 1000) as u64, data, None);
        }
        let file = w.out;
        assert_eq!(capture::detect(&file), Some(InputKind::Pcapng));
        assert_eq!(cwmp_message_count(&file), 28, "big_endian={big_endian}");
        let report = pipeline::analyze(&file, &Options::default()).unwrap();
        let texts: Vec<&str> = report.comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["first section", "first packet", "second section"]);
        assert_eq!(report.comments[1].frame, Some(1));
        let first = report.sessions[0].messages[0].time.unwrap().to_string();
        assert!(first.starts_with("2022-04-25T16:11:42.630372"), "{first}");
    }
}

#[test]
fn simple_packet_blocks_have_no_time_but_still_decode() {
    let frames = magma_frames();
    let mut w = PcapngWriter { out: Vec::new(), big_endian: false };
    w.section("spb");
    w.interface(1, None);
    for (_, data) in &frames {
        w.simple(data);
    }
    let report = pipeline::analyze(&w.out, &Options::default()).unwrap();
    let total: usize = report.sessions.iter().map(|s| s.messages.len()).sum();
    assert_eq!(total, 28);
    assert!(report.sessions[0].messages[0].time.is_none());
}

/// The IPv4 packet inside an Ethernet frame (magma has no VLAN tags).
fn ip_of(frame: &[u8]) -> &[u8] {
    &frame[14..]
}

#[test]
fn other_link_layers() {
    let frames = magma_frames();
    let wrap = |f: &dyn Fn(&[u8]) -> Vec<u8>| -> Vec<(i128, Vec<u8>)> {
        frames.iter().map(|(t, d)| (*t, f(d))).collect()
    };
    let vlan = wrap(&|d| {
        let mut out = d[..12].to_vec();
        out.extend_from_slice(&[0x88, 0xa8, 0, 10, 0x81, 0x00, 0, 20]);
        out.extend_from_slice(&d[12..]);
        out
    });
    let sll = wrap(&|d| {
        let mut out = vec![0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00];
        out.extend_from_slice(ip_of(d));
        out
    });
    let sll2 = wrap(&|d| {
        let mut out = vec![0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0];
        out.extend_from_slice(ip_of(d));
        out
    });
    let raw = wrap(&|d| ip_of(d).to_vec());
    let null = wrap(&|d| {
        let mut out = 2u32.to_le_bytes().to_vec();
        out.extend_from_slice(ip_of(d));
        out
    });
    for (name, link_type, frames) in [
        ("vlan", 1, vlan),
        ("sll", 113, sll),
        ("sll2", 276, sll2),
        ("raw", 101, raw),
        ("ipv4", 228, frames.iter().map(|(t, d)| (*t, ip_of(d).to_vec())).collect()),
        ("null", 0, null),
    ] {
        assert_eq!(cwmp_message_count(&pcap(link_type, &frames, false, false)), 28, "{name}");
    }
}

/// Rewrites an IPv4+TCP packet as IPv6 (addresses mapped into 2001:db8::/96).
fn to_ipv6(ip: &[u8]) -> Vec<u8> {
    let header_len = usize::from(ip[0] & 0x0f) * 4;
    let total = usize::from(u16::from_be_bytes([ip[2], ip[3]])).min(ip.len());
    let payload = &ip[header_len..total];
    let mut out = vec![0x60, 0, 0, 0];
    out.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    out.extend_from_slice(&[ip[9], 64]);
    for address in [&ip[12..16], &ip[16..20]] {
        out.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(address);
    }
    out.extend_from_slice(payload);
    out
}

#[test]
fn ipv6_carries_the_same_sessions() {
    let frames: Vec<(i128, Vec<u8>)> =
        magma_frames().iter().map(|(t, d)| (*t, to_ipv6(ip_of(d)))).collect();
    let file = pcap(229, &frames, false, false);
    let report = pipeline::analyze(&file, &Options::default()).unwrap();
    assert_eq!(report.sessions.iter().map(|s| s.messages.len()).sum::<usize>(), 28);
    assert!(report.sessions[0].cpe_address.unwrap().is_ipv6());
}

/// Splits an IPv4 packet into fragments of at most `size` payload bytes (multiple of 8).
fn fragment_ipv4(ip: &[u8], size: usize) -> Vec<Vec<u8>> {
    let header_len = usize::from(ip[0] & 0x0f) * 4;
    let total = usize::from(u16::from_be_bytes([ip[2], ip[3]])).min(ip.len());
    let payload = &ip[header_len..total];
    if payload.len() <= size {
        return vec![ip.to_vec()];
    }
    payload
        .chunks(size)
        .enumerate()
        .map(|(index, chunk)| {
            let mut header = ip[..header_len].to_vec();
            let more = (index + 1) * size < payload.len();
            let offset = (index * size / 8) as u16 | if more { 0x2000 } else { 0 };
            header[2..4].copy_from_slice(&((header_len + chunk.len()) as u16).to_be_bytes());
            header[6..8].copy_from_slice(&offset.to_be_bytes());
            header.extend_from_slice(chunk);
            header
        })
        .collect()
}

#[test]
fn ipv4_fragments_reassemble_even_reversed() {
    let mut frames = Vec::new();
    for (t, d) in magma_frames() {
        let mut pieces = fragment_ipv4(ip_of(&d), 512);
        pieces.reverse();
        frames.extend(pieces.into_iter().map(|p| (t, p)));
    }
    assert_eq!(cwmp_message_count(&pcap(101, &frames, false, false)), 28);
}

#[test]
fn tcp_survives_duplicates_and_reordering() {
    let mut frames = magma_frames();
    // Duplicate every third frame (retransmission) and swap neighbours (reordering).
    let mut messy = Vec::new();
    for (index, frame) in frames.iter().enumerate() {
        messy.push(frame.clone());
        if index % 3 == 0 {
            messy.push(frame.clone());
        }
    }
    for pair in messy.chunks_mut(2) {
        pair.reverse();
    }
    assert_eq!(cwmp_message_count(&pcap(1, &messy, false, false)), 28);
    // A capture that starts mid-stream: drop the first frames of the first connection.
    frames.drain(..8);
    let report = pipeline::analyze(&pcap(1, &frames, false, false), &Options::default()).unwrap();
    let total: usize = report.sessions.iter().map(|s| s.messages.len()).sum();
    assert!((20..28).contains(&total), "{total}");
}

#[test]
fn a_lost_segment_is_a_gap_and_decoding_resyncs() {
    let bytes = magma();
    let capture = capture::decode(&bytes, &Options::default()).unwrap();
    // Find a data-carrying frame in the middle of the second connection and drop it.
    let mut frames = magma_frames();
    let dropped = frames
        .iter()
        .position(|(_, d)| d.len() > 1000 && d.windows(6).any(|w| w == b"GetPar") && d.len() > 1400)
        .unwrap();
    frames.remove(dropped);
    let damaged = capture::decode(&pcap(1, &frames, false, false), &Options::default()).unwrap();
    let gaps: Vec<_> = damaged
        .connections
        .iter()
        .flat_map(|c| &c.diagnostics)
        .filter(|d| d.code == "tcp-gap")
        .collect();
    assert_eq!(gaps.len(), 1);
    let before: usize = capture.connections.iter().map(|c| c.messages.len()).sum();
    let after: usize = damaged.connections.iter().map(|c| c.messages.len()).sum();
    // Only the response whose headers were in the lost segment is missing; the rest resync.
    assert_eq!(after, before - 1);
}

fn xxd(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (index, line) in bytes.chunks(16).enumerate() {
        out.push_str(&format!("{:08x}: ", index * 16));
        for pair in line.chunks(2) {
            for b in pair {
                out.push_str(&format!("{b:02x}"));
            }
            out.push(' ');
        }
        out.push(' ');
        out.extend(line.iter().map(|&b| if b.is_ascii_graphic() { b as char } else { '.' }));
        out.push('\n');
    }
    out
}

fn tcpdump_xx(frames: &[(i128, Vec<u8>)]) -> String {
    let mut out = String::new();
    for (time, data) in frames {
        let seconds = time / 1_000_000_000;
        out.push_str(&format!(
            "2022-04-25 {:02}:{:02}:{:02}.{:06} IP 10.0.2.243 > 192.88.99.142: tcp\n",
            seconds / 3600 % 24,
            seconds / 60 % 60,
            seconds % 60,
            time % 1_000_000_000 / 1000
        ));
        for (index, line) in data.chunks(16).enumerate() {
            out.push_str(&format!("\t0x{:04x}:  ", index * 16));
            for pair in line.chunks(2) {
                for b in pair {
                    out.push_str(&format!("{b:02x}"));
                }
                out.push(' ');
            }
            out.push('\n');
        }
    }
    out
}

#[test]
fn hex_dumps_and_base64() {
    let bytes = magma();
    let dump = xxd(&bytes);
    assert_eq!(capture::detect(dump.as_bytes()), Some(InputKind::HexDump));
    assert_eq!(cwmp_message_count(dump.as_bytes()), 28);

    let tcpdump = tcpdump_xx(&magma_frames());
    assert_eq!(capture::detect(tcpdump.as_bytes()), Some(InputKind::HexDump));
    let report = pipeline::analyze(tcpdump.as_bytes(), &Options::default()).unwrap();
    assert_eq!(report.sessions.iter().map(|s| s.messages.len()).sum::<usize>(), 28);
    let first = report.sessions[0].messages[0].time.unwrap().to_string();
    assert!(first.starts_with("2022-04-25T16:11:42.630372"), "{first}");

    let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let wrapped: String = encoded
        .as_bytes()
        .chunks(76)
        .map(|c| format!("{}\n", std::str::from_utf8(c).unwrap()))
        .collect();
    assert_eq!(capture::detect(wrapped.as_bytes()), Some(InputKind::Base64));
    assert_eq!(cwmp_message_count(wrapped.as_bytes()), 28);
}

/// The magma HTTP streams as text: a raw transcript of the first connection.
fn magma_transcript() -> Vec<u8> {
    let capture =
        capture::decode(&magma(), &Options { reveal_secrets: true, ..Options::default() }).unwrap();
    let mut out = Vec::new();
    for message in &capture.connections[0].messages {
        out.extend_from_slice(format!("{}\r\n", message.start_line_text()).as_bytes());
        for header in &message.headers {
            out.extend_from_slice(format!("{}: {}\r\n", header.name, header.value).as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&message.body);
    }
    out
}

#[test]
fn http_transcripts_with_crlf_or_lf() {
    let crlf = magma_transcript();
    assert_eq!(capture::detect(&crlf), Some(InputKind::HttpTranscript));
    assert_eq!(cwmp_message_count(&crlf), 8);
    let report = pipeline::analyze(&crlf, &Options::default()).unwrap();
    assert!(report.sessions[0].ended);
    let lf = String::from_utf8(crlf).unwrap().replace("\r\n", "\n");
    assert_eq!(cwmp_message_count(lf.as_bytes()), 8);
}

#[test]
fn curl_verbose_output() {
    let body = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/corpus/soap/freeacs/GetRPCMethods.xml"
    ))
    .unwrap();
    let text = format!(
        "*   Trying 127.0.0.1:7547...\n* Connected to acs (127.0.0.1) port 7547\n> POST /acs HTTP/1.1\n> Host: acs:7547\n> Content-Length: 0\n>\n< HTTP/1.1 200 OK\n< Content-Type: text/xml\n< Content-Length: {}\n<\n{body}* Connection #0 to host acs left intact\n",
        body.len()
    );
    assert_eq!(capture::detect(text.as_bytes()), Some(InputKind::CurlVerbose));
    let report = pipeline::analyze(text.as_bytes(), &Options::default()).unwrap();
    let session = &report.sessions[0];
    assert_eq!(session.messages[0].rpc, "GetRPCMethods");
    assert_eq!(session.exchanges[0].kind, "empty-post");
}

#[test]
fn bad_files_are_errors_with_offsets() {
    let bytes = magma();
    // Wrong magic when forced to pcap.
    let forced = Options { kind: Some(InputKind::Pcap), ..Options::default() };
    let error = capture::decode(b"not a capture at all", &forced).unwrap_err();
    assert_eq!((error.layer, error.offset), (Source::Pcap, 0));
    // Truncated: frames before the cut are kept, the cut is reported with its offset.
    let truncated = capture::decode(&bytes[..bytes.len() - 100], &Options::default()).unwrap();
    let cut = truncated.diagnostics.iter().find(|d| d.code == "truncated-file").unwrap();
    assert!(cut.location.byte_offset().unwrap() > 24);
    // A record claiming 3 GB.
    let mut giant = bytes[..24].to_vec();
    giant.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0xc0]);
    let error = capture::decode(&giant, &Options::default()).unwrap_err();
    assert_eq!((error.layer, error.offset), (Source::Pcap, 24));
    // A huge snaplen in the header is only noted.
    let mut snaplen = bytes.clone();
    snaplen[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(cwmp_message_count(&snaplen), 28);
    // pcapng: zero-length block, a block length that points back, mismatched trailer.
    let mut w = PcapngWriter { out: Vec::new(), big_endian: false };
    w.section("s");
    w.interface(1, None);
    let good = w.out.clone();
    for bad_len in [0u32, 4, 13] {
        let mut file = good.clone();
        file.extend_from_slice(&6u32.to_le_bytes());
        file.extend_from_slice(&bad_len.to_le_bytes());
        file.extend_from_slice(&[0; 32]);
        let error = capture::decode(&file, &Options::default()).unwrap_err();
        assert_eq!((error.layer, error.offset), (Source::Pcapng, good.len()), "{bad_len}");
    }
    let mut file = good.clone();
    file.extend_from_slice(&6u32.to_le_bytes());
    file.extend_from_slice(&32u32.to_le_bytes());
    file.extend_from_slice(&[0; 20]);
    file.extend_from_slice(&28u32.to_le_bytes());
    let error = capture::decode(&file, &Options::default()).unwrap_err();
    assert_eq!(error.offset, good.len());
    // Unknown interface id.
    let mut w = PcapngWriter { out: good.clone(), big_endian: false };
    w.enhanced(5, 0, &[0; 20], None);
    assert_eq!(capture::decode(&w.out, &Options::default()).unwrap_err().offset, good.len());
    // Nothing recognisable at all.
    let error = capture::decode(&[0u8, 1, 2, 3, 255, 254], &Options::default()).unwrap_err();
    assert_eq!(error.layer, Source::Detect);
}

#[test]
fn tr111_udp_connection_requests_and_tls_are_listed() {
    // Raw IPv4 + UDP datagram carrying a TR-111 connection request.
    let request = b"GET http://10.0.0.9:7547?ts=1700000000&id=42&un=acsuser&cn=abc&sig=0123abcd HTTP/1.1\r\n\r\n";
    let mut udp = Vec::new();
    udp.extend_from_slice(&3478u16.to_be_bytes());
    udp.extend_from_slice(&7547u16.to_be_bytes());
    udp.extend_from_slice(&((8 + request.len()) as u16).to_be_bytes());
    udp.extend_from_slice(&[0, 0]);
    udp.extend_from_slice(request);
    let mut ip = vec![0x45, 0, 0, 0, 0, 1, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 10, 0, 0, 9];
    let total = (ip.len() + udp.len()) as u16;
    ip[2..4].copy_from_slice(&total.to_be_bytes());
    ip.extend_from_slice(&udp);
    // A TLS ClientHello on a TCP connection to 7547, no SNI.
    let mut hello = vec![0x16, 0x03, 0x01, 0, 0x2f, 1, 0, 0, 0x2b, 0x03, 0x03];
    hello.extend_from_slice(&[0; 32]);
    hello.extend_from_slice(&[0, 0, 2, 0x13, 0x01, 1, 0, 0, 0]);
    let mut tcp = Vec::new();
    tcp.extend_from_slice(&50000u16.to_be_bytes());
    tcp.extend_from_slice(&7547u16.to_be_bytes());
    tcp.extend_from_slice(&1u32.to_be_bytes());
    tcp.extend_from_slice(&0u32.to_be_bytes());
    tcp.extend_from_slice(&[0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
    tcp.extend_from_slice(&hello);
    let mut tls_ip = vec![0x45, 0, 0, 0, 0, 2, 0, 0, 64, 6, 0, 0, 10, 0, 0, 9, 192, 0, 2, 1];
    let total = (tls_ip.len() + tcp.len()) as u16;
    tls_ip[2..4].copy_from_slice(&total.to_be_bytes());
    tls_ip.extend_from_slice(&tcp);
    let file = pcap(
        101,
        &[(1_700_000_000_000_000_000, ip), (1_700_000_001_000_000_000, tls_ip)],
        false,
        false,
    );
    let report = pipeline::analyze(&file, &Options::default()).unwrap();
    let udp = &report.udp_connection_requests[0];
    assert_eq!(udp.username.as_deref(), Some("acsuser"));
    assert_eq!(udp.destination.port(), 7547);
    assert_eq!(report.tls.len(), 1);
    assert_eq!(report.tls[0].server.port(), 7547);
    assert!(report.tls[0].note.contains("not decodable"));
}

/// Raw IPv4/TCP packets carrying `messages` on one connection (handshake included).
fn tcp_connection(client_port: u16, messages: &[(bool, Vec<u8>)]) -> Vec<Vec<u8>> {
    let packet = |from_client: bool, seq: u32, flags: u8, payload: &[u8]| {
        let (source, destination) = if from_client {
            ([10u8, 0, 0, 1], [10u8, 0, 0, 2])
        } else {
            ([10u8, 0, 0, 2], [10u8, 0, 0, 1])
        };
        let (sport, dport) = if from_client { (client_port, 7547) } else { (7547, client_port) };
        let mut tcp = Vec::new();
        tcp.extend_from_slice(&sport.to_be_bytes());
        tcp.extend_from_slice(&dport.to_be_bytes());
        tcp.extend_from_slice(&seq.to_be_bytes());
        tcp.extend_from_slice(&0u32.to_be_bytes());
        tcp.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
        tcp.extend_from_slice(payload);
        let mut ip = vec![0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 6, 0, 0];
        ip.extend_from_slice(&source);
        ip.extend_from_slice(&destination);
        let total = (ip.len() + tcp.len()) as u16;
        ip[2..4].copy_from_slice(&total.to_be_bytes());
        ip.extend_from_slice(&tcp);
        ip
    };
    let (mut client_seq, mut server_seq) = (1000u32, 5000u32);
    let mut out = vec![packet(true, client_seq, 0x02, b""), packet(false, server_seq, 0x12, b"")];
    client_seq += 1;
    server_seq += 1;
    for (from_client, bytes) in messages {
        let seq = if *from_client { &mut client_seq } else { &mut server_seq };
        out.push(packet(*from_client, *seq, 0x18, bytes));
        *seq += bytes.len() as u32;
    }
    out
}

#[test]
fn a_session_continues_on_a_new_connection_with_its_cookie() {
    let inform = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/corpus/soap/freeacs/Inform.xml"
    ))
    .unwrap();
    let http = |start: &str, headers: &str, body: &[u8]| {
        let mut m =
            format!("{start}\r\n{headers}Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        m.extend_from_slice(body);
        m
    };
    let inform_response = br#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><soap:Header><cwmp:ID>1</cwmp:ID></soap:Header><soap:Body><cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse></soap:Body></soap:Envelope>"#;
    let first = tcp_connection(
        40001,
        &[
            (true, http("POST /acs HTTP/1.1", "", &inform)),
            (
                false,
                http("HTTP/1.1 200 OK", "Set-Cookie: session=xyz; Path=/\r\n", inform_response),
            ),
        ],
    );
    let second = tcp_connection(
        40002,
        &[
            (true, http("POST /acs HTTP/1.1", "Cookie: session=xyz\r\n", b"")),
            (false, http("HTTP/1.1 204 No Content", "", b"")),
        ],
    );
    let mut frames = Vec::new();
    for (index, packet) in first.into_iter().chain(second).enumerate() {
        frames.push((1_700_000_000_000_000_000 + index as i128 * 1_000_000, packet));
    }
    let report = pipeline::analyze(&pcap(101, &frames, false, false), &Options::default()).unwrap();
    assert_eq!(report.sessions.len(), 1);
    let session = &report.sessions[0];
    assert_eq!(session.connections, [1, 2]);
    assert!(session.ended);
    assert_eq!(session.messages.len(), 2);
}
