//! Every bad input of the foundation issue: exit non-zero, a message on stderr naming the file,
//! the line and the id, nothing on stdout, never a panic.

use crate::util::{assert_fails_with, files, run_in};

const MODEL: &str = r#"[org]
name = "Tiny"
program_age_days = 730

[categories]
"user.location" = 8

[[person]]
id = "alice"
accounts = ["alice-u"]

[[account]]
id = "alice-u"
mfa = "otp"
groups = ["managers"]

[[group]]
id = "managers"

[[store]]
id = "badge-logs"
retention_days = 365
records = [{ category = "user.location", per_day = 100 }]

[[store]]
id = "lake"
retention_days = 30

[[grant]]
principal = "managers"
target = "badge-logs"
access = "read"

[[flow]]
from = "badge-logs"
to = "lake"
"#;

const SCENARIO: &str = r#"model = "model.toml"
name = "Tiny"
[attack]
compromised = ["alice"]
"#;

/// Runs `validate` on a model text.
fn validate(model: &str) -> crate::util::Outcome {
    let dir = files(&[("model.toml", model)]);
    run_in(dir.path(), &["validate", "model.toml"])
}

/// Runs a scenario text against the model text.
fn run_scenario(model: &str, scenario: &str) -> crate::util::Outcome {
    let dir = files(&[("model.toml", model), ("s.toml", scenario)]);
    run_in(dir.path(), &["run", "s.toml"])
}

