//! The text files of one load (a model file and its CSV side files, or a scenario), and the
//! problems found in them. Every file gets its own range of global byte offsets, so a span from
//! any file maps back to that file's name, line and column.

use crate::error::{Diagnostic, Severity};
use crate::model::NodeKind;
use std::cell::OnceCell;
use std::ops::Range;
use std::sync::Arc;

struct SourceFile {
    name: String,
    base: usize,
    /// Shared, so that a reader can walk a file while problems are added to the source.
    text: Arc<String>,
    /// Offsets of line starts, made the first time a position in the file is asked for.
    line_starts: OnceCell<Vec<usize>>,
    /// Whether the text was freed ([`Source::release`]).
    released: bool,
    /// The text's length in bytes (kept when it is freed).
    len: usize,
}

impl SourceFile {
    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(self.text.match_indices('\n').map(|(i, _)| i + 1));
            starts
        })
    }
}

/// Input files and the problems found in them.
pub struct Source {
    files: Vec<SourceFile>,
    pub problems: Vec<Diagnostic>,
    /// Searches for the nearest known id, by problem (index in `problems`), left until the
    /// problems to show are known: see [`Report::unknown_id`].
    pub suggestions: Vec<(usize, Suggestion)>,
}

/// An id that names no node of `kinds`, to look for a near one.
#[derive(Debug, Clone)]
pub struct Suggestion {
    pub wanted: String,
    pub kinds: Vec<NodeKind>,
}

impl Source {
    /// A source whose primary file is `name`.
    pub fn new(name: impl Into<String>, text: String) -> Source {
        let mut s = Source {
            files: Vec::new(),
            problems: Vec::new(),
            suggestions: Vec::new(),
        };
        s.add_file(name, text);
        s
    }

    /// Adds a file; returns the global offset of its first byte.
    pub fn add_file(&mut self, name: impl Into<String>, text: String) -> usize {
        let base = self.files.last().map_or(0, |f| f.base + f.len + 1);
        self.files.push(SourceFile {
            name: name.into(),
            base,
            len: text.len(),
            text: Arc::new(text),
            line_starts: OnceCell::new(),
            released: false,
        });
        base
    }

    /// Frees the text of the file that starts at global offset `base` (a side file whose rows
    /// are all checked): problems found so far have their lines, and none may point into the
    /// file afterwards. Its offsets stay reserved, so later files keep their positions.
    pub fn release(&mut self, base: usize) {
        if let Some(f) = self.files.iter_mut().find(|f| f.base == base) {
            f.text = Arc::new(String::new());
            f.line_starts = OnceCell::new();
            f.released = true;
        }
    }

    /// Text of the file that starts at global offset `base`, shared.
    pub fn file_text(&self, base: usize) -> Arc<String> {
        self.files
            .iter()
            .find(|f| f.base == base)
            .map_or_else(|| Arc::new(String::new()), |f| f.text.clone())
    }

    /// Text of the primary file.
    pub fn text(&self) -> &str {
        &self.files[0].text
    }

    /// Name of the primary file.
    pub fn name(&self) -> &str {
        &self.files[0].name
    }

    /// File name, 1-based line and column of a global byte offset.
    pub fn position(&self, offset: usize) -> (&str, usize, usize) {
        let i = self.files.partition_point(|f| f.base <= offset).max(1) - 1;
        let f = &self.files[i];
        debug_assert!(!f.released, "a position in the released file {}", f.name);
        let local = (offset - f.base).min(f.text.len());
        let starts = f.line_starts();
        let line = starts.partition_point(|&s| s <= local);
        let start = starts[line - 1];
        let column = f
            .text
            .get(start..local)
            .map_or(1, |t| t.chars().count() + 1);
        (&f.name, line, column)
    }

    pub fn push(&mut self, severity: Severity, span: Option<Range<usize>>, message: String) {
        let (file, line, column) = match span {
            Some(s) => {
                let (f, l, c) = self.position(s.start);
                (f.to_string(), Some(l), Some(c))
            }
            None => (self.name().to_string(), None, None),
        };
        self.problems.push(Diagnostic {
            severity,
            file,
            line,
            column,
            message,
        });
    }

