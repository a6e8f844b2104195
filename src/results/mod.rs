//! Results as plain data: what the engine found, with ids as strings, ready for every output
//! format. The JSON result of DESIGN.md is these structs serialised; tables, CSV and charts
//! read the same structs. Nothing here computes a figure the engine did not.

pub mod compare;
pub mod delta;
pub mod diff;
pub mod drawing;
pub mod loss;
pub mod monte_carlo;
pub mod number;
pub mod queries;
pub mod recommend;
pub mod redact;
pub mod report;
pub mod sweep;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use number::Number;

use crate::engine::reach::Reach;
use crate::engine::{Exposure, WorstCase};
use crate::evaluate::{Evaluation, Variant};
use crate::graph::{AttackGraph, EdgeId};
use crate::model::records::Holdings;
use crate::model::{Model, NodeId, NodeKind};
use crate::scenario::Scenario;
use crate::Analysis;

/// Version tag of the JSON result.
pub const SCHEMA: &str = "blastradius/result/v1";

/// Ids of controlled nodes, by kind, each list sorted.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ByKind {
    pub person: Vec<String>,
    pub account: Vec<String>,
    pub group: Vec<String>,
    pub system: Vec<String>,
    pub store: Vec<String>,
}

impl ByKind {
    pub fn of(model: &Model, nodes: impl IntoIterator<Item = NodeId>) -> ByKind {
        let mut b = ByKind::default();
        for n in nodes {
            let list = match model.kind(n) {
                NodeKind::Person => &mut b.person,
                NodeKind::Account => &mut b.account,
                NodeKind::Group => &mut b.group,
                NodeKind::System => &mut b.system,
                NodeKind::Store => &mut b.store,
            };
            list.push(model.id(n).to_string());
        }
        for list in [
            &mut b.person,
            &mut b.account,
            &mut b.group,
            &mut b.system,
            &mut b.store,
        ] {
            list.sort();
        }
        b
    }

    pub fn lists(&self) -> [(NodeKind, &Vec<String>); 5] {
        [
            (NodeKind::Person, &self.person),
            (NodeKind::Account, &self.account),
            (NodeKind::Group, &self.group),
            (NodeKind::System, &self.system),
            (NodeKind::Store, &self.store),
        ]
    }

    pub fn total(&self) -> usize {
        self.lists().iter().map(|(_, l)| l.len()).sum()
    }
}

/// One step of an attack path.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Step {
    pub from: String,
    pub to: String,
    pub kind: String,
    pub p: f64,
}

/// An attack path as a list of steps, with its probability.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PathReport {
    pub target: String,
    pub probability: f64,
    pub steps: Vec<Step>,
}

impl Step {
    /// The step edge `e` takes.
    pub fn of(model: &Model, graph: &AttackGraph, e: EdgeId) -> Step {
        let edge = graph.edge(e);
        Step {
            from: model.id(edge.from).to_string(),
            to: model.id(edge.to).to_string(),
            kind: graph.edge_label(model, e),
            p: edge.p,
        }
    }
}

impl PathReport {
    pub fn of(model: &Model, graph: &AttackGraph, target: NodeId, edges: &[EdgeId]) -> PathReport {
        let steps: Vec<Step> = edges.iter().map(|&e| Step::of(model, graph, e)).collect();
        PathReport {
            target: model.id(target).to_string(),
            probability: steps.iter().map(|s| s.p).product(),
            steps,
        }
    }
}

/// People affected in one population.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct PeopleReport {
    pub expected: f64,
    pub low: f64,
    pub high: f64,
}

/// The worst case of DESIGN.md's JSON result (`baseline.deterministic`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Deterministic {
    pub compromised: ByKind,
    pub leaked_stores: Vec<String>,
    pub tampered_stores: Vec<String>,
    /// Deduplicated records per category (full names), leaked ones only.
    pub records_by_category: BTreeMap<String, u64>,
    pub records_total: u64,
    pub exposure: Number,
    /// Deduplicated records × weight, per category.
    pub exposure_by_category: BTreeMap<String, Number>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub people_affected: BTreeMap<String, PeopleReport>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub notifiable: BTreeMap<String, BTreeMap<String, f64>>,
    /// With `[money]`: the loss of this outcome, in `currency` (DESIGN.md "Money").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// What each leaked store holds on its own, by category (not deduplicated across stores).
    pub store_records: BTreeMap<String, BTreeMap<String, u64>>,
    /// The shortest attack path to each leaked store that is not itself an entry point.
    pub paths: Vec<PathReport>,
}

