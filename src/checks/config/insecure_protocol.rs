//! TLS 1.0 and 1.1 should not be accepted.
//!
//! They are deprecated (RFC 8996); PostgreSQL 14 and later default to TLSv1.2 as the
//! minimum, so an older minimum is a deliberate downgrade, often copied from a guide
//! written for an old client (the Kong guide's "between TLSv1.1 and TLSv1.1" hint).

use super::ServerFacts;
use crate::config::client::TlsVersion;
use crate::findings::{Code, Finding, Severity};

pub fn check(f: &ServerFacts) -> Vec<Finding> {
    let Some(s) = f.conf.get("ssl_min_protocol_version") else { return Vec::new() };
    match TlsVersion::parse_pg(&s.value) {
        Some(v) if v < TlsVersion::Tls1_2 && f.conf.ssl_on() => vec![Finding::new(Code::InsecureProtocolEnabled)
            .severity(Severity::Warning)
            .detail(format!(
                "ssl_min_protocol_version = '{}' ({}) lets clients use deprecated {}",
                s.value,
                s.location(),
                v.pg_name()
            ))
            .fix(format!("set ssl_min_protocol_version = 'TLSv1.2' at {} and upgrade clients that cannot do TLS 1.2", s.location()))],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::config::testutil::{codes, facts};

    #[test]
    fn table() {
        let table: [(&str, &[&str]); 5] = [
            ("ssl = on", &[]),
            ("ssl = on\nssl_min_protocol_version = 'TLSv1'", &["insecure-protocol-enabled"]),
            ("ssl = on\nssl_min_protocol_version = 'TLSv1.1'", &["insecure-protocol-enabled"]),
            ("ssl = on\nssl_min_protocol_version = 'TLSv1.2'", &[]),
            ("ssl = off\nssl_min_protocol_version = 'TLSv1'", &[]),
        ];
        for (conf, expected) in table {
            assert_eq!(codes(&check(&facts(conf, ""))), expected, "{conf}");
        }
    }
}
