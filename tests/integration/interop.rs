//! Other formats (issue 8): OpenGraph both ways, pair lists with role decompositions, and the
//! real data sets in `../shared/data/real/` (ignored by a plain `cargo test`, so the summary
//! counts them; `cargo test -- --ignored` runs them and fails when the folder is absent; they
//! are never copied into the repository). Expected figures come from the test's own reading
//! of the raw files, never from the library's traversal.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use blastradius::interop::opengraph::export as og_out;
use blastradius::interop::opengraph::{self, Mapping};
use blastradius::interop::pairs::{self, Layout};
use blastradius::load::{load_model, load_scenario};
use blastradius::model::NodeKind;
use blastradius::output::model_files::save_model;
use blastradius::results::Deterministic;
use blastradius::Analysis;
use serde_json::Value;

use crate::util::{assert_fails_with, files, root, run, run_in};

/// A real data set's folder; the test fails when it is absent (it was asked for by name).
pub fn real(name: &str) -> PathBuf {
    let dir = root().join("../shared/data/real").join(name);
    assert!(
        dir.is_dir(),
        "{} not found: the real-data tests need the shared folder beside the repository",
        dir.display()
    );
    dir
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

// ---------------------------------------------------------------------------------------------
// An independent check of the OpenGraph schema (SpecterOps/BloodHound
// cmd/api/src/services/upload/jsonschema/{node,edge,metadata}.json).
// ---------------------------------------------------------------------------------------------

fn primitive_type(v: &Value) -> Option<&'static str> {
    match v {
        Value::String(_) => Some("string"),
        Value::Number(_) => Some("number"),
        Value::Bool(_) => Some("boolean"),
        _ => None,
    }
}

fn assert_flat_properties(props: &Value, at: &str) {
    let Some(map) = props.as_object() else {
        assert!(
            props.is_null(),
            "{at}: properties must be an object or null"
        );
        return;
    };
    for (k, v) in map {
        if let Value::Array(items) = v {
            let types: BTreeSet<Option<&str>> = items.iter().map(primitive_type).collect();
            assert!(
                types.len() <= 1 && !types.contains(&None),
                "{at}: property `{k}` is not a homogeneous array of primitives"
            );
        } else {
            assert!(
                primitive_type(v).is_some(),
                "{at}: property `{k}` is not flat"
            );
        }
    }
}

fn assert_opengraph_schema(doc: &Value) {
    if let Some(meta) = doc.get("metadata") {
        let meta = meta.as_object().expect("metadata is an object");
        assert!(
            meta.keys().all(|k| k == "source_kind"),
            "metadata allows only source_kind"
        );
    }
    let graph = &doc["graph"];
    for (i, n) in graph["nodes"].as_array().expect("nodes").iter().enumerate() {
        let at = format!("nodes[{i}]");
        assert!(n["id"].is_string(), "{at}: id");
        let kinds = n["kinds"].as_array().expect("kinds is an array");
        assert!(kinds.iter().all(Value::is_string), "{at}: kinds");
        assert!(!kinds.is_empty(), "{at}: a node needs a kind");
        assert_flat_properties(n.get("properties").unwrap_or(&Value::Null), &at);
    }
    for (i, e) in graph["edges"].as_array().expect("edges").iter().enumerate() {
        let at = format!("edges[{i}]");
        let kind = e["kind"].as_str().expect("edge kind");
        assert!(
            !kind.is_empty() && kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{at}: kind `{kind}` breaks ^[A-Za-z0-9_]+$"
        );
        for side in ["start", "end"] {
            let end = &e[side];
            let how = end.get("match_by").and_then(Value::as_str).unwrap_or("id");
            assert!(["id", "name", "property"].contains(&how), "{at}.{side}");
            if how == "property" {
                assert!(end["property_matchers"].is_array() && end.get("value").is_none());
            } else {
                assert!(end["value"].is_string() && end.get("property_matchers").is_none());
            }
        }
        assert!(
            e.get("properties").is_some(),
            "{at}: properties is required"
        );
        assert_flat_properties(&e["properties"], &at);
    }
}

/// The worst case of `ids`, with its loss when the model has `[money]`.
fn deterministic(a: &Analysis, ids: &[String]) -> Deterministic {
    let sources: Vec<_> = ids.iter().map(|id| a.model.node_id(id).unwrap()).collect();
    let wc = a.worst_case(&sources);
    let mut d = Deterministic::of(&a.model, &a.graph, &a.holdings, &wc);
    if let Some(money) = &a.model.money {
        blastradius::results::loss::add_deterministic(&mut d, money);
    }
    d
}

