//! Fides systems and datasets into a model (record sets aside: the overlay's `[fides]` table
//! gives them, since Fides files count no rows).
//!
//! - A system becomes a system, run by a service account of its own (`<key>-service`, admin of
//!   the system, its secret kept on it): Fides names no people or accounts, so the account is
//!   where an attacker who has the system's identity starts.
//! - A dataset becomes a store (id: its key). A system whose privacy declarations reference it
//!   has access to it: admin for a `Database` system (it holds the data), read otherwise.
//! - `egress` on A naming B (or `ingress` on B naming A) is data sent from A to B: B reads what
//!   A's datasets hold, A writes into B's datasets (tampering, not a leak), and A's datasets'
//!   records are copied into B's (a flow, with the entry's categories when it lists some;
//!   left out where it would close a cycle, which the model forbids). A `dataset` end is that
//!   dataset's store; a `user` end is outside the model and counted.

use std::collections::{BTreeMap, BTreeSet};

use super::manifest::{FlowRef, Manifests};
use super::yaml::Place;
use crate::error::{did_you_mean, Diagnostic, Error, Result, Severity};
use crate::model::{Access, AccountKind, Flow, Link, LinkKind, Model, NodeId, NodeKind};

/// What the import made, for its summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FidesSummary {
    pub systems: usize,
    pub datasets: usize,
    pub collections: usize,
    pub fields: usize,
    pub categorised_fields: usize,
    pub categories: usize,
    /// Data movements read (egress and ingress, each pair once).
    pub movements: usize,
    pub access_links: usize,
    pub write_links: usize,
    pub flows: usize,
    /// Flows left out because they would close a cycle.
    pub cyclic_flows: usize,
    /// Egress and ingress entries whose other end is a user (outside the model).
    pub user_ends: usize,
}

/// The account a system runs as.
pub fn service_account(system: &str) -> String {
    format!("{system}-service")
}

/// The model of `m`'s systems and datasets, without record sets.
pub fn import(m: &Manifests) -> Result<(Model, FidesSummary)> {
    let mut problems = Vec::new();
    let mut model = Model::default();
    model.name = "Fides import".into();
    let mut s = FidesSummary {
        systems: m.systems.len(),
        datasets: m.datasets.len(),
        ..FidesSummary::default()
    };
    declare(m, &mut model, &mut s, &mut problems);
    let mut access = BTreeMap::new();
    let holds = holdings(m, &model, &mut access, &mut problems);
    let moves = movements(m, &model, &mut s, &mut problems);
    s.movements = moves.len();
    let flows = movement_links(&model, &holds, &moves, &mut access, &mut s);
    for ((sys, store), level) in access {
        if level == Access::Write {
            s.write_links += 1;
        } else {
            s.access_links += 1;
        }
        model
            .links
            .push(Link::new(sys, store, LinkKind::Access(level)));
    }
    s.flows = flows.len();
    model.flows = flows;
    if !problems.is_empty() {
        return Err(Error::Invalid { problems });
    }
    Ok((model.canonical(), s))
}

/// Stores for the datasets, systems, then each system's service account (admin of it, its
/// secret kept on it).
fn declare(m: &Manifests, model: &mut Model, s: &mut FidesSummary, problems: &mut Vec<Diagnostic>) {
    let mut cats = BTreeSet::new();
    for d in &m.datasets {
        let n = model.add_node(&d.key, NodeKind::Store);
        if let Some(name) = &d.name {
            model.names.insert(n, name.clone());
        }
        s.collections += d.collections.len();
        for c in &d.collections {
            s.fields += c.fields;
            s.categorised_fields += c.categorised;
            cats.extend(c.categories.iter().cloned());
        }
    }
    s.categories = cats.len();
    for sys in &m.systems {
        let n = model.add_node(&sys.key, NodeKind::System);
        if let Some(name) = &sys.name {
            model.names.insert(n, name.clone());
        }
    }
    for sys in &m.systems {
        let n = node(model, &sys.key);
        let account = service_account(&sys.key);
        if model.node_id(&account).is_some() {
            problems.push(sys.at.diagnostic(
                Severity::Error,
                format!(
                    "system `{}`: its service account id `{account}` is already a fides_key",
                    sys.key
                ),
            ));
            continue;
        }
        let a = model.add_node(&account, NodeKind::Account);
        model.account_kind[a as usize] = AccountKind::Service;
        model
            .links
            .push(Link::new(a, n, LinkKind::Grant(Access::Admin)));
        model.links.push(Link::new(n, a, LinkKind::Credential));
    }
}

type AccessMap = BTreeMap<(NodeId, NodeId), Access>;

/// What each system holds (its referenced datasets' stores), with its access to them.
fn holdings(
    m: &Manifests,
    model: &Model,
    access: &mut AccessMap,
    problems: &mut Vec<Diagnostic>,
) -> BTreeMap<NodeId, Vec<NodeId>> {
    let dataset_keys: Vec<&str> = m.datasets.iter().map(|d| d.key.as_str()).collect();
    let mut holds: BTreeMap<NodeId, Vec<NodeId>> = BTreeMap::new();
    for sys in &m.systems {
        let n = node(model, &sys.key);
        let level = if sys.system_type.as_deref() == Some("Database") {
            Access::Admin
        } else {
            Access::Read
        };
        for (d, at) in &sys.datasets {
            match model
                .node_id(d)
                .filter(|&x| model.kind(x) == NodeKind::Store)
            {
                Some(store) => {
                    holds.entry(n).or_default().push(store);
                    raise(access, n, store, level);
                }
                None => problems.push(unknown(at, "dataset", d, &dataset_keys)),
            }
        }
    }
    holds
}

