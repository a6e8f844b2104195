//! The table of `recommend`: the fixes chosen in order, then the choke points.

use std::fmt::{self, Write};

use super::written;
use crate::output::figures::figure;
use crate::results::recommend::{ChokeRow, RecommendReport};

fn choke_table(s: &mut String, rows: &[ChokeRow]) -> fmt::Result {
    for (i, c) in rows.iter().enumerate() {
        writeln!(
            s,
            "  {:>3}. {} —{}→ {}   cuts {} ({:.1}%)",
            i + 1,
            c.from,
            c.kind,
            c.to,
            figure(c.reduction.round()),
            c.reduction_percent
        )?;
    }
    Ok(())
}

/// The table of `recommend`.
pub fn recommend(r: &RecommendReport) -> String {
    written(|s| {
        writeln!(
            s,
            "Fixes for {} — objective: {} exposure; budget {} (spent {})",
            r.scenario,
            r.objective,
            figure(r.budget),
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
                "  {:>3}. {:<60} cost {:>4}  → exposure {:>18}  (−{:.1}% in all)",
                f.step,
                format!("{} [{}]", f.fix, f.family),
                figure(f.cost),
                figure(f.exposure_after.round()),
                f.cumulative_reduction_percent
            )?;
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
