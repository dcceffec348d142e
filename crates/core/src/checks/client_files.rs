//! `client-cert-file-missing`, `client-key-permissions`, `client-key-mismatch`: the client
//! certificate and key files as libpq (PostgreSQL 15–18, fe-secure-openssl.c)
//! treats them, with libpq's own words in the detail so the finding matches what the user saw.

use super::Context;
use crate::gathered::client::ClientFacts;
use crate::conninfo::SslMode;
use crate::facts::Facts;
use crate::verify::libpq::libpq_key_verdict;
use crate::say;
use crate::findings::{Code, Finding, Severity};

pub const CODES: &[Code] = &[Code::ClientCertFileMissing, Code::ClientKeyPermissions, Code::ClientKeyMismatch];

pub fn check(facts: &Facts, cx: &Context) -> Vec<Finding> {
    match &facts.client {
        Some(c) => files(c, cx),
        None => vec![],
    }
}

fn files(f: &ClientFacts, cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    let tls_used = cx.profile.sslmode != SslMode::Disable && f.resolved.hosts.iter().any(|h| h.tls_possible);
    let (cert, key) = (f.file("sslcert"), f.file("sslkey"));
    if tls_used {
        match (cert, key) {
            (Some(c), _) if c.explicit && !c.exists => out.push(
                Finding::new(Code::ClientCertFileMissing)
                    .severity(Severity::Warning)
                    .said(say!("client-cert-file-missing.cert", path = &c.path, source = c.source.said()))
                    .evidence("sslcert", &c.path),
            ),
            (Some(c), Some(k)) if c.exists && !k.exists => out.push(
                Finding::new(Code::ClientCertFileMissing)
                    .said(say!("client-cert-file-missing.key", path = &k.path))
                    .evidence("sslkey", &k.path),
            ),
            (Some(c), Some(k)) if c.exists && !k.is_file => out.push(
                Finding::new(Code::ClientKeyPermissions)
                    .said(say!("client-key-permissions.not-a-file", path = &k.path)),
            ),
            (Some(c), Some(k)) if c.exists => {
                if let (Some(m), Some(uid)) = (k.mode, k.uid) {
                    if let Some(msg) = libpq_key_verdict(&k.path, m, uid) {
                        out.push(
                            Finding::new(Code::ClientKeyPermissions)
                                .said(say!("client-key-permissions.refused", mode = format!("{m:04o}"), message = msg))
                                .fix_said(say!("client-key-permissions.fix", path = &k.path))
                                .evidence("mode", format!("{m:04o}")),
                        );
                    }
                }
                if let (Some(cp), Some(kp)) = (&c.contents, &k.contents) {
                    if crate::x509::key_matches_cert(cp, kp) == Some(false) {
                        out.push(Finding::new(Code::ClientKeyMismatch).said(say!("client-key-mismatch.mismatch", key = &k.path, cert = &c.path)));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libpq_key_rule() {
        // (owner uid, mode, refused): the owner is never compared with the running user.
        for (uid, mode, refused) in [
            (1000, 0o600, false), (1000, 0o400, false), (1000, 0o640, true), (1000, 0o644, true),
            (5, 0o644, true), (5, 0o600, false),
            (0, 0o640, false), (0, 0o600, false), (0, 0o440, false), (0, 0o644, true), (0, 0o660, true), (0, 0o650, true),
        ] {
            assert_eq!(libpq_key_verdict("k", mode, uid).is_some(), refused, "uid {uid} mode {mode:04o}");
        }
    }
}
