//! `aws iam get-account-authorization-details` output as read: users, groups, roles with
//! their instance profiles and trust policies, and the managed policies in force (each
//! policy's default version). Every problem names the file and the JSON path.

use std::collections::BTreeMap;

use serde_json::Value;

use super::json::{array, string, Located, Path};
use super::policy::{self, Effect, Patterns, Policy};

/// Users, groups and roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    User,
    Group,
    Role,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Group => "group",
            Kind::Role => "role",
        }
    }
}

/// Who a trust statement names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Trusted {
    /// `"AWS": "*"` (or `"Principal": "*"`): any AWS principal of any account.
    Anyone,
    /// An AWS principal: an account id, an account root, a user, role or session ARN.
    Aws(String),
    Service(String),
    Federated(String),
}

/// One statement of a role's trust policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Trust {
    pub effect: Effect,
    pub actions: Patterns,
    pub principals: Vec<Trusted>,
    pub conditional: bool,
    /// `Resource`/`NotResource` (resource policies; a trust policy has none: `*`).
    pub resources: Patterns,
}

/// A user, group or role.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub kind: Kind,
    pub name: String,
    pub arn: String,
    /// Inline policies, as (name, policy).
    pub inline: Vec<(String, Policy)>,
    /// Attached managed policies' ARNs.
    pub managed: Vec<String>,
    /// A user's groups (names).
    pub groups: Vec<String>,
    /// A role's trust policy.
    pub trust: Vec<Trust>,
    /// A role's instance profiles, as (name, ARN).
    pub instance_profiles: Vec<(String, String)>,
}

/// A managed policy: its default version, and how many versions it has.
#[derive(Debug, Clone, PartialEq)]
pub struct Managed {
    pub name: String,
    pub policy: Policy,
    pub versions: usize,
}

impl Managed {
    /// AWS-managed policies (`arn:aws:iam::aws:policy/…`) cannot be changed by anyone in the
    /// account.
    pub fn is_aws(arn: &str) -> bool {
        arn.starts_with("arn:aws:iam::aws:policy/")
    }
}

/// One account's authorization details.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Account {
    /// The account id most ARNs name.
    pub id: String,
    pub principals: Vec<Principal>,
    pub managed: BTreeMap<String, Managed>,
}

impl Account {
    pub fn find(&self, kind: Kind, name: &str) -> Option<usize> {
        self.principals
            .iter()
            .position(|p| p.kind == kind && p.name == name)
    }

    /// Every policy a principal holds: its own (inline and attached) and, for a user, its
    /// groups'. Attached policies missing from `Policies` grant nothing.
    pub fn policies(&self, i: usize) -> Vec<&Policy> {
        let p = &self.principals[i];
        let mut out: Vec<&Policy> = Vec::new();
        let mut holders = vec![p];
        for g in &p.groups {
            if let Some(gi) = self.find(Kind::Group, g) {
                holders.push(&self.principals[gi]);
            }
        }
        for h in holders {
            out.extend(h.inline.iter().map(|(_, pol)| pol));
            out.extend(
                h.managed
                    .iter()
                    .filter_map(|a| self.managed.get(a).map(|m| &m.policy)),
            );
        }
        out
    }

