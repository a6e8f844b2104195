//! Collector profiles (issue 17): every OpenGraph collection in `../shared/data/real/` imports
//! with its collector's profile and no `--mapping`, and its counts of nodes, attack steps,
//! write links and stores match what this test reads from the raw JSON under the rules each
//! collector's schema or docs give (written out here, not taken from the importer); SnowHound
//! users reach every table their roles can select or own, with its `rows`; and the mapping
//! format's extensions (end-kind conditions, records from a property, profiles) on hand-written
//! documents.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

use blastradius::interop::opengraph::{self, read_document, Imported, Mapping};
use blastradius::model::{Access, Amount, LinkKind, NodeKind};
use blastradius::Analysis;
use serde_json::Value;

use crate::interop::real;

// ---------------------------------------------------------------------------------------------
// The raw JSON, read by the test.
// ---------------------------------------------------------------------------------------------

/// The JSON documents of a file or of each `.json` entry of a zip (a UTF-8 BOM skipped).
fn raw_documents(path: &Path) -> Vec<Value> {
    let parse = |bytes: &[u8]| -> Value {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        serde_json::from_slice(bytes).unwrap()
    };
    if path.extension().is_some_and(|e| e == "zip") {
        let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
        let mut docs = Vec::new();
        for i in 0..z.len() {
            let mut entry = z.by_index(i).unwrap();
            if entry.name().ends_with(".json") {
                let mut bytes = Vec::new();
                entry.read_to_end(&mut bytes).unwrap();
                docs.push(parse(&bytes));
            }
        }
        docs
    } else {
        vec![parse(&std::fs::read(path).unwrap())]
    }
}

/// An edge's kind, start id, end id (none when the end matches no node), `traversable` mark.
type RawEdge = (String, Option<String>, Option<String>, Option<bool>);

/// The nodes (kinds merged by id, as OpenGraph upserts) and the edges of raw documents.
struct Raw {
    kinds: BTreeMap<String, Vec<String>>,
    props: HashMap<String, serde_json::Map<String, Value>>,
    edges: Vec<RawEdge>,
}

impl Raw {
    fn read(docs: &[Value]) -> Raw {
        let mut kinds: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut props: HashMap<String, serde_json::Map<String, Value>> = HashMap::new();
        for doc in docs {
            for n in doc["graph"]["nodes"].as_array().into_iter().flatten() {
                let id = n["id"].as_str().unwrap().to_string();
                let entry = kinds.entry(id.clone()).or_default();
                for k in n["kinds"].as_array().unwrap() {
                    let k = k.as_str().unwrap().to_string();
                    if !entry.contains(&k) {
                        entry.push(k);
                    }
                }
                if let Some(p) = n["properties"].as_object() {
                    props.entry(id).or_default().extend(p.clone());
                }
            }
        }
        let by_name: HashMap<String, Vec<String>> = props.iter().fold(
            HashMap::new(),
            |mut m: HashMap<String, Vec<String>>, (id, p)| {
                if let Some(name) = p.get("name").and_then(Value::as_str) {
                    m.entry(name.to_string()).or_default().push(id.clone());
                }
                m
            },
        );
        let resolve = |end: &Value| -> Option<String> {
            let v = end["value"].as_str()?;
            let found = match end.get("match_by").and_then(Value::as_str).unwrap_or("id") {
                "name" => match by_name.get(v).map(Vec::as_slice) {
                    Some([one]) => Some(one.clone()),
                    _ => None,
                },
                _ => kinds.contains_key(v).then(|| v.to_string()),
            }?;
            match end.get("kind").and_then(Value::as_str) {
                Some(k) if !kinds[&found].iter().any(|x| x == k) => None,
                _ => Some(found),
            }
        };
        let mut edges = Vec::new();
        for doc in docs {
            for e in doc["graph"]["edges"].as_array().into_iter().flatten() {
                let mark = e["properties"]["traversable"].as_bool();
                edges.push((
                    e["kind"].as_str().unwrap().to_string(),
                    resolve(&e["start"]),
                    resolve(&e["end"]),
                    mark,
                ));
            }
        }
        Raw {
            kinds,
            props,
            edges,
        }
    }

    fn has(&self, id: &str, kind: &str) -> bool {
        self.kinds[id].iter().any(|k| k == kind)
    }
}

/// What a collector's edge means, as the test reads the collector's schema or docs.
#[derive(Debug, PartialEq)]
enum Meaning {
    /// An attack step: blastradius's link (`member`, `read`, `admin`) or a custom step (the
    /// edge kind); steps with the same ends and meaning count once.
    Step(String),
    /// Write access: tampering, listed but not traversed.
    Write,
    Ignored,
}

fn custom(kind: &str) -> Meaning {
    Meaning::Step(kind.to_string())
}

fn link(name: &str) -> Meaning {
    Meaning::Step(format!("link:{name}"))
}

fn by_mark(kind: &str, mark: Option<bool>) -> Meaning {
    if mark == Some(true) {
        custom(kind)
    } else {
        Meaning::Ignored
    }
}

