//! Entry likelihood (DESIGN.md "Entry likelihood"): with an attack vector, a compromised
//! account is taken with the vector's probability for its MFA (or for service accounts, when the
//! vector gives one), and a compromised person's
//! accounts are each taken with theirs, in place of the person's owns steps (the person node
//! itself is not taken); compromised systems and stores are taken as before. Each account's
//! entry is a keyed draw of its own ([`entry_key`]): the same account in the same trial is taken
//! or not whichever entry point names it, and designs evaluated on the same seed share the draws.

use crate::graph::stable_hash;
use crate::model::entry::Vector;
use crate::model::{LinkKind, Model, NodeId, NodeKind};

use super::random::ENTRY_SALT;

/// The nodes an attack starts from and the probability each is taken, by node (sorted, no
/// repeats). Nodes that can never be taken (p = 0) are left out: the worst case takes every
/// node listed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EntryPoints {
    pub nodes: Vec<NodeId>,
    pub p: Vec<f64>,
}

impl EntryPoints {
    /// Whether every entry point is always taken (no vector, or p = 1 throughout).
    pub fn certain(&self) -> bool {
        self.p.iter().all(|&p| p >= 1.0)
    }
}

/// The key of an account's entry draw: a hash of its id, apart from every edge's keys.
pub fn entry_key(id: &str) -> u64 {
    stable_hash(&[id.as_bytes()]) ^ ENTRY_SALT
}

/// The accounts each person owns, by node (empty for other nodes).
fn owned_accounts(model: &Model) -> Vec<Vec<NodeId>> {
    let mut owned = vec![Vec::new(); model.node_count()];
    for l in &model.links {
        if l.kind == LinkKind::Owns && model.kind(l.to) == NodeKind::Account {
            owned[l.from as usize].push(l.to);
        }
    }
    owned
}

/// Where an attack on `compromised` starts: without a vector, the compromised nodes themselves,
/// each certain; with one, accounts by their entry probability and people by their accounts'.
pub fn entry_points(model: &Model, vector: Option<&Vector>, compromised: &[NodeId]) -> EntryPoints {
    let mut pairs: Vec<(NodeId, f64)> = match vector {
        None => compromised.iter().map(|&n| (n, 1.0)).collect(),
        Some(v) => {
            let owned = if compromised
                .iter()
                .any(|&n| model.kind(n) == NodeKind::Person)
            {
                owned_accounts(model)
            } else {
                Vec::new()
            };
            let account = |a: NodeId| (a, v.p(model, a));
            compromised
                .iter()
                .flat_map(|&n| match model.kind(n) {
                    NodeKind::Account => vec![account(n)],
                    NodeKind::Person => owned[n as usize].iter().map(|&a| account(a)).collect(),
                    _ => vec![(n, 1.0)],
                })
                .filter(|&(_, p)| p > 0.0)
                .collect()
        }
    };
    pairs.sort_by_key(|&(n, _)| n);
    pairs.dedup_by_key(|&mut (n, _)| n);
    EntryPoints {
        nodes: pairs.iter().map(|&(n, _)| n).collect(),
        p: pairs.iter().map(|&(_, p)| p).collect(),
    }
}

/// The entry probability of every node of `kind` (in [`Model::nodes_of`] order) as the sole
/// compromised node of `vector`: an account's own; a person's that at least one of their
/// accounts is taken, 1 − Π(1 − p) over them (the draws are independent); `None` for other
/// kinds, which an attack vector does not apply to.
pub fn probabilities(model: &Model, vector: &Vector, kind: NodeKind) -> Option<Vec<f64>> {
    match kind {
        NodeKind::Account => Some(model.nodes_of(kind).map(|a| vector.p(model, a)).collect()),
        NodeKind::Person => {
            let owned = owned_accounts(model);
            Some(
                model
                    .nodes_of(kind)
                    .map(|n| {
                        let missed: f64 = owned[n as usize]
                            .iter()
                            .map(|&a| 1.0 - vector.p(model, a))
                            .product();
                        1.0 - missed
                    })
                    .collect(),
            )
        }
        _ => None,
    }
}

/// The Monte Carlo expectation of each source attacked once by `vector`: the mean exposure,
/// with its 95% interval (1.96 standard errors of the mean), over `trials` trials in which the source's accounts are taken by their entry draws and every
/// attack step by its own (no time model). A source the vector cannot take expects 0.
pub fn simulated_expectations(
    analysis: &crate::Analysis,
    vector: &Vector,
    sources: &[NodeId],
    trials: u32,
    seed: u64,
) -> Vec<(f64, [f64; 2])> {
    let simulation = crate::scenario::Simulation {
        trials,
        seed,
        detection: None,
    };
    sources
        .iter()
        .map(|&s| {
            let entry = entry_points(&analysis.model, Some(vector), &[s]);
            if entry.nodes.is_empty() || trials == 0 {
                return (0.0, [0.0, 0.0]);
            }
            let t = analysis.simulate_entry(
                &entry.nodes,
                Some(&entry.p),
                &simulation,
                &super::NoProgress,
            );
            let (mean, sd) = super::stats::mean_sd(&t.exposure);
            let half = 1.96 * sd / (t.exposure.len().max(1) as f64).sqrt();
            (mean, [mean - half, mean + half])
        })
        .collect()
}
