//! Secrets in CWMP bodies: which parameters hold them, and a body with their values masked.
//!
//! A SetParameterValues may carry a SIP or Wi-Fi password, a GetParameterValuesResponse or an
//! Inform may report one, and a Download, Upload or ChangeDUState carries a file server's
//! `Password`. Whatever keeps or shows a body beyond the session (a recording, an event, a log)
//! masks them first. The masking works on the bytes as sent, so everything else in the body
//! stays exactly as it was (offsets, whitespace, namespace prefixes).

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use std::borrow::Cow;
use std::ops::Range;

/// What stands where a secret was (the capture layer masks passwords in HTTP headers the same way).
pub const MASK: &str = "********";

/// Ends of a parameter's last name segment (compared case-insensitively) that say it holds a
/// secret: `…SIP.AuthPassword`, `…Security.KeyPassphrase`, `…PreSharedKey`, `…WEPKey`,
/// `…RadiusSecret`, `…X_VENDOR_PIN`, `…AuthToken`, `…X_VENDOR_PSK`.
const SECRET_ENDINGS: [&str; 8] =
    ["password", "passwd", "passphrase", "secret", "key", "pin", "token", "psk"];

/// Segments with a secret-looking end that hold none: the ParameterKey every Inform reports,
/// and public keys.
const NOT_SECRET: [&str; 3] = ["parameterkey", "commandkey", "publickey"];

/// Whether the parameter `name` (a path such as `Device.WiFi.AccessPoint.1.Security.KeyPassphrase`)
/// holds a secret, judged by its last segment.
pub fn is_secret_parameter(name: &str) -> bool {
    let name = name.trim();
    let leaf = name.trim_end_matches('.').rsplit('.').next().unwrap_or(name).to_ascii_lowercase();
    !NOT_SECRET.contains(&leaf.as_str()) && SECRET_ENDINGS.iter().any(|end| leaf.ends_with(end))
}

/// `body` with [`MASK`] in place of the value of every secret parameter
/// ([`is_secret_parameter`]: an element with a `Name` and a `Value`, as `ParameterValueStruct`)
/// and of every `Password` element's text;
/// borrowed when there is none to mask. The rest of the body is untouched. Input that stops
/// being XML is masked up to where it stops, and kept as it is from there (what follows cannot
/// be told apart from text).
pub fn mask_secrets(body: &[u8]) -> Cow<'_, [u8]> {
    let spans = secret_spans(body);
    if spans.is_empty() {
        return Cow::Borrowed(body);
    }
    let mut masked = Vec::with_capacity(body.len());
    let mut copied = 0;
    for span in spans {
        masked.extend_from_slice(&body[copied..span.start]);
        masked.extend_from_slice(MASK.as_bytes());
        copied = span.end;
    }
    masked.extend_from_slice(&body[copied..]);
    Cow::Owned(masked)
}

/// An open element: the text of its `Name` child and where its `Value` child's text is.
#[derive(Default)]
struct Struct {
    name: String,
    value: Option<Range<usize>>,
}

/// The element whose text is being collected, and where its content began.
enum Inside {
    Nothing,
    Name,
    Value(usize),
    Password(usize),
}

/// Byte ranges of the secret texts of `body`, ascending and disjoint, none empty.
fn secret_spans(body: &[u8]) -> Vec<Range<usize>> {
    // The reader wants UTF-8. A Latin-1 body (or stray bytes) is read through a copy with `?`
    // for each byte that is not ASCII: every offset stays the same, and names are ASCII.
    let text: Cow<'_, str> = match std::str::from_utf8(body) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(
            body.iter().map(|&b| if b.is_ascii() { char::from(b) } else { '?' }).collect(),
        ),
    };
    let mut reader = Reader::from_str(&text);
    reader.config_mut().check_end_names = false;
    // The reader drops a leading byte-order mark and counts its positions from after it.
    let skipped = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let mut spans = Vec::new();
    // One frame per open element: the decoder reads an array's items whatever their element is
    // called (`ParameterValueStuct` exists), so any element with a `Name` and a `Value` child is
    // a parameter here.
    let mut open: Vec<Struct> = Vec::new();
    let mut inside = Inside::Nothing;
    loop {
        let before = position(&reader) + skipped;
        let event = match reader.read_event() {
            Ok(Event::Eof) | Err(_) => break,
            Ok(event) => event,
        };
        let after = position(&reader) + skipped;
        // The element holding the `Name` being read: the one below it.
        let holder = open.len().checked_sub(2);
        match event {
            Event::Start(start) => {
                inside = match start.local_name().as_ref() {
                    "Name" => Inside::Name,
                    "Value" => Inside::Value(after),
                    "Password" => Inside::Password(after),
                    _ => Inside::Nothing,
                };
                open.push(Struct::default());
            }
            Event::Text(text) if matches!(inside, Inside::Name) => {
                if let Some(holder) = holder.and_then(|h| open.get_mut(h)) {
                    holder.name.push_str(&text);
                }
            }
            Event::CData(text) if matches!(inside, Inside::Name) => {
                if let Some(holder) = holder.and_then(|h| open.get_mut(h)) {
                    holder.name.push_str(&text);
                }
            }
            // `A.Pass&#119;ord` is `A.Password` to the decoder, so it is to the masker too.
            Event::GeneralRef(reference) if matches!(inside, Inside::Name) => {
                if let Some(holder) = holder.and_then(|h| open.get_mut(h)) {
                    if let Ok(Some(c)) = reference.resolve_char_ref() {
                        holder.name.push(c);
                    } else if let Some(text) = resolve_predefined_entity(&reference) {
                        holder.name.push_str(text);
                    }
                }
            }
            Event::End(end) => {
                let closed = open.pop().unwrap_or_default();
                match (end.local_name().as_ref(), &inside) {
                    ("Value", Inside::Value(start)) => {
                        if let Some(holder) = open.last_mut() {
                            holder.value = Some(*start..before);
                        }
                    }
                    ("Password", Inside::Password(start)) => spans.push(*start..before),
                    _ => {}
                }
                if let Some(value) = closed.value
                    && is_secret_parameter(&closed.name)
                {
                    spans.push(value);
                }
                inside = Inside::Nothing;
            }
            _ => {}
        }
    }
    // Whitespace around a secret is kept as sent: only the text itself is a secret.
    let mut trimmed: Vec<Range<usize>> = spans
        .into_iter()
        .filter_map(|span| {
            let text = body.get(span.clone())?;
            let first = text.iter().position(|b| !b.is_ascii_whitespace())?;
            let last = text.iter().rposition(|b| !b.is_ascii_whitespace())?;
            Some(span.start + first..span.start + last + 1)
        })
        .collect();
    trimmed.sort_by_key(|span| span.start);
    trimmed.dedup_by(|later, earlier| later.start < earlier.end);
    trimmed
}

