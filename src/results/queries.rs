//! Results of the model queries: validation, attack paths between two nodes, and reverse reach.

use serde::Serialize;

use super::{PathReport, Step};
use crate::engine::focus::{Focus, FocusReach};
use crate::engine::reach::{Reach, NO_EDGE};
use crate::error::Diagnostic;
use crate::graph::AttackGraph;
use crate::model::{Model, NodeId, NodeKind};

/// Diagnostics as their one-line messages.
fn messages<S: serde::Serializer>(warnings: &[Diagnostic], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(warnings.iter().map(|w| w.to_string()))
}

/// Node and link counts of a model.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ModelCounts {
    pub person: usize,
    pub account: usize,
    pub group: usize,
    pub system: usize,
    pub store: usize,
    pub links: usize,
    pub attack_edges: usize,
    pub integrity_only: usize,
    pub record_sets: usize,
    pub flows: usize,
}

/// What `validate` found in a valid model.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ValidationReport {
    pub model: String,
    pub name: String,
    pub valid: bool,
    pub counts: ModelCounts,
    /// Lint warnings, written as their messages in JSON.
    #[serde(serialize_with = "messages")]
    pub warnings: Vec<Diagnostic>,
}

impl ValidationReport {
    pub fn of(path: &str, model: &Model, warnings: &[Diagnostic]) -> Self {
        let (attack_edges, integrity_only) = AttackGraph::size_of(model);
        let count = |k: NodeKind| model.nodes_of(k).count();
        ValidationReport {
            model: path.to_string(),
            name: model.name.clone(),
            valid: true,
            counts: ModelCounts {
                person: count(NodeKind::Person),
                account: count(NodeKind::Account),
                group: count(NodeKind::Group),
                system: count(NodeKind::System),
                store: count(NodeKind::Store),
                links: model.links.len(),
                attack_edges,
                integrity_only,
                record_sets: model.record_sets.len(),
                flows: model.flows.len(),
            },
            warnings: warnings.to_vec(),
        }
    }
}

/// The attack paths between two nodes.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PathsReport {
    pub from: String,
    pub to: String,
    pub paths: Vec<PathReport>,
}

/// One node that can reach the target, with its shortest path.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReachRow {
    pub id: String,
    pub kind: String,
    pub steps: u32,
    pub path: PathReport,
}

/// Every node that can reach a target in the worst case (reverse blast radius).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WhoCanReachReport {
    pub target: String,
    pub reachers: Vec<ReachRow>,
    /// Stores that hold flow copies of the target's records (reach them too to see every way to
    /// its data).
    pub copies_in: Vec<String>,
}

impl WhoCanReachReport {
    pub fn of(model: &Model, graph: &AttackGraph, target: NodeId, reach: &Reach) -> Self {
        WhoCanReach::new(model, graph, target, reach).report()
    }
}

/// [`WhoCanReachReport`] before its rows are made: the reachers in report order (fewest steps
/// first, then by id) as node numbers, each row and its path made only when asked for. It
/// serialises as the report does, row by row, so the JSON of a store that a million people
/// reach (gigabytes of paths) is written without ever being held.
pub struct WhoCanReach<'a> {
    model: &'a Model,
    graph: &'a AttackGraph,
    target: NodeId,
    reach: &'a Reach,
    order: Vec<NodeId>,
    copies_in: Vec<String>,
}

impl<'a> WhoCanReach<'a> {
    /// The reachers of `target` found by `reach`, a backward search from it.
    pub fn new(
        model: &'a Model,
        graph: &'a AttackGraph,
        target: NodeId,
        reach: &'a Reach,
    ) -> WhoCanReach<'a> {
        WhoCanReach {
            model,
            graph,
            target,
            reach,
            order: report_order(model, target, reach),
            copies_in: copies_of(model, target),
        }
    }

    /// The rows in report order, each made as it is taken.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = ReachRow> + '_ {
        (0..self.order.len()).map(|i| self.row(i))
    }

    /// How many rows (reachers) there are.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether nothing reaches the target.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Row `i` in report order, made.
    pub fn row(&self, i: usize) -> ReachRow {
        let n = self.order[i];
        let edges = self.reach.path_from(self.graph, n);
        let mut path = PathReport::of(self.model, self.graph, self.target, &edges);
        path.target = self.model.id(self.target).to_string();
        ReachRow {
            id: self.model.id(n).to_string(),
            kind: self.model.kind(n).to_string(),
            steps: self.reach.depth[n as usize],
            path,
        }
    }

    /// Reacher `i`'s node, in report order.
    pub fn node(&self, i: usize) -> NodeId {
        self.order[i]
    }

    /// The first step of `n`'s shortest path to the target, and the node it leads to; `None`
    /// for the target and the nodes that do not reach it.
    pub fn first_step(&self, n: NodeId) -> Option<(Step, NodeId)> {
        let e = self.reach.parent[n as usize];
        (e != NO_EDGE).then(|| (Step::of(self.model, self.graph, e), self.graph.target(e)))
    }

    /// How many steps `n`'s shortest path takes.
    pub fn steps(&self, n: NodeId) -> u32 {
        self.reach.depth[n as usize]
    }

    /// The model the reachers are of.
    pub fn model(&self) -> &Model {
        self.model
    }

    /// The target's id.
    pub fn target(&self) -> &str {
        self.model.id(self.target)
    }

    /// The stores downstream of the target along flows, sorted.
    pub fn copies_in(&self) -> &[String] {
        &self.copies_in
    }

    /// The length of the longest reacher id (2 with none), for a table's column.
    pub fn id_width(&self) -> usize {
        self.order
            .iter()
            .map(|&n| self.model.id(n).len())
            .max()
            .unwrap_or(2)
    }

    /// Every row made: the report for CSV and drawings.
    pub fn report(&self) -> WhoCanReachReport {
        WhoCanReachReport {
            target: self.model.id(self.target).to_string(),
            reachers: self.rows().collect(),
            copies_in: self.copies_in.clone(),
        }
    }
}

