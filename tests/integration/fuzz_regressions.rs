//! Inputs that once panicked, found while fuzzing the loaders (`fuzz/`, README "Fuzzing"): each
//! is fed exactly as found and must give a clean error or a result, never a panic.

use blastradius::load::parse_model;
use blastradius::Analysis;

use crate::util::{files, run_in};

/// A rate-based set so large that `per_day × window` passes `u64::MAX`: the worst case
/// multiplied it unchecked (a panic in debug builds, a small wrapped figure in release).
const HUGE_PER_DAY: &str = r#"[org]
program_age_days = 730
[[account]]
id = "u"
[[store]]
id = "s"
retention_days = 365
records = [{ category = "x", per_day = 9000000000000000000 }]
[[grant]]
principal = "u"
target = "s"
access = "read"
"#;

#[test]
fn records_past_u64_saturate_instead_of_overflowing() {
    let loaded = parse_model(HUGE_PER_DAY, "model.toml").unwrap();
    let analysis = Analysis::new(loaded.model);
    let u = analysis.model.node_id("u").unwrap();
    let wc = analysis.worst_case(&[u]);
    assert_eq!(wc.exposure.records_total, u64::MAX);
    assert_eq!(
        analysis
            .holdings
            .store_records(&analysis.model, analysis.model.node_id("s").unwrap())["x"],
        u64::MAX
    );
}

#[test]
fn a_design_against_a_saturated_baseline_reports_a_clamped_change() {
    let scenario = r#"model = "model.toml"
[attack]
compromised = ["u"]
[simulation]
trials = 20
[[design]]
name = "cut"
changes = [{ op = "set_retention", store = "s", days = 1 }]
"#;
    let dir = files(&[("model.toml", HUGE_PER_DAY), ("s.toml", scenario)]);
    let out = run_in(dir.path(), &["run", "s.toml", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let base = &v["baseline"]["deterministic"]["records_total"];
    assert_eq!(base.as_u64(), Some(u64::MAX), "{base}");
    let design = &v["designs"][0]["deterministic"]["records_total"];
    assert_eq!(design.as_u64(), Some(9_000_000_000_000_000_000), "{design}");
}
