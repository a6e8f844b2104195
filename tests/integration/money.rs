//! Loss in money (DESIGN.md "Money") against hand computations: the worst case and designs on
//! a small model, the annual loss against an exact compound Poisson distribution, validation
//! errors at their positions, and the same figures for any thread count.

use serde_json::Value;

use crate::util::{assert_fails_with, files, run_in};

/// Person p → account u → group g, which reads store a for sure and store b with p = 0.5.
/// Store a: 100 health records covering 30% of 1,000 staff, and 10 location
/// records a day kept 10 days; store b: 40,000 contact records.
const MODEL: &str = r#"[org]
program_age_days = 100
[populations]
staff = 1000
[notification]
health = ["user.health"]
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
records = [
  { category = "user.health", count = 100, subjects = "staff", coverage = 0.3 },
  { category = "user.location", per_day = 10 },
]
[[store]]
id = "b"
retention_days = 10
records = [{ category = "user.contact", count = 40000 }]
[[grant]]
principal = "g"
target = "a"
access = "read"
[[grant]]
principal = "g"
target = "b"
access = "read"
p = 0.5

[money]
currency = "EUR"
per_incident = 5000
[money.per_record]
"user" = 2
"user.health" = 50
[money.per_person]
health = 30
"#;

const FREQUENCY: f64 = 1.2;

fn scenario(frequency: Option<f64>) -> String {
    let f = frequency.map_or(String::new(), |f| format!("frequency_per_year = {f}\n"));
    format!(
        r#"model = "m.toml"
name = "money"
[attack]
compromised = ["p"]
{f}[simulation]
trials = 10000
seed = 11
[[design]]
name = "drop-health"
cost_per_year = 1000
changes = [{{ op = "drop_category", store = "a", category = "user.health" }}]
[[design]]
name = "remove-b"
cost_per_year = 20000
changes = [{{ op = "remove_grant", principal = "g", target = "b" }}]
"#
    )
}

// By hand. Store a alone: per incident 5,000 + health 100 × 50 + location 10 × 10 days × 2 +
// notifiable health people 1,000 × 0.3 = 300 × 30. Store b adds 40,000 contact records × 2.
const A_ONLY: f64 = 5000.0 + 5000.0 + 200.0 + 9000.0;
const B_ADDS: f64 = 80_000.0;

