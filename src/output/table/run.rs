//! The table of a `run`: the scenario, the worst case section by section (what the attacker
//! controls, the leaked stores, records by category, people affected, the attack paths), then
//! the Monte Carlo and designs sections. Long lists show their first (or largest) entries and
//! say how many more there are: a large organisation's worst case reaches tens of thousands of
//! nodes.

use std::collections::BTreeMap;
use std::fmt::{self, Write};

use super::{
    monte_carlo, name_width, path_line, path_to, wrap_some_ids, written, TABLE_IDS, TABLE_ROWS,
};
use crate::output::figures::{
    figure, money, multiple, probability, signed_count, signed_figure, signed_money,
    signed_percent, thousands,
};
use crate::results::{DesignResult, Deterministic, PathReport, RunReport};

/// The table of a `run`.
pub fn run(r: &RunReport) -> String {
    written(|s| {
        let d = &r.baseline.deterministic;
        header(s, r)?;
        controlled(s, d)?;
        let shown_stores = leaked_stores(s, d)?;
        tampered(s, d)?;
        writeln!(s)?;
        records_by_category(s, r, d)?;
        people_affected(s, d)?;
        attack_paths(s, d, &shown_stores)?;
        if let Some(mc) = &r.baseline.monte_carlo {
            writeln!(s)?;
            s.push_str(&monte_carlo(mc, &r.entry_probabilities));
        }
        if !r.designs.is_empty() {
            writeln!(s)?;
            s.push_str(&designs(r));
        }
        Ok(())
    })
}

/// The scenario, its model and its entry points.
fn header(s: &mut String, r: &RunReport) -> fmt::Result {
    writeln!(s, "Scenario   {}", r.scenario)?;
    if let Some(desc) = &r.description {
        writeln!(s, "           {desc}")?;
    }
    writeln!(
        s,
        "Model      {} ({}; {} nodes, {} attack edges)",
        r.model.name,
        r.model.path,
        thousands(r.model.nodes as u64),
        thousands(r.model.edges as u64)
    )?;
    writeln!(s, "Entry      {}", r.entry_points.join(", "))?;
    if let Some(v) = &r.vector {
        // Accounts grouped by their entry probability, likeliest first.
        let mut by_p: Vec<(f64, Vec<&str>)> = Vec::new();
        for (id, &p) in &r.entry_probabilities {
            match by_p.iter_mut().find(|(q, _)| *q == p) {
                Some((_, ids)) => ids.push(id),
                None => by_p.push((p, vec![id])),
            }
        }
        by_p.sort_by(|a, b| b.0.total_cmp(&a.0));
        let groups: Vec<String> = by_p
            .iter()
            .map(|(p, ids)| format!("{} {}", probability(*p), ids.join(", ")))
            .collect();
        writeln!(
            s,
            "Vector     {v}: Monte Carlo takes each entry point with its probability (the worst case takes all): {}",
            if groups.is_empty() { "none can be taken".to_string() } else { groups.join("; ") }
        )?;
    }
    if let Some(f) = r.frequency_per_year {
        writeln!(s, "Frequency  {} incidents a year{}", f, every(f))?;
    }
    if let Some(days) = r.horizon_days {
        writeln!(
            s,
            "Horizon    the programme taken as {} days old (--horizon-days)",
            thousands(days as u64)
        )?;
    }
    writeln!(s)?;
    Ok(())
}

/// How often a frequency means, in words: "(about 1 every 5 years)".
pub fn every(f: f64) -> String {
    if f > 0.0 && f < 1.0 {
        format!(" (about 1 every {} years)", figure((1.0 / f).round()))
    } else {
        String::new()
    }
}

/// The worst case's heading and the nodes the attacker controls, by kind.
fn controlled(s: &mut String, d: &Deterministic) -> fmt::Result {
    writeln!(s, "WORST CASE (every attack step with p > 0 succeeds)")?;
    writeln!(s)?;
    writeln!(s, "Attacker controls {} nodes", d.compromised.total())?;
    for (kind, ids) in d.compromised.lists() {
        if ids.is_empty() {
            continue;
        }
        let label = format!("  {:<8} {:>4}  ", kind.as_str(), ids.len());
        writeln!(
            s,
            "{label}{}",
            wrap_some_ids(ids, label.chars().count(), 100)
        )?;
    }
    writeln!(s)?;
    Ok(())
}

