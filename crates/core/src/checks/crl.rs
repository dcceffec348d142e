//! `crl-problem`, `cert-revoked`: certificate revocation lists. On the client, libpq silently
//! checks nothing when `sslcrl` names a missing file; once it checks, every certificate of the
//! chain needs a current CRL from its issuer, and a missing or stale one fails verification as
//! surely as a revoked certificate (the verdict's path failure says which). On the server, a missing
//! `ssl_crl_file` makes PostgreSQL refuse to start ("could not load SSL certificate revocation
//! list file"), while a missing `ssl_crl_dir` is accepted at start (OpenSSL only records the
//! directory) and then holds no CRL when a client certificate is checked.

use super::Context;
use crate::facts::{Facts, HostFacts};
use crate::findings::{Code, Finding, Severity};
use crate::verify::libpq::{Failure, UntrustedCause};
use crate::verify::PathFailure;

pub const CODES: &[Code] = &[Code::CrlProblem, Code::CertRevoked];

pub fn check(facts: &Facts, cx: &Context) -> Vec<Finding> {
    let mut out: Vec<Finding> = facts.hosts.iter().filter_map(verdict).collect();
    if let Some(crl) = facts.client.as_ref().and_then(|c| c.file("sslcrl")).filter(|c| c.explicit && !c.exists) {
        out.push(
            Finding::new(Code::CrlProblem)
                .severity(Severity::Warning)
                .detail(format!("sslcrl names \"{}\", which does not exist: libpq silently checks no revocation list.", crl.path)),
        );
    }
    if let Some(s) = facts.server.as_ref().filter(|s| s.conf.ssl_on()) {
        out.extend(server_revocation(s, cx.now()));
        if let Some(f) = s.crl.as_ref().filter(|f| !f.exists) {
            out.push(
                Finding::new(Code::CrlProblem)
                    .severity(Severity::Error)
                    .detail(format!(
                        "ssl_crl_file is {} ({}) but it does not exist: the server refuses to start and logs: could not load SSL certificate revocation list file \"{}\": No such file or directory",
                        f.path.display(),
                        f.origin,
                        f.configured
                    ))
                    .fix("Create the CRL file (PEM, issued by the CA in ssl_ca_file) or remove ssl_crl_file from postgresql.conf, then start or reload the server.")
                    .evidence("file", f.path.display().to_string()),
            );
        }
        if let Some(f) = s.crl_dir.as_ref().filter(|f| !f.exists) {
            out.push(
                Finding::new(Code::CrlProblem)
                    .severity(Severity::Warning)
                    .detail(format!(
                        "ssl_crl_dir is {} ({}) but it does not exist: the server starts, but finds no CRL there when it checks a client certificate against revocation lists.",
                        f.path.display(),
                        f.origin
                    ))
                    .fix("Create the directory with the CA's CRLs (hashed with openssl rehash) or remove ssl_crl_dir from postgresql.conf, then reload.")
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
    let crls = v.revocation.as_deref().unwrap_or("the client's CRLs");
    let f = match failure {
        PathFailure::Revoked { depth } => Finding::new(Code::CertRevoked).detail(format!(
            "{endpoint}: the certificate \"{subject}\" (depth {depth} of the chain) is revoked by the CRL of \"{issuer}\" \
             ({crls}), so OpenSSL stops with \"{text}\" (X509_V_ERR {n}) and libpq says \"certificate verify failed\"."
        )),
        PathFailure::UnableToGetCrl { depth } => Finding::new(Code::CrlProblem).severity(Severity::Error).detail(format!(
            "{endpoint}: libpq checks revocation ({crls}) for every certificate of the chain, and there is no CRL from \
             \"{issuer}\", the issuer of \"{subject}\" (depth {depth}): OpenSSL stops with \"{text}\" (X509_V_ERR {n}), so \
             libpq says \"certificate verify failed\" although nothing is revoked."
        ))
        .fix(format!(
            "Add the current CRL of \"{issuer}\" (PEM) to the CRL file, or to the CRL directory followed by openssl rehash; \
             with sslcrl, every CA of the chain, the root included, must have one."
        )),
        _ => Finding::new(Code::CrlProblem).severity(Severity::Error).detail(format!(
            "{endpoint}: the CRL of \"{issuer}\" ({crls}) cannot be used to check \"{subject}\": {text} (X509_V_ERR {n}), \
             so libpq says \"certificate verify failed\"."
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
                        .detail(format!(
                            "ssl_crl_file {} ({}) cannot be loaded: the server refuses to start (or keeps its old settings on reload) and logs: could not load SSL certificate revocation list file \"{}\": {reason}",
                            f.path.display(),
                            f.origin,
                            f.configured
                        ))
                        .fix("Replace it with the CA's CRL in PEM form (openssl crl -inform DER -in x.crl -out root.crl), then start or reload.")
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
            Finding::new(Code::CrlProblem).severity(Severity::Error).detail(format!(
                "The server checks client certificates against {source} for every CA of their chain, and there is no CRL from \
                 \"{}\" (in ssl_ca_file): every client certificate under it is rejected with \"unable to get certificate CRL\" \
                 (the client sees \"tlsv1 alert unknown ca\" or a closed connection).",
                c.subject
            ))
        } else if let Some(stale) = crls.iter().all(|x| x.expired_at(now) || x.not_yet_valid_at(now)).then(|| crls[0]) {
            let when = if stale.expired_at(now) {
                format!("expired at its nextUpdate, {}", stale.next_update.map(|t| t.date().to_string()).unwrap_or_default())
            } else {
                format!("is not valid before {}", stale.this_update.date())
            };
            Finding::new(Code::CrlProblem).severity(Severity::Error).detail(format!(
                "The CRL of \"{}\" ({}) {when}: the server rejects every client certificate under it (\"CRL has expired\" / \"CRL is not yet valid\").",
                c.subject, stale.origin
            ))
        } else {
            continue;
        };
        out.push(
            f.fix(format!("Put a current CRL issued by \"{name}\" into ssl_crl_file (or ssl_crl_dir, then openssl rehash) and run SELECT pg_reload_conf();. Automate the refresh before nextUpdate."))
                .evidence("CA", &c.subject),
        );
    }
    out
}
