//! `cert-expired`, `cert-not-yet-valid`, `cert-expiring-soon`: certificates outside (or near
//! the end of) their validity period, judged at the context's instant so `--at` can look into
//! the future. Wherever pgtls met the certificate: sent by a server, the trust anchor a
//! client's path ends at, or configured as the server's `ssl_cert_file` / `ssl_ca_file`.
//!
//! A date problem is the root cause of the "certificate verify failed" it produces, so these
//! are reported before `server-cert-untrusted` (which the trust-path check then omits).

use time::OffsetDateTime;

use super::Context;
use crate::config::server::FileFacts;
use crate::facts::{Facts, HostFacts};
use crate::say;
use crate::findings::{Arg, Code, Finding, IntoArg, Severity};
use crate::verify::libpq::{Failure, UntrustedCause};
use crate::x509::Cert;

pub const CODES: &[Code] = &[Code::CertExpired, Code::CertNotYetValid, Code::CertExpiringSoon];

pub fn check(facts: &Facts, cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for h in &facts.hosts {
        out.extend(sent(h, cx));
        out.extend(anchor(h));
    }
    if let Some(s) = facts.server.as_ref().filter(|s| s.conf.ssl_on()) {
        for file in [&s.cert, &s.ca].into_iter().flatten() {
            out.extend(configured(file, cx));
        }
    }
    out
}

/// One certificate's dates at `now`, as a finding (or none when fine).
fn judge(c: &Cert, which: Arg, now: OffsetDateTime, warn_days: i64) -> Option<Finding> {
    let days = c.days_left(now);
    let f = if c.not_after < now {
        Finding::new(Code::CertExpired)
            .said(say!("cert-expired.expired", which = which, subject = &c.subject, date = c.not_after.date(), days = -days))
            .evidence("not_after", c.not_after.to_string())
    } else if c.not_before > now {
        Finding::new(Code::CertNotYetValid)
            .said(say!("cert-not-yet-valid.not-yet", which = which, subject = &c.subject, from = c.not_before))
            .evidence("not_before", c.not_before.to_string())
    } else if days < warn_days {
        Finding::new(Code::CertExpiringSoon)
            .severity(Severity::Warning)
            .said(say!("cert-expiring-soon.expires-in", which = which, subject = &c.subject, days = days, date = c.not_after.date()))
            .evidence("days_left", days.to_string())
    } else {
        return None;
    };
    Some(f.evidence("subject", &c.subject).evidence("sha256", &c.sha256))
}

/// The chain a server sent. An expired extra certificate that the client's verified path does
/// not use is a warning, not the reason anything fails.
fn sent(h: &HostFacts, cx: &Context) -> Vec<Finding> {
    let endpoint = h.endpoint();
    let used_paths = h.verdict.as_ref().filter(|v| v.connects && v.chain_verified).and_then(|v| v.paths.as_ref());
    h.probe
        .chain
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let which = if i == 0 { say!("cert.server-cert-of", endpoint = &endpoint) } else { say!("cert.chain-cert-of", endpoint = &endpoint, n = i) };
            let mut f = judge(c, which.into_arg(), cx.now(), cx.expiry_warning_days)?;
            if let Some(p) = used_paths {
                let used = p.valid_paths().any(|a| a.certs.iter().any(|x| x.sha256 == c.sha256));
                if !used && f.severity == Severity::Error {
                    f = f.severity(Severity::Warning);
                    f.add_said(say!("cert-expired.unused-in-path"));
                }
            }
            Some(f.at_endpoint(&endpoint))
        })
        .collect()
}

/// The client's trust anchor (from its store) is what expired: the server's chain is fine.
fn anchor(h: &HostFacts) -> Option<Finding> {
    let v = h.verdict.as_ref()?;
    let Some(Failure::ChainUntrusted { cause }) = &v.failure else { return None };
    let source = v.trust_source.clone().unwrap_or_default();
    let f = match cause {
        UntrustedCause::Expired { subject, sha256, in_store: true, not_after, depth } => Finding::new(Code::CertExpired)
            .said(say!("cert-expired.trusted-root", subject = subject, source = crate::gathered::trust::TrustSource::said_from_words(&source), date = not_after.date(), depth = depth))
            .fix_said(say!("cert-expired.fix-trusted-root"))
            .evidence("sha256", sha256),
        UntrustedCause::NotYetValid { subject, sha256, in_store: true, not_before, depth } => Finding::new(Code::CertNotYetValid)
            .said(say!("cert-not-yet-valid.trusted-root", subject = subject, source = crate::gathered::trust::TrustSource::said_from_words(&source), from = not_before, depth = depth))
            .evidence("sha256", sha256),
        _ => return None,
    };
    let f = f.evidence("trust source", source);
    Some(if v.connects { f.severity(Severity::Warning) } else { f })
}

fn configured(file: &FileFacts, cx: &Context) -> Vec<Finding> {
    file.certs
        .iter()
        .filter_map(|c| judge(c, format!("{} ({})", file.path.display(), file.origin).into_arg(), cx.now(), cx.expiry_warning_days))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::config::testutil::{facts as server, file};
    use pgtls_lab::{now, CertKey, CertSpec};
    use crate::checks::test_support::{codes, host, probe};
    use time::macros::datetime;
    use time::Duration;

    fn cert(days_from: i64, days_to: i64, at: OffsetDateTime) -> Cert {
        let pki = CertKey::root("Test Root CA").unwrap();
        let spec = CertSpec::valid(at + Duration::days(days_from), at + Duration::days(days_to));
        let pem = pki.leaf_with("x", &["x"], &spec).unwrap().cert_pem;
        crate::x509::pem_certs(pem.as_bytes()).remove(0)
    }

    #[test]
    fn judged_at_context_instant() {
        let at = datetime!(2026-06-01 00:00 UTC);
        let cx = Context::at(at);
        let mut p = probe();
        p.chain = vec![cert(-10, 100, at), cert(-100, -1, at), cert(5, 100, at), cert(-5, 10, at)];
        assert_eq!(codes(&check(&host(p.clone()), &cx)), ["cert-expired", "cert-not-yet-valid", "cert-expiring-soon"]);
        p.chain.truncate(1);
        let later = Context::at(at + Duration::days(200));
        let f = check(&host(p), &later);
        assert_eq!(codes(&f), ["cert-expired"]);
        assert!(f[0].detail.contains("days ago"), "{}", f[0].detail);
    }

    #[test]
    fn configured_server_files() {
        let pki = CertKey::root("Test Root CA").unwrap();
        let d = Duration::days;
        let table: [(Duration, Duration, &[&str]); 4] = [
            (d(-10), d(90), &[]),
            (d(-100), d(-1), &["cert-expired"]),
            (d(-10), d(10), &["cert-expiring-soon"]),
            (d(5), d(90), &["cert-not-yet-valid"]),
        ];
        for (nb, na, expected) in table {
            let pem = pki.leaf_with("db", &["db"], &CertSpec::valid(now() + nb, now() + na)).unwrap().cert_pem;
            let mut f = server("ssl = on", "");
            f.server.as_mut().unwrap().cert = Some(file("server.crt", pem.as_bytes(), 0o644, 999));
            let out = check(&f, &Context::default());
            assert_eq!(codes(&out), expected, "{nb} {na}");
            if let Some(x) = out.first() {
                assert!(x.detail.contains("/data/server.crt"), "{}", x.detail);
            }
        }
    }
}
