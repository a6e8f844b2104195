//! Design specifications (`[[design]]` tables in scenarios and design files) into validated
//! [`Design`]s: every selector resolved on the model, every value checked, and every change that
//! would do nothing reported, with file, line and the nearest valid id.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::input::text_too_long;
use super::source::Source;
use crate::design::{reach_of, Change, Design, EdgeFilter, Entry, Selector, SetDetection};
use crate::error::{did_you_mean, Error, Result};
use crate::model::records::Holdings;
use crate::model::{Mfa, Model, NodeKind};

/// A `[[design]]` table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDesign {
    pub name: Spanned<String>,
    pub description: Option<Spanned<String>>,
    #[serde(default)]
    pub changes: Vec<Spanned<toml::Value>>,
    pub cost_per_year: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDesignFile {
    #[serde(default)]
    design: Vec<RawDesign>,
}

/// Operations and the keys each takes (besides `op`).
const OPS: [(&str, &[&str]); 10] = [
    ("remove_grant", &["principal", "target"]),
    ("remove_member", &["member", "group"]),
    ("set_mfa", &["accounts", "mfa"]),
    ("remove_credential", &["holder", "account"]),
    ("drop_category", &["store", "category"]),
    ("scale_records", &["store", "category", "factor"]),
    ("set_retention", &["store", "category", "days"]),
    ("set_detection", &["mean_days"]),
    ("review_access", &["unused_days"]),
    ("set_p", &["kind", "from", "to", "p"]),
];

