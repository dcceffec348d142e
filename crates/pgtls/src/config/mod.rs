//! Read-only parsers for server and gateway/driver configuration files.
//!
//! pgtls diagnoses TLS problems from both ends: what the server is configured to do
//! (postgresql.conf, pg_hba.conf, pg_ident.conf) and what a client is configured to
//! expect (Kong's kong.conf, a pgJDBC URL). Each parser keeps file and line for every
//! fact so findings can say exactly where to edit, and never writes to what it reads.

pub mod client;
pub mod hba;
pub mod ident;
pub mod jdbc;
pub mod kong;
pub mod pgbouncer;
pub mod pgconf;
pub mod server;

use std::path::Path;

/// Read a file for auditing (see [`crate::files`]: read-only, access time untouched).
pub fn read_text(path: &Path) -> std::io::Result<String> {
    crate::files::read_text(path)
}

/// See [`read_text`].
pub fn read_bytes(path: &Path) -> std::io::Result<Vec<u8>> {
    crate::files::read(path)
}
