//! An overlay's `[fides]` table: Fides datasets as record sets. Each dataset maps to a store
//! (the selector `[fides.stores]` gives it, else the store whose id is the dataset's key);
//! each of its collections holds `[fides.rows]."dataset.collection"` rows (else
//! `default_rows`, 1 unless given, warned of), and each row is one record of every category its
//! fields carry. A store's record set of a category holds the rows of all its collections with
//! that category; its retention is the collection's, else the dataset's, where Fides gives a
//! number of days. The entries made are `[[store]]` entries, so they are checked and merged
//! exactly as written ones (`entries.rs`, `merge.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::Path;

use toml::Spanned;

use super::super::scalars::non_negative;
use crate::error::{did_you_mean, Diagnostic, Result, Severity};
use crate::interop::fides::{read_manifests, Dataset, Retention};
use crate::load::raw::{RawFides, RawRecordSet, RawStore, Sel, Selecting};
use crate::load::source::Source;

/// Rows of a collection `[fides.rows]` does not list, unless `default_rows` says otherwise.
pub const DEFAULT_ROWS: u64 = 1;

/// The `[[store]]` entries of the `[fides]` table (and of `extra`, datasets read elsewhere:
/// `import fides`'s files), with the warnings of the dataset files. Problems of the table
/// are reported in `src`; a dataset file with errors fails at once.
pub(super) fn store_entries(
    table: Option<&RawFides>,
    extra: &[Dataset],
    src: &mut Source,
    dir: Option<(&Path, &str)>,
) -> Result<(Vec<RawStore<Sel>>, Vec<Diagnostic>)> {
    let empty = RawFides::default();
    let table = table.unwrap_or(&empty);
    let mut warnings = Vec::new();
    // Each dataset with the place in the overlay its entries are reported at (none for the
    // datasets read elsewhere: their warnings point into their own file).
    let mut datasets: Vec<(Dataset, Range<usize>)> =
        extra.iter().map(|d| (d.clone(), 0..0)).collect();
    let own_from = datasets.len();
    for file in &table.datasets {
        let Some((dir, shown_dir)) = dir else {
            src.error(
                Some(file.span()),
                "Fides dataset files can only be read from an overlay file on disk",
            );
            continue;
        };
        let path = dir.join(file.get_ref());
        let shown = Path::new(shown_dir)
            .join(file.get_ref())
            .to_string_lossy()
            .into_owned();
        let m = read_manifests(&[(&path, &shown)])?;
        warnings.extend(m.warnings);
        if m.datasets.is_empty() {
            src.warning(
                Some(file.span()),
                format!("`{}` holds no Fides dataset", file.get_ref()),
            );
        }
        datasets.extend(m.datasets.into_iter().map(|d| (d, file.span())));
    }
    let mut seen = BTreeSet::new();
    for (d, at) in &datasets {
        if !seen.insert(d.key.as_str()) {
            src.error(
                Some(at.clone()),
                format!(
                    "dataset `{}` (`{}`) is given twice; each dataset's rows are counted once",
                    d.key, d.at.file
                ),
            );
        }
    }
    let rows = rows(table, &datasets, src);
    let default = match &table.default_rows {
        Some(v) => non_negative(src, v, "[fides] default_rows").unwrap_or(DEFAULT_ROWS),
        None => DEFAULT_ROWS,
    };
    let keys: Vec<&str> = datasets.iter().map(|(d, _)| d.key.as_str()).collect();
    for (key, sel) in &table.stores {
        if !keys.contains(&key.as_str()) {
            src.error(
                Some(sel.span()),
                format!(
                    "[fides.stores] `{key}` is no dataset of this overlay{}",
                    did_you_mean(key, keys.iter().copied())
                ),
            );
        }
    }
    // Datasets named by the same selector share one entry: their rows add up.
    let mut groups: Vec<(Sel, Vec<usize>)> = Vec::new();
    for (i, (d, at)) in datasets.iter().enumerate() {
        let sel = match table.stores.get(&d.key) {
            Some(sel) => sel.clone(),
            None => Spanned::new(at.clone(), Selecting::Text(d.key.as_str().into())),
        };
        match groups.iter_mut().find(|(g, _)| same(g, &sel)) {
            Some((_, members)) => members.push(i),
            None => groups.push((sel, vec![i])),
        }
    }
    let mut entries = Vec::new();
    for (id, members) in groups {
        let mut notes = Vec::new();
        let group: Vec<&Dataset> = members.iter().map(|&i| &datasets[i].0).collect();
        let at = id.span();
        let records = record_sets(&group, &at, &rows, default, &mut notes);
        for (i, note) in notes {
            let (d, at) = &datasets[members[i]];
            if members[i] < own_from {
                warnings.push(d.at.diagnostic(Severity::Warning, note));
            } else {
                src.warning(Some(at.clone()), note);
            }
        }
        entries.push(RawStore {
            id,
            retention_days: None,
            records,
            credentials: Vec::new(),
            name: None,
            description: None,
        });
    }
    Ok((entries, warnings))
}

