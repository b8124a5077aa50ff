//! The XML Schema types a CWMP parameter's value can have (TR-106's base types, as carried by
//! `xsi:type` on the wire and declared by `<syntax>` in BBF data models), and their lexical
//! spaces. The codec's encoder, the data-model checker and the app judge a value by these.

use super::time::DateTime;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// The base types of CWMP parameters. The order of the variants is part of the compiled
/// schemas' format (postcard writes the index): append, never reorder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum XsdType {
    #[default]
    String,
    Int,
    UnsignedInt,
    Long,
    UnsignedLong,
    Boolean,
    DateTime,
    Base64,
    HexBinary,
    Decimal,
}

/// Why a text is not in a type's lexical space.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a valid {expected}{}", reason.map(|r| format!(" ({r})")).unwrap_or_default())]
pub struct LexicalError {
    pub text: String,
    /// The type's name, as [`XsdType::name`] gives it.
    pub expected: &'static str,
    /// What is wrong, where the type has more to say than "does not parse".
    pub reason: Option<&'static str>,
}

impl XsdType {
    /// The name CWMP writes in `xsi:type` and BBF in `<syntax>` (`base64`, not `base64Binary`).
    pub fn name(self) -> &'static str {
        match self {
            XsdType::String => "string",
            XsdType::Int => "int",
            XsdType::UnsignedInt => "unsignedInt",
            XsdType::Long => "long",
            XsdType::UnsignedLong => "unsignedLong",
            XsdType::Boolean => "boolean",
            XsdType::DateTime => "dateTime",
            XsdType::Base64 => "base64",
            XsdType::HexBinary => "hexBinary",
            XsdType::Decimal => "decimal",
        }
    }

    /// The type a name denotes, with or without a prefix (`xsd:unsignedInt`); `base64Binary`
    /// is accepted for `base64`. Names are case-sensitive, as in XML Schema.
    pub fn from_name(name: &str) -> Option<XsdType> {
        let local = name.rsplit(':').next().unwrap_or(name);
        Some(match local {
            "string" => XsdType::String,
            "int" => XsdType::Int,
            "unsignedInt" => XsdType::UnsignedInt,
            "long" => XsdType::Long,
            "unsignedLong" => XsdType::UnsignedLong,
            "boolean" => XsdType::Boolean,
            "dateTime" => XsdType::DateTime,
            "base64" | "base64Binary" => XsdType::Base64,
            "hexBinary" => XsdType::HexBinary,
            "decimal" => XsdType::Decimal,
            _ => return None,
        })
    }

    pub fn is_integer(self) -> bool {
        matches!(self, XsdType::Int | XsdType::UnsignedInt | XsdType::Long | XsdType::UnsignedLong)
    }

    /// The inclusive range of an integer type.
    pub fn integer_bounds(self) -> Option<(i128, i128)> {
        Some(match self {
            XsdType::Int => (i32::MIN.into(), i32::MAX.into()),
            XsdType::UnsignedInt => (0, u32::MAX.into()),
            XsdType::Long => (i64::MIN.into(), i64::MAX.into()),
            XsdType::UnsignedLong => (0, u64::MAX.into()),
            _ => return None,
        })
    }

    /// Checks `text` against the type's lexical space (and an integer type's range). Every
    /// type but `string` collapses white space first, as XML Schema does.
    pub fn check(self, text: &str) -> Result<(), LexicalError> {
        let collapsed = if self == XsdType::String { text } else { trim_xml_space(text) };
        let fail =
            |reason| Err(LexicalError { text: text.to_owned(), expected: self.name(), reason });
        match self {
            XsdType::String => Ok(()),
            XsdType::Int | XsdType::UnsignedInt | XsdType::Long | XsdType::UnsignedLong => {
                let Some(number) = parse_integer(collapsed) else { return fail(None) };
                let (min, max) = self.integer_bounds().unwrap_or((i128::MIN, i128::MAX));
                if number < min || number > max {
                    return fail(Some("out of the type's range"));
                }
                Ok(())
            }
            XsdType::Boolean => match collapsed {
                "true" | "false" | "1" | "0" => Ok(()),
                _ => fail(Some("0, 1, true or false")),
            },
            XsdType::DateTime => {
                DateTime::parse(collapsed).map(|_| ()).or_else(|e| fail(Some(e.0)))
            }
            XsdType::Base64 => {
                let compact: Vec<u8> =
                    collapsed.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
                // The lexical space wants the unused bits of the last character zero.
                match base64::engine::general_purpose::STANDARD.decode(compact) {
                    Ok(_) => Ok(()),
                    Err(_) => fail(None),
                }
            }
            XsdType::HexBinary => match decode_hex(collapsed) {
                Some(_) => Ok(()),
                None => fail(None),
            },
            XsdType::Decimal => {
                if is_decimal(collapsed) {
                    Ok(())
                } else {
                    fail(None)
                }
            }
        }
    }

    pub fn is_valid(self, text: &str) -> bool {
        self.check(text).is_ok()
    }
}

