//! The merged nodes of all documents, and the lookups that resolve an edge's ends to them by
//! `id`, `name` or property matchers (OpenGraph's `match_by`), with the optional `kind` filter.

use std::collections::HashMap;

use crate::error::{did_you_mean, Diagnostic};
use crate::interop::opengraph::document::{problem, Prop, Props, RawEnd, Scalar};

/// A node after merging every document's entries with its id.
pub(super) struct OgNode {
    pub(super) id: String,
    pub(super) kinds: Vec<String>,
    pub(super) props: Props,
    /// Document and index of its first entry, for messages.
    pub(super) doc: usize,
    pub(super) index: usize,
}

impl OgNode {
    pub(super) fn has_kind(&self, k: &str) -> bool {
        self.kinds.iter().any(|x| x == k)
    }

    /// Where its first entry is, for messages: `graph.nodes[3] (`id`)`.
    pub(super) fn at(&self) -> String {
        format!("graph.nodes[{}] (`{}`)", self.index, self.id)
    }

    fn name(&self) -> Option<&str> {
        match self.props.get("name") {
            Some(Prop::One(Scalar::Str(s))) => Some(s),
            _ => None,
        }
    }
}

/// How an edge end resolved.
pub(super) enum End {
    Found(usize),
    Missing(String),
    Ambiguous(String, usize),
    Invalid,
}

/// Lookups from names and property values to nodes, built on first use.
pub(super) struct Index<'a> {
    nodes: &'a [OgNode],
    by_id: HashMap<&'a str, usize>,
    by_name: Option<HashMap<&'a str, Vec<usize>>>,
    by_property: HashMap<String, HashMap<String, Vec<usize>>>,
}

impl<'a> Index<'a> {
    pub(super) fn new(nodes: &'a [OgNode]) -> Index<'a> {
        Index {
            nodes,
            by_id: nodes
                .iter()
                .enumerate()
                .map(|(i, n)| (n.id.as_str(), i))
                .collect(),
            by_name: None,
            by_property: HashMap::new(),
        }
    }

    fn with_name(&mut self, name: &str) -> Vec<usize> {
        let nodes = self.nodes;
        let map = self.by_name.get_or_insert_with(|| {
            let mut m: HashMap<&str, Vec<usize>> = HashMap::new();
            for (i, n) in nodes.iter().enumerate() {
                if let Some(name) = n.name() {
                    m.entry(name).or_default().push(i);
                }
            }
            m
        });
        map.get(name).cloned().unwrap_or_default()
    }

    fn with_property(&mut self, key: &str, value: &Scalar) -> Vec<usize> {
        let nodes = self.nodes;
        let map = self.by_property.entry(key.to_string()).or_insert_with(|| {
            let mut m: HashMap<String, Vec<usize>> = HashMap::new();
            for (i, n) in nodes.iter().enumerate() {
                // `objectid` is BloodHound's name for the node id.
                let v = match n.props.get(key) {
                    None if key == "id" || key == "objectid" => {
                        Some(Prop::One(Scalar::Str(n.id.clone())))
                    }
                    v => v.cloned(),
                };
                match v {
                    Some(Prop::One(s)) => m.entry(s.key()).or_default().push(i),
                    Some(Prop::Many(items)) => {
                        for s in items {
                            m.entry(s.key()).or_default().push(i);
                        }
                    }
                    _ => {}
                }
            }
            for list in m.values_mut() {
                list.dedup();
            }
            m
        });
        map.get(&value.key()).cloned().unwrap_or_default()
    }

    /// Resolves an edge end; problems with its form go to `problems`.
    pub(super) fn resolve(
        &mut self,
        end: &RawEnd,
        file: &str,
        at: &str,
        problems: &mut Vec<Diagnostic>,
    ) -> End {
        let how = end.match_by.as_deref().unwrap_or("id");
        let mut candidates = match how {
            "id" | "name" => {
                let Some(value) = &end.value else {
                    problems.push(problem(
                        file,
                        format!("{at}: match_by `{how}` needs a `value`"),
                    ));
                    return End::Invalid;
                };
                if how == "id" {
                    self.by_id
                        .get(value.as_str())
                        .map(|&i| vec![i])
                        .unwrap_or_default()
                } else {
                    self.with_name(value)
                }
            }
            "property" => {
                let matchers = match &end.property_matchers {
                    Some(m) if !m.is_empty() => m,
                    _ => {
                        problems.push(problem(
                            file,
                            format!("{at}: match_by `property` needs a non-empty `property_matchers` list"),
                        ));
                        return End::Invalid;
                    }
                };
                let mut found: Option<Vec<usize>> = None;
                for m in matchers {
                    if let Some(op) = &m.operator {
                        if op != "equals" {
                            problems.push(problem(
                                file,
                                format!("{at}: property matcher operator `{op}` is not supported; OpenGraph defines `equals`"),
                            ));
                            return End::Invalid;
                        }
                    }
                    let hits = self.with_property(&m.key, &m.value);
                    found = Some(match found {
                        None => hits,
                        Some(prev) => prev.into_iter().filter(|i| hits.contains(i)).collect(),
                    });
                }
                found.unwrap_or_default()
            }
            other => {
                problems.push(problem(
                    file,
                    format!(
                        "{at}: match_by `{other}` is not id, name or property{}",
                        did_you_mean(other, ["id", "name", "property"])
                    ),
                ));
                return End::Invalid;
            }
        };
        if let Some(kind) = &end.kind {
            candidates.retain(|&i| self.nodes[i].has_kind(kind));
        }
        let shown = || match how {
            "property" => end
                .property_matchers
                .iter()
                .flatten()
                .map(|m| format!("{}={}", m.key, m.value))
                .collect::<Vec<_>>()
                .join(", "),
            _ => end.value.clone().unwrap_or_default(),
        };
        match candidates.len() {
            1 => End::Found(candidates[0]),
            0 => End::Missing(shown()),
            n => End::Ambiguous(shown(), n),
        }
    }
}
