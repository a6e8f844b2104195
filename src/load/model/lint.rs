//! Warnings about a valid model: things that are allowed but probably not meant (links listed
//! twice, unused groups, grants nobody can use, groups that are members of each other, stores
//! without retention, categories without a weight, retention windows longer than the programme
//! has run).

use std::collections::BTreeSet;

use rayon::prelude::*;

use crate::load::source::{Problems, Report, Source};
use crate::model::records::Holdings;
use crate::model::{Amount, LinkKind, Model, NodeId, NodeKind};

/// Steps between a few nodes (groups), by source: the pairs in one list ordered by source,
/// each source's targets in the order given. A list per node of the model (two arrays of 2.5
/// million entries at a million people) cost more than the walk over the few thousand steps.
struct Adjacency {
    pairs: Vec<(NodeId, NodeId)>,
}

impl Adjacency {
    fn new(mut pairs: Vec<(NodeId, NodeId)>) -> Adjacency {
        pairs.sort_by_key(|&(from, _)| from);
        Adjacency { pairs }
    }

    fn of(&self, x: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        let start = self.pairs.partition_point(|&(from, _)| from < x);
        self.pairs[start..]
            .iter()
            .take_while(move |&&(from, _)| from == x)
            .map(|&(_, to)| to)
    }
}

/// Warns of links listed more than once. In a canonical model equal links are next to each
/// other, so this needs no set of every link.
pub(super) fn lint_duplicates(model: &Model, src: &mut Source) {
    let links = &model.links;
    let again: Vec<usize> = (1..links.len())
        .into_par_iter()
        .filter(|&i| {
            let (a, l) = (&links[i - 1], &links[i]);
            a.from == l.from && a.to == l.to && a.kind == l.kind
        })
        .collect();
    for i in again {
        let l = &links[i];
        src.warning(
            None,
            format!(
                "`{}` → `{}` ({}) is listed more than once; it counts as one step with the largest p",
                model.id(l.from),
                model.id(l.to),
                l.kind.label()
            ),
        );
    }
}

/// Warnings about a valid model: things that are allowed but probably not meant. The checks
/// run in parallel, the three about groups from one parallel pass over the links; their
/// warnings are added in a fixed order.
pub(super) fn lint(model: &Model, src: &mut Source) {
    let group_checks = |problems: &mut Problems| {
        let seen = GroupLinks::of(model);
        lint_unused_groups(model, &seen, problems);
        lint_unusable_grants(model, &seen, problems);
        lint_group_cycles(model, &seen, problems);
    };
    let checks: [&(dyn Fn(&mut Problems) + Sync); 3] = [
        &group_checks,
        &|problems| lint_retention_and_weights(model, problems),
        &|problems| lint_windows_past_age(model, problems),
    ];
    let found: Vec<Problems> = checks
        .par_iter()
        .map(|check| {
            let mut problems = Problems::default();
            check(&mut problems);
            problems
        })
        .collect();
    for problems in found {
        problems.add_to(src);
    }
}

/// What the checks about groups read of the links, gathered in one pass over them on all
/// threads (a large model has millions of links, nearly all of them not between groups).
struct GroupLinks {
    /// Bit per node: a group something is a member of (any link into it).
    has_members: Vec<u64>,
    /// Bit per node: a group that something other than a group steps into.
    entered: Vec<u64>,
    /// Steps between groups, in link order.
    between_groups: Vec<(NodeId, NodeId)>,
    /// Memberships of groups in groups, in link order.
    group_in_group: Vec<(NodeId, NodeId)>,
    /// Grants held by groups, as links, in link order.
    group_grants: Vec<usize>,
}

/// Links per task of the pass over the links.
const LINT_BLOCK: usize = 1 << 18;

impl GroupLinks {
    fn of(model: &Model) -> GroupLinks {
        GroupLinks::in_blocks(model, LINT_BLOCK)
    }

    /// Nothing seen, in bitsets of `words` words.
    fn none(words: usize) -> GroupLinks {
        GroupLinks {
            has_members: vec![0; words],
            entered: vec![0; words],
            between_groups: Vec::new(),
            group_in_group: Vec::new(),
            group_grants: Vec::new(),
        }
    }

