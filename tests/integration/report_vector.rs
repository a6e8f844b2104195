//! The report's attack graph for a scenario with an `[attack] vector`: entry points drawn as
//! what they are (the accounts the vector can take), and each leaked store's path probability
//! including its entry account's chance, both checked against the model file and report.json.

use std::collections::BTreeMap;

use crate::util::{root, run};

/// `data-name="value"` of one SVG start tag.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    tag[at..].split('"').next()
}

/// Every id in the model file with its kind, read from the raw TOML's `[[kind]]` tables.
fn model_kinds(model: &str) -> BTreeMap<String, String> {
    let v: toml::Value = toml::from_str(model).expect("model TOML");
    let mut kinds = BTreeMap::new();
    for kind in ["person", "account", "group", "system", "store"] {
        for t in v.get(kind).and_then(|a| a.as_array()).into_iter().flatten() {
            kinds.insert(t["id"].as_str().unwrap().to_string(), kind.to_string());
        }
    }
    kinds
}

#[test]
fn a_vector_reports_graph_draws_entry_accounts_and_weighs_paths_by_entry_probability() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rep");
    let o = run(&[
        "report",
        "scenarios/phishing-campaign.toml",
        "-o",
        out.to_str().unwrap(),
        "--trials",
        "300",
        "-q",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let svg = std::fs::read_to_string(out.join("attack-graph.svg")).unwrap();
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let run = &report["run"];
    let kinds = model_kinds(
        &std::fs::read_to_string(root().join("data/tracking-program/model.toml")).unwrap(),
    );
    let entry_p = run["entry_probabilities"].as_object().unwrap();
    let paths = run["baseline"]["monte_carlo"]["most_likely_paths"]
        .as_array()
        .unwrap();
    let (mut entries, mut weighed) = (Vec::new(), 0);
    for tag in svg.split('<').filter(|t| t.starts_with("g class=\"node\"")) {
        let id = attr(tag, "data-id").unwrap();
        let kind = attr(tag, "data-kind").unwrap();
        if kind == "more" {
            continue;
        }
        assert_eq!(
            Some(kind),
            kinds.get(id).map(String::as_str),
            "kind of {id}"
        );
        if attr(tag, "data-role") == Some("entry") {
            entries.push(id.to_string());
        }
        if let Some(p) = attr(tag, "data-p") {
            let path = paths.iter().find(|p| p["target"] == id).unwrap();
            let steps = path["steps"].as_array().unwrap();
            let start = steps[0]["from"].as_str().unwrap();
            let expected = entry_p[start].as_f64().unwrap()
                * steps
                    .iter()
                    .map(|s| s["p"].as_f64().unwrap())
                    .product::<f64>();
            let drawn: f64 = p.parse().unwrap();
            // report.json writes each step's p rounded by meaning (4 significant figures); the
            // drawing multiplies the unrounded ones.
            assert!(
                (drawn - expected).abs() <= 1e-3 * expected,
                "{id}: {drawn} vs {expected}"
            );
            assert!(drawn < 0.1, "{id}: phishing entry chances are below 7%");
            weighed += 1;
        }
    }
    assert!(
        weighed >= 3,
        "only {weighed} stores carry a path probability"
    );
    let expected: Vec<String> = entry_p.keys().cloned().collect();
    entries.sort();
    assert_eq!(entries, expected, "entry points are the vector's accounts");
}
