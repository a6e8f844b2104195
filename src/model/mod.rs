//! The validated organisation model: nodes, the links between them, record sets, flows and
//! the tables that give links their probabilities and times.
//!
//! A [`Model`] is plain data. It is built only by the loaders (which validate it) and by
//! design overlays (which return a new model); nothing here knows TOML or prints.
//! Node ids are dense `u32` indices ([`NodeId`]) into [`Model::nodes`].
//!
//! This file holds the [`Model`] and its lookups; `nodes.rs` the node kinds, `links.rs` the
//! links and their kinds, `stores.rs` record sets, flows and store policies, `tables.rs` the
//! default probabilities and times, `ids.rs` the id index used while a model is built,
//! `canonical.rs` the canonical order, `categories.rs` category weights, `records.rs` what each
//! store holds, `money.rs` the loss of an outcome in a currency, `entry.rs` the `[entry]` vectors, and `grouping.rs` the counting
//! sort by node they share.

pub mod categories;
pub mod diff;
pub mod entry;
pub mod grouping;
pub mod money;
pub mod records;

mod canonical;
mod ids;
mod links;
mod nodes;
mod stores;
mod tables;

use std::collections::BTreeMap;

pub use categories::Categories;
pub use links::{Access, Label, Link, LinkKind};
pub use nodes::{AccountKind, Mfa, Node, NodeId, NodeKind};
pub use stores::{Amount, Flow, RecordSet, StorePolicies, StorePolicy};
pub use tables::{Distribution, Probabilities, Times};

use ids::{IdIndex, InlineSlot};

/// `n` things in words: "1 edge", "2 edges".
pub fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The organisation: everything a scenario runs against.
#[derive(Debug, Clone, Default)]
pub struct Model {
    pub name: String,
    /// How long data has been collected; caps every retention window.
    pub program_age_days: Option<u32>,
    /// The nodes, changed only through the model's methods (which keep `kinds` in step).
    pub nodes: Vec<Node>,
    /// Each node's kind, a byte apiece: checks and searches that ask the kind of nodes in no
    /// order read this small table instead of a node record each.
    kinds: Vec<NodeKind>,
    /// Node lookup while a model is built (short ids are kept in the table itself, so most
    /// lookups read nothing else). [`Model::canonical`] empties it and lookups then search the
    /// nodes, which are in id order, so large models do not keep a second copy of every id.
    ids: IdIndex,
    /// The same lookup for the nodes of the few kinds ([`few_class`]): one table of the groups
    /// and one of the systems and stores, each small enough to stay in the processor's cache:
    /// most references a large model's files make are to these nodes, a few thousand of them
    /// named millions of times (an account's groups alone, millions of lookups at a million
    /// people, read a table of the groups only, a third the size of one of all three kinds).
    few_ids: [IdIndex<InlineSlot>; FEW_CLASSES],
    /// Whether `nodes` is in id order and `ids` empty.
    sorted: bool,
    /// MFA per node (meaningful for accounts only).
    pub mfa: Vec<Mfa>,
    pub account_kind: Vec<AccountKind>,
    /// Retention and design changes per node (kept for stores only).
    pub store_policy: StorePolicies,
    pub links: Vec<Link>,
    pub record_sets: Vec<RecordSet>,
    pub flows: Vec<Flow>,
    pub categories: Categories,
    pub probabilities: Probabilities,
    pub times: Times,
    pub populations: BTreeMap<String, u64>,
    pub notification: BTreeMap<String, Vec<String>>,
    /// Display names of the nodes that have one other than their id (a model entry's `name`,
    /// an imported node's `name` property), by node: what data-inventory overlays select by
    /// property match. Few nodes of a written model have one, so they are kept apart.
    pub names: BTreeMap<NodeId, String>,
    /// `[money]`: what an outcome costs; `None` when the model gives no money figures.
    pub money: Option<money::Money>,
    /// `[entry]`: per attack vector, the chance an attempt takes an account, by its MFA.
    pub entry: entry::EntryVectors,
}

impl Model {
    pub fn node_id(&self, id: &str) -> Option<NodeId> {
        if self.sorted {
            self.nodes
                .binary_search_by(|n| n.id.as_str().cmp(id))
                .ok()
                .map(|i| i as NodeId)
        } else {
            self.ids.find(id, &self.nodes)
        }
    }

    /// [`Model::node_id`] for an id expected to name a node of one of `kinds`: when they are
    /// all of the few kinds ([`few_class`]), the small indexes of those kinds are asked first.
    /// The node is found whatever its kind, so a wrong kind can be told apart from no node.
    pub fn node_id_of(&self, id: &str, kinds: &[NodeKind]) -> Option<NodeId> {
        let mut asked = [false; FEW_CLASSES];
        for &k in kinds {
            match few_class(k) {
                Some(c) => asked[c] = true,
                None => return self.node_id(id),
            }
        }
        if self.sorted {
            return self.node_id(id);
        }
        let hash = ids::id_hash(id);
        (0..FEW_CLASSES)
            .filter(|&c| asked[c])
            .find_map(|c| self.few_ids[c].find_hashed(id, hash, &self.nodes))
            .or_else(|| self.ids.find_hashed(id, hash, &self.nodes))
    }

    /// Whether node numbers follow id order (a canonical model's do), so that sorting nodes by
    /// number sorts them by id.
    pub fn in_id_order(&self) -> bool {
        self.sorted
    }

    pub fn id(&self, n: NodeId) -> &str {
        &self.nodes[n as usize].id
    }

