//! CSV side files of a model (DESIGN.md "Other formats"): large models keep people, accounts,
//! groups, memberships, grants, stores and record sets in CSV files beside `model.toml`, named
//! in its `[csv]` table. Columns are the TOML keys; list cells separate items with `;`; empty
//! cells mean "not given". Rows become the same raw entries a TOML file gives, with their file,
//! line and column, so validation and messages are the same for both.

use std::ops::Range;
use std::path::Path;

use toml::Spanned;

use super::model::{
    Id, RawAccess, RawAccount, RawEdge, RawFlow, RawGrant, RawGroup, RawMembership, RawModel,
    RawPerson, RawRecordSet, RawStore, RawSystem,
};
use super::source::Source;
use crate::error::did_you_mean;

/// Table names of `[csv]` and the columns each file may have.
pub const TABLES: [(&str, &[&str]); 11] = [
    ("person", &["id", "accounts"]),
    ("account", &["id", "kind", "mfa", "groups"]),
    ("group", &["id", "groups"]),
    ("membership", &["member", "group"]),
    ("system", &["id", "credentials"]),
    ("access", &["system", "store", "access", "p", "time"]),
    ("store", &["id", "retention_days", "credentials"]),
    (
        "records",
        &[
            "store",
            "category",
            "count",
            "per_day",
            "retention_days",
            "subjects",
            "coverage",
        ],
    ),
    (
        "grant",
        &[
            "principal",
            "target",
            "access",
            "last_used_days",
            "p",
            "time",
        ],
    ),
    ("flow", &["from", "to", "categories"]),
    ("edge", &["from", "to", "kind", "p", "time"]),
];

/// One row: its cells and the global offset of each.
struct Row<'a> {
    /// Column index of each known column name (in [`TABLES`] order), or `usize::MAX`.
    columns: &'a [usize],
    names: &'a [&'a str],
    record: &'a csv::StringRecord,
    /// Global offset of each cell (the row's start when the row has quotes).
    starts: &'a [usize],
}

