//! Attack paths between two nodes, shortest first (fewest steps, then most likely): Yen's
//! k-shortest simple paths over a Dijkstra whose cost is (steps, −Σ ln p).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::graph::{AttackGraph, EdgeId};
use crate::model::NodeId;

/// One simple attack path.
#[derive(Debug, Clone, PartialEq)]
pub struct AttackPath {
    pub edges: Vec<EdgeId>,
    /// Product of the edges' success probabilities.
    pub probability: f64,
}

#[derive(Clone, Copy, PartialEq)]
struct Cost {
    steps: u32,
    neg_log_p: f64,
}

impl Eq for Cost {}

impl Ord for Cost {
    fn cmp(&self, other: &Self) -> Ordering {
        self.steps
            .cmp(&other.steps)
            .then(self.neg_log_p.total_cmp(&other.neg_log_p))
    }
}

impl PartialOrd for Cost {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn cost_of(graph: &AttackGraph, edges: &[EdgeId]) -> Cost {
    Cost {
        steps: edges.len() as u32,
        neg_log_p: edges.iter().map(|&e| -graph.edge(e).p.ln()).sum(),
    }
}

/// A Dijkstra's working memory, kept between the searches of one query: at a million people
/// a fresh cost and parent per node is 50 MB for each of Yen's spur searches. Only the nodes a
/// search touched are reset after it.
struct Scratch {
    best: Vec<Option<Cost>>,
    parent: Vec<EdgeId>,
    touched: Vec<NodeId>,
}

impl Scratch {
    fn new(n: usize) -> Scratch {
        Scratch {
            best: vec![None; n],
            parent: vec![EdgeId::MAX; n],
            touched: Vec::new(),
        }
    }

    fn set(&mut self, node: NodeId, cost: Cost, parent: EdgeId) {
        if self.best[node as usize].is_none() {
            self.touched.push(node);
        }
        self.best[node as usize] = Some(cost);
        self.parent[node as usize] = parent;
    }

