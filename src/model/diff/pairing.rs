//! OLD's and NEW's nodes paired by id, once: one merge of the two versions' node lists sorted
//! by id, so that every later comparison of nodes is by number, never by searching an id.

use rayon::prelude::*;

use crate::model::{Model, NodeId, NodeKind};

/// One id of either version, with its node in each.
#[derive(Debug, Clone, Copy)]
pub(super) struct Pair<'a> {
    pub id: &'a str,
    pub old: Option<(NodeId, NodeKind)>,
    pub new: Option<(NodeId, NodeKind)>,
}

impl Pair<'_> {
    /// The node in both versions (OLD's, NEW's), when it is in both.
    pub fn both(&self) -> Option<(NodeId, NodeId)> {
        Some((self.old?.0, self.new?.0))
    }
}

/// Every id of either version, sorted, paired.
pub(super) struct Pairing<'a> {
    pub pairs: Vec<Pair<'a>>,
    /// OLD's node → the same id's node in NEW.
    pub old_to_new: Vec<Option<NodeId>>,
}

fn by_id(m: &Model) -> Vec<(&str, NodeId, NodeKind)> {
    let mut v: Vec<(&str, NodeId, NodeKind)> = m
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i as NodeId, n.kind))
        .collect();
    // A canonical model's nodes are numbered in id order already.
    if !m.in_id_order() {
        v.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
    }
    v
}

impl<'a> Pairing<'a> {
    pub fn new(old: &'a Model, new: &'a Model) -> Pairing<'a> {
        let (o, n) = rayon::join(|| by_id(old), || by_id(new));
        let mut pairs = Vec::with_capacity(o.len().max(n.len()));
        let mut old_to_new = vec![None; old.node_count()];
        let (mut i, mut j) = (0, 0);
        while i < o.len() || j < n.len() {
            let order = match (o.get(i), n.get(j)) {
                (Some(a), Some(b)) => a.0.cmp(b.0),
                (Some(_), None) => std::cmp::Ordering::Less,
                _ => std::cmp::Ordering::Greater,
            };
            let (id, a, b) = match order {
                std::cmp::Ordering::Less => (o[i].0, Some(o[i]), None),
                std::cmp::Ordering::Greater => (n[j].0, None, Some(n[j])),
                std::cmp::Ordering::Equal => (o[i].0, Some(o[i]), Some(n[j])),
            };
            i += usize::from(a.is_some());
            j += usize::from(b.is_some());
            if let (Some(a), Some(b)) = (a, b) {
                old_to_new[a.1 as usize] = Some(b.1);
            }
            pairs.push(Pair {
                id,
                old: a.map(|x| (x.1, x.2)),
                new: b.map(|x| (x.1, x.2)),
            });
        }
        Pairing { pairs, old_to_new }
    }
}
