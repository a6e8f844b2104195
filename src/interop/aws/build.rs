//! The model of an account: principals, stores, grants, trust steps (privilege escalation is
//! `privesc.rs`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::account::{arn_account, Account, Kind, Trusted};
use super::actions::{kind, StoreName};
use super::policy::{decide, Decision, Effect, Policy, Resource};
use super::resources::{named_store, Listings};
use super::{AwsSummary, ADMINISTRATOR};
use crate::model::{Access, AccountKind, Label, Link, LinkKind, Model, NodeId, NodeKind};

/// The model being built, its node index and what the import noticed.
pub(super) struct Graph<'a> {
    pub account: &'a Account,
    pub model: Model,
    index: HashMap<String, NodeId>,
    /// The node of each principal of the account, in its order.
    pub principal: Vec<NodeId>,
    /// The stores, as (kind key, name, node).
    pub stores: Vec<(&'static str, StoreName, NodeId)>,
    links: BTreeSet<(NodeId, NodeId, String)>,
    pub summary: AwsSummary,
}

impl<'a> Graph<'a> {
    /// The node `id`, made with `kind` (and `name`) on first mention.
    pub fn node(&mut self, id: &str, kind: NodeKind, name: Option<&str>) -> NodeId {
        if let Some(&n) = self.index.get(id) {
            return n;
        }
        let n = self.model.add_node(id, kind);
        if let Some(name) = name.filter(|s| *s != id) {
            self.model.names.insert(n, name.to_string());
        }
        self.index.insert(id.to_string(), n);
        n
    }

    pub fn get(&self, id: &str) -> Option<NodeId> {
        self.index.get(id).copied()
    }

    /// An attack step labelled with the technique (once per pair and label).
    pub fn step(&mut self, from: NodeId, to: NodeId, label: &str) {
        if from != to && self.links.insert((from, to, label.to_string())) {
            self.model
                .links
                .push(Link::new(from, to, LinkKind::Custom(Label::new(label))));
            *self.summary.steps.entry(label.to_string()).or_default() += 1;
        }
    }

    pub fn link(&mut self, from: NodeId, to: NodeId, kind: LinkKind) {
        if self.links.insert((from, to, kind.label())) {
            self.model.links.push(Link::new(from, to, kind));
        }
    }

    /// The principal's node id as shown in messages.
    pub fn id_of(&self, n: NodeId) -> &str {
        &self.model.nodes[n as usize].id
    }

    /// Notes that `what` holds only if a condition does.
    pub fn conditional(&mut self, what: String) {
        self.summary.conditional.push(what);
    }

    /// The node of a role named by ARN: the account's role of that name, else a new role node
    /// (named in a trust policy or a listing but not in the details).
    pub fn role_by_arn(&mut self, arn: &str) -> NodeId {
        let name = arn.rsplit('/').next().unwrap_or(arn);
        if let Some(i) = self.account.find(Kind::Role, name) {
            return self.principal[i];
        }
        let id = format!("role/{name}");
        if self.get(&id).is_none() {
            self.summary.unlisted_principals.push(id.clone());
        }
        let n = self.node(&id, NodeKind::Account, Some(arn));
        self.model.account_kind[n as usize] = AccountKind::Service;
        n
    }
}

/// Principals as nodes: users, roles (service accounts), groups with their members, and
/// instance profiles holding their role's credentials.
pub(super) fn principals(g: &mut Graph) {
    let account = g.account;
    for p in &account.principals {
        let id = format!("{}/{}", p.kind.as_str(), p.name);
        let n = match p.kind {
            Kind::User => g.node(&id, NodeKind::Account, Some(&p.arn)),
            Kind::Group => g.node(&id, NodeKind::Group, Some(&p.arn)),
            Kind::Role => {
                let n = g.node(&id, NodeKind::Account, Some(&p.arn));
                g.model.account_kind[n as usize] = AccountKind::Service;
                n
            }
        };
        g.principal.push(n);
        match p.kind {
            Kind::User => g.summary.users += 1,
            Kind::Group => g.summary.groups += 1,
            Kind::Role => g.summary.roles += 1,
        }
    }
    for (i, p) in account.principals.iter().enumerate() {
        for group in &p.groups {
            let to = g.node(&format!("group/{group}"), NodeKind::Group, None);
            g.link(g.principal[i], to, LinkKind::Member);
            g.summary.memberships += 1;
        }
        for (name, arn) in &p.instance_profiles {
            let ip = g.node(
                &format!("instance-profile/{name}"),
                NodeKind::System,
                Some(arn),
            );
            g.link(ip, g.principal[i], LinkKind::Credential);
            g.summary.instance_profiles += 1;
        }
    }
}