/// The counts the test expects: nodes, attack steps, write links, stores.
#[derive(Debug, PartialEq)]
struct Counts {
    nodes: usize,
    steps: usize,
    writes: usize,
    stores: usize,
}

fn expected_counts(
    raw: &Raw,
    is_store: impl Fn(&[String]) -> bool,
    meaning: impl Fn(&str, &[String], &[String], Option<bool>) -> Meaning,
) -> Counts {
    let mut steps: BTreeSet<(String, String, String)> = BTreeSet::new();
    let mut writes: BTreeSet<(String, String)> = BTreeSet::new();
    for (kind, a, b, mark) in &raw.edges {
        let (Some(a), Some(b)) = (a, b) else {
            continue;
        };
        match meaning(kind, &raw.kinds[a], &raw.kinds[b], *mark) {
            Meaning::Step(_) if a == b => {}
            Meaning::Step(m) => {
                steps.insert((a.clone(), b.clone(), m));
            }
            Meaning::Write => {
                writes.insert((a.clone(), b.clone()));
            }
            Meaning::Ignored => {}
        }
    }
    Counts {
        nodes: raw.kinds.len(),
        steps: steps.len(),
        writes: writes.len(),
        stores: raw.kinds.values().filter(|k| is_store(k)).count(),
    }
}

/// Imports with the built-in profiles only (no `--mapping`).
fn import(paths: &[PathBuf]) -> Imported {
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let inputs: Vec<(&Path, &str)> = paths
        .iter()
        .zip(&shown)
        .map(|(p, s)| (p.as_path(), s.as_str()))
        .collect();
    let docs = opengraph::read_inputs(&inputs).unwrap();
    opengraph::import(docs, &Mapping::default()).unwrap()
}

fn got_counts(imported: &Imported) -> Counts {
    let m = &imported.model;
    Counts {
        nodes: m.node_count(),
        steps: imported.summary.attack_edges,
        writes: imported.summary.write_links,
        stores: (0..m.node_count() as u32)
            .filter(|&n| m.kind(n) == NodeKind::Store)
            .count(),
    }
}

/// Imports `paths`, checks every document was read with one of `profiles` and the counts
/// against the raw JSON; returns the import and the raw reading.
fn check_collection(
    paths: &[PathBuf],
    profiles: &[&str],
    is_store: impl Fn(&[String]) -> bool,
    meaning: impl Fn(&str, &[String], &[String], Option<bool>) -> Meaning,
) -> (Imported, Raw) {
    let docs: Vec<Value> = paths.iter().flat_map(|p| raw_documents(p)).collect();
    let raw = Raw::read(&docs);
    let imported = import(paths);
    let s = &imported.summary;
    assert_eq!(s.generic_documents, 0, "{paths:?}: {}", s.profile_line());
    let used: BTreeSet<&str> = s.profiles.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(used, profiles.iter().copied().collect(), "{paths:?}");
    let expected = expected_counts(&raw, is_store, meaning);
    assert_eq!(got_counts(&imported), expected, "{paths:?}");
    eprintln!(
        "{}: {}{expected:?}",
        paths[0].file_name().unwrap().to_string_lossy(),
        s.profile_line()
    );
    (imported, raw)
}

fn any(kinds: &[String], names: &[&str]) -> bool {
    kinds.iter().any(|k| names.contains(&k.as_str()))
}

// ---------------------------------------------------------------------------------------------
// The collectors' rules, as the test reads their schemas and docs.
// ---------------------------------------------------------------------------------------------

const SNOW_DATA: [&str; 3] = ["SNOW_Table", "SNOW_View", "SNOW_Stage"];
const SNOW_ROLES: [&str; 2] = ["SNOW_Role", "SNOW_ApplicationRole"];

/// SnowHound's `schema.json`: USAGE from a user on a role is the role granted, between roles
/// the hierarchy, on an external stage reading it, elsewhere no step; SELECT/READ read data;
/// OWNERSHIP is full control; INSERT… change data; MANAGE GRANTS, USE ANY ROLE and RUN AS
/// ROLE are steps; nothing else is.
fn snowhound_meaning(kind: &str, a: &[String], b: &[String], _: Option<bool>) -> Meaning {
    let data = any(b, &SNOW_DATA);
    match kind {
        "SNOW_Usage" if any(a, &["SNOW_User"]) && any(b, &SNOW_ROLES) => link("member"),
        "SNOW_Usage" if any(a, &SNOW_ROLES) && any(b, &SNOW_ROLES) => link("member"),
        "SNOW_Usage" if any(b, &["SNOW_Stage"]) => link("read"),
        "SNOW_Ownership" if data => link("admin"),
        "SNOW_Ownership" if any(b, &["SNOW_Role", "SNOW_ApplicationRole", "SNOW_User"]) => {
            custom(kind)
        }
        "SNOW_Ownership"
            if any(
                b,
                &[
                    "SNOW_Database",
                    "SNOW_Schema",
                    "SNOW_Warehouse",
                    "SNOW_Account",
                ],
            ) || b
                .iter()
                .any(|k| k.starts_with("SNOW_") && k.ends_with("Integration")) =>
        {
            link("admin")
        }
        "SNOW_Ownership" => custom(kind),
        "SNOW_Select" | "SNOW_Read" if data => link("read"),
        "SNOW_Insert" | "SNOW_Update" | "SNOW_Delete" | "SNOW_Truncate" | "SNOW_Write" if data => {
            Meaning::Write
        }
        "SNOW_ManageGrants" | "SNOW_UseAnyRole" | "SNOW_RunAsRole" => custom(kind),
        _ => Meaning::Ignored,
    }
}

