//! `paths`' k shortest simple paths (Yen's, over one Dijkstra's working memory reused between
//! spur searches) against every simple path enumerated by a depth-first search written here,
//! on small generated organisations: the k found are simple, distinct, and their costs (steps,
//! then −Σ ln p) are the k smallest of all.

use blastradius::engine::paths::attack_paths;
use blastradius::graph::AttackGraph;
use blastradius::model::NodeKind;

/// Every simple path from `at` to `to`, as (steps, −Σ ln p), up to `cap` of them.
fn enumerate(
    g: &AttackGraph,
    at: u32,
    to: u32,
    on: &mut Vec<bool>,
    cost: (u32, f64),
    out: &mut Vec<(u32, f64)>,
    cap: usize,
) {
    if out.len() >= cap {
        return;
    }
    if at == to {
        out.push(cost);
        return;
    }
    on[at as usize] = true;
    for &e in g.out(at) {
        let edge = g.edge(e);
        if !on[edge.to as usize] {
            enumerate(
                g,
                edge.to,
                to,
                on,
                (cost.0 + 1, cost.1 - edge.p.ln()),
                out,
                cap,
            );
        }
    }
    on[at as usize] = false;
}

#[test]
fn the_k_shortest_are_the_smallest_of_all_simple_paths() {
    let (mut compared, mut several) = (0, 0);
    for seed in 1..4 {
        let model = blastradius::generate::generate(12, seed).canonical();
        let g = AttackGraph::build(&model);
        let stores: Vec<u32> = model.nodes_of(NodeKind::Store).collect();
        for from in model.nodes_of(NodeKind::Account).take(6) {
            for &to in stores.iter().take(8) {
                let mut all = Vec::new();
                let cap = 20_000;
                enumerate(
                    &g,
                    from,
                    to,
                    &mut vec![false; g.node_count],
                    (0, 0.0),
                    &mut all,
                    cap,
                );
                if all.len() >= cap {
                    continue;
                }
                all.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
                let found = attack_paths(&g, from, to, 6);
                assert_eq!(found.len(), all.len().min(6), "{from} → {to}");
                for (k, p) in found.iter().enumerate() {
                    // A simple path from `from` to `to`.
                    let mut nodes = vec![from];
                    for &e in &p.edges {
                        assert_eq!(g.edge(e).from, *nodes.last().unwrap());
                        nodes.push(g.edge(e).to);
                    }
                    assert_eq!(*nodes.last().unwrap(), to);
                    let mut seen = nodes.clone();
                    seen.sort_unstable();
                    seen.dedup();
                    assert_eq!(seen.len(), nodes.len(), "simple");
                    let cost: f64 = p.edges.iter().map(|&e| -g.edge(e).p.ln()).sum();
                    assert_eq!(
                        p.edges.len() as u32,
                        all[k].0,
                        "steps of path {k}, {from} → {to}"
                    );
                    assert!(
                        (cost - all[k].1).abs() < 1e-9,
                        "cost of path {k}, {from} → {to}"
                    );
                    assert!(found[..k].iter().all(|q| q.edges != p.edges), "distinct");
                }
                compared += 1;
                several += usize::from(all.len() > 6);
            }
        }
    }
    assert!(
        compared > 20 && several > 5,
        "{compared} pairs compared, {several} with more paths than asked for"
    );
}