/// Stores: listed ones first, then those only a policy names.
pub(super) fn stores(g: &mut Graph, listings: &Listings) {
    let mut seen: BTreeSet<(&str, String)> = BTreeSet::new();
    let mut add = |g: &mut Graph, key: &'static str, s: StoreName, listed: bool| {
        if !seen.insert((key, s.name.clone())) {
            return;
        }
        let k = kind(key);
        let shown = match k.shapes.keys().next() {
            Some(shape) => k.resource(shape, &s).0,
            None => s.name.clone(),
        };
        let n = g.node(&format!("{key}/{}", s.name), NodeKind::Store, Some(&shown));
        g.stores.push((key, s, n));
        if listed {
            g.summary.stores_listed += 1;
        } else {
            g.summary.stores_named += 1;
        }
    };
    for (key, s) in &listings.stores {
        add(g, key, s.clone(), true);
    }
    let account = g.account;
    let mut named: BTreeMap<(&str, String), StoreName> = BTreeMap::new();
    let all_policies = account
        .principals
        .iter()
        .flat_map(|p| p.inline.iter().map(|(_, pol)| pol))
        .chain(account.managed.values().map(|m| &m.policy));
    for pol in all_policies {
        for s in &pol.statements {
            if s.resources.not {
                continue;
            }
            for r in &s.resources.list {
                if let Some((key, mut store)) = named_store(r) {
                    if store.account.is_empty() {
                        store.account = account.id.clone();
                    }
                    named.entry((key, store.name.clone())).or_insert(store);
                }
            }
        }
    }
    for ((key, _), s) in named {
        add(g, key, s, false);
    }
}

/// The strongest access `policies` allow on store `s` of kind `key`, and whether it rests on
/// a condition: (read-or-admin, write), each `None` when not allowed.
pub(super) fn access(
    policies: &[&Policy],
    key: &str,
    s: &StoreName,
) -> (Option<(Access, bool)>, Option<bool>) {
    let k = kind(key);
    let mut best: Option<(Access, bool)> = None;
    let mut write: Option<bool> = None;
    for (action, shape, class) in &k.actions {
        let (arn, under) = k.resource(shape, s);
        let r = if under {
            Resource::Under(&arn)
        } else {
            Resource::Exact(&arn)
        };
        let Decision::Allowed { conditional } = decide(policies.iter().copied(), action, r) else {
            continue;
        };
        match class {
            Access::Write => write = Some(write.unwrap_or(true) && conditional),
            c => {
                best = match best {
                    Some((b, bc)) if b > *c => Some((b, bc)),
                    Some((b, bc)) if b == *c => Some((b, bc && conditional)),
                    _ => Some((*c, conditional)),
                }
            }
        }
    }
    (best, write)
}

/// Grants of every user, role and group on every store.
pub(super) fn grants(g: &mut Graph) {
    let account = g.account;
    for i in 0..account.principals.len() {
        let policies = if account.principals[i].kind == Kind::Group {
            let p = &account.principals[i];
            p.inline
                .iter()
                .map(|(_, x)| x)
                .chain(
                    p.managed
                        .iter()
                        .filter_map(|a| account.managed.get(a).map(|m| &m.policy)),
                )
                .collect()
        } else {
            account.policies(i)
        };
        let from = g.principal[i];
        for si in 0..g.stores.len() {
            let (key, s, to) = (g.stores[si].0, g.stores[si].1.clone(), g.stores[si].2);
            let (best, write) = access(&policies, key, &s);
            if let Some((a, cond)) = best {
                g.link(from, to, LinkKind::Grant(a));
                g.summary.grants[a as usize] += 1;
                if cond {
                    let what = format!("{} {} on {}", g.id_of(from), a.as_str(), g.id_of(to));
                    g.conditional(what);
                }
            }
            if let Some(cond) = write {
                if best.is_none_or(|(a, _)| a != Access::Admin) {
                    g.link(from, to, LinkKind::Grant(Access::Write));
                    g.summary.grants[Access::Write as usize] += 1;
                    if cond {
                        let what = format!("{} write on {}", g.id_of(from), g.id_of(to));
                        g.conditional(what);
                    }
                }
            }
        }
    }
}

