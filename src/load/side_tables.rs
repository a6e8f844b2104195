//! The CSV side tables of a model (DESIGN.md "Other formats"), described once: each table's
//! key in the model's `[csv]` table, the file the model writer gives it, its columns, the kind
//! of node its rows declare, and how a row becomes the raw entry a TOML file gives. The loader
//! (`csv_files.rs`, `model/`), the model writer (`output::model_files`) and the CLI read these
//! descriptions; none keeps a list of its own.
//!
//! Columns are the TOML keys (a node table's optional last column, `name`, is the node's display
//! name, which overlays select by); list cells separate items with `;`; empty cells mean "not given".

use std::ops::Range;

use toml::Spanned;

use super::raw::{
    Id, RawAccess, RawAccount, RawEdge, RawFlow, RawGrant, RawGroup, RawMembership, RawPerson,
    RawRecordSet, RawStore, RawSystem, Text,
};
use super::source::{Problems, Report};
use crate::model::NodeKind;

/// One CSV side table.
pub struct SideTable {
    /// Its key in `[csv]`, which is also the TOML table its rows stand for (`person`,
    /// `records`, …).
    pub name: &'static str,
    /// The file the model writer puts it in; `None` for memberships, which the writer gives in
    /// the `groups` column of accounts and groups instead.
    pub file: Option<&'static str>,
    /// Its columns in the order the writer puts them (a file may have them in any order and
    /// leave any out).
    pub columns: &'static [&'static str],
    /// The kind of node each row declares, for tables of nodes.
    pub declares: Option<NodeKind>,
    /// A row as its raw entry, or `None` (with problems reported) when it is not one. Ids of
    /// node tables were reported missing when their nodes were declared and are not reported
    /// again.
    pub(super) parse: fn(&mut Problems, &Row, &Range<usize>) -> Option<SideRow>,
}

/// Every side table, in the order `[csv]` lists them when the model writer writes it.
pub const SIDE_TABLES: [SideTable; 11] = [
    SideTable {
        name: "person",
        file: Some("people.csv"),
        columns: &["id", "accounts", "name"],
        declares: Some(NodeKind::Person),
        parse: person,
    },
    SideTable {
        name: "account",
        file: Some("accounts.csv"),
        columns: &["id", "kind", "mfa", "groups", "name"],
        declares: Some(NodeKind::Account),
        parse: account,
    },
    SideTable {
        name: "group",
        file: Some("groups.csv"),
        columns: &["id", "groups", "name"],
        declares: Some(NodeKind::Group),
        parse: group,
    },
    SideTable {
        name: "membership",
        file: None,
        columns: &["member", "group"],
        declares: None,
        parse: membership,
    },
    SideTable {
        name: "system",
        file: Some("systems.csv"),
        columns: &["id", "credentials", "name"],
        declares: Some(NodeKind::System),
        parse: system,
    },
    SideTable {
        name: "access",
        file: Some("access.csv"),
        columns: &["system", "store", "access", "p", "time"],
        declares: None,
        parse: access,
    },
    SideTable {
        name: "store",
        file: Some("stores.csv"),
        columns: &["id", "retention_days", "credentials", "name"],
        declares: Some(NodeKind::Store),
        parse: store,
    },
    SideTable {
        name: "records",
        file: Some("records.csv"),
        columns: &[
            "store",
            "category",
            "count",
            "per_day",
            "retention_days",
            "subjects",
            "coverage",
        ],
        declares: None,
        parse: records,
    },
    SideTable {
        name: "grant",
        file: Some("grants.csv"),
        columns: &[
            "principal",
            "target",
            "access",
            "last_used_days",
            "p",
            "time",
        ],
        declares: None,
        parse: grant,
    },
    SideTable {
        name: "flow",
        file: Some("flows.csv"),
        columns: &["from", "to", "categories"],
        declares: None,
        parse: flow,
    },
    SideTable {
        name: "edge",
        file: Some("edges.csv"),
        columns: &["from", "to", "kind", "p", "time"],
        declares: None,
        parse: edge,
    },
];

/// The side table called `name` in `[csv]`.
pub fn side_table(name: &str) -> Option<&'static SideTable> {
    SIDE_TABLES.iter().find(|t| t.name == name)
}

/// One row of a side file: its cells and the global offset of each.
pub(super) struct Row<'a> {
    /// Column index of each of the table's columns (in [`SideTable::columns`] order), or
    /// `usize::MAX`.
    columns: &'a [usize],
    names: &'a [&'a str],
    cells: &'a [&'a str],
    /// Global offset of each cell (the row's start when the row has quotes).
    starts: &'a [usize],
}

