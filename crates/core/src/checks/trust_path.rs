//! `server-cert-untrusted`, `chain-incomplete`, `self-signed-server-cert`: why OpenSSL (and so
//! libpq) rejects a server's chain, named by its root cause. Every path from the server
//! certificate to an anchor is kept as evidence; the verdict's typed cause decides which of
//! the three this is (a date problem belongs to `cert-expired`, a store without any root to
//! `pinned-intermediate`).
//!
//! Without a client's trust store (a bare `probe`, a fleet scan) the chain alone still shows
//! two of them: a single self-signed certificate, and a server that sends only its own
//! certificate, leaving every client to find the intermediate by itself.

use super::Context;
use crate::facts::{Facts, HostFacts};
use crate::say;
use crate::findings::{Arg, Code, Finding, IntoArg, Severity};
use crate::verify::libpq::{Failure, UntrustedCause};
use crate::verify::PathFailure;
use crate::x509::CertKind;

pub const CODES: &[Code] = &[Code::ServerCertUntrusted, Code::ChainIncomplete, Code::SelfSignedServerCert];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let mut out: Vec<Finding> = facts.hosts.iter().filter_map(host).collect();
    out.extend(server_file(facts));
    out
}

/// `pgtls server`: an `ssl_cert_file` that holds only the server certificate, issued by a CA
/// whose certificate the server cannot send. PostgreSQL sends the file's chain; with no chain
/// certificates there, OpenSSL completes it only from `ssl_ca_file` (its auto-chain from the
/// verify store), so the issuer must be in one of the two.
fn server_file(facts: &Facts) -> Option<Finding> {
    let f = facts.server.as_ref()?;
    if !f.conf.ssl_on() {
        return None;
    }
    let cert = f.cert.as_ref()?;
    let [leaf] = cert.certs.as_slice() else { return None };
    if leaf.self_signed || leaf.kind != CertKind::Leaf {
        return None;
    }
    let in_ca_file = f.ca.as_ref().is_some_and(|ca| ca.certs.iter().any(|c| leaf.signed_by(c)));
    if in_ca_file {
        return None;
    }
    Some(
        Finding::new(Code::ChainIncomplete)
            .severity(Severity::Warning)
            .said(say!(
                "chain-incomplete.server-file",
                path = cert.path.display(),
                origin = &cert.origin,
                subject = &leaf.subject,
                issuer = &leaf.issuer,
                issuer_name = crate::verify::short_name(&leaf.issuer)
            ))
            .fix_said(say!("chain-incomplete.fix-server-file", path = cert.path.display()))
            .evidence("missing issuer", &leaf.issuer),
    )
}

