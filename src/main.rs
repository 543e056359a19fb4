use std::process::ExitCode;

fn main() -> ExitCode {
    inc::run(std::env::args_os())
}
