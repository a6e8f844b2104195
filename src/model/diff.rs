//! What changed between two versions of a model, matched by id ([`changes`]), and one such
//! change made alone on the old version ([`apply_one`]), which `diff` attributes exposure by.
//!
//! Links are matched by (from id, to id, kind) and, when a model repeats such a link, by its
//! occurrence among them; record sets by (store id, category, occurrence); flows by (from id,
//! to id). A node whose id names another kind in the other version is an input error.

use std::collections::BTreeMap;

use super::{Amount, Flow, Link, LinkKind, Mfa, Model, NodeKind, RecordSet};

/// Whether the element was added, removed or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Added,
    Removed,
    Changed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Added => "added",
            Status::Removed => "removed",
            Status::Changed => "changed",
        }
    }
}

/// One elementary change from the old model to the new one.
#[derive(Debug, Clone)]
pub struct ModelChange {
    pub status: Status,
    /// What changed: `node`, `owns`, `member`, `grant`, `credential`, `access`, `edge`, `flow`,
    /// `mfa`, `retention`, `record_set`, `weight`, `population`, `regime`.
    pub element: &'static str,
    pub description: String,
    op: Op,
}

impl ModelChange {
    /// Whether the change can alter any worst-case exposure (populations and notification
    /// regimes only count people; a node added alone has no links).
    pub fn may_change_exposure(&self) -> bool {
        !matches!(
            self.op,
            Op::Population(..) | Op::Regime(..) | Op::AddNode(..)
        )
    }
}

/// The nodes whose attackers a change alone can affect: only a source that reaches one of them
/// in the old model can see its worst case change. `None` when every source may (a weight).
impl ModelChange {
    pub fn anchors(&self, old: &Model) -> Option<Vec<super::NodeId>> {
        let ids: Vec<&str> = match &self.op {
            Op::AddNode(..) | Op::Population(..) | Op::Regime(..) => vec![],
            Op::Weight(..) => return None,
            // The new link starts at `from`: only who reaches `from` can use it.
            Op::AddLink(l) => vec![&l.from.0],
            Op::RemoveLink(f, ..) | Op::SetLink(f, ..) => vec![f],
            Op::RemoveNode(id) => vec![id],
            // MFA sets the default p of the credentials of the account: their holders, whose
            // attackers may not reach the account in the old model when that p was 0.
            Op::Mfa(id, _) => {
                let mut v = vec![id.as_str()];
                if let Some(a) = old.node_id(id) {
                    v.extend(
                        old.links
                            .iter()
                            .filter(|l| l.to == a && l.kind == LinkKind::Credential)
                            .map(|l| old.id(l.from)),
                    );
                }
                v
            }
            Op::Retention(id, _) | Op::AddSet(IdSet { store: id, .. }) => vec![id],
            Op::RemoveSet(id, ..) | Op::SetSet(id, ..) => vec![id],
            Op::AddFlow(_, _, to, ..) | Op::RemoveFlow(_, to) | Op::SetFlow(_, to, _) => vec![to],
        };
        let mut nodes: Vec<super::NodeId> = ids.iter().filter_map(|id| old.node_id(id)).collect();
        // What a store holds flows on to the stores its flows copy into, and so on.
        let mut i = 0;
        while i < nodes.len() {
            let n = nodes[i];
            for f in old.flows.iter().filter(|f| f.from == n) {
                if !nodes.contains(&f.to) {
                    nodes.push(f.to);
                }
            }
            i += 1;
        }
        Some(nodes)
    }
}

/// A link by ids, with what it carries.
#[derive(Debug, Clone)]
struct IdLink {
    from: (String, NodeKind),
    to: (String, NodeKind),
    kind: LinkKind,
    link: Link,
}

#[derive(Debug, Clone)]
struct IdSet {
    store: String,
    set: RecordSet,
}

