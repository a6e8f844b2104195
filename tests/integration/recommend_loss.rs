//! `recommend --objective loss` (DESIGN.md "Money") against hand computations: on a model
//! with no chance in it every trial is the worst case, so each candidate's annual loss is
//! frequency × one hand-computed loss, and the best fix at each step is known by hand.

use serde_json::Value;

use crate::util::{assert_fails_with, files, run_in};

/// Person p → account u, which assumes group g's role (a custom step, which no fix removes) →
/// g reads store a (100 health records) and store b (1,000 contact records), all for sure. One
/// incident costs 5,000 + 100 × 50 + 1,000 × 2 = 12,000 EUR; at 0.5 a year, 6,000 EUR a year.
/// (u is not a member of g, so g's grants are fixes the search may offer: an entry point's
/// groups' grants are its own access, which the search leaves alone.)
const MODEL: &str = r#"[[person]]
id = "p"
accounts = ["u"]
[[account]]
id = "u"
[[group]]
id = "g"
[[edge]]
from = "u"
to = "g"
kind = "can_assume"
[[store]]
id = "a"
records = [{ category = "user.health", count = 100 }]
[[store]]
id = "b"
records = [{ category = "user.contact", count = 1000 }]
[[grant]]
principal = "g"
target = "a"
access = "read"
[[grant]]
principal = "g"
target = "b"
access = "read"

[money]
currency = "EUR"
per_incident = 5000
[money.per_record]
"user" = 2
"user.health" = 50
"#;

fn scenario(extra: &str) -> String {
    format!(
        r#"model = "m.toml"
name = "loss"
[attack]
compromised = ["p"]
frequency_per_year = 0.5
[simulation]
trials = 200
seed = 3
{extra}"#
    )
}

