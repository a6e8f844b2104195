//! A model's canonical form: nodes numbered in id order and every list in a fixed order, so
//! that nothing computed from a model depends on the order of entries in its files.

use rayon::prelude::*;

use super::ids::IdIndex;
use super::{Amount, Link, LinkKind, Model, Node, NodeId, NodeKind, RecordSet};

impl Model {
    /// The same model with nodes numbered in id order and every list in a canonical order, so
    /// that nothing computed from it depends on the order of entries in the input files.
    pub fn canonical(mut self) -> Model {
        // Lookups search the sorted nodes from here on.
        self.ids = IdIndex::default();
        self.few_ids = Default::default();
        let sorted = self.nodes.windows(2).all(|w| w[0].id < w[1].id);
        if !sorted {
            self.renumber_by_id();
        }
        canonical_links(&mut self.links);
        self.record_sets.sort_by(|a, b| {
            let key = |r: &RecordSet| {
                let (kind, n) = match r.amount {
                    Amount::Count(c) => (0, c),
                    Amount::PerDay(d) => (1, d),
                };
                (r.store, kind, n, r.retention_days)
            };
            key(a)
                .cmp(&key(b))
                .then_with(|| a.category.cmp(&b.category))
                .then_with(|| a.subjects.cmp(&b.subjects))
                .then(a.coverage.total_cmp(&b.coverage))
        });
        self.flows
            .sort_by(|a, b| (a.from, a.to, &a.categories).cmp(&(b.from, b.to, &b.categories)));
        self.sorted = true;
        self
    }

    /// Numbers the nodes in id order, and every node id held anywhere with them.
    fn renumber_by_id(&mut self) {
        let n = self.nodes.len();
        // Sort (id, node) pairs: comparisons read the ids without going through the nodes.
        let mut by_id: Vec<(&str, NodeId)> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, node)| (node.id.as_str(), i as NodeId))
            .collect();
        by_id.par_sort_unstable();
        let order: Vec<NodeId> = by_id.into_iter().map(|(_, i)| i).collect();
        let mut remap = vec![0 as NodeId; n];
        for (new, &old) in order.iter().enumerate() {
            remap[old as usize] = new as NodeId;
        }
        let mut old_nodes: Vec<Node> = std::mem::take(&mut self.nodes);
        self.nodes = order
            .iter()
            .map(|&o| {
                std::mem::replace(
                    &mut old_nodes[o as usize],
                    Node {
                        id: Default::default(),
                        kind: NodeKind::Person,
                    },
                )
            })
            .collect();
        self.kinds = order.iter().map(|&o| self.kinds[o as usize]).collect();
        self.mfa = order.iter().map(|&o| self.mfa[o as usize]).collect();
        self.account_kind = order
            .iter()
            .map(|&o| self.account_kind[o as usize])
            .collect();
        self.store_policy.reorder(&order);
        for l in &mut self.links {
            l.from = remap[l.from as usize];
            l.to = remap[l.to as usize];
        }
        for r in &mut self.record_sets {
            r.store = remap[r.store as usize];
        }
        for f in &mut self.flows {
            f.from = remap[f.from as usize];
            f.to = remap[f.to as usize];
        }
        self.names = std::mem::take(&mut self.names)
            .into_iter()
            .map(|(n, name)| (remap[n as usize], name))
            .collect();
    }
}

/// Puts the links in order by (from, to, kind), then by every other field, so that equal links
/// are identical and the order is canonical (links equal in that order are equal in every
/// field, so no stability is needed).
///
/// Links come in runs already in order: a side file's rows in id order add their links in
/// order, and since nodes are numbered in id order the node files' runs follow one another (a
/// million people: one run of 5.2M links, then three of 1.1M together). So the links before
/// the first descent are left in place, the rest is sorted on its own, and the two are merged
/// from the back in blocks (68k of them at a million people), the rest held in a buffer of its
/// size: 42 MB there, where the standard library's merge sort of the whole took a buffer of
/// half the links (125 MB) and about 20% longer. When the rest is the larger part, that merge
/// sort does the whole: it finds the runs itself.
fn canonical_links(links: &mut [Link]) {
    let first_descent = (1..links.len())
        .into_par_iter()
        .with_min_len(1 << 16)
        .find_first(|&i| link_order(&links[i], &links[i - 1]).is_lt());
    let Some(mid) = first_descent else {
        return;
    };
    if links.len() - mid > mid {
        links.sort_by(link_order);
        return;
    }
    links[mid..].sort_by(link_order);
    merge_sorted_rest(links, mid);
}

