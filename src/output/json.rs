//! JSON output: the result structs serialised, pretty-printed, with a final newline. Every
//! float goes through [`figures::machine`] on its way out, keyed by its field name, so numbers
//! are typed by what they mean: whole numbers without a decimal point, probabilities and
//! estimates rounded to what they support.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

use super::figures;

/// Pretty JSON of any result struct.
pub fn render<T: Serialize>(value: &T) -> String {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Typed::new(true));
    value
        .serialize(&mut ser)
        .expect("result structs always serialise");
    let mut s = String::from_utf8(out).expect("serde_json writes UTF-8");
    s.push('\n');
    s
}

/// [`render`] written into `w` as it is made, for reports too large to hold as one string
/// (`who-can-reach` at a million people): the same bytes, final newline included.
pub fn write_to<T: Serialize>(w: &mut dyn io::Write, value: &T) -> io::Result<()> {
    // The serialiser writes token by token: a buffer of its own type keeps those writes inlined
    // instead of each going through `w`'s vtable.
    let mut buffered = io::BufWriter::with_capacity(1 << 16, w);
    let mut ser = serde_json::Serializer::with_formatter(&mut buffered, Typed::new(true));
    value.serialize(&mut ser).map_err(io::Error::from)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}

/// Compact JSON with the same typed numbers, for the CSV rows (`csv.rs`).
pub(super) fn compact<T: Serialize>(value: &T) -> String {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Typed::new(false));
    value
        .serialize(&mut ser)
        .expect("result structs always serialise");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// A formatter that remembers the key of the value being written (the innermost object's
/// current key; an array's elements share their array's key) and writes each float through
/// [`figures::machine`].
struct Typed<'a> {
    pretty: Option<PrettyFormatter<'a>>,
    /// One key per open object, innermost last; `keys[depth..]` are spare buffers kept so a
    /// report of millions of objects does not allocate a key for each.
    keys: Vec<String>,
    depth: usize,
    in_key: bool,
}

impl Typed<'_> {
    fn new(pretty: bool) -> Self {
        Typed {
            pretty: pretty.then(PrettyFormatter::new),
            keys: Vec::new(),
            depth: 0,
            in_key: false,
        }
    }
}

impl Typed<'_> {
    /// The key of the innermost open object.
    fn current_key(&mut self) -> Option<&mut String> {
        let d = self.depth.checked_sub(1)?;
        self.keys.get_mut(d)
    }
}

/// Calls the pretty formatter's method when pretty, the default (compact) one otherwise.
macro_rules! layout {
    ($name:ident $(, $arg:ident: $ty:ty)*) => {
        fn $name<W: ?Sized + io::Write>(&mut self, w: &mut W $(, $arg: $ty)*) -> io::Result<()> {
            match &mut self.pretty {
                Some(p) => p.$name(w $(, $arg)*),
                None => serde_json::ser::CompactFormatter.$name(w $(, $arg)*),
            }
        }
    };
}

impl Formatter for Typed<'_> {
    layout!(begin_array);
    layout!(end_array);
    layout!(begin_array_value, first: bool);
    layout!(end_array_value);
    layout!(begin_object_value);
    layout!(end_object_value);

    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        if self.depth == self.keys.len() {
            self.keys.push(String::new());
        }
        self.keys[self.depth].clear();
        self.depth += 1;
        match &mut self.pretty {
            Some(p) => p.begin_object(w),
            None => w.write_all(b"{"),
        }
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        match &mut self.pretty {
            Some(p) => p.end_object(w),
            None => w.write_all(b"}"),
        }
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.in_key = true;
        if let Some(k) = self.current_key() {
            k.clear();
        }
        match &mut self.pretty {
            Some(p) => p.begin_object_key(w, first),
            None => serde_json::ser::CompactFormatter.begin_object_key(w, first),
        }
    }

    fn end_object_key<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.in_key = false;
        Ok(())
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        if self.in_key {
            if let Some(k) = self.current_key() {
                k.push_str(fragment);
            }
        }
        w.write_all(fragment.as_bytes())
    }

    fn write_f64<W: ?Sized + io::Write>(&mut self, w: &mut W, value: f64) -> io::Result<()> {
        let key = match self.depth {
            0 => "",
            d => self.keys[d - 1].as_str(),
        };
        let v = figures::machine(key, value);
        if figures::is_whole(v) {
            self.write_i64(w, v as i64)
        } else {
            serde_json::ser::CompactFormatter.write_f64(w, v)
        }
    }

    fn write_f32<W: ?Sized + io::Write>(&mut self, w: &mut W, value: f32) -> io::Result<()> {
        self.write_f64(w, f64::from(value))
    }
}
