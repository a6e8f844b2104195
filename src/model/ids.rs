//! Node lookup by id while a model is built: a sharded open-addressing table of node numbers
//! with a few bits of each id's hash.

use rayon::prelude::*;

use super::{grouping, Node, NodeId};

/// Hash of a node id for the lookup table.
pub(super) fn id_hash(id: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(id.as_bytes());
    h.finish()
}

/// One slot of the node lookup table: 8 bytes, eight to a cache line. It holds the low bits of
/// the id's hash (which place the slot, and tell most other ids apart without reading them) and
/// the node; a lookup whose hash bits match compares the node's own id.
#[derive(Debug, Clone, Copy)]
struct IdSlot {
    hash: u32,
    /// `EMPTY` in a free slot.
    node: NodeId,
}

const EMPTY: NodeId = NodeId::MAX;

const FREE: IdSlot = IdSlot {
    hash: 0,
    node: EMPTY,
};

/// Node lookup by id while a model is built: open addressing with linear probing over
/// [`IdSlot`]s, at most three quarters full. The table is cut in shards by id hash, so that a
/// large model's table is built on all threads at once. At a million people (2.5 million
/// nodes) it takes 34 MB; slots that kept ids inline took 268 MB, the largest single cost of a
/// load, for a lookup that saved one read of the node.
#[derive(Debug, Clone, Default)]
pub(super) struct IdIndex {
    /// [`ID_SHARDS`] tables of a power-of-two size each, or none while empty.
    shards: Vec<Vec<IdSlot>>,
    /// Nodes in each shard.
    filled: Vec<usize>,
}

const ID_SHARDS: usize = 16;

impl IdIndex {
    /// The shard of a hash: bits above those a shard's slot index uses.
    fn shard(hash: u64) -> usize {
        (hash >> 40) as usize % ID_SHARDS
    }

    pub(super) fn find(&self, id: &str, nodes: &[Node]) -> Option<NodeId> {
        self.find_hashed(id, id_hash(id), nodes)
    }

    /// Whether the index holds no node.
    pub(super) fn is_empty(&self) -> bool {
        self.filled.iter().all(|&n| n == 0)
    }

    /// [`IdIndex::find`] with the id's [`id_hash`] already made.
    pub(super) fn find_hashed(&self, id: &str, hash: u64, nodes: &[Node]) -> Option<NodeId> {
        if self.shards.is_empty() {
            return None;
        }
        let low = hash as u32;
        let slots = &self.shards[Self::shard(hash)];
        let mask = slots.len() - 1;
        let mut i = low as usize & mask;
        loop {
            let slot = &slots[i];
            if slot.node == EMPTY {
                return None;
            }
            if slot.hash == low && nodes[slot.node as usize].id == id {
                return Some(slot.node);
            }
            i = (i + 1) & mask;
        }
    }

    /// Puts a slot in a table with a free slot.
    fn place(slots: &mut [IdSlot], slot: IdSlot) {
        let mask = slots.len() - 1;
        let mut i = slot.hash as usize & mask;
        while slots[i].node != EMPTY {
            i = (i + 1) & mask;
        }
        slots[i] = slot;
    }

    /// Whether a table of `len` slots holds `n` nodes at most three quarters full.
    fn roomy(n: usize, len: usize) -> bool {
        4 * n <= 3 * len
    }

    /// A table for `n` nodes: at most three quarters full, and at least half empty when made.
    fn table(n: usize) -> Vec<IdSlot> {
        vec![FREE; (n + n / 2).next_power_of_two().max(16)]
    }

    pub(super) fn insert(&mut self, node: NodeId, nodes: &[Node]) {
        if self.shards.is_empty() {
            self.shards = vec![Self::table(0); ID_SHARDS];
            self.filled = vec![0; ID_SHARDS];
        }
        let id = &nodes[node as usize].id;
        let hash = id_hash(id);
        let s = Self::shard(hash);
        if !Self::roomy(self.filled[s] + 1, self.shards[s].len()) {
            let mut bigger = Self::table(2 * (self.filled[s] + 1));
            for slot in self.shards[s].iter().filter(|x| x.node != EMPTY) {
                Self::place(&mut bigger, *slot);
            }
            self.shards[s] = bigger;
        }
        let slot = IdSlot {
            hash: hash as u32,
            node,
        };
        Self::place(&mut self.shards[s], slot);
        self.filled[s] += 1;
    }

