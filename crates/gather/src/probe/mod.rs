//! Gather: one probe of one endpoint, recorded as replayable facts.
//!
//! The probe does what libpq does up to the point where it would send the startup packet:
//! connect, negotiate TLS (SSLRequest or direct SSL with ALPN), handshake, and stop. No
//! credentials are ever sent. Everything it saw goes into [`ProbeFacts`]; the checks turn
//! those into findings without touching the network.

use std::time::Instant;

use time::OffsetDateTime;

use crate::net::{self, Negotiated, NetError, Timeouts};
use crate::tls::{self, HandshakeError, HandshakeOptions};
use crate::wire::startup::Backend;
use crate::wire::{TlsVersion, ALPN_POSTGRESQL};
use crate::x509::Cert;

pub use crate::wire::SslNegotiation;
pub use pgtls_core::gathered::probe::{
    Authentication, Behind, ClientVersions, FirstQuery, KeyOffer, ProbeFacts, ProbeFailure, ProbeTarget, StartupFacts, StartupOutcome, Timings,
};

fn ms(since: Instant) -> Option<u64> {
    Some(since.elapsed().as_millis() as u64)
}

/// What the probe offers and sends besides the handshake.
#[derive(Debug, Clone, Default)]
pub struct ProbeOptions {
    pub versions: ClientVersions,
    /// The client certificate, presented when the server asks for one.
    pub client_auth: Option<crate::tls::ClientAuth>,
    /// Follow the connection into the startup phase with these (user, database).
    pub startup: Option<(String, String)>,
    /// Connections to make in all (0 or 1: one); the further ones stop after TLS.
    pub connections: usize,
}

/// Probe one endpoint with every version pgtls's handshake speaks (TLS 1.2 and 1.3).
pub fn probe(target: &ProbeTarget, timeouts: Timeouts) -> ProbeFacts {
    probe_as(target, timeouts, &ClientVersions::default())
}

/// Probe one endpoint offering only what the client allows, so a TLS 1.2-max client against a
/// TLS 1.3-only server fails here as it fails in libpq.
pub fn probe_as(target: &ProbeTarget, timeouts: Timeouts, client: &ClientVersions) -> ProbeFacts {
    probe_with(target, timeouts, &ProbeOptions { versions: *client, ..Default::default() })
}

fn empty(target: &ProbeTarget) -> ProbeFacts {
    ProbeFacts::new(target, OffsetDateTime::now_utc())
}

/// Probe with a client certificate and, optionally, into the startup phase.
pub fn probe_with(target: &ProbeTarget, timeouts: Timeouts, o: &ProbeOptions) -> ProbeFacts {
    let clock = Instant::now();
    let mut facts = one_connection(target, timeouts, o);
    if let Some(ProbeFailure::Handshake { error }) = &facts.failure {
        let alert = error.alert().unwrap_or("");
        let incompatible = matches!(error, HandshakeError::Incompatible { .. });
        if incompatible || matches!(alert, "protocol version" | "handshake failure" | "insufficient security") {
            what_the_server_accepts(target, timeouts, &mut facts);
        }
    }
    if facts.closed_at_sslrequest() {
        // A TLS terminator reads the SSLRequest as a broken ClientHello and hangs up (or sends
        // an alert): ask it the way it expects, with a ClientHello first. Kept also when that
        // is closed too (an SNI router without a route for the name, a PROXY header the server
        // does not expect): the checks say what both attempts met.
        let direct = ProbeTarget { negotiation: SslNegotiation::Direct, ..target.clone() };
        let d = probe_with(&direct, timeouts, &ProbeOptions { startup: None, connections: 1, ..o.clone() });
        facts.direct_tls = Some(Box::new(d));
    }
    // The same endpoint again, when asked: a load balancer may send each connection elsewhere.
    // Only when this one reached something that answered (an unreachable host is unreachable).
    // Each is one handshake: no version scan or direct-TLS retry when it fails (the first
    // connection's findings already say what the server accepts).
    if o.connections > 1 && facts.network_failure().is_none() {
        let once = ProbeOptions { startup: None, connections: 1, ..o.clone() };
        facts.again = (1..o.connections).map(|_| one_connection(target, timeouts, &once)).collect();
    }
    facts.elapsed_ms = clock.elapsed().as_millis() as u64;
    facts
}

