//! Recommendations: which fixes buy the most exposure reduction per unit of cost, greedily,
//! under a budget; and choke points, the single steps whose removal cuts the most exposure.
//!
//! The structure keeps it cheap: for the worst case, removing a step that is not on the
//! breadth-first tree of the current blast radius changes nothing (the tree still reaches every
//! node), so only tree steps are candidates, evaluated by a search that skips the one step, on
//! the graph already built. Retention cuts and dropped categories leave the reach alone and only
//! change what leaked stores hold. For the expected objective every candidate is simulated on
//! the same keyed draws as the current state (common random numbers). The loss objective
//! (DESIGN.md "Money") does the same with the scenario's simulation settings and scores a state
//! by its expected annual loss (frequency × mean loss of the draws); its fix costs are money a
//! year, and it takes a fix only when the annual loss it removes exceeds what it costs.

use crate::design::{apply, Change, Selector};
use crate::engine::loss::trial_losses;
use crate::engine::monte_carlo::{simulate, SimulationSpec};
use crate::engine::tally::{ExposureIndex, Tally};
use crate::engine::{NoProgress, Progress};
use crate::graph::{AttackGraph, EdgeId};
use crate::model::records::Holdings;
use crate::model::{Amount, Distribution, LinkKind, Mfa, Model, NodeId, NodeKind};
use crate::scenario::{Costs, Detection};
use crate::Analysis;

/// How many leaked stores (those holding the most exposure) get data-fix candidates per step.
pub const DATA_STORES: usize = 25;

/// What the search minimises.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Objective {
    WorstCase,
    /// Mean exposure over `trials` keyed trials from `seed`.
    Expected {
        trials: u32,
        seed: u64,
    },
    /// Expected annual loss in the model's `[money]` currency: `frequency` (incidents a year)
    /// times the mean loss of `trials` keyed trials from `seed`, simulated as `run` simulates
    /// the scenario (its detection and the model's edge times), so the starting figure is
    /// `run`'s `annual_loss.mean` for the same trials and seed.
    Loss {
        trials: u32,
        seed: u64,
        frequency: f64,
        detection: Option<Detection>,
    },
}

/// The draws a simulated objective scores a state on.
#[derive(Debug, Clone, Copy)]
struct Draws {
    trials: u32,
    seed: u64,
    detection: Option<Detection>,
    edge_times: Distribution,
    /// The loss objective's frequency: score by annual loss instead of mean exposure.
    frequency: Option<f64>,
}

impl Objective {
    /// The draws of a simulated objective on `model` (none for the worst case).
    fn draws(self, model: &Model) -> Option<Draws> {
        match self {
            Objective::WorstCase => None,
            Objective::Expected { trials, seed } => Some(Draws {
                trials,
                seed,
                detection: None,
                edge_times: Distribution::Fixed,
                frequency: None,
            }),
            Objective::Loss {
                trials,
                seed,
                frequency,
                detection,
            } => Some(Draws {
                trials,
                seed,
                detection,
                edge_times: model.times.distribution,
                frequency: Some(frequency),
            }),
        }
    }
}

/// Settings of a search.
#[derive(Debug, Clone)]
pub struct Search {
    pub objective: Objective,
    pub budget: f64,
    pub costs: Costs,
    /// A retention cut sets the store's retention to this many days.
    pub retention_days: u32,
    /// Whether fixes may cut the entry points' own links (a compromised account's memberships
    /// and grants, or those of a compromised person's accounts). Off by default: "take the
    /// phished manager's access away" ends the scenario but is rarely a fix anyone can make.
    pub include_entry_links: bool,
}

/// The entry points and the accounts of entry-point people.
fn entry_nodes(model: &Model, sources: &[NodeId]) -> Vec<bool> {
    let mut out = vec![false; model.node_count()];
    for &s in sources {
        out[s as usize] = true;
    }
    for l in &model.links {
        if l.kind == LinkKind::Owns
            && out[l.from as usize]
            && model.kind(l.from) == NodeKind::Person
        {
            out[l.to as usize] = true;
        }
    }
    out
}

/// One chosen fix and the exposure after it (and every fix before it).
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub change: Change,
    pub cost: f64,
    pub before: f64,
    pub after: f64,
}

