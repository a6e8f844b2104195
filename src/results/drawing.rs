//! What an attack-graph drawing shows: the nodes and steps of a set of attack paths, merged into
//! one graph, with which steps are choke points and which parts are summarised. Plain data built
//! from the results the queries and `run` already hold (their paths), so a drawing never shows a
//! step its text output does not; `output::drawing` lays it out and writes DOT, Mermaid, SVG and
//! PNG.
//!
//! A *choke point* of a drawing is a step that lies on at least two of the drawn paths and on
//! paths carrying at least half of the drawing's weight (a run's paths weigh their store's
//! exposure, a query's paths one each): cutting it alone removes that much of what is drawn.
//! Large results are summarised: a run draws the top stores by exposure; `who-can-reach` draws
//! the nodes most reachers pass through, the rest folded into "more" nodes.

use std::collections::{BTreeMap, HashMap};

use super::queries::{PathsReport, WhoCanReachReport};
use super::{PathReport, RunReport};
use crate::model::records::Holdings;
use crate::model::Model;

/// How many stores a run's drawing shows at most (the rest are summed in one "more" node).
pub const TOP_STORES: usize = 12;
/// Past this many steps on its longest drawn path, a run's drawing folds its chains.
pub const FOLD_DEPTH: usize = 8;
/// How many nodes a `who-can-reach` drawing shows at most besides its "more" nodes.
pub const TOP_REACHERS: usize = 24;

/// What a node is in the drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Where the attacker starts (left).
    Entry,
    /// A node on the way.
    Step,
    /// What the paths lead to: a leaked store, a query's target (right).
    Target,
    /// Nodes left out, counted.
    More,
}

/// A node of the drawing.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawnNode {
    /// The model id (a summary's text for [`Role::More`]).
    pub id: String,
    /// `person`, `account`, `group`, `system`, `store`, or `more`.
    pub kind: String,
    pub role: Role,
    /// A store's records (its own holdings, all categories) and its largest category.
    pub records: Option<(u64, String)>,
    /// The probability of the drawn path to this target.
    pub probability: Option<f64>,
    /// For a "more" node: how many nodes it stands for and their records, if stores.
    pub hidden: Option<(usize, u64)>,
}

/// A step of the drawing, between two of its nodes (indices into `nodes`).
#[derive(Debug, Clone, PartialEq)]
pub struct DrawnEdge {
    pub from: usize,
    pub to: usize,
    /// The step's kind (`member`, `read`, …); empty for an edge into or out of a "more" node.
    pub kind: String,
    /// The step's success probability (none for a "more" edge).
    pub p: Option<f64>,
    pub choke: bool,
}

/// A drawing: title, a note on what it leaves out, nodes and steps in a stable order.
#[derive(Debug, Clone, PartialEq)]
pub struct AttackDrawing {
    pub title: String,
    pub note: String,
    pub nodes: Vec<DrawnNode>,
    pub edges: Vec<DrawnEdge>,
}

/// Builds a drawing node by node; ids are unique, insertion order is the drawing's order.
struct Builder {
    nodes: Vec<DrawnNode>,
    index: HashMap<String, usize>,
    edges: Vec<DrawnEdge>,
    edge_index: HashMap<(usize, usize, String), usize>,
    /// Weight of the paths through each edge, and how many paths.
    weight: Vec<(f64, usize)>,
    total: f64,
}

impl Builder {
    fn new() -> Builder {
        Builder {
            nodes: Vec::new(),
            index: HashMap::new(),
            edges: Vec::new(),
            edge_index: HashMap::new(),
            weight: Vec::new(),
            total: 0.0,
        }
    }

    fn node(&mut self, id: &str, kind: &str) -> usize {
        if let Some(&i) = self.index.get(id) {
            return i;
        }
        self.nodes.push(DrawnNode {
            id: id.to_string(),
            kind: kind.to_string(),
            role: Role::Step,
            records: None,
            probability: None,
            hidden: None,
        });
        self.index.insert(id.to_string(), self.nodes.len() - 1);
        self.nodes.len() - 1
    }

    fn edge(&mut self, from: usize, to: usize, kind: &str, p: Option<f64>) -> usize {
        let key = (from, to, kind.to_string());
        if let Some(&e) = self.edge_index.get(&key) {
            return e;
        }
        self.edges.push(DrawnEdge {
            from,
            to,
            kind: kind.to_string(),
            p,
            choke: false,
        });
        self.weight.push((0.0, 0));
        self.edge_index.insert(key, self.edges.len() - 1);
        self.edges.len() - 1
    }

