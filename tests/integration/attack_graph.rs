//! The attack graph's build against what it is counted to hold before it is built.

use blastradius::graph::AttackGraph;

/// `size_of` counts what `build` makes: repeated steps once, write access as integrity
/// only, p = 0 steps not at all.
#[test]
fn counted_size_equals_the_built_graph() {
    let text = r#"
[[account]]
id = "a"
groups = ["g"]
[[group]]
id = "g"
[[store]]
id = "s"
records = [{ category = "user.contact", count = 5 }]
[[store]]
id = "t"
records = [{ category = "user.contact", count = 5 }]
[[grant]]
principal = "g"
target = "s"
access = "read"
p = 0.2
[[grant]]
principal = "g"
target = "s"
access = "read"
p = 0.7
[[grant]]
principal = "g"
target = "s"
access = "write"
[[grant]]
principal = "a"
target = "t"
access = "read"
p = 0.0
[[edge]]
from = "a"
to = "t"
kind = "can_assume"
[[edge]]
from = "a"
to = "t"
kind = "can_assume"
"#;
    let small = blastradius::load::parse_model(text, "m.toml")
        .unwrap()
        .model;
    let generated = blastradius::generate::generate(500, 3);
    for model in [&small, &generated] {
        let g = AttackGraph::build(model);
        assert_eq!(
            AttackGraph::size_of(model),
            (g.edge_count(), g.integrity_links.len())
        );
    }
    assert_eq!(AttackGraph::size_of(&small), (3, 1));
}
