//! The client side as libpq sees it before it connects: `client-key-permissions`,
//! `client-cert-file-missing`, `client-key-mismatch`, `root-cert-missing`, `crl-problem`,
//! `insecure-sslmode`. Each rule is libpq's (PostgreSQL 15–17, fe-secure-openssl.c), with
//! libpq's own words in the detail so the finding matches what the user saw.

use super::Context;
use crate::checks::config::key_mismatch::key_matches;
use crate::conninfo::{Resolved, SslMode};
use crate::findings::{Code, Finding, Severity};

/// A client file libpq would read, as found on disk.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClientFile {
    /// The keyword: sslrootcert, sslcert, sslkey, sslcrl.
    pub keyword: String,
    pub path: String,
    /// Named explicitly (connection string, service, environment) rather than libpq's default.
    pub explicit: bool,
    /// Where the value came from, in words.
    pub source: String,
    pub exists: bool,
    pub is_file: bool,
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    /// PEM/DER contents for certificates and keys (never printed).
    #[serde(skip)]
    pub contents: Option<Vec<u8>>,
}

/// What `pgtls client` gathered.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClientFacts {
    pub resolved: Resolved,
    pub files: Vec<ClientFile>,
    /// The effective uid of the client process (libpq compares key ownership with it).
    pub euid: u32,
}

impl ClientFacts {
    pub fn file(&self, keyword: &str) -> Option<&ClientFile> {
        self.files.iter().find(|f| f.keyword == keyword)
    }
}

/// libpq's key-permission rule: owned by the current user → no group/other bits; owned by root
/// → at most u=rw,g=r. Returns libpq's message when the key would be refused.
pub fn libpq_key_verdict(path: &str, mode: u32, uid: u32, euid: u32) -> Option<String> {
    let bad = (uid == euid && mode & 0o077 != 0) || (uid == 0 && mode & 0o037 != 0);
    bad.then(|| {
        format!(
            "private key file \"{path}\" has group or world access; file must have permissions u=rw (0600) or less \
             if owned by the current user, or permissions u=rw,g=r (0640) or less if owned by root"
        )
    })
}

pub fn check(f: &ClientFacts, _ctx: &Context) -> Vec<Finding> {
    let r = &f.resolved;
    let mode = r.sslmode.value;
    let mut out = Vec::new();
    let tls_used = mode != SslMode::Disable && r.hosts.iter().any(|h| h.tls_possible);
    let cert = f.file("sslcert");
    let key = f.file("sslkey");
    let root = f.file("sslrootcert");

    if tls_used {
        match cert {
            Some(c) if c.explicit && !c.exists => out.push(
                Finding::new(Code::ClientCertFileMissing)
                    .severity(Severity::Warning)
                    .detail(format!(
                        "sslcert names \"{}\" ({}), which does not exist: libpq then connects WITHOUT a client \
                         certificate, and a server that requires one answers \"connection requires a valid client certificate\".",
                        c.path, c.source
                    ))
                    .evidence("sslcert", &c.path),
            ),
            Some(c) if c.exists => match key {
                Some(k) if !k.exists => out.push(
                    Finding::new(Code::ClientCertFileMissing)
                        .detail(format!("libpq will fail: certificate present, but not private key file \"{}\"", k.path))
                        .evidence("sslkey", &k.path),
                ),
                Some(k) if !k.is_file => out.push(
                    Finding::new(Code::ClientKeyPermissions)
                        .detail(format!("libpq will fail: private key file \"{}\" is not a regular file", k.path)),
                ),
                Some(k) => {
                    if let (Some(m), Some(uid)) = (k.mode, k.uid) {
                        if let Some(msg) = libpq_key_verdict(&k.path, m, uid, f.euid) {
                            out.push(
                                Finding::new(Code::ClientKeyPermissions)
                                    .detail(format!("libpq will refuse the key (mode {m:04o}): {msg}"))
                                    .fix(format!("chmod 0600 {}", k.path))
                                    .evidence("mode", format!("{m:04o}")),
                            );
                        }
                    }
                    if let (Some(cp), Some(kp)) = (&c.contents, &k.contents) {
                        if key_matches(cp, kp) == Some(false) {
                            out.push(Finding::new(Code::ClientKeyMismatch).detail(format!(
                                "The private key \"{}\" does not belong to the certificate \"{}\": libpq fails with \
                                 \"certificate does not match private key file\".",
                                k.path, c.path
                            )));
                        }
                    }
                }
                None => {}
            },
            _ => {}
        }
    }

    let verifies = matches!(mode, SslMode::VerifyCa | SslMode::VerifyFull);
    let root_present = root.is_some_and(|r| r.exists) || r.uses_system_roots();
    if verifies && !r.uses_system_roots() {
        if let Some(rf) = root.filter(|r| !r.exists) {
            out.push(
                Finding::new(Code::RootCertMissing)
                    .detail(format!(
                        "sslmode={mode} and the root certificate file is missing; libpq fails with: root certificate file \
                         \"{}\" does not exist\nEither provide the file, use the system's trusted roots with \
                         sslrootcert=system, or change sslmode to disable server certificate verification.",
                        rf.path
                    ))
                    .evidence("sslrootcert", &rf.path),
            );
        }
    }
    if tls_used && !verifies {
        let why = match mode {
            SslMode::Require if root.is_some_and(|r| r.exists && !r.explicit) => format!(
                "sslmode=require, but {} exists, so libpq verifies the chain like verify-ca (not the host name).",
                root.map(|r| r.path.as_str()).unwrap_or("")
            ),
            SslMode::Require => "sslmode=require encrypts but does not check who the server is: an active attacker can impersonate it.".to_string(),
            _ => format!("sslmode={mode} (from {}) may connect WITHOUT encryption when the server does not offer TLS, and never checks the server's identity.", r.sslmode.source),
        };
        let mut f = Finding::new(Code::InsecureSslmode).severity(Severity::Warning).detail(why).evidence("sslmode", mode.as_str());
        if root_present {
            f = f.fix("A root certificate is available: use sslmode=verify-full so libpq checks both the chain and the host name.");
        }
        out.push(f);
    } else if mode == SslMode::VerifyCa && root_present {
        out.push(
            Finding::new(Code::InsecureSslmode)
                .severity(Severity::Info)
                .detail("sslmode=verify-ca checks the chain but not the host name: any certificate from the same CA is accepted.")
                .fix("Use sslmode=verify-full when the certificate names the host you connect to."),
        );
    }
    if let Some(crl) = f.file("sslcrl").filter(|c| c.explicit && !c.exists) {
        out.push(
            Finding::new(Code::CrlProblem)
                .severity(Severity::Warning)
                .detail(format!("sslcrl names \"{}\", which does not exist: libpq silently checks no revocation list.", crl.path)),
        );
    }
    for w in &r.warnings {
        out.push(Finding::new(Code::InsecureSslmode).severity(Severity::Info).detail(w.clone()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libpq_key_rule() {
        assert!(libpq_key_verdict("k", 0o600, 1000, 1000).is_none());
        assert!(libpq_key_verdict("k", 0o400, 1000, 1000).is_none());
        assert!(libpq_key_verdict("k", 0o640, 1000, 1000).is_some());
        assert!(libpq_key_verdict("k", 0o640, 0, 1000).is_none());
        assert!(libpq_key_verdict("k", 0o660, 0, 1000).is_some());
        assert!(libpq_key_verdict("k", 0o644, 0, 1000).is_some());
        // Owned by someone else entirely: libpq does not judge (OpenSSL fails to read it instead).
        assert!(libpq_key_verdict("k", 0o644, 5, 1000).is_none());
    }
}
