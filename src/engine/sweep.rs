//! Sweep: every node of a kind as the sole compromised node, worst case, all at once.
//!
//! One traversal per source costs O(sources × edges). Instead the attack graph is condensed into
//! its strongly connected components (a DAG, in reverse topological order), and reachable sets
//! are propagated from the sinks up as bitsets, one chunk of targets at a time so memory stays
//! at (components × chunk) bits:
//!
//! - **Stores.** Stores are ordered by flow component (copies of a record set never leave their
//!   component, so records deduplicate within a chunk and add up across chunks) and cut into
//!   chunks; for each chunk every component gets the bitset of chunk stores it reaches. Its
//!   figures start from those of its *dominant* successor (the one reaching the most chunk
//!   stores), and only the record sets of the stores it reaches beyond that are recounted, each
//!   over its copies (a set's copies all sit in one chunk).
//! - **Memory.** Only components that another relevant component reaches keep a bitset row;
//!   the rest (most sources) are computed in one scratch row. Chunks run in waves of one per
//!   thread, each thread reusing its rows, and are folded into the per-source totals in chunk
//!   order.
//! - **Twins.** Components that keep no row, hold no store and have the same successors
//!   (accounts in the same groups) reach the same targets: the first is computed, the others
//!   copy its figures (about 37k of 128k such accounts at 100k people).
//! - **Reach size.** A component with exactly one predecessor in the DAG hangs under it: it is
//!   reached exactly when its predecessor is. Hanging components form trees; only the others
//!   (two or more predecessors) get bits, weighted by the size of the tree below them. A source
//!   reaches its own tree plus the trees of the weighted components it reaches. Weighted
//!   components that are a lone store with no successors (most of them) weigh one and are
//!   counted by the store pass, which has their bits already; the reach pass takes the rest.
//!
//! [`sweep_by_traversal`] is the plain twin (one breadth-first search per source); the tests
//! hold the two equal.

use rayon::prelude::*;

use super::reach::forward;
use super::tally::{ExposureIndex, Tally, NO_POPULATION};
use crate::graph::scc::graph_components;
use crate::graph::AttackGraph;
use crate::model::{Model, NodeId, NodeKind};

/// Bits per chunk word.
const WORD: usize = 64;
/// Words per chunk: 64 × 64 = 4,096 targets per pass. Each worker holds a row of this many words
/// per component that other components reach; narrower chunks need more passes, and a pass
/// costs about as much per component at 2,048 targets as at 4,096 (at 100k people, 4,096 makes
/// the sweep 8% faster than 2,048 for 5 MB more; 8,192 is no faster and 27 MB more).
const CHUNK_WORDS: usize = 64;

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
        let found = graph_components(graph);
        let n = graph.node_count;
        let k = found.len();
        let mut comp = vec![0u32; n];
        let mut size = vec![0u32; k];
        for (c, sz) in size.iter_mut().enumerate() {
            *sz = found.of(c).len() as u32;
            for &v in found.of(c) {
                comp[v as usize] = c as u32;
            }
        }
        let mut offsets = vec![0u32; k + 1];
        let mut succ = Vec::new();
        let mut indegree = vec![0u32; k];
        let mut parent = vec![u32::MAX; k];
        let mut scratch: Vec<u32> = Vec::new();
        for c in 0..k {
            scratch.clear();
            for &v in found.of(c) {
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

/// One component's bits in a chunk. Most are sparse (at 100k people nine words in ten are zero),
/// so each row carries marks: bit j of `marks[j / 64]` is set when word j may be non-zero, and
/// every unmarked word is zero. Work on a row visits its marked words only.
#[derive(Clone, Copy)]
struct Row<'a> {
    bits: &'a [u64],
    marks: &'a [u64],
}

impl<'a> Row<'a> {
    /// The marked words, as (word index, word).
    fn words(self) -> impl Iterator<Item = (usize, u64)> + 'a {
        marked(self.marks).map(move |j| (j, self.bits[j]))
    }
}

