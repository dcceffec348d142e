//! `server-ssl-off`: the server does not speak TLS at all — seen as its 'N' to the SSLRequest,
//! in `SHOW ssl`, or as `ssl = off` in its postgresql.conf.
//!
//! With `ssl = off` the server answers every SSLRequest with 'N'; clients with
//! sslmode=require or stronger fail, and `prefer` clients silently go unencrypted.

use super::Context;
use crate::config::hba::ConnType;
use crate::facts::Facts;
use crate::findings::{Code, Finding, Severity};
use crate::gathered::net::Negotiated;

pub const CODES: &[Code] = &[Code::ServerSslOff];

/// Where a hop's TLS towards its clients is switched on, in each hop's own terms.
const HOP_TLS: &str = "PgBouncer: client_tls_sslmode = require, client_tls_cert_file and client_tls_key_file in pgbouncer.ini \
    (then RELOAD on its admin console); Pgpool-II: ssl = on, ssl_cert and ssl_key in pgpool.conf (then restart); a TCP proxy \
    (HAProxy, nginx stream): pass PostgreSQL through in `mode tcp` so the server's own TLS reaches the client.";

pub fn check(facts: &Facts, cx: &Context) -> Vec<Finding> {
    // A client that chose a plaintext-tolerant sslmode and connects anyway gets a warning;
    // judged as a server (a bare probe), no TLS at all is an error.
    let chosen = cx.audit_client || !cx.profile.sslmode_is_default();
    let mut out = Vec::new();
    for h in &facts.hosts {
        if matches!(h.probe.reply, Some(Negotiated::Refuse)) {
            let endpoint = h.endpoint();
            let mut f = Finding::new(Code::ServerSslOff)
                .detail(format!("{endpoint} answered the SSLRequest with 'N': it will not speak TLS."))
                .evidence("reply", "N")
                .fix(format!(
                    "Set ssl = on in postgresql.conf, install ssl_cert_file and ssl_key_file (server.crt / server.key in the data \
                     directory by default), then reload the server (SELECT pg_reload_conf();). If {endpoint} is a pooler or proxy \
                     rather than PostgreSQL itself (PgBouncer listens on 6432 by default, as does Azure's built-in PgBouncer), \
                     enable TLS there instead: {HOP_TLS}"
                ));
            // A client that chose to go on without TLS: the 'N' does not stop it (when it fails
            // anyway, another finding says why).
            if let Some(v) = h.verdict.as_ref().filter(|v| chosen && !v.sslmode.requires_tls()) {
                let then = if v.connects { "connects unencrypted" } else { "goes on without TLS" };
                f = f.severity(Severity::Warning).detail(format!(
                    "{endpoint} answered the SSLRequest with 'N': it will not speak TLS, so this client (sslmode={}) {then}.",
                    v.sslmode
                ));
            }
            // The server behind the address has TLS on (it said so over the plaintext session
            // that logged in): the 'N' came from a hop in between.
            if let Some((b, _)) = h.behind().filter(|(b, _)| b.ssl == Some(true)) {
                let port = b.port.map(|p| format!(" (listening on port {p})")).unwrap_or_default();
                let said = f.detail.clone();
                f = f
                    .detail(format!(
                        "{} The PostgreSQL server behind it{port} has ssl = on (it said so over the plaintext session): the 'N' \
                         came from a pooler or proxy in between that offers clients no TLS.",
                        said
                    ))
                    .fix(format!("Enable TLS on the hop at {endpoint}, not in postgresql.conf: {HOP_TLS}"))
                    .evidence("server ssl", "on");
            }
            out.push(f);
        }
    }
    if let Some(s) = &facts.sessions {
        if s.settings.get("ssl").map(String::as_str) == Some("off") {
            out.push(Finding::new(Code::ServerSslOff).detail("SHOW ssl says off: the server accepts no TLS connections."));
        }
    }
    if let Some(f) = &facts.server {
        if !f.conf.ssl_on() {
            let s = f.conf.get("ssl");
            let detail = match s {
                Some(s) => format!("ssl = {} ({}): the server refuses TLS connections", s.value, s.location()),
                None => "ssl is not set in postgresql.conf (default off): the server refuses TLS connections".to_string(),
            };
            let dead: Vec<String> =
                f.hba.iter().flat_map(|h| &h.rules).filter(|r| r.conn_type == ConnType::HostSsl).map(|r| r.location()).collect();
            let detail = if dead.is_empty() {
                detail
            } else {
                format!("{detail}; the hostssl lines at {} can never match (the server logs: hostssl record cannot match because SSL is disabled)", dead.join(", "))
            };
            out.push(Finding::new(Code::ServerSslOff).detail(detail).evidence("ssl", super::config::origin_of(s, "off")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::config::testutil::{codes, facts};
    use crate::checks::test_support::{host, probe};

    #[test]
    fn config_table() {
        let table: [(&str, &[&str]); 5] = [
            ("ssl = on", &[]),
            ("ssl = true", &[]),
            ("ssl = off", &["server-ssl-off"]),
            ("", &["server-ssl-off"]),
            ("ssl = on\nssl = off", &["server-ssl-off"]),
        ];
        let cx = Context::default();
        for (conf, expected) in table {
            assert_eq!(codes(&check(&facts(conf, ""), &cx)), expected, "{conf}");
        }
        let f = check(&facts("\nssl = off", "local all all peer\nhostssl all all all md5"), &cx);
        assert!(f[0].detail.contains("/data/postgresql.conf:2"), "{}", f[0].detail);
        assert!(f[0].detail.contains("hostssl lines at /data/pg_hba.conf:2 can never match"), "{}", f[0].detail);
    }

    #[test]
    fn refused_sslrequest() {
        let mut p = probe();
        p.reply = Some(Negotiated::Refuse);
        let f = check(&host(p), &Context::default());
        assert_eq!(codes(&f), ["server-ssl-off"]);
        assert_eq!(f[0].severity, Severity::Error);
    }
}
