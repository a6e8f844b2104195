//! Layered (Sugiyama) layout of a small directed graph, drawn left to right, in four steps:
//!
//! 1. **Cycles** are broken by a depth-first search from the nodes in order (entry points
//!    first): an edge to a node still on the search stack is drawn reversed.
//! 2. **Layering** by longest path from the sources, so every remaining edge goes from a lower
//!    layer to a higher one; entry points sit in layer 0, targets with no way onwards in the last
//!    layer, and a source that is no entry point (a "more" node) right before its successor.
//! 3. **Dummy nodes** split every edge spanning several layers into unit steps; then
//!    **crossing reduction**: sweeps down and up the layers sort each layer by the barycentre of
//!    its neighbours in the layer before (after), keeping the order with the fewest crossings.
//! 4. **Coordinates**: each layer is a column as wide as its widest node, with room for the edge
//!    labels between columns; in each column nodes are stacked in order and pulled towards the
//!    mean height of their neighbours, a few sweeps each way, never closer than a fixed gap.
//!
//! Everything is in index order (no hashing), so the same graph gives the same layout.

/// The graph to lay out: node sizes (width, height), edges, and which nodes are entry points,
/// which are targets (pushed right), and the width of each edge's label.
pub struct Graph {
    pub sizes: Vec<(f64, f64)>,
    pub edges: Vec<(usize, usize)>,
    pub entry: Vec<bool>,
    pub target: Vec<bool>,
    pub label_width: Vec<f64>,
}

/// A placed node: its layer, its box's left edge and vertical centre.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    pub layer: usize,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// The layout: node boxes, each edge as a polyline from its source to its target (through its
/// dummy nodes), whether it was reversed to break a cycle, and the size of the whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub nodes: Vec<Placed>,
    pub edges: Vec<Vec<(f64, f64)>>,
    pub reversed: Vec<bool>,
    pub width: f64,
    pub height: f64,
    /// Edge crossings left between adjacent layers.
    pub crossings: usize,
}

/// Vertical gap between nodes in a column.
const GAP: f64 = 18.0;
/// Horizontal room between columns besides the edge labels.
const COLUMN_GAP: f64 = 36.0;
const SWEEPS: usize = 8;