/// Whether `text` matches a glob of `*` (any run) and `?` (any one character).
pub fn glob_matches(glob: &str, text: &str) -> bool {
    let (g, t): (Vec<char>, Vec<char>) = (glob.chars().collect(), text.chars().collect());
    let (mut gi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if gi < g.len() && (g[gi] == '?' || g[gi] == t[ti]) {
            gi += 1;
            ti += 1;
        } else if gi < g.len() && g[gi] == '*' {
            star = Some(gi);
            mark = ti;
            gi += 1;
        } else if let Some(s) = star {
            gi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while gi < g.len() && g[gi] == '*' {
        gi += 1;
    }
    gi == g.len()
}

/// Resolves a selector: an id, `kind:glob`, a glob, or `*`, among nodes of `kinds`.
pub fn resolve_selector(
    model: &Model,
    text: &str,
    kinds: &[NodeKind],
) -> std::result::Result<Selector, String> {
    let expected = kinds
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(" or ");
    let mut nodes: Vec<u32> = Vec::new();
    let (kind_filter, pattern) = match text.split_once(':') {
        Some((k, glob)) => match NodeKind::parse(k) {
            Some(kind) if kinds.contains(&kind) => (Some(kind), glob),
            Some(kind) => {
                return Err(format!(
                    "selector `{text}` names {kind}s, but {expected}s are expected here"
                ))
            }
            None => {
                return Err(format!(
                    "selector `{text}`: unknown kind `{k}`; expected {expected}{}",
                    did_you_mean(k, kinds.iter().map(|k| k.as_str()))
                ))
            }
        },
        None => (None, text),
    };
    let is_glob = pattern.contains(['*', '?']);
    if !is_glob && kind_filter.is_none() {
        return match model.node_id(text) {
            Some(n) if kinds.contains(&model.kind(n)) => Ok(Selector {
                text: text.to_string(),
                nodes: vec![n],
            }),
            Some(n) => Err(format!(
                "`{text}` is {}, but a {expected} is expected here",
                model.kind(n).with_article()
            )),
            None => Err(format!(
                "unknown {expected} `{text}`{}",
                did_you_mean(
                    text,
                    model
                        .nodes
                        .iter()
                        .filter(|n| kinds.contains(&n.kind))
                        .map(|n| n.id.as_str())
                )
            )),
        };
    }
    for (i, node) in model.nodes.iter().enumerate() {
        let kind_ok = match kind_filter {
            Some(k) => node.kind == k,
            None => kinds.contains(&node.kind),
        };
        if kind_ok && glob_matches(pattern, &node.id) {
            nodes.push(i as u32);
        }
    }
    if nodes.is_empty() {
        return Err(format!("selector `{text}` matches no {expected}"));
    }
    Ok(Selector {
        text: text.to_string(),
        nodes,
    })
}

struct ChangeReader<'a> {
    table: &'a toml::Table,
    op: &'a str,
    problems: Vec<String>,
}

impl ChangeReader<'_> {
    fn string(&mut self, key: &str) -> Option<String> {
        match self.table.get(key) {
            None => None,
            Some(toml::Value::String(s)) => Some(s.clone()),
            Some(v) => {
                self.problems
                    .push(format!("{}: `{key}` must be a string, not {v}", self.op));
                None
            }
        }
    }

    fn required_string(&mut self, key: &str) -> Option<String> {
        let v = self.string(key);
        if v.is_none() && !self.table.contains_key(key) {
            self.problems.push(format!("{} needs `{key}`", self.op));
        }
        v
    }

    fn number(&mut self, key: &str) -> Option<f64> {
        match self.table.get(key) {
            None => {
                self.problems.push(format!("{} needs `{key}`", self.op));
                None
            }
            Some(toml::Value::Integer(i)) => Some(*i as f64),
            Some(toml::Value::Float(f)) => Some(*f),
            Some(v) => {
                self.problems
                    .push(format!("{}: `{key}` must be a number, not {v}", self.op));
                None
            }
        }
    }

    fn days(&mut self, key: &str) -> Option<u32> {
        match self.table.get(key) {
            Some(toml::Value::Integer(i)) if (0..=u32::MAX as i64).contains(i) => Some(*i as u32),
            None => {
                self.problems.push(format!("{} needs `{key}`", self.op));
                None
            }
            Some(v) => {
                self.problems.push(format!(
                    "{}: `{key}` must be a whole number of days, 0 or more, not {v}",
                    self.op
                ));
                None
            }
        }
    }

    fn selector(&mut self, model: &Model, key: &str, kinds: &[NodeKind]) -> Option<Selector> {
        let text = self.required_string(key)?;
        match resolve_selector(model, &text, kinds) {
            Ok(s) => Some(s),
            Err(e) => {
                self.problems.push(format!("{} {key}: {e}", self.op));
                None
            }
        }
    }

    /// `set_detection`'s mean days.
    fn set_detection(&mut self) -> Option<SetDetection> {
        self.number("mean_days").and_then(|d| {
            if d > 0.0 && d.is_finite() {
                Some(SetDetection { mean_days: d })
            } else {
                self.problems.push(format!(
                    "set_detection: mean_days must be more than 0, not {d}"
                ));
                None
            }
        })
    }

    /// The model change the table's `op` names, its selectors resolved on `model`.
    fn model_change(&mut self, model: &Model) -> Option<Change> {
        use NodeKind::*;
        match self.op {
            "remove_grant" => {
                let principal = self.selector(model, "principal", &[Account, Group]);
                let target = self.selector(model, "target", &[Store, System]);
                principal
                    .zip(target)
                    .map(|(principal, target)| Change::RemoveGrant { principal, target })
            }
            "remove_member" => {
                let member = self.selector(model, "member", &[Account, Group]);
                let group = self.selector(model, "group", &[Group]);
                member
                    .zip(group)
                    .map(|(member, group)| Change::RemoveMember { member, group })
            }
            "set_mfa" => {
                let accounts = self.selector(model, "accounts", &[Account]);
                let mfa = self.required_string("mfa").and_then(|m| match Mfa::parse(&m) {
                    Some(x) => Some(x),
                    None => {
                        self.problems.push(format!(
                            "set_mfa: unknown mfa `{m}`; expected none, otp or phishing_resistant{}",
                            did_you_mean(&m, Mfa::NAMES)
                        ));
                        None
                    }
                });
                accounts
                    .zip(mfa)
                    .map(|(accounts, mfa)| Change::SetMfa { accounts, mfa })
            }
            "remove_credential" => {
                let holder = self.selector(model, "holder", &[System, Store]);
                let account = self.selector(model, "account", &[Account]);
                holder
                    .zip(account)
                    .map(|(holder, account)| Change::RemoveCredential { holder, account })
            }
            "drop_category" => {
                let store = self.selector(model, "store", &[Store]);
                let category = self.required_string("category");
                store
                    .zip(category)
                    .map(|(store, category)| Change::DropCategory { store, category })
            }
            "scale_records" => {
                let store = self.selector(model, "store", &[Store]);
                let category = self.string("category");
                let factor = self.number("factor").filter(|f| {
                    let ok = *f >= 0.0 && f.is_finite();
                    if !ok {
                        self.problems
                            .push(format!("scale_records: factor must be 0 or more, not {f}"));
                    }
                    ok
                });
                store
                    .zip(factor)
                    .map(|(store, factor)| Change::ScaleRecords {
                        store,
                        category,
                        factor,
                    })
            }
            "set_retention" => {
                let store = self.selector(model, "store", &[Store]);
                let category = self.string("category");
                let days = self.days("days");
                store.zip(days).map(|(store, days)| Change::SetRetention {
                    store,
                    category,
                    days,
                })
            }
            "review_access" => self
                .days("unused_days")
                .map(|d| Change::ReviewAccess { unused_days: d }),
            "set_p" => {
                let p = self.number("p").filter(|p| {
                    let ok = (0.0..=1.0).contains(p);
                    if !ok {
                        self.problems.push(format!(
                            "set_p: p must be a probability between 0 and 1, not {p}"
                        ));
                    }
                    ok
                });
                let kind = self.string("kind");
                let edges = match (
                    self.table.contains_key("from"),
                    self.table.contains_key("to"),
                ) {
                    (false, false) => match kind {
                        Some(k) => Some(EdgeFilter::Kind(k)),
                        None => {
                            self.problems.push(
                                "set_p needs `kind` (an edge kind), or `from` and `to`".into(),
                            );
                            None
                        }
                    },
                    _ => {
                        let all = &NodeKind::ALL;
                        let from = self.selector(model, "from", all);
                        let to = self.selector(model, "to", all);
                        from.zip(to)
                            .map(|(from, to)| EdgeFilter::Between { from, to, kind })
                    }
                };
                edges.zip(p).map(|(edges, p)| Change::SetP { edges, p })
            }
            _ => unreachable!("ops are checked against OPS"),
        }
    }
}

