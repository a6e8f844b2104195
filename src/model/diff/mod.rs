//! What changed between two versions of a model, matched by id ([`changes`]), and one such
//! change made alone on the old version (`apply.rs`: [`apply_one`] and the change's
//! [`LinkPatch`]), which `diff` attributes exposure by; `settings.rs` compares the model-wide
//! tables and the per-node fields other than links.
//!
//! Links are matched by (from id, to id, kind) and, when a model repeats such a link, by its
//! occurrence among them; record sets by (store id, category, occurrence); flows by (from id,
//! to id). A node whose id names another kind in the other version is an input error. Every
//! field of [`Model`] is compared.

mod apply;
mod pairing;
mod settings;

use std::collections::BTreeMap;

use rayon::prelude::*;

pub use apply::{apply_one, without_links, LinkIndex, LinkPatch};
use pairing::Pairing;

use super::entry::EntryVectors;
use super::money::Money;
use super::{
    AccountKind, Amount, Flow, Link, LinkKind, Mfa, Model, NodeId, NodeKind, Probabilities,
    RecordSet, Times,
};

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
    /// `mfa`, `retention`, `record_set`, `weight`, `population`, `regime`, `probabilities`,
    /// `times`, `program_age`, `account_kind`, `name`, `org_name`, `money`, `entry`.
    pub element: &'static str,
    pub description: String,
    op: Op,
}

impl ModelChange {
    /// Whether the change can alter any worst-case exposure (populations and notification
    /// regimes only count people; a node added alone has no links; times only pace the time
    /// model; account kinds and display names are labels; money prices a loss, it does not
    /// change what leaks).
    pub fn may_change_exposure(&self) -> bool {
        !matches!(
            self.op,
            Op::Population(..)
                | Op::Regime(..)
                | Op::AddNode(..)
                | Op::Times(..)
                | Op::AccountKind(..)
                | Op::Name(..)
                | Op::OrgName(..)
                | Op::Money(..)
                | Op::Entry(..)
        )
    }

    /// Whether the change alters what the stores hold or what their records count for (record
    /// sets, retention, flows, weights, the program's age, a node removed with its sets), so
    /// that exposure must be counted with the changed model's figures.
    pub fn changes_holdings(&self) -> bool {
        matches!(
            self.op,
            Op::RemoveNode(..)
                | Op::Retention(..)
                | Op::AddSet(..)
                | Op::RemoveSet(..)
                | Op::SetSet(..)
                | Op::AddFlow(..)
                | Op::RemoveFlow(..)
                | Op::SetFlow(..)
                | Op::Weight(..)
                | Op::ProgramAge(..)
        )
    }
}

