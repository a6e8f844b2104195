//! The Monte Carlo section of a `run` table: the summary statistics, records by category, the
//! stores most often breached with their most likely paths, people affected, and the dwell
//! curve of a time model.

use std::collections::BTreeMap;
use std::fmt::{self, Write};

use super::{name_width, path_line, path_to, written, TABLE_ROWS};
use crate::output::figures::{figure, money, probability, thousands};
use crate::results::monte_carlo::{MonteCarlo, Stats};

/// The Monte Carlo section of a `run` table; `entry` holds each entry point's probability under
/// the scenario's vector (empty without one).
pub fn monte_carlo(mc: &MonteCarlo, entry: &BTreeMap<String, f64>) -> String {
    written(|s| {
        summary(s, mc)?;
        categories(s, mc)?;
        breaches(s, mc, entry)?;
        people_affected(s, mc)?;
        time_model(s, mc)?;
        Ok(())
    })
}

fn stats_line(label: &str, s: &Stats) -> String {
    format!(
        "  {label:<18} {:>16} {:>16} … {:<16} {:>16} {:>16} {:>16}",
        figure(s.mean.round()),
        figure(s.ci95[0].max(0.0).round()),
        figure(s.ci95[1].round()),
        figure(s.p50.round()),
        figure(s.p95.round()),
        figure(s.p99.round())
    )
}

/// The heading, exposure and records statistics, and the chance that anything leaks.
fn summary(s: &mut String, mc: &MonteCarlo) -> fmt::Result {
    writeln!(
        s,
        "MONTE CARLO ({} trials, seed {}; each step succeeds with its probability)",
        thousands(mc.trials as u64),
        mc.seed
    )?;
    writeln!(s)?;
    writeln!(
        s,
        "  {:<18} {:>16} {:>35} {:>16} {:>16} {:>16}",
        "", "mean", "95% interval of the mean", "p50", "p95", "p99"
    )?;
    writeln!(s, "{}", stats_line("exposure", &mc.exposure))?;
    writeln!(s, "{}", stats_line("records", &mc.records))?;
    if let (Some(loss), Some(currency)) = (&mc.loss, &mc.currency) {
        writeln!(s, "{}", stats_line(&format!("loss ({currency})"), loss))?;
    }
    if let Some(first) = mc.exceedance.records.first() {
        writeln!(s, "  P(any record leaks) = {}", probability(first.p))?;
    }
    if let (Some(a), Some(currency)) = (&mc.annual_loss, &mc.currency) {
        writeln!(
            s,
            "  Loss in a year (incidents ~ Poisson(frequency), each a trial): mean {}, p90 {}, p95 {}, p99 {}",
            money(a.mean, currency),
            money(a.p90, currency),
            money(a.p95, currency),
            money(a.p99, currency)
        )?;
    }
    writeln!(s)?;
    Ok(())
}

/// Mean and p95 records by category.
fn categories(s: &mut String, mc: &MonteCarlo) -> fmt::Result {
    if mc.records_by_category.is_empty() {
        return Ok(());
    }
    let w = name_width(mc.records_by_category.keys());
    writeln!(
        s,
        "  {:<w$} {:>16} {:>16}",
        "category", "mean records", "p95"
    )?;
    for (c, v) in &mc.records_by_category {
        writeln!(
            s,
            "  {c:<w$} {:>16} {:>16}",
            figure(v.mean.round()),
            figure(v.p95.round())
        )?;
    }
    writeln!(s)?;
    Ok(())
}

/// The stores breached in some trial, most often first, each with its most likely path (with a
/// vector, the likeliest counting its entry point's probability, which the line then shows).
fn breaches(s: &mut String, mc: &MonteCarlo, entry: &BTreeMap<String, f64>) -> fmt::Result {
    let mut breached: Vec<(&String, &f64)> = mc
        .store_breach_probability
        .iter()
        .filter(|(_, p)| **p > 0.0)
        .collect();
    breached.sort_by(|a, b| b.1.total_cmp(a.1).then(a.0.cmp(b.0)));
    if breached.is_empty() {
        writeln!(s, "  No store was breached in any trial.")?;
        return Ok(());
    }
    let more = breached.len().saturating_sub(TABLE_ROWS);
    if more > 0 {
        // Say how the cut falls when it falls between stores breached equally often.
        let tie = breached[TABLE_ROWS - 1].1 == breached[TABLE_ROWS].1;
        writeln!(
            s,
            "  Breach probability, and the most likely path to each store: the {TABLE_ROWS} most often breached of {}{}",
            thousands(breached.len() as u64),
            if tie { " (equal ones in id order)" } else { "" }
        )?;
    } else {
        writeln!(
            s,
            "  Breach probability, and the most likely path to each store"
        )?;
    }
    for (store, p) in breached.into_iter().take(TABLE_ROWS) {
        writeln!(s, "  {:>7}  {store}", probability(*p))?;
        if let Some(path) = path_to(&mc.most_likely_paths, store) {
            let taken = path.steps.first().and_then(|f| entry.get(&f.from));
            match taken {
                Some(&p) => writeln!(
                    s,
                    "           {} (entry {}, then all open: {})",
                    path_line(path),
                    probability(p),
                    probability(path.probability)
                )?,
                None => writeln!(
                    s,
                    "           {} (all open: {})",
                    path_line(path),
                    probability(path.probability)
                )?,
            }
        }
    }
    if more > 0 {
        writeln!(
            s,
            "  … and {} more (--format json lists every one)",
            thousands(more as u64)
        )?;
    }
    Ok(())
}

/// People affected by population, and those to notify by regime.
fn people_affected(s: &mut String, mc: &MonteCarlo) -> fmt::Result {
    if mc.people_affected.is_empty() {
        return Ok(());
    }
    writeln!(s)?;
    writeln!(s, "  People affected (mean, p95)")?;
    for (pop, v) in &mc.people_affected {
        writeln!(
            s,
            "    {pop:<16} {:>10} {:>10}",
            figure(v.mean.round()),
            figure(v.p95.round())
        )?;
    }
    if !mc.notifiable.is_empty() {
        writeln!(s, "  Notifiable people (mean, p95, P(any notifiable leak))")?;
        for (regime, pops) in &mc.notifiable {
            for (pop, v) in pops {
                writeln!(
                    s,
                    "    {regime:<20} {pop:<14} {:>10} {:>10} {:>8.3}",
                    figure(v.mean.round()),
                    figure(v.p95.round()),
                    v.p_any
                )?;
            }
        }
    }
    Ok(())
}

/// The time model and the records leaked if the attacker is detected at each day.
fn time_model(s: &mut String, mc: &MonteCarlo) -> fmt::Result {
    let Some(tm) = &mc.time_model else {
        return Ok(());
    };
    writeln!(s)?;
    writeln!(
        s,
        "  Time model: detection {} with mean {} days (mean detection day {}); edge times {}",
        tm.detection_distribution,
        figure(tm.detection_mean_days),
        figure(tm.detection_days.mean),
        tm.edge_time_distribution
    )?;
    writeln!(
        s,
        "  Records leaked if the attacker is detected at day d (mean)"
    )?;
    for p in &tm.dwell {
        writeln!(
            s,
            "    d = {:>5}  {:>16} records  {:>18} exposure",
            figure(p.days),
            figure(p.records_mean.round()),
            figure(p.exposure_mean.round())
        )?;
    }
    Ok(())
}
