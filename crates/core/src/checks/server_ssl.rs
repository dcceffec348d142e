//! `server-ssl-off`: the server does not speak TLS at all — seen as its 'N' to the SSLRequest,
//! in `SHOW ssl`, or as `ssl = off` in its postgresql.conf.
//!
//! With `ssl = off` the server answers every SSLRequest with 'N'; clients with
//! sslmode=require or stronger fail, and `prefer` clients silently go unencrypted.

use super::Context;
use crate::config::hba::ConnType;
use crate::facts::Facts;
use crate::findings::{Code, Finding, IntoArg, Message, Severity};
use crate::say;
use crate::gathered::net::Negotiated;

pub const CODES: &[Code] = &[Code::ServerSslOff];

/// Where a hop's TLS towards its clients is switched on, in each hop's own terms.
fn hop_tls() -> Message {
    say!("server-ssl-off.hop-tls")
}

pub fn check(facts: &Facts, cx: &Context) -> Vec<Finding> {
    // A client that chose a plaintext-tolerant sslmode and connects anyway gets a warning;
    // judged as a server (a bare probe), no TLS at all is an error.
    let chosen = cx.audit_client || !cx.profile.sslmode_is_default();
    let mut out = Vec::new();
    for h in &facts.hosts {
        if matches!(h.probe.reply, Some(Negotiated::Refuse)) {
            let endpoint = h.endpoint();
            let mut f = Finding::new(Code::ServerSslOff)
                .said(say!("server-ssl-off.refused", endpoint = &endpoint))
                .evidence("reply", "N")
                .fix_said(say!("server-ssl-off.fix", endpoint = &endpoint, hop_tls = hop_tls()));
            // A client that chose to go on without TLS: the 'N' does not stop it (when it fails
            // anyway, another finding says why).
            if let Some(v) = h.verdict.as_ref().filter(|v| chosen && !v.sslmode.requires_tls()) {
                let then = if v.connects { say!("server-ssl-off.then-connects") } else { say!("server-ssl-off.then-goes-on") };
                f = f.severity(Severity::Warning).said(say!("server-ssl-off.refused-client-goes-on", endpoint = &endpoint, sslmode = v.sslmode, then = then));
            }
            // The server behind the address has TLS on (it said so over the plaintext session
            // that logged in): the 'N' came from a hop in between.
            if let Some((b, _)) = h.behind().filter(|(b, _)| b.ssl == Some(true)) {
                let port = match b.port {
                    Some(p) => say!("server-ssl-off.listening-on", port = p).into_arg(),
                    None => "".into_arg(),
                };
                f.add_said(say!("server-ssl-off.behind-has-ssl", port = port));
                f = f.fix_said(say!("server-ssl-off.fix-hop", endpoint = &endpoint, hop_tls = hop_tls())).evidence("server ssl", "on");
            }
            out.push(f);
        }
    }
    if let Some(s) = &facts.sessions {
        if s.settings.get("ssl").map(String::as_str) == Some("off") {
            out.push(Finding::new(Code::ServerSslOff).said(say!("server-ssl-off.show-ssl-off")));
        }
    }
    if let Some(f) = &facts.server {
        if !f.conf.ssl_on() {
            let s = f.conf.get("ssl");
            let mut finding = Finding::new(Code::ServerSslOff).said(match s {
                Some(s) => say!("server-ssl-off.conf-off", value = &s.value, location = s.location()),
                None => say!("server-ssl-off.conf-unset"),
            });
            let dead: Vec<String> =
                f.hba.iter().flat_map(|h| &h.rules).filter(|r| r.conn_type == ConnType::HostSsl).map(|r| r.location()).collect();
            if !dead.is_empty() {
                finding.add_said(say!("server-ssl-off.hostssl-dead", lines = dead.join(", ")));
            }
            out.push(finding.evidence("ssl", super::config::origin_of(s, "off")));
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