/// Indices of the set bits of `marks`, in order.
fn marked(marks: &[u64]) -> impl Iterator<Item = usize> + '_ {
    marks.iter().enumerate().flat_map(|(m, &word)| {
        let mut todo = word;
        std::iter::from_fn(move || {
            (todo != 0).then(|| {
                let j = todo.trailing_zeros() as usize;
                todo &= todo - 1;
                m * 64 + j
            })
        })
    })
}

/// Sets bit `i` of a row and marks its word.
fn set_bit(bits: &mut [u64], marks: &mut [u64], i: usize) {
    bits[i / WORD] |= 1 << (i % WORD);
    marks[i / WORD / 64] |= 1 << (i / WORD % 64);
}

/// What a component reaches in a chunk: its bits, or those of its twin (computed earlier).
enum Reached<'a> {
    Bits(Row<'a>),
    AsTwin(usize),
}

/// Per-component bitsets over one chunk of targets, propagated successors first. Only
/// components that another relevant component reaches keep a row; the others (the sources
/// nothing else reaches, most of them) are computed in a scratch row, used and forgotten.
struct Chunk<'a> {
    /// Row length: the widest chunk's words.
    stride: usize,
    /// Mark words per row: one per 64 words.
    marks_stride: usize,
    /// One row of `stride` words per stored component, in component order, and its marks (see
    /// [`Row`]).
    bits: Vec<u64>,
    marks: Vec<u64>,
    /// Row of each component (`u32::MAX` when it has none).
    row: &'a [u32],
    relevant: &'a [bool],
    /// An earlier component whose bits are this one's (`u32::MAX` when none): see
    /// [`twins`].
    twin: &'a [u32],
    /// The row of the component being computed when it keeps none.
    scratch: Vec<u64>,
    scratch_marks: Vec<u64>,
    /// Set bits per component.
    count: Vec<u32>,
}

impl<'a> Chunk<'a> {
    fn new(plan: &'a Plan, stride: usize) -> Chunk<'a> {
        let marks_stride = stride.div_ceil(64);
        Chunk {
            stride,
            marks_stride,
            bits: vec![0; plan.rows * stride],
            marks: vec![0; plan.rows * marks_stride],
            row: &plan.row,
            relevant: &plan.relevant,
            twin: &plan.twin,
            scratch: vec![0; stride],
            scratch_marks: vec![0; marks_stride],
            count: vec![0; plan.row.len()],
        }
    }

    /// Computes every relevant component's bits for a chunk of targets, successors first, and
    /// hands each to `visit` with the chunk (whose rows of earlier components are final).
    /// `own(c)` yields the chunk-local indices of targets component c holds itself; `target(d)`
    /// the chunk-local index of component d when d is itself a target. A component with a twin
    /// is not computed: `visit` gets the twin instead of bits, to copy its figures. Rows keep
    /// the bits of the previous chunk until they are recomputed.
    fn propagate(
        &mut self,
        cond: &Condensation,
        mut own: impl FnMut(usize, &mut dyn FnMut(usize)),
        target: impl Fn(usize) -> Option<usize>,
        mut visit: impl FnMut(&Chunk, usize, Reached),
    ) {
        let (stride, ms) = (self.stride, self.marks_stride);
        for c in 0..cond.len() {
            if !self.relevant[c] {
                continue;
            }
            let t = self.twin[c];
            if t != u32::MAX {
                self.count[c] = self.count[t as usize];
                visit(self, c, Reached::AsTwin(t as usize));
                continue;
            }
            let r = self.row[c];
            let mut scratch = std::mem::take(&mut self.scratch);
            let mut scratch_marks = std::mem::take(&mut self.scratch_marks);
            {
                // Earlier rows (successors come first), and the row to fill.
                let (done, done_marks, mine, mine_marks) = if r == u32::MAX {
                    (
                        &self.bits[..],
                        &self.marks[..],
                        &mut scratch[..],
                        &mut scratch_marks[..],
                    )
                } else {
                    let (done, rest) = self.bits.split_at_mut(r as usize * stride);
                    let (done_marks, rest_marks) = self.marks.split_at_mut(r as usize * ms);
                    (
                        &*done,
                        &*done_marks,
                        &mut rest[..stride],
                        &mut rest_marks[..ms],
                    )
                };
                for j in marked(mine_marks) {
                    mine[j] = 0;
                }
                mine_marks.fill(0);
                own(c, &mut |i| set_bit(mine, mine_marks, i));
                for &d in cond.successors(c) {
                    let d = d as usize;
                    if let Some(i) = target(d) {
                        set_bit(mine, mine_marks, i);
                    }
                    let rd = self.row[d] as usize;
                    let (bits, marks) = (&done[rd * stride..], &done_marks[rd * ms..rd * ms + ms]);
                    for (m, &mark) in marks.iter().enumerate() {
                        mine_marks[m] |= mark;
                    }
                    for j in marked(marks) {
                        mine[j] |= bits[j];
                    }
                }
                self.count[c] = marked(mine_marks).map(|j| mine[j].count_ones()).sum();
            }
            if r == u32::MAX {
                let row = Row {
                    bits: &scratch,
                    marks: &scratch_marks,
                };
                visit(self, c, Reached::Bits(row));
            } else {
                visit(self, c, Reached::Bits(self.of(c)));
            }
            self.scratch = scratch;
            self.scratch_marks = scratch_marks;
        }
    }

    /// Bits of a component that keeps a row.
    fn of(&self, c: usize) -> Row<'_> {
        let r = self.row[c] as usize;
        Row {
            bits: &self.bits[r * self.stride..(r + 1) * self.stride],
            marks: &self.marks[r * self.marks_stride..(r + 1) * self.marks_stride],
        }
    }
}

