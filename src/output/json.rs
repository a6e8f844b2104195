//! JSON output: the result structs serialised, pretty-printed, with a final newline. Every
//! float goes through [`figures::machine`] on its way out, keyed by its field name, so numbers
//! are typed by what they mean: whole numbers without a decimal point, probabilities and
//! estimates rounded to what they support.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter;

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

/// Pretty JSON of `value` as it is written `indent` levels deep in a document.
pub(super) fn write_at<T: Serialize + ?Sized>(
    w: &mut dyn io::Write,
    indent: usize,
    value: &T,
) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(w, Typed::pretty_at(indent));
    value.serialize(&mut ser).map_err(io::Error::from)
}

/// A number as a field named `key` holds it ([`figures::machine`]).
pub(super) fn write_number(w: &mut dyn io::Write, key: &str, value: f64) -> io::Result<()> {
    let v = figures::machine(key, value);
    if figures::is_whole(v) {
        serde_json::ser::CompactFormatter.write_i64(w, v as i64)
    } else {
        serde_json::ser::CompactFormatter.write_f64(w, v)
    }
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

/// The compact JSON of `value` as a field named `key` holds it (its numbers typed by that
/// name), for a CSV cell holding a list (`cells.rs`).
pub(super) fn compact_under<T: Serialize + ?Sized>(key: &str, value: &T) -> String {
    let field = compact(&std::collections::BTreeMap::from([(key, value)]));
    let opening = 1 + compact(&key).len() + 1; // `{"key":`
    field[opening..field.len() - 1].to_string()
}

/// A formatter that remembers the key of the value being written (the innermost object's
/// current key; an array's elements share their array's key) and writes each float through
/// [`figures::machine`]. Pretty, it lays out exactly as serde_json's `PrettyFormatter` with its
/// two-space indent, but writes each line break and its indent as one slice (the pretty
/// printer writes the indent two bytes at a time, a fifth of a deep report's time).
struct Typed {
    pretty: bool,
    /// Open arrays and objects (the pretty indent, in levels).
    indent: usize,
    /// Whether the innermost open array or object has a value yet (pretty).
    has_value: bool,
    /// One key per open object, innermost last; `keys[depth..]` are spare buffers kept so a
    /// report of millions of objects does not allocate a key for each.
    keys: Vec<String>,
    depth: usize,
    in_key: bool,
}

/// A comma, a line break and the deepest indent written at once; shallower ones are its
/// prefixes (from byte 1 without the comma).
const BREAKS: [u8; 2 + 2 * 64] = {
    let mut b = [b' '; 2 + 2 * 64];
    (b[0], b[1]) = (b',', b'\n');
    b
};

/// A line break (after a comma unless `first`) and the indent of `indent` levels, as the
/// pretty printer writes them before an array element or an object key (and, `first`, before
/// the closing bracket of an array or object that holds anything).
pub(super) fn line_break<W: ?Sized + io::Write>(
    w: &mut W,
    indent: usize,
    first: bool,
) -> io::Result<()> {
    let from = usize::from(first);
    let mut width = 2 * indent;
    let fits = width.min(BREAKS.len() - 2);
    w.write_all(&BREAKS[from..2 + fits])?;
    width -= fits;
    while width > 0 {
        let more = width.min(BREAKS.len() - 2);
        w.write_all(&BREAKS[2..2 + more])?;
        width -= more;
    }
    Ok(())
}

impl Typed {
    fn new(pretty: bool) -> Self {
        Typed {
            pretty,
            indent: 0,
            has_value: false,
            keys: Vec::new(),
            depth: 0,
            in_key: false,
        }
    }

    /// A pretty formatter for a value written `indent` levels deep in a document.
    fn pretty_at(indent: usize) -> Self {
        Typed {
            indent,
            ..Typed::new(true)
        }
    }

    /// The key of the innermost open object.
    fn current_key(&mut self) -> Option<&mut String> {
        let d = self.depth.checked_sub(1)?;
        self.keys.get_mut(d)
    }

    /// A line break (after a comma unless `first`) and the indent of the current level.
    fn line<W: ?Sized + io::Write>(&self, w: &mut W, first: bool) -> io::Result<()> {
        line_break(w, self.indent, first)
    }

    /// Opens an array or object with its bracket.
    fn open<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.indent += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    /// Closes an array or object: on a line of its own when it held anything (pretty).
    fn close<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.indent -= 1;
        if self.pretty && self.has_value {
            self.line(w, true)?;
        }
        w.write_all(bracket)
    }

    /// Before an array element or an object key.
    fn item<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        match (self.pretty, first) {
            (true, _) => self.line(w, first),
            (false, true) => Ok(()),
            (false, false) => w.write_all(b","),
        }
    }
}

impl Formatter for Typed {
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        if self.depth == self.keys.len() {
            self.keys.push(String::new());
        }
        self.keys[self.depth].clear();
        self.depth += 1;
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        self.close(w, b"}")
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
        self.item(w, first)
    }

    fn end_object_key<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.in_key = false;
        Ok(())
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(if self.pretty { b": " } else { b":" })
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
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

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    /// Objects in arrays in objects, empty ones, strings to escape, and nesting deeper than
    /// the formatter's one-slice indent (64 levels).
    fn sample() -> Value {
        let mut deep = json!({"leaf": [1, 2, {}], "none": []});
        for level in 0..70 {
            deep = json!({ "level": level, "inner": [deep, "x\"y\\z", null, true] });
        }
        json!({ "a": [], "b": {}, "c": [{ "d": [[], [{}], 3] }], "deep": deep, "half": 0.5 })
    }

    #[test]
    fn a_value_under_a_key_is_typed_by_it_whatever_the_key() {
        use crate::output::json::compact_under;
        for key in ["mean", "a\"b\\c", "é,\n", ""] {
            assert_eq!(
                compact_under(key, &[1.0 / 3.0, 2.0]),
                "[0.333333,2]",
                "{key:?}"
            );
        }
        assert_eq!(compact_under("probability", &[1.0 / 3.0]), "[0.3333]");
        assert_eq!(compact_under("p", &json!({"x": [1]})), "{\"x\":[1]}");
    }

    #[test]
    fn the_layout_is_serde_jsons_own() {
        let v = sample();
        let mut pretty = serde_json::to_string_pretty(&v).unwrap();
        pretty.push('\n');
        assert_eq!(crate::output::json::render(&v), pretty);
        assert_eq!(
            crate::output::json::compact(&v),
            serde_json::to_string(&v).unwrap()
        );
        let mut streamed = Vec::new();
        crate::output::json::write_to(&mut streamed, &v).unwrap();
        assert_eq!(String::from_utf8(streamed).unwrap(), pretty);
    }
}