#[test]
fn the_base_model_is_valid() {
    let out = validate(MODEL);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = run_scenario(MODEL, SCENARIO);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn malformed_toml_names_line_and_column() {
    let out = validate(&MODEL.replace("id = \"managers\"", "id = \"managers"));
    assert_fails_with(&out, &["model.toml", "line 18, column 15"]);
}

#[test]
fn wrong_value_type() {
    let out = validate(&MODEL.replace("retention_days = 365", "retention_days = \"365\""));
    assert_fails_with(&out, &["model.toml", "line 22", "invalid type"]);
}

#[test]
fn unknown_reference_suggests_the_nearest_id() {
    let out = validate(&MODEL.replace("groups = [\"managers\"]", "groups = [\"manager\"]"));
    assert_fails_with(
        &out,
        &["model.toml:15:11: error: unknown group `manager`; did you mean `managers`?"],
    );
}

#[test]
fn duplicate_id_across_kinds() {
    let out = validate(&MODEL.replace("id = \"lake\"", "id = \"managers\""));
    assert_fails_with(
        &out,
        &["duplicate id `managers`: already declared as a group at line 18"],
    );
}

#[test]
fn unknown_enum_values() {
    let out = validate(
        &MODEL
            .replace("access = \"read\"", "access = \"raed\"")
            .replace("mfa = \"otp\"", "mfa = \"totp\"")
            .replace("id = \"alice-u\"", "id = \"alice-u\"\nkind = \"robot\""),
    );
    assert_fails_with(
        &out,
        &[
            "unknown access `raed`; expected read, write or admin; did you mean `read`?",
            "unknown mfa `totp`",
            "did you mean `otp`?",
            "unknown account kind `robot`",
            "3 errors found",
        ],
    );
}

#[test]
fn negative_counts_and_days() {
    let out = validate(
        &MODEL
            .replace("per_day = 100", "per_day = -100")
            .replace("retention_days = 30", "retention_days = -30"),
    );
    assert_fails_with(
        &out,
        &[
            "per_day must be 0 or more, not -100",
            "retention_days must be 0 or more, not -30",
        ],
    );
}

#[test]
fn probability_out_of_range() {
    let out = validate(&MODEL.replace("access = \"read\"", "access = \"read\"\np = 1.5"));
    assert_fails_with(
        &out,
        &[
            "model.toml:33:5",
            "p must be a probability between 0 and 1, not 1.5",
        ],
    );
}

#[test]
fn flow_cycle_names_the_stores() {
    let out = validate(&format!(
        "{MODEL}\n[[flow]]\nfrom = \"lake\"\nto = \"badge-logs\"\n"
    ));
    assert_fails_with(&out, &["flows form a cycle:", "badge-logs", "lake"]);
}

#[test]
fn grant_on_a_person_account_or_group() {
    let out = validate(&format!(
        "{MODEL}\n[[grant]]\nprincipal = \"managers\"\ntarget = \"alice-u\"\naccess = \"read\"\n"
    ));
    assert_fails_with(
        &out,
        &["grant target `alice-u` is an account, but it must be a store or system"],
    );
}

#[test]
fn missing_model_file_names_the_path_as_written() {
    let out = run_scenario(
        MODEL,
        &SCENARIO.replace("model.toml", "../models/nowhere.toml"),
    );
    assert_fails_with(
        &out,
        &["s.toml:1:9", "cannot read model `../models/nowhere.toml`"],
    );
    let dir = files(&[]);
    let out = run_in(dir.path(), &["validate", "no/such/model.toml"]);
    assert_fails_with(&out, &["cannot read `no/such/model.toml`"]);
}

#[test]
fn unknown_compromised_id() {
    let out = run_scenario(MODEL, &SCENARIO.replace("[\"alice\"]", "[\"alcie\"]"));
    assert_fails_with(
        &out,
        &[
            "s.toml:4:16",
            "unknown compromised id `alcie`; did you mean `alice`?",
        ],
    );
}

#[test]
fn empty_files() {
    let out = validate("# nothing here\n\n");
    assert_fails_with(&out, &["model.toml", "the model file is empty"]);
    let out = run_scenario(MODEL, "");
    assert_fails_with(&out, &["s.toml", "the scenario file is empty"]);
}

#[test]
fn every_problem_is_reported_at_once() {
    let out = validate(
        &MODEL
            .replace(
                "groups = [\"managers\"]",
                "groups = [\"manager\", \"admins\"]",
            )
            .replace("principal = \"managers\"", "principal = \"managerz\"")
            .replace("to = \"lake\"", "to = \"laek\""),
    );
    assert_fails_with(
        &out,
        &[
            "unknown group `manager`",
            "unknown group `admins`",
            "managerz",
            "laek",
            "4 errors found",
        ],
    );
}

#[test]
fn unknown_keys_are_rejected() {
    let out = validate(&MODEL.replace("retention_days = 365", "retention_dayz = 365"));
    assert_fails_with(&out, &["unknown field `retention_dayz`"]);
}

#[test]
fn a_rate_set_without_any_retention_is_an_error() {
    let out = validate(
        &MODEL
            .replace("program_age_days = 730", "")
            .replace("retention_days = 365\n", ""),
    );
    assert_fails_with(
        &out,
        &["has no retention_days and [org] has no program_age_days"],
    );
}

#[test]
fn unknown_ids_on_the_command_line() {
    let dir = files(&[("model.toml", MODEL)]);
    let out = run_in(
        dir.path(),
        &[
            "paths",
            "model.toml",
            "--from",
            "alice",
            "--to",
            "badge-log",
        ],
    );
    assert_fails_with(
        &out,
        &["--to: unknown id `badge-log`", "did you mean `badge-logs`?"],
    );
    let out = run_in(dir.path(), &["who-can-reach", "model.toml", "bagde-logs"]);
    assert_fails_with(&out, &["unknown id `bagde-logs`"]);
}

#[test]
fn a_failed_run_leaves_no_output_file() {
    let dir = files(&[
        ("model.toml", MODEL),
        (
            "s.toml",
            "model = \"model.toml\"\n[attack]\ncompromised = [\"x\"]\n",
        ),
    ]);
    let out = run_in(dir.path(), &["run", "s.toml", "-o", "out/result.json"]);
    assert_fails_with(&out, &["unknown compromised id `x`"]);
    assert!(!dir.path().join("out/result.json").exists());
}

/// Found by a first-user review: each of these used to pass silently or panic.
#[test]
fn review_findings_stay_fixed() {
    // A design change that leaves the model as it is.
    let scenario = format!(
        "{SCENARIO}[[design]]\nname = \"same\"\nchanges = [{{ op = \"set_retention\", store = \"badge-logs\", days = 365 }}, {{ op = \"set_mfa\", accounts = \"alice-u\", mfa = \"otp\" }}, {{ op = \"drop_category\", store = \"badge-logs\", category = \"user.locaton\" }}]\n"
    );
    let out = run_scenario(MODEL, &scenario);
    assert_fails_with(
        &out,
        &[
            "`set_retention at badge-logs = 365 days` changes nothing in this model",
            "`set_mfa alice-u = otp` changes nothing",
            "did you mean `user.location`?",
        ],
    );
    // Ids with control characters would reach terminals and SVG.
    let out = validate(&MODEL.replace("id = \"lake\"", "id = \"la\\u001bke\""));
    assert_fails_with(&out, &["holds a control character"]);
    // Counts beyond the supported range are refused, not overflowed.
    let out = validate(&MODEL.replace("per_day = 100", "per_day = 10000000000000000"));
    assert_fails_with(&out, &["at most 1000000000000 is supported"]);
    // Groups that are members of each other are worth a warning.
    let dir = files(&[("model.toml", &MODEL.replace("id = \"managers\"", "id = \"managers\"\ngroups = [\"staff\"]\n[[group]]\nid = \"staff\"\ngroups = [\"managers\"]"))]);
    let out = run_in(dir.path(), &["validate", "model.toml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("groups are members of each other"),
        "{}",
        out.stdout
    );
    // CSV of a clean model still has its header.
    let out = run_in(dir.path(), &["validate", "model.toml", "--format", "csv"]);
    assert!(
        out.stdout.starts_with("file,line,column,severity,message"),
        "{}",
        out.stdout
    );
    // --limit 0 and --trials 1 are usage errors, not silent answers.
    assert_eq!(
        run_in(
            dir.path(),
            &[
                "paths",
                "model.toml",
                "--from",
                "alice",
                "--to",
                "lake",
                "--limit",
                "0"
            ]
        )
        .code,
        2
    );
    // generate does not overwrite a model unless told to.
    let out = run_in(dir.path(), &["generate", "--people", "10", "-o", "."]);
    assert_fails_with(&out, &["already holds a model.toml", "--force"]);
}

#[test]
fn commands_that_show_no_warnings_skip_only_the_checks_that_warn() {
    use blastradius::load::{load_model, load_model_unlinted};
    // A valid model with warnings: a group nobody is in, with a grant nobody can use, and the
    // same link twice.
    let warned = MODEL.replace(
        "[[grant]]",
        "[[group]]\nid = \"empty\"\n\n[[grant]]\nprincipal = \"empty\"\ntarget = \"lake\"\naccess = \"read\"\n\n[[membership]]\nmember = \"alice-u\"\ngroup = \"managers\"\n\n[[grant]]",
    );
    let dir = files(&[("model.toml", &warned)]);
    let path = dir.path().join("model.toml");
    let linted = load_model(&path, "model.toml").expect("a valid model");
    assert!(
        linted.warnings.len() >= 3,
        "the model has warnings to skip: {:?}",
        linted.warnings
    );
    let unlinted = load_model_unlinted(&path, "model.toml").expect("a valid model");
    assert_eq!(format!("{:?}", unlinted), format!("{:?}", linted.model));
    // Errors are found the same either way.
    let broken = warned.replace("target = \"lake\"", "target = \"laek\"");
    std::fs::write(&path, broken).unwrap();
    let both = [
        load_model(&path, "model.toml").map(|_| ()),
        load_model_unlinted(&path, "model.toml").map(|_| ()),
    ];
    let [Err(a), Err(b)] = both else {
        panic!("an unknown id is an error for both loads")
    };
    assert_eq!(a.to_string(), b.to_string());
    assert!(a.to_string().contains("laek"), "{a}");
}
