//! Monte Carlo (DESIGN.md Semantics): in each trial every traversable edge is open
//! independently with its `p`; the trial's blast radius is reachability over open edges. With a
//! detection setting (time model), edges also take time, nodes fall at their earliest arrival,
//! and only stores reached by the detection time leak.
//!
//! Trials run in parallel in fixed blocks; every draw is keyed by (seed, trial, edge key), so the
//! per-trial results, and everything aggregated from them in trial order, are identical for any
//! thread count and any order of the model file. Edges are sampled lazily (only edges leaving
//! reached nodes towards unreached ones are drawn) and p = 1 edges cost no draw. Scratch space
//! is per worker and epoch-stamped: no allocation per trial. With an attack vector each source
//! is taken in a trial by a keyed entry draw of its own (`engine::entry`).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use super::batch_reach::{reach_batch, BatchPlan, BatchScratch, LANES};
use super::entry::entry_key;
use super::random::{
    bits_to_uniform, draw_bits, exponential, threshold, trial_salt, uniform, ALWAYS, DETECTION_KEY,
    TIME_SALT,
};
use super::tally::{BatchTally, ExposureIndex, Tally};
use super::Progress;
use crate::graph::AttackGraph;
use crate::model::{Distribution, Model, NodeId, NodeKind};
use crate::scenario::Detection;

/// Trials per block: the unit of parallel work and of progress. One batch of 64 lanes: small
/// blocks balance two threads well even for 1,000 trials.
const BLOCK: u32 = 64;
const _: () = assert!(BLOCK <= u16::MAX as u32, "per-block breach counts are u16");

/// Days at which "records leaked if detected at day d" is reported.
pub const DWELL_GRID: [f64; 16] = [
    0.0, 1.0, 2.0, 3.0, 5.0, 7.0, 10.0, 14.0, 21.0, 30.0, 45.0, 60.0, 90.0, 120.0, 180.0, 365.0,
];

/// What to simulate.
#[derive(Debug, Clone)]
pub struct SimulationSpec<'a> {
    pub sources: &'a [NodeId],
    /// The probability each source is taken (`engine::entry`), in the order of `sources`;
    /// `None` when every source is always taken.
    pub entry: Option<&'a [f64]>,
    pub trials: u32,
    pub seed: u64,
    pub detection: Option<Detection>,
    /// Edge time distribution (the model's `[times] distribution`).
    pub edge_times: Distribution,
}

/// Per-trial figures, in trial order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trials {
    pub trials: u32,
    pub seed: u64,
    pub exposure: Vec<f64>,
    pub records: Vec<u64>,
    /// trials × categories, trial-major.
    pub category_records: Vec<u64>,
    /// trials × populations.
    pub people: Vec<f64>,
    /// trials × regimes × populations.
    pub notifiable: Vec<f64>,
    /// Trials with any notifiable leak, per regime × population.
    pub any_notifiable: Vec<u64>,
    /// Trials in which each store leaked, by node id (0 for other nodes).
    pub store_breaches: Vec<u64>,
    /// Time model only: trials × dwell grid; records and exposure leaked by day d.
    pub dwell_records: Vec<u64>,
    pub dwell_exposure: Vec<f64>,
    pub detection_days: Vec<f64>,
    /// Edges looked at across all trials (a throughput measure).
    pub edges_examined: u64,
}

struct Scratch {
    epoch: u32,
    seen: Vec<u32>,
    arrival: Vec<f64>,
    heap: BinaryHeap<Reverse<(TimeKey, NodeId)>>,
    leaked: Vec<NodeId>,
    leaked_at: Vec<(f64, NodeId)>,
    tally: Tally,
    examined: u64,
}

#[derive(Clone, Copy, PartialEq)]
struct TimeKey(f64);
impl Eq for TimeKey {}
impl PartialOrd for TimeKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for TimeKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl Scratch {
    fn new(n: usize, index: &ExposureIndex) -> Scratch {
        Scratch {
            epoch: 0,
            seen: vec![0; n],
            arrival: vec![f64::INFINITY; n],
            heap: BinaryHeap::new(),
            leaked: Vec::new(),
            leaked_at: Vec::new(),
            tally: Tally::new(index),
            examined: 0,
        }
    }

    fn next_epoch(&mut self) {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.seen.iter_mut().for_each(|s| *s = 0);
            self.epoch = 1;
        }
    }
}

