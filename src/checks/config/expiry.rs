//! Certificates the server uses must be within their validity period.
//!
//! An expired server certificate fails every verifying client ("certificate has
//! expired"); an expired CA in `ssl_ca_file` fails every client certificate. A warning
//! 30 days ahead leaves time to renew.

use ::time::{Duration, OffsetDateTime};
use x509_parser::prelude::*;

use super::{describe, pem_certs, FileFacts, ServerFacts};
use crate::findings::{Code, Finding, Severity};

pub const SOON: Duration = Duration::days(30);

/// Expiry findings for every certificate in `file`.
pub fn check_file(file: &FileFacts, now: OffsetDateTime) -> Vec<Finding> {
    let Some(bytes) = &file.contents else { return Vec::new() };
    let mut out = Vec::new();
    for der in pem_certs(bytes) {
        let Ok((_, cert)) = X509Certificate::from_der(&der) else { continue };
        let na = cert.validity().not_after.to_datetime();
        let nb = cert.validity().not_before.to_datetime();
        let when = na.date().to_string();
        let what = format!("{} in {} ({})", describe(&cert), file.path.display(), file.origin);
        if na < now {
            out.push(Finding::new(Code::CertExpired).detail(format!("{what} expired on {when}")).evidence("not_after", when));
        } else if nb > now {
            out.push(
                Finding::new(Code::CertExpired)
                    .detail(format!("{what} is not valid before {}", nb.date()))
                    .evidence("not_before", nb.date().to_string()),
            );
        } else if na - now < SOON {
            let days = (na - now).whole_days();
            out.push(
                Finding::new(Code::CertExpiringSoon)
                    .severity(Severity::Warning)
                    .detail(format!("{what} expires on {when}, in {days} days"))
                    .evidence("not_after", when),
            );
        }
    }
    out
}

pub fn check(f: &ServerFacts) -> Vec<Finding> {
    if !f.conf.ssl_on() {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some(c) = &f.cert {
        out.extend(check_file(c, f.now));
    }
    if let Some(c) = &f.ca {
        out.extend(check_file(c, f.now));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::config::testutil::{ca, codes, facts, file, leaf, now};

    #[test]
    fn table() {
        let pki = ca();
        let d = Duration::days;
        let table: [(Duration, Duration, &[&str]); 4] = [
            (d(-10), d(90), &[]),
            (d(-100), d(-1), &["cert-expired"]),
            (d(-10), d(10), &["cert-expiring-soon"]),
            (d(5), d(90), &["cert-expired"]),
        ];
        for (nb, na, expected) in table {
            let (pem, _) = leaf(&pki, "db", now() + nb, now() + na);
            let mut f = facts("ssl = on", "");
            f.cert = Some(file("server.crt", pem.as_bytes(), 0o644, 999));
            let out = check(&f);
            assert_eq!(codes(&out), expected, "{nb} {na}");
            if let Some(x) = out.first() {
                assert!(x.detail.contains("/data/server.crt"), "{}", x.detail);
            }
        }
    }
}
