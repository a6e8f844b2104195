//! `diff`: two versions of a model compared (DESIGN.md "Diff", `blastradius/diff/v1`).

use serde::{Deserialize, Serialize};

use crate::engine::diff::{Diff, Figures};

pub const SCHEMA: &str = "blastradius/diff/v1";

/// A source's worst case on one side.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct SideFigures {
    pub exposure: f64,
    pub records: u64,
    pub leaked_stores: u32,
    pub people: f64,
}

impl From<&Figures> for SideFigures {
    fn from(f: &Figures) -> SideFigures {
        SideFigures {
            exposure: f.exposure,
            records: f.records,
            leaked_stores: f.stores,
            people: f.people,
        }
    }
}

/// New minus old (a missing side counts as zero).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct SourceDelta {
    pub exposure: f64,
    pub records: i64,
    pub leaked_stores: i64,
    pub people: f64,
}

/// One source whose worst case differs, or that one side only has.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SourceEntry {
    pub id: String,
    pub kind: String,
    /// `changed`, `added` (NEW only) or `removed` (OLD only).
    pub status: String,
    pub old: Option<SideFigures>,
    pub new: Option<SideFigures>,
    pub delta: SourceDelta,
}

/// One change's effect applied alone to OLD.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct ChangeEffect {
    pub exposure: f64,
    pub sources_changed: usize,
}

/// One elementary change between the versions.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ChangeEntry {
    /// `added`, `removed` or `changed`.
    pub change: String,
    pub element: String,
    pub description: String,
    pub effect: ChangeEffect,
}

/// Σ worst-case exposure over every source of the kind, on each side.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct Total {
    pub old_exposure: f64,
    pub new_exposure: f64,
    pub delta: f64,
    /// The changes' effects alone, summed.
    pub attributed: f64,
    /// `delta − attributed`: what the changes do together and not alone (interactions).
    pub remainder: f64,
}

/// The report of `diff`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DiffReport {
    pub schema: String,
    pub old_model: String,
    pub new_model: String,
    pub kind: String,
    pub total: Total,
    /// Sources whose worst case differs, ranked by the size of the change in exposure (then
    /// records, then id); those on one side only follow.
    pub sources: Vec<SourceEntry>,
    /// Every source that differs, before `--top` cut the list.
    pub sources_differing: usize,
    /// Every elementary change, ranked by the size of its effect alone (then in model order).
    pub changes: Vec<ChangeEntry>,
    pub note: String,
}

fn delta(old: Option<&Figures>, new: Option<&Figures>) -> SourceDelta {
    let z = Figures {
        exposure: 0.0,
        records: 0,
        stores: 0,
        people: 0.0,
    };
    let (o, n) = (old.unwrap_or(&z), new.unwrap_or(&z));
    SourceDelta {
        exposure: n.exposure - o.exposure,
        records: n.records as i64 - o.records as i64,
        leaked_stores: n.stores as i64 - o.stores as i64,
        people: n.people - o.people,
    }
}

