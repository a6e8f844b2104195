//! Recommendations: which fixes buy the most exposure reduction per unit of cost, greedily,
//! under a budget; and choke points, the single steps whose removal cuts the most exposure.
//!
//! The structure keeps it cheap: for the worst case, a fix that removes steps into a node cuts
//! something off only when it removes every step into it from outside what it dominates, and
//! then cuts off exactly what the node dominates, so one dominator tree of the blast radius
//! scores every such fix at once ([`cuts`]). Retention cuts and dropped categories leave the
//! reach alone and only change what leaked stores hold, so only the record sets of the store
//! they change are counted again ([`data`]). For the expected objective every candidate is simulated on
//! the same keyed draws as the current state (common random numbers). The loss objective
//! (DESIGN.md "Money") does the same with the scenario's simulation settings and scores a state
//! by its expected annual loss (frequency × mean loss of the draws); its fix costs are money a
//! year, and it takes a fix only when the annual loss it removes exceeds what it costs.

use super::goal::{goal, prune, reached};
use super::org;
use super::protected::Protected;
use crate::design::{apply, Change, Keep, Selector};
use crate::engine::loss::trial_losses;
use crate::engine::monte_carlo::{simulate, SimulationSpec};
use crate::engine::tally::ExposureIndex;
use crate::engine::{NoProgress, Progress};
use crate::graph::{AttackGraph, EdgeId};
use crate::model::{Distribution, LinkKind, Mfa, Model, NodeId, NodeKind};
use crate::scenario::{Costs, Detection};
use crate::Analysis;

mod choke;
mod cuts;
mod data;
mod trials;

pub use choke::{choke_points, choke_points_all_accounts, ChokePoint, ChokeSampling};
use cuts::{CutTally, Dominators};
use data::{data_fixes, held, org_data_fixes, DataScore};

/// How many leaked stores (those holding the most exposure) get data-fix candidates per step.
pub const DATA_STORES: usize = 25;

