//! SharpHound CE import (issue 17): hand-made files whose every step is written out here, bad
//! input that must fail with its file and JSON path (or line and column), and the real
//! `mayyhem.com` lab (`../shared/data/real/`, ignored by a plain `cargo test`), whose objects,
//! memberships and ACE steps are counted by this file's own reading of the raw JSON and whose
//! SharpHound, MSSQLHound and ConfigManBearPig files join into one graph.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::io::Read;
use std::path::{Path, PathBuf};

use blastradius::interop::collection::{import_collection, Format};
use blastradius::interop::opengraph::Mapping;
use blastradius::model::{AccountKind, Model, NodeKind};
use serde_json::Value;

use crate::interop::{real, zip_of};
use crate::util::{assert_fails_with, files, root, run};

/// The hand-made lab (`fuzz/seeds/sharphound/lab_*.json`, also the fuzz seeds).
fn lab_files() -> Vec<PathBuf> {
    let dir = root().join("fuzz/seeds/sharphound");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("lab_"))
        })
        .collect();
    v.sort();
    v
}

fn import_paths(paths: &[PathBuf], format: Format) -> blastradius::Result<Model> {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let inputs: Vec<(&Path, &str)> = paths
        .iter()
        .zip(&names)
        .map(|(p, n)| (p.as_path(), n.as_str()))
        .collect();
    import_collection(&inputs, format, &Mapping::default()).map(|c| c.imported.model)
}

/// Every link of a model as (label, from id, to id).
fn link_set(m: &Model) -> BTreeSet<(String, String, String)> {
    m.links
        .iter()
        .map(|l| {
            (
                l.kind.label(),
                m.id(l.from).to_string(),
                m.id(l.to).to_string(),
            )
        })
        .collect()
}