/// Step 1: which edges to reverse so the graph has no cycle.
fn feedback_edges(n: usize, edges: &[(usize, usize)], entry: &[bool]) -> Vec<bool> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, &(a, _)) in edges.iter().enumerate() {
        out[a].push(i);
    }
    // 0 new, 1 on the stack, 2 done.
    let mut state = vec![0u8; n];
    let mut reversed = vec![false; edges.len()];
    let starts = (0..n).filter(|&v| entry[v]).chain(0..n);
    for s in starts {
        if state[s] != 0 {
            continue;
        }
        state[s] = 1;
        let mut stack = vec![(s, 0usize)];
        while let Some(&mut (v, ref mut k)) = stack.last_mut() {
            if let Some(&e) = out[v].get(*k) {
                *k += 1;
                let w = edges[e].1;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => reversed[e] = true,
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    reversed
}

/// Step 2: the layer of each node in the acyclic graph `dag`.
fn layers(g: &Graph, dag: &[(usize, usize)]) -> Vec<usize> {
    let n = g.sizes.len();
    let mut indegree = vec![0usize; n];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in dag {
        indegree[b] += 1;
        out[a].push(b);
    }
    let mut layer = vec![0usize; n];
    let mut ready: Vec<usize> = (0..n).rev().filter(|&v| indegree[v] == 0).collect();
    let mut topo = Vec::with_capacity(n);
    while let Some(v) = ready.pop() {
        topo.push(v);
        for &w in &out[v] {
            layer[w] = layer[w].max(layer[v] + 1);
            indegree[w] -= 1;
            if indegree[w] == 0 {
                ready.push(w);
            }
        }
    }
    let last = layer.iter().copied().max().unwrap_or(0);
    // Sources that are not entry points sit right before their nearest successor.
    for &v in topo.iter().rev() {
        let has_in = dag.iter().any(|&(_, b)| b == v);
        if !has_in && !g.entry[v] {
            if let Some(m) = out[v].iter().map(|&w| layer[w]).min() {
                layer[v] = m.saturating_sub(1);
            } else if g.target[v] {
                layer[v] = last;
            }
        }
        if g.target[v] && out[v].is_empty() {
            layer[v] = last;
        }
    }
    layer
}

/// Crossings between two adjacent layers given each node's position.
fn crossings(segments: &[(usize, usize)], pos: &[usize]) -> usize {
    let mut c = 0;
    for (i, &(a, b)) in segments.iter().enumerate() {
        for &(x, y) in &segments[i + 1..] {
            let (pa, pb, px, py) = (pos[a], pos[b], pos[x], pos[y]);
            if (pa < px && pb > py) || (pa > px && pb < py) {
                c += 1;
            }
        }
    }
    c
}

/// The unit-length graph with dummy nodes: columns of nodes and, per original edge, its chain.
struct Proper {
    /// Node (real or dummy) of each slot; real nodes keep their index, dummies follow.
    layer: Vec<usize>,
    /// Unit segments between adjacent layers.
    segments: Vec<(usize, usize)>,
    /// Each original edge's chain of nodes from its drawn source to its drawn target.
    chains: Vec<Vec<usize>>,
}

fn proper(layer: &[usize], dag: &[(usize, usize)]) -> Proper {
    let mut p = Proper {
        layer: layer.to_vec(),
        segments: Vec::new(),
        chains: Vec::new(),
    };
    for &(a, b) in dag {
        let mut chain = vec![a];
        let (la, lb) = (layer[a], layer[b]);
        // Same-layer edges (only possible between a target and its tightened source) are drawn
        // as they are; longer ones get a dummy per layer crossed.
        for l in la + 1..lb {
            p.layer.push(l);
            chain.push(p.layer.len() - 1);
        }
        chain.push(b);
        for w in chain.windows(2) {
            if p.layer[w[0]] + 1 == p.layer[w[1]] {
                p.segments.push((w[0], w[1]));
            }
        }
        p.chains.push(chain);
    }
    p
}

/// Step 3: the order of the nodes in each layer.
fn order(p: &Proper, layers: usize) -> Vec<Vec<usize>> {
    let mut columns: Vec<Vec<usize>> = vec![Vec::new(); layers];
    for (v, &l) in p.layer.iter().enumerate() {
        columns[l].push(v);
    }
    let total = |cols: &[Vec<usize>]| {
        let mut pos = vec![0; p.layer.len()];
        for c in cols {
            for (i, &v) in c.iter().enumerate() {
                pos[v] = i;
            }
        }
        crossings(&p.segments, &pos)
    };
    let mut best = (total(&columns), columns.clone());
    for sweep in 0..SWEEPS {
        let down = sweep % 2 == 0;
        let range: Vec<usize> = if down {
            (1..layers).collect()
        } else {
            (0..layers.saturating_sub(1)).rev().collect()
        };
        for l in range {
            let fixed = if down { l - 1 } else { l + 1 };
            let mut pos = vec![usize::MAX; p.layer.len()];
            for (i, &v) in columns[fixed].iter().enumerate() {
                pos[v] = i;
            }
            let here = &columns[l];
            let keys: Vec<(f64, usize)> = here
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    let near: Vec<usize> = p
                        .segments
                        .iter()
                        .filter_map(|&(a, b)| match down {
                            true if b == v => Some(pos[a]),
                            false if a == v => Some(pos[b]),
                            _ => None,
                        })
                        .collect();
                    let bary = if near.is_empty() {
                        // No neighbour: keep its place, scaled to the other layer's length.
                        i as f64 * columns[fixed].len().max(1) as f64 / here.len() as f64
                    } else {
                        near.iter().sum::<usize>() as f64 / near.len() as f64
                    };
                    (bary, i)
                })
                .collect();
            let mut idx: Vec<usize> = (0..here.len()).collect();
            idx.sort_by(|&a, &b| {
                keys[a]
                    .0
                    .total_cmp(&keys[b].0)
                    .then(keys[a].1.cmp(&keys[b].1))
            });
            columns[l] = idx.iter().map(|&i| here[i]).collect();
        }
        let c = total(&columns);
        if c < best.0 {
            best = (c, columns.clone());
        }
    }
    best.1
}

/// Places a column's nodes in order at their wished heights, at least `GAP` apart.
fn place(column: &[usize], wish: &[f64], h: &[f64], y: &mut [f64]) {
    let mut prev: Option<usize> = None;
    for &v in column {
        y[v] = match prev {
            Some(u) => wish[v].max(y[u] + h[u] / 2.0 + GAP + h[v] / 2.0),
            None => wish[v],
        };
        prev = Some(v);
    }
}

/// Step 4, heights: each column stacked, then pulled towards the neighbours' mean height in
/// sweeps down and up the layers; the top edge ends at 0.
fn heights(p: &Proper, columns: &[Vec<usize>], h: &[f64]) -> Vec<f64> {
    let slots = h.len();
    let count = columns.len();
    let mut y = vec![0.0; slots];
    for c in columns {
        let wish: Vec<f64> = vec![0.0; slots];
        place(c, &wish, h, &mut y);
    }
    for sweep in 0..4 {
        let down = sweep % 2 == 0;
        let ls: Vec<usize> = if down {
            (1..count).collect()
        } else {
            (0..count.saturating_sub(1)).rev().collect()
        };
        for l in ls {
            let mut wish = y.clone();
            for &v in &columns[l] {
                let near: Vec<f64> = p
                    .segments
                    .iter()
                    .filter_map(|&(a, b)| match down {
                        true if b == v => Some(y[a]),
                        false if a == v => Some(y[b]),
                        _ => None,
                    })
                    .collect();
                if !near.is_empty() {
                    wish[v] = near.iter().sum::<f64>() / near.len() as f64;
                }
            }
            place(&columns[l], &wish, h, &mut y);
        }
    }
    let top = (0..slots)
        .map(|v| y[v] - h[v] / 2.0)
        .fold(f64::INFINITY, f64::min);
    let top = if top.is_finite() { top } else { 0.0 };
    y.iter_mut().for_each(|v| *v -= top);
    y
}