    /// The index of every node, built one shard per task.
    pub(super) fn of(nodes: &[Node]) -> IdIndex {
        let hashes: Vec<u64> = nodes.par_iter().map(|n| id_hash(&n.id)).collect();
        Self::of_hashed(&hashes, None)
    }

    /// The index of every node and the index of the nodes `keep` keeps, built at once from one
    /// hash of each id.
    pub(super) fn of_all_and(nodes: &[Node], keep: impl Fn(&Node) -> bool) -> (IdIndex, IdIndex) {
        let hashes: Vec<u64> = nodes.par_iter().map(|n| id_hash(&n.id)).collect();
        let kept: Vec<NodeId> = (0..nodes.len() as NodeId)
            .filter(|&n| keep(&nodes[n as usize]))
            .collect();
        rayon::join(
            || Self::of_hashed(&hashes, None),
            || Self::of_hashed(&hashes, Some(&kept)),
        )
    }

    /// The index of the nodes `only` lists (every node when `None`), whose ids hash to
    /// `hashes` (by node), built one shard per task.
    fn of_hashed(hashes: &[u64], only: Option<&[NodeId]>) -> IdIndex {
        let node = |i: usize| only.map_or(i as NodeId, |o| o[i]);
        // Nodes by shard, in node order (one pass, instead of each shard scanning them all).
        let (offsets, by_shard) = grouping::group_by_node(
            ID_SHARDS,
            only.map_or(hashes.len(), <[NodeId]>::len),
            |i| Self::shard(hashes[node(i) as usize]) as NodeId,
            node,
            |_, _| std::cmp::Ordering::Equal,
        );
        let (shards, filled) = (0..ID_SHARDS)
            .into_par_iter()
            .map(|shard| {
                let mine = &by_shard[offsets[shard] as usize..offsets[shard + 1] as usize];
                let mut slots = Self::table(mine.len());
                for &node in mine {
                    let slot = IdSlot {
                        hash: hashes[node as usize] as u32,
                        node,
                    };
                    Self::place(&mut slots, slot);
                }
                (slots, mine.len())
            })
            .unzip();
        IdIndex { shards, filled }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Model, NodeKind};

    #[test]
    fn node_lookup_finds_every_id_and_no_other() {
        // Short and long ids, long ids sharing a long prefix, and enough nodes to grow the
        // tables one insert at a time.
        let mut ids: Vec<String> = (0..3000).map(|i| format!("n{i}")).collect();
        for len in 20..28 {
            ids.push("x".repeat(len));
            ids.push(format!("{}{len}", "p".repeat(23)));
        }
        let mut one_by_one = Model::default();
        for id in &ids {
            one_by_one.add_node(id, NodeKind::Account);
        }
        // Nodes of every kind, so that the small index of the few kinds holds some of them.
        let mut at_once = Model::default();
        at_once.add_nodes(
            ids.iter()
                .enumerate()
                .map(|(i, id)| Node {
                    id: id.as_str().into(),
                    kind: NodeKind::ALL[i % 5],
                })
                .collect(),
        );
        let expected: [&[NodeKind]; 4] = [
            &[NodeKind::Group],
            &[NodeKind::Store, NodeKind::System],
            &[NodeKind::Account],
            &NodeKind::ALL,
        ];
        for m in [&one_by_one, &at_once] {
            for (i, id) in ids.iter().enumerate() {
                assert_eq!(m.node_id(id), Some(i as NodeId), "{id}");
                // Whatever kind the lookup expects, the node is found.
                for kinds in expected {
                    assert_eq!(m.node_id_of(id, kinds), Some(i as NodeId), "{id}");
                }
            }
            for absent in ["n3000", "", "x", &"x".repeat(28), &"p".repeat(23 + 1)] {
                assert_eq!(m.node_id(absent), None, "{absent}");
                for kinds in expected {
                    assert_eq!(m.node_id_of(absent, kinds), None, "{absent}");
                }
            }
        }
    }
}
