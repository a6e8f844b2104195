//! The sweep through the condensation against one traversal per source, on generated
//! organisations and on random small models.

use blastradius::engine::sweep::{
    sweep, sweep_by_traversal, sweep_in_chunks, Condensation, SweepRow,
};
use blastradius::generate::generate;
use blastradius::model::{Model, NodeId, NodeKind};
use blastradius::Analysis;

use crate::models::{load, random_model, scale_every_other_store, Shape};

fn check(a: &Analysis, kind: NodeKind) -> usize {
    let sources: Vec<NodeId> = a.model.nodes_of(kind).collect();
    let plain = sweep_by_traversal(&a.model, &a.graph, a.index(), &sources);
    let fast = sweep(&a.model, &a.graph, a.index(), &sources);
    same(a, &fast, &plain);
    // Chunks of 64 targets: a few hundred stores take several chunks, as 10,000 do at full
    // width, so figures combined across chunks are checked too.
    let narrow = sweep_in_chunks(
        &a.model,
        Condensation::new(&a.graph),
        a.index(),
        &sources,
        1,
    );
    same(a, &narrow, &plain);
    sources.len()
}

fn same(a: &Analysis, fast: &[SweepRow], plain: &[SweepRow]) {
    assert_eq!(fast.len(), plain.len());
    for (f, p) in fast.iter().zip(plain) {
        let id = a.model.id(f.node);
        assert_eq!(
            (f.node, f.records, f.stores, f.reach),
            (p.node, p.records, p.stores, p.reach),
            "{id}"
        );
        let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0);
        assert!(
            close(f.exposure, p.exposure),
            "{id}: exposure {} vs {}",
            f.exposure,
            p.exposure
        );
        for (x, y) in f.people.iter().zip(&p.people) {
            assert!(close(*x, *y), "{id}: people {x} vs {y}");
        }
    }
}

#[test]
fn sweep_equals_one_traversal_per_source_on_generated_organisations() {
    for (people, seed) in [(300, 1), (2_000, 2), (3_000, 7)] {
        let a = Analysis::new(generate(people, seed));
        let n = check(&a, NodeKind::Account)
            + check(&a, NodeKind::System)
            + check(&a, NodeKind::Person);
        assert!(n > people);
    }
}

#[test]
fn sweep_equals_one_traversal_per_source_on_random_models() {
    for seed in 0..60 {
        let shape = Shape {
            people: 8,
            groups: 5,
            systems: 3,
            stores: 6,
        };
        let mut model = load(&random_model(seed, shape, false)).model;
        if seed % 2 == 1 {
            scale_every_other_store(&mut model, 0.25);
        }
        let a = Analysis::new(model);
        check(&a, NodeKind::Account);
        check(&a, NodeKind::Person);
        check(&a, NodeKind::System);
    }
}

#[test]
fn sweep_results_do_not_depend_on_the_thread_count() {
    let a = Analysis::new(generate(3_000, 11));
    let sources: Vec<NodeId> = a.model.nodes_of(NodeKind::Account).collect();
    let on = |threads: usize, words: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let cond = Condensation::new(&a.graph);
            sweep_in_chunks(&a.model, cond, a.index(), &sources, words)
        })
    };
    for words in [1, 128] {
        let one = on(1, words);
        // Bit for bit, floating-point figures included.
        assert_eq!(one, on(3, words), "chunks of {words} words");
        assert_eq!(one, on(4, words), "chunks of {words} words");
    }
}

#[test]
fn sweep_rows_match_the_worst_case_of_run() {
    let a = Analysis::new(generate(500, 3));
    let sources: Vec<NodeId> = a.model.nodes_of(NodeKind::Account).take(50).collect();
    let rows: Vec<SweepRow> = sweep(&a.model, &a.graph, a.index(), &sources);
    for r in rows {
        let wc = a.worst_case(&[r.node]);
        assert_eq!(r.records, wc.exposure.records_total);
        assert_eq!(r.stores as usize, wc.leaked_stores.len());
        assert_eq!(r.reach as usize, wc.controlled.len());
    }
    let _: Option<Model> = None;
}

#[test]
fn the_sweep_table_says_what_its_people_column_counts() {
    let out = crate::util::run(&["sweep", "data/tracking-program", "--top", "2"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let header = out.stdout.lines().nth(1).unwrap();
    assert!(
        header.ends_with("people affected (visitors)   people (all)"),
        "{header}"
    );
    // Figures line up under the header's last column.
    let row = out.stdout.lines().nth(2).unwrap();
    assert_eq!(row.len(), header.len(), "{header}\n{row}");
    assert!(out
        .stdout
        .contains("people affected: expected number of the `visitors` population"));
}

/// Every row of the `sweep` command (CSV lists every account) equals the worst case of that
/// account alone, computed by the library: the command's own preparation of the model (it frees
/// what the sweep does not read) changes no figure.
#[test]
fn the_sweep_command_gives_each_accounts_own_worst_case() {
    let out = crate::util::run(&["sweep", "data/tracking-program", "--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let path = crate::util::root().join("data/tracking-program");
    let loaded = blastradius::load::load_model(&path, "data/tracking-program").unwrap();
    let a = Analysis::new(loaded.model);
    let mut rows = 0;
    let mut leaking = 0;
    for line in out.stdout.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let node = a.model.node_id(cells[1]).unwrap();
        let wc = a.worst_case(&[node]);
        assert_eq!(
            cells[3].parse::<f64>().unwrap(),
            wc.exposure.exposure,
            "{line}"
        );
        assert_eq!(
            cells[4].parse::<u64>().unwrap(),
            wc.exposure.records_total,
            "{line}"
        );
        assert_eq!(
            cells[5].parse::<usize>().unwrap(),
            wc.leaked_stores.len(),
            "{line}"
        );
        assert_eq!(
            cells[6].parse::<usize>().unwrap(),
            wc.controlled.len(),
            "{line}"
        );
        rows += 1;
        leaking += (wc.exposure.records_total > 0) as usize;
    }
    assert_eq!(rows, a.model.nodes_of(NodeKind::Account).count());
    assert!(leaking > rows / 2, "{leaking} of {rows}");
}