/// What the search minimises.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Objective {
    WorstCase,
    /// Mean exposure over `trials` keyed trials from `seed`, simulated as `run` simulates the
    /// scenario (its detection and the model's edge times), so the starting figure is `run`'s
    /// mean exposure for the same trials and seed.
    Expected {
        trials: u32,
        seed: u64,
        detection: Option<Detection>,
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
    /// Organisation-wide: the worst-case exposure of every node of `kind` as the sole
    /// compromised node, weighted by [`Search::weights`], summed (computed with the sweep).
    Org {
        kind: NodeKind,
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
            Objective::WorstCase | Objective::Org { .. } => None,
            Objective::Expected {
                trials,
                seed,
                detection,
            } => Some(Draws {
                trials,
                seed,
                detection,
                edge_times: model.times.distribution,
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
    /// `--target`: stop at the cheapest plan found that cuts this fraction (in (0, 1)) of the
    /// starting objective.
    pub target: Option<f64>,
    /// `[[keep]]`: access no fix may remove.
    pub keep: Vec<Keep>,
    /// The organisation-wide objective's weight of each source of its kind, in node order (1
    /// each when `None`); the entry likelihood of each source when a vector gives one.
    pub weights: Option<Vec<f64>>,
}

/// One chosen fix and the exposure after it (and every fix before it).
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub change: Change,
    pub cost: f64,
    pub before: f64,
    pub after: f64,
    /// What the fix takes away from the worst case.
    pub removed: Removed,
}

/// What a fix takes away from the worst case of the search's sources (of every source of the
/// kind, summed, for the organisation-wide objective).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Removed {
    /// Records no longer leaked.
    pub records: u64,
    /// Stores no longer leaked (the scenario's worst case; empty for the organisation-wide
    /// objective).
    pub stores: Vec<NodeId>,
    /// Organisation-wide objective: sources whose worst-case exposure falls.
    pub sources: usize,
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
fn evaluate_candidates(a: &Analysis, sources: &[NodeId], search: &Search) -> Vec<(Change, f64)> {
    let org = matches!(search.objective, Objective::Org { .. });
    let protected = Protected::new(
        &a.model,
        sources,
        search.include_entry_links || org,
        &search.keep,
    );
    let removable = |e: EdgeId| {
        let change = removal(&a.model, &a.graph, e)?;
        protected
            .allows(&a.model.links[a.graph.edge(e).link as usize])
            .then_some(change)
    };
    if org {
        let weights = search.weights.as_deref();
        let shared = org::shared(&a.model, &a.graph, sources, weights);
        let mut out = org_cuts(a, sources, weights, &shared, &removable);
        let cond = super::sweep::Condensation::new(&a.graph);
        let score = |m: &Model, index: &ExposureIndex| {
            org::value_condensed(m, cond.clone(), index, sources, weights)
        };
        out.extend(org_data_fixes(
            a,
            search,
            &shared,
            &mut DataScore::Rebuilt(&score),
        ));
        return out;
    }
    let reach = super::reach::forward(&a.graph, sources);
    let leaked: Vec<NodeId> = reach
        .order
        .iter()
        .copied()
        .filter(|&n| a.model.kind(n) == NodeKind::Store)
        .collect();
    let stores: Vec<(f64, NodeId)> = leaked.iter().map(|&s| (held(a, s), s)).collect();
    match search.objective.draws(&a.model) {
        None => {
            let mut out = tree_cuts(a, sources, &removable);
            let mut score = DataScore::WorstCase(data::WorstCase::new(a, &leaked));
            out.extend(data_fixes(a, search, stores, DATA_STORES, &mut score));
            out
        }
        Some(d) => {
            let mut out = expected_cuts(a, sources, d, &removable);
            let score =
                |m: &Model, index: &ExposureIndex| simulated(m, &a.graph, index, sources, d);
            let mut score = DataScore::Rebuilt(&score);
            out.extend(data_fixes(a, search, stores, DATA_STORES, &mut score));
            out
        }
    }
}

/// Attack steps measured per step of the organisation-wide search (each costs a sweep).
pub const ORG_STEPS: usize = 8;
/// Data fixes the organisation-wide search measures per step (each costs a sweep).
pub const ORG_DATA_FIXES: usize = 6;

/// For the organisation-wide objective: the removable steps on the most sampled trees, each
/// measured with a sweep of the graph without it.
fn org_cuts(
    a: &Analysis,
    sources: &[NodeId],
    weights: Option<&[f64]>,
    shared: &org::Shared,
    removable: &dyn Fn(EdgeId) -> Option<Change>,
) -> Vec<(Change, f64)> {
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for &e in &shared.steps {
        if out.len() == ORG_STEPS {
            break;
        }
        let Some(change) = removable(e) else { continue };
        if !seen.insert(change.describe()) {
            continue;
        }
        let Some(steps) = steps_of(a, a.graph.edge(e).from, &change, removable) else {
            continue;
        };
        let mut g = a.graph.without_edge(steps[0]);
        for &x in &steps[1..] {
            g = g.without_edge(x);
        }
        out.push((
            change,
            org::value(&a.model, &g, a.index(), sources, weights),
        ));
    }
    out
}

/// Every step out of `from` that `change` removes (a grant, membership or stored credential
/// can be written more than once, with different access), or `None` when a fix may not remove
/// one of them: a fix is scored on the graph without all of its steps, as the model with the
/// fix made has them.
fn steps_of(
    a: &Analysis,
    from: NodeId,
    change: &Change,
    removable: &dyn Fn(EdgeId) -> Option<Change>,
) -> Option<Vec<EdgeId>> {
    let mut steps = Vec::new();
    for &e in a.graph.out(from) {
        if removal(&a.model, &a.graph, e).as_ref() == Some(change) {
            removable(e)?;
            steps.push(e);
        }
    }
    Some(steps)
}

/// For the worst case: each fix that cuts a node off the blast radius (it removes every step
/// into the node from outside what the node dominates), with the exposure of the blast radius
/// without what the node dominates. No other fix changes the reach.
fn tree_cuts(
    a: &Analysis,
    sources: &[NodeId],
    removable: &dyn Fn(EdgeId) -> Option<Change>,
) -> Vec<(Change, f64)> {
    let dom = Dominators::new(&a.model, &a.graph, sources, &|_| true);
    let mut tally = CutTally::new(&a.model, a.index(), &dom);
    let mut entering = Vec::new();
    let mut out = Vec::new();
    for w in dom.reached() {
        if !dom.cuts_stores(w) {
            continue;
        }
        dom.entering(&a.graph, w, &|_| true, &mut entering);
        let Some((&first, rest)) = entering.split_first() else {
            continue;
        };
        let Some(change) = removable(first) else {
            continue;
        };
        if rest.iter().all(|&e| removable(e).as_ref() == Some(&change)) {
            out.push((change, tally.without(&a.model, &dom, w)));
        }
    }
    out
}

/// For the simulated objectives: every removable step leaving a reached node (any may matter in
/// some trial), once per fix, and phishing-resistant MFA on each reached account whose
/// credentials can be stolen: each fix with the node its steps enter and the steps it closes
/// (with the probability they keep: 0 for a removal).
fn access_fixes(
    a: &Analysis,
    sources: &[NodeId],
    removable: &dyn Fn(EdgeId) -> Option<Change>,
) -> Vec<trials::AccessFix> {
    let model = &a.model;
    let mut out = Vec::new();
    let r = super::reach::forward(&a.graph, sources);
    let mut seen = std::collections::BTreeSet::new();
    for &n in &r.order {
        for &e in a.graph.out(n) {
            let Some(change) = removable(e) else { continue };
            if !seen.insert(change.describe()) {
                continue;
            }
            let Some(steps) = steps_of(a, n, &change, removable) else {
                continue;
            };
            let into = a.graph.edge(e).to;
            out.push(trials::AccessFix {
                change,
                into,
                steps,
                p: 0.0,
            });
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
                let change = Change::SetMfa {
                    accounts: single(model, n),
                    mfa: Mfa::PhishingResistant,
                };
                out.push(trials::AccessFix {
                    change,
                    into: n,
                    steps: stolen,
                    p: model.probabilities.credential_phishing_resistant,
                });
            }
        }
    }
    out
}

/// The access fixes of the simulated objectives, each scored on the same draws: without a time
/// model and for the mean exposure, on every trial's dominator tree at once
/// ([`trials::expected_exposures`]); otherwise each simulated on the graph with its steps
/// closed.
fn expected_cuts(
    a: &Analysis,
    sources: &[NodeId],
    d: Draws,
    removable: &dyn Fn(EdgeId) -> Option<Change>,
) -> Vec<(Change, f64)> {
    let fixes = access_fixes(a, sources, removable);
    if d.detection.is_none() && d.frequency.is_none() {
        let values = trials::expected_exposures(a, sources, d.trials, d.seed, &fixes);
        return fixes.into_iter().map(|f| f.change).zip(values).collect();
    }
    fixes
        .into_iter()
        .map(|f| {
            let mut g = a.graph.clone();
            for &x in &f.steps {
                g.set_p(x, f.p);
            }
            let value = simulated(&a.model, &g, a.index(), sources, d);
            (f.change, value)
        })
        .collect()
}

/// A state's objective and what its worst case leaks: per source for the organisation-wide
/// objective, for the scenario's sources together otherwise.
struct Measure {
    value: f64,
    records: Vec<u64>,
    exposures: Vec<f64>,
    leaked: Vec<NodeId>,
}

/// The objective on the current state, and what its worst case leaks.
fn measure(a: &Analysis, sources: &[NodeId], search: &Search) -> Measure {
    if let Objective::Org { .. } = search.objective {
        let rows = super::sweep::sweep(&a.model, &a.graph, a.index(), sources);
        let w = search.weights.as_deref();
        return Measure {
            value: rows
                .iter()
                .enumerate()
                .map(|(i, r)| w.map_or(1.0, |w| w[i]) * r.exposure)
                .sum(),
            records: rows.iter().map(|r| r.records).collect(),
            exposures: rows.iter().map(|r| r.exposure).collect(),
            leaked: Vec::new(),
        };
    }
    let wc = a.worst_case(sources);
    let value = match search.objective.draws(&a.model) {
        None => wc.exposure.exposure,
        Some(d) => simulated(&a.model, &a.graph, a.index(), sources, d),
    };
    Measure {
        value,
        records: vec![wc.exposure.records_total],
        exposures: Vec::new(),
        leaked: wc.leaked_stores,
    }
}

/// What the worst case lost from `before` to `after`.
fn removed(before: &Measure, after: &Measure) -> Removed {
    Removed {
        records: before
            .records
            .iter()
            .zip(&after.records)
            .map(|(b, a)| b.saturating_sub(*a))
            .sum(),
        stores: before
            .leaked
            .iter()
            .copied()
            .filter(|s| after.leaked.binary_search(s).is_err())
            .collect(),
        sources: before
            .exposures
            .iter()
            .zip(&after.exposures)
            .filter(|(b, a)| *a < *b)
            .count(),
    }
}

/// Why a search stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// The plan reaches the target cut.
    Target,
    /// The budget is spent: the cheapest fix that still cuts costs more than what is left.
    Budget { cheapest: f64, left: f64 },
    /// Under the loss objective no fix left saves more a year than it costs.
    NotWorthIt,
    /// No fix the search offers (within `[[keep]]` and the entry rule) cuts the objective.
    NoFix,
}

