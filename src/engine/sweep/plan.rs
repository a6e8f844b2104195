//! What the sweep's passes share: which components some source reaches, which keep a row,
//! the leaves and their twins, the successors of rows and leaves as rows, the stores of each
//! component, and where each source's figures are kept.

use rayon::prelude::*;

use super::condensation::Condensation;
use crate::engine::tally::ExposureIndex;
use crate::model::{Model, NodeId, NodeKind};

/// Leaves per parallel job.
pub(super) const LEAF_BLOCK: usize = 256;

/// Everything the passes share.
pub(super) struct Plan<'a> {
    pub(super) index: &'a ExposureIndex,
    pub(super) cond: Condensation,
    /// Row of each component that another relevant component reaches (`u32::MAX` for the
    /// others): first those with successors, which keep bits, in component order, then the
    /// bare ones (see [`rows`]).
    pub(super) row: Vec<u32>,
    pub(super) rows: usize,
    /// Rows that keep bits: `0..kept`.
    pub(super) kept: usize,
    /// Component of each row.
    pub(super) comp_of_row: Vec<u32>,
    /// Successors of each row that keeps bits, as rows (every successor of a row or a leaf
    /// keeps one; those `>= kept` are bare).
    pub(super) row_succ: Succs,
    /// Successors of each leaf, as rows.
    pub(super) leaf_succ: Succs,
    pub(super) relevant: Vec<bool>,
    /// Relevant components that keep no row and have no twin, in the order of [`leaves`].
    pub(super) leaves: Vec<u32>,
    /// Whether each leaf holds a store, by leaf: asked once per chunk, while the component's
    /// stores (in component order, as leaves are not) would be a cache miss each time.
    pub(super) leaf_holds: Vec<bool>,
    /// Index in `leaves` of each leaf and of each twin's first (`u32::MAX` for the others).
    pub(super) leaf_of: Vec<u32>,
    pub(super) store_of_comp: CompStores,
    /// Stores that are a component of their own with no successors and two or more
    /// predecessors, and no source's component. Such a store adds exactly one node to the reach
    /// of whoever reaches it, so the store pass counts it and the reach pass leaves it out.
    pub(super) sink_store: Vec<bool>,
}

/// Components whose reach is another's: two components that keep no row, hold no store and
/// have the same successors reach the same targets (accounts in the same groups, say), so the
/// later one takes the figures of the first instead of being computed. `twin[c]` is that first
/// component (the lowest with the same successors), or `u32::MAX`. The candidates are sorted by
/// a hash of their successors (in parallel), so equal lists sit together in component order.
pub(super) fn twins(
    cond: &Condensation,
    relevant: &[bool],
    row: &[u32],
    holds: &CompStores,
) -> Vec<u32> {
    use std::hash::{Hash, Hasher};
    let k = cond.len();
    let mut keyed: Vec<(u64, u32)> = (0..k)
        .into_par_iter()
        .filter(|&c| relevant[c] && row[c] == u32::MAX && holds.of(c).is_empty())
        .map(|c| {
            let mut h = rustc_hash::FxHasher::default();
            cond.successors(c).hash(&mut h);
            (h.finish(), c as u32)
        })
        .collect();
    keyed.par_sort_unstable();
    let mut twin = vec![u32::MAX; k];
    let mut firsts: Vec<u32> = Vec::new();
    for run in keyed.chunk_by(|a, b| a.0 == b.0) {
        if run.len() == 1 {
            // A hash of its own (most): no twin, and its list is not read.
            continue;
        }
        // Lists with one hash: each is the twin of the first earlier one equal to it.
        firsts.clear();
        for &(_, c) in run {
            let succ = cond.successors(c as usize);
            match firsts
                .iter()
                .find(|&&f| cond.successors(f as usize) == succ)
            {
                Some(&f) => twin[c as usize] = f,
                None => firsts.push(c),
            }
        }
    }
    twin
}

/// The stores of each component, in node order.
pub(super) struct CompStores {
    /// Component c holds `stores[at[c]..at[c + 1]]`.
    pub(super) at: Vec<u32>,
    pub(super) stores: Vec<NodeId>,
}

