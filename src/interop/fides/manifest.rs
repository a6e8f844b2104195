//! Fides manifests read into plain structs: datasets (collections, their fields' categories,
//! retention), systems (type, dataset references, egress and ingress) and custom data
//! categories. Every category is checked against the fideslang taxonomy once all files are
//! read (a file may declare categories another uses); every problem is located.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::taxonomy;
use super::yaml::{self, File, Node, Place, MAX_DEPTH};
use crate::error::{did_you_mean, Diagnostic, Error, Result, Severity};

/// A dataset's or collection's `retention`: a number of days, or free text (reported, not
/// guessed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Retention {
    Days(u32),
    Text(String),
}

/// A Fides dataset: a store's worth of collections.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The `fides_key`; a template placeholder (`<instance_fides_key>`) is replaced by the
    /// file's name.
    pub key: String,
    pub name: Option<String>,
    pub retention: Option<Retention>,
    pub collections: Vec<Collection>,
    pub at: Place,
}

/// A collection (table, API object): its categories are those of its fields at any depth and
/// its own `data_categories`.
#[derive(Debug, Clone)]
pub struct Collection {
    pub name: String,
    pub categories: BTreeSet<String>,
    /// Fields at any depth, and those with at least one category.
    pub fields: usize,
    pub categorised: usize,
    pub retention: Option<Retention>,
    pub at: Place,
}

/// An `egress` or `ingress` entry: the other end and its type (`system`, `dataset`, `user`).
#[derive(Debug, Clone)]
pub struct FlowRef {
    pub key: String,
    pub kind: String,
    pub categories: Option<Vec<String>>,
    pub at: Place,
}

/// A Fides system.
#[derive(Debug, Clone)]
pub struct System {
    pub key: String,
    pub name: Option<String>,
    pub system_type: Option<String>,
    /// Datasets named by its privacy declarations (and a system-level `dataset_references`).
    pub datasets: Vec<(String, Place)>,
    pub egress: Vec<FlowRef>,
    pub ingress: Vec<FlowRef>,
    pub at: Place,
}

/// Everything read from a set of manifest files.
#[derive(Debug, Clone, Default)]
pub struct Manifests {
    pub datasets: Vec<Dataset>,
    pub systems: Vec<System>,
    /// Custom `data_category` entries, added to the taxonomy.
    pub custom_categories: Vec<String>,
    pub warnings: Vec<Diagnostic>,
}

/// A category as written, kept until the taxonomy is complete.
struct Written {
    name: String,
    at: Place,
}

/// Reads the manifest files at `paths` (each with the name to show).
pub fn read_manifests(paths: &[(&Path, &str)]) -> Result<Manifests> {
    let mut texts = Vec::new();
    for (path, shown) in paths {
        let text = crate::load::input::read_text(path).map_err(|source| Error::Read {
            path: shown.to_string(),
            source,
        })?;
        texts.push((shown.to_string(), text));
    }
    let refs: Vec<(&str, &str)> = texts
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    parse_manifests(&refs)
}

/// Reads manifests from text: (name shown, text) pairs.
pub fn parse_manifests(texts: &[(&str, &str)]) -> Result<Manifests> {
    let mut problems = Vec::new();
    let mut out = Manifests::default();
    let mut written = Vec::new();
    let mut lacking = Vec::new();
    for (name, text) in texts {
        let docs = match yaml::parse(name, text) {
            Ok(d) => d,
            Err(d) => {
                problems.push(d);
                continue;
            }
        };
        let mut f = File {
            name: name.to_string(),
            problems: &mut problems,
        };
        for doc in &docs {
            read_document(&mut f, doc, &mut out, &mut written);
        }
        lacking.extend(without_manifest(name, &docs));
    }
    let nothing = out.datasets.is_empty() && out.systems.is_empty();
    for (mut d, other_fides) in lacking {
        if other_fides && !nothing {
            d.severity = Severity::Warning;
            d.message.push_str("; skipped");
        } else if !other_fides {
            d.message.insert_str(0, "not a Fides manifest: ");
        }
        problems.push(d);
    }
    if nothing && !problems.iter().any(|d| d.severity == Severity::Error) {
        problems.push(Diagnostic {
            severity: Severity::Error,
            file: texts.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "),
            line: None,
            column: None,
            message: "no Fides `system` or `dataset` in any file: nothing to import".into(),
        });
    }
    check_categories(&out, &written, &mut problems);
    check_keys(&out, &mut problems);
    let (errors, warnings): (Vec<_>, Vec<_>) = problems
        .into_iter()
        .partition(|d| d.severity == Severity::Error);
    if !errors.is_empty() {
        return Err(Error::Invalid { problems: errors });
    }
    out.warnings = warnings;
    Ok(out)
}

