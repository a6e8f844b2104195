//! A loaded text file: its name as the user wrote it, its text, and byte offset → line/column.

use crate::error::{Diagnostic, Severity};
use std::ops::Range;

/// An input file and the problems found in it.
pub struct Source {
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
    pub problems: Vec<Diagnostic>,
}

impl Source {
    pub fn new(name: impl Into<String>, text: String) -> Source {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Source {
            name: name.into(),
            text,
            line_starts,
            problems: Vec::new(),
        }
    }

    /// 1-based line and column of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let column = self.text[start..offset.min(self.text.len())]
            .chars()
            .count()
            + 1;
        (line, column)
    }

    fn push(&mut self, severity: Severity, span: Option<Range<usize>>, message: String) {
        let (line, column) = match span {
            Some(s) => {
                let (l, c) = self.position(s.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        self.problems.push(Diagnostic {
            severity,
            file: self.name.clone(),
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

    /// True when the file holds nothing but white space and comments.
    pub fn is_blank(&self) -> bool {
        self.text.lines().all(|l| {
            let t = l.trim();
            t.is_empty() || t.starts_with('#')
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        let s = Source::new("f", "ab\ncd\n".into());
        assert_eq!(s.position(0), (1, 1));
        assert_eq!(s.position(4), (2, 2));
    }
}