/// Parses one change table (a model change or `set_detection`); problems are returned as
/// messages.
pub fn parse_change(model: &Model, value: &toml::Value) -> std::result::Result<Entry, Vec<String>> {
    let Some(table) = value.as_table() else {
        return Err(vec![format!(
            "a change must be a table like {{ op = \"set_mfa\", … }}, not {value}"
        )]);
    };
    let op = match table.get("op") {
        Some(toml::Value::String(s)) => s.as_str(),
        _ => {
            return Err(vec![
                "a change needs `op`, one of ".to_string() + &OPS.map(|(o, _)| o).join(", "),
            ])
        }
    };
    let Some((_, keys)) = OPS.iter().find(|(o, _)| *o == op) else {
        return Err(vec![format!(
            "unknown design operation `{op}`{}; expected one of {}",
            did_you_mean(op, OPS.map(|(o, _)| o)),
            OPS.map(|(o, _)| o).join(", ")
        )]);
    };
    let mut r = ChangeReader {
        table,
        op,
        problems: Vec::new(),
    };
    for key in table.keys() {
        if key != "op" && !keys.contains(&key.as_str()) {
            r.problems.push(format!(
                "{op}: unknown key `{key}`; it takes {}{}",
                keys.join(", "),
                did_you_mean(key, keys.iter().copied())
            ));
        }
    }
    let entry = match op {
        "set_detection" => r.set_detection().map(Entry::Detection),
        _ => r.model_change(model).map(Entry::Model),
    };
    match entry {
        Some(e) if r.problems.is_empty() => Ok(e),
        _ => Err(r.problems),
    }
}

/// Whether an entry changes anything: a model change its links, its MFA settings or what any
/// store holds (set_detection always changes the simulation).
fn changes_anything(model: &Model, holdings: &Holdings, entry: &Entry) -> bool {
    let change = match entry {
        Entry::Model(change) => change,
        Entry::Detection(_) => return true,
    };
    if reach_of(model, holdings, change) == 0 {
        return false;
    }
    let after = crate::design::apply(model, std::slice::from_ref(change));
    if after.links != model.links || after.mfa != model.mfa {
        return true;
    }
    // p set to the value a link already has changes nothing either.
    Holdings::compute(&after).by_store != holdings.by_store
}

