//! The README's import walk-throughs use files the repository ships, and an AWS import is named
//! after its account.

use crate::util::{files, root, run_in};

#[test]
fn the_aws_overlay_the_readme_shows_is_the_shipped_file() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let shipped =
        std::fs::read_to_string(root().join("data/aws/cloudmapper-inventory.toml")).unwrap();
    let cat = "$ cat data/aws/cloudmapper-inventory.toml\n";
    let start = readme.find(cat).expect("the README cats the overlay") + cat.len();
    let shown = &readme[start..start + shipped.len()];
    assert_eq!(shown, shipped);
    assert!(readme.contains("--overlay data/aws/cloudmapper-inventory.toml -o cm"));
    assert!(readme.contains("--overlay data/fides/cookie-house-rows.toml -o cookie"));
    assert!(root().join("data/fides/cookie-house-rows.toml").exists());
}

#[test]
fn an_aws_model_is_named_after_its_account() {
    let iam = r#"{"UserDetailList":[{"UserName":"u","Arn":"arn:aws:iam::111122223333:user/u","GroupList":["g"],"AttachedManagedPolicies":[],"UserPolicyList":[]}],
"GroupDetailList":[{"GroupName":"g","Arn":"arn:aws:iam::111122223333:group/g","GroupPolicyList":[],"AttachedManagedPolicies":[]}],"RoleDetailList":[],"Policies":[]}"#;
    let dir = files(&[("dump.json", iam)]);
    let out = run_in(dir.path(), &["import", "aws", "dump.json", "-o", "m"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let model = std::fs::read_to_string(dir.path().join("m/model.toml")).unwrap();
    assert!(
        model.contains("name = \"AWS account 111122223333\""),
        "{model}"
    );
    // One of each is singular in the summary.
    assert!(
        out.stdout.contains("Imported AWS account 111122223333: 1 user, 1 group, 0 roles, 0 instance profiles, 0 managed policies, 1 membership into m"),
        "{}",
        out.stdout
    );
}

#[test]
fn one_defaulted_collection_holds_in_the_singular() {
    let manifest = "dataset:\n  - fides_key: orders\n    collections:\n      - name: customer\n        fields:\n          - name: email\n            data_categories: [user.contact.email]\n";
    let dir = files(&[("orders.yml", manifest)]);
    let out = run_in(dir.path(), &["import", "fides", "orders.yml", "-o", "m"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("1 collection without a row count in [fides.rows] (customer) holds default_rows = 1 row each"),
        "{}",
        out.stderr
    );
}
