//! The mapping file's rules: the built-in ones, patterns, precedence and located errors.

use super::*;

#[test]
fn the_builtin_mapping_is_valid() {
    let m = Mapping::default();
    assert_eq!(
        m.kind_rule(&["GH_User"], None).unwrap().kind,
        NodeKind::Account
    );
    assert_eq!(
        m.kind_rule(&["GH_RepoRole", "GH_Role"], None).unwrap().kind,
        NodeKind::Group
    );
    assert_eq!(
        m.kind_rule(&["AZResourceGroup"], None).unwrap().kind,
        NodeKind::System
    );
    assert_eq!(
        m.kind_rule(&["GH_OrgSecret", "GH_Secret"], None)
            .unwrap()
            .kind,
        NodeKind::Store
    );
    assert!(m.kind_rule(&["Printer"], None).is_none());
}

#[test]
fn patterns_match_with_wildcards_anywhere() {
    let p = |t: &str| Pattern { text: t.into() };
    assert!(p("*User").matches("GH_User"));
    assert!(!p("*User").matches("GH_Users"));
    assert!(p("GH_*").matches("GH_"));
    assert!(p("A*B*C").matches("AxxBxxC"));
    assert!(!p("A*B*C").matches("AxxC"));
    assert!(!p("AB*BA").matches("ABA"));
}

#[test]
fn a_mapping_file_wins_over_the_builtin_rules() {
    let m = parse_mapping(
        "[kinds]\nGH_Role = \"system\"\n\"Foo*\" = { as = \"store\", records = [{ category = \"x\", count = 3 }] }\n",
        "map.toml",
    )
    .unwrap();
    assert_eq!(
        m.kind_rule(&["GH_RepoRole", "GH_Role"], None).unwrap().kind,
        NodeKind::System
    );
    assert_eq!(m.kind_rule(&["FooBar"], None).unwrap().records.len(), 1);
    assert_eq!(
        m.kind_rule(&["GH_User"], None).unwrap().kind,
        NodeKind::Account
    );
}

#[test]
fn mapping_errors_have_lines_and_suggestions() {
    let err = parse_mapping(
        "[kinds]\nGH_User = \"acount\"\n[edges]\nX = { link = \"membr\" }\n",
        "map.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("map.toml:2:11: error: [kinds] `GH_User`: unknown kind `acount`"),
        "{err}"
    );
    assert!(err.contains("did you mean `account`?"), "{err}");
    assert!(
        err.contains("map.toml:4:5: error: [edges] `X`: unknown link `membr`"),
        "{err}"
    );
    assert!(err.contains("did you mean `member`?"), "{err}");
}

#[test]
fn every_built_in_profile_parses_with_a_name_and_a_source_kind() {
    let m = Mapping::default();
    let names: Vec<&str> = m.profiles.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names.len(), 9);
    let unique: std::collections::BTreeSet<&str> = names.iter().copied().collect();
    assert_eq!(unique.len(), names.len(), "{names:?}");
    for p in &m.profiles {
        assert!(!p.source_kinds.is_empty(), "{}", p.name);
        assert!(!p.claims.is_empty(), "{}", p.name);
    }
    // A profile's rule is found for its own documents, the generic one otherwise.
    let snow = m.profiles.iter().position(|p| p.name == "SnowHound");
    assert_eq!(
        m.kind_rule(&["SNOW_Table"], snow).unwrap().kind,
        NodeKind::Store
    );
    assert_eq!(
        m.kind_rule(&["GH_User"], snow).unwrap().kind,
        NodeKind::Account
    );
    // …and for a kind another profile claims, by that profile, in any document.
    assert_eq!(
        m.kind_rule(&["MSSQL_Login"], None).unwrap().kind,
        NodeKind::Account
    );
}
