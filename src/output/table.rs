//! Readable tables for the terminal.

use std::fmt::Write;

use super::{figure, thousands};
use crate::results::{PathReport, RunReport};

/// `alice —owns→ alice-u —member→ managers —read→ badge-logs`
pub fn path_line(path: &PathReport) -> String {
    let mut s = String::new();
    for (i, step) in path.steps.iter().enumerate() {
        if i == 0 {
            s.push_str(&step.from);
        }
        let _ = write!(s, " —{}→ {}", step.kind, step.to);
    }
    s
}

fn wrap_ids(ids: &[String], indent: usize, width: usize) -> String {
    let mut out = String::new();
    let mut col = indent;
    for (i, id) in ids.iter().enumerate() {
        let piece = if i + 1 < ids.len() {
            format!("{id}, ")
        } else {
            id.clone()
        };
        if col + piece.len() > width && col > indent {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            col = indent;
        }
        out.push_str(&piece);
        col += piece.len();
    }
    out
}

/// The table of a `run`.
pub fn run(r: &RunReport) -> String {
    let mut s = String::new();
    let d = &r.baseline.deterministic;
    let _ = writeln!(s, "Scenario   {}", r.scenario);
    if let Some(desc) = &r.description {
        let _ = writeln!(s, "           {desc}");
    }
    let _ = writeln!(
        s,
        "Model      {} ({}; {} nodes, {} attack edges)",
        r.model.name,
        r.model.path,
        thousands(r.model.nodes as u64),
        thousands(r.model.edges as u64)
    );
    let _ = writeln!(s, "Entry      {}", r.entry_points.join(", "));
    let _ = writeln!(s);
    let _ = writeln!(s, "WORST CASE (every attack step with p > 0 succeeds)");
    let _ = writeln!(s);
    let _ = writeln!(s, "Attacker controls {} nodes", d.compromised.total());
    for (kind, ids) in d.compromised.lists() {
        if ids.is_empty() {
            continue;
        }
        let label = format!("  {:<8} {:>4}  ", kind.as_str(), ids.len());
        let _ = writeln!(s, "{label}{}", wrap_ids(ids, label.chars().count(), 100));
    }
    let _ = writeln!(s);

    if d.leaked_stores.is_empty() {
        let _ = writeln!(s, "No store leaks.");
    } else {
        let _ = writeln!(
            s,
            "Leaked stores ({}), what each holds on its own",
            d.leaked_stores.len()
        );
        let cat_width = d
            .store_records
            .values()
            .flat_map(|c| c.keys())
            .map(|c| c.len())
            .max()
            .unwrap_or(8)
            .max(8);
        for (store, cats) in &d.store_records {
            let total: u64 = cats.values().sum();
            let _ = writeln!(s, "  {store:<28} {:>16}", thousands(total));
            for (cat, n) in cats {
                let _ = writeln!(s, "      {cat:<cat_width$} {:>16}", thousands(*n));
            }
        }
    }
    if !d.tampered_stores.is_empty() {
        let _ = writeln!(
            s,
            "Exposed to tampering (write or admin access): {}",
            d.tampered_stores.join(", ")
        );
    }
    let _ = writeln!(s);

    if !d.records_by_category.is_empty() {
        let _ = writeln!(s, "Records leaked, each counted once across flow copies");
        let w = d
            .records_by_category
            .keys()
            .map(|c| c.len())
            .max()
            .unwrap_or(8)
            .max(8);
        let _ = writeln!(
            s,
            "  {:<w$} {:>16} {:>7} {:>18}",
            "category", "records", "weight", "exposure"
        );
        for (cat, n) in &d.records_by_category {
            let weight = r.weights.get(cat).copied().unwrap_or(1.0);
            let exposure = d.exposure_by_category.get(cat).map_or(0.0, |x| x.0);
            let _ = writeln!(
                s,
                "  {cat:<w$} {:>16} {:>7} {:>18}",
                thousands(*n),
                figure(weight),
                figure(exposure)
            );
        }
        let _ = writeln!(
            s,
            "  {:<w$} {:>16} {:>7} {:>18}",
            "total",
            thousands(d.records_total),
            "",
            figure(d.exposure.0)
        );
        let _ = writeln!(s);
    }
    let _ = writeln!(s, "Weighted exposure  {}", figure(d.exposure.0));
    let _ = writeln!(s, "Records leaked     {}", thousands(d.records_total));

    if !d.people_affected.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "People affected (expected; bounds: full overlap … no overlap)"
        );
        for (pop, p) in &d.people_affected {
            let _ = writeln!(
                s,
                "  {pop:<16} {:>10}   ({} … {})",
                figure(p.expected.round()),
                figure(p.low.round()),
                figure(p.high.round())
            );
        }
        if !d.notifiable.is_empty() {
            let _ = writeln!(s, "Notifiable (expected people, per regime)");
            for (regime, pops) in &d.notifiable {
                let parts: Vec<String> = pops
                    .iter()
                    .map(|(pop, n)| format!("{pop} {}", figure(n.round())))
                    .collect();
                let _ = writeln!(s, "  {regime:<20} {}", parts.join(", "));
            }
        }
    }

    if !d.paths.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(s, "Shortest attack path to each leaked store");
        for p in &d.paths {
            let _ = writeln!(
                s,
                "  {} ({} step{}, p = {:.3})",
                p.target,
                p.steps.len(),
                if p.steps.len() == 1 { "" } else { "s" },
                p.probability
            );
            let _ = writeln!(s, "      {}", path_line(p));
        }
    }
    s
}

