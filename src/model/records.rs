//! What each store holds, and what a set of leaked stores exposes.
//!
//! A store holds its own record sets and the copies flows bring in ([`Holdings`]). Records are
//! counted once (DESIGN.md): when several copies of one set leak, the records exposed are their
//! union — for a count-based set the largest count among the leaked copies; for a rate-based set,
//! for each day of history the largest fraction of that day any leaked copy holds, summed over
//! days and multiplied by `per_day`. Figures are rounded to the nearest record at the end, per
//! deduplicated set. Without scaling the arithmetic is exact integer arithmetic.

use std::collections::BTreeMap;

use super::{category_matches, Amount, Model, NodeId, NodeKind, StorePolicy};

/// Index of a record set in [`Model::record_sets`].
pub type SetId = u32;

/// One copy of a record set as a store holds it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Holding {
    pub set: SetId,
    /// Share of the origin's records this copy holds (scaling designs), 1 by default.
    pub fraction: f64,
    /// Days of history held (rate-based sets; 0 for count-based ones).
    pub window: u32,
}

/// Every store's holdings, indexed by node id (empty for nodes that are not stores).
#[derive(Debug, Clone, Default)]
pub struct Holdings {
    pub by_store: Vec<Vec<Holding>>,
}

/// Last matching override wins; `None` matches every category.
fn retention_override(policy: &StorePolicy, category: &str) -> Option<u32> {
    policy
        .category_retention
        .iter()
        .rev()
        .find(|(prefix, _)| prefix.is_empty() || category_matches(category, prefix))
        .map(|(_, d)| *d)
}

fn scale_factor(policy: &StorePolicy, category: &str) -> f64 {
    policy
        .scale
        .iter()
        .filter(|(prefix, _)| {
            prefix
                .as_deref()
                .is_none_or(|p| category_matches(category, p))
        })
        .map(|(_, f)| *f)
        .product()
}

fn is_dropped(policy: &StorePolicy, category: &str) -> bool {
    policy
        .dropped
        .iter()
        .any(|prefix| category_matches(category, prefix))
}

/// The flows out of each store that has any (indices in `model.flows`, in order): a map, as
/// a few thousand stores among a million nodes have flows.
fn flows_by_source(model: &Model) -> rustc_hash::FxHashMap<NodeId, Vec<usize>> {
    let mut out: rustc_hash::FxHashMap<NodeId, Vec<usize>> = Default::default();
    for (i, f) in model.flows.iter().enumerate() {
        out.entry(f.from).or_default().push(i);
    }
    out
}

/// Stores in an order where every flow's source comes before its target, or the stores of a
/// flow cycle.
pub fn flow_order(model: &Model) -> Result<Vec<NodeId>, Vec<NodeId>> {
    let n = model.node_count();
    let mut indegree = vec![0u32; n];
    let by_source = flows_by_source(model);
    for f in &model.flows {
        indegree[f.to as usize] += 1;
    }
    let mut ready: Vec<NodeId> = model
        .nodes_of(NodeKind::Store)
        .filter(|&s| indegree[s as usize] == 0)
        .collect();
    ready.reverse();
    let mut order = Vec::new();
    while let Some(s) = ready.pop() {
        order.push(s);
        for &fi in by_source.get(&s).into_iter().flatten() {
            let t = model.flows[fi].to;
            indegree[t as usize] -= 1;
            if indegree[t as usize] == 0 {
                ready.push(t);
            }
        }
    }
    let stores = model.nodes_of(NodeKind::Store).count();
    if order.len() == stores {
        return Ok(order);
    }
    // Walk back along flows from a store still waiting until a store repeats: that is a cycle.
    let mut into: Vec<Vec<NodeId>> = vec![Vec::new(); n];
    for f in &model.flows {
        into[f.to as usize].push(f.from);
    }
    let start = (0..n as NodeId)
        .find(|&s| indegree[s as usize] > 0)
        .expect("a store is left waiting when flows have a cycle");
    let mut seen = vec![usize::MAX; n];
    let mut walk = vec![start];
    let mut cur = start;
    loop {
        seen[cur as usize] = walk.len() - 1;
        let prev = *into[cur as usize]
            .iter()
            .find(|&&p| indegree[p as usize] > 0)
            .expect("a waiting store has a waiting source");
        if seen[prev as usize] != usize::MAX {
            let mut cycle = walk[seen[prev as usize]..].to_vec();
            cycle.reverse();
            return Err(cycle);
        }
        walk.push(prev);
        cur = prev;
    }
}

/// The flows in the order [`Holdings`] follows them: the stores in flow order, and the flows
/// out of each. Data changes (retention, dropped categories, scaling) leave it as it is.
pub struct FlowPlan {
    order: Vec<NodeId>,
    from: rustc_hash::FxHashMap<NodeId, Vec<usize>>,
}

