//! The reach pass: how many nodes each source controls. Components with one predecessor hang
//! under it in trees; the others (weighted by their tree) get bits, one chunk at a time.

use rayon::prelude::*;

use super::condensation::Condensation;
use super::plan::{Place, Plan, LEAF_BLOCK};
use super::rows::{Beyond, Chunk, Scratch};
use super::touches::Touches;
use super::{FOLD_BLOCK, WORD};

impl Plan<'_> {
    /// A component's reach weight over a chunk of weighted components: that of its dominant
    /// successor (`weights` holds every row's), plus the trees of the weighted components it
    /// reaches beyond it.
    pub(super) fn reach_weight(
        &self,
        chunk: &Chunk,
        weights: &[u64],
        reached: Beyond,
        part: &[usize],
        tree: &[u64],
    ) -> u64 {
        let base = reached.base;
        let mut w = base.map_or(0, |r| weights[r]);
        if reached.count != base.map_or(0, |r| chunk.count[r]) {
            for (wi, x) in reached.extra_words(chunk) {
                let mut extra = x;
                while extra != 0 {
                    let bit = extra.trailing_zeros() as usize;
                    extra &= extra - 1;
                    w += tree[part[wi * WORD + bit]];
                }
            }
        }
        w
    }

    /// One chunk of weighted components: the rows' weights (into `weights`, and added to
    /// `row_sums`), then the leaves' in parallel, in blocks of [`LEAF_BLOCK`], each added to
    /// its leaf's in `leaf_sums`. `slot` is the chunk-local index of each row whose component is
    /// a weighted one of the chunk (`u32::MAX` for the others).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn reach_chunk(
        &self,
        chunk: &mut Chunk,
        weights: &mut [u64],
        (row_sums, leaf_sums): (&mut [u64], &mut [u64]),
        slot: &[u32],
        part: &[usize],
        tree: &[u64],
        (touches, at): (&Touches, usize),
    ) {
        let own = |_: usize, _: &mut dyn FnMut(usize)| {};
        let target = |r: usize| (slot[r] != u32::MAX).then(|| slot[r] as usize);
        let touched = |r: usize| touches.row(r, at);
        chunk.fill_rows(&own, &target, touched, |chunk, r, reached| {
            weights[r] = reached.map_or(0, |reached| {
                self.reach_weight(chunk, weights, reached, part, tree)
            });
            row_sums[r] += weights[r];
        });
        let (chunk, weights) = (&*chunk, &*weights);
        self.leaves
            .par_chunks(LEAF_BLOCK)
            .zip(leaf_sums.par_chunks_mut(LEAF_BLOCK))
            .enumerate()
            .for_each_init(
                || Scratch::new(chunk.stride),
                |scratch, (b, (block, sums))| {
                    for (i, &c) in block.iter().enumerate() {
                        if !touches.leaf(b * LEAF_BLOCK + i, at) {
                            continue;
                        }
                        let l = b * LEAF_BLOCK + i;
                        sums[i] += match chunk.lone(l, c as usize, &own, &target) {
                            Some(r) => weights[r],
                            None => {
                                let reached = chunk.leaf(l, c as usize, &own, &target, scratch);
                                self.reach_weight(chunk, weights, reached, part, tree)
                            }
                        };
                    }
                },
            );
    }
}

/// The reach pass: per source, the trees of the weighted components it reaches, summed over
/// the parts in part order, with rows of `words` words. Each row's and leaf's weights are
/// summed where they are made; a source takes those of its row or leaf at the end.
pub(super) fn reach_pass(
    plan: &Plan,
    parts: &[&[usize]],
    words: usize,
    places: &[Place],
    tree: &[u64],
) -> Vec<u64> {
    let mut chunk = Chunk::new(plan, words);
    let mut row_sums = vec![0u64; plan.rows];
    let mut leaf_sums = vec![0u64; plan.leaves.len()];
    let mut weights = vec![0u64; plan.rows];
    let mut slot = vec![u32::MAX; plan.cond.len()];
    // The part of each weighted component, while the touches are found.
    for (at, part) in parts.iter().enumerate() {
        for &c in part.iter() {
            slot[c] = at as u32;
        }
    }
    let touches = Touches::new(plan, std::iter::empty(), |d| {
        (slot[d] != u32::MAX).then(|| slot[d] as usize)
    });
    // Then the chunk-local index of each row that is a weighted component: only successors
    // are asked for, and they all keep rows.
    drop(slot);
    let mut slot = vec![u32::MAX; plan.rows];
    for (at, part) in parts.iter().enumerate() {
        for (i, &c) in part.iter().enumerate() {
            if plan.row[c] != u32::MAX {
                slot[plan.row[c] as usize] = i as u32;
            }
        }
        plan.reach_chunk(
            &mut chunk,
            &mut weights,
            (&mut row_sums, &mut leaf_sums),
            &slot,
            part,
            tree,
            (&touches, at),
        );
        for &c in part.iter() {
            if plan.row[c] != u32::MAX {
                slot[plan.row[c] as usize] = u32::MAX;
            }
        }
    }
    drop(chunk);
    places
        .par_iter()
        .with_min_len(FOLD_BLOCK)
        .map(|&place| match place {
            Place::Row(r) => row_sums[r],
            Place::Leaf(b, i) => leaf_sums[b * LEAF_BLOCK + i],
        })
        .collect()
}

/// Nodes in the tree of each component: itself and the components hanging under it (those
/// with it as their one predecessor), recursively.
pub(super) fn trees(cond: &Condensation) -> Vec<u64> {
    let k = cond.len();
    let mut tree = vec![0u64; k];
    for c in 0..k {
        tree[c] += cond.size[c] as u64;
        if cond.indegree[c] == 1 {
            let p = cond.parent[c] as usize;
            tree[p] += tree[c];
        }
    }
    tree
}

/// The weighted components the reach pass takes: relevant ones with two or more predecessors,
/// but the sink stores, which the store pass counts.
pub(super) fn weighted(plan: &Plan) -> Vec<usize> {
    let cond = &plan.cond;
    (0..cond.len())
        .filter(|&c| {
            cond.indegree[c] >= 2
                && plan.relevant[c]
                && !matches!(plan.store_of_comp.of(c), [st] if plan.sink_store[*st as usize])
        })
        .collect()
}
