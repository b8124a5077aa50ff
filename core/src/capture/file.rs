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
    let mut reader = FrameReader::new(limits);
    let mut frames = Vec::new();
    let mut offset = 0usize;
    loop {
        match reader.next(&input[offset..], offset, true)? {
            Step::Frame(frame, len) => {
                frames.push(frame);
                offset += len;
            }
            Step::Skip(len) => offset += len,
            Step::NeedMore | Step::End => break,
        }
    }
    Ok(Frames { frames, comments: reader.comments, diagnostics: reader.diagnostics })
}

/// What [`FrameReader::next`] found at the start of the bytes it was given.
#[derive(Debug)]
pub enum Step<'a> {
    /// A frame, and the length of the record or block that held it.
    Frame(Frame<'a>, usize),
    /// A header or a block without a frame, of this length.
    Skip(usize),
    /// The record or block is cut off by the end of the bytes given; more will follow.
    NeedMore,
    /// The end of the file (a truncation, if any, is in the diagnostics).
    End,
}

#[derive(Debug, Clone)]
enum Format {
    /// Nothing read yet.
    Start,
    Pcap {
        big_endian: bool,
        nanosecond: bool,
        link_type: u32,
    },
    Pcapng {
        big_endian: bool,
        interfaces: Vec<Interface>,
        resolution_reported: bool,
    },
    Done,
}

/// A pcap or pcapng reader over a file that may arrive in pieces: it reads one record or block
/// at a time from the bytes it is given, and says when it needs more. Fed the whole file or the
/// same bytes in any pieces, it gives the same frames and diagnostics.
#[derive(Debug, Clone)]
pub struct FrameReader {
    limits: Limits,
    format: Format,
    /// Frames so far (the next frame's number is one more).
    number: u64,
    pub comments: Vec<Comment>,
    pub diagnostics: Vec<Diagnostic>,
}

impl FrameReader {
    pub fn new(limits: &Limits) -> Self {
        Self {
            limits: limits.clone(),
            format: Format::Start,
            number: 0,
            comments: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    /// The next record or block of `input`, the bytes of the file from byte `offset` on.
    /// `at_end` says no bytes follow `input`: a record cut off there is a truncation.
    pub fn next<'a>(
        &mut self,
        input: &'a [u8],
        offset: usize,
        at_end: bool,
    ) -> Result<Step<'a>, CaptureError> {
        match self.format {
            Format::Done => Ok(Step::End),
            Format::Start => self.header(input, at_end),
            Format::Pcap { big_endian, nanosecond, link_type } => {
                self.pcap_record(input, offset, at_end, big_endian, nanosecond, link_type)
            }
            Format::Pcapng { .. } => self.pcapng_block(input, offset, at_end),
        }
    }

