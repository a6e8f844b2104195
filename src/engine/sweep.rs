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
//! - **Rows and leaves.** Only components that another relevant component reaches keep a
//!   bitset row (with marks of its non-zero words: most are sparse); one thread fills them,
//!   successors first. The rest, the leaves (most sources), only read rows: they are computed
//!   in parallel, each in a scratch row. Chunks run one after another, reusing the rows, and
//!   are folded into the per-source totals in chunk order. The store pass and the reach pass
//!   (below) run side by side, each with its own rows, so one's rows overlap the other's
//!   leaves.
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
use crate::model::records::SetId;
use crate::model::{Model, NodeId, NodeKind};

/// Bits per chunk word.
const WORD: usize = 64;
/// Words per chunk at most: 128 × 64 = 8,192 targets per pass, cut evenly (10,000 stores make
/// two chunks of 5,000). One chunk is worked on at a time, with a row of this many words per
/// component that other components reach (13 MB at 100k people). A pass costs about as much
/// per component whatever its width, so fewer, wider chunks are faster.
const CHUNK_WORDS: usize = 128;

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

/// Rows to read from: all of a chunk's, or those before the row being filled.
#[derive(Clone, Copy)]
struct Rows<'r> {
    bits: &'r [u64],
    marks: &'r [u64],
    stride: usize,
    marks_stride: usize,
    /// Row of each component (`u32::MAX` when it has none).
    row: &'r [u32],
}

impl<'r> Rows<'r> {
    /// Bits of a component that keeps a row.
    fn of(self, c: usize) -> Row<'r> {
        let r = self.row[c] as usize;
        Row {
            bits: &self.bits[r * self.stride..(r + 1) * self.stride],
            marks: &self.marks[r * self.marks_stride..(r + 1) * self.marks_stride],
        }
    }
}

/// Component c's bits: the targets it holds (`own`), its successors that are targets
/// (`target`) and the rows of its successors but `skip`. They are written to `bits` and
/// `marks`, which may hold an earlier row: only its marked words need clearing.
#[allow(clippy::too_many_arguments)]
fn gather(
    cond: &Condensation,
    c: usize,
    rows: Rows,
    skip: Option<usize>,
    own: &impl Fn(usize, &mut dyn FnMut(usize)),
    target: &impl Fn(usize) -> Option<usize>,
    bits: &mut [u64],
    marks: &mut [u64],
) {
    for j in marked(marks) {
        bits[j] = 0;
    }
    marks.fill(0);
    own(c, &mut |i| set_bit(bits, marks, i));
    for &d in cond.successors(c) {
        let d = d as usize;
        if let Some(i) = target(d) {
            set_bit(bits, marks, i);
        }
        if Some(d) == skip {
            continue;
        }
        let from = rows.of(d);
        for (m, &mark) in marks.iter_mut().zip(from.marks) {
            *m |= mark;
        }
        for (j, word) in from.words() {
            bits[j] |= word;
        }
    }
}

/// Per-component bitsets over one chunk of targets. Components that another relevant
/// component reaches keep a row, filled successors first by one thread
/// ([`Chunk::fill_rows`]). The others, the leaves (the sources nothing else reaches, most of
/// them), only read rows: they are computed in parallel, each in a scratch row
/// ([`Chunk::leaf`]), used and forgotten.
struct Chunk<'a> {
    /// Row length in words: the widest chunk of its pass.
    stride: usize,
    /// Mark words per row: one per 64 words.
    marks_stride: usize,
    /// One row of `stride` words per component that keeps one, in component order, and its
    /// marks (see [`Row`]).
    bits: Vec<u64>,
    marks: Vec<u64>,
    /// Set bits per row.
    count: Vec<u32>,
    /// Row of each component (`u32::MAX` when it has none).
    row: &'a [u32],
}

/// The row of one leaf at a time.
struct Scratch {
    bits: Vec<u64>,
    marks: Vec<u64>,
}

impl Scratch {
    fn new(stride: usize) -> Scratch {
        Scratch {
            bits: vec![0; stride],
            marks: vec![0; stride.div_ceil(64)],
        }
    }
}

