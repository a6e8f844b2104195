//! Designs: every operation against hand-computed expectations on a small model, monotonicity
//! properties on random models, and the CLI around design files.

use blastradius::design::{apply, Change, Entry};
use blastradius::engine::NoProgress;
use blastradius::evaluate::{evaluate, Depth};
use blastradius::load::design::parse_change;
use blastradius::load::parse_model;
use blastradius::model::Model;
use blastradius::results::RunReport;
use blastradius::scenario::{Scenario, Simulation};
use blastradius::Analysis;
use proptest::prelude::*;

use crate::models::{random_model, Shape};
use crate::util::{assert_fails_with, files, run_in, run_json};

/// p owns u; u is in g; g reads a and b; u administers sys, which holds svc's secret; svc reads c.
/// a: loc 10/day × 100 days = 1,000 and hr count 50; a flows everything into b (30 days:
/// loc copy 300, hr copy 50); c: hr 2/day × 200 days = 400.
/// Worst case from p: a, b and c leak; loc union max(100, 30) days = 1,000; hr 50 (counted once
/// across the copy) + 400 = 450; exposure 1,000 × 10 + 450 × 5 = 12,250.
const SMALL: &str = r#"
[org]
program_age_days = 1000
[categories]
loc = 10
hr = 5
[times]
distribution = "fixed"
[[person]]
id = "p"
accounts = ["u"]
[[account]]
id = "u"
groups = ["g"]
[[account]]
id = "svc"
kind = "service"
[[group]]
id = "g"
[[system]]
id = "sys"
credentials = ["svc"]
[[store]]
id = "a"
retention_days = 100
records = [{ category = "loc", per_day = 10 }, { category = "hr", count = 50 }]
[[store]]
id = "b"
retention_days = 30
[[store]]
id = "c"
retention_days = 200
records = [{ category = "hr", per_day = 2 }]
[[flow]]
from = "a"
to = "b"
[[grant]]
principal = "g"
target = "a"
access = "read"
last_used_days = 10
[[grant]]
principal = "g"
target = "b"
access = "read"
last_used_days = 20
[[grant]]
principal = "u"
target = "sys"
access = "admin"
last_used_days = 300
[[grant]]
principal = "svc"
target = "c"
access = "read"
last_used_days = 5
"#;

fn small() -> Model {
    parse_model(SMALL, "small.toml").unwrap().model
}

fn change(model: &Model, text: &str) -> Entry {
    let value: toml::Value = toml::from_str(&format!("c = {text}")).unwrap();
    parse_change(model, &value["c"]).unwrap_or_else(|e| panic!("{text}: {e:?}"))
}

fn model_change(model: &Model, text: &str) -> Change {
    match change(model, text) {
        Entry::Model(c) => c,
        other => panic!("{text} is not a change to the model: {other:?}"),
    }
}

fn exposure_with(changes: &[&str]) -> f64 {
    let m = small();
    let cs: Vec<Change> = changes.iter().map(|c| model_change(&m, c)).collect();
    let m2 = apply(&m, &cs);
    let a = Analysis::new(m2);
    let p = a.model.node_id("p").unwrap();
    a.worst_case(&[p]).exposure.exposure
}