impl<'a> Row<'a> {
    /// A row of a table with columns `names`, found at `columns` in the file's header.
    pub(super) fn new(
        columns: &'a [usize],
        names: &'a [&'a str],
        cells: &'a [&'a str],
        starts: &'a [usize],
    ) -> Row<'a> {
        Row {
            columns,
            names,
            cells,
            starts,
        }
    }
    fn cell(&self, column: &str) -> Option<(&str, Range<usize>)> {
        // Callers name the column with the same literal as the table's description, which the
        // compiler keeps once: it is found by address and length, else by its text (tens of
        // millions of cells are read in a large model; comparing texts was 4% of validate).
        let c = self
            .names
            .iter()
            .position(|n| std::ptr::eq(n.as_ptr(), column.as_ptr()) && n.len() == column.len())
            .or_else(|| self.names.iter().position(|n| same_name(n, column)))?;
        let i = self.columns[c];
        let text = *self.cells.get(i)?;
        let t = trimmed(text);
        let start = self.starts[i];
        (!t.is_empty()).then(|| (t, start..start + text.len().max(1)))
    }

    fn string(&self, column: &str) -> Option<Spanned<Text>> {
        self.cell(column)
            .map(|(t, span)| Spanned::new(span, t.into()))
    }

    fn required(&self, src: &mut impl Report, column: &str, row_span: &Range<usize>) -> Option<Id> {
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
                let mut list = SPARE_LISTS
                    .with(|s| s.borrow_mut().pop())
                    .unwrap_or_default();
                list.extend(
                    t.split(';')
                        .map(trimmed)
                        .filter(|x| !x.is_empty())
                        .map(|x| Spanned::new(span.clone(), x.into())),
                );
                list
            })
            .unwrap_or_default()
    }

    fn integer(&self, src: &mut impl Report, column: &str) -> Option<Spanned<i64>> {
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

    fn number(&self, src: &mut impl Report, column: &str) -> Option<Spanned<f64>> {
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

/// Whether two column names are equal, compared in line: this runs for every cell of millions
/// of rows, where a call to `memcmp` per name cost more than the comparison.
fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0, |d, (x, y)| d | (x ^ y)) == 0
}

/// `text.trim()`, without reading its characters when its first and last bytes are ASCII and
/// not white space, as in nearly every cell.
fn trimmed(text: &str) -> &str {
    let plain = |b: Option<&u8>| b.is_some_and(|&b| (b'!'..0x80).contains(&b));
    let bytes = text.as_bytes();
    if plain(bytes.first()) && plain(bytes.last()) {
        text
    } else {
        text.trim()
    }
}

/// The id a row of a node table declares (reported when missing).
pub(super) fn declared_id(src: &mut impl Report, row: &Row, at: &Range<usize>) -> Option<Id> {
    row.required(src, "id", at)
}

