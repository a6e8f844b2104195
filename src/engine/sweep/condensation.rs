//! The attack graph condensed into its strongly connected components: a DAG, numbered
//! successors first, with each component's distinct successors and predecessor count.

use rayon::prelude::*;

use crate::graph::scc::{completed, completed_steps, Components};
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
        // The walks read where each step leads from one compact array, not through the edges.
        let steps = graph.steps();
        let (comp, found) = completed_steps(&steps);
        Condensation::assemble(comp, &found, |comp, v, c, succ| {
            for &t in steps.of(v) {
                let d = comp[t as usize];
                if d != c {
                    succ.push(d);
                }
            }
        })
    }

    /// The condensation of the `node_count` nodes and the steps `step(n, i)` gives (the target
    /// of node `n`'s `i`-th step, `None` past its last): a graph with some nodes' steps
    /// replaced condenses without being built.
    pub fn of_steps(
        node_count: usize,
        step: impl Fn(NodeId, usize) -> Option<NodeId> + Sync,
    ) -> Condensation {
        let (comp, found) = completed(node_count, &step);
        Condensation::assemble(comp, &found, |comp, v, c, succ| {
            let mut i = 0;
            while let Some(t) = step(v, i) {
                i += 1;
                let d = comp[t as usize];
                if d != c {
                    succ.push(d);
                }
            }
        })
    }

    /// The condensation of the components `found` (each node's in `comp`), given a way to
    /// push the components node `v`'s steps lead to other than its own, `c`.
    fn assemble(
        comp: Vec<u32>,
        found: &Components,
        push_successors: impl Fn(&[u32], NodeId, u32, &mut Vec<u32>) + Sync,
    ) -> Condensation {
        let k = found.len();
        let size: Vec<u32> = found.starts.windows(2).map(|w| w[1] - w[0]).collect();
        // Each component's distinct successors, sorted, in parallel over blocks of components.
        let block = k.div_ceil(64).max(1);
        let lists: Vec<(Vec<u32>, Vec<u32>)> = (0..k)
            .step_by(block)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|first| {
                let (mut succ, mut ends) = (Vec::new(), Vec::new());
                for c in first..(first + block).min(k) {
                    let from = succ.len();
                    for &v in found.of(c) {
                        push_successors(&comp, v, c as u32, &mut succ);
                    }
                    let mine = &mut succ[from..];
                    if mine.len() > 1 {
                        mine.sort_unstable();
                        let mut kept = 1;
                        for j in 1..mine.len() {
                            if mine[j] != mine[kept - 1] {
                                mine[kept] = mine[j];
                                kept += 1;
                            }
                        }
                        succ.truncate(from + kept);
                    }
                    ends.push(succ.len() as u32);
                }
                (succ, ends)
            })
            .collect();
        let total = lists.iter().map(|(succ, _)| succ.len()).sum();
        let mut succ = Vec::with_capacity(total);
        let mut offsets = Vec::with_capacity(k + 1);
        offsets.push(0u32);
        for (list, ends) in &lists {
            let base = succ.len() as u32;
            offsets.extend(ends.iter().map(|&e| base + e));
            succ.extend_from_slice(list);
        }
        drop(lists);
        let mut indegree = vec![0u32; k];
        let mut parent = vec![u32::MAX; k];
        for c in 0..k {
            for &d in &succ[offsets[c] as usize..offsets[c + 1] as usize] {
                indegree[d as usize] += 1;
                parent[d as usize] = c as u32;
            }
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