/// `[fides.rows]`, each key checked against the datasets' collections.
fn rows(
    table: &RawFides,
    datasets: &[(Dataset, Range<usize>)],
    src: &mut Source,
) -> BTreeMap<String, (u64, Range<usize>)> {
    let known: BTreeSet<String> = datasets
        .iter()
        .flat_map(|(d, _)| {
            d.collections
                .iter()
                .map(|c| format!("{}.{}", d.key, c.name))
        })
        .collect();
    let mut out = BTreeMap::new();
    for (key, v) in &table.rows {
        if !known.contains(key) {
            src.error(
                Some(v.span()),
                format!(
                    "[fides.rows] `{key}` is no `dataset.collection` of this overlay's datasets{}",
                    did_you_mean(key, known.iter().map(String::as_str))
                ),
            );
            continue;
        }
        if let Some(n) = non_negative(src, v, &format!("[fides.rows] `{key}`")) {
            out.insert(key.clone(), (n, v.span()));
        }
    }
    out
}

/// Whether two selectors are written the same.
fn same(a: &Sel, b: &Sel) -> bool {
    match (a.get_ref(), b.get_ref()) {
        (Selecting::Text(x), Selecting::Text(y)) => x == y,
        (Selecting::Props(x), Selecting::Props(y)) => x == y,
        _ => false,
    }
}

fn days(r: &Option<Retention>) -> Option<u32> {
    match r {
        Some(Retention::Days(d)) => Some(*d),
        _ => None,
    }
}

/// One record set per category of the datasets (those of one store): the rows of their
/// collections with it. Notes are warnings, each with the dataset (by index) it is about.
fn record_sets(
    datasets: &[&Dataset],
    at: &Range<usize>,
    rows: &BTreeMap<String, (u64, Range<usize>)>,
    default: u64,
    notes: &mut Vec<(usize, String)>,
) -> Vec<RawRecordSet> {
    // category → (records, retention days of its collections)
    let mut sets: BTreeMap<&str, (u64, BTreeSet<Option<u32>>)> = BTreeMap::new();
    for (i, d) in datasets.iter().enumerate() {
        let mut defaulted = Vec::new();
        for c in &d.collections {
            let n = match rows.get(&format!("{}.{}", d.key, c.name)) {
                Some((n, _)) => *n,
                None => {
                    if !c.categories.is_empty() {
                        defaulted.push(c.name.as_str());
                    }
                    default
                }
            };
            let retention = days(&c.retention).or(days(&d.retention));
            for cat in &c.categories {
                let e = sets.entry(cat).or_default();
                e.0 = e.0.saturating_add(n);
                e.1.insert(retention);
            }
        }
        if !defaulted.is_empty() {
            let shown: Vec<&str> = defaulted.iter().take(5).copied().collect();
            notes.push((i, format!(
                "dataset `{}`: {} collection{} without a row count in [fides.rows] ({}{}) hold{} default_rows = {default} row{} each",
                d.key,
                defaulted.len(),
                if defaulted.len() == 1 { "" } else { "s" },
                shown.join(", "),
                if defaulted.len() > 5 { ", …" } else { "" },
                if defaulted.len() == 1 { "s" } else { "" },
                if default == 1 { "" } else { "s" },
            )));
        }
    }
    let first = datasets.first().map(|d| d.key.as_str()).unwrap_or_default();
    sets.into_iter()
        .map(|(cat, (n, retentions))| {
            if retentions.len() > 1 {
                notes.push((0, format!(
                    "dataset `{first}`: the collections holding `{cat}` on its store differ in retention; the set keeps the longest"
                )));
            }
            // Absent retention means kept for as long as the program runs: the longest.
            let retention = if retentions.contains(&None) {
                None
            } else {
                retentions.into_iter().flatten().max()
            };
            RawRecordSet {
                category: Spanned::new(at.clone(), cat.into()),
                count: Some(Spanned::new(at.clone(), i64::try_from(n).unwrap_or(i64::MAX))),
                per_day: None,
                retention_days: retention.map(|r| Spanned::new(at.clone(), i64::from(r))),
                subjects: None,
                coverage: None,
            }
        })
        .collect()
}