impl CompStores {
    pub(super) fn new(model: &Model, cond: &Condensation) -> CompStores {
        let stores: Vec<NodeId> = model.nodes_of(NodeKind::Store).collect();
        let (at, stores) = crate::model::grouping::group_by_node(
            cond.len(),
            stores.len(),
            |i| cond.comp[stores[i] as usize],
            |i| stores[i],
            |_, _| std::cmp::Ordering::Equal,
        );
        CompStores { at, stores }
    }

    #[inline]
    pub(super) fn of(&self, c: usize) -> &[NodeId] {
        &self.stores[self.at[c] as usize..self.at[c + 1] as usize]
    }
}

impl<'a> Plan<'a> {
    /// The plan of a sweep from `sources` over `cond`.
    pub(super) fn new(
        model: &Model,
        cond: Condensation,
        index: &'a ExposureIndex,
        sources: &[NodeId],
    ) -> Plan<'a> {
        // Steps that do not need each other's results run side by side: most are on one thread.
        let ((relevant, (row, rows, kept)), store_of_comp) = rayon::join(
            || {
                let relevant = relevant(&cond, sources);
                let rows = rows(&cond, &relevant);
                (relevant, rows)
            },
            || CompStores::new(model, &cond),
        );
        let ((leaves, leaf_of, leaf_succ), (sink_store, comp_of_row, row_succ)) = rayon::join(
            || {
                let twin = twins(&cond, &relevant, &row, &store_of_comp);
                let (leaves, leaf_of) = leaves(&cond, &relevant, &row, &twin);
                let leaf_succ = Succs::new(&cond, &row, &leaves);
                (leaves, leaf_of, leaf_succ)
            },
            || {
                let sink_store = sink_stores(model, &cond, sources, &store_of_comp);
                let mut comp_of_row = vec![0u32; rows];
                for (c, &r) in row.iter().enumerate() {
                    if r != u32::MAX {
                        comp_of_row[r as usize] = c as u32;
                    }
                }
                let row_succ = Succs::new(&cond, &row, &comp_of_row[..kept]);
                (sink_store, comp_of_row, row_succ)
            },
        );
        let leaf_holds = leaves
            .par_iter()
            .map(|&c| !store_of_comp.of(c as usize).is_empty())
            .collect();
        Plan {
            index,
            cond,
            row,
            rows,
            kept,
            comp_of_row,
            row_succ,
            leaf_succ,
            relevant,
            leaves,
            leaf_holds,
            leaf_of,
            store_of_comp,
            sink_store,
        }
    }

    /// Where a source's figures are: its component's row, or its leaf (block, index).
    pub(super) fn place(&self, x: NodeId) -> Place {
        let c = self.cond.comp[x as usize] as usize;
        match self.row[c] {
            u32::MAX => {
                let l = self.leaf_of[c] as usize;
                Place::Leaf(l / LEAF_BLOCK, l % LEAF_BLOCK)
            }
            r => Place::Row(r as usize),
        }
    }
}

/// The successors of some components as rows, resolved once so that the chunks read no
/// component's row (the component-to-row table is 10 MB at 1M people, and every chunk
/// looked up every successor of every leaf in it, twice).
pub(super) struct Succs {
    /// The i-th component's successors are `rows[at[i]..at[i + 1]]`, in the condensation's order.
    at: Vec<u32>,
    rows: Vec<u32>,
}

impl Succs {
    /// The successors of `comps`, resolved in parallel over blocks of them.
    fn new(cond: &Condensation, row: &[u32], comps: &[u32]) -> Succs {
        let lists: Vec<Vec<u32>> = comps
            .par_chunks(4096)
            .map(|block| {
                let mut rows = Vec::new();
                for &c in block {
                    rows.extend(cond.successors(c as usize).iter().map(|&d| row[d as usize]));
                }
                rows
            })
            .collect();
        let mut at = Vec::with_capacity(comps.len() + 1);
        at.push(0u32);
        let mut end = 0u32;
        for &c in comps {
            end += cond.successors(c as usize).len() as u32;
            at.push(end);
        }
        let rows = lists.concat();
        debug_assert!(rows.iter().all(|&r| r != u32::MAX));
        Succs { at, rows }
    }