/// The leaked stores and what each holds (every one unless there are many); returns the
/// stores shown, for their paths.
fn leaked_stores<'a>(s: &mut String, d: &'a Deterministic) -> Result<Vec<&'a str>, fmt::Error> {
    if d.leaked_stores.is_empty() {
        writeln!(s, "No store leaks.")?;
        return Ok(Vec::new());
    }
    let mut shown: Vec<(&String, &BTreeMap<String, u64>, u64)> = d
        .store_records
        .iter()
        .map(|(store, cats)| (store, cats, cats.values().sum()))
        .collect();
    if shown.len() > TABLE_ROWS {
        shown.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(b.0)));
        let tie = shown[TABLE_ROWS - 1].2 == shown[TABLE_ROWS].2;
        shown.truncate(TABLE_ROWS);
        writeln!(
            s,
            "Leaked stores ({}); the {TABLE_ROWS} holding the most records{}, what each holds on its own",
            thousands(d.leaked_stores.len() as u64),
            if tie { " (equal ones in id order)" } else { "" }
        )?;
    } else {
        writeln!(
            s,
            "Leaked stores ({}), what each holds on its own",
            d.leaked_stores.len()
        )?;
    }
    let cat_width = d
        .store_records
        .values()
        .flat_map(|c| c.keys())
        .map(|c| c.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let name_width = d
        .store_records
        .keys()
        .map(|k| k.len())
        .max()
        .unwrap_or(8)
        .max(cat_width + 4);
    for (store, cats, total) in &shown {
        writeln!(s, "  {store:<name_width$} {:>16}", thousands(*total))?;
        for (cat, n) in *cats {
            let inner = name_width - 4;
            writeln!(s, "      {cat:<inner$} {:>16}", thousands(*n))?;
        }
    }
    if d.store_records.len() > shown.len() {
        writeln!(
            s,
            "  … and {} more (--format json or csv lists every one)",
            thousands((d.store_records.len() - shown.len()) as u64)
        )?;
    }
    Ok(shown.iter().map(|(store, _, _)| store.as_str()).collect())
}

/// The stores exposed to tampering, if any.
fn tampered(s: &mut String, d: &Deterministic) -> fmt::Result {
    if d.tampered_stores.is_empty() {
        return Ok(());
    }
    if d.tampered_stores.len() <= TABLE_IDS {
        writeln!(
            s,
            "Exposed to tampering (write or admin access): {}",
            d.tampered_stores.join(", ")
        )?;
    } else {
        writeln!(
            s,
            "Exposed to tampering (write or admin access): {} stores\n  {}",
            thousands(d.tampered_stores.len() as u64),
            wrap_some_ids(&d.tampered_stores, 2, 100)
        )?;
    }
    Ok(())
}

/// Records and exposure by category, then the totals.
fn records_by_category(s: &mut String, r: &RunReport, d: &Deterministic) -> fmt::Result {
    if !d.records_by_category.is_empty() {
        writeln!(s, "Records leaked, each counted once across flow copies")?;
        let w = name_width(d.records_by_category.keys());
        writeln!(
            s,
            "  {:<w$} {:>16} {:>7} {:>18}",
            "category", "records", "weight", "exposure"
        )?;
        for (cat, n) in &d.records_by_category {
            let weight = r.weights.get(cat).copied().unwrap_or(1.0);
            let exposure = d.exposure_by_category.get(cat).map_or(0.0, |x| x.0);
            writeln!(
                s,
                "  {cat:<w$} {:>16} {:>7} {:>18}",
                thousands(*n),
                figure(weight),
                figure(exposure)
            )?;
        }
        writeln!(
            s,
            "  {:<w$} {:>16} {:>7} {:>18}",
            "total",
            thousands(d.records_total),
            "",
            figure(d.exposure.0)
        )?;
        writeln!(s)?;
    }
    writeln!(s, "Weighted exposure  {}", figure(d.exposure.0))?;
    writeln!(s, "Records leaked     {}", thousands(d.records_total))?;
    if let (Some(loss), Some(currency)) = (d.loss, &d.currency) {
        writeln!(s, "Loss               {}", money(loss, currency))?;
    }
    Ok(())
}

/// People affected by population, and those to notify by regime.
fn people_affected(s: &mut String, d: &Deterministic) -> fmt::Result {
    if d.people_affected.is_empty() {
        return Ok(());
    }
    writeln!(s)?;
    writeln!(
        s,
        "People affected (expected; bounds: full overlap … no overlap)"
    )?;
    for (pop, p) in &d.people_affected {
        writeln!(
            s,
            "  {pop:<16} {:>10}   ({} … {})",
            figure(p.expected.round()),
            figure(p.low.round()),
            figure(p.high.round())
        )?;
    }
    if !d.notifiable.is_empty() {
        writeln!(s, "Notifiable (expected people, per regime)")?;
        for (regime, pops) in &d.notifiable {
            let parts: Vec<String> = pops
                .iter()
                .map(|(pop, n)| format!("{pop} {}", figure(n.round())))
                .collect();
            writeln!(s, "  {regime:<20} {}", parts.join(", "))?;
        }
    }
    Ok(())
}

