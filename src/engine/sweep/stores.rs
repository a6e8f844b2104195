//! The store pass: records, exposure, stores and people affected per source, one chunk of
//! stores at a time (each record set is counted in one chunk, which holds all its copies, so
//! records deduplicate within a chunk and add up across chunks; see [`super::cut`]).

use rayon::prelude::*;

use super::cut::{ChunkStores, StoreChunks};
use super::plan::{CompStores, Place, Plan, LEAF_BLOCK};
use super::rows::{Beyond, Chunk, Row, Scratch, Targets};
use super::touches::Touches;
use super::{FOLD_BLOCK, WORD};
use crate::engine::tally::{ExposureIndex, NO_POPULATION};
use crate::model::records::SetId;
use crate::model::{Model, NodeId};

/// A component's figures over one chunk of stores.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct StoreTotals {
    pub(super) records: u64,
    pub(super) exposure: f64,
    /// Leaked stores (those whose home is the chunk).
    pub(super) stores: u32,
    /// Leaked sink stores (see [`Plan::sink_store`]), counted in the reach size here instead
    /// of in the reach pass.
    pub(super) sinks: u32,
}

/// The figures of some components over one chunk of stores: totals, and per population the
/// chance that a person is untouched (`none[i * pops..(i + 1) * pops]` for the i-th).
pub(super) struct StoreFigures {
    pub(super) totals: Vec<StoreTotals>,
    pub(super) none: Vec<f64>,
}

impl StoreFigures {
    fn new(len: usize, pops: usize) -> StoreFigures {
        StoreFigures {
            totals: vec![StoreTotals::default(); len],
            none: vec![1.0; len * pops],
        }
    }
}

/// Scratch space for counting one component's record sets.
#[derive(Default)]
pub(super) struct SetScratch {
    /// Shared sets, as the chunk's [`SharedSets`] slots.
    pub(super) sets: Vec<u32>,
    pub(super) copies: Vec<crate::model::records::Holding>,
}

/// One chunk of stores, as the store pass sees it: only the record sets the chunk counts, and
/// only the stores it is the home of. A record set held whole in one store alone (a solo set)
/// adds the same records to whoever reaches that store, so each store's solo sets are summed
/// once per chunk, with the store itself when the chunk is its home; only the sets with copies
/// in several stores (shared sets) are counted per component.
pub(super) struct StoreChunk<'s> {
    /// Chunk-local index of each store node (`u32::MAX` outside the chunk).
    pub(super) local: &'s [u32],
    /// Per chunk store: what it and its solo sets add (itself and whether it is a sink store
    /// only in its home chunk), and per population the chance they leave a person untouched
    /// (`pops` per store).
    pub(super) solo: Vec<StoreTotals>,
    pub(super) solo_none: Vec<f64>,
    /// Shared sets of chunk store i, as slots of `sets`: `shared[shared_at[i]..shared_at[i + 1]]`.
    pub(super) shared_at: Vec<u32>,
    pub(super) shared: Vec<u32>,
    /// The shared sets the chunk counts.
    sets: SharedSets,
    /// The stores of each component.
    comp_stores: &'s CompStores,
    /// Per bare row (`kept..`): the chunk-local index of its store when it holds exactly one
    /// and that one is in the chunk, [`NONE`] when it holds none in the chunk, [`SEVERAL`] when
    /// its stores must be looked up. Most bare rows are a lone store: this spares a leaf
    /// reading them two lookups in tables by component and by node.
    bare: Vec<u32>,
    kept: usize,
}

/// The shared sets one chunk counts, in set order (so that figures are added in set order), and
/// the copies of each set held whole in each of them by chunk-local store index, longest window
/// first, with the records each would leak (a set's copies all sit in the chunk that counts it).
/// Recounting a set for a component then reads one bit per copy in its rows, instead of two
/// tables by node and set (at 1M people, 16M copies are read in the first two store chunks).
#[derive(Default)]
struct SharedSets {
    set: Vec<SetId>,
    /// Slot i's copies: `copy_local[copies_at[i]..copies_at[i + 1]]` (none for a set with a
    /// partial copy, which is counted through the index).
    copies_at: Vec<u32>,
    copy_local: Vec<u32>,
    copy_records: Vec<u64>,
    whole: Vec<bool>,
}

