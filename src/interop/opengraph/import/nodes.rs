//! Nodes: every document's entries merged by id (OpenGraph's upsert), each classified as the
//! settings node, one of blastradius's own `BR_` nodes or what the mapping makes of its kinds,
//! and then added to the model with its MFA, account kind and records.

use std::collections::HashMap;

use super::index::OgNode;
use super::reader::Reader;
use super::records::read_records;
use super::{list_counts, Draft, Target};
use crate::interop::opengraph::document::{
    problem, warning, Document, Prop, Props, RawEdge, Scalar, NAME_PROPERTIES,
};
use crate::interop::opengraph::mapping::KindRule;
use crate::interop::opengraph::vocab::{br, br_node_kind, MODEL_KIND};
use crate::model::counted as plural;
use crate::model::{AccountKind, Mfa, Model, NodeId, NodeKind};

impl Draft<'_> {
    /// Merges the documents' nodes by id: a later entry adds its kinds and properties to the
    /// first, which keeps its place for messages. Returns the nodes, and every edge with the
    /// index of its document and its index there.
    pub(super) fn merge(
        &mut self,
        docs: Vec<Document>,
    ) -> (Vec<OgNode>, Vec<(usize, usize, RawEdge)>) {
        let mut nodes: Vec<OgNode> = Vec::new();
        let mut by_id: HashMap<String, usize> = HashMap::new();
        let mut edges: Vec<(usize, usize, RawEdge)> = Vec::new();
        for (d, doc) in docs.into_iter().enumerate() {
            self.summary.nodes_read += doc.nodes.len();
            self.summary.edges_read += doc.edges.len();
            for (i, n) in doc.nodes.into_iter().enumerate() {
                if n.id.trim().is_empty() {
                    self.problems.push(problem(
                        &doc.name,
                        format!("graph.nodes[{i}]: the node's `id` is empty"),
                    ));
                    continue;
                }
                match by_id.get(&n.id) {
                    Some(&j) => {
                        self.summary.merged_nodes += 1;
                        let into = &mut nodes[j];
                        for k in n.kinds {
                            if !into.kinds.contains(&k) {
                                into.kinds.push(k);
                            }
                        }
                        into.props.merge(n.properties);
                    }
                    None => {
                        by_id.insert(n.id.clone(), nodes.len());
                        nodes.push(OgNode {
                            id: n.id,
                            kinds: n.kinds,
                            props: n.properties,
                            doc: d,
                            index: i,
                        });
                    }
                }
            }
            edges.extend(doc.edges.into_iter().enumerate().map(|(i, e)| (d, i, e)));
        }
        (nodes, edges)
    }

    /// What each node becomes; kinds no rule names are counted by primary kind.
    pub(super) fn classify(&mut self, nodes: &[OgNode]) -> Vec<Target> {
        let mapping = self.mapping;
        let summary = &mut self.summary;
        let profiles = &self.profiles;
        nodes
            .iter()
            .map(|n| {
                if n.has_kind(MODEL_KIND) {
                    return Target::Settings;
                }
                if let Some(k) = NodeKind::ALL
                    .into_iter()
                    .find(|&k| n.has_kind(br_node_kind(k)))
                {
                    return Target::Node(k, true);
                }
                let kinds: Vec<&str> = n.kinds.iter().map(String::as_str).collect();
                match mapping.kind_rule(&kinds, profiles[n.doc]) {
                    Some(rule) => Target::Node(rule.kind, false),
                    None => {
                        let primary = n
                            .kinds
                            .first()
                            .cloned()
                            .unwrap_or_else(|| "(no kind)".into());
                        *summary.unknown_kinds.entry(primary).or_default() += 1;
                        Target::Node(mapping.unknown_kind, false)
                    }
                }
            })
            .collect()
    }

    /// Adds every node but the settings node to the model, accounts with their MFA and kind,
    /// stores with their records. Returns each merged node's id in the model (none for the
    /// settings node) and how many accounts had a foreign MFA value that was not understood.
    pub(super) fn add_nodes(
        &mut self,
        nodes: &[OgNode],
        targets: &[Target],
    ) -> (Vec<Option<NodeId>>, usize) {
        let mapping = self.mapping;
        let mut ids: Vec<Option<NodeId>> = vec![None; nodes.len()];
        let mut odd_mfa = 0;
        for (i, (n, t)) in nodes.iter().zip(targets).enumerate() {
            let Target::Node(kind, own) = *t else {
                continue;
            };
            let node = self.model.add_node(&n.id, kind);
            ids[i] = Some(node);
            if let Some(name) = display_name(&n.props).filter(|name| *name != n.id) {
                self.model.names.insert(node, name.to_string());
            }
            *self.summary.nodes.entry(kind.as_str()).or_default() += 1;
            let kinds: Vec<&str> = n.kinds.iter().map(String::as_str).collect();
            let rule = if own {
                None
            } else {
                mapping.kind_rule(&kinds, self.profiles[n.doc])
            };
            let mut r = Reader {
                file: &self.files[n.doc],
                at: n.at(),
                problems: &mut self.problems,
            };
            match kind {
                NodeKind::Account => {
                    let mfa = &mapping.properties.mfa;
                    if !read_account(&mut self.model, node, &n.props, rule, own, mfa, &mut r) {
                        odd_mfa += 1;
                    }
                }
                NodeKind::Store => read_records(
                    &mut self.model,
                    node,
                    &n.props,
                    rule,
                    &mapping.properties,
                    own,
                    &mut r,
                ),
                _ => {}
            }
        }
        (ids, odd_mfa)
    }

    /// Warnings about the nodes as a whole: unknown kinds, MFA values not understood, merges.
    pub(super) fn warn_about_nodes(&mut self, odd_mfa: usize) {
        let mapping = self.mapping;
        let first_file = self.first_file().to_string();
        let summary = &self.summary;
        let warnings = &mut self.warnings;
        if !summary.unknown_kinds.is_empty() {
            let n: usize = summary.unknown_kinds.values().sum();
            warnings.push(warning(
                &first_file,
                format!(
                    "{} of kinds no mapping rule names became {}s: {}",
                    plural(n, "node", "nodes"),
                    mapping.unknown_kind,
                    list_counts(&summary.unknown_kinds, 12)
                ),
            ));
        }
        if odd_mfa > 0 {
            warnings.push(warning(
                &first_file,
                format!(
                    "{} an `{}` property that is not none, otp or phishing_resistant; it was ignored",
                    plural(odd_mfa, "account has", "accounts have"),
                    mapping.properties.mfa
                ),
            ));
        }
        if summary.merged_nodes > 0 {
            warnings.push(warning(
                &first_file,
                format!(
                    "{} again in another place; each was merged with its first entry (kinds and properties together)",
                    plural(summary.merged_nodes, "node id appears", "node ids appear")
                ),
            ));
        }
    }
}

