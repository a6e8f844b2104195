//! Readable tables for the terminal.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{figure, thousands};
use crate::results::{PathReport, RunReport};

/// Width of a name column: the longest name, at least 8.
fn name_width<'a>(names: impl Iterator<Item = &'a String>) -> usize {
    names.map(|n| n.len()).max().unwrap_or(8).max(8)
}

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

/// Rows of a long list (leaked stores, attack paths) that a table shows before saying how many
/// more there are; JSON and CSV list every one.
const TABLE_ROWS: usize = 50;

/// Ids of one list (controlled nodes of a kind, tampered stores) that a table shows.
const TABLE_IDS: usize = 40;

/// The first [`TABLE_IDS`] of `ids`, wrapped, and how many more there are.
fn wrap_some_ids(ids: &[String], indent: usize, width: usize) -> String {
    let shown = &ids[..ids.len().min(TABLE_IDS)];
    let mut out = wrap_ids(shown, indent, width);
    if ids.len() > shown.len() {
        let _ = write!(
            out,
            ",\n{}… and {} more",
            " ".repeat(indent),
            thousands((ids.len() - shown.len()) as u64)
        );
    }
    out
}

/// The path to `target` among paths sorted by target (found by a scan when a hand-edited saved
/// result is not sorted).
fn path_to<'a>(paths: &'a [PathReport], target: &str) -> Option<&'a PathReport> {
    paths
        .binary_search_by(|p| p.target.as_str().cmp(target))
        .ok()
        .or_else(|| paths.iter().position(|p| p.target == target))
        .map(|i| &paths[i])
}

