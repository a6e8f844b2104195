//! `[edges]` rules: one table per edge kind, or an array of tables whose `from` and `to` name
//! the kinds its ends must have (the first whose ends fit applies), so that one collector edge
//! kind can mean different things between different kinds of nodes — SnowHound's `SNOW_Usage`
//! is a role granted from a user, the role hierarchy between roles, and no attack step on a
//! warehouse.

use std::ops::Range;

use toml::Spanned;

use super::{EdgeRule, Native, Pattern};
use crate::error::did_you_mean;
use crate::load::source::Source;

/// The fields an `[edges]` rule may have.
const FIELDS: [&str; 5] = ["traversable", "p", "link", "from", "to"];

/// The kinds of an edge's two ends, when both are known.
pub(crate) type EndKinds<'a> = Option<(&'a [&'a str], &'a [&'a str])>;

impl EdgeRule {
    /// Whether the rule's `from` and `to` conditions hold for these ends. A rule without
    /// conditions always applies; one with conditions never applies to an edge whose ends are
    /// not known (one that dangles).
    pub(super) fn applies(&self, ends: EndKinds) -> bool {
        if self.from.is_empty() && self.to.is_empty() {
            return true;
        }
        let Some((a, b)) = ends else {
            return false;
        };
        let fits = |pats: &[Pattern], kinds: &[&str]| {
            pats.is_empty() || pats.iter().any(|p| kinds.iter().any(|k| p.matches(k)))
        };
        fits(&self.from, a) && fits(&self.to, b)
    }
}

/// The rule for an edge kind whose ends have these kinds: an exact key before patterns, the
/// longest pattern among patterns, and within one key the first entry whose ends fit.
pub(super) fn find_edge<'r>(
    table: &'r [(Pattern, EdgeRule)],
    kind: &str,
    ends: EndKinds,
) -> Option<&'r EdgeRule> {
    if let Some((_, r)) = table
        .iter()
        .find(|(p, r)| p.is_exact() && p.text == kind && r.applies(ends))
    {
        return Some(r);
    }
    let mut best: Option<(usize, &EdgeRule)> = None;
    for (p, r) in table.iter().filter(|(p, _)| !p.is_exact()) {
        if p.matches(kind) && r.applies(ends) && best.is_none_or(|(s, _)| p.specificity() > s) {
            best = Some((p.specificity(), r));
        }
    }
    best.map(|(_, r)| r)
}

/// The entries of one `[edges]` key: a table, or an array of tables tried in order.
pub(super) fn read_edge_rules(
    src: &mut Source,
    key: &str,
    value: &Spanned<toml::Value>,
) -> Option<Vec<EdgeRule>> {
    let span = value.span();
    match value.get_ref() {
        toml::Value::Table(t) => read_edge_rule(src, key, t, &span).map(|r| vec![r]),
        toml::Value::Array(entries) => {
            let mut rules = Vec::new();
            let mut ok = true;
            for (i, e) in entries.iter().enumerate() {
                let what = format!("{key}[{i}]");
                match e.as_table() {
                    Some(t) => match read_edge_rule(src, &what, t, &span) {
                        Some(r) => rules.push(r),
                        None => ok = false,
                    },
                    None => {
                        src.error(
                            Some(span.clone()),
                            format!("[edges] `{what}` must be a table such as {{ from = \"*User\", link = \"member\" }}"),
                        );
                        ok = false;
                    }
                }
            }
            ok.then_some(rules)
        }
        _ => {
            src.error(
                Some(span),
                format!("[edges] `{key}` must be a table such as {{ traversable = true, p = 0.8 }}, or an array of them with `from` and `to` kinds"),
            );
            None
        }
    }
}

/// Kind patterns of a `from` or `to` condition: one string or an array of them.
fn read_kinds(
    src: &mut Source,
    key: &str,
    field: &str,
    v: &toml::Value,
    span: &Range<usize>,
) -> Option<Vec<Pattern>> {
    let texts: Option<Vec<&str>> = match v {
        toml::Value::String(s) => Some(vec![s.as_str()]),
        toml::Value::Array(a) => a.iter().map(|x| x.as_str()).collect(),
        _ => None,
    };
    match texts {
        Some(t) if !t.is_empty() && t.iter().all(|s| !s.trim().is_empty()) => Some(
            t.into_iter()
                .map(|s| Pattern {
                    text: s.trim().to_string(),
                })
                .collect(),
        ),
        _ => {
            src.error(
                Some(span.clone()),
                format!("[edges] `{key}`: `{field}` must be a kind (such as \"SNOW_User\" or \"*Role\") or an array of kinds, not {v}"),
            );
            None
        }
    }
}

fn read_edge_rule(
    src: &mut Source,
    key: &str,
    table: &toml::Table,
    span: &Range<usize>,
) -> Option<EdgeRule> {
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
            (f @ ("from" | "to"), v) => match read_kinds(src, key, f, v, span) {
                Some(p) if f == "from" => rule.from = p,
                Some(p) => rule.to = p,
                None => ok = false,
            },
            (f, _) => {
                let msg = if FIELDS.contains(&f) {
                    format!(
                        "[edges] `{key}`: `{f}` has the wrong type ({})",
                        v.type_str()
                    )
                } else {
                    format!(
                        "[edges] `{key}`: unknown field `{f}`; expected traversable, p, link, from or to{}",
                        did_you_mean(f, FIELDS)
                    )
                };
                src.error(Some(span.clone()), msg);
                ok = false;
            }
        }
    }
    ok.then_some(rule)
}
