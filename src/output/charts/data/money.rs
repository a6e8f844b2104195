//! The money charts (DESIGN.md "Money"), drawn only when the model has `[money]`: the loss
//! exceedance curve of each design, per incident and per year — the FAIR chart leadership
//! knows — and each design's yearly loss avoided beside its yearly cost.

use super::{subtitle, variants, BarSeries, Bars, Chart, LineSeries, Lines, Plot, Unit};
use crate::results::RunReport;

/// Every money chart's file stem, in page order.
pub const MONEY_CHART_NAMES: [&str; 3] =
    ["loss-exceedance", "annual-loss-exceedance", "net-benefit"];

/// P(loss > x) on a log x axis, one curve per variant: of one incident, or with `annual` of a
/// year (compound Poisson years). `None` without `[money]` (or without a frequency for the
/// year).
pub fn loss_exceedance(r: &RunReport, annual: bool) -> Option<Chart> {
    let mc = r.baseline.monte_carlo.as_ref()?;
    let currency = mc.currency.clone()?;
    if annual && mc.annual_loss.is_none() {
        return None;
    }
    let series: Vec<LineSeries> = variants(r)
        .into_iter()
        .filter_map(|(name, _, mc)| {
            let e = &mc?.exceedance;
            let curve = if annual { &e.annual_loss } else { &e.loss };
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
    let (name, title, x_label, note) = if annual {
        (
            "annual-loss-exceedance",
            "Chance of losing more than x in a year".to_string(),
            format!("loss in a year, {currency}, x (log scale)"),
            format!(
                "The chance that this kind of compromise costs more than x over a year ({} incidents a year expected, each as costly as a trial): FAIR's loss exceedance curve. A curve further left or lower is a safer design.",
                r.frequency_per_year.unwrap_or(0.0)
            ),
        )
    } else {
        (
            "loss-exceedance",
            "Chance of an incident costing more than x".to_string(),
            format!("loss of one incident, {currency}, x (log scale)"),
            "The chance that one breach from these entry points costs more than x; a curve further left or lower is a safer design.".to_string(),
        )
    };
    Some(Chart {
        name,
        note,
        title,
        subtitle: subtitle(r, "loss exceedance curve"),
        plot: Plot::Lines(Lines {
            series,
            x_label,
            y_label: "probability of exceeding x".into(),
            x_unit: Unit::Count,
            y_unit: Unit::Probability,
            log_x: true,
            markers: false,
        }),
    })
}

/// Each design with a net benefit: the expected loss it avoids a year beside what it costs a
/// year (the net benefit is the difference), designs in the order of their net benefit.
pub fn net_benefit(r: &RunReport) -> Option<Chart> {
    let currency = r.baseline.deterministic.currency.clone()?;
    let mut rows: Vec<(&str, f64, f64, f64)> = r
        .designs
        .iter()
        .filter_map(|d| {
            let net = d.delta.net_benefit_per_year?;
            let avoided = -d.delta.loss?.annual_mean?;
            Some((
                d.name.as_str(),
                avoided,
                d.cost_per_year.unwrap_or(0.0),
                net,
            ))
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    rows.sort_by(|a, b| b.3.total_cmp(&a.3).then(a.0.cmp(b.0)));
    let labels = rows
        .iter()
        .map(|(name, _, _, net)| {
            let sign = if *net < 0.0 { "−" } else { "+" };
            format!("{name} (net {sign}{})", Unit::Count.label(net.abs()))
        })
        .collect();
    Some(Chart {
        name: "net-benefit",
        note: "For each design with a yearly cost: the expected loss it avoids in a year (frequency × the paired cut of the mean loss) beside that cost. The net benefit in each label is the difference; a design pays for itself when its first bar is the longer.".into(),
        title: format!("Loss avoided a year against the cost of each design, {currency}"),
        subtitle: subtitle(r, "net benefit a year"),
        plot: Plot::Bars(Bars {
            rows: labels,
            series: vec![
                BarSeries {
                    name: "loss avoided a year".into(),
                    values: rows.iter().map(|r| r.1.max(0.0)).collect(),
                    bounds: None,
                },
                BarSeries {
                    name: "cost a year".into(),
                    values: rows.iter().map(|r| r.2).collect(),
                    bounds: None,
                },
            ],
            value_label: format!("{currency} a year"),
            unit: Unit::Count,
            value_labels: false,
            log: false,
        }),
    })
}
