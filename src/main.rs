//! The `blastradius` binary: parse the command line, run, report errors once, map to an exit
//! code. Everything else lives in the library and `cli`.

mod cli;

/// mimalloc: loading a large model makes millions of small allocations, which the system
/// allocator serves far more slowly.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

fn main() -> ExitCode {
    // Ctrl-C: remove any half-written file and exit 130, as a shell would report it.
    let _ = ctrlc::set_handler(|| {
        blastradius::output::write::remove_in_progress();
        eprintln!("interrupted");
        std::process::exit(130);
    });
    let args = <cli::args::Cli as clap::Parser>::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(cli::Failure::BrokenPipe) => ExitCode::SUCCESS,
        Err(cli::Failure::Error(e)) => {
            // Located problems carry their own "file:line: error:" prefix.
            match e {
                blastradius::Error::Invalid { .. } => eprintln!("{e}"),
                _ => eprintln!("error: {e}"),
            }
            ExitCode::from(1)
        }
    }
}
