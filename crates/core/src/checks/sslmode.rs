//! `insecure-sslmode`: the client does not authenticate the server it talks to, or may not even
//! encrypt. Judged from libpq's verdict (what really happens: a `prefer` client whose TLS
//! attempt failed and who retried in plaintext; a `require` client that verifies after all
//! because a root file exists), from the client's settings when nothing was probed, and from
//! drivers' settings (Kong, pgJDBC) in libpq's terms.
//!
//! For a bare `pgtls probe HOST` (a server is judged, not a client) libpq's default `prefer`
//! is not reported: only an sslmode somebody chose, or a run about the client itself.

use super::Context;
use crate::config::client::ClientTlsSettings;
use crate::config::hba::ConnType;
use crate::facts::{DriverFacts, Facts};
use crate::findings::{Code, Finding, Severity};
use crate::gathered::trust::RootTrust;
use crate::verify::libpq::{Failure, SslMode, Verdict};

pub const CODES: &[Code] = &[Code::InsecureSslmode];

pub fn check(facts: &Facts, cx: &Context) -> Vec<Finding> {
    let p = &cx.profile;
    let chosen = cx.audit_client || !p.sslmode_is_default();
    let mut out: Vec<Finding> = Vec::new();
    let mut push = |f: Finding| {
        if !out.iter().any(|o| o.detail == f.detail) {
            out.push(f); // one finding per distinct situation, whatever the number of hosts
        }
    };
    let mut any_verdict = false;
    for (_, v) in facts.verdicts() {
        any_verdict = true;
        if let Some(Failure::WeakSslModeWithSystemRoots { sslmode }) = &v.failure {
            push(
                Finding::new(Code::InsecureSslmode)
                    .severity(Severity::Error)
                    .detail(format!("libpq refuses to start: weak sslmode \"{sslmode}\" may not be used with sslrootcert=system (use \"verify-full\")"))
                    .fix("Use sslmode=verify-full with sslrootcert=system (or leave sslmode unset: it then defaults to verify-full).")
                    .evidence("sslmode", sslmode.as_str()),
            );
            continue;
        }
        if chosen && v.connects {
            if let Some(f) = from_verdict(v, &p.sslmode_source) {
                push(f);
            }
        }
    }
    if !any_verdict && chosen {
        if let Some(c) = &facts.client {
            if c.resolved.hosts.iter().any(|h| h.tls_possible) {
                if let Some(f) = from_settings(p.sslmode, &p.sslmode_source, &c.root) {
                    push(f);
                }
            }
            for w in &c.resolved.warnings {
                push(Finding::new(Code::InsecureSslmode).severity(Severity::Info).detail(w.clone()));
            }
        }
    }
    for d in &facts.drivers {
        for f in driver(d, facts) {
            push(f);
        }
    }
    out
}

fn insecure(sslmode: SslMode, source: &str, detail: String) -> Finding {
    Finding::new(Code::InsecureSslmode)
        .severity(Severity::Warning)
        .detail(format!("sslmode={sslmode} (from {source}): {detail}"))
        .evidence("sslmode", sslmode.as_str())
}

/// What the connection that libpq makes really protects.
fn from_verdict(v: &Verdict, source: &str) -> Option<Finding> {
    let m = v.sslmode;
    if !v.tls {
        let why = if v.plaintext_fallback {
            format!(
                "the TLS attempt failed ({}), libpq retried without TLS and the session is NOT encrypted.",
                v.failure.as_ref().map(failure_words).unwrap_or_default()
            )
        } else if m == SslMode::Disable {
            "TLS is never attempted; the session is not encrypted.".to_string()
        } else if m == SslMode::Allow {
            "libpq connects without TLS first; the session is not encrypted.".to_string()
        } else {
            "the server does not offer TLS; libpq silently continues unencrypted.".to_string()
        };
        return Some(insecure(m, source, why).fix("Use sslmode=verify-full with sslrootcert pointing at the server's root CA, so libpq never falls back to plaintext and checks who it talks to."));
    }
    if !v.chain_verified {
        return Some(insecure(
            m,
            source,
            "TLS is used but the server certificate is not verified (no root certificate file): anyone in the path can impersonate the server.".into(),
        ));
    }
    if m < SslMode::VerifyFull {
        return Some(
            Finding::new(Code::InsecureSslmode)
                .severity(Severity::Info)
                .detail(format!(
                    "sslmode={m}: libpq verified the chain ({}), but not the host name; any certificate from the same CA is accepted.",
                    v.trust_source.as_deref().unwrap_or("root file")
                ))
                .fix("Use sslmode=verify-full when the certificate names the host you connect to.")
                .evidence("sslmode", m.as_str()),
        );
    }
    None
}

