//! The attack graph condensed into its strongly connected components: a DAG, numbered
//! successors first, with each component's distinct successors and predecessor count.

use crate::graph::scc::{component_of, Components};
use crate::graph::AttackGraph;
use crate::model::NodeId;

/// The attack graph condensed into strongly connected components.
#[derive(Clone)]
pub struct Condensation {
    /// Component of each node; components are numbered successors first.
    pub comp: Vec<u32>,
    pub size: Vec<u32>,
    /// DAG successors of component c: `succ[offsets[c]..offsets[c + 1]]`, distinct.
    offsets: Vec<u32>,
    succ: Vec<u32>,
    /// Number of distinct predecessor components, and (when it is one) which.
    pub(super) indegree: Vec<u32>,
    pub(super) parent: Vec<u32>,
}

impl Condensation {
    pub fn new(graph: &AttackGraph) -> Condensation {
        Condensation::of_steps(graph.node_count, |n, i| {
            graph.out(n).get(i).map(|&e| graph.target(e))
        })
    }

    /// The condensation of the `node_count` nodes and the steps `step(n, i)` gives (the target
    /// of node `n`'s `i`-th step, `None` past its last): a graph with some nodes' steps
    /// replaced condenses without being built.
    pub fn of_steps(
        node_count: usize,
        step: impl Fn(NodeId, usize) -> Option<NodeId>,
    ) -> Condensation {
        let (comp, k) = component_of(node_count, &step);
        let found = Components::group(&comp, k);
        let size: Vec<u32> = found.starts.windows(2).map(|w| w[1] - w[0]).collect();
        let mut offsets = vec![0u32; k + 1];
        let mut succ = Vec::new();
        let mut indegree = vec![0u32; k];
        let mut parent = vec![u32::MAX; k];
        // `parent[d] == c` also marks d as already among c's successors: c's successors are
        // gathered before any later component's.
        let mut scratch: Vec<u32> = Vec::new();
        for c in 0..k {
            scratch.clear();
            for &v in found.of(c) {
                let mut i = 0;
                while let Some(t) = step(v, i) {
                    i += 1;
                    let d = comp[t as usize];
                    if d as usize != c && parent[d as usize] != c as u32 {
                        parent[d as usize] = c as u32;
                        indegree[d as usize] += 1;
                        scratch.push(d);
                    }
                }
            }
            scratch.sort_unstable();
            succ.extend_from_slice(&scratch);
            offsets[c + 1] = succ.len() as u32;
        }
        Condensation {
            comp,
            size,
            offsets,
            succ,
            indegree,
            parent,
        }
    }

    pub fn len(&self) -> usize {
        self.size.len()
    }

    pub fn is_empty(&self) -> bool {
        self.size.is_empty()
    }

    #[inline]
    pub(super) fn successors(&self, c: usize) -> &[u32] {
        &self.succ[self.offsets[c] as usize..self.offsets[c + 1] as usize]
    }
}