fn single(model: &Model, n: NodeId) -> Selector {
    Selector {
        text: model.id(n).to_string(),
        nodes: vec![n],
    }
}

/// The change that removes the link behind an attack edge, if it is one the search offers.
fn removal(model: &Model, graph: &AttackGraph, e: EdgeId) -> Option<Change> {
    let edge = graph.edge(e);
    let (from, to) = (single(model, edge.from), single(model, edge.to));
    match model.links[edge.link as usize].kind {
        LinkKind::Grant(_) => Some(Change::RemoveGrant {
            principal: from,
            target: to,
        }),
        LinkKind::Member => Some(Change::RemoveMember {
            member: from,
            group: to,
        }),
        LinkKind::Credential => Some(Change::RemoveCredential {
            holder: from,
            account: to,
        }),
        _ => None,
    }
}

/// Breadth-first reach from `sources` skipping edge `banned`; reuses `seen` (epoch-stamped).
fn reach_without(
    graph: &AttackGraph,
    sources: &[NodeId],
    banned: Option<EdgeId>,
    seen: &mut [u32],
    epoch: u32,
    out: &mut Vec<NodeId>,
) {
    out.clear();
    for &s in sources {
        if seen[s as usize] != epoch {
            seen[s as usize] = epoch;
            out.push(s);
        }
    }
    let mut head = 0;
    while head < out.len() {
        let n = out[head];
        head += 1;
        for &e in graph.out(n) {
            if Some(e) == banned {
                continue;
            }
            let to = graph.edge(e).to;
            if seen[to as usize] != epoch {
                seen[to as usize] = epoch;
                out.push(to);
            }
        }
    }
}

struct Evaluator<'a> {
    sources: &'a [NodeId],
    seen: Vec<u32>,
    epoch: u32,
    reached: Vec<NodeId>,
}

impl Evaluator<'_> {
    fn leaked(&mut self, a: &Analysis, banned: Option<EdgeId>) -> Vec<NodeId> {
        self.epoch += 1;
        reach_without(
            &a.graph,
            self.sources,
            banned,
            &mut self.seen,
            self.epoch,
            &mut self.reached,
        );
        self.reached
            .iter()
            .copied()
            .filter(|&n| a.model.kind(n) == NodeKind::Store)
            .collect()
    }
}

fn worst_exposure(index: &ExposureIndex, tally: &mut Tally, stores: &[NodeId]) -> f64 {
    tally.count(index, stores.iter().copied());
    tally.exposure
}

/// A simulated objective on `graph`: the mean exposure of the draws, or for the loss objective
/// the frequency times their mean loss (0 without `[money]`, which the command refuses).
fn simulated(
    model: &Model,
    graph: &AttackGraph,
    index: &ExposureIndex,
    sources: &[NodeId],
    d: Draws,
) -> f64 {
    let spec = SimulationSpec {
        sources,
        entry: None,
        trials: d.trials,
        seed: d.seed,
        detection: d.detection,
        edge_times: d.edge_times,
    };
    let t = simulate(model, graph, index, &spec, &NoProgress);
    let n = d.trials.max(1) as f64;
    match d.frequency {
        None => t.exposure.iter().sum::<f64>() / n,
        Some(f) => model.money.as_ref().map_or(0.0, |money| {
            f * trial_losses(money, index, &t).iter().sum::<f64>() / n
        }),
    }
}

/// Candidate fixes on the current state, each with the objective after it: cut attack steps
/// first, then data fixes at the leaked stores.
fn evaluate_candidates(
    a: &Analysis,
    sources: &[NodeId],
    search: &Search,
    ev: &mut Evaluator,
) -> Vec<(Change, f64)> {
    let leaked = ev.leaked(a, None);
    let entry = entry_nodes(&a.model, sources);
    let removable = |e: EdgeId| {
        let change = removal(&a.model, &a.graph, e)?;
        (search.include_entry_links || !entry[a.graph.edge(e).from as usize]).then_some(change)
    };
    let mut out = match search.objective.draws(&a.model) {
        None => tree_cuts(a, sources, ev, &removable),
        Some(d) => expected_cuts(a, sources, d, &removable),
    };
    out.extend(data_fixes(a, sources, search, &leaked));
    out
}