/// The table of a `run`. Long lists show their first (or largest) entries and say how many
/// more there are: a large organisation's worst case reaches tens of thousands of nodes.
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
        let _ = writeln!(
            s,
            "{label}{}",
            wrap_some_ids(ids, label.chars().count(), 100)
        );
    }
    let _ = writeln!(s);

    // The leaked stores the table shows (every one unless there are many), for their paths.
    let mut shown_stores: Vec<&str> = Vec::new();
    if d.leaked_stores.is_empty() {
        let _ = writeln!(s, "No store leaks.");
    } else {
        let mut shown: Vec<(&String, &BTreeMap<String, u64>, u64)> = d
            .store_records
            .iter()
            .map(|(store, cats)| (store, cats, cats.values().sum()))
            .collect();
        if shown.len() > TABLE_ROWS {
            shown.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(b.0)));
            let tie = shown[TABLE_ROWS - 1].2 == shown[TABLE_ROWS].2;
            shown.truncate(TABLE_ROWS);
            let _ = writeln!(
                s,
                "Leaked stores ({}); the {TABLE_ROWS} holding the most records{}, what each holds on its own",
                thousands(d.leaked_stores.len() as u64),
                if tie { " (equal ones in id order)" } else { "" }
            );
        } else {
            let _ = writeln!(
                s,
                "Leaked stores ({}), what each holds on its own",
                d.leaked_stores.len()
            );
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
            let _ = writeln!(s, "  {store:<name_width$} {:>16}", thousands(*total));
            for (cat, n) in *cats {
                let inner = name_width - 4;
                let _ = writeln!(s, "      {cat:<inner$} {:>16}", thousands(*n));
            }
        }
        if d.store_records.len() > shown.len() {
            let _ = writeln!(
                s,
                "  … and {} more (--format json or csv lists every one)",
                thousands((d.store_records.len() - shown.len()) as u64)
            );
        }
        shown_stores = shown.iter().map(|(store, _, _)| store.as_str()).collect();
    }
    if !d.tampered_stores.is_empty() {
        if d.tampered_stores.len() <= TABLE_IDS {
            let _ = writeln!(
                s,
                "Exposed to tampering (write or admin access): {}",
                d.tampered_stores.join(", ")
            );
        } else {
            let _ = writeln!(
                s,
                "Exposed to tampering (write or admin access): {} stores\n  {}",
                thousands(d.tampered_stores.len() as u64),
                wrap_some_ids(&d.tampered_stores, 2, 100)
            );
        }
    }
    let _ = writeln!(s);

    if !d.records_by_category.is_empty() {
        let _ = writeln!(s, "Records leaked, each counted once across flow copies");
        let w = name_width(d.records_by_category.keys());
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
        let paths: Vec<&PathReport> = if d.paths.len() > TABLE_ROWS {
            let _ = writeln!(
                s,
                "Shortest attack path to each leaked store shown above ({} paths in all)",
                thousands(d.paths.len() as u64)
            );
            shown_stores
                .iter()
                .filter_map(|store| path_to(&d.paths, store))
                .collect()
        } else {
            let _ = writeln!(s, "Shortest attack path to each leaked store");
            d.paths.iter().collect()
        };
        for p in paths {
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
    if let Some(mc) = &r.baseline.monte_carlo {
        let _ = writeln!(s);
        s.push_str(&monte_carlo(mc));
    }
    if !r.designs.is_empty() {
        let _ = writeln!(s);
        s.push_str(&designs(r));
    }
    s
}

/// The table of `validate`.
pub fn validation(v: &crate::results::queries::ValidationReport) -> String {
    let c = &v.counts;
    let mut s = String::new();
    let _ = writeln!(s, "{}: valid ({})", v.model, v.name);
    use crate::model::{counted, NodeKind};
    let _ = writeln!(
        s,
        "  {}, {}, {}, {}, {}",
        NodeKind::Person.counted(c.person),
        NodeKind::Account.counted(c.account),
        NodeKind::Group.counted(c.group),
        NodeKind::System.counted(c.system),
        NodeKind::Store.counted(c.store)
    );
    let _ = writeln!(
        s,
        "  {}: {}, {} write-only (integrity exposure); {}; {}",
        counted(c.links, "link", "links"),
        counted(c.attack_edges, "attack edge", "attack edges"),
        c.integrity_only,
        counted(c.record_sets, "record set", "record sets"),
        counted(c.flows, "flow", "flows")
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
    if !r.copies_in.is_empty() {
        let _ = writeln!(
            s,
            "  (this store itself; flows copy its records into {}: run who-can-reach on those too)",
            r.copies_in.join(", ")
        );
    }
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

fn stats_line(label: &str, s: &crate::results::monte_carlo::Stats) -> String {
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

/// The Monte Carlo section of a `run` table.
pub fn monte_carlo(mc: &crate::results::monte_carlo::MonteCarlo) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "MONTE CARLO ({} trials, seed {}; each step succeeds with its probability)",
        thousands(mc.trials as u64),
        mc.seed
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "  {:<18} {:>16} {:>35} {:>16} {:>16} {:>16}",
        "", "mean", "95% interval of the mean", "p50", "p95", "p99"
    );
    let _ = writeln!(s, "{}", stats_line("exposure", &mc.exposure));
    let _ = writeln!(s, "{}", stats_line("records", &mc.records));
    if let Some(first) = mc.exceedance.records.first() {
        let _ = writeln!(s, "  P(any record leaks) = {:.3}", first.p);
    }
    let _ = writeln!(s);
    if !mc.records_by_category.is_empty() {
        let w = name_width(mc.records_by_category.keys());
        let _ = writeln!(
            s,
            "  {:<w$} {:>16} {:>16}",
            "category", "mean records", "p95"
        );
        for (c, v) in &mc.records_by_category {
            let _ = writeln!(
                s,
                "  {c:<w$} {:>16} {:>16}",
                figure(v.mean.round()),
                figure(v.p95.round())
            );
        }
        let _ = writeln!(s);
    }
    let mut breached: Vec<(&String, &f64)> = mc
        .store_breach_probability
        .iter()
        .filter(|(_, p)| **p > 0.0)
        .collect();
    breached.sort_by(|a, b| b.1.total_cmp(a.1).then(a.0.cmp(b.0)));
    if breached.is_empty() {
        let _ = writeln!(s, "  No store was breached in any trial.");
    } else {
        let more = breached.len().saturating_sub(TABLE_ROWS);
        if more > 0 {
            // Say how the cut falls when it falls between stores breached equally often.
            let tie = breached[TABLE_ROWS - 1].1 == breached[TABLE_ROWS].1;
            let _ = writeln!(
                s,
                "  Breach probability, and the most likely path to each store: the {TABLE_ROWS} most often breached of {}{}",
                thousands(breached.len() as u64),
                if tie { " (equal ones in id order)" } else { "" }
            );
        } else {
            let _ = writeln!(
                s,
                "  Breach probability, and the most likely path to each store"
            );
        }
        for (store, p) in breached.into_iter().take(TABLE_ROWS) {
            let _ = writeln!(s, "  {:>7.3}  {store}", p);
            if let Some(path) = path_to(&mc.most_likely_paths, store) {
                let _ = writeln!(
                    s,
                    "           {} (all open: {:.3})",
                    path_line(path),
                    path.probability
                );
            }
        }
        if more > 0 {
            let _ = writeln!(
                s,
                "  … and {} more (--format json lists every one)",
                thousands(more as u64)
            );
        }
    }
    if !mc.people_affected.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(s, "  People affected (mean, p95)");
        for (pop, v) in &mc.people_affected {
            let _ = writeln!(
                s,
                "    {pop:<16} {:>10} {:>10}",
                figure(v.mean.round()),
                figure(v.p95.round())
            );
        }
        if !mc.notifiable.is_empty() {
            let _ = writeln!(s, "  Notifiable people (mean, p95, P(any notifiable leak))");
            for (regime, pops) in &mc.notifiable {
                for (pop, v) in pops {
                    let _ = writeln!(
                        s,
                        "    {regime:<20} {pop:<14} {:>10} {:>10} {:>8.3}",
                        figure(v.mean.round()),
                        figure(v.p95.round()),
                        v.p_any
                    );
                }
            }
        }
    }
    if let Some(tm) = &mc.time_model {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "  Time model: detection {} with mean {} days (mean detection day {:.1}); edge times {}",
            tm.detection_distribution, tm.detection_mean_days, tm.detection_days.mean, tm.edge_time_distribution
        );
        let _ = writeln!(
            s,
            "  Records leaked if the attacker is detected at day d (mean)"
        );
        for p in &tm.dwell {
            let _ = writeln!(
                s,
                "    d = {:>5}  {:>16} records  {:>18} exposure",
                figure(p.days),
                figure(p.records_mean.round()),
                figure(p.exposure_mean.round())
            );
        }
    }
    s
}

