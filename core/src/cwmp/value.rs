//! Typed views of a parameter [`Value`], through its `xsi:type`. The raw text
//! always stays in [`Value::text`]; these accessors only interpret it.

use super::{Text, Value};
use serde::{Deserialize, Serialize};

/// The CWMP parameter types (TR-106 data types as carried on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ValueType {
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

impl ValueType {
    /// The type named by an `xsi:type` local name (case as in XML Schema;
    /// `base64Binary` is accepted for `base64`).
    pub fn from_xsi(name: &str) -> Option<ValueType> {
        Some(match name {
            "string" => ValueType::String,
            "int" => ValueType::Int,
            "unsignedInt" => ValueType::UnsignedInt,
            "long" => ValueType::Long,
            "unsignedLong" => ValueType::UnsignedLong,
            "boolean" => ValueType::Boolean,
            "dateTime" => ValueType::DateTime,
            "base64" | "base64Binary" => ValueType::Base64,
            "hexBinary" => ValueType::HexBinary,
            "decimal" => ValueType::Decimal,
            _ => return None,
        })
    }

    /// The `xsi:type` local name the encoder writes.
    pub fn xsi_name(self) -> &'static str {
        match self {
            ValueType::String => "string",
            ValueType::Int => "int",
            ValueType::UnsignedInt => "unsignedInt",
            ValueType::Long => "long",
            ValueType::UnsignedLong => "unsignedLong",
            ValueType::Boolean => "boolean",
            ValueType::DateTime => "dateTime",
            ValueType::Base64 => "base64",
            ValueType::HexBinary => "hexBinary",
            ValueType::Decimal => "decimal",
        }
    }
}

/// A value interpreted according to its type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TypedValue {
    String(String),
    Int(i32),
    UnsignedInt(u32),
    Long(i64),
    UnsignedLong(u64),
    Boolean(bool),
    /// An `xsd:dateTime`, validated lexically; `0001-01-01T00:00:00Z` means unknown.
    DateTime(String),
    Base64(Vec<u8>),
    HexBinary(Vec<u8>),
    /// An `xsd:decimal`, validated lexically.
    Decimal(String),
}

/// Why a value's text does not fit its declared type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a valid {expected}")]
pub struct ValueError {
    pub text: String,
    pub expected: &'static str,
}

impl Value {
    /// A value with an explicit type.
    pub fn typed(value_type: ValueType, text: impl Into<Text>) -> Value {
        Value { xsi_type: Some(Text::from(value_type.xsi_name())), text: text.into() }
    }

    /// The declared type; `None` when absent or not a CWMP type (then the text
    /// is best treated as a string).
    pub fn value_type(&self) -> Option<ValueType> {
        self.xsi_type.as_deref().and_then(ValueType::from_xsi)
    }

    /// The text interpreted by the declared type; untyped and unknown types are strings.
    pub fn parse(&self) -> Result<TypedValue, ValueError> {
        let text = self.text.as_str();
        let trimmed = text.trim();
        let fail = |expected| ValueError { text: text.to_owned(), expected };
        Ok(match self.value_type().unwrap_or(ValueType::String) {
            ValueType::String => TypedValue::String(text.to_owned()),
            ValueType::Int => TypedValue::Int(trimmed.parse().map_err(|_| fail("int"))?),
            ValueType::UnsignedInt => {
                TypedValue::UnsignedInt(trimmed.parse().map_err(|_| fail("unsignedInt"))?)
            }
            ValueType::Long => TypedValue::Long(trimmed.parse().map_err(|_| fail("long"))?),
            ValueType::UnsignedLong => {
                TypedValue::UnsignedLong(trimmed.parse().map_err(|_| fail("unsignedLong"))?)
            }
            ValueType::Boolean => TypedValue::Boolean(
                super::decode::parse_bool(trimmed).ok_or_else(|| fail("boolean"))?,
            ),
            ValueType::DateTime => {
                if is_date_time(trimmed) {
                    TypedValue::DateTime(trimmed.to_owned())
                } else {
                    return Err(fail("dateTime"));
                }
            }
            ValueType::Base64 => {
                TypedValue::Base64(decode_base64(trimmed).ok_or_else(|| fail("base64"))?)
            }
            ValueType::HexBinary => {
                TypedValue::HexBinary(decode_hex(trimmed).ok_or_else(|| fail("hexBinary"))?)
            }
            ValueType::Decimal => {
                if is_decimal(trimmed) {
                    TypedValue::Decimal(trimmed.to_owned())
                } else {
                    return Err(fail("decimal"));
                }
            }
        })
    }

