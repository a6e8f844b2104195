//! The validated organisation model: nodes, the links between them, record sets, flows and
//! the tables that give links their probabilities and times.
//!
//! A [`Model`] is plain data. It is built only by the loaders (which validate it) and by
//! design overlays (which return a new model); nothing here knows TOML or prints.
//! Node ids are dense `u32` indices ([`NodeId`]) into [`Model::nodes`].

pub mod categories;
pub mod grouping;
pub mod records;

use std::collections::BTreeMap;

use rayon::prelude::*;

pub use categories::Categories;

/// Dense index of a node in [`Model::nodes`].
pub type NodeId = u32;

/// The five kinds of node of DESIGN.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    Person,
    Account,
    Group,
    System,
    Store,
}

impl NodeKind {
    pub const ALL: [NodeKind; 5] = [
        NodeKind::Person,
        NodeKind::Account,
        NodeKind::Group,
        NodeKind::System,
        NodeKind::Store,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Person => "person",
            NodeKind::Account => "account",
            NodeKind::Group => "group",
            NodeKind::System => "system",
            NodeKind::Store => "store",
        }
    }

    pub fn parse(s: &str) -> Option<NodeKind> {
        NodeKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// `n` nodes of this kind, in words: "1 person", "3 people", "2 accounts".
    pub fn counted(self, n: usize) -> String {
        let many = match self {
            NodeKind::Person => "people",
            NodeKind::Account => "accounts",
            NodeKind::Group => "groups",
            NodeKind::System => "systems",
            NodeKind::Store => "stores",
        };
        crate::model::counted(n, self.as_str(), many)
    }
}

impl NodeKind {
    /// "a person", "an account", …
    pub fn with_article(self) -> String {
        match self {
            NodeKind::Account => "an account".into(),
            k => format!("a {k}"),
        }
    }
}

impl std::fmt::Display for NodeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Multi-factor authentication on an account; decides the default success of a stolen
/// credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mfa {
    #[default]
    None,
    Otp,
    PhishingResistant,
}

impl Mfa {
    pub const NAMES: [&'static str; 3] = ["none", "otp", "phishing_resistant"];

    pub fn parse(s: &str) -> Option<Mfa> {
        match s {
            "none" => Some(Mfa::None),
            "otp" => Some(Mfa::Otp),
            "phishing_resistant" => Some(Mfa::PhishingResistant),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        Mfa::NAMES[self as usize]
    }
}

/// Human or service account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccountKind {
    #[default]
    Human,
    Service,
}

/// Level of access a grant gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Access {
    Read,
    Write,
    Admin,
}

impl Access {
    pub const NAMES: [&'static str; 3] = ["read", "write", "admin"];

    pub fn parse(s: &str) -> Option<Access> {
        match s {
            "read" => Some(Access::Read),
            "write" => Some(Access::Write),
            "admin" => Some(Access::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        Access::NAMES[self as usize]
    }

    /// Whether an attacker holding this access gains the target (write never does).
    pub fn is_traversable(self) -> bool {
        self != Access::Write
    }
}

/// A node: its id as the model writes it and its kind.
#[derive(Debug, Clone)]
pub struct Node {
    /// Ids of up to 24 bytes (nearly all) are stored inline, without an allocation of their
    /// own.
    pub id: compact_str::CompactString,
    pub kind: NodeKind,
}

/// What a link means; decides its default probability and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkKind {
    /// person → account
    Owns,
    /// account/group → group
    Member,
    /// account/group → store or system
    Grant(Access),
    /// system/store → account: the holder keeps the account's secret
    Credential,
    /// system → store: the system's own data access
    Access(Access),
    /// any → any: an attack step with a free label
    Custom(Label),
}

/// The label of a custom step, interned: a link stores four bytes instead of a string, and
/// equal labels share one copy. Labels compare, order and hash by their text, so nothing
/// depends on the order in which they were first seen.
#[derive(Clone, Copy)]
pub struct Label(u32);

struct Labels {
    texts: Vec<&'static str>,
    index: rustc_hash::FxHashMap<&'static str, u32>,
}

fn labels() -> &'static std::sync::RwLock<Labels> {
    static LABELS: std::sync::OnceLock<std::sync::RwLock<Labels>> = std::sync::OnceLock::new();
    LABELS.get_or_init(|| {
        std::sync::RwLock::new(Labels {
            texts: Vec::new(),
            index: Default::default(),
        })
    })
}

impl Label {
    /// The label for `text` (kept for the life of the process: labels are few).
    pub fn new(text: &str) -> Label {
        if let Some(&i) = labels().read().expect("label table").index.get(text) {
            return Label(i);
        }
        let mut table = labels().write().expect("label table");
        if let Some(&i) = table.index.get(text) {
            return Label(i);
        }
        let leaked: &'static str = Box::leak(text.to_string().into_boxed_str());
        let i = table.texts.len() as u32;
        table.texts.push(leaked);
        table.index.insert(leaked, i);
        Label(i)
    }

