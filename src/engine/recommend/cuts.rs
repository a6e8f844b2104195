//! What cutting attack steps takes from a worst case, for every candidate at once.
//!
//! Steps that all enter one node `w` cut something off only when they include every step into
//! `w` from a node that `w` does not dominate (a node reached without passing `w`); they then
//! cut off exactly the nodes `w` dominates, those every path from the entry points passes `w`
//! to reach. (A path to anything else reaches `w`, if it passes it at all, by a step that is
//! left.) So one dominator tree of the blast radius (Lengauer and Tarjan's, over a virtual root
//! joined to every entry point) gives the reach without each candidate, and its exposure is the
//! current tally less what only the cut-off stores hold: the record sets those stores hold are
//! counted again over the leaked stores that remain, with the same integer records and the same
//! sum over categories as [`Tally`], so the figure is exactly the tally of the smaller reach.
//! One search and a pass over each cut-off subtree replace a search of the whole blast radius
//! per candidate.

use crate::engine::tally::{ExposureIndex, Tally};
use crate::graph::{AttackGraph, EdgeId};
use crate::model::records::{Holding, SetId};
use crate::model::{Model, NodeId, NodeKind};

const NONE: u32 = u32::MAX;

/// The dominator tree of what `sources` reach, numbered in depth-first order from a virtual
/// root (number 0) whose steps lead to every source.
pub(super) struct Dominators {
    /// Node → its depth-first number (`NONE`: not reached).
    num: Vec<u32>,
    /// Number → node (number 0, the virtual root, is no node).
    vertex: Vec<NodeId>,
    /// By number: whether the node is an entry point (the root leads to it).
    source: Vec<bool>,
    /// By number: position in the dominator tree's preorder, and the size of its subtree
    /// (the node and everything it dominates).
    pre: Vec<u32>,
    size: Vec<u32>,
    /// Numbers in the dominator tree's preorder: a subtree is a contiguous run.
    order: Vec<u32>,
    /// By number: the stores in its subtree.
    stores: Vec<u32>,
}

impl Dominators {
    // Long: the four steps of Lengauer and Tarjan's algorithm (depth-first numbering,
    // semidominators with the path-compressed forest, implicit dominators, the final pass) share
    // their arrays; split, each would take and hand back all of them.
    pub(super) fn new(
        model: &Model,
        graph: &AttackGraph,
        sources: &[NodeId],
        open: &dyn Fn(EdgeId) -> bool,
    ) -> Dominators {
        let mut num = vec![NONE; model.node_count()];
        let mut vertex: Vec<NodeId> = vec![NodeId::MAX];
        let mut parent: Vec<u32> = vec![NONE];
        let mut stack: Vec<(u32, u32)> = Vec::new();
        for &s in sources {
            if num[s as usize] != NONE {
                continue;
            }
            num[s as usize] = vertex.len() as u32;
            stack.push((vertex.len() as u32, 0));
            vertex.push(s);
            parent.push(0);
            while let Some(top) = stack.last_mut() {
                let (v, next) = *top;
                let out = graph.out(vertex[v as usize]);
                if let Some(&e) = out.get(next as usize) {
                    top.1 += 1;
                    let t = graph.target(e);
                    if num[t as usize] == NONE && open(e) {
                        num[t as usize] = vertex.len() as u32;
                        stack.push((vertex.len() as u32, 0));
                        vertex.push(t);
                        parent.push(v);
                    }
                } else {
                    stack.pop();
                }
            }
        }
        let count = vertex.len();
        let mut source = vec![false; count];
        for &s in sources {
            source[num[s as usize] as usize] = true;
        }
        let mut semi: Vec<u32> = (0..count as u32).collect();
        let mut label: Vec<u32> = (0..count as u32).collect();
        let mut ancestor = vec![NONE; count];
        let mut idom = vec![0u32; count];
        let mut bucket_head = vec![NONE; count];
        let mut bucket_next = vec![NONE; count];
        let mut path: Vec<u32> = Vec::new();
        let mut eval = |v: u32, ancestor: &mut [u32], label: &mut [u32], semi: &[u32]| -> u32 {
            if ancestor[v as usize] == NONE {
                return v;
            }
            // Compress the forest path above v, from its top down.
            let mut x = v;
            while ancestor[ancestor[x as usize] as usize] != NONE {
                path.push(x);
                x = ancestor[x as usize];
            }
            while let Some(y) = path.pop() {
                let a = ancestor[y as usize] as usize;
                if semi[label[a] as usize] < semi[label[y as usize] as usize] {
                    label[y as usize] = label[a];
                }
                ancestor[y as usize] = ancestor[a];
            }
            label[v as usize]
        };
        for w in (1..count).rev() {
            if source[w] {
                semi[w] = 0;
            }
            for &e in graph.incoming(vertex[w]) {
                let v = num[graph.edge(e).from as usize];
                if v == NONE || !open(e) {
                    continue;
                }
                let u = eval(v, &mut ancestor, &mut label, &semi);
                if semi[u as usize] < semi[w] {
                    semi[w] = semi[u as usize];
                }
            }
            let s = semi[w] as usize;
            bucket_next[w] = bucket_head[s];
            bucket_head[s] = w as u32;
            let p = parent[w];
            ancestor[w] = p;
            let mut v = std::mem::replace(&mut bucket_head[p as usize], NONE);
            while v != NONE {
                let u = eval(v, &mut ancestor, &mut label, &semi);
                idom[v as usize] = if semi[u as usize] < semi[v as usize] {
                    u
                } else {
                    p
                };
                v = bucket_next[v as usize];
            }
        }
        for w in 1..count {
            if idom[w] != semi[w] {
                idom[w] = idom[idom[w] as usize];
            }
        }
        // A node's dominator has a smaller number, so sizes add up from the last number down
        // and preorder places are handed out from the first up.
        let mut size = vec![1u32; count];
        let mut stores = vec![0u32; count];
        for w in 1..count {
            stores[w] = u32::from(model.kind(vertex[w]) == NodeKind::Store);
        }
        for w in (1..count).rev() {
            let d = idom[w] as usize;
            size[d] += size[w];
            stores[d] += stores[w];
        }
        let mut pre = vec![0u32; count];
        let mut next_free = vec![1u32; count];
        let mut order = vec![0u32; count];
        for w in 1..count {
            let d = idom[w] as usize;
            pre[w] = next_free[d];
            next_free[d] += size[w];
            next_free[w] = pre[w] + 1;
            order[pre[w] as usize] = w as u32;
        }
        Dominators {
            num,
            vertex,
            source,
            pre,
            size,
            order,
            stores,
        }
    }

