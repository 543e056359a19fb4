use std::process::ExitCode;

// Listing 10,000 incidents makes a million small allocations: mimalloc is faster at them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    inc::run(std::env::args_os())
}
