//! Hostile input costs bounded time and memory (issue 16). Each case is made at run time
//! (`hostile/inputs.rs`), no larger than it takes to show the bound, and asserts on the work the
//! decoder reports (bytes inflated, held, looked at again) and on the finding that says a budget
//! was hit: never on time. `benches/hostile.rs` times the same cases against benign twins.

#[path = "hostile/inputs.rs"]
mod inputs;

use cwmpkit_core::Diagnostic;
use cwmpkit_core::capture::{self, Capture, InputKind, Limits, Options};
use cwmpkit_core::cwmp;
use cwmpkit_core::provision::Registry;

fn decode(input: &[u8], limits: Limits) -> Capture {
    capture::decode(input, &Options { limits, ..Options::default() }).expect("decodes")
}

fn all_diagnostics(capture: &Capture) -> Vec<&Diagnostic> {
    capture
        .diagnostics
        .iter()
        .chain(capture.connections.iter().flat_map(|c| &c.diagnostics))
        .chain(capture.connections.iter().flat_map(|c| &c.messages).flat_map(|m| &m.diagnostics))
        .collect()
}

fn count(capture: &Capture, code: &str) -> usize {
    all_diagnostics(capture).iter().filter(|d| d.code == code).count()
}

/// Row 1 of the issue: envelopes without declarations. Each envelope is found by looking at most
/// a bounded number of bytes behind it, not everything before it.
#[test]
fn envelopes_without_declarations_are_found_in_linear_time() {
    for declarations in [false, true] {
        let input = inputs::soap_envelopes(300_000, declarations);
        let capture = decode(&input, Limits::default());
        assert_eq!(capture.kind, InputKind::Soap);
        let envelopes = input.windows(15).filter(|w| w == b"</soap:Envelope").count();
        assert!(envelopes > 200, "{envelopes}");
        assert_eq!(capture.documents.len(), envelopes);
        if declarations {
            assert!(capture.documents.iter().all(|d| d.body.starts_with(b"<?xml")));
        }
        // A prefix (65 bytes) and a declaration (200) behind each envelope at most; a search
        // from the start each time would have looked at ~ envelopes × input / 2 bytes.
        let bound = (envelopes * 265) as u64;
        assert!(
            capture.stats.lookbehind_bytes <= bound,
            "{} bytes looked at behind {envelopes} envelopes",
            capture.stats.lookbehind_bytes
        );
        assert!(capture.stats.lookbehind_bytes > 0);
    }
}

/// The envelope finder on one long line of envelopes, and on `Envelope` repeated with no tag.
#[test]
fn envelope_lookbehind_is_bounded_without_line_breaks_or_tags() {
    let one_line: Vec<u8> =
        inputs::soap_envelopes(200_000, false).into_iter().filter(|&b| b != b'\n').collect();
    let capture = decode(&one_line, Limits::default());
    assert!(capture.documents.len() > 100);
    assert!(capture.stats.lookbehind_bytes <= capture.documents.len() as u64 * 265);

    let words = format!("<{}", "Envelope".repeat(50_000));
    let capture = decode(words.as_bytes(), Options::default().limits);
    assert!(capture.stats.lookbehind_bytes <= 50_000 * 65, "{}", capture.stats.lookbehind_bytes);
}

/// Row 2 of the issue: many gzip bodies, each inflating to far more than its size. All bodies
/// of an input share one budget; past it, bodies stay compressed and say so, and every message
/// of the transcript is still read.
#[test]
fn gzip_bodies_share_one_inflation_budget() {
    let bodies = 20;
    let input = inputs::gzip_bomb_transcript(bodies, 1 << 20);
    let limits = Limits::default();
    let budget = limits.inflate_budget(input.len());
    assert!(budget < bodies << 20, "the case must exceed the budget: {budget}");
    let capture = decode(&input, limits.clone());
    let messages: Vec<_> = capture.connections.iter().flat_map(|c| &c.messages).collect();
    assert_eq!(messages.len(), bodies * 2, "every request and response is read");
    assert_eq!(capture.stats.inflate_budget, budget as u64);
    assert_eq!(capture.stats.inflated_bytes, budget as u64, "inflated up to the budget, no more");
    let held: usize = messages.iter().map(|m| m.body.len()).sum();
    assert!(held <= budget + input.len(), "{held} bytes of bodies held");
    let full = messages.iter().filter(|m| m.body.len() == 1 << 20).count();
    assert_eq!(full, budget >> 20);
    assert_eq!(capture.stats.bodies_left_compressed as usize, bodies - full - 1);
    assert_eq!(count(&capture, "inflate-budget-spent"), bodies - full);
}

