//! An import given files of another format says so, names each file and what it holds instead,
//! exits 1 and writes nothing.

use crate::util::{assert_fails_with, files, run_in};

const DATASET: &str = "dataset:\n  - fides_key: orders\n    collections:\n      - name: customer\n        fields:\n          - name: email\n            data_categories: [user.contact.email]\n";
const IAM: &str =
    r#"{"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}"#;
const POLICY: &str = "policy:\n  - fides_key: p\n    rules: []\n";

#[test]
fn import_fides_refuses_files_without_systems_or_datasets() {
    let dir = files(&[
        ("iam.json", IAM),
        ("policy.yml", POLICY),
        ("empty.yml", ""),
        ("orders.yml", DATASET),
    ]);
    let d = dir.path();
    let fides = |inputs: &[&str]| {
        let mut args = vec!["import", "fides"];
        args.extend(inputs);
        args.extend(["-o", "out"]);
        run_in(d, &args)
    };
    // Not Fides at all: an error for each file, even beside a real dataset.
    assert_fails_with(
        &fides(&["iam.json", "empty.yml", "orders.yml"]),
        &[
            "iam.json:1:1: error: not a Fides manifest: no `system`, `dataset` or `data_category` list (its top-level keys are `UserDetailList`, `GroupDetailList`, `RoleDetailList`, `Policies`)",
            "empty.yml: error: not a Fides manifest: no `system`, `dataset` or `data_category` list (the file is empty)",
        ],
    );
    assert!(!d.join("out").exists(), "nothing is written");
    // A Fides policy alone gives nothing to import: an error.
    assert_fails_with(
        &fides(&["policy.yml"]),
        &["policy.yml:1:1: error: no `system`, `dataset` or `data_category` list (its top-level keys are `policy`)"],
    );
    assert!(!d.join("out").exists(), "nothing is written");
    // Beside a dataset (a Fides project's folder), a policy is skipped with a warning.
    let out = fides(&["policy.yml", "orders.yml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("policy.yml:1:1: warning: no `system`, `dataset` or `data_category` list (its top-level keys are `policy`); skipped"),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout
            .contains("Imported 0 Fides systems and 1 dataset"),
        "{}",
        out.stdout
    );
}

#[test]
fn import_aws_given_yaml_says_the_file_is_not_json() {
    let dir = files(&[
        ("systems.yml", "system:\n  - fides_key: app\n"),
        ("iam.json", IAM),
    ]);
    let d = dir.path();
    assert_fails_with(
        &run_in(d, &["import", "aws", "systems.yml", "-o", "out"]),
        &["systems.yml:1:1: error: the file is not JSON, so not the output of `aws iam get-account-authorization-details`"],
    );
    assert_fails_with(
        &run_in(
            d,
            &["import", "aws", "iam.json", "systems.yml", "-o", "out"],
        ),
        &["systems.yml:1:1: error: the file is not JSON, so not an AWS resource listing"],
    );
    assert!(!d.join("out").exists(), "nothing is written");
}
