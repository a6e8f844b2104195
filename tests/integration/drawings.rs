//! Attack-graph drawings (`paths` and `who-can-reach` as DOT, Mermaid and SVG; the report's
//! `attack-graph.svg`) read back by small parsers written here and compared with the JSON of
//! the same query: every node and step a drawing shows is one the JSON has, with the same kind
//! and probability, and every one it should show is there. The SVG's layers run left to right.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::util::{root, run, run_json};

type Step = (String, String, String);

/// The value of `name="…"` in `tag`, XML entities undone.
fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = start + tag[start..].find('"')?;
    Some(
        tag[start..end]
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// A drawing read back: node id → (kind, layer), steps (from, to, kind) → (p, choke).
#[derive(Debug, Default)]
struct Drawn {
    nodes: BTreeMap<String, (String, Option<usize>)>,
    steps: BTreeMap<Step, (Option<f64>, bool)>,
}

fn parse_svg(svg: &str) -> Drawn {
    let mut d = Drawn::default();
    for tag in svg.split('<').filter(|t| t.starts_with("g class=\"")) {
        let class = attr(tag, "class").unwrap();
        if class == "node" {
            d.nodes.insert(
                attr(tag, "data-id").unwrap(),
                (
                    attr(tag, "data-kind").unwrap(),
                    attr(tag, "data-layer").map(|l| l.parse().unwrap()),
                ),
            );
        } else if class.starts_with("edge") {
            d.steps.insert(
                (
                    attr(tag, "data-from").unwrap(),
                    attr(tag, "data-to").unwrap(),
                    attr(tag, "data-kind").unwrap(),
                ),
                (
                    attr(tag, "data-p").map(|p| p.parse().unwrap()),
                    class == "edge choke",
                ),
            );
        }
    }
    d
}

/// The label's text between the first `open` after `at` and the next `close`.
fn between<'a>(s: &'a str, open: &str, close: &str) -> &'a str {
    let start = s.find(open).unwrap() + open.len();
    &s[start..start + s[start..].find(close).unwrap()]
}

/// Splits an edge label "kind 95%" into its kind and probability.
fn step_label(label: &str) -> (String, Option<f64>) {
    match label.rsplit_once(' ') {
        Some((kind, p)) if p.ends_with('%') => (
            kind.to_string(),
            Some(p.trim_end_matches('%').parse::<f64>().unwrap() / 100.0),
        ),
        _ => (label.to_string(), None),
    }
}

fn parse_dot(dot: &str) -> Drawn {
    let mut d = Drawn::default();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for line in dot.lines().map(str::trim) {
        if !line.starts_with('n') {
            continue;
        }
        let name = line.split([' ', '[']).next().unwrap().to_string();
        if name[1..].parse::<usize>().is_err() {
            continue; // `node [...]` defaults
        }
        let label = between(line, "label=\"", "\"");
        if let Some((_, rest)) = line.split_once(" -> ") {
            let to = rest.split(' ').next().unwrap();
            let (kind, p) = step_label(label);
            d.steps.insert(
                (names[&name].clone(), names[to].clone(), kind),
                (p, line.contains("penwidth=3")),
            );
        } else {
            let id = label.split("\\n").next().unwrap().to_string();
            let kind = between(line, "shape=", ",").to_string();
            names.insert(name, id.clone());
            d.nodes.insert(id, (kind, None));
        }
    }
    d
}

fn parse_mermaid(text: &str) -> Drawn {
    let mut d = Drawn::default();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    // Whether each link, in the order written, is thick; and the links linkStyle colours.
    let mut thick: Vec<bool> = Vec::new();
    let mut coloured: BTreeSet<usize> = BTreeSet::new();
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("linkStyle ") {
            let (links, style) = rest.split_once(' ').unwrap();
            assert_eq!(style, "stroke:#cc79a7,stroke-width:4px", "{line}");
            coloured.extend(links.split(',').map(|i| i.parse::<usize>().unwrap()));
            continue;
        }
        if !line.starts_with('n') {
            continue;
        }
        let name = line.split([' ', '(', '[', '{']).next().unwrap().to_string();
        let arrow = ["==>", "-->", "-.->"]
            .into_iter()
            .find(|a| line.contains(a));
        if let Some(arrow) = arrow {
            let to = line.rsplit(' ').next().unwrap();
            let (kind, p) = if line.contains('|') {
                step_label(between(line, "|\"", "\"|"))
            } else {
                (String::new(), None)
            };
            d.steps.insert(
                (names[&name].clone(), names[to].clone(), kind),
                (p, arrow == "==>"),
            );
            thick.push(arrow == "==>");
        } else {
            let id = between(line, "\"", "\"").split("<br/>").next().unwrap();
            names.insert(name, id.to_string());
            d.nodes.insert(id.to_string(), (String::new(), None));
        }
    }
    let thick: BTreeSet<usize> = (0..thick.len()).filter(|&i| thick[i]).collect();
    assert_eq!(
        coloured, thick,
        "the choke points, and only they, are coloured"
    );
    d
}