impl DiffReport {
    /// The report of a diff; `top` keeps the first sources (all with `None`).
    pub fn of(old_model: &str, new_model: &str, d: &Diff, top: Option<usize>) -> DiffReport {
        let kind = d.kind.as_str().to_string();
        // Both sweeps are sorted by id: one merge pairs them (a million sources each at 1M
        // people, where a lookup per source cost a second of string comparisons).
        let mut sources: Vec<SourceEntry> = Vec::new();
        let mut added: Vec<SourceEntry> = Vec::new();
        let (mut olds, mut news) = (d.old.iter().peekable(), d.new.iter().peekable());
        loop {
            let order = match (olds.peek(), news.peek()) {
                (None, None) => break,
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some((a, _)), Some((b, _))) => a.cmp(b),
            };
            let (id, o, n) = match order {
                std::cmp::Ordering::Less => {
                    let (id, o) = olds.next().expect("peeked");
                    (id, Some(o), None)
                }
                std::cmp::Ordering::Greater => {
                    let (id, n) = news.next().expect("peeked");
                    (id, None, Some(n))
                }
                std::cmp::Ordering::Equal => {
                    let (id, o) = olds.next().expect("peeked");
                    (id, Some(o), news.next().map(|(_, n)| n))
                }
            };
            let status = match (o, n) {
                (Some(_), None) => "removed",
                (None, _) => "added",
                (Some(o), Some(n)) if n != o => "changed",
                _ => continue,
            };
            let entry = SourceEntry {
                id: id.clone(),
                kind: kind.clone(),
                status: status.into(),
                old: o.map(SideFigures::from),
                new: n.map(SideFigures::from),
                delta: delta(o, n),
            };
            match o {
                Some(_) => sources.push(entry),
                None => added.push(entry),
            }
        }
        // Removed and changed ones in id order, then the added ones, as before the sort.
        sources.append(&mut added);
        sources.sort_by(|a, b| {
            (a.status != "changed")
                .cmp(&(b.status != "changed"))
                .then(b.delta.exposure.abs().total_cmp(&a.delta.exposure.abs()))
                .then(b.delta.records.abs().cmp(&a.delta.records.abs()))
                .then_with(|| a.id.cmp(&b.id))
        });
        let sources_differing = sources.len();
        if let Some(t) = top {
            sources.truncate(t);
        }
        let mut changes: Vec<ChangeEntry> = d
            .changes
            .iter()
            .zip(&d.effects)
            .map(|(c, e)| ChangeEntry {
                change: c.status.as_str().into(),
                element: c.element.into(),
                description: c.description.clone(),
                effect: ChangeEffect {
                    exposure: e.exposure,
                    sources_changed: e.sources_changed,
                },
            })
            .collect();
        // Stable: equal effects keep the model order of the changes.
        changes.sort_by(|a, b| b.effect.exposure.abs().total_cmp(&a.effect.exposure.abs()));
        let (old_exposure, new_exposure) = (
            crate::engine::diff::total(&d.old),
            crate::engine::diff::total(&d.new),
        );
        let attributed: f64 = d.effects.iter().map(|e| e.exposure).sum();
        let delta = new_exposure - old_exposure;
        DiffReport {
            schema: SCHEMA.into(),
            old_model: old_model.into(),
            new_model: new_model.into(),
            kind,
            total: Total {
                old_exposure,
                new_exposure,
                delta,
                attributed,
                remainder: delta - attributed,
            },
            sources,
            sources_differing,
            changes,
            note: "each change's effect is that change alone applied to OLD; effects need not add \
                   up to the total change, and the remainder is what the changes do together"
                .into(),
        }
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.sources_differing == 0
    }
}

/// One CSV row: a source or a change.
#[derive(Debug, Serialize)]
pub struct DiffRow<'a> {
    pub section: &'static str,
    pub id: &'a str,
    pub status: &'a str,
    pub element: &'a str,
    pub old_exposure: Option<f64>,
    pub new_exposure: Option<f64>,
    pub delta_exposure: f64,
    pub old_records: Option<u64>,
    pub new_records: Option<u64>,
    pub delta_records: Option<i64>,
    pub sources_changed: Option<usize>,
}

impl DiffReport {
    /// The CSV rows: every listed source, then every change.
    pub fn csv_rows(&self) -> Vec<DiffRow<'_>> {
        let sources = self.sources.iter().map(|s| DiffRow {
            section: "source",
            id: &s.id,
            status: &s.status,
            element: &s.kind,
            old_exposure: s.old.map(|f| f.exposure),
            new_exposure: s.new.map(|f| f.exposure),
            delta_exposure: s.delta.exposure,
            old_records: s.old.map(|f| f.records),
            new_records: s.new.map(|f| f.records),
            delta_records: Some(s.delta.records),
            sources_changed: None,
        });
        let changes = self.changes.iter().map(|c| DiffRow {
            section: "change",
            id: &c.description,
            status: &c.change,
            element: &c.element,
            old_exposure: None,
            new_exposure: None,
            delta_exposure: c.effect.exposure,
            old_records: None,
            new_records: None,
            delta_records: None,
            sources_changed: Some(c.effect.sources_changed),
        });
        sources.chain(changes).collect()
    }
}
