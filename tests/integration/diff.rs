//! `diff`: per-source figures against two separate sweeps (one traversal per source), each
//! change's effect against the model with that change alone written by hand (and, where a
//! design can make the change, against `design::apply`), and the command's contract.

use std::collections::BTreeMap;

use blastradius::design::apply;
use blastradius::engine::diff::diff;
use blastradius::engine::sweep::sweep_by_traversal;
use blastradius::load::{design::parse_change, load_model, parse_model};
use blastradius::model::{Model, NodeKind};
use blastradius::Analysis;

use crate::util::{files, root, run, run_json};

/// (exposure, records, stores) of every account, one traversal per source.
pub(crate) fn by_traversal(model: Model) -> BTreeMap<String, (f64, u64, u32)> {
    let a = Analysis::new(model);
    let sources: Vec<_> = a.model.nodes_of(NodeKind::Account).collect();
    sweep_by_traversal(&a.model, &a.graph, a.index(), &sources)
        .iter()
        .map(|r| {
            (
                a.model.id(r.node).to_string(),
                (r.exposure, r.records, r.stores),
            )
        })
        .collect()
}

fn total(s: &BTreeMap<String, (f64, u64, u32)>) -> f64 {
    s.values().map(|f| f.0).sum()
}

/// Σ change in exposure and sources changed, from `old` to `with`.
pub(crate) fn effect_of(
    old: &BTreeMap<String, (f64, u64, u32)>,
    with: &BTreeMap<String, (f64, u64, u32)>,
) -> (f64, usize) {
    let changed = with
        .iter()
        .filter(|(id, f)| old.get(*id).map_or(0.0, |o| o.0) != f.0)
        .count();
    (total(with) - total(old), changed)
}

pub(crate) fn close(x: f64, y: f64) -> bool {
    (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0)
}

/// A small organisation with four switches: Bob in `eng`, engineering's grant on the clinic,
/// a vendor grant on the badge log, the admin's MFA, and the badge log's retention.
pub(crate) fn small(
    bob_in_eng: bool,
    eng_clinic: bool,
    vendor: bool,
    mfa: &str,
    retention: u32,
) -> String {
    let mut s = format!(
        r#"
[org]
program_age_days = 730
[categories]
"user.location" = 8
"user.health" = 20
[[person]]
id = "alice"
accounts = ["alice-u"]
[[person]]
id = "bob"
accounts = ["bob-u"]
[[account]]
id = "alice-u"
groups = ["eng"]
[[account]]
id = "bob-u"
groups = [{bob}]
[[account]]
id = "vendor-u"
[[account]]
id = "admin-u"
mfa = "{mfa}"
groups = ["admins"]
[[group]]
id = "eng"
[[group]]
id = "admins"
[[system]]
id = "build"
credentials = ["admin-u"]
[[store]]
id = "badge"
retention_days = {retention}
records = [{{ category = "user.location", per_day = 100 }}]
[[store]]
id = "clinic"
retention_days = 365
records = [{{ category = "user.health", count = 50 }}]
[[grant]]
principal = "eng"
target = "build"
access = "admin"
[[grant]]
principal = "admins"
target = "badge"
access = "read"
"#,
        bob = if bob_in_eng { "\"eng\"" } else { "" }
    );
    if eng_clinic {
        s += "[[grant]]\nprincipal = \"eng\"\ntarget = \"clinic\"\naccess = \"read\"\n";
    }
    if vendor {
        s += "[[grant]]\nprincipal = \"vendor-u\"\ntarget = \"badge\"\naccess = \"read\"\n";
    }
    s
}

pub(crate) fn parse(text: &str) -> Model {
    parse_model(text, "model.toml").expect("valid model").model
}

