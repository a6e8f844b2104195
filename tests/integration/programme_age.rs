//! Programme age: the lint that names every store keeping records longer than the programme has
//! run, and `--horizon-days`, which evaluates as if the programme were that old (figures by
//! hand: records a day × days held).

use crate::util::{files, run_in};

/// `log` keeps 10 records a day for 1,095 days, in a programme 730 days old; its copy in `lake`
/// is kept 2,000 days; `short` keeps 5 a day for 365 days.
const MODEL: &str = r#"
[org]
program_age_days = 730
[categories]
"user.x" = 1
[[account]]
id = "u"
[[store]]
id = "log"
retention_days = 1095
records = [{ category = "user.x", per_day = 10 }]
[[store]]
id = "lake"
retention_days = 2000
[[store]]
id = "short"
retention_days = 365
records = [{ category = "user.x.short", per_day = 5 }]
[[flow]]
from = "log"
to = "lake"
[[grant]]
principal = "u"
target = "log"
access = "read"
[[grant]]
principal = "u"
target = "short"
access = "read"
"#;

const SCENARIO: &str = r#"
model = "model.toml"
[attack]
compromised = ["u"]
"#;

#[test]
fn validate_names_every_store_whose_window_outlasts_the_programme() {
    let dir = files(&[("model.toml", MODEL)]);
    let out = run_in(dir.path(), &["validate", "model.toml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = format!("{}{}", out.stdout, out.stderr);
    let warned: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("longer than the programme has run (730 days)"))
        .collect();
    assert_eq!(warned.len(), 2, "{text}");
    let about = |store: &str| {
        warned
            .iter()
            .find(|l| l.contains(&format!("store `{store}`")))
            .unwrap_or_else(|| panic!("no warning for {store}: {text}"))
    };
    assert!(about("log").contains("user.x 1095 days"));
    assert!(about("lake").contains("user.x 2000 days"));
    assert!(about("lake").contains("--horizon-days 2000"));
    assert!(!text.contains("store `short` keeps"), "{text}");
}

#[test]
fn horizon_days_evaluates_as_if_the_programme_were_that_old() {
    let dir = files(&[("model.toml", MODEL), ("s.toml", SCENARIO)]);
    let records = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "s.toml",
            "--worst-case-only",
            "-q",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let out = run_in(dir.path(), &args);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let j: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        j["baseline"]["deterministic"]["records_total"]
            .as_u64()
            .unwrap()
    };
    // u reads `log` and `short`: today 10 × 730 + 5 × 365.
    assert_eq!(records(&[]), 10 * 730 + 5 * 365);
    // At 1,000 days `log` holds 1,000 days; at 5,000 its full 1,095.
    assert_eq!(records(&["--horizon-days", "1000"]), 10 * 1000 + 5 * 365);
    assert_eq!(records(&["--horizon-days", "5000"]), 10 * 1095 + 5 * 365);
    // A younger programme holds less everywhere.
    assert_eq!(records(&["--horizon-days", "100"]), 10 * 100 + 5 * 100);

    let sweep = |extra: &[&str]| {
        let mut args = vec!["sweep", "model.toml", "--format", "json"];
        args.extend_from_slice(extra);
        let out = run_in(dir.path(), &args);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let j: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        j["entries"][0]["records"].as_u64().unwrap()
    };
    assert_eq!(sweep(&[]), 10 * 730 + 5 * 365);
    assert_eq!(sweep(&["--horizon-days", "5000"]), 10 * 1095 + 5 * 365);
    let out = run_in(
        dir.path(),
        &[
            "compare",
            "s.toml",
            "--trials",
            "64",
            "-q",
            "--horizon-days",
            "5000",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains(&thousands(10 * 1095 + 5 * 365)),
        "{}",
        out.stdout
    );
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A figure at another horizon says so: `--horizon-days` shows in every output it changes (the
/// run, compare and sweep tables and JSON, the report's methods and report.json), and is
/// absent without it.
#[test]
fn horizon_days_shows_in_every_output() {
    let dir = files(&[("model.toml", MODEL), ("s.toml", SCENARIO)]);
    let cmds: [&[&str]; 3] = [
        &["run", "s.toml", "--trials", "64", "-q"],
        &["compare", "s.toml", "--trials", "64", "-q"],
        &["sweep", "model.toml"],
    ];
    for cmd in cmds {
        let with = |extra: &[&str]| {
            let mut args = cmd.to_vec();
            args.extend_from_slice(extra);
            let out = run_in(dir.path(), &args);
            assert_eq!(out.code, 0, "{}", out.stderr);
            out.stdout
        };
        let table = with(&["--horizon-days", "3650"]);
        assert!(
            table.contains("programme taken as 3,650 days old (--horizon-days)"),
            "{cmd:?}: {table}"
        );
        assert!(!with(&[]).contains("--horizon-days"), "{cmd:?}");
        let j: serde_json::Value =
            serde_json::from_str(&with(&["--horizon-days", "3650", "--format", "json"])).unwrap();
        assert_eq!(j["horizon_days"], 3650, "{cmd:?}");
        let j: serde_json::Value = serde_json::from_str(&with(&["--format", "json"])).unwrap();
        assert!(j.get("horizon_days").is_none(), "{cmd:?}");
    }
    let out = run_in(
        dir.path(),
        &[
            "report",
            "s.toml",
            "-o",
            "rep",
            "--trials",
            "64",
            "-q",
            "--horizon-days",
            "3650",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = std::fs::read_to_string(dir.path().join("rep/report.json")).unwrap();
    let j: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(j["run"]["horizon_days"], 3650);
    let page = std::fs::read_to_string(dir.path().join("rep/index.html")).unwrap();
    assert!(
        page.contains("The programme is taken as 3,650 days old"),
        "{page}"
    );
}
