//! The shell around the library, in two layers as ripgrep has them: `args.rs` is the command
//! line as clap parses it (one `Args` struct per subcommand), `requests.rs` turns those values
//! into the library's once. One function per command then loads, computes through the library
//! and hands its report to [`output::emit`], which renders it in the chosen format and writes it.
//!
//! - `commands.rs`: the commands on a scenario or a model; `report.rs`: `report` and `chart`;
//!   `interop.rs`: `import` and `export`.
//! - `scenario.rs`: a scenario evaluated with the command line's overrides (for `run`,
//!   `compare` and `report`); `redact.rs`: the key of `--redact`.
//! - `output.rs`: where output goes and how a command fails; `progress.rs`: the terminal's
//!   progress bar; `limits.rs`: memory estimates that refuse work up front.

pub mod args;
mod commands;
mod interop;
mod limits;
pub mod memory;
pub mod output;
mod progress;
mod redact;
mod report;
mod requests;
mod scenario;

use args::{Cli, Command};
use output::Failure;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<(), Failure> {
    if let Some(mode) = cli.mode {
        blastradius::output::write::set_file_mode(mode);
    }
    match &cli.command {
        Command::Run(args) => commands::run(args),
        Command::Compare(args) => commands::compare(args),
        Command::Report(args) => report::report(args),
        Command::Chart(args) => report::chart(args),
        Command::Sweep(args) => commands::sweep(args),
        Command::Diff(args) => commands::diff(args),
        Command::Generate(args) => commands::generate(args),
        Command::Recommend(args) => commands::recommend(args),
        Command::Validate(args) => commands::validate(args),
        Command::Paths(args) => commands::paths(args),
        Command::WhoCanReach(args) => commands::who_can_reach(args),
        Command::Import(args) => interop::import(args),
        Command::Export { what } => interop::export(what),
    }
}
