//! `doctor`'s walk through the connection, step by step, as libpq takes it: the settings, then
//! for each host DNS, TCP, the SSLRequest (or direct SSL), the TLS handshake, the certificate
//! verdict, the startup phase and authentication, each with its outcome and milliseconds.
//! Built from the gathered facts and the verdict, after the fact: nothing here judges anew,
//! it only lays out what was seen so a reader can find where the connection stopped.

use serde::Serialize;

use crate::facts::{Facts, HostFacts};
use crate::net::{Negotiated, Step as NetStep};
use crate::probe::{Authentication, ProbeFailure, SslNegotiation, StartupOutcome};
use crate::profile::ClientProfile;
use crate::verify::libpq::{Failure, SslMode};

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Ok,
    Failed,
    /// Did not run (an earlier step failed, or the sslmode does not ask for it).
    Skipped,
    /// Ran, and something short of a failure is worth a look.
    Warning,
}

/// One step of the walk.
#[derive(Debug, Clone, Serialize)]
pub struct WalkStep {
    /// `settings`, `dns`, `tcp`, `ssl-request`, `direct-ssl`, `handshake`, `certificate`,
    /// `startup`, `authentication`, `plaintext`.
    pub step: &'static str,
    /// The endpoint, for the per-host steps.
    pub host: Option<String>,
    pub outcome: Outcome,
    pub detail: String,
    pub ms: Option<u64>,
}

fn step(step: &'static str, host: &str, outcome: Outcome, detail: impl Into<String>, ms: Option<u64>) -> WalkStep {
    WalkStep { step, host: Some(host.to_string()), outcome, detail: detail.into(), ms }
}

/// The walk for every host of `facts`.
pub fn steps(profile: &ClientProfile, facts: &Facts) -> Vec<WalkStep> {
    let mut out = vec![settings(profile, facts)];
    for h in &facts.hosts {
        host(h, profile.sslmode, &mut out);
    }
    out
}

fn settings(profile: &ClientProfile, facts: &Facts) -> WalkStep {
    let before = facts.verdicts().find_map(|(_, v)| v.failure.as_ref().filter(|f| f.before_connect()).and(v.error.clone()));
    let (outcome, detail) = match before {
        Some(e) => (
            Outcome::Failed,
            format!("libpq {} refuses the settings and connects nowhere: {e} (the steps below are what pgtls saw when it probed anyway)", profile.libpq),
        ),
        None => (
            Outcome::Ok,
            format!("libpq {}: sslmode={} ({}), user={}, dbname={}", profile.libpq, profile.sslmode, profile.sslmode_source, profile.user, profile.database),
        ),
    };
    WalkStep { step: "settings", host: None, outcome, detail, ms: None }
}