impl<'a> Chunk<'a> {
    fn new(plan: &'a Plan, stride: usize) -> Chunk<'a> {
        let marks_stride = stride.div_ceil(64);
        Chunk {
            stride,
            marks_stride,
            bits: vec![0; plan.rows * stride],
            marks: vec![0; plan.rows * marks_stride],
            count: vec![0; plan.rows],
            row: &plan.row,
        }
    }

    fn rows(&self) -> Rows<'_> {
        Rows {
            bits: &self.bits,
            marks: &self.marks,
            stride: self.stride,
            marks_stride: self.marks_stride,
            row: self.row,
        }
    }

    /// Bits of a component that keeps a row.
    fn of(&self, c: usize) -> Row<'_> {
        self.rows().of(c)
    }

    /// Set bits of a component that keeps a row.
    fn count_of(&self, c: usize) -> u32 {
        self.count[self.row[c] as usize]
    }

    /// Fills every row for a chunk of targets, successors first, and hands each component to
    /// `visit` once its row is final (the rows of earlier components are final too). `own(c,
    /// set)` sets the chunk-local indices of the targets component c holds itself; `target(d)`
    /// is the chunk-local index of component d when d is itself a target.
    fn fill_rows(
        &mut self,
        cond: &Condensation,
        own: &impl Fn(usize, &mut dyn FnMut(usize)),
        target: &impl Fn(usize) -> Option<usize>,
        mut visit: impl FnMut(&Chunk, usize),
    ) {
        let (stride, ms) = (self.stride, self.marks_stride);
        for c in 0..cond.len() {
            let r = self.row[c];
            if r == u32::MAX {
                continue;
            }
            let r = r as usize;
            let (done, rest) = self.bits.split_at_mut(r * stride);
            let (done_marks, rest_marks) = self.marks.split_at_mut(r * ms);
            let earlier = Rows {
                bits: done,
                marks: done_marks,
                stride,
                marks_stride: ms,
                row: self.row,
            };
            let (bits, marks) = (&mut rest[..stride], &mut rest_marks[..ms]);
            gather(cond, c, earlier, None, own, target, bits, marks);
            self.count[r] = marked(marks).map(|j| bits[j].count_ones()).sum();
            visit(self, c);
        }
    }

    /// What a component that keeps no row reaches beyond its dominant successor, made in
    /// `scratch` from the filled rows. The dominant successor's row is not copied, only masked
    /// out of the others: it is usually the largest.
    fn leaf<'s>(
        &self,
        cond: &Condensation,
        c: usize,
        own: &impl Fn(usize, &mut dyn FnMut(usize)),
        target: &impl Fn(usize) -> Option<usize>,
        scratch: &'s mut Scratch,
    ) -> Beyond<'s> {
        let base = dominant(cond, self, c);
        let (bits, marks) = (&mut scratch.bits[..], &mut scratch.marks[..]);
        gather(cond, c, self.rows(), base, own, target, bits, marks);
        let mut count = base.map_or(0, |d| self.count_of(d));
        let base_bits = base.map(|d| self.of(d));
        for j in marked(marks) {
            if let Some(b) = base_bits {
                bits[j] &= !b.bits[j];
            }
            count += bits[j].count_ones();
        }
        Beyond {
            base,
            bits: Row {
                bits: &scratch.bits,
                marks: &scratch.marks,
            },
            whole: false,
            count,
        }
    }
}

/// What a component reaches in a chunk, seen from its dominant successor (whose figures its
/// own start from).
#[derive(Clone, Copy)]
struct Beyond<'r> {
    base: Option<usize>,
    /// All the component's bits when `whole`, else only those its base lacks.
    bits: Row<'r>,
    whole: bool,
    /// Bits the component reaches in all.
    count: u32,
}

impl<'r> Beyond<'r> {
    /// A component that keeps a row: all its bits are there.
    fn whole(cond: &Condensation, chunk: &'r Chunk, c: usize) -> Beyond<'r> {
        Beyond {
            base: dominant(cond, chunk, c),
            bits: chunk.of(c),
            whole: true,
            count: chunk.count_of(c),
        }
    }

    /// The words of the bits the base lacks (some may be zero), as (word index, word).
    fn extra_words<'s>(&'s self, chunk: &'s Chunk) -> impl Iterator<Item = (usize, u64)> + 's {
        let base = self.base.filter(|_| self.whole).map(|d| chunk.of(d));
        self.bits
            .words()
            .map(move |(j, w)| (j, w & !base.map_or(0, |b| b.bits[j])))
    }

    /// Whether the component reaches store `st`.
    fn has(&self, chunk: &Chunk, part: &StoreChunk, st: NodeId) -> bool {
        part.has(self.bits, st)
            || !self.whole && self.base.is_some_and(|d| part.has(chunk.of(d), st))
    }
}

/// Leaves per parallel job.
const LEAF_BLOCK: usize = 256;

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
        .max_by_key(|&d| (chunk.count_of(d), std::cmp::Reverse(d)))
}

