//! People affected and notification duty against hand computation, and their laws.

use blastradius::engine::exposure::people_affected;
use blastradius::engine::NoProgress;
use blastradius::evaluate::{evaluate, Depth};
use blastradius::load::parse_model;
use blastradius::results::RunReport;
use blastradius::scenario::{Scenario, Simulation};
use blastradius::Analysis;
use proptest::prelude::*;

use crate::models::{load, random_model, Shape};

/// Stores a and b (a flows into b), c apart; the attacker reaches whichever stores `reach`
/// names through one group.
fn model(sets: &str, flows: bool, reach: &[&str]) -> String {
    let grants: String = reach
        .iter()
        .map(|s| format!("[[grant]]\nprincipal = \"g\"\ntarget = \"{s}\"\naccess = \"read\"\n"))
        .collect();
    format!(
        r#"[org]
program_age_days = 100
[populations]
staff = 1000
[notification]
health = ["user.health"]
everything = ["user"]
[categories]
user = 1
[[person]]
id = "p"
accounts = ["u"]
[[account]]
id = "u"
groups = ["g"]
[[group]]
id = "g"
[[store]]
id = "a"
retention_days = 10
records = [{sets}]
[[store]]
id = "b"
retention_days = 10
[[store]]
id = "c"
retention_days = 10
records = [{{ category = "user.location", count = 5, subjects = "staff", coverage = 0.2 }}]
{}
{grants}"#,
        if flows {
            "[[flow]]\nfrom = \"a\"\nto = \"b\"\n"
        } else {
            ""
        }
    )
}

fn people(text: &str) -> (f64, f64, f64, f64) {
    let a = Analysis::new(parse_model(text, "m.toml").unwrap().model);
    let p = a.model.node_id("p").unwrap();
    let wc = a.worst_case(&[p]);
    let staff = wc.exposure.people_affected["staff"];
    let health = wc.exposure.notifiable["health"]["staff"];
    (staff.expected, staff.low, staff.high, health)
}

#[test]
fn one_set() {
    let t = model(
        r#"{ category = "user.health.diagnosis", count = 9, subjects = "staff", coverage = 0.4 }"#,
        false,
        &["a"],
    );
    assert_eq!(people(&t), (400.0, 400.0, 400.0, 400.0));
}

#[test]
fn two_independent_sets() {
    // 0.4 at a and 0.2 at c: 1000 × (1 − 0.6 × 0.8) = 520; bounds 400 and 600.
    let t = model(
        r#"{ category = "user.health.diagnosis", count = 9, subjects = "staff", coverage = 0.4 }"#,
        false,
        &["a", "c"],
    );
    let (e, lo, hi, health) = people(&t);
    assert!((e - 520.0).abs() < 1e-9);
    assert_eq!(lo, 400.0);
    assert!((hi - 600.0).abs() < 1e-9);
    // Only the health set is notifiable under `health`.
    assert!((health - 400.0).abs() < 1e-9);
}

#[test]
fn a_set_and_its_copy_count_once() {
    // a's set flows into b; both leak: still one set of coverage 0.4, not two.
    let t = model(
        r#"{ category = "user.health.diagnosis", count = 9, subjects = "staff", coverage = 0.4 }"#,
        true,
        &["a", "b"],
    );
    assert_eq!(people(&t), (400.0, 400.0, 400.0, 400.0));
    // The copy alone exposes the same people.
    let t = model(
        r#"{ category = "user.health.diagnosis", count = 9, subjects = "staff", coverage = 0.4 }"#,
        true,
        &["b"],
    );
    assert_eq!(people(&t), (400.0, 400.0, 400.0, 400.0));
}

#[test]
fn coverage_one_is_everyone() {
    let t = model(
        r#"{ category = "user.health", count = 9, subjects = "staff", coverage = 1.0 }"#,
        false,
        &["a", "c"],
    );
    assert_eq!(people(&t), (1000.0, 1000.0, 1000.0, 1000.0));
}