/// Trust policies: who may assume each role, as `sts:AssumeRole` steps.
pub(super) fn trust(g: &mut Graph) {
    let account = g.account;
    for (ri, role) in account.principals.iter().enumerate() {
        if role.kind != Kind::Role {
            continue;
        }
        let to = g.principal[ri];
        let assume = |t: &super::account::Trust| {
            t.actions.list.iter().any(|p| {
                let hit = super::policy::glob(p, "sts:AssumeRole", true)
                    || super::policy::glob(p, "sts:AssumeRoleWithSAML", true)
                    || super::policy::glob(p, "sts:AssumeRoleWithWebIdentity", true);
                hit != t.actions.not
            })
        };
        let denied: BTreeSet<&Trusted> = role
            .trust
            .iter()
            .filter(|t| t.effect == Effect::Deny && !t.conditional && assume(t))
            .flat_map(|t| &t.principals)
            .collect();
        if denied.contains(&Trusted::Anyone) {
            continue;
        }
        for t in role
            .trust
            .iter()
            .filter(|t| t.effect == Effect::Allow && assume(t))
        {
            for who in &t.principals {
                if denied.contains(who) {
                    continue;
                }
                let froms = trusted_nodes(g, who, &role.arn);
                for (from, external) in froms {
                    g.step(from, to, "sts:AssumeRole");
                    if external {
                        let (e, r) = (g.id_of(from).to_string(), g.id_of(to).to_string());
                        g.summary.external.entry(e).or_default().push(r);
                    }
                    if t.conditional {
                        let what = format!(
                            "{} sts:AssumeRole {} (trust condition)",
                            g.id_of(from),
                            g.id_of(to)
                        );
                        g.conditional(what);
                    }
                }
            }
        }
    }
}

/// The nodes a trust principal stands for, each with whether it is an external entry point.
/// A principal of the account named by ARN needs no identity policy; the account itself (its
/// root, or `*`) lets in each principal whose policies allow `sts:AssumeRole` on the role.
fn trusted_nodes(g: &mut Graph, who: &Trusted, role_arn: &str) -> Vec<(NodeId, bool)> {
    let account = g.account;
    let mut out = Vec::new();
    let same_account_allowed = |g: &mut Graph, out: &mut Vec<(NodeId, bool)>| {
        for i in 0..account.principals.len() {
            if account.principals[i].kind == Kind::Group {
                continue;
            }
            let d = decide(
                account.policies(i),
                "sts:AssumeRole",
                Resource::Exact(role_arn),
            );
            if let Decision::Allowed { conditional } = d {
                out.push((g.principal[i], false));
                if conditional {
                    let what = format!(
                        "{} sts:AssumeRole on {role_arn} (policy condition)",
                        g.id_of(g.principal[i])
                    );
                    g.conditional(what);
                }
            }
        }
    };
    match who {
        Trusted::Anyone => {
            let n = g.node(
                "external/anyone",
                NodeKind::System,
                Some("any AWS principal of any account (\"AWS\": \"*\")"),
            );
            out.push((n, true));
            same_account_allowed(g, &mut out);
        }
        Trusted::Service(_) => {}
        Trusted::Federated(provider) => {
            // A SAML or OIDC provider's ARN ends in its name; web identity providers are names.
            let short = provider.rsplit('/').next().unwrap_or(provider);
            let id = format!("external/federated/{short}");
            let n = g.node(&id, NodeKind::System, Some(provider));
            out.push((n, true));
        }
        Trusted::Aws(p) => {
            let acct = if p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()) {
                Some(p.as_str())
            } else {
                arn_account(p)
            };
            let Some(acct) = acct else { return out };
            if acct != account.id {
                let n = g.node(
                    &format!("external/account/{acct}"),
                    NodeKind::System,
                    Some(p),
                );
                out.push((n, true));
                return out;
            }
            let rest = p.splitn(6, ':').nth(5).unwrap_or("");
            if p.len() == 12 || rest == "root" {
                same_account_allowed(g, &mut out);
            } else if let Some(r) = rest.strip_prefix("assumed-role/") {
                let role = r.split('/').next().unwrap_or(r);
                let n = g.role_by_arn(&format!("arn:aws:iam::{acct}:role/{role}"));
                out.push((n, false));
            } else if rest.starts_with("role/") {
                out.push((g.role_by_arn(p), false));
            } else if let Some(u) = rest.strip_prefix("user/") {
                let name = u.rsplit('/').next().unwrap_or(u);
                let n = match account.find(Kind::User, name) {
                    Some(i) => g.principal[i],
                    None => {
                        let id = format!("user/{name}");
                        if g.get(&id).is_none() {
                            g.summary.unlisted_principals.push(id.clone());
                        }
                        g.node(&id, NodeKind::Account, Some(p))
                    }
                };
                out.push((n, false));
            }
        }
    }
    out
}