    pub fn error(&mut self, span: Option<Range<usize>>, message: impl Into<String>) {
        self.push(Severity::Error, span, message.into());
    }

    pub fn warning(&mut self, span: Option<Range<usize>>, message: impl Into<String>) {
        self.push(Severity::Warning, span, message.into());
    }

    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|d| d.severity == Severity::Error)
    }

    /// True when the primary file holds nothing but white space and comments.
    pub fn is_blank(&self) -> bool {
        self.text().lines().all(|l| {
            let t = l.trim();
            t.is_empty() || t.starts_with('#')
        })
    }
}

/// Where checks put the problems they find: a [`Source`] directly, or [`Problems`] when rows are
/// checked in parallel and their problems are added to the source afterwards.
pub trait Report {
    fn error(&mut self, span: Option<Range<usize>>, message: impl Into<String>);
    fn warning(&mut self, span: Option<Range<usize>>, message: impl Into<String>);
    /// An error about an id that names no node of `kinds`. The search for a near id ("did you
    /// mean") reads every id, and one wrong header can make a hundred thousand such errors, so
    /// it is left until the errors are sorted, for the ones that are shown.
    fn unknown_id(
        &mut self,
        span: Option<Range<usize>>,
        message: impl Into<String>,
        wanted: &str,
        kinds: &[NodeKind],
    ) {
        self.error(span, message);
        self.suggest_for_last(Suggestion {
            wanted: wanted.to_string(),
            kinds: kinds.to_vec(),
        });
    }
    /// Attaches a search for a near id to the problem reported last.
    fn suggest_for_last(&mut self, suggestion: Suggestion);
}

impl Report for Source {
    fn error(&mut self, span: Option<Range<usize>>, message: impl Into<String>) {
        Source::error(self, span, message);
    }

    fn warning(&mut self, span: Option<Range<usize>>, message: impl Into<String>) {
        Source::warning(self, span, message);
    }

    fn suggest_for_last(&mut self, suggestion: Suggestion) {
        self.suggestions.push((self.problems.len() - 1, suggestion));
    }
}

/// Problems found away from the source (by one worker, on one part of a file), kept with their
/// spans until [`Problems::add_to`] gives them their files and lines.
#[derive(Default)]
pub struct Problems {
    found: Vec<(Severity, Option<Range<usize>>, String)>,
    /// As [`Source::suggestions`], by index in `found`.
    suggestions: Vec<(usize, Suggestion)>,
}

impl Problems {
    /// The messages found, in the order they were found.
    #[cfg(test)]
    pub(crate) fn messages(&self) -> impl Iterator<Item = &str> {
        self.found.iter().map(|(_, _, message)| message.as_str())
    }

    /// Adds the problems to `src`, in the order they were found.
    pub fn add_to(self, src: &mut Source) {
        let first = src.problems.len();
        for (severity, span, message) in self.found {
            src.push(severity, span, message);
        }
        src.suggestions.extend(
            self.suggestions
                .into_iter()
                .map(|(i, suggestion)| (first + i, suggestion)),
        );
    }
}

impl Report for Problems {
    fn error(&mut self, span: Option<Range<usize>>, message: impl Into<String>) {
        self.found.push((Severity::Error, span, message.into()));
    }

    fn warning(&mut self, span: Option<Range<usize>>, message: impl Into<String>) {
        self.found.push((Severity::Warning, span, message.into()));
    }

    fn suggest_for_last(&mut self, suggestion: Suggestion) {
        self.suggestions.push((self.found.len() - 1, suggestion));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_per_file() {
        let mut s = Source::new("f", "ab\ncd\n".into());
        assert_eq!(s.position(0), ("f", 1, 1));
        assert_eq!(s.position(4), ("f", 2, 2));
        let base = s.add_file("g.csv", "x,y\n1,2\n".into());
        assert_eq!(s.position(base + 4), ("g.csv", 2, 1));
    }
}