/// Leading and trailing XML white space removed (the `collapse` facet's effect at the ends;
/// inner runs matter to no type here but `string`, which keeps them).
pub fn trim_xml_space(text: &str) -> &str {
    text.trim_matches([' ', '\t', '\r', '\n'])
}

/// An `xsd:integer` lexical form (`[+-]?[0-9]+`), as a number.
pub fn parse_integer(text: &str) -> Option<i128> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Leading zeros are allowed and may be many; skip them so a long run cannot overflow.
    let significant = digits.trim_start_matches('0');
    if significant.len() > 38 {
        return None;
    }
    let magnitude: i128 = if significant.is_empty() { 0 } else { significant.parse().ok()? };
    Some(if text.starts_with('-') { -magnitude } else { magnitude })
}

/// An `xsd:decimal` lexical form: `[+-]?` digits with at most one `.`, at least one digit.
pub fn is_decimal(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    (!whole.is_empty() || !fraction.is_empty())
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// `xsd:hexBinary` as bytes: an even number of hexadecimal digits, either case.
pub fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let nibble = |b: u8| char::from(b).to_digit(16).and_then(|d| u8::try_from(d).ok());
    text.as_bytes()
        .chunks(2)
        .map(|pair| match pair {
            [high, low] => Some(nibble(*high)? << 4 | nibble(*low)?),
            _ => None,
        })
        .collect()
}

/// `xsd:base64Binary` as bytes, read leniently: white space may stand between the characters,
/// and unused bits in the last character are ignored ([`XsdType::check`] refuses them).
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    const LENIENT: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
    );
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    LENIENT.decode(compact).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_accept_prefixes() {
        for ty in [
            XsdType::String,
            XsdType::Int,
            XsdType::UnsignedInt,
            XsdType::Long,
            XsdType::UnsignedLong,
            XsdType::Boolean,
            XsdType::DateTime,
            XsdType::Base64,
            XsdType::HexBinary,
            XsdType::Decimal,
        ] {
            assert_eq!(XsdType::from_name(ty.name()), Some(ty));
        }
        assert_eq!(XsdType::from_name("xsd:base64Binary"), Some(XsdType::Base64));
        assert_eq!(XsdType::from_name("UnsignedInt"), None);
    }

    #[test]
    fn lexical_spaces() {
        assert!(XsdType::UnsignedInt.is_valid(" 42\n"));
        assert!(XsdType::UnsignedInt.is_valid("+0004294967295"));
        assert!(!XsdType::UnsignedInt.is_valid("4294967296"));
        assert!(!XsdType::UnsignedInt.is_valid("-1"));
        assert!(XsdType::UnsignedInt.is_valid("-0"));
        assert!(!XsdType::Int.is_valid("1.0"));
        assert!(XsdType::Long.is_valid(&format!("{}1", "0".repeat(100))));
        assert!(!XsdType::UnsignedLong.is_valid(&"9".repeat(60)));
        assert!(XsdType::Boolean.is_valid("true"));
        assert!(!XsdType::Boolean.is_valid("True"));
        assert!(XsdType::Base64.is_valid("aGk=\n"));
        assert!(XsdType::Base64.is_valid("aG k="));
        assert!(!XsdType::Base64.is_valid("aGl="), "unused bits must be zero");
        assert!(!XsdType::Base64.is_valid("aGk"));
        assert!(XsdType::HexBinary.is_valid("0aFF"));
        assert!(!XsdType::HexBinary.is_valid("0aF"));
        assert!(XsdType::Decimal.is_valid("-1.50"));
        assert!(XsdType::Decimal.is_valid(".5"));
        assert!(!XsdType::Decimal.is_valid("."));
        assert!(!XsdType::Decimal.is_valid("1e3"));
        assert!(XsdType::DateTime.is_valid(" 2024-02-29T00:00:00Z "));
        assert!(!XsdType::DateTime.is_valid("2023-02-29T00:00:00Z"));
        assert!(XsdType::String.is_valid(" anything "));
        let error = XsdType::DateTime.check("2023-01-01T00:00:00+99:00").unwrap_err();
        assert_eq!(
            error.to_string(),
            "`2023-01-01T00:00:00+99:00` is not a valid dateTime (a zone offset is at most ±14:00)"
        );
        assert_eq!(decode_base64("aGk="), Some(b"hi".to_vec()));
        assert_eq!(decode_base64("aGl="), Some(b"hi".to_vec()), "decoding is lenient");
        assert_eq!(decode_hex("0aFF"), Some(vec![10, 255]));
    }
}
