//! The invariants the fuzzer checks, kept here so the fuzz target stays a thin
//! shell and the same check runs in ordinary regression tests.

use crate::cwmp::secrets::{MASK, is_secret_parameter, mask_secrets};
use crate::cwmp::{Limits, Message, ParameterValueStruct, decode_with, encode};

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

/// Masks the secrets of arbitrary bytes and checks what must hold for any input: masking never
/// panics, masking twice changes nothing more, a body with nothing to mask is kept as it is, and
/// when the masked body decodes, no secret parameter of an Inform, SetParameterValues or
/// GetParameterValuesResponse, nor a Download's or Upload's password, has a value left but the
/// mask (an empty value stays empty).
pub fn check_mask_secrets(data: &[u8]) -> Result<(), String> {
    let masked = mask_secrets(data);
    let again = mask_secrets(&masked);
    if again[..] != masked[..] {
        return Err("masking a masked body changed it again".into());
    }
    if masked.len() == data.len() && masked[..] != data[..] && !contains(&masked, MASK) {
        return Err("the body changed without a mask in it".into());
    }
    let limits = Limits { max_body_bytes: 1 << 20, ..Limits::default() };
    let Ok(decoded) = decode_with(&masked, &limits) else { return Ok(()) };
    let unmasked = |value: &str| !value.trim().is_empty() && value != MASK;
    for envelope in &decoded.envelopes {
        let parameters: &[ParameterValueStruct] = match &envelope.message {
            Message::Inform(inform) => &inform.parameter_list,
            Message::SetParameterValues(set) => &set.parameter_list,
            Message::GetParameterValuesResponse(got) => &got.parameter_list,
            Message::Download(download) if unmasked(&download.password) => {
                return Err(format!("a Download's password is left: {:?}", download.password));
            }
            Message::Upload(upload) if unmasked(&upload.password) => {
                return Err(format!("an Upload's password is left: {:?}", upload.password));
            }
            _ => &[],
        };
        for parameter in parameters {
            if is_secret_parameter(&parameter.name) && unmasked(&parameter.value.text) {
                return Err(format!(
                    "{} keeps its value {:?}",
                    parameter.name, parameter.value.text
                ));
            }
        }
    }
    Ok(())
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}
