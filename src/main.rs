//! The `blastradius` binary: parse the command line, run, report errors once, map to an exit
//! code. Everything else lives in the library and `cli`.

mod cli;

/// mimalloc, with large blocks on huge pages (see `cli/memory.rs`).
#[global_allocator]
static GLOBAL: cli::memory::HugeForLarge = cli::memory::HugeForLarge;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::memory::tune();
    // Ctrl-C: remove any half-written file and exit 130, as a shell would report it.
    let _ = ctrlc::set_handler(|| {
        blastradius::output::write::remove_in_progress();
        eprintln!("interrupted");
        std::process::exit(130);
    });
    let args = <cli::args::Cli as clap::Parser>::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(cli::output::Failure::BrokenPipe) => ExitCode::SUCCESS,
        Err(cli::output::Failure::Error(e)) => {
            // Located problems carry their own "file:line: error:" prefix.
            match e {
                blastradius::Error::Invalid { .. } => eprintln!("{e}"),
                _ => eprintln!("error: {e}"),
            }
            ExitCode::from(1)
        }
        Err(cli::output::Failure::Gate(reasons)) => {
            for r in reasons {
                eprintln!("fail-if: {r}");
            }
            ExitCode::from(3)
        }
    }
}
