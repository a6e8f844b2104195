//! The attack graph: the model's traversable links as dense, compact adjacency.
//!
//! Built once per model (or per design: designs return a new model, never mutate a graph).
//! Strongly connected components come from [`scc`], and the hot loops walk the CSR arrays
//! (the tests check both against petgraph's algorithms, through a view of their own):
//! `out_offsets[n]..out_offsets[n+1]`
//! indexes `out_edges`, the ids of the edges leaving node `n`, sorted by their stable key so that
//! traversal order never depends on the order of the model file.

pub mod scc;

use std::sync::OnceLock;

use rayon::prelude::*;

use crate::model::{Link, LinkKind, Model, NodeId, NodeKind};

/// Index of an edge: `0..`[`AttackGraph::edge_count`], in the model's link order.
pub type EdgeId = u32;

/// A traversable attack step, as [`AttackGraph::edge`] gives it (a value: the graph stores its
/// edges packed).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AttackEdge {
    pub from: NodeId,
    pub to: NodeId,
    /// Index of the model link it came from.
    pub link: u32,
    /// Success probability, > 0.
    pub p: f64,
    /// Mean days to use it (time model).
    pub mean_time: f64,
    /// Stable key from the endpoints' ids and the link's kind: never from load order.
    pub key: u64,
}

/// An edge as the graph stores it: 24 bytes. Its probability and time are an index into the
/// graph's table of distinct `(p, mean_time)` pairs: a model has few distinct figures (defaults
/// by kind, a few explicit values), so two `f64`s per edge would mostly repeat.
#[derive(Debug, Clone, Copy, Default)]
struct PackedEdge {
    key: u64,
    from: NodeId,
    to: NodeId,
    link: u32,
    figures: u32,
}

/// The attack graph of one model (the default is the graph of an empty model).
#[derive(Debug, Clone)]
pub struct AttackGraph {
    pub node_count: usize,
    edges: Vec<PackedEdge>,
    /// Distinct `(p, mean_time)` pairs the edges point into.
    figures: Vec<(f64, f64)>,
    out_offsets: Vec<u32>,
    out_edges: Vec<EdgeId>,
    /// Edges entering each node, `(offsets, edges)`, made the first time they are asked for:
    /// forward searches, the simulation and the sweep never ask.
    incoming: OnceLock<(Vec<u32>, Vec<EdgeId>)>,
    /// Model links that give integrity exposure only (write grants and write access).
    pub integrity_links: Vec<u32>,
}

/// Where each node's leaving edges lead, in the order of [`AttackGraph::out`]: the graph's
/// offsets and one target per step, a compact copy for walks over the whole graph (4 bytes a
/// step, read in order, where the edges themselves are 24 bytes reached through `out`).
pub struct Steps<'a> {
    offsets: &'a [u32],
    targets: Vec<NodeId>,
}

impl Steps<'_> {
    pub fn node_count(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Where node `n`'s steps lead, in key order.
    #[inline]
    pub fn of(&self, n: NodeId) -> &[NodeId] {
        let n = n as usize;
        &self.targets[self.offsets[n] as usize..self.offsets[n + 1] as usize]
    }
}