/// For the worst case: each removable step on the breadth-first tree of the blast radius (no
/// other step changes the reach), with the exposure of a search that skips it.
fn tree_cuts(
    a: &Analysis,
    sources: &[NodeId],
    ev: &mut Evaluator,
    removable: &dyn Fn(EdgeId) -> Option<Change>,
) -> Vec<(Change, f64)> {
    let r = super::reach::forward(&a.graph, sources);
    let tree = r
        .order
        .iter()
        .map(|&n| r.parent[n as usize])
        .filter(|&e| e != super::reach::NO_EDGE);
    let mut tally = Tally::new(a.index());
    let mut out = Vec::new();
    for e in tree {
        if let Some(change) = removable(e) {
            let stores = ev.leaked(a, Some(e));
            out.push((change, worst_exposure(a.index(), &mut tally, &stores)));
        }
    }
    out
}

/// For the simulated objectives: every removable step leaving a reached node (any may matter in
/// some trial), once per link, and phishing-resistant MFA on each reached account whose
/// credentials can be stolen, each simulated on the same draws.
fn expected_cuts(
    a: &Analysis,
    sources: &[NodeId],
    d: Draws,
    removable: &dyn Fn(EdgeId) -> Option<Change>,
) -> Vec<(Change, f64)> {
    let model = &a.model;
    let mut out = Vec::new();
    let r = super::reach::forward(&a.graph, sources);
    let mut seen_link = std::collections::BTreeSet::new();
    for &n in &r.order {
        for &e in a.graph.out(n) {
            let Some(change) = removable(e) else { continue };
            if !seen_link.insert(a.graph.edge(e).link) {
                continue;
            }
            let mut g = a.graph.clone();
            g.set_p(e, 0.0);
            out.push((change, simulated(model, &g, a.index(), sources, d)));
        }
        if model.kind(n) == NodeKind::Account && model.mfa[n as usize] != Mfa::PhishingResistant {
            let stolen: Vec<EdgeId> = a
                .graph
                .incoming(n)
                .iter()
                .copied()
                .filter(|&e| {
                    let l = &model.links[a.graph.edge(e).link as usize];
                    l.kind == LinkKind::Credential && l.p().is_none()
                })
                .collect();
            if !stolen.is_empty() {
                let mut g = a.graph.clone();
                for e in stolen {
                    g.set_p(e, model.probabilities.credential_phishing_resistant);
                }
                let change = Change::SetMfa {
                    accounts: single(model, n),
                    mfa: Mfa::PhishingResistant,
                };
                out.push((change, simulated(model, &g, a.index(), sources, d)));
            }
        }
    }
    out
}

/// Data changes at the leaked stores that hold the most exposure: a retention cut, or one
/// category dropped. (Each is evaluated on recomputed holdings, so the search looks at the
/// [`DATA_STORES`] largest stores only; smaller stores cannot buy more per unit of cost unless
/// fixes there are far cheaper.)
fn data_fixes(
    a: &Analysis,
    sources: &[NodeId],
    search: &Search,
    leaked: &[NodeId],
) -> Vec<(Change, f64)> {
    let model = &a.model;
    let mut out = Vec::new();
    let mut by_weight: Vec<(f64, NodeId)> = leaked
        .iter()
        .map(|&s| {
            let held: f64 = a
                .holdings
                .store_records(model, s)
                .iter()
                .map(|(c, r)| *r as f64 * model.categories.weight(c))
                .sum();
            (held, s)
        })
        .collect();
    by_weight.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    let mut m = model.clone();
    for &(_, s) in by_weight.iter().take(DATA_STORES) {
        for change in data_options(a, s, search.retention_days) {
            let saved = m.store_policy[s as usize].clone();
            let changed = apply(&m, std::slice::from_ref(&change));
            m.store_policy[s as usize] = changed.store_policy[s as usize].clone();
            let holdings = Holdings::compute(&m);
            let index = ExposureIndex::new(&m, &holdings);
            let value = match search.objective.draws(&m) {
                None => {
                    let mut t = Tally::new(&index);
                    worst_exposure(&index, &mut t, leaked)
                }
                Some(d) => simulated(&m, &a.graph, &index, sources, d),
            };
            m.store_policy[s as usize] = saved;
            out.push((change, value));
        }
    }
    out
}

