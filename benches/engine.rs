//! Criterion benches on generated organisations of 1k and 10k people, and 100k when
//! `BLASTRADIUS_BENCH_LARGE=1` (slow to set up; CI leaves it out). Inputs are built outside the
//! timed loops; correctness is the tests' job.
//!
//! `cargo bench --bench engine` (add `-- sweep` to run one group).

use std::hint::black_box;

use blastradius::engine::entry;
use blastradius::engine::focus::{sweep_focus, Focus};
use blastradius::engine::sweep::{sweep, sweep_by_traversal};
use blastradius::engine::NoProgress;
use blastradius::generate::generate;
use blastradius::load::load_model;
use blastradius::model::entry::Vector;
use blastradius::model::{NodeId, NodeKind};
use blastradius::output::model_files::save_model;
use blastradius::results::sweep::{RankBy, Ranking, SweepReport};
use blastradius::scenario::Simulation;
use blastradius::Analysis;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

fn sizes() -> Vec<usize> {
    let mut s = vec![1_000, 10_000];
    if std::env::var("BLASTRADIUS_BENCH_LARGE").is_ok_and(|v| v == "1") {
        s.push(100_000);
    }
    s
}

/// The 10 human accounts the baseline workload compromises (floor(i × H / 10)).
fn q3_sources(a: &Analysis) -> Vec<NodeId> {
    let humans: Vec<NodeId> = a
        .model
        .nodes_of(NodeKind::Account)
        .filter(|&n| a.model.account_kind[n as usize] == blastradius::model::AccountKind::Human)
        .collect();
    (0..10).map(|i| humans[i * humans.len() / 10]).collect()
}

fn load(c: &mut Criterion) {
    let mut g = c.benchmark_group("load_and_validate");
    g.sample_size(10);
    for p in sizes() {
        let dir = tempfile::tempdir().unwrap();
        save_model(&generate(p, 1), dir.path(), true).unwrap();
        g.bench_with_input(BenchmarkId::from_parameter(p), &dir, |b, dir| {
            b.iter(|| black_box(load_model(dir.path(), "bench").unwrap()))
        });
        let model = load_model(dir.path(), "bench").unwrap().model;
        g.bench_with_input(BenchmarkId::new("analysis", p), &model, |b, m| {
            b.iter(|| black_box(Analysis::new(m.clone())))
        });
    }
    g.finish();
}

fn worst_case(c: &mut Criterion) {
    let mut g = c.benchmark_group("worst_case");
    for p in sizes() {
        let a = Analysis::new(generate(p, 1));
        let source = q3_sources(&a)[1];
        g.bench_with_input(BenchmarkId::from_parameter(p), &a, |b, a| {
            b.iter(|| black_box(a.worst_case(&[source])))
        });
    }
    g.finish();
}

fn sweep_accounts(c: &mut Criterion) {
    let mut g = c.benchmark_group("sweep_accounts");
    g.sample_size(10);
    for p in sizes() {
        let a = Analysis::new(generate(p, 1));
        let sources: Vec<NodeId> = a.model.nodes_of(NodeKind::Account).collect();
        g.bench_with_input(BenchmarkId::new("condensation", p), &a, |b, a| {
            b.iter(|| black_box(sweep(&a.model, &a.graph, a.index(), &sources)))
        });
        // `sweep --top 20` against `sweep --vector phishing --by expected --top 20`: the sweep
        // and its ranking, the second with each account's entry probability (the goal: within
        // 1.5× of the first).
        let ranked = |a: &Analysis, entry: Option<&[f64]>| {
            let rows = sweep(&a.model, &a.graph, a.index(), &sources);
            let ranking = Ranking {
                by: if entry.is_some() {
                    RankBy::Expected
                } else {
                    RankBy::Exposure
                },
                top: Some(20),
                losses: None,
                population: None,
                entry: entry.map(|p| ("phishing", p)),
            };
            SweepReport::ranked(&a.model, a.index(), "account", &rows, &ranking)
        };
        g.bench_with_input(BenchmarkId::new("ranked_by_exposure", p), &a, |b, a| {
            b.iter(|| black_box(ranked(a, None)))
        });
        let phishing = Vector {
            by_mfa: [0.068, 0.0027, 0.0],
            service: Some(0.0),
        };
        g.bench_with_input(BenchmarkId::new("expected_phishing", p), &a, |b, a| {
            b.iter(|| {
                let p = entry::probabilities(&a.model, &phishing, NodeKind::Account).unwrap();
                black_box(ranked(a, Some(&p)))
            })
        });
        // `sweep --category user.health`: the same sweep on the focus's own exposure index,
        // made inside the loop as the command makes it (DESIGN.md "Category queries": within
        // 1.5× of the plain sweep).
        let health = Focus::Category("user.health".into());
        g.bench_with_input(BenchmarkId::new("category", p), &a, |b, a| {
            b.iter(|| {
                black_box(sweep_focus(
                    &a.model,
                    &a.graph,
                    &a.holdings,
                    &health,
                    &sources,
                ))
            })
        });
        if p <= 10_000 {
            g.bench_with_input(
                BenchmarkId::new("one_traversal_per_account", p),
                &a,
                |b, a| {
                    b.iter(|| {
                        black_box(sweep_by_traversal(&a.model, &a.graph, a.index(), &sources))
                    })
                },
            );
        }
    }
    g.finish();
}

