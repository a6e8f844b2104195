//! Model files: TOML (DESIGN.md "Input format") into a validated [`Model`].
//!
//! Loading runs in two stages: serde reads the file into raw structs that keep the position of
//! every id and number, then [`build`] checks every reference and range and reports all problems
//! at once, each with its line and column and, for unknown ids, the nearest known one.

use std::collections::{BTreeMap, BTreeSet};

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use rayon::prelude::*;

use super::csv_files::{
    declared_id, declares_nodes, open_side_files, par_rows, parse_row, PieceSize, SideFile, SideRow,
};
use super::source::{Problems, Report, Source, Suggestion};
use crate::error::{did_you_mean, Diagnostic, Error, Result, SHOWN_PROBLEMS};
use crate::model::records::flow_order;
use crate::model::{
    Access, AccountKind, Amount, Categories, Distribution, Flow, Link, LinkKind, Mfa, Model, Node,
    NodeId, NodeKind, Probabilities, RecordSet, Times,
};

/// Text of an entry: ids and short names are kept inline (up to 24 bytes) instead of in an
/// allocation of their own, which matters for the millions of cells of a large model's CSV
/// files.
pub(super) type Text = compact_str::CompactString;
pub(super) type Id = Spanned<Text>;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawModel {
    pub(super) org: Option<RawOrg>,
    pub(super) populations: Option<BTreeMap<String, Spanned<i64>>>,
    pub(super) notification: Option<BTreeMap<String, Vec<Spanned<String>>>>,
    pub(super) categories: Option<toml::Table>,
    pub(super) probabilities: Option<toml::Table>,
    pub(super) times: Option<toml::Table>,
    #[serde(default)]
    pub(super) person: Vec<RawPerson>,
    #[serde(default)]
    pub(super) account: Vec<RawAccount>,
    #[serde(default)]
    pub(super) group: Vec<RawGroup>,
    #[serde(default)]
    pub(super) system: Vec<RawSystem>,
    #[serde(default)]
    pub(super) store: Vec<RawStore>,
    #[serde(default)]
    pub(super) grant: Vec<RawGrant>,
    #[serde(default)]
    pub(super) flow: Vec<RawFlow>,
    #[serde(default)]
    pub(super) edge: Vec<RawEdge>,
    #[serde(default)]
    pub(super) membership: Vec<RawMembership>,
    /// Side files: table name → CSV file beside the model.
    pub(super) csv: Option<BTreeMap<String, Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMembership {
    pub(super) member: Id,
    pub(super) group: Id,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOrg {
    pub(super) name: Option<String>,
    #[allow(dead_code)]
    pub(super) description: Option<String>,
    pub(super) program_age_days: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPerson {
    pub(super) id: Id,
    #[serde(default)]
    pub(super) accounts: Vec<Id>,
    #[allow(dead_code)]
    pub(super) name: Option<String>,
    #[allow(dead_code)]
    pub(super) description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAccount {
    pub(super) id: Id,
    pub(super) kind: Option<Spanned<Text>>,
    pub(super) mfa: Option<Spanned<Text>>,
    #[serde(default)]
    pub(super) groups: Vec<Id>,
    #[allow(dead_code)]
    pub(super) name: Option<String>,
    #[allow(dead_code)]
    pub(super) description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGroup {
    pub(super) id: Id,
    #[serde(default)]
    pub(super) groups: Vec<Id>,
    #[allow(dead_code)]
    pub(super) name: Option<String>,
    #[allow(dead_code)]
    pub(super) description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSystem {
    pub(super) id: Id,
    #[serde(default)]
    pub(super) credentials: Vec<Id>,
    #[serde(default)]
    pub(super) access: Vec<RawAccess>,
    #[allow(dead_code)]
    pub(super) name: Option<String>,
    #[allow(dead_code)]
    pub(super) description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAccess {
    pub(super) store: Id,
    pub(super) access: Spanned<Text>,
    pub(super) p: Option<Spanned<f64>>,
    pub(super) time: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStore {
    pub(super) id: Id,
    pub(super) retention_days: Option<Spanned<i64>>,
    #[serde(default)]
    pub(super) records: Vec<RawRecordSet>,
    #[serde(default)]
    pub(super) credentials: Vec<Id>,
    #[allow(dead_code)]
    pub(super) name: Option<String>,
    #[allow(dead_code)]
    pub(super) description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRecordSet {
    pub(super) category: Spanned<Text>,
    pub(super) count: Option<Spanned<i64>>,
    pub(super) per_day: Option<Spanned<i64>>,
    pub(super) retention_days: Option<Spanned<i64>>,
    pub(super) subjects: Option<Spanned<Text>>,
    pub(super) coverage: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGrant {
    pub(super) principal: Id,
    pub(super) target: Id,
    pub(super) access: Spanned<Text>,
    pub(super) last_used_days: Option<Spanned<i64>>,
    pub(super) p: Option<Spanned<f64>>,
    pub(super) time: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFlow {
    pub(super) from: Id,
    pub(super) to: Id,
    pub(super) categories: Option<Vec<Spanned<Text>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEdge {
    pub(super) from: Id,
    pub(super) to: Id,
    pub(super) kind: Spanned<Text>,
    pub(super) p: Option<Spanned<f64>>,
    pub(super) time: Option<Spanned<f64>>,
}

/// The largest `count` or `per_day` a record set may have (10^12): large enough for any real
/// store, small enough that records × days × weights stay exact in integers and doubles.
pub const MAX_RECORDS: u64 = 1_000_000_000_000;

/// The largest category weight.
pub const MAX_WEIGHT: f64 = 1_000_000.0;

/// A loaded model with the warnings its validation found.
#[derive(Debug, Clone)]
pub struct LoadedModel {
    pub model: Model,
    /// Where it was read from, as the user named it.
    pub path: String,
    pub warnings: Vec<Diagnostic>,
}

/// The model file of a model path: the file itself, or `model.toml` in a directory.
pub fn model_file(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join("model.toml")
    } else {
        path.to_path_buf()
    }
}

/// Reads and validates a model file or model directory. `shown` is the path as the user wrote
/// it, used in messages.
pub fn load_model(path: &Path, shown: &str) -> Result<LoadedModel> {
    let file = model_file(path);
    let shown_file = if file != path {
        format!("{}/model.toml", shown.trim_end_matches('/'))
    } else {
        shown.to_string()
    };
    let text = std::fs::read_to_string(&file).map_err(|source| Error::Read {
        path: shown_file.clone(),
        source,
    })?;
    let dir = file.parent().unwrap_or(Path::new("."));
    let shown_dir = Path::new(&shown_file)
        .parent()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    parse_model_in(&text, &shown_file, Some((dir, &shown_dir)))
}

/// Parses and validates model text; `name` is used in messages. CSV side files cannot be read
/// from text alone: use [`load_model`] for a model that has them.
pub fn parse_model(text: &str, name: &str) -> Result<LoadedModel> {
    parse_model_in(text, name, None)
}

fn parse_model_in(text: &str, name: &str, dir: Option<(&Path, &str)>) -> Result<LoadedModel> {
    let mut src = Source::new(name, text.to_string());
    if src.is_blank() {
        return Err(Error::Syntax {
            path: name.to_string(),
            message: "the model file is empty; a model needs at least one [[store]] and the \
                      nodes that reach it"
                .into(),
        });
    }
    let mut raw: RawModel = toml::from_str(text).map_err(|e| Error::Syntax {
        path: name.to_string(),
        message: e.to_string().trim_end().to_string(),
    })?;
    let side = match (dir, raw.csv.take()) {
        (Some((dir, shown_dir)), Some(files)) => open_side_files(files, &mut src, dir, shown_dir),
        (None, Some(files)) => {
            if let Some((_, f)) = files.iter().next() {
                src.error(
                    Some(f.span()),
                    "CSV side files can only be read from a model file on disk",
                );
            }
            Vec::new()
        }
        (_, None) => Vec::new(),
    };
    let mut model = build(raw, &side, &mut src);
    // The side files' header positions are no longer needed. (Their text stays: `src` holds it
    // to give problems their lines.)
    drop(side);
    if !src.has_errors() {
        model = model.canonical();
        lint_duplicates(&model, &mut src);
    }

    // Problems in reading order: the model file first, then side files, each by line; each
    // with its near-id search, if it has one.
    let primary = src.name().to_string();
    let mut suggestion: Vec<Option<Suggestion>> = vec![None; src.problems.len()];
    for (i, s) in std::mem::take(&mut src.suggestions) {
        suggestion[i] = Some(s);
    }
    let mut problems: Vec<(Diagnostic, Option<Suggestion>)> =
        src.problems.into_iter().zip(suggestion).collect();
    problems.sort_by(|(a, _), (b, _)| {
        (
            a.file != primary,
            &a.file,
            a.line.is_none(),
            a.line,
            a.column,
        )
            .cmp(&(
                b.file != primary,
                &b.file,
                b.line.is_none(),
                b.line,
                b.column,
            ))
    });
    let (errors, warnings): (Vec<_>, Vec<_>) = problems
        .into_iter()
        .partition(|(d, _)| d.severity == crate::error::Severity::Error);
    let warnings = warnings.into_iter().map(|(d, _)| d).collect();
    let (mut errors, suggestions): (Vec<Diagnostic>, Vec<Option<Suggestion>>) =
        errors.into_iter().unzip();
    if !errors.is_empty() {
        suggest_ids(&model, &mut errors, &suggestions);
        return Err(Error::Invalid { problems: errors });
    }
    Ok(LoadedModel {
        model,
        path: name.to_string(),
        warnings,
    })
}

/// Adds "did you mean" to the unknown ids of the errors that are shown (the first
/// [`SHOWN_PROBLEMS`]), each searched for among the model's ids of its kinds, in parallel.
fn suggest_ids(model: &Model, errors: &mut [Diagnostic], suggestions: &[Option<Suggestion>]) {
    let shown = errors.len().min(SHOWN_PROBLEMS);
    errors[..shown]
        .par_iter_mut()
        .zip(&suggestions[..shown])
        .for_each(|(d, s)| {
            if let Some(s) = s {
                let candidates = model
                    .nodes
                    .iter()
                    .filter(|n| s.kinds.contains(&n.kind))
                    .map(|n| n.id.as_str());
                d.message.push_str(&did_you_mean(&s.wanted, candidates));
            }
        });
}

fn span<T>(s: &Spanned<T>) -> Option<Range<usize>> {
    Some(s.span())
}

/// Checks a number that must be a whole number of days or records, ≥ 0.
fn non_negative(src: &mut impl Report, v: &Spanned<i64>, what: &str) -> Option<u64> {
    if *v.get_ref() < 0 {
        src.error(
            span(v),
            format!("{what} must be 0 or more, not {}", v.get_ref()),
        );
        None
    } else {
        Some(*v.get_ref() as u64)
    }
}

fn days(src: &mut impl Report, v: &Spanned<i64>, what: &str) -> Option<u32> {
    let d = non_negative(src, v, what)?;
    if d > u32::MAX as u64 {
        src.error(span(v), format!("{what} is too large: {d} days"));
        return None;
    }
    Some(d as u32)
}

fn probability(src: &mut impl Report, v: &Spanned<f64>, what: &str) -> Option<f64> {
    let p = *v.get_ref();
    if !(0.0..=1.0).contains(&p) {
        src.error(
            span(v),
            format!("{what} must be a probability between 0 and 1, not {p}"),
        );
        None
    } else {
        Some(p)
    }
}

fn duration(src: &mut impl Report, v: &Spanned<f64>, what: &str) -> Option<f64> {
    let t = *v.get_ref();
    if !(t >= 0.0 && t.is_finite()) {
        src.error(span(v), format!("{what} must be 0 days or more, not {t}"));
        None
    } else {
        Some(t)
    }
}

/// Flattens a `[categories]` table: quoted dotted keys and nested tables mean the same.
pub(crate) fn flatten_weights(
    src: &mut Source,
    prefix: &str,
    table: &toml::Table,
    out: &mut Vec<(String, f64)>,
) {
    for (key, value) in table {
        let name = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::Table(t) => flatten_weights(src, &name, t, out),
            toml::Value::Integer(i) => push_weight(src, &name, *i as f64, out),
            toml::Value::Float(f) => push_weight(src, &name, *f, out),
            other => src.error(
                None,
                format!(
                    "[categories] `{name}` must be a number (its weight), not a {}",
                    other.type_str()
                ),
            ),
        }
    }
}

fn push_weight(src: &mut Source, name: &str, w: f64, out: &mut Vec<(String, f64)>) {
    if !(0.0..=MAX_WEIGHT).contains(&w) {
        src.error(
            None,
            format!("[categories] weight of `{name}` must be from 0 to {MAX_WEIGHT}, not {w}"),
        );
    } else {
        out.push((name.to_string(), w));
    }
}

fn number(value: &toml::Value) -> Option<f64> {
    match value {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        _ => None,
    }
}

fn read_probabilities(src: &mut Source, table: &toml::Table) -> Probabilities {
    let mut p = Probabilities::default();
    for (key, value) in table {
        if key == "credential" {
            match value {
                toml::Value::Table(t) => {
                    for (mfa, v) in t {
                        let slot = match Mfa::parse(mfa) {
                            Some(Mfa::None) => &mut p.credential_none,
                            Some(Mfa::Otp) => &mut p.credential_otp,
                            Some(Mfa::PhishingResistant) => &mut p.credential_phishing_resistant,
                            None => {
                                src.error(
                                    None,
                                    format!(
                                        "[probabilities] credential: unknown mfa `{mfa}`; expected one of none, otp, phishing_resistant{}",
                                        did_you_mean(mfa, Mfa::NAMES)
                                    ),
                                );
                                continue;
                            }
                        };
                        match number(v).filter(|x| (0.0..=1.0).contains(x)) {
                            Some(x) => *slot = x,
                            None => src.error(
                                None,
                                format!("[probabilities] credential.{mfa} must be a probability between 0 and 1, not {v}"),
                            ),
                        }
                    }
                }
                v => match number(v).filter(|x| (0.0..=1.0).contains(x)) {
                    Some(x) => {
                        p.credential_none = x;
                        p.credential_otp = x;
                        p.credential_phishing_resistant = x;
                    }
                    None => src.error(
                        None,
                        format!("[probabilities] credential must be a probability or a table by mfa, not {v}"),
                    ),
                },
            }
            continue;
        }
        let Some(x) = number(value).filter(|x| (0.0..=1.0).contains(x)) else {
            src.error(
                None,
                format!(
                    "[probabilities] `{key}` must be a probability between 0 and 1, not {value}"
                ),
            );
            continue;
        };
        match key.as_str() {
            "owns" => p.owns = x,
            "member" => p.member = x,
            "grant" => p.grant = x,
            "access" => p.access = x,
            "edge" => p.edge = x,
            custom => {
                p.custom.insert(custom.to_string(), x);
            }
        }
    }
    p
}

fn read_times(src: &mut Source, table: &toml::Table) -> Times {
    let mut t = Times::default();
    for (key, value) in table {
        if key == "distribution" {
            match value.as_str().and_then(Distribution::parse) {
                Some(d) => t.distribution = d,
                None => src.error(
                    None,
                    format!(
                        "[times] distribution must be \"exponential\" or \"fixed\", not {value}"
                    ),
                ),
            }
            continue;
        }
        let Some(x) = number(value).filter(|x| *x >= 0.0 && x.is_finite()) else {
            src.error(
                None,
                format!("[times] `{key}` must be a number of days, 0 or more, not {value}"),
            );
            continue;
        };
        match key.as_str() {
            "owns" => t.owns = x,
            "member" => t.member = x,
            "grant" => t.grant = x,
            "access" => t.access = x,
            "credential" => t.credential = x,
            "edge" => t.edge = x,
            custom => {
                t.custom.insert(custom.to_string(), x);
            }
        }
    }
    t
}

fn plain_link(from: NodeId, to: NodeId, kind: LinkKind) -> Link {
    Link::new(from, to, kind)
}

/// What entries add to the model besides its nodes. It is gathered apart from the model so that
/// rows of a side file can be checked in parallel against the (then read-only) node table and
/// added in file order afterwards.
#[derive(Default)]
struct Additions {
    links: Vec<Link>,
    flows: Vec<Flow>,
    record_sets: Vec<RecordSet>,
    /// Kind and MFA of each account entry.
    accounts: Vec<(NodeId, AccountKind, Mfa)>,
    /// Retention of each store entry.
    retention: Vec<(NodeId, Option<u32>)>,
}

impl Additions {
    fn add_to(self, model: &mut Model) {
        model.links.extend(self.links);
        model.flows.extend(self.flows);
        model.record_sets.extend(self.record_sets);
        for (n, kind, mfa) in self.accounts {
            model.account_kind[n as usize] = kind;
            model.mfa[n as usize] = mfa;
        }
        for (n, days) in self.retention {
            model.store_policy[n as usize].retention_days = days;
        }
    }
}

/// Checks raw entries, one at a time, against the declared nodes: TOML entries and side-file
/// rows go through the same checks. Problems go to the [`Report`] each check is given.
struct Builder<'m> {
    model: &'m Model,
    out: Additions,
    /// The node after the last one looked up, for rows' own ids and for references: files are
    /// often in id order, like the nodes, so the next id asked for is often this one, found
    /// without a probe of the index.
    next: [usize; 2],
}

/// Which of [`Builder::next`] a lookup predicts from.
const OWN_ID: usize = 0;
const REFERENCE: usize = 1;

impl<'m> Builder<'m> {
    fn new(model: &'m Model) -> Builder<'m> {
        Builder {
            model,
            out: Additions::default(),
            next: [0; 2],
        }
    }

    /// The node named `id` (a row's own id or a reference, `role`): the one after the last
    /// found in that role when that is it, else from the index.
    fn node_id(&mut self, id: &str, role: usize) -> Option<NodeId> {
        let next = self.next[role];
        let found = match self.model.nodes.get(next) {
            Some(n) if n.id == id => Some(next as NodeId),
            _ => self.model.node_id(id),
        };
        if let Some(n) = found {
            self.next[role] = n as usize + 1;
        }
        found
    }

    /// A builder for a piece of a side file of `table`, with room for what its rows add.
    fn with_room(model: &'m Model, table: &str, size: PieceSize) -> Builder<'m> {
        let mut b = Builder::new(model);
        let out = &mut b.out;
        match table {
            "records" => out.record_sets.reserve(size.rows),
            "flow" => out.flows.reserve(size.rows),
            _ => out.links.reserve(size.items),
        }
        match table {
            "account" => out.accounts.reserve(size.rows),
            "store" => out.retention.reserve(size.rows),
            _ => {}
        }
        b
    }

    /// The node `id` names, when it is one of `kinds`; otherwise reports it (with the nearest
    /// known id of those kinds when it names no node).
    fn resolve(
        &mut self,
        src: &mut impl Report,
        id: &Id,
        kinds: &[NodeKind],
        role: &str,
    ) -> Option<NodeId> {
        let wanted = id.get_ref().as_str();
        let found = self.node_id(wanted, REFERENCE);
        if let Some(n) = found {
            if kinds.contains(&self.model.kind(n)) {
                return Some(n);
            }
        }
        let expected = kinds
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(" or ");
        match found {
            Some(n) => {
                src.error(
                    span(id),
                    format!(
                        "{role} `{wanted}` is {}, but it must be a {expected}",
                        self.model.kind(n).with_article()
                    ),
                );
                None
            }
            None => {
                let message = format!("unknown {expected} `{wanted}`");
                src.unknown_id(span(id), message, wanted, kinds);
                None
            }
        }
    }

    fn person(&mut self, src: &mut impl Report, p: &RawPerson) {
        let Some(from) = self.node_id(p.id.get_ref(), OWN_ID) else {
            return;
        };
        for a in &p.accounts {
            if let Some(to) = self.resolve(src, a, &[NodeKind::Account], "account") {
                self.out.links.push(plain_link(from, to, LinkKind::Owns));
            }
        }
    }

    fn account(&mut self, src: &mut impl Report, a: &RawAccount) {
        let Some(from) = self.node_id(a.id.get_ref(), OWN_ID) else {
            return;
        };
        let kind = match &a.kind {
            None => AccountKind::Human,
            Some(k) => match k.get_ref().as_str() {
                "human" => AccountKind::Human,
                "service" => AccountKind::Service,
                other => {
                    src.error(
                        span(k),
                        format!(
                            "unknown account kind `{other}` for `{}`; expected human or service{}",
                            a.id.get_ref(),
                            did_you_mean(other, ["human", "service"])
                        ),
                    );
                    AccountKind::Human
                }
            },
        };
        let mfa = match &a.mfa {
            None => Mfa::None,
            Some(m) => Mfa::parse(m.get_ref()).unwrap_or_else(|| {
                src.error(
                    span(m),
                    format!(
                        "unknown mfa `{}` for `{}`; expected none, otp or phishing_resistant{}",
                        m.get_ref(),
                        a.id.get_ref(),
                        did_you_mean(m.get_ref(), Mfa::NAMES)
                    ),
                );
                Mfa::None
            }),
        };
        self.out.accounts.push((from, kind, mfa));
        for g in &a.groups {
            if let Some(to) = self.resolve(src, g, &[NodeKind::Group], "group") {
                self.out.links.push(plain_link(from, to, LinkKind::Member));
            }
        }
    }

    fn group(&mut self, src: &mut impl Report, g: &RawGroup) {
        let Some(from) = self.node_id(g.id.get_ref(), OWN_ID) else {
            return;
        };
        for parent in &g.groups {
            if let Some(to) = self.resolve(src, parent, &[NodeKind::Group], "group") {
                if to == from {
                    src.error(
                        span(parent),
                        format!("group `{}` lists itself as its parent", g.id.get_ref()),
                    );
                    continue;
                }
                self.out.links.push(plain_link(from, to, LinkKind::Member));
            }
        }
    }

    fn membership(&mut self, src: &mut impl Report, m: &RawMembership) {
        let member = self.resolve(
            src,
            &m.member,
            &[NodeKind::Account, NodeKind::Group],
            "member",
        );
        let group = self.resolve(src, &m.group, &[NodeKind::Group], "group");
        if let (Some(from), Some(to)) = (member, group) {
            if from == to {
                src.error(
                    span(&m.group),
                    format!(
                        "group `{}` is listed as a member of itself",
                        m.group.get_ref()
                    ),
                );
                return;
            }
            self.out.links.push(plain_link(from, to, LinkKind::Member));
        }
    }

    fn credentials(&mut self, src: &mut impl Report, from: NodeId, credentials: &[Id]) {
        for c in credentials {
            if let Some(to) = self.resolve(src, c, &[NodeKind::Account], "credential account") {
                self.out
                    .links
                    .push(plain_link(from, to, LinkKind::Credential));
            }
        }
    }

    fn system(&mut self, src: &mut impl Report, s: &RawSystem) {
        let Some(from) = self.node_id(s.id.get_ref(), OWN_ID) else {
            return;
        };
        self.credentials(src, from, &s.credentials);
        for a in &s.access {
            self.access(src, from, a);
        }
    }

    fn access(&mut self, src: &mut impl Report, from: NodeId, a: &RawAccess) {
        let store = self.resolve(src, &a.store, &[NodeKind::Store], "store");
        let access = parse_access(src, &a.access);
        let p = a.p.as_ref().and_then(|p| probability(src, p, "p"));
        let time = a.time.as_ref().and_then(|t| duration(src, t, "time"));
        if let (Some(to), Some(access)) = (store, access) {
            self.out.links.push(
                plain_link(from, to, LinkKind::Access(access))
                    .with_p(p)
                    .with_time(time),
            );
        }
    }

    /// The node a side-file row belongs to (a record set's store, an access row's system).
    fn owner(
        &mut self,
        src: &mut impl Report,
        id: &Id,
        kind: NodeKind,
        what: &str,
    ) -> Option<NodeId> {
        match self.node_id(id.get_ref(), OWN_ID) {
            Some(n) if self.model.kind(n) == kind => Some(n),
            _ => {
                let wanted = id.get_ref();
                let message = format!("{what} for unknown {kind} `{wanted}`");
                src.unknown_id(Some(id.span()), message, wanted, &[kind]);
                None
            }
        }
    }

    fn store(&mut self, src: &mut impl Report, s: &RawStore) {
        let Some(store) = self.node_id(s.id.get_ref(), OWN_ID) else {
            return;
        };
        self.credentials(src, store, &s.credentials);
        let retention = s
            .retention_days
            .as_ref()
            .and_then(|d| days(src, d, "retention_days"));
        self.out.retention.push((store, retention));
        for r in &s.records {
            self.record_set(src, store, retention, r);
        }
    }

    /// A record set of `store`, whose own retention is `store_retention`.
    fn record_set<R: Report>(
        &mut self,
        src: &mut R,
        store: NodeId,
        store_retention: Option<u32>,
        r: &RawRecordSet,
    ) {
        let model = self.model;
        let store_id = model.id(store);
        let category = r.category.get_ref().trim().to_string();
        if category.is_empty() || category.split('.').any(|part| part.is_empty()) {
            src.error(
                span(&r.category),
                format!(
                    "record category `{}` in store `{store_id}` is not a dot-separated name",
                    r.category.get_ref(),
                ),
            );
            return;
        }
        let within = |src: &mut R, v: &Spanned<i64>, what: &str| {
            non_negative(src, v, what).filter(|&n| {
                let ok = n <= MAX_RECORDS;
                if !ok {
                    src.error(
                        span(v),
                        format!("{what} of `{category}` in store `{store_id}` is {n}; at most {MAX_RECORDS} is supported"),
                    );
                }
                ok
            })
        };
        let amount = match (&r.count, &r.per_day) {
            (Some(c), None) => within(src, c, "count").map(Amount::Count),
            (None, Some(d)) => within(src, d, "per_day").map(Amount::PerDay),
            _ => {
                src.error(
                    span(&r.category),
                    format!(
                        "record set `{category}` in store `{store_id}` needs exactly one of `count` or `per_day`",
                    ),
                );
                None
            }
        };
        let retention = r
            .retention_days
            .as_ref()
            .and_then(|d| days(src, d, "retention_days"));
        let coverage = match &r.coverage {
            None => Some(1.0),
            Some(c) => probability(src, c, "coverage"),
        };
        let subjects = r.subjects.as_ref().and_then(|s| {
            let name = s.get_ref();
            if model.populations.contains_key(name.as_str()) {
                Some(name.to_string())
            } else {
                src.error(
                    span(s),
                    format!(
                        "unknown population `{name}`{}",
                        did_you_mean(name, model.populations.keys().map(|k| k.as_str()))
                    ),
                );
                None
            }
        });
        let (Some(amount), Some(coverage)) = (amount, coverage) else {
            return;
        };
        if matches!(amount, Amount::PerDay(_))
            && retention.is_none()
            && store_retention.is_none()
            && model.program_age_days.is_none()
        {
            src.error(
                span(&r.category),
                format!(
                    "rate-based set `{category}` in store `{store_id}` has no retention_days and [org] has no program_age_days, so the records it holds are unbounded",
                ),
            );
        }
        self.out.record_sets.push(RecordSet {
            store,
            category,
            amount,
            retention_days: retention,
            subjects,
            coverage,
        });
    }

    fn grant(&mut self, src: &mut impl Report, g: &RawGrant) {
        let principal = self.resolve(
            src,
            &g.principal,
            &[NodeKind::Account, NodeKind::Group],
            "grant principal",
        );
        let target = self.resolve(
            src,
            &g.target,
            &[NodeKind::Store, NodeKind::System],
            "grant target",
        );
        let access = parse_access(src, &g.access);
        let p = g.p.as_ref().and_then(|p| probability(src, p, "p"));
        let time = g.time.as_ref().and_then(|t| duration(src, t, "time"));
        let last_used = g
            .last_used_days
            .as_ref()
            .and_then(|d| days(src, d, "last_used_days"));
        let (Some(from), Some(to), Some(access)) = (principal, target, access) else {
            return;
        };
        if self.model.kind(to) == NodeKind::System && access != Access::Admin {
            src.error(
                span(&g.access),
                format!(
                    "a grant on system `{}` must be `admin` (full control), not `{}`",
                    g.target.get_ref(),
                    access.as_str()
                ),
            );
            return;
        }
        self.out.links.push(
            plain_link(from, to, LinkKind::Grant(access))
                .with_p(p)
                .with_time(time)
                .with_last_used_days(last_used),
        );
    }

    fn edge(&mut self, src: &mut impl Report, e: &RawEdge) {
        let all = &NodeKind::ALL;
        let from = self.resolve(src, &e.from, all, "edge source");
        let to = self.resolve(src, &e.to, all, "edge target");
        let p = e.p.as_ref().and_then(|p| probability(src, p, "p"));
        let time = e.time.as_ref().and_then(|t| duration(src, t, "time"));
        let label = e.kind.get_ref().trim();
        if label.is_empty() {
            src.error(span(&e.kind), "an [[edge]] needs a non-empty `kind` label");
            return;
        }
        if let (Some(from), Some(to)) = (from, to) {
            self.out.links.push(
                plain_link(from, to, LinkKind::Custom(crate::model::Label::new(label)))
                    .with_p(p)
                    .with_time(time),
            );
        }
    }

    fn flow(&mut self, src: &mut impl Report, f: &RawFlow) {
        let from = self.resolve(src, &f.from, &[NodeKind::Store], "flow source");
        let to = self.resolve(src, &f.to, &[NodeKind::Store], "flow target");
        if let (Some(from), Some(to)) = (from, to) {
            if from == to {
                src.error(
                    span(&f.to),
                    format!("flow from `{}` into itself", f.from.get_ref()),
                );
                return;
            }
            self.out.flows.push(Flow {
                from,
                to,
                categories: f
                    .categories
                    .as_ref()
                    .map(|c| c.iter().map(|s| s.get_ref().to_string()).collect()),
            });
        }
    }

    /// One side-file row, as its raw entry.
    fn side_row(&mut self, src: &mut impl Report, row: SideRow) {
        match row {
            SideRow::Person(p) => self.person(src, &p),
            SideRow::Account(a) => self.account(src, &a),
            SideRow::Group(g) => self.group(src, &g),
            SideRow::Membership(m) => self.membership(src, &m),
            SideRow::System(s) => self.system(src, &s),
            SideRow::Access(system, a) => {
                if let Some(from) = self.owner(src, &system, NodeKind::System, "access row") {
                    self.access(src, from, &a);
                }
            }
            SideRow::Store(s) => self.store(src, &s),
            SideRow::Records(store, r) => {
                if let Some(store) = self.owner(src, &store, NodeKind::Store, "record set") {
                    let retention = self.model.store_policy[store as usize].retention_days;
                    self.record_set(src, store, retention, &r);
                }
            }
            SideRow::Grant(g) => self.grant(src, &g),
            SideRow::Flow(f) => self.flow(src, &f),
            SideRow::Edge(e) => self.edge(src, &e),
        }
    }
}

/// A node declaration: its id, its kind and where the id is written.
struct Declaration {
    id: Text,
    kind: NodeKind,
    at: Range<usize>,
}

/// Whether `id` can name a node; reports why not.
fn declarable(src: &mut impl Report, id: &Id, kind: NodeKind) -> bool {
    let name = id.get_ref();
    if name.trim().is_empty() {
        src.error(span(id), format!("{} has an empty id", kind.with_article()));
        return false;
    }
    if name.chars().any(char::is_control) {
        src.error(
            span(id),
            format!("the id {name:?} of {} holds a control character (a line break, tab or escape); ids must be printable", kind.with_article()),
        );
        return false;
    }
    true
}

/// Declares every node of the TOML entries and the side files, numbered in id order (so the
/// model is canonical from the start). Side files are read in parallel pieces. An id declared
/// twice is reported at its later declarations, pointing at the first.
fn declare_nodes(raw: &RawModel, side: &[SideFile], src: &mut Source, model: &mut Model) {
    let mut declared: Vec<Declaration> = Vec::with_capacity(
        side.iter()
            .filter(|f| declares_nodes(f.table))
            .map(|f| f.size.rows)
            .sum::<usize>()
            + raw.person.len()
            + raw.account.len()
            + raw.group.len()
            + raw.system.len()
            + raw.store.len(),
    );
    let toml = [
        (
            NodeKind::Person,
            raw.person.iter().map(|p| &p.id).collect::<Vec<_>>(),
        ),
        (
            NodeKind::Account,
            raw.account.iter().map(|a| &a.id).collect(),
        ),
        (NodeKind::Group, raw.group.iter().map(|g| &g.id).collect()),
        (NodeKind::System, raw.system.iter().map(|s| &s.id).collect()),
        (NodeKind::Store, raw.store.iter().map(|s| &s.id).collect()),
    ];
    for (kind, ids) in toml {
        for id in ids {
            if declarable(src, id, kind) {
                declared.push(Declaration {
                    id: id.get_ref().clone(),
                    kind,
                    at: id.span(),
                });
            }
        }
    }
    for file in side.iter().filter(|f| declares_nodes(f.table)) {
        let kind = match file.table {
            "person" => NodeKind::Person,
            "account" => NodeKind::Account,
            "group" => NodeKind::Group,
            "system" => NodeKind::System,
            _ => NodeKind::Store,
        };
        let pieces = par_rows(
            file,
            true,
            |size| Vec::with_capacity(size.rows),
            |found, problems, row, at| {
                if let Some(id) = declared_id(problems, row, at) {
                    if declarable(problems, &id, kind) {
                        let at = id.span();
                        found.push(Declaration {
                            id: id.into_inner(),
                            kind,
                            at,
                        });
                    }
                }
            },
        );
        for (found, problems) in pieces {
            problems.add_to(src);
            declared.extend(found);
        }
    }
    // Stable: of equal ids, the one declared first comes first and is kept.
    declared.par_sort_by(|a, b| a.id.cmp(&b.id));
    let mut nodes: Vec<Node> = Vec::with_capacity(declared.len());
    let mut first_at = 0;
    for d in declared {
        if let Some(prev) = nodes.last().filter(|prev| prev.id == d.id) {
            let (file, line, _) = src.position(first_at);
            let at = if file == src.name() {
                format!("line {line}")
            } else {
                format!("{file}:{line}")
            };
            let message = format!(
                "duplicate id `{}`: already declared as {} at {at}; ids must be unique across all kinds",
                d.id,
                prev.kind.with_article()
            );
            src.error(Some(d.at), message);
            continue;
        }
        first_at = d.at.start;
        nodes.push(Node {
            id: d.id,
            kind: d.kind,
        });
    }
    model.add_nodes(nodes);
}

/// Raw entries and side files → validated model. Problems go to `src`; the returned model is
/// only meaningful when `src` has no errors.
fn build(raw: RawModel, side: &[SideFile], src: &mut Source) -> Model {
    // Size the links once: growing them copies tens of megabytes at 100k people.
    let toml_links = raw.person.iter().map(|p| p.accounts.len()).sum::<usize>()
        + raw.account.iter().map(|a| a.groups.len()).sum::<usize>()
        + raw.group.iter().map(|g| g.groups.len()).sum::<usize>()
        + raw.membership.len()
        + raw
            .system
            .iter()
            .map(|s| s.credentials.len() + s.access.len())
            .sum::<usize>()
        + raw.store.iter().map(|s| s.credentials.len()).sum::<usize>()
        + raw.grant.len()
        + raw.edge.len();
    let side_links: usize = side
        .iter()
        .filter(|f| !matches!(f.table, "records" | "flow"))
        .map(|f| f.size.items)
        .sum();
    let mut model = Model::default();
    model.links.reserve(toml_links + side_links);
    let org = raw.org.clone().unwrap_or_default();
    model.name = org.name.unwrap_or_else(|| "unnamed organisation".into());
    model.program_age_days = org
        .program_age_days
        .as_ref()
        .and_then(|v| days(src, v, "program_age_days"));

    // Nodes first, so that references may point forward.
    declare_nodes(&raw, side, src, &mut model);

    let mut weights = Vec::new();
    if let Some(table) = &raw.categories {
        flatten_weights(src, "", table, &mut weights);
    }
    model.categories = Categories::new(weights);
    if let Some(table) = &raw.probabilities {
        model.probabilities = read_probabilities(src, table);
    }
    if let Some(table) = &raw.times {
        model.times = read_times(src, table);
    }
    for (name, size) in raw.populations.iter().flatten() {
        if let Some(n) = non_negative(src, size, &format!("population `{name}`")) {
            model.populations.insert(name.clone(), n);
        }
    }

    let mut b = Builder::new(&model);
    for p in &raw.person {
        b.person(src, p);
    }
    for a in &raw.account {
        b.account(src, a);
    }
    for g in &raw.group {
        b.group(src, g);
    }
    for m in &raw.membership {
        b.membership(src, m);
    }
    for s in &raw.system {
        b.system(src, s);
    }
    for s in &raw.store {
        b.store(src, s);
    }
    for g in &raw.grant {
        b.grant(src, g);
    }
    for e in &raw.edge {
        b.edge(src, e);
    }
    for f in &raw.flow {
        b.flow(src, f);
    }
    let toml = b.out;
    toml.add_to(&mut model);
    // Side files in dependency order (a store's row before its record sets), each in parallel
    // pieces whose additions and problems are taken in file order.
    for side_file in side {
        let report = !declares_nodes(side_file.table);
        let table = side_file.table;
        let pieces = par_rows(
            side_file,
            report,
            |size| Builder::with_room(&model, table, size),
            |b, problems, row, at| {
                if let Some(row) = parse_row(problems, table, row, at) {
                    b.side_row(problems, row);
                }
            },
        )
        .into_iter()
        .map(|(b, problems)| (b.out, problems))
        .collect::<Vec<_>>();
        for (additions, problems) in pieces {
            problems.add_to(src);
            additions.add_to(&mut model);
        }
    }

    for (regime, prefixes) in raw.notification.iter().flatten() {
        let mut list = Vec::new();
        for p in prefixes {
            let prefix = p.get_ref();
            if !model
                .record_sets
                .iter()
                .any(|s| crate::model::category_matches(&s.category, prefix))
            {
                src.warning(
                    span(p),
                    format!("notification regime `{regime}`: no record set has a category under `{prefix}`"),
                );
            }
            list.push(prefix.clone());
        }
        model.notification.insert(regime.clone(), list);
    }

    // Copies flowing into a store without retention need the programme age too.
    if model.program_age_days.is_none() {
        let rate_sets = model
            .record_sets
            .iter()
            .any(|s| matches!(s.amount, Amount::PerDay(_)));
        for f in &model.flows {
            if rate_sets && model.store_policy[f.to as usize].retention_days.is_none() {
                src.error(
                    None,
                    format!(
                        "store `{}` receives flowed records but has no retention_days, and [org] has no program_age_days to bound them",
                        model.id(f.to)
                    ),
                );
            }
        }
    }

    if let Err(cycle) = flow_order(&model) {
        let mut names: Vec<&str> = cycle.iter().map(|&s| model.id(s)).collect();
        names.push(names[0]);
        src.error(None, format!("flows form a cycle: {}", names.join(" → ")));
    }

    if !src.has_errors() {
        lint(&model, src);
    }
    model
}

fn parse_access(src: &mut impl Report, a: &Spanned<Text>) -> Option<Access> {
    let s = a.get_ref();
    let parsed = Access::parse(s);
    if parsed.is_none() {
        src.error(
            span(a),
            format!(
                "unknown access `{s}`; expected read, write or admin{}",
                did_you_mean(s, Access::NAMES)
            ),
        );
    }
    parsed
}

/// Targets by source node in two flat lists (no list per node).
struct Adjacency {
    offsets: Vec<u32>,
    targets: Vec<NodeId>,
}

impl Adjacency {
    fn new(n: usize, pairs: impl Iterator<Item = (NodeId, NodeId)> + Clone) -> Adjacency {
        let mut offsets = vec![0u32; n + 1];
        for (from, _) in pairs.clone() {
            offsets[from as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut fill = offsets.clone();
        let mut targets = vec![0; offsets[n] as usize];
        for (from, to) in pairs {
            targets[fill[from as usize] as usize] = to;
            fill[from as usize] += 1;
        }
        Adjacency { offsets, targets }
    }

    fn of(&self, x: NodeId) -> &[NodeId] {
        &self.targets[self.offsets[x as usize] as usize..self.offsets[x as usize + 1] as usize]
    }
}

/// Warns of links listed more than once. In a canonical model equal links are next to each
/// other, so this needs no set of every link.
fn lint_duplicates(model: &Model, src: &mut Source) {
    for w in model.links.windows(2) {
        let (a, l) = (&w[0], &w[1]);
        if a.from == l.from && a.to == l.to && a.kind == l.kind {
            src.warning(
                None,
                format!(
                    "`{}` → `{}` ({}) is listed more than once; it counts as one step with the largest p",
                    model.id(l.from),
                    model.id(l.to),
                    l.kind.label()
                ),
            );
        }
    }
}

/// Warnings about a valid model: things that are allowed but probably not meant. The checks
/// run in parallel; their warnings are added in a fixed order.
fn lint(model: &Model, src: &mut Source) {
    let checks: [fn(&Model, &mut Problems); 4] = [
        lint_unused_groups,
        lint_unusable_grants,
        lint_group_cycles,
        lint_retention_and_weights,
    ];
    let found: Vec<Problems> = checks
        .par_iter()
        .map(|check| {
            let mut problems = Problems::default();
            check(model, &mut problems);
            problems
        })
        .collect();
    for problems in found {
        problems.add_to(src);
    }
}

/// Groups nobody is a member of.
fn lint_unused_groups(model: &Model, problems: &mut Problems) {
    let n = model.node_count();
    let mut has_members = vec![false; n];
    for l in &model.links {
        if model.kind(l.to) == NodeKind::Group {
            has_members[l.to as usize] = true;
        }
    }
    for g in model.nodes_of(NodeKind::Group) {
        if !has_members[g as usize] {
            problems.warning(
                None,
                format!(
                    "unused group `{}`: no account or group is a member of it",
                    model.id(g)
                ),
            );
        }
    }
}

/// Grants to groups no account can end up in.
fn lint_unusable_grants(model: &Model, problems: &mut Problems) {
    let n = model.node_count();
    // Groups some account, person or system can end up in.
    let mut usable = vec![false; n];
    let mut stack: Vec<NodeId> = (0..n as NodeId)
        .filter(|&x| model.kind(x) != NodeKind::Group)
        .collect();
    let out = Adjacency::new(
        n,
        model
            .links
            .iter()
            .filter(|l| l.kind.is_traversable())
            .map(|l| (l.from, l.to)),
    );
    for &x in &stack {
        usable[x as usize] = true;
    }
    while let Some(x) = stack.pop() {
        for &y in out.of(x) {
            if !usable[y as usize] {
                usable[y as usize] = true;
                stack.push(y);
            }
        }
    }
    for l in &model.links {
        if let LinkKind::Grant(a) = l.kind {
            if !usable[l.from as usize] {
                problems.warning(
                    None,
                    format!(
                        "grant {} on `{}` to group `{}` that nobody can use: no account is a member of it, directly or through nested groups",
                        a.as_str(),
                        model.id(l.to),
                        model.id(l.from)
                    ),
                );
            }
        }
    }
}

/// Groups that are members of each other.
fn lint_group_cycles(model: &Model, problems: &mut Problems) {
    let n = model.node_count();
    // Groups that are members of each other: every member of one gains all their privileges.
    let parents = Adjacency::new(
        n,
        model
            .links
            .iter()
            .filter(|l| l.kind == LinkKind::Member && model.kind(l.from) == NodeKind::Group)
            .map(|l| (l.from, l.to)),
    );
    let mut state = vec![0u8; n]; // 0 new, 1 on the current walk, 2 done
    for g in model.nodes_of(NodeKind::Group) {
        if state[g as usize] != 0 {
            continue;
        }
        // Iterative depth-first walk; a back edge to a node on the walk closes a cycle.
        let mut stack: Vec<(NodeId, usize)> = vec![(g, 0)];
        state[g as usize] = 1;
        while let Some(&mut (x, ref mut i)) = stack.last_mut() {
            if let Some(&p) = parents.of(x).get(*i) {
                *i += 1;
                match state[p as usize] {
                    0 => {
                        state[p as usize] = 1;
                        stack.push((p, 0));
                    }
                    1 => {
                        let at = stack.iter().position(|(y, _)| *y == p).unwrap_or(0);
                        let mut names: Vec<&str> =
                            stack[at..].iter().map(|(y, _)| model.id(*y)).collect();
                        names.push(model.id(p));
                        problems.warning(
                            None,
                            format!(
                                "groups are members of each other: {}; every member of one gains the privileges of all",
                                names.join(" → ")
                            ),
                        );
                    }
                    _ => {}
                }
            } else {
                state[x as usize] = 2;
                stack.pop();
            }
        }
    }
}

/// Stores that keep records without a retention window, and categories without a weight.
fn lint_retention_and_weights(model: &Model, problems: &mut Problems) {
    let n = model.node_count();
    let mut receives = vec![false; n];
    for f in &model.flows {
        receives[f.to as usize] = true;
    }
    let mut has_rate = vec![false; n];
    for s in &model.record_sets {
        if matches!(s.amount, Amount::PerDay(_)) && s.retention_days.is_none() {
            has_rate[s.store as usize] = true;
        }
    }
    for s in model.nodes_of(NodeKind::Store) {
        if model.store_policy[s as usize].retention_days.is_none()
            && (has_rate[s as usize] || receives[s as usize])
        {
            let age = model.program_age_days.map_or(String::new(), |a| {
                format!(" (everything since the programme began, {a} days, is kept)")
            });
            problems.warning(
                None,
                format!("store `{}` has no retention_days{age}", model.id(s)),
            );
        }
    }

    let mut unweighted = BTreeSet::new();
    for s in &model.record_sets {
        if model.categories.declared_weight(&s.category).is_none() {
            unweighted.insert(s.category.as_str());
        }
    }
    for c in unweighted {
        problems.warning(
            None,
            format!(
                "category `{c}` has no weight in [categories] (nor any prefix of it); it weighs 1"
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        match parse_model(text, "m.toml") {
            Ok(_) => vec![],
            Err(Error::Invalid { problems }) => problems.iter().map(|d| d.to_string()).collect(),
            Err(e) => vec![e.to_string()],
        }
    }

    #[test]
    fn reports_every_unknown_reference_with_lines_and_suggestions() {
        let text = r#"
[[account]]
id = "alice-u"
groups = ["manager", "nobody"]

[[group]]
id = "managers"
"#;
        let p = problems(text);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(
            p[0],
            "m.toml:4:11: error: unknown group `manager`; did you mean `managers`?"
        );
        assert!(p[1].starts_with("m.toml:4:22: error: unknown group `nobody`"));
    }

    #[test]
    fn a_wrong_kind_says_what_the_id_is() {
        let text = r#"
[[person]]
id = "alice"
[[grant]]
principal = "alice"
target = "alice"
access = "read"
"#;
        let p = problems(text);
        assert!(
            p[0].contains("grant principal `alice` is a person"),
            "{p:?}"
        );
        assert!(p[1].contains("grant target `alice` is a person"), "{p:?}");
    }
}
