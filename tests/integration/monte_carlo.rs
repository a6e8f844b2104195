//! Monte Carlo against exact enumeration, invariance under thread count and input order, and the
//! time model against hand-computed cases.

use blastradius::engine::monte_carlo::Trials;
use blastradius::engine::{exposure_of, NoProgress};
use blastradius::model::{Distribution, NodeId, NodeKind};
use blastradius::scenario::{Detection, Simulation};
use blastradius::Analysis;

use crate::models::{load, random_model, scale_every_other_store, Shape, TINY};
use crate::petgraph_view::View;

fn simulate(a: &Analysis, sources: &[NodeId], trials: u32, seed: u64) -> Trials {
    let sim = Simulation {
        trials,
        seed,
        detection: None,
    };
    a.simulate(sources, &sim, &NoProgress)
}

/// Exact breach probability of every node and exact mean exposure, by enumerating every subset
/// of the probabilistic edges (a plain fixpoint over the edge list, nothing shared with the
/// engine's traversal or random draws).
fn enumerate(a: &Analysis, sources: &[NodeId]) -> (Vec<f64>, f64) {
    let edges: Vec<_> = a.graph.edges().collect();
    let uncertain: Vec<usize> = (0..edges.len()).filter(|&i| edges[i].p < 1.0).collect();
    assert!(
        uncertain.len() <= 20,
        "too many probabilistic edges to enumerate"
    );
    let n = a.model.node_count();
    let mut breach = vec![0.0; n];
    let mut mean = 0.0;
    for mask in 0u64..(1 << uncertain.len()) {
        let mut open = vec![true; edges.len()];
        let mut prob = 1.0;
        for (bit, &i) in uncertain.iter().enumerate() {
            let is_open = mask >> bit & 1 == 1;
            open[i] = is_open;
            prob *= if is_open {
                edges[i].p
            } else {
                1.0 - edges[i].p
            };
        }
        let mut reached = vec![false; n];
        for &s in sources {
            reached[s as usize] = true;
        }
        let mut changed = true;
        while changed {
            changed = false;
            for (i, e) in edges.iter().enumerate() {
                if open[i] && reached[e.from as usize] && !reached[e.to as usize] {
                    reached[e.to as usize] = true;
                    changed = true;
                }
            }
        }
        for (x, r) in reached.iter().enumerate() {
            if *r {
                breach[x] += prob;
            }
        }
        let stores =
            (0..n as NodeId).filter(|&x| reached[x as usize] && a.model.kind(x) == NodeKind::Store);
        mean += prob * exposure_of(&a.model, &a.holdings, stores).exposure;
    }
    (breach, mean)
}

#[test]
fn breach_probabilities_and_mean_match_exact_enumeration() {
    let trials = 20_000;
    let mut checked = 0;
    for seed in 0..40u64 {
        let a = load(&random_model(seed, TINY, false));
        let uncertain = a.graph.edges().filter(|e| e.p < 1.0).count();
        if uncertain > 14 {
            continue;
        }
        let sources = vec![a.model.node_id("person-0").unwrap()];
        let (exact, exact_mean) = enumerate(&a, &sources);
        let t = simulate(&a, &sources, trials, 1000 + seed);
        let mc = a.monte_carlo_result(
            &sources,
            &Simulation {
                trials,
                seed: 1000 + seed,
                detection: None,
            },
            &t,
        );
        for s in a.model.nodes_of(NodeKind::Store) {
            let p = exact[s as usize];
            let est = t.store_breaches[s as usize] as f64 / trials as f64;
            let se = (p * (1.0 - p) / trials as f64).sqrt().max(1e-9);
            assert!(
                (est - p).abs() <= 5.0 * se + 1e-12,
                "seed {seed}, store {}: exact {p}, estimated {est} (se {se})",
                a.model.id(s)
            );
        }
        let [lo, hi] = mc.exposure.ci95;
        // The interval is 1.96 standard errors wide each side; allow 5 (a fixed seed either
        // passes or fails, so this is a check of the engine, not of luck).
        let half = (hi - lo) / 2.0;
        assert!(
            (mc.exposure.mean - exact_mean).abs() <= half / 1.96 * 5.0 + 1e-6,
            "seed {seed}: exact mean {exact_mean}, estimate {} ± {half}",
            mc.exposure.mean
        );
        checked += 1;
    }
    assert!(
        checked >= 20,
        "only {checked} models were small enough to enumerate"
    );
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let shape = Shape {
        people: 30,
        groups: 8,
        systems: 5,
        stores: 10,
    };
    let a = load(&random_model(7, shape, false));
    let sources = vec![
        a.model.node_id("person-0").unwrap(),
        a.model.node_id("person-1").unwrap(),
    ];
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| simulate(&a, &sources, 3_000, 42))
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(5));
}

