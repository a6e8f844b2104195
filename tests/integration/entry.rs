//! Entry likelihood (DESIGN.md "Entry likelihood"): Monte Carlo with an attack vector against
//! an exact enumeration in the test over every entry outcome × edge outcome, for the baseline
//! and an MFA design; trial by trial against an independent traversal; the worst case; `sweep
//! --vector` against hand-computed figures; the people columns; bad `[entry]` input.

use blastradius::engine::entry::entry_key;
use blastradius::engine::random::uniform;
use blastradius::engine::{exposure_of, NoProgress};
use blastradius::evaluate::{evaluate, Depth, Variant};
use blastradius::load::load_scenario;
use blastradius::model::{NodeId, NodeKind};

use crate::util::{assert_fails_with, files, run_in};

/// alice owns alice-u (no MFA; in `staff`, which reads `a` with p 0.9) and alice-adm
/// (security key; admin of system `s`, which holds the credential of the service account
/// `svc-x`, taken with p 0.5, which reads `a` and `b`). bob owns bob-u (OTP; reads `b` with
/// p 0.6).
const MODEL: &str = r#"
[org]
name = "entry test"
[populations]
staff = 100
customers = 1000
[categories]
"user.a" = 2
"user.b" = 3
[probabilities]
credential = { none = 0.5, otp = 0.1, phishing_resistant = 0.0 }
[entry]
phishing = { none = 0.3, otp = 0.08, phishing_resistant = 0.002, service = 0.0 }
spray = { none = 0.05, otp = 0.01, phishing_resistant = 0.0 }
insider = 1
[[person]]
id = "alice"
accounts = ["alice-u", "alice-adm"]
[[person]]
id = "bob"
accounts = ["bob-u"]
[[account]]
id = "alice-u"
groups = ["staff"]
[[account]]
id = "alice-adm"
mfa = "phishing_resistant"
[[account]]
id = "bob-u"
mfa = "otp"
[[account]]
id = "svc-x"
kind = "service"
[[group]]
id = "staff"
[[system]]
id = "s"
credentials = ["svc-x"]
[[store]]
id = "a"
records = [{ category = "user.a", count = 1000, subjects = "staff", coverage = 0.5 }]
[[store]]
id = "b"
records = [
  { category = "user.b", count = 500, subjects = "customers", coverage = 0.2 },
  { category = "user.b.more", count = 100, subjects = "staff", coverage = 0.4 },
]
[[grant]]
principal = "staff"
target = "a"
access = "read"
p = 0.9
[[grant]]
principal = "bob-u"
target = "b"
access = "read"
p = 0.6
[[grant]]
principal = "alice-adm"
target = "s"
access = "admin"
[[grant]]
principal = "svc-x"
target = "a"
access = "read"
[[grant]]
principal = "svc-x"
target = "b"
access = "read"
"#;

const SCENARIO: &str = r#"
model = "model.toml"
[attack]
compromised = ["alice", "bob"]
vector = "phishing"
[simulation]
trials = 40000
seed = 11
[[design]]
name = "bob-gets-a-key"
changes = [{ op = "set_mfa", accounts = "bob-u", mfa = "phishing_resistant" }]
"#;

/// Each account's phishing entry probability, typed from the `[entry]` table above by hand.
fn phishing_p(account: &str, bob_has_key: bool) -> f64 {
    match account {
        "alice-u" => 0.3,
        "alice-adm" => 0.002,
        "bob-u" if bob_has_key => 0.002,
        "bob-u" => 0.08,
        _ => panic!("not an entry account: {account}"),
    }
}

