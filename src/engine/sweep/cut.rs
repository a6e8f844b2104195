//! How the store pass cuts the stores into chunks: each record set is counted in one chunk,
//! which holds every store with a copy of it; a store may sit in several chunks (one per group
//! of its sets) and is counted itself, as a leaked store, in exactly one, its home.

use crate::engine::tally::ExposureIndex;
use crate::model::records::SetId;
use crate::model::{Model, NodeId, NodeKind};

/// The stores of one chunk of the store pass.
pub(super) struct ChunkStores {
    /// The chunk's stores, in the order they joined it (their chunk-local index).
    pub(super) stores: Vec<NodeId>,
    /// Whether the chunk is the home of each of `stores`: the one chunk that counts the store
    /// itself (as leaked, and as a sink store in the reach).
    pub(super) home: Vec<bool>,
}

/// The chunks of the store pass and the record sets each counts.
pub(super) struct StoreChunks {
    pub(super) chunks: Vec<ChunkStores>,
    /// Chunk of each record set (`u32::MAX` for sets no store holds).
    pub(super) set_chunk: Vec<u32>,
}

impl StoreChunks {
    /// Stores in chunks of at most `limit` stores (a chunk is wider only when one record set
    /// has more copies than that). Copies of a set never leave their flow component, so a flow
    /// component that fits in a chunk goes whole into one: its stores sit in that chunk alone.
    /// A larger one is cut between its record sets: each set goes whole into one chunk with
    /// every store that holds a copy of it, so a store receiving many sets may sit in several
    /// chunks, each counting only its own sets' copies there.
    pub(super) fn new(model: &Model, index: &ExposureIndex, limit: usize) -> StoreChunks {
        let mut cut = Cutter {
            limit: limit.max(1),
            chunks: Vec::new(),
            current: ChunkStores {
                stores: Vec::new(),
                home: Vec::new(),
            },
            joined: vec![u32::MAX; model.node_count()],
            homed: vec![false; model.node_count()],
            set_chunk: vec![u32::MAX; index.set_count()],
        };
        let mut copies: Vec<(SetId, NodeId)> = Vec::new();
        let mut units: Vec<NodeId> = Vec::new();
        for stores in flow_components(model) {
            if stores.len() <= cut.limit {
                let sets = stores
                    .iter()
                    .flat_map(|&st| index.store_holdings(st).iter().map(|h| h.set));
                let sets: Vec<SetId> = sets.collect();
                cut.add(&stores, &sets);
                continue;
            }
            copies.clear();
            for &st in &stores {
                copies.extend(index.store_holdings(st).iter().map(|h| (h.set, st)));
            }
            copies.sort_unstable();
            copies.dedup();
            for group in copies.chunk_by(|a, b| a.0 == b.0) {
                units.clear();
                units.extend(group.iter().map(|&(_, st)| st));
                cut.add(&units, &[group[0].0]);
            }
            // Stores that hold nothing still count as leaked stores somewhere.
            for &st in &stores {
                if !cut.homed[st as usize] {
                    cut.add(&[st], &[]);
                }
            }
        }
        cut.close();
        StoreChunks {
            chunks: cut.chunks,
            set_chunk: cut.set_chunk,
        }
    }
}

/// Packs groups of stores (with the record sets they carry) into chunks, in order.
struct Cutter {
    limit: usize,
    chunks: Vec<ChunkStores>,
    current: ChunkStores,
    /// The last chunk each store joined (`u32::MAX` for none yet).
    joined: Vec<u32>,
    /// Whether a store has its home chunk yet.
    homed: Vec<bool>,
    set_chunk: Vec<u32>,
}

impl Cutter {
    /// Adds `stores`, counting `sets`, to the current chunk, or to a new one when they would
    /// make it exceed the limit.
    fn add(&mut self, stores: &[NodeId], sets: &[SetId]) {
        let at = self.chunks.len() as u32;
        let new = stores
            .iter()
            .filter(|&&st| self.joined[st as usize] != at)
            .count();
        if !self.current.stores.is_empty() && self.current.stores.len() + new > self.limit {
            self.close();
        }
        let at = self.chunks.len() as u32;
        for &st in stores {
            if self.joined[st as usize] != at {
                self.joined[st as usize] = at;
                self.current.stores.push(st);
                self.current.home.push(!self.homed[st as usize]);
                self.homed[st as usize] = true;
            }
        }
        for &set in sets {
            self.set_chunk[set as usize] = at;
        }
    }

    fn close(&mut self) {
        if !self.current.stores.is_empty() {
            let empty = ChunkStores {
                stores: Vec::new(),
                home: Vec::new(),
            };
            self.chunks
                .push(std::mem::replace(&mut self.current, empty));
        }
    }
}

/// The stores of each flow component (stores linked by flows, in either direction), in the
/// order of their first store, each in node order.
fn flow_components(model: &Model) -> Vec<Vec<NodeId>> {
    let n = model.node_count();
    let mut root: Vec<u32> = (0..n as u32).collect();
    fn find(root: &mut [u32], x: u32) -> u32 {
        let mut r = x;
        while root[r as usize] != r {
            r = root[r as usize];
        }
        let mut y = x;
        while root[y as usize] != r {
            let next = root[y as usize];
            root[y as usize] = r;
            y = next;
        }
        r
    }
    for f in &model.flows {
        let (a, b) = (find(&mut root, f.from), find(&mut root, f.to));
        if a != b {
            root[a.max(b) as usize] = a.min(b);
        }
    }
    let mut by_component: std::collections::BTreeMap<u32, Vec<NodeId>> = Default::default();
    for s in model.nodes_of(NodeKind::Store) {
        let r = find(&mut root, s);
        by_component.entry(r).or_default().push(s);
    }
    by_component.into_values().collect()
}
