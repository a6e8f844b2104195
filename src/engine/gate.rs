//! The CI gate of `diff`: conditions such as `exposure_increase > 5%` on the total,
//! `source_increase > 1000` on any single source, and `new_reach:user.health` (a source now
//! reaches a store holding that category that it did not reach before), each checked against a
//! [`Diff`]. Pure: the reasons a condition holds are returned, never printed.

use std::collections::BTreeSet;

use super::diff::Diff;
use crate::model::{category_matches, Model, NodeKind};
use crate::Analysis;

/// How big a change must be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    /// Percent of the old figure.
    Percent(f64),
    /// In exposure units.
    Amount(f64),
}

/// One `--fail-if` condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// The total worst-case exposure over every source grew by more than (or at least) this.
    Total {
        threshold: Threshold,
        or_equal: bool,
    },
    /// Some single source's worst-case exposure grew by more than (or at least) this.
    Source {
        threshold: Threshold,
        or_equal: bool,
    },
    /// Some source reaches a store holding this category (or one below it) that it did not.
    NewReach(String),
}

const EXPECTED: &str = "expected `exposure_increase > 5%`, `exposure_increase > 1000` (the \
    total over every source), `source_increase > 5%` (any single source; `>=` also works) or \
    `new_reach:CATEGORY` (e.g. `new_reach:user.health`)";

impl Condition {
    /// Parses a condition as `--fail-if` takes it; the error says what was expected.
    pub fn parse(text: &str) -> Result<Condition, String> {
        let t = text.trim();
        let bad = || format!("--fail-if `{text}`: {EXPECTED}");
        if let Some(c) = t.strip_prefix("new_reach:") {
            let c = c.trim();
            if c.is_empty() || c.contains(char::is_whitespace) {
                return Err(bad());
            }
            return Ok(Condition::NewReach(c.to_string()));
        }
        let (name, _) = t
            .split_once(|c: char| c == '>' || c.is_whitespace())
            .ok_or_else(bad)?;
        let rest = t[name.len()..].trim_start();
        let (or_equal, value) = match rest.strip_prefix(">=") {
            Some(v) => (true, v),
            None => (false, rest.strip_prefix('>').ok_or_else(bad)?),
        };
        let value = value.trim();
        let threshold = match value.strip_suffix('%') {
            Some(p) => Threshold::Percent(p.trim().parse().map_err(|_| bad())?),
            None => Threshold::Amount(value.replace(',', "").parse().map_err(|_| bad())?),
        };
        let finite = match threshold {
            Threshold::Percent(x) | Threshold::Amount(x) => x.is_finite(),
        };
        if !finite {
            return Err(bad());
        }
        match name.trim() {
            "exposure_increase" => Ok(Condition::Total {
                threshold,
                or_equal,
            }),
            "source_increase" => Ok(Condition::Source {
                threshold,
                or_equal,
            }),
            _ => Err(bad()),
        }
    }
}

/// Whether a change from `old` to `new` passes the threshold.
fn exceeds(old: f64, new: f64, threshold: Threshold, or_equal: bool) -> bool {
    let delta = new - old;
    let (x, limit) = match threshold {
        Threshold::Amount(a) => (delta, a),
        Threshold::Percent(_) if old == 0.0 => {
            return delta > 0.0;
        }
        Threshold::Percent(p) => (100.0 * delta / old, p),
    };
    if or_equal {
        x >= limit
    } else {
        x > limit
    }
}

fn shown(t: Threshold, or_equal: bool) -> String {
    let op = if or_equal { ">=" } else { ">" };
    match t {
        Threshold::Percent(p) => format!("{op} {p}%"),
        Threshold::Amount(a) => format!("{op} {a}"),
    }
}

/// Every category of a model: its record sets' and its declared weights'.
pub fn categories(m: &Model) -> impl Iterator<Item = &str> {
    m.record_sets
        .iter()
        .map(|s| s.category.as_str())
        .chain(m.categories.declared().iter().map(|(c, _)| c.as_str()))
}

/// (source id, store id) for every source of `kind` that reaches in `new` a store holding
/// `category` (or a category below it) which it does not reach in `old`.
pub fn new_reach(
    old: &Model,
    new: &Model,
    kind: NodeKind,
    category: &str,
) -> Vec<(String, String)> {
    let reaching = |m: &Model| -> BTreeSet<(String, String)> {
        let a = Analysis::new(m.clone());
        let mut out = BTreeSet::new();
        for s in a.model.nodes_of(NodeKind::Store) {
            let holds = a.holdings.by_store[s as usize]
                .iter()
                .any(|h| category_matches(&a.model.record_sets[h.set as usize].category, category));
            if !holds {
                continue;
            }
            let r = super::reach::backward(&a.graph, &[s]);
            for &n in &r.order {
                if a.model.kind(n) == kind {
                    out.insert((a.model.id(n).to_string(), a.model.id(s).to_string()));
                }
            }
        }
        out
    };
    let (before, after) = rayon::join(|| reaching(old), || reaching(new));
    after.difference(&before).cloned().collect()
}

/// Sources named in a reason before "and N more".
const NAMED: usize = 5;

/// Why `condition` holds on the diff (empty when it does not). `reach` is [`new_reach`]'s
/// answer for a `NewReach` condition.
pub fn reasons(d: &Diff, condition: &Condition, reach: &[(String, String)]) -> Vec<String> {
    let kind = d.kind;
    match condition {
        Condition::Total {
            threshold,
            or_equal,
        } => {
            let (old, new) = (super::diff::total(&d.old), super::diff::total(&d.new));
            match exceeds(old, new, *threshold, *or_equal) {
                true => vec![format!(
                    "exposure_increase {}: the worst-case exposure summed over every {kind} went from {old} to {new} ({:+.1}%)",
                    shown(*threshold, *or_equal),
                    if old == 0.0 { 100.0 } else { 100.0 * (new - old) / old }
                )],
                false => vec![],
            }
        }
        Condition::Source {
            threshold,
            or_equal,
        } => {
            let grown: Vec<String> = d
                .new
                .iter()
                .filter_map(|(id, n)| {
                    let old = d.old.get(id).map_or(0.0, |o| o.exposure);
                    exceeds(old, n.exposure, *threshold, *or_equal)
                        .then(|| format!("{id} {old} → {}", n.exposure))
                })
                .collect();
            match grown.is_empty() {
                true => vec![],
                false => vec![format!(
                    "source_increase {}: {} ({}{})",
                    shown(*threshold, *or_equal),
                    kind.counted(grown.len()),
                    grown[..grown.len().min(NAMED)].join(", "),
                    more(grown.len())
                )],
            }
        }
        Condition::NewReach(category) => match reach.is_empty() {
            true => vec![],
            false => {
                let named: Vec<String> = reach
                    .iter()
                    .take(NAMED)
                    .map(|(s, t)| format!("{s} → {t}"))
                    .collect();
                vec![format!(
                    "new_reach:{category}: {} now reach a store holding it ({}{})",
                    counted_pairs(kind, reach),
                    named.join(", "),
                    more(reach.len())
                )]
            }
        },
    }
}

fn more(n: usize) -> String {
    match n > NAMED {
        true => format!(", and {} more", n - NAMED),
        false => String::new(),
    }
}

fn counted_pairs(kind: NodeKind, reach: &[(String, String)]) -> String {
    let sources: BTreeSet<&str> = reach.iter().map(|(s, _)| s.as_str()).collect();
    kind.counted(sources.len())
}
