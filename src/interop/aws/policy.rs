//! IAM policy documents and their evaluation: Allow and Deny statements, `Action`/`NotAction`,
//! `Resource`/`NotResource` with IAM's wildcards (`*` any run of characters, `?` one), explicit
//! deny wins. Conditions are not evaluated: an Allow with a `Condition` counts as allowed and the
//! answer says so; a Deny with a `Condition` is not applied (it may not hold; the worst case is
//! that it does not) and is counted the same way.
//!
//! Resources are asked about in two shapes: an exact ARN, or a prefix standing for every ARN
//! that starts with it (an S3 bucket's objects, `arn:aws:s3:::bucket/` + any key). An Allow
//! applies to a prefix when its pattern matches *some* ARN under it; a Deny only when it
//! matches *every* one, so a partial grant counts as access and a partial deny removes none.

use serde_json::Value;

use super::json::{Located, Path};

/// Whether a statement allows or denies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// A list of patterns, or its negation (`NotAction`, `NotResource`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patterns {
    pub not: bool,
    pub list: Vec<String>,
}

/// One statement of an identity policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub effect: Effect,
    pub actions: Patterns,
    pub resources: Patterns,
    pub conditional: bool,
}

/// A policy document's statements.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Policy {
    pub statements: Vec<Statement>,
}

/// The policy languages IAM knows.
pub const VERSIONS: [&str; 2] = ["2012-10-17", "2008-10-17"];

/// A value that is one string or an array of strings.
pub fn strings(v: &Value, path: &Path, file: &str) -> Result<Vec<String>, Located> {
    match v {
        Value::String(s) => {
            super::json::name_ok(s, path, file)?;
            Ok(vec![s.clone()])
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => {
                    super::json::name_ok(s, &path.index(i), file)?;
                    Ok(s.clone())
                }
                _ => Err(Located::new(
                    file,
                    &path.index(i),
                    "expected a string".to_string(),
                )),
            })
            .collect(),
        _ => Err(Located::new(
            file,
            path,
            "expected a string or an array of strings".to_string(),
        )),
    }
}

/// Reads a policy document (the `Statement` may be one object or an array). `trust` documents
/// (role trust policies) have `Principal` instead of `Resource`; their statements are read by
/// the caller, this reads only the version and the list.
pub fn statements<'v>(
    doc: &'v Value,
    path: &Path,
    file: &str,
) -> Result<Vec<(Path, &'v Value)>, Located> {
    let Value::Object(map) = doc else {
        return Err(Located::new(
            file,
            path,
            "a policy document must be a JSON object".into(),
        ));
    };
    if let Some(v) = map.get("Version") {
        match v.as_str() {
            Some(s) if VERSIONS.contains(&s) => {}
            _ => {
                let shown = v.to_string();
                return Err(Located::new(
                    file,
                    &path.key("Version"),
                    format!(
                        "unknown policy language version {shown}; IAM knows {}{}",
                        VERSIONS.join(" and "),
                        crate::error::did_you_mean(v.as_str().unwrap_or(""), VERSIONS)
                    ),
                ));
            }
        }
    }
    let path = path.key("Statement");
    match map.get("Statement") {
        None => Err(Located::new(
            file,
            &path,
            "a policy document without `Statement`".into(),
        )),
        Some(Value::Array(items)) => Ok(items
            .iter()
            .enumerate()
            .map(|(i, s)| (path.index(i), s))
            .collect()),
        Some(one @ Value::Object(_)) => Ok(vec![(path, one)]),
        Some(_) => Err(Located::new(
            file,
            &path,
            "`Statement` must be an object or an array of objects".into(),
        )),
    }
}

/// A statement's `Effect`.
pub fn effect(s: &Value, path: &Path, file: &str) -> Result<Effect, Located> {
    match s.get("Effect") {
        None => Err(Located::new(
            file,
            path,
            "a statement without `Effect` (it must be \"Allow\" or \"Deny\")".into(),
        )),
        Some(Value::String(e)) if e == "Allow" => Ok(Effect::Allow),
        Some(Value::String(e)) if e == "Deny" => Ok(Effect::Deny),
        Some(other) => Err(Located::new(
            file,
            &path.key("Effect"),
            format!(
                "`Effect` must be \"Allow\" or \"Deny\", not {other}{}",
                crate::error::did_you_mean(other.as_str().unwrap_or(""), ["Allow", "Deny"])
            ),
        )),
    }
}