fn recommend(model: &str, scenario: &str, args: &[&str]) -> Value {
    let dir = files(&[("m.toml", model), ("s.toml", scenario)]);
    let mut all = vec![
        "recommend",
        "s.toml",
        "--objective",
        "loss",
        "--format",
        "json",
    ];
    all.extend_from_slice(args);
    let out = run_in(dir.path(), &all);
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

fn close(a: &Value, b: f64) -> bool {
    (a.as_f64().unwrap() - b).abs() < 1e-6 * b.abs().max(1.0)
}

#[test]
fn the_fix_with_the_best_return_that_pays_for_itself_comes_first() {
    // Priced a year: a grant 1,000, a dropped category 3,000.
    //   remove g→a: loss 5,000 + 2,000 = 7,000, a year 3,500: saves 2,500 for 1,000 (2.5 per EUR)
    //   remove g→b: loss 5,000 + 5,000 = 10,000, a year 5,000: saves 1,000 for 1,000 (no net gain)
    //   drop user.health at a: saves 2,500 for 3,000 (costs more than it saves)
    //   drop user.contact at b: saves 1,000 for 3,000
    // So first remove g→a (net 1,500, return 1.5); then nothing leaks but b, and removing g→b
    // saves the whole 3,500 for 1,000 (net 2,500, return 2.5), dropping its contacts 3,500 for
    // 3,000 (1.17 per EUR).
    let s = scenario("[costs_per_year]\nremove_grant = 1000\ndrop_category = 3000\n");
    let r = recommend(MODEL, &s, &[]);
    assert_eq!(r["currency"], "EUR");
    assert_eq!(
        r["costs_assumed"], true,
        "remove_member and others are not priced"
    );
    assert!(r["budget"].is_null(), "no limit by default");
    assert!(
        close(&r["exposure_before"], 6000.0),
        "{}",
        r["exposure_before"]
    );
    let fixes = r["fixes"].as_array().unwrap();
    assert_eq!(fixes.len(), 2, "{fixes:#?}");
    let expect = [
        ("remove_grant g → a", 1000.0, 3500.0, 2500.0, 1500.0, 1.5),
        ("remove_grant g → b", 1000.0, 0.0, 3500.0, 2500.0, 2.5),
    ];
    for (f, (fix, cost, after, saves, net, ret)) in fixes.iter().zip(expect) {
        assert_eq!(f["fix"], fix);
        assert!(close(&f["cost"], cost));
        assert!(close(&f["exposure_after"], after), "{f}");
        assert!(close(&f["reduction"], saves), "{f}");
        assert!(close(&f["net_benefit_per_year"], net), "{f}");
        assert!(close(&f["return_on_control"], ret), "{f}");
    }
    assert!(close(&r["spent"], 2000.0));

    // A budget of 1,500 a year buys the first only.
    let r = recommend(MODEL, &s, &["--budget", "1500"]);
    assert_eq!(r["fixes"].as_array().unwrap().len(), 1);
    assert!(close(&r["budget"], 1500.0));

    // The table lists each step's cost, saving, net benefit and return.
    let dir = files(&[("m.toml", MODEL), ("s.toml", &s)]);
    let out = run_in(
        dir.path(),
        &["recommend", "s.toml", "--objective", "loss", "-q"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("start: expected annual loss EUR 6,000"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("cost EUR 1,000 a year  → annual loss EUR 3,500  saves EUR 2,500, net EUR 1,500, return 1.5×"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("In all: saves EUR 6,000 a year for EUR 2,000 — net EUR 4,000 a year"),
        "{}",
        out.stdout
    );
}

#[test]
fn unpriced_kinds_cost_their_effort_times_a_thousand_and_a_fix_must_pay() {
    // No [costs_per_year]: a grant's effort of 3 costs 3,000 a year, a dropped category's
    // default effort of 5 costs 5,000; no fix saves that much (at most 2,500 a year).
    let s = scenario("[costs]\nremove_grant = 3\n");
    let r = recommend(MODEL, &s, &[]);
    assert!(r["fixes"].as_array().unwrap().is_empty(), "{r:#}");
    assert_eq!(r["costs_assumed"], true);
    assert!(close(&r["costs_per_year"]["remove_grant"], 3000.0));
    assert!(close(&r["costs_per_year"]["drop_category"], 5000.0));
    // An effort of 0.5 prices a dropped category at 500 a year (grants at 3,000 still): the
    // health records first (2,500 for 500, return 4), then the contacts, the last records, so
    // the incident's fixed cost goes too (3,500 for 500, net 3,000).
    let s = scenario("[costs]\nremove_grant = 3\ndrop_category = 0.5\n");
    let r = recommend(MODEL, &s, &[]);
    let fixes = r["fixes"].as_array().unwrap();
    assert_eq!(fixes.len(), 2, "{r:#}");
    assert_eq!(fixes[0]["fix"], "drop_category user.health at a");
    assert!(close(&fixes[0]["return_on_control"], 4.0), "{}", fixes[0]);
    assert!(
        close(&fixes[1]["net_benefit_per_year"], 3000.0),
        "{}",
        fixes[1]
    );
    // [costs_per_year] overrides: drop_category at 3,000 a year no longer pays.
    let s = scenario(
        "[costs]\nremove_grant = 3\ndrop_category = 0.5\n[costs_per_year]\ndrop_category = 3000\n",
    );
    let r = recommend(MODEL, &s, &[]);
    assert!(r["fixes"].as_array().unwrap().is_empty(), "{r:#}");
}

#[test]
fn the_start_is_runs_annual_loss_on_the_same_draws() {
    // Store b read with p = 0.5: trials differ, and the search starts from run's annual mean.
    let model = MODEL.replace(
        "target = \"b\"\naccess = \"read\"",
        "target = \"b\"\naccess = \"read\"\np = 0.5",
    );
    let s = scenario("[costs_per_year]\nremove_grant = 1000\n");
    let dir = files(&[("m.toml", &model), ("s.toml", &s)]);
    let out = run_in(dir.path(), &["run", "s.toml", "--format", "json", "-q"]);
    let run: Value = serde_json::from_str(&out.stdout).unwrap();
    let annual = run["baseline"]["monte_carlo"]["annual_loss"]["mean"]
        .as_f64()
        .unwrap();
    let r = recommend(&model, &s, &[]);
    assert!(
        close(&r["exposure_before"], annual),
        "{} vs {annual}",
        r["exposure_before"]
    );
    // Removing g→a saves 5,000 of a trial in which b leaks and 10,000 otherwise (about 3,750
    // a year for 1,000); removing g→b saves 2,000 in half the trials (about 500: it cannot pay).
    assert_eq!(r["fixes"][0]["fix"], "remove_grant g → a");
}

#[test]
fn what_the_loss_objective_lacks_is_said() {
    let priced = "[costs_per_year]\nremove_grant = 1000\n";
    let plain = MODEL.split("[money]").next().unwrap();
    let cases = [
        (plain.to_string(), scenario(priced), "[money]"),
        (
            MODEL.to_string(),
            scenario(priced).replace("frequency_per_year = 0.5\n", ""),
            "frequency_per_year",
        ),
    ];
    for (model, s, what) in cases {
        let dir = files(&[("m.toml", &model), ("s.toml", &s)]);
        let out = run_in(dir.path(), &["recommend", "s.toml", "--objective", "loss"]);
        assert_fails_with(&out, &["--objective loss needs", what]);
    }
    let s = scenario("[costs_per_year]\nremove_grnat = 1000\n");
    let dir = files(&[("m.toml", MODEL), ("s.toml", &s)]);
    let out = run_in(dir.path(), &["recommend", "s.toml", "--objective", "loss"]);
    assert_fails_with(&out, &["[costs_per_year] `remove_grnat`", "remove_grant"]);
}
