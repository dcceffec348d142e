//! Read-only parsers for server and gateway/driver configuration files.
//!
//! pgtls diagnoses TLS problems from both ends: what the server is configured to do
//! (postgresql.conf, pg_hba.conf, pg_ident.conf) and what a client is configured to
//! expect (Kong's kong.conf, a pgJDBC URL). Each parser keeps file and line for every
//! fact so findings can say exactly where to edit, and never writes to what it reads.
//!
//! The parsers read through the [`Files`] trait (includes, `include_dir`), so they are pure
//! here; gathering (`pgtls::config`) hands them the disk and stats the files they name.

pub mod client;
pub mod hba;
pub mod ident;
pub mod jdbc;
pub mod kong;
pub mod pgbouncer;
pub mod pgconf;
pub mod server;

use std::path::Path;

/// How the parsers read the files a configuration names or includes. `pgtls::files::Disk`
/// reads the machine (read-only, access time untouched); [`NoFiles`] has none, so
/// `parse_str` of a text with an include line reads nothing.
pub trait Files {
    /// The file's bytes.
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>>;
    /// The file as text (invalid UTF-8 replaced).
    fn read_text(&self, path: &Path) -> std::io::Result<String> {
        self.read(path).map(|b| String::from_utf8_lossy(&b).into_owned())
    }
    /// The names of the regular files in `dir` (symbolic links followed, as the server's
    /// `stat` does), in any order.
    fn regular_files(&self, dir: &Path) -> std::io::Result<Vec<String>>;
}

/// A machine without files: every read is "not found".
#[derive(Debug, Clone, Copy, Default)]
pub struct NoFiles;

impl Files for NoFiles {
    fn read(&self, _: &Path) -> std::io::Result<Vec<u8>> {
        Err(std::io::ErrorKind::NotFound.into())
    }
    fn regular_files(&self, _: &Path) -> std::io::Result<Vec<String>> {
        Err(std::io::ErrorKind::NotFound.into())
    }
}

/// The disk, for the parsers' own tests (production code gets it from `pgtls::files::Disk`).
#[cfg(test)]
pub(crate) struct TestDisk;

#[cfg(test)]
impl Files for TestDisk {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        std::fs::read(path)
    }
    fn regular_files(&self, dir: &Path) -> std::io::Result<Vec<String>> {
        Ok(std::fs::read_dir(dir)?
            .flatten()
            .filter(|e| std::fs::metadata(e.path()).is_ok_and(|m| m.is_file()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect())
    }
}