impl Row<'_> {
    fn cell(&self, column: &str) -> Option<(&str, Range<usize>)> {
        let c = self.names.iter().position(|n| *n == column)?;
        let i = self.columns[c];
        let text = self.record.get(i)?;
        let t = text.trim();
        let start = self.starts[i];
        (!t.is_empty()).then(|| (t, start..start + text.len().max(1)))
    }

    fn string(&self, column: &str) -> Option<Spanned<String>> {
        self.cell(column)
            .map(|(t, span)| Spanned::new(span, t.to_string()))
    }

    fn required(&self, src: &mut Source, column: &str, row_span: &Range<usize>) -> Option<Id> {
        let v = self.string(column);
        if v.is_none() {
            src.error(
                Some(row_span.clone()),
                format!("missing value in column `{column}`"),
            );
        }
        v
    }

    fn list(&self, column: &str) -> Vec<Id> {
        self.cell(column)
            .map(|(t, span)| {
                t.split(';')
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(|x| Spanned::new(span.clone(), x.to_string()))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn integer(&self, src: &mut Source, column: &str) -> Option<Spanned<i64>> {
        let (t, span) = self.cell(column)?;
        match t.parse::<i64>() {
            Ok(v) => Some(Spanned::new(span, v)),
            Err(_) => {
                src.error(
                    Some(span),
                    format!("column `{column}`: `{t}` is not a whole number"),
                );
                None
            }
        }
    }

    fn number(&self, src: &mut Source, column: &str) -> Option<Spanned<f64>> {
        let (t, span) = self.cell(column)?;
        match t.parse::<f64>() {
            Ok(v) => Some(Spanned::new(span, v)),
            Err(_) => {
                src.error(
                    Some(span),
                    format!("column `{column}`: `{t}` is not a number"),
                );
                None
            }
        }
    }
}

/// Reads every side file named in `raw.csv` from `dir` and appends its rows to `raw`.
pub(super) fn read_side_files(raw: &mut RawModel, src: &mut Source, dir: &Path, shown_dir: &str) {
    let Some(files) = raw.csv.take() else {
        return;
    };
    for (table, file) in &files {
        let Some((_, columns)) = TABLES.iter().find(|(t, _)| t == table) else {
            src.error(
                Some(file.span()),
                format!(
                    "[csv] `{table}` is not a table that can live in a CSV file; expected one of {}{}",
                    TABLES.map(|(t, _)| t).join(", "),
                    did_you_mean(table, TABLES.map(|(t, _)| t))
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
        let text = match std::fs::read_to_string(dir.join(rel)) {
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
        read_table(raw, src, table, columns, base);
    }
}

fn read_table(raw: &mut RawModel, src: &mut Source, table: &str, columns: &[&str], base: usize) {
    let text = src.file_text(base).to_string();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_string()).collect(),
        Err(e) => {
            src.error(Some(base..base), format!("cannot read the CSV header: {e}"));
            return;
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
        return;
    }
    // Position of each allowed column in the file's header.
    let positions: Vec<usize> = columns
        .iter()
        .map(|c| header.iter().position(|h| h == c).unwrap_or(usize::MAX))
        .collect();
    let mut record = csv::StringRecord::new();
    let mut starts: Vec<usize> = Vec::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let at = e.position().map_or(base, |p| base + p.byte() as usize);
                src.error(Some(at..at), format!("malformed CSV: {e}"));
                return;
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
        let row = Row {
            columns: &positions,
            names: columns,
            record: &record,
            starts: &starts,
        };
        add_row(raw, src, table, &row, &row_span);
    }
}

fn add_row(raw: &mut RawModel, src: &mut Source, table: &str, row: &Row, at: &Range<usize>) {
    match table {
        "person" => {
            if let Some(id) = row.required(src, "id", at) {
                raw.person.push(RawPerson {
                    id,
                    accounts: row.list("accounts"),
                    name: None,
                    description: None,
                });
            }
        }
        "account" => {
            if let Some(id) = row.required(src, "id", at) {
                raw.account.push(RawAccount {
                    id,
                    kind: row.string("kind"),
                    mfa: row.string("mfa"),
                    groups: row.list("groups"),
                    name: None,
                    description: None,
                });
            }
        }
        "group" => {
            if let Some(id) = row.required(src, "id", at) {
                raw.group.push(RawGroup {
                    id,
                    groups: row.list("groups"),
                    name: None,
                    description: None,
                });
            }
        }
        "membership" => {
            if let (Some(member), Some(group)) = (
                row.required(src, "member", at),
                row.required(src, "group", at),
            ) {
                raw.membership.push(RawMembership { member, group });
            }
        }
        "system" => {
            if let Some(id) = row.required(src, "id", at) {
                raw.system.push(RawSystem {
                    id,
                    credentials: row.list("credentials"),
                    access: Vec::new(),
                    name: None,
                    description: None,
                });
            }
        }
        "access" => {
            let system = row.required(src, "system", at);
            let store = row.required(src, "store", at);
            let access = row.required(src, "access", at);
            let p = row.number(src, "p");
            let time = row.number(src, "time");
            if let (Some(system), Some(store), Some(access)) = (system, store, access) {
                raw.extra_access.push((
                    system,
                    RawAccess {
                        store,
                        access,
                        p,
                        time,
                    },
                ));
            }
        }
        "store" => {
            if let Some(id) = row.required(src, "id", at) {
                let retention_days = row.integer(src, "retention_days");
                raw.store.push(RawStore {
                    id,
                    retention_days,
                    records: Vec::new(),
                    credentials: row.list("credentials"),
                    name: None,
                    description: None,
                });
            }
        }
        "records" => {
            let store = row.required(src, "store", at);
            let category = row.required(src, "category", at);
            let count = row.integer(src, "count");
            let per_day = row.integer(src, "per_day");
            let retention_days = row.integer(src, "retention_days");
            let coverage = row.number(src, "coverage");
            if let (Some(store), Some(category)) = (store, category) {
                raw.extra_records.push((
                    store,
                    RawRecordSet {
                        category,
                        count,
                        per_day,
                        retention_days,
                        subjects: row.string("subjects"),
                        coverage,
                    },
                ));
            }
        }
        "grant" => {
            let principal = row.required(src, "principal", at);
            let target = row.required(src, "target", at);
            let access = row.required(src, "access", at);
            let last_used_days = row.integer(src, "last_used_days");
            let p = row.number(src, "p");
            let time = row.number(src, "time");
            if let (Some(principal), Some(target), Some(access)) = (principal, target, access) {
                raw.grant.push(RawGrant {
                    principal,
                    target,
                    access,
                    last_used_days,
                    p,
                    time,
                });
            }
        }
        "flow" => {
            if let (Some(from), Some(to)) =
                (row.required(src, "from", at), row.required(src, "to", at))
            {
                let cats = row.list("categories");
                raw.flow.push(RawFlow {
                    from,
                    to,
                    categories: (!cats.is_empty()).then_some(cats),
                });
            }
        }
        "edge" => {
            let from = row.required(src, "from", at);
            let to = row.required(src, "to", at);
            let kind = row.required(src, "kind", at);
            let p = row.number(src, "p");
            let time = row.number(src, "time");
            if let (Some(from), Some(to), Some(kind)) = (from, to, kind) {
                raw.edge.push(RawEdge {
                    from,
                    to,
                    kind,
                    p,
                    time,
                });
            }
        }
        _ => unreachable!("tables are checked against TABLES"),
    }
}