/// The canonical order of links (see [`canonical_links`]).
fn link_order(a: &Link, b: &Link) -> std::cmp::Ordering {
    let opt = |x: Option<f64>| x.map_or(f64::NEG_INFINITY, |v| v);
    // Both ends in one integer: most comparisons end there.
    let ends = |l: &Link| (u64::from(l.from) << 32) | u64::from(l.to);
    (ends(a), rank(&a.kind))
        .cmp(&(ends(b), rank(&b.kind)))
        .then_with(|| kind_rank(&a.kind).cmp(&kind_rank(&b.kind)))
        .then(opt(a.p()).total_cmp(&opt(b.p())))
        .then(opt(a.time()).total_cmp(&opt(b.time())))
        .then(a.last_used_days().cmp(&b.last_used_days()))
}

/// Merges `links[..mid]` and `links[mid..]`, each in canonical order, into one, from the back:
/// the second part is copied out, then at each step the block of the first part's links that
/// go after the next buffered link is moved into place at once (found by searching backwards
/// in growing steps), then the block of buffered links that go after the first part's
/// greatest left.
fn merge_sorted_rest(links: &mut [Link], mid: usize) {
    let rest: Vec<Link> = links[mid..].to_vec();
    let (mut i, mut j, mut out) = (mid, rest.len(), links.len());
    while i > 0 && j > 0 {
        // The first part's links after rest[j - 1]: links[p..i].
        let p = gallop_back(&links[..i], |l| link_order(l, &rest[j - 1]).is_gt());
        let moved = i - p;
        links.copy_within(p..i, out - moved);
        (i, out) = (p, out - moved);
        if i == 0 {
            break;
        }
        // The buffered links not before links[i - 1]: rest[q..j].
        let q = gallop_back(&rest[..j], |l| link_order(l, &links[i - 1]).is_ge());
        links[out - (j - q)..out].copy_from_slice(&rest[q..j]);
        (j, out) = (q, out - (j - q));
    }
    links[..j].copy_from_slice(&rest[..j]);
}

/// In `v`, where `after` is false for a prefix and true for the rest, where the rest starts:
/// searched from the back in steps of 1, 2, 4, ... and then by halves, so a short rest costs
/// few comparisons.
fn gallop_back(v: &[Link], after: impl Fn(&Link) -> bool) -> usize {
    let mut step = 1;
    let mut hi = v.len(); // v[hi..] is after
    while step <= hi && after(&v[hi - step]) {
        hi -= step;
        step *= 2;
    }
    let lo = hi.saturating_sub(step); // v[lo] is not after, or lo is 0
    lo + v[lo..hi].partition_point(|l| !after(l))
}

/// The order of link kinds, access levels apart, custom labels together.
fn rank(k: &LinkKind) -> u8 {
    match k {
        LinkKind::Owns => 0,
        LinkKind::Member => 1,
        LinkKind::Grant(a) => 2 + *a as u8,
        LinkKind::Credential => 5,
        LinkKind::Access(a) => 6 + *a as u8,
        LinkKind::Custom(_) => 9,
    }
}

