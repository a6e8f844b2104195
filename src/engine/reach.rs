//! Breadth-first reach over the attack graph, forwards (blast radius) and backwards (who can
//! reach a node), with shortest-path parents.

use crate::graph::{AttackGraph, EdgeId};
use crate::model::NodeId;

/// No parent edge: a start node or an unreached one.
pub const NO_EDGE: EdgeId = EdgeId::MAX;

/// Result of a breadth-first search: which nodes, how far, and the edge they were first
/// reached by.
#[derive(Debug, Clone)]
pub struct Reach {
    pub reached: Vec<bool>,
    pub depth: Vec<u32>,
    pub parent: Vec<EdgeId>,
    /// Reached nodes in visit order.
    pub order: Vec<NodeId>,
}

impl Reach {
    fn new(n: usize) -> Reach {
        Reach {
            reached: vec![false; n],
            depth: vec![u32::MAX; n],
            parent: vec![NO_EDGE; n],
            order: Vec::new(),
        }
    }

    /// Edges of the shortest path from a start node to `n` (forward search), in walking order.
    pub fn path_to(&self, graph: &AttackGraph, n: NodeId) -> Vec<EdgeId> {
        let mut path = Vec::new();
        let mut cur = n;
        while self.parent[cur as usize] != NO_EDGE {
            let e = self.parent[cur as usize];
            path.push(e);
            cur = graph.edge(e).from;
        }
        path.reverse();
        path
    }

    /// Edges of the shortest path from `n` to the target (backward search), in walking order.
    pub fn path_from(&self, graph: &AttackGraph, n: NodeId) -> Vec<EdgeId> {
        let mut path = Vec::new();
        let mut cur = n;
        while self.parent[cur as usize] != NO_EDGE {
            let e = self.parent[cur as usize];
            path.push(e);
            cur = graph.edge(e).to;
        }
        path
    }
}

/// Every node reachable from `sources` (themselves included), with shortest paths.
pub fn forward(graph: &AttackGraph, sources: &[NodeId]) -> Reach {
    bfs(graph, sources, true)
}

/// Every node that can reach one of `targets` (themselves included), with shortest paths.
pub fn backward(graph: &AttackGraph, targets: &[NodeId]) -> Reach {
    bfs(graph, targets, false)
}

fn bfs(graph: &AttackGraph, starts: &[NodeId], forward: bool) -> Reach {
    let mut r = Reach::new(graph.node_count);
    for &s in starts {
        if !r.reached[s as usize] {
            r.reached[s as usize] = true;
            r.depth[s as usize] = 0;
            r.order.push(s);
        }
    }
    let mut head = 0;
    while head < r.order.len() {
        let n = r.order[head];
        head += 1;
        let next_depth = r.depth[n as usize] + 1;
        let edges = if forward {
            graph.out(n)
        } else {
            graph.incoming(n)
        };
        for &e in edges {
            let edge = graph.edge(e);
            let m = if forward { edge.to } else { edge.from };
            if !r.reached[m as usize] {
                r.reached[m as usize] = true;
                r.depth[m as usize] = next_depth;
                r.parent[m as usize] = e;
                r.order.push(m);
            }
        }
    }
    r
}