    /// The reached nodes other than the entry points (each at most once), as numbers.
    pub(super) fn reached(&self) -> impl Iterator<Item = u32> + '_ {
        (1..self.vertex.len() as u32).filter(|&w| !self.source[w as usize])
    }

    /// The number of node `n`, if it is reached.
    pub(super) fn number(&self, n: NodeId) -> Option<u32> {
        let w = self.num[n as usize];
        (w != NONE).then_some(w)
    }

    /// Whether `n` is in the blast radius.
    fn is_reached(&self, n: NodeId) -> bool {
        self.num[n as usize] != NONE
    }

    /// Whether the node numbered `w` dominates the one numbered `x`.
    fn dominates(&self, w: u32, x: u32) -> bool {
        let (w, x) = (w as usize, x as usize);
        self.pre[w] <= self.pre[x] && self.pre[x] < self.pre[w] + self.size[w]
    }

    /// The steps into the node numbered `w` from reached nodes it does not dominate: removing
    /// all of them, and only then, cuts it off (and everything it dominates). Empty for an
    /// entry point, which no step removal cuts off.
    pub(super) fn entering(
        &self,
        graph: &AttackGraph,
        w: u32,
        open: &dyn Fn(EdgeId) -> bool,
        out: &mut Vec<EdgeId>,
    ) {
        out.clear();
        if self.source[w as usize] {
            return;
        }
        for &e in graph.incoming(self.vertex[w as usize]) {
            let x = self.num[graph.edge(e).from as usize];
            if x != NONE && !self.dominates(w, x) && open(e) {
                out.push(e);
            }
        }
    }

    /// Whether cutting the node numbered `w` off cuts off any store.
    pub(super) fn cuts_stores(&self, w: u32) -> bool {
        self.stores[w as usize] > 0
    }

    /// The nodes the node numbered `w` dominates, itself included.
    fn subtree(&self, w: u32) -> impl Iterator<Item = NodeId> + '_ {
        let lo = self.pre[w as usize] as usize;
        let hi = lo + self.size[w as usize] as usize;
        self.order[lo..hi].iter().map(|&x| self.vertex[x as usize])
    }
}

/// The worst-case exposure of the blast radius, and of it without the subtree of a dominator:
/// the current tally's records, with each record set the subtree's stores hold counted again
/// over the stores left.
pub(super) struct CutTally<'a> {
    index: &'a ExposureIndex,
    /// Records per category of the whole blast radius.
    records: Vec<u64>,
    /// The whole blast radius's exposure.
    pub(super) exposure: f64,
    mark: Vec<u32>,
    epoch: u32,
    sets: Vec<SetId>,
    buf: Vec<Holding>,
}

impl<'a> CutTally<'a> {
    pub(super) fn new(model: &Model, index: &'a ExposureIndex, dom: &Dominators) -> CutTally<'a> {
        let mut tally = Tally::new(index);
        let leaked = (1..dom.vertex.len())
            .map(|w| dom.vertex[w])
            .filter(|&n| model.kind(n) == NodeKind::Store);
        tally.count(index, leaked);
        CutTally {
            index,
            records: tally.records.clone(),
            exposure: tally.exposure,
            mark: vec![0; index.set_count()],
            epoch: 0,
            sets: Vec::new(),
            buf: Vec::new(),
        }
    }

    /// The exposure of the blast radius without the nodes the node numbered `w` dominates.
    pub(super) fn without(&mut self, model: &Model, dom: &Dominators, w: u32) -> f64 {
        if !dom.cuts_stores(w) {
            return self.exposure;
        }
        self.epoch += 1;
        self.sets.clear();
        for n in dom.subtree(w) {
            if model.kind(n) != NodeKind::Store {
                continue;
            }
            for h in self.index.store_holdings(n) {
                if self.mark[h.set as usize] != self.epoch {
                    self.mark[h.set as usize] = self.epoch;
                    self.sets.push(h.set);
                }
            }
        }
        let mut records = self.records.clone();
        let cut_off = |n: NodeId| dom.dominates(w, dom.num[n as usize]);
        for &set in &self.sets {
            let before = self
                .index
                .set_records(set, |s| dom.is_reached(s), &mut self.buf);
            let after =
                self.index
                    .set_records(set, |s| dom.is_reached(s) && !cut_off(s), &mut self.buf);
            let slot = &mut records[self.index.category_of(set)];
            *slot = slot.saturating_sub(before).saturating_add(after);
        }
        crate::engine::tally::exposure_of_records(self.index, &records)
    }
}
