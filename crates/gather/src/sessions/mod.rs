//! Gather from the server itself: who is connected with and without TLS, and the server's
//! TLS settings, with read-only SQL (the queries of the seed guide, grouped).
//!
//! The connection honours sslmode the way libpq does before any credential is sent: with
//! `require` and stronger, TLS must be up first (the StartupMessage is not sent in the clear),
//! with `verify-ca`/`verify-full` the chain is checked against the given roots. It is the same
//! bounded connection and wire code as every other step (`net`: per-read timeout, a deadline,
//! a read budget), with the simple query protocol on top — no second PostgreSQL client.
//! Everything runs inside a READ ONLY transaction that is rolled back; the sslinfo extension is
//! used only if already installed, never created.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::net::{self, Negotiated, QuerySession};

pub use crate::conninfo::SslMode;

/// Where and how to connect.
#[derive(Clone)]
pub struct SessionTarget {
    pub host: String,
    pub hostaddr: Option<String>,
    pub port: u16,
    pub user: String,
    pub dbname: String,
    /// Never printed.
    pub password: Option<String>,
    pub sslmode: SslMode,
    /// PEM file with the roots for verify-ca / verify-full.
    pub sslrootcert: Option<std::path::PathBuf>,
    pub timeout: Duration,
}

impl std::fmt::Debug for SessionTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionTarget")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("dbname", &self.dbname)
            .field("password", &self.password.as_ref().map(|_| "********"))
            .field("sslmode", &self.sslmode)
            .finish()
    }
}

pub use pgtls_core::gathered::sessions::{HbaRuleRow, SessionFacts, SessionGroup};

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("could not connect to {endpoint} as \"{user}\": {message}")]
    Connect { endpoint: String, user: String, message: String },
    #[error("query failed on {endpoint}: {message}")]
    Query { endpoint: String, message: String },
    #[error("could not read root certificates from {path}: {message}")]
    Roots { path: String, message: String },
    #[error("could not set up TLS: {0}")]
    Tls(String),
}

impl SessionError {
    /// What psql would print for the same failure: `connection to server at … failed: …`
    /// with the server's own words.
    pub fn libpq_words(&self, endpoint: &str) -> String {
        match self {
            SessionError::Connect { message, .. } => format!("connection to server at {endpoint} failed: {message}"),
            other => other.to_string(),
        }
    }
}

/// verify-ca: the chain must verify, the name need not match.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        ee: &CertificateDer<'_>,
        im: &[CertificateDer<'_>],
        name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        use rustls::{CertificateError, Error};
        match self.0.verify_server_cert(ee, im, name, ocsp, now) {
            Err(Error::InvalidCertificate(CertificateError::NotValidForName))
            | Err(Error::InvalidCertificate(CertificateError::NotValidForNameContext { .. })) => {
                Ok(ServerCertVerified::assertion())
            }
            other => other,
        }
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(m, c, d)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(m, c, d)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

fn tls_config(t: &SessionTarget) -> Result<rustls::ClientConfig, SessionError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| SessionError::Tls(e.to_string()))?;
    let verifier: Arc<dyn ServerCertVerifier> = match t.sslmode {
        SslMode::VerifyCa | SslMode::VerifyFull => {
            let path = t.sslrootcert.clone().unwrap_or_default();
            let roots_err = |message: String| SessionError::Roots { path: path.display().to_string(), message };
            let text = crate::files::read(&path).map_err(|e| roots_err(e.to_string()))?;
            let mut roots = RootCertStore::empty();
            for p in pem::parse_many(&text).map_err(|e| roots_err(e.to_string()))? {
                if p.tag() == "CERTIFICATE" {
                    roots.add(CertificateDer::from(p.into_contents())).map_err(|e| roots_err(e.to_string()))?;
                }
            }
            let v = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| roots_err(e.to_string()))?;
            if t.sslmode == SslMode::VerifyFull {
                v
            } else {
                Arc::new(ChainOnly(v))
            }
        }
        _ => Arc::new(crate::tls::RecordingVerifier::new(provider)),
    };
    Ok(builder.dangerous().with_custom_certificate_verifier(verifier).with_no_client_auth())
}

const GROUPS_SQL: &str = "SELECT a.datname::text, a.usename::text, host(a.client_addr), a.application_name, \
     a.backend_type, coalesce(s.ssl, false), s.version, s.cipher, count(*) \
     FROM pg_stat_ssl s JOIN pg_stat_activity a ON s.pid = a.pid \
     WHERE a.pid <> pg_backend_pid() \
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 6, 1, 2, 3, 4, 5";

