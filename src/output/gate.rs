//! The words of `diff --fail-if`'s reasons, one line each for standard error: the figures the
//! engine checked ([`Reason`]) with thousands separators and a real minus sign, the first few
//! sources and stores by name.

use super::figures::{figure, signed_percent};
use crate::engine::gate::{Reason, Threshold};
use crate::model::NodeKind;

/// Sources named in a reason before "and N more".
const NAMED: usize = 5;

/// One reason as a sentence, e.g. "exposure_increase > 1%: the worst-case exposure summed over
/// every account went from 8,898,760,220 to 9,017,724,820 (+1.3%)".
pub fn reason_text(r: &Reason) -> String {
    match r {
        Reason::Total {
            threshold,
            or_equal,
            kind,
            old,
            new,
        } => format!(
            "exposure_increase {}: the worst-case exposure summed over every {kind} went from {} to {} ({})",
            condition(*threshold, *or_equal),
            figure_signed(*old),
            figure_signed(*new),
            percent(if *old == 0.0 { 100.0 } else { 100.0 * (new - old) / old })
        ),
        Reason::Sources {
            threshold,
            or_equal,
            kind,
            grown,
        } => {
            let named: Vec<String> = grown
                .iter()
                .take(NAMED)
                .map(|(id, old, new)| format!("{id} {} → {}", figure_signed(*old), figure_signed(*new)))
                .collect();
            format!(
                "source_increase {}: {} ({}{})",
                condition(*threshold, *or_equal),
                kind.counted(grown.len()),
                named.join(", "),
                more(grown.len())
            )
        }
        Reason::NewReach {
            category,
            kind,
            pairs,
        } => {
            let named: Vec<String> = pairs
                .iter()
                .take(NAMED)
                .map(|(s, t)| format!("{s} → {t}"))
                .collect();
            format!(
                "new_reach:{category}: {} now reach a store holding it ({}{})",
                sources(*kind, pairs),
                named.join(", "),
                more(pairs.len())
            )
        }
    }
}

/// The condition as the user wrote it, its amount with thousands separators: "> 5%",
/// ">= 118,964,600".
fn condition(t: Threshold, or_equal: bool) -> String {
    let op = if or_equal { ">=" } else { ">" };
    match t {
        Threshold::Percent(p) => format!("{op} {}%", figure_signed(p)),
        Threshold::Amount(a) => format!("{op} {}", figure_signed(a)),
    }
}

/// A figure that may be negative, with a real minus sign (`figures::figure` writes it).
fn figure_signed(x: f64) -> String {
    figure(x)
}

/// A change in percent, with a real minus sign: "+1.3%", "−4.0%" (the one rule of
/// `figures::signed_percent`).
fn percent(p: f64) -> String {
    signed_percent(p)
}

fn more(n: usize) -> String {
    match n > NAMED {
        true => format!(", and {} more", n - NAMED),
        false => String::new(),
    }
}

/// "2 accounts": the distinct sources among the pairs.
fn sources(kind: NodeKind, pairs: &[(String, String)]) -> String {
    let mut ids: Vec<&str> = pairs.iter().map(|(s, _)| s.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    kind.counted(ids.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_have_separators_and_a_real_minus() {
        let r = Reason::Total {
            threshold: Threshold::Amount(-1000.0),
            or_equal: true,
            kind: NodeKind::Account,
            old: 2_000_000.0,
            new: 1_900_000.0,
        };
        assert_eq!(
            reason_text(&r),
            "exposure_increase >= −1,000: the worst-case exposure summed over every account \
             went from 2,000,000 to 1,900,000 (−5.0%)"
        );
        let grown: Vec<(String, f64, f64)> =
            (0..7).map(|i| (format!("a{i}"), 1000.0, 2500.5)).collect();
        let r = Reason::Sources {
            threshold: Threshold::Percent(20.0),
            or_equal: false,
            kind: NodeKind::Account,
            grown,
        };
        let text = reason_text(&r);
        assert!(text.starts_with("source_increase > 20%: 7 accounts (a0 1,000 → 2,500.5, "));
        assert!(text.ends_with("a4 1,000 → 2,500.5, and 2 more)"), "{text}");
    }
}
