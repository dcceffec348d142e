//! Kong's PostgreSQL TLS settings against what the server demands.
//!
//! Kong reports failures as "[PostgreSQL error] failed to retrieve PostgreSQL
//! server_version_num: …", which hides whether Kong or the server is misconfigured.
//! Reading kong.conf next to the server's files answers it: verification switched on
//! with nothing to verify against, or TLS switched off against a server that only has
//! hostssl lines.

use crate::checks::Context;
use crate::facts::Facts;
use crate::say;
use crate::findings::{Code, Finding, Severity};
use crate::gathered::trust::RootTrust;

pub const CODES: &[Code] = &[Code::KongVerifyWithoutCa];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for d in &facts.drivers {
        let (Some(kong), s) = (&d.kong, &d.settings) else { continue };
        // Files that exist but hold no self-signed root: Kong's OpenSSL (no partial chain)
        // has no anchor there; files that do not exist stop Kong at start.
        let system_too = kong.trusted_certificates().is_some_and(|l| l.iter().any(|t| t == "system"));
        for (path, root) in &d.roots {
            let at = kong.get("lua_ssl_trusted_certificate").map(|v| v.origin.clone()).unwrap_or_default();
            match root {
                RootTrust::Absent { .. } | RootTrust::Unreadable { .. } => out.push(
                    Finding::new(Code::KongVerifyWithoutCa)
                        .said(say!("kong-verify-without-ca.unreadable", at = &at, path = path.display()))
                        .evidence("file", path.display().to_string()),
                ),
                RootTrust::Loaded(store) if !system_too && store.entries.iter().all(|e| !e.cert.self_signed) => {
                    let names: Vec<String> = store.entries.iter().map(|e| crate::verify::short_name(&e.cert.subject)).collect();
                    let issuers: Vec<String> = store.entries.iter().map(|e| crate::verify::short_name(&e.cert.issuer)).collect();
                    out.push(
                        Finding::new(Code::KongVerifyWithoutCa)
                            .said(say!("kong-verify-without-ca.no-root", at = &at, names = names.join(", ")))
                            .evidence("file", path.display().to_string())
                            .fix_said(say!("kong-verify-without-ca.fix-no-root", issuers = issuers.join(", "), path = path.display())),
                    );
                }
                _ => {}
            }
        }
        if s.verifies_server && s.trust.is_empty() {
            let verify_at = s.origin("pg_ssl_verify").unwrap_or("kong.conf");
            match kong.get("lua_ssl_trusted_certificate") {
                None => out.push(
                    Finding::new(Code::KongVerifyWithoutCa).severity(Severity::Warning).said(say!("kong-verify-without-ca.not-set", verify_at = verify_at)),
                ),
                Some(v) => out.push(Finding::new(Code::KongVerifyWithoutCa).said(say!("kong-verify-without-ca.empty", verify_at = verify_at, origin = &v.origin))),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::config::testutil::codes;
    use crate::config::kong::KongConf;
    use crate::facts::DriverFacts;
    use std::path::Path;

    fn kong(text: &str) -> Facts {
        let k = KongConf::parse_str(text, Path::new("/etc/kong/kong.conf")).unwrap();
        Facts { drivers: vec![DriverFacts::new(k.tls_settings().unwrap(), Some(k))], ..Default::default() }
    }

    #[test]
    fn table() {
        let cx = Context::default();
        assert!(check(&kong("pg_ssl = on\npg_ssl_verify = on\nlua_ssl_trusted_certificate = /ca.pem"), &cx).is_empty());
        assert_eq!(codes(&check(&kong("pg_ssl = on\npg_ssl_verify = on"), &cx)), ["kong-verify-without-ca"]);
        let out = check(&kong("pg_ssl = on\npg_ssl_verify = on\nlua_ssl_trusted_certificate = "), &cx);
        assert_eq!(codes(&out), ["kong-verify-without-ca"]);
        assert!(out[0].detail.contains("/etc/kong/kong.conf:2") && out[0].detail.contains("kong.conf:3"), "{}", out[0].detail);
    }
}
