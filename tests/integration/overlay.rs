//! Data-inventory overlays (issue 17): record sets, retention, categories, flows, populations,
//! notification regimes and extra grants added to a model that only knows identities and
//! access, applied at import (`--overlay`) or by the model itself (`[include]`). Expected
//! figures are worked out by hand in the comments; the real-data test reads the raw JSON of the
//! collection itself to find an account that reaches the database.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::io::Read;
use std::path::Path;

use blastradius::load::{load_model, parse_model, parse_overlay};
use blastradius::model::{Model, NodeKind};
use blastradius::output::model_files::save_model;
use blastradius::{Analysis, Error};
use serde_json::Value;

use crate::util::{assert_fails_with, files, root, run_in};

/// A small estate as an import would give it: the CRM database came in as a system (with its
/// display name), the backup store has no records, and nothing says what data there is.
const BASE: &str = r#"
[org]
name = "overlay test"
program_age_days = 730

[[person]]
id = "alice"
accounts = ["alice-u"]

[[account]]
id = "alice-u"
name = "Alice"

[[account]]
id = "bob-u"

[[system]]
id = "srv:1433\\crm-db"
name = "CRM"

[[system]]
id = "app-server"

[[store]]
id = "backups"
retention_days = 365

[[edge]]
from = "alice-u"
to = "srv:1433\\crm-db"
kind = "SQL_Owner"
"#;

/// The inventory: the CRM becomes a store with two record sets, its contacts are copied to the
/// backups, and bob gets read access to the backups.
const INVENTORY: &str = r#"
[categories]
"customer.contact" = 2
"customer.payment" = 5

[populations]
customers = 1000

[notification]
gdpr = ["customer"]

[[store]]
id = { name = "CRM" }
retention_days = 90
records = [
  { category = "customer.contact", count = 400, subjects = "customers", coverage = 0.5 },
  { category = "customer.payment", per_day = 10, retention_days = 30 },
]

[[flow]]
from = { name = "CRM" }
to = "backups"
categories = ["customer.contact"]

[[grant]]
principal = "account:bob*"
target = "backups"
access = "read"
"#;

fn base() -> Model {
    parse_model(BASE, "base.toml")
        .expect("the base model loads")
        .model
}

fn overlaid(model: Model, text: &str) -> Model {
    match parse_overlay(model, text, "inventory.toml") {
        Ok(o) => o.model,
        Err(e) => panic!("the overlay applies:\n{e}"),
    }
}

/// The problems an overlay gives, one line each.
fn problems(model: Model, text: &str) -> Vec<String> {
    match parse_overlay(model, text, "inventory.toml") {
        Ok(_) => Vec::new(),
        Err(Error::Invalid { problems }) => problems.iter().map(|p| p.to_string()).collect(),
        Err(e) => vec![e.to_string()],
    }
}

/// A model as the files the writer gives it (the same model gives the same bytes).
fn written(model: &Model) -> String {
    let dir = tempfile::tempdir().unwrap();
    save_model(model, dir.path(), false).unwrap();
    std::fs::read_to_string(dir.path().join("model.toml")).unwrap()
}

#[test]
fn an_overlay_gives_an_imported_system_records_that_leak() {
    let model = overlaid(base(), INVENTORY);
    let crm = model.node_id("srv:1433\\crm-db").unwrap();
    assert_eq!(
        model.kind(crm),
        NodeKind::Store,
        "the system became a store"
    );
    assert_eq!(model.store_policy[crm as usize].retention_days, Some(90));
    let analysis = Analysis::new(model);
    let m = &analysis.model;

    // alice-u owns the CRM: 400 contacts + 10 payments a day kept 30 days = 700 records;
    // exposure 400 × 2 + 300 × 5 = 2,300; half of the 1,000 customers are in the contacts.
    let alice = analysis.worst_case(&[m.node_id("alice-u").unwrap()]);
    assert_eq!(alice.exposure.records_total, 700);
    assert_eq!(alice.exposure.exposure, 2_300.0);
    assert_eq!(alice.exposure.people_affected["customers"].expected, 500.0);
    assert_eq!(alice.exposure.notifiable["gdpr"]["customers"], 500.0);

    // bob-u's new read grant reaches the backups, which hold the copied contacts only: 400
    // records, exposure 800, the same 500 customers.
    let bob = analysis.worst_case(&[m.node_id("bob-u").unwrap()]);
    assert_eq!(
        bob.leaked_stores,
        vec![m.node_id("backups").unwrap()],
        "bob reaches the backups only"
    );
    assert_eq!(bob.exposure.records_total, 400);
    assert_eq!(bob.exposure.exposure, 800.0);
    assert_eq!(bob.exposure.people_affected["customers"].expected, 500.0);

    // Without the overlay nothing leaks: the CRM is a system and the backups are empty.
    let bare = Analysis::new(base());
    let alice = bare.worst_case(&[bare.model.node_id("alice-u").unwrap()]);
    assert_eq!(alice.exposure.records_total, 0);
}

