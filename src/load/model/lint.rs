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
/// run in parallel; their warnings are added in a fixed order.
pub(super) fn lint(model: &Model, src: &mut Source) {
    let checks: [fn(&Model, &mut Problems); 5] = [
        lint_unused_groups,
        lint_unusable_grants,
        lint_group_cycles,
        lint_retention_and_weights,
        lint_windows_past_age,
    ];
    let found: Vec<Problems> = checks
        .par_iter()
        .map(|check| {
            let mut problems = Problems::default();
            check(model, &mut problems);
            problems
        })
        .collect();
    for problems in found {
        problems.add_to(src);
    }
}

/// Groups nobody is a member of.
fn lint_unused_groups(model: &Model, problems: &mut Problems) {
    let n = model.node_count();
    let mut has_members = vec![false; n];
    for l in &model.links {
        if model.kind(l.to) == NodeKind::Group {
            has_members[l.to as usize] = true;
        }
    }
    for g in model.nodes_of(NodeKind::Group) {
        if !has_members[g as usize] {
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
fn lint_unusable_grants(model: &Model, problems: &mut Problems) {
    let n = model.node_count();
    let is_group = |x: NodeId| model.kind(x) == NodeKind::Group;
    // Groups some account, person or system can end up in. Every node but a group is such a
    // start, so a group is one when a start steps into it or a group that is one does: the
    // walk needs only the steps into groups, and follows only those between groups.
    let mut usable = vec![false; n];
    let mut stack: Vec<NodeId> = Vec::new();
    let mut between_groups: Vec<(NodeId, NodeId)> = Vec::new();
    for l in model.links.iter().filter(|l| l.kind.is_traversable()) {
        if !is_group(l.to) {
            continue;
        }
        if is_group(l.from) {
            between_groups.push((l.from, l.to));
        } else if !usable[l.to as usize] {
            usable[l.to as usize] = true;
            stack.push(l.to);
        }
    }
    let out = Adjacency::new(between_groups);
    while let Some(x) = stack.pop() {
        for y in out.of(x) {
            if !usable[y as usize] {
                usable[y as usize] = true;
                stack.push(y);
            }
        }
    }
    for l in &model.links {
        if let LinkKind::Grant(a) = l.kind {
            if is_group(l.from) && !usable[l.from as usize] {
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
fn lint_group_cycles(model: &Model, problems: &mut Problems) {
    let n = model.node_count();
    // Groups that are members of each other: every member of one gains all their privileges.
    let parents = Adjacency::new(
        model
            .links
            .iter()
            .filter(|l| l.kind == LinkKind::Member && model.kind(l.from) == NodeKind::Group)
            .map(|l| (l.from, l.to))
            .collect(),
    );
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
