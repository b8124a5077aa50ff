//! The JSON writer of `cwmpkit decode --json`: serde_json's pretty layout, byte for byte, written
//! by a serializer of our own.
//!
//! The output is as large as the capture (66 MB of JSON for the 50 MB bench capture), and with
//! serde_json's `Serializer` the writing thread was a fifth of the run's CPU: its string escaping
//! looks at one byte at a time, and every key of every struct goes through the same escaping and
//! a `Formatter` call per piece of punctuation. Here a string that needs no escape (nearly all)
//! is found so with a scan the compiler vectorizes and written as it is; a struct's field names
//! (Rust identifiers or serde renames, never escaped in practice, but checked all the same) are
//! written with their quotes and `": "` in one go. Numbers, booleans and nulls are written by
//! serde_json itself, so their text cannot differ. The tests compare the bytes with
//! `serde_json::to_string_pretty`.

use serde::ser::{self, Serialize};
use std::fmt::Write as _;
use std::io::Write;

type Error = serde_json::Error;
type Result<T = ()> = std::result::Result<T, Error>;

/// A line break and the deepest indentation written in one piece.
const BREAK: &[u8; 129] = b"\n                                                                                                                                ";

/// Serializes into `out` with serde_json's pretty layout (two spaces per level).
#[derive(Debug)]
pub struct Pretty<W> {
    out: W,
    depth: usize,
    /// Text of `collect_str` values (timestamps), reused.
    scratch: String,
}

impl<W: Write> Pretty<W> {
    pub fn new(out: W) -> Self {
        Self { out, depth: 0, scratch: String::new() }
    }

    fn put(&mut self, bytes: &[u8]) -> Result {
        self.out.write_all(bytes).map_err(Error::io)
    }

    /// A line break and the indentation of the current depth.
    fn line(&mut self) -> Result {
        let mut width = self.depth * 2;
        let first = width.min(BREAK.len() - 1);
        self.put(&BREAK[..=first])?;
        width -= first;
        while width > 0 {
            let part = width.min(BREAK.len() - 1);
            self.put(&BREAK[1..=part])?;
            width -= part;
        }
        Ok(())
    }

    /// Opens an array or object.
    fn open(&mut self, bracket: &[u8]) -> Result {
        self.depth += 1;
        self.put(bracket)
    }

    /// Closes an array or object; the closing bracket goes on its own line unless it was empty.
    fn close(&mut self, had_items: bool, bracket: &[u8]) -> Result {
        self.depth -= 1;
        if had_items {
            self.line()?;
        }
        self.put(bracket)
    }

    /// What comes before an item of an array or a key of an object.
    fn item(&mut self, first: bool) -> Result {
        if !first {
            self.put(b",")?;
        }
        self.line()
    }

    /// A JSON string, escaped as serde_json escapes (`\"`, `\\`, the short forms of `\b`, `\t`,
    /// `\n`, `\f`, `\r`, and `\u00xx` for the other control characters; nothing else).
    fn string(&mut self, text: &str) -> Result {
        self.put(b"\"")?;
        if needs_escape(text.as_bytes()) {
            self.escaped(text)?;
        } else {
            self.put(text.as_bytes())?;
        }
        self.put(b"\"")
    }

    fn escaped(&mut self, text: &str) -> Result {
        let bytes = text.as_bytes();
        let mut start = 0;
        for (at, &byte) in bytes.iter().enumerate() {
            let short = match byte {
                b'"' => b'"',
                b'\\' => b'\\',
                0x08 => b'b',
                0x09 => b't',
                0x0A => b'n',
                0x0C => b'f',
                0x0D => b'r',
                0x00..=0x1F => 0,
                _ => continue,
            };
            self.put(&bytes[start..at])?;
            if short == 0 {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let code = [
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(byte >> 4)],
                    HEX[usize::from(byte & 0xF)],
                ];
                self.put(&code)?;
            } else {
                self.put(&[b'\\', short])?;
            }
            start = at + 1;
        }
        self.put(&bytes[start..])
    }

    /// An object key (an item line, the quoted key, `": "`).
    fn key(&mut self, key: &str, first: bool) -> Result {
        self.item(first)?;
        self.string(key)?;
        self.put(b": ")
    }

    /// A number, boolean or null, as serde_json writes it.
    fn scalar<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        serde_json::to_writer(&mut self.out, value)
    }

    /// `{"variant": ` of an enum's newtype, tuple or struct variant.
    fn open_variant(&mut self, variant: &str) -> Result {
        self.open(b"{")?;
        self.key(variant, true)
    }

    /// A tuple or struct variant: `{"Variant": [` or `{"Variant": {`, closed by its compound.
    fn compound_in_variant(&mut self, variant: &str, bracket: &[u8]) -> Result<Compound<'_, W>> {
        self.open_variant(variant)?;
        self.open(bracket)?;
        Ok(Compound { writer: self, first: true, variant: true })
    }
}

