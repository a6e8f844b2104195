//! Each change's effect alone on OLD, sharing everything the change leaves as it was.
//!
//! Only a source that reaches what a change touches (its anchors, in OLD's graph) can see its
//! worst case move; every other source keeps OLD's figures and is not looked at. The affected
//! sources are then counted one of three ways, cheapest first:
//!
//! - **Walks.** When their reach is small next to the graph, each affected source is walked
//!   twice, in OLD's graph and in that graph with the touched nodes' steps replaced by the
//!   change's [`LinkPatch`], and its leaked stores are tallied with OLD's exposure index and,
//!   when the change alters what stores hold, with the changed model's. No graph is built; the
//!   effect is the sum of the differences of the two walks, so a source counts as changed only
//!   when its own exposure moves.
//! - **Sweep on OLD's graph.** A change to what stores hold that many sources reach (a weight,
//!   the program's age, a popular store's retention) sweeps those sources over OLD's
//!   condensation with the changed model's exposure index.
//! - **Sweep of the patched steps.** A change to the steps alone that many sources reach (a
//!   grant, a membership) sweeps those sources over the condensation of OLD's graph with the
//!   touched nodes' steps replaced by the change's [`LinkPatch`]; OLD's model and exposure
//!   index serve, since what the stores hold is as it was.
//! - **Rebuild.** Any other change that many sources reach (one that adds a node, or changes
//!   both the steps and what stores hold, like a flow) gets a model and a graph of its own,
//!   swept from the affected sources only.

use rayon::prelude::*;

use super::{figures_of, Effect, SweepById};
use crate::engine::reach::backward;
use crate::engine::sweep::{sweep_condensed, Condensation};
use crate::engine::tally::{ExposureIndex, Tally};
use crate::graph::AttackGraph;
use crate::model::diff::{apply_one, LinkIndex, LinkPatch, ModelChange};
use crate::model::records::Holdings;
use crate::model::{Model, NodeId, NodeKind};

/// Nodes the walks of one change may visit, in all, before the change is swept instead, per
/// node and edge of the graph: a sweep costs a few passes over the graph's components.
const WALK_BUDGET_PER_ELEMENT: usize = 2;

/// OLD, as every change's effect reads it.
pub(super) struct Old<'a> {
    pub model: &'a Model,
    /// OLD without its links: what a change to the stores' contents is made on.
    pub shell: Model,
    pub graph: &'a AttackGraph,
    pub condensation: &'a Condensation,
    pub index: &'a ExposureIndex,
    pub links: LinkIndex,
    pub sweep: &'a SweepById,
    /// Nodes each source reaches in OLD (0 for nodes that are no source).
    pub reach: Vec<u64>,
    pub kind: NodeKind,
}

const NONE: Effect = Effect {
    exposure: 0.0,
    sources_changed: 0,
};

/// The effect of `change` alone on OLD.
pub(super) fn effect_alone(old: &Old, change: &ModelChange) -> Effect {
    if !change.may_change_exposure() {
        return NONE;
    }
    let contents = change.changes_holdings().then(|| {
        let m = apply_one(&old.shell, change);
        let holdings = Holdings::compute(&m);
        let index = ExposureIndex::new(&m, &holdings);
        (m, index)
    });
    let patch = change.link_patch(old.model, &old.links);
    let Some(anchors) = change.anchors(old.model) else {
        // Every source may move (a weight, the program's age): what stores hold changes, the
        // steps do not.
        let sources: Vec<NodeId> = old.model.nodes_of(old.kind).collect();
        return match &contents {
            Some((m, index)) => swept_on_old_graph(old, m, index, &sources),
            None => rebuilt(old, change, &sources),
        };
    };
    let mut sources: Vec<NodeId> = backward(old.graph, &anchors)
        .order
        .into_iter()
        .filter(|&n| old.model.kind(n) == old.kind)
        .collect();
    sources.sort_unstable();
    let first_new = old.model.node_count() as NodeId;
    if let Some(p) = &patch {
        // Nodes the change adds are sources of their own.
        sources.extend(
            (0..p.added.len())
                .filter(|&i| p.added[i] == old.kind)
                .map(|i| first_new + i as NodeId),
        );
    }
    if sources.is_empty() {
        return NONE;
    }
    if contents.is_none() && patch.as_ref().is_some_and(|p| !moves_steps(old, p)) {
        // A write grant, or a p that stays above 0: every step is as it was.
        return NONE;
    }
    if walk_cost(old, patch.as_ref(), &sources) > walk_budget(old) {
        if contents.is_none() && patch.as_ref().is_some_and(|p| leaks_as_before(old, p)) {
            return NONE;
        }
        return match (&patch, &contents) {
            (None, Some((m, index))) => swept_on_old_graph(old, m, index, &sources),
            (Some(p), None) if p.added.is_empty() => swept_patched(old, p, &sources),
            _ => rebuilt(old, change, &sources),
        };
    }
    let index = contents.as_ref().map(|(_, i)| i);
    walked(old, patch.as_ref(), index, &sources)
}