thread_local! {
    /// Emptied lists of rows already checked, for the list cells of the next rows on this
    /// thread to fill: millions of rows would otherwise allocate and free one each.
    static SPARE_LISTS: std::cell::RefCell<Vec<Vec<Id>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Keeps `list`'s room for the list cells of later rows (a few lists per thread at most).
fn give_back(mut list: Vec<Id>) {
    if list.capacity() == 0 {
        return;
    }
    list.clear();
    SPARE_LISTS.with(|s| {
        let mut s = s.borrow_mut();
        if s.len() < 4 {
            s.push(list);
        }
    });
}

impl SideRow {
    /// Done with the row: the room of its lists is kept for later rows.
    pub(super) fn recycle(self) {
        match self {
            SideRow::Person(p) => give_back(p.accounts),
            SideRow::Account(a) => give_back(a.groups),
            SideRow::Group(g) => give_back(g.groups),
            SideRow::System(s) => give_back(s.credentials),
            SideRow::Store(s) => give_back(s.credentials),
            SideRow::Flow(f) => f.categories.map_or((), give_back),
            SideRow::Membership(_)
            | SideRow::Access(..)
            | SideRow::Records(..)
            | SideRow::Grant(_)
            | SideRow::Edge(_) => {}
        }
    }
}

/// One row of a side file as the raw entry a TOML file gives, for the model builder.
pub(super) enum SideRow {
    Person(RawPerson),
    Account(RawAccount),
    Group(RawGroup),
    Membership(RawMembership),
    System(RawSystem),
    Access(Id, RawAccess),
    Store(RawStore),
    Records(Id, RawRecordSet),
    Grant(RawGrant),
    Flow(RawFlow),
    Edge(RawEdge),
}

fn person(_: &mut Problems, row: &Row, _: &Range<usize>) -> Option<SideRow> {
    Some(SideRow::Person(RawPerson {
        id: row.string("id")?,
        accounts: row.list("accounts"),
        name: row.string("name"),
        description: None,
    }))
}

fn account(_: &mut Problems, row: &Row, _: &Range<usize>) -> Option<SideRow> {
    Some(SideRow::Account(RawAccount {
        id: row.string("id")?,
        kind: row.string("kind"),
        mfa: row.string("mfa"),
        groups: row.list("groups"),
        name: row.string("name"),
        description: None,
    }))
}

fn group(_: &mut Problems, row: &Row, _: &Range<usize>) -> Option<SideRow> {
    Some(SideRow::Group(RawGroup {
        id: row.string("id")?,
        groups: row.list("groups"),
        name: row.string("name"),
        description: None,
    }))
}

fn membership(src: &mut Problems, row: &Row, at: &Range<usize>) -> Option<SideRow> {
    let member = row.required(src, "member", at);
    let group = row.required(src, "group", at);
    Some(SideRow::Membership(RawMembership {
        member: member?,
        group: group?,
    }))
}

fn system(_: &mut Problems, row: &Row, _: &Range<usize>) -> Option<SideRow> {
    Some(SideRow::System(RawSystem {
        id: row.string("id")?,
        credentials: row.list("credentials"),
        access: Vec::new(),
        name: row.string("name"),
        description: None,
    }))
}

fn access(src: &mut Problems, row: &Row, at: &Range<usize>) -> Option<SideRow> {
    let system = row.required(src, "system", at);
    let store = row.required(src, "store", at);
    let access = row.required(src, "access", at);
    let p = row.number(src, "p");
    let time = row.number(src, "time");
    Some(SideRow::Access(
        system?,
        RawAccess {
            store: store?,
            access: access?,
            p,
            time,
        },
    ))
}

fn store(src: &mut Problems, row: &Row, _: &Range<usize>) -> Option<SideRow> {
    let id = row.string("id");
    let retention_days = row.integer(src, "retention_days");
    Some(SideRow::Store(RawStore {
        id: id?,
        retention_days,
        records: Vec::new(),
        credentials: row.list("credentials"),
        name: row.string("name"),
        description: None,
    }))
}

fn records(src: &mut Problems, row: &Row, at: &Range<usize>) -> Option<SideRow> {
    let store = row.required(src, "store", at);
    let category = row.required(src, "category", at);
    let count = row.integer(src, "count");
    let per_day = row.integer(src, "per_day");
    let retention_days = row.integer(src, "retention_days");
    let coverage = row.number(src, "coverage");
    Some(SideRow::Records(
        store?,
        RawRecordSet {
            category: category?,
            count,
            per_day,
            retention_days,
            subjects: row.string("subjects"),
            coverage,
        },
    ))
}

fn grant(src: &mut Problems, row: &Row, at: &Range<usize>) -> Option<SideRow> {
    let principal = row.required(src, "principal", at);
    let target = row.required(src, "target", at);
    let access = row.required(src, "access", at);
    let last_used_days = row.integer(src, "last_used_days");
    let p = row.number(src, "p");
    let time = row.number(src, "time");
    Some(SideRow::Grant(RawGrant {
        principal: principal?,
        target: target?,
        access: access?,
        last_used_days,
        p,
        time,
    }))
}

fn flow(src: &mut Problems, row: &Row, at: &Range<usize>) -> Option<SideRow> {
    let from = row.required(src, "from", at);
    let to = row.required(src, "to", at);
    let cats = row.list("categories");
    Some(SideRow::Flow(RawFlow {
        from: from?,
        to: to?,
        categories: (!cats.is_empty()).then_some(cats),
    }))
}

fn edge(src: &mut Problems, row: &Row, at: &Range<usize>) -> Option<SideRow> {
    let from = row.required(src, "from", at);
    let to = row.required(src, "to", at);
    let kind = row.required(src, "kind", at);
    let p = row.number(src, "p");
    let time = row.number(src, "time");
    Some(SideRow::Edge(RawEdge {
        from: from?,
        to: to?,
        kind: kind?,
        p,
        time,
    }))
}
