//! A flat row's CSV cells, read straight from its serde fields. Each cell is the text the row's
//! own JSON would give it (`csv.rs` reads that JSON back): a number by [`figures::machine`] under
//! its column name, a string as itself, nothing for a missing value. Written this way, a sweep of
//! a million accounts is not a million JSON texts made and parsed again.
//!
//! A field holding a list is its compact JSON. A row with an object in a field is [`Unflat`],
//! and `csv.rs` takes the JSON round trip for it.

use std::fmt;

use serde::ser::{self, Impossible, Serialize};
use serde_json::ser::{CompactFormatter, Formatter};

use super::figures;

/// A row that is not one value per column.
#[derive(Debug)]
pub struct Unflat;

impl fmt::Display for Unflat {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field is not a single value")
    }
}

impl std::error::Error for Unflat {}

impl ser::Error for Unflat {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Unflat
    }
}

/// One row's column names and cells, in field order. Its buffers are kept from row to row.
#[derive(Debug, Default)]
pub struct Cells {
    names: Vec<String>,
    texts: Vec<String>,
    len: usize,
}

impl Cells {
    /// Reads `row`'s cells; [`Unflat`] when a field is not a single value.
    pub fn read<T: Serialize + ?Sized>(&mut self, row: &T) -> Result<(), Unflat> {
        self.len = 0;
        row.serialize(RowSerializer { cells: self })
    }

    /// Cells read.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names[..self.len].iter().map(String::as_str)
    }

    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.texts[..self.len].iter().map(String::as_str)
    }

    /// A new cell, its name and text empty: their buffers.
    fn push(&mut self) -> (&mut String, &mut String) {
        if self.len == self.names.len() {
            self.names.push(String::new());
            self.texts.push(String::new());
        }
        let i = self.len;
        self.len += 1;
        self.names[i].clear();
        self.texts[i].clear();
        (&mut self.names[i], &mut self.texts[i])
    }

    /// The last cell's value, written from `value`: a list as its compact JSON (which is what
    /// the JSON read back shows for it); an object is [`Unflat`].
    fn fill<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unflat> {
        let i = self.len.checked_sub(1).ok_or(Unflat)?;
        let name = &self.names[i];
        let one = value.serialize(CellSerializer {
            key: &json_key(name),
            text: &mut self.texts[i],
        });
        if one.is_ok() {
            return Ok(());
        }
        let json = super::json::compact_under(name, value);
        if !json.starts_with('[') {
            return Err(Unflat);
        }
        self.texts[i].clear();
        self.texts[i].push_str(&json);
        Ok(())
    }
}

/// The key the JSON writer types a value by: the column name without the characters JSON
/// escapes (its formatter sees only the unescaped stretches of a key).
fn json_key(name: &str) -> std::borrow::Cow<'_, str> {
    let escaped = |c: char| c == '"' || c == '\\' || c < ' ';
    match name.contains(escaped) {
        false => name.into(),
        true => name
            .chars()
            .filter(|&c| !escaped(c))
            .collect::<String>()
            .into(),
    }
}

/// The row itself: a struct or a map with string keys.
struct RowSerializer<'a> {
    cells: &'a mut Cells,
}

/// A struct's fields, or a map's entries (a row with `#[serde(flatten)]` is a map).
struct Fields<'a> {
    cells: &'a mut Cells,
}

impl ser::SerializeStruct for Fields<'_> {
    type Ok = ();
    type Error = Unflat;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unflat> {
        self.cells.push().0.push_str(key);
        self.cells.fill(value)
    }
    fn end(self) -> Result<(), Unflat> {
        Ok(())
    }
}

impl ser::SerializeMap for Fields<'_> {
    type Ok = ();
    type Error = Unflat;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unflat> {
        key.serialize(KeySerializer {
            name: self.cells.push().0,
        })
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unflat> {
        self.cells.fill(value)
    }
    fn end(self) -> Result<(), Unflat> {
        Ok(())
    }
}

/// Every serde shape a row, a key or a cell cannot be.
macro_rules! unflat {
    ($($method:ident($($arg:ty),*) -> $ret:ty;)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<$ret, Unflat> {
            Err(Unflat)
        })*
    };
}

