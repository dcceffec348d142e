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

/// The binary only parses, calls the library and renders: it builds no JSON, creates no
/// finding and runs no check (checked on its source, comments and tests left out).
#[cfg(test)]
mod architecture {
    #[test]
    fn cli_only_parses_calls_and_renders() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/cli");
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let text = std::fs::read_to_string(e.path()).unwrap();
            let prod: String = text.split("#[cfg(test)]").next().unwrap_or("").lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
            for banned in ["json!", "Finding::new", "checks::run", "serde_json::"] {
                assert!(!prod.contains(banned), "{} uses {banned}", e.path().display());
            }
        }
    }
}