/// What a design entry that changes nothing may have meant: the categories its stores hold.
fn nothing_hint(model: &Model, holdings: &Holdings, entry: &Entry) -> String {
    match entry {
        Entry::Model(Change::DropCategory { store, category })
        | Entry::Model(Change::ScaleRecords {
            store,
            category: Some(category),
            ..
        })
        | Entry::Model(Change::SetRetention {
            store,
            category: Some(category),
            ..
        }) => {
            let held: Vec<&str> = store
                .nodes
                .iter()
                .flat_map(|&s| &holdings.by_store[s as usize])
                .map(|h| model.record_sets[h.set as usize].category.as_str())
                .collect();
            did_you_mean(category, held)
        }
        _ => String::new(),
    }
}

/// Validates raw designs against the model; problems go to `src`.
pub(crate) fn read_designs(src: &mut Source, model: &Model, raw: Vec<RawDesign>) -> Vec<Design> {
    if raw.is_empty() {
        return Vec::new();
    }
    let holdings = Holdings::compute(model);
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for d in raw {
        let name = d.name.get_ref().trim().to_string();
        let texts = [
            ("name", Some(&d.name)),
            ("description", d.description.as_ref()),
        ];
        for (field, text) in texts {
            let Some(text) = text else { continue };
            if let Some(e) = text_too_long(&format!("a design's {field}"), text.get_ref()) {
                src.error(Some(text.span()), e);
            }
        }
        if name.is_empty() || name == "baseline" {
            src.error(
                Some(d.name.span()),
                "a design needs a name other than `baseline`",
            );
        } else if !seen.insert(name.clone()) {
            src.error(
                Some(d.name.span()),
                format!("two designs are named `{name}`"),
            );
        }
        let mut changes = Vec::new();
        for c in &d.changes {
            match parse_change(model, c.get_ref()) {
                Ok(change) => {
                    if !changes_anything(model, &holdings, &change) {
                        let hint = nothing_hint(model, &holdings, &change);
                        src.error(
                            Some(c.span()),
                            format!(
                                "design `{name}`: `{}` changes nothing in this model{hint}",
                                change.describe()
                            ),
                        );
                    }
                    changes.push(change);
                }
                Err(problems) => {
                    for p in problems {
                        src.error(Some(c.span()), format!("design `{name}`: {p}"));
                    }
                }
            }
        }
        let cost_per_year = d.cost_per_year.as_ref().and_then(|c| {
            let x = *c.get_ref();
            let ok = x.is_finite() && x >= 0.0;
            if !ok {
                src.error(
                    Some(c.span()),
                    format!("design `{name}`: cost_per_year must be a finite amount, 0 or more, not {x}"),
                );
            }
            ok.then_some(x)
        });
        out.push(Design {
            name,
            description: d.description.map(Spanned::into_inner),
            changes,
            cost_per_year,
        });
    }
    out
}

/// Reads a design file (`[[design]]` tables) against a loaded model.
pub fn load_design_file(path: &Path, shown: &str, model: &Model) -> Result<Vec<Design>> {
    let text = crate::load::input::read_text(path).map_err(|source| Error::Read {
        path: shown.to_string(),
        source,
    })?;
    let mut src = Source::new(shown, text);
    let raw: RawDesignFile = toml::from_str(src.text()).map_err(|e| Error::Syntax {
        path: shown.to_string(),
        message: e.to_string().trim_end().to_string(),
    })?;
    if raw.design.is_empty() {
        src.error(None, "the design file has no [[design]] tables");
    }
    let designs = read_designs(&mut src, model, raw.design);
    if src.has_errors() {
        return Err(Error::Invalid {
            problems: src.problems,
        });
    }
    Ok(designs)
}

#[cfg(test)]
mod tests {
    use super::glob_matches;

    #[test]
    fn globs() {
        assert!(glob_matches("svc-*", "svc-mdm"));
        assert!(glob_matches("*", ""));
        assert!(glob_matches("a?c", "abc"));
        assert!(!glob_matches("svc-*", "user-svc"));
        assert!(glob_matches("*-adm", "kofi-mensah-adm"));
        assert!(glob_matches("*a*b*", "xxaxxbxx"));
    }
}
