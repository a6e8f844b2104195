//! What each chart shows, as plain series taken from the result structs: no drawing here, so
//! the figures can be checked against the result in tests. Every function reads only
//! [`ReportData`] (a run's result and the riskiest ranking), never the engine, so a saved
//! JSON result draws the same charts.

use std::collections::BTreeMap;

use crate::output::figure;
use crate::results::compare::Comparison;
use crate::results::monte_carlo::{CurvePoint, MonteCarlo};
use crate::results::report::ReportData;
use crate::results::sweep::SweepReport;
use crate::results::{Deterministic, RunReport};

/// The name of the baseline series.
pub const BASELINE: &str = "baseline";
/// Above this many categories the categories chart rolls them up to two levels.
pub const MAX_CATEGORIES: usize = 10;
/// Stores in the breach probability chart.
pub const TOP_STORES: usize = 8;
/// Identities in the riskiest identities chart.
pub const TOP_IDENTITIES: usize = 15;

/// Every chart's file stem, in page order.
pub const CHART_NAMES: [&str; 8] = [
    "design-comparison",
    "records-by-category",
    "records-exceedance",
    "exposure-exceedance",
    "records-vs-dwell",
    "store-breach-probability",
    "people-affected",
    "riskiest-identities",
];

/// How a value axis reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A count or an exposure: whole figures with thousands separators.
    Count,
    /// A probability from 0 to 1, shown as a percentage.
    Probability,
    /// Days.
    Days,
}

impl Unit {
    /// A tick or value label.
    pub fn label(self, v: f64) -> String {
        match self {
            Unit::Count => figure(v.max(0.0).round()),
            Unit::Probability => {
                let pct = 100.0 * v;
                if pct != 0.0 && pct.abs() < 1.0 {
                    format!("{pct:.1}%")
                } else {
                    format!("{pct:.0}%")
                }
            }
            Unit::Days => figure(v.max(0.0)),
        }
    }
}

/// One named series of bars, one value per row, with optional low–high bounds per row.
#[derive(Debug, Clone, PartialEq)]
pub struct BarSeries {
    pub name: String,
    pub values: Vec<f64>,
    pub bounds: Option<Vec<(f64, f64)>>,
}

/// Horizontal bars: one row per label, one bar per series in each row.
#[derive(Debug, Clone, PartialEq)]
pub struct Bars {
    pub rows: Vec<String>,
    pub series: Vec<BarSeries>,
    pub value_label: String,
    pub unit: Unit,
    /// Print each bar's value at its end (for charts with one series).
    pub value_labels: bool,
}

/// One named line of (x, y) points.
#[derive(Debug, Clone, PartialEq)]
pub struct LineSeries {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

/// Lines over a shared x axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Lines {
    pub series: Vec<LineSeries>,
    pub x_label: String,
    pub y_label: String,
    pub x_unit: Unit,
    pub y_unit: Unit,
    pub log_x: bool,
    /// Mark each point (for curves of a few points).
    pub markers: bool,
}

/// What a chart plots.
#[derive(Debug, Clone, PartialEq)]
pub enum Plot {
    Bars(Bars),
    Lines(Lines),
}

/// A chart: file name, title, a one-line subtitle and what it plots.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// File stem: `records-by-category` gives `records-by-category.svg` and `.png`.
    pub name: &'static str,
    pub title: String,
    pub subtitle: String,
    /// How to read it, in a sentence, for the page.
    pub note: String,
    pub plot: Plot,
}

/// A chart the data cannot support, and why (said in the report instead of the chart).
#[derive(Debug, Clone, PartialEq)]
pub struct Missing {
    pub name: &'static str,
    pub title: String,
    pub reason: String,
}

/// The charts of a report, in page order, and those left out with their reasons.
pub fn charts(data: &ReportData) -> (Vec<Chart>, Vec<Missing>) {
    let r = &data.run;
    let no_mc = "Monte Carlo was not run (worst case only)";
    let candidates: Vec<Result<Chart, Missing>> = vec![
        design_comparison(r).ok_or_else(|| missing("design-comparison", "Design comparison", "the scenario declares no designs")),
        records_by_category(r).ok_or_else(|| missing("records-by-category", "Records exposed by category", "no records leak in the worst case")),
        exceedance(r, Measure::Records).ok_or_else(|| missing("records-exceedance", "Records exceedance curve", no_mc)),
        exceedance(r, Measure::Exposure).ok_or_else(|| missing("exposure-exceedance", "Exposure exceedance curve", no_mc)),
        dwell(r).ok_or_else(|| missing("records-vs-dwell", "Records leaked against attacker dwell time", "the scenario has no detection setting (`[simulation.detection]`), so there is no time model")),
        breach_probability(r).ok_or_else(|| missing("store-breach-probability", "Breach probability of the most exposed stores", no_mc)),
        people_affected(r).ok_or_else(|| missing("people-affected", "People affected", "the model declares no populations (`[populations]` with `subjects` on record sets)")),
        data.riskiest.as_ref().and_then(riskiest).ok_or_else(|| missing("riskiest-identities", "Riskiest identities", "no sweep of accounts in this result")),
    ];
    let mut shown = Vec::new();
    let mut left_out = Vec::new();
    for c in candidates {
        match c {
            Ok(c) => shown.push(c),
            Err(m) => left_out.push(m),
        }
    }
    (shown, left_out)
}

