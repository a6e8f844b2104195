//! Node lookup by id while a model is built: sharded open-addressing tables of node numbers
//! with a few bits of each id's hash (and, in the small table of the few kinds, short ids
//! themselves).

use rayon::prelude::*;

use super::{grouping, Node, NodeId};

/// Hash of a node id for the lookup table.
pub(super) fn id_hash(id: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(id.as_bytes());
    h.finish()
}

/// A slot of a node lookup table: the low bits of an id's hash (which place the slot, and tell
/// most other ids apart without reading them) and the node.
pub(super) trait Slot: Copy + std::fmt::Debug + Send + Sync {
    /// The slot of node `node`, whose id is `id` and hashes to `hash`.
    fn new(hash: u64, node: NodeId, id: &str) -> Self;
    const FREE: Self;
    fn hash(&self) -> u32;
    /// `EMPTY` in a free slot.
    fn node(&self) -> NodeId;
    /// What a lookup of one id compares slots with, made once per lookup.
    type Query: Copy;
    fn query(id: &str) -> Self::Query;
    /// Whether the slot's node is named `id` (its hash bits already match), whose
    /// [`Slot::query`] is `q`.
    fn names(&self, q: Self::Query, id: &str, nodes: &[Node]) -> bool;
}

/// A slot of the index of every node: 8 bytes, eight to a cache line; a lookup whose hash bits
/// match compares the node's own id.
#[derive(Debug, Clone, Copy)]
pub(super) struct IdSlot {
    hash: u32,
    node: NodeId,
}

impl Slot for IdSlot {
    fn new(hash: u64, node: NodeId, _: &str) -> Self {
        IdSlot {
            hash: hash as u32,
            node,
        }
    }
    const FREE: Self = IdSlot {
        hash: 0,
        node: EMPTY,
    };
    fn hash(&self) -> u32 {
        self.hash
    }
    fn node(&self) -> NodeId {
        self.node
    }
    type Query = ();
    fn query(_: &str) {}
    fn names(&self, _: (), id: &str, nodes: &[Node]) -> bool {
        nodes[self.node as usize].id == id
    }
}

/// Bytes of an id an [`InlineSlot`] holds.
const INLINE: usize = 15;

/// A slot of the small index of the few kinds: 24 bytes, with the id itself when it is at most
/// [`INLINE`] bytes long (its first bytes otherwise). Most lookups in it (an account's groups,
/// a grant's store) then read one cache line, not the slot's and then the node's.
#[derive(Debug, Clone, Copy)]
pub(super) struct InlineSlot {
    hash: u32,
    node: NodeId,
    /// The id's length, or `LONG` when it is longer than [`INLINE`] bytes.
    len: u8,
    head: [u8; INLINE],
}

/// [`InlineSlot::len`] of an id longer than the slot holds.
const LONG: u8 = u8::MAX;

impl Slot for InlineSlot {
    fn new(hash: u64, node: NodeId, id: &str) -> Self {
        let (len, head) = Self::query(id);
        InlineSlot {
            hash: hash as u32,
            node,
            len,
            head,
        }
    }
    const FREE: Self = InlineSlot {
        hash: 0,
        node: EMPTY,
        len: 0,
        head: [0; INLINE],
    };
    fn hash(&self) -> u32 {
        self.hash
    }
    fn node(&self) -> NodeId {
        self.node
    }
    /// The id's length (or `LONG`) and its first bytes, zero-padded: a slot holding a short
    /// id is compared as two fixed-size values, in line.
    type Query = (u8, [u8; INLINE]);
    fn query(id: &str) -> (u8, [u8; INLINE]) {
        let bytes = id.as_bytes();
        let kept = bytes.len().min(INLINE);
        let mut head = [0; INLINE];
        head[..kept].copy_from_slice(&bytes[..kept]);
        let len = if bytes.len() > INLINE {
            LONG
        } else {
            kept as u8
        };
        (len, head)
    }
    fn names(&self, (len, head): (u8, [u8; INLINE]), id: &str, nodes: &[Node]) -> bool {
        self.len == len && self.head == head && (len != LONG || nodes[self.node as usize].id == id)
    }
}

const EMPTY: NodeId = NodeId::MAX;

/// Node lookup by id while a model is built: open addressing with linear probing over
/// [`Slot`]s, at most three quarters full. The table is cut in shards by id hash, so that a
/// large model's table is built on all threads at once. At a million people (2.5 million
/// nodes) the index of every node ([`IdSlot`]s) takes 34 MB; slots that kept ids inline took
/// 268 MB, the largest single cost of a load, for a lookup that saved one read of the node.
/// The small index of the few kinds keeps short ids inline ([`InlineSlot`]).
#[derive(Debug, Clone)]
pub(super) struct IdIndex<S = IdSlot> {
    /// [`ID_SHARDS`] tables, or none while empty.
    shards: Vec<Vec<S>>,
    /// Nodes in each shard.
    filled: Vec<usize>,
}

impl<S> Default for IdIndex<S> {
    fn default() -> Self {
        IdIndex {
            shards: Vec::new(),
            filled: Vec::new(),
        }
    }
}

const ID_SHARDS: usize = 16;

/// The first slot to probe for hash bits `low` in a table of `len` slots (of any size: the bits
/// scaled to the table, not masked).
fn home(low: u32, len: usize) -> usize {
    ((u64::from(low) * len as u64) >> 32) as usize
}

/// The shard of a hash: bits above those a shard's slot index uses.
fn shard(hash: u64) -> usize {
    (hash >> 40) as usize % ID_SHARDS
}