/// The top-level keys a Fides manifest we import holds.
const MANIFEST_KEYS: [&str; 3] = ["system", "dataset", "data_category"];

/// Top-level keys of the other fideslang resources (a Fides project's folder holds them beside
/// its systems and datasets).
const OTHER_FIDES_KEYS: [&str; 6] = [
    "organization",
    "policy",
    "registry",
    "data_use",
    "data_subject",
    "evaluation",
];

/// A file none of whose documents holds a `system`, `dataset` or `data_category` key: what it
/// holds instead, and whether that is another fideslang resource (a policy, an organization).
/// Another resource is skipped with a warning when other files give systems or datasets, an
/// error when none do (the import would write an empty model); anything else (an IAM dump, an
/// empty file) is an error. Documents that are not mappings were reported already.
fn without_manifest(name: &str, docs: &[Node]) -> Option<(Diagnostic, bool)> {
    let mappings: Vec<&Node> = docs.iter().filter(|d| yaml::is_mapping(d)).collect();
    if mappings.len() < docs.len() {
        return None;
    }
    let keys: Vec<String> = mappings
        .iter()
        .flat_map(|d| yaml::keys(d))
        .map(|(k, _)| k)
        .collect();
    if keys.iter().any(|k| MANIFEST_KEYS.contains(&k.as_str())) {
        return None;
    }
    let other_fides = keys.iter().any(|k| OTHER_FIDES_KEYS.contains(&k.as_str()));
    let holds = if docs.is_empty() {
        "the file is empty".to_string()
    } else if keys.is_empty() {
        "it holds no top-level keys".to_string()
    } else {
        let mut shown: Vec<String> = keys.iter().take(5).map(|k| format!("`{k}`")).collect();
        if keys.len() > 5 {
            shown.push(format!("{} more", keys.len() - 5));
        }
        format!("its top-level keys are {}", shown.join(", "))
    };
    let d = Diagnostic {
        severity: Severity::Error,
        file: name.to_string(),
        line: mappings.first().map(|d| d.span.start.line().max(1)),
        column: mappings.first().map(|d| d.span.start.col() + 1),
        message: format!("no `system`, `dataset` or `data_category` list ({holds})"),
    };
    Some((d, other_fides))
}

fn read_document(f: &mut File, doc: &Node, out: &mut Manifests, written: &mut Vec<Written>) {
    if !f.is_mapping(doc, "a Fides manifest") {
        return;
    }
    for (key, value) in yaml::keys(doc) {
        if !matches!(key.as_str(), "dataset" | "system" | "data_category") {
            continue;
        }
        let items = f.list(doc, &key);
        let _ = value;
        for item in items {
            if !f.is_mapping(item, &format!("a `{key}` entry")) {
                continue;
            }
            match key.as_str() {
                "dataset" => {
                    if let Some(d) = dataset(f, item, written) {
                        out.datasets.push(d);
                    }
                }
                "system" => {
                    if let Some(s) = system(f, item, written) {
                        out.systems.push(s);
                    }
                }
                _ => {
                    if let Some(k) = required_key(f, item, "a data category") {
                        out.custom_categories.push(k);
                    }
                }
            }
        }
    }
}