fn steps_of(path: &Value) -> Vec<(Step, f64)> {
    path["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                (
                    s["from"].as_str().unwrap().to_string(),
                    s["to"].as_str().unwrap().to_string(),
                    s["kind"].as_str().unwrap().to_string(),
                ),
                s["p"].as_f64().unwrap(),
            )
        })
        .collect()
}

fn drawn(args: &[&str], format: &str) -> String {
    let mut all = args.to_vec();
    all.extend(["--format", format]);
    let o = run(&all);
    assert_eq!(o.code, 0, "{}", o.stderr);
    o.stdout
}

/// Every drawn step runs from a lower layer to a higher one, and its line starts left of
/// where it ends.
fn assert_left_to_right(svg: &str, d: &Drawn) {
    for (from, to, kind) in d.steps.keys() {
        let (lf, lt) = (d.nodes[from].1.unwrap(), d.nodes[to].1.unwrap());
        assert!(lf < lt, "{from} (layer {lf}) —{kind}→ {to} (layer {lt})");
    }
    for group in svg.split("<g class=\"edge").skip(1) {
        let line = between(group, "<polyline points=\"", "\"");
        let xs: Vec<f64> = line
            .split(' ')
            .map(|p| p.split(',').next().unwrap().parse().unwrap())
            .collect();
        assert!(xs.windows(2).all(|w| w[0] <= w[1]), "{line}");
    }
}

#[test]
fn paths_are_drawn_with_every_step_of_their_json_and_nothing_else() {
    let args = [
        "paths",
        "data/tracking-program",
        "--from",
        "kofi-mensah",
        "--to",
        "activity-metrics",
        "--limit",
        "6",
    ];
    let json = run_json(&args);
    let paths = json["paths"].as_array().unwrap();
    assert!(paths.len() >= 2, "the test needs several paths");
    let mut steps: BTreeMap<Step, f64> = BTreeMap::new();
    let mut count: BTreeMap<Step, usize> = BTreeMap::new();
    let mut nodes: BTreeSet<String> = BTreeSet::new();
    for p in paths {
        for (s, prob) in steps_of(p) {
            nodes.insert(s.0.clone());
            nodes.insert(s.1.clone());
            *count.entry(s.clone()).or_default() += 1;
            steps.insert(s, prob);
        }
    }
    // Choke points by hand: on at least two paths and at least half of them.
    let chokes: BTreeSet<&Step> = count
        .iter()
        .filter(|(_, &n)| n >= 2 && 2 * n >= paths.len())
        .map(|(s, _)| s)
        .collect();
    assert!(!chokes.is_empty());
    let svg = drawn(&args, "svg");
    for (format, d) in [
        ("svg", parse_svg(&svg)),
        ("dot", parse_dot(&drawn(&args, "dot"))),
        ("mermaid", parse_mermaid(&drawn(&args, "mermaid"))),
    ] {
        assert_eq!(
            d.nodes.keys().cloned().collect::<BTreeSet<_>>(),
            nodes,
            "{format}"
        );
        assert_eq!(
            d.steps.keys().collect::<BTreeSet<_>>(),
            steps.keys().collect::<BTreeSet<_>>(),
            "{format}"
        );
        for (s, (p, choke)) in &d.steps {
            // SVG carries p exactly; DOT and Mermaid as a rounded percentage.
            let tolerance = if format == "svg" { 0.0 } else { 0.005 };
            assert!((p.unwrap() - steps[s]).abs() <= tolerance, "{format} {s:?}");
            assert_eq!(*choke, chokes.contains(s), "{format} {s:?}");
        }
    }
    let d = parse_svg(&svg);
    assert_eq!(d.nodes["kofi-mensah"].0, "person");
    assert_eq!(d.nodes["activity-metrics"].0, "store");
    assert_left_to_right(&svg, &d);
    // Same input, same bytes.
    assert_eq!(svg, drawn(&args, "svg"));
}

