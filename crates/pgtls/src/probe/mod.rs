//! Gather: one probe of one endpoint, recorded as replayable facts.
//!
//! The probe does what libpq does up to the point where it would send the startup packet:
//! connect, negotiate TLS (SSLRequest or direct SSL with ALPN), handshake, and stop. No
//! credentials are ever sent. Everything it saw goes into [`ProbeFacts`]; the checks turn
//! those into findings without touching the network.

use std::time::Instant;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::net::{self, FailureKind, Negotiated, NetError, Step, Timeouts};
use crate::tls::{self, HandshakeError, HandshakeOptions, TlsFacts};
use crate::wire::startup::{AuthRequest, Backend};
use crate::wire::{ErrorResponse, TlsVersion, ALPN_POSTGRESQL};
use crate::x509::Cert;

pub use crate::wire::SslNegotiation;

/// One endpoint to probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeTarget {
    /// Host name as the user gave it (used for SNI and hostname checks).
    pub host: String,
    /// Numeric address to connect to instead of resolving `host` (libpq's hostaddr).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub hostaddr: Option<String>,
    pub port: u16,
    /// SNI to send; None when libpq would not send one (IP host or sslsni=0).
    pub sni: Option<String>,
    pub negotiation: SslNegotiation,
    /// Only hostaddr was given: `host` carries the address for display, but libpq has no host
    /// name (verify-full then fails with "host name must be specified"). A `host` equal to
    /// `hostaddr` given explicitly is a host name libpq checks.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hostaddr_only: bool,
}

impl ProbeTarget {
    /// `host (hostaddr):port` when libpq connects to an address other than the name it checks.
    pub fn display_name(&self) -> String {
        match &self.hostaddr {
            Some(a) if *a != self.host => {
                let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
                format!("{host} ({a}):{}", self.port)
            }
            _ => self.endpoint(),
        }
    }

    pub fn endpoint(&self) -> String {
        let h = self.hostaddr.as_deref().unwrap_or(&self.host);
        if h.contains(':') {
            format!("[{h}]:{}", self.port)
        } else {
            format!("{h}:{}", self.port)
        }
    }
}

/// Where and how the probe stopped, when it did not complete a handshake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "kebab-case")]
pub enum ProbeFailure {
    /// A network step (resolve, connect, SSLRequest, reply) failed.
    Network { error: NetError },
    /// The TLS handshake failed.
    Handshake { error: HandshakeError },
    /// The server sent certificates we could not parse.
    Certificate { message: String },
}

/// Everything one probe saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeFacts {
    pub target: ProbeTarget,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    pub elapsed_ms: u64,
    /// The answer to SSLRequest (absent for direct SSL or when the step failed).
    pub reply: Option<Negotiated>,
    pub tls: Option<TlsFacts>,
    /// The chain as the server sent it, leaf first (also when the handshake failed later).
    pub chain: Vec<Cert>,
    pub failure: Option<ProbeFailure>,
    /// When pgtls's own handshake failed on versions or ciphers: what a raw scan found the
    /// server to accept (versions by name; TLS 1.2/1.3 suites by OpenSSL name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_versions: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_suites: Option<Vec<String>>,
    /// The startup phase, when the run follows the connection past TLS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup: Option<StartupFacts>,
    /// The address the connection went to (libpq names it in its messages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_ip: Option<String>,
    /// How long each step took.
    #[serde(default)]
    pub timings: Timings,
    /// The server closed the connection at the SSLRequest (or answered it with a TLS alert):
    /// the same endpoint probed with direct TLS, when a TLS handshake answered there — a TLS
    /// terminator (HAProxy `ssl crt`, stunnel, an SNI router) that expects a ClientHello first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct_tls: Option<Box<ProbeFacts>>,
    /// Further connections to the same endpoint, made one after another and stopped after
    /// TLS (`ProbeOptions::connections`): behind a load balancer each may reach another
    /// server, with another certificate or TLS configuration.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub again: Vec<ProbeFacts>,
}

