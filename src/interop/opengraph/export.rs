//! A model (and optionally a run's results) as BloodHound OpenGraph JSON (DESIGN.md "Other
//! formats"), so a BloodHound user can load and query it.
//!
//! Every node keeps its id and gets one `BR_` kind (`BR_Person`, `BR_Account`, `BR_Group`,
//! `BR_System`, `BR_Store`); every link becomes an edge whose kind names it (`BR_Owns`,
//! `BR_MemberOf`, `BR_Read`, `BR_Write`, `BR_Admin`, `BR_HasCredential`, `BR_Access*`, and
//! `BR_Edge` with `br_label` for custom steps), marked `traversable` unless it is a write, with
//! its effective `p`. Flows are `BR_FlowsTo` edges, never traversable. Store records travel as
//! side-by-side arrays (`br_record_categories`, `br_record_counts`, ...), and the model-wide
//! settings (category weights, populations, probability and time defaults) as one `BR_Model`
//! node, since OpenGraph metadata holds only `source_kind`. Results become flat properties:
//! `br_compromised`, `br_entry_point`, `br_leaked`, `br_tampered`, `br_records_exposed`,
//! `br_exposure`, `br_breach_probability`.
//!
//! Every property value is a primitive or an array of one primitive type, as the schema
//! requires. [`super::import()`] reads all of it back to the same model.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use super::results::ResultOverlay;
use super::vocab::{br, br_edge_kind, br_node_kind, FLOW_EDGE_KIND, MODEL_KIND};
use crate::error::{Error, Result};
use crate::model::{AccountKind, Amount, LinkKind, Model, NodeKind};

/// `metadata.source_kind` of the export.
pub const SOURCE_KIND: &str = "blastradius";

#[derive(Serialize)]
struct Document<'a> {
    metadata: Metadata,
    graph: Graph<'a>,
}

#[derive(Serialize)]
struct Metadata {
    source_kind: &'static str,
}

#[derive(Serialize)]
struct Graph<'a> {
    nodes: Vec<Node<'a>>,
    edges: Vec<Edge<'a>>,
}

type Properties = BTreeMap<String, Value>;

#[derive(Serialize)]
struct Node<'a> {
    id: &'a str,
    kinds: [&'a str; 1],
    properties: Properties,
}

#[derive(Serialize)]
struct End<'a> {
    value: &'a str,
    match_by: &'static str,
}

#[derive(Serialize)]
struct Edge<'a> {
    kind: &'static str,
    start: End<'a>,
    end: End<'a>,
    properties: Properties,
}

fn put(props: &mut Properties, key: &str, value: impl Into<Value>) {
    props.insert(key.to_string(), value.into());
}

/// Aligned arrays of names and numbers, left out when empty.
fn put_pairs<'a>(
    props: &mut Properties,
    names: &str,
    values: &str,
    pairs: impl IntoIterator<Item = (&'a str, f64)>,
) {
    let (n, v): (Vec<&str>, Vec<f64>) = pairs.into_iter().unzip();
    if !n.is_empty() {
        put(props, names, n);
        put(props, values, v);
    }
}

