//! Worst case (DESIGN.md Semantics): every edge with p > 0 succeeds. The blast radius is every
//! node reachable from the compromised ones; every store in it leaks; stores a controlled
//! principal can write to (write or admin access) are exposed to tampering.

use super::exposure::{exposure_of, Exposure};
use super::reach::{forward, Reach};
use crate::graph::AttackGraph;
use crate::model::records::Holdings;
use crate::model::{Access, LinkKind, Model, NodeId, NodeKind};

/// The worst-case result of one scenario.
#[derive(Debug, Clone)]
pub struct WorstCase {
    pub reach: Reach,
    /// Every node the attacker controls, in node order.
    pub controlled: Vec<NodeId>,
    pub leaked_stores: Vec<NodeId>,
    pub tampered_stores: Vec<NodeId>,
    pub exposure: Exposure,
}

/// Computes the worst-case blast radius of `sources`.
pub fn worst_case(
    model: &Model,
    graph: &AttackGraph,
    holdings: &Holdings,
    sources: &[NodeId],
) -> WorstCase {
    let reach = forward(graph, sources);
    let controlled: Vec<NodeId> = (0..model.node_count() as NodeId)
        .filter(|&n| reach.reached[n as usize])
        .collect();
    let leaked_stores: Vec<NodeId> = controlled
        .iter()
        .copied()
        .filter(|&n| model.kind(n) == NodeKind::Store)
        .collect();
    let mut tampered = vec![false; model.node_count()];
    for link in &model.links {
        let writes = matches!(
            link.kind,
            LinkKind::Grant(Access::Write | Access::Admin)
                | LinkKind::Access(Access::Write | Access::Admin)
        );
        if writes && reach.reached[link.from as usize] && model.kind(link.to) == NodeKind::Store {
            tampered[link.to as usize] = true;
        }
    }
    let tampered_stores = (0..model.node_count() as NodeId)
        .filter(|&n| tampered[n as usize])
        .collect();
    let exposure = exposure_of(model, holdings, leaked_stores.iter().copied());
    WorstCase {
        reach,
        controlled,
        leaked_stores,
        tampered_stores,
        exposure,
    }
}
