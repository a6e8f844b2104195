//! A fast, allocation-free tally of what a set of leaked stores exposes, for the inner loops of
//! the simulation and the sweep. It computes exactly what [`super::exposure::exposure_of`]
//! computes (the tests hold them equal), over flat arrays built once per model.

use crate::model::records::{union_records, Holding, Holdings, SetId};
use crate::model::{category_matches, Model, NodeId};

/// Per-model lookup tables for tallying.
#[derive(Debug, Clone)]
pub struct ExposureIndex {
    /// Holdings of store `s` are `holdings[offsets[s]..offsets[s+1]]`.
    offsets: Vec<u32>,
    holdings: Vec<Holding>,
    /// Per set: category index, whether every copy anywhere holds the whole set.
    set_category: Vec<u32>,
    set_whole: Vec<bool>,
    set_amount: Vec<crate::model::Amount>,
    set_population: Vec<u32>,
    set_coverage: Vec<f64>,
    /// Per set: bit r set when regime r covers its category.
    set_regimes: Vec<u64>,
    /// Category names (sorted) and weights.
    pub categories: Vec<String>,
    pub weights: Vec<f64>,
    /// Population names (sorted) and sizes.
    pub populations: Vec<String>,
    pub sizes: Vec<f64>,
    /// Regime names (sorted).
    pub regimes: Vec<String>,
}

pub const NO_POPULATION: u32 = u32::MAX;

impl ExposureIndex {
    pub fn new(model: &Model, holdings: &Holdings) -> ExposureIndex {
        let mut categories: Vec<String> = model
            .record_sets
            .iter()
            .map(|s| s.category.clone())
            .collect();
        categories.sort();
        categories.dedup();
        let weights = categories
            .iter()
            .map(|c| model.categories.weight(c))
            .collect();
        let populations: Vec<String> = model.populations.keys().cloned().collect();
        let sizes = model.populations.values().map(|&v| v as f64).collect();
        let regimes: Vec<String> = model.notification.keys().cloned().collect();
        let mut offsets = vec![0u32; model.node_count() + 1];
        let mut flat = Vec::new();
        let mut set_whole = vec![true; model.record_sets.len()];
        for (s, list) in holdings.by_store.iter().enumerate() {
            for h in list {
                if h.fraction != 1.0 {
                    set_whole[h.set as usize] = false;
                }
                flat.push(*h);
            }
            offsets[s + 1] = flat.len() as u32;
        }
        let set_category = model
            .record_sets
            .iter()
            .map(|s| {
                categories
                    .binary_search(&s.category)
                    .expect("category listed") as u32
            })
            .collect();
        let set_population = model
            .record_sets
            .iter()
            .map(|s| {
                s.subjects
                    .as_ref()
                    .and_then(|p| populations.iter().position(|x| x == p))
                    .map_or(NO_POPULATION, |i| i as u32)
            })
            .collect();
        let set_regimes = model
            .record_sets
            .iter()
            .map(|s| {
                let mut bits = 0u64;
                for (r, (_, prefixes)) in model.notification.iter().enumerate().take(64) {
                    if prefixes.iter().any(|p| category_matches(&s.category, p)) {
                        bits |= 1 << r;
                    }
                }
                bits
            })
            .collect();
        ExposureIndex {
            offsets,
            holdings: flat,
            set_category,
            set_whole,
            set_amount: model.record_sets.iter().map(|s| s.amount).collect(),
            set_population,
            set_coverage: model.record_sets.iter().map(|s| s.coverage).collect(),
            set_regimes,
            categories,
            weights,
            populations,
            sizes,
            regimes,
        }
    }

    pub fn set_count(&self) -> usize {
        self.set_category.len()
    }

    fn store_holdings(&self, s: NodeId) -> &[Holding] {
        &self.holdings[self.offsets[s as usize] as usize..self.offsets[s as usize + 1] as usize]
    }
}

