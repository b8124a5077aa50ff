//! A small in-memory zip writer and reader (store and deflate, no zip64), so
//! generated files can be downloaded as one archive from the browser too.
//! Deflate is miniz_oxide (the pure-Rust compressor behind flate2); the
//! container format is written here.

use std::io::Read;

/// Why an archive cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZipWriteError {
    #[error("a zip without zip64 holds at most 65535 files")]
    TooManyFiles,
    #[error("`{0}` is too large for a zip without zip64 (4 GiB)")]
    TooLarge(String),
    #[error("`{0}` is not a usable file name inside a zip")]
    BadName(String),
    #[error("deflate failed: {0}")]
    Deflate(String),
}

/// Why an archive cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZipReadError {
    #[error("not a zip archive (no end-of-central-directory record)")]
    NotZip,
    #[error("the archive is cut short at byte {offset} ({what})")]
    Truncated { offset: usize, what: &'static str },
    #[error("`{name}` uses compression method {method}; only store (0) and deflate (8) are read")]
    UnsupportedMethod { name: String, method: u16 },
    #[error("`{name}` is damaged: {reason}")]
    Damaged { name: String, reason: String },
    #[error(
        "unpacking it would pass the {limit} bytes this archive may unpack to in all \
         (ZipLimits::budget); skipped"
    )]
    TooLarge { limit: usize },
    #[error("the archive has more than {limit} files")]
    TooManyFiles { limit: usize },
}

/// Bounds for reading untrusted archives. What all files of an archive may unpack to is
/// [`ZipLimits::budget`]: a fixed allowance plus a ratio of the archive's size, never more than
/// `max_total_bytes`. Real config archives unpack to 3–10× their size; a bomb's file that would
/// pass the budget is skipped (and said so) before any of it is inflated.
#[derive(Debug, Clone, Copy)]
pub struct ZipLimits {
    pub max_files: usize,
    pub max_total_bytes: usize,
    pub inflated_bytes_allowance: usize,
    pub max_inflation_ratio: usize,
}

impl Default for ZipLimits {
    fn default() -> Self {
        ZipLimits {
            max_files: 100_000,
            max_total_bytes: 256 << 20,
            inflated_bytes_allowance: 8 << 20,
            max_inflation_ratio: 16,
        }
    }
}

impl ZipLimits {
    /// The bytes an archive of `archive_len` bytes may unpack to, all files together.
    pub fn budget(&self, archive_len: usize) -> usize {
        self.max_inflation_ratio
            .saturating_mul(archive_len)
            .saturating_add(self.inflated_bytes_allowance)
            .min(self.max_total_bytes)
    }
}

/// A file of an archive that was not unpacked, and why; the other files were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedFile {
    pub name: String,
    /// Where its central directory record is.
    pub offset: usize,
    pub reason: ZipReadError,
}

/// What an archive held: its files, those skipped, and what unpacking cost.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Unzipped {
    pub files: Vec<(String, Vec<u8>)>,
    pub skipped: Vec<SkippedFile>,
    /// [`ZipLimits::budget`] for this archive.
    pub budget: usize,
    /// Bytes unpacked, stored files included.
    pub unpacked_bytes: usize,
}

const LOCAL_HEADER: u32 = 0x0403_4b50;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const END_OF_DIRECTORY: u32 = 0x0605_4b50;
/// Bit 11: names are UTF-8.
const FLAG_UTF8: u16 = 0x0800;
/// 1980-01-01 00:00, the format's epoch: core has no clock, and a fixed time
/// makes archives reproducible.
const DOS_DATE: u16 = (1 << 5) | 1;
const DOS_TIME: u16 = 0;
const METHOD_STORE: u16 = 0;
const METHOD_DEFLATE: u16 = 8;
/// A final deflate block with fixed codes and nothing in it: BFINAL = 1,
/// BTYPE = 01, then the end-of-block code (seven 0 bits).
const EMPTY_FINAL_BLOCK: [u8; 2] = [0x03, 0x00];
/// Level 6 (zlib's default): on generated config files level 9 gains nothing
/// and level 1 loses 1 %, at no measurable difference in time (BENCHMARKS.md).
const DEFLATE_LEVEL: i32 = 6;
/// Raw deflate, no zlib header (zlib's convention: negative window bits).
const RAW_DEFLATE_WINDOW_BITS: i32 = -15;