    /// The customer-managed policies attached to a principal or (for a user) its groups.
    pub fn changeable_policies(&self, i: usize) -> Vec<&str> {
        let p = &self.principals[i];
        let mut out: Vec<&str> = p.managed.iter().map(String::as_str).collect();
        for g in &p.groups {
            if let Some(gi) = self.find(Kind::Group, g) {
                out.extend(self.principals[gi].managed.iter().map(String::as_str));
            }
        }
        out.retain(|a| !Managed::is_aws(a));
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The account id of an ARN (`arn:aws:iam::123456789012:role/x` → `123456789012`).
pub fn arn_account(arn: &str) -> Option<&str> {
    let id = arn.split(':').nth(4)?;
    (id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())).then_some(id)
}

fn inline(v: &Value, key: &str, path: &Path, file: &str) -> Result<Vec<(String, Policy)>, Located> {
    let mut out = Vec::new();
    for (i, item) in array(v, key, path, file)?.iter().enumerate() {
        let path = path.key(key).index(i);
        let name = string(item, "PolicyName", &path, file)?;
        let doc = item
            .get("PolicyDocument")
            .ok_or_else(|| Located::new(file, &path, "`PolicyDocument` is missing".into()))?;
        let doc = decoded(doc, &path.key("PolicyDocument"), file)?;
        out.push((
            name.to_string(),
            policy::read_policy(&doc, &path.key("PolicyDocument"), file)?,
        ));
    }
    Ok(out)
}

/// A policy document, URL-encoded JSON text (as the raw API returns it) or already decoded.
fn decoded(doc: &Value, path: &Path, file: &str) -> Result<Value, Located> {
    match doc {
        Value::String(s) => {
            let text = url_decode(s);
            serde_json::from_str(&text)
                .map_err(|e| Located::new(file, path, format!("the policy text is not JSON: {e}")))
        }
        other => Ok(other.clone()),
    }
}

fn url_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn managed(v: &Value, path: &Path, file: &str) -> Result<Vec<String>, Located> {
    array(v, "AttachedManagedPolicies", path, file)?
        .iter()
        .enumerate()
        .map(|(i, a)| {
            string(
                a,
                "PolicyArn",
                &path.key("AttachedManagedPolicies").index(i),
                file,
            )
            .map(str::to_string)
        })
        .collect()
}

fn trust(v: &Value, path: &Path, file: &str) -> Result<Vec<Trust>, Located> {
    let Some(doc) = v.get("AssumeRolePolicyDocument") else {
        return Ok(Vec::new());
    };
    let path = path.key("AssumeRolePolicyDocument");
    principal_statements(doc, &path, file)
}

/// The statements of a policy with a `Principal`: a role's trust policy or a resource policy
/// (a bucket policy), given as a document or as its (URL-encoded) JSON text.
pub fn principal_statements(doc: &Value, path: &Path, file: &str) -> Result<Vec<Trust>, Located> {
    let doc = decoded(doc, path, file)?;
    let mut out = Vec::new();
    for (path, s) in policy::statements(&doc, path, file)? {
        let effect = policy::effect(s, &path, file)?;
        let resources = policy::either(s, "Resource", &path, file)?.unwrap_or(Patterns {
            not: false,
            list: vec!["*".into()],
        });
        let actions = policy::either(s, "Action", &path, file)?.unwrap_or(Patterns {
            not: false,
            list: vec!["sts:AssumeRole".into()],
        });
        let mut principals = Vec::new();
        match s.get("Principal") {
            Some(Value::String(star)) if star == "*" => principals.push(Trusted::Anyone),
            Some(Value::Object(map)) => {
                for (key, value) in map {
                    let names = policy::strings(value, &path.key("Principal").key(key), file)?;
                    for n in names {
                        principals.push(match key.as_str() {
                            "AWS" if n == "*" => Trusted::Anyone,
                            "AWS" => Trusted::Aws(n),
                            "Service" => Trusted::Service(n),
                            "Federated" => Trusted::Federated(n),
                            _ => Trusted::Federated(format!("{key}:{n}")),
                        });
                    }
                }
            }
            // NotPrincipal and odd shapes name no one we can follow.
            _ => {}
        }
        out.push(Trust {
            effect,
            actions,
            principals,
            conditional: s
                .get("Condition")
                .is_some_and(|c| c.as_object().is_some_and(|m| !m.is_empty())),
            resources,
        });
    }
    Ok(out)
}

/// Reads an authorization-details document.
pub fn read_account(v: &Value, file: &str) -> Result<Account, Located> {
    let root = Path::root();
    if !v.is_object()
        || ![
            "UserDetailList",
            "GroupDetailList",
            "RoleDetailList",
            "Policies",
        ]
        .iter()
        .any(|k| v.get(k).is_some())
    {
        return Err(Located::new(
            file,
            &root,
            "not `aws iam get-account-authorization-details` output: no UserDetailList, GroupDetailList, RoleDetailList or Policies".into(),
        ));
    }
    let mut account = Account::default();
    for (key, kind, name_key, inline_key) in [
        ("UserDetailList", Kind::User, "UserName", "UserPolicyList"),
        (
            "GroupDetailList",
            Kind::Group,
            "GroupName",
            "GroupPolicyList",
        ),
        ("RoleDetailList", Kind::Role, "RoleName", "RolePolicyList"),
    ] {
        for (i, item) in array(v, key, &root, file)?.iter().enumerate() {
            let path = root.key(key).index(i);
            let groups = array(item, "GroupList", &path, file)?
                .iter()
                .enumerate()
                .map(|(j, g)| {
                    if let Some(name) = g.as_str() {
                        super::json::name_ok(name, &path.key("GroupList").index(j), file)?;
                    }
                    g.as_str().map(str::to_string).ok_or_else(|| {
                        Located::new(
                            file,
                            &path.key("GroupList").index(j),
                            "expected a group name".into(),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let mut profiles = Vec::new();
            for (j, ip) in array(item, "InstanceProfileList", &path, file)?
                .iter()
                .enumerate()
            {
                let p = path.key("InstanceProfileList").index(j);
                profiles.push((
                    string(ip, "InstanceProfileName", &p, file)?.to_string(),
                    string(ip, "Arn", &p, file)?.to_string(),
                ));
            }
            account.principals.push(Principal {
                kind,
                name: string(item, name_key, &path, file)?.to_string(),
                arn: string(item, "Arn", &path, file)?.to_string(),
                inline: inline(item, inline_key, &path, file)?,
                managed: managed(item, &path, file)?,
                groups,
                trust: if kind == Kind::Role {
                    trust(item, &path, file)?
                } else {
                    Vec::new()
                },
                instance_profiles: profiles,
            });
        }
    }
    for (i, item) in array(v, "Policies", &root, file)?.iter().enumerate() {
        let path = root.key("Policies").index(i);
        let arn = string(item, "Arn", &path, file)?;
        let name = string(item, "PolicyName", &path, file)?;
        let versions = array(item, "PolicyVersionList", &path, file)?;
        let mut default = None;
        for (j, ver) in versions.iter().enumerate() {
            if ver.get("IsDefaultVersion").and_then(Value::as_bool) == Some(true) {
                let p = path.key("PolicyVersionList").index(j).key("Document");
                let doc = ver
                    .get("Document")
                    .ok_or_else(|| Located::new(file, &p, "`Document` is missing".into()))?;
                let doc = decoded(doc, &p, file)?;
                default = Some(policy::read_policy(&doc, &p, file)?);
            }
        }
        let policy = default.ok_or_else(|| {
            Located::new(
                file,
                &path.key("PolicyVersionList"),
                "no version has `IsDefaultVersion: true`".into(),
            )
        })?;
        account.managed.insert(
            arn.to_string(),
            Managed {
                name: name.to_string(),
                policy,
                versions: versions.len(),
            },
        );
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &account.principals {
        if let Some(id) = arn_account(&p.arn) {
            *counts.entry(id).or_default() += 1;
        }
    }
    account.id = counts
        .iter()
        .max_by_key(|(id, n)| (**n, std::cmp::Reverse(**id)))
        .map(|(id, _)| id.to_string())
        .unwrap_or_default();
    Ok(account)
}