fn missing(name: &'static str, title: &str, reason: &str) -> Missing {
    Missing {
        name,
        title: title.to_string(),
        reason: reason.to_string(),
    }
}

/// `Phished manager · 10,000 trials · seed 7`.
fn subtitle(r: &RunReport, what: &str) -> String {
    let mut s = format!("{} · {what}", r.scenario);
    if what.starts_with("worst case") {
        return s;
    }
    if let Some(mc) = &r.baseline.monte_carlo {
        s.push_str(&format!(
            " · {} trials · seed {}",
            figure(mc.trials as f64),
            mc.seed
        ));
    }
    s
}

/// The baseline and every design, as (name, worst case, Monte Carlo).
fn variants(r: &RunReport) -> Vec<(&str, &Deterministic, Option<&MonteCarlo>)> {
    let mut v = vec![(
        BASELINE,
        &r.baseline.deterministic,
        r.baseline.monte_carlo.as_ref(),
    )];
    for d in &r.designs {
        v.push((d.name.as_str(), &d.deterministic, d.monte_carlo.as_ref()));
    }
    v
}

/// `user.location.precise` rolled up to `depth` levels: `user.location`.
pub fn roll_up(category: &str, depth: usize) -> &str {
    match category.match_indices('.').nth(depth.saturating_sub(1)) {
        Some((i, _)) => &category[..i],
        None => category,
    }
}

/// Worst-case deduplicated records per category, baseline beside each design; rows sorted by
/// the baseline's records, largest first. Categories are rolled up to two levels when there
/// are more than [`MAX_CATEGORIES`].
pub fn records_by_category(r: &RunReport) -> Option<Chart> {
    let vars = variants(r);
    let all: std::collections::BTreeSet<&str> = vars
        .iter()
        .flat_map(|(_, d, _)| d.records_by_category.keys().map(String::as_str))
        .collect();
    if all.is_empty() {
        return None;
    }
    let rolled = all.len() > MAX_CATEGORIES;
    let key = |c: &str| -> String {
        if rolled {
            roll_up(c, 2).to_string()
        } else {
            c.to_string()
        }
    };
    let sums: Vec<BTreeMap<String, f64>> = vars
        .iter()
        .map(|(_, d, _)| {
            let mut m = BTreeMap::new();
            for (c, &n) in &d.records_by_category {
                *m.entry(key(c)).or_insert(0.0) += n as f64;
            }
            m
        })
        .collect();
    let mut rows: Vec<String> = all
        .iter()
        .map(|c| key(c))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let base = |c: &String| sums[0].get(c).copied().unwrap_or(0.0);
    rows.sort_by(|a, b| base(b).total_cmp(&base(a)).then(a.cmp(b)));
    let series = vars
        .iter()
        .zip(&sums)
        .map(|((name, _, _), m)| BarSeries {
            name: name.to_string(),
            values: rows
                .iter()
                .map(|c| m.get(c).copied().unwrap_or(0.0))
                .collect(),
            bounds: None,
        })
        .collect();
    Some(Chart {
        name: "records-by-category",
        note: "Records of each category that leak when every attack step succeeds, each record counted once however many stores hold a copy; a shorter bar under a design is what that design takes off the table.".into(),
        title: "Records exposed by category".into(),
        subtitle: subtitle(
            r,
            if rolled {
                "worst case, each record counted once, categories rolled up to two levels"
            } else {
                "worst case, each record counted once"
            },
        ),
        plot: Plot::Bars(Bars {
            rows,
            series,
            value_label: "records exposed (worst case)".into(),
            unit: Unit::Count,
            value_labels: true,
        }),
    })
}

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
    let change = |row: &crate::results::compare::ComparisonRow| -> f64 {
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
    let value = |row: &crate::results::compare::ComparisonRow| -> f64 {
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
        }),
    })
}

/// `−42%`, `+3%`, `0%` (a real minus sign).
pub fn signed_percent(p: f64) -> String {
    let r = p.round();
    if r == 0.0 {
        if p == 0.0 {
            "0%".into()
        } else if p < 0.0 {
            "−<1%".into()
        } else {
            "+<1%".into()
        }
    } else if r < 0.0 {
        format!("−{}%", figure(-r))
    } else {
        format!("+{}%", figure(r))
    }
}

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
        }),
    })
}

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
        }),
    })
}