fn failure_words(f: &Failure) -> String {
    match f {
        Failure::ChainUntrusted { .. } => "certificate verify failed".into(),
        Failure::HostnameMismatch { host, .. } => format!("the certificate does not name {host}"),
        Failure::Handshake { error } => error.to_string(),
        Failure::RootFileUnreadable { reason, .. } => format!("root file unreadable: {reason}"),
        Failure::ServerRefusesTls => "the server answered 'N': it offers no TLS".into(),
        Failure::Network { error } => error.message.clone(),
        Failure::ServerRefused { error, .. } => error.message.clone(),
        Failure::SessionAlert { alert } => format!("the server ended TLS with alert \"{alert}\""),
        Failure::ClientCertUnusable { message } | Failure::StartupBroken { message } => message.clone(),
        // Otherwise the failure's kind as the JSON names it (never Rust's debug form).
        other => serde_json::to_value(other).ok().and_then(|v| v["kind"].as_str().map(str::to_string)).unwrap_or_default(),
    }
}

/// No connection was attempted: what this sslmode and root file will do.
fn from_settings(m: SslMode, source: &str, root: &RootTrust) -> Option<Finding> {
    let root_loaded = matches!(root, RootTrust::Loaded(_));
    match m {
        SslMode::Disable | SslMode::Allow | SslMode::Prefer => Some(insecure(
            m,
            source,
            "libpq may connect WITHOUT encryption when the server does not offer TLS (or the TLS attempt fails), and the server's identity is not checked by the sslmode.".into(),
        )),
        SslMode::Require if !root_loaded => Some(insecure(
            m,
            source,
            "encrypts but does not check who the server is: an active attacker can impersonate it.".into(),
        )),
        SslMode::Require | SslMode::VerifyCa => Some(
            Finding::new(Code::InsecureSslmode)
                .severity(Severity::Info)
                .detail(format!(
                    "sslmode={m}{}: libpq verifies the chain against the root file (and fails if it does not verify), but does not check the host name.",
                    if m == SslMode::Require { " with a root certificate file present" } else { "" }
                ))
                .fix("Use sslmode=verify-full so libpq checks both the chain and the host name.")
                .evidence("sslmode", m.as_str()),
        ),
        SslMode::VerifyFull => None,
    }
}

/// A driver's settings, in libpq terms; Kong against the server's pg_hba.conf.
fn driver(d: &DriverFacts, facts: &Facts) -> Vec<Finding> {
    let s = &d.settings;
    let mut out = Vec::new();
    let kong = d.kong.is_some();
    let hba = facts.server.as_ref().and_then(|f| f.hba.as_ref());
    if let (true, Some(hba)) = (kong, hba) {
        let tcp: Vec<_> = hba.rules.iter().filter(|r| r.conn_type != ConnType::Local).collect();
        let only_ssl = !tcp.is_empty() && tcp.iter().all(|r| r.conn_type == ConnType::HostSsl || r.method == "reject");
        if s.mode == SslMode::Disable && only_ssl {
            out.push(
                Finding::new(Code::InsecureSslmode)
                    .severity(Severity::Error)
                    .detail(format!(
                        "pg_ssl is off ({}) but pg_hba.conf only accepts TCP connections over SSL: Kong fails with \"no pg_hba.conf entry for host …, no encryption\"",
                        s.origin("pg_ssl").unwrap_or("default")
                    ))
                    .fix("set pg_ssl = on (and pg_ssl_required = on, pg_ssl_verify = on with lua_ssl_trusted_certificate) in kong.conf"),
            );
            return out;
        }
    }
    if let Some(f) = settings(s, kong) {
        out.push(f);
    }
    out
}

