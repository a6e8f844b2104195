//! `import fides` and the overlay's `[fides]` table, checked against a walk of the raw YAML
//! written here (not the importer's reader) and against hand-computed worst cases.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use blastradius::load::{load_model, load_scenario};
use blastradius::model::{Access, LinkKind, Model, NodeKind};
use blastradius::Analysis;
use saphyr::{LoadableYamlNode, YamlOwned};

use crate::interop::real;
use crate::util::{assert_fails_with, files, root, run};

/// The YAML files of a real data set, sorted.
fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    out.sort();
    out
}

/// Imports `inputs` (and overlays) with the CLI into a temporary folder and loads the model.
fn import(inputs: &[PathBuf], overlays: &[&Path]) -> (tempfile::TempDir, Model) {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("model");
    let mut args: Vec<String> = vec!["import".into(), "fides".into()];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    for o in overlays {
        args.extend(["--overlay".into(), o.display().to_string()]);
    }
    args.extend(["-q".into(), "-o".into(), dir.display().to_string()]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = run(&refs);
    assert_eq!(o.code, 0, "import failed:\n{}", o.stderr);
    let model = load_model(&dir, "model").unwrap().model;
    (out, model)
}

/// dataset key → every category of its fields (any depth) and collections, from the raw YAML.
/// A key in angle brackets (a template) is the file's name, as the import documents.
fn raw_categories(file: &Path) -> BTreeMap<String, BTreeSet<String>> {
    fn walk(fields: Option<&YamlOwned>, out: &mut BTreeSet<String>) {
        for f in fields.and_then(|f| f.as_sequence()).into_iter().flatten() {
            cats(f, out);
            walk(f.as_mapping_get("fields"), out);
        }
    }
    fn cats(node: &YamlOwned, out: &mut BTreeSet<String>) {
        let list = node.as_mapping_get("data_categories");
        for c in list.and_then(|l| l.as_sequence()).into_iter().flatten() {
            out.insert(c.as_str().unwrap().to_string());
        }
    }
    let text = std::fs::read_to_string(file).unwrap();
    let mut out = BTreeMap::new();
    for doc in YamlOwned::load_from_str(&text).unwrap() {
        let datasets = doc.as_mapping_get("dataset").and_then(|d| d.as_sequence());
        for d in datasets.into_iter().flatten() {
            let mut key = d
                .as_mapping_get("fides_key")
                .unwrap()
                .as_str()
                .unwrap()
                .to_string();
            if key.starts_with('<') {
                key = file.file_stem().unwrap().to_string_lossy().into_owned();
            }
            let mut all = BTreeSet::new();
            let cols = d
                .as_mapping_get("collections")
                .and_then(|c| c.as_sequence());
            for c in cols.into_iter().flatten() {
                cats(c, &mut all);
                walk(c.as_mapping_get("fields"), &mut all);
            }
            out.insert(key, all);
        }
    }
    out
}

/// store id → the categories of its record sets.
fn store_categories(model: &Model) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in &model.record_sets {
        out.entry(model.id(s.store).to_string())
            .or_default()
            .insert(s.category.clone());
    }
    out
}

fn every_field_category_on_its_store(set: &str) {
    let files = yaml_files(&real(set));
    let (_dir, model) = import(&files, &[]);
    let mut expected = BTreeMap::new();
    for f in &files {
        expected.extend(raw_categories(f));
    }
    assert!(!expected.is_empty(), "{set} holds datasets");
    let got = store_categories(&model);
    for (key, cats) in &expected {
        let n = model
            .node_id(key)
            .unwrap_or_else(|| panic!("no store `{key}`"));
        assert_eq!(model.kind(n), NodeKind::Store, "{key}");
        let empty = BTreeSet::new();
        assert_eq!(
            got.get(key).unwrap_or(&empty),
            cats,
            "categories of store `{key}`"
        );
    }
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        expected
            .iter()
            .filter(|(_, c)| !c.is_empty())
            .map(|(k, _)| k)
            .collect::<Vec<_>>(),
        "no store holds records no dataset gives"
    );
}

