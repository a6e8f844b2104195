//! `diff`: two versions of a model side by side. The sweep of each gives every source's worst
//! case; each elementary change of [`crate::model::diff::changes`] is then made alone on the
//! old version (`alone.rs`: only the sources it can affect are counted again, on OLD's graph
//! where the change allows), which attributes the change in exposure to the changes
//! (interactions between changes are what is left over).

use std::collections::BTreeMap;

use rayon::prelude::*;

mod alone;
pub mod new_reach;

use super::sweep::{sweep_condensed, Condensation, SweepRow};
use super::tally::ExposureIndex;
use crate::model::diff::{without_links, LinkIndex, ModelChange};
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
    let mut analysis = Analysis::new(model);
    let rows = analysis.sweep_releasing(kind);
    by_id(&analysis.model, analysis.index(), &rows)
}

fn by_id(model: &Model, index: &ExposureIndex, rows: &[SweepRow]) -> SweepById {
    rows.iter()
        .map(|r| (model.id(r.node).to_string(), figures_of(index, r)))
        .collect()
}

/// A sweep row's figures, people counted in the largest population.
fn figures_of(index: &ExposureIndex, r: &SweepRow) -> Figures {
    let largest = index
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
/// Fails when an id names different kinds of node in the two versions. [`diff_owned`] without
/// giving up the models (it works on copies).
pub fn diff(old: &Model, new: &Model, kind: NodeKind) -> Result<Diff, String> {
    diff_owned(old.clone(), new.clone(), kind)
}

/// [`diff`] of models the caller gives up, in the memory of the two models and one sweep: what
/// changed is found first; NEW is swept and freed, its graph let go before its sweep's bitsets
/// are made; then OLD is swept, its graph, condensation and exposure index kept for every
/// change's effect (or let go as NEW's were when nothing changed). The sweeps run one after the
/// other: each already keeps both cores busy, and side by side they would hold two working sets.
pub fn diff_owned(old: Model, new: Model, kind: NodeKind) -> Result<Diff, String> {
    let changes = crate::model::diff::changes(&old, &new)?;
    let new_sweep = sweep_by_id(new, kind);
    let mut a = Analysis::new(old);
    if changes.is_empty() {
        let rows = a.sweep_releasing(kind);
        return Ok(Diff {
            kind,
            changes,
            old: by_id(&a.model, a.index(), &rows),
            new: new_sweep,
            effects: Vec::new(),
        });
    }
    let (_, condensation) = rayon::join(|| a.index(), || Condensation::new(&a.graph));
    let sources: Vec<NodeId> = a.model.nodes_of(kind).collect();
    let rows = sweep_condensed(&a.model, condensation.clone(), a.index(), &sources);
    let old_sweep = by_id(&a.model, a.index(), &rows);
    let mut reach = vec![0u64; a.model.node_count()];
    for r in &rows {
        reach[r.node as usize] = r.reach;
    }
    let shared = alone::Old {
        model: &a.model,
        shell: without_links(&a.model),
        graph: &a.graph,
        condensation: &condensation,
        index: a.index(),
        links: LinkIndex::new(&a.model),
        sweep: &old_sweep,
        reach,
        kind,
    };
    let effects = changes
        .par_iter()
        .map(|c| alone::effect_alone(&shared, c))
        .collect();
    Ok(Diff {
        kind,
        changes,
        old: old_sweep,
        new: new_sweep,
        effects,
    })
}