#[derive(Debug, Clone)]
enum Op {
    AddNode(String, NodeKind),
    /// Detaches the node: its links, flows and record sets go.
    RemoveNode(String),
    AddLink(IdLink),
    /// (from, to, kind, occurrence)
    RemoveLink(String, String, LinkKind, usize),
    SetLink(String, String, LinkKind, usize, Link),
    Mfa(String, Mfa),
    Retention(String, Option<u32>),
    AddSet(IdSet),
    RemoveSet(String, String, usize),
    SetSet(String, String, usize, RecordSet),
    AddFlow(String, NodeKind, String, NodeKind, Option<Vec<String>>),
    RemoveFlow(String, String),
    SetFlow(String, String, Option<Vec<String>>),
    Weight(String, Option<f64>),
    Population(String, Option<u64>),
    Regime(String, Option<Vec<String>>),
}

fn element_of(kind: &LinkKind) -> &'static str {
    match kind {
        LinkKind::Owns => "owns",
        LinkKind::Member => "member",
        LinkKind::Grant(_) => "grant",
        LinkKind::Credential => "credential",
        LinkKind::Access(_) => "access",
        LinkKind::Custom(_) => "edge",
    }
}

/// "grant read a → b", "member a → g", "edge AdminTo a → b".
fn link_words(kind: &LinkKind, f: &str, t: &str) -> String {
    match kind {
        LinkKind::Grant(a) => format!("grant {} {f} → {t}", a.as_str()),
        LinkKind::Access(a) => format!("access {} {f} → {t}", a.as_str()),
        LinkKind::Custom(k) => format!("edge {k} {f} → {t}"),
        k => format!("{} {f} → {t}", element_of(k)),
    }
}

type LinkKey = (String, String, String, usize);

/// Links by (from, to, kind label, occurrence).
fn links_by_key(m: &Model) -> BTreeMap<LinkKey, &Link> {
    let mut seen: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for l in &m.links {
        let k = (
            m.id(l.from).to_string(),
            m.id(l.to).to_string(),
            l.kind.label(),
        );
        let n = seen.entry(k.clone()).or_default();
        out.insert((k.0, k.1, k.2, *n), l);
        *n += 1;
    }
    out
}

type SetKey = (String, String, usize);

fn sets_by_key(m: &Model) -> BTreeMap<SetKey, &RecordSet> {
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for s in &m.record_sets {
        let k = (m.id(s.store).to_string(), s.category.clone());
        let n = seen.entry(k.clone()).or_default();
        out.insert((k.0, k.1, *n), s);
        *n += 1;
    }
    out
}

fn flows_by_key(m: &Model) -> BTreeMap<(String, String), &Flow> {
    m.flows
        .iter()
        .map(|f| ((m.id(f.from).to_string(), m.id(f.to).to_string()), f))
        .collect()
}

fn amount(a: &Amount) -> String {
    match a {
        Amount::Count(n) => format!("{n} records"),
        Amount::PerDay(n) => format!("{n}/day"),
    }
}

fn same_set(a: &RecordSet, b: &RecordSet) -> bool {
    a.amount == b.amount
        && a.retention_days == b.retention_days
        && a.subjects == b.subjects
        && a.coverage == b.coverage
}

fn days(d: Option<u32>) -> String {
    d.map_or("none".into(), |d| format!("{d} days"))
}