#[test]
#[ignore = "needs ../shared/data/real"]
fn saas_datasets_categories_land_on_their_stores() {
    every_field_category_on_its_store("fides-saas-datasets");
}

#[test]
#[ignore = "needs ../shared/data/real"]
fn flaskr_demo_categories_land_on_their_stores() {
    every_field_category_on_its_store("fides-flaskr-demo");
}

#[test]
#[ignore = "needs ../shared/data/real"]
fn cookie_house_categories_land_on_their_stores() {
    every_field_category_on_its_store("fides-cookie-house-sample");
}

/// The Cookie House with the seed files' rows: the web application's account reaches its
/// system, which reads the four databases that send it data (their `egress`).
#[test]
#[ignore = "needs ../shared/data/real"]
fn cookie_house_web_application_worst_case_by_hand() {
    let set = real("fides-cookie-house-sample");
    let inputs: Vec<PathBuf> = [
        "sample_systems.yml",
        "postgres_example_test_dataset.yml",
        "mongo_example_test_dataset.yml",
        "postgres_example_test_extended_dataset.yml",
        "postgres_example_custom_request_field_dataset.yml",
    ]
    .iter()
    .map(|f| set.join(f))
    .collect();
    let rows = root().join("data/fides/cookie-house-rows.toml");
    let (_dir, model) = import(&inputs, &[&rows]);
    let analysis = Analysis::new(model);
    let m = &analysis.model;
    let id = |s: &str| m.node_id(s).unwrap_or_else(|| panic!("no node `{s}`"));

    // Records = Σ over collections of rows × distinct categories of its fields (read off the
    // YAML by hand; rows from the seed files, as the overlay says).
    // postgres_example_test_dataset: address 4×5, customer 3×4, employee 2×4, login 8×3,
    // orders 5×2, order_item 6×1, payment_card 3×5, product 6×1, report 4×2,
    // service_request 4×3, visit 2×2.
    let postgres = 20 + 12 + 8 + 24 + 10 + 6 + 15 + 6 + 8 + 12 + 4;
    assert_eq!(postgres, 125);
    // mongo_test: customer_details 3×8, internal_customer_profile 3×2, customer_feedback 2×3,
    // flights 2×2, conversations 3×3, employee 2×4, aircraft 2×1, payment_card 2×5,
    // rewards 3×1.
    let mongo = 24 + 6 + 6 + 4 + 9 + 8 + 2 + 10 + 3;
    // loyalty 2 × (unique_id, name, content); dynamic_email_address_config 5 × operations.
    let loyalty = 2 * 3;
    let custom = 5;

    let app = analysis.worst_case(&[id("cookie_house-service")]);
    let mut leaked: Vec<&str> = app.leaked_stores.iter().map(|&n| m.id(n)).collect();
    leaked.sort();
    assert_eq!(
        leaked,
        [
            "mongo_test",
            "postgres_example_custom_request_field_dataset",
            "postgres_example_test_dataset",
            "postgres_example_test_extended_dataset"
        ]
    );
    assert_eq!(
        app.exposure.records_total,
        postgres + mongo + loyalty + custom
    );
    assert_eq!(app.exposure.records_total, 208);
    // No category has a weight: each record weighs 1.
    assert_eq!(app.exposure.exposure, 208.0);

    // The customer database's own account reaches its own data only.
    let db = analysis.worst_case(&[id("cookie_house_customer_database-service")]);
    assert_eq!(db.leaked_stores, vec![id("mongo_test")]);
    assert_eq!(db.exposure.records_total, mongo);

    // The marketing system sends data into the customer database: it can write there, which
    // leaks nothing.
    let mkt = analysis.worst_case(&[id("cookie_house_marketing_system-service")]);
    assert!(mkt.leaked_stores.is_empty());
    assert_eq!(mkt.tampered_stores, vec![id("mongo_test")]);
    assert_eq!(mkt.exposure.records_total, 0);
}

