//! The shell around the library: turns parsed arguments into library calls and sends the
//! rendered results to standard output or a file.

pub mod args;
mod commands;
mod interop;
mod limits;
mod progress;
mod report;

use std::io::Write;
use std::path::Path;

use blastradius::output::{write::write_atomic, Format};
use blastradius::Error;

use args::{Cli, Command, FormatArg, OutputArgs};

/// Why a command did not succeed.
pub enum Failure {
    /// Standard output was closed (`| head`): not an error.
    BrokenPipe,
    Error(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Error(e)
    }
}

pub fn run(cli: Cli) -> Result<(), Failure> {
    if let Some(mode) = cli.mode {
        blastradius::output::write::set_file_mode(mode);
    }
    match cli.command {
        Command::Run {
            scenario,
            out,
            sim,
            quiet,
        } => commands::run(&scenario, &out, &sim, quiet),
        Command::Compare {
            scenario,
            out,
            sim,
            quiet,
        } => commands::compare(&scenario, &out, &sim, quiet),
        Command::Validate { model, out } => commands::validate(&model, &out),
        Command::Recommend {
            scenario,
            budget,
            objective,
            trials,
            retention_days,
            top,
            all_accounts,
            include_entry_links,
            out,
            quiet,
        } => commands::recommend(
            &scenario,
            commands::RecommendArgs {
                budget,
                objective,
                trials,
                retention_days,
                top,
                all_accounts,
                include_entry_links,
                quiet,
            },
            &out,
        ),
        Command::Sweep {
            model,
            kind,
            top,
            by,
            out,
            redact,
        } => commands::sweep(&model, kind, top, by, &out, redact),
        Command::Report {
            scenario,
            output,
            sim,
            top,
            quiet,
        } => report::report(&scenario, &output, &sim, top, quiet),
        Command::Chart {
            result,
            output,
            redact,
        } => report::chart(&result, &output, redact),
        Command::Generate {
            people,
            seed,
            output,
            layout,
            force,
        } => commands::generate(people, seed, &output, layout, force),
        Command::Paths {
            model,
            from,
            to,
            limit,
            out,
        } => commands::paths(&model, &from, &to, limit as usize, &out),
        Command::WhoCanReach { model, store, out } => commands::who_can_reach(&model, &store, &out),
        Command::Import { what } => interop::import(&what),
        Command::Export { what } => interop::export(&what),
    }
}

pub fn format_of(out: &OutputArgs) -> Format {
    match out.format {
        FormatArg::Table => Format::Table,
        FormatArg::Json => Format::Json,
        FormatArg::Csv => Format::Csv,
    }
}

/// Leaves a large value to the end of the process instead of freeing it piece by piece: the
/// model, graph and results of a large organisation take longer to free, allocation by
/// allocation, than the process takes to exit, and the system takes the memory back either way.
/// For values made once per command, just before it returns.
pub fn keep_until_exit<T>(value: T) {
    std::mem::forget(value);
}

/// Sends rendered output to the file the user named, or to standard output.
pub fn emit(out: &OutputArgs, text: &str) -> Result<(), Failure> {
    match &out.output {
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

/// The path as the user typed it, for messages.
pub fn shown(path: &Path) -> String {
    path.display().to_string()
}
