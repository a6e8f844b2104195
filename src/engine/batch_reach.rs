//! Reachability of 64 Monte Carlo trials at once (the simulation without a time model).
//!
//! Every node carries a 64-bit mask, bit j meaning "reached in trial j of the batch". Nodes are
//! visited once per batch in topological order of the strongly connected components of the
//! sources' worst-case reach, so a node's mask is final before it is pushed along its edges:
//! an edge with p = 1 passes the whole mask on, a probabilistic edge passes the trials whose
//! keyed draw opens it. Inside a component with a cycle, masks are pushed around until nothing
//! changes. The draws are the same keyed draws a one-trial traversal makes, so the reached
//! sets are exactly those of one traversal per trial; only the work is shared: one pass over an
//! edge serves up to 64 trials, and only the bits of trials not yet at its target are drawn.
//! With an attack vector, a source starts with the trials whose keyed entry draw takes it.

use super::random::{draw_bits, trial_salt, ALWAYS};
use crate::graph::scc::strong_components;
use crate::graph::AttackGraph;
use crate::model::{NodeId, NodeKind};

/// Trials per batch: one bit each in a `u64`.
pub const LANES: usize = 64;

const UNSEEN: u32 = u32::MAX;

/// The part of the attack graph the sources can reach, laid out for batches: nodes renumbered
/// in topological order of their components, with flat out-adjacency in that numbering.
#[derive(Debug, Clone)]
pub struct BatchPlan {
    /// Graph node of each local node.
    pub nodes: Vec<NodeId>,
    /// Local node of each graph node, or `u32::MAX` when the sources cannot reach it.
    local: Vec<u32>,
    /// Component `c` holds the local nodes `components[c]..components[c + 1]`.
    components: Vec<u32>,
    offsets: Vec<u32>,
    to: Vec<u32>,
    threshold: Vec<u64>,
    key: Vec<u64>,
    /// Local sources with the threshold and key of their entry draw (`ALWAYS` when certain).
    sources: Vec<(u32, u64, u64)>,
    /// Local nodes that are stores, by graph node id.
    stores: Vec<u32>,
}

