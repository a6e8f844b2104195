//! `who-can-reach`'s listings (JSON, table, CSV) written from [`WhoCanReach`], with the bytes
//! of its whole report rendered at once (`json::render`, `table::who_can_reach`, its CSV).
//!
//! A reacher's shortest path is its first step followed by the shortest path of the node that
//! step leads to, so each reacher's first step is rendered once, in the format's own words,
//! and a row is its head followed by the texts of the steps along its path. For a store most
//! of a million people reach, paths run to nine steps on average: rendering each step once
//! instead of in every row through it is most of the listing's work. Rows are made a block at
//! a time on every thread ([`super::blocks`]) and never held all at once.

use std::io::{self, Write};
use std::ops::Range;

use rayon::prelude::*;

use super::blocks::{write_in_order, ROWS_PER_BLOCK};
use super::json;
use super::table::who_can_reach_header;
use crate::model::NodeId;
use crate::results::queries::WhoCanReach;
use crate::results::Step;

/// Nodes per chunk of [`StepTexts`].
const NODES_PER_CHUNK: usize = 4096;

/// No next node: the target, or a node that does not reach it.
const NONE: NodeId = NodeId::MAX;

/// Every reacher's first step as text, by node.
struct StepTexts {
    chunks: Vec<Chunk>,
}

/// The first steps of nodes `c · NODES_PER_CHUNK ..`: node `k` of the chunk has the text
/// `text[ends[k − 1]..ends[k]]` (from 0 for the first) and leads to `next[k]` with
/// probability `p[k]`.
struct Chunk {
    text: Vec<u8>,
    ends: Vec<u32>,
    next: Vec<NodeId>,
    p: Vec<f64>,
}

impl StepTexts {
    /// Renders each reacher's first step with `render`, on every thread.
    fn new(r: &WhoCanReach, render: impl Fn(&Step, &mut Vec<u8>) + Sync) -> StepTexts {
        let count = r.model().node_count();
        let chunks = (0..count.div_ceil(NODES_PER_CHUNK))
            .into_par_iter()
            .map(|c| {
                let nodes = c * NODES_PER_CHUNK..((c + 1) * NODES_PER_CHUNK).min(count);
                let mut chunk = Chunk {
                    text: Vec::new(),
                    ends: Vec::with_capacity(nodes.len()),
                    next: Vec::with_capacity(nodes.len()),
                    p: Vec::with_capacity(nodes.len()),
                };
                for n in nodes {
                    let (next, p) = match r.first_step(n as NodeId) {
                        Some((step, next)) => {
                            render(&step, &mut chunk.text);
                            (next, step.p)
                        }
                        None => (NONE, 1.0),
                    };
                    let end = u32::try_from(chunk.text.len()).expect("a chunk's text under 4 GB");
                    chunk.ends.push(end);
                    chunk.next.push(next);
                    chunk.p.push(p);
                }
                chunk
            })
            .collect();
        StepTexts { chunks }
    }

    /// Node `n`'s first step: its text, probability and the node it leads to.
    fn step(&self, n: NodeId) -> (&[u8], f64, NodeId) {
        let (c, k) = (n as usize / NODES_PER_CHUNK, n as usize % NODES_PER_CHUNK);
        let chunk = &self.chunks[c];
        let start = if k == 0 {
            0
        } else {
            chunk.ends[k - 1] as usize
        };
        (
            &chunk.text[start..chunk.ends[k] as usize],
            chunk.p[k],
            chunk.next[k],
        )
    }

    /// The steps of `n`'s shortest path, in walking order: each one's text and probability.
    fn path(&self, n: NodeId) -> impl Iterator<Item = (&[u8], f64)> + '_ {
        let mut at = n;
        std::iter::from_fn(move || {
            let (text, p, next) = self.step(at);
            (next != NONE).then(|| {
                at = next;
                (text, p)
            })
        })
    }
}

/// Renders into memory, which cannot fail.
fn infallible(r: io::Result<()>) {
    r.expect("writing to memory cannot fail")
}

/// The reachers' rows, each `row(n, out)` appended in report order a block at a time.
fn rows(
    w: &mut dyn Write,
    r: &WhoCanReach,
    row: impl Fn(usize, NodeId, &mut Vec<u8>) + Sync,
) -> io::Result<()> {
    write_in_order(w, r.len(), ROWS_PER_BLOCK, |range: Range<usize>, out| {
        for i in range {
            row(i, r.node(i), out);
        }
    })
}

/// A line break and an indent ([`json::line_break`]).
fn line(out: &mut impl Write, indent: usize, first: bool) {
    infallible(json::line_break(out, indent, first));
}

/// A key of a pretty JSON object `indent` levels deep.
fn key(out: &mut Vec<u8>, indent: usize, first: bool, name: &str) {
    line(out, indent, first);
    out.push(b'"');
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\": ");
}

/// Reachers are written two levels deep: in the report's `reachers` array.
const ROW: usize = 2;

