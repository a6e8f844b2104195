//! The checks of each entry: a [`Builder`] takes raw entries one at a time, TOML entries and
//! side-file rows alike, resolves their references against the declared nodes and gathers what
//! they add to the model.

use toml::Spanned;

use crate::error::did_you_mean;
use crate::load::csv_files::PieceSize;
use crate::load::input::{text_too_long, MAX_NAME_BYTES};
use crate::load::raw::{
    Id, RawAccess, RawAccount, RawEdge, RawFlow, RawGrant, RawGroup, RawMembership, RawPerson,
    RawRecordSet, RawStore, RawSystem, Text,
};
use crate::load::side_tables::SideRow;
use crate::load::source::Report;
use crate::model::{
    Access, AccountKind, Amount, Flow, Link, LinkKind, Mfa, Model, NodeId, NodeKind, RecordSet,
};

use super::scalars::{days, duration, non_negative, parse_access, probability, span};
use super::MAX_RECORDS;

fn plain_link(from: NodeId, to: NodeId, kind: LinkKind) -> Link {
    Link::new(from, to, kind)
}

/// What entries add to the model besides its nodes. It is gathered apart from the model so that
/// rows of a side file can be checked in parallel against the (then read-only) node table and
/// added in file order afterwards.
#[derive(Default)]
pub(super) struct Additions {
    pub(super) links: Vec<Link>,
    pub(super) flows: Vec<Flow>,
    pub(super) record_sets: Vec<RecordSet>,
    /// Kind and MFA of each account entry.
    pub(super) accounts: Vec<(NodeId, AccountKind, Mfa)>,
    /// Retention of each store entry.
    pub(super) retention: Vec<(NodeId, Option<u32>)>,
    /// Display names of entries that give one.
    pub(super) names: Vec<(NodeId, String)>,
}

impl Additions {
    /// Adds `more` after these, leaving its lists empty with their room.
    pub(super) fn append(&mut self, more: &mut Additions) {
        self.links.append(&mut more.links);
        self.flows.append(&mut more.flows);
        self.record_sets.append(&mut more.record_sets);
        self.accounts.append(&mut more.accounts);
        self.retention.append(&mut more.retention);
        self.names.append(&mut more.names);
    }

    /// Room for what `rows` rows of side table `table` add besides links.
    pub(super) fn reserve_rows(&mut self, table: &str, rows: usize) {
        match table {
            "records" => self.record_sets.reserve(rows),
            "flow" => self.flows.reserve(rows),
            "account" => self.accounts.reserve(rows),
            "store" => self.retention.reserve(rows),
            _ => {}
        }
    }

    pub(super) fn add_to(self, model: &mut Model) {
        if model.links.is_empty() && self.links.capacity() > model.links.capacity() {
            // Keeps the room made for them, instead of copying them into the model's. (The
            // model's own room, made for every link of a large model, is kept in its turn: the
            // few links of a model file's entries are copied into it.)
            model.links = self.links;
        } else {
            model.links.extend(self.links);
        }
        model.flows.extend(self.flows);
        model.record_sets.extend(self.record_sets);
        for (n, kind, mfa) in self.accounts {
            model.account_kind[n as usize] = kind;
            model.mfa[n as usize] = mfa;
        }
        for (n, days) in self.retention {
            model.store_policy[n as usize].retention_days = days;
        }
        model.names.extend(self.names);
    }
}

/// Checks raw entries, one at a time, against the declared nodes: TOML entries and side-file
/// rows go through the same checks. Problems go to the [`Report`] each check is given.
pub(super) struct Builder<'m> {
    model: &'m Model,
    pub(super) out: Additions,
    /// The node after the last one looked up, for rows' own ids and for references: files are
    /// often in id order, like the nodes, so the next id asked for is often this one, found
    /// without a probe of the index.
    next: [usize; ROLES],
    /// Whether the last lookup in each role found the node [`Builder::next`] predicted. Only
    /// then is the prediction tried: where it fails (an account's groups, in no order) reading
    /// the predicted node is a cache miss of its own before the index is asked.
    predicts: [bool; ROLES],
}

/// Which of [`Builder::next`] a lookup predicts from: rows' own ids, references, and grants'
/// principals (a grants file in principal order names each principal on several rows in a
/// row, so the node found last is asked for again: eight in ten at a million people).
const OWN_ID: usize = 0;
const REFERENCE: usize = 1;
const PRINCIPAL: usize = 2;
const ROLES: usize = 3;

