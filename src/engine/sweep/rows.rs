//! Per-component bitsets over one chunk of targets: rows with marks of their non-zero words,
//! filled successors first by one thread ([`Chunk::fill_rows`]) and packed (only their marked
//! words are kept, one row after another), and the leaves' bits made in a scratch row from them
//! ([`Chunk::leaf`]), each seen from its dominant successor ([`Beyond`]).

use super::plan::{Plan, Succs};
use super::WORD;

/// One component's bits in a chunk. Most are sparse (at 1M people 24 words in 25 are zero), so
/// each row carries marks: bit j of `marks[j / 64]` is set when word j may be non-zero, and
/// every unmarked word is zero. A dense row (a scratch row) holds every word; a packed one (a
/// filled row) only its marked words, in order, so reading a row touches a few cache lines
/// instead of one per word. Work on a row visits its marked words only.
#[derive(Clone, Copy)]
pub(super) struct Row<'a> {
    marks: &'a [u64],
    /// All words when `dense`, else the marked ones in order (and whatever follows them).
    words: &'a [u64],
    dense: bool,
}

impl<'a> Row<'a> {
    /// A row holding every word.
    pub(super) fn dense(bits: &'a [u64], marks: &'a [u64]) -> Row<'a> {
        Row {
            marks,
            words: bits,
            dense: true,
        }
    }

    /// The marked words, as (word index, word).
    fn words(self) -> impl Iterator<Item = (usize, u64)> + 'a {
        marked(self.marks)
            .enumerate()
            .map(move |(i, j)| (j, self.words[if self.dense { j } else { i }]))
    }

    /// Word `j`.
    #[inline]
    pub(super) fn word(self, j: usize) -> u64 {
        let (m, b) = (j / 64, j % 64);
        let mark = self.marks[m];
        if mark >> b & 1 == 0 {
            return 0;
        }
        if self.dense {
            return self.words[j];
        }
        let before: u32 = self.marks[..m].iter().map(|w| w.count_ones()).sum();
        self.words[(before + (mark & ((1 << b) - 1)).count_ones()) as usize]
    }

    /// Bit `i`.
    #[inline]
    pub(super) fn has(self, i: usize) -> bool {
        self.word(i / WORD) >> (i % WORD) & 1 == 1
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

/// The targets of one chunk, as the rows and leaves see them. Its methods are generic (no
/// dynamic call per target): they run for every successor of every row and leaf in a chunk.
pub(super) trait Targets: Sync {
    /// Calls `set` with the chunk-local index of each target component `c` holds itself.
    fn own(&self, c: usize, set: impl FnMut(usize));
    /// [`Targets::own`] of bare row `r`, whose component is `c`.
    #[inline]
    fn bare(&self, r: usize, c: usize, set: impl FnMut(usize)) {
        let _ = r;
        self.own(c, set);
    }
    /// The chunk-local index of row `r`'s component when it is itself a target.
    fn target(&self, r: usize) -> Option<usize>;
}

/// Sets bit `i` of a row and marks its word.
fn set_bit(bits: &mut [u64], marks: &mut [u64], i: usize) {
    bits[i / WORD] |= 1 << (i % WORD);
    marks[i / WORD / 64] |= 1 << (i / WORD % 64);
}

/// The packed rows of a chunk (all of them, or those before the row being filled).
#[derive(Clone, Copy)]
pub(super) struct Rows<'r> {
    /// Each row that keeps bits, packed: its marks, then its marked words.
    pub(super) packed: &'r [u64],
    /// Where each row that keeps bits starts in `packed` (0, an empty row, for those that
    /// reach nothing).
    pub(super) at: &'r [usize],
    pub(super) marks_stride: usize,
    /// Component of each row.
    pub(super) comp_of_row: &'r [u32],
    /// Rows that keep bits: `0..kept` (the others are bare, see [`Plan::kept`]).
    pub(super) kept: usize,
}

impl<'r> Rows<'r> {
    /// Bits of a row that keeps them.
    #[inline]
    fn of(self, r: usize) -> Row<'r> {
        let (at, ms) = (self.at[r], self.marks_stride);
        Row {
            marks: &self.packed[at..at + ms],
            words: &self.packed[at + ms..],
            dense: false,
        }
    }
}