/// `who-can-reach`'s JSON report, as `json::render` writes a `WhoCanReachReport`.
pub fn write_json(w: &mut dyn Write, r: &WhoCanReach) -> io::Result<()> {
    // A step is written three levels inside its row: path, steps, the step.
    let texts = StepTexts::new(r, |step, out| {
        infallible(json::write_at(out, ROW + 3, step))
    });
    let mut w = io::BufWriter::with_capacity(1 << 16, w);
    // The report's own object, as the pretty printer lays out a struct of three fields.
    w.write_all(b"{\n  \"target\": ")?;
    json::write_at(&mut w, 1, r.target())?;
    w.write_all(b",\n  \"reachers\": [")?;
    write_in_order(&mut w, r.len(), ROWS_PER_BLOCK, |range, out| {
        // Each row's steps, walked once for their probability and their texts.
        let mut steps = Vec::new();
        for i in range {
            json_row(out, r, &texts, i, &mut steps);
        }
    })?;
    if !r.is_empty() {
        line(&mut w, 1, true);
    }
    w.write_all(b"],\n  \"copies_in\": ")?;
    json::write_at(&mut w, 1, r.copies_in())?;
    w.write_all(b"\n}\n")?;
    w.flush()
}

/// Reacher `i` as an element of the `reachers` array (`steps` is room for its path's steps).
fn json_row<'t>(
    out: &mut Vec<u8>,
    r: &WhoCanReach,
    texts: &'t StepTexts,
    i: usize,
    steps: &mut Vec<(&'t [u8], f64)>,
) {
    let n = r.node(i);
    line(out, ROW, i == 0);
    out.push(b'{');
    key(out, ROW + 1, true, "id");
    infallible(json::write_at(out, 0, r.model().id(n)));
    key(out, ROW + 1, false, "kind");
    infallible(json::write_at(out, 0, r.model().kind(n).as_str()));
    key(out, ROW + 1, false, "steps");
    infallible(write!(out, "{}", r.steps(n)));
    key(out, ROW + 1, false, "path");
    out.push(b'{');
    key(out, ROW + 2, true, "target");
    infallible(json::write_at(out, 0, r.target()));
    key(out, ROW + 2, false, "probability");
    steps.clear();
    steps.extend(texts.path(n));
    let probability = steps.iter().map(|&(_, p)| p).product();
    infallible(json::write_number(out, "probability", probability));
    key(out, ROW + 2, false, "steps");
    out.push(b'[');
    for (k, (text, _)) in steps.iter().enumerate() {
        line(out, ROW + 3, k == 0);
        out.extend_from_slice(text);
    }
    if !steps.is_empty() {
        line(out, ROW + 2, true);
    }
    out.push(b']');
    line(out, ROW + 1, true);
    out.push(b'}');
    line(out, ROW, true);
    out.push(b'}');
}

/// A row's path as the table and CSV write it: the reacher's id, then ` —kind→ to` for each
/// step.
fn path_texts(r: &WhoCanReach) -> StepTexts {
    StepTexts::new(r, |step, out| {
        infallible(write!(out, " —{}→ {}", step.kind, step.to))
    })
}

/// `who-can-reach`'s table, as `table::who_can_reach` writes the report.
pub fn write_table(w: &mut dyn Write, r: &WhoCanReach) -> io::Result<()> {
    let iw = r.id_width().max(2);
    if !who_can_reach_header(w, r.target(), r.copies_in(), r.len(), iw)? {
        return Ok(());
    }
    let texts = path_texts(r);
    rows(w, r, |_, n, out| {
        let (model, id) = (r.model(), r.model().id(n));
        infallible(write!(
            out,
            "  {:<iw$}  {:<8} {:>5}  {id}",
            id,
            model.kind(n).as_str(),
            r.steps(n)
        ));
        for (text, _) in texts.path(n) {
            out.extend_from_slice(text);
        }
        out.push(b'\n');
    })
}

/// `who-can-reach`'s CSV, as the report's CSV (`csv::write_reachers`) is written.
pub fn write_csv(w: &mut dyn Write, r: &WhoCanReach) -> io::Result<()> {
    const HEADER: [&str; 4] = ["id", "kind", "steps", "path"];
    if r.is_empty() {
        return writeln!(w, "{}", HEADER.join(","));
    }
    let texts = path_texts(r);
    write_in_order(w, r.len(), ROWS_PER_BLOCK, |range, out| {
        let mut block = csv::Writer::from_writer(out);
        let mut path = Vec::new();
        if range.start == 0 {
            infallible(block.write_record(HEADER).map_err(io::Error::from));
        }
        for i in range {
            let n = r.node(i);
            let id = r.model().id(n);
            path.clear();
            path.extend_from_slice(id.as_bytes());
            for (text, _) in texts.path(n) {
                path.extend_from_slice(text);
            }
            let steps = r.steps(n).to_string();
            let record: [&[u8]; 4] = [
                id.as_bytes(),
                r.model().kind(n).as_str().as_bytes(),
                steps.as_bytes(),
                &path,
            ];
            infallible(block.write_record(record).map_err(io::Error::from));
        }
        infallible(block.flush());
    })
}
