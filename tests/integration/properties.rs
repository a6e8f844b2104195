//! Property tests over generated models: the worst case equals a naive reference traversal over
//! the model's links, and Monte Carlo results do not depend on threads or input order.

use blastradius::engine::NoProgress;
use blastradius::model::{LinkKind, Model, NodeId};
use blastradius::scenario::Simulation;
use proptest::prelude::*;

use crate::models::{load, random_model, Shape};

/// Every node reachable from `sources` over traversable links with p > 0: a plain fixpoint over
/// the model's link list, nothing shared with the engine's graph.
fn naive_reach(m: &Model, sources: &[NodeId]) -> Vec<NodeId> {
    let mut reached = vec![false; m.node_count()];
    for &s in sources {
        reached[s as usize] = true;
    }
    let mut changed = true;
    while changed {
        changed = false;
        for l in &m.links {
            let traversable = !matches!(l.kind, LinkKind::Grant(a) | LinkKind::Access(a) if a == blastradius::model::Access::Write);
            if traversable
                && m.link_p(l) > 0.0
                && reached[l.from as usize]
                && !reached[l.to as usize]
            {
                reached[l.to as usize] = true;
                changed = true;
            }
        }
    }
    (0..m.node_count() as NodeId)
        .filter(|&n| reached[n as usize])
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn worst_case_reach_equals_a_naive_traversal(seed in 0u64..100_000, who in 0usize..6) {
        let a = load(&random_model(seed, Shape { people: 6, groups: 4, systems: 3, stores: 5 }, false));
        let source = a.model.node_id(&format!("person-{who}")).unwrap();
        let wc = a.worst_case(&[source]);
        prop_assert_eq!(wc.controlled, naive_reach(&a.model, &[source]));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn monte_carlo_ignores_threads_and_input_order(seed in 0u64..100_000, threads in 2usize..6) {
        let shape = Shape { people: 10, groups: 4, systems: 3, stores: 6 };
        let a = load(&random_model(seed, shape, false));
        let b = load(&random_model(seed, shape, true));
        let sim = Simulation { trials: 600, seed: seed ^ 7, detection: None };
        let run = |x: &blastradius::Analysis, n: usize| {
            let s = vec![x.model.node_id("person-0").unwrap()];
            let pool = rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap();
            let t = pool.install(|| x.simulate(&s, &sim, &NoProgress));
            x.monte_carlo_result(&s, &sim, &t)
        };
        let one = run(&a, 1);
        prop_assert_eq!(&one, &run(&a, threads));
        prop_assert_eq!(&one, &run(&b, threads));
    }
}
