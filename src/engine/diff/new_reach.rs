//! `diff --fail-if new_reach:C`: every (source, store) pair where the source reaches, in NEW, a
//! store holding records of category C (own or a flowed copy) that it does not reach in OLD.
//!
//! One pass over each version's attack graph per block of such stores, not one backward search
//! per store: the stores of C in either version (matched by id) are numbered, and for a block of
//! them each strongly connected component gets the bitset of the block's stores it reaches,
//! made in one sweep of the components sinks first (a component reaches what its members hold
//! and what every component it steps into reaches). A source's new pairs are then its bits in
//! NEW without its bits in OLD, one word at a time.

use rayon::prelude::*;

use crate::graph::scc::{component_of, Components};
use crate::graph::AttackGraph;
use crate::model::records::Holdings;
use crate::model::{category_matches, Model, NodeId, NodeKind};

/// Bytes a version's component bitsets may take for one block of stores.
const BLOCK_BYTES: usize = 64 << 20;

/// One version's attack graph in components, and where its stores of C sit among the targets.
struct Version {
    graph: AttackGraph,
    components: Components,
    /// Each node's component.
    comp: Vec<u32>,
    /// Each node's number among the targets when it is a store holding C.
    target: Vec<u32>,
}

const NONE: u32 = u32::MAX;

impl Version {
    fn new(model: &Model, ids: &[&str], category: &str) -> Version {
        let (graph, holdings) =
            rayon::join(|| AttackGraph::build(model), || Holdings::compute(model));
        let (comp, count) = component_of(graph.node_count, |n, i| {
            graph.out(n).get(i).map(|&e| graph.target(e))
        });
        let components = Components::group(&comp, count);
        let mut target = vec![NONE; model.node_count()];
        for (i, id) in ids.iter().enumerate() {
            if let Some(s) = model
                .node_id(id)
                .filter(|&s| holds(model, &holdings, s, category))
            {
                target[s as usize] = i as u32;
            }
        }
        Version {
            graph,
            components,
            comp,
            target,
        }
    }

    /// For the targets `first..first + block`, the bits of those each component reaches
    /// (`words` words a component, enough for `block` bits; components in their order).
    fn reach(&self, first: usize, block: usize) -> Vec<u64> {
        let words = block.div_ceil(64);
        let mut bits = vec![0u64; self.components.len() * words];
        for c in 0..self.components.len() {
            let (done, rest) = bits.split_at_mut(c * words);
            let own = &mut rest[..words];
            for &n in self.components.of(c) {
                let t = self.target[n as usize];
                if t != NONE && (t as usize) >= first && (t as usize) < first + block {
                    let i = t as usize - first;
                    own[i / 64] |= 1 << (i % 64);
                }
                for &e in self.graph.out(n) {
                    let d = self.comp[self.graph.target(e) as usize] as usize;
                    // Components are numbered sinks first: every step leaves to an earlier one.
                    if d != c {
                        let theirs = &done[d * words..(d + 1) * words];
                        own.iter_mut().zip(theirs).for_each(|(o, t)| *o |= t);
                    }
                }
            }
        }
        bits
    }
}

/// Whether store `s` holds records of `category` (or below it), own or a flowed copy.
fn holds(model: &Model, holdings: &Holdings, s: NodeId, category: &str) -> bool {
    model.kind(s) == NodeKind::Store
        && holdings.by_store[s as usize]
            .iter()
            .any(|h| category_matches(&model.record_sets[h.set as usize].category, category))
}

/// (source id, store id), sorted, for every source of `kind` that reaches in `new` a store
/// holding `category` (or a category below it) which it does not reach in `old`.
pub fn new_reach(
    old: &Model,
    new: &Model,
    kind: NodeKind,
    category: &str,
) -> Vec<(String, String)> {
    new_reach_in_blocks(old, new, kind, category, None)
}

/// [`new_reach`] with at most `block` stores a pass (`None`: as many as [`BLOCK_BYTES`] of
/// bitsets a version allow), for the tests to cut small models into several blocks.
pub fn new_reach_in_blocks(
    old: &Model,
    new: &Model,
    kind: NodeKind,
    category: &str,
    block: Option<usize>,
) -> Vec<(String, String)> {
    // The stores of C in NEW: only they can be newly reached.
    let new_holdings = Holdings::compute(new);
    let mut ids: Vec<&str> = new
        .nodes_of(NodeKind::Store)
        .filter(|&s| holds(new, &new_holdings, s, category))
        .map(|s| new.id(s))
        .collect();
    drop(new_holdings);
    ids.sort_unstable();
    if ids.is_empty() {
        return Vec::new();
    }
    let (before, after) = rayon::join(
        || Version::new(old, &ids, category),
        || Version::new(new, &ids, category),
    );
    // Each source of `kind` in NEW, with the same id's node in OLD when it is of that kind
    // there too (otherwise it reached nothing as a source of `kind` before).
    let sources: Vec<(NodeId, Option<NodeId>)> = new
        .nodes_of(kind)
        .map(|n| {
            let was = old.node_id(new.id(n)).filter(|&o| old.kind(o) == kind);
            (n, was)
        })
        .collect();
    let components = before.components.len().max(after.components.len()).max(1);
    let block = block.unwrap_or_else(|| 64 * (BLOCK_BYTES / 8 / components).max(1));
    let block = block.clamp(1, ids.len());
    let words = block.div_ceil(64);
    let mut pairs: Vec<(String, String)> = Vec::new();
    for first in (0..ids.len()).step_by(block) {
        let (was, now) = rayon::join(|| before.reach(first, block), || after.reach(first, block));
        let found: Vec<(String, String)> = sources
            .par_iter()
            .flat_map_iter(|&(n, o)| {
                let c = after.comp[n as usize] as usize;
                let now = &now[c * words..(c + 1) * words];
                let was = o.map(|o| {
                    let c = before.comp[o as usize] as usize;
                    &was[c * words..(c + 1) * words]
                });
                let mut out = Vec::new();
                for (w, &bits) in now.iter().enumerate() {
                    let mut fresh = bits & !was.map_or(0, |was| was[w]);
                    while fresh != 0 {
                        let i = first + 64 * w + fresh.trailing_zeros() as usize;
                        fresh &= fresh - 1;
                        out.push((new.id(n).to_string(), ids[i].to_string()));
                    }
                }
                out
            })
            .collect();
        pairs.extend(found);
    }
    pairs.sort_unstable();
    pairs
}
