//! Records leaked against attacker dwell time, up to where the curves settle.

use super::{subtitle, variants, Chart, LineSeries, Lines, Plot, Unit};
use crate::output::figures::figure;
use crate::results::RunReport;

/// The first day from which every curve stays within 1% of its last value.
pub fn plateau_day(series: &[LineSeries]) -> f64 {
    series
        .iter()
        .filter_map(|s| {
            let last = s.points.last()?.1;
            let tolerance = 0.01 * last.abs();
            let settled = s
                .points
                .iter()
                .rposition(|p| (p.1 - last).abs() > tolerance)
                .map_or(0, |i| i + 1);
            Some(s.points[settled.min(s.points.len() - 1)].0)
        })
        .fold(0.0, f64::max)
}

/// Mean records leaked if the attacker is detected at day d, one line per variant with a
/// time model. The x axis ends at twice the day the curves settle (at least a week), so the
/// days where exposure grows are not squeezed against the axis by a year of flat line.
pub fn dwell(r: &RunReport) -> Option<Chart> {
    r.baseline.monte_carlo.as_ref()?.time_model.as_ref()?;
    let mut series: Vec<LineSeries> = variants(r)
        .into_iter()
        .filter_map(|(name, _, mc)| {
            let tm = mc?.time_model.as_ref()?;
            Some(LineSeries {
                name: name.to_string(),
                points: tm.dwell.iter().map(|d| (d.days, d.records_mean)).collect(),
            })
        })
        .collect();
    let last_day = series
        .iter()
        .filter_map(|s| s.points.last())
        .map(|p| p.0)
        .fold(0.0, f64::max);
    let settled = plateau_day(&series);
    let end = (2.0 * settled).max(7.0).min(last_day);
    for s in &mut series {
        s.points.retain(|p| p.0 <= end);
    }
    let what = if end < last_day {
        format!(
            "mean if detected on day d; flat (within 1%) after day {}",
            figure(settled)
        )
    } else {
        "mean over trials, if detected on day d".to_string()
    };
    Some(Chart {
        name: "records-vs-dwell",
        note: "How many records an attacker holds if caught on day d: faster detection moves a breach left along these curves, and a design that lowers a curve cuts exposure at every dwell time.".into(),
        title: "Records leaked against attacker dwell time".into(),
        subtitle: subtitle(r, &what),
        plot: Plot::Lines(Lines {
            series,
            x_label: "attacker dwell time before detection, d (days)".into(),
            y_label: "records leaked (mean)".into(),
            x_unit: Unit::Days,
            y_unit: Unit::Count,
            log_x: false,
            markers: true,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::output::charts::fixture;

    #[test]
    fn dwell_lines_follow_the_time_model_up_to_twice_the_settling_day() {
        let r = fixture::report(false, true);
        let c = dwell(&r).unwrap();
        let l = lines(&c);
        let tm = r
            .baseline
            .monte_carlo
            .as_ref()
            .unwrap()
            .time_model
            .as_ref()
            .unwrap();
        let all: Vec<(f64, f64)> = tm.dwell.iter().map(|d| (d.days, d.records_mean)).collect();
        let base = &l.series[0];
        assert_eq!(base.points[..], all[..base.points.len()]);
        let end = base.points.last().unwrap().0;
        let settled = plateau_day(&[LineSeries {
            name: "all".into(),
            points: all.clone(),
        }]);
        assert!(end >= 7.0 && end >= 2.0 * settled.min(all.last().unwrap().0 / 2.0));
        assert!(dwell(&fixture::report(false, false)).is_none());
    }

    #[test]
    fn plateau_is_where_the_curve_stays_within_one_percent() {
        let s = LineSeries {
            name: "x".into(),
            points: vec![
                (0.0, 0.0),
                (1.0, 50.0),
                (2.0, 99.5),
                (3.0, 100.0),
                (5.0, 100.0),
            ],
        };
        assert_eq!(plateau_day(&[s]), 2.0);
    }
}