#[test]
fn per_source_figures_equal_two_separate_sweeps() {
    let pairs = [
        (
            parse(&small(true, true, false, "none", 365)),
            parse(&small(false, false, true, "otp", 730)),
        ),
        (
            load_model(&root().join("data/tracking-program"), "old")
                .unwrap()
                .model,
            load_model(&root().join("data/tracking-program-next-quarter"), "new")
                .unwrap()
                .model,
        ),
    ];
    for (old, new) in pairs {
        let d = diff(&old, &new, NodeKind::Account).unwrap();
        for (side, mine) in [
            (&d.old, by_traversal(old.clone())),
            (&d.new, by_traversal(new)),
        ] {
            assert_eq!(side.len(), mine.len());
            for (id, f) in side {
                let m = mine[id];
                assert!(close(f.exposure, m.0), "{id}: {} vs {}", f.exposure, m.0);
                assert_eq!((f.records, f.stores), (m.1, m.2), "{id}");
            }
        }
    }
}

#[test]
fn each_change_alone_equals_the_model_with_that_change_alone() {
    let old_text = small(true, true, false, "none", 365);
    let new_text = small(false, false, true, "otp", 730);
    let (old, new) = (parse(&old_text), parse(&new_text));
    let d = diff(&old, &new, NodeKind::Account).unwrap();
    let base = by_traversal(old.clone());
    // Each change written by hand into the old model's text, and (where a design can make it)
    // as a design applied to the old model.
    let cases: [(&str, String, Option<&str>); 5] = [
        (
            "member bob-u → eng",
            small(false, true, false, "none", 365),
            Some(r#"{ op = "remove_member", member = "bob-u", group = "eng" }"#),
        ),
        (
            "grant read eng → clinic",
            small(true, false, false, "none", 365),
            Some(r#"{ op = "remove_grant", principal = "eng", target = "clinic" }"#),
        ),
        (
            "grant read vendor-u → badge",
            small(true, true, true, "none", 365),
            None,
        ),
        (
            "mfa admin-u: none → otp",
            small(true, true, false, "otp", 365),
            Some(r#"{ op = "set_mfa", accounts = "admin-u", mfa = "otp" }"#),
        ),
        (
            "retention badge: 365 days → 730 days",
            small(true, true, false, "none", 730),
            None,
        ),
    ];
    assert_eq!(d.changes.len(), cases.len(), "{:#?}", d.changes);
    let mut attributed = 0.0;
    for (description, text, design) in cases {
        let i = d
            .changes
            .iter()
            .position(|c| c.description == description)
            .unwrap_or_else(|| panic!("no change `{description}` in {:#?}", d.changes));
        let (exposure, changed) = effect_of(&base, &by_traversal(parse(&text)));
        let got = d.effects[i];
        assert!(
            close(got.exposure, exposure),
            "{description}: {got:?} vs {exposure}"
        );
        assert_eq!(got.sources_changed, changed, "{description}");
        attributed += got.exposure;
        if let Some(design) = design {
            let value: toml::Value = toml::from_str(&format!("c = {design}")).unwrap();
            let entry = parse_change(&old, &value["c"]).unwrap();
            let blastradius::design::Entry::Model(change) = entry else {
                panic!("a model change");
            };
            let (e, n) = effect_of(&base, &by_traversal(apply(&old, [&change])));
            assert!(
                close(e, exposure) && n == changed,
                "{description}: design {e} {n}"
            );
        }
    }
    // The report's remainder is what the changes do together and not alone.
    let report = blastradius::results::diff::DiffReport::of("old", "new", &d, None);
    let delta = total(&by_traversal(new)) - total(&base);
    assert!(close(report.total.delta, delta));
    assert!(close(report.total.remainder, delta - attributed));
}

#[test]
fn identical_models_give_an_empty_diff_and_exit_0() {
    let j = run_json(&["diff", "data/tracking-program", "data/tracking-program"]);
    assert_eq!(j["schema"], "blastradius/diff/v1");
    assert_eq!(j["sources"].as_array().unwrap().len(), 0);
    assert_eq!(j["changes"].as_array().unwrap().len(), 0);
    assert_eq!(j["total"]["old_exposure"], j["total"]["new_exposure"]);
    let out = run(&["diff", "data/tracking-program", "data/tracking-program"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("no changes"), "{}", out.stdout);
}

#[test]
fn the_next_quarter_demo_adds_a_vendor_grant_a_nesting_and_a_longer_retention() {
    let j = run_json(&[
        "diff",
        "data/tracking-program",
        "data/tracking-program-next-quarter",
    ]);
    let changes: Vec<(String, String)> = j["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["change"].as_str().unwrap().to_string(),
                c["element"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut sorted = changes.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            ("added".into(), "grant".into()),
            ("added".into(), "member".into()),
            ("changed".into(), "retention".into())
        ],
        "{changes:?}"
    );
    // Every listed source's delta is new − old, and the list is ranked by its size.
    let sources = j["sources"].as_array().unwrap();
    assert!(!sources.is_empty());
    let mut last = f64::INFINITY;
    for s in sources {
        let (o, n) = (
            s["old"]["exposure"].as_f64().unwrap(),
            s["new"]["exposure"].as_f64().unwrap(),
        );
        assert!(close(s["delta"]["exposure"].as_f64().unwrap(), n - o));
        assert!((n - o).abs() <= last);
        last = (n - o).abs();
    }
}

#[test]
fn ids_that_change_kind_between_versions_are_an_input_error() {
    let old = small(true, true, false, "none", 365);
    let new = old
        .replace("[[group]]\nid = \"admins\"", "[[group]]\nid = \"admins-g\"")
        .replace("groups = [\"admins\"]", "groups = [\"admins-g\"]")
        .replace("principal = \"admins\"", "principal = \"admins-g\"")
        .replace("id = \"vendor-u\"", "id = \"admins\"");
    let dir = files(&[("old/model.toml", &old), ("new/model.toml", &new)]);
    let out = crate::util::run_in(dir.path(), &["diff", "old", "new"]);
    crate::util::assert_fails_with(&out, &["`admins` is group in OLD and account in NEW"]);
    assert_eq!(out.code, 1);
}

/// `diff` of the demo and its next quarter with the given conditions.
fn gate(conditions: &[&str]) -> crate::util::Outcome {
    let mut args = vec![
        "diff",
        "data/tracking-program",
        "data/tracking-program-next-quarter",
        "--format",
        "json",
    ];
    for c in conditions {
        args.extend(["--fail-if", c]);
    }
    run(&args)
}

#[test]
fn the_gate_exits_3_with_its_reasons_when_a_condition_holds() {
    // The demo's next quarter: +1.3% in total; three accounts grow by 20% or more; Quantivo
    // newly reaches the managers' reports (user.behavior.attendance and productivity), and no
    // account newly reaches health records.
    for (conditions, code, said) in [
        (&["exposure_increase > 5%"][..], 0, &[][..]),
        (
            &["exposure_increase > 1%"],
            3,
            &[
                "exposure_increase > 1%: the worst-case exposure summed over every account went \
                 from 8,898,760,220 to 9,017,724,820 (+1.3%)",
            ][..],
        ),
        (&["exposure_increase > 200000000"], 0, &[]),
        (
            &["exposure_increase >= 118964600"],
            3,
            &["exposure_increase >= 118,964,600"],
        ),
        (
            &["source_increase >= 20%"],
            3,
            &[
                "source_increase >= 20%: 3 accounts (",
                "priya-raman-u 40,398,900 → 74,838,900",
            ],
        ),
        (&["source_increase > 100%"], 0, &[]),
        (&["new_reach:user.health"], 0, &[]),
        (
            &["new_reach:user.behavior", "exposure_increase > 50%"],
            3,
            &[
                "new_reach:user.behavior: 2 accounts",
                "svc-quantivo → workforce-reports",
            ],
        ),
    ] {
        let out = gate(conditions);
        assert_eq!(out.code, code, "{conditions:?}: {}", out.stderr);
        // The report is written either way.
        let j: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
        assert_eq!(j["schema"], "blastradius/diff/v1");
        for s in said {
            assert!(
                out.stderr.contains(s),
                "{conditions:?}: {s:?} in\n{}",
                out.stderr
            );
        }
        if code == 0 {
            assert!(out.stderr.is_empty(), "{}", out.stderr);
        }
    }
    // Identical models pass every condition.
    let out = run(&[
        "diff",
        "data/tracking-program",
        "data/tracking-program",
        "--fail-if",
        "exposure_increase > 0",
        "--fail-if",
        "new_reach:user",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn a_bad_condition_says_what_was_expected_and_a_bad_category_suggests_one() {
    for bad in [
        "exposure_increse > 5%",
        "exposure_increase < 5%",
        "exposure_increase > lots",
        "new_reach:",
    ] {
        let out = gate(&[bad]);
        crate::util::assert_fails_with(&out, &[bad, "expected `exposure_increase > 5%`"]);
        assert_eq!(out.code, 1);
    }
    let out = gate(&["new_reach:user.helth"]);
    crate::util::assert_fails_with(&out, &["`user.helth`", "did you mean `user.health`?"]);
    assert_eq!(out.code, 1);
}

#[test]
fn new_reach_names_each_source_and_store_newly_reached() {
    // The vendor grant on the badge log is the only change: vendor-u, which reached nothing,
    // now reaches the badge log (user.location) and nothing holding user.health.
    let old = parse(&small(true, true, false, "none", 365));
    let new = parse(&small(true, true, true, "none", 365));
    use blastradius::engine::gate::new_reach;
    assert_eq!(
        new_reach(&old, &new, NodeKind::Account, "user.location"),
        [("vendor-u".to_string(), "badge".to_string())]
    );
    assert_eq!(
        new_reach(&old, &new, NodeKind::Account, "user"),
        [("vendor-u".to_string(), "badge".to_string())]
    );
    assert!(new_reach(&old, &new, NodeKind::Account, "user.health").is_empty());
    // Removing Bob from eng takes reach away; nothing is newly reached.
    let fewer = parse(&small(false, true, false, "none", 365));
    assert!(new_reach(&old, &fewer, NodeKind::Account, "user").is_empty());
}

#[test]
fn models_in_csv_side_files_are_matched_row_by_row() {
    // A generated organisation (CSV side files above 2,000 people) and a copy with one grant
    // row removed and one edge's p changed: exactly those two changes, and each side's figures
    // equal a sweep by traversal of that side.
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    let out = run(&[
        "generate",
        "--people",
        "2500",
        "--seed",
        "3",
        "-o",
        old.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    std::fs::create_dir(&new).unwrap();
    for f in std::fs::read_dir(&old).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, new.join(f.file_name().unwrap())).unwrap();
    }
    let grants = std::fs::read_to_string(old.join("grants.csv")).unwrap();
    let mut rows: Vec<&str> = grants.lines().collect();
    let removed = rows.remove(1).to_string();
    std::fs::write(new.join("grants.csv"), rows.join("\n") + "\n").unwrap();
    let edges = std::fs::read_to_string(old.join("edges.csv")).unwrap();
    let mut rows: Vec<String> = edges.lines().map(String::from).collect();
    let mut cells: Vec<&str> = rows[1].split(',').collect();
    assert_eq!(rows[0], "from,to,kind,p,time");
    cells[3] = "0.5";
    let changed = format!(
        "edge {} {} → {}: p {} → 0.5",
        cells[2],
        cells[0],
        cells[1],
        edges.lines().nth(1).unwrap().split(',').nth(3).unwrap()
    );
    rows[1] = cells.join(",");
    std::fs::write(new.join("edges.csv"), rows.join("\n") + "\n").unwrap();
    let j = run_json(&["diff", old.to_str().unwrap(), new.to_str().unwrap()]);
    let descriptions: Vec<&str> = j["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["description"].as_str().unwrap())
        .collect();
    let r: Vec<&str> = removed.split(',').collect();
    let grant = format!("grant {} {} → {}", r[2], r[0], r[1]);
    let mut want = vec![grant.as_str(), changed.as_str()];
    want.sort();
    let mut got = descriptions.clone();
    got.sort();
    assert_eq!(got, want);
    let (o, n) = (
        load_model(&old, "old").unwrap().model,
        load_model(&new, "new").unwrap().model,
    );
    let (to, tn) = (total(&by_traversal(o)), total(&by_traversal(n)));
    assert!(close(j["total"]["old_exposure"].as_f64().unwrap(), to));
    assert!(close(j["total"]["new_exposure"].as_f64().unwrap(), tn));
}

#[test]
fn effects_from_the_affected_sources_only_equal_full_sweeps_of_each_change_alone() {
    // diff sweeps a change only from the sources that reach what it touches; here every
    // change's effect is checked against a full sweep of OLD with that change alone.
    use blastradius::engine::diff::{effect, sweep_by_id};
    use blastradius::model::diff::{apply_one, changes};
    use blastradius::model::{Access, Link, LinkKind, Mfa};
    for (people, seed) in [(400, 5), (900, 11)] {
        let old = blastradius::generate::generate(people, seed);
        let mut new = old.clone();
        let step = new.links.len() / 8;
        let mut i = 0;
        new.links.retain(|_| {
            i += 1;
            i % step != 0
        });
        let accounts: Vec<_> = new.nodes_of(NodeKind::Account).collect();
        let stores: Vec<_> = new.nodes_of(NodeKind::Store).collect();
        for k in 0..6 {
            let (a, s) = (
                accounts[k * accounts.len() / 6],
                stores[(k * 5) % stores.len()],
            );
            new.links
                .push(Link::new(a, s, LinkKind::Grant(Access::Read)));
        }
        for k in 0..4 {
            let a = accounts[(k * 13 + 3) % accounts.len()] as usize;
            new.mfa[a] = match new.mfa[a] {
                Mfa::None => Mfa::PhishingResistant,
                _ => Mfa::None,
            };
        }
        let s = stores[1] as usize;
        new.store_policy[s].retention_days =
            Some(new.store_policy[s].retention_days.unwrap_or(30) * 3);
        if !new.flows.is_empty() {
            new.flows.remove(0);
        }
        let d = diff(&old, &new, NodeKind::Account).unwrap();
        assert!(d.changes.len() >= 12, "{}", d.changes.len());
        assert_eq!(d.changes.len(), changes(&old, &new).unwrap().len());
        let moving = d.effects.iter().filter(|e| e.exposure != 0.0).count();
        assert!(moving >= 3, "only {moving} changes move exposure");
        for (c, got) in d.changes.iter().zip(&d.effects) {
            let full = effect(&d.old, &sweep_by_id(apply_one(&old, c), NodeKind::Account));
            assert!(
                close(got.exposure, full.exposure) && got.sources_changed == full.sources_changed,
                "{}: {got:?} vs {full:?}",
                c.description
            );
        }
    }
}

#[test]
fn csv_lists_every_source_and_change_and_kind_picks_the_sources() {
    let out = run(&[
        "diff",
        "data/tracking-program",
        "data/tracking-program-next-quarter",
        "--format",
        "csv",
        "--top",
        "1",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        lines[0].starts_with("section,id,status,element,old_exposure,new_exposure,delta_exposure")
    );
    // CSV ignores --top: all five accounts, then the three changes.
    assert_eq!(lines.iter().filter(|l| l.starts_with("source,")).count(), 5);
    assert_eq!(lines.iter().filter(|l| l.starts_with("change,")).count(), 3);
    let j = run_json(&[
        "diff",
        "data/tracking-program",
        "data/tracking-program-next-quarter",
        "--kind",
        "person",
    ]);
    assert_eq!(j["kind"], "person");
    let old = load_model(&root().join("data/tracking-program"), "old")
        .unwrap()
        .model;
    let a = Analysis::new(old);
    let people: Vec<_> = a.model.nodes_of(NodeKind::Person).collect();
    let total: f64 = sweep_by_traversal(&a.model, &a.graph, a.index(), &people)
        .iter()
        .map(|r| r.exposure)
        .sum();
    assert!(close(j["total"]["old_exposure"].as_f64().unwrap(), total));
    assert!(j["sources"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["kind"] == "person"));
}
