//! Times the phases of loading and analysing a model (a development aid).
use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).expect("model path");
    let t = Instant::now();
    let m = blastradius::load::load_model(std::path::Path::new(&path), &path)
        .unwrap()
        .model;
    eprintln!("load+validate {:?}", t.elapsed());
    let t = Instant::now();
    let g = blastradius::graph::AttackGraph::build(&m);
    eprintln!("graph {:?}", t.elapsed());
    let t = Instant::now();
    let h = blastradius::model::records::Holdings::compute(&m);
    eprintln!("holdings {:?}", t.elapsed());
    let t = Instant::now();
    let i = blastradius::engine::tally::ExposureIndex::new(&m, &h);
    eprintln!("index {:?}", t.elapsed());
    let t = Instant::now();
    let c = blastradius::engine::sweep::Condensation::new(&g);
    eprintln!("condensation {:?} ({} components)", t.elapsed(), c.len());
    drop(c);
    let sources: Vec<u32> = m.nodes_of(blastradius::model::NodeKind::Account).collect();
    let t = Instant::now();
    let rows = blastradius::engine::sweep::sweep(&m, &g, &i, &sources);
    eprintln!("sweep {:?} ({} rows)", t.elapsed(), rows.len());
}
