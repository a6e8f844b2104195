//! What a set of leaked stores exposes: deduplicated records per category, weighted exposure,
//! and people affected per population.

use std::collections::BTreeMap;

use crate::model::records::{leaked_sets, Holdings, LeakedSet};
use crate::model::{category_matches, Model, NodeId};

/// People affected in one population: expected (sets independent), and the bounds of full
/// overlap (`low`) and no overlap (`high`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PeopleAffected {
    pub expected: f64,
    pub low: f64,
    pub high: f64,
}

/// Exposure of a collection of leaked stores.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Exposure {
    /// Deduplicated records per leaked set, in set order.
    pub sets: Vec<LeakedSet>,
    /// Deduplicated records per category (full names), leaving out empty ones.
    pub records_by_category: BTreeMap<String, u64>,
    pub records_total: u64,
    /// Σ records × weight.
    pub exposure: f64,
    /// Per declared population (empty when the model declares none).
    pub people_affected: BTreeMap<String, PeopleAffected>,
    /// Regime → population → expected people whose notifiable records leaked.
    pub notifiable: BTreeMap<String, BTreeMap<String, f64>>,
}

/// People affected by the given leaked sets in one population (DESIGN.md "People affected").
pub fn people_affected(size: u64, coverages: impl IntoIterator<Item = f64>) -> PeopleAffected {
    let size = size as f64;
    let mut none = 1.0;
    let mut max: f64 = 0.0;
    let mut sum = 0.0;
    for c in coverages {
        none *= 1.0 - c;
        max = max.max(c);
        sum += c;
    }
    PeopleAffected {
        expected: size * (1.0 - none),
        low: size * max,
        high: (size * sum).min(size),
    }
}

/// Exposure of the stores in `leaked`.
pub fn exposure_of(
    model: &Model,
    holdings: &Holdings,
    leaked: impl IntoIterator<Item = NodeId>,
) -> Exposure {
    let sets = leaked_sets(model, holdings, leaked);
    let mut by_category: BTreeMap<String, u64> = BTreeMap::new();
    let mut exposure = 0.0;
    for l in &sets {
        let set = &model.record_sets[l.set as usize];
        let n = by_category.entry(set.category.clone()).or_insert(0);
        *n = n.saturating_add(l.records);
    }
    for (category, records) in &by_category {
        exposure += *records as f64 * model.categories.weight(category);
    }
    let records_total = by_category
        .values()
        .fold(0, |a: u64, &b| a.saturating_add(b));

    let mut people = BTreeMap::new();
    let mut notifiable: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    for (population, &size) in &model.populations {
        let of_population = || {
            sets.iter()
                .map(|l| &model.record_sets[l.set as usize])
                .filter(|s| s.subjects.as_deref() == Some(population.as_str()))
        };
        people.insert(
            population.clone(),
            people_affected(size, of_population().map(|s| s.coverage)),
        );
        for (regime, prefixes) in &model.notification {
            let covered = of_population()
                .filter(|s| prefixes.iter().any(|p| category_matches(&s.category, p)))
                .map(|s| s.coverage);
            notifiable
                .entry(regime.clone())
                .or_default()
                .insert(population.clone(), people_affected(size, covered).expected);
        }
    }
    Exposure {
        sets,
        records_by_category: by_category,
        records_total,
        exposure,
        people_affected: people,
        notifiable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_affected_follows_the_formula() {
        // Two independent sets of 50% and 20% in 1,000 people: 1000 × (1 − 0.5 × 0.8) = 600.
        let p = people_affected(1000, [0.5, 0.2]);
        assert!((p.expected - 600.0).abs() < 1e-9);
        assert_eq!(p.low, 500.0);
        assert_eq!(p.high, 700.0);
        let full = people_affected(1000, [1.0, 0.7]);
        assert_eq!(
            (full.expected, full.low, full.high),
            (1000.0, 1000.0, 1000.0)
        );
        assert_eq!(people_affected(10, []), PeopleAffected::default());
    }
}
