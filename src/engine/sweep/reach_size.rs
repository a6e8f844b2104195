//! The reach pass: how many nodes each source controls. Components with one predecessor hang
//! under it in trees; the others (weighted by their tree) get bits, one chunk at a time.

use rayon::prelude::*;

use super::condensation::Condensation;
use super::plan::{Place, Plan, LEAF_BLOCK};
use super::rows::{Beyond, Chunk, Scratch, Targets};
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

    /// The rows of one chunk of weighted components and their weights (into `weights`, and
    /// added to `row_sums`). `target(r)` is the chunk-local index of row r when its component
    /// is a weighted one of the chunk.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn reach_rows(
        &self,
        chunk: &mut Chunk,
        weights: &mut [u64],
        row_sums: &mut [u64],
        target: &ReachTargets,
        part: &[usize],
        tree: &[u64],
        (touches, at): (&Touches, usize),
    ) {
        let touched = |r: usize| touches.row(r, at);
        chunk.fill_rows(target, touched, |chunk, r, reached| {
            weights[r] = reached.map_or(0, |reached| {
                self.reach_weight(chunk, weights, reached, part, tree)
            });
            row_sums[r] += weights[r];
        });
    }

    /// The leaves' weights over one chunk of weighted components whose rows are filled, in
    /// parallel, in blocks of [`LEAF_BLOCK`], each added to its leaf's in `leaf_sums`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn reach_leaves(
        &self,
        chunk: &Chunk,
        weights: &[u64],
        leaf_sums: &mut [u64],
        target: &ReachTargets,
        part: &[usize],
        tree: &[u64],
        (touches, at): (&Touches, usize),
    ) {
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
                        sums[i] += match chunk.lone(l, c as usize, target) {
                            Some(r) => weights[r],
                            None => {
                                let reached = chunk.leaf(l, c as usize, target, scratch);
                                self.reach_weight(chunk, weights, reached, part, tree)
                            }
                        };
                    }
                },
            );
    }
}

/// The weighted components of one part, as the rows see them: none is held, a row is one
/// when its bit is set.
pub(super) struct ReachTargets<'a> {
    bits: Vec<u64>,
    /// Index of each row that is a weighted component in its part.
    index_in: &'a [u32],
}

impl Targets for ReachTargets<'_> {
    #[inline]
    fn own(&self, _: usize, _: impl FnMut(usize)) {}

    #[inline]
    fn target(&self, r: usize) -> Option<usize> {
        (self.bits[r / 64] >> (r % 64) & 1 == 1).then(|| self.index_in[r] as usize)
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
    let mut row_sums = vec![0u64; plan.rows];
    let mut leaf_sums = vec![0u64; plan.leaves.len()];
    // The part of each row that is a weighted component (only successors are asked for, and
    // they all keep rows) and its index in the part.
    let mut part_of = vec![u32::MAX; plan.rows];
    let mut index_in = vec![u32::MAX; plan.rows];
    for (at, part) in parts.iter().enumerate() {
        for (i, &c) in part.iter().enumerate() {
            if plan.row[c] != u32::MAX {
                part_of[plan.row[c] as usize] = at as u32;
                index_in[plan.row[c] as usize] = i as u32;
            }
        }
    }
    let touches = Touches::new(plan, std::iter::empty(), |r| {
        (part_of[r] != u32::MAX).then(|| part_of[r] as usize)
    });
    // Per part, a bit per row that is one of its weighted components: 25 KB at 1M people,
    // which stay in the cache, where `part_of` (800 KB) missed it for most successors.
    let targets: Vec<ReachTargets> = (0..parts.len())
        .map(|at| {
            let mut bits = vec![0u64; plan.rows.div_ceil(64)];
            for &c in parts[at] {
                let r = plan.row[c];
                if r != u32::MAX {
                    bits[r as usize / 64] |= 1 << (r % 64);
                }
            }
            ReachTargets {
                bits,
                index_in: &index_in,
            }
        })
        .collect();
    let target = |at: usize| &targets[at];
    // Two chunks at a time: while one's leaves are computed, the next one's rows are filled
    // (by one thread). Chunk k uses the k % 2-th of each pair.
    let mut chunks = [Chunk::new(plan, words), Chunk::new(plan, words)];
    let mut weights = [vec![0u64; plan.rows], vec![0u64; plan.rows]];
    let n = parts.len();
    if n > 0 {
        let (chunk, w) = (&mut chunks[0], &mut weights[0]);
        plan.reach_rows(
            chunk,
            w,
            &mut row_sums,
            target(0),
            parts[0],
            tree,
            (&touches, 0),
        );
    }
    for at in 0..n {
        let [chunk_a, chunk_b] = &mut chunks;
        let [weights_a, weights_b] = &mut weights;
        let (chunk, next_chunk, w, next_w) = if at % 2 == 0 {
            (&*chunk_a, chunk_b, &*weights_a, weights_b)
        } else {
            (&*chunk_b, chunk_a, &*weights_b, weights_a)
        };
        let part = parts[at];
        rayon::join(
            || {
                let leaf_sums = &mut leaf_sums;
                plan.reach_leaves(chunk, w, leaf_sums, target(at), part, tree, (&touches, at))
            },
            || {
                if at + 1 < n {
                    let (next, t) = (parts[at + 1], target(at + 1));
                    let row_sums = &mut row_sums;
                    plan.reach_rows(
                        next_chunk,
                        next_w,
                        row_sums,
                        t,
                        next,
                        tree,
                        (&touches, at + 1),
                    );
                }
            },
        );
    }
    drop((chunks, weights));
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