    /// Adds a path's steps (node kinds from `kind`) with its weight; returns its target's index.
    fn path(&mut self, path: &PathReport, weight: f64, kind: &dyn Fn(&str) -> String) -> usize {
        self.total += weight;
        let mut seen = Vec::new();
        for s in &path.steps {
            let a = self.node(&s.from, &kind(&s.from));
            let b = self.node(&s.to, &kind(&s.to));
            let e = self.edge(a, b, &s.kind, Some(s.p));
            if !seen.contains(&e) {
                seen.push(e);
                self.weight[e].0 += weight;
                self.weight[e].1 += 1;
            }
        }
        self.node(&path.target, &kind(&path.target))
    }

    fn finish(mut self, title: String, note: String) -> AttackDrawing {
        for (e, &(w, n)) in self.edges.iter_mut().zip(&self.weight) {
            e.choke = n >= 2 && self.total > 0.0 && w >= self.total / 2.0;
        }
        AttackDrawing {
            title,
            note,
            nodes: self.nodes,
            edges: self.edges,
        }
    }
}

/// A store's records, all categories, and its largest category (ties to the first by name).
fn records_of(cats: &BTreeMap<String, u64>) -> (u64, String) {
    let top = cats
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(c, _)| c.clone())
        .unwrap_or_default();
    (cats.values().sum(), top)
}

/// Gives each drawn store of the model its own records, as a run's drawing does.
fn with_store_records(mut d: AttackDrawing, model: &Model, holdings: &Holdings) -> AttackDrawing {
    for n in d.nodes.iter_mut().filter(|n| n.kind == "store") {
        if let Some(id) = model.node_id(&n.id) {
            n.records = Some(records_of(&holdings.store_records(model, id)));
        }
    }
    d
}

fn model_kind(model: &Model) -> impl Fn(&str) -> String + '_ {
    |id| {
        model
            .node_id(id)
            .map(|n| model.kind(n).as_str().to_string())
            .unwrap_or_else(|| "more".into())
    }
}

impl AttackDrawing {
    /// The attack paths of `paths`, merged: `--from` on the left, `--to` on the right; stores
    /// with their records.
    pub fn of_paths(model: &Model, holdings: &Holdings, report: &PathsReport) -> AttackDrawing {
        let kind = model_kind(model);
        let mut b = Builder::new();
        let from = b.node(&report.from, &kind(&report.from));
        b.nodes[from].role = Role::Entry;
        for p in &report.paths {
            b.path(p, 1.0, &kind);
        }
        let to = b.node(&report.to, &kind(&report.to));
        b.nodes[to].role = Role::Target;
        if let Some(best) = report.paths.first() {
            b.nodes[to].probability = Some(best.probability);
        }
        let note = format!(
            "{} attack path{} from {} to {}, fewest steps first",
            report.paths.len(),
            if report.paths.len() == 1 { "" } else { "s" },
            report.from,
            report.to
        );
        let d = b.finish(format!("Attack paths to {}", report.to), note);
        with_store_records(d, model, holdings)
    }

