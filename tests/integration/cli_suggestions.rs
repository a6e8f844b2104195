//! Command-line mistakes a newcomer makes on the demo, each answered with what was meant: the
//! regimes listed, a category or id typed short completed, a person given where a store
//! belongs named as such, a model given to a scenario command told about that command.

use crate::util::{assert_fails_with, root, run_in};

fn demo(args: &[&str]) -> crate::util::Outcome {
    run_in(&root(), args)
}

#[test]
fn an_unknown_regime_lists_the_models_regimes() {
    let out = demo(&["sweep", "data/tracking-program", "--regime", "health"]);
    assert_fails_with(
        &out,
        &[
            "no notification regime `health`",
            "(its regimes: biometric_data, health_data, precise_location)",
            "did you mean `health_data`?",
        ],
    );
}

#[test]
fn a_category_or_id_typed_short_is_completed() {
    let out = demo(&["sweep", "data/tracking-program", "--category", "health"]);
    assert_fails_with(&out, &["did you mean `user.health`?"]);
    let out = demo(&[
        "paths",
        "data/tracking-program",
        "--from",
        "dana",
        "--to",
        "hr-records",
    ]);
    assert_fails_with(&out, &["unknown id `dana`", "did you mean `dana-okafor`?"]);
    let out = demo(&[
        "paths",
        "data/tracking-program",
        "--from",
        "dana-okafor",
        "--to",
        "records",
    ]);
    assert_fails_with(
        &out,
        &["unknown id `records`", "did you mean `hr-records`?"],
    );
}

#[test]
fn a_person_is_no_store_to_reach() {
    let out = demo(&["who-can-reach", "data/tracking-program", "dana-okafor"]);
    assert_fails_with(&out, &["`dana-okafor` is a person, not a store"]);
    assert!(!out.stderr.contains("Nothing can reach"), "{}", out.stderr);
}

#[test]
fn a_model_given_to_a_scenario_command_is_told_about_that_command() {
    let dir = tempfile::tempdir().unwrap();
    let model = root().join("data/tracking-program");
    let (model, report) = (model.to_str().unwrap(), dir.path().join("report"));
    for cmd in ["run", "compare", "recommend", "report"] {
        let out = match cmd {
            "report" => crate::util::run(&[cmd, model, "-o", report.to_str().unwrap()]),
            _ => crate::util::run(&[cmd, model]),
        };
        assert_fails_with(
            &out,
            &[
                &format!("is a model; `{cmd}` takes a scenario"),
                &format!("then run `blastradius {cmd} scenario.toml`"),
            ],
        );
    }
}

/// `sweep --top 0` printed an empty "top 0" table; it is an error pointing at CSV.
#[test]
fn sweep_top_zero_is_an_error() {
    let out = demo(&["sweep", "data/tracking-program", "--top", "0"]);
    assert_fails_with(&out, &["--top 0 lists no node", "--format csv"]);
}
