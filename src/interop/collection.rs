//! `import`'s inputs: OpenGraph documents and SharpHound CE files, alone or in `.zip` archives
//! (which may hold either, or both), in any mix. Each file (or archive entry) is recognised by
//! its top-level keys (`graph` is OpenGraph; `data` with `meta` is SharpHound; see
//! [`sharphound::sniff`]), or read as the format the caller forces. SharpHound files become
//! OpenGraph documents, and all documents go through one [`opengraph::import`], so nodes with
//! the same id in several files (an AD user's SID in a SharpHound file and an MSSQLHound one)
//! are one node of the model.

use std::collections::BTreeMap;
use std::io::{BufReader, Read};
use std::path::Path;

use super::opengraph::{self, Document, Imported, Mapping};
use super::sharphound::{self, Shape, SharpHoundSummary};
use crate::error::{Diagnostic, Error, Result, Severity};
use crate::model::{AccountKind, NodeKind};

/// Which format the inputs are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Recognise each file (and archive entry) by its content.
    Auto,
    OpenGraph,
    SharpHound,
}

/// What one input file held, for the summary.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InputSummary {
    pub name: String,
    /// OpenGraph documents, with their nodes and edges.
    pub opengraph_documents: usize,
    pub opengraph_nodes: usize,
    pub opengraph_edges: usize,
    /// SharpHound files read, their objects by `meta.type`, and their format versions.
    pub sharphound_files: usize,
    pub sharphound_objects: BTreeMap<String, usize>,
    pub sharphound_versions: Vec<u64>,
}

impl InputSummary {
    /// The formats recognised, in words: "SharpHound CE v6: 13 files (…)", "OpenGraph: 1
    /// document (364 nodes, 582 edges)".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.sharphound_files > 0 {
            let n: usize = self.sharphound_objects.values().sum();
            let types: Vec<String> = self
                .sharphound_objects
                .iter()
                .map(|(t, n)| format!("{t} {n}"))
                .collect();
            let versions: Vec<String> = self
                .sharphound_versions
                .iter()
                .map(|v| format!("v{v}"))
                .collect();
            let count = self.sharphound_files;
            let files = if count == 1 { "file" } else { "files" };
            parts.push(format!(
                "SharpHound CE {}: {count} {files} ({n} object{}: {})",
                versions.join("+"),
                if n == 1 { "" } else { "s" },
                types.join(", ")
            ));
        }
        if self.opengraph_documents > 0 {
            parts.push(format!(
                "OpenGraph: {} document{} ({} nodes, {} edges)",
                self.opengraph_documents,
                if self.opengraph_documents == 1 {
                    ""
                } else {
                    "s"
                },
                self.opengraph_nodes,
                self.opengraph_edges
            ));
        }
        parts.join("; ")
    }
}

/// A model made from a mix of inputs, with what each file held.
#[derive(Debug, Clone)]
pub struct Collection {
    pub imported: Imported,
    pub inputs: Vec<InputSummary>,
    /// Present when any input was SharpHound.
    pub sharphound: Option<SharpHoundSummary>,
}

/// What the reading of every input keeps.
struct Reading {
    format: Format,
    docs: Vec<Document>,
    sharphound: sharphound::Reader,
    problems: Vec<Diagnostic>,
}

fn problem(file: &str, message: String) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        file: file.to_string(),
        line: None,
        column: None,
        message,
    }
}

impl Reading {
    /// What a JSON text is: `None` when the format is forced to OpenGraph (read as is).
    fn shape(&mut self, reader: impl Read, name: &str) -> Option<Option<Shape>> {
        if self.format == Format::OpenGraph {
            return Some(None);
        }
        match sharphound::sniff(reader, name) {
            Ok(Shape::OpenGraph) if self.format == Format::SharpHound => {
                self.problems.push(problem(
                    name,
                    "this is an OpenGraph document, not a SharpHound file; import it with `blastradius import` or `import opengraph`".into(),
                ));
                None
            }
            Ok(shape) => Some(Some(shape)),
            Err(p) => {
                self.problems.push(p);
                None
            }
        }
    }

    /// Reads one JSON text as `shape` says, into `summary`.
    fn read(
        &mut self,
        shape: Option<Shape>,
        reader: impl Read,
        name: &str,
        summary: &mut InputSummary,
    ) {
        match shape {
            Some(Shape::SharpHound(meta)) => match self.sharphound.read(reader, name, &meta) {
                Ok(doc) => {
                    summary.sharphound_files += 1;
                    *summary
                        .sharphound_objects
                        .entry(meta.object_type.clone())
                        .or_default() += doc.node_count();
                    if !summary.sharphound_versions.contains(&meta.version) {
                        summary.sharphound_versions.push(meta.version);
                        summary.sharphound_versions.sort_unstable();
                    }
                    self.docs.push(doc);
                }
                Err(ps) => self.problems.extend(ps),
            },
            _ => match opengraph::read_document(reader, name) {
                Ok(doc) => {
                    summary.opengraph_documents += 1;
                    summary.opengraph_nodes += doc.node_count();
                    summary.opengraph_edges += doc.edge_count();
                    self.docs.push(doc);
                }
                Err(p) => self.problems.push(p),
            },
        }
    }

