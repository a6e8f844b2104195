//! The tables of the model queries: `validate`, `paths`, `who-can-reach` and `sweep`.

use std::borrow::Borrow;
use std::fmt::Write;
use std::io;

use super::{path_line, written};
use crate::model::{counted, NodeKind};
use crate::output::figures::{figure, probability, thousands};
use crate::results::queries::{
    FocusReachReport, PathsReport, ReachRow, ValidationReport, WhoCanReachReport,
};
use crate::results::sweep::{RankBy, SweepReport};

/// The table of `validate`.
pub fn validation(v: &ValidationReport) -> String {
    let c = &v.counts;
    written(|s| {
        writeln!(s, "{}: valid ({})", v.model, v.name)?;
        writeln!(
            s,
            "  {}, {}, {}, {}, {}",
            NodeKind::Person.counted(c.person),
            NodeKind::Account.counted(c.account),
            NodeKind::Group.counted(c.group),
            NodeKind::System.counted(c.system),
            NodeKind::Store.counted(c.store)
        )?;
        writeln!(
            s,
            "  {}: {}, {} write-only (integrity exposure); {}; {}",
            counted(c.links, "link", "links"),
            counted(c.attack_edges, "attack edge", "attack edges"),
            c.integrity_only,
            counted(c.record_sets, "record set", "record sets"),
            counted(c.flows, "flow", "flows")
        )?;
        if v.warnings.is_empty() {
            writeln!(s, "  no warnings")?;
        } else {
            writeln!(
                s,
                "{} warning{}:",
                v.warnings.len(),
                if v.warnings.len() == 1 { "" } else { "s" }
            )?;
            for w in &v.warnings {
                writeln!(s, "  {w}")?;
            }
        }
        Ok(())
    })
}

/// The table of `paths`.
pub fn paths(p: &PathsReport) -> String {
    written(|s| {
        if p.paths.is_empty() {
            writeln!(s, "No attack path from `{}` to `{}`.", p.from, p.to)?;
            return Ok(());
        }
        writeln!(
            s,
            "Attack paths from {} to {}, shortest first (then most likely)",
            p.from, p.to
        )?;
        for (i, path) in p.paths.iter().enumerate() {
            writeln!(
                s,
                "{:>3}. {} step{}, p = {}",
                i + 1,
                path.steps.len(),
                if path.steps.len() == 1 { "" } else { "s" },
                probability(path.probability)
            )?;
            writeln!(s, "     {}", path_line(path))?;
        }
        Ok(())
    })
}

/// The table of `who-can-reach`.
pub fn who_can_reach(r: &WhoCanReachReport) -> String {
    let width = r.reachers.iter().map(|x| x.id.len()).max().unwrap_or(2);
    let mut out = Vec::new();
    write_who_can_reach(&mut out, &r.target, &r.copies_in, width, r.reachers.iter())
        .expect("writing to memory cannot fail");
    String::from_utf8(out).expect("the table is UTF-8")
}

/// The table of `who-can-reach` written into `w` row by row, for rows made as they are written
/// (`WhoCanReach::rows`): the reachers of one store at a million people run to gigabytes.
/// `id_width` is the longest reacher id; `rows` are in report order and say how many there are.
pub fn write_who_can_reach<R: Borrow<ReachRow>>(
    w: &mut dyn io::Write,
    target: &str,
    copies_in: &[String],
    id_width: usize,
    rows: impl ExactSizeIterator<Item = R>,
) -> io::Result<()> {
    let iw = id_width.max(2);
    if !who_can_reach_header(w, target, copies_in, rows.len(), iw)? {
        return Ok(());
    }
    for row in rows {
        let row = row.borrow();
        writeln!(
            w,
            "  {:<iw$}  {:<8} {:>5}  {}",
            row.id,
            row.kind,
            row.steps,
            path_line(&row.path)
        )?;
    }
    Ok(())
}

/// The lines above `who-can-reach`'s table rows (or the one line saying nothing can reach
/// `target`), for `count` reachers with ids padded to `iw`; false when there are none.
pub(crate) fn who_can_reach_header(
    w: &mut dyn io::Write,
    target: &str,
    copies_in: &[String],
    count: usize,
    iw: usize,
) -> io::Result<bool> {
    if count == 0 {
        writeln!(w, "Nothing can reach `{target}`.")?;
        return Ok(false);
    }
    writeln!(
        w,
        "{count} nodes can reach {target} in the worst case (reverse blast radius)"
    )?;
    if !copies_in.is_empty() {
        writeln!(
            w,
            "  (this store itself; flows copy its records into {}: run who-can-reach on those too)",
            copies_in.join(", ")
        )?;
    }
    writeln!(
        w,
        "  {:<iw$}  {:<8} {:>5}  shortest path",
        "id", "kind", "steps"
    )?;
    Ok(true)
}

/// The table of `who-can-reach --category` (or `--regime`).
pub fn focus_reach(r: &FocusReachReport) -> String {
    written(|s| {
        if r.reachers.is_empty() {
            writeln!(s, "Nothing can reach the records of {}.", r.focus)?;
            return Ok(());
        }
        writeln!(
            s,
            "{} nodes can reach records of {} in the worst case, held (own or copied) in {} stores: {}",
            thousands(r.reachers.len() as u64),
            r.focus,
            r.stores.len(),
            r.stores.join(", ")
        )?;
        let w = r
            .reachers
            .iter()
            .map(|x| x.id.len())
            .max()
            .unwrap_or(2)
            .max(2);
        writeln!(
            s,
            "  {:<w$}  {:<8} {:>14} {:>16} {:>5}  shortest path to the nearest",
            "id", "kind", "records", "exposure", "steps"
        )?;
        for row in &r.reachers {
            writeln!(
                s,
                "  {:<w$}  {:<8} {:>14} {:>16} {:>5}  {}",
                row.id,
                row.kind,
                thousands(row.records),
                figure(row.exposure),
                row.steps,
                match row.path.steps.is_empty() {
                    true => "(holds them)".to_string(),
                    false => path_line(&row.path),
                }
            )?;
        }
        writeln!(
            s,
            "  records: of {} reached in the worst case, each counted once however many copies leak",
            r.focus
        )?;
        Ok(())
    })
}