/// One connection, as far as `o` follows it, timed; nothing retried or scanned.
fn one_connection(target: &ProbeTarget, timeouts: Timeouts, o: &ProbeOptions) -> ProbeFacts {
    let clock = Instant::now();
    let mut facts = empty(target);
    run(target, timeouts, o, &mut facts);
    facts.elapsed_ms = clock.elapsed().as_millis() as u64;
    facts
}

/// Only the steps before TLS (resolve, connect, SSLRequest and its answer): does a TLS server
/// answer here at all? `protocols` asks this before it scans; it costs no TLS handshake.
pub fn probe_negotiation(target: &ProbeTarget, timeouts: Timeouts) -> ProbeFacts {
    let clock = Instant::now();
    let mut facts = empty(target);
    let _ = negotiate(target, timeouts, &mut facts);
    facts.elapsed_ms = clock.elapsed().as_millis() as u64;
    facts
}

/// Resolve, connect, and (SSLRequest) negotiate: the socket, ready for a ClientHello, or
/// `None` with the facts saying where it stopped.
fn negotiate(target: &ProbeTarget, timeouts: Timeouts, facts: &mut ProbeFacts) -> Option<net::Conn> {
    let endpoint = target.endpoint();
    let fail = |facts: &mut ProbeFacts, error: NetError| facts.failure = Some(ProbeFailure::Network { error });
    let host = target.hostaddr.as_deref().unwrap_or(&target.host);
    let clock = Instant::now();
    let addrs = net::resolve(host, target.port, timeouts.connect);
    facts.timings.resolve_ms = ms(clock);
    let addrs = match addrs {
        Ok(a) => a,
        Err(e) => {
            fail(facts, e);
            return None;
        }
    };
    let clock = Instant::now();
    let sock = net::connect(&addrs, &endpoint, timeouts);
    facts.timings.connect_ms = ms(clock);
    let mut sock = match sock {
        Ok(s) => s,
        Err(e) => {
            fail(facts, e);
            return None;
        }
    };
    facts.peer_ip = sock.peer_addr().ok().map(|a| a.ip().to_string());
    if target.negotiation == SslNegotiation::Postgres {
        let clock = Instant::now();
        let answer = net::ssl_request(&mut sock, &endpoint);
        facts.timings.negotiate_ms = ms(clock);
        match answer {
            Ok(Negotiated::Accept) => facts.reply = Some(Negotiated::Accept),
            Ok(other) => {
                facts.reply = Some(other);
                return None;
            }
            Err(e) => {
                fail(facts, e);
                return None;
            }
        }
    }
    Some(sock)
}

