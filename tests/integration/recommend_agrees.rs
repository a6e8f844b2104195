//! `recommend`'s figures are the figures of the model with the fix made: each fix it offers is
//! scored as `run --design` scores that fix. Checked on a model counted by hand, on random
//! organisations against a search written here (the worst case of the model with each fix
//! made, by a breadth-first walk and the readable exposure of its stores), against the
//! simulation of the changed model, and through the command line against `run --design` on
//! every demo scenario, for every objective and every kind of fix recommend proposes.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use blastradius::design::{apply, Change, Entry};
use blastradius::engine::exposure::exposure_of;
use blastradius::engine::recommend::{
    candidates, choke_points, recommend, Objective, Search, Stop,
};
use blastradius::engine::NoProgress;
use blastradius::model::{Model, NodeId, NodeKind};
use blastradius::Analysis;
use serde_json::Value;

use crate::models::{load, scale_every_other_store};
use crate::sweep_cut::hub_model;
use crate::util::{files, root, run_in};

/// p owns a, a is in g; g reads the lake and reads and administers HR (two grants, one pair);
/// a administers sys, which holds svc's credential; svc reads the backup, which the lake
/// flows into. The lake keeps 100 `x` (weight 10) a day for 365 days and 500 `y` (weight 1);
/// the backup keeps 90 days; HR holds 200 `x`.
///
/// Worst case from p: every store. `x` of the lake: its 365 days cover the backup's 90, so
/// 36,500; HR's 200; `y` 500 in both: 367,200 × … = (36,500 + 200) × 10 + 500 = 367,500.
const HAND: &str = r#"[org]
program_age_days = 1000
[categories]
x = 10
y = 1
[[person]]
id = "p"
accounts = ["a"]
[[account]]
id = "a"
groups = ["g"]
[[account]]
id = "svc"
[[group]]
id = "g"
[[system]]
id = "sys"
credentials = ["svc"]
[[store]]
id = "lake"
retention_days = 365
records = [{ category = "x", per_day = 100 }, { category = "y", count = 500 }]
[[store]]
id = "backup"
retention_days = 90
[[store]]
id = "hr"
records = [{ category = "x", count = 200 }]
[[flow]]
from = "lake"
to = "backup"
[[grant]]
principal = "g"
target = "lake"
access = "read"
[[grant]]
principal = "g"
target = "hr"
access = "read"
[[grant]]
principal = "g"
target = "hr"
access = "admin"
[[grant]]
principal = "a"
target = "sys"
access = "admin"
[[grant]]
principal = "svc"
target = "backup"
access = "read"
"#;

fn search(objective: Objective, budget: f64) -> Search {
    Search {
        objective,
        budget,
        costs: Default::default(),
        retention_days: 30,
        include_entry_links: true,
        target: None,
        keep: Vec::new(),
        weights: None,
    }
}

fn described(list: Vec<(Change, f64)>) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for (c, v) in list {
        let d = c.describe();
        assert!(out.insert(d.clone(), v).is_none(), "{d} offered twice");
    }
    out
}

/// Every fix on offer on the hand model, with the worst case after it, counted by hand.
#[test]
fn each_fix_on_a_hand_counted_model_scores_its_hand_count() {
    let a = load(HAND);
    let p = a.model.node_id("p").unwrap();
    let got = described(candidates(
        &a.model,
        &[p],
        &search(Objective::WorstCase, 10.0),
    ));
    let want: BTreeMap<String, f64> = [
        // The lake and HR go: the backup's 90 days of x (9,000) and its y.
        ("remove_member a from g", 90_500.0),
        // The lake goes; the backup's copy keeps 90 days of x.
        ("remove_grant g → lake", 92_500.0),
        // Both grants of the pair go, and HR with them.
        ("remove_grant g → hr", 365_500.0),
        // The backup goes, but the lake holds everything it holds.
        ("remove_grant a → sys", 367_500.0),
        ("remove_credential svc held by sys", 367_500.0),
        ("remove_grant svc → backup", 367_500.0),
        // 30 days at the lake; the backup still keeps 90: 9,000 x there.
        ("set_retention at lake = 30 days", 92_500.0),
        ("drop_category x at lake", 2_500.0),
        ("drop_category y at lake", 367_000.0),
        ("drop_category x at hr", 365_500.0),
        // The lake keeps all the backup holds.
        ("set_retention at backup = 30 days", 367_500.0),
        ("drop_category x at backup", 367_500.0),
        ("drop_category y at backup", 367_500.0),
    ]
    .into_iter()
    .map(|(d, v)| (d.to_string(), v))
    .collect();
    assert_eq!(got, want);
    // The plan: a's membership (277,000 for 1), then a's grant on sys (90,500 for 1; svc's
    // grant on the backup cuts as much for as little and comes after it by name).
    let found = recommend(
        &a.model,
        &[p],
        &search(Objective::WorstCase, 10.0),
        &NoProgress,
    );
    let plan: Vec<(String, f64)> = found
        .steps
        .iter()
        .map(|s| (s.change.describe(), s.after))
        .collect();
    assert_eq!(
        plan,
        [
            ("remove_member a from g".to_string(), 90_500.0),
            ("remove_grant a → sys".to_string(), 0.0)
        ]
    );
    assert_eq!(found.stop, Stop::NoFix);
}