    pub fn as_str(&self) -> &'static str {
        labels().read().expect("label table").texts[self.0 as usize]
    }
}

impl std::ops::Deref for Label {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Label {
    fn eq(&self, other: &Label) -> bool {
        self.0 == other.0
    }
}
impl Eq for Label {}

impl std::hash::Hash for Label {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl PartialOrd for Label {
    fn partial_cmp(&self, other: &Label) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Label {
    fn cmp(&self, other: &Label) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::fmt::Debug for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl LinkKind {
    /// The short label shown in paths and exports (`owns`, `member`, `read`, `admin`,
    /// `credential`, `access:read`, or the custom label).
    pub fn label(&self) -> String {
        match self {
            LinkKind::Owns => "owns".into(),
            LinkKind::Member => "member".into(),
            LinkKind::Grant(a) => a.as_str().into(),
            LinkKind::Credential => "credential".into(),
            LinkKind::Access(a) => format!("access:{}", a.as_str()),
            LinkKind::Custom(k) => k.to_string(),
        }
    }

    /// The `[probabilities]` / `[times]` key of this kind.
    pub fn table_key(&self) -> &'static str {
        match self {
            LinkKind::Owns => "owns",
            LinkKind::Member => "member",
            LinkKind::Grant(_) => "grant",
            LinkKind::Credential => "credential",
            LinkKind::Access(_) => "access",
            LinkKind::Custom(k) => k.as_str(),
        }
    }

    /// Every kind but the custom ones.
    pub fn fixed_kinds() -> [LinkKind; 9] {
        use Access::{Admin, Read, Write};
        [
            LinkKind::Owns,
            LinkKind::Member,
            LinkKind::Grant(Read),
            LinkKind::Grant(Write),
            LinkKind::Grant(Admin),
            LinkKind::Credential,
            LinkKind::Access(Read),
            LinkKind::Access(Write),
            LinkKind::Access(Admin),
        ]
    }

    /// Whether the attacker can move along it (write grants and write access cannot).
    pub fn is_traversable(&self) -> bool {
        match self {
            LinkKind::Grant(a) | LinkKind::Access(a) => a.is_traversable(),
            _ => true,
        }
    }
}

/// A directed relation between two nodes: "whoever controls `from` can gain `to`".
///
/// Its optional figures are stored without `Option`'s padding (a large model has hundreds of
/// thousands of links): read them with [`Link::p`], [`Link::time`] and
/// [`Link::last_used_days`], set them with the `with_` and `set_` methods.
#[derive(Clone, Copy, PartialEq)]
pub struct Link {
    pub from: NodeId,
    pub to: NodeId,
    pub kind: LinkKind,
    /// Explicit success probability, or [`NOT_GIVEN`]: the default of [`Probabilities`].
    p: u64,
    /// Explicit time to use in days, or [`NOT_GIVEN`]: the default of [`Times`].
    time: u64,
    /// Days since the grant was last used (access reviews), or `u64::MAX` (every `u32` is a
    /// valid day count; the link is 40 bytes either way).
    last_used: u64,
}

/// Bits of an optional figure that was not given (a NaN, which no valid figure is).
const NOT_GIVEN: u64 = 0x7ff8_dead_beef_0001;

fn pack(x: Option<f64>) -> u64 {
    x.map_or(NOT_GIVEN, f64::to_bits)
}

fn unpack(bits: u64) -> Option<f64> {
    (bits != NOT_GIVEN).then(|| f64::from_bits(bits))
}

impl Link {
    /// A link with no explicit probability, time or last use.
    pub fn new(from: NodeId, to: NodeId, kind: LinkKind) -> Link {
        Link {
            from,
            to,
            kind,
            p: NOT_GIVEN,
            time: NOT_GIVEN,
            last_used: u64::MAX,
        }
    }

