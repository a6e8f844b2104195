//! Loss in money per trial, and the compound Poisson year of the annual loss (DESIGN.md
//! "Money"). Pure: the year's draws are keyed like every other draw, so the annual figures are
//! the same for any thread count, and designs (simulated with the same seed and trial count)
//! see the same years: the same number of incidents, each the same trial.

use super::monte_carlo::Trials;
use super::random::{bits_to_uniform, draw_bits, trial_salt, INCIDENTS_KEY, YEAR_SALT};
use rayon::prelude::*;

use super::reach::forward;
use super::tally::{ExposureIndex, Tally};
use crate::graph::AttackGraph;
use crate::model::money::Money;
use crate::model::{Model, NodeId, NodeKind};

/// Years simulated for the annual loss: the p99 of 50,000 years is the 500th largest, so its
/// sampling error is small beside the spread of a year's loss.
pub const YEARS: u32 = 50_000;

/// The loss of each trial, in trial order: `per_incident` when any record leaks, plus records
/// by category times their per-record cost, plus expected notifiable people times their
/// regime's per-person cost.
pub fn trial_losses(money: &Money, index: &ExposureIndex, t: &Trials) -> Vec<f64> {
    let per_record: Vec<f64> = index
        .categories
        .iter()
        .map(|c| money.per_record(c))
        .collect();
    let pops = index.populations.len();
    let per_person: Vec<f64> = index
        .regimes
        .iter()
        .flat_map(|r| std::iter::repeat_n(money.per_person(r), pops))
        .collect();
    let cats = per_record.len();
    let rp = per_person.len();
    (0..t.trials as usize)
        .map(|i| {
            let incident = if t.records[i] > 0 {
                money.per_incident
            } else {
                0.0
            };
            let records: f64 = t.category_records[i * cats..(i + 1) * cats]
                .iter()
                .zip(&per_record)
                .map(|(&n, &c)| n as f64 * c)
                .sum();
            let people: f64 = t.notifiable[i * rp..(i + 1) * rp]
                .iter()
                .zip(&per_person)
                .map(|(&n, &c)| n * c)
                .sum();
            incident + records + people
        })
        .collect()
}

/// The number of incidents in a year: the Poisson(`frequency`) count whose distribution
/// function first reaches `u` (inversion; `frequency` ≤ 365 keeps e^−frequency a normal double).
pub fn poisson(frequency: f64, u: f64) -> u32 {
    let mut n = 0u32;
    let mut p = (-frequency).exp();
    let mut cdf = p;
    // The cap stops the loop should rounding keep the sum just under `u`: the count is then
    // far out in a tail no double can tell from the cap.
    let cap = (frequency + 40.0 * frequency.sqrt() + 40.0) as u32;
    while u >= cdf && n < cap {
        n += 1;
        p *= frequency / n as f64;
        cdf += p;
    }
    n
}

/// The loss of each of `years` simulated years: a Poisson(`frequency`) number of incidents,
/// each the loss of a trial drawn uniformly from `losses`, all keyed by (seed, year).
pub fn annual_losses(losses: &[f64], frequency: f64, seed: u64, years: u32) -> Vec<f64> {
    let n = losses.len() as u128;
    if n == 0 {
        return vec![0.0; years as usize];
    }
    (0..u64::from(years))
        .map(|year| {
            let salt = trial_salt(seed ^ YEAR_SALT, year);
            let count = poisson(frequency, bits_to_uniform(draw_bits(salt, INCIDENTS_KEY)));
            (0..u64::from(count))
                .map(|i| {
                    let bits = draw_bits(salt, INCIDENTS_KEY.wrapping_add(1 + i));
                    // 53 uniform bits scaled to a trial: floor(u × trials), exactly.
                    losses[((u128::from(bits) * n) >> 53) as usize]
                })
                // From +0: a year without incidents loses 0, not the −0 of an empty `sum`.
                .fold(0.0, |a, b| a + b)
        })
        .collect()
}

/// The worst-case loss of each source as the sole compromised node (`sweep --by loss`): one
/// breadth-first search and tally per source, in parallel, each figure computed by one thread.
/// The condensed sweep does not keep records by category or notifiable people, which the loss
/// needs; this is the plain traversal the sweep's tests check it against.
pub fn sweep_losses(
    model: &Model,
    graph: &AttackGraph,
    index: &ExposureIndex,
    money: &Money,
    sources: &[NodeId],
) -> Vec<f64> {
    let per_record: Vec<f64> = index
        .categories
        .iter()
        .map(|c| money.per_record(c))
        .collect();
    let pops = index.populations.len();
    let per_person: Vec<f64> = index
        .regimes
        .iter()
        .flat_map(|r| std::iter::repeat_n(money.per_person(r), pops))
        .collect();
    sources
        .par_iter()
        .map_init(
            || Tally::new(index),
            |tally, &x| {
                let r = forward(graph, &[x]);
                let stores = r
                    .order
                    .iter()
                    .copied()
                    .filter(|&n| model.kind(n) == NodeKind::Store);
                tally.count(index, stores);
                let incident = if tally.records_total > 0 {
                    money.per_incident
                } else {
                    0.0
                };
                let records: f64 = tally
                    .records
                    .iter()
                    .zip(&per_record)
                    .map(|(&n, &c)| n as f64 * c)
                    .sum();
                let people: f64 = tally
                    .notifiable
                    .iter()
                    .zip(&per_person)
                    .map(|(&n, &c)| n * c)
                    .sum();
                incident + records + people
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_inversion_has_the_right_mean_and_zero_share() {
        let f = 0.7;
        let n = 100_000u64;
        let counts: Vec<u32> = (0..n)
            .map(|t| poisson(f, crate::engine::random::uniform(5, t, 1)))
            .collect();
        let mean = counts.iter().map(|&c| f64::from(c)).sum::<f64>() / n as f64;
        assert!((mean - f).abs() < 0.01, "{mean}");
        let zeros = counts.iter().filter(|&&c| c == 0).count() as f64 / n as f64;
        assert!((zeros - (-f).exp()).abs() < 0.005, "{zeros}");
        assert_eq!(poisson(0.0, 0.999), 0);
        assert!(poisson(365.0, 0.999_999) < 500);
    }

    #[test]
    fn years_are_keyed() {
        let losses = [1.0, 2.0, 3.0];
        let a = annual_losses(&losses, 2.0, 9, 1000);
        assert_eq!(a, annual_losses(&losses, 2.0, 9, 1000));
        assert_ne!(a, annual_losses(&losses, 2.0, 10, 1000));
        assert_eq!(annual_losses(&losses, 0.0, 9, 10), vec![0.0; 10]);
    }
}
