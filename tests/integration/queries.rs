//! `validate`, `paths` and `who-can-reach` on small models with answers known by hand.

use crate::util::{files, run, run_in, run_json};

const DIAMOND: &str = r#"[org]
program_age_days = 100
[[person]]
id = "p"
accounts = ["a"]
[[account]]
id = "a"
groups = ["g1", "g2"]
[[account]]
id = "svc"
[[group]]
id = "g1"
[[group]]
id = "g2"
[[group]]
id = "orphan"
[[system]]
id = "host"
credentials = ["svc"]
[[store]]
id = "db"
retention_days = 10
records = [{ category = "x", per_day = 1 }]
[[grant]]
principal = "g1"
target = "db"
access = "read"
p = 0.5
[[grant]]
principal = "g2"
target = "host"
access = "admin"
[[grant]]
principal = "svc"
target = "db"
access = "admin"
[[grant]]
principal = "orphan"
target = "db"
access = "write"
"#;

#[test]
fn paths_come_shortest_first_then_most_likely() {
    let dir = files(&[("m.toml", DIAMOND)]);
    let out = run_in(
        dir.path(),
        &[
            "paths", "m.toml", "--from", "p", "--to", "db", "--format", "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let paths = v["paths"].as_array().unwrap();
    assert_eq!(paths.len(), 2);
    let route = |p: &serde_json::Value| -> Vec<String> {
        p["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["to"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(route(&paths[0]), ["a", "g1", "db"]);
    assert_eq!(paths[0]["probability"], 0.5);
    // p → a → g2 → host → svc → db: credential on an account without MFA succeeds with 0.95.
    assert_eq!(route(&paths[1]), ["a", "g2", "host", "svc", "db"]);
    assert!((paths[1]["probability"].as_f64().unwrap() - 0.95).abs() < 1e-12);
    let out = run_in(
        dir.path(),
        &[
            "paths", "m.toml", "--from", "p", "--to", "db", "--limit", "1",
        ],
    );
    assert_eq!(
        out.stdout.matches(" steps, p = ").count(),
        1,
        "{}",
        out.stdout
    );
}

#[test]
fn who_can_reach_lists_every_reacher_with_its_distance() {
    let dir = files(&[("m.toml", DIAMOND)]);
    let out = run_in(
        dir.path(),
        &["who-can-reach", "m.toml", "db", "--format", "json"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let rows: Vec<(String, u64)> = v["reachers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["steps"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("g1", 1),
        ("svc", 1),
        ("a", 2),
        ("host", 2),
        ("g2", 3),
        ("p", 3),
    ];
    assert_eq!(
        rows,
        expected
            .iter()
            .map(|(a, b)| (a.to_string(), *b))
            .collect::<Vec<_>>()
    );
    // The write-only grant of `orphan` does not reach the store.
}

#[test]
fn validate_reports_lint_warnings() {
    let dir = files(&[("m.toml", DIAMOND)]);
    let out = run_in(dir.path(), &["validate", "m.toml", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["counts"]["attack_edges"], 7);
    assert_eq!(v["counts"]["integrity_only"], 1);
    let warnings = v["warnings"].to_string();
    assert!(warnings.contains("unused group `orphan`"), "{warnings}");
    assert!(
        warnings.contains("grant write on `db` to group `orphan` that nobody can use"),
        "{warnings}"
    );
    assert!(
        warnings.contains("category `x` has no weight"),
        "{warnings}"
    );
}

#[test]
fn validate_counts_in_words() {
    let dir = files(&[(
        "m.toml",
        "[[person]]\nid = \"p\"\naccounts = [\"a\"]\n[[account]]\nid = \"a\"\n[[grant]]\nprincipal = \"a\"\ntarget = \"db\"\naccess = \"read\"\n[[store]]\nid = \"db\"\nrecords = [{ category = \"user.contact\", count = 5 }]\n[categories]\n\"user.contact\" = 1\n",
    )]);
    let out = run_in(dir.path(), &["validate", "m.toml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("1 person, 1 account, 0 groups, 0 systems, 1 store"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "2 links: 2 attack edges, 0 write-only (integrity exposure); 1 record set; 0 flows"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn validate_the_demo() {
    let v = run_json(&["validate", "data/tracking-program"]);
    assert_eq!(v["valid"], true);
    assert_eq!(v["counts"]["store"], 14);
    // One warning: hr-records keeps records longer than the two-year programme has run.
    let warnings = v["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let message = warnings[0].as_str().unwrap();
    assert!(
        message.contains(
            "warning: store `hr-records` keeps records longer than the programme has run (730 days)"
        ),
        "{message}"
    );
}

#[test]
fn help_lists_the_commands() {
    let out = run(&["--help"]);
    assert_eq!(out.code, 0);
    for c in ["run", "validate", "paths", "who-can-reach"] {
        assert!(out.stdout.contains(c), "{}", out.stdout);
    }
}