const SETTINGS_SQL: &str = "SELECT name, setting FROM pg_settings WHERE name IN \
     ('ssl', 'ssl_min_protocol_version', 'ssl_max_protocol_version', 'ssl_ciphers', \
      'require_secure_transport', 'ssl_prefer_server_ciphers', 'ssl_ecdh_curve', 'ssl_ca_file', \
      'ssl_cert_file', 'ssl_crl_file', 'ssl_passphrase_command', 'password_encryption', 'server_version_num')";

/// Connect and gather. Only SELECTs, in a READ ONLY transaction that is rolled back.
pub fn gather(t: &SessionTarget) -> Result<SessionFacts, SessionError> {
    let endpoint = format!("{}:{}", t.hostaddr.as_deref().unwrap_or(&t.host), t.port);
    let fail = |message: String| SessionError::Connect { endpoint: endpoint.clone(), user: t.user.clone(), message };
    let timeouts = net::Timeouts { connect: t.timeout, io: t.timeout, total: t.timeout * 4 };
    let addrs = net::resolve(t.hostaddr.as_deref().unwrap_or(&t.host), t.port, t.timeout).map_err(|e| fail(e.to_string()))?;
    let mut sock = net::connect(&addrs, &endpoint, timeouts).map_err(|e| fail(e.to_string()))?;
    let tls = match t.sslmode {
        SslMode::Disable => false,
        mode => match net::ssl_request(&mut sock, &endpoint).map_err(|e| fail(e.to_string()))? {
            Negotiated::Accept => true,
            Negotiated::Refuse if matches!(mode, SslMode::Allow | SslMode::Prefer) => false,
            // libpq's words; nothing is sent in the clear.
            Negotiated::Refuse => return Err(fail("server does not support SSL, but SSL was required".into())),
            Negotiated::Error { error } => return Err(fail(error.to_string())),
            Negotiated::Unexpected { byte, .. } => {
                return Err(fail(format!("received invalid response to SSL negotiation: {}", pgtls_core::wire::describe_byte(byte))))
            }
        },
    };
    if !tls {
        return run(sock, t, None, &endpoint);
    }
    let name = ServerName::try_from(t.host.clone()).map_err(|e| fail(format!("invalid host name for TLS: {e}")))?;
    let conn = rustls::ClientConnection::new(Arc::new(tls_config(t)?), name).map_err(|e| SessionError::Tls(e.to_string()))?;
    let mut stream = rustls::StreamOwned::new(conn, sock);
    // The handshake ends before the StartupMessage: no credential before TLS is up.
    while stream.conn.is_handshaking() {
        stream.conn.complete_io(&mut stream.sock).map_err(|e| fail(format!("SSL error: {e}")))?;
    }
    // Channel binding as libpq's default (prefer): the session's tls-server-end-point.
    let end_point = stream
        .conn
        .peer_certificates()
        .and_then(|c| crate::x509::parse_chain(&[c.first()?.to_vec()]).ok())
        .and_then(|chain| chain.first().map(crate::x509::tls_server_end_point));
    let facts = run(&mut stream, t, end_point, &endpoint);
    stream.conn.send_close_notify();
    let _ = stream.conn.complete_io(&mut stream.sock);
    facts
}

/// A NULL is None; every value arrives as the server's text.
fn col(row: &[Option<String>], i: usize) -> Option<String> {
    row.get(i).cloned().flatten()
}

fn flag(row: &[Option<String>], i: usize) -> bool {
    col(row, i).as_deref() == Some("t")
}

fn run<S: std::io::Read + std::io::Write>(stream: S, t: &SessionTarget, end_point: Option<Vec<u8>>, endpoint: &str) -> Result<SessionFacts, SessionError> {
    let connect_err = |message: String| SessionError::Connect { endpoint: endpoint.to_string(), user: t.user.clone(), message };
    let params = [("user", t.user.as_str()), ("database", t.dbname.as_str()), ("application_name", "pgtls sessions")];
    let creds = net::Credentials { user: &t.user, password: t.password.as_deref(), channel_binding: net::ChannelBindingMode::Prefer, end_point };
    let mut session = match QuerySession::open(stream, &params, &creds).map_err(|e| connect_err(io_text(&e, t.timeout)))? {
        Ok(s) => s,
        Err(net::LoginStopped::Refused(e)) => return Err(connect_err(e.to_string())),
        Err(net::LoginStopped::ClientGaveUp(m)) => return Err(connect_err(m)),
    };
    let facts = queries(&mut session, t, endpoint);
    session.close();
    facts
}