/// One of a pair of keys (`Action`/`NotAction`), exactly one of which must be there.
pub fn either(s: &Value, key: &str, path: &Path, file: &str) -> Result<Option<Patterns>, Located> {
    let not_key = format!("Not{key}");
    match (s.get(key), s.get(&not_key)) {
        (Some(_), Some(_)) => Err(Located::new(
            file,
            path,
            format!("a statement with both `{key}` and `{not_key}`"),
        )),
        (Some(v), None) => Ok(Some(Patterns {
            not: false,
            list: strings(v, &path.key(key), file)?,
        })),
        (None, Some(v)) => Ok(Some(Patterns {
            not: true,
            list: strings(v, &path.key(&not_key), file)?,
        })),
        (None, None) => Ok(None),
    }
}

/// Reads an identity policy document.
pub fn read_policy(doc: &Value, path: &Path, file: &str) -> Result<Policy, Located> {
    let mut out = Policy::default();
    for (path, s) in statements(doc, path, file)? {
        if !s.is_object() {
            return Err(Located::new(
                file,
                &path,
                "a statement must be a JSON object".into(),
            ));
        }
        let effect = effect(s, &path, file)?;
        let actions = either(s, "Action", &path, file)?.ok_or_else(|| {
            Located::new(
                file,
                &path,
                "a statement without `Action` or `NotAction`".into(),
            )
        })?;
        let resources = either(s, "Resource", &path, file)?.ok_or_else(|| {
            Located::new(
                file,
                &path,
                "a statement without `Resource` or `NotResource`".into(),
            )
        })?;
        out.statements.push(Statement {
            effect,
            actions,
            resources,
            conditional: s.get("Condition").is_some_and(|c| !is_empty(c)),
        });
    }
    Ok(out)
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.is_empty(),
        Value::Null => true,
        _ => false,
    }
}

