//! Node declarations: every node of the TOML entries and of the side files of node tables,
//! numbered in id order, with ids declared twice reported.

use std::ops::Range;
use std::sync::Mutex;

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
    /// Its place among the declarations (in the padding of the others' fields).
    seq: u32,
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
    // Ends of the runs of declarations: the entries of one kind, the rows of one file.
    let mut runs = Vec::new();
    declare_entries(raw, src, &mut declared, &mut runs);
    declare_rows(side, src, &mut declared, &mut runs);
    for (i, d) in declared.iter_mut().enumerate() {
        d.seq = i as u32;
    }
    // Each run sorted on its own (files are often in id order already, which is checked in one
    // pass), then the runs merged: no buffer holds every declaration twice, as a stable sort's
    // would, and sorted runs cost no sort at all.
    let by_id = |a: &Declaration, b: &Declaration| a.id.cmp(&b.id).then(a.seq.cmp(&b.seq));
    let mut bounds = Vec::with_capacity(runs.len());
    let mut rest: &mut [Declaration] = &mut declared;
    let mut start = 0;
    let mut unsorted = Vec::new();
    for &end in &runs {
        let (run, tail) = std::mem::take(&mut rest).split_at_mut(end - start);
        if !run.par_windows(2).all(|w| by_id(&w[0], &w[1]).is_lt()) {
            unsorted.push(run);
        }
        bounds.push(start..end);
        rest = tail;
        start = end;
    }
    for run in unsorted {
        run.par_sort_unstable_by(by_id);
    }
    let nodes = distinct(&merged(&declared, bounds), src);
    drop(declared);
    model.add_nodes(nodes);
}

/// The declarations of sorted runs (ranges of `declared`), merged in order by id, and of equal
/// ids in declaration order (the runs are in declaration order). The run with the smallest
/// head gives, in one slice, every declaration that comes before the other runs' heads (found
/// by binary search), so runs that follow one another (files of different id prefixes) cost a
/// search each instead of a comparison per declaration.
fn merged(declared: &[Declaration], mut runs: Vec<Range<usize>>) -> Vec<&Declaration> {
    runs.retain(|r| !r.is_empty());
    let mut out = Vec::with_capacity(declared.len());
    while !runs.is_empty() {
        // The first run of smallest head: equal ids are taken in declaration order.
        let (best, _) = runs
            .iter()
            .enumerate()
            .min_by(|(_, a), (_, b)| declared[a.start].id.cmp(&declared[b.start].id))
            .expect("a run is left");
        // The smallest head of the others, and whether the best run's ids equal to it go
        // first (when every other run with that head was declared after it).
        let mut bound: Option<(&Text, bool)> = None;
        for (i, r) in runs.iter().enumerate().filter(|(i, _)| *i != best) {
            let head = &declared[r.start].id;
            bound = match bound {
                Some((b, first)) if b < head => Some((b, first)),
                Some((b, first)) if b == head => Some((b, first && i > best)),
                _ => Some((head, i > best)),
            };
        }
        let run = &declared[runs[best].clone()];
        let take = match bound {
            None => run.len(),
            Some((b, first)) => run.partition_point(|d| d.id < *b || (first && d.id == *b)),
        };
        out.extend(&run[..take]);
        runs[best].start += take;
        if runs[best].is_empty() {
            runs.remove(best);
        }
    }
    out
}

/// The nodes of the TOML entries.
fn declare_entries(
    raw: &RawModel,
    src: &mut Source,
    declared: &mut Vec<Declaration>,
    runs: &mut Vec<usize>,
) {
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
                    seq: 0,
                });
            }
        }
        runs.push(declared.len());
    }
}

/// The nodes of the side files of node tables, each file read in parallel pieces.
fn declare_rows(
    side: &[SideFile],
    src: &mut Source,
    declared: &mut Vec<Declaration>,
    runs: &mut Vec<usize>,
) {
    for file in side {
        let Some(kind) = file.table.declares else {
            continue;
        };
        // The emptied lists of pieces taken, for the next pieces to fill (their memory written
        // again instead of freed and touched afresh, a fault per page).
        let spare: Mutex<Vec<Vec<Declaration>>> = Mutex::default();
        par_rows(
            file,
            true,
            |size| {
                let mut found = spare
                    .lock()
                    .ok()
                    .and_then(|mut s| s.pop())
                    .unwrap_or_default();
                found.reserve(size.rows);
                found
            },
            |found, problems, row, at| {
                if let Some(id) = declared_id(problems, row, at) {
                    if declarable(problems, &id, kind) {
                        let at = id.span();
                        found.push(Declaration {
                            id: id.into_inner(),
                            kind,
                            at,
                            seq: 0,
                        });
                    }
                }
            },
            |mut found, problems| {
                problems.add_to(src);
                declared.append(&mut found);
                if let Ok(mut s) = spare.lock() {
                    s.push(found);
                }
            },
        );
        runs.push(declared.len());
    }
}

/// The nodes of declarations sorted by id, the first of equal ids kept and the others reported.
fn distinct(declared: &[&Declaration], src: &mut Source) -> Vec<Node> {
    let repeats = |i: usize| i > 0 && declared[i - 1].id == declared[i].id;
    let again: Vec<usize> = (1..declared.len())
        .into_par_iter()
        .filter(|&i| repeats(i))
        .collect();
    // A node for every declaration, written in place on all threads; the repeats (rare) are
    // taken out after.
    let mut nodes: Vec<Node> = declared
        .par_iter()
        .map(|d| Node {
            id: d.id.clone(),
            kind: d.kind,
        })
        .collect();
    if !again.is_empty() {
        let mut at = 0;
        let mut skip = again.iter().peekable();
        nodes.retain(|_| {
            let kept = skip.next_if_eq(&&at).is_none();
            at += 1;
            kept
        });
    }
    for i in again {
        let first = (0..i).rev().find(|&j| !repeats(j)).unwrap_or(0);
        let (d, kept) = (declared[i], declared[first]);
        let (file, line, _) = src.position(kept.at.start);
        let at = if file == src.name() {
            format!("line {line}")
        } else {
            format!("{file}:{line}")
        };
        let message = format!(
            "duplicate id `{}`: already declared as {} at {at}; ids must be unique across all kinds",
            d.id,
            kept.kind.with_article()
        );
        src.error(Some(d.at.clone()), message);
    }
    nodes
}