impl BatchPlan {
    /// The plan from `sources`; `entry` gives each source's entry draw (threshold and key, in
    /// the order of `sources`), or is empty when every source is always taken.
    pub fn new(
        graph: &AttackGraph,
        kinds: &[NodeKind],
        sources: &[NodeId],
        entry: &[(u64, u64)],
    ) -> BatchPlan {
        let n = graph.node_count;
        // Worst-case reach of the sources, in discovery order.
        let mut local = vec![UNSEEN; n];
        let mut reach: Vec<NodeId> = Vec::new();
        for &s in sources {
            if local[s as usize] == UNSEEN {
                local[s as usize] = reach.len() as u32;
                reach.push(s);
            }
        }
        let mut i = 0;
        while i < reach.len() {
            for &e in graph.out(reach[i]) {
                let t = graph.edge(e).to;
                if local[t as usize] == UNSEEN {
                    local[t as usize] = reach.len() as u32;
                    reach.push(t);
                }
            }
            i += 1;
        }
        let found = strong_components(graph, &reach, &local);
        // Renumber: local index = position in topological order (sources first, the reverse
        // of the order components are found in).
        let mut nodes = Vec::with_capacity(reach.len());
        let mut components = Vec::with_capacity(found.len() + 1);
        components.push(0u32);
        for c in (0..found.len()).rev() {
            nodes.extend(found.of(c).iter().map(|&r| reach[r as usize]));
            components.push(nodes.len() as u32);
        }
        for (i, &g) in nodes.iter().enumerate() {
            local[g as usize] = i as u32;
        }
        let mut offsets = Vec::with_capacity(nodes.len() + 1);
        offsets.push(0u32);
        let (mut to, mut threshold, mut key) = (Vec::new(), Vec::new(), Vec::new());
        for &g in &nodes {
            for &e in graph.out(g) {
                let edge = graph.edge(e);
                to.push(local[edge.to as usize]);
                threshold.push(super::random::threshold(edge.p));
                key.push(edge.key);
            }
            offsets.push(to.len() as u32);
        }
        let mut local_sources: Vec<(u32, u64, u64)> = sources
            .iter()
            .enumerate()
            .map(|(i, &s)| {
                let (threshold, key) = entry.get(i).copied().unwrap_or((ALWAYS, 0));
                (local[s as usize], threshold, key)
            })
            .collect();
        local_sources.sort_unstable();
        local_sources.dedup_by_key(|s| s.0);
        let mut stores: Vec<(NodeId, u32)> = nodes
            .iter()
            .enumerate()
            .filter(|(_, &g)| kinds[g as usize] == NodeKind::Store)
            .map(|(i, &g)| (g, i as u32))
            .collect();
        stores.sort_unstable();
        BatchPlan {
            nodes,
            local,
            components,
            offsets,
            to,
            threshold,
            key,
            sources: local_sources,
            stores: stores.into_iter().map(|(_, l)| l).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Stores the sources can reach, as local nodes in graph id order.
    pub fn stores(&self) -> &[u32] {
        &self.stores
    }

    /// Local node of a graph node, if the sources can reach it.
    pub fn local(&self, n: NodeId) -> Option<u32> {
        let l = self.local[n as usize];
        (l != UNSEEN).then_some(l)
    }

    fn edges(&self, u: u32) -> std::ops::Range<usize> {
        self.offsets[u as usize] as usize..self.offsets[u as usize + 1] as usize
    }
}

/// Per-worker scratch space of batches.
#[derive(Debug, Clone)]
pub struct BatchScratch {
    pub mask: Vec<u64>,
    salts: [u64; LANES],
    work: Vec<u32>,
    queued: Vec<bool>,
}

impl BatchScratch {
    pub fn new(plan: &BatchPlan) -> BatchScratch {
        BatchScratch {
            mask: vec![0; plan.len()],
            salts: [0; LANES],
            work: Vec::new(),
            queued: vec![false; plan.len()],
        }
    }
}

/// Lanes of `mask` whose trial opens the step (`threshold`, `key`); p = 1 steps need no draw.
#[inline]
fn open_lanes(mask: u64, threshold: u64, key: u64, salts: &[u64; LANES]) -> u64 {
    if threshold >= ALWAYS {
        return mask;
    }
    let mut open = 0;
    let mut todo = mask;
    while todo != 0 {
        let j = todo.trailing_zeros() as usize;
        todo &= todo - 1;
        if draw_bits(salts[j], key) < threshold {
            open |= 1 << j;
        }
    }
    open
}

/// Runs trials `first .. first + lanes` (lanes ≤ 64): afterwards `s.mask[l]` has bit j set when
/// trial `first + j` reaches local node `l`. Returns the edges a one-trial traversal would have
/// examined, summed over the trials (the out-degree of every node each trial reaches).
pub fn reach_batch(
    plan: &BatchPlan,
    seed: u64,
    first: u64,
    lanes: usize,
    s: &mut BatchScratch,
) -> u64 {
    debug_assert!((1..=LANES).contains(&lanes));
    let valid = if lanes == LANES {
        u64::MAX
    } else {
        (1u64 << lanes) - 1
    };
    s.mask.fill(0);
    for j in 0..lanes {
        s.salts[j] = trial_salt(seed, first + j as u64);
    }
    for &(src, threshold, key) in &plan.sources {
        s.mask[src as usize] |= open_lanes(valid, threshold, key, &s.salts);
    }
    let mut examined = 0u64;
    for c in 0..plan.components.len() - 1 {
        let (a, b) = (plan.components[c], plan.components[c + 1]);
        if b - a > 1 {
            settle_component(plan, a, b, s);
        }
        for u in a..b {
            let m = s.mask[u as usize];
            if m == 0 {
                continue;
            }
            let edges = plan.edges(u);
            examined += m.count_ones() as u64 * edges.len() as u64;
            for e in edges {
                let v = plan.to[e];
                if v < b {
                    continue; // inside the component: settled above
                }
                let fresh = m & !s.mask[v as usize];
                if fresh != 0 {
                    s.mask[v as usize] |=
                        open_lanes(fresh, plan.threshold[e], plan.key[e], &s.salts);
                }
            }
        }
    }
    examined
}

/// Pushes masks around a component with a cycle (local nodes `a..b`) until none changes.
fn settle_component(plan: &BatchPlan, a: u32, b: u32, s: &mut BatchScratch) {
    s.work.clear();
    for u in a..b {
        if s.mask[u as usize] != 0 {
            s.work.push(u);
            s.queued[u as usize] = true;
        }
    }
    while let Some(u) = s.work.pop() {
        s.queued[u as usize] = false;
        let m = s.mask[u as usize];
        for e in plan.edges(u) {
            let v = plan.to[e];
            if v < a || v >= b {
                continue;
            }
            let fresh = m & !s.mask[v as usize];
            if fresh == 0 {
                continue;
            }
            let open = open_lanes(fresh, plan.threshold[e], plan.key[e], &s.salts);
            if open != 0 {
                s.mask[v as usize] |= open;
                if !s.queued[v as usize] {
                    s.queued[v as usize] = true;
                    s.work.push(v);
                }
            }
        }
    }
}