#[test]
fn selectors_are_ids_kind_globs_or_names() {
    // An id holding a colon is an id, not a kind filter; `store:*` and a name glob select by
    // kind and by display name.
    let model = overlaid(
        base(),
        r#"
[[store]]
id = "srv:1433\\crm-db"
records = [{ category = "a", count = 1 }]

[[store]]
id = "store:back*"
records = [{ category = "b", count = 2 }]

[[grant]]
principal = { name = "Ali*" }
target = "backups"
access = "read"
"#,
    );
    let sets: Vec<(String, String)> = model
        .record_sets
        .iter()
        .map(|r| (model.id(r.store).to_string(), r.category.clone()))
        .collect();
    assert_eq!(
        sets,
        vec![
            ("backups".to_string(), "b".to_string()),
            ("srv:1433\\crm-db".to_string(), "a".to_string())
        ]
    );
    let analysis = Analysis::new(model);
    let alice = analysis.worst_case(&[analysis.model.node_id("alice-u").unwrap()]);
    assert_eq!(
        alice.exposure.records_total, 3,
        "alice now reads the backups too"
    );
}

#[test]
fn every_problem_of_an_overlay_is_reported_with_its_position_and_a_suggestion() {
    let text = r#"[[store]]
id = { name = "CMR" }
records = [{ category = "x", count = 1 }]

[[grant]]
principal = "bob-v"
target = "backups"
access = "read"

[[flow]]
from = "store:nothing*"
to = "alice-u"

[[store]]
id = { label = "CRM" }
"#;
    let p = problems(base(), text);
    assert_eq!(
        p,
        vec![
            "inventory.toml:2:6: error: store: no store or system named `CMR`; did you mean `CRM`?",
            "inventory.toml:6:13: error: grant principal `bob-v` names no account or group; did you mean `bob-u`?",
            "inventory.toml:11:8: error: flow source `store:nothing*` matches no store",
            "inventory.toml:12:6: error: flow target `alice-u` is an account, but it must be a store",
            "inventory.toml:15:6: error: store: a model keeps only a node's `name` and `kind`, so `label` cannot be matched",
        ],
        "{p:#?}"
    );
}

#[test]
fn an_overlay_repeats_but_never_changes_what_the_model_says() {
    // Applying an overlay twice gives the model applying it once gives.
    let once = overlaid(base(), INVENTORY);
    let twice = overlaid(once.clone(), INVENTORY);
    assert_eq!(written(&once), written(&twice));

    // Two overlays that do not conflict give the same model in either order.
    let a = r#"
[[store]]
id = "backups"
records = [{ category = "logs", count = 7 }]
"#;
    let b = r#"
[[grant]]
principal = "bob-u"
target = "backups"
access = "read"
[populations]
staff = 40
"#;
    let ab = overlaid(overlaid(base(), a), b);
    let ba = overlaid(overlaid(base(), b), a);
    assert_eq!(written(&ab), written(&ba));

    // Changing a figure is an error at the entry that changes it.
    let p = problems(
        once.clone(),
        "[[store]]\nid = \"backups\"\nretention_days = 30\n",
    );
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("inventory.toml:2:6: error: store `backups` already keeps its records 365 days (retention_days), not 30"),
        "{p:?}"
    );
    let p = problems(
        once.clone(),
        "[[store]]\nid = { name = \"CRM\" }\nrecords = [{ category = \"customer.contact\", count = 401, subjects = \"customers\", coverage = 0.5 }]\n[populations]\ncustomers = 999\n",
    );
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(p[0].contains("store `srv:1433\\crm-db` already holds `customer.contact` records with count 400, coverage 0.5, not count 401"), "{p:?}");
    assert!(
        p[1].starts_with(
            "inventory.toml:5:13: error: population `customers` already has 1000 people, not 999"
        ),
        "{p:?}"
    );
}