/// `diff` of two models 50 links apart (25 removed, 25 read grants added from accounts to
/// stores): both sweeps and each change's effect alone; beside it, in the same group, the plain
/// sweep of the old model's accounts (analysis built, as `diff` builds it), for the ratio.
fn diff_50_links(c: &mut Criterion) {
    use blastradius::model::{Access, Link, LinkKind};
    let mut g = c.benchmark_group("diff_50_links");
    g.sample_size(10);
    for p in sizes() {
        let old = generate(p, 1);
        let mut new = old.clone();
        let step = new.links.len() / 25;
        let mut i = 0;
        new.links.retain(|_| {
            i += 1;
            i % step != 0 || i / step > 25
        });
        let accounts: Vec<NodeId> = new.nodes_of(NodeKind::Account).collect();
        let stores: Vec<NodeId> = new.nodes_of(NodeKind::Store).collect();
        for k in 0..25 {
            let (a, s) = (
                accounts[k * accounts.len() / 25],
                stores[(k * 7) % stores.len()],
            );
            new.links
                .push(Link::new(a, s, LinkKind::Grant(Access::Read)));
        }
        g.bench_function(BenchmarkId::new("sweep_of_one", p), |b| {
            b.iter(|| {
                black_box(blastradius::engine::diff::sweep_by_id(
                    old.clone(),
                    NodeKind::Account,
                ))
            })
        });
        g.bench_function(BenchmarkId::new("accounts", p), |b| {
            b.iter(|| {
                black_box(blastradius::engine::diff::diff(
                    &old,
                    &new,
                    NodeKind::Account,
                ))
            })
        });
    }
    g.finish();
}

fn monte_carlo(c: &mut Criterion) {
    let mut g = c.benchmark_group("monte_carlo_1000_trials_10_accounts");
    g.sample_size(10);
    for p in sizes() {
        let a = Analysis::new(generate(p, 1));
        let sources = q3_sources(&a);
        let sim = Simulation {
            trials: 1000,
            seed: 12345,
            detection: None,
        };
        g.bench_with_input(BenchmarkId::from_parameter(p), &a, |b, a| {
            b.iter(|| black_box(a.simulate(&sources, &sim, &NoProgress)))
        });
    }
    g.finish();
}

fn recommend(c: &mut Criterion) {
    use blastradius::engine::recommend::{recommend, Objective, Search};
    let mut g = c.benchmark_group("recommend_budget_10");
    g.sample_size(10);
    for p in sizes() {
        let a = Analysis::new(generate(p, 1));
        let sources = vec![q3_sources(&a)[1]];
        let search = Search {
            objective: Objective::WorstCase,
            budget: 10.0,
            costs: Default::default(),
            retention_days: 30,
            include_entry_links: false,
            target: None,
            keep: Vec::new(),
            weights: None,
        };
        g.bench_with_input(BenchmarkId::new("worst_case", p), &a, |b, a| {
            b.iter(|| black_box(recommend(&a.model, &sources, &search, &NoProgress)))
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    load,
    worst_case,
    sweep_accounts,
    diff_50_links,
    monte_carlo,
    recommend
);
criterion_main!(benches);
