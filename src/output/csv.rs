//! CSV output: flat serde rows, so columns cannot drift from the JSON names. A CSV number is
//! written by the same rule as the JSON one, keyed by its column name (`figures::machine`):
//! straight from the row's fields (`cells.rs`), or, for a row with an object in a field,
//! through the JSON writer (`json::compact`) and read back.

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use std::io::{self, Write};

use serde::Serialize;
use serde_json::Value;

use super::blocks::{write_in_order, ROWS_PER_BLOCK};
use super::cells::{Cells, Unflat};
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
    let mut cells = Cells::default();
    let mut written = 0;
    for row in rows {
        write_row(&mut out, &mut cells, &row, written == 0)?;
        written += 1;
    }
    out.flush()?;
    Ok(written)
}

/// [`write_rows`] of `count` rows, the i-th made by `row(i)`, rendered in blocks on every
/// thread and written in order (`blocks.rs`): the same bytes, for listings of a million rows.
pub fn write_rows_in_order<T: Serialize>(
    w: &mut dyn Write,
    count: usize,
    row: impl Fn(usize) -> T + Sync,
) -> io::Result<()> {
    let failed: std::sync::Mutex<Option<io::Error>> = Default::default();
    // Each block has a writer of its own, which checks the widths of its rows only.
    let width = match count {
        0 => 0,
        _ => write_row(
            &mut csv::Writer::from_writer(io::sink()),
            &mut Cells::default(),
            &row(0),
            false,
        )?,
    };
    write_in_order(w, count, ROWS_PER_BLOCK, |rows, buf| {
        let mut out = csv::Writer::from_writer(buf);
        let mut cells = Cells::default();
        let done = rows
            .into_iter()
            .try_for_each(
                |i| match write_row(&mut out, &mut cells, &row(i), i == 0)? {
                    n if n == width => Ok(()),
                    n => Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("CSV row {} has {n} columns, the first {width}", i + 1),
                    )),
                },
            )
            .and_then(|()| out.flush());
        if let Err(e) = done {
            failed
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get_or_insert(e);
        }
    })?;
    match failed.into_inner().unwrap_or_else(|p| p.into_inner()) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Writes `row`, after its header when `header`; gives its number of columns.
fn write_row<T: Serialize, W: Write>(
    out: &mut csv::Writer<W>,
    cells: &mut Cells,
    row: &T,
    header: bool,
) -> io::Result<usize> {
    match cells.read(row) {
        Ok(()) => {
            if header {
                out.write_record(cells.names())?;
            }
            out.write_record(cells.texts())?;
            Ok(cells.len())
        }
        // A field holding an object: the row's JSON, read back.
        Err(Unflat) => {
            let Fields(fields) = serde_json::from_str(&json::compact(row))
                .expect("a row's own JSON reads back as a flat row");
            if header {
                out.write_record(fields.iter().map(|(k, _)| k.as_str()))?;
            }
            out.write_record(fields.iter().map(|(_, v)| cell_text(v)))?;
            Ok(fields.len())
        }
    }
}

