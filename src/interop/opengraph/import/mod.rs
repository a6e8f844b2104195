//! Documents into a model through a mapping, in phases over one [`Draft`]: nodes merged by id
//! across documents and classified (`nodes.rs`); model-wide settings (`settings.rs`); each node
//! added with its MFA and records (`nodes.rs`, `records.rs`); edge ends resolved (`index.rs`)
//! and edges made links, flows or custom steps (`edges.rs`). Properties are read through
//! `reader.rs`, which reports each problem against its node or edge.

mod edges;
mod index;
mod nodes;
mod reader;
mod records;
mod settings;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use super::document::Document;
use super::mapping::Mapping;
use crate::error::{Diagnostic, Error, Result};
use crate::interop::opengraph::mapping::ProfileChoice;
use crate::model::{counted, Model, NodeKind};

/// Figures of one import, for the summary the CLI prints.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportSummary {
    pub documents: usize,
    /// The collector profiles the documents were read with, in order of first use.
    pub profiles: Vec<ProfileUse>,
    /// Documents no profile recognised, read with the generic rules alone.
    pub generic_documents: usize,
    pub nodes_read: usize,
    pub edges_read: usize,
    /// Nodes of the model, by kind.
    pub nodes: BTreeMap<&'static str, usize>,
    /// Nodes whose kinds no rule names (they became `unknown_kind`), by primary kind.
    pub unknown_kinds: BTreeMap<String, usize>,
    /// Traversable links made (custom steps and native links other than write).
    pub attack_edges: usize,
    /// Write grants and write access: listed for tampering, not traversed.
    pub write_links: usize,
    pub flows: usize,
    /// Edges neither traversable nor mapped to a link.
    pub ignored_edges: usize,
    /// Edges with an end that matches no node, by edge kind.
    pub dangling: BTreeMap<String, usize>,
    /// Of those, how many were traversable or mapped.
    pub dangling_traversable: usize,
    pub merged_nodes: usize,
    pub duplicate_edges: usize,
    /// Traversable edges from a node to itself, which gain nothing and are dropped.
    pub self_loops: usize,
}

/// A collector profile used by an import: its name, how it was recognised and for how many
/// documents.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileUse {
    pub name: String,
    /// Documents recognised by their `metadata.source_kind`.
    pub by_source_kind: usize,
    /// Documents recognised by the kinds they hold.
    pub by_kinds: usize,
}

impl ProfileUse {
    /// How the profile's documents were recognised, e.g. `from metadata.source_kind`.
    fn how(&self, one_document: bool) -> String {
        let (s, k) = (self.by_source_kind, self.by_kinds);
        let (a, b) = (
            ProfileChoice::SourceKind.describe(),
            ProfileChoice::KindPrefixes.describe(),
        );
        match (s, k) {
            _ if one_document => (if s > 0 { a } else { b }).to_string(),
            (_, 0) => format!("{}, {a}", counted(s, "document", "documents")),
            (0, _) => format!("{}, {b}", counted(k, "document", "documents")),
            _ => format!(
                "{}: {s} {a}, {k} {b}",
                counted(s + k, "document", "documents")
            ),
        }
    }
}

impl ImportSummary {
    /// The line that names the profiles used, such as
    /// `profile: SnowHound (from metadata.source_kind)`; empty when no document was of a known
    /// collector (blastradius's own export, a hand-made graph), which the generic rules read.
    pub fn profile_line(&self) -> String {
        if self.profiles.is_empty() {
            return String::new();
        }
        let mut parts: Vec<String> = self
            .profiles
            .iter()
            .map(|p| format!("{} ({})", p.name, p.how(self.documents == 1)))
            .collect();
        if self.generic_documents > 0 {
            parts.push(format!(
                "no collector recognised{}, generic rules",
                if self.documents == 1 {
                    String::new()
                } else {
                    format!(
                        " ({})",
                        counted(self.generic_documents, "document", "documents")
                    )
                }
            ));
        }
        let label = if self.profiles.len() > 1 {
            "profiles"
        } else {
            "profile"
        };
        format!("{label}: {}\n", parts.join("; "))
    }
}

