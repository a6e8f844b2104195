//! Reading the CSV side files of a model (DESIGN.md "Other formats"): large models keep
//! people, accounts, groups, memberships, grants, stores and record sets in CSV files beside
//! `model.toml`, named in its `[csv]` table (the tables are described in `side_tables.rs`).
//! Each row becomes, one at a time, the same raw entry a TOML file gives, with its file, line
//! and column, so validation and messages are the same for both; rows are parsed while the
//! model is built and never all held at once.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use toml::Spanned;

use super::side_tables::{side_table, Row, SideTable, SIDE_TABLES};
use super::source::{Problems, Report, Source};
use crate::error::did_you_mean;

/// A side file whose header has been checked: its table, the global offset of its text and
/// the position of each allowed column in its header.
pub(super) struct SideFile {
    pub(super) table: &'static SideTable,
    base: usize,
    text: Arc<String>,
    /// Whether the text holds a quote anywhere (then the csv crate reads it).
    quoted: bool,
    /// Bounds on its rows and list items, to size lists once instead of growing them.
    pub(super) size: PieceSize,
    positions: Vec<usize>,
    /// Cells in the header (every row must have as many).
    width: usize,
}

/// The order side tables are read in: nodes before the rows that refer to them, a store's own
/// row (its retention) before its record sets.
pub(super) const READ_ORDER: [&str; 11] = [
    "person",
    "account",
    "group",
    "membership",
    "system",
    "access",
    "store",
    "records",
    "grant",
    "edge",
    "flow",
];

/// Reads every side file named in `[csv]` from `dir` into `src` and checks its header. Rows are
/// not kept: [`for_each_row`] parses them when the model is built, so a large model never holds
/// its rows twice.
pub(super) fn open_side_files(
    files: std::collections::BTreeMap<String, Spanned<String>>,
    src: &mut Source,
    dir: &Path,
    shown_dir: &str,
) -> Vec<SideFile> {
    // Read on all threads: a large model's files are megabytes each, and most of reading one
    // is the first touch of the memory it is read into.
    let mut read: Vec<Option<std::io::Result<String>>> = files
        .par_iter()
        .map(|(table, file)| {
            side_table(table).map(|_| crate::load::input::read_text(&dir.join(file.get_ref())))
        })
        .collect();
    let mut out = Vec::new();
    for ((table, file), read) in files.iter().zip(&mut read) {
        let Some(table) = side_table(table) else {
            src.error(
                Some(file.span()),
                format!(
                    "[csv] `{table}` is not a table that can live in a CSV file; expected one of {}{}",
                    SIDE_TABLES.map(|t| t.name).join(", "),
                    did_you_mean(table, SIDE_TABLES.map(|t| t.name))
                ),
            );
            continue;
        };
        let rel = file.get_ref();
        let shown = if shown_dir.is_empty() {
            rel.to_string()
        } else {
            format!("{}/{rel}", shown_dir.trim_end_matches('/'))
        };
        let text = match read.take().expect("a known table's file is read") {
            Ok(t) => t,
            Err(e) => {
                src.error(
                    Some(file.span()),
                    format!("cannot read CSV file `{shown}`: {e}"),
                );
                continue;
            }
        };
        let base = src.add_file(shown.clone(), text);
        if let Some((positions, width)) = check_header(src, table, base) {
            let text = src.file_text(base);
            out.push(SideFile {
                table,
                base,
                quoted: false,
                size: PieceSize { rows: 0, items: 0 },
                text,
                positions,
                width,
            });
        }
    }
    out.par_iter_mut().for_each(|f| {
        (f.size, f.quoted) = PieceSize::of_file(f.text.as_bytes());
    });
    out.sort_by_key(|f| READ_ORDER.iter().position(|t| *t == f.table.name));
    out
}

/// Position of each allowed column in the file's header and the header's width, or `None`
/// (with problems reported) when the header is unreadable or names an unknown column.
fn check_header(src: &mut Source, table: &SideTable, base: usize) -> Option<(Vec<usize>, usize)> {
    let (columns, table) = (table.columns, table.name);
    let text = src.file_text(base);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_string()).collect(),
        Err(e) => {
            src.error(Some(base..base), format!("cannot read the CSV header: {e}"));
            return None;
        }
    };
    let mut bad = false;
    for h in &header {
        if !columns.contains(&h.as_str()) {
            src.error(
                Some(base..base),
                format!(
                    "unknown column `{h}` for {table} rows; expected {}{}",
                    columns.join(", "),
                    did_you_mean(h, columns.iter().copied())
                ),
            );
            bad = true;
        }
    }
    if bad {
        return None;
    }
    Some((
        columns
            .iter()
            .map(|c| header.iter().position(|h| h == c).unwrap_or(usize::MAX))
            .collect(),
        header.len(),
    ))
}

