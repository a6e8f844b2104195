//! The kind mapping: which OpenGraph node kinds become persons, accounts, groups, systems and
//! stores (with default records, MFA and retention), which edge kinds are attack steps or
//! blastradius links, and the property names that carry records. A `--mapping` file is parsed
//! over the built-in [`DEFAULT_MAPPING`], its rules consulted first; its problems carry line,
//! column and the nearest valid name, as the model loader's do.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::error::{did_you_mean, Error, Result};
use crate::interop::opengraph::document::Document;
use crate::load::model::flatten_weights;
use crate::load::source::Source;
use crate::model::{Access, Amount, LinkKind, Mfa, NodeKind};

mod edge_rules;
mod profiles;

pub(crate) use edge_rules::EndKinds;
use edge_rules::{find_edge, read_edge_rules};
pub(super) use profiles::{Profile, ProfileChoice};

/// The built-in mapping, in the format of a `--mapping` file.
pub const DEFAULT_MAPPING: &str = include_str!("../profiles/default.toml");

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
pub(super) struct RecordTemplate {
    pub(super) category: String,
    pub(super) amount: Amount,
    pub(super) retention_days: Option<u32>,
}

/// What a node kind becomes.
#[derive(Debug, Clone)]
pub(super) struct KindRule {
    pub(super) kind: NodeKind,
    pub(super) service: bool,
    pub(super) mfa: Option<Mfa>,
    pub(super) records: Vec<RecordTemplate>,
    pub(super) retention_days: Option<u32>,
    /// The node property that holds the store's record count (SnowHound's `rows`), read
    /// before the mapping-wide `[properties] records`.
    pub(super) records_from: Option<String>,
    /// The category of records counted from a property, when the node names none.
    pub(super) category: Option<String>,
}

