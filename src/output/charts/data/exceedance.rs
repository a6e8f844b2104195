//! The exceedance curves: the chance of leaking more than x records, or more than x weighted exposure.

use super::{subtitle, variants, Chart, LineSeries, Lines, Plot, Unit};
use crate::results::monte_carlo::CurvePoint;
use crate::results::RunReport;

/// Which exceedance curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Records,
    Exposure,
}

/// P(leaked > x) on a log x axis, one curve per variant with a Monte Carlo result: the
/// result's curve points with x > 0 (x = 0 has no place on a log axis).
pub fn exceedance(r: &RunReport, measure: Measure) -> Option<Chart> {
    r.baseline.monte_carlo.as_ref()?;
    let series = variants(r)
        .into_iter()
        .filter_map(|(name, _, mc)| {
            let mc = mc?;
            let curve: &[CurvePoint] = match measure {
                Measure::Records => &mc.exceedance.records,
                Measure::Exposure => &mc.exceedance.exposure,
            };
            Some(LineSeries {
                name: name.to_string(),
                points: curve
                    .iter()
                    .filter(|c| c.x > 0.0)
                    .map(|c| (c.x, c.p))
                    .collect(),
            })
        })
        .collect();
    let (name, title, x_label) = match measure {
        Measure::Records => (
            "records-exceedance",
            "Chance of leaking more than x records",
            "records leaked, x (log scale)",
        ),
        Measure::Exposure => (
            "exposure-exceedance",
            "Chance of more than x weighted exposure",
            "exposure = records × sensitivity weight, x (log scale)",
        ),
    };
    Some(Chart {
        name,
        note: "The chance that a breach from these entry points leaks more than x; a curve further left or lower is a safer design. Read a point as “a y% chance of more than x”.".into(),
        title: title.into(),
        subtitle: subtitle(r, "loss exceedance curve"),
        plot: Plot::Lines(Lines {
            series,
            x_label: x_label.into(),
            y_label: "probability of exceeding x".into(),
            x_unit: Unit::Count,
            y_unit: Unit::Probability,
            log_x: true,
            markers: false,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::output::charts::fixture;

    #[test]
    fn exceedance_curves_are_the_results_points_above_zero() {
        let r = fixture::report(false, false);
        for (measure, pick) in [(Measure::Records, 0usize), (Measure::Exposure, 1usize)] {
            let c = exceedance(&r, measure).unwrap();
            let l = lines(&c);
            assert!(l.log_x);
            assert_eq!(l.series.len(), 1 + r.designs.len());
            let mcs = std::iter::once(r.baseline.monte_carlo.as_ref().unwrap())
                .chain(r.designs.iter().map(|d| d.monte_carlo.as_ref().unwrap()));
            for (s, mc) in l.series.iter().zip(mcs) {
                let curve = [&mc.exceedance.records, &mc.exceedance.exposure][pick];
                let want: Vec<(f64, f64)> = curve
                    .iter()
                    .filter(|p| p.x > 0.0)
                    .map(|p| (p.x, p.p))
                    .collect();
                assert_eq!(s.points, want);
                assert!(!s.points.is_empty());
                assert!(s
                    .points
                    .windows(2)
                    .all(|w| w[0].0 < w[1].0 && w[0].1 >= w[1].1));
            }
        }
        assert!(exceedance(&fixture::report(true, false), Measure::Records).is_none());
    }
}