/// Whether a string has a byte JSON needs escaped: checked 32 bytes at a time with a branch-free
/// fold the compiler vectorizes (serde_json tests one byte at a time).
fn needs_escape(bytes: &[u8]) -> bool {
    bytes.chunks(32).any(|chunk| {
        chunk.iter().fold(false, |seen, &b| seen | (b < 0x20) | (b == b'"') | (b == b'\\'))
    })
}

impl<'a, W: Write> ser::Serializer for &'a mut Pretty<W> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a, W>;
    type SerializeTuple = Compound<'a, W>;
    type SerializeTupleStruct = Compound<'a, W>;
    type SerializeTupleVariant = Compound<'a, W>;
    type SerializeMap = Compound<'a, W>;
    type SerializeStruct = Compound<'a, W>;
    type SerializeStructVariant = Compound<'a, W>;

    fn serialize_bool(self, v: bool) -> Result {
        self.put(if v { b"true" } else { b"false" })
    }
    fn serialize_i8(self, v: i8) -> Result {
        self.scalar(&v)
    }
    fn serialize_i16(self, v: i16) -> Result {
        self.scalar(&v)
    }
    fn serialize_i32(self, v: i32) -> Result {
        self.scalar(&v)
    }
    fn serialize_i64(self, v: i64) -> Result {
        self.scalar(&v)
    }
    fn serialize_i128(self, v: i128) -> Result {
        self.scalar(&v)
    }
    fn serialize_u8(self, v: u8) -> Result {
        self.scalar(&v)
    }
    fn serialize_u16(self, v: u16) -> Result {
        self.scalar(&v)
    }
    fn serialize_u32(self, v: u32) -> Result {
        self.scalar(&v)
    }
    fn serialize_u64(self, v: u64) -> Result {
        self.scalar(&v)
    }
    fn serialize_u128(self, v: u128) -> Result {
        self.scalar(&v)
    }
    fn serialize_f32(self, v: f32) -> Result {
        self.scalar(&v)
    }
    fn serialize_f64(self, v: f64) -> Result {
        self.scalar(&v)
    }
    fn serialize_char(self, v: char) -> Result {
        self.string(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result {
        self.string(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result {
        // serde_json writes bytes as an array of numbers.
        let mut seq = ser::Serializer::serialize_seq(self, Some(v.len()))?;
        for byte in v {
            ser::SerializeSeq::serialize_element(&mut seq, byte)?;
        }
        ser::SerializeSeq::end(seq)
    }
    fn serialize_none(self) -> Result {
        self.put(b"null")
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result {
        self.put(b"null")
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result {
        self.put(b"null")
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result {
        self.string(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Result {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result {
        self.open_variant(variant)?;
        value.serialize(&mut *self)?;
        self.close(true, b"}")
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a, W>> {
        self.open(b"[")?;
        Ok(Compound { writer: self, first: true, variant: false })
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'a, W>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Compound<'a, W>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a, W>> {
        self.compound_in_variant(variant, b"[")
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a, W>> {
        self.open(b"{")?;
        Ok(Compound { writer: self, first: true, variant: false })
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Compound<'a, W>> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a, W>> {
        self.compound_in_variant(variant, b"{")
    }
    fn collect_str<T: std::fmt::Display + ?Sized>(self, value: &T) -> Result {
        let mut text = std::mem::take(&mut self.scratch);
        text.clear();
        let written = write!(text, "{value}");
        let result = match written {
            Ok(()) => self.string(&text),
            Err(_) => Err(ser::Error::custom("a Display implementation returned an error")),
        };
        self.scratch = text;
        result
    }
}

/// An array or object being written; `variant` when it is the inside of `{"variant": …}`.
#[derive(Debug)]
pub struct Compound<'a, W> {
    writer: &'a mut Pretty<W>,
    first: bool,
    variant: bool,
}

impl<W: Write> Compound<'_, W> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.writer.item(self.first)?;
        self.first = false;
        value.serialize(&mut *self.writer)
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.writer.key(key, self.first)?;
        self.first = false;
        value.serialize(&mut *self.writer)
    }

    fn end_with(self, bracket: &[u8]) -> Result {
        self.writer.close(!self.first, bracket)?;
        if self.variant {
            self.writer.close(true, b"}")?;
        }
        Ok(())
    }
}

/// The four serde shapes written as a JSON array: each element in turn, then the bracket.
macro_rules! written_as_array {
    ($($shape:ident :: $add:ident),+) => {$(
        impl<W: Write> ser::$shape for Compound<'_, W> {
            type Ok = ();
            type Error = Error;
            fn $add<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
                self.element(value)
            }
            fn end(self) -> Result {
                self.end_with(b"]")
            }
        }
    )+};
}

written_as_array!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl<W: Write> ser::SerializeMap for Compound<'_, W> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        self.writer.item(self.first)?;
        self.first = false;
        key.serialize(KeySerializer(&mut *self.writer))?;
        self.writer.put(b": ")
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        value.serialize(&mut *self.writer)
    }
    fn end(self) -> Result {
        self.end_with(b"}")
    }
}

impl<W: Write> ser::SerializeStruct for Compound<'_, W> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.field(key, value)
    }
    fn end(self) -> Result {
        self.end_with(b"}")
    }
}

impl<W: Write> ser::SerializeStructVariant for Compound<'_, W> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.field(key, value)
    }
    fn end(self) -> Result {
        self.end_with(b"}")
    }
}

/// A map key: JSON keys are strings, so strings are written as strings and numbers and booleans
/// quoted (finite floats only), as serde_json does; anything else is refused, as serde_json
/// refuses it.
struct KeySerializer<'a, W>(&'a mut Pretty<W>);