fn settings(s: &ClientTlsSettings, kong: bool) -> Option<Finding> {
    let at = |k: &str| s.origin(k).map(|o| format!(" ({o})")).unwrap_or_default();
    let (problem, fix) = if s.mode < SslMode::Require {
        (
            format!("{} behaves like sslmode={}{}: the connection may be unencrypted", s.source, s.mode, at("sslmode")),
            if kong {
                "set pg_ssl = on and pg_ssl_required = on in kong.conf (and pg_ssl_verify = on with lua_ssl_trusted_certificate)"
            } else {
                "use sslmode=verify-full (with sslrootcert naming the server's root CA) in the JDBC URL"
            },
        )
    } else if !s.verifies_server {
        (
            format!(
                "{} behaves like sslmode=require{}: traffic is encrypted but the server certificate is not verified",
                s.source,
                if s.mode > SslMode::Require { " (validation disabled)" } else { "" }
            ),
            if kong {
                "set pg_ssl_verify = on and lua_ssl_trusted_certificate to the server's root CA in kong.conf"
            } else {
                "use sslmode=verify-full with sslrootcert, and drop NonValidatingFactory"
            },
        )
    } else if s.checks_hostname == Some(false) {
        (
            format!("{} behaves like sslmode=verify-ca: the certificate chain is verified but not the host name", s.source),
            "use sslmode=verify-full",
        )
    } else {
        return None;
    };
    let mut notes = s.notes.clone();
    notes.retain(|n| !n.contains("value not shown"));
    let detail = if notes.is_empty() { problem } else { format!("{problem}. {}", notes.join("; ")) };
    Some(Finding::new(Code::InsecureSslmode).severity(Severity::Warning).detail(detail).fix(fix).evidence("mode", s.mode.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::jdbc::JdbcUrl;
    use crate::config::kong::KongConf;
    use std::path::Path;

    #[test]
    fn driver_settings_table() {
        let jdbc = |q: &str| JdbcUrl::parse(&format!("jdbc:postgresql://h/db?{q}")).unwrap().tls_settings(None).unwrap();
        let kong = |t: &str| KongConf::parse_str(t, Path::new("kong.conf")).unwrap().tls_settings().unwrap();
        let table: Vec<(ClientTlsSettings, bool, &str)> = vec![
            (jdbc("sslmode=verify-full"), false, ""),
            (jdbc("ssl=true"), false, ""),
            (jdbc("sslmode=require"), false, "sslmode=require"),
            (jdbc(""), false, "sslmode=prefer"),
            (jdbc("sslmode=verify-ca"), false, "verify-ca"),
            (jdbc("ssl=true&sslfactory=org.postgresql.ssl.NonValidatingFactory"), false, "validation disabled"),
            (kong("pg_ssl = on\npg_ssl_required = on"), true, "sslmode=require"),
            (kong("pg_ssl = off"), true, "sslmode=disable"),
        ];
        for (s, is_kong, expected) in table {
            let out = settings(&s, is_kong);
            match expected {
                "" => assert!(out.is_none(), "{s:?}: {out:?}"),
                e => assert!(out.as_ref().is_some_and(|f| f.detail.contains(e)), "{s:?}: {out:?}"),
            }
        }
        let k = settings(&kong("pg_ssl = on"), true).unwrap();
        assert!(k.fix.contains("pg_ssl_required = on"), "Kong's fix speaks kong.conf: {}", k.fix);
    }

    #[test]
    fn require_with_a_root_file_verifies() {
        let store = crate::gathered::trust::TrustStore::from_certs("mem", vec![]);
        let f = from_settings(SslMode::Require, "the connection string", &RootTrust::Loaded(store)).unwrap();
        assert_eq!(f.severity, Severity::Info);
        assert!(f.detail.contains("verifies the chain"), "{}", f.detail);
        let f = from_settings(SslMode::Require, "the connection string", &RootTrust::Absent { path: None }).unwrap();
        assert_eq!(f.severity, Severity::Warning);
    }
}
