//! Data fixes `recommend` offers at a store (a retention cut, a category dropped) and how
//! each is scored: on the store's holdings recomputed with the fix made.

use super::{single, Search, ORG_DATA_FIXES};
use crate::design::{apply, Change};
use crate::engine::org;
use crate::engine::tally::ExposureIndex;
use crate::model::records::Holdings;
use crate::model::{Amount, Model, NodeId};
use crate::Analysis;

/// For the organisation-wide objective: the data fixes at every store the sampled sources
/// reach, ranked by the weight reaching the store times the exposure the fix takes from it
/// (copies elsewhere ignored), the first [`ORG_DATA_FIXES`] measured with a sweep each.
pub(super) fn org_data_fixes(
    a: &Analysis,
    search: &Search,
    shared: &org::Shared,
    score: &dyn Fn(&Model, &ExposureIndex) -> f64,
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

/// `score` of the model with `change` made at store `s` alone (its holdings recomputed); `m`
/// is the current model, left as it was.
fn data_fix_value(
    m: &mut Model,
    s: NodeId,
    change: &Change,
    score: &dyn Fn(&Model, &ExposureIndex) -> f64,
) -> f64 {
    let saved = m.store_policy[s as usize].clone();
    let changed = apply(m, std::slice::from_ref(change));
    m.store_policy[s as usize] = changed.store_policy[s as usize].clone();
    let holdings = Holdings::compute(m);
    let index = ExposureIndex::new(m, &holdings);
    let value = score(m, &index);
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
    score: &dyn Fn(&Model, &ExposureIndex) -> f64,
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
