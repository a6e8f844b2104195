//! `diff` reports a change of every field of a model: the organisation's name, the
//! `[probabilities]` and `[times]` tables, `program_age_days`, `[money]`, `[entry]`, account kinds,
//! display names and a grant's `last_used_days`. Those that can move exposure (a default p
//! that falls to 0, a shorter programme) have the effect of the model text with that change
//! alone written by hand; the others have none.

use blastradius::engine::diff::diff;
use blastradius::model::NodeKind;

use crate::diff::{by_traversal, close, effect_of, parse, small};

/// The small organisation of `diff.rs` with every setting this test changes, as `edits` of
/// the base values say.
fn with_settings(edits: &[(&str, &str)]) -> String {
    let mut s = small(true, true, false, "none", 365).replace(
        "[org]\nprogram_age_days = 730",
        "[org]\nname = \"Acme\"\nprogram_age_days = 730",
    );
    s = s.replace(
        "[[account]]\nid = \"vendor-u\"",
        "[[account]]\nid = \"vendor-u\"\nkind = \"human\"",
    );
    s = s.replace(
        "[[person]]\nid = \"alice\"",
        "[[person]]\nid = \"alice\"\nname = \"Alice\"",
    );
    s = s.replace(
        "principal = \"admins\"\ntarget = \"badge\"\naccess = \"read\"",
        "principal = \"admins\"\ntarget = \"badge\"\naccess = \"read\"\nlast_used_days = 30",
    );
    s += "[probabilities]\ncredential = { none = 0.9, otp = 0.35, phishing_resistant = 0.03 }\n";
    s += "[times]\ngrant = 0.5\n";
    s += "[money]\ncurrency = \"USD\"\nper_incident = 1000\n";
    s += "[entry]\nphishing = { none = 0.3, otp = 0.08, phishing_resistant = 0.0 }\n";
    for (from, to) in edits {
        assert!(s.contains(from), "{from}");
        s = s.replace(from, to);
    }
    s
}

const EDITS: [(&str, &str, &str); 9] = [
    ("org_name", "name = \"Acme\"", "name = \"Acme Ltd\""),
    (
        "probabilities",
        "credential = { none = 0.9,",
        "credential = { none = 0.0,",
    ),
    ("times", "grant = 0.5", "grant = 2"),
    (
        "program_age",
        "program_age_days = 730",
        "program_age_days = 200",
    ),
    ("account_kind", "kind = \"human\"", "kind = \"service\""),
    ("name", "name = \"Alice\"", "name = \"Alice B\""),
    ("grant", "last_used_days = 30", "last_used_days = 400"),
    ("money", "per_incident = 1000", "per_incident = 2500"),
    ("entry", "none = 0.3, otp = 0.08", "none = 0.3, otp = 0.02"),
];

#[test]
fn every_field_of_the_model_is_a_change_with_its_effect_alone() {
    let old_text = with_settings(&[]);
    let all: Vec<(&str, &str)> = EDITS.iter().map(|(_, a, b)| (*a, *b)).collect();
    let (old, new) = (parse(&old_text), parse(&with_settings(&all)));
    let d = diff(&old, &new, NodeKind::Account).unwrap();
    let elements: Vec<&str> = d.changes.iter().map(|c| c.element).collect();
    let mut want: Vec<&str> = EDITS.iter().map(|e| e.0).collect();
    let mut got = elements.clone();
    want.sort();
    got.sort();
    assert_eq!(got, want, "{:#?}", d.changes);
    let base = by_traversal(old.clone());
    for (element, from, to) in EDITS {
        let i = elements.iter().position(|e| *e == element).unwrap();
        let alone = by_traversal(parse(&with_settings(&[(from, to)])));
        let (exposure, changed) = effect_of(&base, &alone);
        let e = d.effects[i];
        assert!(
            close(e.exposure, exposure) && e.sources_changed == changed,
            "{element}: {e:?} vs {exposure} {changed}"
        );
        // Only the default p that closes the build server's credential, and the shorter
        // programme, can move exposure.
        let moves = matches!(element, "probabilities" | "program_age");
        assert_eq!(exposure != 0.0, moves, "{element}: {exposure}");
    }
    let described: Vec<&str> = d.changes.iter().map(|c| c.description.as_str()).collect();
    for expected in [
        "org name: \"Acme\" → \"Acme Ltd\"",
        "probabilities: credential_none 0.9 → 0",
        "times: grant 0.5 → 2",
        "program_age_days: 730 days → 200 days",
        "account kind vendor-u: human → service",
        "name alice: \"Alice\" → \"Alice B\"",
        "grant read admins → badge: last used 30 days → 400 days",
        "money: per_incident 1000 → 2500",
        "entry: phishing.otp 0.08 → 0.02",
    ] {
        assert!(described.contains(&expected), "{expected}: {described:#?}");
    }
}

#[test]
fn the_program_age_is_hand_computed() {
    // Alice and Bob reach the badge log through the build server's admin account: 100 a day
    // for min(365 days, the programme's age). From 730 to 200 days, each loses 100 × 165
    // records of weight 8; the admin account too (it reaches the badge log directly).
    let old = parse(&with_settings(&[]));
    let new = parse(&with_settings(&[(
        "program_age_days = 730",
        "program_age_days = 200",
    )]));
    let d = diff(&old, &new, NodeKind::Account).unwrap();
    assert_eq!(d.effects.len(), 1);
    assert_eq!(d.effects[0].sources_changed, 3);
    assert_eq!(d.effects[0].exposure, -3.0 * 100.0 * 165.0 * 8.0);
}
