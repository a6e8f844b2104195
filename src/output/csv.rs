//! CSV output: flat serde rows, so columns cannot drift from the JSON names.

use serde::Serialize;

/// A CSV cell written by hand (model side files, the flat graph): quoted when it holds a
/// separator, a quote or a line break.
pub fn cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Serialises rows with a header.
pub fn render_rows<T: Serialize>(rows: impl IntoIterator<Item = T>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.serialize(row).expect("CSV rows serialise to memory");
    }
    String::from_utf8(w.into_inner().expect("in-memory writer flushes"))
        .expect("CSV of UTF-8 strings is UTF-8")
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
pub struct ReacherRow<'a> {
    pub id: &'a str,
    pub kind: &'a str,
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
    let body = render_rows(rows);
    if body.is_empty() {
        format!("{}\n", header.join(","))
    } else {
        body
    }
}
