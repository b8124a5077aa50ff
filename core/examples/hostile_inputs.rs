//! Writes the issue-16 rows and their benign twins as files, for the end-to-end figures of
//! BENCHMARKS.md: `cargo run --release -p cwmpkit-core --example hostile_inputs -- DIR`, then
//! `/usr/bin/time -v cwmpkit decode DIR/…` or `cwmpkit provision check DIR/….zip`. Name rows
//! after DIR (`envelopes`, `gzip`, `zip`, `tcp`) to write only those.

// The example is a host: it writes files.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

#[path = "../tests/hostile/inputs.rs"]
mod inputs;

fn main() -> std::io::Result<()> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let rows: Vec<String> = std::env::args().skip(2).collect();
    let wanted = |row: &str| rows.is_empty() || rows.iter().any(|r| r == row);
    std::fs::create_dir_all(&dir)?;
    let write = |name: &str, bytes: &[u8]| {
        println!("{name}: {} bytes", bytes.len());
        std::fs::write(dir.join(name), bytes)
    };
    if wanted("envelopes") {
        write("envelopes-hostile.xml", &inputs::soap_envelopes(6_800_000, false))?;
        write("envelopes-benign.xml", &inputs::soap_envelopes(6_800_000, true))?;
    }
    if wanted("gzip") {
        let gzip = inputs::gzip_bomb_transcript(20, 64 << 20);
        write("gzip-hostile.txt", &gzip)?;
        write("gzip-benign.txt", &inputs::gzip_benign_transcript(gzip.len()))?;
    }
    if wanted("zip") {
        let zip = inputs::zip_bomb(250 << 20);
        write("zip-hostile.zip", &zip)?;
        write("zip-benign.zip", &inputs::zip_benign(zip.len()))?;
    }
    if wanted("tcp") {
        write("tcp-hostile.pcap", &inputs::pcap_connections(100_000, 400, true))?;
        write("tcp-benign.pcap", &inputs::pcap_connections(100_000, 400, false))?;
    }
    Ok(())
}
