//! Errors and diagnostics for people: every message names the file, the line and column where
//! it can, and the offending id.

use std::fmt;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: String,
    /// 1-based line and column, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {level}: {}", self.message)
    }
}

impl Diagnostic {
    /// A JSON syntax or schema error in `file`, located where serde_json stopped, worded for
    /// a person: an empty file, or one whose first character cannot start JSON (a YAML file),
    /// is "not `expected`" (e.g. "an OpenGraph document"), a cut-off one "ends too early".
    pub fn from_json(file: &str, e: &serde_json::Error, expected: &str) -> Diagnostic {
        let text = e.to_string();
        let bare = match text.rfind(" at line ") {
            Some(i) if e.line() > 0 => text[..i].to_string(),
            _ => text,
        };
        let message = if e.is_eof() && e.line() == 1 && e.column() == 0 {
            format!("the file is empty, not {expected}")
        } else if e.is_syntax() && e.line() == 1 && e.column() <= 1 {
            // The first character is wrong: another format (YAML, CSV), not broken JSON.
            format!("the file is not JSON, so not {expected}: {bare}")
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
}

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read `{path}`: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write `{path}`: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Syntax { path: String, message: String },
    #[error("{}", render_problems(.problems))]
    Invalid { problems: Vec<Diagnostic> },
    #[error("{0}")]
    Input(String),
}

/// Problems shown of a file that has more: past a hundred, they are nearly always one cause
/// (a wrong header, a misnamed file) repeated, and the first ones name it.
pub const SHOWN_PROBLEMS: usize = 100;

fn render_problems(problems: &[Diagnostic]) -> String {
    let errors = problems
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let mut out: Vec<String> = problems
        .iter()
        .take(SHOWN_PROBLEMS)
        .map(|d| d.to_string())
        .collect();
    if problems.len() > SHOWN_PROBLEMS {
        out.push(format!(
            "… and {} more not shown: the first ones often have a single cause, such as a side file's header",
            problems.len() - SHOWN_PROBLEMS
        ));
    }
    out.push(format!(
        "{errors} error{} found; nothing was computed",
        if errors == 1 { "" } else { "s" }
    ));
    out.join("\n")
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The id among `candidates` nearest to `wanted`, if it is near enough to be a likely typo;
/// else the shortest that has `wanted` as a whole leading or trailing part (`dana` →
/// `dana-okafor`, `health` → `user.health`), for ids typed short.
pub fn nearest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (wanted.chars().count() / 3).max(2);
    let candidates: Vec<&'a str> = candidates.into_iter().collect();
    let typo = candidates
        .iter()
        .map(|&c| (strsim::levenshtein(wanted, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c);
    let part = |c: &str| {
        let lead = c
            .strip_prefix(wanted)
            .is_some_and(|rest| rest.starts_with(['-', '.', '_']));
        let trail = c
            .strip_suffix(wanted)
            .is_some_and(|rest| rest.ends_with(['-', '.', '_']));
        wanted.chars().count() >= 3 && (lead || trail)
    };
    typo.or_else(|| {
        candidates
            .iter()
            .filter(|c| part(c))
            .min_by_key(|c| (c.len(), **c))
            .copied()
    })
}

/// "; did you mean `x`?" or nothing.
pub fn did_you_mean<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match nearest(wanted, candidates) {
        Some(c) => format!("; did you mean `{c}`?"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_ids_only() {
        let ids = ["managers", "engineers", "hr-staff"];
        assert_eq!(nearest("manager", ids), Some("managers"));
        assert_eq!(nearest("zzz", ids), None);
        assert_eq!(did_you_mean("hr-staf", ids), "; did you mean `hr-staff`?");
        // Typed short: a whole leading or trailing part.
        let ids = [
            "dana-okafor",
            "danae-x",
            "user.health",
            "user.health.sick_leave",
        ];
        assert_eq!(nearest("dana", ids), Some("dana-okafor"));
        assert_eq!(nearest("health", ids), Some("user.health"));
        assert_eq!(nearest("okafor", ids), Some("dana-okafor"));
        assert_eq!(nearest("ana", ids), None);
        assert_eq!(nearest("he", ["user.he"]), None);
    }
}
