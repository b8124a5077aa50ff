//! The invariants the fuzzer checks, kept here so the fuzz target stays a thin
//! shell and the same check runs in ordinary regression tests.

use super::{Limits, decode_with, encode};

/// Decodes arbitrary bytes and checks what must hold for any input:
/// decoding never panics (the caller notices), and whatever decodes re-encodes
/// to XML that decodes again to the same messages.
pub fn check_decode(data: &[u8]) -> Result<(), String> {
    // Small limits keep each execution fast; they are checked like any others.
    let limits = Limits { max_body_bytes: 1 << 20, ..Limits::default() };
    let Ok(decoded) = decode_with(data, &limits) else { return Ok(()) };
    for envelope in &decoded.envelopes {
        let xml = encode(envelope, envelope.version);
        let again = decode_with(xml.as_bytes(), &Limits::default())
            .map_err(|e| format!("re-encoded output does not decode: {e}\n{xml}"))?;
        let [round] = again.envelopes.as_slice() else {
            return Err(format!("{} envelopes after re-encoding\n{xml}", again.envelopes.len()));
        };
        if round.message.name() != envelope.message.name() || round.header != envelope.header {
            return Err(format!(
                "re-encoding changed the envelope: {envelope:?} became {round:?}\n{xml}"
            ));
        }
    }
    Ok(())
}
