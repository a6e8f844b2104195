//! SharpHound objects into an OpenGraph [`Document`]: each object a node of BloodHound's kind
//! for its type, with its flat properties; each relation SharpHound records (members, local
//! groups, sessions, ACEs, delegation, containment, GPO links) an edge of BloodHound's kind,
//! marked `traversable` by the rules in `rights.rs`. The OpenGraph import then builds the model,
//! so SharpHound and OpenGraph files of one estate merge into one graph by object id.

use std::collections::{BTreeMap, BTreeSet};

use super::format::{RawObject, TypedId};
use super::rights::{ace_edge, local_group_edge, node_kind, DCSYNC_PARTS, IGNORED_LOCAL_GROUP};
use super::Reader;
use crate::error::Diagnostic;
use crate::interop::opengraph::{Document, Prop, Props, Scalar};

/// A property value of a SharpHound object as an OpenGraph one: scalars and arrays of one
/// scalar type are kept; `null`, objects and mixed arrays are dropped (nothing the import reads
/// is one of them).
fn prop(value: &serde_json::Value) -> Option<Prop> {
    use serde_json::Value;
    let scalar = |v: &Value| match v {
        Value::Bool(b) => Some(Scalar::Bool(*b)),
        Value::Number(n) => n.as_f64().map(Scalar::Num),
        Value::String(s) => Some(Scalar::Str(s.clone())),
        _ => None,
    };
    match value {
        Value::Array(items) => {
            let scalars: Vec<Scalar> = items.iter().filter_map(scalar).collect();
            let same = scalars
                .windows(2)
                .all(|w| std::mem::discriminant(&w[0]) == std::mem::discriminant(&w[1]));
            (scalars.len() == items.len() && same).then_some(Prop::Many(scalars))
        }
        v => scalar(v).map(Prop::One),
    }
}

fn id_of(t: &TypedId) -> Option<&str> {
    t.object_identifier
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// One file's objects being turned into a document.
pub(super) struct Converter<'r> {
    pub(super) reader: &'r mut Reader,
    pub(super) doc: Document,
    pub(super) problems: Vec<Diagnostic>,
}