impl FlowPlan {
    pub fn new(model: &Model) -> FlowPlan {
        FlowPlan {
            order: flow_order(model).unwrap_or_default(),
            from: flows_by_source(model),
        }
    }
}

/// What each store holds of some record sets: by node (every store's holdings) or, for a few
/// sets, only the stores that hold them.
trait Shelves {
    fn shelf(&self, store: NodeId) -> &[Holding];
    fn shelf_mut(&mut self, store: NodeId) -> &mut Vec<Holding>;
}

impl Shelves for Vec<Vec<Holding>> {
    fn shelf(&self, store: NodeId) -> &[Holding] {
        &self[store as usize]
    }
    fn shelf_mut(&mut self, store: NodeId) -> &mut Vec<Holding> {
        &mut self[store as usize]
    }
}

impl Shelves for rustc_hash::FxHashMap<NodeId, Vec<Holding>> {
    fn shelf(&self, store: NodeId) -> &[Holding] {
        self.get(&store).map_or(&[], Vec::as_slice)
    }
    fn shelf_mut(&mut self, store: NodeId) -> &mut Vec<Holding> {
        self.entry(store).or_default()
    }
}

/// The copies of the record sets `sets` (each once) as [`Holdings::compute_at`] gives them, by
/// store, leaving out the stores that hold none of them: what a data change at a store does
/// to the sets it holds, without recomputing every other set.
pub fn holdings_of_sets(
    model: &Model,
    age: Option<u32>,
    plan: &FlowPlan,
    sets: impl IntoIterator<Item = SetId>,
) -> rustc_hash::FxHashMap<NodeId, Vec<Holding>> {
    let mut shelves = rustc_hash::FxHashMap::default();
    hold(model, age, plan, sets, &mut shelves);
    shelves
}

/// Fills `shelves` with the holdings of `sets`: each set at its own store (under the store's
/// retention, scaling and dropped categories), then the copies its flows carry, store by store
/// in flow order. Each set's copies depend on that set alone.
fn hold(
    model: &Model,
    age: Option<u32>,
    plan: &FlowPlan,
    sets: impl IntoIterator<Item = SetId>,
    shelves: &mut impl Shelves,
) {
    let cap = |days: Option<u32>| match (days, age) {
        (Some(d), Some(a)) => d.min(a),
        (Some(d), None) => d,
        (None, Some(a)) => a,
        (None, None) => 0,
    };
    for i in sets {
        let set = &model.record_sets[i as usize];
        let policy = &model.store_policy[set.store as usize];
        if is_dropped(policy, &set.category) {
            continue;
        }
        let window = match set.amount {
            Amount::Count(_) => 0,
            Amount::PerDay(_) => cap(retention_override(policy, &set.category)
                .or(set.retention_days)
                .or(policy.retention_days)),
        };
        shelves.shelf_mut(set.store).push(Holding {
            set: i,
            fraction: scale_factor(policy, &set.category),
            window,
        });
    }
    for &source in &plan.order {
        for &fi in plan.from.get(&source).into_iter().flatten() {
            let flow = &model.flows[fi];
            let policy = &model.store_policy[flow.to as usize];
            let copies: Vec<Holding> = shelves
                .shelf(source)
                .iter()
                .filter_map(|h| {
                    let set = &model.record_sets[h.set as usize];
                    let carried = flow
                        .categories
                        .as_ref()
                        .is_none_or(|cats| cats.iter().any(|c| category_matches(&set.category, c)));
                    if !carried || is_dropped(policy, &set.category) {
                        return None;
                    }
                    let window = match set.amount {
                        Amount::Count(_) => 0,
                        Amount::PerDay(_) => {
                            cap(retention_override(policy, &set.category).or(policy.retention_days))
                        }
                    };
                    Some(Holding {
                        set: h.set,
                        fraction: h.fraction * scale_factor(policy, &set.category),
                        window,
                    })
                })
                .collect();
            if copies.is_empty() {
                continue;
            }
            let target = shelves.shelf_mut(flow.to);
            for c in copies {
                // Two routes into one store bring the same copy: keep the larger share.
                match target
                    .iter_mut()
                    .find(|h| h.set == c.set && h.window == c.window)
                {
                    Some(h) => h.fraction = h.fraction.max(c.fraction),
                    None => target.push(c),
                }
            }
        }
    }
}

impl Holdings {
    /// Computes what every store holds. Flows must be acyclic (the loader checks).
    pub fn compute(model: &Model) -> Holdings {
        Holdings::compute_at(model, model.program_age_days)
    }