#[test]
fn results_do_not_depend_on_input_order() {
    for seed in 0..5 {
        let shape = Shape {
            people: 12,
            groups: 5,
            systems: 3,
            stores: 6,
        };
        let a = load(&random_model(seed, shape, false));
        let b = load(&random_model(seed, shape, true));
        let sa = vec![a.model.node_id("person-1").unwrap()];
        let sb = vec![b.model.node_id("person-1").unwrap()];
        let sim = Simulation {
            trials: 2_000,
            seed: 5,
            detection: None,
        };
        let ra = a.monte_carlo_result(&sa, &sim, &simulate(&a, &sa, 2_000, 5));
        let rb = b.monte_carlo_result(&sb, &sim, &simulate(&b, &sb, 2_000, 5));
        assert_eq!(ra, rb, "seed {seed}");
    }
}

#[test]
fn another_seed_gives_other_draws() {
    let mut compared = 0;
    for seed in 0..10 {
        let a = load(&random_model(seed, TINY, false));
        let s = vec![a.model.node_id("person-0").unwrap()];
        let x = simulate(&a, &s, 500, 1);
        assert_eq!(x, simulate(&a, &s, 500, 1), "same seed, same draws");
        if x.exposure.iter().any(|&e| e != x.exposure[0]) {
            let y = simulate(&a, &s, 500, 2);
            assert_ne!(x.exposure, y.exposure);
            compared += 1;
        }
    }
    assert!(compared > 0, "no generated model had uncertain exposure");
}

const TIMED: &str = r#"
[org]
program_age_days = 1000
[categories]
a = 1
b = 10
[times]
owns = 0
member = 0
grant = 0.5
credential = 2
distribution = "fixed"
[[person]]
id = "p"
accounts = ["u"]
[[account]]
id = "u"
groups = ["g"]
[[account]]
id = "svc"
[[group]]
id = "g"
[[store]]
id = "first"
retention_days = 10
records = [{ category = "a", per_day = 100 }]
credentials = ["svc"]
[[store]]
id = "second"
retention_days = 10
records = [{ category = "b", count = 7 }]
[[grant]]
principal = "g"
target = "first"
access = "read"
[[grant]]
principal = "svc"
target = "second"
access = "read"
[probabilities]
credential = 1.0
"#;

/// p → u → g (0 days), g reads `first` (0.5 days), `first` holds svc's secret (2 days),
/// svc reads `second` (0.5 days): `first` falls at day 0.5, `second` at day 3.
#[test]
fn time_model_with_fixed_times() {
    let a = load(TIMED);
    let p = vec![a.model.node_id("p").unwrap()];
    let run = |mean_days: f64| {
        let sim = Simulation {
            trials: 10,
            seed: 1,
            detection: Some(Detection {
                mean_days,
                distribution: Distribution::Fixed,
            }),
        };
        let t = a.simulate(&p, &sim, &NoProgress);
        a.monte_carlo_result(&p, &sim, &t)
    };
    // Detected at day 0.4: nothing leaked yet.
    assert_eq!(run(0.4).records.mean, 0.0);
    // Detected at day 1: `first` only: 100/day × 10 days.
    let r = run(1.0);
    assert_eq!(r.records.mean, 1_000.0);
    assert_eq!(r.store_breach_probability["second"], 0.0);
    // Detected at day 3: both (the arrival at exactly day 3 counts).
    let r = run(3.0);
    assert_eq!(r.records.mean, 1_007.0);
    assert_eq!(r.exposure.mean, 1_070.0);
    // Dwell curve: records leaked if detected at day d.
    let dwell = r.time_model.unwrap().dwell;
    let at = |d: f64| dwell.iter().find(|x| x.days == d).unwrap().records_mean;
    assert_eq!(at(0.0), 0.0);
    assert_eq!(at(1.0), 1_000.0);
    assert_eq!(at(2.0), 1_000.0);
    assert_eq!(at(3.0), 1_007.0);
    assert_eq!(at(365.0), 1_007.0);
}