/// The worst case of `sources` on `model`, by a breadth-first walk of its attack graph and the
/// readable exposure of the stores it reaches.
fn worst_case_here(model: &Model, sources: &[NodeId]) -> f64 {
    let a = Analysis::new(model.clone());
    let mut seen = vec![false; model.node_count()];
    let mut queue: VecDeque<NodeId> = VecDeque::new();
    for &s in sources {
        if !seen[s as usize] {
            seen[s as usize] = true;
            queue.push_back(s);
        }
    }
    while let Some(n) = queue.pop_front() {
        for e in a.graph.edges().filter(|e| e.from == n) {
            if !seen[e.to as usize] {
                seen[e.to as usize] = true;
                queue.push_back(e.to);
            }
        }
    }
    let leaked = model
        .nodes_of(NodeKind::Store)
        .filter(|&s| seen[s as usize]);
    exposure_of(model, &a.holdings, leaked).exposure
}

/// The fixes recommend can make on `model` from `sources` with no access protected: removing
/// any grant, membership or stored credential of a node the sources reach, and at each store
/// they reach a 30-day retention (where it keeps daily records longer) and each category it
/// holds dropped.
fn every_fix(a: &Analysis, sources: &[NodeId]) -> BTreeMap<String, Change> {
    let model = &a.model;
    let mut reached = vec![false; model.node_count()];
    let mut queue: VecDeque<NodeId> = sources.iter().copied().collect();
    for &s in sources {
        reached[s as usize] = true;
    }
    while let Some(n) = queue.pop_front() {
        for e in a.graph.edges().filter(|e| e.from == n) {
            if !reached[e.to as usize] {
                reached[e.to as usize] = true;
                queue.push_back(e.to);
            }
        }
    }
    let mut tables = BTreeSet::new();
    for l in &model.links {
        if !reached[l.from as usize] {
            continue;
        }
        let (from, to) = (model.id(l.from), model.id(l.to));
        let kind = format!("{:?}", l.kind);
        tables.insert(if kind.starts_with("Grant") {
            format!("{{ op = \"remove_grant\", principal = \"{from}\", target = \"{to}\" }}")
        } else if kind == "Member" {
            format!("{{ op = \"remove_member\", member = \"{from}\", group = \"{to}\" }}")
        } else if kind == "Credential" {
            format!("{{ op = \"remove_credential\", holder = \"{from}\", account = \"{to}\" }}")
        } else {
            continue;
        });
    }
    for s in model
        .nodes_of(NodeKind::Store)
        .filter(|&s| reached[s as usize])
    {
        let id = model.id(s);
        let held = &a.holdings.by_store[s as usize];
        let daily = held.iter().any(|h| {
            matches!(
                model.record_sets[h.set as usize].amount,
                blastradius::model::Amount::PerDay(_)
            ) && h.window > 30
        });
        if daily {
            tables.insert(format!(
                "{{ op = \"set_retention\", store = \"{id}\", days = 30 }}"
            ));
        }
        for h in held {
            let c = &model.record_sets[h.set as usize].category;
            tables.insert(format!(
                "{{ op = \"drop_category\", store = \"{id}\", category = \"{c}\" }}"
            ));
        }
    }
    tables
        .into_iter()
        .map(|t| {
            let value: toml::Value = toml::from_str(&format!("c = {t}")).unwrap();
            match blastradius::load::design::parse_change(model, &value["c"]) {
                Ok(Entry::Model(c)) => (c.describe(), c),
                other => panic!("{t}: {other:?}"),
            }
        })
        .collect()
}