/// Component c's bits: the targets it holds (`c` is `None` when it holds none), its
/// successors (`succ`, as rows) that are targets and the rows of its successors but `skip` (a
/// bare successor's are the targets it holds), as `t` says. They are written to `bits` and `marks`, which may hold an
/// earlier row: only its marked words need clearing.
pub(super) fn gather(
    c: Option<usize>,
    succ: &[u32],
    rows: Rows,
    skip: Option<usize>,
    t: &impl Targets,
    bits: &mut [u64],
    marks: &mut [u64],
) {
    for j in marked(marks) {
        bits[j] = 0;
    }
    marks.fill(0);
    if let Some(c) = c {
        t.own(c, |i| set_bit(bits, marks, i));
    }
    for &d in succ {
        let d = d as usize;
        if let Some(i) = t.target(d) {
            set_bit(bits, marks, i);
        }
        if Some(d) == skip {
            continue;
        }
        if d >= rows.kept {
            t.bare(d, rows.comp_of_row[d] as usize, |i| set_bit(bits, marks, i));
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
/// ([`Chunk::fill_rows`]) and packed; a bare row (no successors) keeps no bits, only its
/// count. The others, the leaves (the sources nothing else reaches, most of them), only read
/// rows: they are computed in parallel, each in a scratch row ([`Chunk::leaf`]), used and
/// forgotten.
pub(super) struct Chunk<'a> {
    /// Row length in words: the widest chunk of its pass.
    pub(super) stride: usize,
    /// Mark words per row: one per 64 words.
    pub(super) marks_stride: usize,
    /// The rows that keep bits and reach something, packed one after another in the order
    /// they are filled (see [`Rows`]), after one empty row at 0. Their memory follows the
    /// words they hold: at 1M people about 7 MB per store chunk, against 190 MB for every row
    /// at full width.
    packed: Vec<u64>,
    at: Vec<usize>,
    /// Set bits per row.
    pub(super) count: Vec<u32>,
    /// Component of each row.
    comp_of_row: &'a [u32],
    /// Successors of the rows that keep bits and of the leaves, as rows.
    row_succ: &'a Succs,
    leaf_succ: &'a Succs,
    /// Whether each leaf holds a store (see [`Plan::leaf_holds`]).
    leaf_holds: &'a [bool],
    /// Rows that keep bits: `0..kept`.
    pub(super) kept: usize,
}

/// The row of one leaf at a time.
pub(super) struct Scratch {
    pub(super) bits: Vec<u64>,
    pub(super) marks: Vec<u64>,
}

impl Scratch {
    pub(super) fn new(stride: usize) -> Scratch {
        Scratch {
            bits: vec![0; stride],
            marks: vec![0; stride.div_ceil(64)],
        }
    }

    fn row(&self) -> Row<'_> {
        Row::dense(&self.bits, &self.marks)
    }
}

impl<'a> Chunk<'a> {
    pub(super) fn new(plan: &'a Plan, stride: usize) -> Chunk<'a> {
        let marks_stride = stride.div_ceil(64);
        Chunk {
            stride,
            marks_stride,
            packed: vec![0; marks_stride],
            at: vec![0; plan.kept],
            count: vec![0; plan.rows],
            comp_of_row: &plan.comp_of_row,
            row_succ: &plan.row_succ,
            leaf_succ: &plan.leaf_succ,
            leaf_holds: &plan.leaf_holds,
            kept: plan.kept,
        }
    }

    fn rows(&self) -> Rows<'_> {
        Rows {
            packed: &self.packed,
            at: &self.at,
            marks_stride: self.marks_stride,
            comp_of_row: self.comp_of_row,
            kept: self.kept,
        }
    }

    /// Bits of a row that keeps them.
    #[inline]
    pub(super) fn of(&self, r: usize) -> Row<'_> {
        self.rows().of(r)
    }

    /// Fills every row for a chunk of targets, successors first, and hands each row to `visit`
    /// once it is final (with the rows before it, which are), with what it reaches, or `None`
    /// when `touched(r)` said row r reaches no target in the chunk (an untouched row is left
    /// empty, and its figures are nothing). The rows that keep bits come first, in component
    /// order (successors first); the bare ones, which read no row and whose figures start from
    /// nothing, after. `t` says which targets each component holds and which rows are
    /// targets. A row is made in a scratch row and packed; a bare row's bits are only
    /// in the scratch row, for its visit.
    pub(super) fn fill_rows(
        &mut self,
        t: &impl Targets,
        touched: impl Fn(usize) -> bool,
        mut visit: impl FnMut(&Chunk, usize, Option<Beyond>),
    ) {
        self.packed.truncate(self.marks_stride);
        let mut scratch = Scratch::new(self.stride);
        for r in 0..self.count.len() {
            let c = self.comp_of_row[r] as usize;
            if !touched(r) {
                if r < self.kept {
                    self.at[r] = 0;
                }
                self.count[r] = 0;
                visit(self, r, None);
                continue;
            }
            let (bits, marks) = (&mut scratch.bits[..], &mut scratch.marks[..]);
            let succ: &[u32] = if r < self.kept {
                self.row_succ.of(r)
            } else {
                &[]
            };
            gather(Some(c), succ, self.rows(), None, t, bits, marks);
            let count = marked(marks).map(|j| bits[j].count_ones()).sum();
            self.count[r] = count;
            if r >= self.kept {
                let reached = Beyond {
                    base: None,
                    bits: scratch.row(),
                    whole: true,
                    count,
                };
                visit(self, r, Some(reached));
                continue;
            }
            self.at[r] = self.packed.len();
            self.packed.extend_from_slice(marks);
            self.packed.extend(marked(marks).map(|j| bits[j]));
            visit(self, r, Some(Beyond::whole(self, r)));
        }
    }

    /// The one successor (as a row) whose figures are the `l`-th leaf's, component `c`, in this
    /// chunk, when there is one: the leaf holds no target here, no successor is itself a
    /// target and exactly one successor reaches anything here (a bare one by the
    /// targets it holds, which its figures count). The leaf then reaches exactly what that
    /// row reaches, and [`Chunk::leaf`] would find it dominant (or, when bare, start from
    /// nothing) and add nothing beyond it, so its figures are that row's, bit for bit: no
    /// gather, no scratch row. At 1M people about 300k of the 800k leaf visits of a store
    /// chunk are such.
    pub(super) fn lone(&self, l: usize, c: usize, t: &impl Targets) -> Option<usize> {
        if self.leaf_holds[l] {
            let mut holds = false;
            t.own(c, |_| holds = true);
            if holds {
                return None;
            }
        }
        let mut one = None;
        for &d in self.leaf_succ.of(l) {
            let d = d as usize;
            if t.target(d).is_some() {
                return None;
            }
            if self.count[d] != 0 {
                if one.is_some() {
                    return None;
                }
                one = Some(d);
            }
        }
        one
    }

    /// What the `l`-th leaf, component `c`, reaches beyond its dominant successor, made in
    /// `scratch` from the filled rows. The dominant successor's row is not copied, only masked
    /// out of the others: it is usually the largest.
    pub(super) fn leaf<'s>(
        &self,
        l: usize,
        c: usize,
        t: &impl Targets,
        scratch: &'s mut Scratch,
    ) -> Beyond<'s> {
        let succ = self.leaf_succ.of(l);
        let base = dominant(self, succ);
        let (bits, marks) = (&mut scratch.bits[..], &mut scratch.marks[..]);
        let c = self.leaf_holds[l].then_some(c);
        gather(c, succ, self.rows(), base, t, bits, marks);
        let mut count = base.map_or(0, |d| self.count[d]);
        let base_bits = base.map(|d| self.of(d));
        for j in marked(marks) {
            if let Some(b) = base_bits {
                bits[j] &= !b.word(j);
            }
            count += bits[j].count_ones();
        }
        Beyond {
            base,
            bits: scratch.row(),
            whole: false,
            count,
        }
    }
}

