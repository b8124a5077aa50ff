//! How one element of a CWMP structure is read and written. The table in `schema.rs` names each
//! element once, with the codec of its kind (text and its facets, a number and its range, a
//! boolean, a nested structure, an array and its occurrences); the decoder, the encoder, the
//! facet checks and the wire names all follow from that one line.

use super::decode::{read_bool, read_number};
use super::encode::{
    Writer, encode_value, fault_struct as write_fault, operation as write_operation,
};
use super::facets::{Facet, Occurs, Range};
use super::messages::{array, fault_struct, op_results, operations, unexpected, value};
use super::reader::{Element, Reader, Result};
use super::schema::{FaultStruct, OpResultStruct, Operation, Text, Value};

/// A structure of the table: its elements are read in any order (unknown ones are reported and
/// skipped), and written in the order the schema gives.
pub(crate) trait Structure: Default {
    /// Reads one child element into its field; false when the structure has no such element.
    fn read_field<'i>(&mut self, reader: &mut Reader<'i>, child: &Element<'i>) -> Result<bool>;

    /// Writes the fields, in schema order.
    fn write_fields(&self, w: &mut Writer);

    fn decode(reader: &mut Reader<'_>) -> Result<Self> {
        let mut value = Self::default();
        reader.children(|reader, child| {
            if !value.read_field(reader, &child)? {
                unexpected(reader, &child)?;
            }
            Ok(())
        })?;
        Ok(value)
    }
}

/// Reads and writes one kind of element for a field of type `T`.
pub(crate) trait FieldCodec<T> {
    fn read<'i>(&self, reader: &mut Reader<'i>, child: &Element<'i>, slot: &mut T) -> Result<()>;
    fn write(&self, w: &mut Writer, name: &'static str, value: &T);
}

/// A text element and the facets its value must meet.
pub(crate) struct Str(pub &'static [Facet]);

impl FieldCodec<String> for Str {
    fn read<'i>(&self, reader: &mut Reader<'i>, _: &Element<'i>, slot: &mut String) -> Result<()> {
        *slot = reader.text()?;
        Ok(())
    }
    fn write(&self, w: &mut Writer, name: &'static str, value: &String) {
        w.text_in(name, value, self.0);
    }
}

/// Parameter names: shared with the body they were read from (no allocation each).
impl FieldCodec<Text> for Str {
    fn read<'i>(&self, reader: &mut Reader<'i>, _: &Element<'i>, slot: &mut Text) -> Result<()> {
        *slot = reader.text_shared()?;
        Ok(())
    }
    fn write(&self, w: &mut Writer, name: &'static str, value: &Text) {
        w.text_in(name, value, self.0);
    }
}

/// An element with `minOccurs="0"`: absent is `None`, and nothing is written.
impl FieldCodec<Option<String>> for Str {
    fn read<'i>(
        &self,
        reader: &mut Reader<'i>,
        _: &Element<'i>,
        slot: &mut Option<String>,
    ) -> Result<()> {
        *slot = Some(reader.text()?);
        Ok(())
    }
    fn write(&self, w: &mut Writer, name: &'static str, value: &Option<String>) {
        if let Some(value) = value {
            w.text_in(name, value, self.0);
        }
    }
}

/// An integer element, and the range its schema gives it (none beyond its type's).
pub(crate) struct Num(pub Option<Range>);

impl<T> FieldCodec<T> for Num
where
    T: std::str::FromStr + Default + Copy + Into<i64>,
{
    fn read<'i>(&self, reader: &mut Reader<'i>, child: &Element<'i>, slot: &mut T) -> Result<()> {
        *slot = read_number(reader, child)?;
        Ok(())
    }
    fn write(&self, w: &mut Writer, name: &'static str, value: &T) {
        match self.0 {
            Some(range) => w.number_in(name, *value, range),
            None => w.number(name, (*value).into()),
        }
    }
}

/// An `xsd:boolean` element.
pub(crate) struct Bool;

