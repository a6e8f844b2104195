//! `diff`: two versions of a model side by side. The sweep of each gives every source's worst
//! case; each elementary change of [`crate::model::diff::changes`] is then made alone on the
//! old version and swept again, which attributes the change in exposure to the changes
//! (interactions between changes are what is left over).

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::sweep::SweepRow;
use crate::model::diff::{apply_one, ModelChange};
use crate::model::{Model, NodeId, NodeKind};
use crate::Analysis;

/// One source's worst case.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figures {
    pub exposure: f64,
    pub records: u64,
    pub stores: u32,
    /// Expected people affected in the model's largest population (0 without populations).
    pub people: f64,
}

/// The sweep of one model, by source id.
pub type SweepById = BTreeMap<String, Figures>;

/// Every node of `kind` of `model` as the sole compromised node, worst case, by id.
pub fn sweep_by_id(model: Model, kind: NodeKind) -> SweepById {
    sweep_of(model, kind, None)
}

/// [`sweep_by_id`] of the given sources only (all of `kind` with `None`).
fn sweep_of(model: Model, kind: NodeKind, sources: Option<&[NodeId]>) -> SweepById {
    let mut analysis = Analysis::new(model);
    if let Some(sources) = sources {
        let a = &analysis;
        let rows = super::sweep::sweep(&a.model, &a.graph, a.index(), sources);
        return rows
            .iter()
            .map(|r| (a.model.id(r.node).to_string(), figures(a, r)))
            .collect();
    }
    let rows = analysis.sweep_releasing(kind);
    rows.iter()
        .map(|r| (analysis.model.id(r.node).to_string(), figures(&analysis, r)))
        .collect()
}

/// A sweep row's figures, people counted in the largest population.
fn figures(a: &Analysis, r: &SweepRow) -> Figures {
    let largest = a
        .index()
        .sizes
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
        .map(|(i, _)| i);
    Figures {
        exposure: r.exposure,
        records: r.records,
        stores: r.stores,
        people: largest.map_or(0.0, |i| r.people[i]),
    }
}

/// Σ exposure over the sources of a sweep.
pub fn total(s: &SweepById) -> f64 {
    s.values().map(|f| f.exposure).sum()
}

/// What one change did alone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Effect {
    /// Σ over sources of (exposure with the change alone − exposure of OLD).
    pub exposure: f64,
    /// Sources whose worst-case exposure the change alone alters.
    pub sources_changed: usize,
}

/// The effect of a model on the sources of `old`'s sweep (sources only the other has count
/// with their whole exposure).
pub fn effect(old: &SweepById, with: &SweepById) -> Effect {
    let mut exposure = 0.0;
    let mut sources_changed = 0;
    for (id, f) in with {
        let before = old.get(id).map_or(0.0, |o| o.exposure);
        if f.exposure != before {
            exposure += f.exposure - before;
            sources_changed += 1;
        }
    }
    for (id, o) in old {
        if !with.contains_key(id) && o.exposure != 0.0 {
            exposure -= o.exposure;
            sources_changed += 1;
        }
    }
    Effect {
        exposure,
        sources_changed,
    }
}

/// Two versions compared.
#[derive(Debug, Clone)]
pub struct Diff {
    pub kind: NodeKind,
    pub changes: Vec<ModelChange>,
    pub old: SweepById,
    pub new: SweepById,
    /// Each change's effect alone, in the order of `changes`.
    pub effects: Vec<Effect>,
}

/// Diffs `old` and `new`: what changed, both sweeps, and each change's effect alone.
/// Fails when an id names different kinds of node in the two versions.
pub fn diff(old: &Model, new: &Model, kind: NodeKind) -> Result<Diff, String> {
    let changes = crate::model::diff::changes(old, new)?;
    let (old_sweep, new_sweep) = rayon::join(
        || sweep_by_id(old.clone(), kind),
        || sweep_by_id(new.clone(), kind),
    );
    // Each change alone: a model apiece, swept only from the sources that reach what the
    // change touches in OLD (its anchors); the other sources keep OLD's figures. Changes that
    // cannot move exposure (populations, regimes, a node with no links) are not swept.
    let old_graph = crate::graph::AttackGraph::build(old);
    let effects = changes
        .par_iter()
        .map(|c| match c.may_change_exposure() {
            true => effect_alone(old, &old_graph, &old_sweep, c, kind),
            false => Effect {
                exposure: 0.0,
                sources_changed: 0,
            },
        })
        .collect();
    Ok(Diff {
        kind,
        changes,
        old: old_sweep,
        new: new_sweep,
        effects,
    })
}

/// The effect of `change` alone on OLD.
fn effect_alone(
    old: &Model,
    old_graph: &crate::graph::AttackGraph,
    old_sweep: &SweepById,
    change: &ModelChange,
    kind: NodeKind,
) -> Effect {
    let m = apply_one(old, change);
    let Some(anchors) = change.anchors(old) else {
        return effect(old_sweep, &sweep_by_id(m, kind));
    };
    let reached = super::reach::backward(old_graph, &anchors);
    let mut sources: Vec<NodeId> = reached
        .order
        .iter()
        .copied()
        .filter(|&n| old.kind(n) == kind)
        .collect();
    // Nodes the change adds (apply_one appends them) are sources of their own.
    sources.extend(
        (old.node_count() as NodeId..m.node_count() as NodeId).filter(|&n| m.kind(n) == kind),
    );
    sources.sort_unstable();
    if sources.is_empty() {
        return Effect {
            exposure: 0.0,
            sources_changed: 0,
        };
    }
    let with = sweep_of(m, kind, Some(&sources));
    let mut exposure = 0.0;
    let mut sources_changed = 0;
    for (id, f) in &with {
        let before = old_sweep.get(id).map_or(0.0, |o| o.exposure);
        if f.exposure != before {
            exposure += f.exposure - before;
            sources_changed += 1;
        }
    }
    Effect {
        exposure,
        sources_changed,
    }
}