fn signed_percent(p: f64) -> String {
    if p == 0.0 {
        "0%".into()
    } else {
        format!("{:+.1}%", p)
    }
}

/// The designs section of a `run` table.
pub fn designs(r: &RunReport) -> String {
    let mut s = String::new();
    if r.designs.is_empty() {
        return s;
    }
    let _ = writeln!(
        s,
        "DESIGNS (each against the baseline; Monte Carlo changes paired on the same draws)"
    );
    for d in &r.designs {
        let _ = writeln!(s);
        let _ = writeln!(s, "  {}", d.name);
        if let Some(desc) = &d.description {
            let _ = writeln!(s, "    {desc}");
        }
        for c in &d.changes {
            let _ = writeln!(s, "    · {c}");
        }
        let _ = writeln!(
            s,
            "    worst case: exposure {} ({}), records {} ({:+})",
            figure(d.deterministic.exposure.0),
            signed_percent(d.delta.exposure_percent),
            thousands(d.deterministic.records_total),
            d.delta.records_total
        );
        if let Some(m) = &d.delta.monte_carlo {
            let _ = writeln!(
                s,
                "    expected exposure change {} ({}), 95% interval {} … {}",
                signed_figure(m.exposure.mean),
                signed_percent(m.exposure.percent),
                signed_figure(m.exposure.ci95[0]),
                signed_figure(m.exposure.ci95[1])
            );
        }
        for (pop, change) in &d.delta.people_affected {
            if change.abs() >= 0.5 {
                let _ = writeln!(s, "    people affected, {pop}: {}", signed_figure(*change));
            }
        }
    }
    s
}

fn signed_figure(x: f64) -> String {
    let r = x.round();
    if r > 0.0 {
        format!("+{}", figure(r))
    } else if r < 0.0 {
        format!("−{}", figure(-r))
    } else {
        "0".into()
    }
}

