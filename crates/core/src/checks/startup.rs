//! `ssl-required-by-server`, `client-cert-required`, `server-rejects-client-cert`,
//! `login-refused`: what happens after TLS, in the startup phase, where half of the gateway
//! guide's errors live. The server's own words (its ErrorResponse, recognised by the same
//! patterns as `pgtls explain`, in any language the server logs in) or its TLS alert say why;
//! pg_hba.conf refusals of TLS connections belong to `hba`, certificate-to-user mapping to
//! `config::client_cert_user`. A refusal that has nothing to do with TLS (a missing role or
//! database, too many connections, a wrong password) is said to be that, never a TLS problem.
//! `pooler-server-unreachable`: the login worked and the first query did not — the hop that
//! answered the login (a pooler) cannot reach PostgreSQL, and its own settings are the fix.
//! `tls-terminated-on-the-way`: the client's TLS worked and the server still refused the login
//! as a connection without TLS — a hop ended the TLS (stunnel, HAProxy) and connects on in
//! plain text; the hop is the fix, not the client.

use super::Context;
use crate::gathered::client::ClientCert;
use crate::facts::{Facts, HostFacts};
use crate::say;
use crate::findings::{Code, Finding, IntoArg, Severity};
use crate::verify::libpq::{Failure, Verdict};

pub const CODES: &[Code] =
    &[Code::SslRequiredByServer, Code::ClientCertRequired, Code::ServerRejectsClientCert, Code::LoginRefused, Code::PasswordMissing, Code::AuthUnchecked, Code::PoolerServerUnreachable, Code::TlsTerminatedOnTheWay];

/// Alerts a server sends when it refuses a client certificate.
const CERT_ALERTS: [&str; 7] =
    ["unknown ca", "bad certificate", "certificate unknown", "unsupported certificate", "certificate expired", "certificate revoked", "access denied"];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let ours = match facts.client.as_ref().map(|c| &c.cert) {
        Some(ClientCert::Loaded { subject, issuer, .. }) => Some((subject.as_str(), issuer.as_str())),
        _ => None,
    };
    let mut out = Vec::new();
    for (h, v) in facts.verdicts() {
        let severity = if v.connects { Severity::Warning } else { Severity::Error };
        for failure in [&v.failure].into_iter().flatten() {
            if let Some(f) = finding(h, v, failure, ours) {
                let f = f.at_endpoint(h.endpoint());
                out.push(if f.severity == Severity::Error { f.severity(severity) } else { f });
            }
        }
        if let (true, Some(request), false) = (v.connects, &v.auth, v.authenticated) {
            out.push(
                Finding::new(Code::AuthUnchecked)
                    .said(say!(
                        "auth-unchecked.not-finished",
                        endpoint = h.endpoint(),
                        method = request.method(),
                        over = over_tls(v.tls),
                        why = if v.tls { say!("auth-unchecked.no-second-session") } else { say!("auth-unchecked.never-unencrypted") }
                    ))
                    .at_endpoint(h.endpoint()),
            );
        }
        // The client's session is TLS, the server's side of it is not: a hop ended the TLS and
        // the last leg is plain text. Worth a warning when that leg leaves the server's host.
        if let Some((b, true)) = h.behind().filter(|(b, _)| b.session_tls == Some(false)) {
            if v.connects {
                out.push(terminated_but_connects(h, b));
            }
        }
        // prefer/allow: the other attempt's refusal explains the rest of libpq's message.
        if let (false, Some(p)) = (v.connects, h.plaintext.as_ref()) {
            // Only when libpq really made that attempt: its words are part of the verdict's.
            let made = |e: &crate::wire::ErrorResponse| v.error.as_deref().is_some_and(|t| t.contains(&e.message));
            if let Some(crate::gathered::probe::StartupOutcome::Refused { error, recognised }) = p.startup.as_ref().map(|s| &s.outcome) {
                let other = Failure::ServerRefused { error: error.clone(), encrypted: false, recognised: *recognised };
                if made(error) && v.failure.as_ref() != Some(&other) {
                    if let Some(f) = finding(h, v, &other, ours) {
                        out.push(f.at_endpoint(h.endpoint()));
                    }
                }
            }
        }
    }
    out
}