/// The plaintext attempt libpq makes with sslmode disable, allow (first) or prefer (after TLS
/// failed): connect, send the StartupMessage without any SSLRequest, read the answer.
pub fn probe_plaintext(target: &ProbeTarget, timeouts: Timeouts, user: &str, database: &str) -> ProbeFacts {
    let clock = Instant::now();
    let mut facts = empty(target);
    let plain = ProbeTarget { negotiation: SslNegotiation::Postgres, ..target.clone() };
    let endpoint = plain.endpoint();
    let host = plain.hostaddr.as_deref().unwrap_or(&plain.host);
    let sock = net::resolve(host, plain.port, timeouts.connect).and_then(|addrs| net::connect(&addrs, &endpoint, timeouts));
    match sock {
        Ok(mut s) => {
            facts.peer_ip = s.peer_addr().ok().map(|a| a.ip().to_string());
            let clock = Instant::now();
            let answer = net::startup_exchange(&mut s, &[("user", user), ("database", database)]);
            facts.timings.startup_ms = ms(clock);
            facts.startup = Some(startup_facts(false, user, database, answer));
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
        Err(error) => facts.failure = Some(ProbeFailure::Network { error }),
    }
    facts.elapsed_ms = clock.elapsed().as_millis() as u64;
    facts
}

fn startup_facts(encrypted: bool, user: &str, database: &str, answer: std::io::Result<(Backend, net::ServerParams, Option<net::QueryAnswer>)>) -> StartupFacts {
    let (answer, params, first_query) = match answer {
        Ok((b, p, q)) => (Ok(b), p, q.map(first_query_of)),
        Err(e) => (Err(e), Default::default(), None),
    };
    let outcome = match answer {
        Ok(Backend::Auth(request)) => StartupOutcome::Auth { request },
        Ok(Backend::Error(error)) => StartupOutcome::Refused { error, recognised: None },
        Ok(Backend::Sasl { .. } | Backend::Parameter { .. }) => StartupOutcome::Failed { message: "a SASL message before the authentication request".into() },
        Ok(Backend::Other(t)) => StartupOutcome::Failed { message: format!("unexpected message type {}", crate::wire::describe_byte(t)) },
        Ok(Backend::Row(_)) => StartupOutcome::Failed { message: "a data row before the authentication request".into() },
        Err(e) => match crate::tls::alert_of(&e) {
            Some(alert) => StartupOutcome::TlsAlert { alert },
            None => match e.kind() {
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => StartupOutcome::Timeout,
                std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe => StartupOutcome::Closed,
                _ => StartupOutcome::Failed { message: e.to_string() },
            },
        },
    };
    StartupFacts { encrypted, user: user.to_string(), database: database.to_string(), outcome, authentication: None, params, first_query }
}

fn handshake_options(target: &ProbeTarget, o: &ProbeOptions) -> HandshakeOptions {
    let client = &o.versions;
    HandshakeOptions {
        sni: target.sni.clone(),
        alpn: vec![ALPN_POSTGRESQL.to_vec()],
        only_tls12: client.max.is_some_and(|m| m <= TlsVersion::TLSv1_2),
        only_tls13: client.min >= TlsVersion::TLSv1_3,
        client_auth: o.client_auth.clone(),
        signatures: None,
    }
}


/// One handshake per key family (RSA, ECDSA), each offering only that family's schemes.
pub fn key_offers(target: &ProbeTarget, timeouts: Timeouts) -> Vec<KeyOffer> {
    [crate::tls::KeyFamily::Rsa, crate::tls::KeyFamily::Ecdsa]
        .into_iter()
        .map(|family| {
            let mut facts = empty(target);
            let key = negotiate(target, timeouts, &mut facts).and_then(|sock| {
                let opts = HandshakeOptions { signatures: Some(family), ..handshake_options(target, &ProbeOptions::default()) };
                let out = crate::tls::handshake(sock, &opts);
                out.result.ok()?;
                let leaf = out.chain_der.first()?;
                Some(crate::x509::Cert::from_der(leaf, "the server's certificate").map(|c| c.key_description()).unwrap_or_default())
            });
            KeyOffer { family, offered: key.is_some(), key }
        })
        .collect()
}

/// A second TLS connection that authenticates with `password`: only after `trusted` accepted
/// the certificate chain of this very session (a load balancer may answer differently than
/// the first time), and only for the user and database of `o.startup`.
pub fn authenticate(
    target: &ProbeTarget,
    timeouts: Timeouts,
    o: &ProbeOptions,
    password: &crate::conninfo::Secret,
    channel_binding: net::ChannelBindingMode,
    trusted: &dyn Fn(&[Cert]) -> bool,
) -> Authentication {
    let Some((user, database)) = &o.startup else { return Authentication::NotSent { reason: "no startup phase".into() } };
    let mut scratch = empty(target);
    let Some(sock) = negotiate(target, timeouts, &mut scratch) else {
        return Authentication::Failed { message: "the second connection could not be set up".into() };
    };
    let (outcome, answer) = tls::handshake_then(sock, &handshake_options(target, o), |session| {
        let ders: Vec<Vec<u8>> = session.conn.peer_certificates().unwrap_or_default().iter().map(|c| c.to_vec()).collect();
        let chain = crate::x509::parse_chain(&ders).unwrap_or_default();
        if chain.is_empty() || !trusted(&chain) {
            return Authentication::NotSent { reason: "the server's certificate in this session did not pass the client's checks".into() };
        }
        let creds = net::Credentials {
            user,
            password: Some(password.expose()),
            channel_binding,
            end_point: Some(crate::x509::tls_server_end_point(&chain[0])),
        };
        match net::authenticate(session, &[("user", user.as_str()), ("database", database.as_str())], &creds) {
            Ok(net::AuthAnswer::Accepted { method, params, query }) => Authentication::Accepted { method, params, first_query: Some(first_query_of(query)) },
            Ok(net::AuthAnswer::Stopped(net::LoginStopped::Refused(error))) => Authentication::Refused { error, recognised: None },
            Ok(net::AuthAnswer::Stopped(net::LoginStopped::ClientGaveUp(message))) => Authentication::ClientGaveUp { message },
            Err(e) => Authentication::Failed { message: e.to_string() },
        }
    });
    match (answer, outcome.result) {
        (Some(a), _) => a,
        (None, Err(e)) => Authentication::Failed { message: e.to_string() },
        (None, Ok(_)) => Authentication::Failed { message: "the TLS session ended early".into() },
    }
}

fn run(target: &ProbeTarget, timeouts: Timeouts, o: &ProbeOptions, facts: &mut ProbeFacts) {
    let Some(sock) = negotiate(target, timeouts, facts) else { return };
    let opts = handshake_options(target, o);
    let clock = Instant::now();
    let mut startup_ms = None;
    let (outcome, startup) = tls::handshake_then(sock, &opts, |session| {
        o.startup.as_ref().map(|(user, database)| {
            let clock = Instant::now();
            let answer = net::startup_exchange(session, &[("user", user.as_str()), ("database", database.as_str())]);
            startup_ms = ms(clock);
            startup_facts(true, user, database, answer)
        })
    });
    facts.timings.handshake_ms = ms(clock).map(|t| t.saturating_sub(startup_ms.unwrap_or(0)));
    facts.timings.startup_ms = startup_ms;
    facts.startup = startup.flatten();
    match crate::x509::parse_chain(&outcome.chain_der) {
        Ok(chain) => facts.chain = chain,
        Err(e) => facts.failure = Some(ProbeFailure::Certificate { message: e.to_string() }),
    }
    match outcome.result {
        Ok(t) => facts.tls = Some(t),
        Err(error) => facts.failure = Some(ProbeFailure::Handshake { error }),
    }
}

/// A small raw scan after a failed handshake, so findings can name the server's side.
fn what_the_server_accepts(target: &ProbeTarget, timeouts: Timeouts, facts: &mut ProbeFacts) {
    use crate::tls::scan::{fetch_hello, scan, ScanOptions};
    let host = target.hostaddr.as_deref().unwrap_or(&target.host);
    let Ok(addrs) = net::resolve(host, target.port, timeouts.connect) else { return };
    let conn = net::TlsStart { addrs, endpoint: target.endpoint(), direct: target.negotiation == SslNegotiation::Direct, timeouts };
    let versions = scan(
        &conn,
        &ScanOptions {
            timeout: timeouts.io,
            sni: target.sni.clone(),
            check_preference: false,
            enumerate_groups: false,
            versions_only: true,
            ..Default::default()
        },
    );
    facts.server_versions = Some(versions.accepted_versions().iter().map(|v| v.name()).collect());
    let modern = [TlsVersion::TLSv1_2, TlsVersion::TLSv1_3];
    if versions.accepted_versions().iter().any(|v| modern.contains(v)) {
        let suites = scan(
            &conn,
            &ScanOptions {
                timeout: timeouts.io,
                sni: target.sni.clone(),
                versions: modern.to_vec(),
                check_preference: false,
                enumerate_groups: false,
                ..Default::default()
            },
        );
        facts.server_suites =
            Some(suites.versions.iter().flat_map(|v| v.ciphers.iter().map(|c| c.openssl_name())).collect());
        // TLS 1.2 sends the certificate chain in the clear: read it with a raw hello, so the
        // chain facts exist even when our own stack could not finish the handshake.
        if let Some(v12) = suites.version(TlsVersion::TLSv1_2).filter(|v| v.accepted) {
            let opts = ScanOptions { timeout: timeouts.io, sni: target.sni.clone(), ..Default::default() };
            if let Ok(hello) = fetch_hello(&conn, &opts, TlsVersion::TLSv1_2, &v12.ciphers) {
                if facts.chain.is_empty() {
                    if let Ok(chain) = crate::x509::parse_chain(&hello.certificates) {
                        facts.chain = chain;
                    }
                }
            }
        }
    }
}

/// The first query's answer, with a refusal's words recognised.
fn first_query_of(a: net::QueryAnswer) -> FirstQuery {
    match a {
        net::QueryAnswer::Answered { behind } => FirstQuery::Answered { behind: behind.as_deref().map(Behind::from_row) },
        net::QueryAnswer::Error(error) => FirstQuery::Refused { error, recognised: None },
        net::QueryAnswer::Failed { timed_out, message } => FirstQuery::NoAnswer { timed_out, message },
    }
}