impl FieldCodec<bool> for Bool {
    fn read<'i>(
        &self,
        reader: &mut Reader<'i>,
        child: &Element<'i>,
        slot: &mut bool,
    ) -> Result<()> {
        *slot = read_bool(reader, child)?;
        Ok(())
    }
    fn write(&self, w: &mut Writer, name: &'static str, value: &bool) {
        w.boolean(name, *value);
    }
}

/// A structure inside a structure.
pub(crate) struct Nested;

impl<T: Structure> FieldCodec<T> for Nested {
    fn read<'i>(&self, reader: &mut Reader<'i>, _: &Element<'i>, slot: &mut T) -> Result<()> {
        *slot = T::decode(reader)?;
        Ok(())
    }
    fn write(&self, w: &mut Writer, name: &'static str, value: &T) {
        w.structure(name, |w| value.write_fields(w));
    }
}

/// A SOAP-encoded array of structures: the items' element name, the `arrayType` QName, and how
/// many items the schema allows.
pub(crate) struct List(pub &'static str, pub &'static str, pub Occurs);

impl<T: Structure> FieldCodec<Vec<T>> for List {
    fn read<'i>(
        &self,
        reader: &mut Reader<'i>,
        child: &Element<'i>,
        slot: &mut Vec<T>,
    ) -> Result<()> {
        *slot = array(reader, child, self.0, |reader, _| T::decode(reader))?;
        Ok(())
    }
    fn write(&self, w: &mut Writer, name: &'static str, value: &Vec<T>) {
        let List(item, item_type, occurs) = *self;
        w.array(name, item_type, occurs, value, |w, each| {
            w.structure(item, |w| each.write_fields(w));
        });
    }
}

/// A SOAP-encoded array of strings: the items' element name and `arrayType` QName, how many
/// items the schema allows, and each item's facets.
pub(crate) struct Strings(pub &'static str, pub &'static str, pub Occurs, pub &'static [Facet]);

/// Parameter names: each shared with the body it was read from (no allocation each).
impl FieldCodec<Vec<Text>> for Strings {
    fn read<'i>(
        &self,
        reader: &mut Reader<'i>,
        child: &Element<'i>,
        slot: &mut Vec<Text>,
    ) -> Result<()> {
        *slot = array(reader, child, self.0, |reader, _| reader.text_shared())?;
        Ok(())
    }
    fn write(&self, w: &mut Writer, name: &'static str, value: &Vec<Text>) {
        let Strings(item, item_type, occurs, facets) = *self;
        w.array(name, item_type, occurs, value, |w, each| w.text_in(item, each, facets));
    }
}

impl FieldCodec<Vec<String>> for Strings {
    fn read<'i>(
        &self,
        reader: &mut Reader<'i>,
        child: &Element<'i>,
        slot: &mut Vec<String>,
    ) -> Result<()> {
        *slot = array(reader, child, self.0, |reader, _| reader.text())?;
        Ok(())
    }
    fn write(&self, w: &mut Writer, name: &'static str, value: &Vec<String>) {
        let Strings(item, item_type, occurs, facets) = *self;
        w.array(name, item_type, occurs, value, |w, each| w.text_in(item, each, facets));
    }
}

/// A structure element that repeats without an array around it: each occurrence is one item.
pub(crate) struct Repeated;

impl<T: Structure> FieldCodec<Vec<T>> for Repeated {
    fn read<'i>(&self, reader: &mut Reader<'i>, _: &Element<'i>, slot: &mut Vec<T>) -> Result<()> {
        slot.push(T::decode(reader)?);
        Ok(())
    }
    fn write(&self, w: &mut Writer, name: &'static str, value: &Vec<T>) {
        for each in value {
            w.structure(name, |w| each.write_fields(w));
        }
    }
}

/// A parameter `Value`: its `xsi:type` and text.
pub(crate) struct Typed;

impl FieldCodec<Value> for Typed {
    fn read<'i>(
        &self,
        reader: &mut Reader<'i>,
        child: &Element<'i>,
        slot: &mut Value,
    ) -> Result<()> {
        *slot = value(reader, child)?;
        Ok(())
    }
    fn write(&self, w: &mut Writer, name: &'static str, value: &Value) {
        encode_value(w, name, value);
    }
}

/// A `FaultStruct`, and the fault codes its context allows.
pub(crate) struct Fault(pub Range);