    /// Who can reach a target: the nodes most reachers' shortest paths pass through (at most
    /// [`TOP_REACHERS`]), each with a "more" node for the reachers folded into it.
    pub fn of_reachers(
        model: &Model,
        holdings: &Holdings,
        report: &WhoCanReachReport,
    ) -> AttackDrawing {
        let kind = model_kind(model);
        // Each reacher's path is its chain of nodes to the target; count the paths through
        // each node. A node's successor toward the target is on every path the node is on and
        // is nearer, so ranking by (count desc, steps asc, id) keeps the kept set connected.
        let mut through: BTreeMap<&str, (usize, u32)> = BTreeMap::new();
        let mut next: HashMap<&str, &str> = HashMap::new();
        for row in &report.reachers {
            for (i, s) in row.path.steps.iter().enumerate() {
                let e = through.entry(&s.from).or_insert((0, row.steps - i as u32));
                e.0 += 1;
                next.insert(&s.from, &s.to);
            }
        }
        let mut ranked: Vec<(&str, usize, u32)> =
            through.iter().map(|(&id, &(c, d))| (id, c, d)).collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)).then(a.0.cmp(b.0)));
        let kept: Vec<&str> = ranked.iter().take(TOP_REACHERS).map(|r| r.0).collect();
        let is_kept = |id: &str| kept.contains(&id) || id == report.target;
        let mut b = Builder::new();
        let target = b.node(&report.target, &kind(&report.target));
        b.nodes[target].role = Role::Target;
        // Kept nodes nearest the target first, so the drawing reads from the target outwards.
        let mut order = kept.clone();
        order.sort_by_key(|id| (through[id].1, *id));
        for id in &order {
            let a = b.node(id, &kind(id));
            let to = next[id];
            let t = b.node(to, &kind(to));
            let step = report
                .reachers
                .iter()
                .find(|r| r.id == *id)
                .and_then(|r| r.path.steps.first());
            let (k, p) = step.map_or((String::new(), None), |s| (s.kind.clone(), Some(s.p)));
            let e = b.edge(a, t, &k, p);
            b.total += through[id].0 as f64;
            b.weight[e] = (through[id].0 as f64, through[id].0);
        }
        // Folded reachers: those not kept, counted under the first kept node on their path.
        let mut folded: BTreeMap<usize, usize> = BTreeMap::new();
        for row in &report.reachers {
            if is_kept(&row.id) {
                continue;
            }
            let first_kept = row
                .path
                .steps
                .iter()
                .map(|s| s.to.as_str())
                .find(|&t| is_kept(t));
            if let Some(t) = first_kept {
                *folded.entry(b.index[t]).or_default() += 1;
            }
        }
        let mut hidden_total = 0;
        for (at, n) in folded {
            hidden_total += n;
            let id = format!("{n} more → {}", b.nodes[at].id);
            let m = b.node(&id, "more");
            b.nodes[m].role = Role::More;
            b.nodes[m].hidden = Some((n, 0));
            b.edge(m, at, "", None);
        }
        let mut has_in = vec![false; b.nodes.len()];
        for e in &b.edges {
            has_in[e.to] = true;
        }
        for (n, has_in) in b.nodes.iter_mut().zip(has_in) {
            if n.role == Role::Step && !has_in {
                n.role = Role::Entry;
            }
        }
        // Reacher weights are counts of paths; a step carrying half of all reachers is a choke.
        b.total = report.reachers.len() as f64;
        let note = match hidden_total {
            0 => format!(
                "{} nodes can reach {}",
                report.reachers.len(),
                report.target
            ),
            h => format!(
                "{} nodes can reach {}; drawn are the {} nodes most of their paths pass through, and {h} more folded into \"more\" nodes",
                report.reachers.len(),
                report.target,
                kept.len()
            ),
        };
        let d = b.finish(format!("Who can reach {}", report.target), note);
        with_store_records(d, model, holdings)
    }

    /// A run's attack graph: the entry points, the most likely path to each of the top
    /// [`TOP_STORES`] leaked stores by exposure (the worst case's shortest paths without Monte
    /// Carlo) and those stores with their records; the other leaked stores summed in one node.
    /// With an `[attack] vector` the entry points drawn are the accounts the vector can take
    /// (`entry_probabilities`), and a store's path probability includes its entry account's.
    pub fn of_run(run: &RunReport) -> AttackDrawing {
        let d = &run.baseline.deterministic;
        let mut kinds: HashMap<&str, &str> = HashMap::new();
        for (k, ids) in d.compromised.lists() {
            for id in ids {
                kinds.insert(id, k.as_str());
            }
        }
        let kind = |id: &str| kinds.get(id).copied().unwrap_or("store").to_string();
        let (paths, mc) = match &run.baseline.monte_carlo {
            Some(mc) => (&mc.most_likely_paths, true),
            None => (&d.paths, false),
        };
        let exposure = |store: &str| -> f64 {
            d.store_records.get(store).map_or(0.0, |cats| {
                cats.iter()
                    .map(|(c, &n)| n as f64 * run.weights.get(c).copied().unwrap_or(1.0))
                    .sum()
            })
        };
        let mut stores: Vec<(&str, f64)> = d
            .leaked_stores
            .iter()
            .map(|s| (s.as_str(), exposure(s)))
            .collect();
        stores.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        let by_target: HashMap<&str, &PathReport> =
            paths.iter().map(|p| (p.target.as_str(), p)).collect();
        let mut b = Builder::new();
        // With a vector the attack starts from the accounts it can take (a person's accounts in
        // their place), each taken with its entry probability; without one, from the scenario's
        // compromised ids, certainly.
        let entries: Vec<&String> = match run.entry_probabilities.is_empty() {
            true => run.entry_points.iter().collect(),
            false => run.entry_probabilities.keys().collect(),
        };
        for e in entries {
            let n = b.node(e, &kind(e));
            b.nodes[n].role = Role::Entry;
        }
        let entry_p = |p: &PathReport| {
            let start = p
                .steps
                .first()
                .map_or(p.target.as_str(), |s| s.from.as_str());
            run.entry_probabilities.get(start).copied().unwrap_or(1.0)
        };
        let shown: Vec<&(&str, f64)> = stores.iter().take(TOP_STORES).collect();
        let depth = shown
            .iter()
            .filter_map(|(s, _)| by_target.get(s).map(|p| p.steps.len()))
            .max()
            .unwrap_or(0);
        for &&(store, x) in &shown {
            let t = match by_target.get(store) {
                Some(p) => b.path(p, x, &kind),
                None => b.node(store, "store"),
            };
            let node = &mut b.nodes[t];
            if node.role != Role::Entry {
                node.role = Role::Target;
            }
            node.records = Some(records_of(&d.store_records[store]));
            node.probability = by_target.get(store).map(|p| entry_p(p) * p.probability);
        }
        let rest = &stores[shown.len()..];
        if !rest.is_empty() {
            let records: u64 = rest
                .iter()
                .map(|(s, _)| d.store_records[*s].values().sum::<u64>())
                .sum();
            let id = format!("{} more leaked stores", rest.len());
            let m = b.node(&id, "more");
            b.nodes[m].role = Role::More;
            b.nodes[m].hidden = Some((rest.len(), records));
        }
        let note = if stores.is_empty() {
            "No store leaks beyond the entry points.".to_string()
        } else {
            let which = match rest.len() {
                0 => "each leaked store".to_string(),
                _ => format!(
                    "each of the {} leaked stores with the most exposure (of {})",
                    shown.len(),
                    stores.len()
                ),
            };
            let entry = match &run.vector {
                Some(v) if !run.entry_probabilities.is_empty() => format!(
                    " Entry points are the accounts the {v} vector can take; a path's probability includes its entry account's."
                ),
                _ => String::new(),
            };
            format!(
                "The {} path to {which}; thick purple steps are choke points (on paths to at least half the drawn exposure).{entry}",
                if mc { "most likely" } else { "shortest worst-case" },
            )
        };
        let drawing = b.finish(format!("Attack graph: {}", run.scenario), note);
        match depth > FOLD_DEPTH {
            true => drawing.fold_chains(),
            false => drawing,
        }
    }

    /// Folds every chain of two or more steps' nodes that have one way in and one way out
    /// (and are neither entry points nor targets) into one "more" node: an unlabelled step into
    /// it and, out of it, one step labelled with how many steps it stands for and the product
    /// of their probabilities. Long chains are what make a large organisation's paths wide.
    pub fn fold_chains(self) -> AttackDrawing {
        let n = self.nodes.len();
        let (mut ins, mut outs) = (vec![0usize; n], vec![Vec::new(); n]);
        for (i, e) in self.edges.iter().enumerate() {
            ins[e.to] += 1;
            outs[e.from].push(i);
        }
        let foldable =
            |v: usize| self.nodes[v].role == Role::Step && ins[v] == 1 && outs[v].len() == 1;
        let mut nodes: Vec<DrawnNode> = Vec::new();
        let mut new_index = vec![usize::MAX; n];
        let mut folded = vec![false; n];
        // Chains, each from the first step into a foldable node to the first step out of the chain.
        let mut chains: Vec<(usize, Vec<usize>, usize)> = Vec::new();
        for (i, e) in self.edges.iter().enumerate() {
            if foldable(e.from) || !foldable(e.to) {
                continue;
            }
            let (mut chain, mut at) = (Vec::new(), e.to);
            while foldable(at) && chain.len() <= n {
                chain.push(at);
                at = self.edges[outs[at][0]].to;
            }
            if chain.len() >= 2 {
                chain.iter().for_each(|&v| folded[v] = true);
                let out = outs[chain[chain.len() - 1]][0];
                chains.push((i, chain, out));
            }
        }
        for v in 0..n {
            if !folded[v] {
                new_index[v] = nodes.len();
                nodes.push(self.nodes[v].clone());
            }
        }
        let mut edges: Vec<DrawnEdge> = self
            .edges
            .iter()
            .filter(|e| !folded[e.from] && !folded[e.to])
            .map(|e| DrawnEdge {
                from: new_index[e.from],
                to: new_index[e.to],
                ..e.clone()
            })
            .collect();
        for (into, chain, out) in chains {
            let (first, last) = (
                &self.nodes[chain[0]].id,
                &self.nodes[chain[chain.len() - 1]].id,
            );
            nodes.push(DrawnNode {
                id: format!("{} steps: {first} … {last}", chain.len()),
                kind: "more".into(),
                role: Role::More,
                records: None,
                probability: None,
                hidden: Some((chain.len(), 0)),
            });
            let m = nodes.len() - 1;
            let (a, z) = (&self.edges[into], &self.edges[out]);
            let p: Option<f64> = std::iter::once(into)
                .chain(chain.iter().map(|&v| outs[v][0]))
                .map(|e| self.edges[e].p)
                .product();
            edges.push(DrawnEdge {
                from: new_index[a.from],
                to: m,
                kind: String::new(),
                p: None,
                choke: a.choke,
            });
            edges.push(DrawnEdge {
                from: m,
                to: new_index[z.to],
                kind: format!("{} steps", chain.len() + 1),
                p,
                choke: z.choke,
            });
        }
        AttackDrawing {
            nodes,
            edges,
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::Step;

    fn path(target: &str, steps: &[(&str, &str, f64)]) -> PathReport {
        PathReport {
            target: target.into(),
            probability: steps.iter().map(|s| s.2).product(),
            steps: steps
                .iter()
                .map(|&(from, to, p)| Step {
                    from: from.into(),
                    to: to.into(),
                    kind: "read".into(),
                    p,
                })
                .collect(),
        }
    }

    /// a → b → c → d → s1 and a → b → s2, weighted 3 and 1: a → b carries all 4 (choke), the
    /// chain c, d folds into one node whose way out carries 0.5 × 0.8 × 0.9.
    #[test]
    fn chokes_carry_half_the_weight_and_chains_fold_into_their_joint_probability() {
        let mut b = Builder::new();
        let a = b.node("a", "account");
        b.nodes[a].role = Role::Entry;
        let s1 = b.path(
            &path(
                "s1",
                &[
                    ("a", "b", 1.0),
                    ("b", "c", 0.5),
                    ("c", "d", 0.8),
                    ("d", "s1", 0.9),
                ],
            ),
            3.0,
            &|id: &str| {
                if id.starts_with('s') {
                    "store"
                } else {
                    "group"
                }
                .into()
            },
        );
        let s2 = b.path(
            &path("s2", &[("a", "b", 1.0), ("b", "s2", 0.7)]),
            1.0,
            &|id: &str| {
                if id.starts_with('s') {
                    "store"
                } else {
                    "group"
                }
                .into()
            },
        );
        b.nodes[s1].role = Role::Target;
        b.nodes[s2].role = Role::Target;
        let d = b.finish("t".into(), "n".into());
        let chokes: Vec<(&str, &str)> = d
            .edges
            .iter()
            .filter(|e| e.choke)
            .map(|e| (d.nodes[e.from].id.as_str(), d.nodes[e.to].id.as_str()))
            .collect();
        // b → c … carry 3 of 4 but lie on one path only; a → b lies on both.
        assert_eq!(chokes, vec![("a", "b")]);
        let f = d.fold_chains();
        let ids: Vec<&str> = f.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, vec!["a", "b", "s1", "s2", "2 steps: c … d"]);
        let out = f
            .edges
            .iter()
            .find(|e| f.nodes[e.from].role == Role::More)
            .unwrap();
        assert_eq!(f.nodes[out.to].id, "s1");
        assert_eq!(out.kind, "3 steps");
        assert!((out.p.unwrap() - 0.5 * 0.8 * 0.9).abs() < 1e-15);
        assert_eq!(f.edges.len(), 4);
    }
}
