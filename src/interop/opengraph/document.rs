//! OpenGraph documents as read: property values as the schema allows them (a primitive, or an
//! array of one primitive type), the raw nodes and edges of each document, and reading files
//! and `.zip` archives of them with located syntax and schema errors. Nothing here knows what a
//! node becomes; that is the mapping's and the import's.

use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::error::{Diagnostic, Error, Result, Severity};
use crate::load::input::{text_too_long, MAX_NAME_BYTES};

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
    pub(super) fn key(&self) -> String {
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

/// The properties a node's display name is read from, in order of preference; their strings are
/// at most [`crate::load::input::MAX_TEXT_BYTES`] long, as a model's names are.
pub const NAME_PROPERTIES: [&str; 2] = ["name", "displayname"];

/// The longest property string an import accepts, in bytes: far above any real property
/// (descriptions, distinguished names, certificate fields), far below what could exhaust memory.
pub const MAX_PROPERTY_BYTES: usize = 1 << 20;

/// `v`, or an error (located by serde_json) when it is longer than [`MAX_PROPERTY_BYTES`].
fn bounded_value<E: de::Error>(v: &str) -> Result<&str, E> {
    if v.len() > MAX_PROPERTY_BYTES {
        return Err(E::custom(format!(
            "a property string of {} bytes; property strings are at most {MAX_PROPERTY_BYTES} bytes",
            v.len()
        )));
    }
    Ok(v)
}

/// An id, kind or property name: at most [`MAX_NAME_BYTES`] bytes, or an error serde_json locates.
fn bounded_name<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let v = String::deserialize(d)?;
    if v.len() > MAX_NAME_BYTES {
        return Err(de::Error::custom(format!(
            "an id or kind of {} bytes (it starts {:?}); ids and kinds are at most {MAX_NAME_BYTES} bytes",
            v.len(),
            v.chars().take(40).collect::<String>()
        )));
    }
    Ok(v)
}

fn bounded_names<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    struct Name(#[serde(deserialize_with = "bounded_name")] String);
    Ok(Vec::<Name>::deserialize(d)?
        .into_iter()
        .map(|n| n.0)
        .collect())
}

/// An optional [`bounded_name`] (for other formats' readers too: SharpHound's ids).
pub(crate) fn bounded_optional<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    struct Name(#[serde(deserialize_with = "bounded_name")] String);
    Ok(Option::<Name>::deserialize(d)?.map(|n| n.0))
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
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Str(bounded_value(v)?.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
        bounded_value(&v)?;
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
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Prop, E> {
        Ok(Prop::One(Scalar::Str(bounded_value(v)?.to_string())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Prop, E> {
        bounded_value(&v)?;
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
            if k.len() > MAX_NAME_BYTES {
                return Err(de::Error::custom(format!(
                    "a property name of {} bytes; property names are at most {MAX_NAME_BYTES} bytes",
                    k.len()
                )));
            }
            if let (true, Prop::One(Scalar::Str(name))) = (NAME_PROPERTIES.contains(&&*k), &v) {
                if let Some(e) = text_too_long(&format!("the `{k}` property"), name) {
                    return Err(de::Error::custom(e));
                }
            }
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

    pub(super) fn merge(&mut self, other: Props) {
        self.0.extend(other.0);
    }

    /// Properties from `(key, value)` pairs, for readers of other formats that build documents.
    pub fn from_pairs(pairs: Vec<(String, Prop)>) -> Props {
        Props(pairs)
    }
}

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
pub(super) struct RawNode {
    #[serde(deserialize_with = "bounded_name")]
    pub(super) id: String,
    #[serde(deserialize_with = "bounded_names")]
    pub(super) kinds: Vec<String>,
    #[serde(default)]
    pub(super) properties: Props,
}

#[derive(Deserialize)]
pub(super) struct RawEdge {
    pub(super) start: RawEnd,
    pub(super) end: RawEnd,
    #[serde(deserialize_with = "bounded_name")]
    pub(super) kind: String,
    #[serde(default)]
    pub(super) properties: Props,
}

#[derive(Deserialize)]
pub(super) struct RawEnd {
    #[serde(default)]
    pub(super) match_by: Option<String>,
    #[serde(default, deserialize_with = "bounded_optional")]
    pub(super) value: Option<String>,
    #[serde(default, deserialize_with = "bounded_optional")]
    pub(super) kind: Option<String>,
    #[serde(default)]
    pub(super) property_matchers: Option<Vec<RawMatcher>>,
}

#[derive(Deserialize)]
pub(super) struct RawMatcher {
    pub(super) key: String,
    #[serde(default)]
    pub(super) operator: Option<String>,
    pub(super) value: Scalar,
}

/// One OpenGraph document, read and checked against the schema's shape.
pub struct Document {
    /// The file (or `archive.zip/entry.json`) as shown in messages.
    pub name: String,
    pub source_kind: Option<String>,
    pub(super) nodes: Vec<RawNode>,
    pub(super) edges: Vec<RawEdge>,
}

impl Document {
    /// An empty document, for readers of other formats (SharpHound) that build one in memory.
    pub fn new(name: &str, source_kind: Option<&str>) -> Document {
        Document {
            name: name.to_string(),
            source_kind: source_kind.map(str::to_string),
            nodes: Vec::new(),
            edges: Vec::new(),
        }
    }

    /// Adds a node, as an OpenGraph `graph.nodes` entry would.
    pub fn add_node(&mut self, id: String, kinds: Vec<String>, properties: Props) {
        self.nodes.push(RawNode {
            id,
            kinds,
            properties,
        });
    }

    /// Adds an edge whose ends match nodes by `id`.
    pub fn add_edge(&mut self, kind: &str, start: String, end: String, properties: Props) {
        let end_by_id = |value: String| RawEnd {
            match_by: Some("id".into()),
            value: Some(value),
            kind: None,
            property_matchers: None,
        };
        self.edges.push(RawEdge {
            start: end_by_id(start),
            end: end_by_id(end),
            kind: kind.to_string(),
            properties,
        });
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }
}

/// A JSON error in an OpenGraph file.
pub(super) fn json_problem(file: &str, e: &serde_json::Error) -> Diagnostic {
    Diagnostic::from_json(file, e, "an OpenGraph document")
}

/// An error in `file` with no line: serde keeps no positions past parsing, so the message
/// names the element instead.
pub(super) fn problem(file: &str, message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        file: file.to_string(),
        line: None,
        column: None,
        message: message.into(),
    }
}

/// A warning in `file`, about the input as a whole or one element of it.
pub(super) fn warning(file: &str, message: impl Into<String>) -> Diagnostic {
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

/// Whether the file starts like a zip archive (its magic number, whatever its name).
pub(crate) fn is_zip(path: &Path) -> std::io::Result<bool> {
    let mut head = [0u8; 4];
    let mut f = crate::load::input::open(path)?;
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
    let file = match crate::load::input::open(path) {
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
        match read_document(crate::load::input::capped(entry), &name) {
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
            Ok(false) => match crate::load::input::open(path) {
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
