//! One change made alone on the old version of a model: as a whole new model ([`apply_one`]),
//! and as what it does to the links of the few nodes it touches ([`ModelChange::link_patch`]),
//! which lets `diff` walk the old attack graph with those nodes' steps replaced instead of
//! building a graph per change.

use super::{ModelChange, Op};
use crate::model::{
    link_p_under, Flow, Link, LinkKind, Mfa, Model, NodeId, NodeKind, Probabilities, RecordSet,
};

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
// Long: one arm per kind of change, each a few lines; a match split in two would hide which
// changes it covers.
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
                    .with_last_used_days(l.last_used_days());
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
            m.categories = crate::model::Categories::new(weights);
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
        Op::Probabilities(p) => m.probabilities = (**p).clone(),
        Op::Times(t) => m.times = (**t).clone(),
        Op::ProgramAge(days) => m.program_age_days = *days,
        Op::AccountKind(id, k) => {
            if let Some(n) = m.node_id(id) {
                m.account_kind[n as usize] = *k;
            }
        }
        Op::Name(id, name) => {
            if let Some(n) = m.node_id(id) {
                match name {
                    Some(name) => m.names.insert(n, name.clone()),
                    None => m.names.remove(&n),
                };
            }
        }
        Op::OrgName(name) => m.name = name.clone(),
        Op::Money(money) => m.money = money.as_deref().cloned(),
        Op::Entry(entry) => m.entry = entry.as_ref().clone(),
    }
    m
}

/// A copy of `m` without its links: all that what the stores hold and what their records count
/// for depend on, for changes that alter those and nothing else.
pub fn without_links(m: &Model) -> Model {
    Model {
        name: m.name.clone(),
        program_age_days: m.program_age_days,
        nodes: m.nodes.clone(),
        kinds: m.kinds.clone(),
        ids: m.ids.clone(),
        few_ids: m.few_ids.clone(),
        sorted: m.sorted,
        mfa: m.mfa.clone(),
        account_kind: m.account_kind.clone(),
        store_policy: m.store_policy.clone(),
        links: Vec::new(),
        record_sets: m.record_sets.clone(),
        flows: m.flows.clone(),
        categories: m.categories.clone(),
        probabilities: m.probabilities.clone(),
        times: m.times.clone(),
        populations: m.populations.clone(),
        notification: m.notification.clone(),
        names: m.names.clone(),
        money: m.money.clone(),
        entry: m.entry.clone(),
    }
}

/// A model's links by the node they leave and by the node they enter (link indices, in link
/// order), made once for every change of a diff.
#[derive(Debug, Clone)]
pub struct LinkIndex {
    leaving: (Vec<u32>, Vec<u32>),
    entering: (Vec<u32>, Vec<u32>),
}

fn group(nodes: usize, ends: impl Iterator<Item = NodeId> + Clone) -> (Vec<u32>, Vec<u32>) {
    let mut offsets = vec![0u32; nodes + 1];
    for n in ends.clone() {
        offsets[n as usize + 1] += 1;
    }
    for i in 0..nodes {
        offsets[i + 1] += offsets[i];
    }
    let mut next = offsets.clone();
    let mut list = vec![0u32; offsets[nodes] as usize];
    for (i, n) in ends.enumerate() {
        list[next[n as usize] as usize] = i as u32;
        next[n as usize] += 1;
    }
    (offsets, list)
}

impl LinkIndex {
    pub fn new(m: &Model) -> LinkIndex {
        LinkIndex {
            leaving: group(m.node_count(), m.links.iter().map(|l| l.from)),
            entering: group(m.node_count(), m.links.iter().map(|l| l.to)),
        }
    }

    fn leaving(&self, n: NodeId) -> &[u32] {
        let (o, l) = &self.leaving;
        &l[o[n as usize] as usize..o[n as usize + 1] as usize]
    }

    fn entering(&self, n: NodeId) -> &[u32] {
        let (o, l) = &self.entering;
        &l[o[n as usize] as usize..o[n as usize + 1] as usize]
    }
}

/// What a change does to the attack steps: the nodes whose leaving steps it alters, each with
/// the nodes its traversable links with p > 0 lead to after the change (sorted, distinct),
/// and the nodes it adds (numbered from the old model's node count on, as [`apply_one`]
/// numbers them). Every other node keeps its steps.
#[derive(Debug, Clone, Default)]
pub struct LinkPatch {
    pub steps: Vec<(NodeId, Vec<NodeId>)>,
    pub added: Vec<NodeKind>,
}

