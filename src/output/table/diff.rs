//! The table of `diff`: the total, the sources whose blast radius changed (those on one side
//! only apart), and the changes ranked by their effect alone.

use std::fmt::Write;

use super::written;
use crate::output::figures::{figure, signed_figure, signed_percent, thousands};
use crate::results::diff::DiffReport;

/// The table of `diff`.
pub fn diff(r: &DiffReport) -> String {
    written(|s| {
        let t = &r.total;
        writeln!(
            s,
            "{} → {}: worst-case exposure summed over every {}",
            r.old_model, r.new_model, r.kind
        )?;
        let pct = match t.old_exposure {
            x if x > 0.0 => format!(" ({})", signed_percent(100.0 * t.delta / x)),
            _ => String::new(),
        };
        writeln!(
            s,
            "  {} → {}: {}{pct}",
            figure(t.old_exposure),
            figure(t.new_exposure),
            signed_figure(t.delta)
        )?;
        if r.is_empty() {
            return writeln!(s, "  no changes");
        }
        let changed: Vec<_> = r.sources.iter().filter(|e| e.status == "changed").collect();
        let apart: Vec<_> = r.sources.iter().filter(|e| e.status != "changed").collect();
        let w = r
            .sources
            .iter()
            .map(|e| e.id.len())
            .max()
            .unwrap_or(2)
            .max(2);
        writeln!(
            s,
            "\nSources whose worst case changed ({} of {} differing shown)",
            changed.len() + apart.len(),
            r.sources_differing
        )?;
        if changed.is_empty() {
            writeln!(s, "  none")?;
        } else {
            writeln!(
                s,
                "  {:<w$} {:>14} {:>14} {:>12} {:>12} {:>8}",
                "id", "old exposure", "new exposure", "change", "records", "stores"
            )?;
            for e in &changed {
                let (o, n) = (e.old.expect("changed"), e.new.expect("changed"));
                writeln!(
                    s,
                    "  {:<w$} {:>14} {:>14} {:>12} {:>12} {:>8}",
                    e.id,
                    figure(o.exposure),
                    figure(n.exposure),
                    signed_figure(e.delta.exposure),
                    signed_figure(e.delta.records as f64),
                    signed_figure(e.delta.leaked_stores as f64)
                )?;
            }
        }
        if !apart.is_empty() {
            writeln!(s, "\nSources on one side only")?;
            for e in &apart {
                let f = e.old.or(e.new).expect("one side");
                writeln!(
                    s,
                    "  {:<w$} {:<8} exposure {}, {} records",
                    e.id,
                    e.status,
                    figure(f.exposure),
                    thousands(f.records)
                )?;
            }
        }
        writeln!(
            s,
            "\nChanges, each applied alone to the old model ({})",
            r.changes.len()
        )?;
        writeln!(s, "  {:>12} {:>8}  change", "exposure", "sources")?;
        for c in &r.changes {
            writeln!(
                s,
                "  {:>12} {:>8}  {} {}",
                signed_figure(c.effect.exposure),
                c.effect.sources_changed,
                c.change,
                c.description
            )?;
        }
        writeln!(
            s,
            "  {:>12}           together, not alone (interactions)",
            signed_figure(t.remainder)
        )
    })
}