/// CRC-32 (IEEE), as zip stores it.
pub fn crc32(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

/// Builds an archive in memory.
#[derive(Default)]
pub struct ZipWriter {
    out: Vec<u8>,
    central: Vec<u8>,
    count: usize,
    names: std::collections::HashSet<String>,
    compressor: Option<Box<miniz_oxide::deflate::core::CompressorOxide>>,
}

impl std::fmt::Debug for ZipWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZipWriter")
            .field("files", &self.count)
            .field("bytes", &self.out.len())
            .finish()
    }
}

impl ZipWriter {
    pub fn new() -> Self {
        ZipWriter::default()
    }

    /// Adds a file; deflated when that makes it smaller, stored otherwise.
    pub fn add(&mut self, name: &str, data: &[u8]) -> Result<(), ZipWriteError> {
        if name.is_empty()
            || name.starts_with('/')
            || name.split('/').any(|part| part == "..")
            || name.contains('\\')
            || !self.names.insert(name.to_owned())
        {
            return Err(ZipWriteError::BadName(name.to_owned()));
        }
        if self.count >= 0xFFFF {
            return Err(ZipWriteError::TooManyFiles);
        }
        let too_large = || ZipWriteError::TooLarge(name.to_owned());
        let size = u32::try_from(data.len()).map_err(|_| too_large())?;
        let crc = crc32(data);
        let name_len =
            u16::try_from(name.len()).map_err(|_| ZipWriteError::BadName(name.to_owned()))?;
        let offset = u32::try_from(self.out.len()).map_err(|_| too_large())?;

        let header_start = self.out.len();
        let out = &mut self.out;
        put32(out, LOCAL_HEADER);
        put16(out, 20);
        put16(out, FLAG_UTF8);
        put16(out, METHOD_DEFLATE); // patched below when the file is stored
        put16(out, DOS_TIME);
        put16(out, DOS_DATE);
        put32(out, crc);
        put32(out, 0); // compressed size, patched below
        put32(out, size);
        put16(out, name_len);
        put16(out, 0);
        out.extend_from_slice(name.as_bytes());

        // Compressed straight into the archive; a file that does not shrink
        // is stored instead, over the same bytes.
        let data_start = self.out.len();
        let deflated_len = match self.deflate_into_archive(data) {
            Ok(len) => len,
            Err(error) => {
                self.out.truncate(header_start);
                self.names.remove(name);
                return Err(error);
            }
        };
        let method = if deflated_len < data.len() {
            METHOD_DEFLATE
        } else {
            self.out.truncate(data_start);
            self.out.extend_from_slice(data);
            METHOD_STORE
        };
        let compressed_size =
            u32::try_from(self.out.len() - data_start).map_err(|_| too_large())?;
        patch(&mut self.out, header_start + 8, &method.to_le_bytes());
        patch(&mut self.out, header_start + 18, &compressed_size.to_le_bytes());

        let central = &mut self.central;
        put32(central, CENTRAL_HEADER);
        put16(central, 20);
        put16(central, 20);
        put16(central, FLAG_UTF8);
        put16(central, method);
        put16(central, DOS_TIME);
        put16(central, DOS_DATE);
        put32(central, crc);
        put32(central, compressed_size);
        put32(central, size);
        put16(central, name_len);
        put16(central, 0); // extra
        put16(central, 0); // comment
        put16(central, 0); // disk
        put16(central, 0); // internal attributes
        put32(central, 0o100_644 << 16); // external attributes: a regular file, rw-r--r--
        put32(central, offset);
        central.extend_from_slice(name.as_bytes());
        self.count += 1;
        Ok(())
    }

    /// Appends `data` as a self-contained raw deflate stream to the archive and
    /// returns its length.
    ///
    /// All entries go through one compressor. A full flush after each entry
    /// ends it on a byte boundary and forgets the earlier input (no match
    /// reaches back into another file); an empty final block then closes the
    /// entry's own stream. Resetting the compressor instead would clear all of
    /// its tables (≈ 300 KB) per file, more work than compressing a 500-byte
    /// config file. Blocks use the fixed Huffman codes: building dynamic
    /// tables for each small file took 40 % of the time for 10 % less output.
    fn deflate_into_archive(&mut self, data: &[u8]) -> Result<usize, ZipWriteError> {
        use miniz_oxide::deflate::core::{
            CompressionStrategy, CompressorOxide, TDEFLFlush, TDEFLStatus, compress_to_output,
            create_comp_flags_from_zip_params,
        };
        let compressor = self.compressor.get_or_insert_with(|| {
            Box::new(CompressorOxide::new(create_comp_flags_from_zip_params(
                DEFLATE_LEVEL,
                RAW_DEFLATE_WINDOW_BITS,
                CompressionStrategy::Fixed as i32,
            )))
        });
        let start = self.out.len();
        let out = &mut self.out;
        let (status, consumed) = compress_to_output(compressor, data, TDEFLFlush::Full, |chunk| {
            out.extend_from_slice(chunk);
            true
        });
        if status != TDEFLStatus::Okay || consumed != data.len() {
            return Err(ZipWriteError::Deflate(format!("{status:?} after {consumed} bytes")));
        }
        self.out.extend_from_slice(&EMPTY_FINAL_BLOCK);
        Ok(self.out.len() - start)
    }

