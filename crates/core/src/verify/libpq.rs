//! What libpq (PostgreSQL 15–18 client, OpenSSL 3) does with a given sslmode, sslrootcert,
//! host and server answer: connect or fail, with which error text, and why.
//!
//! Users paste libpq's messages, and the fix depends on which of libpq's branches produced
//! them, so the branches are modelled one by one, following `initialize_SSL`,
//! `open_client_SSL` (fe-secure-openssl.c), `pq_verify_peer_name_matches_certificate`
//! (fe-secure-common.c) and the sslmode fallbacks of `PQconnectPoll` (fe-connect.c):
//!
//! * The root file is `sslrootcert`, else `~/.postgresql/root.crt`. If it exists (`stat`
//!   succeeds — even for `sslmode=require`, `prefer` or `allow`) it is loaded with
//!   `SSL_CTX_load_verify_locations` (PEM only: a DER file or a directory fails with "no
//!   certificate or crl found") and the server chain is verified (`SSL_VERIFY_PEER`). This
//!   is why `require` "suddenly" verifies once someone drops a root.crt into ~/.postgresql.
//!   Reading the file is gathering ([`crate::gathered::trust::libpq_root`]); this module only decides.
//! * If it does not exist, verify-ca/verify-full fail before connecting ("root certificate
//!   file … does not exist"); weaker modes go on without verification.
//! * `sslrootcert=system` (PostgreSQL 16+) loads OpenSSL's default paths (`SSL_CERT_FILE`
//!   overrides), makes verify-full the default sslmode and rejects any other sslmode. For a
//!   PostgreSQL 15 client "system" is just a relative file name.
//! * Chain verification is OpenSSL's (see [`super`]): failure is "SSL error: certificate
//!   verify failed" whatever the reason; the reason is kept as a typed [`Failure`], so the
//!   checks can name the root cause (expired, incomplete chain, pinned intermediate …).
//! * Host name check only for verify-full, against `host` (never `hostaddr`): dNSName SANs
//!   (one leftmost `*` label), iPAddress SANs when host is an IP literal, the first CN only if
//!   no SAN of the host's type exists.
//! * `prefer` retries without TLS when the TLS attempt fails; `allow` starts without TLS.
//!
//! The verdict is a fact derived from gathered facts, never a finding: the checks turn its
//! [`Failure`] into findings. The error text is libpq's own message (what follows "failed: "
//! in psql's output).

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{build_paths, Options, PathFailure, PathReport};
use crate::gathered::net::NetError;
use crate::gathered::probe::StartupOutcome;
use crate::gathered::tls::HandshakeError;
use crate::wire::startup::AuthRequest;
use crate::wire::ErrorResponse;
use crate::gathered::trust::{RootTrust, TrustStore};
use crate::x509::{Cert, CertKind, San};

pub use crate::conninfo::SslMode;

/// libpq's outcome for one host, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub connects: bool,
    /// libpq's error message when it does not connect (no trailing newline).
    pub error: Option<String>,
    pub sslmode: SslMode,
    /// The session ends up encrypted.
    pub tls: bool,
    /// The server chain was verified against a trust store.
    pub chain_verified: bool,
    /// The host name was checked (verify-full) and matched.
    pub hostname_verified: bool,
    /// Which trust source the verdict used (e.g. `file /home/u/.postgresql/root.crt`).
    pub trust_source: Option<String>,
    /// The CRLs revocation was checked against (libpq checks none unless one loads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation: Option<String>,
    /// Why libpq fails — or, when it connects after all (`prefer` retrying without TLS),
    /// why the TLS attempt failed.
    pub failure: Option<Failure>,
    /// `prefer`/`allow` ended up without TLS after the TLS attempt failed.
    #[serde(default)]
    pub plaintext_fallback: bool,
    /// How the server asks this client to authenticate, when the startup phase got that far
    /// (TLS and pg_hba.conf let it in); `ok` means no password is needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<AuthRequest>,
    /// The server let the client all the way in (no password needed, or pgtls's password was
    /// accepted). False with `auth` set: the password step was not checked.
    #[serde(default)]
    pub authenticated: bool,
    /// Every trust path tried (when a chain was verified).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub paths: Option<PathReport>,
    /// The server's answer to the StartupMessage on the deciding attempt was seen (pg_hba.conf
    /// and the role were checked). False when the run stopped after TLS (`verify`, `probe`,
    /// `--no-startup`): a "connects" then says nothing about the login.
    #[serde(default)]
    pub login_checked: bool,
    /// Several connections to this address did not all get this verdict (a load balancer
    /// over differently configured servers): the client fails on `failed` of `of` of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intermittent: Option<Share>,
}

/// How many of the connections to one address fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    pub failed: usize,
    pub of: usize,
    /// Whose verdict this is: 0 the first connection, n the n-th further one
    /// (`ProbeFacts::again[n - 1]`).
    pub connection: usize,
}

/// libpq's verdict over the probe and its further connections (`ProbeFacts::again`, stopped
/// after TLS): when some fail where others connect, the client fails on that share of its
/// connections, and the verdict is a failing one — the first connection's when it fails, else
/// the first failing further one's — with `intermittent` set. The first connection is compared
/// up to TLS too, so a login refusal it alone saw is not mistaken for a difference.
pub fn across_connections(
    first: Verdict,
    client: &Client,
    root: &RootTrust,
    probe: &crate::gathered::probe::ProbeFacts,
    plain: Option<&crate::gathered::probe::ProbeFacts>,
) -> Verdict {
    if probe.again.is_empty() {
        return first;
    }
    let first_tls = decide(client, root, &crate::gathered::probe::ProbeFacts { startup: None, again: Vec::new(), ..probe.clone() }, plain);
    let others: Vec<Verdict> = probe.again.iter().map(|p| decide(client, root, p, plain)).collect();
    let of = 1 + others.len();
    let failed = usize::from(!first_tls.connects) + others.iter().filter(|v| !v.connects).count();
    if failed == 0 || failed == of {
        return first;
    }
    let share = |connection| Some(Share { failed, of, connection });
    if !first.connects {
        return Verdict { intermittent: share(0), ..first };
    }
    match others.into_iter().enumerate().find(|(_, v)| !v.connects) {
        Some((i, bad)) => Verdict { intermittent: share(i + 1), ..bad },
        None => Verdict { intermittent: share(0), ..first },
    }
}