/// Exact breach probability of each store and exact mean exposure: every outcome of the three
/// entry draws × every outcome of the probabilistic edges, each reach a plain fixpoint over the
/// variant's edge list.
fn enumerate(v: &Variant, bob_has_key: bool) -> (Vec<f64>, f64) {
    let a = &v.analysis;
    let model = &a.model;
    let entries: Vec<(NodeId, f64)> = ["alice-u", "alice-adm", "bob-u"]
        .iter()
        .map(|id| (model.node_id(id).unwrap(), phishing_p(id, bob_has_key)))
        .collect();
    let edges: Vec<_> = a.graph.edges().collect();
    let uncertain: Vec<usize> = (0..edges.len()).filter(|&i| edges[i].p < 1.0).collect();
    assert_eq!(
        uncertain.len(),
        3,
        "grant a 0.9, grant b 0.6, credential 0.5"
    );
    let n = model.node_count();
    let mut breach = vec![0.0; n];
    let mut mean = 0.0;
    for taken in 0u32..1 << entries.len() {
        for open_mask in 0u32..1 << uncertain.len() {
            let mut prob = 1.0;
            let mut reached = vec![false; n];
            for (bit, &(node, p)) in entries.iter().enumerate() {
                let t = taken >> bit & 1 == 1;
                prob *= if t { p } else { 1.0 - p };
                reached[node as usize] |= t;
            }
            let mut open = vec![true; edges.len()];
            for (bit, &i) in uncertain.iter().enumerate() {
                open[i] = open_mask >> bit & 1 == 1;
                prob *= if open[i] {
                    edges[i].p
                } else {
                    1.0 - edges[i].p
                };
            }
            let mut changed = true;
            while changed {
                changed = false;
                for (i, e) in edges.iter().enumerate() {
                    if open[i] && reached[e.from as usize] && !reached[e.to as usize] {
                        reached[e.to as usize] = true;
                        changed = true;
                    }
                }
            }
            let stores: Vec<NodeId> = model
                .nodes_of(NodeKind::Store)
                .filter(|&s| reached[s as usize])
                .collect();
            for &s in &stores {
                breach[s as usize] += prob;
            }
            mean += prob * exposure_of(model, &a.holdings, stores).exposure;
        }
    }
    (breach, mean)
}

fn check_against_enumeration(v: &Variant, bob_has_key: bool, what: &str) {
    let (exact, exact_mean) = enumerate(v, bob_has_key);
    let t = v.trials.as_ref().expect("Monte Carlo ran");
    let trials = t.trials as f64;
    let model = &v.analysis.model;
    for s in model.nodes_of(NodeKind::Store) {
        let p = exact[s as usize];
        let est = t.store_breaches[s as usize] as f64 / trials;
        let se = (p * (1.0 - p) / trials).sqrt().max(1e-9);
        assert!(
            (est - p).abs() <= 5.0 * se,
            "{what}, store {}: exact {p}, estimated {est} (se {se})",
            model.id(s)
        );
    }
    let mean = t.exposure.iter().sum::<f64>() / trials;
    let var = t.exposure.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (trials - 1.0);
    let se = (var / trials).sqrt();
    assert!(
        (mean - exact_mean).abs() <= 5.0 * se,
        "{what}: exact mean {exact_mean}, estimated {mean} (se {se})"
    );
}

#[test]
fn monte_carlo_with_a_vector_matches_exact_enumeration_baseline_and_mfa_design() {
    let dir = files(&[("model.toml", MODEL), ("s.toml", SCENARIO)]);
    let loaded = load_scenario(&dir.path().join("s.toml"), "s.toml").unwrap();
    assert_eq!(loaded.scenario.vector.as_deref(), Some("phishing"));
    let e = evaluate(
        &loaded.scenario,
        loaded.model,
        Depth::MonteCarlo,
        &NoProgress,
    );
    // Hand check of the enumeration itself: store `b` is breached when bob-u is taken and his
    // grant opens (0.08 × 0.6), or alice-adm is taken and the credential opens (0.002 × 0.5).
    let (exact, _) = enumerate(&e.baseline, false);
    let b = e.baseline.analysis.model.node_id("b").unwrap();
    let by_hand = 1.0 - (1.0 - 0.08 * 0.6) * (1.0 - 0.002 * 0.5);
    assert!((exact[b as usize] - by_hand).abs() < 1e-12);
    check_against_enumeration(&e.baseline, false, "baseline");
    check_against_enumeration(&e.designs[0], true, "bob-gets-a-key");
    // The design lowers bob's entry probability, so the mean falls.
    let mean = |v: &Variant| {
        let t = v.trials.as_ref().unwrap();
        t.exposure.iter().sum::<f64>() / t.trials as f64
    };
    assert!(mean(&e.designs[0]) < mean(&e.baseline));
    // The worst case takes every entry with p > 0: all three accounts, so both stores leak.
    let wc = &e.baseline.worst_case;
    assert_eq!(wc.leaked_stores.len(), 2);
    assert_eq!(
        e.baseline.entry.nodes.len(),
        3,
        "alice's two accounts and bob's, not the people"
    );
}

