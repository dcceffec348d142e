//! The client certificate's name must map to the requested database user.
//!
//! With `cert` authentication (or `clientcert=verify-full`) the server compares the
//! certificate's CN (or DN with `clientname=DN`) with the user name, through the
//! pg_ident.conf map named by `map=`. A mismatch gives only "certificate authentication
//! failed for user" to the client; this check names the rule and writes the missing
//! pg_ident.conf line (the Kong guide's `kong` vs `foo@example.com` case).

use crate::checks::Context;
use crate::config::hba::{HbaQuery, HbaRule};
use crate::facts::Facts;
use crate::config::ident::{Ident, IdentDecision};
use crate::say;
use crate::findings::{Code, Finding, IntoArg, Severity};

pub const CODES: &[Code] = &[Code::ClientCertUserMismatch];

/// The CN of the first certificate in a PEM file.
pub fn common_name(pem: &[u8]) -> Option<String> {
    crate::x509::pem_certs(pem).into_iter().next()?.subject_cn
}

/// "May this certificate log in as this user?" for `pgtls server --user --client-cn`: the
/// pg_hba.conf line the connection meets, and its pg_ident.conf map.
pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let mut out = refused(facts);
    out.extend(login_query(facts));
    out
}

/// A real server refused the certificate login ("certificate authentication failed for user").
fn refused(facts: &Facts) -> Vec<Finding> {
    let cert = match facts.client.as_ref().map(|c| &c.cert) {
        Some(crate::gathered::client::ClientCert::Loaded { subject, .. }) => Some(crate::verify::short_name(subject)),
        _ => None,
    };
    facts
        .verdicts()
        .filter_map(|(h, v)| {
            let failure = v.failure.as_ref().filter(|f| f.recognised() == Some(Code::ClientCertUserMismatch))?;
            let crate::verify::libpq::Failure::ServerRefused { error, .. } = failure else { return None };
            let user = h.probe.startup.as_ref().map(|s| s.user.clone()).unwrap_or_default();
            let cn = match cert.clone() {
                Some(cn) => cn.into_arg(),
                None => say!("client-cert-user-mismatch.the-cn").into_arg(),
            };
            Some(
                Finding::new(Code::ClientCertUserMismatch)
                    .said(say!(
                        "client-cert-user-mismatch.refused",
                        endpoint = h.endpoint(),
                        severity = error.severity.as_deref().unwrap_or("FATAL"),
                        message = &error.message,
                        cn = cn.clone(),
                        user = &user
                    ))
                    .fix_said(say!("client-cert-user-mismatch.fix-refused", cn = cn, user = &user))
                    .at_endpoint(h.endpoint()),
            )
        })
        .collect()
}

fn login_query(facts: &Facts) -> Vec<Finding> {
    let (Some(q), Some(f)) = (&facts.cert_login, &facts.server) else { return vec![] };
    let Some(hba) = &f.hba else { return vec![] };
    let query = HbaQuery { ssl: true, gss: false, addr: Some(q.addr), user: q.user.clone(), db: q.database.clone() };
    match hba.matching_rules(&query).rule {
        Some(rule) => judge(rule, f.ident.as_ref(), &q.cert_name, &q.user),
        None => vec![], // no line at all: `hba-no-ssl-entry`
    }
}