/// The table of `validate`.
pub fn validation(v: &crate::results::queries::ValidationReport) -> String {
    let c = &v.counts;
    let mut s = String::new();
    let _ = writeln!(s, "{}: valid ({})", v.model, v.name);
    let _ = writeln!(
        s,
        "  {} people, {} accounts, {} groups, {} systems, {} stores",
        c.person, c.account, c.group, c.system, c.store
    );
    let _ = writeln!(
        s,
        "  {} links: {} attack edges, {} write-only (integrity exposure); {} record sets; {} flows",
        c.links, c.attack_edges, c.integrity_only, c.record_sets, c.flows
    );
    if v.warnings.is_empty() {
        let _ = writeln!(s, "  no warnings");
    } else {
        let _ = writeln!(
            s,
            "{} warning{}:",
            v.warnings.len(),
            if v.warnings.len() == 1 { "" } else { "s" }
        );
        for w in &v.warnings {
            let _ = writeln!(s, "  {w}");
        }
    }
    s
}

/// The table of `paths`.
pub fn paths(p: &crate::results::queries::PathsReport) -> String {
    let mut s = String::new();
    if p.paths.is_empty() {
        let _ = writeln!(s, "No attack path from `{}` to `{}`.", p.from, p.to);
        return s;
    }
    let _ = writeln!(
        s,
        "Attack paths from {} to {}, shortest first (then most likely)",
        p.from, p.to
    );
    for (i, path) in p.paths.iter().enumerate() {
        let _ = writeln!(
            s,
            "{:>3}. {} step{}, p = {:.4}",
            i + 1,
            path.steps.len(),
            if path.steps.len() == 1 { "" } else { "s" },
            path.probability
        );
        let _ = writeln!(s, "     {}", path_line(path));
    }
    s
}

/// The table of `who-can-reach`.
pub fn who_can_reach(r: &crate::results::queries::WhoCanReachReport) -> String {
    let mut s = String::new();
    if r.reachers.is_empty() {
        let _ = writeln!(s, "Nothing can reach `{}`.", r.target);
        return s;
    }
    let _ = writeln!(
        s,
        "{} nodes can reach {} in the worst case (reverse blast radius)",
        r.reachers.len(),
        r.target
    );
    let w = r
        .reachers
        .iter()
        .map(|x| x.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    let _ = writeln!(
        s,
        "  {:<w$}  {:<8} {:>5}  shortest path",
        "id", "kind", "steps"
    );
    for row in &r.reachers {
        let _ = writeln!(
            s,
            "  {:<w$}  {:<8} {:>5}  {}",
            row.id,
            row.kind,
            row.steps,
            path_line(&row.path)
        );
    }
    s
}
