//! Strongly connected components (`graph::scc::component_of`, Pearce's algorithm) against
//! mutual reachability computed by plain searches on small random graphs, against the order
//! petgraph's Tarjan completes them in, and on graphs deep enough to overflow any recursion.

use blastradius::graph::mix64;
use blastradius::graph::scc::{component_of, Components};

/// A random graph on `n` nodes: adjacency lists with self-loops and repeated edges.
fn random_graph(n: usize, seed: u64) -> Vec<Vec<u32>> {
    let mut s = mix64(seed + 1);
    let mut adj = vec![Vec::new(); n];
    let edges = (s % (3 * n as u64 + 1)) as usize;
    for _ in 0..edges {
        s = mix64(s);
        let from = (s % n as u64) as usize;
        s = mix64(s);
        adj[from].push((s % n as u64) as u32);
    }
    adj
}

fn components(adj: &[Vec<u32>]) -> (Vec<u32>, usize) {
    component_of(adj.len(), |v, i| adj[v as usize].get(i).copied())
}

/// Which nodes each node reaches (itself included), by a search from each.
fn reaches(adj: &[Vec<u32>]) -> Vec<Vec<bool>> {
    (0..adj.len())
        .map(|start| {
            let mut seen = vec![false; adj.len()];
            let mut todo = vec![start];
            seen[start] = true;
            while let Some(v) = todo.pop() {
                for &w in &adj[v] {
                    if !seen[w as usize] {
                        seen[w as usize] = true;
                        todo.push(w as usize);
                    }
                }
            }
            seen
        })
        .collect()
}

#[test]
fn two_nodes_share_a_component_exactly_when_each_reaches_the_other() {
    let mut with_cycles = 0;
    for seed in 0..3000u64 {
        let n = 1 + (seed % 13) as usize;
        let adj = random_graph(n, seed);
        let (comp, count) = components(&adj);
        let reach = reaches(&adj);
        for u in 0..n {
            for v in 0..n {
                let mutual = reach[u][v] && reach[v][u];
                assert_eq!(comp[u] == comp[v], mutual, "seed {seed}: {u} and {v}");
            }
        }
        // Numbered 0..count, every number used, sinks first.
        let mut used = vec![false; count];
        comp.iter().for_each(|&c| used[c as usize] = true);
        assert!(used.iter().all(|&u| u), "seed {seed}");
        for (v, targets) in adj.iter().enumerate() {
            for &w in targets {
                assert!(comp[w as usize] <= comp[v], "seed {seed}: edge {v}->{w}");
            }
        }
        with_cycles += (count < n) as usize;
    }
    assert!(
        with_cycles > 500,
        "too few graphs with a cycle: {with_cycles}"
    );
}

#[test]
fn components_come_in_the_order_petgraphs_tarjan_completes_them() {
    for seed in 0..500u64 {
        let n = 1 + (seed % 40) as usize;
        let adj = random_graph(n, seed);
        let mut g = petgraph::Graph::<(), ()>::new();
        let nodes: Vec<_> = (0..n).map(|_| g.add_node(())).collect();
        // petgraph lists a node's neighbours last added first: add them in reverse to search
        // them in our order.
        for (v, targets) in adj.iter().enumerate() {
            for &w in targets.iter().rev() {
                g.add_edge(nodes[v], nodes[w as usize], ());
            }
        }
        let theirs: Vec<Vec<u32>> = petgraph::algo::tarjan_scc(&g)
            .into_iter()
            .map(|mut c| {
                c.sort_unstable();
                c.into_iter().map(|x| x.index() as u32).collect()
            })
            .collect();
        let (comp, count) = components(&adj);
        let grouped = Components::group(&comp, count);
        let ours: Vec<Vec<u32>> = (0..count).map(|c| grouped.of(c).to_vec()).collect();
        assert_eq!(ours, theirs, "seed {seed}");
    }
}

#[test]
fn a_long_chain_and_a_long_cycle_need_no_recursion() {
    let n = 300_000u32;
    // A chain 0 -> 1 -> ... -> n-1: n components, the last node the first sink.
    let (comp, count) = component_of(n as usize, |v, i| (i == 0 && v + 1 < n).then_some(v + 1));
    assert_eq!(count, n as usize);
    assert!((0..n).all(|v| comp[v as usize] == n - 1 - v));
    // The same chain closed into a cycle: one component.
    let (comp, count) = component_of(n as usize, |v, i| (i == 0).then_some((v + 1) % n));
    assert_eq!(count, 1);
    assert!(comp.iter().all(|&c| c == 0));
}
