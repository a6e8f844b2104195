//! Data fixes `recommend` offers at a store (a retention cut, a category dropped) and how
//! each is scored: the fix is made at the store on the current model and undone after. The
//! worst case counts again only the record sets the store holds (no other set's copies change:
//! a retention cut changes the store's own copies, a dropped category those the store and
//! its flows onward held), each over its copies recomputed as [`Holdings`] computes them;
//! the simulated and organisation-wide objectives score the model on rebuilt holdings.

use super::{single, Search, ORG_DATA_FIXES};
use crate::design::{apply_in_place, Change};
use crate::engine::org;
use crate::engine::tally::{exposure_of_records, ExposureIndex, Tally};
use crate::model::records::{holdings_of_sets, union_records, FlowPlan, Holding, Holdings, SetId};
use crate::model::{Amount, Model, NodeId};
use crate::Analysis;

/// How a data fix is scored on the model with the fix made.
pub(super) enum DataScore<'a> {
    /// The worst-case exposure of the current blast radius (data fixes leave the reach alone).
    WorstCase(WorstCase<'a>),
    /// Any other objective, on holdings and an exposure index rebuilt with the fix made.
    Rebuilt(&'a dyn Fn(&Model, &ExposureIndex) -> f64),
}

/// The worst case of a fixed set of leaked stores: its records per category, and what the
/// record sets of one store come to when counted again on a changed model.
pub(super) struct WorstCase<'a> {
    a: &'a Analysis,
    plan: FlowPlan,
    leaked: Vec<bool>,
    records: Vec<u64>,
    buf: Vec<Holding>,
}

