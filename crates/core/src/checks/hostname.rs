//! `hostname-mismatch`: verify-full and the certificate does not name the host the client
//! connects to (libpq checks `host`, never `hostaddr`), or there is no host name to check.

use super::Context;
use crate::facts::Facts;
use crate::findings::{Code, Finding, Severity};
use crate::verify::libpq::Failure;

pub const CODES: &[Code] = &[Code::HostnameMismatch];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for (h, v) in facts.verdicts() {
        let f = match &v.failure {
            Some(Failure::HostnameMismatch { host, names }) => {
                let mut f = Finding::new(Code::HostnameMismatch)
                    .detail(v.error.clone().unwrap_or_else(|| format!("the certificate does not name \"{host}\"")))
                    .evidence("host", host)
                    .evidence("names in the certificate", names.join(", "));
                if let Some(a) = &h.probe.target.hostaddr {
                    f = f.evidence("hostaddr (not used for the name check)", a);
                }
                if let Some(leaf) = h.probe.chain.first() {
                    f = f.fix(format!(
                        "Connect with a host name the certificate names ({}), keeping the address in hostaddr= if DNS differs; \
                         or reissue the server certificate with subjectAltName DNS:{host}.",
                        leaf.san.iter().filter_map(|s| s.strip_prefix("DNS:").or(s.strip_prefix("IP:"))).collect::<Vec<_>>().join(", ")
                    ));
                }
                f
            }
            Some(Failure::NoHostName) => Finding::new(Code::HostnameMismatch)
                .detail("host name must be specified for a verified SSL connection: sslmode=verify-full with only hostaddr= gives libpq no name to check the certificate against.")
                .fix("Add host=<the name in the server certificate> next to hostaddr=, or use sslmode=verify-ca."),
            _ => continue,
        };
        let f = f.at_endpoint(h.endpoint());
        out.push(if v.connects { f.severity(Severity::Warning) } else { f });
    }
    out
}
