//! `diff`'s effect of each change alone, which counts only the sources a change can affect and
//! walks OLD's graph with the change's steps patched in, against the slow design: the whole
//! model with that change alone, every account walked one breadth-first search at a time
//! (`sweep_by_traversal`), before and after. On random generated organisations with random sets
//! of changes of every kind that moves exposure.

use std::collections::BTreeMap;

use blastradius::engine::diff::diff;
use blastradius::engine::sweep::sweep_by_traversal;
use blastradius::generate::generate;
use blastradius::model::diff::apply_one;
use blastradius::model::{Access, Amount, Link, LinkKind, Mfa, Model, NodeId, NodeKind};
use blastradius::Analysis;
use proptest::prelude::*;

/// Exposure of every account, one traversal per source.
fn exposures(model: Model) -> BTreeMap<String, f64> {
    let a = Analysis::new(model);
    let sources: Vec<_> = a.model.nodes_of(NodeKind::Account).collect();
    sweep_by_traversal(&a.model, &a.graph, a.index(), &sources)
        .iter()
        .map(|r| (a.model.id(r.node).to_string(), r.exposure))
        .collect()
}

/// A small splitmix generator for the changes (the test's own, not the library's).
struct Pick(u64);

impl Pick {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) % n.max(1) as u64) as usize
    }
}

/// NEW: OLD with `n` random changes of the kinds `diff` attributes.
pub(crate) fn changed(old: &Model, n: usize, seed: u64) -> Model {
    let mut m = old.clone();
    let mut r = Pick(seed);
    let of = |m: &Model, k| m.nodes_of(k).collect::<Vec<NodeId>>();
    let (accounts, stores, groups) = (
        of(&m, NodeKind::Account),
        of(&m, NodeKind::Store),
        of(&m, NodeKind::Group),
    );
    for _ in 0..n {
        match r.below(10) {
            0 | 1 if !m.links.is_empty() => {
                let i = r.below(m.links.len());
                m.links.remove(i);
            }
            2 => {
                let (a, s) = (
                    accounts[r.below(accounts.len())],
                    stores[r.below(stores.len())],
                );
                m.links.push(Link::new(a, s, LinkKind::Grant(Access::Read)));
            }
            3 if !groups.is_empty() => {
                let (a, g) = (
                    accounts[r.below(accounts.len())],
                    groups[r.below(groups.len())],
                );
                m.links.push(Link::new(a, g, LinkKind::Member));
            }
            4 if !m.links.is_empty() => {
                let i = r.below(m.links.len());
                let l = m.links[i];
                m.links[i] = l.with_p(Some(if l.p() == Some(0.0) { 0.7 } else { 0.0 }));
            }
            5 => {
                let a = accounts[r.below(accounts.len())] as usize;
                m.mfa[a] = match m.mfa[a] {
                    Mfa::None => Mfa::PhishingResistant,
                    _ => Mfa::None,
                };
            }
            6 => {
                let s = stores[r.below(stores.len())] as usize;
                let d = m.store_policy[s].retention_days.unwrap_or(30);
                m.store_policy[s].retention_days = Some(d * 2 + 1);
            }
            7 if !m.record_sets.is_empty() => {
                let i = r.below(m.record_sets.len());
                if r.below(2) == 0 {
                    m.record_sets.remove(i);
                } else {
                    m.record_sets[i].amount = Amount::Count(1234);
                }
            }
            8 if !m.flows.is_empty() => {
                let i = r.below(m.flows.len());
                m.flows.remove(i);
            }
            _ => {
                // Credentials without MFA stop being a step at all.
                m.probabilities.credential_none = 0.0;
            }
        }
    }
    m
}

fn close(x: f64, y: f64) -> bool {
    (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Every change's effect alone equals the slow design's: Σ over accounts of (exposure with
    /// the change alone − exposure of OLD) and the number of accounts whose exposure moves.
    #[test]
    fn each_change_alone_equals_the_whole_model_walked_source_by_source(
        people in 40usize..160,
        seed in 0u64..1_000,
        n in 1usize..10,
    ) {
        let old = generate(people, seed);
        let new = changed(&old, n, seed.wrapping_mul(31) + n as u64);
        let d = diff(&old, &new, NodeKind::Account).unwrap();
        let base = exposures(old.clone());
        for (c, got) in d.changes.iter().zip(&d.effects) {
            let with = exposures(apply_one(&old, c));
            let mut exposure = 0.0;
            let mut moved = 0;
            for (id, x) in &with {
                let before = base.get(id).copied().unwrap_or(0.0);
                if *x != before {
                    exposure += x - before;
                    moved += 1;
                }
            }
            prop_assert!(
                close(got.exposure, exposure) && got.sources_changed == moved,
                "{}: {:?} vs ({}, {})", c.description, got, exposure, moved
            );
        }
    }
}
