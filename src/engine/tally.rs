//! A fast, allocation-free tally of what a set of leaked stores exposes, for the inner loops of
//! the simulation and the sweep. It computes exactly what [`super::exposure::exposure_of`]
//! computes (the tests hold them equal), over flat arrays built once per model.

use super::batch_reach::LANES;
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
    /// Whole sets held in exactly one store: they need no union across copies.
    set_solo: Vec<bool>,
    set_amount: Vec<crate::model::Amount>,
    set_population: Vec<u32>,
    set_coverage: Vec<f64>,
    /// Per set: bit r set when regime r covers its category.
    set_regimes: Vec<u64>,
    /// Sets held in more than one store or not whole, in set order, and the copies of shared
    /// set `i`: `copies[copy_offsets[i]..copy_offsets[i + 1]]`, longest window first.
    shared_sets: Vec<SetId>,
    copy_offsets: Vec<u32>,
    copies: Vec<(NodeId, Holding)>,
    /// Position of each set in `shared_sets` (`u32::MAX` for sets held whole in one store).
    shared_slot: Vec<u32>,
    /// Store and window of each set held whole in one store.
    solo_store: Vec<Option<(NodeId, u32)>>,
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

/// The record categories of a model, sorted and distinct: the categories an exposure index
/// counts records by.
pub fn record_categories(model: &Model) -> Vec<String> {
    let mut categories: Vec<&str> = model
        .record_sets
        .iter()
        .map(|s| s.category.as_str())
        .collect();
    categories.sort_unstable();
    categories.dedup();
    categories.into_iter().map(str::to_string).collect()
}

