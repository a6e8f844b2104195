//! `compare`: the baseline beside every design, one row each, from a [`RunReport`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::delta::PairedDifference;
use super::RunReport;

/// How many of the baseline's most breached stores the comparison shows.
pub const TOP_STORES: usize = 3;

/// One row: the baseline or a design.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ComparisonRow {
    pub design: String,
    pub worst_case_exposure: f64,
    pub worst_case_records: u64,
    pub worst_case_change_percent: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_exposure: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_exposure_ci95: Option<[f64; 2]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p95_exposure: Option<f64>,
    /// Paired change of the expected exposure against the baseline (designs only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_change: Option<PairedDifference>,
    /// Breach probability of the baseline's most breached stores.
    pub breach_probability: BTreeMap<String, f64>,
    /// With `[money]`: the loss, in the comparison's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub money: Option<MoneyColumns>,
}

/// A row's money figures (DESIGN.md "Money").
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Default)]
pub struct MoneyColumns {
    pub worst_case_loss: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_loss: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_loss_ci95: Option<[f64; 2]>,
    /// Mean loss in a year (with a frequency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_loss: Option<f64>,
    /// Designs only: paired change of the expected loss.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_loss_change: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_per_year: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_benefit_per_year: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_on_control: Option<f64>,
}

impl MoneyColumns {
    fn of(
        d: &super::Deterministic,
        mc: Option<&super::monte_carlo::MonteCarlo>,
        delta: Option<&super::delta::Delta>,
        cost_per_year: Option<f64>,
    ) -> Option<MoneyColumns> {
        let loss = mc.and_then(|m| m.loss);
        Some(MoneyColumns {
            worst_case_loss: d.loss?,
            expected_loss: loss.map(|l| l.mean),
            expected_loss_ci95: loss.map(|l| l.ci95),
            annual_loss: mc.and_then(|m| m.annual_loss).map(|a| a.mean),
            expected_loss_change: delta
                .and_then(|d| d.loss)
                .and_then(|l| l.paired)
                .map(|p| p.mean),
            cost_per_year,
            net_benefit_per_year: delta.and_then(|d| d.net_benefit_per_year),
            return_on_control: delta.and_then(|d| d.return_on_control),
        })
    }
}

/// The comparison table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Comparison {
    pub scenario: String,
    pub trials: Option<u32>,
    pub seed: Option<u64>,
    pub top_stores: Vec<String>,
    pub rows: Vec<ComparisonRow>,
    /// With `[money]`: the currency of the rows' money figures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// `--horizon-days N`: the programme age (days) the evaluation assumed in place of the
    /// model's, so a figure at another horizon says which it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub horizon_days: Option<u32>,
}

impl Comparison {
    pub fn of(r: &RunReport) -> Comparison {
        let base = &r.baseline;
        let mut top: Vec<(String, f64)> = base
            .monte_carlo
            .as_ref()
            .map(|mc| {
                mc.store_breach_probability
                    .iter()
                    .filter(|(_, p)| **p > 0.0)
                    .map(|(s, p)| (s.clone(), *p))
                    .collect()
            })
            .unwrap_or_default();
        top.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let top_stores: Vec<String> = top.into_iter().take(TOP_STORES).map(|(s, _)| s).collect();
        let breach = |mc: Option<&super::monte_carlo::MonteCarlo>| {
            top_stores
                .iter()
                .map(|s| {
                    let p = mc
                        .and_then(|m| m.store_breach_probability.get(s))
                        .copied()
                        .unwrap_or(0.0);
                    (s.clone(), p)
                })
                .collect()
        };
        let mut rows = vec![ComparisonRow {
            design: "baseline".into(),
            worst_case_exposure: base.deterministic.exposure.0,
            worst_case_records: base.deterministic.records_total,
            worst_case_change_percent: 0.0,
            expected_exposure: base.monte_carlo.as_ref().map(|m| m.exposure.mean),
            expected_exposure_ci95: base.monte_carlo.as_ref().map(|m| m.exposure.ci95),
            p95_exposure: base.monte_carlo.as_ref().map(|m| m.exposure.p95),
            expected_change: None,
            breach_probability: breach(base.monte_carlo.as_ref()),
            money: MoneyColumns::of(&base.deterministic, base.monte_carlo.as_ref(), None, None),
        }];
        for d in &r.designs {
            rows.push(ComparisonRow {
                design: d.name.clone(),
                worst_case_exposure: d.deterministic.exposure.0,
                worst_case_records: d.deterministic.records_total,
                worst_case_change_percent: d.delta.exposure_percent,
                expected_exposure: d.monte_carlo.as_ref().map(|m| m.exposure.mean),
                expected_exposure_ci95: d.monte_carlo.as_ref().map(|m| m.exposure.ci95),
                p95_exposure: d.monte_carlo.as_ref().map(|m| m.exposure.p95),
                expected_change: d.delta.monte_carlo.as_ref().map(|m| m.exposure),
                breach_probability: breach(d.monte_carlo.as_ref()),
                money: MoneyColumns::of(
                    &d.deterministic,
                    d.monte_carlo.as_ref(),
                    Some(&d.delta),
                    d.cost_per_year,
                ),
            });
        }
        Comparison {
            scenario: r.scenario.clone(),
            trials: base.monte_carlo.as_ref().map(|m| m.trials),
            seed: base.monte_carlo.as_ref().map(|m| m.seed),
            top_stores,
            rows,
            currency: base.deterministic.currency.clone(),
            horizon_days: r.horizon_days,
        }
    }
}

