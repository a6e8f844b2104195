//! YAML read with every node's line and column (saphyr's marked nodes), and the problems of
//! one manifest file: what the manifest reader needs of YAML, and nothing more.

use saphyr::{LoadableYamlNode, MarkedYamlOwned, ScalarOwned, YamlDataOwned};

use crate::error::{Diagnostic, Severity};
use crate::load::input::{text_too_long, MAX_NAME_BYTES};

pub(super) type Node = MarkedYamlOwned;

/// Deepest nesting of fields read; deeper is refused rather than walked (real datasets nest a
/// few levels).
pub(super) const MAX_DEPTH: usize = 64;

/// Where a node is: 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl Place {
    pub fn diagnostic(&self, severity: Severity, message: String) -> Diagnostic {
        Diagnostic {
            severity,
            file: self.file.clone(),
            line: Some(self.line),
            column: Some(self.column),
            message,
        }
    }
}

/// One manifest file being read: its name and the problems found so far.
pub(super) struct File<'p> {
    pub(super) name: String,
    pub(super) problems: &'p mut Vec<Diagnostic>,
}

/// Deepest block indentation read (in columns, counting a line's leading spaces and `-`). The
/// loader and the nodes it builds recurse once per level, so YAML nested thousands deep would
/// overflow the stack; block nesting can go no deeper than its indentation (flow nesting is
/// bounded by the parser itself), and real manifests indent a few dozen columns.
const MAX_INDENT: usize = 400;

/// The documents of `text`, or the syntax error where the parser stopped.
pub(super) fn parse(name: &str, text: &str) -> Result<Vec<Node>, Diagnostic> {
    for (i, line) in text.lines().enumerate() {
        let indent = line
            .bytes()
            .take_while(|b| matches!(b, b' ' | b'-'))
            .count();
        if indent > MAX_INDENT {
            return Err(Diagnostic {
                severity: Severity::Error,
                file: name.to_string(),
                line: Some(i + 1),
                column: Some(indent + 1),
                message: format!(
                    "indented {indent} columns: a Fides manifest nests a few levels, and more than {MAX_INDENT} columns is refused"
                ),
            });
        }
    }
    Node::load_from_str(text).map_err(|e| Diagnostic {
        severity: Severity::Error,
        file: name.to_string(),
        line: Some(e.marker().line().max(1)),
        column: Some(e.marker().col() + 1),
        message: format!("YAML syntax: {}", e.info()),
    })
}

impl File<'_> {
    pub(super) fn place(&self, node: &Node) -> Place {
        Place {
            file: self.name.clone(),
            line: node.span.start.line().max(1),
            column: node.span.start.col() + 1,
        }
    }

    pub(super) fn error(&mut self, node: &Node, message: impl Into<String>) {
        let d = self.place(node).diagnostic(Severity::Error, message.into());
        self.problems.push(d);
    }

    pub(super) fn warning(&mut self, node: &Node, message: impl Into<String>) {
        let d = self
            .place(node)
            .diagnostic(Severity::Warning, message.into());
        self.problems.push(d);
    }

    /// The value of `key` in a mapping (none for another node or a missing key).
    pub(super) fn get<'n>(&self, node: &'n Node, key: &str) -> Option<&'n Node> {
        let YamlDataOwned::Mapping(map) = &unwrap(node).data else {
            return None;
        };
        map.iter()
            .find(|(k, _)| text(k).as_deref() == Some(key))
            .map(|(_, v)| v)
            .filter(|v| !is_null(v))
    }

    /// `key`'s value as text, reported when it is not a scalar or is too long: a `fides_key`
    /// becomes an id (at most [`MAX_NAME_BYTES`]), other text at most a name's
    /// [`crate::load::input::MAX_TEXT_BYTES`].
    pub(super) fn text(&mut self, node: &Node, key: &str) -> Option<String> {
        let v = self.get(node, key)?;
        match text(v) {
            Some(t) if key == "fides_key" && t.len() > MAX_NAME_BYTES => {
                let starts = t.chars().take(40).collect::<String>();
                let message = format!(
                    "a `fides_key` is {} bytes long (it starts {starts:?}); ids are at most {MAX_NAME_BYTES} bytes",
                    t.len()
                );
                self.error(v, message);
                None
            }
            Some(t) => match text_too_long(&format!("`{key}`"), &t) {
                Some(e) => {
                    self.error(v, e);
                    None
                }
                None => Some(t),
            },
            None => {
                self.error(v, format!("`{key}` must be text, not {}", what(v)));
                None
            }
        }
    }

    /// `key`'s value as a list (empty when absent), reported when it is not one.
    pub(super) fn list<'n>(&mut self, node: &'n Node, key: &str) -> &'n [Node] {
        let Some(v) = self.get(node, key) else {
            return &[];
        };
        match &unwrap(v).data {
            YamlDataOwned::Sequence(items) => items,
            _ => {
                self.error(v, format!("`{key}` must be a list, not {}", what(v)));
                &[]
            }
        }
    }

    /// Whether `node` is a mapping; reported (as `what`) when not.
    pub(super) fn is_mapping(&mut self, node: &Node, role: &str) -> bool {
        if matches!(unwrap(node).data, YamlDataOwned::Mapping(_)) {
            return true;
        }
        self.error(
            node,
            format!("{role} must be a mapping, not {}", what(node)),
        );
        false
    }
}

/// A tagged node's content (tags are not read).
fn unwrap(node: &Node) -> &Node {
    match &node.data {
        YamlDataOwned::Tagged(_, inner) => unwrap(inner),
        _ => node,
    }
}

fn is_null(node: &Node) -> bool {
    matches!(unwrap(node).data, YamlDataOwned::Value(ScalarOwned::Null))
}

/// A scalar as text (numbers and booleans as written in YAML's core schema).
pub(super) fn text(node: &Node) -> Option<String> {
    match &unwrap(node).data {
        YamlDataOwned::Value(ScalarOwned::String(s)) => Some(s.clone()),
        YamlDataOwned::Value(ScalarOwned::Integer(i)) => Some(i.to_string()),
        YamlDataOwned::Value(ScalarOwned::FloatingPoint(f)) => Some(f.to_string()),
        YamlDataOwned::Value(ScalarOwned::Boolean(b)) => Some(b.to_string()),
        YamlDataOwned::Representation(s, _, _) => Some(s.clone()),
        _ => None,
    }
}

/// A scalar that is a whole number.
pub(super) fn integer(node: &Node) -> Option<i64> {
    match &unwrap(node).data {
        YamlDataOwned::Value(ScalarOwned::Integer(i)) => Some(*i),
        _ => None,
    }
}

/// What a node is, for messages.
pub(super) fn what(node: &Node) -> &'static str {
    match &unwrap(node).data {
        YamlDataOwned::Sequence(_) => "a list",
        YamlDataOwned::Mapping(_) => "a mapping",
        YamlDataOwned::Alias(_) => "an alias",
        YamlDataOwned::Value(ScalarOwned::Null) => "empty",
        _ => "a scalar",
    }
}

/// Whether a node is a mapping.
pub(super) fn is_mapping(node: &Node) -> bool {
    matches!(unwrap(node).data, YamlDataOwned::Mapping(_))
}

/// The top-level keys of a document, in order.
pub(super) fn keys(node: &Node) -> Vec<(String, &Node)> {
    let YamlDataOwned::Mapping(map) = &unwrap(node).data else {
        return Vec::new();
    };
    map.iter()
        .filter_map(|(k, v)| text(k).map(|t| (t, v)))
        .collect()
}
