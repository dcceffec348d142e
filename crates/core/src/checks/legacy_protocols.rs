//! `insecure-protocol-enabled`: the server accepts TLS 1.0 or 1.1 (deprecated by RFC 8996) —
//! seen in a scan, in `SHOW ssl_min_protocol_version`, or in postgresql.conf. PostgreSQL 14
//! and later default to TLSv1.2, so an older minimum is a deliberate downgrade, often copied
//! from a guide written for an old client (the gateway guide's "between TLSv1.1 and TLSv1.1").

use super::Context;
use crate::facts::Facts;
use crate::say;
use crate::findings::{Code, Finding, Severity};
use crate::wire::TlsVersion;

pub const CODES: &[Code] = &[Code::InsecureProtocolEnabled];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in &facts.scans {
        let Some(r) = &s.result else { continue };
        let old: Vec<String> = r.accepted_versions().into_iter().filter(|v| v.is_legacy()).map(|v| v.name()).collect();
        if !old.is_empty() {
            out.push(
                Finding::new(Code::InsecureProtocolEnabled)
                    .severity(Severity::Warning)
                    .said(say!("insecure-protocol-enabled.scan", endpoint = &s.endpoint, versions = old.join(", ")))
                    .evidence("versions", old.join(","))
                    .fix_said(say!("insecure-protocol-enabled.fix-scan")),
            );
        }
    }
    if let Some(min) = facts.sessions.as_ref().and_then(|s| s.settings.get("ssl_min_protocol_version")) {
        if TlsVersion::parse_pg(min).is_some_and(TlsVersion::is_legacy) {
            out.push(
                Finding::new(Code::InsecureProtocolEnabled)
                    .severity(Severity::Warning)
                    .said(say!("insecure-protocol-enabled.show", min = min))
                    .evidence("ssl_min_protocol_version", min),
            );
        }
    }
    if let Some(f) = facts.server.as_ref().filter(|f| f.conf.ssl_on()) {
        if let Some(s) = f.conf.get("ssl_min_protocol_version") {
            if let Some(v) = TlsVersion::parse_pg(&s.value).filter(|v| v.is_legacy()) {
                out.push(
                    Finding::new(Code::InsecureProtocolEnabled)
                        .severity(Severity::Warning)
                        .said(say!("insecure-protocol-enabled.conf", value = &s.value, location = s.location(), version = v.name()))
                        .fix_said(say!("insecure-protocol-enabled.fix-conf", location = s.location())),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::config::testutil::facts;
    use crate::checks::test_support::codes;

    #[test]
    fn config_table() {
        let table: [(&str, &[&str]); 5] = [
            ("ssl = on", &[]),
            ("ssl = on\nssl_min_protocol_version = 'TLSv1'", &["insecure-protocol-enabled"]),
            ("ssl = on\nssl_min_protocol_version = 'TLSv1.1'", &["insecure-protocol-enabled"]),
            ("ssl = on\nssl_min_protocol_version = 'TLSv1.2'", &[]),
            ("ssl = off\nssl_min_protocol_version = 'TLSv1'", &[]),
        ];
        for (conf, expected) in table {
            assert_eq!(codes(&check(&facts(conf, ""), &Context::default())), expected, "{conf}");
        }
    }
}
