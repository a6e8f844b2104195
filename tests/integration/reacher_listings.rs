//! `who-can-reach`'s listings are rendered from each reacher's first step, a block of rows at
//! a time on every thread (`output::reachers`): their bytes must be those of the whole report
//! rendered by serde and the table code (`WhoCanReachReport`, each row's path made step by
//! step), on models large enough for many blocks, in and out of id order, and with ids that
//! JSON and CSV must escape; and the rows must come in the order a reverse search written here
//! gives (fewest steps, then id).

use crate::util::distances_to;

use blastradius::engine::reach::backward;
use blastradius::graph::AttackGraph;
use blastradius::model::{Model, NodeKind};
use blastradius::output::{json, reachers, table, Format, Render};
use blastradius::results::queries::{WhoCanReach, WhoCanReachReport};

/// Every listing of `store`'s reachers against the report rendered whole; the number of rows.
fn check(model: &Model, graph: &AttackGraph, store: u32) -> usize {
    let reach = backward(graph, &[store]);
    let listing = WhoCanReach::new(model, graph, store, &reach);
    let report = WhoCanReachReport::of(model, graph, store, &reach);
    let id = model.id(store);
    let text = |write: fn(&mut dyn std::io::Write, &WhoCanReach) -> std::io::Result<()>| {
        let mut out = Vec::new();
        write(&mut out, &listing).unwrap();
        String::from_utf8(out).unwrap()
    };
    assert_eq!(
        text(reachers::write_json),
        json::render(&report),
        "JSON of {id}"
    );
    assert_eq!(
        text(reachers::write_table),
        table::who_can_reach(&report),
        "table of {id}"
    );
    assert_eq!(
        text(reachers::write_csv),
        report.render(Format::Csv),
        "CSV of {id}"
    );
    // The order, against a reverse search of this test's own.
    let dist = distances_to(graph, store);
    let mut expected: Vec<(u32, &str)> = dist
        .iter()
        .filter(|&(&n, _)| n != store)
        .map(|(&n, &d)| (d, model.id(n)))
        .collect();
    expected.sort();
    let listed: Vec<(u32, &str)> = report
        .reachers
        .iter()
        .map(|r| (r.steps, r.id.as_str()))
        .collect();
    assert_eq!(listed, expected, "order of {id}");
    report.reachers.len()
}

/// The stores of a model, most reached first.
fn stores_by_reach(model: &Model, graph: &AttackGraph) -> Vec<(usize, u32)> {
    let mut stores: Vec<(usize, u32)> = model
        .nodes_of(NodeKind::Store)
        .map(|s| (backward(graph, &[s]).order.len(), s))
        .collect();
    stores.sort_by(|a, b| b.cmp(a));
    stores
}

#[test]
fn listings_of_a_generated_organisation_are_the_report() {
    let generated = blastradius::generate::generate(2500, 5);
    let canonical = generated.clone().canonical();
    assert!(canonical.in_id_order());
    for model in [&generated, &canonical] {
        let graph = AttackGraph::build(model);
        let stores = stores_by_reach(model, &graph);
        // The most reached (many blocks), one in the middle, the least reached.
        let picks = [0, stores.len() / 2, stores.len() - 1].map(|i| stores[i].1);
        let rows: Vec<usize> = picks.iter().map(|&s| check(model, &graph, s)).collect();
        assert!(
            rows[0] > 4 * 512,
            "{rows:?}: the largest listing spans several blocks"
        );
    }
}

#[test]
fn listings_escape_ids_and_list_nothing_when_nothing_reaches() {
    // Ids JSON and CSV must escape (a quote, a backslash, a comma) and a wide character that
    // the table pads by characters; a store nobody reaches.
    let text = r#"
[[person]]
id = "zoë \"z\" smith"
accounts = ["zoë,admin"]
[[account]]
id = "zoë,admin"
groups = ["ops\\team"]
[[account]]
id = "a-plain"
groups = ["ops\\team"]
[[group]]
id = "ops\\team"
[[store]]
id = "s→1"
records = [{ category = "user.contact", count = 5 }]
[[store]]
id = "lonely"
records = [{ category = "user.contact", count = 5 }]
[[grant]]
principal = "ops\\team"
target = "s→1"
access = "read"
p = 0.25
[[grant]]
principal = "a-plain"
target = "s→1"
access = "admin"
p = 0.123456
"#;
    let model = blastradius::load::parse_model(text, "m.toml")
        .unwrap()
        .model;
    let graph = AttackGraph::build(&model);
    let store = model.node_id("s→1").unwrap();
    assert_eq!(check(&model, &graph, store), 4);
    let lonely = model.node_id("lonely").unwrap();
    assert_eq!(check(&model, &graph, lonely), 0);
}
