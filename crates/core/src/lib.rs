//! pgtls's core: the values every other part speaks in, and nothing that touches the world.
//!
//! - [`findings`]: finding codes (a public interface), severities, the catalogue texts in
//!   en/zh/ja and the exit-status rule;
//! - [`wire`]: PostgreSQL's SSL negotiation values (SSLRequest, TLS versions, ErrorResponse);
//! - [`x509`]: the one certificate model, parsed once, with libpq's name rules;
//! - [`stack`]: the names of the client stacks pgtls models.
//!
//! No sockets, no files, no environment, no clock: a test keeps it so, and this crate has no
//! dependency that does I/O for it. The library (`pgtls`) re-exports these modules under the
//! same names, so `pgtls::x509::Cert` is this crate's `Cert`.

pub mod findings;
pub mod stack;
pub mod wire;
pub mod x509;

/// The core reads nothing from the world: no file, environment, clock or socket, in its
/// production code (tests may make their own files).
#[cfg(test)]
mod architecture {
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

    #[test]
    fn core_does_no_io() {
        let mut fs = Vec::new();
        files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut fs);
        for f in fs.iter().filter(|f| !f.ends_with("lib.rs")) {
            let text = std::fs::read_to_string(f).unwrap();
            let prod = text.split("#[cfg(test)]").next().unwrap_or("");
            for line in prod.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for b in ["std::fs", "std::env", "env::var", "now_utc", "SystemTime::now", "TcpStream", "std::net::Tcp", ".is_dir()", ".exists()", "metadata("] {
                    assert!(!line.contains(b), "{} does I/O ({b}): {}", f.display(), line.trim());
                }
            }
        }
    }
}
