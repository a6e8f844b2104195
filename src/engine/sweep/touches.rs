//! Which chunks of a pass each row and leaf reaches anything in, so that a chunk skips the
//! components it cannot change (at 1M people a row reaches stores in 4 of 14 store chunks on
//! average, a leaf in 11).

use rayon::prelude::*;

use super::plan::Plan;

/// Chunk i of a pass as bit i % 64: a set bit may be a false alarm when there are more than 64
/// chunks, a clear bit never is.
fn bit(chunk: usize) -> u64 {
    1 << (chunk % 64)
}

/// The chunks each row and each leaf reaches a target in.
pub(super) struct Touches {
    row: Vec<u64>,
    leaf: Vec<u64>,
}

impl Touches {
    /// From the targets each component holds itself (`held`: (component, chunk) pairs) and
    /// the chunk of each row whose component is itself a target (`target`, by row),
    /// propagated up the DAG as the rows are: the rows that keep bits in order (successors
    /// first), then the leaves in parallel (the successors of a row or leaf all keep rows).
    pub(super) fn new(
        plan: &Plan,
        held: impl Iterator<Item = (usize, usize)>,
        target: impl Fn(usize) -> Option<usize> + Sync,
    ) -> Touches {
        let mut row = vec![0u64; plan.rows];
        let mut leaf = vec![0u64; plan.leaves.len()];
        for (c, chunk) in held {
            if plan.row[c] != u32::MAX {
                row[plan.row[c] as usize] |= bit(chunk);
            } else if plan.leaf_of[c] != u32::MAX {
                leaf[plan.leaf_of[c] as usize] |= bit(chunk);
            }
        }
        let below = |succ: &[u32], row: &[u64]| {
            let mut m = 0;
            for &d in succ {
                let d = d as usize;
                m |= row[d] | target(d).map_or(0, bit);
            }
            m
        };
        for r in 0..plan.kept {
            row[r] |= below(plan.row_succ.of(r), &row);
        }
        leaf.par_iter_mut()
            .enumerate()
            .for_each(|(l, m)| *m |= below(plan.leaf_succ.of(l), &row));
        Touches { row, leaf }
    }

    /// Whether row `r` may reach a target in chunk `chunk`.
    #[inline]
    pub(super) fn row(&self, r: usize, chunk: usize) -> bool {
        self.row[r] & bit(chunk) != 0
    }

    /// Whether the `l`-th leaf may reach a target in chunk `chunk`.
    #[inline]
    pub(super) fn leaf(&self, l: usize, chunk: usize) -> bool {
        self.leaf[l] & bit(chunk) != 0
    }
}
