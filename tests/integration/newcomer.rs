//! What a newcomer trips on: a model given where a scenario belongs, per-store CSV rows that
//! overlap, raw Markdown on the page.

use std::collections::BTreeMap;

use crate::number_style::human_text;
use crate::util::{root, run, run_in};

#[test]
fn run_given_a_model_says_so_and_shows_a_scenario_that_works() {
    let dir = tempfile::tempdir().unwrap();
    let folder = root().join("data/tracking-program");
    let file = folder.join("model.toml");
    for model in [&folder, &file] {
        let out = run_in(dir.path(), &["run", model.to_str().unwrap()]);
        crate::util::assert_fails_with(&out, &["is a model", "takes a scenario", "[attack]"]);
        // The scenario the message shows, saved where it says, runs.
        let lines: Vec<&str> = out.stderr.lines().collect();
        let start = lines
            .iter()
            .position(|l| l.starts_with("model = "))
            .unwrap();
        let end = lines
            .iter()
            .position(|l| l.starts_with("compromised = "))
            .unwrap();
        let scenario = lines[start..=end].join("\n");
        assert!(scenario.contains("dana-okafor-u"), "{scenario}");
        std::fs::write(dir.path().join("scenario.toml"), scenario).unwrap();
        let ran = run_in(dir.path(), &["run", "scenario.toml", "--worst-case-only"]);
        assert_eq!(ran.code, 0, "{}", ran.stderr);
    }
    // compare says the same.
    let out = run_in(dir.path(), &["compare", folder.to_str().unwrap()]);
    crate::util::assert_fails_with(&out, &["is a model", "takes a scenario"]);
}

#[test]
fn run_csv_totals_rows_count_each_record_once() {
    let json =
        crate::util::run_json(&["run", "scenarios/phished-manager.toml", "--worst-case-only"]);
    let out = run(&[
        "run",
        "scenarios/phished-manager.toml",
        "--worst-case-only",
        "--format",
        "csv",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut r = csv::Reader::from_reader(out.stdout.as_bytes());
    // design → (records, exposure) summed over the `*` rows, and over the per-store rows.
    let mut totals: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut per_store: BTreeMap<String, u64> = BTreeMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let records: u64 = rec[4].parse().unwrap();
        let exposure: u64 = rec[6].parse().unwrap();
        if &rec[2] == "*" {
            let t = totals.entry(rec[1].to_string()).or_default();
            t.0 += records;
            t.1 += exposure;
        } else {
            *per_store.entry(rec[1].to_string()).or_default() += records;
        }
    }
    let mut variants = vec![("baseline".to_string(), &json["baseline"]["deterministic"])];
    for d in json["designs"].as_array().unwrap() {
        variants.push((d["name"].as_str().unwrap().to_string(), &d["deterministic"]));
    }
    for (name, d) in variants {
        let (records, exposure) = totals[&name];
        assert_eq!(records, d["records_total"].as_u64().unwrap(), "{name}");
        assert_eq!(exposure, d["exposure"].as_u64().unwrap(), "{name}");
        // The per-store rows overlap (a flow copy is counted in each store holding it).
        assert!(per_store[&name] >= records, "{name}");
    }
    // On the demo the overlap is real: summing per-store rows would overcount.
    assert!(per_store["baseline"] > totals["baseline"].0);
}

#[test]
fn the_page_shows_no_raw_markdown() {
    let dir = tempfile::tempdir().unwrap();
    for s in ["phished-manager", "stolen-it-admin-token"] {
        let out = dir.path().join(s);
        let scenario = root().join(format!("scenarios/{s}.toml"));
        let o = run(&[
            "report",
            scenario.to_str().unwrap(),
            "--trials",
            "200",
            "-q",
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        let page = std::fs::read_to_string(out.join("index.html")).unwrap();
        let text = human_text(&page);
        assert!(!text.contains('`'), "a backtick on the page");
        // The reason a chart is not drawn names its setting as code.
        assert!(page.contains("<code>[simulation.detection]</code>"));
    }
}

#[test]
fn redact_clears_people_from_the_scenario_and_design_names() {
    let model = root().join("data/tracking-program");
    let scenario = format!(
        "model = {:?}\nname = \"Dana Okafor phished, Okafor's laptop\"\ndescription = \"Dana Okafor clicks\"\n\
         [attack]\ncompromised = [\"dana-okafor\"]\n\
         [[design]]\nname = \"review Sofia Lindqvist\"\nchanges = [{{ op = \"review_access\", unused_days = 180 }}]\n",
        model.to_str().unwrap()
    );
    let dir = crate::util::files(&[("s.toml", &scenario)]);
    let out = run_in(
        dir.path(),
        &[
            "run",
            "s.toml",
            "--worst-case-only",
            "--redact",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lower = out.stdout.to_lowercase();
    for name in ["okafor", "lindqvist", "sofia", "dana"] {
        assert!(!lower.contains(name), "{name} in the redacted result");
    }
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(json["scenario"].as_str().unwrap().starts_with("person-"));
    assert!(json["scenario"]
        .as_str()
        .unwrap()
        .contains(" phished, person-"));
}
