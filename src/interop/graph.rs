//! The flat attack graph for other graph tools (networkx, igraph, rustworkx, yEd, Gephi): `nodes.csv` (`id,kind,records,exposure,name`,
//! ids dense 0..N-1), `edges.csv` (`src,dst,kind,p`, traversable steps only), or GraphML.
//! `shared/bench/baselines.py` reads the CSV pair. Service accounts are written with kind `svc`,
//! as the baseline workload names them; a store's records and exposure are what it holds on its
//! own (records × weight), as if it were breached alone.

use crate::model::{AccountKind, NodeKind};
use crate::output::csv::cell as csv_cell;
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

/// The attack graph as the `nodes.csv` and `edges.csv` pair.
pub fn flat_csv(a: &Analysis) -> FlatCsv {
    let mut nodes = String::from("id,kind,records,exposure,name\n");
    for n in 0..a.model.node_count() as u32 {
        let (records, exposure) = holdings(a, n);
        nodes += &format!(
            "{n},{},{records},{exposure},{}\n",
            kind(a, n),
            csv_cell(a.model.id(n))
        );
    }
    let mut edges = String::from("src,dst,kind,p\n");
    for (e, edge) in a.graph.edges().enumerate() {
        edges += &format!(
            "{},{},{},{}\n",
            edge.from,
            edge.to,
            csv_cell(&a.graph.edge_label(&a.model, e as u32)),
            edge.p
        );
    }
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