    pub fn with_p(mut self, p: Option<f64>) -> Link {
        self.set_p(p);
        self
    }

    pub fn with_time(mut self, time: Option<f64>) -> Link {
        self.time = pack(time);
        self
    }

    pub fn with_last_used_days(mut self, days: Option<u32>) -> Link {
        self.last_used = days.map_or(u64::MAX, u64::from);
        self
    }

    /// Explicit success probability; `None` takes the default of [`Probabilities`].
    pub fn p(&self) -> Option<f64> {
        unpack(self.p)
    }

    pub fn set_p(&mut self, p: Option<f64>) {
        self.p = pack(p);
    }

    /// Explicit time to use, in days; `None` takes the default of [`Times`].
    pub fn time(&self) -> Option<f64> {
        unpack(self.time)
    }

    /// Days since the grant was last used (access reviews).
    pub fn last_used_days(&self) -> Option<u32> {
        (self.last_used != u64::MAX).then_some(self.last_used as u32)
    }
}

impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Link")
            .field("from", &self.from)
            .field("to", &self.to)
            .field("kind", &self.kind)
            .field("p", &self.p())
            .field("time", &self.time())
            .field("last_used_days", &self.last_used_days())
            .finish()
    }
}

/// How many records a set holds: a fixed count or an ingest rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Amount {
    Count(u64),
    PerDay(u64),
}

/// A record set defined in a store (its origin). Flow copies refer back to it.
#[derive(Debug, Clone)]
pub struct RecordSet {
    pub store: NodeId,
    pub category: String,
    pub amount: Amount,
    /// Overrides the store's retention for this set (in its own store only).
    pub retention_days: Option<u32>,
    pub subjects: Option<String>,
    pub coverage: f64,
}

/// What a store does to the records it holds: retention, and the changes designs make.
#[derive(Debug, Clone, Default)]
pub struct StorePolicy {
    pub retention_days: Option<u32>,
    /// Per-category retention (category prefix → days), longest prefix wins.
    pub category_retention: Vec<(String, u32)>,
    /// Scale factors on what the store holds (category prefix or all), multiplied together.
    pub scale: Vec<(Option<String>, f64)>,
    /// Category prefixes the store no longer holds.
    pub dropped: Vec<String>,
}

/// `n` things in words: "1 edge", "2 edges".
pub fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Hash of a node id for the lookup table.
fn id_hash(id: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(id.as_bytes());
    h.finish()
}

/// Bytes of an id kept in an [`IdSlot`] itself.
const INLINE_ID: usize = 23;

/// One slot of the node lookup table: 32 bytes, so a probe reads one cache line. Ids of up to
/// [`INLINE_ID`] bytes (nearly all of them) are kept in the slot, zero-padded, followed by their
/// length; a longer id keeps its first bytes and `u8::MAX`, and is compared with the node's own
/// id.
#[derive(Debug, Clone, Copy)]
struct IdSlot {
    key: [u64; 3],
    /// Low bits of the id's hash (to place the slot again when the table grows).
    hash: u32,
    /// `EMPTY` in a free slot.
    node: NodeId,
}

const EMPTY: NodeId = NodeId::MAX;

const FREE: IdSlot = IdSlot {
    key: [0; 3],
    hash: 0,
    node: EMPTY,
};

