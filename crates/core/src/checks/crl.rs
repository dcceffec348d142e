//! `crl-problem`, `cert-revoked`: certificate revocation lists. On the client, libpq silently
//! checks nothing when `sslcrl` names a missing file; once it checks, every certificate of the
//! chain needs a current CRL from its issuer, and a missing or stale one fails verification as
//! surely as a revoked certificate (the verdict's path failure says which). On the server, a missing
//! `ssl_crl_file` makes PostgreSQL refuse to start ("could not load SSL certificate revocation
//! list file"), while a missing `ssl_crl_dir` is accepted at start (OpenSSL only records the
//! directory) and then holds no CRL when a client certificate is checked.

use super::Context;
use crate::facts::{Facts, HostFacts};
use crate::say;
use crate::findings::{Code, Finding, IntoArg, Severity};
use crate::verify::libpq::{Failure, UntrustedCause};
use crate::gathered::trust::Revocation;
use crate::verify::PathFailure;

pub const CODES: &[Code] = &[Code::CrlProblem, Code::CertRevoked];

pub fn check(facts: &Facts, cx: &Context) -> Vec<Finding> {
    let mut out: Vec<Finding> = facts.hosts.iter().filter_map(verdict).collect();
    if let Some(crl) = facts.client.as_ref().and_then(|c| c.file("sslcrl")).filter(|c| c.explicit && !c.exists) {
        out.push(
            Finding::new(Code::CrlProblem)
                .severity(Severity::Warning)
                .said(say!("crl-problem.sslcrl-missing", path = &crl.path)),
        );
    }
    if let Some(s) = facts.server.as_ref().filter(|s| s.conf.ssl_on()) {
        out.extend(server_revocation(s, cx.now()));
        if let Some(f) = s.crl.as_ref().filter(|f| !f.exists) {
            out.push(
                Finding::new(Code::CrlProblem)
                    .severity(Severity::Error)
                    .said(say!("crl-problem.file-missing", path = f.path.display(), origin = &f.origin, configured = &f.configured))
                    .fix_said(say!("crl-problem.fix-file-missing"))
                    .evidence("file", f.path.display().to_string()),
            );
        }
        if let Some(f) = s.crl_dir.as_ref().filter(|f| !f.exists) {
            out.push(
                Finding::new(Code::CrlProblem)
                    .severity(Severity::Warning)
                    .said(say!("crl-problem.dir-missing", path = f.path.display(), origin = &f.origin))
                    .fix_said(say!("crl-problem.fix-dir-missing"))
                    .evidence("file", f.path.display().to_string()),
            );
        }
    }
    out
}

/// The verdict failed on revocation: say which certificate and which CRL.
fn verdict(h: &HostFacts) -> Option<Finding> {
    let v = h.verdict.as_ref()?;
    let Some(Failure::ChainUntrusted { cause: UntrustedCause::Other { failure, subject, issuer } }) = &v.failure else { return None };
    if !failure.is_revocation() {
        return None;
    }
    let endpoint = h.endpoint();
    let (n, text) = failure.openssl();
    let crls = || match v.revocation.as_deref() {
        Some(r) => Revocation::said_from_words(r),
        None => say!("crl-problem.clients-crls").into_arg(),
    };
    let f = match failure {
        PathFailure::Revoked { depth } => Finding::new(Code::CertRevoked).said(say!(
            "cert-revoked.revoked",
            endpoint = &endpoint,
            subject = subject,
            depth = depth,
            issuer = issuer,
            crls = crls(),
            text = text,
            n = n
        )),
        PathFailure::UnableToGetCrl { depth } => Finding::new(Code::CrlProblem)
            .severity(Severity::Error)
            .said(say!(
                "crl-problem.no-crl-from",
                endpoint = &endpoint,
                crls = crls(),
                issuer = issuer,
                subject = subject,
                depth = depth,
                text = text,
                n = n
            ))
            .fix_said(say!("crl-problem.fix-no-crl-from", issuer = issuer)),
        _ => Finding::new(Code::CrlProblem).severity(Severity::Error).said(say!(
            "crl-problem.unusable",
            endpoint = &endpoint,
            issuer = issuer,
            crls = crls(),
            subject = subject,
            text = text,
            n = n
        )),
    };
    Some(f.at_endpoint(&endpoint).evidence("openssl error", format!("{text} ({n})")))
}

/// The server checks client certificates against its CRLs with `CRL_CHECK_ALL` too: every CA
/// in `ssl_ca_file` that issues client certificates needs a current CRL of its own.
fn server_revocation(s: &crate::config::server::ServerFacts, now: time::OffsetDateTime) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(rev) = &s.revocation else { return out };
    let rev = match rev {
        Ok(r) => r,
        // A missing file is reported above; a file that exists but does not load stops the server.
        Err(reason) => {
            if let Some(f) = s.crl.as_ref().filter(|f| f.exists) {
                out.push(
                    Finding::new(Code::CrlProblem)
                        .severity(Severity::Error)
                        .said(say!(
                            "crl-problem.file-unloadable",
                            path = f.path.display(),
                            origin = &f.origin,
                            configured = &f.configured,
                            reason = reason
                        ))
                        .fix_said(say!("crl-problem.fix-file-unloadable"))
                        .evidence("file", f.path.display().to_string()),
                );
            }
            return out;
        }
    };
    let Some(ca) = &s.ca else { return out };
    let source = rev.describe();
    for c in ca.certs.iter().filter(|c| c.is_ca) {
        let crls: Vec<&crate::x509::Crl> = rev.issued_by(c).collect();
        let name = crate::verify::short_name(&c.subject);
        let f = if crls.is_empty() {
            Finding::new(Code::CrlProblem).severity(Severity::Error).said(say!("crl-problem.server-no-crl", source = Revocation::said_from_words(&source), subject = &c.subject))
        } else if let Some(stale) = crls.iter().all(|x| x.expired_at(now) || x.not_yet_valid_at(now)).then(|| crls[0]) {
            let when = if stale.expired_at(now) {
                say!("crl-problem.expired-at", date = stale.next_update.map(|t| t.date().to_string()).unwrap_or_default())
            } else {
                say!("crl-problem.not-valid-before", date = stale.this_update.date())
            };
            Finding::new(Code::CrlProblem).severity(Severity::Error).said(say!(
                "crl-problem.server-stale",
                subject = &c.subject,
                origin = &stale.origin,
                when = when
            ))
        } else {
            continue;
        };
        out.push(
            f.fix_said(say!("crl-problem.fix-server", name = name))
                .evidence("CA", &c.subject),
        );
    }
    out
}
