//! The table of `recommend`: the fixes chosen in order, then the choke points.

use std::fmt::{self, Write};

use super::written;
use crate::output::figures::{figure, money, multiple, percent, signed_percent};
use crate::results::recommend::{ChokeRow, RecommendReport};
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
    if !r.include_entry_links {
        writeln!(s, "  (fixes that cut the entry points' own access are left out; --include-entry-links allows them)")?;
    }
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
    Ok(())
}

/// The fixes of the exposure objectives.
fn exposure_fixes(s: &mut String, r: &RecommendReport) -> fmt::Result {
    writeln!(
        s,
        "Fixes for {} — objective: {} exposure; budget {} (spent {})",
        r.scenario,
        r.objective,
        figure(r.budget.unwrap_or(f64::INFINITY)),
        figure(r.spent)
    )?;
    writeln!(s, "  start: exposure {}", figure(r.exposure_before.round()))?;
    if !r.include_entry_links {
        writeln!(s, "  (fixes that cut the entry points' own access are left out; --include-entry-links allows them)")?;
    }
    if r.fixes.is_empty() {
        writeln!(s, "  No fix within the budget reduces the exposure.")?;
    }
    for f in &r.fixes {
        writeln!(
            s,
            "  {:>3}. {:<60} cost {:>4}  → exposure {:>18}  ({} in all)",
            f.step,
            format!("{} [{}]", f.fix, f.family),
            figure(f.cost),
            figure(f.exposure_after.round()),
            signed_percent(-f.cumulative_reduction_percent)
        )?;
    }
    Ok(())
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
            writeln!(
                s,
                "Choke points: single steps whose removal cuts the most worst-case exposure"
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
