//! The bundled demo's worst-case figures against expectations computed by hand from
//! `data/tracking-program/model.toml` (reachability step by step, then the record arithmetic).

use serde_json::json;

use crate::util::{run, run_json};

fn deterministic(scenario: &str) -> serde_json::Value {
    let v = run_json(&["run", scenario]);
    assert_eq!(v["schema"], "blastradius/result/v1");
    v["baseline"]["deterministic"].clone()
}

/// Dana Okafor (site manager) is phished.
/// dana-okafor →owns dana-okafor-u →member site-managers →member people-leads →member all-staff;
/// site-managers reads badge-logs and activity-metrics, people-leads reads workforce-reports,
/// all-staff reads staff-directory; people-leads' write grant on workforce-reports is integrity
/// exposure only.
#[test]
fn phished_manager_matches_hand_computation() {
    let d = deterministic("scenarios/phished-manager.toml");
    assert_eq!(
        d["compromised"],
        json!({
            "person": ["dana-okafor"],
            "account": ["dana-okafor-u"],
            "group": ["all-staff", "people-leads", "site-managers"],
            "system": [],
            "store": ["activity-metrics", "badge-logs", "staff-directory", "workforce-reports"],
        })
    );
    assert_eq!(
        d["leaked_stores"],
        json!([
            "activity-metrics",
            "badge-logs",
            "staff-directory",
            "workforce-reports"
        ])
    );
    assert_eq!(d["tampered_stores"], json!(["workforce-reports"]));
    // Records counted once across copies: badge-logs keeps 365 days, its copy in
    // workforce-reports 400 days, so the union is 400 days of each set:
    //   16,000/d × 400 + 600/d × 400 = 6,640,000 imprecise locations;
    // productivity 3,400/d: 395 days at the source, 400 in the reports copy → 1,360,000.
    assert_eq!(
        d["records_by_category"],
        json!({
            "user.behavior.app_usage": 7_650_000u64,   // 85,000/d × 90 (set's own retention)
            "user.behavior.attendance": 1_560_000u64,  // 3,900/d × 400
            "user.behavior.productivity": 1_360_000u64,
            "user.biometrics.face": 4_200u64,          // count
            "user.contact.work": 4_850u64,             // count
            "user.identity.name": 4_200u64,            // count
            "user.location.imprecise": 6_640_000u64,
        })
    );
    assert_eq!(d["records_total"], 17_223_250u64);
    // 7,650,000×5 + 1,560,000×5 + 1,360,000×5 + 4,200×9 + 4,850×2 + 4,200×3 + 6,640,000×8
    assert_eq!(d["exposure"], 106_030_100u64);
    // What each store holds on its own is not deduplicated: the reports hold their copies.
    assert_eq!(
        d["store_records"]["workforce-reports"]["user.location.imprecise"],
        6_640_000u64
    );
    assert_eq!(
        d["store_records"]["badge-logs"]["user.location.imprecise"],
        6_059_000u64 // (16,000 + 600) × 365
    );
}

/// The MDM service key leaks. svc-mdm is admin of mdm-fleet (which has admin access to
/// device-telemetry and mdm-db-backups and can push a payload to endpoint-agent, which holds
/// svc-capture-upload's secret) and reads mdm-config, whose stored secret of svc-telemetry-etl
/// reads activity-metrics.
#[test]
fn leaked_mdm_key_matches_hand_computation() {
    let d = deterministic("scenarios/leaked-mdm-key.toml");
    assert_eq!(
        d["compromised"],
        json!({
            "person": [],
            "account": ["svc-capture-upload", "svc-mdm", "svc-telemetry-etl"],
            "group": [],
            "system": ["endpoint-agent", "mdm-fleet"],
            "store": ["activity-metrics", "device-telemetry", "mdm-config", "mdm-db-backups"],
        })
    );
    assert_eq!(
        d["tampered_stores"],
        json!([
            "analytics-lake",
            "device-telemetry",
            "mdm-db-backups",
            "screen-captures"
        ])
    );
    assert_eq!(
        d["records_by_category"],
        json!({
            "system.authentication": 18u64,
            "user.behavior.app_usage": 7_650_000u64,
            "user.behavior.productivity": 1_343_000u64, // 3,400/d × 395
            "user.device.inventory": 5_300u64,          // count, in the source and its backup copy
            "user.device.mdm_commands": 36_000u64,      // 400/d × 90
            "user.device.telemetry": 17_280_000u64,     // 96,000/d × max(180, 90)
            // 24,000/d: the set keeps 30 days at the source, but the backup copy is held under
            // the backup store's 90 days: the union is 90 days.
            "user.location.precise": 2_160_000u64,
        })
    );
    assert_eq!(d["records_total"], 28_474_318u64);
    assert_eq!(d["exposure"], 133_690_380u64);
    // People: employees in sets of coverage .9, .3, .95, .2, .8, .8 →
    // 4,200 × (1 − .1×.7×.05×.8×.2×.2) = 4,199.5296; precise location only in .3 → 1,260.
    let employees = &d["people_affected"]["employees"];
    // JSON holds six significant digits of a fraction (README, "Numbers").
    assert_eq!(employees["expected"], 4199.53);
    assert_eq!(employees["low"], 3990.0);
    assert_eq!(employees["high"], 4200.0);
    assert!(
        (d["notifiable"]["precise_location"]["employees"]
            .as_f64()
            .unwrap()
            - 1260.0)
            .abs()
            < 1e-9
    );
}