impl<'m> Builder<'m> {
    pub(super) fn new(model: &'m Model) -> Builder<'m> {
        Builder {
            model,
            out: Additions::default(),
            next: [0; ROLES],
            predicts: [true; ROLES],
        }
    }

    /// Keeps the display name of node `n`, when it has one other than its id; a name or
    /// description over [`crate::load::input::MAX_TEXT_BYTES`] is an error at its position.
    fn name(
        &mut self,
        src: &mut impl Report,
        n: NodeId,
        name: &Option<Spanned<Text>>,
        description: &Option<Spanned<Text>>,
    ) {
        let mut fits = true;
        for (field, text) in [("name", name), ("description", description)] {
            let Some(text) = text else { continue };
            let model = self.model;
            let what = || {
                format!(
                    "the {field} of {} `{}`",
                    model.kind(n).as_str(),
                    model.id(n)
                )
            };
            if let Some(e) = text_too_long(&what(), text.get_ref()) {
                src.error(span(text), e);
                fits = false;
            }
        }
        if let (Some(name), true) = (name, fits) {
            let name = name.get_ref();
            if !name.is_empty() && name != self.model.id(n) {
                self.out.names.push((n, name.to_string()));
            }
        }
    }

    /// The node named `id` (a row's own id or a reference, `role`, to a node expected to be
    /// of `kinds`): the one after the last found in that role when that is it (tried while
    /// such guesses hit), else from the index.
    fn node_id(&mut self, id: &str, role: usize, kinds: &[NodeKind]) -> Option<NodeId> {
        let next = self.next[role];
        let guessed = match self.model.nodes.get(next) {
            Some(n) if self.predicts[role] && n.id == id => Some(next as NodeId),
            _ => None,
        };
        // The last node found in this role, asked for again (its id is in the cache).
        let again = || {
            let last = next.checked_sub(1)?;
            (role == PRINCIPAL && self.model.nodes[last].id == id).then_some(last as NodeId)
        };
        let found = guessed
            .or_else(again)
            .or_else(|| self.model.node_id_of(id, kinds));
        if let Some(n) = found {
            self.predicts[role] = n as usize == next;
            self.next[role] = n as usize + 1;
        }
        found
    }

    /// A builder for a piece of a side file of `table`, with room for what its rows add; its
    /// links go to `links` (an empty list whose room is used again).
    pub(super) fn with_room(
        model: &'m Model,
        table: &str,
        size: PieceSize,
        links: Vec<Link>,
    ) -> Builder<'m> {
        let mut b = Builder::new(model);
        b.out.links = links;
        if !matches!(table, "records" | "flow") {
            b.out.links.reserve(size.items);
        }
        b.out.reserve_rows(table, size.rows);
        b
    }

    /// The node `id` names, when it is one of `kinds`; otherwise reports it (with the nearest
    /// known id of those kinds when it names no node).
    fn resolve(
        &mut self,
        src: &mut impl Report,
        id: &Id,
        kinds: &[NodeKind],
        role: &str,
    ) -> Option<NodeId> {
        self.resolve_as(src, id, kinds, role, REFERENCE)
    }

    /// [`Builder::resolve`], predicting from the lookups of `slot` (one of [`Builder::next`]).
    fn resolve_as(
        &mut self,
        src: &mut impl Report,
        id: &Id,
        kinds: &[NodeKind],
        role: &str,
        slot: usize,
    ) -> Option<NodeId> {
        let wanted = id.get_ref().as_str();
        let found = self.node_id(wanted, slot, kinds);
        if let Some(n) = found {
            if kinds.contains(&self.model.kind(n)) {
                return Some(n);
            }
        }
        let expected = kinds
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(" or ");
        match found {
            Some(n) => {
                src.error(
                    span(id),
                    format!(
                        "{role} `{wanted}` is {}, but it must be a {expected}",
                        self.model.kind(n).with_article()
                    ),
                );
                None
            }
            None => {
                let message = format!("unknown {expected} `{wanted}`");
                src.unknown_id(span(id), message, wanted, kinds);
                None
            }
        }
    }