/// MSSQLHound (with the AD principals it and ConfigManBearPig write): role membership is
/// membership, CONTROL/ownership of a database is admin of it, ALTER ANY … on a database reads
/// it; the collector's marks decide the rest; AD `MemberOf` between users and groups is
/// membership, `HasSession` (unmarked) a step.
fn mssql_meaning(kind: &str, a: &[String], b: &[String], mark: Option<bool>) -> Meaning {
    let principals = [
        "MSSQL_Login",
        "MSSQL_DatabaseUser",
        "MSSQL_ServerRole",
        "MSSQL_DatabaseRole",
    ];
    let db = any(b, &["MSSQL_Database"]);
    match kind {
        "MSSQL_MemberOf"
            if any(a, &principals) && any(b, &["MSSQL_ServerRole", "MSSQL_DatabaseRole"]) =>
        {
            link("member")
        }
        "MSSQL_ControlDB" | "MSSQL_Owns" if db => link("admin"),
        "MSSQL_GrantAnyDBPermission" if db => link("read"),
        "MemberOf" if any(a, &["User", "Group"]) && any(b, &["Group"]) => link("member"),
        "MemberOf" | "HasSession" => custom(kind),
        _ => by_mark(kind, mark),
    }
}

fn mssql_store(kinds: &[String]) -> bool {
    any(kinds, &["MSSQL_Database"])
}

/// GitHound marks its edges; membership, role assignment and base roles are memberships.
fn githound_meaning(kind: &str, a: &[String], b: &[String], mark: Option<bool>) -> Meaning {
    let role = |k: &[String]| {
        k.iter()
            .any(|k| k.starts_with("GH_") && k.ends_with("Role"))
    };
    match kind {
        "GH_MemberOf" if any(a, &["GH_User", "GH_Team"]) && any(b, &["GH_Team"]) => link("member"),
        "GH_HasRole" if any(a, &["GH_User", "GH_Team"]) && role(b) => link("member"),
        "GH_HasBaseRole" if role(a) && role(b) => link("member"),
        _ => by_mark(kind, mark),
    }
}

/// Repositories hold code; secrets and tokens one credential each.
fn githound_store(kinds: &[String]) -> bool {
    kinds.iter().any(|k| {
        k == "GH_Repository" || k == "GHRepository" || k.ends_with("Secret") || k.ends_with("Token")
    })
}

/// GitHound's early schema carries no marks: roles, base roles and teams are memberships;
/// pull and read-contents read; push, protected-branch pushes and protection edits write;
/// admin is admin; add-member, the organization's ownership of repositories and IdP sync are
/// steps; organization settings are not.
fn githound_early_meaning(kind: &str, _: &[String], _: &[String], _: Option<bool>) -> Meaning {
    match kind {
        "GHHasRole" | "GHHasBaseRole" | "GHMemberOf" => link("member"),
        "GHCanPull" | "GHReadRepoContents" => link("read"),
        "GHCanPush"
        | "GHWriteRepoContents"
        | "GHWriteRepoPullRequests"
        | "GHPushProtectedBranch"
        | "GHBypassProtections"
        | "GHEditProtections" => Meaning::Write,
        "GHAdminTo" => link("admin"),
        "GHAddMember" | "GHOwns" | "SyncedToGHUser" => custom(kind),
        _ => Meaning::Ignored,
    }
}

/// EntraAuthPolicyHound: issuing a TAP, registering a passkey, changing the policy and the
/// Graph permissions over authentication methods are takeovers; the TAP exclusion is not.
fn entra_meaning(kind: &str, _: &[String], _: &[String], _: Option<bool>) -> Meaning {
    match kind {
        "AZCreateTAP" | "AZRegisterPasskey" | "AZChangeAuthenticationPolicy" => custom(kind),
        k if k.starts_with("AZMG") => custom(kind),
        _ => Meaning::Ignored,
    }
}

/// DataHound's BloodHound CE RBAC: a user assigned a role holds it; the SSO provider, user and
/// provider management and client tasking are steps; other permissions are not.
fn datahound_meaning(kind: &str, _: &[String], _: &[String], _: Option<bool>) -> Meaning {
    match kind {
        "AssignedTo" => link("member"),
        "ProviderFor" | "ManageUsers" | "ManageProviders" | "Tasking" | "Manage" => custom(kind),
        _ => Meaning::Ignored,
    }
}

fn no_store(_: &[String]) -> bool {
    false
}