/// Why libpq fails (or abandons TLS). One variant per branch of libpq that fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Failure {
    /// `sslrootcert=system` with an sslmode other than verify-full (libpq 16+).
    WeakSslModeWithSystemRoots { sslmode: SslMode },
    /// The server answered the SSLRequest with 'N' and the sslmode requires TLS.
    ServerRefusesTls,
    /// verify-ca/verify-full and no root certificate file (`path` None: no home directory).
    RootFileMissing { path: Option<String> },
    /// The root certificate file exists but OpenSSL cannot load it.
    RootFileUnreadable {
        path: String,
        reason: String,
        /// The path is a directory (libpq's sslrootcert must be a file).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        is_dir: bool,
    },
    /// sslrootcert=system and the system store cannot be loaded.
    SystemRootsUnavailable { reason: String },
    /// OpenSSL rejects the server chain.
    ChainUntrusted { cause: UntrustedCause },
    /// verify-full and the certificate does not name the host.
    HostnameMismatch { host: String, names: Vec<String> },
    /// verify-full without a `host` to check (hostaddr only).
    NoHostName,
    /// The connection broke before TLS could start (DNS, TCP, SSLRequest).
    Network { error: NetError },
    /// The TLS handshake itself failed.
    Handshake { error: HandshakeError },
    /// The server's answer could not be judged (see the probe's findings).
    Unjudged,
    /// libpq cannot load the client certificate or key (its message).
    ClientCertUnusable { message: String },
    /// The server answered the StartupMessage with an error (pg_hba.conf, a client certificate
    /// it requires or rejects, a missing role …), over TLS or not.
    /// `recognised`: which finding the server's words are (a fact of the probe).
    ServerRefused {
        error: ErrorResponse,
        encrypted: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        recognised: Option<crate::findings::Code>,
    },
    /// The server ended the TLS session with an alert after the handshake (typically refusing
    /// the client certificate: "unknown ca", "certificate required").
    SessionAlert { alert: String },
    /// The login worked, and the first query did not: a pooler that answered the login from
    /// its cache cannot reach its server (see `probe::FirstQuery`). psql fails on its first
    /// command, not at login; libpq stays on this host (it connected).
    FirstQuery { query: crate::gathered::probe::FirstQuery },
    /// The connection broke during the startup phase.
    StartupBroken { message: String },
    /// The connection string names `keyword`, which libpq knows only from version `since` on
    /// (the modelled libpq is `libpq`).
    InvalidOption { keyword: String, since: u32, libpq: u32 },
    /// The server asks for a password (`method`) and libpq has none.
    PasswordMissing { method: String },
    /// libpq stops authenticating by itself (channel binding required but not offered …).
    AuthenticationStopped { message: String },
    /// sslcertmode=require and the server did not ask for a certificate (`requested` false)
    /// or let the client in without one.
    ClientCertNotUsed { requested: bool },
    /// The server let the client in but is not what target_session_attrs asks for.
    SessionAttrs { wanted: crate::profile::SessionAttrs },
    /// libpq 17+ with direct SSL: the TLS handshake completed without the server selecting
    /// ALPN "postgresql" (a TLS terminator that is not PostgreSQL answered).
    AlpnMissing,
}

impl Failure {
    /// libpq fails while checking its options, before it resolves or connects anything.
    pub fn before_connect(&self) -> bool {
        matches!(self, Failure::InvalidOption { .. } | Failure::WeakSslModeWithSystemRoots { .. })
    }

    /// libpq passes its attempt on to the next host (or address) after this failure; every
    /// other failure ends the whole attempt. fe-connect.c sets `try_next_addr`/`try_next_host`
    /// in the same places in 15.18, 16, 17.11 and 18.6 (docs/libpq-rules.md has the lines):
    /// where the server could not be reached — the name does not resolve, `connect()` fails,
    /// `connect_timeout` expires at any step —, where the server answers the startup with
    /// SQLSTATE 57P03 (`cannot_connect_now`: starting up, shutting down, in recovery), and
    /// where a server that let the client in is not what `target_session_attrs` asks for.
    /// Everything else goes to `error_return`, which has no "more hosts?" test: an SSL failure
    /// (the server refusing TLS, a handshake or certificate failure, the client's own files, a
    /// missing ALPN), any other ErrorResponse (pg_hba.conf, passwords, roles, too many
    /// clients), a client-side authentication failure or a broken connection. psql reports
    /// that host's error and never tries the next one ("If a connection is established
    /// successfully, but authentication fails, the remaining hosts in the list are not tried",
    /// libpq.sgml). prefer/allow retry the *same* host first; that is inside one verdict.
    pub fn moves_to_next_host(&self) -> bool {
        use crate::gathered::net::{FailureKind, Step};
        match self {
            Failure::Network { error } => matches!(error.step, Step::Resolve | Step::Connect) || error.kind == FailureKind::Timeout,
            Failure::SessionAttrs { .. } => true,
            Failure::ServerRefused { error, .. } => error.code.as_deref() == Some("57P03"),
            _ => false,
        }
    }

    /// For a server's refusal: which finding code its message is (recognised when it was
    /// gathered, by the same patterns as `pgtls explain`).
    pub fn recognised(&self) -> Option<crate::findings::Code> {
        match self {
            Failure::ServerRefused { recognised, .. } => *recognised,
            _ => None,
        }
    }
}

