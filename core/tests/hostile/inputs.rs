//! Hostile inputs and their benign twins, made at run time (never committed as big files).
//!
//! Shared by `tests/hostile.rs` (which asserts on the work each decoder reports), the criterion
//! bench `benches/hostile.rs` (which times each against its twin of the same size) and
//! `examples/hostile_inputs.rs` (which writes them as files for the end-to-end figures of
//! BENCHMARKS.md). Every generator is deterministic and sized by its caller.
// reason: each user of this module uses its own part of it.
#![allow(dead_code)]

use std::io::Write as _;

/// A small, real-looking Inform; `id` makes each copy distinct.
pub fn inform(id: usize) -> String {
    format!(
        r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:cwmp="urn:dslforum-org:cwmp-1-0">
<soap:Header><cwmp:ID soap:mustUnderstand="1">{id}</cwmp:ID></soap:Header>
<soap:Body><cwmp:Inform>
<DeviceId><Manufacturer>Aastra</Manufacturer><OUI>00085D</OUI><ProductClass>6867i</ProductClass><SerialNumber>SN{id:08}</SerialNumber></DeviceId>
<Event soapenc:arrayType="cwmp:EventStruct[1]"><EventStruct><EventCode>2 PERIODIC</EventCode><CommandKey></CommandKey></EventStruct></Event>
<MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2024-01-02T03:04:05Z</CurrentTime><RetryCount>0</RetryCount>
<ParameterList soapenc:arrayType="cwmp:ParameterValueStruct[2]">
<ParameterValueStruct><Name>Device.DeviceInfo.SoftwareVersion</Name><Value xsi:type="xsd:string">5.1.0.2040</Value></ParameterValueStruct>
<ParameterValueStruct><Name>Device.ManagementServer.ConnectionRequestURL</Name><Value xsi:type="xsd:string">http://10.0.0.{octet}:7547/cr</Value></ParameterValueStruct>
</ParameterList></cwmp:Inform></soap:Body></soap:Envelope>
"#,
        octet = id % 250 + 1
    )
}

/// A GetParameterValuesResponse with `count` parameters: what a real compressed body holds.
pub fn gpv_response(id: usize, count: usize) -> String {
    let mut out = format!(
        r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><soap:Header><cwmp:ID soap:mustUnderstand="1">{id}</cwmp:ID></soap:Header><soap:Body><cwmp:GetParameterValuesResponse><ParameterList soapenc:arrayType="cwmp:ParameterValueStruct[{count}]">"#
    );
    for n in 0..count {
        out.push_str(&format!(
            "\n<ParameterValueStruct><Name>Device.Services.VoiceService.1.VoiceProfile.1.Line.{n}.SIP.AuthUserName</Name><Value xsi:type=\"xsd:string\">user{id}-{n}</Value></ParameterValueStruct>"
        ));
    }
    out.push_str(
        "\n</ParameterList></cwmp:GetParameterValuesResponse></soap:Body></soap:Envelope>\n",
    );
    out
}

/// Envelopes back to back up to `target` bytes, with or without an XML declaration each. Without
/// them, a search for `<?xml` that starts again from the beginning for each envelope is quadratic.
pub fn soap_envelopes(target: usize, declarations: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(target + 4096);
    let mut id = 0;
    while out.len() < target {
        if declarations {
            out.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        }
        out.extend_from_slice(inform(id).as_bytes());
        id += 1;
    }
    out
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).expect("in memory");
    encoder.finish().expect("in memory")
}