fn required_key(f: &mut File, item: &Node, what: &str) -> Option<String> {
    let key = f.text(item, "fides_key");
    if key.is_none() && f.get(item, "fides_key").is_none() {
        f.error(item, format!("{what} without a `fides_key`"));
    }
    key.filter(|k| !k.is_empty())
}

/// The `data_categories` of an entry, remembered for the taxonomy check.
fn categories(f: &mut File, item: &Node, written: &mut Vec<Written>) -> Vec<String> {
    let mut out = Vec::new();
    for c in f.list(item, "data_categories") {
        match yaml::text(c) {
            Some(name) => {
                written.push(Written {
                    name: name.clone(),
                    at: f.place(c),
                });
                out.push(name);
            }
            None => f.error(
                c,
                format!("a data category must be text, not {}", yaml::what(c)),
            ),
        }
    }
    out
}

fn retention(f: &mut File, item: &Node, whose: &str) -> Option<Retention> {
    let v = f.get(item, "retention")?;
    let r = match yaml::integer(v) {
        Some(d) => u32::try_from(d).ok().map(Retention::Days),
        None => yaml::text(v).map(|t| parse_retention(&t)),
    };
    match &r {
        Some(Retention::Text(t)) => f.warning(
            v,
            format!("{whose}: retention `{t}` is not a number of days, so it is not applied (reported, not guessed)"),
        ),
        None => f.error(v, "`retention` must be a number of days or text"),
        _ => {}
    }
    r
}

/// `30`, `30 days`, `1 day` are days; anything else is free text.
fn parse_retention(t: &str) -> Retention {
    let s = t.trim().to_ascii_lowercase();
    let number = s
        .strip_suffix("days")
        .or_else(|| s.strip_suffix("day"))
        .unwrap_or(&s)
        .trim();
    match number.parse::<u32>() {
        Ok(d) => Retention::Days(d),
        Err(_) => Retention::Text(t.to_string()),
    }
}