// ---------------------------------------------------------------------------------------------
// Every OpenGraph collection of the shared folder.
// ---------------------------------------------------------------------------------------------

#[test]
#[ignore = "needs ../shared/data/real"]
fn snowhound_imports_with_its_profile_and_counts_from_the_schema() {
    let file = real("snowhound-opengraph").join("example_2026-03-02.json");
    let (imported, _) = check_collection(
        std::slice::from_ref(&file),
        &["SnowHound"],
        |k| any(k, &SNOW_DATA),
        snowhound_meaning,
    );
    assert!(imported.summary.attack_edges > 0);
    let text = std::fs::read_to_string(&file).unwrap();
    check_snowhound_reach(&serde_json::from_str(&text).unwrap(), &imported);
}

#[test]
#[ignore = "needs ../shared/data/real"]
fn mssqlhound_imports_with_its_profile_and_databases_are_stores() {
    let zip = real("mssqlhound-opengraph").join("mssql-bloodhound-20260115-105846.zip");
    let (imported, raw) = check_collection(&[zip], &["MSSQLHound"], mssql_store, mssql_meaning);
    let m = &imported.model;
    for (id, kinds) in &raw.kinds {
        let n = m.node_id(id).unwrap();
        if any(kinds, &["MSSQL_Login", "MSSQL_DatabaseUser"]) {
            assert_eq!(m.kind(n), NodeKind::Account, "{id}: a login is an identity");
        }
    }
    // SOURCE.md: 5 databases (CM_PS1, master, model, msdb, tempdb).
    assert_eq!(got_counts(&imported).stores, 5);
}

#[test]
#[ignore = "needs ../shared/data/real"]
fn configmanbearpig_collections_import_with_their_profiles() {
    let dir = real("configmanbearpig-opengraph");
    let mut zips: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "zip"))
        .collect();
    zips.sort();
    assert_eq!(zips.len(), 4);
    for zip in zips {
        let sccm_or_mssql = |kind: &str, a: &[String], b: &[String], mark: Option<bool>| {
            mssql_meaning(kind, a, b, mark)
        };
        let (_, raw) = check_collection(
            std::slice::from_ref(&zip),
            &["ConfigManBearPig", "MSSQLHound", "Active Directory"],
            mssql_store,
            sccm_or_mssql,
        );
        // SCCM collections are systems' groups, never people groups.
        let imported = import(std::slice::from_ref(&zip));
        for (id, kinds) in &raw.kinds {
            if any(kinds, &["SCCM_Collection"]) {
                let n = imported.model.node_id(id).unwrap();
                assert_eq!(imported.model.kind(n), NodeKind::System, "{id}");
            }
        }
    }
}

#[test]
#[ignore = "needs ../shared/data/real"]
fn githound_collections_import_with_their_profiles() {
    let data = real("githound-opengraph");
    check_collection(
        &[
            data.join("githound_O_kgDOCoV2OQ.json"),
            data.join("githound_saml_O_kgDOCoV2OQ.json"),
        ],
        &["GitHound"],
        githound_store,
        githound_meaning,
    );
    check_collection(
        &[real("githound-rookuu-early-opengraph").join("example.json")],
        &["GitHound (early schema)"],
        githound_store,
        githound_early_meaning,
    );
}

#[test]
#[ignore = "needs ../shared/data/real"]
fn entraauthpolicyhound_and_datahound_import_with_their_profiles() {
    let (imported, _) = check_collection(
        &[real("entraauthpolicyhound-opengraph").join("AuthenticationPolicyData_Sample.json")],
        &["EntraAuthPolicyHound"],
        no_store,
        entra_meaning,
    );
    // Every edge starts at a principal of the tenant's AzureHound collection, absent here.
    assert_eq!(imported.summary.attack_edges, 0);
    let (imported, _) = check_collection(
        &[real("datahound-bhce-rbac-opengraph").join("sample-bhce-output.json")],
        &["DataHound (BloodHound CE RBAC)"],
        no_store,
        datahound_meaning,
    );
    assert!(imported.summary.attack_edges > 0);
}

// ---------------------------------------------------------------------------------------------
// SnowHound: each user reaches every table their roles can select or own, with its rows.
// ---------------------------------------------------------------------------------------------

