//! `hostname-mismatch`: verify-full and the certificate does not name the host the client
//! connects to (libpq checks `host`, never `hostaddr`), or there is no host name to check.

use super::Context;
use crate::facts::Facts;
use crate::say;
use crate::findings::{Code, Finding, Severity};
use crate::verify::libpq::Failure;

pub const CODES: &[Code] = &[Code::HostnameMismatch];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for (h, v) in facts.verdicts() {
        let f = match &v.failure {
            Some(Failure::HostnameMismatch { host, names }) => {
                let mut f = Finding::new(Code::HostnameMismatch)
                    .said(match &v.error {
                        Some(e) => say!("libpq-says", message = e),
                        None => say!("hostname-mismatch.not-named", host = host),
                    })
                    .evidence("host", host)
                    .evidence("names in the certificate", names.join(", "));
                if let Some(a) = &h.probe.target.hostaddr {
                    f = f.evidence("hostaddr (not used for the name check)", a);
                }
                if let Some(leaf) = h.probe.chain.first() {
                    // An address is matched against the certificate's IP entries (libpq 14+), a
                    // name against its DNS entries: the SAN to add is of the host's kind.
                    let bare = host.trim_start_matches('[').trim_end_matches(']');
                    let san = if bare.parse::<std::net::IpAddr>().is_ok() { format!("IP:{bare}") } else { format!("DNS:{host}") };
                    let names = leaf.san.iter().filter_map(|s| s.strip_prefix("DNS:").or(s.strip_prefix("IP:"))).collect::<Vec<_>>().join(", ");
                    f = f.fix_said(say!("hostname-mismatch.fix", names = names, san = san));
                }
                f
            }
            Some(Failure::NoHostName) => Finding::new(Code::HostnameMismatch)
                .said(say!("hostname-mismatch.no-host-name"))
                .fix_said(say!("hostname-mismatch.fix-no-host-name")),
            _ => continue,
        };
        let f = f.at_endpoint(h.endpoint());
        out.push(if v.connects { f.severity(Severity::Warning) } else { f });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::{failing_verdict, host as facts_with, probe};
    use crate::verify::libpq::Verdict;
    use crate::x509::LabCert;
    use pgtls_lab::CertKey;

    /// The SAN the fix asks for is of the host's kind: IP for an address, DNS for a name.
    #[test]
    fn the_san_to_add_is_an_ip_entry_for_an_address() {
        let root = CertKey::root("R").unwrap();
        let leaf = root.leaf("localhost", &["localhost"]).unwrap();
        for (host, want) in [("127.0.0.1", "subjectAltName IP:127.0.0.1"), ("::1", "subjectAltName IP:::1"), ("db.example.com", "subjectAltName DNS:db.example.com")] {
            let mut p = probe();
            p.target.host = host.into();
            p.chain = vec![leaf.info()];
            let mut facts = facts_with(p);
            facts.hosts[0].verdict = Some(Verdict {
                tls: true,
                chain_verified: true,
                ..failing_verdict(
                    Failure::HostnameMismatch { host: host.into(), names: vec!["localhost".into()] },
                    &format!("server certificate for \"localhost\" does not match host name \"{host}\""),
                )
            });
            let f = check(&facts, &Context::default());
            assert_eq!(f.len(), 1);
            assert!(f[0].fix.contains(want), "{host}: {}", f[0].fix);
        }
    }
}