#[test]
fn every_demo_scenario_runs_in_every_format() {
    let dir = crate::util::root().join("scenarios");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        count += 1;
        let p = path.to_str().unwrap();
        for format in ["table", "json", "csv"] {
            let out = run(&["run", p, "--format", format]);
            assert_eq!(out.code, 0, "{p} {format}: {}", out.stderr);
            assert!(!out.stdout.is_empty());
        }
        let d = run_json(&["run", p]);
        let det = &d["baseline"]["deterministic"];
        assert!(
            det["records_total"].as_u64().unwrap() > 0,
            "{p} leaks nothing"
        );
    }
    assert!(count >= 5, "at least five demo scenarios");
}

#[test]
fn the_table_shows_paths_and_totals() {
    let out = run(&["run", "scenarios/phished-manager.toml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("Weighted exposure  106,030,100"),
        "{}",
        out.stdout
    );
    assert!(out
        .stdout
        .contains("dana-okafor —owns→ dana-okafor-u —member→ site-managers —read→ badge-logs"));
}

#[test]
fn csv_has_one_row_per_leaked_store_and_category() {
    let out = run(&["run", "scenarios/phished-manager.toml", "--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "scenario,design,store,category,records,weight,exposure"
    );
    // badge-logs 2 categories, activity-metrics 2, workforce-reports 3, staff-directory 2.
    let baseline = lines
        .iter()
        .filter(|l| l.starts_with("Phished manager,baseline,") && !l.contains(",*,"))
        .count();
    assert_eq!(baseline, 9);
    // Every design gets its rows too.
    assert!(lines
        .iter()
        .any(|l| l.starts_with("Phished manager,access-review-180d,")));
    assert!(lines.contains(
        &"Phished manager,baseline,badge-logs,user.location.imprecise,6059000,8,48472000"
    ));
}

fn run_with_threads(threads: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_blastradius"))
        .args(args)
        .current_dir(crate::util::root())
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn json_is_byte_identical_for_any_thread_count() {
    let args = [
        "run",
        "scenarios/stolen-it-admin-token.toml",
        "--format",
        "json",
        "--trials",
        "3000",
    ];
    let one = run_with_threads("1", &args);
    assert_eq!(one, run_with_threads("2", &args));
    assert_eq!(one, run_with_threads("8", &args));
}

#[test]
fn trials_and_seed_can_be_overridden() {
    let v = run_json(&[
        "run",
        "scenarios/phished-manager.toml",
        "--trials",
        "500",
        "--seed",
        "99",
    ]);
    let mc = &v["baseline"]["monte_carlo"];
    assert_eq!(mc["trials"], 500);
    assert_eq!(mc["seed"], 99);
    let other = run_json(&[
        "run",
        "scenarios/phished-manager.toml",
        "--trials",
        "500",
        "--seed",
        "98",
    ]);
    assert_ne!(
        mc["exposure"]["mean"],
        other["baseline"]["monte_carlo"]["exposure"]["mean"]
    );
    // Every store has a breach probability, 0 when never breached.
    assert_eq!(mc["store_breach_probability"]["hr-records"], 0.0);
    assert_eq!(
        mc["store_breach_probability"].as_object().unwrap().len(),
        14
    );
    let wc = run_json(&["run", "scenarios/phished-manager.toml", "--worst-case-only"]);
    assert!(wc["baseline"].get("monte_carlo").is_none());
}

#[test]
fn monte_carlo_never_exceeds_the_worst_case() {
    let v = run_json(&["run", "scenarios/leaked-mdm-key.toml", "--trials", "2000"]);
    let worst = v["baseline"]["deterministic"]["exposure"].as_f64().unwrap();
    let mc = &v["baseline"]["monte_carlo"]["exposure"];
    assert!(mc["p99"].as_f64().unwrap() <= worst);
    assert!(mc["mean"].as_f64().unwrap() <= worst);
    assert!(mc["mean"].as_f64().unwrap() > 0.0);
}
