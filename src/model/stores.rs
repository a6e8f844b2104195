//! What stores hold and how: record sets, the flows that copy them between stores, and each
//! store's policy (retention and the changes designs make), kept for stores only.

use super::NodeId;

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
    /// Room for `n` nodes, those added without a policy.
    pub(super) fn resize(&mut self, n: usize) {
        self.slot.resize(n, NO_POLICY);
    }

    pub(super) fn push_node(&mut self) {
        self.slot.push(NO_POLICY);
    }

    /// Puts the nodes in a new order: node `i` becomes the old node `order[i]`.
    pub(super) fn reorder(&mut self, order: &[NodeId]) {
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