/// Byte ranges of `file`'s text that hold whole rows, for workers to read in parallel: the rows
/// after the header, cut at line breaks into about `parts` pieces of at least [`MIN_PIECE`]
/// bytes. A file with quotes is one piece, read by the csv crate from its header on (a quoted
/// cell may hold a line break).
fn pieces(file: &SideFile, parts: usize) -> Vec<Range<usize>> {
    let text = file.text.as_bytes();
    if file.quoted {
        return std::iter::once(0..text.len()).collect();
    }
    let Some(header_end) = text.iter().position(|&b| b == b'\n') else {
        return Vec::new();
    };
    let start = header_end + 1;
    let len = text.len() - start;
    let parts = parts.clamp(1, (len / MIN_PIECE).max(1));
    let mut out = Vec::with_capacity(parts);
    let mut at = start;
    for k in 1..parts {
        let target = start + len * k / parts;
        if target < at {
            continue;
        }
        let cut = text[target..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |i| target + i + 1);
        out.push(at..cut);
        at = cut;
    }
    if at < text.len() {
        out.push(at..text.len());
    }
    out
}

/// The smallest piece of a side file worth a worker of its own.
const MIN_PIECE: usize = 64 * 1024;

/// Calls `each` with every data row of `file` within `lines` (a range from [`pieces`]) and the
/// span of the row's start. A malformed row ends the reading, and is reported when `report` is
/// set (files read twice report it once). Returns whether the range was read to its end.
///
/// A file without a quote character anywhere is split on line breaks and commas directly
/// (RFC 4180 needs quotes for anything else); one with quotes goes through the csv crate.
/// Both skip empty lines and accept CRLF line ends; the tests hold the two paths equal.
fn for_each_row<R: Report>(
    src: &mut R,
    file: &SideFile,
    lines: Range<usize>,
    report: bool,
    mut each: impl FnMut(&mut R, &Row, &Range<usize>),
) -> bool {
    let base = file.base;
    let text = file.text.as_str();
    let mut starts: Vec<usize> = Vec::new();
    if !file.quoted {
        let mut cells: Vec<&str> = Vec::new();
        let bytes = text.as_bytes();
        // Every comma and line break of the range, found many bytes at a time (SIMD): the
        // bytes between them are never looked at one by one.
        let mut separators =
            memchr::memchr2_iter(b',', b'\n', &bytes[lines.clone()]).map(|i| lines.start + i);
        let mut at = lines.start;
        while at < lines.end {
            cells.clear();
            starts.clear();
            let mut cell = at;
            let end = loop {
                match separators.next() {
                    Some(p) if bytes[p] == b',' => {
                        cells.push(&text[cell..p]);
                        starts.push(base + cell);
                        cell = p + 1;
                    }
                    Some(line_end) => break line_end,
                    None => break lines.end,
                }
            };
            let last_end = if end > cell && bytes[end - 1] == b'\r' {
                end - 1
            } else {
                end
            };
            let start = base + at;
            let blank = cells.is_empty() && last_end == at;
            at = end + 1;
            if blank {
                continue;
            }
            cells.push(&text[cell..last_end]);
            starts.push(base + cell);
            if cells.len() != file.width {
                if report {
                    src.error(
                        Some(start..start),
                        format!(
                            "malformed CSV: this row has {} fields, but the header has {}",
                            cells.len(),
                            file.width
                        ),
                    );
                }
                return false;
            }
            let row = Row::new(&file.positions, file.table.columns, &cells, &starts);
            each(src, &row, &(start..start + 1));
        }
        return true;
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                if report {
                    let at = e.position().map_or(base, |p| base + p.byte() as usize);
                    src.error(Some(at..at), format!("malformed CSV: {e}"));
                }
                return false;
            }
        }
        let start = base + record.position().map_or(0, |p| p.byte() as usize);
        let row_span = start..start + 1;
        // Cell offsets: exact when the row has no quotes, else the row's start.
        let line = text[start - base..].split('\n').next().unwrap_or("");
        let quoted = line.contains('"');
        starts.clear();
        let mut offset = start;
        for c in record.iter() {
            starts.push(if quoted { start } else { offset });
            offset += c.len() + 1;
        }
        let cells: Vec<&str> = record.iter().collect();
        let row = Row::new(&file.positions, file.table.columns, &cells, &starts);
        each(src, &row, &row_span);
    }
    true
}

/// The size of a piece of a side file, to make room for what it adds at once.
#[derive(Debug, Clone, Copy)]
pub(super) struct PieceSize {
    /// Line breaks: at least its rows.
    pub(super) rows: usize,
    /// Line breaks and list separators: at least the items of its list cells.
    pub(super) items: usize,
}

impl PieceSize {
    fn of(text: &[u8]) -> PieceSize {
        PieceSize::counted(separators(text))
    }

