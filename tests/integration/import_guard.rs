//! Every import refuses to write over a model folder unless told to (`--force`), as `generate`
//! does: a re-run must not silently drop an overlay's records or a hand edit.

use crate::util::{assert_fails_with, files, run_in};

const SHARPHOUND: &str = r#"{"data": [{"ObjectIdentifier": "S-1-5-21-1-1101", "Properties": {"name": "ALICE@X"}}],
 "meta": {"type": "users", "version": 6, "count": 1}}"#;
const OPENGRAPH: &str = r#"{"graph": {"nodes": [{"id": "u1", "kinds": ["User"]}], "edges": []}}"#;
const PAIRS: &str = "alice read\nbob write\n";
const FIDES: &str = "dataset:\n  - fides_key: orders\n    collections:\n      - name: customer\n        fields:\n          - name: email\n            data_categories: [user.contact.email]\n";
const AWS: &str = r#"{"UserDetailList":[{"UserName":"u","Arn":"arn:aws:iam::111122223333:user/u","GroupList":[],"AttachedManagedPolicies":[],
"UserPolicyList":[{"PolicyName":"p","PolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}}]}],
"GroupDetailList":[],"RoleDetailList":[],"Policies":[]}"#;

/// The import commands, each with the input it reads (file names in the test folder).
const IMPORTS: [&[&str]; 6] = [
    &["import", "og.json"],
    &["import", "opengraph", "og.json"],
    &["import", "sharphound", "sh.json"],
    &["import", "pairs", "pairs.txt"],
    &["import", "fides", "f.yml"],
    &["import", "aws", "aws.json"],
];

#[test]
fn every_import_refuses_an_existing_model_unless_forced() {
    let dir = files(&[
        ("og.json", OPENGRAPH),
        ("sh.json", SHARPHOUND),
        ("pairs.txt", PAIRS),
        ("f.yml", FIDES),
        ("aws.json", AWS),
    ]);
    let d = dir.path();
    for (i, import) in IMPORTS.iter().enumerate() {
        let out = format!("m{i}");
        let with = |extra: &[&str]| {
            let mut args = import.to_vec();
            args.extend(["-o", &out]);
            args.extend(extra);
            run_in(d, &args)
        };
        let first = with(&[]);
        assert_eq!(first.code, 0, "{import:?}: {}", first.stderr);
        let model = d.join(&out).join("model.toml");
        let edited = format!(
            "# a hand edit\n{}",
            std::fs::read_to_string(&model).unwrap()
        );
        std::fs::write(&model, &edited).unwrap();
        assert_fails_with(
            &with(&[]),
            &[&format!("{out} already holds a model.toml"), "--force"],
        );
        assert_eq!(
            std::fs::read_to_string(&model).unwrap(),
            edited,
            "{import:?}: the refused import left the model as it was"
        );
        let forced = with(&["--force"]);
        assert_eq!(forced.code, 0, "{import:?}: {}", forced.stderr);
        assert!(!std::fs::read_to_string(&model)
            .unwrap()
            .contains("# a hand edit"));
    }
}

#[test]
fn a_forced_import_without_csv_removes_the_earlier_side_files() {
    let dir = files(&[("pairs.txt", PAIRS)]);
    let d = dir.path();
    let r = run_in(d, &["import", "pairs", "pairs.txt", "--csv", "-o", "m"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(d.join("m/accounts.csv").exists());
    let r = run_in(d, &["import", "pairs", "pairs.txt", "--force", "-o", "m"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let left: Vec<_> = std::fs::read_dir(d.join("m"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(left, ["model.toml"]);
    let r = run_in(d, &["validate", "m"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}