    /// The finished archive.
    pub fn finish(mut self) -> Result<Vec<u8>, ZipWriteError> {
        let too_large = || ZipWriteError::TooLarge("the archive".to_owned());
        let directory_offset = u32::try_from(self.out.len()).map_err(|_| too_large())?;
        let directory_size = u32::try_from(self.central.len()).map_err(|_| too_large())?;
        let count = u16::try_from(self.count).map_err(|_| ZipWriteError::TooManyFiles)?;
        self.out.append(&mut self.central);
        let out = &mut self.out;
        put32(out, END_OF_DIRECTORY);
        put16(out, 0);
        put16(out, 0);
        put16(out, count);
        put16(out, count);
        put32(out, directory_size);
        put32(out, directory_offset);
        put16(out, 0);
        Ok(self.out)
    }
}

fn patch(out: &mut [u8], at: usize, bytes: &[u8]) {
    if let Some(slot) = out.get_mut(at..at + bytes.len()) {
        slot.copy_from_slice(bytes);
    }
}

fn put16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn get16(bytes: &[u8], at: usize, what: &'static str) -> Result<u16, ZipReadError> {
    bytes
        .get(at..at.saturating_add(2))
        .and_then(|s| s.try_into().ok())
        .map(u16::from_le_bytes)
        .ok_or(ZipReadError::Truncated { offset: at, what })
}

fn get32(bytes: &[u8], at: usize, what: &'static str) -> Result<u32, ZipReadError> {
    bytes
        .get(at..at.saturating_add(4))
        .and_then(|s| s.try_into().ok())
        .map(u32::from_le_bytes)
        .ok_or(ZipReadError::Truncated { offset: at, what })
}

fn usize_of(value: u32) -> usize {
    usize::try_from(value).unwrap_or(usize::MAX)
}

/// Reads every file of an archive (directories are skipped), checking CRCs. A file that is
/// damaged, uses another method, or would pass the archive's budget is skipped and listed; the
/// others are read. Only an archive whose directory cannot be read at all is an error.
pub fn read_zip(bytes: &[u8], limits: &ZipLimits) -> Result<Unzipped, ZipReadError> {
    // The end record is at least 22 bytes and followed by a comment of at most 65535.
    let earliest = bytes.len().saturating_sub(22 + 0xFFFF);
    let end = (earliest..=bytes.len().saturating_sub(22))
        .rev()
        .find(|&at| get32(bytes, at, "end record").is_ok_and(|sig| sig == END_OF_DIRECTORY))
        .ok_or(ZipReadError::NotZip)?;
    let count = usize::from(get16(bytes, end + 10, "end record")?);
    if count > limits.max_files {
        return Err(ZipReadError::TooManyFiles { limit: limits.max_files });
    }
    let mut at = usize_of(get32(bytes, end + 16, "end record")?);
    let budget = limits.budget(bytes.len());
    let mut out =
        Unzipped { files: Vec::with_capacity(count.min(4096)), budget, ..Unzipped::default() };
    for _ in 0..count {
        // Offsets come from the archive: checking them against its length first
        // keeps the small additions below from overflowing (on wasm32 too).
        if at > bytes.len() {
            return Err(ZipReadError::Truncated { offset: at, what: "central directory" });
        }
        if get32(bytes, at, "central directory")? != CENTRAL_HEADER {
            return Err(ZipReadError::Truncated { offset: at, what: "central directory" });
        }
        let record = CentralRecord {
            method: get16(bytes, at + 10, "central directory")?,
            crc: get32(bytes, at + 16, "central directory")?,
            compressed: usize_of(get32(bytes, at + 20, "central directory")?),
            size: usize_of(get32(bytes, at + 24, "central directory")?),
            local: usize_of(get32(bytes, at + 42, "central directory")?),
        };
        let name_len = usize::from(get16(bytes, at + 28, "central directory")?);
        let extra_len = usize::from(get16(bytes, at + 30, "central directory")?);
        let comment_len = usize::from(get16(bytes, at + 32, "central directory")?);
        let name_bytes = bytes
            .get(at + 46..at + 46 + name_len)
            .ok_or(ZipReadError::Truncated { offset: at + 46, what: "file name" })?;
        let name = String::from_utf8_lossy(name_bytes).into_owned();
        let record_at = at;
        at = at + 46 + name_len + extra_len + comment_len;
        if name.ends_with('/') {
            continue;
        }
        // Checked against the declared size before inflating, and inflating stops one byte
        // past it: a file cannot unpack to more than the budget has left.
        let left = budget - out.unpacked_bytes;
        let result = if record.size > left {
            Err(ZipReadError::TooLarge { limit: budget })
        } else {
            read_file(bytes, &name, &record)
        };
        match result {
            Ok(content) => {
                out.unpacked_bytes += content.len();
                out.files.push((name, content));
            }
            Err(reason) => out.skipped.push(SkippedFile { name, offset: record_at, reason }),
        }
    }
    Ok(out)
}