/// The table of `sweep`.
pub fn sweep(r: &SweepReport) -> String {
    written(|s| {
        writeln!(
            s,
            "Every {} of {} as the sole compromised node (worst case{}); {} swept, top {} by {}",
            r.kind,
            r.model,
            r.focus
                .as_ref()
                .map_or(String::new(), |f| format!(", counting {f} only")),
            thousands(r.swept as u64),
            r.entries.len(),
            match r.by {
                RankBy::Exposure => "exposure",
                RankBy::Records => "records",
                RankBy::People => "people affected",
                RankBy::Loss => "worst-case loss",
                RankBy::Expected => "expected exposure",
            }
        )?;
        if let Some(days) = r.horizon_days {
            writeln!(
                s,
                "  the programme taken as {} days old (--horizon-days)",
                thousands(days as u64)
            )?;
        }
        if let Some(v) = &r.vector {
            writeln!(
                s,
                "  attack vector `{v}`: entry p is the chance one attempt takes the {}; expected = entry p × worst-case exposure",
                if r.kind == "person" { "person (one of their accounts or more)" } else { "account (by its MFA)" }
            )?;
        }
        let w = r
            .entries
            .iter()
            .map(|e| e.id.len())
            .max()
            .unwrap_or(2)
            .max(2);
        let people = r
            .population
            .as_deref()
            .map(|p| format!("people affected ({p})"));
        write!(
            s,
            "  {:>5}  {:<w$} {:>18} {:>16} {:>8} {:>8}",
            "rank", "id", "exposure", "records", "stores", "reach"
        )?;
        let pw = people.as_ref().map_or(18, |p| p.len().max(18));
        if let Some(p) = &people {
            write!(s, " {:>pw$}", p)?;
        }
        // The total over populations, when there is more than one.
        let total = r.entries.iter().any(|e| e.people_by_population.len() > 1);
        if total {
            write!(s, " {:>14}", "people (all)")?;
        }
        let loss = r.entries.iter().any(|e| e.loss.is_some());
        if loss {
            write!(s, " {:>16}", "loss")?;
        }
        let entry = r.vector.is_some();
        if entry {
            write!(s, " {:>8} {:>18}", "entry p", "expected")?;
        }
        let simulated = r
            .entries
            .iter()
            .any(|e| e.expected_exposure_monte_carlo.is_some());
        if simulated {
            write!(s, " {:>18} {:>14}", "expected (MC)", "± (95%)")?;
        }
        writeln!(s)?;
        for e in &r.entries {
            write!(
                s,
                "  {:>5}  {:<w$} {:>18} {:>16} {:>8} {:>8}",
                e.rank,
                e.id,
                figure(e.exposure),
                thousands(e.records),
                thousands(e.leaked_stores as u64),
                thousands(e.reach)
            )?;
            if let Some(p) = e.people {
                write!(s, " {:>pw$}", figure(p.round()))?;
            }
            if total {
                write!(s, " {:>14}", figure(e.people_total.unwrap_or(0.0).round()))?;
            }
            if let Some(l) = e.loss {
                write!(s, " {:>16}", figure(l.round()))?;
            }
            if let (Some(p), Some(x)) = (e.entry_probability, e.expected_exposure) {
                write!(s, " {:>8} {:>18}", probability(p), figure(x.round()))?;
            }
            if let Some(x) = e.expected_exposure_monte_carlo {
                write!(s, " {:>18}", figure(x.round()))?;
                if let Some([lo, hi]) = e.expected_exposure_monte_carlo_ci95 {
                    write!(
                        s,
                        " {:>14}",
                        format!("±{}", figure(((hi - lo) / 2.0).round()))
                    )?;
                }
            }
            writeln!(s)?;
        }
        sweep_notes(s, r, simulated, total)
    })
}

/// The lines under `sweep`'s table that say what its people and expectation columns count.
fn sweep_notes(s: &mut String, r: &SweepReport, simulated: bool, total: bool) -> std::fmt::Result {
    match (&r.population, &r.focus) {
        (Some(p), None) => writeln!(
            s,
            "  people affected: expected number of the `{p}` population{} whose records leak",
            if r.by_population {
                ""
            } else {
                " (the model's largest)"
            }
        )?,
        (Some(p), Some(f)) => writeln!(
            s,
            "  people affected: expected number of the `{p}` population whose records of {f} leak{}",
            if r.by_population {
                ""
            } else {
                " (the largest population it holds records of)"
            }
        )?,
        _ => {}
    }
    if simulated {
        writeln!(
            s,
            "  expected (MC): mean exposure of one attempt over {} Monte Carlo trials, entry and every attack step drawn; ± half its 95% interval",
            r.trials.map_or(String::new(), |t| thousands(t as u64))
        )?;
    }
    if total {
        writeln!(
            s,
            "  people (all): the sum over every population (a person in two counts twice); CSV and JSON give each"
        )?;
    }
    Ok(())
}