impl<'a> WorstCase<'a> {
    pub(super) fn new(a: &'a Analysis, leaked: &[NodeId]) -> WorstCase<'a> {
        let mut tally = Tally::new(a.index());
        tally.count(a.index(), leaked.iter().copied());
        let mut mask = vec![false; a.model.node_count()];
        for &s in leaked {
            mask[s as usize] = true;
        }
        WorstCase {
            a,
            plan: FlowPlan::new(&a.model),
            leaked: mask,
            records: tally.records,
            buf: Vec::new(),
        }
    }

    /// The exposure of the leaked stores on `m`, the current model with a data change made at
    /// store `s` alone.
    fn score(&mut self, m: &Model, s: NodeId) -> f64 {
        let index = self.a.index();
        let mut sets: Vec<SetId> = self.a.holdings.by_store[s as usize]
            .iter()
            .map(|h| h.set)
            .collect();
        sets.sort_unstable();
        sets.dedup();
        let shelves = holdings_of_sets(m, m.program_age_days, &self.plan, sets.iter().copied());
        let mut copies: Vec<Vec<Holding>> = vec![Vec::new(); sets.len()];
        for (store, held) in &shelves {
            if self.leaked[*store as usize] {
                for h in held {
                    let i = sets.binary_search(&h.set).expect("a set asked for");
                    copies[i].push(*h);
                }
            }
        }
        let mut records = self.records.clone();
        for (&set, copies) in sets.iter().zip(&copies) {
            let leaked = &self.leaked;
            let before = index.set_records(set, |x| leaked[x as usize], &mut self.buf);
            let after = union_records(m.record_sets[set as usize].amount, copies);
            let slot = &mut records[index.category_of(set)];
            *slot = slot.saturating_sub(before).saturating_add(after);
        }
        exposure_of_records(index, &records)
    }
}

/// For the organisation-wide objective: the data fixes at every store the sampled sources
/// reach, ranked by the weight reaching the store times the exposure the fix takes from it
/// (copies elsewhere ignored), the first [`ORG_DATA_FIXES`] measured with a sweep each.
pub(super) fn org_data_fixes(
    a: &Analysis,
    search: &Search,
    shared: &org::Shared,
    score: &mut DataScore,
) -> Vec<(Change, f64)> {
    let mut options: Vec<(f64, NodeId, Change)> = Vec::new();
    for &(s, w) in &shared.stores {
        for change in data_options(a, s, search.retention_days) {
            options.push((w * taken_at(a, s, &change), s, change));
        }
    }
    options.sort_by(|x, y| {
        y.0.total_cmp(&x.0)
            .then_with(|| x.2.describe().cmp(&y.2.describe()))
    });
    let mut m = a.model.clone();
    options
        .into_iter()
        .filter(|o| o.0 > 0.0)
        .take(ORG_DATA_FIXES)
        .map(|(_, s, change)| {
            let value = data_fix_value(&mut m, s, &change, score);
            (change, value)
        })
        .collect()
}

/// The exposure a data fix takes from store `s`'s own holdings (its copies elsewhere aside).
fn taken_at(a: &Analysis, s: NodeId, change: &Change) -> f64 {
    let model = &a.model;
    a.holdings.by_store[s as usize]
        .iter()
        .map(|h| {
            let set = &model.record_sets[h.set as usize];
            let (held, cut) = match set.amount {
                Amount::PerDay(n) => {
                    let keep = match change {
                        Change::SetRetention { days, .. } => h.window.min(*days),
                        _ => h.window,
                    };
                    (
                        n as f64 * h.window as f64,
                        n as f64 * (h.window - keep) as f64,
                    )
                }
                Amount::Count(c) => (c as f64, 0.0),
            };
            let taken = match change {
                Change::DropCategory { category, .. }
                    if crate::model::category_matches(&set.category, category) =>
                {
                    held
                }
                _ => cut,
            };
            taken * h.fraction * model.categories.weight(&set.category)
        })
        .sum()
}

/// `score` of the model with `change` made at store `s` alone; `m` is the current model, left
/// as it was.
fn data_fix_value(m: &mut Model, s: NodeId, change: &Change, score: &mut DataScore) -> f64 {
    let saved = m.store_policy[s as usize].clone();
    apply_in_place(m, change);
    let value = match score {
        DataScore::WorstCase(w) => w.score(m, s),
        DataScore::Rebuilt(score) => {
            let holdings = Holdings::compute(m);
            let index = ExposureIndex::new(m, &holdings);
            score(m, &index)
        }
    };
    m.store_policy[s as usize] = saved;
    value
}

/// The exposure a store holds (own records and copies, weighted).
pub(super) fn held(a: &Analysis, s: NodeId) -> f64 {
    a.holdings
        .store_records(&a.model, s)
        .iter()
        .map(|(c, r)| *r as f64 * a.model.categories.weight(c))
        .sum()
}

/// Data changes at the stores that matter most (`stores`, each with its score: the exposure
/// it holds, times the weight of the sources reaching it for the organisation-wide objective):
/// a retention cut, or one category dropped, each scored by `score` on recomputed holdings, so
/// the search looks at the `limit` first stores only (smaller stores cannot buy more per unit
/// of cost unless fixes there are far cheaper).
pub(super) fn data_fixes(
    a: &Analysis,
    search: &Search,
    mut stores: Vec<(f64, NodeId)>,
    limit: usize,
    score: &mut DataScore,
) -> Vec<(Change, f64)> {
    let model = &a.model;
    let mut out = Vec::new();
    stores.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    let mut m = model.clone();
    for &(_, s) in stores.iter().take(limit) {
        for change in data_options(a, s, search.retention_days) {
            let value = data_fix_value(&mut m, s, &change, score);
            out.push((change, value));
        }
    }
    out
}

/// The data fixes offered at store `s`: a retention cut when it keeps daily records longer
/// than `retention_days`, and dropping each category it holds.
fn data_options(a: &Analysis, s: NodeId, retention_days: u32) -> Vec<Change> {
    let model = &a.model;
    let held = &a.holdings.by_store[s as usize];
    let longest = held
        .iter()
        .filter(|h| matches!(model.record_sets[h.set as usize].amount, Amount::PerDay(_)))
        .map(|h| h.window)
        .max()
        .unwrap_or(0);
    let mut options: Vec<Change> = Vec::new();
    if longest > retention_days {
        options.push(Change::SetRetention {
            store: single(model, s),
            category: None,
            days: retention_days,
        });
    }
    let mut cats: Vec<&str> = held
        .iter()
        .map(|h| model.record_sets[h.set as usize].category.as_str())
        .collect();
    cats.sort_unstable();
    cats.dedup();
    for c in cats {
        options.push(Change::DropCategory {
            store: single(model, s),
            category: c.to_string(),
        });
    }
    options
}