fn host(h: &HostFacts, mode: SslMode, out: &mut Vec<WalkStep>) {
    let p = &h.probe;
    let name = p.target.display_name();
    let t = &p.timings;
    let net = p.network_failure();
    let failed_at = |s: NetStep| net.is_some_and(|e| e.step == s);
    // DNS and TCP.
    if failed_at(NetStep::Resolve) {
        out.push(step("dns", &name, Outcome::Failed, net.map(|e| e.message.clone()).unwrap_or_default(), t.resolve_ms));
        return;
    }
    let dns = match (&p.target.hostaddr, &p.peer_ip) {
        (Some(a), _) => format!("hostaddr {a} given: no lookup"),
        (None, Some(ip)) => format!("{} → {ip}", p.target.host),
        (None, None) => p.target.host.clone(),
    };
    out.push(step("dns", &name, Outcome::Ok, dns, t.resolve_ms));
    if failed_at(NetStep::Connect) {
        out.push(step("tcp", &name, Outcome::Failed, net.map(|e| e.message.clone()).unwrap_or_default(), t.connect_ms));
        return;
    }
    out.push(step("tcp", &name, Outcome::Ok, format!("connected to {}", p.peer_ip.as_deref().unwrap_or("the server")), t.connect_ms));
    // disable: no TLS at all; allow: plaintext first, TLS only after a refusal.
    if mode == SslMode::Disable {
        out.push(step("ssl-request", &name, Outcome::Skipped, "sslmode=disable: libpq does not try TLS", None));
        plaintext(h, &name, out);
        return;
    }
    if mode == SslMode::Allow {
        plaintext(h, &name, out);
        let refused = h.plaintext.as_ref().and_then(|p| p.startup.as_ref()).is_some_and(|s| matches!(s.outcome, StartupOutcome::Refused { .. }));
        if !refused {
            return;
        }
    }
    let prefer = mode == SslMode::Prefer;
    let fallback = |out: &mut Vec<WalkStep>| {
        if prefer {
            plaintext(h, &name, out)
        }
    };
    // SSLRequest or direct SSL.
    if p.target.negotiation == SslNegotiation::Direct {
        out.push(step("direct-ssl", &name, Outcome::Ok, "TLS from the first byte (sslnegotiation=direct)", None));
    } else {
        let (o, d) = match (&p.reply, net) {
            (Some(Negotiated::Accept), _) => (Outcome::Ok, "the server agreed to TLS ('S')".to_string()),
            (Some(Negotiated::Refuse), _) if mode >= SslMode::Require => {
                (Outcome::Failed, format!("the server answered 'N': no TLS on this server, and sslmode={mode} requires it"))
            }
            (Some(Negotiated::Refuse), _) => (Outcome::Warning, "the server answered 'N': no TLS on this server".to_string()),
            (Some(Negotiated::Error { error }), _) => (Outcome::Failed, format!("the server answered with an error instead of 'S' or 'N': {error}")),
            (Some(Negotiated::Unexpected { byte, preview }), _) => (
                Outcome::Failed,
                format!("the answer began with {}, which no PostgreSQL server sends (\"{preview}\"): something else listens here", crate::wire::describe_byte(*byte)),
            ),
            (None, Some(e)) => (Outcome::Failed, e.message.clone()),
            (None, None) => (Outcome::Skipped, String::new()),
        };
        let stop = o != Outcome::Ok;
        out.push(step("ssl-request", &name, o, d, t.negotiate_ms));
        if stop {
            fallback(out);
            return;
        }
    }
    // Handshake.
    match (&p.tls, &p.failure) {
        (Some(tls), _) => out.push(step("handshake", &name, Outcome::Ok, format!("{} {}", tls.version, tls.cipher_openssl), t.handshake_ms)),
        (None, Some(ProbeFailure::Handshake { error })) => {
            out.push(step("handshake", &name, Outcome::Failed, error.to_string(), t.handshake_ms));
            fallback(out);
            return;
        }
        (None, other) => {
            let d = match other {
                Some(ProbeFailure::Network { error }) => error.to_string(),
                Some(ProbeFailure::Certificate { message }) => format!("the server's certificates could not be read: {message}"),
                Some(ProbeFailure::Handshake { error }) => error.to_string(),
                None => "no TLS session".into(),
            };
            out.push(step("handshake", &name, Outcome::Failed, d, t.handshake_ms));
            return;
        }
    }
    // The certificate, as libpq judges it.
    if let Some(v) = &h.verdict {
        let (o, d) = match &v.failure {
            _ if v.chain_verified => {
                let host = if v.hostname_verified { ", host name matches" } else { "" };
                (Outcome::Ok, format!("chain verified against {}{host}", v.trust_source.as_deref().unwrap_or("the trust store")))
            }
            Some(
                Failure::ChainUntrusted { .. }
                | Failure::HostnameMismatch { .. }
                | Failure::NoHostName
                | Failure::RootFileMissing { .. }
                | Failure::RootFileUnreadable { .. }
                | Failure::SystemRootsUnavailable { .. }
                | Failure::ClientCertUnusable { .. },
            ) => (Outcome::Failed, v.error.clone().unwrap_or_default()),
            _ if v.sslmode < SslMode::VerifyCa => (Outcome::Warning, format!("not verified: sslmode={} and no root certificate file", v.sslmode)),
            _ => (Outcome::Skipped, String::new()),
        };
        let stop = o == Outcome::Failed;
        out.push(step("certificate", &name, o, d, None));
        if stop {
            fallback(out);
            return;
        }
    }
    // Startup and authentication.
    let Some(st) = &p.startup else {
        out.push(step("startup", &name, Outcome::Skipped, "not followed (--no-startup)", None));
        return;
    };
    match &st.outcome {
        StartupOutcome::Auth { request } => {
            out.push(step(
                "startup",
                &name,
                Outcome::Ok,
                format!("pg_hba.conf lets user \"{}\" into \"{}\"; the server asks for: {}", st.user, st.database, request.method()),
                t.startup_ms,
            ));
            let (o, d) = match (&st.authentication, request.needs_password()) {
                (_, false) => (Outcome::Ok, "no password needed".to_string()),
                (Some(Authentication::Accepted { .. }), _) => (Outcome::Ok, "password accepted (on a second, verified TLS connection)".to_string()),
                (Some(Authentication::Refused { error, .. }), _) => (Outcome::Failed, format!("{}:  {}", error.severity.as_deref().unwrap_or("FATAL"), error.message)),
                (Some(Authentication::ClientGaveUp { message }), _) => (Outcome::Failed, message.clone()),
                (Some(Authentication::NotSent { reason } | Authentication::Failed { message: reason }), _) => (Outcome::Warning, format!("not checked: {reason}")),
                (None, _) => match h.verdict.as_ref().and_then(|v| v.failure.as_ref()) {
                    Some(Failure::PasswordMissing { .. }) => (Outcome::Failed, "no password available: fe_sendauth: no password supplied".to_string()),
                    _ => (Outcome::Warning, "not checked".to_string()),
                },
            };
            out.push(step("authentication", &name, o, d, t.authentication_ms));
            first_query(st, &name, out);
        }
        StartupOutcome::Refused { error, .. } => {
            out.push(step("startup", &name, Outcome::Failed, format!("{}:  {}", error.severity.as_deref().unwrap_or("FATAL"), error.message), t.startup_ms));
            fallback(out);
        }
        StartupOutcome::TlsAlert { alert } => {
            out.push(step("startup", &name, Outcome::Failed, format!("the server ended TLS with alert \"{alert}\""), t.startup_ms));
        }
        other => out.push(step("startup", &name, Outcome::Failed, other.describe(), t.startup_ms)),
    }
}