/// The accounts with the largest worst-case exposure when each is the sole compromised node.
pub fn riskiest(s: &SweepReport) -> Option<Chart> {
    let top: Vec<_> = s.entries.iter().take(TOP_IDENTITIES).collect();
    if top.is_empty() {
        return None;
    }
    Some(Chart {
        name: "riskiest-identities",
        note: "Every account compromised on its own, worst case: the accounts whose compromise would expose the most, whatever this scenario’s entry points are.".into(),
        title: format!("Riskiest identities: top {} {}s", top.len(), s.kind),
        subtitle: format!(
            "{} · each of {} {}s compromised alone, worst case",
            s.model,
            figure(s.swept as f64),
            s.kind
        ),
        plot: Plot::Bars(Bars {
            rows: top.iter().map(|e| e.id.clone()).collect(),
            series: vec![BarSeries {
                name: "worst-case exposure".into(),
                values: top.iter().map(|e| e.exposure).collect(),
                bounds: None,
            }],
            value_label: "worst-case exposure (records × sensitivity weight)".into(),
            unit: Unit::Count,
            value_labels: true,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    fn bars(c: &Chart) -> &Bars {
        match &c.plot {
            Plot::Bars(b) => b,
            Plot::Lines(_) => panic!("{} is not a bar chart", c.name),
        }
    }

    fn lines(c: &Chart) -> &Lines {
        match &c.plot {
            Plot::Lines(l) => l,
            Plot::Bars(_) => panic!("{} is not a line chart", c.name),
        }
    }

    #[test]
    fn categories_are_the_worst_case_records_largest_first() {
        let r = fixture::report(false, true);
        let c = records_by_category(&r).unwrap();
        let b = bars(&c);
        let base = &r.baseline.deterministic.records_by_category;
        assert_eq!(b.rows.len(), base.len());
        assert_eq!(b.rows[0], "user.location");
        assert_eq!(b.series.len(), 1 + r.designs.len());
        assert_eq!(b.series[0].name, BASELINE);
        for (i, row) in b.rows.iter().enumerate() {
            assert_eq!(b.series[0].values[i], base[row] as f64);
            let design = &r.designs[0].deterministic.records_by_category;
            assert_eq!(
                b.series[1].values[i],
                design.get(row).copied().unwrap_or(0) as f64
            );
        }
        // 30 days of badge logs instead of 365.
        assert_eq!(b.series[0].values[0], 36_500.0);
        assert_eq!(b.series[1].values[0], 3_000.0);
    }

    #[test]
    fn many_categories_roll_up_to_two_levels() {
        assert_eq!(roll_up("user.location.precise", 2), "user.location");
        assert_eq!(roll_up("user.location", 2), "user.location");
        assert_eq!(roll_up("user", 2), "user");
        let mut r = fixture::report(true, false);
        r.designs.clear();
        let d = &mut r.baseline.deterministic;
        d.records_by_category.clear();
        for i in 0..=MAX_CATEGORIES {
            d.records_by_category.insert(format!("user.thing.k{i}"), 10);
        }
        d.records_by_category.insert("user.other".into(), 5);
        let c = records_by_category(&r).unwrap();
        let b = bars(&c);
        assert_eq!(b.rows, ["user.thing", "user.other"]);
        assert_eq!(
            b.series[0].values,
            [10.0 * (MAX_CATEGORIES + 1) as f64, 5.0]
        );
    }

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

    #[test]
    fn riskiest_ranks_the_sweep_entries() {
        let s = fixture::sweep();
        let c = riskiest(&s).unwrap();
        let b = bars(&c);
        let ids: Vec<&str> = s.entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(b.rows, ids);
        assert_eq!(
            b.series[0].values,
            s.entries.iter().map(|e| e.exposure).collect::<Vec<_>>()
        );
        assert_eq!(b.rows[0], "alice-u");
    }

    #[test]
    fn charts_left_out_say_why() {
        let data = ReportData::of_run(fixture::report(true, false));
        let (shown, missing) = charts(&data);
        let names: Vec<&str> = shown.iter().map(|c| c.name).collect();
        assert_eq!(
            names,
            [
                "design-comparison",
                "records-by-category",
                "people-affected"
            ]
        );
        assert_eq!(missing.len(), CHART_NAMES.len() - shown.len());
        assert!(missing.iter().all(|m| !m.reason.is_empty()));
        let (all, none) = charts(&fixture::data());
        assert_eq!(all.iter().map(|c| c.name).collect::<Vec<_>>(), CHART_NAMES);
        assert!(none.is_empty());
    }

    #[test]
    fn labels_read_as_people_write_them() {
        assert_eq!(Unit::Count.label(1_234_567.4), "1,234,567");
        assert_eq!(Unit::Probability.label(0.5), "50%");
        assert_eq!(Unit::Probability.label(0.004), "0.4%");
        assert_eq!(Unit::Days.label(14.0), "14");
        assert_eq!(signed_percent(-41.6), "−42%");
        assert_eq!(signed_percent(3.2), "+3%");
        assert_eq!(signed_percent(0.0), "0%");
        assert_eq!(signed_percent(-0.2), "−<1%");
    }
}
