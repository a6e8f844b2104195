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

/// The two files written one row after the other from the model, holdings and graph.
fn written(a: &Analysis) -> (String, String) {
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
    (nodes, edges)
}

#[test]
fn the_flat_graph_is_its_rows_in_order() {
    let a = Analysis::new(blastradius::generate::generate(14_000, 2).canonical());
    let (nodes, edges) = written(&a);
    let flat = flat_csv(&a);
    assert!(a.model.node_count() > 2 * (1 << 14) && a.graph.edge_count() > 2 * (1 << 14));
    assert_eq!(flat.nodes, nodes);
    assert_eq!(flat.edges, edges);
}

#[test]
fn many_kinds_and_probabilities_in_one_block_are_each_written_as_they_are() {
    // More distinct labels and p values than a block remembers, labels that need quoting,
    // and each repeated, so remembered and freshly rendered cells both appear.
    let mut text = String::from("[org]\nprogram_age_days = 730\n[[account]]\nid = \"a-u\"\n");
    for i in 0..50 {
        text += &format!("[[system]]\nid = \"s-{i:02}\"\n");
    }
    for i in 0..50 {
        for j in [i, (i + 7) % 50] {
            let label = if i % 3 == 0 {
                format!("via,\\\"{i}\\\"")
            } else {
                format!("step_{i}")
            };
            text += &format!(
                "[[edge]]\nfrom = \"a-u\"\nto = \"s-{j:02}\"\nkind = \"{label}\"\np = {}\n",
                (i + 1) as f64 / 64.0
            );
        }
    }
    let a = Analysis::new(crate::diff::parse(&text));
    let (nodes, edges) = written(&a);
    let flat = flat_csv(&a);
    assert_eq!(a.graph.edge_count(), 100);
    assert!(edges.contains("\"via,\"\"3\"\"\"") && edges.contains(",0.046875\n"));
    assert_eq!(flat.nodes, nodes);
    assert_eq!(flat.edges, edges);
}