/// Every elementary change from `old` to `new`, in a fixed order (nodes, links, MFA,
/// retention, record sets, flows, weights, populations, regimes; ids sorted within each).
/// Fails when an id names nodes of different kinds in the two versions.
// Long: one comparison per kind of element, each a few lines; split, they would share every local.
pub fn changes(old: &Model, new: &Model) -> Result<Vec<ModelChange>, String> {
    let mut out = Vec::new();
    let mut push = |status, element, description: String, op| {
        out.push(ModelChange {
            status,
            element,
            description,
            op,
        })
    };
    let kinds = |m: &Model| -> BTreeMap<String, NodeKind> {
        m.nodes.iter().map(|n| (n.id.to_string(), n.kind)).collect()
    };
    let (ok, nk) = (kinds(old), kinds(new));
    let collisions: Vec<String> = ok
        .iter()
        .filter_map(|(id, k)| match nk.get(id) {
            Some(k2) if k2 != k => Some(format!("`{id}` is {} in OLD and {} in NEW", k, k2)),
            _ => None,
        })
        .collect();
    if !collisions.is_empty() {
        return Err(format!(
            "ids name different kinds of node in the two versions: {}; give each node one kind, or a new id",
            collisions.join("; ")
        ));
    }
    for (id, k) in &nk {
        if !ok.contains_key(id) {
            let d = format!("{k} {id}");
            push(Status::Added, "node", d, Op::AddNode(id.clone(), *k));
        }
    }
    for (id, k) in &ok {
        if !nk.contains_key(id) {
            let d = format!("{k} {id}");
            push(Status::Removed, "node", d, Op::RemoveNode(id.clone()));
        }
    }
    let (ol, nl) = (links_by_key(old), links_by_key(new));
    for (key, l) in &nl {
        let (f, t, _, n) = key;
        let d = link_words(&l.kind, f, t);
        match ol.get(key) {
            None => push(
                Status::Added,
                element_of(&l.kind),
                d,
                Op::AddLink(IdLink {
                    from: (f.clone(), new.kind(l.from)),
                    to: (t.clone(), new.kind(l.to)),
                    kind: l.kind,
                    link: **l,
                }),
            ),
            Some(o) if o.p() != l.p() || o.time() != l.time() => {
                let p = |x: Option<f64>| x.map_or("default".into(), |p| p.to_string());
                push(
                    Status::Changed,
                    element_of(&l.kind),
                    format!("{d}: p {} → {}", p(o.p()), p(l.p())),
                    Op::SetLink(f.clone(), t.clone(), l.kind, *n, **l),
                )
            }
            Some(_) => {}
        }
    }
    for (key, l) in &ol {
        if !nl.contains_key(key) {
            let (f, t, _, n) = key;
            let d = link_words(&l.kind, f, t);
            let op = Op::RemoveLink(f.clone(), t.clone(), l.kind, *n);
            push(Status::Removed, element_of(&l.kind), d, op);
        }
    }
    for (id, k) in &nk {
        let (Some(a), Some(b)) = (old.node_id(id), new.node_id(id)) else {
            continue;
        };
        if *k == NodeKind::Account && old.mfa[a as usize] != new.mfa[b as usize] {
            let (x, y) = (old.mfa[a as usize], new.mfa[b as usize]);
            let d = format!("mfa {id}: {} → {}", x.as_str(), y.as_str());
            push(Status::Changed, "mfa", d, Op::Mfa(id.clone(), y));
        }
        if *k == NodeKind::Store {
            let x = old.store_policy[a as usize].retention_days;
            let y = new.store_policy[b as usize].retention_days;
            if x != y {
                let d = format!("retention {id}: {} → {}", days(x), days(y));
                push(
                    Status::Changed,
                    "retention",
                    d,
                    Op::Retention(id.clone(), y),
                );
            }
        }
    }
    let (os, ns) = (sets_by_key(old), sets_by_key(new));
    for (key, s) in &ns {
        let (store, cat, n) = key;
        match os.get(key) {
            None => push(
                Status::Added,
                "record_set",
                format!("record set {cat} at {store} ({})", amount(&s.amount)),
                Op::AddSet(IdSet {
                    store: store.clone(),
                    set: (*s).clone(),
                }),
            ),
            Some(o) if !same_set(o, s) => {
                let mut what = Vec::new();
                if o.amount != s.amount {
                    what.push(format!("{} → {}", amount(&o.amount), amount(&s.amount)));
                }
                if o.retention_days != s.retention_days {
                    what.push(format!(
                        "retention {} → {}",
                        days(o.retention_days),
                        days(s.retention_days)
                    ));
                }
                if o.coverage != s.coverage {
                    what.push(format!("coverage {} → {}", o.coverage, s.coverage));
                }
                if o.subjects != s.subjects {
                    what.push("subjects".into());
                }
                push(
                    Status::Changed,
                    if o.amount == s.amount && o.coverage == s.coverage && o.subjects == s.subjects
                    {
                        "retention"
                    } else {
                        "record_set"
                    },
                    format!("record set {cat} at {store}: {}", what.join(", ")),
                    Op::SetSet(store.clone(), cat.clone(), *n, (*s).clone()),
                )
            }
            Some(_) => {}
        }
    }
    for (key, s) in &os {
        if !ns.contains_key(key) {
            let (store, cat, n) = key;
            let d = format!("record set {cat} at {store} ({})", amount(&s.amount));
            let op = Op::RemoveSet(store.clone(), cat.clone(), *n);
            push(Status::Removed, "record_set", d, op);
        }
    }
    let (of, nf) = (flows_by_key(old), flows_by_key(new));
    let cats = |c: &Option<Vec<String>>| c.as_ref().map_or("all".into(), |c| c.join(", "));
    for ((f, t), fl) in &nf {
        match of.get(&(f.clone(), t.clone())) {
            None => push(
                Status::Added,
                "flow",
                format!("flow {f} → {t} ({})", cats(&fl.categories)),
                Op::AddFlow(
                    f.clone(),
                    new.kind(fl.from),
                    t.clone(),
                    new.kind(fl.to),
                    fl.categories.clone(),
                ),
            ),
            Some(o) if o.categories != fl.categories => push(
                Status::Changed,
                "flow",
                format!(
                    "flow {f} → {t}: {} → {}",
                    cats(&o.categories),
                    cats(&fl.categories)
                ),
                Op::SetFlow(f.clone(), t.clone(), fl.categories.clone()),
            ),
            Some(_) => {}
        }
    }
    for (f, t) in of.keys() {
        if !nf.contains_key(&(f.clone(), t.clone())) {
            let op = Op::RemoveFlow(f.clone(), t.clone());
            push(Status::Removed, "flow", format!("flow {f} → {t}"), op);
        }
    }
    let ow: BTreeMap<_, _> = old.categories.declared().iter().cloned().collect();
    let nw: BTreeMap<_, _> = new.categories.declared().iter().cloned().collect();
    for name in ow
        .keys()
        .chain(nw.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        let (x, y) = (ow.get(name), nw.get(name));
        if x != y {
            let w = |v: Option<&f64>| v.map_or("none".into(), |v| v.to_string());
            let status = keyed_status(x, y);
            let d = format!("weight {name}: {} → {}", w(x), w(y));
            push(status, "weight", d, Op::Weight(name.clone(), y.copied()));
        }
    }
    for name in keys_of(&old.populations, &new.populations) {
        let (x, y) = (old.populations.get(&name), new.populations.get(&name));
        if x != y {
            let v = |v: Option<&u64>| v.map_or("none".into(), |v| v.to_string());
            let d = format!("population {name}: {} → {}", v(x), v(y));
            let op = Op::Population(name.clone(), y.copied());
            push(keyed_status(x, y), "population", d, op);
        }
    }
    for name in keys_of(&old.notification, &new.notification) {
        let (x, y) = (old.notification.get(&name), new.notification.get(&name));
        if x != y {
            let v = |v: Option<&Vec<String>>| v.map_or("none".into(), |v| v.join(", "));
            let d = format!("regime {name}: {} → {}", v(x), v(y));
            let op = Op::Regime(name.clone(), y.cloned());
            push(keyed_status(x, y), "regime", d, op);
        }
    }
    Ok(out)
}

