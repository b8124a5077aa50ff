//! The invariants the fuzzer checks, kept here so the fuzz target stays a thin
//! shell and the same check runs in ordinary regression tests.

use crate::cwmp::{Limits, decode_with, encode};

/// Decodes arbitrary bytes and checks what must hold for any input:
/// decoding never panics (the caller notices), and whatever decodes either
/// re-encodes to XML that decodes again to the same messages, or is refused
/// by the strict encoder with an error that names an element and a facet.
pub fn check_decode(data: &[u8]) -> Result<(), String> {
    // Small limits keep each execution fast; they are checked like any others.
    let limits = Limits { max_body_bytes: 1 << 20, ..Limits::default() };
    let Ok(decoded) = decode_with(data, &limits) else { return Ok(()) };
    for envelope in &decoded.envelopes {
        let xml = match encode(envelope, envelope.version) {
            Ok(xml) => xml,
            Err(refused) if refused.path.starts_with("Envelope/") && !refused.facet.is_empty() => {
                continue;
            }
            Err(refused) => return Err(format!("a refusal without element or facet: {refused:?}")),
        };
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
