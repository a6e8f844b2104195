//! Sweep: every node of a kind as the sole compromised node, worst case, all at once.
//!
//! One traversal per source costs O(sources × edges). Instead the attack graph is condensed into
//! its strongly connected components (a DAG, in reverse topological order), and reachable sets
//! are propagated from the sinks up as bitsets, one chunk of targets at a time so memory stays
//! at (components × chunk) bits:
//!
//! - **Stores.** Stores are ordered by flow component (copies of a record set never leave their
//!   component, so records deduplicate within a chunk and add up across chunks) and cut into
//!   chunks; for each chunk every component gets the bitset of chunk stores it reaches, and each
//!   source tallies the stores its component reaches.
//! - **Reach size.** A component with exactly one predecessor in the DAG hangs under it: it is
//!   reached exactly when its predecessor is. Hanging components form trees; only the others
//!   (two or more predecessors) get bits, weighted by the size of the tree below them. A source
//!   reaches its own tree plus the trees of the weighted components it reaches.
//!
//! [`sweep_by_traversal`] is the plain twin (one breadth-first search per source); the tests
//! hold the two equal.

use petgraph::algo::kosaraju_scc;
use rayon::prelude::*;

use super::reach::forward;
use super::tally::{ExposureIndex, Tally};
use crate::graph::AttackGraph;
use crate::model::{Model, NodeId, NodeKind};

/// Bits per chunk word.
const WORD: usize = 64;
/// Words per chunk: 16 × 64 = 1,024 targets per pass.
const CHUNK_WORDS: usize = 16;

/// The worst case of one source.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepRow {
    pub node: NodeId,
    pub exposure: f64,
    pub records: u64,
    /// Leaked stores.
    pub stores: u32,
    /// Nodes the attacker controls, the source included.
    pub reach: u64,
    /// Expected people affected per population (the order of [`ExposureIndex::populations`]).
    pub people: Vec<f64>,
}

/// The attack graph condensed into strongly connected components.
pub struct Condensation {
    /// Component of each node; components are numbered successors first.
    pub comp: Vec<u32>,
    pub size: Vec<u32>,
    /// DAG successors of component c: `succ[offsets[c]..offsets[c + 1]]`, distinct.
    offsets: Vec<u32>,
    succ: Vec<u32>,
    /// Number of distinct predecessor components, and (when it is one) which.
    indegree: Vec<u32>,
    parent: Vec<u32>,
}

