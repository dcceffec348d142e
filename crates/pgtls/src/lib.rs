//! pgtls — the PostgreSQL TLS doctor.

// The core's modules, under their own names (`crate::x509::Cert` is the core's `Cert`).
pub use pgtls_core::{findings, stack, wire, x509};
// The text crate's modules: log lines, the recognisers, the log scanner.
pub use pgtls_text::{explain, logs, pglog};
pub mod conn;
pub mod files;
pub mod net;
pub mod tls;
pub mod probe;
pub mod profile;
pub mod checks;
pub mod facts;
pub mod report;
pub mod sessions;
pub mod conninfo;
pub mod config;
pub mod client;
pub mod trust;
pub mod verify;
pub mod run;

/// The shape the code promises, checked on the source: data flows one way between the
/// top-level modules (no import cycles) and only `x509` parses certificates. (That the CLI
/// builds no JSON and creates no finding is checked in the binary's crate.)
#[cfg(test)]
mod architecture {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};

    fn files(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") && p.file_name().is_some_and(|n| n != "tests.rs") {
                out.push(p);
            }
        }
    }

    /// Production code of a file: before its test module, without comments.
    fn production(p: &Path) -> String {
        let text = std::fs::read_to_string(p).unwrap();
        let prod = text.split("#[cfg(test)]").next().unwrap_or("");
        prod.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
    }

    fn src() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
    }

    #[test]
    fn module_graph_has_no_cycles() {
        let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let top: Vec<String> = std::fs::read_dir(src())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().trim_end_matches(".rs").to_string())
            .filter(|m| !["lib", "main", "cli"].contains(&m.as_str()))
            .collect();
        for m in &top {
            let mut fs = Vec::new();
            let dir = src().join(m);
            if dir.is_dir() {
                files(&dir, &mut fs);
            } else {
                fs.push(src().join(format!("{m}.rs")));
            }
            for f in fs {
                let text = production(&f);
                for part in text.split("crate::").skip(1) {
                    let name: String = part.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                    if top.contains(&name) && name != *m {
                        deps.entry(m.clone()).or_default().insert(name);
                    }
                }
            }
        }
        // Depth-first search for a path back to the start.
        for start in &top {
            let mut stack: Vec<Vec<String>> = vec![vec![start.clone()]];
            let mut seen = BTreeSet::new();
            while let Some(path) = stack.pop() {
                let last = path.last().unwrap().clone();
                for next in deps.get(&last).into_iter().flatten() {
                    assert!(next != start, "import cycle: {} → {start}", path.join(" → "));
                    if seen.insert(next.clone()) {
                        let mut p = path.clone();
                        p.push(next.clone());
                        stack.push(p);
                    }
                }
            }
        }
    }

    /// Judging does no I/O: the checks, the facts and the verdict models (`verify`) read no
    /// file, no environment and no clock and open no socket — the time, the loaded trust
    /// stores and the files' contents arrive in the facts (gathering is `client`, `trust`,
    /// `probe`, `config::server`, `run`). One exception, named here: `Context::default()`, a
    /// convenience for callers that means "now" (checks themselves read `cx.now()`).
    #[test]
    fn judging_reads_nothing() {
        let mut fs = Vec::new();
        for d in ["checks", "verify"] {
            files(&src().join(d), &mut fs);
        }
        fs.push(src().join("facts.rs"));
        let banned = ["std::fs", "std::env", "env::var", "now_utc", "SystemTime::now", "TcpStream", ".is_dir()", ".exists()", "metadata(", "trust::load", "libpq_root("];
        let allowed = [("checks/mod.rs", "Context::at(OffsetDateTime::now_utc())")];
        for f in fs {
            for line in production(&f).lines() {
                for b in banned {
                    let excused = allowed.iter().any(|(file, text)| f.ends_with(file) && line.contains(text));
                    assert!(!line.contains(b) || excused, "{} does I/O in judging ({b}): {}", f.display(), line.trim());
                }
            }
        }
    }

    #[test]
    fn only_x509_parses_certificates() {
        let mut fs = Vec::new();
        files(&src(), &mut fs);
        for f in fs.iter().filter(|f| !f.starts_with(src().join("x509"))) {
            assert!(!production(f).contains("X509Certificate::from_der"), "{} parses certificates itself", f.display());
        }
    }

    /// Every file pgtls audits is opened by `files` (read-only, access time untouched); only
    /// a few system files (/proc, /etc/passwd, /dev/urandom) are read directly.
    #[test]
    fn only_files_opens_files() {
        let mut fs = Vec::new();
        files(&src(), &mut fs);
        let allowed = ["\"/proc/self/status\"", "\"/etc/passwd\"", "\"/dev/urandom\""];
        for f in fs.iter().filter(|f| !f.ends_with("files.rs")) {
            for line in production(f).lines() {
                let opens = ["fs::read(", "fs::read_to_string(", "File::open(", "OpenOptions::new()"].iter().any(|p| line.contains(p));
                assert!(!opens || allowed.iter().any(|a| line.contains(a)), "{} opens a file itself: {}", f.display(), line.trim());
            }
        }
    }
}
