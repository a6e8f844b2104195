//! What an overlay adds, gathered apart from the model and checked against it: an overlay may
//! add to a model and may repeat what the model (or an earlier entry or overlay) already says,
//! but may not change it. A link, record set, flow, retention or name given again with the same
//! figures is a no-op, so applying an overlay twice gives the model it gave once; given with
//! other figures it is an error at the entry that gives it.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use crate::load::source::Source;
use crate::model::{Amount, Flow, Link, LinkKind, Model, NodeId, RecordSet};

use super::super::builder::Additions;

/// The additions of an overlay so far, each indexed by what identifies it.
pub(super) struct Pending {
    links: Vec<Link>,
    link_at: HashMap<(NodeId, NodeId, LinkKind), usize>,
    record_sets: Vec<RecordSet>,
    set_at: HashMap<(NodeId, String, Option<String>), usize>,
    flows: Vec<Flow>,
    flow_at: HashMap<(NodeId, NodeId), usize>,
    retention: BTreeMap<NodeId, u32>,
    names: BTreeMap<NodeId, String>,
}

/// A link's figures, as messages write them.
fn link_figures(l: &Link) -> String {
    let mut parts = Vec::new();
    if let Some(p) = l.p() {
        parts.push(format!("p {p}"));
    }
    if let Some(t) = l.time() {
        parts.push(format!("time {t}"));
    }
    if let Some(d) = l.last_used_days() {
        parts.push(format!("last used {d} days ago"));
    }
    if parts.is_empty() {
        "the defaults".into()
    } else {
        parts.join(", ")
    }
}

fn same_link(a: &Link, b: &Link) -> bool {
    a.p() == b.p() && a.time() == b.time() && a.last_used_days() == b.last_used_days()
}

/// A record set's figures, as messages write them.
fn set_figures(r: &RecordSet) -> String {
    let mut s = match r.amount {
        Amount::Count(c) => format!("count {c}"),
        Amount::PerDay(d) => format!("per_day {d}"),
    };
    if let Some(d) = r.retention_days {
        s.push_str(&format!(", retention_days {d}"));
    }
    if r.subjects.is_some() {
        s.push_str(&format!(", coverage {}", r.coverage));
    }
    s
}

fn same_set(a: &RecordSet, b: &RecordSet) -> bool {
    a.amount == b.amount && a.retention_days == b.retention_days && a.coverage == b.coverage
}

/// What the conflict messages end with.
pub(super) const RULE: &str = "an overlay may add to a model or repeat what it says, not change it";

impl Pending {
    pub(super) fn new() -> Pending {
        Pending {
            links: Vec::new(),
            link_at: HashMap::new(),
            record_sets: Vec::new(),
            set_at: HashMap::new(),
            flows: Vec::new(),
            flow_at: HashMap::new(),
            retention: BTreeMap::new(),
            names: BTreeMap::new(),
        }
    }

    /// The link of the model or of this overlay from `from` to `to` of `kind`.
    fn link<'a>(&'a self, model: &'a Model, key: &(NodeId, NodeId, LinkKind)) -> Option<&'a Link> {
        if let Some(&i) = self.link_at.get(key) {
            return Some(&self.links[i]);
        }
        // The model is canonical: its links are in order of their source.
        let first = model.links.partition_point(|l| l.from < key.0);
        model.links[first..]
            .iter()
            .take_while(|l| l.from == key.0)
            .find(|l| l.to == key.1 && l.kind == key.2)
    }