/// Lays out `g`.
pub fn layout(g: &Graph) -> Layout {
    let n = g.sizes.len();
    let reversed = feedback_edges(n, &g.edges, &g.entry);
    let dag: Vec<(usize, usize)> = g
        .edges
        .iter()
        .zip(&reversed)
        .map(|(&(a, b), &r)| if r { (b, a) } else { (a, b) })
        .collect();
    let layer = layers(g, &dag);
    let count = layer.iter().copied().max().map_or(0, |m| m + 1);
    let p = proper(&layer, &dag);
    let columns = order(&p, count);
    let slots = p.layer.len();
    let h: Vec<f64> = (0..slots)
        .map(|v| if v < n { g.sizes[v].1 } else { 0.0 })
        .collect();
    let y = heights(&p, &columns, &h);
    // Columns: as wide as their widest node, with room for the labels of edges leaving them.
    let mut column_x = vec![0.0; count + 1];
    for l in 0..count {
        let (mut w, mut label) = (0.0f64, 0.0f64);
        for &v in columns[l].iter().filter(|&&v| v < n) {
            w = w.max(g.sizes[v].0);
        }
        for (e, &(a, _)) in dag.iter().enumerate() {
            if layer[a] == l {
                label = label.max(g.label_width[e]);
            }
        }
        column_x[l + 1] = column_x[l] + w + label + COLUMN_GAP;
    }
    let nodes: Vec<Placed> = (0..n)
        .map(|v| {
            let l = layer[v];
            let widest = columns[l]
                .iter()
                .filter(|&&u| u < n)
                .map(|&u| g.sizes[u].0)
                .fold(0.0, f64::max);
            Placed {
                layer: l,
                x: column_x[l] + (widest - g.sizes[v].0) / 2.0,
                y: y[v],
                w: g.sizes[v].0,
                h: g.sizes[v].1,
            }
        })
        .collect();
    let centre_x = |v: usize| {
        let l = p.layer[v];
        let widest = columns[l]
            .iter()
            .filter(|&&u| u < n)
            .map(|&u| g.sizes[u].0)
            .fold(0.0, f64::max);
        column_x[l] + widest / 2.0
    };
    let edges: Vec<Vec<(f64, f64)>> = p
        .chains
        .iter()
        .zip(&reversed)
        .map(|(chain, &r)| {
            let mut pts: Vec<(f64, f64)> = Vec::with_capacity(chain.len());
            for (i, &v) in chain.iter().enumerate() {
                if v < n {
                    let b = &nodes[v];
                    let x = if i == 0 { b.x + b.w } else { b.x };
                    pts.push((x, b.y));
                } else {
                    pts.push((centre_x(v), y[v]));
                }
            }
            if r {
                pts.reverse();
            }
            pts
        })
        .collect();
    let width = column_x[count] - if count > 0 { COLUMN_GAP } else { 0.0 };
    let height = (0..slots).map(|v| y[v] + h[v] / 2.0).fold(0.0, f64::max);
    let mut pos = vec![0; slots];
    for c in &columns {
        for (i, &v) in c.iter().enumerate() {
            pos[v] = i;
        }
    }
    Layout {
        crossings: crossings(&p.segments, &pos),
        nodes,
        edges,
        reversed,
        width: width.max(0.0),
        height,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(n: usize, edges: &[(usize, usize)], entry: &[usize]) -> Graph {
        Graph {
            sizes: vec![(40.0, 20.0); n],
            edges: edges.to_vec(),
            entry: (0..n).map(|v| entry.contains(&v)).collect(),
            target: vec![false; n],
            label_width: vec![10.0; edges.len()],
        }
    }

    #[test]
    fn a_cycle_is_broken_by_reversing_its_closing_edge() {
        let l = layout(&graph(3, &[(0, 1), (1, 2), (2, 1)], &[0]));
        assert_eq!(l.reversed, vec![false, false, true]);
        assert!(l.nodes[0].layer < l.nodes[1].layer && l.nodes[1].layer < l.nodes[2].layer);
    }

    #[test]
    fn a_long_edge_bends_through_one_dummy_per_layer_crossed() {
        // 0 → 1 → 2 → 3 and 0 → 3: the long edge crosses layers 1 and 2.
        let l = layout(&graph(4, &[(0, 1), (1, 2), (2, 3), (0, 3)], &[0]));
        assert_eq!(l.edges[3].len(), 4);
        let xs: Vec<f64> = l.edges[3].iter().map(|p| p.0).collect();
        assert!(xs.windows(2).all(|w| w[0] < w[1]), "{xs:?}");
    }

    #[test]
    fn barycentre_sweeps_undo_a_crossing() {
        // Two chains 0 → 2 and 1 → 3 declared so that the first layer order crosses them.
        let l = layout(&graph(4, &[(0, 3), (1, 2)], &[0, 1]));
        assert_eq!(l.crossings, 0);
        // Nodes of a column never overlap.
        let (a, b) = (l.nodes[2], l.nodes[3]);
        assert!((a.y - b.y).abs() >= (a.h + b.h) / 2.0 + GAP - 1e-9);
    }
}