#[test]
fn who_can_reach_draws_a_summary_that_accounts_for_every_reacher() {
    let args = ["who-can-reach", "data/tracking-program", "activity-metrics"];
    let json = run_json(&args);
    let reachers = json["reachers"].as_array().unwrap();
    let mut steps: BTreeMap<Step, f64> = BTreeMap::new();
    for r in reachers {
        steps.extend(steps_of(&r["path"]));
    }
    let kinds: BTreeMap<&str, &str> = reachers
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r["kind"].as_str().unwrap()))
        .collect();
    let svg = drawn(&args, "svg");
    let d = parse_svg(&svg);
    let mut folded = 0;
    let mut shown = 0;
    for (id, (kind, _)) in &d.nodes {
        if kind == "more" {
            folded += id.split(' ').next().unwrap().parse::<usize>().unwrap();
        } else if id != "activity-metrics" {
            assert_eq!(kinds[id.as_str()], kind, "{id}");
            shown += 1;
        }
    }
    // Every reacher is drawn or counted in exactly one "more" node.
    assert_eq!(shown + folded, reachers.len());
    assert!(folded > 0, "the demo's 31 reachers are summarised");
    for ((from, to, kind), (p, _)) in &d.steps {
        if d.nodes[from].0 == "more" {
            assert!(kind.is_empty() && p.is_none());
            continue;
        }
        let key = (from.clone(), to.clone(), kind.clone());
        assert_eq!(
            Some(steps[&key]),
            *p,
            "{key:?} is a step of a reacher's path"
        );
    }
    assert_left_to_right(&svg, &d);
    let dot = parse_dot(&drawn(&args, "dot"));
    assert_eq!(
        dot.steps.keys().collect::<Vec<_>>(),
        d.steps.keys().collect::<Vec<_>>()
    );
}

/// Exposure of a leaked store from report.json: its own records times their weights.
fn store_exposure(run: &Value, store: &str) -> f64 {
    run["baseline"]["deterministic"]["store_records"][store]
        .as_object()
        .unwrap()
        .iter()
        .map(|(c, n)| n.as_f64().unwrap() * run["weights"][c].as_f64().unwrap_or(1.0))
        .sum()
}

#[test]
fn the_report_draws_the_most_likely_path_to_each_top_store() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let scenario = root().join("scenarios/stolen-it-admin-token.toml");
    let o = run(&[
        "report",
        scenario.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--trials",
        "300",
        "--top",
        "0",
        "-q",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let data: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let run = &data["run"];
    let mut stores: Vec<(String, f64)> = run["baseline"]["deterministic"]["leaked_stores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let s = s.as_str().unwrap().to_string();
            let x = store_exposure(run, &s);
            (s, x)
        })
        .collect();
    stores.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    stores.truncate(12);
    let paths: BTreeMap<&str, &Value> = run["baseline"]["monte_carlo"]["most_likely_paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["target"].as_str().unwrap(), p))
        .collect();
    let mut steps: BTreeMap<Step, f64> = BTreeMap::new();
    let mut weight: BTreeMap<Step, (f64, usize)> = BTreeMap::new();
    let mut total = 0.0;
    for (s, x) in &stores {
        total += x;
        for (step, p) in steps_of(paths[s.as_str()]) {
            let w = weight.entry(step.clone()).or_default();
            w.0 += x;
            w.1 += 1;
            steps.insert(step, p);
        }
    }
    let svg = std::fs::read_to_string(out.join("attack-graph.svg")).unwrap();
    let d = parse_svg(&svg);
    // Chains folded into "more" nodes: the step out of one says how many steps it stands for
    // and their joint probability; find them on a path of the JSON and check the product.
    let mut covered: BTreeSet<Step> = BTreeSet::new();
    for ((from, to, kind), (p, _)) in &d.steps {
        if d.nodes[from].0 != "more" {
            if d.nodes[to].0 != "more" {
                covered.insert((from.clone(), to.clone(), kind.clone()));
            }
            continue;
        }
        let n: usize = kind.trim_end_matches(" steps").parse().unwrap();
        let before = d.steps.keys().find(|s| &s.1 == from).unwrap().0.clone();
        let chain = stores
            .iter()
            .map(|(s, _)| steps_of(paths[s.as_str()]))
            .find_map(|path| {
                let i = path.iter().position(|(s, _)| s.0 == before)?;
                (path.get(i + n - 1)?.0 .1 == *to).then(|| path[i..i + n].to_vec())
            })
            .unwrap_or_else(|| panic!("{n} steps from {before} to {to} on no path"));
        let product: f64 = chain.iter().map(|(_, p)| p).product();
        assert!((product - p.unwrap()).abs() < 1e-12, "{from}");
        covered.extend(chain.into_iter().map(|(s, _)| s));
    }
    assert_eq!(covered, steps.keys().cloned().collect::<BTreeSet<_>>());
    for (s, (p, choke)) in &d.steps {
        if d.nodes[&s.0].0 == "more" || d.nodes[&s.1].0 == "more" {
            continue;
        }
        assert_eq!(Some(steps[s]), *p);
        let (w, n) = weight[s];
        assert_eq!(*choke, n >= 2 && w >= total / 2.0, "{s:?}");
    }
    for (s, _) in &stores {
        assert_eq!(d.nodes[s].0, "store", "{s} is drawn as a store");
    }
    for e in run["entry_points"].as_array().unwrap() {
        assert_eq!(
            d.nodes[e.as_str().unwrap()].1,
            Some(0),
            "entry points on the left"
        );
    }
    assert_left_to_right(&svg, &d);
    let png = std::fs::read(out.join("attack-graph.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"attack-graph\""));
}