/// Walks the grants of a SnowHound document itself: a user's roles (USAGE from the user, then
/// USAGE between roles, transitively), and the tables any of those roles can select, read or
/// own. Checks that each table is a store holding exactly its `rows` (Time Travel's
/// `retention_time` not read as retention) and that each user's worst case leaks at least
/// those tables with those rows. Returns (users, tables reached in all) for the caller.
fn check_snowhound_reach(doc: &Value, imported: &Imported) -> (usize, usize) {
    let raw = Raw::read(std::slice::from_ref(doc));
    let rows = |id: &str| -> u64 {
        match raw.props.get(id).and_then(|p| p.get("rows")) {
            Some(Value::Number(n)) => n.as_u64().unwrap(),
            Some(Value::String(s)) => s.parse().unwrap(),
            _ => 0,
        }
    };
    let mut usage: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut reads: HashMap<&str, Vec<&str>> = HashMap::new();
    for (kind, a, b, _) in &raw.edges {
        let (Some(a), Some(b)) = (a, b) else {
            continue;
        };
        match kind.as_str() {
            "SNOW_Usage" if raw.has(b, "SNOW_Role") => {
                usage.entry(a).or_default().push(b);
            }
            "SNOW_Select" | "SNOW_Read" | "SNOW_Ownership" if raw.has(b, "SNOW_Table") => {
                reads.entry(a).or_default().push(b);
            }
            _ => {}
        }
    }
    let analysis = Analysis::new(imported.model.clone());
    let m = &analysis.model;
    let tables: Vec<&String> = raw
        .kinds
        .keys()
        .filter(|id| raw.has(id, "SNOW_Table"))
        .collect();
    for t in &tables {
        let n = m.node_id(t).unwrap();
        assert_eq!(m.kind(n), NodeKind::Store, "{t}");
        let held: u64 = m
            .record_sets
            .iter()
            .filter(|s| s.store == n)
            .map(|s| match s.amount {
                Amount::Count(c) => c,
                Amount::PerDay(_) => panic!("{t}: rows are a count"),
            })
            .sum();
        assert_eq!(held, rows(t), "{t} holds its rows");
        assert_eq!(
            m.store_policy[n as usize].retention_days, None,
            "{t}: retention_time is Time Travel, not retention"
        );
    }
    let users: Vec<&String> = raw
        .kinds
        .keys()
        .filter(|id| raw.has(id, "SNOW_User"))
        .collect();
    let mut reached_total = 0;
    for user in &users {
        let mut roles: BTreeSet<&str> = BTreeSet::new();
        let mut stack: Vec<&str> = usage.get(user.as_str()).cloned().unwrap_or_default();
        while let Some(r) = stack.pop() {
            if roles.insert(r) {
                stack.extend(usage.get(r).into_iter().flatten());
            }
        }
        let expected: BTreeSet<&str> = roles
            .iter()
            .flat_map(|r| reads.get(r).into_iter().flatten().copied())
            .collect();
        let wc = analysis.worst_case(&[m.node_id(user).unwrap()]);
        let leaked: BTreeSet<&str> = wc.leaked_stores.iter().map(|&s| m.id(s)).collect();
        for t in &expected {
            assert!(leaked.contains(t), "{user} can read {t} through {roles:?}");
            let n = m.node_id(t).unwrap();
            let records: u64 = wc
                .exposure
                .sets
                .iter()
                .filter(|s| m.record_sets[s.set as usize].store == n)
                .map(|s| s.records)
                .sum();
            assert_eq!(records, rows(t), "{user} leaks all of {t}'s rows");
        }
        reached_total += expected.len();
    }
    eprintln!(
        "SnowHound: {} users, {} tables, {reached_total} user-table pairs checked",
        users.len(),
        tables.len()
    );
    (users.len(), reached_total)
}

/// A SnowHound document in the collector's format (kinds, edge kinds and table properties as
/// its docs list them): two users, a role hierarchy, tables with `rows` and a Time Travel
/// `retention_time`, a view, write-only and USAGE-on-database grants.
const SNOW_MINI: &str = r#"{"metadata": {"source_kind": "Snowflake"}, "graph": {"nodes": [
  {"id": "ANA@X", "kinds": ["SNOW_User", "SNOW_Base"], "properties": {"name": "ANA@X"}},
  {"id": "BOB@X", "kinds": ["SNOW_User", "SNOW_Base"], "properties": {"name": "BOB@X"}},
  {"id": "ANALYST", "kinds": ["SNOW_Role", "SNOW_Base"]},
  {"id": "READER", "kinds": ["SNOW_Role", "SNOW_Base"]},
  {"id": "LOADER", "kinds": ["SNOW_Role", "SNOW_Base"]},
  {"id": "OWNER", "kinds": ["SNOW_Role", "SNOW_Base"]},
  {"id": "DB", "kinds": ["SNOW_Database", "SNOW_Base"]},
  {"id": "WH", "kinds": ["SNOW_Warehouse", "SNOW_Base"]},
  {"id": "DB.PUBLIC.ORDERS", "kinds": ["SNOW_Table", "SNOW_Base"], "properties": {"rows": 1000, "bytes": 64000, "retention_time": "90"}},
  {"id": "DB.PUBLIC.PAYROLL", "kinds": ["SNOW_Table", "SNOW_Base"], "properties": {"rows": 50, "retention_time": "1"}},
  {"id": "DB.PUBLIC.STAGING", "kinds": ["SNOW_Table", "SNOW_Base"], "properties": {"rows": 7}},
  {"id": "DB.PUBLIC.ORDERS_V", "kinds": ["SNOW_View", "SNOW_Base"]}],
 "edges": [
  {"kind": "SNOW_Usage", "start": {"value": "ANA@X"}, "end": {"value": "ANALYST"}},
  {"kind": "SNOW_Usage", "start": {"value": "ANALYST"}, "end": {"value": "READER"}},
  {"kind": "SNOW_Usage", "start": {"value": "BOB@X"}, "end": {"value": "LOADER"}},
  {"kind": "SNOW_Usage", "start": {"value": "LOADER"}, "end": {"value": "DB"}},
  {"kind": "SNOW_Usage", "start": {"value": "LOADER"}, "end": {"value": "WH"}},
  {"kind": "SNOW_Select", "start": {"value": "READER"}, "end": {"value": "DB.PUBLIC.ORDERS"}},
  {"kind": "SNOW_Select", "start": {"value": "READER"}, "end": {"value": "DB.PUBLIC.ORDERS_V"}},
  {"kind": "SNOW_Insert", "start": {"value": "LOADER"}, "end": {"value": "DB.PUBLIC.STAGING"}},
  {"kind": "SNOW_Ownership", "start": {"value": "OWNER"}, "end": {"value": "DB.PUBLIC.PAYROLL"}},
  {"kind": "SNOW_Ownership", "start": {"value": "ANALYST"}, "end": {"value": "OWNER"}},
  {"kind": "SNOW_Contains", "start": {"value": "DB"}, "end": {"value": "DB.PUBLIC.STAGING"}},
  {"kind": "SNOW_CreateSchema", "start": {"value": "LOADER"}, "end": {"value": "DB"}}]}}"#;