fn host(h: &HostFacts) -> Option<Finding> {
    let endpoint = h.endpoint();
    let chain = &h.probe.chain;
    if let Some(v) = &h.verdict {
        if let Some(Failure::ChainUntrusted { cause }) = &v.failure {
            let source = v.trust_source.clone().unwrap_or_default();
            let f = match cause {
                UntrustedCause::ChainIncomplete { subject, issuer, aki } => Finding::new(Code::ChainIncomplete)
                    .said(say!(
                        "chain-incomplete.not-in-store",
                        endpoint = &endpoint,
                        subject = subject,
                        issuer = issuer,
                        key_id = key_id(aki.as_deref()),
                        source = crate::gathered::trust::TrustSource::said_from_words(&source)
                    ))
                    .evidence("missing issuer", issuer)
                    .evidence("missing issuer AKI", aki.clone().unwrap_or_default()),
                UntrustedCause::Other { failure: PathFailure::DepthZeroSelfSigned, subject, .. } => Finding::new(Code::SelfSignedServerCert)
                    .severity(Severity::Error)
                    .said(say!("self-signed-server-cert.not-in-store", endpoint = &endpoint, subject = subject, source = crate::gathered::trust::TrustSource::said_from_words(&source)))
                    .fix_said(say!("self-signed-server-cert.fix-not-in-store")),
                // Revocation has its own check (crl.rs).
                UntrustedCause::Other { failure, .. } if failure.is_revocation() => return None,
                UntrustedCause::Other { failure, subject, issuer } => {
                    let (code, text) = failure.openssl();
                    let mut f = Finding::new(Code::ServerCertUntrusted)
                        .said(say!(
                            "server-cert-untrusted.openssl-rejects",
                            endpoint = &endpoint,
                            text = text,
                            code = code,
                            subject = subject,
                            issuer = issuer,
                            source = crate::gathered::trust::TrustSource::said_from_words(&source)
                        ))
                        .evidence("trust source", &source);
                    if let Some(p) = &v.paths {
                        for (i, a) in p.attempts.iter().enumerate().take(20) {
                            f = f.evidence(format!("attempt {}", i + 1), a.describe());
                        }
                        if p.budget_exhausted {
                            f = f.evidence("note", "search budget exhausted: the server sent an unusually large certificate pile");
                        }
                    }
                    f
                }
                // Dates and root-less stores have their own checks.
                UntrustedCause::Expired { .. } | UntrustedCause::NotYetValid { .. } | UntrustedCause::NoRootInStore { .. } => return None,
            };
            let f = f.at_endpoint(&endpoint);
            return Some(if v.connects { f.severity(Severity::Warning) } else { f });
        }
    }
    // The chain alone.
    let verified = h.verdict.as_ref().is_some_and(|v| v.chain_verified);
    // Verified straight to a root in the client's store: the leaf's issuer *is* the root.
    let issued_by_root = h
        .verdict
        .as_ref()
        .and_then(|v| v.paths.as_ref())
        .is_some_and(|p| p.valid_paths().any(|a| a.certs.len() == 2));
    match chain.as_slice() {
        [leaf] if leaf.self_signed && !verified => Some(
            Finding::new(Code::SelfSignedServerCert)
                .said(say!("self-signed-server-cert.single", endpoint = &endpoint, subject = &leaf.subject))
                .at_endpoint(&endpoint),
        ),
        [leaf] if leaf.kind == CertKind::Leaf && !leaf.self_signed && !issued_by_root => {
            let f = Finding::new(Code::ChainIncomplete)
                .said(say!(
                    "chain-incomplete.leaf-only",
                    endpoint = &endpoint,
                    subject = &leaf.subject,
                    issuer = &leaf.issuer,
                    key_id = key_id(leaf.aki.as_deref()),
                    issuer_name = crate::verify::short_name(&leaf.issuer)
                ))
                .evidence("missing issuer", &leaf.issuer)
                .at_endpoint(&endpoint);
            Some(if verified { f.severity(Severity::Info) } else { f.severity(Severity::Warning) })
        }
        _ => None,
    }
}

/// ` (key id AB:CD:…)` after an issuer's name, when its key id is known.
fn key_id(aki: Option<&str>) -> Arg {
    match aki {
        Some(a) => say!("chain-incomplete.key-id", id = crate::x509::colon_hex(a)).into_arg(),
        None => "".into_arg(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::{codes, host as facts_with, probe};
    use crate::x509::LabCert;
    use pgtls_lab::CertKey;

    #[test]
    fn leaf_only_chain_without_a_client_is_a_warning() {
        let root = CertKey::root("R").unwrap();
        let inter = root.intermediate("I").unwrap();
        let leaf = inter.leaf("db", &["db"]).unwrap();
        let mut p = probe();
        p.chain = vec![leaf.info()];
        let f = check(&facts_with(p.clone()), &Context::default());
        assert_eq!(codes(&f), ["chain-incomplete"]);
        assert_eq!(f[0].severity, Severity::Warning);
        p.chain = vec![leaf.info(), inter.info()];
        assert!(check(&facts_with(p.clone()), &Context::default()).is_empty());
        p.chain = vec![root.info()];
        assert_eq!(codes(&check(&facts_with(p), &Context::default())), ["self-signed-server-cert"]);
    }
}
