//! CSV output: flat serde rows, so columns cannot drift from the JSON names. Each row is
//! serialised through the JSON writer first (`json::compact`), so a CSV number is written by
//! the same rule as the JSON one, keyed by its column name (`figures::machine`).

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use std::io::{self, Write};

use serde::Serialize;
use serde_json::Value;

use super::json;
use super::table::path_line;
use crate::results::queries::ReachRow;

/// A CSV cell written by hand (model side files, the flat graph): quoted when it holds a
/// separator, a quote or a line break.
pub fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_cell(&mut out, s);
    out
}

/// [`cell`] appended to `out`, for text built row by row.
pub fn push_cell(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// A flat row's fields in their order, read back from its typed JSON.
struct Fields(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Fields, D::Error> {
        struct InOrder;
        impl<'de> Visitor<'de> for InOrder {
            type Value = Fields;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a flat row")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
                let mut fields = Vec::new();
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    fields.push(entry);
                }
                Ok(Fields(fields))
            }
        }
        d.deserialize_map(InOrder)
    }
}

/// A cell as CSV shows it: a string as itself, a number as JSON writes it, nothing for null.
fn cell_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Serialises rows with a header.
pub fn render_rows<T: Serialize>(rows: impl IntoIterator<Item = T>) -> String {
    let mut out = Vec::new();
    write_rows(&mut out, rows).expect("CSV rows serialise to memory");
    String::from_utf8(out).expect("CSV of UTF-8 strings is UTF-8")
}

/// [`render_rows`] written to `w` as the rows come (each row made, written and dropped in
/// turn), so a report with millions of rows is never held.
pub fn write_rows<T: Serialize>(
    w: &mut dyn Write,
    rows: impl IntoIterator<Item = T>,
) -> io::Result<usize> {
    let mut out = csv::Writer::from_writer(w);
    let mut written = 0;
    for row in rows {
        let Fields(fields) = serde_json::from_str(&json::compact(&row))
            .expect("a row's own JSON reads back as a flat row");
        if written == 0 {
            out.write_record(fields.iter().map(|(k, _)| k.as_str()))?;
        }
        out.write_record(fields.iter().map(|(_, v)| cell_text(v)))?;
        written += 1;
    }
    out.flush()?;
    Ok(written)
}

/// A lint warning as a CSV row.
#[derive(Debug, Serialize)]
pub struct DiagnosticRow<'a> {
    pub file: &'a str,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub severity: &'a str,
    pub message: &'a str,
}

/// One attack path as a CSV row.
#[derive(Debug, Serialize)]
pub struct PathRow {
    pub rank: usize,
    pub steps: usize,
    pub probability: f64,
    pub path: String,
}

/// One node of `who-can-reach` as a CSV row.
#[derive(Debug, Serialize)]
pub struct ReacherRow {
    pub id: String,
    pub kind: String,
    pub steps: u32,
    pub path: String,
}

/// One node of `who-can-reach --category` as a CSV row.
#[derive(Debug, Serialize)]
pub struct FocusReacherRow<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub records: u64,
    pub exposure: f64,
    pub steps: u32,
    pub path: String,
}

/// Rows with a header even when there are none (serde writes the header with the first row).
pub fn render_with_header<T: Serialize>(
    header: &[&str],
    rows: impl IntoIterator<Item = T>,
) -> String {
    let mut out = Vec::new();
    write_with_header(&mut out, header, rows).expect("CSV rows serialise to memory");
    String::from_utf8(out).expect("CSV of UTF-8 strings is UTF-8")
}

/// [`render_with_header`] written to `w` as the rows come.
pub fn write_with_header<T: Serialize>(
    w: &mut dyn Write,
    header: &[&str],
    rows: impl IntoIterator<Item = T>,
) -> io::Result<()> {
    if write_rows(w, rows)? == 0 {
        writeln!(w, "{}", header.join(","))?;
    }
    Ok(())
}

/// `who-can-reach`'s CSV: one row per reacher, written as each is made (a store most of a
/// million people reach has gigabytes of paths).
pub fn write_reachers(
    w: &mut dyn Write,
    reachers: impl IntoIterator<Item = ReachRow>,
) -> io::Result<()> {
    write_with_header(
        w,
        &["id", "kind", "steps", "path"],
        reachers.into_iter().map(|row| ReacherRow {
            path: path_line(&row.path),
            id: row.id,
            kind: row.kind,
            steps: row.steps,
        }),
    )
}

/// Serialises rows with a header and, after each row's own columns, extra columns by name
/// (`extra(i)` gives row `i`'s values in the order of `extra_header`): for columns a report has
/// one of per population, which a flat serde row cannot hold. Every number, the extra ones too,
/// goes through the JSON writer keyed by its column name, as in [`render_rows`].
pub fn render_rows_with<T: Serialize>(
    rows: &[T],
    extra_header: &[String],
    extra: impl Fn(usize) -> Vec<Option<f64>>,
) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for (i, row) in rows.iter().enumerate() {
        let Fields(mut fields) = serde_json::from_str(&json::compact(row))
            .expect("a row's own JSON reads back as a flat row");
        for (name, x) in extra_header.iter().zip(extra(i)) {
            // One column at a time through the JSON writer, so it is rounded by its name.
            let one = std::collections::BTreeMap::from([(name.as_str(), x)]);
            let Fields(cell) = serde_json::from_str(&json::compact(&one))
                .expect("a one-column row reads back as a flat row");
            fields.extend(cell);
        }
        if i == 0 {
            w.write_record(fields.iter().map(|(k, _)| k.as_str()))
                .expect("CSV rows serialise to memory");
        }
        w.write_record(fields.iter().map(|(_, v)| cell_text(v)))
            .expect("CSV rows serialise to memory");
    }
    String::from_utf8(w.into_inner().expect("in-memory writer flushes"))
        .expect("CSV of UTF-8 strings is UTF-8")
}
