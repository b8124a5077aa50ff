//! Capture decoding: pcap/pcapng and pasted logs → HTTP exchanges.
