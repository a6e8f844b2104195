//! Overlay selectors resolved on a model: a node id, `kind:glob` (or a bare glob), or a
//! property match (`{ name = "CM_PS1" }`, `{ name = "CM_*", kind = "system" }`). An id is tried
//! first, as it is written, so ids holding a colon (MSSQLHound's `…:1433\CM_PS1`) are ids and
//! not kind filters. Every selector must select at least one node of the kinds its place
//! allows; an unknown id is reported with the nearest known one, like every other id.

use std::ops::Range;

use crate::error::did_you_mean;
use crate::load::design::glob_matches;
use crate::load::raw::{Id, Sel, Selecting};
use crate::load::source::{Report, Source};
use crate::model::{Model, NodeId, NodeKind};

/// What a selector asks for, borrowed from a TOML selector or a CSV cell.
pub(super) enum Query<'a> {
    Text(&'a str),
    Props(&'a [(String, String)]),
}

/// A selector as written: what it asks for and where.
pub(super) trait Selector {
    fn query(&self) -> (Query<'_>, Range<usize>);
}

/// A CSV cell (or a plain id): text only.
impl Selector for Id {
    fn query(&self) -> (Query<'_>, Range<usize>) {
        (Query::Text(self.get_ref()), self.span())
    }
}

impl Selector for Sel {
    fn query(&self) -> (Query<'_>, Range<usize>) {
        let q = match self.get_ref() {
            Selecting::Text(t) => Query::Text(t),
            Selecting::Props(p) => Query::Props(p),
        };
        (q, self.span())
    }
}

/// The properties a property match may name: what the model keeps of a node besides its id.
const PROPERTIES: [&str; 2] = ["name", "kind"];

/// "store or system", for messages.
fn expected(kinds: &[NodeKind]) -> String {
    kinds
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The nodes `sel` selects among `kinds`, in id order; an empty list when it selects none (the
/// problem is reported). `role` names the place in messages ("grant principal").
pub(super) fn select(
    model: &Model,
    src: &mut Source,
    sel: &impl Selector,
    kinds: &[NodeKind],
    role: &str,
) -> Vec<NodeId> {
    let (query, at) = sel.query();
    match query {
        Query::Text(text) => by_text(model, src, text, at, kinds, role),
        Query::Props(props) => by_props(model, src, props, at, kinds, role),
    }
}

/// [`select`] as ids positioned at the selector, for the model builder's raw entries.
pub(super) fn select_ids(
    model: &Model,
    src: &mut Source,
    sel: &impl Selector,
    kinds: &[NodeKind],
    role: &str,
) -> Vec<Id> {
    let at = sel.query().1;
    select(model, src, sel, kinds, role)
        .into_iter()
        .map(|n| Id::new(at.clone(), model.id(n).into()))
        .collect()
}

fn by_text(
    model: &Model,
    src: &mut Source,
    text: &str,
    at: Range<usize>,
    kinds: &[NodeKind],
    role: &str,
) -> Vec<NodeId> {
    let want = expected(kinds);
    if let Some(n) = model.node_id(text) {
        if kinds.contains(&model.kind(n)) {
            return vec![n];
        }
        src.error(
            Some(at),
            format!(
                "{role} `{text}` is {}, but it must be a {want}",
                model.kind(n).with_article()
            ),
        );
        return Vec::new();
    }
    let (filter, pattern) = match text.split_once(':') {
        Some((k, glob)) => match NodeKind::parse(k) {
            Some(kind) if kinds.contains(&kind) => (Some(kind), glob),
            Some(kind) => {
                src.error(
                    Some(at),
                    format!("{role} `{text}` selects {kind}s, but it must select a {want}"),
                );
                return Vec::new();
            }
            None => (None, text),
        },
        None => (None, text),
    };
    if filter.is_none() && !pattern.contains(['*', '?']) {
        src.unknown_id(
            Some(at),
            format!("{role} `{text}` names no {want}"),
            text,
            kinds,
        );
        return Vec::new();
    }
    let nodes: Vec<NodeId> = (0..model.node_count() as NodeId)
        .filter(|&n| match filter {
            Some(k) => model.kind(n) == k,
            None => kinds.contains(&model.kind(n)),
        })
        .filter(|&n| glob_matches(pattern, model.id(n)))
        .collect();
    if nodes.is_empty() {
        let among = filter.map_or(want, |k| k.as_str().to_string());
        src.error(Some(at), format!("{role} `{text}` matches no {among}"));
    }
    nodes
}

fn by_props(
    model: &Model,
    src: &mut Source,
    props: &[(String, String)],
    at: Range<usize>,
    kinds: &[NodeKind],
    role: &str,
) -> Vec<NodeId> {
    let want = expected(kinds);
    let (mut name, mut kind) = (None, None);
    let mut bad = props.is_empty();
    if bad {
        src.error(
            Some(at.clone()),
            format!("{role}: an empty property match selects nothing; give `name`"),
        );
    }
    for (key, value) in props {
        match key.as_str() {
            "name" => name = Some(value.as_str()),
            "kind" => match NodeKind::parse(value) {
                Some(k) if kinds.contains(&k) => kind = Some(k),
                _ => {
                    src.error(
                        Some(at.clone()),
                        format!(
                            "{role}: kind `{value}` is not allowed here; expected {want}{}",
                            did_you_mean(value, kinds.iter().map(|k| k.as_str()))
                        ),
                    );
                    bad = true;
                }
            },
            other => {
                src.error(
                    Some(at.clone()),
                    format!(
                        "{role}: a model keeps only a node's `name` and `kind`, so `{other}` cannot be matched{}",
                        did_you_mean(other, PROPERTIES)
                    ),
                );
                bad = true;
            }
        }
    }
    if bad {
        return Vec::new();
    }
    let of_kind = |n: NodeId| match kind {
        Some(k) => model.kind(n) == k,
        None => kinds.contains(&model.kind(n)),
    };
    let nodes: Vec<NodeId> = match name {
        None => (0..model.node_count() as NodeId)
            .filter(|&n| of_kind(n))
            .collect(),
        Some(glob) => model
            .names
            .iter()
            .filter(|&(&n, name)| of_kind(n) && glob_matches(glob, name))
            .map(|(&n, _)| n)
            .collect(),
    };
    if nodes.is_empty() {
        let among = kind.map_or(want, |k| k.as_str().to_string());
        let names = model
            .names
            .iter()
            .filter(|&(&n, _)| of_kind(n))
            .map(|(_, name)| name.as_str());
        let hint = name.map_or(String::new(), |wanted| did_you_mean(wanted, names));
        let what = name.map_or(String::new(), |n| format!(" named `{n}`"));
        src.error(Some(at), format!("{role}: no {among}{what}{hint}"));
    }
    nodes
}