fn import_text(texts: &[(&str, &str)], mapping: &Mapping) -> Imported {
    let docs = texts
        .iter()
        .map(|(name, t)| read_document(t.as_bytes(), name).unwrap_or_else(|d| panic!("{d}")))
        .collect();
    opengraph::import(docs, mapping).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn snowhound_users_reach_their_roles_tables_with_their_rows() {
    let imported = import_text(&[("snow.json", SNOW_MINI)], &Mapping::default());
    assert_eq!(
        imported.summary.profile_line(),
        "profile: SnowHound (from metadata.source_kind)\n"
    );
    let (users, pairs) =
        check_snowhound_reach(&serde_json::from_str(SNOW_MINI).unwrap(), &imported);
    // The walk of grants finds one user-table pair: ANA reads ORDERS through ANALYST → READER.
    // The worst case takes more: ANALYST owns the role OWNER (its owner can grant it to
    // itself), which owns PAYROLL.
    assert_eq!((users, pairs), (2, 1));
    let a = Analysis::new(imported.model);
    let m = &a.model;
    let ana = a.worst_case(&[m.node_id("ANA@X").unwrap()]);
    let leaked: BTreeSet<&str> = ana.leaked_stores.iter().map(|&s| m.id(s)).collect();
    assert_eq!(
        leaked,
        BTreeSet::from([
            "DB.PUBLIC.ORDERS",
            "DB.PUBLIC.ORDERS_V",
            "DB.PUBLIC.PAYROLL"
        ]),
        "ANALYST owns the role OWNER, which owns PAYROLL"
    );
    assert_eq!(ana.exposure.records_total, 1050);
    let bob = a.worst_case(&[m.node_id("BOB@X").unwrap()]);
    assert!(
        bob.leaked_stores.is_empty(),
        "INSERT and USAGE on a database leak nothing"
    );
    let tampered: Vec<&str> = bob.tampered_stores.iter().map(|&s| m.id(s)).collect();
    assert_eq!(tampered, ["DB.PUBLIC.STAGING"]);
}

// ---------------------------------------------------------------------------------------------
// The mapping format's extensions, on hand-written documents.
// ---------------------------------------------------------------------------------------------

fn links(imported: &Imported) -> BTreeSet<(String, String, String)> {
    let m = &imported.model;
    m.links
        .iter()
        .map(|l| {
            let kind = match l.kind {
                LinkKind::Member => "member".to_string(),
                LinkKind::Grant(Access::Read) => "read".to_string(),
                LinkKind::Grant(Access::Write) => "write".to_string(),
                LinkKind::Grant(Access::Admin) => "admin".to_string(),
                LinkKind::Custom(label) => format!("step {label}"),
                other => format!("{other:?}"),
            };
            (m.id(l.from).to_string(), m.id(l.to).to_string(), kind)
        })
        .collect()
}

fn set(items: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    items
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

#[test]
fn edge_rules_can_depend_on_the_kinds_of_their_ends() {
    let mapping = opengraph::parse_mapping(
        r#"
[kinds]
XUser = "account"
XRole = "group"
XThing = "system"
XData = "store"
[edges]
XUses = [
    { from = "XUser", to = "XRole", link = "member" },
    { from = ["XRole"], to = "X*Data*", link = "read" },
    { to = "XThing", traversable = false },
    { traversable = true },
]
"#,
        "map.toml",
    )
    .unwrap();
    let imported = import_text(
        &[(
            "g.json",
            r#"{"graph": {"nodes": [
          {"id": "u", "kinds": ["XUser"]}, {"id": "r", "kinds": ["XRole"]},
          {"id": "t", "kinds": ["XThing"]}, {"id": "d", "kinds": ["XData"]}],
         "edges": [
          {"kind": "XUses", "start": {"value": "u"}, "end": {"value": "r"}},
          {"kind": "XUses", "start": {"value": "r"}, "end": {"value": "d"}},
          {"kind": "XUses", "start": {"value": "r"}, "end": {"value": "t"}, "properties": {"traversable": true}},
          {"kind": "XUses", "start": {"value": "u"}, "end": {"value": "d"}},
          {"kind": "XUses", "start": {"value": "u"}, "end": {"value": "gone"}}]}}"#,
        )],
        &mapping,
    );
    assert_eq!(
        links(&imported),
        set(&[
            ("u", "r", "member"),
            ("r", "d", "read"),
            ("u", "d", "step XUses"),
        ]),
        "the first entry whose ends fit applies; the rule wins over the edge's mark"
    );
    // A dangling edge is judged by the entries without conditions: the last one follows it.
    assert_eq!(imported.summary.dangling_traversable, 1);
}