impl SharedSets {
    /// The sets `shared` names (set ids, which become slots), with their copies.
    fn new(index: &ExposureIndex, local: &[u32], shared: &mut [SetId]) -> SharedSets {
        let mut set = shared.to_vec();
        set.sort_unstable();
        set.dedup();
        for x in shared.iter_mut() {
            *x = set.binary_search(x).expect("a listed set") as u32;
        }
        let mut sets = SharedSets {
            copies_at: vec![0],
            ..SharedSets::default()
        };
        for &x in &set {
            let copies = index.whole_copies(x);
            sets.whole.push(copies.is_some());
            for (st, records) in copies.into_iter().flatten() {
                // The cut puts every copy in the chunk (`cut.rs`); a copy outside it would
                // count as never leaked, as `StoreChunk::has` has it.
                let l = local[st as usize];
                if l == u32::MAX {
                    continue;
                }
                sets.copy_local.push(l);
                sets.copy_records.push(records);
            }
            sets.copies_at.push(sets.copy_local.len() as u32);
        }
        sets.set = set;
        sets
    }

    /// Records of whole set `slot` when the copies `with` accepts leak, and when those `base`
    /// accepts do (a subset of them), each the records of the first such copy.
    fn whole_records(
        &self,
        slot: usize,
        with: impl Fn(usize) -> bool,
        base: Option<impl Fn(usize) -> bool>,
    ) -> (u64, u64) {
        let range = self.copies_at[slot] as usize..self.copies_at[slot + 1] as usize;
        let mut found = None;
        for (&l, &records) in self.copy_local[range.clone()]
            .iter()
            .zip(&self.copy_records[range])
        {
            let in_base = base.as_ref().is_some_and(|b| b(l as usize));
            if found.is_none() && (in_base || with(l as usize)) {
                found = Some(records);
                if base.is_none() {
                    break;
                }
            }
            if in_base {
                return (found.unwrap_or(records), records);
            }
        }
        (found.unwrap_or(0), 0)
    }
}

/// A bare row holding no store in the chunk.
const NONE: u32 = u32::MAX;
/// A bare row holding several stores.
const SEVERAL: u32 = u32::MAX - 1;

impl Targets for StoreChunk<'_> {
    #[inline]
    fn own(&self, c: usize, mut set: impl FnMut(usize)) {
        for &st in self.comp_stores.of(c) {
            let l = self.local[st as usize];
            if l != u32::MAX {
                set(l as usize);
            }
        }
    }

    #[inline]
    fn bare(&self, r: usize, c: usize, mut set: impl FnMut(usize)) {
        match self.bare[r - self.kept] {
            NONE => {}
            SEVERAL => self.own(c, set),
            l => set(l as usize),
        }
    }

    #[inline]
    fn target(&self, _: usize) -> Option<usize> {
        None
    }
}

impl<'s> StoreChunk<'s> {
    fn new(plan: &'s Plan, cut: &StoreChunks, this: usize, local: &'s [u32]) -> StoreChunk<'s> {
        let index = plan.index;
        let ChunkStores { stores, home } = &cut.chunks[this];
        let pops = index.populations.len();
        let mut part = StoreChunk {
            local,
            solo: Vec::with_capacity(stores.len()),
            solo_none: Vec::with_capacity(stores.len() * pops),
            shared_at: vec![0],
            shared: Vec::new(),
            sets: SharedSets::default(),
            comp_stores: &plan.store_of_comp,
            bare: vec![NONE; plan.rows - plan.kept],
            kept: plan.kept,
        };
        for &st in stores {
            let c = plan.cond.comp[st as usize] as usize;
            let r = plan.row[c];
            if r != u32::MAX && r as usize >= plan.kept {
                part.bare[r as usize - plan.kept] = match plan.store_of_comp.of(c) {
                    [_] => local[st as usize],
                    _ => SEVERAL,
                };
            }
        }
        let mut buf = Vec::new();
        for (&st, &home) in stores.iter().zip(home) {
            let mut t = StoreTotals {
                stores: home as u32,
                sinks: (home && plan.sink_store[st as usize]) as u32,
                ..StoreTotals::default()
            };
            let at = part.solo_none.len();
            part.solo_none.resize(at + pops, 1.0);
            for h in index.store_holdings(st) {
                if cut.set_chunk[h.set as usize] != this as u32 {
                    continue;
                }
                if !index.is_solo(h.set) {
                    part.shared.push(h.set);
                    continue;
                }
                let n = index.set_records(h.set, |x| x == st, &mut buf);
                if n == 0 {
                    continue;
                }
                t.records = t.records.saturating_add(n);
                t.exposure += n as f64 * index.set_weight(h.set);
                let (population, coverage) = index.set_subjects(h.set);
                if population != NO_POPULATION {
                    part.solo_none[at + population as usize] *= 1.0 - coverage;
                }
            }
            part.solo.push(t);
            part.shared_at.push(part.shared.len() as u32);
        }
        part.sets = SharedSets::new(index, local, &mut part.shared);
        part
    }

    fn has(&self, bits: Row, st: NodeId) -> bool {
        let l = self.local[st as usize] as usize;
        l != u32::MAX as usize && bits.has(l)
    }

    fn shared_of(&self, i: usize) -> &[u32] {
        &self.shared[self.shared_at[i] as usize..self.shared_at[i + 1] as usize]
    }
}