/// FNV-1a over bytes, then a SplitMix64 finaliser so every bit depends on every byte.
pub fn stable_hash(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in *part {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix64(h)
}

/// The stable key of a step: a hash of its endpoints' ids and its kind's label (as
/// [`LinkKind::label`] writes it), never of positions in the model. Each part is hashed on its
/// own and the three are combined, so a graph hashes every node id once, not once per edge.
pub fn edge_key(from: &str, to: &str, kind: &LinkKind) -> u64 {
    combine_key(
        stable_hash(&[from.as_bytes()]),
        stable_hash(&[to.as_bytes()]),
        kind_hash(kind),
    )
}

/// [`edge_key`] from the hashes of its parts.
#[inline]
pub fn combine_key(from: u64, to: u64, kind: u64) -> u64 {
    mix64(from ^ mix64(to.wrapping_add(0x9e37_79b9_7f4a_7c15) ^ mix64(kind)))
}

/// Hash of a kind's label.
pub fn kind_hash(kind: &LinkKind) -> u64 {
    let label: &[u8] = match kind {
        LinkKind::Owns => b"owns",
        LinkKind::Member => b"member",
        LinkKind::Grant(a) => a.as_str().as_bytes(),
        LinkKind::Credential => b"credential",
        LinkKind::Access(crate::model::Access::Read) => b"access:read",
        LinkKind::Access(crate::model::Access::Write) => b"access:write",
        LinkKind::Access(crate::model::Access::Admin) => b"access:admin",
        LinkKind::Custom(k) => k.as_bytes(),
    };
    stable_hash(&[label])
}

/// SplitMix64 finaliser.
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A CSR of edge ids `0..len` by `end`, each node's list in (key, edge id) order. Edge ids
/// follow link order, so this is (key, link) order.
fn csr_by_key(
    node_count: usize,
    len: usize,
    end: impl Fn(usize) -> NodeId + Sync,
    key: impl Fn(usize) -> u64 + Sync,
) -> (Vec<u32>, Vec<EdgeId>) {
    // A canonical model's edges are already grouped by their start (links are in `from`
    // order): each list is sorted where it lies, with no copy of the edges' keys.
    let grouped = (1..len)
        .into_par_iter()
        .with_min_len(1 << 16)
        .all(|i| end(i - 1) <= end(i));
    if grouped {
        let block = (node_count + 1).div_ceil(64).max(1 << 12);
        let offsets = grouped_offsets(node_count, len, &end, block);
        let mut list: Vec<EdgeId> = (0..len as EdgeId).into_par_iter().collect();
        crate::model::grouping::sort_groups(&offsets, &mut list, |&a, &b| {
            (key(a as usize), a).cmp(&(key(b as usize), b))
        });
        return (offsets, list);
    }
    csr_by_key_grouped(node_count, len, end, key)
}

/// Where each node's list starts among `len` edges grouped by `end` (in ascending order), and
/// `len` at the end: the first edge that ends at the node or later, found for blocks of `block`
/// nodes in parallel, each from a binary search and then a walk.
fn grouped_offsets(
    node_count: usize,
    len: usize,
    end: &(impl Fn(usize) -> NodeId + Sync),
    block: usize,
) -> Vec<u32> {
    let mut offsets = vec![0u32; node_count + 1];
    offsets
        .par_chunks_mut(block)
        .enumerate()
        .for_each(|(b, out)| {
            let first = b * block;
            let (mut lo, mut hi) = (0, len);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if (end(mid) as usize) < first {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            let mut i = lo;
            for (n, o) in (first..).zip(out.iter_mut()) {
                while i < len && (end(i) as usize) < n {
                    i += 1;
                }
                *o = i as u32;
            }
        });
    offsets
}

/// [`csr_by_key`] for edges in any order: grouped by a counting sort, then sorted.
fn csr_by_key_grouped(
    node_count: usize,
    len: usize,
    end: impl Fn(usize) -> NodeId,
    key: impl Fn(usize) -> u64,
) -> (Vec<u32>, Vec<EdgeId>) {
    let (offsets, pairs) = crate::model::grouping::group_by_node(
        node_count,
        len,
        end,
        |i| (key(i), i as EdgeId),
        |a, b| a.cmp(b),
    );
    (offsets, pairs.into_iter().map(|(_, e)| e).collect())
}

/// Links per block when the graph is built in parallel.
const BLOCK: usize = 1 << 16;

type Seen = rustc_hash::FxHashMap<(u64, u64), u32>;

/// Index of a `(p, mean_time)` pair in `table`, added if new.
fn figure_index(seen: &mut Seen, table: &mut Vec<(f64, f64)>, fig: (f64, f64)) -> u32 {
    *seen
        .entry((fig.0.to_bits(), fig.1.to_bits()))
        .or_insert_with(|| {
            table.push(fig);
            table.len() as u32 - 1
        })
}

/// `edges` split into consecutive slices of the given lengths.
fn split_by<'a>(mut edges: &'a mut [PackedEdge], lengths: &[usize]) -> Vec<&'a mut [PackedEdge]> {
    let mut slices = Vec::with_capacity(lengths.len());
    for &n in lengths {
        let (mine, tail) = std::mem::take(&mut edges).split_at_mut(n);
        slices.push(mine);
        edges = tail;
    }
    slices
}