/// A component's figures over one chunk of stores.
#[derive(Debug, Clone, Copy, Default)]
struct StoreTotals {
    records: u64,
    exposure: f64,
    /// Leaked stores.
    stores: u32,
    /// Leaked sink stores (see [`Plan::sink_store`]), counted in the reach size here instead
    /// of in the reach pass.
    sinks: u32,
}

/// The figures of some components over one chunk of stores: totals, and per population the
/// chance that a person is untouched (`none[i * pops..(i + 1) * pops]` for the i-th).
struct StoreFigures {
    totals: Vec<StoreTotals>,
    none: Vec<f64>,
}

impl StoreFigures {
    fn new(len: usize, pops: usize) -> StoreFigures {
        StoreFigures {
            totals: vec![StoreTotals::default(); len],
            none: vec![1.0; len * pops],
        }
    }
}

/// Scratch space for counting one component's record sets.
#[derive(Default)]
struct SetScratch {
    sets: Vec<SetId>,
    copies: Vec<crate::model::records::Holding>,
}

/// One chunk of stores, as the store pass sees it. A record set held whole in one store alone
/// (a solo set) adds the same records to whoever reaches that store, so each store's solo sets
/// are summed once per chunk; only the sets with copies in several stores (shared sets) are
/// counted per component.
struct StoreChunk<'s> {
    /// Chunk-local index of each store node (`u32::MAX` outside the chunk).
    local: &'s [u32],
    /// Per chunk store: what its solo sets add (and whether it is a sink store), and per
    /// population the chance they leave a person untouched (`pops` per store).
    solo: Vec<StoreTotals>,
    solo_none: Vec<f64>,
    /// Shared sets of chunk store i: `shared[shared_at[i]..shared_at[i + 1]]`.
    shared_at: Vec<u32>,
    shared: Vec<SetId>,
}

impl<'s> StoreChunk<'s> {
    fn new(plan: &Plan, stores: &[NodeId], local: &'s [u32]) -> StoreChunk<'s> {
        let index = plan.index;
        let pops = index.populations.len();
        let mut part = StoreChunk {
            local,
            solo: Vec::with_capacity(stores.len()),
            solo_none: Vec::with_capacity(stores.len() * pops),
            shared_at: vec![0],
            shared: Vec::new(),
        };
        let mut buf = Vec::new();
        for &st in stores {
            let mut t = StoreTotals {
                sinks: plan.sink_store[st as usize] as u32,
                ..StoreTotals::default()
            };
            let at = part.solo_none.len();
            part.solo_none.resize(at + pops, 1.0);
            for h in index.store_holdings(st) {
                if !index.is_solo(h.set) {
                    part.shared.push(h.set);
                    continue;
                }
                let n = index.set_records(h.set, |x| x == st, &mut buf);
                if n == 0 {
                    continue;
                }
                t.records = t.records.saturating_add(n);
                t.exposure += n as f64 * index.set_weight(h.set);
                let (population, coverage) = index.set_subjects(h.set);
                if population != NO_POPULATION {
                    part.solo_none[at + population as usize] *= 1.0 - coverage;
                }
            }
            part.solo.push(t);
            part.shared_at.push(part.shared.len() as u32);
        }
        part
    }

    fn has(&self, bits: Row, st: NodeId) -> bool {
        let l = self.local[st as usize] as usize;
        l != u32::MAX as usize && bits.bits[l / WORD] >> (l % WORD) & 1 == 1
    }

    fn shared_of(&self, i: usize) -> &[SetId] {
        &self.shared[self.shared_at[i] as usize..self.shared_at[i + 1] as usize]
    }
}

/// Everything the passes share.
struct Plan<'a> {
    index: &'a ExposureIndex,
    cond: Condensation,
    /// Row of each component that another relevant component reaches (`u32::MAX` for the
    /// others), in component order.
    row: Vec<u32>,
    rows: usize,
    relevant: Vec<bool>,
    /// Relevant components that keep no row and have no twin, in component order.
    leaves: Vec<u32>,
    /// Index in `leaves` of each leaf and of each twin's first (`u32::MAX` for the others).
    leaf_of: Vec<u32>,
    store_of_comp: CompStores,
    /// Stores that are a component of their own with no successors and two or more
    /// predecessors, and no source's component. Such a store adds exactly one node to the reach
    /// of whoever reaches it, so the store pass counts it and the reach pass leaves it out.
    sink_store: Vec<bool>,
}