    /// [`Holdings::compute`] as if the programme were `age` days old (`None`: windows uncapped).
    pub fn compute_at(model: &Model, age: Option<u32>) -> Holdings {
        let mut by_store: Vec<Vec<Holding>> = vec![Vec::new(); model.node_count()];
        let sets = 0..model.record_sets.len() as SetId;
        hold(model, age, &FlowPlan::new(model), sets, &mut by_store);
        Holdings { by_store }
    }

    /// What the stores that hold anything hold, as if the programme were `age` days old, keyed
    /// by store: the same holdings as [`Holdings::compute_at`] without a list for each of the
    /// model's nodes (the programme-age lint reads a handful of stores among millions of nodes).
    pub fn sparse_at(model: &Model, age: Option<u32>) -> BTreeMap<NodeId, Vec<Holding>> {
        let sets = 0..model.record_sets.len() as SetId;
        holdings_of_sets(model, age, &FlowPlan::new(model), sets)
            .into_iter()
            .collect()
    }

    /// Records a store holds on its own, by category (copies included, not deduplicated
    /// against other stores).
    pub fn store_records(&self, model: &Model, store: NodeId) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for h in &self.by_store[store as usize] {
            let set = &model.record_sets[h.set as usize];
            let n = union_records(set.amount, &[*h]);
            let total = out.entry(set.category.clone()).or_insert(0u64);
            *total = total.saturating_add(n);
        }
        out
    }
}

/// Records exposed when the given copies of one set leak together: their union. Figures past
/// `u64::MAX` (absurd inputs: `per_day = 9e18` over a year) saturate instead of overflowing.
pub fn union_records(amount: Amount, copies: &[Holding]) -> u64 {
    if copies.is_empty() {
        return 0;
    }
    let exact = copies.iter().all(|h| h.fraction == 1.0);
    match amount {
        Amount::Count(count) => {
            if exact {
                count
            } else {
                let f = copies.iter().map(|h| h.fraction).fold(0.0, f64::max);
                (count as f64 * f).round() as u64
            }
        }
        Amount::PerDay(per_day) => {
            if exact {
                let days = copies.iter().map(|h| h.window).max().unwrap_or(0);
                return per_day.saturating_mul(days as u64);
            }
            // Longest window first; each stretch of days takes the largest fraction of the
            // copies that still hold it.
            let mut sorted: Vec<Holding> = copies.to_vec();
            sorted.sort_by_key(|h| std::cmp::Reverse(h.window));
            let mut best = 0.0f64;
            let mut day_fractions = 0.0f64;
            for (i, h) in sorted.iter().enumerate() {
                best = best.max(h.fraction);
                let next = sorted.get(i + 1).map_or(0, |n| n.window);
                day_fractions += best * (h.window - next) as f64;
            }
            (per_day as f64 * day_fractions).round() as u64
        }
    }
}

/// Deduplicated records of one set that leaked.
#[derive(Debug, Clone, PartialEq)]
pub struct LeakedSet {
    pub set: SetId,
    pub records: u64,
}

/// Deduplicated records per set for a collection of leaked stores, in set order.
pub fn leaked_sets(
    model: &Model,
    holdings: &Holdings,
    stores: impl IntoIterator<Item = NodeId>,
) -> Vec<LeakedSet> {
    let mut copies: Vec<Holding> = stores
        .into_iter()
        .flat_map(|s| holdings.by_store[s as usize].iter().copied())
        .collect();
    copies.sort_by_key(|h| h.set);
    copies
        .chunk_by(|a, b| a.set == b.set)
        .map(|group| {
            let set = group[0].set;
            LeakedSet {
                set,
                records: union_records(model.record_sets[set as usize].amount, group),
            }
        })
        .filter(|l| l.records > 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(fraction: f64, window: u32) -> Holding {
        Holding {
            set: 0,
            fraction,
            window,
        }
    }

    #[test]
    fn rate_union_takes_the_longest_window() {
        assert_eq!(
            union_records(Amount::PerDay(100), &[h(1.0, 30), h(1.0, 365)]),
            36_500
        );
    }

    #[test]
    fn count_union_takes_the_largest_copy() {
        assert_eq!(
            union_records(Amount::Count(500), &[h(1.0, 0), h(0.5, 0)]),
            500
        );
        assert_eq!(
            union_records(Amount::Count(500), &[h(0.25, 0), h(0.5, 0)]),
            250
        );
    }

    #[test]
    fn scaled_copies_union_day_by_day() {
        // 100/day: a half copy of 365 days and a full copy of 30 days:
        // days 0..30 full (3,000), days 30..365 half (335 × 50 = 16,750).
        assert_eq!(
            union_records(Amount::PerDay(100), &[h(0.5, 365), h(1.0, 30)]),
            19_750
        );
        // Rounded to the nearest record, not truncated: 3 × 0.5 = 1.5 → 2.
        assert_eq!(union_records(Amount::PerDay(1), &[h(0.5, 3)]), 2);
    }
}
