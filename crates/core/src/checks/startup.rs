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
use crate::findings::{Code, Finding, Severity};
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
                    .detail(format!(
                        "{}: TLS and pg_hba.conf let this client in, then the server asks for {} ({}). pgtls did not finish that \
                         step ({}), so whether the password is right was not checked.",
                        h.endpoint(),
                        request.method(),
                        if v.tls { "over TLS" } else { "without TLS" },
                        if v.tls {
                            "the password could not be tried on a second, verified session"
                        } else {
                            "it never sends a password over an unencrypted connection"
                        }
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
    let port = b.port.map(|p| format!(" on port {p}")).unwrap_or_default();
    let f = Finding::new(Code::TlsTerminatedOnTheWay)
        .detail(format!(
            "{}: this client's session is TLS, but the PostgreSQL server{port} sees it arrive from {from} without TLS \
             (pg_stat_ssl.ssl = false for this session): a pooler or proxy in between ends the TLS and connects on in plain text.{}",
            h.endpoint(),
            if b.from_same_host() { " The plain-text leg starts on the server's own host." } else { " That leg crosses the network unencrypted." }
        ))
        .fix(
            "Encrypt the hop's leg to PostgreSQL: PgBouncer server_tls_sslmode = verify-full with server_tls_ca_file (pgbouncer.ini); \
             Pgpool-II: ssl = on makes it use TLS towards the backends too; stunnel: a client-mode service (client = yes, verifyChain, \
             checkHost) towards PostgreSQL; HAProxy: `server … ssl verify required ca-file …` — and make pg_hba.conf hostssl-only for \
             the hop's address so a plain-text leg is refused.",
        )
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
                        .detail(format!(
                            "{}: this client's TLS session worked{}, yet the server refused the login as a connection without TLS: \
                             {said}. TLS ends before PostgreSQL: something in between (stunnel with protocol = pgsql, a TLS-terminating \
                             HAProxy or load balancer) answered the TLS handshake and connects to PostgreSQL in plain text.",
                            h.endpoint(),
                            h.probe.chain.first().map(|c| format!(" (certificate \"{}\" issued by \"{}\")", crate::verify::short_name(&c.subject), crate::verify::short_name(&c.issuer))).unwrap_or_default()
                        ))
                        .evidence("sqlstate", sqlstate),
                ),
                Some(Code::SslRequiredByServer) => Some(
                    Finding::new(Code::SslRequiredByServer)
                        .detail(format!(
                            "{} refused the connection without TLS: {said}. pg_hba.conf has only hostssl lines for this client (or none that match a non-TLS connection).",
                            h.endpoint()
                        ))
                        .evidence("sqlstate", sqlstate),
                ),
                Some(Code::ClientCertRequired) => Some(
                    Finding::new(Code::ClientCertRequired)
                        .detail(format!(
                            "{} accepted TLS{}, then refused the login: {said}. {}",
                            h.endpoint(),
                            wanted.as_ref().map(|w| format!(" and asked for a client certificate from {w}")).unwrap_or_default(),
                            match ours {
                                Some((s, _)) => format!("The client has \"{s}\", but it was not accepted for this login."),
                                None => "The client sent no certificate (no sslcert file, or sslcertmode=disable).".to_string(),
                            }
                        ))
                        .evidence("sqlstate", sqlstate),
                ),
                None | Some(Code::LoginRefused) if !encrypted && v.plaintext_fallback => None,
                // Not TLS-related (a missing role or database, too many connections …), whether
                // or not the recognisers name it.
                None | Some(Code::LoginRefused) => Some(
                    Finding::new(Code::LoginRefused)
                        .detail(format!(
                            "{} refused the login for a reason unrelated to TLS: {said}{} (SQLSTATE {sqlstate}). TLS itself {}.",
                            h.endpoint(),
                            error.detail.as_ref().map(|d| format!(" — {d}")).unwrap_or_default(),
                            if *encrypted { "worked" } else { "was not used on this attempt" }
                        ))
                        .evidence("sqlstate", sqlstate),
                ),
                // A pooler that refuses the login itself because it cannot reach its server
                // (no cached server settings yet, or every server connection failing).
                Some(Code::PoolerServerUnreachable) => Some(
                    Finding::new(Code::PoolerServerUnreachable)
                        .detail(format!(
                            "{}: what answered refused the login because it has no working connection to its server: {said}. \
                             That is a pooler (PgBouncer, Pgpool-II) whose own leg to PostgreSQL fails — its server_tls_* \
                             settings, or the server itself; the client's TLS {}.",
                            h.endpoint(),
                            if *encrypted { "worked" } else { "was not used on this attempt" }
                        ))
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
                    .detail(format!(
                        "{} refused the client certificate with alert \"{alert}\"{}{}.",
                        h.endpoint(),
                        ours.map(|(s, i)| format!(": \"{s}\", issued by \"{i}\"")).unwrap_or_default(),
                        wanted.map(|w| format!("; the server accepts certificates from {w} (its ssl_ca_file)")).unwrap_or_default()
                    ))
                    .evidence("alert", alert),
            )
        }
        Failure::SessionAlert { alert } if alert == "certificate required" => Some(
            Finding::new(Code::ClientCertRequired)
                .detail(format!("{} requires a client certificate in the TLS handshake (alert \"certificate required\") and the client sent none.", h.endpoint()))
                .evidence("alert", alert),
        ),
        Failure::PasswordMissing { method } => Some(
            Finding::new(Code::PasswordMissing)
                .detail(format!(
                    "{}: TLS{} and pg_hba.conf let this client in; the server then asks for a password ({method}) and libpq has none \
                     (no password=, PGPASSWORD or matching password-file line), so it stops with \"fe_sendauth: no password supplied\". \
                     psql would prompt for it instead.",
                    h.endpoint(),
                    if v.tls || h.probe.startup.as_ref().is_some_and(|s| s.encrypted) { "" } else { " (not used)" }
                ))
                .evidence("method", method),
        ),
        Failure::FirstQuery { query } => {
            use crate::gathered::probe::FirstQuery;
            if query.answered() {
                return None;
            }
            let got = query.got();
            let mut f = Finding::new(Code::PoolerServerUnreachable).detail(format!(
                "{}: the connection ({}) and the login were accepted, then a read-only SELECT 1 got {got}. PostgreSQL answers \
                 that at once: what answered the login (a pooler such as PgBouncer or Pgpool-II) has no working connection to \
                 its server. psql connects and fails on its first command.",
                h.endpoint(),
                if v.tls { "over TLS" } else { "without TLS" },
            ));
            if let FirstQuery::Refused { error, .. } = query {
                f = f.evidence("message", &error.message);
            }
            Some(f)
        }
        // A stall or a close at startup is a network finding (`network`), with the step named.
        Failure::StartupBroken { message } if message == "timeout" || message == "closed" => None,
        Failure::StartupBroken { message } => Some(
            Finding::new(Code::LoginRefused).detail(format!("{}: the connection broke after TLS, during the startup phase ({message}).", h.endpoint())),
        ),
        _ => None,
    }
}