/// A resource asked about: one ARN, or every ARN under a prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource<'a> {
    Exact(&'a str),
    Under(&'a str),
}

/// IAM's wildcard match: `*` any run of characters, `?` exactly one; `fold` ignores ASCII case
/// (actions are case-insensitive, resources are not).
pub fn glob(pattern: &str, text: &str, fold: bool) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let eq = |a: char, b: char| {
        if fold {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    // The classic two-pointer match with backtracking to the last `*`.
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < t.len() {
        if i < p.len() && (p[i] == '?' || (p[i] != '*' && eq(p[i], t[j]))) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

/// The pattern positions reachable after reading all of `prefix`.
fn states_after(pattern: &[char], prefix: &str) -> Vec<bool> {
    let n = pattern.len();
    let close = |set: &mut Vec<bool>| {
        // A `*` may match nothing: from a `*` you may step past it.
        for i in 0..n {
            if set[i] && pattern[i] == '*' {
                set[i + 1] = true;
            }
        }
    };
    let mut set = vec![false; n + 1];
    set[0] = true;
    close(&mut set);
    for c in prefix.chars() {
        let mut next = vec![false; n + 1];
        for i in 0..n {
            if !set[i] {
                continue;
            }
            match pattern[i] {
                '*' => next[i] = true,
                '?' => next[i + 1] = true,
                p if p == c => next[i + 1] = true,
                _ => {}
            }
        }
        set = next;
        close(&mut set);
    }
    set
}

/// Whether `pattern` matches some ARN starting with `prefix`.
pub fn matches_some(pattern: &str, prefix: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    states_after(&p, prefix).iter().any(|&s| s)
}

/// Whether `pattern` matches every ARN starting with `prefix`: after reading the prefix the
/// pattern must be able to be at a `*` followed only by `*`s.
pub fn covers_all(pattern: &str, prefix: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let set = states_after(&p, prefix);
    (0..p.len()).any(|i| set[i] && p[i..].iter().all(|&c| c == '*'))
}

impl Patterns {
    fn action_applies(&self, action: &str) -> bool {
        let hit = self.list.iter().any(|p| glob(p, action, true));
        hit != self.not
    }

    /// For an Allow: does the statement apply to (some of) the resource?
    fn allow_applies(&self, r: Resource) -> bool {
        match (r, self.not) {
            (Resource::Exact(arn), false) => self.list.iter().any(|p| glob(p, arn, false)),
            (Resource::Exact(arn), true) => !self.list.iter().any(|p| glob(p, arn, false)),
            (Resource::Under(pre), false) => self.list.iter().any(|p| matches_some(p, pre)),
            (Resource::Under(pre), true) => !self.list.iter().any(|p| covers_all(p, pre)),
        }
    }

    /// For a Deny: does the statement apply to all of the resource?
    fn deny_applies(&self, r: Resource) -> bool {
        match (r, self.not) {
            (Resource::Exact(_), _) => self.allow_applies(r),
            (Resource::Under(pre), false) => self.list.iter().any(|p| covers_all(p, pre)),
            (Resource::Under(pre), true) => !self.list.iter().any(|p| matches_some(p, pre)),
        }
    }
}

/// The answer for one action on one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// No Allow applies, or an unconditional Deny does.
    Denied,
    /// Allowed; `conditional` when every Allow that applies has a condition, or a Deny that
    /// would apply has one (neither evaluated).
    Allowed { conditional: bool },
}

impl Decision {
    pub fn allowed(self) -> bool {
        matches!(self, Decision::Allowed { .. })
    }
}

/// Evaluates `action` on `resource` over every policy a principal holds.
pub fn decide<'p>(
    policies: impl IntoIterator<Item = &'p Policy> + Clone,
    action: &str,
    resource: Resource,
) -> Decision {
    let mut allowed = false;
    let mut unconditional = false;
    let mut conditional_deny = false;
    for s in policies.into_iter().flat_map(|p| &p.statements) {
        if !s.actions.action_applies(action) {
            continue;
        }
        match s.effect {
            Effect::Deny if s.resources.deny_applies(resource) => {
                if s.conditional {
                    conditional_deny = true;
                } else {
                    return Decision::Denied;
                }
            }
            Effect::Allow if s.resources.allow_applies(resource) => {
                allowed = true;
                unconditional |= !s.conditional;
            }
            _ => {}
        }
    }
    if allowed {
        Decision::Allowed {
            conditional: !unconditional || conditional_deny,
        }
    } else {
        Decision::Denied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(glob("s3:Get*", "s3:GetObject", true));
        assert!(glob("S3:get*", "s3:GetObject", true));
        assert!(!glob("s3:Get*", "s3:PutObject", true));
        assert!(glob("iam:*", "iam:PutUserPolicy", true));
        assert!(glob("a?c", "abc", false) && !glob("a?c", "ac", false));
        assert!(glob(
            "arn:aws:iam::*:policy/fn2-*",
            "arn:aws:iam::2006:policy/fn2-x",
            false
        ));
        assert!(!glob(
            "arn:aws:iam::aws:policy/fp4-*",
            "arn:aws:iam::2006:policy/fp4-x",
            false
        ));
        assert!(matches_some("arn:aws:s3:::b/public/*", "arn:aws:s3:::b/"));
        assert!(!covers_all("arn:aws:s3:::b/public/*", "arn:aws:s3:::b/"));
        assert!(covers_all("arn:aws:s3:::b/*", "arn:aws:s3:::b/"));
        assert!(covers_all("*", "arn:aws:s3:::b/"));
        assert!(covers_all("arn:aws:s3:::b*", "arn:aws:s3:::b/"));
        assert!(!matches_some("arn:aws:s3:::b", "arn:aws:s3:::b/"));
        assert!(!matches_some("arn:aws:s3:::c/*", "arn:aws:s3:::b/"));
    }

    fn policy(json: &str) -> Policy {
        let v: Value = serde_json::from_str(json).unwrap();
        read_policy(&v, &Path::root(), "p.json").unwrap()
    }

    #[test]
    fn deny_wins_and_not_action() {
        let p = policy(
            r#"{"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"},{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}"#,
        );
        assert_eq!(
            decide([&p], "iam:PutUserPolicy", Resource::Exact("arn:x")),
            Decision::Denied
        );
        let p = policy(
            r#"{"Statement":{"Effect":"Allow","NotAction":["iam:Update*","iam:Create*"],"Resource":"*"}}"#,
        );
        assert!(decide([&p], "iam:PutUserPolicy", Resource::Exact("a")).allowed());
        assert!(!decide([&p], "iam:CreateAccessKey", Resource::Exact("a")).allowed());
        let p = policy(
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}"#,
        );
        assert_eq!(
            decide([&p], "s3:GetObject", Resource::Under("arn:aws:s3:::b/")),
            Decision::Allowed { conditional: true }
        );
    }

    #[test]
    fn bad_documents_are_located() {
        let bad = |json: &str| {
            let v: Value = serde_json::from_str(json).unwrap();
            read_policy(&v, &Path::root().key("Doc"), "p.json")
                .unwrap_err()
                .to_string()
        };
        let e = bad(r#"{"Version":"2012-10-18","Statement":[]}"#);
        assert!(
            e.contains("p.json: Doc.Version: unknown policy language version \"2012-10-18\""),
            "{e}"
        );
        assert!(e.contains("did you mean `2012-10-17`?"), "{e}");
        let e = bad(r#"{"Statement":[{"Action":"*","Resource":"*"}]}"#);
        assert!(
            e.contains("p.json: Doc.Statement[0]: a statement without `Effect`"),
            "{e}"
        );
    }
}
