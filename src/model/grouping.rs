//! Grouping items by node: a stable counting sort on each item's node, then a sort of each
//! node's group, in parallel over blocks of nodes. The model orders its links this way and the
//! attack graph its adjacency lists.

use std::cmp::Ordering;

use rayon::prelude::*;

use super::NodeId;

/// Groups items `0..len` by `node_of` (nodes `0..nodes`), keeping each item as `item(i)`, and
/// sorts each node's group by `cmp` (items that compare equal keep their order). Returns where
/// each node's group starts (`nodes + 1` offsets) and the items.
pub fn group_by_node<T: Copy + Default + Send>(
    nodes: usize,
    len: usize,
    node_of: impl Fn(usize) -> NodeId,
    item: impl Fn(usize) -> T,
    cmp: impl Fn(&T, &T) -> Ordering + Sync,
) -> (Vec<u32>, Vec<T>) {
    let mut offsets = vec![0u32; nodes + 1];
    for i in 0..len {
        offsets[node_of(i) as usize + 1] += 1;
    }
    for n in 0..nodes {
        offsets[n + 1] += offsets[n];
    }
    let mut grouped = vec![T::default(); len];
    let mut fill = offsets[..nodes].to_vec();
    for i in 0..len {
        let slot = &mut fill[node_of(i) as usize];
        grouped[*slot as usize] = item(i);
        *slot += 1;
    }
    drop(fill);
    sort_groups(&offsets, &mut grouped, cmp);
    (offsets, grouped)
}

/// Sorts each node's group of `grouped` (node `n`'s items are `offsets[n]..offsets[n + 1]`)
/// by `cmp`, stably, in parallel over blocks of nodes.
pub fn sort_groups<T: Send>(
    offsets: &[u32],
    grouped: &mut [T],
    cmp: impl Fn(&T, &T) -> Ordering + Sync,
) {
    let nodes = offsets.len() - 1;
    let block = nodes.div_ceil(64).max(1);
    let mut blocks = Vec::new();
    let mut rest: &mut [T] = grouped;
    for first in (0..nodes).step_by(block) {
        let last = (first + block).min(nodes);
        let (mine, tail) = rest.split_at_mut((offsets[last] - offsets[first]) as usize);
        blocks.push((first..last, mine));
        rest = tail;
    }
    blocks.into_par_iter().for_each(|(range, mine)| {
        let base = offsets[range.start];
        for n in range {
            let (lo, hi) = (
                (offsets[n] - base) as usize,
                (offsets[n + 1] - base) as usize,
            );
            if hi - lo > 1 {
                mine[lo..hi].sort_by(&cmp);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_by_node_and_sorts_each_group_stably() {
        let items = [(2, 9), (0, 5), (2, 1), (0, 5), (1, 3), (2, 1)];
        let (offsets, grouped) = group_by_node(
            4,
            items.len(),
            |i| items[i].0,
            |i| (items[i].1, i),
            |a: &(u32, usize), b| a.0.cmp(&b.0),
        );
        assert_eq!(offsets, [0, 2, 3, 6, 6]);
        assert_eq!(grouped, [(5, 1), (5, 3), (3, 4), (1, 2), (1, 5), (9, 0)]);
    }
}
