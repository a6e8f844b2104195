//! An overlay's entries, TOML and CSV alike, made into the model's own raw entries: each
//! selector is resolved once per entry, then every node it selects gets the entry a model file
//! would give it (positioned at the selector), checked by the model builder and merged under
//! the overlay's rules ([`Pending`]). `[[store]]` selectors may also select systems, which then
//! become stores ([`retype`]).

use std::ops::Range;

use toml::Spanned;

use super::merge::Pending;
use super::select::{select, select_ids, Selector};
use crate::load::raw::{
    Id, RawAccess, RawEdge, RawFlow, RawGrant, RawMembership, RawStore, RawSystem,
};
use crate::load::side_tables::SideRow;
use crate::load::source::Source;
use crate::model::{LinkKind, Model, NodeId, NodeKind};

use super::super::builder::Builder;

/// Resolves the selectors of `[[store]]` entries (among stores and systems) and turns the
/// systems they select into stores. A system with data access of its own (`access` links to
/// stores) cannot be a store, which has none: that is reported and the system left out.
/// Returns each entry's stores.
pub(super) fn retype<'a, S: Selector + 'a>(
    model: &mut Model,
    src: &mut Source,
    selectors: impl Iterator<Item = &'a S>,
) -> Vec<Vec<NodeId>> {
    let mut all = Vec::new();
    for sel in selectors {
        let mut nodes = select(
            model,
            src,
            sel,
            &[NodeKind::Store, NodeKind::System],
            "store",
        );
        nodes.retain(|&n| {
            if model.kind(n) != NodeKind::System {
                return true;
            }
            // The model is canonical: its links are in order of their source.
            let first = model.links.partition_point(|l| l.from < n);
            let own_access = model.links[first..]
                .iter()
                .take_while(|l| l.from == n)
                .filter(|l| matches!(l.kind, LinkKind::Access(_)))
                .count();
            if own_access > 0 {
                src.error(
                    Some(sel.query().1),
                    format!(
                        "system `{}` has access to {own_access} store(s) of its own, so it cannot become a store; describe the stores it reaches instead",
                        model.id(n)
                    ),
                );
                return false;
            }
            model.set_kind(n, NodeKind::Store);
            true
        });
        all.push(nodes);
    }
    all
}

/// Entries being made into additions of the model.
pub(super) struct Entries<'a> {
    model: &'a Model,
    src: &'a mut Source,
    pub(super) pending: Pending,
}

/// An id positioned at `at`.
fn id_at(model: &Model, n: NodeId, at: &Range<usize>) -> Id {
    Id::new(at.clone(), model.id(n).into())
}

/// Pairs of the ids two selectors selected; a node paired with itself is left out when either
/// side selected more than one node (a glob), and kept (for the builder to report) otherwise.
fn pairs(from: &[Id], to: &[Id]) -> Vec<(Id, Id)> {
    let many = from.len() > 1 || to.len() > 1;
    let mut out = Vec::with_capacity(from.len() * to.len());
    for f in from {
        for t in to {
            if many && f.get_ref() == t.get_ref() {
                continue;
            }
            out.push((f.clone(), t.clone()));
        }
    }
    out
}

