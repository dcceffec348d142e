//! What a probe saw, as values: the target, each step's answer, the handshake, the login and
//! the first query. The probing is in `pgtls::probe`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::gathered::net::{self, FailureKind, Negotiated, NetError, Step};
use crate::gathered::tls::{HandshakeError, TlsFacts};
use crate::wire::startup::AuthRequest;
use crate::wire::{ErrorResponse, TlsVersion};

pub use crate::wire::SslNegotiation;
use crate::x509::Cert;

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
    /// See [`ProbeFacts::read_refusals`].
    pub fn read_refusals(&mut self, read: &dyn Fn(&ErrorResponse) -> Option<crate::findings::Code>) {
        let fill = |error: &ErrorResponse, recognised: &mut Option<crate::findings::Code>| {
            if recognised.is_none() {
                *recognised = read(error);
            }
        };
        if let StartupOutcome::Refused { error, recognised } = &mut self.outcome {
            fill(error, recognised);
        }
        match &mut self.authentication {
            Some(Authentication::Refused { error, recognised }) => fill(error, recognised),
            Some(Authentication::Accepted { first_query: Some(FirstQuery::Refused { error, recognised }), .. }) => fill(error, recognised),
            _ => {}
        }
        if let Some(FirstQuery::Refused { error, recognised }) = &mut self.first_query {
            fill(error, recognised);
        }
    }

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

/// What the server behind the address said of this session, read-only (`pgtls::net::BEHIND`):
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
    /// The row of the server-side query (`pgtls::net::BEHIND`): port, ssl, pg_stat_ssl.ssl,
    /// inet_client_addr.
    pub fn from_row(row: &[Option<String>]) -> Behind {
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
    /// (translated servers included), filled in by [`ProbeFacts::read_refusals`] before
    /// judging, so that judging never reads text.
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

/// Whether the endpoint has a certificate of one key type: a TLS handshake that offers only
/// that family's signature schemes (a server whose only certificate is of another type
/// refuses it). PostgreSQL has one ssl_cert_file; a terminator may have one of each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyOffer {
    pub family: crate::gathered::tls::KeyFamily,
    pub offered: bool,
    /// The leaf's key when offered ("EC P-256", "RSA 2048").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

impl ProbeFacts {
    /// Say which finding each of the server's refusals in this probe is (its login, its
    /// authentication, its first query; the direct-TLS and repeated connections too), by
    /// `read`: the text side's table of server messages (`pgtls_text::explain::recognise_refusal`).
    /// Gathering keeps the server's words only; the command layer reads them before the
    /// verdicts are derived, so judging never reads text and gathering needs no recogniser.
    /// A refusal already read (a replayed facts file) keeps its reading.
    pub fn read_refusals(&mut self, read: &dyn Fn(&ErrorResponse) -> Option<crate::findings::Code>) {
        if let Some(st) = &mut self.startup {
            st.read_refusals(read);
        }
        if let Some(d) = &mut self.direct_tls {
            d.read_refusals(read);
        }
        for a in &mut self.again {
            a.read_refusals(read);
        }
    }

    /// Nothing seen yet: a probe of `target` that starts at `started_at`.
    pub fn new(target: &ProbeTarget, started_at: OffsetDateTime) -> ProbeFacts {
        ProbeFacts {
            target: target.clone(),
            started_at,
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

    /// Facts of a completed handshake that presented `chain` (offline verdicts, tests); not a
    /// probe, so it started at the Unix epoch.
    pub fn from_chain(chain: Vec<Cert>) -> ProbeFacts {
        let target = ProbeTarget { host: String::new(), hostaddr: None, port: 5432, sni: None, negotiation: SslNegotiation::Postgres, hostaddr_only: false };
        ProbeFacts { reply: Some(Negotiated::Accept), chain, ..ProbeFacts::new(&target, OffsetDateTime::UNIX_EPOCH) }
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