impl Beyond<'_> {
    /// Whether the component reaches store `st`.
    fn has(&self, chunk: &Chunk, part: &StoreChunk, st: NodeId) -> bool {
        part.has(self.bits, st)
            || !self.whole && self.base.is_some_and(|d| part.has(chunk.of(d), st))
    }
}

impl Plan<'_> {
    /// A component's figures over a chunk of stores. They start from those of its dominant
    /// successor (`rows` holds every row's), and only what it reaches beyond that successor is
    /// added: the solo sets of those stores, and their shared sets recounted over their copies
    /// (a set's copies all sit in the one chunk that counts it). Its per-population figures are
    /// written to `none`.
    pub(super) fn store_totals(
        &self,
        chunk: &Chunk,
        rows: &StoreFigures,
        part: &StoreChunk,
        reached: Beyond,
        none: &mut [f64],
        s: &mut SetScratch,
    ) -> StoreTotals {
        let index = self.index;
        let pops = none.len();
        let base = reached.base;
        let mut t = match base {
            Some(r) => {
                none.copy_from_slice(&rows.none[r * pops..(r + 1) * pops]);
                rows.totals[r]
            }
            None => {
                none.fill(1.0);
                StoreTotals::default()
            }
        };
        if reached.count == base.map_or(0, |d| chunk.count[d]) {
            return t;
        }
        s.sets.clear();
        for (w, word) in reached.extra_words(chunk) {
            let mut extra = word;
            while extra != 0 {
                let i = w * WORD + extra.trailing_zeros() as usize;
                extra &= extra - 1;
                let solo = &part.solo[i];
                t.records = t.records.saturating_add(solo.records);
                t.exposure += solo.exposure;
                t.stores += solo.stores;
                t.sinks += solo.sinks;
                for (n, f) in none.iter_mut().zip(&part.solo_none[i * pops..]) {
                    *n *= f;
                }
                s.sets.extend_from_slice(part.shared_of(i));
            }
        }
        s.sets.sort_unstable();
        s.sets.dedup();
        let base_bits = base.map(|d| chunk.of(d));
        let sets = &part.sets;
        for &slot in &s.sets {
            let set = sets.set[slot as usize];
            let (with, without) = if sets.whole[slot as usize] {
                sets.whole_records(
                    slot as usize,
                    |l| reached.bits.has(l),
                    base_bits.map(|b| move |l| b.has(l)),
                )
            } else {
                let with = index.set_records(set, |st| reached.has(chunk, part, st), &mut s.copies);
                let without = base_bits.map_or(0, |b| {
                    index.set_records(set, |st| part.has(b, st), &mut s.copies)
                });
                (with, without)
            };
            if with == without {
                continue;
            }
            let weight = index.set_weight(set);
            t.records = t.records.saturating_add(with).saturating_sub(without);
            t.exposure += with as f64 * weight - without as f64 * weight;
            let (population, coverage) = index.set_subjects(set);
            if without == 0 && population != NO_POPULATION {
                none[population as usize] *= 1.0 - coverage;
            }
        }
        t
    }

    /// The rows of one chunk of stores and their figures (into `rows`, and added to
    /// `row_sums`).
    pub(super) fn store_rows(
        &self,
        chunk: &mut Chunk,
        rows: &mut StoreFigures,
        row_sums: &mut Summed,
        part: &StoreChunk,
        (touches, at): (&Touches, usize),
    ) {
        let pops = self.index.populations.len();
        let mut none = vec![1.0; pops];
        let mut s = SetScratch::default();
        let touched = |r: usize| touches.row(r, at);
        chunk.fill_rows(part, touched, |chunk, r, reached| {
            let Some(reached) = reached else {
                rows.totals[r] = StoreTotals::default();
                rows.none[r * pops..(r + 1) * pops].fill(1.0);
                return;
            };
            let t = self.store_totals(chunk, rows, part, reached, &mut none, &mut s);
            rows.totals[r] = t;
            rows.none[r * pops..(r + 1) * pops].copy_from_slice(&none);
            row_sums.add(r, &t, &none);
        });
    }

    /// The leaves' figures over one chunk of stores whose rows are filled, in parallel, in
    /// blocks of [`LEAF_BLOCK`], each added to its leaf's in `leaf_sums` where it is computed.
    pub(super) fn store_leaves(
        &self,
        chunk: &Chunk,
        rows: &StoreFigures,
        leaf_sums: &mut Summed,
        part: &StoreChunk,
        (touches, at): (&Touches, usize),
    ) {
        let pops = self.index.populations.len();
        let ps = pops.max(1);
        self.leaves
            .par_chunks(LEAF_BLOCK)
            .zip(leaf_sums.totals.par_chunks_mut(LEAF_BLOCK))
            .zip(leaf_sums.none.par_chunks_mut(LEAF_BLOCK * ps))
            .enumerate()
            .for_each_init(
                || {
                    (
                        Scratch::new(chunk.stride),
                        SetScratch::default(),
                        vec![1.0; pops],
                    )
                },
                |(scratch, s, none), (b, ((block, totals), nones))| {
                    for (i, &c) in block.iter().enumerate() {
                        if !touches.leaf(b * LEAF_BLOCK + i, at) {
                            continue;
                        }
                        let l = b * LEAF_BLOCK + i;
                        let (t, none) = match chunk.lone(l, c as usize, part) {
                            Some(r) => (rows.totals[r], &rows.none[r * pops..(r + 1) * pops]),
                            None => {
                                let reached = chunk.leaf(l, c as usize, part, scratch);
                                let t = self.store_totals(chunk, rows, part, reached, none, s);
                                (t, &none[..])
                            }
                        };
                        totals[i].add(&t);
                        for (a, v) in nones[i * ps..][..pops].iter_mut().zip(none) {
                            *a *= v;
                        }
                    }
                },
            );
    }
}