/// `rule` is the pg_hba.conf line the connection meets; `cert_name` the CN (or DN for
/// `clientname=DN`) of the client certificate; `pg_user` the requested user.
pub fn judge(rule: &HbaRule, ident: Option<&Ident>, cert_name: &str, pg_user: &str) -> Vec<Finding> {
    let full = rule.method == "cert" || rule.option("clientcert") == Some("verify-full");
    if !full {
        return Vec::new();
    }
    let failure = if rule.method == "cert" {
        format!("certificate authentication failed for user \"{pg_user}\"")
    } else {
        format!("certificate validation (clientcert=verify-full) failed for user \"{pg_user}\": CN mismatch")
    };
    let Some(map) = rule.option("map") else {
        if cert_name == pg_user {
            return Vec::new();
        }
        return vec![Finding::new(Code::ClientCertUserMismatch)
            .said(say!(
                "client-cert-user-mismatch.no-map",
                location = rule.location(),
                raw = &rule.raw,
                pg_user = pg_user,
                cert_name = cert_name,
                failure = &failure
            ))
            .fix_said(say!(
                "client-cert-user-mismatch.fix-no-map",
                cert_name = cert_name,
                pg_user = pg_user,
                location = rule.location(),
                quoted_cert_name = crate::config::ident::quote(cert_name),
                quoted_pg_user = crate::config::ident::quote(pg_user)
            ))
            .evidence("certificate_name", cert_name)
            .evidence("user", pg_user)];
    };
    let Some(ident) = ident else {
        return vec![Finding::new(Code::ClientCertUserMismatch).severity(Severity::Warning).said(say!(
            "client-cert-user-mismatch.ident-unreadable",
            location = rule.location(),
            map = map,
            cert_name = cert_name,
            pg_user = pg_user
        ))];
    };
    match ident.evaluate(map, cert_name, pg_user) {
        IdentDecision::Matched { .. } => Vec::new(),
        IdentDecision::NeedsMembership { location, role } => vec![Finding::new(Code::ClientCertUserMismatch)
            .severity(Severity::Info)
            .said(say!("client-cert-user-mismatch.needs-membership", location = location, cert_name = cert_name, role = &role, pg_user = pg_user))],
        IdentDecision::Invalid { location, message } => vec![Finding::new(Code::ClientCertUserMismatch)
            .said(say!("client-cert-user-mismatch.invalid-map", location = location, message = message))],
        IdentDecision::NoMatch { suggestion, regex_suggestion, server_log, map_exists } => {
            let files: Vec<String> = ident.files.iter().map(|p| p.display().to_string()).collect();
            let file = files.first().cloned().unwrap_or_else(|| "pg_ident.conf".into());
            let fix = say!(
                "client-cert-user-mismatch.fix-add-line",
                file = &file,
                suggestion = &suggestion,
                regex = match regex_suggestion {
                    Some(r) => say!("client-cert-user-mismatch.or-regex", regex = r).into_arg(),
                    None => "".into_arg(),
                }
            );
            vec![Finding::new(Code::ClientCertUserMismatch)
                .said(say!(
                    "client-cert-user-mismatch.no-line",
                    location = rule.location(),
                    raw = &rule.raw,
                    map = map,
                    no_map = if map_exists { "".into_arg() } else { say!("client-cert-user-mismatch.no-such-map").into_arg() },
                    cert_name = cert_name,
                    pg_user = pg_user,
                    server_log = &server_log,
                    failure = &failure
                ))
                .fix_said(fix)
                .evidence("certificate_name", cert_name)
                .evidence("user", pg_user)
                .evidence("suggested_line", suggestion)]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::config::testutil::codes;
    use crate::config::hba::Hba;
    use std::path::Path;

    #[test]
    fn seed_case_kong_vs_foo_at_example_com() {
        let hba = Hba::parse_str("hostssl all kong all cert map=kongmap\n", Path::new("/data/pg_hba.conf")).unwrap();
        let ident = Ident::parse_str("# empty\n", Path::new("/data/pg_ident.conf")).unwrap();
        let out = judge(&hba.rules[0], Some(&ident), "foo@example.com", "kong");
        assert_eq!(codes(&out), ["client-cert-user-mismatch"]);
        assert!(out[0].fix.contains("kongmap  foo@example.com  kong"), "{}", out[0].fix);
        assert!(out[0].detail.contains("/data/pg_hba.conf:1"), "{}", out[0].detail);
        let fixed = Ident::parse_str("kongmap  foo@example.com  kong\n", Path::new("/data/pg_ident.conf")).unwrap();
        assert!(judge(&hba.rules[0], Some(&fixed), "foo@example.com", "kong").is_empty());
    }

    #[test]
    fn table() {
        let rules = Hba::parse_str(
            "hostssl all all all cert\nhostssl all all all scram-sha-256 clientcert=verify-full\nhostssl all all all scram-sha-256 clientcert=verify-ca\nhostssl all all all cert map=m\n",
            Path::new("h"),
        )
        .unwrap()
        .rules;
        let ident = Ident::parse_str("m /^(.*)@corp$ \\1\n", Path::new("i")).unwrap();
        let table: [(usize, &str, &str, &[&str]); 7] = [
            (0, "kong", "kong", &[]),
            (0, "foo@example.com", "kong", &["client-cert-user-mismatch"]),
            (1, "foo", "kong", &["client-cert-user-mismatch"]),
            (2, "foo", "kong", &[]),
            (3, "kong@corp", "kong", &[]),
            (3, "kong@else", "kong", &["client-cert-user-mismatch"]),
            (3, "bob@corp", "kong", &["client-cert-user-mismatch"]),
        ];
        for (r, name, user, expected) in table {
            assert_eq!(codes(&judge(&rules[r], Some(&ident), name, user)), expected, "{r} {name} {user}");
        }
        let d = &judge(&rules[0], None, "foo@example.com", "kong")[0].detail;
        assert!(d.contains("provided user name (kong) and authenticated user name (foo@example.com) do not match"), "{d}");
    }

    #[test]
    fn cn_from_certificate() {
        let pki = pgtls_lab::CertKey::root("Test Root CA").unwrap();
        let now = pgtls_lab::now();
        let spec = pgtls_lab::CertSpec::valid(now, now + ::time::Duration::days(1));
        let pem = pki.leaf_with("foo@example.com", &["foo@example.com"], &spec).unwrap().cert_pem;
        assert_eq!(common_name(pem.as_bytes()).as_deref(), Some("foo@example.com"));
        assert_eq!(common_name(b"nope"), None);
    }
}