fn keyed_status<T>(x: Option<T>, y: Option<T>) -> Status {
    match (x, y) {
        (None, _) => Status::Added,
        (_, None) => Status::Removed,
        _ => Status::Changed,
    }
}

fn keys_of<V>(a: &BTreeMap<String, V>, b: &BTreeMap<String, V>) -> Vec<String> {
    let mut k: Vec<String> = a.keys().chain(b.keys()).cloned().collect();
    k.sort();
    k.dedup();
    k
}

/// The node `id` of `m`, added with `kind` when `m` has none.
fn ensure(m: &mut Model, id: &str, kind: NodeKind) -> u32 {
    match m.node_id(id) {
        Some(n) => n,
        None => m.add_node(id, kind),
    }
}

/// The index in `m.links` of the `n`th link from `f` to `t` of `kind`.
fn link_at(m: &Model, f: &str, t: &str, kind: LinkKind, n: usize) -> Option<usize> {
    let (f, t) = (m.node_id(f)?, m.node_id(t)?);
    m.links
        .iter()
        .enumerate()
        .filter(|(_, l)| l.from == f && l.to == t && l.kind == kind)
        .nth(n)
        .map(|(i, _)| i)
}

fn set_at(m: &Model, store: &str, cat: &str, n: usize) -> Option<usize> {
    let s = m.node_id(store)?;
    m.record_sets
        .iter()
        .enumerate()
        .filter(|(_, r)| r.store == s && r.category == cat)
        .nth(n)
        .map(|(i, _)| i)
}