/// Stores in chunks that never split a flow component.
fn store_chunks(model: &Model, limit: usize) -> Vec<Vec<NodeId>> {
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

/// What one chunk of stores adds to each source.
struct StoreFigures {
    records: Vec<u64>,
    exposure: Vec<f64>,
    stores: Vec<u32>,
    /// Stores counted in the reach size here instead of in the reach pass.
    sinks: Vec<u32>,
    /// sources × populations.
    none: Vec<f64>,
}

/// Scratch space of one worker of the store pass.
struct StoreScratch<'a> {
    chunk: Chunk<'a>,
    local: Vec<u32>,
    records: Vec<u64>,
    exposure: Vec<f64>,
    none: Vec<f64>,
    /// Reached stores that are sink stores (see [`Plan::sink_store`]).
    sinks: Vec<u32>,
    /// Per record set: the component it was last looked at for (sets are met once per
    /// component even when several of their copies differ).
    set_seen: Vec<u32>,
    copies: Vec<crate::model::records::Holding>,
}

/// Everything the passes share.
struct Plan<'a> {
    index: &'a ExposureIndex,
    cond: Condensation,
    sources: &'a [NodeId],
    row: Vec<u32>,
    rows: usize,
    relevant: Vec<bool>,
    twin: Vec<u32>,
    store_of_comp: Vec<Vec<NodeId>>,
    /// Stores that are a component of their own with no successors and two or more
    /// predecessors, and no source's component. Such a store adds exactly one node to the reach
    /// of whoever reaches it, so the store pass counts it and the reach pass leaves it out.
    sink_store: Vec<bool>,
}

/// Components whose reach is another's: two components that keep no row, hold no store and
/// have the same successors reach the same targets (accounts in the same groups, say), so the
/// later one takes the figures of the first instead of being computed. `twin[c]` is that first
/// component, or `u32::MAX`.
fn twins(cond: &Condensation, relevant: &[bool], row: &[u32], holds: &[Vec<NodeId>]) -> Vec<u32> {
    let mut first: rustc_hash::FxHashMap<&[u32], u32> = Default::default();
    (0..cond.len())
        .map(|c| {
            if !relevant[c] || row[c] != u32::MAX || !holds[c].is_empty() {
                return u32::MAX;
            }
            match first.entry(cond.successors(c)) {
                std::collections::hash_map::Entry::Occupied(t) => *t.get(),
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(c as u32);
                    u32::MAX
                }
            }
        })
        .collect()
}