/// The plaintext attempt of sslmode disable/allow/prefer, when it was made.
fn plaintext(h: &HostFacts, name: &str, out: &mut Vec<WalkStep>) {
    let Some(p) = &h.plaintext else { return };
    let (o, d) = match p.startup.as_ref().map(|s| &s.outcome) {
        Some(StartupOutcome::Auth { request }) => (Outcome::Warning, format!("without TLS, pg_hba.conf lets the client in; the server asks for: {}", request.method())),
        Some(StartupOutcome::Refused { error, .. }) => (Outcome::Failed, format!("{}:  {}", error.severity.as_deref().unwrap_or("FATAL"), error.message)),
        Some(other) => (Outcome::Failed, other.describe()),
        None => (Outcome::Failed, p.network_failure().map(|e| e.message.clone()).unwrap_or_default()),
    };
    out.push(step("plaintext", name, o, d, p.timings.startup_ms));
    if let Some(st) = &p.startup {
        first_query(st, name, out);
    }
}

/// The read-only `SELECT 1` after the login, when one was sent.
fn first_query(st: &crate::probe::StartupFacts, name: &str, out: &mut Vec<WalkStep>) {
    use crate::probe::FirstQuery;
    let (o, d) = match st.first_query() {
        None => return,
        Some(FirstQuery::Answered { behind }) => {
            let said = behind.as_ref().map(|b| {
                let yes_no = |v: Option<bool>, yes: &str, no: &str| v.map(|v| if v { yes } else { no }).unwrap_or("unknown").to_string();
                format!(
                    "; the server says: port {}, ssl = {}, its side of this session {}, client address {}",
                    b.port.map(|p| p.to_string()).unwrap_or_else(|| "none (Unix socket)".into()),
                    yes_no(b.ssl, "on", "off"),
                    yes_no(b.session_tls, "over TLS", "NOT over TLS"),
                    b.client_addr.as_deref().unwrap_or("none (Unix socket)")
                )
            });
            (Outcome::Ok, format!("SELECT 1 answered: the server behind the login answers queries{}", said.unwrap_or_default()))
        }
        Some(q) => (Outcome::Failed, format!("SELECT 1 got {} (what answered the login cannot serve a query)", q.got())),
    };
    out.push(step("first-query", name, o, d, None));
}