fn ids_of(m: &Model, kind: NodeKind) -> BTreeSet<String> {
    m.nodes_of(kind).map(|n| m.id(n).to_string()).collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn the_hand_made_lab_gives_exactly_the_steps_bloodhound_would_follow() {
    let m = import_paths(&lab_files(), Format::Auto).unwrap();
    let d = "S-1-5-21-1";
    let u = |rid: &str| format!("{d}-{rid}");
    assert_eq!(
        ids_of(&m, NodeKind::Account),
        set(&[&u("1101"), &u("1102"), &u("1103")])
    );
    assert_eq!(
        ids_of(&m, NodeKind::Group),
        set(&[&u("512"), &u("1200"), &u("1300")])
    );
    assert_eq!(
        ids_of(&m, NodeKind::System),
        set(&[&u("2001"), &u("2002"), d, "GPO-1"])
    );
    // hasspn makes SVC_SQL a service account; the others are people's accounts.
    let kind_of = |id: &str| m.account_kind[m.node_id(id).unwrap() as usize];
    assert_eq!(kind_of(&u("1102")), AccountKind::Service);
    assert_eq!(kind_of(&u("1101")), AccountKind::Human);
    let step = |k: &str, a: &str, b: &str| (k.to_string(), a.to_string(), b.to_string());
    let expected: BTreeSet<_> = [
        // ACEs: principal → object.
        step("GenericAll", &u("512"), &u("1101")),
        step("ForceChangePassword", &u("1101"), &u("1102")),
        step("ReadLAPSPassword", &u("1101"), &u("2001")),
        step("WriteDACL", &u("1103"), "GPO-1"),
        // HELPDESK holds GetChanges and GetChangesAll on the domain. SVC_SQL holds GetChanges
        // and gets GetChangesAll through REPLICATORS: a step of its own. ALICE (GetChanges) and
        // OLD (HELPDESK as primary group) are in HELPDESK, which has both: MemberOf leads there.
        step("DCSync", &u("1200"), d),
        step("DCSync", &u("1102"), d),
        // Members, local groups (v5 LocalAdmins; v6 RID 555; USERS and IGNOREME are not steps).
        step("MemberOf", &u("1102"), &u("512")),
        step("MemberOf", &u("1102"), &u("1300")),
        step("MemberOf", &u("1101"), &u("1200")),
        step("MemberOf", &u("1103"), &u("1200")),
        step("AdminTo", &u("1200"), &u("2001")),
        step("CanRDP", &u("1103"), &u("2002")),
        // Sessions (the same one in two lists counts once), delegation, SQL admin.
        step("HasSession", &u("2001"), &u("1102")),
        step("HasSession", &u("2002"), &u("1101")),
        step("AllowedToAct", &u("1103"), &u("2001")),
        step("SQLAdmin", &u("1102"), &u("2001")),
        // Containment (ContainedBy and ChildObjects say the same once) and the GPO link.
        step("Contains", d, &u("1101")),
        step("Contains", d, &u("2002")),
        step("GPLink", "GPO-1", d),
    ]
    .into_iter()
    .collect();
    assert_eq!(link_set(&m), expected);
    assert!(m.links.iter().all(|l| l.kind.is_traversable()));
}

#[test]
fn import_names_each_format_and_joins_sharphound_with_opengraph_by_sid() {
    // An OpenGraph collection of the same estate: SVC_SQL's SID is a node there too, with a
    // step into a database only the OpenGraph file knows.
    let og = r#"{"metadata": {"source_kind": "Acme"}, "graph": {"nodes": [
      {"id": "S-1-5-21-1-1102", "kinds": ["User", "Base"], "properties": {"name": "svc_sql"}},
      {"id": "db1", "kinds": ["Acme_Database"], "properties": {"name": "payroll"}}],
      "edges": [{"kind": "Acme_Owns", "start": {"value": "S-1-5-21-1-1102"},
                 "end": {"value": "db1"}, "properties": {"traversable": true}}]}}"#;
    let dir = files(&[("og.json", og)]);
    let zip = dir.path().join("sharphound.zip");
    let texts: Vec<(String, String)> = lab_files()
        .iter()
        .map(|p| {
            (
                format!("run/{}", p.file_name().unwrap().to_str().unwrap()),
                std::fs::read_to_string(p).unwrap(),
            )
        })
        .collect();
    let entries: Vec<(&str, &str)> = texts
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    zip_of(&zip, &entries);
    let out_dir = dir.path().join("model");
    let og_path = dir.path().join("og.json");
    let out = run(&[
        "import",
        zip.to_str().unwrap(),
        og_path.to_str().unwrap(),
        "-o",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("sharphound.zip: SharpHound CE v5+v6: 6 files (10 objects"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("og.json: OpenGraph: 1 document (2 nodes, 1 edges)"),
        "{}",
        out.stdout
    );
    // 10 SharpHound objects and the database: the user is one node.
    assert!(
        out.stdout.contains("3 accounts, 3 groups, 5 systems"),
        "{}",
        out.stdout
    );
    let paths = run(&[
        "paths",
        out_dir.to_str().unwrap(),
        "--from",
        "S-1-5-21-1-1101",
        "--to",
        "db1",
    ]);
    assert_eq!(paths.code, 0, "{}", paths.stderr);
    assert!(
        paths
            .stdout
            .contains("S-1-5-21-1-1101 —ForceChangePassword→ S-1-5-21-1-1102 —Acme_Owns→ db1"),
        "{}",
        paths.stdout
    );
    // Forcing a format (over the model just written, hence --force): SharpHound refuses the OpenGraph file, OpenGraph the SharpHound one.
    let forced = run(&[
        "import",
        "sharphound",
        og_path.to_str().unwrap(),
        "-o",
        out_dir.to_str().unwrap(),
        "--force",
    ]);
    assert_fails_with(
        &forced,
        &["og.json", "OpenGraph document, not a SharpHound file"],
    );
    let forced = run(&[
        "import",
        "opengraph",
        lab_files()[0].to_str().unwrap(),
        "-o",
        out_dir.to_str().unwrap(),
        "--force",
    ]);
    assert_fails_with(&forced, &["lab_computers_v5.json", "graph"]);
}

/// Runs `import` on one file with the given text and returns its failure.
fn import_fails(name: &str, text: &str, expected: &[&str]) {
    let dir = files(&[(name, text)]);
    let out_dir = dir.path().join("out");
    let out = run(&[
        "import",
        dir.path().join(name).to_str().unwrap(),
        "-o",
        out_dir.to_str().unwrap(),
    ]);
    assert_fails_with(&out, expected);
    assert!(!out_dir.exists(), "no partial output");
}

#[test]
fn a_legacy_v4_file_says_which_versions_are_supported() {
    import_fails(
        "v4.json",
        r#"{"data": [], "meta": {"type": "users", "count": 0, "version": 4}}"#,
        &[
            "v4.json",
            "`meta.version`: version 4",
            "not supported",
            "supported versions are 5 and 6",
        ],
    );
}

#[test]
fn an_unknown_version_is_refused() {
    import_fails(
        "v9.json",
        r#"{"data": [], "meta": {"type": "users", "version": 9}}"#,
        &["v9.json", "unknown SharpHound format version 9", "5 and 6"],
    );
    import_fails(
        "vs.json",
        r#"{"data": [], "meta": {"type": "users", "version": "six"}}"#,
        &[
            "vs.json",
            "`meta.version`",
            "not a SharpHound format version",
        ],
    );
}

#[test]
fn a_file_without_its_data_array_or_meta_is_refused() {
    import_fails(
        "nodata.json",
        r#"{"meta": {"type": "groups", "version": 6, "count": 3}}"#,
        &["nodata.json", "`data`", "no `data` array"],
    );
    import_fails(
        "nometa.json",
        r#"{"data": [{"ObjectIdentifier": "S-1-5-21-1-1101"}]}"#,
        &["nometa.json", "`meta`"],
    );
    import_fails(
        "notype.json",
        r#"{"data": [], "meta": {"version": 6}}"#,
        &["notype.json", "`meta.type`"],
    );
    import_fails("array.json", "[1, 2]", &["array.json", "not a JSON object"]);
    import_fails(
        "other.json",
        r#"{"hello": 1}"#,
        &["other.json", "neither an OpenGraph document"],
    );
}

#[test]
fn syntax_and_type_errors_carry_line_and_column() {
    import_fails(
        "cut.json",
        "{\"data\": [\n  {\"ObjectIdentifier\": \"S-1-5-21-1-1101\", \"Aces\": [",
        &["cut.json:2:", "ends too early"],
    );
    // Aces must be an array: the second pass names the place.
    import_fails(
        "aces.json",
        "{\"meta\": {\"type\": \"users\", \"version\": 6},\n \"data\": [{\"ObjectIdentifier\": \"S-1\", \"Aces\": \"none\"}]}",
        &["aces.json:2:", "invalid type"],
    );
    import_fails("empty.json", "", &["empty.json", "empty"]);
}

#[test]
fn an_object_without_an_id_is_named_by_its_json_path() {
    import_fails(
        "noid.json",
        r#"{"data": [{"ObjectIdentifier": "S-1-5-21-1-1101"}, {"Properties": {"name": "X"}}],
            "meta": {"type": "users", "version": 6}}"#,
        &["noid.json", "data[1]", "ObjectIdentifier"],
    );
}

