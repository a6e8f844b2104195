//! The table of `compare`: the baseline and every design side by side.

use std::fmt::{self, Write};

use super::written;
use crate::output::figures::{
    figure, multiple, probability, signed_figure, signed_percent, thousands,
};
use crate::results::compare::Comparison;

/// The table of `compare`.
pub fn comparison(c: &Comparison) -> String {
    written(|s| {
        writeln!(s, "Scenario   {}", c.scenario)?;
        if let Some(days) = c.horizon_days {
            writeln!(
                s,
                "Horizon    the programme taken as {} days old (--horizon-days)",
                thousands(days as u64)
            )?;
        }
        if let (Some(t), Some(seed)) = (c.trials, c.seed) {
            writeln!(
                s,
                "Monte Carlo {} trials, seed {}; changes are paired on the same draws",
                thousands(t as u64),
                seed
            )?;
        }
        writeln!(s)?;
        let w = c
            .rows
            .iter()
            .map(|r| r.design.len())
            .max()
            .unwrap_or(8)
            .max(8);
        write!(
            s,
            "  {:<w$} {:>15} {:>8} {:>15} {:>27} {:>15} {:>36}",
            "design",
            "worst case",
            "change",
            "expected",
            "95% interval",
            "p95",
            "expected change (95% CI)"
        )?;
        // Store columns as wide as their ids: an id is never cut.
        let sw: Vec<usize> = c
            .top_stores
            .iter()
            .map(|st| st.chars().count().max(6))
            .collect();
        for (st, w) in c.top_stores.iter().zip(&sw) {
            write!(s, " {st:>w$}")?;
        }
        writeln!(s)?;
        for r in &c.rows {
            let opt = |x: Option<f64>| x.map_or("—".to_string(), |v| figure(v.round()));
            let interval = r.expected_exposure_ci95.map_or("—".to_string(), |[a, b]| {
                format!("{} … {}", figure(a.max(0.0).round()), figure(b.round()))
            });
            let change = r.expected_change.map_or(String::new(), |d| {
                format!(
                    "{} ({} … {})",
                    signed_percent(d.percent),
                    signed_figure(d.ci95[0]),
                    signed_figure(d.ci95[1])
                )
            });
            write!(
                s,
                "  {:<w$} {:>15} {:>8} {:>15} {:>27} {:>15} {:>36}",
                r.design,
                figure(r.worst_case_exposure),
                signed_percent(r.worst_case_change_percent),
                opt(r.expected_exposure),
                interval,
                opt(r.p95_exposure),
                change
            )?;
            for (st, w) in c.top_stores.iter().zip(&sw) {
                let p = r.breach_probability.get(st).copied().unwrap_or(0.0);
                write!(s, " {:>w$}", probability(p))?;
            }
            writeln!(s)?;
        }
        if !c.top_stores.is_empty() {
            writeln!(s)?;
            writeln!(
                s,
                "  Last columns: breach probability of the baseline's most breached stores."
            )?;
        }
        if let Some(cur) = &c.currency {
            money(s, c, cur, w)?;
        }
        Ok(())
    })
}

/// The money block: each row's loss, the loss a year, and each design's cost, net benefit a
/// year and return on the control.
fn money(s: &mut String, c: &Comparison, cur: &str, w: usize) -> fmt::Result {
    writeln!(s)?;
    writeln!(s, "  Loss in {cur} (expected: the Monte Carlo mean; a year: frequency × the mean; net benefit: a year's loss avoided − cost)")?;
    writeln!(
        s,
        "  {:<w$} {:>16} {:>16} {:>33} {:>14} {:>14} {:>16} {:>8}",
        "design",
        "worst case",
        "expected",
        "95% interval",
        "a year",
        "cost a year",
        "net benefit/yr",
        "return"
    )?;
    let opt = |x: Option<f64>| x.map_or("—".to_string(), |v| figure(v.max(0.0).round()));
    for r in &c.rows {
        let Some(m) = &r.money else { continue };
        let interval = m.expected_loss_ci95.map_or("—".to_string(), |[a, b]| {
            format!("{} … {}", figure(a.max(0.0).round()), figure(b.round()))
        });
        writeln!(
            s,
            "  {:<w$} {:>16} {:>16} {:>33} {:>14} {:>14} {:>16} {:>8}",
            r.design,
            figure(m.worst_case_loss.round()),
            opt(m.expected_loss),
            interval,
            opt(m.annual_loss),
            opt(m.cost_per_year),
            m.net_benefit_per_year
                .map_or("—".to_string(), signed_figure),
            m.return_on_control.map_or("—".to_string(), multiple)
        )?;
    }
    Ok(())
}