    fn file(&mut self, path: &Path, shown: &str) -> InputSummary {
        let mut summary = InputSummary {
            name: shown.to_string(),
            ..InputSummary::default()
        };
        let open = |path: &Path| {
            crate::load::input::open(path).map_err(|e| problem(shown, format!("cannot read: {e}")))
        };
        match opengraph::is_zip(path) {
            Err(e) => self
                .problems
                .push(problem(shown, format!("cannot read: {e}"))),
            Ok(true) => self.zip(path, shown, &mut summary),
            Ok(false) => {
                let shape = match open(path) {
                    Ok(f) => self.shape(f, shown),
                    Err(p) => return self.failed(p, summary),
                };
                let Some(shape) = shape else {
                    return summary;
                };
                match open(path) {
                    Ok(f) => self.read(shape, f, shown, &mut summary),
                    Err(p) => self.problems.push(p),
                }
            }
        }
        summary
    }

    fn failed(&mut self, p: Diagnostic, summary: InputSummary) -> InputSummary {
        self.problems.push(p);
        summary
    }

    /// Every `.json` entry of a zip archive, each recognised on its own.
    fn zip(&mut self, path: &Path, shown: &str, summary: &mut InputSummary) {
        let file = match crate::load::input::open(path) {
            Ok(f) => f,
            Err(e) => {
                return self
                    .problems
                    .push(problem(shown, format!("cannot read: {e}")))
            }
        };
        let mut archive = match zip::ZipArchive::new(BufReader::new(file)) {
            Ok(a) => a,
            Err(e) => {
                return self.problems.push(problem(
                    shown,
                    format!("not a readable zip archive (is it truncated?): {e}"),
                ))
            }
        };
        let mut found = 0;
        for i in 0..archive.len() {
            let entry_name = match archive.by_index(i) {
                Ok(entry) if entry.is_dir() => continue,
                Ok(entry) => entry.name().to_string(),
                Err(e) => {
                    self.problems
                        .push(problem(shown, format!("cannot read entry {}: {e}", i + 1)));
                    continue;
                }
            };
            if !entry_name.to_ascii_lowercase().ends_with(".json") {
                continue;
            }
            found += 1;
            let name = format!("{shown}/{entry_name}");
            let shape = match archive.by_index(i) {
                Ok(entry) => self.shape(crate::load::input::capped(entry), &name),
                Err(e) => {
                    self.problems
                        .push(problem(&name, format!("cannot read: {e}")));
                    continue;
                }
            };
            let Some(shape) = shape else {
                continue;
            };
            match archive.by_index(i) {
                Ok(entry) => self.read(shape, crate::load::input::capped(entry), &name, summary),
                Err(e) => self
                    .problems
                    .push(problem(&name, format!("cannot read: {e}"))),
            }
        }
        if found == 0 {
            self.problems.push(problem(
                shown,
                "the zip archive holds no .json file to import".into(),
            ));
        }
    }
}

/// Reads the inputs (`path`, name to show) in `format` and imports them through `mapping` as
/// one graph. Every unreadable file is reported, not only the first.
pub fn import_collection(
    inputs: &[(&Path, &str)],
    format: Format,
    mapping: &Mapping,
) -> Result<Collection> {
    let mut reading = Reading {
        format,
        docs: Vec::new(),
        sharphound: sharphound::Reader::new(),
        problems: Vec::new(),
    };
    let summaries: Vec<InputSummary> = inputs
        .iter()
        .map(|&(path, shown)| reading.file(path, shown))
        .collect();
    if !reading.problems.is_empty() {
        return Err(Error::Invalid {
            problems: reading.problems,
        });
    }
    let last_sharphound = reading
        .docs
        .iter_mut()
        .rev()
        .find(|d| d.source_kind.as_deref() == Some(sharphound::SOURCE_KIND));
    if let Some(last) = last_sharphound {
        reading.sharphound.finish(last);
    }
    let mut imported = opengraph::import(reading.docs, mapping)?;
    let model = &mut imported.model;
    for id in reading.sharphound.service_accounts() {
        if let Some(n) = model.node_id(id) {
            if model.kind(n) == NodeKind::Account {
                model.account_kind[n as usize] = AccountKind::Service;
            }
        }
    }
    let used_sharphound = reading.sharphound.summary.files > 0;
    Ok(Collection {
        imported,
        inputs: summaries,
        sharphound: used_sharphound.then_some(reading.sharphound.summary),
    })
}