/// Milliseconds per step of one connection (absent: the step did not run).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timings {
    pub resolve_ms: Option<u64>,
    pub connect_ms: Option<u64>,
    /// SSLRequest and its answer (absent for direct SSL).
    pub negotiate_ms: Option<u64>,
    pub handshake_ms: Option<u64>,
    /// StartupMessage to the authentication request (or the error).
    pub startup_ms: Option<u64>,
    /// The second, authenticating connection, from connect to ReadyForQuery or the error.
    pub authentication_ms: Option<u64>,
}

fn ms(since: Instant) -> Option<u64> {
    Some(since.elapsed().as_millis() as u64)
}

/// What the server answered the StartupMessage (user, database …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartupFacts {
    /// Sent over TLS (false: the plaintext attempt of sslmode disable/allow/prefer).
    pub encrypted: bool,
    pub user: String,
    pub database: String,
    pub outcome: StartupOutcome,
    /// The end of authentication, when a password was available and pgtls sent it (only
    /// inside a TLS session that passed the client's own certificate checks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<Authentication>,
    /// What the server reported (ParameterStatus) once it let the client in: server_version,
    /// in_hot_standby, default_transaction_read_only … (empty when it asked for a password).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub params: net::ServerParams,
    /// The `SELECT 1` sent once the server let the client in without a password (with one:
    /// in `authentication`). See [`FirstQuery`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_query: Option<FirstQuery>,
}

impl StartupFacts {
    /// What the first query after the login got, by whichever path the login finished.
    pub fn first_query(&self) -> Option<&FirstQuery> {
        match &self.authentication {
            Some(Authentication::Accepted { first_query, .. }) => first_query.as_ref(),
            _ => self.first_query.as_ref(),
        }
    }
}

/// What one read-only `SELECT 1` got right after ReadyForQuery. A PostgreSQL server answers it
/// at once; a pooler (PgBouncer, Pgpool-II) may have answered the login from its own user list
/// and cached server parameters, and needs a server connection only now — when that fails,
/// psql's login works and its first query fails (`query_wait_timeout`, `server login has been
/// failing, try again later (server_login_retry)`), which the login alone never shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum FirstQuery {
    /// `behind`: what the server behind the address said of this session, when it answered.
    Answered {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        behind: Option<Behind>,
    },
    /// An ErrorResponse; `recognised`: which finding its words are, as for a refused login.
    Refused {
        error: ErrorResponse,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        recognised: Option<crate::findings::Code>,
    },
    /// No answer within the read timeout (`timed_out`), or the connection closed.
    NoAnswer { timed_out: bool, message: String },
}

/// What the server behind the address said of this session, read-only ([`net::BEHIND`]):
/// through a pooler or proxy these are PostgreSQL's, not the hop's, so they tell a hop from
/// the server — a port other than the one dialled, `ssl = on` behind an 'N', a session without
/// TLS behind a verified TLS connection. A port forward (Docker's `-p 5433:5432`) changes
/// only the port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Behind {
    /// The port the server listens on (None: it sees a Unix-socket session).
    pub port: Option<u16>,
    /// Its `ssl` setting.
    pub ssl: Option<bool>,
    /// Whether its side of this session is TLS (`pg_stat_ssl.ssl`).
    pub session_tls: Option<bool>,
    /// The address it sees this session come from (None: a Unix socket).
    pub client_addr: Option<String>,
}

impl Behind {
    fn of(row: &[Option<String>]) -> Behind {
        let col = |i: usize| row.get(i).cloned().flatten();
        let flag = |i: usize| col(i).map(|v| matches!(v.as_str(), "on" | "t" | "true"));
        Behind { port: col(0).and_then(|p| p.parse().ok()), ssl: flag(1), session_tls: flag(2), client_addr: col(3) }
    }

    /// The server sees this session from its own machine (loopback) or over a Unix socket:
    /// a hop beside it, whose plain-text leg never leaves the host.
    pub fn from_same_host(&self) -> bool {
        self.client_addr.as_deref().is_none_or(|a| a == "127.0.0.1" || a == "::1")
    }
}

impl FirstQuery {
    fn of(a: net::QueryAnswer) -> FirstQuery {
        match a {
            net::QueryAnswer::Answered { behind } => FirstQuery::Answered { behind: behind.as_deref().map(Behind::of) },
            net::QueryAnswer::Error(error) => FirstQuery::Refused { recognised: crate::explain::recognise_refusal(&error), error },
            net::QueryAnswer::Failed { timed_out, message } => FirstQuery::NoAnswer { timed_out, message },
        }
    }

