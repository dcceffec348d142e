//! `hba-no-ssl-entry`, `hba-allows-non-ssl`, `hba-cert-without-ca`: what pg_hba.conf does with
//! TLS. `ssl = on` only *offers* TLS: a `host` line still admits clients that never ask for it,
//! so only `hostssl` lines make it mandatory; `cert` rules need `ssl_ca_file` (or the server
//! asks for no client certificate at all); and a connection that no line matches is refused
//! whatever its certificate. Seen in the server's files or in `pg_hba_file_rules`.

use std::net::IpAddr;

use super::Context;
use crate::config::hba::{Address, ConnType, HbaQuery, HbaRule};
use crate::facts::Facts;
use crate::say;
use crate::findings::{Code, Finding, IntoArg, Severity};

pub const CODES: &[Code] = &[Code::HbaNoSslEntry, Code::HbaAllowsNonSsl, Code::HbaCertWithoutCa];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(f) = &facts.server {
        if let Some(hba) = &f.hba {
            let files: Vec<String> = hba.files.iter().map(|p| p.display().to_string()).collect();
            let files = if files.is_empty() { "pg_hba.conf".to_string() } else { files.join(", ") };
            // A line an SSL connection can match (hostgssenc needs GSSAPI encryption instead).
            let admits_ssl = hba.rules.iter().any(|r| matches!(r.conn_type, ConnType::Host | ConnType::HostSsl | ConnType::HostNoGssEnc) && r.method != "reject");
            if f.conf.ssl_on() && !hba.rules.is_empty() && !admits_ssl {
                out.push(
                    Finding::new(Code::HbaNoSslEntry)
                        .said(say!("hba-no-ssl-entry.no-tls-line", files = &files))
                        .fix_said(say!("hba-no-ssl-entry.fix-no-tls-line", files = &files)),
                );
            } else if !hba.rules.iter().any(|r| r.conn_type == ConnType::HostSsl) {
                out.push(Finding::new(Code::HbaNoSslEntry).severity(Severity::Warning).said(say!("hba-no-ssl-entry.no-hostssl", files = &files)));
            }
            let mut open = Vec::new();
            for r in &hba.rules {
                if rejects_all_non_ssl(r) {
                    break;
                }
                if r.admits_non_ssl() && !loopback_only(r) && r.conn_type != ConnType::HostGssEnc {
                    open.push(r);
                }
            }
            if !open.is_empty() {
                let lines: Vec<String> = open.iter().map(|r| format!("{} ({})", r.location(), r.raw)).collect();
                out.push(
                    Finding::new(Code::HbaAllowsNonSsl)
                        .severity(Severity::Warning)
                        .said(say!("hba-allows-non-ssl.lines", lines = lines.join("; ")))
                        .fix_said(say!(
                            "hba-allows-non-ssl.fix-lines",
                            locations = open.iter().map(|r| r.location()).collect::<Vec<_>>().join(", ")
                        )),
                );
            }
            let has_ca = f.conf.get("ssl_ca_file").is_some_and(|s| !s.value.is_empty());
            let rules: Vec<String> = hba.rules.iter().filter(|r| r.requires_client_cert()).map(|r| format!("{} ({})", r.location(), r.raw)).collect();
            if !has_ca && !rules.is_empty() {
                let at = match f.conf.get("ssl_ca_file") {
                    Some(s) => say!("hba-cert-without-ca.set-empty-at", location = s.location()).into_arg(),
                    None => "".into_arg(),
                };
                out.push(Finding::new(Code::HbaCertWithoutCa).said(say!("hba-cert-without-ca.no-ca", at = at, lines = rules.join("; "))));
            }
            if let Some(q) = &facts.cert_login {
                let query = HbaQuery { ssl: true, gss: false, addr: Some(q.addr), user: q.user.clone(), db: q.database.clone() };
                if hba.matching_rules(&query).rule.is_none() {
                    out.push(Finding::new(Code::HbaNoSslEntry).said(say!("hba-no-ssl-entry.cert-login", addr = q.addr, user = &q.user, database = &q.database)));
                }
            }
        }
    }
    // Kong without a client certificate against hostssl lines that demand one.
    for d in facts.drivers.iter().filter(|d| d.kong.is_some()) {
        let Some(hba) = facts.server.as_ref().and_then(|f| f.hba.as_ref()) else { continue };
        let s = &d.settings;
        if s.mode != crate::conninfo::SslMode::Disable
            && hba.rules.iter().any(|r| r.conn_type == ConnType::HostSsl && r.requires_client_cert())
            && s.client_cert.is_none()
        {
            out.push(
                Finding::new(Code::HbaCertWithoutCa)
                    .severity(Severity::Warning)
                    .said(say!("hba-cert-without-ca.kong"))
                    .fix_said(say!("hba-cert-without-ca.fix-kong")),
            );
        }
    }
    // A real server said so: its pg_hba.conf has no line for this TLS connection.
    for (h, v) in facts.verdicts() {
        let Some(failure) = v.failure.as_ref().filter(|f| f.recognised() == Some(Code::HbaNoSslEntry)) else { continue };
        let crate::verify::libpq::Failure::ServerRefused { error, .. } = failure else { continue };
        let f = Finding::new(Code::HbaNoSslEntry)
            .said(say!(
                "hba-no-ssl-entry.refused",
                endpoint = h.endpoint(),
                severity = error.severity.as_deref().unwrap_or("FATAL"),
                message = &error.message,
                then = if v.plaintext_fallback { say!("hba-no-ssl-entry.then-retried") } else { say!("hba-no-ssl-entry.then-nothing") }
            ))
            .at_endpoint(h.endpoint());
        out.push(if v.connects { f.severity(Severity::Warning) } else { f });
    }
    // Azure Database for PostgreSQL flexible server enforces TLS with its own server parameter,
    // before pg_hba.conf, for the server and its built-in PgBouncer on port 6432 (whose
    // pgbouncer.client_tls_sslmode is deprecated). Sources: MicrosoftDocs/azure-docs
    // @05b84a39 articles/postgresql/flexible-server/how-to-connect-tls-ssl.md;
    // MicrosoftDocs/azure-databases-docs@00caa315 …/flexible-server/concepts-pgbouncer.md.
    let secure_transport = facts.sessions.as_ref().and_then(|s| s.settings.get("require_secure_transport")).map(|v| v.eq_ignore_ascii_case("on"));
    if secure_transport == Some(false) {
        out.push(
            Finding::new(Code::HbaAllowsNonSsl)
                .severity(Severity::Warning)
                .said(say!("hba-allows-non-ssl.azure-off"))
                .fix_said(say!("hba-allows-non-ssl.fix-azure-off"))
                .evidence("require_secure_transport", "off"),
        );
    }
    // With require_secure_transport = on a `host` line admits TLS connections only.
    if let Some(rows) = facts.sessions.as_ref().and_then(|s| s.hba_rules.as_ref()).filter(|_| secure_transport != Some(true)) {
        for r in rows {
            if r.kind.as_deref() == Some("host") && r.auth_method.as_deref() != Some("reject") {
                out.push(
                    Finding::new(Code::HbaAllowsNonSsl)
                        .severity(Severity::Warning)
                        .said(say!(
                            "hba-allows-non-ssl.host-row",
                            line = r.line_number.unwrap_or(0),
                            database = r.database.as_deref().unwrap_or(""),
                            user = r.user_name.as_deref().unwrap_or(""),
                            address = r.address.as_deref().unwrap_or(""),
                            method = r.auth_method.as_deref().unwrap_or("")
                        ))
                        .evidence("line", r.line_number.unwrap_or(0).to_string()),
                );
            }
        }
    }
    out
}

