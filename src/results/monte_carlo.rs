//! The Monte Carlo part of the JSON result (`baseline.monte_carlo`), summarised from the
//! per-trial figures of [`crate::engine::monte_carlo`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{shortest_paths, PathReport};
use crate::engine::monte_carlo::{Trials, DWELL_GRID};
use crate::engine::paths::most_likely_from;
use crate::engine::stats::{exceedance, mean_sd, percentile, summarise, Summary};
use crate::engine::tally::ExposureIndex;
use crate::graph::AttackGraph;
use crate::model::{Model, NodeId, NodeKind};
use crate::scenario::Detection;

/// Number of points of each exceedance curve.
pub const CURVE_POINTS: usize = 40;

/// Mean with a 95% interval and percentiles.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Default)]
pub struct Stats {
    pub mean: f64,
    pub ci95: [f64; 2],
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
}

impl From<Summary> for Stats {
    fn from(s: Summary) -> Stats {
        Stats {
            mean: s.mean,
            ci95: s.ci95,
            p50: s.p50,
            p90: s.p90,
            p95: s.p95,
            p99: s.p99,
        }
    }
}

/// Mean and 95th percentile.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Default)]
pub struct MeanP95 {
    pub mean: f64,
    pub p95: f64,
}

/// Notification figures for one regime and population.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Default)]
pub struct NotifyStats {
    pub mean: f64,
    pub p95: f64,
    /// Share of trials in which any notifiable record set of this population leaked.
    pub p_any: f64,
}

/// One point of an exceedance curve: P(value > x).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct CurvePoint {
    pub x: f64,
    pub p: f64,
}

/// Exceedance curves in records and in weighted exposure.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Exceedance {
    pub records: Vec<CurvePoint>,
    pub exposure: Vec<CurvePoint>,
    /// With `[money]`: the loss of one incident, and of a year when there is a frequency.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub loss: Vec<CurvePoint>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub annual_loss: Vec<CurvePoint>,
}

/// `monte_carlo.annual_loss`: the loss in a year. The mean is frequency × the mean loss of an
/// incident; the percentiles come from compound Poisson years.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Default)]
pub struct AnnualLoss {
    pub mean: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
}

/// Mean records and exposure leaked if the attacker is detected at day `days`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct DwellPoint {
    pub days: f64,
    pub records_mean: f64,
    pub exposure_mean: f64,
}

/// The time model's figures.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TimeModel {
    pub detection_mean_days: f64,
    pub detection_distribution: String,
    pub edge_time_distribution: String,
    /// Detection day across trials.
    pub detection_days: Stats,
    pub dwell: Vec<DwellPoint>,
}

/// `baseline.monte_carlo` (and each design's).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MonteCarlo {
    pub trials: u32,
    pub seed: u64,
    pub exposure: Stats,
    pub records: Stats,
    pub records_by_category: BTreeMap<String, MeanP95>,
    /// Every store, 0 when never breached.
    pub store_breach_probability: BTreeMap<String, f64>,
    /// For each store breached in some trial: the single most likely chain of steps to it
    /// (the path whose steps are all open at once with the highest probability).
    pub most_likely_paths: Vec<PathReport>,
    pub exceedance: Exceedance,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub people_affected: BTreeMap<String, MeanP95>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub notifiable: BTreeMap<String, BTreeMap<String, NotifyStats>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_model: Option<TimeModel>,
    /// With `[money]` (DESIGN.md "Money"): the loss of one incident across trials, and with a
    /// frequency the loss in a year, in `currency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss: Option<Stats>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_loss: Option<AnnualLoss>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
}

/// Column `i` of a trial-major table `width` wide.
fn column(values: &[f64], width: usize, i: usize) -> Vec<f64> {
    values
        .iter()
        .skip(i)
        .step_by(width.max(1))
        .copied()
        .collect()
}