const SYSTEMS: &str = "\
system:
  - fides_key: shop
    name: Shop
    system_type: Application
    privacy_declarations:
      - data_use: essential.service
        data_categories: [user.contact]
  - fides_key: orders_db
    system_type: Database
    egress:
      - fides_key: shop
        type: system
      - fides_key: warehouse
        type: dataset
        data_categories: [user.contact.email]
    privacy_declarations:
      - data_use: essential.service
        data_categories: [user.contact]
        dataset_references: [orders]
";

const DATASETS: &str = "\
dataset:
  - fides_key: orders
    retention: 30 days
    collections:
      - name: customer
        fields:
          - name: email
            data_categories: [user.contact.email]
          - name: address
            fields:
              - name: city
                data_categories: [user.contact.address.city]
      - name: invoice
        retention: No retention or erasure policy
        fields:
          - name: email
            data_categories: [user.contact.email]
  - fides_key: warehouse
    collections:
      - name: copies
        fields:
          - name: email
            data_categories: [user.contact.email]
";

const ROWS: &str = "\
[fides]
default_rows = 7
[fides.rows]
\"orders.customer\" = 100
\"orders.invoice\" = 40
";

/// A hand-made pair of manifests: systems, accounts, access, the flow an egress to a dataset
/// makes, rows, defaults and retention, each figure by hand.
#[test]
fn systems_egress_and_rows_become_the_model_the_manifests_describe() {
    let dir = files(&[
        ("systems.yml", SYSTEMS),
        ("datasets.yml", DATASETS),
        ("rows.toml", ROWS),
    ]);
    let (_out, model) = import(
        &[
            dir.path().join("systems.yml"),
            dir.path().join("datasets.yml"),
        ],
        &[&dir.path().join("rows.toml")],
    );
    let id = |s: &str| model.node_id(s).unwrap();
    let has = |from: &str, to: &str, kind: LinkKind| {
        model
            .links
            .iter()
            .any(|l| l.from == id(from) && l.to == id(to) && l.kind == kind)
    };
    assert!(has("shop-service", "shop", LinkKind::Grant(Access::Admin)));
    assert!(has("shop", "shop-service", LinkKind::Credential));
    assert!(has("orders_db", "orders", LinkKind::Access(Access::Admin)));
    // orders_db sends to shop: shop reads what orders_db holds.
    assert!(has("shop", "orders", LinkKind::Access(Access::Read)));
    // ... and to the warehouse dataset: it writes there, and its records flow there (email
    // only, as the egress entry lists).
    assert!(has(
        "orders_db",
        "warehouse",
        LinkKind::Access(Access::Write)
    ));
    assert_eq!(model.flows.len(), 1);
    assert_eq!(
        model.flows[0].categories.as_deref(),
        Some(&["user.contact.email".to_string()][..])
    );

    let sets: BTreeMap<(String, String), (u64, Option<u32>)> = model
        .record_sets
        .iter()
        .map(|s| {
            let n = match s.amount {
                blastradius::model::Amount::Count(n) => n,
                other => panic!("{other:?}"),
            };
            (
                (model.id(s.store).to_string(), s.category.clone()),
                (n, s.retention_days),
            )
        })
        .collect();
    let key = |a: &str, b: &str| (a.to_string(), b.to_string());
    // email: customer 100 + invoice 40 rows; the invoice's retention is free text, so the
    // dataset's 30 days hold for both.
    assert_eq!(sets[&key("orders", "user.contact.email")], (140, Some(30)));
    assert_eq!(
        sets[&key("orders", "user.contact.address.city")],
        (100, Some(30))
    );
    // warehouse.copies is not listed: default_rows = 7.
    assert_eq!(sets[&key("warehouse", "user.contact.email")], (7, None));
    assert_eq!(sets.len(), 3);

    // shop's account: shop reads orders (240 records); warehouse is reached by no one but
    // holds the 140 copied emails.
    let analysis = Analysis::new(model.clone());
    let shop = analysis.worst_case(&[id("shop-service")]);
    assert_eq!(shop.leaked_stores, vec![id("orders")]);
    assert_eq!(shop.exposure.records_total, 240);
}

