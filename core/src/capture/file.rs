//! pcap and pcapng files → link-layer frames.
//!
//! Lengths read from the file are checked against what is left before anything is sliced, so a
//! lying length yields a [`CaptureError`] (or a truncation diagnostic), never a panic or a huge
//! allocation. pcap-parser decodes the blocks; this module does the framing so that every error
//! carries the byte offset of the block at fault.

use super::{CaptureError, Comment, Diagnostic, Limits, Source};
use crate::base::Severity;
use crate::base::Timestamp;
use pcap_parser::pcapng::{Block, PcapNGOption};

/// One captured frame, borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// 1-based frame number, as Wireshark counts.
    pub number: u64,
    pub time: Option<Timestamp>,
    /// The LINKTYPE_ value of the interface.
    pub link_type: u32,
    pub data: &'a [u8],
    /// Byte offset of the record or block in the file.
    pub offset: usize,
}

/// All frames of a file, plus what was noticed while reading them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frames<'a> {
    pub frames: Vec<Frame<'a>>,
    pub comments: Vec<Comment>,
    pub diagnostics: Vec<Diagnostic>,
}

const PCAP_MAGICS: [[u8; 4]; 4] = [
    [0xd4, 0xc3, 0xb2, 0xa1], // little-endian, microseconds
    [0x4d, 0x3c, 0xb2, 0xa1], // little-endian, nanoseconds
    [0xa1, 0xb2, 0xc3, 0xd4], // big-endian, microseconds
    [0xa1, 0xb2, 0x3c, 0x4d], // big-endian, nanoseconds
];
const PCAPNG_SHB: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];
const PCAPNG_LEGACY_PACKET_BLOCK: u32 = 2;
const OPTION_COMMENT: u16 = 1;

pub fn is_pcap(input: &[u8]) -> bool {
    input.get(..4).is_some_and(|magic| PCAP_MAGICS.iter().any(|m| m == magic))
}

pub fn is_pcapng(input: &[u8]) -> bool {
    input.get(..4) == Some(&PCAPNG_SHB[..])
}

/// Reads every frame of a pcap or pcapng file.
pub fn read_frames<'a>(input: &'a [u8], limits: &Limits) -> Result<Frames<'a>, CaptureError> {
    if is_pcap(input) {
        read_pcap(input, limits)
    } else if is_pcapng(input) {
        read_pcapng(input, limits)
    } else {
        Err(CaptureError {
            layer: Source::Pcap,
            offset: 0,
            message: format!(
                "wrong magic {:02x?}: neither pcap (a1b2c3d4/a1b23c4d) nor pcapng (0a0d0d0a)",
                input.get(..4).unwrap_or(input)
            ),
        })
    }
}

fn u32_at(input: &[u8], offset: usize, big_endian: bool) -> Option<u32> {
    let bytes: [u8; 4] = input.get(offset..offset.checked_add(4)?)?.try_into().ok()?;
    Some(if big_endian { u32::from_be_bytes(bytes) } else { u32::from_le_bytes(bytes) })
}

fn u16_at(input: &[u8], offset: usize, big_endian: bool) -> Option<u16> {
    let bytes: [u8; 2] = input.get(offset..offset.checked_add(2)?)?.try_into().ok()?;
    Some(if big_endian { u16::from_be_bytes(bytes) } else { u16::from_le_bytes(bytes) })
}

fn truncated(layer: Source, offset: usize, what: &str) -> Diagnostic {
    Diagnostic::new(
        Severity::Error,
        layer,
        "truncated-file",
        format!("the file ends inside {what}; frames before it are kept"),
    )
    .at_byte(offset)
}