    fn reset(&mut self) {
        for &n in &self.touched {
            self.best[n as usize] = None;
            self.parent[n as usize] = EdgeId::MAX;
        }
        self.touched.clear();
    }
}

/// Cheapest path from `from` to `to` avoiding banned nodes and edges.
fn dijkstra(
    graph: &AttackGraph,
    from: NodeId,
    to: NodeId,
    banned_node: &[bool],
    banned_edge: &[bool],
    scratch: &mut Scratch,
) -> Option<Vec<EdgeId>> {
    let found = search(graph, from, to, banned_node, banned_edge, scratch);
    scratch.reset();
    found
}

/// [`dijkstra`]'s search itself: it leaves the nodes it touched in `scratch`, which its
/// caller resets whichever way it returns.
fn search(
    graph: &AttackGraph,
    from: NodeId,
    to: NodeId,
    banned_node: &[bool],
    banned_edge: &[bool],
    scratch: &mut Scratch,
) -> Option<Vec<EdgeId>> {
    let mut heap = BinaryHeap::new();
    let start = Cost {
        steps: 0,
        neg_log_p: 0.0,
    };
    scratch.set(from, start, EdgeId::MAX);
    heap.push(std::cmp::Reverse((start, from)));
    while let Some(std::cmp::Reverse((cost, node))) = heap.pop() {
        if scratch.best[node as usize] != Some(cost) {
            continue;
        }
        if node == to {
            let mut path = Vec::new();
            let mut cur = to;
            while cur != from {
                let e = scratch.parent[cur as usize];
                path.push(e);
                cur = graph.edge(e).from;
            }
            path.reverse();
            return Some(path);
        }
        for &e in graph.out(node) {
            let edge = graph.edge(e);
            if banned_edge[e as usize] || banned_node[edge.to as usize] {
                continue;
            }
            let next = Cost {
                steps: cost.steps + 1,
                neg_log_p: cost.neg_log_p - edge.p.ln(),
            };
            if scratch.best[edge.to as usize].is_none_or(|b| next < b) {
                scratch.set(edge.to, next, e);
                heap.push(std::cmp::Reverse((next, edge.to)));
            }
        }
    }
    None
}

/// Up to `limit` simple paths from `from` to `to`, fewest steps first, then most likely.
pub fn attack_paths(
    graph: &AttackGraph,
    from: NodeId,
    to: NodeId,
    limit: usize,
) -> Vec<AttackPath> {
    let n = graph.node_count;
    let mut banned_node = vec![false; n];
    let mut banned_edge = vec![false; graph.edge_count()];
    let make = |edges: Vec<EdgeId>| AttackPath {
        probability: edges.iter().map(|&e| graph.edge(e).p).product(),
        edges,
    };
    if limit == 0 || from == to {
        return Vec::new();
    }
    let mut scratch = Scratch::new(n);
    let Some(first) = dijkstra(graph, from, to, &banned_node, &banned_edge, &mut scratch) else {
        return Vec::new();
    };
    let mut found: Vec<Vec<EdgeId>> = vec![first];
    let mut candidates: Vec<(Cost, Vec<EdgeId>)> = Vec::new();
    while found.len() < limit {
        let prev = found.last().expect("at least one path").clone();
        let nodes: Vec<NodeId> = std::iter::once(from)
            .chain(prev.iter().map(|&e| graph.edge(e).to))
            .collect();
        for i in 0..prev.len() {
            let spur = nodes[i];
            let root = &prev[..i];
            for p in &found {
                if p.len() > i && p[..i] == *root {
                    banned_edge[p[i] as usize] = true;
                }
            }
            for &node in &nodes[..i] {
                banned_node[node as usize] = true;
            }
            if let Some(spur_path) =
                dijkstra(graph, spur, to, &banned_node, &banned_edge, &mut scratch)
            {
                let mut total = root.to_vec();
                total.extend(spur_path);
                if !found.contains(&total) && !candidates.iter().any(|(_, c)| *c == total) {
                    candidates.push((cost_of(graph, &total), total));
                }
            }
            // Unbanned as they were banned: clearing every edge is 6 MB per spur at 1M people.
            for p in &found {
                if p.len() > i && p[..i] == *root {
                    banned_edge[p[i] as usize] = false;
                }
            }
            for &node in &nodes[..i] {
                banned_node[node as usize] = false;
            }
        }
        if candidates.is_empty() {
            break;
        }
        // Cheapest candidate; ties broken by the edge keys so the order is stable.
        let best = (0..candidates.len())
            .min_by(|&a, &b| {
                candidates[a].0.cmp(&candidates[b].0).then_with(|| {
                    let ka = candidates[a].1.iter().map(|&e| graph.edge(e).key);
                    let kb = candidates[b].1.iter().map(|&e| graph.edge(e).key);
                    ka.cmp(kb)
                })
            })
            .expect("candidates is not empty");
        found.push(candidates.swap_remove(best).1);
    }
    found.into_iter().map(make).collect()
}

/// The most likely path from any of `sources` to every node: Dijkstra on −ln p, so each path is
/// the single chain of steps most likely to be open all at once in a trial (ties: fewer steps).
/// Returned as a [`Reach`](super::reach::Reach) whose parents give the paths.
pub fn most_likely(graph: &AttackGraph, sources: &[NodeId]) -> super::reach::Reach {
    most_likely_from(graph, sources, None)
}

/// [`most_likely`] from entry points each taken with its probability (`entry[i]` for
/// `sources[i]`, DESIGN.md "Entry likelihood"; `None`: always): a path's likelihood is its
/// entry's times its steps', so a path from an account that one attempt rarely takes loses to
/// a longer one from an account it often takes.
pub fn most_likely_from(
    graph: &AttackGraph,
    sources: &[NodeId],
    entry: Option<&[f64]>,
) -> super::reach::Reach {
    let n = graph.node_count;
    let mut r = super::reach::Reach {
        reached: vec![false; n],
        depth: vec![u32::MAX; n],
        parent: vec![super::reach::NO_EDGE; n],
        order: Vec::new(),
    };
    let mut best: Vec<Option<Cost>> = vec![None; n];
    let mut heap = BinaryHeap::new();
    for (i, &s) in sources.iter().enumerate() {
        let start = Cost {
            steps: 0,
            neg_log_p: entry.map_or(0.0, |p| 0.0 - p[i].ln()),
        };
        if best[s as usize].is_some_and(|b| ProbabilityFirst(b) <= ProbabilityFirst(start)) {
            continue;
        }
        best[s as usize] = Some(start);
        heap.push(std::cmp::Reverse((ProbabilityFirst(start), s)));
    }
    while let Some(std::cmp::Reverse((ProbabilityFirst(cost), node))) = heap.pop() {
        if r.reached[node as usize] || best[node as usize] != Some(cost) {
            continue;
        }
        r.reached[node as usize] = true;
        r.depth[node as usize] = cost.steps;
        r.order.push(node);
        for &e in graph.out(node) {
            let edge = graph.edge(e);
            let next = Cost {
                steps: cost.steps + 1,
                neg_log_p: cost.neg_log_p - edge.p.ln(),
            };
            let better = match best[edge.to as usize] {
                None => true,
                Some(b) => ProbabilityFirst(next) < ProbabilityFirst(b),
            };
            if !r.reached[edge.to as usize] && better {
                best[edge.to as usize] = Some(next);
                r.parent[edge.to as usize] = e;
                heap.push(std::cmp::Reverse((ProbabilityFirst(next), edge.to)));
            }
        }
    }
    r
}

/// Orders costs by probability first, then steps.
#[derive(Clone, Copy, PartialEq, Eq)]
struct ProbabilityFirst(Cost);

impl Ord for ProbabilityFirst {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .neg_log_p
            .total_cmp(&other.0.neg_log_p)
            .then(self.0.steps.cmp(&other.0.steps))
    }
}

impl PartialOrd for ProbabilityFirst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
