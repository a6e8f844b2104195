//! The leadership report: one self-contained HTML page (inline SVG charts, inline styles, no
//! script, nothing fetched) drawn from [`ReportData`]. The one-sentence answer at the top is
//! [`headline`] (`answer.rs`); the rest is key figures, charts, attack paths, the design table
//! and methods.

use std::fmt::{self, Write};

use super::answer::and_list;
pub use super::answer::{best_design, headline};
use super::charts::data::BASELINE;
use super::charts::{Missing, Rendered};
use super::figures::{figure, money_prose, share, signed_figure, signed_percent};
use super::table::path_line;
use crate::results::monte_carlo::MonteCarlo;
use crate::results::report::ReportData;
use crate::results::{Deterministic, PathReport, RunReport, SCHEMA};

/// `&`, `<`, `>`, `"` and `'` escaped for HTML text and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Verdana, "Segoe UI", Helvetica, Arial, sans-serif; color: #1a1a1a;
  background: #fff; margin: 0; line-height: 1.45; }
main { max-width: 980px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 1.7rem; margin: 0 0 4px; }
h2 { font-size: 1.3rem; margin: 36px 0 10px; border-bottom: 2px solid #e4e4e4; padding-bottom: 4px; }
h3 { font-size: 1.05rem; margin: 0 0 6px; }
.lead { color: #555; margin: 0 0 16px; }
.answer { font-size: 1.25rem; background: #eef5fb; border-left: 6px solid #0072B2; padding: 14px 18px;
  margin: 16px 0; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; }
.tile { border: 1px solid #ddd; border-radius: 6px; padding: 10px 14px; }
.tile .v { font-size: 1.45rem; font-weight: bold; }
.tile .k { color: #555; font-size: 0.9rem; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 0.92rem; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #e4e4e4; vertical-align: top; }
th { background: #f6f6f6; }
td.n, th.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
figure { margin: 24px 0; }
figure svg { max-width: 100%; height: auto; border: 1px solid #eee; }
.scroll { overflow-x: auto; }
.scroll svg { max-width: none; }
figcaption { color: #555; font-size: 0.9rem; }
code, .path { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.85rem; }
.note { color: #555; font-size: 0.92rem; }
ul.changes { margin: 0; padding-left: 18px; }
"#;

/// Text that may name code in Markdown backticks (`[simulation.detection]`), escaped, with
/// each such span set as `<code>`: the page never shows a raw backtick (an unmatched one is
/// left out).
pub fn prose(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let parts: Vec<&str> = s.split('`').collect();
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 && i + 1 < parts.len() {
            out.push_str("<code>");
            out.push_str(&escape(part));
            out.push_str("</code>");
        } else {
            out.push_str(&escape(part));
        }
    }
    out
}

fn ci(c: [f64; 2]) -> String {
    format!(
        "{} … {}",
        figure(c[0].max(0.0).round()),
        figure(c[1].round())
    )
}

fn tile(s: &mut String, value: &str, key: &str) -> fmt::Result {
    write!(
        s,
        r#"<div class="tile"><div class="v">{}</div><div class="k">{}</div></div>"#,
        escape(value),
        escape(key)
    )
}

/// The key figures: tiles, then people affected and breach notifications.
fn key_figures(s: &mut String, r: &RunReport) -> fmt::Result {
    let d = &r.baseline.deterministic;
    let mc = r.baseline.monte_carlo.as_ref();
    tiles(s, d, mc)?;
    people_affected(s, d, mc)?;
    notifications(s, d, mc)?;
    Ok(())
}

/// The headline figures as tiles.
fn tiles(s: &mut String, d: &Deterministic, mc: Option<&MonteCarlo>) -> fmt::Result {
    s.push_str("<h2 id=\"figures\">Key figures</h2>\n<div class=\"tiles\">");
    tile(
        s,
        &figure(d.records_total as f64),
        "records exposed in the worst case (each counted once)",
    )?;
    tile(
        s,
        &figure(d.exposure.0),
        "weighted exposure in the worst case (records × sensitivity)",
    )?;
    if let Some(mc) = mc {
        tile(
            s,
            &figure(mc.records.mean.round()),
            &format!(
                "expected records leaked (95% interval {})",
                ci(mc.records.ci95)
            ),
        )?;
        tile(
            s,
            &figure(mc.exposure.p95.round()),
            "95th percentile of exposure: 95% of trials leak no more",
        )?;
        if let Some(first) = mc.exceedance.records.first() {
            tile(s, &share(first.p), "of trials leak at least one record")?;
        }
    }
    tile(
        s,
        &format!("{}", d.leaked_stores.len()),
        "stores leak in the worst case",
    )?;
    if let (Some(loss), Some(cur)) = (d.loss, d.currency.as_deref()) {
        tile(s, &money_prose(loss, cur), "loss in the worst case")?;
    }
    if let Some(a) = mc.and_then(|m| m.annual_loss) {
        let cur = d.currency.as_deref().unwrap_or("");
        tile(
            s,
            &money_prose(a.mean, cur),
            &format!(
                "expected loss a year (99th percentile {})",
                money_prose(a.p99, cur)
            ),
        )?;
    }
    s.push_str("</div>\n");
    Ok(())
}

/// People affected per population, worst case beside Monte Carlo.
fn people_affected(s: &mut String, d: &Deterministic, mc: Option<&MonteCarlo>) -> fmt::Result {
    if !d.people_affected.is_empty() {
        s.push_str("<h3 style=\"margin-top:18px\">People affected</h3>\n<table><tr><th>population</th><th class=\"n\">worst case</th><th class=\"n\">bounds (full – no overlap)</th>");
        if mc.is_some() {
            s.push_str("<th class=\"n\">expected (Monte Carlo)</th><th class=\"n\">p95</th>");
        }
        s.push_str("</tr>\n");
        for (pop, p) in &d.people_affected {
            write!(
                s,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{} … {}</td>",
                escape(pop),
                figure(p.expected.round()),
                figure(p.low.round()),
                figure(p.high.round())
            )?;
            if let Some(mc) = mc {
                let m = mc.people_affected.get(pop).copied().unwrap_or_default();
                write!(
                    s,
                    "<td class=\"n\">{}</td><td class=\"n\">{}</td>",
                    figure(m.mean.round()),
                    figure(m.p95.round())
                )?;
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</table>\n");
    }
    Ok(())
}

/// People to notify per regime and population; regimes with no one to notify in a sentence.
fn notifications(s: &mut String, d: &Deterministic, mc: Option<&MonteCarlo>) -> fmt::Result {
    if !d.notifiable.is_empty() {
        s.push_str("<h3>Breach notifications</h3>\n<p class=\"note\">People whose records in the categories a regime names would leak: the count a notification duty applies to.</p>\n");
        let outer = s;
        let mut rows = String::new();
        let s = &mut rows;
        let mut quiet = Vec::new();
        for (regime, pops) in &d.notifiable {
            for (pop, n) in pops {
                let expected = mc
                    .and_then(|m| m.notifiable.get(regime))
                    .and_then(|x| x.get(pop))
                    .map_or(0.0, |m| m.mean);
                if *n == 0.0 && expected == 0.0 {
                    quiet.push(format!("{regime} ({pop})"));
                    continue;
                }
                write!(
                    s,
                    "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td>",
                    escape(regime),
                    escape(pop),
                    figure(n.round())
                )?;
                if let Some(mc) = mc {
                    let m = mc
                        .notifiable
                        .get(regime)
                        .and_then(|x| x.get(pop))
                        .copied()
                        .unwrap_or_default();
                    write!(
                        s,
                        "<td class=\"n\">{}</td><td class=\"n\">{}</td>",
                        figure(m.mean.round()),
                        share(m.p_any)
                    )?;
                }
                s.push_str("</tr>\n");
            }
        }
        let s = outer;
        if !rows.is_empty() {
            s.push_str(
                "<table><tr><th>regime</th><th>population</th><th class=\"n\">worst case</th>",
            );
            if mc.is_some() {
                s.push_str("<th class=\"n\">expected (Monte Carlo)</th><th class=\"n\">chance of any notice</th>");
            }
            s.push_str("</tr>\n");
            s.push_str(&rows);
            s.push_str("</table>\n");
        }
        if !quiet.is_empty() {
            writeln!(
                s,
                "<p class=\"note\">No one to notify under {}.</p>",
                escape(&and_list(&quiet))
            )?;
        }
    }
    Ok(())
}

/// The chart's SVG without an XML declaration, ready to inline.
fn inline_svg(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

fn charts(s: &mut String, rendered: &[Rendered], missing: &[Missing]) -> fmt::Result {
    s.push_str("<h2 id=\"charts\">Charts</h2>\n");
    for c in rendered {
        write!(
            s,
            "<figure id=\"chart-{name}\" class=\"chart\" aria-label=\"{title}\">\n{svg}\n<figcaption>{note} Files: <a href=\"{name}.svg\">{name}.svg</a>, <a href=\"{name}.png\">{name}.png</a>.</figcaption>\n</figure>\n",
            name = escape(c.chart.name),
            title = escape(&c.chart.title),
            svg = inline_svg(&c.svg),
            note = prose(&c.chart.note),
        )?;
    }
    if !missing.is_empty() {
        s.push_str("<p class=\"note\">Not drawn:</p>\n<ul class=\"note\">");
        for m in missing {
            write!(s, "<li>{}: {}.</li>", escape(&m.title), prose(&m.reason))?;
        }
        s.push_str("</ul>\n");
    }
    Ok(())
}

fn paths(s: &mut String, r: &RunReport) -> fmt::Result {
    s.push_str("<h2 id=\"paths\">Most likely attack paths</h2>\n");
    let (list, mc): (Vec<&PathReport>, Option<&MonteCarlo>) = match &r.baseline.monte_carlo {
        Some(mc) => (mc.most_likely_paths.iter().collect(), Some(mc)),
        None => (r.baseline.deterministic.paths.iter().collect(), None),
    };
    if list.is_empty() {
        s.push_str("<p>No store is reached beyond the entry points.</p>\n");
        return Ok(());
    }
    let mut list = list;
    list.sort_by(|a, b| {
        b.probability
            .total_cmp(&a.probability)
            .then(a.target.cmp(&b.target))
    });
    let shown = list.len().min(12);
    writeln!(
        s,
        "<p class=\"note\">For each store an attacker can reach, the single chain of steps most likely to succeed at once{}; the {} most likely of {}.</p>",
        if mc.is_some() { ", with the share of trials in which the store leaks by any route" } else { "" },
        shown,
        list.len()
    )?;
    s.push_str("<table><tr><th>store</th><th class=\"n\">path probability</th>");
    if mc.is_some() {
        s.push_str("<th class=\"n\">breach probability</th>");
    }
    s.push_str("<th>path</th></tr>\n");
    for p in list.iter().take(shown) {
        write!(
            s,
            "<tr><td>{}</td><td class=\"n\">{}</td>",
            escape(&p.target),
            share(p.probability)
        )?;
        if let Some(mc) = mc {
            let b = mc
                .store_breach_probability
                .get(&p.target)
                .copied()
                .unwrap_or(0.0);
            write!(s, "<td class=\"n\">{}</td>", share(b))?;
        }
        writeln!(s, "<td class=\"path\">{}</td></tr>", escape(&path_line(p)))?;
    }
    s.push_str("</table>\n");
    Ok(())
}

fn designs(s: &mut String, r: &RunReport) -> fmt::Result {
    s.push_str("<h2 id=\"designs\">Control designs</h2>\n");
    if r.designs.is_empty() {
        s.push_str("<p>The scenario declares no designs.</p>\n");
        return Ok(());
    }
    let mc = r.baseline.monte_carlo.is_some();
    s.push_str("<p class=\"note\">Every design is evaluated on the same random draws as the baseline, so changes are paired trial by trial.</p>\n");
    s.push_str(
        "<table><tr><th>design and its changes</th><th class=\"n\">worst-case exposure</th>",
    );
    if mc {
        s.push_str("<th class=\"n\">expected exposure<br>(95% interval)</th><th class=\"n\">paired change<br>(95% interval)</th>");
    }
    s.push_str("</tr>\n");
    let base = &r.baseline;
    write!(
        s,
        "<tr><td><b>{BASELINE}</b><br><span class=\"note\">as modelled</span></td><td class=\"n\">{}</td>",
        figure(base.deterministic.exposure.0)
    )?;
    if let Some(m) = &base.monte_carlo {
        write!(
            s,
            "<td class=\"n\">{}<br>({})</td><td class=\"n note\">the reference</td>",
            figure(m.exposure.mean.round()),
            ci(m.exposure.ci95)
        )?;
    }
    s.push_str("</tr>\n");
    for d in &r.designs {
        let changes: String = d
            .changes
            .iter()
            .map(|c| format!("<li>{}</li>", escape(c)))
            .collect();
        write!(
            s,
            "<tr><td><b>{}</b><ul class=\"changes note\">{changes}</ul></td><td class=\"n\">{}<br>{}</td>",
            escape(&d.name),
            figure(d.deterministic.exposure.0),
            escape(&signed_percent(d.delta.exposure_percent))
        )?;
        if mc {
            match (&d.monte_carlo, &d.delta.monte_carlo) {
                (Some(m), Some(delta)) => {
                    let e = delta.exposure;
                    write!(
                        s,
                        "<td class=\"n\">{}<br>({})</td><td class=\"n\">{}<br>({} to {})</td>",
                        figure(m.exposure.mean.round()),
                        ci(m.exposure.ci95),
                        escape(&signed_percent(e.percent)),
                        signed_figure(e.ci95[0]),
                        signed_figure(e.ci95[1])
                    )?;
                }
                _ => s.push_str(
                    "<td class=\"n note\">not simulated</td><td class=\"n note\">not simulated</td>",
                ),
            }
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table>\n");
    Ok(())
}

fn methods(s: &mut String, data: &ReportData) -> fmt::Result {
    let r = &data.run;
    s.push_str("<h2 id=\"methods\">Methods</h2>\n<ul>\n");
    s.push_str("<li><b>Worst case.</b> Every attack step with a probability above zero succeeds; every store reachable from the entry points leaks. Write access is never traversed and leaks nothing.</li>\n");
    if let Some(days) = r.horizon_days {
        writeln!(
            s,
            "<li><b>Horizon.</b> The programme is taken as {} days old (<code>--horizon-days</code>): stores hold the records of that many days, up to their retention.</li>",
            figure(days as f64)
        )?;
    }
    match &r.baseline.monte_carlo {
        Some(mc) => {
            writeln!(
                s,
                "<li><b>Monte Carlo.</b> {} trials, seed {}. In each trial every step is open independently with its probability (from the model’s <code>[probabilities]</code> table or the step’s own <code>p</code>); random draws are keyed by (seed, trial, step), so the same seed gives the same figures and every design is compared on the same draws. Intervals are 95% intervals of the mean.</li>",
                figure(mc.trials as f64),
                mc.seed
            )?;
            if let Some(tm) = &mc.time_model {
                writeln!(
                    s,
                    "<li><b>Time model.</b> Steps take time ({} times per step kind); detection after a mean of {} days ({}); only stores reached before detection leak.</li>",
                    escape(&tm.edge_time_distribution),
                    figure(tm.detection_mean_days),
                    escape(&tm.detection_distribution)
                )?;
            } else {
                s.push_str("<li><b>Time model.</b> Not used: the attacker is never detected (no <code>[simulation.detection]</code> in the scenario).</li>\n");
            }
        }
        None => s.push_str("<li><b>Monte Carlo.</b> Not run (worst case only).</li>\n"),
    }
    s.push_str("<li><b>Records are counted once.</b> Copies that data flows make of a record set are the same records: when several leak, their union counts, not their sum. Exposure is the sum of records × the sensitivity weight of their category.</li>\n");
    if !r.baseline.deterministic.people_affected.is_empty() {
        s.push_str("<li><b>People affected.</b> Per population, size × (1 − Π(1 − coverage)) over the record sets that leak, taking different sets as independent; the bounds assume full overlap (low) and no overlap (high).</li>\n");
    }
    let weights: Vec<String> = r
        .weights
        .iter()
        .map(|(c, w)| format!("{} = {}", escape(c), figure(*w)))
        .collect();
    if !weights.is_empty() {
        writeln!(
            s,
            "<li><b>Sensitivity weights.</b> {}.</li>",
            weights.join(", ")
        )?;
    }
    writeln!(
        s,
        "<li><b>Model.</b> {} (<code>{}</code>), {} nodes, {} attack steps{}.</li>",
        escape(&r.model.name),
        escape(&r.model.path),
        figure(r.model.nodes as f64),
        figure(r.model.edges as f64),
        data.model_digest
            .as_ref()
            .map_or(String::new(), |d| format!(
                ", model files fingerprint <code>{}</code>",
                escape(d)
            ))
    )?;
    if let Some(sw) = &data.riskiest {
        writeln!(
            s,
            "<li><b>Riskiest identities.</b> Each of the model’s {} {}s compromised alone, worst case, ranked by exposure.</li>",
            figure(sw.swept as f64),
            escape(&sw.kind)
        )?;
    }
    if data.redacted {
        s.push_str("<li><b>Redacted.</b> Person and account ids are replaced by stable pseudonyms (a keyed hash of the id): this is pseudonymisation, not anonymisation. Scenario and design descriptions are left out.</li>\n");
    }
    writeln!(
        s,
        "<li><b>Made by</b> {}; result schema <code>{}</code>. The figures behind every chart are in <a href=\"report.json\">report.json</a>; <code>blastradius chart report.json -o DIR</code> redraws the charts.</li>",
        escape(&data.generator),
        escape(SCHEMA)
    )?;
    s.push_str("</ul>\n");
    Ok(())
}

/// The whole page.
pub fn page(data: &ReportData, rendered: &[Rendered], missing: &[Missing], graph: &str) -> String {
    let mut s =
        String::with_capacity(64 * 1024 + rendered.iter().map(|c| c.svg.len()).sum::<usize>());
    write_page(&mut s, data, rendered, missing, graph).expect("writing to a String cannot fail");
    s
}

/// The attack graph (`output::drawing`), inline at its own size in a sideways-scrolling box (shrunk
/// to the page's 980px its labels would be ~6px), with links to its files.
fn attack_graph(s: &mut String, svg: &str) -> fmt::Result {
    s.push_str("<h2 id=\"attack-graph\">Attack graph</h2>\n");
    write!(
        s,
        "<figure id=\"figure-attack-graph\" class=\"chart\">\n<div class=\"scroll\">\n{}\n</div>\n<figcaption>Entry points on the left, leaked stores on the right; the drawing keeps its own size (scroll sideways when it is wider than the page). Files: <a href=\"attack-graph.svg\">attack-graph.svg</a>, <a href=\"attack-graph.png\">attack-graph.png</a>.</figcaption>\n</figure>\n",
        inline_svg(svg)
    )
}

/// The page's sections in order: head, heading and answer, key figures, attack graph, charts,
/// attack paths, designs, methods.
fn write_page(
    s: &mut String,
    data: &ReportData,
    rendered: &[Rendered],
    missing: &[Missing],
    graph: &str,
) -> fmt::Result {
    let r = &data.run;
    write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n<title>{} — blast radius report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        escape(&r.scenario)
    )?;
    writeln!(s, "<h1>Blast radius: {}</h1>", escape(&r.scenario))?;
    let mut lead = format!("Model {}", escape(&r.model.name));
    if let Some(d) = &r.description {
        lead = format!("{} · {lead}", prose(d));
    }
    writeln!(s, "<p class=\"lead\">{lead}</p>")?;
    writeln!(
        s,
        "<p class=\"answer\" id=\"answer\">{}</p>",
        escape(&headline(r))
    )?;
    key_figures(s, r)?;
    attack_graph(s, graph)?;
    charts(s, rendered, missing)?;
    paths(s, r)?;
    designs(s, r)?;
    methods(s, data)?;
    s.push_str("</main>\n</body>\n</html>\n");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::charts::fixture;
    use crate::output::figures::about;

    #[test]
    fn the_answer_names_entry_category_people_and_best_design() {
        let r = fixture::report(false, false);
        let best = best_design(&r).unwrap();
        assert_eq!(best.0, "retention-30d");
        let d = &r.baseline.deterministic;
        let located = d.records_by_category["user.location"] as f64;
        let part = 100.0 * located / d.records_total as f64;
        // A share near 100% keeps a decimal, so it never reads as all of them.
        let part = if part > 99.0 && part < 100.0 {
            format!("{part:.1}")
        } else {
            format!("{part:.0}")
        };
        // The words follow the numbers: "most of them" only over half.
        let which = if 2.0 * located > d.records_total as f64 {
            format!("most of them, {part}%, user.location")
        } else {
            format!("the largest category, user.location, {part}% of them")
        };
        assert_eq!(
            headline(&r),
            format!(
                "If alice is compromised, about {} records ({which}) of about 110 people are \
                 exposed; retention-30d cuts the expected weighted exposure by {:.1}%.",
                about(d.records_total as f64),
                -best.1
            )
        );
    }

    #[test]
    fn the_answer_without_monte_carlo_uses_the_worst_case_change() {
        let r = fixture::report(true, false);
        let h = headline(&r);
        let pct = r.designs[0].delta.exposure_percent;
        assert!(
            h.ends_with(&format!(
                "retention-30d cuts the worst-case weighted exposure by {:.1}%.",
                -pct
            )),
            "{h}"
        );
    }

    #[test]
    fn the_answer_when_nothing_leaks_or_nothing_helps() {
        let mut r = fixture::report(true, false);
        r.designs.retain(|d| d.name == "detect-5d");
        assert!(headline(&r).ends_with("; the design considered never reduces it."));
        r.baseline.deterministic.records_by_category.clear();
        assert_eq!(
            headline(&r),
            "If alice is compromised, no records are exposed, even in the worst case."
        );
    }

    #[test]
    fn prose_figures_are_rounded_to_two_digits() {
        assert_eq!(about(4_380_000.0), "4,400,000");
        assert_eq!(about(36_500.0), "37,000");
        assert_eq!(about(99.4), "99");
        assert_eq!(about(150.0), "150");
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn the_page_is_self_contained() {
        let data = fixture::data();
        let (shown, missing) = crate::output::charts::charts(&data);
        let rendered: Vec<_> = shown
            .iter()
            .map(|c| crate::output::charts::render(c).unwrap())
            .collect();
        let page = page(
            &data,
            &rendered,
            &missing,
            "<svg class=\"attack-graph\"></svg>",
        );
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert_eq!(page.matches("<svg").count(), rendered.len() + 1);
        for banned in [
            "<script",
            "<link",
            "@import",
            "url(",
            "src=\"http",
            "href=\"http",
        ] {
            assert!(!page.contains(banned), "the page contains {banned}");
        }
        assert!(page.contains(&escape(&headline(&data.run))));
        assert!(page.contains("400 trials, seed 3"));
    }
}
