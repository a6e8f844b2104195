//! AWS IAM import (issue 22): the real dumps of `../shared/data/real/` import; every
//! principal's readable stores equal a small evaluator written here over the raw JSON (its own
//! wildcard matcher, its own walk of users, groups, roles and managed policies, the action
//! table read as plain TOML); the CloudMapper demo's `"AWS": "*"` trust is an external entry
//! point; iam-vulnerable's labelled users reach `administrator` (a breadth-first search written
//! here over the model's links) as their names say; bad input fails with its location.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

use blastradius::interop::aws::{self, AwsImport};
use blastradius::model::{LinkKind, Model, NodeKind};
use serde_json::Value;

use crate::interop::real;
use crate::util::{assert_fails_with, files, run};

fn cloudsplaining(name: &str) -> PathBuf {
    real("aws-iam-cloudsplaining").join(name)
}

fn cloudmapper() -> PathBuf {
    real("cloudmapper-demo-account").join("us-east-1")
}

/// The CloudMapper demo's listings of data stores and compute.
fn cloudmapper_listings() -> Vec<PathBuf> {
    [
        "s3-list-buckets.json",
        "rds-describe-db-instances.json",
        "redshift-describe-clusters.json",
        "secretsmanager-list-secrets.json",
        "es-list-domain-names.json",
        "lambda-list-functions.json",
        "ec2-describe-instances.json",
    ]
    .iter()
    .map(|f| cloudmapper().join(f))
    .collect()
}

fn import(details: &Path, listings: &[PathBuf]) -> AwsImport {
    let names: Vec<String> = listings.iter().map(|p| p.display().to_string()).collect();
    let pairs: Vec<(&Path, &str)> = listings
        .iter()
        .zip(&names)
        .map(|(p, n)| (p.as_path(), n.as_str()))
        .collect();
    aws::import_aws((details, &details.display().to_string()), &pairs).expect("imports")
}

fn raw(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

// ---- the independent evaluator ----

/// IAM's wildcard match, recursively (`*` any run, `?` one character).
fn wild(p: &[u8], t: &[u8], fold: bool) -> bool {
    match (p.first(), t.first()) {
        (None, None) => true,
        (Some(b'*'), _) => wild(&p[1..], t, fold) || (!t.is_empty() && wild(p, &t[1..], fold)),
        (Some(b'?'), Some(_)) => wild(&p[1..], &t[1..], fold),
        (Some(a), Some(b)) if a == b || (fold && a.eq_ignore_ascii_case(b)) => {
            wild(&p[1..], &t[1..], fold)
        }
        _ => false,
    }
}

fn list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether the statements allow `action` on the concrete ARN `arn`: an unconditional Deny
/// that applies wins, else any Allow that applies (conditions are not evaluated).
fn allows(statements: &[&Value], action: &str, arn: &str) -> bool {
    let applies = |s: &Value| {
        let act = match (s.get("Action"), s.get("NotAction")) {
            (Some(a), _) => list(Some(a))
                .iter()
                .any(|p| wild(p.as_bytes(), action.as_bytes(), true)),
            (_, Some(n)) => !list(Some(n))
                .iter()
                .any(|p| wild(p.as_bytes(), action.as_bytes(), true)),
            _ => false,
        };
        let res = match (s.get("Resource"), s.get("NotResource")) {
            (Some(r), _) => list(Some(r))
                .iter()
                .any(|p| wild(p.as_bytes(), arn.as_bytes(), false)),
            (_, Some(n)) => !list(Some(n))
                .iter()
                .any(|p| wild(p.as_bytes(), arn.as_bytes(), false)),
            _ => false,
        };
        act && res
    };
    let effect = |s: &Value, e: &str| s.get("Effect").and_then(Value::as_str) == Some(e);
    if statements
        .iter()
        .any(|s| effect(s, "Deny") && s.get("Condition").is_none() && applies(s))
    {
        return false;
    }
    statements.iter().any(|s| effect(s, "Allow") && applies(s))
}

/// Every statement of every policy a principal holds, from the raw details.
fn statements<'v>(
    details: &'v Value,
    list_key: &str,
    name_key: &str,
    name: &str,
) -> Vec<&'v Value> {
    let managed: BTreeMap<&str, &Value> = details["Policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let doc = p["PolicyVersionList"]
                .as_array()
                .unwrap()
                .iter()
                .find(|v| v["IsDefaultVersion"] == Value::Bool(true))
                .map(|v| &v["Document"])
                .unwrap();
            (p["Arn"].as_str().unwrap(), doc)
        })
        .collect();
    let inline_key = match list_key {
        "UserDetailList" => "UserPolicyList",
        "GroupDetailList" => "GroupPolicyList",
        _ => "RolePolicyList",
    };
    let entry = details[list_key]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e[name_key] == name)
        .unwrap();
    let mut docs: Vec<&Value> = Vec::new();
    let mut holders = vec![(entry, inline_key)];
    for g in entry["GroupList"].as_array().into_iter().flatten() {
        let group = details["GroupDetailList"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["GroupName"] == *g)
            .unwrap();
        holders.push((group, "GroupPolicyList"));
    }
    for (h, key) in holders {
        for p in h[key].as_array().into_iter().flatten() {
            docs.push(&p["PolicyDocument"]);
        }
        for a in h["AttachedManagedPolicies"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if let Some(d) = managed.get(a["PolicyArn"].as_str().unwrap()) {
                docs.push(d);
            }
        }
    }
    docs.iter()
        .flat_map(|d| match &d["Statement"] {
            Value::Array(a) => a.iter().collect::<Vec<_>>(),
            one => vec![one],
        })
        .collect()
}