/// [`write_rows`] by the JSON round trip alone, which it must agree with (tests).
#[cfg(test)]
fn write_rows_by_json<T: Serialize>(rows: impl IntoIterator<Item = T>) -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    for (i, row) in rows.into_iter().enumerate() {
        let Fields(fields) = serde_json::from_str(&json::compact(&row)).unwrap();
        if i == 0 {
            out.write_record(fields.iter().map(|(k, _)| k.as_str()))
                .unwrap();
        }
        out.write_record(fields.iter().map(|(_, v)| cell_text(v)))
            .unwrap();
    }
    String::from_utf8(out.into_inner().unwrap()).unwrap()
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn direct<T: Serialize>(rows: impl IntoIterator<Item = T>) -> String {
        let mut out = Vec::new();
        write_rows(&mut out, rows).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[derive(Serialize, Clone)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        Account,
    }

    #[derive(Serialize, Clone)]
    struct Row {
        id: String,
        kind: Kind,
        exposure: f64,
        probability: f64,
        p_hit: f32,
        records: u64,
        change: i64,
        small: u8,
        flag: bool,
        letter: char,
        #[serde(skip_serializing_if = "Option::is_none")]
        loss: Option<f64>,
        maybe: Option<f64>,
        #[serde(flatten)]
        extra: BTreeMap<String, f64>,
    }

    fn row(x: f64) -> Row {
        Row {
            id: "a,\"b\"\nc".into(),
            kind: Kind::Account,
            exposure: x,
            probability: x / 7.0,
            p_hit: (x / 3.0) as f32,
            records: u64::MAX,
            change: -42,
            small: 7,
            flag: true,
            letter: 'é',
            loss: None,
            maybe: None,
            extra: BTreeMap::from([
                ("people:a\"probability".to_string(), x / 9.0),
                ("people:b".to_string(), x),
            ]),
        }
    }

    #[test]
    fn flat_rows_are_written_as_their_json_reads_back() {
        let xs = [
            0.0,
            -0.0,
            0.5,
            1.0 / 3.0,
            2.0 / 3.0,
            123456.789,
            -98765.4321,
            1e-12,
            8.9e15,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        let rows: Vec<Row> = xs.iter().map(|&x| row(x)).collect();
        let text = direct(&rows);
        assert_eq!(text, write_rows_by_json(&rows));
        assert!(text.starts_with(
            "id,kind,exposure,probability,p_hit,records,change,small,flag,letter,maybe,"
        ));
        assert!(text.contains("\"a,\"\"b\"\"\nc\",account,"), "{text}");
    }

    #[test]
    fn a_list_is_its_json_and_an_object_takes_the_round_trip() {
        #[derive(Serialize)]
        struct Listed {
            id: &'static str,
            ci95: Option<[f64; 2]>,
            p_range: Vec<f64>,
            mean: f64,
        }
        let rows = [
            Listed {
                id: "x",
                ci95: None,
                p_range: vec![],
                mean: 1.0 / 3.0,
            },
            Listed {
                id: "y",
                ci95: Some([0.1234567, 2.0]),
                p_range: vec![0.123456789, 1.0],
                mean: 2.5,
            },
        ];
        let text = direct(&rows);
        assert_eq!(text, write_rows_by_json(&rows));
        assert_eq!(
            text,
            "id,ci95,p_range,mean\nx,,[],0.333333\ny,\"[0.123457,2]\",\"[0.1235,1]\",2.5\n"
        );
        // The list's digits are the JSON's, where reading them back would change the last one.
        let huge = Listed {
            id: "z",
            ci95: Some([9.564774075912119e17, 1.234e-20]),
            p_range: vec![],
            mean: 0.0,
        };
        assert_eq!(
            direct([&huge]),
            "id,ci95,p_range,mean\nz,\"[9.564774075912119e+17,1.234e-20]\",[],0\n"
        );

        #[derive(Serialize)]
        struct Nested {
            id: &'static str,
            inner: BTreeMap<&'static str, f64>,
        }
        let nested = [Nested {
            id: "n",
            inner: BTreeMap::from([("b", 1.0 / 3.0), ("a", 2.0)]),
        }];
        assert_eq!(direct(&nested), write_rows_by_json(&nested));
        assert_eq!(
            direct(&nested),
            "id,inner\nn,\"{\"\"a\"\":2,\"\"b\"\":0.333333}\"\n"
        );
    }

    #[test]
    fn rows_rendered_in_blocks_are_the_rows_written_in_turn() {
        #[derive(Serialize)]
        struct Listed {
            id: String,
            mean: f64,
            ci95: Option<[f64; 2]>,
        }
        let row = |i: usize| Listed {
            id: format!("a,{i}"),
            mean: i as f64 / 7.0,
            ci95: (i % 500 == 3).then_some([0.5, i as f64]),
        };
        for count in [0, 1, 511, 512, 513, 5000] {
            let mut blocks = Vec::new();
            write_rows_in_order(&mut blocks, count, row).unwrap();
            assert_eq!(
                String::from_utf8(blocks).unwrap(),
                direct((0..count).map(row)),
                "{count} rows"
            );
        }
        // A row of another width is an error, not a ragged file or a panic: in the first
        // block, or in a later one.
        for (count, odd) in [(3, 1), (600, 550), (600, ROWS_PER_BLOCK)] {
            let mut out = Vec::new();
            let ragged = write_rows_in_order(&mut out, count, |i| {
                let width = if i == odd { 3 } else { 2 };
                BTreeMap::from_iter((0..width).map(|j| (format!("c{j}"), j as f64)))
            });
            let e = ragged.unwrap_err().to_string();
            let said = if odd != ROWS_PER_BLOCK {
                "found record with 3 fields, but the previous record has 2 fields".to_string()
            } else {
                format!("CSV row {} has 3 columns, the first 2", odd + 1)
            };
            assert!(e.contains(&said), "{e}");
        }
    }

    /// The number `x` as the JSON writer writes it under `name` (nothing for its null).
    fn json_number(name: &str, x: f64) -> String {
        let text = json::compact(&BTreeMap::from([(name, x)]));
        let token = &text[text.rfind(':').unwrap() + 1..text.len() - 1];
        if token == "null" {
            String::new()
        } else {
            token.to_string()
        }
    }

    #[test]
    fn a_number_past_the_whole_range_has_the_json_digits() {
        // Reading the JSON back (serde_json without `float_roundtrip`) gave 9.56477407591212e17
        // for this one: the CSV differed from the JSON in its last digit.
        for x in [9.564774075912119e17, 1.2345678901234567e16, 1.7e300] {
            let row = BTreeMap::from([("exposure", x)]);
            assert_eq!(
                direct([&row]),
                format!("exposure\n{}\n", json_number("exposure", x))
            );
        }
        assert_eq!(
            json_number("exposure", 9.564774075912119e17),
            "9.564774075912119e+17"
        );
    }

    proptest! {
        #[test]
        fn any_number_under_any_name_has_the_json_digits(
            x in any::<f64>(),
            scaled in -1e18f64..1e18,
            name in "(p|p_[a-z]{1,3}|[a-z]{1,8}|[a-z]{0,4}probability|\"p|p\\\\q)",
        ) {
            for v in [x, scaled, scaled / 1e9] {
                let row = BTreeMap::from([(name.clone(), v)]);
                let cell = json_number(&name, v);
                let header = csv_cell(&name);
                prop_assert_eq!(direct([&row]), format!("{header}\n{cell}\n"));
            }
        }
    }

    /// A header cell as the CSV writer quotes it.
    fn csv_cell(s: &str) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([s]).unwrap();
        String::from_utf8(w.into_inner().unwrap())
            .unwrap()
            .trim_end()
            .to_string()
    }
}