/// The `BR_Model` node's settings.
fn settings(model: &Model, results: Option<&ResultOverlay>) -> Properties {
    let mut props = Properties::new();
    put(&mut props, "name", model.name.as_str());
    if let Some(age) = model.program_age_days {
        put(&mut props, br::PROGRAM_AGE_DAYS, age);
    }
    put_pairs(
        &mut props,
        br::CATEGORY_NAMES,
        br::CATEGORY_WEIGHTS,
        model
            .categories
            .declared()
            .iter()
            .map(|(k, w)| (k.as_str(), *w)),
    );
    if !model.populations.is_empty() {
        let names: Vec<&str> = model.populations.keys().map(String::as_str).collect();
        let sizes: Vec<u64> = model.populations.values().copied().collect();
        put(&mut props, br::POPULATION_NAMES, names);
        put(&mut props, br::POPULATION_SIZES, sizes);
    }
    let (regimes, prefixes): (Vec<&str>, Vec<&str>) = model
        .notification
        .iter()
        .flat_map(|(r, list)| list.iter().map(move |p| (r.as_str(), p.as_str())))
        .unzip();
    if !regimes.is_empty() {
        put(&mut props, br::NOTIFICATION_REGIMES, regimes);
        put(&mut props, br::NOTIFICATION_PREFIXES, prefixes);
    }
    if let Some(m) = &model.money {
        // `[money]`: present exactly when the currency is; the tables as aligned arrays.
        put(&mut props, br::MONEY_CURRENCY, m.currency.as_str());
        put(&mut props, br::MONEY_PER_INCIDENT, m.per_incident);
        put_pairs(
            &mut props,
            br::MONEY_RECORD_CATEGORIES,
            br::MONEY_RECORD_COSTS,
            m.per_record.iter().map(|(c, x)| (c.as_str(), *x)),
        );
        put_pairs(
            &mut props,
            br::MONEY_PERSON_REGIMES,
            br::MONEY_PERSON_COSTS,
            m.per_person.iter().map(|(r, x)| (r.as_str(), *x)),
        );
    }
    if !model.entry.is_empty() {
        let names: Vec<&str> = model.entry.names().collect();
        put(&mut props, br::ENTRY_VECTORS, names);
        for (i, level) in crate::model::Mfa::NAMES.iter().enumerate() {
            let p: Vec<f64> = model.entry.by_name.values().map(|v| v.by_mfa[i]).collect();
            put(&mut props, &format!("{}{level}", br::ENTRY_MFA_PREFIX), p);
        }
        put_pairs(
            &mut props,
            br::ENTRY_SERVICE_VECTORS,
            br::ENTRY_SERVICE,
            model
                .entry
                .by_name
                .iter()
                .filter_map(|(n, v)| v.service.map(|x| (n.as_str(), x))),
        );
    }
    let p = &model.probabilities;
    for (key, x) in p.named() {
        put(&mut props, &format!("{}{key}", br::P_PREFIX), x);
    }
    put_pairs(
        &mut props,
        &format!("{}{}", br::P_PREFIX, br::CUSTOM_KINDS),
        &format!("{}{}", br::P_PREFIX, br::CUSTOM_VALUES),
        p.custom.iter().map(|(k, x)| (k.as_str(), *x)),
    );
    let t = &model.times;
    for (key, x) in t.named() {
        put(&mut props, &format!("{}{key}", br::TIME_PREFIX), x);
    }
    put(
        &mut props,
        &format!("{}distribution", br::TIME_PREFIX),
        t.distribution.as_str(),
    );
    put_pairs(
        &mut props,
        &format!("{}{}", br::TIME_PREFIX, br::CUSTOM_KINDS),
        &format!("{}{}", br::TIME_PREFIX, br::CUSTOM_VALUES),
        t.custom.iter().map(|(k, x)| (k.as_str(), *x)),
    );
    if let Some(r) = results {
        put(&mut props, "br_scenario", r.scenario.as_str());
    }
    props
}

/// A store's record sets as side-by-side arrays.
fn records(model: &Model, store: u32, props: &mut Properties) {
    let sets: Vec<_> = model
        .record_sets
        .iter()
        .filter(|r| r.store == store)
        .collect();
    if let Some(d) = model.store_policy[store as usize].retention_days {
        put(props, br::RETENTION_DAYS, d);
    }
    if sets.is_empty() {
        return;
    }
    let amounts = |per_day: bool| -> Vec<u64> {
        sets.iter()
            .map(|r| match (r.amount, per_day) {
                (Amount::Count(c), false) | (Amount::PerDay(c), true) => c,
                _ => 0,
            })
            .collect()
    };
    put(
        props,
        br::RECORD_CATEGORIES,
        sets.iter().map(|r| r.category.as_str()).collect::<Vec<_>>(),
    );
    put(props, br::RECORD_COUNTS, amounts(false));
    put(props, br::RECORD_PER_DAY, amounts(true));
    if sets.iter().any(|r| r.retention_days.is_some()) {
        let days: Vec<i64> = sets
            .iter()
            .map(|r| r.retention_days.map_or(-1, i64::from))
            .collect();
        put(props, br::RECORD_RETENTION_DAYS, days);
    }
    if sets.iter().any(|r| r.subjects.is_some()) {
        let subjects: Vec<&str> = sets
            .iter()
            .map(|r| r.subjects.as_deref().unwrap_or(""))
            .collect();
        let coverage: Vec<f64> = sets.iter().map(|r| r.coverage).collect();
        put(props, br::RECORD_SUBJECTS, subjects);
        put(props, br::RECORD_COVERAGE, coverage);
    }
}

/// An id for the `BR_Model` node that no model node has.
fn settings_id(model: &Model) -> String {
    let mut id = "br-model".to_string();
    let mut n = 1;
    while model.node_id(&id).is_some() {
        n += 1;
        id = format!("br-model-{n}");
    }
    id
}

