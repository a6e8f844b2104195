//! `recommend` with goals and constraints: `--target`, `[[keep]]`, the entry points' own access
//! and `--objective org`, on a model whose figures are worked out by hand; and greedy against
//! the exact optimum found by enumeration on small random models, with an evaluator written
//! here.

use std::collections::BTreeSet;

use blastradius::engine::recommend::{recommend, Objective, Search};
use blastradius::engine::NoProgress;
use blastradius::model::NodeKind;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use crate::util::{assert_fails_with, files, run_in};

/// The vendor's consultant v (account v-u in group vendor) reads the share (100 `c` records,
/// weight 1) and administers the ETL host, which holds svc's credential; svc reads the lake
/// (1,000 `h`, weight 10) and, through admins, HR (500 `h`). ops is in admins.
///
/// Worst case from v: 100 + 10,000 + 5,000 = 15,100. The entry points' own access is v-u's
/// membership and the vendor group's grants (the share is the vendor's only data access). Of
/// the rest (default costs: grant and membership 1, credential 2, dropped category 5): svc →
/// lake cuts 10,000 for 1; admins → hr and svc's membership of admins 5,000 for 1; the
/// credential 15,000 for 2; dropping h at the lake 10,000 for 5, at HR 5,000, c at the share
/// 100.
const MODEL: &str = r#"[org]
program_age_days = 100
[categories]
h = 10
c = 1
[[person]]
id = "v"
accounts = ["v-u"]
[[account]]
id = "v-u"
groups = ["vendor"]
[[account]]
id = "ops"
groups = ["admins"]
[[account]]
id = "svc"
groups = ["admins"]
[[group]]
id = "vendor"
[[group]]
id = "admins"
[[system]]
id = "etl"
credentials = ["svc"]
[[store]]
id = "share"
records = [{ category = "c", count = 100 }]
[[store]]
id = "lake"
records = [{ category = "h", count = 1000 }]
[[store]]
id = "hr"
records = [{ category = "h", count = 500 }]
[[grant]]
principal = "vendor"
target = "share"
access = "read"
[[grant]]
principal = "vendor"
target = "etl"
access = "admin"
[[grant]]
principal = "svc"
target = "lake"
access = "read"
[[grant]]
principal = "admins"
target = "hr"
access = "read"
"#;

const SCENARIO: &str = "model = \"m.toml\"\nname = \"vendor\"\n[attack]\ncompromised = [\"v\"]\n";

fn recommend_json(scenario_extra: &str, args: &[&str]) -> Value {
    let scenario = format!("{SCENARIO}{scenario_extra}");
    let dir = files(&[("m.toml", MODEL), ("s.toml", &scenario)]);
    let mut all = vec!["recommend", "s.toml", "--format", "json", "-q"];
    all.extend_from_slice(args);
    let out = run_in(dir.path(), &all);
    assert_eq!(out.code, 0, "{all:?}: {}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

fn plan(v: &Value) -> Vec<(String, f64)> {
    v["fixes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["fix"].as_str().unwrap().to_string(),
                f["exposure_after"].as_f64().unwrap(),
            )
        })
        .collect()
}

fn fixes(list: &[(&str, f64)]) -> Vec<(String, f64)> {
    list.iter().map(|(f, x)| (f.to_string(), *x)).collect()
}

#[test]
fn the_entry_points_own_access_includes_their_groups_grants() {
    // Budget 10: svc → lake (→ 5,100), then admins → hr (ties with svc's membership at 5,000
    // for 1; the first in description order) → 100, then dropping c at the share (5) → 0.
    let v = recommend_json("", &[]);
    assert_eq!(
        plan(&v),
        fixes(&[
            ("remove_grant svc → lake", 5_100.0),
            ("remove_grant admins → hr", 100.0),
            ("drop_category c at share", 0.0),
        ])
    );
    assert!(!plan(&v).iter().any(|(f, _)| f.contains("vendor")));
    // Each step: its cost, its cut and what it removes.
    let first = &v["fixes"][0];
    assert_eq!(first["cost"], 1.0);
    assert_eq!(first["reduction"], 10_000.0);
    // JSON keeps six significant digits of a fraction (README "Numbers").
    assert!((first["cut_percent"].as_f64().unwrap() - 100.0 * 10_000.0 / 15_100.0).abs() < 1e-4);
    assert_eq!(first["removes"]["records"], 1000);
    assert_eq!(first["removes"]["stores"], serde_json::json!(["lake"]));
    // Allowed to, one membership (v-u's of vendor) ends the scenario.
    let v = recommend_json("", &["--include-entry-links", "--budget", "1"]);
    assert_eq!(plan(&v), fixes(&[("remove_member v-u from vendor", 0.0)]));
}