/// A blastradius link an edge kind may become.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Native {
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
    pub(super) fn fits(self, from: NodeKind, to: NodeKind) -> bool {
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

    pub(super) fn name(self) -> &'static str {
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

    pub(super) fn describe(self) -> &'static str {
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

    pub(super) fn link_kind(self) -> Option<LinkKind> {
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
pub(super) struct EdgeRule {
    pub(super) traversable: Option<bool>,
    pub(super) p: Option<f64>,
    pub(super) link: Option<Native>,
    /// Kinds the start must have (any of them, patterns allowed); empty: any start.
    from: Vec<Pattern>,
    /// Kinds the end must have; empty: any end.
    to: Vec<Pattern>,
}

/// Rules of one mapping file.
#[derive(Debug, Clone, Default)]
pub(super) struct Rules {
    kinds: Vec<(Pattern, KindRule)>,
    edges: Vec<(Pattern, EdgeRule)>,
    pub(super) weights: Vec<(String, f64)>,
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
pub(super) struct PropertyNames {
    pub(super) records: String,
    pub(super) per_day: String,
    pub(super) category: String,
    pub(super) retention_days: String,
    pub(super) mfa: String,
}

/// How OpenGraph kinds become blastradius nodes and links: a `--mapping` file over the
/// built-in [`DEFAULT_MAPPING`].
#[derive(Debug, Clone)]
pub struct Mapping {
    pub(super) name: Option<String>,
    pub(super) program_age_days: Option<u32>,
    pub(super) unknown_kind: NodeKind,
    pub(super) default_p: f64,
    pub(super) p_property: String,
    pub(super) properties: PropertyNames,
    /// The mapping file's rules first, then the built-in ones.
    pub(super) tiers: Vec<Rules>,
    /// The built-in collector profiles, consulted after the mapping file and before the
    /// generic built-in rules.
    pub(super) profiles: Vec<Profile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    org: Option<RawMapOrg>,
    profile: Option<toml::Table>,
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
        static BUILT_IN: std::sync::OnceLock<Mapping> = std::sync::OnceLock::new();
        BUILT_IN
            .get_or_init(|| {
                let mut m = parse_mapping_over(None, DEFAULT_MAPPING, "built-in mapping")
                    .expect("the built-in mapping is valid");
                m.profiles = profiles::built_in();
                m
            })
            .clone()
    }
}

/// Reads a mapping file; its rules are consulted before the built-in ones.
pub fn load_mapping(path: &Path, shown: &str) -> Result<Mapping> {
    let text = crate::load::input::read_text(path).map_err(|source| Error::Read {
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

/// The fields a `[kinds]` rule may have.
const KIND_FIELDS: [&str; 7] = [
    "as",
    "service",
    "mfa",
    "records",
    "records_from",
    "category",
    "retention_days",
];

fn read_kind_rule(src: &mut Source, key: &str, value: &Spanned<toml::Value>) -> Option<KindRule> {
    let span = value.span();
    let at = || Some(span.clone());
    let mut rule = KindRule {
        kind: NodeKind::System,
        service: false,
        mfa: None,
        records: Vec::new(),
        retention_days: None,
        records_from: None,
        category: None,
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
            ("records_from", toml::Value::String(s)) if !s.trim().is_empty() => {
                rule.records_from = Some(s.trim().to_string())
            }
            ("category", toml::Value::String(s)) if !s.trim().is_empty() => {
                rule.category = Some(s.trim().to_string())
            }
            ("records", toml::Value::Array(sets)) => {
                for set in sets {
                    match read_template(src, key, set, &span) {
                        Some(t) => rule.records.push(t),
                        None => ok = false,
                    }
                }
            }
            (f @ ("as" | "service" | "mfa" | "records" | "records_from" | "category"), v) => {
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
                        "[kinds] `{key}`: unknown field `{f}`; expected as, service, mfa, records, records_from, category or retention_days{}",
                        did_you_mean(f, KIND_FIELDS)
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
    let holds = !rule.records.is_empty() || rule.records_from.is_some() || rule.category.is_some();
    if holds && rule.kind != NodeKind::Store {
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

fn parse_mapping_over(base: Option<Mapping>, text: &str, name: &str) -> Result<Mapping> {
    let mut src = Source::new(name, text.to_string());
    let raw: RawMapping = toml::from_str(text).map_err(|e| Error::Syntax {
        path: name.to_string(),
        message: e.to_string().trim_end().to_string(),
    })?;
    let user_file = base.is_some();
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
        profiles: Vec::new(),
    });
    if user_file && raw.profile.is_some() {
        src.error(
            None,
            "[profile] is read only in the built-in collector profiles; a mapping file's rules apply to every document".to_string(),
        );
    }
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
        for rule in read_edge_rules(&mut src, key, value).unwrap_or_default() {
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
    /// The rule tiers in the order they are consulted for a document of `profile`: the
    /// mapping file's, the document's profile, the profiles that claim one of `kinds`, then
    /// the generic built-in rules.
    fn tiers_for(&self, profile: Option<usize>, kinds: &[&str]) -> Vec<&Rules> {
        let (generic, user) = match self.tiers.split_last() {
            Some((g, u)) => (Some(g), u),
            None => (None, &[][..]),
        };
        let own = profile.and_then(|p| self.profiles.get(p));
        let claiming = self
            .profiles
            .iter()
            .enumerate()
            .filter(|(i, p)| Some(*i) != profile && p.claims(kinds))
            .map(|(_, p)| &p.rules);
        user.iter()
            .chain(own.map(|p| &p.rules))
            .chain(claiming)
            .chain(generic)
            .collect()
    }

    /// The rule for a node of these kinds, in a document of `profile`.
    pub(super) fn kind_rule(&self, kinds: &[&str], profile: Option<usize>) -> Option<&KindRule> {
        self.tiers_for(profile, kinds)
            .into_iter()
            .find_map(|t| Rules::find(&t.kinds, kinds))
    }

    /// The rule for an edge of `kind` whose ends have these kinds (none when an end is not
    /// known), in a document of `profile`. Profiles that claim the edge's kind or its ends'
    /// kinds are consulted after the document's own (an AD `MemberOf` in a ConfigManBearPig
    /// file is read by the Active Directory profile).
    pub(super) fn edge_rule(
        &self,
        kind: &str,
        ends: EndKinds,
        profile: Option<usize>,
    ) -> Option<&EdgeRule> {
        let mut kinds = vec![kind];
        if let Some((a, b)) = ends {
            kinds.extend(a.iter().chain(b));
        }
        self.tiers_for(profile, &kinds)
            .into_iter()
            .find_map(|t| find_edge(&t.edges, kind, ends))
    }

    /// Each document's profile and how it was recognised (none: the generic rules alone).
    pub(super) fn recognise(&self, docs: &[Document]) -> Vec<Option<(usize, ProfileChoice)>> {
        docs.iter()
            .map(|d| profiles::recognise(&self.profiles, d))
            .collect()
    }
}

#[cfg(test)]
mod tests;