/// On random organisations (stores flowing into shared backups and archives, some copies
/// partial): every fix the worst-case search offers scores the worst case of the model with
/// the fix made, and every access fix that cuts the worst case is offered; the choke points are
/// exactly the single steps whose removal cuts it, with the same figures.
#[test]
fn every_offered_fix_scores_the_model_with_it_made_on_random_organisations() {
    for seed in 0..6u64 {
        let mut model = load(&hub_model(seed, 12)).model;
        if seed % 2 == 1 {
            scale_every_other_store(&mut model, 0.25);
        }
        let a = Analysis::new(model);
        let accounts: Vec<NodeId> = a.model.nodes_of(NodeKind::Account).collect();
        for sources in [&accounts[..1], &accounts[3..6], &accounts[10..11]] {
            let before = worst_case_here(&a.model, sources);
            let offered = described(candidates(
                &a.model,
                sources,
                &search(Objective::WorstCase, 10.0),
            ));
            let fixes = every_fix(&a, sources);
            for (d, value) in &offered {
                let change = fixes
                    .get(d)
                    .unwrap_or_else(|| panic!("seed {seed}: {d} is not a fix here"));
                let after = worst_case_here(&apply(&a.model, [change]), sources);
                assert_eq!(*value, after, "seed {seed}, {sources:?}: {d}");
            }
            for (d, change) in &fixes {
                let access = d.starts_with("remove_");
                let after = worst_case_here(&apply(&a.model, [change]), sources);
                if access && after < before {
                    assert_eq!(offered.get(d), Some(&after), "seed {seed}: {d} not offered");
                }
                if !access {
                    assert_eq!(offered.get(d), Some(&after), "seed {seed}: {d}");
                }
            }
            // Choke points: single steps, each removed alone from the graph.
            let points = choke_points(&a, sources, usize::MAX);
            let mut cut = Vec::new();
            for e in 0..a.graph.edge_count() as u32 {
                let g = a.graph.without_edge(e);
                let without = reach_exposure(&a, &g, sources);
                if without < before {
                    cut.push((e, without));
                }
            }
            let mut got: Vec<(u32, f64)> = points.iter().map(|c| (c.edge, c.without)).collect();
            got.sort_by_key(|x| x.0);
            assert_eq!(got, cut, "seed {seed}: choke points");
        }
    }
}

/// The worst-case exposure of `sources` on `a`'s model walked over `graph`.
fn reach_exposure(
    a: &Analysis,
    graph: &blastradius::graph::AttackGraph,
    sources: &[NodeId],
) -> f64 {
    let mut seen = vec![false; a.model.node_count()];
    let mut stack: Vec<NodeId> = sources.to_vec();
    for &s in sources {
        seen[s as usize] = true;
    }
    while let Some(n) = stack.pop() {
        for &e in graph.out(n) {
            let t = graph.edge(e).to;
            if !seen[t as usize] {
                seen[t as usize] = true;
                stack.push(t);
            }
        }
    }
    let leaked = a
        .model
        .nodes_of(NodeKind::Store)
        .filter(|&s| seen[s as usize]);
    exposure_of(&a.model, &a.holdings, leaked).exposure
}

/// Under the expected objective every fix offered scores the mean exposure of the model with
/// the fix made, simulated on the same trials (as `run --design` simulates it).
#[test]
fn expected_figures_are_the_simulation_of_the_model_with_the_fix_made() {
    let simulation = |model: &Model, sources: &[NodeId]| {
        let s = blastradius::scenario::Simulation {
            trials: 300,
            seed: 5,
            detection: None,
        };
        let t = Analysis::new(model.clone()).simulate(sources, &s, &NoProgress);
        t.exposure.iter().sum::<f64>() / 300.0
    };
    let hub: Vec<&str> = vec!["acc-0", "acc-1", "acc-2", "acc-3", "acc-4", "acc-5"];
    for (text, ids) in [(HAND.to_string(), vec!["p"]), (hub_model(3, 10), hub)] {
        let a = load(&text);
        let sources: Vec<NodeId> = ids.iter().map(|i| a.model.node_id(i).unwrap()).collect();
        let objective = Objective::Expected {
            trials: 300,
            seed: 5,
            detection: None,
        };
        let offered = candidates(&a.model, &sources, &search(objective, 10.0));
        assert!(offered.len() > 5);
        for (change, value) in offered {
            let after = simulation(&apply(&a.model, [&change]), &sources);
            let close = (value - after).abs() <= 1e-9 * after.abs().max(1.0);
            assert!(close, "{}: {value} vs {after}", change.describe());
        }
    }
}