    pub fn kind(&self, n: NodeId) -> NodeKind {
        self.kinds[n as usize]
    }

    /// Every node's kind, by node.
    pub fn kinds(&self) -> &[NodeKind] {
        &self.kinds
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Adds nodes whose ids are new and distinct, and indexes them on all threads.
    pub fn add_nodes(&mut self, nodes: Vec<Node>) {
        if self.nodes.is_empty() {
            self.nodes = nodes;
        } else {
            self.nodes.extend(nodes);
        }
        let n = self.nodes.len();
        let first = self.kinds.len();
        self.kinds
            .extend(self.nodes[first..].iter().map(|node| node.kind));
        self.mfa.resize(n, Mfa::None);
        self.account_kind.resize(n, AccountKind::Human);
        self.store_policy.resize(n);
        (self.ids, self.few_ids) = IdIndex::of_all_and(&self.nodes, |node| few_class(node.kind));
        self.sorted = false;
    }

    /// Adds a node; the caller has checked the id is new.
    pub fn add_node(&mut self, id: &str, kind: NodeKind) -> NodeId {
        self.add_node_owned(id.to_string(), kind)
    }

    /// [`Model::add_node`] with an id the model may keep.
    pub fn add_node_owned(&mut self, id: String, kind: NodeKind) -> NodeId {
        if self.sorted {
            self.sorted = false;
            self.ids = IdIndex::of(&self.nodes);
            self.few_ids = Default::default();
        }
        let n = self.nodes.len() as NodeId;
        self.nodes.push(Node {
            id: id.into(),
            kind,
        });
        self.kinds.push(kind);
        self.ids.insert(n, &self.nodes);
        self.mfa.push(Mfa::None);
        self.account_kind.push(AccountKind::Human);
        self.store_policy.push_node();
        n
    }

    /// Makes node `n` a node of another kind (an overlay turning an imported system into a
    /// store); the caller has checked its links suit the new kind.
    pub fn set_kind(&mut self, n: NodeId, kind: NodeKind) {
        self.nodes[n as usize].kind = kind;
        self.kinds[n as usize] = kind;
    }

    /// The display name of node `n`, if it has one.
    pub fn name_of(&self, n: NodeId) -> Option<&str> {
        self.names.get(&n).map(String::as_str)
    }

    /// Success probability of a link: its own `p`, else the default for its kind (for
    /// credentials, by the target account's MFA).
    pub fn link_p(&self, link: &Link) -> f64 {
        // Only a credential's default reads its target's MFA: other links skip that lookup (a
        // cache miss per link when a graph is built).
        let mfa = match link.kind {
            LinkKind::Credential if link.p().is_none() => self.mfa[link.to as usize],
            _ => Mfa::None,
        };
        link_p_under(link, &self.probabilities, mfa)
    }

    /// Mean days to use a link: its own `time`, else the default for its kind.
    pub fn link_time(&self, link: &Link) -> f64 {
        if let Some(t) = link.time() {
            return t;
        }
        let t = &self.times;
        match &link.kind {
            LinkKind::Owns => t.owns,
            LinkKind::Member => t.member,
            LinkKind::Grant(_) => t.grant,
            LinkKind::Access(_) => t.access,
            LinkKind::Credential => t.credential,
            LinkKind::Custom(k) => t.custom.get(k.as_str()).copied().unwrap_or(t.edge),
        }
    }

    /// Ids of every node of a kind, in model order.
    pub fn nodes_of(&self, kind: NodeKind) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.nodes.len() as NodeId).filter(move |&n| self.kind(n) == kind)
    }
}

/// The small indexes of the few kinds (groups; systems and stores).
const FEW_CLASSES: usize = 2;

/// Which small index holds nodes of `kind` when it is one of the few kinds a model has far
/// fewer of than people and accounts (groups, systems, stores), which [`Model::node_id_of`]
/// looks up there: groups in one, systems and stores in the other.
fn few_class(kind: NodeKind) -> Option<usize> {
    match kind {
        NodeKind::Person | NodeKind::Account => None,
        NodeKind::Group => Some(0),
        NodeKind::System | NodeKind::Store => Some(1),
    }
}

/// Success probability of `link` under the default probabilities `pr`, its target account's MFA
/// being `target_mfa`: [`Model::link_p`], and what `diff` asks of a link when one of those
/// changes alone.
pub fn link_p_under(link: &Link, pr: &Probabilities, target_mfa: Mfa) -> f64 {
    if let Some(p) = link.p() {
        return p;
    }
    match &link.kind {
        LinkKind::Owns => pr.owns,
        LinkKind::Member => pr.member,
        LinkKind::Grant(_) => pr.grant,
        LinkKind::Access(_) => pr.access,
        LinkKind::Credential => match target_mfa {
            Mfa::None => pr.credential_none,
            Mfa::Otp => pr.credential_otp,
            Mfa::PhishingResistant => pr.credential_phishing_resistant,
        },
        LinkKind::Custom(k) => pr.custom.get(k.as_str()).copied().unwrap_or(pr.edge),
    }
}

/// Whether `category` equals `prefix` or lies below it in the dot hierarchy.
pub fn category_matches(category: &str, prefix: &str) -> bool {
    category == prefix
        || (category.len() > prefix.len()
            && category.starts_with(prefix)
            && category.as_bytes()[prefix.len()] == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn category_prefixes_follow_dots() {
        assert!(category_matches("user.location.precise", "user.location"));
        assert!(category_matches("user.location", "user.location"));
        assert!(!category_matches("user.locations", "user.location"));
        assert!(!category_matches("user", "user.location"));
    }
}
