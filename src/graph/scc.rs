//! Strongly connected components of the attack graph (Pearce's space-efficient variant of
//! Tarjan's algorithm, iterative, on the CSR adjacency: one `u32` per node, no second copy of
//! the graph, no recursion however deep the graph).

use super::{AttackGraph, Steps};
use crate::model::NodeId;

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

    /// The components of `comp` (each node's component, `count` of them), members grouped
    /// by a counting sort, so each group is in ascending order.
    pub fn group(comp: &[u32], count: usize) -> Components {
        let mut starts = vec![0u32; count + 1];
        for &c in comp {
            starts[c as usize + 1] += 1;
        }
        for c in 0..count {
            starts[c + 1] += starts[c];
        }
        let mut fill = starts[..count].to_vec();
        let mut members = vec![0u32; comp.len()];
        for (v, &c) in comp.iter().enumerate() {
            members[fill[c as usize] as usize] = v as u32;
            fill[c as usize] += 1;
        }
        Components { members, starts }
    }
}

/// Components of the subgraph on `nodes`, which must be closed under the graph's edges (every
/// edge from a node of the list leads to a node of the list: the whole graph, or a reach).
/// `position[g]` is where graph node `g` is in `nodes`.
pub fn strong_components(graph: &AttackGraph, nodes: &[NodeId], position: &[u32]) -> Components {
    strong_components_by(nodes, position, |n, i| {
        graph.out(n).get(i).map(|&e| graph.target(e))
    })
}

/// [`strong_components`] over the steps `step(n, i)` gives: the target of node `n`'s `i`-th
/// step, `None` past its last (a graph with some nodes' steps replaced, never built).
pub fn strong_components_by(
    nodes: &[NodeId],
    position: &[u32],
    step: impl Fn(NodeId, usize) -> Option<NodeId>,
) -> Components {
    let (comp, count) = component_of(nodes.len(), |v, i| {
        step(nodes[v as usize], i).map(|t| {
            let w = position[t as usize];
            debug_assert!(w != u32::MAX, "the node list is closed under edges");
            w
        })
    });
    Components::group(&comp, count)
}

/// The component of each of the nodes `0..node_count` under the steps `step(v, i)` (the
/// target of `v`'s `i`-th step, `None` past its last), and how many components there are.
/// Components are numbered sinks first, in the order Tarjan's algorithm completes them (a
/// depth-first search from each unvisited node in turn, each node's steps in order).
///
/// Pearce's algorithm ("A space-efficient algorithm for finding strongly connected
/// components", 2016): `rindex[v]` is 0 while `v` is unvisited, then its visit number (later
/// the smallest visit number it reaches), and once its component is complete, `node_count -
/// c` for component `c`. Visit numbers are given back as components complete, so they stay
/// below every completed component's value and a completed node never lowers an open one.
pub fn component_of(
    node_count: usize,
    step: impl Fn(u32, usize) -> Option<u32>,
) -> (Vec<u32>, usize) {
    let (comp, found) = completed(node_count, step);
    (comp, found.len())
}

/// [`component_of`] with the members of each component as it completed them (each group in
/// the order its nodes were popped, not sorted): no second pass to group them.
pub fn completed(
    node_count: usize,
    step: impl Fn(u32, usize) -> Option<u32>,
) -> (Vec<u32>, Components) {
    completed_over(node_count, &ByStep(step))
}

/// [`completed`] over the whole graph's steps, read straight from a compact copy of where each
/// node's steps lead ([`AttackGraph::steps`]): the same components in the same order.
pub fn completed_steps(steps: &Steps) -> (Vec<u32>, Components) {
    completed_over(steps.node_count(), steps)
}

/// How Tarjan's walk reads a node's steps: a cursor from `start(v)`, advanced by `next` until
/// it gives `None` (the monomorphised walk inlines either kind of adjacency).
trait Adjacency {
    fn start(&self, v: u32) -> u32;
    fn next(&self, v: u32, cursor: &mut u32) -> Option<u32>;
}

/// Steps given one at a time by a function: the cursor is the step's rank.
struct ByStep<F>(F);

impl<F: Fn(u32, usize) -> Option<u32>> Adjacency for ByStep<F> {
    #[inline]
    fn start(&self, _: u32) -> u32 {
        0
    }
    #[inline]
    fn next(&self, v: u32, cursor: &mut u32) -> Option<u32> {
        let w = (self.0)(v, *cursor as usize)?;
        *cursor += 1;
        Some(w)
    }
}

/// CSR steps: the cursor is the position in the targets.
impl Adjacency for Steps<'_> {
    #[inline]
    fn start(&self, v: u32) -> u32 {
        self.offsets[v as usize]
    }
    #[inline]
    fn next(&self, v: u32, cursor: &mut u32) -> Option<u32> {
        if *cursor < self.offsets[v as usize + 1] {
            let w = self.targets[*cursor as usize];
            *cursor += 1;
            Some(w)
        } else {
            None
        }
    }
}

/// Pearce's walk (see [`component_of`]) over any adjacency.
fn completed_over(node_count: usize, adjacency: &impl Adjacency) -> (Vec<u32>, Components) {
    let n = node_count as u32;
    let mut found = Components {
        members: Vec::with_capacity(node_count),
        starts: vec![0],
    };
    let mut rindex = vec![0u32; node_count];
    let mut next_visit = 1u32;
    let mut done_value = n; // the value of the next component to complete
    let mut stack: Vec<u32> = Vec::new();
    // The depth-first path: (node, cursor of its next step, whether it is still its
    // component's root).
    let mut path: Vec<(u32, u32, bool)> = Vec::new();
    for start in 0..n {
        if rindex[start as usize] != 0 {
            continue;
        }
        rindex[start as usize] = next_visit;
        next_visit += 1;
        path.push((start, adjacency.start(start), true));
        while let Some(&mut (v, ref mut cursor, ref mut root)) = path.last_mut() {
            if let Some(w) = adjacency.next(v, cursor) {
                if rindex[w as usize] == 0 {
                    rindex[w as usize] = next_visit;
                    next_visit += 1;
                    path.push((w, adjacency.start(w), true));
                } else if rindex[w as usize] < rindex[v as usize] {
                    rindex[v as usize] = rindex[w as usize];
                    *root = false;
                }
                continue;
            }
            let is_root = *root;
            path.pop();
            if is_root {
                // v completes its component: itself and the stacked nodes visited after it.
                next_visit -= 1;
                while let Some(&w) = stack.last() {
                    if rindex[w as usize] < rindex[v as usize] {
                        break;
                    }
                    stack.pop();
                    rindex[w as usize] = done_value;
                    next_visit -= 1;
                    found.members.push(w);
                }
                rindex[v as usize] = done_value;
                done_value -= 1;
                found.members.push(v);
                found.starts.push(found.members.len() as u32);
            } else {
                stack.push(v);
            }
            if let Some(&mut (u, _, ref mut root)) = path.last_mut() {
                if rindex[v as usize] < rindex[u as usize] {
                    rindex[u as usize] = rindex[v as usize];
                    *root = false;
                }
            }
        }
    }
    for r in rindex.iter_mut() {
        *r = n - *r;
    }
    (rindex, found)
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
    let (comp, count) = component_of(node_count, step);
    Components::group(&comp, count)
}
