use std::process::ExitCode;

// Listing 10,000 incidents makes a million small allocations: mimalloc is faster at them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // `COMPLETE=bash inc` prints the dynamic completion script, and the
    // shell runs inc so to complete a word (incident IDs from the repository).
    clap_complete::CompleteEnv::with_factory(<inc::cli::Cli as clap::CommandFactory>::command)
        .complete();
    inc::run(std::env::args_os())
}
