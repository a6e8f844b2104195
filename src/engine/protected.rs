//! What `recommend` may not take away: access the business needs (a scenario's `[[keep]]`) and,
//! unless asked, the entry points' own access.
//!
//! The entry points' own access is every grant, membership and stored credential of a
//! compromised node, of the accounts of a compromised person, and of every group those belong
//! to, directly or through nested groups: access is granted through groups, so a group's grant
//! is its members' own access ("take the vendor group's only grant away" cuts the vendor off as
//! surely as removing the account). The organisation-wide objective has no entry points: every
//! source is one, so only `[[keep]]` applies there.

use std::collections::BTreeSet;

use crate::design::Keep;
use crate::model::{Link, LinkKind, Model, NodeId, NodeKind};

/// The kinds of link a fix removes, as `[[keep]]` and the entry rule see them.
fn removable_kind(kind: LinkKind) -> Option<u8> {
    match kind {
        LinkKind::Grant(_) => Some(0),
        LinkKind::Member => Some(1),
        LinkKind::Credential => Some(2),
        _ => None,
    }
}

/// Links no fix may remove, by (from, to, kind of fix): a fix removes every link of its kind
/// between two nodes, so one kept link keeps the pair.
#[derive(Debug, Clone, Default)]
pub struct Protected {
    /// Entry points, their people's accounts and their groups (empty when entry links may go).
    entry: Vec<bool>,
    kept: BTreeSet<(NodeId, NodeId, u8)>,
}

impl Protected {
    /// What a search from `sources` may not remove; `entry_links` lets fixes cut the entry
    /// points' own access.
    pub fn new(model: &Model, sources: &[NodeId], entry_links: bool, keep: &[Keep]) -> Protected {
        let entry = match entry_links {
            true => Vec::new(),
            false => entry_nodes(model, sources),
        };
        let kept = match keep.is_empty() {
            true => BTreeSet::new(),
            false => model
                .links
                .iter()
                .filter(|l| keep.iter().any(|k| k.protects(l)))
                .filter_map(|l| Some((l.from, l.to, removable_kind(l.kind)?)))
                .collect(),
        };
        Protected { entry, kept }
    }

    /// Whether a fix may remove `link` (and the links of its kind between the same nodes).
    pub fn allows(&self, link: &Link) -> bool {
        let Some(kind) = removable_kind(link.kind) else {
            return false;
        };
        !self.entry.get(link.from as usize).copied().unwrap_or(false)
            && !self.kept.contains(&(link.from, link.to, kind))
    }

    /// Whether `[[keep]]` keeps the link (as opposed to the entry rule).
    pub fn keeps(&self, link: &Link) -> bool {
        removable_kind(link.kind).is_some_and(|k| self.kept.contains(&(link.from, link.to, k)))
    }
}

/// The entry points, the accounts of entry-point people, and every group any of them belongs
/// to, directly or through nested groups.
pub fn entry_nodes(model: &Model, sources: &[NodeId]) -> Vec<bool> {
    let mut out = vec![false; model.node_count()];
    for &s in sources {
        out[s as usize] = true;
    }
    for l in &model.links {
        if l.kind == LinkKind::Owns
            && out[l.from as usize]
            && model.kind(l.from) == NodeKind::Person
        {
            out[l.to as usize] = true;
        }
    }
    let mut member_of: Vec<Vec<NodeId>> = vec![Vec::new(); model.node_count()];
    for l in model.links.iter().filter(|l| l.kind == LinkKind::Member) {
        member_of[l.from as usize].push(l.to);
    }
    let mut stack: Vec<NodeId> = (0..model.node_count() as NodeId)
        .filter(|&n| out[n as usize])
        .collect();
    while let Some(n) = stack.pop() {
        for &g in &member_of[n as usize] {
            if !out[g as usize] {
                out[g as usize] = true;
                stack.push(g);
            }
        }
    }
    out
}