/// The per-body cap still holds inside the budget.
#[test]
fn one_gzip_body_is_cut_at_its_own_cap() {
    let input = inputs::gzip_bomb_transcript(2, 300_000);
    let limits = Limits { max_decoded_body_bytes: 100_000, ..Limits::default() };
    let capture = decode(&input, limits);
    assert_eq!(capture.stats.inflated_bytes, 200_000);
    assert_eq!(count(&capture, "body-too-large"), 2);
}

/// Row 4 of the issue: thousands of connections each holding out-of-order bytes. What waits is
/// bounded by the global cap, the cap gives holes up without looking at every connection, and
/// every connection's bytes are still delivered (after a gap).
#[test]
fn out_of_order_bytes_across_connections_stay_under_the_global_cap() {
    let connections = 3_000;
    let payload = 300;
    let input = inputs::pcap_connections(connections, payload, true);
    let cap = 64 * 1024;
    let limits = Limits { max_pending_bytes_total: cap, ..Limits::default() };
    let capture = decode(&input, limits.clone());
    let stats = capture.stats;
    assert!(stats.peak_out_of_order_bytes as usize <= cap + payload, "{stats:?}");
    assert!(stats.peak_out_of_order_bytes as usize > cap - payload, "the cap was reached");
    let waiting = (connections * payload) as u64;
    assert!(stats.out_of_order_bytes_capped >= waiting - cap as u64, "{stats:?}");
    let capped = capture
        .connections
        .iter()
        .filter(|c| c.diagnostics.iter().any(|d| d.message.contains(capture::tcp::CAPPED)))
        .count();
    assert!(capped >= connections - cap / payload - 1, "{capped}");
    // One finding for the capture says what the cap cost, not one per connection.
    assert_eq!(count(&capture, "tcp-memory-cap"), 1);
    let requests = capture.connections.iter().flat_map(|c| &c.messages).count();
    assert_eq!(requests, connections, "every connection's request is read after its gap");

    let in_order = inputs::pcap_connections(connections, payload, false);
    assert_eq!(in_order.len(), input.len(), "the benign twin has the same size");
    let capture = decode(&in_order, limits);
    assert_eq!(capture.stats.peak_out_of_order_bytes, 0);
    assert_eq!(capture.connections.iter().flat_map(|c| &c.messages).count(), connections);
}