    /// [`GroupLinks::of`], one task per `block` links.
    fn in_blocks(model: &Model, block: usize) -> GroupLinks {
        let words = model.node_count().div_ceil(64);
        let is_group = |x: NodeId| model.kind(x) == NodeKind::Group;
        let set = |bits: &mut [u64], x: NodeId| bits[x as usize / 64] |= 1 << (x % 64);
        model
            .links
            .par_chunks(block)
            .enumerate()
            .map(|(b, links)| {
                let mut seen = GroupLinks::none(words);
                for (i, l) in links.iter().enumerate() {
                    let (from_group, to_group) = (is_group(l.from), is_group(l.to));
                    if to_group {
                        set(&mut seen.has_members, l.to);
                        if l.kind.is_traversable() {
                            if from_group {
                                seen.between_groups.push((l.from, l.to));
                            } else {
                                set(&mut seen.entered, l.to);
                            }
                        }
                    }
                    if from_group {
                        if l.kind == LinkKind::Member {
                            seen.group_in_group.push((l.from, l.to));
                        }
                        if matches!(l.kind, LinkKind::Grant(_)) {
                            seen.group_grants.push(b * block + i);
                        }
                    }
                }
                seen
            })
            .reduce_with(|mut a, b| {
                for (x, y) in a.has_members.iter_mut().zip(&b.has_members) {
                    *x |= y;
                }
                for (x, y) in a.entered.iter_mut().zip(&b.entered) {
                    *x |= y;
                }
                a.between_groups.extend(b.between_groups);
                a.group_in_group.extend(b.group_in_group);
                a.group_grants.extend(b.group_grants);
                a
            })
            .unwrap_or_else(|| GroupLinks::none(words))
    }
}

/// Bit `x` of a bitset by node.
fn bit(bits: &[u64], x: NodeId) -> bool {
    bits[x as usize / 64] >> (x % 64) & 1 == 1
}

/// Groups nobody is a member of.
fn lint_unused_groups(model: &Model, seen: &GroupLinks, problems: &mut Problems) {
    for g in model.nodes_of(NodeKind::Group) {
        if !bit(&seen.has_members, g) {
            problems.warning(
                None,
                format!(
                    "unused group `{}`: no account or group is a member of it",
                    model.id(g)
                ),
            );
        }
    }
}

/// Grants to groups no account can end up in.
fn lint_unusable_grants(model: &Model, seen: &GroupLinks, problems: &mut Problems) {
    // Groups some account, person or system can end up in. Every node but a group is such a
    // start, so a group is one when a start steps into it or a group that is one does: the
    // walk needs only the steps into groups, and follows only those between groups.
    let mut usable = seen.entered.clone();
    let mut stack: Vec<NodeId> = model
        .nodes_of(NodeKind::Group)
        .filter(|&g| bit(&usable, g))
        .collect();
    let out = Adjacency::new(seen.between_groups.clone());
    while let Some(x) = stack.pop() {
        for y in out.of(x) {
            if !bit(&usable, y) {
                usable[y as usize / 64] |= 1 << (y % 64);
                stack.push(y);
            }
        }
    }
    for &i in &seen.group_grants {
        let l = &model.links[i];
        if let LinkKind::Grant(a) = l.kind {
            if !bit(&usable, l.from) {
                problems.warning(
                    None,
                    format!(
                        "grant {} on `{}` to group `{}` that nobody can use: no account is a member of it, directly or through nested groups",
                        a.as_str(),
                        model.id(l.to),
                        model.id(l.from)
                    ),
                );
            }
        }
    }
}

/// Groups that are members of each other.
fn lint_group_cycles(model: &Model, seen: &GroupLinks, problems: &mut Problems) {
    let n = model.node_count();
    // Groups that are members of each other: every member of one gains all their privileges.
    let parents = Adjacency::new(seen.group_in_group.clone());
    let mut state = vec![0u8; n]; // 0 new, 1 on the current walk, 2 done
    for g in model.nodes_of(NodeKind::Group) {
        if state[g as usize] != 0 {
            continue;
        }
        // Iterative depth-first walk; a back edge to a node on the walk closes a cycle.
        let mut stack: Vec<(NodeId, usize)> = vec![(g, 0)];
        state[g as usize] = 1;
        while let Some(&mut (x, ref mut i)) = stack.last_mut() {
            if let Some(p) = parents.of(x).nth(*i) {
                *i += 1;
                match state[p as usize] {
                    0 => {
                        state[p as usize] = 1;
                        stack.push((p, 0));
                    }
                    1 => {
                        let at = stack.iter().position(|(y, _)| *y == p).unwrap_or(0);
                        let mut names: Vec<&str> =
                            stack[at..].iter().map(|(y, _)| model.id(*y)).collect();
                        names.push(model.id(p));
                        problems.warning(
                            None,
                            format!(
                                "groups are members of each other: {}; every member of one gains the privileges of all",
                                names.join(" → ")
                            ),
                        );
                    }
                    _ => {}
                }
            } else {
                state[x as usize] = 2;
                stack.pop();
            }
        }
    }
}