/// The data fixes offered at store `s`: a retention cut when it keeps daily records longer
/// than `retention_days`, and dropping each category it holds.
fn data_options(a: &Analysis, s: NodeId, retention_days: u32) -> Vec<Change> {
    let model = &a.model;
    let held = &a.holdings.by_store[s as usize];
    let longest = held
        .iter()
        .filter(|h| matches!(model.record_sets[h.set as usize].amount, Amount::PerDay(_)))
        .map(|h| h.window)
        .max()
        .unwrap_or(0);
    let mut options: Vec<Change> = Vec::new();
    if longest > retention_days {
        options.push(Change::SetRetention {
            store: single(model, s),
            category: None,
            days: retention_days,
        });
    }
    let mut cats: Vec<&str> = held
        .iter()
        .map(|h| model.record_sets[h.set as usize].category.as_str())
        .collect();
    cats.sort_unstable();
    cats.dedup();
    for c in cats {
        options.push(Change::DropCategory {
            store: single(model, s),
            category: c.to_string(),
        });
    }
    options
}

/// The objective on the current state.
fn objective_of(a: &Analysis, sources: &[NodeId], objective: Objective) -> f64 {
    match objective.draws(&a.model) {
        None => a.worst_case(sources).exposure.exposure,
        Some(d) => simulated(&a.model, &a.graph, a.index(), sources, d),
    }
}

/// What a search found: the objective before any fix, and the fixes chosen in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Recommendation {
    /// The objective on the model as given (the worst-case exposure, the mean exposure of
    /// the expected objective's trials, or the loss objective's expected annual loss).
    pub start: f64,
    pub steps: Vec<Step>,
}

/// Greedy search: at each step the fix with the largest reduction per unit of cost that fits
/// the remaining budget (ties: the cheaper, then the first in description order). Fix kinds
/// without a finite cost are not searched; under the loss objective a fix must also pay for
/// itself (the annual loss it removes exceeds its cost a year).
pub fn recommend(
    model: &Model,
    sources: &[NodeId],
    search: &Search,
    progress: &dyn Progress,
) -> Recommendation {
    let mut current = Analysis::new(model.clone());
    let mut ev = Evaluator {
        sources,
        seen: vec![0; model.node_count()],
        epoch: 0,
        reached: Vec::new(),
    };
    let mut spent = 0.0;
    let mut steps: Vec<Step> = Vec::new();
    let start = objective_of(&current, sources, search.objective);
    let mut now = start;
    let must_pay = matches!(search.objective, Objective::Loss { .. });
    loop {
        let candidates = evaluate_candidates(&current, sources, search, &mut ev);
        progress.inc(1);
        let best = candidates
            .into_iter()
            .map(|(c, after)| {
                let cost = search.costs.of(&c);
                (c, after, cost)
            })
            .filter(|(_, after, cost)| {
                *after < now - 1e-9
                    && cost.is_finite()
                    && spent + cost <= search.budget + 1e-9
                    && (!must_pay || now - after > *cost)
            })
            .max_by(|a, b| {
                let ra = (now - a.1) / a.2.max(1e-12);
                let rb = (now - b.1) / b.2.max(1e-12);
                ra.total_cmp(&rb)
                    .then(b.2.total_cmp(&a.2))
                    .then_with(|| b.0.describe().cmp(&a.0.describe()))
            });
        let Some((change, _, cost)) = best else { break };
        let next = apply(&current.model, std::slice::from_ref(&change));
        current = Analysis::new(next);
        let after = objective_of(&current, sources, search.objective);
        steps.push(Step {
            change,
            cost,
            before: now,
            after,
        });
        spent += cost;
        now = after;
    }
    Recommendation { start, steps }
}

/// The steps that cut something, largest cut first (ties by edge key), at most `limit`.
fn rank_choke_points(a: &Analysis, mut points: Vec<ChokePoint>, limit: usize) -> Vec<ChokePoint> {
    points.retain(|c| c.without < c.with);
    points.sort_by(|x, y| {
        x.without
            .total_cmp(&y.without)
            .then(a.graph.edge(x.edge).key.cmp(&a.graph.edge(y.edge).key))
    });
    points.truncate(limit);
    points
}