/// A fix as a design change, from how recommend describes it.
fn change_toml(fix: &str) -> String {
    let words: Vec<&str> = fix.split(' ').collect();
    match words[0] {
        "remove_grant" => format!(
            "{{ op = \"remove_grant\", principal = \"{}\", target = \"{}\" }}",
            words[1], words[3]
        ),
        "remove_member" => format!(
            "{{ op = \"remove_member\", member = \"{}\", group = \"{}\" }}",
            words[1], words[3]
        ),
        "remove_credential" => format!(
            "{{ op = \"remove_credential\", holder = \"{}\", account = \"{}\" }}",
            words[3], words[1]
        ),
        "set_retention" => format!(
            "{{ op = \"set_retention\", store = \"{}\", days = {} }}",
            words[2], words[4]
        ),
        "drop_category" => format!(
            "{{ op = \"drop_category\", store = \"{}\", category = \"{}\" }}",
            words[3], words[1]
        ),
        "set_mfa" => format!(
            "{{ op = \"set_mfa\", accounts = \"{}\", mfa = \"{}\" }}",
            words[1], words[3]
        ),
        _ => panic!("a fix recommend does not propose: {fix}"),
    }
}

/// Runs recommend on `scenario` with `args` and `run --design` with a design per step (the
/// plan up to that step), and holds each step's figure equal to what run gives that design.
fn plan_agrees_with_run(dir: &std::path::Path, scenario: &str, args: &[&str], figure: &str) {
    let mut rec = vec!["recommend", scenario, "--format", "json", "-q"];
    rec.extend(args);
    let out = run_in(dir, &rec);
    assert_eq!(out.code, 0, "{rec:?}: {}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["schema"], "blastradius/recommend/v1");
    let fixes = v["fixes"].as_array().unwrap();
    let mut designs = String::new();
    let mut changes = Vec::new();
    for (k, f) in fixes.iter().enumerate() {
        changes.push(change_toml(f["fix"].as_str().unwrap()));
        designs += &format!(
            "[[design]]\nname = \"plan-{k}\"\nchanges = [{}]\n\n",
            changes.join(", ")
        );
    }
    if fixes.is_empty() {
        return;
    }
    let design_file = dir.join(format!(
        "plan-{}.toml",
        rec.join("-").replace(['/', ' '], "_")
    ));
    std::fs::write(&design_file, &designs).unwrap();
    let trials = args
        .windows(2)
        .find(|w| w[0] == "--trials")
        .map_or("200", |w| w[1]);
    let design_arg = design_file.to_str().unwrap();
    let ran = run_in(
        dir,
        &[
            "run", scenario, "--design", design_arg, "--trials", trials, "--format", "json", "-q",
        ],
    );
    assert_eq!(ran.code, 0, "run: {}", ran.stderr);
    let r: Value = serde_json::from_str(&ran.stdout).unwrap();
    let by_name: BTreeMap<&str, &Value> = r["designs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["name"].as_str().unwrap(), d))
        .collect();
    for (k, f) in fixes.iter().enumerate() {
        let d = by_name[format!("plan-{k}").as_str()];
        let ran = match figure {
            "worst" => &d["deterministic"]["exposure"],
            "expected" => &d["monte_carlo"]["exposure"]["mean"],
            _ => &d["monte_carlo"]["annual_loss"]["mean"],
        };
        let (want, got) = (ran.as_f64().unwrap(), f["exposure_after"].as_f64().unwrap());
        assert!(
            (want - got).abs() <= 1e-9 * want.abs().max(1.0),
            "{scenario} {args:?} step {}: {} — recommend {got}, run --design {want}",
            k + 1,
            f["fix"]
        );
    }
}

/// Every demo scenario, every objective that has a scenario figure (worst case, expected,
/// loss), with and without the entry points' own access: each step of the plan is what
/// `run --design` gives the plan up to it. (Recommend takes a scenario's entry points for
/// certain; the simulated objectives are compared on a copy of a scenario with an `[attack]
/// vector` without it.)
#[test]
fn every_demo_plan_agrees_with_run_design() {
    let dir = tempfile::tempdir().unwrap();
    let mut scenarios = Vec::new();
    for folder in ["scenarios", "scenarios/constraints"] {
        for entry in std::fs::read_dir(root().join(folder)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                scenarios.push(path);
            }
        }
    }
    scenarios.sort();
    assert!(scenarios.len() >= 7);
    for (i, path) in scenarios.iter().enumerate() {
        let text = std::fs::read_to_string(path).unwrap();
        let model = root().join("data/tracking-program/model.toml");
        let text: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("vector"))
            .map(|l| match l.starts_with("model = ") {
                true => format!("model = {:?}", model.to_str().unwrap()),
                false => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        let name = format!("s{i}.toml");
        std::fs::write(dir.path().join(&name), text).unwrap();
        let money = std::fs::read_to_string(path)
            .unwrap()
            .contains("frequency_per_year");
        for entry in [&[][..], &["--include-entry-links"][..]] {
            let with = |extra: &[&'static str]| [extra, entry].concat();
            plan_agrees_with_run(dir.path(), &name, &with(&["--budget", "6"]), "worst");
            plan_agrees_with_run(
                dir.path(),
                &name,
                &with(&[
                    "--objective",
                    "expected",
                    "--trials",
                    "200",
                    "--budget",
                    "6",
                ]),
                "expected",
            );
            if money {
                plan_agrees_with_run(
                    dir.path(),
                    &name,
                    &with(&["--objective", "loss", "--trials", "1000"]),
                    "loss",
                );
            }
        }
    }
    // The hand model through the command line too: both steps of its plan.
    let hand = files(&[
        ("m.toml", HAND),
        (
            "s.toml",
            "model = \"m.toml\"\nname = \"hand\"\n[attack]\ncompromised = [\"p\"]\n",
        ),
    ]);
    plan_agrees_with_run(hand.path(), "s.toml", &["--include-entry-links"], "worst");
}

/// With `[simulation.detection]` the expected objective simulates the scenario as `run` does:
/// its starting figure is run's mean exposure on the same trials.
#[test]
fn the_expected_objective_simulates_the_scenarios_detection() {
    let model = root().join("data/tracking-program/model.toml");
    let scenario = format!(
        "model = {:?}\nname = \"watched\"\n[attack]\ncompromised = [\"kofi-mensah-adm\"]\n\
         [simulation]\ntrials = 300\nseed = 3\n[simulation.detection]\nmean_days = 2\n\
         distribution = \"exponential\"\n",
        model.to_str().unwrap()
    );
    let dir = files(&[("s.toml", &scenario)]);
    let rec = run_in(
        dir.path(),
        &[
            "recommend",
            "s.toml",
            "--objective",
            "expected",
            "--trials",
            "300",
            "--budget",
            "2",
            "--format",
            "json",
            "-q",
        ],
    );
    assert_eq!(rec.code, 0, "{}", rec.stderr);
    let rec: Value = serde_json::from_str(&rec.stdout).unwrap();
    let ran = run_in(dir.path(), &["run", "s.toml", "--format", "json", "-q"]);
    let ran: Value = serde_json::from_str(&ran.stdout).unwrap();
    let mean = ran["baseline"]["monte_carlo"]["exposure"]["mean"]
        .as_f64()
        .unwrap();
    let worst = ran["baseline"]["deterministic"]["exposure"]
        .as_f64()
        .unwrap();
    assert!(
        mean < 0.9 * worst,
        "detection cuts the mean: {mean} vs {worst}"
    );
    assert_eq!(rec["exposure_before"].as_f64().unwrap(), mean);
}

/// Recommend's JSON opens with its `schema`, as every saved result does (DESIGN.md "JSON
/// result"), and a simulated objective names its trials and seed (and the loss objective its
/// frequency) as numbers, as a run's result does.
#[test]
fn recommend_json_names_its_schema_and_its_simulation() {
    let scenario = "scenarios/stolen-it-admin-token.toml";
    for (args, trials, seed, frequency) in [
        (&["--budget", "2"][..], None, None, None),
        (
            &[
                "--objective",
                "expected",
                "--trials",
                "100",
                "--budget",
                "2",
            ][..],
            Some(100),
            Some(11),
            None,
        ),
        (
            &["--objective", "loss", "--trials", "100", "--budget", "5000"][..],
            Some(100),
            Some(11),
            Some(0.05),
        ),
        (
            &["--objective", "org", "--budget", "1"][..],
            None,
            None,
            None,
        ),
    ] {
        let mut all = vec!["recommend", scenario, "--format", "json", "-q"];
        all.extend(args);
        let out = run_in(&root(), &all);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(
            out.stdout
                .starts_with("{\n  \"schema\": \"blastradius/recommend/v1\",\n"),
            "{args:?}: {}",
            &out.stdout[..80]
        );
        let v: Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(v["trials"].as_u64(), trials, "{args:?}");
        assert_eq!(v["seed"].as_u64(), seed, "{args:?}");
        assert_eq!(v["frequency_per_year"].as_f64(), frequency, "{args:?}");
    }
}
