//! `root-cert-missing`, `cert-or-key-format`: the client's trust anchors as libpq loads them.
//! A verify-ca/verify-full client without its root file fails before it connects; a root file
//! libpq cannot read (DER, empty, a directory, a broken PEM block) fails every TLS attempt —
//! even with `require` or `prefer`, because libpq reads the file whenever it exists.

use super::Context;
use crate::facts::Facts;
use crate::say;
use crate::findings::{Code, Finding, Severity};
use crate::gathered::trust::RootTrust;
use crate::verify::libpq::{Failure, SslMode};

pub const CODES: &[Code] = &[Code::RootCertMissing, Code::CertOrKeyFormat];

pub fn check(facts: &Facts, cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen: Vec<&Failure> = Vec::new();
    for (_, v) in facts.verdicts() {
        let Some(failure) = &v.failure else { continue };
        if seen.contains(&failure) {
            continue; // the same client file fails every host alike
        }
        seen.push(failure);
        let f = match failure {
            Failure::RootFileMissing { path } => missing(path.as_deref(), v.error.as_deref().unwrap_or("")),
            Failure::SystemRootsUnavailable { reason } => Finding::new(Code::RootCertMissing)
                .said(say!("root-cert-missing.system-unavailable", reason = reason))
                .fix_said(say!("root-cert-missing.fix-system")),
            Failure::RootFileUnreadable { path, reason, is_dir } => unreadable(path, reason, *is_dir),
            _ => continue,
        };
        out.push(if v.connects { f.severity(Severity::Warning) } else { f });
    }
    if facts.hosts.is_empty() {
        // No connection attempted (`pgtls client`): judge the client's files alone. libpq
        // never starts TLS over a Unix-domain socket (fe-connect.c: SSL is attempted only
        // when the address family is not AF_UNIX), so it reads no root file there whatever
        // the sslmode: only a host reached over TCP makes the root file matter.
        if let Some(c) = facts.client.as_ref().filter(|c| c.resolved.hosts.iter().any(|h| h.tls_possible)) {
            match &c.root {
                RootTrust::Absent { path } if cx.profile.sslmode >= SslMode::VerifyCa && !cx.profile.system_roots() => {
                    let p = path.as_ref().map(|p| p.display().to_string());
                    let text = match &p {
                        Some(p) => format!("root certificate file \"{p}\" does not exist"),
                        None => "could not get home directory to locate root certificate file".into(),
                    };
                    out.push(missing(p.as_deref(), &format!("sslmode={} and {text}", cx.profile.sslmode)));
                }
                RootTrust::Unreadable { path, reason, is_dir } => out.push(unreadable(&path.display().to_string(), reason, *is_dir)),
                _ => {}
            }
        }
    }
    out
}

fn missing(path: Option<&str>, libpq_says: &str) -> Finding {
    let mut f = Finding::new(Code::RootCertMissing).said(say!("root-cert-missing.libpq-fails", message = libpq_says.replace('\n', " ")));
    if let Some(p) = path {
        f = f.evidence("path", p);
    }
    f
}

fn unreadable(path: &str, reason: &str, is_dir: bool) -> Finding {
    let what = if is_dir {
        say!("cert-or-key-format.root-is-directory")
    } else if reason == "no certificate or crl found" {
        say!("cert-or-key-format.root-not-pem")
    } else {
        say!("cert-or-key-format.root-unparsable", reason = reason)
    };
    Finding::new(Code::CertOrKeyFormat)
        .said(say!("cert-or-key-format.root-unreadable", path = path, reason = reason, what = what))
        .fix_said(say!("cert-or-key-format.fix-root", path = path))
        .evidence("path", path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::codes;
    use crate::facts::HostFacts;
    use crate::verify::libpq::Verdict;

    fn failing(failure: Failure, error: &str, connects: bool) -> Facts {
        let v = Verdict {
            connects,
            error: (!connects).then(|| error.to_string()),
            plaintext_fallback: connects,
            ..crate::checks::test_support::failing_verdict(failure, error)
        };
        let mut f = crate::checks::test_support::host(crate::checks::test_support::probe());
        f.hosts.push(HostFacts { probe: f.hosts[0].probe.clone(), plaintext: None, verdict: Some(v.clone()), stacks: Vec::new() });
        f.hosts[0].verdict = Some(v);
        f
    }

    #[test]
    fn unreadable_root_file_is_an_error_once() {
        let f = failing(
            Failure::RootFileUnreadable { path: "/x/root.crt".into(), reason: "no certificate or crl found".into(), is_dir: false },
            "could not read root certificate file \"/x/root.crt\": no certificate or crl found",
            false,
        );
        let found = check(&f, &Context::default());
        assert_eq!(codes(&found), ["cert-or-key-format"], "two hosts, one file, one finding");
        assert_eq!(found[0].severity, Severity::Error);
        assert!(found[0].detail.contains("PEM only"));
    }

    #[test]
    fn missing_root_file() {
        let f = failing(Failure::RootFileMissing { path: Some("/h/.postgresql/root.crt".into()) }, "root certificate file \"/h/.postgresql/root.crt\" does not exist\nEither…", false);
        let found = check(&f, &Context::default());
        assert_eq!(codes(&found), ["root-cert-missing"]);
        assert!(found[0].detail.contains("does not exist Either"));
    }
}
