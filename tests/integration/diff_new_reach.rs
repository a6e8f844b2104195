//! `diff --fail-if new_reach:C` in one pass per block of stores against the plain computation
//! (stores cut into blocks of 1, 3 and 64 too) written here: for every store holding C in each version, a breadth-first search of its own
//! over the attack graph's edges turned around, and the (source, store) pairs of NEW that OLD
//! lacks. On random generated organisations, NEW being OLD with random changes, or another
//! organisation altogether (nodes added and removed), for a kind of source and a category.

use std::collections::{BTreeSet, VecDeque};

use blastradius::engine::diff::new_reach::new_reach_in_blocks;
use blastradius::engine::gate::new_reach;
use blastradius::generate::generate;
use blastradius::graph::AttackGraph;
use blastradius::model::records::Holdings;
use blastradius::model::{category_matches, Model, NodeKind};
use proptest::prelude::*;

use crate::diff_alone::changed;

/// (source id, store id) for every source of `kind` that reaches a store holding `category`,
/// one backward search per store.
fn reaching(m: &Model, kind: NodeKind, category: &str) -> BTreeSet<(String, String)> {
    let graph = AttackGraph::build(m);
    let holdings = Holdings::compute(m);
    let mut into: Vec<Vec<u32>> = vec![Vec::new(); m.node_count()];
    for e in graph.edges() {
        into[e.to as usize].push(e.from);
    }
    let mut out = BTreeSet::new();
    for s in m.nodes_of(NodeKind::Store) {
        let holds = holdings.by_store[s as usize]
            .iter()
            .any(|h| category_matches(&m.record_sets[h.set as usize].category, category));
        if !holds {
            continue;
        }
        let mut seen = vec![false; m.node_count()];
        seen[s as usize] = true;
        let mut queue = VecDeque::from([s]);
        while let Some(n) = queue.pop_front() {
            if m.kind(n) == kind {
                out.insert((m.id(n).to_string(), m.id(s).to_string()));
            }
            for &f in &into[n as usize] {
                if !seen[f as usize] {
                    seen[f as usize] = true;
                    queue.push_back(f);
                }
            }
        }
    }
    out
}

fn plain(old: &Model, new: &Model, kind: NodeKind, category: &str) -> Vec<(String, String)> {
    let before = reaching(old, kind, category);
    reaching(new, kind, category)
        .difference(&before)
        .cloned()
        .collect()
}

const CATEGORIES: [&str; 5] = [
    "user",
    "user.health",
    "user.location",
    "user.behavior",
    "user.contact",
];
const KINDS: [NodeKind; 3] = [NodeKind::Account, NodeKind::Person, NodeKind::System];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn new_reach_equals_one_backward_search_per_store(
        people in 20usize..120,
        seed in 0u64..1_000,
        n in 1usize..12,
        other in 0usize..4,
        c in 0usize..5,
        k in 0usize..3,
    ) {
        let old = generate(people, seed);
        // A quarter of the cases compare with another organisation: ids added and removed.
        let new = if other == 0 {
            generate(people + 7, seed + 1)
        } else {
            changed(&old, n, seed.wrapping_mul(17) + n as u64)
        };
        let (kind, category) = (KINDS[k], CATEGORIES[c]);
        let expected = plain(&old, &new, kind, category);
        prop_assert_eq!(&new_reach(&old, &new, kind, category), &expected);
        // Stores cut into blocks of a few, each its own pass.
        for block in [1, 3, 64] {
            prop_assert_eq!(
                &new_reach_in_blocks(&old, &new, kind, category, Some(block)),
                &expected
            );
        }
        prop_assert_eq!(
            new_reach(&new, &old, kind, category),
            plain(&new, &old, kind, category)
        );
        // A version against itself reaches nothing new.
        prop_assert!(new_reach(&new, &new, kind, category).is_empty());
    }
}

#[test]
fn the_plain_computation_finds_pairs_on_these_models() {
    // Guards the property above against comparing empty answers only.
    let old = generate(60, 3);
    let new = generate(67, 4);
    let found = plain(&old, &new, NodeKind::Account, "user");
    assert!(found.len() > 20, "{}", found.len());
    assert_eq!(new_reach(&old, &new, NodeKind::Account, "user"), found);
}
