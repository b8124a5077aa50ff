//! The fuzz targets' checks (`fuzzing::capture`) over hand-made hostile inputs and every fuzzer
//! find; each find is a named case here.

use cwmpkit_core::capture::{self, Limits, Options};
use cwmpkit_core::fuzzing::capture::{
    check_capture_file, check_enodebd_log, check_tcp_http, check_text_input,
};

fn all_checks(input: &[u8]) {
    check_capture_file(input).unwrap();
    check_text_input(input).unwrap();
    check_tcp_http(input).unwrap();
    check_enodebd_log(input).unwrap();
}

#[test]
fn enodebd_lists_cannot_expand_a_line_quadratically() {
    // A list repeats its key per item: a long key over many items would be n × m bytes of XML.
    let line = format!(
        "2022-04-25 15:41:17,549 DEBUG Sending TR069 message: Reboot {{'{}': [{}]}}\n",
        "K".repeat(2000),
        "1,".repeat(20_000)
    );
    check_enodebd_log(line.as_bytes()).unwrap();
    let capture = capture::decode(line.as_bytes(), &Options::default()).unwrap();
    let message = &capture.connections[0].messages[0];
    assert!(message.body_len < line.len() * 20, "{} from {}", message.body_len, line.len());
    assert!(message.diagnostics.iter().any(|d| d.code == "log-literal-too-large"));
}

#[test]
fn genieacs_records_nested_deep_or_broken() {
    let deep: String = (0..300).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect();
    let dashes = format!("---\nevent: x\ntimestamp: 1\nbody: {}\n", "- ".repeat(5000));
    for input in [
        format!("---\nevent: incoming HTTP request\ntimestamp: 2024\n{deep}"),
        dashes,
        "---\nevent: a\ntimestamp: b\nbody: |9+\n x\n\n\n".to_string(),
        "---\nevent: a\ntimestamp: b\nbody: >\n\t\n  y\n z\n".to_string(),
        "{\"event\":\"incoming HTTP request\",\"timestamp\":\"x\",\"headers\":[1,{\"a\":[]}]}\n{"
            .to_string(),
    ] {
        all_checks(input.as_bytes());
    }
}

#[test]
fn pasted_dumps_and_follow_text_that_lie_about_lengths() {
    for input in [
        // A `*` promising gigabytes of repeats.
        &b"0000000 000000 000000 000000 000000 000000 000000 000000 000000\n*\n7777777777777\n"[..],
        b"000000 d4 c3 b2 a1 02 00 04 00\n*\nffffffffffff\n",
        // Follow-stream counts beyond the text, zero, or not numbers.
        b"Follow: tcp,ascii\nFilter: x\nNode 0: 10.0.0.1:1\nNode 1: [::1]:2\n\t99999999\nPOST / HTTP/1.1\r\n",
        b"Follow: http,ascii\nNode 0: a\nNode 1: b\n0\n\n\t-1\nx\n====\n",
    ] {
        all_checks(input);
    }
}

#[test]
fn enodebd_lines_cut_short_or_unbalanced() {
    for input in [
        &b"x TR069 message: \n"[..],
        b"Handling TR069 message: Inform {'a': [1, {'b': (\n",
        b"Sending TR069 message: Inform }}]]))\n",
        b"Sending TR069 message: X {'\\x4', \"\\U0011ffff\", '\\777'}\n",
        b"Handling TR069 message: Fault <a <b> 'c>' \n",
    ] {
        all_checks(input);
        check_enodebd_log(input).unwrap();
    }
}

#[test]
fn tiny_and_empty_inputs() {
    for input in
        [&b""[..], b"\n", b"\xd4\xc3\xb2\xa1", b"\x0a\x0d\x0d\x0a", b"<", b"HTTP/1.1", b"0000"]
    {
        all_checks(input);
    }
}

#[test]
fn pcapng_block_lengths_that_would_loop_or_overrun() {
    let mut shb = vec![0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0];
    shb.extend_from_slice(&[0xff; 8]);
    shb.extend_from_slice(&[28, 0, 0, 0]);
    for tail in [
        vec![1, 0, 0, 0, 0, 0, 0, 0],             // zero-length block
        vec![1, 0, 0, 0, 0xfc, 0xff, 0xff, 0xff], // 4 GiB block
        vec![1, 0, 0, 0, 8, 0, 0, 0, 8, 0, 0, 0], // shorter than its own framing
    ] {
        let mut file = shb.clone();
        file.extend_from_slice(&tail);
        file.extend_from_slice(&[0; 8]);
        let error = capture::decode(&file, &Options::default()).unwrap_err();
        assert_eq!(error.offset, 28);
        all_checks(&file);
    }
}

#[test]
fn segments_far_apart_stay_within_the_pending_bound() {
    // Many out-of-order segments of one direction: each waits, then is flushed as a gap.
    let mut script = Vec::new();
    for index in 0..200u16 {
        script.extend_from_slice(&[0, ((index * 300) >> 8) as u8, (index * 300) as u8, 200]);
        script.extend_from_slice(&[b'x'; 200]);
    }
    check_tcp_http(&script).unwrap();
}

#[test]
fn a_gzip_bomb_is_cut_at_the_limit() {
    use std::io::Write as _;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![b'a'; 4 * 1024 * 1024]).unwrap();
    let compressed = gz.finish().unwrap();
    let mut text = format!(
        "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
        compressed.len()
    )
    .into_bytes();
    text.extend_from_slice(&compressed);
    let options = Options {
        limits: Limits { max_decoded_body_bytes: 10_000, ..Limits::default() },
        ..Options::default()
    };
    let capture = capture::decode(&text, &options).unwrap();
    let message = &capture.connections[0].messages[0];
    assert_eq!(message.body_len, 10_000);
    assert!(message.diagnostics.iter().any(|d| d.code == "body-too-large"));
}

#[test]
fn genieacs_log_seeds_pass() {
    use cwmpkit_core::fuzzing::capture::check_genieacs_log;
    let yaml = "---\nevent: incoming HTTP request\ntimestamp: 2024-01-02T03:04:05.000Z\nremoteAddress: 10.0.0.1\nmethod: POST\nurl: /\nheaders:\n  content-type: text/xml\nbody: |\n  <soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body/></soap:Envelope>\n";
    check_genieacs_log(yaml.as_bytes()).unwrap();
    let json = "{\"event\":\"outgoing HTTP response\",\"timestamp\":\"2024-01-02T03:04:05.000Z\",\"statusCode\":204,\"headers\":{},\"body\":\"\"}\n";
    check_genieacs_log(json.as_bytes()).unwrap();
    check_genieacs_log(b"---\nevent: x\nbody: >\n  a\n b\n").unwrap();
}

#[test]
fn genieacs_offsets_count_input_bytes_not_replacement_characters() {
    // Found by `capture_genieacs_log`: an invalid byte is three bytes of lossy text, so the
    // second line's offset was 4 in a 3-byte input.
    cwmpkit_core::fuzzing::capture::check_genieacs_log(b"\xeb\n\xc0").unwrap();
    cwmpkit_core::fuzzing::capture::check_genieacs_log(b"---\n\xff\xfe: \xff\nk: [\n").unwrap();
}