/// One table of distinct `(p, mean_time)` pairs from each block's own table (the blocks of
/// `edges` point into theirs): the pairs numbered in block order, each block's edges renumbered.
fn merge_figures(
    edges: &mut [PackedEdge],
    lengths: &[usize],
    local: Vec<Vec<(f64, f64)>>,
) -> Vec<(f64, f64)> {
    let (mut seen, mut table) = (Seen::default(), Vec::new());
    let renumber: Vec<Vec<u32>> = local
        .into_iter()
        .map(|block| {
            block
                .into_iter()
                .map(|fig| figure_index(&mut seen, &mut table, fig))
                .collect()
        })
        .collect();
    split_by(edges, lengths)
        .into_par_iter()
        .zip(renumber)
        .for_each(|(block, to)| {
            for e in block {
                e.figures = to[e.figures as usize];
            }
        });
    table
}

impl Default for AttackGraph {
    fn default() -> Self {
        AttackGraph {
            node_count: 0,
            edges: Vec::new(),
            figures: Vec::new(),
            out_offsets: vec![0],
            out_edges: Vec::new(),
            incoming: OnceLock::new(),
            integrity_links: Vec::new(),
        }
    }
}

/// A block of links as [`AttackGraph::size_of`] counts it: its integrity-only links, and its
/// edges but the first, which is counted against the block before.
#[derive(Default)]
struct EdgeCount<'m> {
    integrity: usize,
    edges: usize,
    first: Option<&'m Link>,
    last: Option<&'m Link>,
}

impl AttackGraph {
    /// How many edges and integrity-only links [`AttackGraph::build`] makes of a canonical
    /// model, counted without building the graph (what `validate` reports).
    pub fn size_of(model: &Model) -> (usize, usize) {
        Self::size_in_blocks(model, 1 << 16)
    }

    /// [`AttackGraph::size_of`], counted in blocks of `block` links.
    fn size_in_blocks(model: &Model, block: usize) -> (usize, usize) {
        let key = |l: &Link| {
            combine_key(
                stable_hash(&[model.id(l.from).as_bytes()]),
                stable_hash(&[model.id(l.to).as_bytes()]),
                kind_hash(&l.kind),
            )
        };
        // As build() keeps one edge of a step listed twice (next to each other): counted in
        // blocks in parallel, each block's first edge checked against the one before it (the
        // previous block's last).
        let repeat =
            |l: &Link, link: &Link| l.from == link.from && l.to == link.to && key(l) == key(link);
        let counted = model
            .links
            .par_chunks(block)
            .map(|block| {
                let (mut c, mut last) = (EdgeCount::default(), None::<&Link>);
                for link in block {
                    if !link.kind.is_traversable() {
                        c.integrity += 1;
                        continue;
                    }
                    if model.link_p(link) <= 0.0 {
                        continue;
                    }
                    match last {
                        None => c.first = Some(link),
                        Some(l) if !repeat(l, link) => c.edges += 1,
                        Some(_) => {}
                    }
                    last = Some(link);
                }
                c.last = last;
                c
            })
            .collect::<Vec<_>>();
        let (mut edges, mut integrity) = (0, 0);
        let mut last: Option<&Link> = None;
        for c in counted {
            integrity += c.integrity;
            edges += c.edges;
            if let Some(first) = c.first {
                edges += usize::from(!last.is_some_and(|l| repeat(l, first)));
                last = c.last;
            }
        }
        (edges, integrity)
    }

