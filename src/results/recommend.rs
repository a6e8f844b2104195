//! `recommend`: the fixes found, in order, with the exposure after each; and choke points.

use serde::Serialize;

use crate::engine::recommend::{ChokePoint, Objective, Recommendation, Search};
use crate::graph::AttackGraph;
use crate::model::Model;

/// One chosen fix.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FixRow {
    pub step: usize,
    pub fix: String,
    pub family: String,
    pub cost: f64,
    pub cumulative_cost: f64,
    /// Objective after this fix and every fix before it.
    pub exposure_after: f64,
    pub reduction: f64,
    /// Cumulative reduction against the starting exposure, in percent.
    pub cumulative_reduction_percent: f64,
}

/// One choke point.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ChokeRow {
    pub from: String,
    pub to: String,
    pub kind: String,
    pub exposure_without: f64,
    pub reduction: f64,
    pub reduction_percent: f64,
}

/// The whole answer.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RecommendReport {
    pub scenario: String,
    pub objective: String,
    pub budget: f64,
    pub spent: f64,
    pub include_entry_links: bool,
    pub exposure_before: f64,
    pub exposure_after: f64,
    pub fixes: Vec<FixRow>,
    pub choke_points: Vec<ChokeRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choke_points_all_accounts: Option<Vec<ChokeRow>>,
}

fn percent(part: f64, whole: f64) -> f64 {
    if whole == 0.0 {
        0.0
    } else {
        100.0 * part / whole
    }
}

pub fn choke_rows(model: &Model, graph: &AttackGraph, points: &[ChokePoint]) -> Vec<ChokeRow> {
    points
        .iter()
        .map(|c| {
            let e = graph.edge(c.edge);
            ChokeRow {
                from: model.id(e.from).to_string(),
                to: model.id(e.to).to_string(),
                kind: graph.edge_label(model, c.edge),
                exposure_without: c.without,
                reduction: c.with - c.without,
                reduction_percent: percent(c.with - c.without, c.with),
            }
        })
        .collect()
}

/// How the objective reads in the report: `worst-case`, or `expected (1000 trials, seed 1)`.
fn objective_name(objective: Objective) -> String {
    match objective {
        Objective::WorstCase => "worst-case".to_string(),
        Objective::Expected { trials, seed } => format!("expected ({trials} trials, seed {seed})"),
    }
}

impl RecommendReport {
    /// The report of a search on a scenario: its fixes against the starting figure, and the
    /// choke points found beside it.
    pub fn of(
        scenario: &str,
        search: &Search,
        found: &Recommendation,
        choke_points: Vec<ChokeRow>,
        all: Option<Vec<ChokeRow>>,
    ) -> RecommendReport {
        let (start, steps) = (found.start, &found.steps);
        let mut spent = 0.0;
        let fixes: Vec<FixRow> = steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                spent += s.cost;
                FixRow {
                    step: i + 1,
                    fix: s.change.describe(),
                    family: s.change.family().to_string(),
                    cost: s.cost,
                    cumulative_cost: spent,
                    exposure_after: s.after,
                    reduction: s.before - s.after,
                    cumulative_reduction_percent: percent(start - s.after, start),
                }
            })
            .collect();
        RecommendReport {
            scenario: scenario.to_string(),
            objective: objective_name(search.objective),
            budget: search.budget,
            spent,
            include_entry_links: search.include_entry_links,
            exposure_before: start,
            exposure_after: steps.last().map_or(start, |s| s.after),
            fixes,
            choke_points,
            choke_points_all_accounts: all,
        }
    }
}
