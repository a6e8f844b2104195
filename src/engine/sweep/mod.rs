//! Sweep: every node of a kind as the sole compromised node, worst case, all at once.
//!
//! One traversal per source costs O(sources × edges). Instead the attack graph is condensed into
//! its strongly connected components (a DAG, in reverse topological order), and reachable sets
//! are propagated from the sinks up as bitsets, one chunk of targets at a time so memory stays
//! at (components × chunk) bits:
//!
//! - **Stores.** Each record set is counted in one chunk, which holds every store with a copy
//!   of it (copies never leave their flow component: a component that fits goes whole into one
//!   chunk, a larger one is cut between its sets, so a store may sit in several chunks, each
//!   counting only its own sets there, and is itself counted in one, its home; see `cut.rs`).
//!   Records so deduplicate within a chunk and add up across chunks. For each chunk every
//!   component gets the bitset of chunk stores it reaches. Its figures start from those of its
//!   *dominant* successor (the one reaching the most chunk stores), and only the record sets
//!   of the stores it reaches beyond that are recounted, each over its copies.
//! - **Rows and leaves.** Only components that another relevant component reaches keep a
//!   row, and only those with successors keep bits in it (with marks of their non-zero words:
//!   most are sparse, and a filled row is packed to its marked words); one thread fills them, successors first (the plan resolves every
//!   row's and leaf's successors to rows once, so no chunk reads the component-to-row
//!   table). A bare row (no successors:
//!   half of them at 1M people, stores mostly) keeps no bits: whoever reads it sets the
//!   targets it holds, as for its own. The rest, the leaves (most sources), only read rows: they are computed
//!   in parallel, each in a scratch row, but for a leaf that holds nothing in the chunk and has
//!   one successor reaching anything there (and none that is itself a target): it takes that
//!   row's figures as they are (about 300k of 800k leaf visits per store chunk at 1M people). A row or leaf that reaches no target in a chunk (one
//!   bit per chunk, found once per pass: `touches.rs`) is skipped there, its figures nothing.
//!   Chunks run one after another, two sets of rows taking turns: while one chunk's leaves are
//!   computed, one thread fills the next chunk's rows. Each row's and leaf's figures are summed
//!   over the chunks in chunk order where they are made, and each source takes its row's or
//!   leaf's at the end. The store pass and the reach pass (below) run side by side, each with its
//!   own rows, so one's rows overlap the other's leaves.
//! - **Twins.** Components that keep no row, hold no store and have the same successors
//!   (accounts in the same groups) reach the same targets: the first is computed, the others
//!   copy its figures (about 37k of 128k such accounts at 100k people).
//! - **Reach size.** A component with exactly one predecessor in the DAG hangs under it: it is
//!   reached exactly when its predecessor is. Hanging components form trees; only the others
//!   (two or more predecessors) get bits, weighted by the size of the tree below them. A source
//!   reaches its own tree plus the trees of the weighted components it reaches. Weighted
//!   components that are a lone store with no successors (most of them) weigh one and are
//!   counted by the store pass, which has their bits already; the reach pass takes the rest.
//!
//! [`sweep_by_traversal`] is the plain twin (one breadth-first search per source); the tests
//! hold the two equal.

mod condensation;
mod cut;
mod plan;
mod reach_size;
mod rows;
mod stores;
mod touches;

use rayon::prelude::*;

pub use condensation::Condensation;

use super::reach::forward;
use super::tally::{ExposureIndex, Tally};
use crate::graph::AttackGraph;
use crate::model::{Model, NodeId, NodeKind};
use cut::StoreChunks;
use plan::{Place, Plan};
use reach_size::{reach_pass, trees, weighted};
use stores::store_pass;

/// Bits per chunk word.
const WORD: usize = 64;
/// Words per chunk at most: 256 × 64 = 16,384 targets per pass, cut evenly (at 1M people the
/// passes take 8 store chunks and 6 of the reach's). One chunk is worked on at a time. Filled
/// rows are packed (only their marked words are kept), so their memory follows what they hold
/// (at 1M people about 7 MB per chunk, where full-width rows took 190 MB), not the width. The
/// width still sets which record sets are counted together and so each exposure's rounding:
/// changing it changes figures in their last bits.
const CHUNK_WORDS: usize = 256;

/// The worst case of one source.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepRow {
    pub node: NodeId,
    pub exposure: f64,
    pub records: u64,
    /// Leaked stores.
    pub stores: u32,
    /// Nodes the attacker controls, the source included.
    pub reach: u64,
    /// Expected people affected per population (the order of [`ExposureIndex::populations`]).
    pub people: Vec<f64>,
}

