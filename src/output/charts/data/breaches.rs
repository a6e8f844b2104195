//! Breach probability of the baseline's most breached stores.

use super::{subtitle, variants, BarSeries, Bars, Chart, Plot, Unit, TOP_STORES};
use crate::results::RunReport;

/// Breach probability of the baseline's most breached stores (up to [`TOP_STORES`]), baseline
/// beside each design.
pub fn breach_probability(r: &RunReport) -> Option<Chart> {
    let base = r.baseline.monte_carlo.as_ref()?;
    let mut stores: Vec<(&String, f64)> = base
        .store_breach_probability
        .iter()
        .filter(|(_, &p)| p > 0.0)
        .map(|(s, &p)| (s, p))
        .collect();
    if stores.is_empty() {
        return None;
    }
    stores.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    stores.truncate(TOP_STORES);
    let rows: Vec<String> = stores.iter().map(|(s, _)| s.to_string()).collect();
    let series = variants(r)
        .into_iter()
        .filter_map(|(name, _, mc)| {
            let mc = mc?;
            Some(BarSeries {
                name: name.to_string(),
                values: rows
                    .iter()
                    .map(|s| mc.store_breach_probability.get(s).copied().unwrap_or(0.0))
                    .collect(),
                bounds: None,
            })
        })
        .collect();
    Some(Chart {
        name: "store-breach-probability",
        note: "Share of trials in which the store leaks, by any route; the stores are the baseline’s most often breached.".into(),
        title: "Breach probability of the most exposed stores".into(),
        subtitle: subtitle(r, "share of trials in which the store leaks"),
        plot: Plot::Bars(Bars {
            rows,
            series,
            value_label: "probability the store is breached".into(),
            unit: Unit::Probability,
            value_labels: true,
            log: false,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::output::charts::fixture;

    #[test]
    fn breach_probability_lists_breached_stores_most_likely_first() {
        let r = fixture::report(false, false);
        let c = breach_probability(&r).unwrap();
        let b = bars(&c);
        let p = &r
            .baseline
            .monte_carlo
            .as_ref()
            .unwrap()
            .store_breach_probability;
        assert_eq!(b.rows, ["hr", "badge-logs"]);
        assert_eq!(b.series[0].values, [p["hr"], p["badge-logs"]]);
        assert!((p["hr"] - 0.8).abs() < 0.08 && (p["badge-logs"] - 0.5).abs() < 0.08);
    }
}