    pub(super) fn person(&mut self, src: &mut impl Report, p: &RawPerson) {
        let Some(from) = self.node_id(p.id.get_ref(), OWN_ID, &[NodeKind::Person]) else {
            return;
        };
        self.name(src, from, &p.name, &p.description);
        for a in &p.accounts {
            if let Some(to) = self.resolve(src, a, &[NodeKind::Account], "account") {
                self.out.links.push(plain_link(from, to, LinkKind::Owns));
            }
        }
    }

    pub(super) fn account(&mut self, src: &mut impl Report, a: &RawAccount) {
        let Some(from) = self.node_id(a.id.get_ref(), OWN_ID, &[NodeKind::Account]) else {
            return;
        };
        self.name(src, from, &a.name, &a.description);
        let kind = match &a.kind {
            None => AccountKind::Human,
            Some(k) => match k.get_ref().as_str() {
                "human" => AccountKind::Human,
                "service" => AccountKind::Service,
                other => {
                    src.error(
                        span(k),
                        format!(
                            "unknown account kind `{other}` for `{}`; expected human or service{}",
                            a.id.get_ref(),
                            did_you_mean(other, ["human", "service"])
                        ),
                    );
                    AccountKind::Human
                }
            },
        };
        let mfa = match &a.mfa {
            None => Mfa::None,
            Some(m) => Mfa::parse(m.get_ref()).unwrap_or_else(|| {
                src.error(
                    span(m),
                    format!(
                        "unknown mfa `{}` for `{}`; expected none, otp or phishing_resistant{}",
                        m.get_ref(),
                        a.id.get_ref(),
                        did_you_mean(m.get_ref(), Mfa::NAMES)
                    ),
                );
                Mfa::None
            }),
        };
        self.out.accounts.push((from, kind, mfa));
        for g in &a.groups {
            if let Some(to) = self.resolve(src, g, &[NodeKind::Group], "group") {
                self.out.links.push(plain_link(from, to, LinkKind::Member));
            }
        }
    }

    pub(super) fn group(&mut self, src: &mut impl Report, g: &RawGroup) {
        let Some(from) = self.node_id(g.id.get_ref(), OWN_ID, &[NodeKind::Group]) else {
            return;
        };
        self.name(src, from, &g.name, &g.description);
        for parent in &g.groups {
            if let Some(to) = self.resolve(src, parent, &[NodeKind::Group], "group") {
                if to == from {
                    src.error(
                        span(parent),
                        format!("group `{}` lists itself as its parent", g.id.get_ref()),
                    );
                    continue;
                }
                self.out.links.push(plain_link(from, to, LinkKind::Member));
            }
        }
    }

    pub(super) fn membership(&mut self, src: &mut impl Report, m: &RawMembership) {
        let member = self.resolve(
            src,
            &m.member,
            &[NodeKind::Account, NodeKind::Group],
            "member",
        );
        let group = self.resolve(src, &m.group, &[NodeKind::Group], "group");
        if let (Some(from), Some(to)) = (member, group) {
            if from == to {
                src.error(
                    span(&m.group),
                    format!(
                        "group `{}` is listed as a member of itself",
                        m.group.get_ref()
                    ),
                );
                return;
            }
            self.out.links.push(plain_link(from, to, LinkKind::Member));
        }
    }

    fn credentials(&mut self, src: &mut impl Report, from: NodeId, credentials: &[Id]) {
        for c in credentials {
            if let Some(to) = self.resolve(src, c, &[NodeKind::Account], "credential account") {
                self.out
                    .links
                    .push(plain_link(from, to, LinkKind::Credential));
            }
        }
    }

    pub(super) fn system(&mut self, src: &mut impl Report, s: &RawSystem) {
        let Some(from) = self.node_id(s.id.get_ref(), OWN_ID, &[NodeKind::System]) else {
            return;
        };
        self.name(src, from, &s.name, &s.description);
        self.credentials(src, from, &s.credentials);
        for a in &s.access {
            self.access(src, from, a);
        }
    }

    pub(super) fn access(&mut self, src: &mut impl Report, from: NodeId, a: &RawAccess) {
        let store = self.resolve(src, &a.store, &[NodeKind::Store], "store");
        let access = parse_access(src, &a.access);
        let p = a.p.as_ref().and_then(|p| probability(src, p, "p"));
        let time = a.time.as_ref().and_then(|t| duration(src, t, "time"));
        if let (Some(to), Some(access)) = (store, access) {
            self.out.links.push(
                plain_link(from, to, LinkKind::Access(access))
                    .with_p(p)
                    .with_time(time),
            );
        }
    }