/// The read and admin actions of each store kind with the ARN each acts on, from the action
/// table read as plain TOML, filled by the test's own facts about each store.
fn read_probes(store_id: &str, arn: &str) -> Vec<(String, String)> {
    let table: toml::Value = toml::from_str(
        &std::fs::read_to_string(crate::util::root().join("src/interop/aws/actions.toml")).unwrap(),
    )
    .unwrap();
    let (kind, name) = store_id.split_once('/').unwrap();
    let parts: Vec<&str> = arn.split(':').collect();
    let (region, account) = (
        parts.get(3).copied().unwrap_or(""),
        parts.get(4).copied().unwrap_or(""),
    );
    let k = &table[kind];
    let mut out = Vec::new();
    for class in ["read", "admin"] {
        for entry in k[class].as_array().unwrap() {
            let (action, shape) = entry.as_str().unwrap().split_once(' ').unwrap();
            let t = k["resources"][shape].as_str().unwrap();
            // A `/*` shape: one object under it stands for all.
            let filled = t
                .replace("{name}", name)
                .replace("{region}", region)
                .replace("{account}", account)
                .replace("{id}", "*")
                .replace("{arn}", arn)
                .replace("/*", "/some-key");
            out.push((action.to_string(), filled));
        }
    }
    out
}

/// The stores a principal can read (read or admin) by the test's evaluation.
fn expected_reads(
    details: &Value,
    model: &Model,
    list_key: &str,
    name_key: &str,
    name: &str,
) -> BTreeSet<String> {
    let st = statements(details, list_key, name_key, name);
    model
        .nodes_of(NodeKind::Store)
        .filter(|&s| {
            let id = model.nodes[s as usize].id.as_str();
            let arn = model.name_of(s).unwrap_or(id);
            read_probes(id, arn).iter().any(|(a, r)| allows(&st, a, r))
        })
        .map(|s| model.nodes[s as usize].id.to_string())
        .collect()
}

/// The stores a node reads in the model: its own read and admin grants and its groups'.
fn model_reads(model: &Model, id: &str) -> BTreeSet<String> {
    let n = model.node_id(id).unwrap();
    let mut holders = vec![n];
    holders.extend(
        model
            .links
            .iter()
            .filter(|l| l.from == n && l.kind == LinkKind::Member)
            .map(|l| l.to),
    );
    model
        .links
        .iter()
        .filter(|l| holders.contains(&l.from))
        .filter(|l| matches!(l.kind, LinkKind::Grant(a) if a.is_traversable()))
        .filter(|l| model.nodes[l.to as usize].kind == NodeKind::Store)
        .map(|l| model.nodes[l.to as usize].id.to_string())
        .collect()
}