    /// [`PieceSize::of`] a whole file, and whether it holds a quote, read in parallel blocks:
    /// the largest file of a large model is half its bytes, which one thread read alone.
    fn of_file(text: &[u8]) -> (PieceSize, bool) {
        let (counts, quoted) = text
            .par_chunks(1 << 20)
            .map(|block| (separators(block), memchr::memchr(b'"', block).is_some()))
            .reduce(
                || ((0, 0), false),
                |((r, s), q), ((r2, s2), q2)| ((r + r2, s + s2), q || q2),
            );
        (PieceSize::counted(counts), quoted)
    }

    /// The size of a piece with `line_breaks` and `semicolons`.
    fn counted((line_breaks, semicolons): (usize, usize)) -> PieceSize {
        let rows = line_breaks + 1;
        PieceSize {
            rows,
            items: rows + semicolons,
        }
    }
}

/// Line breaks and semicolons in `text`.
fn separators(text: &[u8]) -> (usize, usize) {
    let (mut rows, mut semicolons) = (0, 0);
    // Byte-wide counters over blocks too short to overflow them, which the compiler
    // vectorises.
    for block in text.chunks(255) {
        let (mut r, mut s) = (0u8, 0u8);
        for &b in block {
            r += (b == b'\n') as u8;
            s += (b == b';') as u8;
        }
        rows += r as usize;
        semicolons += s as usize;
    }
    (rows, semicolons)
}

/// The size of the pieces a side file is read in: small enough that two waves of them (two
/// pieces per thread each, one read while the other is taken) hold little of what their rows
/// add at once, large enough that a task per piece costs nothing.
const PIECE: usize = 1 << 18;

/// Reads every data row of `file` in pieces, one task per piece on rayon's threads, in waves of
/// two pieces per thread: each piece gets its own state from `init` (given the piece's size) and
/// its own [`Problems`], and `each` is called with every row of the piece. `take` receives the
/// states and problems in file order, up to the piece that met a malformed row (rows after one
/// are not taken, as when the file is read in one go). A wave is taken while the next one is
/// read, so that the threads never wait for `take`; what a piece adds is thus moved on while
/// the file is read, never held for the whole file at once.
pub(super) fn par_rows<S: Send>(
    file: &SideFile,
    report: bool,
    init: impl Fn(PieceSize) -> S + Sync,
    each: impl Fn(&mut S, &mut Problems, &Row, &Range<usize>) + Sync,
    mut take: impl FnMut(S, Problems) + Send,
) {
    let wave = rayon::current_num_threads() * 2;
    let all = pieces(file, (file.text.len() / PIECE).max(wave));
    let read = |wave: &[Range<usize>]| -> Vec<(S, Problems, bool)> {
        wave.par_iter()
            .map(|lines| {
                let mut state = init(PieceSize::of(&file.text.as_bytes()[lines.clone()]));
                let mut problems = Problems::default();
                let whole =
                    for_each_row(&mut problems, file, lines.clone(), report, |p, row, at| {
                        each(&mut state, p, row, at)
                    });
                (state, problems, whole)
            })
            .collect()
    };
    let mut waves = all.chunks(wave);
    let mut ready = waves.next().map(read);
    while let Some(done) = ready {
        let next = waves.next();
        let (stopped, next) = rayon::join(
            || {
                for (state, problems, whole) in done {
                    take(state, problems);
                    if !whole {
                        return true;
                    }
                }
                false
            },
            || next.map(read),
        );
        if stopped {
            return;
        }
        ready = next;
    }
}

impl SideFile {
    /// Done with the file: its text is freed, here and in `src` (no problem may point into it
    /// afterwards).
    pub(super) fn release(self, src: &mut Source) {
        let base = self.base;
        drop(self);
        src.release(base);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_sized_the_same_in_parallel_blocks() {
        // Three blocks and a bit, with line breaks, list separators and (or not) one quote in
        // the last block.
        let row = "user-0000001,human,otp,dept-1;dept-2;all-staff\n";
        let mut text = row.repeat((3 << 20) / row.len() + 7);
        for quote in [false, true] {
            if quote {
                text.push_str("\"a, b\",x\n");
            }
            let (size, quoted) = PieceSize::of_file(text.as_bytes());
            let whole = PieceSize::of(text.as_bytes());
            assert_eq!((size.rows, size.items), (whole.rows, whole.items));
            assert_eq!(quoted, quote);
            let lines = text.matches('\n').count();
            assert_eq!(size.rows, lines + 1);
            assert_eq!(size.items, lines + 1 + text.matches(';').count());
        }
        let (empty, quoted) = PieceSize::of_file(b"");
        assert_eq!((empty.rows, empty.items, quoted), (1, 1, false));
    }

    #[test]
    fn every_side_table_is_read_once() {
        let mut read: Vec<&str> = READ_ORDER.to_vec();
        let mut tables: Vec<&str> = SIDE_TABLES.iter().map(|t| t.name).collect();
        read.sort_unstable();
        tables.sort_unstable();
        assert_eq!(read, tables);
    }
}