/// Reusable scratch space and the figures of the last tally.
#[derive(Debug, Clone)]
pub struct Tally {
    epoch: u32,
    set_epoch: Vec<u32>,
    set_window: Vec<u32>,
    set_copies: Vec<Vec<Holding>>,
    touched: Vec<SetId>,
    /// Records per category (index of [`ExposureIndex::categories`]).
    pub records: Vec<u64>,
    pub records_total: u64,
    pub exposure: f64,
    /// Expected people affected per population.
    pub people: Vec<f64>,
    /// Expected people to notify per regime × population (regime-major).
    pub notifiable: Vec<f64>,
    /// Whether any set of each regime × population leaked (with coverage > 0).
    pub any_notifiable: Vec<bool>,
    /// Per population: the product of (1 − coverage) over the leaked sets.
    pub none: Vec<f64>,
    none_regime: Vec<f64>,
}

impl Tally {
    pub fn new(index: &ExposureIndex) -> Tally {
        let sets = index.set_count();
        let pops = index.populations.len();
        let rp = index.regimes.len() * pops;
        Tally {
            epoch: 0,
            set_epoch: vec![0; sets],
            set_window: vec![0; sets],
            set_copies: vec![Vec::new(); sets],
            touched: Vec::new(),
            records: vec![0; index.categories.len()],
            records_total: 0,
            exposure: 0.0,
            people: vec![0.0; pops],
            notifiable: vec![0.0; rp],
            any_notifiable: vec![false; rp],
            none: vec![1.0; pops],
            none_regime: vec![1.0; rp],
        }
    }

    /// Tallies the stores for which `leaked(store)` holds, among `stores`.
    pub fn count(&mut self, index: &ExposureIndex, stores: impl IntoIterator<Item = NodeId>) {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.set_epoch.iter_mut().for_each(|e| *e = 0);
            self.epoch = 1;
        }
        self.touched.clear();
        for s in stores {
            for h in index.store_holdings(s) {
                let set = h.set as usize;
                if self.set_epoch[set] != self.epoch {
                    self.set_epoch[set] = self.epoch;
                    self.set_window[set] = 0;
                    self.set_copies[set].clear();
                    self.touched.push(h.set);
                }
                if index.set_whole[set] {
                    self.set_window[set] = self.set_window[set].max(h.window);
                } else {
                    self.set_copies[set].push(*h);
                }
            }
        }
        // Set order, so that float products and sums never depend on visiting order.
        self.touched.sort_unstable();
        self.records.iter_mut().for_each(|r| *r = 0);
        self.none.iter_mut().for_each(|x| *x = 1.0);
        self.none_regime.iter_mut().for_each(|x| *x = 1.0);
        self.any_notifiable.iter_mut().for_each(|x| *x = false);
        let pops = index.populations.len();
        for &set in &self.touched {
            let s = set as usize;
            let n = if index.set_whole[s] {
                match index.set_amount[s] {
                    crate::model::Amount::Count(c) => c,
                    crate::model::Amount::PerDay(d) => d.saturating_mul(self.set_window[s] as u64),
                }
            } else {
                union_records(index.set_amount[s], &self.set_copies[s])
            };
            if n == 0 {
                continue;
            }
            let r = &mut self.records[index.set_category[s] as usize];
            *r = r.saturating_add(n);
            let p = index.set_population[s];
            if p != NO_POPULATION {
                let keep = 1.0 - index.set_coverage[s];
                self.none[p as usize] *= keep;
                let mut bits = index.set_regimes[s];
                while bits != 0 {
                    let r = bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    self.none_regime[r * pops + p as usize] *= keep;
                    if index.set_coverage[s] > 0.0 {
                        self.any_notifiable[r * pops + p as usize] = true;
                    }
                }
            }
        }
        self.records_total = self.records.iter().fold(0, |a, &b| a.saturating_add(b));
        self.exposure = self
            .records
            .iter()
            .zip(&index.weights)
            .map(|(&r, &w)| r as f64 * w)
            .sum();
        for (i, size) in index.sizes.iter().enumerate() {
            self.people[i] = size * (1.0 - self.none[i]);
        }
        // (self.none keeps, per population, the product of (1 − coverage) of the leaked sets.)
        for (i, x) in self.none_regime.iter().enumerate() {
            self.notifiable[i] = index.sizes[i % pops.max(1)] * (1.0 - x);
        }
    }
}