/// A flat CSV row of the comparison.
#[derive(Debug, Serialize)]
pub struct ComparisonCsvRow {
    pub scenario: String,
    pub design: String,
    pub worst_case_exposure: f64,
    pub worst_case_records: u64,
    pub worst_case_change_percent: f64,
    pub expected_exposure: Option<f64>,
    pub expected_exposure_ci_low: Option<f64>,
    pub expected_exposure_ci_high: Option<f64>,
    pub p95_exposure: Option<f64>,
    pub expected_change: Option<f64>,
    pub expected_change_ci_low: Option<f64>,
    pub expected_change_ci_high: Option<f64>,
    pub expected_change_percent: Option<f64>,
}

impl Comparison {
    pub fn csv_rows(&self) -> Vec<ComparisonCsvRow> {
        self.rows
            .iter()
            .map(|r| ComparisonCsvRow {
                scenario: self.scenario.clone(),
                design: r.design.clone(),
                worst_case_exposure: r.worst_case_exposure,
                worst_case_records: r.worst_case_records,
                worst_case_change_percent: r.worst_case_change_percent,
                expected_exposure: r.expected_exposure,
                expected_exposure_ci_low: r.expected_exposure_ci95.map(|c| c[0]),
                expected_exposure_ci_high: r.expected_exposure_ci95.map(|c| c[1]),
                p95_exposure: r.p95_exposure,
                expected_change: r.expected_change.map(|c| c.mean),
                expected_change_ci_low: r.expected_change.map(|c| c.ci95[0]),
                expected_change_ci_high: r.expected_change.map(|c| c.ci95[1]),
                expected_change_percent: r.expected_change.map(|c| c.percent),
            })
            .collect()
    }
}

/// A flat CSV row of a comparison with money: the row's columns, then the money's.
#[derive(Debug, Serialize)]
pub struct ComparisonMoneyCsvRow {
    pub scenario: String,
    pub design: String,
    pub worst_case_exposure: f64,
    pub worst_case_records: u64,
    pub worst_case_change_percent: f64,
    pub expected_exposure: Option<f64>,
    pub expected_exposure_ci_low: Option<f64>,
    pub expected_exposure_ci_high: Option<f64>,
    pub p95_exposure: Option<f64>,
    pub expected_change: Option<f64>,
    pub expected_change_ci_low: Option<f64>,
    pub expected_change_ci_high: Option<f64>,
    pub expected_change_percent: Option<f64>,
    pub currency: String,
    pub worst_case_loss: Option<f64>,
    pub expected_loss: Option<f64>,
    pub expected_loss_ci_low: Option<f64>,
    pub expected_loss_ci_high: Option<f64>,
    pub annual_loss: Option<f64>,
    pub expected_loss_change: Option<f64>,
    pub cost_per_year: Option<f64>,
    pub net_benefit_per_year: Option<f64>,
    pub return_on_control: Option<f64>,
}

impl Comparison {
    /// The CSV rows with money columns, for a comparison that has a currency.
    pub fn money_csv_rows(&self) -> Vec<ComparisonMoneyCsvRow> {
        self.csv_rows()
            .into_iter()
            .zip(&self.rows)
            .map(|(c, r)| {
                let m = r.money.unwrap_or_default();
                ComparisonMoneyCsvRow {
                    scenario: c.scenario,
                    design: c.design,
                    worst_case_exposure: c.worst_case_exposure,
                    worst_case_records: c.worst_case_records,
                    worst_case_change_percent: c.worst_case_change_percent,
                    expected_exposure: c.expected_exposure,
                    expected_exposure_ci_low: c.expected_exposure_ci_low,
                    expected_exposure_ci_high: c.expected_exposure_ci_high,
                    p95_exposure: c.p95_exposure,
                    expected_change: c.expected_change,
                    expected_change_ci_low: c.expected_change_ci_low,
                    expected_change_ci_high: c.expected_change_ci_high,
                    expected_change_percent: c.expected_change_percent,
                    currency: self.currency.clone().unwrap_or_default(),
                    worst_case_loss: r.money.map(|m| m.worst_case_loss),
                    expected_loss: m.expected_loss,
                    expected_loss_ci_low: m.expected_loss_ci95.map(|c| c[0]),
                    expected_loss_ci_high: m.expected_loss_ci95.map(|c| c[1]),
                    annual_loss: m.annual_loss,
                    expected_loss_change: m.expected_loss_change,
                    cost_per_year: m.cost_per_year,
                    net_benefit_per_year: m.net_benefit_per_year,
                    return_on_control: m.return_on_control,
                }
            })
            .collect()
    }
}