/// Overlapping segments: each byte of the stream is held once however often it is sent.
#[test]
fn overlapping_segments_deliver_each_byte_once() {
    let (segments, size) = (3_000, 400);
    let input = inputs::pcap_overlapping(segments, size);
    let capture = decode(&input, Limits::default());
    assert_eq!(capture.stats.peak_out_of_order_bytes, 0);
    let mut reassembler = capture::tcp::Reassembler::new(&Limits::default());
    let frames = capture::file::read_frames(&input, &Limits::default()).unwrap();
    let mut diagnostics = Vec::new();
    for frame in &frames.frames {
        let ip = &frame.data[14..];
        let tcp = &ip[20..];
        let segment = capture::tcp::Segment {
            time: frame.time,
            source: std::net::SocketAddr::from((
                [ip[12], ip[13], ip[14], ip[15]],
                u16::from_be_bytes([tcp[0], tcp[1]]),
            )),
            destination: std::net::SocketAddr::from((
                [ip[16], ip[17], ip[18], ip[19]],
                u16::from_be_bytes([tcp[2], tcp[3]]),
            )),
            sequence: u32::from_be_bytes([tcp[4], tcp[5], tcp[6], tcp[7]]),
            syn: tcp[13] & 2 != 0,
            ack: tcp[13] & 0x10 != 0,
            fin: false,
            rst: false,
            payload: &tcp[20..],
            input_offset: Some(frame.offset),
        };
        reassembler.add(segment, &mut diagnostics);
    }
    let streams = reassembler.finish(&mut diagnostics);
    let delivered: usize = streams[0].directions[0].runs.iter().map(|r| r.data.len()).sum();
    assert_eq!(delivered, segments - 1 + size);

    // The same segments newest first: all wait, overlapping, and the per-direction cap holds.
    let limits = Limits { max_pending_bytes_per_direction: 50_000, ..Limits::default() };
    let mut pcap = inputs::Pcap::new();
    let from = inputs::client(1);
    pcap.tcp(from, inputs::ACS, 999, inputs::SYN, b"");
    let data: Vec<u8> = (0..segments + size).map(|n| b'a' + (n % 26) as u8).collect();
    for n in (1..segments).rev() {
        pcap.tcp(from, inputs::ACS, 1000 + n as u32, inputs::ACK, &data[n..n + size]);
    }
    let capture = decode(&pcap.bytes, limits);
    let peak = capture.stats.peak_out_of_order_bytes;
    assert!(peak > 40_000 && peak <= 50_000 + size as u64, "{peak}");
}

/// Lengths read from the input are never trusted: a pcap record claiming 4 GiB is an error at
/// its offset, and HTTP lengths past the data hold no more than the data.
#[test]
fn huge_declared_lengths_allocate_nothing() {
    let mut pcap = inputs::Pcap::new();
    pcap.tcp(inputs::client(1), inputs::ACS, 1, inputs::ACK, b"x");
    let mut lying = pcap.bytes.clone();
    lying[24 + 8..24 + 12].copy_from_slice(&u32::MAX.to_le_bytes());
    let error = capture::decode(&lying, &Options::default()).unwrap_err();
    assert_eq!(error.offset, 24);

    let transcript = b"POST /acs HTTP/1.1\r\nContent-Length: 18446744073709551615\r\n\r\n<a/>\r\n\
        HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nabc\r\n0\r\n\r\n";
    let capture = decode(transcript, Limits::default());
    let messages: Vec<_> = capture.connections.iter().flat_map(|c| &c.messages).collect();
    assert_eq!(messages.len(), 2);
    assert!(messages.iter().all(|m| m.body.len() <= transcript.len()));
    assert_eq!(
        count(&capture, "truncated-http-body") + count(&capture, "content-length-mismatch"),
        1
    );
    assert_eq!(count(&capture, "bad-chunked-body"), 1);
}

/// Deep nesting stops at the depth limit, near the start: the rest is not read into a tree.
#[test]
fn deep_nesting_stops_at_the_depth_limit() {
    let input = inputs::deep_envelope(200_000);
    let error = cwmp::decode(&input).unwrap_err();
    let text = error.to_string();
    assert!(text.contains("max_depth"), "{text}");
    assert!(error.position.offset < 1_000, "stopped at byte {}", error.position.offset);
}

/// A raw-kept method whose every child declares its own prefix: the prefixes it uses and
/// declares are sets, so each child costs the same however many came before (lists searched
/// per child made this quadratic in the children).
#[test]
fn a_prefix_per_child_costs_the_same_for_each_child() {
    let children = 100_000;
    let input = inputs::prefix_per_child(children);
    let decoded = cwmp::decode(&input).expect("decodes");
    let cwmp::Message::Vendor(raw) = &decoded.envelopes[0].message else { panic!("not raw") };
    // Every prefix is declared where it is used: nothing is added to the start tag.
    assert!(raw.xml.starts_with("<X_Vendor><p0:a "), "{}", &raw.xml[..40]);
    assert_eq!(raw.xml.matches("xmlns:").count(), children);
}