fn people_report(e: &Exposure) -> BTreeMap<String, PeopleReport> {
    e.people_affected
        .iter()
        .map(|(k, p)| {
            (
                k.clone(),
                PeopleReport {
                    expected: p.expected,
                    low: p.low,
                    high: p.high,
                },
            )
        })
        .collect()
}

fn sorted_ids(model: &Model, nodes: &[NodeId]) -> Vec<String> {
    let mut ids: Vec<String> = nodes.iter().map(|&n| model.id(n).to_string()).collect();
    ids.sort();
    ids
}

/// Shortest path to each node in `targets` (sorted by target id), skipping entry points.
pub fn shortest_paths(
    model: &Model,
    graph: &AttackGraph,
    reach: &Reach,
    targets: &[NodeId],
) -> Vec<PathReport> {
    use rayon::prelude::*;
    // A large organisation's worst case reaches thousands of stores: one path each, in parallel.
    let mut paths: Vec<PathReport> = targets
        .par_iter()
        .filter(|&&t| reach.depth[t as usize] > 0)
        .map(|&t| PathReport::of(model, graph, t, &reach.path_to(graph, t)))
        .collect();
    paths.par_sort_by(|a, b| a.target.cmp(&b.target));
    paths
}

impl Deterministic {
    pub fn of(
        model: &Model,
        graph: &AttackGraph,
        holdings: &Holdings,
        wc: &WorstCase,
    ) -> Deterministic {
        let e = &wc.exposure;
        let store_records = wc
            .leaked_stores
            .iter()
            .map(|&s| (model.id(s).to_string(), holdings.store_records(model, s)))
            .collect();
        Deterministic {
            compromised: ByKind::of(model, wc.controlled.iter().copied()),
            leaked_stores: sorted_ids(model, &wc.leaked_stores),
            tampered_stores: sorted_ids(model, &wc.tampered_stores),
            records_by_category: e.records_by_category.clone(),
            records_total: e.records_total,
            exposure: Number(e.exposure),
            exposure_by_category: e
                .records_by_category
                .iter()
                .map(|(c, &n)| (c.clone(), Number(n as f64 * model.categories.weight(c))))
                .collect(),
            people_affected: people_report(e),
            notifiable: e.notifiable.clone(),
            loss: None,
            currency: None,
            store_records,
            paths: shortest_paths(model, graph, &wc.reach, &wc.leaked_stores),
        }
    }
}

/// Baseline results: the worst case now; Monte Carlo when it has run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Outcome {
    pub deterministic: Deterministic,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monte_carlo: Option<monte_carlo::MonteCarlo>,
}

/// The whole result of `run` (DESIGN.md "JSON result").
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunReport {
    pub schema: String,
    pub scenario: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub model: ModelInfo,
    /// The scenario's compromised ids, sorted.
    pub entry_points: Vec<String>,
    pub baseline: Outcome,
    #[serde(default)]
    pub designs: Vec<DesignResult>,
    /// Category weights used, for readers that recompute exposure per category.
    pub weights: BTreeMap<String, f64>,
    /// The scenario's `[attack] frequency_per_year`, when it has one and the model `[money]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency_per_year: Option<f64>,
    /// The scenario's `[attack] vector` (DESIGN.md "Entry likelihood"), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
    /// With a vector: every node the attack can start from in the baseline (a compromised
    /// person's accounts in their place) and the probability it is taken; nodes it can never
    /// take are left out.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub entry_probabilities: BTreeMap<String, f64>,
    /// `--horizon-days N`: the programme age (days) the evaluation assumed in place of the
    /// model's, so a figure at another horizon says which it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub horizon_days: Option<u32>,
}

/// Which model a result is about.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ModelInfo {
    pub name: String,
    pub path: String,
    pub nodes: usize,
    pub edges: usize,
}