/// The single values a row or a key cannot be, but a string: each is `Unflat`.
macro_rules! no_scalars {
    () => {
        unflat! {
            serialize_bool(bool) -> ();
            serialize_i8(i8) -> ();
            serialize_i16(i16) -> ();
            serialize_i32(i32) -> ();
            serialize_i64(i64) -> ();
            serialize_u8(u8) -> ();
            serialize_u16(u16) -> ();
            serialize_u32(u32) -> ();
            serialize_u64(u64) -> ();
            serialize_f32(f32) -> ();
            serialize_f64(f64) -> ();
            serialize_none() -> ();
            serialize_unit() -> ();
            serialize_unit_struct(&'static str) -> ();
            serialize_unit_variant(&'static str, u32, &'static str) -> ();
        }
    };
}

/// Whole numbers, each written as itself.
macro_rules! whole_numbers {
    ($($method:ident($arg:ty);)*) => {
        $(fn $method(self, v: $arg) -> Result<(), Unflat> {
            self.whole(v)
        })*
    };
}

/// The compound shapes no key or cell can be: each is `Unflat`.
macro_rules! no_compounds {
    () => {
        type SerializeSeq = Impossible<(), Unflat>;
        type SerializeTuple = Impossible<(), Unflat>;
        type SerializeTupleStruct = Impossible<(), Unflat>;
        type SerializeTupleVariant = Impossible<(), Unflat>;
        type SerializeMap = Impossible<(), Unflat>;
        type SerializeStruct = Impossible<(), Unflat>;
        type SerializeStructVariant = Impossible<(), Unflat>;
        unflat! {
            serialize_bytes(&[u8]) -> ();
            serialize_i128(i128) -> ();
            serialize_u128(u128) -> ();
            serialize_seq(Option<usize>) -> Self::SerializeSeq;
            serialize_tuple(usize) -> Self::SerializeTuple;
            serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
            serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
            serialize_map(Option<usize>) -> Self::SerializeMap;
            serialize_struct(&'static str, usize) -> Self::SerializeStruct;
            serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
        }
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<(), Unflat> {
            Err(Unflat)
        }
    };
}

impl<'a> ser::Serializer for RowSerializer<'a> {
    type Ok = ();
    type Error = Unflat;
    type SerializeSeq = Impossible<(), Unflat>;
    type SerializeTuple = Impossible<(), Unflat>;
    type SerializeTupleStruct = Impossible<(), Unflat>;
    type SerializeTupleVariant = Impossible<(), Unflat>;
    type SerializeMap = Fields<'a>;
    type SerializeStruct = Fields<'a>;
    type SerializeStructVariant = Impossible<(), Unflat>;

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Fields<'a>, Unflat> {
        Ok(Fields { cells: self.cells })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Fields<'a>, Unflat> {
        Ok(Fields { cells: self.cells })
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Unflat> {
        value.serialize(self)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Unflat> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Unflat> {
        Err(Unflat)
    }
    no_scalars!();
    unflat! {
        serialize_char(char) -> ();
        serialize_str(&str) -> ();
        serialize_bytes(&[u8]) -> ();
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }
}

/// A map key, written into the column name: a string (JSON's keys are strings; a row keyed
/// otherwise takes the round trip).
struct KeySerializer<'a> {
    name: &'a mut String,
}

impl ser::Serializer for KeySerializer<'_> {
    type Ok = ();
    type Error = Unflat;
    no_compounds!();

    fn serialize_str(self, v: &str) -> Result<(), Unflat> {
        self.name.push_str(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Unflat> {
        self.name.push(v);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Unflat> {
        value.serialize(self)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), Unflat> {
        Err(Unflat)
    }
    no_scalars!();
}

/// One cell's value, written as the JSON read back shows it (`csv.rs`, `cell_text`).
struct CellSerializer<'a> {
    /// What the JSON writer would type a number by.
    key: &'a str,
    text: &'a mut String,
}

impl CellSerializer<'_> {
    fn whole(self, v: impl fmt::Display) -> Result<(), Unflat> {
        use fmt::Write;
        write!(self.text, "{v}").map_err(|_| Unflat)
    }
}

impl ser::Serializer for CellSerializer<'_> {
    type Ok = ();
    type Error = Unflat;
    no_compounds!();

    fn serialize_bool(self, v: bool) -> Result<(), Unflat> {
        self.text.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    whole_numbers! {
        serialize_i8(i8);
        serialize_i16(i16);
        serialize_i32(i32);
        serialize_i64(i64);
        serialize_u8(u8);
        serialize_u16(u16);
        serialize_u32(u32);
        serialize_u64(u64);
    }
    fn serialize_f32(self, v: f32) -> Result<(), Unflat> {
        if !v.is_finite() {
            return Ok(()); // JSON's null
        }
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Unflat> {
        if !v.is_finite() {
            return Ok(()); // JSON's null
        }
        let v = figures::machine(self.key, v);
        if figures::is_whole(v) {
            return self.whole(v as i64);
        }
        // The JSON writer's own digits (the shortest that read back as `v`).
        let mut digits = [0u8; 32];
        let mut rest = &mut digits[..];
        CompactFormatter
            .write_f64(&mut rest, v)
            .map_err(|_| Unflat)?;
        let written = 32 - rest.len();
        self.text
            .push_str(std::str::from_utf8(&digits[..written]).map_err(|_| Unflat)?);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Unflat> {
        self.text.push(v);
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Unflat> {
        self.text.push_str(v);
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Unflat> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Unflat> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Unflat> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Unflat> {
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Unflat> {
        self.text.push_str(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Unflat> {
        value.serialize(self)
    }
}