impl FieldCodec<FaultStruct> for Fault {
    fn read<'i>(
        &self,
        reader: &mut Reader<'i>,
        _: &Element<'i>,
        slot: &mut FaultStruct,
    ) -> Result<()> {
        *slot = fault_struct(reader)?;
        Ok(())
    }
    fn write(&self, w: &mut Writer, name: &'static str, value: &FaultStruct) {
        write_fault(w, name, value, self.0);
    }
}

/// The `Results` of a deployment-unit change, each occurrence one or more results; the
/// autonomous form also says which operation was performed.
pub(crate) struct Results {
    pub autonomous: bool,
}

impl FieldCodec<Vec<OpResultStruct>> for Results {
    fn read<'i>(
        &self,
        reader: &mut Reader<'i>,
        child: &Element<'i>,
        slot: &mut Vec<OpResultStruct>,
    ) -> Result<()> {
        slot.extend(op_results(reader, child)?);
        Ok(())
    }
    fn write(&self, w: &mut Writer, name: &'static str, value: &Vec<OpResultStruct>) {
        w.count_in(name, value.len(), Occurs { min: 1, max: None });
        for result in value {
            // OperationPerformed belongs to the autonomous form only, and is required there.
            let performed =
                self.autonomous.then(|| result.operation_performed.clone().unwrap_or_default());
            if performed == result.operation_performed {
                w.structure(name, |w| result.write_fields(w));
            } else {
                let adjusted = OpResultStruct { operation_performed: performed, ..result.clone() };
                w.structure(name, |w| adjusted.write_fields(w));
            }
        }
    }
}

/// The `Operations` of ChangeDUState: each occurrence one operation, its kind its `xsi:type`.
pub(crate) struct Operations;

impl FieldCodec<Vec<Operation>> for Operations {
    fn read<'i>(
        &self,
        reader: &mut Reader<'i>,
        child: &Element<'i>,
        slot: &mut Vec<Operation>,
    ) -> Result<()> {
        slot.extend(operations(reader, child)?);
        Ok(())
    }
    fn write(&self, w: &mut Writer, name: &'static str, value: &Vec<Operation>) {
        w.count_in(name, value.len(), Occurs { min: 1, max: None });
        for operation in value {
            write_operation(w, name, operation);
        }
    }
}

/// Declares CWMP structures: each field with its element name and codec, in schema order.
/// Generates the struct, its [`Structure`] reader and writer, and its part of the wire names.
macro_rules! structures {
    ($(
        $(#[$meta:meta])*
        struct $name:ident {
            $( $(#[$field_meta:meta])* $field:ident : $ty:ty = $wire:literal => $codec:expr ),* $(,)?
        }
    )*) => {
        $(
            $(#[$meta])*
            #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
            pub struct $name {
                $( $(#[$field_meta])* pub $field: $ty, )*
            }

            impl $crate::cwmp::fields::Structure for $name {
                fn read_field<'i>(
                    &mut self,
                    reader: &mut $crate::cwmp::reader::Reader<'i>,
                    child: &$crate::cwmp::reader::Element<'i>,
                ) -> $crate::cwmp::reader::Result<bool> {
                    use $crate::cwmp::fields::FieldCodec as _;
                    match child.local() {
                        $( $wire => $codec.read(reader, child, &mut self.$field)?, )*
                        _ => return Ok(false),
                    }
                    Ok(true)
                }

                fn write_fields(&self, w: &mut $crate::cwmp::encode::Writer) {
                    use $crate::cwmp::fields::FieldCodec as _;
                    $( $codec.write(w, $wire, &self.$field); )*
                }
            }
        )*

        /// The element name of a field of the table's structures (`oui` → `OUI`).
        pub fn wire_name(field: &str) -> Option<&'static str> {
            WIRE_NAMES.iter().find(|(rust, _)| *rust == field).map(|(_, wire)| *wire)
        }

        /// Every (field, element name) pair of the table, for [`wire_name`] and its tests.
        pub(crate) const WIRE_NAMES: &[(&str, &str)] = &[ $( $( (stringify!($field), $wire), )* )* ];
    };
}

pub(crate) use structures;
