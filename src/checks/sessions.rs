//! Findings from the server's own view (`pgtls sessions`): `ssl-not-used` for client
//! sessions over TCP without TLS, `server-ssl-off`, `insecure-protocol-enabled`,
//! `hba-allows-non-ssl` from pg_hba_file_rules.

use super::Context;
use crate::findings::{Code, Finding, Severity};
use crate::sessions::SessionFacts;

pub fn check(facts: &SessionFacts, _ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for g in &facts.groups {
        let client = g.backend_type.as_deref() == Some("client backend");
        if client && !g.ssl {
            if let Some(addr) = &g.client_addr {
                out.push(
                    Finding::new(Code::SslNotUsed)
                        .detail(format!(
                            "{} session(s) from {addr} (user {}, database {}, application {}) are connected without TLS.",
                            g.count,
                            g.user.as_deref().unwrap_or("?"),
                            g.database.as_deref().unwrap_or("?"),
                            g.application_name.as_deref().unwrap_or("(none)")
                        ))
                        .evidence("client_addr", addr)
                        .evidence("user", g.user.clone().unwrap_or_default())
                        .evidence("database", g.database.clone().unwrap_or_default())
                        .evidence("count", g.count.to_string()),
                );
            }
        }
    }
    if facts.settings.get("ssl").map(String::as_str) == Some("off") {
        out.push(Finding::new(Code::ServerSslOff).detail("SHOW ssl says off: the server accepts no TLS connections."));
    }
    if let Some(min) = facts.settings.get("ssl_min_protocol_version") {
        if matches!(min.as_str(), "TLSv1" | "TLSv1.1") {
            out.push(
                Finding::new(Code::InsecureProtocolEnabled)
                    .severity(Severity::Warning)
                    .detail(format!("ssl_min_protocol_version = {min}: the server accepts deprecated TLS versions."))
                    .evidence("ssl_min_protocol_version", min),
            );
        }
    }
    for r in facts.hba_rules.iter().flatten() {
        let open = r.kind.as_deref() == Some("host") && r.auth_method.as_deref() != Some("reject");
        if open {
            out.push(
                Finding::new(Code::HbaAllowsNonSsl)
                    .severity(Severity::Warning)
                    .detail(format!(
                        "pg_hba.conf line {}: \"host {} {} {} {}\" also matches connections without TLS.",
                        r.line_number.unwrap_or(0),
                        r.database.as_deref().unwrap_or(""),
                        r.user_name.as_deref().unwrap_or(""),
                        r.address.as_deref().unwrap_or(""),
                        r.auth_method.as_deref().unwrap_or("")
                    ))
                    .evidence("line", r.line_number.unwrap_or(0).to_string()),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::codes;
    use crate::sessions::{HbaRuleRow, SessionGroup};

    fn group(ssl: bool, addr: Option<&str>, backend: &str) -> SessionGroup {
        SessionGroup {
            database: Some("app".into()),
            user: Some("app".into()),
            client_addr: addr.map(String::from),
            application_name: Some("psql".into()),
            backend_type: Some(backend.into()),
            ssl,
            version: None,
            cipher: None,
            count: 3,
        }
    }

    #[test]
    fn only_tcp_client_sessions_without_tls_count() {
        let mut f = SessionFacts {
            server_version: "x".into(),
            own_connection_ssl: true,
            groups: vec![
                group(false, Some("10.0.0.1"), "client backend"),
                group(false, None, "client backend"),
                group(false, None, "checkpointer"),
                group(true, Some("10.0.0.2"), "client backend"),
            ],
            ssl_is_used: None,
            sslinfo_installed: false,
            settings: [("ssl".to_string(), "on".to_string()), ("ssl_min_protocol_version".into(), "TLSv1".into())].into(),
            hba_rules: Some(vec![HbaRuleRow {
                line_number: Some(3),
                kind: Some("host".into()),
                database: Some("all".into()),
                user_name: Some("all".into()),
                address: Some("0.0.0.0".into()),
                auth_method: Some("scram-sha-256".into()),
                options: None,
                error: None,
            }]),
            hba_note: None,
        };
        let found = check(&f, &Context::default());
        assert_eq!(codes(&found), ["ssl-not-used", "insecure-protocol-enabled", "hba-allows-non-ssl"]);
        assert!(found[0].detail.starts_with("3 session(s) from 10.0.0.1"));
        f.settings.insert("ssl".into(), "off".into());
        assert!(codes(&check(&f, &Context::default())).contains(&"server-ssl-off"));
    }
}