/// An id's slot key: its inline bytes and length (see [`IdSlot`]).
fn id_key(id: &str) -> [u64; 3] {
    let mut bytes = [0u8; 24];
    let n = id.len().min(INLINE_ID);
    bytes[..n].copy_from_slice(&id.as_bytes()[..n]);
    bytes[INLINE_ID] = if id.len() <= INLINE_ID {
        id.len() as u8
    } else {
        u8::MAX
    };
    let word = |i: usize| u64::from_le_bytes(bytes[i * 8..i * 8 + 8].try_into().unwrap());
    [word(0), word(1), word(2)]
}

/// Node lookup by id while a model is built: open addressing with linear probing over
/// [`IdSlot`]s, at most half full, so most lookups read a single slot. The table is cut in
/// shards by id hash, so that a large model's table is built on all threads at once.
#[derive(Debug, Clone, Default)]
struct IdIndex {
    /// [`ID_SHARDS`] tables of a power-of-two size each, or none while empty.
    shards: Vec<Vec<IdSlot>>,
    /// Nodes in each shard.
    filled: Vec<usize>,
}

const ID_SHARDS: usize = 16;

impl IdIndex {
    /// The shard of a hash: bits above those a shard's slot index uses.
    fn shard(hash: u64) -> usize {
        (hash >> 40) as usize % ID_SHARDS
    }

    fn find(&self, id: &str, nodes: &[Node]) -> Option<NodeId> {
        if self.shards.is_empty() {
            return None;
        }
        let hash = id_hash(id);
        let key = id_key(id);
        let long = id.len() > INLINE_ID;
        let slots = &self.shards[Self::shard(hash)];
        let mask = slots.len() - 1;
        let mut i = hash as usize & mask;
        loop {
            let slot = &slots[i];
            if slot.node == EMPTY {
                return None;
            }
            if slot.key == key && (!long || nodes[slot.node as usize].id == id) {
                return Some(slot.node);
            }
            i = (i + 1) & mask;
        }
    }

    /// Puts a slot in a table with a free slot.
    fn place(slots: &mut [IdSlot], slot: IdSlot) {
        let mask = slots.len() - 1;
        let mut i = slot.hash as usize & mask;
        while slots[i].node != EMPTY {
            i = (i + 1) & mask;
        }
        slots[i] = slot;
    }

    /// A table for `n` nodes: at most half full.
    fn table(n: usize) -> Vec<IdSlot> {
        vec![FREE; (2 * n).next_power_of_two().max(16)]
    }

    fn insert(&mut self, node: NodeId, nodes: &[Node]) {
        if self.shards.is_empty() {
            self.shards = vec![Self::table(0); ID_SHARDS];
            self.filled = vec![0; ID_SHARDS];
        }
        let id = &nodes[node as usize].id;
        let hash = id_hash(id);
        let s = Self::shard(hash);
        if 2 * (self.filled[s] + 1) > self.shards[s].len() {
            let mut bigger = Self::table(self.filled[s] + 1);
            for slot in self.shards[s].iter().filter(|x| x.node != EMPTY) {
                Self::place(&mut bigger, *slot);
            }
            self.shards[s] = bigger;
        }
        let slot = IdSlot {
            key: id_key(id),
            hash: hash as u32,
            node,
        };
        Self::place(&mut self.shards[s], slot);
        self.filled[s] += 1;
    }

    /// The index of every node, built one shard per task.
    fn of(nodes: &[Node]) -> IdIndex {
        let hashes: Vec<u64> = nodes.par_iter().map(|n| id_hash(&n.id)).collect();
        // Nodes by shard, in node order (one pass, instead of each shard scanning them all).
        let (offsets, by_shard) = grouping::group_by_node(
            ID_SHARDS,
            hashes.len(),
            |i| Self::shard(hashes[i]) as NodeId,
            |i| i as NodeId,
            |_, _| std::cmp::Ordering::Equal,
        );
        let (shards, filled) = (0..ID_SHARDS)
            .into_par_iter()
            .map(|shard| {
                let mine = &by_shard[offsets[shard] as usize..offsets[shard + 1] as usize];
                let mut slots = Self::table(mine.len());
                for &node in mine {
                    let slot = IdSlot {
                        key: id_key(&nodes[node as usize].id),
                        hash: hashes[node as usize] as u32,
                        node,
                    };
                    Self::place(&mut slots, slot);
                }
                (slots, mine.len())
            })
            .unzip();
        IdIndex { shards, filled }
    }
}