/// The nodes whose attackers a change alone can affect: only a source that reaches one of them
/// in the old model can see its worst case change. `None` when every source may (a weight).
impl ModelChange {
    pub fn anchors(&self, old: &Model) -> Option<Vec<NodeId>> {
        let ids: Vec<&str> = match &self.op {
            Op::AddNode(..)
            | Op::Population(..)
            | Op::Regime(..)
            | Op::Times(..)
            | Op::AccountKind(..)
            | Op::Name(..)
            | Op::OrgName(..)
            | Op::Money(..)
            | Op::Entry(..) => vec![],
            Op::Weight(..) | Op::ProgramAge(..) => return None,
            // Only links whose default p crosses 0 open or close a step.
            Op::Probabilities(p) => return Some(apply::flipped_steps(old, p)),
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
        let mut nodes: Vec<NodeId> = ids.iter().filter_map(|id| old.node_id(id)).collect();
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
    Probabilities(Box<Probabilities>),
    Times(Box<Times>),
    ProgramAge(Option<u32>),
    AccountKind(String, AccountKind),
    Name(String, Option<String>),
    OrgName(String),
    Money(Option<Box<Money>>),
    Entry(Box<EntryVectors>),
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

/// (links of NEW that OLD does not have or has with other figures, with OLD's link when it has
/// one; links of OLD that NEW does not have), each keyed by (from, to, kind label, occurrence)
/// and in that order. Links are matched on NEW's node numbers, sorted, never by their ids'
/// text, so that two versions of a 100k-person model compare in a moment.
type Matched = Vec<(LinkKey, Link, Option<Link>)>;

fn link_matches(old: &Model, new: &Model, old_to_new: &[Option<NodeId>]) -> (Matched, Matched) {
    // OLD's nodes in NEW's numbering; nodes NEW lacks after NEW's.
    let mut spare = new.node_count() as u64;
    let renumber: Vec<u64> = old_to_new
        .iter()
        .map(|n| {
            n.map_or_else(
                || {
                    spare += 1;
                    spare - 1
                },
                u64::from,
            )
        })
        .collect();
    // Links are matched on numbers alone: a kind and its access or label number (interned
    // labels have one number a text in both versions), so the sorts compare no text.
    let kind_key = |k: &LinkKind| -> (u8, u32) {
        match k {
            LinkKind::Owns => (0, 0),
            LinkKind::Member => (1, 0),
            LinkKind::Grant(a) => (2, *a as u32),
            LinkKind::Credential => (3, 0),
            LinkKind::Access(a) => (4, *a as u32),
            LinkKind::Custom(l) => (5, l.number()),
        }
    };
    let key_of = |l: &Link, number: &dyn Fn(NodeId) -> u64| -> Key {
        (number(l.from), number(l.to), kind_key(&l.kind))
    };
    let old_number = |x: NodeId| renumber[x as usize];
    let new_number = |x: NodeId| x as u64;
    let old_key = |l: &Link| key_of(l, &old_number);
    let new_key = |l: &Link| key_of(l, &new_number);
    let (o, n) = rayon::join(
        || KeyOrder::of(&old.links, &old_key),
        || KeyOrder::of(&new.links, &new_key),
    );
    let (mut o, mut n) = (o.walk(&old.links, &old_key), n.walk(&new.links, &new_key));
    let id_key = |m: &Model, l: &Link, occurrence: usize| -> LinkKey {
        (
            m.id(l.from).into(),
            m.id(l.to).into(),
            l.kind.label(),
            occurrence,
        )
    };
    let (mut added, mut removed) = (Vec::new(), Vec::new());
    loop {
        let order = match (o.current, n.current) {
            (None, None) => break,
            (Some(a), Some(b)) => (a.0, a.1).cmp(&(b.0, b.1)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
        };
        match order {
            std::cmp::Ordering::Less => {
                let (_, occurrence, i) = o.current.expect("compared");
                let l = old.links[i as usize];
                removed.push((id_key(old, &l, occurrence), l, None));
                o.advance();
            }
            std::cmp::Ordering::Greater => {
                let (_, occurrence, j) = n.current.expect("compared");
                let l = new.links[j as usize];
                added.push((id_key(new, &l, occurrence), l, None));
                n.advance();
            }
            std::cmp::Ordering::Equal => {
                let ((_, _, i), (_, occurrence, j)) =
                    (o.current.expect("compared"), n.current.expect("compared"));
                let (a, b) = (old.links[i as usize], new.links[j as usize]);
                if a.p() != b.p()
                    || a.time() != b.time()
                    || a.last_used_days() != b.last_used_days()
                {
                    added.push((id_key(new, &b, occurrence), b, Some(a)));
                }
                o.advance();
                n.advance();
            }
        }
    }
    added.sort_unstable_by(|x, y| x.0.cmp(&y.0));
    removed.sort_unstable_by(|x, y| x.0.cmp(&y.0));
    (added, removed)
}

/// A link's matching key: both ends' numbers and its kind (an access level or label number).
type Key = (u64, u64, (u8, u32));

/// The order in which a model's links are matched: their own order when it already follows
/// their keys (a canonical model's does, but for custom labels, sorted by text there and by
/// number here), else link numbers sorted by (key, link). Either way equal keys are in link
/// order, so a link's place among its equals (its occurrence) is the same.
enum KeyOrder {
    AsListed,
    Sorted(Vec<u32>),
}

impl KeyOrder {
    fn of(links: &[Link], key: &(dyn Fn(&Link) -> Key + Sync)) -> KeyOrder {
        if links.par_windows(2).all(|w| key(&w[0]) <= key(&w[1])) {
            return KeyOrder::AsListed;
        }
        let mut v: Vec<(Key, u32)> = links
            .par_iter()
            .enumerate()
            .map(|(i, l)| (key(l), i as u32))
            .collect();
        v.par_sort_unstable();
        KeyOrder::Sorted(v.into_iter().map(|(_, i)| i).collect())
    }

    fn walk<'a>(self, links: &'a [Link], key: &'a dyn Fn(&Link) -> Key) -> KeyWalk<'a> {
        let mut w = KeyWalk {
            links,
            key,
            order: self,
            next: 0,
            current: None,
        };
        w.advance();
        w
    }
}

/// The links in [`KeyOrder`], one at a time: `current` is (key, occurrence, link).
struct KeyWalk<'a> {
    links: &'a [Link],
    key: &'a dyn Fn(&Link) -> Key,
    order: KeyOrder,
    next: usize,
    current: Option<(Key, usize, u32)>,
}

impl KeyWalk<'_> {
    fn advance(&mut self) {
        let link = match &self.order {
            KeyOrder::AsListed => (self.next < self.links.len()).then_some(self.next as u32),
            KeyOrder::Sorted(v) => v.get(self.next).copied(),
        };
        self.next += 1;
        self.current = link.map(|i| {
            let k = (self.key)(&self.links[i as usize]);
            let occurrence = match self.current {
                Some((before, o, _)) if before == k => o + 1,
                _ => 0,
            };
            (k, occurrence, i)
        });
    }
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
    let pairing = Pairing::new(old, new);
    let collisions: Vec<String> = pairing
        .pairs
        .iter()
        .filter_map(|p| match (p.old, p.new) {
            (Some((_, k)), Some((_, k2))) if k2 != k => {
                Some(format!("`{}` is {} in OLD and {} in NEW", p.id, k, k2))
            }
            _ => None,
        })
        .collect();
    if !collisions.is_empty() {
        return Err(format!(
            "ids name different kinds of node in the two versions: {}; give each node one kind, or a new id",
            collisions.join("; ")
        ));
    }
    for p in &pairing.pairs {
        if let (None, Some((_, k))) = (p.old, p.new) {
            let d = format!("{k} {}", p.id);
            push(Status::Added, "node", d, Op::AddNode(p.id.to_string(), k));
        }
    }
    for p in &pairing.pairs {
        if let (Some((_, k)), None) = (p.old, p.new) {
            let d = format!("{k} {}", p.id);
            push(Status::Removed, "node", d, Op::RemoveNode(p.id.to_string()));
        }
    }
    let (added, removed) = link_matches(old, new, &pairing.old_to_new);
    for (key, l, o) in added {
        let (f, t, _, n) = &key;
        let d = link_words(&l.kind, f, t);
        match o {
            None => push(
                Status::Added,
                element_of(&l.kind),
                d,
                Op::AddLink(IdLink {
                    from: (f.clone(), new.kind(l.from)),
                    to: (t.clone(), new.kind(l.to)),
                    kind: l.kind,
                    link: l,
                }),
            ),
            Some(o) => push(
                Status::Changed,
                element_of(&l.kind),
                format!("{d}: {}", link_figures(&o, &l)),
                Op::SetLink(f.clone(), t.clone(), l.kind, *n, l),
            ),
        }
    }
    for (key, l, _) in removed {
        let (f, t, _, n) = key;
        let d = link_words(&l.kind, &f, &t);
        let op = Op::RemoveLink(f, t, l.kind, n);
        push(Status::Removed, element_of(&l.kind), d, op);
    }
    for p in &pairing.pairs {
        let (Some((a, b)), Some((_, k))) = (p.both(), p.new) else {
            continue;
        };
        let id = p.id;
        if k == NodeKind::Account && old.mfa[a as usize] != new.mfa[b as usize] {
            let (x, y) = (old.mfa[a as usize], new.mfa[b as usize]);
            let d = format!("mfa {id}: {} → {}", x.as_str(), y.as_str());
            push(Status::Changed, "mfa", d, Op::Mfa(id.to_string(), y));
        }
        if k == NodeKind::Store {
            let x = old.store_policy[a as usize].retention_days;
            let y = new.store_policy[b as usize].retention_days;
            if x != y {
                let d = format!("retention {id}: {} → {}", days(x), days(y));
                push(
                    Status::Changed,
                    "retention",
                    d,
                    Op::Retention(id.to_string(), y),
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
    settings::changes(old, new, &pairing, &mut push);
    Ok(out)
}

/// What differs between two versions of one link: "p 0.5 → 0.9, last used 30 → 400 days".
fn link_figures(o: &Link, l: &Link) -> String {
    let or_default = |x: Option<f64>| x.map_or("default".into(), |v| v.to_string());
    let mut what = Vec::new();
    if o.p() != l.p() {
        what.push(format!("p {} → {}", or_default(o.p()), or_default(l.p())));
    }
    if o.time() != l.time() {
        what.push(format!(
            "time {} → {}",
            or_default(o.time()),
            or_default(l.time())
        ));
    }
    if o.last_used_days() != l.last_used_days() {
        let d = |x: Option<u32>| x.map_or("unknown".into(), |v| format!("{v} days"));
        what.push(format!(
            "last used {} → {}",
            d(o.last_used_days()),
            d(l.last_used_days())
        ));
    }
    what.join(", ")
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