    /// Builds the attack graph: every traversable link with p > 0 becomes an edge. Edges are
    /// numbered in the model's link order (canonical, so never the order of the model file); a
    /// step listed twice is one edge. Each node's lists of leaving and entering edges are in key
    /// order.
    pub fn build(model: &Model) -> AttackGraph {
        let node_count = model.node_count();
        let node_hash: Vec<u64> = model
            .nodes
            .par_iter()
            .map(|n| stable_hash(&[n.id.as_bytes()]))
            .collect();
        let integrity_links: Vec<u32> = (0..model.links.len() as u32)
            .into_par_iter()
            .filter(|&i| !model.links[i as usize].kind.is_traversable())
            .collect();
        let fixed_kinds = LinkKind::fixed_kinds().map(|k| {
            let h = kind_hash(&k);
            (k, h)
        });
        let kind_key = |kind: &LinkKind| {
            fixed_kinds
                .iter()
                .find(|(k, _)| k == kind)
                .map_or_else(|| kind_hash(kind), |&(_, h)| h)
        };
        let is_step = |link: &Link| link.kind.is_traversable() && model.link_p(link) > 0.0;
        // The steps, written in place: each block of links counts its steps, then writes them
        // at its own offset (no vector of every link, no second copy), numbering the distinct
        // figures it meets; one merge then numbers them for the whole graph.
        let counts: Vec<usize> = model
            .links
            .par_chunks(BLOCK)
            .map(|block| block.iter().filter(|l| is_step(l)).count())
            .collect();
        let mut edges = vec![PackedEdge::default(); counts.iter().sum()];
        let local: Vec<Vec<(f64, f64)>> = model
            .links
            .par_chunks(BLOCK)
            .zip(split_by(&mut edges, &counts))
            .enumerate()
            .map(|(b, (block, out))| {
                let (mut seen, mut table) = (Seen::default(), Vec::new());
                // Consecutive links mostly share their figures: the last pair's number is
                // reused without a lookup.
                let mut last: Option<((u64, u64), u32)> = None;
                let mut slots = out.iter_mut();
                for (i, link) in block.iter().enumerate() {
                    if !is_step(link) {
                        continue;
                    }
                    let fig = (model.link_p(link), model.link_time(link));
                    let bits = (fig.0.to_bits(), fig.1.to_bits());
                    let figures = match last {
                        Some((b, f)) if b == bits => f,
                        _ => {
                            let f = figure_index(&mut seen, &mut table, fig);
                            last = Some((bits, f));
                            f
                        }
                    };
                    *slots.next().expect("each step was counted") = PackedEdge {
                        key: combine_key(
                            node_hash[link.from as usize],
                            node_hash[link.to as usize],
                            kind_key(&link.kind),
                        ),
                        from: link.from,
                        to: link.to,
                        link: (b * BLOCK + i) as u32,
                        figures,
                    };
                }
                table
            })
            .collect();
        drop(node_hash);
        let figures = merge_figures(&mut edges, &counts, local);
        // The same step listed twice (same endpoints and kind) is one step: it shares one keyed
        // draw, so it is open when the draw falls under the larger p. Keep that one edge (the
        // first link with the largest p). In a canonical model such links are next to each other.
        let p_of = |e: &PackedEdge| figures[e.figures as usize].0;
        let before = edges.len();
        edges.dedup_by(|later, kept| {
            if later.key == kept.key && later.from == kept.from && later.to == kept.to {
                if p_of(later) > p_of(kept) {
                    kept.link = later.link;
                    kept.figures = later.figures;
                }
                true
            } else {
                false
            }
        });
        if edges.len() < before {
            edges.shrink_to_fit();
        }
        // Traversal order (and so every tie-break) follows the edges' stable keys.
        let (out_offsets, out_edges) =
            csr_by_key(node_count, edges.len(), |i| edges[i].from, |i| edges[i].key);
        AttackGraph {
            node_count,
            edges,
            figures,
            out_offsets,
            out_edges,
            incoming: OnceLock::new(),
            integrity_links,
        }
    }

