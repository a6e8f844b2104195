//! The `blastradius` binary: parse the command line, run, report errors once, map to an exit
//! code. Everything else lives in the library and `cli`.

mod cli;

/// mimalloc: loading a large model makes millions of small allocations, which the system
/// allocator serves far more slowly.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

/// mimalloc's `mi_option_purge_delay` (its place in mimalloc v3's option list; the test below
/// checks it against the option's documented default).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps resident memory near what is in use. mimalloc returns freed pages to the system only
/// after a delay, which leaves a large model's load-time scratch resident while the analysis
/// runs: purge at once instead. (Transparent huge pages, which make every touched byte cost a
/// zeroed 2 MiB, are off through mimalloc's `no_thp` build option.)
fn tune_memory() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets one of mimalloc's integer options; any value is valid.
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) };
    }
}

fn main() -> ExitCode {
    tune_memory();
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

#[cfg(test)]
mod tests {
    #[test]
    fn purge_delay_is_the_option_tuned() {
        // mimalloc v3 documents a purge delay of 1000 ms by default; no other option of it
        // defaults to 1000, so a shifted option list fails here.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            // SAFETY: reads an option.
            assert_eq!(
                unsafe { libmimalloc_sys::mi_option_get(super::PURGE_DELAY) },
                1000
            );
        }
    }
}