fn post(body: &[u8], gzipped: bool) -> Vec<u8> {
    let mut out = format!(
        "POST /acs HTTP/1.1\r\nHost: acs.example.com:7547\r\nContent-Type: text/xml; charset=utf-8\r\n{}Content-Length: {}\r\n\r\n",
        if gzipped { "Content-Encoding: gzip\r\n" } else { "" },
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out.extend_from_slice(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n");
    out
}

/// An HTTP transcript of `bodies` gzip'd POSTs, each inflating to `inflated_each` bytes: an
/// envelope whose body is one element repeated.
pub fn gzip_bomb_transcript(bodies: usize, inflated_each: usize) -> Vec<u8> {
    let head =
        b"<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><x>";
    let mut plain = Vec::with_capacity(inflated_each);
    plain.extend_from_slice(head);
    while plain.len() < inflated_each {
        plain.extend_from_slice(b"<a/>");
    }
    plain.truncate(inflated_each);
    let compressed = gzip(&plain);
    let mut out = Vec::new();
    for _ in 0..bodies {
        out.extend_from_slice(&post(&compressed, true));
    }
    out
}

/// The bomb's twin: a transcript of the same size whose gzip'd bodies are real responses (about
/// 10× smaller than they inflate to).
pub fn gzip_benign_transcript(target: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(target + 65536);
    let mut id = 0;
    while out.len() < target {
        let body = gzip(gpv_response(id, 400).as_bytes());
        out.extend_from_slice(&post(&body, true));
        id += 1;
    }
    out
}

/// A zip of the given files, deflated at the best level (as an attacker would).
pub fn zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let mut encoder =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(data).expect("in memory");
        let deflated = encoder.finish().expect("in memory");
        let crc = crc32fast::hash(data);
        let offset = out.len() as u32;
        let header = |out: &mut Vec<u8>, signature: u32, central: bool| {
            out.extend_from_slice(&signature.to_le_bytes());
            if central {
                out.extend_from_slice(&20u16.to_le_bytes());
            }
            for field in [20u16, 0x0800, 8, 0, 0x21] {
                out.extend_from_slice(&field.to_le_bytes());
            }
            for field in [crc, deflated.len() as u32, data.len() as u32] {
                out.extend_from_slice(&field.to_le_bytes());
            }
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            if central {
                // comment length, disk, internal and external attributes
                out.extend_from_slice(&[0; 10]);
                out.extend_from_slice(&offset.to_le_bytes());
            }
            out.extend_from_slice(name.as_bytes());
        };
        header(&mut out, 0x0403_4b50, false);
        out.extend_from_slice(&deflated);
        header(&mut central, 0x0201_4b50, true);
    }
    let directory_offset = out.len() as u32;
    let directory_size = central.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&directory_size.to_le_bytes());
    out.extend_from_slice(&directory_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// One phone's real-looking `<MAC>.cfg`.
pub fn phone_config(phone: usize) -> String {
    let mut out = String::from("# generated for one phone\n");
    for line in 1..=9 {
        out.push_str(&format!(
            "sip line{line} auth name: {phone}{line}\nsip line{line} user name: {phone}{line}\n\
             sip line{line} display name: Phone {phone} line {line}\nsip line{line} password: s3cret{phone}\n\
             sip line{line} proxy ip: 10.0.{}.1\nsip line{line} proxy port: 5060\n",
            phone % 250
        ));
    }
    out.push_str("tr69 server: http://acs.example.com:7547/acs\ntime server1: pool.ntp.org\n");
    out
}

/// A zip holding one `.cfg` of `inflated` bytes of config lines (hundreds of times its size).
pub fn zip_bomb(inflated: usize) -> Vec<u8> {
    let line = b"sip line1 auth name: 1001\n";
    let mut text = Vec::with_capacity(inflated + line.len());
    while text.len() < inflated {
        text.extend_from_slice(line);
    }
    text.truncate(inflated);
    zip(&[("00085D1A2B3C.cfg", &text)])
}

/// The zip bomb's twin: a zip of about the same size holding real phone configs.
pub fn zip_benign(target: usize) -> Vec<u8> {
    let archive = |phones: usize| {
        let configs: Vec<(String, String)> = (0..phones)
            .map(|phone| (format!("00085D{phone:06X}.cfg"), phone_config(phone)))
            .collect();
        let files: Vec<(&str, &[u8])> =
            configs.iter().map(|(name, text)| (name.as_str(), text.as_bytes())).collect();
        zip(&files)
    };
    // A first guess, then scaled by what one phone turned out to cost.
    let sample = archive(100);
    archive((target * 100 / sample.len()).max(1))
}

/// A config file of `lines` short entries.
pub fn many_lines(lines: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(lines * 8);
    for n in 0..lines {
        out.extend_from_slice(format!("k{}: {}\n", n % 100, n % 10).as_bytes());
    }
    out
}

fn ipv4_checksum(header: &[u8]) -> u16 {
    let mut sum: u32 =
        header.chunks(2).map(|pair| u32::from(u16::from_be_bytes([pair[0], pair[1]]))).sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// Flags of a TCP segment.
pub const SYN: u8 = 0x02;
pub const ACK: u8 = 0x10;
pub const PSH: u8 = 0x08;

/// A pcap (Ethernet, microseconds) being written.
pub struct Pcap {
    pub bytes: Vec<u8>,
    tick: u32,
}

impl Default for Pcap {
    fn default() -> Self {
        Self::new()
    }
}

impl Pcap {
    pub fn new() -> Self {
        let mut bytes = 0xa1b2_c3d4u32.to_le_bytes().to_vec();
        bytes.extend_from_slice(&2u16.to_le_bytes());
        bytes.extend_from_slice(&4u16.to_le_bytes());
        for field in [0u32, 0, 65535, 1] {
            bytes.extend_from_slice(&field.to_le_bytes());
        }
        Pcap { bytes, tick: 0 }
    }

    /// One TCP segment in an Ethernet frame.
    pub fn tcp(
        &mut self,
        source: ([u8; 4], u16),
        destination: ([u8; 4], u16),
        sequence: u32,
        flags: u8,
        payload: &[u8],
    ) {
        let mut frame = Vec::with_capacity(54 + payload.len());
        frame.extend_from_slice(&[0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00]);
        let total = (20 + 20 + payload.len()) as u16;
        let mut ip = vec![0x45, 0];
        ip.extend_from_slice(&total.to_be_bytes());
        ip.extend_from_slice(&[0, 0, 0x40, 0, 64, 6, 0, 0]);
        ip.extend_from_slice(&source.0);
        ip.extend_from_slice(&destination.0);
        let checksum = ipv4_checksum(&ip);
        ip[10..12].copy_from_slice(&checksum.to_be_bytes());
        frame.extend_from_slice(&ip);
        frame.extend_from_slice(&source.1.to_be_bytes());
        frame.extend_from_slice(&destination.1.to_be_bytes());
        frame.extend_from_slice(&sequence.to_be_bytes());
        frame.extend_from_slice(&1u32.to_be_bytes());
        frame.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
        frame.extend_from_slice(payload);
        self.tick += 1;
        self.bytes.extend_from_slice(&(1_700_000_000 + self.tick / 1_000_000).to_le_bytes());
        self.bytes.extend_from_slice(&(self.tick % 1_000_000).to_le_bytes());
        self.bytes.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        self.bytes.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        self.bytes.extend_from_slice(&frame);
    }
}

/// The client address of connection `n` (distinct for 16 M connections).
pub fn client(n: usize) -> ([u8; 4], u16) {
    ([10, (n >> 16) as u8, (n >> 8) as u8, n as u8], 40000 + (n % 20000) as u16)
}

pub const ACS: ([u8; 4], u16) = ([192, 0, 2, 1], 7547);

/// `connections` TCP connections, each a handshake and one segment of `payload` bytes. Out of
/// order, the segment lands 1000 bytes past where the data starts, so every connection holds it
/// waiting for a hole that never fills; in order, it is delivered at once. Same size either way.
pub fn pcap_connections(connections: usize, payload: usize, out_of_order: bool) -> Vec<u8> {
    let mut pcap = Pcap::new();
    let body = {
        let mut body = b"POST /acs HTTP/1.1\r\nContent-Length: 0\r\n\r\n".to_vec();
        body.resize(payload.max(body.len()), b' ');
        body
    };
    for n in 0..connections {
        let from = client(n);
        pcap.tcp(from, ACS, 999, SYN, b"");
        let sequence = if out_of_order { 1000 + 1000 } else { 1000 };
        pcap.tcp(from, ACS, sequence, ACK | PSH, &body);
    }
    pcap.bytes
}

/// One connection whose every segment repeats or overlaps the ones before: `segments` segments of
/// `size` bytes, each starting one byte after the last.
pub fn pcap_overlapping(segments: usize, size: usize) -> Vec<u8> {
    let mut pcap = Pcap::new();
    let from = client(1);
    pcap.tcp(from, ACS, 999, SYN, b"");
    let data: Vec<u8> = (0..segments + size).map(|n| b'a' + (n % 26) as u8).collect();
    for n in 0..segments {
        pcap.tcp(from, ACS, 1000 + n as u32, ACK, &data[n..n + size]);
    }
    pcap.bytes
}

/// Deeply nested elements inside a SOAP body.
pub fn deep_envelope(depth: usize) -> Vec<u8> {
    let mut out =
        b"<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>"
            .to_vec();
    for _ in 0..depth {
        out.extend_from_slice(b"<a>");
    }
    for _ in 0..depth {
        out.extend_from_slice(b"</a>");
    }
    out.extend_from_slice(b"</soap:Body></soap:Envelope>");
    out
}

/// A vendor method (kept as raw XML) whose every child declares a namespace prefix of its own.
pub fn prefix_per_child(children: usize) -> Vec<u8> {
    let mut out = b"<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><X_Vendor>".to_vec();
    for n in 0..children {
        out.extend_from_slice(format!("<p{n}:a xmlns:p{n}=\"urn:x\"/>").as_bytes());
    }
    out.extend_from_slice(b"</X_Vendor></soap:Body></soap:Envelope>");
    out
}

/// The billion laughs: entities that expand to entities, ten times ten times over.
pub fn billion_laughs() -> Vec<u8> {
    let mut out =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
    for level in 1..10 {
        let previous = if level == 1 { "lol".to_string() } else { format!("lol{}", level - 1) };
        let refs: String = (0..10).map(|_| format!("&{previous};")).collect();
        out.push_str(&format!(" <!ENTITY lol{level} \"{refs}\">\n"));
    }
    out.push_str("]>\n<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><cwmp:Inform xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\">&lol9;</cwmp:Inform></soap:Body></soap:Envelope>\n");
    out.into_bytes()
}
