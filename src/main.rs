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
            eprintln!("pgtls: error: {}", chain(&e));
            std::process::exit(cli::EXIT_TOOL_FAILURE);
        }
    }
}

/// The error and its causes, each cause once: library errors already quote their source in
/// their own message ("reading x: No such file or directory (os error 2)"), so a cause whose
/// text is already there is not repeated.
fn chain(e: &anyhow::Error) -> String {
    let mut out = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !out.contains(&c) {
            out.push_str(": ");
            out.push_str(&c);
        }
    }
    out
}

/// The binary only parses, calls the library and renders: it builds no JSON, creates no
/// finding and runs no check (checked on its source, comments and tests left out).
#[cfg(test)]
mod architecture {
    #[test]
    fn each_cause_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory (os error 2)");
        let e = anyhow::Error::new(io).context("reading x.toml: No such file or directory (os error 2)");
        assert_eq!(super::chain(&e), "reading x.toml: No such file or directory (os error 2)");
        let e = anyhow::anyhow!("inner").context("outer");
        assert_eq!(super::chain(&e), "outer: inner");
    }

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
