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