/// The nodes `reach` found but `target`, fewest steps first, then by id (ids are unique, so
/// the order is total). A breadth-first search visits them depth by depth, so only each depth's
/// run is sorted, and in a model numbered in id order by number.
fn report_order(model: &Model, target: NodeId, reach: &Reach) -> Vec<NodeId> {
    let depth = |n: NodeId| reach.depth[n as usize];
    let mut order: Vec<NodeId> = reach
        .order
        .iter()
        .copied()
        .filter(|&n| n != target)
        .collect();
    let by_id = |a: &NodeId, b: &NodeId| model.id(*a).cmp(model.id(*b));
    if !order.windows(2).all(|w| depth(w[0]) <= depth(w[1])) {
        order.sort_unstable_by(|a, b| depth(*a).cmp(&depth(*b)).then_with(|| by_id(a, b)));
        return order;
    }
    let mut rest = order.as_mut_slice();
    while let Some(&first) = rest.first() {
        let len = rest.partition_point(|&n| depth(n) == depth(first));
        let (run, tail) = std::mem::take(&mut rest).split_at_mut(len);
        if model.in_id_order() {
            run.sort_unstable();
        } else {
            run.sort_unstable_by(by_id);
        }
        rest = tail;
    }
    order
}

/// The stores downstream of `target` along flows (not `target` itself), sorted by id.
fn copies_of(model: &Model, target: NodeId) -> Vec<String> {
    let mut flows: Vec<(NodeId, NodeId)> = model.flows.iter().map(|f| (f.from, f.to)).collect();
    flows.sort_unstable();
    let mut copies = vec![false; model.node_count()];
    let mut stack = vec![target];
    while let Some(s) = stack.pop() {
        let first = flows.partition_point(|&(from, _)| from < s);
        for &(_, to) in flows[first..].iter().take_while(|&&(from, _)| from == s) {
            if !copies[to as usize] {
                copies[to as usize] = true;
                stack.push(to);
            }
        }
    }
    let mut copies_in: Vec<String> = (0..model.node_count() as NodeId)
        .filter(|&n| copies[n as usize] && n != target)
        .map(|n| model.id(n).to_string())
        .collect();
    copies_in.sort();
    copies_in
}

/// One node that can reach records of a focus: what of them it reaches in the worst case
/// (counted once across copies) and its shortest path to the nearest store holding them.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FocusReachRow {
    pub id: String,
    pub kind: String,
    /// Records of the focus reached, each counted once however many copies leak.
    pub records: u64,
    /// Those records weighted by their categories' sensitivity.
    pub exposure: f64,
    pub steps: u32,
    pub path: PathReport,
}

/// `who-can-reach --category C` (or `--regime R`): every node from which some store holding
/// the focus's records, own or a flowed copy, is reachable; most records first.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FocusReachReport {
    /// `category user.health` or `regime gdpr`.
    pub focus: String,
    /// The stores holding records of the focus, own or flowed copies, sorted.
    pub stores: Vec<String>,
    pub reachers: Vec<FocusReachRow>,
}

impl FocusReachReport {
    pub fn of(
        model: &Model,
        graph: &AttackGraph,
        focus: &Focus,
        found: &FocusReach,
    ) -> FocusReachReport {
        let mut stores: Vec<String> = found
            .stores
            .iter()
            .map(|&s| model.id(s).to_string())
            .collect();
        stores.sort();
        let mut reachers: Vec<FocusReachRow> = found
            .reach
            .order
            .iter()
            .zip(&found.rows)
            .map(|(&n, row)| {
                let edges = found.reach.path_from(graph, n);
                let end = edges.last().map_or(n, |&e| graph.edge(e).to);
                FocusReachRow {
                    id: model.id(n).to_string(),
                    kind: model.kind(n).to_string(),
                    records: row.records,
                    exposure: row.exposure,
                    steps: found.reach.depth[n as usize],
                    path: PathReport::of(model, graph, end, &edges),
                }
            })
            .collect();
        reachers.sort_by(|a, b| {
            b.records
                .cmp(&a.records)
                .then(b.exposure.total_cmp(&a.exposure))
                .then(a.steps.cmp(&b.steps))
                .then_with(|| a.id.cmp(&b.id))
        });
        FocusReachReport {
            focus: focus.label(),
            stores,
            reachers,
        }
    }
}