/// Figures summed over the chunks in chunk order, per row or per leaf: `totals`, and per
/// population the chance that a person is untouched (`none[i * ps..][..pops]` for the i-th,
/// where `ps` is `pops` but at least one, so blocks of them can be cut).
pub(super) struct Summed {
    pub(super) totals: Vec<SourceTotals>,
    pub(super) none: Vec<f64>,
    pops: usize,
}

impl Summed {
    fn new(len: usize, pops: usize) -> Summed {
        Summed {
            totals: vec![SourceTotals::default(); len],
            none: vec![1.0; len * pops.max(1)],
            pops,
        }
    }

    /// Adds one chunk's figures to the i-th.
    fn add(&mut self, i: usize, t: &StoreTotals, none: &[f64]) {
        self.totals[i].add(t);
        let ps = self.pops.max(1);
        for (a, v) in self.none[i * ps..][..self.pops].iter_mut().zip(none) {
            *a *= v;
        }
    }

    /// The figures of the i-th: totals and per population the chance a person is untouched.
    fn of(&self, i: usize) -> (&SourceTotals, &[f64]) {
        let ps = self.pops.max(1);
        (&self.totals[i], &self.none[i * ps..][..self.pops])
    }
}

/// The store pass's sums for the rows and for the leaves.
pub(super) struct Sums {
    rows: Summed,
    leaves: Summed,
}