/// The shortest attack path to each leaked store (to those shown when there are many).
fn attack_paths(s: &mut String, d: &Deterministic, shown_stores: &[&str]) -> fmt::Result {
    if d.paths.is_empty() {
        return Ok(());
    }
    writeln!(s)?;
    let paths: Vec<&PathReport> = if d.paths.len() > TABLE_ROWS {
        writeln!(
            s,
            "Shortest attack path to each leaked store shown above ({} paths in all)",
            thousands(d.paths.len() as u64)
        )?;
        shown_stores
            .iter()
            .filter_map(|store| path_to(&d.paths, store))
            .collect()
    } else {
        writeln!(s, "Shortest attack path to each leaked store")?;
        d.paths.iter().collect()
    };
    for p in paths {
        writeln!(
            s,
            "  {} ({} step{}, p = {})",
            p.target,
            p.steps.len(),
            if p.steps.len() == 1 { "" } else { "s" },
            probability(p.probability)
        )?;
        writeln!(s, "      {}", path_line(p))?;
    }
    Ok(())
}

/// The designs section of a `run` table.
pub fn designs(r: &RunReport) -> String {
    written(|s| {
        if r.designs.is_empty() {
            return Ok(());
        }
        writeln!(
            s,
            "DESIGNS (each against the baseline; Monte Carlo changes paired on the same draws)"
        )?;
        for d in &r.designs {
            writeln!(s)?;
            writeln!(s, "  {}", d.name)?;
            if let Some(desc) = &d.description {
                writeln!(s, "    {desc}")?;
            }
            for c in &d.changes {
                writeln!(s, "    · {c}")?;
            }
            writeln!(
                s,
                "    worst case: exposure {} ({}), records {} ({})",
                figure(d.deterministic.exposure.0),
                signed_percent(d.delta.exposure_percent),
                thousands(d.deterministic.records_total),
                signed_count(d.delta.records_total)
            )?;
            if let Some(m) = &d.delta.monte_carlo {
                writeln!(
                    s,
                    "    expected exposure change {} ({}), 95% interval {} … {}",
                    signed_figure(m.exposure.mean),
                    signed_percent(m.exposure.percent),
                    signed_figure(m.exposure.ci95[0]),
                    signed_figure(m.exposure.ci95[1])
                )?;
            }
            loss_lines(s, d)?;
            for (pop, change) in &d.delta.people_affected {
                if change.abs() >= 0.5 {
                    writeln!(s, "    people affected, {pop}: {}", signed_figure(*change))?;
                }
            }
        }
        Ok(())
    })
}

/// A design's loss: the worst case and its change, the paired expected change, and with a
/// frequency and a cost the net benefit a year and the return on the control.
fn loss_lines(s: &mut String, d: &DesignResult) -> fmt::Result {
    let (Some(loss), Some(delta), Some(cur)) = (
        d.deterministic.loss,
        d.delta.loss.as_ref(),
        d.deterministic.currency.as_deref(),
    ) else {
        return Ok(());
    };
    writeln!(
        s,
        "    loss: worst case {} ({})",
        money(loss, cur),
        signed_money(delta.worst_case, cur)
    )?;
    if let Some(p) = &delta.paired {
        writeln!(
            s,
            "    expected loss change {} ({}), 95% interval {} … {}",
            signed_money(p.mean, cur),
            signed_percent(p.percent),
            signed_money(p.ci95[0], cur),
            signed_money(p.ci95[1], cur)
        )?;
    }
    if let Some(a) = delta.annual_mean {
        writeln!(s, "    expected loss a year {}", signed_money(a, cur))?;
    }
    if let Some(net) = d.delta.net_benefit_per_year {
        let cost = d.cost_per_year.unwrap_or(0.0);
        let ret = d.delta.return_on_control.map_or(String::new(), |r| {
            format!(", return {} its cost", multiple(r))
        });
        writeln!(
            s,
            "    net benefit a year {} for {} a year{ret}",
            signed_money(net, cur),
            money(cost, cur)
        )?;
    }
    Ok(())
}
