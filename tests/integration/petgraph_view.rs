//! petgraph's traversal traits on the attack graph's CSR arrays, so petgraph's algorithms
//! (strongly connected components, searches) run on the graph itself as an independent check
//! of ours. The library does not depend on petgraph: the traits are implemented here, on a
//! view, since a test crate may not implement petgraph's traits for the library's type.

use blastradius::graph::scc::graph_components;
use blastradius::graph::{AttackGraph, EdgeId};
use blastradius::model::NodeId;
use fixedbitset::FixedBitSet;
use petgraph::visit::{
    GraphBase, IntoNeighbors, IntoNeighborsDirected, IntoNodeIdentifiers, NodeCount, NodeIndexable,
    Visitable,
};
use petgraph::Direction;

/// The attack graph as petgraph sees it; petgraph's algorithms take `&View`.
pub struct View<'a>(pub &'a AttackGraph);

impl GraphBase for View<'_> {
    type NodeId = NodeId;
    type EdgeId = EdgeId;
}

impl NodeCount for &View<'_> {
    fn node_count(&self) -> usize {
        self.0.node_count
    }
}

impl NodeIndexable for &View<'_> {
    fn node_bound(&self) -> usize {
        self.0.node_count
    }
    fn to_index(&self, a: NodeId) -> usize {
        a as usize
    }
    fn from_index(&self, i: usize) -> NodeId {
        i as NodeId
    }
}

impl Visitable for &View<'_> {
    type Map = FixedBitSet;
    fn visit_map(&self) -> FixedBitSet {
        FixedBitSet::with_capacity(self.0.node_count)
    }
    fn reset_map(&self, map: &mut FixedBitSet) {
        map.clear();
        map.grow(self.0.node_count);
    }
}

/// Neighbours of a node in one direction.
pub struct Neighbors<'a> {
    graph: &'a AttackGraph,
    edges: std::slice::Iter<'a, EdgeId>,
    outgoing: bool,
}

impl Iterator for Neighbors<'_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        self.edges.next().map(|&e| {
            let edge = self.graph.edge(e);
            if self.outgoing {
                edge.to
            } else {
                edge.from
            }
        })
    }
}

impl<'a> IntoNeighbors for &View<'a> {
    type Neighbors = Neighbors<'a>;
    fn neighbors(self, n: NodeId) -> Neighbors<'a> {
        Neighbors {
            graph: self.0,
            edges: self.0.out(n).iter(),
            outgoing: true,
        }
    }
}

impl<'a> IntoNeighborsDirected for &View<'a> {
    type NeighborsDirected = Neighbors<'a>;
    fn neighbors_directed(self, n: NodeId, d: Direction) -> Neighbors<'a> {
        let outgoing = d == Direction::Outgoing;
        Neighbors {
            graph: self.0,
            edges: if outgoing {
                self.0.out(n)
            } else {
                self.0.incoming(n)
            }
            .iter(),
            outgoing,
        }
    }
}

impl IntoNodeIdentifiers for &View<'_> {
    type NodeIdentifiers = std::ops::Range<NodeId>;
    fn node_identifiers(self) -> std::ops::Range<NodeId> {
        0..self.0.node_count as NodeId
    }
}

/// The components as sorted node sets, sorted.
fn partition(mut comps: Vec<Vec<NodeId>>) -> Vec<Vec<NodeId>> {
    comps.iter_mut().for_each(|c| c.sort_unstable());
    comps.sort();
    comps
}

#[test]
fn components_match_petgraph_and_come_sinks_first() {
    let mut with_cycles = 0;
    for seed in 0..4 {
        let model = blastradius::generate::generate(400, seed);
        let graph = AttackGraph::build(&model);
        let found = graph_components(&graph);
        let ours: Vec<Vec<NodeId>> = (0..found.len()).map(|c| found.of(c).to_vec()).collect();
        with_cycles += ours.iter().filter(|c| c.len() > 1).count();
        let theirs = petgraph::algo::tarjan_scc(&View(&graph));
        assert_eq!(partition(ours.clone()), partition(theirs));
        // Sinks first: every edge stays in its component or goes to an earlier one.
        let mut comp = vec![0usize; graph.node_count];
        for (c, members) in ours.iter().enumerate() {
            for &v in members {
                comp[v as usize] = c;
            }
        }
        for e in graph.edges() {
            assert!(comp[e.to as usize] <= comp[e.from as usize]);
        }
    }
    assert!(with_cycles > 0, "the generated graphs had no cycle to test");
}