    /// The node a side-file row belongs to (a record set's store, an access row's system).
    fn owner(
        &mut self,
        src: &mut impl Report,
        id: &Id,
        kind: NodeKind,
        what: &str,
    ) -> Option<NodeId> {
        match self.node_id(id.get_ref(), OWN_ID, &[kind]) {
            Some(n) if self.model.kind(n) == kind => Some(n),
            _ => {
                let wanted = id.get_ref();
                let message = format!("{what} for unknown {kind} `{wanted}`");
                src.unknown_id(Some(id.span()), message, wanted, &[kind]);
                None
            }
        }
    }

    pub(super) fn store(&mut self, src: &mut impl Report, s: &RawStore) {
        let Some(store) = self.node_id(s.id.get_ref(), OWN_ID, &[NodeKind::Store]) else {
            return;
        };
        self.name(src, store, &s.name, &s.description);
        self.credentials(src, store, &s.credentials);
        let retention = s
            .retention_days
            .as_ref()
            .and_then(|d| days(src, d, "retention_days"));
        self.out.retention.push((store, retention));
        for r in &s.records {
            self.record_set(src, store, retention, r);
        }
    }

    /// A record set of `store`, whose own retention is `store_retention`.
    pub(super) fn record_set<R: Report>(
        &mut self,
        src: &mut R,
        store: NodeId,
        store_retention: Option<u32>,
        r: &RawRecordSet,
    ) {
        let model = self.model;
        let store_id = model.id(store);
        let category = r.category.get_ref().trim().to_string();
        if category.len() > MAX_NAME_BYTES {
            src.error(
                span(&r.category),
                format!(
                    "record category in store `{store_id}` is {} bytes long; categories are at most {MAX_NAME_BYTES} bytes",
                    category.len()
                ),
            );
            return;
        }
        if category.is_empty() || category.split('.').any(|part| part.is_empty()) {
            src.error(
                span(&r.category),
                format!(
                    "record category `{}` in store `{store_id}` is not a dot-separated name",
                    r.category.get_ref(),
                ),
            );
            return;
        }
        let within = |src: &mut R, v: &Spanned<i64>, what: &str| {
            non_negative(src, v, what).filter(|&n| {
                let ok = n <= MAX_RECORDS;
                if !ok {
                    src.error(
                        span(v),
                        format!("{what} of `{category}` in store `{store_id}` is {n}; at most {MAX_RECORDS} is supported"),
                    );
                }
                ok
            })
        };
        let amount = match (&r.count, &r.per_day) {
            (Some(c), None) => within(src, c, "count").map(Amount::Count),
            (None, Some(d)) => within(src, d, "per_day").map(Amount::PerDay),
            _ => {
                src.error(
                    span(&r.category),
                    format!(
                        "record set `{category}` in store `{store_id}` needs exactly one of `count` or `per_day`",
                    ),
                );
                None
            }
        };
        let retention = r
            .retention_days
            .as_ref()
            .and_then(|d| days(src, d, "retention_days"));
        let coverage = match &r.coverage {
            None => Some(1.0),
            Some(c) => probability(src, c, "coverage"),
        };
        let subjects = r.subjects.as_ref().and_then(|s| {
            let name = s.get_ref();
            if model.populations.contains_key(name.as_str()) {
                Some(name.to_string())
            } else {
                src.error(
                    span(s),
                    format!(
                        "unknown population `{name}`{}",
                        did_you_mean(name, model.populations.keys().map(|k| k.as_str()))
                    ),
                );
                None
            }
        });
        let (Some(amount), Some(coverage)) = (amount, coverage) else {
            return;
        };
        if matches!(amount, Amount::PerDay(_))
            && retention.is_none()
            && store_retention.is_none()
            && model.program_age_days.is_none()
        {
            src.error(
                span(&r.category),
                format!(
                    "rate-based set `{category}` in store `{store_id}` has no retention_days and [org] has no program_age_days, so the records it holds are unbounded",
                ),
            );
        }
        self.out.record_sets.push(RecordSet {
            store,
            category,
            amount,
            retention_days: retention,
            subjects,
            coverage,
        });
    }

