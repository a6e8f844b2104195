//! The expected objective's access fixes, every one scored at once on each trial: a trial's
//! blast radius is the reach over the steps its keyed draws open, and a fix changes it only
//! where the steps it closes are every open step into their node from outside what that node
//! dominates in the trial; it then cuts off what the node dominates ([`Dominators`] over the
//! open steps). So one dominator tree per trial scores every fix on the same draws a
//! simulation of the model with the fix made takes, and each fix's mean adds its trials'
//! exposures in trial order, as the simulation's mean does.

use super::cuts::{CutTally, Dominators};
use crate::design::Change;
use crate::engine::random::{draw_bits, threshold, trial_salt, ALWAYS};
use crate::graph::EdgeId;
use crate::model::NodeId;
use crate::Analysis;

/// An access fix of the simulated objectives: the steps into `into` it closes, each keeping
/// probability `p` (0 for a removal; a phishing-resistant account's for MFA on its stolen
/// credentials).
pub(super) struct AccessFix {
    pub(super) change: Change,
    pub(super) into: NodeId,
    pub(super) steps: Vec<EdgeId>,
    pub(super) p: f64,
}

/// The mean exposure of `trials` keyed trials from `seed` (no time model) with each fix made,
/// in the order of `fixes`.
pub(super) fn expected_exposures(
    a: &Analysis,
    sources: &[NodeId],
    trials: u32,
    seed: u64,
    fixes: &[AccessFix],
) -> Vec<f64> {
    let (graph, model) = (&a.graph, &a.model);
    let thresholds: Vec<u64> = graph.edges().map(|e| threshold(e.p)).collect();
    let kept: Vec<u64> = fixes.iter().map(|f| threshold(f.p)).collect();
    let mut sums = vec![0.0; fixes.len()];
    let mut entering = Vec::new();
    for t in 0..trials {
        let salt = trial_salt(seed, t as u64);
        let open = |e: EdgeId| {
            let th = thresholds[e as usize];
            th >= ALWAYS || draw_bits(salt, graph.edge(e).key) < th
        };
        let dom = Dominators::new(model, graph, sources, &open);
        let mut tally = CutTally::new(model, a.index(), &dom);
        for (i, f) in fixes.iter().enumerate() {
            let mut value = tally.exposure;
            if let Some(w) = dom.number(f.into) {
                dom.entering(graph, w, &open, &mut entering);
                let closed = |e: EdgeId| {
                    f.steps.contains(&e)
                        && (kept[i] == 0 || draw_bits(salt, graph.edge(e).key) >= kept[i])
                };
                if !entering.is_empty() && entering.iter().all(|&e| closed(e)) {
                    value = tally.without(model, &dom, w);
                }
            }
            sums[i] += value;
        }
    }
    let n = trials.max(1) as f64;
    sums.into_iter().map(|s| s / n).collect()
}