#[test]
fn a_truncated_zip_is_refused_with_its_name() {
    let dir = files(&[]);
    let zip = dir.path().join("collection.zip");
    let texts: Vec<String> = lab_files()
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let entries: Vec<(&str, &str)> = ["a.json", "b.json", "c.json"]
        .iter()
        .zip(&texts)
        .map(|(n, t)| (*n, t.as_str()))
        .collect();
    zip_of(&zip, &entries);
    let bytes = std::fs::read(&zip).unwrap();
    std::fs::write(&zip, &bytes[..bytes.len() / 2]).unwrap();
    let out_dir = dir.path().join("out");
    let out = run(&[
        "import",
        zip.to_str().unwrap(),
        "-o",
        out_dir.to_str().unwrap(),
    ]);
    assert_fails_with(&out, &["collection.zip", "zip"]);
    assert!(!out_dir.exists());
}

#[test]
fn unknown_object_types_are_reported_not_fatal() {
    let text = r#"{"data": [{"ObjectIdentifier": "X-1", "Properties": {"name": "PRINTER"},
        "Aces": [{"PrincipalSID": "S-1-5-21-1-1101", "RightName": "GenericAll"}]}],
        "meta": {"type": "printers", "version": 6}}"#;
    let dir = files(&[("printers.json", text)]);
    let out_dir = dir.path().join("out");
    let mut args = vec!["import".to_string()];
    args.extend(lab_files().iter().map(|p| p.display().to_string()));
    args.push(dir.path().join("printers.json").display().to_string());
    args.extend(["-o".to_string(), out_dir.display().to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("without a BloodHound kind here, imported as systems: printers 1"),
        "{}",
        out.stdout
    );
    assert!(out.stderr.contains("printers (1)"), "{}", out.stderr);
}

