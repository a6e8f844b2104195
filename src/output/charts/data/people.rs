//! People affected per population, with the bounds of full and no overlap.

use super::{subtitle, variants, BarSeries, Bars, Chart, Plot, Unit};
use crate::results::RunReport;

/// Worst-case people affected per population, baseline beside each design, with the bounds
/// of full overlap (low) and no overlap (high) between record sets.
pub fn people_affected(r: &RunReport) -> Option<Chart> {
    let vars = variants(r);
    let pops: std::collections::BTreeSet<&String> = vars
        .iter()
        .flat_map(|(_, d, _)| d.people_affected.keys())
        .collect();
    if pops.is_empty() {
        return None;
    }
    let rows: Vec<String> = pops.into_iter().cloned().collect();
    let series = vars
        .iter()
        .map(|(name, d, _)| {
            let get = |p: &String| d.people_affected.get(p).copied();
            BarSeries {
                name: name.to_string(),
                values: rows
                    .iter()
                    .map(|p| get(p).map_or(0.0, |x| x.expected))
                    .collect(),
                bounds: Some(
                    rows.iter()
                        .map(|p| get(p).map_or((0.0, 0.0), |x| (x.low, x.high)))
                        .collect(),
                ),
            }
        })
        .collect();
    Some(Chart {
        name: "people-affected",
        note: "People whose records leak, per population, in the worst case; the whisker runs from full overlap between record sets (low) to none (high).".into(),
        title: "People affected per population".into(),
        subtitle: subtitle(
            r,
            "worst case; whiskers: record sets fully overlapping (low) to disjoint (high)",
        ),
        plot: Plot::Bars(Bars {
            rows,
            series,
            value_label: "people affected (worst case)".into(),
            unit: Unit::Count,
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
    fn people_affected_carry_the_overlap_bounds() {
        let r = fixture::report(false, false);
        let c = people_affected(&r).unwrap();
        let b = bars(&c);
        assert_eq!(b.rows, ["employees", "visitors"]);
        let pa = &r.baseline.deterministic.people_affected;
        let bounds = b.series[0].bounds.as_ref().unwrap();
        for (i, pop) in b.rows.iter().enumerate() {
            assert_eq!(b.series[0].values[i], pa[pop].expected);
            assert_eq!(bounds[i], (pa[pop].low, pa[pop].high));
        }
        // employees: coverage 0.5 and 1 → 100 × (1 − 0.5 × 0) = 100; bounds 100 and 100.
        assert_eq!(b.series[0].values[0], 100.0);
        assert_eq!(b.series[0].values[1], 10.0);
    }
}