fn walk_budget(old: &Old) -> usize {
    WALK_BUDGET_PER_ELEMENT * (old.graph.node_count + old.graph.edge_count())
}

/// The distinct targets of the steps leaving `u` in OLD's graph, sorted.
fn old_steps(old: &Old, u: NodeId) -> Vec<NodeId> {
    if u as usize >= old.graph.node_count {
        return Vec::new();
    }
    let mut to: Vec<NodeId> = old
        .graph
        .out(u)
        .iter()
        .map(|&e| old.graph.edge(e).to)
        .collect();
    to.sort_unstable();
    to.dedup();
    to
}

/// Whether the patch adds a node or opens or closes a step.
fn moves_steps(old: &Old, patch: &LinkPatch) -> bool {
    !patch.added.is_empty() || patch.steps.iter().any(|(u, to)| *to != old_steps(old, *u))
}

/// Most touched nodes whose reach [`leaks_as_before`] compares.
const TOUCHED_COMPARED: usize = 4;

/// Whether every touched node reaches the same stores after the change as before (a removed
/// step whose stores stay reachable another way). Then so does every source: what a source
/// reaches is what it reaches without going on from a touched node, plus what the touched
/// nodes it meets reach, and the first part is the same in both graphs.
fn leaks_as_before(old: &Old, patch: &LinkPatch) -> bool {
    if !patch.added.is_empty() || patch.steps.len() > TOUCHED_COMPARED {
        return false;
    }
    let kinds = old.model.kinds();
    let mut w = Walker::new(old.graph.node_count, old.index, None);
    patch.steps.iter().all(|(u, _)| {
        w.walk(old.graph, None, *u, kinds);
        let mut before = std::mem::take(&mut w.stores);
        w.walk(old.graph, Some(patch), *u, kinds);
        before.sort_unstable();
        w.stores.sort_unstable();
        before == w.stores
    })
}

/// An upper bound on the nodes the walks visit: each source's reach in OLD, twice, plus, when
/// the change opens steps, what OLD reaches from their new ends, once per source.
fn walk_cost(old: &Old, patch: Option<&LinkPatch>, sources: &[NodeId]) -> usize {
    let old_reach: usize = sources
        .iter()
        .map(|&s| old.reach.get(s as usize).copied().unwrap_or(1) as usize)
        .sum();
    let mut opened: Vec<NodeId> = Vec::new();
    for (u, to) in patch.map_or(&[][..], |p| &p.steps[..]) {
        let before = old_steps(old, *u);
        opened.extend(
            to.iter().filter(|t| {
                before.binary_search(t).is_err() && (**t as usize) < old.graph.node_count
            }),
        );
    }
    let beyond = match opened.is_empty() {
        true => 0,
        false => crate::engine::reach::forward(old.graph, &opened)
            .order
            .len(),
    };
    2 * old_reach + sources.len().saturating_mul(beyond + 1)
}

/// The effect from two walks of each source (see the module's docs).
fn walked(
    old: &Old,
    patch: Option<&LinkPatch>,
    index: Option<&ExposureIndex>,
    sources: &[NodeId],
) -> Effect {
    let nodes = old.graph.node_count + patch.map_or(0, |p| p.added.len());
    let known = old.model.node_count() as NodeId;
    let kinds = old.model.kinds();
    let deltas: Vec<f64> = sources
        .par_iter()
        .map_init(
            || Walker::new(nodes, old.index, index),
            |w, &s| {
                let before = match s < known {
                    true => {
                        w.walk(old.graph, None, s, kinds);
                        w.old_tally.count(old.index, w.stores.iter().copied());
                        w.old_tally.exposure
                    }
                    false => 0.0,
                };
                if patch.is_some() || s >= known {
                    w.walk(old.graph, patch, s, kinds);
                }
                let after = match (index, &mut w.new_tally) {
                    (Some(index), Some(t)) => {
                        t.count(index, w.stores.iter().copied());
                        t.exposure
                    }
                    _ => {
                        w.old_tally.count(old.index, w.stores.iter().copied());
                        w.old_tally.exposure
                    }
                };
                after - before
            },
        )
        .collect();
    let mut effect = NONE;
    for d in deltas {
        if d != 0.0 {
            effect.exposure += d;
            effect.sources_changed += 1;
        }
    }
    effect
}

