//! Per-component bitsets over one chunk of targets: rows with marks of their non-zero words,
//! filled successors first by one thread ([`Chunk::fill_rows`]), and the leaves' bits made in a
//! scratch row from them ([`Chunk::leaf`]), each seen from its dominant successor ([`Beyond`]).

use super::plan::{Plan, Succs};
use super::WORD;

/// One component's bits in a chunk. Most are sparse (at 100k people nine words in ten are zero),
/// so each row carries marks: bit j of `marks[j / 64]` is set when word j may be non-zero, and
/// every unmarked word is zero. Work on a row visits its marked words only.
#[derive(Clone, Copy)]
pub(super) struct Row<'a> {
    pub(super) bits: &'a [u64],
    pub(super) marks: &'a [u64],
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
pub(super) struct Rows<'r> {
    pub(super) bits: &'r [u64],
    pub(super) marks: &'r [u64],
    pub(super) stride: usize,
    pub(super) marks_stride: usize,
    /// Component of each row.
    pub(super) comp_of_row: &'r [u32],
    /// Rows that keep bits: `0..kept` (the others are bare, see [`Plan::kept`]).
    pub(super) kept: usize,
}

impl<'r> Rows<'r> {
    /// Bits of a row that keeps them.
    fn of(self, r: usize) -> Row<'r> {
        Row {
            bits: &self.bits[r * self.stride..(r + 1) * self.stride],
            marks: &self.marks[r * self.marks_stride..(r + 1) * self.marks_stride],
        }
    }
}

/// Component c's bits: the targets it holds (`own`), its successors (`succ`, as rows) that are
/// targets (`target`, by row) and the rows of its successors but `skip` (a bare successor's
/// are the targets it holds). They are written to `bits` and `marks`, which may hold an
/// earlier row: only its marked words need clearing.
#[allow(clippy::too_many_arguments)]
pub(super) fn gather(
    c: usize,
    succ: &[u32],
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
    for &d in succ {
        let d = d as usize;
        if let Some(i) = target(d) {
            set_bit(bits, marks, i);
        }
        if Some(d) == skip {
            continue;
        }
        if d >= rows.kept {
            own(rows.comp_of_row[d] as usize, &mut |i| {
                set_bit(bits, marks, i)
            });
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
/// ([`Chunk::fill_rows`]); a bare row (no successors) keeps no bits, only its count. The others, the leaves (the sources nothing else reaches, most of
/// them), only read rows: they are computed in parallel, each in a scratch row
/// ([`Chunk::leaf`]), used and forgotten.
pub(super) struct Chunk<'a> {
    /// Row length in words: the widest chunk of its pass.
    pub(super) stride: usize,
    /// Mark words per row: one per 64 words.
    pub(super) marks_stride: usize,
    /// One row of `stride` words per row that keeps bits, in row order, and its marks (see
    /// [`Row`]).
    pub(super) bits: Vec<u64>,
    pub(super) marks: Vec<u64>,
    /// Set bits per row.
    pub(super) count: Vec<u32>,
    /// Component of each row.
    comp_of_row: &'a [u32],
    /// Successors of the rows that keep bits and of the leaves, as rows.
    row_succ: &'a Succs,
    leaf_succ: &'a Succs,
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
}

impl<'a> Chunk<'a> {
    pub(super) fn new(plan: &'a Plan, stride: usize) -> Chunk<'a> {
        let marks_stride = stride.div_ceil(64);
        Chunk {
            stride,
            marks_stride,
            bits: vec![0; plan.kept * stride],
            marks: vec![0; plan.kept * marks_stride],
            count: vec![0; plan.rows],
            comp_of_row: &plan.comp_of_row,
            row_succ: &plan.row_succ,
            leaf_succ: &plan.leaf_succ,
            kept: plan.kept,
        }
    }

    fn rows(&self) -> Rows<'_> {
        Rows {
            bits: &self.bits,
            marks: &self.marks,
            stride: self.stride,
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
    /// nothing, after. `own(c, set)` sets the chunk-local indices of the targets component c
    /// holds itself; `target(r)` is the chunk-local index of row r's component when it is
    /// itself a target. A bare row's bits are made in a scratch row for its visit only.
    pub(super) fn fill_rows(
        &mut self,
        own: &impl Fn(usize, &mut dyn FnMut(usize)),
        target: &impl Fn(usize) -> Option<usize>,
        touched: impl Fn(usize) -> bool,
        mut visit: impl FnMut(&Chunk, usize, Option<Beyond>),
    ) {
        let (stride, ms) = (self.stride, self.marks_stride);
        let mut scratch = Scratch::new(stride);
        for r in 0..self.count.len() {
            let c = self.comp_of_row[r] as usize;
            if !touched(r) {
                if r < self.kept {
                    let (bits, marks) = (
                        &mut self.bits[r * stride..][..stride],
                        &mut self.marks[r * ms..][..ms],
                    );
                    for j in marked(marks) {
                        bits[j] = 0;
                    }
                    marks.fill(0);
                }
                self.count[r] = 0;
                visit(self, r, None);
                continue;
            }
            if r >= self.kept {
                let (bits, marks) = (&mut scratch.bits[..], &mut scratch.marks[..]);
                gather(c, &[], self.rows(), None, own, target, bits, marks);
                let count = marked(marks).map(|j| bits[j].count_ones()).sum();
                self.count[r] = count;
                let reached = Beyond {
                    base: None,
                    bits: Row {
                        bits: &scratch.bits,
                        marks: &scratch.marks,
                    },
                    whole: true,
                    count,
                };
                visit(self, r, Some(reached));
                continue;
            }
            let (done, rest) = self.bits.split_at_mut(r * stride);
            let (done_marks, rest_marks) = self.marks.split_at_mut(r * ms);
            let earlier = Rows {
                bits: done,
                marks: done_marks,
                stride,
                marks_stride: ms,
                comp_of_row: self.comp_of_row,
                kept: self.kept,
            };
            let (bits, marks) = (&mut rest[..stride], &mut rest_marks[..ms]);
            let succ = self.row_succ.of(r);
            gather(c, succ, earlier, None, own, target, bits, marks);
            self.count[r] = marked(marks).map(|j| bits[j].count_ones()).sum();
            visit(self, r, Some(Beyond::whole(self, r)));
        }
    }

    /// What the `l`-th leaf, component `c`, reaches beyond its dominant successor, made in
    /// `scratch` from the filled rows. The dominant successor's row is not copied, only masked
    /// out of the others: it is usually the largest.
    pub(super) fn leaf<'s>(
        &self,
        l: usize,
        c: usize,
        own: &impl Fn(usize, &mut dyn FnMut(usize)),
        target: &impl Fn(usize) -> Option<usize>,
        scratch: &'s mut Scratch,
    ) -> Beyond<'s> {
        let succ = self.leaf_succ.of(l);
        let base = dominant(self, succ);
        let (bits, marks) = (&mut scratch.bits[..], &mut scratch.marks[..]);
        gather(c, succ, self.rows(), base, own, target, bits, marks);
        let mut count = base.map_or(0, |d| self.count[d]);
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
            .map(move |(j, w)| (j, w & !base.map_or(0, |b| b.bits[j])))
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