    /// Number of edges: edge ids are `0..edge_count()`.
    #[inline]
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// Every edge, in edge id order.
    pub fn edges(&self) -> impl ExactSizeIterator<Item = AttackEdge> + '_ {
        (0..self.edges.len() as EdgeId).map(|e| self.edge(e))
    }

    /// Changes an edge's success probability (what-if evaluation of a fix); p = 0 closes it.
    pub fn set_p(&mut self, e: EdgeId, p: f64) {
        let edge = &mut self.edges[e as usize];
        let time = self.figures[edge.figures as usize].1;
        edge.figures = self.figures.len() as u32;
        self.figures.push((p, time));
    }

    /// The same graph without one edge (edge ids keep their meaning; the edge is only unlinked
    /// from the adjacency).
    pub fn without_edge(&self, e: EdgeId) -> AttackGraph {
        let mut g = self.clone();
        let drop_from = |offsets: &mut Vec<u32>, list: &mut Vec<EdgeId>, node: NodeId| {
            let (lo, hi) = (
                offsets[node as usize] as usize,
                offsets[node as usize + 1] as usize,
            );
            if let Some(i) = list[lo..hi].iter().position(|&x| x == e) {
                list.remove(lo + i);
                for o in offsets.iter_mut().skip(node as usize + 1) {
                    *o -= 1;
                }
            }
        };
        let edge = self.edge(e);
        drop_from(&mut g.out_offsets, &mut g.out_edges, edge.from);
        g.incoming_lists();
        if let Some((offsets, list)) = g.incoming.get_mut() {
            drop_from(offsets, list, edge.to);
        }
        g
    }

    /// Where every node's steps lead, as [`Steps`] (made in parallel; freed by the caller).
    pub fn steps(&self) -> Steps<'_> {
        Steps {
            offsets: &self.out_offsets,
            targets: self
                .out_edges
                .par_iter()
                .map(|&e| self.edges[e as usize].to)
                .collect(),
        }
    }

    /// Edges leaving `n`, in key order.
    #[inline]
    pub fn out(&self, n: NodeId) -> &[EdgeId] {
        let n = n as usize;
        &self.out_edges[self.out_offsets[n] as usize..self.out_offsets[n + 1] as usize]
    }

    fn incoming_lists(&self) -> &(Vec<u32>, Vec<EdgeId>) {
        self.incoming.get_or_init(|| {
            let edges = &self.edges;
            csr_by_key(
                self.node_count,
                edges.len(),
                |i| edges[i].to,
                |i| edges[i].key,
            )
        })
    }

    /// Edges entering `n`, in key order.
    #[inline]
    pub fn incoming(&self, n: NodeId) -> &[EdgeId] {
        let (offsets, list) = self.incoming_lists();
        let n = n as usize;
        &list[offsets[n] as usize..offsets[n + 1] as usize]
    }

    /// Edge `e` with its figures.
    #[inline]
    pub fn edge(&self, e: EdgeId) -> AttackEdge {
        let packed = &self.edges[e as usize];
        let (p, mean_time) = self.figures[packed.figures as usize];
        AttackEdge {
            from: packed.from,
            to: packed.to,
            link: packed.link,
            p,
            mean_time,
            key: packed.key,
        }
    }

    /// Where edge `e` leads (what a walk reads, without the edge's other fields).
    #[inline]
    pub fn target(&self, e: EdgeId) -> NodeId {
        self.edges[e as usize].to
    }

    /// Human-readable label of an edge's kind.
    pub fn edge_label(&self, model: &Model, e: EdgeId) -> String {
        model.links[self.edge(e).link as usize].kind.label()
    }

    /// Whether `e` leads to a store via a read or admin grant or system access (its records leak).
    pub fn is_data_edge(&self, model: &Model, e: EdgeId) -> bool {
        let edge = self.edge(e);
        model.kind(edge.to) == NodeKind::Store
            && matches!(
                model.links[edge.link as usize].kind,
                LinkKind::Grant(_) | LinkKind::Access(_)
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_are_counted_the_same_in_blocks_of_any_size() {
        // Steps listed two and three times, next to integrity-only links and links with p = 0,
        // so that blocks of a few links cut between repeats and between a repeat and what the
        // block before kept last.
        let text = r#"
[[account]]
id = "a"
[[group]]
id = "g"
[[store]]
id = "s"
[[store]]
id = "t"
[[grant]]
principal = "a"
target = "s"
access = "read"
[[grant]]
principal = "a"
target = "s"
access = "read"
p = 0.0
[[grant]]
principal = "a"
target = "s"
access = "read"
p = 0.5
[[grant]]
principal = "a"
target = "t"
access = "read"
p = 0.0
[[edge]]
from = "a"
to = "t"
kind = "can_assume"
[[edge]]
from = "a"
to = "t"
kind = "can_assume"
[[edge]]
from = "a"
to = "t"
kind = "can_assume"
[[membership]]
member = "a"
group = "g"
[[grant]]
principal = "g"
target = "s"
access = "write"
"#;
        let model = crate::load::parse_model(text, "m.toml").unwrap().model;
        let g = AttackGraph::build(&model);
        let built = (g.edge_count(), g.integrity_links.len());
        // a → s (read, three times; one with p = 0 between the other two), a → t (can_assume,
        // three times; read with p = 0 is no edge), a → g; g → s (write) is integrity-only.
        assert_eq!(built, (3, 1));
        for block in 1..=model.links.len() + 1 {
            assert_eq!(
                AttackGraph::size_in_blocks(&model, block),
                built,
                "blocks of {block}"
            );
        }
    }

    #[test]
    fn adjacency_of_grouped_edges_equals_the_general_grouping() {
        // Edges grouped by start (as a canonical model's are), keys with ties, nodes without
        // edges; the in-place path and the counting sort give the same lists.
        let mut edges = Vec::new();
        let mut seed = 7u64;
        for from in 0..200u32 {
            seed = mix64(seed);
            for _ in 0..(seed % 6) {
                seed = mix64(seed);
                edges.push(AttackEdge {
                    from,
                    to: (seed % 200) as NodeId,
                    link: edges.len() as u32,
                    p: 1.0,
                    mean_time: 0.0,
                    key: seed % 5,
                });
            }
        }
        let (from, to, key) = (
            |i: usize| edges[i].from,
            |i: usize| edges[i].to,
            |i: usize| edges[i].key,
        );
        let fast = csr_by_key(200, edges.len(), from, key);
        assert_eq!(fast, csr_by_key_grouped(200, edges.len(), from, key));
        let by_end = csr_by_key(200, edges.len(), to, key);
        assert_eq!(by_end, csr_by_key_grouped(200, edges.len(), to, key));
        assert!(fast.1.len() > 300 && fast.0.len() == 201);
        // The starts, found in blocks of any size, are those a count gives.
        let mut counted = vec![0u32; 201];
        for e in &edges {
            counted[e.from as usize + 1] += 1;
        }
        for n in 0..200 {
            counted[n + 1] += counted[n];
        }
        for block in [1, 2, 3, 7, 64, 200, 201, 5000] {
            assert_eq!(grouped_offsets(200, edges.len(), &from, block), counted);
        }
        // Nodes past the last edge's end, and no edges at all.
        let late = |i: usize| [0, 0, 2][i];
        assert_eq!(grouped_offsets(5, 3, &late, 2), [0, 2, 2, 3, 3, 3]);
        assert_eq!(grouped_offsets(3, 0, &late, 1), [0, 0, 0, 0]);
    }

    #[test]
    fn edge_keys_hash_the_label() {
        for kind in [
            LinkKind::Owns,
            LinkKind::Member,
            LinkKind::Grant(crate::model::Access::Admin),
            LinkKind::Credential,
            LinkKind::Access(crate::model::Access::Read),
            LinkKind::Custom(crate::model::Label::new("can_assume")),
        ] {
            let label = kind.label();
            assert_eq!(
                edge_key("a", "b", &kind),
                combine_key(
                    stable_hash(&[b"a"]),
                    stable_hash(&[b"b"]),
                    stable_hash(&[label.as_bytes()])
                )
            );
            assert_ne!(edge_key("a", "b", &kind), edge_key("b", "a", &kind));
        }
    }

    #[test]
    fn stable_hash_depends_on_boundaries() {
        assert_ne!(stable_hash(&[b"ab", b"c"]), stable_hash(&[b"a", b"bc"]));
        assert_eq!(stable_hash(&[b"x", b"y"]), stable_hash(&[b"x", b"y"]));
    }
}