type Movements = BTreeMap<(NodeId, NodeId), Option<Vec<String>>>;

/// Every data movement (sender, receiver) the egress and ingress lists name, once each, with
/// the categories its first entry lists.
fn movements(
    m: &Manifests,
    model: &Model,
    s: &mut FidesSummary,
    problems: &mut Vec<Diagnostic>,
) -> Movements {
    let system_keys: Vec<&str> = m.systems.iter().map(|s| s.key.as_str()).collect();
    let dataset_keys: Vec<&str> = m.datasets.iter().map(|d| d.key.as_str()).collect();
    let mut moves = Movements::new();
    for sys in &m.systems {
        let me = node(model, &sys.key);
        for (list, outward) in [(&sys.egress, true), (&sys.ingress, false)] {
            for r in list {
                let Some(other) = end(model, r, &system_keys, &dataset_keys, problems, s) else {
                    continue;
                };
                let pair = if outward { (me, other) } else { (other, me) };
                moves.entry(pair).or_insert_with(|| r.categories.clone());
            }
        }
    }
    moves
}

/// The links and flows of the movements: the receiver reads what the sender holds, the
/// sender writes into what the receiver holds, and the sender's records flow into the
/// receiver's stores.
fn movement_links(
    model: &Model,
    holds: &BTreeMap<NodeId, Vec<NodeId>>,
    moves: &Movements,
    access: &mut AccessMap,
    s: &mut FidesSummary,
) -> Vec<Flow> {
    let stores_of = |n: NodeId| -> Vec<NodeId> {
        if model.kind(n) == NodeKind::Store {
            vec![n]
        } else {
            holds.get(&n).cloned().unwrap_or_default()
        }
    };
    let mut flows: Vec<Flow> = Vec::new();
    for ((from, to), categories) in moves {
        let (sent, received) = (stores_of(*from), stores_of(*to));
        if model.kind(*to) == NodeKind::System {
            for &st in &sent {
                raise(access, *to, st, Access::Read);
            }
        }
        if model.kind(*from) == NodeKind::System {
            for &st in &received {
                raise(access, *from, st, Access::Write);
            }
        }
        for &a in &sent {
            for &b in &received {
                if a == b || flows.iter().any(|f| f.from == a && f.to == b) {
                    continue;
                }
                if reaches(&flows, b, a) {
                    s.cyclic_flows += 1;
                    continue;
                }
                flows.push(Flow {
                    from: a,
                    to: b,
                    categories: categories.clone(),
                });
            }
        }
    }
    flows
}

fn node(model: &Model, key: &str) -> NodeId {
    model.node_id(key).expect("declared above")
}

/// Keeps the strongest access of a system to a store (admin over read over write).
fn raise(access: &mut AccessMap, sys: NodeId, store: NodeId, a: Access) {
    let rank = |a: Access| match a {
        Access::Write => 0,
        Access::Read => 1,
        Access::Admin => 2,
    };
    let e = access.entry((sys, store)).or_insert(a);
    if rank(a) > rank(*e) {
        *e = a;
    }
}

fn unknown(at: &Place, what: &str, key: &str, known: &[&str]) -> Diagnostic {
    at.diagnostic(
        Severity::Error,
        format!(
            "no {what} has the fides_key `{key}` in these files{}",
            did_you_mean(key, known.iter().copied())
        ),
    )
}

/// The node an egress or ingress entry names; `user` ends are counted and skipped.
fn end(
    model: &Model,
    r: &FlowRef,
    systems: &[&str],
    datasets: &[&str],
    problems: &mut Vec<Diagnostic>,
    s: &mut FidesSummary,
) -> Option<NodeId> {
    let (kind, known) = match r.kind.as_str() {
        "system" => (NodeKind::System, systems),
        "dataset" => (NodeKind::Store, datasets),
        "user" => {
            s.user_ends += 1;
            return None;
        }
        other => {
            problems.push(r.at.diagnostic(
                Severity::Error,
                format!("data flow type `{other}` is not one of system, dataset, user"),
            ));
            return None;
        }
    };
    let found = model.node_id(&r.key).filter(|&n| model.kind(n) == kind);
    if found.is_none() {
        problems.push(unknown(&r.at, &r.kind, &r.key, known));
    }
    found
}

/// Whether flows lead from `a` to `b`.
fn reaches(flows: &[Flow], a: NodeId, b: NodeId) -> bool {
    let mut stack = vec![a];
    let mut seen = BTreeSet::new();
    while let Some(x) = stack.pop() {
        if x == b {
            return true;
        }
        if seen.insert(x) {
            stack.extend(flows.iter().filter(|f| f.from == x).map(|f| f.to));
        }
    }
    false
}