/// What the central directory says of one file.
struct CentralRecord {
    method: u16,
    crc: u32,
    compressed: usize,
    size: usize,
    local: usize,
}

fn read_file(bytes: &[u8], name: &str, record: &CentralRecord) -> Result<Vec<u8>, ZipReadError> {
    let damaged = |reason: String| ZipReadError::Damaged { name: name.to_owned(), reason };
    let local = record.local;
    if local > bytes.len() || get32(bytes, local, "local header")? != LOCAL_HEADER {
        return Err(damaged("no local header where the directory points".into()));
    }
    let data_start = local
        + 30
        + usize::from(get16(bytes, local + 26, "local header")?)
        + usize::from(get16(bytes, local + 28, "local header")?);
    let data = bytes
        .get(data_start..data_start.saturating_add(record.compressed))
        .ok_or(ZipReadError::Truncated { offset: data_start, what: "file data" })?;
    let size = record.size;
    let content = match record.method {
        METHOD_STORE => data.to_vec(),
        METHOD_DEFLATE => {
            let mut content = Vec::with_capacity(size.min(1 << 20));
            // Read one byte past the declared size to notice a lying header.
            flate2::read::DeflateDecoder::new(data)
                .take(u64::try_from(size).unwrap_or(u64::MAX).saturating_add(1))
                .read_to_end(&mut content)
                .map_err(|e| damaged(e.to_string()))?;
            content
        }
        method => return Err(ZipReadError::UnsupportedMethod { name: name.to_owned(), method }),
    };
    if content.len() != size {
        return Err(damaged(format!("{} bytes where the directory says {size}", content.len())));
    }
    if crc32(&content) != record.crc {
        return Err(damaged("CRC mismatch".into()));
    }
    Ok(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_of_the_check_string() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn archives_round_trip_and_damage_is_caught() {
        let mut writer = ZipWriter::new();
        writer.add("aastra.cfg", b"dhcp: 1\n").unwrap();
        let big = "sip line1 auth name: 1001\n".repeat(50);
        writer.add("00085D1A2B3C.cfg", big.as_bytes()).unwrap();
        assert!(writer.add("aastra.cfg", b"").is_err());
        assert!(writer.add("../x", b"").is_err());
        let bytes = writer.finish().unwrap();
        let files = read_zip(&bytes, &ZipLimits::default()).unwrap().files;
        assert_eq!(files[0], ("aastra.cfg".to_owned(), b"dhcp: 1\n".to_vec()));
        assert_eq!(files[1].1, big.as_bytes());
        // A damaged file is skipped and said so; the others are read.
        let mut damaged = bytes.clone();
        damaged[40] ^= 0xFF;
        let unzipped = read_zip(&damaged, &ZipLimits::default()).unwrap();
        assert_eq!(unzipped.files.len(), 1);
        assert_eq!(unzipped.skipped[0].name, "aastra.cfg");
        assert!(matches!(unzipped.skipped[0].reason, ZipReadError::Damaged { .. }));
        assert_eq!(read_zip(b"PK", &ZipLimits::default()), Err(ZipReadError::NotZip));
        // A file that would pass the budget is skipped before it is inflated.
        let tight = ZipLimits {
            inflated_bytes_allowance: 100,
            max_inflation_ratio: 0,
            ..ZipLimits::default()
        };
        let unzipped = read_zip(&bytes, &tight).unwrap();
        assert_eq!((unzipped.files.len(), unzipped.unpacked_bytes, unzipped.budget), (1, 8, 100));
        assert_eq!(unzipped.skipped[0].reason, ZipReadError::TooLarge { limit: 100 });
    }
}