// ---- The real mayyhem.com lab -------------------------------------------------------------

/// Every `.json` entry of a zip, parsed (a UTF-8 byte-order mark skipped).
fn zip_json(path: &Path) -> Vec<(String, Value)> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        if !entry.name().ends_with(".json") {
            continue;
        }
        let name = entry.name().to_string();
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        let text = text.trim_start_matches('\u{feff}');
        out.push((name, serde_json::from_str(text).unwrap()));
    }
    out
}

fn sharphound_zip() -> PathBuf {
    let dir = real("sharphound-ce-mayyhem-lab");
    dir.join("upload_1_20260101144303_BloodHound_for_TAKEOVERs-3-and-8.zip")
}

/// BloodHound CE's pathfinding ACL edges (`ad.cue`, PathfindingRelationships ∩
/// ACLRelationships), restated here from BloodHound, not from the importer.
const PATHFINDING_ACES: [&str; 20] = [
    "GenericAll",
    "GenericWrite",
    "WriteDacl",
    "WriteOwner",
    "Owns",
    "OwnsLimitedRights",
    "WriteOwnerLimitedRights",
    "AllExtendedRights",
    "ForceChangePassword",
    "AddMember",
    "AddSelf",
    "ReadLAPSPassword",
    "ReadGMSAPassword",
    "AddKeyCredentialLink",
    "WriteSPN",
    "AddAllowedToAct",
    "WriteAccountRestrictions",
    "WriteGPLink",
    "SyncLAPSPassword",
    "DCSync",
];