/// The most specific reason OpenSSL rejects a chain, for the root-cause finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum UntrustedCause {
    /// A certificate of the best path is outside its validity period.
    Expired { depth: usize, subject: String, sha256: String, in_store: bool, #[serde(with = "time::serde::rfc3339")] not_after: OffsetDateTime },
    NotYetValid { depth: usize, subject: String, sha256: String, in_store: bool, #[serde(with = "time::serde::rfc3339")] not_before: OffsetDateTime },
    /// The server sent only its own certificate and its issuer (an intermediate, by every
    /// sign) is neither sent nor trusted: the server must send it.
    ChainIncomplete { subject: String, issuer: String, aki: Option<String> },
    /// The trust store holds no self-signed root at all, only intermediates or server
    /// certificates: OpenSSL (without PARTIAL_CHAIN) accepts none of them as an anchor.
    NoRootInStore { entries: Vec<(String, CertKind)> },
    /// Any other reason: the chain ends at a root the store does not have, a self-signed
    /// server certificate, a bad signature, purpose, key size …
    Other { failure: PathFailure, subject: String, issuer: String },
}

/// What the server answered, as the probe saw it.
#[derive(Debug, Clone, Copy)]
pub enum Answer<'a> {
    /// 'N' to the SSLRequest.
    Refused,
    /// A certificate chain (leaf first).
    Chain(&'a [Cert]),
    NetworkFailed(&'a NetError),
    HandshakeFailed(&'a HandshakeError),
    /// Anything else (garbage, an error response …).
    Unjudged,
}

impl<'a> Answer<'a> {
    /// The answer a probe recorded.
    pub fn of(p: &'a crate::gathered::probe::ProbeFacts) -> Answer<'a> {
        if matches!(p.reply, Some(crate::gathered::net::Negotiated::Refuse)) {
            return Answer::Refused;
        }
        if let Some(h) = p.handshake_failure() {
            // Our handshake offered exactly the client's versions, so its failure is libpq's —
            // except when the server only lacks suites that our TLS stack does not implement
            // (CBC-only servers): OpenSSL negotiates those, and the chain (read from a raw
            // TLS 1.2 hello) is what libpq would judge.
            let stack_limit = matches!(h.alert(), Some("handshake failure" | "insufficient security"))
                && p.server_suites.as_ref().is_some_and(|s| !s.is_empty());
            if !stack_limit || p.chain.is_empty() {
                return Answer::HandshakeFailed(h);
            }
        }
        if !p.chain.is_empty() {
            return Answer::Chain(&p.chain);
        }
        match (p.network_failure(), p.handshake_failure()) {
            (Some(e), _) => Answer::NetworkFailed(e),
            (None, Some(h)) => Answer::HandshakeFailed(h),
            _ => Answer::Unjudged,
        }
    }
}

/// The client side of the decision.
#[derive(Debug, Clone)]
pub struct Client<'a> {
    /// libpq's effective sslmode.
    pub sslmode: SslMode,
    pub libpq: u32,
    /// sslrootcert=system (libpq 16+).
    pub system_roots: bool,
    /// The `host` parameter (checked by verify-full); `None` with hostaddr only.
    pub host: Option<&'a str>,
    /// The `hostaddr` parameter (a host-less connection is named by it in libpq's texts).
    pub hostaddr: Option<&'a str>,
    /// The client's TLS range, as libpq names it in its protocol-version hint.
    pub tls_min: crate::wire::TlsVersion,
    pub tls_max: Option<crate::wire::TlsVersion>,
    pub at: OffsetDateTime,
    /// OpenSSL security level.
    pub security_level: u8,
    /// Whether pg_hba.conf lets this client in without TLS (unknown: assumed yes).
    pub server_accepts_plaintext: bool,
    pub port: u16,
    /// libpq cannot load the client certificate or key: its message (it fails the TLS attempt).
    pub client_cert_error: Option<String>,
    /// The connection string names a keyword this libpq does not know: it fails at once.
    pub invalid_option: Option<crate::profile::InvalidOption>,
    /// libpq has a password for this host (explicit, PGPASSWORD, password file).
    pub password_available: bool,
    /// libpq 16+ `sslcertmode` (older libpq: as `allow`).
    pub sslcertmode: crate::conninfo::SslCertMode,
    /// `target_session_attrs`.
    pub session_attrs: crate::profile::SessionAttrs,
}

impl<'a> Client<'a> {
    /// The client of `profile` connecting to `target`.
    pub fn of(profile: &crate::profile::ClientProfile, target: &'a crate::gathered::probe::ProbeTarget) -> Client<'a> {
        Client {
            sslmode: profile.sslmode,
            libpq: profile.libpq,
            system_roots: profile.system_roots(),
            // hostaddr-only targets carry the address in `host` too; libpq has no host then.
            host: (!target.hostaddr_only).then_some(target.host.as_str()),
            hostaddr: target.hostaddr.as_deref(),
            tls_min: profile.tls_min,
            tls_max: profile.tls_max,
            at: profile.at,
            security_level: profile.security_level,
            server_accepts_plaintext: true,
            port: target.port,
            client_cert_error: None,
            invalid_option: profile.invalid_option.clone(),
            password_available: false,
            sslcertmode: profile.sslcertmode,
            session_attrs: profile.session_attrs,
        }
    }
}

const ROOT_HINT_16: &str = "Either provide the file, use the system's trusted roots with sslrootcert=system, or change sslmode to disable server certificate verification.";
const ROOT_HINT_15: &str = "Either provide the file or change sslmode to disable server certificate verification.";

struct Attempt {
    connects: bool,
    failure: Option<Failure>,
    error: Option<String>,
    tls: bool,
    verified: bool,
    hostname: bool,
    fallback: bool,
    auth: Option<AuthRequest>,
    authenticated: bool,
}

impl Attempt {
    fn fails(failure: Failure, error: String) -> Attempt {
        Attempt {
            connects: false,
            failure: Some(failure),
            error: Some(error),
            tls: false,
            verified: false,
            hostname: false,
            fallback: false,
            auth: None,
            authenticated: false,
        }
    }
    fn plaintext() -> Attempt {
        Attempt { connects: true, failure: None, error: None, tls: false, verified: false, hostname: false, fallback: false, auth: None, authenticated: false }
    }
}

/// The server's authentication request, and how it ended when pgtls could finish it: libpq
/// without a password stops with "fe_sendauth: no password supplied"; with one, the second
/// connection's result decides; a password pgtls could not try leaves the verdict "connects,
/// authentication unchecked".
fn after_auth_request(
    client: &Client,
    request: &AuthRequest,
    st: &crate::gathered::probe::StartupFacts,
    cert_request: Option<&crate::gathered::tls::CertRequest>,
    base: Attempt,
) -> Attempt {
    use crate::gathered::probe::Authentication;
    let pending = Attempt { auth: Some(request.clone()), authenticated: !request.needs_password(), ..base };
    // After ReadyForQuery: target_session_attrs against what the server reported. (What TLS
    // established is kept by the caller, `tls_attempt`'s session step.)
    let attrs = |o: Attempt, params: &crate::gathered::net::ServerParams| -> Attempt {
        match client.session_attrs.refusal(params) {
            Some(text) if o.connects => Attempt {
                auth: o.auth.clone(),
                authenticated: o.authenticated,
                ..Attempt::fails(Failure::SessionAttrs { wanted: client.session_attrs }, text.to_string())
            },
            _ => o,
        }
    };
    // fe-auth.c check_expected_areq (libpq 16+): sslcertmode=require is enforced when the
    // server says AuthenticationOk.
    let cert_mode = |o: Attempt| -> Attempt {
        if client.sslcertmode != crate::conninfo::SslCertMode::Require {
            return o;
        }
        let (requested, sent) = cert_request.map(|r| (true, r.sent)).unwrap_or((false, false));
        match (requested, sent) {
            (false, _) => Attempt::fails(Failure::ClientCertNotUsed { requested }, "server did not request an SSL certificate".into()),
            (true, false) => Attempt::fails(Failure::ClientCertNotUsed { requested }, "server accepted connection without a valid SSL certificate".into()),
            _ => o,
        }
    };
    // After the login: the first query, which a pooler may be unable to serve.
    let query = |o: Attempt| -> Attempt {
        match st.first_query() {
            Some(q) if o.connects && !q.answered() => Attempt {
                auth: o.auth.clone(),
                authenticated: o.authenticated,
                ..Attempt::fails(Failure::FirstQuery { query: q.clone() }, first_query_text(q))
            },
            _ => o,
        }
    };
    if !request.needs_password() {
        return query(attrs(cert_mode(pending), &st.params));
    }
    match &st.authentication {
        Some(Authentication::Accepted { params, .. }) => query(attrs(cert_mode(Attempt { authenticated: true, ..pending }), params)),
        Some(Authentication::Refused { error, recognised }) => {
            startup_failure(&StartupOutcome::Refused { error: error.clone(), recognised: *recognised }, st.encrypted)
        }
        Some(Authentication::ClientGaveUp { message }) => {
            Attempt::fails(Failure::AuthenticationStopped { message: message.clone() }, message.clone())
        }
        _ if client.password_available => pending,
        _ => Attempt {
            auth: Some(request.clone()),
            ..Attempt::fails(Failure::PasswordMissing { method: request.method().to_string() }, "fe_sendauth: no password supplied".into())
        },
    }
}

/// Decide like libpq. `tls` is the probe of the TLS attempt (SSLRequest or direct SSL);
/// `plain` the plaintext attempt, when it was gathered (sslmode disable, allow, prefer with the
/// startup phase followed). Without a plaintext attempt, the server is assumed to let the client
/// in unencrypted when libpq would try that (`Client::server_accepts_plaintext`).
pub fn decide(client: &Client, root: &RootTrust, tls: &crate::gathered::probe::ProbeFacts, plain: Option<&crate::gathered::probe::ProbeFacts>) -> Verdict {
    let mode = client.sslmode;
    let peer_ip = tls.peer_ip.as_deref().or(plain.and_then(|p| p.peer_ip.as_deref()));
    let mut trust_source = None;
    let mut paths = None;
    let mut tls_leg = || tls_attempt(client, root, tls, &mut trust_source, &mut paths);
    let o = if let Some(bad) = &client.invalid_option {
        // PQconnectdb rejects the string before it resolves or connects anything.
        Attempt::fails(Failure::InvalidOption { keyword: bad.keyword.clone(), since: bad.since, libpq: client.libpq }, bad.message.clone())
    } else if client.system_roots && mode != SslMode::VerifyFull {
        let e = format!("weak sslmode \"{}\" may not be used with sslrootcert=system (use \"verify-full\")", mode.as_str());
        Attempt::fails(Failure::WeakSslModeWithSystemRoots { sslmode: mode }, e)
    } else {
        match mode {
            SslMode::Disable => plain_attempt(client, plain),
            // allow: plaintext first; TLS only when the server answers that with an error.
            SslMode::Allow => {
                let first = plain_attempt(client, plain);
                if first.connects || !matches!(first.failure, Some(Failure::ServerRefused { .. })) {
                    first
                } else {
                    let second = tls_leg();
                    if second.connects {
                        second
                    } else {
                        join(client, peer_ip, first, second)
                    }
                }
            }
            // prefer: TLS first; plaintext after the TLS attempt failed while setting up TLS
            // (pqsecure_open_client) or the server answered it with an error. A failure while
            // reading the answer (an alert after the handshake, a closed connection) or on the
            // client's side of authentication is final (fe-connect.c goes to error_return).
            SslMode::Prefer => {
                let first = tls_leg();
                let final_failure = matches!(
                    first.failure,
                    Some(
                        Failure::Network { .. }
                            | Failure::SessionAlert { .. }
                            | Failure::StartupBroken { .. }
                            | Failure::PasswordMissing { .. }
                            | Failure::AuthenticationStopped { .. }
                            | Failure::ClientCertNotUsed { .. }
                            | Failure::SessionAttrs { .. }
                            | Failure::FirstQuery { .. }
                    )
                );
                if first.connects || final_failure {
                    first
                } else {
                    let second = plain_attempt(client, plain);
                    if second.connects {
                        Attempt { fallback: true, failure: first.failure, ..second }
                    } else if first.failure == Some(Failure::ServerRefusesTls) {
                        second
                    } else {
                        join(client, peer_ip, first, second)
                    }
                }
            }
            _ => tls_leg(),
        }
    };
    let revocation = trust_source.as_ref().and_then(|_| root.store()?.revocation.as_ref()).map(|r| r.describe());
    let login_checked = if o.tls { tls.startup.is_some() } else { plain.is_some_and(|p| p.startup.is_some()) };
    Verdict {
        login_checked,
        connects: o.connects,
        error: o.error,
        sslmode: mode,
        tls: o.tls,
        chain_verified: o.verified,
        hostname_verified: o.hostname,
        trust_source,
        revocation,
        failure: o.failure,
        plaintext_fallback: o.fallback,
        auth: o.auth,
        authenticated: o.authenticated,
        paths,
        intermittent: None,
    }
}

/// Two failed attempts: libpq reports both, the second behind its own "connection to server at
/// … failed: " line.
fn join(client: &Client, peer_ip: Option<&str>, first: Attempt, second: Attempt) -> Attempt {
    let error = match (&first.error, &second.error) {
        (Some(a), Some(b)) => Some(format!("{a}\n{}{b}", attempt_prefix(client, peer_ip))),
        (a, b) => a.clone().or(b.clone()),
    };
    Attempt { error, ..first }
}

/// `connection to server at "HOST" (ADDR), port PORT failed: ` as libpq 15+ starts each attempt's
/// error: fe-connect.c `emitHostIdentityInfo`: with hostaddr, libpq names the address alone; with a
/// host name, the name and, when it differs, the address it was resolved to.
pub fn attempt_prefix(client: &Client, peer_ip: Option<&str>) -> String {
    match (client.hostaddr, client.host) {
        (Some(a), _) => format!("connection to server at \"{a}\", port {} failed: ", client.port),
        (None, Some(h)) => match peer_ip.filter(|ip| *ip != h) {
            Some(ip) => format!("connection to server at \"{h}\" ({ip}), port {} failed: ", client.port),
            None => format!("connection to server at \"{h}\", port {} failed: ", client.port),
        },
        (None, None) => format!("connection to server at \"\", port {} failed: ", client.port),
    }
}

/// The plaintext attempt: the server's answer to a StartupMessage without TLS.
fn plain_attempt(client: &Client, plain: Option<&crate::gathered::probe::ProbeFacts>) -> Attempt {
    let Some(p) = plain else {
        return if client.server_accepts_plaintext {
            Attempt::plaintext()
        } else {
            Attempt::fails(Failure::Unjudged, "server requires an encrypted connection (pg_hba.conf has no non-SSL entry for this client)".into())
        };
    };
    if let Some(e) = p.network_failure() {
        return Attempt::fails(Failure::Network { error: e.clone() }, network_text(client, e));
    }
    match p.startup.as_ref() {
        Some(st @ crate::gathered::probe::StartupFacts { outcome: StartupOutcome::Auth { request }, .. }) => {
            after_auth_request(client, request, st, None, Attempt::plaintext())
        }
        Some(st) => startup_failure(&st.outcome, false),
        None => Attempt::plaintext(),
    }
}

/// What psql prints when its first command fails after a login that worked.
fn first_query_text(q: &crate::gathered::probe::FirstQuery) -> String {
    use crate::gathered::probe::FirstQuery;
    const LOST: &str = "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.";
    match q {
        FirstQuery::Answered { .. } => String::new(),
        FirstQuery::Refused { error, .. } => {
            let severity = error.severity.as_deref().unwrap_or("ERROR");
            let mut text = format!("{severity}:  {}", error.message);
            if severity == "FATAL" {
                text.push('\n');
                text.push_str(LOST);
            }
            text
        }
        FirstQuery::NoAnswer { timed_out: true, .. } => {
            "the first query (SELECT 1) got no answer within pgtls's timeout; psql waits on (PgBouncer ends the wait with \"query_wait_timeout\", after 120 s by default)".into()
        }
        FirstQuery::NoAnswer { .. } => LOST.into(),
    }
}

/// A failed startup phase, in libpq's words.
fn startup_failure(o: &StartupOutcome, encrypted: bool) -> Attempt {
    match o {
        StartupOutcome::Refused { error, recognised } => {
            let mut text = format!("{}:  {}", error.severity.as_deref().unwrap_or("FATAL"), error.message);
            if let Some(d) = &error.detail {
                text.push_str(&format!("\nDETAIL:  {d}"));
            }
            if let Some(h) = &error.hint {
                text.push_str(&format!("\nHINT:  {h}"));
            }
            Attempt::fails(Failure::ServerRefused { error: error.clone(), encrypted, recognised: *recognised }, text)
        }
        StartupOutcome::TlsAlert { alert } => {
            Attempt::fails(Failure::SessionAlert { alert: alert.clone() }, format!("SSL error: {}", openssl_alert(alert)))
        }
        StartupOutcome::Closed => Attempt::fails(
            Failure::StartupBroken { message: "closed".into() },
            "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.".into(),
        ),
        StartupOutcome::Timeout => Attempt::fails(Failure::StartupBroken { message: "timeout".into() }, "timeout expired".into()),
        StartupOutcome::Failed { message } => Attempt::fails(Failure::StartupBroken { message: message.clone() }, message.clone()),
        StartupOutcome::Auth { .. } => Attempt::plaintext(),
    }
}

/// OpenSSL's reason text for a TLS alert the peer sent: alerts SSL 3.0 defined read `sslv3
/// alert …`, TLS 1.0's `tlsv1 alert …`, TLS 1.3's `tlsv13 alert …` (ssl/ssl_err.c).
pub fn openssl_alert(alert: &str) -> String {
    const SSLV3: [&str; 11] = [
        "close notify",
        "unexpected message",
        "bad record mac",
        "decompression failure",
        "handshake failure",
        "no certificate",
        "bad certificate",
        "unsupported certificate",
        "certificate revoked",
        "certificate expired",
        "certificate unknown",
    ];
    if alert == "certificate required" {
        format!("tlsv13 alert {alert}")
    } else if SSLV3.contains(&alert) || alert == "illegal parameter" {
        format!("sslv3 alert {alert}")
    } else {
        format!("tlsv1 alert {alert}")
    }
}

/// The TLS attempt: handshake, libpq's chain and host name rules, then the startup phase.
fn tls_attempt(
    client: &Client,
    root: &RootTrust,
    probe: &crate::gathered::probe::ProbeFacts,
    trust_source: &mut Option<String>,
    paths: &mut Option<PathReport>,
) -> Attempt {
    let mode = client.sslmode;
    let answer = Answer::of(probe);
    match answer {
        Answer::Refused => {
            return Attempt::fails(Failure::ServerRefusesTls, "server does not support SSL, but SSL was required".into())
        }
        Answer::NetworkFailed(e) => return Attempt::fails(Failure::Network { error: e.clone() }, network_text(client, e)),
        _ => {}
    }
    // initialize_SSL runs once the server agreed to TLS (or at once with direct SSL): the root
    // file first, then the client certificate and key; any failure ends the attempt before
    // the handshake (psql with a missing root file and a stopped server says "Connection refused").
    if let Some(o) = root_failure(client, root) {
        return o;
    }
    if let Some(message) = &client.client_cert_error {
        return Attempt::fails(Failure::ClientCertUnusable { message: message.clone() }, message.clone());
    }
    let chain = match answer {
        Answer::HandshakeFailed(h) => {
            let text = match h.alert() {
                // fe-secure-openssl.c adds the client's own range after a version refusal
                // (unset bounds read as OpenSSL's: TLSv1 and TLSv1.3).
                Some(a @ "protocol version") => format!(
                    "SSL error: tlsv1 alert {a}\nThis may indicate that the server does not support any SSL protocol version between {} and {}.",
                    client.tls_min.name(),
                    client.tls_max.unwrap_or(crate::wire::TlsVersion::TLSv1_3).name()
                ),
                Some(a) => format!("SSL error: {}", openssl_alert(a)),
                None => format!("SSL error: {h}"),
            };
            return Attempt::fails(Failure::Handshake { error: h.clone() }, text);
        }
        Answer::Unjudged | Answer::Refused | Answer::NetworkFailed(_) => {
            return Attempt::fails(Failure::Unjudged, "the server's answer could not be judged (see findings)".into())
        }
        Answer::Chain(c) => c,
    };
    // The startup phase runs inside the TLS session: whatever it decides, what TLS
    // established (encryption, a verified chain and host name) stays true.
    let session = |o: Attempt| {
        let (tls, verified, hostname) = (o.tls, o.verified, o.hostname);
        let r = match probe.startup.as_ref() {
            Some(st @ crate::gathered::probe::StartupFacts { outcome: StartupOutcome::Auth { request }, .. }) => {
                after_auth_request(client, request, st, probe.tls.as_ref().and_then(|t| t.cert_request.as_ref()), o)
            }
            Some(st) => startup_failure(&st.outcome, true),
            None => o,
        };
        Attempt { tls, verified, hostname, ..r }
    };
    let encrypted = Attempt { tls: true, ..Attempt::plaintext() };
    // libpq 17+ with sslnegotiation=direct: once SSL_connect succeeded (the chain was checked
    // inside it when a root store is loaded), open_client_SSL requires the server to have
    // selected ALPN "postgresql", before it looks at the host name (fe-secure-openssl.c).
    let alpn_failure = || -> Option<Attempt> {
        if client.libpq < 17 || probe.target.negotiation != crate::wire::SslNegotiation::Direct {
            return None;
        }
        match probe.tls.as_ref().and_then(|t| t.alpn.as_deref()) {
            Some("postgresql") => None,
            None => Some(Attempt::fails(
                Failure::AlpnMissing,
                "direct SSL connection was established without ALPN protocol negotiation extension".into(),
            )),
            Some(_) => Some(Attempt::fails(Failure::AlpnMissing, "SSL connection was established with unexpected ALPN protocol".into())),
        }
    };
    let store = match root {
        RootTrust::Loaded(s) => s,
        RootTrust::Absent { .. } => return alpn_failure().unwrap_or_else(|| session(encrypted)),
        // A weaker sslmode with an unreadable root file: libpq fails on it too.
        _ => return root_failure(client, root).unwrap_or_else(|| Attempt::fails(Failure::Unjudged, String::new())),
    };
    *trust_source = Some(store.source.clone());
    let report = match build_paths(chain, store, &Options { security_level: client.security_level, ..Options::at(client.at) }) {
        Ok(r) => r,
        Err(e) => return Attempt::fails(Failure::Unjudged, format!("SSL error: {e}")),
    };
    if !report.verified() {
        let cause = untrusted_cause(&report, chain, store);
        *paths = Some(report);
        return Attempt::fails(Failure::ChainUntrusted { cause }, "SSL error: certificate verify failed".into());
    }
    *paths = Some(report);
    if let Some(o) = alpn_failure() {
        return o;
    }
    let verified = Attempt { verified: true, ..encrypted };
    if mode != SslMode::VerifyFull {
        return session(verified);
    }
    let Some(host) = client.host.filter(|h| !h.is_empty()) else {
        return Attempt::fails(Failure::NoHostName, "host name must be specified for a verified SSL connection".into());
    };
    match check_host(&chain[0], host) {
        Ok(()) => session(Attempt { hostname: true, ..verified }),
        Err(e) => {
            let names = chain[0].dns_names().map(String::from).chain(chain[0].subject_cn.clone()).collect();
            Attempt::fails(Failure::HostnameMismatch { host: host.to_string(), names }, e)
        }
    }
}

/// libpq's words for a connection that broke before TLS (fe-connect.c, PostgreSQL 15+), as
/// they follow "connection to server at … failed: " in psql's output (a name that does not
/// resolve has no such prefix).
fn network_text(client: &Client, e: &NetError) -> String {
    use crate::gathered::net::{FailureKind, Step};
    let host = client.host.or(client.hostaddr).unwrap_or("");
    match (e.step, e.kind) {
        (Step::Resolve, FailureKind::Timeout) => format!("could not translate host name \"{host}\" to address: timeout expired"),
        (Step::Resolve, _) => {
            let reason = e.message.rsplit(": ").next().unwrap_or(&e.message);
            format!("could not translate host name \"{host}\" to address: {reason}")
        }
        (_, FailureKind::Timeout) => "timeout expired".to_string(),
        (Step::Connect, _) => {
            let strerror = e.message.split(" (os error").next().unwrap_or(&e.message);
            format!("{strerror}\n\tIs the server running on that host and accepting TCP/IP connections?")
        }
        (_, FailureKind::Closed) => "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.".to_string(),
        _ => e.message.clone(),
    }
}

/// The root-file failures libpq reports before connecting (verify-*), or on a weaker sslmode
/// when the file exists but cannot be read.
fn root_failure(client: &Client, root: &RootTrust) -> Option<Attempt> {
    let hint = if client.libpq >= 16 { ROOT_HINT_16 } else { ROOT_HINT_15 };
    match root {
        RootTrust::Absent { path: None } if client.sslmode >= SslMode::VerifyCa => Some(Attempt::fails(
            Failure::RootFileMissing { path: None },
            format!("could not get home directory to locate root certificate file\n{hint}"),
        )),
        RootTrust::Absent { path: Some(p) } if client.sslmode >= SslMode::VerifyCa => Some(Attempt::fails(
            Failure::RootFileMissing { path: Some(p.display().to_string()) },
            format!("root certificate file \"{}\" does not exist\n{hint}", p.display()),
        )),
        RootTrust::Unreadable { path, reason, is_dir } => Some(Attempt::fails(
            Failure::RootFileUnreadable { path: path.display().to_string(), reason: reason.clone(), is_dir: *is_dir },
            format!("could not read root certificate file \"{}\": {reason}", path.display()),
        )),
        RootTrust::SystemUnavailable { reason } => Some(Attempt::fails(
            Failure::SystemRootsUnavailable { reason: reason.clone() },
            format!("could not load system root certificate paths: {reason}"),
        )),
        _ => None,
    }
}

/// Name the root cause of a rejected chain from the attempt OpenSSL most likely reports.
fn untrusted_cause(report: &PathReport, chain: &[Cert], store: &TrustStore) -> UntrustedCause {
    if !store.entries.is_empty() && store.entries.iter().all(|e| e.cert.kind != CertKind::Root) {
        return UntrustedCause::NoRootInStore {
            entries: store.entries.iter().map(|e| (e.cert.subject.clone(), e.cert.kind)).collect(),
        };
    }
    let Some(best) = report.best_failure() else {
        return UntrustedCause::Other { failure: PathFailure::BudgetExhausted, subject: chain[0].subject.clone(), issuer: chain[0].issuer.clone() };
    };
    let failure = best.failure.clone().unwrap_or(PathFailure::BudgetExhausted);
    let depth = failure.depth().unwrap_or(0);
    let at = best.certs.get(depth).or(best.certs.last());
    let cert = at.and_then(|pc| chain.iter().chain(store.certs()).find(|c| c.sha256 == pc.sha256));
    let in_store = at.is_some_and(|pc| matches!(pc.origin, super::Origin::Store(_)));
    match (&failure, cert) {
        (PathFailure::Expired { .. }, Some(c)) => UntrustedCause::Expired {
            depth,
            subject: c.subject.clone(),
            sha256: c.sha256.clone(),
            in_store,
            not_after: c.not_after,
        },
        (PathFailure::NotYetValid { .. }, Some(c)) => UntrustedCause::NotYetValid {
            depth,
            subject: c.subject.clone(),
            sha256: c.sha256.clone(),
            in_store,
            not_before: c.not_before,
        },
        // The server sent one certificate, not self-signed and not a CA, and nothing here
        // issued it: every public and most private PKIs put an intermediate there.
        (PathFailure::UnableToGetLocalIssuer { depth: 0 }, Some(c)) if chain.len() == 1 && c.kind == CertKind::Leaf => {
            UntrustedCause::ChainIncomplete { subject: c.subject.clone(), issuer: c.issuer.clone(), aki: c.aki.clone() }
        }
        (_, c) => UntrustedCause::Other {
            failure,
            subject: c.map(|c| c.subject.clone()).unwrap_or_default(),
            issuer: c.map(|c| c.issuer.clone()).unwrap_or_default(),
        },
    }
}

/// What the server offers one connection, when no probe says more: the per-connection facts
/// a verdict reads besides the client ([`ClientProfile`](crate::profile::ClientProfile)).
#[derive(Debug, Clone)]
pub struct ServerSide {
    /// What the server sends, leaf first; empty when it answers the SSLRequest with 'N'.
    pub chain: Vec<Cert>,
    /// The server lets this client in without TLS (pg_hba.conf `host` lines, not `hostssl`).
    pub accepts_plaintext: bool,
}

/// libpq's verdict for the client of `profile` connecting to `target`, on a server that offers
/// `server`, with the root store as gathering loaded it (`root`): no probe, no file read. For
/// tests, the stack comparison and one-off use (a run decides from its probes, [`decide`]).
pub fn decide_offered(profile: &crate::profile::ClientProfile, target: &crate::gathered::probe::ProbeTarget, server: &ServerSide, root: &RootTrust) -> Verdict {
    let client = Client { server_accepts_plaintext: server.accepts_plaintext, ..Client::of(profile, target) };
    let mut probe = crate::gathered::probe::ProbeFacts::from_chain(server.chain.clone());
    if server.chain.is_empty() {
        probe.reply = Some(crate::gathered::net::Negotiated::Refuse);
    }
    decide(&client, root, &probe, None)
}

/// Is `host` an IP literal, as libpq's `is_ip_address` (inet_aton or inet_pton AF_INET6)?
pub fn parse_ip(host: &str) -> Option<IpAddr> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Some(ip);
    }
    inet_aton(host).map(IpAddr::V4)
}

/// The classic inet_aton forms: a, a.b, a.b.c, a.b.c.d with decimal, octal (0…) or hex (0x…).
fn inet_aton(s: &str) -> Option<std::net::Ipv4Addr> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let nums: Vec<u64> = parts
        .iter()
        .map(|p| {
            if let Some(h) = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
                u64::from_str_radix(h, 16).ok()
            } else if p.len() > 1 && p.starts_with('0') {
                u64::from_str_radix(&p[1..], 8).ok()
            } else if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) {
                p.parse().ok()
            } else {
                None
            }
        })
        .collect::<Option<_>>()?;
    let (last, init) = nums.split_last()?;
    if init.iter().any(|&n| n > 255) || *last >= 1u64 << (8 * (4 - init.len())) {
        return None;
    }
    let mut v: u64 = 0;
    for (i, n) in init.iter().enumerate() {
        v |= n << (24 - 8 * i);
    }
    Some(std::net::Ipv4Addr::from((v | last) as u32))
}