/// Scratch space of one thread's walks.
struct Walker {
    seen: Vec<u32>,
    epoch: u32,
    queue: Vec<NodeId>,
    /// The stores of the last walk (nodes of OLD only: nodes a change adds hold nothing).
    stores: Vec<NodeId>,
    old_tally: Tally,
    new_tally: Option<Tally>,
}

impl Walker {
    fn new(nodes: usize, old: &ExposureIndex, new: Option<&ExposureIndex>) -> Walker {
        Walker {
            seen: vec![0; nodes],
            epoch: 0,
            queue: Vec::new(),
            stores: Vec::new(),
            old_tally: Tally::new(old),
            new_tally: new.map(Tally::new),
        }
    }

    /// Breadth-first from `s` over `graph`, the patched nodes' steps replaced by the patch's;
    /// keeps the stores reached among OLD's nodes (`kinds`).
    fn walk(
        &mut self,
        graph: &AttackGraph,
        patch: Option<&LinkPatch>,
        s: NodeId,
        kinds: &[NodeKind],
    ) {
        self.epoch += 1;
        let epoch = self.epoch;
        self.queue.clear();
        self.stores.clear();
        self.seen[s as usize] = epoch;
        self.queue.push(s);
        let mut head = 0;
        while head < self.queue.len() {
            let n = self.queue[head];
            head += 1;
            if kinds.get(n as usize) == Some(&NodeKind::Store) {
                self.stores.push(n);
            }
            let patched = patch.and_then(|p| {
                p.steps
                    .binary_search_by_key(&n, |(u, _)| *u)
                    .ok()
                    .map(|i| &p.steps[i].1[..])
            });
            let mut visit = |t: NodeId| {
                if self.seen[t as usize] != epoch {
                    self.seen[t as usize] = epoch;
                    self.queue.push(t);
                }
            };
            match patched {
                Some(to) => to.iter().for_each(|&t| visit(t)),
                None if (n as usize) < graph.node_count => {
                    for &e in graph.out(n) {
                        visit(graph.edge(e).to);
                    }
                }
                None => {}
            }
        }
    }
}

/// The sweep of `sources` over OLD's condensation with the changed model's exposure index,
/// against OLD's figures.
fn swept_on_old_graph(old: &Old, m: &Model, index: &ExposureIndex, sources: &[NodeId]) -> Effect {
    let rows = sweep_condensed(m, old.condensation.clone(), index, sources);
    against_old(old, m, index, &rows)
}

/// The sweep of `sources` over the condensation of OLD's graph with the patched nodes' steps
/// replaced (no node added, the stores' contents as in OLD), against OLD's figures: the graph
/// is condensed afresh, but no model, graph or exposure index is built.
fn swept_patched(old: &Old, patch: &LinkPatch, sources: &[NodeId]) -> Effect {
    let graph = old.graph;
    let cond = Condensation::of_steps(graph.node_count, |n, i| {
        match patch.steps.binary_search_by_key(&n, |(u, _)| *u) {
            Ok(k) => patch.steps[k].1.get(i).copied(),
            Err(_) => graph.out(n).get(i).map(|&e| graph.edge(e).to),
        }
    });
    let rows = sweep_condensed(old.model, cond, old.index, sources);
    against_old(old, old.model, old.index, &rows)
}

/// The changed model built whole, its graph swept from `sources` only, against OLD's figures.
fn rebuilt(old: &Old, change: &ModelChange, sources: &[NodeId]) -> Effect {
    let a = crate::Analysis::new(apply_one(old.model, change));
    let rows = crate::engine::sweep::sweep(&a.model, &a.graph, a.index(), sources);
    against_old(old, &a.model, a.index(), &rows)
}

fn against_old(
    old: &Old,
    m: &Model,
    index: &ExposureIndex,
    rows: &[crate::engine::sweep::SweepRow],
) -> Effect {
    let with: SweepById = rows
        .iter()
        .map(|r| (m.id(r.node).to_string(), figures_of(index, r)))
        .collect();
    let mut effect = NONE;
    for (id, f) in &with {
        let before = old.sweep.get(id).map_or(0.0, |o| o.exposure);
        if f.exposure != before {
            effect.exposure += f.exposure - before;
            effect.sources_changed += 1;
        }
    }
    effect
}