    /// Whether something behind the login answered.
    pub fn answered(&self) -> bool {
        matches!(self, FirstQuery::Answered { .. })
    }

    /// What the server behind the address said of this session, when it answered.
    pub fn behind(&self) -> Option<&Behind> {
        match self {
            FirstQuery::Answered { behind } => behind.as_ref(),
            _ => None,
        }
    }

    /// What the query got, in words (for the steps and the finding).
    pub fn got(&self) -> String {
        match self {
            FirstQuery::Answered { .. } => "its rows".into(),
            FirstQuery::Refused { error, .. } => format!(
                "\"{}:  {}\"{}",
                error.severity.as_deref().unwrap_or("ERROR"),
                error.message,
                error.code.as_ref().map(|c| format!(" (SQLSTATE {c})")).unwrap_or_default()
            ),
            FirstQuery::NoAnswer { timed_out: true, .. } => "no answer within pgtls's timeout".into(),
            FirstQuery::NoAnswer { message, .. } => format!("the connection closed ({message})"),
        }
    }
}

/// How password authentication ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum Authentication {
    /// The server accepted the password (ReadyForQuery), reporting `params` on the way.
    Accepted {
        method: AuthRequest,
        #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
        params: net::ServerParams,
        /// The `SELECT 1` after ReadyForQuery (see [`FirstQuery`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        first_query: Option<FirstQuery>,
    },
    /// The server refused (wrong password, role without a password …); `recognised`: which
    /// finding its words are (see [`StartupOutcome::Refused`]).
    Refused {
        error: ErrorResponse,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        recognised: Option<crate::findings::Code>,
    },
    /// The client stopped, as libpq would (channel binding required but not offered …).
    ClientGaveUp { message: String },
    /// Nothing was sent: the authenticating session's certificate did not pass the client's checks.
    NotSent { reason: String },
    Failed { message: String },
}

/// The server's answer to the StartupMessage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "kebab-case")]
pub enum StartupOutcome {
    /// TLS and pg_hba.conf let the client in; this is how it must authenticate (`Ok`: done).
    Auth { request: AuthRequest },
    /// An ErrorResponse: pg_hba.conf, a missing role or database, too many connections …
    /// `recognised`: which finding its words are, by the same patterns as `pgtls explain`
    /// (translated servers included), decided here so that judging never reads text.
    Refused {
        error: ErrorResponse,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        recognised: Option<crate::findings::Code>,
    },
    /// The server ended the TLS session with an alert (e.g. it refused the client certificate:
    /// "unknown ca", "certificate required").
    TlsAlert { alert: String },
    /// The connection closed without an answer.
    Closed,
    Timeout,
    Failed { message: String },
}

impl StartupOutcome {
    /// What happened, in words (for the steps of a report).
    pub fn describe(&self) -> String {
        match self {
            StartupOutcome::Auth { request } => format!("the server asks for: {}", request.method()),
            StartupOutcome::Refused { error, .. } => format!("{}:  {}", error.severity.as_deref().unwrap_or("FATAL"), error.message),
            StartupOutcome::TlsAlert { alert } => format!("the server ended TLS with alert \"{alert}\""),
            StartupOutcome::Closed => "the server closed the connection without answering".into(),
            StartupOutcome::Timeout => "no answer within the timeout".into(),
            StartupOutcome::Failed { message } => message.clone(),
        }
    }
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

/// The TLS versions the client allows (libpq's ssl_min_protocol_version / ssl_max_protocol_version).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientVersions {
    pub min: TlsVersion,
    pub max: Option<TlsVersion>,
}