    fn header<'a>(&mut self, input: &'a [u8], at_end: bool) -> Result<Step<'a>, CaptureError> {
        if input.len() < 24 && !at_end && (input.len() < 4 || is_pcap(input)) {
            return Ok(Step::NeedMore);
        }
        if is_pcapng(input) {
            self.format = Format::Pcapng {
                big_endian: false,
                interfaces: Vec::new(),
                resolution_reported: false,
            };
            return self.pcapng_block(input, 0, at_end);
        }
        if !is_pcap(input) {
            return Err(CaptureError {
                layer: Source::Pcap,
                offset: 0,
                message: format!(
                    "wrong magic {:02x?}: neither pcap (a1b2c3d4/a1b23c4d) nor pcapng (0a0d0d0a)",
                    input.get(..4).unwrap_or(input)
                ),
            });
        }
        let (_, header) =
            pcap_parser::pcap::parse_pcap_header(input).map_err(|_| CaptureError {
                layer: Source::Pcap,
                offset: 0,
                message: "the 24-byte pcap file header is cut short".into(),
            })?;
        if header.snaplen as usize > self.limits.max_frame_bytes {
            self.diagnostics.push(
                Diagnostic::new(
                    Severity::Info,
                    Source::Pcap,
                    "large-snaplen",
                    format!(
                        "snaplen {} is larger than any frame this reader accepts ({}); each \
                         record is checked on its own",
                        header.snaplen, self.limits.max_frame_bytes
                    ),
                )
                .at_byte(16),
            );
        }
        self.format = Format::Pcap {
            big_endian: header.is_bigendian(),
            nanosecond: header.is_nanosecond_precision(),
            link_type: u32::from_ne_bytes(header.network.0.to_ne_bytes()),
        };
        Ok(Step::Skip(24))
    }

    /// The end of the file, or of the bytes so far: a cut-off record is a truncation only at the end.
    fn cut_off<'a>(&mut self, layer: Source, offset: usize, what: &str, at_end: bool) -> Step<'a> {
        if !at_end {
            return Step::NeedMore;
        }
        self.diagnostics.push(truncated(layer, offset, what));
        self.format = Format::Done;
        Step::End
    }

    fn pcap_record<'a>(
        &mut self,
        record: &'a [u8],
        offset: usize,
        at_end: bool,
        big_endian: bool,
        nanosecond: bool,
        link_type: u32,
    ) -> Result<Step<'a>, CaptureError> {
        if record.is_empty() {
            return Ok(if at_end { Step::End } else { Step::NeedMore });
        }
        if record.len() < 16 {
            return Ok(self.cut_off(Source::Pcap, offset, "a record header", at_end));
        }
        let caplen = u32_at(record, 8, big_endian).unwrap_or(0) as usize;
        if caplen > self.limits.max_frame_bytes {
            return Err(CaptureError {
                layer: Source::Pcap,
                offset,
                message: format!(
                    "record claims {caplen} captured bytes, more than the {} a frame may have",
                    self.limits.max_frame_bytes
                ),
            });
        }
        if record.len() < 16 + caplen {
            return Ok(self.cut_off(Source::Pcap, offset, "a record's data", at_end));
        }
        let parsed = if big_endian {
            pcap_parser::pcap::parse_pcap_frame_be(record)
        } else {
            pcap_parser::pcap::parse_pcap_frame(record)
        };
        let Ok((_, block)) = parsed else {
            return Ok(self.cut_off(Source::Pcap, offset, "a record's data", true));
        };
        self.number += 1;
        let fraction = i128::from(block.ts_usec);
        let nanos = if nanosecond { fraction } else { fraction * 1000 };
        let unix_nanos = i128::from(block.ts_sec) * 1_000_000_000 + nanos;
        let frame = Frame {
            number: self.number,
            time: Some(Timestamp::from_unix_nanos(unix_nanos)),
            link_type,
            data: block.data,
            offset,
        };
        Ok(Step::Frame(frame, 16 + caplen))
    }

    fn pcapng_block<'a>(
        &mut self,
        rest: &'a [u8],
        offset: usize,
        at_end: bool,
    ) -> Result<Step<'a>, CaptureError> {
        let Format::Pcapng { big_endian, .. } = &mut self.format else { return Ok(Step::End) };
        if rest.is_empty() {
            return Ok(if at_end { Step::End } else { Step::NeedMore });
        }
        if rest.len() < 12 {
            return Ok(self.cut_off(Source::Pcapng, offset, "a block header", at_end));
        }
        let is_section_header = rest.get(..4) == Some(&PCAPNG_SHB[..]);
        if is_section_header {
            // The byte-order magic decides how this whole section, this block included, is read.
            *big_endian = match rest.get(8..12) {
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
        let big_endian = *big_endian;
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
        if block_len > self.limits.max_frame_bytes.saturating_add(4096) && !is_section_header {
            return Err(CaptureError {
                layer: Source::Pcapng,
                offset,
                message: format!(
                    "block of type {block_type:#010x} claims {block_len} bytes, more than a \
                     frame may have ({})",
                    self.limits.max_frame_bytes
                ),
            });
        }
        if block_len > rest.len() {
            return Ok(self.cut_off(Source::Pcapng, offset, "a block", at_end));
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
        let frame = self.pcapng_frame(block_bytes, block_type, offset, big_endian)?;
        Ok(match frame {
            Some(frame) => Step::Frame(frame, block_len),
            None => Step::Skip(block_len),
        })
    }

    /// The frame a whole pcapng block holds, if any; other blocks update the reader's state.
    fn pcapng_frame<'a>(
        &mut self,
        block_bytes: &'a [u8],
        block_type: u32,
        offset: usize,
        big_endian: bool,
    ) -> Result<Option<Frame<'a>>, CaptureError> {
        let Format::Pcapng { interfaces, resolution_reported, .. } = &mut self.format else {
            return Ok(None);
        };
        let block_len = block_bytes.len();
        let block_error = |what: &str| CaptureError {
            layer: Source::Pcapng,
            offset,
            message: format!("malformed {what}"),
        };
        if block_bytes.get(..4) == Some(&PCAPNG_SHB[..]) {
            let (_, block) = pcap_parser::pcapng::parse_sectionheaderblock(block_bytes)
                .map_err(|_| block_error("section header block"))?;
            self.comments.extend(comments_of(&block.options).map(|text| Comment {
                scope: "section".into(),
                frame: None,
                text,
            }));
            // Interface ids are per section.
            interfaces.clear();
            return Ok(None);
        }
        if block_type == PCAPNG_LEGACY_PACKET_BLOCK {
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
            self.number += 1;
            return Ok(Some(Frame {
                number: self.number,
                time: Some(interface_time(interface, ts_high, ts_low)),
                link_type: interface.link_type,
                data,
                offset,
            }));
        }
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
                        if !*resolution_reported {
                            *resolution_reported = true;
                            self.diagnostics.push(
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
                self.comments.extend(comments_of(&idb.options).map(|text| Comment {
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
                Ok(None)
            }
            Block::EnhancedPacket(epb) => {
                let Some(interface) = interfaces.get(epb.if_id as usize) else {
                    return Err(block_error("enhanced packet block (unknown interface)"));
                };
                let captured = (epb.caplen as usize).min(epb.data.len());
                self.number += 1;
                let number = self.number;
                let frame = Frame {
                    number,
                    time: Some(interface_time(interface, epb.ts_high, epb.ts_low)),
                    link_type: interface.link_type,
                    data: &epb.data[..captured],
                    offset,
                };
                self.comments.extend(comments_of(&epb.options).map(|text| Comment {
                    scope: "packet".into(),
                    frame: Some(number),
                    text,
                }));
                Ok(Some(frame))
            }
            Block::SimplePacket(spb) => {
                let Some(interface) = interfaces.first() else {
                    return Err(block_error("simple packet block (no interface)"));
                };
                let mut captured = (spb.origlen as usize).min(spb.data.len());
                if interface.snaplen > 0 {
                    captured = captured.min(interface.snaplen as usize);
                }
                self.number += 1;
                Ok(Some(Frame {
                    number: self.number,
                    // A simple packet block carries no timestamp.
                    time: None,
                    link_type: interface.link_type,
                    data: &spb.data[..captured],
                    offset,
                }))
            }
            _ => Ok(None),
        }
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

fn interface_time(interface: &Interface, ts_high: u32, ts_low: u32) -> Timestamp {
    let units = (u64::from(ts_high) << 32) | u64::from(ts_low);
    let units_per_second = u128::from(interface.units_per_second.max(1));
    let nanos = u128::from(units) * 1_000_000_000 / units_per_second;
    let nanos = i128::try_from(nanos).unwrap_or(i128::MAX / 2);
    Timestamp::from_unix_nanos(nanos + i128::from(interface.offset_seconds) * 1_000_000_000)
}