#[test]
fn a_target_stops_at_the_cheapest_plan_found_that_reaches_it() {
    // 50% (to 7,550): svc → lake alone reaches it (5,100) for 1.
    let v = recommend_json("", &["--target", "50%"]);
    assert_eq!(plan(&v), fixes(&[("remove_grant svc → lake", 5_100.0)]));
    assert_eq!(v["target_percent"], 50.0);
    assert_eq!(v["target_reached"], true);
    assert!(v["budget"].is_null(), "a target lifts the default budget");
    // 99% (to 151): the credential alone reaches 100 for 2, but the rest of the cut (14,949)
    // at svc → lake's rate (10,000 a unit) would cost 1.49: svc → lake first, then admins → hr
    // finishes (100), also for 2.
    let v = recommend_json("", &["--target", "99%"]);
    assert_eq!(
        plan(&v),
        fixes(&[
            ("remove_grant svc → lake", 5_100.0),
            ("remove_grant admins → hr", 100.0),
        ])
    );
    assert_eq!(v["spent"], 2.0);
    // 99.5% (to 75.5): no single fix reaches it; by cut per cost svc → lake, admins → hr, then
    // dropping c at the share finishes it: cost 7, none of them redundant.
    let v = recommend_json("", &["--target", "99.5"]);
    assert_eq!(
        plan(&v),
        fixes(&[
            ("remove_grant svc → lake", 5_100.0),
            ("remove_grant admins → hr", 100.0),
            ("drop_category c at share", 0.0),
        ])
    );
    assert_eq!(v["spent"], 7.0);
    // Within a budget of 1 the best is svc → lake; the target is not reached, and why is said.
    let v = recommend_json("", &["--target", "99%", "--budget", "1"]);
    assert_eq!(plan(&v), fixes(&[("remove_grant svc → lake", 5_100.0)]));
    assert_eq!(v["target_reached"], false);
    assert!(
        v["stopped"].as_str().unwrap().contains("budget is spent"),
        "{}",
        v["stopped"]
    );
}

#[test]
fn kept_access_is_never_removed() {
    let keep = "[[keep]]\nprincipal = \"svc\"\ntarget = \"lake\"\nwhy = \"nightly ETL\"\n";
    // 50%: with svc → lake kept, the credential (cost 2) is the cheapest fix reaching 7,550.
    let v = recommend_json(keep, &["--target", "50%"]);
    assert_eq!(
        plan(&v),
        fixes(&[("remove_credential svc held by etl", 100.0)])
    );
    assert_eq!(v["keep"], serde_json::json!(["svc → lake (nightly ETL)"]));
    // Keep the credential too: only dropping h at the lake takes the lake's 10,000 (cost 5).
    let both = format!("{keep}[[keep]]\nprincipal = \"etl\"\ntarget = \"account:sv*\"\n");
    let v = recommend_json(&both, &["--target", "50%"]);
    assert_eq!(plan(&v), fixes(&[("drop_category h at lake", 5_100.0)]));
}