/// Earliest arrival over open edges up to `horizon` days: fills `scratch.leaked_at`.
#[allow(clippy::too_many_arguments)]
fn timed_trial(
    model_kinds: &[NodeKind],
    graph: &AttackGraph,
    seed: u64,
    t: u64,
    sources: &[NodeId],
    entry: &[(u64, u64)],
    distribution: Distribution,
    horizon: f64,
    s: &mut Scratch,
) {
    s.next_epoch();
    s.leaked_at.clear();
    s.heap.clear();
    // `seen` marks nodes with a tentative arrival this trial; `arrival` is valid only then.
    let salt = trial_salt(seed, t);
    for (i, &n) in sources.iter().enumerate() {
        if let Some(&(threshold, key)) = entry.get(i) {
            if threshold < ALWAYS && draw_bits(salt, key) >= threshold {
                continue; // the entry attempt fails this trial
            }
        }
        s.seen[n as usize] = s.epoch;
        s.arrival[n as usize] = 0.0;
        s.heap.push(Reverse((TimeKey(0.0), n)));
    }
    while let Some(Reverse((TimeKey(at), n))) = s.heap.pop() {
        if at > s.arrival[n as usize] {
            continue; // stale entry
        }
        if model_kinds[n as usize] == NodeKind::Store {
            s.leaked_at.push((at, n));
        }
        let out = graph.out(n);
        s.examined += out.len() as u64;
        for &e in out {
            let edge = graph.edge(e);
            let to = edge.to as usize;
            if s.seen[to] == s.epoch && s.arrival[to] <= at {
                continue;
            }
            if edge.p < 1.0 && bits_to_uniform(draw_bits(salt, edge.key)) >= edge.p {
                continue;
            }
            let dt = match distribution {
                Distribution::Fixed => edge.mean_time,
                Distribution::Exponential => exponential(
                    edge.mean_time,
                    bits_to_uniform(draw_bits(salt, edge.key ^ TIME_SALT)),
                ),
            };
            let next = at + dt;
            if next > horizon {
                continue;
            }
            if s.seen[to] != s.epoch || next < s.arrival[to] {
                s.seen[to] = s.epoch;
                s.arrival[to] = next;
                s.heap.push(Reverse((TimeKey(next), edge.to)));
            }
        }
    }
}

/// Detection day of trial `t`.
pub fn detection_day(seed: u64, t: u64, d: &Detection) -> f64 {
    match d.distribution {
        Distribution::Fixed => d.mean_days,
        Distribution::Exponential => exponential(d.mean_days, uniform(seed, t, DETECTION_KEY)),
    }
}

/// One block's per-trial figures, in trial order, and its counts.
struct Block {
    exposure: Vec<f64>,
    records: Vec<u64>,
    category_records: Vec<u64>,
    people: Vec<f64>,
    notifiable: Vec<f64>,
    any_notifiable: Vec<u64>,
    /// Trials of the block in which each store slot leaked (at most BLOCK).
    store_breaches: Vec<u16>,
    dwell_records: Vec<u64>,
    dwell_exposure: Vec<f64>,
    detection_days: Vec<f64>,
    examined: u64,
}

/// How the trials run. Without a time model, 64 at a time over the sources' reach
/// (batch_reach); with one, each trial is its own earliest-arrival search.
enum Mode<'d> {
    Batched(Box<BatchPlan>),
    Timed(&'d Detection),
}

/// What every block of one simulation reads.
struct Blocks<'a> {
    graph: &'a AttackGraph,
    kinds: &'a [NodeKind],
    index: &'a ExposureIndex,
    spec: &'a SimulationSpec<'a>,
    /// Trials `start..end` of each block.
    ranges: Vec<(u32, u32)>,
    /// The stores whose breaches are counted, by slot.
    store_slots: Vec<NodeId>,
    /// Dwell grid days per trial (none without a time model).
    grid: usize,
    progress: &'a dyn Progress,
}

/// Runs the trials. `progress` is told of every finished block.
pub fn simulate(
    model: &Model,
    graph: &AttackGraph,
    index: &ExposureIndex,
    spec: &SimulationSpec,
    progress: &dyn Progress,
) -> Trials {
    let kinds = model.kinds();
    let grid = if spec.detection.is_some() {
        DWELL_GRID.len()
    } else {
        0
    };
    let ranges: Vec<(u32, u32)> = (0..spec.trials.div_ceil(BLOCK))
        .map(|b| (b * BLOCK, ((b + 1) * BLOCK).min(spec.trials)))
        .collect();
    let entry = entry_draws(model, spec);
    let mode = match &spec.detection {
        None => Mode::Batched(Box::new(BatchPlan::new(graph, kinds, spec.sources, &entry))),
        Some(d) => Mode::Timed(d),
    };
    let store_slots = store_slots(&mode, kinds);
    let blocks = Blocks {
        graph,
        kinds,
        index,
        spec,
        ranges,
        store_slots,
        grid,
        progress,
    };
    let results = match mode {
        Mode::Batched(ref plan) => blocks.batched(plan),
        Mode::Timed(d) => blocks.timed(model.node_count(), d, &entry),
    };
    blocks.gather(model.node_count(), results)
}