/// The worst case of every source, through the condensation. Chunks run one after another;
/// within a chunk the leaves run in parallel. Every figure is computed by one thread and
/// combined in chunk order, so the result does not depend on the thread count.
pub fn sweep(
    model: &Model,
    graph: &AttackGraph,
    index: &ExposureIndex,
    sources: &[NodeId],
) -> Vec<SweepRow> {
    sweep_condensed(model, Condensation::new(graph), index, sources)
}

/// [`sweep`] over the condensation of the attack graph, which is all it reads: a caller that
/// needs the graph for nothing else can let it go first.
pub fn sweep_condensed(
    model: &Model,
    cond: Condensation,
    index: &ExposureIndex,
    sources: &[NodeId],
) -> Vec<SweepRow> {
    sweep_in_chunks(model, cond, index, sources, CHUNK_WORDS)
}

/// Targets per chunk when `total` targets are cut into chunks of at most `words` words, as
/// evenly as possible.
fn per_chunk(total: usize, words: usize) -> usize {
    let chunks = total.div_ceil(words * WORD).max(1);
    total.div_ceil(chunks).max(1)
}

/// [`sweep_condensed`] with chunks of at most `chunk_words` words: the tests make them narrow
/// so that models of a few hundred stores take many chunks.
#[doc(hidden)]
pub fn sweep_in_chunks(
    model: &Model,
    cond: Condensation,
    index: &ExposureIndex,
    sources: &[NodeId],
    chunk_words: usize,
) -> Vec<SweepRow> {
    let pops = index.populations.len();
    let plan = Plan::new(model, cond, index, sources);
    let places: Vec<Place> = sources.iter().map(|&x| plan.place(x)).collect();
    let cond = &plan.cond;
    let tree = trees(cond);
    let weighted = weighted(&plan);
    let parts: Vec<&[usize]> = weighted
        .chunks(per_chunk(weighted.len(), chunk_words))
        .collect();
    let cut = StoreChunks::new(
        model,
        index,
        per_chunk(model.nodes_of(NodeKind::Store).count(), chunk_words),
    );
    // The two passes share nothing but the plan: they run side by side, so that each one's
    // rows (filled by one thread) overlap the other's leaves. Packed rows keep this within
    // what one pass's rows took at full width.
    let store_words = widest(cut.chunks.iter().map(|c| c.stores.len()));
    let reach_words = widest(parts.iter().map(|p| p.len()));
    let ((mut totals, none), reach) = rayon::join(
        || store_pass(&plan, model, &cut, store_words, &places),
        || reach_pass(&plan, &parts, reach_words, &places, &tree),
    );
    for (t, r) in totals.iter_mut().zip(reach) {
        t.reach += r;
    }

    sources
        .par_iter()
        .zip(&totals)
        .enumerate()
        .map(|(xi, (&x, t))| SweepRow {
            node: x,
            exposure: t.exposure,
            records: t.records,
            stores: t.stores,
            reach: t.reach + tree[cond.comp[x as usize] as usize],
            people: (0..pops)
                .map(|p| index.sizes[p] * (1.0 - none[xi * pops + p]))
                .collect(),
        })
        .collect()
}

/// Width in words of rows that hold any of `chunks` (at least one).
fn widest(chunks: impl Iterator<Item = usize>) -> usize {
    chunks.max().unwrap_or(0).div_ceil(WORD).max(1)
}

/// Sources per parallel job when they take their row's or leaf's figures.
const FOLD_BLOCK: usize = 4096;

/// The plain twin of [`sweep`]: one breadth-first search per source.
pub fn sweep_by_traversal(
    model: &Model,
    graph: &AttackGraph,
    index: &ExposureIndex,
    sources: &[NodeId],
) -> Vec<SweepRow> {
    sources
        .par_iter()
        .map_init(
            || Tally::new(index),
            |tally, &x| {
                let r = forward(graph, &[x]);
                let stores: Vec<NodeId> = r
                    .order
                    .iter()
                    .copied()
                    .filter(|&n| model.kind(n) == NodeKind::Store)
                    .collect();
                tally.count(index, stores.iter().copied());
                SweepRow {
                    node: x,
                    exposure: tally.exposure,
                    records: tally.records_total,
                    stores: stores.len() as u32,
                    reach: r.order.len() as u64,
                    people: tally.people.clone(),
                }
            },
        )
        .collect()
}