#[test]
fn bad_goals_and_constraints_are_errors() {
    let run = |extra: &str, args: &[&str]| {
        let scenario = format!("{SCENARIO}{extra}");
        let dir = files(&[("m.toml", MODEL), ("s.toml", &scenario)]);
        let mut all = vec!["recommend", "s.toml"];
        all.extend_from_slice(args);
        run_in(dir.path(), &all)
    };
    for t in [
        "--target=0%",
        "--target=100%",
        "--target=150",
        "--target=-5%",
    ] {
        assert_fails_with(&run("", &[t]), &["--target", "more than 0%"]);
    }
    assert_fails_with(&run("", &["--target", "half"]), &["--target `half`"]);
    // A bare fraction is refused, not read as a tiny percentage; with % it is taken.
    assert_fails_with(
        &run("", &["--target", "0.5"]),
        &["--target `0.5` is ambiguous", "50%", "0.5%"],
    );
    let ok = run("", &["--target", "0.5%"]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    let out = run("[[keep]]\nprincipal = \"svx\"\ntarget = \"lake\"\n", &[]);
    assert_fails_with(
        &out,
        &["s.toml:", "[[keep]] principal", "did you mean `svc`"],
    );
    let out = run(
        "[[keep]]\nprincipal = \"svc\"\ntarget = \"store:lak*x\"\n",
        &[],
    );
    assert_fails_with(
        &out,
        &["[[keep]] target", "matches no", "did you mean `lake`"],
    );
    let out = run("[[keep]]\nprincipal = \"ops\"\ntarget = \"lake\"\n", &[]);
    assert_fails_with(&out, &["ops → lake", "keeps nothing"]);
}

#[test]
fn the_organisation_wide_objective_sums_every_account_by_the_sweep() {
    // Every account alone: v-u 15,100; ops 5,000 (HR); svc 15,000 (lake and HR): 35,100.
    // Cuts (no entry points here): svc → lake 10,000 from v-u and from svc (20,000, cost 1);
    // admins → hr 5,000 from each of the three (15,000); v-u's membership 15,100 (cost 1 each).
    let v = recommend_json("", &["--objective", "org", "--budget", "1"]);
    assert_eq!(v["exposure_before"], 35_100.0);
    assert_eq!(plan(&v), fixes(&[("remove_grant svc → lake", 15_100.0)]));
    assert_eq!(v["fixes"][0]["removes"]["sources"], 2);
    assert_eq!(v["fixes"][0]["removes"]["records"], 2000);
    // Keeping svc → lake: v-u's membership of vendor (15,100, all of v-u's; the entry rule
    // has no say here) beats admins → hr (15,000) → 20,000.
    let keep = "[[keep]]\nprincipal = \"svc\"\ntarget = \"lake\"\n";
    let v = recommend_json(keep, &["--objective", "org", "--budget", "1"]);
    assert_eq!(
        plan(&v),
        fixes(&[("remove_member v-u from vendor", 20_000.0)])
    );

    // Weights (the entry likelihood of each account, once a vector gives them): v-u 0.5, ops
    // 0, svc 1: 7,550 + 0 + 15,000 = 22,550. svc → lake cuts 0.5 × 10,000 + 10,000 = 15,000;
    // v-u's membership 7,550; admins → hr 2,500 + 5,000.
    let m = blastradius::load::parse_model(MODEL, "m.toml")
        .unwrap()
        .model;
    let weights: Vec<f64> = m
        .nodes_of(NodeKind::Account)
        .map(|a| match m.id(a) {
            "v-u" => 0.5,
            "ops" => 0.0,
            _ => 1.0,
        })
        .collect();
    let search = Search {
        objective: Objective::Org {
            kind: NodeKind::Account,
        },
        budget: 1.0,
        costs: Default::default(),
        retention_days: 30,
        include_entry_links: false,
        target: None,
        keep: Vec::new(),
        weights: Some(weights),
    };
    let found = recommend(&m, &[], &search, &NoProgress);
    assert_eq!(found.start, 22_550.0);
    assert_eq!(found.steps.len(), 1);
    assert_eq!(found.steps[0].change.describe(), "remove_grant svc → lake");
    assert_eq!(found.steps[0].after, 7_550.0);
}

/// A random small organisation: person p owns account a0 (the entry); accounts and groups in
/// groups, grants to stores (read) and systems (admin), systems holding account credentials,
/// stores holding counted records of two categories.
struct Random {
    accounts: usize,
    groups: usize,
    systems: usize,
    /// (store, category, count) with category 0 (`x`, weight 10) or 1 (`y`, weight 1).
    records: Vec<(usize, usize, u64)>,
    stores: usize,
    /// Links as (kind, from, to) over node names.
    links: Vec<(&'static str, String, String)>,
}

impl Random {
    fn new(rng: &mut rand::rngs::StdRng) -> Random {
        let (accounts, groups, systems, stores) = (
            rng.gen_range(2..=4),
            rng.gen_range(1..=3),
            rng.gen_range(0..=1),
            rng.gen_range(2..=4),
        );
        let mut links = Vec::new();
        let mut seen = BTreeSet::new();
        let mut add = |links: &mut Vec<_>, kind: &'static str, from: String, to: String| {
            if from != to && seen.insert((kind, from.clone(), to.clone())) {
                links.push((kind, from, to));
            }
        };
        let n_links = rng.gen_range(6..=12);
        for _ in 0..n_links {
            match rng.gen_range(0..4) {
                0 => {
                    let a = format!("a{}", rng.gen_range(0..accounts));
                    let g = format!("g{}", rng.gen_range(0..groups));
                    add(&mut links, "member", a, g);
                }
                1 | 2 => {
                    let from = match rng.gen_bool(0.5) {
                        true => format!("a{}", rng.gen_range(0..accounts)),
                        false => format!("g{}", rng.gen_range(0..groups)),
                    };
                    let to = match systems > 0 && rng.gen_bool(0.25) {
                        true => "sys0".to_string(),
                        false => format!("s{}", rng.gen_range(0..stores)),
                    };
                    add(&mut links, "grant", from, to);
                }
                _ if systems > 0 => {
                    let a = format!("a{}", rng.gen_range(0..accounts));
                    add(&mut links, "credential", "sys0".into(), a);
                }
                _ => {}
            }
        }
        let mut records = Vec::new();
        for s in 0..stores {
            for c in 0..2 {
                if rng.gen_bool(0.6) {
                    records.push((s, c, rng.gen_range(1..=50) * 10));
                }
            }
        }
        Random {
            accounts,
            groups,
            systems,
            records,
            stores,
            links,
        }
    }

    fn toml(&self) -> String {
        let mut t = String::from(
            "[categories]\nx = 10\ny = 1\n[[person]]\nid = \"p\"\naccounts = [\"a0\"]\n",
        );
        for a in 0..self.accounts {
            t += &format!("[[account]]\nid = \"a{a}\"\n");
        }
        for g in 0..self.groups {
            t += &format!("[[group]]\nid = \"g{g}\"\n");
        }
        for s in 0..self.stores {
            let recs: Vec<String> = self
                .records
                .iter()
                .filter(|r| r.0 == s)
                .map(|r| format!("{{ category = \"{}\", count = {} }}", ["x", "y"][r.1], r.2))
                .collect();
            t += &format!(
                "[[store]]\nid = \"s{s}\"\nrecords = [{}]\n",
                recs.join(", ")
            );
        }
        let creds: Vec<String> = self
            .links
            .iter()
            .filter(|l| l.0 == "credential")
            .map(|l| format!("\"{}\"", l.2))
            .collect();
        if self.systems > 0 {
            t += &format!(
                "[[system]]\nid = \"sys0\"\ncredentials = [{}]\n",
                creds.join(", ")
            );
        }
        for (kind, from, to) in &self.links {
            match *kind {
                "member" => {
                    t += &format!("[[membership]]\nmember = \"{from}\"\ngroup = \"{to}\"\n")
                }
                "grant" => {
                    let access = if to.starts_with("sys") {
                        "admin"
                    } else {
                        "read"
                    };
                    t += &format!(
                        "[[grant]]\nprincipal = \"{from}\"\ntarget = \"{to}\"\naccess = \"{access}\"\n"
                    )
                }
                _ => {}
            }
        }
        t
    }

    /// The fixes the search may offer: every grant, membership and credential that is not
    /// the entry's own (a0's, or of a group a0 is in), and every category dropped at a store
    /// that holds it; each as (description, cost).
    fn universe(&self) -> Vec<(String, f64)> {
        let mut entry: BTreeSet<String> = ["p".to_string(), "a0".to_string()].into();
        loop {
            let more: Vec<String> = self
                .links
                .iter()
                .filter(|l| l.0 == "member" && entry.contains(&l.1) && !entry.contains(&l.2))
                .map(|l| l.2.clone())
                .collect();
            if more.is_empty() {
                break;
            }
            entry.extend(more);
        }
        let mut out = Vec::new();
        for (kind, from, to) in &self.links {
            if entry.contains(from) {
                continue;
            }
            out.push(match *kind {
                "member" => (format!("remove_member {from} from {to}"), 1.0),
                "grant" => (format!("remove_grant {from} → {to}"), 1.0),
                _ => (format!("remove_credential {to} held by {from}"), 2.0),
            });
        }
        for &(s, c, _) in &self.records {
            out.push((format!("drop_category {} at s{s}", ["x", "y"][c]), 5.0));
        }
        out
    }

    /// Worst-case exposure from p with the fixes `done` (descriptions) made: a search over
    /// the links written here.
    fn exposure(&self, done: &BTreeSet<&str>) -> f64 {
        let universe = self.universe();
        let removed = |kind: &str, from: &str, to: &str| {
            let d = match kind {
                "member" => format!("remove_member {from} from {to}"),
                "grant" => format!("remove_grant {from} → {to}"),
                _ => format!("remove_credential {to} held by {from}"),
            };
            done.contains(d.as_str()) && universe.iter().any(|u| u.0 == d)
        };
        let mut reached: BTreeSet<String> = ["p".to_string(), "a0".to_string()].into();
        loop {
            let more: Vec<String> = self
                .links
                .iter()
                .filter(|l| reached.contains(&l.1) && !reached.contains(&l.2))
                .filter(|l| !removed(l.0, &l.1, &l.2))
                .map(|l| l.2.clone())
                .collect();
            if more.is_empty() {
                break;
            }
            reached.extend(more);
        }
        self.records
            .iter()
            .filter(|r| reached.contains(&format!("s{}", r.0)))
            .filter(|r| {
                !done.contains(format!("drop_category {} at s{}", ["x", "y"][r.1], r.0).as_str())
            })
            .map(|r| r.2 as f64 * [10.0, 1.0][r.1])
            .sum()
    }
}

/// Greedy (with the target rule and pruning) against the cheapest plan that reaches a 50% and a
/// 90% cut, found by trying every subset of the fixes on offer.
#[test]
fn greedy_against_the_exact_optimum_on_random_models() {
    for target in [0.5, 0.9] {
        greedy_against_optimum(target);
    }
}

fn greedy_against_optimum(target: f64) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(19);
    let (mut compared, mut optimal, mut worst_gap, mut total_gap) = (0, 0, 1.0f64, 0.0);
    let (mut offered, mut optimum_cost) = (0, 0.0);
    let mut attempts = 0;
    while compared < 60 {
        attempts += 1;
        assert!(
            attempts < 2000,
            "too few random models with something to fix"
        );
        let r = Random::new(&mut rng);
        let universe = r.universe();
        if universe.len() > 15 {
            continue;
        }
        let start = r.exposure(&BTreeSet::new());
        if start == 0.0 {
            continue;
        }
        let goal = start * (1.0 - target);
        let mut best: Option<f64> = None;
        for mask in 0u32..1 << universe.len() {
            let chosen: BTreeSet<&str> = (0..universe.len())
                .filter(|i| mask >> i & 1 == 1)
                .map(|i| universe[i].0.as_str())
                .collect();
            let cost: f64 = (0..universe.len())
                .filter(|i| mask >> i & 1 == 1)
                .map(|i| universe[i].1)
                .sum();
            if best.is_some_and(|b| cost >= b) {
                continue;
            }
            if r.exposure(&chosen) <= goal + 1e-9 {
                best = Some(cost);
            }
        }
        let model = blastradius::load::parse_model(&r.toml(), "r.toml")
            .unwrap_or_else(|e| panic!("{e}\n{}", r.toml()))
            .model;
        let p = model.node_id("p").unwrap();
        let search = Search {
            objective: Objective::WorstCase,
            budget: f64::INFINITY,
            costs: Default::default(),
            retention_days: 30,
            include_entry_links: false,
            target: Some(target),
            keep: Vec::new(),
            weights: None,
        };
        let found = recommend(&model, &[p], &search, &NoProgress);
        assert_eq!(found.start, start, "{}", r.toml());
        let plan: BTreeSet<String> = found.steps.iter().map(|s| s.change.describe()).collect();
        for f in &plan {
            assert!(
                universe.iter().any(|u| &u.0 == f),
                "{f} is not on offer (the entry's own access?)\n{}",
                r.toml()
            );
        }
        let done: BTreeSet<&str> = plan.iter().map(String::as_str).collect();
        let after = r.exposure(&done);
        assert_eq!(after, found.steps.last().map_or(start, |s| s.after));
        let cost: f64 = found.steps.iter().map(|s| s.cost).sum();
        match best {
            None => assert!(after > goal, "greedy reached what no plan reaches"),
            Some(b) => {
                assert!(
                    after <= goal + 1e-9,
                    "greedy missed a reachable target\n{}",
                    r.toml()
                );
                assert!(cost >= b - 1e-9, "cheaper than the optimum?\n{}", r.toml());
                let gap = cost / b;
                if gap > 1.0 && std::env::var("SHOW_GAP").is_ok() {
                    eprintln!(
                        "{}\nplan {plan:?} cost {cost}, optimum {b}, start {start}",
                        r.toml()
                    );
                }
                compared += 1;
                offered += universe.len();
                optimum_cost += b;
                optimal += usize::from(gap == 1.0);
                worst_gap = worst_gap.max(gap);
                total_gap += gap;
            }
        }
    }
    eprintln!(
        "greedy vs optimum on {compared} random models ({}% target): optimal in {optimal}, \
         mean cost ratio {:.3}, worst {:.2} ({:.1} fixes on offer, optimum costing {:.1}, on \
         average)",
        100.0 * target,
        total_gap / compared as f64,
        worst_gap,
        offered as f64 / compared as f64,
        optimum_cost / compared as f64
    );
    // Measured (seed 19): optimal in 59 of 60 at 50%, the one miss 2.5× (two parallel grants
    // to one store, neither of which cuts anything alone, against a dropped category: single
    // fixes cannot see pairs). These bounds leave room for nothing worse.
    assert!(
        optimal * 10 >= compared * 9,
        "optimal in only {optimal} of {compared}"
    );
    assert!(
        total_gap / (compared as f64) <= 1.1,
        "mean gap {}",
        total_gap / compared as f64
    );
    assert!(worst_gap <= 3.0, "worst gap {worst_gap}");
}