/// A node's display name: BloodHound's `name` property, else `displayname` (what overlays
/// select nodes by; the model keeps it when it is not the id itself).
fn display_name(props: &Props) -> Option<&str> {
    NAME_PROPERTIES
        .into_iter()
        .find_map(|key| match props.get(key) {
            Some(Prop::One(Scalar::Str(s))) if !s.trim().is_empty() => Some(s.as_str()),
            _ => None,
        })
}

/// Sets an account's MFA and kind from its properties or its kind's rule (none for our own
/// nodes). Our own export's values must be right; a foreign graph's property of that name may
/// mean something else, so an unknown value there is only counted: returns false for one.
fn read_account(
    model: &mut Model,
    node: NodeId,
    props: &Props,
    rule: Option<&KindRule>,
    own: bool,
    mfa_property: &str,
    r: &mut Reader,
) -> bool {
    let mut understood = true;
    let from_property = if own {
        r.mfa(props, br::MFA)
    } else {
        match props.get(mfa_property) {
            None => None,
            Some(Prop::One(Scalar::Str(s))) if Mfa::parse(s).is_some() => Mfa::parse(s),
            Some(_) => {
                understood = false;
                None
            }
        }
    };
    if let Some(m) = from_property.or(rule.and_then(|r| r.mfa)) {
        model.mfa[node as usize] = m;
    }
    let service = if own {
        r.str(props, br::ACCOUNT_KIND).as_deref() == Some("service")
    } else {
        rule.is_some_and(|r| r.service)
    };
    if service {
        model.account_kind[node as usize] = AccountKind::Service;
    }
    understood
}
