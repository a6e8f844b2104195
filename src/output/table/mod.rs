//! Readable tables for the terminal, one file per table: a `run` ([`run()`], with its Monte Carlo
//! and designs sections), `compare`, the model queries (`validate`, `paths`, `who-can-reach`,
//! `sweep`) and `recommend`. This file holds what they share: how long lists are cut, how ids
//! wrap, how an attack path reads on one line.

use std::fmt::{self, Write};

use super::figures::thousands;
use crate::results::PathReport;

mod compare;
mod diff;
mod monte_carlo;
mod queries;
mod recommend;
mod run;

pub use compare::comparison;
pub use diff::diff;
pub use monte_carlo::monte_carlo;
pub(crate) use queries::who_can_reach_header;
pub use queries::{focus_reach, paths, sweep, validation, who_can_reach, write_who_can_reach};
pub use recommend::recommend;
pub use run::{designs, run};

/// The text `write` makes: tables are written with `?` on each line, and writing to a
/// `String` cannot fail.
fn written(write: impl FnOnce(&mut String) -> fmt::Result) -> String {
    let mut s = String::new();
    write(&mut s).expect("writing to a String cannot fail");
    s
}

/// Rows of a long list (leaked stores, attack paths) that a table shows before saying how many
/// more there are; JSON and CSV list every one.
const TABLE_ROWS: usize = 50;

/// Ids of one list (controlled nodes of a kind, tampered stores) that a table shows.
const TABLE_IDS: usize = 40;

/// Width of a name column: the longest name, at least 8.
fn name_width<'a>(names: impl Iterator<Item = &'a String>) -> usize {
    names.map(|n| n.len()).max().unwrap_or(8).max(8)
}

/// `alice —owns→ alice-u —member→ managers —read→ badge-logs`
pub fn path_line(path: &PathReport) -> String {
    written(|s| {
        for (i, step) in path.steps.iter().enumerate() {
            if i == 0 {
                s.push_str(&step.from);
            }
            write!(s, " —{}→ {}", step.kind, step.to)?;
        }
        Ok(())
    })
}

fn wrap_ids(ids: &[String], indent: usize, width: usize) -> String {
    let mut out = String::new();
    let mut col = indent;
    for (i, id) in ids.iter().enumerate() {
        let piece = if i + 1 < ids.len() {
            format!("{id}, ")
        } else {
            id.clone()
        };
        if col + piece.len() > width && col > indent {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            col = indent;
        }
        out.push_str(&piece);
        col += piece.len();
    }
    out
}

/// The first [`TABLE_IDS`] of `ids`, wrapped, and how many more there are.
fn wrap_some_ids(ids: &[String], indent: usize, width: usize) -> String {
    let shown = &ids[..ids.len().min(TABLE_IDS)];
    let mut out = wrap_ids(shown, indent, width);
    if ids.len() > shown.len() {
        out.push_str(&format!(
            ",\n{}… and {} more",
            " ".repeat(indent),
            thousands((ids.len() - shown.len()) as u64)
        ));
    }
    out
}

/// The path to `target` among paths sorted by target (found by a scan when a hand-edited saved
/// result is not sorted).
fn path_to<'a>(paths: &'a [PathReport], target: &str) -> Option<&'a PathReport> {
    paths
        .binary_search_by(|p| p.target.as_str().cmp(target))
        .ok()
        .or_else(|| paths.iter().position(|p| p.target == target))
        .map(|i| &paths[i])
}
