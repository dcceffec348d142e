//! `crl-problem`: certificate revocation lists that cannot be used. On the client, libpq
//! silently checks nothing when `sslcrl` names a missing file; on the server, a missing
//! `ssl_crl_file` or `ssl_crl_dir` makes PostgreSQL refuse to start ("could not load SSL
//! certificate revocation list file").

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
        for (f, param, what) in [(&s.crl, "ssl_crl_file", "file"), (&s.crl_dir, "ssl_crl_dir", "directory")] {
            let Some(f) = f.as_ref().filter(|f| !f.exists) else { continue };
            out.push(
                Finding::new(Code::CrlProblem)
                    .severity(Severity::Error)
                    .detail(format!(
                        "{param} is {} ({}) but it does not exist: the server refuses to start and logs: could not load SSL certificate revocation list {what} \"{}\": No such file or directory",
                        f.path.display(),
                        f.origin,
                        f.configured
                    ))
                    .fix(format!("Create the CRL {what} (PEM, issued by the CA in ssl_ca_file) or remove {param} from postgresql.conf, then start or reload the server."))
                    .evidence("file", f.path.display().to_string()),
            );
        }
    }
    out
}