fn io_text(e: &std::io::Error, timeout: Duration) -> String {
    if net::is_timeout(e) {
        format!("timeout expired (no answer within {timeout:?})")
    } else {
        e.to_string()
    }
}

fn queries<S: std::io::Read + std::io::Write>(session: &mut QuerySession<S>, t: &SessionTarget, endpoint: &str) -> Result<SessionFacts, SessionError> {
    let mut q = |sql: &str| -> Result<Vec<Vec<Option<String>>>, SessionError> {
        match session.query(sql) {
            Ok(Ok(rows)) => Ok(rows),
            Ok(Err(e)) => Err(SessionError::Query { endpoint: endpoint.to_string(), message: e.to_string() }),
            Err(e) => Err(SessionError::Query { endpoint: endpoint.to_string(), message: io_text(&e, t.timeout) }),
        }
    };
    let first = |rows: Vec<Vec<Option<String>>>| rows.into_iter().next().unwrap_or_default();
    q("BEGIN TRANSACTION READ ONLY")?;
    let server_version = col(&first(q("SELECT version()")?), 0).unwrap_or_default();
    let who = first(q("SELECT current_user::text, coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false) \
         OR pg_has_role(current_user, 'pg_read_all_stats', 'member')")?);
    let (role, sees_all_sessions) = (col(&who, 0).unwrap_or_default(), flag(&who, 1));
    let own_connection_ssl = flag(&first(q("SELECT coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)")?), 0);
    let groups = q(GROUPS_SQL)?
        .iter()
        .map(|r| SessionGroup {
            database: col(r, 0),
            user: col(r, 1),
            client_addr: col(r, 2),
            application_name: col(r, 3).filter(|s| !s.is_empty()),
            backend_type: col(r, 4),
            ssl: flag(r, 5),
            version: col(r, 6),
            cipher: col(r, 7),
            count: col(r, 8).and_then(|n| n.parse().ok()).unwrap_or(0),
        })
        .collect();
    let settings: BTreeMap<String, String> = q(SETTINGS_SQL)?.iter().filter_map(|r| Some((col(r, 0)?, col(r, 1)?))).collect();
    let sslinfo_installed = !q("SELECT 1 FROM pg_extension WHERE extname = 'sslinfo'")?.is_empty();
    let ssl_is_used = if sslinfo_installed {
        // A failure here aborts the transaction; nothing after it needs that transaction.
        q("SELECT ssl_is_used()").ok().map(|rows| flag(&first(rows), 0))
    } else {
        None
    };
    let may_read_hba = flag(&first(q("SELECT has_table_privilege('pg_catalog.pg_hba_file_rules', 'SELECT')")?), 0);
    let (hba_rules, hba_note) = if may_read_hba {
        match q("SELECT line_number, type, array_to_string(database, ','), array_to_string(user_name, ','), \
                 address, auth_method, array_to_string(options, ','), error FROM pg_hba_file_rules ORDER BY line_number")
        {
            Ok(rows) => (
                Some(
                    rows.iter()
                        .map(|r| HbaRuleRow {
                            line_number: col(r, 0).and_then(|n| n.parse().ok()),
                            kind: col(r, 1),
                            database: col(r, 2),
                            user_name: col(r, 3),
                            address: col(r, 4),
                            auth_method: col(r, 5),
                            options: col(r, 6),
                            error: col(r, 7),
                        })
                        .collect(),
                ),
                None,
            ),
            Err(e) => (None, Some(pgtls_core::gathered::sessions::hba_unreadable(&query_message(&e)))),
        }
    } else {
        (None, Some(pgtls_core::gathered::sessions::hba_not_allowed(&t.user)))
    };
    let _ = q("ROLLBACK");
    Ok(SessionFacts {
        server_version,
        own_connection_ssl,
        groups,
        ssl_is_used,
        sslinfo_installed,
        settings,
        hba_rules,
        hba_note,
        role,
        sees_all_sessions,
    })
}

fn query_message(e: &SessionError) -> String {
    match e {
        SessionError::Query { message, .. } => message.clone(),
        other => other.to_string(),
    }
}