/// A step and the worst-case exposure without it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChokePoint {
    pub edge: EdgeId,
    /// Exposure without the step (summed over sources for the all-accounts form).
    pub without: f64,
    pub with: f64,
}

/// The steps of the scenario's blast radius whose removal cuts the most worst-case exposure.
pub fn choke_points(a: &Analysis, sources: &[NodeId], limit: usize) -> Vec<ChokePoint> {
    let r = super::reach::forward(&a.graph, sources);
    let mut ev = Evaluator {
        sources,
        seen: vec![0; a.model.node_count()],
        epoch: 0,
        reached: Vec::new(),
    };
    let mut tally = Tally::new(a.index());
    let with = worst_exposure(a.index(), &mut tally, &ev.leaked(a, None));
    let out: Vec<ChokePoint> = r
        .order
        .iter()
        .map(|&n| r.parent[n as usize])
        .filter(|&e| e != super::reach::NO_EDGE)
        .map(|e| {
            let stores = ev.leaked(a, Some(e));
            ChokePoint {
                edge: e,
                without: worst_exposure(a.index(), &mut tally, &stores),
                with,
            }
        })
        .collect();
    rank_choke_points(a, out, limit)
}

/// How the all-accounts choke points pick the steps they measure: a full sweep per candidate
/// is too dear to try every step, so candidates come from a sample of accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChokeSampling {
    /// Accounts (evenly spaced in id order) whose search trees propose candidate steps; every
    /// account when there are fewer.
    pub sample: usize,
    /// Candidate steps, those on the most sampled trees, measured with a full sweep each.
    pub candidates: usize,
}

impl Default for ChokeSampling {
    /// What `recommend --all-accounts` uses: the trees of 200 accounts propose candidates, and
    /// the 30 most shared are measured, so the work is bounded by 30 sweeps of every account
    /// whatever the organisation's size.
    fn default() -> Self {
        ChokeSampling {
            sample: 200,
            candidates: 30,
        }
    }
}

/// Choke points summed over every account as the sole compromised node. Candidates are the steps
/// on the search trees of the [sampled](ChokeSampling) accounts, most shared first; the best of
/// them are measured with a full sweep each.
pub fn choke_points_all_accounts(
    a: &Analysis,
    sampling: ChokeSampling,
    limit: usize,
) -> Vec<ChokePoint> {
    let ChokeSampling { sample, candidates } = sampling;
    let accounts: Vec<NodeId> = a.model.nodes_of(NodeKind::Account).collect();
    if accounts.is_empty() {
        return Vec::new();
    }
    let picks: Vec<NodeId> = if accounts.len() <= sample {
        accounts.clone()
    } else {
        (0..sample)
            .map(|i| accounts[i * accounts.len() / sample])
            .collect()
    };
    let mut uses = vec![0u32; a.graph.edges.len()];
    for &x in &picks {
        let r = super::reach::forward(&a.graph, &[x]);
        for &n in &r.order {
            let e = r.parent[n as usize];
            if e != super::reach::NO_EDGE {
                uses[e as usize] += 1;
            }
        }
    }
    let mut ranked: Vec<EdgeId> = (0..a.graph.edges.len() as EdgeId)
        .filter(|&e| uses[e as usize] > 0)
        .collect();
    ranked.sort_by(|&x, &y| {
        uses[y as usize]
            .cmp(&uses[x as usize])
            .then(a.graph.edge(x).key.cmp(&a.graph.edge(y).key))
    });
    ranked.truncate(candidates);
    let total = |g: &AttackGraph| -> f64 {
        super::sweep::sweep(&a.model, g, a.index(), &accounts)
            .iter()
            .map(|r| r.exposure)
            .sum()
    };
    let with = total(&a.graph);
    let out: Vec<ChokePoint> = ranked
        .into_iter()
        .map(|e| ChokePoint {
            edge: e,
            without: total(&a.graph.without_edge(e)),
            with,
        })
        .collect();
    rank_choke_points(a, out, limit)
}
