//! A driver-neutral description of a client's TLS settings.
//!
//! Kong, pgJDBC and libpq each spell "verify the server" differently (`pg_ssl_verify`,
//! `sslfactory`, `sslmode`). Reporting all of them in libpq's terms lets a user compare
//! a gateway's configuration with the `psql` command that works, and lets checks such
//! as "this client does not authenticate the server" be written once.

use std::path::PathBuf;

/// libpq's sslmode values, the common vocabulary.
pub use crate::conninfo::SslMode;

/// TLS protocol versions as the configurations name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TlsVersion {
    Tls1_0,
    Tls1_1,
    Tls1_2,
    Tls1_3,
}

impl TlsVersion {
    /// PostgreSQL's names: `TLSv1`, `TLSv1.1`, `TLSv1.2`, `TLSv1.3` (case-insensitive).
    pub fn parse_pg(s: &str) -> Option<TlsVersion> {
        Some(match s.to_ascii_lowercase().as_str() {
            "tlsv1" => TlsVersion::Tls1_0,
            "tlsv1.1" => TlsVersion::Tls1_1,
            "tlsv1.2" => TlsVersion::Tls1_2,
            "tlsv1.3" => TlsVersion::Tls1_3,
            _ => return None,
        })
    }
    pub fn pg_name(self) -> &'static str {
        match self {
            TlsVersion::Tls1_0 => "TLSv1",
            TlsVersion::Tls1_1 => "TLSv1.1",
            TlsVersion::Tls1_2 => "TLSv1.2",
            TlsVersion::Tls1_3 => "TLSv1.3",
        }
    }
}

/// Where the client gets the certificates it trusts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustSource {
    /// Nothing configured.
    None,
    /// The operating system's CA store.
    System,
    /// The JVM's default trust store (cacerts).
    JavaDefault,
    /// These CA files.
    Files(Vec<PathBuf>),
    /// A custom implementation (e.g. a pgJDBC `sslfactory` class) whose behaviour is unknown.
    Custom(String),
}

/// A client's TLS configuration in libpq terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientTlsSettings {
    /// What was read, e.g. `kong.conf` or `JDBC URL`.
    pub source: String,
    /// The closest libpq sslmode.
    pub mode: SslMode,
    /// The server certificate chain is validated against `trust`.
    pub verifies_server: bool,
    /// The certificate is checked against the host name; `None` when the driver version
    /// or a custom class decides.
    pub checks_hostname: Option<bool>,
    pub trust: TrustSource,
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    pub min_version: Option<TlsVersion>,
    pub max_version: Option<TlsVersion>,
    /// Where each fact came from (`kong.conf:12`, `KONG_PG_SSL`, `URL parameter sslmode`).
    pub origins: Vec<(String, String)>,
    /// Caveats worth telling the user.
    pub notes: Vec<String>,
}

impl ClientTlsSettings {
    /// Where the setting `key` came from, if recorded.
    pub fn origin(&self, key: &str) -> Option<&str> {
        self.origins.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}