#[test]
fn a_system_with_data_access_of_its_own_cannot_become_a_store() {
    let model = parse_model(
        &format!(
            "{BASE}\n[[system]]\nid = \"etl\"\naccess = [{{ store = \"backups\", access = \"read\" }}]\n"
        ),
        "base.toml",
    )
    .unwrap()
    .model;
    let p = problems(model, "[[store]]\nid = \"etl\"\n");
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("inventory.toml:2:6: error: system `etl` has access to 1 store(s) of its own, so it cannot become a store"),
        "{p:?}"
    );
}

/// An OpenGraph collection as a collector would write it: a user who owns a database, which a
/// plain import makes a system with no records.
fn collection(extra_user: bool) -> String {
    let mut nodes = vec![
        r#"{"id": "S-1-5-21-1-1001", "kinds": ["User"], "properties": {"name": "ALICE@CORP.LOCAL"}}"#.to_string(),
        r#"{"id": "srv:1433\\CRM", "kinds": ["MSSQL_Database"], "properties": {"name": "CRM"}}"#.to_string(),
    ];
    let mut edges = vec![
        r#"{"kind": "MSSQL_Owns", "start": {"value": "S-1-5-21-1-1001"}, "end": {"value": "srv:1433\\CRM"}, "properties": {"traversable": true}}"#.to_string(),
    ];
    if extra_user {
        nodes.push(r#"{"id": "S-1-5-21-1-1002", "kinds": ["User"], "properties": {"name": "BOB@CORP.LOCAL"}}"#.to_string());
        edges.push(r#"{"kind": "MSSQL_Owns", "start": {"value": "S-1-5-21-1-1002"}, "end": {"value": "srv:1433\\CRM"}, "properties": {"traversable": true}}"#.to_string());
    }
    format!(
        r#"{{"metadata": {{"source_kind": "Test"}}, "graph": {{"nodes": [{}], "edges": [{}]}}}}"#,
        nodes.join(", "),
        edges.join(", ")
    )
}

const CRM_INVENTORY: &str = r#"
[[store]]
id = { name = "CRM" }
retention_days = 365
records = [{ category = "customer.contact", count = 5000 }]
"#;

/// Records leaked in the worst case from `account` in the model at `dir`.
fn leaked_from(dir: &Path, account: &str) -> u64 {
    let loaded = load_model(dir, "m").unwrap();
    let analysis = Analysis::new(loaded.model);
    let n = analysis.model.node_id(account).unwrap();
    analysis.worst_case(&[n]).exposure.records_total
}

#[test]
fn include_equals_overlay_at_import_and_a_re_import_keeps_the_inventory() {
    let dir = files(&[
        ("v1.json", &collection(false)),
        ("v2.json", &collection(true)),
        ("crm.toml", CRM_INVENTORY),
    ]);
    let d = dir.path();
    // --overlay at import.
    let out = run_in(
        d,
        &[
            "import",
            "opengraph",
            "v1.json",
            "-o",
            "flag",
            "--overlay",
            "crm.toml",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("overlays: crm.toml applied; 1 record sets in 1 stores"),
        "{}",
        out.stdout
    );
    assert_eq!(leaked_from(&d.join("flag"), "S-1-5-21-1-1001"), 5000);

    // The same overlay through [include] in the plain import's model.toml.
    let out = run_in(d, &["import", "opengraph", "v1.json", "-o", "plain", "-q"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(leaked_from(&d.join("plain"), "S-1-5-21-1-1001"), 0);
    let toml = std::fs::read_to_string(d.join("plain/model.toml")).unwrap();
    std::fs::write(
        d.join("plain/model.toml"),
        format!("{toml}\n[include]\noverlays = [\"../crm.toml\"]\n"),
    )
    .unwrap();
    let by_flag = load_model(&d.join("flag"), "flag").unwrap().model;
    let by_include = load_model(&d.join("plain"), "plain").unwrap().model;
    assert_eq!(written(&by_flag), written(&by_include));

    // Re-collected: a second owner appeared. The same import with the same overlay keeps the
    // inventory (--force: it replaces the earlier import), and the new owner leaks it too.
    let out = run_in(
        d,
        &[
            "import",
            "opengraph",
            "v2.json",
            "-o",
            "flag",
            "--overlay",
            "crm.toml",
            "-q",
            "--force",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(leaked_from(&d.join("flag"), "S-1-5-21-1-1001"), 5000);
    assert_eq!(leaked_from(&d.join("flag"), "S-1-5-21-1-1002"), 5000);
}

#[test]
fn import_pairs_takes_overlays_too() {
    // Each permission store holds one `permission` record; the overlay adds ten contacts to
    // p1's store, so user 1 (who holds p1) reaches 11 records and user 2 (p2 only) 1.
    let dir = files(&[
        ("pairs.txt", "1 p1\n2 p2\n"),
        (
            "inv.toml",
            "[[store]]\nid = \"perm-p1\"\nrecords = [{ category = \"customer.contact\", count = 10 }]\n",
        ),
    ]);
    let d = dir.path();
    let out = run_in(
        d,
        &[
            "import",
            "pairs",
            "pairs.txt",
            "-o",
            "m",
            "--overlay",
            "inv.toml",
            "-q",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("overlays: inv.toml applied; 3 record sets in 2 stores"),
        "{}",
        out.stdout
    );
    assert_eq!(leaked_from(&d.join("m"), "user-1"), 11);
    assert_eq!(leaked_from(&d.join("m"), "user-2"), 1);
}

#[test]
fn validate_and_import_show_overlay_problems_and_write_nothing() {
    let dir = files(&[
        ("g.json", &collection(false)),
        ("bad.toml", "[[store]]\nid = { name = \"CMR\" }\n\n[[grant]]\nprincipal = \"S-1-5-21-1-1010\"\ntarget = \"store:archive-*\"\naccess = \"read\"\n"),
    ]);
    let d = dir.path();
    let out = run_in(
        d,
        &[
            "import",
            "opengraph",
            "g.json",
            "-o",
            "m",
            "--overlay",
            "bad.toml",
        ],
    );
    assert_fails_with(
        &out,
        &[
            "bad.toml:2:6: error: store: no store or system named `CMR`; did you mean `CRM`?",
            "bad.toml:5:13: error: grant principal `S-1-5-21-1-1010` names no account or group; did you mean `S-1-5-21-1-1001`?",
            "bad.toml:6:10: error: grant target `store:archive-*` matches no store",
        ],
    );
    assert!(!d.join("m").exists(), "nothing is written");

    let out = run_in(d, &["import", "opengraph", "g.json", "-o", "m", "-q"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let toml = std::fs::read_to_string(d.join("m/model.toml")).unwrap();
    std::fs::write(
        d.join("m/model.toml"),
        format!("{toml}\n[include]\noverlays = [\"../bad.toml\", \"../missing.toml\"]\n"),
    )
    .unwrap();
    let out = run_in(d, &["validate", "m"]);
    assert_fails_with(
        &out,
        &[
            "m/model.toml",
            "[include] overlay `m/../missing.toml` is not a file",
        ],
    );
    std::fs::write(
        d.join("m/model.toml"),
        format!("{toml}\n[include]\noverlays = [\"../bad.toml\"]\n"),
    )
    .unwrap();
    let out = run_in(d, &["validate", "m"]);
    assert_fails_with(
        &out,
        &[
            "m/../bad.toml:2:6: error: store: no store or system named `CMR`; did you mean `CRM`?",
            "m/../bad.toml:6:10: error: grant target `store:archive-*` matches no store",
        ],
    );
}

#[test]
fn an_overlay_keeps_large_inventories_in_csv_side_files() {
    let dir = files(&[
        ("model.toml", &format!("{BASE}\n[include]\noverlays = [\"inv/inventory.toml\"]\n")),
        (
            "inv/inventory.toml",
            "[populations]\ncustomers = 1000\n[csv]\nstore = \"stores.csv\"\nrecords = \"records.csv\"\n",
        ),
        ("inv/stores.csv", "id,retention_days\nsrv:1433\\crm-db,90\n"),
        (
            "inv/records.csv",
            "store,category,count,per_day,retention_days,subjects,coverage\nsrv:1433\\crm-db,customer.contact,400,,,customers,0.5\nstore:back*,customer.contact,50,,,,\nsrv:1433\\crm-dv,x,1,,,,\n",
        ),
    ]);
    let d = dir.path();
    let out = run_in(d, &["validate", "."]);
    assert_fails_with(
        &out,
        &["inv/records.csv:4:1: error: store `srv:1433\\crm-dv` names no store; did you mean `srv:1433\\crm-db`?"],
    );
    let records = std::fs::read_to_string(d.join("inv/records.csv")).unwrap();
    std::fs::write(
        d.join("inv/records.csv"),
        records.lines().take(3).collect::<Vec<_>>().join("\n") + "\n",
    )
    .unwrap();
    // alice-u owns the CRM: its 400 contacts.
    assert_eq!(leaked_from(d, "alice-u"), 400);
    let model = load_model(d, ".").unwrap().model;
    let backups = model.node_id("backups").unwrap();
    assert!(model
        .record_sets
        .iter()
        .any(|r| r.store == backups && r.category == "customer.contact"));
}

#[test]
fn display_names_survive_toml_csv_and_opengraph_round_trips() {
    use blastradius::interop::opengraph::{self, export as og_out, Mapping};
    let model = overlaid(base(), INVENTORY);
    let names = |m: &Model| -> Vec<(String, String)> {
        m.names
            .iter()
            .map(|(&n, name)| (m.id(n).to_string(), name.clone()))
            .collect()
    };
    let expected = vec![
        ("alice-u".to_string(), "Alice".to_string()),
        ("srv:1433\\crm-db".to_string(), "CRM".to_string()),
    ];
    assert_eq!(names(&model), expected);
    for csv in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        save_model(&model, dir.path(), csv).unwrap();
        let back = load_model(dir.path(), "saved").unwrap().model;
        assert_eq!(names(&back), expected, "csv: {csv}");
    }
    // CSV node tables without a named node have no name column at all.
    let dir = tempfile::tempdir().unwrap();
    save_model(&model, dir.path(), true).unwrap();
    let header = |f: &str| {
        let text = std::fs::read_to_string(dir.path().join(f)).unwrap();
        text.lines().next().unwrap().to_string()
    };
    assert_eq!(header("accounts.csv"), "id,kind,mfa,groups,name");
    assert_eq!(header("people.csv"), "id,accounts");

    let text = og_out::render(&model, None).unwrap();
    let doc = opengraph::read_document(text.as_bytes(), "export.json").unwrap();
    let imported = opengraph::import(vec![doc], &Mapping::default()).unwrap();
    assert_eq!(names(&imported.model), expected);
}

/// The fuzz target's seeds (`fuzz/seeds/overlay/`) on its fixed model: each applies or is
/// refused with located problems, and what applies saves and loads back.
#[test]
fn the_fuzz_seeds_apply_or_fail_cleanly() {
    let fixture = std::fs::read_to_string(root().join("fuzz/src/fixture.toml")).unwrap();
    let model = parse_model(&fixture, "model.toml").unwrap().model;
    let mut applied = 0;
    let mut seeds: Vec<_> = std::fs::read_dir(root().join("fuzz/seeds/overlay"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    seeds.sort();
    for seed in seeds {
        let text = std::fs::read_to_string(&seed).unwrap();
        match parse_overlay(model.clone(), &text, "overlay.toml") {
            Ok(o) => {
                applied += 1;
                let dir = tempfile::tempdir().unwrap();
                save_model(&o.model, dir.path(), false).unwrap();
                load_model(dir.path(), "saved").unwrap();
            }
            Err(Error::Invalid { problems }) => {
                // Each problem is the overlay's; all but whole-model ones (a flow cycle, a
                // category weight) have a line.
                assert!(
                    problems.iter().all(|p| p.file == "overlay.toml"
                        && (p.line.is_some()
                            || p.message.starts_with("flows form a cycle")
                            || p.message.starts_with("[categories]"))),
                    "{}: {problems:?}",
                    seed.display()
                );
            }
            Err(e) => panic!("{}: {e}", seed.display()),
        }
    }
    assert!(applied >= 3, "inventory, names and repeats apply");
}

// ---------------------------------------------------------------------------------------------
// Real data: the MSSQLHound sample (one SQL Server of the mayyhem.com lab).
// ---------------------------------------------------------------------------------------------

/// The collection's one JSON document, read from its zip (UTF-8 with a BOM).
fn mssqlhound_json(zip_path: &Path) -> Value {
    let mut z = zip::ZipArchive::new(std::fs::File::open(zip_path).unwrap()).unwrap();
    let mut entry = z.by_index(0).unwrap();
    let mut text = String::new();
    entry.read_to_string(&mut text).unwrap();
    serde_json::from_str(text.trim_start_matches('\u{feff}')).unwrap()
}

/// Nodes reachable from `from` over the edges the collector marks `traversable`, read from the
/// raw JSON: the test's own breadth-first search, not the importer's.
fn raw_reach(doc: &Value, from: &str) -> BTreeSet<String> {
    let mut next: HashMap<&str, Vec<&str>> = HashMap::new();
    for e in doc["graph"]["edges"].as_array().unwrap() {
        if e["properties"]["traversable"] == Value::Bool(true) {
            next.entry(e["start"]["value"].as_str().unwrap())
                .or_default()
                .push(e["end"]["value"].as_str().unwrap());
        }
    }
    let mut seen: BTreeSet<String> = BTreeSet::from([from.to_string()]);
    let mut queue = VecDeque::from([from]);
    while let Some(n) = queue.pop_front() {
        for &m in next.get(n).into_iter().flatten() {
            if seen.insert(m.to_string()) {
                queue.push_back(m);
            }
        }
    }
    seen
}

#[test]
#[ignore = "needs ../shared/data/real"]
fn real_mssqlhound_database_records_leak_from_an_account_that_reaches_it() {
    let folder = root().join("../shared/data/real/mssqlhound-opengraph");
    assert!(folder.is_dir(), "{} not found", folder.display());
    let zip = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "zip"))
        .expect("the collection's zip");
    let doc = mssqlhound_json(&zip);

    // From the raw JSON: the CM_PS1 database's id, and a database user that reaches it over
    // traversable edges (dbo of CM_PS1, a member of db_owner, which controls the database).
    let db = doc["graph"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kinds"][0] == "MSSQL_Database" && n["properties"]["name"] == "CM_PS1")
        .expect("the CM_PS1 database")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let dbo = format!("dbo@{db}");
    assert!(
        raw_reach(&doc, &dbo).contains(&db),
        "dbo reaches CM_PS1 in the raw graph"
    );
    // And the guest user of tempdb, which leaks the records exactly when the raw graph says it
    // reaches the database.
    let guest = db
        .replace("\\CM_PS1", "\\tempdb")
        .replacen("S-1-5", "guest@S-1-5", 1);
    let guest_reaches = raw_reach(&doc, &guest).contains(&db);

    let dir = files(&[(
        "cm.toml",
        "[[store]]\nid = { name = \"CM_PS1\" }\nretention_days = 365\nrecords = [{ category = \"device.inventory\", count = 12000 }]\n",
    )]);
    let d = dir.path();
    let out = run_in(
        d,
        &[
            "import",
            "opengraph",
            zip.to_str().unwrap(),
            "-o",
            "m",
            "--overlay",
            "cm.toml",
            "-q",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let model = load_model(&d.join("m"), "m").unwrap().model;
    let db_node = model.node_id(&db).expect("the database is in the model");
    assert_eq!(
        model.kind(db_node),
        NodeKind::Store,
        "the overlay made it a store"
    );

    let scenario = format!(
        "model = \"m\"\nname = \"dbo\"\n[attack]\ncompromised = [{}]\n",
        serde_json::to_string(&dbo).unwrap()
    );
    std::fs::write(d.join("s.toml"), scenario).unwrap();
    let out = run_in(
        d,
        &[
            "run",
            "s.toml",
            "--worst-case-only",
            "-q",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let run: Value = serde_json::from_str(&out.stdout).unwrap();
    let worst = &run["baseline"]["deterministic"];
    assert_eq!(worst["records_total"], 12_000, "{worst}");
    // MSSQLHound's profile makes every database a store; only the inventoried one holds records.
    let leaked = worst["leaked_stores"].as_array().unwrap();
    assert!(leaked.contains(&serde_json::json!(db)), "{worst}");
    assert_eq!(leaked_from(&d.join("m"), &dbo), 12_000);
    if model.node_id(&guest).is_some() {
        let expected = if guest_reaches { 12_000 } else { 0 };
        assert_eq!(leaked_from(&d.join("m"), &guest), expected);
    }
}
