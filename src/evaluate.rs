//! Evaluating a scenario: the baseline and every design, worst case and Monte Carlo on the same
//! keyed draws, ready to be reported. Pure: no I/O, no printing.

use crate::design::{apply, Design};
use crate::engine::entry::{entry_points, EntryPoints};
use crate::engine::monte_carlo::Trials;
use crate::engine::{Progress, WorstCase};
use crate::model::Model;
use crate::scenario::{Scenario, Simulation};
use crate::Analysis;

/// One evaluated variant of the model: the baseline or a design.
pub struct Variant {
    /// `None` for the baseline.
    pub design: Option<Design>,
    /// Where the attack starts in this variant, and how likely each entry point is taken.
    pub entry: EntryPoints,
    pub analysis: Analysis,
    pub simulation: Simulation,
    pub worst_case: WorstCase,
    pub trials: Option<Trials>,
}

/// The baseline and its designs.
pub struct Evaluation {
    pub baseline: Variant,
    pub designs: Vec<Variant>,
}

/// Whether to run the Monte Carlo simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    WorstCase,
    MonteCarlo,
}

fn variant(
    design: Option<Design>,
    model: Model,
    simulation: Simulation,
    scenario: &Scenario,
    depth: Depth,
    progress: &dyn Progress,
) -> Variant {
    // With a vector, the entry probabilities follow this variant's MFA.
    let vector = scenario
        .vector
        .as_deref()
        .and_then(|v| model.entry.get(v).copied());
    let entry = entry_points(&model, vector.as_ref(), &scenario.compromised);
    let analysis = Analysis::new(model);
    let worst_case = analysis.worst_case(&entry.nodes);
    let trials = (depth == Depth::MonteCarlo).then(|| {
        let p = (!entry.certain()).then_some(entry.p.as_slice());
        analysis.simulate_entry(&entry.nodes, p, &simulation, progress)
    });
    Variant {
        design,
        entry,
        analysis,
        simulation,
        worst_case,
        trials,
    }
}

/// Evaluates the baseline model and every design of the scenario.
pub fn evaluate(
    scenario: &Scenario,
    model: Model,
    depth: Depth,
    progress: &dyn Progress,
) -> Evaluation {
    let designs = scenario
        .designs
        .iter()
        .map(|d| {
            let m = apply(&model, d.model_changes());
            let sim = scenario.simulation.for_design(d);
            variant(Some(d.clone()), m, sim, scenario, depth, progress)
        })
        .collect();
    let baseline = variant(
        None,
        model,
        scenario.simulation.clone(),
        scenario,
        depth,
        progress,
    );
    Evaluation { baseline, designs }
}