/// libpq's wildcard rule: `*.` prefix only, `*` never spans a dot, case-insensitive.
pub fn wildcard_match(pattern: &str, host: &str) -> bool {
    let (p, h) = (pattern.as_bytes(), host.as_bytes());
    if p.len() < 3 || p[0] != b'*' || p[1] != b'.' || p.len() > h.len() {
        return false;
    }
    let start = h.len() - p.len();
    if !p[1..].eq_ignore_ascii_case(&h[start + 1..]) {
        return false;
    }
    match h.iter().position(|&c| c == b'.') {
        Some(first_dot) => first_dot >= start,
        None => true,
    }
}

/// The verify-full name check: `Ok` or libpq's error text.
pub fn check_host(leaf: &Cert, host: &str) -> Result<(), String> {
    let host_ip = parse_ip(host);
    let mut check_cn = true;
    let mut examined = 0usize;
    let mut first: Option<String> = None;
    let mut matched = false;
    for san in leaf.sans() {
        let (is_ip, name, hit) = match san {
            San::Dns(d) => {
                if d.contains('\0') {
                    return Err("SSL certificate's name contains embedded null".into());
                }
                (
                    false,
                    d.clone(),
                    d.eq_ignore_ascii_case(host) || wildcard_match(d, host),
                )
            }
            San::Ip(b) => {
                let ip: IpAddr = match b.len() {
                    4 => IpAddr::from([b[0], b[1], b[2], b[3]]),
                    16 => {
                        let mut a = [0u8; 16];
                        a.copy_from_slice(b);
                        IpAddr::from(a)
                    }
                    n => {
                        return Err(format!(
                            "certificate contains IP address with invalid length {n}"
                        ))
                    }
                };
                (true, ip.to_string(), host_ip == Some(ip))
            }
        };
        if is_ip == host_ip.is_some() {
            check_cn = false;
        }
        examined += 1;
        first.get_or_insert(name);
        if hit {
            matched = true;
            break;
        }
    }
    if !matched && check_cn {
        if let Some(cn) = &leaf.subject_cn {
            examined += 1;
            first.get_or_insert(cn.clone());
            if cn.eq_ignore_ascii_case(host) || wildcard_match(cn, host) {
                matched = true;
            }
        }
    }
    if matched {
        return Ok(());
    }
    let first = first.unwrap_or_default();
    Err(match examined {
        0 => "could not get server's host name from server certificate".to_string(),
        1 => format!("server certificate for \"{first}\" does not match host name \"{host}\""),
        2 => format!("server certificate for \"{first}\" (and 1 other name) does not match host name \"{host}\""),
        n => format!("server certificate for \"{first}\" (and {} other names) does not match host name \"{host}\"", n - 1),
    })
}

/// libpq's key-permission rule (fe-secure-openssl.c, `initialize_SSL`, PostgreSQL 12–18): a
/// key owned by root may be at most u=rw,g=r (0640); any other owner, at most u=rw (0600).
/// libpq never compares the owner with the user it runs as: a 0644 key owned by another user
/// is refused here, and a 0600 key owned by another user passes this rule and then fails to
/// load ("Permission denied"). Returns libpq's message when the key would be refused.
pub fn libpq_key_verdict(path: &str, mode: u32, uid: u32) -> Option<String> {
    let bad = if uid == 0 { mode & 0o037 != 0 } else { mode & 0o077 != 0 };
    bad.then(|| {
        format!(
            "private key file \"{path}\" has group or world access; file must have permissions u=rw (0600) or less \
             if owned by the current user, or permissions u=rw,g=r (0640) or less if owned by root"
        )
    })
}
