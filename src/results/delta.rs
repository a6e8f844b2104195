//! A design against the baseline: worst-case differences, and Monte Carlo differences paired
//! trial by trial (common random numbers), with the unpaired interval beside the paired one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::monte_carlo::MonteCarlo;
use super::{Deterministic, Number};
use crate::engine::monte_carlo::Trials;
use crate::engine::stats::mean_sd;

/// Mean difference (design − baseline) with 95% intervals.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Default)]
pub struct PairedDifference {
    pub mean: f64,
    /// From the per-trial differences of the same draws.
    pub ci95: [f64; 2],
    /// As if the two runs were independent (for comparison: far wider).
    pub ci95_unpaired: [f64; 2],
    /// Relative to the baseline mean, in percent (0 when the baseline is 0).
    pub percent: f64,
}

/// Monte Carlo change of a design.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct MonteCarloDelta {
    pub exposure: PairedDifference,
    pub records: PairedDifference,
    /// Change of each store's breach probability (design − baseline), stores that change only.
    pub store_breach_probability: BTreeMap<String, f64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub people_affected: BTreeMap<String, f64>,
}

/// `designs[].delta`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Delta {
    pub exposure: Number,
    pub exposure_percent: f64,
    pub records_total: i64,
    /// Categories whose deduplicated records change.
    pub records_by_category: BTreeMap<String, i64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub people_affected: BTreeMap<String, f64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub notifiable: BTreeMap<String, BTreeMap<String, f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monte_carlo: Option<MonteCarloDelta>,
    /// With `[money]`: the change of the loss (design − baseline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss: Option<LossDelta>,
    /// With a frequency and the design's `cost_per_year`: frequency × (baseline mean loss −
    /// design mean loss) − cost_per_year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_benefit_per_year: Option<f64>,
    /// Net benefit ÷ cost_per_year (absent when the cost is 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_on_control: Option<f64>,
}

/// `delta.loss`: the worst case's change, and the mean change paired on the same draws.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Default)]
pub struct LossDelta {
    pub worst_case: f64,
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub paired: Option<PairedDifference>,
    /// With a frequency: the change of the mean annual loss (frequency × the paired mean).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_mean: Option<f64>,
}

fn percent(change: f64, base: f64) -> f64 {
    if base == 0.0 {
        0.0
    } else {
        100.0 * change / base
    }
}

/// Paired difference of per-trial values.
pub fn paired(base: &[f64], design: &[f64]) -> PairedDifference {
    let n = base.len().max(1) as f64;
    let diffs: Vec<f64> = design.iter().zip(base).map(|(d, b)| d - b).collect();
    let (mean, sd) = mean_sd(&diffs);
    let half = 1.96 * sd / n.sqrt();
    let (mb, sb) = mean_sd(base);
    let (_, sdd) = mean_sd(design);
    let half_unpaired = 1.96 * ((sb * sb + sdd * sdd) / n).sqrt();
    PairedDifference {
        mean,
        ci95: [mean - half, mean + half],
        ci95_unpaired: [mean - half_unpaired, mean + half_unpaired],
        percent: percent(mean, mb),
    }
}

impl Delta {
    pub fn of(
        base: &Deterministic,
        design: &Deterministic,
        mc: Option<(&MonteCarlo, &MonteCarlo, &Trials, &Trials)>,
    ) -> Delta {
        let mut by_cat = BTreeMap::new();
        for c in base
            .records_by_category
            .keys()
            .chain(design.records_by_category.keys())
        {
            let b = *base.records_by_category.get(c).unwrap_or(&0);
            let d = *design.records_by_category.get(c).unwrap_or(&0);
            if b != d {
                by_cat.insert(c.clone(), change_in_records(b, d));
            }
        }
        let people = base
            .people_affected
            .iter()
            .map(|(k, b)| {
                let d = design.people_affected.get(k).map_or(0.0, |x| x.expected);
                (k.clone(), d - b.expected)
            })
            .collect();
        let notifiable = base
            .notifiable
            .iter()
            .map(|(regime, pops)| {
                let changes = pops
                    .iter()
                    .map(|(p, b)| {
                        let d = design
                            .notifiable
                            .get(regime)
                            .and_then(|x| x.get(p))
                            .copied()
                            .unwrap_or(0.0);
                        (p.clone(), d - b)
                    })
                    .collect();
                (regime.clone(), changes)
            })
            .collect();
        let monte_carlo = mc.map(|(bm, dm, bt, dt)| {
            let rec = |t: &Trials| t.records.iter().map(|&r| r as f64).collect::<Vec<_>>();
            MonteCarloDelta {
                exposure: paired(&bt.exposure, &dt.exposure),
                records: paired(&rec(bt), &rec(dt)),
                store_breach_probability: bm
                    .store_breach_probability
                    .iter()
                    .filter_map(|(s, b)| {
                        let d = dm.store_breach_probability.get(s).copied().unwrap_or(0.0);
                        (d != *b).then(|| (s.clone(), d - b))
                    })
                    .collect(),
                people_affected: bm
                    .people_affected
                    .iter()
                    .map(|(k, b)| {
                        (
                            k.clone(),
                            dm.people_affected.get(k).map_or(0.0, |x| x.mean) - b.mean,
                        )
                    })
                    .collect(),
            }
        });
        let change = design.exposure.0 - base.exposure.0;
        Delta {
            exposure: Number(change),
            exposure_percent: percent(change, base.exposure.0),
            records_total: change_in_records(base.records_total, design.records_total),
            records_by_category: by_cat,
            people_affected: people,
            notifiable,
            monte_carlo,
            loss: None,
            net_benefit_per_year: None,
            return_on_control: None,
        }
    }
}

/// `design - base` as a signed record count, clamped to `i64` (record figures go up to
/// `u64::MAX`, which saturates rather than overflows).
fn change_in_records(base: u64, design: u64) -> i64 {
    (i128::from(design) - i128::from(base)).clamp(i64::MIN.into(), i64::MAX.into()) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_runs_differ_by_exactly_zero() {
        let x = [1.0, 5.0, 3.0, 0.0];
        let d = paired(&x, &x);
        assert_eq!(d.mean, 0.0);
        assert_eq!(d.ci95, [0.0, 0.0]);
        assert!(d.ci95_unpaired[1] > 0.0);
    }

    #[test]
    fn paired_interval_comes_from_differences() {
        let base = [10.0, 20.0, 30.0, 40.0];
        let design = [9.0, 18.0, 27.0, 36.0];
        let d = paired(&base, &design);
        assert_eq!(d.mean, -2.5);
        assert!((d.percent - -10.0).abs() < 1e-12);
        // differences −1, −2, −3, −4: sd = 1.29…, half width 1.96 × sd / 2
        let sd = (5.0f64 / 3.0).sqrt();
        assert!((d.ci95[1] - (-2.5 + 1.96 * sd / 2.0)).abs() < 1e-12);
    }
}
