//! A client should authenticate the server it talks to.
//!
//! Encryption without verification (sslmode=require, Kong's pg_ssl_verify=off, pgJDBC's
//! NonValidatingFactory) stops passive eavesdropping but not an active man in the
//! middle, and modes below require may fall back to plaintext. This check speaks in
//! libpq sslmode terms for every driver, via [`ClientTlsSettings`].

use crate::config::client::{ClientTlsSettings, SslMode};
use crate::findings::{Code, Finding, Severity};

pub fn check(s: &ClientTlsSettings) -> Vec<Finding> {
    let at = |k: &str| s.origin(k).map(|o| format!(" ({o})")).unwrap_or_default();
    let problem = if s.mode < SslMode::Require {
        format!(
            "{} behaves like sslmode={}{}: the connection may be unencrypted",
            s.source,
            s.mode,
            at("sslmode")
        )
    } else if !s.verifies_server {
        format!(
            "{} behaves like sslmode=require{}: traffic is encrypted but the server certificate is not verified",
            s.source,
            if s.mode > SslMode::Require { " (validation disabled)" } else { "" }
        )
    } else if s.checks_hostname == Some(false) {
        format!(
            "{} behaves like sslmode=verify-ca: the certificate chain is verified but not the host name",
            s.source
        )
    } else {
        return Vec::new();
    };
    let mut notes = s.notes.clone();
    notes.retain(|n| !n.contains("value not shown"));
    let detail = if notes.is_empty() { problem } else { format!("{problem}. {}", notes.join("; ")) };
    vec![Finding::new(Code::InsecureSslmode).severity(Severity::Warning).detail(detail).evidence("mode", s.mode.as_str())]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::jdbc::JdbcUrl;
    use crate::config::kong::KongConf;
    use std::path::Path;

    #[test]
    fn table() {
        let jdbc = |q: &str| JdbcUrl::parse(&format!("jdbc:postgresql://h/db?{q}")).unwrap().tls_settings(None).unwrap();
        let kong = |t: &str| KongConf::parse_str(t, Path::new("kong.conf")).unwrap().tls_settings().unwrap();
        let table: Vec<(ClientTlsSettings, &str)> = vec![
            (jdbc("sslmode=verify-full"), ""),
            (jdbc("ssl=true"), ""),
            (jdbc("sslmode=require"), "sslmode=require"),
            (jdbc(""), "sslmode=prefer"),
            (jdbc("sslmode=verify-ca"), "verify-ca"),
            (jdbc("ssl=true&sslfactory=org.postgresql.ssl.NonValidatingFactory"), "validation disabled"),
            (kong("pg_ssl = on\npg_ssl_required = on"), "sslmode=require"),
            (kong("pg_ssl = off"), "sslmode=disable"),
        ];
        for (s, expected) in table {
            let out = check(&s);
            match expected {
                "" => assert!(out.is_empty(), "{s:?}: {out:?}"),
                e => assert!(out.len() == 1 && out[0].detail.contains(e), "{s:?}: {out:?}"),
            }
        }
    }
}
