//! `recommend --target`: the objective a plan must reach, and a found plan pruned to the fixes
//! it needs. Greedy search by reduction per unit of cost can pick a fix early that later fixes
//! make redundant (a retention cut at a store that a later fix stops anyone reaching); once the
//! cut is reached, each fix is dropped in turn, dearest first, when the plan without it still
//! reaches the cut.

/// The objective a plan must reach: `start` less `fraction` of it (0.5 for `--target 50%`).
pub fn goal(start: f64, fraction: f64) -> f64 {
    start * (1.0 - fraction)
}

/// Whether `value` reaches `goal`, allowing for the rounding of summed floating figures.
pub fn reached(value: f64, goal: f64) -> bool {
    value <= goal + 1e-9 * goal.abs().max(1.0)
}

/// The fixes of `plan` that reaching `goal` needs: dearest first (ties: the later fix), each
/// fix is dropped when the plan without it still reaches the goal. `eval` scores a plan (its
/// fixes applied in order to the model as given); `cost` prices a fix.
pub fn prune<T>(
    mut plan: Vec<T>,
    cost: impl Fn(&T) -> f64,
    goal: f64,
    mut eval: impl FnMut(&[&T]) -> f64,
) -> Vec<T> {
    let mut order: Vec<usize> = (0..plan.len()).collect();
    order.sort_by(|&a, &b| cost(&plan[b]).total_cmp(&cost(&plan[a])).then(b.cmp(&a)));
    let mut dropped = vec![false; plan.len()];
    for i in order {
        let without: Vec<&T> = plan
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i && !dropped[j])
            .map(|(_, t)| t)
            .collect();
        if reached(eval(&without), goal) {
            dropped[i] = true;
        }
    }
    let mut j = 0;
    plan.retain(|_| {
        j += 1;
        !dropped[j - 1]
    });
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fix_made_redundant_by_later_ones_is_dropped() {
        // Fixes cut 10, 60 and 50 of 100 alone; the first and the third overlap (together 55).
        let cut = |plan: &[&(u32, f64)]| -> f64 {
            let has = |id| plan.iter().any(|f| f.0 == id);
            let mut c = 0.0;
            if has(2) {
                c += 60.0;
            }
            c += match (has(1), has(3)) {
                (true, true) => 55.0,
                (true, false) => 10.0,
                (false, true) => 50.0,
                (false, false) => 0.0,
            };
            100.0 - c
        };
        let plan = vec![(1, 1.0), (2, 5.0), (3, 2.0)];
        // Goal 50 (cut 50), dearest first: without 2, fixes 1 + 3 cut 55: 2 goes; without 3,
        // fix 1 cuts 10: 3 stays; without 1, fix 3 cuts 50: 1 goes.
        let kept = prune(plan.clone(), |f| f.1, 50.0, cut);
        assert_eq!(kept, vec![(3, 2.0)]);
        // Goal 30 (cut 70): without 2, 55: 2 stays; without 3, 1 + 2 cut 70: 3 goes; without
        // 1, 60: 1 stays.
        let kept = prune(plan, |f| f.1, 30.0, cut);
        assert_eq!(kept, vec![(1, 1.0), (2, 5.0)]);
        assert!(reached(50.0 + 1e-12, 50.0));
        assert!(!reached(50.1, 50.0));
        assert_eq!(goal(200.0, 0.25), 150.0);
    }
}