    pub fn as_bool(&self) -> Option<bool> {
        super::decode::parse_bool(&self.text)
    }
    pub fn as_i32(&self) -> Option<i32> {
        self.text.trim().parse().ok()
    }
    pub fn as_u32(&self) -> Option<u32> {
        self.text.trim().parse().ok()
    }
    pub fn as_i64(&self) -> Option<i64> {
        self.text.trim().parse().ok()
    }
    pub fn as_u64(&self) -> Option<u64> {
        self.text.trim().parse().ok()
    }
    /// Base64 content as bytes (whitespace inside is allowed, as in XML Schema).
    pub fn as_base64(&self) -> Option<Vec<u8>> {
        decode_base64(self.text.trim())
    }
    pub fn as_hex(&self) -> Option<Vec<u8>> {
        decode_hex(self.text.trim())
    }
}

/// `[-]YYYY-MM-DDThh:mm:ss[.fff][Z|±hh:mm]`, checked by shape and ranges.
pub fn is_date_time(text: &str) -> bool {
    let text = text.strip_prefix('-').unwrap_or(text);
    let Some((date, time)) = text.split_once('T') else { return false };
    let mut date_parts = date.split('-');
    let (Some(year), Some(month), Some(day), None) =
        (date_parts.next(), date_parts.next(), date_parts.next(), date_parts.next())
    else {
        return false;
    };
    let number = |s: &str, len: usize, max: u32| {
        s.len() == len
            && s.bytes().all(|b| b.is_ascii_digit())
            && s.parse::<u32>().is_ok_and(|n| n <= max)
    };
    if year.len() < 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    if !number(month, 2, 12) || !number(day, 2, 31) {
        return false;
    }
    let (clock, zone) = match time.find(['Z', '+', '-']) {
        Some(at) => time.split_at(at),
        None => (time, ""),
    };
    let zone_ok = zone.is_empty()
        || zone == "Z"
        || zone
            .get(1..)
            .and_then(|z| z.split_once(':'))
            .is_some_and(|(h, m)| number(h, 2, 14) && number(m, 2, 59));
    let (whole, fraction) = match clock.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (clock, None),
    };
    let mut clock_parts = whole.split(':');
    let (Some(h), Some(m), Some(s), None) =
        (clock_parts.next(), clock_parts.next(), clock_parts.next(), clock_parts.next())
    else {
        return false;
    };
    zone_ok
        && number(h, 2, 24)
        && number(m, 2, 59)
        && number(s, 2, 60)
        && fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

fn is_decimal(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    (!whole.is_empty() || !fraction.is_empty())
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
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

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let sextet = |b: u8| -> Option<u32> {
        Some(match b {
            b'A'..=b'Z' => u32::from(b - b'A'),
            b'a'..=b'z' => u32::from(b - b'a') + 26,
            b'0'..=b'9' => u32::from(b - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    };
    let symbols: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !symbols.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(symbols.len() / 4 * 3);
    let quads = symbols.len() / 4;
    for (index, quad) in symbols.chunks(4).enumerate() {
        let padding = quad.iter().rev().take_while(|&&b| b == b'=').count();
        if padding > 2 || (padding > 0 && index + 1 != quads) {
            return None;
        }
        let mut bits = 0u32;
        for &b in quad.iter().take(4 - padding) {
            bits = bits << 6 | sextet(b)?;
        }
        bits <<= 6 * padding as u32;
        let bytes = bits.to_be_bytes();
        out.extend(bytes.iter().skip(1).take(3 - padding));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values_parse_by_xsi_type() {
        assert_eq!(
            Value::typed(ValueType::UnsignedInt, " 42 ").parse(),
            Ok(TypedValue::UnsignedInt(42))
        );
        assert_eq!(Value::typed(ValueType::Boolean, "1").parse(), Ok(TypedValue::Boolean(true)));
        assert_eq!(
            Value::typed(ValueType::Base64, "aGk=").parse(),
            Ok(TypedValue::Base64(b"hi".to_vec()))
        );
        assert_eq!(
            Value::typed(ValueType::HexBinary, "0aFF").parse(),
            Ok(TypedValue::HexBinary(vec![10, 255]))
        );
        assert!(Value::typed(ValueType::DateTime, "0001-01-01T00:00:00Z").parse().is_ok());
        assert!(Value::typed(ValueType::DateTime, "2016-01-31T13:28:09+01:00").parse().is_ok());
        assert!(Value::typed(ValueType::DateTime, "yesterday").parse().is_err());
        assert!(Value::typed(ValueType::Int, "x").parse().is_err());
        assert!(Value::typed(ValueType::Decimal, "-1.50").parse().is_ok());
        let untyped = Value { xsi_type: None, text: "plain".into() };
        assert_eq!(untyped.parse(), Ok(TypedValue::String("plain".into())));
    }
}