impl Plan<'_> {
    /// One chunk of stores: bits, then each component's figures from its dominant successor's,
    /// corrected for the flow components where the two differ.
    fn store_chunk(&self, s: &mut StoreScratch, stores: &[NodeId]) -> StoreFigures {
        let (cond, index) = (&self.cond, self.index);
        let pops = index.populations.len();
        for (i, &st) in stores.iter().enumerate() {
            s.local[st as usize] = i as u32;
        }
        let local = &s.local;
        let StoreScratch {
            chunk,
            records,
            exposure,
            none,
            sinks,
            set_seen,
            copies,
            ..
        } = s;
        set_seen.fill(u32::MAX);
        let has = |bits: Row, st: NodeId| {
            let l = local[st as usize];
            l != u32::MAX && bits.bits[l as usize / WORD] >> (l as usize % WORD) & 1 == 1
        };
        chunk.propagate(
            cond,
            |c, set| {
                for &st in &self.store_of_comp[c] {
                    if local[st as usize] != u32::MAX {
                        set(local[st as usize] as usize);
                    }
                }
            },
            |_| None,
            |chunk, c, reached| {
                let bits = match reached {
                    Reached::Bits(bits) => bits,
                    Reached::AsTwin(t) => {
                        records[c] = records[t];
                        exposure[c] = exposure[t];
                        sinks[c] = sinks[t];
                        none.copy_within(t * pops..(t + 1) * pops, c * pops);
                        return;
                    }
                };
                let base = dominant(cond, chunk, c);
                let (mut rec, mut exp) = base.map_or((0, 0.0), |d| (records[d], exposure[d]));
                let mut sink = base.map_or(0, |d| sinks[d]);
                match base {
                    Some(d) => none.copy_within(d * pops..(d + 1) * pops, c * pops),
                    None => none[c * pops..(c + 1) * pops]
                        .iter_mut()
                        .for_each(|x| *x = 1.0),
                }
                if chunk.count[c] != base.map_or(0, |d| chunk.count[d]) {
                    // Stores c reaches and its base does not: each of their record sets gains
                    // the records of its copies c reaches beyond those the base reaches.
                    let base_bits = base.map(|d| chunk.of(d));
                    for (w, word) in bits.words() {
                        let mut diff = word & !base_bits.map_or(0, |b| b.bits[w]);
                        while diff != 0 {
                            let i = w * WORD + diff.trailing_zeros() as usize;
                            diff &= diff - 1;
                            sink += self.sink_store[stores[i] as usize] as u32;
                            for h in index.store_holdings(stores[i]) {
                                if set_seen[h.set as usize] == c as u32 {
                                    continue;
                                }
                                set_seen[h.set as usize] = c as u32;
                                let with = index.set_records(h.set, |st| has(bits, st), copies);
                                let without = base_bits.map_or(0, |b| {
                                    index.set_records(h.set, |st| has(b, st), copies)
                                });
                                if with == without {
                                    continue;
                                }
                                let weight = index.set_weight(h.set);
                                rec = rec.saturating_add(with).saturating_sub(without);
                                exp += with as f64 * weight - without as f64 * weight;
                                let (population, coverage) = index.set_subjects(h.set);
                                if without == 0 && population != NO_POPULATION {
                                    none[c * pops + population as usize] *= 1.0 - coverage;
                                }
                            }
                        }
                    }
                }
                records[c] = rec;
                exposure[c] = exp;
                sinks[c] = sink;
            },
        );
        for &st in stores {
            s.local[st as usize] = u32::MAX;
        }
        let comps = self.sources.iter().map(|&x| cond.comp[x as usize] as usize);
        StoreFigures {
            records: comps.clone().map(|c| s.records[c]).collect(),
            exposure: comps.clone().map(|c| s.exposure[c]).collect(),
            stores: comps.clone().map(|c| s.chunk.count[c]).collect(),
            sinks: comps.clone().map(|c| s.sinks[c]).collect(),
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
            |_, _| {},
            |d| (slot[d] != u32::MAX).then(|| slot[d] as usize),
            |chunk, c, reached| {
                let bits = match reached {
                    Reached::Bits(bits) => bits,
                    Reached::AsTwin(t) => {
                        weight_of[c] = weight_of[t];
                        return;
                    }
                };
                let base = dominant(cond, chunk, c);
                let mut w = base.map_or(0, |d| weight_of[d]);
                if chunk.count[c] != base.map_or(0, |d| chunk.count[d]) {
                    let b = base.map(|d| chunk.of(d));
                    for (wi, x) in bits.words() {
                        let mut diff = x & !b.map_or(0, |b| b.bits[wi]);
                        while diff != 0 {
                            let bit = diff.trailing_zeros() as usize;
                            diff &= diff - 1;
                            w += tree[part[wi * WORD + bit]];
                        }
                    }
                }
                weight_of[c] = w;
            },
        );
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
    sweep_condensed(model, Condensation::new(graph), index, sources)
}