fn read_pcap<'a>(input: &'a [u8], limits: &Limits) -> Result<Frames<'a>, CaptureError> {
    let header_error = |message: String| CaptureError { layer: Source::Pcap, offset: 0, message };
    let (_, header) = pcap_parser::pcap::parse_pcap_header(input)
        .map_err(|_| header_error("the 24-byte pcap file header is cut short".into()))?;
    let big_endian = header.is_bigendian();
    let nanosecond = header.is_nanosecond_precision();
    let link_type = u32::from_ne_bytes(header.network.0.to_ne_bytes());
    let mut out = Frames::default();
    if header.snaplen as usize > limits.max_frame_bytes {
        out.diagnostics.push(
            Diagnostic::new(
                Severity::Info,
                Source::Pcap,
                "large-snaplen",
                format!(
                    "snaplen {} is larger than any frame this reader accepts ({}); each record is \
                     checked on its own",
                    header.snaplen, limits.max_frame_bytes
                ),
            )
            .at_byte(16),
        );
    }
    let mut offset = 24usize;
    let mut number = 0u64;
    while offset < input.len() {
        let record = &input[offset..];
        if record.len() < 16 {
            out.diagnostics.push(truncated(Source::Pcap, offset, "a record header"));
            break;
        }
        let parsed = if big_endian {
            pcap_parser::pcap::parse_pcap_frame_be(record)
        } else {
            pcap_parser::pcap::parse_pcap_frame(record)
        };
        let caplen = u32_at(record, 8, big_endian).unwrap_or(0) as usize;
        if caplen > limits.max_frame_bytes {
            return Err(CaptureError {
                layer: Source::Pcap,
                offset,
                message: format!(
                    "record claims {caplen} captured bytes, more than the {} a frame may have",
                    limits.max_frame_bytes
                ),
            });
        }
        let Ok((_, block)) = parsed else {
            out.diagnostics.push(truncated(Source::Pcap, offset, "a record's data"));
            break;
        };
        number += 1;
        let fraction = i128::from(block.ts_usec);
        let nanos = if nanosecond { fraction } else { fraction * 1000 };
        let unix_nanos = i128::from(block.ts_sec) * 1_000_000_000 + nanos;
        out.frames.push(Frame {
            number,
            time: Some(Timestamp::from_unix_nanos(unix_nanos)),
            link_type,
            data: block.data,
            offset,
        });
        offset += 16 + caplen;
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy)]
struct Interface {
    link_type: u32,
    snaplen: u32,
    /// Timestamp units per second.
    units_per_second: u64,
    offset_seconds: i64,
}