/// The table of `compare`.
pub fn comparison(c: &crate::results::compare::Comparison) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Scenario   {}", c.scenario);
    if let (Some(t), Some(seed)) = (c.trials, c.seed) {
        let _ = writeln!(
            s,
            "Monte Carlo {} trials, seed {}; changes are paired on the same draws",
            thousands(t as u64),
            seed
        );
    }
    let _ = writeln!(s);
    let w = c
        .rows
        .iter()
        .map(|r| r.design.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let _ = write!(
        s,
        "  {:<w$} {:>15} {:>8} {:>15} {:>27} {:>15} {:>36}",
        "design",
        "worst case",
        "change",
        "expected",
        "95% interval",
        "p95",
        "expected change (95% CI)"
    );
    for st in &c.top_stores {
        let _ = write!(s, " {:>14}", truncate(st, 14));
    }
    let _ = writeln!(s);
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
        let _ = write!(
            s,
            "  {:<w$} {:>15} {:>8} {:>15} {:>27} {:>15} {:>36}",
            r.design,
            figure(r.worst_case_exposure),
            signed_percent(r.worst_case_change_percent),
            opt(r.expected_exposure),
            interval,
            opt(r.p95_exposure),
            change
        );
        for st in &c.top_stores {
            let p = r.breach_probability.get(st).copied().unwrap_or(0.0);
            let _ = write!(s, " {:>14.3}", p);
        }
        let _ = writeln!(s);
    }
    if !c.top_stores.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "  Last columns: breach probability of the baseline's most breached stores."
        );
    }
    s
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// The table of `sweep`.
pub fn sweep(r: &crate::results::sweep::SweepReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Every {} of {} as the sole compromised node (worst case); {} swept, top {} by {}",
        r.kind,
        r.model,
        thousands(r.swept as u64),
        r.entries.len(),
        match r.by {
            crate::results::sweep::RankBy::Exposure => "exposure",
            crate::results::sweep::RankBy::People => "people affected",
        }
    );
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
    let _ = write!(
        s,
        "  {:>5}  {:<w$} {:>18} {:>16} {:>8} {:>8}",
        "rank", "id", "exposure", "records", "stores", "reach"
    );
    let pw = people.as_ref().map_or(18, |p| p.len().max(18));
    if let Some(p) = &people {
        let _ = write!(s, " {:>pw$}", p);
    }
    let _ = writeln!(s);
    for e in &r.entries {
        let _ = write!(
            s,
            "  {:>5}  {:<w$} {:>18} {:>16} {:>8} {:>8}",
            e.rank,
            e.id,
            figure(e.exposure),
            thousands(e.records),
            thousands(e.leaked_stores as u64),
            thousands(e.reach)
        );
        if let Some(p) = e.people {
            let _ = write!(s, " {:>pw$}", figure(p.round()));
        }
        let _ = writeln!(s);
    }
    if let Some(p) = &r.population {
        let _ = writeln!(
            s,
            "  people affected: expected number of the `{p}` population (the model's largest) whose records leak"
        );
    }
    s
}

fn choke_table(s: &mut String, rows: &[crate::results::recommend::ChokeRow]) {
    for (i, c) in rows.iter().enumerate() {
        let _ = writeln!(
            s,
            "  {:>3}. {} —{}→ {}   cuts {} ({:.1}%)",
            i + 1,
            c.from,
            c.kind,
            c.to,
            figure(c.reduction.round()),
            c.reduction_percent
        );
    }
}

/// The table of `recommend`.
pub fn recommend(r: &crate::results::recommend::RecommendReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Fixes for {} — objective: {} exposure; budget {} (spent {})",
        r.scenario,
        r.objective,
        figure(r.budget),
        figure(r.spent)
    );
    let _ = writeln!(s, "  start: exposure {}", figure(r.exposure_before.round()));
    if !r.include_entry_links {
        let _ = writeln!(s, "  (fixes that cut the entry points' own access are left out; --include-entry-links allows them)");
    }
    if r.fixes.is_empty() {
        let _ = writeln!(s, "  No fix within the budget reduces the exposure.");
    }
    for f in &r.fixes {
        let _ = writeln!(
            s,
            "  {:>3}. {:<60} cost {:>4}  → exposure {:>18}  (−{:.1}% in all)",
            f.step,
            format!("{} [{}]", f.fix, f.family),
            figure(f.cost),
            figure(f.exposure_after.round()),
            f.cumulative_reduction_percent
        );
    }
    if !r.choke_points.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "Choke points: single steps whose removal cuts the most worst-case exposure"
        );
        choke_table(&mut s, &r.choke_points);
    }
    if let Some(all) = &r.choke_points_all_accounts {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "Choke points summed over every account as the compromised node"
        );
        choke_table(&mut s, all);
    }
    s
}