/// Datasets onto the stores of a model built elsewhere: both map to `crm-db` by the same
/// selector, so their rows add up in one set per category.
#[test]
fn a_fides_table_gives_records_to_a_store_of_any_model() {
    let dir = files(&[
        (
            "model.toml",
            "[[account]]\nid = \"alice\"\n[[store]]\nid = \"crm-db\"\n[[grant]]\nprincipal = \"alice\"\ntarget = \"crm-db\"\naccess = \"read\"\n[include]\noverlays = [\"inventory.toml\"]\n",
        ),
        ("fides/datasets.yml", DATASETS),
        (
            "inventory.toml",
            "[fides]\ndatasets = [\"fides/datasets.yml\"]\nstores = { orders = \"crm-db\", warehouse = \"crm-db\" }\n[fides.rows]\n\"orders.customer\" = 10\n\"orders.invoice\" = 4\n\"warehouse.copies\" = 1\n",
        ),
        (
            "scenario.toml",
            "model = \"model.toml\"\n[attack]\ncompromised = [\"alice\"]\n",
        ),
    ]);
    let loaded = load_scenario(&dir.path().join("scenario.toml"), "scenario.toml").unwrap();
    let analysis = Analysis::new(loaded.model);
    let m = &analysis.model;
    // email: orders.customer 10 + orders.invoice 4 + warehouse.copies 1; city: customer 10.
    let sets: BTreeMap<&str, u64> = m
        .record_sets
        .iter()
        .map(|s| match s.amount {
            blastradius::model::Amount::Count(n) => (s.category.as_str(), n),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        sets,
        BTreeMap::from([
            ("user.contact.address.city", 10),
            ("user.contact.email", 15)
        ])
    );
    let alice = analysis.worst_case(&[m.node_id("alice").unwrap()]);
    assert_eq!(alice.exposure.records_total, 25);
}

/// Bad manifests and `[fides]` tables: located, with the nearest name, no panic, no output.
#[test]
fn bad_fides_input_is_located_and_explained() {
    let dir = files(&[
        (
            "typo.yml",
            "dataset:\n  - fides_key: d\n    collections:\n      - name: c\n        fields:\n          - name: e\n            data_categories: [user.contact.emial]\n",
        ),
        ("broken.yml", "dataset:\n  - fides_key: d\n    collections: [\n"),
        (
            "refs.yml",
            "system:\n  - fides_key: app\n    privacy_declarations:\n      - dataset_references: [ordrs]\n    egress:\n      - fides_key: nowhere\n        type: system\ndataset:\n  - fides_key: orders\n",
        ),
        ("ok.yml", "dataset:\n  - fides_key: orders\n    collections:\n      - name: customer\n        fields:\n          - name: email\n            data_categories: [user.contact.email]\n"),
        ("rows.toml", "[fides.rows]\n\"orders.custmer\" = 3\n"),
        ("neg.toml", "[fides]\ndefault_rows = -2\n"),
        ("wrongtype.yml", "dataset:\n  - fides_key: d\n    collections:\n      - name: c\n        fields: 12\n"),
    ]);
    let d = dir.path();
    let out = d.join("out");
    let o = d.join("out").display().to_string();
    let typo = run(&[
        "import",
        "fides",
        &d.join("typo.yml").display().to_string(),
        "-o",
        &o,
    ]);
    assert_fails_with(
        &typo,
        &[
            "typo.yml:7:31",
            "`user.contact.emial` is not a fideslang data category",
            "did you mean `user.contact.email`?",
        ],
    );
    let broken = run(&[
        "import",
        "fides",
        &d.join("broken.yml").display().to_string(),
        "-o",
        &o,
    ]);
    assert_fails_with(&broken, &["broken.yml:4:", "YAML syntax"]);
    let refs = run(&[
        "import",
        "fides",
        &d.join("refs.yml").display().to_string(),
        "-o",
        &o,
    ]);
    assert_fails_with(
        &refs,
        &[
            "refs.yml:4:30",
            "no dataset has the fides_key `ordrs`",
            "did you mean `orders`?",
            "refs.yml:6:9",
            "no system has the fides_key `nowhere`",
        ],
    );
    let ok = d.join("ok.yml").display().to_string();
    let rows = run(&[
        "import",
        "fides",
        &ok,
        "--overlay",
        &d.join("rows.toml").display().to_string(),
        "-o",
        &o,
    ]);
    assert_fails_with(
        &rows,
        &[
            "rows.toml:2:",
            "`orders.custmer` is no `dataset.collection`",
            "did you mean `orders.customer`?",
        ],
    );
    let neg = run(&[
        "import",
        "fides",
        &ok,
        "--overlay",
        &d.join("neg.toml").display().to_string(),
        "-o",
        &o,
    ]);
    assert_fails_with(
        &neg,
        &["neg.toml:2:", "default_rows must be 0 or more, not -2"],
    );
    let wrong = run(&[
        "import",
        "fides",
        &d.join("wrongtype.yml").display().to_string(),
        "-o",
        &o,
    ]);
    assert_fails_with(
        &wrong,
        &[
            "wrongtype.yml:5:17",
            "`fields` must be a list, not a scalar",
        ],
    );
    assert!(!out.exists(), "no output after bad input");
}

/// Every line-prefix of a real systems file and of a dataset (cut mid-mapping, mid-list) reads
/// or is refused with a located error; none panics, and whatever reads imports and applies.
#[test]
#[ignore = "needs ../shared/data/real"]
fn cut_manifests_read_or_fail_cleanly() {
    use blastradius::interop::fides;
    let set = real("fides-cookie-house-sample");
    for file in ["sample_systems.yml", "mongo_example_test_dataset.yml"] {
        let text = std::fs::read_to_string(set.join(file)).unwrap();
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        for cut in 0..=lines.len() {
            let prefix: String = lines[..cut].concat();
            // A cut mid-line too: half of the next line.
            let half = lines
                .get(cut)
                .map(|l| &l[..l.len() / 2])
                .unwrap_or_default();
            for t in [prefix.clone(), format!("{prefix}{half}")] {
                match fides::parse_manifests(&[(file, &t)]) {
                    Ok(m) => {
                        if let Ok((model, _)) = fides::import(&m) {
                            let _ = blastradius::load::apply_overlays_with_datasets(
                                model,
                                &[],
                                &m.datasets,
                            );
                        }
                    }
                    Err(e) => {
                        let shown = e.to_string();
                        assert!(shown.contains(&format!("{file}:")), "{shown}");
                    }
                }
            }
        }
    }
}

/// YAML nested thousands deep (block or flow) is refused with a location, not a stack
/// overflow.
#[test]
fn deeply_nested_yaml_is_refused() {
    let mut block = String::from("dataset:\n");
    let mut indent = String::new();
    for _ in 0..3000 {
        block.push_str(&format!("{indent}- a:\n"));
        indent.push_str("  ");
    }
    let flow = format!("dataset: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let dir = files(&[("block.yml", &block), ("flow.yml", &flow)]);
    let o = dir.path().join("out").display().to_string();
    let b = run(&[
        "import",
        "fides",
        &dir.path().join("block.yml").display().to_string(),
        "-o",
        &o,
    ]);
    assert_fails_with(&b, &["block.yml:202:", "more than 400 columns is refused"]);
    let f = run(&[
        "import",
        "fides",
        &dir.path().join("flow.yml").display().to_string(),
        "-o",
        &o,
    ]);
    assert_fails_with(&f, &["flow.yml:1:", "YAML syntax"]);
}
