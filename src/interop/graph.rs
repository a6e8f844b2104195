//! The flat attack graph for other graph tools (networkx, igraph, rustworkx, yEd, Gephi): `nodes.csv` (`id,kind,records,exposure,name`,
//! ids dense 0..N-1), `edges.csv` (`src,dst,kind,p`, traversable steps only), or GraphML.
//! `shared/bench/baselines.py` reads the CSV pair. Service accounts are written with kind `svc`,
//! as the baseline workload names them; a store's records and exposure are what it holds on its
//! own (records × weight), as if it were breached alone.

use std::fmt::Write;

use rayon::prelude::*;

use crate::model::{AccountKind, LinkKind, NodeKind};
use crate::output::csv::push_cell;
use crate::Analysis;

fn kind(a: &Analysis, n: u32) -> &'static str {
    match a.model.kind(n) {
        NodeKind::Account if a.model.account_kind[n as usize] == AccountKind::Service => "svc",
        k => k.as_str(),
    }
}

/// Records and exposure a store holds on its own (0 for other nodes).
fn holdings(a: &Analysis, n: u32) -> (u64, f64) {
    if a.model.kind(n) != NodeKind::Store {
        return (0, 0.0);
    }
    let by_cat = a.holdings.store_records(&a.model, n);
    let records = by_cat.values().sum();
    let exposure = by_cat
        .iter()
        .map(|(c, r)| *r as f64 * a.model.categories.weight(c))
        .sum();
    (records, exposure)
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The flat graph as CSV: the text of `nodes.csv` and of `edges.csv`.
pub struct FlatCsv {
    pub nodes: String,
    pub edges: String,
}

/// Rows per block when the flat graph is rendered on every thread.
const ROWS_PER_BLOCK: usize = 1 << 14;

/// Rows `0..count`, each written by `row(i, text, memo)`, rendered a block at a time on every
/// thread (each block with its own `memo`, for cells many rows repeat) and joined in order after
/// `header`.
fn rendered<M: Default>(
    header: &str,
    count: usize,
    row: impl Fn(usize, &mut String, &mut M) + Sync,
) -> String {
    let blocks: Vec<String> = (0..count.div_ceil(ROWS_PER_BLOCK))
        .into_par_iter()
        .map(|b| {
            let (mut text, mut memo) = (String::new(), M::default());
            for i in b * ROWS_PER_BLOCK..((b + 1) * ROWS_PER_BLOCK).min(count) {
                row(i, &mut text, &mut memo);
            }
            text
        })
        .collect();
    let mut all =
        String::with_capacity(header.len() + blocks.iter().map(String::len).sum::<usize>());
    all.push_str(header);
    // Each block freed once copied, so the text is not held twice over.
    blocks.into_iter().for_each(|b| all.push_str(&b));
    all
}

/// An edge row's kind and p cells as written before in its block: a graph has few kinds and
/// few distinct probabilities, so each is rendered once a block instead of once an edge (the
/// label's text and the shortest digits of a float). Past `MEMO` distinct values a cell is
/// rendered each time.
#[derive(Default)]
struct EdgeCells {
    kinds: Vec<(LinkKind, String)>,
    ps: Vec<(u64, String)>,
    scratch: String,
}

/// Most distinct values an [`EdgeCells`] keeps of each cell.
const MEMO: usize = 32;

impl EdgeCells {
    fn kind(&mut self, kind: LinkKind) -> &str {
        match self.kinds.iter().position(|(k, _)| *k == kind) {
            Some(i) => &self.kinds[i].1,
            None => {
                let mut cell = String::new();
                push_cell(&mut cell, &kind.label());
                self.remember_kind(kind, cell)
            }
        }
    }

    fn remember_kind(&mut self, kind: LinkKind, cell: String) -> &str {
        if self.kinds.len() < MEMO {
            self.kinds.push((kind, cell));
            &self.kinds.last().expect("pushed").1
        } else {
            self.scratch = cell;
            &self.scratch
        }
    }

    fn p(&mut self, p: f64) -> &str {
        let bits = p.to_bits();
        match self.ps.iter().position(|(b, _)| *b == bits) {
            Some(i) => &self.ps[i].1,
            None if self.ps.len() < MEMO => {
                self.ps.push((bits, p.to_string()));
                &self.ps.last().expect("pushed").1
            }
            None => {
                self.scratch = p.to_string();
                &self.scratch
            }
        }
    }
}

/// The attack graph as the `nodes.csv` and `edges.csv` pair, each rendered on every thread.
pub fn flat_csv(a: &Analysis) -> FlatCsv {
    let (nodes, edges) = rayon::join(
        || {
            rendered(
                "id,kind,records,exposure,name\n",
                a.model.node_count(),
                |n, text, _: &mut ()| {
                    let n = n as u32;
                    let (records, exposure) = holdings(a, n);
                    // Writing into a String cannot fail.
                    let _ = write!(text, "{n},{},{records},{exposure},", kind(a, n));
                    push_cell(text, a.model.id(n));
                    text.push('\n');
                },
            )
        },
        || {
            rendered(
                "src,dst,kind,p\n",
                a.graph.edge_count(),
                |e, text, memo: &mut EdgeCells| {
                    let edge = a.graph.edge(e as u32);
                    let _ = write!(text, "{},{},", edge.from, edge.to);
                    text.push_str(memo.kind(a.model.links[edge.link as usize].kind));
                    text.push(',');
                    text.push_str(memo.p(edge.p));
                    text.push('\n');
                },
            )
        },
    );
    FlatCsv { nodes, edges }
}

/// The attack graph as GraphML text.
pub fn graphml(a: &Analysis) -> String {
    let mut s = String::from(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n",
        "  <key id=\"kind\" for=\"node\" attr.name=\"kind\" attr.type=\"string\"/>\n",
        "  <key id=\"name\" for=\"node\" attr.name=\"name\" attr.type=\"string\"/>\n",
        "  <key id=\"records\" for=\"node\" attr.name=\"records\" attr.type=\"long\"/>\n",
        "  <key id=\"exposure\" for=\"node\" attr.name=\"exposure\" attr.type=\"double\"/>\n",
        "  <key id=\"ekind\" for=\"edge\" attr.name=\"kind\" attr.type=\"string\"/>\n",
        "  <key id=\"p\" for=\"edge\" attr.name=\"p\" attr.type=\"double\"/>\n",
        "  <graph id=\"attack\" edgedefault=\"directed\">\n"
    ));
    for n in 0..a.model.node_count() as u32 {
        let (records, exposure) = holdings(a, n);
        s += &format!(
            "    <node id=\"n{n}\"><data key=\"kind\">{}</data><data key=\"name\">{}</data><data key=\"records\">{records}</data><data key=\"exposure\">{exposure}</data></node>\n",
            kind(a, n),
            xml(a.model.id(n))
        );
    }
    for (e, edge) in a.graph.edges().enumerate() {
        s += &format!(
            "    <edge source=\"n{}\" target=\"n{}\"><data key=\"ekind\">{}</data><data key=\"p\">{}</data></edge>\n",
            edge.from,
            edge.to,
            xml(&a.graph.edge_label(&a.model, e as u32)),
            edge.p
        );
    }
    s.push_str("  </graph>\n</graphml>\n");
    s
}
