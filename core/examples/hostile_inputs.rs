//! Writes the issue-16 rows and their benign twins as files, for the end-to-end figures of
//! BENCHMARKS.md: `cargo run --release -p cwmpkit-core --example hostile_inputs -- DIR`, then
//! `/usr/bin/time -v cwmpkit decode DIR/…` or `cwmpkit provision check DIR/….zip`.

// The example is a host: it writes files.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

#[path = "../tests/hostile/inputs.rs"]
mod inputs;

fn main() -> std::io::Result<()> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    std::fs::create_dir_all(&dir)?;
    let write = |name: &str, bytes: &[u8]| {
        println!("{name}: {} bytes", bytes.len());
        std::fs::write(dir.join(name), bytes)
    };
    write("envelopes-hostile.xml", &inputs::soap_envelopes(6_800_000, false))?;
    write("envelopes-benign.xml", &inputs::soap_envelopes(6_800_000, true))?;
    let gzip = inputs::gzip_bomb_transcript(20, 64 << 20);
    write("gzip-hostile.txt", &gzip)?;
    write("gzip-benign.txt", &inputs::gzip_benign_transcript(gzip.len()))?;
    let zip = inputs::zip_bomb(250 << 20);
    write("zip-hostile.zip", &zip)?;
    write("zip-benign.zip", &inputs::zip_benign(zip.len()))?;
    write("tcp-hostile.pcap", &inputs::pcap_connections(100_000, 400, true))?;
    write("tcp-benign.pcap", &inputs::pcap_connections(100_000, 400, false))?;
    Ok(())
}
