//! A driver-neutral description of a client's TLS settings.
//!
//! Kong, pgJDBC and libpq each spell "verify the server" differently (`pg_ssl_verify`,
//! `sslfactory`, `sslmode`). Reporting all of them in libpq's terms lets a user compare
//! a gateway's configuration with the `psql` command that works, and lets checks such
//! as "this client does not authenticate the server" be written once.

use std::path::PathBuf;

use serde::{Serialize, Serializer};

pub use crate::gathered::trust::TrustSource;
pub use crate::wire::TlsVersion;

/// libpq's sslmode values, the common vocabulary.
pub use crate::conninfo::SslMode;

/// A client's TLS configuration in libpq terms (reports show it as it is: `client`'s `kong`
/// and `jdbc`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientTlsSettings {
    /// What was read, e.g. `kong.conf` or `JDBC URL`.
    pub source: String,
    /// The closest libpq sslmode.
    #[serde(rename = "sslmode")]
    pub mode: SslMode,
    /// The server certificate chain is validated against `trust`.
    pub verifies_server: bool,
    /// The certificate is checked against the host name; `None` when the driver version
    /// or a custom class decides.
    pub checks_hostname: Option<bool>,
    /// Where the trusted certificates come from; empty when nothing is configured (shown in
    /// words).
    #[serde(serialize_with = "in_words")]
    pub trust: Vec<TrustSource>,
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    pub min_version: Option<TlsVersion>,
    pub max_version: Option<TlsVersion>,
    /// Where each fact came from (`kong.conf:12`, `KONG_PG_SSL`, `URL parameter sslmode`).
    pub origins: Vec<(String, String)>,
    /// Caveats worth telling the user.
    pub notes: Vec<String>,
}

fn in_words<S: Serializer>(trust: &[TrustSource], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(trust.iter().map(|t| t.to_string()))
}

impl ClientTlsSettings {
    /// Where the setting `key` came from, if recorded.
    pub fn origin(&self, key: &str) -> Option<&str> {
        self.origins.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}
