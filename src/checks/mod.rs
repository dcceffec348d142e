//! Checks: pure functions from gathered facts (and a [`Context`]) to findings.
//!
//! Nothing here touches the network or the file system, so every check is tested with
//! hand-made facts, and the clock comes from the context so expiry tests never rot.
//! One check per file; each file's tests sit at its bottom.

use time::OffsetDateTime;

use crate::findings::Finding;
use crate::probe::ProbeFacts;

mod cert_validity;
pub mod client;
mod handshake;
mod negotiation;
pub mod protocols;
mod network;
pub mod sessions;
pub mod config;

/// What checks may know besides the facts.
#[derive(Debug, Clone)]
pub struct Context {
    /// "Now" for validity decisions (`--at` moves it).
    pub now: OffsetDateTime,
    /// Warn about certificates expiring within this many days.
    pub expiry_warning_days: i64,
    /// The client's allowed TLS range (libpq default: TLSv1.2 .. highest).
    pub client_min: String,
    pub client_max: Option<String>,
}

impl Default for Context {
    fn default() -> Self {
        Context {
            now: OffsetDateTime::now_utc(),
            expiry_warning_days: 30,
            client_min: "TLSv1.2".into(),
            client_max: None,
        }
    }
}

type ProbeCheck = fn(&ProbeFacts, &Context) -> Vec<Finding>;

/// Every check that looks at one probe, in report order.
const PROBE_CHECKS: &[ProbeCheck] = &[
    network::check,
    negotiation::check,
    handshake::check,
    cert_validity::check,
];

/// Run all probe checks.
pub fn probe(facts: &ProbeFacts, ctx: &Context) -> Vec<Finding> {
    PROBE_CHECKS.iter().flat_map(|c| c(facts, ctx)).collect()
}

#[cfg(test)]
pub(crate) mod test_support {
    use crate::probe::{SslNegotiation, ProbeFacts, ProbeTarget};

    pub fn facts() -> ProbeFacts {
        ProbeFacts {
            target: ProbeTarget {
                host: "db.example.com".into(),
                hostaddr: None,
                port: 5432,
                sni: Some("db.example.com".into()),
                negotiation: SslNegotiation::Postgres,
            },
            started_at: time::macros::datetime!(2026-01-01 00:00 UTC),
            elapsed_ms: 1,
            reply: None,
            tls: None,
            chain: vec![],
            failure: None,
            server_versions: None,
            server_suites: None,
        }
    }

    pub fn codes(f: &[crate::findings::Finding]) -> Vec<&str> {
        f.iter().map(|f| f.code.as_str()).collect()
    }
}
