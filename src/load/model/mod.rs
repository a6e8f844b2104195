//! Model files: TOML (DESIGN.md "Input format") and their CSV side files into a validated
//! [`Model`].
//!
//! Loading runs in two stages: serde reads the file into raw entries that keep the position of
//! every id and number (`load/raw.rs`), then `build` checks every reference and range and
//! reports all problems at once, each with its line and column and, for unknown ids, the
//! nearest known one. This module holds the entry points and the order problems are reported
//! in; `build.rs` the phases of a build, `declare.rs` the node declarations, `builder.rs` the
//! checks of each entry, `tables.rs` the `[categories]`, `[probabilities]` and `[times]` tables, `entry.rs` the `[entry]` vectors,
//! `scalars.rs` the checks of single numbers, `money.rs` the `[money]` table, and `lint.rs`
//! the warnings about a valid model.

mod build;
mod builder;
mod declare;
mod entry;
mod lint;
mod money;
mod overlay;
mod scalars;
mod tables;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::csv_files::{open_side_files, SideFile};
use super::raw::{self, RawModel};
use super::source::{Source, Suggestion};
use crate::error::{did_you_mean, Diagnostic, Error, Result, SHOWN_PROBLEMS};
use crate::model::Model;

pub use overlay::{
    apply_overlay, apply_overlays, apply_overlays_with_datasets, parse_overlay, Overlaid,
};

/// The reader of a `[categories]` table, which the OpenGraph kind mapping shares.
pub(crate) use tables::flatten_weights;

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
    read_model(path, shown, Lints::Run)
}

/// [`load_model`] for a command that shows no warnings (`sweep`, `paths`, `who-can-reach`,
/// `diff`, `export`): every input is checked and every error reported the same, but the checks
/// that only warn about a valid model (`lint.rs`) are not run. At a million people they take
/// about a tenth of a second, a few percent of a sweep.
pub fn load_model_unlinted(path: &Path, shown: &str) -> Result<Model> {
    read_model(path, shown, Lints::Skip).map(|loaded| loaded.model)
}

/// Whether a load looks for warnings about a valid model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lints {
    Run,
    Skip,
}

fn read_model(path: &Path, shown: &str, warn: Lints) -> Result<LoadedModel> {
    let file = model_file(path);
    let shown_file = if file != path {
        format!("{}/model.toml", shown.trim_end_matches('/'))
    } else {
        shown.to_string()
    };
    let text = crate::load::input::read_text(&file).map_err(|source| Error::Read {
        path: shown_file.clone(),
        source,
    })?;
    let dir = file.parent().unwrap_or(Path::new("."));
    let shown_dir = Path::new(&shown_file)
        .parent()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    parse_model_in(&text, &shown_file, Some((dir, &shown_dir)), warn)
}

/// Parses and validates model text; `name` is used in messages. CSV side files cannot be read
/// from text alone: use [`load_model`] for a model that has them.
pub fn parse_model(text: &str, name: &str) -> Result<LoadedModel> {
    parse_model_in(text, name, None, Lints::Run)
}

fn parse_model_in(
    text: &str,
    name: &str,
    dir: Option<(&Path, &str)>,
    warn: Lints,
) -> Result<LoadedModel> {
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
    let side = side_files(&mut raw, &mut src, dir);
    let include = raw.include.take();
    let mut model = build::build(raw, side, &mut src, warn);
    if !src.has_errors() {
        model = model.canonical();
        if warn == Lints::Run {
            lint::lint_duplicates(&model, &mut src);
        }
    }
    let overlays = included(include, &mut src, dir);
    let (mut errors, suggestions, mut warnings) = in_reading_order(src);
    if !errors.is_empty() {
        suggest_ids(&model, &mut errors, &suggestions);
        return Err(Error::Invalid { problems: errors });
    }
    if !overlays.is_empty() {
        let paths: Vec<(&Path, String)> = overlays
            .iter()
            .map(|(p, s)| (p.as_path(), s.clone()))
            .collect();
        let o = apply_overlays(model, &paths)?;
        model = o.model;
        warnings.extend(o.warnings);
    }
    Ok(LoadedModel {
        model,
        path: name.to_string(),
        warnings,
    })
}

/// The overlay files `[include]` lists, as paths and as shown in messages (relative to the
/// model's folder as the user wrote it); each must exist. Overlays are read only beside a model
/// file on disk.
fn included(
    include: Option<raw::RawInclude>,
    src: &mut Source,
    dir: Option<(&Path, &str)>,
) -> Vec<(PathBuf, String)> {
    let Some(include) = include else {
        return Vec::new();
    };
    let Some((dir, shown_dir)) = dir else {
        if let Some(f) = include.overlays.first() {
            src.error(
                Some(f.span()),
                "[include] overlays can only be read from a model file on disk",
            );
        }
        return Vec::new();
    };
    let mut out = Vec::new();
    for f in &include.overlays {
        let rel = f.get_ref();
        let path = dir.join(rel);
        let shown = if shown_dir.is_empty() {
            rel.clone()
        } else {
            format!("{}/{rel}", shown_dir.trim_end_matches('/'))
        };
        if path.is_file() {
            out.push((path, shown));
        } else {
            src.error(
                Some(f.span()),
                format!("[include] overlay `{shown}` is not a file"),
            );
        }
    }
    out
}

/// The side files the model's `[csv]` table names, opened with their headers checked; they can
/// only be read beside a model file on disk (`dir`, and the folder as the user wrote it).
fn side_files(raw: &mut RawModel, src: &mut Source, dir: Option<(&Path, &str)>) -> Vec<SideFile> {
    match (dir, raw.csv.take()) {
        (Some((dir, shown_dir)), Some(files)) => open_side_files(files, src, dir, shown_dir),
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
    }
}

/// Errors found while loading and the near-id search of each, if it has one, and the
/// warnings. Both in reading order: the model file first, then side files, each by line.
type Sorted = (Vec<Diagnostic>, Vec<Option<Suggestion>>, Vec<Diagnostic>);

/// The problems `src` collected, split and put in reading order (see [`Sorted`]).
fn in_reading_order(mut src: Source) -> Sorted {
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
    let (errors, suggestions) = errors.into_iter().unzip();
    (errors, suggestions, warnings)
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
