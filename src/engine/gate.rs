//! The CI gate of `diff`: conditions such as `exposure_increase > 5%` on the total,
//! `source_increase > 1000` on any single source, and `new_reach:user.health` (a source now
//! reaches a store holding that category that it did not reach before), each checked against a
//! [`Diff`]. Pure: the reasons a condition holds are returned as figures ([`Reason`]), never
//! worded or printed (`output::gate` words them).

use super::diff::Diff;
use crate::model::{Model, NodeKind};

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

/// Every category of a model: its record sets' and its declared weights'.
pub fn categories(m: &Model) -> impl Iterator<Item = &str> {
    m.record_sets
        .iter()
        .map(|s| s.category.as_str())
        .chain(m.categories.declared().iter().map(|(c, _)| c.as_str()))
}

pub use super::diff::new_reach::new_reach;

/// Why a condition holds: the figures it was checked on, for `output::gate` to word.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// The total over every source of `kind` went from `old` to `new`.
    Total {
        threshold: Threshold,
        or_equal: bool,
        kind: NodeKind,
        old: f64,
        new: f64,
    },
    /// These sources (id, old, new exposure; in id order) grew past the threshold.
    Sources {
        threshold: Threshold,
        or_equal: bool,
        kind: NodeKind,
        grown: Vec<(String, f64, f64)>,
    },
    /// These sources of `kind` newly reach these stores holding `category` (source id, store
    /// id; sorted).
    NewReach {
        category: String,
        kind: NodeKind,
        pairs: Vec<(String, String)>,
    },
}

/// Why `condition` holds on the diff, or `None` when it does not. `reach` is [`new_reach`]'s
/// answer for a `NewReach` condition.
pub fn reason(d: &Diff, condition: &Condition, reach: &[(String, String)]) -> Option<Reason> {
    let kind = d.kind;
    match condition {
        Condition::Total {
            threshold,
            or_equal,
        } => {
            let (old, new) = (super::diff::total(&d.old), super::diff::total(&d.new));
            exceeds(old, new, *threshold, *or_equal).then_some(Reason::Total {
                threshold: *threshold,
                or_equal: *or_equal,
                kind,
                old,
                new,
            })
        }
        Condition::Source {
            threshold,
            or_equal,
        } => {
            let grown: Vec<(String, f64, f64)> = d
                .new
                .iter()
                .filter_map(|(id, n)| {
                    let old = d.old.get(id).map_or(0.0, |o| o.exposure);
                    exceeds(old, n.exposure, *threshold, *or_equal)
                        .then(|| (id.clone(), old, n.exposure))
                })
                .collect();
            (!grown.is_empty()).then_some(Reason::Sources {
                threshold: *threshold,
                or_equal: *or_equal,
                kind,
                grown,
            })
        }
        Condition::NewReach(category) => (!reach.is_empty()).then(|| Reason::NewReach {
            category: category.clone(),
            kind,
            pairs: reach.to_vec(),
        }),
    }
}