/// Each source's entry draw (threshold and key), in the order of the sources; empty when
/// every source is always taken, so a run without a vector makes no extra draw.
fn entry_draws(model: &Model, spec: &SimulationSpec) -> Vec<(u64, u64)> {
    match spec.entry {
        Some(p) if p.iter().any(|&x| x < 1.0) => spec
            .sources
            .iter()
            .zip(p)
            .map(|(&n, &x)| (threshold(x), entry_key(model.id(n))))
            .collect(),
        _ => Vec::new(),
    }
}

/// The stores whose breaches are counted, by slot: those the batch plan reaches, or every
/// store with a time model.
fn store_slots(mode: &Mode, kinds: &[NodeKind]) -> Vec<NodeId> {
    match mode {
        Mode::Batched(plan) => plan
            .stores()
            .iter()
            .map(|&l| plan.nodes[l as usize])
            .collect(),
        Mode::Timed(_) => kinds
            .iter()
            .enumerate()
            .filter(|(_, k)| **k == NodeKind::Store)
            .map(|(i, _)| i as NodeId)
            .collect(),
    }
}

impl Blocks<'_> {
    /// An empty block of `len` trials.
    fn new_block(&self, len: usize) -> Block {
        let index = self.index;
        let cats = index.categories.len();
        let pops = index.populations.len();
        let rp = index.regimes.len() * pops;
        let (grid, slots) = (self.grid, self.store_slots.len());
        Block {
            exposure: Vec::with_capacity(len),
            records: Vec::with_capacity(len),
            category_records: Vec::with_capacity(len * cats),
            people: Vec::with_capacity(len * pops),
            notifiable: Vec::with_capacity(len * rp),
            any_notifiable: vec![0; rp],
            store_breaches: vec![0; slots],
            dwell_records: Vec::with_capacity(len * grid),
            dwell_exposure: Vec::with_capacity(len * grid),
            detection_days: Vec::with_capacity(if grid > 0 { len } else { 0 }),
            examined: 0,
        }
    }

    /// The blocks without a time model: 64 trials per pass over the sources' reach.
    fn batched(&self, plan: &BatchPlan) -> Vec<Block> {
        let (index, spec) = (self.index, self.spec);
        let cats = index.categories.len();
        let pops = index.populations.len();
        let rp = index.regimes.len() * pops;
        self.ranges
            .par_iter()
            .map_init(
                || {
                    (
                        BatchScratch::new(plan),
                        BatchTally::new(index),
                        Vec::<(NodeId, u64)>::new(),
                    )
                },
                |(scratch, tally, leaked), &(start, end)| {
                    let mut b = self.new_block((end - start) as usize);
                    let mut first = start;
                    while first < end {
                        let lanes = ((end - first) as usize).min(LANES);
                        b.examined += reach_batch(plan, spec.seed, first as u64, lanes, scratch);
                        leaked.clear();
                        for (slot, &l) in plan.stores().iter().enumerate() {
                            let m = scratch.mask[l as usize];
                            if m != 0 {
                                leaked.push((plan.nodes[l as usize], m));
                                b.store_breaches[slot] += m.count_ones() as u16;
                            }
                        }
                        let mask = &scratch.mask;
                        tally.count(index, lanes, leaked, |st| {
                            plan.local(st).map_or(0, |l| mask[l as usize])
                        });
                        for j in 0..lanes {
                            b.exposure.push(tally.exposure[j]);
                            b.records.push(tally.records_total[j]);
                            b.category_records
                                .extend_from_slice(&tally.records[j * cats..(j + 1) * cats]);
                            b.people
                                .extend_from_slice(&tally.people[j * pops..(j + 1) * pops]);
                            b.notifiable
                                .extend_from_slice(&tally.notifiable[j * rp..(j + 1) * rp]);
                            for (i, &any) in tally.any_notifiable[j * rp..(j + 1) * rp]
                                .iter()
                                .enumerate()
                            {
                                b.any_notifiable[i] += any as u64;
                            }
                        }
                        first += lanes as u32;
                    }
                    self.progress.inc((end - start) as u64);
                    b
                },
            )
            .collect()
    }

    /// The blocks with a time model: an earliest-arrival search per trial, over a graph of
    /// `n` nodes.
    fn timed(&self, n: usize, d: &Detection, entry: &[(u64, u64)]) -> Vec<Block> {
        let (index, spec) = (self.index, self.spec);
        let mut slot_of = vec![u32::MAX; n];
        for (i, &st) in self.store_slots.iter().enumerate() {
            slot_of[st as usize] = i as u32;
        }
        self.ranges
            .par_iter()
            .map_init(
                || Scratch::new(n, index),
                |s, &(start, end)| {
                    let mut b = self.new_block((end - start) as usize);
                    let examined_before = s.examined;
                    for t in start..end {
                        let t = t as u64;
                        let detect = detection_day(spec.seed, t, d);
                        let horizon = detect.max(DWELL_GRID[DWELL_GRID.len() - 1]);
                        timed_trial(
                            self.kinds,
                            self.graph,
                            spec.seed,
                            t,
                            spec.sources,
                            entry,
                            spec.edge_times,
                            horizon,
                            s,
                        );
                        // Records leaked if detected at each grid day.
                        for &day in &DWELL_GRID {
                            let stores = s
                                .leaked_at
                                .iter()
                                .filter(|(at, _)| *at <= day)
                                .map(|&(_, st)| st);
                            s.tally.count(index, stores);
                            b.dwell_records.push(s.tally.records_total);
                            b.dwell_exposure.push(s.tally.exposure);
                        }
                        b.detection_days.push(detect);
                        s.leaked.clear();
                        s.leaked.extend(
                            s.leaked_at
                                .iter()
                                .filter(|(at, _)| *at <= detect)
                                .map(|&(_, st)| st),
                        );
                        let Scratch { leaked, tally, .. } = s;
                        tally.count(index, leaked.iter().copied());
                        for &st in leaked.iter() {
                            b.store_breaches[slot_of[st as usize] as usize] += 1;
                        }
                        b.exposure.push(tally.exposure);
                        b.records.push(tally.records_total);
                        b.category_records.extend_from_slice(&tally.records);
                        b.people.extend_from_slice(&tally.people);
                        b.notifiable.extend_from_slice(&tally.notifiable);
                        for (i, &any) in tally.any_notifiable.iter().enumerate() {
                            b.any_notifiable[i] += any as u64;
                        }
                    }
                    self.progress.inc((end - start) as u64);
                    b.examined = s.examined - examined_before;
                    b
                },
            )
            .collect()
    }

    /// The blocks' figures joined in block order, with breaches by node id (of `n`).
    fn gather(&self, n: usize, results: Vec<Block>) -> Trials {
        let rp = self.index.regimes.len() * self.index.populations.len();
        let mut out = Trials {
            trials: self.spec.trials,
            seed: self.spec.seed,
            any_notifiable: vec![0; rp],
            store_breaches: vec![0; n],
            ..Trials::default()
        };
        for b in results {
            out.exposure.extend(b.exposure);
            out.records.extend(b.records);
            out.category_records.extend(b.category_records);
            out.people.extend(b.people);
            out.notifiable.extend(b.notifiable);
            out.dwell_records.extend(b.dwell_records);
            out.dwell_exposure.extend(b.dwell_exposure);
            out.detection_days.extend(b.detection_days);
            out.edges_examined += b.examined;
            for (a, x) in out.any_notifiable.iter_mut().zip(b.any_notifiable) {
                *a += x;
            }
            for (&st, x) in self.store_slots.iter().zip(b.store_breaches) {
                out.store_breaches[st as usize] += x as u64;
            }
        }
        out
    }
}

/// Bytes the per-trial figures of one simulation take (kept until summarised), with room for
/// the sorted copies the summaries make.
pub fn trial_bytes(model: &Model, trials: u32, timed: bool) -> u64 {
    // The dimensions of the model's exposure index, without building it.
    let pops = model.populations.len() as u64;
    let per_trial = 2
        + super::tally::record_categories(model).len() as u64
        + pops
        + model.notification.len() as u64 * pops
        + if timed {
            1 + 2 * DWELL_GRID.len() as u64
        } else {
            0
        };
    trials as u64 * per_trial * 8 * 2
}