/// The login over TLS worked, and the server says its side of the session is not TLS.
fn terminated_but_connects(h: &HostFacts, b: &crate::gathered::probe::Behind) -> Finding {
    let from = b.client_addr.as_deref().unwrap_or("a Unix socket");
    let from_said = match b.client_addr.as_deref() {
        Some(a) => a.into_arg(),
        None => say!("tls-terminated-on-the-way.unix-socket").into_arg(),
    };
    let port = match b.port {
        Some(p) => say!("tls-terminated-on-the-way.on-port", port = p).into_arg(),
        None => "".into_arg(),
    };
    let f = Finding::new(Code::TlsTerminatedOnTheWay)
        .said(say!(
            "tls-terminated-on-the-way.plain-leg",
            endpoint = h.endpoint(),
            port = port,
            from = from_said,
            leg = if b.from_same_host() { say!("tls-terminated-on-the-way.same-host") } else { say!("tls-terminated-on-the-way.crosses-network") }
        ))
        .fix_said(say!("tls-terminated-on-the-way.fix"))
        .evidence("server sees", from.to_string())
        .at_endpoint(h.endpoint());
    if b.from_same_host() { f.severity(Severity::Info) } else { f.severity(Severity::Warning) }
}

fn finding(h: &HostFacts, v: &Verdict, failure: &Failure, ours: Option<(&str, &str)>) -> Option<Finding> {
    let requested = h.probe.tls.as_ref().and_then(|t| t.cert_request.as_ref());
    let wanted = requested.map(|r| r.acceptable_cas.join("; ")).filter(|s| !s.is_empty());
    match failure {
        Failure::ServerRefused { error, encrypted, .. } => {
            let said = format!("{}:  {}", error.severity.as_deref().unwrap_or("FATAL"), error.message);
            let sqlstate = error.code.clone().unwrap_or_default();
            match failure.recognised() {
                // The client's TLS worked, yet the server saw a connection without TLS: a hop
                // ended the TLS and connected on in plain text.
                Some(Code::SslRequiredByServer) if *encrypted => Some(
                    Finding::new(Code::TlsTerminatedOnTheWay)
                        .said(say!(
                            "tls-terminated-on-the-way.refused-as-plain",
                            endpoint = h.endpoint(),
                            certificate = match h.probe.chain.first() {
                                Some(c) => say!(
                                    "tls-terminated-on-the-way.certificate",
                                    subject = crate::verify::short_name(&c.subject),
                                    issuer = crate::verify::short_name(&c.issuer)
                                )
                                .into_arg(),
                                None => "".into_arg(),
                            },
                            said = &said
                        ))
                        .evidence("sqlstate", sqlstate),
                ),
                Some(Code::SslRequiredByServer) => Some(
                    Finding::new(Code::SslRequiredByServer)
                        .said(say!("ssl-required-by-server.refused", endpoint = h.endpoint(), said = &said))
                        .evidence("sqlstate", sqlstate),
                ),
                Some(Code::ClientCertRequired) => Some(
                    Finding::new(Code::ClientCertRequired)
                        .said(say!(
                            "client-cert-required.refused",
                            endpoint = h.endpoint(),
                            asked = match wanted.as_ref() {
                                Some(w) => say!("client-cert-required.asked-from", cas = w).into_arg(),
                                None => "".into_arg(),
                            },
                            said = &said,
                            client = match ours {
                                Some((s, _)) => say!("client-cert-required.not-accepted", subject = s),
                                None => say!("client-cert-required.sent-none"),
                            }
                        ))
                        .evidence("sqlstate", sqlstate),
                ),
                None | Some(Code::LoginRefused) if !encrypted && v.plaintext_fallback => None,
                // Not TLS-related (a missing role or database, too many connections …), whether
                // or not the recognisers name it.
                None | Some(Code::LoginRefused) => Some(
                    Finding::new(Code::LoginRefused)
                        .said(say!(
                            "login-refused.not-tls",
                            endpoint = h.endpoint(),
                            said = &said,
                            server_detail = error.detail.as_ref().map(|d| format!(" — {d}")).unwrap_or_default(),
                            sqlstate = &sqlstate,
                            tls = tls_worked(*encrypted)
                        ))
                        .evidence("sqlstate", sqlstate),
                ),
                // A pooler that refuses the login itself because it cannot reach its server
                // (no cached server settings yet, or every server connection failing).
                Some(Code::PoolerServerUnreachable) => Some(
                    Finding::new(Code::PoolerServerUnreachable)
                        .said(say!("pooler-server-unreachable.refused", endpoint = h.endpoint(), said = &said, tls = tls_worked(*encrypted)))
                        .evidence("message", &error.message),
                ),
                // Recognised as another code: its own check reports it (`hba` for a TLS
                // connection no pg_hba.conf line matches, `client_cert_user` for the mapping).
                Some(_) => None,
            }
        }
        Failure::SessionAlert { alert } | Failure::Handshake { error: crate::gathered::tls::HandshakeError::AlertReceived { alert } }
            if CERT_ALERTS.contains(&alert.as_str()) && (ours.is_some() || matches!(failure, Failure::SessionAlert { .. })) =>
        {
            Some(
                Finding::new(Code::ServerRejectsClientCert)
                    .said(say!(
                        "server-rejects-client-cert.alert",
                        endpoint = h.endpoint(),
                        alert = alert,
                        ours = match ours {
                            Some((s, i)) => say!("server-rejects-client-cert.ours", subject = s, issuer = i).into_arg(),
                            None => "".into_arg(),
                        },
                        wanted = match wanted {
                            Some(w) => say!("server-rejects-client-cert.wanted", cas = w).into_arg(),
                            None => "".into_arg(),
                        }
                    ))
                    .evidence("alert", alert),
            )
        }
        Failure::SessionAlert { alert } if alert == "certificate required" => Some(
            Finding::new(Code::ClientCertRequired)
                .said(say!("client-cert-required.alert", endpoint = h.endpoint()))
                .evidence("alert", alert),
        ),
        Failure::PasswordMissing { method } => Some(
            Finding::new(Code::PasswordMissing)
                .said(say!(
                    "password-missing.none",
                    endpoint = h.endpoint(),
                    not_used = if v.tls || h.probe.startup.as_ref().is_some_and(|s| s.encrypted) {
                        "".into_arg()
                    } else {
                        say!("password-missing.not-used").into_arg()
                    },
                    method = method
                ))
                .evidence("method", method),
        ),
        Failure::FirstQuery { query } => {
            use crate::gathered::probe::FirstQuery;
            if query.answered() {
                return None;
            }
            let got = query.got();
            let mut f = Finding::new(Code::PoolerServerUnreachable).said(say!(
                "pooler-server-unreachable.first-query",
                endpoint = h.endpoint(),
                over = over_tls(v.tls),
                got = got
            ));
            if let FirstQuery::Refused { error, .. } = query {
                f = f.evidence("message", &error.message);
            }
            Some(f)
        }
        // A stall or a close at startup is a network finding (`network`), with the step named.
        Failure::StartupBroken { message } if message == "timeout" || message == "closed" => None,
        Failure::StartupBroken { message } => Some(
            Finding::new(Code::LoginRefused).said(say!("login-refused.startup-broken", endpoint = h.endpoint(), message = message)),
        ),
        _ => None,
    }
}

/// "over TLS" / "without TLS", said in the user's language.
fn over_tls(tls: bool) -> crate::findings::Message {
    if tls {
        say!("network.over-tls")
    } else {
        say!("network.without-tls")
    }
}

/// "worked" / "was not used on this attempt": what the client's TLS did.
fn tls_worked(encrypted: bool) -> crate::findings::Message {
    if encrypted {
        say!("login-refused.tls-worked")
    } else {
        say!("login-refused.tls-not-used")
    }
}