fn position(reader: &Reader<&[u8]>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_parameters_are_told_by_their_last_segment() {
        for secret in [
            "Device.Services.VoiceService.1.VoiceProfile.1.Line.1.SIP.AuthPassword",
            "Device.WiFi.AccessPoint.1.Security.KeyPassphrase",
            "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.PreSharedKey.1.PreSharedKey",
            "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.WEPKey.1.WEPKey",
            "Device.ManagementServer.ConnectionRequestPassword",
            "Device.X_ACME_RadiusSecret",
            " Device.Users.User.1.Password ",
        ] {
            assert!(is_secret_parameter(secret), "{secret}");
        }
        for plain in [
            "Device.ManagementServer.ParameterKey",
            "InternetGatewayDevice.ManagementServer.ParameterKey",
            "Device.ManagementServer.ConnectionRequestUsername",
            "Device.DeviceInfo.SerialNumber",
            "Device.Security.Certificate.1.PublicKey",
            "Device.WiFi.AccessPoint.1.Security.",
        ] {
            assert!(!is_secret_parameter(plain), "{plain}");
        }
    }

    #[test]
    fn only_the_secret_texts_change() {
        let body = br#"<cwmp:SetParameterValues><ParameterList>
<ParameterValueStruct><Name>Device.Users.User.1.Username</Name><Value xsi:type="xsd:string">alice</Value></ParameterValueStruct>
<ParameterValueStruct><Name>Device.Users.User.1.Password</Name><Value xsi:type="xsd:string"> s&amp;cret </Value></ParameterValueStruct>
<ParameterValueStruct><Value>first</Value><Name>Device.X.Passphrase</Name></ParameterValueStruct>
<ParameterValueStruct><Name>Device.X.Key</Name><Value/></ParameterValueStruct>
</ParameterList><ParameterKey>k</ParameterKey></cwmp:SetParameterValues>
<cwmp:Download><Username>u</Username><Password><![CDATA[pw]]></Password></cwmp:Download>"#;
        let masked = mask_secrets(body);
        let text = String::from_utf8(masked.into_owned()).unwrap();
        assert!(text.contains(">alice<"), "{text}");
        assert!(text.contains(r#"<Value xsi:type="xsd:string"> ******** </Value>"#), "{text}");
        assert!(text.contains("<Value>********</Value><Name>Device.X.Passphrase"), "{text}");
        assert!(text.contains("<Value/>"), "{text}");
        assert!(text.contains("<ParameterKey>k</ParameterKey>"), "{text}");
        assert!(text.contains("<Password>********</Password>"), "{text}");
        assert!(!text.contains("cret") && !text.contains("first") && !text.contains("pw"));
    }

    #[test]
    fn a_body_without_secrets_is_not_copied() {
        let body = b"<Inform><ParameterValueStruct><Name>Device.ManagementServer.ParameterKey</Name><Value>k</Value></ParameterValueStruct></Inform>";
        assert!(matches!(mask_secrets(body), Cow::Borrowed(_)));
        assert!(matches!(mask_secrets(b"not xml <<<"), Cow::Borrowed(_)));
    }

    #[test]
    fn latin_1_bodies_are_masked_at_the_same_offsets() {
        let body = b"<ParameterValueStruct><Name>Caf\xe9.Password</Name><Value>s\xe9cret</Value></ParameterValueStruct>";
        let masked = mask_secrets(body);
        assert_eq!(&masked[..], &b"<ParameterValueStruct><Name>Caf\xe9.Password</Name><Value>********</Value></ParameterValueStruct>"[..]);
    }

    #[test]
    fn references_in_a_name_count_as_what_they_stand_for() {
        let body = b"<ParameterValueStruct><Name>A.Pass&#119;or&#x64;</Name><Value>one</Value></ParameterValueStruct>";
        assert!(!mask_secrets(body).windows(3).any(|w| w == b"one"));
    }

    #[test]
    fn a_misnamed_struct_is_still_a_parameter() {
        let body = b"<ParameterList><ParameterValueStuct><Name>A.Password</Name><Value>one</Value></ParameterValueStuct></ParameterList>";
        assert!(!mask_secrets(body).windows(3).any(|w| w == b"one"));
    }

    #[test]
    fn broken_xml_is_masked_up_to_where_it_breaks() {
        let body = b"<ParameterValueStruct><Name>A.Password</Name><Value>one</Value></ParameterValueStruct><a></b><<";
        let masked = mask_secrets(body);
        assert!(!masked.windows(3).any(|w| w == b"one"));
    }
}