#[test]
fn a_kind_can_take_its_record_count_from_a_property() {
    let mapping = opengraph::parse_mapping(
        r#"
[kinds]
Tbl = { as = "store", records_from = "row_count", category = "user.contact" }
Other = { as = "store", records_from = "row_count" }
"#,
        "map.toml",
    )
    .unwrap();
    let imported = import_text(
        &[(
            "g.json",
            r#"{"graph": {"nodes": [
          {"id": "a", "kinds": ["Tbl"], "properties": {"row_count": 12, "retention_time": 90}},
          {"id": "b", "kinds": ["Tbl"], "properties": {"records": 3, "category": "user.financial"}},
          {"id": "c", "kinds": ["Other"], "properties": {"row_count": 4}},
          {"id": "d", "kinds": ["Tbl"]}], "edges": []}}"#,
        )],
        &mapping,
    );
    let m = &imported.model;
    let sets: BTreeSet<(String, String, u64)> = m
        .record_sets
        .iter()
        .map(|s| {
            let Amount::Count(c) = s.amount else {
                panic!("a count")
            };
            (m.id(s.store).to_string(), s.category.clone(), c)
        })
        .collect();
    assert_eq!(
        sets,
        BTreeSet::from([
            ("a".to_string(), "user.contact".to_string(), 12),
            ("b".to_string(), "user.financial".to_string(), 3),
            ("c".to_string(), "unclassified".to_string(), 4),
        ]),
        "the kind's property, else the mapping's `records`; the kind's category unless the node names one"
    );
}

#[test]
fn each_document_is_read_with_its_own_collectors_profile() {
    // The same edge kind `Manage` in a DataHound document (a step there) and in a document of
    // no known collector (unmarked: not followed).
    let bhce = r#"{"metadata": {"source_kind": "BHCE"}, "graph": {"nodes": [
        {"id": "r", "kinds": ["BHRole", "BHCE"]}, {"id": "c", "kinds": ["BHClients", "BHCE"]}],
       "edges": [{"kind": "Manage", "start": {"value": "r"}, "end": {"value": "c"}}]}}"#;
    let other = r#"{"graph": {"nodes": [
        {"id": "x", "kinds": ["Printer"]}, {"id": "y", "kinds": ["Tray"]}],
       "edges": [{"kind": "Manage", "start": {"value": "x"}, "end": {"value": "y"}}]}}"#;
    let snow = r#"{"graph": {"nodes": [
        {"id": "u", "kinds": ["SNOW_User"]}, {"id": "r2", "kinds": ["SNOW_Role"]}],
       "edges": [{"kind": "SNOW_Usage", "start": {"value": "u"}, "end": {"value": "r2"}}]}}"#;
    let imported = import_text(
        &[
            ("bhce.json", bhce),
            ("other.json", other),
            ("snow.json", snow),
        ],
        &Mapping::default(),
    );
    assert_eq!(
        links(&imported),
        set(&[("r", "c", "step Manage"), ("u", "r2", "member")])
    );
    assert_eq!(
        imported.summary.profile_line(),
        "profiles: DataHound (BloodHound CE RBAC) (1 document, from metadata.source_kind); \
         SnowHound (1 document, from its kinds); no collector recognised (1 document), generic rules\n"
    );
}

#[test]
fn a_mapping_file_overrides_the_profiles() {
    let mapping = opengraph::parse_mapping(
        "[kinds]\nSNOW_Table = \"system\"\n[edges]\nSNOW_Usage = { traversable = false }\n",
        "map.toml",
    )
    .unwrap();
    let imported = import_text(&[("snow.json", SNOW_MINI)], &mapping);
    let m = &imported.model;
    let orders = m.node_id("DB.PUBLIC.ORDERS").unwrap();
    assert_eq!(m.kind(orders), NodeKind::System);
    assert!(!links(&imported).iter().any(|l| l.2 == "member"));
    // What the file does not name still comes from the profile.
    let view = m.node_id("DB.PUBLIC.ORDERS_V").unwrap();
    assert_eq!(m.kind(view), NodeKind::Store);
}