/// The order of link kinds with custom labels by their text.
fn kind_rank(k: &LinkKind) -> (u8, &str) {
    match k {
        LinkKind::Owns => (0, ""),
        LinkKind::Member => (1, ""),
        LinkKind::Grant(a) => (2, a.as_str()),
        LinkKind::Credential => (3, ""),
        LinkKind::Access(a) => (4, a.as_str()),
        LinkKind::Custom(label) => (5, label),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Access, Label};

    /// Links in sorted runs and then in no order, with repeats, every kind, and figures given
    /// or not.
    fn links(n: usize) -> Vec<Link> {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |m: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % m
        };
        let labels = [Label::new("b-step"), Label::new("a-step")];
        let mut out: Vec<Link> = (0..n)
            .map(|_| {
                let kind = match next(11) {
                    0 => LinkKind::Owns,
                    1 => LinkKind::Member,
                    2 => LinkKind::Grant(Access::Read),
                    3 => LinkKind::Grant(Access::Admin),
                    4 => LinkKind::Credential,
                    5 => LinkKind::Access(Access::Write),
                    6 => LinkKind::Grant(Access::Write),
                    7 => LinkKind::Access(Access::Read),
                    k => LinkKind::Custom(labels[(k % 2) as usize]),
                };
                let figure = |x: u64| (x < 3).then(|| x as f64 / 4.0);
                Link::new(next(3000) as NodeId, next(40) as NodeId, kind)
                    .with_p(figure(next(5)))
                    .with_time(figure(next(5)))
                    .with_last_used_days((next(3) == 0).then(|| next(4) as u32))
            })
            .collect();
        // Three sorted runs, as side files give them, before the unsorted rest.
        for run in out[..3 * n / 4].chunks_mut(n / 4) {
            run.sort_by_key(|l| (l.from, l.to));
        }
        out
    }

    /// The canonical order, written out: ends, then the kind (owns, member, grants read to
    /// admin, credential, access read to admin, custom steps by label), then p, time and last
    /// use, each "not given" first.
    fn expected_order(a: &Link, b: &Link) -> std::cmp::Ordering {
        let kind = |l: &Link| match l.kind {
            LinkKind::Owns => (0, String::new()),
            LinkKind::Member => (1, String::new()),
            LinkKind::Grant(a) => (2 + a as u8, String::new()),
            LinkKind::Credential => (5, String::new()),
            LinkKind::Access(a) => (6 + a as u8, String::new()),
            LinkKind::Custom(k) => (9, k.as_str().to_string()),
        };
        let figure = |x: Option<f64>, y: Option<f64>| match (x, y) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            _ => x.is_some().cmp(&y.is_some()),
        };
        (a.from, a.to, kind(a))
            .cmp(&(b.from, b.to, kind(b)))
            .then(figure(a.p(), b.p()))
            .then(figure(a.time(), b.time()))
            .then(a.last_used_days().cmp(&b.last_used_days()))
    }

    #[test]
    fn links_are_put_in_canonical_order() {
        let n = 40_000;
        let mut sorted = links(n);
        let mut expected = sorted.clone();
        expected.sort_by(expected_order);
        canonical_links(&mut sorted);
        assert!(sorted == expected, "not the canonical order");
    }

    /// A long first run and a shorter rest, as a large model's files give them: the rest's
    /// runs fall before, inside and after the first run's links, in blocks and one by one,
    /// with links equal to the first run's; and the same with the rest the larger part, and
    /// with every link in order already.
    #[test]
    fn a_sorted_first_run_is_merged_with_the_rest() {
        let all = links(30_000);
        let from = |l: &Link, from: NodeId| {
            let mut l = *l;
            l.from = from;
            l
        };
        let mut first: Vec<Link> = all[..20_000].to_vec();
        first.sort_by(expected_order);
        // The rest: blocks of the first run's ends shifted, single links, and copies.
        let mut rest: Vec<Link> = Vec::new();
        rest.extend(all[20_000..24_000].iter().map(|l| from(l, l.from / 8)));
        rest.extend(all[24_000..26_000].iter().map(|l| from(l, 3000 + l.from)));
        rest.extend(first.iter().step_by(97).copied());
        rest.extend(all[26_000..].iter().copied());
        // A rest wholly after the first run, and one wholly before it.
        let later: Vec<Link> = first.iter().map(|l| from(l, l.from + 100_000)).collect();
        let pairs = [
            (&first, &rest),
            (&rest, &first),
            (&first, &later),
            (&later, &first),
        ];
        for (a, b) in pairs {
            let mut v: Vec<Link> = a.iter().chain(b.iter()).copied().collect();
            let mut expected = v.clone();
            expected.sort_by(expected_order);
            canonical_links(&mut v);
            assert!(v == expected, "not the canonical order");
            canonical_links(&mut v);
            assert!(v == expected, "sorted links were moved");
        }
    }
}