fn s(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn arr(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or(&[])
}

/// Object ids by type, steps (kind, from, to), and users with an SPN.
type Expected = (
    BTreeMap<String, BTreeSet<String>>,
    BTreeSet<(String, String, String)>,
    BTreeSet<String>,
);

/// The lab's objects by type, and the steps its raw JSON implies, computed here.
// Long: one independent reading of every SharpHound relation, kept in one place so that it
// can be compared line by line with BloodHound's documentation.
fn expected_lab() -> Expected {
    let mut objects: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut steps = BTreeSet::new();
    let mut spn_users = BTreeSet::new();
    let mut replication: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for (_, doc) in zip_json(&sharphound_zip()) {
        let ty = doc["meta"]["type"].as_str().unwrap().to_string();
        assert_eq!(doc["meta"]["version"], 6);
        for o in arr(&doc["data"]) {
            let id = s(&o["ObjectIdentifier"]).unwrap();
            objects.entry(ty.clone()).or_default().insert(id.clone());
            if ty == "users" && o["Properties"]["hasspn"] == Value::Bool(true) {
                spn_users.insert(id.clone());
            }
            let mut add = |k: &str, a: String, b: String| {
                steps.insert((k.to_string(), a, b));
            };
            for m in arr(&o["Members"]) {
                add("MemberOf", s(&m["ObjectIdentifier"]).unwrap(), id.clone());
            }
            if let Some(g) = s(&o["PrimaryGroupSID"]) {
                add("MemberOf", id.clone(), g);
            }
            if let Some(p) = s(&o["ContainedBy"]["ObjectIdentifier"]) {
                add("Contains", p, id.clone());
            }
            for c in arr(&o["ChildObjects"]) {
                add("Contains", id.clone(), s(&c["ObjectIdentifier"]).unwrap());
            }
            for l in arr(&o["Links"]) {
                add("GPLink", s(&l["GUID"]).unwrap(), id.clone());
            }
            for g in arr(&o["LocalGroups"]) {
                if g["Name"] == "IGNOREME" {
                    continue;
                }
                let gid = s(&g["ObjectIdentifier"]).unwrap();
                let kind = if gid.ends_with("-544") {
                    "AdminTo"
                } else if gid.ends_with("-555") {
                    "CanRDP"
                } else if gid.ends_with("-562") {
                    "ExecuteDCOM"
                } else if gid.ends_with("-580") {
                    "CanPSRemote"
                } else {
                    continue;
                };
                for m in arr(&g["Results"]) {
                    add(kind, s(&m["ObjectIdentifier"]).unwrap(), id.clone());
                }
            }
            for list in ["Sessions", "PrivilegedSessions", "RegistrySessions"] {
                for r in arr(&o[list]["Results"]) {
                    add(
                        "HasSession",
                        s(&r["ComputerSID"]).unwrap(),
                        s(&r["UserSID"]).unwrap(),
                    );
                }
            }
            for t in arr(&o["AllowedToDelegate"]) {
                add(
                    "AllowedToDelegate",
                    id.clone(),
                    s(&t["ObjectIdentifier"]).unwrap(),
                );
            }
            for t in arr(&o["AllowedToAct"]) {
                add(
                    "AllowedToAct",
                    s(&t["ObjectIdentifier"]).unwrap(),
                    id.clone(),
                );
            }
            for t in arr(&o["SPNTargets"]) {
                if t["Service"] == "SQLAdmin" {
                    add("SQLAdmin", id.clone(), s(&t["ComputerSID"]).unwrap());
                }
            }
            for a in arr(&o["Aces"]) {
                let (p, r) = (s(&a["PrincipalSID"]).unwrap(), s(&a["RightName"]).unwrap());
                if PATHFINDING_ACES.contains(&r.as_str()) {
                    let k = if r == "WriteDacl" {
                        "WriteDACL"
                    } else {
                        r.as_str()
                    };
                    add(k, p.clone(), id.clone());
                }
                if ty == "domains" {
                    replication.entry((id.clone(), p)).or_default().insert(r);
                }
            }
        }
    }
    // DCSync: both replication rights, held directly or through groups (transitively); a
    // principal whose one group already holds both gets no step of its own.
    let mut groups_of: HashMap<String, Vec<String>> = HashMap::new();
    for (k, a, b) in &steps {
        if k == "MemberOf" {
            groups_of.entry(a.clone()).or_default().push(b.clone());
        }
    }
    let domains: BTreeSet<String> = replication.keys().map(|(d, _)| d.clone()).collect();
    let mut principals: BTreeSet<String> = groups_of.keys().cloned().collect();
    principals.extend(replication.keys().map(|(_, p)| p.clone()));
    let mut dcsync = Vec::new();
    for p in &principals {
        let mut closure = BTreeSet::from([p.clone()]);
        let mut todo = vec![p.clone()];
        while let Some(x) = todo.pop() {
            for g in groups_of.get(&x).into_iter().flatten() {
                if closure.insert(g.clone()) {
                    todo.push(g.clone());
                }
            }
        }
        for d in &domains {
            let rights = |x: &String| replication.get(&(d.clone(), x.clone()));
            let both = |r: &BTreeSet<&String>| {
                r.iter().any(|x| *x == "GetChanges") && r.iter().any(|x| *x == "GetChangesAll")
            };
            let all: BTreeSet<&String> = closure.iter().filter_map(rights).flatten().collect();
            let via_one_group = closure
                .iter()
                .any(|x| x != p && rights(x).is_some_and(|r| both(&r.iter().collect())));
            if both(&all) && !via_one_group {
                dcsync.push(("DCSync".to_string(), p.clone(), d.clone()));
            }
        }
    }
    steps.extend(dcsync);
    // Steps between collected objects only (others dangle), and none from a node to itself.
    let all: BTreeSet<&String> = objects.values().flatten().collect();
    let steps = steps
        .into_iter()
        .filter(|(_, a, b)| a != b && all.contains(a) && all.contains(b))
        .collect();
    (objects, steps, spn_users)
}

#[test]
#[ignore = "needs ../shared/data/real"]
fn the_mayyhem_sharphound_zip_imports_every_object_and_step_of_its_raw_json() {
    let (objects, steps, spn_users) = expected_lab();
    // SOURCE.md's counts: 358 objects in 13 types, 9 users (2 with SPNs).
    let total: usize = objects.values().map(BTreeSet::len).sum();
    assert_eq!(objects.len(), 13);
    assert_eq!(objects["users"].len(), 9);
    assert_eq!(spn_users.len(), 2);
    let m = import_paths(&[sharphound_zip()], Format::SharpHound).unwrap();
    assert_eq!(m.node_count(), total, "distinct object ids");
    assert_eq!(ids_of(&m, NodeKind::Account), objects["users"]);
    assert_eq!(ids_of(&m, NodeKind::Group), objects["groups"]);
    let systems: BTreeSet<String> = objects
        .iter()
        .filter(|(t, _)| *t != "users" && *t != "groups")
        .flat_map(|(_, ids)| ids.iter().cloned())
        .collect();
    assert_eq!(ids_of(&m, NodeKind::System), systems);
    let service: BTreeSet<String> = m
        .nodes_of(NodeKind::Account)
        .filter(|&n| m.account_kind[n as usize] == AccountKind::Service)
        .map(|n| m.id(n).to_string())
        .collect();
    assert_eq!(service, spn_users);
    let got = link_set(&m);
    assert_eq!(got.len(), m.links.len(), "one link per step");
    let missing: Vec<_> = steps.difference(&got).take(5).collect();
    let extra: Vec<_> = got.difference(&steps).take(5).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}, extra {extra:?}"
    );
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for (k, _, _) in &steps {
        *by_kind.entry(k.as_str()).or_default() += 1;
    }
    eprintln!("{} steps: {by_kind:?}", steps.len());
    // Memberships: 35 listed in groups (SOURCE.md) and 24 primary groups (9 users, 15
    // computers); and the one DCSync principal (BUILTIN\Administrators).
    assert_eq!(by_kind["MemberOf"], 35 + 24);
    assert_eq!(by_kind["DCSync"], 2);
}