/// Exponential detection: with mean 1 day, P(detected after day 3) = e^-3; `second` (day 3)
/// leaks only then.
#[test]
fn time_model_with_exponential_detection() {
    let a = load(TIMED);
    let p = vec![a.model.node_id("p").unwrap()];
    let trials = 100_000;
    let sim = Simulation {
        trials,
        seed: 9,
        detection: Some(Detection {
            mean_days: 1.0,
            distribution: Distribution::Exponential,
        }),
    };
    let t = a.simulate(&p, &sim, &NoProgress);
    let r = a.monte_carlo_result(&p, &sim, &t);
    let expected = (-3.0f64).exp();
    let se = (expected * (1.0 - expected) / trials as f64).sqrt();
    let got = r.store_breach_probability["second"];
    assert!((got - expected).abs() < 5.0 * se, "{got} vs {expected}");
    let first = (-0.5f64).exp();
    let got = r.store_breach_probability["first"];
    assert!((got - first).abs() < 5.0 * (first * (1.0 - first) / trials as f64).sqrt());
}

/// Every trial of the batched simulation (64 trials per pass) against one plain traversal per
/// trial with the same keyed draws: the reached stores, records and exposure of each trial agree
/// exactly, also in a last, partial batch, in components with cycles and in stores that keep a
/// scaled share of their sets (copies that are not whole).
#[test]
fn batched_trials_equal_one_traversal_per_trial() {
    use blastradius::engine::random::uniform;
    let shape = Shape {
        people: 10,
        groups: 5,
        systems: 4,
        stores: 8,
    };
    let mut cycles_seen = 0;
    for seed in 0..12u64 {
        let mut model = load(&random_model(seed, shape, false)).model;
        if seed % 3 == 0 {
            scale_every_other_store(&mut model, 0.5);
        }
        let a = Analysis::new(model);
        let sccs = petgraph::algo::tarjan_scc(&View(&a.graph));
        cycles_seen += sccs.iter().filter(|c| c.len() > 1).count();
        let sources = vec![
            a.model.node_id("person-0").unwrap(),
            a.model.node_id("acc-3-0").unwrap(),
        ];
        let trials = 150; // two full batches and a partial one
        let t = simulate(&a, &sources, trials, 77 + seed);
        let n = a.model.node_count();
        let mut breaches = vec![0u64; n];
        for trial in 0..trials as u64 {
            let mut reached = vec![false; n];
            for &s in &sources {
                reached[s as usize] = true;
            }
            let mut changed = true;
            while changed {
                changed = false;
                for e in a.graph.edges() {
                    if reached[e.from as usize]
                        && !reached[e.to as usize]
                        && uniform(77 + seed, trial, e.key) < e.p
                    {
                        reached[e.to as usize] = true;
                        changed = true;
                    }
                }
            }
            let stores: Vec<NodeId> = a
                .model
                .nodes_of(NodeKind::Store)
                .filter(|&s| reached[s as usize])
                .collect();
            for &s in &stores {
                breaches[s as usize] += 1;
            }
            let x = exposure_of(&a.model, &a.holdings, stores.iter().copied());
            let i = trial as usize;
            assert_eq!(t.records[i], x.records_total, "seed {seed} trial {trial}");
            let rel = (t.exposure[i] - x.exposure).abs() / x.exposure.max(1.0);
            assert!(
                rel < 1e-12,
                "seed {seed} trial {trial}: {} vs {}",
                t.exposure[i],
                x.exposure
            );
        }
        assert_eq!(t.store_breaches, breaches, "seed {seed}");
    }
    assert!(
        cycles_seen > 0,
        "no model had a cycle; the test would not cover them"
    );
}