/// Bucket policies: each Allow statement grants what its actions allow on the bucket to the
/// principals it names (`*` is `external/anyone`, another account `external/account/ID`, a
/// user or role of the account that principal); a principal of the account named by its root
/// is left to its identity policies. Deny statements of a bucket policy are not applied (the
/// worst case); conditions are flagged.
pub(super) fn resource_policies(g: &mut Graph, listings: &Listings) {
    for (bucket, statements) in &listings.bucket_policies {
        let Some(&(_, ref name, store)) =
            g.stores.iter().find(|s| s.0 == "s3" && s.1.name == *bucket)
        else {
            continue;
        };
        let name = name.clone();
        for t in statements.iter().filter(|t| t.effect == Effect::Allow) {
            let one = Policy {
                statements: vec![super::policy::Statement {
                    effect: Effect::Allow,
                    actions: t.actions.clone(),
                    resources: t.resources.clone(),
                    conditional: t.conditional,
                }],
            };
            let (best, write) = access(&[&one], "s3", &name);
            let mut levels: Vec<Access> = best.map(|b| b.0).into_iter().collect();
            if write.is_some() && best.is_none_or(|b| b.0 != Access::Admin) {
                levels.push(Access::Write);
            }
            for who in &t.principals {
                let Some(from) = resource_principal(g, who) else {
                    continue;
                };
                let system = g.model.nodes[from as usize].kind == NodeKind::System;
                for &a in &levels {
                    let kind = if system {
                        LinkKind::Access(a)
                    } else {
                        LinkKind::Grant(a)
                    };
                    g.link(from, store, kind);
                    g.summary.grants[a as usize] += 1;
                    let what = format!("{} {} {}", g.id_of(from), a.as_str(), g.id_of(store));
                    if t.conditional {
                        g.conditional(format!("{what} (bucket policy condition)"));
                    }
                    g.summary.resource_grants.push(what);
                }
            }
        }
    }
}

/// The node a resource policy's principal stands for, if it is not left to IAM.
fn resource_principal(g: &mut Graph, who: &Trusted) -> Option<NodeId> {
    let account = g.account;
    match who {
        Trusted::Anyone => Some(g.node(
            "external/anyone",
            NodeKind::System,
            Some("any AWS principal of any account (\"AWS\": \"*\")"),
        )),
        Trusted::Aws(p) => {
            let acct = if p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()) {
                p.as_str()
            } else {
                arn_account(p)?
            };
            let rest = p.splitn(6, ':').nth(5).unwrap_or("");
            if acct != account.id {
                Some(g.node(
                    &format!("external/account/{acct}"),
                    NodeKind::System,
                    Some(p),
                ))
            } else if rest.starts_with("role/") {
                Some(g.role_by_arn(p))
            } else if let Some(u) = rest.strip_prefix("user/") {
                let name = u.rsplit('/').next().unwrap_or(u);
                account.find(Kind::User, name).map(|i| g.principal[i])
            } else {
                None
            }
        }
        Trusted::Service(_) | Trusted::Federated(_) => None,
    }
}

/// Full control of the account: admin on every store, and every principal.
pub(super) fn administrator(g: &mut Graph) -> NodeId {
    let label = format!("full control of AWS account {}", g.account.id);
    let admin = g.node(ADMINISTRATOR, NodeKind::Group, Some(&label));
    for si in 0..g.stores.len() {
        let to = g.stores[si].2;
        g.link(admin, to, LinkKind::Grant(Access::Admin));
    }
    for i in 0..g.principal.len() {
        if g.account.principals[i].kind != Kind::Group {
            let to = g.principal[i];
            g.step(admin, to, "administrator");
        }
    }
    admin
}

impl<'a> Graph<'a> {
    /// An empty model of `account` named `name`.
    pub fn new(account: &'a Account, name: &str, summary: AwsSummary) -> Graph<'a> {
        let mut model = Model::default();
        model.name = name.to_string();
        // Compute hands its role's keys to whatever runs on it (the instance metadata service,
        // a function's environment): no password, no MFA. The only credentials here are those.
        model.probabilities.credential_none = 1.0;
        Graph {
            account,
            model,
            index: HashMap::new(),
            principal: Vec::new(),
            stores: Vec::new(),
            links: BTreeSet::new(),
            summary,
        }
    }
}