/// Ids of the `MSSQL_Database` nodes in the OpenGraph files of the lab.
fn mssql_databases(zips: &[PathBuf]) -> BTreeSet<String> {
    let mut dbs = BTreeSet::new();
    for z in zips {
        for (_, doc) in zip_json(z) {
            for n in arr(&doc["graph"]["nodes"]) {
                if arr(&n["kinds"]).iter().any(|k| k == "MSSQL_Database") {
                    dbs.insert(s(&n["id"]).unwrap());
                }
            }
        }
    }
    dbs
}

/// Nodes reachable from `start` over the model's traversable links (breadth-first, here).
fn reach(m: &Model, start: &str) -> BTreeSet<String> {
    let mut next: HashMap<u32, Vec<u32>> = HashMap::new();
    for l in m.links.iter().filter(|l| l.kind.is_traversable()) {
        next.entry(l.from).or_default().push(l.to);
    }
    let s0 = m.node_id(start).unwrap();
    let mut seen = BTreeSet::from([s0]);
    let mut queue = VecDeque::from([s0]);
    while let Some(n) = queue.pop_front() {
        for &t in next.get(&n).map(Vec::as_slice).unwrap_or(&[]) {
            if seen.insert(t) {
                queue.push_back(t);
            }
        }
    }
    seen.into_iter().map(|n| m.id(n).to_string()).collect()
}

