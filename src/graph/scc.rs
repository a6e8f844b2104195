//! Strongly connected components of the attack graph (Tarjan's algorithm, iterative, on the CSR
//! adjacency: no second copy of the graph, no recursion however deep the graph).

use super::AttackGraph;
use crate::model::NodeId;

const UNSEEN: u32 = u32::MAX;

/// Components, sinks first: every edge stays inside its component or leads to an earlier one.
#[derive(Debug, Clone, Default)]
pub struct Components {
    /// Members (positions in the node list given) grouped by component, each group in
    /// ascending order; component `c` is `members[starts[c]..starts[c + 1]]`.
    pub members: Vec<u32>,
    pub starts: Vec<u32>,
}

impl Components {
    pub fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn of(&self, c: usize) -> &[u32] {
        &self.members[self.starts[c] as usize..self.starts[c + 1] as usize]
    }
}

/// Components of the subgraph on `nodes`, which must be closed under the graph's edges (every
/// edge from a node of the list leads to a node of the list: the whole graph, or a reach).
/// `position[g]` is where graph node `g` is in `nodes`.
pub fn strong_components(graph: &AttackGraph, nodes: &[NodeId], position: &[u32]) -> Components {
    strong_components_by(nodes, position, |n, i| {
        graph.out(n).get(i).map(|&e| graph.edge(e).to)
    })
}

/// [`strong_components`] over the steps `step(n, i)` gives: the target of node `n`'s `i`-th
/// step, `None` past its last (a graph with some nodes' steps replaced, never built).
pub fn strong_components_by(
    nodes: &[NodeId],
    position: &[u32],
    step: impl Fn(NodeId, usize) -> Option<NodeId>,
) -> Components {
    let m = nodes.len();
    let mut index = vec![UNSEEN; m];
    let mut low = vec![0u32; m];
    let mut on_stack = vec![false; m];
    let mut stack: Vec<u32> = Vec::new();
    let mut call: Vec<(u32, u32)> = Vec::new(); // (node, next out-edge)
    let mut next_index = 0u32;
    let mut out = Components {
        members: Vec::with_capacity(m),
        starts: vec![0],
    };
    for root in 0..m as u32 {
        if index[root as usize] != UNSEEN {
            continue;
        }
        // The node to open next: the root, then each unvisited target met.
        let mut opening = Some(root);
        loop {
            if let Some(w) = opening.take() {
                index[w as usize] = next_index;
                low[w as usize] = next_index;
                next_index += 1;
                stack.push(w);
                on_stack[w as usize] = true;
                call.push((w, 0));
            }
            let Some(&mut (v, ref mut pos)) = call.last_mut() else {
                break;
            };
            if let Some(t) = step(nodes[v as usize], *pos as usize) {
                *pos += 1;
                let w = position[t as usize];
                debug_assert!(w != UNSEEN, "the node list is closed under edges");
                if index[w as usize] == UNSEEN {
                    opening = Some(w);
                } else if on_stack[w as usize] {
                    low[v as usize] = low[v as usize].min(index[w as usize]);
                }
                continue;
            }
            call.pop();
            if let Some(&(parent, _)) = call.last() {
                low[parent as usize] = low[parent as usize].min(low[v as usize]);
            }
            if low[v as usize] == index[v as usize] {
                let from = out.members.len();
                loop {
                    let w = stack.pop().expect("the component is on the stack");
                    on_stack[w as usize] = false;
                    out.members.push(w);
                    if w == v {
                        break;
                    }
                }
                out.members[from..].sort_unstable();
                out.starts.push(out.members.len() as u32);
            }
        }
    }
    out
}

/// Components of the whole graph, sinks first, as graph node ids.
pub fn graph_components(graph: &AttackGraph) -> Components {
    let nodes: Vec<NodeId> = (0..graph.node_count as NodeId).collect();
    strong_components(graph, &nodes, &nodes)
}

/// Components of the `node_count` nodes and the steps `step` gives (see
/// [`strong_components_by`]), sinks first, as node ids.
pub fn step_components(
    node_count: usize,
    step: impl Fn(NodeId, usize) -> Option<NodeId>,
) -> Components {
    let nodes: Vec<NodeId> = (0..node_count as NodeId).collect();
    strong_components_by(&nodes, &nodes, step)
}