fn loopback_only(r: &HbaRule) -> bool {
    match &r.address {
        Some(Address::Cidr { addr, prefix }) => match addr {
            IpAddr::V4(a) => a.octets()[0] == 127 && *prefix >= 8,
            IpAddr::V6(a) => a.is_loopback() && *prefix == 128,
        },
        Some(Address::SameHost) => true,
        Some(Address::Hostname(h)) => h == "localhost",
        _ => false,
    }
}

fn rejects_all_non_ssl(r: &HbaRule) -> bool {
    r.conn_type == ConnType::HostNoSsl
        && r.method == "reject"
        && r.databases.iter().any(|t| t.is_kw("all"))
        && r.users.iter().any(|t| t.is_kw("all"))
        && matches!(r.address, Some(Address::All))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::config::testutil::facts;
    use crate::checks::test_support::codes;

    #[test]
    fn hostssl_table() {
        let table: [(&str, &[&str]); 7] = [
            ("hostssl all all 0.0.0.0/0 scram-sha-256", &[]),
            ("local all all peer\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\nhostssl all all all cert\n", &["hba-cert-without-ca"]),
            ("host all all 0.0.0.0/0 scram-sha-256", &["hba-no-ssl-entry", "hba-allows-non-ssl"]),
            ("hostssl all all all scram-sha-256\nhost all all 10.0.0.0/8 md5", &["hba-allows-non-ssl"]),
            ("hostnossl all all all reject\nhostssl all all all md5\nhost all all all md5", &[]),
            ("hostssl all all all md5\nhost all all all reject", &[]),
            ("local all all peer", &["hba-no-ssl-entry"]),
        ];
        for (hba, expected) in table {
            assert_eq!(codes(&check(&facts("ssl = on", hba), &Context::default())), expected, "{hba}");
        }
        let out = check(&facts("ssl = on", "hostssl all all all md5\n\nhost all all 10.0.0.0/8 md5"), &Context::default());
        assert!(out[0].detail.contains("/data/pg_hba.conf:3"), "{}", out[0].detail);
    }

    /// Azure's require_secure_transport, as `sessions` reads it: off is a warning with Azure's
    /// own fix; on makes `host` lines TLS-only, so they are no warning.
    #[test]
    fn azure_require_secure_transport() {
        let with = |value: &str| {
            let mut f = Facts::default();
            f.sessions = Some(
                serde_json::from_value(serde_json::json!({
                    "server_version": "16.4", "own_connection_ssl": true, "groups": [], "ssl_is_used": true,
                    "sslinfo_installed": false, "role": "azure_pg_admin", "sees_all_sessions": false, "hba_note": null,
                    "settings": {"require_secure_transport": value, "ssl": "on"},
                    "hba_rules": [{"line_number": 3, "type": "host", "database": "{all}", "user_name": "{all}", "address": "0.0.0.0",
                                   "auth_method": "scram-sha-256", "options": null, "error": null}]
                }))
                .unwrap(),
            );
            check(&f, &Context::default())
        };
        let off = with("off");
        assert_eq!(codes(&off), ["hba-allows-non-ssl", "hba-allows-non-ssl"]);
        assert!(off[0].fix.contains("require_secure_transport --value on") && off[0].detail.contains("6432"), "{}", off[0].fix);
        assert!(with("on").is_empty());
    }

    #[test]
    fn cert_rules_need_a_ca() {
        let table: [(&str, &str, &[&str]); 5] = [
            ("ssl = on", "hostssl all all all cert", &["hba-cert-without-ca"]),
            ("ssl = on", "hostssl all all all scram-sha-256 clientcert=verify-ca", &["hba-cert-without-ca"]),
            ("ssl = on\nssl_ca_file = 'root.crt'", "hostssl all all all cert", &[]),
            ("ssl = on\nssl_ca_file = ''", "hostssl all all all cert", &["hba-cert-without-ca"]),
            ("ssl = on", "hostssl all all all scram-sha-256", &[]),
        ];
        for (conf, hba, expected) in table {
            assert_eq!(codes(&check(&facts(conf, hba), &Context::default())), expected, "{conf} | {hba}");
        }
    }
}
