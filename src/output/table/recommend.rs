//! The table of `recommend`: the fixes chosen in order, then the choke points.

use std::fmt::{self, Write};

use super::written;
use crate::output::figures::{figure, money, multiple, percent, signed_percent, thousands};
use crate::results::recommend::{ChokeRow, FixRow, RecommendReport};
use crate::scenario::MONEY_A_YEAR_PER_EFFORT;

fn choke_table(s: &mut String, rows: &[ChokeRow]) -> fmt::Result {
    for (i, c) in rows.iter().enumerate() {
        writeln!(
            s,
            "  {:>3}. {} —{}→ {}   cuts {} ({})",
            i + 1,
            c.from,
            c.kind,
            c.to,
            figure(c.reduction.round()),
            percent(c.reduction_percent)
        )?;
    }
    Ok(())
}

/// The fixes of the loss objective: each one's cost, the annual loss after it, what it saves
/// a year, its net benefit and return.
fn loss_fixes(s: &mut String, r: &RecommendReport, currency: &str) -> fmt::Result {
    let budget = r.budget.map_or("no limit".to_string(), |b| {
        format!("{} a year", money(b, currency))
    });
    writeln!(
        s,
        "Fixes for {} — objective: {}; budget {} (spent {} a year)",
        r.scenario,
        r.objective,
        budget,
        money(r.spent, currency)
    )?;
    writeln!(
        s,
        "  start: expected annual loss {}",
        money(r.exposure_before, currency)
    )?;
    if let Some(costs) = &r.costs_per_year {
        let listed: Vec<String> = costs
            .iter()
            .map(|(kind, c)| format!("{kind} {}", figure(*c)))
            .collect();
        let source = if r.costs_assumed == Some(true) {
            format!(
                "assumed {} a year per unit of [costs] effort where [costs_per_year] gives none",
                figure(MONEY_A_YEAR_PER_EFFORT)
            )
        } else {
            "[costs_per_year]".to_string()
        };
        writeln!(s, "  fix costs a year ({source}): {}", listed.join(", "))?;
    }
    limits(s, r)?;
    if r.fixes.is_empty() {
        writeln!(
            s,
            "  No fix within the budget saves more a year than it costs."
        )?;
    }
    for f in &r.fixes {
        writeln!(
            s,
            "  {:>3}. {:<60} cost {} a year  → annual loss {}  saves {}, net {}, return {}",
            f.step,
            format!("{} [{}]", f.fix, f.family),
            money(f.cost, currency),
            money(f.exposure_after, currency),
            money(f.reduction, currency),
            money(f.net_benefit_per_year.unwrap_or(0.0), currency),
            multiple(f.return_on_control.unwrap_or(0.0))
        )?;
        removes(s, f)?;
    }
    if !r.fixes.is_empty() {
        let saved = r.exposure_before - r.exposure_after;
        writeln!(
            s,
            "  In all: saves {} a year for {} — net {} a year",
            money(saved, currency),
            money(r.spent, currency),
            money(saved - r.spent, currency)
        )?;
    }
    stopped(s, r)
}

/// The fixes of the exposure objectives.
fn exposure_fixes(s: &mut String, r: &RecommendReport) -> fmt::Result {
    writeln!(
        s,
        "Fixes for {} — objective: {} exposure; budget {} (spent {})",
        r.scenario,
        r.objective,
        r.budget.map_or("no limit".to_string(), figure),
        figure(r.spent)
    )?;
    writeln!(s, "  start: exposure {}", figure(r.exposure_before.round()))?;
    limits(s, r)?;
    if r.fixes.is_empty() {
        writeln!(s, "  No fix within the budget reduces the exposure.")?;
    }
    for f in &r.fixes {
        writeln!(
            s,
            "  {:>3}. {:<60} cost {:>4}  cuts {:>14} ({})  → exposure {:>18}  ({} in all)",
            f.step,
            format!("{} [{}]", f.fix, f.family),
            figure(f.cost),
            figure(f.reduction.round()),
            percent(f.cut_percent),
            figure(f.exposure_after.round()),
            signed_percent(-f.cumulative_reduction_percent)
        )?;
        removes(s, f)?;
    }
    stopped(s, r)
}

/// The access the search leaves alone, and the target.
fn limits(s: &mut String, r: &RecommendReport) -> fmt::Result {
    if !r.include_entry_links && !r.objective.starts_with("organisation") {
        writeln!(s, "  (fixes that cut the entry points' own access, theirs or their groups', are left out; --include-entry-links allows them)")?;
    }
    for k in &r.keep {
        writeln!(s, "  kept ([[keep]]): {k}")?;
    }
    if let Some(t) = r.target_percent {
        writeln!(
            s,
            "  target: cut {} (to {})",
            percent(t),
            figure((r.exposure_before * (1.0 - t / 100.0)).round())
        )?;
    }
    Ok(())
}

/// What a fix takes away from the worst case, on a line of its own.
fn removes(s: &mut String, f: &FixRow) -> fmt::Result {
    let r = &f.removes;
    let mut parts = vec![format!("{} records", thousands(r.records))];
    if let Some(n) = r.sources {
        parts.push(format!("from {} sources", thousands(n as u64)));
    }
    if !r.stores.is_empty() {
        parts.push(format!("no longer leaks {}", r.stores.join(", ")));
    }
    writeln!(
        s,
        "       removes from the worst case: {}",
        parts.join("; ")
    )
}

/// Why the search stopped (and whether it reached its target).
fn stopped(s: &mut String, r: &RecommendReport) -> fmt::Result {
    match r.target_reached {
        Some(false) => writeln!(s, "  Target not reached: {}.", r.stopped),
        _ => writeln!(s, "  Stopped: {}.", r.stopped),
    }
}

/// The table of `recommend`.
pub fn recommend(r: &RecommendReport) -> String {
    written(|s| {
        match &r.currency {
            Some(c) => loss_fixes(s, r, c)?,
            None => exposure_fixes(s, r)?,
        }
        if !r.choke_points.is_empty() {
            writeln!(s)?;
            if r.objective.starts_with("organisation-wide") {
                writeln!(
                    s,
                    "Choke points of the scenario's entry points: single steps whose removal cuts the most of their worst-case exposure (not of the organisation-wide figure above)"
                )?;
            } else {
                writeln!(
                    s,
                    "Choke points: single steps whose removal cuts the most worst-case exposure"
                )?;
            }
            let org = r.objective.starts_with("organisation-wide");
            writeln!(
                s,
                "  (only steps a fix may cut: {})",
                if r.include_entry_links || org {
                    "not [[keep]] access"
                } else {
                    "not [[keep]] access, not the entry points' own access"
                }
            )?;
            choke_table(s, &r.choke_points)?;
        }
        if let Some(all) = &r.choke_points_all_accounts {
            writeln!(s)?;
            writeln!(
                s,
                "Choke points summed over every account as the compromised node"
            )?;
            choke_table(s, all)?;
        }
        Ok(())
    })
}