fn check_reads(details_path: &Path, listings: &[PathBuf]) -> usize {
    let imported = import(details_path, listings);
    let details = raw(details_path);
    let mut checked = 0;
    for (list_key, name_key, prefix) in [
        ("UserDetailList", "UserName", "user"),
        ("RoleDetailList", "RoleName", "role"),
        ("GroupDetailList", "GroupName", "group"),
    ] {
        for e in details[list_key].as_array().unwrap() {
            let name = e[name_key].as_str().unwrap();
            let id = format!("{prefix}/{name}");
            // A group's grants are its own policies' alone (it has no `GroupList`).
            let want = expected_reads(&details, &imported.model, list_key, name_key, name);
            let got = model_reads(&imported.model, &id);
            assert_eq!(
                got, want,
                "{id}: stores read in the model vs. the test's evaluation"
            );
            checked += 1;
        }
    }
    checked
}

/// Nodes reachable from `id` along traversable links (the test's own search).
fn reach(model: &Model, id: &str) -> BTreeSet<String> {
    let start = model.node_id(id).unwrap();
    let mut seen = BTreeSet::from([start]);
    let mut queue = VecDeque::from([start]);
    while let Some(n) = queue.pop_front() {
        for l in model
            .links
            .iter()
            .filter(|l| l.from == n && l.kind.is_traversable())
        {
            if seen.insert(l.to) {
                queue.push_back(l.to);
            }
        }
    }
    seen.iter()
        .map(|&n| model.nodes[n as usize].id.to_string())
        .collect()
}