/// Every demo scenario's compromised ids.
fn demo_scenarios() -> Vec<(PathBuf, Vec<String>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue; // scenarios/constraints/ and other folders
        }
        let loaded = load_scenario(&path, "s").unwrap();
        let ids = loaded
            .scenario
            .compromised
            .iter()
            .map(|&n| loaded.model.id(n).to_string())
            .collect();
        out.push((path, ids));
    }
    out.sort();
    out
}

#[test]
fn opengraph_export_then_import_keeps_every_demo_scenario() {
    let demo = load_model(&root().join("data/tracking-program"), "demo").unwrap();
    let text = og_out::render(&demo.model, None).unwrap();
    assert_opengraph_schema(&serde_json::from_str(&text).unwrap());

    let doc = opengraph::read_document(text.as_bytes(), "demo.json").unwrap();
    let imported = opengraph::import(vec![doc], &Mapping::default()).unwrap();
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
    let dir = tempfile::tempdir().unwrap();
    save_model(&imported.model, dir.path(), false).unwrap();
    let again = load_model(dir.path(), "again").unwrap();
    let messages = |w: &[blastradius::error::Diagnostic]| -> Vec<String> {
        w.iter().map(|d| d.message.clone()).collect()
    };
    assert_eq!(messages(&again.warnings), messages(&demo.warnings));
    // [entry] crosses too.
    assert!(!demo.model.entry.is_empty(), "the demo has [entry]");
    assert_eq!(again.model.entry, demo.model.entry);
    // [money] crosses the export (on the BR_Model node), the import, the save and the load.
    assert!(demo.model.money.is_some(), "the demo has [money]");
    assert_eq!(imported.model.money, demo.model.money);
    assert_eq!(again.model.money, demo.model.money);

    // The strongest form of "the same model": it saves to the same bytes.
    let original_dir = tempfile::tempdir().unwrap();
    save_model(&demo.model, original_dir.path(), false).unwrap();
    let text_of = |d: &Path| std::fs::read_to_string(d.join("model.toml")).unwrap();
    assert_eq!(text_of(original_dir.path()), text_of(dir.path()));

    let (before, after) = (Analysis::new(demo.model), Analysis::new(again.model));
    let scenarios = demo_scenarios();
    assert!(scenarios.len() >= 5);
    for (path, ids) in scenarios {
        let (b, a) = (deterministic(&before, &ids), deterministic(&after, &ids));
        assert!(b.loss.is_some_and(|l| l > 0.0), "{path:?}: the demo's loss");
        assert_eq!(b, a, "{path:?}");
    }
}