/// The nodes that links whose default p crosses 0 under `p` leave (sorted, distinct): only
/// they gain or lose a step when the `[probabilities]` table is `p` instead.
pub(super) fn flipped_steps(old: &Model, p: &Probabilities) -> Vec<NodeId> {
    let mut out: Vec<NodeId> = old
        .links
        .iter()
        .filter(|l| l.kind.is_traversable() && l.p().is_none())
        .filter(|l| {
            let mfa = old.mfa[l.to as usize];
            (link_p_under(l, &old.probabilities, mfa) > 0.0) != (link_p_under(l, p, mfa) > 0.0)
        })
        .map(|l| l.from)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

impl ModelChange {
    /// What the change alone does to the attack steps of `old` (`links` is its [`LinkIndex`]);
    /// `None` when it changes no link, no link's p and no default p.
    pub fn link_patch(&self, old: &Model, links: &LinkIndex) -> Option<LinkPatch> {
        let mut patch = LinkPatch::default();
        // What the change does to the links of the touched nodes.
        let mut skip = None;
        let mut replace = None;
        let mut extra = None;
        let mut mfa: Option<(NodeId, Mfa)> = None;
        let mut gone = None;
        let mut probabilities = &old.probabilities;
        let touched: Vec<NodeId> = match &self.op {
            Op::AddLink(l) => {
                let mut next = old.node_count() as NodeId;
                let mut node = |id: &str, kind: NodeKind, added: &mut Vec<NodeKind>| {
                    old.node_id(id).unwrap_or_else(|| {
                        added.push(kind);
                        next += 1;
                        next - 1
                    })
                };
                let f = node(&l.from.0, l.from.1, &mut patch.added);
                let t = if l.to.0 == l.from.0 {
                    f
                } else {
                    node(&l.to.0, l.to.1, &mut patch.added)
                };
                extra = Some(Link::new(f, t, l.kind).with_p(l.link.p()));
                vec![f]
            }
            Op::RemoveLink(f, t, k, n) => {
                let i = link_at(old, f, t, *k, *n)?;
                skip = Some(i);
                vec![old.links[i].from]
            }
            Op::SetLink(f, t, k, n, l) => {
                let i = link_at(old, f, t, *k, *n)?;
                let at = old.links[i];
                replace = Some((i, Link::new(at.from, at.to, *k).with_p(l.p())));
                vec![at.from]
            }
            Op::Mfa(id, m) => {
                let a = old.node_id(id)?;
                mfa = Some((a, *m));
                links
                    .entering(a)
                    .iter()
                    .map(|&i| old.links[i as usize].from)
                    .collect()
            }
            Op::RemoveNode(id) => {
                let n = old.node_id(id)?;
                gone = Some(n);
                let mut v: Vec<NodeId> = links
                    .entering(n)
                    .iter()
                    .map(|&i| old.links[i as usize].from)
                    .collect();
                v.push(n);
                v
            }
            Op::Probabilities(p) => {
                probabilities = p;
                flipped_steps(old, p)
            }
            _ => return None,
        };
        let p_of = |l: &Link| {
            let target = match mfa {
                Some((a, m)) if a == l.to => m,
                _ => old.mfa.get(l.to as usize).copied().unwrap_or(Mfa::None),
            };
            link_p_under(l, probabilities, target)
        };
        let step = |l: &Link| l.kind.is_traversable() && p_of(l) > 0.0;
        let mut touched = touched;
        touched.sort_unstable();
        touched.dedup();
        for u in touched {
            let mut to: Vec<NodeId> = Vec::new();
            if (u as usize) < old.node_count() {
                for &i in links.leaving(u) {
                    let i = i as usize;
                    let l = match replace {
                        Some((r, l)) if r == i => l,
                        _ if skip == Some(i) => continue,
                        _ => old.links[i],
                    };
                    if gone.is_some_and(|g| l.from == g || l.to == g) {
                        continue;
                    }
                    if step(&l) {
                        to.push(l.to);
                    }
                }
            }
            if let Some(l) = extra.filter(|l| l.from == u && step(l)) {
                to.push(l.to);
            }
            to.sort_unstable();
            to.dedup();
            patch.steps.push((u, to));
        }
        Some(patch)
    }
}