impl Default for ClientVersions {
    /// libpq's defaults: TLSv1.2 and newer.
    fn default() -> Self {
        ClientVersions { min: TlsVersion::TLSv1_2, max: None }
    }
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
    ProbeFacts {
        target: target.clone(),
        started_at: OffsetDateTime::now_utc(),
        elapsed_ms: 0,
        reply: None,
        tls: None,
        chain: vec![],
        failure: None,
        server_versions: None,
        server_suites: None,
        startup: None,
        peer_ip: None,
        timings: Timings::default(),
        direct_tls: None,
        again: Vec::new(),
    }
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
        Ok((b, p, q)) => (Ok(b), p, q.map(FirstQuery::of)),
        Err(e) => (Err(e), Default::default(), None),
    };
    let outcome = match answer {
        Ok(Backend::Auth(request)) => StartupOutcome::Auth { request },
        Ok(Backend::Error(error)) => StartupOutcome::Refused { recognised: crate::explain::recognise_refusal(&error), error },
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

/// Whether the endpoint has a certificate of one key type: a TLS handshake that offers only
/// that family's signature schemes (a server whose only certificate is of another type
/// refuses it). PostgreSQL has one ssl_cert_file; a terminator may have one of each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyOffer {
    pub family: crate::tls::KeyFamily,
    pub offered: bool,
    /// The leaf's key when offered ("EC P-256", "RSA 2048").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
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
            password: password.expose(),
            channel_binding,
            end_point: Some(crate::x509::tls_server_end_point(&chain[0])),
        };
        match net::authenticate(session, &[("user", user.as_str()), ("database", database.as_str())], &creds) {
            Ok(net::AuthAnswer::Accepted { method, params, query }) => Authentication::Accepted { method, params, first_query: Some(FirstQuery::of(query)) },
            Ok(net::AuthAnswer::Refused(error)) => Authentication::Refused { recognised: crate::explain::recognise_refusal(&error), error },
            Ok(net::AuthAnswer::ClientGaveUp(message)) => Authentication::ClientGaveUp { message },
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

impl ProbeFacts {
    /// Facts of a completed handshake that presented `chain` (offline verdicts, tests).
    pub fn from_chain(chain: Vec<Cert>) -> ProbeFacts {
        let target = ProbeTarget { host: String::new(), hostaddr: None, port: 5432, sni: None, negotiation: SslNegotiation::Postgres, hostaddr_only: false };
        ProbeFacts { reply: Some(Negotiated::Accept), chain, ..empty(&target) }
    }

    /// The step and kind of a network failure, if that is how the probe ended.
    /// The SSLRequest got no PostgreSQL answer: the connection closed at once, or the first
    /// byte back was a TLS alert record (0x15). A PostgreSQL server always answers it ('S',
    /// 'N' or an ErrorResponse), so something else is listening or in the way.
    pub fn closed_at_sslrequest(&self) -> bool {
        self.target.negotiation == SslNegotiation::Postgres && (self.hung_up_at_sslrequest() || matches!(&self.reply, Some(Negotiated::Unexpected { byte: 0x15, .. })))
    }

    /// The connection closed, without a byte, while waiting for the SSLRequest's answer.
    pub fn hung_up_at_sslrequest(&self) -> bool {
        self.network_failure().is_some_and(|e| e.step == net::Step::SslReply && e.kind == net::FailureKind::Closed)
    }

    /// The direct-TLS attempt made after the SSLRequest got no answer, when it met a TLS
    /// server (a terminator that wants a ClientHello first).
    pub fn terminator(&self) -> Option<&ProbeFacts> {
        self.direct_tls.as_deref().filter(|d| !d.chain.is_empty())
    }

    pub fn network_failure(&self) -> Option<&NetError> {
        match &self.failure {
            Some(ProbeFailure::Network { error }) => Some(error),
            _ => None,
        }
    }

    pub fn handshake_failure(&self) -> Option<&HandshakeError> {
        match &self.failure {
            Some(ProbeFailure::Handshake { error }) => Some(error),
            _ => None,
        }
    }

    /// True when the probe ended with the server silent past the timeout at any step.
    pub fn timed_out(&self) -> bool {
        matches!(self.network_failure(), Some(NetError { kind: FailureKind::Timeout, .. }))
            || matches!(self.handshake_failure(), Some(HandshakeError::Timeout))
    }

    /// Step at which the probe stopped, if it failed.
    pub fn failed_step(&self) -> Option<Step> {
        match &self.failure {
            Some(ProbeFailure::Network { error }) => Some(error.step),
            Some(ProbeFailure::Handshake { .. }) => Some(Step::TlsHandshake),
            _ => None,
        }
    }
}