/// What a search found: the objective before any fix, and the fixes chosen in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Recommendation {
    /// The objective on the model as given (the worst-case exposure, the mean exposure of
    /// the expected objective's trials, the loss objective's expected annual loss, or the
    /// organisation-wide weighted sum).
    pub start: f64,
    pub steps: Vec<Step>,
    /// `--target`: the objective the plan had to reach.
    pub goal: Option<f64>,
    pub stop: Stop,
}

/// Every fix the search offers on `model` as given, each with the objective after it (before
/// costs and the budget): what the first step of [`recommend`] chooses from. Each figure is
/// what the objective gives on the model with that fix made (as `run --design` makes it); the
/// worst case offers only the access fixes that cut something.
pub fn candidates(model: &Model, sources: &[NodeId], search: &Search) -> Vec<(Change, f64)> {
    let every: Vec<NodeId>;
    let sources = match search.objective {
        Objective::Org { kind } => {
            every = model.nodes_of(kind).collect();
            &every[..]
        }
        _ => sources,
    };
    evaluate_candidates(&Analysis::new(model.clone()), sources, search)
}

/// Greedy search: at each step the fix with the largest reduction per unit of cost that fits
/// the remaining budget (ties: the cheaper, then the first in description order); with a target,
/// the cheapest fix that reaches it alone when one does, unless the rest of the cut at the best
/// fix's rate would cost less. Fix kinds without a finite cost are not
/// searched; under the loss objective a fix must also pay for itself (the annual loss it removes
/// exceeds its cost a year). A plan that reaches its target is then pruned of the fixes it does
/// not need ([`prune`]). The organisation-wide objective sweeps every node of its kind and
/// ignores `sources`.
pub fn recommend(
    model: &Model,
    sources: &[NodeId],
    search: &Search,
    progress: &dyn Progress,
) -> Recommendation {
    let every: Vec<NodeId>;
    let sources = match search.objective {
        Objective::Org { kind } => {
            every = model.nodes_of(kind).collect();
            &every[..]
        }
        _ => sources,
    };
    let mut current = Analysis::new(model.clone());
    let mut spent = 0.0;
    let mut steps: Vec<Step> = Vec::new();
    let mut measured = measure(&current, sources, search);
    let start = measured.value;
    let mut now = start;
    let target = search.target.map(|t| goal(start, t));
    let must_pay = matches!(search.objective, Objective::Loss { .. });
    let stop = loop {
        if target.is_some_and(|g| reached(now, g)) {
            break Stop::Target;
        }
        let candidates = evaluate_candidates(&current, sources, search);
        progress.inc(1);
        let cutting: Vec<(Change, f64, f64)> = candidates
            .into_iter()
            .map(|(c, after)| {
                let cost = search.costs.of(&c);
                (c, after, cost)
            })
            .filter(|(_, after, cost)| *after < now - 1e-9 && cost.is_finite())
            .collect();
        let paying: Vec<&(Change, f64, f64)> = cutting
            .iter()
            .filter(|(_, after, cost)| !must_pay || now - after > *cost)
            .collect();
        let fitting = || {
            paying
                .iter()
                .copied()
                .filter(|(_, _, cost)| spent + cost <= search.budget + 1e-9)
        };
        let finishing = target.and_then(|g| {
            fitting().filter(|c| reached(c.1, g)).min_by(|a, b| {
                a.2.total_cmp(&b.2)
                    .then(a.1.total_cmp(&b.1))
                    .then_with(|| a.0.describe().cmp(&b.0.describe()))
            })
        });
        let rate = fitting().max_by(|a, b| {
            let ra = (now - a.1) / a.2.max(1e-12);
            let rb = (now - b.1) / b.2.max(1e-12);
            ra.total_cmp(&rb)
                .then(b.2.total_cmp(&a.2))
                .then_with(|| b.0.describe().cmp(&a.0.describe()))
        });
        // Finish in one fix unless the best rate would get there for less: the rest of the cut
        // at the best fix's cut per unit of cost.
        let best = match (finishing, rate, target) {
            (Some(f), Some(r), Some(g)) => {
                let at_rate = (now - g) * r.2.max(1e-12) / (now - r.1);
                Some(if f.2 <= at_rate + 1e-9 { f } else { r })
            }
            (f, r, _) => f.or(r),
        };
        let Some((change, _, cost)) = best.cloned() else {
            break match paying.iter().map(|c| c.2).min_by(f64::total_cmp) {
                _ if cutting.is_empty() => Stop::NoFix,
                None => Stop::NotWorthIt,
                Some(cheapest) => Stop::Budget {
                    cheapest,
                    left: search.budget - spent,
                },
            };
        };
        let next = apply(&current.model, std::slice::from_ref(&change));
        current = Analysis::new(next);
        let after = measure(&current, sources, search);
        steps.push(Step {
            change,
            cost,
            before: now,
            after: after.value,
            removed: removed(&measured, &after),
        });
        spent += cost;
        now = after.value;
        measured = after;
    };
    if let (Stop::Target, Some(g)) = (&stop, target) {
        steps = pruned(model, sources, search, steps, g);
    }
    Recommendation {
        start,
        steps,
        goal: target,
        stop,
    }
}

/// A plan that reaches `goal` without the fixes it does not need ([`prune`]), its steps'
/// figures recomputed along the shorter plan.
fn pruned(
    model: &Model,
    sources: &[NodeId],
    search: &Search,
    steps: Vec<Step>,
    goal: f64,
) -> Vec<Step> {
    if steps.len() < 2 {
        return steps;
    }
    let n = steps.len();
    let kept = prune(
        steps,
        |s| s.cost,
        goal,
        |plan| {
            let changes: Vec<Change> = plan.iter().map(|s| s.change.clone()).collect();
            measure(&Analysis::new(apply(model, &changes)), sources, search).value
        },
    );
    if kept.len() == n {
        return kept;
    }
    let mut a = Analysis::new(model.clone());
    let mut m = measure(&a, sources, search);
    let mut out = Vec::new();
    for s in kept {
        a = Analysis::new(apply(&a.model, std::slice::from_ref(&s.change)));
        let next = measure(&a, sources, search);
        out.push(Step {
            before: m.value,
            after: next.value,
            removed: removed(&m, &next),
            ..s
        });
        m = next;
    }
    out
}
