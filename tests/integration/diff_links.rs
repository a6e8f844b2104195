//! `diff`'s matching of links: links are matched by (from, to, kind, occurrence) whether or not
//! the models list them in matching order. Custom labels are listed by their text but matched
//! by their number, so labels numbered against their text's order take the sorted path; a
//! node added before the others renumbers every node. The expected changes are written by hand.

use blastradius::model::diff::changes;
use blastradius::model::Label;

use crate::diff::parse;

const OLD: &str = r#"
[org]
program_age_days = 730
[[account]]
id = "a-u"
[[system]]
id = "s-b"
[[system]]
id = "s-c"
[[edge]]
from = "a-u"
to = "s-b"
kind = "diffkey_z"
p = 0.5
[[edge]]
from = "a-u"
to = "s-b"
kind = "diffkey_a"
p = 0.7
[[edge]]
from = "a-u"
to = "s-b"
kind = "diffkey_a"
p = 0.5
[[edge]]
from = "s-c"
to = "s-b"
kind = "diffkey_m"
p = 0.4
"#;

const NEW: &str = r#"
[org]
program_age_days = 730
[[account]]
id = "a-a"
[[account]]
id = "a-u"
[[system]]
id = "s-b"
[[system]]
id = "s-c"
[[edge]]
from = "a-u"
to = "s-b"
kind = "diffkey_a"
p = 0.8
[[edge]]
from = "a-u"
to = "s-b"
kind = "diffkey_z"
p = 0.9
[[edge]]
from = "a-u"
to = "s-b"
kind = "diffkey_a"
p = 0.5
[[edge]]
from = "a-a"
to = "s-b"
kind = "diffkey_m"
p = 0.4
"#;

/// (status, description) of every link change, in the diff's order.
fn link_changes(old: &str, new: &str) -> Vec<(String, String)> {
    changes(&parse(old), &parse(new))
        .unwrap()
        .iter()
        .filter(|c| c.element == "edge")
        .map(|c| (c.status.as_str().to_string(), c.description.clone()))
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(s, d)| (s.to_string(), d.to_string()))
        .collect()
}

#[test]
fn links_match_by_ends_kind_and_occurrence_whatever_their_listed_order() {
    // Numbered before the models are read, so the labels' numbers run against their text.
    let (z, m, a) = (
        Label::new("diffkey_z"),
        Label::new("diffkey_m"),
        Label::new("diffkey_a"),
    );
    assert!(z.number() < m.number() && m.number() < a.number());
    // Added and changed links by (from, to, label, occurrence), then the removed ones; the
    // second `diffkey_a` of a-u → s-b is the one whose p changed (each occurrence is counted
    // in the canonical order, by p).
    assert_eq!(
        link_changes(OLD, NEW),
        pairs(&[
            ("added", "edge diffkey_m a-a → s-b"),
            ("changed", "edge diffkey_a a-u → s-b: p 0.7 → 0.8"),
            ("changed", "edge diffkey_z a-u → s-b: p 0.5 → 0.9"),
            ("removed", "edge diffkey_m s-c → s-b"),
        ])
    );
    assert_eq!(
        link_changes(NEW, OLD),
        pairs(&[
            ("changed", "edge diffkey_a a-u → s-b: p 0.8 → 0.7"),
            ("changed", "edge diffkey_z a-u → s-b: p 0.9 → 0.5"),
            ("added", "edge diffkey_m s-c → s-b"),
            ("removed", "edge diffkey_m a-a → s-b"),
        ])
    );
    assert!(link_changes(NEW, NEW).is_empty() && link_changes(OLD, OLD).is_empty());
}