/// Store policies by node, kept for stores only: every other node reads the default policy, so
/// a model with a few thousand stores among a million nodes keeps a few thousand policies.
#[derive(Debug, Clone, Default)]
pub struct StorePolicies {
    /// Index in `policies` of each node's policy, or [`NO_POLICY`].
    slot: Vec<u32>,
    policies: Vec<StorePolicy>,
}

const NO_POLICY: u32 = u32::MAX;

static DEFAULT_POLICY: StorePolicy = StorePolicy {
    retention_days: None,
    category_retention: Vec::new(),
    scale: Vec::new(),
    dropped: Vec::new(),
};

impl StorePolicies {
    fn push_node(&mut self) {
        self.slot.push(NO_POLICY);
    }

    /// Puts the nodes in a new order: node `i` becomes the old node `order[i]`.
    fn reorder(&mut self, order: &[NodeId]) {
        self.slot = order.iter().map(|&o| self.slot[o as usize]).collect();
    }
}

impl std::ops::Index<usize> for StorePolicies {
    type Output = StorePolicy;
    fn index(&self, node: usize) -> &StorePolicy {
        match self.slot[node] {
            NO_POLICY => &DEFAULT_POLICY,
            i => &self.policies[i as usize],
        }
    }
}

impl std::ops::IndexMut<usize> for StorePolicies {
    fn index_mut(&mut self, node: usize) -> &mut StorePolicy {
        if self.slot[node] == NO_POLICY {
            self.slot[node] = self.policies.len() as u32;
            self.policies.push(StorePolicy::default());
        }
        &mut self.policies[self.slot[node] as usize]
    }
}

/// Data lineage: `from`'s records (all, or the listed category prefixes) are copied into `to`.
#[derive(Debug, Clone)]
pub struct Flow {
    pub from: NodeId,
    pub to: NodeId,
    pub categories: Option<Vec<String>>,
}

/// Default success probabilities per link kind (DESIGN.md `[probabilities]`).
#[derive(Debug, Clone)]
pub struct Probabilities {
    pub owns: f64,
    pub member: f64,
    pub grant: f64,
    pub access: f64,
    pub edge: f64,
    pub credential_none: f64,
    pub credential_otp: f64,
    pub credential_phishing_resistant: f64,
    /// Defaults for custom edge labels.
    pub custom: BTreeMap<String, f64>,
}

impl Default for Probabilities {
    fn default() -> Self {
        Probabilities {
            owns: 1.0,
            member: 1.0,
            grant: 1.0,
            access: 1.0,
            edge: 1.0,
            credential_none: 0.95,
            credential_otp: 0.4,
            credential_phishing_resistant: 0.02,
            custom: BTreeMap::new(),
        }
    }
}

/// Distribution of the time to use an edge, and of detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Distribution {
    #[default]
    Exponential,
    Fixed,
}

impl Distribution {
    pub fn parse(s: &str) -> Option<Distribution> {
        match s {
            "exponential" => Some(Distribution::Exponential),
            "fixed" => Some(Distribution::Fixed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Distribution::Exponential => "exponential",
            Distribution::Fixed => "fixed",
        }
    }
}

/// Mean days to use an edge, per kind (DESIGN.md `[times]`), for the time model.
#[derive(Debug, Clone)]
pub struct Times {
    pub owns: f64,
    pub member: f64,
    pub grant: f64,
    pub access: f64,
    pub credential: f64,
    pub edge: f64,
    pub custom: BTreeMap<String, f64>,
    pub distribution: Distribution,
}

impl Default for Times {
    fn default() -> Self {
        Times {
            owns: 0.0,
            member: 0.0,
            grant: 0.5,
            access: 0.5,
            credential: 2.0,
            edge: 1.0,
            custom: BTreeMap::new(),
            distribution: Distribution::Exponential,
        }
    }
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
        self.store_policy.slot.resize(n, NO_POLICY);
        self.ids = IdIndex::of(&self.nodes);
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