/// What a component reaches in a chunk, seen from its dominant successor (whose figures its
/// own start from).
#[derive(Clone, Copy)]
pub(super) struct Beyond<'r> {
    /// The dominant successor's row.
    pub(super) base: Option<usize>,
    /// All the component's bits when `whole`, else only those its base lacks.
    pub(super) bits: Row<'r>,
    pub(super) whole: bool,
    /// Bits the component reaches in all.
    pub(super) count: u32,
}

impl<'r> Beyond<'r> {
    /// A row that keeps bits: all of them are there.
    #[inline]
    pub(super) fn whole(chunk: &'r Chunk, r: usize) -> Beyond<'r> {
        Beyond {
            base: dominant(chunk, chunk.row_succ.of(r)),
            bits: chunk.of(r),
            whole: true,
            count: chunk.count[r],
        }
    }

    /// The words of the bits the base lacks (some may be zero), as (word index, word).
    #[inline]
    pub(super) fn extra_words<'s>(
        &'s self,
        chunk: &'s Chunk,
    ) -> impl Iterator<Item = (usize, u64)> + 's {
        let base = self.base.filter(|_| self.whole).map(|d| chunk.of(d));
        self.bits
            .words()
            .map(move |(j, w)| (j, w & !base.map_or(0, |b| b.word(j))))
    }
}

/// Of the successors `succ` (as rows), the row keeping bits with the most bits, the first
/// component of them on a tie (rows that keep bits are in component order): the component's
/// reach contains it, so only the difference needs new work.
fn dominant(chunk: &Chunk, succ: &[u32]) -> Option<usize> {
    succ.iter()
        .map(|&d| d as usize)
        .filter(|&d| d < chunk.kept)
        .max_by_key(|&d| (chunk.count[d], std::cmp::Reverse(d)))
}