/// One design's results (`designs[]`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DesignResult {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Each change in words, with its control family.
    pub changes: Vec<String>,
    pub deterministic: Deterministic,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monte_carlo: Option<monte_carlo::MonteCarlo>,
    pub delta: delta::Delta,
    /// The design's `cost_per_year`, in the model's currency, when it gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_per_year: Option<f64>,
}

fn deterministic_of(v: &Variant) -> Deterministic {
    let a = &v.analysis;
    Deterministic::of(&a.model, &a.graph, &a.holdings, &v.worst_case)
}

fn monte_carlo_of(v: &Variant) -> Option<monte_carlo::MonteCarlo> {
    v.trials.as_ref().map(|t| {
        let entry = (!v.entry.certain()).then_some(v.entry.p.as_slice());
        v.analysis
            .monte_carlo_result_entry(&v.entry.nodes, entry, &v.simulation, t)
    })
}

impl RunReport {
    /// The report of an evaluated scenario: baseline and designs.
    pub fn of(scenario: &Scenario, e: &Evaluation) -> RunReport {
        let Analysis { model, graph, .. } = &e.baseline.analysis;
        let money = model.money.as_ref();
        let frequency = scenario.frequency_per_year.filter(|_| money.is_some());
        let mut deterministic = deterministic_of(&e.baseline);
        let mut base_mc = monte_carlo_of(&e.baseline);
        let base_losses = loss::of_trials(&e.baseline);
        if let Some(money) = money {
            loss::add_deterministic(&mut deterministic, money);
            if let (Some(mc), Some(l)) = (base_mc.as_mut(), &base_losses) {
                loss::add_monte_carlo(mc, money, l, frequency, e.baseline.simulation.seed);
            }
        }
        let mut weights: BTreeMap<String, f64> = BTreeMap::new();
        let mut add_weights = |d: &Deterministic| {
            for c in d.store_records.values().flat_map(|cats| cats.keys()) {
                weights.insert(c.clone(), model.categories.weight(c));
            }
        };
        add_weights(&deterministic);
        let designs = e
            .designs
            .iter()
            .map(|v| {
                let mut det = deterministic_of(v);
                add_weights(&det);
                let mut mc = monte_carlo_of(v);
                let losses = loss::of_trials(v);
                if let Some(money) = money {
                    loss::add_deterministic(&mut det, money);
                    if let (Some(mc), Some(l)) = (mc.as_mut(), &losses) {
                        loss::add_monte_carlo(mc, money, l, frequency, v.simulation.seed);
                    }
                }
                let paired = match (&base_mc, &mc, &e.baseline.trials, &v.trials) {
                    (Some(bm), Some(dm), Some(bt), Some(dt)) => Some((bm, dm, bt, dt)),
                    _ => None,
                };
                let mut delta = delta::Delta::of(&deterministic, &det, paired);
                let design = v
                    .design
                    .as_ref()
                    .expect("design variants carry their design");
                if money.is_some() {
                    let trials = base_losses.as_deref().zip(losses.as_deref());
                    let cost = design.cost_per_year;
                    loss::add_delta(&mut delta, &deterministic, &det, trials, frequency, cost);
                }
                DesignResult {
                    name: design.name.clone(),
                    description: design.description.clone(),
                    changes: design
                        .changes
                        .iter()
                        .map(|c| format!("{} ({})", c.describe(), c.family()))
                        .collect(),
                    deterministic: det,
                    monte_carlo: mc,
                    delta,
                    cost_per_year: design.cost_per_year,
                }
            })
            .collect();
        RunReport {
            schema: SCHEMA.to_string(),
            scenario: scenario.name.clone(),
            description: scenario.description.clone(),
            model: ModelInfo {
                name: model.name.clone(),
                path: scenario.model_path.clone(),
                nodes: model.node_count(),
                edges: graph.edge_count(),
            },
            entry_points: sorted_ids(model, &scenario.compromised),
            baseline: Outcome {
                deterministic,
                monte_carlo: base_mc,
            },
            designs,
            weights,
            frequency_per_year: frequency,
            horizon_days: None,
            vector: scenario.vector.clone(),
            entry_probabilities: match scenario.vector {
                Some(_) => {
                    let entry = &e.baseline.entry;
                    let ids = entry.nodes.iter().map(|&n| model.id(n).to_string());
                    ids.zip(entry.p.iter().copied()).collect()
                }
                None => BTreeMap::new(),
            },
        }
    }
}