fn run_json(dir: &std::path::Path, args: &[&str]) -> Value {
    let out = run_in(dir, args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn worst_case_and_designs_by_hand() {
    let dir = files(&[("m.toml", MODEL), ("s.toml", &scenario(Some(FREQUENCY)))]);
    let r = run_json(dir.path(), &["run", "s.toml", "--format", "json"]);
    let base = &r["baseline"];
    assert_eq!(f(&base["deterministic"]["loss"]), A_ONLY + B_ADDS);
    assert_eq!(base["deterministic"]["currency"], "EUR");
    // Each trial is A_ONLY, or A_ONLY + B_ADDS when b leaks: the mean follows the share of
    // trials in which b leaked.
    let mc = &base["monte_carlo"];
    let q = f(&mc["store_breach_probability"]["b"]);
    assert!((q - 0.5).abs() < 4.0 * (0.25f64 / 10_000.0).sqrt(), "{q}");
    let mean = A_ONLY + B_ADDS * q;
    assert!(close(f(&mc["loss"]["mean"]), mean));
    assert_eq!(f(&mc["loss"]["p99"]), A_ONLY + B_ADDS);
    assert!(close(f(&mc["annual_loss"]["mean"]), FREQUENCY * mean));
    assert_eq!(mc["currency"], "EUR");

    let design = |name: &str| {
        r["designs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == name)
            .unwrap()
            .clone()
    };
    // Dropping health saves its records (5,000) and the notices (9,000) in every outcome.
    let d = design("drop-health");
    assert_eq!(f(&d["deterministic"]["loss"]), A_ONLY + B_ADDS - 14_000.0);
    let delta = &d["delta"];
    assert_eq!(f(&delta["loss"]["worst_case"]), -14_000.0);
    assert!(close(f(&delta["loss"]["mean"]), -14_000.0));
    let net = FREQUENCY * 14_000.0 - 1000.0;
    assert!(close(f(&delta["net_benefit_per_year"]), net));
    assert!(close(f(&delta["return_on_control"]), net / 1000.0));
    // Removing the grant on b saves B_ADDS in the trials where b leaked, on the same draws.
    let d = design("remove-b");
    assert_eq!(f(&d["deterministic"]["loss"]), A_ONLY);
    let delta = &d["delta"];
    assert_eq!(f(&delta["loss"]["worst_case"]), -B_ADDS);
    assert!(close(f(&delta["loss"]["mean"]), -B_ADDS * q));
    let net = FREQUENCY * B_ADDS * q - 20_000.0;
    assert!(close(f(&delta["net_benefit_per_year"]), net));
    assert!(close(f(&delta["return_on_control"]), net / 20_000.0));
}

/// The exact distribution of a compound Poisson year whose incidents cost `a` with
/// probability 1 − q and `b` with probability q: atoms (value, P) sorted by value, the count
/// enumerated up to where its tail is below 1e-15.
fn compound_poisson(frequency: f64, q: f64, a: f64, b: f64) -> Vec<(f64, f64)> {
    let mut atoms: Vec<(f64, f64)> = Vec::new();
    let mut pn = (-frequency).exp();
    let mut covered = 0.0;
    let mut n = 0u32;
    while 1.0 - covered > 1e-15 && n < 200 {
        // Binomial(n, q) split of the n incidents.
        let mut choose = 1.0;
        for k in 0..=n {
            if k > 0 {
                choose = choose * f64::from(n - k + 1) / f64::from(k);
            }
            let p = pn * choose * q.powi(k as i32) * (1.0 - q).powi((n - k) as i32);
            atoms.push((f64::from(k) * b + f64::from(n - k) * a, p));
        }
        covered += pn;
        n += 1;
        pn *= frequency / f64::from(n);
    }
    atoms.sort_by(|x, y| x.0.total_cmp(&y.0));
    atoms
}

/// The smallest value whose distribution function reaches `level`.
fn quantile(atoms: &[(f64, f64)], level: f64) -> f64 {
    let mut c = 0.0;
    for &(x, p) in atoms {
        c += p;
        if c >= level {
            return x;
        }
    }
    atoms.last().unwrap().0
}

#[test]
fn annual_loss_matches_the_exact_compound_poisson_year() {
    let dir = files(&[("m.toml", MODEL), ("s.toml", &scenario(Some(FREQUENCY)))]);
    let r = run_json(dir.path(), &["run", "s.toml", "--format", "json"]);
    let mc = &r["baseline"]["monte_carlo"];
    // Each year's incidents are drawn from the trials, so the exact year to compare with is
    // the one whose incident is b's outcome with the trials' share q.
    let q = f(&mc["store_breach_probability"]["b"]);
    let atoms = compound_poisson(FREQUENCY, q, A_ONLY, A_ONLY + B_ADDS);
    let mean: f64 = atoms.iter().map(|(x, p)| x * p).sum();
    assert!(close(f(&mc["annual_loss"]["mean"]), mean), "{mean}");
    // The percentiles come from 50,000 simulated years: the empirical distribution function
    // at a point is off by at most 4 standard errors, √(l(1 − l)/50,000), so the simulated
    // l-percentile lies between the exact quantiles at l ∓ that.
    let years = 50_000.0f64;
    for (key, level) in [("p90", 0.90f64), ("p95", 0.95), ("p99", 0.99)] {
        let tol = 4.0 * (level * (1.0 - level) / years).sqrt();
        let got = f(&mc["annual_loss"][key]);
        let (lo, hi) = (quantile(&atoms, level - tol), quantile(&atoms, level + tol));
        assert!(lo <= got && got <= hi, "{key}: {got} not in [{lo}, {hi}]");
    }
}

#[test]
fn the_same_figures_for_any_thread_count() {
    let dir = files(&[("m.toml", MODEL), ("s.toml", &scenario(Some(FREQUENCY)))]);
    let with = |threads: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_blastradius"))
            .args(["run", "s.toml", "--format", "json"])
            .current_dir(dir.path())
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let one = with("1");
    assert!(one.contains("\"annual_loss\""));
    assert_eq!(one, with("3"));
}

#[test]
fn without_money_there_is_no_loss_and_a_frequency_is_warned_of() {
    let plain = MODEL.split("[money]").next().unwrap();
    let dir = files(&[("m.toml", plain), ("s.toml", &scenario(Some(0.5)))]);
    let out = run_in(dir.path(), &["run", "s.toml", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains("loss"), "{}", out.stdout);
    assert!(!out.stdout.contains("net_benefit"));
    assert!(
        out.stderr.contains("s.toml:5:22: warning")
            && out.stderr.contains("frequency_per_year has no effect"),
        "{}",
        out.stderr
    );
}

#[test]
fn bad_money_is_reported_at_its_position() {
    let bad = MODEL.split("[money]").next().unwrap().to_string()
        + r#"[money]
currency = "eur"
per_incident = -5
[money.per_record]
"user" = nan
[money.per_person]
helth = 30
"#;
    let line = |text: &str| bad.lines().position(|l| l.starts_with(text)).unwrap() + 1;
    let dir = files(&[("m.toml", &bad)]);
    let out = run_in(dir.path(), &["validate", "m.toml"]);
    assert_fails_with(
        &out,
        &[
            &format!("m.toml:{}:12: error: [money] currency must be an ISO 4217 code", line("currency")),
            &format!("m.toml:{}:16: error: [money] per_incident must be a finite amount, 0 or more, not -5", line("per_incident")),
            &format!("m.toml:{}:10: error: [money] per_record `user` must be a finite amount", line("\"user\" = nan")),
            &format!("m.toml:{}:9: error: [money.per_person] unknown notification regime `helth`; did you mean `health`?", line("helth")),
        ],
    );
}

#[test]
fn bad_frequency_and_cost_are_reported_at_their_position() {
    let s = scenario(Some(-1.0)).replace("cost_per_year = 1000", "cost_per_year = -3");
    let dir = files(&[("m.toml", MODEL), ("s.toml", &s)]);
    let out = run_in(dir.path(), &["run", "s.toml"]);
    assert_fails_with(
        &out,
        &[
            "s.toml:5:22: error: [attack] frequency_per_year must be from 0 to 365",
            "s.toml:11:17: error: design `drop-health`: cost_per_year must be a finite amount",
        ],
    );
}

#[test]
fn tables_and_csv_show_money() {
    let dir = files(&[("m.toml", MODEL), ("s.toml", &scenario(Some(FREQUENCY)))]);
    let out = run_in(dir.path(), &["run", "s.toml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("Loss               EUR 99,200"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("Frequency  1.2 incidents a year"));
    // drop-health: 1.2 × 14,000 − 1,000 = 15,800 a year, 15.8 times its cost.
    assert!(out
        .stdout
        .contains("net benefit a year +EUR 15,800 for EUR 1,000 a year, return 15.8× its cost"));
    let out = run_in(dir.path(), &["compare", "s.toml"]);
    assert!(out.stdout.contains("Loss in EUR"), "{}", out.stdout);
    assert!(out.stdout.contains("+15,800"), "{}", out.stdout);
    let csv = run_in(dir.path(), &["compare", "s.toml", "--format", "csv"]).stdout;
    assert!(csv
        .lines()
        .next()
        .unwrap()
        .ends_with(",net_benefit_per_year,return_on_control"));
    let csv = run_in(
        dir.path(),
        &["run", "s.toml", "--format", "csv", "--csv-table", "loss"],
    )
    .stdout;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[1].starts_with("money,baseline,EUR,99200,"), "{csv}");
}

#[test]
fn the_demo_prints_its_loss_and_the_year() {
    let out = crate::util::run(&["run", "scenarios/phished-manager.toml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for line in [
        "Frequency  0.2 incidents a year (about 1 every 5 years)",
        "Loss               USD ",
        "  loss (USD) ",
        "  Loss in a year (incidents ~ Poisson(frequency), each a trial): mean USD ",
        "net benefit a year ",
    ] {
        assert!(
            out.stdout.contains(line),
            "{line:?} missing:\n{}",
            out.stdout
        );
    }
}

#[test]
fn the_report_opens_with_money_and_draws_the_loss_curves() {
    let dir = files(&[("m.toml", MODEL), ("s.toml", &scenario(Some(FREQUENCY)))]);
    let out = run_in(dir.path(), &["report", "s.toml", "-o", "out", "-q"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let page = std::fs::read_to_string(dir.path().join("out/index.html")).unwrap();
    // Mean loss A_ONLY + B_ADDS × q ≈ 59,200 (€59 k), p95 99,200 (€99 k); 1.2 incidents a
    // year; remove-b nets 1.2 × 80,000 × q − 20,000 ≈ 28,000 a year, drop-health 15,800.
    assert!(
        page.contains("If p is compromised, the expected cost is €")
            && page.contains("(95% of outcomes under €99 k); about 1 such incident is expected a year; remove-b saves €"),
        "{}",
        &page[page.find("id=\"answer\"").unwrap()..][..300]
    );
    for chart in ["loss-exceedance", "annual-loss-exceedance", "net-benefit"] {
        assert!(
            dir.path().join(format!("out/{chart}.svg")).exists(),
            "{chart}"
        );
    }
}

#[test]
fn sweep_by_loss_ranks_by_the_worst_case_loss() {
    let dir = files(&[("m.toml", MODEL)]);
    let r = run_json(
        dir.path(),
        &[
            "sweep", "m.toml", "--kind", "person", "--by", "loss", "--format", "json",
        ],
    );
    assert_eq!(r["by"], "loss");
    assert_eq!(r["entries"][0]["id"], "p");
    assert_eq!(f(&r["entries"][0]["loss"]), A_ONLY + B_ADDS);
    // The demo: the admin token's sweep loss is its scenario's worst-case loss.
    let s = crate::util::run_json(&["sweep", "data/tracking-program", "--by", "loss"]);
    let run = crate::util::run_json(&[
        "run",
        "scenarios/stolen-it-admin-token.toml",
        "--worst-case-only",
    ]);
    let entry = s["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "kofi-mensah-adm")
        .unwrap();
    assert_eq!(entry["loss"], run["baseline"]["deterministic"]["loss"]);
    // Without [money] there is nothing to rank by.
    let plain = MODEL.split("[money]").next().unwrap();
    let dir = files(&[("m.toml", plain)]);
    let out = run_in(dir.path(), &["sweep", "m.toml", "--by", "loss"]);
    assert_fails_with(&out, &["--by loss needs a [money] table in `m.toml`"]);
}

#[test]
fn money_survives_saving_and_the_opengraph_round_trip() {
    let dir = files(&[("m.toml", MODEL)]);
    let out = run_in(
        dir.path(),
        &["export", "opengraph", "m.toml", "-o", "g.json"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(dir.path().join("g.json")).unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    let settings = |doc: &Value| -> usize {
        let nodes = doc["graph"]["nodes"].as_array().unwrap();
        nodes
            .iter()
            .position(|n| n["kinds"].as_array().unwrap().contains(&"BR_Model".into()))
            .expect("a BR_Model node")
    };
    let i = settings(&doc);
    let props = doc["graph"]["nodes"][i]["properties"].clone();
    // The model's own [money], as flat properties (the record costs sorted by category).
    assert_eq!(props["br_money_currency"], "EUR");
    assert_eq!(f(&props["br_money_per_incident"]), 5000.0);
    assert_eq!(
        props["br_money_record_categories"],
        serde_json::json!(["user", "user.health"])
    );
    assert_eq!(
        props["br_money_record_costs"],
        serde_json::json!([2.0, 50.0])
    );
    assert_eq!(
        props["br_money_person_regimes"],
        serde_json::json!(["health"])
    );
    assert_eq!(props["br_money_person_costs"], serde_json::json!([30.0]));

    // Imported and saved, the model costs what the hand computation says.
    let out = run_in(dir.path(), &["import", "opengraph", "g.json", "-o", "back"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let saved = std::fs::read_to_string(dir.path().join("back/model.toml")).unwrap();
    assert!(
        saved.contains("[money]\ncurrency = \"EUR\"\nper_incident = 5000.0\n"),
        "{saved}"
    );
    let s = scenario(None).replace("m.toml", "back/model.toml");
    std::fs::write(dir.path().join("back.toml"), s).unwrap();
    let r = run_json(
        dir.path(),
        &["run", "back.toml", "--format", "json", "--worst-case-only"],
    );
    assert_eq!(f(&r["baseline"]["deterministic"]["loss"]), A_ONLY + B_ADDS);
    assert_eq!(r["baseline"]["deterministic"]["currency"], "EUR");

    // Bad money on the node is reported as the model file's would be, and nothing is written.
    let p = &mut doc["graph"]["nodes"][i]["properties"];
    p["br_money_currency"] = "eur".into();
    p["br_money_per_incident"] = (-1.0).into();
    p["br_money_person_regimes"] = serde_json::json!(["helth"]);
    std::fs::write(dir.path().join("bad.json"), doc.to_string()).unwrap();
    let out = run_in(
        dir.path(),
        &["import", "opengraph", "bad.json", "-o", "worse"],
    );
    assert_fails_with(
        &out,
        &[
            "three capital letters, not \"eur\"",
            "money per incident must be a finite amount, 0 or more, not -1",
            "regime `helth`, which the model does not declare; did you mean `health`?",
        ],
    );
    assert!(!dir.path().join("worse").exists());
}