#[test]
fn regimes_follow_category_prefixes() {
    let t = model(
        r#"{ category = "user.health.diagnosis", count = 9, subjects = "staff", coverage = 0.5 }"#,
        false,
        &["a", "c"],
    );
    let a = Analysis::new(parse_model(&t, "m.toml").unwrap().model);
    let wc = a.worst_case(&[a.model.node_id("p").unwrap()]);
    // `health` covers user.health.* only: 500; `everything` covers user.*: 1000 × (1 − .5 × .8).
    assert!((wc.exposure.notifiable["health"]["staff"] - 500.0).abs() < 1e-9);
    assert!((wc.exposure.notifiable["everything"]["staff"] - 600.0).abs() < 1e-9);
}

#[test]
fn a_design_that_drops_the_only_notifiable_set() {
    let t = model(
        r#"{ category = "user.health.diagnosis", count = 9, subjects = "staff", coverage = 0.5 }"#,
        false,
        &["a", "c"],
    );
    let m = parse_model(&t, "m.toml").unwrap().model;
    let value: toml::Value =
        toml::from_str(r#"c = { op = "drop_category", store = "a", category = "user.health" }"#)
            .unwrap();
    let change = blastradius::load::design::parse_change(&m, &value["c"]).unwrap();
    let s = Scenario {
        name: "t".into(),
        description: None,
        model_path: "m.toml".into(),
        compromised: vec![m.node_id("p").unwrap()],
        simulation: Simulation {
            trials: 500,
            seed: 1,
            detection: None,
        },
        designs: vec![blastradius::design::Design {
            name: "no-health".into(),
            description: None,
            changes: vec![change],
            cost_per_year: None,
        }],
        costs: Default::default(),
        costs_per_year: None,
        frequency_per_year: None,
        vector: None,
        keep: Vec::new(),
    };
    let r = RunReport::of(&s, &evaluate(&s, m, Depth::MonteCarlo, &NoProgress));
    let d = &r.designs[0];
    assert_eq!(d.deterministic.notifiable["health"]["staff"], 0.0);
    assert!((d.delta.notifiable["health"]["staff"] + 500.0).abs() < 1e-9);
    // Everyone affected: 600 before, 200 (c alone) after.
    assert!((d.delta.people_affected["staff"] + 400.0).abs() < 1e-9);
    let mc = d.monte_carlo.as_ref().unwrap();
    assert_eq!(mc.notifiable["health"]["staff"].p_any, 0.0);
    assert_eq!(
        r.baseline.monte_carlo.as_ref().unwrap().notifiable["health"]["staff"].p_any,
        1.0
    );
}

proptest! {
    #[test]
    fn adding_a_leaked_set_never_lowers_people_affected(
        size in 0u64..100_000,
        covs in proptest::collection::vec(0.0f64..=1.0, 0..12),
        extra in 0.0f64..=1.0,
    ) {
        let before = people_affected(size, covs.iter().copied());
        let after = people_affected(size, covs.iter().copied().chain([extra]));
        prop_assert!(after.expected >= before.expected - 1e-9);
        prop_assert!(after.low >= before.low && after.high >= before.high);
        for p in [before, after] {
            prop_assert!(p.low <= p.expected + 1e-9);
            prop_assert!(p.expected <= p.high + 1e-9);
            prop_assert!(p.high <= size as f64);
        }
    }

    #[test]
    fn bounds_hold_on_random_models(seed in 0u64..2_000) {
        let a = load(&random_model(seed, Shape { people: 5, groups: 3, systems: 2, stores: 5 }, false));
        let wc = a.worst_case(&[a.model.node_id("person-0").unwrap()]);
        for (pop, p) in &wc.exposure.people_affected {
            let size = a.model.populations[pop] as f64;
            prop_assert!(p.low <= p.expected + 1e-9 && p.expected <= p.high + 1e-9 && p.high <= size);
        }
    }
}