#[test]
#[ignore = "needs ../shared/data/real"]
fn both_dumps_import_and_save() {
    for (details, listings) in [
        (cloudsplaining("example.json"), vec![]),
        (cloudsplaining("example-authz-details.json"), vec![]),
        (
            cloudmapper().join("iam-get-account-authorization-details.json"),
            cloudmapper_listings(),
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("m");
        let mut args = vec!["import", "aws", details.to_str().unwrap()];
        args.extend(listings.iter().map(|p| p.to_str().unwrap()));
        args.extend(["-o", out.to_str().unwrap(), "-q"]);
        let o = run(&args);
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert!(o.stdout.contains("Imported AWS account"), "{}", o.stdout);
        let raw = raw(&details);
        let imported = import(&details, &listings);
        let s = &imported.summary;
        assert_eq!(s.users, raw["UserDetailList"].as_array().unwrap().len());
        assert_eq!(s.groups, raw["GroupDetailList"].as_array().unwrap().len());
        assert_eq!(s.roles, raw["RoleDetailList"].as_array().unwrap().len());
        let profiles: usize = raw["RoleDetailList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["InstanceProfileList"].as_array().map_or(0, Vec::len))
            .sum();
        assert_eq!(s.instance_profiles, profiles);
        let members: usize = raw["UserDetailList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["GroupList"].as_array().unwrap().len())
            .sum();
        assert_eq!(s.memberships, members);
    }
}

#[test]
#[ignore = "needs ../shared/data/real"]
fn every_principal_reads_what_an_independent_evaluator_says() {
    let n = check_reads(&cloudsplaining("example.json"), &[])
        + check_reads(&cloudsplaining("example-authz-details.json"), &[])
        + check_reads(
            &cloudmapper().join("iam-get-account-authorization-details.json"),
            &cloudmapper_listings(),
        );
    assert_eq!(n, 127 + 8 + 7);
}

#[test]
#[ignore = "needs ../shared/data/real"]
fn cloudmapper_trust_of_anyone_is_an_external_entry_point() {
    let imported = import(
        &cloudmapper().join("iam-get-account-authorization-details.json"),
        &cloudmapper_listings(),
    );
    assert_eq!(
        imported.summary.external.get("external/anyone"),
        Some(&vec!["role/bad_role".to_string()])
    );
    let m = &imported.model;
    let (from, to) = (
        m.node_id("external/anyone").unwrap(),
        m.node_id("role/bad_role").unwrap(),
    );
    assert!(m.links.iter().any(|l| l.from == from && l.to == to));
    // The bucket policy of `cloudmapper_demo`, read here: `"AWS": "*"` may s3:GetObject its
    // objects, so the bucket is public: anyone reads it without a step.
    let policy_file = cloudmapper().join("s3-get-bucket-policy/cloudmapper_demo");
    let text = raw(&policy_file)["Policy"].as_str().unwrap().to_string();
    let policy: Value = serde_json::from_str(&text).unwrap();
    let public = policy["Statement"].as_array().unwrap().iter().any(|s| {
        s["Effect"] == "Allow"
            && s["Principal"]["AWS"] == "*"
            && list(Some(&s["Action"]))
                .iter()
                .any(|a| wild(a.as_bytes(), b"s3:GetObject", true))
    });
    assert!(public);
    let mut with_policy = cloudmapper_listings();
    with_policy.push(policy_file);
    let m2 = import(
        &cloudmapper().join("iam-get-account-authorization-details.json"),
        &with_policy,
    )
    .model;
    let (anyone, bucket) = (
        m2.node_id("external/anyone").unwrap(),
        m2.node_id("s3/cloudmapper_demo").unwrap(),
    );
    assert!(m2.links.iter().any(|l| l.from == anyone
        && l.to == bucket
        && l.kind == LinkKind::Access(blastradius::model::Access::Read)));
    assert!(!m
        .links
        .iter()
        .any(|l| l.from == from && l.to == m.node_id("s3/cloudmapper_demo").unwrap()));
    // bad_role holds `*` on `*`: from outside the account, every store.
    let stores: BTreeSet<String> = m
        .nodes_of(NodeKind::Store)
        .map(|s| m.nodes[s as usize].id.to_string())
        .collect();
    assert_eq!(stores.len(), 6);
    assert!(stores.is_subset(&reach(m, "external/anyone")));
}

/// iam-vulnerable users the dump does not let escalate, with the reason read in the dump.
const NOT_ESCALATING: &[(&str, &str)] = &[
    (
        "privesc-AssumeRole-start-user",
        "holds no policy; the starting role trusts only an SSO session",
    ),
    (
        "privesc2-SetExistingDefaultPolicyVersion-user",
        "its policy has one version: none to switch to",
    ),
    (
        "privesc9-AttachRolePolicy-user",
        "may change roles but assume none (no sts:AssumeRole)",
    ),
    (
        "privesc12-PutRolePolicy-user",
        "may change roles but assume none (no sts:AssumeRole)",
    ),
];

#[test]
#[ignore = "needs ../shared/data/real"]
fn iam_vulnerable_users_escalate_as_their_names_say() {
    let path = cloudsplaining("example.json");
    let imported = import(&path, &[]);
    let details = raw(&path);
    let mut reached = Vec::new();
    let mut missed = Vec::new();
    for u in details["UserDetailList"].as_array().unwrap() {
        let name = u["UserName"].as_str().unwrap();
        if !(name.starts_with("privesc") || name.starts_with("fn") || name.starts_with("fp")) {
            continue;
        }
        let admin = reach(&imported.model, &format!("user/{name}")).contains(aws::ADMINISTRATOR);
        if admin {
            reached.push(name);
        } else {
            missed.push(name);
        }
    }
    let exceptions: BTreeSet<&str> = NOT_ESCALATING.iter().map(|e| e.0).collect();
    for name in &missed {
        assert!(
            name.starts_with("fp") || exceptions.contains(name),
            "{name} should reach administrator"
        );
    }
    for name in &reached {
        assert!(
            !name.starts_with("fp") || *name == "fp5-nonExploitableConditionConstraint-user",
            "{name} should not reach administrator"
        );
        assert!(
            !exceptions.contains(name),
            "{name} is listed as not escalating"
        );
    }
    // The condition trap: reached, and reported as resting on a condition.
    assert!(reached.contains(&"fp5-nonExploitableConditionConstraint-user"));
    assert!(imported
        .summary
        .conditional
        .iter()
        .any(|c| c.starts_with("user/fp5-nonExploitableConditionConstraint-user")));
    assert_eq!(reached.len() + missed.len(), 41);
    assert_eq!(missed.len(), 4 + NOT_ESCALATING.len());
}

// ---- bad input ----

#[test]
fn bad_input_is_located_and_writes_nothing() {
    let good_statement = r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#;
    let doc = |statement: &str, version: &str| {
        format!(
            r#"{{"UserDetailList":[{{"UserName":"u","Arn":"arn:aws:iam::111122223333:user/u","GroupList":[],"AttachedManagedPolicies":[],
"UserPolicyList":[{{"PolicyName":"p","PolicyDocument":{{"Version":"{version}","Statement":[{statement}]}}}}]}}],
"GroupDetailList":[],"RoleDetailList":[],"Policies":[]}}"#
        )
    };
    let dir = files(&[
        (
            "malformed.json",
            "{\"UserDetailList\": [\n  {\"UserName\": }\n]}",
        ),
        ("version.json", &doc(good_statement, "2012-10-18")),
        (
            "effect.json",
            &doc(r#"{"Action":"s3:GetObject","Resource":"*"}"#, "2012-10-17"),
        ),
        ("good.json", &doc(good_statement, "2012-10-17")),
        (
            "long.json",
            &doc(
                &good_statement.replace("s3:GetObject", &"s".repeat(2000)),
                "2012-10-17",
            ),
        ),
        ("empty.json", ""),
    ]);
    let p = |f: &str| dir.path().join(f).display().to_string();
    let out = dir.path().join("out");
    let o = out.display().to_string();
    for (file, expected) in [
        ("malformed.json", vec!["malformed.json:2:16"]),
        ("version.json", vec!["version.json: UserDetailList[0].UserPolicyList[0].PolicyDocument.Version: unknown policy language version \"2012-10-18\"", "did you mean `2012-10-17`?"]),
        ("effect.json", vec!["effect.json: UserDetailList[0].UserPolicyList[0].PolicyDocument.Statement[0]: a statement without `Effect`"]),
        ("empty.json", vec!["empty.json", "the file is empty"]),
        ("long.json", vec!["long.json: UserDetailList[0].UserPolicyList[0].PolicyDocument.Statement[0].Action: a string of 2000 bytes"]),
    ] {
        let r = run(&["import", "aws", &p(file), "-o", &o]);
        assert_fails_with(&r, &expected);
        assert!(!out.exists(), "{file}: nothing is written");
    }
    // A listing that is not JSON is located the same way.
    let r = run(&[
        "import",
        "aws",
        &p("good.json"),
        &p("malformed.json"),
        "-o",
        &o,
    ]);
    assert_fails_with(&r, &["malformed.json:2:16"]);
    assert!(!out.exists());
    let r = run(&["import", "aws", &p("good.json"), "-o", &o]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn a_small_account_gives_hand_computed_grants_and_steps() {
    // alice reads bucket `data` (GetObject on its objects) but the Deny on `data/secret/*`
    // removes none of it (it covers only some keys); bob may create alice's access keys, so
    // bob reaches `data` through alice; carol's group lets her attach policies to herself
    // (administrator); `ops` trusts account 444455556666 (external) and bob by ARN; `audit`
    // trusts its own account.
    let details = r#"{
 "UserDetailList": [
  {"UserName":"alice","Arn":"arn:aws:iam::111122223333:user/alice","GroupList":[],"AttachedManagedPolicies":[],
   "UserPolicyList":[{"PolicyName":"read","PolicyDocument":{"Version":"2012-10-17","Statement":[
     {"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::data/*"},
     {"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/secret/*"},
     {"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111122223333:role/audit"}]}}]},
  {"UserName":"bob","Arn":"arn:aws:iam::111122223333:user/bob","GroupList":[],"AttachedManagedPolicies":[],
   "UserPolicyList":[{"PolicyName":"keys","PolicyDocument":{"Statement":{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"arn:aws:iam::111122223333:user/alice"}}}]},
  {"UserName":"carol","Arn":"arn:aws:iam::111122223333:user/carol","GroupList":["ops-admins"],"AttachedManagedPolicies":[],"UserPolicyList":[]}
 ],
 "GroupDetailList": [
  {"GroupName":"ops-admins","Arn":"arn:aws:iam::111122223333:group/ops-admins","GroupPolicyList":[],
   "AttachedManagedPolicies":[{"PolicyName":"selfadmin","PolicyArn":"arn:aws:iam::111122223333:policy/selfadmin"}]}
 ],
 "RoleDetailList": [
  {"RoleName":"ops","Arn":"arn:aws:iam::111122223333:role/ops","InstanceProfileList":[],"AttachedManagedPolicies":[],
   "AssumeRolePolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",
     "Principal":{"AWS":["arn:aws:iam::444455556666:root","arn:aws:iam::111122223333:user/bob"]}}]},
   "RolePolicyList":[{"PolicyName":"w","PolicyDocument":{"Statement":[{"Effect":"Allow","Action":["s3:PutObject","dynamodb:Scan"],"Resource":"*"}]}}]},
  {"RoleName":"audit","Arn":"arn:aws:iam::111122223333:role/audit","InstanceProfileList":[],"AttachedManagedPolicies":[],"RolePolicyList":[],
   "AssumeRolePolicyDocument":{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":"arn:aws:iam::111122223333:root"}}]}}
 ],
 "Policies": [
  {"PolicyName":"selfadmin","Arn":"arn:aws:iam::111122223333:policy/selfadmin","PolicyVersionList":[
    {"IsDefaultVersion":true,"Document":{"Statement":[{"Effect":"Allow","Action":"iam:AttachUserPolicy","Resource":"arn:aws:iam::111122223333:user/${aws:username}"},
      {"Effect":"Allow","Action":"iam:AttachGroupPolicy","Resource":"arn:aws:iam::111122223333:group/ops-*"}]}}]}
 ]
}"#;
    let dir = files(&[("auth.json", details)]);
    let imported = import(&dir.path().join("auth.json"), &[]);
    let m = &imported.model;
    let stores: Vec<&str> = m
        .nodes_of(NodeKind::Store)
        .map(|s| m.nodes[s as usize].id.as_str())
        .collect();
    assert_eq!(stores, ["s3/data"]);
    assert_eq!(
        model_reads(m, "user/alice"),
        BTreeSet::from(["s3/data".to_string()])
    );
    assert!(model_reads(m, "user/bob").is_empty());
    assert!(reach(m, "user/bob").contains("s3/data"));
    assert!(reach(m, "user/bob").contains("role/ops"));
    // carol: AttachGroupPolicy on her group `ops-admins` matches `group/ops-*`.
    assert_eq!(
        imported.summary.administrators,
        ["group/ops-admins", "user/carol"]
    );
    assert_eq!(
        imported
            .summary
            .external
            .get("external/account/444455556666"),
        Some(&vec!["role/ops".to_string()])
    );
    // `audit` trusts the account: only principals whose own policies allow sts:AssumeRole on
    // it (alice; carol as administrator) step to it.
    let step = |from: &str, to: &str| {
        let (f, t) = (m.node_id(from).unwrap(), m.node_id(to).unwrap());
        m.links.iter().any(|l| l.from == f && l.to == t)
    };
    assert!(step("user/alice", "role/audit"));
    assert!(!step("user/bob", "role/audit"));
    assert!(step("user/bob", "role/ops") && step("external/account/444455556666", "role/ops"));
    // ops writes `data` (PutObject) but reads nothing: a write grant, not traversable.
    assert!(model_reads(m, "role/ops").is_empty());
    assert_eq!(imported.summary.grants, [1, 1, 0]);
}