/// A model made from OpenGraph documents, with what the import noticed.
#[derive(Debug, Clone)]
pub struct Imported {
    pub model: Model,
    pub warnings: Vec<Diagnostic>,
    pub summary: ImportSummary,
}

/// The largest counts, `kind (n)`, most first, then how many more there are.
fn list_counts(counts: &BTreeMap<String, usize>, limit: usize) -> String {
    let mut sorted: Vec<(&String, &usize)> = counts.iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let mut parts: Vec<String> = sorted
        .iter()
        .take(limit)
        .map(|(k, n)| format!("{k} ({n})"))
        .collect();
    if sorted.len() > limit {
        parts.push(format!("and {} more", sorted.len() - limit));
    }
    parts.join(", ")
}

/// What a merged node becomes.
enum Target {
    /// A node of the model, and whether it is one of blastradius's own (`BR_` kinds).
    Node(NodeKind, bool),
    Settings,
}

/// One import under way: the model it builds and what it has noticed so far. Each phase adds
/// to it; problems are collected over every phase and reported at the end.
struct Draft<'a> {
    mapping: &'a Mapping,
    /// Each document's collector profile, by index (none: generic rules).
    profiles: Vec<Option<usize>>,
    /// The documents' names, by index, for messages.
    files: Vec<String>,
    model: Model,
    summary: ImportSummary,
    problems: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl<'a> Draft<'a> {
    fn new(docs: &[Document], mapping: &'a Mapping) -> Draft<'a> {
        let mut model = Model::default();
        model.probabilities.edge = mapping.default_p;
        let recognised = mapping.recognise(docs);
        let mut uses: Vec<ProfileUse> = Vec::new();
        for (i, how) in recognised.iter().flatten() {
            let name = &mapping.profiles[*i].name;
            let at = match uses.iter().position(|u| &u.name == name) {
                Some(at) => at,
                None => {
                    uses.push(ProfileUse {
                        name: name.clone(),
                        by_source_kind: 0,
                        by_kinds: 0,
                    });
                    uses.len() - 1
                }
            };
            match how {
                ProfileChoice::SourceKind => uses[at].by_source_kind += 1,
                ProfileChoice::KindPrefixes => uses[at].by_kinds += 1,
            }
        }
        Draft {
            mapping,
            profiles: recognised.iter().map(|r| r.map(|(i, _)| i)).collect(),
            files: docs.iter().map(|d| d.name.clone()).collect(),
            model,
            summary: ImportSummary {
                documents: docs.len(),
                profiles: uses,
                generic_documents: recognised.iter().filter(|r| r.is_none()).count(),
                ..ImportSummary::default()
            },
            problems: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// The file warnings about the whole input are filed under.
    fn first_file(&self) -> &str {
        self.files.first().map_or("", String::as_str)
    }

    /// The model, or every problem found; an input without nodes imports nothing.
    fn finish(self) -> Result<Imported> {
        if !self.problems.is_empty() {
            return Err(Error::Invalid {
                problems: self.problems,
            });
        }
        if self.model.node_count() == 0 {
            return Err(Error::Input(format!(
                "{}: the OpenGraph input has no nodes to import",
                self.files.join(", ")
            )));
        }
        Ok(Imported {
            model: self.model.canonical(),
            warnings: self.warnings,
            summary: self.summary,
        })
    }
}

/// Turns documents into a model through `mapping`. Problems with the input (a `p` outside
/// 0..1, records that do not add up, a malformed edge end) are all reported at once; ends that
/// match no node are warnings.
pub fn import(docs: Vec<Document>, mapping: &Mapping) -> Result<Imported> {
    let mut draft = Draft::new(&docs, mapping);
    let source_kinds: BTreeSet<String> =
        docs.iter().filter_map(|d| d.source_kind.clone()).collect();
    let (nodes, edges) = draft.merge(docs);
    let targets = draft.classify(&nodes);
    // Model-wide settings first: records and probabilities depend on them.
    draft.settings(&nodes, &targets, &source_kinds);
    let (ids, odd_mfa) = draft.add_nodes(&nodes, &targets);
    draft.warn_about_nodes(odd_mfa);
    draft.connect(&nodes, &edges, &ids);
    draft.check_flowed_records_are_bounded();
    draft.finish()
}