/// `old` with `change` alone made on it (a new model; `old` is untouched).
pub fn apply_one(old: &Model, change: &ModelChange) -> Model {
    let mut m = old.clone();
    match &change.op {
        Op::AddNode(id, k) => {
            ensure(&mut m, id, *k);
        }
        Op::RemoveNode(id) => {
            if let Some(n) = m.node_id(id) {
                m.links.retain(|l| l.from != n && l.to != n);
                m.flows.retain(|f| f.from != n && f.to != n);
                m.record_sets.retain(|s| s.store != n);
            }
        }
        Op::AddLink(l) => {
            let f = ensure(&mut m, &l.from.0, l.from.1);
            let t = ensure(&mut m, &l.to.0, l.to.1);
            let link = Link::new(f, t, l.kind)
                .with_p(l.link.p())
                .with_time(l.link.time())
                .with_last_used_days(l.link.last_used_days());
            m.links.push(link);
        }
        Op::RemoveLink(f, t, k, n) => {
            if let Some(i) = link_at(&m, f, t, *k, *n) {
                m.links.remove(i);
            }
        }
        Op::SetLink(f, t, k, n, l) => {
            if let Some(i) = link_at(&m, f, t, *k, *n) {
                let old_link = m.links[i];
                m.links[i] = Link::new(old_link.from, old_link.to, *k)
                    .with_p(l.p())
                    .with_time(l.time())
                    .with_last_used_days(old_link.last_used_days());
            }
        }
        Op::Mfa(id, mfa) => {
            if let Some(n) = m.node_id(id) {
                m.mfa[n as usize] = *mfa;
            }
        }
        Op::Retention(id, days) => {
            if let Some(n) = m.node_id(id) {
                m.store_policy[n as usize].retention_days = *days;
            }
        }
        Op::AddSet(s) => {
            let store = ensure(&mut m, &s.store, NodeKind::Store);
            m.record_sets.push(RecordSet {
                store,
                ..s.set.clone()
            });
        }
        Op::RemoveSet(store, cat, n) => {
            if let Some(i) = set_at(&m, store, cat, *n) {
                m.record_sets.remove(i);
            }
        }
        Op::SetSet(store, cat, n, s) => {
            if let Some(i) = set_at(&m, store, cat, *n) {
                let at = m.record_sets[i].store;
                m.record_sets[i] = RecordSet {
                    store: at,
                    ..s.clone()
                };
            }
        }
        Op::AddFlow(f, fk, t, tk, cats) => {
            let from = ensure(&mut m, f, *fk);
            let to = ensure(&mut m, t, *tk);
            m.flows.push(Flow {
                from,
                to,
                categories: cats.clone(),
            });
        }
        Op::RemoveFlow(f, t) => {
            if let (Some(a), Some(b)) = (m.node_id(f), m.node_id(t)) {
                m.flows.retain(|x| !(x.from == a && x.to == b));
            }
        }
        Op::SetFlow(f, t, cats) => {
            if let (Some(a), Some(b)) = (m.node_id(f), m.node_id(t)) {
                for x in m.flows.iter_mut().filter(|x| x.from == a && x.to == b) {
                    x.categories = cats.clone();
                }
            }
        }
        Op::Weight(name, w) => {
            let mut weights: Vec<(String, f64)> = m
                .categories
                .declared()
                .iter()
                .filter(|(n, _)| n != name)
                .cloned()
                .collect();
            if let Some(w) = w {
                weights.push((name.clone(), *w));
            }
            m.categories = super::Categories::new(weights);
        }
        Op::Population(name, v) => match v {
            Some(v) => {
                m.populations.insert(name.clone(), *v);
            }
            None => {
                m.populations.remove(name);
            }
        },
        Op::Regime(name, v) => match v {
            Some(v) => {
                m.notification.insert(name.clone(), v.clone());
            }
            None => {
                m.notification.remove(name);
            }
        },
    }
    m
}
