//! What each chart shows, as plain series taken from the result structs: no drawing here, so
//! the figures can be checked against the result in tests. Every function reads only
//! [`ReportData`] (a run's result and the riskiest ranking), never the engine, so a saved
//! JSON result draws the same charts. One file per chart; this one holds the shapes they share
//! (bars, lines, units) and [`charts`], which lists them in page order.

use crate::output::figures::figure;
use crate::results::monte_carlo::MonteCarlo;
use crate::results::report::ReportData;
use crate::results::{Deterministic, RunReport};

mod breaches;
mod categories;
mod comparison;
mod dwell;
mod exceedance;
mod money;
mod people;
mod riskiest;

pub use breaches::breach_probability;
pub use categories::{records_by_category, roll_up};
pub use comparison::design_comparison;
pub use dwell::{dwell, plateau_day};
pub use exceedance::{exceedance, Measure};
pub use money::{loss_exceedance, net_benefit, MONEY_CHART_NAMES};
pub use people::people_affected;
pub use riskiest::riskiest;

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
    /// A logarithmic value axis, for values that span orders of magnitude (a bar of 4,200
    /// beside one of 7,650,000 would otherwise be an invisible sliver).
    pub log: bool,
}

/// Whether positive values span at least two orders of magnitude: then a linear axis hides
/// the small ones, and a bar chart of them gets a log axis.
pub fn spans_orders_of_magnitude(values: impl IntoIterator<Item = f64>) -> bool {
    let (lo, hi) = values
        .into_iter()
        .filter(|v| *v > 0.0)
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    lo.is_finite() && hi / lo >= 100.0
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
    // The money charts come after the design comparison, and only with `[money]`: a model
    // without it has no loss to chart and its page stays as it was.
    let money = [
        loss_exceedance(r, false),
        loss_exceedance(r, true),
        net_benefit(r),
    ];
    let mut candidates = candidates.into_iter();
    if let Some(first) = candidates.next() {
        match first {
            Ok(c) => shown.push(c),
            Err(m) => left_out.push(m),
        }
    }
    shown.extend(money.into_iter().flatten());
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

#[cfg(test)]
mod test_support {
    use super::*;

    pub fn bars(c: &Chart) -> &Bars {
        match &c.plot {
            Plot::Bars(b) => b,
            Plot::Lines(_) => panic!("{} is not a bar chart", c.name),
        }
    }

    pub fn lines(c: &Chart) -> &Lines {
        match &c.plot {
            Plot::Lines(l) => l,
            Plot::Bars(_) => panic!("{} is not a line chart", c.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

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
    }
}