impl Converter<'_> {
    /// Adds an edge once per (kind, start, end) over every SharpHound file read so far.
    pub(super) fn edge(&mut self, kind: &str, start: &str, end: &str, traversable: bool) {
        let key = (kind.to_string(), start.to_string(), end.to_string());
        if !self.reader.seen.insert(key) {
            self.reader.summary.duplicate_edges += 1;
            return;
        }
        if kind == "MemberOf" {
            self.reader
                .member_of
                .entry(start.to_string())
                .or_default()
                .push(end.to_string());
        }
        let counts = if traversable {
            &mut self.reader.summary.attack_edges
        } else {
            &mut self.reader.summary.other_edges
        };
        *counts.entry(kind.to_string()).or_default() += 1;
        let props = Props::from_pairs(vec![(
            "traversable".into(),
            Prop::One(Scalar::Bool(traversable)),
        )]);
        self.doc
            .add_edge(kind, start.to_string(), end.to_string(), props);
    }

    /// Every object of the file, `object_type` being its `meta.type`.
    pub(super) fn objects(&mut self, object_type: &str, data: Vec<RawObject>) {
        let kind = match node_kind(object_type) {
            Some(k) => k.to_string(),
            None => {
                *self
                    .reader
                    .summary
                    .unknown_types
                    .entry(object_type.to_string())
                    .or_default() += data.len();
                object_type.to_string()
            }
        };
        *self
            .reader
            .summary
            .objects
            .entry(object_type.to_string())
            .or_default() += data.len();
        for (i, o) in data.into_iter().enumerate() {
            let Some(id) = o
                .object_identifier
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
            else {
                let name = self.doc.name.clone();
                self.problems.push(super::format::located(
                    &name,
                    None,
                    None,
                    format!("data[{i}]: the object has no `ObjectIdentifier` (its SID or GUID)"),
                ));
                continue;
            };
            self.node(&id, &kind, object_type, &o);
            self.relations(&id, object_type, &o);
        }
    }

    /// The object as a node, with its properties; users are counted enabled or disabled, and
    /// those with an SPN are service accounts.
    fn node(&mut self, id: &str, kind: &str, object_type: &str, o: &RawObject) {
        let mut pairs: Vec<(String, Prop)> = Vec::new();
        let mut enabled = None;
        let mut has_spn = false;
        if let Some(props) = &o.properties {
            for (k, v) in props {
                match (k.as_str(), v) {
                    ("enabled", serde_json::Value::Bool(b)) => enabled = Some(*b),
                    ("hasspn", serde_json::Value::Bool(b)) => has_spn = *b,
                    _ => {}
                }
                if let Some(p) = prop(v) {
                    pairs.push((k.clone(), p));
                }
            }
        }
        if object_type == "users" {
            let s = &mut self.reader.summary;
            match enabled {
                Some(false) => s.users_disabled += 1,
                _ => s.users_enabled += 1,
            }
            if has_spn {
                s.service_accounts += 1;
                self.reader.service_accounts.insert(id.to_string());
            }
        }
        self.doc.add_node(
            id.to_string(),
            vec![kind.to_string()],
            Props::from_pairs(pairs),
        );
    }

    /// Every edge the object's own fields record (see `rights.rs` for what each means).
    fn relations(&mut self, id: &str, object_type: &str, o: &RawObject) {
        for m in o.members.iter().flatten().filter_map(id_of) {
            self.edge("MemberOf", m, id, true);
        }
        // A user's or computer's primary group (Domain Users, Domain Computers, Domain
        // Controllers) is not listed in the group's `Members`; BloodHound's ingest makes the
        // same MemberOf edge from `PrimaryGroupSID`.
        if let Some(group) = o.primary_group.as_deref().map(str::trim) {
            if !group.is_empty() {
                self.edge("MemberOf", id, group, true);
            }
        }
        if let Some(parent) = o.contained_by.as_ref().and_then(id_of) {
            self.edge("Contains", parent, id, true);
        }
        for child in o.child_objects.iter().flatten().filter_map(id_of) {
            self.edge("Contains", id, child, true);
        }
        for gpo in o.links.iter().flatten().filter_map(|l| l.guid.as_deref()) {
            self.edge("GPLink", gpo.trim(), id, true);
        }
        for g in o.local_groups.iter().flatten() {
            if g.name.as_deref() == Some(IGNORED_LOCAL_GROUP) {
                continue;
            }
            let Some(kind) = g.id.as_deref().and_then(local_group_edge) else {
                continue;
            };
            for m in g.results.iter().flatten().filter_map(id_of) {
                self.edge(kind, m, id, true);
            }
        }
        // SharpHound CE 1.x (format 5) also writes the four groups as fields of their own.
        for (list, kind) in [
            (&o.local_admins, "AdminTo"),
            (&o.remote_desktop_users, "CanRDP"),
            (&o.dcom_users, "ExecuteDCOM"),
            (&o.ps_remote_users, "CanPSRemote"),
        ] {
            let members = list.as_ref().and_then(|l| l.results.as_ref());
            for m in members.into_iter().flatten().filter_map(id_of) {
                self.edge(kind, m, id, true);
            }
        }
        for list in [&o.sessions, &o.privileged_sessions, &o.registry_sessions] {
            let sessions = list.as_ref().and_then(|l| l.results.as_ref());
            for s in sessions.into_iter().flatten() {
                let computer = s.computer.as_deref().map(str::trim).unwrap_or(id);
                if let Some(user) = s.user.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
                    self.edge("HasSession", computer, user, true);
                }
            }
        }
        for t in o.allowed_to_delegate.iter().flatten().filter_map(id_of) {
            self.edge("AllowedToDelegate", id, t, true);
        }
        for p in o.allowed_to_act.iter().flatten().filter_map(id_of) {
            self.edge("AllowedToAct", p, id, true);
        }
        for t in o.has_sid_history.iter().flatten().filter_map(id_of) {
            self.edge("HasSIDHistory", id, t, true);
        }
        for t in o.dump_smsa_password.iter().flatten().filter_map(id_of) {
            self.edge("DumpSMSAPassword", id, t, true);
        }
        for t in o.spn_targets.iter().flatten() {
            if let (Some(c), Some("SQLAdmin")) = (t.computer.as_deref(), t.service.as_deref()) {
                self.edge("SQLAdmin", id, c.trim(), true);
            }
        }
        self.aces(id, object_type, o);
    }

    /// The ACEs: each right an edge from the principal. Replication rights on a domain are
    /// kept for [`Reader::finish`], which combines them into DCSync steps.
    fn aces(&mut self, id: &str, object_type: &str, o: &RawObject) {
        for ace in o.aces.iter().flatten() {
            let (Some(principal), Some(right)) = (ace.principal.as_deref(), ace.right.as_deref())
            else {
                continue;
            };
            let (principal, right) = (principal.trim(), right.trim());
            if principal.is_empty() || right.is_empty() {
                continue;
            }
            let (kind, traversable) = ace_edge(right);
            self.edge(kind, principal, id, traversable);
            if object_type == "domains" {
                if let Some(part) = DCSYNC_PARTS.iter().position(|p| *p == right) {
                    self.reader
                        .replication
                        .insert((id.to_string(), principal.to_string(), part));
                }
            }
        }
    }
}

/// The DCSync steps of everything read: a principal reaches a domain when it holds both
/// [`DCSYNC_PARTS`] on it, itself or through the groups it is a member of (BloodHound's DCSync
/// post-processing counts rights held through membership, edges/dcsync). A principal whose
/// both rights come from one group it is in gets no step of its own: the group has it, and
/// `MemberOf` leads there.
pub(super) fn dcsync_steps(
    replication: &BTreeSet<(String, String, usize)>,
    member_of: &BTreeMap<String, Vec<String>>,
) -> BTreeSet<(String, String)> {
    // Rights held directly, by domain and principal: a bit per part.
    let mut direct: BTreeMap<(&str, &str), u8> = BTreeMap::new();
    for (domain, principal, part) in replication {
        *direct
            .entry((domain.as_str(), principal.as_str()))
            .or_default() |= 1 << part;
    }
    let domains: BTreeSet<&str> = direct.keys().map(|(d, _)| *d).collect();
    let both = (1u8 << DCSYNC_PARTS.len()) - 1;
    let mut steps = BTreeSet::new();
    let principals: BTreeSet<&str> = member_of
        .keys()
        .map(String::as_str)
        .chain(direct.keys().map(|(_, p)| *p))
        .collect();
    for principal in principals {
        // The principal and every group it is in, transitively.
        let mut closure = BTreeSet::from([principal]);
        let mut stack = vec![principal];
        while let Some(x) = stack.pop() {
            for g in member_of.get(x).into_iter().flatten() {
                if closure.insert(g.as_str()) {
                    stack.push(g.as_str());
                }
            }
        }
        for &domain in &domains {
            let held = |p: &str| direct.get(&(domain, p)).copied().unwrap_or(0);
            let combined = closure.iter().fold(0, |acc, p| acc | held(p));
            let one_group_has_both = closure.iter().any(|p| *p != principal && held(p) == both);
            if combined == both && !one_group_has_both {
                steps.insert((principal.to_string(), domain.to_string()));
            }
        }
    }
    steps
}