#[test]
fn export_with_results_adds_flat_br_properties_that_bloodhound_accepts() {
    let tmp = tempfile::tempdir().unwrap();
    let result = tmp.path().join("r.json");
    let graph = tmp.path().join("g.json");
    let out = run(&[
        "run",
        "scenarios/leaked-mdm-key.toml",
        "--trials",
        "200",
        "--format",
        "json",
        "-o",
        path_str(&result),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = run(&[
        "export",
        "opengraph",
        "data/tracking-program",
        "--results",
        path_str(&result),
        "-o",
        path_str(&graph),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&graph).unwrap()).unwrap();
    assert_opengraph_schema(&doc);

    let report: Value = serde_json::from_str(&std::fs::read_to_string(&result).unwrap()).unwrap();
    let det = &report["baseline"]["deterministic"];
    let leaked: BTreeSet<&str> = det["leaked_stores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(!leaked.is_empty());
    let nodes = doc["graph"]["nodes"].as_array().unwrap();
    let mut stores = 0;
    for n in nodes.iter().filter(|n| n["kinds"][0] == "BR_Store") {
        stores += 1;
        let id = n["id"].as_str().unwrap();
        let p = &n["properties"];
        assert_eq!(p["br_leaked"].as_bool(), Some(leaked.contains(id)), "{id}");
        let held: u64 = det["store_records"]
            .get(id)
            .and_then(Value::as_object)
            .map_or(0, |cats| cats.values().map(|v| v.as_u64().unwrap()).sum());
        assert_eq!(p["br_records_exposed"].as_u64(), Some(held), "{id}");
        let prob = p["br_breach_probability"]
            .as_f64()
            .expect("Monte Carlo ran");
        assert!((0.0..=1.0).contains(&prob));
        assert!(p["br_exposure"].is_number());
    }
    assert_eq!(stores, 14);
    let compromised = nodes
        .iter()
        .filter(|n| n["properties"]["br_compromised"] == true)
        .count();
    let expected: usize = det["compromised"]
        .as_object()
        .unwrap()
        .values()
        .map(|l| l.as_array().unwrap().len())
        .sum();
    assert_eq!(compromised, expected);

    // The result of one model does not decorate another.
    let other = files(&[(
        "m.toml",
        "[[account]]\nid = \"a\"\n[[store]]\nid = \"s\"\n[[grant]]\nprincipal = \"a\"\ntarget = \"s\"\naccess = \"read\"\n",
    )]);
    let out = run_in(
        other.path(),
        &[
            "export",
            "opengraph",
            "m.toml",
            "--results",
            path_str(&result),
        ],
    );
    assert_fails_with(
        &out,
        &[
            "the results name",
            "that model `unnamed organisation` does not have",
        ],
    );
}

/// Writes a zip archive of (name, text) entries.
pub fn zip_of(path: &Path, entries: &[(&str, &str)]) {
    let file = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in entries {
        z.start_file(*name, options).unwrap();
        z.write_all(text.as_bytes()).unwrap();
    }
    z.finish().unwrap();
}

const NODES: &str = r#"{"metadata": {"source_kind": "Acme"}, "graph": {"nodes": [
  {"id": "u1", "kinds": ["Acme_User"], "properties": {"name": "ALICE@ACME", "mfa": "otp"}},
  {"id": "u2", "kinds": ["Acme_User"], "properties": {"name": "BOB@ACME", "email": "bob@acme"}},
  {"id": "g1", "kinds": ["Acme_Group"], "properties": {"name": "ADMINS"}},
  {"id": "db", "kinds": ["Acme_Database"], "properties": {"records": [1000, 50], "category": ["user.contact", "user.health"]}},
  {"id": "k1", "kinds": ["Acme_Secret"]}
]}}"#;

const EDGES: &str = r#"{"graph": {"nodes": [], "edges": [
  {"kind": "Acme_MemberOf", "start": {"match_by": "name", "value": "ALICE@ACME", "kind": "Acme_User"}, "end": {"value": "g1"}, "properties": {"traversable": true}},
  {"kind": "Acme_CanRead", "start": {"value": "g1"}, "end": {"value": "db"}, "properties": {}},
  {"kind": "Acme_HasKey", "start": {"value": "g1"}, "end": {"value": "k1"}, "properties": {"traversable": true, "p": 0.5}},
  {"kind": "Acme_KeyFor", "start": {"value": "k1"}, "end": {"match_by": "property", "property_matchers": [{"key": "email", "operator": "equals", "value": "bob@acme"}]}, "properties": {"traversable": true}},
  {"kind": "Acme_Contains", "start": {"value": "db"}, "end": {"value": "u1"}, "properties": {"traversable": false}},
  {"kind": "Acme_SyncedTo", "start": {"match_by": "name", "value": "carol@other", "kind": "Other_User"}, "end": {"value": "u1"}, "properties": {"traversable": true}}
]}}"#;

const MAPPING: &str = r#"[categories]
"user.contact" = 2
"user.health" = 10

[kinds]
Acme_Database = "store"

[edges]
Acme_CanRead = { link = "read" }
"#;

