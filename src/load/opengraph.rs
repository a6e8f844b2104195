//! BloodHound OpenGraph JSON (DESIGN.md "Other formats") into a [`Model`], through a mapping.
//!
//! An OpenGraph file is `{"metadata": {"source_kind"}, "graph": {"nodes": [...], "edges": [...]}}`
//! (schema in `SpecterOps/BloodHound`, `cmd/api/src/services/upload/jsonschema/`). Loading runs
//! in three stages, like the TOML loader:
//!
//! 1. [`read_inputs`]: each file (or each `.json` entry of a `.zip`) is streamed through serde
//!    into raw structs, so memory follows the graph, not the file's text. Syntax and schema
//!    errors (a node without `id`, an object as a property value, a mixed-type array, a
//!    truncated file) carry the file, line and column serde_json reports.
//! 2. [`import`]: nodes with the same id in several files merge (OpenGraph's upsert); edge ends
//!    resolve by `id`, `name` or `property` matchers across all loaded files, with the optional
//!    `kind` filter. Ends that match nothing are counted and reported as one warning, not fatal.
//! 3. The [`Mapping`] turns node kinds into persons, accounts, groups, systems and stores (an
//!    unknown kind becomes a system, and the import says which), edges marked traversable (or
//!    named traversable by the mapping) into attack steps with their `p`, and `BR_` kinds, which
//!    blastradius's own export writes, back into the links and records they came from.
//!
//! Semantic problems (a `p` outside 0..1, an unknown MFA value, record arrays of different
//! lengths) are collected over the whole input and reported at once, each naming its file and
//! the element as a path (`graph.edges[12]`), since serde keeps no positions past parsing.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::ops::Range;
use std::path::Path;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

use super::model::flatten_weights;
use super::source::Source;
use crate::error::{did_you_mean, Diagnostic, Error, Result, Severity};
use crate::model::{
    Access, AccountKind, Amount, Categories, Distribution, Flow, Link, LinkKind, Mfa, Model,
    NodeId, NodeKind, RecordSet,
};

/// The built-in mapping, in the format of a `--mapping` file.
pub const DEFAULT_MAPPING: &str = include_str!("opengraph_mapping.toml");

/// Kind of the node that carries model-wide settings in blastradius's own export.
pub const MODEL_KIND: &str = "BR_Model";
/// Kind of blastradius's custom attack steps in its own export; the label is in `br_label`.
pub const CUSTOM_EDGE_KIND: &str = "BR_Edge";

/// The `BR_` node kind of each blastradius node kind.
pub fn br_node_kind(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Person => "BR_Person",
        NodeKind::Account => "BR_Account",
        NodeKind::Group => "BR_Group",
        NodeKind::System => "BR_System",
        NodeKind::Store => "BR_Store",
    }
}

// ---------------------------------------------------------------------------------------------
// Property values: primitives or arrays of one primitive type (the schema's rule).
// ---------------------------------------------------------------------------------------------

/// A primitive property value.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Str(String),
    Num(f64),
    Bool(bool),
}

