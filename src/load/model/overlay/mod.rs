//! Data-inventory overlays: what an architect knows about data (record sets, retention,
//! categories and their weights, flows, populations and notification regimes, extra grants,
//! access, memberships and steps) added to a model built elsewhere, typically an identity graph
//! imported from BloodHound collectors, which knows who reaches which database but not what it
//! holds.
//!
//! An overlay is written in the model's own vocabulary: the `[[store]]`, `[[system]]`,
//! `[[grant]]`, `[[flow]]`, `[[edge]]` and `[[membership]]` entries of a model file and its
//! `[categories]`, `[populations]` and `[notification]` tables, plus CSV side files in `[csv]`
//! (the model's own side tables, except people, accounts and groups). Serde reads it into the
//! model's raw entries (`load/raw.rs`) with selectors in place of ids (`select.rs`); each
//! entry then becomes, per selected node, the entry a model file would give (`entries.rs`),
//! checked by the model's own builder and merged under the overlay rules (`merge.rs`): an
//! overlay adds to the model and may repeat what the model already says, never change it.
//! `[[store]]` entries may select systems, which then become stores. A `[fides]` table adds
//! Fides datasets' collections as record sets (`fides.rs`), through the same `[[store]]` path.
//!
//! Overlays apply in order (`--overlay` flags in the order given, `[include] overlays` in the
//! order listed), each selector resolved on the model the earlier overlays left. Every problem
//! of an overlay is reported at once; an overlay with errors changes nothing.

mod entries;
mod fides;
mod merge;
mod select;

use std::collections::BTreeMap;
use std::path::Path;

use toml::Spanned;

use super::build::check_flows;
use super::scalars::{key_in, name_fits, non_negative, span};
use super::{flatten_weights, in_reading_order, suggest_ids};
use crate::error::{Diagnostic, Error, Result};
use crate::interop::fides::Dataset;
use crate::load::csv_files::{open_side_files, par_rows};
use crate::load::raw::{RawOverlay, RawStore};
use crate::load::side_tables::{declared_id, SideRow};
use crate::load::source::Source;
use crate::model::{category_matches, Categories, Model};

use entries::{retype, Entries};
use merge::RULE;

/// A model with overlays applied, and the warnings they gave.
#[derive(Debug, Clone)]
pub struct Overlaid {
    pub model: Model,
    pub warnings: Vec<Diagnostic>,
}

/// Side tables an overlay may not hold: it adds to nodes a model has and declares none.
const NOT_IN_OVERLAYS: [&str; 3] = ["person", "account", "group"];

/// Applies the overlay file at `path` (`shown` in messages, as the user wrote it) to `model`;
/// its CSV side files are read beside it.
pub fn apply_overlay(model: Model, path: &Path, shown: &str) -> Result<Overlaid> {
    apply_file(model, path, shown, &[])
}