#[test]
fn a_zip_of_files_with_cross_file_references_imports_and_runs() {
    let dir = files(&[("map.toml", MAPPING)]);
    zip_of(
        &dir.path().join("acme.zip"),
        &[
            ("nodes.json", NODES),
            ("edges.json", EDGES),
            ("README.txt", "not a graph"),
        ],
    );
    let out = run_in(
        dir.path(),
        &[
            "import",
            "opengraph",
            "acme.zip",
            "--mapping",
            "map.toml",
            "-o",
            "model",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("Imported 2 OpenGraph documents (5 nodes, 6 edges) into model"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("0 people, 2 accounts, 1 group, 0 systems, 2 stores"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("4 attack steps, 0 write links"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr
            .contains("1 edge has an end that matches no node")
            && out.stderr.contains("Acme_SyncedTo (1)")
            && out.stderr.contains("start `carol@other` matches no node"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("no `traversable` property"),
        "{}",
        out.stderr
    );

    let out = run_in(dir.path(), &["validate", "model"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    std::fs::write(
        dir.path().join("s.toml"),
        "model = \"model\"\nname = \"Alice phished\"\n[attack]\ncompromised = [\"u1\"]\n",
    )
    .unwrap();
    let out = run_in(
        dir.path(),
        &["run", "s.toml", "--worst-case-only", "--format", "json"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let r: Value = serde_json::from_str(&out.stdout).unwrap();
    let d = &r["baseline"]["deterministic"];
    assert_eq!(d["leaked_stores"], serde_json::json!(["db", "k1"]));
    assert_eq!(d["compromised"]["account"], serde_json::json!(["u1", "u2"]));
    assert_eq!(d["records_total"], 1051);
    assert_eq!(d["exposure"], 1000 * 2 + 50 * 10 + 10);

    let model = load_model(&dir.path().join("model"), "model")
        .unwrap()
        .model;
    let u1 = model.node_id("u1").unwrap();
    assert_eq!(model.mfa[u1 as usize].as_str(), "otp");
    let key = model.links.iter().find(|l| model.id(l.to) == "k1").unwrap();
    assert_eq!(model.link_p(key), 0.5);
}

#[test]
fn bad_opengraph_files_fail_with_their_location() {
    let demo = og_out::render(
        &load_model(&root().join("data/tracking-program"), "d")
            .unwrap()
            .model,
        None,
    )
    .unwrap();
    let cut = &demo[..demo.len() / 2];
    let cut_line = cut.lines().count();
    let dir = files(&[
        ("truncated.json", cut),
        ("invalid.json", "{\"graph\": {\"nodes\": [\n  {\"id\": \"a\", \"kinds\": [\"User\"]},\n  }\n]}}"),
        ("no-id.json", "{\"graph\": {\"nodes\": [\n  {\"id\": \"a\", \"kinds\": [\"User\"]},\n  {\"kinds\": [\"User\"]}\n]}}"),
        ("no-graph.json", "{\"nodes\": []}"),
        ("object.json", "{\"graph\": {\"nodes\": [{\"id\": \"a\", \"kinds\": [\"User\"],\n \"properties\": {\"tags\": {\"x\": 1}}}]}}"),
        ("mixed.json", "{\"graph\": {\"nodes\": [{\"id\": \"a\", \"kinds\": [\"User\"], \"properties\": {\"x\": [1, true]}}]}}"),
        ("bad-p.json", r#"{"graph": {"nodes": [{"id": "a", "kinds": ["User"]}, {"id": "b", "kinds": ["Group"]}],
            "edges": [{"kind": "K", "start": {"value": "a"}, "end": {"value": "b"}, "properties": {"traversable": true, "p": 1.5}},
                      {"kind": "K", "start": {"match_by": "property"}, "end": {"value": "b"}, "properties": {"traversable": true}}]}}"#),
        ("empty.json", ""),
        ("fake.zip", "PK\u{3}\u{4} this is no archive"),
        ("map.toml", "[kinds]\nUser = { as = \"acount\" }\n"),
    ]);
    let import = |file: &str| run_in(dir.path(), &["import", "opengraph", file, "-o", "out"]);
    assert_fails_with(
        &import("truncated.json"),
        &[
            &format!("truncated.json:{cut_line}:"),
            "the JSON ends too early (is the file truncated?)",
        ],
    );
    assert_fails_with(
        &import("invalid.json"),
        &["invalid.json:3:3: error: expected value"],
    );
    assert_fails_with(
        &import("no-id.json"),
        &["no-id.json:3:21: error: missing field `id`"],
    );
    assert_fails_with(
        &import("no-graph.json"),
        &["no-graph.json:1:13: error: missing field `graph`"],
    );
    assert_fails_with(
        &import("object.json"),
        &["object.json:2:", "OpenGraph property values are flat"],
    );
    assert_fails_with(
        &import("mixed.json"),
        &["mixed.json:1:", "an array mixing numbers and booleans"],
    );
    assert_fails_with(
        &import("bad-p.json"),
        &[
            "bad-p.json: error: graph.edges[0] (`K`): property `p` must be a probability between 0 and 1, not 1.5",
            "bad-p.json: error: graph.edges[1] (`K`) start: match_by `property` needs a non-empty `property_matchers` list",
            "2 errors found",
        ],
    );
    assert_fails_with(
        &import("empty.json"),
        &["empty.json:1:1: error: the file is empty"],
    );
    assert_fails_with(
        &import("fake.zip"),
        &["fake.zip: error: not a readable zip archive"],
    );
    assert_fails_with(
        &import("missing.json"),
        &["missing.json: error: cannot read"],
    );
    // Several bad files: every one is reported.
    assert_fails_with(
        &run_in(
            dir.path(),
            &[
                "import",
                "opengraph",
                "no-id.json",
                "mixed.json",
                "-o",
                "out",
            ],
        ),
        &["no-id.json:3:21", "mixed.json:1:"],
    );
    assert_fails_with(
        &run_in(
            dir.path(),
            &[
                "import",
                "opengraph",
                "no-id.json",
                "--mapping",
                "map.toml",
                "-o",
                "out",
            ],
        ),
        &[
            "map.toml:2:8: error: [kinds] `User`: unknown kind `acount`",
            "did you mean `account`?",
        ],
    );
    assert!(
        !dir.path().join("out").exists(),
        "a failed import writes nothing"
    );
}

#[test]
fn a_large_file_with_an_error_at_the_end_names_its_line() {
    // About 6 MB of nodes, one per line, then a broken edge list: the error must point at the
    // last line, with no panic and no output written.
    let mut text = String::from("{\"graph\": {\"nodes\": [\n");
    let n = 60_000;
    for i in 0..n {
        text.push_str(&format!(
            "{{\"id\": \"node-{i}\", \"kinds\": [\"Acme_User\"], \"properties\": {{\"name\": \"user {i}\", \"note\": \"padding padding padding padding\"}}}},\n"
        ));
    }
    text.push_str("{\"id\": \"last\", \"kinds\": [\"Acme_User\"]}],\n\"edges\": [{\"kind\": \"K\", \"start\": {\"value\": \"last\"}, \"end\": ");
    assert!(text.len() > 6_000_000);
    let dir = files(&[("big.json", &text)]);
    let out = run_in(
        dir.path(),
        &["import", "opengraph", "big.json", "-o", "out"],
    );
    assert_fails_with(
        &out,
        &[&format!("big.json:{}:", n + 3), "the JSON ends too early"],
    );
    assert!(!dir.path().join("out").exists());
}

// ---------------------------------------------------------------------------------------------
// GitHound: a real GitHub organisation.
// ---------------------------------------------------------------------------------------------

#[test]
#[ignore = "needs ../shared/data/real"]
fn githound_users_reach_what_an_independent_search_finds() {
    let data = real("githound-opengraph");
    let main = data.join("githound_O_kgDOCoV2OQ.json");
    let saml = data.join("githound_saml_O_kgDOCoV2OQ.json");
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("github");
    let out = run(&[
        "import",
        "opengraph",
        path_str(&main),
        path_str(&saml),
        "-o",
        path_str(&out_dir),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    eprintln!("{}", out.stdout.trim_end());
    assert!(
        out.stdout.contains("(340 nodes, 2768 edges)"),
        "{}",
        out.stdout
    );
    // SOURCE.md: 2 GH_HasEnvironment edges to missing environments; the SAML add-on points
    // twice at an Okta user of another collector.
    assert!(
        out.stderr
            .contains("4 edges have an end that matches no node"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("GH_HasEnvironment (2)"),
        "{}",
        out.stderr
    );

    // The independent computation: the raw JSON, edges whose `traversable` is true and whose
    // ends are node ids in either file, searched depth-first from each user.
    let mut ids: HashSet<String> = HashSet::new();
    let mut kinds: HashMap<String, Vec<String>> = HashMap::new();
    let mut adjacency: HashMap<String, Vec<String>> = HashMap::new();
    let docs: Vec<Value> = [&main, &saml]
        .iter()
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect();
    for doc in &docs {
        for n in doc["graph"]["nodes"].as_array().unwrap() {
            let id = n["id"].as_str().unwrap().to_string();
            let k = n["kinds"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k.as_str().unwrap().to_string());
            kinds.entry(id.clone()).or_default().extend(k);
            ids.insert(id);
        }
    }
    for doc in &docs {
        for e in doc["graph"]["edges"].as_array().unwrap() {
            let by_id = |end: &Value| {
                let how = end.get("match_by").and_then(Value::as_str).unwrap_or("id");
                let v = end["value"].as_str().unwrap_or_default();
                (how == "id" && ids.contains(v)).then(|| v.to_string())
            };
            if e["properties"]["traversable"] == true {
                if let (Some(a), Some(b)) = (by_id(&e["start"]), by_id(&e["end"])) {
                    adjacency.entry(a).or_default().push(b);
                }
            }
        }
    }
    let reach = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::from([from.to_string()]);
        let mut stack = vec![from.to_string()];
        while let Some(x) = stack.pop() {
            for y in adjacency.get(&x).into_iter().flatten() {
                if seen.insert(y.clone()) {
                    stack.push(y.clone());
                }
            }
        }
        seen
    };

    let loaded = load_model(&out_dir, "github").unwrap();
    assert_eq!(loaded.model.node_count(), 340);
    let analysis = Analysis::new(loaded.model);
    let users: Vec<&String> = kinds
        .iter()
        .filter(|(_, k)| k.iter().any(|k| k == "GH_User"))
        .map(|(id, _)| id)
        .collect();
    assert_eq!(users.len(), 13);
    let mut figures = BTreeMap::new();
    for user in users {
        let expected = reach(user);
        let n = analysis.model.node_id(user).unwrap();
        assert_eq!(analysis.model.kind(n), NodeKind::Account);
        let wc = analysis.worst_case(&[n]);
        let got: BTreeSet<String> = wc
            .controlled
            .iter()
            .map(|&x| analysis.model.id(x).to_string())
            .collect();
        assert_eq!(got, expected, "reach of {user}");
        let secrets = expected
            .iter()
            .filter(|id| kinds[*id].iter().any(|k| k == "GH_Secret"))
            .count();
        // The GitHound profile (issue 17) makes repositories stores too, holding no records.
        let repositories = expected
            .iter()
            .filter(|id| kinds[*id].iter().any(|k| k == "GH_Repository"))
            .count();
        assert_eq!(
            wc.leaked_stores.len(),
            secrets + repositories,
            "{user}: every secret and repository reached leaks"
        );
        assert_eq!(wc.exposure.records_total, secrets as u64);
        figures.insert(user.clone(), (expected.len() - 1, secrets));
    }
    // SOURCE.md's table (its helper counts the nodes reached besides the start): HarmJ0y
    // reaches 140 nodes and 9 secrets, SO-nd 17 and 2.
    assert_eq!(figures["MDQ6VXNlcjU1MDQ1MjM="], (140, 9));
    eprintln!("GitHound: 13 users checked; nodes reached besides the user, secrets: {figures:?}");
}

// ---------------------------------------------------------------------------------------------
// Pair lists: the HP role-mining matrices and the Amazon access rows.
// ---------------------------------------------------------------------------------------------

/// The flat matrix as the test reads it: user → permissions.
fn matrix(path: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in std::fs::read_to_string(path).unwrap().lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.len() == 2 {
            m.entry(cols[0].to_string())
                .or_default()
                .insert(cols[1].to_string());
        }
    }
    m
}

#[test]
#[ignore = "needs ../shared/data/real"]
fn hp_roles_give_every_user_exactly_their_row_of_the_matrix() {
    let data = real("hp-role-mining");
    let mut checked = Vec::new();
    for name in ["hc", "domino", "emea", "fire2", "apj"] {
        let file = data.join(format!("{name}.txt"));
        let cover = data.join(format!("decompositions/{name}_optimal_cover.txt"));
        let imported = pairs::import_pairs(
            &file,
            name,
            Layout::Auto,
            Some((&cover, "cover")),
            "permission",
        )
        .unwrap();
        let s = &imported.summary;
        // SOURCE.md: each cover reproduces its matrix exactly, so no pair needs a direct grant.
        assert_eq!((s.direct_grants, s.role_extra), (0, 0), "{name}");
        let rows = matrix(&file);
        assert_eq!(s.users, rows.len(), "{name}");
        let analysis = Analysis::new(imported.model);
        let m = &analysis.model;
        for (user, row) in &rows {
            let n = m.node_id(&pairs::user_id(user)).unwrap();
            let wc = analysis.worst_case(&[n]);
            let reached: BTreeSet<String> = wc
                .leaked_stores
                .iter()
                .map(|&s| m.id(s).trim_start_matches("perm-").to_string())
                .collect();
            assert_eq!(&reached, row, "{name}: user {user}");
            assert_eq!(wc.exposure.records_total, row.len() as u64);
        }
        checked.push(format!("{name}: {} users, {} roles", rows.len(), s.roles));
    }
    eprintln!("HP role mining: {}", checked.join("; "));
}

#[test]
#[ignore = "needs ../shared/data/real"]
fn pair_imports_write_models_that_validate_and_run() {
    let data = real("hp-role-mining");
    let tmp = tempfile::tempdir().unwrap();
    let out = run(&[
        "import",
        "pairs",
        path_str(&data.join("domino.txt")),
        "--roles",
        path_str(&data.join("decompositions/domino_optimal_cover.txt")),
        "--csv",
        "-o",
        path_str(&tmp.path().join("domino")),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("Imported 79 users, 231 permissions, 730 granted pairs"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("20 roles, 144 memberships, 590 role grants"),
        "{}",
        out.stdout
    );
    let out = run(&["validate", path_str(&tmp.path().join("domino"))]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    std::fs::write(
        tmp.path().join("s.toml"),
        "model = \"domino\"\n[attack]\ncompromised = [\"user-1\"]\n",
    )
    .unwrap();
    let out = run(&[
        "run",
        path_str(&tmp.path().join("s.toml")),
        "--trials",
        "100",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);

    let out = run(&[
        "import",
        "pairs",
        path_str(&data.join("hc.txt")),
        "--roles",
        "nowhere.txt",
        "-o",
        "x",
    ]);
    assert_fails_with(&out, &["cannot read `nowhere.txt`"]);
}

#[test]
#[ignore = "needs ../shared/data/real"]
fn amazon_granted_rows_become_access_and_denied_rows_do_not() {
    let data = real("amazon-employee-access");
    let file = data.join("train_test_amazon1.txt");
    let imported = pairs::import_pairs(&file, "amazon", Layout::Auto, None, "permission").unwrap();
    let s = &imported.summary;
    // SOURCE.md: 32,769 rows, 30,872 granted, 1,897 denied, 9,561 users, 7,518 resources.
    assert_eq!(
        (s.users, s.permissions, s.granted, s.denied),
        (9561, 7518, 30872, 1897)
    );

    let mut granted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut denied: Vec<(String, String)> = Vec::new();
    for line in std::fs::read_to_string(&file).unwrap().lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let (u, r) = (cols[0].to_string(), cols[1].to_string());
        match cols[11] {
            "1" => {
                granted.entry(u).or_default().insert(r);
            }
            _ => denied.push((u, r)),
        }
    }
    assert_eq!(denied.len(), 1897);
    let analysis = Analysis::new(imported.model);
    let m = &analysis.model;
    // Every row: the model's grants are exactly the granted rows.
    let grants: BTreeSet<(String, String)> = m
        .links
        .iter()
        .map(|l| (m.id(l.from).to_string(), m.id(l.to).to_string()))
        .collect();
    let expected: BTreeSet<(String, String)> = granted
        .iter()
        .flat_map(|(u, rs)| {
            rs.iter()
                .map(|r| (pairs::user_id(u), pairs::permission_id(r)))
        })
        .collect();
    assert_eq!(grants, expected);
    for (u, r) in &denied {
        assert!(!grants.contains(&(pairs::user_id(u), pairs::permission_id(r))));
    }
    // The worst case of every fifth user with a denied row: their granted resources, no more.
    let users: BTreeSet<&String> = denied.iter().map(|(u, _)| u).collect();
    let mut checked = 0;
    for user in users.iter().step_by(5) {
        let n = m.node_id(&pairs::user_id(user)).unwrap();
        let reached: BTreeSet<String> = analysis
            .worst_case(&[n])
            .leaked_stores
            .iter()
            .map(|&s| m.id(s).trim_start_matches("perm-").to_string())
            .collect();
        assert_eq!(
            reached,
            granted.get(*user).cloned().unwrap_or_default(),
            "user {user}"
        );
        checked += 1;
    }
    eprintln!(
        "Amazon: 32769 rows checked against the grants; worst case of {checked} of the {} users with a denied row checked",
        users.len()
    );
}
