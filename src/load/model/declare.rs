//! Node declarations: every node of the TOML entries and of the side files of node tables,
//! numbered in id order, with ids declared twice reported.

use std::ops::Range;

use rayon::prelude::*;

use crate::load::csv_files::{par_rows, SideFile};
use crate::load::input::MAX_NAME_BYTES;
use crate::load::raw::{Id, RawModel, Text};
use crate::load::side_tables::declared_id;
use crate::load::source::{Report, Source};
use crate::model::{Model, Node, NodeKind};

use super::scalars::span;

/// A node declaration: its id, its kind and where the id is written.
struct Declaration {
    id: Text,
    kind: NodeKind,
    at: Range<usize>,
}

/// Whether `id` can name a node; reports why not.
fn declarable(src: &mut impl Report, id: &Id, kind: NodeKind) -> bool {
    let name = id.get_ref();
    if name.trim().is_empty() {
        src.error(span(id), format!("{} has an empty id", kind.with_article()));
        return false;
    }
    if name.len() > MAX_NAME_BYTES {
        src.error(
            span(id),
            format!(
                "the id of {} is {} bytes long (it starts {:?}); ids are at most {MAX_NAME_BYTES} bytes",
                kind.with_article(),
                name.len(),
                name.chars().take(40).collect::<String>()
            ),
        );
        return false;
    }
    if name.chars().any(char::is_control) {
        src.error(
            span(id),
            format!("the id {name:?} of {} holds a control character (a line break, tab or escape); ids must be printable", kind.with_article()),
        );
        return false;
    }
    true
}

/// Declares every node of the TOML entries and the side files, numbered in id order (so the
/// model is canonical from the start). Side files are read in parallel pieces. An id declared
/// twice is reported at its later declarations, pointing at the first.
pub(super) fn declare_nodes(
    raw: &RawModel,
    side: &[SideFile],
    src: &mut Source,
    model: &mut Model,
) {
    let mut declared: Vec<Declaration> = Vec::with_capacity(
        side.iter()
            .filter(|f| f.table.declares.is_some())
            .map(|f| f.size.rows)
            .sum::<usize>()
            + raw.person.len()
            + raw.account.len()
            + raw.group.len()
            + raw.system.len()
            + raw.store.len(),
    );
    declare_entries(raw, src, &mut declared);
    declare_rows(side, src, &mut declared);
    // Stable: of equal ids, the one declared first comes first and is kept.
    declared.par_sort_by(|a, b| a.id.cmp(&b.id));
    model.add_nodes(distinct(declared, src));
}

/// The nodes of the TOML entries.
fn declare_entries(raw: &RawModel, src: &mut Source, declared: &mut Vec<Declaration>) {
    let toml = [
        (
            NodeKind::Person,
            raw.person.iter().map(|p| &p.id).collect::<Vec<_>>(),
        ),
        (
            NodeKind::Account,
            raw.account.iter().map(|a| &a.id).collect(),
        ),
        (NodeKind::Group, raw.group.iter().map(|g| &g.id).collect()),
        (NodeKind::System, raw.system.iter().map(|s| &s.id).collect()),
        (NodeKind::Store, raw.store.iter().map(|s| &s.id).collect()),
    ];
    for (kind, ids) in toml {
        for id in ids {
            if declarable(src, id, kind) {
                declared.push(Declaration {
                    id: id.get_ref().clone(),
                    kind,
                    at: id.span(),
                });
            }
        }
    }
}

/// The nodes of the side files of node tables, each file read in parallel pieces.
fn declare_rows(side: &[SideFile], src: &mut Source, declared: &mut Vec<Declaration>) {
    for file in side {
        let Some(kind) = file.table.declares else {
            continue;
        };
        let pieces = par_rows(
            file,
            true,
            |size| Vec::with_capacity(size.rows),
            |found, problems, row, at| {
                if let Some(id) = declared_id(problems, row, at) {
                    if declarable(problems, &id, kind) {
                        let at = id.span();
                        found.push(Declaration {
                            id: id.into_inner(),
                            kind,
                            at,
                        });
                    }
                }
            },
        );
        for (found, problems) in pieces {
            problems.add_to(src);
            declared.extend(found);
        }
    }
}

/// The nodes of declarations sorted by id, the first of equal ids kept and the others reported.
fn distinct(declared: Vec<Declaration>, src: &mut Source) -> Vec<Node> {
    let mut nodes: Vec<Node> = Vec::with_capacity(declared.len());
    let mut first_at = 0;
    for d in declared {
        if let Some(prev) = nodes.last().filter(|prev| prev.id == d.id) {
            let (file, line, _) = src.position(first_at);
            let at = if file == src.name() {
                format!("line {line}")
            } else {
                format!("{file}:{line}")
            };
            let message = format!(
                "duplicate id `{}`: already declared as {} at {at}; ids must be unique across all kinds",
                d.id,
                prev.kind.with_article()
            );
            src.error(Some(d.at), message);
            continue;
        }
        first_at = d.at.start;
        nodes.push(Node {
            id: d.id,
            kind: d.kind,
        });
    }
    nodes
}