impl<W: Write> KeySerializer<'_, W> {
    fn quoted<T: Serialize>(self, value: T) -> Result {
        self.0.put(b"\"")?;
        self.0.scalar(&value)?;
        self.0.put(b"\"")
    }
}

fn key_must_be_a_string() -> Error {
    ser::Error::custom("key must be a string")
}

impl<W: Write> ser::Serializer for KeySerializer<'_, W> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = ser::Impossible<(), Error>;
    type SerializeTuple = ser::Impossible<(), Error>;
    type SerializeTupleStruct = ser::Impossible<(), Error>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = ser::Impossible<(), Error>;
    type SerializeStruct = ser::Impossible<(), Error>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Result {
        self.0.string(v)
    }
    fn serialize_char(self, v: char) -> Result {
        self.0.string(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result {
        self.0.string(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Result {
        v.serialize(self)
    }
    fn serialize_bool(self, v: bool) -> Result {
        self.quoted(v)
    }
    fn serialize_i8(self, v: i8) -> Result {
        self.quoted(v)
    }
    fn serialize_i16(self, v: i16) -> Result {
        self.quoted(v)
    }
    fn serialize_i32(self, v: i32) -> Result {
        self.quoted(v)
    }
    fn serialize_i64(self, v: i64) -> Result {
        self.quoted(v)
    }
    fn serialize_i128(self, v: i128) -> Result {
        self.quoted(v)
    }
    fn serialize_u8(self, v: u8) -> Result {
        self.quoted(v)
    }
    fn serialize_u16(self, v: u16) -> Result {
        self.quoted(v)
    }
    fn serialize_u32(self, v: u32) -> Result {
        self.quoted(v)
    }
    fn serialize_u64(self, v: u64) -> Result {
        self.quoted(v)
    }
    fn serialize_u128(self, v: u128) -> Result {
        self.quoted(v)
    }
    fn serialize_f32(self, v: f32) -> Result {
        if !v.is_finite() {
            return Err(ser::Error::custom("float key must be finite"));
        }
        self.quoted(v)
    }
    fn serialize_f64(self, v: f64) -> Result {
        if !v.is_finite() {
            return Err(ser::Error::custom("float key must be finite"));
        }
        self.quoted(v)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_none(self) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_unit(self) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(key_must_be_a_string())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(key_must_be_a_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    fn ours<T: Serialize>(value: &T) -> String {
        let mut out = Vec::new();
        value.serialize(&mut Pretty::new(&mut out)).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[derive(Serialize)]
    enum Shape {
        Unit,
        Newtype(u8),
        Tuple(i32, String),
        Struct { a: Option<f64>, b: Vec<u8> },
        EmptyStruct {},
    }

    #[derive(Serialize)]
    struct All {
        text: &'static str,
        escapes: String,
        long: String,
        c: char,
        floats: Vec<f64>,
        ints: (i8, u64, i128, u128),
        flag: bool,
        none: Option<u8>,
        unit: (),
        shapes: Vec<Shape>,
        #[serde(with = "serde_bytes_as_seq")]
        bytes: Vec<u8>,
        map: std::collections::BTreeMap<u32, &'static str>,
        bool_keys: std::collections::BTreeMap<bool, ()>,
        empty: Vec<u8>,
    }

    mod serde_bytes_as_seq {
        pub fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(v)
        }
    }

    #[test]
    fn the_bytes_are_serde_jsons_pretty_output() {
        let deep = (0..80).fold(serde_json::json!([1, {}]), |v, _| serde_json::json!({ "a": [v] }));
        let value = serde_json::json!({
            "empty": [], "none": {}, "list": [1, "two", null, {"x": [true]}], "deep": deep,
            "f": [0.1, 1e300, -0.0, 12.0], "big": u64::MAX, "neg": i64::MIN
        });
        assert_eq!(ours(&value), serde_json::to_string_pretty(&value).unwrap());
        let controls: String = (0u8..0x80).map(char::from).collect();
        let all = All {
            text: "plain",
            escapes: format!("a\"b\\c/d\u{7f}é\u{2028}😀{controls}"),
            long: "x".repeat(100) + "\n" + &"y".repeat(70) + "\"",
            c: '"',
            floats: vec![1.5, f64::NAN, f64::INFINITY, 1e-7, 3.0],
            ints: (-8, u64::MAX, i128::MIN, u128::MAX),
            flag: false,
            none: None,
            unit: (),
            shapes: vec![
                Shape::Unit,
                Shape::Newtype(7),
                Shape::Tuple(-1, "t".into()),
                Shape::Struct { a: Some(2.25), b: vec![] },
                Shape::Struct { a: None, b: vec![1, 2] },
                Shape::EmptyStruct {},
            ],
            bytes: vec![0, 255],
            map: [(1, "one"), (20, "twenty")].into(),
            bool_keys: [(true, ())].into(),
            empty: vec![],
        };
        assert_eq!(ours(&all), serde_json::to_string_pretty(&all).unwrap());
    }

    /// What `decode --json` writes: sessions and reports of real captures, byte for byte.
    #[test]
    fn decoded_captures_are_written_as_serde_json_writes_them() {
        let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");
        for file in [
            "pcap/magma/dp_enb_tr069.pcap",
            "soap/freeacs/Inform.xml",
            "http-logs/magma/enodebd-baicells-qrtb.log",
        ] {
            let bytes = std::fs::read(format!("{corpus}/{file}")).unwrap();
            let options = cwmpkit_core::capture::Options::default();
            let (report, _) = cwmpkit_core::pipeline::analyze_parts(&bytes, &options);
            assert!(!report.sessions.is_empty(), "{file}");
            assert_eq!(ours(&report), serde_json::to_string_pretty(&report).unwrap(), "{file}");
        }
    }

    #[test]
    fn keys_json_cannot_hold_are_refused() {
        let map: std::collections::BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into();
        assert!(map.serialize(&mut Pretty::new(Vec::new())).is_err());
        assert!(serde_json::to_string_pretty(&map).is_err());
    }
}