/// The time model draws entry the same way: with a detection day far past every arrival, a
/// trial leaks exactly what it reaches, so the enumeration holds for it too.
#[test]
fn the_time_model_takes_entry_points_by_the_same_draws() {
    let scenario = SCENARIO.replace(
        "seed = 11\n",
        "seed = 11\n[simulation.detection]\nmean_days = 100000\ndistribution = \"fixed\"\n",
    );
    let dir = files(&[("model.toml", MODEL), ("s.toml", &scenario)]);
    let mut loaded = load_scenario(&dir.path().join("s.toml"), "s.toml").unwrap();
    assert!(loaded.scenario.simulation.detection.is_some());
    loaded.scenario.simulation.trials = 20_000;
    let e = evaluate(
        &loaded.scenario,
        loaded.model,
        Depth::MonteCarlo,
        &NoProgress,
    );
    check_against_enumeration(&e.baseline, false, "timed baseline");
    check_against_enumeration(&e.designs[0], true, "timed bob-gets-a-key");
}

#[test]
fn each_trial_takes_exactly_the_accounts_its_keyed_entry_draw_takes() {
    let dir = files(&[("model.toml", MODEL), ("s.toml", SCENARIO)]);
    let mut loaded = load_scenario(&dir.path().join("s.toml"), "s.toml").unwrap();
    loaded.scenario.simulation.trials = 300;
    loaded.scenario.designs.clear();
    let seed = loaded.scenario.simulation.seed;
    let e = evaluate(
        &loaded.scenario,
        loaded.model,
        Depth::MonteCarlo,
        &NoProgress,
    );
    let a = &e.baseline.analysis;
    let t = e.baseline.trials.as_ref().unwrap();
    let n = a.model.node_count();
    for trial in 0..300u64 {
        let mut reached = vec![false; n];
        for id in ["alice-u", "alice-adm", "bob-u"] {
            if uniform(seed, trial, entry_key(id)) < phishing_p(id, false) {
                reached[a.model.node_id(id).unwrap() as usize] = true;
            }
        }
        let mut changed = true;
        while changed {
            changed = false;
            for e in a.graph.edges() {
                if reached[e.from as usize]
                    && !reached[e.to as usize]
                    && uniform(seed, trial, e.key) < e.p
                {
                    reached[e.to as usize] = true;
                    changed = true;
                }
            }
        }
        let stores = a
            .model
            .nodes_of(NodeKind::Store)
            .filter(|&s| reached[s as usize]);
        let x = exposure_of(&a.model, &a.holdings, stores);
        assert_eq!(t.records[trial as usize], x.records_total, "trial {trial}");
    }
}

#[test]
fn a_vector_with_zero_for_security_keys_leaves_them_out_of_the_worst_case() {
    let scenario = SCENARIO
        .replace("vector = \"phishing\"", "vector = \"spray\"")
        .replace(
            "compromised = [\"alice\", \"bob\"]",
            "compromised = [\"alice\"]",
        );
    let dir = files(&[("model.toml", MODEL), ("s.toml", &scenario)]);
    let loaded = load_scenario(&dir.path().join("s.toml"), "s.toml").unwrap();
    let e = evaluate(
        &loaded.scenario,
        loaded.model,
        Depth::WorstCase,
        &NoProgress,
    );
    let m = &e.baseline.analysis.model;
    // spray takes alice-u (p 0.05) but never alice-adm (p 0): only `a` leaks, through staff.
    let ids: Vec<&str> = e.baseline.entry.nodes.iter().map(|&x| m.id(x)).collect();
    assert_eq!(ids, ["alice-u"]);
    assert_eq!(e.baseline.entry.p, [0.05]);
    let leaked: Vec<&str> = e
        .baseline
        .worst_case
        .leaked_stores
        .iter()
        .map(|&x| m.id(x))
        .collect();
    assert_eq!(leaked, ["a"]);
    assert_eq!(e.baseline.worst_case.exposure.exposure, 2000.0);
}

#[test]
fn without_a_vector_nothing_changes() {
    let scenario = SCENARIO.replace("vector = \"phishing\"\n", "");
    let dir = files(&[("model.toml", MODEL), ("s.toml", &scenario)]);
    let loaded = load_scenario(&dir.path().join("s.toml"), "s.toml").unwrap();
    let compromised = loaded.scenario.compromised.clone();
    let e = evaluate(
        &loaded.scenario,
        loaded.model.clone(),
        Depth::MonteCarlo,
        &NoProgress,
    );
    let plain = blastradius::Analysis::new(loaded.model);
    let t = plain.simulate(&compromised, &loaded.scenario.simulation, &NoProgress);
    assert_eq!(e.baseline.trials.as_ref(), Some(&t));
    assert_eq!(e.baseline.entry.nodes, compromised);
}