fn dataset(f: &mut File, item: &Node, written: &mut Vec<Written>) -> Option<Dataset> {
    let mut key = required_key(f, item, "a dataset")?;
    if key.starts_with('<') && key.ends_with('>') {
        // fidesops' SaaS datasets: a template filled in when a connector is instantiated.
        let stem = Path::new(&f.name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        f.warning(
            f.get(item, "fides_key").unwrap_or(item),
            format!("dataset key `{key}` is a template placeholder; the dataset is named `{stem}` after its file"),
        );
        key = stem;
    }
    // A dataset's own categories describe it as a whole; they are checked, not counted.
    categories(f, item, written);
    let kept = retention(f, item, &format!("dataset `{key}`"));
    let mut collections: Vec<Collection> = Vec::new();
    for c in f.list(item, "collections") {
        if !f.is_mapping(c, "a collection") {
            continue;
        }
        let Some(name) = f.text(c, "name") else {
            f.error(
                c,
                format!("a collection of dataset `{key}` without a `name`"),
            );
            continue;
        };
        if collections.iter().any(|o| o.name == name) {
            f.error(
                c,
                format!("dataset `{key}` has two collections named `{name}`"),
            );
            continue;
        }
        let mut col = Collection {
            name: name.clone(),
            categories: categories(f, c, written).into_iter().collect(),
            fields: 0,
            categorised: 0,
            retention: retention(f, c, &format!("collection `{key}.{name}`")),
            at: f.place(c),
        };
        fields(f, c, &mut col, written, 0);
        collections.push(col);
    }
    Some(Dataset {
        key,
        name: f.text(item, "name"),
        retention: kept,
        collections,
        at: f.place(item),
    })
}

/// The fields of a collection or a field, at any depth.
fn fields(f: &mut File, parent: &Node, col: &mut Collection, w: &mut Vec<Written>, depth: usize) {
    let list = f.list(parent, "fields");
    if depth >= MAX_DEPTH && !list.is_empty() {
        f.error(parent, format!("fields nest more than {MAX_DEPTH} deep"));
        return;
    }
    for field in list {
        if !f.is_mapping(field, "a field") {
            continue;
        }
        if f.text(field, "name").is_none() {
            f.error(field, "a field without a `name`");
        }
        col.fields += 1;
        let cats = categories(f, field, w);
        if !cats.is_empty() {
            col.categorised += 1;
        }
        col.categories.extend(cats);
        if let Some(r) = f.get(field, "retention") {
            f.warning(
                r,
                "field retention is not applied: a collection's records share its retention",
            );
        }
        fields(f, field, col, w, depth + 1);
    }
}

fn flow_refs(f: &mut File, item: &Node, key: &str, w: &mut Vec<Written>) -> Vec<FlowRef> {
    let mut out = Vec::new();
    for e in f.list(item, key) {
        if !f.is_mapping(e, &format!("an `{key}` entry")) {
            continue;
        }
        let Some(other) = required_key(f, e, &format!("an `{key}` entry")) else {
            continue;
        };
        let kind = f.text(e, "type").unwrap_or_else(|| "system".into());
        let categories = f
            .get(e, "data_categories")
            .is_some()
            .then(|| categories(f, e, w));
        out.push(FlowRef {
            key: other,
            kind,
            categories,
            at: f.place(e),
        });
    }
    out
}

fn system(f: &mut File, item: &Node, w: &mut Vec<Written>) -> Option<System> {
    let key = required_key(f, item, "a system")?;
    let mut datasets = Vec::new();
    let mut refs: Vec<&Node> = f.list(item, "dataset_references").iter().collect();
    for decl in f.list(item, "privacy_declarations") {
        if !f.is_mapping(decl, "a privacy declaration") {
            continue;
        }
        categories(f, decl, w);
        refs.extend(f.list(decl, "dataset_references"));
    }
    for r in refs {
        match yaml::text(r) {
            Some(d) => {
                if !datasets.iter().any(|(o, _)| *o == d) {
                    datasets.push((d, f.place(r)));
                }
            }
            None => f.error(r, "a dataset reference must be a dataset's fides_key"),
        }
    }
    Some(System {
        name: f.text(item, "name"),
        system_type: f.text(item, "system_type"),
        datasets,
        egress: flow_refs(f, item, "egress", w),
        ingress: flow_refs(f, item, "ingress", w),
        at: f.place(item),
        key,
    })
}

/// Every category written is a fideslang name or a custom one.
fn check_categories(m: &Manifests, written: &[Written], problems: &mut Vec<Diagnostic>) {
    let custom: BTreeSet<&str> = m.custom_categories.iter().map(String::as_str).collect();
    for w in written {
        if taxonomy::is_known(&w.name) || custom.contains(w.name.as_str()) {
            continue;
        }
        let mut known: Vec<&str> = taxonomy::names().collect();
        known.extend(custom.iter().copied());
        let hint = did_you_mean(&w.name, known);
        problems.push(w.at.diagnostic(
            Severity::Error,
            format!(
                "`{}` is not a fideslang data category (nor a custom `data_category` of these files){hint}",
                w.name
            ),
        ));
    }
}

/// Dataset and system keys are unique, and no system shares a key with a dataset (both become
/// nodes).
fn check_keys(m: &Manifests, problems: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<&str, &Place> = BTreeMap::new();
    let all = m
        .datasets
        .iter()
        .map(|d| (&d.key, &d.at, "dataset"))
        .chain(m.systems.iter().map(|s| (&s.key, &s.at, "system")));
    for (key, at, what) in all {
        if let Some(first) = seen.insert(key, at) {
            problems.push(at.diagnostic(
                Severity::Error,
                format!(
                    "{what} `{key}`: the fides_key is already used at {}:{}:{}",
                    first.file, first.line, first.column
                ),
            ));
        }
    }
}
