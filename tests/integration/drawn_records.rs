//! `paths` and `who-can-reach` drawings label their stores with the store's own records, as the
//! report's drawing does, on a model small enough to count by hand.

use crate::util::run;

const MODEL: &str = r#"
[[account]]
id = "a"
groups = ["g"]
[[group]]
id = "g"
[[store]]
id = "s"
records = [{ category = "user.contact", count = 5 }, { category = "user.financial", count = 7 }]
[[grant]]
principal = "g"
target = "s"
access = "read"
"#;

/// The text lines of the node `id` in a drawing's SVG.
fn node_text(svg: &str, id: &str) -> Vec<String> {
    let start = svg
        .find(&format!("<g class=\"node\" data-id=\"{id}\""))
        .unwrap_or_else(|| panic!("no node {id}"));
    let group = &svg[start..start + svg[start..].find("</g>").unwrap()];
    group
        .split("<text")
        .skip(1)
        .map(|t| t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()].to_string())
        .collect()
}

#[test]
fn query_drawings_label_stores_with_their_records() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.toml");
    std::fs::write(&model, MODEL).unwrap();
    let m = model.to_str().unwrap();
    // 5 + 7 records; user.financial holds the most.
    let expected = ["s", "12 records, most user.financial"];
    for args in [
        vec!["paths", m, "--from", "a", "--to", "s", "--format", "svg"],
        vec!["who-can-reach", m, "s", "--format", "svg"],
    ] {
        let o = run(&args);
        assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
        let lines = node_text(&o.stdout, "s");
        assert_eq!(lines[..2], expected, "{args:?}");
        assert_eq!(node_text(&o.stdout, "g"), vec!["g".to_string()], "{args:?}");
    }
}
