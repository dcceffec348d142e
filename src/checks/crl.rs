//! `crl-problem`: certificate revocation lists that cannot be used. On the client, libpq
//! silently checks nothing when `sslcrl` names a missing file; on the server, a missing
//! `ssl_crl_file` makes PostgreSQL refuse to start ("could not load SSL certificate revocation
//! list file"), while a missing `ssl_crl_dir` is accepted at start (OpenSSL only records the
//! directory) and then holds no CRL when a client certificate is checked.

use super::Context;
use crate::facts::Facts;
use crate::findings::{Code, Finding, Severity};

pub const CODES: &[Code] = &[Code::CrlProblem];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(crl) = facts.client.as_ref().and_then(|c| c.file("sslcrl")).filter(|c| c.explicit && !c.exists) {
        out.push(
            Finding::new(Code::CrlProblem)
                .severity(Severity::Warning)
                .detail(format!("sslcrl names \"{}\", which does not exist: libpq silently checks no revocation list.", crl.path)),
        );
    }
    if let Some(s) = facts.server.as_ref().filter(|s| s.conf.ssl_on()) {
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
