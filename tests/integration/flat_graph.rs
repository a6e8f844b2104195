//! `export graph --format csv`'s files are rendered a block of rows at a time on every thread:
//! they must be the rows written one after the other, as this test writes them from the model,
//! its holdings and the attack graph, on a model with many blocks of nodes and edges.

use std::fmt::Write;

use blastradius::interop::graph::flat_csv;
use blastradius::model::{AccountKind, NodeKind};
use blastradius::Analysis;

/// A CSV cell, quoted when it must be.
fn cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[test]
fn the_flat_graph_is_its_rows_in_order() {
    let a = Analysis::new(blastradius::generate::generate(14_000, 2).canonical());
    let (m, g) = (&a.model, &a.graph);
    let mut nodes = String::from("id,kind,records,exposure,name\n");
    for n in 0..m.node_count() as u32 {
        let kind = match m.kind(n) {
            NodeKind::Account if m.account_kind[n as usize] == AccountKind::Service => "svc",
            k => k.as_str(),
        };
        let (mut records, mut exposure) = (0u64, 0.0);
        if m.kind(n) == NodeKind::Store {
            for (category, r) in a.holdings.store_records(m, n) {
                records += r;
                exposure += r as f64 * m.categories.weight(&category);
            }
        }
        writeln!(nodes, "{n},{kind},{records},{exposure},{}", cell(m.id(n))).unwrap();
    }
    let mut edges = String::from("src,dst,kind,p\n");
    for e in g.edges() {
        let label = m.links[e.link as usize].kind.label();
        writeln!(edges, "{},{},{},{}", e.from, e.to, cell(&label), e.p).unwrap();
    }
    let flat = flat_csv(&a);
    assert!(m.node_count() > 2 * (1 << 14) && g.edge_count() > 2 * (1 << 14));
    assert_eq!(flat.nodes, nodes);
    assert_eq!(flat.edges, edges);
}