impl<S: Slot> IdIndex<S> {
    pub(super) fn find(&self, id: &str, nodes: &[Node]) -> Option<NodeId> {
        self.find_hashed(id, id_hash(id), nodes)
    }

    /// [`IdIndex::find`] with the id's [`id_hash`] already made.
    pub(super) fn find_hashed(&self, id: &str, hash: u64, nodes: &[Node]) -> Option<NodeId> {
        if self.shards.is_empty() {
            return None;
        }
        let low = hash as u32;
        let slots = &self.shards[shard(hash)];
        let q = S::query(id);
        let mut i = home(low, slots.len());
        loop {
            let slot = &slots[i];
            if slot.node() == EMPTY {
                return None;
            }
            if slot.hash() == low && slot.names(q, id, nodes) {
                return Some(slot.node());
            }
            i = if i + 1 == slots.len() { 0 } else { i + 1 };
        }
    }

    /// Puts a slot in a table with a free slot.
    fn place(slots: &mut [S], slot: S) {
        let mut i = home(slot.hash(), slots.len());
        while slots[i].node() != EMPTY {
            i = if i + 1 == slots.len() { 0 } else { i + 1 };
        }
        slots[i] = slot;
    }

    /// Whether a table of `len` slots holds `n` nodes at most three quarters full.
    fn roomy(n: usize, len: usize) -> bool {
        4 * n <= 3 * len
    }

    /// A table for `n` nodes: at most three quarters full, and a third empty when made. (Its
    /// size is not rounded up to a power of two, which left the table of a million people's
    /// nodes 40% empty.)
    fn table(n: usize) -> Vec<S> {
        vec![S::FREE; (n + n / 2 + 1).max(16)]
    }

    pub(super) fn insert(&mut self, node: NodeId, nodes: &[Node]) {
        if self.shards.is_empty() {
            self.shards = vec![Self::table(0); ID_SHARDS];
            self.filled = vec![0; ID_SHARDS];
        }
        let id = &nodes[node as usize].id;
        let hash = id_hash(id);
        let s = shard(hash);
        if !Self::roomy(self.filled[s] + 1, self.shards[s].len()) {
            let mut bigger = Self::table(2 * (self.filled[s] + 1));
            for slot in self.shards[s].iter().filter(|x| x.node() != EMPTY) {
                Self::place(&mut bigger, *slot);
            }
            self.shards[s] = bigger;
        }
        Self::place(&mut self.shards[s], S::new(hash, node, id));
        self.filled[s] += 1;
    }

    /// The index of the nodes `only` lists (every node when `None`), whose ids hash to
    /// `hashes` (by node), built one shard per task.
    fn of_hashed(nodes: &[Node], hashes: &[u64], only: Option<&[NodeId]>) -> IdIndex<S> {
        let node = |i: usize| only.map_or(i as NodeId, |o| o[i]);
        // Nodes by shard, in node order (one pass, instead of each shard scanning them all).
        let (offsets, by_shard) = grouping::group_by_node(
            ID_SHARDS,
            only.map_or(hashes.len(), <[NodeId]>::len),
            |i| shard(hashes[node(i) as usize]) as NodeId,
            node,
            |_, _| std::cmp::Ordering::Equal,
        );
        let (shards, filled) = (0..ID_SHARDS)
            .into_par_iter()
            .map(|shard| {
                let mine = &by_shard[offsets[shard] as usize..offsets[shard + 1] as usize];
                let mut slots = Self::table(mine.len());
                for &node in mine {
                    let n = node as usize;
                    Self::place(&mut slots, S::new(hashes[n], node, &nodes[n].id));
                }
                (slots, mine.len())
            })
            .unzip();
        IdIndex { shards, filled }
    }
}

impl IdIndex {
    /// The index of every node, built one shard per task.
    pub(super) fn of(nodes: &[Node]) -> IdIndex {
        let hashes: Vec<u64> = nodes.par_iter().map(|n| id_hash(&n.id)).collect();
        Self::of_hashed(nodes, &hashes, None)
    }

    /// The index of every node and, for each class `class` puts a node in, the index (with ids
    /// inline) of that class's nodes, built at once from one hash of each id.
    pub(super) fn of_all_and<const C: usize>(
        nodes: &[Node],
        class: impl Fn(&Node) -> Option<usize>,
    ) -> (IdIndex, [IdIndex<InlineSlot>; C]) {
        let hashes: Vec<u64> = nodes.par_iter().map(|n| id_hash(&n.id)).collect();
        let mut kept: [Vec<NodeId>; C] = std::array::from_fn(|_| Vec::new());
        for n in 0..nodes.len() as NodeId {
            if let Some(c) = class(&nodes[n as usize]) {
                kept[c].push(n);
            }
        }
        let (all, few) = rayon::join(
            || Self::of_hashed(nodes, &hashes, None),
            || {
                kept.par_iter()
                    .map(|k| IdIndex::of_hashed(nodes, &hashes, Some(k)))
                    .collect::<Vec<_>>()
            },
        );
        let mut few = few.into_iter();
        (all, std::array::from_fn(|_| few.next().unwrap_or_default()))
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
        // Either side of the longest id a slot of the small index holds itself (15 bytes).
        for len in 13..18 {
            ids.push("q".repeat(len));
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
            for absent in [
                "n3000",
                "",
                "x",
                &"x".repeat(28),
                &"p".repeat(23 + 1),
                &"q".repeat(12),
                &"q".repeat(18),
            ] {
                assert_eq!(m.node_id(absent), None, "{absent}");
                for kinds in expected {
                    assert_eq!(m.node_id_of(absent, kinds), None, "{absent}");
                }
            }
        }
    }
}