#[test]
fn the_demo_vendor_keeps_its_contract_share() {
    // The issue's case: with the entry points' own access allowed, the plain scenario's fourth
    // fix takes the vendor group's only data grant; with it kept, it never comes.
    let fixes = |scenario: &str| -> Vec<String> {
        let v = crate::util::run_json(&[
            "recommend",
            scenario,
            "--include-entry-links",
            "--budget",
            "10",
            "-q",
        ]);
        v["fixes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["fix"].as_str().unwrap().to_string())
            .collect()
    };
    let share = "remove_grant vendor-analytics → vendor-share".to_string();
    assert!(fixes("scenarios/compromised-analytics-vendor.toml").contains(&share));
    assert!(!fixes("scenarios/constraints/analytics-vendor-keep.toml").contains(&share));
    // Without --include-entry-links the group's grant is the entry's own access: left out.
    let v = crate::util::run_json(&[
        "recommend",
        "scenarios/compromised-analytics-vendor.toml",
        "--budget",
        "10",
        "-q",
    ]);
    assert!(!v["fixes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["fix"] == share.as_str()));
}

#[test]
fn a_vector_weighs_the_organisation_wide_objective_from_the_command_line() {
    // The weights of the library test above, now from the model's [entry] through `--vector`:
    // v-u (no MFA) 0.5, ops (OTP) 0, svc (security key) 1 → 7,550 + 0 + 15,000 = 22,550, and
    // svc → lake cuts 15,000, leaving 7,550.
    let model = MODEL
        .replace("id = \"v-u\"\n", "id = \"v-u\"\nmfa = \"none\"\n")
        .replace("id = \"ops\"\n", "id = \"ops\"\nmfa = \"otp\"\n")
        .replace(
            "id = \"svc\"\n",
            "id = \"svc\"\nmfa = \"phishing_resistant\"\n",
        )
        .replace(
            "[categories]",
            "[entry]\nodd = { none = 0.5, otp = 0.0, phishing_resistant = 1.0 }\n\n[categories]",
        );
    let dir = files(&[("m.toml", &model), ("s.toml", SCENARIO)]);
    let args = [
        "recommend",
        "s.toml",
        "--objective",
        "org",
        "--vector",
        "odd",
        "--budget",
        "1",
        "--format",
        "json",
        "-q",
    ];
    let out = run_in(dir.path(), &args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["exposure_before"], 22_550.0);
    assert_eq!(plan(&v), fixes(&[("remove_grant svc → lake", 7_550.0)]));
    assert!(v["objective"].as_str().unwrap().contains("`odd`"));

    // A vector is for the organisation-wide objective, and must be one of [entry]'s.
    let out = run_in(
        dir.path(),
        &["recommend", "s.toml", "--vector", "odd", "-q"],
    );
    assert_fails_with(&out, &["--objective org"]);
    let out = run_in(
        dir.path(),
        &[
            "recommend",
            "s.toml",
            "--objective",
            "org",
            "--vector",
            "od",
            "-q",
        ],
    );
    assert_fails_with(&out, &["unknown --vector `od`", "odd"]);
}

/// Choke points are steps a fix may cut, as the plan sees them. By hand, from v with svc →
/// lake kept: etl's credential of svc cuts 15,000; admins → hr and svc's membership of admins
/// 5,000 each. Left out: svc → lake ([[keep]], 10,000), the vendor's own access (v-u's
/// membership 15,100, the vendor group's grants of etl 15,000 and the share 100) and v's own
/// account (no fix removes it).
#[test]
fn choke_points_are_steps_the_plan_may_cut() {
    let keep = "[[keep]]\nprincipal = \"svc\"\ntarget = \"lake\"\n";
    let chokes = |v: &Value| -> BTreeSet<(String, u64)> {
        v["choke_points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    format!(
                        "{} {} {}",
                        c["from"].as_str().unwrap(),
                        c["kind"].as_str().unwrap(),
                        c["to"].as_str().unwrap()
                    ),
                    c["reduction"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let want = |list: &[(&str, f64)]| -> BTreeSet<(String, u64)> {
        list.iter()
            .map(|(s, x)| (s.to_string(), *x as u64))
            .collect()
    };
    let cuttable = [
        ("etl credential svc", 15_000.0),
        ("admins read hr", 5_000.0),
        ("svc member admins", 5_000.0),
    ];
    let v = recommend_json(keep, &["--top", "20"]);
    assert_eq!(chokes(&v), want(&cuttable));
    // Allowed to cut the entry points' own access, the vendor's links come in; the kept step
    // and v's own account still do not.
    let v = recommend_json(keep, &["--top", "20", "--include-entry-links"]);
    let mut with_entry = cuttable.to_vec();
    with_entry.extend([
        ("v-u member vendor", 15_100.0),
        ("vendor admin etl", 15_000.0),
        ("vendor read share", 100.0),
    ]);
    assert_eq!(chokes(&v), want(&with_entry));
    // Under the organisation-wide objective they are still the scenario's, and say so.
    let scenario = format!("{SCENARIO}{keep}");
    let dir = files(&[("m.toml", MODEL), ("s.toml", &scenario)]);
    let out = run_in(
        dir.path(),
        &["recommend", "s.toml", "-q", "--objective", "org"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("Choke points of the scenario's entry points: single steps whose removal cuts the most of their worst-case exposure (not of the organisation-wide figure above)"),
        "{}",
        out.stdout
    );
}