/// The sweep with `--vector phishing`, ranked by expected exposure. Worst cases by hand:
/// alice-u reaches `a` (1,000 × 2 = 2,000); bob-u `b` (500 × 3 + 100 × 3 = 1,800); alice-adm
/// and svc-x both (3,800).
#[test]
fn sweep_with_a_vector_weighs_each_worst_case_by_its_entry_probability() {
    let dir = files(&[("model.toml", MODEL)]);
    let out = run_in(
        dir.path(),
        &[
            "sweep",
            "model.toml",
            "--vector",
            "phishing",
            "--by",
            "expected",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let j: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(j["vector"], "phishing");
    assert_eq!(j["by"], "expected");
    let rows: Vec<(String, f64, f64, f64)> = j["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().to_string(),
                e["exposure"].as_f64().unwrap(),
                e["entry_probability"].as_f64().unwrap(),
                e["expected_exposure"].as_f64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("alice-u", 2000.0, 0.3, 600.0),
        ("bob-u", 1800.0, 0.08, 144.0),
        ("alice-adm", 3800.0, 0.002, 7.6),
        ("svc-x", 3800.0, 0.0, 0.0),
    ];
    assert_eq!(rows.len(), expected.len());
    for (row, want) in rows.iter().zip(expected) {
        assert_eq!(row.0, want.0);
        assert_eq!(row.1, want.1, "{}", want.0);
        assert_eq!(row.2, want.2, "{}", want.0);
        assert!((row.3 - want.3).abs() < 1e-9, "{}: {}", want.0, row.3);
    }
    // The table rounds the same figures further: entry p to two significant digits below
    // 0.01 (0.002 → 0.0020, not a three-decimal 0.002 that hides a digit), expected to whole
    // like every exposure column (7.6 → 8).
    let table = run_in(
        dir.path(),
        &[
            "sweep",
            "model.toml",
            "--vector",
            "phishing",
            "--by",
            "expected",
        ],
    );
    assert_eq!(table.code, 0, "{}", table.stderr);
    let row = |id: &str| -> Vec<String> {
        let line = table
            .stdout
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(id));
        let line = line.unwrap_or_else(|| panic!("{id}: {}", table.stdout));
        line.split_whitespace().map(str::to_string).collect()
    };
    let tail = |id: &str| row(id)[row(id).len() - 2..].to_vec();
    assert_eq!(tail("alice-u"), ["0.300", "600"]);
    assert_eq!(tail("bob-u"), ["0.080", "144"]);
    assert_eq!(tail("alice-adm"), ["0.0020", "8"]);
    assert_eq!(tail("svc-x"), ["0.000", "0"]);

    // People: alice owns both of her accounts, so her worst case is alice-adm's (3,800), and
    // her entry probability is 1 − (1 − 0.3)(1 − 0.002).
    let out = run_in(
        dir.path(),
        &[
            "sweep",
            "model.toml",
            "--kind",
            "person",
            "--vector",
            "phishing",
            "--by",
            "expected",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let j: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let first = &j["entries"][0];
    assert_eq!(first["id"], "alice");
    let p = 1.0 - 0.7 * 0.998;
    assert!((first["entry_probability"].as_f64().unwrap() - p).abs() < 1e-12);
    assert!((first["expected_exposure"].as_f64().unwrap() - p * 3800.0).abs() < 1e-9);
    assert_eq!(j["entries"][1]["id"], "bob");
}

/// Every population's people affected as its own column. By hand (size × (1 − Π(1 −
/// coverage)) over the sets leaked): alice-adm leaks `a` (staff 0.5) and `b` (customers 0.2,
/// staff 0.4): staff 100 × (1 − 0.5 × 0.6) = 70, customers 1,000 × 0.2 = 200; bob-u leaks `b`:
/// staff 40, customers 200; alice-u leaks `a`: staff 50, customers 0.
#[test]
fn sweep_gives_every_population_its_own_column() {
    let dir = files(&[("model.toml", MODEL)]);
    let want = [
        ("alice-adm", 70.0, 200.0),
        ("svc-x", 70.0, 200.0),
        ("alice-u", 50.0, 0.0),
        ("bob-u", 40.0, 200.0),
    ];
    let out = run_in(dir.path(), &["sweep", "model.toml", "--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut r = csv::Reader::from_reader(out.stdout.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (id, staff, customers, people, total) = (
        col("id"),
        col("people:staff"),
        col("people:customers"),
        col("people"),
        col("people_total"),
    );
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    for (who, s, c) in want {
        let row = rows.iter().find(|x| &x[id] == who).unwrap();
        let f = |i: usize| row[i].parse::<f64>().unwrap();
        assert!((f(staff) - s).abs() < 1e-9, "{who} staff {}", f(staff));
        assert!((f(customers) - c).abs() < 1e-9, "{who} customers");
        // The plain people column is the largest population's (customers).
        assert!((f(people) - c).abs() < 1e-9, "{who} people");
        assert!((f(total) - (s + c)).abs() < 1e-9, "{who} total");
    }

    // --by people:staff ranks by staff and names the population.
    let out = run_in(
        dir.path(),
        &[
            "sweep",
            "model.toml",
            "--by",
            "people:staff",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let j: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(j["population"], "staff");
    let ranked: Vec<(&str, f64)> = j["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["id"].as_str().unwrap(), e["people"].as_f64().unwrap()))
        .collect();
    let ids: Vec<&str> = ranked.iter().map(|x| x.0).collect();
    assert_eq!(ids, ["alice-adm", "svc-x", "alice-u", "bob-u"]);
    assert!((ranked[0].1 - 70.0).abs() < 1e-9);
    let table = run_in(dir.path(), &["sweep", "model.toml", "--by", "people:staff"]);
    assert!(
        table.stdout.contains("people affected (staff)"),
        "{}",
        table.stdout
    );
    assert!(table.stdout.contains("people (all)"), "{}", table.stdout);
}

#[test]
fn bad_entry_input_is_located_and_explained() {
    let bad = MODEL.replace(
        "spray = { none = 0.05, otp = 0.01, phishing_resistant = 0.0 }",
        "spray = { none = 1.5, otp = 0.01 }\ntypo = { none = 0.1, otpp = 0.2, phishing_resistant = 0 }",
    );
    let dir = files(&[("model.toml", &bad)]);
    let out = run_in(dir.path(), &["validate", "model.toml"]);
    let line = |needle: &str| {
        bad.lines()
            .position(|l| l.starts_with(needle))
            .map(|i| i + 1)
            .unwrap()
    };
    assert_fails_with(
        &out,
        &[
            &format!("model.toml:{}:", line("spray")),
            "[entry] spray.none must be a probability between 0 and 1, not 1.5",
            "[entry] spray gives no probability for mfa phishing_resistant",
            &format!("model.toml:{}:", line("typo")),
            "unknown mfa `otpp`",
            "did you mean `otp`?",
        ],
    );

    // An unknown vector in a scenario, with a suggestion, at its position.
    let scenario = SCENARIO.replace("vector = \"phishing\"", "vector = \"phishng\"");
    let dir = files(&[("model.toml", MODEL), ("s.toml", &scenario)]);
    let out = run_in(dir.path(), &["run", "s.toml"]);
    let at = scenario
        .lines()
        .position(|l| l.starts_with("vector"))
        .unwrap()
        + 1;
    assert_fails_with(
        &out,
        &[
            &format!("s.toml:{at}:10"),
            "unknown [attack] vector `phishng`",
            "did you mean `phishing`?",
        ],
    );
    // And on the sweep's command line; systems take no vector; --by expected needs one.
    let out = run_in(dir.path(), &["sweep", "model.toml", "--vector", "sprey"]);
    assert_fails_with(&out, &["unknown --vector `sprey`", "did you mean `spray`?"]);
    let out = run_in(
        dir.path(),
        &[
            "sweep",
            "model.toml",
            "--vector",
            "spray",
            "--kind",
            "system",
        ],
    );
    assert_fails_with(
        &out,
        &["--vector applies to accounts and people, not systems"],
    );
    let out = run_in(dir.path(), &["sweep", "model.toml", "--by", "expected"]);
    assert_fails_with(&out, &["--by expected needs --vector"]);
    let out = run_in(dir.path(), &["sweep", "model.toml", "--by", "people:staf"]);
    assert_fails_with(&out, &["no population `staf`", "did you mean `staff`?"]);
}

#[test]
fn entry_vectors_survive_a_save_and_load() {
    let a = blastradius::load::parse_model(MODEL, "m.toml")
        .unwrap()
        .model;
    let dir = tempfile::tempdir().unwrap();
    blastradius::output::model_files::save_model(&a, dir.path(), false).unwrap();
    let b = blastradius::load::load_model(dir.path(), "saved")
        .unwrap()
        .model;
    assert_eq!(a.entry, b.entry);
    assert_eq!(b.entry.get("phishing").unwrap().service, Some(0.0));
    assert_eq!(b.entry.get("insider").unwrap().by_mfa, [1.0; 3]);
}

#[test]
fn the_run_names_its_vector_and_each_entry_probability() {
    let dir = files(&[("model.toml", MODEL), ("s.toml", SCENARIO)]);
    let out = run_in(
        dir.path(),
        &["run", "s.toml", "--trials", "64", "-q", "--format", "json"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let j: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(j["vector"], "phishing");
    assert_eq!(
        j["entry_probabilities"],
        serde_json::json!({ "alice-adm": 0.002, "alice-u": 0.3, "bob-u": 0.08 })
    );
    let table = run_in(dir.path(), &["run", "s.toml", "--trials", "64", "-q"]);
    assert!(
        table
            .stdout
            .contains("Vector     phishing: Monte Carlo takes each entry point with its probability (the worst case takes all): 0.300 alice-u; 0.080 bob-u; 0.0020 alice-adm"),
        "{}",
        table.stdout
    );
}

/// `sweep --trials`: one attempt on alice-u leaks `a` when she is phished and staff's grant
/// opens (0.3 × 0.9 × 2,000 = 540 expected); on bob-u, `b` (0.08 × 0.6 × 1,800 = 86.4).
#[test]
fn sweep_trials_give_each_sources_monte_carlo_expectation() {
    let dir = files(&[("model.toml", MODEL)]);
    let out = run_in(
        dir.path(),
        &[
            "sweep",
            "model.toml",
            "--vector",
            "phishing",
            "--trials",
            "40000",
            "--seed",
            "5",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let j: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(j["trials"], 40000);
    let entry = |id: &str| {
        j["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == id)
            .unwrap()
            .clone()
    };
    let mc = |id: &str| entry(id)["expected_exposure_monte_carlo"].as_f64().unwrap();
    // Each a Bernoulli(q) × value: five standard errors of its mean.
    for (id, q, value) in [
        ("alice-u", 0.3 * 0.9, 2000.0),
        ("bob-u", 0.08 * 0.6, 1800.0),
    ] {
        let se = value * (q * (1.0 - q) / 40000.0_f64).sqrt();
        let got = mc(id);
        assert!(
            (got - q * value).abs() <= 5.0 * se,
            "{id}: {got} vs {}",
            q * value
        );
    }
    // The interval: 1.96 standard errors either side of the mean, the standard error within a
    // tenth of the one the Bernoulli's q gives.
    let ci = |id: &str| -> [f64; 2] {
        serde_json::from_value(entry(id)["expected_exposure_monte_carlo_ci95"].clone()).unwrap()
    };
    for (id, q, value) in [
        ("alice-u", 0.3 * 0.9, 2000.0),
        ("bob-u", 0.08 * 0.6, 1800.0),
    ] {
        let [lo, hi] = ci(id);
        assert!(
            (lo + hi - 2.0 * mc(id)).abs() < 1e-6,
            "{id}: centred on the mean"
        );
        let se = value * (q * (1.0 - q) / 40000.0_f64).sqrt();
        let half = (hi - lo) / 2.0;
        assert!(
            (half / (1.96 * se) - 1.0).abs() < 0.1,
            "{id}: ±{half} vs {se}"
        );
    }
    assert_eq!(ci("svc-x"), [0.0, 0.0]);
    let table = run_in(
        dir.path(),
        &[
            "sweep",
            "model.toml",
            "--vector",
            "phishing",
            "--trials",
            "400",
        ],
    );
    assert!(table.stdout.contains("± (95%)"), "{}", table.stdout);
    assert_eq!(mc("svc-x"), 0.0, "phishing cannot take a service account");
    let out = run_in(dir.path(), &["sweep", "model.toml", "--trials", "100"]);
    assert_eq!(out.code, 2, "--trials needs --vector: {}", out.stderr);
}

#[test]
fn recommend_says_it_does_not_weigh_the_vector() {
    let dir = files(&[("model.toml", MODEL), ("s.toml", SCENARIO)]);
    let out = run_in(dir.path(), &["recommend", "s.toml", "--budget", "2"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("the scenario's [attack] vector `phishing` is not weighed here"),
        "{}",
        out.stderr
    );
}