#[test]
#[ignore = "needs ../shared/data/real"]
fn the_joined_mayyhem_lab_is_one_graph_in_which_domain_accounts_reach_the_sql_databases() {
    let mut opengraph: Vec<PathBuf> = Vec::new();
    for folder in ["mssqlhound-opengraph", "configmanbearpig-opengraph"] {
        let dir = real(folder);
        let mut zips: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "zip"))
            .collect();
        zips.sort();
        opengraph.extend(zips);
    }
    let dbs = mssql_databases(&opengraph);
    assert_eq!(dbs.len(), 7, "{dbs:?}");
    let mut inputs = vec![sharphound_zip()];
    inputs.extend(opengraph.iter().cloned());
    let m = import_paths(&inputs, Format::Auto).unwrap();
    // One graph: SharpHound's users are the same nodes the OpenGraph files name (by SID).
    let (objects, _, _) = expected_lab();
    for u in &objects["users"] {
        assert!(m.node_id(u).is_some(), "{u}");
    }
    // Weakly connected: every SharpHound object and every database in one component.
    let mut parent: Vec<u32> = (0..m.node_count() as u32).collect();
    fn find(p: &mut [u32], x: u32) -> u32 {
        let mut r = x;
        while p[r as usize] != r {
            r = p[r as usize];
        }
        p[x as usize] = r;
        r
    }
    for l in &m.links {
        let (a, b) = (find(&mut parent, l.from), find(&mut parent, l.to));
        parent[a as usize] = b;
    }
    let root_of_domain = find(
        &mut parent,
        m.node_id("S-1-5-21-3242052782-1287495003-4091326449")
            .unwrap(),
    );
    for db in &dbs {
        let n = m.node_id(db).unwrap();
        assert_eq!(find(&mut parent, n), root_of_domain, "{db}");
    }
    // Which enabled domain users reach which databases, by this file's own search (by id).
    let mut reached_by: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for u in &objects["users"] {
        let r = reach(&m, u);
        let got: BTreeSet<String> = dbs.intersection(&r).cloned().collect();
        if !got.is_empty() {
            reached_by.insert(u.clone(), got);
        }
    }
    eprintln!("users reaching databases: {reached_by:?}");
    // SCCM_PUSH (…-1121), a plain domain account that is no admin anywhere in the SharpHound
    // data, reaches every SQL database of the lab through AD, SCCM and MSSQL steps.
    let push = "S-1-5-21-3242052782-1287495003-4091326449-1121";
    assert_eq!(reached_by.get(push), Some(&dbs), "{reached_by:?}");
    // MSSQLHound's profile makes the databases stores, so the engine's worst case from that
    // account leaks every one of them.
    for db in &dbs {
        assert_eq!(m.kind(m.node_id(db).unwrap()), NodeKind::Store, "{db}");
    }
    let analysis = blastradius::Analysis::new(m.clone());
    let worst = analysis.worst_case(&[m.node_id(push).unwrap()]);
    let leaked: BTreeSet<String> = worst
        .leaked_stores
        .iter()
        .map(|&n| m.id(n).to_string())
        .collect();
    assert!(dbs.is_subset(&leaked), "{leaked:?}");
    // The join is what gives that path: the OpenGraph files alone lack SharpHound's
    // membership of SCCM_PUSH_ACCOUNTS and its local admin right on PS1-DEV.
    let alone = import_paths(&opengraph, Format::Auto).unwrap();
    assert!(
        alone.node_id(push).is_some(),
        "ConfigManBearPig names SCCM_PUSH too"
    );
    assert!(reach(&alone, push).is_disjoint(&dbs));
}

/// Imports `paths`, saves the model as `import` does, exports it as OpenGraph, imports the
/// export, and checks the two saved models are the same bytes.
fn assert_export_round_trip(paths: &[PathBuf]) {
    use blastradius::interop::opengraph::{self, export};
    use blastradius::output::model_files::save_model;
    let m = import_paths(paths, Format::Auto).unwrap();
    let first = tempfile::tempdir().unwrap();
    save_model(&m, first.path(), false).unwrap();
    let loaded = blastradius::load::load_model(first.path(), "first").unwrap();
    let text = export::render(&loaded.model, None).unwrap();
    let doc = opengraph::read_document(text.as_bytes(), "export.json").unwrap();
    let again = opengraph::import(vec![doc], &Mapping::default()).unwrap();
    let second = tempfile::tempdir().unwrap();
    save_model(&again.model, second.path(), false).unwrap();
    let text_of = |d: &Path| std::fs::read_to_string(d.join("model.toml")).unwrap();
    assert_eq!(text_of(first.path()), text_of(second.path()));
}

#[test]
fn the_hand_made_lab_survives_export_opengraph_and_import() {
    assert_export_round_trip(&lab_files());
}

#[test]
#[ignore = "needs ../shared/data/real"]
fn the_mayyhem_lab_survives_export_opengraph_and_import() {
    assert_export_round_trip(&[sharphound_zip()]);
}