#[test]
fn every_operation_against_hand_computation() {
    let cases: &[(&str, f64)] = &[
        // a and b out of reach: c alone, hr 400 × 5.
        (
            r#"{ op = "remove_member", member = "u", group = "g" }"#,
            2_000.0,
        ),
        // a out of reach, b still read: loc copy 300 × 10 + hr (50 + 400) × 5.
        (
            r#"{ op = "remove_grant", principal = "g", target = "a" }"#,
            5_250.0,
        ),
        // c out of reach: 1,000 × 10 + 50 × 5.
        (
            r#"{ op = "remove_credential", holder = "sys", account = "svc" }"#,
            10_250.0,
        ),
        // a keeps loc for 20 days; b's copy 30 days: union 30 days = 300; 3,000 + 2,250.
        (
            r#"{ op = "set_retention", store = "a", days = 20 }"#,
            5_250.0,
        ),
        // Retention at the copy does not change what a holds: still 100 days.
        (
            r#"{ op = "set_retention", store = "b", category = "loc", days = 5 }"#,
            12_250.0,
        ),
        // Half of loc at a, and so in b's copy: 0.5 × 10 × 100 = 500; 5,000 + 2,250.
        (
            r#"{ op = "scale_records", store = "a", category = "loc", factor = 0.5 }"#,
            7_250.0,
        ),
        // hr gone from a and from the copy it fed: hr 400 only; 10,000 + 2,000.
        (
            r#"{ op = "drop_category", store = "a", category = "hr" }"#,
            12_000.0,
        ),
        // u's admin grant on sys is 300 days unused: c out of reach.
        (r#"{ op = "review_access", unused_days = 100 }"#, 10_250.0),
        // p = 0 removes the step in the worst case too.
        (
            r#"{ op = "set_p", kind = "credential", p = 0.0 }"#,
            10_250.0,
        ),
        (
            r#"{ op = "set_p", from = "sys", to = "svc", p = 0.0 }"#,
            10_250.0,
        ),
        // MFA changes probabilities only: the worst case stays.
        (
            r#"{ op = "set_mfa", accounts = "account:*", mfa = "phishing_resistant" }"#,
            12_250.0,
        ),
    ];
    assert_eq!(exposure_with(&[]), 12_250.0);
    for (c, expected) in cases {
        assert_eq!(exposure_with(&[c]), *expected, "{c}");
    }
    // Changes apply in order and combine.
    assert_eq!(
        exposure_with(&[
            r#"{ op = "remove_grant", principal = "g", target = "a" }"#,
            r#"{ op = "review_access", unused_days = 100 }"#
        ]),
        3_250.0
    );
}

fn scenario_for(
    model: &Model,
    designs: Vec<blastradius::design::Design>,
    detection: Option<f64>,
) -> Scenario {
    Scenario {
        name: "t".into(),
        description: None,
        model_path: "small.toml".into(),
        compromised: vec![model.node_id("p").unwrap()],
        simulation: Simulation {
            trials: 20_000,
            seed: 3,
            detection: detection.map(|d| blastradius::scenario::Detection {
                mean_days: d,
                distribution: blastradius::model::Distribution::Fixed,
            }),
        },
        designs,
        costs: Default::default(),
        costs_per_year: None,
        frequency_per_year: None,
        vector: None,
        keep: Vec::new(),
    }
}

#[test]
fn set_mfa_lowers_the_credential_probability() {
    let m = small();
    let d = blastradius::design::Design {
        name: "keys".into(),
        description: None,
        changes: vec![change(
            &m,
            r#"{ op = "set_mfa", accounts = "svc", mfa = "phishing_resistant" }"#,
        )],
        cost_per_year: None,
    };
    let s = scenario_for(&m, vec![d], None);
    let e = evaluate(&s, m, Depth::MonteCarlo, &NoProgress);
    let r = RunReport::of(&s, &e);
    // c is reached only through the stolen credential: 0.95 without MFA, 0.02 with keys.
    let base = r
        .baseline
        .monte_carlo
        .as_ref()
        .unwrap()
        .store_breach_probability["c"];
    let with = r.designs[0]
        .monte_carlo
        .as_ref()
        .unwrap()
        .store_breach_probability["c"];
    assert!(
        (base - 0.95).abs() < 5.0 * (0.95f64 * 0.05 / 20_000.0).sqrt(),
        "{base}"
    );
    assert!(
        (with - 0.02).abs() < 5.0 * (0.02f64 * 0.98 / 20_000.0).sqrt(),
        "{with}"
    );
    // Paired: every trial where c leaks with keys also leaks without them.
    let mc = r.designs[0].delta.monte_carlo.as_ref().unwrap();
    assert!(mc.exposure.ci95[1] < 0.0);
    let paired_width = mc.exposure.ci95[1] - mc.exposure.ci95[0];
    let unpaired_width = mc.exposure.ci95_unpaired[1] - mc.exposure.ci95_unpaired[0];
    assert!(paired_width < unpaired_width);
}

#[test]
fn set_detection_changes_the_detection_time() {
    let m = small();
    let d = blastradius::design::Design {
        name: "faster".into(),
        description: None,
        changes: vec![change(&m, r#"{ op = "set_detection", mean_days = 0.1 }"#)],
        cost_per_year: None,
    };
    let s = scenario_for(&m, vec![d], Some(30.0));
    let e = evaluate(&s, m, Depth::MonteCarlo, &NoProgress);
    assert_eq!(e.designs[0].simulation.detection.unwrap().mean_days, 0.1);
    let r = RunReport::of(&s, &e);
    // Fixed times: grants take 0.5 days, so nothing is reached by day 0.1.
    assert_eq!(r.designs[0].monte_carlo.as_ref().unwrap().records.mean, 0.0);
    assert!(r.baseline.monte_carlo.as_ref().unwrap().records.mean > 0.0);
}

#[test]
fn an_empty_design_equals_the_baseline_exactly() {
    let m = small();
    let d = blastradius::design::Design {
        name: "nothing".into(),
        description: None,
        changes: vec![],
        cost_per_year: None,
    };
    let s = scenario_for(&m, vec![d], None);
    let e = evaluate(&s, m, Depth::MonteCarlo, &NoProgress);
    let r = RunReport::of(&s, &e);
    let d = &r.designs[0];
    assert_eq!(d.deterministic, r.baseline.deterministic);
    assert_eq!(d.monte_carlo, r.baseline.monte_carlo);
    let mc = d.delta.monte_carlo.as_ref().unwrap();
    assert_eq!(mc.exposure.mean, 0.0);
    assert_eq!(mc.exposure.ci95, [0.0, 0.0]);
    assert_eq!(d.delta.exposure.0, 0.0);
}

/// Worst-case exposure of `person-0` in a random model, with and without one change.
fn before_after(seed: u64, pick: usize, kind: usize) -> Option<(f64, f64)> {
    let shape = Shape {
        people: 6,
        groups: 4,
        systems: 3,
        stores: 5,
    };
    let text = random_model(seed, shape, false);
    let m = parse_model(&text, "random.toml").unwrap().model;
    let source = m.node_id("person-0").unwrap();
    let before = Analysis::new(m.clone())
        .worst_case(&[source])
        .exposure
        .exposure;
    let links =
        |k: &dyn Fn(&blastradius::model::LinkKind) -> bool| -> Vec<&blastradius::model::Link> {
            m.links.iter().filter(|l| k(&l.kind)).collect()
        };
    use blastradius::model::LinkKind as L;
    let spec = match kind {
        0 => {
            let g = links(&|k| matches!(k, L::Grant(_)));
            let l = g.get(pick % g.len().max(1))?;
            format!(
                r#"{{ op = "remove_grant", principal = "{}", target = "{}" }}"#,
                m.id(l.from),
                m.id(l.to)
            )
        }
        1 => {
            let g = links(&|k| *k == L::Member);
            let l = g.get(pick % g.len().max(1))?;
            format!(
                r#"{{ op = "remove_member", member = "{}", group = "{}" }}"#,
                m.id(l.from),
                m.id(l.to)
            )
        }
        2 => {
            let g = links(&|k| *k == L::Credential);
            let l = g.get(pick % g.len().max(1))?;
            format!(
                r#"{{ op = "remove_credential", holder = "{}", account = "{}" }}"#,
                m.id(l.from),
                m.id(l.to)
            )
        }
        3 => {
            let g = links(&|k| matches!(k, L::Custom(_)));
            let l = g.get(pick % g.len().max(1))?;
            format!(
                r#"{{ op = "set_p", from = "{}", to = "{}", p = 0.0 }}"#,
                m.id(l.from),
                m.id(l.to)
            )
        }
        4 => {
            // Shorter than the store's own retention.
            let store = format!("store-{}", pick % shape.stores);
            let current = m.store_policy[m.node_id(&store)? as usize].retention_days?;
            format!(
                r#"{{ op = "set_retention", store = "{store}", days = {} }}"#,
                pick as u32 % current
            )
        }
        _ => {
            let store = m.record_sets.get(pick % m.record_sets.len())?;
            format!(
                r#"{{ op = "drop_category", store = "{}", category = "{}" }}"#,
                m.id(store.store),
                store.category
            )
        }
    };
    let value: toml::Value = toml::from_str(&format!("c = {spec}")).unwrap();
    let Entry::Model(c) = parse_change(&m, &value["c"]).ok()? else {
        panic!("{spec} is not a change to the model");
    };
    let m2 = apply(&m, &[c]);
    let after = Analysis::new(m2).worst_case(&[source]).exposure.exposure;
    Some((before, after))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Removing a grant, membership, credential or edge, a shorter retention or a dropped
    /// category never increases the worst-case exposure.
    #[test]
    fn a_fix_never_increases_worst_case_exposure(seed in 0u64..5_000, pick in 0usize..50, kind in 0usize..6) {
        if let Some((before, after)) = before_after(seed, pick, kind) {
            prop_assert!(after <= before, "kind {kind}: {before} → {after}");
        }
    }
}

#[test]
fn design_files_combine_from_the_command_line() {
    let dir = files(&[
        ("small.toml", SMALL),
        ("s.toml", "model = \"small.toml\"\n[attack]\ncompromised = [\"p\"]\n[simulation]\ntrials = 200\n[[design]]\nname = \"review\"\nchanges = [{ op = \"review_access\", unused_days = 100 }]\n"),
        ("fixes/grants.toml", "[[design]]\nname = \"no-a\"\nchanges = [{ op = \"remove_grant\", principal = \"g\", target = \"a\" }]\n"),
    ]);
    let out = run_in(
        dir.path(),
        &[
            "run",
            "s.toml",
            "--design",
            "fixes/grants.toml",
            "--combine",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let designs = v["designs"].as_array().unwrap();
    let names: Vec<&str> = designs
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["review", "no-a", "review + no-a"]);
    let exposure: Vec<f64> = designs
        .iter()
        .map(|d| d["deterministic"]["exposure"].as_f64().unwrap())
        .collect();
    assert_eq!(exposure, [10_250.0, 5_250.0, 3_250.0]);
    assert_eq!(designs[1]["delta"]["exposure"], -7_000);
}

#[test]
fn unknown_ids_and_operations_in_designs_are_input_errors() {
    let dir = files(&[
        ("small.toml", SMALL),
        (
            "s.toml",
            "model = \"small.toml\"\n[attack]\ncompromised = [\"p\"]\n[[design]]\nname = \"bad\"\nchanges = [\n  { op = \"remove_grant\", principal = \"gg\", target = \"a\" },\n  { op = \"set_mfaa\", accounts = \"u\" },\n  { op = \"set_retention\", store = \"store:*\", days = 3 },\n  { op = \"remove_grant\", principal = \"u\", target = \"a\" },\n]\n",
        ),
    ]);
    let out = run_in(dir.path(), &["run", "s.toml"]);
    assert_fails_with(
        &out,
        &[
            "s.toml:7:3: error: design `bad`: remove_grant principal: unknown account or group `gg`; did you mean `g`?",
            "s.toml:8:3: error: design `bad`: unknown design operation `set_mfaa`; did you mean `set_mfa`?",
            "s.toml:10:3: error: design `bad`: `remove_grant u → a` changes nothing in this model",
        ],
    );
    assert!(
        !out.stderr.contains("store:*"),
        "a kind glob is valid: {}",
        out.stderr
    );
}

#[test]
fn demo_designs_match_hand_computation() {
    let v = run_json(&[
        "compare",
        "scenarios/leaked-mdm-key.toml",
        "--worst-case-only",
    ]);
    let rows: Vec<(String, f64, u64)> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["design"].as_str().unwrap().to_string(),
                r["worst_case_exposure"].as_f64().unwrap(),
                r["worst_case_records"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("baseline", 133_690_380.0, 28_474_318),
        // activity-metrics and the ETL account drop out of reach.
        ("etl-secret-out-of-config", 88_725_380.0, 19_481_318),
        // The backup copy of GPS falls back to the source's 30 days: 720,000; commands 400 × 14.
        ("snapshots-14d", 120_608_780.0, 27_003_918),
        // GPS gone at the source and from the backup copy.
        ("no-gps-collection", 114_250_380.0, 26_314_318),
        // Telemetry 96,000 × 0.25 × 180; activity-metrics out of reach.
        ("sampled-telemetry", 36_885_380.0, 6_521_318),
    ];
    for (row, (name, exposure, records)) in rows.iter().zip(expected) {
        assert_eq!(row, &(name.to_string(), exposure, records));
    }
    let v = run_json(&[
        "compare",
        "scenarios/phished-manager.toml",
        "--worst-case-only",
    ]);
    let exposures: Vec<f64> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["worst_case_exposure"].as_f64().unwrap())
        .collect();
    assert_eq!(
        exposures,
        [
            106_030_100.0,
            67_780_100.0,
            95_252_100.0,
            101_382_100.0,
            51_817_100.0
        ]
    );
}

fn search(
    objective: blastradius::engine::recommend::Objective,
    budget: f64,
) -> blastradius::engine::recommend::Search {
    blastradius::engine::recommend::Search {
        objective,
        budget,
        costs: Default::default(),
        retention_days: 30,
        include_entry_links: false,
        target: None,
        keep: Vec::new(),
        weights: None,
    }
}

/// On SMALL from p the entry points' own access is left out: u's links and those of its group
/// g (g's grants on a and b are u's access). Of the rest, per unit of cost: a 30-day retention
/// at a cuts 7,000 for 3 (2,333 each: loc is then 30 days in a and in b's copy, 3,000), svc's
/// grant on c 2,000 for 1, dropping loc at a 10,000 for 5 (2,000 each), the credential sys → svc
/// 2,000 for 2, c's retention 1,700 for 3. So: the retention cut (→ 5,250), svc → c (→ 3,250),
/// then dropping loc at a (its 300 days-records × 10 and the copy's: → 250, hr's 50 × 5), which
/// spends 9 of 10; nothing left costs 1.
#[test]
fn recommend_is_greedy_by_reduction_per_cost() {
    use blastradius::engine::recommend::{recommend, Objective};
    let m = small();
    let p = m.node_id("p").unwrap();
    let found = recommend(&m, &[p], &search(Objective::WorstCase, 10.0), &NoProgress);
    // The starting figure is the exposure the first fix starts from.
    assert_eq!(found.start, found.steps[0].before);
    let got: Vec<(String, f64)> = found
        .steps
        .iter()
        .map(|s| (s.change.describe(), s.after))
        .collect();
    assert_eq!(
        got,
        [
            ("set_retention at a = 30 days".to_string(), 5_250.0),
            ("remove_grant svc → c".to_string(), 3_250.0),
            ("drop_category loc at a".to_string(), 250.0),
        ]
    );
    // The budget binds: with 2, only svc → c (cost 1) fits and cuts; the credential (cost 2)
    // then cuts nothing more.
    assert_eq!(
        recommend(&m, &[p], &search(Objective::WorstCase, 2.0), &NoProgress)
            .steps
            .len(),
        1
    );
    // On the same draws the expected objective agrees on the first fix.
    let e = recommend(
        &m,
        &[p],
        &search(
            Objective::Expected {
                trials: 2_000,
                seed: 1,
                detection: None,
            },
            1.0,
        ),
        &NoProgress,
    );
    assert_eq!(e.steps[0].change.describe(), "remove_grant svc → c");
    assert!(e.steps[0].after < e.steps[0].before);
    assert_eq!(e.start, e.steps[0].before);
}

#[test]
fn choke_points_are_tree_steps_ranked_by_cut() {
    use blastradius::engine::recommend::choke_points;
    let a = Analysis::new(small());
    let p = a.model.node_id("p").unwrap();
    let points = choke_points(&a, &[p], 10);
    let described: Vec<(String, String, f64)> = points
        .iter()
        .map(|c| {
            let e = a.graph.edge(c.edge);
            (
                a.model.id(e.from).to_string(),
                a.model.id(e.to).to_string(),
                c.with - c.without,
            )
        })
        .collect();
    // p → u cuts everything (12,250); u → g cuts a and b (1,000 × 10 + 50 × 5 = 10,250);
    // g → a leaves b's 30-day copy (7,000); svc → c cuts c's 400 × 5.
    assert_eq!(described[0], ("p".into(), "u".into(), 12_250.0));
    assert!(described.contains(&("u".into(), "g".into(), 10_250.0)));
    assert!(described.contains(&("g".into(), "a".into(), 7_000.0)));
    assert!(described.contains(&("svc".into(), "c".into(), 2_000.0)));
    // g → b is on the tree but cuts nothing (its copy of a's records is counted once with a).
    assert!(!described.iter().any(|(f, t, _)| f == "g" && t == "b"));
}

#[test]
fn recommend_from_the_command_line() {
    let v = run_json(&[
        "recommend",
        "scenarios/phished-manager.toml",
        "--budget",
        "5",
        "--all-accounts",
    ]);
    // The grants of site-managers are the phished manager's own access (her group's): left
    // out. Dropping badge-logs' imprecise locations takes 6,640,000 records × 8 off.
    let fixes = v["fixes"].as_array().unwrap();
    assert_eq!(fixes.len(), 1);
    assert_eq!(
        fixes[0]["fix"],
        "drop_category user.location.imprecise at badge-logs"
    );
    assert_eq!(
        fixes[0]["exposure_after"],
        106_030_100.0 - 6_640_000.0 * 8.0
    );
    assert_eq!(fixes[0]["removes"]["records"], 6_640_000);
    assert!(v["choke_points_all_accounts"].as_array().unwrap().len() > 3);
    // Allowed to cut the entry's own access, one membership ends the scenario.
    let v = run_json(&[
        "recommend",
        "scenarios/phished-manager.toml",
        "--budget",
        "2",
        "--include-entry-links",
    ]);
    assert_eq!(
        v["fixes"][0]["fix"],
        "remove_member dana-okafor-u from site-managers"
    );
    assert_eq!(v["fixes"][0]["exposure_after"], 0.0);
}
