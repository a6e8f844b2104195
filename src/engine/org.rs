//! The organisation-wide objective of `recommend --objective org`: the worst-case exposure of
//! every source of a kind (every account, say) as the sole compromised node, each weighted (1
//! by default; the entry likelihood of a source when one is given), summed. It is computed with
//! the sweep (one pass over the condensed graph), never by a search per source.
//!
//! A full sweep per candidate fix is the cost of a step, so the candidates are the steps and
//! stores that matter to many sources: the breadth-first trees of a sample of sources (evenly
//! spaced, weighted) propose the attack steps on the most trees and the stores reached by the
//! most weight, as `recommend --all-accounts` picks its choke points.

use super::reach::{forward, NO_EDGE};
use super::sweep::{sweep_condensed, Condensation};
use super::tally::ExposureIndex;
use crate::graph::{AttackGraph, EdgeId};
use crate::model::{Model, NodeId, NodeKind};

/// Sources whose trees propose candidates (all of them when there are fewer).
pub const SAMPLE: usize = 200;

/// The objective: the weighted sum of the sources' worst-case exposures. `weights` is one per
/// source, in the order of `sources` (1 each when `None`).
pub fn value(
    model: &Model,
    graph: &AttackGraph,
    index: &ExposureIndex,
    sources: &[NodeId],
    weights: Option<&[f64]>,
) -> f64 {
    value_condensed(model, Condensation::new(graph), index, sources, weights)
}

/// [`value`] on a condensation already made (a data fix leaves the graph alone).
pub fn value_condensed(
    model: &Model,
    cond: Condensation,
    index: &ExposureIndex,
    sources: &[NodeId],
    weights: Option<&[f64]>,
) -> f64 {
    let rows = sweep_condensed(model, cond, index, sources);
    rows.iter()
        .enumerate()
        .map(|(i, r)| weights.map_or(1.0, |w| w[i]) * r.exposure)
        .sum()
}

/// What the sampled sources' trees share: attack steps by the weight of the trees they are on,
/// and stores by the weight of the sources that reach them, both most first (ties by edge key
/// and node id), without the zero-weight ones.
pub struct Shared {
    pub steps: Vec<EdgeId>,
    /// Each store with the weight of the sampled sources reaching it.
    pub stores: Vec<(NodeId, f64)>,
}

/// [`Shared`] for `sources` weighted by `weights`.
pub fn shared(
    model: &Model,
    graph: &AttackGraph,
    sources: &[NodeId],
    weights: Option<&[f64]>,
) -> Shared {
    let picks: Vec<usize> = if sources.len() <= SAMPLE {
        (0..sources.len()).collect()
    } else {
        (0..SAMPLE).map(|i| i * sources.len() / SAMPLE).collect()
    };
    let mut on_trees = vec![0.0f64; graph.edge_count()];
    let mut reached_by = vec![0.0f64; model.node_count()];
    for i in picks {
        let w = weights.map_or(1.0, |w| w[i]);
        if w <= 0.0 {
            continue;
        }
        let r = forward(graph, &[sources[i]]);
        for &n in &r.order {
            let e = r.parent[n as usize];
            if e != NO_EDGE {
                on_trees[e as usize] += w;
            }
            if model.kind(n) == NodeKind::Store {
                reached_by[n as usize] += w;
            }
        }
    }
    let mut steps: Vec<EdgeId> = (0..graph.edge_count() as EdgeId)
        .filter(|&e| on_trees[e as usize] > 0.0)
        .collect();
    steps.sort_by(|&x, &y| {
        on_trees[y as usize]
            .total_cmp(&on_trees[x as usize])
            .then(graph.edge(x).key.cmp(&graph.edge(y).key))
    });
    let mut stores: Vec<(NodeId, f64)> = model
        .nodes_of(NodeKind::Store)
        .map(|s| (s, reached_by[s as usize]))
        .filter(|&(_, w)| w > 0.0)
        .collect();
    stores.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    Shared { steps, stores }
}
