//! Loss figures (DESIGN.md "Money") added to a run's results when the model has `[money]`:
//! the worst case's loss, the Monte Carlo loss and annual loss, and each design's change, net
//! benefit and return. Without `[money]` nothing here runs and the result has no loss field.

use super::delta::{paired, Delta, LossDelta};
use super::monte_carlo::{curve, AnnualLoss, MonteCarlo};
use super::Deterministic;
use crate::engine::loss::{annual_losses, trial_losses, YEARS};
use crate::engine::stats::{percentile, summarise};
use crate::evaluate::Variant;
use crate::model::money::Money;

/// The worst case's loss.
pub fn add_deterministic(d: &mut Deterministic, money: &Money) {
    let notifiable = d
        .notifiable
        .iter()
        .flat_map(|(regime, pops)| pops.values().map(move |&n| (regime.as_str(), n)));
    let records = d.records_by_category.iter().map(|(c, &n)| (c.as_str(), n));
    d.loss = Some(money.loss(records, d.records_total, notifiable));
    d.currency = Some(money.currency.clone());
}

/// The loss of each of a variant's trials, when it was simulated and its model has `[money]`.
pub fn of_trials(v: &Variant) -> Option<Vec<f64>> {
    let money = v.analysis.model.money.as_ref()?;
    let t = v.trials.as_ref()?;
    Some(trial_losses(money, v.analysis.index(), t))
}

/// The Monte Carlo loss from the trials' losses, and with a frequency the annual loss of
/// [`YEARS`] compound Poisson years keyed by `seed`.
pub fn add_monte_carlo(
    mc: &mut MonteCarlo,
    money: &Money,
    losses: &[f64],
    frequency: Option<f64>,
    seed: u64,
) {
    let stats = summarise(losses);
    mc.loss = Some(stats.into());
    mc.exceedance.loss = curve(losses);
    if let Some(f) = frequency {
        let mut years = annual_losses(losses, f, seed, YEARS);
        mc.exceedance.annual_loss = curve(&years);
        years.sort_by(f64::total_cmp);
        mc.annual_loss = Some(AnnualLoss {
            mean: f * stats.mean,
            p90: percentile(&years, 0.90),
            p95: percentile(&years, 0.95),
            p99: percentile(&years, 0.99),
        });
    }
    mc.currency = Some(money.currency.clone());
}

/// A design's change of the loss, paired on the same draws, and with a frequency and a cost
/// its net benefit a year and return on the control.
pub fn add_delta(
    delta: &mut Delta,
    base: &Deterministic,
    design: &Deterministic,
    trials: Option<(&[f64], &[f64])>,
    frequency: Option<f64>,
    cost_per_year: Option<f64>,
) {
    let worst_case = design.loss.unwrap_or(0.0) - base.loss.unwrap_or(0.0);
    let paired = trials.map(|(b, d)| paired(b, d));
    delta.loss = Some(LossDelta {
        worst_case,
        paired,
        annual_mean: frequency.zip(paired).map(|(f, p)| f * p.mean),
    });
    if let (Some(f), Some(p), Some(cost)) = (frequency, paired, cost_per_year) {
        let net = f * -p.mean - cost;
        delta.net_benefit_per_year = Some(net);
        delta.return_on_control = (cost > 0.0).then(|| net / cost);
    }
}

/// The loss of the baseline or a design, for flat outputs (`run --csv-table loss`).
#[derive(Debug, Clone, serde::Serialize, PartialEq)]
pub struct LossRow {
    pub scenario: String,
    pub design: String,
    pub currency: String,
    pub worst_case: f64,
    /// Monte Carlo loss of one incident, when simulated.
    pub mean: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
    /// With a frequency: the loss in a year.
    pub annual_mean: Option<f64>,
    pub annual_p90: Option<f64>,
    pub annual_p95: Option<f64>,
    pub annual_p99: Option<f64>,
    /// Designs only: the paired change of the mean loss, the cost, net benefit and return.
    pub mean_change: Option<f64>,
    pub cost_per_year: Option<f64>,
    pub net_benefit_per_year: Option<f64>,
    pub return_on_control: Option<f64>,
}

impl super::RunReport {
    /// One row per variant with its loss (none without `[money]`).
    pub fn loss_rows(&self) -> Vec<LossRow> {
        let base = std::iter::once((
            "baseline",
            &self.baseline.deterministic,
            &self.baseline.monte_carlo,
            None,
            None,
        ));
        let designs = self.designs.iter().map(|d| {
            (
                d.name.as_str(),
                &d.deterministic,
                &d.monte_carlo,
                Some(&d.delta),
                d.cost_per_year,
            )
        });
        base.chain(designs)
            .filter_map(|(design, det, mc, delta, cost)| {
                let loss = det.loss?;
                let mc = mc.as_ref();
                let stats = mc.and_then(|m| m.loss);
                let annual = mc.and_then(|m| m.annual_loss);
                Some(LossRow {
                    scenario: self.scenario.clone(),
                    design: design.to_string(),
                    currency: det.currency.clone().unwrap_or_default(),
                    worst_case: loss,
                    mean: stats.map(|s| s.mean),
                    ci_low: stats.map(|s| s.ci95[0]),
                    ci_high: stats.map(|s| s.ci95[1]),
                    p50: stats.map(|s| s.p50),
                    p90: stats.map(|s| s.p90),
                    p95: stats.map(|s| s.p95),
                    p99: stats.map(|s| s.p99),
                    annual_mean: annual.map(|a| a.mean),
                    annual_p90: annual.map(|a| a.p90),
                    annual_p95: annual.map(|a| a.p95),
                    annual_p99: annual.map(|a| a.p99),
                    mean_change: delta
                        .and_then(|d| d.loss)
                        .and_then(|l| l.paired)
                        .map(|p| p.mean),
                    cost_per_year: cost,
                    net_benefit_per_year: delta.and_then(|d| d.net_benefit_per_year),
                    return_on_control: delta.and_then(|d| d.return_on_control),
                })
            })
            .collect()
    }
}
