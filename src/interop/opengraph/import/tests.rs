//! The import against hand-made documents: what edges become, what is only counted, and where
//! problems are reported.

use super::import;
use crate::error::Error;
use crate::interop::opengraph::document::{read_document, Document};
use crate::interop::opengraph::mapping::{parse_mapping, Mapping};
use crate::model::{Mfa, NodeKind};

fn doc(text: &str) -> Document {
    read_document(text.as_bytes(), "g.json").unwrap_or_else(|d| panic!("{d}"))
}

fn problems(text: &str) -> Vec<String> {
    match read_document(text.as_bytes(), "g.json") {
        Err(d) => vec![d.to_string()],
        Ok(d) => match import(vec![d], &Mapping::default()) {
            Ok(_) => vec![],
            Err(Error::Invalid { problems }) => problems.iter().map(|p| p.to_string()).collect(),
            Err(e) => vec![e.to_string()],
        },
    }
}

#[test]
fn traversable_edges_become_steps_and_the_rest_are_ignored() {
    let d = doc(r#"{"graph": {"nodes": [
        {"id": "u", "kinds": ["GH_User"], "properties": {"name": "alice"}},
        {"id": "t", "kinds": ["GH_Team"]},
        {"id": "s", "kinds": ["GH_Secret"]},
        {"id": "x", "kinds": ["Printer"]}],
      "edges": [
        {"kind": "GH_MemberOf", "start": {"value": "alice", "match_by": "name"}, "end": {"value": "t"}, "properties": {"traversable": true}},
        {"kind": "GH_HasSecret", "start": {"value": "t"}, "end": {"value": "s"}, "properties": {"traversable": true, "p": 0.5}},
        {"kind": "GH_Contains", "start": {"value": "x"}, "end": {"value": "s"}, "properties": {"traversable": false}},
        {"kind": "GH_Gone", "start": {"value": "x"}, "end": {"value": "nowhere"}, "properties": {"traversable": true}}]}}"#);
    let out = import(vec![d], &Mapping::default()).unwrap();
    let m = &out.model;
    assert_eq!(m.links.len(), 2);
    assert_eq!(out.summary.ignored_edges, 1);
    assert_eq!(out.summary.dangling.get("GH_Gone"), Some(&1));
    assert_eq!(out.summary.unknown_kinds.get("Printer"), Some(&1));
    let s = m.node_id("s").unwrap();
    assert_eq!(m.kind(s), NodeKind::Store);
    assert_eq!(m.record_sets.len(), 1);
    assert_eq!(m.record_sets[0].category, "system.authentication");
    let secret = m.links.iter().find(|l| l.to == s).unwrap();
    assert_eq!(secret.p(), Some(0.5));
    let w = out
        .warnings
        .iter()
        .map(|w| w.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        w.contains("1 node of kinds no mapping rule names became systems: Printer (1)"),
        "{w}"
    );
    assert!(w.contains("1 edge has an end that matches no node"), "{w}");
}

#[test]
fn a_custom_kind_named_like_a_probability_key_keeps_its_p_on_the_edge() {
    let m = parse_mapping(
        "[edges]\nmember = { traversable = true, p = 0.5 }\n",
        "m.toml",
    )
    .unwrap();
    let d = doc(
        r#"{"graph": {"nodes": [{"id": "a", "kinds": ["User"]}, {"id": "b", "kinds": ["Host"]}],
        "edges": [{"kind": "member", "start": {"value": "a"}, "end": {"value": "b"}, "properties": {}}]}}"#,
    );
    let out = import(vec![d], &m).unwrap();
    assert!(out.model.probabilities.custom.is_empty());
    assert_eq!(out.model.links[0].p(), Some(0.5));
}

#[test]
fn a_foreign_mfa_property_of_another_meaning_is_only_counted() {
    let d = doc(r#"{"graph": {"nodes": [
        {"id": "a", "kinds": ["User"], "properties": {"mfa": true}},
        {"id": "b", "kinds": ["User"], "properties": {"mfa": "phishing_resistant"}}]}}"#);
    let out = import(vec![d], &Mapping::default()).unwrap();
    let b = out.model.node_id("b").unwrap();
    assert_eq!(out.model.mfa[b as usize], Mfa::PhishingResistant);
    let w: Vec<String> = out.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        w[0].contains("1 account has an `mfa` property that is not none"),
        "{w:?}"
    );
}

#[test]
fn property_matchers_resolve_across_documents() {
    let a = doc(
        r#"{"graph": {"nodes": [{"id": "u1", "kinds": ["User"], "properties": {"email": "a@x", "tier": 0}}]}}"#,
    );
    let b = doc(
        r#"{"graph": {"nodes": [{"id": "g", "kinds": ["Group"]}], "edges": [
        {"kind": "MemberOf", "start": {"match_by": "property", "property_matchers": [{"key": "email", "operator": "equals", "value": "a@x"}, {"key": "tier", "operator": "equals", "value": 0}]},
         "end": {"value": "g", "kind": "Group"}, "properties": {"traversable": true}}]}}"#,
    );
    let out = import(vec![a, b], &Mapping::default()).unwrap();
    assert_eq!(out.model.links.len(), 1);
    assert!(out.summary.dangling.is_empty());
}

#[test]
fn schema_problems_are_located() {
    let p = problems("{\"graph\": {\"nodes\": [\n  {\"kinds\": [\"User\"]}\n]}}");
    assert!(p[0].starts_with("g.json:2:"), "{p:?}");
    assert!(p[0].contains("missing field `id`"), "{p:?}");
    let p = problems("{\"graph\": {\"nodes\": [{\"id\": \"a\", \"kinds\": [], \"properties\": {\"x\": {\"y\": 1}}}]}}");
    assert!(p[0].contains("g.json:1:"), "{p:?}");
    assert!(p[0].contains("flat"), "{p:?}");
    let p = problems("{\"graph\": {\"nodes\": [{\"id\": \"a\", \"kinds\": [], \"properties\": {\"x\": [1, \"y\"]}}]}}");
    assert!(p[0].contains("mixing numbers and strings"), "{p:?}");
    let p = problems("{\"graph\": {\"nodes\": [{\"id\": \"a\", \"kin");
    assert!(p[0].contains("truncated"), "{p:?}");
    let p = problems(
        r#"{"graph": {"nodes": [{"id": "a", "kinds": ["User"]}, {"id": "b", "kinds": ["Group"]}], "edges": [
        {"kind": "K", "start": {"value": "a"}, "end": {"value": "b"}, "properties": {"traversable": true, "p": 7}},
        {"kind": "K", "start": {"value": "a", "match_by": "nam"}, "end": {"value": "b"}, "properties": {}}]}}"#,
    );
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(
        p[0].contains("graph.edges[0] (`K`): property `p` must be a probability"),
        "{p:?}"
    );
    assert!(
        p[1].contains("match_by `nam` is not id, name or property; did you mean `name`?"),
        "{p:?}"
    );
}