#[test]
fn mapping_extension_errors_are_located_with_suggestions() {
    let err = |text: &str| {
        opengraph::parse_mapping(text, "map.toml")
            .unwrap_err()
            .to_string()
    };
    let e = err("[kinds]\nT = { as = \"store\", records_form = \"rows\" }\n");
    assert!(
        e.contains("map.toml:2:5: error: [kinds] `T`: unknown field `records_form`"),
        "{e}"
    );
    assert!(e.contains("did you mean `records_from`?"), "{e}");
    let e = err("[kinds]\nT = { as = \"system\", records_from = \"rows\" }\n");
    assert!(
        e.contains("map.toml:2:5: error: [kinds] `T`: only stores hold records"),
        "{e}"
    );
    let e = err("[edges]\nE = [{ from = 3, link = \"member\" }]\n");
    assert!(
        e.contains("map.toml:2:5: error: [edges] `E[0]`: `from` must be a kind"),
        "{e}"
    );
    let e = err("[edges]\nE = [{ form = \"A\" }]\n");
    assert!(e.contains("unknown field `form`"), "{e}");
    assert!(e.contains("did you mean `from`?"), "{e}");
    let e = err("[edges]\nE = [\"A\"]\n");
    assert!(
        e.contains("map.toml:2:5: error: [edges] `E[0]` must be a table"),
        "{e}"
    );
    let e = err("[profile]\nname = \"Mine\"\n");
    assert!(
        e.contains("[profile] is read only in the built-in collector profiles"),
        "{e}"
    );
}

/// AnsibleHound publishes no sample here: a document in its format (kinds and edges as its
/// `link.go` writes them, source kind `AnsibleBase`).
#[test]
fn ansiblehound_host_groups_are_systems_and_jobs_reach_their_hosts() {
    let doc = r#"{"metadata": {"source_kind": "AnsibleBase"}, "graph": {"nodes": [
        {"id": "u1", "kinds": ["ATUser", "AnsibleBase"]}, {"id": "u2", "kinds": ["ATUser", "AnsibleBase"]},
        {"id": "team", "kinds": ["ATTeam", "AnsibleBase"]},
        {"id": "org", "kinds": ["ATOrganization", "AnsibleBase"]},
        {"id": "inv", "kinds": ["ATInventory", "AnsibleBase"]},
        {"id": "web", "kinds": ["ATGroup", "AnsibleBase"]},
        {"id": "h1", "kinds": ["ATHost", "AnsibleBase"]}, {"id": "h2", "kinds": ["ATHost", "AnsibleBase"]},
        {"id": "jt", "kinds": ["ATJobTemplate", "AnsibleBase"]},
        {"id": "proj", "kinds": ["ATProject", "AnsibleBase"]},
        {"id": "ssh", "kinds": ["ATCredential", "AnsibleBase"]}],
       "edges": [
        {"kind": "ATMember", "start": {"value": "u1"}, "end": {"value": "team"}},
        {"kind": "ATMember", "start": {"value": "u2"}, "end": {"value": "org"}},
        {"kind": "ATExecute", "start": {"value": "team"}, "end": {"value": "jt"}},
        {"kind": "ATUses", "start": {"value": "jt"}, "end": {"value": "inv"}},
        {"kind": "ATUses", "start": {"value": "jt"}, "end": {"value": "ssh"}},
        {"kind": "ATUses", "start": {"value": "jt"}, "end": {"value": "proj"}},
        {"kind": "ATContains", "start": {"value": "org"}, "end": {"value": "inv"}},
        {"kind": "ATContains", "start": {"value": "inv"}, "end": {"value": "web"}},
        {"kind": "ATContains", "start": {"value": "web"}, "end": {"value": "h1"}},
        {"kind": "ATContains", "start": {"value": "inv"}, "end": {"value": "h2"}},
        {"kind": "ATRead", "start": {"value": "u2"}, "end": {"value": "inv"}}]}}"#;
    let imported = import_text(&[("ansible.json", doc)], &Mapping::default());
    assert_eq!(
        imported.summary.profile_line(),
        "profile: AnsibleHound (from metadata.source_kind)\n"
    );
    let a = Analysis::new(imported.model);
    let m = &a.model;
    let kind = |id: &str| m.kind(m.node_id(id).unwrap());
    assert_eq!(
        kind("web"),
        NodeKind::System,
        "a host group is no people group"
    );
    assert_eq!(kind("team"), NodeKind::Group);
    assert_eq!(kind("ssh"), NodeKind::Store);
    let reach = |id: &str| -> BTreeSet<String> {
        let wc = a.worst_case(&[m.node_id(id).unwrap()]);
        wc.controlled.iter().map(|&n| m.id(n).to_string()).collect()
    };
    let expected: BTreeSet<String> = ["u1", "team", "jt", "inv", "web", "h1", "h2", "ssh"]
        .map(String::from)
        .into();
    assert_eq!(reach("u1"), expected);
    assert_eq!(
        reach("u2"),
        BTreeSet::from(["u2".to_string()]),
        "read and org membership reach nothing"
    );
}
