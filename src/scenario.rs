//! A what-if scenario: what is compromised in which model, how to simulate it, and which
//! control designs to compare.

use crate::model::{Distribution, NodeId};

/// Monte Carlo settings (DESIGN.md `[simulation]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    pub trials: u32,
    pub seed: u64,
    pub detection: Option<Detection>,
}

/// Time to detection for the time model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    pub mean_days: f64,
    pub distribution: Distribution,
}

/// A loaded scenario (its model travels beside it, see `load::LoadedScenario`).
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub description: Option<String>,
    /// The model path as the scenario writes it.
    pub model_path: String,
    pub compromised: Vec<NodeId>,
    pub simulation: Simulation,
    pub designs: Vec<crate::design::Design>,
    /// `[costs]`: cost of each kind of fix for `recommend` (operation name → cost).
    pub costs: Vec<(String, f64)>,
}
