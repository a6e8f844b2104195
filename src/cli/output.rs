//! Where a command's output goes and how it fails: [`emit`] renders a report in the format the
//! user chose and writes it to the file they named or to standard output; [`Failure`] is a
//! command's outcome when it does not succeed (a closed pipe is not an error); [`check_model_dir`]
//! keeps `generate` and the imports from writing over a model folder unasked, and
//! [`save_model_folder`] saves their model under the folder's lock.

use std::io::Write;
use std::path::Path;

use blastradius::load::side_tables::SIDE_TABLES;
use blastradius::model::Model;
use blastradius::output::model_files::save_model;
use blastradius::output::write::{write_atomic, write_atomic_with, Fill, FolderLock};
use blastradius::output::{render_query, Format, Render};
use blastradius::results::drawing::AttackDrawing;
use blastradius::Error;

use super::args::{OutputArgs, QueryOutputArgs};

/// Why a command did not succeed.
pub enum Failure {
    /// Standard output was closed (`| head`): not an error.
    BrokenPipe,
    Error(Error),
    /// A `diff --fail-if` condition held (exit status 3): the reasons, one a line.
    Gate(Vec<String>),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Error(e)
    }
}

/// Renders `report` in the chosen format and sends it where [`OutputArgs`] says.
pub fn emit(out: &OutputArgs, report: &impl Render) -> Result<(), Failure> {
    match out.format.into() {
        // Streamed: a large result's JSON is never held whole beside the result.
        Format::Json => write_streamed(out.output.as_deref(), &mut |w| report.write_json(w)),
        Format::Csv => write_streamed(out.output.as_deref(), &mut |w| report.write_csv(w)),
        format => write_text(out.output.as_deref(), &report.render(format)),
    }
}

/// Renders a query's `report` in the chosen format, or draws it (`drawing` is made only then),
/// and sends it where [`QueryOutputArgs`] says.
pub fn emit_query(
    out: &QueryOutputArgs,
    report: &impl Render,
    drawing: impl FnOnce() -> AttackDrawing,
) -> Result<(), Failure> {
    write_text(
        out.output.as_deref(),
        &render_query(report, drawing, out.format.into()),
    )
}

/// Writes text to `path` (atomically, owner-only), or to standard output without one.
pub fn write_text(path: Option<&Path>, text: &str) -> Result<(), Failure> {
    match path {
        Some(path) => Ok(write_atomic(path, text.as_bytes())?),
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush())
            {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Failure::BrokenPipe),
                Err(e) => Err(Failure::Error(Error::Write {
                    path: "standard output".into(),
                    source: e,
                })),
            }
        }
    }
}

/// [`write_text`] for output made while it is written (`fill` writes it): to `path`
/// atomically, or buffered to standard output. A report of gigabytes is never held whole.
pub fn write_streamed(path: Option<&Path>, fill: Fill) -> Result<(), Failure> {
    match path {
        Some(path) => Ok(write_atomic_with(path, fill)?),
        None => {
            let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            match fill(&mut stdout).and_then(|_| stdout.flush()) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Failure::BrokenPipe),
                Err(e) => Err(Failure::Error(Error::Write {
                    path: "standard output".into(),
                    source: e,
                })),
            }
        }
    }
}

/// Refuses to write a model into `dir` when it already holds one (a model.toml), unless `force`:
/// `generate` and every import call this before they write, so a re-run never silently replaces
/// a model (and the hand edits in it).
pub fn check_model_dir(dir: &Path, force: bool) -> Result<(), Failure> {
    if dir.join("model.toml").exists() && !force {
        return Err(Failure::Error(Error::Input(format!(
            "{} already holds a model.toml; choose another folder or pass --force to replace it",
            shown(dir)
        ))));
    }
    Ok(())
}

/// Saves `model` into the model folder `dir` (with CSV side files when `csv`) while holding the
/// folder's lock, the one `report` holds, so two runs writing one folder at once (two imports, an
/// import and a `generate`) end as one whole model, either run's, never a mix of side files.
/// Under the lock the folder is checked again (another run may have saved a model there since
/// the first check), the model is saved, with `force` the side files of an earlier model that
/// this one does not rewrite are removed, and `then` runs (an import reads its model back)
/// before the lock is released.
pub fn save_model_folder<T>(
    model: &Model,
    dir: &Path,
    csv: bool,
    force: bool,
    then: impl FnOnce() -> Result<T, Failure>,
) -> Result<T, Failure> {
    let _lock = FolderLock::take(dir)?;
    check_model_dir(dir, force)?;
    save_model(model, dir, csv)?;
    if force {
        remove_stale_side_files(dir, csv);
    }
    then()
}

/// After a model was saved into `dir` without CSV side files, removes the side files an earlier
/// model there left (the new model.toml no longer names them). With CSV files every side file
/// was just rewritten.
fn remove_stale_side_files(dir: &Path, csv: bool) {
    if !csv {
        for f in SIDE_TABLES.iter().filter_map(|t| t.file) {
            let _ = std::fs::remove_file(dir.join(f));
        }
    }
}

/// The path as the user typed it, for messages.
pub fn shown(path: &Path) -> String {
    path.display().to_string()
}

/// Leaves a large value to the end of the process instead of freeing it piece by piece: the
/// model, graph and results of a large organisation take longer to free, allocation by
/// allocation, than the process takes to exit, and the system takes the memory back either way.
/// For values made once per command, just before it returns.
pub fn keep_until_exit<T>(value: T) {
    std::mem::forget(value);
}
