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
    let iam = r#"{"UserDetailList":[{"UserName":"u","Arn":"arn:aws:iam::111122223333:user/u","GroupList":[],"AttachedManagedPolicies":[],"UserPolicyList":[]}],
"GroupDetailList":[],"RoleDetailList":[],"Policies":[]}"#;
    let dir = files(&[("dump.json", iam)]);
    let out = run_in(dir.path(), &["import", "aws", "dump.json", "-o", "m"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let model = std::fs::read_to_string(dir.path().join("m/model.toml")).unwrap();
    assert!(
        model.contains("name = \"AWS account 111122223333\""),
        "{model}"
    );
}