impl<'a> Entries<'a> {
    pub(super) fn new(model: &'a Model, src: &'a mut Source) -> Entries<'a> {
        Entries {
            model,
            src,
            pending: Pending::new(),
        }
    }

    /// Checks one model entry with a builder and merges what it adds; conflicts are reported
    /// at `at`.
    fn each(&mut self, at: &Range<usize>, check: impl FnOnce(&mut Builder, &mut Source)) {
        let mut b = Builder::new(self.model);
        check(&mut b, self.src);
        let add = b.out;
        self.pending.merge(self.model, self.src, add, at);
    }

    /// The ids every selector of a list selects, in order.
    fn ids_of<S: Selector>(&mut self, list: &[S], kinds: &[NodeKind], role: &str) -> Vec<Id> {
        list.iter()
            .flat_map(|s| select_ids(self.model, self.src, s, kinds, role))
            .collect()
    }

    /// A `[[store]]` entry or store row, on the stores [`retype`] found for it. A store keeps
    /// its retention unless the entry gives one.
    pub(super) fn store<S: Selector>(&mut self, s: &RawStore<S>, stores: &[NodeId]) {
        let at = s.id.query().1;
        let credentials = self.ids_of(&s.credentials, &[NodeKind::Account], "credential account");
        for &n in stores {
            let retention = s.retention_days.clone().or_else(|| {
                self.pending
                    .retention(self.model, n)
                    .map(|d| Spanned::new(at.clone(), i64::from(d)))
            });
            let entry = RawStore {
                id: id_at(self.model, n, &at),
                retention_days: retention,
                records: s.records.clone(),
                credentials: credentials.clone(),
                name: s.name.clone(),
                description: None,
            };
            self.each(&at, |b, src| b.store(src, &entry));
        }
    }

    /// The access list of a system entry, each store selector resolved.
    fn access_of<S: Selector>(&mut self, access: &[RawAccess<S>]) -> Vec<RawAccess> {
        let mut out = Vec::new();
        for a in access {
            for store in select_ids(self.model, self.src, &a.store, &[NodeKind::Store], "store") {
                out.push(RawAccess {
                    store,
                    access: a.access.clone(),
                    p: a.p.clone(),
                    time: a.time.clone(),
                });
            }
        }
        out
    }

    pub(super) fn system<S: Selector>(&mut self, s: &RawSystem<S>) {
        let at = s.id.query().1;
        let systems = select(self.model, self.src, &s.id, &[NodeKind::System], "system");
        let credentials = self.ids_of(&s.credentials, &[NodeKind::Account], "credential account");
        let access = self.access_of(&s.access);
        for n in systems {
            let entry = RawSystem {
                id: id_at(self.model, n, &at),
                credentials: credentials.clone(),
                access: access
                    .iter()
                    .map(|a| RawAccess {
                        store: a.store.clone(),
                        access: a.access.clone(),
                        p: a.p.clone(),
                        time: a.time.clone(),
                    })
                    .collect(),
                name: s.name.clone(),
                description: None,
            };
            self.each(&at, |b, src| b.system(src, &entry));
        }
    }

    pub(super) fn membership<S: Selector>(&mut self, m: &RawMembership<S>) {
        let at = m.member.query().1;
        let members = self.ids_of(
            std::slice::from_ref(&m.member),
            &[NodeKind::Account, NodeKind::Group],
            "member",
        );
        let groups = self.ids_of(std::slice::from_ref(&m.group), &[NodeKind::Group], "group");
        for (member, group) in pairs(&members, &groups) {
            let entry = RawMembership { member, group };
            self.each(&at, |b, src| b.membership(src, &entry));
        }
    }

    pub(super) fn grant<S: Selector>(&mut self, g: &RawGrant<S>) {
        let at = g.principal.query().1;
        let principals = self.ids_of(
            std::slice::from_ref(&g.principal),
            &[NodeKind::Account, NodeKind::Group],
            "grant principal",
        );
        let targets = self.ids_of(
            std::slice::from_ref(&g.target),
            &[NodeKind::Store, NodeKind::System],
            "grant target",
        );
        for (principal, target) in pairs(&principals, &targets) {
            let entry = RawGrant {
                principal,
                target,
                access: g.access.clone(),
                last_used_days: g.last_used_days.clone(),
                p: g.p.clone(),
                time: g.time.clone(),
            };
            self.each(&at, |b, src| b.grant(src, &entry));
        }
    }

    pub(super) fn edge<S: Selector>(&mut self, e: &RawEdge<S>) {
        let at = e.from.query().1;
        let all = &NodeKind::ALL;
        let from = self.ids_of(std::slice::from_ref(&e.from), all, "edge source");
        let to = self.ids_of(std::slice::from_ref(&e.to), all, "edge target");
        for (from, to) in pairs(&from, &to) {
            let entry = RawEdge {
                from,
                to,
                kind: e.kind.clone(),
                p: e.p.clone(),
                time: e.time.clone(),
            };
            self.each(&at, |b, src| b.edge(src, &entry));
        }
    }

    pub(super) fn flow<S: Selector>(&mut self, f: &RawFlow<S>) {
        let at = f.from.query().1;
        let store = &[NodeKind::Store];
        let from = self.ids_of(std::slice::from_ref(&f.from), store, "flow source");
        let to = self.ids_of(std::slice::from_ref(&f.to), store, "flow target");
        for (from, to) in pairs(&from, &to) {
            let entry = RawFlow {
                from,
                to,
                categories: f.categories.clone(),
            };
            self.each(&at, |b, src| b.flow(src, &entry));
        }
    }

    /// A row of one of the overlay's side files other than a store row (those go through
    /// [`retype`] and [`Entries::store`]).
    pub(super) fn side_row(&mut self, row: &SideRow) {
        match row {
            SideRow::Records(store, r) => {
                let at = store.span();
                for n in select(self.model, self.src, store, &[NodeKind::Store], "store") {
                    let retention = self.pending.retention(self.model, n);
                    self.each(&at, |b, src| b.record_set(src, n, retention, r));
                }
            }
            SideRow::Access(system, a) => {
                let at = system.span();
                let systems = select(self.model, self.src, system, &[NodeKind::System], "system");
                let access = self.access_of(std::slice::from_ref(a));
                for n in systems {
                    for a in &access {
                        self.each(&at, |b, src| b.access(src, n, a));
                    }
                }
            }
            SideRow::System(s) => self.system(s),
            SideRow::Membership(m) => self.membership(m),
            SideRow::Grant(g) => self.grant(g),
            SideRow::Flow(f) => self.flow(f),
            SideRow::Edge(e) => self.edge(e),
            // Store rows are taken apart; people, accounts and groups cannot be in an
            // overlay's side files (refused when they are opened).
            SideRow::Store(_) | SideRow::Person(_) | SideRow::Account(_) | SideRow::Group(_) => {}
        }
    }
}
