//! Choke points: the single attack steps whose removal cuts the most worst-case exposure, for
//! the scenario's sources or summed over every account.

use super::cuts::{CutTally, Dominators};
use crate::graph::{AttackGraph, EdgeId};
use crate::model::{NodeId, NodeKind};
use crate::Analysis;

/// The steps that cut something, largest cut first (ties by edge key), at most `limit`.
fn rank_choke_points(a: &Analysis, mut points: Vec<ChokePoint>, limit: usize) -> Vec<ChokePoint> {
    points.retain(|c| c.without < c.with);
    points.sort_by(|x, y| {
        x.without
            .total_cmp(&y.without)
            .then(a.graph.edge(x.edge).key.cmp(&a.graph.edge(y.edge).key))
    });
    points.truncate(limit);
    points
}

/// A step and the worst-case exposure without it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChokePoint {
    pub edge: EdgeId,
    /// Exposure without the step (summed over sources for the all-accounts form).
    pub without: f64,
    pub with: f64,
}

/// The steps of the scenario's blast radius whose removal cuts the most worst-case exposure: a
/// step cuts something off only when it is the one step into a node from outside what the node
/// dominates, and then cuts off what the node dominates ([`Dominators`]).
pub fn choke_points(a: &Analysis, sources: &[NodeId], limit: usize) -> Vec<ChokePoint> {
    let dom = Dominators::new(&a.model, &a.graph, sources, &|_| true);
    let mut tally = CutTally::new(&a.model, a.index(), &dom);
    let with = tally.exposure;
    let mut entering = Vec::new();
    let mut out = Vec::new();
    for w in dom.reached() {
        if !dom.cuts_stores(w) {
            continue;
        }
        dom.entering(&a.graph, w, &|_| true, &mut entering);
        if let [edge] = entering[..] {
            out.push(ChokePoint {
                edge,
                without: tally.without(&a.model, &dom, w),
                with,
            });
        }
    }
    rank_choke_points(a, out, limit)
}

/// How the all-accounts choke points pick the steps they measure: a full sweep per candidate
/// is too dear to try every step, so candidates come from a sample of accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChokeSampling {
    /// Accounts (evenly spaced in id order) whose search trees propose candidate steps; every
    /// account when there are fewer.
    pub sample: usize,
    /// Candidate steps, those on the most sampled trees, measured with a full sweep each.
    pub candidates: usize,
}

impl Default for ChokeSampling {
    /// What `recommend --all-accounts` uses: the trees of 200 accounts propose candidates, and
    /// the 30 most shared are measured, so the work is bounded by 30 sweeps of every account
    /// whatever the organisation's size.
    fn default() -> Self {
        ChokeSampling {
            sample: 200,
            candidates: 30,
        }
    }
}

/// Choke points summed over every account as the sole compromised node. Candidates are the steps
/// on the search trees of the [sampled](ChokeSampling) accounts, most shared first; the best of
/// them are measured with a full sweep each.
pub fn choke_points_all_accounts(
    a: &Analysis,
    sampling: ChokeSampling,
    limit: usize,
) -> Vec<ChokePoint> {
    let ChokeSampling { sample, candidates } = sampling;
    let accounts: Vec<NodeId> = a.model.nodes_of(NodeKind::Account).collect();
    if accounts.is_empty() {
        return Vec::new();
    }
    let picks: Vec<NodeId> = if accounts.len() <= sample {
        accounts.clone()
    } else {
        (0..sample)
            .map(|i| accounts[i * accounts.len() / sample])
            .collect()
    };
    let mut uses = vec![0u32; a.graph.edge_count()];
    for &x in &picks {
        let r = crate::engine::reach::forward(&a.graph, &[x]);
        for &n in &r.order {
            let e = r.parent[n as usize];
            if e != crate::engine::reach::NO_EDGE {
                uses[e as usize] += 1;
            }
        }
    }
    let mut ranked: Vec<EdgeId> = (0..a.graph.edge_count() as EdgeId)
        .filter(|&e| uses[e as usize] > 0)
        .collect();
    ranked.sort_by(|&x, &y| {
        uses[y as usize]
            .cmp(&uses[x as usize])
            .then(a.graph.edge(x).key.cmp(&a.graph.edge(y).key))
    });
    ranked.truncate(candidates);
    let total = |g: &AttackGraph| -> f64 {
        crate::engine::sweep::sweep(&a.model, g, a.index(), &accounts)
            .iter()
            .map(|r| r.exposure)
            .sum()
    };
    let with = total(&a.graph);
    let out: Vec<ChokePoint> = ranked
        .into_iter()
        .map(|e| ChokePoint {
            edge: e,
            without: total(&a.graph.without_edge(e)),
            with,
        })
        .collect();
    rank_choke_points(a, out, limit)
}