/// The store pass: per source, records, exposure, stores and sink stores reached, and the
/// chance each person is untouched (`pops` per source), summed (multiplied) over the chunks
/// in chunk order, with rows of `words` words. Each row's and leaf's figures are summed where
/// they are made (a source takes those of its row or leaf at the end): summing them per source
/// after every chunk cost a pass over all the sources per chunk.
pub(super) fn store_pass(
    plan: &Plan,
    model: &Model,
    cut: &StoreChunks,
    words: usize,
    places: &[Place],
) -> (Vec<SourceTotals>, Vec<f64>) {
    let pops = plan.index.populations.len();
    let mut rows_sums = Summed::new(plan.rows, pops);
    let mut leaf_sums = Summed::new(plan.leaves.len(), pops);
    let held = cut.chunks.iter().enumerate().flat_map(|(at, part)| {
        part.stores
            .iter()
            .map(move |&st| (plan.cond.comp[st as usize] as usize, at))
    });
    let touches = Touches::new(plan, held, |_| None);
    // Two chunks at a time: while one's leaves are computed, the next one's rows are filled
    // (by one thread). Chunk k uses the k % 2-th of each pair.
    let mut chunks = [Chunk::new(plan, words), Chunk::new(plan, words)];
    let mut figures = [
        StoreFigures::new(plan.rows, pops),
        StoreFigures::new(plan.rows, pops),
    ];
    let mut locals = [
        vec![u32::MAX; model.node_count()],
        vec![u32::MAX; model.node_count()],
    ];
    let set_local = |local: &mut [u32], at: usize, on: bool| {
        for (i, &st) in cut.chunks[at].stores.iter().enumerate() {
            local[st as usize] = if on { i as u32 } else { u32::MAX };
        }
    };
    let n = cut.chunks.len();
    if n > 0 {
        set_local(&mut locals[0], 0, true);
        let view = StoreChunk::new(plan, cut, 0, &locals[0]);
        plan.store_rows(
            &mut chunks[0],
            &mut figures[0],
            &mut rows_sums,
            &view,
            (&touches, 0),
        );
    }
    for at in 0..n {
        let (this, next) = (at % 2, 1 - at % 2);
        if at + 1 < n {
            set_local(&mut locals[next], at + 1, true);
        }
        let [chunk_a, chunk_b] = &mut chunks;
        let [figures_a, figures_b] = &mut figures;
        let (chunk, next_chunk) = if this == 0 {
            (&*chunk_a, chunk_b)
        } else {
            (&*chunk_b, chunk_a)
        };
        let (rows, next_rows) = if this == 0 {
            (&*figures_a, figures_b)
        } else {
            (&*figures_b, figures_a)
        };
        let view = StoreChunk::new(plan, cut, at, &locals[this]);
        rayon::join(
            || plan.store_leaves(chunk, rows, &mut leaf_sums, &view, (&touches, at)),
            || {
                if at + 1 < n {
                    let view = StoreChunk::new(plan, cut, at + 1, &locals[next]);
                    plan.store_rows(
                        next_chunk,
                        next_rows,
                        &mut rows_sums,
                        &view,
                        (&touches, at + 1),
                    );
                }
            },
        );
        drop(view);
        set_local(&mut locals[this], at, false);
    }
    drop((chunks, figures, locals));
    let sums = Sums {
        rows: rows_sums,
        leaves: leaf_sums,
    };
    let of = |place: Place| match place {
        Place::Row(r) => sums.rows.of(r),
        Place::Leaf(b, i) => sums.leaves.of(b * LEAF_BLOCK + i),
    };
    let totals = places
        .par_iter()
        .with_min_len(FOLD_BLOCK)
        .map(|&place| *of(place).0)
        .collect();
    let mut none = vec![1.0f64; places.len() * pops];
    if pops > 0 {
        none.par_chunks_mut(pops)
            .zip(places)
            .with_min_len(FOLD_BLOCK)
            .for_each(|(n, &place)| n.copy_from_slice(of(place).1));
    }
    (totals, none)
}

/// A source's figures, summed over the chunks.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct SourceTotals {
    pub(super) records: u64,
    pub(super) exposure: f64,
    pub(super) stores: u32,
    /// Nodes reached beyond the source's own tree.
    pub(super) reach: u64,
}

impl SourceTotals {
    /// Adds one chunk's figures (its sink stores to the reach).
    fn add(&mut self, t: &StoreTotals) {
        self.records = self.records.saturating_add(t.records);
        self.exposure += t.exposure;
        self.stores += t.stores;
        self.reach += t.sinks as u64;
    }
}