fn comments_of(options: &[PcapNGOption<'_>]) -> impl Iterator<Item = String> {
    options
        .iter()
        .filter(|o| o.code.0 == OPTION_COMMENT)
        .map(|o| String::from_utf8_lossy(o.value()).trim_end_matches('\0').to_string())
}

fn read_pcapng<'a>(input: &'a [u8], limits: &Limits) -> Result<Frames<'a>, CaptureError> {
    let mut out = Frames::default();
    let mut interfaces: Vec<Interface> = Vec::new();
    let mut big_endian = false;
    let mut offset = 0usize;
    let mut number = 0u64;
    let mut unsupported_resolution_reported = false;
    while offset < input.len() {
        let rest = &input[offset..];
        if rest.len() < 12 {
            out.diagnostics.push(truncated(Source::Pcapng, offset, "a block header"));
            break;
        }
        let is_section_header = rest.get(..4) == Some(&PCAPNG_SHB[..]);
        if is_section_header {
            // The byte-order magic decides how this whole section, this block included, is read.
            big_endian = match rest.get(8..12) {
                Some([0x1a, 0x2b, 0x3c, 0x4d]) => true,
                Some([0x4d, 0x3c, 0x2b, 0x1a]) => false,
                _ => {
                    return Err(CaptureError {
                        layer: Source::Pcapng,
                        offset: offset + 8,
                        message: "section header has no valid byte-order magic".into(),
                    });
                }
            };
        } else if offset == 0 {
            return Err(CaptureError {
                layer: Source::Pcapng,
                offset,
                message: "a pcapng file must start with a section header block".into(),
            });
        }
        let block_type = u32_at(rest, 0, big_endian).unwrap_or(0);
        let block_len = u32_at(rest, 4, big_endian).unwrap_or(0) as usize;
        // A block shorter than its own 12 framing bytes, or not 32-bit aligned, would make the
        // reader stand still or drift: it cannot be framed, so the file cannot be read past it.
        if block_len < 12 || !block_len.is_multiple_of(4) {
            return Err(CaptureError {
                layer: Source::Pcapng,
                offset,
                message: format!(
                    "block of type {block_type:#010x} has length {block_len}, which cannot frame \
                     a block (at least 12, a multiple of 4)"
                ),
            });
        }
        if block_len > limits.max_frame_bytes.saturating_add(4096) && !is_section_header {
            return Err(CaptureError {
                layer: Source::Pcapng,
                offset,
                message: format!(
                    "block of type {block_type:#010x} claims {block_len} bytes, more than a \
                     frame may have ({})",
                    limits.max_frame_bytes
                ),
            });
        }
        if block_len > rest.len() {
            out.diagnostics.push(truncated(Source::Pcapng, offset, "a block"));
            break;
        }
        let trailing_len = u32_at(rest, block_len - 4, big_endian).unwrap_or(0) as usize;
        if trailing_len != block_len {
            return Err(CaptureError {
                layer: Source::Pcapng,
                offset,
                message: format!(
                    "block length {block_len} does not match its trailing copy {trailing_len}"
                ),
            });
        }
        let block_bytes = &rest[..block_len];
        let block_error = |what: &str| CaptureError {
            layer: Source::Pcapng,
            offset,
            message: format!("malformed {what}"),
        };
        if is_section_header {
            let (_, block) = pcap_parser::pcapng::parse_sectionheaderblock(block_bytes)
                .map_err(|_| block_error("section header block"))?;
            out.comments.extend(comments_of(&block.options).map(|text| Comment {
                scope: "section".into(),
                frame: None,
                text,
            }));
            // Interface ids are per section.
            interfaces.clear();
        } else if block_type == PCAPNG_LEGACY_PACKET_BLOCK {
            // The obsolete Packet Block: interface id (16 bits), drops count (16), timestamp
            // high and low (32 + 32), captured length, original length, data.
            let interface_id = u16_at(block_bytes, 8, big_endian).unwrap_or(u16::MAX);
            let ts_high = u32_at(block_bytes, 12, big_endian).unwrap_or(0);
            let ts_low = u32_at(block_bytes, 16, big_endian).unwrap_or(0);
            let caplen = u32_at(block_bytes, 20, big_endian).unwrap_or(0) as usize;
            let data_end = 28usize.saturating_add(caplen);
            let Some(data) = block_bytes.get(28..data_end.min(block_len - 4)) else {
                return Err(block_error("legacy packet block"));
            };
            let Some(interface) = interfaces.get(usize::from(interface_id)) else {
                return Err(block_error("legacy packet block (unknown interface)"));
            };
            number += 1;
            out.frames.push(Frame {
                number,
                time: Some(interface_time(interface, ts_high, ts_low)),
                link_type: interface.link_type,
                data,
                offset,
            });
        } else {
            let parsed = if big_endian {
                pcap_parser::pcapng::parse_block_be(block_bytes)
            } else {
                pcap_parser::pcapng::parse_block_le(block_bytes)
            };
            let (_, block) = parsed.map_err(|_| block_error("block"))?;
            match block {
                Block::InterfaceDescription(idb) => {
                    let units_per_second = match idb.ts_resolution() {
                        Some(units) if units > 0 => units,
                        _ => {
                            if !unsupported_resolution_reported {
                                unsupported_resolution_reported = true;
                                out.diagnostics.push(
                                    Diagnostic::new(
                                        Severity::Warning,
                                        Source::Pcapng,
                                        "bad-timestamp-resolution",
                                        "interface has an unusable if_tsresol; microseconds assumed",
                                    )
                                    .at_byte(offset),
                                );
                            }
                            1_000_000
                        }
                    };
                    out.comments.extend(comments_of(&idb.options).map(|text| Comment {
                        scope: "interface".into(),
                        frame: None,
                        text,
                    }));
                    interfaces.push(Interface {
                        link_type: u32::from_ne_bytes(idb.linktype.0.to_ne_bytes()),
                        snaplen: idb.snaplen,
                        units_per_second,
                        offset_seconds: idb.ts_offset(),
                    });
                }
                Block::EnhancedPacket(epb) => {
                    let Some(interface) = interfaces.get(epb.if_id as usize) else {
                        return Err(block_error("enhanced packet block (unknown interface)"));
                    };
                    let captured = (epb.caplen as usize).min(epb.data.len());
                    number += 1;
                    out.comments.extend(comments_of(&epb.options).map(|text| Comment {
                        scope: "packet".into(),
                        frame: Some(number),
                        text,
                    }));
                    out.frames.push(Frame {
                        number,
                        time: Some(interface_time(interface, epb.ts_high, epb.ts_low)),
                        link_type: interface.link_type,
                        data: &epb.data[..captured],
                        offset,
                    });
                }
                Block::SimplePacket(spb) => {
                    let Some(interface) = interfaces.first() else {
                        return Err(block_error("simple packet block (no interface)"));
                    };
                    let mut captured = (spb.origlen as usize).min(spb.data.len());
                    if interface.snaplen > 0 {
                        captured = captured.min(interface.snaplen as usize);
                    }
                    number += 1;
                    out.frames.push(Frame {
                        number,
                        // A simple packet block carries no timestamp.
                        time: None,
                        link_type: interface.link_type,
                        data: &spb.data[..captured],
                        offset,
                    });
                }
                _ => {}
            }
        }
        offset += block_len;
    }
    Ok(out)
}

fn interface_time(interface: &Interface, ts_high: u32, ts_low: u32) -> Timestamp {
    let units = (u64::from(ts_high) << 32) | u64::from(ts_low);
    let units_per_second = u128::from(interface.units_per_second.max(1));
    let nanos = u128::from(units) * 1_000_000_000 / units_per_second;
    let nanos = i128::try_from(nanos).unwrap_or(i128::MAX / 2);
    Timestamp::from_unix_nanos(nanos + i128::from(interface.offset_seconds) * 1_000_000_000)
}
