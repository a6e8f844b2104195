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
///
/// The nearest is the least Levenshtein distance (of characters), ties to the first id in
/// byte order. One pass over the candidates: a candidate whose length differs from `wanted`'s
/// by more than the best distance so far cannot be nearer (the distance is at least the length
/// difference) and is skipped, and the distance of the others is computed only within that
/// bound ([`levenshtein_within`]), so an unknown id among millions costs a fraction of a second.
pub fn nearest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let w: Vec<char> = wanted.chars().collect();
    let limit = (w.len() / 3).max(2);
    let mut typo: Option<(usize, &'a str)> = None;
    let mut part: Option<&'a str> = None;
    let mut scratch = Scratch::default();
    for c in candidates {
        let bound = typo.map_or(limit, |(d, _)| d);
        if let Some(d) = levenshtein_within(&w, c, bound, &mut scratch) {
            if typo.is_none_or(|best| (d, c) < best) {
                typo = Some((d, c));
            }
        }
        if typo.is_none()
            && w.len() >= 3
            && is_part(wanted, c)
            && part.is_none_or(|p| (c.len(), c) < (p.len(), p))
        {
            part = Some(c);
        }
    }
    typo.map(|(_, c)| c).or(part)
}

/// Whether `wanted` is a whole leading or trailing part of `c` (`dana` of `dana-okafor`).
fn is_part(wanted: &str, c: &str) -> bool {
    let lead = c
        .strip_prefix(wanted)
        .is_some_and(|rest| rest.starts_with(['-', '.', '_']));
    let trail = c
        .strip_suffix(wanted)
        .is_some_and(|rest| rest.ends_with(['-', '.', '_']));
    lead || trail
}

/// Reused buffers of [`levenshtein_within`].
#[derive(Default)]
struct Scratch {
    chars: Vec<char>,
    prev: Vec<usize>,
    cur: Vec<usize>,
}

/// The Levenshtein distance (of characters) between `a` and `b` when it is at most `k`, else
/// `None`: the same number as `strsim::levenshtein`, computed only on the band of cells within
/// `k` of the diagonal (no path through a cell outside it costs `k` or less), and given up as
/// soon as a whole row of the band exceeds `k`.
fn levenshtein_within(a: &[char], b: &str, k: usize, s: &mut Scratch) -> Option<usize> {
    // A char is 1 to 4 bytes: rule out most candidates by their byte length alone.
    let (n, bytes) = (a.len(), b.len());
    if bytes + k < n || bytes.div_ceil(4) > n + k {
        return None;
    }
    s.chars.clear();
    s.chars.extend(b.chars());
    let b = &s.chars;
    let m = b.len();
    if m.abs_diff(n) > k {
        return None;
    }
    let inf = k + 1;
    s.prev.clear();
    s.prev.extend((0..=m).map(|j| j.min(inf)));
    s.cur.clear();
    s.cur.resize(m + 1, inf);
    let (prev, cur) = (&mut s.prev, &mut s.cur);
    for i in 1..=n {
        let lo = i.saturating_sub(k).max(1);
        let hi = (i + k).min(m);
        // The cell left of the band: column 0 (i deletions), or outside the band.
        cur[lo - 1] = if lo == 1 { i.min(inf) } else { inf };
        let mut row_min = cur[lo - 1];
        for j in lo..=hi {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let v = (prev[j - 1] + cost)
                .min(prev[j] + 1)
                .min(cur[j - 1] + 1)
                .min(inf);
            cur[j] = v;
            row_min = row_min.min(v);
        }
        // The cell right of the band, which the next row reads above its last cell.
        if hi < m {
            cur[hi + 1] = inf;
        }
        if row_min > k {
            return None;
        }
        std::mem::swap(prev, cur);
    }
    (prev[m] <= k).then_some(prev[m])
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

    /// The plain computation `nearest` shortcuts: the distance to every candidate, then the
    /// leading or trailing parts.
    fn nearest_plainly<'a>(wanted: &str, candidates: &[&'a str]) -> Option<&'a str> {
        let limit = (wanted.chars().count() / 3).max(2);
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

    #[test]
    fn suggestions_equal_the_plain_computation_on_random_ids() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(23);
        // A small alphabet (with separators and multi-byte characters) makes near ids, ties
        // and leading or trailing parts common.
        let alphabet: Vec<char> = "ab-.c_éd€".chars().collect();
        let word = |rng: &mut rand::rngs::StdRng, len: usize| -> String {
            (0..len)
                .map(|_| alphabet[rng.gen_range(0..alphabet.len())])
                .collect()
        };
        for round in 0..400 {
            let count = rng.gen_range(0..60);
            let ids: Vec<String> = (0..count)
                .map(|_| {
                    let len = rng.gen_range(0..14);
                    word(&mut rng, len)
                })
                .collect();
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            for _ in 0..20 {
                let wanted = match rng.gen_range(0..3) {
                    // An id with a few random edits, or a part of one, or anything.
                    0 if !ids.is_empty() => {
                        let mut w: Vec<char> = ids[rng.gen_range(0..ids.len())].chars().collect();
                        for _ in 0..rng.gen_range(0..4) {
                            let at = rng.gen_range(0..=w.len());
                            match rng.gen_range(0..3) {
                                0 => w.insert(at, alphabet[rng.gen_range(0..alphabet.len())]),
                                1 if at < w.len() => {
                                    w.remove(at);
                                }
                                _ if at < w.len() => {
                                    w[at] = alphabet[rng.gen_range(0..alphabet.len())]
                                }
                                _ => {}
                            }
                        }
                        w.into_iter().collect()
                    }
                    1 if !ids.is_empty() => {
                        let id = ids[rng.gen_range(0..ids.len())];
                        let cut = id
                            .char_indices()
                            .map(|(i, _)| i)
                            .nth(rng.gen_range(0..=id.chars().count().max(1) - 1))
                            .unwrap_or(0);
                        if rng.gen() {
                            id[..cut].to_string()
                        } else {
                            id[cut..].to_string()
                        }
                    }
                    _ => {
                        let len = rng.gen_range(0..14);
                        word(&mut rng, len)
                    }
                };
                assert_eq!(
                    nearest(&wanted, ids.iter().copied()),
                    nearest_plainly(&wanted, &ids),
                    "round {round}: {wanted:?} among {ids:?}"
                );
            }
        }
    }

    #[test]
    fn the_banded_distance_equals_strsim_within_the_bound() {
        let words = [
            "", "a", "ab", "ba", "abc", "kitten", "sitting", "€é-a", "a-é€", "flaw", "lawn", "aaaa",
        ];
        let mut s = Scratch::default();
        for a in words {
            let chars: Vec<char> = a.chars().collect();
            for b in words {
                let d = strsim::levenshtein(a, b);
                for k in 0..8 {
                    let want = (d <= k).then_some(d);
                    assert_eq!(
                        levenshtein_within(&chars, b, k, &mut s),
                        want,
                        "{a:?} {b:?} {k}"
                    );
                }
            }
        }
    }
}
