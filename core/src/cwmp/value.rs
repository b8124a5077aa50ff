//! Typed views of a parameter [`Value`], through its `xsi:type`. The raw text
//! always stays in [`Value::text`]; these accessors only interpret it.

use super::{Text, Value};
use crate::base::xsd::{decode_base64, decode_hex, is_decimal};
use crate::base::{DateTime, XsdType};
use serde::{Deserialize, Serialize};

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
    pub fn typed(value_type: XsdType, text: impl Into<Text>) -> Value {
        Value { xsi_type: Some(Text::from(value_type.name())), text: text.into() }
    }

    /// The declared type; `None` when absent or not a CWMP type (then the text
    /// is best treated as a string).
    pub fn value_type(&self) -> Option<XsdType> {
        self.xsi_type.as_deref().and_then(XsdType::from_name)
    }

    /// The text interpreted by the declared type; untyped and unknown types are strings.
    pub fn parse(&self) -> Result<TypedValue, ValueError> {
        let text = self.text.as_str();
        let trimmed = text.trim();
        let fail = |expected| ValueError { text: text.to_owned(), expected };
        Ok(match self.value_type().unwrap_or(XsdType::String) {
            XsdType::String => TypedValue::String(text.to_owned()),
            XsdType::Int => TypedValue::Int(trimmed.parse().map_err(|_| fail("int"))?),
            XsdType::UnsignedInt => {
                TypedValue::UnsignedInt(trimmed.parse().map_err(|_| fail("unsignedInt"))?)
            }
            XsdType::Long => TypedValue::Long(trimmed.parse().map_err(|_| fail("long"))?),
            XsdType::UnsignedLong => {
                TypedValue::UnsignedLong(trimmed.parse().map_err(|_| fail("unsignedLong"))?)
            }
            XsdType::Boolean => TypedValue::Boolean(
                super::decode::parse_bool(trimmed).ok_or_else(|| fail("boolean"))?,
            ),
            XsdType::DateTime => {
                if DateTime::is_valid(trimmed) {
                    TypedValue::DateTime(trimmed.to_owned())
                } else {
                    return Err(fail("dateTime"));
                }
            }
            XsdType::Base64 => {
                TypedValue::Base64(decode_base64(trimmed).ok_or_else(|| fail("base64"))?)
            }
            XsdType::HexBinary => {
                TypedValue::HexBinary(decode_hex(trimmed).ok_or_else(|| fail("hexBinary"))?)
            }
            XsdType::Decimal => {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values_parse_by_xsi_type() {
        assert_eq!(
            Value::typed(XsdType::UnsignedInt, " 42 ").parse(),
            Ok(TypedValue::UnsignedInt(42))
        );
        assert_eq!(Value::typed(XsdType::Boolean, "1").parse(), Ok(TypedValue::Boolean(true)));
        assert_eq!(
            Value::typed(XsdType::Base64, "aGk=").parse(),
            Ok(TypedValue::Base64(b"hi".to_vec()))
        );
        assert_eq!(
            Value::typed(XsdType::HexBinary, "0aFF").parse(),
            Ok(TypedValue::HexBinary(vec![10, 255]))
        );
        assert!(Value::typed(XsdType::DateTime, "0001-01-01T00:00:00Z").parse().is_ok());
        assert!(Value::typed(XsdType::DateTime, "2016-01-31T13:28:09+01:00").parse().is_ok());
        assert!(Value::typed(XsdType::DateTime, "yesterday").parse().is_err());
        assert!(Value::typed(XsdType::Int, "x").parse().is_err());
        assert!(Value::typed(XsdType::Decimal, "-1.50").parse().is_ok());
        let untyped = Value { xsi_type: None, text: "plain".into() };
        assert_eq!(untyped.parse(), Ok(TypedValue::String("plain".into())));
    }
}
