//! A model's canonical form: nodes numbered in id order and every list in a fixed order, so
//! that nothing computed from a model depends on the order of entries in its files.

use rayon::prelude::*;

use super::ids::IdIndex;
use super::{Amount, Link, LinkKind, Model, Node, NodeId, NodeKind, RecordSet};

impl Model {
    /// The same model with nodes numbered in id order and every list in a canonical order, so
    /// that nothing computed from it depends on the order of entries in the input files.
    pub fn canonical(mut self) -> Model {
        // Lookups search the sorted nodes from here on.
        self.ids = IdIndex::default();
        self.few_ids = IdIndex::default();
        let sorted = self.nodes.windows(2).all(|w| w[0].id < w[1].id);
        if !sorted {
            self.renumber_by_id();
        }
        canonical_links(&mut self.links);
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

    /// Numbers the nodes in id order, and every node id held anywhere with them.
    fn renumber_by_id(&mut self) {
        let n = self.nodes.len();
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
        self.names = std::mem::take(&mut self.names)
            .into_iter()
            .map(|(n, name)| (remap[n as usize], name))
            .collect();
    }
}

/// Puts the links in order by (from, to, kind), then by every other field, so that equal links
/// are identical and the order is canonical. Links come in runs already in order (a side
/// file's rows in id order add their links in order), which the standard library's merge sort
/// finds and merges, with a buffer of half the links: the copy of the links in their new order
/// that the load made before was its peak (250 MB at a million people), and an unstable
/// parallel sort, blind to the runs, took four times as long.
fn canonical_links(links: &mut [Link]) {
    let opt = |x: Option<f64>| x.map_or(f64::NEG_INFINITY, |v| v);
    links.sort_by(|a, b| {
        (a.from, a.to, rank(&a.kind))
            .cmp(&(b.from, b.to, rank(&b.kind)))
            .then_with(|| kind_rank(&a.kind).cmp(&kind_rank(&b.kind)))
            .then(opt(a.p()).total_cmp(&opt(b.p())))
            .then(opt(a.time()).total_cmp(&opt(b.time())))
            .then(a.last_used_days().cmp(&b.last_used_days()))
    });
}

/// The order of link kinds, access levels apart, custom labels together.
fn rank(k: &LinkKind) -> u8 {
    match k {
        LinkKind::Owns => 0,
        LinkKind::Member => 1,
        LinkKind::Grant(a) => 2 + *a as u8,
        LinkKind::Credential => 5,
        LinkKind::Access(a) => 6 + *a as u8,
        LinkKind::Custom(_) => 9,
    }
}

/// The order of link kinds with custom labels by their text.
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
