//! The `pgtls` binary: parse arguments, run, map errors to exit status 3.

mod cli;

use clap::Parser;

fn main() {
    let args = match cli::Cli::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            std::process::exit(if e.use_stderr() { cli::EXIT_TOOL_FAILURE } else { 0 });
        }
    };
    match cli::run(args) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("pgtls: error: {e:#}");
            std::process::exit(cli::EXIT_TOOL_FAILURE);
        }
    }
}
