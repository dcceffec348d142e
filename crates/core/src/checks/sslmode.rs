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
use crate::conninfo::SettingSource;
use crate::facts::{DriverFacts, Facts};
use crate::say;
use crate::findings::{Code, Finding, IntoArg, Message, Severity};
use crate::gathered::trust::{RootTrust, TrustSource};
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
                    .said(say!("insecure-sslmode.weak-with-system", sslmode = sslmode))
                    .fix_said(say!("insecure-sslmode.fix-weak-with-system"))
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

fn insecure(sslmode: SslMode, source: &SettingSource, why: Message) -> Finding {
    Finding::new(Code::InsecureSslmode)
        .severity(Severity::Warning)
        .said(say!("insecure-sslmode.from", sslmode = sslmode, source = source.said(), why = why))
        .evidence("sslmode", sslmode.as_str())
}

/// What the connection that libpq makes really protects.
fn from_verdict(v: &Verdict, source: &SettingSource) -> Option<Finding> {
    let m = v.sslmode;
    if !v.tls {
        let why = if v.plaintext_fallback {
            say!("insecure-sslmode.fell-back", failure = v.failure.as_ref().map(failure_words).unwrap_or_else(|| "".into_arg()))
        } else if m == SslMode::Disable {
            say!("insecure-sslmode.never-tls")
        } else if m == SslMode::Allow {
            say!("insecure-sslmode.allow")
        } else {
            say!("insecure-sslmode.no-tls-offered")
        };
        return Some(insecure(m, source, why).fix_said(say!("insecure-sslmode.fix-plaintext")));
    }
    if !v.chain_verified {
        return Some(insecure(
            m,
            source,
            say!("insecure-sslmode.not-verified"),
        ));
    }
    if m < SslMode::VerifyFull {
        return Some(
            Finding::new(Code::InsecureSslmode)
                .severity(Severity::Info)
                .said(match v.trust_source.as_deref() {
                    Some(t) => say!("insecure-sslmode.chain-only", sslmode = m, trust_source = TrustSource::said_from_words(t)),
                    None => say!("insecure-sslmode.chain-only", sslmode = m, trust_source = say!("insecure-sslmode.root-file")),
                })
                .fix_said(say!("insecure-sslmode.fix-verify-full-names"))
                .evidence("sslmode", m.as_str()),
        );
    }
    None
}

/// Why the TLS attempt failed: pgtls's words as messages, libpq's and the server's as facts.
fn failure_words(f: &Failure) -> crate::findings::Arg {
    match f {
        Failure::ChainUntrusted { .. } => "certificate verify failed".into_arg(),
        Failure::HostnameMismatch { host, .. } => say!("insecure-sslmode.failure-not-named", host = host).into_arg(),
        Failure::Handshake { error } => error.into_arg(),
        Failure::RootFileUnreadable { reason, .. } => say!("insecure-sslmode.failure-root-unreadable", reason = reason).into_arg(),
        Failure::ServerRefusesTls => say!("insecure-sslmode.failure-refuses-tls").into_arg(),
        Failure::Network { error } => error.message.as_str().into_arg(),
        Failure::ServerRefused { error, .. } => error.message.as_str().into_arg(),
        Failure::SessionAlert { alert } => say!("insecure-sslmode.failure-alert", alert = alert).into_arg(),
        Failure::ClientCertUnusable { message } | Failure::StartupBroken { message } => message.as_str().into_arg(),
        // Otherwise the failure's kind as the JSON names it (never Rust's debug form).
        other => serde_json::to_value(other).ok().and_then(|v| v["kind"].as_str().map(str::to_string)).unwrap_or_default().into_arg(),
    }
}

/// No connection was attempted: what this sslmode and root file will do.
fn from_settings(m: SslMode, source: &SettingSource, root: &RootTrust) -> Option<Finding> {
    let root_loaded = matches!(root, RootTrust::Loaded(_));
    match m {
        SslMode::Disable | SslMode::Allow | SslMode::Prefer => Some(insecure(
            m,
            source,
            say!("insecure-sslmode.may-be-plaintext"),
        )),
        SslMode::Require if !root_loaded => Some(insecure(
            m,
            source,
            say!("insecure-sslmode.require-no-root"),
        )),
        SslMode::Require | SslMode::VerifyCa => Some(
            Finding::new(Code::InsecureSslmode)
                .severity(Severity::Info)
                .said(say!(
                    "insecure-sslmode.verifies-chain-only",
                    sslmode = m,
                    root_present = if m == SslMode::Require { say!("insecure-sslmode.with-root-file").into_arg() } else { "".into_arg() }
                ))
                .fix_said(say!("insecure-sslmode.fix-verify-full"))
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
                    .said(match s.origin("pg_ssl") {
                        Some(o) => say!("insecure-sslmode.kong-off-hba-ssl", origin = o),
                        None => say!("insecure-sslmode.kong-off-hba-ssl", origin = say!("common.default")),
                    })
                    .fix_said(say!("insecure-sslmode.fix-kong-off")),
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
            say!("insecure-sslmode.driver-unencrypted", source = &s.source, sslmode = s.mode, origin = at("sslmode")),
            if kong { say!("insecure-sslmode.fix-kong-unencrypted") } else { say!("insecure-sslmode.fix-jdbc-unencrypted") },
        )
    } else if !s.verifies_server {
        let disabled = if s.mode > SslMode::Require { say!("insecure-sslmode.validation-disabled").into_arg() } else { "".into_arg() };
        (
            say!("insecure-sslmode.driver-unverified", source = &s.source, disabled = disabled),
            if kong { say!("insecure-sslmode.fix-kong-unverified") } else { say!("insecure-sslmode.fix-jdbc-unverified") },
        )
    } else if s.checks_hostname == Some(false) {
        (say!("insecure-sslmode.driver-no-hostname", source = &s.source), say!("insecure-sslmode.fix-driver-no-hostname"))
    } else {
        return None;
    };
    let mut notes = s.notes.clone();
    notes.retain(|n| !n.contains("value not shown"));
    let mut f = Finding::new(Code::InsecureSslmode).severity(Severity::Warning).said(problem);
    if !notes.is_empty() {
        // The config readers keep their notes as English text; each is said in the language.
        f.add_said(say!("insecure-sslmode.driver-notes", notes = crate::findings::notes_said(&notes)));
    }
    Some(f.fix_said(fix).evidence("mode", s.mode.as_str()))
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
        let f = from_settings(SslMode::Require, &SettingSource::Libpq(crate::conninfo::Source::ConnString), &RootTrust::Loaded(store)).unwrap();
        assert_eq!(f.severity, Severity::Info);
        assert!(f.detail.contains("verifies the chain"), "{}", f.detail);
        let f = from_settings(SslMode::Require, &SettingSource::Libpq(crate::conninfo::Source::ConnString), &RootTrust::Absent { path: None }).unwrap();
        assert_eq!(f.severity, Severity::Warning);
    }
}