/// Components whose reach is another's: two components that keep no row, hold no store and
/// have the same successors reach the same targets (accounts in the same groups, say), so the
/// later one takes the figures of the first instead of being computed. `twin[c]` is that first
/// component, or `u32::MAX`.
fn twins(cond: &Condensation, relevant: &[bool], row: &[u32], holds: &CompStores) -> Vec<u32> {
    let mut first: rustc_hash::FxHashMap<&[u32], u32> =
        rustc_hash::FxHashMap::with_capacity_and_hasher(cond.len() / 2, Default::default());
    (0..cond.len())
        .map(|c| {
            if !relevant[c] || row[c] != u32::MAX || !holds.of(c).is_empty() {
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

/// The stores of each component, in node order.
struct CompStores {
    /// Component c holds `stores[at[c]..at[c + 1]]`.
    at: Vec<u32>,
    stores: Vec<NodeId>,
}

impl CompStores {
    fn new(model: &Model, cond: &Condensation) -> CompStores {
        let stores: Vec<NodeId> = model.nodes_of(NodeKind::Store).collect();
        let (at, stores) = crate::model::grouping::group_by_node(
            cond.len(),
            stores.len(),
            |i| cond.comp[stores[i] as usize],
            |i| stores[i],
            |_, _| std::cmp::Ordering::Equal,
        );
        CompStores { at, stores }
    }

    fn of(&self, c: usize) -> &[NodeId] {
        &self.stores[self.at[c] as usize..self.at[c + 1] as usize]
    }
}

impl Plan<'_> {
    /// A component's figures over a chunk of stores. They start from those of its dominant
    /// successor (`rows` holds every row's), and only what it reaches beyond that successor is
    /// added: the solo sets of those stores, and their shared sets recounted over their copies
    /// (a set's copies all sit in one chunk). Its per-population figures are written to
    /// `none`.
    fn store_totals(
        &self,
        chunk: &Chunk,
        rows: &StoreFigures,
        part: &StoreChunk,
        reached: Beyond,
        none: &mut [f64],
        s: &mut SetScratch,
    ) -> StoreTotals {
        let index = self.index;
        let pops = none.len();
        let base = reached.base;
        let mut t = match base {
            Some(d) => {
                let r = chunk.row[d] as usize;
                none.copy_from_slice(&rows.none[r * pops..(r + 1) * pops]);
                rows.totals[r]
            }
            None => {
                none.fill(1.0);
                StoreTotals::default()
            }
        };
        t.stores = reached.count;
        if reached.count == base.map_or(0, |d| chunk.count_of(d)) {
            return t;
        }
        s.sets.clear();
        for (w, word) in reached.extra_words(chunk) {
            let mut extra = word;
            while extra != 0 {
                let i = w * WORD + extra.trailing_zeros() as usize;
                extra &= extra - 1;
                let solo = &part.solo[i];
                t.records = t.records.saturating_add(solo.records);
                t.exposure += solo.exposure;
                t.sinks += solo.sinks;
                for (n, f) in none.iter_mut().zip(&part.solo_none[i * pops..]) {
                    *n *= f;
                }
                s.sets.extend_from_slice(part.shared_of(i));
            }
        }
        s.sets.sort_unstable();
        s.sets.dedup();
        let base_bits = base.map(|d| chunk.of(d));
        for &set in &s.sets {
            let with = index.set_records(set, |st| reached.has(chunk, part, st), &mut s.copies);
            let without = base_bits.map_or(0, |b| {
                index.set_records(set, |st| part.has(b, st), &mut s.copies)
            });
            if with == without {
                continue;
            }
            let weight = index.set_weight(set);
            t.records = t.records.saturating_add(with).saturating_sub(without);
            t.exposure += with as f64 * weight - without as f64 * weight;
            let (population, coverage) = index.set_subjects(set);
            if without == 0 && population != NO_POPULATION {
                none[population as usize] *= 1.0 - coverage;
            }
        }
        t
    }

    /// One chunk of stores: the rows and their figures (into `rows`), then the leaves' figures
    /// in parallel, in blocks of [`LEAF_BLOCK`].
    fn store_chunk(
        &self,
        chunk: &mut Chunk,
        rows: &mut StoreFigures,
        part: &StoreChunk,
    ) -> Vec<StoreFigures> {
        let cond = &self.cond;
        let pops = self.index.populations.len();
        let own = |c: usize, set: &mut dyn FnMut(usize)| {
            for &st in self.store_of_comp.of(c) {
                let l = part.local[st as usize];
                if l != u32::MAX {
                    set(l as usize);
                }
            }
        };
        let target = |_: usize| None;
        let mut none = vec![1.0; pops];
        let mut s = SetScratch::default();
        chunk.fill_rows(cond, &own, &target, |chunk, c| {
            let r = chunk.row[c] as usize;
            let reached = Beyond::whole(cond, chunk, c);
            let t = self.store_totals(chunk, rows, part, reached, &mut none, &mut s);
            rows.totals[r] = t;
            rows.none[r * pops..(r + 1) * pops].copy_from_slice(&none);
        });
        let (chunk, rows) = (&*chunk, &*rows);
        self.leaves
            .par_chunks(LEAF_BLOCK)
            .map_init(
                || (Scratch::new(chunk.stride), SetScratch::default()),
                |(scratch, s), block| {
                    let mut out = StoreFigures::new(block.len(), pops);
                    for (i, &c) in block.iter().enumerate() {
                        let c = c as usize;
                        let reached = chunk.leaf(cond, c, &own, &target, scratch);
                        let none = &mut out.none[i * pops..(i + 1) * pops];
                        out.totals[i] = self.store_totals(chunk, rows, part, reached, none, s);
                    }
                    out
                },
            )
            .collect()
    }

    /// A component's reach weight over a chunk of weighted components: that of its dominant
    /// successor (`weights` holds every row's), plus the trees of the weighted components it
    /// reaches beyond it.
    fn reach_weight(
        &self,
        chunk: &Chunk,
        weights: &[u64],
        reached: Beyond,
        part: &[usize],
        tree: &[u64],
    ) -> u64 {
        let base = reached.base;
        let mut w = base.map_or(0, |d| weights[chunk.row[d] as usize]);
        if reached.count != base.map_or(0, |d| chunk.count_of(d)) {
            for (wi, x) in reached.extra_words(chunk) {
                let mut extra = x;
                while extra != 0 {
                    let bit = extra.trailing_zeros() as usize;
                    extra &= extra - 1;
                    w += tree[part[wi * WORD + bit]];
                }
            }
        }
        w
    }

    /// One chunk of weighted components: the rows' weights (into `weights`), then the leaves'
    /// in parallel, in blocks of [`LEAF_BLOCK`].
    fn reach_chunk(
        &self,
        chunk: &mut Chunk,
        weights: &mut [u64],
        slot: &[u32],
        part: &[usize],
        tree: &[u64],
    ) -> Vec<Vec<u64>> {
        let cond = &self.cond;
        let own = |_: usize, _: &mut dyn FnMut(usize)| {};
        let target = |d: usize| (slot[d] != u32::MAX).then(|| slot[d] as usize);
        chunk.fill_rows(cond, &own, &target, |chunk, c| {
            let r = chunk.row[c] as usize;
            let reached = Beyond::whole(cond, chunk, c);
            weights[r] = self.reach_weight(chunk, weights, reached, part, tree);
        });
        let (chunk, weights) = (&*chunk, &*weights);
        self.leaves
            .par_chunks(LEAF_BLOCK)
            .map_init(
                || Scratch::new(chunk.stride),
                |scratch, block| {
                    block
                        .iter()
                        .map(|&c| {
                            let c = c as usize;
                            let reached = chunk.leaf(cond, c, &own, &target, scratch);
                            self.reach_weight(chunk, weights, reached, part, tree)
                        })
                        .collect()
                },
            )
            .collect()
    }

    /// Where a source's figures are: its component's row, or its leaf (block, index).
    fn place(&self, x: NodeId) -> Place {
        let c = self.cond.comp[x as usize] as usize;
        match self.row[c] {
            u32::MAX => {
                let l = self.leaf_of[c] as usize;
                Place::Leaf(l / LEAF_BLOCK, l % LEAF_BLOCK)
            }
            r => Place::Row(r as usize),
        }
    }
}

/// Where a source's figures are kept in a pass.
#[derive(Clone, Copy)]
enum Place {
    Row(usize),
    Leaf(usize, usize),
}

/// The worst case of every source, through the condensation. Chunks run one after another;
/// within a chunk the leaves run in parallel. Every figure is computed by one thread and
/// combined in chunk order, so the result does not depend on the thread count.
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

/// Targets per chunk when `total` targets are cut into chunks of at most `words` words, as
/// evenly as possible.
fn per_chunk(total: usize, words: usize) -> usize {
    let chunks = total.div_ceil(words * WORD).max(1);
    total.div_ceil(chunks).max(1)
}

/// [`sweep_condensed`] with chunks of at most `chunk_words` words: the tests make them narrow
/// so that models of a few hundred stores take many chunks.
#[doc(hidden)]
pub fn sweep_in_chunks(
    model: &Model,
    cond: Condensation,
    index: &ExposureIndex,
    sources: &[NodeId],
    chunk_words: usize,
) -> Vec<SweepRow> {
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
    let store_of_comp = CompStores::new(model, &cond);
    let twin = twins(&cond, &relevant, &row, &store_of_comp);
    let mut leaves = Vec::new();
    let mut leaf_of = vec![u32::MAX; k];
    for c in 0..k {
        if relevant[c] && row[c] == u32::MAX {
            leaf_of[c] = match twin[c] {
                u32::MAX => {
                    leaves.push(c as u32);
                    leaves.len() as u32 - 1
                }
                t => leaf_of[t as usize],
            };
        }
    }
    let mut sink_store = vec![false; model.node_count()];
    let mut source_comp = vec![false; k];
    for &x in sources {
        source_comp[cond.comp[x as usize] as usize] = true;
    }
    for (c, &holds_source) in source_comp.iter().enumerate() {
        if let &[st] = store_of_comp.of(c) {
            sink_store[st as usize] = cond.size[c] == 1
                && cond.successors(c).is_empty()
                && cond.indegree[c] >= 2
                && !holds_source;
        }
    }
    let plan = Plan {
        index,
        cond,
        row,
        rows,
        relevant,
        leaves,
        leaf_of,
        store_of_comp,
        sink_store,
    };
    let places: Vec<Place> = sources.iter().map(|&x| plan.place(x)).collect();
    let cond = &plan.cond;

    // Reach sizes: trees of hanging components, bits for the weighted others.
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
                && !matches!(plan.store_of_comp.of(c), [st] if plan.sink_store[*st as usize])
        })
        .collect();
    let parts: Vec<&[usize]> = weighted
        .chunks(per_chunk(weighted.len(), chunk_words))
        .collect();
    let chunks = store_chunks(
        model,
        per_chunk(model.nodes_of(NodeKind::Store).count(), chunk_words),
    );
    // The two passes share nothing but the plan: they run side by side, so that each one's
    // rows (filled by one thread) overlap the other's leaves, unless their rows together
    // would take too much memory (a flow component of tens of thousands of stores makes the
    // store pass's rows wide).
    // A flow component larger than a chunk makes its chunk, and so every row, wider.
    let store_words = widest(chunks.iter().map(Vec::len));
    let reach_words = widest(parts.iter().map(|p| p.len()));
    let store = || store_pass(&plan, model, &chunks, store_words, &places);
    let reach = || reach_pass(&plan, &parts, reach_words, &places, &tree);
    let ((mut totals, none), reach) =
        if plan.rows * (store_words + reach_words) * 8 <= SIDE_BY_SIDE_BYTES {
            rayon::join(store, reach)
        } else {
            (store(), reach())
        };
    for (t, r) in totals.iter_mut().zip(reach) {
        t.reach += r;
    }

    sources
        .par_iter()
        .zip(&totals)
        .enumerate()
        .map(|(xi, (&x, t))| SweepRow {
            node: x,
            exposure: t.exposure,
            records: t.records,
            stores: t.stores,
            reach: t.reach + tree[cond.comp[x as usize] as usize],
            people: (0..pops)
                .map(|p| index.sizes[p] * (1.0 - none[xi * pops + p]))
                .collect(),
        })
        .collect()
}

/// The most memory the rows of the two passes may take together for the passes to run side by
/// side (at 100k people they take 25 MB; at 1M, 900 MB).
const SIDE_BY_SIDE_BYTES: usize = 128 << 20;

/// Width in words of rows that hold any of `chunks` (at least one).
fn widest(chunks: impl Iterator<Item = usize>) -> usize {
    chunks.max().unwrap_or(0).div_ceil(WORD).max(1)
}

/// The store pass: per source, records, exposure, stores and sink stores reached, and the
/// chance each person is untouched (`pops` per source), summed (multiplied) over the chunks
/// in chunk order, with rows of `words` words.
fn store_pass(
    plan: &Plan,
    model: &Model,
    chunks: &[Vec<NodeId>],
    words: usize,
    places: &[Place],
) -> (Vec<SourceTotals>, Vec<f64>) {
    let pops = plan.index.populations.len();
    let mut chunk = Chunk::new(plan, words);
    let mut totals = vec![SourceTotals::default(); places.len()];
    let mut none = vec![1.0f64; places.len() * pops];
    let mut row_figures = StoreFigures::new(plan.rows, pops);
    let mut local = vec![u32::MAX; model.node_count()];
    for part in chunks {
        for (i, &st) in part.iter().enumerate() {
            local[st as usize] = i as u32;
        }
        let view = StoreChunk::new(plan, part, &local);
        let leaves = plan.store_chunk(&mut chunk, &mut row_figures, &view);
        let at = |place: Place| match place {
            Place::Row(r) => (
                &row_figures.totals[r],
                &row_figures.none[r * pops..][..pops],
            ),
            Place::Leaf(b, i) => (&leaves[b].totals[i], &leaves[b].none[i * pops..][..pops]),
        };
        totals
            .par_iter_mut()
            .zip(places)
            .with_min_len(FOLD_BLOCK)
            .for_each(|(acc, &place)| {
                let t = at(place).0;
                acc.records = acc.records.saturating_add(t.records);
                acc.exposure += t.exposure;
                acc.stores += t.stores;
                acc.reach += t.sinks as u64;
            });
        if pops > 0 {
            none.par_chunks_mut(pops)
                .zip(places)
                .with_min_len(FOLD_BLOCK)
                .for_each(|(acc, &place)| {
                    for (a, v) in acc.iter_mut().zip(at(place).1) {
                        *a *= v;
                    }
                });
        }
        for &st in part {
            local[st as usize] = u32::MAX;
        }
    }
    (totals, none)
}

/// The reach pass: per source, the trees of the weighted components it reaches, summed over
/// the parts in part order, with rows of `words` words.
fn reach_pass(
    plan: &Plan,
    parts: &[&[usize]],
    words: usize,
    places: &[Place],
    tree: &[u64],
) -> Vec<u64> {
    let mut chunk = Chunk::new(plan, words);
    let mut reach = vec![0u64; places.len()];
    let mut weights = vec![0u64; plan.rows];
    let mut slot = vec![u32::MAX; plan.cond.len()];
    for part in parts {
        for (i, &c) in part.iter().enumerate() {
            slot[c] = i as u32;
        }
        let leaves = plan.reach_chunk(&mut chunk, &mut weights, &slot, part, tree);
        reach
            .par_iter_mut()
            .zip(places)
            .with_min_len(FOLD_BLOCK)
            .for_each(|(acc, &place)| {
                *acc += match place {
                    Place::Row(r) => weights[r],
                    Place::Leaf(b, i) => leaves[b][i],
                };
            });
        for &c in part.iter() {
            slot[c] = u32::MAX;
        }
    }
    reach
}

/// Sources per parallel job when chunk figures are added to theirs.
const FOLD_BLOCK: usize = 4096;

/// A source's figures, summed over the chunks.
#[derive(Debug, Clone, Copy, Default)]
struct SourceTotals {
    records: u64,
    exposure: f64,
    stores: u32,
    /// Nodes reached beyond the source's own tree.
    reach: u64,
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