/// [`apply_overlay`], with Fides datasets read elsewhere (`extra`) added as if its `[fides]`
/// table listed them.
fn apply_file(model: Model, path: &Path, shown: &str, extra: &[Dataset]) -> Result<Overlaid> {
    let text = crate::load::input::read_text(path).map_err(|source| Error::Read {
        path: shown.to_string(),
        source,
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let shown_dir = Path::new(shown)
        .parent()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    apply(model, &text, shown, Some((dir, &shown_dir)), extra)
}

/// Applies overlay text (`name` in messages) to `model`. CSV side files cannot be read from
/// text alone: use [`apply_overlay`] for an overlay that has them.
pub fn parse_overlay(model: Model, text: &str, name: &str) -> Result<Overlaid> {
    apply(model, text, name, None, &[])
}

/// Applies the overlay files at `paths` in order (each with the name to show).
pub fn apply_overlays(mut model: Model, paths: &[(&Path, String)]) -> Result<Overlaid> {
    let mut warnings = Vec::new();
    for (path, shown) in paths {
        let o = apply_overlay(model, path, shown)?;
        model = o.model;
        warnings.extend(o.warnings);
    }
    Ok(Overlaid { model, warnings })
}

/// [`apply_overlays`] for `import fides`: the `datasets` it read become record sets with the
/// rows of the first overlay that has a `[fides]` table (or of the last overlay, or, without
/// any, `default_rows` of 1, warned of), then every overlay applies as usual.
pub fn apply_overlays_with_datasets(
    mut model: Model,
    paths: &[(&Path, String)],
    datasets: &[Dataset],
) -> Result<Overlaid> {
    let has_table = |path: &Path| {
        crate::load::input::read_text(path)
            .ok()
            .and_then(|t| toml::from_str::<toml::Table>(&t).ok())
            .is_some_and(|t| t.contains_key("fides"))
    };
    let at = paths
        .iter()
        .position(|(p, _)| has_table(p))
        .or(paths.len().checked_sub(1));
    let mut warnings = Vec::new();
    if at.is_none() && !datasets.is_empty() {
        let o = apply(model, "", "(no overlay)", None, datasets)?;
        model = o.model;
        warnings.extend(o.warnings);
    }
    for (i, (path, shown)) in paths.iter().enumerate() {
        let extra = if Some(i) == at { datasets } else { &[] };
        let o = apply_file(model, path, shown, extra)?;
        model = o.model;
        warnings.extend(o.warnings);
    }
    Ok(Overlaid { model, warnings })
}

/// An overlay's phases in their order: read, side files, tables, systems made stores, the
/// entries, then the whole model's checks.
fn apply(
    model: Model,
    text: &str,
    name: &str,
    dir: Option<(&Path, &str)>,
    extra: &[Dataset],
) -> Result<Overlaid> {
    let mut model = model.canonical();
    let mut src = Source::new(name, text.to_string());
    let mut raw: RawOverlay = toml::from_str(text).map_err(|e| Error::Syntax {
        path: name.to_string(),
        message: e.to_string().trim_end().to_string(),
    })?;
    let rows = side_rows(raw.csv.take(), &mut src, dir);
    tables(&raw, &mut src, &mut model);
    let (fides_stores, fides_warnings) =
        fides::store_entries(raw.fides.as_ref(), extra, &mut src, dir)?;

    // Systems become stores first, so that every later selector sees them as stores.
    let csv_stores: Vec<&RawStore> = rows
        .iter()
        .filter_map(|r| match r {
            SideRow::Store(s) => Some(s),
            _ => None,
        })
        .collect();
    let toml_nodes = retype(&mut model, &mut src, raw.store.iter().map(|s| &s.id));
    let csv_nodes = retype(&mut model, &mut src, csv_stores.iter().map(|s| &s.id));
    let fides_nodes = retype(&mut model, &mut src, fides_stores.iter().map(|s| &s.id));

    let mut e = Entries::new(&model, &mut src);
    for (s, nodes) in raw.store.iter().zip(&toml_nodes) {
        e.store(s, nodes);
    }
    for (s, nodes) in csv_stores.iter().zip(&csv_nodes) {
        e.store(*s, nodes);
    }
    for (s, nodes) in fides_stores.iter().zip(&fides_nodes) {
        e.store(s, nodes);
    }
    for s in &raw.system {
        e.system(s);
    }
    for m in &raw.membership {
        e.membership(m);
    }
    for g in &raw.grant {
        e.grant(g);
    }
    for edge in &raw.edge {
        e.edge(edge);
    }
    for f in &raw.flow {
        e.flow(f);
    }
    for r in &rows {
        e.side_row(r);
    }
    e.pending.add_to(&mut model);
    let mut model = model.canonical();
    notification(&raw, &mut src, &mut model);
    if !src.has_errors() {
        check_flows(&mut src, &model);
    }

    let (mut errors, suggestions, mut warnings) = in_reading_order(src);
    if !errors.is_empty() {
        suggest_ids(&model, &mut errors, &suggestions);
        return Err(Error::Invalid { problems: errors });
    }
    warnings.extend(fides_warnings);
    Ok(Overlaid { model, warnings })
}

/// The rows of the overlay's side files, in the order a model's are read (stores before their
/// record sets). Rows are few next to a model's, so they are held.
fn side_rows(
    files: Option<BTreeMap<String, Spanned<String>>>,
    src: &mut Source,
    dir: Option<(&Path, &str)>,
) -> Vec<SideRow> {
    let Some(mut files) = files else {
        return Vec::new();
    };
    for table in NOT_IN_OVERLAYS {
        if let Some(f) = files.remove(table) {
            src.error(
                span(&f),
                format!(
                    "an overlay adds to the nodes a model has and declares none, so it cannot hold {table} rows; it may hold store, records, system, access, membership, grant, flow and edge rows"
                ),
            );
        }
    }
    let Some((dir, shown_dir)) = dir else {
        if let Some((_, f)) = files.iter().next() {
            src.error(
                span(f),
                "CSV side files can only be read from an overlay file on disk",
            );
        }
        return Vec::new();
    };
    let mut rows = Vec::new();
    for file in open_side_files(files, src, dir, shown_dir) {
        let table = file.table;
        // The rows keep their positions, and are checked once the overlay is read: the
        // files' text stays in `src`.
        par_rows(
            &file,
            true,
            |_| Vec::new(),
            |found: &mut Vec<SideRow>, problems, row, at| {
                if table.declares.is_some() && declared_id(problems, row, at).is_none() {
                    return;
                }
                if let Some(r) = (table.parse)(problems, row, at) {
                    found.push(r);
                }
            },
            |found, problems| {
                problems.add_to(src);
                rows.extend(found);
            },
        );
    }
    rows
}

/// `[categories]` and `[populations]`, merged into the model's before any record set is
/// checked (record sets name populations).
fn tables(raw: &RawOverlay, src: &mut Source, model: &mut Model) {
    if let Some(table) = &raw.categories {
        let mut weights = Vec::new();
        flatten_weights(src, "", table, &mut weights);
        let mut all = model.categories.declared().to_vec();
        for (name, w) in weights {
            match all.iter().find(|(n, _)| *n == name) {
                Some((_, old)) if *old != w => src.error(
                    None,
                    format!("[categories] `{name}` already weighs {old}, not {w}; {RULE}"),
                ),
                Some(_) => {}
                None => all.push((name, w)),
            }
        }
        model.categories = Categories::new(all);
    }
    for (name, size) in raw.populations.iter().flatten() {
        let at = key_in(src.text(), name).or(span(size));
        if !name_fits(src, at, "a [populations] name", name) {
            continue;
        }
        let Some(n) = non_negative(src, size, &format!("population `{name}`")) else {
            continue;
        };
        match model.populations.get(name) {
            Some(&old) if old != n => src.error(
                span(size),
                format!("population `{name}` already has {old} people, not {n}; {RULE}"),
            ),
            _ => {
                model.populations.insert(name.clone(), n);
            }
        }
    }
}

/// `[notification]`, once the record sets are in: regimes new to the model, or repeated with
/// the same prefixes; a prefix no record set falls under is warned of, as in a model.
fn notification(raw: &RawOverlay, src: &mut Source, model: &mut Model) {
    for (regime, prefixes) in raw.notification.iter().flatten() {
        let named = key_in(src.text(), regime);
        let fits = name_fits(src, named, "a [notification] regime", regime);
        let prefixes_fit = prefixes
            .iter()
            .filter(|p| !name_fits(src, span(p), "a [notification] category", p.get_ref()))
            .count()
            == 0;
        if !(fits && prefixes_fit) {
            continue;
        }
        let list: Vec<String> = prefixes.iter().map(|p| p.get_ref().clone()).collect();
        let at = prefixes.first().and_then(span);
        match model.notification.get(regime) {
            Some(old) if *old != list => {
                src.error(
                    at,
                    format!(
                        "notification regime `{regime}` already covers [{}], not [{}]; {RULE}",
                        old.join(", "),
                        list.join(", ")
                    ),
                );
                continue;
            }
            _ => {}
        }
        for p in prefixes {
            let prefix = p.get_ref();
            if !model
                .record_sets
                .iter()
                .any(|s| category_matches(&s.category, prefix))
            {
                src.warning(
                    span(p),
                    format!("notification regime `{regime}`: no record set has a category under `{prefix}`"),
                );
            }
        }
        model.notification.insert(regime.clone(), list);
    }
}