/// Stores that keep records without a retention window, and categories without a weight.
fn lint_retention_and_weights(model: &Model, problems: &mut Problems) {
    let n = model.node_count();
    let mut receives = vec![false; n];
    for f in &model.flows {
        receives[f.to as usize] = true;
    }
    let mut has_rate = vec![false; n];
    for s in &model.record_sets {
        if matches!(s.amount, Amount::PerDay(_)) && s.retention_days.is_none() {
            has_rate[s.store as usize] = true;
        }
    }
    for s in model.nodes_of(NodeKind::Store) {
        if model.store_policy[s as usize].retention_days.is_none()
            && (has_rate[s as usize] || receives[s as usize])
        {
            let age = model.program_age_days.map_or(String::new(), |a| {
                format!(" (everything since the programme began, {a} days, is kept)")
            });
            problems.warning(
                None,
                format!("store `{}` has no retention_days{age}", model.id(s)),
            );
        }
    }

    let mut unweighted = BTreeSet::new();
    for s in &model.record_sets {
        if model.categories.declared_weight(&s.category).is_none() {
            unweighted.insert(s.category.as_str());
        }
    }
    for c in unweighted {
        problems.warning(
            None,
            format!(
                "category `{c}` has no weight in [categories] (nor any prefix of it); it weighs 1"
            ),
        );
    }
}

/// Stores holding a rate-based set (own or a flowed copy) over a window longer than the
/// programme has run: the records held are capped at the programme's age until it matures,
/// which `--horizon-days` evaluates. One warning per store, naming its long windows.
fn lint_windows_past_age(model: &Model, problems: &mut Problems) {
    let Some(age) = model.program_age_days else {
        return;
    };
    let uncapped = Holdings::sparse_at(model, None);
    for (&store, held) in &uncapped {
        let mut long: BTreeSet<(u32, &str)> = BTreeSet::new();
        for h in held.iter().filter(|h| h.window > age) {
            long.insert((h.window, &model.record_sets[h.set as usize].category));
        }
        if long.is_empty() {
            continue;
        }
        let windows: Vec<String> = long
            .iter()
            .rev()
            .map(|(days, category)| format!("{category} {days} days"))
            .collect();
        let longest = long.iter().next_back().map_or(age, |w| w.0);
        problems.warning(
            None,
            format!(
                "store `{}` keeps records longer than the programme has run ({age} days): {}; it holds {age} days of them until the programme is older (`--horizon-days {longest}` shows what it will hold)",
                model.id(store),
                windows.join(", ")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::model::parse_model;

    /// Groups in a cycle, a nested group reached only through it, a grant to a group nobody
    /// is in, a grant to a nested group, and a group nothing is a member of.
    const MODEL: &str = r#"
[[account]]
id = "alice"
groups = ["ring-a"]

[[account]]
id = "bob"
groups = ["solo"]

[[group]]
id = "solo"

[[group]]
id = "ring-a"
groups = ["ring-b"]

[[group]]
id = "ring-b"
groups = ["ring-a", "nested"]

[[group]]
id = "nested"

[[group]]
id = "empty"

[[group]]
id = "orphan"
groups = ["nested"]

[[store]]
id = "db"
retention_days = 30

[[grant]]
principal = "nested"
target = "db"
access = "read"

[[grant]]
principal = "solo"
target = "db"
access = "read"

[[grant]]
principal = "empty"
target = "db"
access = "write"

[[grant]]
principal = "orphan"
target = "db"
access = "admin"
"#;

    fn warnings(model: &Model, seen: &GroupLinks) -> Vec<String> {
        let mut problems = Problems::default();
        lint_unused_groups(model, seen, &mut problems);
        lint_unusable_grants(model, seen, &mut problems);
        lint_group_cycles(model, seen, &mut problems);
        problems.messages().map(String::from).collect()
    }

    #[test]
    fn group_checks_read_the_links_the_same_in_blocks_of_any_size() {
        let model = parse_model(MODEL, "m.toml").expect("a valid model").model;
        let whole = GroupLinks::of(&model);
        let expected = warnings(&model, &whole);
        let said = |what: &str| expected.iter().filter(|w| w.contains(what)).count();
        // `empty` and `orphan` have no members; the grants of both are unusable, that of
        // `nested` (reached from alice through the ring) is not; the ring is one cycle.
        assert_eq!(said("unused group `empty`"), 1, "{expected:?}");
        assert_eq!(said("unused group `orphan`"), 1, "{expected:?}");
        assert_eq!(said("unused group"), 2, "{expected:?}");
        assert_eq!(said("nobody can use"), 2, "{expected:?}");
        assert_eq!(said("to group `nested`"), 0, "{expected:?}");
        assert_eq!(said("to group `solo`"), 0, "{expected:?}");
        assert_eq!(said("members of each other: ring-a → ring-b → ring-a"), 1);
        for block in [1, 2, 3, 5, model.links.len(), model.links.len() + 1] {
            let seen = GroupLinks::in_blocks(&model, block);
            assert_eq!(seen.has_members, whole.has_members, "block {block}");
            assert_eq!(seen.entered, whole.entered, "block {block}");
            assert_eq!(seen.between_groups, whole.between_groups, "block {block}");
            assert_eq!(seen.group_in_group, whole.group_in_group, "block {block}");
            assert_eq!(seen.group_grants, whole.group_grants, "block {block}");
            assert_eq!(warnings(&model, &seen), expected, "block {block}");
        }
    }
}