/// The store of a leak row that totals a category over every leaked store, each record
/// counted once.
pub const ALL_STORES: &str = "*";

/// One leaked store and category, for flat outputs.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LeakRow {
    pub scenario: String,
    pub design: String,
    pub store: String,
    pub category: String,
    /// What the store holds of that category (not deduplicated across stores).
    pub records: u64,
    pub weight: f64,
    pub exposure: f64,
}

/// People affected (or to notify) in one population, for flat outputs.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PeopleRow {
    pub scenario: String,
    pub design: String,
    pub population: String,
    /// Empty for everyone affected; else the notification regime.
    pub regime: String,
    pub expected: f64,
    /// Full-overlap and no-overlap bounds (everyone affected only).
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// Monte Carlo mean and p95, and for regimes P(any notifiable leak), when simulated.
    pub mc_mean: Option<f64>,
    pub mc_p95: Option<f64>,
    pub p_any: Option<f64>,
}

impl RunReport {
    fn variants(&self) -> Vec<(&str, &Deterministic, Option<&monte_carlo::MonteCarlo>)> {
        let mut v = vec![(
            "baseline",
            &self.baseline.deterministic,
            self.baseline.monte_carlo.as_ref(),
        )];
        for d in &self.designs {
            v.push((d.name.as_str(), &d.deterministic, d.monte_carlo.as_ref()));
        }
        v
    }

    /// One row per leaked store and category, for the baseline and every design, each
    /// followed by its totals: one row per category with the store [`ALL_STORES`], every
    /// record counted once across the stores that hold copies of it. The per-store rows
    /// overlap (a flow copies records into another store), so only the totals rows add up.
    pub fn leak_rows(&self) -> Vec<LeakRow> {
        let mut rows = Vec::new();
        for (design, d, _) in self.variants() {
            for (store, cats) in &d.store_records {
                for (category, &records) in cats {
                    let weight = self.weights.get(category).copied().unwrap_or(1.0);
                    rows.push(LeakRow {
                        scenario: self.scenario.clone(),
                        design: design.into(),
                        store: store.clone(),
                        category: category.clone(),
                        records,
                        weight,
                        exposure: records as f64 * weight,
                    });
                }
            }
            for (category, &records) in &d.records_by_category {
                rows.push(LeakRow {
                    scenario: self.scenario.clone(),
                    design: design.into(),
                    store: ALL_STORES.into(),
                    category: category.clone(),
                    records,
                    weight: self.weights.get(category).copied().unwrap_or(1.0),
                    exposure: d.exposure_by_category.get(category).map_or(0.0, |e| e.0),
                });
            }
        }
        rows
    }

    /// People affected and to notify, per population (and regime), baseline and designs.
    pub fn people_rows(&self) -> Vec<PeopleRow> {
        let mut rows = Vec::new();
        for (design, d, mc) in self.variants() {
            for (pop, p) in &d.people_affected {
                let m = mc.and_then(|m| m.people_affected.get(pop));
                rows.push(PeopleRow {
                    scenario: self.scenario.clone(),
                    design: design.into(),
                    population: pop.clone(),
                    regime: String::new(),
                    expected: p.expected,
                    low: Some(p.low),
                    high: Some(p.high),
                    mc_mean: m.map(|x| x.mean),
                    mc_p95: m.map(|x| x.p95),
                    p_any: None,
                });
            }
            for (regime, pops) in &d.notifiable {
                for (pop, expected) in pops {
                    let m = mc
                        .and_then(|m| m.notifiable.get(regime))
                        .and_then(|x| x.get(pop));
                    rows.push(PeopleRow {
                        scenario: self.scenario.clone(),
                        design: design.into(),
                        population: pop.clone(),
                        regime: regime.clone(),
                        expected: *expected,
                        low: None,
                        high: None,
                        mc_mean: m.map(|x| x.mean),
                        mc_p95: m.map(|x| x.p95),
                        p_any: m.map(|x| x.p_any),
                    });
                }
            }
        }
        rows
    }
}