    fn record_set<'a>(
        &'a self,
        model: &'a Model,
        key: &(NodeId, String, Option<String>),
    ) -> Option<&'a RecordSet> {
        if let Some(&i) = self.set_at.get(key) {
            return Some(&self.record_sets[i]);
        }
        let first = model.record_sets.partition_point(|r| r.store < key.0);
        model.record_sets[first..]
            .iter()
            .take_while(|r| r.store == key.0)
            .find(|r| r.category == key.1 && r.subjects == key.2)
    }

    fn flow<'a>(&'a self, model: &'a Model, key: (NodeId, NodeId)) -> Option<&'a Flow> {
        if let Some(&i) = self.flow_at.get(&key) {
            return Some(&self.flows[i]);
        }
        // The model is canonical: its flows are in order of their ends.
        let first = model.flows.partition_point(|f| (f.from, f.to) < key);
        model.flows[first..]
            .iter()
            .take_while(|f| (f.from, f.to) == key)
            .next()
    }

    /// The retention of store `n`, as the model and this overlay so far have it.
    pub(super) fn retention(&self, model: &Model, n: NodeId) -> Option<u32> {
        self.retention
            .get(&n)
            .copied()
            .or(model.store_policy[n as usize].retention_days)
    }

    /// Adds what one entry of the overlay gives, each part checked against the model and the
    /// overlay so far; a conflict is reported at `at`, the entry's selector.
    pub(super) fn merge(
        &mut self,
        model: &Model,
        src: &mut Source,
        add: Additions,
        at: &Range<usize>,
    ) {
        let Additions {
            links,
            flows,
            record_sets,
            retention,
            names,
            ..
        } = add;
        for l in links {
            self.add_link(model, src, l, at);
        }
        for r in record_sets {
            self.add_set(model, src, r, at);
        }
        for f in flows {
            self.add_flow(model, src, f, at);
        }
        for (n, days) in retention {
            let Some(days) = days else { continue };
            match self.retention(model, n) {
                Some(old) if old != days => src.error(
                    Some(at.clone()),
                    format!(
                        "store `{}` already keeps its records {old} days (retention_days), not {days}; {RULE}",
                        model.id(n)
                    ),
                ),
                _ => {
                    self.retention.insert(n, days);
                }
            }
        }
        for (n, name) in names {
            let old = self.names.get(&n).map(String::as_str).or(model.name_of(n));
            match old {
                Some(old) if old != name => src.error(
                    Some(at.clone()),
                    format!(
                        "`{}` is already named `{old}`, not `{name}`; {RULE}",
                        model.id(n)
                    ),
                ),
                _ => {
                    self.names.insert(n, name);
                }
            }
        }
    }

    fn add_link(&mut self, model: &Model, src: &mut Source, l: Link, at: &Range<usize>) {
        let key = (l.from, l.to, l.kind);
        match self.link(model, &key) {
            Some(old) if same_link(old, &l) => {}
            Some(old) => {
                let what = match l.kind {
                    LinkKind::Grant(a) => format!("{} grant", a.as_str()),
                    LinkKind::Access(a) => format!("{} access", a.as_str()),
                    LinkKind::Custom(label) => format!("`{}` edge", label.as_str()),
                    LinkKind::Member => "membership".into(),
                    LinkKind::Credential => "credential".into(),
                    LinkKind::Owns => "ownership".into(),
                };
                src.error(
                    Some(at.clone()),
                    format!(
                        "the {what} from `{}` to `{}` is already in the model with {}, not {}; {RULE}",
                        model.id(l.from),
                        model.id(l.to),
                        link_figures(old),
                        link_figures(&l)
                    ),
                );
            }
            None => {
                self.link_at.insert(key, self.links.len());
                self.links.push(l);
            }
        }
    }

    fn add_set(&mut self, model: &Model, src: &mut Source, r: RecordSet, at: &Range<usize>) {
        let key = (r.store, r.category.clone(), r.subjects.clone());
        match self.record_set(model, &key) {
            Some(old) if same_set(old, &r) => {}
            Some(old) => src.error(
                Some(at.clone()),
                format!(
                    "store `{}` already holds `{}` records with {}, not {}; {RULE}",
                    model.id(r.store),
                    r.category,
                    set_figures(old),
                    set_figures(&r)
                ),
            ),
            None => {
                self.set_at.insert(key, self.record_sets.len());
                self.record_sets.push(r);
            }
        }
    }

    fn add_flow(&mut self, model: &Model, src: &mut Source, f: Flow, at: &Range<usize>) {
        let key = (f.from, f.to);
        match self.flow(model, key) {
            Some(old) if old.categories == f.categories => {}
            Some(old) => {
                let cats = |c: &Option<Vec<String>>| {
                    c.as_ref()
                        .map_or("every category".to_string(), |c| c.join(", "))
                };
                src.error(
                    Some(at.clone()),
                    format!(
                        "the flow from `{}` to `{}` already copies {}, not {}; {RULE}",
                        model.id(f.from),
                        model.id(f.to),
                        cats(&old.categories),
                        cats(&f.categories)
                    ),
                );
            }
            None => {
                self.flow_at.insert(key, self.flows.len());
                self.flows.push(f);
            }
        }
    }

    /// Puts the additions into the model (which is then no longer canonical).
    pub(super) fn add_to(self, model: &mut Model) {
        model.links.extend(self.links);
        model.record_sets.extend(self.record_sets);
        model.flows.extend(self.flows);
        for (n, days) in self.retention {
            model.store_policy[n as usize].retention_days = Some(days);
        }
        model.names.extend(self.names);
    }
}