impl Condensation {
    pub fn new(graph: &AttackGraph) -> Condensation {
        let sccs = kosaraju_scc(graph);
        let n = graph.node_count;
        let k = sccs.len();
        let mut comp = vec![0u32; n];
        let mut size = vec![0u32; k];
        for (c, nodes) in sccs.iter().enumerate() {
            size[c] = nodes.len() as u32;
            for &v in nodes {
                comp[v as usize] = c as u32;
            }
        }
        let mut offsets = vec![0u32; k + 1];
        let mut succ = Vec::new();
        let mut indegree = vec![0u32; k];
        let mut parent = vec![u32::MAX; k];
        let mut scratch: Vec<u32> = Vec::new();
        for (c, nodes) in sccs.iter().enumerate() {
            scratch.clear();
            for &v in nodes {
                for &e in graph.out(v) {
                    let d = comp[graph.edge(e).to as usize];
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

    fn successors(&self, c: usize) -> &[u32] {
        &self.succ[self.offsets[c] as usize..self.offsets[c + 1] as usize]
    }
}

/// Per-component bitsets over one chunk of targets, propagated successors first.
struct Chunk<'a> {
    words: usize,
    /// One row of `words` per relevant component, in component order.
    bits: Vec<u64>,
    /// Row of each component (`u32::MAX` when no source reaches it).
    row: &'a [u32],
    /// Set bits per component.
    count: Vec<u32>,
}

impl<'a> Chunk<'a> {
    fn new(row: &'a [u32], rows: usize, max_words: usize) -> Chunk<'a> {
        Chunk {
            words: max_words,
            bits: vec![0; rows * max_words],
            row,
            count: vec![0; row.len()],
        }
    }

    /// Recomputes every relevant component's bits for a chunk of `words` words. `own(c)` yields
    /// the chunk-local indices of targets that component c holds itself; `target(d)` the
    /// chunk-local index of component d when d is itself a target.
    fn propagate(
        &mut self,
        cond: &Condensation,
        words: usize,
        mut own: impl FnMut(usize, &mut dyn FnMut(usize)),
        target: impl Fn(usize) -> Option<usize>,
    ) {
        self.words = words;
        let w = words;
        for c in 0..cond.len() {
            let r = self.row[c];
            if r == u32::MAX {
                continue;
            }
            let (done, rest) = self.bits.split_at_mut(r as usize * w);
            let mine = &mut rest[..w];
            mine.fill(0);
            own(c, &mut |i| mine[i / WORD] |= 1 << (i % WORD));
            for &d in cond.successors(c) {
                let d = d as usize;
                if let Some(i) = target(d) {
                    mine[i / WORD] |= 1 << (i % WORD);
                }
                let rd = self.row[d] as usize * w;
                for (a, b) in mine.iter_mut().zip(&done[rd..rd + w]) {
                    *a |= *b;
                }
            }
            self.count[c] = mine.iter().map(|x| x.count_ones()).sum();
        }
    }

    fn of(&self, c: usize) -> &[u64] {
        let r = self.row[c] as usize;
        &self.bits[r * self.words..(r + 1) * self.words]
    }
}

/// Stores in chunks that never split a flow component.
fn store_chunks(model: &Model) -> Vec<Vec<NodeId>> {
    let n = model.node_count();
    let mut root: Vec<u32> = (0..n as u32).collect();
    fn find(root: &mut [u32], x: u32) -> u32 {
        let mut r = x;
        while root[r as usize] != r {
            r = root[r as usize];
        }
        let mut y = x;
        while root[y as usize] != r {
            let next = root[y as usize];
            root[y as usize] = r;
            y = next;
        }
        r
    }
    for f in &model.flows {
        let (a, b) = (find(&mut root, f.from), find(&mut root, f.to));
        if a != b {
            root[a.max(b) as usize] = a.min(b);
        }
    }
    let mut by_component: std::collections::BTreeMap<u32, Vec<NodeId>> = Default::default();
    for s in model.nodes_of(NodeKind::Store) {
        let r = find(&mut root, s);
        by_component.entry(r).or_default().push(s);
    }
    let limit = CHUNK_WORDS * WORD;
    let mut chunks: Vec<Vec<NodeId>> = Vec::new();
    let mut current: Vec<NodeId> = Vec::new();
    for (_, stores) in by_component {
        if !current.is_empty() && current.len() + stores.len() > limit {
            chunks.push(std::mem::take(&mut current));
        }
        current.extend(stores);
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

/// The successor whose bitset has the most bits: the component's reach contains it, so only
/// the difference needs new work.
fn dominant(cond: &Condensation, chunk: &Chunk, c: usize) -> Option<usize> {
    cond.successors(c)
        .iter()
        .map(|&d| d as usize)
        .max_by_key(|&d| (chunk.count[d], std::cmp::Reverse(d)))
}

/// A flow component's range of chunk-local store indices, per local store.
fn component_ranges(model: &Model, stores: &[NodeId], local: &[u32]) -> Vec<(u32, u32)> {
    // Stores of one flow component are contiguous in the chunk; find the runs.
    let mut root: Vec<usize> = (0..stores.len()).collect();
    fn find(root: &mut [usize], x: usize) -> usize {
        let mut r = x;
        while root[r] != r {
            r = root[r];
        }
        root[x] = r;
        r
    }
    for f in &model.flows {
        let (a, b) = (local[f.from as usize], local[f.to as usize]);
        if a != u32::MAX && b != u32::MAX {
            let (ra, rb) = (find(&mut root, a as usize), find(&mut root, b as usize));
            root[ra.max(rb)] = ra.min(rb);
        }
    }
    let mut ranges = vec![(0u32, 0u32); stores.len()];
    let mut i = 0;
    while i < stores.len() {
        let r = find(&mut root, i);
        let mut j = i + 1;
        while j < stores.len() && find(&mut root, j) == r {
            j += 1;
        }
        for x in ranges.iter_mut().take(j).skip(i) {
            *x = (i as u32, j as u32);
        }
        i = j;
    }
    ranges
}

/// What one chunk of stores adds to each source.
struct StoreFigures {
    records: Vec<u64>,
    exposure: Vec<f64>,
    stores: Vec<u32>,
    /// sources × populations.
    none: Vec<f64>,
}

/// Scratch space of one worker of the store pass.
struct StoreScratch<'a> {
    chunk: Chunk<'a>,
    tally: Tally,
    local: Vec<u32>,
    records: Vec<u64>,
    exposure: Vec<f64>,
    none: Vec<f64>,
    reached: Vec<NodeId>,
}

/// Everything the passes share.
struct Plan<'a> {
    model: &'a Model,
    index: &'a ExposureIndex,
    cond: Condensation,
    sources: &'a [NodeId],
    row: Vec<u32>,
    rows: usize,
    store_of_comp: Vec<Vec<NodeId>>,
}

impl Plan<'_> {
    /// One chunk of stores: bits, then each component's figures from its dominant successor's,
    /// corrected for the flow components where the two differ.
    fn store_chunk(&self, s: &mut StoreScratch, stores: &[NodeId]) -> StoreFigures {
        let (cond, index) = (&self.cond, self.index);
        let k = cond.len();
        let pops = index.populations.len();
        for (i, &st) in stores.iter().enumerate() {
            s.local[st as usize] = i as u32;
        }
        let ranges = component_ranges(self.model, stores, &s.local);
        let local = &s.local;
        s.chunk.propagate(
            cond,
            stores.len().div_ceil(WORD),
            |c, set| {
                for &st in &self.store_of_comp[c] {
                    if local[st as usize] != u32::MAX {
                        set(local[st as usize] as usize);
                    }
                }
            },
            |_| None,
        );
        let tally_range =
            |tally: &mut Tally, reached: &mut Vec<NodeId>, bits: &[u64], lo: u32, hi: u32| {
                reached.clear();
                for i in lo..hi {
                    if bits[i as usize / WORD] >> (i as usize % WORD) & 1 == 1 {
                        reached.push(stores[i as usize]);
                    }
                }
                tally.count(index, reached.iter().copied());
            };
        let mut with = vec![1.0f64; pops];
        for c in 0..k {
            if self.row[c] == u32::MAX {
                continue;
            }
            let chunk = &s.chunk;
            let base = dominant(cond, chunk, c);
            let (mut rec, mut exp) = base.map_or((0, 0.0), |d| (s.records[d], s.exposure[d]));
            match base {
                Some(d) => s.none.copy_within(d * pops..(d + 1) * pops, c * pops),
                None => s.none[c * pops..(c + 1) * pops]
                    .iter_mut()
                    .for_each(|x| *x = 1.0),
            }
            if chunk.count[c] != base.map_or(0, |d| chunk.count[d]) {
                let bits = chunk.of(c);
                let base_bits = base.map(|d| chunk.of(d));
                let mut i = 0usize;
                while i < stores.len() {
                    let w = i / WORD;
                    let diff = bits[w] & !base_bits.map_or(0, |b| b[w]);
                    let masked = diff >> (i % WORD);
                    if masked == 0 {
                        i = (w + 1) * WORD;
                        continue;
                    }
                    i += masked.trailing_zeros() as usize;
                    let (lo, hi) = ranges[i];
                    tally_range(&mut s.tally, &mut s.reached, bits, lo, hi);
                    rec = rec.saturating_add(s.tally.records_total);
                    exp += s.tally.exposure;
                    with.copy_from_slice(&s.tally.none);
                    if let Some(b) = base_bits {
                        tally_range(&mut s.tally, &mut s.reached, b, lo, hi);
                        rec = rec.saturating_sub(s.tally.records_total);
                        exp -= s.tally.exposure;
                        for (w, t) in with.iter_mut().zip(&s.tally.none) {
                            // The base's sets leak from c too: divide them out (none of them
                            // can be a whole-population set, or the product would already be 0).
                            if *t != 0.0 {
                                *w /= t;
                            } else {
                                *w = 1.0;
                            }
                        }
                    }
                    for (n, w) in s.none[c * pops..(c + 1) * pops].iter_mut().zip(&with) {
                        *n *= w;
                    }
                    i = hi as usize;
                }
            }
            s.records[c] = rec;
            s.exposure[c] = exp;
        }
        for &st in stores {
            s.local[st as usize] = u32::MAX;
        }
        let comps = self.sources.iter().map(|&x| cond.comp[x as usize] as usize);
        StoreFigures {
            records: comps.clone().map(|c| s.records[c]).collect(),
            exposure: comps.clone().map(|c| s.exposure[c]).collect(),
            stores: comps.clone().map(|c| s.chunk.count[c]).collect(),
            none: comps
                .flat_map(|c| s.none[c * pops..(c + 1) * pops].iter().copied())
                .collect(),
        }
    }

    /// One chunk of weighted components: what each source adds to its reach size.
    fn reach_chunk(
        &self,
        chunk: &mut Chunk,
        weight_of: &mut [u64],
        slot: &mut [u32],
        part: &[usize],
        tree: &[u64],
    ) -> Vec<u64> {
        let cond = &self.cond;
        for (i, &c) in part.iter().enumerate() {
            slot[c] = i as u32;
        }
        chunk.propagate(
            cond,
            part.len().div_ceil(WORD),
            |_, _| {},
            |d| (slot[d] != u32::MAX).then(|| slot[d] as usize),
        );
        for c in 0..cond.len() {
            if self.row[c] == u32::MAX {
                continue;
            }
            let base = dominant(cond, chunk, c);
            let mut w = base.map_or(0, |d| weight_of[d]);
            if chunk.count[c] != base.map_or(0, |d| chunk.count[d]) {
                let bits = chunk.of(c);
                let b = base.map(|d| chunk.of(d));
                for (wi, &x) in bits.iter().enumerate() {
                    let mut diff = x & !b.map_or(0, |b| b[wi]);
                    while diff != 0 {
                        let bit = diff.trailing_zeros() as usize;
                        diff &= diff - 1;
                        w += tree[part[wi * WORD + bit]];
                    }
                }
            }
            weight_of[c] = w;
        }
        for &c in part {
            slot[c] = u32::MAX;
        }
        self.sources
            .iter()
            .map(|&x| weight_of[cond.comp[x as usize] as usize])
            .collect()
    }
}

/// The worst case of every source, through the condensation. Chunks run in parallel; their
/// figures are combined in chunk order, so the result does not depend on the thread count.
pub fn sweep(
    model: &Model,
    graph: &AttackGraph,
    index: &ExposureIndex,
    sources: &[NodeId],
) -> Vec<SweepRow> {
    let cond = Condensation::new(graph);
    let k = cond.len();
    let pops = index.populations.len();

    // Components some source reaches: the only ones whose figures anyone asks for.
    let mut relevant = vec![false; k];
    for &x in sources {
        relevant[cond.comp[x as usize] as usize] = true;
    }
    for c in (0..k).rev() {
        if relevant[c] {
            for &d in cond.successors(c) {
                relevant[d as usize] = true;
            }
        }
    }
    let mut row = vec![u32::MAX; k];
    let mut rows = 0usize;
    for c in 0..k {
        if relevant[c] {
            row[c] = rows as u32;
            rows += 1;
        }
    }
    let mut store_of_comp: Vec<Vec<NodeId>> = vec![Vec::new(); k];
    for s in model.nodes_of(NodeKind::Store) {
        store_of_comp[cond.comp[s as usize] as usize].push(s);
    }
    let plan = Plan {
        model,
        index,
        cond,
        sources,
        row,
        rows,
        store_of_comp,
    };
    let chunks = store_chunks(model);
    // A flow component larger than a chunk makes its chunk wider.
    let max_words = chunks
        .iter()
        .map(|c| c.len().div_ceil(WORD))
        .max()
        .unwrap_or(0)
        .max(CHUNK_WORDS);
    let figures: Vec<StoreFigures> = chunks
        .par_iter()
        .map_init(
            || StoreScratch {
                chunk: Chunk::new(&plan.row, plan.rows, max_words),
                tally: Tally::new(index),
                local: vec![u32::MAX; model.node_count()],
                records: vec![0; k],
                exposure: vec![0.0; k],
                none: vec![1.0; k * pops],
                reached: Vec::new(),
            },
            |scratch, stores| plan.store_chunk(scratch, stores),
        )
        .collect();

    // Reach sizes: trees of hanging components, bits for the others.
    let cond = &plan.cond;
    let mut tree = vec![0u64; k];
    for c in 0..k {
        tree[c] += cond.size[c] as u64;
        if cond.indegree[c] == 1 {
            let p = cond.parent[c] as usize;
            tree[p] += tree[c];
        }
    }
    let weighted: Vec<usize> = (0..k)
        .filter(|&c| cond.indegree[c] >= 2 && relevant[c])
        .collect();
    let parts: Vec<&[usize]> = weighted.chunks(CHUNK_WORDS * WORD).collect();
    let reach: Vec<u64> = parts
        .par_iter()
        .map_init(
            || {
                (
                    Chunk::new(&plan.row, plan.rows, CHUNK_WORDS),
                    vec![0u64; k],
                    vec![u32::MAX; k],
                )
            },
            |(chunk, weight_of, slot), part| plan.reach_chunk(chunk, weight_of, slot, part, &tree),
        )
        .reduce(
            || vec![0u64; sources.len()],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                a
            },
        );

    sources
        .iter()
        .enumerate()
        .map(|(xi, &x)| {
            let mut none = vec![1.0f64; pops];
            let (mut records, mut exposure, mut stores) = (0u64, 0.0f64, 0u32);
            for f in &figures {
                records = records.saturating_add(f.records[xi]);
                exposure += f.exposure[xi];
                stores += f.stores[xi];
                for (n, v) in none.iter_mut().zip(&f.none[xi * pops..(xi + 1) * pops]) {
                    *n *= v;
                }
            }
            SweepRow {
                node: x,
                exposure,
                records,
                stores,
                reach: reach.get(xi).copied().unwrap_or(0) + tree[cond.comp[x as usize] as usize],
                people: (0..pops)
                    .map(|p| index.sizes[p] * (1.0 - none[p]))
                    .collect(),
            }
        })
        .collect()
}

/// The plain twin of [`sweep`]: one breadth-first search per source.
pub fn sweep_by_traversal(
    model: &Model,
    graph: &AttackGraph,
    index: &ExposureIndex,
    sources: &[NodeId],
) -> Vec<SweepRow> {
    sources
        .par_iter()
        .map_init(
            || Tally::new(index),
            |tally, &x| {
                let r = forward(graph, &[x]);
                let stores: Vec<NodeId> = r
                    .order
                    .iter()
                    .copied()
                    .filter(|&n| model.kind(n) == NodeKind::Store)
                    .collect();
                tally.count(index, stores.iter().copied());
                SweepRow {
                    node: x,
                    exposure: tally.exposure,
                    records: tally.records_total,
                    stores: stores.len() as u32,
                    reach: r.order.len() as u64,
                    people: tally.people.clone(),
                }
            },
        )
        .collect()
}
