//! The sweep when a flow component is wider than a store chunk, so the store pass cuts it
//! between its record sets and a store sits in several chunks: checked against one traversal
//! per source, on random organisations where many sources feed a few shared stores (backups,
//! archives) with their own retention windows, some holding part of each set.

use blastradius::engine::sweep::{sweep_by_traversal, sweep_in_chunks, Condensation, SweepRow};
use blastradius::model::{Model, NodeId, NodeKind};
use blastradius::Analysis;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::models::{load, scale_every_other_store};

/// An organisation whose `lakes` stores (each with its own sets) flow into a few backups, which
/// flow into two archives: one flow component of every store. Retention differs per store,
/// so each copy of a set holds its own window; accounts reach stores through grants, groups
/// and systems.
pub fn hub_model(seed: u64, lakes: usize) -> String {
    let mut rng = StdRng::seed_from_u64(seed);
    let backups = 6;
    let archives = 2;
    let retention = [7, 30, 90, 365];
    let mut out = String::from(
        "[org]\nname = \"Hub\"\nprogram_age_days = 400\n\n[populations]\nemployees = 1000\n\
         visitors = 300\n\n[categories]\n\"user.health\" = 10\n\"user.identity\" = 3\n\n",
    );
    let store = |out: &mut String, id: String, days: u32, sets: &str| {
        out.push_str(&format!(
            "[[store]]\nid = \"{id}\"\nretention_days = {days}\nrecords = [{sets}]\n\n"
        ));
    };
    for l in 0..lakes {
        let (cat, pop) =
            [("user.health", "employees"), ("user.identity", "visitors")][rng.gen_range(0..2)];
        let sets = (0..1 + rng.gen_range(0..2))
            .map(|_| {
                format!(
                    "{{ category = \"{cat}\", per_day = {}, subjects = \"{pop}\", coverage = {} }}",
                    1 + rng.gen_range(0..200),
                    [0.1, 0.5, 1.0][rng.gen_range(0..3)]
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let days = retention[rng.gen_range(0..retention.len())];
        store(&mut out, format!("lake-{l}"), days, &sets);
        for b in 0..backups {
            // Every lake reaches at least one backup; some reach two.
            if b == l % backups || rng.gen_bool(0.15) {
                out.push_str(&format!(
                    "[[flow]]\nfrom = \"lake-{l}\"\nto = \"backup-{b}\"\n\n"
                ));
            }
        }
    }
    for b in 0..backups {
        let days = retention[rng.gen_range(0..retention.len())];
        store(&mut out, format!("backup-{b}"), days, "");
        let a = rng.gen_range(0..archives);
        out.push_str(&format!(
            "[[flow]]\nfrom = \"backup-{b}\"\nto = \"archive-{a}\"\n\n"
        ));
    }
    for a in 0..archives {
        store(&mut out, format!("archive-{a}"), [180, 730][a], "");
    }
    let stores = lakes + backups + archives;
    let store_id = |i: usize| match i {
        i if i < lakes => format!("lake-{i}"),
        i if i < lakes + backups => format!("backup-{}", i - lakes),
        i => format!("archive-{}", i - lakes - backups),
    };
    let groups = 8;
    for g in 0..groups {
        out.push_str(&format!("[[group]]\nid = \"group-{g}\"\n\n"));
    }
    for s in 0..4 {
        let target = store_id(rng.gen_range(0..stores));
        out.push_str(&format!(
            "[[system]]\nid = \"system-{s}\"\naccess = [{{ store = \"{target}\", access = \"read\" }}]\n\n"
        ));
    }
    for p in 0..30 {
        let member: Vec<String> = (0..groups)
            .filter(|_| rng.gen_bool(0.2))
            .map(|g| format!("\"group-{g}\""))
            .collect();
        out.push_str(&format!(
            "[[person]]\nid = \"person-{p}\"\naccounts = [\"acc-{p}\"]\n\n[[account]]\nid = \"acc-{p}\"\n\
             mfa = \"none\"\ngroups = [{}]\n\n",
            member.join(", ")
        ));
    }
    let principals: Vec<String> = (0..30)
        .map(|p| format!("acc-{p}"))
        .chain((0..groups).map(|g| format!("group-{g}")))
        .collect();
    for _ in 0..lakes {
        let principal = &principals[rng.gen_range(0..principals.len())];
        let target = if rng.gen_bool(0.05) {
            format!("system-{}", rng.gen_range(0..4))
        } else {
            store_id(rng.gen_range(0..stores))
        };
        let access = if target.starts_with("system") {
            "admin"
        } else {
            "read"
        };
        out.push_str(&format!(
            "[[grant]]\nprincipal = \"{principal}\"\ntarget = \"{target}\"\naccess = \"{access}\"\n\
             p = {}\n\n",
            [0.5, 1.0][rng.gen_range(0..2)]
        ));
    }
    out
}

/// Stores of the largest flow component, by union-find over the model's flows.
fn largest_flow_component(model: &Model) -> usize {
    let mut root: Vec<usize> = (0..model.node_count()).collect();
    fn find(root: &mut [usize], x: usize) -> usize {
        if root[x] != x {
            root[x] = find(root, root[x]);
        }
        root[x]
    }
    for f in &model.flows {
        let (a, b) = (
            find(&mut root, f.from as usize),
            find(&mut root, f.to as usize),
        );
        root[a] = b;
    }
    let mut size = vec![0usize; model.node_count()];
    for s in model.nodes_of(NodeKind::Store) {
        size[find(&mut root, s as usize)] += 1;
    }
    size.into_iter().max().unwrap_or(0)
}

/// The fast sweep's rows equal the plain twin's: counts exactly, figures to 1e-9 relative.
pub(crate) fn same(a: &Analysis, fast: &[SweepRow], plain: &[SweepRow], what: &str) {
    assert_eq!(fast.len(), plain.len());
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0);
    for (f, p) in fast.iter().zip(plain) {
        let id = a.model.id(f.node);
        assert_eq!(
            (f.node, f.records, f.stores, f.reach),
            (p.node, p.records, p.stores, p.reach),
            "{what}: {id}"
        );
        assert!(close(f.exposure, p.exposure), "{what}: {id}: exposure");
        for (x, y) in f.people.iter().zip(&p.people) {
            assert!(close(*x, *y), "{what}: {id}: people {x} vs {y}");
        }
    }
}

#[test]
fn a_flow_component_wider_than_a_chunk_is_cut_between_its_record_sets() {
    for seed in 0..12 {
        let lakes = 150 + 20 * seed as usize;
        let mut model = load(&hub_model(seed, lakes)).model;
        // Chunks of one word hold at most 64 stores; every store is in one flow component.
        let stores = model.nodes_of(NodeKind::Store).count();
        assert_eq!(largest_flow_component(&model), stores);
        assert!(stores > 2 * 64);
        if seed % 2 == 1 {
            // Partial copies: a set's records are a union of windows, not the longest one.
            scale_every_other_store(&mut model, 0.25);
        }
        let a = Analysis::new(model);
        // Backups and archives hold copies of many lakes' sets: the cut puts them in several
        // chunks.
        let held: Vec<usize> = a
            .model
            .nodes_of(NodeKind::Store)
            .map(|s| a.holdings.by_store[s as usize].len())
            .collect();
        assert!(held.iter().filter(|&&n| n > 64).count() >= 2, "{held:?}");
        for kind in [NodeKind::Account, NodeKind::System, NodeKind::Store] {
            let sources: Vec<NodeId> = a.model.nodes_of(kind).collect();
            let plain = sweep_by_traversal(&a.model, &a.graph, a.index(), &sources);
            assert!(plain.iter().any(|r| r.records > 0));
            for words in [1, 2, 128] {
                let cond = Condensation::new(&a.graph);
                let fast = sweep_in_chunks(&a.model, cond, a.index(), &sources, words);
                same(&a, &fast, &plain, &format!("seed {seed}, {words} words"));
            }
        }
    }
}