    pub(super) fn grant(&mut self, src: &mut impl Report, g: &RawGrant) {
        let principal = self.resolve_as(
            src,
            &g.principal,
            &[NodeKind::Account, NodeKind::Group],
            "grant principal",
            PRINCIPAL,
        );
        let target = self.resolve(
            src,
            &g.target,
            &[NodeKind::Store, NodeKind::System],
            "grant target",
        );
        let access = parse_access(src, &g.access);
        let p = g.p.as_ref().and_then(|p| probability(src, p, "p"));
        let time = g.time.as_ref().and_then(|t| duration(src, t, "time"));
        let last_used = g
            .last_used_days
            .as_ref()
            .and_then(|d| days(src, d, "last_used_days"));
        let (Some(from), Some(to), Some(access)) = (principal, target, access) else {
            return;
        };
        if self.model.kind(to) == NodeKind::System && access != Access::Admin {
            src.error(
                span(&g.access),
                format!(
                    "a grant on system `{}` must be `admin` (full control), not `{}`",
                    g.target.get_ref(),
                    access.as_str()
                ),
            );
            return;
        }
        self.out.links.push(
            plain_link(from, to, LinkKind::Grant(access))
                .with_p(p)
                .with_time(time)
                .with_last_used_days(last_used),
        );
    }

    pub(super) fn edge(&mut self, src: &mut impl Report, e: &RawEdge) {
        let all = &NodeKind::ALL;
        let from = self.resolve(src, &e.from, all, "edge source");
        let to = self.resolve(src, &e.to, all, "edge target");
        let p = e.p.as_ref().and_then(|p| probability(src, p, "p"));
        let time = e.time.as_ref().and_then(|t| duration(src, t, "time"));
        let label = e.kind.get_ref().trim();
        if label.is_empty() {
            src.error(span(&e.kind), "an [[edge]] needs a non-empty `kind` label");
            return;
        }
        if label.len() > MAX_NAME_BYTES {
            src.error(
                span(&e.kind),
                format!(
                    "an [[edge]] `kind` label is {} bytes long; labels are at most {MAX_NAME_BYTES} bytes",
                    label.len()
                ),
            );
            return;
        }
        if let (Some(from), Some(to)) = (from, to) {
            self.out.links.push(
                plain_link(from, to, LinkKind::Custom(crate::model::Label::new(label)))
                    .with_p(p)
                    .with_time(time),
            );
        }
    }

    pub(super) fn flow(&mut self, src: &mut impl Report, f: &RawFlow) {
        let from = self.resolve(src, &f.from, &[NodeKind::Store], "flow source");
        let to = self.resolve(src, &f.to, &[NodeKind::Store], "flow target");
        if let (Some(from), Some(to)) = (from, to) {
            if from == to {
                src.error(
                    span(&f.to),
                    format!("flow from `{}` into itself", f.from.get_ref()),
                );
                return;
            }
            self.out.flows.push(Flow {
                from,
                to,
                categories: f
                    .categories
                    .as_ref()
                    .map(|c| c.iter().map(|s| s.get_ref().to_string()).collect()),
            });
        }
    }

    /// One side-file row, as its raw entry.
    pub(super) fn side_row(&mut self, src: &mut impl Report, row: &SideRow) {
        match row {
            SideRow::Person(p) => self.person(src, p),
            SideRow::Account(a) => self.account(src, a),
            SideRow::Group(g) => self.group(src, g),
            SideRow::Membership(m) => self.membership(src, m),
            SideRow::System(s) => self.system(src, s),
            SideRow::Access(system, a) => {
                if let Some(from) = self.owner(src, system, NodeKind::System, "access row") {
                    self.access(src, from, a);
                }
            }
            SideRow::Store(s) => self.store(src, s),
            SideRow::Records(store, r) => {
                if let Some(store) = self.owner(src, store, NodeKind::Store, "record set") {
                    let retention = self.model.store_policy[store as usize].retention_days;
                    self.record_set(src, store, retention, r);
                }
            }
            SideRow::Grant(g) => self.grant(src, g),
            SideRow::Flow(f) => self.flow(src, f),
            SideRow::Edge(e) => self.edge(src, e),
        }
    }
}