/// Checks that every id a result names is in the model.
fn check_results(model: &Model, r: &ResultOverlay) -> Result<()> {
    let unknown: BTreeSet<&str> = r
        .compromised
        .iter()
        .chain(&r.entry_points)
        .chain(&r.leaked_stores)
        .chain(&r.tampered_stores)
        .chain(r.store_records.keys())
        .chain(r.breach_probability.keys())
        .map(String::as_str)
        .filter(|id| model.node_id(id).is_none())
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    let shown: Vec<String> = unknown.iter().take(5).map(|id| format!("`{id}`")).collect();
    Err(Error::Input(format!(
        "the results name {} id{} that model `{}` does not have ({}{}); were they computed on another model?",
        unknown.len(),
        if unknown.len() == 1 { "" } else { "s" },
        model.name,
        shown.join(", "),
        if unknown.len() > 5 { ", …" } else { "" }
    )))
}

/// The model, and the results when given, as OpenGraph JSON text.
pub fn render(model: &Model, results: Option<&ResultOverlay>) -> Result<String> {
    if let Some(r) = results {
        check_results(model, r)?;
    }
    let settings_id = settings_id(model);
    fn set(list: Option<&Vec<String>>) -> BTreeSet<&str> {
        list.map(|l| l.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }
    let compromised = set(results.map(|r| &r.compromised));
    let entry = set(results.map(|r| &r.entry_points));
    let leaked = set(results.map(|r| &r.leaked_stores));
    let tampered = set(results.map(|r| &r.tampered_stores));

    let mut nodes = vec![Node {
        id: &settings_id,
        kinds: [MODEL_KIND],
        properties: settings(model, results),
    }];
    for (n, node) in model.nodes.iter().enumerate() {
        let n = n as u32;
        let mut props = Properties::new();
        // The display name when the node has one (so an import gives it back), else the id.
        put(
            &mut props,
            "name",
            model.name_of(n).unwrap_or(node.id.as_str()),
        );
        put(&mut props, br::KIND, node.kind.as_str());
        match node.kind {
            NodeKind::Account => {
                put(&mut props, br::MFA, model.mfa[n as usize].as_str());
                let kind = match model.account_kind[n as usize] {
                    AccountKind::Human => "human",
                    AccountKind::Service => "service",
                };
                put(&mut props, br::ACCOUNT_KIND, kind);
            }
            NodeKind::Store => records(model, n, &mut props),
            _ => {}
        }
        if let Some(r) = results {
            let id = node.id.as_str();
            put(&mut props, "br_compromised", compromised.contains(id));
            put(&mut props, "br_entry_point", entry.contains(id));
            if node.kind == NodeKind::Store {
                put(&mut props, "br_leaked", leaked.contains(id));
                put(&mut props, "br_tampered", tampered.contains(id));
                let (records, exposure) = r.store_records.get(id).copied().unwrap_or((0, 0.0));
                put(&mut props, "br_records_exposed", records);
                put(&mut props, "br_exposure", exposure);
                if let Some(p) = r.breach_probability.get(id) {
                    put(&mut props, "br_breach_probability", *p);
                }
            }
        }
        nodes.push(Node {
            id: &node.id,
            kinds: [br_node_kind(node.kind)],
            properties: props,
        });
    }

    let end = |n: u32| End {
        value: model.id(n),
        match_by: "id",
    };
    let mut edges = Vec::with_capacity(model.links.len() + model.flows.len());
    for link in &model.links {
        let mut props = Properties::new();
        put(&mut props, "traversable", link.kind.is_traversable());
        put(&mut props, "p", model.link_p(link));
        if let LinkKind::Custom(label) = &link.kind {
            put(&mut props, br::LABEL, label.as_str());
        }
        if let Some(t) = link.time() {
            put(&mut props, br::TIME, t);
        }
        if let Some(d) = link.last_used_days() {
            put(&mut props, br::LAST_USED_DAYS, d);
        }
        edges.push(Edge {
            kind: br_edge_kind(&link.kind),
            start: end(link.from),
            end: end(link.to),
            properties: props,
        });
    }
    for flow in &model.flows {
        let mut props = Properties::new();
        put(&mut props, "traversable", false);
        if let Some(c) = &flow.categories {
            put(&mut props, br::CATEGORIES, c.clone());
        }
        edges.push(Edge {
            kind: FLOW_EDGE_KIND,
            start: end(flow.from),
            end: end(flow.to),
            properties: props,
        });
    }
    let doc = Document {
        metadata: Metadata {
            source_kind: SOURCE_KIND,
        },
        graph: Graph { nodes, edges },
    };
    let mut text = serde_json::to_string_pretty(&doc).expect("OpenGraph documents serialise");
    text.push('\n');
    Ok(text)
}
