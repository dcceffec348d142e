//! Gather from the server itself: who is connected with and without TLS, and the server's
//! TLS settings, with read-only SQL (the queries of the seed guide, grouped).
//!
//! The connection honours sslmode the way libpq does before any credential is sent: with
//! `require` and stronger, TLS must be up first (tokio-postgres refuses to continue in the
//! clear), with `verify-ca`/`verify-full` the chain is checked against the given roots.
//! Everything runs inside a READ ONLY transaction that is rolled back; the sslinfo extension is
//! used only if already installed, never created.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres::config::SslMode as PgSslMode;

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
    #[error("timed out after {0:?} talking to the server")]
    Timeout(Duration),
    #[error("could not start the async runtime: {0}")]
    Runtime(String),
}

impl SessionError {
    /// What psql would print for the same failure: `connection to server at … failed: …`
    /// with the server's own words (tokio-postgres's wording is not what users search for).
    pub fn libpq_words(&self, endpoint: &str) -> String {
        match self {
            SessionError::Connect { message, .. } => format!("connection to server at {endpoint} failed: {message}"),
            SessionError::Timeout(_) => format!("connection to server at {endpoint} failed: timeout expired"),
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
        .map_err(|e| SessionError::Runtime(e.to_string()))?;
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
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| SessionError::Runtime(e.to_string()))?;
    let budget = t.timeout * 4;
    rt.block_on(async { tokio::time::timeout(budget, gather_async(t)).await })
        .unwrap_or(Err(SessionError::Timeout(budget)))
}

async fn gather_async(t: &SessionTarget) -> Result<SessionFacts, SessionError> {
    let endpoint = format!("{}:{}", t.hostaddr.as_deref().unwrap_or(&t.host), t.port);
    let mut cfg = tokio_postgres::Config::new();
    cfg.host(&t.host).port(t.port).user(&t.user).dbname(&t.dbname).connect_timeout(t.timeout);
    cfg.application_name("pgtls sessions");
    if let Some(a) = &t.hostaddr {
        if let Ok(ip) = a.parse() {
            cfg.hostaddr(ip);
        }
    }
    if let Some(p) = &t.password {
        cfg.password(p);
    }
    cfg.ssl_mode(match t.sslmode {
        SslMode::Disable => PgSslMode::Disable,
        SslMode::Allow | SslMode::Prefer => PgSslMode::Prefer,
        _ => PgSslMode::Require,
    });
    let connect_err = |e: tokio_postgres::Error| SessionError::Connect {
        endpoint: endpoint.clone(),
        user: t.user.clone(),
        message: error_text(&e),
    };
    let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls_config(t)?);
    let (client, connection) = cfg.connect(tls).await.map_err(connect_err)?;
    let conn_task = tokio::spawn(connection);

    let q = |e: tokio_postgres::Error| SessionError::Query { endpoint: endpoint.clone(), message: error_text(&e) };
    client.batch_execute("BEGIN TRANSACTION READ ONLY").await.map_err(q)?;
    let server_version: String = client.query_one("SELECT version()", &[]).await.map_err(q)?.get(0);
    let who = client
        .query_one(
            "SELECT current_user::text, coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false) \
             OR pg_has_role(current_user, 'pg_read_all_stats', 'member')",
            &[],
        )
        .await
        .map_err(q)?;
    let (role, sees_all_sessions): (String, bool) = (who.get(0), who.get(1));
    let own_connection_ssl: bool = client
        .query_one("SELECT coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)", &[])
        .await
        .map_err(q)?
        .get(0);
    let groups = client
        .query(GROUPS_SQL, &[])
        .await
        .map_err(q)?
        .iter()
        .map(|r| SessionGroup {
            database: r.get(0),
            user: r.get(1),
            client_addr: r.get(2),
            application_name: r.get::<_, Option<String>>(3).filter(|s| !s.is_empty()),
            backend_type: r.get(4),
            ssl: r.get(5),
            version: r.get(6),
            cipher: r.get(7),
            count: r.get(8),
        })
        .collect();
    let settings: BTreeMap<String, String> =
        client.query(SETTINGS_SQL, &[]).await.map_err(q)?.iter().map(|r| (r.get(0), r.get(1))).collect();
    let sslinfo_installed = client
        .query_opt("SELECT 1 FROM pg_extension WHERE extname = 'sslinfo'", &[])
        .await
        .map_err(q)?
        .is_some();
    let ssl_is_used = if sslinfo_installed {
        client.query_one("SELECT ssl_is_used()", &[]).await.ok().map(|r| r.get::<_, bool>(0))
    } else {
        None
    };
    let may_read_hba: bool = client
        .query_one("SELECT has_table_privilege('pg_catalog.pg_hba_file_rules', 'SELECT')", &[])
        .await
        .map_err(q)?
        .get(0);
    let (hba_rules, hba_note) = if may_read_hba {
        match client
            .query(
                "SELECT line_number, type, array_to_string(database, ','), array_to_string(user_name, ','), \
                 address, auth_method, array_to_string(options, ','), error FROM pg_hba_file_rules ORDER BY line_number",
                &[],
            )
            .await
        {
            Ok(rows) => (
                Some(
                    rows.iter()
                        .map(|r| HbaRuleRow {
                            line_number: r.get(0),
                            kind: r.get(1),
                            database: r.get(2),
                            user_name: r.get(3),
                            address: r.get(4),
                            auth_method: r.get(5),
                            options: r.get(6),
                            error: r.get(7),
                        })
                        .collect(),
                ),
                None,
            ),
            Err(e) => (None, Some(pgtls_core::gathered::sessions::hba_unreadable(&error_text(&e)))),
        }
    } else {
        (None, Some(pgtls_core::gathered::sessions::hba_not_allowed(&t.user)))
    };
    let _ = client.batch_execute("ROLLBACK").await;
    drop(client);
    let _ = conn_task.await;
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

/// The server's message when there is one (tokio-postgres's Display hides it behind "db error").
fn error_text(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}:  {}", db.severity(), db.message()),
        None => {
            let mut s = e.to_string();
            let mut src = std::error::Error::source(e);
            while let Some(inner) = src {
                s += &format!(": {inner}");
                src = inner.source();
            }
            s
        }
    }
}