/// The billion laughs never expands: a DOCTYPE is refused where it stands.
#[test]
fn billion_laughs_is_refused_at_the_doctype() {
    let input = inputs::billion_laughs();
    let error = cwmp::decode(&input).unwrap_err();
    assert!(error.to_string().to_lowercase().contains("doctype"), "{error}");
    assert!(error.position.offset < 40, "at byte {}", error.position.offset);
    let capture = decode(&input, Limits::default());
    assert_eq!(capture.documents.len(), 1);
}

/// Row 3 of the issue: a small zip holding one huge `.cfg`. The file would pass the archive's
/// budget, so it is skipped before any of it is inflated, and said so; the other files are read.
#[test]
fn a_zip_bomb_is_skipped_before_it_is_inflated() {
    use cwmpkit_core::provision::zip::{ZipLimits, ZipReadError, read_zip};
    let bomb = inputs::zip_bomb(12 << 20);
    let limits = ZipLimits::default();
    let budget = limits.budget(bomb.len());
    assert!(budget < 12 << 20, "the case must exceed the budget: {budget} from {}", bomb.len());
    let unzipped = read_zip(&bomb, &limits).unwrap();
    assert_eq!(unzipped.unpacked_bytes, 0);
    assert_eq!(unzipped.skipped.len(), 1);
    assert_eq!(unzipped.skipped[0].reason, ZipReadError::TooLarge { limit: budget });
    let checks = cwmpkit_core::provision::generate::check_zip(&bomb, Registry::builtin());
    let checks = checks.unwrap();
    assert_eq!(checks.len(), 1);
    assert_eq!(checks[0].diagnostics[0].code, "zip-file-skipped");

    // Many files, each under the budget, together over it: the first ones are read, the rest
    // skipped; what is unpacked stays within the budget.
    let config = inputs::many_lines(20_000);
    let names: Vec<String> = (0..12).map(|n| format!("00085D00000{n:X}.cfg")).collect();
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &config[..])).collect();
    let archive = inputs::zip(&files);
    // The allowance alone, so that a few small files reach it.
    let limits = ZipLimits { inflated_bytes_allowance: 500_000, max_inflation_ratio: 0, ..limits };
    let unzipped = read_zip(&archive, &limits).unwrap();
    let budget = limits.budget(archive.len());
    assert!(unzipped.unpacked_bytes <= budget);
    assert_eq!(unzipped.files.len(), budget / config.len());
    assert_eq!(unzipped.files.len() + unzipped.skipped.len(), 12);
    assert!(unzipped.skipped.iter().all(|s| s.reason == ZipReadError::TooLarge { limit: budget }));
}

/// Parsed configuration lines have a budget: past it, the rest of the file is kept as written
/// (it writes back byte for byte) but not read, and findings per file are capped.
#[test]
fn config_lines_and_findings_past_their_budgets_are_kept_unread_and_counted() {
    use cwmpkit_core::provision::syntax::{LineKind, ParseLimits, parse_with};
    let limits = ParseLimits { max_lines: 10_000, ..ParseLimits::default() };
    let bytes = inputs::many_lines(15_000);
    let parsed = parse_with(&bytes, &limits);
    assert_eq!(parsed.file.lines.len(), limits.max_lines + 1, "the lines held");
    assert_eq!(parsed.file.lines.last().unwrap().kind, LineKind::Unread);
    assert_eq!(parsed.file.to_bytes().unwrap(), bytes);
    assert!(parsed.diagnostics.iter().any(|d| d.code == "lines-not-read"));
    // Every line is a finding (an unknown key): the list is capped at the default and counted.
    let (_, findings) = cwmpkit_core::provision::check("00085D1A2B3C.cfg", &bytes);
    let cap = ParseLimits::default().max_findings;
    assert_eq!(findings.len(), cap + 1, "{}", findings.len());
    let dropped = findings.iter().find(|d| d.code == "findings-dropped").unwrap();
    assert!(dropped.message.contains("unknown-key 5000"), "{}", dropped.message);
}