    /// The successors of the i-th, as rows.
    #[inline]
    pub(super) fn of(&self, i: usize) -> &[u32] {
        &self.rows[self.at[i] as usize..self.at[i + 1] as usize]
    }
}

/// Where a source's figures are kept in a pass.
#[derive(Clone, Copy)]
pub(super) enum Place {
    Row(usize),
    Leaf(usize, usize),
}

/// Components some source reaches: the only ones whose figures anyone asks for.
fn relevant(cond: &Condensation, sources: &[NodeId]) -> Vec<bool> {
    let k = cond.len();
    let mut relevant = vec![false; k];
    for &x in sources {
        relevant[cond.comp[x as usize] as usize] = true;
    }
    for c in (0..k).rev() {
        if relevant[c] {
            for &d in cond.successors(c) {
                relevant[d as usize] = true;
            }
        }
    }
    relevant
}

/// Rows for the components some relevant component reaches (the rest are read by nobody):
/// the row of each component (`u32::MAX` for none), how many there are, and how many keep
/// bits. Rows with successors come first, in component order, and keep bits; then the bare
/// rows (no successors: about half of them at 1M people, stores mostly), in component order,
/// whose bits are only the targets they hold, set by whoever reads them.
fn rows(cond: &Condensation, relevant: &[bool]) -> (Vec<u32>, usize, usize) {
    let k = cond.len();
    let mut reached_by_relevant = vec![false; k];
    for (c, _) in relevant.iter().enumerate().filter(|(_, r)| **r) {
        for &d in cond.successors(c) {
            reached_by_relevant[d as usize] = true;
        }
    }
    let mut row = vec![u32::MAX; k];
    let mut rows = 0usize;
    let mut kept = 0;
    for bare in [false, true] {
        for c in 0..k {
            if reached_by_relevant[c] && cond.successors(c).is_empty() == bare {
                row[c] = rows as u32;
                rows += 1;
            }
        }
        if !bare {
            kept = rows;
        }
    }
    (row, rows, kept)
}

/// The leaves (relevant components that keep no row and have no twin) and the index in them of
/// each leaf and of each twin's first (`u32::MAX` for the others). Leaves are ordered by their
/// last two successors (the last is the one furthest from the sinks: a team's group rather than
/// the department's), so that leaves computed one after another mostly read the same rows,
/// which then stay in the cache: a leaf's work is mostly waiting for its successors' rows.
/// The order changes no figure: each leaf is computed alone.
fn leaves(
    cond: &Condensation,
    relevant: &[bool],
    row: &[u32],
    twin: &[u32],
) -> (Vec<u32>, Vec<u32>) {
    let k = relevant.len();
    let mut keyed: Vec<(u64, u32)> = (0..k)
        .filter(|&c| relevant[c] && row[c] == u32::MAX && twin[c] == u32::MAX)
        .map(|c| {
            let key = match cond.successors(c) {
                [.., a, b] => (*b as u64) << 32 | *a as u64,
                [b] => (*b as u64) << 32,
                [] => 0,
            };
            (key, c as u32)
        })
        .collect();
    keyed.par_sort_unstable();
    let leaves: Vec<u32> = keyed.into_iter().map(|(_, c)| c).collect();
    let mut leaf_of = vec![u32::MAX; k];
    for (l, &c) in leaves.iter().enumerate() {
        leaf_of[c as usize] = l as u32;
    }
    for c in 0..k {
        if twin[c] != u32::MAX {
            leaf_of[c] = leaf_of[twin[c] as usize];
        }
    }
    (leaves, leaf_of)
}

/// The sink stores of [`Plan::sink_store`], by node.
fn sink_stores(
    model: &Model,
    cond: &Condensation,
    sources: &[NodeId],
    store_of_comp: &CompStores,
) -> Vec<bool> {
    let k = cond.len();
    let mut sink_store = vec![false; model.node_count()];
    let mut source_comp = vec![false; k];
    for &x in sources {
        source_comp[cond.comp[x as usize] as usize] = true;
    }
    for (c, &holds_source) in source_comp.iter().enumerate() {
        if let &[st] = store_of_comp.of(c) {
            sink_store[st as usize] = cond.size[c] == 1
                && cond.successors(c).is_empty()
                && cond.indegree[c] >= 2
                && !holds_source;
        }
    }
    sink_store
}