fn column_u64(values: &[u64], width: usize, i: usize) -> Vec<f64> {
    values
        .iter()
        .skip(i)
        .step_by(width.max(1))
        .map(|&v| v as f64)
        .collect()
}

fn mean_p95(values: &[f64]) -> MeanP95 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    MeanP95 {
        mean: mean_sd(values).0,
        p95: percentile(&sorted, 0.95),
    }
}

pub(crate) fn curve(values: &[f64]) -> Vec<CurvePoint> {
    exceedance(values, CURVE_POINTS)
        .into_iter()
        .map(|(x, p)| CurvePoint { x, p })
        .collect()
}

impl MonteCarlo {
    #[allow(clippy::too_many_arguments)]
    pub fn of(
        model: &Model,
        graph: &AttackGraph,
        index: &ExposureIndex,
        t: &Trials,
        sources: &[NodeId],
        entry: Option<&[f64]>,
        detection: Option<&Detection>,
    ) -> MonteCarlo {
        let n = t.trials as f64;
        let records: Vec<f64> = t.records.iter().map(|&r| r as f64).collect();
        let cats = index.categories.len();
        let records_by_category = index
            .categories
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (
                    c.clone(),
                    mean_p95(&column_u64(&t.category_records, cats, i)),
                )
            })
            .filter(|(_, s)| s.mean > 0.0)
            .collect();
        let stores: Vec<NodeId> = model.nodes_of(NodeKind::Store).collect();
        let store_breach_probability = stores
            .iter()
            .map(|&s| {
                (
                    model.id(s).to_string(),
                    t.store_breaches[s as usize] as f64 / n,
                )
            })
            .collect();
        let breached: Vec<NodeId> = stores
            .iter()
            .copied()
            .filter(|&s| t.store_breaches[s as usize] > 0)
            .collect();
        let tree = most_likely_from(graph, sources, entry);
        let most_likely_paths = shortest_paths(model, graph, &tree, &breached);
        let pops = index.populations.len();
        let people_affected = index
            .populations
            .iter()
            .enumerate()
            .map(|(i, p)| (p.clone(), mean_p95(&column(&t.people, pops, i))))
            .collect();
        let rp = index.regimes.len() * pops;
        let mut notifiable: BTreeMap<String, BTreeMap<String, NotifyStats>> = BTreeMap::new();
        for (r, regime) in index.regimes.iter().enumerate() {
            for (p, population) in index.populations.iter().enumerate() {
                let i = r * pops + p;
                let s = mean_p95(&column(&t.notifiable, rp, i));
                notifiable.entry(regime.clone()).or_default().insert(
                    population.clone(),
                    NotifyStats {
                        mean: s.mean,
                        p95: s.p95,
                        p_any: t.any_notifiable[i] as f64 / n,
                    },
                );
            }
        }
        let time_model = detection.map(|d| {
            let g = DWELL_GRID.len();
            TimeModel {
                detection_mean_days: d.mean_days,
                detection_distribution: d.distribution.as_str().to_string(),
                edge_time_distribution: model.times.distribution.as_str().to_string(),
                detection_days: summarise(&t.detection_days).into(),
                dwell: DWELL_GRID
                    .iter()
                    .enumerate()
                    .map(|(i, &days)| DwellPoint {
                        days,
                        records_mean: mean_sd(&column_u64(&t.dwell_records, g, i)).0,
                        exposure_mean: mean_sd(&column(&t.dwell_exposure, g, i)).0,
                    })
                    .collect(),
            }
        });
        MonteCarlo {
            trials: t.trials,
            seed: t.seed,
            exposure: summarise(&t.exposure).into(),
            records: summarise(&records).into(),
            records_by_category,
            store_breach_probability,
            most_likely_paths,
            exceedance: Exceedance {
                records: curve(&records),
                exposure: curve(&t.exposure),
                ..Default::default()
            },
            people_affected,
            notifiable,
            time_model,
            loss: None,
            annual_loss: None,
            currency: None,
        }
    }
}