impl ExposureIndex {
    pub fn new(model: &Model, holdings: &Holdings) -> ExposureIndex {
        let categories = record_categories(model);
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
        let mut held = vec![0u32; model.record_sets.len()];
        for h in &flat {
            held[h.set as usize] += 1;
        }
        let set_solo: Vec<bool> = set_whole
            .iter()
            .zip(&held)
            .map(|(&whole, &n)| whole && n == 1)
            .collect();
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
        let mut by_set: Vec<Vec<(NodeId, Holding)>> = vec![Vec::new(); model.record_sets.len()];
        for (store, list) in holdings.by_store.iter().enumerate() {
            for h in list {
                by_set[h.set as usize].push((store as NodeId, *h));
            }
        }
        let mut shared_sets = Vec::new();
        let mut copy_offsets = vec![0u32];
        let mut copies = Vec::new();
        for (set, mut list) in by_set.into_iter().enumerate() {
            if list.is_empty() || set_solo[set] {
                continue;
            }
            list.sort_by_key(|(store, h)| (std::cmp::Reverse(h.window), *store));
            shared_sets.push(set as SetId);
            copies.extend(list);
            copy_offsets.push(copies.len() as u32);
        }
        let mut solo_store = vec![None; model.record_sets.len()];
        for (store, list) in holdings.by_store.iter().enumerate() {
            for h in list {
                if set_solo[h.set as usize] {
                    solo_store[h.set as usize] = Some((store as NodeId, h.window));
                }
            }
        }
        let mut shared_slot = vec![u32::MAX; model.record_sets.len()];
        for (i, &set) in shared_sets.iter().enumerate() {
            shared_slot[set as usize] = i as u32;
        }
        ExposureIndex {
            solo_store,
            shared_slot,
            shared_sets,
            copy_offsets,
            copies,
            offsets,
            holdings: flat,
            set_category,
            set_whole,
            set_solo,
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

    pub(crate) fn store_holdings(&self, s: NodeId) -> &[Holding] {
        &self.holdings[self.offsets[s as usize] as usize..self.offsets[s as usize + 1] as usize]
    }

    /// Deduplicated records of `set` when the copies in the stores `leaked` accepts leak
    /// together (what [`Tally::count`] adds for the set). `buf` is scratch space.
    pub(crate) fn set_records(
        &self,
        set: SetId,
        leaked: impl Fn(NodeId) -> bool,
        buf: &mut Vec<Holding>,
    ) -> u64 {
        let s = set as usize;
        let slot = self.shared_slot[s];
        if slot == u32::MAX {
            // Held whole in one store: the caller asks about a store that holds it.
            let h = self.copies_of_solo(set);
            return match h {
                Some((store, h)) if leaked(store) => whole_records(self.set_amount[s], h.window),
                _ => 0,
            };
        }
        let copies = &self.copies[self.copy_offsets[slot as usize] as usize
            ..self.copy_offsets[slot as usize + 1] as usize];
        if self.set_whole[s] {
            // Longest window first: the first leaked copy decides.
            return copies
                .iter()
                .find(|(st, _)| leaked(*st))
                .map_or(0, |(_, h)| whole_records(self.set_amount[s], h.window));
        }
        buf.clear();
        buf.extend(copies.iter().filter(|(st, _)| leaked(*st)).map(|(_, h)| *h));
        union_records(self.set_amount[s], buf)
    }

    /// The copies of a set held in several stores, each whole, longest window first (so the
    /// first leaked copy's records are the set's, as [`ExposureIndex::set_records`] counts
    /// them), as (store, records); `None` for a set held in one store alone or not whole.
    pub(crate) fn whole_copies(
        &self,
        set: SetId,
    ) -> Option<impl Iterator<Item = (NodeId, u64)> + '_> {
        let s = set as usize;
        let slot = self.shared_slot[s];
        if slot == u32::MAX || !self.set_whole[s] {
            return None;
        }
        let copies = &self.copies[self.copy_offsets[slot as usize] as usize
            ..self.copy_offsets[slot as usize + 1] as usize];
        let amount = self.set_amount[s];
        Some(
            copies
                .iter()
                .map(move |(st, h)| (*st, whole_records(amount, h.window))),
        )
    }

    /// Whether a set is held whole in one store alone.
    pub(crate) fn is_solo(&self, set: SetId) -> bool {
        self.shared_slot[set as usize] == u32::MAX
    }

    /// The one store holding a set held whole in one store, with its holding.
    fn copies_of_solo(&self, set: SetId) -> Option<(NodeId, Holding)> {
        self.solo_store[set as usize].map(|(store, window)| {
            (
                store,
                Holding {
                    set,
                    fraction: 1.0,
                    window,
                },
            )
        })
    }

    /// Index of a set's category in [`ExposureIndex::categories`].
    pub(crate) fn category_of(&self, set: SetId) -> usize {
        self.set_category[set as usize] as usize
    }

    /// Weight of a set's category.
    pub(crate) fn set_weight(&self, set: SetId) -> f64 {
        self.weights[self.set_category[set as usize] as usize]
    }

    /// Population index of a set's subjects (or [`NO_POPULATION`]) and its coverage.
    pub(crate) fn set_subjects(&self, set: SetId) -> (u32, f64) {
        (
            self.set_population[set as usize],
            self.set_coverage[set as usize],
        )
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
    /// One bit per set, to put many touched sets in order without sorting.
    touched_bits: Vec<u64>,
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
            touched_bits: vec![0; sets.div_ceil(64)],
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

    /// Adds one leaked set's deduplicated records `n` to the figures.
    fn add(&mut self, index: &ExposureIndex, s: usize, n: u64) {
        add_set(
            index,
            s,
            n,
            Figures {
                records: &mut self.records,
                none: &mut self.none,
                none_regime: &mut self.none_regime,
                any_notifiable: &mut self.any_notifiable,
            },
        );
    }

    /// Tallies the records the given stores expose together. Sets held in one store only are
    /// added as they are met; sets with copies are united first, then added in set order.
    pub fn count(&mut self, index: &ExposureIndex, stores: impl IntoIterator<Item = NodeId>) {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.set_epoch.iter_mut().for_each(|e| *e = 0);
            self.epoch = 1;
        }
        self.touched.clear();
        self.records.iter_mut().for_each(|r| *r = 0);
        self.none.iter_mut().for_each(|x| *x = 1.0);
        self.none_regime.iter_mut().for_each(|x| *x = 1.0);
        self.any_notifiable.iter_mut().for_each(|x| *x = false);
        for s in stores {
            for h in index.store_holdings(s) {
                let set = h.set as usize;
                if index.set_solo[set] {
                    let n = match index.set_amount[set] {
                        crate::model::Amount::Count(c) => c,
                        crate::model::Amount::PerDay(d) => d.saturating_mul(h.window as u64),
                    };
                    self.add(index, set, n);
                    continue;
                }
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
        // Set order, so that float products never depend on visiting order: a sort for a few
        // sets, a pass over a bitmap for many.
        if self.touched.len() * 16 > self.set_epoch.len() {
            for &t in &self.touched {
                self.touched_bits[t as usize / 64] |= 1 << (t % 64);
            }
            self.touched.clear();
            for (w, word) in self.touched_bits.iter_mut().enumerate() {
                let mut x = *word;
                while x != 0 {
                    self.touched
                        .push((w * 64) as SetId + x.trailing_zeros() as SetId);
                    x &= x - 1;
                }
                *word = 0;
            }
        } else {
            self.touched.sort_unstable();
        }
        let touched = std::mem::take(&mut self.touched);
        for &set in &touched {
            let s = set as usize;
            let n = if index.set_whole[s] {
                match index.set_amount[s] {
                    crate::model::Amount::Count(c) => c,
                    crate::model::Amount::PerDay(d) => d.saturating_mul(self.set_window[s] as u64),
                }
            } else {
                union_records(index.set_amount[s], &self.set_copies[s])
            };
            self.add(index, s, n);
        }
        self.touched = touched;
        let done = finish(
            index,
            &self.records,
            &self.none,
            &self.none_regime,
            &mut self.people,
            &mut self.notifiable,
        );
        self.records_total = done.0;
        self.exposure = done.1;
    }
}

/// The running figures of one trial (or one tally) that leaked sets add to.
struct Figures<'a> {
    records: &'a mut [u64],
    none: &'a mut [f64],
    none_regime: &'a mut [f64],
    any_notifiable: &'a mut [bool],
}

/// Adds one leaked set's deduplicated records `n`: its category's records and, when its
/// subjects are a population, the chance that each person is not in it.
#[inline]
fn add_set(index: &ExposureIndex, s: usize, n: u64, f: Figures) {
    if n == 0 {
        return;
    }
    let slot = &mut f.records[index.set_category[s] as usize];
    *slot = slot.saturating_add(n);
    let p = index.set_population[s];
    if p != NO_POPULATION {
        let pops = index.populations.len();
        let keep = 1.0 - index.set_coverage[s];
        f.none[p as usize] *= keep;
        let mut bits = index.set_regimes[s];
        while bits != 0 {
            let r = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            f.none_regime[r * pops + p as usize] *= keep;
            if index.set_coverage[s] > 0.0 {
                f.any_notifiable[r * pops + p as usize] = true;
            }
        }
    }
}

/// Totals of a finished tally: writes people and notifiable figures, returns (records,
/// exposure). Exposure sums categories in index order, so it never depends on visiting order.
fn finish(
    index: &ExposureIndex,
    records: &[u64],
    none: &[f64],
    none_regime: &[f64],
    people: &mut [f64],
    notifiable: &mut [f64],
) -> (u64, f64) {
    let pops = index.populations.len();
    let total = records.iter().fold(0u64, |a, &b| a.saturating_add(b));
    let exposure = exposure_of_records(index, records);
    for (i, size) in index.sizes.iter().enumerate() {
        people[i] = size * (1.0 - none[i]);
    }
    for (i, x) in none_regime.iter().enumerate() {
        notifiable[i] = index.sizes[i % pops.max(1)] * (1.0 - x);
    }
    (total, exposure)
}

/// The exposure of records per category (indices of [`ExposureIndex::categories`]): summed in
/// category order, so the same records always give the same figure.
pub(crate) fn exposure_of_records(index: &ExposureIndex, records: &[u64]) -> f64 {
    records
        .iter()
        .zip(&index.weights)
        .map(|(&r, &w)| r as f64 * w)
        .sum()
}

/// Records of a whole set whose longest leaked window is `window` days.
#[inline]
fn whole_records(amount: crate::model::Amount, window: u32) -> u64 {
    match amount {
        crate::model::Amount::Count(c) => c,
        crate::model::Amount::PerDay(d) => d.saturating_mul(window as u64),
    }
}

/// The figures of up to 64 trials at once, from each leaked store's lane mask (bit j: the store
/// leaked in trial j). Each trial's figures are exactly what [`Tally::count`] gives for the
/// stores it leaked; sets held in one store are added store by store, shared sets in set order.
#[derive(Debug, Clone)]
pub struct BatchTally {
    cats: usize,
    pops: usize,
    rp: usize,
    /// lanes × categories, lanes × populations, lanes × (regimes × populations).
    pub records: Vec<u64>,
    none: Vec<f64>,
    none_regime: Vec<f64>,
    pub any_notifiable: Vec<bool>,
    pub people: Vec<f64>,
    pub notifiable: Vec<f64>,
    pub records_total: [u64; LANES],
    pub exposure: [f64; LANES],
    lane_copies: Vec<Holding>,
}

impl BatchTally {
    pub fn new(index: &ExposureIndex) -> BatchTally {
        let cats = index.categories.len();
        let pops = index.populations.len();
        let rp = index.regimes.len() * pops;
        BatchTally {
            cats,
            pops,
            rp,
            records: vec![0; LANES * cats],
            none: vec![1.0; LANES * pops],
            none_regime: vec![1.0; LANES * rp],
            any_notifiable: vec![false; LANES * rp],
            people: vec![0.0; LANES * pops],
            notifiable: vec![0.0; LANES * rp],
            records_total: [0; LANES],
            exposure: [0.0; LANES],
            lane_copies: Vec::new(),
        }
    }

    fn figures(&mut self, lane: usize) -> Figures<'_> {
        Figures {
            records: &mut self.records[lane * self.cats..(lane + 1) * self.cats],
            none: &mut self.none[lane * self.pops..(lane + 1) * self.pops],
            none_regime: &mut self.none_regime[lane * self.rp..(lane + 1) * self.rp],
            any_notifiable: &mut self.any_notifiable[lane * self.rp..(lane + 1) * self.rp],
        }
    }

    /// Tallies lanes `0..lanes`. `leaked` lists the stores that leaked in some lane with their
    /// masks, in store id order; `mask_of` gives any store's mask (0 when it did not leak).
    pub fn count(
        &mut self,
        index: &ExposureIndex,
        lanes: usize,
        leaked: &[(NodeId, u64)],
        mask_of: impl Fn(NodeId) -> u64,
    ) {
        self.records.fill(0);
        self.none.fill(1.0);
        self.none_regime.fill(1.0);
        self.any_notifiable.fill(false);
        for &(store, mask) in leaked {
            for h in index.store_holdings(store) {
                let set = h.set as usize;
                if !index.set_solo[set] {
                    continue;
                }
                let n = whole_records(index.set_amount[set], h.window);
                let mut m = mask;
                while m != 0 {
                    let j = m.trailing_zeros() as usize;
                    m &= m - 1;
                    add_set(index, set, n, self.figures(j));
                }
            }
        }
        for (i, &set) in index.shared_sets.iter().enumerate() {
            let copies =
                &index.copies[index.copy_offsets[i] as usize..index.copy_offsets[i + 1] as usize];
            let mut remaining = copies.iter().fold(0u64, |m, (st, _)| m | mask_of(*st));
            if remaining == 0 {
                continue;
            }
            let s = set as usize;
            if index.set_whole[s] {
                // Longest window first: a trial's records come from its first leaked copy.
                let mut take = [0u64; LANES];
                for (st, h) in copies {
                    let mut fresh = mask_of(*st) & remaining;
                    remaining &= !fresh;
                    let n = whole_records(index.set_amount[s], h.window);
                    while fresh != 0 {
                        let j = fresh.trailing_zeros() as usize;
                        fresh &= fresh - 1;
                        take[j] = n;
                    }
                    if remaining == 0 {
                        break;
                    }
                }
                for (j, &n) in take.iter().enumerate().take(lanes) {
                    add_set(index, s, n, self.figures(j));
                }
            } else {
                while remaining != 0 {
                    let j = remaining.trailing_zeros() as usize;
                    remaining &= remaining - 1;
                    let mut buf = std::mem::take(&mut self.lane_copies);
                    buf.clear();
                    buf.extend(
                        copies
                            .iter()
                            .filter(|(st, _)| mask_of(*st) & (1 << j) != 0)
                            .map(|(_, h)| *h),
                    );
                    let n = union_records(index.set_amount[s], &buf);
                    self.lane_copies = buf;
                    add_set(index, s, n, self.figures(j));
                }
            }
        }
        for j in 0..lanes {
            let (total, exposure) = finish(
                index,
                &self.records[j * self.cats..(j + 1) * self.cats],
                &self.none[j * self.pops..(j + 1) * self.pops],
                &self.none_regime[j * self.rp..(j + 1) * self.rp],
                &mut self.people[j * self.pops..(j + 1) * self.pops],
                &mut self.notifiable[j * self.rp..(j + 1) * self.rp],
            );
            self.records_total[j] = total;
            self.exposure[j] = exposure;
        }
    }
}
