//! The sweep on deep organisations: long chains of nested groups with stores granted at every
//! depth, so the condensation has many levels, rows both with successors and bare (a store
//! with no successors keeps no bits: whoever reaches it sets its own), leaves reaching bare
//! stores directly, and stores holding credentials (stores with successors). Checked against
//! one traversal per source, with chunks narrow enough that every pass takes several.

use blastradius::engine::sweep::{sweep_by_traversal, sweep_in_chunks, Condensation};
use blastradius::model::{NodeId, NodeKind};
use blastradius::Analysis;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::models::{load, scale_every_other_store};
use crate::sweep_cut::same;

/// `depth` groups in a chain (each a member of the next, some of a later one too), `stores`
/// stores granted to random groups and accounts, a few flows between stores, and service
/// accounts whose credentials some stores hold, reaching systems and other stores.
fn deep_model(seed: u64, depth: usize, stores: usize) -> String {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = String::from(
        "[org]\nname = \"Deep\"\nprogram_age_days = 400\n\n[populations]\nemployees = 1000\n\
         visitors = 300\n\n[categories]\n\"user.health\" = 10\n\"user.identity\" = 3\n\n",
    );
    for g in 0..depth {
        let mut parents = Vec::new();
        if g + 1 < depth && rng.gen_bool(0.9) {
            parents.push(format!("\"group-{}\"", g + 1));
        }
        if g + 2 < depth && rng.gen_bool(0.2) {
            parents.push(format!("\"group-{}\"", rng.gen_range(g + 2..depth)));
        }
        out.push_str(&format!(
            "[[group]]\nid = \"group-{g}\"\ngroups = [{}]\n\n",
            parents.join(", ")
        ));
    }
    let services = 4;
    for s in 0..services {
        out.push_str(&format!(
            "[[account]]\nid = \"svc-{s}\"\nmfa = \"none\"\ngroups = [\"group-{}\"]\n\n",
            rng.gen_range(0..depth)
        ));
        out.push_str(&format!(
            "[[system]]\nid = \"system-{s}\"\ncredentials = [\"svc-{s}\"]\naccess = [{{ store = \"store-{}\", access = \"read\" }}]\n\n",
            rng.gen_range(0..stores)
        ));
    }
    let people = 40;
    for p in 0..people {
        let member: Vec<String> = (0..1 + rng.gen_range(0..3))
            .map(|_| format!("\"group-{}\"", rng.gen_range(0..depth)))
            .collect();
        out.push_str(&format!(
            "[[person]]\nid = \"person-{p}\"\naccounts = [\"acc-{p}\"]\n\n[[account]]\nid = \"acc-{p}\"\n\
             mfa = \"none\"\ngroups = [{}]\n\n",
            member.join(", ")
        ));
    }
    let cats = [("user.health", "employees"), ("user.identity", "visitors")];
    for d in 0..stores {
        let (cat, pop) = cats[rng.gen_range(0..2)];
        let creds = if rng.gen_bool(0.05) {
            format!("\"svc-{}\"", rng.gen_range(0..services))
        } else {
            String::new()
        };
        out.push_str(&format!(
            "[[store]]\nid = \"store-{d}\"\nretention_days = {}\nrecords = [{{ category = \"{cat}\", \
             per_day = {}, subjects = \"{pop}\", coverage = {} }}]\ncredentials = [{creds}]\n\n",
            [7, 30, 365][rng.gen_range(0..3)],
            1 + rng.gen_range(0..300),
            [0.1, 0.5, 1.0][rng.gen_range(0..3)]
        ));
        if rng.gen_bool(0.1) {
            out.push_str(&format!(
                "[[flow]]\nfrom = \"store-{d}\"\nto = \"store-{}\"\n\n",
                rng.gen_range(0..stores)
            ));
        }
    }
    for d in 0..stores {
        let principal = if rng.gen_bool(0.25) {
            format!("acc-{}", rng.gen_range(0..people))
        } else {
            format!("group-{}", rng.gen_range(0..depth))
        };
        out.push_str(&format!(
            "[[grant]]\nprincipal = \"{principal}\"\ntarget = \"store-{d}\"\naccess = \"read\"\n\
             p = {}\n\n",
            [0.5, 1.0][rng.gen_range(0..2)]
        ));
    }
    out
}

#[test]
fn the_sweep_on_deep_group_chains_equals_one_traversal_per_source() {
    for seed in 0..10 {
        let depth = 30 + 7 * seed as usize;
        let mut model = load(&deep_model(seed, depth, 200 + 10 * seed as usize)).model;
        if seed % 2 == 1 {
            scale_every_other_store(&mut model, 0.25);
        }
        let a = Analysis::new(model);
        for kind in [
            NodeKind::Account,
            NodeKind::Group,
            NodeKind::Store,
            NodeKind::System,
        ] {
            let sources: Vec<NodeId> = a.model.nodes_of(kind).collect();
            let plain = sweep_by_traversal(&a.model, &a.graph, a.index(), &sources);
            assert!(plain.iter().any(|r| r.records > 0));
            // The deepest source reaches along the whole chain.
            assert!(plain.iter().any(|r| r.reach as usize > depth / 2) || kind != NodeKind::Group);
            for words in [1, 2, 256] {
                let cond = Condensation::new(&a.graph);
                let fast = sweep_in_chunks(&a.model, cond, a.index(), &sources, words);
                same(
                    &a,
                    &fast,
                    &plain,
                    &format!("seed {seed}, {kind:?}, {words} words"),
                );
            }
        }
    }
}