    /// Success probability of a link: its own `p`, else the default for its kind (for
    /// credentials, by the target account's MFA).
    pub fn link_p(&self, link: &Link) -> f64 {
        if let Some(p) = link.p() {
            return p;
        }
        let pr = &self.probabilities;
        match &link.kind {
            LinkKind::Owns => pr.owns,
            LinkKind::Member => pr.member,
            LinkKind::Grant(_) => pr.grant,
            LinkKind::Access(_) => pr.access,
            LinkKind::Credential => match self.mfa[link.to as usize] {
                Mfa::None => pr.credential_none,
                Mfa::Otp => pr.credential_otp,
                Mfa::PhishingResistant => pr.credential_phishing_resistant,
            },
            LinkKind::Custom(k) => pr.custom.get(k.as_str()).copied().unwrap_or(pr.edge),
        }
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

    /// The same model with nodes numbered in id order and every list in a canonical order, so
    /// that nothing computed from it depends on the order of entries in the input files.
    pub fn canonical(mut self) -> Model {
        // Lookups search the sorted nodes from here on; free the table before the links are
        // copied into their order (the peak of a large model's load).
        self.ids = IdIndex::default();
        let n = self.nodes.len();
        let sorted = self.nodes.windows(2).all(|w| w[0].id < w[1].id);
        if !sorted {
            // Sort (id, node) pairs: comparisons read the ids without going through the nodes.
            let mut by_id: Vec<(&str, NodeId)> = self
                .nodes
                .iter()
                .enumerate()
                .map(|(i, node)| (node.id.as_str(), i as NodeId))
                .collect();
            by_id.par_sort_unstable();
            let order: Vec<NodeId> = by_id.into_iter().map(|(_, i)| i).collect();
            let mut remap = vec![0 as NodeId; n];
            for (new, &old) in order.iter().enumerate() {
                remap[old as usize] = new as NodeId;
            }
            let mut old_nodes: Vec<Node> = std::mem::take(&mut self.nodes);
            self.nodes = order
                .iter()
                .map(|&o| {
                    std::mem::replace(
                        &mut old_nodes[o as usize],
                        Node {
                            id: Default::default(),
                            kind: NodeKind::Person,
                        },
                    )
                })
                .collect();
            self.kinds = order.iter().map(|&o| self.kinds[o as usize]).collect();
            self.mfa = order.iter().map(|&o| self.mfa[o as usize]).collect();
            self.account_kind = order
                .iter()
                .map(|&o| self.account_kind[o as usize])
                .collect();
            self.store_policy.reorder(&order);
            for l in &mut self.links {
                l.from = remap[l.from as usize];
                l.to = remap[l.to as usize];
            }
            for r in &mut self.record_sets {
                r.store = remap[r.store as usize];
            }
            for f in &mut self.flows {
                f.from = remap[f.from as usize];
                f.to = remap[f.to as usize];
            }
        }
        fn kind_rank(k: &LinkKind) -> (u8, &str) {
            match k {
                LinkKind::Owns => (0, ""),
                LinkKind::Member => (1, ""),
                LinkKind::Grant(a) => (2, a.as_str()),
                LinkKind::Credential => (3, ""),
                LinkKind::Access(a) => (4, a.as_str()),
                LinkKind::Custom(label) => (5, label),
            }
        }
        // Order links by (from, to, kind), then by every other field, so that equal links are
        // identical and the order is canonical: a counting sort on `from` (stable, one pass),
        // then a small sort of each node's links, in parallel over blocks of nodes.
        let rank = |k: &LinkKind| -> u8 {
            match k {
                LinkKind::Owns => 0,
                LinkKind::Member => 1,
                LinkKind::Grant(a) => 2 + *a as u8,
                LinkKind::Credential => 5,
                LinkKind::Access(a) => 6 + *a as u8,
                LinkKind::Custom(_) => 9,
            }
        };
        let opt = |x: Option<f64>| x.map_or(f64::NEG_INFINITY, |v| v);
        let links = &self.links;
        let order_of = |x: &u32, y: &u32| {
            let (a, b) = (&links[*x as usize], &links[*y as usize]);
            (a.to, rank(&a.kind))
                .cmp(&(b.to, rank(&b.kind)))
                .then_with(|| kind_rank(&a.kind).cmp(&kind_rank(&b.kind)))
                .then(opt(a.p()).total_cmp(&opt(b.p())))
                .then(opt(a.time()).total_cmp(&opt(b.time())))
                .then(a.last_used_days().cmp(&b.last_used_days()))
        };
        let (_, order) =
            grouping::group_by_node(n, links.len(), |i| links[i].from, |i| i as u32, order_of);
        self.links = order.par_iter().map(|&i| links[i as usize]).collect();
        self.record_sets.sort_by(|a, b| {
            let key = |r: &RecordSet| {
                let (kind, n) = match r.amount {
                    Amount::Count(c) => (0, c),
                    Amount::PerDay(d) => (1, d),
                };
                (r.store, kind, n, r.retention_days)
            };
            key(a)
                .cmp(&key(b))
                .then_with(|| a.category.cmp(&b.category))
                .then_with(|| a.subjects.cmp(&b.subjects))
                .then(a.coverage.total_cmp(&b.coverage))
        });
        self.flows
            .sort_by(|a, b| (a.from, a.to, &a.categories).cmp(&(b.from, b.to, &b.categories)));
        self.sorted = true;
        self
    }

    /// Ids of every node of a kind, in model order.
    pub fn nodes_of(&self, kind: NodeKind) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.nodes.len() as NodeId).filter(move |&n| self.kind(n) == kind)
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
    fn node_lookup_finds_every_id_and_no_other() {
        // Lengths around the inline limit, long ids sharing their inline prefix, and enough
        // nodes to grow the tables one insert at a time.
        let mut ids: Vec<String> = (0..3000).map(|i| format!("n{i}")).collect();
        for len in 20..28 {
            ids.push("x".repeat(len));
            ids.push(format!("{}{len}", "p".repeat(INLINE_ID)));
        }
        let mut one_by_one = Model::default();
        for id in &ids {
            one_by_one.add_node(id, NodeKind::Account);
        }
        let mut at_once = Model::default();
        at_once.add_nodes(
            ids.iter()
                .map(|id| Node {
                    id: id.as_str().into(),
                    kind: NodeKind::Group,
                })
                .collect(),
        );
        for m in [&one_by_one, &at_once] {
            for (i, id) in ids.iter().enumerate() {
                assert_eq!(m.node_id(id), Some(i as NodeId), "{id}");
            }
            for absent in [
                "n3000",
                "",
                "x",
                &"x".repeat(28),
                &"p".repeat(INLINE_ID + 1),
            ] {
                assert_eq!(m.node_id(absent), None, "{absent}");
            }
        }
    }

    #[test]
    fn category_prefixes_follow_dots() {
        assert!(category_matches("user.location.precise", "user.location"));
        assert!(category_matches("user.location", "user.location"));
        assert!(!category_matches("user.locations", "user.location"));
        assert!(!category_matches("user", "user.location"));
    }
}

#[cfg(test)]
mod link_tests {
    use super::*;

    #[test]
    fn links_are_compact_and_keep_every_figure() {
        assert_eq!(std::mem::size_of::<Link>(), 40);
        let l = Link::new(1, 2, LinkKind::Custom(Label::new("x")))
            .with_p(Some(0.25))
            .with_time(Some(0.0))
            .with_last_used_days(Some(u32::MAX));
        assert_eq!(l.p(), Some(0.25));
        assert_eq!(l.time(), Some(0.0));
        assert_eq!(l.last_used_days(), Some(u32::MAX));
        let plain = Link::new(1, 2, LinkKind::Member);
        assert_eq!(
            (plain.p(), plain.time(), plain.last_used_days()),
            (None, None, None)
        );
        assert_eq!(Label::new("x"), Label::new("x"));
        assert!(Label::new("a") < Label::new("b"));
    }
}
