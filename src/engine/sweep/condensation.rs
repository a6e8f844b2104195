//! The attack graph condensed into its strongly connected components: a DAG, numbered
//! successors first, with each component's distinct successors and predecessor count.

use crate::graph::scc::step_components;
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
            graph.out(n).get(i).map(|&e| graph.edge(e).to)
        })
    }

    /// The condensation of the `node_count` nodes and the steps `step(n, i)` gives (the target
    /// of node `n`'s `i`-th step, `None` past its last): a graph with some nodes' steps
    /// replaced condenses without being built.
    pub fn of_steps(
        node_count: usize,
        step: impl Fn(NodeId, usize) -> Option<NodeId>,
    ) -> Condensation {
        let found = step_components(node_count, &step);
        let n = node_count;
        let k = found.len();
        let mut comp = vec![0u32; n];
        let mut size = vec![0u32; k];
        for (c, sz) in size.iter_mut().enumerate() {
            *sz = found.of(c).len() as u32;
            for &v in found.of(c) {
                comp[v as usize] = c as u32;
            }
        }
        let mut offsets = vec![0u32; k + 1];
        let mut succ = Vec::new();
        let mut indegree = vec![0u32; k];
        let mut parent = vec![u32::MAX; k];
        let mut scratch: Vec<u32> = Vec::new();
        for c in 0..k {
            scratch.clear();
            for &v in found.of(c) {
                let mut i = 0;
                while let Some(t) = step(v, i) {
                    i += 1;
                    let d = comp[t as usize];
                    if d as usize != c {
                        scratch.push(d);
                    }
                }
            }
            scratch.sort_unstable();
            scratch.dedup();
            for &d in &scratch {
                indegree[d as usize] += 1;
                parent[d as usize] = c as u32;
            }
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
