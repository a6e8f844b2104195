//! The design comparison: the exposure each design leaves, with its change against the baseline.

use super::{subtitle, BarSeries, Bars, Chart, Plot, Unit};
use crate::output::figures::signed_percent;
use crate::results::compare::{Comparison, ComparisonRow};
use crate::results::RunReport;

/// Expected exposure with its 95% interval for the baseline and every design, designs sorted
/// by reduction (largest first) after the baseline. Without Monte Carlo, the worst-case
/// exposure, sorted the same way, with no interval.
pub fn design_comparison(r: &RunReport) -> Option<Chart> {
    if r.designs.is_empty() {
        return None;
    }
    let c = Comparison::of(r);
    let expected = r.baseline.monte_carlo.is_some();
    let mut designs: Vec<_> = c.rows.iter().skip(1).collect();
    let change = |row: &ComparisonRow| -> f64 {
        match (expected, row.expected_change) {
            (true, Some(ch)) => ch.percent,
            _ => row.worst_case_change_percent,
        }
    };
    designs.sort_by(|a, b| {
        change(a)
            .total_cmp(&change(b))
            .then(a.design.cmp(&b.design))
    });
    let rows_in_order: Vec<_> = std::iter::once(&c.rows[0]).chain(designs).collect();
    let value = |row: &ComparisonRow| -> f64 {
        if expected {
            row.expected_exposure.unwrap_or(0.0)
        } else {
            row.worst_case_exposure
        }
    };
    let rows = rows_in_order
        .iter()
        .enumerate()
        .map(|(i, row)| {
            if i == 0 {
                row.design.clone()
            } else {
                format!("{} ({})", row.design, signed_percent(change(row)))
            }
        })
        .collect();
    let bounds = expected.then(|| {
        rows_in_order
            .iter()
            .map(|row| {
                let ci = row.expected_exposure_ci95.unwrap_or([value(row); 2]);
                (ci[0].max(0.0), ci[1])
            })
            .collect()
    });
    let label = if expected {
        "expected exposure"
    } else {
        "worst-case exposure"
    };
    Some(Chart {
        name: "design-comparison",
        note: if expected {
            "Each bar is the exposure a design leaves; the whisker is the 95% interval of the mean, and the percentage is the paired change against the baseline on the same random draws.".into()
        } else {
            "Each bar is the exposure a design leaves when every attack step succeeds; the percentage is the change against the baseline.".into()
        },
        title: if expected {
            "Expected exposure by design, with 95% intervals".into()
        } else {
            "Worst-case exposure by design".into()
        },
        subtitle: subtitle(r, "sorted by reduction, largest first"),
        plot: Plot::Bars(Bars {
            rows,
            series: vec![BarSeries {
                name: label.into(),
                values: rows_in_order.iter().map(|row| value(row)).collect(),
                bounds,
            }],
            value_label: format!("{label} (records × sensitivity weight)"),
            unit: Unit::Count,
            value_labels: true,
            log: false,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::BASELINE;
    use super::*;
    use crate::output::charts::fixture;

    #[test]
    fn comparison_puts_the_baseline_first_then_the_largest_reduction() {
        let r = fixture::report(false, false);
        let c = design_comparison(&r).unwrap();
        let b = bars(&c);
        assert_eq!(b.rows[0], BASELINE);
        assert!(b.rows[1].starts_with("retention-30d (−"), "{:?}", b.rows);
        assert!(b.rows[2].starts_with("detect-5d (−"), "{:?}", b.rows);
        let mc = r.baseline.monte_carlo.as_ref().unwrap();
        let s = &b.series[0];
        assert_eq!(s.values[0], mc.exposure.mean);
        let bounds = s.bounds.as_ref().unwrap();
        assert_eq!(
            bounds[0],
            (mc.exposure.ci95[0].max(0.0), mc.exposure.ci95[1])
        );
        let design = r.designs[0].monte_carlo.as_ref().unwrap();
        assert_eq!(s.values[1], design.exposure.mean);
        // Worst case only: worst-case exposure and no interval.
        let w = fixture::report(true, false);
        let c = design_comparison(&w).unwrap();
        let b = bars(&c);
        assert_eq!(b.series[0].values[0], w.baseline.deterministic.exposure.0);
        assert!(b.series[0].bounds.is_none());
    }
}