/// [`sweep`] over the condensation of the attack graph, which is all it reads: a caller that
/// needs the graph for nothing else can let it go first.
pub fn sweep_condensed(
    model: &Model,
    cond: Condensation,
    index: &ExposureIndex,
    sources: &[NodeId],
) -> Vec<SweepRow> {
    sweep_in_chunks(model, cond, index, sources, CHUNK_WORDS)
}

/// [`sweep_condensed`] with chunks of `chunk_words` words: the tests make them narrow so that
/// models of a few hundred stores take many chunks.
#[doc(hidden)]
pub fn sweep_in_chunks(
    model: &Model,
    cond: Condensation,
    index: &ExposureIndex,
    sources: &[NodeId],
    chunk_words: usize,
) -> Vec<SweepRow> {
    let t0 = std::time::Instant::now();
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
    // Rows for the components some relevant component reaches; the rest are read by nobody.
    let mut reached_by_relevant = vec![false; k];
    for (c, _) in relevant.iter().enumerate().filter(|(_, r)| **r) {
        for &d in cond.successors(c) {
            reached_by_relevant[d as usize] = true;
        }
    }
    let mut row = vec![u32::MAX; k];
    let mut rows = 0usize;
    for c in 0..k {
        if reached_by_relevant[c] {
            row[c] = rows as u32;
            rows += 1;
        }
    }
    let mut store_of_comp: Vec<Vec<NodeId>> = vec![Vec::new(); k];
    for s in model.nodes_of(NodeKind::Store) {
        store_of_comp[cond.comp[s as usize] as usize].push(s);
    }
    let twin = twins(&cond, &relevant, &row, &store_of_comp);
    let mut sink_store = vec![false; model.node_count()];
    let mut source_comp = vec![false; k];
    for &x in sources {
        source_comp[cond.comp[x as usize] as usize] = true;
    }
    for c in 0..k {
        if let [st] = store_of_comp[c][..] {
            sink_store[st as usize] = cond.size[c] == 1
                && cond.successors(c).is_empty()
                && cond.indegree[c] >= 2
                && !source_comp[c];
        }
    }
    let plan = Plan {
        index,
        cond,
        sources,
        row,
        rows,
        relevant,
        twin,
        store_of_comp,
        sink_store,
    };
    eprintln!("TT  plan {:?}", t0.elapsed());
    let chunks = store_chunks(model, chunk_words * WORD);
    eprintln!("TT  chunks {:?}", t0.elapsed());
    // A flow component larger than a chunk makes its chunk wider.
    let max_words = chunks
        .iter()
        .map(|c| c.len().div_ceil(WORD))
        .max()
        .unwrap_or(0)
        .max(chunk_words);
    // Per source: records, exposure, stores and the chance each person is untouched, summed
    // (multiplied) over the chunks in chunk order.
    let mut records = vec![0u64; sources.len()];
    let mut exposure = vec![0.0f64; sources.len()];
    let mut stores = vec![0u32; sources.len()];
    let mut none = vec![1.0f64; sources.len() * pops];
    let mut reach = vec![0u64; sources.len()];
    in_waves(
        chunks.len(),
        || StoreScratch {
            chunk: Chunk::new(&plan, max_words),
            local: vec![u32::MAX; model.node_count()],
            records: vec![0; k],
            exposure: vec![0.0; k],
            none: vec![1.0; k * pops],
            sinks: vec![0; k],
            set_seen: vec![u32::MAX; index.set_count()],
            copies: Vec::new(),
        },
        |scratch, i| plan.store_chunk(scratch, &chunks[i]),
        |f: StoreFigures| {
            for xi in 0..sources.len() {
                records[xi] = records[xi].saturating_add(f.records[xi]);
                exposure[xi] += f.exposure[xi];
                stores[xi] += f.stores[xi];
                reach[xi] += f.sinks[xi] as u64;
            }
            for (n, v) in none.iter_mut().zip(&f.none) {
                *n *= v;
            }
        },
    );

    eprintln!("TT  storepass {:?}", t0.elapsed());
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
        .filter(|&c| {
            cond.indegree[c] >= 2
                && plan.relevant[c]
                && !matches!(plan.store_of_comp[c][..], [st] if plan.sink_store[st as usize])
        })
        .collect();
    let parts: Vec<&[usize]> = weighted.chunks(chunk_words * WORD).collect();
    eprintln!("TT  weighted {:?}", t0.elapsed());
    in_waves(
        parts.len(),
        || {
            (
                Chunk::new(&plan, chunk_words),
                vec![0u64; k],
                vec![u32::MAX; k],
            )
        },
        |(chunk, weight_of, slot), i| plan.reach_chunk(chunk, weight_of, slot, parts[i], &tree),
        |part: Vec<u64>| reach.iter_mut().zip(part).for_each(|(x, y)| *x += y),
    );

    eprintln!("TT  reachpass {:?}", t0.elapsed());
    sources
        .iter()
        .enumerate()
        .map(|(xi, &x)| SweepRow {
            node: x,
            exposure: exposure[xi],
            records: records[xi],
            stores: stores[xi],
            reach: reach[xi] + tree[cond.comp[x as usize] as usize],
            people: (0..pops)
                .map(|p| index.sizes[p] * (1.0 - none[xi * pops + p]))
                .collect(),
        })
        .collect()
}

/// Runs `jobs` jobs in waves of one job per worker thread. Each worker keeps the scratch space
/// `make` gives it for all its jobs (large bitsets are made once per thread, not once per job),
/// and `fold` receives every job's result in job order as each wave ends, so results are
/// combined in the same order for any thread count and only one wave of them is held at once.
fn in_waves<S: Send, T: Send>(
    jobs: usize,
    make: impl Fn() -> S,
    work: impl Fn(&mut S, usize) -> T + Sync,
    mut fold: impl FnMut(T),
) {
    let workers = rayon::current_num_threads().clamp(1, jobs.max(1));
    let mut scratch: Vec<S> = (0..workers.min(jobs)).map(|_| make()).collect();
    let mut start = 0;
    while start < jobs {
        let end = (start + workers).min(jobs);
        let results: Vec<T> = scratch[..end - start]
            .par_iter_mut()
            .enumerate()
            .map(|(j, s)| work(s, start + j))
            .collect();
        results.into_iter().for_each(&mut fold);
        start = end;
    }
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
