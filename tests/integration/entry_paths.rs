//! The most likely path to each breached store weighs where the attack starts (DESIGN.md
//! "Entry likelihood"): with an `[attack] vector`, a path's likelihood is its entry account's
//! probability times its steps', as the report's drawing shows it. Hand-computed on a model
//! where the likeliest steps start from the account a phishing attempt almost never takes.

use crate::util::{files, run_in};

/// fast-u (no MFA, phishing 0.3) reads `db` with p 0.5 and, through `team`, `lake` with p 0.6;
/// key-u (security key, phishing 0.002) reads `db` with p 1 and `lake` with p 0.9.
const MODEL: &str = r#"
[org]
name = "entry paths"
[categories]
"user.a" = 1
[entry]
phishing = { none = 0.3, otp = 0.08, phishing_resistant = 0.002 }
[[account]]
id = "fast-u"
groups = ["team"]
[[account]]
id = "key-u"
mfa = "phishing_resistant"
[[group]]
id = "team"
[[store]]
id = "db"
records = [{ category = "user.a", count = 10 }]
[[store]]
id = "lake"
records = [{ category = "user.a", count = 20 }]
[[grant]]
principal = "fast-u"
target = "db"
access = "read"
p = 0.5
[[grant]]
principal = "key-u"
target = "db"
access = "read"
[[grant]]
principal = "team"
target = "lake"
access = "read"
p = 0.6
[[grant]]
principal = "key-u"
target = "lake"
access = "read"
p = 0.9
"#;

fn scenario(vector: bool) -> String {
    format!(
        "model = \"model.toml\"\n[attack]\ncompromised = [\"fast-u\", \"key-u\"]\n{}[simulation]\ntrials = 400\nseed = 3\n",
        if vector { "vector = \"phishing\"\n" } else { "" }
    )
}

/// (first node, probability of the steps) of the most likely path to each store.
fn most_likely(vector: bool) -> Vec<(String, String, f64)> {
    let dir = files(&[("model.toml", MODEL), ("s.toml", &scenario(vector))]);
    let out = run_in(dir.path(), &["run", "s.toml", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    v["baseline"]["monte_carlo"]["most_likely_paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["target"].as_str().unwrap().to_string(),
                p["steps"][0]["from"].as_str().unwrap().to_string(),
                p["probability"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn the_most_likely_path_weighs_its_entry_probability() {
    // Without a vector both accounts are held: key-u's steps are likelier (1 > 0.5, 0.9 > 0.6).
    assert_eq!(
        most_likely(false),
        [
            ("db".to_string(), "key-u".to_string(), 1.0),
            ("lake".to_string(), "key-u".to_string(), 0.9),
        ]
    );
    // Phished: db by fast-u 0.3 × 0.5 = 0.15 against key-u 0.002 × 1 = 0.002; lake by fast-u
    // 0.3 × 1 (member) × 0.6 = 0.18 against key-u 0.002 × 0.9 = 0.0018. The probability listed
    // stays the steps' (all open once the entry is taken), as the table says.
    assert_eq!(
        most_likely(true),
        [
            ("db".to_string(), "fast-u".to_string(), 0.5),
            ("lake".to_string(), "fast-u".to_string(), 0.6),
        ]
    );
}

/// The table says what the choice weighed: with a vector each path line gives its entry
/// account's probability before the steps'; without one, the steps' alone.
#[test]
fn the_table_shows_the_entry_probability_beside_the_steps() {
    let table = |vector: bool| {
        let dir = files(&[("model.toml", MODEL), ("s.toml", &scenario(vector))]);
        let out = run_in(dir.path(), &["run", "s.toml", "-q"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.stdout
    };
    let phished = table(true);
    assert!(
        phished.contains("fast-u —read→ db (entry 0.300, then all open: 0.500)"),
        "{phished}"
    );
    assert!(
        phished.contains("fast-u —member→ team —read→ lake (entry 0.300, then all open: 0.600)"),
        "{phished}"
    );
    let held = table(false);
    assert!(held.contains("key-u —read→ db (all open: 1.000)"), "{held}");
    assert!(!held.contains("entry 0."), "{held}");
}