impl Scalar {
    fn type_name(&self) -> &'static str {
        match self {
            Scalar::Str(_) => "string",
            Scalar::Num(_) => "number",
            Scalar::Bool(_) => "boolean",
        }
    }

    /// A key for equality lookups (`1` and `1.0` are the same number).
    fn key(&self) -> String {
        match self {
            Scalar::Str(s) => format!("s{s}"),
            Scalar::Num(x) => format!("n{x}"),
            Scalar::Bool(b) => format!("b{b}"),
        }
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Str(s) => write!(f, "\"{s}\""),
            Scalar::Num(x) => write!(f, "{x}"),
            Scalar::Bool(b) => write!(f, "{b}"),
        }
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string, a number or a boolean")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Num(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar::Num(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar::Num(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Scalar, A::Error> {
        Err(de::Error::custom(
            "an array inside an array: OpenGraph arrays hold strings, numbers or booleans only",
        ))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Scalar, A::Error> {
        Err(de::Error::custom(
            "an object where a string, a number or a boolean was expected (OpenGraph values are flat)",
        ))
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

/// A property value as the schema allows it.
#[derive(Debug, Clone, PartialEq)]
pub enum Prop {
    Null,
    One(Scalar),
    Many(Vec<Scalar>),
}

struct PropVisitor;

impl<'de> Visitor<'de> for PropVisitor {
    type Value = Prop;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string, a number, a boolean or an array of one of them")
    }
    fn visit_unit<E>(self) -> Result<Prop, E> {
        Ok(Prop::Null)
    }
    fn visit_none<E>(self) -> Result<Prop, E> {
        Ok(Prop::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Prop, E> {
        Ok(Prop::One(Scalar::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Prop, E> {
        Ok(Prop::One(Scalar::Num(v as f64)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Prop, E> {
        Ok(Prop::One(Scalar::Num(v as f64)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Prop, E> {
        Ok(Prop::One(Scalar::Num(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Prop, E> {
        Ok(Prop::One(Scalar::Str(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Prop, E> {
        Ok(Prop::One(Scalar::Str(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Prop, A::Error> {
        let mut items: Vec<Scalar> = Vec::new();
        while let Some(item) = seq.next_element::<Scalar>()? {
            if let Some(first) = items.first() {
                if first.type_name() != item.type_name() {
                    return Err(de::Error::custom(format!(
                        "an array mixing {}s and {}s: OpenGraph arrays hold one type",
                        first.type_name(),
                        item.type_name()
                    )));
                }
            }
            items.push(item);
        }
        Ok(Prop::Many(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Prop, A::Error> {
        Err(de::Error::custom(
            "a property whose value is an object: OpenGraph property values are flat",
        ))
    }
}

impl<'de> Deserialize<'de> for Prop {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Prop, D::Error> {
        d.deserialize_any(PropVisitor)
    }
}

/// A node's or edge's properties, in file order.
#[derive(Debug, Clone, Default)]
pub struct Props(Vec<(String, Prop)>);

struct PropsVisitor;

impl<'de> Visitor<'de> for PropsVisitor {
    type Value = Props;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of properties, or null")
    }
    fn visit_unit<E>(self) -> Result<Props, E> {
        Ok(Props::default())
    }
    fn visit_none<E>(self) -> Result<Props, E> {
        Ok(Props::default())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Props, A::Error> {
        let mut out = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Prop>()? {
            out.push((k, v));
        }
        Ok(Props(out))
    }
}

impl<'de> Deserialize<'de> for Props {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Props, D::Error> {
        d.deserialize_any(PropsVisitor)
    }
}

impl Props {
    /// The value of `key` (the last one, if the key repeats); `null` counts as absent.
    pub fn get(&self, key: &str) -> Option<&Prop> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .filter(|v| **v != Prop::Null)
    }

    fn merge(&mut self, other: Props) {
        self.0.extend(other.0);
    }
}

// ---------------------------------------------------------------------------------------------
// Raw documents
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct RawDocument {
    #[serde(default)]
    metadata: Option<RawMetadata>,
    graph: RawGraph,
}

#[derive(Deserialize)]
struct RawMetadata {
    #[serde(default)]
    source_kind: Option<String>,
}

#[derive(Deserialize)]
struct RawGraph {
    #[serde(default)]
    nodes: Vec<RawNode>,
    #[serde(default)]
    edges: Vec<RawEdge>,
}

#[derive(Deserialize)]
struct RawNode {
    id: String,
    kinds: Vec<String>,
    #[serde(default)]
    properties: Props,
}

#[derive(Deserialize)]
struct RawEdge {
    start: RawEnd,
    end: RawEnd,
    kind: String,
    #[serde(default)]
    properties: Props,
}

#[derive(Deserialize)]
struct RawEnd {
    #[serde(default)]
    match_by: Option<String>,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    property_matchers: Option<Vec<RawMatcher>>,
}

#[derive(Deserialize)]
struct RawMatcher {
    key: String,
    #[serde(default)]
    operator: Option<String>,
    value: Scalar,
}

/// One OpenGraph document, read and checked against the schema's shape.
pub struct Document {
    /// The file (or `archive.zip/entry.json`) as shown in messages.
    pub name: String,
    pub source_kind: Option<String>,
    nodes: Vec<RawNode>,
    edges: Vec<RawEdge>,
}

impl Document {
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }
}

/// A serde_json error as a located diagnostic.
fn json_problem(file: &str, e: &serde_json::Error) -> Diagnostic {
    let text = e.to_string();
    let bare = match text.rfind(" at line ") {
        Some(i) if e.line() > 0 => text[..i].to_string(),
        _ => text,
    };
    let message = if e.is_eof() && e.line() == 1 && e.column() == 0 {
        "the file is empty, not an OpenGraph document".to_string()
    } else if e.is_eof() {
        format!("the JSON ends too early (is the file truncated?): {bare}")
    } else if e.is_io() {
        format!("cannot read: {bare}")
    } else {
        bare
    };
    Diagnostic {
        severity: Severity::Error,
        file: file.to_string(),
        line: (e.line() > 0).then_some(e.line()),
        column: (e.line() > 0).then_some(e.column().max(1)),
        message,
    }
}

fn problem(file: &str, message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        file: file.to_string(),
        line: None,
        column: None,
        message: message.into(),
    }
}

fn warning(file: &str, message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        severity: Severity::Warning,
        ..problem(file, message)
    }
}

/// Reads one OpenGraph document from `reader` (a UTF-8 byte-order mark is skipped). `name` is
/// used in messages.
pub fn read_document(reader: impl Read, name: &str) -> std::result::Result<Document, Diagnostic> {
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    if let Ok(head) = reader.fill_buf() {
        if head.starts_with(b"\xEF\xBB\xBF") {
            reader.consume(3);
        }
    }
    let raw: RawDocument = serde_json::from_reader(reader).map_err(|e| json_problem(name, &e))?;
    Ok(Document {
        name: name.to_string(),
        source_kind: raw.metadata.and_then(|m| m.source_kind),
        nodes: raw.graph.nodes,
        edges: raw.graph.edges,
    })
}

/// Whether the file starts like a zip archive.
fn is_zip(path: &Path) -> std::io::Result<bool> {
    let mut head = [0u8; 4];
    let mut f = std::fs::File::open(path)?;
    let mut got = 0;
    while got < 4 {
        match f.read(&mut head[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(got == 4 && (head == *b"PK\x03\x04" || head == *b"PK\x05\x06"))
}

/// Reads every `.json` entry of a zip archive.
fn read_zip(path: &Path, shown: &str, docs: &mut Vec<Document>, problems: &mut Vec<Diagnostic>) {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return problems.push(problem(shown, format!("cannot read: {e}"))),
    };
    let mut archive = match zip::ZipArchive::new(BufReader::new(file)) {
        Ok(a) => a,
        Err(e) => return problems.push(problem(shown, format!("not a readable zip archive: {e}"))),
    };
    let mut found = 0;
    for i in 0..archive.len() {
        let entry = match archive.by_index(i) {
            Ok(entry) => entry,
            Err(e) => {
                problems.push(problem(shown, format!("cannot read entry {}: {e}", i + 1)));
                continue;
            }
        };
        let entry_name = entry.name().to_string();
        if entry.is_dir() || !entry_name.to_ascii_lowercase().ends_with(".json") {
            continue;
        }
        found += 1;
        let name = format!("{shown}/{entry_name}");
        match read_document(entry, &name) {
            Ok(d) => docs.push(d),
            Err(p) => problems.push(p),
        }
    }
    if found == 0 {
        problems.push(problem(
            shown,
            "the zip archive holds no .json file to import",
        ));
    }
}

/// Reads the given files (`path`, name to show): OpenGraph JSON files, or zip archives of them.
/// Every unreadable file is reported, not only the first.
pub fn read_inputs(inputs: &[(&Path, &str)]) -> Result<Vec<Document>> {
    let mut docs = Vec::new();
    let mut problems = Vec::new();
    for &(path, shown) in inputs {
        match is_zip(path) {
            Err(e) => problems.push(problem(shown, format!("cannot read: {e}"))),
            Ok(true) => read_zip(path, shown, &mut docs, &mut problems),
            Ok(false) => match std::fs::File::open(path) {
                Ok(f) => match read_document(f, shown) {
                    Ok(d) => docs.push(d),
                    Err(p) => problems.push(p),
                },
                Err(e) => problems.push(problem(shown, format!("cannot read: {e}"))),
            },
        }
    }
    if problems.is_empty() {
        Ok(docs)
    } else {
        Err(Error::Invalid { problems })
    }
}

// ---------------------------------------------------------------------------------------------
// The mapping
// ---------------------------------------------------------------------------------------------

/// A kind name, exact or with `*` wildcards.
#[derive(Debug, Clone)]
struct Pattern {
    text: String,
}

impl Pattern {
    fn is_exact(&self) -> bool {
        !self.text.contains('*')
    }

    /// How specific a pattern is: the number of literal characters.
    fn specificity(&self) -> usize {
        self.text.chars().filter(|&c| c != '*').count()
    }

    fn matches(&self, kind: &str) -> bool {
        let parts: Vec<&str> = self.text.split('*').collect();
        if parts.len() == 1 {
            return kind == self.text;
        }
        let (first, last) = (parts[0], parts[parts.len() - 1]);
        if kind.len() < first.len() + last.len()
            || !kind.starts_with(first)
            || !kind.ends_with(last)
        {
            return false;
        }
        let mut rest = &kind[first.len()..kind.len() - last.len()];
        for mid in &parts[1..parts.len() - 1] {
            match rest.find(mid) {
                Some(i) => rest = &rest[i + mid.len()..],
                None => return false,
            }
        }
        true
    }
}

/// A record set a kind's stores hold by default.
#[derive(Debug, Clone)]
struct RecordTemplate {
    category: String,
    amount: Amount,
    retention_days: Option<u32>,
}

/// What a node kind becomes.
#[derive(Debug, Clone)]
struct KindRule {
    kind: NodeKind,
    service: bool,
    mfa: Option<Mfa>,
    records: Vec<RecordTemplate>,
    retention_days: Option<u32>,
}

/// A blastradius link an edge kind may become.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Native {
    Owns,
    Member,
    Grant(Access),
    Credential,
    Access(Access),
    Flow,
}

impl Native {
    const NAMES: [&'static str; 10] = [
        "owns",
        "member",
        "read",
        "write",
        "admin",
        "credential",
        "access:read",
        "access:write",
        "access:admin",
        "flow",
    ];

    fn parse(s: &str) -> Option<Native> {
        Some(match s {
            "owns" => Native::Owns,
            "member" => Native::Member,
            "read" => Native::Grant(Access::Read),
            "write" => Native::Grant(Access::Write),
            "admin" => Native::Grant(Access::Admin),
            "credential" => Native::Credential,
            "access:read" => Native::Access(Access::Read),
            "access:write" => Native::Access(Access::Write),
            "access:admin" => Native::Access(Access::Admin),
            "flow" => Native::Flow,
            _ => return None,
        })
    }

    /// The kinds its ends must have, as the model file requires.
    fn fits(self, from: NodeKind, to: NodeKind) -> bool {
        use NodeKind::*;
        match self {
            Native::Owns => from == Person && to == Account,
            Native::Member => matches!(from, Account | Group) && to == Group,
            Native::Grant(a) => {
                matches!(from, Account | Group)
                    && (to == Store || (to == System && a == Access::Admin))
            }
            Native::Credential => matches!(from, System | Store) && to == Account,
            Native::Access(_) => from == System && to == Store,
            Native::Flow => from == Store && to == Store,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Native::Owns => "owns",
            Native::Member => "member",
            Native::Grant(a) => a.as_str(),
            Native::Credential => "credential",
            Native::Access(Access::Read) => "access:read",
            Native::Access(Access::Write) => "access:write",
            Native::Access(Access::Admin) => "access:admin",
            Native::Flow => "flow",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Native::Owns => "person → account",
            Native::Member => "account or group → group",
            Native::Grant(Access::Admin) => "account or group → store or system",
            Native::Grant(_) => "account or group → store",
            Native::Credential => "system or store → account",
            Native::Access(_) => "system → store",
            Native::Flow => "store → store",
        }
    }

    fn link_kind(self) -> Option<LinkKind> {
        Some(match self {
            Native::Owns => LinkKind::Owns,
            Native::Member => LinkKind::Member,
            Native::Grant(a) => LinkKind::Grant(a),
            Native::Credential => LinkKind::Credential,
            Native::Access(a) => LinkKind::Access(a),
            Native::Flow => return None,
        })
    }
}

/// What an edge kind becomes.
#[derive(Debug, Clone, Default)]
struct EdgeRule {
    traversable: Option<bool>,
    p: Option<f64>,
    link: Option<Native>,
}

/// Rules of one mapping file.
#[derive(Debug, Clone, Default)]
struct Rules {
    kinds: Vec<(Pattern, KindRule)>,
    edges: Vec<(Pattern, EdgeRule)>,
    weights: Vec<(String, f64)>,
}

impl Rules {
    /// The rule for the first of `kinds` that has an exact rule, else the most specific
    /// pattern that matches any of them.
    fn find<'r, R>(table: &'r [(Pattern, R)], kinds: &[&str]) -> Option<&'r R> {
        for k in kinds {
            if let Some((_, r)) = table.iter().find(|(p, _)| p.is_exact() && p.text == *k) {
                return Some(r);
            }
        }
        let mut best: Option<(usize, &R)> = None;
        for k in kinds {
            for (p, r) in table.iter().filter(|(p, _)| !p.is_exact()) {
                if p.matches(k) && best.is_none_or(|(s, _)| p.specificity() > s) {
                    best = Some((p.specificity(), r));
                }
            }
        }
        best.map(|(_, r)| r)
    }
}

/// Names of the node properties that carry records, retention and MFA.
#[derive(Debug, Clone)]
struct PropertyNames {
    records: String,
    per_day: String,
    category: String,
    retention_days: String,
    mfa: String,
}

/// How OpenGraph kinds become blastradius nodes and links: a `--mapping` file over the
/// built-in [`DEFAULT_MAPPING`].
#[derive(Debug, Clone)]
pub struct Mapping {
    name: Option<String>,
    program_age_days: Option<u32>,
    unknown_kind: NodeKind,
    default_p: f64,
    p_property: String,
    properties: PropertyNames,
    /// The mapping file's rules first, then the built-in ones.
    tiers: Vec<Rules>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    org: Option<RawMapOrg>,
    categories: Option<toml::Table>,
    defaults: Option<RawDefaults>,
    properties: Option<RawPropertyNames>,
    #[serde(default)]
    kinds: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    edges: BTreeMap<String, Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapOrg {
    name: Option<String>,
    program_age_days: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    unknown_kind: Option<Spanned<String>>,
    p: Option<Spanned<f64>>,
    p_property: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPropertyNames {
    records: Option<String>,
    per_day: Option<String>,
    category: Option<String>,
    retention_days: Option<String>,
    mfa: Option<String>,
}

impl Default for Mapping {
    /// The built-in mapping alone.
    fn default() -> Mapping {
        parse_mapping_over(None, DEFAULT_MAPPING, "built-in mapping")
            .expect("the built-in mapping is valid")
    }
}

/// Reads a mapping file; its rules are consulted before the built-in ones.
pub fn load_mapping(path: &Path, shown: &str) -> Result<Mapping> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: shown.to_string(),
        source,
    })?;
    parse_mapping(&text, shown)
}

/// Parses mapping text (`name` is used in messages) over the built-in mapping.
pub fn parse_mapping(text: &str, name: &str) -> Result<Mapping> {
    parse_mapping_over(Some(Mapping::default()), text, name)
}

fn node_kind_named(src: &mut Source, v: &Spanned<String>, what: &str) -> Option<NodeKind> {
    let s = v.get_ref();
    let k = NodeKind::parse(s);
    if k.is_none() {
        let names = NodeKind::ALL.map(|k| k.as_str());
        src.error(
            Some(v.span()),
            format!(
                "{what}: unknown kind `{s}`; expected person, account, group, system or store{}",
                did_you_mean(s, names)
            ),
        );
    }
    k
}

fn whole(src: &mut Source, v: &toml::Value, span: &Range<usize>, what: &str) -> Option<u64> {
    match v.as_integer() {
        Some(i) if i >= 0 => Some(i as u64),
        _ => {
            src.error(
                Some(span.clone()),
                format!("{what} must be a whole number, 0 or more, not {v}"),
            );
            None
        }
    }
}

fn read_kind_rule(src: &mut Source, key: &str, value: &Spanned<toml::Value>) -> Option<KindRule> {
    let span = value.span();
    let at = || Some(span.clone());
    let mut rule = KindRule {
        kind: NodeKind::System,
        service: false,
        mfa: None,
        records: Vec::new(),
        retention_days: None,
    };
    let table = match value.get_ref() {
        toml::Value::String(s) => {
            rule.kind = node_kind_named(
                src,
                &Spanned::new(span.clone(), s.clone()),
                &format!("[kinds] `{key}`"),
            )?;
            return Some(rule);
        }
        toml::Value::Table(t) => t,
        other => {
            src.error(
                at(),
                format!(
                    "[kinds] `{key}` must be a kind name or a table with `as`, not a {}",
                    other.type_str()
                ),
            );
            return None;
        }
    };
    let mut ok = true;
    for (field, v) in table {
        match (field.as_str(), v) {
            ("as", toml::Value::String(s)) => {
                match node_kind_named(
                    src,
                    &Spanned::new(span.clone(), s.clone()),
                    &format!("[kinds] `{key}`"),
                ) {
                    Some(k) => rule.kind = k,
                    None => ok = false,
                }
            }
            ("service", toml::Value::Boolean(b)) => rule.service = *b,
            ("mfa", toml::Value::String(s)) => match Mfa::parse(s) {
                Some(m) => rule.mfa = Some(m),
                None => {
                    src.error(
                        at(),
                        format!(
                            "[kinds] `{key}`: unknown mfa `{s}`; expected none, otp or phishing_resistant{}",
                            did_you_mean(s, Mfa::NAMES)
                        ),
                    );
                    ok = false;
                }
            },
            ("retention_days", v) => {
                rule.retention_days =
                    whole(src, v, &span, &format!("[kinds] `{key}` retention_days"))
                        .map(|d| d.min(u32::MAX as u64) as u32)
            }
            ("records", toml::Value::Array(sets)) => {
                for set in sets {
                    match read_template(src, key, set, &span) {
                        Some(t) => rule.records.push(t),
                        None => ok = false,
                    }
                }
            }
            (f @ ("as" | "service" | "mfa" | "records"), v) => {
                src.error(
                    at(),
                    format!(
                        "[kinds] `{key}`: `{f}` has the wrong type ({})",
                        v.type_str()
                    ),
                );
                ok = false;
            }
            (f, _) => {
                src.error(
                    at(),
                    format!(
                        "[kinds] `{key}`: unknown field `{f}`; expected as, service, mfa, records or retention_days{}",
                        did_you_mean(f, ["as", "service", "mfa", "records", "retention_days"])
                    ),
                );
                ok = false;
            }
        }
    }
    if !table.contains_key("as") {
        src.error(
            at(),
            format!("[kinds] `{key}` needs `as` (person, account, group, system or store)"),
        );
        ok = false;
    }
    if !rule.records.is_empty() && rule.kind != NodeKind::Store {
        src.error(at(), format!("[kinds] `{key}`: only stores hold records"));
        ok = false;
    }
    ok.then_some(rule)
}

fn read_template(
    src: &mut Source,
    key: &str,
    set: &toml::Value,
    span: &Range<usize>,
) -> Option<RecordTemplate> {
    let what = format!("[kinds] `{key}` records");
    let Some(t) = set.as_table() else {
        src.error(
            Some(span.clone()),
            format!("{what}: each record set is a table like {{ category = \"…\", count = 1 }}"),
        );
        return None;
    };
    let category = match t.get("category").and_then(|c| c.as_str()) {
        Some(c) if !c.trim().is_empty() => c.trim().to_string(),
        _ => {
            src.error(
                Some(span.clone()),
                format!("{what}: each record set needs a `category`"),
            );
            return None;
        }
    };
    let amount = match (t.get("count"), t.get("per_day")) {
        (Some(c), None) => Amount::Count(whole(src, c, span, &format!("{what} count"))?),
        (None, Some(d)) => Amount::PerDay(whole(src, d, span, &format!("{what} per_day"))?),
        _ => {
            src.error(
                Some(span.clone()),
                format!("{what}: `{category}` needs exactly one of `count` or `per_day`"),
            );
            return None;
        }
    };
    let retention_days = match t.get("retention_days") {
        Some(d) => Some(
            whole(src, d, span, &format!("{what} retention_days"))?.min(u32::MAX as u64) as u32,
        ),
        None => None,
    };
    for f in t.keys() {
        if !["category", "count", "per_day", "retention_days"].contains(&f.as_str()) {
            src.error(Some(span.clone()), format!("{what}: unknown field `{f}`; expected category, count, per_day or retention_days"));
            return None;
        }
    }
    Some(RecordTemplate {
        category,
        amount,
        retention_days,
    })
}

fn read_edge_rule(src: &mut Source, key: &str, value: &Spanned<toml::Value>) -> Option<EdgeRule> {
    let span = value.span();
    let Some(table) = value.get_ref().as_table() else {
        src.error(
            Some(span),
            format!("[edges] `{key}` must be a table such as {{ traversable = true, p = 0.8 }}"),
        );
        return None;
    };
    let mut rule = EdgeRule::default();
    let mut ok = true;
    for (field, v) in table {
        match (field.as_str(), v) {
            ("traversable", toml::Value::Boolean(b)) => rule.traversable = Some(*b),
            ("p", v) => match v.as_float().or(v.as_integer().map(|i| i as f64)) {
                Some(p) if (0.0..=1.0).contains(&p) => rule.p = Some(p),
                _ => {
                    src.error(
                        Some(span.clone()),
                        format!(
                            "[edges] `{key}`: p must be a probability between 0 and 1, not {v}"
                        ),
                    );
                    ok = false;
                }
            },
            ("link", toml::Value::String(s)) => match Native::parse(s) {
                Some(n) => rule.link = Some(n),
                None => {
                    src.error(
                        Some(span.clone()),
                        format!(
                            "[edges] `{key}`: unknown link `{s}`; expected one of {}{}",
                            Native::NAMES.join(", "),
                            did_you_mean(s, Native::NAMES)
                        ),
                    );
                    ok = false;
                }
            },
            (f, _) => {
                let known = ["traversable", "p", "link"];
                let msg = if known.contains(&f) {
                    format!(
                        "[edges] `{key}`: `{f}` has the wrong type ({})",
                        v.type_str()
                    )
                } else {
                    format!(
                        "[edges] `{key}`: unknown field `{f}`; expected traversable, p or link{}",
                        did_you_mean(f, known)
                    )
                };
                src.error(Some(span.clone()), msg);
                ok = false;
            }
        }
    }
    ok.then_some(rule)
}

fn parse_mapping_over(base: Option<Mapping>, text: &str, name: &str) -> Result<Mapping> {
    let mut src = Source::new(name, text.to_string());
    let raw: RawMapping = toml::from_str(text).map_err(|e| Error::Syntax {
        path: name.to_string(),
        message: e.to_string().trim_end().to_string(),
    })?;
    let mut m = base.unwrap_or(Mapping {
        name: None,
        program_age_days: None,
        unknown_kind: NodeKind::System,
        default_p: 1.0,
        p_property: "p".into(),
        properties: PropertyNames {
            records: "records".into(),
            per_day: "per_day".into(),
            category: "category".into(),
            retention_days: "retention_days".into(),
            mfa: "mfa".into(),
        },
        tiers: Vec::new(),
    });
    if let Some(org) = raw.org {
        if org.name.is_some() {
            m.name = org.name;
        }
        if let Some(age) = org.program_age_days {
            match u32::try_from(*age.get_ref()) {
                Ok(a) => m.program_age_days = Some(a),
                Err(_) => src.error(
                    Some(age.span()),
                    format!(
                        "program_age_days must be a whole number of days, 0 or more, not {}",
                        age.get_ref()
                    ),
                ),
            }
        }
    }
    if let Some(d) = raw.defaults {
        if let Some(k) = d.unknown_kind {
            if let Some(kind) = node_kind_named(&mut src, &k, "[defaults] unknown_kind") {
                m.unknown_kind = kind;
            }
        }
        if let Some(p) = d.p {
            if (0.0..=1.0).contains(p.get_ref()) {
                m.default_p = *p.get_ref();
            } else {
                src.error(
                    Some(p.span()),
                    format!(
                        "[defaults] p must be a probability between 0 and 1, not {}",
                        p.get_ref()
                    ),
                );
            }
        }
        if let Some(p) = d.p_property {
            m.p_property = p;
        }
    }
    if let Some(p) = raw.properties {
        let n = &mut m.properties;
        for (slot, v) in [
            (&mut n.records, p.records),
            (&mut n.per_day, p.per_day),
            (&mut n.category, p.category),
            (&mut n.retention_days, p.retention_days),
            (&mut n.mfa, p.mfa),
        ] {
            if let Some(v) = v {
                *slot = v;
            }
        }
    }
    let mut rules = Rules::default();
    if let Some(table) = &raw.categories {
        flatten_weights(&mut src, "", table, &mut rules.weights);
    }
    for (key, value) in &raw.kinds {
        if let Some(rule) = read_kind_rule(&mut src, key, value) {
            rules.kinds.push((Pattern { text: key.clone() }, rule));
        }
    }
    for (key, value) in &raw.edges {
        if let Some(rule) = read_edge_rule(&mut src, key, value) {
            rules.edges.push((Pattern { text: key.clone() }, rule));
        }
    }
    if src.has_errors() {
        return Err(Error::Invalid {
            problems: src.problems,
        });
    }
    m.tiers.insert(0, rules);
    Ok(m)
}

impl Mapping {
    fn kind_rule(&self, kinds: &[&str]) -> Option<&KindRule> {
        self.tiers.iter().find_map(|t| Rules::find(&t.kinds, kinds))
    }

    fn edge_rule(&self, kind: &str) -> Option<&EdgeRule> {
        self.tiers
            .iter()
            .find_map(|t| Rules::find(&t.edges, &[kind]))
    }
}

// ---------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------

/// Keys of a model's `[probabilities]` and `[times]` tables that are not custom edge labels.
const RESERVED_KEYS: [&str; 7] = [
    "owns",
    "member",
    "grant",
    "access",
    "edge",
    "credential",
    "distribution",
];

/// Figures of one import, for the summary the CLI prints.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportSummary {
    pub documents: usize,
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

/// A model made from OpenGraph documents, with what the import noticed.
#[derive(Debug, Clone)]
pub struct Imported {
    pub model: Model,
    pub warnings: Vec<Diagnostic>,
    pub summary: ImportSummary,
}

/// A node after merging every document's entries with its id.
struct OgNode {
    id: String,
    kinds: Vec<String>,
    props: Props,
    /// Document and index of its first entry, for messages.
    doc: usize,
    index: usize,
}

impl OgNode {
    fn has_kind(&self, k: &str) -> bool {
        self.kinds.iter().any(|x| x == k)
    }

    fn name(&self) -> Option<&str> {
        match self.props.get("name") {
            Some(Prop::One(Scalar::Str(s))) => Some(s),
            _ => None,
        }
    }
}

/// How an edge end resolved.
enum End {
    Found(usize),
    Missing(String),
    Ambiguous(String, usize),
    Invalid,
}

/// Lookups from names and property values to nodes, built on first use.
struct Index<'a> {
    nodes: &'a [OgNode],
    by_id: HashMap<&'a str, usize>,
    by_name: Option<HashMap<&'a str, Vec<usize>>>,
    by_property: HashMap<String, HashMap<String, Vec<usize>>>,
}

impl<'a> Index<'a> {
    fn new(nodes: &'a [OgNode]) -> Index<'a> {
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
    fn resolve(
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

/// Typed access to properties, with problems reported against the node or edge.
struct Reader<'a> {
    file: &'a str,
    at: String,
    problems: &'a mut Vec<Diagnostic>,
}

impl Reader<'_> {
    fn fail(&mut self, message: String) {
        self.problems
            .push(problem(self.file, format!("{}: {message}", self.at)));
    }

    fn strs(&mut self, props: &Props, key: &str) -> Option<Vec<String>> {
        match props.get(key)? {
            Prop::One(Scalar::Str(s)) => Some(vec![s.clone()]),
            Prop::Many(items) if items.iter().all(|i| matches!(i, Scalar::Str(_))) => Some(
                items
                    .iter()
                    .map(|i| match i {
                        Scalar::Str(s) => s.clone(),
                        _ => unreachable!("checked above"),
                    })
                    .collect(),
            ),
            Prop::Many(items) if items.is_empty() => Some(Vec::new()),
            _ => {
                self.fail(format!(
                    "property `{key}` must be a string or an array of strings"
                ));
                None
            }
        }
    }

    fn nums(&mut self, props: &Props, key: &str) -> Option<Vec<f64>> {
        match props.get(key)? {
            Prop::One(Scalar::Num(x)) => Some(vec![*x]),
            Prop::Many(items) if items.iter().all(|i| matches!(i, Scalar::Num(_))) => Some(
                items
                    .iter()
                    .map(|i| match i {
                        Scalar::Num(x) => *x,
                        _ => unreachable!("checked above"),
                    })
                    .collect(),
            ),
            _ => {
                self.fail(format!(
                    "property `{key}` must be a number or an array of numbers"
                ));
                None
            }
        }
    }

    fn str(&mut self, props: &Props, key: &str) -> Option<String> {
        match props.get(key)? {
            Prop::One(Scalar::Str(s)) => Some(s.clone()),
            _ => {
                self.fail(format!("property `{key}` must be a string"));
                None
            }
        }
    }

    fn num(&mut self, props: &Props, key: &str) -> Option<f64> {
        match props.get(key)? {
            Prop::One(Scalar::Num(x)) => Some(*x),
            _ => {
                self.fail(format!("property `{key}` must be a number"));
                None
            }
        }
    }

    fn whole(&mut self, x: f64, what: &str) -> Option<u64> {
        if x >= 0.0 && x.fract() == 0.0 && x < 9.0e15 {
            Some(x as u64)
        } else {
            self.fail(format!("{what} must be a whole number, 0 or more, not {x}"));
            None
        }
    }

    fn days(&mut self, props: &Props, key: &str) -> Option<u32> {
        let x = self.num(props, key)?;
        let d = self.whole(x, &format!("property `{key}`"))?;
        Some(d.min(u32::MAX as u64) as u32)
    }

    fn probability(&mut self, x: f64, what: &str) -> Option<f64> {
        if (0.0..=1.0).contains(&x) {
            Some(x)
        } else {
            self.fail(format!(
                "{what} must be a probability between 0 and 1, not {x}"
            ));
            None
        }
    }

    fn mfa(&mut self, props: &Props, key: &str) -> Option<Mfa> {
        let s = self.str(props, key)?;
        let m = Mfa::parse(&s);
        if m.is_none() {
            self.fail(format!(
                "property `{key}`: unknown mfa `{s}`; expected none, otp or phishing_resistant{}",
                did_you_mean(&s, Mfa::NAMES)
            ));
        }
        m
    }
}

/// Property names of blastradius's own export.
mod br {
    pub const KIND: &str = "br_kind";
    pub const MFA: &str = "br_mfa";
    pub const ACCOUNT_KIND: &str = "br_account_kind";
    pub const RETENTION_DAYS: &str = "br_retention_days";
    pub const RECORD_CATEGORIES: &str = "br_record_categories";
    pub const RECORD_COUNTS: &str = "br_record_counts";
    pub const RECORD_PER_DAY: &str = "br_record_per_day";
    pub const RECORD_RETENTION_DAYS: &str = "br_record_retention_days";
    pub const RECORD_SUBJECTS: &str = "br_record_subjects";
    pub const RECORD_COVERAGE: &str = "br_record_coverage";
    pub const LABEL: &str = "br_label";
    pub const TIME: &str = "br_time";
    pub const LAST_USED_DAYS: &str = "br_last_used_days";
    pub const CATEGORIES: &str = "br_categories";
    pub const PROGRAM_AGE_DAYS: &str = "br_program_age_days";
    pub const CATEGORY_NAMES: &str = "br_category_names";
    pub const CATEGORY_WEIGHTS: &str = "br_category_weights";
    pub const POPULATION_NAMES: &str = "br_population_names";
    pub const POPULATION_SIZES: &str = "br_population_sizes";
    pub const NOTIFICATION_REGIMES: &str = "br_notification_regimes";
    pub const NOTIFICATION_PREFIXES: &str = "br_notification_prefixes";
    pub const P_PREFIX: &str = "br_p_";
    pub const TIME_PREFIX: &str = "br_time_";
    pub const CUSTOM_KINDS: &str = "custom_kinds";
    pub const CUSTOM_VALUES: &str = "custom_values";
}

/// Property names of blastradius's own export, for the exporter.
pub mod br_properties {
    pub use super::br::*;
}

/// Reads the model-wide settings of a `BR_Model` node into `model`.
fn read_model_node(model: &mut Model, props: &Props, r: &mut Reader) {
    if let Some(name) = r.str(props, "name") {
        model.name = name;
    }
    if let Some(age) = r.days(props, br::PROGRAM_AGE_DAYS) {
        model.program_age_days = Some(age);
    }
    let pairs_s = |r: &mut Reader, a: &str, b: &str| -> Vec<(String, String)> {
        match (r.strs(props, a), r.strs(props, b)) {
            (Some(x), Some(y)) if x.len() == y.len() => x.into_iter().zip(y).collect(),
            (None, None) => Vec::new(),
            _ => {
                r.fail(format!("`{a}` and `{b}` must be arrays of the same length"));
                Vec::new()
            }
        }
    };
    let pairs_n = |r: &mut Reader, a: &str, b: &str| -> Vec<(String, f64)> {
        match (r.strs(props, a), r.nums(props, b)) {
            (Some(x), Some(y)) if x.len() == y.len() => x.into_iter().zip(y).collect(),
            (None, None) => Vec::new(),
            _ => {
                r.fail(format!("`{a}` and `{b}` must be arrays of the same length"));
                Vec::new()
            }
        }
    };
    let weights = pairs_n(r, br::CATEGORY_NAMES, br::CATEGORY_WEIGHTS);
    if !weights.is_empty() {
        model.categories = Categories::new(weights);
    }
    for (name, size) in pairs_n(r, br::POPULATION_NAMES, br::POPULATION_SIZES) {
        if let Some(n) = r.whole(size, &format!("population `{name}`")) {
            model.populations.insert(name, n);
        }
    }
    for (regime, prefix) in pairs_s(r, br::NOTIFICATION_REGIMES, br::NOTIFICATION_PREFIXES) {
        model.notification.entry(regime).or_default().push(prefix);
    }
    let p = &mut model.probabilities;
    for (key, slot) in [
        ("owns", &mut p.owns),
        ("member", &mut p.member),
        ("grant", &mut p.grant),
        ("access", &mut p.access),
        ("edge", &mut p.edge),
        ("credential_none", &mut p.credential_none),
        ("credential_otp", &mut p.credential_otp),
        (
            "credential_phishing_resistant",
            &mut p.credential_phishing_resistant,
        ),
    ] {
        let name = format!("{}{key}", br::P_PREFIX);
        if let Some(x) = r.num(props, &name) {
            if let Some(x) = r.probability(x, &format!("property `{name}`")) {
                *slot = x;
            }
        }
    }
    let custom = pairs_n(
        r,
        &format!("{}{}", br::P_PREFIX, br::CUSTOM_KINDS),
        &format!("{}{}", br::P_PREFIX, br::CUSTOM_VALUES),
    );
    for (k, x) in custom {
        if let Some(x) = r.probability(x, &format!("p of `{k}`")) {
            model.probabilities.custom.insert(k, x);
        }
    }
    let t = &mut model.times;
    for (key, slot) in [
        ("owns", &mut t.owns),
        ("member", &mut t.member),
        ("grant", &mut t.grant),
        ("access", &mut t.access),
        ("credential", &mut t.credential),
        ("edge", &mut t.edge),
    ] {
        let name = format!("{}{key}", br::TIME_PREFIX);
        if let Some(x) = r.num(props, &name) {
            *slot = x.max(0.0);
        }
    }
    let name = format!("{}distribution", br::TIME_PREFIX);
    if let Some(d) = r.str(props, &name) {
        match Distribution::parse(&d) {
            Some(d) => model.times.distribution = d,
            None => r.fail(format!(
                "property `{name}` must be exponential or fixed, not `{d}`"
            )),
        }
    }
    let custom = pairs_n(
        r,
        &format!("{}{}", br::TIME_PREFIX, br::CUSTOM_KINDS),
        &format!("{}{}", br::TIME_PREFIX, br::CUSTOM_VALUES),
    );
    for (k, x) in custom {
        model.times.custom.insert(k, x.max(0.0));
    }
}

/// What a merged node becomes.
enum Target {
    /// A node of the model, and whether it is one of blastradius's own (`BR_` kinds).
    Node(NodeKind, bool),
    Settings,
}

/// Record sets of a store from its properties, or its kind's defaults.
fn read_records(
    model: &mut Model,
    store: NodeId,
    props: &Props,
    rule: Option<&KindRule>,
    names: &PropertyNames,
    own: bool,
    r: &mut Reader,
) {
    let (cat_key, count_key, rate_key, retention_key) = if own {
        (
            br::RECORD_CATEGORIES,
            br::RECORD_COUNTS,
            br::RECORD_PER_DAY,
            br::RETENTION_DAYS,
        )
    } else {
        (
            names.category.as_str(),
            names.records.as_str(),
            names.per_day.as_str(),
            names.retention_days.as_str(),
        )
    };
    let policy_retention = r
        .days(props, retention_key)
        .or(rule.and_then(|r| r.retention_days));
    model.store_policy[store as usize].retention_days = policy_retention;
    let counts = r.nums(props, count_key);
    let rates = r.nums(props, rate_key);
    if counts.is_none() && rates.is_none() {
        for t in rule.map(|r| r.records.as_slice()).unwrap_or_default() {
            model.record_sets.push(RecordSet {
                store,
                category: t.category.clone(),
                amount: t.amount,
                retention_days: t.retention_days,
                subjects: None,
                coverage: 1.0,
            });
        }
        return;
    }
    let n = counts
        .as_ref()
        .map_or(0, Vec::len)
        .max(rates.as_ref().map_or(0, Vec::len));
    for (key, list) in [(count_key, &counts), (rate_key, &rates)] {
        if let Some(l) = list {
            if l.len() != n {
                r.fail(format!("`{count_key}` and `{rate_key}` must be arrays of the same length (`{key}` has {})", l.len()));
                return;
            }
        }
    }
    let categories = match r.strs(props, cat_key) {
        Some(c) if c.len() == n => c,
        Some(c) if c.len() == 1 => vec![c[0].clone(); n],
        Some(c) => {
            r.fail(format!(
                "`{cat_key}` has {} entries but there are {n} record figures",
                c.len()
            ));
            return;
        }
        None => {
            let fallback = rule
                .and_then(|r| r.records.first())
                .map_or("unclassified".to_string(), |t| t.category.clone());
            vec![fallback; n]
        }
    };
    let (set_retention, subjects, coverage) = if own {
        (
            r.nums(props, br::RECORD_RETENTION_DAYS),
            r.strs(props, br::RECORD_SUBJECTS),
            r.nums(props, br::RECORD_COVERAGE),
        )
    } else {
        (None, None, None)
    };
    for (i, category) in categories.into_iter().enumerate() {
        let category = category.trim().to_string();
        if category.is_empty() || category.split('.').any(str::is_empty) {
            r.fail(format!(
                "record category `{category}` is not a dot-separated name"
            ));
            continue;
        }
        let rate = rates.as_ref().map_or(0.0, |v| v[i]);
        let amount = if rate > 0.0 {
            r.whole(rate, &format!("`{rate_key}`")).map(Amount::PerDay)
        } else {
            let c = counts.as_ref().map_or(0.0, |v| v[i]);
            r.whole(c, &format!("`{count_key}`")).map(Amount::Count)
        };
        let retention_days = set_retention
            .as_ref()
            .and_then(|v| v.get(i).copied())
            .filter(|&d| d >= 0.0)
            .and_then(|d| r.whole(d, "`br_record_retention_days`"))
            .map(|d| d.min(u32::MAX as u64) as u32);
        let subjects = subjects
            .as_ref()
            .and_then(|v| v.get(i).cloned())
            .filter(|s| !s.is_empty());
        if let Some(s) = &subjects {
            if !model.populations.contains_key(s) {
                r.fail(format!(
                    "unknown population `{s}`{}",
                    did_you_mean(s, model.populations.keys().map(|k| k.as_str()))
                ));
                continue;
            }
        }
        let coverage = coverage
            .as_ref()
            .and_then(|v| v.get(i).copied())
            .unwrap_or(1.0);
        let Some(coverage) = r.probability(coverage, "coverage") else {
            continue;
        };
        let Some(amount) = amount else { continue };
        if matches!(amount, Amount::PerDay(_))
            && retention_days.is_none()
            && policy_retention.is_none()
            && model.program_age_days.is_none()
        {
            r.fail(format!(
                "records of `{category}` come per day, but the node has no `{retention_key}` and the mapping's [org] no program_age_days, so the records held are unbounded"
            ));
            continue;
        }
        model.record_sets.push(RecordSet {
            store,
            category,
            amount,
            retention_days,
            subjects,
            coverage,
        });
    }
}

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

use crate::model::counted as plural;

/// Turns documents into a model through `mapping`. Problems with the input (a `p` outside
/// 0..1, records that do not add up, a malformed edge end) are all reported at once; ends that
/// match no node are warnings.
pub fn import(docs: Vec<Document>, mapping: &Mapping) -> Result<Imported> {
    let mut problems: Vec<Diagnostic> = Vec::new();
    let mut warnings: Vec<Diagnostic> = Vec::new();
    let mut summary = ImportSummary {
        documents: docs.len(),
        ..ImportSummary::default()
    };
    let first_file = docs.first().map_or(String::new(), |d| d.name.clone());
    let files: Vec<String> = docs.iter().map(|d| d.name.clone()).collect();
    let source_kinds: BTreeSet<String> =
        docs.iter().filter_map(|d| d.source_kind.clone()).collect();

    // Merge nodes by id across documents.
    let mut nodes: Vec<OgNode> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut edges: Vec<(usize, usize, RawEdge)> = Vec::new();
    for (d, doc) in docs.into_iter().enumerate() {
        summary.nodes_read += doc.nodes.len();
        summary.edges_read += doc.edges.len();
        for (i, n) in doc.nodes.into_iter().enumerate() {
            if n.id.trim().is_empty() {
                problems.push(problem(
                    &doc.name,
                    format!("graph.nodes[{i}]: the node's `id` is empty"),
                ));
                continue;
            }
            match by_id.get(&n.id) {
                Some(&j) => {
                    summary.merged_nodes += 1;
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
    drop(by_id);

    // Classify nodes.
    let mut model = Model::default();
    let mut builtin_and_user_weights: Vec<Vec<(String, f64)>> = mapping
        .tiers
        .iter()
        .rev()
        .map(|t| t.weights.clone())
        .collect();
    model.probabilities.edge = mapping.default_p;
    let targets: Vec<Target> = nodes
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
            match mapping.kind_rule(&kinds) {
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
        .collect();

    // Model-wide settings first: records and probabilities depend on them.
    for (n, t) in nodes.iter().zip(&targets) {
        if let Target::Settings = t {
            let mut r = Reader {
                file: &files[n.doc],
                at: format!("graph.nodes[{}] (`{}`)", n.index, n.id),
                problems: &mut problems,
            };
            read_model_node(&mut model, &n.props, &mut r);
            builtin_and_user_weights.insert(1, model.categories.declared().to_vec());
        }
    }
    let mut weights: BTreeMap<String, f64> = BTreeMap::new();
    for tier in builtin_and_user_weights {
        weights.extend(tier);
    }
    model.categories = Categories::new(weights.into_iter().collect());
    if let Some(age) = mapping.program_age_days {
        model.program_age_days = Some(age);
    }
    model.name = mapping
        .name
        .clone()
        .or_else(|| (!model.name.is_empty()).then(|| model.name.clone()))
        .unwrap_or_else(|| {
            if source_kinds.is_empty() {
                "OpenGraph import".to_string()
            } else {
                format!(
                    "{} (OpenGraph import)",
                    source_kinds.iter().cloned().collect::<Vec<_>>().join(", ")
                )
            }
        });

    let mut ids: Vec<Option<NodeId>> = vec![None; nodes.len()];
    let mut odd_mfa = 0;
    for (i, (n, t)) in nodes.iter().zip(&targets).enumerate() {
        let Target::Node(kind, own) = *t else {
            continue;
        };
        let node = model.add_node(&n.id, kind);
        ids[i] = Some(node);
        *summary.nodes.entry(kind.as_str()).or_default() += 1;
        let kinds: Vec<&str> = n.kinds.iter().map(String::as_str).collect();
        let rule = if own { None } else { mapping.kind_rule(&kinds) };
        let mut r = Reader {
            file: &files[n.doc],
            at: format!("graph.nodes[{}] (`{}`)", n.index, n.id),
            problems: &mut problems,
        };
        match kind {
            NodeKind::Account => {
                // Our own export's value must be right; a foreign graph's property of that
                // name may mean something else, so an unknown value there is only counted.
                let from_property = if own {
                    r.mfa(&n.props, br::MFA)
                } else {
                    match n.props.get(&mapping.properties.mfa) {
                        None => None,
                        Some(Prop::One(Scalar::Str(s))) if Mfa::parse(s).is_some() => Mfa::parse(s),
                        Some(_) => {
                            odd_mfa += 1;
                            None
                        }
                    }
                };
                if let Some(m) = from_property.or(rule.and_then(|r| r.mfa)) {
                    model.mfa[node as usize] = m;
                }
                let service = if own {
                    r.str(&n.props, br::ACCOUNT_KIND).as_deref() == Some("service")
                } else {
                    rule.is_some_and(|r| r.service)
                };
                if service {
                    model.account_kind[node as usize] = AccountKind::Service;
                }
            }
            NodeKind::Store => read_records(
                &mut model,
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

    // Edges.
    let mut index = Index::new(&nodes);
    let mut first_dangling: Option<String> = None;
    let mut unmarked: BTreeMap<String, usize> = BTreeMap::new();
    let mut misfits: BTreeMap<String, (usize, &'static str, &'static str)> = BTreeMap::new();
    let mut seen: HashMap<(NodeId, NodeId, LinkKind), usize> = HashMap::new();
    let mut flows_seen: BTreeSet<(NodeId, NodeId)> = BTreeSet::new();
    for (d, i, e) in &edges {
        let file = files[*d].as_str();
        let at = format!("graph.edges[{i}] (`{}`)", e.kind);
        let own_custom = e.kind == CUSTOM_EDGE_KIND;
        let rule = if own_custom {
            None
        } else {
            mapping.edge_rule(&e.kind)
        };
        let marked = match e.properties.get("traversable") {
            Some(Prop::One(Scalar::Bool(b))) => Some(*b),
            _ => None,
        };
        let native = rule.and_then(|r| r.link);
        let traversable = rule.and_then(|r| r.traversable).or(marked);
        let wanted = native.is_some() || traversable == Some(true);
        let start = index.resolve(&e.start, file, &format!("{at} start"), &mut problems);
        let end = index.resolve(&e.end, file, &format!("{at} end"), &mut problems);
        let (a, b) = match (start, end) {
            (End::Invalid, _) | (_, End::Invalid) => continue,
            (End::Found(a), End::Found(b)) => (a, b),
            (s, t) => {
                *summary.dangling.entry(e.kind.clone()).or_default() += 1;
                if wanted {
                    summary.dangling_traversable += 1;
                }
                if first_dangling.is_none() {
                    let describe = |x: &End, side: &str| match x {
                        End::Missing(v) => Some(format!("{side} `{v}` matches no node")),
                        End::Ambiguous(v, n) => Some(format!("{side} `{v}` matches {n} nodes")),
                        _ => None,
                    };
                    let what: Vec<String> = [describe(&s, "start"), describe(&t, "end")]
                        .into_iter()
                        .flatten()
                        .collect();
                    first_dangling = Some(format!("{file}: {at}: {}", what.join(", ")));
                }
                continue;
            }
        };
        if !wanted {
            summary.ignored_edges += 1;
            if marked.is_none() && rule.is_none() {
                *unmarked.entry(e.kind.clone()).or_default() += 1;
            }
            continue;
        }
        let (Some(from), Some(to)) = (ids[a], ids[b]) else {
            continue; // an end is the settings node
        };
        if from == to {
            summary.self_loops += 1;
            continue;
        }
        let mut r = Reader {
            file,
            at: at.clone(),
            problems: &mut problems,
        };
        let p = match r.num(&e.properties, &mapping.p_property) {
            Some(x) => r.probability(x, &format!("property `{}`", mapping.p_property)),
            None => None,
        };
        let time = r.num(&e.properties, br::TIME).map(|t| t.max(0.0));
        let last_used_days = match r.num(&e.properties, br::LAST_USED_DAYS) {
            Some(x) => r
                .whole(x, "`br_last_used_days`")
                .map(|d| d.min(u32::MAX as u64) as u32),
            None => None,
        };
        let (fk, tk) = (model.kind(from), model.kind(to));
        let mut kind = match native {
            Some(Native::Flow) if Native::Flow.fits(fk, tk) => {
                let categories = r.strs(&e.properties, br::CATEGORIES);
                if flows_seen.insert((from, to)) {
                    model.flows.push(Flow {
                        from,
                        to,
                        categories,
                    });
                    summary.flows += 1;
                } else {
                    summary.duplicate_edges += 1;
                }
                continue;
            }
            Some(n) if n.fits(fk, tk) => n.link_kind().expect("flows are handled above"),
            Some(n) => {
                let entry = misfits
                    .entry(e.kind.clone())
                    .or_insert((0, n.name(), n.describe()));
                entry.0 += 1;
                if traversable != Some(true) {
                    continue;
                }
                LinkKind::Custom(crate::model::Label::new(&e.kind))
            }
            None if own_custom => match r.str(&e.properties, br::LABEL) {
                Some(l) if !l.trim().is_empty() => {
                    LinkKind::Custom(crate::model::Label::new(l.trim()))
                }
                _ => LinkKind::Custom(crate::model::Label::new(CUSTOM_EDGE_KIND)),
            },
            None => LinkKind::Custom(crate::model::Label::new(&e.kind)),
        };
        // A mapping's p for a custom kind becomes that kind's default in [probabilities],
        // unless the label is one of that table's own keys; then each edge carries it.
        let mut rule_p_on_edge = native.is_some();
        if let (LinkKind::Custom(label), Some(rp)) = (&kind, rule.and_then(|r| r.p)) {
            if RESERVED_KEYS.contains(&label.as_str()) {
                rule_p_on_edge = true;
            } else {
                model.probabilities.custom.insert(label.to_string(), rp);
            }
        }
        let mut link = Link::new(from, to, kind)
            .with_p(p.or(if rule_p_on_edge {
                rule.and_then(|r| r.p)
            } else {
                None
            }))
            .with_time(time)
            .with_last_used_days(last_used_days.filter(|_| matches!(kind, LinkKind::Grant(_))));
        // An explicit p equal to what the model would use anyway is left implicit; one that
        // differs on a link kind whose p has no file form becomes a custom step instead.
        if let Some(x) = link.p() {
            let implicit = link.with_p(None);
            if model.link_p(&implicit) == x {
                link.set_p(None);
            } else if matches!(
                kind,
                LinkKind::Owns | LinkKind::Member | LinkKind::Credential
            ) {
                kind = LinkKind::Custom(crate::model::Label::new(&e.kind));
                link.kind = kind;
            }
        }
        let key = (from, to, kind);
        match seen.get(&key) {
            Some(&j) => {
                summary.duplicate_edges += 1;
                let prev = model.link_p(&model.links[j]);
                if model.link_p(&link) > prev {
                    model.links[j] = link;
                }
            }
            None => {
                seen.insert(key, model.links.len());
                if kind.is_traversable() {
                    summary.attack_edges += 1;
                } else {
                    summary.write_links += 1;
                }
                model.links.push(link);
            }
        }
    }
    drop(index);

    let dangling: usize = summary.dangling.values().sum();
    if dangling > 0 {
        warnings.push(warning(
            &first_file,
            format!(
                "{} an end that matches no node in the loaded files (or more than one) and {} skipped ({} traversable or mapped): {}; the first: {}",
                plural(dangling, "edge has", "edges have"),
                if dangling == 1 { "was" } else { "were" },
                summary.dangling_traversable,
                list_counts(&summary.dangling, 8),
                first_dangling.unwrap_or_default()
            ),
        ));
    }
    if !unmarked.is_empty() {
        let n: usize = unmarked.values().sum();
        warnings.push(warning(
            &first_file,
            format!(
                "{} no `traversable` property and no mapping rule, so {} not followed: {}; name their kinds in a mapping's [edges] with `traversable = true` to follow them",
                plural(n, "edge has", "edges have"),
                if n == 1 { "it is" } else { "they are" },
                list_counts(&unmarked, 8)
            ),
        ));
    }
    for (kind, (n, link, shape)) in &misfits {
        warnings.push(warning(
            &first_file,
            format!(
                "{} of kind `{kind}` cannot be `{link}` links ({shape} only); traversable ones were kept as custom steps",
                plural(*n, "edge", "edges")
            ),
        ));
    }
    if summary.duplicate_edges > 0 {
        warnings.push(warning(
            &first_file,
            format!(
                "{} the same ends and kind as an earlier one; each pair counts once, with the larger p",
                plural(summary.duplicate_edges, "edge has", "edges have")
            ),
        ));
    }
    // The model loader's rule: copies that flow into a store without retention are bounded
    // only by the programme's age. Without it the saved model would not load back.
    if model.program_age_days.is_none()
        && model
            .record_sets
            .iter()
            .any(|s| matches!(s.amount, Amount::PerDay(_)))
    {
        let unbounded: BTreeSet<NodeId> = model
            .flows
            .iter()
            .map(|f| f.to)
            .filter(|&to| model.store_policy[to as usize].retention_days.is_none())
            .collect();
        for store in unbounded {
            problems.push(problem(
                &first_file,
                format!(
                    "store `{}` receives flowed records but has no retention_days, and neither the input nor the mapping's [org] gives program_age_days to bound them",
                    model.id(store)
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid { problems });
    }
    if model.node_count() == 0 {
        return Err(Error::Input(format!(
            "{}: the OpenGraph input has no nodes to import",
            files.join(", ")
        )));
    }
    Ok(Imported {
        model: model.canonical(),
        warnings,
        summary,
    })
}

// ---------------------------------------------------------------------------------------------
// Result files, for `export opengraph --results`
// ---------------------------------------------------------------------------------------------

/// What a result file (`run --format json`) says about each node, as export properties.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResultOverlay {
    pub scenario: String,
    pub entry_points: Vec<String>,
    /// Every node the attacker controls in the worst case.
    pub compromised: Vec<String>,
    pub leaked_stores: Vec<String>,
    pub tampered_stores: Vec<String>,
    /// Per leaked store: records it holds (undeduplicated) and their weighted exposure.
    pub store_records: BTreeMap<String, (u64, f64)>,
    /// Per store, from the Monte Carlo part when it ran.
    pub breach_probability: BTreeMap<String, f64>,
}

#[derive(Deserialize)]
struct RawResult {
    schema: String,
    scenario: String,
    #[serde(default)]
    entry_points: Vec<String>,
    baseline: RawOutcome,
    #[serde(default)]
    weights: BTreeMap<String, f64>,
}

#[derive(Deserialize)]
struct RawOutcome {
    deterministic: RawDeterministic,
    #[serde(default)]
    monte_carlo: Option<RawMonteCarlo>,
}

#[derive(Deserialize)]
struct RawDeterministic {
    compromised: BTreeMap<String, Vec<String>>,
    leaked_stores: Vec<String>,
    #[serde(default)]
    tampered_stores: Vec<String>,
    #[serde(default)]
    store_records: BTreeMap<String, BTreeMap<String, u64>>,
}

#[derive(Deserialize)]
struct RawMonteCarlo {
    #[serde(default)]
    store_breach_probability: BTreeMap<String, f64>,
}

/// Reads a JSON result of `run` (schema `blastradius/result/v1`) for export.
pub fn load_result(path: &Path, shown: &str) -> Result<ResultOverlay> {
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: shown.to_string(),
        source,
    })?;
    let raw: RawResult =
        serde_json::from_reader(BufReader::new(file)).map_err(|e| Error::Invalid {
            problems: vec![json_problem(shown, &e)],
        })?;
    if raw.schema != crate::results::SCHEMA {
        return Err(Error::Input(format!(
            "{shown}: schema `{}` is not a result this version reads (`{}`)",
            raw.schema,
            crate::results::SCHEMA
        )));
    }
    let d = raw.baseline.deterministic;
    let weight = |c: &str| -> f64 { raw.weights.get(c).copied().unwrap_or(1.0) };
    let mut compromised: Vec<String> = d.compromised.into_values().flatten().collect();
    compromised.sort();
    Ok(ResultOverlay {
        scenario: raw.scenario,
        entry_points: raw.entry_points,
        compromised,
        leaked_stores: d.leaked_stores,
        tampered_stores: d.tampered_stores,
        store_records: d
            .store_records
            .iter()
            .map(|(s, cats)| {
                let records = cats.values().sum();
                let exposure = cats.iter().map(|(c, &n)| n as f64 * weight(c)).sum();
                (s.clone(), (records, exposure))
            })
            .collect(),
        breach_probability: raw
            .baseline
            .monte_carlo
            .map(|m| m.store_breach_probability)
            .unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document {
        read_document(text.as_bytes(), "g.json").unwrap_or_else(|d| panic!("{d}"))
    }

    fn problems(text: &str) -> Vec<String> {
        match read_document(text.as_bytes(), "g.json") {
            Err(d) => vec![d.to_string()],
            Ok(d) => match import(vec![d], &Mapping::default()) {
                Ok(_) => vec![],
                Err(Error::Invalid { problems }) => {
                    problems.iter().map(|p| p.to_string()).collect()
                }
                Err(e) => vec![e.to_string()],
            },
        }
    }

    #[test]
    fn the_builtin_mapping_is_valid() {
        let m = Mapping::default();
        assert_eq!(m.kind_rule(&["GH_User"]).unwrap().kind, NodeKind::Account);
        assert_eq!(
            m.kind_rule(&["GH_RepoRole", "GH_Role"]).unwrap().kind,
            NodeKind::Group
        );
        assert_eq!(
            m.kind_rule(&["AZResourceGroup"]).unwrap().kind,
            NodeKind::System
        );
        assert_eq!(
            m.kind_rule(&["GH_OrgSecret", "GH_Secret"]).unwrap().kind,
            NodeKind::Store
        );
        assert!(m.kind_rule(&["Printer"]).is_none());
    }

    #[test]
    fn patterns_match_with_wildcards_anywhere() {
        let p = |t: &str| Pattern { text: t.into() };
        assert!(p("*User").matches("GH_User"));
        assert!(!p("*User").matches("GH_Users"));
        assert!(p("GH_*").matches("GH_"));
        assert!(p("A*B*C").matches("AxxBxxC"));
        assert!(!p("A*B*C").matches("AxxC"));
        assert!(!p("AB*BA").matches("ABA"));
    }

    #[test]
    fn a_mapping_file_wins_over_the_builtin_rules() {
        let m = parse_mapping(
            "[kinds]\nGH_Role = \"system\"\n\"Foo*\" = { as = \"store\", records = [{ category = \"x\", count = 3 }] }\n",
            "map.toml",
        )
        .unwrap();
        assert_eq!(
            m.kind_rule(&["GH_RepoRole", "GH_Role"]).unwrap().kind,
            NodeKind::System
        );
        assert_eq!(m.kind_rule(&["FooBar"]).unwrap().records.len(), 1);
        assert_eq!(m.kind_rule(&["GH_User"]).unwrap().kind, NodeKind::Account);
    }

    #[test]
    fn mapping_errors_have_lines_and_suggestions() {
        let err = parse_mapping(
            "[kinds]\nGH_User = \"acount\"\n[edges]\nX = { link = \"membr\" }\n",
            "map.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("map.toml:2:11: error: [kinds] `GH_User`: unknown kind `acount`"),
            "{err}"
        );
        assert!(err.contains("did you mean `account`?"), "{err}");
        assert!(
            err.contains("map.toml:4:5: error: [edges] `X`: unknown link `membr`"),
            "{err}"
        );
        assert!(err.contains("did you mean `member`?"), "{err}");
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
}
