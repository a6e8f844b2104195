//! `recommend`: the fixes found, in order, with the exposure after each; and choke points.
//! Under the loss objective the objective figures (`exposure_before`, `exposure_after`, each
//! fix's `exposure_after` and `reduction`) are expected annual loss in `currency`, costs are
//! money a year, and each fix carries its net benefit a year and return.

use serde::Serialize;

use crate::engine::recommend::{ChokePoint, Objective, Recommendation, Search, Stop};
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
    /// Loss objective: the annual loss this fix removes less its cost a year.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net_benefit_per_year: Option<f64>,
    /// Loss objective: net benefit ÷ cost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_on_control: Option<f64>,
    /// This fix's cut (`reduction`) against the starting objective, in percent.
    pub cut_percent: f64,
    /// What the fix takes away from the worst case.
    pub removes: Removes,
}

/// What a fix takes away from the worst case of the scenario's entry points (of every source,
/// summed, for the organisation-wide objective).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Removes {
    /// Records no longer leaked.
    pub records: u64,
    /// Stores no longer leaked (scenario objectives).
    pub stores: Vec<String>,
    /// Organisation-wide objective: sources whose worst-case exposure falls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<usize>,
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

/// The version of recommend's JSON, its first field as in every saved result (DESIGN.md "JSON
/// result").
pub const RECOMMEND_SCHEMA: &str = "blastradius/recommend/v1";

/// The whole answer.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RecommendReport {
    /// [`RECOMMEND_SCHEMA`].
    pub schema: String,
    pub scenario: String,
    pub objective: String,
    /// The simulated objectives' trials and seed, as a run's `monte_carlo` names them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trials: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Loss objective: the scenario's incidents a year, as a run's result names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency_per_year: Option<f64>,
    /// Loss objective: the model's currency (the figures below are money a year).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// None: no limit (the loss objective's default).
    pub budget: Option<f64>,
    /// Loss objective: what each fix kind costs a year, and whether any of it is the assumed
    /// 1,000 a year per unit of `[costs]` effort (kinds `[costs_per_year]` leaves out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub costs_per_year: Option<std::collections::BTreeMap<String, f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub costs_assumed: Option<bool>,
    pub spent: f64,
    pub include_entry_links: bool,
    pub exposure_before: f64,
    pub exposure_after: f64,
    pub fixes: Vec<FixRow>,
    /// `--target`: the cut asked for, in percent, and whether the plan reaches it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_percent: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_reached: Option<bool>,
    /// Why the search stopped.
    pub stopped: String,
    /// `[[keep]]`: the access no fix may remove, as `principal → target`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keep: Vec<String>,
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

/// Why the search stopped, in a sentence.
fn stopped(found: &Recommendation, search: &Search) -> String {
    match found.stop {
        Stop::Target => format!(
            "the plan reaches the target: a cut of {:.1}% or more",
            100.0 * search.target.unwrap_or(0.0)
        ),
        Stop::Budget { cheapest, left } => format!(
            "the budget is spent: the cheapest fix that still cuts costs {}, {} is left",
            cheapest,
            left.max(0.0)
        ),
        Stop::NotWorthIt => "no fix left saves more a year than it costs".to_string(),
        Stop::NoFix => match search.keep.is_empty() && search.include_entry_links {
            true => "no fix the search offers cuts the objective further".to_string(),
            false => "no fix the search offers cuts the objective further without removing kept access or the entry points' own access".to_string(),
        },
    }
}

/// How the objective reads in the report: `worst-case`, or `expected (1000 trials, seed 1)`.
fn objective_name(objective: Objective) -> String {
    match objective {
        Objective::WorstCase => "worst-case".to_string(),
        Objective::Expected { trials, seed, .. } => {
            format!("expected ({trials} trials, seed {seed})")
        }
        Objective::Loss {
            trials,
            seed,
            frequency,
            ..
        } => format!("annual loss ({frequency} a year, {trials} trials, seed {seed})"),
        Objective::Org { kind } => format!("organisation-wide (every {kind}, worst case, summed)"),
    }
}

impl RecommendReport {
    /// The report of a search on a scenario: its fixes against the starting figure, and the
    /// choke points found beside it.
    pub fn of(
        model: &Model,
        scenario: &str,
        currency: Option<&str>,
        search: &Search,
        found: &Recommendation,
        choke_points: Vec<ChokeRow>,
        all: Option<Vec<ChokeRow>>,
    ) -> RecommendReport {
        let (start, steps) = (found.start, &found.steps);
        let loss = matches!(search.objective, Objective::Loss { .. });
        let org = matches!(search.objective, Objective::Org { .. });
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
                    net_benefit_per_year: loss.then_some(s.before - s.after - s.cost),
                    return_on_control: loss.then(|| (s.before - s.after - s.cost) / s.cost),
                    cut_percent: percent(s.before - s.after, start),
                    removes: Removes {
                        records: s.removed.records,
                        stores: s
                            .removed
                            .stores
                            .iter()
                            .map(|&n| model.id(n).to_string())
                            .collect(),
                        sources: org.then_some(s.removed.sources),
                    },
                }
            })
            .collect();
        let (trials, seed, frequency_per_year) = match search.objective {
            Objective::Expected { trials, seed, .. } => (Some(trials), Some(seed), None),
            Objective::Loss {
                trials,
                seed,
                frequency,
                ..
            } => (Some(trials), Some(seed), Some(frequency)),
            Objective::WorstCase | Objective::Org { .. } => (None, None, None),
        };
        RecommendReport {
            schema: RECOMMEND_SCHEMA.to_string(),
            scenario: scenario.to_string(),
            objective: objective_name(search.objective),
            trials,
            seed,
            frequency_per_year,
            currency: loss.then(|| currency.unwrap_or_default().to_string()),
            budget: search.budget.is_finite().then_some(search.budget),
            costs_per_year: loss.then(|| {
                crate::scenario::Costs::NAMES
                    .iter()
                    .filter_map(|&n| Some((n.to_string(), search.costs.get(n)?)))
                    .collect()
            }),
            costs_assumed: None,
            spent,
            include_entry_links: search.include_entry_links,
            exposure_before: start,
            exposure_after: steps.last().map_or(start, |s| s.after),
            fixes,
            target_percent: search.target.map(|t| 100.0 * t),
            target_reached: found.goal.map(|_| found.stop == Stop::Target),
            stopped: stopped(found, search),
            keep: search
                .keep
                .iter()
                .map(|k| match &k.why {
                    Some(why) => format!("{} ({why})", k.describe()),
                    None => k.describe(),
                })
                .collect(),
            choke_points,
            choke_points_all_accounts: all,
        }
    }
}
